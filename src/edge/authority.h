/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SG_EDGE_AUTHORITY_H
#define SG_EDGE_AUTHORITY_H

/*
 * The authority's client of the leader (DESIGN.md §5), beside the node's:
 * a CollectNow signed with the task's authority key, sent over CURVE with
 * an ephemeral client key (the order authenticates itself), and the
 * leader's RoundStatus read back. The same order may be sent again: the
 * leader answers where the round stands each time.
 */
#include <stddef.h>
#include <stdint.h>

#include "core/task.h"
#include "protocol/round.h"

typedef struct sg_authority sg_authority;

/*
 * A client for task t's leader at endpoint (NULL: the task's), holding the
 * order signed now with authority_sk. SG_ERR_PARAM (err says so) when the
 * key is not the task's authority; SG_ERR_IO or SG_ERR_NOMEM otherwise.
 */
SG_MUST_CHECK int sg_authority_open(sg_authority **out, const sg_task *t,
				    const uint8_t authority_sk[64], const char *endpoint,
				    char *err, size_t err_len);
void sg_authority_free(sg_authority *a);

/*
 * Sends the order and waits up to timeout_ms: 0 with *s (free with
 * sg_round_status_free); SG_ERR_VERIFY when the leader refused it (msg:
 * the code and why); SG_ERR_TIMEOUT or SG_ERR_IO when no reply came,
 * SG_ERR_PARSE when the reply is no round status (msg says which).
 */
SG_MUST_CHECK int sg_authority_close_round(sg_authority *a, sg_round_status *s, int timeout_ms,
					   char *msg, size_t msg_len);

#endif
