/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SG_FUZZ_PRIO3_FUZZ_H
#define SG_FUZZ_PRIO3_FUZZ_H

/*
 * What the Prio3 libFuzzer targets (fuzz/fuzz_prio3_*.c) share: six
 * parameter sets, an honest report for each, run to the end at start-up
 * (fixed randomness, verified at every aggregator), the ways an input becomes
 * a candidate encoding, and field checks done here independently of the
 * library (draft-irtf-cfrg-vdaf-20 §6.1).
 *
 * Each target is one translation unit that includes this header once, so
 * everything here is static; functions are static inline so that a target
 * need not use them all. A target that needs fields of its own in struct run
 * defines PRIO3_FUZZ_RUN_EXTRA (member declarations) before the #include and
 * sets them up in the hook it passes to setup_runs.
 *
 * check() is the invariant check: it traps, which libFuzzer reports as a
 * crash with the input. REQUIRE() is for the setup, which runs before
 * libFuzzer can report anything: it says what failed, then aborts.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spillguard/prio3.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_SHARES 3
#define NVARIANTS 6
#define SEED SG_PRIO3_SEED_BYTES

#ifndef PRIO3_FUZZ_RUN_EXTRA
#define PRIO3_FUZZ_RUN_EXTRA
#endif

static inline void check(bool cond)
{
	if (!cond)
		__builtin_trap();
}

#define REQUIRE(cond) require((cond), #cond, __FILE__, __LINE__)
static inline void require(bool cond, const char *what, const char *file, int line)
{
	if (!cond) {
		fprintf(stderr, "fuzz setup failed (%s:%d): %s\n", file, line, what);
		abort();
	}
}

/* --- the honest reports ------------------------------------------------------ */

/* A parameter set and the measurement its honest report carries. */
typedef struct variant {
	sg_prio3_params params;
	uint64_t meas[5];
} variant;

static const variant variants[NVARIANTS] = {
	{ { .circuit = SG_PRIO3_COUNT, .field = SG_PRIO3_FIELD64, .algorithm_id = 1,
	    .shares = 2, .proofs = 1 },
	  { 1 } },
	{ { .circuit = SG_PRIO3_SUMVEC, .field = SG_PRIO3_FIELD128, .algorithm_id = 3,
	    .shares = 3, .proofs = 1, .length = 4, .max_measurement = 15, .chunk_length = 3 },
	  { 0, 15, 7, 8 } },
	{ { .circuit = SG_PRIO3_HISTOGRAM, .field = SG_PRIO3_FIELD128, .algorithm_id = 4,
	    .shares = 2, .proofs = 1, .length = 5, .chunk_length = 2 },
	  { 3 } },
	/* Field64 with joint randomness and two proofs (experimental id). */
	{ { .circuit = SG_PRIO3_SUMVEC, .field = SG_PRIO3_FIELD64, .algorithm_id = 0xffffffffu,
	    .shares = 2, .proofs = 2, .length = 3, .max_measurement = 3, .chunk_length = 2 },
	  { 3, 0, 2 } },
	/* BoundedSumVec: a bound per element, 2^b - 1 or not, down to 1. */
	{ { .circuit = SG_PRIO3_BOUNDED_SUMVEC, .field = SG_PRIO3_FIELD128,
	    .algorithm_id = SG_PRIO3_BOUNDED_SUMVEC_ID, .shares = 3, .proofs = 1, .length = 4,
	    .chunk_length = 4, .max_measurements = (const uint64_t[]){ 100, 1, 60000, 7 },
	    .max_measurements_len = 4 },
	  { 50, 1, 60000, 0 } },
	{ { .circuit = SG_PRIO3_BOUNDED_SUMVEC, .field = SG_PRIO3_FIELD64,
	    .algorithm_id = SG_PRIO3_BOUNDED_SUMVEC_MULTIPROOF_ID, .shares = 2, .proofs = 2,
	    .length = 3, .chunk_length = 3, .max_measurements = (const uint64_t[]){ 5, 255, 2 },
	    .max_measurements_len = 3 },
	  { 5, 17, 2 } },
};

/* One honest report run to the end, plus scratch for the fuzzed runs. */
typedef struct run {
	sg_prio3 *p;
	unsigned shares;
	size_t psb, vsb, msb, osb, isb[MAX_SHARES]; /* encoded sizes */
	size_t enc, olen; /* bytes per field element, output length */
	enum sg_prio3_circuit circuit;
	uint8_t *pub, *input[MAX_SHARES], *vs[MAX_SHARES], *out[MAX_SHARES];
	uint8_t msg[SEED];
	sg_prio3_state *st[MAX_SHARES];
	uint8_t *tmp_vs[MAX_SHARES], *tmp_out;
	sg_prio3_agg *agg; /* empty at start; targets that aggregate use it */
	PRIO3_FUZZ_RUN_EXTRA
} run;

