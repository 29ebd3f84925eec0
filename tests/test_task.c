/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <sodium.h>

#include "core/task.h"
#include "spillguard/err.h"

/* A valid task body with three categories (bounds 65535, 100000, 50:
 * Prio3BoundedSumVec), two industries, three enterprises and three
 * aggregators, built field by field. */
typedef struct fixture {
	Spillguard__TaskBody body;
	Spillguard__Category cat[3], *cats[3];
	Spillguard__Industry ind[2], *inds[2];
	Spillguard__RosterEntry ros[3], *roster[3];
	Spillguard__AggregatorInfo agg[3], *aggs[3];
	Spillguard__VdafParams vdaf;
	uint8_t keys[16][32];
	uint8_t auth_pk[32], auth_sk[64];
	char ent_names[3][16];
} fixture;

static void fixture_init(fixture *f)
{
	static const char *names[] = { "process", "tooling", "quality" };
	static const uint64_t maxes[] = { 65535, 100000, 50 };
	memset(f, 0, sizeof *f);
	cr_assert_eq(sodium_init() < 0, 0);
	for (int i = 0; i < 16; i++)
		randombytes_buf(f->keys[i], 32);
	crypto_sign_keypair(f->auth_pk, f->auth_sk);
	f->body = (Spillguard__TaskBody)SPILLGUARD__TASK_BODY__INIT;
	f->body.version = SG_TASK_VERSION;
	f->body.name = "Q4 knowledge round";
	for (int i = 0; i < 3; i++) {
		f->cat[i] = (Spillguard__Category)SPILLGUARD__CATEGORY__INIT;
		f->cat[i].name = (char *)names[i];
		f->cat[i].max_measurement = maxes[i];
		f->cat[i].decimals = (uint32_t)i;
		f->cats[i] = &f->cat[i];
	}
	for (int i = 0; i < 2; i++) {
		f->ind[i] = (Spillguard__Industry)SPILLGUARD__INDUSTRY__INIT;
		f->ind[i].id = (uint32_t)(10 + i);
		f->ind[i].name = i ? "machining" : "textiles";
		f->inds[i] = &f->ind[i];
	}
	for (int i = 0; i < 3; i++) {
		f->ros[i] = (Spillguard__RosterEntry)SPILLGUARD__ROSTER_ENTRY__INIT;
		snprintf(f->ent_names[i], sizeof f->ent_names[i], "ent-%d", i);
		f->ros[i].enterprise_id = f->ent_names[i];
		f->ros[i].industry = (uint32_t)(10 + i % 2);
		f->ros[i].sign_pk = (ProtobufCBinaryData){ 32, f->keys[i] };
		f->roster[i] = &f->ros[i];
	}
	for (int i = 0; i < 3; i++) {
		f->agg[i] = (Spillguard__AggregatorInfo)SPILLGUARD__AGGREGATOR_INFO__INIT;
		f->agg[i].operator_name = i == 0 ? "university institute" : "trade association";
		f->agg[i].endpoint = "tcp://127.0.0.1:7100";
		f->agg[i].curve_pk = (ProtobufCBinaryData){ 32, f->keys[4 + 3 * i] };
		f->agg[i].hpke_pk = (ProtobufCBinaryData){ 32, f->keys[5 + 3 * i] };
		f->agg[i].sign_pk = (ProtobufCBinaryData){ 32, f->keys[6 + 3 * i] };
		f->aggs[i] = &f->agg[i];
	}
	f->vdaf = (Spillguard__VdafParams)SPILLGUARD__VDAF_PARAMS__INIT;
	f->vdaf.algorithm_id = SG_PRIO3_BOUNDED_SUMVEC_ID; /* the bounds differ */
	f->vdaf.field = 128;
	f->vdaf.proofs = 1;
	f->vdaf.length = 3;
	f->vdaf.max_measurement = 100000;
	f->vdaf.chunk_length = 8;
	f->body.n_categories = 3;
	f->body.categories = f->cats;
	f->body.n_industries = 2;
	f->body.industries = f->inds;
	f->body.n_roster = 3;
	f->body.roster = f->roster;
	f->body.n_aggregators = 3;
	f->body.aggregators = f->aggs;
	f->body.min_batch = 2;
	f->body.opens_at = 1796083200;
	f->body.closes_at = 1798761600;
	f->body.vdaf = &f->vdaf;
	f->body.authority_pk = (ProtobufCBinaryData){ 32, f->auth_pk };
}

