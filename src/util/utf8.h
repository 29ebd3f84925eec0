/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SG_UTIL_UTF8_H
#define SG_UTIL_UTF8_H

/*
 * Strict UTF-8 (RFC 3629): no overlong forms, no surrogates (U+D800..DFFF),
 * nothing above U+10FFFF. Shared by the JSON reader and, later, CSV input.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bytes in the well-formed sequence at s[0..avail) (1 for ASCII), 0 if it is
 * not well formed or avail is 0. */
size_t sg_utf8_seq_len(const uint8_t *s, size_t avail);
/* True if s[0..len) is entirely well-formed UTF-8. */
bool sg_utf8_valid(const uint8_t *s, size_t len);
/* Encodes a scalar value (cp <= 0x10FFFF, not a surrogate) into out; returns
 * the byte count 1..4. Other values abort (a caller's bug). */
size_t sg_utf8_put(char out[static 4], uint32_t cp);

#endif
