/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SG_UTIL_Z85_H
#define SG_UTIL_Z85_H

/*
 * Z85, ZeroMQ RFC 32: the text form of CURVE keys in ZeroMQ configuration
 * (32 bytes <-> 40 characters). Both directions are constant-time in the
 * data (no table indexed by it), so a secret key may go through them.
 */
#include <stddef.h>
#include <stdint.h>

/* Characters for len bytes (len a multiple of 4), NUL not counted. */
#define SG_Z85_ENCODED_LEN(len) ((len) / 4 * 5)

/* Writes SG_Z85_ENCODED_LEN(len) characters and a NUL to out. len must be
 * a multiple of 4 (anything else is a misuse, as RFC 32 defines no padding). */
void sg_z85_encode(char *out, const uint8_t *in, size_t len);

/*
 * Decodes in_len characters (no NUL needed) into in_len / 5 * 4 bytes.
 * Returns 0; SG_ERR_LENGTH when in_len is not a multiple of 5 or the output
 * exceeds out_cap; SG_ERR_PARSE for a character outside the alphabet or a
 * 5-character group above 2^32 - 1 (RFC 32 leaves that undefined; it is
 * refused so that every byte string has one encoding). On failure out is
 * zeroed up to the length it would have had (within out_cap) and *out_len is 0.
 */
int sg_z85_decode(uint8_t *out, size_t out_cap, size_t *out_len, const char *in, size_t in_len);

#endif
