/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spillguard node report: an enterprise's return for taking part - its own
 * knowledge stock (EEK, from its CSV, which never left the machine in the
 * clear) beside its industry's published TSK, on one self-contained page,
 * with the proof that its report was counted.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/fixed.h"
#include "edge/node.h"
#include "html.h"
#include "opts.h"
#include "protocol/audit.h"
#include "protocol/upload.h"
#include "subcommands.h"
#include "util/file.h"
#include "util/hex.h"
#include "wire/codec.h"

#define MAX_FILE ((size_t)16 << 20)
#define BAR_W 420

void node_report_usage(FILE *f)
{
	fprintf(f,
		"Usage: %s node report --input EEK.csv --receipt RECEIPT --published DIR\n"
		"                      --task TASK.sgt --html FILE\n\n"
		"The enterprise's own knowledge stock (read from the CSV it submitted)\n"
		"beside its industry's published TSK, category by category, on one\n"
		"self-contained page, with whether its report was counted: the industry's\n"
		"aggregate audited and an inclusion proof of the receipt's report in its\n"
		"report set. The page is made on this machine from the CSV and the public\n"
		"publication; nothing is sent.\n\n"
		"Exit status: 0 the page is written and the report counted, 1 the page is\n"
		"written but the report is not proved counted, 2 usage or system error.\n",
		SG_PROG_NAME);
}

typedef struct failures {
	int n;
	char first[400];
} failures;

static void note(void *ctx, bool ok, const char *check)
{
	failures *f = ctx;
	if (!ok && f->n++ == 0)
		snprintf(f->first, sizeof f->first, "%s", check);
}

static char *read_in(const char *dir, const char *name, size_t *len)
{
	char path[4200], err[300], *bytes = NULL;
	struct stat st;
	snprintf(path, sizeof path, "%s/%s", dir, name);
	if (stat(path, &st) != 0 || sg_file_read(&bytes, len, path, MAX_FILE, err, sizeof err) != 0)
		return NULL;
	return bytes;
}

/* The page: verdict, then per category two bars (own EEK, industry TSK). */
static int write_page(const char *path, const sg_task *t, uint32_t industry, const uint64_t *eek,
		      const Spillguard__PublishedAggregate *pa, const failures *f,
		      const char *report_hex)
{
	const Spillguard__TaskBody *tb = t->body;
	long k = sg_task_industry_index(tb, industry);
	html_page p = { 0 };
	html_put(&p, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
		     "<title>Your knowledge stock and your industry</title><style>%s</style>"
		     "</head><body><main>\n",
		 HTML_STYLE);
	html_put(&p, "<h1>Your knowledge stock and your industry</h1><p class=\"sub\">");
	html_text(&p, tb->name);
	html_put(&p, " — industry ");
	html_text(&p, k >= 0 ? tb->industries[k]->name : "?");
	if (pa != NULL)
		html_put(&p, ", %llu enterprises", (unsigned long long)pa->report_count);
	html_put(&p, "</p>\n<div class=\"banner %s\">", f->n == 0 ? "ok" : "bad");
	if (f->n == 0)
		html_put(&p, "Your report %s was counted: the published figures check against every "
			     "aggregator's signature, and your report is in the report set.",
			 report_hex);
	else {
		html_put(&p, "Your report %s is NOT proved counted: ", report_hex);
		html_text(&p, f->first);
	}
	html_put(&p, "</div>\n<h2>By category: you and your industry's mean (TSK)</h2>\n");
	for (size_t c = 0; pa != NULL && c < tb->n_categories; c++) {
		char own[32];
		unsigned dec = tb->categories[c]->decimals;
		sg_fixed_format(own, sizeof own, eek[c], dec);
		double a = strtod(own, NULL), b = strtod(pa->tsk[c], NULL), max = a > b ? a : b;
		int wa = max > 0 ? (int)(a / max * BAR_W + 0.5) : 0;
		int wb = max > 0 ? (int)(b / max * BAR_W + 0.5) : 0;
		html_put(&p, "<div class=\"card\"><h3>");
		html_text(&p, tb->categories[c]->name);
		html_put(&p, "</h3><svg role=\"img\" width=\"100%%\" viewBox=\"0 0 %d 56\" "
			     "xmlns=\"http://www.w3.org/2000/svg\">"
			     "<text x=\"0\" y=\"17\">you</text><rect x=\"150\" y=\"4\" width=\"%d\" "
			     "height=\"18\" rx=\"3\" fill=\"#e08a2c\"/><text x=\"%d\" y=\"17\">%s</text>"
			     "<text x=\"0\" y=\"43\">industry mean</text><rect x=\"150\" y=\"30\" "
			     "width=\"%d\" height=\"18\" rx=\"3\" fill=\"#2f6db5\"/>"
			     "<text x=\"%d\" y=\"43\">%s</text></svg></div>\n",
			 BAR_W + 260, wa, 156 + wa, own, wb, 156 + wb, pa->tsk[c]);
	}
	if (pa == NULL)
		html_put(&p, "<p class=\"note\">Your industry's figures are not published (withheld "
			     "below min_batch, or not yet out).</p>\n");
	html_put(&p, "<p class=\"note\">Your own figures come from your CSV on this machine; they "
		     "were sent only as secret shares, which no single aggregator can read. The "
		     "industry mean is over the enterprises of your industry; no single "
		     "enterprise's figures are ever released.</p></main></body></html>\n");
	return html_finish(&p, path, "node report");
}

