/* SPDX-License-Identifier: Apache-2.0 */
/* Read access to a parsed document; every accessor takes NULL (a failed
 * lookup) and answers as for a value of the wrong type. */
#include <string.h>

#include "util/json.h"
#include "util/json_node.h"

sg_json_type sg_json_type_of(const sg_json *j)
{
	return j != NULL ? (sg_json_type)j->type : SG_JSON_NULL;
}

const sg_json *sg_json_get(const sg_json *j, const char *key)
{
	if (j == NULL || j->type != SG_JSON_OBJECT || key == NULL)
		return NULL;
	size_t n = strlen(key);
	for (size_t i = 0; i < j->len; i++)
		if (j->u.keys[i].len == n && memcmp(j->u.keys[i].s, key, n) == 0)
			return &j->kids[i];
	return NULL;
}

size_t sg_json_len(const sg_json *j)
{
	if (j == NULL || (j->type != SG_JSON_ARRAY && j->type != SG_JSON_OBJECT))
		return 0;
	return j->len;
}

const sg_json *sg_json_at(const sg_json *j, size_t i)
{
	return i < sg_json_len(j) ? &j->kids[i] : NULL;
}

const char *sg_json_key_at(const sg_json *j, size_t i)
{
	if (j == NULL || j->type != SG_JSON_OBJECT || i >= j->len)
		return NULL;
	return j->u.keys[i].s;
}

const char *sg_json_str(const sg_json *j, size_t *len)
{
	bool ok = j != NULL && j->type == SG_JSON_STRING;

	if (len != NULL)
		*len = ok ? j->len : 0;
	return ok ? j->u.s : NULL;
}

const char *sg_json_num_text(const sg_json *j)
{
	return j != NULL && j->type == SG_JSON_NUMBER ? j->u.s : NULL;
}

bool sg_json_u64(const sg_json *j, uint64_t *out)
{
	uint64_t v = 0;

	if (out != NULL)
		*out = 0;
	if (j == NULL || j->type != SG_JSON_NUMBER)
		return false;
	for (size_t i = 0; i < j->len; i++) {
		unsigned char c = (unsigned char)j->u.s[i];
		if (c < '0' || c > '9')
			return false; /* '-', '.', 'e': not a plain non-negative integer */
		unsigned d = (unsigned)(c - '0');
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	if (out != NULL)
		*out = v;
	return true;
}

bool sg_json_bool(const sg_json *j, bool *out)
{
	bool ok = j != NULL && j->type == SG_JSON_BOOL;

	if (out != NULL)
		*out = ok && j->b;
	return ok;
}

bool sg_json_is_null(const sg_json *j)
{
	return j != NULL && j->type == SG_JSON_NULL;
}
