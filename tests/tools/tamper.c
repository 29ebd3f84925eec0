/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tamper: test-only. Changes one thing in a published file, in place, the
 * way a dishonest leader or a corrupted copy would, so that the audit
 * tests can check that `spillguard audit` names the failed check:
 *
 *   tamper sum FILE         industry-K.pb: S_k of the first category + 1
 *   tamper tsk FILE         industry-K.pb: the first TSK_k's last digit changed
 *   tamper count N FILE     industry-K.pb: J_k set to N
 *   tamper root FILE        industry-K.pb: a byte of the report-set root flipped
 *   tamper drop-share FILE  industry-K.pb: the last aggregator's share removed
 *   tamper signature J FILE industry-K.pb: a byte of aggregator J's signature flipped
 *   tamper isk FILE         isk.pb: the first ISK's last digit changed
 *   tamper isk-drop FILE    isk.pb: the last industry left out of the list
 *   tamper drop-report [HEX] FILE  industry-K.reports.pb: the report id HEX (or
 *                           the first) removed from the report set
 *   tamper log-sig J FILE   log.pb: a byte of aggregator J's tree-head signature flipped
 *   tamper log-leaf I FILE  log.pb: a byte of leaf I flipped
 *   tamper log-fork DIR FILE  log.pb: another history - the last leaf changed
 *                           and the head made again and signed with the
 *                           aggregators' keys DIR/agg-J/sign.sk (a demo's
 *                           folder): a second view, validly signed
 *
 * With `--record DIR` first, the change is also made in the round's
 * record: the log.pb beside FILE gets the new bytes in place of the leaf
 * that held the old ones, and its head is made again and signed with the
 * aggregators' keys DIR/agg-J/sign.sk. That is what a publisher with a bug
 * would publish if every aggregator co-signed it: only the audit's own
 * checks of the figures can catch it.
 *
 * Exit 0 when the file was rewritten, 2 otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relog.h"
#include "util/file.h"

static void bump_digit(char *s)
{
	size_t n = strlen(s);
	if (n > 0 && s[n - 1] >= '0' && s[n - 1] <= '9')
		s[n - 1] = s[n - 1] == '9' ? '0' : (char)(s[n - 1] + 1);
}

static int aggregate(const char *kind, const char *arg, uint8_t *in, size_t len, uint8_t **out,
		     size_t *out_len)
{
	Spillguard__PublishedAggregate *pa =
		spillguard__published_aggregate__unpack(NULL, len, in);
	if (pa == NULL || pa->n_sum == 0 || pa->n_tsk == 0 || pa->n_shares == 0)
		return 2;
	if (strcmp(kind, "sum") == 0) {
		pa->sum[0]++;
	} else if (strcmp(kind, "tsk") == 0) {
		bump_digit(pa->tsk[0]);
	} else if (strcmp(kind, "count") == 0) {
		pa->report_count = strtoull(arg, NULL, 10);
	} else if (strcmp(kind, "root") == 0 && pa->report_set_root.len > 0) {
		pa->report_set_root.data[0] ^= 1;
	} else if (strcmp(kind, "drop-share") == 0) {
		pa->n_shares--; /* the unpacked array still frees every share */
	} else if (strcmp(kind, "signature") == 0) {
		size_t j = strtoul(arg, NULL, 10);
		if (j >= pa->n_shares || pa->shares[j]->signature.len == 0)
			return 2;
		pa->shares[j]->signature.data[7] ^= 0x20;
	} else {
		return 2;
	}
	*out_len = spillguard__published_aggregate__get_packed_size(pa);
	*out = malloc(*out_len + 1);
	if (*out != NULL)
		spillguard__published_aggregate__pack(pa, *out);
	if (strcmp(kind, "drop-share") == 0)
		pa->n_shares++;
	spillguard__published_aggregate__free_unpacked(pa, NULL);
	return *out ? 0 : 2;
}

