/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Vector kernels shared by the two fields, written once and compiled into
 * each field's file so that the element arithmetic inlines. The including
 * file defines, before including this one:
 *
 *   static inline void fadd(sg_fe *r, const sg_fe *a, const sg_fe *b);
 *   static inline void fsub(sg_fe *r, const sg_fe *a, const sg_fe *b);
 *   static inline void fmul(sg_fe *r, const sg_fe *a, const sg_fe *b);
 *   static inline void fone(sg_fe *r);
 *   static inline void from_u64_(sg_fe *r, uint64_t x);
 *   static inline void to_bytes_(uint8_t *out, const sg_fe *a);
 *   static inline bool from_bytes_(sg_fe *r, const uint8_t *in); false if >= p
 *   ENC   the encoded size in bytes
 *
 * Transforms: DIF (Gentleman-Sande) takes natural order to bit-reversed
 * order, DIT (Cooley-Tukey) takes bit-reversed order back to natural, so a
 * values -> coefficients -> coset values round trip needs no permutation.
 * The plan's roots[j] = w^j for the largest size N; a size-n stage uses
 * every (N/n)-th entry.
 */
#ifndef SG_FIELD_KERNELS_ONCE
#error "field_kernels.h is a template for field64.c and field128.c"
#endif

/* Stage twiddles w^0 = 1 are skipped: a third of the multiplications at n = 64. */
static void k_dif(const sg_fe *roots, unsigned log_max, sg_fe *a, unsigned log_n)
{
	size_t n = (size_t)1 << log_n;
	for (size_t half = n >> 1; half >= 1; half >>= 1) {
		size_t stride = ((size_t)1 << log_max) / (half << 1);
		for (size_t s = 0; s < n; s += half << 1) {
			sg_fe u = a[s], v = a[s + half];
			fadd(&a[s], &u, &v);
			fsub(&a[s + half], &u, &v);
		}
		for (size_t j = 1; j < half; j++) {
			const sg_fe w = roots[j * stride];
			for (size_t s = j; s < n; s += half << 1) {
				sg_fe u = a[s], v = a[s + half], d;
				fadd(&a[s], &u, &v);
				fsub(&d, &u, &v);
				fmul(&a[s + half], &d, &w);
			}
		}
	}
}

static void k_dit(const sg_fe *roots, unsigned log_max, sg_fe *a, unsigned log_n)
{
	size_t n = (size_t)1 << log_n;
	for (size_t half = 1; half < n; half <<= 1) {
		size_t stride = ((size_t)1 << log_max) / (half << 1);
		for (size_t s = 0; s < n; s += half << 1) {
			sg_fe u = a[s], t = a[s + half];
			fadd(&a[s], &u, &t);
			fsub(&a[s + half], &u, &t);
		}
		for (size_t j = 1; j < half; j++) {
			const sg_fe w = roots[j * stride];
			for (size_t s = j; s < n; s += half << 1) {
				sg_fe u = a[s], t;
				fmul(&t, &a[s + half], &w);
				fadd(&a[s], &u, &t);
				fsub(&a[s + half], &u, &t);
			}
		}
	}
}

static size_t k_bitrev(size_t i, unsigned bits)
{
	size_t r = 0;
	for (unsigned b = 0; b < bits; b++, i >>= 1)
		r = (r << 1) | (i & 1);
	return r;
}

static void k_bitrev_permute(sg_fe *a, unsigned log_n)
{
	size_t n = (size_t)1 << log_n;
	for (size_t i = 0; i < n; i++) {
		size_t j = k_bitrev(i, log_n);
		if (i < j) {
			sg_fe t = a[i];
			a[i] = a[j];
			a[j] = t;
		}
	}
}

static void k_ntt(const sg_ntt_plan *plan, sg_fe *a, unsigned log_n, bool coset)
{
	size_t n = (size_t)1 << log_n;
	if (coset) {
		/* s = w_{2n}; coefficient j is scaled by s^j = roots[j * N/(2n)]. */
		size_t stride = ((size_t)1 << plan->log_max) >> (log_n + 1);
		for (size_t j = 1; j < n; j++)
			fmul(&a[j], &a[j], &plan->roots[j * stride]);
	}
	k_bitrev_permute(a, log_n);
	k_dit(plan->roots, plan->log_max, a, log_n);
}

