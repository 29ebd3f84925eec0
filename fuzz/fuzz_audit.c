/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target for the offline audit of published files: any bytes as
 * an industry's aggregate and as the round's log (neither passes: the
 * fuzzer cannot sign as an aggregator), as the ISK summary, and split in two
 * as an aggregate and its
 * report set (with a report id to find); never a crash, and every check is
 * reported and counted. */
#include "protocol/audit.h"
#include "task_fuzz.h"

FUZZ_TASK_TARGET

static void count(void *ctx, bool ok, const char *check)
{
	unsigned *n = ctx;
	if (check == NULL || check[0] == '\0')
		__builtin_trap();
	n[ok ? 0 : 1]++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned n[2] = { 0, 0 };
	int failed = sg_audit_aggregate(f.task, data, size, "industry 1", count, n);
	if (failed <= 0 || (unsigned)failed != n[1])
		__builtin_trap();
	const uint8_t *pubs[1] = { data };
	size_t lens[1] = { size };
	n[0] = n[1] = 0;
	failed = sg_audit_isk(f.task, data, size, pubs, lens, 1, count, n);
	if (failed < 0 || (unsigned)failed != n[1] || n[0] + n[1] == 0)
		__builtin_trap();
	static const uint8_t id[16] = { 1 };
	size_t half = size / 2;
	n[0] = n[1] = 0;
	failed = sg_audit_report_set(f.task, data, half, data + half, size - half, "i", count, n);
	if (failed < 0 || (unsigned)failed != n[1] || n[0] + n[1] != 1)
		__builtin_trap();
	n[0] = n[1] = 0;
	const char *names[1] = { "x" };
	failed = sg_audit_log(f.task, data, size, names, pubs, lens, 1, count, n);
	if (failed <= 0 || (unsigned)failed != n[1])
		__builtin_trap(); /* no head the fuzzer makes is signed */
	n[0] = n[1] = 0;
	failed = sg_audit_log_consistency(f.task, data, half, data + half, size - half, count, n);
	if (failed <= 0 || (unsigned)failed != n[1])
		__builtin_trap(); /* unsigned heads never pass */
	n[0] = n[1] = 0;
	failed = sg_audit_counted(f.task, id, data, half, data + half, size - half, "i", count, n);
	if (failed < 0 || (unsigned)failed != n[1] || n[0] + n[1] != 1)
		__builtin_trap();
	return 0;
}
