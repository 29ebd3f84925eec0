/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for Prio3 verifier shares (draft-irtf-cfrg-vdaf-20
 * §7.2.2): verifier_shares_to_message on the verifier shares of an honest
 * report, one of them replaced by the input.
 *
 * Input: byte 0 picks the parameter set (modulo 6: Count/Field64,
 * SumVec/Field128, Histogram/Field128, SumVec/Field64 with two proofs,
 * BoundedSumVec/Field128, BoundedSumVec/Field64 with two proofs), the
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
#include "prio3_fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return setup_runs(argc, argv, NULL);
}

/* --- verifier share --------------------------------------------------------- */

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
	run *r = run_of(data[0]);
	unsigned k = aggregator_of(r, data[0]);
	size_t n;
	uint8_t *cand = candidate_of(&n, data, size, r->vs[k], r->vsb, field_bytes(r) / r->enc,
				     r->enc);
	fuzz_share(r, k, cand, n);
	free(cand);
	return 0;
}
