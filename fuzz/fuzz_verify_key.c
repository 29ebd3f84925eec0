/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target for the verification-key messages a helper and the
 * leader read: any bytes as a grant (never opens: the fuzzer cannot seal
 * to the helper's key; the key buffer is left zeroed) and as an ack (never
 * matches a key the fuzzer does not know). */
#include "protocol/verify_key.h"
#include "task_fuzz.h"

FUZZ_TASK_TARGET

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t hpke_sk[32] = { 1 }, secret[32] = { 0x5a, 0xa5 };
	uint8_t key[32];
	memset(key, 0xee, sizeof key);
	if (sg_verify_key_open(key, f.task, 1, hpke_sk, data, size) == 0)
		__builtin_trap();
	for (size_t i = 0; i < sizeof key; i++)
		if (key[i] != 0)
			__builtin_trap();
	if (sg_verify_key_ack_check(f.task, secret, data, size) == 0)
		__builtin_trap();
	return 0;
}
