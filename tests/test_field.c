/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "core/field.h"
#include "spillguard/err.h"

static const sg_field *const fields[] = { &sg_field64, &sg_field128 };

/* Little-endian bytes from a big-endian hex literal of the field's size. */
static void elem_from_hex(const sg_field *f, sg_fe *r, const char *hex)
{
	uint8_t le[16] = { 0 };
	size_t n = strlen(hex) / 2;
	cr_assert_leq(n, f->encoded_size);
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		cr_assert_eq(sscanf(hex + 2 * i, "%2x", &v), 1);
		le[n - 1 - i] = (uint8_t)v;
	}
	cr_assert_eq(f->decode(r, le, 1), 0);
}

static bool elem_is_hex(const sg_field *f, const sg_fe *a, const char *hex)
{
	sg_fe b;
	elem_from_hex(f, &b, hex);
	return f->eq(a, &b);
}

/* Known answers computed with Python's arbitrary-precision integers. */
Test(field, known_values)
{
	struct {
		const sg_field *f;
		const char *a, *b, *mul, *add, *sub, *inv;
	} kat[] = {
		{ &sg_field64, "f2a74de452e6b438", "6513270e269e0d37", "819ffd25ee338a2e",
		  "57ba74f37984c16e", "8d9426d62c48a701", "825c82fcc0e95755" },
		{ &sg_field128, "d23f0824128b2f330c5c7fd0a6a3a450",
		  "9531985d5d9dc9f81818e811892f902b", "640a0fd56b95e29fa3b98c99e2578cff",
		  "6770a0817028f947247567e22fd3347a", "3d0d6fc6b4ed653af44397bf1d741425",
		  "f0f3087072bfe73334a8767809ec212c" },
	};
	for (size_t i = 0; i < sizeof kat / sizeof kat[0]; i++) {
		const sg_field *f = kat[i].f;
		sg_fe a, b, r;
		elem_from_hex(f, &a, kat[i].a);
		elem_from_hex(f, &b, kat[i].b);
		f->mul(&r, &a, &b);
		cr_expect(elem_is_hex(f, &r, kat[i].mul), "%s mul", f->name);
		f->add(&r, &a, &b);
		cr_expect(elem_is_hex(f, &r, kat[i].add), "%s add", f->name);
		f->sub(&r, &a, &b);
		cr_expect(elem_is_hex(f, &r, kat[i].sub), "%s sub", f->name);
		f->inv(&r, &a);
		cr_expect(elem_is_hex(f, &r, kat[i].inv), "%s inv", f->name);
	}
}

static void rand_elem(const sg_field *f, sg_fe *r, uint32_t *state)
{
	uint64_t x[2];
	for (int i = 0; i < 2; i++) {
		*state = *state * 1664525u + 1013904223u;
		uint64_t hi = *state;
		*state = *state * 1664525u + 1013904223u;
		x[i] = (hi << 32) | *state;
	}
	sg_fe a, b, s;
	f->from_u64(&a, x[0]);
	f->from_u64(&b, x[1]);
	f->from_u64(&s, 0xffffffffu);
	f->mul(&s, &s, &s);
	f->mul(&a, &a, &s); /* spread over the whole field */
	f->add(r, &a, &b);
}

Test(field, laws)
{
	for (size_t k = 0; k < 2; k++) {
		const sg_field *f = fields[k];
		uint32_t st = 1;
		for (int it = 0; it < 200; it++) {
			sg_fe a, b, c, x, y, one, zero;
			rand_elem(f, &a, &st);
			rand_elem(f, &b, &st);
			rand_elem(f, &c, &st);
			f->one(&one);
			f->zero(&zero);
			/* distributivity */
			f->add(&x, &b, &c);
			f->mul(&x, &a, &x);
			f->mul(&y, &a, &b);
			sg_fe t;
			f->mul(&t, &a, &c);
			f->add(&y, &y, &t);
			cr_assert(f->eq(&x, &y), "%s distributivity", f->name);
			/* a - a = 0, a + (-a) = 0, a * 1 = a */
			f->sub(&x, &a, &a);
			cr_assert(f->eq(&x, &zero));
			f->neg(&x, &a);
			f->add(&x, &x, &a);
			cr_assert(f->eq(&x, &zero));
			f->mul(&x, &a, &one);
			cr_assert(f->eq(&x, &a));
			/* a * a^-1 = 1 for a != 0 */
			if (!f->eq(&a, &zero)) {
				f->inv(&x, &a);
				f->mul(&x, &x, &a);
				cr_assert(f->eq(&x, &one), "%s inverse", f->name);
			}
		}
	}
}

