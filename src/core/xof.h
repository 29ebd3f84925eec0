/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SG_CORE_XOF_H
#define SG_CORE_XOF_H

/*
 * TurboSHAKE128 (RFC 9861: Keccak-p[1600, n_r = 12], rate 168 bytes) and the
 * XofTurboShake128 of draft-irtf-cfrg-vdaf-20 §6.2.1 built on it.
 *
 * XofTurboShake128(seed, dst, binder) is TurboSHAKE128 with domain byte 0x01
 * over  le16(len(dst)) || dst || le8(len(seed)) || seed || binder.
 * The binder is absorbed in pieces with sg_xof_absorb so that callers never
 * concatenate large buffers.
 */
#include <stddef.h>
#include <stdint.h>

#define SG_TURBOSHAKE128_RATE 168
#define SG_XOF_SEED_BYTES 32

typedef struct sg_turboshake {
	uint64_t a[25];   /* Keccak state, lanes little-endian */
	size_t pos;       /* byte offset within the rate (absorb or squeeze) */
	int squeezing;    /* 0 while absorbing, 1 after finalize */
} sg_turboshake;

void sg_keccak_p1600_12(uint64_t a[static 25]);
/*
 * Keccak-p[1600, 12] on two independent states, as two calls of the above
 * but faster per state where SIMD allows (SSE2 on x86-64). s0 and s1 must
 * not overlap.
 */
void sg_keccak_p1600_12_x2(uint64_t s0[static 25], uint64_t s1[static 25]);

void sg_turboshake128_init(sg_turboshake *s);
void sg_turboshake128_absorb(sg_turboshake *s, const uint8_t *in, size_t len);
/* Pads with the domain byte (0x01..0x7f) and switches to squeezing. */
void sg_turboshake128_finalize(sg_turboshake *s, uint8_t domain);
void sg_turboshake128_squeeze(sg_turboshake *s, uint8_t *out, size_t len);

/* squeeze(a, out, len) then absorb(b, out, len), permuting both sponges
 * together where it can (a squeezing, b absorbing, distinct states). */
void sg_turboshake128_squeeze_absorb(sg_turboshake *a, sg_turboshake *b, uint8_t *out,
				     size_t len);

typedef struct sg_xof {
	sg_turboshake ts;
} sg_xof;

/* Absorbs the header; the binder follows with sg_xof_absorb, then sg_xof_next. */
void sg_xof_start(sg_xof *x, const uint8_t *seed, size_t seed_len,
		  const uint8_t *dst, size_t dst_len);
void sg_xof_absorb(sg_xof *x, const uint8_t *in, size_t len);
/* The first call finalizes the absorb phase. */
void sg_xof_next(sg_xof *x, uint8_t *out, size_t len);

/* sg_xof_next(a, out, len) and sg_xof_absorb(b, out, len) in one pass. */
void sg_xof_next_absorb(sg_xof *a, sg_xof *b, uint8_t *out, size_t len);

/* derive_seed: XofTurboShake128(seed, dst, binder).next(32). */
void sg_xof_derive_seed(uint8_t out[static SG_XOF_SEED_BYTES],
			const uint8_t seed[static SG_XOF_SEED_BYTES],
			const uint8_t *dst, size_t dst_len,
			const uint8_t *binder, size_t binder_len);

/* Wipes the state. */
void sg_xof_wipe(sg_xof *x);

#endif
