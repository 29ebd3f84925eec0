/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target for both collect messages an aggregator reads from a
 * peer: the CollectRequest (helper side) and the CollectReply (leader
 * side). Any bytes, never a crash; a request read back re-encodes to a
 * request that reads the same; a reply yields a share only with OK and a
 * refusal only within the known codes. */
#include <stdlib.h>
#include <string.h>

#include "protocol/collect.h"
#include "spillguard/err.h"
#include "task_fuzz.h"

FUZZ_TASK_TARGET

static void check_request(const uint8_t *data, size_t size)
{
	sg_collect_req req, again;
	uint8_t *msg;
	size_t len;
	if (sg_collect_request_read(&req, f.task, data, size) != 0)
		return;
	if (sg_collect_request_msg(&msg, &len, f.task, req.collect_id, req.industry, req.count,
				   req.root) != 0)
		__builtin_trap();
	if (sg_collect_request_read(&again, f.task, msg, len) != 0 ||
	    memcmp(&again, &req, sizeof req) != 0)
		__builtin_trap();
	free(msg);
}

static void check_reply(const uint8_t *data, size_t size)
{
	static const uint8_t cid[SG_COLLECT_ID_BYTES] = { 0 };
	uint8_t *share;
	size_t len;
	enum sg_collect_refusal refusal;
	int ret = sg_collect_reply_read(&share, &len, &refusal, cid, data, size);
	if (ret == 0 && (share == NULL || refusal != SG_COLLECT_OK))
		__builtin_trap();
	if (ret != 0 && (share != NULL || len != 0))
		__builtin_trap();
	if (ret == SG_ERR_VERIFY && (refusal == SG_COLLECT_OK || refusal > SG_COLLECT_ALREADY))
		__builtin_trap();
	free(share);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_request(data, size);
	check_reply(data, size);
	return 0;
}
