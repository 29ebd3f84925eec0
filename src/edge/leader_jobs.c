/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <time.h>
#include <string.h>

#include <sodium.h>

#include "edge/leader_jobs.h"
#include "core/signed.h"
#include "protocol/log.h"
#include "protocol/collect.h"
#include "protocol/verify_key.h"
#include "spillguard/err.h"
#include "util/misuse.h"

/* The uploads a new job takes: their ids, one after the other. */
typedef struct taking {
	sg_store *store;
	const uint8_t *job_id;
	uint8_t *ids;
	size_t n;
} taking;

static int take_one(void *ctx, const sg_store_upload *u)
{
	taking *t = ctx;
	enum sg_store_put o;
	int ret = sg_store_prep_put(t->store, &o, u->report_id, u->enterprise_id, u->industry,
				    t->job_id);
	if (ret == 0 && o != SG_STORE_NEW)
		ret = SG_ERR_STATE; /* uploads are unique by id and enterprise */
	if (ret == 0) {
		memcpy(t->ids + t->n * SG_REPORT_ID_BYTES, u->report_id, SG_REPORT_ID_BYTES);
		t->n++;
	}
	return ret;
}

/* A new job of the oldest waiting uploads, recorded in one transaction. */
static int take_job(sg_leader_jobs *l, uint8_t job_id[SG_JOB_ID_BYTES], size_t *taken,
		    uint64_t now)
{
	size_t n;
	*taken = 0;
	if (l->min_take > 1) {
		int ret = sg_store_uploads_waiting(l->store, l->min_take, &n);
		if (ret != 0 || n < l->min_take)
			return ret;
	}
	taking t = { l->store, job_id, malloc(l->job_size * SG_REPORT_ID_BYTES), 0 };
	if (t.ids == NULL)
		return SG_ERR_NOMEM;
	randombytes_buf(job_id, SG_JOB_ID_BYTES);
	int ret = sg_store_begin(l->store);
	if (ret == 0)
		ret = sg_store_next_uploads(l->store, l->job_size, &n, take_one, &t);
	if (ret == 0 && t.n > 0)
		ret = sg_store_uploads_taken(l->store, job_id);
	if (ret == 0 && t.n > 0)
		ret = sg_store_job_put(l->store, job_id, SG_JOB_STEP_INIT, NULL, 0);
	if (ret == 0 && t.n > 0)
		ret = sg_store_job_request_put(l->store, job_id, now, t.ids,
					       t.n * SG_REPORT_ID_BYTES);
	ret = sg_store_end(l->store, ret);
	if (ret == 0)
		*taken = t.n;
	free(t.ids);
	return ret;
}

/* The stored uploads of a job, in the job's order. */
typedef struct job_reports {
	size_t n;
	uint8_t *ids;
	uint8_t **reports, **kept; /* kept: the leader's preparations (secret) */
	size_t *lens, *kept_lens;
	uint64_t at;
} job_reports;

static void job_reports_free(job_reports *r)
{
	for (size_t i = 0; r->reports != NULL && i < r->n; i++)
		free(r->reports[i]);
	for (size_t i = 0; r->kept != NULL && i < r->n; i++) {
		if (r->kept[i] != NULL)
			sodium_memzero(r->kept[i], r->kept_lens[i]);
		free(r->kept[i]);
	}
	free(r->reports);
	free(r->kept);
	free(r->lens);
	free(r->kept_lens);
	free(r->ids);
	memset(r, 0, sizeof *r);
}

static int job_reports_load(job_reports *r, sg_store *s, const uint8_t *job_id)
{
	size_t len;
	memset(r, 0, sizeof *r);
	int ret = sg_store_job_request_get(s, job_id, &r->at, &r->ids, &len);
	if (ret != 0)
		return ret;
	if (len == 0 || len % SG_REPORT_ID_BYTES != 0 ||
	    len / SG_REPORT_ID_BYTES > SG_JOB_MAX_REPORTS) {
		ret = SG_ERR_STATE;
		goto cleanup;
	}
	r->n = len / SG_REPORT_ID_BYTES;
	r->reports = calloc(r->n, sizeof *r->reports);
	r->kept = calloc(r->n, sizeof *r->kept);
	r->lens = calloc(r->n, sizeof *r->lens);
	r->kept_lens = calloc(r->n, sizeof *r->kept_lens);
	ret = r->reports && r->kept && r->lens && r->kept_lens ? 0 : SG_ERR_NOMEM;
	for (size_t i = 0; ret == 0 && i < r->n; i++)
		ret = sg_store_upload_get(s, r->ids + i * SG_REPORT_ID_BYTES, &r->reports[i],
					  &r->lens[i], &r->kept[i], &r->kept_lens[i]);
cleanup:
	if (ret != 0)
		job_reports_free(r);
	return ret;
}

