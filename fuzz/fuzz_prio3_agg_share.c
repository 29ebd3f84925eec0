/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for Prio3 aggregate shares (draft-irtf-cfrg-vdaf-20
 * §7.2.4-5): agg_add_encoded with the input, and unshard with the input in
 * place of one aggregator's share of an honest report's aggregate.
 *
 * Input: byte 0 picks the parameter set (bits 0-1: Count/Field64,
 * SumVec/Field128, Histogram/Field128, SumVec/Field64 with two proofs), the
 * aggregator whose share is replaced (bits 2-3, modulo the share count) and
 * whether the rest is taken as is, XORed onto the honest share (bit 7), or
 * read as names of boundary values for its elements (bit 6).
 * Invariants checked, against field arithmetic done here independently:
 *   - agg_add_encoded returns SG_ERR_LENGTH exactly for the wrong length,
 *     SG_ERR_NONCANONICAL exactly when an element is >= p, else 0; it adds
 *     the input to the running aggregate when it accepts and leaves the
 *     aggregate untouched when it refuses;
 *   - unshard refuses the same inputs with the same code, and otherwise
 *     returns the element-wise sums mod p, or SG_ERR_OVERFLOW exactly when
 *     one does not fit in 64 bits; on failure the result is zeroed.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "spillguard/prio3.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_SHARES 3
#define NVARIANTS 4
#define SEED SG_PRIO3_SEED_BYTES
#define MAX_OUT 8

static void check(bool cond)
{
	if (!cond)
		__builtin_trap();
}

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
};

/* One honest report run to the end, plus scratch for the fuzzed runs. */
typedef struct run {
	sg_prio3 *p;
	unsigned shares;
	size_t psb, vsb, msb, osb, isb[MAX_SHARES];
	uint8_t *pub, *input[MAX_SHARES], *vs[MAX_SHARES], *out[MAX_SHARES];
	uint8_t msg[SEED];
	sg_prio3_state *st[MAX_SHARES];
	uint8_t *tmp_vs[MAX_SHARES], *tmp_out;
	size_t enc, olen;  /* bytes per field element, output length */
	sg_prio3_agg *agg; /* every accepted input is added here... */
	uint8_t *acc;      /* ...and, computed independently, here */
	uint64_t result[MAX_OUT]; /* the honest report's aggregate result */
} run;

static run runs[NVARIANTS];
static const uint8_t ctx[] = "spillguard fuzz";
#define CTX_LEN (sizeof ctx - 1)
static uint8_t verify_key[SG_PRIO3_VERIFY_KEY_BYTES], nonce[SG_PRIO3_NONCE_BYTES];

static uint8_t *xmalloc(size_t n)
{
	uint8_t *b = malloc(n ? n : 1);
	check(b != NULL);
	return b;
}

static bool all_zero(const uint8_t *b, size_t n)
{
	uint8_t acc = 0;
	for (size_t i = 0; i < n; i++)
		acc |= b[i];
	return acc == 0;
}

static void alloc_run(run *r, const variant *v)
{
	check(sg_prio3_new(&r->p, &v->params) == 0);
	r->shares = sg_prio3_shares(r->p);
	r->psb = sg_prio3_public_share_bytes(r->p);
	r->vsb = sg_prio3_verifier_share_bytes(r->p);
	r->msb = sg_prio3_verifier_message_bytes(r->p);
	r->osb = sg_prio3_out_share_bytes(r->p);
	r->pub = xmalloc(r->psb);
	r->tmp_out = xmalloc(r->osb);
	r->enc = v->params.field == SG_PRIO3_FIELD64 ? 8 : 16;
	r->olen = sg_prio3_output_len(r->p);
	check(r->olen <= MAX_OUT);
	check(sg_prio3_agg_new(r->p, &r->agg) == 0);
	r->acc = xmalloc(r->osb);
	memset(r->acc, 0, r->osb);
	for (unsigned j = 0; j < r->shares; j++) {
		r->isb[j] = sg_prio3_input_share_bytes(r->p, j);
		r->input[j] = xmalloc(r->isb[j]);
		r->vs[j] = xmalloc(r->vsb);
		r->tmp_vs[j] = xmalloc(r->vsb);
		r->out[j] = xmalloc(r->osb);
		check(sg_prio3_state_new(r->p, &r->st[j]) == 0);
	}
}

