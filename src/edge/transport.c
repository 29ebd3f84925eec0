/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ZeroMQ CURVE request/reply (transport.h has the contract).
 *
 * Each server and each client owns its ZeroMQ context. For a server that is
 * required: the ZAP endpoint inproc://zeromq.zap.01 belongs to a context,
 * and one handler per context decides for every CURVE server socket in it,
 * so a daemon's upload socket (any key) and aggregator socket (allowlist)
 * must not share one. ZAP requests come from libzmq itself over inproc, so
 * the handler trusts their framing only as far as answering each one.
 *
 * The allowlist is checked twice: by the ZAP handler during the handshake,
 * and again on every request against the User-Id the handler gave the
 * connection, so a request that somehow came without ZAP is still dropped.
 *
 * The helpers both sides use are here too; the client is in
 * transport_client.c.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>
#include <zmq.h>

#include "edge/transport_internal.h"
#include "spillguard/err.h"
#include "util/misuse.h"

struct sg_server {
	void *ctx, *sock, *zap;
	uint8_t (*allowed)[KEY_BYTES]; /* NULL: any key */
	size_t n_allowed;
	char endpoint[SG_TRANSPORT_ENDPOINT_MAX];
	char errstr[ERR_BYTES];
};

/* --- helpers --------------------------------------------------------------- */

void tp_say(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (len > 0)
		vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

int64_t tp_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Milliseconds left before deadline for zmq_poll: -1 without a limit. */
long tp_left_ms(int64_t deadline, int timeout_ms)
{
	int64_t left = deadline - tp_now_ms();
	return timeout_ms < 0 ? -1 : left > 0 ? (long)left : 0;
}

bool tp_frame_is(zmq_msg_t *m, const char *s)
{
	size_t n = strlen(s);
	return zmq_msg_size(m) == n && memcmp(zmq_msg_data(m), s, n) == 0;
}

void tp_frames_close(frames *f)
{
	for (size_t i = 0; i < f->n; i++)
		zmq_msg_close(&f->m[i]);
	f->n = 0;
}

/* Takes one whole message if one is waiting: 1, 0 when none is, -1 with
 * errno when ZeroMQ fails. The parts of a message arrive together, so none
 * of the receives waits. */
int tp_recv_frames(void *sock, frames *f)
{
	zmq_msg_t extra, *m;
	int more = 1, ret = 1, e = 0;
	f->n = 0;
	f->truncated = false;
	while (more && ret == 1) {
		m = f->n < MAX_FRAMES ? &f->m[f->n] : &extra;
		zmq_msg_init(m);
		if (zmq_msg_recv(m, sock, ZMQ_DONTWAIT) < 0) {
			e = errno;
			ret = e == EAGAIN && f->n == 0 && !f->truncated ? 0 : -1;
			zmq_msg_close(m);
			break;
		}
		more = zmq_msg_more(m);
		if (m == &extra) {
			zmq_msg_close(m);
			f->truncated = true;
		} else {
			f->n++;
		}
	}
	if (ret != 1)
		tp_frames_close(f);
	errno = e; /* as the failed receive left it, for the caller's message */
	return ret;
}

int tp_set_int(void *sock, int opt, int value)
{
	return zmq_setsockopt(sock, opt, &value, sizeof value);
}

/* Options every socket here gets. */
int tp_set_common(void *sock)
{
	int64_t max = (int64_t)(SG_TRANSPORT_MAX_MSG_BYTES + FRAME_SLACK);
	return tp_set_int(sock, ZMQ_LINGER, 0) != 0 || tp_set_int(sock, ZMQ_IPV6, 0) != 0 ||
			       tp_set_int(sock, ZMQ_SNDHWM, QUEUE_MSGS) != 0 ||
			       tp_set_int(sock, ZMQ_RCVHWM, QUEUE_MSGS) != 0 ||
			       tp_set_int(sock, ZMQ_HANDSHAKE_IVL, HANDSHAKE_MS) != 0 ||
			       zmq_setsockopt(sock, ZMQ_MAXMSGSIZE, &max, sizeof max) != 0
		       ? -1
		       : 0;
}

/* Sets the socket's own CURVE key pair, the public half derived. */
int tp_set_keys(void *sock, const uint8_t secret[KEY_BYTES])
{
	uint8_t pk[KEY_BYTES];
	return crypto_scalarmult_base(pk, secret) != 0 ||
			       zmq_setsockopt(sock, ZMQ_CURVE_PUBLICKEY, pk, KEY_BYTES) != 0 ||
			       zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, secret, KEY_BYTES) != 0
		       ? -1
		       : 0;
}

