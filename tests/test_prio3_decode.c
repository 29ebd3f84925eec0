/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Prio3's decoders (draft-irtf-cfrg-vdaf-20 §7): every malformed message is
 * refused with the right code and leaves its outputs zeroed. Parameters,
 * measurements and the order of states are tested in test_prio3_params.c.
 *
 * Each message kind is taken from an honest report (fixed measurement and
 * randomness, verified to the end: sg_test_honest_new) and damaged one way
 * at a time, for the six parameter sets of tests/common.c (both fields,
 * with and without joint randomness, BoundedSumVec's sizes among them).
 */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "common.h"
#include "spillguard/prio3.h"

#define SEED SG_PRIO3_SEED_BYTES

/* --- buffers ------------------------------------------------------------------ */

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
static const uint8_t P128[16] = { 1,    0,    0,    0,    0,    0,    0,    0,
				   0xe4, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

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

/* --- feeding one damaged message ------------------------------------------- */

enum kind { LEADER, HELPER, PUBLIC, VSHARE, MESSAGE, AGG };

/* The honest encoding of a kind (the last aggregator's, for shares that
 * every aggregator sends, so that a decoder stopping early is caught). */
static const uint8_t *honest_bytes(const sg_test_honest *h, enum kind k, size_t *len)
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
static size_t elements(const sg_test_honest *h, enum kind k)
{
	switch (k) {
	case LEADER: return (h->in_len[0] - h->msg_len) / h->enc;
	case VSHARE: return (h->vs_len - h->msg_len) / h->enc;
	case AGG: return h->olen;
	default: return 0;
	}
}

/* verify_init at aggregator a; a refused share must leave the verifier
 * share zeroed and the state unable to go on. */
static int feed_init(const sg_test_honest *h, unsigned a, const uint8_t *pub, size_t pub_len,
		     const uint8_t *in, size_t in_len, const char *what)
{
	sg_prio3_state *st = sg_test_state_new(h);
	uint8_t *vs = sg_test_filled(h->vs_len);
	int ret = sg_prio3_verify_init(h->p, st, vs, sg_test_key, sg_test_ctx, sg_test_ctx_len, a,
				       sg_test_nonce, pub, pub_len, in, in_len);
	if (ret != 0) {
		cr_expect(sg_test_zeroed(vs, h->vs_len), "%s: verifier share not zeroed", what);
		cr_expect_eq(sg_prio3_verify_next(h->p, st, h->msg, h->msg_len), SG_ERR_STATE,
			     "%s: refused state went on", what);
	}
	free(vs);
	sg_prio3_state_free(st);
	return ret;
}

/* The decision with the last aggregator's verifier share replaced. */
static int feed_vshare(const sg_test_honest *h, const uint8_t *b, size_t len, const char *what)
{
	const uint8_t *vs[SG_TEST_MAXS];
	size_t lens[SG_TEST_MAXS];
	uint8_t msg[SEED];
	for (unsigned j = 0; j < h->shares; j++) {
		vs[j] = h->vs[j];
		lens[j] = h->vs_len;
	}
	vs[h->shares - 1] = b;
	lens[h->shares - 1] = len;
	memset(msg, 0xa5, sizeof msg);
	int ret = sg_prio3_verifier_shares_to_message(h->p, msg, sg_test_ctx, sg_test_ctx_len, vs,
						      lens);
	if (ret != 0)
		cr_expect(sg_test_zeroed(msg, h->msg_len), "%s: message not zeroed", what);
	return ret;
}

/* agg_add_encoded into an empty aggregate, and unshard with the input as
 * the last aggregator's share: a refusal changes nothing and zeroes the
 * result, and both decoders agree. */
static int feed_agg(const sg_test_honest *h, const uint8_t *b, size_t len, const char *what)
{
	sg_prio3_agg *agg = NULL;
	uint8_t *enc = sg_test_filled(h->out_len);
	const uint8_t *shares[SG_TEST_MAXS];
	size_t lens[SG_TEST_MAXS];
	uint64_t result[SG_TEST_MAX_OUT];
	cr_assert_eq(sg_prio3_agg_new(h->p, &agg), 0);
	int ret = sg_prio3_agg_add_encoded(h->p, agg, b, len);
	sg_prio3_agg_encode(h->p, enc, agg);
	if (ret != 0)
		cr_expect(sg_test_zeroed(enc, h->out_len), "%s: aggregate changed", what);
	for (unsigned j = 0; j < h->shares; j++) {
		shares[j] = j + 1 == h->shares ? b : h->out[j];
		lens[j] = j + 1 == h->shares ? len : h->out_len;
	}
	memset(result, 0xa5, sizeof result);
	int u = sg_prio3_unshard(h->p, result, h->olen, shares, lens, 1);
	if (ret != 0) {
		cr_expect_eq(u, ret, "%s: unshard disagrees with agg_add_encoded", what);
		cr_expect(sg_test_zeroed(result, h->olen * sizeof *result), "%s: result not zeroed",
			  what);
	}
	sg_prio3_agg_free(agg);
	free(enc);
	return ret;
}

static int feed(const sg_test_honest *h, enum kind k, const uint8_t *b, size_t len,
		const char *what)
{
	switch (k) {
	case LEADER: return feed_init(h, 0, h->pub, h->pub_len, b, len, what);
	case HELPER: return feed_init(h, 1, h->pub, h->pub_len, b, len, what);
	case PUBLIC: return feed_init(h, 0, b, len, h->in[0], h->in_len[0], what);
	case VSHARE: return feed_vshare(h, b, len, what);
	case MESSAGE: return sg_test_feed_message(h, b, len, what);
	case AGG: return feed_agg(h, b, len, what);
	}
	cr_assert_fail("unknown kind");
	return 0;
}

static void each_case(enum kind k, void (*fn)(const sg_test_honest *, enum kind))
{
	for (size_t i = 0; i < SG_TEST_NCASES; i++) {
		sg_test_honest h;
		sg_test_honest_new(&h, &sg_test_cases[i]);
		fn(&h, k);
		sg_test_honest_free(&h);
	}
}

/* --- wrong lengths ------------------------------------------------------------ */

/* The honest encoding cut or zero-padded to len. */
static int feed_resized(const sg_test_honest *h, enum kind k, size_t len, const char *what)
{
	size_t hl;
	const uint8_t *hb = honest_bytes(h, k, &hl);
	uint8_t *b = resized(hb, hl, len);
	int ret = feed(h, k, b, len, what);
	free(b);
	return ret;
}

/* Every decoder, verify_next's message check included, reports a wrong
 * length as SG_ERR_LENGTH. */
static void expect_length_refused(const sg_test_honest *h, enum kind k, size_t len,
				  const char *how)
{
	cr_expect_eq(feed_resized(h, k, len, how), SG_ERR_LENGTH, "%s: %s", h->name, how);
}

/* One byte short, one long, empty, and one unit (element, or seed) more
 * and fewer: a share of another length or count. */
static void wrong_lengths(const sg_test_honest *h, enum kind k)
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
static int feed_elem(const sg_test_honest *h, enum kind k, size_t i, enum elem v)
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
static void noncanonical(const sg_test_honest *h, enum kind k)
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
static void largest_element(const sg_test_honest *h, enum kind k)
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
static void seed_bytes(const sg_test_honest *h, enum kind k)
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
	sg_test_case c = sg_test_cases[1];
	sg_test_honest h;
	size_t hl;
	c.pp.length = length;
	c.pp.shares = shares;
	memcpy(c.meas, FIVE, sizeof FIVE);
	sg_test_honest_new(&h, &c);
	const uint8_t *hb = honest_bytes(&h, k, &hl);
	uint8_t *b = resized(hb, hl, hl);
	sg_test_honest_free(&h);
	*len = hl;
	return b;
}

static void expect_foreign_refused(enum kind k, uint64_t length, unsigned shares)
{
	sg_test_honest h;
	size_t len;
	uint8_t *b = sumvec_bytes(k, length, shares, &len);
	sg_test_honest_new(&h, &sg_test_cases[1]);
	cr_expect_eq(feed(&h, k, b, len, "foreign"), SG_ERR_LENGTH,
		     "SumVec length %llu, %u shares taken", (unsigned long long)length, shares);
	sg_test_honest_free(&h);
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
static int unshard_sum(const sg_test_honest *h, uint8_t x, uint64_t *result)
{
	uint8_t *shares[SG_TEST_MAXS];
	size_t lens[SG_TEST_MAXS];
	for (unsigned j = 0; j < h->shares; j++) {
		shares[j] = resized(NULL, 0, h->out_len);
		lens[j] = h->out_len;
	}
	memset(shares[0], 0xff, 8); /* 2^64 - 1 */
	shares[1][0] = x;
	memset(result, 0xa5, SG_TEST_MAX_OUT * sizeof *result);
	int ret = sg_prio3_unshard(h->p, result, h->olen, (const uint8_t *const *)shares, lens, 1);
	for (unsigned j = 0; j < h->shares; j++)
		free(shares[j]);
	return ret;
}

Test(prio3_decode, unshard_overflow_boundary)
{
	sg_test_honest h;
	uint64_t result[SG_TEST_MAX_OUT];
	sg_test_honest_new(&h, &sg_test_cases[1]);
	cr_expect_eq(unshard_sum(&h, 0, result), 0);
	cr_expect_eq(result[0], UINT64_MAX);
	cr_expect_eq(unshard_sum(&h, 1, result), SG_ERR_OVERFLOW, "2^64 fits no uint64_t");
	cr_expect(sg_test_zeroed(result, h.olen * sizeof *result));
	sg_test_honest_free(&h);
}

Test(prio3_decode, unshard_bad_arguments)
{
	sg_test_honest h;
	uint64_t result[SG_TEST_MAX_OUT];
	size_t lens[SG_TEST_MAXS];
	sg_test_honest_new(&h, &sg_test_cases[1]);
	for (unsigned j = 0; j < h.shares; j++)
		lens[j] = h.out_len;
	const uint8_t *const *shares = (const uint8_t *const *)h.out;
	memset(result, 0xa5, sizeof result);
	cr_expect_eq(sg_prio3_unshard(h.p, result, h.olen, shares, lens, 0), SG_ERR_PARAM,
		     "no measurements");
	cr_expect(sg_test_zeroed(result, h.olen * sizeof *result));
	cr_expect_eq(sg_prio3_unshard(h.p, result, h.olen - 1, shares, lens, 1), SG_ERR_PARAM,
		     "short result");
	cr_expect_eq(sg_prio3_unshard(h.p, result, h.olen, shares, lens, 1), 0);
	cr_expect_eq(result[1], 15);
	sg_test_honest_free(&h);
}
