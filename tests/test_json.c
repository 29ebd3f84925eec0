/* SPDX-License-Identifier: Apache-2.0 */
#define _POSIX_C_SOURCE 200809L /* mkdtemp */

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "spillguard/err.h"
#include "util/json.h"

/* Parses text[0..len) that must be valid. */
static sg_json *ok_n(const char *text, size_t len)
{
	sg_json *j = NULL;
	char err[256];
	int ret = sg_json_parse(&j, text, len, err, sizeof err);

	cr_assert_eq(ret, 0, "rejected valid JSON [%s]: %s", text, err);
	cr_assert_not_null(j);
	return j;
}

static sg_json *ok(const char *text)
{
	return ok_n(text, strlen(text));
}

/* text[0..len) must be rejected with SG_ERR_PARSE and a message containing
 * "line L column C: " and the given reason fragment. */
static void bad_n(const char *text, size_t len, const char *where, const char *reason)
{
	sg_json *j = (sg_json *)1;
	char err[256];
	int ret = sg_json_parse(&j, text, len, err, sizeof err);

	cr_assert_eq(ret, SG_ERR_PARSE, "accepted invalid JSON [%s] (ret %d)", text, ret);
	cr_assert_null(j, "output not NULL on failure for [%s]", text);
	cr_assert_eq(strncmp(err, "line ", 5), 0, "message without position: %s", err);
	if (where != NULL)
		cr_assert_not_null(strstr(err, where), "[%s]: expected '%s' in '%s'", text, where, err);
	cr_assert_not_null(strstr(err, reason), "[%s]: expected '%s' in '%s'", text, reason, err);
}

static void bad(const char *text, const char *reason)
{
	bad_n(text, strlen(text), NULL, reason);
}

static void expect_str(const sg_json *j, const char *want, size_t want_len)
{
	size_t len = 99;
	const char *s = sg_json_str(j, &len);

	cr_assert_not_null(s);
	cr_assert_eq(len, want_len, "string of %zu bytes, expected %zu", len, want_len);
	cr_assert_eq(memcmp(s, want, len), 0, "string bytes differ");
	cr_assert_eq(s[len], '\0');
}

/* --- valid documents ----------------------------------------------------- */

Test(json, scalars)
{
	sg_json *j;
	bool b = false;

	j = ok("null");
	cr_assert_eq(sg_json_type_of(j), SG_JSON_NULL);
	cr_assert(sg_json_is_null(j));
	sg_json_free(j);

	j = ok(" \t\r\ntrue \n");
	cr_assert(sg_json_bool(j, &b));
	cr_assert(b);
	sg_json_free(j);

	j = ok("false");
	b = true;
	cr_assert(sg_json_bool(j, &b));
	cr_assert_not(b);
	cr_assert_not(sg_json_is_null(j));
	sg_json_free(j);

	j = ok("\"hi\"");
	cr_assert_eq(sg_json_type_of(j), SG_JSON_STRING);
	expect_str(j, "hi", 2);
	sg_json_free(j);
}

Test(json, numbers_keep_source_text)
{
	static const char *const valid[] = {
		"0", "-0", "7", "-7", "10", "1.5", "-0.25", "1.50", "1e3", "1E+3", "1e-3",
		"0.0e0", "-1.5E-10", "123456789012345678901234567890",
	};
	for (size_t i = 0; i < sizeof valid / sizeof valid[0]; i++) {
		sg_json *j = ok(valid[i]);
		cr_assert_eq(sg_json_type_of(j), SG_JSON_NUMBER);
		cr_assert_str_eq(sg_json_num_text(j), valid[i]);
		cr_assert_null(sg_json_str(j, NULL));
		sg_json_free(j);
	}
}

