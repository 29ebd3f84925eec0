/* SPDX-License-Identifier: Apache-2.0 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "spillguard/err.h"
#include "util/hex.h"

Test(hex, encode_known)
{
	static const uint8_t in[] = { 0x00, 0x01, 0x7f, 0x80, 0xab, 0xcd, 0xef, 0xff };
	char out[2 * sizeof in + 1];

	memset(out, 'x', sizeof out);
	sg_hex_encode(out, in, sizeof in);
	cr_assert_str_eq(out, "00017f80abcdefff");

	memset(out, 'x', sizeof out);
	sg_hex_encode(out, NULL, 0);
	cr_assert_str_eq(out, "");
}

Test(hex, decode_known_any_case)
{
	uint8_t out[4];
	size_t n = 99;

	cr_assert_eq(sg_hex_decode_vartime(out, sizeof out, &n, "0aFf9B", 6), 0);
	cr_assert_eq(n, 3);
	cr_assert_eq(out[0], 0x0a);
	cr_assert_eq(out[1], 0xff);
	cr_assert_eq(out[2], 0x9b);

	/* Only hex_len digits are read, not up to a NUL. */
	cr_assert_eq(sg_hex_decode_vartime(out, sizeof out, &n, "12zz", 2), 0);
	cr_assert_eq(n, 1);
	cr_assert_eq(out[0], 0x12);

	cr_assert_eq(sg_hex_decode_vartime(NULL, 0, &n, "", 0), 0);
	cr_assert_eq(n, 0);
}

Test(hex, round_trip_every_byte)
{
	uint8_t in[256], back[256];
	char text[513];
	size_t n = 0;

	for (size_t i = 0; i < sizeof in; i++)
		in[i] = (uint8_t)(255 - i);
	sg_hex_encode(text, in, sizeof in);
	cr_assert_eq(strlen(text), 512);
	cr_assert_eq(sg_hex_decode_vartime(back, sizeof back, &n, text, 512), 0);
	cr_assert_eq(n, sizeof in);
	cr_assert_arr_eq(back, in, sizeof in);
}

Test(hex, rejects_odd_length)
{
	uint8_t out[4] = { 0xaa, 0xaa, 0xaa, 0xaa };
	size_t n = 99;

	cr_assert_eq(sg_hex_decode_vartime(out, sizeof out, &n, "abc", 3), SG_ERR_PARSE);
	cr_assert_eq(n, 0);
	cr_assert_eq(sg_hex_decode_vartime(out, sizeof out, &n, "a", 1), SG_ERR_PARSE);
	cr_assert_eq(out[0], 0xaa, "output written on failure");
}

Test(hex, rejects_bad_digits)
{
	static const char *const bad[] = { "0g", "g0", " 0", "0 ", "0x", "-1", "+1", "\0\0",
					   "ab:d", "1\n", "\xc3\xa9", "0G" };
	uint8_t out[4] = { 0xaa, 0xaa, 0xaa, 0xaa };
	size_t n = 99;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		size_t len = strlen(bad[i]) == 0 ? 2 : strlen(bad[i]);
		cr_assert_eq(sg_hex_decode_vartime(out, sizeof out, &n, bad[i], len), SG_ERR_PARSE,
			     "accepted bad hex #%zu", i);
		cr_assert_eq(n, 0);
	}
	/* The digit is bad even when the buffer is also too small. */
	cr_assert_eq(sg_hex_decode_vartime(out, 0, &n, "zz", 2), SG_ERR_PARSE);
	/* A bad digit late in the input leaves the output untouched. */
	cr_assert_eq(sg_hex_decode_vartime(out, sizeof out, &n, "010203zz", 8), SG_ERR_PARSE);
	cr_assert_eq(out[0], 0xaa, "output written on failure");
}

Test(hex, capacity)
{
	uint8_t out[3] = { 0xaa, 0xaa, 0xaa };
	size_t n = 99;

	cr_assert_eq(sg_hex_decode_vartime(out, 1, &n, "0102", 4), SG_ERR_LENGTH);
	cr_assert_eq(n, 0);
	cr_assert_eq(out[0], 0xaa);
	cr_assert_eq(sg_hex_decode_vartime(out, 2, &n, "0102", 4), 0);
	cr_assert_eq(n, 2);
	cr_assert_eq(out[2], 0xaa, "wrote past the decoded bytes");
	cr_assert_eq(sg_hex_decode_vartime(out, 0, &n, "00", 2), SG_ERR_LENGTH);
}

Test(hex, decode_alloc)
{
	uint8_t *p = (uint8_t *)1;
	size_t n = 99;

	cr_assert_eq(sg_hex_decode_alloc_vartime(&p, &n, "", 0), 0);
	cr_assert_not_null(p);
	cr_assert_eq(n, 0);
	free(p);

	cr_assert_eq(sg_hex_decode_alloc_vartime(&p, &n, "DEADbeef", 8), 0);
	cr_assert_eq(n, 4);
	cr_assert_eq(p[0], 0xde);
	cr_assert_eq(p[3], 0xef);
	free(p);

	cr_assert_eq(sg_hex_decode_alloc_vartime(&p, &n, "dead0", 5), SG_ERR_PARSE);
	cr_assert_null(p);
	cr_assert_eq(n, 0);
	cr_assert_eq(sg_hex_decode_alloc_vartime(&p, &n, "deaq", 4), SG_ERR_PARSE);
	cr_assert_null(p);
}

Test(hex, test_helper)
{
	size_t n = 0;
	uint8_t *p = sg_test_hex("00ff", &n);

	cr_assert_eq(n, 2);
	cr_assert_eq(p[1], 0xff);
	free(p);
}
