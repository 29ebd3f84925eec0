/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target for the task authoring format: any bytes, never a
 * crash; an accepted document gives a body that validates again. */
#include <stdint.h>
#include <stdlib.h>

#include "core/task.h"
#include "edge/task_json.h"
#include "wire/codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t authority[32] = { 1, 2, 3 };
	uint8_t *body;
	size_t len;
	char err[256];
	if (sg_task_json_to_body(&body, &len, (const char *)data, size, authority, err, sizeof err) != 0)
		return 0;
	ProtobufCMessage *m;
	sg_wire_budget *b;
	if (sg_wire_unpack(&m, &b, &spillguard__task_body__descriptor, body, len) != 0 ||
	    sg_task_validate((Spillguard__TaskBody *)m, err, sizeof err) != 0)
		__builtin_trap();
	sg_wire_release(m, b);
	free(body);
	return 0;
}
