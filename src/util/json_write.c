/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spillguard/err.h"
#include "util/hex.h"
#include "util/json_write.h"

void sg_jw_init(sg_jw *w)
{
	memset(w, 0, sizeof *w);
}

static void put(sg_jw *w, const char *s, size_t n)
{
	if (w->err != 0)
		return;
	if (w->len + n + 1 > w->cap) {
		size_t cap = w->cap ? w->cap : 256;
		while (w->len + n + 1 > cap)
			cap *= 2;
		char *grown = realloc(w->buf, cap);
		if (grown == NULL) {
			w->err = SG_ERR_NOMEM;
			return;
		}
		w->buf = grown;
		w->cap = cap;
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = '\0';
}

static void puts_(sg_jw *w, const char *s)
{
	put(w, s, strlen(s));
}

static void indent(sg_jw *w)
{
	put(w, "\n", 1);
	for (unsigned i = 0; i < w->depth; i++)
		put(w, "  ", 2);
}

static void quoted(sg_jw *w, const char *s)
{
	put(w, "\"", 1);
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
		char esc[8];
		if (*p == '"' || *p == '\\') {
			esc[0] = '\\';
			esc[1] = (char)*p;
			put(w, esc, 2);
		} else if (*p < 0x20) {
			snprintf(esc, sizeof esc, "\\u%04x", *p);
			put(w, esc, 6);
		} else {
			put(w, (const char *)p, 1);
		}
	}
	put(w, "\"", 1);
}

/* The separator, indentation and member name before a value. */
static void lead(sg_jw *w, const char *key)
{
	if (w->err != 0)
		return;
	bool obj = w->depth > 0 && w->in_object[w->depth];
	if ((key != NULL) != obj || (w->depth == 0 && w->len > 0)) {
		w->err = SG_ERR_STATE; /* a key where none belongs, or two top values */
		return;
	}
	if (w->depth > 0) {
		if (w->has_items[w->depth])
			put(w, ",", 1);
		w->has_items[w->depth] = true;
		indent(w);
	}
	if (key != NULL) {
		quoted(w, key);
		put(w, ": ", 2);
	}
}

static void open_(sg_jw *w, const char *key, bool object)
{
	lead(w, key);
	if (w->err == 0 && w->depth == SG_JW_MAX_DEPTH)
		w->err = SG_ERR_STATE;
	if (w->err != 0)
		return;
	put(w, object ? "{" : "[", 1);
	w->depth++;
	w->has_items[w->depth] = false;
	w->in_object[w->depth] = object;
}

void sg_jw_object(sg_jw *w, const char *key)
{
	open_(w, key, true);
}

void sg_jw_array(sg_jw *w, const char *key)
{
	open_(w, key, false);
}

void sg_jw_end(sg_jw *w)
{
	if (w->err == 0 && w->depth == 0)
		w->err = SG_ERR_STATE;
	if (w->err != 0)
		return;
	bool obj = w->in_object[w->depth], items = w->has_items[w->depth];
	w->depth--;
	if (items)
		indent(w);
	put(w, obj ? "}" : "]", 1);
}

void sg_jw_str(sg_jw *w, const char *key, const char *s)
{
	lead(w, key);
	quoted(w, s);
}

void sg_jw_u64(sg_jw *w, const char *key, uint64_t v)
{
	char num[24];
	lead(w, key);
	snprintf(num, sizeof num, "%llu", (unsigned long long)v);
	puts_(w, num);
}

void sg_jw_hex(sg_jw *w, const char *key, const uint8_t *b, size_t n)
{
	char *hex = malloc(2 * n + 1);
	if (hex == NULL) {
		if (w->err == 0)
			w->err = SG_ERR_NOMEM;
		return;
	}
	sg_hex_encode(hex, b, n);
	sg_jw_str(w, key, hex);
	free(hex);
}

int sg_jw_finish(sg_jw *w, char **out, size_t *len)
{
	*out = NULL;
	*len = 0;
	if (w->err == 0 && (w->depth != 0 || w->len == 0))
		w->err = SG_ERR_STATE;
	put(w, "\n", 1);
	int ret = w->err;
	if (ret == 0) {
		*out = w->buf;
		*len = w->len;
	} else {
		free(w->buf);
	}
	memset(w, 0, sizeof *w);
	return ret;
}
