/* SPDX-License-Identifier: Apache-2.0 */
/* SHA-256: FIPS 180-4 examples, and both compression functions against
 * libsodium's SHA-256 for every length up to 300 bytes and for long
 * inputs fed in uneven pieces. */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <sodium.h>

#include "common.h"
#include "core/sha256.h"

static void expect_hex(const uint8_t *got, const char *hex)
{
	size_t len;
	uint8_t *want = sg_test_hex(hex, &len);
	cr_assert_eq(len, SG_SHA256_BYTES);
	cr_assert_arr_eq(got, want, len);
	free(want);
}

Test(sha256, fips_180_examples)
{
	uint8_t d[32];
	sg_sha256(d, (const uint8_t *)"abc", 3);
	expect_hex(d, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	sg_sha256(d, (const uint8_t *)"", 0);
	expect_hex(d, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	sg_sha256(d, (const uint8_t *)two, strlen(two));
	expect_hex(d, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	/* a million 'a', fed in pieces of 1000 */
	uint8_t a[1000];
	memset(a, 'a', sizeof a);
	sg_sha256_state st;
	sg_sha256_init(&st);
	for (int i = 0; i < 1000; i++)
		sg_sha256_update(&st, a, sizeof a);
	sg_sha256_final(&st, d);
	expect_hex(d, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* Hashes with the given compression function through a one-block-at-a-time
 * padding of our own, to test each function alone. */
static void digest_with(uint8_t out[32], void (*blocks)(uint32_t *, const uint8_t *, size_t),
			const uint8_t *in, size_t len)
{
	uint32_t h[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
			  0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
	size_t whole = len / 64, rest = len % 64;
	uint8_t tail[128] = { 0 };
	blocks(h, in, whole);
	memcpy(tail, in + whole * 64, rest);
	tail[rest] = 0x80;
	size_t tl = rest + 9 <= 64 ? 64 : 128;
	for (int i = 0; i < 8; i++)
		tail[tl - 1 - (size_t)i] = (uint8_t)((uint64_t)len * 8 >> (8 * i));
	blocks(h, tail, tl / 64);
	for (int i = 0; i < 8; i++)
		for (int b = 0; b < 4; b++)
			out[4 * i + b] = (uint8_t)(h[i] >> (24 - 8 * b));
}

Test(sha256, both_compressions_agree_with_libsodium)
{
	uint8_t in[3000], want[32], got[32];
	randombytes_buf(in, sizeof in);
	for (size_t len = 0; len <= 300; len++) {
		crypto_hash_sha256(want, in, len);
		sg_sha256(got, in, len);
		cr_assert_arr_eq(got, want, 32, "length %zu", len);
		digest_with(got, sg_sha256_blocks_portable, in, len);
		cr_assert_arr_eq(got, want, 32, "portable, length %zu", len);
		if (sg_sha256_have_ni()) {
			digest_with(got, sg_sha256_blocks_ni, in, len);
			cr_assert_arr_eq(got, want, 32, "SHA extensions, length %zu", len);
		}
	}
	/* a long input in uneven pieces */
	crypto_hash_sha256(want, in, sizeof in);
	sg_sha256_state st;
	sg_sha256_init(&st);
	for (size_t off = 0, step = 1; off < sizeof in; off += step, step = step * 3 % 191 + 1)
		sg_sha256_update(&st, in + off, step < sizeof in - off ? step : sizeof in - off);
	sg_sha256_final(&st, got);
	cr_assert_arr_eq(got, want, 32);
	cr_assert(sg_test_zeroed(&st, sizeof st), "the state is wiped");
}