/* Shards with fixed randomness, then verifies at every aggregator. */
static void honest_run(run *r, const variant *v)
{
	uint8_t rand[2 * MAX_SHARES * SEED];
	const uint8_t *vs[MAX_SHARES];
	size_t lens[MAX_SHARES], rlen = sg_prio3_rand_bytes(r->p);
	check(rlen <= sizeof rand);
	for (size_t i = 0; i < rlen; i++)
		rand[i] = (uint8_t)(i * 37 + 11);
	check(sg_prio3_shard(r->p, r->pub, r->input, ctx, CTX_LEN, v->meas,
			     sg_prio3_measurement_len(r->p), nonce, rand, rlen) == 0);
	for (unsigned j = 0; j < r->shares; j++) {
		check(sg_prio3_verify_init(r->p, r->st[j], r->vs[j], verify_key, ctx, CTX_LEN, j,
					   nonce, r->pub, r->psb, r->input[j], r->isb[j]) == 0);
		vs[j] = r->vs[j];
		lens[j] = r->vsb;
	}
	check(sg_prio3_verifier_shares_to_message(r->p, r->msg, ctx, CTX_LEN, vs, lens) == 0);
	for (unsigned j = 0; j < r->shares; j++) {
		check(sg_prio3_verify_next(r->p, r->st[j], r->msg, r->msb) == 0);
		check(sg_prio3_out_share_encode(r->p, r->out[j], r->st[j]) == 0);
	}
}

/* One report's aggregate result: the measurement itself (Histogram: as
 * one-hot counts). */
static void honest_result(run *r, const variant *v)
{
	const uint8_t *shares[MAX_SHARES];
	size_t lens[MAX_SHARES];
	for (unsigned j = 0; j < r->shares; j++) {
		shares[j] = r->out[j];
		lens[j] = r->osb;
	}
	check(sg_prio3_unshard(r->p, r->result, r->olen, shares, lens, 1) == 0);
	for (size_t i = 0; i < r->olen; i++) {
		uint64_t want = v->params.circuit == SG_PRIO3_HISTOGRAM ? (uint64_t)(i == v->meas[0])
									 : v->meas[i];
		check(r->result[i] == want);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
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
		honest_result(&runs[i], &variants[i]);
	}
	return 0;
}

/* The input as is, or XORed onto ref where they overlap; exact-size copy so
 * that ASan sees any read past its end. */
static uint8_t *candidate(const uint8_t *in, size_t n, const uint8_t *ref, size_t ref_len,
			  bool xor)
{
	uint8_t *c = xmalloc(n);
	for (size_t i = 0; i < n; i++)
		c[i] = (uint8_t)(in[i] ^ (xor && i < ref_len ? ref[i] : 0));
	return c;
}

/* draft §6.1 moduli, little-endian: Field64 p = 2^64 - 2^32 + 1,
 * Field128 p = 2^128 - 28 * 2^64 + 1. */
