/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the JSON reader: any input either parses into a tree
 * whose every node can be walked, or fails with a positioned message and no
 * tree. Sanitizers catch memory and UB errors; the checks below catch broken
 * invariants.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "spillguard/err.h"
#include "util/json.h"
#include "util/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int cond)
{
	if (!cond)
		abort();
}

/* Touches every node; strings must be valid UTF-8 apart from escaped NULs
 * (the reader accepts "\u0000"). */
static void walk(const sg_json *j, size_t depth)
{
	size_t len = 0;
	uint64_t v;
	bool b;
	const char *s;

	check(depth <= SG_JSON_MAX_DEPTH);
	switch (sg_json_type_of(j)) {
	case SG_JSON_NULL:
		check(sg_json_is_null(j));
		break;
	case SG_JSON_BOOL:
		check(sg_json_bool(j, &b));
		break;
	case SG_JSON_NUMBER:
		s = sg_json_num_text(j);
		check(s != NULL && s[0] != '\0');
		if (sg_json_u64(j, &v))
			check(s[0] >= '0' && s[0] <= '9');
		break;
	case SG_JSON_STRING:
		s = sg_json_str(j, &len);
		check(s != NULL && s[len] == '\0');
		check(sg_utf8_valid((const uint8_t *)s, len));
		break;
	case SG_JSON_ARRAY:
		for (size_t i = 0; i < sg_json_len(j); i++)
			walk(sg_json_at(j, i), depth + 1);
		check(sg_json_at(j, sg_json_len(j)) == NULL);
		break;
	case SG_JSON_OBJECT:
		for (size_t i = 0; i < sg_json_len(j); i++) {
			const char *k = sg_json_key_at(j, i);
			check(k != NULL);
			/* Lookup finds a member whose key reads as k (keys
			 * with an escaped NUL may find another or none). */
			const sg_json *hit = sg_json_get(j, k);
			if (hit != NULL && hit != sg_json_at(j, i)) {
				size_t m = 0;
				while (m < sg_json_len(j) && sg_json_at(j, m) != hit)
					m++;
				check(m < sg_json_len(j) && strcmp(sg_json_key_at(j, m), k) == 0);
			}
			walk(sg_json_at(j, i), depth + 1);
		}
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sg_json *j = NULL;
	char err[256];
	int ret = sg_json_parse(&j, (const char *)data, size, err, sizeof err);

	if (ret == 0) {
		check(j != NULL);
		walk(j, 0);
		sg_json_free(j);
	} else {
		check(j == NULL);
		check(ret == SG_ERR_PARSE || ret == SG_ERR_NOMEM);
		check(ret == SG_ERR_NOMEM || strncmp(err, "line ", 5) == 0);
	}
	return 0;
}
