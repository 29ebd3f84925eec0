/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SG_EDGE_EEK_CSV_H
#define SG_EDGE_EEK_CSV_H

/*
 * An enterprise's knowledge stock from CSV (DESIGN.md §1, §4):
 *
 *   category,value             one row per category: EEK directly
 *   position,category,value    one row per job position and category:
 *                              SEK rows, summed per category (EEK = sum SEK)
 *
 * Values are decimals with at most the category's `decimals` places and
 * are carried as integers value * 10^decimals. Any negative, non-numeric,
 * over-range, duplicate or unknown-category row stops the whole file with
 * its line number and the reason; nothing is returned then. Categories
 * without a row are 0. Fields may be double-quoted ("" for a quote); lines
 * end in LF or CRLF; blank lines are skipped.
 */
#include <stddef.h>
#include <stdint.h>

#include "spillguard/export.h"

typedef struct sg_category {
	const char *name;
	unsigned decimals;
	uint64_t max; /* largest value of this category's EEK, in 10^-decimals units */
} sg_category;

#define SG_EEK_MAX_BYTES ((size_t)64 << 20)

/* eek receives ncat values. On failure returns SG_ERR_PARSE (or
 * SG_ERR_LENGTH for a file over SG_EEK_MAX_BYTES), zeroes eek, sets *line
 * (1-based; 0 when the whole file is at fault) and writes the reason, which
 * names the offending value, into err. */
SG_MUST_CHECK int sg_eek_parse(uint64_t *eek, const sg_category *cats, size_t ncat,
			       const char *text, size_t len, size_t *line, char *err,
			       size_t err_len);

#endif
