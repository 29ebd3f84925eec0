/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Keccak-p[1600, 12] on two independent states at once.
 *
 * On x86-64 every SSE2 register holds one lane of both states: lane i of s0
 * in its low 64 bits, lane i of s1 in its high 64 bits. Each step of a
 * round is then one vector operation where the scalar code (keccak.c) does
 * two. SSE2 is part of the x86-64 baseline, so this needs no compiler flags
 * and no run-time dispatch. Other targets make two scalar calls.
 *
 * As in keccak.c, the code is straight-line: nothing branches on or indexes
 * memory by the data.
 */
#include "core/xof.h"

#if defined(__x86_64__) && defined(__SSE2__)

#include <emmintrin.h>

#include "core/keccak_internal.h"

#define XOR(a, b) _mm_xor_si128(a, b)

/* Both 64-bit halves of v rotated left by n, 1 <= n <= 63 (a constant). */
#define ROL(v, n) _mm_or_si128(_mm_slli_epi64(v, n), _mm_srli_epi64(v, 64 - (n)))

/* Round constant r in both halves. */
static inline __m128i round_constant(size_t r)
{
	return _mm_set1_epi64x((long long)sg_keccak_rc12[r]);
}

/*
 * Theta's column parities c0..c4 of the state A, and d0..d4, what theta
 * XORs into every lane of each column.
 */
