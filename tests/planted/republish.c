/* SPDX-License-Identifier: Apache-2.0 */
/*
 * republish: test-only, built once per planted bug (see the Makefile's
 * planted section): the publisher's code with one bug planted in it is
 * linked into this program, and so is the audit. Given a demo's kept
 * folder DIR, it publishes the round again with the planted publisher -
 * each industry's aggregate from the very shares the aggregators signed,
 * then the ISK - writes the files over DIR/published, records them in the
 * log and has every aggregator's key co-sign it (DIR/agg-J/sign.sk), as if
 * the helpers signed whatever they were asked. Then it audits the folder
 * in the same program. It prints
 *
 *   changed=N          figures (TSK and ISK texts) the planted bug changed
 *   ok|FAIL <check>    each check of the audit
 *
 * and exits 1 when a check failed, 0 when all passed, 2 on an error.
 * Usage: republish DIR
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "../tools/relog.h"
#include "edge/pubdir.h"
#include "protocol/audit.h"
#include "protocol/collect.h"
#include "protocol/report.h"
#include "spillguard/err.h"
#include "util/file.h"
#include "wire/codec.h"

typedef struct ctx {
	char dir[4096], err[400];
	sg_task *task;
	sg_party leader;
	unsigned changed;
	unsigned failed;
} ctx;

static void say(void *c, bool ok, const char *check)
{
	((ctx *)c)->failed += !ok;
	printf("%s %s\n", ok ? "ok  " : "FAIL", check);
}

/* Texts of a that differ from b's. */
static unsigned differ(char **a, size_t na, char **b, size_t nb)
{
	unsigned n = na == nb ? 0 : 1;
	for (size_t i = 0; i < na && i < nb; i++)
		n += strcmp(a[i], b[i]) != 0;
	return n;
}

/* Industry leaf i of the log published again from its own shares. */
static int republish_one(ctx *c, Spillguard__Log *lg, size_t i)
{
	Spillguard__PublishedAggregate *old =
		spillguard__published_aggregate__unpack(NULL, lg->leaves[i].len, lg->leaves[i].data);
	if (old == NULL || old->n_shares > 255)
		return 2;
	uint8_t *shares[256] = { 0 }, *out = NULL;
	size_t lens[256] = { 0 }, out_len = 0;
	char msg[200] = "";
	int ret = 0;
	for (size_t j = 0; ret == 0 && j < old->n_shares; j++) {
		lens[j] = spillguard__aggregate_share__get_packed_size(old->shares[j]);
		shares[j] = malloc(lens[j] + 1);
		ret = shares[j] ? 0 : 2;
		if (ret == 0)
			spillguard__aggregate_share__pack(old->shares[j], shares[j]);
	}
	if (ret == 0 && sg_publish_aggregate(&out, &out_len, &c->leader, old->industry,
					     old->report_count, old->report_set_root.data,
					     (const uint8_t *const *)shares, lens, msg,
					     sizeof msg) != 0) {
		snprintf(c->err, sizeof c->err, "industry %u: %s", old->industry, msg);
		ret = 2;
	}
	Spillguard__PublishedAggregate *now =
		out ? spillguard__published_aggregate__unpack(NULL, out_len, out) : NULL;
	if (ret == 0 && now != NULL) {
		char name[SG_PUB_NAME_BYTES], path[4200];
		c->changed += differ(now->tsk, now->n_tsk, old->tsk, old->n_tsk);
		sg_pub_industry_file(name, old->industry, SG_PUB_AGGREGATE);
		snprintf(path, sizeof path, "%s/published/%s", c->dir, name);
		ret = relog_replace(lg, i, out, out_len);
		if (ret == 0 && sg_file_write(path, out, out_len, 0644, true, c->err, sizeof c->err))
			ret = 2;
	}
	if (now != NULL)
		spillguard__published_aggregate__free_unpacked(now, NULL);
	for (size_t j = 0; j < old->n_shares; j++)
		free(shares[j]);
	spillguard__published_aggregate__free_unpacked(old, NULL);
	free(out);
	return ret;
}

/* The ISK (the last leaf) made again over the aggregates (leaves 1 to
 * n - 3) by the planted publisher. */