static int isk(const char *kind, uint8_t *in, size_t len, uint8_t **out, size_t *out_len)
{
	Spillguard__IskSummary *s = spillguard__isk_summary__unpack(NULL, len, in);
	if (s == NULL || s->n_isk == 0 || s->n_industries == 0)
		return 2;
	if (strcmp(kind, "isk") == 0)
		bump_digit(s->isk[0]);
	else
		s->n_industries--;
	*out_len = spillguard__isk_summary__get_packed_size(s);
	*out = malloc(*out_len + 1);
	if (*out != NULL)
		spillguard__isk_summary__pack(s, *out);
	if (strcmp(kind, "isk-drop") == 0)
		s->n_industries++;
	spillguard__isk_summary__free_unpacked(s, NULL);
	return *out ? 0 : 2;
}

static int report_set(const char *hex, uint8_t *in, size_t len, uint8_t **out, size_t *out_len)
{
	Spillguard__ReportSet *rs = spillguard__report_set__unpack(NULL, len, in);
	if (rs == NULL || rs->n_report_ids == 0)
		return 2;
	size_t at = 0;
	for (size_t i = 0; hex != NULL && i < rs->n_report_ids; i++) {
		char h[33] = "";
		for (size_t k = 0; k < rs->report_ids[i].len && k < 16; k++)
			snprintf(h + 2 * k, 3, "%02x", rs->report_ids[i].data[k]);
		if (strcmp(h, hex) == 0)
			at = i + 1;
	}
	if (hex != NULL && at-- == 0)
		return 2; /* not in the set */
	ProtobufCBinaryData gone = rs->report_ids[at];
	memmove(&rs->report_ids[at], &rs->report_ids[at + 1],
		(rs->n_report_ids - at - 1) * sizeof *rs->report_ids);
	rs->n_report_ids--;
	*out_len = spillguard__report_set__get_packed_size(rs);
	*out = malloc(*out_len + 1);
	if (*out != NULL)
		spillguard__report_set__pack(rs, *out);
	rs->report_ids[rs->n_report_ids++] = gone; /* freed with the rest */
	spillguard__report_set__free_unpacked(rs, NULL);
	return *out ? 0 : 2;
}

/* The fork: a new last leaf, a new head, every aggregator's signature. */
static int log_fork(const char *keydir, uint8_t *in, size_t len, uint8_t **out, size_t *out_len)
{
	Spillguard__Log *lg = spillguard__log__unpack(NULL, len, in);
	if (lg == NULL || lg->head == NULL || lg->n_leaves < 2)
		return 2;
	lg->leaves[lg->n_leaves - 1].data[lg->leaves[lg->n_leaves - 1].len - 1] ^= 1;
	int ret = relog_sign(lg, keydir);
	if (ret == 0)
		ret = relog_pack(lg, out, out_len);
	spillguard__log__free_unpacked(lg, NULL);
	return ret;
}

/* --record: the log beside path holds `now` where it held `was`, signed again. */
static int record(const char *keydir, const char *path, const uint8_t *was, size_t was_len,
		  const uint8_t *now, size_t now_len)
{
	char log_path[4200], err[300], *bytes = NULL;
	const char *slash = strrchr(path, '/');
	size_t len, out_len = 0;
	uint8_t *out = NULL;
	snprintf(log_path, sizeof log_path, "%.*s/log.pb", slash ? (int)(slash - path) : 1,
		 slash ? path : ".");
	if (sg_file_read(&bytes, &len, log_path, (size_t)16 << 20, err, sizeof err) != 0) {
		fprintf(stderr, "tamper: %s\n", err);
		return 2;
	}
	Spillguard__Log *lg = spillguard__log__unpack(NULL, len, (uint8_t *)bytes);
	int ret = 2;
	for (size_t i = 0; lg != NULL && lg->head != NULL && i < lg->n_leaves; i++) {
		if (lg->leaves[i].len != was_len || memcmp(lg->leaves[i].data, was, was_len) != 0)
			continue;
		ret = relog_replace(lg, i, now, now_len);
		if (ret == 0)
			ret = relog_sign(lg, keydir);
		break;
	}
	if (ret == 0)
		ret = relog_pack(lg, &out, &out_len);
	if (ret == 0 && sg_file_write(log_path, out, out_len, 0644, true, err, sizeof err) != 0) {
		fprintf(stderr, "tamper: %s\n", err);
		ret = 2;
	}
	if (lg != NULL)
		spillguard__log__free_unpacked(lg, NULL);
	free(bytes);
	free(out);
	return ret;
}