/* Every helper's reply to one request, in helper order from [1]. */
typedef struct replies {
	unsigned n;
	uint8_t **b;
	size_t *len;
} replies;

static int replies_new(replies *r, unsigned n)
{
	r->n = n;
	r->b = calloc(n, sizeof *r->b);
	r->len = calloc(n, sizeof *r->len);
	return r->b && r->len ? 0 : SG_ERR_NOMEM;
}

static void replies_free(replies *r)
{
	for (unsigned j = 0; r->b != NULL && j < r->n; j++)
		free(r->b[j]);
	free(r->b);
	free(r->len);
	memset(r, 0, sizeof *r);
}

static int ask_helper(sg_leader_jobs *l, replies *r, unsigned j, const uint8_t *req, size_t len)
{
	int ret = l->call(l->call_ctx, j, req, len, &r->b[j], &r->len[j]);
	if (ret != 0) {
		r->b[j] = NULL;
		r->len[j] = 0;
	}
	return ret;
}

/* reqs[j] to every helper j: all at once when the leader can, else in turn. */
static int ask_helpers(sg_leader_jobs *l, replies *r, replies *reqs)
{
	if (l->call_all != NULL)
		return l->call_all(l->call_ctx, (const uint8_t *const *)reqs->b, reqs->len, r->b,
				   r->len);
	int ret = 0;
	for (unsigned j = 1; ret == 0 && j < r->n; j++)
		ret = ask_helper(l, r, j, reqs->b[j], reqs->len[j]);
	return ret;
}

/* Init and continue with every helper, then settle: the job's decisions. */
static int drive(sg_leader_jobs *l, sg_job *job, const job_reports *r)
{
	unsigned nagg = (unsigned)l->party.task->body->n_aggregators;
	const uint8_t *const *reports = (const uint8_t *const *)r->reports;
	replies init = { 0 }, cont = { 0 }, reqs = { 0 };
	uint8_t *msg = NULL;
	size_t msg_len;
	int ret = replies_new(&init, nagg);
	if (ret == 0)
		ret = replies_new(&cont, nagg);
	if (ret == 0)
		ret = replies_new(&reqs, nagg);
	for (unsigned j = 1; ret == 0 && j < nagg; j++)
		ret = sg_job_init_for(&reqs.b[j], &reqs.len[j], job, &l->party, j, reports, r->lens);
	if (ret == 0)
		ret = ask_helpers(l, &init, &reqs);
	if (ret == 0)
		ret = sg_job_combine(job, &l->party, (const uint8_t *const *)&init.b[1], &init.len[1]);
	if (ret == 0)
		ret = sg_job_continue_msg(&msg, &msg_len, job, &l->party);
	for (unsigned j = 1; ret == 0 && j < nagg; j++) { /* the same message to every helper */
		free(reqs.b[j]);
		reqs.b[j] = NULL;
		reqs.len[j] = 0;
	}
	for (unsigned j = 1; ret == 0 && j < nagg; j++) {
		reqs.b[j] = malloc(msg_len + 1);
		ret = reqs.b[j] ? 0 : SG_ERR_NOMEM;
		if (ret == 0) {
			memcpy(reqs.b[j], msg, msg_len);
			reqs.len[j] = msg_len;
		}
	}
	if (ret == 0)
		ret = ask_helpers(l, &cont, &reqs);
	if (ret == 0)
		ret = sg_job_settle(job, &l->party, (const uint8_t *const *)&cont.b[1], &cont.len[1]);
	free(msg);
	replies_free(&init);
	replies_free(&cont);
	replies_free(&reqs);
	return ret;
}

/* Every report settled, the output shares added, the job done: at once. */
static int record(sg_leader_jobs *l, const sg_job *job, const job_reports *r)
{
	int ret = sg_store_begin(l->store);
	for (size_t i = 0; ret == 0 && i < job->n; i++) {
		enum sg_reject rj = job->preps[i].reject;
		ret = sg_store_prep_settle(l->store, r->ids + i * SG_REPORT_ID_BYTES,
					   rj == SG_REJECT_NONE ? SG_PREP_ACCEPTED : SG_PREP_REFUSED,
					   (int)rj);
	}
	if (ret == 0)
		ret = sg_store_job_accumulate(l->store, job, &l->party);
	if (ret == 0)
		ret = sg_store_job_put(l->store, job->id, SG_JOB_STEP_DONE, NULL, 0);
	return sg_store_end(l->store, ret);
}

