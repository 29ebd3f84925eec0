/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/field.h"
#include "spillguard/err.h"

size_t sg_next_pow2(size_t n)
{
	size_t p = 1;
	while (p < n)
		p <<= 1;
	return p;
}

unsigned sg_log2(size_t n)
{
	unsigned k = 0;
	while (((size_t)1 << k) < n)
		k++;
	return k;
}

void sg_field_pow(const sg_field *f, sg_fe *r, const sg_fe *x, uint64_t e)
{
	sg_fe acc, base = *x;
	f->one(&acc);
	while (e) {
		if (e & 1)
			f->mul(&acc, &acc, &base);
		f->mul(&base, &base, &base);
		e >>= 1;
	}
	*r = acc;
}

void sg_field_batch_inv(const sg_field *f, sg_fe *a, size_t n, sg_fe *scratch)
{
	if (n == 0)
		return;
	/* scratch[i] = a[0] * ... * a[i] */
	scratch[0] = a[0];
	for (size_t i = 1; i < n; i++)
		f->mul(&scratch[i], &scratch[i - 1], &a[i]);
	sg_fe inv;
	f->inv(&inv, &scratch[n - 1]);
	for (size_t i = n - 1; i > 0; i--) {
		sg_fe ai = a[i];
		f->mul(&a[i], &inv, &scratch[i - 1]);
		f->mul(&inv, &inv, &ai);
	}
	a[0] = inv;
}

void sg_ntt_plan_free(sg_ntt_plan *plan)
{
	if (plan == NULL)
		return;
	free(plan->roots);
	free(plan->inv_roots);
	free(plan->twist);
	free(plan->inv_n);
	memset(plan, 0, sizeof *plan);
}

static size_t bitrev(size_t i, unsigned bits)
{
	size_t r = 0;
	for (unsigned b = 0; b < bits; b++, i >>= 1)
		r = (r << 1) | (i & 1);
	return r;
}

/* twist[n-1 + i] = s^bitrev(i) / n with s = w_{2n} = roots[N/(2n)] */
static void fill_twist(const sg_field *f, sg_ntt_plan *plan)
{
	size_t big = (size_t)1 << plan->log_max;
	for (unsigned k = 0; k < plan->log_max; k++) {
		size_t n = (size_t)1 << k, stride = big >> (k + 1);
		for (size_t i = 0; i < n; i++)
			f->mul(&plan->twist[n - 1 + i], &plan->roots[bitrev(i, k) * stride],
			       &plan->inv_n[k]);
	}
}

int sg_ntt_plan_init(sg_ntt_plan *plan, const sg_field *f, unsigned log_max)
{
	int ret = SG_ERR_NOMEM;
	memset(plan, 0, sizeof *plan);
	if (log_max < 1 || log_max > f->two_adicity || log_max > 24)
		return SG_ERR_PARAM;
	size_t big = (size_t)1 << log_max, half = big / 2;
	plan->log_max = log_max;
	plan->roots = calloc(big, sizeof(sg_fe));
	plan->inv_roots = calloc(half, sizeof(sg_fe));
	plan->twist = calloc(big, sizeof(sg_fe));
	plan->inv_n = calloc(log_max + 1, sizeof(sg_fe));
	if (!plan->roots || !plan->inv_roots || !plan->twist || !plan->inv_n)
		goto cleanup;
	sg_fe w, w_inv, two, two_inv;
	f->root(&w, log_max);
	f->inv(&w_inv, &w);
	f->one(&plan->roots[0]);
	f->one(&plan->inv_roots[0]);
	for (size_t i = 1; i < big; i++)
		f->mul(&plan->roots[i], &plan->roots[i - 1], &w);
	for (size_t i = 1; i < half; i++)
		f->mul(&plan->inv_roots[i], &plan->inv_roots[i - 1], &w_inv);
	f->from_u64(&two, 2);
	f->inv(&two_inv, &two);
	f->one(&plan->inv_n[0]);
	for (unsigned k = 1; k <= log_max; k++)
		f->mul(&plan->inv_n[k], &plan->inv_n[k - 1], &two_inv);
	fill_twist(f, plan);
	ret = 0;
cleanup:
	if (ret != 0)
		sg_ntt_plan_free(plan);
	return ret;
}

/*
 * f->sample(out, n, a) while absorbing encode(out) into b. The stream is
 * squeezed straight into b in chunks; when every sample is accepted (all
 * but about 2^-59 per Field128 element, 2^-32 per Field64 one) the
 * absorbed bytes are exactly the encoding. After a rejection both XOFs are
 * rewound and the two steps run one after the other.
 */
void sg_field_sample_absorb(const sg_field *f, sg_fe *out, size_t n, sg_xof *a, sg_xof *b)
{
	enum { CHUNK = 84 }; /* elements; 84 * 16 bytes = 8 blocks */
	uint8_t buf[CHUNK * 16];
	sg_xof a0 = *a, b0 = *b;
	size_t enc = f->encoded_size, done = 0;
	bool rejected = false;
	while (done < n && !rejected) {
		size_t k = n - done < CHUNK ? n - done : CHUNK;
		sg_xof_next_absorb(a, b, buf, k * enc);
		rejected = f->decode(&out[done], buf, k) != 0;
		done += k;
	}
	if (rejected) {
		*a = a0;
		*b = b0;
		f->sample(out, n, a);
		for (size_t i = 0; i < n; i += CHUNK) {
			size_t k = n - i < CHUNK ? n - i : CHUNK;
			f->encode(buf, &out[i], k);
			sg_xof_absorb(b, buf, k * enc);
		}
	}
	sodium_memzero(buf, sizeof buf);
	sg_xof_wipe(&a0);
	sg_xof_wipe(&b0);
}
