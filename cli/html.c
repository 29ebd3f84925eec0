/* SPDX-License-Identifier: Apache-2.0 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "html.h"
#include "subcommands.h"
#include "util/file.h"

const char HTML_STYLE[] =
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

void html_put(html_page *p, const char *fmt, ...)
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

void html_text(html_page *p, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&': html_put(p, "&amp;"); break;
		case '<': html_put(p, "&lt;"); break;
		case '>': html_put(p, "&gt;"); break;
		case '"': html_put(p, "&quot;"); break;
		default: html_put(p, "%c", *s);
		}
	}
}

int html_finish(html_page *p, const char *path, const char *cmd)
{
	char err[300];
	int ret = 2;
	if (p->failed)
		fprintf(stderr, "%s %s: %s: out of memory\n", SG_PROG_NAME, cmd, path);
	else if (sg_file_write(path, (const uint8_t *)p->buf, p->len, 0644, true, err, sizeof err) != 0)
		fprintf(stderr, "%s %s: %s\n", SG_PROG_NAME, cmd, err);
	else
		ret = 0;
	free(p->buf);
	*p = (html_page){ 0 };
	return ret;
}
