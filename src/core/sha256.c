/* SPDX-License-Identifier: Apache-2.0 */
#include <string.h>

#include <sodium.h>

#include "core/sha256.h"
#include "util/misuse.h"

#if defined(__x86_64__) && !defined(SG_PORTABLE_ARITH)
#define SG_SHA256_X86 1
#include <cpuid.h>
#include <immintrin.h>
#endif

static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
	0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
	0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
	0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
	0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
	0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
	0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
	0xc67178f2,
};

static const uint32_t H0[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
				0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };

static uint32_t rotr(uint32_t x, unsigned n)
{
	return x >> n | x << (32 - n);
}

static uint32_t load_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

void sg_sha256_blocks_portable(uint32_t h[8], const uint8_t *in, size_t n)
{
	uint32_t w[64];
	for (; n > 0; n--, in += SG_SHA256_BLOCK_BYTES) {
		for (int t = 0; t < 16; t++)
			w[t] = load_be32(in + 4 * t);
		for (int t = 16; t < 64; t++) {
			uint32_t s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ w[t - 15] >> 3;
			uint32_t s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ w[t - 2] >> 10;
			w[t] = w[t - 16] + s0 + w[t - 7] + s1;
		}
		uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6],
			 hh = h[7];
		for (int t = 0; t < 64; t++) {
			uint32_t t1 = hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) +
				      ((e & f) ^ (~e & g)) + K[t] + w[t];
			uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) +
				      ((a & b) ^ (a & c) ^ (b & c));
			hh = g;
			g = f;
			f = e;
			e = d + t1;
			d = c;
			c = b;
			b = a;
			a = t1 + t2;
		}
		h[0] += a;
		h[1] += b;
		h[2] += c;
		h[3] += d;
		h[4] += e;
		h[5] += f;
		h[6] += g;
		h[7] += hh;
	}
}

#ifdef SG_SHA256_X86

bool sg_sha256_have_ni(void)
{
	unsigned a, b, c, d;
	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & 1u << 19) || !(c & 1u << 9))
		return false; /* SSE4.1, SSSE3 */
	return __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & 1u << 29); /* SHA */
}

/*
 * The SHA extensions keep the state as two vectors, ABEF and CDGH;
 * sha256rnds2 runs two rounds with two words of W+K, sha256msg1/msg2 extend
 * the message schedule four words at a time:
 *   W[t..t+3] = msg2(msg1(W[t-16..t-13], W[t-12..t-9]) + W[t-7..t-4], W[t-4..t-1]).
 */
__attribute__((target("sha,sse4.1,ssse3"))) void sg_sha256_blocks_ni(uint32_t h[8],
								       const uint8_t *in,
								       size_t n)
{
	const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
	__m128i dcba = _mm_loadu_si128((const __m128i *)&h[0]);
	__m128i hgfe = _mm_loadu_si128((const __m128i *)&h[4]);
	__m128i cdab = _mm_shuffle_epi32(dcba, 0xb1);
	__m128i efgh = _mm_shuffle_epi32(hgfe, 0x1b);
	__m128i abef = _mm_alignr_epi8(cdab, efgh, 8);
	__m128i cdgh = _mm_blend_epi16(efgh, cdab, 0xf0);
	for (; n > 0; n--, in += SG_SHA256_BLOCK_BYTES) {
		__m128i w[4], save0 = abef, save1 = cdgh;
		for (int g = 0; g < 16; g++) {
			__m128i m;
			if (g < 4) {
				m = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(in + 16 * g)),
						     bswap);
			} else {
				m = _mm_sha256msg1_epu32(w[g & 3], w[(g + 1) & 3]);
				m = _mm_add_epi32(m, _mm_alignr_epi8(w[(g + 3) & 3], w[(g + 2) & 3], 4));
				m = _mm_sha256msg2_epu32(m, w[(g + 3) & 3]);
			}
			w[g & 3] = m;
			__m128i wk = _mm_add_epi32(m, _mm_loadu_si128((const __m128i *)&K[4 * g]));
			cdgh = _mm_sha256rnds2_epu32(cdgh, abef, wk);
			abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(wk, 0x0e));
		}
		abef = _mm_add_epi32(abef, save0);
		cdgh = _mm_add_epi32(cdgh, save1);
	}
	__m128i feba = _mm_shuffle_epi32(abef, 0x1b);
	__m128i dchg = _mm_shuffle_epi32(cdgh, 0xb1);
	_mm_storeu_si128((__m128i *)&h[0], _mm_blend_epi16(feba, dchg, 0xf0));
	_mm_storeu_si128((__m128i *)&h[4], _mm_alignr_epi8(dchg, feba, 8));
}

