/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target for the offline audit: the input, cut at "|#|", is a
 * publication folder's files (log.pb, round.pb, round.json, isk.pb,
 * isk.json, industry-1.pb, industry-1.json, industry-1.reports.pb) and a
 * receipt; the pieces are also the log's leaves, an aggregate on its own,
 * an aggregate and its report set, and two heads of a log; the last piece
 * is also a file name found in a folder, which names an industry's file
 * only if writing that name back gives it again. Never a crash;
 * every check is reported and counted; and since the fuzzer cannot sign as
 * an aggregator, no publication ever passes. */
#include <string.h>

#include "protocol/audit.h"
#include "protocol/layout.h"
#include "task_fuzz.h"

FUZZ_TASK_TARGET

#define PIECES 9

static void count(void *ctx, bool ok, const char *check)
{
	unsigned *n = ctx;
	if (check == NULL || check[0] == '\0')
		__builtin_trap();
	n[ok ? 0 : 1]++;
}

/* failed must be what was counted, and at least `least` checks failed. */
static void expect(int failed, const unsigned *n, unsigned least)
{
	if (failed < 0 || (unsigned)failed != n[1] || n[1] < least)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sg_audit_file piece[PIECES] = { 0 };
	const uint8_t *p = data, *end = data + size;
	for (size_t i = 0; i < PIECES && p <= end; i++) {
		const uint8_t *cut = p;
		while (cut + 3 <= end && memcmp(cut, "|#|", 3) != 0)
			cut++;
		if (cut + 3 > end)
			cut = end;
		piece[i] = (sg_audit_file){ p, (size_t)(cut - p) };
		p = cut + 3;
	}
	sg_audit_industry_files ind = { 1, piece[5], piece[6], piece[7] };
	sg_audit_files files = { piece[0], piece[1], piece[2], piece[3], piece[4], &ind, 1 };
	unsigned n[2] = { 0, 0 };
	sg_audit_found found;
	expect(sg_audit_publication(f.task, &files, &found, count, n), n, 1);
	n[0] = n[1] = 0;
	int failed = sg_audit_receipt(f.task, &files, &found, piece[8].data, piece[8].len, "r",
				      count, n);
	expect(failed, n, 0);
	sg_audit_found_free(&found);

	const uint8_t *leaves[PIECES];
	size_t lens[PIECES];
	for (size_t i = 0; i < PIECES; i++) {
		leaves[i] = piece[i].data ? piece[i].data : (const uint8_t *)"";
		lens[i] = piece[i].len;
	}
	n[0] = n[1] = 0;
	expect(sg_audit_leaves(f.task, leaves, lens, PIECES, count, n), n, 1);
	n[0] = n[1] = 0;
	expect(sg_audit_aggregate(f.task, data, size, "industry 1", count, n), n, 1);
	static const uint8_t id[16] = { 1 };
	n[0] = n[1] = 0;
	expect(sg_audit_report_set(f.task, leaves[0], lens[0], leaves[1], lens[1], "i", count, n), n,
	       0);
	n[0] = n[1] = 0;
	expect(sg_audit_counted(f.task, id, leaves[0], lens[0], leaves[1], lens[1], "i", count, n), n,
	       0);
	char name[64], back[SG_PUB_NAME_BYTES];
	uint32_t file_id;
	enum sg_pub_kind kind;
	size_t nl = piece[8].len < sizeof name - 1 ? piece[8].len : sizeof name - 1;
	memcpy(name, piece[8].data ? piece[8].data : (const uint8_t *)"", nl);
	name[nl] = '\0';
	if (sg_pub_industry_parse(name, &file_id, &kind)) {
		sg_pub_industry_file(back, file_id, kind);
		if (strcmp(back, name) != 0)
			__builtin_trap();
	}
	n[0] = n[1] = 0;
	expect(sg_audit_log_consistency(f.task, leaves[0], lens[0], leaves[1], lens[1], count, n), n,
	       1);
	return 0;
}
