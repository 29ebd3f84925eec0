/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target for task files: any bytes, never a crash, and nothing
 * opens without a valid authority signature (the fuzzer cannot forge one). */
#include <stdint.h>

#include "core/task.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sg_task *t = NULL;
	char err[256];
	if (sg_task_open(&t, data, size, NULL, err, sizeof err) == 0)
		__builtin_trap();
	if (t != NULL)
		__builtin_trap();
	return 0;
}