static uint8_t *signed_task(fixture *f, size_t *len)
{
	size_t blen = spillguard__task_body__get_packed_size(&f->body);
	uint8_t *body = malloc(blen), *out;
	cr_assert_not_null(body);
	spillguard__task_body__pack(&f->body, body);
	cr_assert_eq(sg_task_sign(&out, len, body, blen, f->auth_sk), 0);
	free(body);
	return out;
}

Test(task, sign_open_and_id)
{
	fixture f;
	fixture_init(&f);
	size_t len;
	uint8_t *bytes = signed_task(&f, &len);
	sg_task *t;
	char err[200] = "";
	cr_assert_eq(sg_task_open(&t, bytes, len, f.auth_pk, err, sizeof err), 0, "%s", err);
	cr_assert_str_eq(t->body->name, "Q4 knowledge round");
	cr_assert_eq(t->body->n_roster, 3);
	cr_assert_eq(sg_task_roster_find(t, "ent-2"), 2);
	cr_assert_eq(sg_task_roster_find(t, "ent-9"), -1);
	/* the id is SHA-256 of the signed body bytes */
	uint8_t id[32];
	size_t blen = spillguard__task_body__get_packed_size(&f.body);
	uint8_t *body = malloc(blen);
	spillguard__task_body__pack(&f.body, body);
	crypto_hash_sha256(id, body, blen);
	cr_assert_arr_eq(t->id, id, 32);
	free(body);
	sg_task_free(t);
	free(bytes);
}

Test(task, refuses_tampering_and_other_authorities)
{
	fixture f;
	fixture_init(&f);
	size_t len;
	uint8_t *bytes = signed_task(&f, &len);
	sg_task *t;
	char err[200];
	/* every single byte flipped: refused (parse, signature or validation) */
	for (size_t i = 0; i < len; i++) {
		bytes[i] ^= 0x01;
		int ret = sg_task_open(&t, bytes, len, f.auth_pk, err, sizeof err);
		cr_assert_neq(ret, 0, "flip at byte %zu accepted", i);
		cr_assert_null(t);
		bytes[i] ^= 0x01;
	}
	uint8_t other_pk[32], other_sk[64];
	crypto_sign_keypair(other_pk, other_sk);
	cr_assert_eq(sg_task_open(&t, bytes, len, other_pk, err, sizeof err), SG_ERR_VERIFY);
	cr_assert(strstr(err, "another authority") != NULL);
	free(bytes);
	/* a task re-signed by someone else but claiming the authority's key */
	size_t blen = spillguard__task_body__get_packed_size(&f.body);
	uint8_t *body = malloc(blen);
	spillguard__task_body__pack(&f.body, body);
	cr_assert_eq(sg_task_sign(&bytes, &len, body, blen, other_sk), 0);
	cr_assert_eq(sg_task_open(&t, bytes, len, NULL, err, sizeof err), SG_ERR_VERIFY);
	cr_assert(strstr(err, "signature") != NULL);
	free(bytes);
	free(body);
}

/* Breaks the fixture one way, expects validation to name the field. */
static void expect_invalid(void (*breaker)(fixture *), const char *field)
{
	fixture f;
	fixture_init(&f);
	char err[200] = "";
	breaker(&f);
	cr_assert_eq(sg_task_validate(&f.body, err, sizeof err), SG_ERR_PARAM, "accepted (%s)", field);
	cr_assert(strncmp(err, field, strlen(field)) == 0, "'%s' does not start with '%s'", err, field);
}

