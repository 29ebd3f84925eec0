/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target for the key file decoder: any bytes, never a crash; a
 * refusal has a documented code, a one-line reason and zeroed outputs; an
 * accepted file re-encodes to the same bytes (the final newline may have
 * been missing), so every key has exactly one file text. */
#include <stdint.h>
#include <string.h>

#include "core/keyblob.h"
#include "spillguard/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint8_t acc = 0;
	for (size_t i = 0; i < n; i++)
		acc |= b[i];
	return acc == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sg_keyblob b;
	uint8_t sk[SG_KEY_SECRET_MAX_BYTES];
	char why[160], text[SG_KEYBLOB_TEXT_MAX_BYTES];
	size_t len = 0;
	int ret;

	memset(sk, 0xa5, sizeof sk);
	ret = sg_keyblob_decode(&b, sk, (const char *)data, size, why, sizeof why);
	if (ret != 0) {
		if (ret != SG_ERR_PARSE && ret != SG_ERR_LENGTH && ret != SG_ERR_KEY)
			__builtin_trap();
		if (!all_zero(&b, sizeof b) || !all_zero(sk, sizeof sk))
			__builtin_trap();
		if (why[0] == '\0' || strchr(why, '\n') != NULL)
			__builtin_trap();
		return 0;
	}
	sg_keyblob_encode(text, &len, &b, sk);
	if (!(len == size && memcmp(text, data, size) == 0) &&
	    !(len == size + 1 && memcmp(text, data, size) == 0 && text[size] == '\n'))
		__builtin_trap();
	return 0;
}
