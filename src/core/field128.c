/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Field128: p = 2^128 - 28*2^64 + 1, limbs p0 = 1, p1 = 2^64 - 28.
 *
 * Elements are kept in Montgomery form a*R mod p, R = 2^128, fully reduced
 * (< p), two 64-bit limbs little-endian in v[0], v[1]. Since p = 1 mod 2^64,
 * -p^-1 mod 2^64 = -1 and each REDC step's multiplier is just -t_i.
 * All corrections are masks; timing does not depend on element values.
 */
#include <string.h>

#include <sodium.h>

#include "core/field.h"
#include "spillguard/err.h"

#define P1 0xffffffffffffffe4ULL
#define ENC 16

__extension__ typedef unsigned __int128 u128;

static const sg_fe R2 = { { 0xfffffffffffffcf1ULL, 0x5587ULL } }; /* R^2 mod p */
static const sg_fe ONE_M = { { 0xffffffffffffffffULL, 0x1bULL } }; /* R mod p */

static inline uint64_t mask_of(uint64_t bit)
{
	return (uint64_t)0 - bit;
}

/*
 * Carry-chain primitives. On x86-64 the intrinsics compile to adc/sbb and
 * keep the limbs in registers; elsewhere the same arithmetic is spelled out.
 */
#if defined(__x86_64__)
#include <x86intrin.h>
static inline unsigned char addc(unsigned char c, uint64_t a, uint64_t b, uint64_t *r)
{
	unsigned long long t;
	c = _addcarry_u64(c, a, b, &t);
	*r = t;
	return c;
}
static inline unsigned char subb(unsigned char c, uint64_t a, uint64_t b, uint64_t *r)
{
	unsigned long long t;
	c = _subborrow_u64(c, a, b, &t);
	*r = t;
	return c;
}
#else
static inline unsigned char addc(unsigned char c, uint64_t a, uint64_t b, uint64_t *r)
{
	u128 t = (u128)a + b + c;
	*r = (uint64_t)t;
	return (unsigned char)(t >> 64);
}
static inline unsigned char subb(unsigned char c, uint64_t a, uint64_t b, uint64_t *r)
{
	u128 t = (u128)a - b - c;
	*r = (uint64_t)t;
	return (unsigned char)((t >> 64) & 1);
}
#endif

/* (hi:x1:x0) < 2p -> subtract p when >= p */
static inline void final_sub(sg_fe *r, uint64_t x0, uint64_t x1, uint64_t hi)
{
	uint64_t t0, t1, t2;
	unsigned char b = subb(0, x0, 1, &t0);
	b = subb(b, x1, P1, &t1);
	b = subb(b, hi, 0, &t2);
	/* keep x when the subtraction borrowed past the top limb */
	uint64_t keep = mask_of(b);
	r->v[0] = (x0 & keep) | (t0 & ~keep);
	r->v[1] = (x1 & keep) | (t1 & ~keep);
}

static inline void fadd(sg_fe *r, const sg_fe *a, const sg_fe *b)
{
	uint64_t s0, s1;
	unsigned char c = addc(0, a->v[0], b->v[0], &s0);
	c = addc(c, a->v[1], b->v[1], &s1);
	final_sub(r, s0, s1, c);
}

static inline void fsub(sg_fe *r, const sg_fe *a, const sg_fe *b)
{
	uint64_t d0, d1;
	unsigned char bw = subb(0, a->v[0], b->v[0], &d0);
	bw = subb(bw, a->v[1], b->v[1], &d1);
	/* add p back when a < b */
	uint64_t m = mask_of(bw);
	unsigned char c = addc(0, d0, 1 & m, &r->v[0]);
	addc(c, d1, P1 & m, &r->v[1]);
}

/*
 * Montgomery product a*b/R mod p. Inputs < p, output < p.
 * REDC step i adds m*p with m = -t_i (p = 1 mod 2^64), which clears limb i
 * with a carry of 1 unless t_i was already 0; m*p = m + (m*P1) << 64.
 */