static int run_job(sg_leader_jobs *l, const uint8_t job_id[SG_JOB_ID_BYTES])
{
	job_reports r;
	sg_job job = { 0 };
	int ret = job_reports_load(&r, l->store, job_id);
	if (ret != 0)
		return ret;
	ret = sg_leader_job_new(&job, &l->party, (const uint8_t *const *)r.reports, r.lens,
				(const uint8_t *const *)r.kept, r.kept_lens, r.n);
	if (ret == 0) {
		memcpy(job.id, job_id, SG_JOB_ID_BYTES); /* the recorded job, again */
		ret = drive(l, &job, &r);
	}
	if (ret == 0)
		ret = record(l, &job, &r);
	sg_job_free(&job);
	job_reports_free(&r);
	return ret;
}

static void check(const sg_leader_jobs *l)
{
	if (l->job_size == 0 || l->job_size > SG_JOB_MAX_REPORTS || l->call == NULL ||
	    l->party.index != 0)
		sg_misuse("sg_leader_jobs: job_size 1..SG_JOB_MAX_REPORTS, a call, the leader");
}

int sg_leader_jobs_step(sg_leader_jobs *l, size_t *taken, uint64_t now)
{
	uint8_t job_id[SG_JOB_ID_BYTES];
	size_t resumed;
	*taken = 0;
	int ret = sg_leader_jobs_resume(l, &resumed); /* an open job goes first */
	if (ret == 0)
		ret = take_job(l, job_id, taken, now);
	if (ret == 0 && *taken > 0)
		ret = run_job(l, job_id);
	return ret;
}

int sg_leader_jobs_resume(sg_leader_jobs *l, size_t *done)
{
	uint8_t *ids;
	size_t n;
	check(l);
	*done = 0;
	int ret = sg_store_jobs_open(l->store, SG_JOB_STEP_DONE, &ids, &n);
	for (size_t i = 0; ret == 0 && i < n; i++) {
		ret = run_job(l, ids + i * SG_JOB_ID_BYTES);
		if (ret == 0)
			(*done)++;
	}
	free(ids);
	return ret;
}

/* --- collection ------------------------------------------------------------ */

void sg_round_result_free(sg_round_result *r)
{
	for (size_t k = 0; r->industries != NULL && k < r->n; k++) {
		free(r->industries[k].published);
		free(r->industries[k].ids);
	}
	free(r->industries);
	free(r->outcome);
	free(r->isk);
	free(r->log);
	memset(r, 0, sizeof *r);
}

/* The collect id of an industry: the same question whenever it is asked. */
static void collect_id(uint8_t id[SG_COLLECT_ID_BYTES], const sg_task *t, uint32_t industry)
{
	static const char label[] = "spillguard collect id v1";
	uint8_t h[crypto_hash_sha256_BYTES], ind[4] = { (uint8_t)(industry >> 24),
							 (uint8_t)(industry >> 16),
							 (uint8_t)(industry >> 8), (uint8_t)industry };
	crypto_hash_sha256_state st;
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const uint8_t *)label, sizeof label);
	crypto_hash_sha256_update(&st, t->id, SG_TASK_ID_BYTES);
	crypto_hash_sha256_update(&st, ind, sizeof ind);
	crypto_hash_sha256_final(&st, h);
	memcpy(id, h, SG_COLLECT_ID_BYTES);
}

