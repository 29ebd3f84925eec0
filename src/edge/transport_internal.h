/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SG_EDGE_TRANSPORT_INTERNAL_H
#define SG_EDGE_TRANSPORT_INTERNAL_H
/* Shared by src/edge/transport.c (server) and transport_client.c only. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <zmq.h>

#include "edge/transport.h"
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

/* One multipart message; frames past MAX_FRAMES are received and dropped. */
typedef struct frames {
	zmq_msg_t m[MAX_FRAMES];
	size_t n;
	bool truncated;
} frames;

/* vsnprintf into buf, which may have no room (len 0). */
__attribute__((format(printf, 3, 4))) void tp_say(char *buf, size_t len, const char *fmt, ...);
/* A clock that does not jump, in milliseconds; what is left of it before
 * deadline for zmq_poll (-1, no limit, when timeout_ms is negative). */
int64_t tp_now_ms(void);
long tp_left_ms(int64_t deadline, int timeout_ms);
/* Whether frame m holds exactly the bytes of s. */
bool tp_frame_is(zmq_msg_t *m, const char *s);
void tp_frames_close(frames *f);
/* Takes one whole message if one is waiting: 1, 0 when none is, -1 with
 * errno when ZeroMQ fails. */
int tp_recv_frames(void *sock, frames *f);
/* Socket options, 0 or -1: one integer; those every socket here gets (no
 * linger, no IPv6, short queues, handshake and message size limits); the
 * socket's own CURVE key pair from its secret half. */
int tp_set_int(void *sock, int opt, int value);
int tp_set_common(void *sock);
int tp_set_keys(void *sock, const uint8_t secret[KEY_BYTES]);
/* tcp:// and ipc:// endpoints only (inproc:// skips the security
 * handshake): 0, or SG_ERR_PARAM with err. */
int tp_check_endpoint(const char *endpoint, char *err, size_t err_len);
/* err for ZeroMQ's errno after a failed bind or connect, and its code:
 * SG_ERR_PARAM for a bad endpoint, else SG_ERR_IO. */
int tp_endpoint_err(char *err, size_t err_len, const char *endpoint, const char *what);
/* Terminates a context (its sockets closed first), again if interrupted. */
void tp_ctx_end(void *ctx);

#endif
