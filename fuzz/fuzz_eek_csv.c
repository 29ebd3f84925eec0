/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target for the EEK/SEK CSV reader: any bytes, never a crash;
 * accepted input yields values within each category's maximum, refused
 * input yields all zeros and a line number within the file. */
#include <stdint.h>
#include <string.h>

#include "edge/eek_csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const sg_category cats[] = {
	{ "a", 0, 65535 },
	{ "b", 2, 100000 },
	{ "c d", 18, UINT64_MAX },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t eek[3];
	size_t line, lines = 1;
	char err[200];
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	int ret = sg_eek_parse(eek, cats, 3, (const char *)data, size, &line, err, sizeof err);
	for (int c = 0; c < 3; c++) {
		if (ret == 0 && eek[c] > cats[c].max)
			__builtin_trap();
		if (ret != 0 && eek[c] != 0)
			__builtin_trap();
	}
	if (ret != 0 && (line > lines || err[0] == '\0' || memchr(err, '\0', sizeof err) == NULL))
		__builtin_trap();
	return 0;
}
