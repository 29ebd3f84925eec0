/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SG_TESTS_COMMON_H
#define SG_TESTS_COMMON_H

/*
 * Helpers shared by the Criterion tests. Failures inside them fail the
 * calling test with a message naming the file or value.
 */
#include <stddef.h>
#include <stdint.h>

#include "util/json.h"

/* $SG_VECTORS if set, else "../shared/vectors" (relative to the repo root,
 * where `make test` runs the tests). */
const char *sg_test_vectors_dir(void);
/* "<vectors dir>/<rel>", malloc'd; the caller frees it. */
char *sg_test_path(const char *rel);
/* Loads <vectors dir>/<rel> as JSON; fails the test if it is absent or
 * malformed. Free with sg_json_free. */
sg_json *sg_test_load_json(const char *rel);
/* Decodes hex (NUL-terminated) into a malloc'd buffer (never NULL, even for
 * ""); fails the test on bad hex. *len may be NULL. */
uint8_t *sg_test_hex(const char *hex, size_t *len);

#endif
