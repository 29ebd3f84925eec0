/* SPDX-License-Identifier: Apache-2.0 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/fixed.h"
#include "core/signed.h"
#include "core/task.h"
#include "spillguard/err.h"
#include "spillguard/prio3.h"

#define KEY_BYTES 32
#define MAX_NAME 200

__attribute__((format(printf, 3, 4))) static int bad(char *err, size_t err_len, const char *fmt,
						     ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, err_len, fmt, ap);
	va_end(ap);
	return SG_ERR_PARAM;
}

static bool name_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	return n > 0 && n <= MAX_NAME;
}

static int check_categories(const Spillguard__TaskBody *t, char *err, size_t err_len)
{
	if (t->n_categories == 0 || t->n_categories > SG_TASK_MAX_CATEGORIES)
		return bad(err, err_len, "categories: between 1 and %d needed, found %zu",
			   SG_TASK_MAX_CATEGORIES, t->n_categories);
	for (size_t i = 0; i < t->n_categories; i++) {
		const Spillguard__Category *c = t->categories[i];
		if (!name_ok(c->name))
			return bad(err, err_len, "categories[%zu].name: empty or longer than %d", i,
				   MAX_NAME);
		if (c->decimals > 18)
			return bad(err, err_len, "categories[%zu].decimals: %u is more than 18", i,
				   c->decimals);
		if (c->max_measurement == 0)
			return bad(err, err_len, "categories[%zu].max_measurement: must be positive", i);
		for (size_t j = 0; j < i; j++)
			if (strcmp(t->categories[j]->name, c->name) == 0)
				return bad(err, err_len, "categories[%zu].name: '%s' repeats categories[%zu]",
					   i, c->name, j);
	}
	return 0;
}

long sg_task_industry_index(const Spillguard__TaskBody *t, uint32_t id)
{
	for (size_t i = 0; i < t->n_industries; i++)
		if (t->industries[i]->id == id)
			return (long)i;
	return -1;
}

static bool industry_exists(const Spillguard__TaskBody *t, uint32_t id)
{
	return sg_task_industry_index(t, id) >= 0;
}

static int check_industries(const Spillguard__TaskBody *t, char *err, size_t err_len)
{
	if (t->n_industries == 0)
		return bad(err, err_len, "industries: at least one needed");
	for (size_t i = 0; i < t->n_industries; i++) {
		if (!name_ok(t->industries[i]->name))
			return bad(err, err_len, "industries[%zu].name: empty or longer than %d", i,
				   MAX_NAME);
		for (size_t j = 0; j < i; j++)
			if (t->industries[j]->id == t->industries[i]->id)
				return bad(err, err_len, "industries[%zu].id: %u repeats industries[%zu]", i,
					   t->industries[i]->id, j);
	}
	return 0;
}

/* Roster positions sorted by enterprise id (cmp_id) or by key (cmp_key),
 * ties by position: a city's roster has thousands of entries, so lookups
 * and the repeat checks are by sorting, not by pairs. */
typedef struct roster_ref {
	const Spillguard__RosterEntry *e;
	size_t i;
} roster_ref;

static int cmp_pos(const roster_ref *a, const roster_ref *b)
{
	return a->i < b->i ? -1 : a->i > b->i;
}

static int cmp_id(const void *x, const void *y)
{
	int c = strcmp(((const roster_ref *)x)->e->enterprise_id,
		       ((const roster_ref *)y)->e->enterprise_id);
	return c != 0 ? c : cmp_pos(x, y);
}

static int cmp_key(const void *x, const void *y)
{
	/* public keys: an ordinary comparison */
	int c = memcmp(((const roster_ref *)x)->e->sign_pk.data,
		       ((const roster_ref *)y)->e->sign_pk.data, KEY_BYTES);
	return c != 0 ? c : cmp_pos(x, y);
}

static roster_ref *roster_sorted(const Spillguard__TaskBody *t,
				 int (*cmp)(const void *, const void *))
{
	roster_ref *r = malloc((t->n_roster + 1) * sizeof *r);
	if (r == NULL)
		return NULL;
	for (size_t i = 0; i < t->n_roster; i++)
		r[i] = (roster_ref){ t->roster[i], i };
	qsort(r, t->n_roster, sizeof *r, cmp);
	return r;
}

/* The repeat whose later position is first: *later, *earlier; false when
 * no two neighbours in the sorted refs are equal under cmp. */
