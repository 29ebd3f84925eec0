/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The CURVE transport on loopback. A server runs in a thread of the test
 * (the client's call blocks) and answers each request with the client key
 * it was given and the request's bytes, or their SHA-256 when that would not
 * fit, so the client checks both what arrived and who the server says sent
 * it. Requests starting "slow" are answered late. The thread never asserts:
 * it counts what it saw, and the test reads the counts.
 */
#define _POSIX_C_SOURCE 200809L /* nanosleep */

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <criterion/criterion.h>
#include <sodium.h>
#include <zmq.h>

#include "edge/transport.h"
#include "spillguard/err.h"

#define ANY "tcp://127.0.0.1:*"
#define SLOW_MS 700

typedef struct pair {
	uint8_t pk[32], sk[32];
} pair;

typedef struct served {
	sg_server *s;
	pthread_t th;
	bool own_poll; /* poll as a daemon with sockets of its own would */
	atomic_bool stop;
	atomic_int delivered, failures;
} served;

static void pause_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000 };
	nanosleep(&ts, NULL);
}

static pair keypair(void)
{
	pair p;
	cr_assert_eq(sodium_init() < 0, 0);
	crypto_box_keypair(p.pk, p.sk);
	return p;
}

/* client key || request, or client key || SHA-256(request) when too big. */
static int answer(served *v, const sg_request *req)
{
	size_t n = req->len + 32 <= SG_TRANSPORT_MAX_MSG_BYTES ? req->len : 32;
	uint8_t *out = malloc(32 + n);
	int ret;
	if (out == NULL)
		return SG_ERR_NOMEM;
	memcpy(out, req->client_key, 32);
	if (n == req->len)
		memcpy(out + 32, req->data, n);
	else
		crypto_hash_sha256(out + 32, req->data, req->len);
	if (req->len >= 4 && memcmp(req->data, "slow", 4) == 0)
		pause_ms(SLOW_MS);
	ret = sg_server_reply(v->s, req, out, 32 + n);
	free(out);
	return ret;
}

/* With own_poll, zmq_poll over the server's items, then take what is
 * there without waiting (the next turn polls again). */
static int next_request(served *v, sg_request *req)
{
	zmq_pollitem_t items[SG_SERVER_POLLITEMS];
	if (!v->own_poll)
		return sg_server_poll(v->s, req, 20);
	sg_server_pollitems(v->s, items);
	if (zmq_poll(items, SG_SERVER_POLLITEMS, 20) < 0) {
		memset(req, 0, sizeof *req);
		return -1;
	}
	return sg_server_poll(v->s, req, 0);
}

static void *serve(void *arg)
{
	served *v = arg;
	while (!atomic_load(&v->stop)) {
		sg_request req;
		int r = next_request(v, &req);
		if (r == 1) {
			atomic_fetch_add(&v->delivered, 1);
			if (answer(v, &req) != 0)
				atomic_fetch_add(&v->failures, 1);
		} else if (r < 0) {
			atomic_fetch_add(&v->failures, 1);
		}
		sg_request_free(&req);
	}
	return NULL;
}

static void start(served *v, const pair *server, const uint8_t *allowed, size_t n,
		  bool own_poll)
{
	char err[256] = "";
	memset(v, 0, sizeof *v);
	v->own_poll = own_poll;
	cr_assert_eq(sg_server_open(&v->s, ANY, server->sk, allowed, n, err, sizeof err), 0, "%s",
		     err);
	cr_assert_eq(pthread_create(&v->th, NULL, serve, v), 0);
}

static void stop(served *v)
{
	atomic_store(&v->stop, true);
	cr_assert_eq(pthread_join(v->th, NULL), 0);
	cr_expect_eq(atomic_load(&v->failures), 0, "server: %s", sg_server_error(v->s));
	sg_server_close(v->s);
}

static sg_client *client(const served *v, const uint8_t server_pk[32], const pair *me)
{
	char err[256] = "";
	sg_client *c;
	cr_assert_eq(sg_client_open(&c, sg_server_endpoint(v->s), server_pk, me->sk, err,
				    sizeof err), 0, "%s", err);
	return c;
}

/* A server admitting any key, and a client of it. */
static sg_client *pair_up(served *v, pair *server, pair *me)
{
	*server = keypair();
	*me = keypair();
	start(v, server, NULL, 0, false);
	return client(v, server->pk, me);
}