#else

bool sg_sha256_have_ni(void)
{
	return false;
}

void sg_sha256_blocks_ni(uint32_t h[8], const uint8_t *in, size_t n)
{
	(void)h;
	(void)in;
	(void)n;
	sg_misuse("sg_sha256_blocks_ni without the SHA extensions");
}

#endif

/* The compression function, chosen once. */
static void (*blocks)(uint32_t h[8], const uint8_t *in, size_t n);

static void compress(uint32_t h[8], const uint8_t *in, size_t n)
{
	if (blocks == NULL) /* a race only writes the same value twice */
		blocks = sg_sha256_have_ni() ? sg_sha256_blocks_ni : sg_sha256_blocks_portable;
	blocks(h, in, n);
}

void sg_sha256_init(sg_sha256_state *st)
{
	memcpy(st->h, H0, sizeof H0);
	st->total = 0;
	st->n = 0;
}

void sg_sha256_update(sg_sha256_state *st, const uint8_t *in, size_t len)
{
	st->total += len;
	if (st->n > 0) {
		size_t take = SG_SHA256_BLOCK_BYTES - st->n < len ? SG_SHA256_BLOCK_BYTES - st->n : len;
		memcpy(st->buf + st->n, in, take);
		st->n += take;
		in += take;
		len -= take;
		if (st->n < SG_SHA256_BLOCK_BYTES)
			return;
		compress(st->h, st->buf, 1);
		st->n = 0;
	}
	if (len >= SG_SHA256_BLOCK_BYTES) {
		size_t whole = len / SG_SHA256_BLOCK_BYTES;
		compress(st->h, in, whole);
		in += whole * SG_SHA256_BLOCK_BYTES;
		len -= whole * SG_SHA256_BLOCK_BYTES;
	}
	if (len > 0) {
		memcpy(st->buf, in, len);
		st->n = len;
	}
}

void sg_sha256_final(sg_sha256_state *st, uint8_t out[SG_SHA256_BYTES])
{
	uint64_t bits = st->total * 8;
	st->buf[st->n++] = 0x80;
	if (st->n > SG_SHA256_BLOCK_BYTES - 8) {
		memset(st->buf + st->n, 0, SG_SHA256_BLOCK_BYTES - st->n);
		compress(st->h, st->buf, 1);
		st->n = 0;
	}
	memset(st->buf + st->n, 0, SG_SHA256_BLOCK_BYTES - 8 - st->n);
	for (int i = 0; i < 8; i++)
		st->buf[SG_SHA256_BLOCK_BYTES - 1 - i] = (uint8_t)(bits >> (8 * i));
	compress(st->h, st->buf, 1);
	for (int i = 0; i < 8; i++) {
		out[4 * i] = (uint8_t)(st->h[i] >> 24);
		out[4 * i + 1] = (uint8_t)(st->h[i] >> 16);
		out[4 * i + 2] = (uint8_t)(st->h[i] >> 8);
		out[4 * i + 3] = (uint8_t)st->h[i];
	}
	sodium_memzero(st, sizeof *st);
}

void sg_sha256(uint8_t out[SG_SHA256_BYTES], const uint8_t *in, size_t len)
{
	sg_sha256_state st;
	sg_sha256_init(&st);
	sg_sha256_update(&st, in, len);
	sg_sha256_final(&st, out);
}
