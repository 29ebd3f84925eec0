/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SG_PROTOCOL_ROUND_H
#define SG_PROTOCOL_ROUND_H

/*
 * The round as a whole (DESIGN.md §4-§5): a task's round closes at
 * closes_at, or earlier when its authority signs a CollectNow; the leader
 * then refuses new uploads, finishes aggregating what it acknowledged and
 * collects every industry. Whoever asks gets a RoundStatus: where the round
 * stands and, once published, which industries were published and which
 * withheld below min_batch.
 *
 * A CollectNow is signed by the task's authority over
 * "spillguard collect now v1" || CollectNowBody. It only says "close this
 * task's round now", so sending it again (or replaying it) changes nothing.
 */
#include <stddef.h>
#include <stdint.h>

#include "core/task.h"

#define SG_COLLECT_NOW_SIG_CONTEXT "spillguard collect now v1"

enum sg_round_state {
	SG_ROUND_OPEN = 1,       /* taking uploads */
	SG_ROUND_COLLECTING = 2, /* closed: aggregating and collecting */
	SG_ROUND_PUBLISHED = 3,  /* every industry published or withheld */
};

typedef struct sg_round_status {
	enum sg_round_state state;
	uint64_t uploads;   /* reports the leader acknowledged */
	uint64_t accepted;  /* counted */
	uint64_t refused;   /* refused in aggregation */
	size_t n_published, n_withheld;
	uint32_t *published; /* industry ids (malloc'd; NULL when none) */
	uint32_t *withheld;
} sg_round_status;

void sg_round_status_free(sg_round_status *s);

/* The authority's CollectNow envelope (packed, malloc'd). */
SG_MUST_CHECK int sg_collect_now_msg(uint8_t **out, size_t *out_len, const sg_task *t,
				     const uint8_t authority_sk[64], uint64_t issued_at);

/* Leader: 0 and *issued_at when msg is a CollectNow of task t signed by
 * its authority; SG_ERR_PARSE when it is not a CollectNow of this task;
 * SG_ERR_VERIFY when the signature is not the authority's. */
SG_MUST_CHECK int sg_collect_now_read(uint64_t *issued_at, const sg_task *t, const uint8_t *msg,
				      size_t len);

/* The RoundStatus envelope (packed, malloc'd). */
SG_MUST_CHECK int sg_round_status_msg(uint8_t **out, size_t *out_len, const sg_task *t,
				      const sg_round_status *s);

/* Reads a RoundStatus of task t into *s (free with sg_round_status_free).
 * SG_ERR_PARSE when msg is not one, names an industry the task does not
 * have or an unknown state. */
SG_MUST_CHECK int sg_round_status_read(sg_round_status *s, const sg_task *t, const uint8_t *msg,
				       size_t len);

#endif
