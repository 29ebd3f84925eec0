/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Prio3's input checks (draft-irtf-cfrg-vdaf-20 §7): parameters and
 * measurements outside the draft's ranges are refused, and a verification
 * state is only used in order. The honest reports the state tests start
 * from come from tests/common.h, as in test_prio3_decode.c.
 */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "common.h"
#include "spillguard/prio3.h"

#define SEED SG_PRIO3_SEED_BYTES

/* --- parameters ----------------------------------------------------------------- */

static sg_prio3_params standard(enum sg_prio3_circuit c)
{
	sg_prio3_params pp;
	sg_prio3_params_standard(&pp, c, 2);
	pp.length = 4;
	pp.max_measurement = 7;
	pp.chunk_length = 2;
	pp.max_weight = 2;
	return pp;
}

/* sg_prio3_new's code; on failure it must not hand out a handle. */
static int new_rc(const sg_prio3_params *pp)
{
	static sg_prio3 *const stale = (sg_prio3 *)&stale; /* anything but NULL */
	sg_prio3 *p = stale;
	int ret = sg_prio3_new(&p, pp);
	if (ret == 0)
		sg_prio3_free(p);
	else
		cr_expect_null(p, "a refused sg_prio3_new left a handle");
	return ret;
}

Test(prio3_params, shares_2_to_255)
{
	sg_prio3_params pp = standard(SG_PRIO3_COUNT);
	unsigned bad[] = { 0, 1, 256, 1000 }, good[] = { 2, 3, 255 };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		pp.shares = bad[i];
		cr_expect_eq(new_rc(&pp), SG_ERR_PARAM, "%u shares", bad[i]);
	}
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		pp.shares = good[i];
		cr_expect_eq(new_rc(&pp), 0, "%u shares", good[i]);
	}
}

Test(prio3_params, proofs_1_to_255)
{
	sg_prio3_params pp = standard(SG_PRIO3_COUNT);
	pp.proofs = 0;
	cr_expect_eq(new_rc(&pp), SG_ERR_PARAM, "0 proofs");
	pp.proofs = 256;
	cr_expect_eq(new_rc(&pp), SG_ERR_PARAM, "256 proofs");
	pp.proofs = 1;
	cr_expect_eq(new_rc(&pp), 0, "1 proof");
	pp.proofs = 255;
	cr_expect_eq(new_rc(&pp), 0, "255 proofs");
}

static const enum sg_prio3_circuit VECTORS[] = { SG_PRIO3_SUMVEC, SG_PRIO3_HISTOGRAM,
						 SG_PRIO3_MULTIHOT_COUNTVEC };

Test(prio3_params, length_at_least_1)
{
	for (size_t i = 0; i < 3; i++) {
		sg_prio3_params pp = standard(VECTORS[i]);
		pp.length = 0;
		cr_expect_eq(new_rc(&pp), SG_ERR_PARAM, "circuit %d, length 0", (int)VECTORS[i]);
		pp.length = pp.max_weight; /* the smallest Multihot allows */
		cr_expect_eq(new_rc(&pp), 0, "circuit %d, length %llu", (int)VECTORS[i],
			     (unsigned long long)pp.length);
	}
	sg_prio3_params pp = standard(SG_PRIO3_HISTOGRAM);
	pp.length = 1;
	cr_expect_eq(new_rc(&pp), 0, "Histogram of one bucket");
}

Test(prio3_params, chunk_length_at_least_1)
{
	for (size_t i = 0; i < 3; i++) {
		sg_prio3_params pp = standard(VECTORS[i]);
		pp.chunk_length = 0;
		cr_expect_eq(new_rc(&pp), SG_ERR_PARAM, "circuit %d, chunk 0", (int)VECTORS[i]);
		pp.chunk_length = 1;
		cr_expect_eq(new_rc(&pp), 0, "circuit %d, chunk 1", (int)VECTORS[i]);
		pp.chunk_length = 1000; /* longer than the measurement is allowed */
		cr_expect_eq(new_rc(&pp), 0, "circuit %d, chunk 1000", (int)VECTORS[i]);
	}
}

Test(prio3_params, max_measurement_at_least_1)
{
	enum sg_prio3_circuit c[] = { SG_PRIO3_SUM, SG_PRIO3_SUMVEC };
	for (size_t i = 0; i < 2; i++) {
		sg_prio3_params pp = standard(c[i]);
		pp.max_measurement = 0;
		cr_expect_eq(new_rc(&pp), SG_ERR_PARAM, "circuit %d, max 0", (int)c[i]);
		pp.max_measurement = 1;
		cr_expect_eq(new_rc(&pp), 0, "circuit %d, max 1", (int)c[i]);
	}
}

