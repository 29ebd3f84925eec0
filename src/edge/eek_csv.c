/* SPDX-License-Identifier: Apache-2.0 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fixed.h"
#include "edge/eek_csv.h"
#include "spillguard/err.h"

#define MAX_FIELDS 3
#define ECHO_MAX 40 /* longest piece of input quoted back in a message */

typedef struct field {
	const char *s;
	size_t len;
} field;

/* One (position, category) seen in SEK mode, for duplicate detection. */
typedef struct seen_row {
	const char *pos; /* points into the scratch copy kept per row */
	size_t pos_len;
	size_t cat;
	size_t line;
	bool used;
} seen_row;

typedef struct parser {
	const sg_category *cats;
	size_t ncat;
	uint64_t *eek;
	size_t *first_line; /* EEK mode: line of each category's row, 0 if none */
	bool sek;           /* position,category,value */
	seen_row *seen;     /* SEK mode: open-addressing table */
	size_t seen_cap;
	char *pos_store; /* SEK mode: position names, concatenated */
	size_t pos_used;
	size_t line;
	char *err;
	size_t err_len;
} parser;

__attribute__((format(printf, 2, 3))) static int fail(parser *ps, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ps->err, ps->err_len, fmt, ap);
	va_end(ap);
	return SG_ERR_PARSE;
}

/* "text" cut to ECHO_MAX bytes for quoting in a message. */
static int echo_len(size_t len)
{
	return (int)(len > ECHO_MAX ? ECHO_MAX : len);
}

/*
 * Splits one line into fields, unquoting into scratch (at least line_len
 * bytes). Returns the number of fields, or -1 (too many) / -2 (bad quote).
 */
static int split(field *out, const char *s, size_t n, char *scratch)
{
	int nf = 0;
	size_t i = 0;
	for (;;) {
		if (nf == MAX_FIELDS)
			return -1;
		if (i < n && s[i] == '"') {
			out[nf].s = scratch;
			size_t k = 0;
			for (i++;; i++) {
				if (i >= n)
					return -2;
				if (s[i] == '"') {
					if (i + 1 < n && s[i + 1] == '"') {
						scratch[k++] = '"';
						i++;
						continue;
					}
					i++;
					break;
				}
				scratch[k++] = s[i];
			}
			out[nf].len = k;
			scratch += k;
			if (i < n && s[i] != ',')
				return -2;
		} else {
			size_t start = i;
			while (i < n && s[i] != ',' && s[i] != '"')
				i++;
			if (i < n && s[i] == '"')
				return -2;
			out[nf].s = s + start;
			out[nf].len = i - start;
		}
		nf++;
		if (i >= n)
			return nf;
		i++; /* the comma */
	}
}

static bool field_is(const field *f, const char *word)
{
	return f->len == strlen(word) && memcmp(f->s, word, f->len) == 0;
}

static int header(parser *ps, const field *f, int nf, const char *line, size_t n)
{
	if (nf == 2 && field_is(&f[0], "category") && field_is(&f[1], "value"))
		return 0;
	if (nf == 3 && field_is(&f[0], "position") && field_is(&f[1], "category") &&
	    field_is(&f[2], "value")) {
		ps->sek = true;
		return 0;
	}
	return fail(ps, "header must be 'category,value' or 'position,category,value', found '%.*s'",
		    echo_len(n), line);
}

static int find_category(parser *ps, const field *f, size_t *out)
{
	*out = 0;
	for (size_t c = 0; c < ps->ncat; c++) {
		if (strlen(ps->cats[c].name) == f->len && memcmp(ps->cats[c].name, f->s, f->len) == 0) {
			*out = c;
			return 0;
		}
	}
	return fail(ps, "unknown category '%.*s'", echo_len(f->len), f->s);
}

static uint64_t hash_row(const char *pos, size_t len, size_t cat)
{
	uint64_t h = 1469598103934665603ULL ^ cat;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)pos[i]) * 1099511628211ULL;
	return h;
}

/* SEK mode: each (position, category) once. */
static int sek_unique(parser *ps, const field *pos, size_t cat)
{
	size_t i = (size_t)(hash_row(pos->s, pos->len, cat) % ps->seen_cap);
	for (;; i = (i + 1) % ps->seen_cap) {
		seen_row *r = &ps->seen[i];
		if (!r->used)
			break;
		if (r->cat == cat && r->pos_len == pos->len && memcmp(r->pos, pos->s, pos->len) == 0)
			return fail(ps, "duplicate row for position '%.*s' and category '%s' (first at line %zu)",
				    echo_len(pos->len), pos->s, ps->cats[cat].name, r->line);
	}
	char *copy = ps->pos_store + ps->pos_used;
	memcpy(copy, pos->s, pos->len);
	ps->pos_used += pos->len;
	ps->seen[i] = (seen_row){ copy, pos->len, cat, ps->line, true };
	return 0;
}