static const uint8_t P64[8] = { 1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff };
static const uint8_t P128[16] = { 1, 0, 0, 0, 0, 0, 0, 0, 0xe4, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/* Element value named by code: the honest one, 0, p - 1, p, p + 1, or all
 * ones; the values a canonicity check must tell apart. */
static void put_named(uint8_t *e, size_t enc, unsigned code)
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
static uint8_t *named(const uint8_t *codes, size_t ncodes, const uint8_t *ref, size_t ref_len,
		      size_t elems, size_t enc)
{
	uint8_t *c = xmalloc(ref_len);
	memcpy(c, ref, ref_len);
	for (size_t i = 0; i < elems && i < ncodes; i++)
		put_named(c + i * enc, enc, codes[i]);
	return c;
}

/* --- aggregate share ------------------------------------------------------- */

typedef struct u128 {
	uint64_t lo, hi;
} u128;

static uint64_t le64(const uint8_t *b)
{
	uint64_t x = 0;
	for (int i = 7; i >= 0; i--)
		x = (x << 8) | b[i];
	return x;
}

static void store_le64(uint8_t *b, uint64_t x)
{
	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(x >> (8 * i));
}

static u128 load(const uint8_t *e, size_t enc)
{
	u128 x = { le64(e), enc == 16 ? le64(e + 8) : 0 };
	return x;
}

static void store(uint8_t *e, u128 x, size_t enc)
{
	store_le64(e, x.lo);
	if (enc == 16)
		store_le64(e + 8, x.hi);
}

/* draft §6.1: Field64 p = 2^64 - 2^32 + 1, Field128 p = 2^128 - 28 * 2^64 + 1. */
static u128 modulus(size_t enc)
{
	u128 p64 = { 0xffffffff00000001u, 0 }, p128 = { 1, 0xffffffffffffffe4u };
	return enc == 8 ? p64 : p128;
}

static bool ge(u128 a, u128 b)
{
	return a.hi > b.hi || (a.hi == b.hi && a.lo >= b.lo);
}

/* (a + b) mod p for a, b < p: the sum is below 2p < 2^129, so one
 * subtraction (modulo 2^128 when the sum carried out) reduces it. */
static u128 add_mod(u128 a, u128 b, u128 p)
{
	u128 s;
	s.lo = a.lo + b.lo;
	uint64_t c = s.lo < a.lo;
	uint64_t t = a.hi + b.hi;
	bool carry = t < a.hi;
	s.hi = t + c;
	carry |= s.hi < t;
	if (carry || ge(s, p)) {
		uint64_t borrow = s.lo < p.lo;
		s.lo -= p.lo;
		s.hi = s.hi - p.hi - borrow;
	}
	return s;
}

static bool all_canonical(const uint8_t *b, size_t count, size_t enc)
{
	for (size_t i = 0; i < count; i++)
		if (ge(load(b + i * enc, enc), modulus(enc)))
			return false;
	return true;
}

/* acc += share, element-wise mod p. */
static void acc_add(const run *r, uint8_t *acc, const uint8_t *share)
{
	for (size_t i = 0; i < r->olen; i++) {
		u128 s = add_mod(load(acc + i * r->enc, r->enc), load(share + i * r->enc, r->enc),
				 modulus(r->enc));
		store(acc + i * r->enc, s, r->enc);
	}
}

/* What a decoder of output or aggregate shares must return for this input. */
static int expected(const run *r, const uint8_t *cand, size_t n)
{
	if (n != r->osb)
		return SG_ERR_LENGTH;
	return all_canonical(cand, r->olen, r->enc) ? 0 : SG_ERR_NONCANONICAL;
}

static int add_encoded(run *r, const uint8_t *cand, size_t n)
{
	int ret = sg_prio3_agg_add_encoded(r->p, r->agg, cand, n);
	check(ret == expected(r, cand, n));
	if (ret == 0)
		acc_add(r, r->acc, cand);
	sg_prio3_agg_encode(r->p, r->tmp_out, r->agg);
	check(memcmp(r->tmp_out, r->acc, r->osb) == 0);
	return ret;
}

/* Sum of the shares as unshard must report it: false if one overflows. */
static bool expected_result(const run *r, const uint8_t *const *shares, uint64_t *want)
{
	uint8_t sum[MAX_OUT * 16];
	bool fits = true;
	memset(sum, 0, r->osb);
	for (unsigned j = 0; j < r->shares; j++)
		acc_add(r, sum, shares[j]);
	for (size_t i = 0; i < r->olen; i++) {
		u128 x = load(sum + i * r->enc, r->enc);
		want[i] = x.lo;
		fits &= x.hi == 0;
	}
	return fits;
}

static void unshard(const run *r, unsigned k, const uint8_t *cand, size_t n, int add_ret)
{
	const uint8_t *shares[MAX_SHARES];
	size_t lens[MAX_SHARES];
	uint64_t result[MAX_OUT], want[MAX_OUT];
	for (unsigned j = 0; j < r->shares; j++) {
		shares[j] = j == k ? cand : r->out[j];
		lens[j] = j == k ? n : r->osb;
	}
	memset(result, 0xa5, sizeof result);
	int ret = sg_prio3_unshard(r->p, result, r->olen, shares, lens, 1);
	if (add_ret != 0) {
		check(ret == add_ret);
		check(all_zero((const uint8_t *)result, r->olen * sizeof *result));
		return;
	}
	if (!expected_result(r, shares, want)) {
		check(ret == SG_ERR_OVERFLOW);
		check(all_zero((const uint8_t *)result, r->olen * sizeof *result));
		return;
	}
	check(ret == 0);
	check(memcmp(result, want, r->olen * sizeof *result) == 0);
	if (memcmp(cand, r->out[k], r->osb) == 0)
		check(memcmp(result, r->result, r->olen * sizeof *result) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	run *r = &runs[data[0] % NVARIANTS];
	unsigned k = (unsigned)((data[0] >> 2) & 3) % r->shares;
	bool by_name = (data[0] & 0x40) != 0;
	size_t n = by_name ? r->osb : size - 1;
	uint8_t *cand = by_name ? named(data + 1, size - 1, r->out[k], n, r->olen, r->enc)
				: candidate(data + 1, n, r->out[k], r->osb, (data[0] & 0x80) != 0);
	int ret = add_encoded(r, cand, n);
	unshard(r, k, cand, n, ret);
	free(cand);
	return 0;
}
