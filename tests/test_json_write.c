/* SPDX-License-Identifier: Apache-2.0 */
/* The JSON writer's documents parse back to what was written. */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "spillguard/err.h"
#include "util/json.h"
#include "util/json_write.h"

static sg_json *parse(const char *text, size_t len)
{
	sg_json *j;
	char err[128];
	cr_assert_eq(sg_json_parse(&j, text, len, err, sizeof err), 0, "%s\n%s", err, text);
	return j;
}

Test(json_write, a_document_parses_back_exactly)
{
	sg_jw w;
	char *out;
	size_t len, n;
	const uint8_t bytes[3] = { 0x00, 0xab, 0xff };
	const char *tricky = "quote \" backslash \\ tab \t nl \n bell \x07 \xc3\xa9";
	sg_jw_init(&w);
	sg_jw_object(&w, NULL);
	sg_jw_str(&w, "name", tricky);
	sg_jw_u64(&w, "big", UINT64_MAX);
	sg_jw_hex(&w, "bytes", bytes, sizeof bytes);
	sg_jw_array(&w, "list");
	sg_jw_u64(&w, NULL, 1);
	sg_jw_object(&w, NULL);
	sg_jw_end(&w);
	sg_jw_array(&w, NULL);
	sg_jw_end(&w);
	sg_jw_end(&w);
	sg_jw_end(&w);
	cr_assert_eq(sg_jw_finish(&w, &out, &len), 0);
	cr_assert_eq(strlen(out), len);
	cr_assert_eq(out[len - 1], '\n');
	sg_json *j = parse(out, len);
	cr_assert_str_eq(sg_json_str(sg_json_get(j, "name"), &n), tricky);
	uint64_t big;
	cr_assert(sg_json_u64(sg_json_get(j, "big"), &big));
	cr_assert_eq(big, UINT64_MAX);
	cr_assert_str_eq(sg_json_str(sg_json_get(j, "bytes"), &n), "00abff");
	const sg_json *list = sg_json_get(j, "list");
	cr_assert_eq(sg_json_len(list), 3);
	cr_assert_eq(sg_json_type_of(sg_json_at(list, 1)), SG_JSON_OBJECT);
	cr_assert_eq(sg_json_len(sg_json_at(list, 1)), 0);
	cr_assert_eq(sg_json_type_of(sg_json_at(list, 2)), SG_JSON_ARRAY);
	sg_json_free(j);
	free(out);
}

Test(json_write, misuse_sticks_and_yields_nothing)
{
	sg_jw w;
	char *out;
	size_t len;
	/* a member name inside an array */
	sg_jw_init(&w);
	sg_jw_array(&w, NULL);
	sg_jw_u64(&w, "k", 1);
	sg_jw_end(&w);
	cr_assert_eq(sg_jw_finish(&w, &out, &len), SG_ERR_STATE);
	cr_assert_null(out);
	/* a value without a name inside an object */
	sg_jw_init(&w);
	sg_jw_object(&w, NULL);
	sg_jw_str(&w, NULL, "x");
	sg_jw_end(&w);
	cr_assert_eq(sg_jw_finish(&w, &out, &len), SG_ERR_STATE);
	/* left open, closed too often, two top-level values, nothing */
	sg_jw_init(&w);
	sg_jw_object(&w, NULL);
	cr_assert_eq(sg_jw_finish(&w, &out, &len), SG_ERR_STATE);
	sg_jw_init(&w);
	sg_jw_array(&w, NULL);
	sg_jw_end(&w);
	sg_jw_end(&w);
	cr_assert_eq(sg_jw_finish(&w, &out, &len), SG_ERR_STATE);
	sg_jw_init(&w);
	sg_jw_u64(&w, NULL, 1);
	sg_jw_u64(&w, NULL, 2);
	cr_assert_eq(sg_jw_finish(&w, &out, &len), SG_ERR_STATE);
	sg_jw_init(&w);
	cr_assert_eq(sg_jw_finish(&w, &out, &len), SG_ERR_STATE);
	/* nesting beyond the limit */
	sg_jw_init(&w);
	for (int i = 0; i <= SG_JW_MAX_DEPTH; i++)
		sg_jw_array(&w, NULL);
	for (int i = 0; i <= SG_JW_MAX_DEPTH; i++)
		sg_jw_end(&w);
	cr_assert_eq(sg_jw_finish(&w, &out, &len), SG_ERR_STATE);
}
