/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SG_CORE_FIXED_H
#define SG_CORE_FIXED_H

/*
 * Fixed-point decimals (DESIGN.md §4): a category with `decimals` d carries
 * a value v as the integer v * 10^d. Parsing is exact and strict (no signs,
 * exponents, spaces or more than d fraction digits); formatting is exact;
 * ratios (TSK = S / J) are rounded half up to a stated number of digits, so
 * that anyone recomputing from the published integers gets the same text.
 */
#include <stddef.h>
#include <stdint.h>

#define SG_FIXED_MAX_DECIMALS 18
/* Figures derived from values (a mean with more places than its category)
 * are formatted with at most this many decimals. */
#define SG_FIXED_MAX_TEXT_DECIMALS 38
/* Enough for any sg_u128 with a point and the NUL. */
#define SG_FIXED_TEXT_BYTES 42

/* Sums and means of 64-bit values, scaled, need more than 64 bits. */
__extension__ typedef unsigned __int128 sg_u128;

enum sg_fixed_status {
	SG_FIXED_OK = 0,
	SG_FIXED_EMPTY,         /* no digits */
	SG_FIXED_NEGATIVE,      /* a leading '-' */
	SG_FIXED_NOT_A_NUMBER,  /* anything but digits and one '.' */
	SG_FIXED_TOO_PRECISE,   /* more fraction digits than the category allows */
	SG_FIXED_TOO_LARGE,     /* above the category's maximum (or 2^64 - 1) */
};

/* A message for the status, to follow "FILE:LINE: " in an error line. */
const char *sg_fixed_strerror(enum sg_fixed_status st);

/* text[0..len) -> *out = value * 10^decimals, at most max.
 * Accepts "12", "12.5", "0.25", "12." is refused (a digit must follow '.').
 * decimals <= SG_FIXED_MAX_DECIMALS. *out is 0 on failure. */
enum sg_fixed_status sg_fixed_parse(uint64_t *out, const char *text, size_t len,
				    unsigned decimals, uint64_t max);

/* Writes value / 10^decimals as text ("12.50" for 1250 with 2 decimals),
 * decimals <= SG_FIXED_MAX_TEXT_DECIMALS; returns the length, or 0 if
 * out_len is too small (SG_FIXED_TEXT_BYTES is always enough). */
size_t sg_fixed_format(char *out, size_t out_len, sg_u128 value, unsigned decimals);

/* round_half_up(num * 10^shift / den): the ratio num/den in units 10^-shift
 * (shift <= SG_FIXED_MAX_DECIMALS, so num * 10^shift < 2^124 and the result
 * always fits). Returns 0, or -1 if den is 0. */
int sg_fixed_ratio(sg_u128 *out, uint64_t num, uint64_t den, unsigned shift);

#endif