static void dup_category(fixture *f) { f->cat[2].name = "process"; }
static void no_categories(fixture *f) { f->body.n_categories = 0; }
static void big_decimals(fixture *f) { f->cat[1].decimals = 19; }
static void zero_max(fixture *f) { f->cat[0].max_measurement = 0; }
static void dup_industry(fixture *f) { f->ind[1].id = 10; }
static void unknown_industry(fixture *f) { f->ros[1].industry = 99; }
static void short_key(fixture *f) { f->ros[0].sign_pk.len = 31; }
static void dup_enterprise(fixture *f) { f->ros[2].enterprise_id = "ent-0"; }
static void dup_enterprise_key(fixture *f) { f->ros[2].sign_pk = f->ros[0].sign_pk; }
static void one_aggregator(fixture *f) { f->body.n_aggregators = 1; }
static void bad_hpke_key(fixture *f) { f->agg[1].hpke_pk.len = 0; }
static void min_batch_one(fixture *f) { f->body.min_batch = 1; }
static void empty_window(fixture *f) { f->body.closes_at = f->body.opens_at; }
static void wrong_length(fixture *f) { f->vdaf.length = 4; }
static void wrong_max(fixture *f) { f->vdaf.max_measurement = 65535; }
static void not_sumvec(fixture *f) { f->vdaf.algorithm_id = 4; }
static void zero_chunk(fixture *f) { f->vdaf.chunk_length = 0; }
static void bad_version(fixture *f) { f->body.version = 2; }
static Spillguard__DpParams noisy_dp = { PROTOBUF_C_MESSAGE_INIT(&spillguard__dp_params__descriptor), 1500 };
static void dp_noise(fixture *f) { f->body.dp = &noisy_dp; }
static void no_name(fixture *f) { f->body.name = ""; }

Test(task, validation_names_the_field)
{
	expect_invalid(dup_category, "categories[2].name");
	expect_invalid(no_categories, "categories");
	expect_invalid(big_decimals, "categories[1].decimals");
	expect_invalid(zero_max, "categories[0].max_measurement");
	expect_invalid(dup_industry, "industries[1].id");
	expect_invalid(unknown_industry, "roster[1].industry");
	expect_invalid(short_key, "roster[0].sign_pk");
	expect_invalid(dup_enterprise, "roster[2].enterprise_id");
	expect_invalid(dup_enterprise_key, "roster[2].sign_pk");
	expect_invalid(one_aggregator, "aggregators");
	expect_invalid(bad_hpke_key, "aggregators[1].hpke_pk");
	expect_invalid(min_batch_one, "min_batch");
	expect_invalid(empty_window, "window");
	expect_invalid(wrong_length, "vdaf.length");
	expect_invalid(wrong_max, "vdaf.max_measurement");
	expect_invalid(not_sumvec, "vdaf.algorithm_id");
	expect_invalid(zero_chunk, "vdaf");
	expect_invalid(bad_version, "version");
	expect_invalid(no_name, "name");
	expect_invalid(dp_noise, "dp.sigma_milli");
}

Test(task, repeats_name_both_roster_entries)
{
	fixture f;
	char err[200] = "";
	fixture_init(&f);
	f.ros[2].enterprise_id = "ent-0";
	f.ros[1].sign_pk = f.ros[0].sign_pk; /* both repeat: the name is reported */
	cr_assert_eq(sg_task_validate(&f.body, err, sizeof err), SG_ERR_PARAM);
	cr_assert_str_eq(err, "roster[2].enterprise_id: 'ent-0' repeats roster[0]");
	f.ros[2].enterprise_id = "ent-2";
	cr_assert_eq(sg_task_validate(&f.body, err, sizeof err), SG_ERR_PARAM);
	cr_assert_str_eq(err, "roster[1].sign_pk: same key as roster[0]");
}

/* A roster of 500 in scrambled order: every enterprise is found at its own
 * position, and names that are not there are not. */