/* draft §7.4.2-3: 2^bits < p, bits = bit_length(max_measurement). On
 * Field64 that allows 63 bits; every uint64_t fits Field128. */
Test(prio3_params, max_measurement_bound_by_field)
{
	enum sg_prio3_circuit c[] = { SG_PRIO3_SUM, SG_PRIO3_SUMVEC };
	for (size_t i = 0; i < 2; i++) {
		sg_prio3_params pp = standard(c[i]);
		pp.length = 1;
		pp.field = SG_PRIO3_FIELD64;
		pp.max_measurement = (uint64_t)1 << 63;
		cr_expect_eq(new_rc(&pp), SG_ERR_PARAM, "circuit %d, Field64, max 2^63", (int)c[i]);
		pp.max_measurement = UINT64_MAX;
		cr_expect_eq(new_rc(&pp), SG_ERR_PARAM, "circuit %d, Field64, max 2^64-1", (int)c[i]);
		pp.max_measurement = ((uint64_t)1 << 63) - 1;
		cr_expect_eq(new_rc(&pp), 0, "circuit %d, Field64, max 2^63-1", (int)c[i]);
		pp.field = SG_PRIO3_FIELD128;
		pp.max_measurement = UINT64_MAX;
		cr_expect_eq(new_rc(&pp), 0, "circuit %d, Field128, max 2^64-1", (int)c[i]);
	}
}

/* draft §7.4.5: 0 < max_weight <= length. */
Test(prio3_params, max_weight_1_to_length)
{
	sg_prio3_params pp = standard(SG_PRIO3_MULTIHOT_COUNTVEC);
	pp.max_weight = 0;
	cr_expect_eq(new_rc(&pp), SG_ERR_PARAM, "max_weight 0");
	pp.max_weight = pp.length + 1;
	cr_expect_eq(new_rc(&pp), SG_ERR_PARAM, "max_weight > length");
	pp.max_weight = pp.length;
	cr_expect_eq(new_rc(&pp), 0, "max_weight == length");
	pp.max_weight = 1;
	cr_expect_eq(new_rc(&pp), 0, "max_weight 1");
}

Test(prio3_params, unknown_circuit)
{
	sg_prio3_params pp = standard(SG_PRIO3_COUNT);
	pp.circuit = (enum sg_prio3_circuit)(SG_PRIO3_HIGHER_DEGREE_TEST + 1);
	cr_expect_eq(new_rc(&pp), SG_ERR_PARAM);
}

/* A field that is neither Field64 nor Field128 is refused, not taken for
 * one of them: for Sum the bound on max_measurement depends on it. */
Test(prio3_params, unknown_field)
{
	enum sg_prio3_circuit c[] = { SG_PRIO3_COUNT, SG_PRIO3_SUM };
	for (size_t i = 0; i < 2; i++) {
		sg_prio3_params pp = standard(c[i]);
		pp.field = (enum sg_prio3_field)7;
		cr_expect_eq(new_rc(&pp), SG_ERR_PARAM, "circuit %d, field 7", (int)c[i]);
		pp.field = (enum sg_prio3_field)(SG_PRIO3_FIELD128 + 1);
		cr_expect_eq(new_rc(&pp), SG_ERR_PARAM, "circuit %d, field %d", (int)c[i],
			     (int)pp.field);
	}
}

/* BoundedSumVec over bounds (n of them, length n), Field128 or Field64. */
static sg_prio3_params bounded(const uint64_t *bounds, size_t n, enum sg_prio3_field field)
{
	sg_prio3_params pp;
	sg_prio3_params_standard(&pp, SG_PRIO3_BOUNDED_SUMVEC, 2);
	pp.field = field;
	pp.length = n;
	pp.max_measurements = bounds;
	pp.max_measurements_len = n;
	pp.chunk_length = 3;
	return pp;
}