static bool first_repeat(const roster_ref *r, size_t n, int (*same)(const roster_ref *,
								     const roster_ref *),
			 size_t *later, size_t *earlier)
{
	bool found = false;
	for (size_t k = 1; k < n; k++)
		if (same(&r[k - 1], &r[k]) && (!found || r[k].i < *later)) {
			found = true;
			*later = r[k].i;
			*earlier = r[k - 1].i;
			while (k + 1 < n && same(&r[k], &r[k + 1]))
				k++; /* the group's first two are its first repeat */
		}
	return found;
}

static int same_id(const roster_ref *a, const roster_ref *b)
{
	return strcmp(a->e->enterprise_id, b->e->enterprise_id) == 0;
}

static int same_key(const roster_ref *a, const roster_ref *b)
{
	return memcmp(a->e->sign_pk.data, b->e->sign_pk.data, KEY_BYTES) == 0;
}

static int check_repeats(const Spillguard__TaskBody *t, char *err, size_t err_len)
{
	size_t later = 0, earlier = 0;
	roster_ref *r = roster_sorted(t, cmp_id);
	if (r == NULL)
		return SG_ERR_NOMEM;
	int ret = 0;
	if (first_repeat(r, t->n_roster, same_id, &later, &earlier))
		ret = bad(err, err_len, "roster[%zu].enterprise_id: '%s' repeats roster[%zu]", later,
			  t->roster[later]->enterprise_id, earlier);
	free(r);
	if (ret != 0 || (r = roster_sorted(t, cmp_key)) == NULL)
		return ret != 0 ? ret : SG_ERR_NOMEM;
	if (first_repeat(r, t->n_roster, same_key, &later, &earlier))
		ret = bad(err, err_len, "roster[%zu].sign_pk: same key as roster[%zu]", later,
			  earlier);
	free(r);
	return ret;
}

static int check_roster(const Spillguard__TaskBody *t, char *err, size_t err_len)
{
	for (size_t i = 0; i < t->n_roster; i++) {
		const Spillguard__RosterEntry *e = t->roster[i];
		if (!name_ok(e->enterprise_id))
			return bad(err, err_len, "roster[%zu].enterprise_id: empty or longer than %d", i,
				   MAX_NAME);
		if (!industry_exists(t, e->industry))
			return bad(err, err_len, "roster[%zu].industry: %u is not among the industries", i,
				   e->industry);
		if (e->sign_pk.len != KEY_BYTES)
			return bad(err, err_len, "roster[%zu].sign_pk: %zu bytes, expected %d", i,
				   e->sign_pk.len, KEY_BYTES);
	}
	return check_repeats(t, err, err_len);
}

static int check_aggregators(const Spillguard__TaskBody *t, char *err, size_t err_len)
{
	if (t->n_aggregators < 2 || t->n_aggregators > 255)
		return bad(err, err_len, "aggregators: between 2 and 255 needed, found %zu",
			   t->n_aggregators);
	for (size_t i = 0; i < t->n_aggregators; i++) {
		const Spillguard__AggregatorInfo *a = t->aggregators[i];
		if (!name_ok(a->operator_name))
			return bad(err, err_len, "aggregators[%zu].operator_name: empty", i);
		if (!name_ok(a->endpoint))
			return bad(err, err_len, "aggregators[%zu].endpoint: empty", i);
		const ProtobufCBinaryData *keys[] = { &a->curve_pk, &a->hpke_pk, &a->sign_pk };
		const char *names[] = { "curve_pk", "hpke_pk", "sign_pk" };
		for (size_t k = 0; k < 3; k++)
			if (keys[k]->len != KEY_BYTES)
				return bad(err, err_len, "aggregators[%zu].%s: %zu bytes, expected %d", i,
					   names[k], keys[k]->len, KEY_BYTES);
	}
	return 0;
}

/* Whether every category has the same max_measurement. */
static bool bounds_equal(const Spillguard__TaskBody *t)
{
	for (size_t i = 1; i < t->n_categories; i++)
		if (t->categories[i]->max_measurement != t->categories[0]->max_measurement)
			return false;
	return true;
}

static uint64_t largest_bound(const Spillguard__TaskBody *t)
{
	uint64_t max = 0;
	for (size_t i = 0; i < t->n_categories; i++)
		if (t->categories[i]->max_measurement > max)
			max = t->categories[i]->max_measurement;
	return max;
}