/* Every aggregator's share for one industry, then its publication. */
static int collect_industry(sg_leader_jobs *l, const uint8_t sign_sk[64], sg_industry_result *res,
			    const uint8_t root[32], char *msg, size_t msg_len)
{
	const sg_task *t = l->party.task;
	unsigned nagg = (unsigned)t->body->n_aggregators;
	uint8_t cid[SG_COLLECT_ID_BYTES], *req = NULL;
	size_t req_len;
	replies shares = { 0 };
	sg_collect_req own;
	collect_id(cid, t, res->industry);
	int ret = replies_new(&shares, nagg);
	if (ret == 0)
		ret = sg_collect_request_msg(&req, &req_len, t, cid, res->industry, res->count, root);
	for (unsigned j = 0; ret == 0 && j < nagg; j++) {
		uint8_t *reply = NULL;
		size_t reply_len = 0;
		if (j == 0) {
			ret = sg_collect_request_read(&own, t, req, req_len);
			if (ret == 0)
				ret = sg_store_collect(l->store, &l->party, sign_sk, &own, &reply,
						       &reply_len);
		} else {
			ret = l->call(l->call_ctx, j, req, req_len, &reply, &reply_len);
		}
		if (ret == 0)
			ret = sg_collect_reply_read(&shares.b[j], &shares.len[j], &res->why, cid, reply,
						    reply_len);
		if (ret != 0)
			snprintf(msg, msg_len, "industry %u: aggregator %u: %s", res->industry, j,
				 ret == SG_ERR_VERIFY ? sg_collect_message(res->why)
						      : "no valid reply");
		free(reply);
	}
	if (ret == 0)
		ret = sg_publish_aggregate(&res->published, &res->published_len, &l->party,
					   res->industry, res->count, root,
					   (const uint8_t *const *)shares.b, shares.len, msg, msg_len);
	free(req);
	replies_free(&shares);
	return ret;
}

/* The round's log: the task, then the published aggregates, the outcome
 * and the ISK (arts, n of them) as leaves, the head signed by the leader
 * and every helper. */
static int round_log(sg_leader_jobs *l, const uint8_t sign_sk[64], sg_round_result *out,
		     const uint8_t **arts, const size_t *art_lens, size_t n, char *msg,
		     size_t msg_len)
{
	const sg_task *t = l->party.task;
	unsigned nagg = (unsigned)t->body->n_aggregators;
	size_t tlen = spillguard__task__get_packed_size(t->signed_task);
	const uint8_t **leaves = calloc(n + 2, sizeof *leaves);
	size_t *lens = calloc(n + 2, sizeof *lens), body_len = 0, req_len = 0;
	uint8_t *task = malloc(tlen + 1), *body = NULL, *req = NULL;
	uint8_t (*sigs)[64] = calloc(nagg, sizeof *sigs);
	int ret = leaves && lens && task && sigs ? 0 : SG_ERR_NOMEM;
	if (ret != 0)
		goto cleanup;
	spillguard__task__pack(t->signed_task, task);
	leaves[0] = task;
	lens[0] = tlen;
	for (size_t i = 0; i < n; i++) {
		leaves[i + 1] = arts[i];
		lens[i + 1] = art_lens[i];
	}
	ret = sg_log_head_body(&body, &body_len, t, leaves, lens, n + 1, (uint64_t)time(NULL));
	if (ret == 0)
		ret = sg_log_request_msg(&req, &req_len, t, body, body_len, leaves, lens, n + 1);
	if (ret == 0)
		ret = sg_sign_labeled(sigs[0], SG_TREE_HEAD_SIG_CONTEXT, body, body_len, sign_sk);
	for (unsigned j = 1; ret == 0 && j < nagg; j++) {
		uint8_t *reply = NULL;
		size_t reply_len = 0;
		ret = l->call(l->call_ctx, j, req, req_len, &reply, &reply_len);
		if (ret == 0)
			ret = sg_log_signature_read(sigs[j], t, j, body, body_len, reply, reply_len);
		if (ret != 0)
			snprintf(msg, msg_len, "aggregator %u did not sign the log's tree head", j);
		free(reply);
	}
	if (ret == 0)
		ret = sg_log_msg(&out->log, &out->log_len, t, leaves, lens, n + 1, body, body_len,
				 (const uint8_t(*)[64])sigs);
cleanup:
	free(leaves);
	free(lens);
	free(task);
	free(body);
	free(req);
	free(sigs);
	return ret;
}

