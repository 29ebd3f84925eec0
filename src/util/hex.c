/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Hex for public data (test vectors, ids, digests in logs). Table-free and
 * branchy, hence _vartime on the decoders; secrets go through libsodium's
 * constant-time sodium_bin2hex/sodium_hex2bin instead.
 */
#include "util/hex.h"

#include <stdlib.h>
#include <string.h>

#include "spillguard/err.h"
#include "util/misuse.h"

/* Value of one hex digit, or -1. */
static int nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

void sg_hex_encode(char *out, const uint8_t *in, size_t len)
{
	static const char digits[] = "0123456789abcdef";

	if (out == NULL || (in == NULL && len > 0))
		sg_misuse(__func__);
	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0x0f];
	}
	out[2 * len] = '\0';
}

/* SG_ERR_PARSE unless hex[0..hex_len) is an even number of hex digits. */
static int check(const char *hex, size_t hex_len)
{
	if (hex_len % 2 != 0)
		return SG_ERR_PARSE;
	for (size_t i = 0; i < hex_len; i++)
		if (nibble(hex[i]) < 0)
			return SG_ERR_PARSE;
	return 0;
}

int sg_hex_decode_vartime(uint8_t *out, size_t out_cap, size_t *out_len,
			  const char *hex, size_t hex_len)
{
	int ret;

	if (out_len == NULL || (out == NULL && out_cap > 0) || (hex == NULL && hex_len > 0))
		sg_misuse(__func__);
	*out_len = 0;
	if ((ret = check(hex, hex_len)) != 0)
		return ret;
	if (hex_len / 2 > out_cap)
		return SG_ERR_LENGTH;
	for (size_t i = 0; i < hex_len / 2; i++)
		out[i] = (uint8_t)(nibble(hex[2 * i]) << 4 | nibble(hex[2 * i + 1]));
	*out_len = hex_len / 2;
	return 0;
}

int sg_hex_decode_alloc_vartime(uint8_t **out, size_t *out_len, const char *hex, size_t hex_len)
{
	uint8_t *buf = NULL;
	size_t n = 0;
	int ret;

	if (out == NULL || out_len == NULL || (hex == NULL && hex_len > 0))
		sg_misuse(__func__);
	*out = NULL;
	*out_len = 0;
	if ((ret = check(hex, hex_len)) != 0)
		return ret;
	/* hex_len / 2 + 1 cannot overflow; the spare byte keeps malloc(0) away. */
	if ((buf = malloc(hex_len / 2 + 1)) == NULL)
		return SG_ERR_NOMEM;
	ret = sg_hex_decode_vartime(buf, hex_len / 2, &n, hex, hex_len);
	if (ret != 0) {
		free(buf);
		return ret;
	}
	*out = buf;
	*out_len = n;
	return 0;
}
