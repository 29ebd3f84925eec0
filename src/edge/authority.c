/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "edge/authority.h"
#include "edge/transport.h"
#include "protocol/upload.h"
#include "spillguard/err.h"
#include "wire/codec.h"

struct sg_authority {
	const sg_task *task;
	sg_client *client;
	uint8_t *order;
	size_t order_len;
};

void sg_authority_free(sg_authority *a)
{
	if (a == NULL)
		return;
	sg_client_close(a->client);
	free(a->order);
	free(a);
}

int sg_authority_open(sg_authority **out, const sg_task *t, const uint8_t authority_sk[64],
		      const char *endpoint, char *err, size_t err_len)
{
	const Spillguard__AggregatorInfo *l = t->body->aggregators[0];
	uint8_t pk[32], eph[32];
	*out = NULL;
	crypto_sign_ed25519_sk_to_pk(pk, authority_sk);
	if (sodium_memcmp(pk, t->body->authority_pk.data, sizeof pk) != 0) {
		snprintf(err, err_len, "the key is not the key of the task's authority");
		return SG_ERR_PARAM;
	}
	sg_authority *a = calloc(1, sizeof *a);
	if (a == NULL)
		return SG_ERR_NOMEM;
	a->task = t;
	randombytes_buf(eph, sizeof eph);
	int ret = sg_collect_now_msg(&a->order, &a->order_len, t, authority_sk,
				     (uint64_t)time(NULL));
	if (ret != 0)
		snprintf(err, err_len, "cannot make the order: %s", sg_strerror(ret));
	if (ret == 0)
		ret = sg_client_open(&a->client, endpoint ? endpoint : l->endpoint, l->curve_pk.data,
				     eph, err, err_len);
	sodium_memzero(eph, sizeof eph);
	if (ret != 0)
		sg_authority_free(a);
	else
		*out = a;
	return ret;
}

int sg_authority_close_round(sg_authority *a, sg_round_status *s, int timeout_ms, char *msg,
			     size_t msg_len)
{
	uint8_t *reply = NULL;
	size_t reply_len = 0;
	sg_wire_msg w;
	msg[0] = '\0';
	int ret = sg_client_call(a->client, &reply, &reply_len, a->order, a->order_len, timeout_ms);
	if (ret != 0) {
		snprintf(msg, msg_len, "no reply from the leader: %s",
			 sg_client_error(a->client)[0] ? sg_client_error(a->client)
						       : sg_strerror(ret));
		return ret;
	}
	if (sg_round_status_read(s, a->task, reply, reply_len) == 0) {
		ret = 0;
	} else if (sg_wire_decode(&w, reply, reply_len) == 0 &&
		   w.env->msg_case == SPILLGUARD__ENVELOPE__MSG_ERROR) {
		uint32_t code = w.env->error->code;
		snprintf(msg, msg_len, "the leader refused (code %u): %s", (unsigned)code,
			 code == SG_REJECT_BAD_SIGNATURE ? "the order is not signed by the task's "
							   "authority"
			 : code == SG_REJECT_MALFORMED	  ? "not a collect order of this task"
							  : sg_reject_message((enum sg_reject)code));
		sg_wire_msg_free(&w);
		ret = SG_ERR_VERIFY;
	} else {
		snprintf(msg, msg_len, "the leader's reply is not a round status");
		ret = SG_ERR_PARSE;
	}
	free(reply);
	return ret;
}
