/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/fixed.h"
#include "edge/publication.h"
#include "edge/pubdir.h"
#include "protocol/collect.h"
#include "spillguard/err.h"
#include "util/file.h"
#include "util/json_write.h"

static const char *industry_name(const sg_task *t, uint32_t id)
{
	long k = sg_task_industry_index(t->body, id);
	return k < 0 ? "" : t->body->industries[k]->name;
}

/* A published figure: digits, optionally a point and more digits. */
static bool decimal_text(const char *s)
{
	size_t i = 0, digits = 0, point = 0;
	for (; s[i] != '\0' && i < 48; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			digits++;
		else if (s[i] == '.' && point == 0 && digits > 0 && s[i + 1] != '\0')
			point = i;
		else
			return false;
	}
	return digits > 0 && s[i] == '\0';
}

static bool all_decimal(char *const *texts, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!decimal_text(texts[i]))
			return false;
	return true;
}

static void jw_industry(sg_jw *w, const sg_task *t, uint32_t id)
{
	sg_jw_object(w, "industry");
	sg_jw_u64(w, "id", id);
	sg_jw_str(w, "name", industry_name(t, id));
	sg_jw_end(w);
}

static void jw_fixed(sg_jw *w, const char *key, uint64_t v, unsigned decimals)
{
	char text[32];
	if (sg_fixed_format(text, sizeof text, v, decimals) == 0)
		w->err = SG_ERR_OVERFLOW;
	else
		sg_jw_str(w, key, text);
}

int sg_published_json(char **out, size_t *len, const sg_task *t, const uint8_t *published,
		      size_t published_len)
{
	ProtobufCMessage *m;
	sg_wire_budget *b;
	sg_jw w;
	*out = NULL;
	*len = 0;
	int ret = sg_wire_unpack(&m, &b, &spillguard__published_aggregate__descriptor, published,
				 published_len);
	if (ret != 0)
		return ret;
	const Spillguard__PublishedAggregate *pa = (const Spillguard__PublishedAggregate *)m;
	size_t ncat = t->body->n_categories;
	ret = SG_ERR_PARSE;
	if (!sg_task_is(t, &pa->task_id) || pa->n_sum != ncat || pa->n_tsk != ncat ||
	    pa->report_set_root.len != 32 || !all_decimal(pa->tsk, ncat))
		goto cleanup;
	sg_jw_init(&w);
	sg_jw_object(&w, NULL);
	sg_jw_hex(&w, "task_id", t->id, SG_TASK_ID_BYTES);
	sg_jw_str(&w, "task", t->body->name);
	jw_industry(&w, t, pa->industry);
	sg_jw_u64(&w, "report_count", pa->report_count);
	sg_jw_hex(&w, "report_set_root", pa->report_set_root.data, 32);
	sg_jw_array(&w, "categories");
	for (size_t i = 0; i < ncat; i++) {
		sg_jw_object(&w, NULL);
		sg_jw_str(&w, "name", t->body->categories[i]->name);
		jw_fixed(&w, "sum", pa->sum[i], t->body->categories[i]->decimals);
		sg_jw_str(&w, "tsk", pa->tsk[i]);
		sg_jw_end(&w);
	}
	sg_jw_end(&w);
	sg_jw_array(&w, "aggregate_shares");
	for (size_t j = 0; j < pa->n_shares; j++) {
		sg_jw_object(&w, NULL);
		sg_jw_u64(&w, "aggregator", j);
		sg_jw_str(&w, "operator", j < t->body->n_aggregators
						  ? t->body->aggregators[j]->operator_name
						  : "");
		sg_jw_hex(&w, "signature", pa->shares[j]->signature.data, pa->shares[j]->signature.len);
		sg_jw_end(&w);
	}
	sg_jw_end(&w);
	sg_jw_end(&w);
	ret = sg_jw_finish(&w, out, len);
cleanup:
	sg_wire_release(m, b);
	return ret;
}

int sg_isk_json(char **out, size_t *len, const sg_task *t, const uint8_t *isk, size_t isk_len)
{
	ProtobufCMessage *m;
	sg_wire_budget *b;
	sg_jw w;
	*out = NULL;
	*len = 0;
	int ret = sg_wire_unpack(&m, &b, &spillguard__isk_summary__descriptor, isk, isk_len);
	if (ret != 0)
		return ret;
	const Spillguard__IskSummary *s = (const Spillguard__IskSummary *)m;
	size_t ncat = t->body->n_categories;
	ret = SG_ERR_PARSE;
	if (!sg_task_is(t, &s->task_id) || s->n_isk != ncat || !all_decimal(s->isk, ncat))
		goto cleanup;
	sg_jw_init(&w);
	sg_jw_object(&w, NULL);
	sg_jw_hex(&w, "task_id", t->id, SG_TASK_ID_BYTES);
	sg_jw_str(&w, "task", t->body->name);
	sg_jw_array(&w, "industries");
	for (size_t k = 0; k < s->n_industries; k++) {
		sg_jw_object(&w, NULL);
		sg_jw_u64(&w, "id", s->industries[k]);
		sg_jw_str(&w, "name", industry_name(t, s->industries[k]));
		sg_jw_end(&w);
	}
	sg_jw_end(&w);
	sg_jw_array(&w, "categories");
	for (size_t i = 0; i < ncat; i++) {
		sg_jw_object(&w, NULL);
		sg_jw_str(&w, "name", t->body->categories[i]->name);
		sg_jw_str(&w, "isk", s->isk[i]);
		sg_jw_end(&w);
	}
	sg_jw_end(&w);
	sg_jw_end(&w);
	ret = sg_jw_finish(&w, out, len);
cleanup:
	sg_wire_release(m, b);
	return ret;
}

