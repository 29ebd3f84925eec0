/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SG_PROTOCOL_AUDIT_FIGURES_H
#define SG_PROTOCOL_AUDIT_FIGURES_H

/*
 * The audit's own arithmetic (DESIGN.md §6), written apart from the
 * publisher's: it shares no code with the Prio3 unsharding, the TSK
 * rounding or the ISK addition it checks, so a bug there is not certified
 * by the same bug here.
 *
 *   S_k:   the aggregate shares added up modulo the task's field prime,
 *          each element read little-endian and required canonical (< p);
 *   TSK_k: the text read back as an integer T in units of 10^-(d+2) and
 *          checked, in whole numbers, to be S_k / J_k rounded half up:
 *          -J <= 200 S - 2 T J < J;
 *   ISK:   the TSK texts read back and added, compared with the ISK text.
 *
 * Every text must be canonical: digits, no leading zero before another
 * digit, a point followed by exactly the stated number of places.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/fixed.h"
#include "spillguard/export.h"

/* The decimal text with exactly `places` places (none: no point) as an
 * integer in units of 10^-places; false when it is anything else or does
 * not fit 127 bits. */
SG_MUST_CHECK bool sg_audit_decimal(sg_u128 *out, const char *text, unsigned places);

/* sums[i] = the i-th elements of the n_shares encoded shares added up in
 * the field of `field_bits` (64 or 128), for n elements each. False when a
 * share has another length, an element is not canonical, or a sum does not
 * fit the 64-bit published figure. */
SG_MUST_CHECK bool sg_audit_share_sums(uint64_t *sums, size_t n, unsigned field_bits,
				       const uint8_t *const *shares, const size_t *lens,
				       size_t n_shares);

/* Whether `tsk` is sum / count with decimals + 2 places, rounded half up. */
SG_MUST_CHECK bool sg_audit_tsk(const char *tsk, unsigned decimals, uint64_t sum, uint64_t count);

/* Whether `text` is the decimal form of `value` (units of 10^-places). */
SG_MUST_CHECK bool sg_audit_figure(const char *text, unsigned places, sg_u128 value);

#endif
