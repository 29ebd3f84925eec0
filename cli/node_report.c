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
#include "edge/pubdir.h"
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
		"self-contained page, with whether its report was counted: the whole\n"
		"publication audited (as 'spillguard audit' does) and an inclusion proof of\n"
		"the receipt's report in its industry's report set, or its industry withheld\n"
		"by the signed record. The page is made on this machine from the CSV and the\n"
		"public publication; nothing is sent.\n\n"
		"Exit status: 0 the page is written and the report counted (or its industry\n"
		"withheld), 1 the page is written but the report is not proved counted or\n"
		"the publication does not verify, 2 usage or system error.\n",
		SG_PROG_NAME);
}

/* The report's fate by the audited publication, and its line. */
typedef struct fate {
	enum sg_audit_fate fate;
	char why[700];
} fate;

/* The page: verdict, then per category two bars (own EEK, industry TSK). */
static int write_page(const char *path, const sg_task *t, uint32_t industry, const uint64_t *eek,
		      const Spillguard__PublishedAggregate *pa, const fate *f,
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
	bool counted = f->fate == SG_FATE_COUNTED;
	html_put(&p, "</p>\n<div class=\"banner %s\">",
		 counted || f->fate == SG_FATE_WITHHELD ? "ok" : "bad");
	if (counted)
		html_put(&p, "Your report %s was counted: the whole publication checks against "
			     "every aggregator's signature, and your report is in the report set.",
			 report_hex);
	else if (f->fate == SG_FATE_WITHHELD)
		html_put(&p, "Your industry was withheld, as every aggregator signed: fewer "
			     "enterprises than min_batch took part, so nothing of it was released.");
	else {
		html_put(&p, "Your report %s is NOT proved counted: ", report_hex);
		html_text(&p, f->why);
	}
	html_put(&p, "</div>\n<h2>By category: you and your industry's mean (TSK)</h2>\n");
	for (size_t c = 0; pa != NULL && c < tb->n_categories; c++) {
		char own[SG_FIXED_TEXT_BYTES];
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
		html_put(&p, "<p class=\"note\">Your industry's figures are not published.</p>\n");
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
	char *csv = NULL, *rc = NULL, err[512], msg[512];
	size_t csv_len, rc_len;
	uint64_t *eek = NULL;
	uint8_t id[16];
	uint32_t industry;
	char hex[33];
	ProtobufCMessage *m = NULL;
	sg_wire_budget *b = NULL;
	sg_pubdir p = { 0 };
	sg_audit_found found = { 0 };
	fate f = { SG_FATE_UNVERIFIED, "" };
	status = 2;
	if (cli_task_load("node report", &t, task, NULL) != 0)
		goto cleanup;
	if (sg_file_read(&csv, &csv_len, input, MAX_FILE, err, sizeof err) != 0 ||
	    sg_file_read(&rc, &rc_len, receipt, MAX_FILE, err, sizeof err) != 0 ||
	    sg_pubdir_read(&p, published, err, sizeof err) != 0) {
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
	if (sg_audit_fate(&f.fate, &found, f.why, sizeof f.why, t, &p.files, (const uint8_t *)rc,
			  rc_len) != 0)
		goto cleanup;
	long k = sg_task_industry_index(t->body, industry);
	const Spillguard__PublishedAggregate *pa = NULL;
	if (f.fate == SG_FATE_COUNTED && k >= 0 && found.aggregate[k] != NULL &&
	    sg_wire_unpack(&m, &b, &spillguard__published_aggregate__descriptor,
			   found.aggregate[k], found.aggregate_len[k]) == 0 &&
	    ((Spillguard__PublishedAggregate *)m)->n_tsk == t->body->n_categories)
		pa = (const Spillguard__PublishedAggregate *)m;
	if (write_page(html, t, industry, eek, pa, &f, hex) != 0)
		goto cleanup;
	static const char *const said[] = { "counted", "NOT counted", "withheld", "NOT verified" };
	printf("%s: report %s: %s; page written to %s\n", said[f.fate], hex, f.why, html);
	status = f.fate == SG_FATE_COUNTED || f.fate == SG_FATE_WITHHELD ? 0 : 1;
cleanup:
	sg_wire_release(m, b);
	if (eek != NULL && t != NULL)
		memset(eek, 0, t->body->n_categories * sizeof *eek);
	free(eek);
	if (csv != NULL)
		memset(csv, 0, csv_len);
	free(csv);
	free(rc);
	sg_audit_found_free(&found);
	sg_pubdir_free(&p);
	sg_task_free(t);
	return status;
}
