/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Prio3 end to end: random measurements through shard, verification with
 * every aggregator, aggregation and unsharding, against the plain sums; and
 * malicious clients whose reports must be rejected and never aggregated.
 */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <sodium.h>

#include "core/prio3_internal.h"
#include "spillguard/prio3.h"

static const uint8_t CTX[] = "spillguard test";
#define CTX_LEN (sizeof CTX - 1)

/* One report's messages. */
typedef struct report {
	uint8_t nonce[SG_PRIO3_NONCE_BYTES];
	uint8_t *pub;
	size_t pub_len;
	uint8_t *in[8];
	size_t in_len[8];
} report;

static void report_alloc(sg_prio3 *p, report *r)
{
	unsigned s = sg_prio3_shares(p);
	randombytes_buf(r->nonce, sizeof r->nonce);
	r->pub_len = sg_prio3_public_share_bytes(p);
	r->pub = calloc(1, r->pub_len + 1);
	cr_assert_not_null(r->pub);
	for (unsigned j = 0; j < s; j++) {
		r->in_len[j] = sg_prio3_input_share_bytes(p, j);
		r->in[j] = calloc(1, r->in_len[j]);
		cr_assert_not_null(r->in[j]);
	}
}

static void report_free(sg_prio3 *p, report *r)
{
	free(r->pub);
	for (unsigned j = 0; j < sg_prio3_shares(p); j++)
		free(r->in[j]);
}

/*
 * Runs verification of one report across all aggregators; on success adds
 * each output share to aggs[j]. Returns 0, or the first error.
 */
static int verify_and_aggregate(sg_prio3 *p, const uint8_t *vk, const report *r,
				sg_prio3_agg **aggs)
{
	unsigned s = sg_prio3_shares(p);
	sg_prio3_state *st[8] = { 0 };
	uint8_t *vs[8] = { 0 };
	size_t vs_len[8];
	uint8_t msg[SG_XOF_SEED_BYTES];
	int ret = 0;
	for (unsigned j = 0; j < s; j++) {
		cr_assert_eq(sg_prio3_state_new(p, &st[j]), 0);
		vs_len[j] = sg_prio3_verifier_share_bytes(p);
		vs[j] = malloc(vs_len[j]);
		cr_assert_not_null(vs[j]);
	}
	for (unsigned j = 0; j < s && ret == 0; j++)
		ret = sg_prio3_verify_init(p, st[j], vs[j], vk, CTX, CTX_LEN, j, r->nonce, r->pub,
					   r->pub_len, r->in[j], r->in_len[j]);
	if (ret == 0)
		ret = sg_prio3_verifier_shares_to_message(p, msg, CTX, CTX_LEN,
							  (const uint8_t *const *)vs, vs_len);
	for (unsigned j = 0; j < s && ret == 0; j++)
		ret = sg_prio3_verify_next(p, st[j], msg, sg_prio3_verifier_message_bytes(p));
	/* aggregate only when every aggregator accepted */
	for (unsigned j = 0; j < s && ret == 0; j++)
		cr_assert_eq(sg_prio3_aggregate(p, aggs[j], st[j]), 0);
	for (unsigned j = 0; j < s; j++) {
		sg_prio3_state_free(st[j]);
		free(vs[j]);
	}
	return ret;
}

static void unshard(sg_prio3 *p, sg_prio3_agg **aggs, uint64_t *result, uint64_t count)
{
	unsigned s = sg_prio3_shares(p);
	uint8_t *enc[8];
	size_t lens[8];
	for (unsigned j = 0; j < s; j++) {
		lens[j] = sg_prio3_out_share_bytes(p);
		enc[j] = malloc(lens[j]);
		cr_assert_not_null(enc[j]);
		sg_prio3_agg_encode(p, enc[j], aggs[j]);
	}
	cr_assert_eq(sg_prio3_unshard(p, result, sg_prio3_output_len(p),
				      (const uint8_t *const *)enc, lens, count), 0);
	for (unsigned j = 0; j < s; j++)
		free(enc[j]);
}