static int row(parser *ps, const field *f, int nf)
{
	int want = ps->sek ? 3 : 2;
	size_t cat = 0;
	uint64_t v;
	if (nf != want)
		return fail(ps, "expected %d fields (%s), found %d", want,
			    ps->sek ? "position,category,value" : "category,value", nf);
	const field *fc = &f[want - 2], *fv = &f[want - 1];
	int ret = find_category(ps, fc, &cat);
	if (ret != 0)
		return ret;
	const sg_category *c = &ps->cats[cat];
	enum sg_fixed_status st = sg_fixed_parse(&v, fv->s, fv->len, c->decimals, c->max);
	if (st != SG_FIXED_OK)
		return fail(ps, "value '%.*s' for category '%s': %s", echo_len(fv->len), fv->s,
			    c->name, sg_fixed_strerror(st));
	if (!ps->sek) {
		if (ps->first_line[cat] != 0)
			return fail(ps, "duplicate row for category '%s' (first at line %zu)", c->name,
				    ps->first_line[cat]);
		ps->first_line[cat] = ps->line;
	} else if ((ret = sek_unique(ps, &f[0], cat)) != 0) {
		return ret;
	}
	if (v > c->max - ps->eek[cat])
		return fail(ps, "sum of category '%s' exceeds its maximum", c->name);
	ps->eek[cat] += v;
	return 0;
}

static int parse_lines(parser *ps, const char *text, size_t len, char *scratch)
{
	bool have_header = false;
	size_t pos = 0;
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len, n = end - pos;
		const char *s = text + pos;
		ps->line++;
		pos = end + 1;
		if (n > 0 && s[n - 1] == '\r')
			n--;
		if (n == 0)
			continue;
		if (memchr(s, '\0', n) != NULL)
			return fail(ps, "NUL byte in the line");
		field f[MAX_FIELDS];
		int nf = split(f, s, n, scratch);
		if (nf == -1)
			return fail(ps, "more than %d fields", MAX_FIELDS);
		if (nf == -2)
			return fail(ps, "unbalanced or misplaced double quote");
		int ret = have_header ? row(ps, f, nf) : header(ps, f, nf, s, n);
		if (ret != 0)
			return ret;
		have_header = true;
	}
	if (!have_header) {
		ps->line = 0;
		return fail(ps, "empty file: expected a header 'category,value' or 'position,category,value'");
	}
	return 0;
}

static size_t count_lines(const char *text, size_t len)
{
	size_t n = 1;
	for (size_t i = 0; i < len; i++)
		n += text[i] == '\n';
	return n;
}

int sg_eek_parse(uint64_t *eek, const sg_category *cats, size_t ncat, const char *text,
		 size_t len, size_t *line, char *err, size_t err_len)
{
	int ret = SG_ERR_NOMEM;
	parser ps = { .cats = cats, .ncat = ncat, .eek = eek, .err = err, .err_len = err_len };
	char *scratch = NULL;
	memset(eek, 0, ncat * sizeof *eek);
	*line = 0;
	if (err_len > 0)
		err[0] = '\0';
	if (len > SG_EEK_MAX_BYTES) {
		fail(&ps, "file larger than %zu bytes", SG_EEK_MAX_BYTES);
		ret = SG_ERR_LENGTH;
		goto cleanup;
	}
	ps.seen_cap = 2 * count_lines(text, len) + 1;
	scratch = malloc(len + 1);
	ps.pos_store = malloc(len + 1);
	ps.first_line = calloc(ncat + 1, sizeof *ps.first_line);
	ps.seen = calloc(ps.seen_cap, sizeof *ps.seen);
	if (!scratch || !ps.pos_store || !ps.first_line || !ps.seen)
		goto cleanup;
	ret = parse_lines(&ps, text, len, scratch);
cleanup:
	if (ret != 0) {
		memset(eek, 0, ncat * sizeof *eek);
		*line = ps.line;
		if (ret == SG_ERR_NOMEM)
			fail(&ps, "out of memory");
	}
	free(scratch);
	free(ps.pos_store);
	free(ps.first_line);
	free(ps.seen);
	return ret;
}