Test(json, string_escapes)
{
	sg_json *j = ok("\"a\\\"b\\\\c\\/d\\be\\ff\\ng\\rh\\ti\"");
	expect_str(j, "a\"b\\c/d\be\ff\ng\rh\ti", 17);
	sg_json_free(j);

	j = ok("\"\\u0041\\u00e9\\u20AC\\ud83d\\ude00\"");
	expect_str(j, "A\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 10);
	sg_json_free(j);

	j = ok("\"x\\u0000y\"");
	expect_str(j, "x\0y", 3);
	sg_json_free(j);

	/* Raw UTF-8 of every length, the edges of the ranges, and DEL. */
	j = ok("\"\xc2\x80\xdf\xbf\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80\xf0\x90\x80\x80"
	       "\xf4\x8f\xbf\xbf\x7f\"");
	expect_str(j, "\xc2\x80\xdf\xbf\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80\xf0\x90\x80\x80"
		      "\xf4\x8f\xbf\xbf\x7f", 22);
	sg_json_free(j);

	j = ok("\"\"");
	expect_str(j, "", 0);
	sg_json_free(j);
}

Test(json, arrays_and_objects)
{
	sg_json *j = ok("{ \"name\" : \"eek\", \"dims\": [1, [2, 3], {}, []],"
			" \"ok\": true, \"none\": null, \"\": 0 }");
	const sg_json *dims;
	uint64_t v = 0;

	cr_assert_eq(sg_json_type_of(j), SG_JSON_OBJECT);
	cr_assert_eq(sg_json_len(j), 5);
	cr_assert_str_eq(sg_json_key_at(j, 0), "name");
	cr_assert_str_eq(sg_json_key_at(j, 1), "dims");
	cr_assert_str_eq(sg_json_key_at(j, 4), "");
	cr_assert_null(sg_json_key_at(j, 5));
	expect_str(sg_json_get(j, "name"), "eek", 3);
	expect_str(sg_json_at(j, 0), "eek", 3);
	cr_assert(sg_json_is_null(sg_json_get(j, "none")));
	cr_assert_null(sg_json_get(j, "missing"));
	cr_assert(sg_json_u64(sg_json_get(j, ""), &v));
	cr_assert_eq(v, 0);

	dims = sg_json_get(j, "dims");
	cr_assert_eq(sg_json_type_of(dims), SG_JSON_ARRAY);
	cr_assert_eq(sg_json_len(dims), 4);
	cr_assert(sg_json_u64(sg_json_at(dims, 0), &v));
	cr_assert_eq(v, 1);
	cr_assert(sg_json_u64(sg_json_at(sg_json_at(dims, 1), 1), &v));
	cr_assert_eq(v, 3);
	cr_assert_eq(sg_json_type_of(sg_json_at(dims, 2)), SG_JSON_OBJECT);
	cr_assert_eq(sg_json_len(sg_json_at(dims, 2)), 0);
	cr_assert_eq(sg_json_type_of(sg_json_at(dims, 3)), SG_JSON_ARRAY);
	cr_assert_eq(sg_json_len(sg_json_at(dims, 3)), 0);
	cr_assert_null(sg_json_at(dims, 4));
	cr_assert_null(sg_json_key_at(dims, 0)); /* arrays have no keys */
	cr_assert_null(sg_json_get(dims, "0"));
	sg_json_free(j);
}

Test(json, accessors_on_wrong_types_and_null)
{
	sg_json *j = ok("\"12\"");
	uint64_t v = 7;
	bool b = true;
	size_t len = 7;

	cr_assert_not(sg_json_u64(j, &v));
	cr_assert_eq(v, 0);
	cr_assert_not(sg_json_bool(j, &b));
	cr_assert_not(b);
	cr_assert_null(sg_json_num_text(j));
	cr_assert_eq(sg_json_len(j), 0);
	cr_assert_null(sg_json_at(j, 0));
	sg_json_free(j);

	cr_assert_eq(sg_json_type_of(NULL), SG_JSON_NULL);
	cr_assert_not(sg_json_is_null(NULL));
	cr_assert_null(sg_json_get(NULL, "a"));
	cr_assert_null(sg_json_str(NULL, &len));
	cr_assert_eq(len, 0);
	cr_assert_not(sg_json_u64(NULL, &v));
	sg_json_free(NULL);
}

Test(json, keys_compare_by_decoded_bytes)
{
	/* Keys that differ only after an escaped NUL are distinct members. */
	sg_json *j = ok("{\"a\\u0000b\": 1, \"a\\u0000c\": 2, \"a\": 3}");

	cr_assert_eq(sg_json_len(j), 3);
	cr_assert_eq(sg_json_get(j, "a"), sg_json_at(j, 2));
	sg_json_free(j);
}

static char *nested(size_t depth, char open, const char *inner, char close)
{
	size_t n = strlen(inner);
	char *s = malloc(depth * 2 + n + 1);

	cr_assert_not_null(s);
	memset(s, open, depth);
	memcpy(s + depth, inner, n);
	memset(s + depth + n, close, depth);
	s[2 * depth + n] = '\0';
	return s;
}

Test(json, depth_limit)
{
	char *s = nested(SG_JSON_MAX_DEPTH, '[', "1", ']');
	sg_json *j = ok(s);
	const sg_json *p = j;

	for (int i = 0; i < SG_JSON_MAX_DEPTH; i++)
		p = sg_json_at(p, 0);
	cr_assert_str_eq(sg_json_num_text(p), "1");
	sg_json_free(j);
	free(s);

	s = nested(SG_JSON_MAX_DEPTH + 1, '[', "", ']');
	bad_n(s, strlen(s), "line 1 column 65:", "nesting deeper than 64");
	free(s);

	/* Objects count too: 64 levels of {"k": ...} then one more. */
	size_t len = 0;
	char *o = malloc(8 * 65 + 8);
	cr_assert_not_null(o);
	for (int i = 0; i < 65; i++)
		len += (size_t)sprintf(o + len, "{\"k\":");
	len += (size_t)sprintf(o + len, "1");
	for (int i = 0; i < 65; i++)
		o[len++] = '}';
	o[len] = '\0';
	bad(o, "nesting deeper than 64");
	/* Drop the outermost level: exactly 64 deep is fine. */
	o[len - 1] = '\0';
	j = ok(o + 5);
	sg_json_free(j);
	free(o);

	/* Very deep input fails fast instead of recursing. */
	s = nested(1000000, '[', "", ']');
	bad(s, "nesting deeper than 64");
	free(s);
}

Test(json, wide_containers)
{
	/* 20000 members: duplicate detection must not be quadratic, and a
	 * duplicate at the very end is still found. */
	size_t n = 20000, len = 0;
	char *s = malloc(n * 16 + 32);

	cr_assert_not_null(s);
	s[len++] = '{';
	for (size_t i = 0; i < n; i++)
		len += (size_t)sprintf(s + len, "%s\"k%zu\":%zu", i ? "," : "", i, i);
	strcpy(s + len, "}");
	sg_json *j = ok(s);
	uint64_t v = 0;
	cr_assert_eq(sg_json_len(j), n);
	cr_assert(sg_json_u64(sg_json_get(j, "k19999"), &v));
	cr_assert_eq(v, 19999);
	sg_json_free(j);

	strcpy(s + len, ",\"k123\":0}");
	bad(s, "duplicate key \"k123\"");
	free(s);
}

/* --- rejections ---------------------------------------------------------- */

Test(json, rejects_bad_structure)
{
	bad("", "empty document");
	bad(" \n\t ", "empty document");
	bad("[1,]", "trailing comma");
	bad("{\"a\":1,}", "trailing comma");
	bad("[,1]", "unexpected character ','");
	bad("[1,,2]", "unexpected character ','");
	bad("[1 2]", "expected ',' or ']'");
	bad("{\"a\" 1}", "expected ':'");
	bad("{\"a\":1 \"b\":2}", "expected ',' or '}'");
	bad("{1:2}", "expected a string key");
	bad("{'a':1}", "expected a string key");
	bad("[", "unexpected end of input");
	bad("[1,2", "unexpected end of input");
	bad("{", "unexpected end of input");
	bad("{\"a\"", "unexpected end of input");
	bad("{\"a\":", "unexpected end of input");
	bad("{\"a\":1", "unexpected end of input");
	bad("]", "unexpected character ']'");
	bad("{} x", "expected end of input");
	bad("1 2", "expected end of input");
	bad("[] []", "expected end of input");
	bad("nullx", "expected end of input");
	bad("truefalse", "expected end of input");
	bad("nul", "invalid literal");
	bad("True", "unexpected character 'T'");
	bad("NaN", "unexpected character 'N'");
	bad("\xef\xbb\xbf{}", "byte order mark");
	bad_n("[1,\0]", 5, "line 1 column 4:", "unexpected byte 0x00");
	bad_n("{}\0", 3, "line 1 column 3:", "expected end of input");
}

Test(json, rejects_bad_numbers)
{
	bad("01", "leading zero");
	bad("-01", "leading zero");
	bad("00", "leading zero");
	bad("1.", "digit after the decimal point");
	bad("1.e5", "digit after the decimal point");
	bad(".5", "unexpected character '.'");
	bad("-", "expected a digit");
	bad("--1", "expected a digit");
	bad("-a", "expected a digit");
	bad("+1", "unexpected character '+'");
	bad("1e", "digit in the exponent");
	bad("1e+", "digit in the exponent");
	bad("1E-x", "digit in the exponent");
	bad("0x10", "expected end of input");
	bad("1.5.2", "expected end of input");
	bad("[-]", "expected a digit");
	bad("-Infinity", "expected a digit");
}

Test(json, rejects_bad_strings)
{
	bad("\"abc", "unterminated string");
	bad("\"abc\\\"", "unterminated string");
	bad("[\"a\", \"b", "unterminated string");
	bad("\"\\x\"", "invalid escape '\\x'");
	bad("\"\\'\"", "invalid escape '\\''");
	bad("\"\\U0041\"", "invalid escape '\\U'");
	bad("\"\\u12\"", "four hex digits");
	bad("\"\\u12g4\"", "four hex digits");
	bad("\"\\u\"", "four hex digits");
	bad("\"\\ud800\"", "lone high surrogate");
	bad("\"\\uD800x\"", "lone high surrogate");
	bad("\"\\ud800\\u0041\"", "lone high surrogate");
	bad("\"\\ud800\\ud800\"", "lone high surrogate");
	bad("\"\\udc00\"", "lone low surrogate");
	bad("\"\\ude00\\ud83d\"", "lone low surrogate");
	bad("\"a\x01\"", "control character 0x01");
	bad("\"a\nb\"", "control character 0x0a");
	bad("\"a\tb\"", "control character 0x09");
	bad("\"\x1f\"", "control character 0x1f");
}

Test(json, rejects_invalid_utf8)
{
	static const char *const bytes[] = {
		"\x80",             /* stray continuation byte */
		"\xbf",
		"\xc0\x80",         /* overlong NUL */
		"\xc1\xbf",         /* overlong */
		"\xe0\x80\x80",     /* overlong 3-byte */
		"\xe0\x9f\xbf",
		"\xed\xa0\x80",     /* UTF-16 surrogate encoded in UTF-8 */
		"\xed\xbf\xbf",
		"\xf0\x80\x80\x80", /* overlong 4-byte */
		"\xf0\x8f\xbf\xbf",
		"\xf4\x90\x80\x80", /* above U+10FFFF */
		"\xf5\x80\x80\x80",
		"\xff",
		"\xfe",
		"\xe2\x82",         /* truncated */
		"\xc3",
		"\xf0\x9f\x98",
		"\xc3\x28",         /* bad continuation */
		"\xe2\x28\xa1",
		"\xf0\x9f\x28\x80",
	};
	for (size_t i = 0; i < sizeof bytes / sizeof bytes[0]; i++) {
		char doc[16];
		snprintf(doc, sizeof doc, "\"a%s\"", bytes[i]);
		bad_n(doc, strlen(doc), "line 1 column 3:", "invalid UTF-8");
	}
}

Test(json, rejects_duplicate_keys)
{
	bad_n("{\"a\":1,\"b\":2,\"a\":3}", 19, "line 1 column 14:", "duplicate key \"a\"");
	/* Equal after decoding escapes. */
	bad("{\"a\":1,\"\\u0061\":2}", "duplicate key \"a\"");
	/* Inside a nested object, and the key is shown escaped. */
	bad("[{\"x\":{\"q\\\"\\n\":1,\"q\\\"\\n\":2}}]", "duplicate key \"q\\\"\\u000a\"");
	/* Same key in sibling objects is fine. */
	sg_json_free(ok("[{\"a\":1},{\"a\":2}]"));
}

Test(json, error_positions)
{
	bad_n("{\n  \"a\": tru\n}", 14, "line 2 column 8:", "invalid literal, expected 'true'");
	bad_n("[\n1,\n\n  01]", 11, "line 4 column 4:", "leading zero");
	/* Columns count characters, not bytes: 'é' is one column. */
	bad_n("[\"\xc3\xa9\", x]", 9, "line 1 column 7:", "unexpected character 'x'");
	/* The position of a bad escape is its backslash. */
	bad_n("\"ab\\q\"", 6, "line 1 column 4:", "invalid escape");
	bad_n("\"abc", 4, "line 1 column 1:", "unterminated string");
}

Test(json, error_buffer_handling)
{
	sg_json *j = NULL;
	char err[12];

	memset(err, 'x', sizeof err);
	cr_assert_eq(sg_json_parse(&j, "[1,]", 4, err, sizeof err), SG_ERR_PARSE);
	cr_assert_eq(strlen(err), sizeof err - 1, "message not cut to the buffer: %s", err);
	cr_assert_eq(sg_json_parse(&j, "[1,]", 4, NULL, 0), SG_ERR_PARSE);
	cr_assert_eq(sg_json_parse(&j, NULL, 0, NULL, 0), SG_ERR_PARSE);
	cr_assert_null(j);
}

Test(json, document_size_limit)
{
	char *s = malloc(SG_JSON_MAX_BYTES + 1);
	sg_json *j = NULL;
	char err[128];

	cr_assert_not_null(s);
	memset(s, ' ', SG_JSON_MAX_BYTES + 1);
	s[0] = '0';
	cr_assert_eq(sg_json_parse(&j, s, SG_JSON_MAX_BYTES + 1, err, sizeof err), SG_ERR_PARSE);
	cr_assert_not_null(strstr(err, "larger than 64 MiB"), "%s", err);
	cr_assert_eq(sg_json_parse(&j, s, SG_JSON_MAX_BYTES, err, sizeof err), 0, "%s", err);
	sg_json_free(j);
	free(s);
}

/* --- u64 ----------------------------------------------------------------- */

static void u64_case(const char *text, bool want_ok, uint64_t want)
{
	sg_json *j = ok(text);
	uint64_t v = 12345;

	cr_assert_eq(sg_json_u64(j, &v), want_ok, "sg_json_u64(%s)", text);
	cr_assert_eq(v, want_ok ? want : 0, "sg_json_u64(%s) gave %llu", text,
		     (unsigned long long)v);
	sg_json_free(j);
}

Test(json, u64_boundaries)
{
	u64_case("0", true, 0);
	u64_case("1", true, 1);
	u64_case("4294967296", true, 4294967296u);
	u64_case("18446744073709551615", true, UINT64_MAX);
	u64_case("18446744073709551610", true, UINT64_MAX - 5);
	u64_case("18446744073709551616", false, 0);
	u64_case("18446744073709551620", false, 0);
	u64_case("99999999999999999999", false, 0);
	u64_case("184467440737095516150", false, 0);
	u64_case("1e3", false, 0);
	u64_case("1E3", false, 0);
	u64_case("1.0", false, 0);
	u64_case("-0", false, 0);
	u64_case("-1", false, 0);
	u64_case("0.0", false, 0);
}

/* --- files --------------------------------------------------------------- */

static char *write_temp(const char *dir, const char *name, const char *content)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *path = malloc(n);
	FILE *f;

	cr_assert_not_null(path);
	snprintf(path, n, "%s/%s", dir, name);
	f = fopen(path, "wb");
	cr_assert_not_null(f, "cannot create %s", path);
	fputs(content, f);
	cr_assert_eq(fclose(f), 0);
	return path;
}

