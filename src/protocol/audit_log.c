/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The audit of the round's log (protocol/audit.h): its head signed by every
 * aggregator over its leaves, the leaves as a round's record, and an
 * earlier head it extends.
 */
#include <stdlib.h>
#include <string.h>

#include "core/signed.h"
#include "protocol/audit_internal.h"
#include "protocol/collect.h"
#include "protocol/log.h"
#include "spillguard/err.h"
#include "spillguard/merkle.h"

/* The signed task's bytes as they are published (malloc'd), or NULL. */
static uint8_t *task_bytes(const sg_task *t, size_t *len)
{
	*len = spillguard__task__get_packed_size(t->signed_task);
	uint8_t *b = malloc(*len + 1);
	if (b != NULL)
		spillguard__task__pack(t->signed_task, b);
	return b;
}

/* Leaves 1 .. n_aggs: each an aggregate of a task industry, in the task's
 * order, none twice; each audited. Their industries go to ids. */
static int aggregates_check(int *failed, const sg_task *t, const uint8_t *const *leaves,
			    const size_t *lens, size_t n_aggs, uint32_t *ids, sg_audit_say say,
			    void *ctx)
{
	long last = -1;
	for (size_t i = 1; i <= n_aggs; i++) {
		sg_wire_budget *b;
		Spillguard__PublishedAggregate *pa =
			sg_audit_aggregate_decode(t, leaves[i], lens[i], &b);
		long k = pa ? sg_task_industry_index(t->body, pa->industry) : -1;
		char name[300];
		ids[i - 1] = pa ? pa->industry : 0;
		if (pa != NULL)
			sg_audit_industry_name(name, sizeof name, t, pa->industry);
		sg_wire_release(pa ? &pa->base : NULL, b);
		sg_audit_check(failed, say, ctx, k > last,
			       "log: leaf %zu is %s's aggregate, in the task's industry order, "
			       "no industry twice",
			       i, k >= 0 ? name : "an industry");
		if (k <= last)
			continue;
		last = k;
		int ret = sg_audit_aggregate(t, leaves[i], lens[i], name, say, ctx);
		if (ret < 0)
			return ret;
		*failed += ret;
	}
	return 0;
}

/* The RoundOutcome: this task's; published = ids, in order; every other
 * industry of the task withheld once, below min_batch, in task order. */
static bool outcome_ok(const sg_task *t, const uint8_t *leaf, size_t len, const uint32_t *ids,
		       size_t n_ids)
{
	ProtobufCMessage *m = NULL;
	sg_wire_budget *b = NULL;
	if (sg_wire_unpack(&m, &b, &spillguard__round_outcome__descriptor, leaf, len) != 0)
		return false;
	const Spillguard__RoundOutcome *o = (const Spillguard__RoundOutcome *)m;
	const Spillguard__TaskBody *tb = t->body;
	bool ok = o->version == SG_WIRE_VERSION && sg_task_is(t, &o->task_id) &&
		  o->n_published == n_ids && o->n_published + o->n_withheld == tb->n_industries &&
		  (n_ids == 0 || memcmp(o->published, ids, n_ids * sizeof *ids) == 0);
	size_t p = 0, w = 0;
	for (size_t k = 0; ok && k < tb->n_industries; k++) {
		uint32_t id = tb->industries[k]->id;
		if (p < o->n_published && o->published[p] == id)
			p++;
		else if (w < o->n_withheld && o->withheld[w]->industry == id &&
			 o->withheld[w]->reason == SG_COLLECT_BELOW_MIN_BATCH)
			w++;
		else
			ok = false;
	}
	sg_wire_release(m, b);
	return ok;
}