static int log_file(const char *kind, const char *arg, uint8_t *in, size_t len, uint8_t **out,
		    size_t *out_len)
{
	Spillguard__Log *lg = spillguard__log__unpack(NULL, len, in);
	size_t i = arg ? strtoul(arg, NULL, 10) : 0;
	if (lg == NULL || lg->head == NULL)
		return 2;
	if (strcmp(kind, "log-sig") == 0 && i < lg->head->n_signatures &&
	    lg->head->signatures[i]->signature.len > 7)
		lg->head->signatures[i]->signature.data[7] ^= 0x20;
	else if (strcmp(kind, "log-leaf") == 0 && i < lg->n_leaves && lg->leaves[i].len > 0)
		lg->leaves[i].data[lg->leaves[i].len / 2] ^= 0x01;
	else {
		spillguard__log__free_unpacked(lg, NULL);
		return 2;
	}
	*out_len = spillguard__log__get_packed_size(lg);
	*out = malloc(*out_len + 1);
	if (*out != NULL)
		spillguard__log__pack(lg, *out);
	spillguard__log__free_unpacked(lg, NULL);
	return *out ? 0 : 2;
}

int main(int argc, char **argv)
{
	const char *keydir = NULL;
	if (argc > 3 && strcmp(argv[1], "--record") == 0) {
		keydir = argv[2];
		argc -= 2;
		argv += 2;
	}
	if (argc < 3) {
		fprintf(stderr, "usage: tamper [--record DIR] KIND [ARG] FILE (see the comment in "
				"tests/tools/tamper.c)\n");
		return 2;
	}
	const char *kind = argv[1], *arg = argc > 3 ? argv[2] : NULL, *path = argv[argc - 1];
	char *bytes = NULL, err[300] = "";
	uint8_t *out = NULL;
	size_t len, out_len = 0;
	if (sg_file_read(&bytes, &len, path, (size_t)16 << 20, err, sizeof err) != 0) {
		fprintf(stderr, "tamper: %s\n", err);
		return 2;
	}
	int ret = strncmp(kind, "isk", 3) == 0 ? isk(kind, (uint8_t *)bytes, len, &out, &out_len)
		  : strcmp(kind, "drop-report") == 0
			  ? report_set(arg, (uint8_t *)bytes, len, &out, &out_len)
		  : strcmp(kind, "log-fork") == 0
			  ? log_fork(arg, (uint8_t *)bytes, len, &out, &out_len)
		  : strncmp(kind, "log-", 4) == 0
			  ? log_file(kind, arg, (uint8_t *)bytes, len, &out, &out_len)
			  : aggregate(kind, arg, (uint8_t *)bytes, len, &out, &out_len);
	if (ret == 0 && keydir != NULL)
		ret = record(keydir, path, (const uint8_t *)bytes, len, out, out_len);
	if (ret == 0 && sg_file_write(path, out, out_len, 0644, true, err, sizeof err) != 0) {
		fprintf(stderr, "tamper: %s\n", err);
		ret = 2;
	}
	if (ret != 0 && err[0] == '\0')
		fprintf(stderr, "tamper: cannot %s %s\n", kind, path);
	free(bytes);
	free(out);
	return ret;
}
