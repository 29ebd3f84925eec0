/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SG_PROTOCOL_UPLOAD_H
#define SG_PROTOCOL_UPLOAD_H

/*
 * The upload exchange without sockets (DESIGN.md §5): the leader takes a
 * Report's bytes and returns the reply's bytes - a signed Receipt once the
 * report is durable in its store, or an Error with the refusal's code - and
 * the enterprise checks that reply.
 *
 * The leader opens its share of a new report and prepares it (verify_init)
 * before it stores the report, and keeps that preparation in place of its
 * sealed share (the report's largest part): the report is stored as
 * uploaded but for that one ciphertext, which its signed body still
 * commits to by digest.
 *
 * A receipt's body is a ReceiptBody (task, report id, enterprise, time of
 * receipt, SHA-256 of the report's signed body) signed by the leader over
 * "spillguard receipt v1" || body.
 */
#include <stddef.h>
#include <stdint.h>

#include "core/task.h"
#include "edge/store.h"
#include "protocol/aggregate.h"
#include "protocol/report.h"

#define SG_RECEIPT_SIG_CONTEXT "spillguard receipt v1"

typedef struct sg_leader {
	const sg_task *task;
	sg_prio3 *prio3; /* this thread's: verify_init uses its workspace */
	sg_store *store;
	const uint8_t *hpke_sk;    /* 32 bytes */
	const uint8_t *sign_sk;    /* 64 bytes */
	const uint8_t *verify_key; /* SG_PRIO3_VERIFY_KEY_BYTES */
} sg_leader;

/* One upload of a batch: the report's bytes in, the reply out. */
typedef struct sg_upload {
	const uint8_t *report;
	size_t len;
	uint8_t *reply; /* out: a packed Envelope (malloc'd), Receipt or Error */
	size_t reply_len;
	enum sg_reject reject; /* out: SG_REJECT_NONE for a receipt */
} sg_upload;

/*
 * Handles uploads that arrived together, as sg_leader_upload does each,
 * but stores every new one in a single durable transaction: each u[i]
 * gets its reply only once all are on disk. A negative sg_err when the
 * store or memory failed: then no u[i] has a reply (the nodes retry) and
 * nothing was stored.
 */
SG_MUST_CHECK int sg_leader_upload_batch(sg_leader *l, sg_upload *u, size_t n, uint64_t now);

/*
 * Handles one upload: *reply is a packed Envelope (malloc'd) holding the
 * Receipt or an Error; *reject says which (SG_REJECT_NONE for a receipt).
 * Returns 0, or a negative sg_err when the store or memory failed (then no
 * reply: the node retries).
 */
SG_MUST_CHECK int sg_leader_upload(sg_leader *l, uint8_t **reply, size_t *reply_len,
				   enum sg_reject *reject, const uint8_t *report, size_t report_len,
				   uint64_t now);

/* An Error envelope (packed, malloc'd) with r's code and sentence: the
 * reply to a request that is refused as a whole. */
SG_MUST_CHECK int sg_error_reply(uint8_t **out, size_t *out_len, enum sg_reject r);

/*
 * The enterprise's reading of the reply: 0 and the receipt's bytes in
 * *receipt (malloc'd) when it is a receipt for this report signed by the
 * task's leader; otherwise SG_ERR_VERIFY with *reject set from an Error
 * reply (or SG_REJECT_NONE when the reply itself was bad) and a message.
 */
SG_MUST_CHECK int sg_node_read_reply(uint8_t **receipt, size_t *receipt_len,
				     enum sg_reject *reject, const sg_task *t,
				     const uint8_t report_id[SG_REPORT_ID_BYTES],
				     const uint8_t *reply, size_t reply_len, char *msg,
				     size_t msg_len);

/*
 * A kept receipt (a packed Receipt): 0 with its report id and the industry
 * its enterprise is registered under when it is this task's leader's
 * receipt; SG_ERR_VERIFY with msg otherwise.
 */
SG_MUST_CHECK int sg_receipt_open(uint8_t report_id[SG_REPORT_ID_BYTES], uint32_t *industry,
				  const sg_task *t, const uint8_t *receipt, size_t len, char *msg,
				  size_t msg_len);

#endif