Test(prio3_params, bounded_standard_instantiation)
{
	sg_prio3_params pp;
	sg_prio3_params_standard(&pp, SG_PRIO3_BOUNDED_SUMVEC, 3);
	cr_expect_eq(pp.algorithm_id, 0xFFFF0001u, "not in the draft's private-use range");
	cr_expect_eq(pp.field, SG_PRIO3_FIELD128);
	cr_expect_eq(pp.proofs, 1);
	cr_expect_geq(SG_PRIO3_BOUNDED_SUMVEC_MULTIPROOF_ID, 0xFFFF0000u);
	cr_expect_neq(SG_PRIO3_BOUNDED_SUMVEC_MULTIPROOF_ID, SG_PRIO3_BOUNDED_SUMVEC_ID);
}

/* Every bound >= 1, wherever the zero is. */
Test(prio3_params, bounded_each_max_at_least_1)
{
	for (size_t at = 0; at < 4; at++) {
		uint64_t b[4] = { 100, 60000, 1, 7 };
		sg_prio3_params pp = bounded(b, 4, SG_PRIO3_FIELD128);
		cr_expect_eq(new_rc(&pp), 0);
		b[at] = 0;
		cr_expect_eq(new_rc(&pp), SG_ERR_PARAM, "zero bound at %zu", at);
	}
}

/* 2^bits < p for each bound: a 64-bit bound fits Field128 only. */
Test(prio3_params, bounded_bound_by_field)
{
	uint64_t b[3] = { 5, 0, 9 };
	const uint64_t top63 = ((uint64_t)1 << 63) - 1, bit64 = (uint64_t)1 << 63;
	const uint64_t cases[][3] = { { top63, 0, 0 }, { bit64, 0, 1 }, { UINT64_MAX, 0, 1 } };
	for (size_t i = 0; i < 3; i++) {
		b[1] = cases[i][0];
		sg_prio3_params pp = bounded(b, 3, SG_PRIO3_FIELD64);
		cr_expect_eq(new_rc(&pp), cases[i][2] ? SG_ERR_PARAM : 0, "Field64, bound %llu",
			     (unsigned long long)b[1]);
		pp = bounded(b, 3, SG_PRIO3_FIELD128);
		cr_expect_eq(new_rc(&pp), 0, "Field128, bound %llu", (unsigned long long)b[1]);
	}
}

/* The bounds must be given, one per element. */
Test(prio3_params, bounded_length_mismatch)
{
	const uint64_t b[3] = { 5, 6, 7 };
	sg_prio3_params pp = bounded(b, 3, SG_PRIO3_FIELD128);
	pp.max_measurements_len = 2;
	cr_expect_eq(new_rc(&pp), SG_ERR_PARAM, "fewer bounds than elements");
	pp.length = 2;
	cr_expect_eq(new_rc(&pp), 0);
	pp.length = 4;
	pp.max_measurements_len = 4;
	pp.max_measurements = NULL;
	cr_expect_eq(new_rc(&pp), SG_ERR_PARAM, "no bounds");
	pp = bounded(b, 0, SG_PRIO3_FIELD128);
	cr_expect_eq(new_rc(&pp), SG_ERR_PARAM, "length 0");
	pp = bounded(b, 3, SG_PRIO3_FIELD128);
	pp.chunk_length = 0;
	cr_expect_eq(new_rc(&pp), SG_ERR_PARAM, "chunk_length 0");
}

/* Message sizes: MEAS_LEN is the sum of the bounds' bit lengths; equal
 * bounds give exactly SumVec's sizes, mixed ones no more than SumVec's
 * with the largest bound. */
