/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SG_EDGE_PEERS_H
#define SG_EDGE_PEERS_H

/*
 * The aggregators' steps over the CURVE transport (DESIGN.md §3): a helper
 * serving its server socket, and the leader reaching its helpers as the
 * sg_helper_call the store-backed steps use.
 */
#include <stdint.h>

#include "edge/helper.h"
#include "edge/leader_jobs.h"
#include "edge/transport.h"

/*
 * Helper: waits up to timeout_ms for one request and answers it. Only the
 * task's leader drives a helper: a request from any other admitted key
 * gets an Error. Returns 1 when a request was answered, 0 when none came,
 * or a negative sg_err (the store failed, or the request cannot be served
 * yet - no reply: the leader retries).
 */
SG_MUST_CHECK int sg_helper_serve(sg_helper *h, sg_server *srv, int timeout_ms, uint64_t now);

/* Leader: one client per helper. */
typedef struct sg_peers {
	unsigned n;        /* aggregators in the task; [0] is unused */
	sg_client **c;
	int timeout_ms;    /* per call */
} sg_peers;

/*
 * Connects to every helper at endpoints[j] (NULL: the endpoint the task
 * names) with the helper's CURVE key from the task. Errors as
 * sg_client_open, err naming the helper.
 */
SG_MUST_CHECK int sg_peers_open(sg_peers *p, const sg_task *t, const uint8_t curve_sk[32],
				const char *const *endpoints, int timeout_ms, char *err,
				size_t err_len);
void sg_peers_close(sg_peers *p);

/* An sg_helper_call over the peers (ctx is the sg_peers). */
SG_MUST_CHECK int sg_peers_call(void *ctx, unsigned helper, const uint8_t *req, size_t len,
				uint8_t **reply, size_t *reply_len);

/* An sg_helpers_call over the peers: every request sent, then every reply
 * awaited, so the helpers work at the same time. */
SG_MUST_CHECK int sg_peers_call_all(void *ctx, const uint8_t *const *reqs, const size_t *lens,
				    uint8_t **replies, size_t *reply_lens);

#endif
