/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SG_EDGE_STORE_H
#define SG_EDGE_STORE_H

/*
 * An aggregator's durable state for one task, in SQLite (DESIGN.md §7-8):
 * WAL journal, synchronous=FULL, so a write has reached the disk when the
 * call returns and only then may it be acknowledged. One store file serves
 * one task; opening it for another task is refused.
 *
 * This file holds reports as they are uploaded; aggregation and collection
 * state join it as those steps are built.
 */
#include <stddef.h>
#include <stdint.h>

#include "spillguard/export.h"

#define SG_STORE_REPORT_ID_BYTES 16
#define SG_STORE_DIGEST_BYTES 32

typedef struct sg_store sg_store;

/* Creates or opens path for task_id. SG_ERR_IO (err names the file and
 * SQLite's message), SG_ERR_STATE when the file belongs to another task or
 * has a schema this version does not know. */
SG_MUST_CHECK int sg_store_open(sg_store **out, const char *path, const uint8_t task_id[32],
				char *err, size_t err_len);
void sg_store_close(sg_store *s);

enum sg_store_put {
	SG_STORE_NEW,        /* stored now */
	SG_STORE_SAME,       /* this exact report was stored before: idempotent */
	SG_STORE_REPLAYED,   /* the id is taken by a report with other contents */
	SG_STORE_DUPLICATE,  /* the enterprise already has another report */
};

/*
 * Stores an accepted upload and the receipt that acknowledges it, in one
 * durable transaction. digest is SHA-256 of the report's signed body: it
 * tells an identical resend (SG_STORE_SAME, *receipt gets the stored
 * receipt, malloc'd) from a replay. On SG_STORE_REPLAYED / DUPLICATE
 * nothing changes.
 */
SG_MUST_CHECK int sg_store_put_report(sg_store *s, enum sg_store_put *outcome,
				      uint8_t **receipt, size_t *receipt_len,
				      const uint8_t report_id[SG_STORE_REPORT_ID_BYTES],
				      const char *enterprise_id, uint32_t industry,
				      uint64_t received_at,
				      const uint8_t digest[SG_STORE_DIGEST_BYTES],
				      const uint8_t *report, size_t report_len,
				      const uint8_t *new_receipt, size_t new_receipt_len);

/* Reports stored, in all and in one industry. */
SG_MUST_CHECK int sg_store_count_reports(sg_store *s, uint64_t *all, int64_t industry,
					 uint64_t *in_industry);

#endif
