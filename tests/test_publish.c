/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The published figures' rule (docs/publication.md): TSK_k = S_k / J_k with
 * two more decimal places than its category, rounded half up, for every
 * decimals a category may have (0 to 18), checked against decimal long
 * division done digit by digit on text.
 */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "common.h"
#include "core/task.h"
#include "protocol/collect.h"


/* Adds one to the decimal digits of s in place; returns the carry out. */
static int text_increment(char *s, size_t n)
{
	for (size_t i = n; i-- > 0;) {
		if (s[i] != '9') {
			s[i]++;
			return 0;
		}
		s[i] = '0';
	}
	return 1;
}

/* s / j (j < 2^32) with d + 2 places, rounded half up, by long division:
 * the digits of the quotient, two more, and the next one decides. */
static void tsk_by_hand(char *out, size_t out_len, uint64_t s, uint64_t j, unsigned d)
{
	char q[64];
	size_t n = 0;
	snprintf(q, sizeof q, "%llu", (unsigned long long)(s / j));
	n = strlen(q);
	uint64_t r = s % j;
	for (int k = 0; k < 2; k++) {
		r *= 10;
		q[n++] = (char)('0' + r / j);
		r %= j;
	}
	r *= 10;
	bool up = r / j >= 5;
	q[n] = '\0';
	char digits[70] = "0";
	if (up && text_increment(q, n))
		snprintf(digits, sizeof digits, "1%s", q);
	else
		snprintf(digits, sizeof digits, "%s", q);
	/* the point goes d + 2 digits from the right; pad to one before it */
	size_t places = d + 2, len = strlen(digits);
	char padded[80];
	size_t zeros = len <= places ? places + 1 - len : 0;
	memset(padded, '0', zeros);
	snprintf(padded + zeros, sizeof padded - zeros, "%s", digits);
	/* strip leading zeros of the integer part (keep one) */
	char *p = padded;
	while (strlen(p) > places + 1 && p[0] == '0')
		p++;
	size_t int_len = strlen(p) - places;
	snprintf(out, out_len, "%.*s.%s", (int)int_len, p, p + int_len);
}

Test(publish, tsk_keeps_two_more_places_for_decimals_17_and_18)
{
	sg_test_one_cat o;
	char got[SG_TSK_TEXT_BYTES];
	sg_test_one_cat_init(&o, 18);
	cr_assert_eq(sg_tsk_text(got, &o.task, 0, 271181728363302969ULL, 8), 0);
	cr_assert_str_eq(got, "0.03389771604541287113");
	sg_test_one_cat_init(&o, 17);
	cr_assert_eq(sg_tsk_text(got, &o.task, 0, 271181728363302969ULL, 8), 0);
	cr_assert_str_eq(got, "0.3389771604541287113");
	/* the largest sum, one enterprise, 18 decimals: 20 places */
	sg_test_one_cat_init(&o, 18);
	cr_assert_eq(sg_tsk_text(got, &o.task, 0, UINT64_MAX, 1), 0);
	cr_assert_str_eq(got, "18.44674407370955161500");
	/* no enterprises: no mean */
	cr_assert_eq(sg_tsk_text(got, &o.task, 0, 5, 0), SG_ERR_PARAM);
}

Test(publish, tsk_follows_the_rule_for_every_decimals)
{
	uint64_t st = 0x9e3779b97f4a7c15ULL;
	for (unsigned d = 0; d <= 18; d++) {
		sg_test_one_cat o;
		sg_test_one_cat_init(&o, d);
		for (int i = 0; i < 3000; i++) {
			st ^= st << 13;
			st ^= st >> 7;
			st ^= st << 17;
			uint64_t j = 1 + (st >> 40) % (i % 3 ? 1000 : 4000000000ULL);
			uint64_t s = i % 5 == 0 ? UINT64_MAX - (st & 0xffff) : st >> (st & 63);
			if (i % 7 == 0) { /* 100 S / J = 12.5 (2k + 1): exactly half a unit */
				j = 8 * (1 + st % 1000);
				s = j / 8 * (2 * ((st >> 20) % 100000) + 1);
			}
			char got[SG_TSK_TEXT_BYTES], want[SG_TSK_TEXT_BYTES + 8];
			cr_assert_eq(sg_tsk_text(got, &o.task, 0, s, j), 0);
			tsk_by_hand(want, sizeof want, s, j, d);
			cr_assert_str_eq(got, want, "S %llu J %llu decimals %u",
					 (unsigned long long)s, (unsigned long long)j, d);
		}
	}
}
