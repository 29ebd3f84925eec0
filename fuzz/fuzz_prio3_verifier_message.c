/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the Prio3 verifier message (draft-irtf-cfrg-vdaf-20
 * §7.2.2): verify_next with the input as message, after verify_init on an
 * honest report. The state is spent by every verify_next, so verify_init
 * runs per input; sharding and the honest run happen once.
 *
 * Input: byte 0 picks the parameter set (bits 0-1: Count/Field64,
 * SumVec/Field128, Histogram/Field128, SumVec/Field64 with two proofs), the
 * aggregator (bits 2-3, modulo the share count) and whether the rest is
 * taken as is or XORed onto the honest message (bit 7). Invariants checked:
 *   - verify_next accepts exactly the honest message;
 *   - a refused message leaves a state that nothing revives: the honest
 *     message then gives SG_ERR_STATE, as do out_share_encode (zeroing its
 *     output) and aggregate;
 *   - an accepted one gives the honest output share, once.
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
	sg_prio3_agg *agg; /* takes every output share that gets through */
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
	check(sg_prio3_agg_new(r->p, &r->agg) == 0);
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

/* --- verifier message ------------------------------------------------------ */

static void refused(run *r, unsigned j, int ret, size_t n)
{
	/* The header promises SG_ERR_JOINT_RAND; SG_ERR_LENGTH would also be
	 * right for a message of the wrong length. */
	check(ret == SG_ERR_JOINT_RAND || (n != r->msb && ret == SG_ERR_LENGTH));
	check(sg_prio3_verify_next(r->p, r->st[j], r->msg, r->msb) == SG_ERR_STATE);
	memset(r->tmp_out, 0xa5, r->osb);
	check(sg_prio3_out_share_encode(r->p, r->tmp_out, r->st[j]) == SG_ERR_STATE);
	check(all_zero(r->tmp_out, r->osb));
	check(sg_prio3_aggregate(r->p, r->agg, r->st[j]) == SG_ERR_STATE);
}

static void accepted(run *r, unsigned j)
{
	check(sg_prio3_out_share_encode(r->p, r->tmp_out, r->st[j]) == 0);
	check(memcmp(r->tmp_out, r->out[j], r->osb) == 0);
	check(sg_prio3_verify_next(r->p, r->st[j], r->msg, r->msb) == SG_ERR_STATE);
	check(sg_prio3_aggregate(r->p, r->agg, r->st[j]) == 0);
}

static void fuzz_message(run *r, unsigned j, const uint8_t *cand, size_t n)
{
	memset(r->tmp_vs[j], 0xa5, r->vsb);
	check(sg_prio3_verify_init(r->p, r->st[j], r->tmp_vs[j], verify_key, ctx, CTX_LEN, j,
				   nonce, r->pub, r->psb, r->input[j], r->isb[j]) == 0);
	check(memcmp(r->tmp_vs[j], r->vs[j], r->vsb) == 0);
	int ret = sg_prio3_verify_next(r->p, r->st[j], cand, n);
	bool honest = n == r->msb && memcmp(cand, r->msg, n) == 0;
	check((ret == 0) == honest);
	if (ret == 0)
		accepted(r, j);
	else
		refused(r, j, ret, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	run *r = &runs[data[0] % NVARIANTS];
	unsigned j = (unsigned)((data[0] >> 2) & 3) % r->shares;
	size_t n = size - 1;
	uint8_t *cand = candidate(data + 1, n, r->msg, r->msb, (data[0] & 0x80) != 0);
	fuzz_message(r, j, cand, n);
	free(cand);
	return 0;
}
