/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The audit as one self-contained HTML page (no script, no external file):
 * the verdict, each category's TSK by industry as inline SVG bars, the ISK,
 * and every check.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit_report.h"
#include "spillguard.pb-c.h"
#include "subcommands.h"
#include "util/file.h"
#include "util/hex.h"
#include "wire/codec.h"

#define BAR_W 420 /* the longest bar, in px */

typedef struct page {
	char *buf;
	size_t len, cap;
	bool failed; /* out of memory */
} page;

__attribute__((format(printf, 2, 3))) static void put(page *p, const char *fmt, ...)
{
	va_list ap;
	for (int pass = 0; pass < 2 && !p->failed; pass++) {
		va_start(ap, fmt);
		int n = vsnprintf(p->buf ? p->buf + p->len : NULL, p->buf ? p->cap - p->len : 0, fmt,
				  ap);
		va_end(ap);
		if (n < 0) {
			p->failed = true;
		} else if (p->buf != NULL && (size_t)n < p->cap - p->len) {
			p->len += (size_t)n;
			return;
		} else {
			size_t cap = (p->cap + (size_t)n + 1) * 2;
			char *more = realloc(p->buf, cap);
			p->failed = more == NULL;
			p->buf = more ? more : p->buf;
			p->cap = more ? cap : p->cap;
		}
	}
}

/* Text for HTML: & < > " escaped. */
static void put_text(page *p, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&': put(p, "&amp;"); break;
		case '<': put(p, "&lt;"); break;
		case '>': put(p, "&gt;"); break;
		case '"': put(p, "&quot;"); break;
		default: put(p, "%c", *s);
		}
	}
}

static const char *const STYLE =
	"body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:0;color:#1d2733;"
	"background:#f4f6f8}main{max-width:980px;margin:0 auto;padding:32px 24px}"
	"h1{font-size:26px;margin:0 0 4px}h2{font-size:19px;margin:32px 0 12px}"
	".sub{color:#5b6b7b;margin:0 0 20px}.banner{border-radius:8px;padding:14px 18px;"
	"font-weight:600;margin:16px 0}.ok{background:#e3f4e8;color:#17603a;border:1px solid #9fd6b2}"
	".bad{background:#fbe6e6;color:#8a1c1c;border:1px solid #eaa9a9}"
	".card{background:#fff;border:1px solid #dde3e9;border-radius:8px;padding:16px 20px;"
	"margin:12px 0}.card h3{margin:0 0 8px;font-size:16px}table{border-collapse:collapse;"
	"width:100%}td,th{text-align:left;padding:6px 8px;border-bottom:1px solid #eef1f4;"
	"font-size:14px}th{color:#5b6b7b;font-weight:600}.num{text-align:right;"
	"font-variant-numeric:tabular-nums}.check{font-size:13px;font-family:ui-monospace,monospace}"
	".pass{color:#17603a}.fail{color:#8a1c1c;font-weight:700}svg text{font-size:12px;"
	"fill:#1d2733}.note{color:#5b6b7b;font-size:13px}";

static const char *const COLORS[] = { "#2f6db5", "#e08a2c", "#3a9a5b", "#8e5cb8",
				      "#c2454b", "#2aa3a3", "#8b6d3f", "#5f7486" };

