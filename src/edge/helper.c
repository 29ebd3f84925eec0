/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "edge/helper.h"
#include "protocol/log.h"
#include "protocol/upload.h"
#include "protocol/verify_key.h"
#include "spillguard/err.h"
#include "wire/codec.h"

void sg_helper_init(sg_helper *h, const sg_party *party, const uint8_t sign_sk[64],
		    sg_store *store)
{
	memset(h, 0, sizeof *h);
	h->party = *party;
	h->sign_sk = sign_sk;
	h->store = store;
}

static void drop_job(sg_helper *h)
{
	if (h->has_job)
		sg_job_free(&h->job);
	h->has_job = false;
}

void sg_helper_done(sg_helper *h)
{
	drop_job(h);
	sodium_memzero(h->verify_key, sizeof h->verify_key);
}

/* The key the store holds, if any, becomes the party's. */
static int load_key(sg_helper *h)
{
	bool found;
	if (h->party.verify_key != NULL)
		return 0;
	int ret = sg_store_secret_get(h->store, "verify_key", h->verify_key, sizeof h->verify_key,
				      &found);
	if (ret == 0 && found)
		h->party.verify_key = h->verify_key;
	return ret;
}

/* Opens a grant, keeps the key (or finds the one held) and acknowledges. */
static int handle_grant(sg_helper *h, uint8_t **reply, size_t *reply_len, const uint8_t *req,
			size_t req_len)
{
	uint8_t key[SG_PRIO3_VERIFY_KEY_BYTES];
	int ret = sg_verify_key_open(key, h->party.task, h->party.index, h->party.hpke_sk, req,
				     req_len);
	if (ret == SG_ERR_PARSE || ret == SG_ERR_DECRYPT)
		return sg_error_reply(reply, reply_len, SG_REJECT_MALFORMED);
	if (ret == 0) {
		ret = sg_store_secret_put(h->store, "verify_key", key, sizeof key);
		if (ret == SG_ERR_STATE)
			ret = 0; /* another key is held: its fingerprint tells the leader */
	}
	if (ret == 0) {
		h->party.verify_key = NULL;
		ret = load_key(h);
	}
	if (ret == 0 && h->party.verify_key == NULL)
		ret = SG_ERR_STATE;
	if (ret == 0)
		ret = sg_verify_key_ack(reply, reply_len, h->party.task, h->verify_key);
	sodium_memzero(key, sizeof key);
	return ret;
}

/* "Seen" means: in the store under another job. A store failure is kept and
 * fails the whole request (the answer would otherwise be made up). */
typedef struct seen_ctx {
	sg_store *store;
	const uint8_t *job_id;
	int err;
} seen_ctx;

static bool seen_in_other_job(seen_ctx *c, const uint8_t *report_id, const char *enterprise)
{
	bool found = false;
	int ret = sg_store_prep_other_job(c->store, c->job_id, report_id, enterprise, &found);
	if (ret != 0 && c->err == 0)
		c->err = ret;
	return found || ret != 0;
}

static bool seen_report(void *ctx, const uint8_t id[SG_REPORT_ID_BYTES])
{
	return seen_in_other_job(ctx, id, NULL);
}

static bool seen_enterprise(void *ctx, const char *id)
{
	return seen_in_other_job(ctx, NULL, id);
}

/* Prepares the job's reports from its init request into h->job. */
static int prepare_job(sg_helper *h, uint8_t **resp, size_t *resp_len, const uint8_t *job_id,
		       const uint8_t *req, size_t req_len)
{
	seen_ctx c = { h->store, job_id, 0 };
	const sg_seen seen = { seen_report, seen_enterprise, &c };
	drop_job(h);
	int ret = sg_helper_job_init(&h->job, resp, resp_len, &h->party, &seen, req, req_len);
	if (ret == 0 && c.err != 0) {
		sg_job_free(&h->job);
		free(*resp);
		*resp = NULL;
		ret = c.err;
	}
	h->has_job = ret == 0;
	return ret;
}

