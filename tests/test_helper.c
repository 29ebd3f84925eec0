/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Aggregation jobs over the aggregators' stores. Helpers: exact sums,
 * retries answered byte for byte the same and counted once, a restart
 * between the two steps, requests that must change nothing. The leader:
 * uploads taken into jobs of bounded size, and a job cut short by a lost
 * reply and a restart finished once.
 */
#define _DEFAULT_SOURCE /* mkdtemp */

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <sodium.h>

#include "common.h"
#include "edge/helper.h"
#include "edge/leader_jobs.h"
#include "edge/peers.h"
#include "edge/publication.h"
#include "edge/pubdir.h"
#include "protocol/audit.h"
#include "util/file.h"
#include "util/json.h"
#include "protocol/upload.h"
#include "protocol/verify_key.h"
#include "spillguard/err.h"
#include "wire/codec.h"

#define NAGG 3
#define NENT 8
#define NCAT 4

static char dir[64];

typedef struct rig {
	sg_test_world w;
	sg_prio3 *p[NAGG];
	sg_party party[NAGG];
	uint8_t verify_key[32];
	sg_store *store[NAGG];
	sg_helper helper[NAGG];
	uint8_t *reports[NENT];
	size_t lens[NENT];
	uint64_t plain[2][NCAT];
	uint8_t *receipt[NENT]; /* the leader's receipts (packed Receipt) */
	size_t receipt_len[NENT];
	int calls_left; /* the call that loses its reply; -1: none */
} rig;

/* Aggregator j's store (0 is the leader's) and, for a helper, its handler. */
static void open_helper(rig *r, unsigned j)
{
	char path[128], err[256];
	snprintf(path, sizeof path, "%s/agg%u.db", dir, j);
	cr_assert_eq(sg_store_open(&r->store[j], path, r->w.task->id, err, sizeof err), 0, "%s", err);
	if (j > 0)
		sg_helper_init(&r->helper[j], &r->party[j], r->w.agg_sign_sk[j], r->store[j]);
}

static void close_helper(rig *r, unsigned j)
{
	if (j > 0)
		sg_helper_done(&r->helper[j]);
	sg_store_close(r->store[j]);
	r->store[j] = NULL;
}

