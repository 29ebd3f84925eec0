/* SPDX-License-Identifier: Apache-2.0 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/signed.h"
#include "core/sha256.h"
#include "protocol/upload.h"
#include "spillguard/err.h"
#include "wire/codec.h"

static int pack_envelope(uint8_t **out, size_t *out_len, Spillguard__Envelope *env)
{
	return sg_wire_encode(out, out_len, env);
}

int sg_error_reply(uint8_t **out, size_t *out_len, enum sg_reject r)
{
	Spillguard__Error e = SPILLGUARD__ERROR__INIT;
	Spillguard__Envelope env = SPILLGUARD__ENVELOPE__INIT;
	e.version = SG_WIRE_VERSION;
	e.code = (uint32_t)r;
	e.message = (char *)sg_reject_message(r);
	env.msg_case = SPILLGUARD__ENVELOPE__MSG_ERROR;
	env.error = &e;
	return pack_envelope(out, out_len, &env);
}

/* A signed receipt for the checked report, as a packed Envelope. */
static int receipt_reply(uint8_t **out, size_t *out_len, const sg_leader *l,
			 const sg_report_view *v, const uint8_t digest[32], uint64_t now)
{
	Spillguard__ReceiptBody rb = SPILLGUARD__RECEIPT_BODY__INIT;
	Spillguard__Receipt rc = SPILLGUARD__RECEIPT__INIT;
	Spillguard__Envelope env = SPILLGUARD__ENVELOPE__INIT;
	uint8_t sig[SG_SIGNATURE_BYTES], *body = NULL;
	int ret = SG_ERR_NOMEM;
	rb.version = SG_WIRE_VERSION;
	rb.task_id = (ProtobufCBinaryData){ SG_TASK_ID_BYTES, (uint8_t *)l->task->id };
	rb.report_id = v->meta->report_id;
	rb.enterprise_id = v->meta->enterprise_id;
	rb.received_at = now;
	rb.report_digest = (ProtobufCBinaryData){ 32, (uint8_t *)digest };
	size_t blen = spillguard__receipt_body__get_packed_size(&rb);
	if ((body = malloc(blen + 1)) == NULL)
		goto cleanup;
	spillguard__receipt_body__pack(&rb, body);
	if (sg_sign_labeled(sig, SG_RECEIPT_SIG_CONTEXT, body, blen, l->sign_sk) != 0)
		goto cleanup;
	rc.body = (ProtobufCBinaryData){ blen, body };
	rc.signature = (ProtobufCBinaryData){ sizeof sig, sig };
	env.msg_case = SPILLGUARD__ENVELOPE__MSG_RECEIPT;
	env.receipt = &rc;
	ret = pack_envelope(out, out_len, &env);
cleanup:
	free(body);
	return ret;
}

/* The checks of DESIGN.md §5 that come before the store's: the task open
 * now, then sg_report_check (task, the report's time in the window, roster
 * and industry, signature, sizes). */
static enum sg_reject check(const sg_leader *l, sg_report_view *v, Spillguard__Report **rep,
			    sg_wire_budget **budget, const uint8_t *report, size_t len, uint64_t now)
{
	ProtobufCMessage *m;
	*rep = NULL;
	if (!sg_task_open_at(l->task, now))
		return SG_REJECT_OUTSIDE_WINDOW; /* the task is not open now */
	if (sg_wire_unpack(&m, budget, &spillguard__report__descriptor, report, len) != 0)
		return SG_REJECT_MALFORMED;
	*rep = (Spillguard__Report *)m;
	if ((*rep)->version != SG_REPORT_VERSION ||
	    (*rep)->n_shares != l->task->body->n_aggregators)
		return SG_REJECT_MALFORMED;
	const Spillguard__SealedShare *own = (*rep)->shares[0];
	enum sg_reject r = sg_report_check(v, l->task, l->prio3, 0, (*rep)->body.data,
					   (*rep)->body.len, (*rep)->signature.data,
					   (*rep)->signature.len, own->enc.data, own->enc.len,
					   own->ciphertext.data, own->ciphertext.len);
	return r;
}

