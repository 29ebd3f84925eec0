/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Keccak-p[1600, n_r = 12] and the TurboSHAKE128 sponge of RFC 9861.
 *
 * Lane i of the state is the lane at (x, y) = (i mod 5, i / 5) of FIPS 202,
 * and holds the little-endian reading of bytes 8i..8i+7 of the state.
 * On little-endian hosts the state is therefore also its own byte string,
 * which the absorb and squeeze paths use directly; other hosts go through
 * explicit shifts.
 *
 * Nothing here branches on or indexes memory by the data: the permutation
 * is straight-line code and the sponge's control flow depends on lengths only.
 */
#include "core/xof.h"

#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "core/keccak_internal.h"
#include "util/misuse.h"

#define LITTLE_ENDIAN_HOST SG_LITTLE_ENDIAN_HOST

#define RATE SG_TURBOSHAKE128_RATE
#define RATE_LANES (RATE / 8)

/* ---- Keccak-p[1600, 12] ------------------------------------------------ */

/* n in 1..63 */
#define ROL(v, n) (((v) << (n)) | ((v) >> (64 - (n))))

/* chi on one row: b0..b4 are that row's lanes after theta, rho and pi. */
#define CHI(E, i0, i1, i2, i3, i4) do {     \
		E##i0 = b0 ^ (~b1 & b2);    \
		E##i1 = b1 ^ (~b2 & b3);    \
		E##i2 = b2 ^ (~b3 & b4);    \
		E##i3 = b3 ^ (~b4 & b0);    \
		E##i4 = b4 ^ (~b0 & b1);    \
	} while (0)

/*
 * One round from the lanes A00..A24 into E00..E24. Theta's column parities
 * go into c, its effect on each column into d. Pi moves lane (x, y) to
 * (y, 2x + 3y mod 5), so output row Y gathers the five input lanes with
 * 2x + 3y = Y (mod 5), lane (x, y) landing in column y; each is rotated by
 * rho's offset for (x, y) on the way, then chi mixes the row. Offsets and
 * gathering pattern were computed from FIPS 202 §3.2.2-3.2.3 (a script
 * iterating the definitions), not copied from a table.
 */
