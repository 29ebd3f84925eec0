/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The paired squeeze-and-absorb must give exactly what squeezing one XOF
 * and then absorbing its output into another gives, for every length and
 * starting offset, and the sampling wrapper must fall back correctly when
 * a sample is rejected.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "core/field.h"
#include "core/xof.h"

static void start_pair(sg_xof *a, sg_xof *b, size_t a_pre, size_t b_pre, uint8_t tag)
{
	uint8_t seed[32], junk[400];
	memset(seed, tag, sizeof seed);
	for (size_t i = 0; i < sizeof junk; i++)
		junk[i] = (uint8_t)(i * 7 + tag);
	sg_xof_start(a, seed, sizeof seed, (const uint8_t *)"pair-a", 6);
	sg_xof_start(b, seed, sizeof seed, (const uint8_t *)"pair-b", 6);
	sg_xof_absorb(b, junk, b_pre);
	/* move a's squeeze position off the block boundary */
	uint8_t skip[400];
	sg_xof_next(a, skip, a_pre);
}

Test(xof_pair, squeeze_absorb_equals_sequential)
{
	const size_t lens[] = { 0, 1, 15, 167, 168, 169, 336, 1000, 5000 };
	const size_t pres[] = { 0, 1, 100, 167, 168, 200 };
	static uint8_t out1[5000], out2[5000];
	for (size_t li = 0; li < sizeof lens / sizeof lens[0]; li++)
		for (size_t ai = 0; ai < sizeof pres / sizeof pres[0]; ai++)
			for (size_t bi = 0; bi < sizeof pres / sizeof pres[0]; bi++) {
				sg_xof a1, b1, a2, b2;
				size_t len = lens[li];
				uint8_t d1[48], d2[48];
				start_pair(&a1, &b1, pres[ai], pres[bi], (uint8_t)li);
				start_pair(&a2, &b2, pres[ai], pres[bi], (uint8_t)li);
				sg_xof_next(&a1, out1, len);
				sg_xof_absorb(&b1, out1, len);
				sg_xof_next_absorb(&a2, &b2, out2, len);
				cr_assert_arr_eq(out1, out2, len);
				/* both sponges continue identically */
				sg_xof_next(&a1, d1, 24);
				sg_xof_next(&a2, d2, 24);
				sg_xof_next(&b1, d1 + 24, 24);
				sg_xof_next(&b2, d2 + 24, 24);
				cr_assert_arr_eq(d1, d2, sizeof d1, "len %zu a_pre %zu b_pre %zu", len,
						 pres[ai], pres[bi]);
			}
}

/*
 * A field like Field64 that also rejects every sample whose first byte is
 * zero, so that sg_field_sample_absorb meets rejections (about one sample
 * in 256) and must rewind and redo the work in sequence.
 */
static int picky_decode(sg_fe *out, const uint8_t *in, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (in[8 * i] == 0)
			return -1;
	return sg_field64.decode(out, in, n);
}

static void picky_sample(sg_fe *out, size_t n, sg_xof *xof)
{
	size_t got = 0;
	uint8_t b[8];
	while (got < n) {
		sg_xof_next(xof, b, 8);
		if (picky_decode(&out[got], b, 1) == 0)
			got++;
	}
}

Test(xof_pair, sample_absorb_matches_with_and_without_rejections)
{
	sg_field picky = sg_field64;
	picky.decode = picky_decode;
	picky.sample = picky_sample;
	const sg_field *fields[] = { &sg_field64, &sg_field128, &picky };
	enum { N = 700 };
	static sg_fe v1[N], v2[N];
	static uint8_t enc[N * 16];
	for (size_t k = 0; k < 3; k++) {
		const sg_field *f = fields[k];
		for (uint8_t tag = 0; tag < 4; tag++) {
			sg_xof a1, b1, a2, b2;
			uint8_t p1[32], p2[32];
			start_pair(&a1, &b1, 0, 17 + tag, tag);
			start_pair(&a2, &b2, 0, 17 + tag, tag);
			f->sample(v1, N, &a1);
			f->encode(enc, v1, N);
			sg_xof_absorb(&b1, enc, N * f->encoded_size);
			sg_field_sample_absorb(f, v2, N, &a2, &b2);
			for (size_t i = 0; i < N; i++)
				cr_assert(f->eq(&v1[i], &v2[i]), "field %zu element %zu", k, i);
			sg_xof_next(&b1, p1, sizeof p1);
			sg_xof_next(&b2, p2, sizeof p2);
			cr_assert_arr_eq(p1, p2, sizeof p1, "field %zu absorbed bytes differ", k);
			sg_xof_next(&a1, p1, sizeof p1);
			sg_xof_next(&a2, p2, sizeof p2);
			cr_assert_arr_eq(p1, p2, sizeof p1, "field %zu stream position differs", k);
		}
	}
}