Test(task, roster_lookup_finds_every_entry)
{
	enum { N = 500 };
	fixture f;
	static Spillguard__RosterEntry ros[N], *roster[N];
	static char names[N][16];
	static uint8_t keys[N][32];
	fixture_init(&f);
	for (size_t i = 0; i < N; i++) {
		ros[i] = (Spillguard__RosterEntry)SPILLGUARD__ROSTER_ENTRY__INIT;
		snprintf(names[i], sizeof names[i], "e%zu", (i * 7919) % N);
		randombytes_buf(keys[i], 32);
		ros[i].enterprise_id = names[i];
		ros[i].industry = 10;
		ros[i].sign_pk = (ProtobufCBinaryData){ 32, keys[i] };
		roster[i] = &ros[i];
	}
	f.body.n_roster = N;
	f.body.roster = roster;
	size_t len;
	uint8_t *bytes = signed_task(&f, &len);
	sg_task *t;
	char err[200] = "";
	cr_assert_eq(sg_task_open(&t, bytes, len, f.auth_pk, err, sizeof err), 0, "%s", err);
	for (size_t i = 0; i < N; i++)
		cr_assert_eq(sg_task_roster_find(t, names[i]), (long)i, "%s", names[i]);
	cr_assert_eq(sg_task_roster_find(t, "e500"), -1);
	cr_assert_eq(sg_task_roster_find(t, ""), -1);
	cr_assert_eq(sg_task_roster_find(t, "e"), -1);
	sg_task_free(t);
	free(bytes);
}

/* The largest industry (10: two enterprises) at the largest category's
 * max must sum within what the field adds exactly and 64 bits hold. */
static int with_largest_max(fixture *f, uint32_t field, uint64_t max, char *err, size_t len)
{
	f->vdaf.field = field;
	f->vdaf.proofs = field == 64 ? 2 : 1;
	f->vdaf.algorithm_id = field == 64 ? SG_PRIO3_BOUNDED_SUMVEC_MULTIPROOF_ID
					   : SG_PRIO3_BOUNDED_SUMVEC_ID;
	f->cat[1].max_measurement = max;
	f->vdaf.max_measurement = max;
	return sg_task_validate(&f->body, err, len);
}

Test(task, refuses_sums_a_publication_cannot_hold)
{
	fixture f;
	char err[400] = "";
	fixture_init(&f);
	uint64_t half = UINT64_MAX / 2; /* two of them: 2^64 - 2, fits */
	cr_assert_eq(with_largest_max(&f, 128, half, err, sizeof err), 0, "%s", err);
	cr_assert_eq(with_largest_max(&f, 128, half + 1, err, sizeof err), SG_ERR_PARAM);
	cr_assert(strstr(err, "categories[1].max") != NULL, "%s", err);
	cr_assert(strstr(err, "with 2 roster enterprises in industry 10") != NULL, "%s", err);
	/* decimals 1: the max and the largest that fits are shown in the
	 * category's units */
	cr_assert(strstr(err, "a max of at most 922337203685477580.7") != NULL, "%s", err);
	/* Field64 adds exactly below its modulus 2^64 - 2^32 + 1 */
	uint64_t p_half = (UINT64_MAX - UINT32_MAX) / 2;
	cr_assert_eq(with_largest_max(&f, 64, p_half, err, sizeof err), 0, "%s", err);
	cr_assert_eq(with_largest_max(&f, 64, p_half + 1, err, sizeof err), SG_ERR_PARAM);
	cr_assert_eq(sg_task_sum_limit(&f.body), UINT64_MAX - UINT32_MAX);
	/* one enterprise per industry: any max is publishable */
	f.body.n_roster = 2; /* ent-0 in industry 10, ent-1 in 11 */
	cr_assert_eq(with_largest_max(&f, 128, UINT64_MAX / 2 + 1, err, sizeof err), 0, "%s", err);
}

/* --- the VDAF follows the categories' bounds --------------------------------- */

static void equal_bounds(fixture *f)
{
	for (int i = 0; i < 3; i++)
		f->cat[i].max_measurement = 100000;
}

static int validate(fixture *f, char *err, size_t len)
{
	err[0] = '\0';
	return sg_task_validate(&f->body, err, len);
}

/* The incident: quality (50) and tooling (100000) under one SumVec bound
 * would let quality carry 100000; such a task is refused. */
