/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target for the audit of the JSON views: any bytes as an
 * industry's view, isk.json and round.json, checked against a fixed
 * aggregate, ISK summary and outcome of the fuzz task. Never a crash; the
 * one check of each view is reported and counted. The fuzz task's id is
 * new each run, so "@TASK@" in the input stands for its hex; the seeds are
 * the true views written that way, so the fuzzer starts from text that
 * passes. */
#include <stdlib.h>
#include <string.h>

#include "protocol/audit.h"
#include "util/hex.h"
#include "task_fuzz.h"
#include "wire/codec.h"

FUZZ_TASK_TARGET

static uint8_t agg[512], isk[256];
static size_t agg_len, isk_len;

static void count(void *ctx, bool ok, const char *check)
{
	unsigned *n = ctx;
	if (check == NULL || check[0] == '\0')
		__builtin_trap();
	n[ok ? 0 : 1]++;
}

/* Industry 1's aggregate (J 2, sums 3 and 250, TSK 1.50 and 125.00, two
 * shares with a 64-byte signature each) and the ISK over it. */
static void artefacts(void)
{
	static uint8_t sig[64] = { 7 };
	static uint64_t sum[2] = { 3, 250 };
	static char *tsk[2] = { "1.50", "125.00" };
	Spillguard__AggregateShare s[2], *sp[2] = { &s[0], &s[1] };
	for (int j = 0; j < 2; j++) {
		s[j] = (Spillguard__AggregateShare)SPILLGUARD__AGGREGATE_SHARE__INIT;
		s[j].signature = (ProtobufCBinaryData){ 64, sig };
	}
	static uint8_t root[32] = { 9 };
	Spillguard__PublishedAggregate pa = SPILLGUARD__PUBLISHED_AGGREGATE__INIT;
	pa.version = SG_WIRE_VERSION;
	pa.task_id = (ProtobufCBinaryData){ 32, f.task->id };
	pa.industry = 1;
	pa.report_count = 2;
	pa.report_set_root = (ProtobufCBinaryData){ 32, root };
	pa.n_shares = 2;
	pa.shares = sp;
	pa.n_sum = 2;
	pa.sum = sum;
	pa.n_tsk = 2;
	pa.tsk = tsk;
	agg_len = spillguard__published_aggregate__pack(&pa, agg);
	static uint32_t ids[1] = { 1 };
	static char *figures[2] = { "1.50", "125.00" };
	Spillguard__IskSummary is = SPILLGUARD__ISK_SUMMARY__INIT;
	is.version = SG_WIRE_VERSION;
	is.task_id = (ProtobufCBinaryData){ 32, f.task->id };
	is.n_industries = 1;
	is.industries = ids;
	is.n_isk = 2;
	is.isk = figures;
	isk_len = spillguard__isk_summary__pack(&is, isk);
}

/* The input with every "@TASK@" replaced by the task id's hex (malloc'd). */
static uint8_t *with_task(const uint8_t *data, size_t size, size_t *len)
{
	char hex[65];
	uint8_t *out = malloc(size * 11 + 1);
	size_t n = 0;
	sg_hex_encode(hex, f.task->id, 32);
	for (size_t i = 0; out != NULL && i < size; i++) {
		if (i + 6 <= size && memcmp(data + i, "@TASK@", 6) == 0) {
			memcpy(out + n, hex, 64);
			n += 64;
			i += 5;
		} else {
			out[n++] = data[i];
		}
	}
	*len = n;
	return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *raw, size_t raw_size)
{
	if (agg_len == 0)
		artefacts();
	size_t size;
	uint8_t *data = with_task(raw, raw_size, &size);
	if (data == NULL)
		return 0;
	unsigned n[2] = { 0, 0 };
	int failed = sg_audit_view_industry(f.task, agg, agg_len, data, size, "industry 1", count, n);
	if (failed < 0 || (unsigned)failed != n[1] || n[0] + n[1] != 1)
		__builtin_trap();
	n[0] = n[1] = 0;
	failed = sg_audit_view_isk(f.task, isk, isk_len, data, size, count, n);
	if (failed < 0 || (unsigned)failed != n[1] || n[0] + n[1] != 1)
		__builtin_trap();
	const uint8_t *aggs[1] = { agg };
	size_t lens[1] = { agg_len };
	uint32_t withheld[1] = { 0 };
	sg_audit_found found = { 1, aggs, lens, withheld, isk, isk_len, true, NULL };
	n[0] = n[1] = 0;
	failed = sg_audit_view_round(f.task, &found, data, size, count, n);
	if (failed < 0 || (unsigned)failed != n[1] || n[0] + n[1] != 1)
		__builtin_trap();
	free(data);
	return 0;
}
