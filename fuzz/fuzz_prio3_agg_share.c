/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for Prio3 aggregate shares (draft-irtf-cfrg-vdaf-20
 * §7.2.4-5): agg_add_encoded with the input, and unshard with the input in
 * place of one aggregator's share of an honest report's aggregate.
 *
 * Input: byte 0 picks the parameter set (modulo 6: Count/Field64,
 * SumVec/Field128, Histogram/Field128, SumVec/Field64 with two proofs,
 * BoundedSumVec/Field128, BoundedSumVec/Field64 with two proofs), the
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

#define MAX_OUT 8
/* acc: every input that agg_add_encoded accepts is added to r->agg and,
 * computed here independently, to acc. result: the honest report's
 * aggregate result. */
#define PRIO3_FUZZ_RUN_EXTRA \
	uint8_t *acc;        \
	uint64_t result[MAX_OUT];
#include "prio3_fuzz.h"

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
	REQUIRE(sg_prio3_unshard(r->p, r->result, r->olen, shares, lens, 1) == 0);
	for (size_t i = 0; i < r->olen; i++) {
		uint64_t want = v->params.circuit == SG_PRIO3_HISTOGRAM ? (uint64_t)(i == v->meas[0])
									 : v->meas[i];
		REQUIRE(r->result[i] == want);
	}
}

/* Per run: the accumulator, zero, and the honest aggregate result. */
static void setup_agg(run *r, const variant *v)
{
	REQUIRE(r->olen <= MAX_OUT);
	r->acc = xmalloc(r->osb);
	memset(r->acc, 0, r->osb);
	honest_result(r, v);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return setup_runs(argc, argv, setup_agg);
}

/* --- aggregate share ------------------------------------------------------- */

static void store_le64(uint8_t *b, uint64_t x)
{
	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(x >> (8 * i));
}

static void store(uint8_t *e, u128 x, size_t enc)
{
	store_le64(e, x.lo);
	if (enc == 16)
		store_le64(e + 8, x.hi);
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
	run *r = run_of(data[0]);
	unsigned k = aggregator_of(r, data[0]);
	size_t n;
	uint8_t *cand = candidate_of(&n, data, size, r->out[k], r->osb, r->olen, r->enc);
	int ret = add_encoded(r, cand, n);
	unshard(r, k, cand, n, ret);
	free(cand);
	return 0;
}
