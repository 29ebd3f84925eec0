/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The audit of a whole publication: the log as the round's record, then
 * every file of the folder against it (protocol/audit.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/audit_internal.h"
#include "protocol/collect.h"
#include "protocol/layout.h"
#include "protocol/upload.h"
#include "spillguard/err.h"
#include "spillguard/merkle.h"
#include "util/hex.h"

typedef struct kept_log {
	ProtobufCMessage *m;
	sg_wire_budget *b;
} kept_log;

static const Spillguard__Log *kept(const sg_audit_found *f)
{
	const kept_log *k = f->log;
	return k != NULL ? (const Spillguard__Log *)k->m : NULL;
}

void sg_audit_found_free(sg_audit_found *f)
{
	kept_log *k = f->log;
	if (k != NULL)
		sg_wire_release(k->m, k->b);
	free(k);
	free(f->aggregate);
	free(f->aggregate_len);
	free(f->withheld);
	memset(f, 0, sizeof *f);
}

static int found_init(sg_audit_found *f, const sg_task *t)
{
	size_t n = t->body->n_industries;
	memset(f, 0, sizeof *f);
	f->n = n;
	f->aggregate = calloc(n + 1, sizeof *f->aggregate);
	f->aggregate_len = calloc(n + 1, sizeof *f->aggregate_len);
	f->withheld = calloc(n + 1, sizeof *f->withheld);
	f->log = calloc(1, sizeof(kept_log));
	if (f->aggregate && f->aggregate_len && f->withheld && f->log)
		return 0;
	sg_audit_found_free(f);
	return SG_ERR_NOMEM;
}

/* The record's aggregates (leaves 1 .. n-3) by industry, the withheld ones
 * from the outcome (leaf n-2), the ISK (leaf n-1): the log verified. */
static int found_fill(sg_audit_found *f, const sg_task *t, const uint8_t *log, size_t log_len)
{
	kept_log *k = f->log;
	int ret = sg_wire_unpack(&k->m, &k->b, &spillguard__log__descriptor, log, log_len);
	if (ret != 0)
		return ret;
	const Spillguard__Log *lg = kept(f);
	size_t n = lg->n_leaves;
	for (size_t i = 1; i + 2 < n; i++) {
		sg_wire_budget *b;
		Spillguard__PublishedAggregate *pa =
			sg_audit_aggregate_decode(t, lg->leaves[i].data, lg->leaves[i].len, &b);
		long at = pa ? sg_task_industry_index(t->body, pa->industry) : -1;
		if (at >= 0) {
			f->aggregate[at] = lg->leaves[i].data;
			f->aggregate_len[at] = lg->leaves[i].len;
		}
		sg_wire_release(pa ? &pa->base : NULL, b);
	}
	ProtobufCMessage *m = NULL;
	sg_wire_budget *b = NULL;
	if (sg_wire_unpack(&m, &b, &spillguard__round_outcome__descriptor, lg->leaves[n - 2].data,
			   lg->leaves[n - 2].len) == 0) {
		const Spillguard__RoundOutcome *o = (const Spillguard__RoundOutcome *)m;
		for (size_t w = 0; w < o->n_withheld; w++) {
			long at = sg_task_industry_index(t->body, o->withheld[w]->industry);
			if (at >= 0)
				f->withheld[at] = o->withheld[w]->reason;
		}
	}
	sg_wire_release(m, b);
	f->isk = lg->leaves[n - 1].data;
	f->isk_len = lg->leaves[n - 1].len;
	f->record = true;
	return 0;
}

/* Whether the file holds exactly leaf i of the record; *proof_len gets the
 * length of the RFC 9162 inclusion proof checked against the signed root. */
static int file_is_leaf(bool *ok, const Spillguard__Log *lg, size_t i, const sg_audit_file *f,
			size_t *proof_len)
{
	size_t n = lg->n_leaves;
	*ok = false;
	*proof_len = 0;
	if (f->data == NULL || f->len != lg->leaves[i].len ||
	    memcmp(f->data, lg->leaves[i].data, f->len) != 0)
		return 0;
	uint8_t (*h)[SG_MERKLE_HASH_BYTES] = malloc((n + 1) * sizeof *h);
	uint8_t path[SG_MERKLE_MAX_PROOF][SG_MERKLE_HASH_BYTES], root[SG_MERKLE_HASH_BYTES];
	if (h == NULL)
		return SG_ERR_NOMEM;
	for (size_t k = 0; k < n; k++)
		sg_merkle_leaf_hash(h[k], lg->leaves[k].data, lg->leaves[k].len);
	sg_merkle_root(root, (const uint8_t(*)[SG_MERKLE_HASH_BYTES])h, n);
	*ok = sg_merkle_inclusion_proof(path, proof_len, (const uint8_t(*)[SG_MERKLE_HASH_BYTES])h,
					n, i) == 0 &&
	      sg_merkle_verify_inclusion(h[i], i, n, (const uint8_t(*)[SG_MERKLE_HASH_BYTES])path,
					 *proof_len, root) == 0;
	free(h);
	return 0;
}

static int leaf_check(int *failed, const sg_audit_found *f, size_t i, const sg_audit_file *file,
		      const char *file_name, sg_audit_say say, void *ctx)
{
	bool ok;
	size_t proof_len;
	int ret = file_is_leaf(&ok, kept(f), i, file, &proof_len);
	if (ret == 0 && ok)
		sg_audit_check(failed, say, ctx, true,
			       "%s is the log's leaf %zu (inclusion proof of %zu hashes against the "
			       "signed root)",
			       file_name, i, proof_len);
	else if (ret == 0)
		sg_audit_check(failed, say, ctx, false, "%s %s the log's leaf %zu", file_name,
			       file->data == NULL ? "is missing: the record holds it as"
						  : "differs from",
			       i);
	return ret;
}

static const sg_audit_industry_files *files_of(const sg_audit_files *files, uint32_t id)
{
	for (size_t i = 0; i < files->n_industries; i++)
		if (files->industries[i].id == id)
			return &files->industries[i];
	return NULL;
}

static bool any_file(const sg_audit_industry_files *f)
{
	return f != NULL && (f->pb.data != NULL || f->json.data != NULL || f->reports.data != NULL);
}

/* The log's leaf index of industry k's aggregate. */
static size_t leaf_of(const sg_audit_found *f, size_t k)
{
	const Spillguard__Log *lg = kept(f);
	for (size_t i = 1; i < lg->n_leaves; i++)
		if (lg->leaves[i].data == f->aggregate[k])
			return i;
	return 0;
}

/* A published industry's files: the aggregate as the log holds it, its
 * report set, its view. */
static int published_files(int *failed, const sg_task *t, const sg_audit_found *f,
			   const sg_audit_files *files, size_t k, sg_audit_say say, void *ctx)
{
	uint32_t id = t->body->industries[k]->id;
	const sg_audit_industry_files *mine = files_of(files, id);
	static const sg_audit_industry_files none = { 0 };
	char name[300], file[SG_PUB_NAME_BYTES];
	if (mine == NULL)
		mine = &none;
	sg_audit_industry_name(name, sizeof name, t, id);
	sg_pub_industry_file(file, id, SG_PUB_AGGREGATE);
	int ret = leaf_check(failed, f, leaf_of(f, k), &mine->pb, file, say, ctx);
	if (ret == 0)
		ret = sg_audit_report_set(t, f->aggregate[k], f->aggregate_len[k], mine->reports.data,
					  mine->reports.len, name, say, ctx);
	if (ret >= 0) {
		*failed += ret;
		ret = sg_audit_view_industry(t, f->aggregate[k], f->aggregate_len[k],
					     mine->json.data, mine->json.len, name, say, ctx);
	}
	if (ret > 0)
		*failed += ret;
	return ret < 0 ? ret : 0;
}

/* Every file against the verified record. */
static int files_check(int *failed, const sg_task *t, const sg_audit_found *f,
		       const sg_audit_files *files, sg_audit_say say, void *ctx)
{
	const Spillguard__Log *lg = kept(f);
	size_t n = lg->n_leaves;
	int ret = leaf_check(failed, f, n - 2, &files->outcome, SG_PUB_OUTCOME, say, ctx);
	if (ret == 0)
		ret = sg_audit_view_round(t, f, files->outcome_json.data, files->outcome_json.len,
					  say, ctx);
	if (ret >= 0) {
		*failed += ret;
		ret = leaf_check(failed, f, n - 1, &files->isk, SG_PUB_ISK, say, ctx);
	}
	if (ret == 0)
		ret = sg_audit_view_isk(t, f->isk, f->isk_len, files->isk_json.data,
					files->isk_json.len, say, ctx);
	if (ret >= 0)
		*failed += ret;
	for (size_t k = 0; ret >= 0 && k < f->n; k++) {
		char name[300];
		uint32_t id = t->body->industries[k]->id;
		if (f->aggregate[k] != NULL) {
			ret = published_files(failed, t, f, files, k, say, ctx);
			continue;
		}
		sg_audit_industry_name(name, sizeof name, t, id);
		sg_audit_check(failed, say, ctx, !any_file(files_of(files, id)),
			       "%s: withheld by the signed outcome (%s), and no file publishes it",
			       name, sg_collect_message((enum sg_collect_refusal)f->withheld[k]));
	}
	for (size_t i = 0; ret >= 0 && i < files->n_industries; i++) {
		uint32_t id = files->industries[i].id;
		char file[SG_PUB_NAME_BYTES];
		sg_pub_industry_file(file, id, SG_PUB_AGGREGATE);
		if (sg_task_industry_index(t->body, id) < 0)
			sg_audit_check(failed, say, ctx, false,
				       "%s (or another file of industry %u): industry %u is not in this "
				       "task",
				       file, id, id);
	}
	return ret < 0 ? ret : 0;
}

/* The task a log is of, when it is not t: its id and name, for the line. */
static void other_task(char *out, size_t len, const sg_task *t, const uint8_t *log, size_t log_len)
{
	ProtobufCMessage *m = NULL;
	sg_wire_budget *b = NULL;
	out[0] = '\0';
	if (log == NULL ||
	    sg_wire_unpack(&m, &b, &spillguard__log__descriptor, log, log_len) != 0)
		return;
	const Spillguard__Log *lg = (const Spillguard__Log *)m;
	char hex[2 * SG_TASK_ID_BYTES + 1] = "?", mine[2 * SG_TASK_ID_BYTES + 1];
	if (!sg_task_is(t, &lg->task_id)) {
		if (lg->task_id.len == SG_TASK_ID_BYTES)
			sg_hex_encode(hex, lg->task_id.data, SG_TASK_ID_BYTES);
		const char *name = "";
		ProtobufCMessage *tm = NULL, *bm = NULL;
		sg_wire_budget *tb = NULL, *bb = NULL;
		if (lg->n_leaves > 0 &&
		    sg_wire_unpack(&tm, &tb, &spillguard__task__descriptor, lg->leaves[0].data,
				   lg->leaves[0].len) == 0 &&
		    sg_wire_unpack(&bm, &bb, &spillguard__task_body__descriptor,
				   ((Spillguard__Task *)tm)->body.data,
				   ((Spillguard__Task *)tm)->body.len) == 0)
			name = ((Spillguard__TaskBody *)bm)->name;
		sg_hex_encode(mine, t->id, SG_TASK_ID_BYTES);
		snprintf(out, len, "the publication is of task %s ('%s'), not of the task given (%s '%s')",
			 hex, name, mine, t->body->name);
		sg_wire_release(bm, bb);
		sg_wire_release(tm, tb);
	}
	sg_wire_release(m, b);
}

int sg_audit_publication(const sg_task *t, const sg_audit_files *files, sg_audit_found *found,
			 sg_audit_say say, void *ctx)
{
	int failed = 0, ret = found_init(found, t);
	bool whole = false;
	char other[600];
	if (ret != 0)
		return ret;
	sg_audit_check(&failed, say, ctx, files->log.data != NULL,
		       SG_PUB_LOG ": present (the round's record, signed by every aggregator)");
	other_task(other, sizeof other, t, files->log.data, files->log.len);
	if (other[0] != '\0')
		sg_audit_check(&failed, say, ctx, false, "log: %s", other);
	else if (files->log.data != NULL)
		ret = sg_audit_log_record(t, files->log.data, files->log.len, say, ctx, &whole);
	if (ret > 0)
		failed += ret;
	if (ret >= 0 && whole)
		ret = found_fill(found, t, files->log.data, files->log.len);
	if (ret >= 0 && whole)
		ret = files_check(&failed, t, found, files, say, ctx);
	if (ret >= 0 && !whole) { /* no record to hold the files against */
		sg_audit_check(&failed, say, ctx, files->outcome.data != NULL,
			       SG_PUB_OUTCOME ": present (the round's signed outcome)");
		sg_audit_check(&failed, say, ctx, files->isk.data != NULL, SG_PUB_ISK ": present");
	}
	return ret < 0 ? ret : failed;
}

int sg_audit_receipt(const sg_task *t, const sg_audit_files *files, const sg_audit_found *found,
		     const uint8_t *receipt, size_t receipt_len, const char *name, sg_audit_say say,
		     void *ctx)
{
	uint8_t id[SG_REPORT_ID_BYTES];
	uint32_t industry;
	char msg[200];
	int failed = 0;
	bool ok = sg_receipt_open(id, &industry, t, receipt, receipt_len, msg, sizeof msg) == 0;
	sg_audit_check(&failed, say, ctx, ok, "%s: signed by the task's leader%s%s", name,
		       ok ? "" : ": ", ok ? "" : msg);
	if (!ok)
		return failed;
	long k = sg_task_industry_index(t->body, industry);
	char who[400];
	snprintf(who, sizeof who, "%s (industry %u)", name, industry);
	if (!found->record || k < 0) {
		sg_audit_check(&failed, say, ctx, false,
			       "%s: no verified record of the round to find it in", who);
		return failed;
	}
	if (found->aggregate[k] == NULL) {
		sg_audit_check(&failed, say, ctx, true,
			       "%s: not counted: its industry was withheld by the signed outcome (%s)",
			       who, sg_collect_message((enum sg_collect_refusal)found->withheld[k]));
		return failed;
	}
	const sg_audit_industry_files *mine = files_of(files, industry);
	int ret = sg_audit_counted(t, id, found->aggregate[k], found->aggregate_len[k],
				   mine ? mine->reports.data : NULL, mine ? mine->reports.len : 0,
				   who, say, ctx);
	return ret < 0 ? ret : failed + ret;
}

/* The first failed check, and the last line said. */
typedef struct quiet {
	char first[600], last[600];
	int failed;
} quiet;

static void quietly(void *ctx, bool ok, const char *check)
{
	quiet *q = ctx;
	if (!ok && q->failed++ == 0)
		snprintf(q->first, sizeof q->first, "%s", check);
	snprintf(q->last, sizeof q->last, "%s", check);
}

int sg_audit_fate(enum sg_audit_fate *fate, sg_audit_found *found, char *why, size_t why_len,
		  const sg_task *t, const sg_audit_files *files, const uint8_t *receipt,
		  size_t receipt_len)
{
	quiet q = { "", "", 0 };
	*fate = SG_FATE_UNVERIFIED;
	int ret = sg_audit_publication(t, files, found, quietly, &q);
	if (ret < 0)
		return ret;
	if (q.failed > 0) {
		snprintf(why, why_len, "the publication does not verify: %s", q.first);
		return 0;
	}
	ret = sg_audit_receipt(t, files, found, receipt, receipt_len, "receipt", quietly, &q);
	if (ret < 0)
		return ret;
	uint8_t id[SG_REPORT_ID_BYTES];
	uint32_t industry;
	char msg[200];
	long k = -1;
	if (sg_receipt_open(id, &industry, t, receipt, receipt_len, msg, sizeof msg) == 0)
		k = sg_task_industry_index(t->body, industry);
	if (k < 0)
		*fate = SG_FATE_UNVERIFIED;
	else if (found->aggregate[k] == NULL)
		*fate = SG_FATE_WITHHELD;
	else
		*fate = q.failed == 0 ? SG_FATE_COUNTED : SG_FATE_NOT_COUNTED;
	snprintf(why, why_len, "%s", q.failed ? q.first : q.last);
	return 0;
}
