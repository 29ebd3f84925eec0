/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target for the round messages the leader and `spillguard
 * collect` read: any bytes as a CollectNow (never valid: the fuzzer cannot
 * sign as the task's authority) and as a RoundStatus (when it reads, every
 * industry named is one of the task's and the state is known; the encoded
 * status reads back the same). */
#include "protocol/round.h"
#include "task_fuzz.h"

FUZZ_TASK_TARGET

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t at = 7;
	if (sg_collect_now_read(&at, f.task, data, size) == 0 || at != 0)
		__builtin_trap();
	sg_round_status s, again;
	if (sg_round_status_read(&s, f.task, data, size) != 0) {
		if (s.published != NULL || s.withheld != NULL || s.n_published != 0)
			__builtin_trap();
		return 0;
	}
	if (s.state < SG_ROUND_OPEN || s.state > SG_ROUND_PUBLISHED)
		__builtin_trap();
	for (size_t i = 0; i < s.n_published; i++)
		if (sg_task_industry_index(f.task->body, s.published[i]) < 0)
			__builtin_trap();
	uint8_t *out;
	size_t len;
	if (sg_round_status_msg(&out, &len, f.task, &s) != 0 ||
	    sg_round_status_read(&again, f.task, out, len) != 0 || again.state != s.state ||
	    again.uploads != s.uploads || again.n_withheld != s.n_withheld ||
	    again.n_published != s.n_published)
		__builtin_trap();
	free(out);
	sg_round_status_free(&again);
	sg_round_status_free(&s);
	return 0;
}
