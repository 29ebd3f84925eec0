/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the Prio3 public share (the joint randomness parts,
 * draft-irtf-cfrg-vdaf-20 §7.2.2): every aggregator runs verify_init on an
 * honest report whose public share is replaced by the input, then the
 * report goes through verification to the end.
 *
 * Input: byte 0 picks the parameter set (bits 0-1) and whether the rest is
 * taken as is or XORed onto the honest public share (bit 7), which lets the
 * fuzzer reach the accepting paths. Invariants checked:
 *   - verify_init accepts exactly the inputs of the right length, and zeroes
 *     the verifier share and leaves the state unusable otherwise;
 *   - aggregator j ignores slot j (it recomputes its own part), so its
 *     verifier share equals the honest one whenever the other slots do;
 *   - the verifier message is built from the aggregators' own parts only;
 *   - verify_next succeeds at aggregator j exactly when every slot but j is
 *     honest (a TurboSHAKE128 collision aside), and then yields the honest
 *     output share.
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

/* --- public share ----------------------------------------------------------- */

/* Aggregator j's corrected joint randomness reads every slot but its own. */
static bool slots_match_except(const run *r, const uint8_t *cand, size_t n, unsigned j)
{
	if (n != r->psb)
		return false;
	if (r->psb == 0)
		return true;
	for (unsigned k = 0; k < r->shares; k++)
		if (k != j && memcmp(cand + k * SEED, r->pub + k * SEED, SEED) != 0)
			return false;
	return true;
}

/* verify_init at aggregator j; false when it (rightly) refused the input. */
static bool init_one(run *r, unsigned j, const uint8_t *cand, size_t n)
{
	memset(r->tmp_vs[j], 0xa5, r->vsb);
	int ret = sg_prio3_verify_init(r->p, r->st[j], r->tmp_vs[j], verify_key, ctx, CTX_LEN, j,
				       nonce, cand, n, r->input[j], r->isb[j]);
	check(ret == (n == r->psb ? 0 : SG_ERR_LENGTH));
	if (ret != 0) {
		check(all_zero(r->tmp_vs[j], r->vsb));
		check(sg_prio3_verify_next(r->p, r->st[j], r->msg, r->msb) == SG_ERR_STATE);
		return false;
	}
	/* The part j sends is recomputed from its own share. */
	if (r->msb > 0)
		check(memcmp(r->tmp_vs[j] + r->vsb - SEED, r->vs[j] + r->vsb - SEED, SEED) == 0);
	if (slots_match_except(r, cand, n, j))
		check(memcmp(r->tmp_vs[j], r->vs[j], r->vsb) == 0);
	return true;
}

static void finish(run *r, const uint8_t *cand, size_t n)
{
	const uint8_t *vs[MAX_SHARES];
	size_t lens[MAX_SHARES];
	uint8_t msg[SEED];
	bool same = n == r->psb && memcmp(cand, r->pub, n) == 0;
	for (unsigned j = 0; j < r->shares; j++) {
		vs[j] = r->tmp_vs[j];
		lens[j] = r->vsb;
	}
	memset(msg, 0xa5, sizeof msg);
	int ret = sg_prio3_verifier_shares_to_message(r->p, msg, ctx, CTX_LEN, vs, lens);
	check(ret == 0 || ret == SG_ERR_VERIFY);
	check(!same || ret == 0);
	if (ret != 0) {
		check(all_zero(msg, r->msb));
		return;
	}
	check(memcmp(msg, r->msg, r->msb) == 0);
	for (unsigned j = 0; j < r->shares; j++) {
		int next = sg_prio3_verify_next(r->p, r->st[j], msg, r->msb);
		check(next == 0 || next == SG_ERR_JOINT_RAND);
		check((next == 0) == slots_match_except(r, cand, n, j));
		if (next == 0) {
			check(sg_prio3_out_share_encode(r->p, r->tmp_out, r->st[j]) == 0);
			check(memcmp(r->tmp_out, r->out[j], r->osb) == 0);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	run *r = &runs[data[0] % NVARIANTS];
	size_t n = size - 1;
	uint8_t *cand = candidate(data + 1, n, r->pub, r->psb, (data[0] & 0x80) != 0);
	bool ok = true;
	for (unsigned j = 0; ok && j < r->shares; j++)
		ok = init_one(r, j, cand, n);
	if (ok)
		finish(r, cand, n);
	free(cand);
	return 0;
}
