/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Field64: p = 2^64 - 2^32 + 1, elements kept canonical (< p) in v[0].
 *
 * Reduction uses 2^64 = 2^32 - 1 (mod p) and 2^96 = -1 (mod p). Every
 * conditional correction is a mask, never a branch, so timing does not
 * depend on element values.
 */
#include <string.h>

#include <sodium.h>

#include "core/bytes.h"
#include "core/field.h"
#include "spillguard/err.h"

#define P64 0xffffffff00000001ULL
#define EPS64 0x00000000ffffffffULL /* 2^64 mod p */
#define ENC 8

__extension__ typedef unsigned __int128 u128;

/* mask = all ones when bit is 1 */
static inline uint64_t mask_of(uint64_t bit)
{
	return (uint64_t)0 - bit;
}

/* x < 2^64 -> x mod p, assuming x < 2p */
static inline uint64_t canon(uint64_t x)
{
	uint64_t t = x - P64;
	uint64_t borrow = (uint64_t)(x < P64);
	return (x & mask_of(borrow)) | (t & ~mask_of(borrow));
}

static inline uint64_t reduce128(u128 x)
{
	uint64_t lo = (uint64_t)x, hi = (uint64_t)(x >> 64);
	uint64_t hh = hi >> 32, hl = hi & EPS64;
	/* lo - hh: 2^96 = -1 */
	uint64_t t0 = lo - hh;
	t0 -= EPS64 & mask_of((uint64_t)(lo < hh));
	/* + hl * (2^32 - 1): 2^64 = 2^32 - 1 */
	uint64_t t1 = hl * EPS64;
	uint64_t t2 = t0 + t1;
	t2 += EPS64 & mask_of((uint64_t)(t2 < t1));
	return canon(t2);
}

static inline void fadd(sg_fe *r, const sg_fe *a, const sg_fe *b)
{
	uint64_t s = a->v[0] + b->v[0];
	uint64_t carry = (uint64_t)(s < a->v[0]);
	/* a + b < 2p; on carry, s + 2^64 = s + EPS (mod p) and cannot wrap again */
	s += EPS64 & mask_of(carry);
	r->v[0] = canon(s);
	r->v[1] = 0;
}

static inline void fsub(sg_fe *r, const sg_fe *a, const sg_fe *b)
{
	uint64_t d = a->v[0] - b->v[0];
	uint64_t borrow = (uint64_t)(a->v[0] < b->v[0]);
	/* on borrow, d - 2^64 = d - EPS (mod p); d >= 2^64 - p + 1 > EPS */
	d -= EPS64 & mask_of(borrow);
	r->v[0] = d;
	r->v[1] = 0;
}

static inline void fmul(sg_fe *r, const sg_fe *a, const sg_fe *b)
{
	r->v[0] = reduce128((u128)a->v[0] * b->v[0]);
	r->v[1] = 0;
}

/* acc += a*b on 128 bits, counting carries out in acc->w[2]. */
static inline void wide_mac(sg_wide *acc, const sg_fe *a, const sg_fe *b)
{
	u128 t = (u128)a->v[0] * b->v[0];
	u128 s = ((u128)acc->w[1] << 64 | acc->w[0]) + t;
	acc->w[2] += (uint64_t)(s < t);
	acc->w[0] = (uint64_t)s;
	acc->w[1] = (uint64_t)(s >> 64);
}

/* acc mod p = (low 128 bits mod p) + w2 * (2^128 mod p) */
static inline void wide_reduce_(sg_fe *r, const sg_wide *acc)
{
	sg_fe lo = { { reduce128((u128)acc->w[1] << 64 | acc->w[0]), 0 } };
	sg_fe k = { { reduce128((u128)acc->w[2] * 0xfffffffe00000001ULL), 0 } };
	fadd(r, &lo, &k);
}

static inline void fone(sg_fe *r)
{
	r->v[0] = 1;
	r->v[1] = 0;
}

static inline void from_u64_(sg_fe *r, uint64_t x)
{
	r->v[0] = canon(x);
	r->v[1] = 0;
}

static inline void to_bytes_(uint8_t *out, const sg_fe *a)
{
	sg_store_le64(out, a->v[0]);
}

static inline bool from_bytes_(sg_fe *r, const uint8_t *in)
{
	uint64_t x = sg_load_le64(in);
	r->v[0] = x;
	r->v[1] = 0;
	return x < P64;
}

#define SG_FIELD_KERNELS_ONCE
#include "core/field_kernels.h"


/*
 * a^(p-2) with p - 2 = (2^31 - 1) 2^33 + (2^32 - 1), by an addition chain
 * over e_k = a^(2^k - 1): 64 squarings and 9 multiplications. The exponent
 * is public; the sequence of operations is fixed.
 */
static void f64_inv(sg_fe *r, const sg_fe *a)
{
	sg_fe e2, e3, e6, e12, e24, e30, e31, e32;
	k_sqmul(&e2, a, 1, a);
	k_sqmul(&e3, &e2, 1, a);
	k_sqmul(&e6, &e3, 3, &e3);
	k_sqmul(&e12, &e6, 6, &e6);
	k_sqmul(&e24, &e12, 12, &e12);
	k_sqmul(&e30, &e24, 6, &e6);
	k_sqmul(&e31, &e30, 1, a);
	k_sqmul(&e32, &e31, 1, a);
	k_sqmul(r, &e31, 33, &e32);
}

static void f64_root(sg_fe *r, unsigned k)
{
	/* 7^((p-1)/2^32) generates the subgroup of order 2^32. */
	sg_fe g = { { 0x185629dcda58878cULL, 0 } };
	for (unsigned i = k; i < 32; i++)
		fmul(&g, &g, &g);
	*r = g;
}

const sg_field sg_field64 = {
	SG_FIELD_COMMON_ENTRIES,
	.name = "Field64",
	.two_adicity = 32,
	.inv = f64_inv,
	.root = f64_root,
};
