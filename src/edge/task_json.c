/* SPDX-License-Identifier: Apache-2.0 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/fixed.h"
#include "core/task.h"
#include "edge/task_json.h"
#include "spillguard/err.h"
#include "spillguard/prio3.h"
#include "util/json.h"
#include "util/z85.h"

#define KEY_BYTES 32

/* Everything the body points into, freed together. */
typedef struct build {
	Spillguard__TaskBody body;
	Spillguard__Category *cat, **cats;
	Spillguard__Industry *ind, **inds;
	Spillguard__RosterEntry *ros, **roster;
	Spillguard__AggregatorInfo *agg, **aggs;
	Spillguard__VdafParams vdaf;
	Spillguard__DpParams dp;
	uint8_t (*keys)[KEY_BYTES]; /* decoded keys, in order of use */
	size_t nkeys, keys_cap;
	uint8_t authority[KEY_BYTES];
	char *err;
	size_t err_len;
} build;

__attribute__((format(printf, 2, 3))) static int bad(build *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(b->err, b->err_len, fmt, ap);
	va_end(ap);
	return SG_ERR_PARAM;
}

/* Every key of obj must be one of `allowed` (NULL-terminated). */
static int only_keys(build *b, const sg_json *obj, const char *path, const char *const *allowed)
{
	if (sg_json_type_of(obj) != SG_JSON_OBJECT)
		return bad(b, "%s: expected an object", path);
	for (size_t i = 0; i < sg_json_len(obj); i++) {
		const char *k = sg_json_key_at(obj, i);
		bool ok = false;
		for (const char *const *a = allowed; *a && !ok; a++)
			ok = strcmp(k, *a) == 0;
		if (!ok)
			return bad(b, "%s: unknown field '%s'", path, k);
	}
	return 0;
}

static int get_string(build *b, const sg_json *obj, const char *key, const char *path, char **out)
{
	size_t n;
	const char *s = sg_json_str(sg_json_get(obj, key), &n);
	if (s == NULL)
		return bad(b, "%s.%s: missing or not a string", path, key);
	if (strlen(s) != n)
		return bad(b, "%s.%s: contains a NUL character", path, key);
	*out = (char *)s; /* lives as long as the document */
	return 0;
}

static int get_u64(build *b, const sg_json *obj, const char *key, const char *path, uint64_t *out,
		   uint64_t max)
{
	const sg_json *v = sg_json_get(obj, key);
	if (!sg_json_u64(v, out) || *out > max)
		return bad(b, "%s.%s: expected a whole number from 0 to %llu", path, key,
			   (unsigned long long)max);
	return 0;
}

static uint8_t *next_key(build *b)
{
	return b->nkeys < b->keys_cap ? b->keys[b->nkeys++] : NULL;
}

/* A 32-byte key as base64 (Ed25519, HPKE) or Z85 (CURVE). */
static int get_key(build *b, const sg_json *obj, const char *key, const char *path, bool z85,
		   ProtobufCBinaryData *out)
{
	char *s;
	size_t n = 0;
	uint8_t *k = next_key(b);
	int ret = get_string(b, obj, key, path, &s);
	if (ret != 0)
		return ret;
	if (k == NULL)
		return SG_ERR_NOMEM;
	if (z85)
		ret = sg_z85_decode(k, KEY_BYTES, &n, s, strlen(s));
	else
		ret = sodium_base642bin(k, KEY_BYTES, s, strlen(s), NULL, &n, NULL,
					sodium_base64_VARIANT_ORIGINAL);
	if (ret != 0 || n != KEY_BYTES)
		return bad(b, "%s.%s: not a 32-byte key in %s", path, key, z85 ? "Z85" : "base64");
	*out = (ProtobufCBinaryData){ KEY_BYTES, k };
	return 0;
}

static const sg_json *get_array(build *b, const sg_json *doc, const char *key, int *ret)
{
	const sg_json *a = sg_json_get(doc, key);
	*ret = sg_json_type_of(a) == SG_JSON_ARRAY ? 0 : bad(b, "%s: missing or not an array", key);
	return a;
}