uint32_t sg_task_vdaf_algorithm(const Spillguard__TaskBody *t, uint32_t field)
{
	if (bounds_equal(t))
		return SG_TASK_ALGORITHM_SUMVEC;
	return field == 64 ? SG_PRIO3_BOUNDED_SUMVEC_MULTIPROOF_ID : SG_PRIO3_BOUNDED_SUMVEC_ID;
}

static bool is_bounded(uint32_t algorithm_id)
{
	return algorithm_id == SG_PRIO3_BOUNDED_SUMVEC_ID ||
	       algorithm_id == SG_PRIO3_BOUNDED_SUMVEC_MULTIPROOF_ID;
}

int sg_task_vdaf_params(sg_prio3_params *pp, uint64_t **bounds, const Spillguard__TaskBody *t)
{
	const Spillguard__VdafParams *v = t->vdaf;
	bool bounded = is_bounded(v->algorithm_id);
	*bounds = NULL;
	sg_prio3_params_standard(pp, bounded ? SG_PRIO3_BOUNDED_SUMVEC : SG_PRIO3_SUMVEC,
				 (unsigned)t->n_aggregators);
	pp->field = v->field == 64 ? SG_PRIO3_FIELD64 : SG_PRIO3_FIELD128;
	pp->proofs = v->proofs;
	pp->length = v->length;
	pp->max_measurement = v->max_measurement;
	pp->chunk_length = v->chunk_length;
	if (!bounded)
		return 0;
	pp->algorithm_id = v->algorithm_id;
	*bounds = malloc((t->n_categories ? t->n_categories : 1) * sizeof **bounds);
	if (*bounds == NULL)
		return SG_ERR_NOMEM;
	for (size_t i = 0; i < t->n_categories; i++)
		(*bounds)[i] = t->categories[i]->max_measurement;
	pp->max_measurements = *bounds;
	pp->max_measurements_len = t->n_categories;
	return 0;
}

/* The algorithm the categories call for, named in an error. */
static int wrong_algorithm(const Spillguard__TaskBody *t, uint32_t want, char *err,
			   size_t err_len)
{
	if (want == SG_TASK_ALGORITHM_SUMVEC)
		return bad(err, err_len,
			   "vdaf.algorithm_id: 0x%08X, but every category has the same bound: "
			   "Prio3SumVec (3) expected",
			   t->vdaf->algorithm_id);
	return bad(err, err_len,
		   "vdaf.algorithm_id: 0x%08X, but the categories' bounds differ: "
		   "Prio3BoundedSumVec (0x%08X for Field%u) expected, which proves each one",
		   t->vdaf->algorithm_id, want, t->vdaf->field);
}

/* The VDAF must be the one the categories call for (SumVec when their
 * bounds are equal, BoundedSumVec with each category's bound otherwise),
 * its length the number of categories and max_measurement the largest
 * bound, with parameters Prio3 accepts. */
static int check_vdaf(const Spillguard__TaskBody *t, char *err, size_t err_len)
{
	const Spillguard__VdafParams *v = t->vdaf;
	uint64_t *bounds = NULL, max = largest_bound(t);
	sg_prio3_params pp;
	sg_prio3 *p = NULL;
	if (v == NULL)
		return bad(err, err_len, "vdaf: missing");
	if (v->field != 64 && v->field != 128)
		return bad(err, err_len, "vdaf.field: %u; 64 or 128", v->field);
	uint32_t want = sg_task_vdaf_algorithm(t, v->field);
	if (v->algorithm_id != want)
		return wrong_algorithm(t, want, err, err_len);
	if (v->length != t->n_categories)
		return bad(err, err_len, "vdaf.length: %llu, but there are %zu categories",
			   (unsigned long long)v->length, t->n_categories);
	if (v->max_measurement != max)
		return bad(err, err_len, "vdaf.max_measurement: %llu, but the largest category bound is %llu",
			   (unsigned long long)v->max_measurement, (unsigned long long)max);
	int ret = sg_task_vdaf_params(&pp, &bounds, t);
	if (ret == 0)
		ret = sg_prio3_new(&p, &pp);
	sg_prio3_free(p);
	free(bounds);
	if (ret == SG_ERR_NOMEM)
		return ret;
	if (ret != 0)
		return bad(err, err_len, "vdaf: field %u, %u proofs, chunk_length %llu not accepted by Prio3",
			   v->field, v->proofs, (unsigned long long)v->chunk_length);
	return 0;
}

