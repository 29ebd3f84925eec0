/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/fixed.h"
#include "core/signed.h"
#include "protocol/collect.h"
#include "spillguard/err.h"
#include "spillguard/merkle.h"
#include "wire/codec.h"

const char *sg_collect_message(enum sg_collect_refusal r)
{
	switch (r) {
	case SG_COLLECT_OK: return "released";
	case SG_COLLECT_UNKNOWN_INDUSTRY: return "the task has no such industry";
	case SG_COLLECT_BELOW_MIN_BATCH: return "fewer enterprises than min_batch: not released";
	case SG_COLLECT_COUNT_MISMATCH: return "the report count differs from this aggregator's";
	case SG_COLLECT_ROOT_MISMATCH: return "the report set differs from this aggregator's";
	case SG_COLLECT_ALREADY: return "this industry's aggregate was released before";
	}
	return "refused";
}

static int cmp_id(const void *a, const void *b)
{
	return memcmp(a, b, SG_REPORT_ID_BYTES);
}

int sg_report_set_root(uint8_t root[32], uint8_t (*ids)[SG_REPORT_ID_BYTES], size_t n)
{
	sg_merkle_builder b;
	qsort(ids, n, sizeof *ids, cmp_id);
	sg_merkle_builder_init(&b);
	for (size_t i = 0; i < n; i++) {
		uint8_t leaf[SG_MERKLE_HASH_BYTES];
		sg_merkle_leaf_hash(leaf, ids[i], SG_REPORT_ID_BYTES);
		sg_merkle_builder_add_leaf_hash(&b, leaf);
	}
	sg_merkle_builder_root(root, &b);
	return 0;
}

static bool has_industry(const sg_task *t, uint32_t id)
{
	return sg_task_industry_index(t->body, id) >= 0;
}

static int sign_share(uint8_t **out, size_t *out_len, const sg_party *p, const uint8_t *sign_sk,
		      uint32_t industry, uint64_t count, const uint8_t root[32],
		      const sg_prio3_agg *agg)
{
	int ret = SG_ERR_NOMEM;
	size_t slen = sg_prio3_out_share_bytes(p->prio3);
	uint8_t *share = malloc(slen), *body = NULL, sig[SG_SIGNATURE_BYTES];
	if (share == NULL)
		goto cleanup;
	sg_prio3_agg_encode(p->prio3, share, agg);
	Spillguard__AggregateShareBody b = SPILLGUARD__AGGREGATE_SHARE_BODY__INIT;
	b.version = SG_WIRE_VERSION;
	b.task_id = (ProtobufCBinaryData){ SG_TASK_ID_BYTES, (uint8_t *)p->task->id };
	b.industry = industry;
	b.report_count = count;
	b.report_set_root = (ProtobufCBinaryData){ 32, (uint8_t *)root };
	b.aggregator = p->index;
	b.aggregate_share = (ProtobufCBinaryData){ slen, share };
	size_t blen = spillguard__aggregate_share_body__get_packed_size(&b);
	if ((body = malloc(blen + 1)) == NULL)
		goto cleanup;
	spillguard__aggregate_share_body__pack(&b, body);
	if ((ret = sg_sign_labeled(sig, SG_AGG_SHARE_SIG_CONTEXT, body, blen, sign_sk)) != 0)
		goto cleanup;
	Spillguard__AggregateShare as = SPILLGUARD__AGGREGATE_SHARE__INIT;
	as.body = (ProtobufCBinaryData){ blen, body };
	as.signature = (ProtobufCBinaryData){ sizeof sig, sig };
	size_t n = spillguard__aggregate_share__get_packed_size(&as);
	ret = SG_ERR_NOMEM;
	if ((*out = malloc(n + 1)) == NULL)
		goto cleanup;
	*out_len = spillguard__aggregate_share__pack(&as, *out);
	ret = 0;
cleanup:
	free(share);
	free(body);
	return ret;
}

