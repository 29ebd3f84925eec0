/* SPDX-License-Identifier: Apache-2.0 */
/*
 * liar: test-only. A malicious leader with the leader's keys and store
 * (its daemon stopped): it collects every industry that reached min_batch
 * from its own store and from each helper over the real sockets, as the
 * leader would, then asks each helper to sign tree heads of logs that lie
 * about what was released, and last the honest one. One line per request
 * and helper:
 *
 *   lie=<name> helper=<j> outcome=signed|refused
 *
 * It first collects every such industry but the last. The lies: `subset`
 * (a released industry left out, called withheld), `unlisted` (a released
 * industry left out of the log, yet listed published), `empty` (no
 * industry published, every one called withheld), `repeat` (an aggregate
 * twice), `unsorted` (the aggregates out of the task's order),
 * `unreleased` (the industry not yet collected called withheld, though it
 * reached min_batch). Then it collects that industry too and asks for the
 * `honest` head. Exits 0 when every helper answered every request,
 * 2 otherwise (one line on stderr).
 *
 * Usage: liar --task TASK.sgt --leader-keys DIR --leader-db FILE
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "core/signed.h"
#include "core/task.h"
#include "edge/helper.h"
#include "edge/store.h"
#include "edge/transport.h"
#include "protocol/collect.h"
#include "protocol/log.h"
#include "protocol/report.h"
#include "spillguard/err.h"
#include "spillguard/keys.h"
#include "util/file.h"
#include "wire/codec.h"

#define PROG "liar"
#define TIMEOUT_MS 15000
#define MAX_IND 64

typedef struct liar {
	sg_task *task;
	sg_party party;
	sg_key *curve, *sign;
	sg_store *store;
	/* the released industries' aggregates, in the task's order */
	uint8_t *agg[MAX_IND];
	size_t agg_len[MAX_IND];
	uint32_t ids[MAX_IND];
	size_t n;
	char err[600];
} liar;

static int call(liar *l, uint8_t **reply, size_t *reply_len, unsigned j, const uint8_t *req,
		size_t len)
{
	const Spillguard__AggregatorInfo *a = l->task->body->aggregators[j];
	sg_client *c = NULL;
	int ret = sg_client_open(&c, a->endpoint, a->curve_pk.data, sg_key_secret(l->curve), l->err,
				 sizeof l->err);
	if (ret == 0 && (ret = sg_client_call(c, reply, reply_len, req, len, TIMEOUT_MS)) != 0)
		snprintf(l->err, sizeof l->err, "aggregator %u: %s", j, sg_client_error(c));
	sg_client_close(c);
	return ret;
}

/* Every aggregator's share of one industry (the leader's from its store),
 * then the aggregate. */
static int collect(liar *l, uint32_t industry, uint64_t count, const uint8_t root[32])
{
	size_t nagg = l->task->body->n_aggregators;
	uint8_t cid[SG_COLLECT_ID_BYTES], *req = NULL, *share[256] = { 0 };
	size_t req_len = 0, share_len[256] = { 0 };
	char msg[200] = "";
	randombytes_buf(cid, sizeof cid);
	int ret = sg_collect_request_msg(&req, &req_len, l->task, cid, industry, count, root);
	for (unsigned j = 0; ret == 0 && j < nagg; j++) {
		uint8_t *reply = NULL;
		size_t reply_len = 0;
		enum sg_collect_refusal why;
		if (j == 0) {
			sg_collect_req own;
			ret = sg_collect_request_read(&own, l->task, req, req_len);
			if (ret == 0)
				ret = sg_store_collect(l->store, &l->party, sg_key_secret(l->sign), &own,
						       &reply, &reply_len);
		} else {
			ret = call(l, &reply, &reply_len, j, req, req_len);
		}
		if (ret == 0)
			ret = sg_collect_reply_read(&share[j], &share_len[j], &why, cid, reply,
						    reply_len);
		if (ret != 0 && l->err[0] == '\0')
			snprintf(l->err, sizeof l->err, "industry %u: aggregator %u: %s", industry, j,
				 sg_strerror(ret));
		free(reply);
	}
	if (ret == 0)
		ret = sg_publish_aggregate(&l->agg[l->n], &l->agg_len[l->n], &l->party, industry,
					   count, root, (const uint8_t *const *)share, share_len,
					   msg, sizeof msg);
	if (ret == 0)
		l->ids[l->n++] = industry;
	else if (l->err[0] == '\0')
		snprintf(l->err, sizeof l->err, "industry %u: %s", industry, msg);
	for (size_t j = 0; j < nagg; j++)
		free(share[j]);
	free(req);
	return ret;
}