/* The last check, the leader's own share opens, with its preparation in
 * *kept (malloc'd, sg_leader_kept_bytes) and the report to store, without
 * that share's ciphertext, in *stripped (malloc'd). */
static enum sg_reject open_and_keep(const sg_leader *l, const sg_report_view *v,
				    Spillguard__Report *rep, uint8_t **kept, uint8_t **stripped,
				    size_t *stripped_len)
{
	sg_party leader = { l->task, l->prio3, 0, l->hpke_sk, l->verify_key };
	Spillguard__SealedShare *own = rep->shares[0];
	*kept = malloc(sg_leader_kept_bytes(l->prio3));
	if (*kept == NULL)
		return SG_REJECT_UNDECRYPTABLE;
	enum sg_reject r = sg_leader_prepare_kept(*kept, &leader, v, own);
	if (r != SG_REJECT_NONE)
		return r;
	ProtobufCBinaryData ct = own->ciphertext;
	own->ciphertext = (ProtobufCBinaryData){ 0, NULL };
	*stripped_len = spillguard__report__get_packed_size(rep);
	*stripped = malloc(*stripped_len + 1);
	if (*stripped != NULL)
		spillguard__report__pack(rep, *stripped);
	own->ciphertext = ct;
	return *stripped != NULL ? SG_REJECT_NONE : SG_REJECT_UNDECRYPTABLE;
}

static enum sg_reject refusal_of(enum sg_store_put outcome)
{
	return outcome == SG_STORE_REPLAYED    ? SG_REJECT_REPLAYED
	       : outcome == SG_STORE_DUPLICATE ? SG_REJECT_DUPLICATE
					       : SG_REJECT_NONE;
}

/* One upload of a batch on its way: what was checked and made for it. */
typedef struct pending {
	sg_report_view v;
	Spillguard__Report *rep;
	sg_wire_budget *budget;
	uint8_t digest[32];
	enum sg_store_put outcome;
	uint8_t *seen_receipt, *receipt, *kept, *stripped;
	size_t seen_len, receipt_len, stripped_len;
} pending;

static void pending_free(const sg_leader *l, pending *p)
{
	if (p->kept != NULL)
		sodium_memzero(p->kept, sg_leader_kept_bytes(l->prio3));
	free(p->kept);
	free(p->stripped);
	free(p->receipt);
	free(p->seen_receipt);
	sg_report_view_free(&p->v);
	sg_wire_release(p->rep ? &p->rep->base : NULL, p->budget);
	memset(p, 0, sizeof *p);
}

/* Everything before the store's write: the checks (DESIGN.md §5's order,
 * replay and second report before the share is opened, an identical resend
 * answered from the store without more work), the share opened and
 * prepared, the receipt signed. u->reject says whether it goes on. */
static int prepare_upload(const sg_leader *l, pending *p, sg_upload *u, uint64_t now)
{
	u->reject = check(l, &p->v, &p->rep, &p->budget, u->report, u->len, now);
	if (u->reject != SG_REJECT_NONE)
		return 0;
	sg_sha256(p->digest, p->rep->body.data, p->rep->body.len);
	int ret = sg_store_report_seen(l->store, &p->outcome, &p->seen_receipt, &p->seen_len,
				       p->v.meta->report_id.data, p->v.meta->enterprise_id,
				       p->digest);
	if (ret != 0)
		return ret;
	u->reject = refusal_of(p->outcome);
	if (u->reject == SG_REJECT_NONE && p->outcome == SG_STORE_NEW)
		u->reject = open_and_keep(l, &p->v, p->rep, &p->kept, &p->stripped,
					  &p->stripped_len);
	if (u->reject != SG_REJECT_NONE || p->outcome == SG_STORE_SAME)
		return 0;
	return receipt_reply(&p->receipt, &p->receipt_len, l, &p->v, p->digest, now);
}