int sg_collect_share(uint8_t **out, size_t *out_len, enum sg_collect_refusal *refusal,
		     const sg_party *p, const uint8_t sign_sk[64], uint32_t industry,
		     uint64_t req_count, const uint8_t req_root[32], uint64_t count,
		     const uint8_t root[32], bool already, const sg_prio3_agg *agg)
{
	*out = NULL;
	*out_len = 0;
	if (!has_industry(p->task, industry))
		*refusal = SG_COLLECT_UNKNOWN_INDUSTRY;
	else if (already)
		*refusal = SG_COLLECT_ALREADY;
	else if (req_count != count)
		*refusal = SG_COLLECT_COUNT_MISMATCH;
	else if (count < p->task->body->min_batch)
		*refusal = SG_COLLECT_BELOW_MIN_BATCH;
	else if (sodium_memcmp(req_root, root, 32) != 0)
		*refusal = SG_COLLECT_ROOT_MISMATCH;
	else
		*refusal = SG_COLLECT_OK;
	if (*refusal != SG_COLLECT_OK)
		return 0;
	return sign_share(out, out_len, p, sign_sk, industry, count, root, agg);
}

/* One aggregator's share: signed by it, about this collection. */
static int check_share(const Spillguard__AggregateShare *as, const Spillguard__AggregateShareBody *b,
		       const sg_task *t, const sg_prio3 *p, unsigned j, uint32_t industry,
		       uint64_t count, const uint8_t root[32])
{
	return sg_verify_labeled(as->signature.data, as->signature.len, SG_AGG_SHARE_SIG_CONTEXT,
				 as->body.data, as->body.len, t->body->aggregators[j]->sign_pk.data) &&
			       b->version == SG_WIRE_VERSION && sg_task_is(t, &b->task_id) &&
			       b->industry == industry && b->report_count == count &&
			       b->report_set_root.len == 32 &&
			       memcmp(b->report_set_root.data, root, 32) == 0 && b->aggregator == j &&
			       b->aggregate_share.len == sg_prio3_out_share_bytes(p)
		       ? 0
		       : SG_ERR_VERIFY;
}

int sg_aggregate_share_check(const sg_task *t, const sg_prio3 *p,
			     const Spillguard__AggregateShare *as, unsigned j, uint32_t industry,
			     uint64_t count, const uint8_t root[32],
			     Spillguard__AggregateShareBody **body, sg_wire_budget **budget)
{
	ProtobufCMessage *m = NULL;
	*body = NULL;
	*budget = NULL;
	if (j >= t->body->n_aggregators ||
	    sg_wire_unpack(&m, budget, &spillguard__aggregate_share_body__descriptor, as->body.data,
			   as->body.len) != 0)
		return SG_ERR_VERIFY;
	*body = (Spillguard__AggregateShareBody *)m;
	int ret = check_share(as, *body, t, p, j, industry, count, root);
	if (ret != 0) {
		sg_wire_release(m, *budget);
		*body = NULL;
		*budget = NULL;
	}
	return ret;
}

int sg_tsk_text(char out[SG_TSK_TEXT_BYTES], const sg_task *t, size_t category, uint64_t sum,
		uint64_t count)
{
	unsigned d = t->body->categories[category]->decimals + SG_TSK_EXTRA_DECIMALS;
	sg_u128 q;
	out[0] = '\0';
	if (sg_fixed_ratio(&q, sum, count, SG_TSK_EXTRA_DECIMALS) != 0 ||
	    sg_fixed_format(out, SG_TSK_TEXT_BYTES, q, d) == 0)
		return SG_ERR_PARAM; /* no enterprises */
	return 0;
}

/* S_k and TSK_k per category into the message. */
static int fill_results(Spillguard__PublishedAggregate *pa, const sg_task *t, const uint64_t *sum,
			uint64_t count, char (*tsk)[SG_TSK_TEXT_BYTES])
{
	for (size_t i = 0; i < t->body->n_categories; i++) {
		int ret = sg_tsk_text(tsk[i], t, i, sum[i], count);
		if (ret != 0)
			return ret;
		pa->tsk[i] = tsk[i];
	}
	return 0;
}

