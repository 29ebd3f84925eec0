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
 * The client sets ZMQ_IMMEDIATE: a request is queued only on a connection
 * whose handshake is complete, so a client that cannot authenticate its
 * server (or is refused by it) never sends. A monitor socket reports failed
 * handshakes, to say why a call timed out.
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

#include "edge/transport.h"
#include "spillguard/err.h"
#include "util/misuse.h"
#include "util/z85.h"

#define KEY_BYTES SG_TRANSPORT_KEY_BYTES
#define ID_BYTES SG_TRANSPORT_REQUEST_ID_BYTES
#define KEY_Z85 SG_Z85_ENCODED_LEN(KEY_BYTES)
/* Messages queued per peer and direction. A client has one call in flight,
 * so a few suffice; each may be SG_TRANSPORT_MAX_MSG_BYTES. */
#define QUEUE_MSGS 8
#define HANDSHAKE_MS 5000
#define ZAP_ENDPOINT "inproc://zeromq.zap.01"
#define MONITOR_ENDPOINT "inproc://spillguard.client.monitor"
#define MAX_FRAMES 8       /* a ZAP request for CURVE has 7, a request 3 */
#define DROPS_PER_POLL 64  /* malformed messages skipped before polling again */
#define ERR_BYTES 384
/* ZMQ_MAXMSGSIZE sees a payload frame as a CURVE MESSAGE command: 33 bytes
 * more ("\x07MESSAGE", nonce, flags, MAC). Rounded up; the exact payload
 * limit is checked on arrival. */
#define FRAME_SLACK 256

struct sg_server {
	void *ctx, *sock, *zap;
	uint8_t (*allowed)[KEY_BYTES]; /* NULL: any key */
	size_t n_allowed;
	char endpoint[SG_TRANSPORT_ENDPOINT_MAX];
	char errstr[ERR_BYTES];
};

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

/* One multipart message; frames past MAX_FRAMES are received and dropped. */
typedef struct frames {
	zmq_msg_t m[MAX_FRAMES];
	size_t n;
	bool truncated;
} frames;

/* --- helpers --------------------------------------------------------------- */

__attribute__((format(printf, 3, 4))) static void say(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (len > 0)
		vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Milliseconds left before deadline for zmq_poll: -1 without a limit. */
static long left_ms(int64_t deadline, int timeout_ms)
{
	int64_t left = deadline - now_ms();
	return timeout_ms < 0 ? -1 : left > 0 ? (long)left : 0;
}

static bool frame_is(zmq_msg_t *m, const char *s)
{
	size_t n = strlen(s);
	return zmq_msg_size(m) == n && memcmp(zmq_msg_data(m), s, n) == 0;
}

static void frames_close(frames *f)
{
	for (size_t i = 0; i < f->n; i++)
		zmq_msg_close(&f->m[i]);
	f->n = 0;
}

/* Takes one whole message if one is waiting: 1, 0 when none is, -1 with
 * errno when ZeroMQ fails. The parts of a message arrive together, so none
 * of the receives waits. */
static int recv_frames(void *sock, frames *f)
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
		frames_close(f);
	errno = e; /* as the failed receive left it, for the caller's message */
	return ret;
}

static int set_int(void *sock, int opt, int value)
{
	return zmq_setsockopt(sock, opt, &value, sizeof value);
}

/* Options every socket here gets. */
static int set_common(void *sock)
{
	int64_t max = (int64_t)(SG_TRANSPORT_MAX_MSG_BYTES + FRAME_SLACK);
	return set_int(sock, ZMQ_LINGER, 0) != 0 || set_int(sock, ZMQ_IPV6, 0) != 0 ||
			       set_int(sock, ZMQ_SNDHWM, QUEUE_MSGS) != 0 ||
			       set_int(sock, ZMQ_RCVHWM, QUEUE_MSGS) != 0 ||
			       set_int(sock, ZMQ_HANDSHAKE_IVL, HANDSHAKE_MS) != 0 ||
			       zmq_setsockopt(sock, ZMQ_MAXMSGSIZE, &max, sizeof max) != 0
		       ? -1
		       : 0;
}

