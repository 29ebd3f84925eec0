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

typedef struct audit_line {
	bool ok;
	char *text;
} audit_line;

typedef struct audit_results {
	const sg_task *task;
	const char *dir;            /* the publication folder (isk.pb is read again) */
	const audit_line *lines;
	size_t n_lines, failed;
	uint8_t *const *pubs;       /* the published aggregates found */
	const size_t *pub_lens;
	size_t n_pubs;
} audit_results;

/* 0, or 2 after a message naming the file. */
int audit_write_json(const audit_results *r, const char *path);
int audit_write_csv(const audit_results *r, const char *path);

#endif