int sg_publish_aggregate(uint8_t **out, size_t *out_len, const sg_party *leader,
			 uint32_t industry, uint64_t count, const uint8_t root[32],
			 const uint8_t *const *shares, const size_t *share_lens, char *msg,
			 size_t msg_len)
{
	const sg_task *t = leader->task;
	size_t nagg = t->body->n_aggregators, ncat = t->body->n_categories;
	Spillguard__AggregateShare *as[256] = { 0 };
	ProtobufCMessage *bodies[256] = { 0 };
	sg_wire_budget *ab[256] = { 0 }, *bb[256] = { 0 };
	const uint8_t *enc[256] = { 0 };
	size_t enc_len[256] = { 0 };
	uint64_t *sum = calloc(ncat + 1, sizeof *sum);
	char (*tsk)[SG_TSK_TEXT_BYTES] = calloc(ncat + 1, sizeof *tsk);
	char **tsk_ptrs = calloc(ncat + 1, sizeof *tsk_ptrs);
	int ret = SG_ERR_NOMEM;
	*out = NULL;
	*out_len = 0;
	if (!sum || !tsk || !tsk_ptrs)
		goto cleanup;
	for (unsigned j = 0; j < nagg; j++) {
		ProtobufCMessage *m;
		ret = SG_ERR_VERIFY;
		if (sg_wire_unpack(&m, &ab[j], &spillguard__aggregate_share__descriptor, shares[j],
				   share_lens[j]) != 0)
			goto bad;
		as[j] = (Spillguard__AggregateShare *)m;
		Spillguard__AggregateShareBody *b;
		if (sg_aggregate_share_check(t, leader->prio3, as[j], j, industry, count, root, &b,
					     &bb[j]) != 0)
			goto bad;
		bodies[j] = &b->base;
		enc[j] = b->aggregate_share.data;
		enc_len[j] = b->aggregate_share.len;
		continue;
bad:
		snprintf(msg, msg_len, "aggregator %u's aggregate share does not check", j);
		goto cleanup;
	}
	ret = sg_prio3_unshard(leader->prio3, sum, ncat, enc, enc_len, count ? count : 1);
	if (ret != 0)
		goto cleanup;
	Spillguard__PublishedAggregate pa = SPILLGUARD__PUBLISHED_AGGREGATE__INIT;
	pa.version = SG_WIRE_VERSION;
	pa.task_id = (ProtobufCBinaryData){ SG_TASK_ID_BYTES, (uint8_t *)t->id };
	pa.industry = industry;
	pa.report_count = count;
	pa.report_set_root = (ProtobufCBinaryData){ 32, (uint8_t *)root };
	pa.n_shares = nagg;
	pa.shares = as;
	pa.n_sum = ncat;
	pa.sum = sum;
	pa.n_tsk = ncat;
	pa.tsk = tsk_ptrs;
	if ((ret = fill_results(&pa, t, sum, count, tsk)) != 0)
		goto cleanup;
	size_t n = spillguard__published_aggregate__get_packed_size(&pa);
	ret = SG_ERR_NOMEM;
	if ((*out = malloc(n + 1)) == NULL)
		goto cleanup;
	*out_len = spillguard__published_aggregate__pack(&pa, *out);
	ret = 0;
cleanup:
	for (unsigned j = 0; j < nagg; j++) {
		sg_wire_release(bodies[j], bb[j]);
		sg_wire_release(as[j] ? &as[j]->base : NULL, ab[j]);
	}
	free(sum);
	free(tsk);
	free(tsk_ptrs);
	return ret;
}

/* Adds one industry's TSK_k into isk, in units of 10^-(decimals + extra):
 * the same rounded figures the aggregate publishes, so the ISK is exactly
 * the sum of the published TSK texts. */
static int add_tsk(sg_u128 *isk, const sg_task *t, const Spillguard__PublishedAggregate *pa)
{
	size_t ncat = t->body->n_categories;
	if (pa->version != SG_WIRE_VERSION || !sg_task_is(t, &pa->task_id) || pa->n_sum != ncat ||
	    pa->report_count == 0)
		return SG_ERR_PARSE;
	for (size_t i = 0; i < ncat; i++) {
		sg_u128 v;
		if (sg_fixed_ratio(&v, pa->sum[i], pa->report_count, SG_TSK_EXTRA_DECIMALS) != 0)
			return SG_ERR_PARSE;
		isk[i] += v; /* each below 2^71: no overflow for fewer than 2^57 industries */
	}
	return 0;
}

