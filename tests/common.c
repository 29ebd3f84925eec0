/* SPDX-License-Identifier: Apache-2.0 */
#include "common.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "spillguard/err.h"
#include "util/hex.h"

const char *sg_test_vectors_dir(void)
{
	const char *dir = getenv("SG_VECTORS");

	return dir != NULL && dir[0] != '\0' ? dir : "../shared/vectors";
}

char *sg_test_path(const char *rel)
{
	const char *dir = sg_test_vectors_dir();
	size_t a = strlen(dir), b = strlen(rel);
	char *p = malloc(a + b + 2);

	cr_assert_not_null(p, "out of memory");
	memcpy(p, dir, a);
	p[a] = '/';
	memcpy(p + a + 1, rel, b + 1);
	return p;
}

sg_json *sg_test_load_json(const char *rel)
{
	char *path = sg_test_path(rel), err[512];
	sg_json *j = NULL;
	int ret = sg_json_load_file(&j, path, err, sizeof err);

	free(path);
	cr_assert_eq(ret, 0, "cannot load test vector (set SG_VECTORS to the vectors folder): %s",
		     err);
	return j;
}

uint8_t *sg_test_hex(const char *hex, size_t *len)
{
	uint8_t *out = NULL;
	size_t n = 0;
	int ret = sg_hex_decode_alloc_vartime(&out, &n, hex, strlen(hex));

	cr_assert_eq(ret, 0, "bad hex in test data (%s): \"%.40s\"", sg_strerror(ret), hex);
	if (len != NULL)
		*len = n;
	return out;
}