int sg_audit_leaves(const sg_task *t, const uint8_t *const *leaves, const size_t *lens, size_t n,
		    sg_audit_say say, void *ctx)
{
	size_t tlen, n_aggs = n >= 3 ? n - 3 : 0;
	uint8_t *task = task_bytes(t, &tlen);
	uint32_t *ids = calloc(n_aggs + 1, sizeof *ids);
	int failed = 0;
	if (task == NULL || ids == NULL) {
		failed = SG_ERR_NOMEM;
		goto cleanup;
	}
	sg_audit_check(&failed, say, ctx, n >= 3,
		       "log: %zu leaves: the task, the published aggregates, the round's outcome, "
		       "the ISK",
		       n);
	if (n < 3)
		goto cleanup;
	sg_audit_check(&failed, say, ctx, lens[0] == tlen && memcmp(leaves[0], task, tlen) == 0,
		       "log: the task is its first leaf");
	int ret = aggregates_check(&failed, t, leaves, lens, n_aggs, ids, say, ctx);
	if (ret < 0) {
		failed = ret;
		goto cleanup;
	}
	sg_audit_check(&failed, say, ctx, outcome_ok(t, leaves[n - 2], lens[n - 2], ids, n_aggs),
		       "log: the round's outcome names every industry of the task once: the %zu "
		       "published, the %zu others withheld below min_batch",
		       n_aggs, t->body->n_industries >= n_aggs ? t->body->n_industries - n_aggs : 0);
	ret = sg_audit_isk(t, leaves[n - 1], lens[n - 1], leaves + 1, lens + 1, n_aggs, say, ctx);
	failed = ret < 0 ? ret : failed + ret;
cleanup:
	free(task);
	free(ids);
	return failed;
}

/* A log's head: decoded, this task's, and whether every aggregator signed it. */
typedef struct head {
	ProtobufCMessage *m, *bm;
	sg_wire_budget *b, *bb;
	const Spillguard__Log *lg;
	const Spillguard__TreeHeadBody *body;
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
	if (bytes == NULL || sg_wire_unpack(&h->m, &h->b, &spillguard__log__descriptor, bytes, len) != 0)
		return false;
	h->lg = (const Spillguard__Log *)h->m;
	if (h->lg->head == NULL ||
	    sg_wire_unpack(&h->bm, &h->bb, &spillguard__tree_head_body__descriptor,
			   h->lg->head->body.data, h->lg->head->body.len) != 0)
		return false;
	h->body = (const Spillguard__TreeHeadBody *)h->bm;
	return h->lg->version == SG_WIRE_VERSION && sg_task_is(t, &h->lg->task_id) &&
	       sg_task_is(t, &h->body->task_id) && h->body->root_hash.len == SG_MERKLE_HASH_BYTES &&
	       h->body->tree_size <= SG_MERKLE_MAX_LEAVES &&
	       h->lg->n_leaves <= SG_MERKLE_MAX_LEAVES;
}

static bool signed_by(const head *h, const sg_task *t, size_t j)
{
	for (size_t k = 0; k < h->lg->head->n_signatures; k++) {
		const Spillguard__TreeHeadSignature *s = h->lg->head->signatures[k];
		if (s->aggregator == j &&
		    sg_verify_labeled(s->signature.data, s->signature.len, SG_TREE_HEAD_SIG_CONTEXT,
				      h->lg->head->body.data, h->lg->head->body.len,
				      t->body->aggregators[j]->sign_pk.data))
			return true;
	}
	return false;
}

static bool signed_by_all(const head *h, const sg_task *t)
{
	for (size_t j = 0; j < t->body->n_aggregators; j++)
		if (!signed_by(h, t, j))
			return false;
	return true;
}

/* The leaves' RFC 9162 hashes (malloc'd), or NULL. */
static uint8_t (*leaf_hashes(const Spillguard__Log *lg))[SG_MERKLE_HASH_BYTES]
{
	uint8_t (*h)[SG_MERKLE_HASH_BYTES] = malloc((lg->n_leaves + 1) * sizeof *h);
	for (size_t i = 0; h != NULL && i < lg->n_leaves; i++)
		sg_merkle_leaf_hash(h[i], lg->leaves[i].data, lg->leaves[i].len);
	return h;
}

