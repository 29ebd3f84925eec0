/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Field128: p = 2^128 - 28*2^64 + 1, limbs p0 = 1, p1 = 2^64 - 28.
 *
 * Elements are kept canonical (< p), two 64-bit limbs little-endian in
 * v[0], v[1], so encoding, decoding and sampling are plain copies with a
 * range check. Products are reduced with the shape of p:
 *   2^128 = 28*2^64 - 1   and   2^192 = 783*2^64 - 28   (mod p).
 * All corrections are masks; timing does not depend on element values.
 */
#include <string.h>

#include <sodium.h>

#include "core/bytes.h"
#include "core/field.h"
#include "spillguard/err.h"

#define P1 0xffffffffffffffe4ULL
#define ENC 16

__extension__ typedef unsigned __int128 u128;


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

/*
 * t mod p for any 256-bit t3:t2:t1:t0:
 *   t = (t0 - t2 - 28 t3) + (t1 + 28 t2 + 783 t3) 2^64   (mod p),
 * which is non-negative as written (the 2^64 part dominates) and below
 * 2^138; folding its third limb x2 (2^128 x2 = 28 x2 2^64 - x2) leaves less
 * than 2^128 + 2^79, one masked subtraction of p from below 2^128, and one
 * final conditional subtraction.
 */
static inline void reduce256(sg_fe *r, const uint64_t t[4])
{
	u128 hi = (u128)t[2] * 28 + (u128)t[3] * 783 + t[1];
	u128 neg = (u128)t[3] * 28 + t[2];
	uint64_t x0, x1, x2;
	unsigned char bw = subb(0, t[0], (uint64_t)neg, &x0);
	bw = subb(bw, (uint64_t)hi, (uint64_t)(neg >> 64), &x1);
	subb(bw, (uint64_t)(hi >> 64), 0, &x2);

	/* fold x2: + 28 x2 2^64 - x2 */
	uint64_t y0, y1, y2;
	bw = subb(0, x0, x2, &y0);
	bw = subb(bw, x1, 0, &y1);
	unsigned char c = addc(0, y1, x2 * 28, &y1);
	y2 = (uint64_t)c - bw; /* 0 or 1: the value is below 2^128 + 2^79 */

	/* y2 = 1: subtract p, i.e. drop 2^128 and add 28 2^64 - 1; then
	 * y1:y0 < 2^79, so neither step can wrap */
	uint64_t m = mask_of(y2);
	bw = subb(0, y0, 1 & m, &y0);
	y1 = y1 + (28 & m) - bw;
	final_sub(r, y0, y1, 0);
}


/*
 * fadd, fsub, fmul. On x86-64 they are written in assembly: gcc breaks the
 * carry chains of the C versions (it saves and restores CF through
 * registers), which made them about twice as long. Each assembly line
 * mirrors a step of the C code (prod256 and reduce256 above, the C
 * versions below); both are checked against an independent reference in
 * the tests, the C versions in the sanitizer build (SG_PORTABLE_ARITH).
 */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(SG_PORTABLE_ARITH)
/* t3:t2:t1:t0 = a * b (operands a0, a1, b0, b1 in memory; rax, rdx clobbered) */
#define PROD256_ASM                       \
	"movq %[a0], %%rax\n\t"           \
	"mulq %[b0]\n\t"                  \
	"movq %%rax, %[t0]\n\t"           \
	"movq %%rdx, %[t1]\n\t"           \
	"movq %[a0], %%rax\n\t"           \
	"mulq %[b1]\n\t"                  \
	"addq %%rax, %[t1]\n\t"           \
	"adcq $0, %%rdx\n\t"              \
	"movq %%rdx, %[t2]\n\t"           \
	"movq %[a1], %%rax\n\t"           \
	"mulq %[b0]\n\t"                  \
	"xorl %k[t3], %k[t3]\n\t"         \
	"addq %%rax, %[t1]\n\t"           \
	"adcq %%rdx, %[t2]\n\t"           \
	"adcq $0, %[t3]\n\t"              \
	"movq %[a1], %%rax\n\t"           \
	"mulq %[b1]\n\t"                  \
	"addq %%rax, %[t2]\n\t"           \
	"adcq %%rdx, %[t3]\n\t"

static inline void fadd(sg_fe *r, const sg_fe *a, const sg_fe *b)
{
	uint64_t s0 = a->v[0], s1 = a->v[1], t0, t1, c;
	__asm__("addq %[b0], %[s0]\n\t"
		"adcq %[b1], %[s1]\n\t"
		"sbbq %[c], %[c]\n\t"          /* c = -carry */
		"movq %[s0], %[t0]\n\t"
		"movq %[s1], %[t1]\n\t"
		"subq $1, %[t0]\n\t"           /* t = s - p */
		"sbbq $-28, %[t1]\n\t"
		"sbbq $0, %[c]\n\t"            /* CF: no carry and s < p */
		"cmovcq %[s0], %[t0]\n\t"
		"cmovcq %[s1], %[t1]"
		: [s0] "+&r"(s0), [s1] "+&r"(s1), [t0] "=&r"(t0), [t1] "=&r"(t1), [c] "=&r"(c)
		: [b0] "rm"(b->v[0]), [b1] "rm"(b->v[1])
		: "cc");
	r->v[0] = t0;
	r->v[1] = t1;
}

