/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "protocol/aggregate.h"
#include "spillguard/err.h"
#include "wire/codec.h"

void sg_job_free(sg_job *job)
{
	if (job == NULL)
		return;
	for (size_t i = 0; job->preps != NULL && i < job->n; i++) {
		sg_prio3_state_free(job->preps[i].state);
		free(job->preps[i].verifier_share);
		free(job->preps[i].public_share);
		free(job->preps[i].message);
	}
	free(job->preps);
	memset(job, 0, sizeof *job);
}

static int job_alloc(sg_job *job, size_t n)
{
	memset(job, 0, sizeof *job);
	if (n > SG_JOB_MAX_REPORTS)
		return SG_ERR_PARAM;
	job->preps = calloc(n + 1, sizeof *job->preps);
	job->n = n;
	return job->preps ? 0 : SG_ERR_NOMEM;
}

static bool seen_report(const sg_seen *s, const uint8_t *id)
{
	return s != NULL && s->report != NULL && s->report(s->ctx, id);
}

static bool seen_enterprise(const sg_seen *s, const char *id)
{
	return s != NULL && s->enterprise != NULL && s->enterprise(s->ctx, id);
}

/* Opens this aggregator's share and runs verify_init. */
static enum sg_reject verify_share(sg_party *p, sg_prep *prep, const sg_report_view *v,
				   const Spillguard__SealedShare *own)
{
	size_t in_len = sg_prio3_input_share_bytes(p->prio3, p->index);
	uint8_t *in = malloc(in_len); /* wiped below: one per report */
	enum sg_reject r = SG_REJECT_UNDECRYPTABLE;
	if (in == NULL)
		return r;
	r = sg_report_open_share(in, v, p->task, p->prio3, p->index, p->hpke_sk, own->enc.data,
				 own->enc.len, own->ciphertext.data, own->ciphertext.len);
	if (r == SG_REJECT_NONE) {
		prep->verifier_share = malloc(sg_prio3_verifier_share_bytes(p->prio3));
		r = SG_REJECT_INVALID;
		if (prep->verifier_share != NULL && sg_prio3_state_new(p->prio3, &prep->state) == 0 &&
		    sg_prio3_verify_init(p->prio3, prep->state, prep->verifier_share, p->verify_key,
					 p->task->id, SG_TASK_ID_BYTES, p->index, prep->report_id,
					 v->body->public_share.data, v->body->public_share.len, in,
					 in_len) == 0)
			r = SG_REJECT_NONE;
	}
	sodium_memzero(in, in_len);
	free(in);
	return r;
}

size_t sg_leader_kept_bytes(const sg_prio3 *p)
{
	return sg_prio3_verifier_share_bytes(p) + sg_prio3_state_bytes(p);
}

enum sg_reject sg_leader_prepare_kept(uint8_t *kept, sg_party *leader, const sg_report_view *v,
				      const Spillguard__SealedShare *own)
{
	sg_prep prep = { 0 };
	size_t vs_len = sg_prio3_verifier_share_bytes(leader->prio3);
	memcpy(prep.report_id, v->meta->report_id.data, SG_REPORT_ID_BYTES); /* the nonce */
	enum sg_reject r = verify_share(leader, &prep, v, own);
	if (r == SG_REJECT_NONE) {
		memcpy(kept, prep.verifier_share, vs_len);
		if (sg_prio3_state_encode(leader->prio3, kept + vs_len, prep.state) != 0)
			r = SG_REJECT_INVALID;
	}
	if (r != SG_REJECT_NONE)
		sodium_memzero(kept, sg_leader_kept_bytes(leader->prio3));
	sg_prio3_state_free(prep.state);
	free(prep.verifier_share);
	return r;
}