static void finish(served *v, sg_client *c)
{
	sg_client_close(c);
	stop(v);
}

/* A call that must succeed, checked against what the server answers. */
static void call_ok(sg_client *c, const pair *me, const uint8_t *req, size_t len, int timeout)
{
	uint8_t *reply, digest[32];
	size_t reply_len;
	cr_assert_eq(sg_client_call(c, &reply, &reply_len, req, len, timeout), 0, "%s",
		     sg_client_error(c));
	cr_assert_geq(reply_len, 32);
	cr_assert_arr_eq(reply, me->pk, 32, "the server names another client key");
	if (len + 32 <= SG_TRANSPORT_MAX_MSG_BYTES) {
		cr_assert_eq(reply_len, 32 + len);
		cr_assert(len == 0 || memcmp(reply + 32, req, len) == 0);
	} else {
		crypto_hash_sha256(digest, req, len);
		cr_assert_eq(reply_len, 64);
		cr_assert_arr_eq(reply + 32, digest, 32);
	}
	free(reply);
}

static void call_times_out(sg_client *c, const char *req, int timeout)
{
	uint8_t *reply = (uint8_t *)"x";
	size_t reply_len = 1;
	cr_assert_eq(sg_client_call(c, &reply, &reply_len, (const uint8_t *)req, strlen(req),
				    timeout), SG_ERR_TIMEOUT);
	cr_assert_null(reply);
	cr_assert_eq(reply_len, 0);
	cr_assert(strstr(sg_client_error(c), "no reply in time from tcp://127.0.0.1:") != NULL,
		  "%s", sg_client_error(c));
}

static uint8_t *random_bytes(size_t n)
{
	uint8_t *b = malloc(n);
	cr_assert_not_null(b);
	randombytes_buf(b, n);
	return b;
}

Test(transport, round_trip_small_and_large)
{
	pair sp, cp;
	served v;
	sg_client *c = pair_up(&v, &sp, &cp);
	cr_assert(strncmp(sg_server_endpoint(v.s), "tcp://127.0.0.1:", 16) == 0 &&
		  strchr(sg_server_endpoint(v.s), '*') == NULL, "%s", sg_server_endpoint(v.s));
	call_ok(c, &cp, (const uint8_t *)"hello", 5, 2000);
	call_ok(c, &cp, NULL, 0, 2000);
	uint8_t *big = random_bytes((size_t)4 << 20);
	call_ok(c, &cp, big, (size_t)4 << 20, 2000);
	free(big);
	/* another client of the same server gets its own key back */
	pair cp2 = keypair();
	sg_client *c2 = client(&v, sp.pk, &cp2);
	call_ok(c2, &cp2, (const uint8_t *)"second", 6, 2000);
	call_ok(c, &cp, (const uint8_t *)"again", 5, 2000);
	cr_expect_eq(atomic_load(&v.delivered), 5);
	sg_client_close(c2);
	finish(&v, c);
}

Test(transport, largest_message_passes)
{
	pair sp, cp;
	served v;
	sg_client *c = pair_up(&v, &sp, &cp);
	uint8_t *big = random_bytes(SG_TRANSPORT_MAX_MSG_BYTES + 1);
	/* the limit holds for the payload even though CURVE adds to the frame */
	call_ok(c, &cp, big, SG_TRANSPORT_MAX_MSG_BYTES, 10000);
	uint8_t *reply = big;
	size_t reply_len = 1;
	cr_assert_eq(sg_client_call(c, &reply, &reply_len, big, SG_TRANSPORT_MAX_MSG_BYTES + 1, 100),
		     SG_ERR_LENGTH);
	cr_assert_null(reply);
	free(big);
	finish(&v, c);
}

