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
#include "opts.h"
#include "protocol/audit.h"
#include "protocol/upload.h"
#include "spillguard/keys.h"
#include "subcommands.h"
#include "util/file.h"
#include "wire/codec.h"

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

/* DIR/NAME's bytes: 0, 1 when there is no such file, 2 on another error. */
static int read_pub(char **bytes, size_t *len, const char *dir, const char *name)
{
	char path[4200], err[300];
	struct stat st;
	snprintf(path, sizeof path, "%s/%s", dir, name);
	*bytes = NULL;
	*len = 0;
	if (stat(path, &st) != 0)
		return 1;
	if (sg_file_read(bytes, len, path, MAX_PUB_BYTES, err, sizeof err) != 0) {
		fprintf(stderr, "%s audit: %s\n", SG_PROG_NAME, err);
		return 2;
	}
	return 0;
}

/* An industry's report set against its aggregate. */
static int audit_set(const sg_task *t, const char *dir, uint32_t id, const char *name,
		     const uint8_t *pub, size_t pub_len, tally *tl)
{
	char file[64], *set;
	size_t set_len;
	snprintf(file, sizeof file, "industry-%u.reports.pb", id);
	int got = read_pub(&set, &set_len, dir, file);
	if (got == 2)
		return 2;
	int ret = sg_audit_report_set(t, pub, pub_len, (const uint8_t *)set, set_len, name, say, tl);
	free(set);
	return ret < 0 ? 2 : 0;
}

/* The round's log against the artefacts found: the published aggregates
 * (in the task's order) and the ISK summary. */
static int audit_log(const sg_task *t, const char *dir, uint8_t *const *pubs, const size_t *lens,
		     size_t n, const char *previous, tally *tl)
{
	char *log = NULL, *isk = NULL;
	size_t log_len = 0, isk_len = 0, k = 0;
	int got = read_pub(&log, &log_len, dir, "log.pb");
	if (got == 2)
		return 2;
	if (got == 1) {
		say(tl, n == 0, "log: log.pb is there when an industry is published");
		return 0;
	}
	const uint8_t **arts = calloc(n + 2, sizeof *arts);
	size_t *art_lens = calloc(n + 2, sizeof *art_lens);
	char (*names)[64] = calloc(n + 2, sizeof *names);
	const char **name_ptrs = calloc(n + 2, sizeof *name_ptrs);
	int ret = arts && art_lens && names && name_ptrs ? 0 : 2;
	for (size_t i = 0; ret == 0 && i < t->body->n_industries && k < n; i++) {
		ProtobufCMessage *m = NULL;
		sg_wire_budget *b = NULL;
		if (sg_wire_unpack(&m, &b, &spillguard__published_aggregate__descriptor, pubs[k],
				   lens[k]) == 0 &&
		    ((Spillguard__PublishedAggregate *)m)->industry == t->body->industries[i]->id) {
			snprintf(names[k], sizeof names[k], "industry %u's aggregate",
				 t->body->industries[i]->id);
			name_ptrs[k] = names[k];
			arts[k] = pubs[k];
			art_lens[k] = lens[k];
			k++;
		}
		sg_wire_release(m, b);
	}
	if (ret == 0 && (got = read_pub(&isk, &isk_len, dir, "isk.pb")) == 2)
		ret = 2;
	if (ret == 0 && got == 0) {
		snprintf(names[k], sizeof names[k], "the ISK summary");
		name_ptrs[k] = names[k];
		arts[k] = (const uint8_t *)isk;
		art_lens[k++] = isk_len;
	}
	if (ret == 0 && sg_audit_log(t, (const uint8_t *)log, log_len, name_ptrs, arts, art_lens, k,
				     say, tl) < 0)
		ret = 2;
	char *old = NULL, err[300];
	size_t old_len = 0;
	if (ret == 0 && previous != NULL &&
	    sg_file_read(&old, &old_len, previous, MAX_PUB_BYTES, err, sizeof err) != 0) {
		fprintf(stderr, "%s audit: %s\n", SG_PROG_NAME, err);
		ret = 2;
	}
	if (ret == 0 && previous != NULL &&
	    sg_audit_log_consistency(t, (const uint8_t *)old, old_len, (const uint8_t *)log,
				     log_len, say, tl) < 0)
		ret = 2;
	free(old);
	free(arts);
	free(art_lens);
	free(names);
	free(name_ptrs);
	free(isk);
	free(log);
	return ret;
}

/* A receipt: the leader's, for a report counted in its industry. */
static int audit_receipt(const sg_task *t, const char *dir, const char *path, tally *tl)
{
	char *rc = NULL, *pub = NULL, *set = NULL, err[300], msg[200], file[64], name[4300];
	size_t rc_len, pub_len, set_len;
	uint8_t id[16];
	uint32_t industry;
	int ret = 2;
	if (sg_file_read(&rc, &rc_len, path, MAX_PUB_BYTES, err, sizeof err) != 0) {
		fprintf(stderr, "%s audit: %s\n", SG_PROG_NAME, err);
		return 2;
	}
	snprintf(name, sizeof name, "receipt %s", path);
	bool ok = sg_receipt_open(id, &industry, t, (const uint8_t *)rc, rc_len, msg, sizeof msg) == 0;
	snprintf(name + strlen(name), sizeof name - strlen(name), ": signed by the task's leader%s%s",
		 ok ? "" : ": ", ok ? "" : msg);
	say(tl, ok, name);
	if (!ok) {
		ret = 0;
		goto cleanup;
	}
	snprintf(file, sizeof file, "industry-%u.pb", industry);
	int got = read_pub(&pub, &pub_len, dir, file);
	snprintf(file, sizeof file, "industry-%u.reports.pb", industry);
	if (got == 0)
		got = read_pub(&set, &set_len, dir, file);
	if (got == 2)
		goto cleanup;
	snprintf(name, sizeof name, "receipt %s (industry %u)", path, industry);
	ret = sg_audit_counted(t, id, (const uint8_t *)pub, pub_len, (const uint8_t *)set, set_len,
			       name, say, tl) < 0
		      ? 2
		      : 0;
cleanup:
	free(rc);
	free(pub);
	free(set);
	return ret;
}

