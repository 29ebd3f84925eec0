/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SG_UTIL_JSON_H
#define SG_UTIL_JSON_H

/*
 * A small strict JSON (RFC 8259) reader for the project's own inputs: test
 * vectors and, later, task authoring files. The whole document is parsed
 * into a tree; numbers keep their source text so callers can read exact
 * integers and fixed-point decimals without going through double.
 * Depth, string length and document size are bounded; errors say where.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum sg_json_type {
	SG_JSON_NULL,
	SG_JSON_BOOL,
	SG_JSON_NUMBER,
	SG_JSON_STRING,
	SG_JSON_ARRAY,
	SG_JSON_OBJECT,
} sg_json_type;

typedef struct sg_json sg_json;

/* Containers nest at most this deep ("[[1]]" has depth 2). */
#define SG_JSON_MAX_DEPTH 64
/* Largest document accepted, which also bounds every string. */
#define SG_JSON_MAX_BYTES ((size_t)64 << 20)

/* Parses text[0..len). On failure returns a negative sg_err (SG_ERR_PARSE,
 * SG_ERR_NOMEM), sets *out to NULL and writes "line L column C: reason" into
 * err (lines and columns from 1, columns counted in characters); err may be
 * NULL when err_len is 0. */
int sg_json_parse(sg_json **out, const char *text, size_t len, char *err, size_t err_len);
/* Reads and parses a file of at most SG_JSON_MAX_BYTES; err names the file
 * on failure ("path: line L column C: reason", "path: No such file ...").
 * Returns SG_ERR_IO when the file cannot be read. */
int sg_json_load_file(sg_json **out, const char *path, char *err, size_t err_len);
/* Frees a whole document; j must be the root that parse/load returned, or NULL. */
void sg_json_free(sg_json *j);

/* The accessors below take NULL for j (as returned by a failed lookup) and
 * then answer as for a value of the wrong type; sg_json_type_of(NULL) is
 * SG_JSON_NULL. Objects never hold duplicate keys (the parser rejects them). */

sg_json_type sg_json_type_of(const sg_json *j);
/* Object member by key, NULL if absent or j is not an object. */
const sg_json *sg_json_get(const sg_json *j, const char *key);
/* Number of elements of an array or members of an object; 0 otherwise. */
size_t sg_json_len(const sg_json *j);
/* Element i of an array, or value of member i of an object; NULL if out of range. */
const sg_json *sg_json_at(const sg_json *j, size_t i);
/* Key of member i of an object; NULL if out of range. */
const char *sg_json_key_at(const sg_json *j, size_t i);
/* String value (decoded, NUL-terminated; len excludes the NUL); NULL if not a string. */
const char *sg_json_str(const sg_json *j, size_t *len);
/* Source text of a number; NULL if not a number. */
const char *sg_json_num_text(const sg_json *j);
/* True if j is a number written as a non-negative integer that fits. */
bool sg_json_u64(const sg_json *j, uint64_t *out);
bool sg_json_bool(const sg_json *j, bool *out);
bool sg_json_is_null(const sg_json *j);

#endif
