/* SPDX-License-Identifier: Apache-2.0 */
#include "common.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spillguard/err.h"
#include "util/hex.h"

const char *sg_test_vectors_dir(void)
{
	const char *dir = getenv("SG_VECTORS");

	return dir != NULL && dir[0] != '\0' ? dir : "../shared/vectors";
}

char *sg_test_path(const char *rel)
{
	const char *dir = sg_test_vectors_dir();
	size_t a = strlen(dir), b = strlen(rel);
	char *p = malloc(a + b + 2);

	cr_assert_not_null(p, "out of memory");
	memcpy(p, dir, a);
	p[a] = '/';
	memcpy(p + a + 1, rel, b + 1);
	return p;
}

sg_json *sg_test_load_json(const char *rel)
{
	char *path = sg_test_path(rel), err[512];
	sg_json *j = NULL;
	int ret = sg_json_load_file(&j, path, err, sizeof err);

	free(path);
	cr_assert_eq(ret, 0, "cannot load test vector (set SG_VECTORS to the vectors folder): %s",
		     err);
	return j;
}

uint8_t *sg_test_hex(const char *hex, size_t *len)
{
	uint8_t *out = NULL;
	size_t n = 0;
	int ret = sg_hex_decode_alloc_vartime(&out, &n, hex, strlen(hex));

	cr_assert_eq(ret, 0, "bad hex in test data (%s): \"%.40s\"", sg_strerror(ret), hex);
	if (len != NULL)
		*len = n;
	return out;
}

uint8_t *sg_test_filled(size_t n)
{
	uint8_t *b = malloc(n ? n : 1);
	cr_assert_not_null(b);
	memset(b, 0xa5, n ? n : 1);
	return b;
}

bool sg_test_zeroed(const void *b, size_t n)
{
	const uint8_t *p = b;
	uint8_t acc = 0;
	for (size_t i = 0; i < n; i++)
		acc |= p[i];
	return acc == 0;
}

/* --- Prio3: honest reports ----------------------------------------------------- */

#define SEED SG_PRIO3_SEED_BYTES

const uint8_t sg_test_ctx[] = "spillguard decode test";
const size_t sg_test_ctx_len = sizeof sg_test_ctx - 1;
const uint8_t sg_test_key[SG_PRIO3_VERIFY_KEY_BYTES] = { 0x4b, 0x45, 0x59 };
const uint8_t sg_test_nonce[SG_PRIO3_NONCE_BYTES] = { 0x4e, 0x4f, 0x4e, 0x43, 0x45 };

const sg_test_case sg_test_cases[SG_TEST_NCASES] = {
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
	{ "BoundedSumVec/Field128",
	  { .circuit = SG_PRIO3_BOUNDED_SUMVEC, .field = SG_PRIO3_FIELD128,
	    .algorithm_id = SG_PRIO3_BOUNDED_SUMVEC_ID, .shares = 3, .proofs = 1, .length = 5,
	    .chunk_length = 4, .max_measurements = (const uint64_t[]){ 100, 60000, 1, 255, 1337 },
	    .max_measurements_len = 5 },
	  { 50, 60000, 1, 0, 1000 } },
	{ "BoundedSumVec/Field64x3",
	  { .circuit = SG_PRIO3_BOUNDED_SUMVEC, .field = SG_PRIO3_FIELD64,
	    .algorithm_id = SG_PRIO3_BOUNDED_SUMVEC_MULTIPROOF_ID, .shares = 2, .proofs = 3,
	    .length = 3, .chunk_length = 3, .max_measurements = (const uint64_t[]){ 7, 2, 100 },
	    .max_measurements_len = 3 },
	  { 7, 1, 99 } },
};

static void shard_fixed(sg_prio3 *p, uint8_t *pub, uint8_t *const *in, const uint64_t *meas)
{
	uint8_t rand[2 * SG_TEST_MAXS * SEED];
	size_t rlen = sg_prio3_rand_bytes(p);
	cr_assert_leq(rlen, sizeof rand);
	for (size_t i = 0; i < rlen; i++)
		rand[i] = (uint8_t)(7 * i + 3);
	cr_assert_eq(sg_prio3_shard(p, pub, in, sg_test_ctx, sg_test_ctx_len, meas,
				    sg_prio3_measurement_len(p), sg_test_nonce, rand, rlen),
		     0);
}

static void honest_alloc(sg_test_honest *h, const sg_test_case *c)
{
	memset(h, 0, sizeof *h);
	h->name = c->name;
	cr_assert_eq(sg_prio3_new(&h->p, &c->pp), 0, "%s", c->name);
	h->shares = sg_prio3_shares(h->p);
	cr_assert_leq(h->shares, SG_TEST_MAXS);
	h->enc = c->pp.field == SG_PRIO3_FIELD64 ? 8 : 16;
	h->olen = sg_prio3_output_len(h->p);
	cr_assert_leq(h->olen, SG_TEST_MAX_OUT);
	h->pub_len = sg_prio3_public_share_bytes(h->p);
	h->vs_len = sg_prio3_verifier_share_bytes(h->p);
	h->msg_len = sg_prio3_verifier_message_bytes(h->p);
	h->out_len = sg_prio3_out_share_bytes(h->p);
	h->pub = sg_test_filled(h->pub_len);
	for (unsigned j = 0; j < h->shares; j++) {
		h->in_len[j] = sg_prio3_input_share_bytes(h->p, j);
		h->in[j] = sg_test_filled(h->in_len[j]);
		h->vs[j] = sg_test_filled(h->vs_len);
		h->out[j] = sg_test_filled(h->out_len);
	}
}

