/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ZeroMQ CURVE request/reply: the client (transport.h has the contract).
 *
 * The client sets ZMQ_IMMEDIATE: a request is queued only on a connection
 * whose handshake is complete, so a client that cannot authenticate its
 * server (or is refused by it) never sends. A monitor socket reports failed
 * handshakes, to say why a call timed out.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <zmq.h>

#include "edge/transport_internal.h"
#include "spillguard/err.h"
#include "util/misuse.h"

struct sg_client {
	void *ctx, *sock, *monitor;
	uint64_t next_id;
	uint8_t pending[ID_BYTES]; /* the call sent and not yet answered */
	int64_t deadline;
	int timeout_ms;
	bool sent;
	const char *handshake; /* why the last handshake failed; NULL when none did */
	char endpoint[SG_TRANSPORT_ENDPOINT_MAX];
	char errstr[ERR_BYTES];
};

/* --- client ----------------------------------------------------------------- */

/* Records what the monitor says of handshakes (events of ZeroMQ's stable
 * monitor format: [u16 event, u32 value][endpoint]). */
static void read_monitor(sg_client *c)
{
	frames f;
	while (tp_recv_frames(c->monitor, &f) == 1) {
		uint16_t ev = 0;
		if (f.n == 2 && zmq_msg_size(&f.m[0]) == 6)
			memcpy(&ev, zmq_msg_data(&f.m[0]), sizeof ev);
		if (ev == ZMQ_EVENT_HANDSHAKE_SUCCEEDED)
			c->handshake = NULL;
		else if (ev == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)
			c->handshake = "the server refused our key";
		else if (ev == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL ||
			 ev == ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL)
			c->handshake = "the handshake failed (is its server key the one expected?)";
		tp_frames_close(&f);
	}
}

/* Waits until the socket has events or deadline passes: 1, 0, or an error. */
static int client_wait(sg_client *c, short events, int64_t deadline, int timeout_ms)
{
	zmq_pollitem_t items[2] = {
		{ .socket = c->sock, .events = events },
		{ .socket = c->monitor, .events = ZMQ_POLLIN },
	};
	int ret;
	for (;;) {
		long wait = tp_left_ms(deadline, timeout_ms);
		if (zmq_poll(items, 2, wait) < 0) {
			tp_say(c->errstr, sizeof c->errstr, "call to %s: %s", c->endpoint,
			       errno == EINTR ? "interrupted by a signal" : zmq_strerror(errno));
			ret = SG_ERR_IO;
			break;
		}
		read_monitor(c);
		ret = (items[0].revents & events) != 0;
		if (ret == 1 || wait == 0)
			break;
	}
	return ret;
}

static int client_send(sg_client *c, const uint8_t id[ID_BYTES], const uint8_t *req, size_t len,
		       int64_t deadline, int timeout_ms)
{
	int ret, sent = -1;
	do {
		ret = client_wait(c, ZMQ_POLLOUT, deadline, timeout_ms);
		if (ret == 1)
			sent = zmq_send(c->sock, id, ID_BYTES, ZMQ_SNDMORE | ZMQ_DONTWAIT);
	} while (ret == 1 && sent < 0 && errno == EAGAIN);
	if (ret == 0)
		ret = SG_ERR_TIMEOUT;
	if (ret == 1) {
		/* The rest of a message follows its first part without waiting. */
		ret = 0;
		if (sent < 0 || zmq_send(c->sock, req, len, ZMQ_DONTWAIT) < 0) {
			tp_say(c->errstr, sizeof c->errstr, "call to %s: send: %s", c->endpoint,
			       zmq_strerror(errno));
			ret = SG_ERR_IO;
		}
	}
	return ret;
}

/* [request id][payload] carrying id, copied out; other messages dropped. */
static int take_reply(sg_client *c, uint8_t **reply, size_t *reply_len,
		      const uint8_t id[ID_BYTES], frames *f)
{
	size_t len = f->n == 2 ? zmq_msg_size(&f->m[1]) : 0;
	int ret = 0;
	if (f->truncated || f->n != 2 || zmq_msg_size(&f->m[0]) != ID_BYTES ||
	    len > SG_TRANSPORT_MAX_MSG_BYTES || memcmp(zmq_msg_data(&f->m[0]), id, ID_BYTES) != 0)
		goto cleanup;
	ret = SG_ERR_NOMEM;
	if ((*reply = malloc(len > 0 ? len : 1)) == NULL) {
		tp_say(c->errstr, sizeof c->errstr, "call to %s: out of memory for a reply of %zu bytes",
		       c->endpoint, len);
		goto cleanup;
	}
	memcpy(*reply, zmq_msg_data(&f->m[1]), len);
	*reply_len = len;
	ret = 1;
cleanup:
	return ret;
}

static int client_receive(sg_client *c, uint8_t **reply, size_t *reply_len,
			  const uint8_t id[ID_BYTES], int64_t deadline, int timeout_ms)
{
	frames f;
	int ret = 0;
	while (ret == 0) {
		int r = tp_recv_frames(c->sock, &f);
		if (r < 0) {
			tp_say(c->errstr, sizeof c->errstr, "call to %s: receive: %s", c->endpoint,
			       zmq_strerror(errno));
			ret = SG_ERR_IO;
		} else if (r == 1) {
			ret = take_reply(c, reply, reply_len, id, &f);
			tp_frames_close(&f);
		} else {
			r = client_wait(c, ZMQ_POLLIN, deadline, timeout_ms);
			ret = r == 0 ? SG_ERR_TIMEOUT : r < 0 ? r : 0;
		}
	}
	return ret < 0 ? ret : 0;
}