Test(prio3_params, bounded_sizes)
{
	const uint64_t equal[4] = { 255, 255, 255, 255 }, mixed[4] = { 1, 100, 60000, 255 };
	sg_prio3 *b, *s, *m;
	sg_prio3_params pp = standard(SG_PRIO3_SUMVEC);
	pp.max_measurement = 255;
	pp.chunk_length = 3;
	cr_assert_eq(sg_prio3_new(&s, &pp), 0);
	pp = bounded(equal, 4, SG_PRIO3_FIELD128);
	cr_assert_eq(sg_prio3_new(&b, &pp), 0);
	pp = bounded(mixed, 4, SG_PRIO3_FIELD128);
	cr_assert_eq(sg_prio3_new(&m, &pp), 0);
	cr_expect_eq(sg_prio3_input_share_bytes(b, 0), sg_prio3_input_share_bytes(s, 0));
	cr_expect_eq(sg_prio3_verifier_share_bytes(b), sg_prio3_verifier_share_bytes(s));
	cr_expect_eq(sg_prio3_public_share_bytes(b), sg_prio3_public_share_bytes(s));
	cr_expect_eq(sg_prio3_out_share_bytes(m), 4 * 16);
	cr_expect_eq(sg_prio3_measurement_len(m), 4);
	/* leader: (1 + 7 + 16 + 8 = 32 measurement elements + the proof) * 16 + blind */
	cr_expect_eq(sg_prio3_input_share_bytes(m, 0) % 16, SEED % 16);
	cr_expect_geq(sg_prio3_input_share_bytes(m, 0), (32 + 1) * 16 + SEED);
	cr_expect_eq(sg_prio3_input_share_bytes(m, 1), 2 * SEED);
	sg_prio3_free(s);
	sg_prio3_free(b);
	sg_prio3_free(m);
	pp = standard(SG_PRIO3_SUMVEC);
	pp.max_measurement = 60000;
	pp.chunk_length = 3;
	cr_assert_eq(sg_prio3_new(&s, &pp), 0);
	pp = bounded(mixed, 4, SG_PRIO3_FIELD128);
	cr_assert_eq(sg_prio3_new(&m, &pp), 0);
	cr_expect_lt(sg_prio3_input_share_bytes(m, 0), sg_prio3_input_share_bytes(s, 0));
	cr_expect_leq(sg_prio3_verifier_share_bytes(m), sg_prio3_verifier_share_bytes(s));
	sg_prio3_free(s);
	sg_prio3_free(m);
}

Test(prio3_params, bounded_default_chunk_length)
{
	const uint64_t equal[4] = { 255, 255, 255, 255 };
	sg_prio3_params pp = bounded(equal, 4, SG_PRIO3_FIELD128), sv = standard(SG_PRIO3_SUMVEC);
	sv.max_measurement = 255;
	cr_expect_eq(sg_prio3_default_chunk_length(&pp), sg_prio3_default_chunk_length(&sv));
	cr_expect_gt(sg_prio3_default_chunk_length(&pp), 0);
	pp.max_measurements_len = 3;
	cr_expect_eq(sg_prio3_default_chunk_length(&pp), 0, "bounds of another length");
}

/* --- measurements ------------------------------------------------------------- */

/* Shards m (n values); on failure every output must be zeroed. */
static int shard_rc(const sg_prio3_params *pp, const uint64_t *m, size_t n)
{
	sg_prio3 *p = NULL;
	uint8_t rand[2 * SG_TEST_MAXS * SEED] = { 1, 2, 3 };
	uint8_t *in[SG_TEST_MAXS];
	cr_assert_eq(sg_prio3_new(&p, pp), 0);
	unsigned s = sg_prio3_shares(p);
	cr_assert_leq(s, SG_TEST_MAXS);
	uint8_t *pub = sg_test_filled(sg_prio3_public_share_bytes(p));
	for (unsigned j = 0; j < s; j++)
		in[j] = sg_test_filled(sg_prio3_input_share_bytes(p, j));
	int ret = sg_prio3_shard(p, pub, in, sg_test_ctx, sg_test_ctx_len, m, n, sg_test_nonce,
				 rand, sg_prio3_rand_bytes(p));
	if (ret != 0) {
		cr_expect(sg_test_zeroed(pub, sg_prio3_public_share_bytes(p)),
			  "public share not zeroed");
		for (unsigned j = 0; j < s; j++)
			cr_expect(sg_test_zeroed(in[j], sg_prio3_input_share_bytes(p, j)),
				  "input share %u not zeroed", j);
	}
	free(pub);
	for (unsigned j = 0; j < s; j++)
		free(in[j]);
	sg_prio3_free(p);
	return ret;
}

Test(prio3_measurement, count_0_or_1)
{
	sg_prio3_params pp = standard(SG_PRIO3_COUNT);
	uint64_t m[] = { 0, 1, 2, UINT64_MAX };
	cr_expect_eq(shard_rc(&pp, &m[0], 1), 0);
	cr_expect_eq(shard_rc(&pp, &m[1], 1), 0);
	cr_expect_eq(shard_rc(&pp, &m[2], 1), SG_ERR_MEASUREMENT, "Count 2");
	cr_expect_eq(shard_rc(&pp, &m[3], 1), SG_ERR_MEASUREMENT, "Count 2^64-1");
}