Test(transport, allowlist_refuses_unlisted_key_and_admits_listed)
{
	pair sp = keypair(), agg1 = keypair(), agg2 = keypair(), stranger = keypair();
	uint8_t allowed[2][32];
	memcpy(allowed[0], agg1.pk, 32);
	memcpy(allowed[1], agg2.pk, 32);
	served v;
	start(&v, &sp, allowed[0], 2, true);

	sg_client *bad = client(&v, sp.pk, &stranger);
	call_times_out(bad, "let me in", 800);
	cr_expect(strstr(sg_client_error(bad), "refused our key") != NULL, "%s",
		  sg_client_error(bad));
	cr_assert_eq(atomic_load(&v.delivered), 0);

	sg_client *good = client(&v, sp.pk, &agg2);
	call_ok(good, &agg2, (const uint8_t *)"share", 5, 2000);
	cr_assert_eq(atomic_load(&v.delivered), 1);
	/* still refused while the server serves others */
	call_times_out(bad, "again", 300);
	cr_assert_eq(atomic_load(&v.delivered), 1);
	sg_client_close(bad);
	sg_client_close(good);
	stop(&v);
}

Test(transport, wrong_server_key_gets_no_reply)
{
	pair sp = keypair(), impostor = keypair(), cp = keypair();
	served v;
	start(&v, &sp, NULL, 0, false);
	/* the client expects impostor's key at this endpoint */
	sg_client *c = client(&v, impostor.pk, &cp);
	call_times_out(c, "secret upload", 800);
	cr_expect(strstr(sg_client_error(c), "handshake failed") != NULL, "%s",
		  sg_client_error(c));
	cr_assert_eq(atomic_load(&v.delivered), 0);
	sg_client_close(c);
	stop(&v);
}

Test(transport, timeout_leaves_client_usable_without_stale_reply)
{
	pair sp, cp;
	served v;
	sg_client *c = pair_up(&v, &sp, &cp);
	call_times_out(c, "slow one", 200);
	cr_expect_str_eq(sg_client_error(c) + strlen("no reply in time from "),
			 sg_server_endpoint(v.s));
	/* the late answer to "slow one" arrives before the next call */
	pause_ms(SLOW_MS + 300);
	call_ok(c, &cp, (const uint8_t *)"fast", 4, 2000);
	call_ok(c, &cp, (const uint8_t *)"faster", 6, 2000);
	cr_assert_eq(atomic_load(&v.delivered), 3);
	finish(&v, c);
}

/* A CURVE DEALER that frames as it likes: a hostile but admitted peer. */
static void *raw_dealer(void *ctx, const served *v, const uint8_t server_pk[32], const pair *me)
{
	void *d = zmq_socket(ctx, ZMQ_DEALER);
	int zero = 0;
	cr_assert_not_null(d);
	cr_assert_eq(zmq_setsockopt(d, ZMQ_LINGER, &zero, sizeof zero), 0);
	cr_assert_eq(zmq_setsockopt(d, ZMQ_CURVE_SERVERKEY, server_pk, 32), 0);
	cr_assert_eq(zmq_setsockopt(d, ZMQ_CURVE_PUBLICKEY, me->pk, 32), 0);
	cr_assert_eq(zmq_setsockopt(d, ZMQ_CURVE_SECRETKEY, me->sk, 32), 0);
	cr_assert_eq(zmq_connect(d, sg_server_endpoint(v->s)), 0);
	return d;
}

Test(transport, oversized_and_malformed_messages_are_dropped)
{
	pair sp = keypair(), cp = keypair();
	served v;
	start(&v, &sp, NULL, 0, false);
	void *ctx = zmq_ctx_new();
	cr_assert_not_null(ctx);

	/* one byte over the limit: dropped on arrival; far over it: the
	 * server's ZeroMQ cuts the connection before buffering the frame */
	void *d = raw_dealer(ctx, &v, sp.pk, &cp);
	size_t sizes[2] = { SG_TRANSPORT_MAX_MSG_BYTES + 1, SG_TRANSPORT_MAX_MSG_BYTES + 65536 };
	uint8_t *big = random_bytes(sizes[1]);
	for (size_t i = 0; i < 2; i++) {
		cr_assert_eq(zmq_send(d, "12345678", 8, ZMQ_SNDMORE), 8);
		cr_assert_eq(zmq_send(d, big, sizes[i], 0), (int)sizes[i]);
	}
	free(big);
	/* shapes that are not requests: no id, a short id, extra frames */
	void *d2 = raw_dealer(ctx, &v, sp.pk, &cp);
	cr_assert_eq(zmq_send(d2, "only-payload", 12, 0), 12);
	cr_assert_eq(zmq_send(d2, "1234", 4, ZMQ_SNDMORE), 4);
	cr_assert_eq(zmq_send(d2, "short id", 8, 0), 8);
	cr_assert_eq(zmq_send(d2, "12345678", 8, ZMQ_SNDMORE), 8);
	cr_assert_eq(zmq_send(d2, "a", 1, ZMQ_SNDMORE), 1);
	cr_assert_eq(zmq_send(d2, "b", 1, 0), 1);
	pause_ms(1000);
	cr_assert_eq(atomic_load(&v.delivered), 0);

	/* the server is unharmed */
	sg_client *c = client(&v, sp.pk, &cp);
	call_ok(c, &cp, (const uint8_t *)"after", 5, 2000);
	cr_assert_eq(atomic_load(&v.delivered), 1);
	sg_client_close(c);
	zmq_close(d);
	zmq_close(d2);
	zmq_ctx_term(ctx);
	stop(&v);
}

