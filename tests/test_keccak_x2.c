/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The two-way Keccak-p[1600, 12] against RFC 9861 known answers (one
 * permutation each) and against two calls of the scalar permutation, on
 * deterministic random states, single-bit states, all-zero and all-ones,
 * at both 16-byte alignments, with guards around the states.
 */
#include <criterion/criterion.h>

#include <inttypes.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "core/bytes.h"
#include "core/xof.h"

#define LANES 25
#define STATE_BYTES (LANES * 8)

/* ---- helpers ------------------------------------------------------------ */

/*
 * Runs the two-way permutation on copies of in0 and in1 and fails the test,
 * naming the case, unless each equals one scalar permutation of its input.
 */
static void expect_x2_matches(const uint64_t in0[LANES], const uint64_t in1[LANES],
			      const char *what, size_t index)
{
	uint64_t want0[LANES], want1[LANES], got0[LANES], got1[LANES];
	size_t i;

	memcpy(want0, in0, STATE_BYTES);
	memcpy(want1, in1, STATE_BYTES);
	memcpy(got0, in0, STATE_BYTES);
	memcpy(got1, in1, STATE_BYTES);
	sg_keccak_p1600_12(want0);
	sg_keccak_p1600_12(want1);
	sg_keccak_p1600_12_x2(got0, got1);
	for (i = 0; i < LANES; i++) {
		cr_assert(got0[i] == want0[i],
			  "%s %zu: state 0 lane %zu is %016" PRIx64 ", want %016" PRIx64,
			  what, index, i, got0[i], want0[i]);
		cr_assert(got1[i] == want1[i],
			  "%s %zu: state 1 lane %zu is %016" PRIx64 ", want %016" PRIx64,
			  what, index, i, got1[i], want1[i]);
	}
}

/* Fills n states from a ChaCha20 stream under a fixed seed (reproducible). */
static uint64_t *random_states(size_t n, uint8_t seed_byte)
{
	uint8_t seed[randombytes_SEEDBYTES];
	uint8_t *bytes = malloc(n * STATE_BYTES);
	uint64_t *st = malloc(n * STATE_BYTES);
	size_t i;

	cr_assert(bytes != NULL && st != NULL);
	memset(seed, seed_byte, sizeof seed);
	randombytes_buf_deterministic(bytes, n * STATE_BYTES, seed);
	for (i = 0; i < n * LANES; i++)
		st[i] = sg_load_le64(bytes + 8 * i);
	free(bytes);
	return st;
}

/*
 * The state TurboSHAKE128 permutes first for a message shorter than the
 * rate: msg, then the domain byte, then 0x80 in the last byte of the rate.
 */
static void one_block_state(uint64_t st[LANES], const uint8_t *msg, size_t len,
			    uint8_t domain)
{
	size_t i;

	memset(st, 0, STATE_BYTES);
	for (i = 0; i < len; i++)
		st[i / 8] ^= (uint64_t)msg[i] << (8 * (i % 8));
	st[len / 8] ^= (uint64_t)domain << (8 * (len % 8));
	st[(SG_TURBOSHAKE128_RATE - 1) / 8] ^= (uint64_t)0x80 << 56;
}

static void expect_prefix(const uint64_t st[LANES], const char *hex, const char *what)
{
	size_t len, i;
	uint8_t *want = sg_test_hex(hex, &len);

	cr_assert(len <= STATE_BYTES && len % 8 == 0);
	for (i = 0; i < len / 8; i++)
		cr_expect(st[i] == sg_load_le64(want + 8 * i),
			  "%s: lane %zu is %016" PRIx64 ", want %016" PRIx64,
			  what, i, st[i], sg_load_le64(want + 8 * i));
	free(want);
}

/* ---- known answers ------------------------------------------------------ */

/*
 * RFC 9861 §5: TurboSHAKE128(M = empty, D = 1F, 32) and
 * TurboSHAKE128(M = FF FF FF, D = 01, 32) are the first 32 bytes of one
 * permutation of their padded block; here both in one two-way call, in
 * both orders so that each half of the registers meets each vector.
 */
Test(keccak_x2, rfc9861_one_block)
{
	static const char empty_1f[] =
		"1e415f1c5983aff2169217277d17bb538cd945a397ddec541f1ce41af2c1b74c";
	static const char ff3_01[] =
		"bf323f940494e88ee1c540fe660be8a0c93f43d15ec006998462fa994eed5dab";
	static const uint8_t ff3[3] = { 0xff, 0xff, 0xff };
	uint64_t a[LANES], b[LANES];

	one_block_state(a, NULL, 0, 0x1f);
	one_block_state(b, ff3, sizeof ff3, 0x01);
	sg_keccak_p1600_12_x2(a, b);
	expect_prefix(a, empty_1f, "empty, D=1F, as state 0");
	expect_prefix(b, ff3_01, "FF FF FF, D=01, as state 1");

	one_block_state(a, NULL, 0, 0x1f);
	one_block_state(b, ff3, sizeof ff3, 0x01);
	sg_keccak_p1600_12_x2(b, a);
	expect_prefix(a, empty_1f, "empty, D=1F, as state 1");
	expect_prefix(b, ff3_01, "FF FF FF, D=01, as state 0");
}

