/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SG_EDGE_NODE_H
#define SG_EDGE_NODE_H

/*
 * An enterprise's submission (DESIGN.md §5): its knowledge stock read from
 * CSV, turned into a signed report for the task, sent to the leader over
 * CURVE (an ephemeral client key: reports authenticate themselves), and the
 * leader's reply checked. While the leader does not answer, the very same
 * report (same id) is sent again with growing pauses, so a report is never
 * counted twice and a late receipt still matches.
 */
#include <stddef.h>
#include <stdint.h>

#include "core/task.h"
#include "protocol/report.h"

enum sg_node_outcome {
	SG_NODE_ACCEPTED = 0, /* a receipt for this report, signed by the leader */
	SG_NODE_REFUSED = 1,  /* the leader refused it: reject says why */
	SG_NODE_FAILED = 2,   /* nothing sent (bad input) or no valid reply */
};

typedef struct sg_node_result {
	enum sg_node_outcome outcome;
	enum sg_reject reject;
	uint8_t report_id[SG_REPORT_ID_BYTES];
	uint8_t *receipt; /* packed Receipt, malloc'd, when accepted */
	size_t receipt_len;
	char message[512]; /* one line for the user: what happened */
} sg_node_result;

/* attempts >= 1; the pause after attempt k is 2^(k-1) seconds, at most 30;
 * notice (may be NULL) gets a line before each retry, for progress output. */
SG_MUST_CHECK int sg_node_submit(sg_node_result *res, const sg_task *t, const uint8_t sign_sk[64],
				 const char *csv, size_t csv_len, const char *csv_name,
				 uint64_t now, int timeout_ms, unsigned attempts,
				 void (*notice)(const char *line));
void sg_node_result_free(sg_node_result *res);

#endif