/* Sets the socket's own CURVE key pair, the public half derived. */
static int set_keys(void *sock, const uint8_t secret[KEY_BYTES])
{
	uint8_t pk[KEY_BYTES];
	return crypto_scalarmult_base(pk, secret) != 0 ||
			       zmq_setsockopt(sock, ZMQ_CURVE_PUBLICKEY, pk, KEY_BYTES) != 0 ||
			       zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, secret, KEY_BYTES) != 0
		       ? -1
		       : 0;
}

/* tcp:// and ipc:// only: inproc:// skips the security handshake. */
static int check_endpoint(const char *endpoint, char *err, size_t err_len)
{
	int ret = SG_ERR_PARAM;
	if (strlen(endpoint) >= SG_TRANSPORT_ENDPOINT_MAX)
		say(err, err_len, "%.64s...: endpoint longer than %d characters", endpoint,
		    SG_TRANSPORT_ENDPOINT_MAX - 1);
	else if (strncmp(endpoint, "tcp://", 6) != 0 && strncmp(endpoint, "ipc://", 6) != 0)
		say(err, err_len, "'%s': not a tcp:// or ipc:// endpoint (only those carry CURVE)",
		    endpoint);
	else
		ret = 0;
	return ret;
}

/* The code for ZeroMQ's errno after a failed bind or connect. */
static int endpoint_err(char *err, size_t err_len, const char *endpoint, const char *what)
{
	int e = errno;
	say(err, err_len, "%s: cannot %s: %s", endpoint, what, zmq_strerror(e));
	return e == EINVAL || e == EPROTONOSUPPORT || e == ENOCOMPATPROTO ? SG_ERR_PARAM : SG_ERR_IO;
}

