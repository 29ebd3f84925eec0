/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spillguard audit: checks a round's publication offline, from files only
 * (DESIGN.md §6), trusting none of the aggregators.
 */
#define _POSIX_C_SOURCE 200809L /* strdup */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include "audit_report.h"
#include "edge/pubdir.h"
#include "opts.h"
#include "protocol/audit.h"
#include "spillguard/err.h"
#include "spillguard/keys.h"
#include "subcommands.h"
#include "util/file.h"

#define MAX_PUB_BYTES ((size_t)16 << 20)

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s audit DIR [--task TASK.sgt] [--authority-pk SIGN.pk]\n"
		"                    [--receipt RECEIPT]... [--json FILE] [--csv FILE]\n"
		"                    [--html FILE] [--previous-log LOG.pb]\n\n"
		"Checks a round's publication folder offline (the folder the leader wrote,\n"
		"docs/publication.md), from the files alone:\n"
		"  the task's signature by its authority (and that the authority is the\n"
		"  one given with --authority-pk);\n"
		"  per published industry: J_k at least min_batch; one aggregate share per\n"
		"  aggregator, each signed by that aggregator's task key for this batch;\n"
		"  S_k equal to the shares added up; TSK_k = S_k / J_k; the report set\n"
		"  (industry-K.reports.pb) holding J_k ids whose Merkle root is the one\n"
		"  the aggregators signed;\n"
		"  the ISK: the sum of the published TSK_k, over exactly those industries;\n"
		"  the round's log (log.pb): its tree head signed by every aggregator, over\n"
		"  the task and every artefact above (RFC 9162 inclusion proofs);\n"
		"  with --previous-log, a log published before: its head signed by every\n"
		"  aggregator, and the current one extending it (RFC 9162 consistency);\n"
		"  with --receipt, an enterprise's receipt: signed by the task's leader, and\n"
		"  its report counted in its industry (an RFC 9162 inclusion proof).\n"
		"One line per check, ok or FAIL, then the verdict. --json writes the checks,\n"
		"the verdict and the published TSK and ISK; --csv one row per industry and\n"
		"category (TSK) and per category (ISK); --html a self-contained page (the\n"
		"verdict, TSK per category as bars, the figures, every check). The task\n"
		"defaults to\n"
		"task.sgt beside DIR (as 'demo --out' keeps it), else inside DIR.\n\n"
		"Exit status: 0 every check passed, 1 a check failed, 2 usage or system\n"
		"error.\n",
		SG_PROG_NAME);
}

typedef struct tally {
	unsigned checks, failed;
	audit_line *lines; /* kept for --json (NULL when out of memory) */
	size_t cap;
} tally;

static void say(void *ctx, bool ok, const char *line)
{
	tally *t = ctx;
	if (t->checks == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 64;
		audit_line *more = realloc(t->lines, cap * sizeof *more);
		if (more != NULL) {
			t->lines = more;
			t->cap = cap;
		}
	}
	if (t->checks < t->cap)
		t->lines[t->checks] = (audit_line){ ok, strdup(line) };
	t->checks++;
	t->failed += !ok;
	printf("%s %s\n", ok ? "ok  " : "FAIL", line);
}

static void tally_free(tally *t)
{
	for (size_t i = 0; i < t->checks && i < t->cap; i++)
		free(t->lines[i].text);
	free(t->lines);
}

/* DIR/../task.sgt, else DIR/task.sgt. */
static const char *default_task(char *buf, size_t len, const char *dir)
{
	struct stat st;
	snprintf(buf, len, "%s/../task.sgt", dir);
	if (stat(buf, &st) == 0)
		return buf;
	snprintf(buf, len, "%s/task.sgt", dir);
	return buf;
}

/* The task, its signature by its own authority a check; with
 * authority_pk, that this authority is the one given is another. 0, 1
 * when a check failed and there is no task to go on with, 2 on an error. */
static int load_task(sg_task **t, const char *path, const char *authority_pk, tally *tl)
{
	char err[600], line[5000], *bytes = NULL;
	size_t len;
	sg_key *auth = NULL;
	*t = NULL;
	if (sg_file_read(&bytes, &len, path, MAX_PUB_BYTES, err, sizeof err) != 0 ||
	    (authority_pk != NULL &&
	     sg_key_load_public(&auth, authority_pk, SG_KEY_SIGN, err, sizeof err) != 0)) {
		fprintf(stderr, "%s audit: %s\n", SG_PROG_NAME, err);
		free(bytes);
		return 2;
	}
	int ret = sg_task_open(t, (const uint8_t *)bytes, len, NULL, err, sizeof err);
	free(bytes);
	if (ret != 0 && ret != SG_ERR_VERIFY) {
		fprintf(stderr, "%s audit: %s: %s\n", SG_PROG_NAME, path, err);
		sg_key_free(auth);
		return 2;
	}
	snprintf(line, sizeof line, "task: %s is signed by its authority%s%s", path,
		 ret == 0 ? "" : ": ", ret == 0 ? "" : err);
	say(tl, ret == 0, line);
	if (ret == 0 && auth != NULL) {
		bool same = sodium_memcmp((*t)->body->authority_pk.data, sg_key_public(auth), 32) == 0;
		snprintf(line, sizeof line, "task: its authority is the one given (%s)%s", authority_pk,
			 same ? "" : ": it was signed by another authority");
		say(tl, same, line);
	}
	sg_key_free(auth);
	return ret == 0 ? 0 : 1;
}

