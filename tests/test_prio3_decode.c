/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Prio3's decoders and input checks (draft-irtf-cfrg-vdaf-20 §7): every
 * malformed message is refused with the right code and leaves its outputs
 * zeroed; parameters and measurements outside the draft's ranges are
 * refused; a verification state is only used in order.
 *
 * Each message kind is taken from an honest report (fixed measurement and
 * randomness, verified to the end) and damaged one way at a time, for four
 * parameter sets covering both fields with and without joint randomness.
 */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "spillguard/prio3.h"

#define SEED SG_PRIO3_SEED_BYTES
#define MAXS 3    /* most shares in a parameter set here */
#define MAX_OUT 8 /* longest output here */

static const uint8_t CTX[] = "spillguard decode test";
#define CTX_LEN (sizeof CTX - 1)
static const uint8_t KEY[SG_PRIO3_VERIFY_KEY_BYTES] = { 0x4b, 0x45, 0x59 };
static const uint8_t NONCE[SG_PRIO3_NONCE_BYTES] = { 0x4e, 0x4f, 0x4e, 0x43, 0x45 };

/* --- buffers ------------------------------------------------------------------ */

static uint8_t *filled(size_t n)
{
	uint8_t *b = malloc(n ? n : 1);
	cr_assert_not_null(b);
	memset(b, 0xa5, n ? n : 1);
	return b;
}

static int zeroed(const void *b, size_t n)
{
	const uint8_t *p = b;
	uint8_t acc = 0;
	for (size_t i = 0; i < n; i++)
		acc |= p[i];
	return acc == 0;
}

/* `len` bytes: a prefix of b, padded with zeros. Exactly len bytes are
 * allocated, so ASan catches a decoder reading past the end. */
static uint8_t *resized(const uint8_t *b, size_t b_len, size_t len)
{
	cr_assert(b != NULL || b_len == 0);
	uint8_t *r = malloc(len ? len : 1);
	cr_assert_not_null(r);
	memset(r, 0, len);
	if (b_len > 0)
		memcpy(r, b, b_len < len ? b_len : len);
	return r;
}

/* draft §6.1 moduli, little-endian: Field64 p = 2^64 - 2^32 + 1,
 * Field128 p = 2^128 - 28 * 2^64 + 1. */