int audit_write_html(const audit_results *r, const char *path)
{
	const Spillguard__TaskBody *tb = r->task->body;
	size_t ni = tb->n_industries, nc = tb->n_categories;
	Spillguard__PublishedAggregate **pa = calloc(ni + 1, sizeof *pa);
	sg_wire_budget **pb = calloc(ni + 1, sizeof *pb);
	page p = { 0 };
	char hex[2 * SG_TASK_ID_BYTES + 1], err[300];
	if (pa == NULL || pb == NULL) {
		free(pa);
		free(pb);
		return 2;
	}
	for (size_t k = 0; k < ni; k++)
		pa[k] = audit_find_published(r, tb->industries[k]->id, &pb[k]);
	sg_hex_encode(hex, r->task->id, SG_TASK_ID_BYTES);
	put(&p, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
		"<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>");
	put_text(&p, tb->name);
	put(&p, " — industry knowledge benchmark</title><style>%s</style></head><body><main>\n",
	    STYLE);
	put(&p, "<h1>");
	put_text(&p, tb->name);
	put(&p, "</h1><p class=\"sub\">Industry knowledge benchmark: each industry's mean knowledge "
		"stock per category (TSK) and the industrial system's total (ISK). Task %.16s…</p>\n",
	    hex);
	put(&p, "<div class=\"banner %s\">%s — %zu of %zu checks passed</div>\n",
	    r->failed == 0 ? "ok" : "bad",
	    r->failed == 0 ? "Verified: every figure below checks against the aggregators' "
			     "signatures"
			   : "NOT verified: some checks failed (see the list below)",
	    r->n_lines - r->failed, r->n_lines);
	/* TSK by category, a bar per industry */
	put(&p, "<h2>TSK by category</h2>\n");
	for (size_t c = 0; c < nc; c++) {
		double max = 0;
		for (size_t k = 0; k < ni; k++)
			if (pa[k] != NULL && strtod(pa[k]->tsk[c], NULL) > max)
				max = strtod(pa[k]->tsk[c], NULL);
		put(&p, "<div class=\"card\"><h3>");
		put_text(&p, tb->categories[c]->name);
		put(&p, "</h3><svg role=\"img\" width=\"100%%\" viewBox=\"0 0 %d %zu\" "
			"xmlns=\"http://www.w3.org/2000/svg\">",
		    BAR_W + 260, ni * 26 + 4);
		for (size_t k = 0; k < ni; k++) {
			double v = pa[k] ? strtod(pa[k]->tsk[c], NULL) : 0;
			int w = max > 0 ? (int)(v / max * BAR_W + 0.5) : 0;
			size_t y = k * 26 + 2;
			put(&p, "<text x=\"0\" y=\"%zu\">", y + 15);
			put_text(&p, tb->industries[k]->name);
			put(&p, "</text><rect x=\"150\" y=\"%zu\" width=\"%d\" height=\"18\" rx=\"3\" "
				"fill=\"%s\"/><text x=\"%d\" y=\"%zu\">%s</text>",
			    y + 2, w, COLORS[k % (sizeof COLORS / sizeof COLORS[0])], 156 + w, y + 15,
			    pa[k] ? pa[k]->tsk[c] : "withheld");
		}
		put(&p, "</svg></div>\n");
	}
	/* the table: J_k and TSK, and the ISK */
	put(&p, "<h2>Figures</h2><div class=\"card\"><table><tr><th>Industry</th>"
		"<th class=\"num\">J<sub>k</sub></th>");
	for (size_t c = 0; c < nc; c++) {
		put(&p, "<th class=\"num\">");
		put_text(&p, tb->categories[c]->name);
		put(&p, "</th>");
	}
	put(&p, "</tr>\n");
	for (size_t k = 0; k < ni; k++) {
		put(&p, "<tr><td>");
		put_text(&p, tb->industries[k]->name);
		if (pa[k] == NULL) {
			put(&p, "</td><td colspan=\"%zu\" class=\"note\">withheld: fewer than %u "
				"enterprises (min_batch), not released</td></tr>\n",
			    nc + 1, tb->min_batch);
			continue;
		}
		put(&p, "</td><td class=\"num\">%llu</td>", (unsigned long long)pa[k]->report_count);
		for (size_t c = 0; c < nc; c++)
			put(&p, "<td class=\"num\">%s</td>", pa[k]->tsk[c]);
		put(&p, "</tr>\n");
	}
	sg_wire_budget *ib;
	Spillguard__IskSummary *s = audit_read_isk(r, &ib);
	put(&p, "<tr><th>ISK (Σ TSK)</th><td></td>");
	for (size_t c = 0; c < nc; c++)
		put(&p, "<th class=\"num\">%s</th>", s ? s->isk[c] : "–");
	put(&p, "</tr></table><p class=\"note\">TSK<sub>k</sub> = S<sub>k</sub> / J<sub>k</sub>: "
		"the mean over the J<sub>k</sub> enterprises of industry k; no single "
		"enterprise's figures are ever released.</p></div>\n");
	sg_wire_release(s ? &s->base : NULL, ib);
	/* every check */
	put(&p, "<h2>Checks</h2><div class=\"card\"><table>");
	for (size_t i = 0; i < r->n_lines; i++) {
		put(&p, "<tr><td class=\"check %s\">%s</td><td class=\"check\">",
		    r->lines[i].ok ? "pass" : "fail", r->lines[i].ok ? "ok" : "FAIL");
		put_text(&p, r->lines[i].text);
		put(&p, "</td></tr>\n");
	}
	put(&p, "</table></div></main></body></html>\n");
	for (size_t k = 0; k < ni; k++)
		sg_wire_release(pa[k] ? &pa[k]->base : NULL, pb[k]);
	free(pa);
	free(pb);
	int ret = 2;
	if (p.failed)
		fprintf(stderr, "%s audit: %s: out of memory\n", SG_PROG_NAME, path);
	else if (sg_file_write(path, (const uint8_t *)p.buf, p.len, 0644, true, err, sizeof err) != 0)
		fprintf(stderr, "%s audit: %s\n", SG_PROG_NAME, err);
	else
		ret = 0;
	free(p.buf);
	return ret;
}
