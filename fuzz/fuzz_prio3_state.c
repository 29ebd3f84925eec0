/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for a kept verification state (draft-irtf-cfrg-vdaf-20
 * Prio3PrepState: the output share, then the corrected joint randomness
 * seed): the leader keeps one per upload in its store and reads it back for
 * aggregation, so sg_prio3_state_decode reads bytes from disk.
 *
 * Input: byte 0 picks the parameter set (modulo 6: Count/Field64,
 * SumVec/Field128, Histogram/Field128, SumVec/Field64 with two proofs,
 * BoundedSumVec/Field128, BoundedSumVec/Field64 with two proofs), the
 * aggregator whose honest state is the reference (bits 2-3, modulo the
 * share count) and whether the rest is taken as is, XORed onto that state's
 * encoding (bit 7), or read as names of boundary values for its output
 * share's elements (bit 6). Invariants checked, with the field checks done
 * here independently:
 *   - decode returns SG_ERR_LENGTH exactly for the wrong length,
 *     SG_ERR_NONCANONICAL exactly when an output share element is >= p,
 *     else 0;
 *   - a refused state cannot go on: verify_next with the honest message and
 *     out_share_encode give SG_ERR_STATE (the output zeroed), aggregate too;
 *   - an accepted one encodes back to the very bytes; with the honest
 *     message it finishes exactly when its seed is the honest one (always
 *     without joint randomness), and its output share is the input's.
 */
#define PRIO3_FUZZ_RUN_EXTRA        \
	uint8_t *kept[MAX_SHARES];  \
	size_t ksb;                 \
	sg_prio3_state *fuzzed;
#include "prio3_fuzz.h"

/* Each aggregator's honest state, kept before verify_next. */
static void keep_states(run *r, const variant *v)
{
	(void)v;
	r->ksb = sg_prio3_state_bytes(r->p);
	REQUIRE(r->ksb == r->osb + (r->msb > 0 ? SEED : 0));
	REQUIRE(sg_prio3_state_new(r->p, &r->fuzzed) == 0);
	for (unsigned j = 0; j < r->shares; j++) {
		sg_prio3_state *st;
		REQUIRE(sg_prio3_state_new(r->p, &st) == 0);
		REQUIRE(sg_prio3_verify_init(r->p, st, r->tmp_vs[j], verify_key, ctx, CTX_LEN, j,
					     nonce, r->pub, r->psb, r->input[j], r->isb[j]) == 0);
		r->kept[j] = xmalloc(r->ksb);
		REQUIRE(sg_prio3_state_encode(r->p, r->kept[j], st) == 0);
		sg_prio3_state_free(st);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return setup_runs(argc, argv, keep_states);
}

static void refused(run *r)
{
	check(sg_prio3_verify_next(r->p, r->fuzzed, r->msg, r->msb) == SG_ERR_STATE);
	memset(r->tmp_out, 0xa5, r->osb);
	check(sg_prio3_out_share_encode(r->p, r->tmp_out, r->fuzzed) == SG_ERR_STATE);
	check(all_zero(r->tmp_out, r->osb));
	check(sg_prio3_aggregate(r->p, r->agg, r->fuzzed) == SG_ERR_STATE);
}

static void accepted(run *r, unsigned j, const uint8_t *cand)
{
	uint8_t *again = xmalloc(r->ksb);
	check(sg_prio3_state_encode(r->p, again, r->fuzzed) == 0);
	check(memcmp(again, cand, r->ksb) == 0);
	free(again);
	bool seed_honest = r->msb == 0 || memcmp(cand + r->osb, r->kept[j] + r->osb, SEED) == 0;
	int ret = sg_prio3_verify_next(r->p, r->fuzzed, r->msg, r->msb);
	check((ret == 0) == seed_honest);
	if (ret != 0) {
		check(ret == SG_ERR_JOINT_RAND);
		refused(r);
		return;
	}
	check(sg_prio3_out_share_encode(r->p, r->tmp_out, r->fuzzed) == 0);
	check(memcmp(r->tmp_out, cand, r->osb) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	run *r = run_of(data[0]);
	unsigned j = aggregator_of(r, data[0]);
	size_t n;
	uint8_t *cand = candidate_of(&n, data, size, r->kept[j], r->ksb, r->olen, r->enc);
	int ret = sg_prio3_state_decode(r->p, r->fuzzed, cand, n);
	if (n != r->ksb)
		check(ret == SG_ERR_LENGTH);
	else if (!all_canonical(cand, r->olen, r->enc))
		check(ret == SG_ERR_NONCANONICAL);
	else
		check(ret == 0);
	if (ret == 0)
		accepted(r, j, cand);
	else
		refused(r);
	free(cand);
	return 0;
}