/* Records a freshly prepared job: its pending reports, request and reply. */
static int record_init(sg_helper *h, const uint8_t *req, size_t req_len, uint64_t at,
		       const uint8_t *resp, size_t resp_len)
{
	int ret = sg_store_begin(h->store);
	if (ret != 0)
		return ret;
	for (size_t i = 0; ret == 0 && i < h->job.n; i++) {
		const sg_prep *p = &h->job.preps[i];
		enum sg_store_put o;
		if (p->reject != SG_REJECT_NONE)
			continue; /* a refused report claims nothing: it may be forged */
		ret = sg_store_prep_put(h->store, &o, p->report_id, p->enterprise_id, p->industry,
					h->job.id);
		if (ret == 0 && o != SG_STORE_NEW)
			ret = SG_ERR_STATE;
	}
	if (ret == 0)
		ret = sg_store_job_put(h->store, h->job.id, SG_JOB_STEP_INIT, resp, resp_len);
	if (ret == 0)
		ret = sg_store_job_request_put(h->store, h->job.id, at, req, req_len);
	return sg_store_end(h->store, ret);
}

/* Same request bytes as recorded? (a job id reused with other contents is not
 * a retry). */
static int same_request(sg_helper *h, const uint8_t *job_id, const uint8_t *req, size_t req_len,
			bool *same)
{
	uint8_t *stored;
	size_t len;
	uint64_t at;
	int ret = sg_store_job_request_get(h->store, job_id, &at, &stored, &len);
	if (ret != 0)
		return ret;
	*same = len == req_len && memcmp(stored, req, len) == 0;
	free(stored);
	return 0;
}

static int handle_init(sg_helper *h, uint8_t **reply, size_t *reply_len, const uint8_t *job_id,
		       const uint8_t *req, size_t req_len, uint64_t now)
{
	bool found, same;
	int step;
	int ret = sg_store_job_get(h->store, job_id, SG_JOB_STEP_INIT, &found, &step, reply,
				   reply_len);
	if (ret != 0 || found) {
		if (ret == 0 && (ret = same_request(h, job_id, req, req_len, &same)) == 0 && !same) {
			free(*reply);
			*reply = NULL;
			ret = sg_error_reply(reply, reply_len, SG_REJECT_REPLAYED);
		}
		return ret; /* a retry: the recorded answer */
	}
	ret = prepare_job(h, reply, reply_len, job_id, req, req_len);
	if (ret == SG_ERR_PARSE)
		return sg_error_reply(reply, reply_len, SG_REJECT_MALFORMED);
	if (ret == 0)
		ret = record_init(h, req, req_len, now, *reply, *reply_len);
	if (ret != 0) {
		drop_job(h);
		free(*reply);
		*reply = NULL;
		*reply_len = 0;
	}
	return ret;
}

/* After a restart: the job again from its recorded request, which must give
 * the recorded reply. */
static int rebuild_job(sg_helper *h, const uint8_t *job_id, const uint8_t *init_reply,
		       size_t init_reply_len)
{
	uint8_t *req = NULL, *resp = NULL;
	size_t req_len, resp_len;
	uint64_t at;
	int ret = sg_store_job_request_get(h->store, job_id, &at, &req, &req_len);
	if (ret == 0)
		ret = prepare_job(h, &resp, &resp_len, job_id, req, req_len);
	if (ret == 0 && (resp_len != init_reply_len || memcmp(resp, init_reply, resp_len) != 0)) {
		drop_job(h);
		ret = SG_ERR_STATE;
	}
	free(req);
	free(resp);
	return ret;
}

static int record_continue(sg_helper *h, const uint8_t *resp, size_t resp_len)
{
	int ret = sg_store_begin(h->store);
	if (ret != 0)
		return ret;
	for (size_t i = 0; ret == 0 && i < h->job.n; i++) {
		const sg_prep *p = &h->job.preps[i];
		bool taken;
		/* only the reports recorded at init are settled here */
		ret = sg_store_prep_in_job(h->store, h->job.id, p->report_id, &taken);
		if (ret == 0 && taken)
			ret = sg_store_prep_settle(h->store, p->report_id,
						   p->reject == SG_REJECT_NONE ? SG_PREP_ACCEPTED
									       : SG_PREP_REFUSED,
						   (int)p->reject);
	}
	if (ret == 0)
		ret = sg_store_job_accumulate(h->store, &h->job, &h->party);
	if (ret == 0)
		ret = sg_store_job_put(h->store, h->job.id, SG_JOB_STEP_DONE, resp, resp_len);
	return sg_store_end(h->store, ret);
}