static int republish_isk(ctx *c, Spillguard__Log *lg)
{
	size_t n = lg->n_leaves, na = n - 3, isk_len = 0;
	const uint8_t **aggs = calloc(na + 1, sizeof *aggs);
	size_t *lens = calloc(na + 1, sizeof *lens);
	uint8_t *isk = NULL;
	int ret = aggs && lens ? 0 : 2;
	for (size_t k = 0; ret == 0 && k < na; k++) {
		aggs[k] = lg->leaves[1 + k].data;
		lens[k] = lg->leaves[1 + k].len;
	}
	if (ret == 0 && sg_publish_isk(&isk, &isk_len, c->task, aggs, lens, na) != 0)
		ret = 2;
	Spillguard__IskSummary *was =
		spillguard__isk_summary__unpack(NULL, lg->leaves[n - 1].len, lg->leaves[n - 1].data);
	Spillguard__IskSummary *now = isk ? spillguard__isk_summary__unpack(NULL, isk_len, isk) : NULL;
	if (ret == 0 && was != NULL && now != NULL) {
		char path[4200];
		c->changed += differ(now->isk, now->n_isk, was->isk, was->n_isk);
		snprintf(path, sizeof path, "%s/published/%s", c->dir, SG_PUB_ISK);
		ret = relog_replace(lg, n - 1, isk, isk_len);
		if (ret == 0 && sg_file_write(path, isk, isk_len, 0644, true, c->err, sizeof c->err))
			ret = 2;
	}
	if (was != NULL)
		spillguard__isk_summary__free_unpacked(was, NULL);
	if (now != NULL)
		spillguard__isk_summary__free_unpacked(now, NULL);
	free(isk);
	free(aggs);
	free(lens);
	return ret;
}

/* Every aggregate and the ISK again, the log recorded and co-signed. */
static int republish(ctx *c)
{
	char path[4200], *bytes = NULL;
	size_t len, out_len = 0;
	uint8_t *out = NULL;
	snprintf(path, sizeof path, "%s/published/%s", c->dir, SG_PUB_LOG);
	if (sg_file_read(&bytes, &len, path, (size_t)64 << 20, c->err, sizeof c->err) != 0)
		return 2;
	Spillguard__Log *lg = spillguard__log__unpack(NULL, len, (uint8_t *)bytes);
	int ret = lg != NULL && lg->head != NULL && lg->n_leaves >= 3 ? 0 : 2;
	for (size_t i = 1; ret == 0 && i + 2 < lg->n_leaves; i++)
		ret = republish_one(c, lg, i);
	if (ret == 0)
		ret = republish_isk(c, lg);
	if (ret == 0)
		ret = relog_sign(lg, c->dir);
	if (ret == 0)
		ret = relog_pack(lg, &out, &out_len);
	if (ret == 0 && sg_file_write(path, out, out_len, 0644, true, c->err, sizeof c->err) != 0)
		ret = 2;
	if (lg != NULL)
		spillguard__log__free_unpacked(lg, NULL);
	free(bytes);
	free(out);
	return ret;
}

static int setup(ctx *c, const char *dir)
{
	char path[4200], *bytes = NULL;
	size_t len;
	snprintf(c->dir, sizeof c->dir, "%s", dir);
	snprintf(path, sizeof path, "%s/task.sgt", dir);
	int ret = sg_file_read(&bytes, &len, path, (size_t)16 << 20, c->err, sizeof c->err);
	if (ret == 0)
		ret = sg_task_open(&c->task, (const uint8_t *)bytes, len, NULL, c->err, sizeof c->err);
	if (ret == 0)
		ret = sg_task_prio3(&c->leader.prio3, c->task);
	c->leader.task = c->task;
	free(bytes);
	return ret;
}

int main(int argc, char **argv)
{
	ctx c = { 0 };
	sg_pubdir p = { 0 };
	sg_audit_found found = { 0 };
	char pub[4200];
	if (argc != 2) {
		fprintf(stderr, "usage: republish DIR (a demo's kept folder)\n");
		return 2;
	}
	int ret = sodium_init() < 0 ? 2 : setup(&c, argv[1]);
	if (ret == 0)
		ret = republish(&c);
	if (ret == 0)
		printf("changed=%u\n", c.changed);
	snprintf(pub, sizeof pub, "%s/published", argv[1]);
	if (ret == 0)
		ret = sg_pubdir_read(&p, pub, c.err, sizeof c.err);
	if (ret == 0 && sg_audit_publication(c.task, &p.files, &found, say, &c) < 0)
		ret = 2;
	if (ret != 0)
		fprintf(stderr, "republish: %s\n", c.err[0] ? c.err : "failed");
	sg_audit_found_free(&found);
	sg_pubdir_free(&p);
	sg_prio3_free(c.leader.prio3);
	sg_task_free(c.task);
	return ret != 0 ? 2 : c.failed > 0 ? 1 : 0;
}
