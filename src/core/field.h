/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SG_CORE_FIELD_H
#define SG_CORE_FIELD_H

/*
 * The NTT-friendly prime fields of draft-irtf-cfrg-vdaf-20 §6.1:
 *
 *   Field64   p = 2^32 * 4294967295 + 1          (2^64 - 2^32 + 1), 8-byte encoding
 *   Field128  p = 2^66 * 4611686018427387897 + 1 (2^128 - 28*2^64 + 1), 16 bytes
 *
 * Elements live in an sg_fe in the field's own internal representation
 * (canonical for Field64, Montgomery form for Field128); only the field's
 * functions look inside. Everything here is constant-time in element values
 * unless the name ends in _vartime. Encodings are little-endian and decoding
 * rejects any value >= p before it is used.
 *
 * The Prio3 code is written once against the sg_field table; the per-field
 * kernels (NTT, batch evaluation) are generated from one template.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/xof.h"

typedef struct sg_fe {
	uint64_t v[2];
} sg_fe;

/* An unreduced sum of products: many a*b accumulate before one reduction.
 * Start from all zeros; at most 2^32 products per accumulator. */
typedef struct sg_wide {
	uint64_t w[5];
} sg_wide;

/* Twiddle tables for transforms of size up to 2^log_max. */
typedef struct sg_ntt_plan {
	unsigned log_max;
	sg_fe *roots;     /* roots[i] = w^i, w a primitive 2^log_max-th root, i < 2^log_max */
	sg_fe *inv_roots; /* w^-i, i < 2^(log_max-1) */
	/* For each size n = 2^k < 2^log_max, at offset n - 1: s^bitrev_k(i) / n
	 * for i < n, s a primitive 2n-th root (the coset shift). */
	sg_fe *twist;
	sg_fe *inv_n;     /* inv_n[k] = 1 / 2^k, k <= log_max */
} sg_ntt_plan;

typedef struct sg_field {
	const char *name;
	size_t encoded_size;
	unsigned two_adicity; /* 2^two_adicity divides p - 1 */

	void (*zero)(sg_fe *r);
	void (*one)(sg_fe *r);
	void (*from_u64)(sg_fe *r, uint64_t x); /* x reduced mod p */
	void (*add)(sg_fe *r, const sg_fe *a, const sg_fe *b);
	void (*sub)(sg_fe *r, const sg_fe *a, const sg_fe *b);
	void (*neg)(sg_fe *r, const sg_fe *a);
	void (*mul)(sg_fe *r, const sg_fe *a, const sg_fe *b);
	void (*inv)(sg_fe *r, const sg_fe *a); /* a^(p-2): 0 maps to 0 */
	bool (*eq)(const sg_fe *a, const sg_fe *b);
	/* 2^k-th primitive root of unity, k <= two_adicity (the draft's nth_root). */
	void (*root)(sg_fe *r, unsigned k);

	/* Vector operations; lengths in elements. */
	void (*encode)(uint8_t *out, const sg_fe *in, size_t n);
	int (*decode)(sg_fe *out, const uint8_t *in, size_t n); /* SG_ERR_NONCANONICAL */
	/* acc += decode(in), or SG_ERR_NONCANONICAL with acc unchanged */
	int (*add_encoded)(sg_fe *acc, const uint8_t *in, size_t n);
	void (*vec_add)(sg_fe *a, const sg_fe *b, size_t n);    /* a += b */
	void (*vec_sub)(sg_fe *a, const sg_fe *b, size_t n);    /* a -= b */
	/* The draft's Xof.next_vec: rejection sampling from the XOF stream. */
	void (*sample)(sg_fe *out, size_t n, sg_xof *xof);

	/* In-place transforms of size n = 2^log_n <= 2^plan->log_max, natural
	 * order in and out: ntt gives P(w^i), or P(s*w^i) for a 2n-th root s
	 * when coset is true; intt is the inverse of the plain ntt. */
	void (*ntt)(const sg_ntt_plan *plan, sg_fe *a, unsigned log_n, bool coset);
	void (*intt)(const sg_ntt_plan *plan, sg_fe *a, unsigned log_n);
	/* Given P's values at the n-th roots (natural order), writes its values
	 * at the 2n-th roots, interleaved: out[2i] = in[i], out[2i+1] = P(s w^i).
	 * scratch holds n elements. (The draft's Lagrange.double_evaluations.) */
	void (*double_evals)(const sg_ntt_plan *plan, sg_fe *out, const sg_fe *in,
			     unsigned log_n, sg_fe *scratch);
	/* Sum over i of a[i] * b[i]. */
	void (*dot)(sg_fe *r, const sg_fe *a, const sg_fe *b, size_t n);
	/* acc[i] += a[i] * b[i], unreduced */
	void (*vec_mac)(sg_wide *acc, const sg_fe *a, const sg_fe *b, size_t n);
	/* out[i] = acc[i] mod p */
	void (*wide_reduce)(sg_fe *out, const sg_wide *acc, size_t n);
	/* The chunked range check's gadget inputs for one call: for j < n,
	 * base[2j*p] = r^(j+1) * m[j] and base[(2j+1)*p] = m[j] - c. */
	void (*chunk_wires)(sg_fe *base, size_t p, const sg_fe *m, size_t n, const sg_fe *r,
			    const sg_fe *c);
	/* The same call's contribution to the wires' Lagrange evaluations, with
	 * c the call's coefficient: acc[2j] += c r^(j+1) m[j], acc[2j+1] += c m[j]. */
	void (*chunk_mac)(sg_wide *acc, const sg_fe *m, size_t n, const sg_fe *c, const sg_fe *r);
	/* decode_range_checked_int on count groups of `bits` elements, the last
	 * weighted by *last and the others by powers of two. */
	void (*decode_bits)(sg_fe *out, const sg_fe *in, size_t count, size_t bits,
			    const sg_fe *last);
	/* a[i] *= c */
	void (*vec_scale)(sg_fe *a, const sg_fe *c, size_t n);
} sg_field;

extern const sg_field sg_field64;
extern const sg_field sg_field128;

/* Builds twiddles for sizes up to 2^log_max (log_max <= two_adicity).
 * Returns 0 or SG_ERR_NOMEM / SG_ERR_PARAM. */
int sg_ntt_plan_init(sg_ntt_plan *plan, const sg_field *f, unsigned log_max);
void sg_ntt_plan_free(sg_ntt_plan *plan);

/* x^e for a public exponent (square-and-multiply, timing depends on e only). */
void sg_field_pow(const sg_field *f, sg_fe *r, const sg_fe *x, uint64_t e);

/* Inverts every a[i] in place with one field inversion (Montgomery's trick).
 * scratch holds n elements. Zero entries make every output zero. */
void sg_field_batch_inv(const sg_field *f, sg_fe *a, size_t n, sg_fe *scratch);

/* f->sample(out, n, a) and then absorbing the encoding of out into b,
 * with the two sponges' permutations paired. */
void sg_field_sample_absorb(const sg_field *f, sg_fe *out, size_t n, sg_xof *a, sg_xof *b);

/* Smallest power of two >= n (n >= 1), and its log. */
size_t sg_next_pow2(size_t n);
unsigned sg_log2(size_t n);

#endif
