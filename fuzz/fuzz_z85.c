/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target for the Z85 decoder: any text, never a crash; accepted
 * text re-encodes to itself (one encoding per byte string), and any bytes
 * (cut to a multiple of 4) survive encode then decode. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "spillguard/err.h"
#include "util/z85.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t cap = size / 5 * 4 + size / 4 * 4 + 4, n = 0;
	uint8_t *out = malloc(cap);
	char *text = malloc(size / 4 * 5 + size + 1);
	int ret;

	if (out == NULL || text == NULL)
		abort();
	ret = sg_z85_decode(out, cap, &n, (const char *)data, size);
	if (ret == 0) {
		sg_z85_encode(text, out, n);
		if (n != size / 5 * 4 || memcmp(text, data, size) != 0)
			__builtin_trap();
	} else if (ret != (size % 5 != 0 ? SG_ERR_LENGTH : SG_ERR_PARSE) || n != 0) {
		__builtin_trap();
	}
	sg_z85_encode(text, data, size / 4 * 4);
	if (sg_z85_decode(out, cap, &n, text, size / 4 * 5) != 0 || n != size / 4 * 4 ||
	    memcmp(out, data, n) != 0)
		__builtin_trap();
	free(out);
	free(text);
	return 0;
}
