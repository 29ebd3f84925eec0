/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SG_CLI_AUDIT_REPORT_H
#define SG_CLI_AUDIT_REPORT_H

/*
 * The audit's results as files for other tools: JSON (the checks, the
 * verdict, every industry's TSK and the ISK) and CSV (one row per industry
 * and category, then the ISK rows). The figures are the published ones;
 * the checks say whether they hold.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/task.h"
#include "protocol/audit.h"
#include "wire/codec.h"

typedef struct audit_line {
	bool ok;
	char *text;
} audit_line;

typedef struct audit_results {
	const sg_task *task;
	const audit_line *lines;
	size_t n_lines, failed;
	const sg_audit_found *found; /* the record's aggregates and ISK */
} audit_results;

/* 0, or 2 after a message naming the file. */
int audit_write_json(const audit_results *r, const char *path);
int audit_write_csv(const audit_results *r, const char *path);
/* One self-contained page: the verdict, TSK per category as SVG bars, the
 * figures with the ISK, every check. */
int audit_write_html(const audit_results *r, const char *path);

/* The record's published aggregate of industry id, decoded with a sum and
 * a TSK per category (release with sg_wire_release), or NULL. */
Spillguard__PublishedAggregate *audit_find_published(const audit_results *r, uint32_t id,
						     sg_wire_budget **b);
/* The record's ISK summary, decoded with an ISK per category, or NULL. */
Spillguard__IskSummary *audit_read_isk(const audit_results *r, sg_wire_budget **b);

#endif
