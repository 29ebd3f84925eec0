/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The audit of the JSON views (protocol/audit.h): each must show exactly
 * what the signed artefact says, field by field, and nothing else. The
 * first difference is named in the FAIL line.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/audit_figures.h"
#include "protocol/audit_internal.h"
#include "protocol/collect.h"
#include "protocol/layout.h"
#include "spillguard/err.h"
#include "util/hex.h"
#include "util/json.h"

/* A view being compared: the first difference found, if any. */
typedef struct view {
	char diff[300];
} view;

__attribute__((format(printf, 2, 3))) static bool differ(view *v, const char *fmt, ...)
{
	if (v->diff[0] == '\0') {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(v->diff, sizeof v->diff, fmt, ap);
		va_end(ap);
	}
	return false;
}

/* j is an object with exactly the n keys given. */
static bool keys(view *v, const sg_json *j, const char *path, const char *const *names, size_t n)
{
	if (sg_json_type_of(j) != SG_JSON_OBJECT)
		return differ(v, "%s is not an object", path);
	for (size_t i = 0; i < n; i++)
		if (sg_json_get(j, names[i]) == NULL)
			return differ(v, "%s has no '%s'", path, names[i]);
	if (sg_json_len(j) != n)
		return differ(v, "%s has fields the signed artefact does not have", path);
	return true;
}

static bool str_is(view *v, const sg_json *j, const char *path, const char *key, const char *want)
{
	const char *got = sg_json_str(sg_json_get(j, key), NULL);
	if (got == NULL || strcmp(got, want) != 0)
		return differ(v, "%s.%s is '%.60s', the signed artefact says '%.60s'", path, key,
			      got ? got : "(not a string)", want);
	return true;
}

static bool u64_is(view *v, const sg_json *j, const char *path, const char *key, uint64_t want)
{
	uint64_t got;
	if (!sg_json_u64(sg_json_get(j, key), &got) || got != want)
		return differ(v, "%s.%s is not %llu as the signed artefact says", path, key,
			      (unsigned long long)want);
	return true;
}

static bool hex_is(view *v, const sg_json *j, const char *path, const char *key,
		   const uint8_t *want, size_t len)
{
	char *hex = malloc(2 * len + 1);
	bool ok = hex != NULL;
	if (ok) {
		sg_hex_encode(hex, want, len);
		ok = str_is(v, j, path, key, hex);
	}
	free(hex);
	return ok || differ(v, "out of memory");
}

static bool array_of(view *v, const sg_json *j, const char *path, const char *key, size_t n)
{
	const sg_json *a = sg_json_get(j, key);
	if (sg_json_type_of(a) != SG_JSON_ARRAY || sg_json_len(a) != n)
		return differ(v, "%s.%s does not list the %zu entries of the signed artefact", path,
			      key, n);
	return true;
}

/* The view's task (id, name) and, with `industry`, its industry object. */
static bool task_is(view *v, const sg_json *doc, const sg_task *t)
{
	return hex_is(v, doc, "view", "task_id", t->id, SG_TASK_ID_BYTES) &&
	       str_is(v, doc, "view", "task", t->body->name);
}

static bool industry_is(view *v, const sg_json *j, const char *path, const sg_task *t, uint32_t id)
{
	static const char *const names[] = { "id", "name" };
	long k = sg_task_industry_index(t->body, id);
	return k >= 0 && keys(v, j, path, names, 2) && u64_is(v, j, path, "id", id) &&
	       str_is(v, j, path, "name", t->body->industries[k]->name);
}

static bool categories_agg(view *v, const sg_json *doc, const sg_task *t,
			   const Spillguard__PublishedAggregate *pa)
{
	static const char *const names[] = { "name", "sum", "tsk" };
	size_t ncat = t->body->n_categories;
	if (!array_of(v, doc, "view", "categories", ncat) || pa->n_sum != ncat || pa->n_tsk != ncat)
		return false;
	const sg_json *a = sg_json_get(doc, "categories");
	for (size_t i = 0; i < ncat; i++) {
		const sg_json *c = sg_json_at(a, i);
		char path[48];
		snprintf(path, sizeof path, "categories[%zu]", i);
		const char *sum = sg_json_str(sg_json_get(c, "sum"), NULL);
		if (!keys(v, c, path, names, 3) ||
		    !str_is(v, c, path, "name", t->body->categories[i]->name) ||
		    !str_is(v, c, path, "tsk", pa->tsk[i]))
			return false;
		if (sum == NULL ||
		    !sg_audit_figure(sum, t->body->categories[i]->decimals, pa->sum[i]))
			return differ(v, "%s.sum is '%.60s', not the signed S_k", path,
				      sum ? sum : "(not a string)");
	}
	return true;
}