static int round_json(char **out, size_t *len, const sg_task *t, const sg_round_result *r)
{
	sg_jw w;
	sg_jw_init(&w);
	sg_jw_object(&w, NULL);
	sg_jw_hex(&w, "task_id", t->id, SG_TASK_ID_BYTES);
	sg_jw_str(&w, "task", t->body->name);
	sg_jw_u64(&w, "min_batch", t->body->min_batch);
	sg_jw_array(&w, "industries");
	for (size_t k = 0; k < r->n; k++) {
		const sg_industry_result *ir = &r->industries[k];
		sg_jw_object(&w, NULL);
		sg_jw_u64(&w, "id", ir->industry);
		sg_jw_str(&w, "name", industry_name(t, ir->industry));
		if (ir->published != NULL) {
			sg_jw_str(&w, "status", "published");
			sg_jw_u64(&w, "report_count", ir->count);
		} else {
			sg_jw_str(&w, "status", "withheld");
			sg_jw_str(&w, "reason", sg_collect_message(ir->why));
		}
		sg_jw_end(&w);
	}
	sg_jw_end(&w);
	sg_jw_end(&w);
	return sg_jw_finish(&w, out, len);
}

/* dir/name, written whole. */
static int put_file(const char *dir, const char *name, const void *data, size_t len, char *err,
		    size_t err_len)
{
	char path[4096];
	if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path) {
		snprintf(err, err_len, "%s: path too long", dir);
		return SG_ERR_PARAM;
	}
	return sg_file_write(path, data, len, 0644, true, err, err_len);
}

/* A JSON view (made returns what making it returned), written as dir/name;
 * frees text. */
static int put_json(const char *dir, const char *name, int made, char *text, size_t len,
		    char *err, size_t err_len)
{
	int ret = made;
	if (ret != 0)
		snprintf(err, err_len, "%s/%s: cannot make the JSON view (%s)", dir, name,
			 sg_strerror(ret));
	else
		ret = put_file(dir, name, text, len, err, err_len);
	free(text);
	return ret;
}

int sg_publication_write(const char *dir, const sg_task *t, const sg_round_result *r, char *err,
			 size_t err_len)
{
	char name[SG_PUB_NAME_BYTES], *text;
	size_t len;
	int ret = 0;
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		snprintf(err, err_len, "%s: %s", dir, strerror(errno));
		return SG_ERR_IO;
	}
	for (size_t k = 0; ret == 0 && k < r->n; k++) {
		const sg_industry_result *ir = &r->industries[k];
		if (ir->published == NULL)
			continue;
		sg_pub_industry_file(name, ir->industry, SG_PUB_AGGREGATE);
		ret = put_file(dir, name, ir->published, ir->published_len, err, err_len);
		sg_pub_industry_file(name, ir->industry, SG_PUB_VIEW);
		if (ret == 0) {
			int made = sg_published_json(&text, &len, t, ir->published, ir->published_len);
			ret = put_json(dir, name, made, text, len, err, err_len);
		}
		uint8_t *set = NULL;
		size_t set_len = 0;
		sg_pub_industry_file(name, ir->industry, SG_PUB_REPORTS);
		if (ret == 0 && (ret = sg_report_set_msg(&set, &set_len, t, ir->industry, ir->ids,
							 ir->n_ids)) != 0)
			snprintf(err, err_len, "%s/%s: %s", dir, name, sg_strerror(ret));
		if (ret == 0)
			ret = put_file(dir, name, set, set_len, err, err_len);
		free(set);
	}
	if (ret == 0)
		ret = put_file(dir, SG_PUB_ISK, r->isk, r->isk_len, err, err_len);
	if (ret == 0) {
		int made = sg_isk_json(&text, &len, t, r->isk, r->isk_len);
		ret = put_json(dir, SG_PUB_ISK_JSON, made, text, len, err, err_len);
	}
	if (ret == 0)
		ret = put_file(dir, SG_PUB_OUTCOME, r->outcome, r->outcome_len, err, err_len);
	if (ret == 0) {
		int made = round_json(&text, &len, t, r);
		ret = put_json(dir, SG_PUB_OUTCOME_JSON, made, text, len, err, err_len);
	}
	/* the log last: a folder holding log.pb holds everything it records */
	if (ret == 0 && r->log != NULL)
		ret = put_file(dir, SG_PUB_LOG, r->log, r->log_len, err, err_len);
	return ret;
}
