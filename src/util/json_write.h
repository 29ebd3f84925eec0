/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SG_UTIL_JSON_WRITE_H
#define SG_UTIL_JSON_WRITE_H

/*
 * A small JSON writer for the human-readable views the tools publish.
 * Values go into a growing buffer, two-space indented; `key` is the member
 * name inside an object and NULL inside an array or at the top. Strings are
 * escaped per RFC 8259 (quote, backslash, control characters); the caller
 * passes valid UTF-8. The first failure (memory, nesting deeper than
 * SG_JW_MAX_DEPTH, a key where none belongs) sticks and sg_jw_finish
 * reports it, so the calls in between need no checks.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spillguard/export.h"

#define SG_JW_MAX_DEPTH 16

typedef struct sg_jw {
	char *buf;
	size_t len, cap;
	int err;
	unsigned depth;
	bool has_items[SG_JW_MAX_DEPTH + 1];
	bool in_object[SG_JW_MAX_DEPTH + 1];
} sg_jw;

void sg_jw_init(sg_jw *w);
void sg_jw_object(sg_jw *w, const char *key);
void sg_jw_array(sg_jw *w, const char *key);
void sg_jw_end(sg_jw *w); /* closes the innermost object or array */
void sg_jw_str(sg_jw *w, const char *key, const char *s);
void sg_jw_u64(sg_jw *w, const char *key, uint64_t v);
void sg_jw_hex(sg_jw *w, const char *key, const uint8_t *b, size_t n);

/* The document (malloc'd, NUL-terminated, a final newline) when every call
 * succeeded and every object and array was closed; else the sticking
 * error (SG_ERR_NOMEM, SG_ERR_STATE) and nothing. Frees w's buffer. */
SG_MUST_CHECK int sg_jw_finish(sg_jw *w, char **out, size_t *len);

#endif
