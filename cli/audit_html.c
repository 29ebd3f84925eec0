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
#include "html.h"
#include "spillguard.pb-c.h"
#include "subcommands.h"
#include "util/file.h"
#include "util/hex.h"
#include "wire/codec.h"

#define BAR_W 420 /* the longest bar, in px */

static const char *const COLORS[] = { "#2f6db5", "#e08a2c", "#3a9a5b", "#8e5cb8",
				      "#c2454b", "#2aa3a3", "#8b6d3f", "#5f7486" };

int audit_write_html(const audit_results *r, const char *path)
{
	const Spillguard__TaskBody *tb = r->task->body;
	size_t ni = tb->n_industries, nc = tb->n_categories;
	Spillguard__PublishedAggregate **pa = calloc(ni + 1, sizeof *pa);
	sg_wire_budget **pb = calloc(ni + 1, sizeof *pb);
	html_page p = { 0 };
	char hex[2 * SG_TASK_ID_BYTES + 1];
	if (pa == NULL || pb == NULL) {
		free(pa);
		free(pb);
		return 2;
	}
	for (size_t k = 0; k < ni; k++)
		pa[k] = audit_find_published(r, tb->industries[k]->id, &pb[k]);
	sg_hex_encode(hex, r->task->id, SG_TASK_ID_BYTES);
	html_put(&p, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
		"<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>");
	html_text(&p, tb->name);
	html_put(&p, " — industry knowledge benchmark</title><style>%s</style></head><body><main>\n",
	    HTML_STYLE);
	html_put(&p, "<h1>");
	html_text(&p, tb->name);
	html_put(&p, "</h1><p class=\"sub\">Industry knowledge benchmark: each industry's mean knowledge "
		"stock per category (TSK) and the industrial system's total (ISK). Task %.16s…</p>\n",
	    hex);
	html_put(&p, "<div class=\"banner %s\">%s — %zu of %zu checks passed</div>\n",
	    r->failed == 0 ? "ok" : "bad",
	    r->failed == 0 ? "Verified: every figure below checks against the aggregators' "
			     "signatures"
			   : "NOT verified: some checks failed (see the list below)",
	    r->n_lines - r->failed, r->n_lines);
	/* TSK by category, a bar per industry */
	html_put(&p, "<h2>TSK by category</h2>\n");
	for (size_t c = 0; c < nc; c++) {
		double max = 0;
		for (size_t k = 0; k < ni; k++)
			if (pa[k] != NULL && strtod(pa[k]->tsk[c], NULL) > max)
				max = strtod(pa[k]->tsk[c], NULL);
		html_put(&p, "<div class=\"card\"><h3>");
		html_text(&p, tb->categories[c]->name);
		html_put(&p, "</h3><svg role=\"img\" width=\"100%%\" viewBox=\"0 0 %d %zu\" "
			"xmlns=\"http://www.w3.org/2000/svg\">",
		    BAR_W + 260, ni * 26 + 4);
		for (size_t k = 0; k < ni; k++) {
			double v = pa[k] ? strtod(pa[k]->tsk[c], NULL) : 0;
			int w = max > 0 ? (int)(v / max * BAR_W + 0.5) : 0;
			size_t y = k * 26 + 2;
			html_put(&p, "<text x=\"0\" y=\"%zu\">", y + 15);
			html_text(&p, tb->industries[k]->name);
			html_put(&p, "</text><rect x=\"150\" y=\"%zu\" width=\"%d\" height=\"18\" rx=\"3\" "
				"fill=\"%s\"/><text x=\"%d\" y=\"%zu\">%s</text>",
			    y + 2, w, COLORS[k % (sizeof COLORS / sizeof COLORS[0])], 156 + w, y + 15,
			    pa[k] ? pa[k]->tsk[c] : "withheld");
		}
		html_put(&p, "</svg></div>\n");
	}
	/* the table: J_k and TSK, and the ISK */
	html_put(&p, "<h2>Figures</h2><div class=\"card\"><table><tr><th>Industry</th>"
		"<th class=\"num\">J<sub>k</sub></th>");
	for (size_t c = 0; c < nc; c++) {
		html_put(&p, "<th class=\"num\">");
		html_text(&p, tb->categories[c]->name);
		html_put(&p, "</th>");
	}
	html_put(&p, "</tr>\n");
	for (size_t k = 0; k < ni; k++) {
		html_put(&p, "<tr><td>");
		html_text(&p, tb->industries[k]->name);
		if (pa[k] == NULL) {
			html_put(&p, "</td><td colspan=\"%zu\" class=\"note\">withheld: fewer than %u "
				"enterprises (min_batch), not released</td></tr>\n",
			    nc + 1, tb->min_batch);
			continue;
		}
		html_put(&p, "</td><td class=\"num\">%llu</td>", (unsigned long long)pa[k]->report_count);
		for (size_t c = 0; c < nc; c++)
			html_put(&p, "<td class=\"num\">%s</td>", pa[k]->tsk[c]);
		html_put(&p, "</tr>\n");
	}
	sg_wire_budget *ib;
	Spillguard__IskSummary *s = audit_read_isk(r, &ib);
	html_put(&p, "<tr><th>ISK (Σ TSK)</th><td></td>");
	for (size_t c = 0; c < nc; c++)
		html_put(&p, "<th class=\"num\">%s</th>", s ? s->isk[c] : "–");
	html_put(&p, "</tr></table><p class=\"note\">TSK<sub>k</sub> = S<sub>k</sub> / J<sub>k</sub>: "
		"the mean over the J<sub>k</sub> enterprises of industry k; no single "
		"enterprise's figures are ever released.</p></div>\n");
	sg_wire_release(s ? &s->base : NULL, ib);
	/* every check */
	html_put(&p, "<h2>Checks</h2><div class=\"card\"><table>");
	for (size_t i = 0; i < r->n_lines; i++) {
		html_put(&p, "<tr><td class=\"check %s\">%s</td><td class=\"check\">",
		    r->lines[i].ok ? "pass" : "fail", r->lines[i].ok ? "ok" : "FAIL");
		html_text(&p, r->lines[i].text);
		html_put(&p, "</td></tr>\n");
	}
	html_put(&p, "</table></div></main></body></html>\n");
	for (size_t k = 0; k < ni; k++)
		sg_wire_release(pa[k] ? &pa[k]->base : NULL, pb[k]);
	free(pa);
	free(pb);
	return html_finish(&p, path, "audit");
}