static int handle_continue(sg_helper *h, uint8_t **reply, size_t *reply_len,
			   const uint8_t *job_id, const uint8_t *req, size_t req_len)
{
	bool found;
	int step;
	uint8_t *init_reply = NULL;
	size_t init_reply_len;
	int ret = sg_store_job_get(h->store, job_id, SG_JOB_STEP_DONE, &found, &step, reply,
				   reply_len);
	if (ret != 0 || (found && step >= SG_JOB_STEP_DONE))
		return ret; /* a retry: the recorded continue reply */
	free(*reply);
	*reply = NULL;
	if (!found)
		return sg_error_reply(reply, reply_len, SG_REJECT_MALFORMED);
	ret = sg_store_job_get(h->store, job_id, SG_JOB_STEP_INIT, &found, &step, &init_reply,
			       &init_reply_len);
	if (ret != 0)
		return ret;
	if (!h->has_job || memcmp(h->job.id, job_id, SG_JOB_ID_BYTES) != 0)
		ret = rebuild_job(h, job_id, init_reply, init_reply_len);
	if (ret == 0)
		ret = sg_helper_job_continue(&h->job, reply, reply_len, &h->party, req, req_len);
	if (ret == SG_ERR_PARSE) {
		ret = sg_error_reply(reply, reply_len, SG_REJECT_MALFORMED);
		goto cleanup; /* the job state is untouched by a request that does not parse */
	}
	if (ret == 0)
		ret = record_continue(h, *reply, *reply_len);
	drop_job(h); /* done, or its state was spent on a step not recorded */
	if (ret != 0) {
		free(*reply);
		*reply = NULL;
		*reply_len = 0;
	}
cleanup:
	free(init_reply);
	return ret;
}

/* What this helper holds of the round, for checking a head: the
 * industries it released and its count of accepted reports of each. */
static int own_view(sg_helper *h, sg_log_own *own, uint32_t *released, uint64_t *counts)
{
	const Spillguard__TaskBody *tb = h->party.task->body;
	int ret = 0;
	own->n_released = 0;
	for (size_t k = 0; ret == 0 && k < tb->n_industries; k++) {
		uint32_t id = tb->industries[k]->id;
		uint8_t *share = NULL, *rel = NULL;
		size_t share_len, rel_len;
		bool collected;
		ret = sg_store_agg_get(h->store, id, &counts[k], &share, &share_len);
		if (ret == 0)
			ret = sg_store_collected_get(h->store, id, &collected, &rel, &rel_len);
		if (ret == 0 && collected)
			released[own->n_released++] = id;
		free(share);
		free(rel);
	}
	own->released = released;
	own->counts = counts;
	return ret;
}

/* A tree head of the round's log: checked against what this helper
 * released and signed before, signed, and kept (the head before the
 * signature leaves). */
static int handle_tree_head(sg_helper *h, uint8_t **reply, size_t *reply_len, const uint8_t *req,
			    size_t req_len)
{
	size_t nind = h->party.task->body->n_industries;
	uint64_t *sizes = NULL, size = 0, *counts = calloc(nind + 1, sizeof *counts);
	uint32_t *released = calloc(nind + 1, sizeof *released);
	uint8_t (*roots)[32] = NULL, root[32];
	size_t n = 0;
	char msg[300] = "";
	sg_log_own own;
	int ret = counts && released ? own_view(h, &own, released, counts) : SG_ERR_NOMEM;
	if (ret == 0)
		ret = sg_store_log_heads(h->store, &sizes, &roots, &n);
	if (ret == 0)
		ret = sg_log_sign_request(reply, reply_len, &size, root, h->party.task,
					  h->party.index, h->sign_sk, &own, sizes,
					  (const uint8_t(*)[32])roots, n, req, req_len, msg,
					  sizeof msg);
	if (ret == 0)
		ret = sg_store_log_head_put(h->store, size, root);
	if (ret != 0) {
		free(*reply);
		*reply = NULL;
		*reply_len = 0;
	}
	if (ret == SG_ERR_VERIFY || ret == SG_ERR_PARSE || ret == SG_ERR_STATE) {
		snprintf(h->refused_head, sizeof h->refused_head, "%s",
			 ret == SG_ERR_VERIFY && msg[0] != '\0' ? msg : "not a tree head request of this task");
		ret = sg_error_reply(reply, reply_len, SG_REJECT_MALFORMED);
	}
	free(sizes);
	free(roots);
	free(counts);
	free(released);
	return ret;
}