/* tcp:// and ipc:// only: inproc:// skips the security handshake. */
int tp_check_endpoint(const char *endpoint, char *err, size_t err_len)
{
	int ret = SG_ERR_PARAM;
	if (strlen(endpoint) >= SG_TRANSPORT_ENDPOINT_MAX)
		tp_say(err, err_len, "%.64s...: endpoint longer than %d characters", endpoint,
		       SG_TRANSPORT_ENDPOINT_MAX - 1);
	else if (strncmp(endpoint, "tcp://", 6) != 0 && strncmp(endpoint, "ipc://", 6) != 0)
		tp_say(err, err_len, "'%s': not a tcp:// or ipc:// endpoint (only those carry CURVE)",
		       endpoint);
	else
		ret = 0;
	return ret;
}

/* The code for ZeroMQ's errno after a failed bind or connect. */
int tp_endpoint_err(char *err, size_t err_len, const char *endpoint, const char *what)
{
	int e = errno;
	tp_say(err, err_len, "%s: cannot %s: %s", endpoint, what, zmq_strerror(e));
	return e == EINVAL || e == EPROTONOSUPPORT || e == ENOCOMPATPROTO ? SG_ERR_PARAM : SG_ERR_IO;
}

void tp_ctx_end(void *ctx)
{
	while (ctx != NULL && zmq_ctx_term(ctx) != 0 && errno == EINTR)
		;
}

/* --- server: ZAP ------------------------------------------------------------ */

/* Public keys: the comparison need not hide which one matched. */
static bool key_allowed(const sg_server *s, const uint8_t key[KEY_BYTES])
{
	bool ok = s->allowed == NULL;
	for (size_t i = 0; !ok && i < s->n_allowed; i++)
		ok = memcmp(s->allowed[i], key, KEY_BYTES) == 0;
	return ok;
}

/*
 * RFC 27. Request: version, request id, domain, address, routing id,
 * mechanism, credentials (for CURVE one frame: the client's public key,
 * which the handshake has proved the client holds). Reply: version,
 * request id, status code, status text, user id, metadata.
 */
static int zap_answer(sg_server *s, frames *f)
{
	char user[KEY_Z85 + 1] = "";
	const char *code = "500", *text = "malformed ZAP request";
	const void *rid = "";
	size_t rid_len = 0;
	int ret = 0;

	if (f->n >= 2) {
		rid = zmq_msg_data(&f->m[1]);
		rid_len = zmq_msg_size(&f->m[1]);
	}
	if (!f->truncated && f->n == 7 && tp_frame_is(&f->m[0], "1.0") &&
	    tp_frame_is(&f->m[5], "CURVE") && zmq_msg_size(&f->m[6]) == KEY_BYTES) {
		const uint8_t *key = zmq_msg_data(&f->m[6]);
		code = "400";
		text = "client key not allowed";
		if (key_allowed(s, key)) {
			code = "200";
			text = "OK";
			sg_z85_encode(user, key, KEY_BYTES);
		}
	}
	if (zmq_send(s->zap, "1.0", 3, ZMQ_SNDMORE) < 0 ||
	    zmq_send(s->zap, rid, rid_len, ZMQ_SNDMORE) < 0 ||
	    zmq_send(s->zap, code, 3, ZMQ_SNDMORE) < 0 ||
	    zmq_send(s->zap, text, strlen(text), ZMQ_SNDMORE) < 0 ||
	    zmq_send(s->zap, user, strlen(user), ZMQ_SNDMORE) < 0 || zmq_send(s->zap, "", 0, 0) < 0) {
		tp_say(s->errstr, sizeof s->errstr, "%s: cannot answer a ZAP request: %s", s->endpoint,
		       zmq_strerror(errno));
		ret = SG_ERR_IO;
	}
	return ret;
}

/* Answers every waiting ZAP request. */
static int serve_zap(sg_server *s)
{
	frames f;
	int ret = 0, r;
	while (ret == 0 && (r = tp_recv_frames(s->zap, &f)) != 0) {
		if (r < 0) {
			tp_say(s->errstr, sizeof s->errstr, "%s: ZAP socket: %s", s->endpoint,
			       zmq_strerror(errno));
			ret = SG_ERR_IO;
			break;
		}
		ret = zap_answer(s, &f);
		tp_frames_close(&f);
	}
	return ret;
}