/* Uniform in [0, max], any max up to UINT64_MAX; 0 or max a quarter of
 * the time each, to favour the edges of the range. */
static uint64_t upto(uint64_t max)
{
	uint64_t r;
	uint32_t k = randombytes_uniform(4);
	if (k < 2)
		return k == 0 ? 0 : max;
	if (max <= UINT32_MAX - 1)
		return randombytes_uniform((uint32_t)max + 1);
	randombytes_buf(&r, sizeof r);
	return max == UINT64_MAX ? r : r % (max + 1);
}

/* A random valid measurement and its contribution to the plain sum. */
static void random_measurement(const sg_prio3_params *pp, uint64_t *m, size_t n, uint64_t *plain)
{
	switch (pp->circuit) {
	case SG_PRIO3_BOUNDED_SUMVEC:
		for (size_t i = 0; i < n; i++) {
			m[i] = upto(pp->max_measurements[i]);
			plain[i] += m[i];
		}
		break;
	case SG_PRIO3_COUNT:
		m[0] = randombytes_uniform(2);
		plain[0] += m[0];
		break;
	case SG_PRIO3_SUM:
		m[0] = randombytes_uniform((uint32_t)pp->max_measurement + 1);
		plain[0] += m[0];
		break;
	case SG_PRIO3_SUMVEC:
		for (size_t i = 0; i < n; i++) {
			m[i] = upto(pp->max_measurement);
			plain[i] += m[i];
		}
		break;
	case SG_PRIO3_HISTOGRAM:
		m[0] = randombytes_uniform((uint32_t)pp->length);
		plain[m[0]] += 1;
		break;
	case SG_PRIO3_MULTIHOT_COUNTVEC: {
		uint64_t w = 0;
		for (size_t i = 0; i < n; i++) {
			m[i] = (w < pp->max_weight) ? randombytes_uniform(2) : 0;
			w += m[i];
			plain[i] += m[i];
		}
		break;
	}
	default:
		cr_assert_fail("unexpected circuit");
	}
}

static void round_trip(const sg_prio3_params *pp, unsigned nreports)
{
	sg_prio3 *p;
	cr_assert_eq(sg_prio3_new(&p, pp), 0);
	size_t n = sg_prio3_measurement_len(p), out_len = sg_prio3_output_len(p);
	unsigned s = sg_prio3_shares(p);
	uint64_t *m = calloc(n, sizeof *m), *plain = calloc(out_len, sizeof *plain);
	uint64_t *result = calloc(out_len, sizeof *result);
	uint8_t vk[SG_PRIO3_VERIFY_KEY_BYTES];
	sg_prio3_agg *aggs[8];
	cr_assert(m && plain && result);
	randombytes_buf(vk, sizeof vk);
	for (unsigned j = 0; j < s; j++)
		cr_assert_eq(sg_prio3_agg_new(p, &aggs[j]), 0);
	for (unsigned i = 0; i < nreports; i++) {
		report r;
		report_alloc(p, &r);
		random_measurement(pp, m, n, plain);
		cr_assert_eq(sg_prio3_shard_random(p, r.pub, r.in, CTX, CTX_LEN, m, n, r.nonce), 0);
		cr_assert_eq(verify_and_aggregate(p, vk, &r, aggs), 0, "report %u rejected", i);
		report_free(p, &r);
	}
	unshard(p, aggs, result, nreports);
	for (size_t i = 0; i < out_len; i++)
		cr_assert_eq(result[i], plain[i], "circuit %d shares %u element %zu: %llu != %llu",
			     pp->circuit, s, i, (unsigned long long)result[i],
			     (unsigned long long)plain[i]);
	for (unsigned j = 0; j < s; j++)
		sg_prio3_agg_free(aggs[j]);
	free(m);
	free(plain);
	free(result);
	sg_prio3_free(p);
}

