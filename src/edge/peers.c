/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "edge/peers.h"
#include "protocol/upload.h"
#include "spillguard/err.h"

int sg_helper_serve(sg_helper *h, sg_server *srv, int timeout_ms, uint64_t now)
{
	sg_request req;
	uint8_t *reply = NULL;
	size_t reply_len = 0;
	int ret = sg_server_poll(srv, &req, timeout_ms);
	if (ret != 1)
		return ret;
	const uint8_t *leader = h->party.task->body->aggregators[0]->curve_pk.data;
	if (sodium_memcmp(req.client_key, leader, SG_TRANSPORT_KEY_BYTES) != 0)
		ret = sg_error_reply(&reply, &reply_len, SG_REJECT_MALFORMED);
	else
		ret = sg_helper_handle(h, &reply, &reply_len, req.data, req.len, now);
	if (ret == 0)
		ret = sg_server_reply(srv, &req, reply, reply_len);
	free(reply);
	sg_request_free(&req);
	return ret == 0 ? 1 : ret;
}

int sg_peers_open(sg_peers *p, const sg_task *t, const uint8_t curve_sk[32],
		  const char *const *endpoints, int timeout_ms, char *err, size_t err_len)
{
	memset(p, 0, sizeof *p);
	p->n = (unsigned)t->body->n_aggregators;
	p->timeout_ms = timeout_ms;
	p->c = calloc(p->n, sizeof *p->c);
	if (p->c == NULL)
		return SG_ERR_NOMEM;
	int ret = 0;
	for (unsigned j = 1; ret == 0 && j < p->n; j++) {
		const Spillguard__AggregatorInfo *a = t->body->aggregators[j];
		const char *ep = endpoints != NULL && endpoints[j] != NULL ? endpoints[j] : a->endpoint;
		char why[200] = "";
		ret = sg_client_open(&p->c[j], ep, a->curve_pk.data, curve_sk, why, sizeof why);
		if (ret != 0)
			snprintf(err, err_len, "aggregator %u (%s): %s", j, a->operator_name, why);
	}
	if (ret != 0)
		sg_peers_close(p);
	return ret;
}

void sg_peers_close(sg_peers *p)
{
	for (unsigned j = 0; p->c != NULL && j < p->n; j++)
		sg_client_close(p->c[j]);
	free(p->c);
	memset(p, 0, sizeof *p);
}

int sg_peers_call(void *ctx, unsigned helper, const uint8_t *req, size_t len, uint8_t **reply,
		  size_t *reply_len)
{
	sg_peers *p = ctx;
	if (helper == 0 || helper >= p->n)
		return SG_ERR_PARAM;
	return sg_client_call(p->c[helper], reply, reply_len, req, len, p->timeout_ms);
}

int sg_peers_call_all(void *ctx, const uint8_t *const *reqs, const size_t *lens,
		      uint8_t **replies, size_t *reply_lens)
{
	sg_peers *p = ctx;
	int ret = 0;
	for (unsigned j = 1; ret == 0 && j < p->n; j++)
		ret = sg_client_send(p->c[j], reqs[j], lens[j], p->timeout_ms);
	for (unsigned j = 1; ret == 0 && j < p->n; j++)
		ret = sg_client_receive(p->c[j], &replies[j], &reply_lens[j]);
	return ret;
}
