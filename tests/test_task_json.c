/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <sodium.h>

#include "core/task.h"
#include "edge/task_json.h"
#include "spillguard/err.h"
#include "util/z85.h"

typedef struct keys {
	char ent[3][64], sign[3][64], hpke[3][64], curve[3][48];
	uint8_t auth_pk[32], auth_sk[64];
	char auth_b64[64];
} keys;

static void b64(char *out, size_t len, const uint8_t *k)
{
	sodium_bin2base64(out, len, k, 32, sodium_base64_VARIANT_ORIGINAL);
}

static void make_keys(keys *k)
{
	uint8_t raw[32];
	cr_assert_eq(sodium_init() < 0, 0);
	for (int i = 0; i < 3; i++) {
		randombytes_buf(raw, 32);
		b64(k->ent[i], sizeof k->ent[i], raw);
		randombytes_buf(raw, 32);
		b64(k->sign[i], sizeof k->sign[i], raw);
		randombytes_buf(raw, 32);
		b64(k->hpke[i], sizeof k->hpke[i], raw);
		randombytes_buf(raw, 32);
		sg_z85_encode(k->curve[i], raw, 32);
	}
	crypto_sign_keypair(k->auth_pk, k->auth_sk);
	b64(k->auth_b64, sizeof k->auth_b64, k->auth_pk);
}

/* The worked example of docs/task-format.md, with fresh keys; `extra` is
 * spliced in as additional top-level fields, `cat1` replaces the second
 * category. */
static char *doc(const keys *k, const char *extra, const char *cat1)
{
	char *s = malloc(8192);
	cr_assert_not_null(s);
	snprintf(s, 8192,
		 "{\n"
		 "  \"name\": \"Machining and textiles, Q4 2026\",\n"
		 "  \"categories\": [\n"
		 "    {\"name\": \"process engineering\", \"max\": \"655.35\", \"decimals\": 2},\n"
		 "    %s,\n"
		 "    {\"name\": \"quality\", \"max\": 100, \"decimals\": 0}\n"
		 "  ],\n"
		 "  \"industries\": [{\"id\": 1, \"name\": \"machining\"}, {\"id\": 2, \"name\": \"textiles\"}],\n"
		 "  \"roster\": [\n"
		 "    {\"enterprise\": \"acme-gears\", \"industry\": 1, \"sign_pk\": \"%s\"},\n"
		 "    {\"enterprise\": \"bolt-works\", \"industry\": 1, \"sign_pk\": \"%s\"},\n"
		 "    {\"enterprise\": \"loom-and-co\", \"industry\": 2, \"sign_pk\": \"%s\"}\n"
		 "  ],\n"
		 "  \"aggregators\": [\n"
		 "    {\"operator\": \"University institute\", \"endpoint\": \"tcp://127.0.0.1:7101\", \"curve_pk\": \"%s\", \"hpke_pk\": \"%s\", \"sign_pk\": \"%s\"},\n"
		 "    {\"operator\": \"Trade association\", \"endpoint\": \"tcp://127.0.0.1:7102\", \"curve_pk\": \"%s\", \"hpke_pk\": \"%s\", \"sign_pk\": \"%s\"}\n"
		 "  ],\n"
		 "  \"min_batch\": 2,\n"
		 "  \"opens_at\": \"2026-12-01T00:00:00Z\",\n"
		 "  \"closes_at\": 1798761600%s\n"
		 "}\n",
		 cat1 ? cat1 : "{\"name\": \"tooling\", \"max\": 1000, \"decimals\": 0}", k->ent[0],
		 k->ent[1], k->ent[2], k->curve[0], k->hpke[0], k->sign[0], k->curve[1], k->hpke[1],
		 k->sign[1], extra ? extra : "");
	return s;
}

Test(task_json, worked_example_builds_a_signed_task)
{
	keys k;
	make_keys(&k);
	char *json = doc(&k, NULL, NULL), err[256] = "";
	uint8_t *body, *task;
	size_t blen, tlen;
	cr_assert_eq(sg_task_json_to_body(&body, &blen, json, strlen(json), k.auth_pk, err, sizeof err), 0,
		     "%s", err);
	cr_assert_eq(sg_task_sign(&task, &tlen, body, blen, k.auth_sk), 0);
	sg_task *t;
	cr_assert_eq(sg_task_open(&t, task, tlen, k.auth_pk, err, sizeof err), 0, "%s", err);
	const Spillguard__TaskBody *b = t->body;
	cr_assert_eq(b->n_categories, 3);
	cr_assert_eq(b->categories[0]->max_measurement, 65535);
	cr_assert_eq(b->categories[0]->decimals, 2);
	cr_assert_eq(b->categories[1]->max_measurement, 1000);
	cr_assert_eq(b->vdaf->length, 3);
	cr_assert_eq(b->vdaf->max_measurement, 65535);
	cr_assert_gt(b->vdaf->chunk_length, 0);
	cr_assert_eq(b->opens_at, 1796083200);
	cr_assert_eq(b->closes_at, 1798761600);
	cr_assert_eq(b->n_roster, 3);
	cr_assert_str_eq(b->roster[2]->enterprise_id, "loom-and-co");
	cr_assert_eq(b->roster[2]->industry, 2);
	cr_assert_eq(b->n_aggregators, 2);
	cr_assert_str_eq(b->aggregators[1]->endpoint, "tcp://127.0.0.1:7102");
	cr_assert_arr_eq(b->authority_pk.data, k.auth_pk, 32);
	sg_task_free(t);
	free(task);
	free(body);
	free(json);
}

