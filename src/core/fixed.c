/* SPDX-License-Identifier: Apache-2.0 */
#include <string.h>

#include "core/fixed.h"
#include "util/misuse.h"

typedef sg_u128 u128;

const char *sg_fixed_strerror(enum sg_fixed_status st)
{
	switch (st) {
	case SG_FIXED_OK: return "ok";
	case SG_FIXED_EMPTY: return "empty value";
	case SG_FIXED_NEGATIVE: return "negative value";
	case SG_FIXED_NOT_A_NUMBER: return "not a decimal number";
	case SG_FIXED_TOO_PRECISE: return "more decimal places than the category allows";
	case SG_FIXED_TOO_LARGE: return "value above the category's maximum";
	}
	return "invalid value";
}

static uint64_t pow10u(unsigned k)
{
	uint64_t p = 1;
	while (k-- > 0)
		p *= 10;
	return p;
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Accumulates digits into *acc (as u128, so one overflow check per digit). */
static enum sg_fixed_status digits(u128 *acc, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return SG_FIXED_NOT_A_NUMBER;
		*acc = *acc * 10 + (u128)(unsigned)(s[i] - '0');
		if (*acc > UINT64_MAX)
			return SG_FIXED_TOO_LARGE;
	}
	return SG_FIXED_OK;
}

enum sg_fixed_status sg_fixed_parse(uint64_t *out, const char *text, size_t len,
				    unsigned decimals, uint64_t max)
{
	enum sg_fixed_status st = SG_FIXED_EMPTY;
	u128 acc = 0;
	*out = 0;
	if (decimals > SG_FIXED_MAX_DECIMALS)
		sg_misuse(__func__);
	if (len == 0)
		return SG_FIXED_EMPTY;
	if (text[0] == '-')
		return SG_FIXED_NEGATIVE;
	const char *dot = memchr(text, '.', len);
	size_t int_len = dot ? (size_t)(dot - text) : len;
	size_t frac_len = dot ? len - int_len - 1 : 0;
	/* ".5" and "12." are refused: digits on both sides of a point */
	if (int_len == 0 || (dot && frac_len == 0))
		return SG_FIXED_NOT_A_NUMBER;
	st = digits(&acc, text, int_len);
	if (st == SG_FIXED_OK && dot)
		st = digits(&acc, dot + 1, frac_len);
	if (st != SG_FIXED_OK)
		return st;
	if (frac_len > decimals)
		return SG_FIXED_TOO_PRECISE;
	acc *= pow10u(decimals - (unsigned)frac_len);
	if (acc > max)
		return SG_FIXED_TOO_LARGE;
	*out = (uint64_t)acc;
	return SG_FIXED_OK;
}

size_t sg_fixed_format(char *out, size_t out_len, u128 value, unsigned decimals)
{
	char rev[SG_FIXED_TEXT_BYTES];
	size_t n = 0;
	if (decimals > SG_FIXED_MAX_TEXT_DECIMALS)
		sg_misuse(__func__);
	/* digits, least significant first, with at least decimals + 1 of them */
	do {
		rev[n++] = (char)('0' + value % 10);
		value /= 10;
	} while (value > 0 || n <= decimals);
	size_t total = n + (decimals > 0 ? 1 : 0);
	if (total + 1 > out_len) {
		if (out_len > 0)
			out[0] = '\0';
		return 0;
	}
	size_t k = 0;
	for (size_t i = n; i-- > 0;) {
		out[k++] = rev[i];
		if (i == decimals && decimals > 0)
			out[k++] = '.';
	}
	out[k] = '\0';
	return k;
}

int sg_fixed_ratio(u128 *out, uint64_t num, uint64_t den, unsigned shift)
{
	*out = 0;
	if (shift > SG_FIXED_MAX_DECIMALS)
		sg_misuse(__func__);
	if (den == 0)
		return -1;
	u128 scaled = (u128)num * pow10u(shift); /* < 2^64 * 10^18 < 2^128 */
	u128 q = scaled / den, r = scaled % den;
	if (r >= den - r) /* remainder at least half: round up */
		q++;
	*out = q;
	return 0;
}