/* --- server: requests ------------------------------------------------------- */

/* The key the ZAP handler named the connection by. */
static bool peer_key(uint8_t key[KEY_BYTES], zmq_msg_t *m)
{
	const char *uid = zmq_msg_gets(m, "User-Id");
	size_t n = 0;
	return uid != NULL && strlen(uid) == KEY_Z85 &&
	       sg_z85_decode(key, KEY_BYTES, &n, uid, KEY_Z85) == 0 && n == KEY_BYTES;
}

/* [routing id][request id][payload] from an admitted key, or dropped. */
static int to_request(sg_server *s, sg_request *req, frames *f)
{
	size_t peer_len = f->n == 3 ? zmq_msg_size(&f->m[0]) : 0, len = 0;
	int ret = 0;
	if (f->truncated || peer_len == 0 || peer_len > sizeof req->peer ||
	    zmq_msg_size(&f->m[1]) != ID_BYTES ||
	    (len = zmq_msg_size(&f->m[2])) > SG_TRANSPORT_MAX_MSG_BYTES ||
	    !peer_key(req->client_key, &f->m[2]) || !key_allowed(s, req->client_key))
		goto cleanup;
	ret = SG_ERR_NOMEM;
	if ((req->data = malloc(len > 0 ? len : 1)) == NULL) {
		tp_say(s->errstr, sizeof s->errstr, "%s: out of memory for a request of %zu bytes",
		       s->endpoint, len);
		goto cleanup;
	}
	memcpy(req->data, zmq_msg_data(&f->m[2]), len);
	req->len = len;
	memcpy(req->peer, zmq_msg_data(&f->m[0]), peer_len);
	req->peer_len = peer_len;
	memcpy(req->id, zmq_msg_data(&f->m[1]), ID_BYTES);
	ret = 1;
cleanup:
	return ret;
}

/* 1 with a request, 0 when none is waiting (after dropping up to
 * DROPS_PER_POLL malformed ones), or an error. */
static int take_request(sg_server *s, sg_request *req)
{
	frames f;
	int ret = 0;
	for (int i = 0; ret == 0 && i < DROPS_PER_POLL; i++) {
		int r = tp_recv_frames(s->sock, &f);
		if (r == 0)
			break;
		if (r < 0) {
			tp_say(s->errstr, sizeof s->errstr, "%s: receive: %s", s->endpoint,
			       zmq_strerror(errno));
			ret = SG_ERR_IO;
			break;
		}
		ret = to_request(s, req, &f);
		tp_frames_close(&f);
		if (ret <= 0)
			memset(req, 0, sizeof *req);
	}
	return ret;
}

static int server_setup(sg_server *s, const char *endpoint, const uint8_t secret[KEY_BYTES],
			char *err, size_t err_len)
{
	size_t len = sizeof s->endpoint;
	int ret = SG_ERR_IO;
	s->ctx = zmq_ctx_new();
	if (s->ctx == NULL || (s->zap = zmq_socket(s->ctx, ZMQ_REP)) == NULL ||
	    tp_set_int(s->zap, ZMQ_LINGER, 0) != 0 || zmq_bind(s->zap, ZAP_ENDPOINT) != 0 ||
	    (s->sock = zmq_socket(s->ctx, ZMQ_ROUTER)) == NULL || tp_set_common(s->sock) != 0 ||
	    tp_set_int(s->sock, ZMQ_CURVE_SERVER, 1) != 0 || tp_set_keys(s->sock, secret) != 0 ||
	    tp_set_int(s->sock, ZMQ_ROUTER_MANDATORY, 1) != 0)
		tp_say(err, err_len, "%s: cannot set up a CURVE server socket: %s", endpoint,
		       zmq_strerror(errno));
	else if (zmq_bind(s->sock, endpoint) != 0)
		ret = tp_endpoint_err(err, err_len, endpoint, "listen");
	else if (zmq_getsockopt(s->sock, ZMQ_LAST_ENDPOINT, s->endpoint, &len) != 0)
		tp_say(err, err_len, "%s: cannot read the bound endpoint: %s", endpoint,
		       zmq_strerror(errno));
	else
		ret = 0;
	return ret;
}

