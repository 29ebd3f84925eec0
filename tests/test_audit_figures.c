/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The audit's own arithmetic (protocol/audit_figures.h): canonical decimal
 * text, field sums with wrap-around at both primes, and the TSK rule as an
 * inequality in whole numbers, checked against the publisher's rounding
 * (two implementations that must agree) and against hand-made cases.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "common.h"
#include "core/task.h"
#include "protocol/audit_figures.h"
#include "protocol/collect.h"

Test(audit_figures, decimals_are_read_only_in_canonical_form)
{
	sg_u128 v;
	cr_assert(sg_audit_decimal(&v, "24.50", 2) && v == 2450);
	cr_assert(sg_audit_decimal(&v, "0.05", 2) && v == 5);
	cr_assert(sg_audit_decimal(&v, "7", 0) && v == 7);
	cr_assert(sg_audit_decimal(&v, "0", 0) && v == 0);
	cr_assert(sg_audit_decimal(&v, "18.44674407370955161599", 20) &&
		  v == (sg_u128)UINT64_MAX * 100 + 99);
	const char *bad[] = { "", "024.50", "24.5", "24.500", ".50", "24.", "+1.00", "-1.00",
			      "1e2", "1,00", " 1.00", "1.00 ", "1..00", "00", "1.0.0" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		cr_assert_not(sg_audit_decimal(&v, bad[i], 2), "'%s'", bad[i]);
	cr_assert_not(sg_audit_decimal(&v, "12", 2), "no point where places are due");
	cr_assert_not(sg_audit_decimal(&v, "12.00", 0), "a point where none is due");
	cr_assert_not(sg_audit_decimal(&v, "024", 0));
	cr_assert_not(sg_audit_decimal(&v, "1.5", 2));
	/* 2^127 and above do not fit */
	cr_assert_not(sg_audit_decimal(&v, "170141183460469231731687303715884105728", 0));
	cr_assert(sg_audit_decimal(&v, "17014118346046923173168730371588410572", 0));
}

static void le(uint8_t *out, sg_u128 v, size_t n)
{
	for (size_t i = 0; i < n; i++, v >>= 8)
		out[i] = (uint8_t)v;
}

Test(audit_figures, shares_add_up_modulo_each_prime)
{
	const sg_u128 p64 = ((sg_u128)1 << 64) - ((sg_u128)1 << 32) + 1;
	const sg_u128 p128 = (sg_u128)0 - ((sg_u128)28 << 64) + 1;
	uint8_t a[32], b[32], c[32];
	const uint8_t *shares[3] = { a, b, c };
	size_t lens[3] = { 16, 16, 16 };
	uint64_t sums[2];
	/* Field64: (p - 1) + 2 + 5 = 6, and (p - 10) + 4 + 6 = 0 */
	le(a, p64 - 1, 8), le(a + 8, p64 - 10, 8);
	le(b, 2, 8), le(b + 8, 4, 8);
	le(c, 5, 8), le(c + 8, 6, 8);
	cr_assert(sg_audit_share_sums(sums, 2, 64, shares, lens, 3));
	cr_assert_eq(sums[0], 6);
	cr_assert_eq(sums[1], 0);
	/* an element equal to p is not canonical */
	le(c, p64, 8);
	cr_assert_not(sg_audit_share_sums(sums, 2, 64, shares, lens, 3));
	/* Field128: two shares near p wrap past 2^128 */
	lens[0] = lens[1] = lens[2] = 32;
	le(a, p128 - 1, 16), le(a + 16, p128 - 3, 16);
	le(b, p128 - 1, 16), le(b + 16, 3, 16);
	le(c, 2 + 42, 16), le(c + 16, 1000, 16);
	cr_assert(sg_audit_share_sums(sums, 2, 128, shares, lens, 3));
	cr_assert_eq(sums[0], 42);
	cr_assert_eq(sums[1], 1000);
	/* a sum of 2^64 does not fit the published figure */
	le(c + 16, ((sg_u128)1 << 64), 16);
	cr_assert_not(sg_audit_share_sums(sums, 2, 128, shares, lens, 3));
	/* a share of another length */
	le(c + 16, 1000, 16);
	lens[1] = 31;
	cr_assert_not(sg_audit_share_sums(sums, 2, 128, shares, lens, 3));
}


/* The last digit of a TSK text moved by delta (-1 or +1), or "" when it
 * would carry. */
static void nudge(char *s, int delta)
{
	size_t n = strlen(s);
	char d = s[n - 1];
	if ((delta > 0 && d == '9') || (delta < 0 && d == '0'))
		s[0] = '\0';
	else
		s[n - 1] = (char)(d + delta);
}

Test(audit_figures, tsk_accepts_exactly_the_rounded_mean)
{
	cr_assert(sg_audit_tsk("0.13", 0, 1, 8), "0.125 rounds up");
	cr_assert_not(sg_audit_tsk("0.12", 0, 1, 8));
	cr_assert(sg_audit_tsk("3.33", 0, 10, 3));
	cr_assert_not(sg_audit_tsk("3.34", 0, 10, 3));
	cr_assert(sg_audit_tsk("0.03389771604541287113", 18, 271181728363302969ULL, 8));
	cr_assert_not(sg_audit_tsk("0.033897716045412871", 18, 271181728363302969ULL, 8),
		      "18 places where 20 are due");
	cr_assert_not(sg_audit_tsk("1.00", 0, 1, 0), "no enterprises, no mean");
	uint64_t st = 0x2545f4914f6cdd1dULL;
	for (unsigned d = 0; d <= 18; d++) {
		sg_test_one_cat o;
		sg_test_one_cat_init(&o, d);
		for (int i = 0; i < 2000; i++) {
			st ^= st << 13, st ^= st >> 7, st ^= st << 17;
			uint64_t j = 1 + (st >> 33) % 5000, s = st >> (st & 31);
			char t[SG_TSK_TEXT_BYTES];
			cr_assert_eq(sg_tsk_text(t, &o.task, 0, s, j), 0);
			cr_assert(sg_audit_tsk(t, d, s, j), "%s = %llu / %llu", t,
				  (unsigned long long)s, (unsigned long long)j);
			for (int delta = -1; delta <= 1; delta += 2) {
				char w[SG_TSK_TEXT_BYTES];
				memcpy(w, t, sizeof w);
				nudge(w, delta);
				cr_assert(w[0] == '\0' || !sg_audit_tsk(w, d, s, j), "%s accepted", w);
			}
		}
	}
}
