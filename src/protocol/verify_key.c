/* SPDX-License-Identifier: Apache-2.0 */
#include <string.h>

#include <sodium.h>

#include "protocol/verify_key.h"
#include "spillguard/err.h"
#include "spillguard/hpke.h"
#include "wire/codec.h"

#define INFO_LABEL "spillguard verify key v1"
#define ID_LABEL "spillguard verify key id v1"
#define INFO_BYTES (sizeof INFO_LABEL - 1 + SG_TASK_ID_BYTES + 4)
#define CT_BYTES (SG_PRIO3_VERIFY_KEY_BYTES + SG_HPKE_TAG_BYTES)

static void grant_info(uint8_t info[INFO_BYTES], const sg_task *t, unsigned helper)
{
	size_t n = sizeof INFO_LABEL - 1;
	memcpy(info, INFO_LABEL, n);
	memcpy(info + n, t->id, SG_TASK_ID_BYTES);
	n += SG_TASK_ID_BYTES;
	info[n] = (uint8_t)(helper >> 24);
	info[n + 1] = (uint8_t)(helper >> 16);
	info[n + 2] = (uint8_t)(helper >> 8);
	info[n + 3] = (uint8_t)helper;
}

int sg_verify_key_grant(uint8_t **out, size_t *out_len, const sg_task *t, unsigned helper,
			const uint8_t key[SG_PRIO3_VERIFY_KEY_BYTES])
{
	uint8_t info[INFO_BYTES], enc[SG_HPKE_ENC_BYTES], ct[CT_BYTES];
	*out = NULL;
	*out_len = 0;
	if (helper == 0 || helper >= t->body->n_aggregators)
		return SG_ERR_PARAM;
	grant_info(info, t, helper);
	int ret = sg_hpke_seal(enc, ct, t->body->aggregators[helper]->hpke_pk.data, info,
			       sizeof info, NULL, 0, key, SG_PRIO3_VERIFY_KEY_BYTES);
	if (ret != 0)
		return ret;
	Spillguard__VerifyKeyGrant g = SPILLGUARD__VERIFY_KEY_GRANT__INIT;
	Spillguard__Envelope env = SPILLGUARD__ENVELOPE__INIT;
	g.version = SG_WIRE_VERSION;
	g.task_id = (ProtobufCBinaryData){ SG_TASK_ID_BYTES, (uint8_t *)t->id };
	g.aggregator = helper;
	g.enc = (ProtobufCBinaryData){ sizeof enc, enc };
	g.ciphertext = (ProtobufCBinaryData){ sizeof ct, ct };
	env.msg_case = SPILLGUARD__ENVELOPE__MSG_VERIFY_KEY;
	env.verify_key = &g;
	return sg_wire_encode(out, out_len, &env);
}

int sg_verify_key_open(uint8_t key[SG_PRIO3_VERIFY_KEY_BYTES], const sg_task *t, unsigned self,
		       const uint8_t hpke_sk[32], const uint8_t *msg, size_t len)
{
	sg_wire_msg w;
	uint8_t info[INFO_BYTES];
	sodium_memzero(key, SG_PRIO3_VERIFY_KEY_BYTES);
	int ret = sg_wire_decode(&w, msg, len);
	if (ret != 0)
		return ret;
	const Spillguard__VerifyKeyGrant *g = w.env->verify_key;
	ret = SG_ERR_PARSE;
	if (w.env->msg_case != SPILLGUARD__ENVELOPE__MSG_VERIFY_KEY || !sg_task_is(t, &g->task_id) ||
	    g->aggregator != self || g->enc.len != SG_HPKE_ENC_BYTES ||
	    g->ciphertext.len != CT_BYTES)
		goto cleanup;
	grant_info(info, t, self);
	ret = sg_hpke_open(key, g->enc.data, hpke_sk, info, sizeof info, NULL, 0,
			   g->ciphertext.data, g->ciphertext.len);
cleanup:
	if (ret != 0)
		sodium_memzero(key, SG_PRIO3_VERIFY_KEY_BYTES);
	sg_wire_msg_free(&w);
	return ret;
}

void sg_verify_key_id(uint8_t id[SG_VERIFY_KEY_ID_BYTES], const sg_task *t,
		      const uint8_t key[SG_PRIO3_VERIFY_KEY_BYTES])
{
	crypto_hash_sha256_state st;
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const uint8_t *)ID_LABEL, sizeof ID_LABEL - 1);
	crypto_hash_sha256_update(&st, t->id, SG_TASK_ID_BYTES);
	crypto_hash_sha256_update(&st, key, SG_PRIO3_VERIFY_KEY_BYTES);
	crypto_hash_sha256_final(&st, id);
	sodium_memzero(&st, sizeof st);
}

int sg_verify_key_ack(uint8_t **out, size_t *out_len, const sg_task *t,
		      const uint8_t key[SG_PRIO3_VERIFY_KEY_BYTES])
{
	uint8_t id[SG_VERIFY_KEY_ID_BYTES];
	Spillguard__VerifyKeyAck a = SPILLGUARD__VERIFY_KEY_ACK__INIT;
	Spillguard__Envelope env = SPILLGUARD__ENVELOPE__INIT;
	sg_verify_key_id(id, t, key);
	a.version = SG_WIRE_VERSION;
	a.task_id = (ProtobufCBinaryData){ SG_TASK_ID_BYTES, (uint8_t *)t->id };
	a.key_id = (ProtobufCBinaryData){ sizeof id, id };
	env.msg_case = SPILLGUARD__ENVELOPE__MSG_VERIFY_KEY_ACK;
	env.verify_key_ack = &a;
	return sg_wire_encode(out, out_len, &env);
}

int sg_verify_key_ack_check(const sg_task *t, const uint8_t key[SG_PRIO3_VERIFY_KEY_BYTES],
			    const uint8_t *msg, size_t len)
{
	sg_wire_msg w;
	uint8_t id[SG_VERIFY_KEY_ID_BYTES];
	int ret = sg_wire_decode(&w, msg, len);
	if (ret != 0)
		return ret;
	const Spillguard__VerifyKeyAck *a = w.env->verify_key_ack;
	ret = SG_ERR_PARSE;
	if (w.env->msg_case == SPILLGUARD__ENVELOPE__MSG_VERIFY_KEY_ACK &&
	    sg_task_is(t, &a->task_id) && a->key_id.len == sizeof id) {
		sg_verify_key_id(id, t, key);
		ret = sodium_memcmp(id, a->key_id.data, sizeof id) == 0 ? 0 : SG_ERR_VERIFY;
	}
	sg_wire_msg_free(&w);
	return ret;
}
