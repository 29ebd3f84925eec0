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
 * Exit 0 when the file was rewritten, 2 otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/signed.h"
#include "protocol/log.h"
#include "spillguard.pb-c.h"
#include "spillguard/keys.h"
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
	Spillguard__TreeHeadBody *hb =
		spillguard__tree_head_body__unpack(NULL, lg->head->body.len, lg->head->body.data);
	size_t n = lg->n_leaves, nsig = lg->head->n_signatures;
	const uint8_t **leaves = calloc(n, sizeof *leaves);
	size_t *lens = calloc(n, sizeof *lens), body_len = 0;
	uint8_t (*sigs)[64] = calloc(nsig + 1, sizeof *sigs), *body = NULL;
	int ret = hb && leaves && lens && sigs ? 0 : 2;
	for (size_t i = 0; ret == 0 && i < n; i++) {
		leaves[i] = lg->leaves[i].data;
		lens[i] = lg->leaves[i].len;
	}
	if (ret == 0)
		lg->leaves[n - 1].data[lg->leaves[n - 1].len - 1] ^= 1;
	/* sg_log_head_body needs a task only for its id: a stand-in with it */
	sg_task t = { 0 };
	if (ret == 0 && hb->task_id.len == sizeof t.id)
		memcpy(t.id, hb->task_id.data, sizeof t.id);
	if (ret == 0 && sg_log_head_body(&body, &body_len, &t, leaves, lens, n, hb->timestamp + 1))
		ret = 2;
	for (size_t j = 0; ret == 0 && j < nsig; j++) {
		char path[4096], err[300];
		sg_key *k = NULL;
		snprintf(path, sizeof path, "%s/agg-%zu/sign.sk", keydir, j);
		if (sg_key_load_secret(&k, path, SG_KEY_SIGN, err, sizeof err) != 0 ||
		    sg_sign_labeled(sigs[j], SG_TREE_HEAD_SIG_CONTEXT, body, body_len,
				    sg_key_secret(k)) != 0) {
			fprintf(stderr, "tamper: %s\n", err);
			ret = 2;
		}
		sg_key_free(k);
	}
	if (ret == 0) {
		lg->head->body = (ProtobufCBinaryData){ body_len, body };
		for (size_t j = 0; j < nsig; j++)
			memcpy(lg->head->signatures[j]->signature.data, sigs[j], 64);
		*out_len = spillguard__log__get_packed_size(lg);
		*out = malloc(*out_len + 1);
		if (*out != NULL)
			spillguard__log__pack(lg, *out);
		ret = *out ? 0 : 2;
		lg->head->body = (ProtobufCBinaryData){ 0, NULL }; /* body is ours */
	}
	free(body);
	free(leaves);
	free(lens);
	free(sigs);
	if (hb != NULL)
		spillguard__tree_head_body__free_unpacked(hb, NULL);
	spillguard__log__free_unpacked(lg, NULL);
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
	if (argc < 3) {
		fprintf(stderr, "usage: tamper KIND [ARG] FILE (see the comment in tests/tools/tamper.c)\n");
		return 2;
	}
	const char *kind = argv[1], *arg = argc > 3 ? argv[2] : NULL, *path = argv[argc - 1];
	char *bytes = NULL, err[300];
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