static void k_intt(const sg_ntt_plan *plan, sg_fe *a, unsigned log_n)
{
	size_t n = (size_t)1 << log_n;
	k_dif(plan->inv_roots, plan->log_max, a, log_n);
	k_bitrev_permute(a, log_n);
	for (size_t j = 0; j < n; j++)
		fmul(&a[j], &a[j], &plan->inv_n[log_n]);
}

static void k_double_evals(const sg_ntt_plan *plan, sg_fe *out, const sg_fe *in,
			   unsigned log_n, sg_fe *scratch)
{
	size_t n = (size_t)1 << log_n;
	memcpy(scratch, in, n * sizeof *scratch);
	/* values -> n * coefficients, bit-reversed */
	k_dif(plan->inv_roots, plan->log_max, scratch, log_n);
	/* coefficient c_j (at position bitrev(j)) times s^j / n */
	const sg_fe *tw = &plan->twist[n - 1];
	for (size_t i = 0; i < n; i++)
		fmul(&scratch[i], &scratch[i], &tw[i]);
	/* bit-reversed coefficients -> values on the coset s * <w> */
	k_dit(plan->roots, plan->log_max, scratch, log_n);
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = in[i];
		out[2 * i + 1] = scratch[i];
	}
}

static void k_dot(sg_fe *r, const sg_fe *a, const sg_fe *b, size_t n)
{
	sg_wide acc = { { 0, 0, 0, 0, 0 } };
	for (size_t i = 0; i < n; i++)
		wide_mac(&acc, &a[i], &b[i]);
	wide_reduce_(r, &acc);
}

static void k_vec_mac(sg_wide *acc, const sg_fe *a, const sg_fe *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		wide_mac(&acc[i], &a[i], &b[i]);
}

static void k_wide_reduce(sg_fe *out, const sg_wide *acc, size_t n)
{
	for (size_t i = 0; i < n; i++)
		wide_reduce_(&out[i], &acc[i]);
}

static void k_vec_scale(sg_fe *a, const sg_fe *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fmul(&a[i], &a[i], c);
}

static void k_chunk_wires(sg_fe *base, size_t p, const sg_fe *m, size_t n, const sg_fe *r,
			  const sg_fe *c)
{
	sg_fe power = *r;
	for (size_t j = 0; j < n; j++) {
		fmul(&base[2 * j * p], &power, &m[j]);
		fsub(&base[(2 * j + 1) * p], &m[j], c);
		fmul(&power, &power, r);
	}
}

static void k_chunk_mac(sg_wide *acc, const sg_fe *m, size_t n, const sg_fe *c, const sg_fe *r)
{
	sg_fe e;
	fmul(&e, c, r);
	for (size_t j = 0; j < n; j++) {
		wide_mac(&acc[2 * j], &e, &m[j]);
		wide_mac(&acc[2 * j + 1], c, &m[j]);
		fmul(&e, &e, r);
	}
}

/* out[i] = sum_{l < bits-1} 2^l in[i*bits + l] + last * in[i*bits + bits-1] */
static void k_decode_bits(sg_fe *out, const sg_fe *in, size_t count, size_t bits,
			  const sg_fe *last)
{
	for (size_t i = 0; i < count; i++) {
		const sg_fe *e = &in[i * bits];
		sg_fe acc = { { 0, 0 } }, t;
		for (size_t l = bits - 1; l-- > 0;) {
			fadd(&acc, &acc, &acc);
			fadd(&acc, &acc, &e[l]);
		}
		fmul(&t, last, &e[bits - 1]);
		fadd(&out[i], &acc, &t);
	}
}

static void k_vec_add(sg_fe *a, const sg_fe *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fadd(&a[i], &a[i], &b[i]);
}

static void k_vec_sub(sg_fe *a, const sg_fe *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fsub(&a[i], &a[i], &b[i]);
}