static run runs[NVARIANTS];
static const uint8_t ctx[] = "spillguard fuzz";
#define CTX_LEN (sizeof ctx - 1)
static uint8_t verify_key[SG_PRIO3_VERIFY_KEY_BYTES], nonce[SG_PRIO3_NONCE_BYTES];

static inline uint8_t *xmalloc(size_t n)
{
	uint8_t *b = malloc(n ? n : 1);
	REQUIRE(b != NULL);
	return b;
}

static inline bool all_zero(const uint8_t *b, size_t n)
{
	uint8_t acc = 0;
	for (size_t i = 0; i < n; i++)
		acc |= b[i];
	return acc == 0;
}

static inline void alloc_run(run *r, const variant *v)
{
	REQUIRE(sg_prio3_new(&r->p, &v->params) == 0);
	r->shares = sg_prio3_shares(r->p);
	REQUIRE(r->shares <= MAX_SHARES);
	r->psb = sg_prio3_public_share_bytes(r->p);
	r->vsb = sg_prio3_verifier_share_bytes(r->p);
	r->msb = sg_prio3_verifier_message_bytes(r->p);
	r->osb = sg_prio3_out_share_bytes(r->p);
	r->enc = v->params.field == SG_PRIO3_FIELD64 ? 8 : 16;
	r->olen = sg_prio3_output_len(r->p);
	r->circuit = v->params.circuit;
	r->pub = xmalloc(r->psb);
	r->tmp_out = xmalloc(r->osb);
	REQUIRE(sg_prio3_agg_new(r->p, &r->agg) == 0);
	for (unsigned j = 0; j < r->shares; j++) {
		r->isb[j] = sg_prio3_input_share_bytes(r->p, j);
		r->input[j] = xmalloc(r->isb[j]);
		r->vs[j] = xmalloc(r->vsb);
		r->tmp_vs[j] = xmalloc(r->vsb);
		r->out[j] = xmalloc(r->osb);
		REQUIRE(sg_prio3_state_new(r->p, &r->st[j]) == 0);
	}
}

/* Shards with fixed randomness, then verifies at every aggregator. */
static inline void honest_run(run *r, const variant *v)
{
	uint8_t rand[2 * MAX_SHARES * SEED];
	const uint8_t *vs[MAX_SHARES];
	size_t lens[MAX_SHARES], rlen = sg_prio3_rand_bytes(r->p);
	REQUIRE(rlen <= sizeof rand);
	for (size_t i = 0; i < rlen; i++)
		rand[i] = (uint8_t)(i * 37 + 11);
	REQUIRE(sg_prio3_shard(r->p, r->pub, r->input, ctx, CTX_LEN, v->meas,
			       sg_prio3_measurement_len(r->p), nonce, rand, rlen) == 0);
	for (unsigned j = 0; j < r->shares; j++) {
		REQUIRE(sg_prio3_verify_init(r->p, r->st[j], r->vs[j], verify_key, ctx, CTX_LEN, j,
					     nonce, r->pub, r->psb, r->input[j], r->isb[j]) == 0);
		vs[j] = r->vs[j];
		lens[j] = r->vsb;
	}
	REQUIRE(sg_prio3_verifier_shares_to_message(r->p, r->msg, ctx, CTX_LEN, vs, lens) == 0);
	for (unsigned j = 0; j < r->shares; j++) {
		REQUIRE(sg_prio3_verify_next(r->p, r->st[j], r->msg, r->msb) == 0);
		REQUIRE(sg_prio3_out_share_encode(r->p, r->out[j], r->st[j]) == 0);
	}
}

/* The body of every target's LLVMFuzzerInitialize: fixed key and nonce, then
 * each variant's honest report, then the target's own setup (extra, may be
 * NULL) of that run. Returns 0 for libFuzzer. */
static inline int setup_runs(int *argc, char ***argv, void (*extra)(run *, const variant *))
{
	(void)argc;
	(void)argv;
	for (size_t i = 0; i < sizeof verify_key; i++)
		verify_key[i] = (uint8_t)(0xa0 + i);
	for (size_t i = 0; i < sizeof nonce; i++)
		nonce[i] = (uint8_t)(0x50 + i);
	for (size_t i = 0; i < NVARIANTS; i++) {
		alloc_run(&runs[i], &variants[i]);
		honest_run(&runs[i], &variants[i]);
		if (extra != NULL)
			extra(&runs[i], &variants[i]);
	}
	return 0;
}