/* Every published industry's file, in the task's order, audited; the
 * bytes kept for the ISK. Returns 0, or 2 on a system error. */
static int audit_industries(const sg_task *t, const char *dir, uint8_t **pubs, size_t *lens,
			    size_t *n, tally *tl)
{
	for (size_t k = 0; k < t->body->n_industries; k++) {
		const Spillguard__Industry *ind = t->body->industries[k];
		char path[4200], name[200], err[300], *bytes = NULL;
		size_t len;
		struct stat st;
		snprintf(path, sizeof path, "%s/industry-%u.pb", dir, ind->id);
		if (stat(path, &st) != 0) {
			printf("--   industry %u (%s): not published (withheld)\n", ind->id, ind->name);
			continue;
		}
		if (sg_file_read(&bytes, &len, path, MAX_PUB_BYTES, err, sizeof err) != 0) {
			fprintf(stderr, "%s audit: %s\n", SG_PROG_NAME, err);
			return 2;
		}
		snprintf(name, sizeof name, "industry %u (%s)", ind->id, ind->name);
		if (sg_audit_aggregate(t, (const uint8_t *)bytes, len, name, say, tl) < 0) {
			free(bytes);
			fprintf(stderr, "%s audit: out of memory\n", SG_PROG_NAME);
			return 2;
		}
		pubs[*n] = (uint8_t *)bytes;
		lens[(*n)++] = len;
		if (audit_set(t, dir, ind->id, name, (const uint8_t *)bytes, len, tl) != 0)
			return 2;
	}
	return 0;
}

static int audit_isk(const sg_task *t, const char *dir, uint8_t *const *pubs,
		     const size_t *lens, size_t n, tally *tl)
{
	char path[4200], err[300], *bytes = NULL;
	size_t len;
	struct stat st;
	snprintf(path, sizeof path, "%s/isk.pb", dir);
	if (stat(path, &st) != 0) {
		say(tl, n == 0, "ISK: isk.pb is there when an industry is published");
		return 0;
	}
	if (sg_file_read(&bytes, &len, path, MAX_PUB_BYTES, err, sizeof err) != 0) {
		fprintf(stderr, "%s audit: %s\n", SG_PROG_NAME, err);
		return 2;
	}
	int ret = sg_audit_isk(t, (const uint8_t *)bytes, len, (const uint8_t *const *)pubs, lens, n,
			       say, tl) < 0
			  ? 2
			  : 0;
	free(bytes);
	return ret;
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
	if (out == NULL)
		out = &none;
	const char *json = out->json, *csv = out->csv, *html = out->html,
		   *previous = out->previous_log;
	char tbuf[4200];
	int status;
	if (task == NULL)
		task = default_task(tbuf, sizeof tbuf, dir);
	sg_task *t = NULL;
	tally tl = { 0 };
	if (cli_task_load("audit", &t, task, auth) != 0)
		return 2;
	say(&tl, true, auth ? "task: signed by the authority given" : "task: signed by its authority");
	size_t n = 0, nind = t->body->n_industries;
	uint8_t **pubs = calloc(nind + 1, sizeof *pubs);
	size_t *lens = calloc(nind + 1, sizeof *lens);
	status = pubs && lens ? audit_industries(t, dir, pubs, lens, &n, &tl) : 2;
	if (status == 0)
		status = audit_isk(t, dir, pubs, lens, n, &tl);
	if (status == 0)
		status = audit_log(t, dir, pubs, lens, n, previous, &tl);
	for (size_t i = 0; status == 0 && i < n_receipts; i++)
		status = audit_receipt(t, dir, receipts[i], &tl);
	if (status == 0) {
		if (tl.failed == 0)
			printf("verdict: all %u checks passed\n", tl.checks);
		else
			printf("verdict: %u of %u checks FAILED\n", tl.failed, tl.checks);
		status = tl.failed == 0 ? 0 : 1;
	}
	const audit_results res = { t,	 dir, tl.lines, tl.checks <= tl.cap ? tl.checks : tl.cap,
				    tl.failed, pubs, lens, n };
	if (status != 2 && json != NULL && audit_write_json(&res, json) != 0)
		status = 2;
	if (status != 2 && csv != NULL && audit_write_csv(&res, csv) != 0)
		status = 2;
	if (status != 2 && html != NULL && audit_write_html(&res, html) != 0)
		status = 2;
	tally_free(&tl);
	for (size_t k = 0; pubs != NULL && k < n; k++)
		free(pubs[k]);
	free(pubs);
	free(lens);
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
