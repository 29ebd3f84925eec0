/* SPDX-License-Identifier: Apache-2.0 */
#include <string.h>

#include <criterion/criterion.h>

#include "core/fixed.h"

static enum sg_fixed_status parse(const char *s, unsigned d, uint64_t max, uint64_t *v)
{
	return sg_fixed_parse(v, s, strlen(s), d, max);
}

Test(fixed, parses_exactly)
{
	uint64_t v;
	cr_assert_eq(parse("12", 2, 100000, &v), SG_FIXED_OK);
	cr_assert_eq(v, 1200);
	cr_assert_eq(parse("12.5", 2, 100000, &v), SG_FIXED_OK);
	cr_assert_eq(v, 1250);
	cr_assert_eq(parse("0.25", 2, 100000, &v), SG_FIXED_OK);
	cr_assert_eq(v, 25);
	cr_assert_eq(parse("007.10", 2, 100000, &v), SG_FIXED_OK);
	cr_assert_eq(v, 710);
	cr_assert_eq(parse("65535", 0, 65535, &v), SG_FIXED_OK);
	cr_assert_eq(v, 65535);
	cr_assert_eq(parse("18446744073709551615", 0, UINT64_MAX, &v), SG_FIXED_OK);
	cr_assert_eq(v, UINT64_MAX);
	cr_assert_eq(parse("0.000000000000000001", 18, UINT64_MAX, &v), SG_FIXED_OK);
	cr_assert_eq(v, 1);
}

Test(fixed, refuses_each_bad_form)
{
	uint64_t v = 99;
	cr_assert_eq(parse("", 2, 100, &v), SG_FIXED_EMPTY);
	cr_assert_eq(v, 0);
	cr_assert_eq(parse("-1", 2, 100, &v), SG_FIXED_NEGATIVE);
	const char *nan[] = { "abc", "1e3", "1,5", " 1", "1 ", "+1", ".5", "12.", "1.2.3", "0x10", "١" };
	for (size_t i = 0; i < sizeof nan / sizeof nan[0]; i++)
		cr_assert_eq(parse(nan[i], 2, 100000, &v), SG_FIXED_NOT_A_NUMBER, "'%s'", nan[i]);
	cr_assert_eq(parse("1.234", 2, 100000, &v), SG_FIXED_TOO_PRECISE);
	cr_assert_eq(parse("0.5", 0, 100000, &v), SG_FIXED_TOO_PRECISE);
	cr_assert_eq(parse("1000.01", 2, 100000, &v), SG_FIXED_TOO_LARGE);
	cr_assert_eq(parse("1000", 2, 100000, &v), SG_FIXED_OK);
	cr_assert_eq(parse("18446744073709551616", 0, UINT64_MAX, &v), SG_FIXED_TOO_LARGE);
	/* fits as digits but not once scaled */
	cr_assert_eq(parse("18446744073709551615", 1, UINT64_MAX, &v), SG_FIXED_TOO_LARGE);
	cr_assert_eq(v, 0);
	cr_assert_str_eq(sg_fixed_strerror(SG_FIXED_TOO_PRECISE),
			 "more decimal places than the category allows");
}

Test(fixed, formats_and_round_trips)
{
	char buf[32];
	cr_assert_eq(sg_fixed_format(buf, sizeof buf, 1250, 2), 5);
	cr_assert_str_eq(buf, "12.50");
	sg_fixed_format(buf, sizeof buf, 5, 3);
	cr_assert_str_eq(buf, "0.005");
	sg_fixed_format(buf, sizeof buf, 0, 0);
	cr_assert_str_eq(buf, "0");
	sg_fixed_format(buf, sizeof buf, UINT64_MAX, 18);
	cr_assert_str_eq(buf, "18.446744073709551615");
	cr_assert_eq(sg_fixed_format(buf, 5, 1250, 2), 0, "too small a buffer");
	cr_assert_str_eq(buf, "");
	uint32_t st = 7;
	for (int i = 0; i < 2000; i++) {
		st = st * 1664525u + 1013904223u;
		uint64_t x = ((uint64_t)st << 20) ^ st;
		unsigned d = st % 7;
		uint64_t back;
		size_t n = sg_fixed_format(buf, sizeof buf, x, d);
		cr_assert_gt(n, 0);
		cr_assert_eq(sg_fixed_parse(&back, buf, n, d, UINT64_MAX), SG_FIXED_OK, "%s", buf);
		cr_assert_eq(back, x);
	}
}

Test(fixed, ratios_round_half_up)
{
	sg_u128 q;
	cr_assert_eq(sg_fixed_ratio(&q, 10, 3, 2), 0); /* 3.333.. */
	cr_assert(q == 333);
	cr_assert_eq(sg_fixed_ratio(&q, 20, 3, 2), 0); /* 6.666.. */
	cr_assert(q == 667);
	cr_assert_eq(sg_fixed_ratio(&q, 1, 8, 2), 0); /* 0.125 -> 0.13 */
	cr_assert(q == 13);
	cr_assert_eq(sg_fixed_ratio(&q, 1, 3, 0), 0); /* 0.33 -> 0 */
	cr_assert(q == 0);
	cr_assert_eq(sg_fixed_ratio(&q, 5, 10, 0), 0); /* 0.5 -> 1 */
	cr_assert(q == 1);
	cr_assert_eq(sg_fixed_ratio(&q, UINT64_MAX, 1, 0), 0);
	cr_assert(q == UINT64_MAX);
	cr_assert_eq(sg_fixed_ratio(&q, UINT64_MAX, UINT64_MAX, 18), 0);
	cr_assert(q == 1000000000000000000ULL);
	/* beyond 64 bits: (2^64 - 1) * 10 */
	cr_assert_eq(sg_fixed_ratio(&q, UINT64_MAX, 1, 1), 0);
	cr_assert(q == (sg_u128)UINT64_MAX * 10);
	/* the largest: (2^64 - 1) * 10^18 */
	cr_assert_eq(sg_fixed_ratio(&q, UINT64_MAX, 1, 18), 0);
	cr_assert(q == (sg_u128)UINT64_MAX * 1000000000000000000ULL);
	cr_assert_eq(sg_fixed_ratio(&q, 1, 0, 2), -1, "no enterprises");
}

Test(fixed, formats_beyond_64_bits)
{
	char buf[SG_FIXED_TEXT_BYTES];
	sg_u128 v = (sg_u128)UINT64_MAX * 100 + 99;
	cr_assert_eq(sg_fixed_format(buf, sizeof buf, v, 20), 23);
	cr_assert_str_eq(buf, "18.44674407370955161599");
	cr_assert_gt(sg_fixed_format(buf, sizeof buf, 3389771604541287113ULL, 20), 0);
	cr_assert_str_eq(buf, "0.03389771604541287113");
	sg_u128 max = ~(sg_u128)0;
	cr_assert_eq(sg_fixed_format(buf, sizeof buf, max, 38), 40);
	cr_assert_str_eq(buf, "3.40282366920938463463374607431768211455");
	cr_assert_eq(sg_fixed_format(buf, sizeof buf, max, 0), 39);
	cr_assert_str_eq(buf, "340282366920938463463374607431768211455");
}