#define ROUND(A, E, rc) do {                                                  \
		c0 = A##00 ^ A##05 ^ A##10 ^ A##15 ^ A##20;                   \
		c1 = A##01 ^ A##06 ^ A##11 ^ A##16 ^ A##21;                   \
		c2 = A##02 ^ A##07 ^ A##12 ^ A##17 ^ A##22;                   \
		c3 = A##03 ^ A##08 ^ A##13 ^ A##18 ^ A##23;                   \
		c4 = A##04 ^ A##09 ^ A##14 ^ A##19 ^ A##24;                   \
		d0 = c4 ^ ROL(c1, 1);                                         \
		d1 = c0 ^ ROL(c2, 1);                                         \
		d2 = c1 ^ ROL(c3, 1);                                         \
		d3 = c2 ^ ROL(c4, 1);                                         \
		d4 = c3 ^ ROL(c0, 1);                                         \
		b0 = A##00 ^ d0;            b1 = ROL(A##06 ^ d1, 44);         \
		b2 = ROL(A##12 ^ d2, 43);   b3 = ROL(A##18 ^ d3, 21);         \
		b4 = ROL(A##24 ^ d4, 14);                                     \
		CHI(E, 00, 01, 02, 03, 04);                                   \
		E##00 ^= (rc);                                                \
		b0 = ROL(A##03 ^ d3, 28);   b1 = ROL(A##09 ^ d4, 20);         \
		b2 = ROL(A##10 ^ d0, 3);    b3 = ROL(A##16 ^ d1, 45);         \
		b4 = ROL(A##22 ^ d2, 61);                                     \
		CHI(E, 05, 06, 07, 08, 09);                                   \
		b0 = ROL(A##01 ^ d1, 1);    b1 = ROL(A##07 ^ d2, 6);          \
		b2 = ROL(A##13 ^ d3, 25);   b3 = ROL(A##19 ^ d4, 8);          \
		b4 = ROL(A##20 ^ d0, 18);                                     \
		CHI(E, 10, 11, 12, 13, 14);                                   \
		b0 = ROL(A##04 ^ d4, 27);   b1 = ROL(A##05 ^ d0, 36);         \
		b2 = ROL(A##11 ^ d1, 10);   b3 = ROL(A##17 ^ d2, 15);         \
		b4 = ROL(A##23 ^ d3, 56);                                     \
		CHI(E, 15, 16, 17, 18, 19);                                   \
		b0 = ROL(A##02 ^ d2, 62);   b1 = ROL(A##08 ^ d3, 55);         \
		b2 = ROL(A##14 ^ d4, 39);   b3 = ROL(A##15 ^ d0, 41);         \
		b4 = ROL(A##21 ^ d1, 2);                                      \
		CHI(E, 20, 21, 22, 23, 24);                                   \
	} while (0)

#define LANES(X, OP)                                                          \
	OP(X, 00) OP(X, 01) OP(X, 02) OP(X, 03) OP(X, 04)                     \
	OP(X, 05) OP(X, 06) OP(X, 07) OP(X, 08) OP(X, 09)                     \
	OP(X, 10) OP(X, 11) OP(X, 12) OP(X, 13) OP(X, 14)                     \
	OP(X, 15) OP(X, 16) OP(X, 17) OP(X, 18) OP(X, 19)                     \
	OP(X, 20) OP(X, 21) OP(X, 22) OP(X, 23) OP(X, 24)
#define DECLARE(X, i) uint64_t X##i;
/* 1##i - 100 turns the two-digit lane name into its index without octal. */
#define LOAD(X, i) X##i = st[1##i - 100];
#define STORE(X, i) st[1##i - 100] = X##i;

/*
 * The state lives in 50 locals so the compiler can keep what fits in
 * registers; rounds alternate a -> e -> a, two per iteration. Unrolling
 * all twelve measured about 12% slower at -O2 on x86-64 (code size).
 */
void sg_keccak_p1600_12(uint64_t st[static 25])
{
	uint64_t b0, b1, b2, b3, b4, c0, c1, c2, c3, c4, d0, d1, d2, d3, d4;
	LANES(a, DECLARE)
	LANES(e, DECLARE)
	size_t r;

	LANES(a, LOAD)
	for (r = 0; r < 12; r += 2) {
		ROUND(a, e, sg_keccak_rc12[r]);
		ROUND(e, a, sg_keccak_rc12[r + 1]);
	}
	LANES(a, STORE)
}

/* ---- byte order --------------------------------------------------------- */

#define load64 sg_load_le64
#define store64 sg_store_le64

/* XORs in[0..n) into state bytes pos..pos+n; pos + n <= RATE. */
static void xor_bytes(uint64_t *st, size_t pos, const uint8_t *in, size_t n)
{
	size_t i;
#if LITTLE_ENDIAN_HOST
	uint8_t *s = (uint8_t *)st + pos;

	for (i = 0; i < n; i++)
		s[i] ^= in[i];
#else
	for (i = 0; i < n; i++)
		st[(pos + i) / 8] ^= (uint64_t)in[i] << (8 * ((pos + i) % 8));
#endif
}

/* Copies state bytes pos..pos+n to out; pos + n <= RATE. */
static void extract_bytes(uint8_t *out, const uint64_t *st, size_t pos, size_t n)
{
#if LITTLE_ENDIAN_HOST
	memcpy(out, (const uint8_t *)st + pos, n);
#else
	size_t i;

	for (i = 0; i < n; i++)
		out[i] = (uint8_t)(st[(pos + i) / 8] >> (8 * ((pos + i) % 8)));
#endif
}

static void xor_block(uint64_t *st, const uint8_t *in)
{
	size_t i;

	for (i = 0; i < RATE_LANES; i++)
		st[i] ^= load64(in + 8 * i);
}

static void extract_block(uint8_t *out, const uint64_t *st)
{
#if LITTLE_ENDIAN_HOST
	memcpy(out, st, RATE);
#else
	size_t i;

	for (i = 0; i < RATE_LANES; i++)
		store64(out + 8 * i, st[i]);
#endif
}

/* ---- TurboSHAKE128 sponge ----------------------------------------------- */

/*
 * Absorbing: pos < RATE is the number of bytes XORed into the current
 * block; a block is permuted as soon as it is full.
 * Squeezing: the state is permuted and pos <= RATE bytes of it were output.
 */

void sg_turboshake128_init(sg_turboshake *s)
{
	memset(s->a, 0, sizeof s->a);
	s->pos = 0;
	s->squeezing = 0;
}

void sg_turboshake128_absorb(sg_turboshake *s, const uint8_t *in, size_t len)
{
	size_t n;

	if (s->squeezing)
		sg_misuse(__func__);
	if (len == 0)
		return;
	if (s->pos > 0) {
		n = RATE - s->pos < len ? RATE - s->pos : len;
		xor_bytes(s->a, s->pos, in, n);
		s->pos += n;
		in += n;
		len -= n;
		if (s->pos < RATE)
			return;
		sg_keccak_p1600_12(s->a);
		s->pos = 0;
	}
	for (; len >= RATE; in += RATE, len -= RATE) {
		xor_block(s->a, in);
		sg_keccak_p1600_12(s->a);
	}
	xor_bytes(s->a, 0, in, len);
	s->pos = len;
}

void sg_turboshake128_finalize(sg_turboshake *s, uint8_t domain)
{
	uint8_t last = 0x80;

	if (s->squeezing || domain < 0x01 || domain > 0x7f)
		sg_misuse(__func__);
	xor_bytes(s->a, s->pos, &domain, 1);
	xor_bytes(s->a, RATE - 1, &last, 1);
	sg_keccak_p1600_12(s->a);
	s->pos = 0;
	s->squeezing = 1;
}

void sg_turboshake128_squeeze(sg_turboshake *s, uint8_t *out, size_t len)
{
	size_t n;

	if (!s->squeezing)
		sg_misuse(__func__);
	if (len == 0)
		return;
	n = RATE - s->pos < len ? RATE - s->pos : len;
	extract_bytes(out, s->a, s->pos, n);
	s->pos += n;
	out += n;
	len -= n;
	/* Here len == 0 or the current block is used up (pos == RATE). */
	for (; len >= RATE; out += RATE, len -= RATE) {
		sg_keccak_p1600_12(s->a);
		extract_block(out, s->a);
	}
	if (len > 0) {
		sg_keccak_p1600_12(s->a);
		extract_bytes(out, s->a, 0, len);
		s->pos = len;
	}
}

/*
 * squeeze(a, out, len) followed by absorb(b, out, len), with the two
 * sponges' permutations run together whenever both need one: b fills one
 * block for each block a yields, so in the steady state every block costs
 * one two-way permutation. Invariant at the top of the loop: b->pos < RATE.
 */
void sg_turboshake128_squeeze_absorb(sg_turboshake *a, sg_turboshake *b, uint8_t *out,
				     size_t len)
{
	if (!a->squeezing || b->squeezing || a == b)
		sg_misuse(__func__);
	while (len > 0) {
		if (a->pos == RATE) {
			sg_keccak_p1600_12(a->a);
			a->pos = 0;
		}
		size_t n = RATE - a->pos < len ? RATE - a->pos : len;
		size_t fill = RATE - b->pos;
		extract_bytes(out, a->a, a->pos, n);
		a->pos += n;
		len -= n;
		if (n < fill) {
			xor_bytes(b->a, b->pos, out, n);
			b->pos += n;
		} else {
			xor_bytes(b->a, b->pos, out, fill);
			/* a's next block is made now even if this call needs no more
			 * of it: a squeezing sponge at pos 0 holds a fresh block, and
			 * the pairing then survives the caller's chunking */
			if (a->pos == RATE) {
				sg_keccak_p1600_12_x2(a->a, b->a);
				a->pos = 0;
			} else {
				sg_keccak_p1600_12(b->a);
			}
			/* n <= RATE and fill >= 1, so the rest fits in the new block */
			xor_bytes(b->a, 0, out + fill, n - fill);
			b->pos = n - fill;
		}
		out += n;
	}
}
