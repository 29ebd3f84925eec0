/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target for the fixed-point parser: any text, any precision;
 * an accepted value formats back to a text that parses to the same value. */
#include <stdint.h>
#include <string.h>

#include "core/fixed.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	unsigned decimals = data[0] % (SG_FIXED_MAX_DECIMALS + 1);
	uint64_t v, back;
	enum sg_fixed_status st =
		sg_fixed_parse(&v, (const char *)data + 1, size - 1, decimals, UINT64_MAX);
	if (st != SG_FIXED_OK) {
		if (v != 0)
			__builtin_trap();
		return 0;
	}
	char buf[32];
	size_t n = sg_fixed_format(buf, sizeof buf, v, decimals);
	if (n == 0 || sg_fixed_parse(&back, buf, n, decimals, UINT64_MAX) != SG_FIXED_OK ||
	    back != v)
		__builtin_trap();
	return 0;
}