/* The leader's preparation kept on upload, back into prep. */
static enum sg_reject restore_kept(sg_party *p, sg_prep *prep, const ProtobufCBinaryData *kept)
{
	size_t vs_len = sg_prio3_verifier_share_bytes(p->prio3);
	if (kept->len != sg_leader_kept_bytes(p->prio3))
		return SG_REJECT_MALFORMED;
	prep->verifier_share = malloc(vs_len + 1);
	if (prep->verifier_share == NULL || sg_prio3_state_new(p->prio3, &prep->state) != 0 ||
	    sg_prio3_state_decode(p->prio3, prep->state, kept->data + vs_len,
				  kept->len - vs_len) != 0)
		return SG_REJECT_MALFORMED;
	memcpy(prep->verifier_share, kept->data, vs_len);
	return SG_REJECT_NONE;
}

/* Every check an aggregator makes of a report before it takes part; the
 * leader's preparation is in kept when it made it on upload. */
static enum sg_reject prepare(sg_party *p, sg_prep *prep, const sg_seen *seen,
			      const ProtobufCBinaryData *body, const ProtobufCBinaryData *sig,
			      const Spillguard__SealedShare *own, const ProtobufCBinaryData *kept)
{
	sg_report_view v;
	if (own == NULL) {
		sg_report_peek_id(prep->report_id, body->data, body->len);
		return SG_REJECT_MALFORMED;
	}
	/* the leader's reports come from its own store, checked on upload */
	enum sg_reject r =
		p->index == 0 && seen == NULL
			? sg_report_recheck(&v, p->task, p->prio3, 0, body->data, body->len,
					    own->enc.data, own->enc.len,
					    kept ? NULL : own->ciphertext.data, own->ciphertext.len)
			: sg_report_check(&v, p->task, p->prio3, p->index, body->data, body->len,
					  sig->data, sig->len, own->enc.data, own->enc.len,
					  own->ciphertext.data, own->ciphertext.len);
	if (r != SG_REJECT_NONE) {
		sg_report_peek_id(prep->report_id, body->data, body->len);
		return r;
	}
	memcpy(prep->report_id, v.meta->report_id.data, SG_REPORT_ID_BYTES);
	prep->industry = v.meta->industry;
	snprintf(prep->enterprise_id, sizeof prep->enterprise_id, "%s", v.meta->enterprise_id);
	if (seen_report(seen, prep->report_id))
		r = SG_REJECT_REPLAYED;
	else if (seen_enterprise(seen, prep->enterprise_id))
		r = SG_REJECT_DUPLICATE;
	else if (kept != NULL)
		r = restore_kept(p, prep, kept);
	else
		r = verify_share(p, prep, &v, own);
	if (r == SG_REJECT_NONE && p->index == 0) {
		size_t n = v.body->public_share.len;
		prep->public_share = malloc(n + 1);
		if (prep->public_share == NULL)
			r = SG_REJECT_MALFORMED;
		else if (n > 0)
			memcpy(prep->public_share, v.body->public_share.data, n);
	}
	sg_report_view_free(&v);
	return r;
}

/* Stored reports decode (they were checked on upload, but bytes on disk
 * are checked again like any others). */
static Spillguard__Report *decode_report(sg_wire_budget **b, const uint8_t *bytes, size_t len)
{
	ProtobufCMessage *m;
	if (sg_wire_unpack(&m, b, &spillguard__report__descriptor, bytes, len) != 0)
		return NULL;
	return (Spillguard__Report *)m;
}

int sg_leader_job_new(sg_job *job, sg_party *leader, const uint8_t *const *reports,
		      const size_t *report_lens, const uint8_t *const *kept,
		      const size_t *kept_lens, size_t n)
{
	int ret = job_alloc(job, n);
	if (ret != 0)
		return ret;
	randombytes_buf(job->id, sizeof job->id);
	for (size_t i = 0; i < n; i++) {
		sg_wire_budget *b;
		Spillguard__Report *r = decode_report(&b, reports[i], report_lens[i]);
		sg_prep *prep = &job->preps[i];
		if (r == NULL || r->n_shares != leader->task->body->n_aggregators) {
			prep->reject = SG_REJECT_MALFORMED;
		} else {
			ProtobufCBinaryData k = { kept && kept[i] ? kept_lens[i] : 0,
						  kept ? (uint8_t *)kept[i] : NULL };
			prep->reject = prepare(leader, prep, NULL, &r->body, &r->signature,
					       r->shares[0], k.data ? &k : NULL);
		}
		prep->sent = prep->reject == SG_REJECT_NONE;
		sg_wire_release(r ? &r->base : NULL, b);
	}
	return 0;
}