uint64_t sg_task_sum_limit(const Spillguard__TaskBody *t)
{
	/* Field64 sums are exact below its modulus 2^64 - 2^32 + 1; Field128
	 * ones below 2^128, but S_k is published as a 64-bit integer */
	return t->vdaf != NULL && t->vdaf->field == 64 ? UINT64_MAX - UINT32_MAX : UINT64_MAX;
}

/* The industry with the most roster enterprises, and how many. */
static size_t largest_industry(const Spillguard__TaskBody *t, uint32_t *id)
{
	size_t most = 0;
	*id = 0;
	for (size_t k = 0; k < t->n_industries; k++) {
		size_t n = 0;
		for (size_t r = 0; r < t->n_roster; r++)
			n += t->roster[r]->industry == t->industries[k]->id;
		if (n > most) {
			most = n;
			*id = t->industries[k]->id;
		}
	}
	return most;
}

/* Every sum the round can publish is exact: even with every enterprise of
 * the largest industry at every category's max, S_k stays within what the
 * field adds exactly and the 64-bit published sum holds. (TSK_k and the ISK
 * are computed in 128 bits from S_k and cannot overflow.) Checked on every
 * load, so no aggregator runs, and none releases a share of, a round whose
 * publication could fail. */
static int check_publishable(const Spillguard__TaskBody *t, char *err, size_t err_len)
{
	uint32_t id;
	size_t most = largest_industry(t, &id);
	uint64_t limit = sg_task_sum_limit(t);
	for (size_t i = 0; most > 0 && i < t->n_categories; i++) {
		const Spillguard__Category *c = t->categories[i];
		if ((sg_u128)c->max_measurement * most <= limit)
			continue;
		char max[SG_FIXED_TEXT_BYTES], fits[SG_FIXED_TEXT_BYTES];
		sg_fixed_format(max, sizeof max, c->max_measurement, c->decimals);
		sg_fixed_format(fits, sizeof fits, limit / most, c->decimals);
		return bad(err, err_len,
			   "categories[%zu].max: %s with %zu roster enterprises in industry %u could "
			   "sum to more than a publication holds exactly (%llu units); keep at most "
			   "%llu enterprises per industry at this max, or a max of at most %s",
			   i, max, most, id, (unsigned long long)limit,
			   (unsigned long long)(limit / c->max_measurement), fits);
	}
	return 0;
}

int sg_task_validate(const Spillguard__TaskBody *t, char *err, size_t err_len)
{
	int ret;
	if (t->version != SG_TASK_VERSION)
		return bad(err, err_len, "version: %u, expected %d", t->version, SG_TASK_VERSION);
	if (!name_ok(t->name))
		return bad(err, err_len, "name: empty or longer than %d", MAX_NAME);
	if ((ret = check_categories(t, err, err_len)) != 0 ||
	    (ret = check_industries(t, err, err_len)) != 0 ||
	    (ret = check_roster(t, err, err_len)) != 0 ||
	    (ret = check_aggregators(t, err, err_len)) != 0 || (ret = check_vdaf(t, err, err_len)) != 0 ||
	    (ret = check_publishable(t, err, err_len)) != 0)
		return ret;
	if (t->min_batch < SG_TASK_MIN_BATCH_FLOOR)
		return bad(err, err_len, "min_batch: %u; at least %d", t->min_batch,
			   SG_TASK_MIN_BATCH_FLOOR);
	if (t->opens_at >= t->closes_at)
		return bad(err, err_len, "window: opens_at must be before closes_at");
	/* no aggregator of this version adds noise: a task asking for it would
	 * promise a privacy it does not get */
	if (t->dp != NULL && t->dp->sigma_milli != 0)
		return bad(err, err_len,
			   "dp.sigma_milli: %llu; differential privacy noise is not supported by "
			   "this version (0 or no dp)",
			   (unsigned long long)t->dp->sigma_milli);
	if (t->authority_pk.len != KEY_BYTES)
		return bad(err, err_len, "authority_pk: %zu bytes, expected %d", t->authority_pk.len,
			   KEY_BYTES);
	return 0;
}

