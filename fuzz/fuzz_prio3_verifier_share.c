/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for Prio3 verifier shares (draft-irtf-cfrg-vdaf-20
 * §7.2.2): verifier_shares_to_message on the verifier shares of an honest
 * report, one of them replaced by the input.
 *
 * Input: byte 0 picks the parameter set (bits 0-1: Count/Field64,
 * SumVec/Field128, Histogram/Field128, SumVec/Field64 with two proofs), the
 * aggregator whose share is replaced (bits 2-3, modulo the share count) and
 * whether the rest is taken as is, XORed onto the honest share (bit 7), or
 * read as names of boundary values for its elements (bit 6).
 * Invariants checked:
 *   - SG_ERR_LENGTH exactly for the wrong length, SG_ERR_NONCANONICAL
 *     exactly when a field element is >= p (checked here independently),
 *     otherwise 0 or SG_ERR_VERIFY, with the message zeroed on failure;
 *   - the decision reads the field elements only: with the honest ones it
 *     accepts whatever the joint randomness part holds;
 *   - an accepted message is the honest one exactly when the part is honest
 *     (a TurboSHAKE128 collision aside).
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
	size_t enc; /* bytes per field element */
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

/* --- verifier share --------------------------------------------------------- */

static uint64_t le64(const uint8_t *b)
{
	uint64_t x = 0;
	for (int i = 7; i >= 0; i--)
		x = (x << 8) | b[i];
	return x;
}

/* draft §6.1: Field64 p = 2^64 - 2^32 + 1, Field128 p = 2^128 - 28 * 2^64 + 1. */
static bool canonical(const uint8_t *e, size_t enc)
{
	if (enc == 8)
		return le64(e) < 0xffffffff00000001u;
	uint64_t lo = le64(e), hi = le64(e + 8);
	return hi < 0xffffffffffffffe4u || (hi == 0xffffffffffffffe4u && lo == 0);
}

static bool all_canonical(const uint8_t *b, size_t count, size_t enc)
{
	for (size_t i = 0; i < count; i++)
		if (!canonical(b + i * enc, enc))
			return false;
	return true;
}

/* A verifier share is field elements, then (with joint randomness) the
 * aggregator's part, whose size is the message's: SEED or 0. */
static size_t field_bytes(const run *r)
{
	return r->vsb - r->msb;
}

static void fuzz_share(run *r, unsigned k, const uint8_t *cand, size_t n)
{
	const uint8_t *vs[MAX_SHARES];
	size_t lens[MAX_SHARES];
	uint8_t msg[SEED];
	for (unsigned j = 0; j < r->shares; j++) {
		vs[j] = j == k ? cand : r->vs[j];
		lens[j] = j == k ? n : r->vsb;
	}
	memset(msg, 0xa5, sizeof msg);
	int ret = sg_prio3_verifier_shares_to_message(r->p, msg, ctx, CTX_LEN, vs, lens);
	bool len_ok = n == r->vsb;
	bool canon = len_ok && all_canonical(cand, field_bytes(r) / r->enc, r->enc);
	bool fields_honest = len_ok && memcmp(cand, r->vs[k], field_bytes(r)) == 0;
	bool part_honest = len_ok && memcmp(cand + field_bytes(r), r->vs[k] + field_bytes(r),
					    r->msb) == 0;
	if (!len_ok)
		check(ret == SG_ERR_LENGTH);
	else if (!canon)
		check(ret == SG_ERR_NONCANONICAL);
	else
		check(ret == 0 || ret == SG_ERR_VERIFY);
	check(!fields_honest || ret == 0);
	if (ret != 0) {
		check(all_zero(msg, r->msb));
		return;
	}
	check((memcmp(msg, r->msg, r->msb) == 0) == part_honest);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	run *r = &runs[data[0] % NVARIANTS];
	unsigned k = (unsigned)((data[0] >> 2) & 3) % r->shares;
	bool by_name = (data[0] & 0x40) != 0;
	size_t n = by_name ? r->vsb : size - 1;
	uint8_t *cand = by_name ? named(data + 1, size - 1, r->vs[k], n, field_bytes(r) / r->enc,
					r->enc)
				: candidate(data + 1, n, r->vs[k], r->vsb, (data[0] & 0x80) != 0);
	fuzz_share(r, k, cand, n);
	free(cand);
	return 0;
}
