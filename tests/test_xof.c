/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TurboSHAKE128 against RFC 9861's vectors, XofTurboShake128 against the
 * draft-irtf-cfrg-vdaf-20 vector, streaming against one-shot, and misuse.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xof.h"

/* ---- helpers ------------------------------------------------------------ */

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes up to n characters of hex (spaces allowed) into a malloc'd buffer. */
static uint8_t *unhex_n(const char *hex, size_t n, size_t *len)
{
	uint8_t *out = malloc(n / 2 + 1);
	size_t i, k = 0;
	int hi = -1, v;

	cr_assert(out != NULL);
	for (i = 0; i < n; i++) {
		if (hex[i] == ' ')
			continue;
		v = hex_digit(hex[i]);
		cr_assert(v >= 0, "bad hex digit '%c'", hex[i]);
		if (hi < 0) {
			hi = v;
		} else {
			out[k++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	cr_assert(hi < 0, "odd number of hex digits");
	*len = k;
	return out;
}

static uint8_t *unhex(const char *hex, size_t *len)
{
	return unhex_n(hex, strlen(hex), len);
}

static void expect_bytes(const uint8_t *got, const uint8_t *want, size_t n, const char *what)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (got[i] != want[i])
			break;
	cr_expect(i == n, "%s: first difference at byte %zu of %zu (got %02x, want %02x)",
		  what, i, n, i < n ? got[i] : 0, i < n ? want[i] : 0);
}

/* RFC 9861 §5: ptn(n) is n bytes of 00 01 .. F9 FA repeated. */
static uint8_t *ptn(size_t n)
{
	uint8_t *m = malloc(n ? n : 1);
	size_t i;

	cr_assert(m != NULL);
	for (i = 0; i < n; i++)
		m[i] = (uint8_t)(i % 251);
	return m;
}

static void turboshake_oneshot(uint8_t *out, size_t out_len, const uint8_t *m,
			       size_t m_len, uint8_t domain)
{
	sg_turboshake s;

	sg_turboshake128_init(&s);
	sg_turboshake128_absorb(&s, m, m_len);
	sg_turboshake128_finalize(&s, domain);
	sg_turboshake128_squeeze(&s, out, out_len);
}

/* splitmix64: deterministic piece sizes, so a failure reproduces. */
static uint64_t rng_state = 0x5ca1ab1e;

static uint64_t rng(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Piece sizes: the block-boundary cases from the brief, or random. */
static size_t piece(void)
{
	static const size_t edges[] = { 0, 1, 7, 8, 167, 168, 169, 336, 1000 };
	uint64_t r = rng();

	if (r % 2)
		return edges[(r >> 8) % (sizeof edges / sizeof edges[0])];
	return (size_t)((r >> 8) % 400);
}

/* ---- RFC 9861 §5 known answers ---------------------------------------- */

struct kat {
	const char *msg;   /* message in hex, or NULL for ptn(ptn_len) */
	size_t ptn_len;
	uint8_t domain;
	size_t out_len;    /* bytes squeezed */
	const char *tail;  /* expected last bytes of the output */
};

/* Expected values copied from RFC 9861 §5 "Test Vectors" (TurboSHAKE128). */
static struct kat rfc9861[] = {
	/* TurboSHAKE128(M=`00`^0, D=`1F`, 32) */
	{ "", 0, 0x1f, 32,
	  "1E 41 5F 1C 59 83 AF F2 16 92 17 27 7D 17 BB 53"
	  "8C D9 45 A3 97 DD EC 54 1F 1C E4 1A F2 C1 B7 4C" },
	/* TurboSHAKE128(M=`00`^0, D=`1F`, 64) */
	{ "", 0, 0x1f, 64,
	  "1E 41 5F 1C 59 83 AF F2 16 92 17 27 7D 17 BB 53"
	  "8C D9 45 A3 97 DD EC 54 1F 1C E4 1A F2 C1 B7 4C"
	  "3E 8C CA E2 A4 DA E5 6C 84 A0 4C 23 85 C0 3C 15"
	  "E8 19 3B DF 58 73 73 63 32 16 91 C0 54 62 C8 DF" },
	/* TurboSHAKE128(M=`00`^0, D=`1F`, 10032), last 32 bytes */
	{ "", 0, 0x1f, 10032,
	  "A3 B9 B0 38 59 00 CE 76 1F 22 AE D5 48 E7 54 DA"
	  "10 A5 24 2D 62 E8 C6 58 E3 F3 A9 23 A7 55 56 07" },
	/* TurboSHAKE128(M=ptn(17**0 bytes), D=`1F`, 32) */
	{ NULL, 1, 0x1f, 32,
	  "55 CE DD 6F 60 AF 7B B2 9A 40 42 AE 83 2E F3 F5"
	  "8D B7 29 9F 89 3E BB 92 47 24 7D 85 69 58 DA A9" },
	/* TurboSHAKE128(M=ptn(17**1 bytes), D=`1F`, 32) */
	{ NULL, 17, 0x1f, 32,
	  "9C 97 D0 36 A3 BA C8 19 DB 70 ED E0 CA 55 4E C6"
	  "E4 C2 A1 A4 FF BF D9 EC 26 9C A6 A1 11 16 12 33" },
	/* TurboSHAKE128(M=ptn(17**2 bytes), D=`1F`, 32) */
	{ NULL, 289, 0x1f, 32,
	  "96 C7 7C 27 9E 01 26 F7 FC 07 C9 B0 7F 5C DA E1"
	  "E0 BE 60 BD BE 10 62 00 40 E7 5D 72 23 A6 24 D2" },
	/* TurboSHAKE128(M=ptn(17**3 bytes), D=`1F`, 32) */
	{ NULL, 4913, 0x1f, 32,
	  "D4 97 6E B5 6B CF 11 85 20 58 2B 70 9F 73 E1 D6"
	  "85 3E 00 1F DA F8 0E 1B 13 E0 D0 59 9D 5F B3 72" },
	/* TurboSHAKE128(M=ptn(17**4 bytes), D=`1F`, 32) */
	{ NULL, 83521, 0x1f, 32,
	  "DA 67 C7 03 9E 98 BF 53 0C F7 A3 78 30 C6 66 4E"
	  "14 CB AB 7F 54 0F 58 40 3B 1B 82 95 13 18 EE 5C" },
	/* TurboSHAKE128(M=ptn(17**5 bytes), D=`1F`, 32) */
	{ NULL, 1419857, 0x1f, 32,
	  "B9 7A 90 6F BF 83 EF 7C 81 25 17 AB F3 B2 D0 AE"
	  "A0 C4 F6 03 18 CE 11 CF 10 39 25 12 7F 59 EE CD" },
	/* TurboSHAKE128(M=ptn(17**6 bytes), D=`1F`, 32) */
	{ NULL, 24137569, 0x1f, 32,
	  "35 CD 49 4A DE DE D2 F2 52 39 AF 09 A7 B8 EF 0C"
	  "4D 1C A4 FE 2D 1A C3 70 FA 63 21 6F E7 B4 C2 B1" },
	/* TurboSHAKE128(M=`FF FF FF`, D=`01`, 32) */
	{ "FF FF FF", 0, 0x01, 32,
	  "BF 32 3F 94 04 94 E8 8E E1 C5 40 FE 66 0B E8 A0"
	  "C9 3F 43 D1 5E C0 06 99 84 62 FA 99 4E ED 5D AB" },
	/* TurboSHAKE128(M=`FF`, D=`06`, 32) */
	{ "FF", 0, 0x06, 32,
	  "8E C9 C6 64 65 ED 0D 4A 6C 35 D1 35 06 71 8D 68"
	  "7A 25 CB 05 C7 4C CA 1E 42 50 1A BD 83 87 4A 67" },
	/* TurboSHAKE128(M=`FF FF FF`, D=`07`, 32) */
	{ "FF FF FF", 0, 0x07, 32,
	  "B6 58 57 60 01 CA D9 B1 E5 F3 99 A9 F7 77 23 BB"
	  "A0 54 58 04 2D 68 20 6F 72 52 68 2D BA 36 63 ED" },
	/* TurboSHAKE128(M=`FF FF FF FF FF FF FF`, D=`0B`, 32) */
	{ "FF FF FF FF FF FF FF", 0, 0x0b, 32,
	  "8D EE AA 1A EC 47 CC EE 56 9F 65 9C 21 DF A8 E1"
	  "12 DB 3C EE 37 B1 81 78 B2 AC D8 05 B7 99 CC 37" },
	/* TurboSHAKE128(M=`FF`, D=`30`, 32) */
	{ "FF", 0, 0x30, 32,
	  "55 31 22 E2 13 5E 36 3C 32 92 BE D2 C6 42 1F A2"
	  "32 BA B0 3D AA 07 C7 D6 63 66 03 28 65 06 32 5B" },
	/* TurboSHAKE128(M=`FF FF FF`, D=`7F`, 32) */
	{ "FF FF FF", 0, 0x7f, 32,
	  "16 27 4C C6 56 D4 4C EF D4 22 39 5D 0F 90 53 BD"
	  "A6 D2 8E 12 2A BA 15 C7 65 E5 AD 0E 6E AF 26 F9" },
};

static uint8_t *kat_message(const struct kat *k, size_t *len)
{
	if (k->msg == NULL) {
		*len = k->ptn_len;
		return ptn(k->ptn_len);
	}
	return unhex(k->msg, len);
}

/*
 * Criterion hands parameters to a re-executed worker, where pointers into
 * this image would dangle under ASLR; so the parameter is an index.
 */
#define N_RFC9861 (sizeof rfc9861 / sizeof rfc9861[0])

ParameterizedTestParameters(turboshake128, rfc9861)
{
	static size_t index[N_RFC9861];
	size_t i;

	for (i = 0; i < N_RFC9861; i++)
		index[i] = i;
	return cr_make_param_array(size_t, index, N_RFC9861);
}

ParameterizedTest(size_t *index, turboshake128, rfc9861)
{
	const struct kat *k = &rfc9861[*index];
	size_t m_len, want_len;
	uint8_t *m = kat_message(k, &m_len);
	uint8_t *want = unhex(k->tail, &want_len);
	uint8_t *out = malloc(k->out_len);

	cr_assert(out != NULL && want_len <= k->out_len);
	turboshake_oneshot(out, k->out_len, m, m_len, k->domain);
	expect_bytes(out + k->out_len - want_len, want, want_len, "one-shot output");
	free(out);
	free(want);
	free(m);
}

/* ---- streaming ---------------------------------------------------------- */

/* ptn(17**4) absorbed in odd pieces must still give the RFC's answer. */
Test(turboshake128, pieces_absorb_rfc9861)
{
	size_t n = 83521, off = 0, p, want_len;
	uint8_t *m = ptn(n), out[32];
	uint8_t *want = unhex(rfc9861[7].tail, &want_len);
	sg_turboshake s;

	cr_assert(rfc9861[7].ptn_len == n);
	sg_turboshake128_init(&s);
	while (off < n) {
		p = piece();
		p = p > n - off ? n - off : p;
		sg_turboshake128_absorb(&s, m + off, p);
		off += p;
	}
	sg_turboshake128_finalize(&s, 0x1f);
	sg_turboshake128_squeeze(&s, out, sizeof out);
	expect_bytes(out, want, sizeof out, "ptn(17**4) in pieces");
	free(want);
	free(m);
}

/* The 10032-byte empty-message stream squeezed in odd pieces. */
Test(turboshake128, pieces_squeeze_rfc9861)
{
	size_t n = 10032, off = 0, p, head_len, tail_len;
	uint8_t *head = unhex(rfc9861[1].tail, &head_len);
	uint8_t *tail = unhex(rfc9861[2].tail, &tail_len);
	uint8_t out[10032], whole[10032];
	sg_turboshake s;

	sg_turboshake128_init(&s);
	sg_turboshake128_finalize(&s, 0x1f);
	while (off < n) {
		p = piece();
		p = p > n - off ? n - off : p;
		sg_turboshake128_squeeze(&s, out + off, p);
		off += p;
	}
	turboshake_oneshot(whole, n, NULL, 0, 0x1f);
	expect_bytes(out, head, head_len, "first 64 bytes");
	expect_bytes(out + n - tail_len, tail, tail_len, "last 32 bytes");
	expect_bytes(out, whole, n, "pieces against one-shot");
	free(tail);
	free(head);
}

/* Random lengths and pieces on both sides against one-shot calls. */
Test(turboshake128, pieces_match_oneshot)
{
	static uint8_t m[4096], want[4096], got[4096];
	size_t trial, m_len, out_len, off, p;
	sg_turboshake s;

	for (trial = 0; trial < 300; trial++) {
		m_len = (size_t)(rng() % sizeof m);
		out_len = 1 + (size_t)(rng() % (sizeof want - 1));
		for (off = 0; off < m_len; off++)
			m[off] = (uint8_t)rng();
		turboshake_oneshot(want, out_len, m, m_len, 0x01);

		sg_turboshake128_init(&s);
		for (off = 0; off < m_len; off += p) {
			p = piece();
			p = p > m_len - off ? m_len - off : p;
			sg_turboshake128_absorb(&s, m + off, p);
		}
		sg_turboshake128_finalize(&s, 0x01);
		memset(got, 0, sizeof got);
		for (off = 0; off < out_len; off += p) {
			p = piece();
			p = p > out_len - off ? out_len - off : p;
			sg_turboshake128_squeeze(&s, got + off, p);
		}
		expect_bytes(got, want, out_len, "pieces against one-shot");
		cr_assert(memcmp(got, want, out_len) == 0, "trial %zu: m_len %zu, out_len %zu",
			  trial, m_len, out_len);
	}
}

/* ---- XofTurboShake128, draft-irtf-cfrg-vdaf-20 -------------------------- */

static char *read_vector_file(const char *name)
{
	const char *dir = getenv("SG_VECTORS");
	char path[1024];
	FILE *f;
	char *text;
	size_t n;

	if (dir == NULL || dir[0] == '\0')
		dir = "../shared/vectors";
	snprintf(path, sizeof path, "%s/vdaf-20/%s", dir, name);
	f = fopen(path, "rb");
	cr_assert(f != NULL, "cannot open %s (set SG_VECTORS or run from the repository root)", path);
	text = malloc(1 << 20);
	cr_assert(text != NULL);
	n = fread(text, 1, (1 << 20) - 1, f);
	cr_assert(!ferror(f) && feof(f), "cannot read all of %s", path);
	fclose(f);
	text[n] = '\0';
	return text;
}

/* The text after `"key":` in our own flat fixture; fails the test if absent. */
static const char *json_value(const char *doc, const char *key)
{
	char quoted[64];
	const char *p;

	snprintf(quoted, sizeof quoted, "\"%s\"", key);
	p = strstr(doc, quoted);
	cr_assert(p != NULL, "key %s missing", key);
	p += strlen(quoted);
	p += strspn(p, " \t\r\n");
	cr_assert(*p == ':', "key %s: no colon", key);
	p++;
	return p + strspn(p, " \t\r\n");
}

static uint8_t *json_hex(const char *doc, const char *key, size_t *len)
{
	const char *p = json_value(doc, key), *end;

	cr_assert(*p == '"', "key %s: not a string", key);
	end = strchr(p + 1, '"');
	cr_assert(end != NULL, "key %s: unterminated string", key);
	return unhex_n(p + 1, (size_t)(end - p - 1), len);
}

struct xof_vector {
	char *text;
	uint8_t *seed, *dst, *binder, *derived, *expanded;
	size_t seed_len, dst_len, binder_len, derived_len, expanded_len;
};

static void load_xof_vector(struct xof_vector *v)
{
	unsigned long length;

	v->text = read_vector_file("XofTurboShake128.json");
	v->seed = json_hex(v->text, "seed", &v->seed_len);
	v->dst = json_hex(v->text, "dst", &v->dst_len);
	v->binder = json_hex(v->text, "binder", &v->binder_len);
	v->derived = json_hex(v->text, "derived_seed", &v->derived_len);
	v->expanded = json_hex(v->text, "expanded_vec_field128", &v->expanded_len);
	length = strtoul(json_value(v->text, "length"), NULL, 10);
	cr_assert(v->seed_len == SG_XOF_SEED_BYTES && v->derived_len == SG_XOF_SEED_BYTES);
	/* 16 bytes per Field128 element; this vector rejected no sample. */
	cr_assert(v->expanded_len == 16 * length && length == 40,
		  "expanded_vec_field128 has %zu bytes for length %lu", v->expanded_len, length);
}

static void free_xof_vector(struct xof_vector *v)
{
	free(v->expanded);
	free(v->derived);
	free(v->binder);
	free(v->dst);
	free(v->seed);
	free(v->text);
}

Test(xof, draft_vector_derive_seed)
{
	struct xof_vector v;
	uint8_t out[SG_XOF_SEED_BYTES];

	load_xof_vector(&v);
	sg_xof_derive_seed(out, v.seed, v.dst, v.dst_len, v.binder, v.binder_len);
	expect_bytes(out, v.derived, sizeof out, "derived_seed");
	free_xof_vector(&v);
}

Test(xof, draft_vector_stream)
{
	struct xof_vector v;
	uint8_t out[640];
	size_t off, p;
	sg_xof x;

	load_xof_vector(&v);
	sg_xof_start(&x, v.seed, v.seed_len, v.dst, v.dst_len);
	sg_xof_absorb(&x, v.binder, v.binder_len);
	sg_xof_next(&x, out, sizeof out);
	expect_bytes(out, v.expanded, sizeof out, "expanded_vec_field128, one call");

	/* Binder in two pieces, output in 16-byte elements as next_vec reads it. */
	memset(out, 0, sizeof out);
	sg_xof_start(&x, v.seed, v.seed_len, v.dst, v.dst_len);
	sg_xof_absorb(&x, v.binder, 5);
	sg_xof_absorb(&x, v.binder + 5, v.binder_len - 5);
	for (off = 0; off < sizeof out; off += p) {
		p = off % 48 == 0 ? 16 : 32;
		sg_xof_next(&x, out + off, p);
	}
	expect_bytes(out, v.expanded, sizeof out, "expanded_vec_field128, in pieces");
	sg_xof_wipe(&x);
	free_xof_vector(&v);
}

/*
 * Framing beyond the vector: a 16-byte seed and a 400-byte dst (le16 bytes
 * 0x90 0x01, both halves busy) against the message spelled out by hand.
 */
Test(xof, framing_other_lengths)
{
	uint8_t seed[16], dst[400], binder[200], m[2 + 400 + 1 + 16 + 200];
	uint8_t got[500], want[500];
	size_t i;
	sg_xof x;

	for (i = 0; i < sizeof seed; i++)
		seed[i] = (uint8_t)(0xa0 + i);
	for (i = 0; i < sizeof dst; i++)
		dst[i] = (uint8_t)(3 * i);
	for (i = 0; i < sizeof binder; i++)
		binder[i] = (uint8_t)(7 * i + 1);
	m[0] = 400 & 0xff;
	m[1] = 400 >> 8;
	memcpy(m + 2, dst, sizeof dst);
	m[402] = sizeof seed;
	memcpy(m + 403, seed, sizeof seed);
	memcpy(m + 419, binder, sizeof binder);
	turboshake_oneshot(want, sizeof want, m, sizeof m, 0x01);

	sg_xof_start(&x, seed, sizeof seed, dst, sizeof dst);
	sg_xof_absorb(&x, binder, sizeof binder);
	sg_xof_next(&x, got, 1);
	sg_xof_next(&x, got + 1, sizeof got - 1);
	expect_bytes(got, want, sizeof got, "seed 16, dst 400");

	/* Empty seed, dst and binder (NULL pointers with zero lengths). */
	m[0] = 0;
	m[1] = 0;
	m[2] = 0;
	turboshake_oneshot(want, 64, m, 3, 0x01);
	sg_xof_start(&x, NULL, 0, NULL, 0);
	sg_xof_absorb(&x, NULL, 0);
	sg_xof_next(&x, got, 64);
	expect_bytes(got, want, 64, "all empty");
}

Test(xof, wipe_zeroes_state)
{
	static const uint8_t zero[sizeof(sg_xof)];
	uint8_t seed[SG_XOF_SEED_BYTES] = { 1 }, out[8];
	sg_xof x;

	sg_xof_start(&x, seed, sizeof seed, (const uint8_t *)"d", 1);
	sg_xof_next(&x, out, sizeof out);
	sg_xof_wipe(&x);
	cr_expect(memcmp(&x, zero, sizeof x) == 0);
}

/* ---- misuse aborts ------------------------------------------------------ */

Test(xof_misuse, absorb_after_finalize, .signal = SIGABRT)
{
	sg_turboshake s;
	uint8_t b = 0;

	sg_turboshake128_init(&s);
	sg_turboshake128_finalize(&s, 0x1f);
	sg_turboshake128_absorb(&s, &b, 1);
}

Test(xof_misuse, squeeze_before_finalize, .signal = SIGABRT)
{
	sg_turboshake s;
	uint8_t b;

	sg_turboshake128_init(&s);
	sg_turboshake128_squeeze(&s, &b, 1);
}

Test(xof_misuse, finalize_twice, .signal = SIGABRT)
{
	sg_turboshake s;

	sg_turboshake128_init(&s);
	sg_turboshake128_finalize(&s, 0x1f);
	sg_turboshake128_finalize(&s, 0x1f);
}

Test(xof_misuse, domain_zero, .signal = SIGABRT)
{
	sg_turboshake s;

	sg_turboshake128_init(&s);
	sg_turboshake128_finalize(&s, 0x00);
}

Test(xof_misuse, domain_0x80, .signal = SIGABRT)
{
	sg_turboshake s;

	sg_turboshake128_init(&s);
	sg_turboshake128_finalize(&s, 0x80);
}

Test(xof_misuse, seed_over_255, .signal = SIGABRT)
{
	static const uint8_t seed[256];
	sg_xof x;

	sg_xof_start(&x, seed, sizeof seed, NULL, 0);
}

Test(xof_misuse, dst_over_65535, .signal = SIGABRT)
{
	static const uint8_t dst[65536];
	uint8_t seed[SG_XOF_SEED_BYTES] = { 0 };
	sg_xof x;

	sg_xof_start(&x, seed, sizeof seed, dst, sizeof dst);
}

Test(xof_misuse, xof_absorb_after_next, .signal = SIGABRT)
{
	uint8_t seed[SG_XOF_SEED_BYTES] = { 0 }, out[1];
	sg_xof x;

	sg_xof_start(&x, seed, sizeof seed, NULL, 0);
	sg_xof_next(&x, out, 1);
	sg_xof_absorb(&x, out, 1);
}