Test(field, edge_values)
{
	/* p - 1 squared is 1; (p-1) + 1 = 0 */
	const char *pm1[] = { "ffffffff00000000", "ffffffffffffffe40000000000000000" };
	for (size_t k = 0; k < 2; k++) {
		const sg_field *f = fields[k];
		sg_fe a, r, one, zero;
		elem_from_hex(f, &a, pm1[k]);
		f->one(&one);
		f->zero(&zero);
		f->mul(&r, &a, &a);
		cr_assert(f->eq(&r, &one));
		f->add(&r, &a, &one);
		cr_assert(f->eq(&r, &zero));
		f->sub(&r, &zero, &one);
		cr_assert(f->eq(&r, &a));
	}
}

Test(field, decode_rejects_non_canonical)
{
	/* p itself and 2^n - 1 are out of range; p - 1 is in range. */
	uint8_t p64[8] = { 1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff };
	uint8_t p128[16] = { 1, 0, 0, 0, 0, 0, 0, 0, 0xe4, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	uint8_t ones[16];
	memset(ones, 0xff, sizeof ones);
	sg_fe out[2];
	cr_assert_eq(sg_field64.decode(out, p64, 1), SG_ERR_NONCANONICAL);
	cr_assert_eq(sg_field64.decode(out, ones, 1), SG_ERR_NONCANONICAL);
	cr_assert_eq(sg_field128.decode(out, p128, 1), SG_ERR_NONCANONICAL);
	cr_assert_eq(sg_field128.decode(out, ones, 1), SG_ERR_NONCANONICAL);
	p64[0] = 0;
	p128[0] = 0;
	cr_assert_eq(sg_field64.decode(out, p64, 1), 0);
	cr_assert_eq(sg_field128.decode(out, p128, 1), 0);
	/* one bad element in a vector fails the whole vector */
	uint8_t two[32] = { 5 };
	memset(two + 16, 0xff, 16);
	cr_assert_eq(sg_field128.decode(out, two, 2), SG_ERR_NONCANONICAL);
}

Test(field, encode_round_trip)
{
	for (size_t k = 0; k < 2; k++) {
		const sg_field *f = fields[k];
		uint32_t st = 9;
		sg_fe a[16], b[16];
		uint8_t enc[16 * 16], enc2[16 * 16];
		for (int i = 0; i < 16; i++)
			rand_elem(f, &a[i], &st);
		f->encode(enc, a, 16);
		cr_assert_eq(f->decode(b, enc, 16), 0);
		f->encode(enc2, b, 16);
		cr_assert_arr_eq(enc, enc2, 16 * f->encoded_size);
		for (int i = 0; i < 16; i++)
			cr_assert(f->eq(&a[i], &b[i]));
	}
}

Test(field, roots_of_unity)
{
	for (size_t k = 0; k < 2; k++) {
		const sg_field *f = fields[k];
		sg_fe w, r, one;
		f->one(&one);
		f->root(&w, f->two_adicity);
		/* w^(2^(s-1)) = -1, so w has order exactly 2^s */
		r = w;
		for (unsigned i = 1; i < f->two_adicity; i++)
			f->mul(&r, &r, &r);
		sg_fe minus_one;
		f->neg(&minus_one, &one);
		cr_assert(f->eq(&r, &minus_one), "%s root order", f->name);
	}
}

/* P(x) by Horner, for checking transforms. */
static void horner(const sg_field *f, sg_fe *r, const sg_fe *c, size_t n, const sg_fe *x)
{
	f->zero(r);
	for (size_t i = n; i-- > 0;) {
		f->mul(r, r, x);
		f->add(r, r, &c[i]);
	}
}

Test(field, ntt_matches_naive_evaluation)
{
	for (size_t k = 0; k < 2; k++) {
		const sg_field *f = fields[k];
		sg_ntt_plan plan;
		cr_assert_eq(sg_ntt_plan_init(&plan, f, 6), 0);
		for (unsigned log_n = 0; log_n <= 5; log_n++) {
			size_t n = (size_t)1 << log_n;
			sg_fe c[32], a[32], b[32], w, s, x;
			uint32_t st = 3 + log_n;
			for (size_t i = 0; i < n; i++)
				rand_elem(f, &c[i], &st);
			f->root(&w, log_n);
			f->root(&s, log_n + 1);
			memcpy(a, c, n * sizeof *a);
			memcpy(b, c, n * sizeof *b);
			f->ntt(&plan, a, log_n, false);
			f->ntt(&plan, b, log_n, true);
			f->one(&x);
			for (size_t i = 0; i < n; i++) {
				sg_fe want, sx;
				horner(f, &want, c, n, &x);
				cr_assert(f->eq(&a[i], &want), "%s ntt n=%zu i=%zu", f->name, n, i);
				f->mul(&sx, &s, &x);
				horner(f, &want, c, n, &sx);
				cr_assert(f->eq(&b[i], &want), "%s coset n=%zu i=%zu", f->name, n, i);
				f->mul(&x, &x, &w);
			}
			f->intt(&plan, a, log_n);
			for (size_t i = 0; i < n; i++)
				cr_assert(f->eq(&a[i], &c[i]), "%s intt n=%zu", f->name, n);
		}
		sg_ntt_plan_free(&plan);
	}
}

Test(field, double_evals_interleaves_coset)
{
	for (size_t k = 0; k < 2; k++) {
		const sg_field *f = fields[k];
		sg_ntt_plan plan;
		cr_assert_eq(sg_ntt_plan_init(&plan, f, 5), 0);
		unsigned log_n = 3;
		size_t n = 8;
		sg_fe c[8], vals[8], out[16], scratch[8], w2, x;
		uint32_t st = 77;
		for (size_t i = 0; i < n; i++)
			rand_elem(f, &c[i], &st);
		memcpy(vals, c, sizeof vals);
		f->ntt(&plan, vals, log_n, false);
		f->double_evals(&plan, out, vals, log_n, scratch);
		f->root(&w2, log_n + 1);
		f->one(&x);
		for (size_t i = 0; i < 2 * n; i++) {
			sg_fe want;
			horner(f, &want, c, n, &x);
			cr_assert(f->eq(&out[i], &want), "%s double_evals i=%zu", f->name, i);
			f->mul(&x, &x, &w2);
		}
		sg_ntt_plan_free(&plan);
	}
}

Test(field, batch_inv)
{
	for (size_t k = 0; k < 2; k++) {
		const sg_field *f = fields[k];
		sg_fe a[10], b[10], scratch[10], one;
		uint32_t st = 5;
		f->one(&one);
		for (int i = 0; i < 10; i++)
			rand_elem(f, &a[i], &st);
		memcpy(b, a, sizeof b);
		sg_field_batch_inv(f, b, 10, scratch);
		for (int i = 0; i < 10; i++) {
			sg_fe r;
			f->mul(&r, &a[i], &b[i]);
			cr_assert(f->eq(&r, &one));
		}
	}
}

/*
 * An independent reference: a*b mod p by double-and-add on canonical
 * 128-bit integers, checked against the fast multiplication on values
 * biased towards the edges where reductions carry (near p, near 2^64
 * boundaries, small).
 */
__extension__ typedef unsigned __int128 u128_t;

static u128_t ref_modadd(u128_t a, u128_t b, u128_t p)
{
	u128_t s = a + b;
	bool carry = s < a;
	if (carry || s >= p)
		s -= p;
	return s;
}

static u128_t ref_modmul(u128_t a, u128_t b, u128_t p)
{
	u128_t r = 0;
	for (int i = 127; i >= 0; i--) {
		r = ref_modadd(r, r, p);
		if ((b >> i) & 1)
			r = ref_modadd(r, a, p);
	}
	return r;
}

static u128_t edge_value(uint32_t *st, u128_t p)
{
	uint64_t lo, hi;
	*st = *st * 1664525u + 1013904223u;
	uint32_t kind = *st % 6;
	*st = *st * 1664525u + 1013904223u;
	lo = ((uint64_t)*st << 32);
	*st = *st * 1664525u + 1013904223u;
	lo |= *st;
	*st = *st * 1664525u + 1013904223u;
	hi = ((uint64_t)*st << 32) ^ lo * 0x9e3779b97f4a7c15ULL;
	u128_t x = ((u128_t)hi << 64) | lo;
	switch (kind) {
	case 0: return x % p;
	case 1: return p - 1 - (lo % 100000);
	case 2: return lo % p;
	case 3: return (((u128_t)hi << 64) | (lo & 1 ? UINT64_MAX : 0)) % p;
	case 4: return lo % 1000;
	default: return p - 1 - (x % ((u128_t)1 << 70));
	}
}

static void fe_from_u128(const sg_field *f, sg_fe *r, u128_t x)
{
	uint8_t le[16];
	for (int i = 0; i < 16; i++)
		le[i] = (uint8_t)(x >> (8 * i));
	cr_assert_eq(f->decode(r, le, 1), 0);
}

static u128_t fe_to_u128(const sg_field *f, const sg_fe *a)
{
	uint8_t le[16] = { 0 };
	u128_t x = 0;
	f->encode(le, a, 1);
	for (size_t i = f->encoded_size; i-- > 0;)
		x = (x << 8) | le[i];
	return x;
}

Test(field, mul_add_sub_match_reference)
{
	const u128_t moduli[] = { ((u128_t)0xffffffff00000001ULL),
				  ((u128_t)0xffffffffffffffe4ULL << 64) | 1 };
	for (size_t k = 0; k < 2; k++) {
		const sg_field *f = fields[k];
		u128_t p = moduli[k];
		uint32_t st = 12345;
		for (int it = 0; it < 20000; it++) {
			u128_t a = edge_value(&st, p), b = edge_value(&st, p);
			sg_fe x, y, r;
			fe_from_u128(f, &x, a);
			fe_from_u128(f, &y, b);
			f->mul(&r, &x, &y);
			cr_assert(fe_to_u128(f, &r) == ref_modmul(a, b, p), "%s mul", f->name);
			f->add(&r, &x, &y);
			cr_assert(fe_to_u128(f, &r) == ref_modadd(a, b, p), "%s add", f->name);
			f->sub(&r, &x, &y);
			cr_assert(fe_to_u128(f, &r) == ref_modadd(a, p - b == p ? 0 : p - b, p),
				  "%s sub", f->name);
		}
	}
}

/* Many products near 2^256 overflow the unreduced accumulator: the carry
 * count must be folded back in. (p-1)^2 = 1, so the dot product is n. */
Test(field, dot_and_mac_fold_overflows)
{
	for (size_t k = 0; k < 2; k++) {
		const sg_field *f = fields[k];
		enum { N = 3000 };
		static sg_fe a[N];
		sg_fe one, r, want;
		sg_wide acc[2] = { { { 0 } }, { { 0 } } };
		f->one(&one);
		for (size_t i = 0; i < N; i++)
			f->neg(&a[i], &one);
		f->dot(&r, a, a, N);
		f->from_u64(&want, N);
		cr_assert(f->eq(&r, &want), "%s dot", f->name);
		for (size_t i = 0; i < N; i++)
			f->vec_mac(acc, &a[i], &a[i], 1);
		f->wide_reduce(&r, acc, 1);
		cr_assert(f->eq(&r, &want), "%s mac", f->name);
	}
}