int sg_job_init_for(uint8_t **out, size_t *out_len, const sg_job *job, const sg_party *leader,
		    unsigned helper, const uint8_t *const *reports, const size_t *report_lens)
{
	int ret = SG_ERR_NOMEM;
	Spillguard__ReportShare *shares = calloc(job->n + 1, sizeof *shares);
	Spillguard__ReportShare **ptrs = calloc(job->n + 1, sizeof *ptrs);
	Spillguard__Report **decoded = calloc(job->n + 1, sizeof *decoded);
	sg_wire_budget **budgets = calloc(job->n + 1, sizeof *budgets);
	size_t k = 0;
	*out = NULL;
	*out_len = 0;
	if (!shares || !ptrs || !decoded || !budgets)
		goto cleanup;
	ret = SG_ERR_PARAM;
	if (helper == 0 || helper >= leader->task->body->n_aggregators)
		goto cleanup;
	for (size_t i = 0; i < job->n; i++) {
		if (!job->preps[i].sent)
			continue;
		decoded[i] = decode_report(&budgets[i], reports[i], report_lens[i]);
		if (decoded[i] == NULL)
			goto cleanup;
		shares[k] = (Spillguard__ReportShare)SPILLGUARD__REPORT_SHARE__INIT;
		shares[k].report_body = decoded[i]->body;
		shares[k].signature = decoded[i]->signature;
		shares[k].share = decoded[i]->shares[helper];
		ptrs[k] = &shares[k];
		k++;
	}
	Spillguard__AggregationJobInit init = SPILLGUARD__AGGREGATION_JOB_INIT__INIT;
	Spillguard__Envelope env = SPILLGUARD__ENVELOPE__INIT;
	init.version = SG_WIRE_VERSION;
	init.task_id = (ProtobufCBinaryData){ SG_TASK_ID_BYTES, (uint8_t *)leader->task->id };
	init.job_id = (ProtobufCBinaryData){ SG_JOB_ID_BYTES, (uint8_t *)job->id };
	init.n_reports = k;
	init.reports = ptrs;
	env.msg_case = SPILLGUARD__ENVELOPE__MSG_JOB_INIT;
	env.job_init = &init;
	ret = sg_wire_encode(out, out_len, &env);
cleanup:
	for (size_t i = 0; decoded != NULL && i < job->n; i++)
		sg_wire_release(decoded[i] ? &decoded[i]->base : NULL, budgets[i]);
	free(shares);
	free(ptrs);
	free(decoded);
	free(budgets);
	return ret;
}

/* A second report id or enterprise inside one job is refused too. */
static enum sg_reject in_job_twice(const sg_job *job, size_t i)
{
	for (size_t k = 0; k < i; k++) {
		if (job->preps[k].reject == SG_REJECT_MALFORMED)
			continue;
		if (memcmp(job->preps[k].report_id, job->preps[i].report_id, SG_REPORT_ID_BYTES) == 0)
			return SG_REJECT_REPLAYED;
		if (strcmp(job->preps[k].enterprise_id, job->preps[i].enterprise_id) == 0)
			return SG_REJECT_DUPLICATE;
	}
	return SG_REJECT_NONE;
}