static const uint8_t P64[8] = { 1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff };
static const uint8_t P128[16] = { 1, 0, 0, 0, 0, 0, 0, 0, 0xe4, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

enum elem { ELEM_P, ELEM_ALL_ONES, ELEM_P_MINUS_1 };

static void put_elem(uint8_t *e, size_t enc, enum elem v)
{
	if (v == ELEM_ALL_ONES) {
		memset(e, 0xff, enc);
		return;
	}
	memcpy(e, enc == 8 ? P64 : P128, enc);
	if (v == ELEM_P_MINUS_1)
		e[0] = 0;
}

/* --- an honest report ------------------------------------------------------- */

typedef struct kase {
	const char *name;
	sg_prio3_params pp;
	uint64_t meas[5];
} kase;

static const kase CASES[] = {
	{ "Count/Field64",
	  { .circuit = SG_PRIO3_COUNT, .field = SG_PRIO3_FIELD64, .algorithm_id = 1, .shares = 2,
	    .proofs = 1 },
	  { 1 } },
	{ "SumVec/Field128",
	  { .circuit = SG_PRIO3_SUMVEC, .field = SG_PRIO3_FIELD128, .algorithm_id = 3, .shares = 3,
	    .proofs = 1, .length = 4, .max_measurement = 15, .chunk_length = 3 },
	  { 0, 15, 7, 8 } },
	{ "Histogram/Field128",
	  { .circuit = SG_PRIO3_HISTOGRAM, .field = SG_PRIO3_FIELD128, .algorithm_id = 4,
	    .shares = 2, .proofs = 1, .length = 5, .chunk_length = 2 },
	  { 3 } },
	{ "SumVec/Field64x2",
	  { .circuit = SG_PRIO3_SUMVEC, .field = SG_PRIO3_FIELD64, .algorithm_id = 0xffffffffu,
	    .shares = 2, .proofs = 2, .length = 3, .max_measurement = 3, .chunk_length = 2 },
	  { 3, 0, 2 } },
};
#define NCASES (sizeof CASES / sizeof CASES[0])

/* Every message of one report, as the honest parties produce them. */
typedef struct honest {
	const char *name;
	sg_prio3 *p;
	unsigned shares;
	size_t enc, olen; /* bytes per element; output length in elements */
	size_t pub_len, in_len[MAXS], vs_len, msg_len, out_len;
	uint8_t *pub, *in[MAXS], *vs[MAXS], *out[MAXS];
	uint8_t msg[SEED];
} honest;

static void shard_fixed(sg_prio3 *p, uint8_t *pub, uint8_t *const *in, const uint64_t *meas)
{
	uint8_t rand[2 * MAXS * SEED];
	size_t rlen = sg_prio3_rand_bytes(p);
	cr_assert_leq(rlen, sizeof rand);
	for (size_t i = 0; i < rlen; i++)
		rand[i] = (uint8_t)(7 * i + 3);
	cr_assert_eq(sg_prio3_shard(p, pub, in, CTX, CTX_LEN, meas, sg_prio3_measurement_len(p),
				    NONCE, rand, rlen),
		     0);
}

static void honest_alloc(honest *h, const kase *c)
{
	memset(h, 0, sizeof *h);
	h->name = c->name;
	cr_assert_eq(sg_prio3_new(&h->p, &c->pp), 0, "%s", c->name);
	h->shares = sg_prio3_shares(h->p);
	cr_assert_leq(h->shares, MAXS);
	h->enc = c->pp.field == SG_PRIO3_FIELD64 ? 8 : 16;
	h->olen = sg_prio3_output_len(h->p);
	cr_assert_leq(h->olen, MAX_OUT);
	h->pub_len = sg_prio3_public_share_bytes(h->p);
	h->vs_len = sg_prio3_verifier_share_bytes(h->p);
	h->msg_len = sg_prio3_verifier_message_bytes(h->p);
	h->out_len = sg_prio3_out_share_bytes(h->p);
	h->pub = filled(h->pub_len);
	for (unsigned j = 0; j < h->shares; j++) {
		h->in_len[j] = sg_prio3_input_share_bytes(h->p, j);
		h->in[j] = filled(h->in_len[j]);
		h->vs[j] = filled(h->vs_len);
		h->out[j] = filled(h->out_len);
	}
}

static void honest_verify(honest *h)
{
	sg_prio3_state *st[MAXS];
	size_t lens[MAXS];
	for (unsigned j = 0; j < h->shares; j++) {
		cr_assert_eq(sg_prio3_state_new(h->p, &st[j]), 0);
		cr_assert_eq(sg_prio3_verify_init(h->p, st[j], h->vs[j], KEY, CTX, CTX_LEN, j, NONCE,
						  h->pub, h->pub_len, h->in[j], h->in_len[j]),
			     0, "%s: honest verify_init", h->name);
		lens[j] = h->vs_len;
	}
	cr_assert_eq(sg_prio3_verifier_shares_to_message(h->p, h->msg, CTX, CTX_LEN,
							 (const uint8_t *const *)h->vs, lens),
		     0, "%s: honest decision", h->name);
	for (unsigned j = 0; j < h->shares; j++) {
		cr_assert_eq(sg_prio3_verify_next(h->p, st[j], h->msg, h->msg_len), 0);
		cr_assert_eq(sg_prio3_out_share_encode(h->p, h->out[j], st[j]), 0);
		sg_prio3_state_free(st[j]);
	}
}

static void honest_new(honest *h, const kase *c)
{
	honest_alloc(h, c);
	shard_fixed(h->p, h->pub, h->in, c->meas);
	honest_verify(h);
}

static void honest_free(honest *h)
{
	free(h->pub);
	for (unsigned j = 0; j < h->shares; j++) {
		free(h->in[j]);
		free(h->vs[j]);
		free(h->out[j]);
	}
	sg_prio3_free(h->p);
}

/* --- feeding one damaged message ------------------------------------------- */

enum kind { LEADER, HELPER, PUBLIC, VSHARE, MESSAGE, AGG };

/* The honest encoding of a kind (the last aggregator's, for shares that
 * every aggregator sends, so that a decoder stopping early is caught). */
static const uint8_t *honest_bytes(const honest *h, enum kind k, size_t *len)
{
	unsigned last = h->shares - 1;
	switch (k) {
	case LEADER: *len = h->in_len[0]; return h->in[0];
	case HELPER: *len = h->in_len[1]; return h->in[1];
	case PUBLIC: *len = h->pub_len; return h->pub;
	case VSHARE: *len = h->vs_len; return h->vs[last];
	case MESSAGE: *len = h->msg_len; return h->msg;
	case AGG: *len = h->out_len; return h->out[last];
	}
	cr_assert_fail("unknown kind");
	return NULL;
}

/* Field elements at the start of a kind's encoding; after them, in a leader
 * share the blind and in a verifier share the joint randomness part, each
 * as long as the verifier message (SEED, or 0 without joint randomness). */
static size_t elements(const honest *h, enum kind k)
{
	switch (k) {
	case LEADER: return (h->in_len[0] - h->msg_len) / h->enc;
	case VSHARE: return (h->vs_len - h->msg_len) / h->enc;
	case AGG: return h->olen;
	default: return 0;
	}
}

static sg_prio3_state *state(const honest *h)
{
	sg_prio3_state *st = NULL;
	cr_assert_eq(sg_prio3_state_new(h->p, &st), 0);
	return st;
}

/* verify_init at aggregator a; a refused share must leave the verifier
 * share zeroed and the state unable to go on. */
static int feed_init(const honest *h, unsigned a, const uint8_t *pub, size_t pub_len,
		     const uint8_t *in, size_t in_len, const char *what)
{
	sg_prio3_state *st = state(h);
	uint8_t *vs = filled(h->vs_len);
	int ret = sg_prio3_verify_init(h->p, st, vs, KEY, CTX, CTX_LEN, a, NONCE, pub, pub_len, in,
				       in_len);
	if (ret != 0) {
		cr_expect(zeroed(vs, h->vs_len), "%s: verifier share not zeroed", what);
		cr_expect_eq(sg_prio3_verify_next(h->p, st, h->msg, h->msg_len), SG_ERR_STATE,
			     "%s: refused state went on", what);
	}
	free(vs);
	sg_prio3_state_free(st);
	return ret;
}

/* The decision with the last aggregator's verifier share replaced. */
static int feed_vshare(const honest *h, const uint8_t *b, size_t len, const char *what)
{
	const uint8_t *vs[MAXS];
	size_t lens[MAXS];
	uint8_t msg[SEED];
	for (unsigned j = 0; j < h->shares; j++) {
		vs[j] = h->vs[j];
		lens[j] = h->vs_len;
	}
	vs[h->shares - 1] = b;
	lens[h->shares - 1] = len;
	memset(msg, 0xa5, sizeof msg);
	int ret = sg_prio3_verifier_shares_to_message(h->p, msg, CTX, CTX_LEN, vs, lens);
	if (ret != 0)
		cr_expect(zeroed(msg, h->msg_len), "%s: message not zeroed", what);
	return ret;
}

/* A refused message spends the state: nothing comes out of it after. */
static void expect_spent(const honest *h, sg_prio3_state *st, const char *what)
{
	sg_prio3_agg *agg = NULL;
	uint8_t *out = filled(h->out_len);
	cr_expect_eq(sg_prio3_out_share_encode(h->p, out, st), SG_ERR_STATE, "%s", what);
	cr_expect(zeroed(out, h->out_len), "%s: output share not zeroed", what);
	cr_assert_eq(sg_prio3_agg_new(h->p, &agg), 0);
	cr_expect_eq(sg_prio3_aggregate(h->p, agg, st), SG_ERR_STATE, "%s: aggregated", what);
	sg_prio3_agg_encode(h->p, out, agg);
	cr_expect(zeroed(out, h->out_len), "%s: aggregate changed", what);
	cr_expect_eq(sg_prio3_verify_next(h->p, st, h->msg, h->msg_len), SG_ERR_STATE,
		     "%s: spent state took the honest message", what);
	sg_prio3_agg_free(agg);
	free(out);
}

/* verify_next at the leader, after an honest verify_init. */
static int feed_message(const honest *h, const uint8_t *b, size_t len, const char *what)
{
	sg_prio3_state *st = state(h);
	uint8_t *vs = filled(h->vs_len);
	cr_assert_eq(sg_prio3_verify_init(h->p, st, vs, KEY, CTX, CTX_LEN, 0, NONCE, h->pub,
					  h->pub_len, h->in[0], h->in_len[0]),
		     0);
	int ret = sg_prio3_verify_next(h->p, st, b, len);
	if (ret != 0)
		expect_spent(h, st, what);
	free(vs);
	sg_prio3_state_free(st);
	return ret;
}

/* agg_add_encoded into an empty aggregate, and unshard with the input as
 * the last aggregator's share: a refusal changes nothing and zeroes the
 * result, and both decoders agree. */
static int feed_agg(const honest *h, const uint8_t *b, size_t len, const char *what)
{
	sg_prio3_agg *agg = NULL;
	uint8_t *enc = filled(h->out_len);
	const uint8_t *shares[MAXS];
	size_t lens[MAXS];
	uint64_t result[MAX_OUT];
	cr_assert_eq(sg_prio3_agg_new(h->p, &agg), 0);
	int ret = sg_prio3_agg_add_encoded(h->p, agg, b, len);
	sg_prio3_agg_encode(h->p, enc, agg);
	if (ret != 0)
		cr_expect(zeroed(enc, h->out_len), "%s: aggregate changed", what);
	for (unsigned j = 0; j < h->shares; j++) {
		shares[j] = j + 1 == h->shares ? b : h->out[j];
		lens[j] = j + 1 == h->shares ? len : h->out_len;
	}
	memset(result, 0xa5, sizeof result);
	int u = sg_prio3_unshard(h->p, result, h->olen, shares, lens, 1);
	if (ret != 0) {
		cr_expect_eq(u, ret, "%s: unshard disagrees with agg_add_encoded", what);
		cr_expect(zeroed(result, h->olen * sizeof *result), "%s: result not zeroed", what);
	}
	sg_prio3_agg_free(agg);
	free(enc);
	return ret;
}

static int feed(const honest *h, enum kind k, const uint8_t *b, size_t len, const char *what)
{
	switch (k) {
	case LEADER: return feed_init(h, 0, h->pub, h->pub_len, b, len, what);
	case HELPER: return feed_init(h, 1, h->pub, h->pub_len, b, len, what);
	case PUBLIC: return feed_init(h, 0, b, len, h->in[0], h->in_len[0], what);
	case VSHARE: return feed_vshare(h, b, len, what);
	case MESSAGE: return feed_message(h, b, len, what);
	case AGG: return feed_agg(h, b, len, what);
	}
	cr_assert_fail("unknown kind");
	return 0;
}

static void each_case(enum kind k, void (*fn)(const honest *, enum kind))
{
	for (size_t i = 0; i < NCASES; i++) {
		honest h;
		honest_new(&h, &CASES[i]);
		fn(&h, k);
		honest_free(&h);
	}
}

/* --- wrong lengths ------------------------------------------------------------ */

/* The honest encoding cut or zero-padded to len. */
static int feed_resized(const honest *h, enum kind k, size_t len, const char *what)
{
	size_t hl;
	const uint8_t *hb = honest_bytes(h, k, &hl);
	uint8_t *b = resized(hb, hl, len);
	int ret = feed(h, k, b, len, what);
	free(b);
	return ret;
}

static void expect_length_refused(const honest *h, enum kind k, size_t len, const char *how)
{
	int ret = feed_resized(h, k, len, how);
	/* prio3.h documents every failed message check of verify_next as
	 * SG_ERR_JOINT_RAND; SG_ERR_LENGTH would be as right for a length. */
	if (k == MESSAGE)
		cr_expect(ret == SG_ERR_LENGTH || ret == SG_ERR_JOINT_RAND,
			  "%s: %s: got %d", h->name, how, ret);
	else
		cr_expect_eq(ret, SG_ERR_LENGTH, "%s: %s", h->name, how);
}

/* One byte short, one long, empty, and one unit (element, or seed) more
 * and fewer: a share of another length or count. */
static void wrong_lengths(const honest *h, enum kind k)
{
	size_t len, unit = elements(h, k) > 0 ? h->enc : SEED;
	honest_bytes(h, k, &len);
	expect_length_refused(h, k, len + 1, "one byte long");
	expect_length_refused(h, k, len + unit, "one unit more");
	if (len == 0)
		return; /* nothing to cut: Count's public share and message */
	expect_length_refused(h, k, len - 1, "one byte short");
	expect_length_refused(h, k, 0, "empty");
	if (len > unit)
		expect_length_refused(h, k, len - unit, "one unit fewer");
}

Test(prio3_decode, leader_share_wrong_length) { each_case(LEADER, wrong_lengths); }
Test(prio3_decode, helper_share_wrong_length) { each_case(HELPER, wrong_lengths); }
Test(prio3_decode, public_share_wrong_length) { each_case(PUBLIC, wrong_lengths); }
Test(prio3_decode, verifier_share_wrong_length) { each_case(VSHARE, wrong_lengths); }
Test(prio3_decode, verifier_message_wrong_length) { each_case(MESSAGE, wrong_lengths); }
Test(prio3_decode, agg_share_wrong_length) { each_case(AGG, wrong_lengths); }

/* --- element encodings -------------------------------------------------------- */

/* The honest encoding with element i set to v. */
static int feed_elem(const honest *h, enum kind k, size_t i, enum elem v)
{
	size_t len;
	const uint8_t *hb = honest_bytes(h, k, &len);
	uint8_t *b = resized(hb, len, len);
	put_elem(b + i * h->enc, h->enc, v);
	int ret = feed(h, k, b, len, h->name);
	free(b);
	return ret;
}

/* p and 2^(8 * enc) - 1 at the first, middle and last element. */
static void noncanonical(const honest *h, enum kind k)
{
	size_t n = elements(h, k), at[3] = { 0, n / 2, n - 1 };
	cr_assert_gt(n, 0);
	for (int v = ELEM_P; v <= ELEM_ALL_ONES; v++)
		for (size_t i = 0; i < 3; i++)
			cr_expect_eq(feed_elem(h, k, at[i], (enum elem)v), SG_ERR_NONCANONICAL,
				     "%s: %s at element %zu of %zu", h->name,
				     v == ELEM_P ? "p" : "all ones", at[i], n);
}

/* p - 1 is canonical: only the proof can reject it. */
static void largest_element(const honest *h, enum kind k)
{
	size_t n = elements(h, k), at[3] = { 0, n / 2, n - 1 };
	for (size_t i = 0; i < 3; i++) {
		int ret = feed_elem(h, k, at[i], ELEM_P_MINUS_1);
		if (k == VSHARE)
			cr_expect(ret == 0 || ret == SG_ERR_VERIFY, "%s: p - 1 at element %zu: %d",
				  h->name, at[i], ret);
		else
			cr_expect_eq(ret, 0, "%s: p - 1 at element %zu", h->name, at[i]);
	}
}

Test(prio3_decode, leader_share_noncanonical) { each_case(LEADER, noncanonical); }
Test(prio3_decode, verifier_share_noncanonical) { each_case(VSHARE, noncanonical); }
Test(prio3_decode, agg_share_noncanonical) { each_case(AGG, noncanonical); }
Test(prio3_decode, leader_share_largest_element) { each_case(LEADER, largest_element); }
Test(prio3_decode, verifier_share_largest_element) { each_case(VSHARE, largest_element); }
Test(prio3_decode, agg_share_largest_element) { each_case(AGG, largest_element); }

/* Seeds, blinds and joint randomness parts are bytes, not elements: all
 * 0xff is a valid one (a decision still reads only the field elements). */
static void seed_bytes(const honest *h, enum kind k)
{
	size_t len, from = elements(h, k) * h->enc;
	const uint8_t *hb = honest_bytes(h, k, &len);
	if (len == from)
		return; /* no seed in this encoding */
	uint8_t *b = resized(hb, len, len);
	memset(b + from, 0xff, len - from);
	cr_expect_eq(feed(h, k, b, len, h->name), 0, "%s: all-ones seed bytes refused", h->name);
	free(b);
}

Test(prio3_decode, leader_blind_any_bytes) { each_case(LEADER, seed_bytes); }
Test(prio3_decode, helper_share_any_bytes) { each_case(HELPER, seed_bytes); }
Test(prio3_decode, public_share_any_bytes) { each_case(PUBLIC, seed_bytes); }
Test(prio3_decode, verifier_share_part_any_bytes) { each_case(VSHARE, seed_bytes); }

/* --- messages of another parameter set ---------------------------------------- */

static const uint64_t FIVE[5] = { 1, 2, 3, 4, 5 };

/* What `k` looks like for SumVec/Field128 of `length` and `shares`. */
static uint8_t *sumvec_bytes(enum kind k, uint64_t length, unsigned shares, size_t *len)
{
	kase c = CASES[1];
	honest h;
	size_t hl;
	c.pp.length = length;
	c.pp.shares = shares;
	memcpy(c.meas, FIVE, sizeof FIVE);
	honest_new(&h, &c);
	const uint8_t *hb = honest_bytes(&h, k, &hl);
	uint8_t *b = resized(hb, hl, hl);
	honest_free(&h);
	*len = hl;
	return b;
}

static void expect_foreign_refused(enum kind k, uint64_t length, unsigned shares)
{
	honest h;
	size_t len;
	uint8_t *b = sumvec_bytes(k, length, shares, &len);
	honest_new(&h, &CASES[1]);
	cr_expect_eq(feed(&h, k, b, len, "foreign"), SG_ERR_LENGTH,
		     "SumVec length %llu, %u shares taken", (unsigned long long)length, shares);
	honest_free(&h);
	free(b);
}

Test(prio3_decode, leader_share_of_other_length)
{
	expect_foreign_refused(LEADER, 5, 3);
	expect_foreign_refused(LEADER, 3, 3);
}

Test(prio3_decode, public_share_of_other_share_count) { expect_foreign_refused(PUBLIC, 4, 2); }

Test(prio3_decode, agg_share_of_other_length)
{
	expect_foreign_refused(AGG, 5, 3);
	expect_foreign_refused(AGG, 3, 3);
}

/* --- unshard ---------------------------------------------------------------- */

/* SumVec/Field128 aggregate shares whose first elements sum to 2^64 - 1 + x. */
static int unshard_sum(const honest *h, uint8_t x, uint64_t *result)
{
	uint8_t *shares[MAXS];
	size_t lens[MAXS];
	for (unsigned j = 0; j < h->shares; j++) {
		shares[j] = resized(NULL, 0, h->out_len);
		lens[j] = h->out_len;
	}
	memset(shares[0], 0xff, 8); /* 2^64 - 1 */
	shares[1][0] = x;
	memset(result, 0xa5, MAX_OUT * sizeof *result);
	int ret = sg_prio3_unshard(h->p, result, h->olen, (const uint8_t *const *)shares, lens, 1);
	for (unsigned j = 0; j < h->shares; j++)
		free(shares[j]);
	return ret;
}

Test(prio3_decode, unshard_overflow_boundary)
{
	honest h;
	uint64_t result[MAX_OUT];
	honest_new(&h, &CASES[1]);
	cr_expect_eq(unshard_sum(&h, 0, result), 0);
	cr_expect_eq(result[0], UINT64_MAX);
	cr_expect_eq(unshard_sum(&h, 1, result), SG_ERR_OVERFLOW, "2^64 fits no uint64_t");
	cr_expect(zeroed(result, h.olen * sizeof *result));
	honest_free(&h);
}

Test(prio3_decode, unshard_bad_arguments)
{
	honest h;
	uint64_t result[MAX_OUT];
	size_t lens[MAXS];
	honest_new(&h, &CASES[1]);
	for (unsigned j = 0; j < h.shares; j++)
		lens[j] = h.out_len;
	const uint8_t *const *shares = (const uint8_t *const *)h.out;
	memset(result, 0xa5, sizeof result);
	cr_expect_eq(sg_prio3_unshard(h.p, result, h.olen, shares, lens, 0), SG_ERR_PARAM,
		     "no measurements");
	cr_expect(zeroed(result, h.olen * sizeof *result));
	cr_expect_eq(sg_prio3_unshard(h.p, result, h.olen - 1, shares, lens, 1), SG_ERR_PARAM,
		     "short result");
	cr_expect_eq(sg_prio3_unshard(h.p, result, h.olen, shares, lens, 1), 0);
	cr_expect_eq(result[1], 15);
	honest_free(&h);
}

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

/* --- measurements ------------------------------------------------------------- */

/* Shards m (n values); on failure every output must be zeroed. */
static int shard_rc(const sg_prio3_params *pp, const uint64_t *m, size_t n)
{
	sg_prio3 *p = NULL;
	uint8_t rand[2 * MAXS * SEED] = { 1, 2, 3 };
	uint8_t *in[MAXS];
	cr_assert_eq(sg_prio3_new(&p, pp), 0);
	unsigned s = sg_prio3_shares(p);
	cr_assert_leq(s, MAXS);
	uint8_t *pub = filled(sg_prio3_public_share_bytes(p));
	for (unsigned j = 0; j < s; j++)
		in[j] = filled(sg_prio3_input_share_bytes(p, j));
	int ret = sg_prio3_shard(p, pub, in, CTX, CTX_LEN, m, n, NONCE, rand,
				 sg_prio3_rand_bytes(p));
	if (ret != 0) {
		cr_expect(zeroed(pub, sg_prio3_public_share_bytes(p)), "public share not zeroed");
		for (unsigned j = 0; j < s; j++)
			cr_expect(zeroed(in[j], sg_prio3_input_share_bytes(p, j)),
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
	for (size_t i = 0; i < NCASES; i++) {
		honest h;
		honest_new(&h, &CASES[i]);
		sg_prio3_state *st = state(&h);
		cr_expect_eq(sg_prio3_verify_next(h.p, st, h.msg, h.msg_len), SG_ERR_STATE, "%s",
			     h.name);
		expect_spent(&h, st, h.name);
		sg_prio3_state_free(st);
		honest_free(&h);
	}
}

/* A wrong message: the state is spent and is never aggregated. */
Test(prio3_state, failed_verify_next_not_aggregated)
{
	for (size_t i = 0; i < NCASES; i++) {
		honest h;
		honest_new(&h, &CASES[i]);
		uint8_t bad[SEED] = { 0 };
		memcpy(bad, h.msg, h.msg_len);
		bad[0] ^= 1;
		/* Count has no message: one byte where none belongs is its only
		 * wrong one (a length error, however reported) */
		int ret = feed_message(&h, bad, h.msg_len ? h.msg_len : 1, h.name);
		if (h.msg_len > 0)
			cr_expect_eq(ret, SG_ERR_JOINT_RAND, "%s", h.name);
		else
			cr_expect_neq(ret, 0, "%s", h.name);
		honest_free(&h);
	}
}

Test(prio3_state, verify_next_only_once)
{
	for (size_t i = 0; i < NCASES; i++) {
		honest h;
		honest_new(&h, &CASES[i]);
		sg_prio3_state *st = state(&h);
		uint8_t *vs = filled(h.vs_len), *out = filled(h.out_len);
		cr_assert_eq(sg_prio3_verify_init(h.p, st, vs, KEY, CTX, CTX_LEN, 1, NONCE, h.pub,
						  h.pub_len, h.in[1], h.in_len[1]),
			     0);
		cr_expect_eq(sg_prio3_out_share_encode(h.p, out, st), SG_ERR_STATE,
			     "%s: output share before verify_next", h.name);
		cr_expect(zeroed(out, h.out_len));
		cr_expect_eq(sg_prio3_verify_next(h.p, st, h.msg, h.msg_len), 0);
		cr_expect_eq(sg_prio3_verify_next(h.p, st, h.msg, h.msg_len), SG_ERR_STATE,
			     "%s: second verify_next", h.name);
		cr_expect_eq(sg_prio3_out_share_encode(h.p, out, st), 0);
		cr_expect_arr_eq(out, h.out[1], h.out_len);
		free(vs);
		free(out);
		sg_prio3_state_free(st);
		honest_free(&h);
	}
}
