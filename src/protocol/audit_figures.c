/* SPDX-License-Identifier: Apache-2.0 */
#include <string.h>

#include "protocol/audit_figures.h"

typedef sg_u128 u128;

#define TOP_BIT ((u128)1 << 127)

bool sg_audit_decimal(u128 *out, const char *text, unsigned places)
{
	size_t len = strlen(text), point = len, seen_places = 0;
	u128 v = 0;
	*out = 0;
	if (len == 0 || (len > 1 && text[0] == '0' && text[1] != '.'))
		return false; /* empty, or a leading zero before another digit */
	for (size_t i = 0; i < len; i++) {
		char c = text[i];
		if (c == '.' && point == len && i > 0) {
			point = i;
			continue;
		}
		if (c < '0' || c > '9')
			return false;
		if (v >= TOP_BIT / 10)
			return false;
		v = v * 10 + (u128)(unsigned)(c - '0');
		seen_places += point != len;
	}
	/* no point when there are no places; otherwise exactly `places` */
	if ((places == 0) != (point == len) || seen_places != places)
		return false;
	*out = v;
	return true;
}

bool sg_audit_figure(const char *text, unsigned places, u128 value)
{
	u128 v;
	return sg_audit_decimal(&v, text, places) && v == value;
}

/* The field primes: 2^64 - 2^32 + 1 and 2^128 - 28 * 2^64 + 1. */
static u128 prime(unsigned bits)
{
	if (bits == 64)
		return ((u128)1 << 64) - ((u128)1 << 32) + 1;
	return (u128)0 - ((u128)28 << 64) + 1;
}

static u128 read_le(const uint8_t *b, size_t n)
{
	u128 v = 0;
	for (size_t i = n; i-- > 0;)
		v = (v << 8) | b[i];
	return v;
}

/* (a + b) mod p for a, b < p <= 2^128: when the sum wraps past 2^128 or
 * reaches p, subtracting p (mod 2^128) gives the residue. */
static u128 add_mod(u128 a, u128 b, u128 p)
{
	u128 s = a + b;
	return (s < a || s >= p) ? s - p : s;
}

bool sg_audit_share_sums(uint64_t *sums, size_t n, unsigned field_bits,
			 const uint8_t *const *shares, const size_t *lens, size_t n_shares)
{
	size_t size = field_bits / 8;
	u128 p = prime(field_bits);
	memset(sums, 0, n * sizeof *sums);
	if (field_bits != 64 && field_bits != 128)
		return false;
	for (size_t j = 0; j < n_shares; j++)
		if (shares[j] == NULL || lens[j] != n * size)
			return false;
	for (size_t i = 0; i < n; i++) {
		u128 acc = 0;
		for (size_t j = 0; j < n_shares; j++) {
			u128 x = read_le(shares[j] + i * size, size);
			if (x >= p)
				return false;
			acc = add_mod(acc, x, p);
		}
		if (acc > UINT64_MAX)
			return false;
		sums[i] = (uint64_t)acc;
	}
	return true;
}

bool sg_audit_tsk(const char *tsk, unsigned decimals, uint64_t sum, uint64_t count)
{
	u128 t;
	if (count == 0 || count > UINT32_MAX || !sg_audit_decimal(&t, tsk, decimals + 2))
		return false;
	/* T <= 100 S / J + 1/2 < 2^71, so 2 T J < 2^104 */
	if (t > (u128)sum * 100 + 1)
		return false;
	u128 lhs = (u128)sum * 200 + count; /* 200 S + J */
	u128 twice = t * count * 2;         /* 2 T J */
	/* -J <= 200 S - 2 T J < J, i.e. 2 T J <= 200 S + J < 2 T J + 2 J */
	return twice <= lhs && lhs < twice + 2 * (u128)count;
}