/* "max" is a decimal in the category's units, as text or a JSON number. */
static int category(build *b, const sg_json *c, size_t i, Spillguard__Category *out)
{
	static const char *const keys[] = { "name", "max", "decimals", NULL };
	char path[48];
	uint64_t dec;
	snprintf(path, sizeof path, "categories[%zu]", i);
	*out = (Spillguard__Category)SPILLGUARD__CATEGORY__INIT;
	int ret = only_keys(b, c, path, keys);
	if (ret == 0)
		ret = get_string(b, c, "name", path, &out->name);
	if (ret == 0)
		ret = get_u64(b, c, "decimals", path, &dec, SG_FIXED_MAX_DECIMALS);
	if (ret != 0)
		return ret;
	out->decimals = (uint32_t)dec;
	const sg_json *m = sg_json_get(c, "max");
	size_t n = 0;
	const char *text = sg_json_type_of(m) == SG_JSON_NUMBER ? sg_json_num_text(m)
							       : sg_json_str(m, &n);
	if (text == NULL)
		return bad(b, "%s.max: missing; the largest value of the category", path);
	enum sg_fixed_status st =
		sg_fixed_parse(&out->max_measurement, text, strlen(text), out->decimals, UINT64_MAX);
	if (st != SG_FIXED_OK)
		return bad(b, "%s.max: '%s': %s", path, text, sg_fixed_strerror(st));
	return 0;
}

static int industry(build *b, const sg_json *v, size_t i, Spillguard__Industry *out)
{
	static const char *const keys[] = { "id", "name", NULL };
	char path[48];
	uint64_t id = 0;
	snprintf(path, sizeof path, "industries[%zu]", i);
	*out = (Spillguard__Industry)SPILLGUARD__INDUSTRY__INIT;
	int ret = only_keys(b, v, path, keys);
	if (ret == 0)
		ret = get_u64(b, v, "id", path, &id, UINT32_MAX);
	if (ret == 0)
		ret = get_string(b, v, "name", path, &out->name);
	out->id = (uint32_t)id;
	return ret;
}

static int enterprise(build *b, const sg_json *v, size_t i, Spillguard__RosterEntry *out)
{
	static const char *const keys[] = { "enterprise", "industry", "sign_pk", NULL };
	char path[48];
	uint64_t ind = 0;
	snprintf(path, sizeof path, "roster[%zu]", i);
	*out = (Spillguard__RosterEntry)SPILLGUARD__ROSTER_ENTRY__INIT;
	int ret = only_keys(b, v, path, keys);
	if (ret == 0)
		ret = get_string(b, v, "enterprise", path, &out->enterprise_id);
	if (ret == 0)
		ret = get_u64(b, v, "industry", path, &ind, UINT32_MAX);
	if (ret == 0)
		ret = get_key(b, v, "sign_pk", path, false, &out->sign_pk);
	out->industry = (uint32_t)ind;
	return ret;
}

static int aggregator(build *b, const sg_json *v, size_t i, Spillguard__AggregatorInfo *out)
{
	static const char *const keys[] = { "operator", "endpoint", "curve_pk", "hpke_pk",
					    "sign_pk", "key_id", NULL };
	char path[48];
	snprintf(path, sizeof path, "aggregators[%zu]", i);
	*out = (Spillguard__AggregatorInfo)SPILLGUARD__AGGREGATOR_INFO__INIT;
	int ret = only_keys(b, v, path, keys);
	if (ret == 0)
		ret = get_string(b, v, "operator", path, &out->operator_name);
	if (ret == 0)
		ret = get_string(b, v, "endpoint", path, &out->endpoint);
	if (ret == 0)
		ret = get_key(b, v, "curve_pk", path, true, &out->curve_pk);
	if (ret == 0)
		ret = get_key(b, v, "hpke_pk", path, false, &out->hpke_pk);
	if (ret == 0)
		ret = get_key(b, v, "sign_pk", path, false, &out->sign_pk);
	return ret;
}

/* Allocates n structs and n pointers to them. */
static int alloc_list(void **items, void ***ptrs, size_t n, size_t size)
{
	*items = calloc(n + 1, size);
	*ptrs = calloc(n + 1, sizeof(void *));
	if (*items == NULL || *ptrs == NULL)
		return SG_ERR_NOMEM;
	for (size_t i = 0; i < n; i++)
		(*ptrs)[i] = (char *)*items + i * size;
	return 0;
}

