/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SG_PROTOCOL_AUDIT_INTERNAL_H
#define SG_PROTOCOL_AUDIT_INTERNAL_H

/* Shared by the audit's files. */
#include "protocol/audit.h"
#include "wire/codec.h"

/* One check: reported through say, and counted in *failed when it failed. */
__attribute__((format(printf, 5, 6))) void sg_audit_check(int *failed, sg_audit_say say,
							  void *ctx, bool ok, const char *fmt,
							  ...);

/* A decoded PublishedAggregate of task t (version, task id, an industry of
 * the task), or NULL; release with sg_wire_release(&pa->base, *b). */
Spillguard__PublishedAggregate *sg_audit_aggregate_decode(const sg_task *t, const uint8_t *pub,
							  size_t len, sg_wire_budget **b);

/* "industry <id> (<name>)" for an industry of the task. */
void sg_audit_industry_name(char *out, size_t len, const sg_task *t, uint32_t id);

/* The number of roster enterprises registered under industry id. */
uint64_t sg_audit_roster_count(const sg_task *t, uint32_t id);

/* The ISK summary against the aggregates (their bytes, each already
 * audited): this task's, over exactly their industries in order, each
 * figure the sum of their TSK texts (audit_figures.h). */
int sg_audit_isk(const sg_task *t, const uint8_t *isk, size_t isk_len,
		 const uint8_t *const *pubs, const size_t *pub_lens, size_t n, sg_audit_say say,
		 void *ctx);

/* The log as the round's record: this task's, its head's size, root and
 * every aggregator's signature, its leaves (sg_audit_leaves). *whole when
 * every one of these checks passed. */
int sg_audit_log_record(const sg_task *t, const uint8_t *log, size_t log_len, sg_audit_say say,
			void *ctx, bool *whole);

#endif