Test(json, load_file)
{
	char dir[] = "/tmp/sg_test_json_XXXXXX", err[512];
	sg_json *j = NULL;
	uint64_t v = 0;

	cr_assert_not_null(mkdtemp(dir));
	char *good = write_temp(dir, "good.json", "{\"n\": 42}\n");
	char *broken = write_temp(dir, "broken.json", "{\n\"n\": 42,\n}\n");

	cr_assert_eq(sg_json_load_file(&j, good, err, sizeof err), 0, "%s", err);
	cr_assert(sg_json_u64(sg_json_get(j, "n"), &v));
	cr_assert_eq(v, 42);
	sg_json_free(j);

	cr_assert_eq(sg_json_load_file(&j, broken, err, sizeof err), SG_ERR_PARSE);
	cr_assert_null(j);
	cr_assert_eq(strncmp(err, broken, strlen(broken)), 0, "%s", err);
	cr_assert_not_null(strstr(err, ": line 3 column 1: trailing comma"), "%s", err);

	cr_assert_eq(sg_json_load_file(&j, dir, err, sizeof err), SG_ERR_IO, "%s", err);
	cr_assert_not_null(strstr(err, "Is a directory"), "%s", err);

	unlink(good);
	unlink(broken);
	cr_assert_eq(sg_json_load_file(&j, good, err, sizeof err), SG_ERR_IO);
	cr_assert_null(j);
	cr_assert_not_null(strstr(err, good), "%s", err);
	cr_assert_not_null(strstr(err, "No such file"), "%s", err);
	rmdir(dir);
	free(good);
	free(broken);
}

Test(json, loads_a_vdaf_vector)
{
	sg_json *j = sg_test_load_json("vdaf-20/Prio3Count_0.json");
	uint64_t shares = 0;

	cr_assert_eq(sg_json_type_of(j), SG_JSON_OBJECT);
	cr_assert(sg_json_u64(sg_json_get(j, "shares"), &shares));
	cr_assert_eq(shares, 2);
	cr_assert_eq(sg_json_type_of(sg_json_get(j, "operations")), SG_JSON_ARRAY);
	sg_json_free(j);
}
