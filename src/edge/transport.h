/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SG_EDGE_TRANSPORT_H
#define SG_EDGE_TRANSPORT_H

/*
 * Request and reply over ZeroMQ with CURVE (DESIGN.md §3, §7): every socket
 * is encrypted, and every server knows which client key sent each request.
 *
 * A server is a ROUTER socket bound with the server's CURVE secret key,
 * plus a ZAP handler (RFC 27) in the server's own ZeroMQ context that admits
 * either any client key (the enterprise-facing upload socket: enterprises
 * are authenticated by their report signatures, CURVE still encrypts) or
 * only the keys of an allowlist (the aggregator-to-aggregator socket). The
 * ZAP handler is a REP socket serviced by the same poll as the ROUTER, so
 * there is no thread. It sets each admitted peer's User-Id to the Z85 of
 * its public key; every request carries that key, checked again against the
 * allowlist on arrival.
 *
 * A client is a DEALER socket that knows its server's public key: a server
 * without the matching secret key cannot complete the handshake, so no
 * reply comes. Each call sends [request id][payload] and the server answers
 * [request id][payload]; a reply carrying another id (a late answer to an
 * earlier call that timed out) is discarded, so a retry never gets a stale
 * reply.
 *
 * Payloads are bytes, at most SG_TRANSPORT_MAX_MSG_BYTES. Both ends set
 * ZMQ_MAXMSGSIZE just above that (a frame arrives still encrypted, with
 * CURVE's 33 bytes added): a peer sending a larger frame is disconnected
 * before it is buffered, and a payload over the limit that fits the slack
 * is dropped on arrival. Sends never block a server: a reply to a peer that
 * is gone or whose queue is full fails with SG_ERR_IO.
 *
 * Only tcp:// and ipc:// endpoints: inproc:// has no security mechanism
 * and is refused (SG_ERR_PARAM).
 *
 * Functions return 0 (or the count documented) or a negative enum sg_err.
 * Handles keep a one-line message of their last failure (sg_server_error,
 * sg_client_error); the open functions write theirs into err (may be NULL
 * when err_len is 0). Messages never hold key bytes. Handles are not
 * thread-safe: one thread uses each. Each handle owns a ZeroMQ context
 * (one I/O thread); a server must, as ZAP is per context.
 *
 * The secret keys are handed to libzmq, which keeps its own copies for the
 * life of the socket and makes no promise to wipe them.
 */
#include <stddef.h>
#include <stdint.h>

#include <zmq.h>

#include "spillguard/export.h"
#include "wire/codec.h"

#define SG_TRANSPORT_KEY_BYTES 32 /* X25519, as SG_KEY_CURVE keys */
/* The largest payload either end sends or accepts: a wire message. */
#define SG_TRANSPORT_MAX_MSG_BYTES SG_WIRE_MAX_BYTES
#define SG_TRANSPORT_REQUEST_ID_BYTES 8
#define SG_TRANSPORT_ROUTING_ID_MAX 255 /* libzmq's bound on a routing id */
#define SG_TRANSPORT_ENDPOINT_MAX 256   /* NUL included */
#define SG_SERVER_POLLITEMS 2

/* --- server ------------------------------------------------------------- */

typedef struct sg_server sg_server;

/*
 * One request as the server received it. data (malloc'd, never NULL, len
 * may be 0) and client_key are the caller's to read; the rest names the
 * peer for sg_server_reply. A plain value: it may be copied or kept after
 * later polls, and is released once with sg_request_free.
 */
typedef struct sg_request {
	uint8_t *data;
	size_t len;
	uint8_t client_key[SG_TRANSPORT_KEY_BYTES]; /* authenticated by CURVE */
	/* private */
	uint8_t peer[SG_TRANSPORT_ROUTING_ID_MAX];
	size_t peer_len;
	uint8_t id[SG_TRANSPORT_REQUEST_ID_BYTES];
} sg_request;

/*
 * Binds a server to endpoint ("tcp://127.0.0.1:*" takes a free port; see
 * sg_server_endpoint) with the CURVE secret key (the public key is derived
 * from it). allowed holds the n_allowed client public keys admitted, back
 * to back, SG_TRANSPORT_KEY_BYTES each (a byte pointer: C17 will not make
 * an array of arrays const implicitly); allowed NULL (n_allowed 0) admits
 * any client key. A list that is not NULL but empty is refused
 * (SG_ERR_PARAM) rather than read as "anyone"; allowed NULL with n_allowed
 * above 0 is a misuse.
 *
 * Returns 0; SG_ERR_PARAM for an endpoint that is too long, malformed or
 * not tcp:// or ipc://; SG_ERR_IO when ZeroMQ cannot set up or bind (err
 * names the endpoint and ZeroMQ's reason); SG_ERR_NOMEM. *out is NULL on
 * failure.
 */