static void honest_verify(sg_test_honest *h)
{
	sg_prio3_state *st[SG_TEST_MAXS];
	size_t lens[SG_TEST_MAXS];
	for (unsigned j = 0; j < h->shares; j++) {
		cr_assert_eq(sg_prio3_state_new(h->p, &st[j]), 0);
		cr_assert_eq(sg_prio3_verify_init(h->p, st[j], h->vs[j], sg_test_key, sg_test_ctx,
						  sg_test_ctx_len, j, sg_test_nonce, h->pub,
						  h->pub_len, h->in[j], h->in_len[j]),
			     0, "%s: honest verify_init", h->name);
		lens[j] = h->vs_len;
	}
	cr_assert_eq(sg_prio3_verifier_shares_to_message(h->p, h->msg, sg_test_ctx,
							 sg_test_ctx_len,
							 (const uint8_t *const *)h->vs, lens),
		     0, "%s: honest decision", h->name);
	for (unsigned j = 0; j < h->shares; j++) {
		cr_assert_eq(sg_prio3_verify_next(h->p, st[j], h->msg, h->msg_len), 0);
		cr_assert_eq(sg_prio3_out_share_encode(h->p, h->out[j], st[j]), 0);
		sg_prio3_state_free(st[j]);
	}
}

void sg_test_honest_new(sg_test_honest *h, const sg_test_case *c)
{
	honest_alloc(h, c);
	shard_fixed(h->p, h->pub, h->in, c->meas);
	honest_verify(h);
}

void sg_test_honest_free(sg_test_honest *h)
{
	free(h->pub);
	for (unsigned j = 0; j < h->shares; j++) {
		free(h->in[j]);
		free(h->vs[j]);
		free(h->out[j]);
	}
	sg_prio3_free(h->p);
}

sg_prio3_state *sg_test_state_new(const sg_test_honest *h)
{
	sg_prio3_state *st = NULL;
	cr_assert_eq(sg_prio3_state_new(h->p, &st), 0);
	return st;
}

void sg_test_expect_spent(const sg_test_honest *h, sg_prio3_state *st, const char *what)
{
	sg_prio3_agg *agg = NULL;
	uint8_t *out = sg_test_filled(h->out_len);
	cr_expect_eq(sg_prio3_out_share_encode(h->p, out, st), SG_ERR_STATE, "%s", what);
	cr_expect(sg_test_zeroed(out, h->out_len), "%s: output share not zeroed", what);
	cr_assert_eq(sg_prio3_agg_new(h->p, &agg), 0);
	cr_expect_eq(sg_prio3_aggregate(h->p, agg, st), SG_ERR_STATE, "%s: aggregated", what);
	sg_prio3_agg_encode(h->p, out, agg);
	cr_expect(sg_test_zeroed(out, h->out_len), "%s: aggregate changed", what);
	cr_expect_eq(sg_prio3_verify_next(h->p, st, h->msg, h->msg_len), SG_ERR_STATE,
		     "%s: spent state took the honest message", what);
	sg_prio3_agg_free(agg);
	free(out);
}

int sg_test_feed_message(const sg_test_honest *h, const uint8_t *b, size_t len,
			 const char *what)
{
	sg_prio3_state *st = sg_test_state_new(h);
	uint8_t *vs = sg_test_filled(h->vs_len);
	cr_assert_eq(sg_prio3_verify_init(h->p, st, vs, sg_test_key, sg_test_ctx, sg_test_ctx_len,
					  0, sg_test_nonce, h->pub, h->pub_len, h->in[0],
					  h->in_len[0]),
		     0);
	int ret = sg_prio3_verify_next(h->p, st, b, len);
	if (ret != 0)
		sg_test_expect_spent(h, st, what);
	free(vs);
	sg_prio3_state_free(st);
	return ret;
}

/* ---- a small world for protocol tests ---------------------------------- */

#include <sodium.h>

#include "spillguard/hpke.h"

static void world_keys(sg_test_world *w)
{
	cr_assert_geq(sodium_init(), 0);
	crypto_sign_keypair(w->auth_pk, w->auth_sk);
	for (unsigned j = 0; j < w->nagg; j++) {
		crypto_sign_keypair(w->agg_sign_pk[j], w->agg_sign_sk[j]);
		cr_assert_eq(sg_hpke_keygen(w->agg_hpke_pk[j], w->agg_hpke_sk[j]), 0);
	}
	for (unsigned i = 0; i < w->nent; i++) {
		crypto_sign_keypair(w->ent_pk[i], w->ent_sk[i]);
		snprintf(w->ent_id[i], sizeof w->ent_id[i], "ent-%u", i);
	}
}

