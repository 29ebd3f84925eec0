/* SPDX-License-Identifier: Apache-2.0 */
/*
 * XofTurboShake128 of draft-irtf-cfrg-vdaf-20 §6.2.1: TurboSHAKE128 with
 * domain byte 0x01 over
 *     le16(len(dst)) || dst || le8(len(seed)) || seed || binder,
 * and next() reading the output stream in order.
 */
#include "core/xof.h"
#include "util/misuse.h"

#include <stdlib.h>

#include <sodium.h>

#define XOF_DOMAIN 0x01
#define MAX_SEED_BYTES 255
#define MAX_DST_BYTES 65535

void sg_xof_start(sg_xof *x, const uint8_t *seed, size_t seed_len,
		  const uint8_t *dst, size_t dst_len)
{
	uint8_t dst_prefix[2], seed_prefix[1];

	/* The draft's pre-conditions: both lengths must fit their prefix. */
	if (seed_len > MAX_SEED_BYTES || dst_len > MAX_DST_BYTES)
		sg_misuse(__func__);
	dst_prefix[0] = (uint8_t)(dst_len & 0xff);
	dst_prefix[1] = (uint8_t)(dst_len >> 8);
	seed_prefix[0] = (uint8_t)seed_len;

	sg_turboshake128_init(&x->ts);
	sg_turboshake128_absorb(&x->ts, dst_prefix, sizeof dst_prefix);
	sg_turboshake128_absorb(&x->ts, dst, dst_len);
	sg_turboshake128_absorb(&x->ts, seed_prefix, sizeof seed_prefix);
	sg_turboshake128_absorb(&x->ts, seed, seed_len);
}

void sg_xof_absorb(sg_xof *x, const uint8_t *in, size_t len)
{
	sg_turboshake128_absorb(&x->ts, in, len);
}

void sg_xof_next(sg_xof *x, uint8_t *out, size_t len)
{
	if (!x->ts.squeezing)
		sg_turboshake128_finalize(&x->ts, XOF_DOMAIN);
	sg_turboshake128_squeeze(&x->ts, out, len);
}

void sg_xof_next_absorb(sg_xof *a, sg_xof *b, uint8_t *out, size_t len)
{
	if (!a->ts.squeezing)
		sg_turboshake128_finalize(&a->ts, XOF_DOMAIN);
	sg_turboshake128_squeeze_absorb(&a->ts, &b->ts, out, len);
}

void sg_xof_derive_seed(uint8_t out[static SG_XOF_SEED_BYTES],
			const uint8_t seed[static SG_XOF_SEED_BYTES],
			const uint8_t *dst, size_t dst_len,
			const uint8_t *binder, size_t binder_len)
{
	sg_xof x;

	sg_xof_start(&x, seed, SG_XOF_SEED_BYTES, dst, dst_len);
	sg_xof_absorb(&x, binder, binder_len);
	sg_xof_next(&x, out, SG_XOF_SEED_BYTES);
	sg_xof_wipe(&x);
}

void sg_xof_wipe(sg_xof *x)
{
	sodium_memzero(x, sizeof *x);
}