int sg_task_sign(uint8_t **out, size_t *out_len, const uint8_t *body, size_t body_len,
		 const uint8_t authority_sk[64])
{
	uint8_t sig[SG_SIGNATURE_BYTES];
	*out = NULL;
	*out_len = 0;
	int ret = sg_sign_labeled(sig, SG_TASK_SIG_CONTEXT, body, body_len, authority_sk);
	if (ret != 0)
		return ret;
	ret = SG_ERR_NOMEM;
	Spillguard__Task task = SPILLGUARD__TASK__INIT;
	task.version = SG_TASK_VERSION;
	task.body = (ProtobufCBinaryData){ body_len, (uint8_t *)body };
	task.signature = (ProtobufCBinaryData){ sizeof sig, sig };
	size_t n = spillguard__task__get_packed_size(&task);
	*out = malloc(n + 1);
	if (*out == NULL)
		goto cleanup;
	*out_len = spillguard__task__pack(&task, *out);
	ret = 0;
cleanup:
	return ret;
}

void sg_task_free(sg_task *t)
{
	if (t == NULL)
		return;
	free(t->by_id);
	sg_wire_release(t->body ? &t->body->base : NULL, t->budget);
	sg_wire_release(t->signed_task ? &t->signed_task->base : NULL, t->signed_budget);
	free(t);
}

static int verify_signature(const Spillguard__Task *st, const Spillguard__TaskBody *body,
			    const uint8_t *authority_pk, char *err, size_t err_len)
{
	if (authority_pk != NULL &&
	    sodium_memcmp(authority_pk, body->authority_pk.data, KEY_BYTES) != 0) {
		bad(err, err_len, "signed by another authority than the one given");
		return SG_ERR_VERIFY;
	}
	if (!sg_verify_labeled(st->signature.data, st->signature.len, SG_TASK_SIG_CONTEXT,
			       st->body.data, st->body.len, body->authority_pk.data)) {
		bad(err, err_len, "the authority's signature does not verify");
		return SG_ERR_VERIFY;
	}
	return 0;
}

int sg_task_open(sg_task **out, const uint8_t *bytes, size_t len, const uint8_t *authority_pk,
		 char *err, size_t err_len)
{
	int ret = SG_ERR_NOMEM;
	ProtobufCMessage *m;
	sg_task *t = calloc(1, sizeof *t);
	*out = NULL;
	if (t == NULL)
		goto cleanup;
	ret = sg_wire_unpack(&m, &t->signed_budget, &spillguard__task__descriptor, bytes, len);
	t->signed_task = (Spillguard__Task *)m;
	if (ret == 0 && t->signed_task->version != SG_TASK_VERSION)
		ret = SG_ERR_PARSE;
	if (ret == 0) {
		ret = sg_wire_unpack(&m, &t->budget, &spillguard__task_body__descriptor,
				     t->signed_task->body.data, t->signed_task->body.len);
		t->body = (Spillguard__TaskBody *)m;
	}
	if (ret != 0) {
		bad(err, err_len, "not a version %d task file", SG_TASK_VERSION);
		goto cleanup;
	}
	if (t->body->authority_pk.len != KEY_BYTES) {
		ret = bad(err, err_len, "authority_pk: %zu bytes, expected %d", t->body->authority_pk.len,
			  KEY_BYTES);
		goto cleanup;
	}
	ret = verify_signature(t->signed_task, t->body, authority_pk, err, err_len);
	if (ret == 0)
		ret = sg_task_validate(t->body, err, err_len);
	if (ret != 0)
		goto cleanup;
	roster_ref *r = roster_sorted(t->body, cmp_id);
	t->by_id = malloc((t->body->n_roster + 1) * sizeof *t->by_id);
	if (r == NULL || t->by_id == NULL) {
		free(r);
		ret = SG_ERR_NOMEM;
		goto cleanup;
	}
	for (size_t k = 0; k < t->body->n_roster; k++)
		t->by_id[k] = r[k].i;
	free(r);
	crypto_hash_sha256(t->id, t->signed_task->body.data, t->signed_task->body.len);
	*out = t;
	t = NULL;
cleanup:
	sg_task_free(t);
	return ret;
}

long sg_task_roster_find(const sg_task *t, const char *enterprise_id)
{
	size_t lo = 0, hi = t->body->n_roster; /* by_id[lo..hi) may hold it */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(t->body->roster[t->by_id[mid]]->enterprise_id, enterprise_id);
		if (c == 0)
			return (long)t->by_id[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}