void sg_test_world_init(sg_test_world *w, unsigned nagg, unsigned nent, unsigned ncat)
{
	static char cat_names[64][16];
	Spillguard__Category cat[64], *cats[64];
	Spillguard__Industry ind[2], *inds[2] = { &ind[0], &ind[1] };
	Spillguard__RosterEntry ros[SG_TEST_MAX_ENT], *roster[SG_TEST_MAX_ENT];
	Spillguard__AggregatorInfo agg[SG_TEST_MAX_AGG], *aggs[SG_TEST_MAX_AGG];
	Spillguard__VdafParams vdaf = SPILLGUARD__VDAF_PARAMS__INIT;
	Spillguard__TaskBody body = SPILLGUARD__TASK_BODY__INIT;
	memset(w, 0, sizeof *w);
	cr_assert(nagg >= 2 && nagg <= SG_TEST_MAX_AGG && nent <= SG_TEST_MAX_ENT && ncat >= 1 &&
		  ncat <= 64);
	w->nagg = nagg;
	randombytes_buf(w->verify_key, sizeof w->verify_key);
	w->nent = nent;
	w->ncat = ncat;
	world_keys(w);
	for (unsigned i = 0; i < ncat; i++) {
		snprintf(cat_names[i], sizeof cat_names[i], "cat-%u", i);
		cat[i] = (Spillguard__Category)SPILLGUARD__CATEGORY__INIT;
		cat[i].name = cat_names[i];
		cat[i].max_measurement = 65535;
		cats[i] = &cat[i];
	}
	for (unsigned k = 0; k < 2; k++) {
		ind[k] = (Spillguard__Industry)SPILLGUARD__INDUSTRY__INIT;
		ind[k].id = k + 1;
		ind[k].name = k ? "textiles" : "machining";
	}
	for (unsigned i = 0; i < nent; i++) {
		ros[i] = (Spillguard__RosterEntry)SPILLGUARD__ROSTER_ENTRY__INIT;
		ros[i].enterprise_id = w->ent_id[i];
		ros[i].industry = 1 + i % 2;
		ros[i].sign_pk = (ProtobufCBinaryData){ 32, w->ent_pk[i] };
		roster[i] = &ros[i];
	}
	for (unsigned j = 0; j < nagg; j++) {
		agg[j] = (Spillguard__AggregatorInfo)SPILLGUARD__AGGREGATOR_INFO__INIT;
		agg[j].operator_name = "operator";
		agg[j].endpoint = "tcp://127.0.0.1:7100";
		agg[j].curve_pk = (ProtobufCBinaryData){ 32, w->agg_hpke_pk[j] };
		agg[j].hpke_pk = (ProtobufCBinaryData){ 32, w->agg_hpke_pk[j] };
		agg[j].sign_pk = (ProtobufCBinaryData){ 32, w->agg_sign_pk[j] };
		aggs[j] = &agg[j];
	}
	vdaf.algorithm_id = 3;
	vdaf.field = 128;
	vdaf.proofs = 1;
	vdaf.length = ncat;
	vdaf.max_measurement = 65535;
	sg_prio3_params pp;
	sg_prio3_params_standard(&pp, SG_PRIO3_SUMVEC, nagg);
	pp.length = ncat;
	pp.max_measurement = 65535;
	vdaf.chunk_length = sg_prio3_default_chunk_length(&pp);
	body.version = SG_TASK_VERSION;
	body.name = "test round";
	body.n_categories = ncat;
	body.categories = cats;
	body.n_industries = 2;
	body.industries = inds;
	body.n_roster = nent;
	body.roster = roster;
	body.n_aggregators = nagg;
	body.aggregators = aggs;
	body.min_batch = 2;
	body.opens_at = 1000;
	body.closes_at = 2000;
	body.vdaf = &vdaf;
	body.authority_pk = (ProtobufCBinaryData){ 32, w->auth_pk };
	size_t blen = spillguard__task_body__get_packed_size(&body), tlen;
	uint8_t *packed = malloc(blen), *signed_task;
	char err[256] = "";
	cr_assert_not_null(packed);
	spillguard__task_body__pack(&body, packed);
	cr_assert_eq(sg_task_sign(&signed_task, &tlen, packed, blen, w->auth_sk), 0);
	cr_assert_eq(sg_task_open(&w->task, signed_task, tlen, w->auth_pk, err, sizeof err), 0,
		     "%s", err);
	free(packed);
	free(signed_task);
}

void sg_test_world_free(sg_test_world *w)
{
	sg_task_free(w->task);
	sodium_memzero(w, sizeof *w);
}

void sg_test_one_cat_init(sg_test_one_cat *o, unsigned decimals)
{
	memset(o, 0, sizeof *o);
	o->cat = (Spillguard__Category)SPILLGUARD__CATEGORY__INIT;
	o->cat.name = "quality";
	o->cat.decimals = decimals;
	o->cats[0] = &o->cat;
	o->body = (Spillguard__TaskBody)SPILLGUARD__TASK_BODY__INIT;
	o->body.n_categories = 1;
	o->body.categories = o->cats;
	o->task.body = &o->body;
}