int sg_server_open(sg_server **out, const char *endpoint, const uint8_t secret[static KEY_BYTES],
		   const uint8_t *allowed, size_t n_allowed, char *err,
		   size_t err_len)
{
	sg_server *s = NULL;
	int ret;

	*out = NULL;
	if (allowed == NULL && n_allowed != 0)
		sg_misuse(__func__);
	ret = tp_check_endpoint(endpoint, err, err_len);
	if (ret != 0)
		goto cleanup;
	ret = SG_ERR_PARAM;
	if (allowed != NULL && n_allowed == 0) {
		tp_say(err, err_len, "%s: empty client key allowlist (pass NULL to admit any key)",
		       endpoint);
		goto cleanup;
	}
	ret = SG_ERR_NOMEM;
	if ((s = calloc(1, sizeof *s)) == NULL ||
	    (allowed != NULL && (s->allowed = calloc(n_allowed, KEY_BYTES)) == NULL)) {
		tp_say(err, err_len, "%s: out of memory", endpoint);
		goto cleanup;
	}
	if (allowed != NULL)
		memcpy(s->allowed, allowed, n_allowed * KEY_BYTES);
	s->n_allowed = n_allowed;
	snprintf(s->endpoint, sizeof s->endpoint, "%s", endpoint);
	ret = server_setup(s, endpoint, secret, err, err_len);
	if (ret != 0)
		goto cleanup;
	*out = s;
	s = NULL;
cleanup:
	sg_server_close(s);
	return ret;
}

void sg_server_close(sg_server *s)
{
	if (s == NULL)
		return;
	if (s->sock != NULL)
		zmq_close(s->sock);
	if (s->zap != NULL)
		zmq_close(s->zap);
	tp_ctx_end(s->ctx);
	free(s->allowed);
	free(s);
}

const char *sg_server_endpoint(const sg_server *s)
{
	return s->endpoint;
}

const char *sg_server_error(const sg_server *s)
{
	return s->errstr;
}

void sg_server_pollitems(sg_server *s, zmq_pollitem_t items[static SG_SERVER_POLLITEMS])
{
	items[0] = (zmq_pollitem_t){ .socket = s->sock, .events = ZMQ_POLLIN };
	items[1] = (zmq_pollitem_t){ .socket = s->zap, .events = ZMQ_POLLIN };
}

int sg_server_poll(sg_server *s, sg_request *req, int timeout_ms)
{
	int64_t deadline = tp_now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	zmq_pollitem_t items[SG_SERVER_POLLITEMS];
	int ret;

	memset(req, 0, sizeof *req);
	sg_server_pollitems(s, items);
	for (;;) {
		ret = serve_zap(s);
		if (ret == 0)
			ret = take_request(s, req);
		if (ret != 0)
			break;
		long wait = tp_left_ms(deadline, timeout_ms);
		if (wait == 0)
			break;
		if (zmq_poll(items, SG_SERVER_POLLITEMS, wait) < 0) {
			if (errno != EINTR) {
				tp_say(s->errstr, sizeof s->errstr, "%s: poll: %s", s->endpoint,
				       zmq_strerror(errno));
				ret = SG_ERR_IO;
			}
			break;
		}
	}
	return ret;
}

int sg_server_reply(sg_server *s, const sg_request *req, const uint8_t *data, size_t len)
{
	const int f = ZMQ_DONTWAIT;
	int ret = SG_ERR_LENGTH;

	s->errstr[0] = '\0';
	if (len > SG_TRANSPORT_MAX_MSG_BYTES) {
		tp_say(s->errstr, sizeof s->errstr, "%s: reply of %zu bytes is over the limit of %zu",
		       s->endpoint, len, (size_t)SG_TRANSPORT_MAX_MSG_BYTES);
		goto cleanup;
	}
	ret = SG_ERR_IO;
	/* The first part decides: ROUTER_MANDATORY fails it for a peer that is
	 * gone (EHOSTUNREACH) or whose queue is full (EAGAIN). */
	if (zmq_send(s->sock, req->peer, req->peer_len, f | ZMQ_SNDMORE) < 0 ||
	    zmq_send(s->sock, req->id, ID_BYTES, f | ZMQ_SNDMORE) < 0 ||
	    zmq_send(s->sock, data, len, f) < 0) {
		int e = errno;
		tp_say(s->errstr, sizeof s->errstr, "%s: reply not sent: %s", s->endpoint,
		       e == EHOSTUNREACH ? "the client has gone"
		       : e == EAGAIN     ? "the client is not reading its replies"
				         : zmq_strerror(e));
		goto cleanup;
	}
	ret = 0;
cleanup:
	return ret;
}

void sg_request_free(sg_request *req)
{
	if (req == NULL)
		return;
	free(req->data);
	memset(req, 0, sizeof *req);
}