static sg_prio3_params params(enum sg_prio3_circuit c, unsigned shares, uint64_t length,
			      uint64_t max)
{
	sg_prio3_params pp;
	sg_prio3_params_standard(&pp, c, shares);
	pp.length = length;
	if (c == SG_PRIO3_MULTIHOT_COUNTVEC)
		pp.max_weight = max;
	else
		pp.max_measurement = max;
	pp.chunk_length = sg_prio3_default_chunk_length(&pp);
	return pp;
}

Test(prio3, sums_equal_plain_sums_for_2_3_5_aggregators)
{
	const unsigned shares[] = { 2, 3, 5 };
	for (size_t k = 0; k < 3; k++) {
		unsigned s = shares[k];
		sg_prio3_params pp;
		pp = params(SG_PRIO3_COUNT, s, 0, 0);
		round_trip(&pp, 20);
		pp = params(SG_PRIO3_SUM, s, 0, 1337);
		round_trip(&pp, 20);
		pp = params(SG_PRIO3_SUMVEC, s, 23, 65535);
		round_trip(&pp, 10);
		pp = params(SG_PRIO3_HISTOGRAM, s, 17, 0);
		round_trip(&pp, 20);
		pp = params(SG_PRIO3_MULTIHOT_COUNTVEC, s, 12, 5);
		round_trip(&pp, 10);
	}
}

/* BoundedSumVec over `bounds`, Field128, the default chunk length. */
static sg_prio3_params bounded(unsigned shares, const uint64_t *bounds, size_t n)
{
	sg_prio3_params pp;
	sg_prio3_params_standard(&pp, SG_PRIO3_BOUNDED_SUMVEC, shares);
	pp.length = n;
	pp.max_measurements = bounds;
	pp.max_measurements_len = n;
	pp.chunk_length = sg_prio3_default_chunk_length(&pp);
	return pp;
}

/* Mixed bounds: 2^b - 1 or not, 1, and a spread of widths. */
static const uint64_t MIXED[] = { 100, 60000, 1, 255, 1337, 2, 65535, 3, 1000000, 7, 12 };
#define NMIXED (sizeof MIXED / sizeof MIXED[0])

Test(prio3_bounded, sums_equal_plain_sums_for_2_3_5_aggregators)
{
	const unsigned shares[] = { 2, 3, 5 };
	for (size_t k = 0; k < 3; k++) {
		sg_prio3_params pp = bounded(shares[k], MIXED, NMIXED);
		round_trip(&pp, 10);
	}
}

Test(prio3_bounded, multiproof_field64)
{
	for (unsigned proofs = 1; proofs <= 3; proofs++) {
		sg_prio3_params pp = bounded(3, MIXED, NMIXED);
		pp.field = SG_PRIO3_FIELD64;
		pp.proofs = proofs;
		pp.algorithm_id = SG_PRIO3_BOUNDED_SUMVEC_MULTIPROOF_ID;
		round_trip(&pp, 6);
	}
}

Test(prio3_bounded, explicit_chunk_lengths)
{
	const uint64_t chunks[] = { 1, 2, 7, 40, 500 };
	for (size_t i = 0; i < sizeof chunks / sizeof chunks[0]; i++) {
		sg_prio3_params pp = bounded(2, MIXED, NMIXED);
		pp.chunk_length = chunks[i];
		round_trip(&pp, 4);
	}
}

/* Bounds of 64 bits (Field128): all ones, and one that is not 2^b - 1. */
Test(prio3_bounded, bounds_of_64_bits)
{
	const uint64_t bounds[] = { UINT64_MAX, ((uint64_t)1 << 63) + 12345, 1 };
	const uint64_t m[2][3] = { { UINT64_MAX, ((uint64_t)1 << 63) + 12345, 1 }, { 0, 99, 0 } };
	sg_prio3_params pp = bounded(3, bounds, 3);
	sg_prio3 *p;
	sg_prio3_agg *aggs[8];
	uint8_t vk[SG_PRIO3_VERIFY_KEY_BYTES] = { 7 };
	uint64_t result[3];
	cr_assert_eq(sg_prio3_new(&p, &pp), 0);
	for (unsigned j = 0; j < 3; j++)
		cr_assert_eq(sg_prio3_agg_new(p, &aggs[j]), 0);
	for (int i = 0; i < 2; i++) {
		report r;
		report_alloc(p, &r);
		cr_assert_eq(sg_prio3_shard_random(p, r.pub, r.in, CTX, CTX_LEN, m[i], 3, r.nonce), 0);
		cr_assert_eq(verify_and_aggregate(p, vk, &r, aggs), 0);
		report_free(p, &r);
	}
	unshard(p, aggs, result, 2);
	cr_assert_eq(result[0], UINT64_MAX);
	cr_assert_eq(result[1], ((uint64_t)1 << 63) + 12444);
	cr_assert_eq(result[2], 1);
	for (unsigned j = 0; j < 3; j++)
		sg_prio3_agg_free(aggs[j]);
	sg_prio3_free(p);
}

