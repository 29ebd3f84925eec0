/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for sg_hpke_open with a fixed recipient key and info.
 * Input: enc (32 bytes) || aad_len (1 byte) || aad (aad_len bytes, cut to
 * what is left) || ct (the rest).
 *
 * At start-up one genuine message is sealed to the key with a fixed
 * ephemeral key; fuzz/seeds/fuzz_hpke_open/genuine is its input, so the
 * fuzzer starts from bytes that open and mutates them. Invariants:
 *   - ct shorter than a tag is SG_ERR_LENGTH; otherwise the result is 0 or
 *     SG_ERR_DECRYPT, and a refusal leaves the plaintext all zeros;
 *   - the genuine input opens, to the genuine plaintext;
 *   - nothing else opens. Any other accepted input would be a forgery (or a
 *     bug that ignores some of enc, aad or ct), so it traps.
 * check() traps, which libFuzzer reports as a crash with the input;
 * require() is for the setup, before libFuzzer can report anything.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spillguard/err.h"
#include "spillguard/hpke.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ENC SG_HPKE_ENC_BYTES
#define TAG SG_HPKE_TAG_BYTES

static const uint8_t INFO[] = "spillguard fuzz hpke task 1 aggregator 0";
static const uint8_t AAD[] = "report 7";
static const uint8_t PT[] = "a genuine input share";

static uint8_t sk_r[SG_HPKE_SECRET_KEY_BYTES];
/* The genuine input: enc || aad_len || aad || ct. */
static uint8_t genuine[ENC + 1 + sizeof AAD + sizeof PT + TAG];

static void check(bool cond)
{
	if (!cond)
		__builtin_trap();
}

static void require(bool cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "fuzz setup failed: %s\n", what);
		abort();
	}
}

static bool all_zero(const uint8_t *b, size_t n)
{
	uint8_t acc = 0;

	for (size_t i = 0; i < n; i++)
		acc |= b[i];
	return acc == 0;
}

/* Fixed keys from fixed ikm, then the genuine message. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	uint8_t ikm[SG_HPKE_IKM_MIN_BYTES], pk_r[SG_HPKE_PUBLIC_KEY_BYTES],
		pk_e[SG_HPKE_PUBLIC_KEY_BYTES], sk_e[SG_HPKE_SECRET_KEY_BYTES];
	uint8_t *aad = genuine + ENC + 1, *ct = aad + sizeof AAD;
	sg_hpke_ctx *ctx = NULL;

	(void)argc;
	(void)argv;
	memset(ikm, 0x52, sizeof ikm);
	require(sg_hpke_derive_keypair(pk_r, sk_r, ikm, sizeof ikm) == 0, "recipient key");
	memset(ikm, 0x45, sizeof ikm);
	require(sg_hpke_derive_keypair(pk_e, sk_e, ikm, sizeof ikm) == 0, "ephemeral key");
	require(sg_hpke_setup_base_s(&ctx, genuine, pk_r, sk_e, INFO, sizeof INFO) == 0,
		"setup_base_s");
	genuine[ENC] = sizeof AAD;
	memcpy(aad, AAD, sizeof AAD);
	require(sg_hpke_ctx_seal(ctx, ct, AAD, sizeof AAD, PT, sizeof PT) == 0, "seal");
	sg_hpke_ctx_free(ctx);
	/* The accepting path runs at least once, whatever the corpus. */
	LLVMFuzzerTestOneInput(genuine, sizeof genuine);
	return 0;
}

/* A copy of exactly n bytes, so that ASan sees any read past the end. */
static uint8_t *copy(const uint8_t *b, size_t n)
{
	uint8_t *c = malloc(n ? n : 1);

	require(c != NULL, "out of memory");
	if (n > 0)
		memcpy(c, b, n);
	return c;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < ENC + 1)
		return 0;
	size_t aad_len = data[ENC] <= size - ENC - 1 ? data[ENC] : size - ENC - 1;
	size_t ct_len = size - ENC - 1 - aad_len, pt_len = ct_len > TAG ? ct_len - TAG : 0;
	uint8_t *enc = copy(data, ENC), *aad = copy(data + ENC + 1, aad_len);
	uint8_t *ct = copy(data + ENC + 1 + aad_len, ct_len), *pt = malloc(pt_len ? pt_len : 1);
	bool is_genuine = size == sizeof genuine && memcmp(data, genuine, size) == 0;

	require(pt != NULL, "out of memory");
	memset(pt, 0xa5, pt_len);
	int ret = sg_hpke_open(pt_len ? pt : NULL, enc, sk_r, INFO, sizeof INFO,
			       aad_len ? aad : NULL, aad_len, ct_len ? ct : NULL, ct_len);
	if (ct_len < TAG)
		check(ret == SG_ERR_LENGTH);
	else
		check(ret == 0 || ret == SG_ERR_DECRYPT);
	check(ret == 0 || all_zero(pt, pt_len));
	check((ret == 0) == is_genuine);
	check(!is_genuine || (pt_len == sizeof PT && memcmp(pt, PT, sizeof PT) == 0));
	free(pt);
	free(ct);
	free(aad);
	free(enc);
	return 0;
}