static void ctx_end(void *ctx)
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
	if (!f->truncated && f->n == 7 && frame_is(&f->m[0], "1.0") &&
	    frame_is(&f->m[5], "CURVE") && zmq_msg_size(&f->m[6]) == KEY_BYTES) {
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
		say(s->errstr, sizeof s->errstr, "%s: cannot answer a ZAP request: %s", s->endpoint,
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
	while (ret == 0 && (r = recv_frames(s->zap, &f)) != 0) {
		if (r < 0) {
			say(s->errstr, sizeof s->errstr, "%s: ZAP socket: %s", s->endpoint,
			    zmq_strerror(errno));
			ret = SG_ERR_IO;
			break;
		}
		ret = zap_answer(s, &f);
		frames_close(&f);
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
		say(s->errstr, sizeof s->errstr, "%s: out of memory for a request of %zu bytes",
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
		int r = recv_frames(s->sock, &f);
		if (r == 0)
			break;
		if (r < 0) {
			say(s->errstr, sizeof s->errstr, "%s: receive: %s", s->endpoint,
			    zmq_strerror(errno));
			ret = SG_ERR_IO;
			break;
		}
		ret = to_request(s, req, &f);
		frames_close(&f);
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
	    set_int(s->zap, ZMQ_LINGER, 0) != 0 || zmq_bind(s->zap, ZAP_ENDPOINT) != 0 ||
	    (s->sock = zmq_socket(s->ctx, ZMQ_ROUTER)) == NULL || set_common(s->sock) != 0 ||
	    set_int(s->sock, ZMQ_CURVE_SERVER, 1) != 0 || set_keys(s->sock, secret) != 0 ||
	    set_int(s->sock, ZMQ_ROUTER_MANDATORY, 1) != 0)
		say(err, err_len, "%s: cannot set up a CURVE server socket: %s", endpoint,
		    zmq_strerror(errno));
	else if (zmq_bind(s->sock, endpoint) != 0)
		ret = endpoint_err(err, err_len, endpoint, "listen");
	else if (zmq_getsockopt(s->sock, ZMQ_LAST_ENDPOINT, s->endpoint, &len) != 0)
		say(err, err_len, "%s: cannot read the bound endpoint: %s", endpoint,
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
	ret = check_endpoint(endpoint, err, err_len);
	if (ret != 0)
		goto cleanup;
	ret = SG_ERR_PARAM;
	if (allowed != NULL && n_allowed == 0) {
		say(err, err_len, "%s: empty client key allowlist (pass NULL to admit any key)",
		    endpoint);
		goto cleanup;
	}
	ret = SG_ERR_NOMEM;
	if ((s = calloc(1, sizeof *s)) == NULL ||
	    (allowed != NULL && (s->allowed = calloc(n_allowed, KEY_BYTES)) == NULL)) {
		say(err, err_len, "%s: out of memory", endpoint);
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
	ctx_end(s->ctx);
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
	int64_t deadline = now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
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
		long wait = left_ms(deadline, timeout_ms);
		if (wait == 0)
			break;
		if (zmq_poll(items, SG_SERVER_POLLITEMS, wait) < 0) {
			if (errno != EINTR) {
				say(s->errstr, sizeof s->errstr, "%s: poll: %s", s->endpoint,
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
		say(s->errstr, sizeof s->errstr, "%s: reply of %zu bytes is over the limit of %zu",
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
		say(s->errstr, sizeof s->errstr, "%s: reply not sent: %s", s->endpoint,
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

/* --- client ----------------------------------------------------------------- */

/* Records what the monitor says of handshakes (events of ZeroMQ's stable
 * monitor format: [u16 event, u32 value][endpoint]). */
static void read_monitor(sg_client *c)
{
	frames f;
	while (recv_frames(c->monitor, &f) == 1) {
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
		frames_close(&f);
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
		long wait = left_ms(deadline, timeout_ms);
		if (zmq_poll(items, 2, wait) < 0) {
			say(c->errstr, sizeof c->errstr, "call to %s: %s", c->endpoint,
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
			say(c->errstr, sizeof c->errstr, "call to %s: send: %s", c->endpoint,
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
		say(c->errstr, sizeof c->errstr, "call to %s: out of memory for a reply of %zu bytes",
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
		int r = recv_frames(c->sock, &f);
		if (r < 0) {
			say(c->errstr, sizeof c->errstr, "call to %s: receive: %s", c->endpoint,
			    zmq_strerror(errno));
			ret = SG_ERR_IO;
		} else if (r == 1) {
			ret = take_reply(c, reply, reply_len, id, &f);
			frames_close(&f);
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
		say(c->errstr, sizeof c->errstr, "call to %s: request of %zu bytes is over the limit of %zu",
		    c->endpoint, len, (size_t)SG_TRANSPORT_MAX_MSG_BYTES);
		return SG_ERR_LENGTH;
	}
	c->deadline = now_ms() + timeout_ms;
	c->timeout_ms = timeout_ms;
	for (size_t i = 0; i < ID_BYTES; i++)
		c->pending[i] = (uint8_t)(c->next_id >> (8 * i));
	c->next_id++;
	int ret = client_send(c, c->pending, req, len, c->deadline, timeout_ms);
	c->sent = ret == 0;
	if (ret == SG_ERR_TIMEOUT)
		say(c->errstr, sizeof c->errstr, "no reply in time from %s%s%s", c->endpoint,
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
		say(c->errstr, sizeof c->errstr, "no reply in time from %s%s%s", c->endpoint,
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
	    set_common(c->sock) != 0 || set_int(c->sock, ZMQ_IMMEDIATE, 1) != 0 ||
	    zmq_setsockopt(c->sock, ZMQ_CURVE_SERVERKEY, server_public, KEY_BYTES) != 0 ||
	    set_keys(c->sock, secret) != 0 ||
	    zmq_socket_monitor(c->sock, MONITOR_ENDPOINT, events) != 0 ||
	    (c->monitor = zmq_socket(c->ctx, ZMQ_PAIR)) == NULL ||
	    set_int(c->monitor, ZMQ_LINGER, 0) != 0 || zmq_connect(c->monitor, MONITOR_ENDPOINT) != 0)
		say(err, err_len, "%s: cannot set up a CURVE client socket: %s", endpoint,
		    zmq_strerror(errno));
	else if (zmq_connect(c->sock, endpoint) != 0)
		ret = endpoint_err(err, err_len, endpoint, "connect");
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
	ret = check_endpoint(endpoint, err, err_len);
	if (ret != 0)
		goto cleanup;
	ret = SG_ERR_NOMEM;
	if ((c = calloc(1, sizeof *c)) == NULL) {
		say(err, err_len, "%s: out of memory", endpoint);
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
	ctx_end(c->ctx);
	free(c);
}

const char *sg_client_error(const sg_client *c)
{
	return c->errstr;
}