Test(prio3, multiproof_and_field64_sumvec)
{
	sg_prio3_params pp = params(SG_PRIO3_SUMVEC, 3, 9, 255);
	pp.field = SG_PRIO3_FIELD64;
	pp.proofs = 3;
	pp.algorithm_id = 0xffffffffu;
	round_trip(&pp, 8);
}

Test(prio3, explicit_chunk_lengths)
{
	/* chunk lengths that leave the last gadget call partly padded */
	const uint64_t chunks[] = { 1, 2, 7, 40, 500 };
	for (size_t i = 0; i < sizeof chunks / sizeof chunks[0]; i++) {
		sg_prio3_params pp = params(SG_PRIO3_SUMVEC, 2, 10, 1000);
		pp.chunk_length = chunks[i];
		round_trip(&pp, 4);
	}
}

/* ---- malicious clients -------------------------------------------------- */

typedef struct adversary {
	sg_prio3 *p;
	sg_prio3_agg *aggs[8];
	uint8_t vk[SG_PRIO3_VERIFY_KEY_BYTES];
	uint64_t honest_sum[64];
	unsigned accepted;
} adversary;

static void adversary_init(adversary *a, unsigned shares)
{
	sg_prio3_params pp = params(SG_PRIO3_SUMVEC, shares, 8, 255);
	memset(a, 0, sizeof *a);
	cr_assert_eq(sg_prio3_new(&a->p, &pp), 0);
	randombytes_buf(a->vk, sizeof a->vk);
	for (unsigned j = 0; j < shares; j++)
		cr_assert_eq(sg_prio3_agg_new(a->p, &a->aggs[j]), 0);
}

/* Honest reports, so that rejected ones can be shown not to move the sum. */
static void adversary_honest(adversary *a, unsigned count)
{
	uint64_t m[8];
	for (unsigned i = 0; i < count; i++) {
		report r;
		report_alloc(a->p, &r);
		for (int k = 0; k < 8; k++) {
			m[k] = randombytes_uniform(256);
			a->honest_sum[k] += m[k];
		}
		cr_assert_eq(sg_prio3_shard_random(a->p, r.pub, r.in, CTX, CTX_LEN, m, 8, r.nonce), 0);
		cr_assert_eq(verify_and_aggregate(a->p, a->vk, &r, a->aggs), 0);
		a->accepted++;
		report_free(a->p, &r);
	}
}

static void adversary_finish(adversary *a)
{
	uint64_t result[8];
	unshard(a->p, a->aggs, result, a->accepted);
	for (int k = 0; k < 8; k++)
		cr_assert_eq(result[k], a->honest_sum[k], "a rejected report moved the sum");
	for (unsigned j = 0; j < sg_prio3_shares(a->p); j++)
		sg_prio3_agg_free(a->aggs[j]);
	sg_prio3_free(a->p);
}

/* A valid report for measurement m, ready for tampering. */
static void honest_report(adversary *a, report *r, const uint64_t *m)
{
	report_alloc(a->p, r);
	cr_assert_eq(sg_prio3_shard_random(a->p, r->pub, r->in, CTX, CTX_LEN, m, 8, r->nonce), 0);
}

