/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/signed.h"
#include "protocol/audit.h"
#include "protocol/collect.h"
#include "protocol/log.h"
#include "spillguard/err.h"
#include "wire/codec.h"

/* The RFC 9162 root over the leaves (each hashed as a leaf). */
static int leaves_root(uint8_t root[SG_MERKLE_HASH_BYTES], const uint8_t *const *leaves,
		       const size_t *lens, size_t n)
{
	uint8_t (*h)[SG_MERKLE_HASH_BYTES] = malloc((n + 1) * sizeof *h);
	if (h == NULL)
		return SG_ERR_NOMEM;
	for (size_t i = 0; i < n; i++)
		sg_merkle_leaf_hash(h[i], leaves[i], lens[i]);
	sg_merkle_root(root, (const uint8_t(*)[SG_MERKLE_HASH_BYTES])h, n);
	free(h);
	return 0;
}

int sg_log_head_body(uint8_t **out, size_t *out_len, const sg_task *t,
		     const uint8_t *const *leaves, const size_t *lens, size_t n, uint64_t timestamp)
{
	uint8_t root[SG_MERKLE_HASH_BYTES];
	*out = NULL;
	*out_len = 0;
	int ret = leaves_root(root, leaves, lens, n);
	if (ret != 0)
		return ret;
	Spillguard__TreeHeadBody b = SPILLGUARD__TREE_HEAD_BODY__INIT;
	b.version = SG_WIRE_VERSION;
	b.task_id = (ProtobufCBinaryData){ SG_TASK_ID_BYTES, (uint8_t *)t->id };
	b.tree_size = n;
	b.root_hash = (ProtobufCBinaryData){ sizeof root, root };
	b.timestamp = timestamp;
	size_t len = spillguard__tree_head_body__get_packed_size(&b);
	if ((*out = malloc(len + 1)) == NULL)
		return SG_ERR_NOMEM;
	*out_len = spillguard__tree_head_body__pack(&b, *out);
	return 0;
}

static ProtobufCBinaryData *binaries(const uint8_t *const *leaves, const size_t *lens, size_t n)
{
	ProtobufCBinaryData *v = calloc(n + 1, sizeof *v);
	for (size_t i = 0; v != NULL && i < n; i++)
		v[i] = (ProtobufCBinaryData){ lens[i], (uint8_t *)leaves[i] };
	return v;
}

int sg_log_request_msg(uint8_t **out, size_t *out_len, const sg_task *t, const uint8_t *body,
		       size_t body_len, const uint8_t *const *leaves, const size_t *lens, size_t n)
{
	Spillguard__TreeHeadRequest r = SPILLGUARD__TREE_HEAD_REQUEST__INIT;
	Spillguard__Envelope env = SPILLGUARD__ENVELOPE__INIT;
	ProtobufCBinaryData *v = binaries(leaves, lens, n);
	*out = NULL;
	*out_len = 0;
	if (v == NULL)
		return SG_ERR_NOMEM;
	r.version = SG_WIRE_VERSION;
	r.task_id = (ProtobufCBinaryData){ SG_TASK_ID_BYTES, (uint8_t *)t->id };
	r.head_body = (ProtobufCBinaryData){ body_len, (uint8_t *)body };
	r.n_leaves = n;
	r.leaves = v;
	env.msg_case = SPILLGUARD__ENVELOPE__MSG_TREE_HEAD_REQUEST;
	env.tree_head_request = &r;
	int ret = sg_wire_encode(out, out_len, &env);
	free(v);
	return ret;
}

static void count_fail(void *ctx, bool ok, const char *check)
{
	char *first = ctx;
	if (!ok && first[0] == '\0')
		snprintf(first, 300, "%s", check);
}

static bool has(const uint32_t *ids, size_t n, uint32_t id)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

/* What this helper holds against the outcome leaf (already checked to name
 * every industry once): each industry it released is published, and each
 * withheld one it did not release and counts fewer than min_batch of. */
static int own_check(const sg_task *t, const sg_log_own *own, const ProtobufCBinaryData *leaf,
		     char *msg, size_t msg_len)
{
	ProtobufCMessage *m = NULL;
	sg_wire_budget *b = NULL;
	if (sg_wire_unpack(&m, &b, &spillguard__round_outcome__descriptor, leaf->data, leaf->len) != 0)
		return SG_ERR_VERIFY;
	const Spillguard__RoundOutcome *o = (const Spillguard__RoundOutcome *)m;
	int ret = 0;
	for (size_t i = 0; ret == 0 && i < own->n_released; i++)
		if (!has(o->published, o->n_published, own->released[i])) {
			snprintf(msg, msg_len,
				 "industry %u was released by this aggregator but is not published",
				 own->released[i]);
			ret = SG_ERR_VERIFY;
		}
	for (size_t w = 0; ret == 0 && w < o->n_withheld; w++) {
		uint32_t id = o->withheld[w]->industry;
		long k = sg_task_industry_index(t->body, id);
		if (k < 0 || has(own->released, own->n_released, id) ||
		    own->counts[k] >= t->body->min_batch) {
			snprintf(msg, msg_len,
				 "industry %u is called withheld, but this aggregator released it or "
				 "holds at least min_batch reports of it",
				 id);
			ret = SG_ERR_VERIFY;
		}
	}
	sg_wire_release(m, b);
	return ret;
}

