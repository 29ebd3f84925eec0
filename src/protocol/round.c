/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>

#include "core/signed.h"
#include "protocol/round.h"
#include "spillguard/err.h"
#include "wire/codec.h"

void sg_round_status_free(sg_round_status *s)
{
	if (s == NULL)
		return;
	free(s->published);
	free(s->withheld);
	memset(s, 0, sizeof *s);
}

int sg_collect_now_msg(uint8_t **out, size_t *out_len, const sg_task *t,
		       const uint8_t authority_sk[64], uint64_t issued_at)
{
	Spillguard__CollectNowBody b = SPILLGUARD__COLLECT_NOW_BODY__INIT;
	Spillguard__CollectNow c = SPILLGUARD__COLLECT_NOW__INIT;
	Spillguard__Envelope env = SPILLGUARD__ENVELOPE__INIT;
	uint8_t sig[SG_SIGNATURE_BYTES];
	*out = NULL;
	*out_len = 0;
	b.version = SG_WIRE_VERSION;
	b.task_id = (ProtobufCBinaryData){ SG_TASK_ID_BYTES, (uint8_t *)t->id };
	b.issued_at = issued_at;
	size_t len = spillguard__collect_now_body__get_packed_size(&b);
	uint8_t *body = malloc(len);
	if (body == NULL)
		return SG_ERR_NOMEM;
	spillguard__collect_now_body__pack(&b, body);
	int ret = sg_sign_labeled(sig, SG_COLLECT_NOW_SIG_CONTEXT, body, len, authority_sk);
	if (ret == 0) {
		c.version = SG_WIRE_VERSION;
		c.body = (ProtobufCBinaryData){ len, body };
		c.signature = (ProtobufCBinaryData){ sizeof sig, sig };
		env.msg_case = SPILLGUARD__ENVELOPE__MSG_COLLECT_NOW;
		env.collect_now = &c;
		ret = sg_wire_encode(out, out_len, &env);
	}
	free(body);
	return ret;
}

int sg_collect_now_read(uint64_t *issued_at, const sg_task *t, const uint8_t *msg, size_t len)
{
	sg_wire_msg w;
	ProtobufCMessage *m = NULL;
	sg_wire_budget *b = NULL;
	*issued_at = 0;
	int ret = sg_wire_decode(&w, msg, len);
	if (ret != 0)
		return ret;
	ret = SG_ERR_PARSE;
	if (w.env->msg_case != SPILLGUARD__ENVELOPE__MSG_COLLECT_NOW)
		goto cleanup;
	const Spillguard__CollectNow *c = w.env->collect_now;
	if (sg_wire_unpack(&m, &b, &spillguard__collect_now_body__descriptor, c->body.data,
			   c->body.len) != 0)
		goto cleanup;
	const Spillguard__CollectNowBody *body = (const Spillguard__CollectNowBody *)m;
	if (body->version != SG_WIRE_VERSION || !sg_task_is(t, &body->task_id))
		goto cleanup;
	ret = SG_ERR_VERIFY;
	if (!sg_verify_labeled(c->signature.data, c->signature.len, SG_COLLECT_NOW_SIG_CONTEXT,
			       c->body.data, c->body.len, t->body->authority_pk.data))
		goto cleanup;
	*issued_at = body->issued_at;
	ret = 0;
cleanup:
	sg_wire_release(m, b);
	sg_wire_msg_free(&w);
	return ret;
}

int sg_round_status_msg(uint8_t **out, size_t *out_len, const sg_task *t, const sg_round_status *s)
{
	Spillguard__RoundStatus r = SPILLGUARD__ROUND_STATUS__INIT;
	Spillguard__Envelope env = SPILLGUARD__ENVELOPE__INIT;
	r.version = SG_WIRE_VERSION;
	r.task_id = (ProtobufCBinaryData){ SG_TASK_ID_BYTES, (uint8_t *)t->id };
	r.state = (uint32_t)s->state;
	r.uploads = s->uploads;
	r.accepted = s->accepted;
	r.refused = s->refused;
	r.n_published = s->n_published;
	r.published = s->published;
	r.n_withheld = s->n_withheld;
	r.withheld = s->withheld;
	env.msg_case = SPILLGUARD__ENVELOPE__MSG_ROUND_STATUS;
	env.round_status = &r;
	return sg_wire_encode(out, out_len, &env);
}

/* A copy of n industry ids, each one of the task's. */
static int industries_copy(uint32_t **out, const sg_task *t, const uint32_t *ids, size_t n)
{
	*out = NULL;
	if (n == 0)
		return 0;
	if (n > t->body->n_industries)
		return SG_ERR_PARSE;
	for (size_t i = 0; i < n; i++)
		if (sg_task_industry_index(t->body, ids[i]) < 0)
			return SG_ERR_PARSE;
	*out = malloc(n * sizeof **out);
	if (*out == NULL)
		return SG_ERR_NOMEM;
	memcpy(*out, ids, n * sizeof **out);
	return 0;
}

int sg_round_status_read(sg_round_status *s, const sg_task *t, const uint8_t *msg, size_t len)
{
	sg_wire_msg w;
	memset(s, 0, sizeof *s);
	int ret = sg_wire_decode(&w, msg, len);
	if (ret != 0)
		return ret;
	const Spillguard__RoundStatus *r = w.env->round_status;
	ret = SG_ERR_PARSE;
	if (w.env->msg_case != SPILLGUARD__ENVELOPE__MSG_ROUND_STATUS ||
	    !sg_task_is(t, &r->task_id) || r->state < SG_ROUND_OPEN ||
	    r->state > SG_ROUND_PUBLISHED)
		goto cleanup;
	s->state = (enum sg_round_state)r->state;
	s->uploads = r->uploads;
	s->accepted = r->accepted;
	s->refused = r->refused;
	ret = industries_copy(&s->published, t, r->published, r->n_published);
	if (ret == 0)
		ret = industries_copy(&s->withheld, t, r->withheld, r->n_withheld);
	if (ret == 0) {
		s->n_published = r->n_published;
		s->n_withheld = r->n_withheld;
	} else {
		sg_round_status_free(s);
	}
cleanup:
	sg_wire_msg_free(&w);
	return ret;
}