static int job_init_resp(uint8_t **out, size_t *out_len, const sg_job *job, const sg_party *p)
{
	int ret = SG_ERR_NOMEM;
	Spillguard__PrepareResult *res = calloc(job->n + 1, sizeof *res);
	Spillguard__PrepareResult **ptrs = calloc(job->n + 1, sizeof *ptrs);
	if (res == NULL || ptrs == NULL)
		goto cleanup;
	for (size_t i = 0; i < job->n; i++) {
		const sg_prep *prep = &job->preps[i];
		res[i] = (Spillguard__PrepareResult)SPILLGUARD__PREPARE_RESULT__INIT;
		res[i].report_id = (ProtobufCBinaryData){ SG_REPORT_ID_BYTES, (uint8_t *)prep->report_id };
		res[i].error = (uint32_t)prep->reject;
		if (prep->reject == SG_REJECT_NONE)
			res[i].verifier_share = (ProtobufCBinaryData){
				sg_prio3_verifier_share_bytes(p->prio3), prep->verifier_share };
		ptrs[i] = &res[i];
	}
	Spillguard__AggregationJobResp resp = SPILLGUARD__AGGREGATION_JOB_RESP__INIT;
	Spillguard__Envelope env = SPILLGUARD__ENVELOPE__INIT;
	resp.version = SG_WIRE_VERSION;
	resp.job_id = (ProtobufCBinaryData){ SG_JOB_ID_BYTES, (uint8_t *)job->id };
	resp.n_results = job->n;
	resp.results = ptrs;
	env.msg_case = SPILLGUARD__ENVELOPE__MSG_JOB_RESP;
	env.job_resp = &resp;
	ret = sg_wire_encode(out, out_len, &env);
cleanup:
	free(res);
	free(ptrs);
	return ret;
}

int sg_helper_job_init(sg_job *job, uint8_t **resp, size_t *resp_len, sg_party *helper,
		       const sg_seen *seen, const uint8_t *req, size_t req_len)
{
	sg_wire_msg w;
	*resp = NULL;
	*resp_len = 0;
	memset(job, 0, sizeof *job);
	int ret = sg_wire_decode(&w, req, req_len);
	if (ret != 0)
		return ret;
	const Spillguard__AggregationJobInit *init = w.env->job_init;
	ret = SG_ERR_PARSE;
	if (w.env->msg_case != SPILLGUARD__ENVELOPE__MSG_JOB_INIT ||
	    !sg_task_is(helper->task, &init->task_id) ||
	    init->job_id.len != SG_JOB_ID_BYTES)
		goto cleanup;
	ret = job_alloc(job, init->n_reports);
	if (ret != 0)
		goto cleanup;
	memcpy(job->id, init->job_id.data, SG_JOB_ID_BYTES);
	for (size_t i = 0; i < job->n; i++) {
		const Spillguard__ReportShare *rs = init->reports[i];
		sg_prep *prep = &job->preps[i];
		prep->reject = prepare(helper, prep, seen, &rs->report_body, &rs->signature, rs->share, NULL);
		if (prep->reject == SG_REJECT_NONE)
			prep->reject = in_job_twice(job, i);
	}
	ret = job_init_resp(resp, resp_len, job, helper);
cleanup:
	if (ret != 0)
		sg_job_free(job);
	sg_wire_msg_free(&w);
	return ret;
}

/*
 * Every aggregator's joint randomness check will pass exactly when each
 * aggregator's part in its verifier share equals its part in the public
 * share; deciding on that here means no honest helper can later refuse a
 * report the others counted.
 */
static bool parts_agree(const sg_prio3 *p, const uint8_t *public_share,
			const uint8_t *const *vs)
{
	size_t part = sg_prio3_verifier_message_bytes(p), vlen = sg_prio3_verifier_share_bytes(p);
	for (unsigned j = 0; part > 0 && j < sg_prio3_shares(p); j++)
		if (memcmp(vs[j] + vlen - part, public_share + j * part, part) != 0)
			return false;
	return true;
}

static size_t sent_count(const sg_job *job)
{
	size_t k = 0;
	for (size_t i = 0; i < job->n; i++)
		k += job->preps[i].sent;
	return k;
}

/* The helpers' replies for this job, each with one result per report sent. */
typedef struct replies {
	sg_wire_msg w[255];
	unsigned n;
} replies;