int sg_publish_isk(uint8_t **out, size_t *out_len, const sg_task *t,
		   const uint8_t *const *published, const size_t *lens, size_t n)
{
	size_t ncat = t->body->n_categories;
	sg_u128 *isk = calloc(ncat + 1, sizeof *isk);
	uint32_t *industries = calloc(n + 1, sizeof *industries);
	char (*text)[SG_TSK_TEXT_BYTES] = calloc(ncat + 1, sizeof *text);
	char **ptrs = calloc(ncat + 1, sizeof *ptrs);
	int ret = SG_ERR_NOMEM;
	*out = NULL;
	*out_len = 0;
	if (!isk || !industries || !text || !ptrs)
		goto cleanup;
	for (size_t k = 0; k < n; k++) {
		ProtobufCMessage *m = NULL;
		sg_wire_budget *b = NULL;
		ret = sg_wire_unpack(&m, &b, &spillguard__published_aggregate__descriptor,
				     published[k], lens[k]);
		if (ret == 0) {
			industries[k] = ((Spillguard__PublishedAggregate *)m)->industry;
			ret = add_tsk(isk, t, (Spillguard__PublishedAggregate *)m);
		}
		sg_wire_release(m, b);
		if (ret != 0)
			goto cleanup;
	}
	for (size_t i = 0; i < ncat; i++) {
		unsigned d = t->body->categories[i]->decimals + SG_TSK_EXTRA_DECIMALS;
		sg_fixed_format(text[i], sizeof text[i], isk[i], d);
		ptrs[i] = text[i];
	}
	Spillguard__IskSummary s = SPILLGUARD__ISK_SUMMARY__INIT;
	s.version = SG_WIRE_VERSION;
	s.task_id = (ProtobufCBinaryData){ SG_TASK_ID_BYTES, (uint8_t *)t->id };
	s.n_industries = n;
	s.industries = industries;
	s.n_isk = ncat;
	s.isk = ptrs;
	size_t sz = spillguard__isk_summary__get_packed_size(&s);
	ret = SG_ERR_NOMEM;
	if ((*out = malloc(sz + 1)) != NULL) {
		*out_len = spillguard__isk_summary__pack(&s, *out);
		ret = 0;
	}
cleanup:
	free(isk);
	free(industries);
	free(text);
	free(ptrs);
	return ret;
}

int sg_report_set_msg(uint8_t **out, size_t *out_len, const sg_task *t, uint32_t industry,
		      const uint8_t *ids, size_t n)
{
	Spillguard__ReportSet rs = SPILLGUARD__REPORT_SET__INIT;
	ProtobufCBinaryData *items = calloc(n + 1, sizeof *items);
	*out = NULL;
	*out_len = 0;
	if (items == NULL)
		return SG_ERR_NOMEM;
	for (size_t i = 0; i < n; i++)
		items[i] = (ProtobufCBinaryData){ SG_REPORT_ID_BYTES,
						  (uint8_t *)ids + i * SG_REPORT_ID_BYTES };
	rs.version = SG_WIRE_VERSION;
	rs.task_id = (ProtobufCBinaryData){ SG_TASK_ID_BYTES, (uint8_t *)t->id };
	rs.industry = industry;
	rs.n_report_ids = n;
	rs.report_ids = items;
	size_t len = spillguard__report_set__get_packed_size(&rs);
	int ret = SG_ERR_NOMEM;
	if ((*out = malloc(len + 1)) != NULL) {
		*out_len = spillguard__report_set__pack(&rs, *out);
		ret = 0;
	}
	free(items);
	return ret;
}

int sg_collect_request_msg(uint8_t **out, size_t *out_len, const sg_task *t,
			   const uint8_t collect_id[SG_COLLECT_ID_BYTES], uint32_t industry,
			   uint64_t count, const uint8_t root[32])
{
	Spillguard__CollectRequest c = SPILLGUARD__COLLECT_REQUEST__INIT;
	Spillguard__Envelope env = SPILLGUARD__ENVELOPE__INIT;
	c.version = SG_WIRE_VERSION;
	c.task_id = (ProtobufCBinaryData){ SG_TASK_ID_BYTES, (uint8_t *)t->id };
	c.collect_id = (ProtobufCBinaryData){ SG_COLLECT_ID_BYTES, (uint8_t *)collect_id };
	c.industry = industry;
	c.report_count = count;
	c.report_set_root = (ProtobufCBinaryData){ 32, (uint8_t *)root };
	env.msg_case = SPILLGUARD__ENVELOPE__MSG_COLLECT;
	env.collect = &c;
	return sg_wire_encode(out, out_len, &env);
}

