/* SPDX-License-Identifier: Apache-2.0 */
#include <string.h>

#include <criterion/criterion.h>

#include "edge/eek_csv.h"
#include "spillguard/err.h"

static const sg_category cats[] = {
	{ "process", 0, 65535 },
	{ "tooling", 2, 100000 },   /* up to 1000.00 */
	{ "quality, safety", 1, 50 }, /* a name that needs quoting; up to 5.0 */
};
#define NCAT 3

typedef struct result {
	int ret;
	uint64_t eek[NCAT];
	size_t line;
	char err[256];
} result;

static result run(const char *text)
{
	result r;
	memset(&r, 0, sizeof r);
	r.eek[0] = 77; /* must be overwritten */
	r.ret = sg_eek_parse(r.eek, cats, NCAT, text, strlen(text), &r.line, r.err, sizeof r.err);
	return r;
}

Test(eek_csv, eek_rows)
{
	result r = run("category,value\nprocess,120\ntooling,12.5\n\"quality, safety\",2.5\n");
	cr_assert_eq(r.ret, 0, "%s", r.err);
	cr_assert_eq(r.eek[0], 120);
	cr_assert_eq(r.eek[1], 1250);
	cr_assert_eq(r.eek[2], 25);
}

Test(eek_csv, sek_rows_are_summed_and_missing_categories_are_zero)
{
	result r = run("position,category,value\r\n"
		       "welder,process,10\r\n"
		       "welder,tooling,0.5\r\n"
		       "\r\n"
		       "inspector,process,32\r\n"
		       "\"lead \"\"A\"\"\",tooling,1.25\r\n");
	cr_assert_eq(r.ret, 0, "%s", r.err);
	cr_assert_eq(r.eek[0], 42);
	cr_assert_eq(r.eek[1], 175);
	cr_assert_eq(r.eek[2], 0);
}

static void expect_error(const char *text, size_t line, const char *needle)
{
	result r = run(text);
	cr_assert_eq(r.ret, SG_ERR_PARSE, "accepted: %s", text);
	cr_assert_eq(r.line, line, "line %zu for '%s' (%s)", r.line, text, r.err);
	cr_assert(strstr(r.err, needle) != NULL, "'%s' does not mention '%s'", r.err, needle);
	for (int i = 0; i < NCAT; i++)
		cr_assert_eq(r.eek[i], 0, "nothing is returned on error");
}

Test(eek_csv, each_bad_row_names_its_line_and_reason)
{
	expect_error("category,value\nprocess,-3\n", 2, "negative");
	expect_error("category,value\nprocess,12x\n", 2, "not a decimal number");
	expect_error("category,value\nprocess,65536\n", 2, "maximum");
	expect_error("category,value\ntooling,1.234\n", 2, "decimal places");
	expect_error("category,value\nprocess,1\nprocess,2\n", 3, "duplicate row for category 'process' (first at line 2)");
	expect_error("category,value\nprocess,1\ntoolng,2\n", 3, "unknown category 'toolng'");
	expect_error("position,category,value\na,process,1\nb,process,2\na,process,3\n", 4,
		     "duplicate row for position 'a' and category 'process' (first at line 2)");
	expect_error("position,category,value\na,process,60000\nb,process,6000\n", 3,
		     "sum of category 'process' exceeds its maximum");
	expect_error("category,value\nprocess\n", 2, "expected 2 fields");
	expect_error("category,value\nprocess,1,2\n", 2, "expected 2 fields");
	expect_error("category,value\na,b,c,d\n", 2, "more than 3 fields");
	expect_error("category,value\n\"process,1\n", 2, "double quote");
	expect_error("category,value\npro\"cess,1\n", 2, "double quote");
	expect_error("categories,values\nprocess,1\n", 1, "header must be");
	expect_error("", 0, "empty file");
	expect_error("\n\n", 0, "empty file");
	expect_error("category,value\nprocess,\n", 2, "empty value");
}

Test(eek_csv, header_only_is_all_zero)
{
	result r = run("category,value\n");
	cr_assert_eq(r.ret, 0);
	cr_assert_eq(r.eek[0], 0);
}