Test(transport, reply_to_a_client_that_left_fails)
{
	pair sp = keypair(), cp = keypair();
	char err[256] = "";
	sg_server *s;
	sg_request req;
	cr_assert_eq(sg_server_open(&s, ANY, sp.sk, NULL, 0, err, sizeof err), 0, "%s", err);
	/* no thread: the raw dealer does not block, the server polls here */
	served v = { .s = s };
	void *ctx = zmq_ctx_new();
	void *d = raw_dealer(ctx, &v, sp.pk, &cp);
	cr_assert_eq(zmq_send(d, "12345678", 8, ZMQ_SNDMORE), 8);
	cr_assert_eq(zmq_send(d, "hi", 2, 0), 2);
	cr_assert_eq(sg_server_poll(s, &req, 2000), 1, "%s", sg_server_error(s));
	cr_assert_eq(req.len, 2);
	cr_assert_arr_eq(req.client_key, cp.pk, 32);
	cr_assert_eq(sg_server_poll(s, &(sg_request){ 0 }, 0), 0);
	zmq_close(d);
	zmq_ctx_term(ctx);
	/* let the server see the connection close */
	sg_request none;
	cr_assert_eq(sg_server_poll(s, &none, 300), 0);
	cr_assert_eq(sg_server_reply(s, &req, (const uint8_t *)"late", 4), SG_ERR_IO);
	cr_assert(strstr(sg_server_error(s), "the client has gone") != NULL, "%s",
		  sg_server_error(s));
	sg_request_free(&req);
	cr_assert_null(req.data);
	sg_server_close(s);
}

Test(transport, bad_endpoints_and_empty_allowlist_are_refused)
{
	pair sp = keypair();
	const uint8_t one[32] = { 1 };
	char err[256] = "";
	sg_server *s = (sg_server *)1;
	sg_client *c = (sg_client *)1;
	cr_assert_eq(sg_server_open(&s, "inproc://x", sp.sk, NULL, 0, err, sizeof err),
		     SG_ERR_PARAM);
	cr_assert_null(s);
	cr_assert(strstr(err, "'inproc://x': not a tcp:// or ipc:// endpoint") != NULL, "%s", err);
	cr_assert_eq(sg_server_open(&s, ANY, sp.sk, one, 0, err, sizeof err), SG_ERR_PARAM);
	cr_assert(strstr(err, "empty client key allowlist") != NULL, "%s", err);
	cr_assert_eq(sg_server_open(&s, "tcp://127.0.0.1:notaport", sp.sk, NULL, 0, err,
				    sizeof err), SG_ERR_PARAM, "%s", err);
	cr_assert_eq(sg_client_open(&c, "inproc://x", sp.pk, sp.sk, err, sizeof err),
		     SG_ERR_PARAM);
	cr_assert_null(c);
	/* a port taken: SG_ERR_IO naming it */
	cr_assert_eq(sg_server_open(&s, ANY, sp.sk, NULL, 0, err, sizeof err), 0, "%s", err);
	sg_server *s2;
	cr_assert_eq(sg_server_open(&s2, sg_server_endpoint(s), sp.sk, NULL, 0, err, sizeof err),
		     SG_ERR_IO);
	cr_assert(strstr(err, sg_server_endpoint(s)) != NULL, "%s", err);
	sg_server_close(s);
	sg_server_close(NULL);
	sg_client_close(NULL);
	sg_request_free(NULL);
}