int sg_leader_collect(sg_leader_jobs *l, const uint8_t sign_sk[64], sg_round_result *out,
		      char *msg, size_t msg_len)
{
	const Spillguard__TaskBody *tb = l->party.task->body;
	sg_store_counts c;
	size_t np = 0;
	check(l);
	memset(out, 0, sizeof *out);
	snprintf(msg, msg_len, "%s", "");
	int ret = sg_store_counts_get(l->store, SG_JOB_STEP_DONE, &c);
	if (ret == 0 && (c.waiting > 0 || c.jobs_open > 0)) {
		snprintf(msg, msg_len, "%llu reports wait and %llu jobs are open: aggregate first",
			 (unsigned long long)c.waiting, (unsigned long long)c.jobs_open);
		ret = SG_ERR_STATE;
	}
	if (ret != 0)
		return ret;
	out->n = tb->n_industries;
	out->industries = calloc(out->n, sizeof *out->industries);
	const uint8_t **pub = calloc(out->n + 2, sizeof *pub);
	size_t *pub_len = calloc(out->n + 2, sizeof *pub_len);
	ret = out->industries && pub && pub_len ? 0 : SG_ERR_NOMEM;
	uint32_t *ids = calloc(out->n + 1, sizeof *ids);
	if (ids == NULL)
		ret = SG_ERR_NOMEM;
	for (size_t k = 0; ret == 0 && k < out->n; k++) {
		sg_industry_result *res = &out->industries[k];
		uint8_t root[32];
		res->industry = tb->industries[k]->id;
		ret = sg_store_batch(l->store, res->industry, &res->count, root);
		if (ret == 0 && res->count < tb->min_batch) {
			res->why = SG_COLLECT_BELOW_MIN_BATCH; /* withheld: nobody is asked */
			continue;
		}
		if (ret == 0)
			ret = collect_industry(l, sign_sk, res, root, msg, msg_len);
		if (ret == 0) /* the report set, ascending, for the publication */
			ret = sg_store_accepted_ids(l->store, res->industry, &res->ids, &res->n_ids);
		if (ret == 0 && res->n_ids > 0)
			ret = sg_report_set_root(root, (uint8_t(*)[SG_REPORT_ID_BYTES])res->ids,
						 res->n_ids);
		if (ret == 0) {
			ids[np] = res->industry;
			pub[np] = res->published;
			pub_len[np++] = res->published_len;
		}
	}
	if (ret == 0)
		ret = sg_log_outcome_msg(&out->outcome, &out->outcome_len, l->party.task, ids, np);
	if (ret == 0)
		ret = sg_publish_isk(&out->isk, &out->isk_len, l->party.task, pub, pub_len, np);
	if (ret == 0) {
		pub[np] = out->outcome;
		pub_len[np] = out->outcome_len;
		pub[np + 1] = out->isk;
		pub_len[np + 1] = out->isk_len;
		ret = round_log(l, sign_sk, out, pub, pub_len, np + 2, msg, msg_len);
	}
	free(ids);
	free(pub);
	free(pub_len);
	if (ret != 0)
		sg_round_result_free(out);
	return ret;
}

/* --- the verification key ----------------------------------------------------- */

int sg_leader_verify_key_load(sg_store *store, uint8_t key[SG_PRIO3_VERIFY_KEY_BYTES])
{
	bool found;
	int ret = sg_store_secret_get(store, "verify_key", key, SG_PRIO3_VERIFY_KEY_BYTES, &found);
	if (ret == 0 && !found) {
		randombytes_buf(key, SG_PRIO3_VERIFY_KEY_BYTES);
		ret = sg_store_secret_put(store, "verify_key", key, SG_PRIO3_VERIFY_KEY_BYTES);
	}
	if (ret != 0)
		sodium_memzero(key, SG_PRIO3_VERIFY_KEY_BYTES);
	return ret;
}

int sg_leader_verify_key(sg_store *store, const sg_task *t, sg_helper_call call, void *call_ctx,
			 uint8_t key[SG_PRIO3_VERIFY_KEY_BYTES], char *msg, size_t msg_len)
{
	snprintf(msg, msg_len, "%s", "");
	int ret = sg_leader_verify_key_load(store, key);
	for (unsigned j = 1; ret == 0 && j < t->body->n_aggregators; j++) {
		uint8_t *grant = NULL, *ack = NULL;
		size_t grant_len, ack_len;
		ret = sg_verify_key_grant(&grant, &grant_len, t, j, key);
		if (ret == 0)
			ret = call(call_ctx, j, grant, grant_len, &ack, &ack_len);
		if (ret == 0)
			ret = sg_verify_key_ack_check(t, key, ack, ack_len);
		if (ret != 0)
			snprintf(msg, msg_len, "aggregator %u: %s", j,
				 ret == SG_ERR_VERIFY ? "holds another verification key"
						      : "did not acknowledge the verification key");
		free(grant);
		free(ack);
	}
	if (ret != 0)
		sodium_memzero(key, SG_PRIO3_VERIFY_KEY_BYTES);
	return ret;
}
