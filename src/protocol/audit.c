/* SPDX-License-Identifier: Apache-2.0 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/audit.h"
#include "core/signed.h"
#include "protocol/collect.h"
#include "protocol/log.h"
#include "protocol/report.h"
#include "spillguard/merkle.h"
#include "util/hex.h"
#include "spillguard/err.h"
#include "wire/codec.h"

/* One check: reported, and counted when it failed. */
__attribute__((format(printf, 5, 6))) static void check(int *failed, sg_audit_say say, void *ctx,
							 bool ok, const char *fmt, ...)
{
	char line[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	say(ctx, ok, line);
	*failed += !ok;
}

/* Every aggregator's share of the batch: signed and about it. Copies of the
 * encoded aggregate shares go to enc (the caller frees them). */
static bool shares_check(int *failed, const sg_task *t, const sg_prio3 *p,
			 const Spillguard__PublishedAggregate *pa, const char *name,
			 const uint8_t **enc, size_t *enc_len, sg_audit_say say, void *ctx)
{
	size_t nagg = t->body->n_aggregators;
	bool all = pa->n_shares == nagg && pa->report_set_root.len == 32;
	check(failed, say, ctx, all, "%s: one aggregate share from each of the %zu aggregators", name,
	      nagg);
	for (size_t j = 0; all && j < nagg; j++) {
		Spillguard__AggregateShareBody *b;
		sg_wire_budget *bb;
		bool ok = sg_aggregate_share_check(t, p, pa->shares[j], (unsigned)j, pa->industry,
						   pa->report_count, pa->report_set_root.data, &b,
						   &bb) == 0;
		check(failed, say, ctx, ok,
		      "%s: aggregator %zu (%s) signed its share of this batch (J_k, report set)", name,
		      j, t->body->aggregators[j]->operator_name);
		if (ok) { /* a copy: the decoded body is released below */
			uint8_t *copy = malloc(b->aggregate_share.len + 1);
			if (copy != NULL) {
				memcpy(copy, b->aggregate_share.data, b->aggregate_share.len);
				enc[j] = copy;
				enc_len[j] = b->aggregate_share.len;
			}
			ok = copy != NULL;
		}
		sg_wire_release(b ? &b->base : NULL, bb);
		all = all && ok;
	}
	return all;
}

/* S_k from the shares, and each TSK_k from S_k. */
static void sums_check(int *failed, const sg_task *t, const sg_prio3 *p,
		       const Spillguard__PublishedAggregate *pa, const char *name,
		       const uint8_t *const *enc, const size_t *enc_len, sg_audit_say say, void *ctx)
{
	size_t ncat = t->body->n_categories;
	uint64_t *sum = calloc(ncat + 1, sizeof *sum);
	bool ok = sum != NULL && pa->n_sum == ncat &&
		  sg_prio3_unshard(p, sum, ncat, enc, enc_len, pa->report_count) == 0 &&
		  memcmp(sum, pa->sum, ncat * sizeof *sum) == 0;
	check(failed, say, ctx, ok, "%s: S_k equals the aggregate shares added up", name);
	bool tsk_ok = pa->n_tsk == ncat && pa->n_sum == ncat;
	for (size_t i = 0; tsk_ok && i < ncat; i++) {
		char want[SG_TSK_TEXT_BYTES];
		tsk_ok = sg_tsk_text(want, t, i, pa->sum[i], pa->report_count) == 0 &&
			 strcmp(want, pa->tsk[i]) == 0;
	}
	check(failed, say, ctx, tsk_ok, "%s: TSK_k = S_k / J_k in every category", name);
	free(sum);
}

int sg_audit_aggregate(const sg_task *t, const uint8_t *pub, size_t len, const char *name,
		       sg_audit_say say, void *ctx)
{
	ProtobufCMessage *m = NULL;
	sg_wire_budget *b = NULL;
	sg_prio3 *p = NULL;
	size_t nagg = t->body->n_aggregators;
	const uint8_t **enc = calloc(nagg + 1, sizeof *enc);
	size_t *enc_len = calloc(nagg + 1, sizeof *enc_len);
	int failed = 0;
	if (enc == NULL || enc_len == NULL || sg_task_prio3(&p, t) != 0) {
		failed = SG_ERR_NOMEM;
		goto cleanup;
	}
	const Spillguard__PublishedAggregate *pa = NULL;
	if (sg_wire_unpack(&m, &b, &spillguard__published_aggregate__descriptor, pub, len) == 0)
		pa = (const Spillguard__PublishedAggregate *)m;
	bool ours = pa != NULL && pa->version == SG_WIRE_VERSION && sg_task_is(t, &pa->task_id) &&
		    sg_task_industry_index(t->body, pa->industry) >= 0;
	check(&failed, say, ctx, ours, "%s: decodes as an aggregate of this task", name);
	if (!ours)
		goto cleanup;
	check(&failed, say, ctx, pa->report_count >= t->body->min_batch,
	      "%s: J_k = %llu is at least min_batch %u", name, (unsigned long long)pa->report_count,
	      t->body->min_batch);
	if (shares_check(&failed, t, p, pa, name, enc, enc_len, say, ctx))
		sums_check(&failed, t, p, pa, name, enc, enc_len, say, ctx);
cleanup:
	for (size_t j = 0; enc != NULL && j < nagg; j++)
		free((void *)enc[j]);
	free(enc);
	free(enc_len);
	sg_prio3_free(p);
	sg_wire_release(m, b);
	return failed;
}

int sg_audit_isk(const sg_task *t, const uint8_t *isk, size_t isk_len,
		 const uint8_t *const *pubs, const size_t *pub_lens, size_t n, sg_audit_say say,
		 void *ctx)
{
	const uint8_t **good = calloc(n + 1, sizeof *good);
	size_t *good_len = calloc(n + 1, sizeof *good_len), k = 0;
	uint8_t *want = NULL;
	size_t want_len = 0;
	ProtobufCMessage *gm = NULL, *wm = NULL;
	sg_wire_budget *gb = NULL, *wb = NULL;
	int failed = 0;
	if (good == NULL || good_len == NULL) {
		failed = SG_ERR_NOMEM;
		goto cleanup;
	}
	for (size_t i = 0; i < n; i++) { /* the aggregates that decode as this task's */
		ProtobufCMessage *m = NULL;
		sg_wire_budget *b = NULL;
		if (sg_wire_unpack(&m, &b, &spillguard__published_aggregate__descriptor, pubs[i],
				   pub_lens[i]) == 0 &&
		    sg_task_is(t, &((Spillguard__PublishedAggregate *)m)->task_id)) {
			good[k] = pubs[i];
			good_len[k++] = pub_lens[i];
		}
		sg_wire_release(m, b);
	}
	const Spillguard__IskSummary *got = NULL, *exp = NULL;
	if (sg_wire_unpack(&gm, &gb, &spillguard__isk_summary__descriptor, isk, isk_len) == 0)
		got = (const Spillguard__IskSummary *)gm;
	bool ours = got != NULL && got->version == SG_WIRE_VERSION && sg_task_is(t, &got->task_id);
	check(&failed, say, ctx, ours, "ISK: decodes as this task's summary");
	if (!ours)
		goto cleanup;
	if (sg_publish_isk(&want, &want_len, t, good, good_len, k) == 0 &&
	    sg_wire_unpack(&wm, &wb, &spillguard__isk_summary__descriptor, want, want_len) == 0)
		exp = (const Spillguard__IskSummary *)wm;
	bool same_set = exp != NULL && got->n_industries == exp->n_industries &&
			memcmp(got->industries, exp->industries,
			       exp->n_industries * sizeof *exp->industries) == 0;
	check(&failed, say, ctx, same_set, "ISK: over exactly the %zu industries published", k);
	bool sums = exp != NULL && got->n_isk == exp->n_isk;
	for (size_t i = 0; sums && i < exp->n_isk; i++)
		sums = strcmp(got->isk[i], exp->isk[i]) == 0;
	check(&failed, say, ctx, sums, "ISK = the sum of the published TSK_k in every category");
cleanup:
	sg_wire_release(gm, gb);
	sg_wire_release(wm, wb);
	free(want);
	free(good);
	free(good_len);
	return failed;
}

/* The aggregate's root and count, and the set's ids as leaf hashes, when
 * both files decode as this task's and are about the same industry. */
typedef struct batch {
	ProtobufCMessage *pm, *sm;
	sg_wire_budget *pb, *sb;
	const Spillguard__PublishedAggregate *pa;
	const Spillguard__ReportSet *rs;
	uint8_t (*leaves)[SG_MERKLE_HASH_BYTES];
} batch;

static void batch_free(batch *b)
{
	sg_wire_release(b->pm, b->pb);
	sg_wire_release(b->sm, b->sb);
	free(b->leaves);
	memset(b, 0, sizeof *b);
}

/* 0, SG_ERR_PARSE when a file is not what it should be, SG_ERR_NOMEM. */
static int batch_load(batch *b, const sg_task *t, const uint8_t *pub, size_t pub_len,
		      const uint8_t *set, size_t set_len)
{
	memset(b, 0, sizeof *b);
	if (sg_wire_unpack(&b->pm, &b->pb, &spillguard__published_aggregate__descriptor, pub,
			   pub_len) != 0 ||
	    sg_wire_unpack(&b->sm, &b->sb, &spillguard__report_set__descriptor, set, set_len) != 0)
		return SG_ERR_PARSE;
	b->pa = (const Spillguard__PublishedAggregate *)b->pm;
	b->rs = (const Spillguard__ReportSet *)b->sm;
	if (b->rs->version != SG_WIRE_VERSION || !sg_task_is(t, &b->rs->task_id) ||
	    !sg_task_is(t, &b->pa->task_id) || b->rs->industry != b->pa->industry ||
	    b->pa->report_set_root.len != SG_MERKLE_HASH_BYTES ||
	    b->rs->n_report_ids > SG_MERKLE_MAX_LEAVES)
		return SG_ERR_PARSE;
	size_t n = b->rs->n_report_ids;
	b->leaves = malloc((n + 1) * sizeof *b->leaves);
	if (b->leaves == NULL)
		return SG_ERR_NOMEM;
	for (size_t i = 0; i < n; i++) {
		const ProtobufCBinaryData *id = &b->rs->report_ids[i];
		if (id->len != SG_REPORT_ID_BYTES ||
		    (i > 0 && memcmp(b->rs->report_ids[i - 1].data, id->data, id->len) >= 0))
			return SG_ERR_PARSE; /* 16 bytes each, strictly ascending */
		sg_merkle_leaf_hash(b->leaves[i], id->data, id->len);
	}
	return 0;
}

int sg_audit_report_set(const sg_task *t, const uint8_t *pub, size_t pub_len, const uint8_t *set,
			size_t set_len, const char *name, sg_audit_say say, void *ctx)
{
	batch b;
	int failed = 0, ret = batch_load(&b, t, pub, pub_len, set, set_len);
	if (ret == SG_ERR_NOMEM) {
		batch_free(&b);
		return ret;
	}
	uint8_t root[SG_MERKLE_HASH_BYTES];
	bool ok = ret == 0 && b.rs->n_report_ids == b.pa->report_count;
	if (ok) {
		sg_merkle_root(root, (const uint8_t(*)[SG_MERKLE_HASH_BYTES])b.leaves,
			       b.rs->n_report_ids);
		ok = memcmp(root, b.pa->report_set_root.data, sizeof root) == 0;
	}
	check(&failed, say, ctx, ok,
	      "%s: the report set lists J_k report ids, ascending, whose root is the published one",
	      name);
	batch_free(&b);
	return failed;
}

int sg_audit_counted(const sg_task *t, const uint8_t report_id[16], const uint8_t *pub,
		     size_t pub_len, const uint8_t *set, size_t set_len, const char *name,
		     sg_audit_say say, void *ctx)
{
	batch b;
	int failed = 0, ret = batch_load(&b, t, pub, pub_len, set, set_len);
	if (ret == SG_ERR_NOMEM) {
		batch_free(&b);
		return ret;
	}
	size_t n = ret == 0 ? b.rs->n_report_ids : 0, at = n;
	for (size_t i = 0; i < n && at == n; i++)
		if (memcmp(b.rs->report_ids[i].data, report_id, SG_REPORT_ID_BYTES) == 0)
			at = i;
	uint8_t path[SG_MERKLE_MAX_PROOF][SG_MERKLE_HASH_BYTES], leaf[SG_MERKLE_HASH_BYTES];
	size_t path_len = 0;
	bool ok = at < n &&
		  sg_merkle_inclusion_proof(path, &path_len,
					    (const uint8_t(*)[SG_MERKLE_HASH_BYTES])b.leaves, n,
					    at) == 0;
	if (ok) {
		sg_merkle_leaf_hash(leaf, report_id, SG_REPORT_ID_BYTES);
		ok = sg_merkle_verify_inclusion(leaf, at, n, (const uint8_t(*)[SG_MERKLE_HASH_BYTES])path,
						path_len, b.pa->report_set_root.data) == 0;
	}
	char hex[2 * SG_REPORT_ID_BYTES + 1];
	sg_hex_encode(hex, report_id, SG_REPORT_ID_BYTES);
	check(&failed, say, ctx, ok,
	      "%s: report %s was counted (inclusion proof of %zu hashes against the published root)",
	      name, hex, path_len);
	batch_free(&b);
	return failed;
}

/* Whether artefact bytes are a leaf of the log, by an inclusion proof. */
static bool in_log(const uint8_t (*hashes)[SG_MERKLE_HASH_BYTES], const Spillguard__Log *lg,
		   const uint8_t *root, const uint8_t *art, size_t len)
{
	size_t n = lg->n_leaves;
	for (size_t i = 0; i < n; i++) {
		if (lg->leaves[i].len != len || memcmp(lg->leaves[i].data, art, len) != 0)
			continue;
		uint8_t path[SG_MERKLE_MAX_PROOF][SG_MERKLE_HASH_BYTES], leaf[SG_MERKLE_HASH_BYTES];
		size_t path_len;
		sg_merkle_leaf_hash(leaf, art, len);
		return sg_merkle_inclusion_proof(path, &path_len, hashes, n, i) == 0 &&
		       sg_merkle_verify_inclusion(leaf, i, n, (const uint8_t(*)[SG_MERKLE_HASH_BYTES])path,
						  path_len, root) == 0;
	}
	return false;
}

int sg_audit_log(const sg_task *t, const uint8_t *log, size_t log_len,
		 const char *const *names, const uint8_t *const *arts, const size_t *art_lens,
		 size_t n, sg_audit_say say, void *ctx)
{
	ProtobufCMessage *m = NULL, *bm = NULL;
	sg_wire_budget *b = NULL, *bb = NULL;
	uint8_t (*hashes)[SG_MERKLE_HASH_BYTES] = NULL, *task = NULL;
	int failed = 0;
	const Spillguard__Log *lg = NULL;
	const Spillguard__TreeHeadBody *hb = NULL;
	if (sg_wire_unpack(&m, &b, &spillguard__log__descriptor, log, log_len) == 0)
		lg = (const Spillguard__Log *)m;
	if (lg != NULL && lg->head != NULL &&
	    sg_wire_unpack(&bm, &bb, &spillguard__tree_head_body__descriptor, lg->head->body.data,
			   lg->head->body.len) == 0)
		hb = (const Spillguard__TreeHeadBody *)bm;
	bool ours = hb != NULL && lg->version == SG_WIRE_VERSION && sg_task_is(t, &lg->task_id) &&
		    sg_task_is(t, &hb->task_id) && hb->root_hash.len == SG_MERKLE_HASH_BYTES &&
		    lg->n_leaves > 0 && lg->n_leaves <= SG_MERKLE_MAX_LEAVES;
	check(&failed, say, ctx, ours, "log: decodes as this task's log with a tree head");
	if (!ours)
		goto cleanup;
	size_t nl = lg->n_leaves;
	hashes = malloc((nl + 1) * sizeof *hashes);
	if (hashes == NULL) {
		failed = SG_ERR_NOMEM;
		goto cleanup;
	}
	for (size_t i = 0; i < nl; i++)
		sg_merkle_leaf_hash(hashes[i], lg->leaves[i].data, lg->leaves[i].len);
	uint8_t root[SG_MERKLE_HASH_BYTES];
	sg_merkle_root(root, (const uint8_t(*)[SG_MERKLE_HASH_BYTES])hashes, nl);
	check(&failed, say, ctx,
	      hb->tree_size == nl && memcmp(root, hb->root_hash.data, sizeof root) == 0,
	      "log: the tree head's size and root are its %zu leaves'", nl);
	for (size_t j = 0; j < t->body->n_aggregators; j++) {
		bool ok = false;
		for (size_t k = 0; k < lg->head->n_signatures && !ok; k++) {
			const Spillguard__TreeHeadSignature *s = lg->head->signatures[k];
			ok = s->aggregator == j &&
			     sg_verify_labeled(s->signature.data, s->signature.len,
					       SG_TREE_HEAD_SIG_CONTEXT, lg->head->body.data,
					       lg->head->body.len, t->body->aggregators[j]->sign_pk.data);
		}
		check(&failed, say, ctx, ok, "log: aggregator %zu (%s) signed the tree head", j,
		      t->body->aggregators[j]->operator_name);
	}
	size_t tlen = spillguard__task__get_packed_size(t->signed_task);
	if ((task = malloc(tlen + 1)) == NULL) {
		failed = SG_ERR_NOMEM;
		goto cleanup;
	}
	spillguard__task__pack(t->signed_task, task);
	check(&failed, say, ctx,
	      lg->leaves[0].len == tlen && memcmp(lg->leaves[0].data, task, tlen) == 0 &&
		      in_log((const uint8_t(*)[SG_MERKLE_HASH_BYTES])hashes, lg, hb->root_hash.data,
			     task, tlen),
	      "log: the task is its first leaf (inclusion proof)");
	for (size_t i = 0; i < n; i++)
		check(&failed, say, ctx,
		      in_log((const uint8_t(*)[SG_MERKLE_HASH_BYTES])hashes, lg, hb->root_hash.data,
			     arts[i], art_lens[i]),
		      "log: %s is in the log (inclusion proof against the signed root)", names[i]);
cleanup:
	free(hashes);
	free(task);
	sg_wire_release(bm, bb);
	sg_wire_release(m, b);
	return failed;
}

/* A log's head: decoded, this task's, signed by every aggregator. */
typedef struct head {
	ProtobufCMessage *m, *bm;
	sg_wire_budget *b, *bb;
	const Spillguard__Log *lg;
	const Spillguard__TreeHeadBody *body;
	bool signed_by_all;
} head;

static void head_free(head *h)
{
	sg_wire_release(h->bm, h->bb);
	sg_wire_release(h->m, h->b);
	memset(h, 0, sizeof *h);
}

static bool head_load(head *h, const sg_task *t, const uint8_t *bytes, size_t len)
{
	memset(h, 0, sizeof *h);
	if (sg_wire_unpack(&h->m, &h->b, &spillguard__log__descriptor, bytes, len) != 0)
		return false;
	h->lg = (const Spillguard__Log *)h->m;
	if (h->lg->head == NULL ||
	    sg_wire_unpack(&h->bm, &h->bb, &spillguard__tree_head_body__descriptor,
			   h->lg->head->body.data, h->lg->head->body.len) != 0)
		return false;
	h->body = (const Spillguard__TreeHeadBody *)h->bm;
	if (!sg_task_is(t, &h->lg->task_id) || !sg_task_is(t, &h->body->task_id) ||
	    h->body->root_hash.len != SG_MERKLE_HASH_BYTES ||
	    h->body->tree_size > SG_MERKLE_MAX_LEAVES)
		return false;
	h->signed_by_all = true;
	for (size_t j = 0; j < t->body->n_aggregators; j++) {
		bool ok = false;
		for (size_t k = 0; k < h->lg->head->n_signatures && !ok; k++) {
			const Spillguard__TreeHeadSignature *s = h->lg->head->signatures[k];
			ok = s->aggregator == j &&
			     sg_verify_labeled(s->signature.data, s->signature.len,
					       SG_TREE_HEAD_SIG_CONTEXT, h->lg->head->body.data,
					       h->lg->head->body.len, t->body->aggregators[j]->sign_pk.data);
		}
		h->signed_by_all = h->signed_by_all && ok;
	}
	return true;
}

int sg_audit_log_consistency(const sg_task *t, const uint8_t *old, size_t old_len,
			     const uint8_t *log, size_t log_len, sg_audit_say say, void *ctx)
{
	head o, n;
	int failed = 0;
	bool ok = head_load(&o, t, old, old_len) && o.signed_by_all;
	check(&failed, say, ctx, ok, "log: the earlier tree head is this task's, signed by every "
				     "aggregator");
	bool cur = head_load(&n, t, log, log_len) && n.signed_by_all &&
		   n.lg->n_leaves == n.body->tree_size;
	uint8_t (*hashes)[SG_MERKLE_HASH_BYTES] = NULL;
	uint8_t proof[SG_MERKLE_MAX_PROOF][SG_MERKLE_HASH_BYTES];
	size_t proof_len = 0;
	bool consistent = false;
	if (ok && cur && o.body->tree_size <= n.body->tree_size &&
	    (hashes = malloc((n.lg->n_leaves + 1) * sizeof *hashes)) != NULL) {
		for (size_t i = 0; i < n.lg->n_leaves; i++)
			sg_merkle_leaf_hash(hashes[i], n.lg->leaves[i].data, n.lg->leaves[i].len);
		consistent =
			sg_merkle_consistency_proof(proof, &proof_len,
						    (const uint8_t(*)[SG_MERKLE_HASH_BYTES])hashes,
						    n.lg->n_leaves, o.body->tree_size) == 0 &&
			sg_merkle_verify_consistency(o.body->tree_size, n.body->tree_size,
						     o.body->root_hash.data, n.body->root_hash.data,
						     (const uint8_t(*)[SG_MERKLE_HASH_BYTES])proof,
						     proof_len) == 0;
	}
	check(&failed, say, ctx, consistent,
	      "log: the current tree head extends the earlier one (consistency proof of %zu "
	      "hashes)",
	      proof_len);
	free(hashes);
	head_free(&o);
	head_free(&n);
	return failed;
}