static void replies_free(replies *r)
{
	for (unsigned j = 0; j < r->n; j++)
		sg_wire_msg_free(&r->w[j]);
}

static int decode_replies(replies *r, const sg_job *job, const sg_party *leader,
			  const uint8_t *const *bytes, const size_t *lens, bool init)
{
	unsigned helpers = (unsigned)leader->task->body->n_aggregators - 1;
	memset(r, 0, sizeof *r);
	for (unsigned j = 0; j < helpers; j++) {
		if (sg_wire_decode(&r->w[j], bytes[j], lens[j]) != 0)
			return SG_ERR_PARSE;
		r->n = j + 1;
		const Spillguard__Envelope *e = r->w[j].env;
		Spillguard__Envelope__MsgCase want = init ? SPILLGUARD__ENVELOPE__MSG_JOB_RESP
							  : SPILLGUARD__ENVELOPE__MSG_JOB_CONTINUE_RESP;
		if (e->msg_case != want)
			return SG_ERR_PARSE;
		const ProtobufCBinaryData *id = init ? &e->job_resp->job_id : &e->job_continue_resp->job_id;
		size_t n = init ? e->job_resp->n_results : e->job_continue_resp->n_results;
		if (id->len != SG_JOB_ID_BYTES || memcmp(id->data, job->id, SG_JOB_ID_BYTES) != 0 ||
		    n != sent_count(job))
			return SG_ERR_PARSE;
	}
	return 0;
}

/* Result k of helper reply j, checked to be about this report. */
static enum sg_reject result_of(const replies *r, unsigned j, size_t k, bool init,
				const sg_prep *prep, const ProtobufCBinaryData **vs)
{
	const Spillguard__Envelope *e = r->w[j].env;
	const ProtobufCBinaryData *id;
	uint32_t err;
	if (init) {
		const Spillguard__PrepareResult *pr = e->job_resp->results[k];
		id = &pr->report_id;
		err = pr->error;
		*vs = &pr->verifier_share;
	} else {
		const Spillguard__ContinueResult *cr = e->job_continue_resp->results[k];
		id = &cr->report_id;
		err = cr->error;
	}
	if (id->len != SG_REPORT_ID_BYTES || memcmp(id->data, prep->report_id, SG_REPORT_ID_BYTES) != 0)
		return SG_REJECT_MALFORMED;
	if (err != 0)
		return err < SG_REJECT_COUNT ? (enum sg_reject)err : SG_REJECT_MALFORMED;
	return SG_REJECT_NONE;
}

/* Combines one report's verifier shares into the leader's decision. */
static enum sg_reject decide(sg_party *leader, sg_prep *prep, const uint8_t *const *vs,
			     const size_t *lens)
{
	size_t vlen = sg_prio3_verifier_share_bytes(leader->prio3);
	for (unsigned j = 0; j < sg_prio3_shares(leader->prio3); j++)
		if (lens[j] != vlen)
			return SG_REJECT_MALFORMED;
	prep->message = malloc(sg_prio3_verifier_message_bytes(leader->prio3) + 1);
	if (prep->message == NULL ||
	    sg_prio3_verifier_shares_to_message(leader->prio3, prep->message, leader->task->id,
						SG_TASK_ID_BYTES, vs, lens) != 0 ||
	    !parts_agree(leader->prio3, prep->public_share, vs))
		return SG_REJECT_INVALID;
	return SG_REJECT_NONE;
}

