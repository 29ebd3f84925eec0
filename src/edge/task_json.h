/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SG_EDGE_TASK_JSON_H
#define SG_EDGE_TASK_JSON_H

/*
 * The human-written task format (docs/task-format.md) turned into a packed
 * TaskBody ready to sign. Every problem is reported as "<field>: <problem>"
 * naming the JSON path (e.g. "categories[2].max: ..."), and unknown keys are
 * refused so that a misspelt field is not silently ignored. The result is
 * also checked with sg_task_validate.
 */
#include <stddef.h>
#include <stdint.h>

#include "spillguard/export.h"

/* authority_pk (32 bytes) is used when the file has no "authority_pk";
 * when it has one, the two must agree. *out is malloc'd. */
SG_MUST_CHECK int sg_task_json_to_body(uint8_t **out, size_t *out_len, const char *json,
				       size_t json_len, const uint8_t *authority_pk, char *err,
				       size_t err_len);

/* "2026-12-01T00:00:00Z" (UTC, seconds precision) -> seconds since the
 * epoch; 0 on success, -1 if malformed. */
int sg_parse_utc(uint64_t *out, const char *s, size_t len);

#endif
