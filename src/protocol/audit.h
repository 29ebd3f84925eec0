/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SG_PROTOCOL_AUDIT_H
#define SG_PROTOCOL_AUDIT_H

/*
 * The offline audit of a round's publication (DESIGN.md §6), from files
 * only: anyone with the task and the published artefacts re-checks what
 * the leader published, trusting none of the aggregators:
 *
 *   per published industry k: the file decodes as this task's aggregate;
 *   J_k >= min_batch; one aggregate share per aggregator, each signed by
 *   that aggregator's task key for this batch (industry, J_k, report-set
 *   root); S_k = the shares added up; TSK_k = S_k / J_k to the published
 *   precision;
 *   the ISK summary: per category the sum of the published TSK_k, over
 *   exactly the industries published.
 *
 * Every check is reported through `say` as it is made (ok or not, and one
 * line naming it); the functions return how many failed, or a negative
 * sg_err when memory ran out.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/task.h"

typedef void (*sg_audit_say)(void *ctx, bool ok, const char *check);

/* One PublishedAggregate file (its bytes), named `name` in the lines. */
int sg_audit_aggregate(const sg_task *t, const uint8_t *pub, size_t len, const char *name,
		       sg_audit_say say, void *ctx);

/* The ReportSet beside a published aggregate: this task's, ascending ids,
 * J_k of them, and their RFC 9162 root the aggregate's report_set_root. */
int sg_audit_report_set(const sg_task *t, const uint8_t *pub, size_t pub_len, const uint8_t *set,
			size_t set_len, const char *name, sg_audit_say say, void *ctx);

/* A report was counted: report_id is in the ReportSet, shown by an
 * RFC 9162 inclusion proof against the aggregate's report_set_root. */
int sg_audit_counted(const sg_task *t, const uint8_t report_id[16], const uint8_t *pub,
		     size_t pub_len, const uint8_t *set, size_t set_len, const char *name,
		     sg_audit_say say, void *ctx);

/*
 * The round's log (a packed Log): this task's; the head's size and root
 * are its leaves'; every aggregator signed the head; the first leaf is the
 * task; and each artefact (names[i], bytes arts[i]) is a leaf, shown by an
 * RFC 9162 inclusion proof against the signed root.
 */
int sg_audit_log(const sg_task *t, const uint8_t *log, size_t log_len,
		 const char *const *names, const uint8_t *const *arts, const size_t *art_lens,
		 size_t n, sg_audit_say say, void *ctx);

/* An earlier head of the same log (old, a packed Log published before):
 * signed by every aggregator, and the current log (log) extends it, by an
 * RFC 9162 consistency proof between the two signed roots. */
int sg_audit_log_consistency(const sg_task *t, const uint8_t *old, size_t old_len,
			     const uint8_t *log, size_t log_len, sg_audit_say say, void *ctx);

/* The IskSummary against the published aggregates (their bytes; those that
 * do not decode are left out: their own audit says so). */
int sg_audit_isk(const sg_task *t, const uint8_t *isk, size_t isk_len,
		 const uint8_t *const *pubs, const size_t *pub_lens, size_t n, sg_audit_say say,
		 void *ctx);

#endif
