/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the Prio3 public share (the joint randomness parts,
 * draft-irtf-cfrg-vdaf-20 §7.2.2): every aggregator runs verify_init on an
 * honest report whose public share is replaced by the input, then the
 * report goes through verification to the end.
 *
 * Input: byte 0 picks the parameter set (modulo 6) and whether the rest is
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
#include "prio3_fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return setup_runs(argc, argv, NULL);
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
	run *r = run_of(data[0]);
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