#define THETA(A) do {                                                         \
		c0 = XOR(XOR(XOR(A##0, A##5), XOR(A##10, A##15)), A##20);     \
		c1 = XOR(XOR(XOR(A##1, A##6), XOR(A##11, A##16)), A##21);     \
		c2 = XOR(XOR(XOR(A##2, A##7), XOR(A##12, A##17)), A##22);     \
		c3 = XOR(XOR(XOR(A##3, A##8), XOR(A##13, A##18)), A##23);     \
		c4 = XOR(XOR(XOR(A##4, A##9), XOR(A##14, A##19)), A##24);     \
		d0 = XOR(c4, ROL(c1, 1));                                     \
		d1 = XOR(c0, ROL(c2, 1));                                     \
		d2 = XOR(c1, ROL(c3, 1));                                     \
		d3 = XOR(c2, ROL(c4, 1));                                     \
		d4 = XOR(c3, ROL(c0, 1));                                     \
	} while (0)

/* Lane i of A, in column x = i mod 5, after theta and rho's rotation by n. */
#define TAKE(A, i, x, n) ROL(XOR(A##i, d##x), n)

/*
 * One row of the output E, lanes j..j+4: its five inputs p0..p4 (already
 * through theta, rho and pi) in b0..b4, then chi, ~x & y being andnot.
 */
#define ROW(E, j0, j1, j2, j3, j4, p0, p1, p2, p3, p4) do {                  \
		b0 = p0; b1 = p1; b2 = p2; b3 = p3; b4 = p4;                  \
		E##j0 = XOR(b0, _mm_andnot_si128(b1, b2));                    \
		E##j1 = XOR(b1, _mm_andnot_si128(b2, b3));                    \
		E##j2 = XOR(b2, _mm_andnot_si128(b3, b4));                    \
		E##j3 = XOR(b3, _mm_andnot_si128(b4, b0));                    \
		E##j4 = XOR(b4, _mm_andnot_si128(b0, b1));                    \
	} while (0)

/*
 * One round from A into E. Pi sends lane (x, y) to (y, 2x + 3y mod 5), so
 * output row Y, column X comes from (x, y) = (3Y + X mod 5, X); each TAKE
 * names that lane, its column and its rho offset. Both were derived from
 * FIPS 202 §3.2.2-3.2.3 by iterating the definitions; iota is the XOR of rc
 * into lane 0.
 */
#define ROUND(A, E, rc) do {                                                  \
		THETA(A);                                                     \
		ROW(E, 0, 1, 2, 3, 4, XOR(A##0, d0), TAKE(A, 6, 1, 44),       \
		    TAKE(A, 12, 2, 43), TAKE(A, 18, 3, 21), TAKE(A, 24, 4, 14)); \
		E##0 = XOR(E##0, rc);                                         \
		ROW(E, 5, 6, 7, 8, 9, TAKE(A, 3, 3, 28), TAKE(A, 9, 4, 20),   \
		    TAKE(A, 10, 0, 3), TAKE(A, 16, 1, 45), TAKE(A, 22, 2, 61)); \
		ROW(E, 10, 11, 12, 13, 14, TAKE(A, 1, 1, 1), TAKE(A, 7, 2, 6), \
		    TAKE(A, 13, 3, 25), TAKE(A, 19, 4, 8), TAKE(A, 20, 0, 18)); \
		ROW(E, 15, 16, 17, 18, 19, TAKE(A, 4, 4, 27), TAKE(A, 5, 0, 36), \
		    TAKE(A, 11, 1, 10), TAKE(A, 17, 2, 15), TAKE(A, 23, 3, 56)); \
		ROW(E, 20, 21, 22, 23, 24, TAKE(A, 2, 2, 62), TAKE(A, 8, 3, 55), \
		    TAKE(A, 14, 4, 39), TAKE(A, 15, 0, 41), TAKE(A, 21, 1, 2)); \
	} while (0)

/* Lanes i and i + 1 of both states into a<i>, a<j> (j = i + 1), and back. */
#define LOAD2(i, j) do {                                                      \
		t0 = _mm_loadu_si128((const __m128i *)(s0 + (i)));            \
		t1 = _mm_loadu_si128((const __m128i *)(s1 + (i)));            \
		a##i = _mm_unpacklo_epi64(t0, t1);                            \
		a##j = _mm_unpackhi_epi64(t0, t1);                            \
	} while (0)
#define STORE2(i, j) do {                                                     \
		_mm_storeu_si128((__m128i *)(s0 + (i)), _mm_unpacklo_epi64(a##i, a##j)); \
		_mm_storeu_si128((__m128i *)(s1 + (i)), _mm_unpackhi_epi64(a##i, a##j)); \
	} while (0)

/*
 * The 25 lanes live in locals a0..a24 and e0..e24, rounds alternating
 * a -> e -> a two per iteration, as in the scalar code; the compiler keeps
 * in the 16 xmm registers what fits.
 */
void sg_keccak_p1600_12_x2(uint64_t s0[static 25], uint64_t s1[static 25])
{
	__m128i a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12,
		a13, a14, a15, a16, a17, a18, a19, a20, a21, a22, a23, a24;
	__m128i e0, e1, e2, e3, e4, e5, e6, e7, e8, e9, e10, e11, e12,
		e13, e14, e15, e16, e17, e18, e19, e20, e21, e22, e23, e24;
	__m128i b0, b1, b2, b3, b4, c0, c1, c2, c3, c4, d0, d1, d2, d3, d4;
	__m128i t0, t1;
	size_t r;

	LOAD2(0, 1); LOAD2(2, 3); LOAD2(4, 5); LOAD2(6, 7); LOAD2(8, 9);
	LOAD2(10, 11); LOAD2(12, 13); LOAD2(14, 15); LOAD2(16, 17);
	LOAD2(18, 19); LOAD2(20, 21); LOAD2(22, 23);
	a24 = _mm_unpacklo_epi64(_mm_loadl_epi64((const __m128i *)(s0 + 24)),
				 _mm_loadl_epi64((const __m128i *)(s1 + 24)));

	for (r = 0; r < 12; r += 2) {
		ROUND(a, e, round_constant(r));
		ROUND(e, a, round_constant(r + 1));
	}

	STORE2(0, 1); STORE2(2, 3); STORE2(4, 5); STORE2(6, 7); STORE2(8, 9);
	STORE2(10, 11); STORE2(12, 13); STORE2(14, 15); STORE2(16, 17);
	STORE2(18, 19); STORE2(20, 21); STORE2(22, 23);
	_mm_storel_epi64((__m128i *)(s0 + 24), a24);
	_mm_storel_epi64((__m128i *)(s1 + 24), _mm_unpackhi_epi64(a24, a24));
}

#else

void sg_keccak_p1600_12_x2(uint64_t s0[static 25], uint64_t s1[static 25])
{
	sg_keccak_p1600_12(s0);
	sg_keccak_p1600_12(s1);
}

#endif