/* The reply: an Error, the receipt given the first time, or the new one. */
static int reply_of(pending *p, sg_upload *u)
{
	uint8_t **from = p->outcome == SG_STORE_SAME ? &p->seen_receipt : &p->receipt;
	size_t len = p->outcome == SG_STORE_SAME ? p->seen_len : p->receipt_len;
	if (u->reject != SG_REJECT_NONE)
		return sg_error_reply(&u->reply, &u->reply_len, u->reject);
	u->reply = *from;
	u->reply_len = len;
	*from = NULL;
	return 0;
}

int sg_leader_upload_batch(sg_leader *l, sg_upload *u, size_t n, uint64_t now)
{
	pending *p = calloc(n + 1, sizeof *p);
	sg_store_new_report *put = calloc(n + 1, sizeof *put);
	size_t *at = calloc(n + 1, sizeof *at), m = 0;
	int ret = p && put && at ? 0 : SG_ERR_NOMEM;
	for (size_t i = 0; i < n; i++) {
		u[i].reply = NULL;
		u[i].reply_len = 0;
		u[i].reject = SG_REJECT_NONE;
	}
	for (size_t i = 0; ret == 0 && i < n; i++) {
		ret = prepare_upload(l, &p[i], &u[i], now);
		if (ret != 0 || u[i].reject != SG_REJECT_NONE || p[i].outcome != SG_STORE_NEW)
			continue;
		const Spillguard__ReportMetadata *meta = p[i].v.meta;
		at[m] = i;
		put[m++] = (sg_store_new_report){
			meta->report_id.data, meta->enterprise_id, meta->industry, now,
			p[i].digest, p[i].stripped, p[i].stripped_len, p[i].kept,
			sg_leader_kept_bytes(l->prio3), p[i].receipt, p[i].receipt_len,
			SG_STORE_NEW, NULL, 0
		};
	}
	/* every new one decided again, in one durable transaction with the inserts */
	if (ret == 0 && m > 0)
		ret = sg_store_put_reports(l->store, put, m);
	for (size_t k = 0; ret == 0 && k < m; k++) {
		pending *x = &p[at[k]];
		x->outcome = put[k].outcome;
		x->seen_receipt = put[k].stored_receipt;
		x->seen_len = put[k].stored_len;
		u[at[k]].reject = refusal_of(x->outcome);
	}
	for (size_t i = 0; ret == 0 && i < n; i++)
		ret = reply_of(&p[i], &u[i]);
	for (size_t i = 0; ret != 0 && i < n; i++) { /* no reply at all: the nodes retry */
		free(u[i].reply);
		u[i].reply = NULL;
		u[i].reply_len = 0;
	}
	for (size_t i = 0; p != NULL && i < n; i++)
		pending_free(l, &p[i]);
	free(p);
	free(put);
	free(at);
	return ret;
}

int sg_leader_upload(sg_leader *l, uint8_t **reply, size_t *reply_len, enum sg_reject *reject,
		     const uint8_t *report, size_t report_len, uint64_t now)
{
	sg_upload u = { report, report_len, NULL, 0, SG_REJECT_NONE };
	int ret = sg_leader_upload_batch(l, &u, 1, now);
	*reply = u.reply;
	*reply_len = u.reply_len;
	*reject = u.reject;
	return ret;
}

/* The receipt must be for this task and report, signed by the leader. */
static int check_receipt(const Spillguard__Receipt *rc, const sg_task *t,
			 const uint8_t *report_id, char *msg, size_t msg_len)
{
	ProtobufCMessage *m;
	sg_wire_budget *b;
	int ret = SG_ERR_VERIFY;
	if (!sg_verify_labeled(rc->signature.data, rc->signature.len, SG_RECEIPT_SIG_CONTEXT,
			       rc->body.data, rc->body.len, t->body->aggregators[0]->sign_pk.data)) {
		snprintf(msg, msg_len, "the receipt is not signed by the task's leader");
		return SG_ERR_VERIFY;
	}
	if (sg_wire_unpack(&m, &b, &spillguard__receipt_body__descriptor, rc->body.data,
			   rc->body.len) != 0) {
		snprintf(msg, msg_len, "the receipt is malformed");
		return SG_ERR_VERIFY;
	}
	const Spillguard__ReceiptBody *rb = (const Spillguard__ReceiptBody *)m;
	if (sg_task_is(t, &rb->task_id) &&
	    rb->report_id.len == SG_REPORT_ID_BYTES &&
	    memcmp(rb->report_id.data, report_id, SG_REPORT_ID_BYTES) == 0)
		ret = 0;
	else
		snprintf(msg, msg_len, "the receipt is for another report");
	sg_wire_release(m, b);
	return ret;
}