static void k_encode(uint8_t *out, const sg_fe *in, size_t n)
{
	for (size_t i = 0; i < n; i++)
		to_bytes_(out + i * ENC, &in[i]);
}

static int k_decode(sg_fe *out, const uint8_t *in, size_t n)
{
	/* Check every element is canonical before any is used. */
	uint64_t bad = 0;
	for (size_t i = 0; i < n; i++)
		bad |= (uint64_t)!from_bytes_(&out[i], in + i * ENC);
	if (bad) {
		memset(out, 0, n * sizeof *out);
		return SG_ERR_NONCANONICAL;
	}
	return 0;
}

/* acc += decode(in): every element is checked before any is added, so a bad
 * encoding leaves acc as it was. */
static int k_add_encoded(sg_fe *acc, const uint8_t *in, size_t n)
{
	uint64_t bad = 0;
	sg_fe x;
	for (size_t i = 0; i < n; i++)
		bad |= (uint64_t)!from_bytes_(&x, in + i * ENC);
	if (bad)
		return SG_ERR_NONCANONICAL;
	for (size_t i = 0; i < n; i++) {
		from_bytes_(&x, in + i * ENC);
		fadd(&acc[i], &acc[i], &x);
	}
	return 0;
}

/*
 * Xof.next_vec (draft §6.2): read ENC bytes, mask to the modulus' bit
 * length (a no-op for both fields: their moduli need every bit), keep the
 * value if it is below p. The stream is read in blocks; whether a sample is
 * rejected is public in the draft's design (it happens with probability
 * below 2^-31 for Field64 and 2^-59 for Field128).
 */
static void k_sample(sg_fe *out, size_t n, sg_xof *xof)
{
	uint8_t buf[ENC * 168];
	size_t got = 0;
	while (got < n) {
		size_t want = n - got;
		if (want > 168)
			want = 168;
		sg_xof_next(xof, buf, want * ENC);
		for (size_t i = 0; i < want; i++) {
			if (from_bytes_(&out[got], buf + i * ENC))
				got++;
		}
	}
	sodium_memzero(buf, sizeof buf);
}

/* r = a^(2^k) */
static inline void k_sqn(sg_fe *r, const sg_fe *a, unsigned k)
{
	sg_fe t = *a;
	for (unsigned i = 0; i < k; i++)
		fmul(&t, &t, &t);
	*r = t;
}

/* r = a^(2^k) * b: extends an addition chain, e_(i+k) = e_i^(2^k) * e_k */
static inline void k_sqmul(sg_fe *r, const sg_fe *a, unsigned k, const sg_fe *b)
{
	k_sqn(r, a, k);
	fmul(r, r, b);
}

static void k_zero(sg_fe *r)
{
	r->v[0] = r->v[1] = 0;
}

static void k_neg(sg_fe *r, const sg_fe *a)
{
	sg_fe z = { { 0, 0 } };
	fsub(r, &z, a);
}

/* Representations are unique (fully reduced), so equal elements have equal
 * limbs; the comparison folds all limbs before the one final test. */
static bool k_eq(const sg_fe *a, const sg_fe *b)
{
	uint64_t d = (a->v[0] ^ b->v[0]) | (a->v[1] ^ b->v[1]);
	return ((d | ((uint64_t)0 - d)) >> 63) == 0;
}

/* The sg_field entries both fields fill from this template. */
#define SG_FIELD_COMMON_ENTRIES                                                               \
	.encoded_size = ENC, .zero = k_zero, .one = fone, .from_u64 = from_u64_, .add = fadd,  \
	.sub = fsub, .neg = k_neg, .mul = fmul, .eq = k_eq, .encode = k_encode,                 \
	.decode = k_decode, .add_encoded = k_add_encoded, .vec_add = k_vec_add, .vec_sub = k_vec_sub, .sample = k_sample,     \
	.ntt = k_ntt, .intt = k_intt, .double_evals = k_double_evals, .dot = k_dot,             \
	.vec_mac = k_vec_mac, .wide_reduce = k_wide_reduce, .vec_scale = k_vec_scale,   \
	.chunk_wires = k_chunk_wires, .chunk_mac = k_chunk_mac, .decode_bits = k_decode_bits
