/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The audit of one industry's aggregate, its report set, a report counted
 * in it, and the ISK over several (protocol/audit.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/signed.h"
#include "protocol/audit_figures.h"
#include "protocol/audit_internal.h"
#include "protocol/collect.h"
#include "protocol/report.h"
#include "spillguard/err.h"
#include "spillguard/merkle.h"
#include "util/hex.h"

void sg_audit_check(int *failed, sg_audit_say say, void *ctx, bool ok, const char *fmt, ...)
{
	char line[600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	say(ctx, ok, line);
	*failed += !ok;
}

void sg_audit_industry_name(char *out, size_t len, const sg_task *t, uint32_t id)
{
	long k = sg_task_industry_index(t->body, id);
	snprintf(out, len, "industry %u (%s)", id, k < 0 ? "not in the task" : t->body->industries[k]->name);
}

uint64_t sg_audit_roster_count(const sg_task *t, uint32_t id)
{
	uint64_t n = 0;
	for (size_t r = 0; r < t->body->n_roster; r++)
		n += t->body->roster[r]->industry == id;
	return n;
}

Spillguard__PublishedAggregate *sg_audit_aggregate_decode(const sg_task *t, const uint8_t *pub,
							  size_t len, sg_wire_budget **b)
{
	ProtobufCMessage *m = NULL;
	*b = NULL;
	if (pub == NULL ||
	    sg_wire_unpack(&m, b, &spillguard__published_aggregate__descriptor, pub, len) != 0)
		return NULL;
	Spillguard__PublishedAggregate *pa = (Spillguard__PublishedAggregate *)m;
	if (pa->version != SG_WIRE_VERSION || !sg_task_is(t, &pa->task_id) ||
	    sg_task_industry_index(t->body, pa->industry) < 0) {
		sg_wire_release(m, *b);
		*b = NULL;
		return NULL;
	}
	return pa;
}

static unsigned field_bits(const sg_task *t)
{
	return t->body->vdaf->field == 64 ? 64 : 128;
}

/* Aggregator j's share: its signature over the body by its task key, and a
 * body about this batch with a share of the task's length. The encoded
 * share is copied to *enc (malloc'd) when it checks. */
static bool share_ok(const sg_task *t, const Spillguard__PublishedAggregate *pa, size_t j,
		     uint8_t **enc)
{
	const Spillguard__AggregateShare *as = pa->shares[j];
	ProtobufCMessage *m = NULL;
	sg_wire_budget *b = NULL;
	*enc = NULL;
	if (!sg_verify_labeled(as->signature.data, as->signature.len, SG_AGG_SHARE_SIG_CONTEXT,
			       as->body.data, as->body.len, t->body->aggregators[j]->sign_pk.data) ||
	    sg_wire_unpack(&m, &b, &spillguard__aggregate_share_body__descriptor, as->body.data,
			   as->body.len) != 0)
		return false;
	const Spillguard__AggregateShareBody *sb = (const Spillguard__AggregateShareBody *)m;
	bool ok = sb->version == SG_WIRE_VERSION && sg_task_is(t, &sb->task_id) &&
		  sb->industry == pa->industry && sb->report_count == pa->report_count &&
		  sb->aggregator == j && sb->report_set_root.len == SG_MERKLE_HASH_BYTES &&
		  memcmp(sb->report_set_root.data, pa->report_set_root.data,
			 SG_MERKLE_HASH_BYTES) == 0 &&
		  sb->aggregate_share.len == t->body->n_categories * (field_bits(t) / 8);
	if (ok && (*enc = malloc(sb->aggregate_share.len + 1)) != NULL)
		memcpy(*enc, sb->aggregate_share.data, sb->aggregate_share.len);
	ok = ok && *enc != NULL;
	sg_wire_release(m, b);
	return ok;
}

/* S_k from the shares with the audit's own field arithmetic, then every
 * TSK_k from S_k by the publication's rule. */
static void figures_check(int *failed, const sg_task *t, const Spillguard__PublishedAggregate *pa,
			  const char *name, uint8_t *const *enc, sg_audit_say say, void *ctx)
{
	size_t ncat = t->body->n_categories, nagg = t->body->n_aggregators;
	uint64_t *sum = calloc(ncat + 1, sizeof *sum);
	size_t *lens = calloc(nagg + 1, sizeof *lens);
	for (size_t j = 0; lens != NULL && j < nagg; j++)
		lens[j] = ncat * (field_bits(t) / 8);
	bool ok = sum != NULL && lens != NULL && pa->n_sum == ncat &&
		  sg_audit_share_sums(sum, ncat, field_bits(t), (const uint8_t *const *)enc, lens,
				      nagg) &&
		  memcmp(sum, pa->sum, ncat * sizeof *sum) == 0;
	sg_audit_check(failed, say, ctx, ok, "%s: S_k equals the aggregate shares added up", name);
	bool tsk_ok = pa->n_tsk == ncat && pa->n_sum == ncat;
	for (size_t i = 0; tsk_ok && i < ncat; i++)
		tsk_ok = sg_audit_tsk(pa->tsk[i], t->body->categories[i]->decimals, pa->sum[i],
				      pa->report_count);
	sg_audit_check(failed, say, ctx, tsk_ok,
		       "%s: TSK_k = S_k / J_k in every category (two more places, half up)", name);
	free(sum);
	free(lens);
}

int sg_audit_aggregate(const sg_task *t, const uint8_t *pub, size_t len, const char *name,
		       sg_audit_say say, void *ctx)
{
	sg_wire_budget *b = NULL;
	size_t nagg = t->body->n_aggregators;
	uint8_t **enc = calloc(nagg + 1, sizeof *enc);
	int failed = 0;
	Spillguard__PublishedAggregate *pa = sg_audit_aggregate_decode(t, pub, len, &b);
	if (enc == NULL) {
		failed = SG_ERR_NOMEM;
		goto cleanup;
	}
	sg_audit_check(&failed, say, ctx, pa != NULL, "%s: decodes as an aggregate of this task",
		       name);
	if (pa == NULL)
		goto cleanup;
	uint64_t roster = sg_audit_roster_count(t, pa->industry);
	sg_audit_check(&failed, say, ctx,
		       pa->report_count >= t->body->min_batch && pa->report_count <= roster,
		       "%s: J_k = %llu is at least min_batch %u and at most its %llu roster "
		       "enterprises",
		       name, (unsigned long long)pa->report_count, t->body->min_batch,
		       (unsigned long long)roster);
	bool all = pa->n_shares == nagg && pa->report_set_root.len == SG_MERKLE_HASH_BYTES;
	sg_audit_check(&failed, say, ctx, all,
		       "%s: one aggregate share from each of the %zu aggregators", name, nagg);
	for (size_t j = 0; all && j < nagg; j++) {
		bool ok = share_ok(t, pa, j, &enc[j]);
		sg_audit_check(&failed, say, ctx, ok,
			       "%s: aggregator %zu (%s) signed its share of this batch (J_k, report "
			       "set)",
			       name, j, t->body->aggregators[j]->operator_name);
		all = all && ok;
	}
	if (all)
		figures_check(&failed, t, pa, name, enc, say, ctx);
cleanup:
	for (size_t j = 0; enc != NULL && j < nagg; j++)
		free(enc[j]);
	free(enc);
	sg_wire_release(pa ? &pa->base : NULL, b);
	return failed;
}

/* Adds one aggregate's TSK texts, read back, into isk (units of
 * 10^-(decimals + 2)); false when one does not read. */
static bool add_tsk(sg_u128 *isk, const sg_task *t, const uint8_t *pub, size_t len,
		    uint32_t *industry)
{
	sg_wire_budget *b;
	size_t ncat = t->body->n_categories;
	Spillguard__PublishedAggregate *pa = sg_audit_aggregate_decode(t, pub, len, &b);
	bool ok = pa != NULL && pa->n_tsk == ncat;
	for (size_t i = 0; ok && i < ncat; i++) {
		sg_u128 v;
		ok = sg_audit_decimal(&v, pa->tsk[i], t->body->categories[i]->decimals + 2);
		isk[i] += v;
	}
	*industry = pa ? pa->industry : 0;
	sg_wire_release(pa ? &pa->base : NULL, b);
	return ok;
}

int sg_audit_isk(const sg_task *t, const uint8_t *isk, size_t isk_len,
		 const uint8_t *const *pubs, const size_t *pub_lens, size_t n, sg_audit_say say,
		 void *ctx)
{
	size_t ncat = t->body->n_categories;
	sg_u128 *want = calloc(ncat + 1, sizeof *want);
	uint32_t *ids = calloc(n + 1, sizeof *ids);
	ProtobufCMessage *m = NULL;
	sg_wire_budget *b = NULL;
	int failed = 0;
	if (want == NULL || ids == NULL) {
		failed = SG_ERR_NOMEM;
		goto cleanup;
	}
	const Spillguard__IskSummary *s = NULL;
	if (isk != NULL &&
	    sg_wire_unpack(&m, &b, &spillguard__isk_summary__descriptor, isk, isk_len) == 0)
		s = (const Spillguard__IskSummary *)m;
	bool ours = s != NULL && s->version == SG_WIRE_VERSION && sg_task_is(t, &s->task_id);
	sg_audit_check(&failed, say, ctx, ours, "ISK: decodes as this task's summary");
	if (!ours)
		goto cleanup;
	bool read = true;
	for (size_t k = 0; k < n; k++)
		read = add_tsk(want, t, pubs[k], pub_lens[k], &ids[k]) && read;
	bool same_set = s->n_industries == n &&
			(n == 0 || memcmp(s->industries, ids, n * sizeof *ids) == 0);
	sg_audit_check(&failed, say, ctx, same_set, "ISK: over exactly the %zu industries published",
		       n);
	bool sums = read && s->n_isk == ncat;
	for (size_t i = 0; sums && i < ncat; i++)
		sums = sg_audit_figure(s->isk[i], t->body->categories[i]->decimals + 2, want[i]);
	sg_audit_check(&failed, say, ctx, sums,
		       "ISK = the sum of the published TSK_k in every category");
cleanup:
	sg_wire_release(m, b);
	free(want);
	free(ids);
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
	if (pub == NULL || set == NULL ||
	    sg_wire_unpack(&b->pm, &b->pb, &spillguard__published_aggregate__descriptor, pub,
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
	sg_audit_check(&failed, say, ctx, ok,
		       "%s: the report set lists J_k report ids, ascending, whose root is the "
		       "published one",
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
		ok = sg_merkle_verify_inclusion(leaf, at, n,
						(const uint8_t(*)[SG_MERKLE_HASH_BYTES])path,
						path_len, b.pa->report_set_root.data) == 0;
	}
	char hex[2 * SG_REPORT_ID_BYTES + 1];
	sg_hex_encode(hex, report_id, SG_REPORT_ID_BYTES);
	sg_audit_check(&failed, say, ctx, ok,
		       "%s: report %s was counted (inclusion proof of %zu hashes against the "
		       "published root)",
		       name, hex, path_len);
	batch_free(&b);
	return failed;
}
