/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Z85 (ZeroMQ RFC 32): each 4 bytes, read as a big-endian number, become 5
 * base-85 digits, most significant first, each written as a character of
 * the alphabet below. Digit <-> character goes through a masked scan of the
 * whole alphabet rather than a table lookup, so neither the branches nor the
 * addresses touched depend on the data; division by the constant 85 is a
 * multiply and shift.
 */
#include "util/z85.h"

#include <sodium.h>

#include "spillguard/err.h"
#include "util/misuse.h"

#define RADIX 85u
#define GROUP_CHARS 5
#define GROUP_BYTES 4

static const char alphabet[RADIX + 1] = "0123456789abcdefghijklmnopqrstuvwxyz"
					"ABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

/* All ones when a == b, else 0; a and b below 2^31. */
static uint32_t eq_mask(uint32_t a, uint32_t b)
{
	return 0u - (((a ^ b) - 1u) >> 31);
}

static char digit_char(uint32_t d)
{
	uint32_t c = 0;

	for (uint32_t i = 0; i < RADIX; i++)
		c |= (uint32_t)(unsigned char)alphabet[i] & eq_mask(i, d);
	return (char)c;
}

/* The digit of c in *d (0 if none); returns all ones when c is in the
 * alphabet, else 0. */
static uint32_t char_digit(uint32_t *d, char c)
{
	uint32_t v = 0, found = 0;

	for (uint32_t i = 0; i < RADIX; i++) {
		uint32_t m = eq_mask((unsigned char)alphabet[i], (unsigned char)c);
		v |= i & m;
		found |= m;
	}
	*d = v;
	return found;
}

void sg_z85_encode(char *out, const uint8_t *in, size_t len)
{
	if (out == NULL || (in == NULL && len > 0) || len % GROUP_BYTES != 0)
		sg_misuse(__func__);
	for (size_t g = 0; g < len / GROUP_BYTES; g++) {
		const uint8_t *p = in + GROUP_BYTES * g;
		uint32_t v = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];

		for (size_t j = GROUP_CHARS; j-- > 0;) {
			out[GROUP_CHARS * g + j] = digit_char(v % RADIX);
			v /= RADIX;
		}
	}
	out[SG_Z85_ENCODED_LEN(len)] = '\0';
}

int sg_z85_decode(uint8_t *out, size_t out_cap, size_t *out_len, const char *in, size_t in_len)
{
	size_t n = in_len / GROUP_CHARS * GROUP_BYTES;
	uint32_t bad = 0;

	if (out_len == NULL || (out == NULL && out_cap > 0) || (in == NULL && in_len > 0))
		sg_misuse(__func__);
	*out_len = 0;
	if (in_len % GROUP_CHARS != 0 || n > out_cap)
		return SG_ERR_LENGTH;
	for (size_t g = 0; g < in_len / GROUP_CHARS; g++) {
		uint64_t v = 0; /* below 85^5 < 2^33 */

		for (size_t j = 0; j < GROUP_CHARS; j++) {
			uint32_t d;
			bad |= ~char_digit(&d, in[GROUP_CHARS * g + j]);
			v = v * RADIX + d;
		}
		bad |= (uint32_t)(v >> 32);
		for (size_t j = 0; j < GROUP_BYTES; j++)
			out[GROUP_BYTES * g + j] = (uint8_t)(v >> (24 - 8 * j));
	}
	/* Only whether the text was valid shows in the timing, not where. */
	if (bad != 0) {
		if (n > 0)
			sodium_memzero(out, n);
		return SG_ERR_PARSE;
	}
	*out_len = n;
	return 0;
}