int sg_job_combine(sg_job *job, sg_party *leader, const uint8_t *const *resps,
		   const size_t *resp_lens)
{
	replies r;
	unsigned nagg = (unsigned)leader->task->body->n_aggregators;
	int ret = decode_replies(&r, job, leader, resps, resp_lens, true);
	for (size_t i = 0, k = 0; ret == 0 && i < job->n; i++) {
		sg_prep *prep = &job->preps[i];
		const uint8_t *vs[256] = { prep->verifier_share };
		size_t lens[256] = { sg_prio3_verifier_share_bytes(leader->prio3) };
		if (!prep->sent)
			continue;
		for (unsigned j = 1; j < nagg && prep->reject == SG_REJECT_NONE; j++) {
			const ProtobufCBinaryData *v = NULL;
			prep->reject = result_of(&r, j - 1, k, true, prep, &v);
			if (v != NULL) {
				vs[j] = v->data;
				lens[j] = v->len;
			}
		}
		if (prep->reject == SG_REJECT_NONE)
			prep->reject = decide(leader, prep, vs, lens);
		k++;
	}
	replies_free(&r);
	return ret;
}

int sg_job_continue_msg(uint8_t **out, size_t *out_len, const sg_job *job, const sg_party *leader)
{
	int ret = SG_ERR_NOMEM;
	size_t k = 0, mlen = sg_prio3_verifier_message_bytes(leader->prio3);
	Spillguard__PrepareContinue *pc = calloc(job->n + 1, sizeof *pc);
	Spillguard__PrepareContinue **ptrs = calloc(job->n + 1, sizeof *ptrs);
	if (pc == NULL || ptrs == NULL)
		goto cleanup;
	for (size_t i = 0; i < job->n; i++) {
		const sg_prep *prep = &job->preps[i];
		if (!prep->sent || prep->reject != SG_REJECT_NONE)
			continue;
		pc[k] = (Spillguard__PrepareContinue)SPILLGUARD__PREPARE_CONTINUE__INIT;
		pc[k].report_id = (ProtobufCBinaryData){ SG_REPORT_ID_BYTES, (uint8_t *)prep->report_id };
		pc[k].verifier_message = (ProtobufCBinaryData){ mlen, prep->message };
		ptrs[k] = &pc[k];
		k++;
	}
	Spillguard__AggregationJobContinue c = SPILLGUARD__AGGREGATION_JOB_CONTINUE__INIT;
	Spillguard__Envelope env = SPILLGUARD__ENVELOPE__INIT;
	c.version = SG_WIRE_VERSION;
	c.task_id = (ProtobufCBinaryData){ SG_TASK_ID_BYTES, (uint8_t *)leader->task->id };
	c.job_id = (ProtobufCBinaryData){ SG_JOB_ID_BYTES, (uint8_t *)job->id };
	c.n_reports = k;
	c.reports = ptrs;
	env.msg_case = SPILLGUARD__ENVELOPE__MSG_JOB_CONTINUE;
	env.job_continue = &c;
	ret = sg_wire_encode(out, out_len, &env);
cleanup:
	free(pc);
	free(ptrs);
	return ret;
}

static sg_prep *find_prep(sg_job *job, const ProtobufCBinaryData *id)
{
	for (size_t i = 0; id->len == SG_REPORT_ID_BYTES && i < job->n; i++)
		if (memcmp(job->preps[i].report_id, id->data, SG_REPORT_ID_BYTES) == 0)
			return &job->preps[i];
	return NULL;
}

static int continue_resp(uint8_t **out, size_t *out_len, const sg_job *job)
{
	int ret = SG_ERR_NOMEM;
	Spillguard__ContinueResult *cr = calloc(job->n + 1, sizeof *cr);
	Spillguard__ContinueResult **ptrs = calloc(job->n + 1, sizeof *ptrs);
	if (cr != NULL && ptrs != NULL) {
		for (size_t i = 0; i < job->n; i++) {
			cr[i] = (Spillguard__ContinueResult)SPILLGUARD__CONTINUE_RESULT__INIT;
			cr[i].report_id = (ProtobufCBinaryData){ SG_REPORT_ID_BYTES,
								  (uint8_t *)job->preps[i].report_id };
			cr[i].error = (uint32_t)job->preps[i].reject;
			ptrs[i] = &cr[i];
		}
		Spillguard__AggregationJobContinueResp resp =
			SPILLGUARD__AGGREGATION_JOB_CONTINUE_RESP__INIT;
		Spillguard__Envelope env = SPILLGUARD__ENVELOPE__INIT;
		resp.version = SG_WIRE_VERSION;
		resp.job_id = (ProtobufCBinaryData){ SG_JOB_ID_BYTES, (uint8_t *)job->id };
		resp.n_results = job->n;
		resp.results = ptrs;
		env.msg_case = SPILLGUARD__ENVELOPE__MSG_JOB_CONTINUE_RESP;
		env.job_continue_resp = &resp;
		ret = sg_wire_encode(out, out_len, &env);
	}
	free(cr);
	free(ptrs);
	return ret;
}