Test(prio3_measurement, sum_up_to_max)
{
	sg_prio3_params pp = standard(SG_PRIO3_SUM); /* max 7 */
	uint64_t m[] = { 7, 8 };
	cr_expect_eq(shard_rc(&pp, &m[0], 1), 0, "Sum max");
	cr_expect_eq(shard_rc(&pp, &m[1], 1), SG_ERR_MEASUREMENT, "Sum max + 1");
	pp.max_measurement = 10; /* not 2^k - 1: the last weight is 3 */
	m[0] = 10;
	m[1] = 11;
	cr_expect_eq(shard_rc(&pp, &m[0], 1), 0, "Sum max 10");
	cr_expect_eq(shard_rc(&pp, &m[1], 1), SG_ERR_MEASUREMENT, "Sum 11 > max 10");
}

Test(prio3_measurement, sumvec_each_up_to_max)
{
	sg_prio3_params pp = standard(SG_PRIO3_SUMVEC); /* length 4, max 7 */
	uint64_t ok[4] = { 7, 0, 7, 7 };
	cr_expect_eq(shard_rc(&pp, ok, 4), 0);
	for (size_t i = 0; i < 4; i++) {
		uint64_t m[4] = { 7, 0, 7, 7 };
		m[i] = 8;
		cr_expect_eq(shard_rc(&pp, m, 4), SG_ERR_MEASUREMENT, "element %zu = max + 1", i);
	}
	cr_expect_eq(shard_rc(&pp, ok, 3), SG_ERR_MEASUREMENT, "three of four elements");
}

/* Each element up to its own bound, not the largest one. */
Test(prio3_measurement, bounded_each_up_to_its_own_max)
{
	const uint64_t b[4] = { 100, 60000, 1, 2 };
	sg_prio3_params pp = bounded(b, 4, SG_PRIO3_FIELD128);
	cr_expect_eq(shard_rc(&pp, b, 4), 0);
	for (size_t i = 0; i < 4; i++) {
		uint64_t m[4] = { 0, 0, 0, 0 };
		m[i] = b[i] + 1;
		cr_expect_eq(shard_rc(&pp, m, 4), SG_ERR_MEASUREMENT, "element %zu above %llu", i,
			     (unsigned long long)b[i]);
	}
	const uint64_t quality_60000[4] = { 60000, 0, 0, 0 };
	cr_expect_eq(shard_rc(&pp, quality_60000, 4), SG_ERR_MEASUREMENT);
	cr_expect_eq(shard_rc(&pp, b, 3), SG_ERR_MEASUREMENT, "one value short");
}

/* sg_prio3_new copies the bounds: changing the caller's array afterwards
 * changes nothing. */
Test(prio3_measurement, bounded_bounds_copied)
{
	uint64_t b[2] = { 100, 60000 };
	sg_prio3_params pp = bounded(b, 2, SG_PRIO3_FIELD128);
	sg_prio3 *p = NULL;
	uint8_t rand[2 * SG_TEST_MAXS * SEED] = { 1 };
	uint8_t *in[2];
	cr_assert_eq(sg_prio3_new(&p, &pp), 0);
	b[0] = 60000;
	uint8_t *pub = sg_test_filled(sg_prio3_public_share_bytes(p));
	for (unsigned j = 0; j < 2; j++)
		in[j] = sg_test_filled(sg_prio3_input_share_bytes(p, j));
	const uint64_t m[2] = { 60000, 0 };
	cr_expect_eq(sg_prio3_shard(p, pub, in, sg_test_ctx, sg_test_ctx_len, m, 2, sg_test_nonce,
				    rand, sg_prio3_rand_bytes(p)),
		     SG_ERR_MEASUREMENT);
	free(pub);
	for (unsigned j = 0; j < 2; j++)
		free(in[j]);
	sg_prio3_free(p);
}

Test(prio3_measurement, histogram_index_below_length)
{
	sg_prio3_params pp = standard(SG_PRIO3_HISTOGRAM); /* length 4 */
	uint64_t m[] = { 0, 3, 4, UINT64_MAX };
	cr_expect_eq(shard_rc(&pp, &m[0], 1), 0);
	cr_expect_eq(shard_rc(&pp, &m[1], 1), 0, "last bucket");
	cr_expect_eq(shard_rc(&pp, &m[2], 1), SG_ERR_MEASUREMENT, "index == length");
	cr_expect_eq(shard_rc(&pp, &m[3], 1), SG_ERR_MEASUREMENT, "index 2^64-1");
}

