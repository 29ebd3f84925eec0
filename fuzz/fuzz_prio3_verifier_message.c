/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the Prio3 verifier message (draft-irtf-cfrg-vdaf-20
 * §7.2.2): verify_next with the input as message, after verify_init on an
 * honest report. The state is spent by every verify_next, so verify_init
 * runs per input; sharding and the honest run happen once.
 *
 * Input: byte 0 picks the parameter set (modulo 6: Count/Field64,
 * SumVec/Field128, Histogram/Field128, SumVec/Field64 with two proofs,
 * BoundedSumVec/Field128, BoundedSumVec/Field64 with two proofs), the
 * aggregator (bits 2-3, modulo the share count) and whether the rest is
 * taken as is or XORed onto the honest message (bit 7). Invariants checked:
 *   - verify_next accepts exactly the honest message, and refuses any
 *     other with SG_ERR_LENGTH exactly when its length is wrong, else with
 *     SG_ERR_JOINT_RAND;
 *   - a refused message leaves a state that nothing revives: the honest
 *     message then gives SG_ERR_STATE, as do out_share_encode (zeroing its
 *     output) and aggregate;
 *   - an accepted one gives the honest output share, once.
 */
#include "prio3_fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return setup_runs(argc, argv, NULL);
}

/* --- verifier message ------------------------------------------------------ */

static void refused(run *r, unsigned j, int ret, size_t n)
{
	/* prio3.h: SG_ERR_LENGTH for the wrong length, SG_ERR_JOINT_RAND for a
	 * message of the right length that does not match. */
	check(ret == (n != r->msb ? SG_ERR_LENGTH : SG_ERR_JOINT_RAND));
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
	run *r = run_of(data[0]);
	unsigned j = aggregator_of(r, data[0]);
	size_t n = size - 1;
	uint8_t *cand = candidate(data + 1, n, r->msg, r->msb, (data[0] & 0x80) != 0);
	fuzz_message(r, j, cand, n);
	free(cand);
	return 0;
}