/* Adds one to the field element at `index` of an encoded vector, keeping it canonical. */
static void bump_element(const sg_prio3 *p, uint8_t *enc, size_t index)
{
	sg_fe x, one;
	cr_assert_eq(p->f->decode(&x, enc + index * p->enc, 1), 0);
	p->f->one(&one);
	p->f->add(&x, &x, &one);
	p->f->encode(enc + index * p->enc, &x, 1);
}

Test(prio3_malicious, out_of_range_element_with_forged_proof)
{
	adversary a;
	adversary_init(&a, 2);
	adversary_honest(&a, 5);
	/* Element 0 encoded with a "bit" of value 2 (a huge value once decoded
	 * with its weight), and a proof generated honestly for that encoding:
	 * the best a client can do without breaking soundness. */
	const sg_flp *flp = &a.p->flp;
	sg_fe *meas = calloc(flp->meas_len, sizeof *meas);
	uint64_t m[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	cr_assert_eq(sg_flp_encode(flp, meas, m, 8), 0);
	a.p->f->from_u64(&meas[0], 2);
	report r;
	report_alloc(a.p, &r);
	size_t rl = sg_prio3_rand_bytes(a.p);
	uint8_t *rnd = malloc(rl);
	randombytes_buf(rnd, rl);
	cr_assert_eq(sg_prio3_shard_encoded(a.p, r.pub, r.in, CTX, CTX_LEN, meas, r.nonce, rnd, rl), 0);
	cr_assert_eq(verify_and_aggregate(a.p, a.vk, &r, a.aggs), SG_ERR_VERIFY);
	/* and a field element that is no bit at all: p - 1 */
	a.p->f->from_u64(&meas[0], 1);
	a.p->f->neg(&meas[0], &meas[0]);
	cr_assert_eq(sg_prio3_shard_encoded(a.p, r.pub, r.in, CTX, CTX_LEN, meas, r.nonce, rnd, rl), 0);
	cr_assert_eq(verify_and_aggregate(a.p, a.vk, &r, a.aggs), SG_ERR_VERIFY);
	report_free(a.p, &r);
	free(rnd);
	free(meas);
	adversary_finish(&a);
}

Test(prio3_malicious, tampered_proof)
{
	adversary a;
	adversary_init(&a, 3);
	adversary_honest(&a, 4);
	uint64_t m[8] = { 0 };
	report r;
	honest_report(&a, &r, m);
	/* leader share = meas share || proof share || blind; bump each proof element in turn */
	size_t meas_len = a.p->flp.meas_len, proof_len = a.p->proofs_len;
	const size_t picks[] = { 0, 1, proof_len / 2, proof_len - 1 };
	for (size_t i = 0; i < 4; i++) {
		uint8_t *copy = malloc(r.in_len[0]);
		memcpy(copy, r.in[0], r.in_len[0]);
		bump_element(a.p, r.in[0], meas_len + picks[i]);
		cr_assert_eq(verify_and_aggregate(a.p, a.vk, &r, a.aggs), SG_ERR_VERIFY,
			     "proof element %zu", picks[i]);
		memcpy(r.in[0], copy, r.in_len[0]);
		free(copy);
	}
	report_free(a.p, &r);
	adversary_finish(&a);
}

Test(prio3_malicious, tampered_measurement_share)
{
	adversary a;
	adversary_init(&a, 2);
	adversary_honest(&a, 4);
	uint64_t m[8] = { 255, 0, 1, 2, 3, 4, 5, 6 };
	report r;
	honest_report(&a, &r, m);
	bump_element(a.p, r.in[0], 3);
	/* the leader's joint randomness part no longer matches its share */
	int ret = verify_and_aggregate(a.p, a.vk, &r, a.aggs);
	cr_assert(ret == SG_ERR_VERIFY || ret == SG_ERR_JOINT_RAND, "got %d", ret);
	/* a helper's seed swapped for another: its share changes entirely */
	report r2;
	honest_report(&a, &r2, m);
	r2.in[1][0] ^= 1;
	ret = verify_and_aggregate(a.p, a.vk, &r2, a.aggs);
	cr_assert(ret == SG_ERR_VERIFY || ret == SG_ERR_JOINT_RAND, "got %d", ret);
	report_free(a.p, &r);
	report_free(a.p, &r2);
	adversary_finish(&a);
}

Test(prio3_malicious, tampered_public_share)
{
	adversary a;
	adversary_init(&a, 2);
	adversary_honest(&a, 4);
	uint64_t m[8] = { 9, 9, 9, 9, 9, 9, 9, 9 };
	for (size_t byte = 0; byte < 64; byte += 31) {
		report r;
		honest_report(&a, &r, m);
		r.pub[byte] ^= 0x80;
		int ret = verify_and_aggregate(a.p, a.vk, &r, a.aggs);
		cr_assert(ret == SG_ERR_VERIFY || ret == SG_ERR_JOINT_RAND, "byte %zu: got %d", byte,
			  ret);
		report_free(a.p, &r);
	}
	adversary_finish(&a);
}

Test(prio3_malicious, wrong_verify_key_or_nonce_rejects)
{
	adversary a;
	adversary_init(&a, 2);
	adversary_honest(&a, 2);
	uint64_t m[8] = { 1, 1, 1, 1, 1, 1, 1, 1 };
	report r;
	honest_report(&a, &r, m);
	/* a report verified under another nonce than it was sharded with */
	r.nonce[0] ^= 1;
	int ret = verify_and_aggregate(a.p, a.vk, &r, a.aggs);
	cr_assert(ret == SG_ERR_VERIFY || ret == SG_ERR_JOINT_RAND, "got %d", ret);
	report_free(a.p, &r);
	adversary_finish(&a);
}

/* ---- a bound per element: what BoundedSumVec refuses and SumVec does not -- */

/* The incident's task: quality (max 100) and tooling (max 60000). */
static const uint64_t QT[2] = { 100, 60000 };

/* Five honest reports (quality 50, tooling 1000) into aggs. */
static void five_honest(sg_prio3 *p, const uint8_t *vk, sg_prio3_agg **aggs)
{
	const uint64_t m[2] = { 50, 1000 };
	for (int i = 0; i < 5; i++) {
		report r;
		report_alloc(p, &r);
		cr_assert_eq(sg_prio3_shard_random(p, r.pub, r.in, CTX, CTX_LEN, m, 2, r.nonce), 0);
		cr_assert_eq(verify_and_aggregate(p, vk, &r, aggs), 0);
		report_free(p, &r);
	}
}

/* A client that shards the encoding meas as it is, with a proof computed
 * honestly over it; verification's code. */
static int forged(sg_prio3 *p, const uint8_t *vk, const sg_fe *meas, sg_prio3_agg **aggs)
{
	report r;
	size_t rl = sg_prio3_rand_bytes(p);
	uint8_t *rnd = malloc(rl);
	cr_assert_not_null(rnd);
	randombytes_buf(rnd, rl);
	report_alloc(p, &r);
	cr_assert_eq(sg_prio3_shard_encoded(p, r.pub, r.in, CTX, CTX_LEN, meas, r.nonce, rnd, rl), 0);
	int ret = verify_and_aggregate(p, vk, &r, aggs);
	report_free(p, &r);
	free(rnd);
	return ret;
}

/* Runs five honest reports and one forged encoding of quality 60000 under
 * pp; returns the forged report's code and the unsharded quality sum. */
static int quality_attack(const sg_prio3_params *pp, uint64_t *quality, unsigned *counted)
{
	sg_prio3 *p;
	sg_prio3_agg *aggs[8];
	uint8_t vk[SG_PRIO3_VERIFY_KEY_BYTES];
	uint64_t result[2];
	cr_assert_eq(sg_prio3_new(&p, pp), 0);
	randombytes_buf(vk, sizeof vk);
	for (unsigned j = 0; j < pp->shares; j++)
		cr_assert_eq(sg_prio3_agg_new(p, &aggs[j]), 0);
	five_honest(p, vk, aggs);
	const sg_flp *flp = &p->flp;
	sg_fe *meas = calloc(flp->meas_len, sizeof *meas), dec[2];
	cr_assert_not_null(meas);
	/* the circuit's own encoding of quality 60000 where it has one (SumVec
	 * with the largest bound); else every element 0 and quality's first
	 * "bit" set to 60000. Either decodes to quality 60000. */
	const uint64_t zero[2] = { 0, 0 }, over[2] = { 60000, 0 };
	if (sg_flp_encode(flp, meas, over, 2) != 0) {
		cr_assert_eq(sg_flp_encode(flp, meas, zero, 2), 0);
		p->f->from_u64(&meas[0], 60000);
	}
	sg_flp_truncate(flp, dec, meas);
	sg_fe want;
	p->f->from_u64(&want, 60000);
	cr_assert(p->f->eq(&dec[0], &want), "the forged encoding does not carry quality 60000");
	int ret = forged(p, vk, meas, aggs);
	*counted = 5 + (ret == 0);
	unshard(p, aggs, result, *counted);
	*quality = result[0];
	for (unsigned j = 0; j < pp->shares; j++)
		sg_prio3_agg_free(aggs[j]);
	free(meas);
	sg_prio3_free(p);
	return ret;
}

Test(prio3_bounded, element_over_its_own_bound_refused)
{
	sg_prio3_params pp = bounded(3, QT, 2);
	uint64_t quality;
	unsigned counted;
	cr_assert_eq(quality_attack(&pp, &quality, &counted), SG_ERR_VERIFY);
	cr_assert_eq(counted, 5);
	cr_assert_eq(quality, 250, "quality sum %llu", (unsigned long long)quality);
}

/* The same report under SumVec with the largest bound verifies: one bound
 * for the whole vector lets quality carry tooling's maximum. */
Test(prio3_bounded, same_attack_passes_sumvec_with_largest_bound)
{
	sg_prio3_params pp = params(SG_PRIO3_SUMVEC, 3, 2, 60000);
	uint64_t quality;
	unsigned counted;
	cr_assert_eq(quality_attack(&pp, &quality, &counted), 0);
	cr_assert_eq(counted, 6);
	cr_assert_eq(quality, 60250);
}

/* Every encoded element in turn set to 2, then to p - 1: each refused;
 * the honest encoding passes. */
Test(prio3_bounded, any_element_not_a_bit_refused)
{
	const uint64_t bounds[] = { 1, 100, 7, 6 };
	const uint64_t m[4] = { 1, 37, 0, 6 };
	sg_prio3_params pp = bounded(2, bounds, 4);
	sg_prio3 *p;
	sg_prio3_agg *aggs[2];
	uint8_t vk[SG_PRIO3_VERIFY_KEY_BYTES] = { 3 };
	cr_assert_eq(sg_prio3_new(&p, &pp), 0);
	const sg_flp *flp = &p->flp;
	cr_assert_eq(flp->meas_len, 1 + 7 + 3 + 3);
	for (unsigned j = 0; j < 2; j++)
		cr_assert_eq(sg_prio3_agg_new(p, &aggs[j]), 0);
	sg_fe *meas = calloc(flp->meas_len, sizeof *meas);
	cr_assert_not_null(meas);
	for (size_t i = 0; i < flp->meas_len; i++) {
		for (int how = 0; how < 2; how++) {
			cr_assert_eq(sg_flp_encode(flp, meas, m, 4), 0);
			p->f->from_u64(&meas[i], how == 0 ? 2 : 1);
			if (how == 1)
				p->f->neg(&meas[i], &meas[i]);
			cr_assert_eq(forged(p, vk, meas, aggs), SG_ERR_VERIFY, "element %zu, %s", i,
				     how == 0 ? "2" : "p - 1");
		}
	}
	cr_assert_eq(sg_flp_encode(flp, meas, m, 4), 0);
	cr_assert_eq(forged(p, vk, meas, aggs), 0, "the honest encoding is refused");
	for (unsigned j = 0; j < 2; j++)
		sg_prio3_agg_free(aggs[j]);
	free(meas);
	sg_prio3_free(p);
}