static void rig_init(rig *r)
{
	memset(r, 0, sizeof *r);
	snprintf(dir, sizeof dir, "/tmp/sg-helper-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	sg_test_world_init(&r->w, NAGG, NENT, NCAT);
	randombytes_buf(r->verify_key, sizeof r->verify_key);
	memset(r->plain, 0, sizeof r->plain);
	r->calls_left = -1;
	for (unsigned j = 0; j < NAGG; j++) {
		cr_assert_eq(sg_task_prio3(&r->p[j], r->w.task), 0);
		r->party[j] = (sg_party){ r->w.task, r->p[j], j, r->w.agg_hpke_sk[j], r->verify_key };
		open_helper(r, j);
	}
	for (unsigned i = 0; i < NENT; i++) {
		uint64_t eek[NCAT];
		uint8_t id[16];
		for (int c = 0; c < NCAT; c++) {
			eek[c] = randombytes_uniform(65536);
			r->plain[i % 2][c] += eek[c];
		}
		cr_assert_eq(sg_report_build(&r->reports[i], &r->lens[i], id, r->w.task,
					     r->w.ent_id[i], r->w.ent_sk[i], eek, NCAT, 1500), 0);
	}
}

static void rig_free(rig *r)
{
	char cmd[128];
	for (unsigned j = 0; j < NAGG; j++) {
		close_helper(r, j);
		sg_prio3_free(r->p[j]);
	}
	for (unsigned i = 0; i < NENT; i++) {
		free(r->reports[i]);
		free(r->receipt[i]);
	}
	sg_test_world_free(&r->w);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

/* helper j's answer; a retry must get the very same bytes */
static uint8_t *ask(rig *r, unsigned j, const uint8_t *req, size_t len, size_t *reply_len)
{
	uint8_t *reply, *again;
	size_t again_len;
	cr_assert_eq(sg_helper_handle(&r->helper[j], &reply, reply_len, req, len, 1500), 0);
	cr_assert_eq(sg_helper_handle(&r->helper[j], &again, &again_len, req, len, 1500), 0);
	cr_assert_eq(again_len, *reply_len);
	cr_assert_arr_eq(again, reply, again_len, "a retry gets the recorded reply");
	free(again);
	return reply;
}

/* A job the helpers have prepared and the leader has combined. */
typedef struct open_job {
	sg_job lead;
} open_job;

static void job_begin(rig *r, open_job *o, size_t first, size_t n)
{
	uint8_t *init, *resp[NAGG];
	size_t init_len, resp_len[NAGG];
	const uint8_t *const *reports = (const uint8_t *const *)r->reports + first;
	cr_assert_eq(sg_leader_job_new(&o->lead, &r->party[0], reports, r->lens + first, NULL, NULL, n), 0);
	for (unsigned j = 1; j < NAGG; j++) {
		cr_assert_eq(sg_job_init_for(&init, &init_len, &o->lead, &r->party[0], j, reports,
					     r->lens + first), 0);
		resp[j] = ask(r, j, init, init_len, &resp_len[j]);
		free(init);
	}
	cr_assert_eq(sg_job_combine(&o->lead, &r->party[0], (const uint8_t *const *)&resp[1],
				    &resp_len[1]), 0);
	for (unsigned j = 1; j < NAGG; j++)
		free(resp[j]);
}

/* Continues and settles the job; helper `restart` (0: none) restarts
 * first. The leader's output shares land in aggs. */
static void job_finish(rig *r, open_job *o, unsigned restart, sg_prio3_agg **aggs)
{
	uint8_t *cont, *cresp[NAGG];
	size_t cont_len, cresp_len[NAGG];
	cr_assert_eq(sg_job_continue_msg(&cont, &cont_len, &o->lead, &r->party[0]), 0);
	if (restart > 0) {
		close_helper(r, restart);
		open_helper(r, restart);
	}
	for (unsigned j = 1; j < NAGG; j++)
		cresp[j] = ask(r, j, cont, cont_len, &cresp_len[j]);
	cr_assert_eq(sg_job_settle(&o->lead, &r->party[0], (const uint8_t *const *)&cresp[1],
				   &cresp_len[1]), 0);
	cr_assert_eq(sg_job_accumulate(&o->lead, &r->party[0], aggs), 0);
	for (unsigned j = 1; j < NAGG; j++)
		free(cresp[j]);
	free(cont);
	sg_job_free(&o->lead);
}

static void run_job(rig *r, size_t n, unsigned restart, sg_prio3_agg **aggs)
{
	open_job o;
	job_begin(r, &o, 0, n);
	job_finish(r, &o, restart, aggs);
}

/* The leader's share (aggs, or its store when aggs is NULL) plus each
 * helper's stored share is the plaintext. */
static void expect_sums(rig *r, sg_prio3_agg **aggs, uint64_t want_count)
{
	for (uint32_t k = 0; k < 2; k++) {
		uint8_t *enc[NAGG];
		size_t lens[NAGG];
		uint64_t sum[NCAT], count;
		lens[0] = sg_prio3_out_share_bytes(r->p[0]);
		enc[0] = malloc(lens[0]);
		if (aggs != NULL)
			sg_prio3_agg_encode(r->p[0], enc[0], aggs[k]);
		for (unsigned j = aggs != NULL; j < NAGG; j++) {
			if (j == 0)
				free(enc[0]);
			cr_assert_eq(sg_store_agg_get(r->store[j], k + 1, &count, &enc[j], &lens[j]), 0);
			cr_assert_eq(count, want_count, "helper %u industry %u: %lu reports", j, k + 1,
				     (unsigned long)count);
		}
		cr_assert_eq(sg_prio3_unshard(r->p[0], sum, NCAT, (const uint8_t *const *)enc, lens,
					      want_count), 0);
		cr_assert_arr_eq(sum, r->plain[k], sizeof sum, "industry %u", k + 1);
		for (unsigned j = 0; j < NAGG; j++)
			free(enc[j]);
	}
}

static void aggs_new(rig *r, sg_prio3_agg **aggs)
{
	for (int k = 0; k < 2; k++)
		cr_assert_eq(sg_prio3_agg_new(r->p[0], &aggs[k]), 0);
}

static void aggs_free(sg_prio3_agg **aggs)
{
	for (int k = 0; k < 2; k++)
		sg_prio3_agg_free(aggs[k]);
}

/* One job over every report; helper `restart` (0: none) restarts between
 * its two steps. Sums exact, every report settled, the job closed. */
static void whole_job(unsigned restart)
{
	rig r;
	sg_prio3_agg *aggs[2];
	rig_init(&r);
	aggs_new(&r, aggs);
	run_job(&r, NENT, restart, aggs);
	expect_sums(&r, aggs, NENT / 2);
	for (unsigned j = 1; j < NAGG; j++) {
		sg_store_counts c;
		cr_assert_eq(sg_store_counts_get(r.store[j], SG_JOB_STEP_DONE, &c), 0);
		cr_assert_eq(c.accepted, NENT);
		cr_assert_eq(c.pending, 0);
		cr_assert_eq(c.jobs, 1);
		cr_assert_eq(c.jobs_open, 0);
	}
	aggs_free(aggs);
	rig_free(&r);
}

Test(helper, jobs_sum_exactly_and_retries_count_once)
{
	whole_job(0);
}

Test(helper, a_restart_between_the_steps_rebuilds_the_job)
{
	whole_job(2);
}

Test(helper, interleaved_jobs_each_continue_from_their_own_state)
{
	rig r;
	sg_prio3_agg *aggs[2];
	open_job a, b;
	rig_init(&r);
	aggs_new(&r, aggs);
	job_begin(&r, &a, 0, NENT / 2);
	job_begin(&r, &b, NENT / 2, NENT / 2);
	job_finish(&r, &a, 0, aggs);
	job_finish(&r, &b, 0, aggs);
	expect_sums(&r, aggs, NENT / 2);
	aggs_free(aggs);
	rig_free(&r);
}

static uint32_t error_code(const uint8_t *reply, size_t len)
{
	sg_wire_msg w;
	cr_assert_eq(sg_wire_decode(&w, reply, len), 0);
	cr_assert_eq(w.env->msg_case, SPILLGUARD__ENVELOPE__MSG_ERROR);
	uint32_t code = w.env->error->code;
	sg_wire_msg_free(&w);
	return code;
}

static void expect_unchanged(rig *r, unsigned j, uint64_t accepted, uint64_t jobs)
{
	sg_store_counts c;
	cr_assert_eq(sg_store_counts_get(r->store[j], SG_JOB_STEP_DONE, &c), 0);
	cr_assert_eq(c.accepted, accepted);
	cr_assert_eq(c.pending, 0);
	cr_assert_eq(c.jobs, jobs);
}

Test(helper, bad_and_replayed_requests_change_nothing)
{
	rig r;
	sg_prio3_agg *aggs[2];
	uint8_t *reply, *init;
	size_t reply_len, init_len;
	rig_init(&r);
	aggs_new(&r, aggs);
	run_job(&r, 4, 0, aggs);

	/* bytes that are no request */
	const uint8_t junk[] = { 0x0a, 0x03, 'a', 'b' };
	cr_assert_eq(sg_helper_handle(&r.helper[1], &reply, &reply_len, junk, sizeof junk, 1500), 0);
	cr_assert_eq(error_code(reply, reply_len), SG_REJECT_MALFORMED);
	free(reply);

	/* a job whose reports were counted in another job: each refused */
	sg_job again;
	cr_assert_eq(sg_leader_job_new(&again, &r.party[0], (const uint8_t *const *)r.reports,
				       r.lens, NULL, NULL, 2), 0);
	cr_assert_eq(sg_job_init_for(&init, &init_len, &again, &r.party[0], 1,
				     (const uint8_t *const *)r.reports, r.lens), 0);
	cr_assert_eq(sg_helper_handle(&r.helper[1], &reply, &reply_len, init, init_len, 1500), 0);
	sg_wire_msg w;
	cr_assert_eq(sg_wire_decode(&w, reply, reply_len), 0);
	cr_assert_eq(w.env->msg_case, SPILLGUARD__ENVELOPE__MSG_JOB_RESP);
	cr_assert_eq(w.env->job_resp->n_results, 2);
	for (size_t i = 0; i < 2; i++)
		cr_assert_eq(w.env->job_resp->results[i]->error, SG_REJECT_REPLAYED);
	sg_wire_msg_free(&w);
	free(reply);
	free(init);

	/* that job's id again with other reports: not a retry */
	sg_job other;
	cr_assert_eq(sg_leader_job_new(&other, &r.party[0], (const uint8_t *const *)r.reports + 4,
				       r.lens + 4, NULL, NULL, 2), 0);
	memcpy(other.id, again.id, SG_JOB_ID_BYTES);
	cr_assert_eq(sg_job_init_for(&init, &init_len, &other, &r.party[0], 1,
				     (const uint8_t *const *)r.reports + 4, r.lens + 4), 0);
	cr_assert_eq(sg_helper_handle(&r.helper[1], &reply, &reply_len, init, init_len, 1500), 0);
	cr_assert_eq(error_code(reply, reply_len), SG_REJECT_REPLAYED);
	free(reply);
	free(init);
	sg_job_free(&other);
	sg_job_free(&again);

	/* a continue for a job never begun */
	Spillguard__AggregationJobContinue jc = SPILLGUARD__AGGREGATION_JOB_CONTINUE__INIT;
	Spillguard__Envelope env = SPILLGUARD__ENVELOPE__INIT;
	uint8_t ghost[SG_JOB_ID_BYTES] = { 0x99 }, *cont;
	size_t cont_len;
	jc.version = SG_WIRE_VERSION;
	jc.task_id = (ProtobufCBinaryData){ SG_TASK_ID_BYTES, r.w.task->id };
	jc.job_id = (ProtobufCBinaryData){ SG_JOB_ID_BYTES, ghost };
	env.msg_case = SPILLGUARD__ENVELOPE__MSG_JOB_CONTINUE;
	env.job_continue = &jc;
	cr_assert_eq(sg_wire_encode(&cont, &cont_len, &env), 0);
	cr_assert_eq(sg_helper_handle(&r.helper[1], &reply, &reply_len, cont, cont_len, 1500), 0);
	cr_assert_eq(error_code(reply, reply_len), SG_REJECT_MALFORMED);
	free(reply);
	free(cont);

	/* the first job's 4 reports, the replayed job (nothing taken) */
	expect_unchanged(&r, 1, 4, 2);
	aggs_free(aggs);
	rig_free(&r);
}

/* --- the leader's jobs over its store -------------------------------------- */

/* Reaches helper j in process; the call numbered calls_left reaches the
 * helper but its reply is lost. */
static int call_helper(void *ctx, unsigned j, const uint8_t *req, size_t len, uint8_t **reply,
		       size_t *reply_len)
{
	rig *r = ctx;
	int ret = sg_helper_handle(&r->helper[j], reply, reply_len, req, len, 1500);
	if (ret == 0 && r->calls_left >= 0 && r->calls_left-- == 0) {
		free(*reply);
		*reply = NULL;
		ret = SG_ERR_TIMEOUT;
	}
	return ret;
}

/* Uploads the reports whose bit is set in mask. */
static void upload_some(rig *r, unsigned mask)
{
	sg_leader ldr = { r->w.task, r->p[0], r->store[0], r->w.agg_hpke_sk[0], r->w.agg_sign_sk[0],
			  r->verify_key };
	for (unsigned i = 0; i < NENT; i++) {
		if (!(mask & (1u << i)))
			continue;
		uint8_t *reply;
		size_t len;
		enum sg_reject rj;
		cr_assert_eq(sg_leader_upload(&ldr, &reply, &len, &rj, r->reports[i], r->lens[i], 1500), 0);
		cr_assert_eq(rj, SG_REJECT_NONE);
		sg_wire_msg w;
		cr_assert_eq(sg_wire_decode(&w, reply, len), 0);
		cr_assert_eq(w.env->msg_case, SPILLGUARD__ENVELOPE__MSG_RECEIPT);
		free(r->receipt[i]);
		r->receipt_len[i] = spillguard__receipt__get_packed_size(w.env->receipt);
		r->receipt[i] = malloc(r->receipt_len[i]);
		spillguard__receipt__pack(w.env->receipt, r->receipt[i]);
		sg_wire_msg_free(&w);
		free(reply);
	}
}

static void upload_all(rig *r)
{
	upload_some(r, (1u << NENT) - 1);
}

static sg_leader_jobs leader_jobs(rig *r, size_t job_size)
{
	return (sg_leader_jobs){ r->party[0], r->store[0], call_helper, r, job_size, NULL, 0 };
}

static void expect_all_counted(rig *r, uint64_t jobs)
{
	for (unsigned j = 0; j < NAGG; j++) {
		sg_store_counts c;
		cr_assert_eq(sg_store_counts_get(r->store[j], SG_JOB_STEP_DONE, &c), 0);
		cr_assert_eq(c.accepted, NENT, "aggregator %u", j);
		cr_assert_eq(c.pending + c.waiting + c.refused + c.jobs_open, 0, "aggregator %u", j);
		cr_assert_eq(c.jobs, jobs, "aggregator %u", j);
	}
	expect_sums(r, NULL, NENT / 2);
}

Test(helper, the_leader_takes_uploads_into_bounded_jobs)
{
	rig r;
	size_t taken, sizes[4];
	rig_init(&r);
	upload_all(&r);
	sg_leader_jobs l = leader_jobs(&r, 3);
	for (int i = 0; i < 4; i++)
		cr_assert_eq(sg_leader_jobs_step(&l, &sizes[i], 1500), 0);
	cr_assert_eq(sizes[0], 3);
	cr_assert_eq(sizes[1], 3);
	cr_assert_eq(sizes[2], 2);
	cr_assert_eq(sizes[3], 0, "nothing left waiting");
	cr_assert_eq(sg_leader_jobs_step(&l, &taken, 1500), 0);
	cr_assert_eq(taken, 0);
	expect_all_counted(&r, 3);
	rig_free(&r);
}

/* With min_take, uploads gather until a job is full; with none, what waits
 * is taken. */
Test(helper, uploads_gather_until_a_job_is_full)
{
	rig r;
	size_t taken;
	rig_init(&r);
	upload_some(&r, 0x3); /* 2 */
	sg_leader_jobs l = leader_jobs(&r, 3);
	l.min_take = 3;
	cr_assert_eq(sg_leader_jobs_step(&l, &taken, 1500), 0);
	cr_assert_eq(taken, 0, "2 of 3 wait");
	upload_some(&r, 0x1c); /* 5 */
	cr_assert_eq(sg_leader_jobs_step(&l, &taken, 1500), 0);
	cr_assert_eq(taken, 3);
	cr_assert_eq(sg_leader_jobs_step(&l, &taken, 1500), 0);
	cr_assert_eq(taken, 0, "2 of 3 wait again");
	l.min_take = 0;
	cr_assert_eq(sg_leader_jobs_step(&l, &taken, 1500), 0);
	cr_assert_eq(taken, 2, "taken when told not to wait");
	sg_store_counts c;
	cr_assert_eq(sg_store_counts_get(r.store[0], SG_JOB_STEP_DONE, &c), 0);
	cr_assert_eq(c.accepted, 5);
	cr_assert_eq(c.jobs, 2);
	rig_free(&r);
}

Test(helper, a_job_cut_short_is_finished_once_after_a_restart)
{
	rig r;
	size_t taken, done;
	rig_init(&r);
	upload_all(&r);
	/* calls: init 1, init 2, continue 1, continue 2 - whose reply is lost */
	r.calls_left = 3;
	sg_leader_jobs l = leader_jobs(&r, NENT);
	cr_assert_eq(sg_leader_jobs_step(&l, &taken, 1500), SG_ERR_TIMEOUT);
	cr_assert_eq(taken, NENT);
	sg_store_counts c;
	cr_assert_eq(sg_store_counts_get(r.store[0], SG_JOB_STEP_DONE, &c), 0);
	cr_assert_eq(c.pending, NENT, "the leader counted nothing yet");
	cr_assert_eq(c.jobs_open, 1);
	/* the leader and that helper restart */
	close_helper(&r, 0);
	close_helper(&r, 2);
	open_helper(&r, 0);
	open_helper(&r, 2);
	l = leader_jobs(&r, NENT);
	int rc = sg_leader_jobs_resume(&l, &done);
	cr_assert_eq(rc, 0, "resume: %d", rc);
	cr_assert_eq(done, 1);
	cr_assert_eq(sg_leader_jobs_resume(&l, &done), 0);
	cr_assert_eq(done, 0);
	expect_all_counted(&r, 1);
	rig_free(&r);
}

Test(helper, a_step_finishes_an_open_job_before_taking_new_uploads)
{
	rig r;
	size_t taken;
	rig_init(&r);
	upload_some(&r, 0x0f);
	r.calls_left = 3; /* the first job's last continue reply is lost */
	sg_leader_jobs l = leader_jobs(&r, NENT);
	cr_assert_eq(sg_leader_jobs_step(&l, &taken, 1500), SG_ERR_TIMEOUT);
	upload_some(&r, 0xf0);
	/* the open job is finished first, then the new uploads form the next */
	cr_assert_eq(sg_leader_jobs_step(&l, &taken, 1500), 0);
	cr_assert_eq(taken, 4);
	cr_assert_eq(sg_leader_jobs_step(&l, &taken, 1500), 0);
	cr_assert_eq(taken, 0);
	expect_all_counted(&r, 2);
	rig_free(&r);
}

/* --- collection over the stores ------------------------------------------- */

/* The leader's view of an industry: its count and report-set root. */
static void leader_batch(rig *r, uint32_t industry, uint64_t *count, uint8_t root[32])
{
	cr_assert_eq(sg_store_batch(r->store[0], industry, count, root), 0);
}

/* Aggregator j's answer to a collect request (the leader answers itself). */
static int collect_at(rig *r, unsigned j, const uint8_t *req, size_t len, const uint8_t *cid,
		      uint8_t **share, size_t *share_len, enum sg_collect_refusal *refusal)
{
	uint8_t *reply;
	size_t reply_len;
	if (j == 0) {
		sg_collect_req c;
		cr_assert_eq(sg_collect_request_read(&c, r->w.task, req, len), 0);
		cr_assert_eq(sg_store_collect(r->store[0], &r->party[0], r->w.agg_sign_sk[0], &c,
					      &reply, &reply_len), 0);
	} else {
		reply = ask(r, j, req, len, &reply_len);
	}
	int ret = sg_collect_reply_read(share, share_len, refusal, cid, reply, reply_len);
	free(reply);
	return ret;
}

static uint8_t *collect_request(rig *r, uint8_t cid[16], uint32_t industry, int64_t count_delta,
				size_t *len)
{
	uint8_t root[32], *req;
	uint64_t count;
	randombytes_buf(cid, 16);
	leader_batch(r, industry, &count, root);
	cr_assert_eq(sg_collect_request_msg(&req, len, r->w.task, cid, industry,
					    count + (uint64_t)count_delta, root), 0);
	return req;
}

Test(helper, collection_releases_each_industry_once_with_exact_sums)
{
	rig r;
	size_t taken, len;
	uint8_t cid[16], *req, *shares[NAGG];
	size_t share_lens[NAGG];
	enum sg_collect_refusal refusal;
	rig_init(&r);
	upload_all(&r);
	sg_leader_jobs l = leader_jobs(&r, NENT);
	cr_assert_eq(sg_leader_jobs_step(&l, &taken, 1500), 0);

	for (uint32_t k = 1; k <= 2; k++) {
		/* a request whose count is off is refused and releases nothing */
		req = collect_request(&r, cid, k, 1, &len);
		for (unsigned j = 0; j < NAGG; j++) {
			cr_assert_eq(collect_at(&r, j, req, len, cid, &shares[j], &share_lens[j],
						&refusal), SG_ERR_VERIFY);
			cr_assert_eq(refusal, SG_COLLECT_COUNT_MISMATCH);
		}
		free(req);

		req = collect_request(&r, cid, k, 0, &len);
		for (unsigned j = 0; j < NAGG; j++)
			cr_assert_eq(collect_at(&r, j, req, len, cid, &shares[j], &share_lens[j],
						&refusal), 0, "aggregator %u", j);
		free(req);
		uint8_t root[32], *pub;
		uint64_t count;
		size_t pub_len;
		char msg[128];
		leader_batch(&r, k, &count, root);
		cr_assert_eq(sg_publish_aggregate(&pub, &pub_len, &r.party[0], k, count, root,
						  (const uint8_t *const *)shares, share_lens, msg,
						  sizeof msg), 0, "%s", msg);
		ProtobufCMessage *m;
		sg_wire_budget *b;
		cr_assert_eq(sg_wire_unpack(&m, &b, &spillguard__published_aggregate__descriptor, pub,
					    pub_len), 0);
		Spillguard__PublishedAggregate *pa = (Spillguard__PublishedAggregate *)m;
		cr_assert_eq(pa->report_count, NENT / 2);
		cr_assert_eq(pa->n_sum, NCAT);
		cr_assert_arr_eq(pa->sum, r.plain[k - 1], NCAT * sizeof(uint64_t), "industry %u", k);
		sg_wire_release(m, b);
		free(pub);
		for (unsigned j = 0; j < NAGG; j++)
			free(shares[j]);
	}

	/* released for good, across a restart: another collection is refused */
	close_helper(&r, 1);
	open_helper(&r, 1);
	req = collect_request(&r, cid, 1, 0, &len);
	for (unsigned j = 0; j < NAGG; j++) {
		cr_assert_eq(collect_at(&r, j, req, len, cid, &shares[j], &share_lens[j], &refusal),
			     SG_ERR_VERIFY);
		cr_assert_eq(refusal, SG_COLLECT_ALREADY, "aggregator %u", j);
	}
	free(req);
	sg_store_counts c;
	cr_assert_eq(sg_store_counts_get(r.store[1], SG_JOB_STEP_DONE, &c), 0);
	cr_assert_eq(c.collected, 2);
	rig_free(&r);
}

static sg_json *load_json(const char *pub, const char *name)
{
	char path[160], err[200];
	sg_json *j;
	snprintf(path, sizeof path, "%s/%s", pub, name);
	cr_assert_eq(sg_json_load_file(&j, path, err, sizeof err), 0, "%s", err);
	return j;
}

static void count_fails(void *ctx, bool ok, const char *check)
{
	(void)check;
	*(int *)ctx += !ok;
}

/* The folder passes the whole audit, and each receipt's report has the
 * fate the round gave it: reports 0 and 2 counted in industry 1, report 1
 * withheld with industry 2; with industry 1's report set changed, no fate
 * is decided. */
static void expect_audited(rig *r, const char *pub)
{
	sg_pubdir p;
	sg_audit_found found;
	char err[300], why[700];
	enum sg_audit_fate fate;
	int failed = 0;
	cr_assert_eq(sg_pubdir_read(&p, pub, err, sizeof err), 0, "%s", err);
	cr_assert_eq(sg_audit_publication(r->w.task, &p.files, &found, count_fails, &failed), 0);
	cr_assert_eq(failed, 0);
	cr_assert(found.record);
	sg_audit_found_free(&found);
	const struct {
		unsigned report;
		enum sg_audit_fate fate;
	} want[] = { { 0, SG_FATE_COUNTED }, { 2, SG_FATE_COUNTED }, { 1, SG_FATE_WITHHELD } };
	for (size_t i = 0; i < 3; i++) {
		unsigned k = want[i].report;
		cr_assert_eq(sg_audit_fate(&fate, &found, why, sizeof why, r->w.task, &p.files,
					   r->receipt[k], r->receipt_len[k]), 0);
		cr_assert_eq(fate, want[i].fate, "report %u: %s", k, why);
		sg_audit_found_free(&found);
	}
	/* a report set that is not the signed one: nothing decided */
	for (size_t i = 0; i < p.files.n_industries; i++)
		if (p.industries[i].id == 1 && p.industries[i].reports.len > 0)
			((uint8_t *)p.industries[i].reports.data)[p.industries[i].reports.len - 1] ^= 1;
	cr_assert_eq(sg_audit_fate(&fate, &found, why, sizeof why, r->w.task, &p.files,
				   r->receipt[0], r->receipt_len[0]), 0);
	cr_assert_eq(fate, SG_FATE_UNVERIFIED, "%s", why);
	cr_assert(strstr(why, "the report set") != NULL, "%s", why);
	sg_audit_found_free(&found);
	sg_pubdir_free(&p);
}

/* The publication directory holds the round, readable and exact. */
static void expect_publication(rig *r, const sg_round_result *res)
{
	char pub[96], path[160], err[200], *bytes;
	size_t len, n;
	snprintf(pub, sizeof pub, "%s/published", dir);
	for (int twice = 0; twice < 2; twice++)
		cr_assert_eq(sg_publication_write(pub, r->w.task, res, err, sizeof err), 0, "%s", err);
	snprintf(path, sizeof path, "%s/industry-1.pb", pub);
	cr_assert_eq(sg_file_read(&bytes, &len, path, 1 << 20, err, sizeof err), 0, "%s", err);
	cr_assert_eq(len, res->industries[0].published_len);
	cr_assert_arr_eq(bytes, res->industries[0].published, len);
	free(bytes);
	snprintf(path, sizeof path, "%s/industry-2.pb", pub);
	cr_assert_neq(access(path, F_OK), 0, "a withheld industry has no file");

	sg_json *j = load_json(pub, "industry-1.json");
	uint64_t v;
	cr_assert(sg_json_u64(sg_json_get(j, "report_count"), &v));
	cr_assert_eq(v, 4);
	const sg_json *cats = sg_json_get(j, "categories");
	cr_assert_eq(sg_json_len(cats), NCAT);
	for (size_t c = 0; c < NCAT; c++) {
		char want[24];
		snprintf(want, sizeof want, "%llu", (unsigned long long)r->plain[0][c]);
		cr_assert_str_eq(sg_json_str(sg_json_get(sg_json_at(cats, c), "sum"), &n), want);
	}
	cr_assert_eq(sg_json_len(sg_json_get(j, "aggregate_shares")), NAGG);
	sg_json_free(j);

	j = load_json(pub, "round.json");
	const sg_json *inds = sg_json_get(j, "industries");
	cr_assert_str_eq(sg_json_str(sg_json_get(sg_json_at(inds, 0), "status"), &n), "published");
	cr_assert_str_eq(sg_json_str(sg_json_get(sg_json_at(inds, 1), "status"), &n), "withheld");
	cr_assert_str_eq(sg_json_str(sg_json_get(sg_json_at(inds, 1), "reason"), &n),
			 sg_collect_message(SG_COLLECT_BELOW_MIN_BATCH));
	cr_assert_null(sg_json_get(sg_json_at(inds, 1), "report_count"),
		       "a withheld industry's count stays unpublished");
	sg_json_free(j);

	j = load_json(pub, "isk.json");
	cr_assert_eq(sg_json_len(sg_json_get(j, "industries")), 1);
	cr_assert_eq(sg_json_len(sg_json_get(j, "categories")), NCAT);
	sg_json_free(j);
	expect_audited(r, pub);
}

Test(helper, a_round_publishes_withholds_a_small_industry_and_survives_a_restart)
{
	rig r;
	size_t taken;
	char msg[160];
	sg_round_result res;
	rig_init(&r);
	/* industry 1: reports 0, 2, 4, 6; industry 2: report 1 alone (min_batch 2) */
	upload_some(&r, 0x57);
	sg_leader_jobs l = leader_jobs(&r, NENT);
	cr_assert_eq(sg_leader_collect(&l, r.w.agg_sign_sk[0], &res, msg, sizeof msg), SG_ERR_STATE);
	cr_assert(strstr(msg, "5 reports wait") != NULL, "%s", msg);
	cr_assert_eq(sg_leader_jobs_step(&l, &taken, 1500), 0);

	/* helper 2 releases its share but the reply is lost; the leader restarts */
	r.calls_left = 1;
	cr_assert_eq(sg_leader_collect(&l, r.w.agg_sign_sk[0], &res, msg, sizeof msg),
		     SG_ERR_TIMEOUT);
	cr_assert(strstr(msg, "aggregator 2") != NULL, "%s", msg);
	close_helper(&r, 0);
	open_helper(&r, 0);
	l = leader_jobs(&r, NENT);
	int rc = sg_leader_collect(&l, r.w.agg_sign_sk[0], &res, msg, sizeof msg);
	cr_assert_eq(rc, 0, "%d: %s", rc, msg);

	cr_assert_eq(res.n, 2);
	cr_assert_eq(res.industries[0].why, SG_COLLECT_OK);
	cr_assert_eq(res.industries[0].count, 4);
	ProtobufCMessage *m;
	sg_wire_budget *b;
	cr_assert_eq(sg_wire_unpack(&m, &b, &spillguard__published_aggregate__descriptor,
				    res.industries[0].published, res.industries[0].published_len), 0);
	Spillguard__PublishedAggregate *pa = (Spillguard__PublishedAggregate *)m;
	cr_assert_eq(pa->n_shares, NAGG);
	cr_assert_arr_eq(pa->sum, r.plain[0], NCAT * sizeof(uint64_t));
	sg_wire_release(m, b);
	cr_assert_eq(res.industries[1].why, SG_COLLECT_BELOW_MIN_BATCH);
	cr_assert_eq(res.industries[1].count, 1);
	cr_assert_null(res.industries[1].published);
	cr_assert_eq(sg_wire_unpack(&m, &b, &spillguard__isk_summary__descriptor, res.isk,
				    res.isk_len), 0);
	Spillguard__IskSummary *isk = (Spillguard__IskSummary *)m;
	cr_assert_eq(isk->n_industries, 1);
	cr_assert_eq(isk->industries[0], 1);
	sg_wire_release(m, b);
	expect_publication(&r, &res);
	sg_round_result_free(&res);
	/* the withheld industry was released by no one */
	for (unsigned j = 0; j < NAGG; j++) {
		bool collected;
		uint8_t *rel;
		size_t rel_len;
		cr_assert_eq(sg_store_collected_get(r.store[j], 2, &collected, &rel, &rel_len), 0);
		cr_assert_not(collected, "aggregator %u", j);
	}
	rig_free(&r);
}

Test(helper, the_verification_key_is_granted_kept_and_never_replaced)
{
	rig r;
	sg_prio3_agg *aggs[2];
	uint8_t *g, *ack, other[32];
	size_t glen, alen;
	rig_init(&r);
	aggs_new(&r, aggs);
	/* helper 2 starts without a key: it must not prepare anything */
	sg_party keyless = r.party[2];
	keyless.verify_key = NULL;
	sg_helper_done(&r.helper[2]);
	sg_helper_init(&r.helper[2], &keyless, r.w.agg_sign_sk[2], r.store[2]);
	sg_job lead;
	uint8_t *init, *reply;
	size_t init_len, reply_len;
	cr_assert_eq(sg_leader_job_new(&lead, &r.party[0], (const uint8_t *const *)r.reports, r.lens, NULL, NULL,
				       NENT), 0);
	cr_assert_eq(sg_job_init_for(&init, &init_len, &lead, &r.party[0], 2,
				     (const uint8_t *const *)r.reports, r.lens), 0);
	cr_assert_eq(sg_helper_handle(&r.helper[2], &reply, &reply_len, init, init_len, 1500),
		     SG_ERR_STATE);
	cr_assert_null(reply);
	free(init);
	sg_job_free(&lead);

	/* granted: acknowledged with the same fingerprint */
	cr_assert_eq(sg_verify_key_grant(&g, &glen, r.w.task, 2, r.verify_key), 0);
	ack = ask(&r, 2, g, glen, &alen);
	cr_assert_eq(sg_verify_key_ack_check(r.w.task, r.verify_key, ack, alen), 0);
	free(ack);
	free(g);
	/* another key later is not taken: the ack shows the one held */
	randombytes_buf(other, sizeof other);
	cr_assert_eq(sg_verify_key_grant(&g, &glen, r.w.task, 2, other), 0);
	ack = ask(&r, 2, g, glen, &alen);
	cr_assert_eq(sg_verify_key_ack_check(r.w.task, other, ack, alen), SG_ERR_VERIFY);
	cr_assert_eq(sg_verify_key_ack_check(r.w.task, r.verify_key, ack, alen), 0);
	free(ack);
	free(g);
	/* a grant for helper 1 sent to helper 2 is refused */
	cr_assert_eq(sg_verify_key_grant(&g, &glen, r.w.task, 1, r.verify_key), 0);
	cr_assert_eq(sg_helper_handle(&r.helper[2], &reply, &reply_len, g, glen, 1500), 0);
	cr_assert_eq(error_code(reply, reply_len), SG_REJECT_MALFORMED);
	free(reply);
	free(g);

	/* after a restart the key comes from the store and the job sums exactly */
	sg_helper_done(&r.helper[2]);
	sg_store_close(r.store[2]);
	char path[128], err[256];
	snprintf(path, sizeof path, "%s/agg2.db", dir);
	cr_assert_eq(sg_store_open(&r.store[2], path, r.w.task->id, err, sizeof err), 0, "%s", err);
	sg_helper_init(&r.helper[2], &keyless, r.w.agg_sign_sk[2], r.store[2]);
	run_job(&r, NENT, 0, aggs);
	expect_sums(&r, aggs, NENT / 2);
	aggs_free(aggs);
	rig_free(&r);
}

Test(helper, the_leader_draws_keeps_and_grants_the_key)
{
	rig r;
	uint8_t key[32], again[32];
	char msg[128];
	rig_init(&r);
	/* the helpers start without a key (fresh stores) */
	for (unsigned j = 1; j < NAGG; j++) {
		sg_party keyless = r.party[j];
		keyless.verify_key = NULL;
		sg_helper_done(&r.helper[j]);
		sg_helper_init(&r.helper[j], &keyless, r.w.agg_sign_sk[j], r.store[j]);
	}
	cr_assert_eq(sg_leader_verify_key(r.store[0], r.w.task, call_helper, &r, key, msg,
					  sizeof msg), 0, "%s", msg);
	cr_assert_not(sg_test_zeroed(key, sizeof key));
	/* again, e.g. after a restart: the same key, still acknowledged */
	cr_assert_eq(sg_leader_verify_key(r.store[0], r.w.task, call_helper, &r, again, msg,
					  sizeof msg), 0, "%s", msg);
	cr_assert_arr_eq(again, key, sizeof key);
	/* a leader that lost its store draws a new key: the helpers say no */
	close_helper(&r, 0);
	char path[128];
	snprintf(path, sizeof path, "%s/agg0.db", dir);
	cr_assert_eq(unlink(path), 0);
	open_helper(&r, 0);
	cr_assert_eq(sg_leader_verify_key(r.store[0], r.w.task, call_helper, &r, again, msg,
					  sizeof msg), SG_ERR_VERIFY);
	cr_assert(strstr(msg, "aggregator 1: holds another") != NULL, "%s", msg);
	cr_assert(sg_test_zeroed(again, sizeof again));
	rig_free(&r);
}

/* --- the same round over CURVE sockets on loopback ---------------------------- */

typedef struct served_helper {
	rig *r;
	unsigned j;
	sg_server *srv;
	pthread_t th;
	atomic_bool stop;
	atomic_int failures;
} served_helper;

static void *serve_helper(void *arg)
{
	served_helper *v = arg;
	while (!atomic_load(&v->stop))
		if (sg_helper_serve(&v->r->helper[v->j], v->srv, 20, 1500) < 0)
			atomic_fetch_add(&v->failures, 1);
	return NULL;
}

Test(helper, a_round_over_curve_sockets_publishes_exact_sums)
{
	rig r;
	served_helper v[NAGG];
	const char *endpoints[NAGG] = { NULL };
	uint8_t allowed[NAGG * 32], key[32];
	char err[256] = "", msg[160] = "";
	sg_peers peers;
	size_t taken;
	rig_init(&r);
	/* the leader's key, drawn and kept before the first upload needs it */
	cr_assert_eq(sg_leader_verify_key_load(r.store[0], r.verify_key), 0);
	upload_all(&r);
	for (unsigned j = 0; j < NAGG; j++)
		memcpy(allowed + 32 * j, r.w.task->body->aggregators[j]->curve_pk.data, 32);
	for (unsigned j = 1; j < NAGG; j++) {
		v[j] = (served_helper){ .r = &r, .j = j };
		/* the test world's CURVE keys are its HPKE keys */
		cr_assert_eq(sg_server_open(&v[j].srv, "tcp://127.0.0.1:*", r.w.agg_hpke_sk[j],
					    allowed, NAGG, err, sizeof err), 0, "%s", err);
		endpoints[j] = sg_server_endpoint(v[j].srv);
		cr_assert_eq(pthread_create(&v[j].th, NULL, serve_helper, &v[j]), 0);
	}
	cr_assert_eq(sg_peers_open(&peers, r.w.task, r.w.agg_hpke_sk[0], endpoints, 10000, err,
				   sizeof err), 0, "%s", err);
	cr_assert_eq(sg_leader_verify_key(r.store[0], r.w.task, sg_peers_call, &peers, key, msg,
					  sizeof msg), 0, "%s", msg);
	cr_assert_arr_eq(key, r.verify_key, sizeof key, "the key granted is the one kept");
	r.party[0].verify_key = key;
	/* the helpers asked at once, as the daemon does */
	sg_leader_jobs l = { r.party[0], r.store[0], sg_peers_call, &peers, 3, sg_peers_call_all, 0 };
	do
		cr_assert_eq(sg_leader_jobs_step(&l, &taken, 1500), 0);
	while (taken > 0);
	sg_round_result res;
	int rc = sg_leader_collect(&l, r.w.agg_sign_sk[0], &res, msg, sizeof msg);
	cr_assert_eq(rc, 0, "%d %s", rc, msg);
	for (size_t k = 0; k < 2; k++) {
		ProtobufCMessage *m;
		sg_wire_budget *b;
		cr_assert_eq(sg_wire_unpack(&m, &b, &spillguard__published_aggregate__descriptor,
					    res.industries[k].published,
					    res.industries[k].published_len), 0);
		const Spillguard__PublishedAggregate *pa = (const Spillguard__PublishedAggregate *)m;
		cr_assert_eq(pa->report_count, NENT / 2);
		cr_assert_arr_eq(pa->sum, r.plain[k], NCAT * sizeof(uint64_t), "industry %zu", k + 1);
		sg_wire_release(m, b);
	}
	sg_round_result_free(&res);

	/* only the leader drives a helper: helper 1's key gets an Error from helper 2 */
	sg_client *c;
	uint8_t *reply;
	size_t reply_len;
	cr_assert_eq(sg_client_open(&c, endpoints[2], allowed + 64, r.w.agg_hpke_sk[1], err,
				    sizeof err), 0, "%s", err);
	cr_assert_eq(sg_client_call(c, &reply, &reply_len, (const uint8_t *)"x", 1, 10000), 0);
	cr_assert_eq(error_code(reply, reply_len), SG_REJECT_MALFORMED);
	free(reply);
	sg_client_close(c);

	sg_peers_close(&peers);
	for (unsigned j = 1; j < NAGG; j++) {
		atomic_store(&v[j].stop, true);
		cr_assert_eq(pthread_join(v[j].th, NULL), 0);
		cr_expect_eq(atomic_load(&v[j].failures), 0, "helper %u", j);
		sg_server_close(v[j].srv);
	}
	rig_free(&r);
}