int node_report_main(int argc, char **argv)
{
	const char *input = NULL, *receipt = NULL, *published = NULL, *task = NULL, *html = NULL;
	const cli_opt opts[] = { { "input", &input, NULL },	  { "receipt", &receipt, NULL },
				 { "published", &published, NULL }, { "task", &task, NULL },
				 { "html", &html, NULL },	  { NULL, NULL, NULL } };
	int status = cli_opts_parse("node report", opts, argc, argv, 1);
	if (status != 0)
		return status;
	if (!input || !receipt || !published || !task || !html) {
		fprintf(stderr, "%s node report: --input, --receipt, --published, --task and --html "
				"are needed (see --help)\n",
			SG_PROG_NAME);
		return 2;
	}
	sg_task *t = NULL;
	char *csv = NULL, *rc = NULL, *pub = NULL, *set = NULL, err[512], msg[512], name[64];
	size_t csv_len, rc_len, pub_len = 0, set_len = 0;
	uint64_t *eek = NULL;
	uint8_t id[16];
	uint32_t industry;
	char hex[33];
	ProtobufCMessage *m = NULL;
	sg_wire_budget *b = NULL;
	failures f = { 0, "" };
	status = 2;
	if (cli_task_load("node report", &t, task, NULL) != 0)
		goto cleanup;
	if (sg_file_read(&csv, &csv_len, input, MAX_FILE, err, sizeof err) != 0 ||
	    sg_file_read(&rc, &rc_len, receipt, MAX_FILE, err, sizeof err) != 0) {
		fprintf(stderr, "%s node report: %s\n", SG_PROG_NAME, err);
		goto cleanup;
	}
	eek = calloc(t->body->n_categories + 1, sizeof *eek);
	if (eek == NULL || sg_node_eek(eek, t, csv, csv_len, input, msg, sizeof msg) != 0) {
		fprintf(stderr, "%s node report: %s\n", SG_PROG_NAME, eek ? msg : "out of memory");
		goto cleanup;
	}
	if (sg_receipt_open(id, &industry, t, (const uint8_t *)rc, rc_len, msg, sizeof msg) != 0) {
		fprintf(stderr, "%s node report: %s: %s\n", SG_PROG_NAME, receipt, msg);
		goto cleanup;
	}
	sg_hex_encode(hex, id, sizeof id);
	snprintf(name, sizeof name, "industry-%u.pb", industry);
	pub = read_in(published, name, &pub_len);
	snprintf(name, sizeof name, "industry-%u.reports.pb", industry);
	set = read_in(published, name, &set_len);
	snprintf(name, sizeof name, "industry %u", industry);
	if (sg_audit_aggregate(t, (uint8_t *)pub, pub_len, name, note, &f) < 0 ||
	    sg_audit_report_set(t, (uint8_t *)pub, pub_len, (uint8_t *)set, set_len, name, note,
				&f) < 0 ||
	    sg_audit_counted(t, id, (uint8_t *)pub, pub_len, (uint8_t *)set, set_len, name, note,
			     &f) < 0)
		goto cleanup;
	const Spillguard__PublishedAggregate *pa = NULL;
	if (pub != NULL && sg_wire_unpack(&m, &b, &spillguard__published_aggregate__descriptor,
					  (uint8_t *)pub, pub_len) == 0 &&
	    ((Spillguard__PublishedAggregate *)m)->n_tsk == t->body->n_categories)
		pa = (const Spillguard__PublishedAggregate *)m;
	if (write_page(html, t, industry, eek, pa, &f, hex) != 0)
		goto cleanup;
	printf("%s: report %s %s; page written to %s\n", f.n == 0 ? "counted" : "NOT counted", hex,
	       f.n == 0 ? "is in its industry's published report set" : f.first, html);
	status = f.n == 0 ? 0 : 1;
cleanup:
	sg_wire_release(m, b);
	if (eek != NULL && t != NULL)
		memset(eek, 0, t->body->n_categories * sizeof *eek);
	free(eek);
	if (csv != NULL)
		memset(csv, 0, csv_len);
	free(csv);
	free(rc);
	free(pub);
	free(set);
	sg_task_free(t);
	return status;
}