static void expect_error(const keys *k, const char *extra, const char *cat1, const char *want)
{
	char *json = doc(k, extra, cat1), err[256] = "";
	uint8_t *body;
	size_t blen;
	int ret = sg_task_json_to_body(&body, &blen, json, strlen(json), k->auth_pk, err, sizeof err);
	cr_assert_neq(ret, 0, "accepted with %s %s", extra ? extra : "", cat1 ? cat1 : "");
	cr_assert_null(body);
	cr_assert(strstr(err, want) != NULL, "'%s' does not mention '%s'", err, want);
	free(json);
}

Test(task_json, every_bad_field_is_named)
{
	keys k;
	make_keys(&k);
	expect_error(&k, ", \"min_bach\": 3", NULL, "task: unknown field 'min_bach'");
	expect_error(&k, ", \"vdaf\": {\"chunk\": 3}", NULL, "vdaf: unknown field 'chunk'");
	expect_error(&k, NULL, "{\"name\": \"tooling\", \"max\": \"1.5\", \"decimals\": 0}",
		     "categories[1].max: '1.5': more decimal places");
	expect_error(&k, NULL, "{\"name\": \"tooling\", \"max\": -1, \"decimals\": 0}",
		     "categories[1].max");
	expect_error(&k, NULL, "{\"name\": \"tooling\", \"decimals\": 0}", "categories[1].max: missing");
	expect_error(&k, NULL, "{\"name\": \"tooling\", \"max\": 5, \"decimals\": 19}",
		     "categories[1].decimals");
	expect_error(&k, NULL, "{\"name\": \"quality\", \"max\": 5, \"decimals\": 0}",
		     "categories[2].name: 'quality' repeats categories[1]");
	expect_error(&k, NULL, "{\"name\": \"tooling\", \"max\": 5, \"decimals\": 0, \"unit\": \"h\"}",
		     "categories[1]: unknown field 'unit'");
	expect_error(&k, ", \"dp\": {\"sigma_milli\": \"x\"}", NULL, "dp.sigma_milli");
	expect_error(&k, ", \"authority_pk\": \"AAAA\"", NULL, "task.authority_pk: not a 32-byte key");
	expect_error(&k, ", \"vdaf\": {\"field\": 99}", NULL, "vdaf");
}

Test(task_json, times_and_keys)
{
	uint64_t t;
	cr_assert_eq(sg_parse_utc(&t, "2026-12-01T00:00:00Z", 20), 0);
	cr_assert_eq(t, 1796083200);
	cr_assert_eq(sg_parse_utc(&t, "2000-02-29T12:34:56Z", 20), 0);
	cr_assert_eq(t, 951827696);
	cr_assert_eq(sg_parse_utc(&t, "2100-03-01T00:00:00Z", 20), 0);
	cr_assert_eq(t, 4107542400ULL);
	const char *bad[] = { "2026-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-12-01T24:00:00Z",
			      "2026-12-01 00:00:00Z", "2026-12-01T00:00:00", "2026-12-01T00:00:00+01:00",
			      "1969-12-31T23:59:59Z", "2026-12-01T00:00:60Z" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		cr_assert_eq(sg_parse_utc(&t, bad[i], strlen(bad[i])), -1, "%s", bad[i]);
}

/* Categories with different bounds get Prio3BoundedSumVec, its id named in
 * the signed VdafParams (Field64's when the task asks for Field64). */
Test(task_json, differing_bounds_get_the_bounded_circuit)
{
	keys k;
	make_keys(&k);
	const char *extras[] = { NULL, ", \"vdaf\": {\"field\": 64, \"proofs\": 2}" };
	const uint32_t ids[] = { SG_PRIO3_BOUNDED_SUMVEC_ID, SG_PRIO3_BOUNDED_SUMVEC_MULTIPROOF_ID };
	for (int i = 0; i < 2; i++) {
		char *json = doc(&k, extras[i], NULL), err[256] = "";
		uint8_t *body;
		size_t blen;
		cr_assert_eq(sg_task_json_to_body(&body, &blen, json, strlen(json), k.auth_pk, err,
						  sizeof err),
			     0, "%s", err);
		Spillguard__TaskBody *b = spillguard__task_body__unpack(NULL, blen, body);
		cr_assert_not_null(b);
		cr_assert_eq(b->vdaf->algorithm_id, ids[i], "got 0x%08X", b->vdaf->algorithm_id);
		cr_assert_eq(b->vdaf->max_measurement, 65535);
		cr_assert_gt(b->vdaf->chunk_length, 0);
		spillguard__task_body__free_unpacked(b, NULL);
		free(body);
		free(json);
	}
}