int sg_collect_request_read(sg_collect_req *req, const sg_task *t, const uint8_t *msg,
			    size_t len)
{
	sg_wire_msg w;
	memset(req, 0, sizeof *req);
	int ret = sg_wire_decode(&w, msg, len);
	if (ret != 0)
		return ret;
	const Spillguard__CollectRequest *c = w.env->collect;
	ret = SG_ERR_PARSE;
	if (w.env->msg_case == SPILLGUARD__ENVELOPE__MSG_COLLECT &&
	    sg_task_is(t, &c->task_id) &&
	    c->collect_id.len == SG_COLLECT_ID_BYTES && c->report_set_root.len == 32) {
		memcpy(req->collect_id, c->collect_id.data, SG_COLLECT_ID_BYTES);
		req->industry = c->industry;
		req->count = c->report_count;
		memcpy(req->root, c->report_set_root.data, 32);
		ret = 0;
	}
	sg_wire_msg_free(&w);
	return ret;
}

int sg_collect_reply_msg(uint8_t **out, size_t *out_len,
			 const uint8_t collect_id[SG_COLLECT_ID_BYTES], enum sg_collect_refusal refusal,
			 const uint8_t *share, size_t share_len)
{
	Spillguard__CollectReply c = SPILLGUARD__COLLECT_REPLY__INIT;
	Spillguard__Envelope env = SPILLGUARD__ENVELOPE__INIT;
	ProtobufCMessage *m = NULL;
	sg_wire_budget *b = NULL;
	*out = NULL;
	*out_len = 0;
	if ((refusal == SG_COLLECT_OK) != (share != NULL))
		return SG_ERR_PARAM;
	if (share != NULL) {
		int ret = sg_wire_unpack(&m, &b, &spillguard__aggregate_share__descriptor, share,
					 share_len);
		if (ret != 0)
			return ret;
		c.share = (Spillguard__AggregateShare *)m;
	}
	c.version = SG_WIRE_VERSION;
	c.collect_id = (ProtobufCBinaryData){ SG_COLLECT_ID_BYTES, (uint8_t *)collect_id };
	c.error = (uint32_t)refusal;
	env.msg_case = SPILLGUARD__ENVELOPE__MSG_COLLECT_REPLY;
	env.collect_reply = &c;
	int ret = sg_wire_encode(out, out_len, &env);
	sg_wire_release(m, b);
	return ret;
}

int sg_collect_reply_read(uint8_t **share, size_t *share_len, enum sg_collect_refusal *refusal,
			  const uint8_t collect_id[SG_COLLECT_ID_BYTES], const uint8_t *reply,
			  size_t len)
{
	sg_wire_msg w;
	*share = NULL;
	*share_len = 0;
	*refusal = SG_COLLECT_OK;
	int ret = sg_wire_decode(&w, reply, len);
	if (ret != 0)
		return ret;
	const Spillguard__CollectReply *c = w.env->collect_reply;
	ret = SG_ERR_PARSE;
	if (w.env->msg_case != SPILLGUARD__ENVELOPE__MSG_COLLECT_REPLY ||
	    c->collect_id.len != SG_COLLECT_ID_BYTES ||
	    memcmp(c->collect_id.data, collect_id, SG_COLLECT_ID_BYTES) != 0 ||
	    (c->error == SG_COLLECT_OK) != (c->share != NULL) || c->error > SG_COLLECT_ALREADY)
		goto cleanup;
	if (c->error != SG_COLLECT_OK) {
		*refusal = (enum sg_collect_refusal)c->error;
		ret = SG_ERR_VERIFY;
		goto cleanup;
	}
	*share_len = spillguard__aggregate_share__get_packed_size(c->share);
	ret = SG_ERR_NOMEM;
	if ((*share = malloc(*share_len + 1)) == NULL) {
		*share_len = 0;
		goto cleanup;
	}
	spillguard__aggregate_share__pack(c->share, *share);
	ret = 0;
cleanup:
	sg_wire_msg_free(&w);
	return ret;
}