static int lists(build *b, const sg_json *doc)
{
	int ret;
	const sg_json *c = get_array(b, doc, "categories", &ret), *ind = NULL, *ros = NULL,
		      *agg = NULL;
	if (ret == 0)
		ind = get_array(b, doc, "industries", &ret);
	if (ret == 0)
		ros = get_array(b, doc, "roster", &ret);
	if (ret == 0)
		agg = get_array(b, doc, "aggregators", &ret);
	if (ret != 0)
		return ret;
	size_t nc = sg_json_len(c), ni = sg_json_len(ind), nr = sg_json_len(ros), na = sg_json_len(agg);
	b->keys_cap = nr + 3 * na + 1;
	b->keys = calloc(b->keys_cap, sizeof *b->keys);
	if (b->keys == NULL || alloc_list((void **)&b->cat, (void ***)&b->cats, nc, sizeof *b->cat) ||
	    alloc_list((void **)&b->ind, (void ***)&b->inds, ni, sizeof *b->ind) ||
	    alloc_list((void **)&b->ros, (void ***)&b->roster, nr, sizeof *b->ros) ||
	    alloc_list((void **)&b->agg, (void ***)&b->aggs, na, sizeof *b->agg))
		return SG_ERR_NOMEM;
	for (size_t i = 0; ret == 0 && i < nc; i++)
		ret = category(b, sg_json_at(c, i), i, &b->cat[i]);
	for (size_t i = 0; ret == 0 && i < ni; i++)
		ret = industry(b, sg_json_at(ind, i), i, &b->ind[i]);
	for (size_t i = 0; ret == 0 && i < nr; i++)
		ret = enterprise(b, sg_json_at(ros, i), i, &b->ros[i]);
	for (size_t i = 0; ret == 0 && i < na; i++)
		ret = aggregator(b, sg_json_at(agg, i), i, &b->agg[i]);
	b->body.n_categories = nc;
	b->body.categories = b->cats;
	b->body.n_industries = ni;
	b->body.industries = b->inds;
	b->body.n_roster = nr;
	b->body.roster = b->roster;
	b->body.n_aggregators = na;
	b->body.aggregators = b->aggs;
	return ret;
}

static int get_time(build *b, const sg_json *doc, const char *key, uint64_t *out)
{
	const sg_json *v = sg_json_get(doc, key);
	size_t n;
	const char *s = sg_json_str(v, &n);
	if (sg_json_u64(v, out) || (s != NULL && sg_parse_utc(out, s, n) == 0))
		return 0;
	return bad(b, "%s: expected seconds since the epoch or a UTC time like "
		      "\"2026-12-01T00:00:00Z\"", key);
}

/* vdaf is optional: SumVec over the categories when they share one bound,
 * else BoundedSumVec with each category's own (sg_task_vdaf_algorithm);
 * Field128, one proof, the library's chunk length; "chunk_length", "field"
 * and "proofs" override. */
static int vdaf(build *b, const sg_json *doc)
{
	static const char *const keys[] = { "chunk_length", "field", "proofs", NULL };
	const sg_json *v = sg_json_get(doc, "vdaf");
	uint64_t field = 128, proofs = 1, chunk = 0, max = 0;
	int ret = 0;
	if (v != NULL) {
		ret = only_keys(b, v, "vdaf", keys);
		if (ret == 0 && sg_json_get(v, "field"))
			ret = get_u64(b, v, "field", "vdaf", &field, 128);
		if (ret == 0 && sg_json_get(v, "proofs"))
			ret = get_u64(b, v, "proofs", "vdaf", &proofs, 255);
		if (ret == 0 && sg_json_get(v, "chunk_length"))
			ret = get_u64(b, v, "chunk_length", "vdaf", &chunk, UINT32_MAX);
	}
	for (size_t i = 0; i < b->body.n_categories; i++)
		if (b->cat[i].max_measurement > max)
			max = b->cat[i].max_measurement;
	b->vdaf = (Spillguard__VdafParams)SPILLGUARD__VDAF_PARAMS__INIT;
	b->vdaf.algorithm_id = sg_task_vdaf_algorithm(&b->body, (uint32_t)field);
	b->vdaf.field = (uint32_t)field;
	b->vdaf.proofs = (uint32_t)proofs;
	b->vdaf.length = b->body.n_categories;
	b->vdaf.max_measurement = max;
	b->body.vdaf = &b->vdaf;
	if (ret == 0 && chunk == 0) {
		sg_prio3_params pp;
		uint64_t *bounds;
		ret = sg_task_vdaf_params(&pp, &bounds, &b->body);
		chunk = ret == 0 ? sg_prio3_default_chunk_length(&pp) : 0;
		free(bounds);
	}
	b->vdaf.chunk_length = chunk;
	return ret;
}

