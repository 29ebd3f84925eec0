/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "edge/leader_jobs.h"
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
	taking t = { l->store, job_id, malloc(l->job_size * SG_REPORT_ID_BYTES), 0 };
	size_t n;
	*taken = 0;
	if (t.ids == NULL)
		return SG_ERR_NOMEM;
	randombytes_buf(job_id, SG_JOB_ID_BYTES);
	int ret = sg_store_begin(l->store);
	if (ret == 0)
		ret = sg_store_next_uploads(l->store, l->job_size, &n, take_one, &t);
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
	uint8_t **reports;
	size_t *lens;
	uint64_t at;
} job_reports;

static void job_reports_free(job_reports *r)
{
	for (size_t i = 0; r->reports != NULL && i < r->n; i++)
		free(r->reports[i]);
	free(r->reports);
	free(r->lens);
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
	r->lens = calloc(r->n, sizeof *r->lens);
	ret = r->reports && r->lens ? 0 : SG_ERR_NOMEM;
	for (size_t i = 0; ret == 0 && i < r->n; i++)
		ret = sg_store_upload_get(s, r->ids + i * SG_REPORT_ID_BYTES, &r->reports[i],
					  &r->lens[i]);
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

/* Init and continue with every helper, then settle: the job's decisions. */
static int drive(sg_leader_jobs *l, sg_job *job, const job_reports *r)
{
	unsigned nagg = (unsigned)l->party.task->body->n_aggregators;
	const uint8_t *const *reports = (const uint8_t *const *)r->reports;
	replies init = { 0 }, cont = { 0 };
	uint8_t *msg = NULL;
	size_t msg_len;
	int ret = replies_new(&init, nagg);
	if (ret == 0)
		ret = replies_new(&cont, nagg);
	for (unsigned j = 1; ret == 0 && j < nagg; j++) {
		ret = sg_job_init_for(&msg, &msg_len, job, &l->party, j, reports, r->lens);
		if (ret == 0)
			ret = ask_helper(l, &init, j, msg, msg_len);
		free(msg);
		msg = NULL;
	}
	if (ret == 0)
		ret = sg_job_combine(job, &l->party, (const uint8_t *const *)&init.b[1], &init.len[1]);
	if (ret == 0)
		ret = sg_job_continue_msg(&msg, &msg_len, job, &l->party);
	for (unsigned j = 1; ret == 0 && j < nagg; j++)
		ret = ask_helper(l, &cont, j, msg, msg_len);
	if (ret == 0)
		ret = sg_job_settle(job, &l->party, (const uint8_t *const *)&cont.b[1], &cont.len[1]);
	free(msg);
	replies_free(&init);
	replies_free(&cont);
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
	ret = sg_leader_job_new(&job, &l->party, (const uint8_t *const *)r.reports, r.lens, r.n,
				r.at);
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
	check(l);
	int ret = take_job(l, job_id, taken, now);
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