/* ---- against the scalar permutation ------------------------------------ */

Test(keccak_x2, matches_scalar_on_random_states)
{
	enum { PAIRS = 2000 };
	uint64_t *st = random_states(2 * PAIRS, 0x2a);
	size_t i;

	for (i = 0; i < PAIRS; i++)
		expect_x2_matches(st + 2 * i * LANES, st + (2 * i + 1) * LANES,
				  "random pair", i);
	free(st);
}

/* All-zero and all-ones against each other, themselves and a random state. */
Test(keccak_x2, matches_scalar_on_zero_and_ones)
{
	uint64_t zero[LANES], ones[LANES];
	uint64_t *rnd = random_states(1, 0x07);
	const uint64_t *states[3] = { zero, ones, rnd };
	size_t i, j;

	memset(zero, 0, sizeof zero);
	memset(ones, 0xff, sizeof ones);
	for (i = 0; i < 3; i++)
		for (j = 0; j < 3; j++)
			expect_x2_matches(states[i], states[j],
					  "zero/ones/random combination", 3 * i + j);
	free(rnd);
}

/*
 * Every single-bit state, paired with the single-bit state at the mirrored
 * position: a lane taken from the wrong place, a wrong rotation or a lane
 * crossing between the halves shows up as a difference.
 */
Test(keccak_x2, matches_scalar_on_single_bits)
{
	uint64_t a[LANES], b[LANES];
	size_t k;

	for (k = 0; k < 64 * LANES; k++) {
		memset(a, 0, sizeof a);
		memset(b, 0, sizeof b);
		a[k / 64] = (uint64_t)1 << (k % 64);
		b[LANES - 1 - k / 64] = (uint64_t)1 << (63 - k % 64);
		expect_x2_matches(a, b, "single bit", k);
	}
}

/* Repeated application: 100 permutations of one pair, checked each time. */
Test(keccak_x2, matches_scalar_when_iterated)
{
	uint64_t *st = random_states(2, 0x5c);
	uint64_t want0[LANES], want1[LANES];
	size_t i;

	memcpy(want0, st, STATE_BYTES);
	memcpy(want1, st + LANES, STATE_BYTES);
	for (i = 0; i < 100; i++) {
		sg_keccak_p1600_12(want0);
		sg_keccak_p1600_12(want1);
		sg_keccak_p1600_12_x2(st, st + LANES);
		cr_assert(memcmp(st, want0, STATE_BYTES) == 0, "state 0 after %zu", i + 1);
		cr_assert(memcmp(st + LANES, want1, STATE_BYTES) == 0, "state 1 after %zu", i + 1);
	}
	free(st);
}

/*
 * States at every 8-byte offset modulo 16 inside one buffer, with guard
 * lanes around and between them that must stay as they were. (Under ASan
 * the exact-size copies of expect_x2_matches catch overruns as well.)
 */
Test(keccak_x2, alignment_and_bounds)
{
	enum { GUARD = 3, TOTAL = 2 * LANES + 3 * GUARD + 1 };
	uint64_t buf[TOTAL], want[2][LANES], *s0, *s1;
	uint64_t *rnd = random_states(2, 0x99);
	size_t shift, i;

	for (shift = 0; shift < 2; shift++) {
		for (i = 0; i < TOTAL; i++)
			buf[i] = 0xa5a5a5a5a5a5a5a5ULL ^ i;
		s0 = buf + GUARD + shift;
		s1 = s0 + LANES + GUARD;
		memcpy(s0, rnd, STATE_BYTES);
		memcpy(s1, rnd + LANES, STATE_BYTES);
		memcpy(want, rnd, sizeof want);
		sg_keccak_p1600_12(want[0]);
		sg_keccak_p1600_12(want[1]);
		sg_keccak_p1600_12_x2(s0, s1);
		cr_expect(memcmp(s0, want[0], STATE_BYTES) == 0, "state 0, shift %zu", shift);
		cr_expect(memcmp(s1, want[1], STATE_BYTES) == 0, "state 1, shift %zu", shift);
		for (i = 0; i < TOTAL; i++) {
			if ((buf + i >= s0 && buf + i < s0 + LANES) ||
			    (buf + i >= s1 && buf + i < s1 + LANES))
				continue;
			cr_expect(buf[i] == (0xa5a5a5a5a5a5a5a5ULL ^ i),
				  "guard lane %zu changed, shift %zu", i, shift);
		}
	}
	free(rnd);
}