/* --- candidates ---------------------------------------------------------------- */

/* Byte 0 of every input: modulo NVARIANTS it picks the run (variant),
 * bits 2-3 modulo the share count an aggregator, for targets that fuzz one
 * (every pair of the two stays reachable with bits 6-7 fixed). */
static inline run *run_of(uint8_t b0)
{
	return &runs[b0 % NVARIANTS];
}

static inline unsigned aggregator_of(const run *r, uint8_t b0)
{
	return (unsigned)((b0 >> 2) & 3) % r->shares;
}

/* The input as is, or XORed onto ref where they overlap; exact-size copy so
 * that ASan sees any read past its end. */
static inline uint8_t *candidate(const uint8_t *in, size_t n, const uint8_t *ref,
				 size_t ref_len, bool xor)
{
	uint8_t *c = xmalloc(n);
	for (size_t i = 0; i < n; i++)
		c[i] = (uint8_t)(in[i] ^ (xor && i < ref_len ? ref[i] : 0));
	return c;
}

/* draft §6.1 moduli, little-endian: Field64 p = 2^64 - 2^32 + 1,
 * Field128 p = 2^128 - 28 * 2^64 + 1. */
static const uint8_t P64[8] = { 1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff };
static const uint8_t P128[16] = { 1,    0,    0,    0,    0,    0,    0,    0,
				   0xe4, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/* Element value named by code: the honest one, 0, p - 1, p, p + 1, or all
 * ones; the values a canonicity check must tell apart. */
static inline void put_named(uint8_t *e, size_t enc, unsigned code)
{
	switch (code % 6) {
	case 0: return;
	case 1: memset(e, 0, enc); return;
	case 5: memset(e, 0xff, enc); return;
	default:
		memcpy(e, enc == 8 ? P64 : P128, enc);
		e[0] = (uint8_t)(code % 6 - 2); /* p's low byte is 1 */
		return;
	}
}

/* Bit 6 of byte 0: the input names (put_named) the first elements of an
 * encoding that is otherwise the honest one. */
static inline uint8_t *named(const uint8_t *codes, size_t ncodes, const uint8_t *ref,
			     size_t ref_len, size_t elems, size_t enc)
{
	uint8_t *c = xmalloc(ref_len);
	memcpy(c, ref, ref_len);
	for (size_t i = 0; i < elems && i < ncodes; i++)
		put_named(c + i * enc, enc, codes[i]);
	return c;
}

/* The candidate for an input whose byte 0 says how to read the rest: bit 6,
 * as names for the first elems elements of ref (named, ref_len bytes);
 * otherwise as is or, with bit 7, XORed onto ref (candidate, size - 1
 * bytes). Its length goes to *n; free it when done. */
static inline uint8_t *candidate_of(size_t *n, const uint8_t *data, size_t size,
				    const uint8_t *ref, size_t ref_len, size_t elems, size_t enc)
{
	bool by_name = (data[0] & 0x40) != 0, xor = (data[0] & 0x80) != 0;
	*n = by_name ? ref_len : size - 1;
	return by_name ? named(data + 1, size - 1, ref, ref_len, elems, enc)
		       : candidate(data + 1, *n, ref, ref_len, xor);
}

/* --- field elements, independently of the library ------------------------------ */

typedef struct u128 {
	uint64_t lo, hi;
} u128;

static inline uint64_t le64(const uint8_t *b)
{
	uint64_t x = 0;
	for (int i = 7; i >= 0; i--)
		x = (x << 8) | b[i];
	return x;
}

/* An encoded element of enc bytes (8 or 16), little-endian. */
static inline u128 load(const uint8_t *e, size_t enc)
{
	u128 x = { le64(e), enc == 16 ? le64(e + 8) : 0 };
	return x;
}

/* draft §6.1: Field64 p = 2^64 - 2^32 + 1, Field128 p = 2^128 - 28 * 2^64 + 1. */
static inline u128 modulus(size_t enc)
{
	u128 p64 = { 0xffffffff00000001u, 0 }, p128 = { 1, 0xffffffffffffffe4u };
	return enc == 8 ? p64 : p128;
}

static inline bool ge(u128 a, u128 b)
{
	return a.hi > b.hi || (a.hi == b.hi && a.lo >= b.lo);
}

/* Whether all count elements of b are below p. */
static inline bool all_canonical(const uint8_t *b, size_t count, size_t enc)
{
	for (size_t i = 0; i < count; i++)
		if (ge(load(b + i * enc, enc), modulus(enc)))
			return false;
	return true;
}

#endif
