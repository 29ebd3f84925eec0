/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SG_UTIL_HEX_H
#define SG_UTIL_HEX_H

#include <stddef.h>
#include <stdint.h>

/* Writes 2*len lowercase hex digits and a NUL into out (2*len+1 bytes).
 * Not constant-time either: public data only (sodium_bin2hex for secrets). */
void sg_hex_encode(char *out, const uint8_t *in, size_t len);
/* Decodes hex_len digits (upper or lower case). Returns 0, or SG_ERR_PARSE on
 * an odd length or a non-hex digit, or SG_ERR_LENGTH if out_cap is too small
 * (checked in that order; out is untouched and *out_len is 0 on failure).
 * Not constant-time: for public data only. */
int sg_hex_decode_vartime(uint8_t *out, size_t out_cap, size_t *out_len,
			  const char *hex, size_t hex_len);
/* Same, allocating the output with malloc (NULL-safe for empty input:
 * returns a 1-byte allocation and *out_len = 0). */
int sg_hex_decode_alloc_vartime(uint8_t **out, size_t *out_len, const char *hex, size_t hex_len);

#endif