int sg_client_send(sg_client *c, const uint8_t *req, size_t len, int timeout_ms)
{
	c->errstr[0] = '\0';
	c->sent = false;
	if (timeout_ms < 0 || (req == NULL && len != 0))
		sg_misuse(__func__);
	if (len > SG_TRANSPORT_MAX_MSG_BYTES) {
		tp_say(c->errstr, sizeof c->errstr, "call to %s: request of %zu bytes is over the limit of %zu",
		       c->endpoint, len, (size_t)SG_TRANSPORT_MAX_MSG_BYTES);
		return SG_ERR_LENGTH;
	}
	c->deadline = tp_now_ms() + timeout_ms;
	c->timeout_ms = timeout_ms;
	for (size_t i = 0; i < ID_BYTES; i++)
		c->pending[i] = (uint8_t)(c->next_id >> (8 * i));
	c->next_id++;
	int ret = client_send(c, c->pending, req, len, c->deadline, timeout_ms);
	c->sent = ret == 0;
	if (ret == SG_ERR_TIMEOUT)
		tp_say(c->errstr, sizeof c->errstr, "no reply in time from %s%s%s", c->endpoint,
		       c->handshake != NULL ? ": " : "", c->handshake != NULL ? c->handshake : "");
	return ret;
}

int sg_client_receive(sg_client *c, uint8_t **reply, size_t *reply_len)
{
	*reply = NULL;
	*reply_len = 0;
	if (!c->sent)
		sg_misuse(__func__);
	c->sent = false;
	int ret = client_receive(c, reply, reply_len, c->pending, c->deadline, c->timeout_ms);
	if (ret == SG_ERR_TIMEOUT)
		tp_say(c->errstr, sizeof c->errstr, "no reply in time from %s%s%s", c->endpoint,
		       c->handshake != NULL ? ": " : "", c->handshake != NULL ? c->handshake : "");
	return ret;
}

int sg_client_call(sg_client *c, uint8_t **reply, size_t *reply_len, const uint8_t *req,
		   size_t len, int timeout_ms)
{
	*reply = NULL;
	*reply_len = 0;
	int ret = sg_client_send(c, req, len, timeout_ms);
	return ret == 0 ? sg_client_receive(c, reply, reply_len) : ret;
}

static int client_setup(sg_client *c, const char *endpoint,
			const uint8_t server_public[KEY_BYTES], const uint8_t secret[KEY_BYTES],
			char *err, size_t err_len)
{
	const int events = ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH |
			   ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
			   ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL;
	int ret = SG_ERR_IO;
	c->ctx = zmq_ctx_new();
	/* The monitor is connected before the socket connects: no event lost. */
	if (c->ctx == NULL || (c->sock = zmq_socket(c->ctx, ZMQ_DEALER)) == NULL ||
	    tp_set_common(c->sock) != 0 || tp_set_int(c->sock, ZMQ_IMMEDIATE, 1) != 0 ||
	    zmq_setsockopt(c->sock, ZMQ_CURVE_SERVERKEY, server_public, KEY_BYTES) != 0 ||
	    tp_set_keys(c->sock, secret) != 0 ||
	    zmq_socket_monitor(c->sock, MONITOR_ENDPOINT, events) != 0 ||
	    (c->monitor = zmq_socket(c->ctx, ZMQ_PAIR)) == NULL ||
	    tp_set_int(c->monitor, ZMQ_LINGER, 0) != 0 || zmq_connect(c->monitor, MONITOR_ENDPOINT) != 0)
		tp_say(err, err_len, "%s: cannot set up a CURVE client socket: %s", endpoint,
		       zmq_strerror(errno));
	else if (zmq_connect(c->sock, endpoint) != 0)
		ret = tp_endpoint_err(err, err_len, endpoint, "connect");
	else
		ret = 0;
	return ret;
}

int sg_client_open(sg_client **out, const char *endpoint,
		   const uint8_t server_public[static KEY_BYTES],
		   const uint8_t client_secret[static KEY_BYTES], char *err, size_t err_len)
{
	sg_client *c = NULL;
	int ret;

	*out = NULL;
	ret = tp_check_endpoint(endpoint, err, err_len);
	if (ret != 0)
		goto cleanup;
	ret = SG_ERR_NOMEM;
	if ((c = calloc(1, sizeof *c)) == NULL) {
		tp_say(err, err_len, "%s: out of memory", endpoint);
		goto cleanup;
	}
	snprintf(c->endpoint, sizeof c->endpoint, "%s", endpoint);
	/* Ids need only differ between the calls of one client; a random
	 * start also keeps clients from sharing a sequence. */
	randombytes_buf(&c->next_id, sizeof c->next_id);
	ret = client_setup(c, endpoint, server_public, client_secret, err, err_len);
	if (ret != 0)
		goto cleanup;
	*out = c;
	c = NULL;
cleanup:
	sg_client_close(c);
	return ret;
}

void sg_client_close(sg_client *c)
{
	if (c == NULL)
		return;
	if (c->sock != NULL)
		zmq_close(c->sock); /* also ends the monitor's own socket */
	if (c->monitor != NULL)
		zmq_close(c->monitor);
	tp_ctx_end(c->ctx);
	free(c);
}

const char *sg_client_error(const sg_client *c)
{
	return c->errstr;
}