/* The leaves are a round's record (sg_audit_leaves: this task, audited
 * aggregates in order, the outcome, their ISK) and agree with what this
 * helper released. */
static int check_leaves(const sg_task *t, const sg_log_own *own, const ProtobufCBinaryData *leaves,
			size_t n, char *msg, size_t msg_len)
{
	const uint8_t **data = calloc(n + 1, sizeof *data);
	size_t *lens = calloc(n + 1, sizeof *lens);
	char first[300] = "";
	int ret = data && lens ? 0 : SG_ERR_NOMEM;
	for (size_t i = 0; ret == 0 && i < n; i++) {
		data[i] = leaves[i].data;
		lens[i] = leaves[i].len;
	}
	if (ret == 0)
		ret = sg_audit_leaves(t, data, lens, n, count_fail, first);
	if (ret > 0) {
		snprintf(msg, msg_len, "%s", first);
		ret = SG_ERR_VERIFY;
	}
	if (ret == 0)
		ret = own_check(t, own, &leaves[n - 2], msg, msg_len);
	free(data);
	free(lens);
	return ret;
}

int sg_log_outcome_msg(uint8_t **out, size_t *out_len, const sg_task *t,
		       const uint32_t *published, size_t n)
{
	const Spillguard__TaskBody *tb = t->body;
	Spillguard__WithheldIndustry *w = calloc(tb->n_industries + 1, sizeof *w);
	Spillguard__WithheldIndustry **wp = calloc(tb->n_industries + 1, sizeof *wp);
	Spillguard__RoundOutcome o = SPILLGUARD__ROUND_OUTCOME__INIT;
	int ret = SG_ERR_NOMEM;
	*out = NULL;
	*out_len = 0;
	if (w == NULL || wp == NULL)
		goto cleanup;
	for (size_t k = 0; k < tb->n_industries; k++) {
		if (has(published, n, tb->industries[k]->id))
			continue;
		w[o.n_withheld] = (Spillguard__WithheldIndustry)SPILLGUARD__WITHHELD_INDUSTRY__INIT;
		w[o.n_withheld].industry = tb->industries[k]->id;
		w[o.n_withheld].reason = SG_COLLECT_BELOW_MIN_BATCH;
		wp[o.n_withheld] = &w[o.n_withheld];
		o.n_withheld++;
	}
	o.version = SG_WIRE_VERSION;
	o.task_id = (ProtobufCBinaryData){ SG_TASK_ID_BYTES, (uint8_t *)t->id };
	o.n_published = n;
	o.published = (uint32_t *)published;
	o.withheld = wp;
	size_t len = spillguard__round_outcome__get_packed_size(&o);
	if ((*out = malloc(len + 1)) != NULL) {
		*out_len = spillguard__round_outcome__pack(&o, *out);
		ret = 0;
	}
cleanup:
	free(w);
	free(wp);
	return ret;
}

