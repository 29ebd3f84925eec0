/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit_report.h"
#include "core/fixed.h"
#include "spillguard.pb-c.h"
#include "subcommands.h"
#include "util/file.h"
#include "util/hex.h"
#include "util/json_write.h"
#include "wire/codec.h"

Spillguard__PublishedAggregate *audit_find_published(const audit_results *r, uint32_t id,
						     sg_wire_budget **b)
{
	long k = sg_task_industry_index(r->task->body, id);
	ProtobufCMessage *m = NULL;
	*b = NULL;
	if (k < 0 || r->found->aggregate[k] == NULL ||
	    sg_wire_unpack(&m, b, &spillguard__published_aggregate__descriptor,
			   r->found->aggregate[k], r->found->aggregate_len[k]) != 0)
		return NULL;
	Spillguard__PublishedAggregate *pa = (Spillguard__PublishedAggregate *)m;
	if (pa->n_sum != r->task->body->n_categories || pa->n_tsk != r->task->body->n_categories) {
		sg_wire_release(m, *b);
		*b = NULL;
		return NULL;
	}
	return pa;
}

Spillguard__IskSummary *audit_read_isk(const audit_results *r, sg_wire_budget **b)
{
	ProtobufCMessage *m = NULL;
	*b = NULL;
	if (r->found->isk == NULL ||
	    sg_wire_unpack(&m, b, &spillguard__isk_summary__descriptor, r->found->isk,
			   r->found->isk_len) != 0)
		return NULL;
	if (((Spillguard__IskSummary *)m)->n_isk != r->task->body->n_categories) {
		sg_wire_release(m, *b);
		*b = NULL;
		return NULL;
	}
	return (Spillguard__IskSummary *)m;
}

static int write_out(const char *path, const char *text, size_t len)
{
	char err[300];
	if (sg_file_write(path, (const uint8_t *)text, len, 0644, true, err, sizeof err) != 0) {
		fprintf(stderr, "%s audit: %s\n", SG_PROG_NAME, err);
		return 2;
	}
	return 0;
}

int audit_write_json(const audit_results *r, const char *path)
{
	const Spillguard__TaskBody *tb = r->task->body;
	sg_jw w;
	char *text = NULL, num[32];
	size_t len = 0;
	sg_jw_init(&w);
	sg_jw_object(&w, NULL);
	sg_jw_hex(&w, "task_id", r->task->id, SG_TASK_ID_BYTES);
	sg_jw_str(&w, "task", tb->name);
	sg_jw_str(&w, "verdict", r->failed == 0 ? "verified" : "failed");
	sg_jw_array(&w, "checks");
	for (size_t i = 0; i < r->n_lines; i++) {
		sg_jw_object(&w, NULL);
		sg_jw_str(&w, "check", r->lines[i].text);
		sg_jw_str(&w, "result", r->lines[i].ok ? "ok" : "FAIL");
		sg_jw_end(&w);
	}
	sg_jw_end(&w);
	sg_jw_array(&w, "industries");
	for (size_t k = 0; k < tb->n_industries; k++) {
		sg_wire_budget *b;
		Spillguard__PublishedAggregate *pa = audit_find_published(r, tb->industries[k]->id, &b);
		sg_jw_object(&w, NULL);
		sg_jw_u64(&w, "id", tb->industries[k]->id);
		sg_jw_str(&w, "name", tb->industries[k]->name);
		sg_jw_str(&w, "status", pa ? "published" : r->found->withheld[k] ? "withheld" : "unknown");
		if (pa != NULL) {
			sg_jw_u64(&w, "report_count", pa->report_count);
			sg_jw_array(&w, "categories");
			for (size_t c = 0; c < tb->n_categories; c++) {
				sg_jw_object(&w, NULL);
				sg_jw_str(&w, "name", tb->categories[c]->name);
				sg_fixed_format(num, sizeof num, pa->sum[c], tb->categories[c]->decimals);
				sg_jw_str(&w, "sum", num);
				sg_jw_str(&w, "tsk", pa->tsk[c]);
				sg_jw_end(&w);
			}
			sg_jw_end(&w);
		}
		sg_jw_end(&w);
		sg_wire_release(pa ? &pa->base : NULL, b);
	}
	sg_jw_end(&w);
	sg_wire_budget *ib;
	Spillguard__IskSummary *s = audit_read_isk(r, &ib);
	sg_jw_array(&w, "isk");
	for (size_t c = 0; s != NULL && c < tb->n_categories; c++) {
		sg_jw_object(&w, NULL);
		sg_jw_str(&w, "category", tb->categories[c]->name);
		sg_jw_str(&w, "isk", s->isk[c]);
		sg_jw_end(&w);
	}
	sg_jw_end(&w);
	sg_jw_end(&w);
	sg_wire_release(s ? &s->base : NULL, ib);
	if (sg_jw_finish(&w, &text, &len) != 0) {
		fprintf(stderr, "%s audit: %s: cannot make the JSON\n", SG_PROG_NAME, path);
		return 2;
	}
	int ret = write_out(path, text, len);
	free(text);
	return ret;
}

/* A CSV field: quoted, quotes doubled (names are the task's, any text). */
static size_t csv_field(char *out, size_t cap, const char *s)
{
	size_t n = 0;
	if (n < cap)
		out[n++] = '"';
	for (; *s != '\0' && n + 2 < cap; s++) {
		if (*s == '"')
			out[n++] = '"';
		out[n++] = *s;
	}
	if (n < cap)
		out[n++] = '"';
	out[n < cap ? n : cap - 1] = '\0';
	return n;
}

int audit_write_csv(const audit_results *r, const char *path)
{
	const Spillguard__TaskBody *tb = r->task->body;
	size_t cap = 256 + (tb->n_industries + 1) * tb->n_categories * 700, len = 0;
	char *text = malloc(cap), ind[300], cat[300], num[32];
	if (text == NULL)
		return 2;
	len += (size_t)snprintf(text + len, cap - len,
				"figure,industry_id,industry,category,report_count,sum,value\n");
	for (size_t k = 0; k < tb->n_industries; k++) {
		sg_wire_budget *b;
		Spillguard__PublishedAggregate *pa = audit_find_published(r, tb->industries[k]->id, &b);
		csv_field(ind, sizeof ind, tb->industries[k]->name);
		for (size_t c = 0; pa != NULL && c < tb->n_categories; c++) {
			csv_field(cat, sizeof cat, tb->categories[c]->name);
			sg_fixed_format(num, sizeof num, pa->sum[c], tb->categories[c]->decimals);
			len += (size_t)snprintf(text + len, cap - len, "TSK,%u,%s,%s,%llu,%s,%s\n",
						tb->industries[k]->id, ind, cat,
						(unsigned long long)pa->report_count, num, pa->tsk[c]);
		}
		sg_wire_release(pa ? &pa->base : NULL, b);
	}
	sg_wire_budget *ib;
	Spillguard__IskSummary *s = audit_read_isk(r, &ib);
	for (size_t c = 0; s != NULL && c < tb->n_categories; c++) {
		csv_field(cat, sizeof cat, tb->categories[c]->name);
		len += (size_t)snprintf(text + len, cap - len, "ISK,,,%s,,,%s\n", cat, s->isk[c]);
	}
	sg_wire_release(s ? &s->base : NULL, ib);
	int ret = write_out(path, text, len < cap ? len : cap - 1);
	free(text);
	return ret;
}