static bool shares_agg(view *v, const sg_json *doc, const sg_task *t,
		       const Spillguard__PublishedAggregate *pa)
{
	static const char *const names[] = { "aggregator", "operator", "signature" };
	if (!array_of(v, doc, "view", "aggregate_shares", pa->n_shares) ||
	    pa->n_shares != t->body->n_aggregators)
		return false;
	const sg_json *a = sg_json_get(doc, "aggregate_shares");
	for (size_t j = 0; j < pa->n_shares; j++) {
		const sg_json *s = sg_json_at(a, j);
		char path[48];
		snprintf(path, sizeof path, "aggregate_shares[%zu]", j);
		if (!keys(v, s, path, names, 3) || !u64_is(v, s, path, "aggregator", j) ||
		    !str_is(v, s, path, "operator", t->body->aggregators[j]->operator_name) ||
		    !hex_is(v, s, path, "signature", pa->shares[j]->signature.data,
			    pa->shares[j]->signature.len))
			return false;
	}
	return true;
}

/* Parses the view; false with the reason when it is missing or not JSON. */
static bool parse(view *v, sg_json **doc, const uint8_t *json, size_t len, int *ret)
{
	char err[200];
	*doc = NULL;
	*ret = 0;
	if (json == NULL)
		return differ(v, "missing");
	*ret = sg_json_parse(doc, (const char *)json, len, err, sizeof err);
	if (*ret == SG_ERR_NOMEM)
		return false;
	*ret = 0;
	return *doc != NULL || differ(v, "not JSON (%s)", err);
}

int sg_audit_view_industry(const sg_task *t, const uint8_t *pub, size_t pub_len,
			   const uint8_t *json, size_t json_len, const char *name,
			   sg_audit_say say, void *ctx)
{
	static const char *const names[] = { "task_id",	       "task",	     "industry",
					     "report_count",   "report_set_root", "categories",
					     "aggregate_shares" };
	view v = { "" };
	sg_json *doc = NULL;
	sg_wire_budget *b = NULL;
	int failed = 0, ret = 0;
	Spillguard__PublishedAggregate *pa = sg_audit_aggregate_decode(t, pub, pub_len, &b);
	bool ok = pa != NULL && pa->report_set_root.len == 32 &&
		  parse(&v, &doc, json, json_len, &ret) && keys(&v, doc, "view", names, 7) &&
		  task_is(&v, doc, t) &&
		  industry_is(&v, sg_json_get(doc, "industry"), "industry", t, pa->industry) &&
		  u64_is(&v, doc, "view", "report_count", pa->report_count) &&
		  hex_is(&v, doc, "view", "report_set_root", pa->report_set_root.data, 32) &&
		  categories_agg(&v, doc, t, pa) && shares_agg(&v, doc, t, pa);
	if (pa != NULL && ret == 0) {
		char file[SG_PUB_NAME_BYTES];
		sg_pub_industry_file(file, pa->industry, SG_PUB_VIEW);
		sg_audit_check(&failed, say, ctx, ok, "%s: %s shows exactly the signed aggregate%s%s",
			       name, file, ok ? "" : ": ", v.diff);
	}
	sg_json_free(doc);
	sg_wire_release(pa ? &pa->base : NULL, b);
	return pa == NULL ? SG_ERR_PARAM : ret < 0 ? ret : failed;
}