static inline void fsub(sg_fe *r, const sg_fe *a, const sg_fe *b)
{
	uint64_t d0 = a->v[0], d1 = a->v[1], m, k;
	__asm__("subq %[b0], %[d0]\n\t"
		"sbbq %[b1], %[d1]\n\t"
		"sbbq %[m], %[m]\n\t"          /* m = -borrow */
		"movq %[m], %[k]\n\t"
		"andq $1, %[k]\n\t"
		"andq $-28, %[m]\n\t"          /* p & m */
		"addq %[k], %[d0]\n\t"
		"adcq %[m], %[d1]"
		: [d0] "+&r"(d0), [d1] "+&r"(d1), [m] "=&r"(m), [k] "=&r"(k)
		: [b0] "rm"(b->v[0]), [b1] "rm"(b->v[1])
		: "cc");
	r->v[0] = d0;
	r->v[1] = d1;
}

static inline void fmul(sg_fe *r, const sg_fe *a, const sg_fe *b)
{
	uint64_t t0, t1, t2, t3, h0, h1, ra, rd;
	__asm__(PROD256_ASM
		/* h = t1 + 28 t2 + 783 t3 */
		"movq $28, %%rax\n\t"
		"mulq %[t2]\n\t"
		"movq %%rax, %[h0]\n\t"
		"movq %%rdx, %[h1]\n\t"
		"movq $783, %%rax\n\t"
		"mulq %[t3]\n\t"
		"addq %%rax, %[h0]\n\t"
		"adcq %%rdx, %[h1]\n\t"
		"addq %[t1], %[h0]\n\t"
		"adcq $0, %[h1]\n\t"
		/* x = [t0, h0, h1] - (t2 + 28 t3) */
		"movq $28, %%rax\n\t"
		"mulq %[t3]\n\t"
		"addq %[t2], %%rax\n\t"
		"adcq $0, %%rdx\n\t"
		"subq %%rax, %[t0]\n\t"
		"sbbq %%rdx, %[h0]\n\t"
		"sbbq $0, %[h1]\n\t"
		/* fold x2 = h1: y = [t0, h0] - x2 + 28 x2 2^64, y2 in rdx */
		"imulq $28, %[h1], %%rax\n\t"
		"xorl %%edx, %%edx\n\t"
		"subq %[h1], %[t0]\n\t"
		"sbbq $0, %[h0]\n\t"
		"sbbq $0, %%rdx\n\t"
		"addq %%rax, %[h0]\n\t"
		"adcq $0, %%rdx\n\t"
		/* y2 = 1: + 28 2^64 - 1 (no wrap: y < 2^79 then) */
		"negq %%rdx\n\t"
		"movq %%rdx, %%rax\n\t"
		"andq $1, %%rax\n\t"
		"andq $28, %%rdx\n\t"
		"subq %%rax, %[t0]\n\t"
		"sbbq $0, %[h0]\n\t"
		"addq %%rdx, %[h0]\n\t"
		/* subtract p when y >= p */
		"movq %[t0], %%rax\n\t"
		"movq %[h0], %%rdx\n\t"
		"subq $1, %%rax\n\t"
		"sbbq $-28, %%rdx\n\t"
		"cmovncq %%rax, %[t0]\n\t"
		"cmovncq %%rdx, %[h0]"
		: [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3),
		  [h0] "=&r"(h0), [h1] "=&r"(h1), "=&a"(ra), "=&d"(rd)
		: [a0] "m"(a->v[0]), [a1] "m"(a->v[1]), [b0] "m"(b->v[0]), [b1] "m"(b->v[1])
		: "cc");
	(void)ra;
	(void)rd;
	r->v[0] = t0;
	r->v[1] = h0;
}