Test(prio3_measurement, multihot_weight_up_to_max)
{
	sg_prio3_params pp = standard(SG_PRIO3_MULTIHOT_COUNTVEC); /* length 4, max weight 2 */
	uint64_t two[4] = { 1, 0, 0, 1 }, three[4] = { 1, 1, 0, 1 };
	cr_expect_eq(shard_rc(&pp, two, 4), 0, "weight == max_weight");
	cr_expect_eq(shard_rc(&pp, three, 4), SG_ERR_MEASUREMENT, "weight > max_weight");
}

Test(prio3_measurement, multihot_entries_0_or_1)
{
	sg_prio3_params pp = standard(SG_PRIO3_MULTIHOT_COUNTVEC); /* max weight 2 */
	uint64_t m[4] = { 0, 0, 2, 0 }, wrap[4] = { UINT64_MAX, 1, 0, 0 };
	cr_expect_eq(shard_rc(&pp, m, 4), SG_ERR_MEASUREMENT, "entry 2 (weight 2)");
	cr_expect_eq(shard_rc(&pp, wrap, 4), SG_ERR_MEASUREMENT, "entries summing to 0 mod 2^64");
}

/* --- state order ---------------------------------------------------------------- */

Test(prio3_state, verify_next_before_verify_init)
{
	for (size_t i = 0; i < SG_TEST_NCASES; i++) {
		sg_test_honest h;
		sg_test_honest_new(&h, &sg_test_cases[i]);
		sg_prio3_state *st = sg_test_state_new(&h);
		cr_expect_eq(sg_prio3_verify_next(h.p, st, h.msg, h.msg_len), SG_ERR_STATE, "%s",
			     h.name);
		sg_test_expect_spent(&h, st, h.name);
		sg_prio3_state_free(st);
		sg_test_honest_free(&h);
	}
}

/* A wrong message: the state is spent and is never aggregated. A message of
 * the right length that does not match is SG_ERR_JOINT_RAND; Count has no
 * message, so one byte where none belongs, a length error, is its only
 * wrong one. */
Test(prio3_state, failed_verify_next_not_aggregated)
{
	for (size_t i = 0; i < SG_TEST_NCASES; i++) {
		sg_test_honest h;
		sg_test_honest_new(&h, &sg_test_cases[i]);
		uint8_t bad[SEED] = { 0 };
		memcpy(bad, h.msg, h.msg_len);
		bad[0] ^= 1;
		int ret = sg_test_feed_message(&h, bad, h.msg_len ? h.msg_len : 1, h.name);
		int want = h.msg_len > 0 ? SG_ERR_JOINT_RAND : SG_ERR_LENGTH;
		cr_expect_eq(ret, want, "%s: %d", h.name, ret);
		sg_test_honest_free(&h);
	}
}

Test(prio3_state, verify_next_only_once)
{
	for (size_t i = 0; i < SG_TEST_NCASES; i++) {
		sg_test_honest h;
		sg_test_honest_new(&h, &sg_test_cases[i]);
		sg_prio3_state *st = sg_test_state_new(&h);
		uint8_t *vs = sg_test_filled(h.vs_len), *out = sg_test_filled(h.out_len);
		cr_assert_eq(sg_prio3_verify_init(h.p, st, vs, sg_test_key, sg_test_ctx,
						  sg_test_ctx_len, 1, sg_test_nonce, h.pub, h.pub_len,
						  h.in[1], h.in_len[1]),
			     0);
		cr_expect_eq(sg_prio3_out_share_encode(h.p, out, st), SG_ERR_STATE,
			     "%s: output share before verify_next", h.name);
		cr_expect(sg_test_zeroed(out, h.out_len));
		cr_expect_eq(sg_prio3_verify_next(h.p, st, h.msg, h.msg_len), 0);
		cr_expect_eq(sg_prio3_verify_next(h.p, st, h.msg, h.msg_len), SG_ERR_STATE,
			     "%s: second verify_next", h.name);
		cr_expect_eq(sg_prio3_out_share_encode(h.p, out, st), 0);
		cr_expect_arr_eq(out, h.out[1], h.out_len);
		free(vs);
		free(out);
		sg_prio3_state_free(st);
		sg_test_honest_free(&h);
	}
}

/* A state kept between verify_init and verify_next: encoded, decoded into a
 * fresh state, it finishes with the same output share; a state not waiting
 * for verify_next does not encode. */