static inline void fmul(sg_fe *r, const sg_fe *a, const sg_fe *b)
{
	u128 p00 = (u128)a->v[0] * b->v[0];
	u128 p01 = (u128)a->v[0] * b->v[1];
	u128 p10 = (u128)a->v[1] * b->v[0];
	u128 p11 = (u128)a->v[1] * b->v[1];
	uint64_t t0 = (uint64_t)p00, t1, t2, t3, t4, m;
	unsigned char c = addc(0, (uint64_t)(p00 >> 64), (uint64_t)p01, &t1);
	c = addc(c, (uint64_t)(p01 >> 64), (uint64_t)p11, &t2);
	addc(c, (uint64_t)(p11 >> 64), 0, &t3);
	c = addc(0, t1, (uint64_t)p10, &t1);
	c = addc(c, t2, (uint64_t)(p10 >> 64), &t2);
	addc(c, t3, 0, &t3); /* the product is below 2^256: no carry out */

	m = (uint64_t)0 - t0;
	u128 mp = (u128)m * P1;
	c = addc((unsigned char)((t0 | m) >> 63), t1, (uint64_t)mp, &t1);
	c = addc(c, t2, (uint64_t)(mp >> 64), &t2);
	c = addc(c, t3, 0, &t3);
	t4 = c;

	m = (uint64_t)0 - t1;
	mp = (u128)m * P1;
	c = addc((unsigned char)((t1 | m) >> 63), t2, (uint64_t)mp, &t2);
	c = addc(c, t3, (uint64_t)(mp >> 64), &t3);
	t4 += c;

	final_sub(r, t2, t3, t4);
}

static inline void fone(sg_fe *r)
{
	*r = ONE_M;
}

static inline void from_u64_(sg_fe *r, uint64_t x)
{
	sg_fe t = { { x, 0 } };
	fmul(r, &t, &R2);
}

static inline void to_bytes_(uint8_t *out, const sg_fe *a)
{
	sg_fe one = { { 1, 0 } }, c;
	fmul(&c, a, &one);
	for (int i = 0; i < 8; i++) {
		out[i] = (uint8_t)(c.v[0] >> (8 * i));
		out[8 + i] = (uint8_t)(c.v[1] >> (8 * i));
	}
}

static inline bool from_bytes_(sg_fe *r, const uint8_t *in)
{
	sg_fe x = { { 0, 0 } };
	for (int i = 0; i < 8; i++) {
		x.v[0] |= (uint64_t)in[i] << (8 * i);
		x.v[1] |= (uint64_t)in[8 + i] << (8 * i);
	}
	/* x < p  <=>  x - p borrows */
	u128 d0 = (u128)x.v[0] - 1;
	u128 d1 = (u128)x.v[1] - P1 - ((uint64_t)(d0 >> 64) & 1);
	uint64_t ok = (uint64_t)(d1 >> 64) & 1;
	fmul(r, &x, &R2);
	return ok != 0;
}

#define SG_FIELD_KERNELS_ONCE
#include "core/field_kernels.h"


/* a^(p-2), p - 2 = 2^128 - 28*2^64 - 1: high limb P1 - 1, low limb all ones */
static void f128_inv(sg_fe *r, const sg_fe *a)
{
	sg_fe acc, base = *a;
	fone(&acc);
	const uint64_t e[2] = { 0xffffffffffffffffULL, P1 - 1 };
	for (int limb = 1; limb >= 0; limb--) {
		for (int bit = 63; bit >= 0; bit--) {
			fmul(&acc, &acc, &acc);
			if ((e[limb] >> bit) & 1) /* public exponent */
				fmul(&acc, &acc, &base);
		}
	}
	*r = acc;
}

static void f128_root(sg_fe *r, unsigned k)
{
	/* 7^((p-1)/2^66), order 2^66, in Montgomery form */
	sg_fe g = { { 0xf0111fb98c6b9875ULL, 0x50f8f7f554db309cULL } };
	for (unsigned i = k; i < 66; i++)
		fmul(&g, &g, &g);
	*r = g;
}

const sg_field sg_field128 = {
	SG_FIELD_COMMON_ENTRIES,
	.name = "Field128",
	.two_adicity = 66,
	.inv = f128_inv,
	.root = f128_root,
};