/* Every industry at min_batch or above, but the last (*last gets it). */
static int collect_all(liar *l, uint32_t *last, uint64_t *count, uint8_t root[32])
{
	const Spillguard__TaskBody *tb = l->task->body;
	int ret = 0;
	bool held = false;
	for (size_t k = 0; ret == 0 && k < tb->n_industries && k < MAX_IND; k++) {
		uint64_t c;
		uint8_t r[32];
		ret = sg_store_batch(l->store, tb->industries[k]->id, &c, r);
		if (ret != 0 || c < tb->min_batch)
			continue;
		if (held)
			ret = collect(l, *last, *count, root);
		*last = tb->industries[k]->id;
		*count = c;
		memcpy(root, r, 32);
		held = true;
	}
	if (ret == 0 && !held) {
		snprintf(l->err, sizeof l->err, "no industry reached min_batch");
		ret = SG_ERR_PARAM;
	}
	return ret;
}

/* One log of aggregates picks[0..n) (indexes into l->agg), published as
 * `published` (np of them), to every helper. */
static int ask(liar *l, const char *lie, const size_t *picks, size_t n, const uint32_t *published,
	       size_t np)
{
	size_t tlen = spillguard__task__get_packed_size(l->task->signed_task), nl = n + 3;
	const uint8_t *leaves[MAX_IND + 3];
	size_t lens[MAX_IND + 3], body_len = 0, req_len = 0, out_len = 0, isk_len = 0;
	uint8_t *task = malloc(tlen + 1), *out = NULL, *isk = NULL, *body = NULL, *req = NULL;
	const uint8_t *aggs[MAX_IND];
	size_t agg_lens[MAX_IND];
	int ret = task ? 0 : SG_ERR_NOMEM;
	if (ret == 0)
		spillguard__task__pack(l->task->signed_task, task);
	for (size_t i = 0; i < n; i++) {
		aggs[i] = l->agg[picks[i]];
		agg_lens[i] = l->agg_len[picks[i]];
	}
	if (ret == 0)
		ret = sg_log_outcome_msg(&out, &out_len, l->task, published, np);
	if (ret == 0)
		ret = sg_publish_isk(&isk, &isk_len, l->task, aggs, agg_lens, n);
	leaves[0] = task;
	lens[0] = tlen;
	for (size_t i = 0; i < n; i++) {
		leaves[1 + i] = aggs[i];
		lens[1 + i] = agg_lens[i];
	}
	leaves[n + 1] = out;
	lens[n + 1] = out_len;
	leaves[n + 2] = isk;
	lens[n + 2] = isk_len;
	if (ret == 0)
		ret = sg_log_head_body(&body, &body_len, l->task, leaves, lens, nl,
				       (uint64_t)time(NULL));
	if (ret == 0)
		ret = sg_log_request_msg(&req, &req_len, l->task, body, body_len, leaves, lens, nl);
	for (unsigned j = 1; ret == 0 && j < l->task->body->n_aggregators; j++) {
		uint8_t *reply = NULL, sig[64];
		size_t reply_len = 0;
		ret = call(l, &reply, &reply_len, j, req, req_len);
		if (ret == 0)
			printf("lie=%s helper=%u outcome=%s\n", lie, j,
			       sg_log_signature_read(sig, l->task, j, body, body_len, reply,
						     reply_len) == 0
				       ? "signed"
				       : "refused");
		free(reply);
	}
	free(task);
	free(out);
	free(isk);
	free(body);
	free(req);
	return ret;
}