int sg_audit_view_isk(const sg_task *t, const uint8_t *isk, size_t isk_len, const uint8_t *json,
		      size_t json_len, sg_audit_say say, void *ctx)
{
	static const char *const names[] = { "task_id", "task", "industries", "categories" };
	static const char *const cat_names[] = { "name", "isk" };
	view v = { "" };
	sg_json *doc = NULL;
	ProtobufCMessage *m = NULL;
	sg_wire_budget *b = NULL;
	int failed = 0, ret = 0;
	if (sg_wire_unpack(&m, &b, &spillguard__isk_summary__descriptor, isk, isk_len) != 0)
		return SG_ERR_PARAM;
	const Spillguard__IskSummary *s = (const Spillguard__IskSummary *)m;
	size_t ncat = t->body->n_categories;
	bool ok = s->n_isk == ncat && parse(&v, &doc, json, json_len, &ret) &&
		  keys(&v, doc, "view", names, 4) && task_is(&v, doc, t) &&
		  array_of(&v, doc, "view", "industries", s->n_industries) &&
		  array_of(&v, doc, "view", "categories", ncat);
	for (size_t k = 0; ok && k < s->n_industries; k++) {
		char path[48];
		snprintf(path, sizeof path, "industries[%zu]", k);
		ok = industry_is(&v, sg_json_at(sg_json_get(doc, "industries"), k), path, t,
				 s->industries[k]);
	}
	for (size_t i = 0; ok && i < ncat; i++) {
		const sg_json *c = sg_json_at(sg_json_get(doc, "categories"), i);
		char path[48];
		snprintf(path, sizeof path, "categories[%zu]", i);
		ok = keys(&v, c, path, cat_names, 2) &&
		     str_is(&v, c, path, "name", t->body->categories[i]->name) &&
		     str_is(&v, c, path, "isk", s->isk[i]);
	}
	if (ret == 0)
		sg_audit_check(&failed, say, ctx, ok,
			       "ISK: " SG_PUB_ISK_JSON " shows exactly the signed ISK%s%s",
			       ok ? "" : ": ", v.diff);
	sg_json_free(doc);
	sg_wire_release(m, b);
	return ret < 0 ? ret : failed;
}

/* One industry's entry of round.json: published with its J_k, or withheld
 * with the signed reason. */
static bool round_entry(view *v, const sg_json *e, const char *path, const sg_task *t,
			const sg_audit_found *f, size_t k)
{
	static const char *const pub_names[] = { "id", "name", "status", "report_count" };
	static const char *const held_names[] = { "id", "name", "status", "reason" };
	const Spillguard__Industry *ind = t->body->industries[k];
	if (!keys(v, e, path, f->aggregate[k] ? pub_names : held_names, 4) ||
	    !u64_is(v, e, path, "id", ind->id) || !str_is(v, e, path, "name", ind->name))
		return false;
	if (f->aggregate[k] == NULL)
		return str_is(v, e, path, "status", "withheld") &&
		       str_is(v, e, path, "reason",
			      sg_collect_message((enum sg_collect_refusal)f->withheld[k]));
	sg_wire_budget *b;
	Spillguard__PublishedAggregate *pa =
		sg_audit_aggregate_decode(t, f->aggregate[k], f->aggregate_len[k], &b);
	bool ok = pa != NULL && str_is(v, e, path, "status", "published") &&
		  u64_is(v, e, path, "report_count", pa->report_count);
	sg_wire_release(pa ? &pa->base : NULL, b);
	return ok;
}

int sg_audit_view_round(const sg_task *t, const sg_audit_found *found, const uint8_t *json,
			size_t json_len, sg_audit_say say, void *ctx)
{
	static const char *const names[] = { "task_id", "task", "min_batch", "industries" };
	view v = { "" };
	sg_json *doc = NULL;
	int failed = 0, ret = 0;
	bool ok = parse(&v, &doc, json, json_len, &ret) && keys(&v, doc, "view", names, 4) &&
		  task_is(&v, doc, t) && u64_is(&v, doc, "view", "min_batch", t->body->min_batch) &&
		  array_of(&v, doc, "view", "industries", found->n);
	for (size_t k = 0; ok && k < found->n; k++) {
		char path[48];
		snprintf(path, sizeof path, "industries[%zu]", k);
		ok = round_entry(&v, sg_json_at(sg_json_get(doc, "industries"), k), path, t, found, k);
	}
	if (ret == 0)
		sg_audit_check(&failed, say, ctx, ok,
			       SG_PUB_OUTCOME_JSON " shows exactly the signed outcome and counts%s%s",
			       ok ? "" : ": ", v.diff);
	sg_json_free(doc);
	return ret < 0 ? ret : failed;
}
