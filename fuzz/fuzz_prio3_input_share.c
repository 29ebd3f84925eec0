/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for Prio3 input shares (draft-irtf-cfrg-vdaf-20 §7.2.2):
 * the input is the input share of aggregator 0 (the leader: measurement and
 * proof shares as field elements, then the blind when there is joint
 * randomness) and of aggregator 1 (a helper: seed, then blind) in an
 * otherwise honest report.
 *
 * Input: byte 0 picks the parameter set (modulo 6: Count/Field64,
 * SumVec/Field128, Histogram/Field128, SumVec/Field64 with two proofs,
 * BoundedSumVec/Field128, BoundedSumVec/Field64 with two proofs) and
 * whether the rest is taken as is, XORed onto the honest share (bit 7), or
 * read as names of boundary values for the leader's elements (bit 6).
 * Invariants checked:
 *   - verify_init returns SG_ERR_LENGTH exactly for the wrong length,
 *     SG_ERR_NONCANONICAL exactly when a leader element is >= p (checked
 *     here independently), else 0; when it refuses, the verifier share is
 *     zero and the state can neither finish nor be aggregated;
 *   - the honest share gives the honest verifier share and decision;
 *   - any accepted share can be carried to an output share (see
 *     force_accept), which is canonical, equals the honest one for the
 *     honest share and, for circuits whose truncation is a prefix, re-encodes
 *     the leader's measurement share byte for byte.
 */

/* Verifier shares with zeroed field elements (force_accept). */
#define PRIO3_FUZZ_RUN_EXTRA uint8_t *zvs[MAX_SHARES];
#include "prio3_fuzz.h"

static void alloc_zvs(run *r, const variant *v)
{
	(void)v;
	for (unsigned j = 0; j < r->shares; j++)
		r->zvs[j] = xmalloc(r->vsb);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return setup_runs(argc, argv, alloc_zvs);
}

/* --- input share ------------------------------------------------------------ */

/* What verify_init must return for this share at aggregator a. */
static int expected(const run *r, unsigned a, const uint8_t *cand, size_t n)
{
	if (n != r->isb[a])
		return SG_ERR_LENGTH;
	if (a != 0)
		return 0; /* a helper's share is seeds: any bytes will do */
	/* msb is the blind's size too: SEED with joint randomness, else 0 */
	size_t elems = (r->isb[0] - r->msb) / r->enc;
	return all_canonical(cand, elems, r->enc) ? 0 : SG_ERR_NONCANONICAL;
}

static void refused(run *r, unsigned a)
{
	check(all_zero(r->tmp_vs[a], r->vsb));
	check(sg_prio3_verify_next(r->p, r->st[a], r->msg, r->msb) == SG_ERR_STATE);
	check(sg_prio3_aggregate(r->p, r->agg, r->st[a]) == SG_ERR_STATE);
}

/* The real decision, the other aggregators being honest. */
static void decide_real(run *r, unsigned a, bool same)
{
	const uint8_t *vs[MAX_SHARES];
	size_t lens[MAX_SHARES];
	uint8_t msg[SEED];
	for (unsigned j = 0; j < r->shares; j++) {
		vs[j] = j == a ? r->tmp_vs[a] : r->vs[j];
		lens[j] = r->vsb;
	}
	memset(msg, 0xa5, sizeof msg);
	int ret = sg_prio3_verifier_shares_to_message(r->p, msg, ctx, CTX_LEN, vs, lens);
	check(ret == 0 || ret == SG_ERR_VERIFY);
	if (same)
		check(ret == 0 && memcmp(msg, r->msg, r->msb) == 0);
	if (ret != 0)
		check(all_zero(msg, r->msb));
}

static bool truncates_to_prefix(const run *r)
{
	return r->circuit == SG_PRIO3_COUNT || r->circuit == SG_PRIO3_HISTOGRAM ||
	       r->circuit == SG_PRIO3_MULTIHOT_COUNTVEC;
}

/*
 * Verifier shares whose field elements are all zero sum to the zero
 * verifier, which decide accepts (0 == 0 and Mul(0, 0) == 0); keeping their
 * joint randomness parts makes the message aggregator a's corrected seed.
 * So whatever share verify_init took reaches an output share here.
 */
static void force_accept(run *r, unsigned a, const uint8_t *cand, bool same)
{
	const uint8_t *vs[MAX_SHARES];
	size_t lens[MAX_SHARES];
	uint8_t msg[SEED];
	for (unsigned j = 0; j < r->shares; j++) {
		memcpy(r->zvs[j], j == a ? r->tmp_vs[a] : r->vs[j], r->vsb);
		memset(r->zvs[j], 0, r->vsb - r->msb); /* all but the joint part */
		vs[j] = r->zvs[j];
		lens[j] = r->vsb;
	}
	check(sg_prio3_verifier_shares_to_message(r->p, msg, ctx, CTX_LEN, vs, lens) == 0);
	check(sg_prio3_verify_next(r->p, r->st[a], msg, r->msb) == 0);
	check(sg_prio3_verify_next(r->p, r->st[a], msg, r->msb) == SG_ERR_STATE);
	check(sg_prio3_out_share_encode(r->p, r->tmp_out, r->st[a]) == 0);
	check(all_canonical(r->tmp_out, r->osb / r->enc, r->enc));
	if (same)
		check(memcmp(r->tmp_out, r->out[a], r->osb) == 0);
	if (a == 0 && truncates_to_prefix(r))
		check(memcmp(r->tmp_out, cand, r->osb) == 0);
}

static void fuzz_aggregator(run *r, unsigned a, const uint8_t *cand, size_t n)
{
	int want = expected(r, a, cand, n);
	memset(r->tmp_vs[a], 0xa5, r->vsb);
	int ret = sg_prio3_verify_init(r->p, r->st[a], r->tmp_vs[a], verify_key, ctx, CTX_LEN, a,
				       nonce, r->pub, r->psb, cand, n);
	check(ret == want);
	if (ret != 0) {
		refused(r, a);
		return;
	}
	bool same = n == r->isb[a] && memcmp(cand, r->input[a], n) == 0;
	if (same)
		check(memcmp(r->tmp_vs[a], r->vs[a], r->vsb) == 0);
	decide_real(r, a, same);
	force_accept(r, a, cand, same);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	run *r = run_of(data[0]);
	for (unsigned a = 0; a < 2; a++) {
		size_t n, elems = a == 0 ? (r->isb[0] - r->msb) / r->enc : 0;
		uint8_t *cand = candidate_of(&n, data, size, r->input[a], r->isb[a], elems, r->enc);
		fuzz_aggregator(r, a, cand, n);
		free(cand);
	}
	return 0;
}