/* acc += a*b on 256 bits, counting carries out in acc->w[4]. */
static inline void wide_mac(sg_wide *acc, const sg_fe *a, const sg_fe *b)
{
	uint64_t t0, t1, t2, t3, ra, rd;
	__asm__(PROD256_ASM
		"addq %[t0], %[w0]\n\t"
		"adcq %[t1], %[w1]\n\t"
		"adcq %[t2], %[w2]\n\t"
		"adcq %[t3], %[w3]\n\t"
		"adcq $0, %[w4]"
		: [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3), "=&a"(ra),
		  "=&d"(rd), [w0] "+m"(acc->w[0]), [w1] "+m"(acc->w[1]), [w2] "+m"(acc->w[2]),
		  [w3] "+m"(acc->w[3]), [w4] "+m"(acc->w[4])
		: [a0] "m"(a->v[0]), [a1] "m"(a->v[1]), [b0] "m"(b->v[0]), [b1] "m"(b->v[1])
		: "cc");
	(void)ra;
	(void)rd;
}
#else
/* The 256-bit product a*b, limbs little-endian. */
static inline void prod256(uint64_t t[4], const sg_fe *a, const sg_fe *b)
{
	u128 p00 = (u128)a->v[0] * b->v[0];
	u128 p01 = (u128)a->v[0] * b->v[1];
	u128 p10 = (u128)a->v[1] * b->v[0];
	u128 p11 = (u128)a->v[1] * b->v[1];
	t[0] = (uint64_t)p00;
	unsigned char c = addc(0, (uint64_t)(p00 >> 64), (uint64_t)p01, &t[1]);
	c = addc(c, (uint64_t)(p01 >> 64), (uint64_t)p11, &t[2]);
	addc(c, (uint64_t)(p11 >> 64), 0, &t[3]);
	c = addc(0, t[1], (uint64_t)p10, &t[1]);
	c = addc(c, t[2], (uint64_t)(p10 >> 64), &t[2]);
	addc(c, t[3], 0, &t[3]); /* the product is below 2^256: no carry out */
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

static inline void fmul(sg_fe *r, const sg_fe *a, const sg_fe *b)
{
	uint64_t t[4];
	prod256(t, a, b);
	reduce256(r, t);
}

/* acc += a*b on 256 bits, counting carries out in acc->w[4]. */
static inline void wide_mac(sg_wide *acc, const sg_fe *a, const sg_fe *b)
{
	uint64_t t[4];
	prod256(t, a, b);
	unsigned char c = addc(0, acc->w[0], t[0], &acc->w[0]);
	c = addc(c, acc->w[1], t[1], &acc->w[1]);
	c = addc(c, acc->w[2], t[2], &acc->w[2]);
	c = addc(c, acc->w[3], t[3], &acc->w[3]);
	acc->w[4] += c;
}
#endif

/* acc mod p = (low 256 bits mod p) + w4 * (2^256 mod p) */
static inline void wide_reduce_(sg_fe *r, const sg_wide *acc)
{
	static const sg_fe two256 = { { 0xfffffffffffffcf1ULL, 0x5587ULL } };
	sg_fe lo, k = { { acc->w[4], 0 } };
	reduce256(&lo, acc->w);
	fmul(&k, &k, &two256);
	fadd(r, &lo, &k);
}

static inline void fone(sg_fe *r)
{
	r->v[0] = 1;
	r->v[1] = 0;
}

static inline void from_u64_(sg_fe *r, uint64_t x)
{
	r->v[0] = x; /* below 2^64 < p */
	r->v[1] = 0;
}

static inline void to_bytes_(uint8_t *out, const sg_fe *a)
{
	sg_store_le64(out, a->v[0]);
	sg_store_le64(out + 8, a->v[1]);
}

static inline bool from_bytes_(sg_fe *r, const uint8_t *in)
{
	uint64_t x0 = sg_load_le64(in), x1 = sg_load_le64(in + 8), t;
	r->v[0] = x0;
	r->v[1] = x1;
	/* x < p  <=>  x - p borrows */
	unsigned char b = subb(0, x0, 1, &t);
	return subb(b, x1, P1, &t) != 0;
}

#define SG_FIELD_KERNELS_ONCE
#include "core/field_kernels.h"


/*
 * a^(p-2) with p - 2 = 2^128 - 28*2^64 - 1 = (2^59 - 1) 2^69 + (2^66 - 1),
 * by an addition chain over e_k = a^(2^k - 1): 142 squarings and 13
 * multiplications instead of 252 operations. The exponent is public; the
 * sequence of operations is fixed.
 */
static void f128_inv(sg_fe *r, const sg_fe *a)
{
	sg_fe e2, e3, e5, e6, e7, e11, e12, e24, e48, e59, e66;
	k_sqmul(&e2, a, 1, a);
	k_sqmul(&e3, &e2, 1, a);
	k_sqmul(&e5, &e3, 2, &e2);
	k_sqmul(&e6, &e3, 3, &e3);
	k_sqmul(&e7, &e6, 1, a);
	k_sqmul(&e11, &e6, 5, &e5);
	k_sqmul(&e12, &e6, 6, &e6);
	k_sqmul(&e24, &e12, 12, &e12);
	k_sqmul(&e48, &e24, 24, &e24);
	k_sqmul(&e59, &e48, 11, &e11);
	k_sqmul(&e66, &e59, 7, &e7);
	k_sqmul(r, &e59, 69, &e66);
}

static void f128_root(sg_fe *r, unsigned k)
{
	/* 7^((p-1)/2^66), order 2^66 */
	sg_fe g = { { 0x1f9b2759c5109f06ULL, 0x6d278fbf4f60228bULL } };
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