Test(task_vdaf, differing_bounds_refuse_sumvec)
{
	fixture f;
	char err[256];
	fixture_init(&f);
	f.vdaf.algorithm_id = SG_TASK_ALGORITHM_SUMVEC;
	cr_assert_eq(validate(&f, err, sizeof err), SG_ERR_PARAM);
	cr_assert_str_eq(err, "vdaf.algorithm_id: 0x00000003, but the categories' bounds differ: "
			      "Prio3BoundedSumVec (0xFFFF0001 for Field128) expected, which "
			      "proves each one");
	f.vdaf.algorithm_id = SG_PRIO3_BOUNDED_SUMVEC_MULTIPROOF_ID; /* Field64's id */
	cr_assert_eq(validate(&f, err, sizeof err), SG_ERR_PARAM);
	f.vdaf.field = 64;
	f.vdaf.proofs = 3;
	cr_assert_eq(validate(&f, err, sizeof err), 0, "%s", err);
	f.vdaf.algorithm_id = SG_PRIO3_BOUNDED_SUMVEC_ID;
	cr_assert_eq(validate(&f, err, sizeof err), SG_ERR_PARAM, "Field128's id over Field64");
	cr_assert(strstr(err, "0xFFFF0002 for Field64") != NULL, "%s", err);
}

Test(task_vdaf, equal_bounds_keep_sumvec)
{
	fixture f;
	char err[256];
	fixture_init(&f);
	equal_bounds(&f);
	cr_assert_eq(validate(&f, err, sizeof err), SG_ERR_PARAM, "BoundedSumVec over equal bounds");
	cr_assert_str_eq(err, "vdaf.algorithm_id: 0xFFFF0001, but every category has the same "
			      "bound: Prio3SumVec (3) expected");
	f.vdaf.algorithm_id = SG_TASK_ALGORITHM_SUMVEC;
	cr_assert_eq(validate(&f, err, sizeof err), 0, "%s", err);
	cr_assert_eq(sg_task_vdaf_algorithm(&f.body, 64), SG_TASK_ALGORITHM_SUMVEC);
}

Test(task_vdaf, unknown_field_named)
{
	fixture f;
	char err[256];
	fixture_init(&f);
	f.vdaf.field = 96;
	cr_assert_eq(validate(&f, err, sizeof err), SG_ERR_PARAM);
	cr_assert_str_eq(err, "vdaf.field: 96; 64 or 128");
}

/* The Prio3 parameters carry each category's bound, in order, and a
 * measurement over its own category's bound is refused. */
Test(task_vdaf, params_carry_each_category_bound)
{
	fixture f;
	sg_prio3_params pp;
	uint64_t *bounds;
	sg_prio3 *p;
	fixture_init(&f);
	cr_assert_eq(sg_task_vdaf_params(&pp, &bounds, &f.body), 0);
	cr_assert_eq(pp.circuit, SG_PRIO3_BOUNDED_SUMVEC);
	cr_assert_eq(pp.algorithm_id, SG_PRIO3_BOUNDED_SUMVEC_ID);
	cr_assert_eq(pp.shares, 3);
	cr_assert_eq(pp.max_measurements_len, 3);
	cr_assert_eq(pp.max_measurements[0], 65535);
	cr_assert_eq(pp.max_measurements[1], 100000);
	cr_assert_eq(pp.max_measurements[2], 50);
	cr_assert_eq(sg_prio3_new(&p, &pp), 0);
	free(bounds);
	size_t n = 3;
	uint8_t *pub = malloc(sg_prio3_public_share_bytes(p)), *in[3], nonce[16] = { 0 };
	for (unsigned j = 0; j < n; j++)
		in[j] = malloc(sg_prio3_input_share_bytes(p, j));
	const uint64_t over[3] = { 0, 0, 51 }, ok[3] = { 65535, 100000, 50 };
	cr_assert_eq(sg_prio3_shard_random(p, pub, in, NULL, 0, over, 3, nonce), SG_ERR_MEASUREMENT);
	cr_assert_eq(sg_prio3_shard_random(p, pub, in, NULL, 0, ok, 3, nonce), 0);
	for (unsigned j = 0; j < n; j++)
		free(in[j]);
	free(pub);
	sg_prio3_free(p);
	equal_bounds(&f);
	f.vdaf.algorithm_id = SG_TASK_ALGORITHM_SUMVEC;
	cr_assert_eq(sg_task_vdaf_params(&pp, &bounds, &f.body), 0);
	cr_assert_eq(pp.circuit, SG_PRIO3_SUMVEC);
	cr_assert_eq(pp.algorithm_id, 3);
	cr_assert_null(bounds);
}