int sg_receipt_open(uint8_t report_id[SG_REPORT_ID_BYTES], uint32_t *industry, const sg_task *t,
		    const uint8_t *receipt, size_t len, char *msg, size_t msg_len)
{
	ProtobufCMessage *m = NULL, *bm = NULL;
	sg_wire_budget *b = NULL, *bb = NULL;
	int ret = SG_ERR_VERIFY;
	memset(report_id, 0, SG_REPORT_ID_BYTES);
	*industry = 0;
	if (sg_wire_unpack(&m, &b, &spillguard__receipt__descriptor, receipt, len) != 0 ||
	    sg_wire_unpack(&bm, &bb, &spillguard__receipt_body__descriptor,
			   ((Spillguard__Receipt *)m)->body.data,
			   ((Spillguard__Receipt *)m)->body.len) != 0) {
		snprintf(msg, msg_len, "not a receipt");
		goto cleanup;
	}
	const Spillguard__ReceiptBody *rb = (const Spillguard__ReceiptBody *)bm;
	long ros = sg_task_roster_find(t, rb->enterprise_id);
	if (rb->report_id.len != SG_REPORT_ID_BYTES || ros < 0) {
		snprintf(msg, msg_len, "the receipt names no enterprise of this task's roster");
		goto cleanup;
	}
	ret = check_receipt((const Spillguard__Receipt *)m, t, rb->report_id.data, msg, msg_len);
	if (ret == 0) {
		memcpy(report_id, rb->report_id.data, SG_REPORT_ID_BYTES);
		*industry = t->body->roster[ros]->industry;
	}
cleanup:
	sg_wire_release(bm, bb);
	sg_wire_release(m, b);
	return ret;
}

int sg_node_read_reply(uint8_t **receipt, size_t *receipt_len, enum sg_reject *reject,
		       const sg_task *t, const uint8_t report_id[SG_REPORT_ID_BYTES],
		       const uint8_t *reply, size_t reply_len, char *msg, size_t msg_len)
{
	sg_wire_msg w;
	int ret = SG_ERR_VERIFY;
	*receipt = NULL;
	*receipt_len = 0;
	*reject = SG_REJECT_NONE;
	if (sg_wire_decode(&w, reply, reply_len) != 0) {
		snprintf(msg, msg_len, "the leader's reply is malformed");
		return SG_ERR_VERIFY;
	}
	if (w.env->msg_case == SPILLGUARD__ENVELOPE__MSG_ERROR) {
		*reject = w.env->error->code < SG_REJECT_COUNT ? (enum sg_reject)w.env->error->code
							       : SG_REJECT_MALFORMED;
		snprintf(msg, msg_len, "refused: %s", sg_reject_message(*reject));
	} else if (w.env->msg_case != SPILLGUARD__ENVELOPE__MSG_RECEIPT) {
		snprintf(msg, msg_len, "the leader's reply is neither a receipt nor an error");
	} else if ((ret = check_receipt(w.env->receipt, t, report_id, msg, msg_len)) == 0) {
		size_t n = spillguard__receipt__get_packed_size(w.env->receipt);
		*receipt = malloc(n + 1);
		ret = *receipt ? 0 : SG_ERR_NOMEM;
		if (ret == 0)
			*receipt_len = spillguard__receipt__pack(w.env->receipt, *receipt);
	}
	sg_wire_msg_free(&w);
	return ret;
}