/* An earlier log against the current one. */
static int audit_previous(const sg_task *t, const sg_pubdir *p, const char *previous, tally *tl)
{
	char *old = NULL, err[300];
	size_t old_len = 0;
	if (sg_file_read(&old, &old_len, previous, MAX_PUB_BYTES, err, sizeof err) != 0) {
		fprintf(stderr, "%s audit: %s\n", SG_PROG_NAME, err);
		return 2;
	}
	int ret = sg_audit_log_consistency(t, (const uint8_t *)old, old_len, p->files.log.data,
					   p->files.log.len, say, tl);
	free(old);
	return ret < 0 ? 2 : 0;
}

/* A receipt: the leader's, and its report's fate by the signed record. */
static int audit_receipt(const sg_task *t, const sg_pubdir *p, const sg_audit_found *found,
			 const char *path, tally *tl)
{
	char *rc = NULL, err[300], name[4300];
	size_t rc_len;
	if (sg_file_read(&rc, &rc_len, path, MAX_PUB_BYTES, err, sizeof err) != 0) {
		fprintf(stderr, "%s audit: %s\n", SG_PROG_NAME, err);
		return 2;
	}
	snprintf(name, sizeof name, "receipt %s", path);
	int ret = sg_audit_receipt(t, &p->files, found, (const uint8_t *)rc, rc_len, name, say, tl);
	free(rc);
	return ret < 0 ? 2 : 0;
}

/* Every check of the folder, then the receipts. 0, or 2 on an error. */
static int audit_folder(const sg_task *t, const sg_pubdir *p, sg_audit_found *found,
			const char *previous, const char *const *receipts, size_t n_receipts,
			tally *tl)
{
	int status = sg_audit_publication(t, &p->files, found, say, tl) < 0 ? 2 : 0;
	if (status == 0 && previous != NULL)
		status = audit_previous(t, p, previous, tl);
	for (size_t i = 0; status == 0 && i < n_receipts; i++)
		status = audit_receipt(t, p, found, receipts[i], tl);
	return status;
}

static int audit(int argc, char **argv)
{
	const char *task = NULL, *auth = NULL, *dir = NULL, *json = NULL, *csv = NULL,
		   *html = NULL, *previous = NULL;
	const cli_opt opts[] = { { "task", &task, NULL },	    { "authority-pk", &auth, NULL },
				 { "json", &json, NULL },	    { "csv", &csv, NULL },
				 { "html", &html, NULL },	    { "previous-log", &previous, NULL },
				 { NULL, NULL, NULL } };
	/* --receipt may come any number of times: taken out before the rest */
	const char **receipts = calloc((size_t)argc + 1, sizeof *receipts);
	char **rest = calloc((size_t)argc + 1, sizeof *rest);
	size_t n_receipts = 0;
	int n_rest = 0, status = receipts && rest ? 0 : 2;
	for (int i = 0; status == 0 && i < argc; i++) {
		if (i > 0 && strcmp(argv[i], "--receipt") == 0) {
			if (i + 1 >= argc) {
				fprintf(stderr, "%s audit: --receipt needs a value\n", SG_PROG_NAME);
				status = 2;
			} else {
				receipts[n_receipts++] = argv[++i];
			}
			continue;
		}
		rest[n_rest++] = argv[i];
	}
	if (status == 0 && n_rest >= 2 && strncmp(rest[1], "--", 2) != 0)
		dir = rest[1];
	if (status == 0 && dir == NULL) {
		fprintf(stderr, "%s audit: the publication folder comes first (see --help)\n",
			SG_PROG_NAME);
		status = 2;
	}
	if (status == 0)
		status = cli_opts_parse("audit", opts, n_rest, rest, 2);
	if (status == 0) {
		const cli_audit_out out = { json, csv, html, previous };
		status = cli_audit_run(dir, task, auth, receipts, n_receipts, &out);
	}
	free(receipts);
	free(rest);
	return status;
}

int cli_audit_run(const char *dir, const char *task, const char *auth,
		  const char *const *receipts, size_t n_receipts, const cli_audit_out *out)
{
	static const cli_audit_out none = { NULL, NULL, NULL, NULL };
	char tbuf[4200], err[600];
	sg_task *t = NULL;
	sg_pubdir p = { 0 };
	sg_audit_found found = { 0 };
	tally tl = { 0 };
	if (out == NULL)
		out = &none;
	if (task == NULL)
		task = default_task(tbuf, sizeof tbuf, dir);
	int status = load_task(&t, task, auth, &tl);
	if (status == 0 && sg_pubdir_read(&p, dir, err, sizeof err) != 0) {
		fprintf(stderr, "%s audit: %s\n", SG_PROG_NAME, err);
		status = 2;
	}
	if (status == 0)
		status = audit_folder(t, &p, &found, out->previous_log, receipts, n_receipts, &tl);
	if (status != 2) {
		if (tl.failed == 0)
			printf("verdict: all %u checks passed\n", tl.checks);
		else
			printf("verdict: %u of %u checks FAILED\n", tl.failed, tl.checks);
		status = tl.failed == 0 ? 0 : 1;
	}
	const audit_results res = { t, tl.lines, tl.checks <= tl.cap ? tl.checks : tl.cap,
				    tl.failed, &found };
	bool views = t != NULL && found.n > 0 && status != 2;
	if (views && out->json != NULL && audit_write_json(&res, out->json) != 0)
		status = 2;
	if (views && out->csv != NULL && audit_write_csv(&res, out->csv) != 0)
		status = 2;
	if (views && out->html != NULL && audit_write_html(&res, out->html) != 0)
		status = 2;
	tally_free(&tl);
	sg_audit_found_free(&found);
	sg_pubdir_free(&p);
	sg_task_free(t);
	return status;
}

int audit_main(int argc, char **argv)
{
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return 0;
	}
	if (sodium_init() < 0) {
		fprintf(stderr, "%s audit: libsodium failed to initialise\n", SG_PROG_NAME);
		return 2;
	}
	return audit(argc, argv);
}