static int top(build *b, const sg_json *doc, const uint8_t *authority_pk)
{
	static const char *const keys[] = { "name", "categories", "industries", "roster",
					    "aggregators", "min_batch", "opens_at", "closes_at",
					    "vdaf", "dp", "authority_pk", NULL };
	uint64_t min_batch = 0, sigma = 0;
	int ret = only_keys(b, doc, "task", keys);
	if (ret == 0)
		ret = get_string(b, doc, "name", "task", &b->body.name);
	if (ret == 0)
		ret = lists(b, doc);
	if (ret == 0)
		ret = get_u64(b, doc, "min_batch", "task", &min_batch, UINT32_MAX);
	if (ret == 0)
		ret = get_time(b, doc, "opens_at", &b->body.opens_at);
	if (ret == 0)
		ret = get_time(b, doc, "closes_at", &b->body.closes_at);
	if (ret == 0)
		ret = vdaf(b, doc);
	if (ret == 0 && sg_json_get(doc, "dp") != NULL) {
		static const char *const dp_keys[] = { "sigma_milli", NULL };
		ret = only_keys(b, sg_json_get(doc, "dp"), "dp", dp_keys);
		if (ret == 0)
			ret = get_u64(b, sg_json_get(doc, "dp"), "sigma_milli", "dp", &sigma, UINT32_MAX);
	}
	if (ret != 0)
		return ret;
	b->body.version = SG_TASK_VERSION;
	b->body.min_batch = (uint32_t)min_batch;
	b->dp = (Spillguard__DpParams)SPILLGUARD__DP_PARAMS__INIT;
	b->dp.sigma_milli = sigma;
	b->body.dp = &b->dp;
	memcpy(b->authority, authority_pk, KEY_BYTES);
	b->body.authority_pk = (ProtobufCBinaryData){ KEY_BYTES, b->authority };
	if (sg_json_get(doc, "authority_pk") != NULL) {
		ProtobufCBinaryData given;
		ret = get_key(b, doc, "authority_pk", "task", false, &given);
		if (ret == 0 && sodium_memcmp(given.data, authority_pk, KEY_BYTES) != 0)
			ret = bad(b, "authority_pk: differs from the key signing the task");
	}
	return ret;
}

static void build_free(build *b)
{
	free(b->cat);
	free(b->cats);
	free(b->ind);
	free(b->inds);
	free(b->ros);
	free(b->roster);
	free(b->agg);
	free(b->aggs);
	free(b->keys);
}

int sg_task_json_to_body(uint8_t **out, size_t *out_len, const char *json, size_t json_len,
			 const uint8_t *authority_pk, char *err, size_t err_len)
{
	sg_json *doc = NULL;
	build b = { .body = SPILLGUARD__TASK_BODY__INIT, .err = err, .err_len = err_len };
	*out = NULL;
	*out_len = 0;
	int ret = sg_json_parse(&doc, json, json_len, err, err_len);
	if (ret == 0)
		ret = top(&b, doc, authority_pk);
	if (ret == 0)
		ret = sg_task_validate(&b.body, err, err_len);
	if (ret == 0) {
		size_t n = spillguard__task_body__get_packed_size(&b.body);
		*out = malloc(n + 1);
		ret = *out ? 0 : SG_ERR_NOMEM;
		if (ret == 0)
			*out_len = spillguard__task_body__pack(&b.body, *out);
	}
	build_free(&b);
	sg_json_free(doc);
	return ret;
}

static bool digits_at(const char *s, size_t n, uint64_t *v)
{
	*v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		*v = *v * 10 + (uint64_t)(s[i] - '0');
	}
	return true;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int sg_parse_utc(uint64_t *out, const char *s, size_t len)
{
	static const unsigned mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	uint64_t y, mo, d, h, mi, se;
	*out = 0;
	if (len != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
	    s[16] != ':' || s[19] != 'Z')
		return -1;
	if (!digits_at(s, 4, &y) || !digits_at(s + 5, 2, &mo) || !digits_at(s + 8, 2, &d) ||
	    !digits_at(s + 11, 2, &h) || !digits_at(s + 14, 2, &mi) || !digits_at(s + 17, 2, &se))
		return -1;
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] ||
	    (mo == 2 && d == 29 && !leap) || h > 23 || mi > 59 || se > 59)
		return -1;
	int64_t days = days_from_civil((int64_t)y, (unsigned)mo, (unsigned)d);
	*out = (uint64_t)days * 86400 + h * 3600 + mi * 60 + se;
	return 0;
}
