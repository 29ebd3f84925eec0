/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target for the node daemon's stored report (STATE/<task>.report,
 * read back after a restart): any bytes, never a crash; an id is given only
 * for a report of the task by the key's enterprise, and is zero otherwise. */
#include "edge/node.h"
#include "task_fuzz.h"

FUZZ_TASK_TARGET

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t id[SG_REPORT_ID_BYTES];
	memset(id, 0xee, sizeof id);
	int ret = sg_node_report_id(id, f.task, f.ent_sk, data, size);
	for (size_t i = 0; ret != 0 && i < sizeof id; i++)
		if (id[i] != 0)
			__builtin_trap();
	return 0;
}
