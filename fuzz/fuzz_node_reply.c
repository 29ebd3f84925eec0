/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target for the enterprise's reading of the leader's reply, and
 * of a kept receipt (as `audit --receipt` reads it): any bytes, never a
 * crash, and no receipt accepted without the leader's signature (which the
 * fuzzer cannot make). */
#include "protocol/upload.h"
#include "task_fuzz.h"

FUZZ_TASK_TARGET

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t id[16] = { 1 };
	uint8_t *receipt;
	size_t len;
	enum sg_reject rej;
	char msg[200];
	int ret = sg_node_read_reply(&receipt, &len, &rej, f.task, id, data, size, msg, sizeof msg);
	if (ret == 0 || receipt != NULL || (unsigned)rej >= SG_REJECT_COUNT)
		__builtin_trap();
	uint8_t got[16];
	uint32_t industry = 7;
	if (sg_receipt_open(got, &industry, f.task, data, size, msg, sizeof msg) == 0 ||
	    industry != 0)
		__builtin_trap();
	return 0;
}