int sg_log_sign_request(uint8_t **out, size_t *out_len, uint64_t *size,
			uint8_t root[SG_MERKLE_HASH_BYTES], const sg_task *t, unsigned index,
			const uint8_t sign_sk[64], const sg_log_own *own, const uint64_t *prev_sizes,
			const uint8_t (*prev_roots)[SG_MERKLE_HASH_BYTES], size_t n_prev,
			const uint8_t *req, size_t req_len, char *msg, size_t msg_len)
{
	sg_wire_msg w;
	ProtobufCMessage *m = NULL;
	sg_wire_budget *b = NULL;
	const uint8_t **leaves = NULL;
	size_t *lens = NULL;
	*out = NULL;
	*out_len = 0;
	snprintf(msg, msg_len, "%s", "");
	int ret = sg_wire_decode(&w, req, req_len);
	if (ret != 0)
		return ret;
	const Spillguard__TreeHeadRequest *r = w.env->tree_head_request;
	ret = SG_ERR_PARSE;
	if (w.env->msg_case != SPILLGUARD__ENVELOPE__MSG_TREE_HEAD_REQUEST ||
	    !sg_task_is(t, &r->task_id) ||
	    sg_wire_unpack(&m, &b, &spillguard__tree_head_body__descriptor, r->head_body.data,
			   r->head_body.len) != 0)
		goto cleanup;
	const Spillguard__TreeHeadBody *hb = (const Spillguard__TreeHeadBody *)m;
	leaves = calloc(r->n_leaves + 1, sizeof *leaves);
	lens = calloc(r->n_leaves + 1, sizeof *lens);
	ret = leaves && lens ? 0 : SG_ERR_NOMEM;
	for (size_t i = 0; ret == 0 && i < r->n_leaves; i++) {
		leaves[i] = r->leaves[i].data;
		lens[i] = r->leaves[i].len;
	}
	if (ret == 0)
		ret = check_leaves(t, own, r->leaves, r->n_leaves, msg, msg_len);
	if (ret == 0)
		ret = leaves_root(root, leaves, lens, r->n_leaves);
	if (ret == 0 && (hb->version != SG_WIRE_VERSION || !sg_task_is(t, &hb->task_id) ||
			 hb->tree_size != r->n_leaves || hb->root_hash.len != SG_MERKLE_HASH_BYTES ||
			 memcmp(hb->root_hash.data, root, SG_MERKLE_HASH_BYTES) != 0)) {
		snprintf(msg, msg_len, "the head's size or root is not the leaves'");
		ret = SG_ERR_VERIFY;
	}
	uint8_t old[SG_MERKLE_HASH_BYTES];
	for (size_t i = 0; ret == 0 && i < n_prev; i++) {
		if (prev_sizes[i] > r->n_leaves ||
		    leaves_root(old, leaves, lens, prev_sizes[i]) != 0 ||
		    memcmp(old, prev_roots[i], sizeof old) != 0) {
			snprintf(msg, msg_len,
				 "the log does not extend the head of size %llu signed before",
				 (unsigned long long)prev_sizes[i]);
			ret = SG_ERR_VERIFY;
		}
	}
	uint8_t sig[SG_SIGNATURE_BYTES];
	if (ret == 0)
		ret = sg_sign_labeled(sig, SG_TREE_HEAD_SIG_CONTEXT, r->head_body.data,
				      r->head_body.len, sign_sk);
	if (ret == 0) {
		Spillguard__TreeHeadSignature s = SPILLGUARD__TREE_HEAD_SIGNATURE__INIT;
		Spillguard__Envelope env = SPILLGUARD__ENVELOPE__INIT;
		s.aggregator = index;
		s.signature = (ProtobufCBinaryData){ sizeof sig, sig };
		env.msg_case = SPILLGUARD__ENVELOPE__MSG_TREE_HEAD_SIGNATURE;
		env.tree_head_signature = &s;
		ret = sg_wire_encode(out, out_len, &env);
		*size = r->n_leaves;
	}
cleanup:
	free(leaves);
	free(lens);
	sg_wire_release(m, b);
	sg_wire_msg_free(&w);
	return ret;
}

int sg_log_signature_read(uint8_t sig[64], const sg_task *t, unsigned j, const uint8_t *body,
			  size_t body_len, const uint8_t *reply, size_t reply_len)
{
	sg_wire_msg w;
	int ret = sg_wire_decode(&w, reply, reply_len);
	if (ret != 0)
		return SG_ERR_VERIFY;
	const Spillguard__TreeHeadSignature *s = w.env->tree_head_signature;
	ret = SG_ERR_VERIFY;
	if (w.env->msg_case == SPILLGUARD__ENVELOPE__MSG_TREE_HEAD_SIGNATURE && s->aggregator == j &&
	    s->signature.len == SG_SIGNATURE_BYTES &&
	    sg_verify_labeled(s->signature.data, s->signature.len, SG_TREE_HEAD_SIG_CONTEXT, body,
			      body_len, t->body->aggregators[j]->sign_pk.data)) {
		memcpy(sig, s->signature.data, SG_SIGNATURE_BYTES);
		ret = 0;
	}
	sg_wire_msg_free(&w);
	return ret;
}

int sg_log_msg(uint8_t **out, size_t *out_len, const sg_task *t, const uint8_t *const *leaves,
	       const size_t *lens, size_t n, const uint8_t *body, size_t body_len,
	       const uint8_t (*sigs)[64])
{
	size_t nagg = t->body->n_aggregators;
	ProtobufCBinaryData *v = binaries(leaves, lens, n);
	Spillguard__TreeHeadSignature *s = calloc(nagg + 1, sizeof *s);
	Spillguard__TreeHeadSignature **sp = calloc(nagg + 1, sizeof *sp);
	int ret = SG_ERR_NOMEM;
	*out = NULL;
	*out_len = 0;
	if (v == NULL || s == NULL || sp == NULL)
		goto cleanup;
	for (size_t j = 0; j < nagg; j++) {
		s[j] = (Spillguard__TreeHeadSignature)SPILLGUARD__TREE_HEAD_SIGNATURE__INIT;
		s[j].aggregator = (uint32_t)j;
		s[j].signature = (ProtobufCBinaryData){ 64, (uint8_t *)sigs[j] };
		sp[j] = &s[j];
	}
	Spillguard__TreeHead head = SPILLGUARD__TREE_HEAD__INIT;
	head.body = (ProtobufCBinaryData){ body_len, (uint8_t *)body };
	head.n_signatures = nagg;
	head.signatures = sp;
	Spillguard__Log log = SPILLGUARD__LOG__INIT;
	log.version = SG_WIRE_VERSION;
	log.task_id = (ProtobufCBinaryData){ SG_TASK_ID_BYTES, (uint8_t *)t->id };
	log.n_leaves = n;
	log.leaves = v;
	log.head = &head;
	size_t len = spillguard__log__get_packed_size(&log);
	if ((*out = malloc(len + 1)) != NULL) {
		*out_len = spillguard__log__pack(&log, *out);
		ret = 0;
	}
cleanup:
	free(v);
	free(s);
	free(sp);
	return ret;
}
