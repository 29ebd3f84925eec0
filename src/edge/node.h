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
 *
 * Building and sending are separate steps so that a daemon (node_run.h)
 * can keep the built report on disk and send those bytes again after a
 * restart; sg_node_submit is the two in a row.
 */
#include <signal.h>
#include <stdbool.h>
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
	uint8_t report_id[SG_REPORT_ID_BYTES]; /* zero until a report is built or read */
	uint8_t *receipt; /* packed Receipt, malloc'd, when accepted */
	size_t receipt_len;
	char message[512]; /* one line for the user: what happened */
} sg_node_result;

/* Told before each retry that attempt `attempt` of `attempts` got no reply
 * from the leader at endpoint. */
typedef void sg_node_notice_fn(void *ctx, const char *endpoint, unsigned attempt,
			       unsigned attempts);

/*
 * How a report is sent: each attempt waits timeout_ms for the reply; up to
 * attempts (>= 1) attempts, the pause after attempt k being 2^(k-1)
 * seconds, at most 30. notice (may be NULL) is called with notice_ctx
 * before each retry. stop (may be NULL) is checked between short waits:
 * once it is non-zero no further attempt is made (a signal that arrives
 * during an attempt also ends that attempt's wait).
 */
typedef struct sg_node_send_opts {
	int timeout_ms;
	unsigned attempts;
	sg_node_notice_fn *notice;
	void *notice_ctx;
	const volatile sig_atomic_t *stop;
} sg_node_send_opts;

/* The position of the key's owner (sign_sk's public half) in the task's
 * roster, or -1. */
long sg_node_enterprise(const sg_task *t, const uint8_t sign_sk[64]);

/*
 * Reads the EEK from csv (csv_name names it in messages) and builds the
 * signed report for the task at time now, without sending it: *report
 * (malloc'd) and res->report_id. Returns 0; SG_ERR_PARAM when the key is
 * not in the roster; SG_ERR_PARSE or SG_ERR_LENGTH for a bad file (message
 * "NAME:LINE: reason"); others from sg_report_build. res->outcome is
 * SG_NODE_FAILED either way (nothing was sent) and res->message says what
 * went wrong; on failure *report is NULL and *report_len 0.
 */
SG_MUST_CHECK int sg_node_build(uint8_t **report, size_t *report_len, sg_node_result *res,
				const sg_task *t, const uint8_t sign_sk[64], const char *csv,
				size_t csv_len, const char *csv_name, uint64_t now);

/* The id of report, a packed Report for task t by the enterprise holding
 * sign_sk (as sg_node_build made it). Returns 0; SG_ERR_PARAM when the key
 * is not in the roster; SG_ERR_PARSE when the bytes are not a report for t
 * by that enterprise; SG_ERR_NOMEM. The id is zeroed on failure. The
 * signature is not checked: the leader does that. */
SG_MUST_CHECK int sg_node_report_id(uint8_t id[SG_REPORT_ID_BYTES], const sg_task *t,
				    const uint8_t sign_sk[64], const uint8_t *report,
				    size_t report_len);

/*
 * Sends report (a packed Report for task t, as sg_node_build made it) to
 * the task's leader, again unchanged while no reply comes (see
 * sg_node_send_opts), and reads the reply. res->report_id is the report's
 * id from its bytes.
 *
 * Returns 0 when a reply came: res->outcome SG_NODE_ACCEPTED with the
 * receipt, or SG_NODE_REFUSED with res->reject. Otherwise res->outcome is
 * SG_NODE_FAILED, res->message says why, and the return is SG_ERR_TIMEOUT
 * (no reply after the attempts, or stop was set), SG_ERR_VERIFY (a reply
 * that is not a valid receipt for this report nor an Error), SG_ERR_PARSE
 * (the report bytes do not decode, or are for another task), SG_ERR_IO or
 * SG_ERR_NOMEM.
 */
SG_MUST_CHECK int sg_node_send(sg_node_result *res, const sg_task *t, const uint8_t *report,
			       size_t report_len, const sg_node_send_opts *how);

/* The knowledge stock of a CSV (as node submit reads it) into eek, one
 * value per category of t; on a bad row msg names name:LINE and why. */
SG_MUST_CHECK int sg_node_eek(uint64_t *eek, const sg_task *t, const char *csv, size_t len,
			      const char *name, char *msg, size_t msg_len);

/* sg_node_build then sg_node_send; returns as they do. */
SG_MUST_CHECK int sg_node_submit(sg_node_result *res, const sg_task *t, const uint8_t sign_sk[64],
				 const char *csv, size_t csv_len, const char *csv_name,
				 uint64_t now, const sg_node_send_opts *how);
void sg_node_result_free(sg_node_result *res);

/* Sleeps ms milliseconds in short slices, returning early (false) once
 * *stop is non-zero; true when the whole time passed. stop may be NULL. */
bool sg_node_nap(unsigned ms, const volatile sig_atomic_t *stop);

#endif