/* The head's size and root are its leaves', and every aggregator signed it. */
static int head_check(int *failed, const head *h, const sg_task *t, sg_audit_say say, void *ctx)
{
	size_t nl = h->lg->n_leaves;
	uint8_t (*hashes)[SG_MERKLE_HASH_BYTES] = leaf_hashes(h->lg), root[SG_MERKLE_HASH_BYTES];
	if (hashes == NULL)
		return SG_ERR_NOMEM;
	sg_merkle_root(root, (const uint8_t(*)[SG_MERKLE_HASH_BYTES])hashes, nl);
	free(hashes);
	sg_audit_check(failed, say, ctx,
		       h->body->tree_size == nl &&
			       memcmp(root, h->body->root_hash.data, sizeof root) == 0,
		       "log: the tree head's size and root are its %zu leaves'", nl);
	for (size_t j = 0; j < t->body->n_aggregators; j++)
		sg_audit_check(failed, say, ctx, signed_by(h, t, j),
			       "log: aggregator %zu (%s) signed the tree head", j,
			       t->body->aggregators[j]->operator_name);
	return 0;
}

int sg_audit_log_record(const sg_task *t, const uint8_t *log, size_t log_len, sg_audit_say say,
			void *ctx, bool *whole)
{
	head h;
	int failed = 0, ret = 0;
	*whole = false;
	bool ours = head_load(&h, t, log, log_len);
	sg_audit_check(&failed, say, ctx, ours, "log: decodes as this task's log with a tree head");
	if (ours)
		ret = head_check(&failed, &h, t, say, ctx);
	size_t nl = ours ? h.lg->n_leaves : 0;
	const uint8_t **leaves = calloc(nl + 1, sizeof *leaves);
	size_t *lens = calloc(nl + 1, sizeof *lens);
	if (ret == 0 && (leaves == NULL || lens == NULL))
		ret = SG_ERR_NOMEM;
	for (size_t i = 0; ret == 0 && i < nl; i++) {
		leaves[i] = h.lg->leaves[i].data;
		lens[i] = h.lg->leaves[i].len;
	}
	if (ret == 0 && ours)
		ret = sg_audit_leaves(t, leaves, lens, nl, say, ctx);
	if (ret > 0)
		failed += ret;
	*whole = ret >= 0 && ours && failed == 0;
	free(leaves);
	free(lens);
	head_free(&h);
	return ret < 0 ? ret : failed;
}

int sg_audit_log_consistency(const sg_task *t, const uint8_t *old, size_t old_len,
			     const uint8_t *log, size_t log_len, sg_audit_say say, void *ctx)
{
	head o, n;
	int failed = 0;
	bool ok = head_load(&o, t, old, old_len) && signed_by_all(&o, t);
	sg_audit_check(&failed, say, ctx, ok,
		       "log: the earlier tree head is this task's, signed by every aggregator");
	bool cur = head_load(&n, t, log, log_len) && signed_by_all(&n, t) &&
		   n.lg->n_leaves == n.body->tree_size;
	uint8_t (*hashes)[SG_MERKLE_HASH_BYTES] = NULL;
	uint8_t proof[SG_MERKLE_MAX_PROOF][SG_MERKLE_HASH_BYTES];
	size_t proof_len = 0;
	bool consistent = false;
	if (ok && cur && o.body->tree_size <= n.body->tree_size &&
	    (hashes = leaf_hashes(n.lg)) != NULL) {
		consistent =
			sg_merkle_consistency_proof(proof, &proof_len,
						    (const uint8_t(*)[SG_MERKLE_HASH_BYTES])hashes,
						    n.lg->n_leaves, o.body->tree_size) == 0 &&
			sg_merkle_verify_consistency(o.body->tree_size, n.body->tree_size,
						     o.body->root_hash.data, n.body->root_hash.data,
						     (const uint8_t(*)[SG_MERKLE_HASH_BYTES])proof,
						     proof_len) == 0;
	}
	sg_audit_check(&failed, say, ctx, consistent,
		       "log: the current tree head extends the earlier one (consistency proof of "
		       "%zu hashes)",
		       proof_len);
	free(hashes);
	head_free(&o);
	head_free(&n);
	return failed;
}