int sg_helper_handle(sg_helper *h, uint8_t **reply, size_t *reply_len, const uint8_t *req,
		     size_t req_len, uint64_t now)
{
	sg_wire_msg w;
	uint8_t job_id[SG_JOB_ID_BYTES];
	const ProtobufCBinaryData *id = NULL, *task = NULL;
	*reply = NULL;
	*reply_len = 0;
	if (sg_wire_decode(&w, req, req_len) != 0)
		return sg_error_reply(reply, reply_len, SG_REJECT_MALFORMED);
	if (w.env->msg_case == SPILLGUARD__ENVELOPE__MSG_VERIFY_KEY) {
		sg_wire_msg_free(&w);
		return handle_grant(h, reply, reply_len, req, req_len);
	}
	int ret = load_key(h);
	if (ret == 0 && h->party.verify_key == NULL)
		ret = SG_ERR_STATE; /* no key granted yet */
	if (ret != 0) {
		sg_wire_msg_free(&w);
		return ret;
	}
	if (w.env->msg_case == SPILLGUARD__ENVELOPE__MSG_TREE_HEAD_REQUEST) {
		sg_wire_msg_free(&w);
		return handle_tree_head(h, reply, reply_len, req, req_len);
	}
	if (w.env->msg_case == SPILLGUARD__ENVELOPE__MSG_COLLECT) {
		sg_collect_req c;
		sg_wire_msg_free(&w);
		if (sg_collect_request_read(&c, h->party.task, req, req_len) != 0)
			return sg_error_reply(reply, reply_len, SG_REJECT_MALFORMED);
		return sg_store_collect(h->store, &h->party, h->sign_sk, &c, reply, reply_len);
	}
	bool init = w.env->msg_case == SPILLGUARD__ENVELOPE__MSG_JOB_INIT;
	if (init) {
		id = &w.env->job_init->job_id;
		task = &w.env->job_init->task_id;
	} else if (w.env->msg_case == SPILLGUARD__ENVELOPE__MSG_JOB_CONTINUE) {
		id = &w.env->job_continue->job_id;
		task = &w.env->job_continue->task_id;
	}
	bool ok = id != NULL && id->len == SG_JOB_ID_BYTES && sg_task_is(h->party.task, task);
	if (ok)
		memcpy(job_id, id->data, SG_JOB_ID_BYTES);
	sg_wire_msg_free(&w);
	if (!ok)
		return sg_error_reply(reply, reply_len, SG_REJECT_MALFORMED);
	return init ? handle_init(h, reply, reply_len, job_id, req, req_len, now)
		    : handle_continue(h, reply, reply_len, job_id, req, req_len);
}

/* Adds the job's accepted reports of industry k to its stored share. */
static int accumulate_industry(sg_store *s, const sg_job *job, const sg_party *p, size_t k)
{
	const sg_prio3 *prio3 = p->prio3;
	uint32_t industry = p->task->body->industries[k]->id;
	sg_prio3_agg *agg = NULL;
	uint8_t *share = NULL;
	size_t share_len, added = 0, bytes = sg_prio3_out_share_bytes(prio3);
	uint64_t count;
	int ret = sg_prio3_agg_new(prio3, &agg);
	if (ret == 0)
		ret = sg_store_agg_get(s, industry, &count, &share, &share_len);
	if (ret == 0 && share != NULL)
		ret = sg_prio3_agg_add_encoded(prio3, agg, share, share_len);
	for (size_t i = 0; ret == 0 && i < job->n; i++) {
		const sg_prep *prep = &job->preps[i];
		if (prep->reject != SG_REJECT_NONE || prep->industry != industry)
			continue;
		if (sg_prio3_aggregate(prio3, agg, prep->state) != 0)
			ret = SG_ERR_STATE;
		added++;
	}
	if (ret == 0 && added > 0) {
		free(share);
		share = malloc(bytes);
		if (share == NULL)
			ret = SG_ERR_NOMEM;
		else
			sg_prio3_agg_encode(prio3, share, agg);
		if (ret == 0)
			ret = sg_store_agg_put(s, industry, count + added, share, bytes);
	}
	free(share);
	sg_prio3_agg_free(agg);
	return ret;
}