SG_MUST_CHECK int sg_server_open(sg_server **out, const char *endpoint,
				 const uint8_t secret[static SG_TRANSPORT_KEY_BYTES],
				 const uint8_t *allowed, size_t n_allowed, char *err,
				 size_t err_len);

/* Closes the sockets (unsent replies are dropped) and frees; takes NULL. */
void sg_server_close(sg_server *s);

/* The endpoint bound, with the port ZeroMQ chose for "*". */
const char *sg_server_endpoint(const sg_server *s);
/* The message of the last failure, "" when none. */
const char *sg_server_error(const sg_server *s);

/*
 * Waits up to timeout_ms (0: no wait; -1: no limit) for a request,
 * answering ZAP handshakes meanwhile. Returns 1 with *req filled; 0 when
 * none came in time or a signal interrupted the wait (the caller checks
 * its termination flag and polls again); SG_ERR_IO when ZeroMQ fails;
 * SG_ERR_NOMEM. A message not shaped as a request (frames, id length, no
 * authenticated key) is dropped unseen. *req is all zero unless 1.
 */
SG_MUST_CHECK int sg_server_poll(sg_server *s, sg_request *req, int timeout_ms);

/*
 * Sends data as the reply to req, without blocking. Returns 0;
 * SG_ERR_LENGTH when len exceeds SG_TRANSPORT_MAX_MSG_BYTES; SG_ERR_IO when
 * the client is gone, is not reading its replies, or ZeroMQ fails
 * (sg_server_error says which). A request may be answered more than once;
 * the client keeps the first answer of its current call.
 */
SG_MUST_CHECK int sg_server_reply(sg_server *s, const sg_request *req, const uint8_t *data,
				  size_t len);

/* Frees req's data and zeroes it; takes NULL. */
void sg_request_free(sg_request *req);

/*
 * For a daemon polling other sockets too: the server's two poll items (the
 * ROUTER and the ZAP socket, both ZMQ_POLLIN) to put in its own zmq_poll
 * set. When either is readable, call sg_server_poll(s, &req, 0) until it
 * returns 0: both sockets must be serviced, or handshakes stall.
 */
void sg_server_pollitems(sg_server *s, zmq_pollitem_t items[static SG_SERVER_POLLITEMS]);

/* --- client ------------------------------------------------------------- */

typedef struct sg_client sg_client;

/*
 * A client of the server at endpoint whose CURVE public key is
 * server_public, with the client's CURVE secret key (the public key is
 * derived from it). Connecting is in the background: this does not wait
 * for the server. Errors as sg_server_open.
 */
SG_MUST_CHECK int sg_client_open(sg_client **out, const char *endpoint,
				 const uint8_t server_public[static SG_TRANSPORT_KEY_BYTES],
				 const uint8_t client_secret[static SG_TRANSPORT_KEY_BYTES],
				 char *err, size_t err_len);

/* Closes (a request not yet sent is dropped) and frees; takes NULL. */
void sg_client_close(sg_client *c);

/* The message of the last failure, "" when none. */
const char *sg_client_error(const sg_client *c);

/*
 * Sends req and waits up to timeout_ms in all for its reply, which goes to
 * *reply (malloc'd, never NULL on success; the caller frees). A negative
 * timeout, or req NULL with len above 0, is a misuse.
 * Returns 0; SG_ERR_LENGTH when len exceeds SG_TRANSPORT_MAX_MSG_BYTES;
 * SG_ERR_TIMEOUT when no reply came in time: the handshake did not complete
 * (no server, a server without the key we expect, or one that refused our
 * key: the message says so when ZeroMQ told us) or the server did not
 * answer. The client stays usable and a reply that comes later is
 * discarded. SG_ERR_IO when ZeroMQ fails or a signal interrupted the wait;
 * SG_ERR_NOMEM. On failure *reply is NULL and *reply_len 0.
 *
 * The request may reach the server even when the call times out (and then
 * again on a retry): requests must be idempotent (DESIGN.md §5).
 */
SG_MUST_CHECK int sg_client_call(sg_client *c, uint8_t **reply, size_t *reply_len,
				 const uint8_t *req, size_t len, int timeout_ms);

/*
 * sg_client_call in two halves, so that one thread can have a request out
 * at several servers at once: send starts the call (its timeout counts from
 * now), receive waits for its reply until then. Errors as sg_client_call;
 * receive without a call sent (or after its receive) is a misuse.
 */
SG_MUST_CHECK int sg_client_send(sg_client *c, const uint8_t *req, size_t len, int timeout_ms);
SG_MUST_CHECK int sg_client_receive(sg_client *c, uint8_t **reply, size_t *reply_len);

#endif
