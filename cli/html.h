/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SG_CLI_HTML_H
#define SG_CLI_HTML_H

/*
 * Self-contained HTML pages (the audit's, an enterprise's report): text
 * gathered in a growing buffer, escaping for names from the task, one
 * style sheet, and the page written atomically.
 */
#include <stdbool.h>
#include <stddef.h>

typedef struct html_page {
	char *buf;
	size_t len, cap;
	bool failed; /* out of memory: html_finish reports it */
} html_page;

__attribute__((format(printf, 2, 3))) void html_put(html_page *p, const char *fmt, ...);
/* Text with & < > " escaped. */
void html_text(html_page *p, const char *s);
/* Writes the page to path and frees it: 0, or 2 after "spillguard CMD: ...". */
int html_finish(html_page *p, const char *path, const char *cmd);

extern const char HTML_STYLE[];

#endif