int sg_helper_job_continue(sg_job *job, uint8_t **resp, size_t *resp_len, sg_party *helper,
			   const uint8_t *req, size_t req_len)
{
	sg_wire_msg w;
	bool *listed = calloc(job->n + 1, sizeof *listed);
	*resp = NULL;
	*resp_len = 0;
	int ret = listed ? sg_wire_decode(&w, req, req_len) : SG_ERR_NOMEM;
	if (ret != 0) {
		free(listed);
		return ret;
	}
	const Spillguard__AggregationJobContinue *c = w.env->job_continue;
	ret = SG_ERR_PARSE;
	if (w.env->msg_case != SPILLGUARD__ENVELOPE__MSG_JOB_CONTINUE || c->job_id.len != SG_JOB_ID_BYTES ||
	    memcmp(c->job_id.data, job->id, SG_JOB_ID_BYTES) != 0)
		goto cleanup;
	for (size_t i = 0; i < c->n_reports; i++) {
		sg_prep *prep = find_prep(job, &c->reports[i]->report_id);
		if (prep == NULL || prep->reject != SG_REJECT_NONE || listed[prep - job->preps])
			continue; /* the leader cannot revive a refused report */
		listed[prep - job->preps] = true;
		if (sg_prio3_verify_next(helper->prio3, prep->state, c->reports[i]->verifier_message.data,
					 c->reports[i]->verifier_message.len) != 0)
			prep->reject = SG_REJECT_INVALID;
	}
	for (size_t i = 0; i < job->n; i++)
		if (!listed[i] && job->preps[i].reject == SG_REJECT_NONE)
			job->preps[i].reject = SG_REJECT_INVALID; /* the leader refused it */
	ret = continue_resp(resp, resp_len, job);
cleanup:
	free(listed);
	sg_wire_msg_free(&w);
	return ret;
}

int sg_job_settle(sg_job *job, sg_party *leader, const uint8_t *const *resps,
		  const size_t *resp_lens)
{
	replies r;
	unsigned nagg = (unsigned)leader->task->body->n_aggregators;
	int ret = decode_replies(&r, job, leader, resps, resp_lens, false);
	for (size_t i = 0, k = 0; ret == 0 && i < job->n; i++) {
		sg_prep *prep = &job->preps[i];
		if (!prep->sent)
			continue;
		for (unsigned j = 1; j < nagg && prep->reject == SG_REJECT_NONE; j++)
			prep->reject = result_of(&r, j - 1, k, false, prep, NULL);
		if (prep->reject == SG_REJECT_NONE &&
		    sg_prio3_verify_next(leader->prio3, prep->state, prep->message,
					 sg_prio3_verifier_message_bytes(leader->prio3)) != 0)
			prep->reject = SG_REJECT_INVALID;
		k++;
	}
	replies_free(&r);
	return ret;
}

int sg_job_accumulate(const sg_job *job, const sg_party *p, sg_prio3_agg **aggs)
{
	for (size_t i = 0; i < job->n; i++) {
		const sg_prep *prep = &job->preps[i];
		long k = sg_task_industry_index(p->task->body, prep->industry);
		if (prep->reject != SG_REJECT_NONE)
			continue;
		if (k < 0 || sg_prio3_aggregate(p->prio3, aggs[k], prep->state) != 0)
			return SG_ERR_STATE;
	}
	return 0;
}
