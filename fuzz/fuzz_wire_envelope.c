/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target for the envelope decoder: any bytes, never a crash; an
 * accepted envelope re-encodes and decodes again to the same bytes. The
 * peek that routes without decoding stays inside the input, and agrees
 * with the decoder on the field of an envelope both accept. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wire/codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sg_wire_msg m, m2;
	uint32_t field;
	const uint8_t *payload;
	size_t plen;
	int peeked = sg_wire_envelope_peek(data, size, &field, &payload, &plen);
	if (peeked == 0 && (payload < data || plen > size || payload + plen != data + size))
		__builtin_trap();
	if (peeked != 0 && (payload != NULL || plen != 0 || field != 0))
		__builtin_trap();
	if (sg_wire_decode(&m, data, size) != 0) {
		if (m.env != NULL || m.budget != NULL)
			__builtin_trap();
		return 0;
	}
	if (peeked == 0 && field != (uint32_t)m.env->msg_case)
		__builtin_trap();
	uint8_t *enc, *enc2;
	size_t len, len2;
	if (sg_wire_encode(&enc, &len, m.env) != 0)
		__builtin_trap();
	if (sg_wire_decode(&m2, enc, len) != 0)
		__builtin_trap();
	if (sg_wire_encode(&enc2, &len2, m2.env) != 0 || len2 != len || memcmp(enc, enc2, len) != 0)
		__builtin_trap();
	free(enc);
	free(enc2);
	sg_wire_msg_free(&m);
	sg_wire_msg_free(&m2);
	return 0;
}