/* The lies, then the truth. */
static int lie(liar *l, uint32_t last, uint64_t count, const uint8_t root[32])
{
	size_t all[MAX_IND + 1], n = l->n;
	for (size_t i = 0; i <= n; i++)
		all[i] = i;
	if (n < 2) {
		snprintf(l->err, sizeof l->err, "the test needs three industries at min_batch");
		return SG_ERR_PARAM;
	}
	int ret = ask(l, "subset", all + 1, n - 1, l->ids + 1, n - 1);
	if (ret == 0)
		ret = ask(l, "unlisted", all + 1, n - 1, l->ids, n);
	if (ret == 0)
		ret = ask(l, "empty", all, 0, l->ids, 0);
	if (ret == 0) {
		size_t twice[MAX_IND + 1];
		memcpy(twice, all, n * sizeof *all);
		twice[n] = n - 1;
		ret = ask(l, "repeat", twice, n + 1, l->ids, n);
	}
	if (ret == 0) {
		size_t swapped[MAX_IND];
		uint32_t ids[MAX_IND];
		memcpy(swapped, all, n * sizeof *all);
		memcpy(ids, l->ids, n * sizeof *ids);
		swapped[0] = 1;
		swapped[1] = 0;
		ids[0] = l->ids[1];
		ids[1] = l->ids[0];
		ret = ask(l, "unsorted", swapped, n, ids, n);
	}
	if (ret == 0)
		ret = ask(l, "unreleased", all, n, l->ids, n);
	if (ret == 0)
		ret = collect(l, last, count, root);
	if (ret == 0)
		ret = ask(l, "honest", all, l->n, l->ids, l->n);
	return ret;
}

static int load_key(liar *l, sg_key **k, const char *dir, enum sg_key_kind kind)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/%s.sk", dir, sg_key_kind_name(kind));
	return sg_key_load_secret(k, path, kind, l->err, sizeof l->err);
}

static int setup(liar *l, const char *task, const char *keys, const char *db)
{
	char *bytes = NULL;
	size_t len;
	int ret = sg_file_read(&bytes, &len, task, (size_t)16 << 20, l->err, sizeof l->err);
	if (ret == 0)
		ret = sg_task_open(&l->task, (const uint8_t *)bytes, len, NULL, l->err, sizeof l->err);
	free(bytes);
	if (ret == 0)
		ret = sg_task_prio3(&l->party.prio3, l->task);
	l->party.task = l->task;
	if (ret == 0)
		ret = load_key(l, &l->curve, keys, SG_KEY_CURVE);
	if (ret == 0)
		ret = load_key(l, &l->sign, keys, SG_KEY_SIGN);
	if (ret == 0)
		ret = sg_store_open(&l->store, db, l->task->id, l->err, sizeof l->err);
	return ret;
}

int main(int argc, char **argv)
{
	liar l = { 0 };
	if (argc != 7 || strcmp(argv[1], "--task") != 0 || strcmp(argv[3], "--leader-keys") != 0 ||
	    strcmp(argv[5], "--leader-db") != 0) {
		fprintf(stderr, "usage: %s --task TASK.sgt --leader-keys DIR --leader-db FILE\n", PROG);
		return 2;
	}
	int ret = sodium_init() < 0 ? SG_ERR_STATE : 0;
	if (ret == 0)
		ret = setup(&l, argv[2], argv[4], argv[6]);
	uint32_t last = 0;
	uint64_t count = 0;
	uint8_t root[32];
	if (ret == 0)
		ret = collect_all(&l, &last, &count, root);
	if (ret == 0)
		ret = lie(&l, last, count, root);
	if (ret != 0)
		fprintf(stderr, "%s: %s\n", PROG, l.err[0] ? l.err : sg_strerror(ret));
	for (size_t i = 0; i < l.n; i++)
		free(l.agg[i]);
	sg_store_close(l.store);
	sg_key_free(l.curve);
	sg_key_free(l.sign);
	sg_prio3_free(l.party.prio3);
	sg_task_free(l.task);
	return ret == 0 ? 0 : 2;
}