Test(prio3_state, kept_state_finishes_alike)
{
	for (size_t i = 0; i < SG_TEST_NCASES; i++) {
		sg_test_honest h;
		sg_test_honest_new(&h, &sg_test_cases[i]);
		size_t sl = sg_prio3_state_bytes(h.p);
		cr_assert_eq(sl, h.out_len + (h.msg_len ? SEED : 0), "%s: state bytes", h.name);
		sg_prio3_state *st = sg_test_state_new(&h), *again = sg_test_state_new(&h);
		uint8_t *vs = sg_test_filled(h.vs_len), *out = sg_test_filled(h.out_len);
		uint8_t *enc = sg_test_filled(sl);
		cr_expect_eq(sg_prio3_state_encode(h.p, enc, st), SG_ERR_STATE, "%s: fresh", h.name);
		cr_expect(sg_test_zeroed(enc, sl));
		cr_assert_eq(sg_prio3_verify_init(h.p, st, vs, sg_test_key, sg_test_ctx,
						  sg_test_ctx_len, 1, sg_test_nonce, h.pub, h.pub_len,
						  h.in[1], h.in_len[1]),
			     0);
		cr_assert_eq(sg_prio3_state_encode(h.p, enc, st), 0, "%s", h.name);
		cr_assert_eq(sg_prio3_state_decode(h.p, again, enc, sl), 0, "%s", h.name);
		cr_expect_eq(sg_prio3_verify_next(h.p, again, h.msg, h.msg_len), 0, "%s", h.name);
		cr_expect_eq(sg_prio3_out_share_encode(h.p, out, again), 0);
		cr_expect_arr_eq(out, h.out[1], h.out_len, "%s: output share", h.name);
		cr_expect_eq(sg_prio3_state_encode(h.p, enc, again), SG_ERR_STATE,
			     "%s: finished", h.name);
		free(vs);
		free(out);
		free(enc);
		sg_prio3_state_free(st);
		sg_prio3_state_free(again);
		sg_test_honest_free(&h);
	}
}

/* Kept bytes of the wrong length or with a field element out of range do
 * not decode, and leave a state that cannot go on. A changed seed decodes
 * but the honest message no longer matches it. */
Test(prio3_state, bad_kept_state_refused)
{
	for (size_t i = 0; i < SG_TEST_NCASES; i++) {
		sg_test_honest h;
		sg_test_honest_new(&h, &sg_test_cases[i]);
		size_t sl = sg_prio3_state_bytes(h.p);
		sg_prio3_state *st = sg_test_state_new(&h);
		uint8_t *vs = sg_test_filled(h.vs_len), *enc = sg_test_filled(sl + 1);
		cr_assert_eq(sg_prio3_verify_init(h.p, st, vs, sg_test_key, sg_test_ctx,
						  sg_test_ctx_len, 1, sg_test_nonce, h.pub, h.pub_len,
						  h.in[1], h.in_len[1]),
			     0);
		cr_assert_eq(sg_prio3_state_encode(h.p, enc, st), 0);
		sg_prio3_state *bad = sg_test_state_new(&h);
		cr_expect_eq(sg_prio3_state_decode(h.p, bad, enc, sl - 1), SG_ERR_LENGTH, "%s", h.name);
		sg_test_expect_spent(&h, bad, h.name);
		cr_expect_eq(sg_prio3_state_decode(h.p, bad, enc, sl + 1), SG_ERR_LENGTH, "%s", h.name);
		sg_test_expect_spent(&h, bad, h.name);
		uint8_t keep[16];
		memcpy(keep, enc, h.enc);
		memset(enc, 0xff, h.enc); /* above the modulus */
		cr_expect_eq(sg_prio3_state_decode(h.p, bad, enc, sl), SG_ERR_NONCANONICAL, "%s",
			     h.name);
		sg_test_expect_spent(&h, bad, h.name);
		memcpy(enc, keep, h.enc);
		if (h.msg_len > 0) {
			enc[sl - 1] ^= 1;
			cr_expect_eq(sg_prio3_state_decode(h.p, bad, enc, sl), 0);
			cr_expect_eq(sg_prio3_verify_next(h.p, bad, h.msg, h.msg_len),
				     SG_ERR_JOINT_RAND, "%s: changed seed", h.name);
		}
		free(vs);
		free(enc);
		sg_prio3_state_free(st);
		sg_prio3_state_free(bad);
		sg_test_honest_free(&h);
	}
}