int sg_store_job_accumulate(sg_store *s, const sg_job *job, const sg_party *p)
{
	int ret = 0;
	for (size_t i = 0; i < job->n; i++)
		if (job->preps[i].reject == SG_REJECT_NONE &&
		    sg_task_industry_index(p->task->body, job->preps[i].industry) < 0)
			return SG_ERR_STATE;
	for (size_t k = 0; ret == 0 && k < p->task->body->n_industries; k++)
		ret = accumulate_industry(s, job, p, k);
	return ret;
}

int sg_store_batch(sg_store *s, uint32_t industry, uint64_t *count, uint8_t root[32])
{
	uint8_t *ids;
	size_t n;
	int ret = sg_store_accepted_ids(s, industry, &ids, &n);
	if (ret == 0)
		ret = sg_report_set_root(root, (uint8_t(*)[SG_REPORT_ID_BYTES])ids, n);
	*count = n;
	free(ids);
	return ret;
}

/* The industry's accepted reports: how many, their root, their aggregate. */
static int own_batch(sg_store *s, const sg_party *p, uint32_t industry, uint64_t *count,
		     uint8_t root[32], sg_prio3_agg **agg)
{
	uint8_t *share = NULL;
	size_t share_len;
	uint64_t agg_count;
	int ret = sg_store_batch(s, industry, count, root);
	if (ret == 0)
		ret = sg_prio3_agg_new(p->prio3, agg);
	if (ret == 0)
		ret = sg_store_agg_get(s, industry, &agg_count, &share, &share_len);
	if (ret == 0 && agg_count != *count)
		ret = SG_ERR_STATE; /* the aggregate and the settled reports disagree */
	if (ret == 0 && share != NULL)
		ret = sg_prio3_agg_add_encoded(p->prio3, *agg, share, share_len);
	free(share);
	return ret;
}

int sg_store_collect(sg_store *s, const sg_party *p, const uint8_t sign_sk[64],
		     const sg_collect_req *req, uint8_t **reply, size_t *reply_len)
{
	uint8_t *released = NULL, *share = NULL, root[32];
	size_t released_len, share_len;
	uint64_t count;
	bool collected;
	sg_prio3_agg *agg = NULL;
	enum sg_collect_refusal refusal = SG_COLLECT_ALREADY;
	*reply = NULL;
	*reply_len = 0;
	int ret = sg_store_collected_get(s, req->industry, &collected, &released, &released_len);
	if (ret != 0)
		return ret;
	if (collected) {
		uint8_t *again;
		size_t again_len;
		enum sg_collect_refusal r;
		if (sg_collect_reply_read(&again, &again_len, &r, req->collect_id, released,
					  released_len) == 0) {
			free(again);
			*reply = released; /* the same collection, asked again */
			*reply_len = released_len;
			return 0;
		}
		free(released);
		return sg_collect_reply_msg(reply, reply_len, req->collect_id, refusal, NULL, 0);
	}
	ret = own_batch(s, p, req->industry, &count, root, &agg);
	if (ret == 0)
		ret = sg_collect_share(&share, &share_len, &refusal, p, sign_sk, req->industry,
				       req->count, req->root, count, root, false, agg);
	if (ret == 0)
		ret = sg_collect_reply_msg(reply, reply_len, req->collect_id, refusal, share,
					   share_len);
	if (ret == 0 && refusal == SG_COLLECT_OK)
		ret = sg_store_collected_put(s, req->industry, *reply, *reply_len);
	if (ret != 0) {
		free(*reply);
		*reply = NULL;
		*reply_len = 0;
	}
	free(share);
	sg_prio3_agg_free(agg);
	return ret;
}
