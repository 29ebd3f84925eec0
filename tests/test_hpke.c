/* SPDX-License-Identifier: Apache-2.0 */
/*
 * HPKE against RFC 9180's test vectors for DHKEM(X25519, HKDF-SHA256) /
 * HKDF-SHA256 / ChaCha20Poly1305 in base mode (every case of the file in
 * ../shared/vectors/hpke/), then tampering, wrong keys, low-order points,
 * round trips and the context's sequence rules.
 */
#include <criterion/criterion.h>
#include <criterion/logging.h>

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common.h"
#include "core/hpke_internal.h"
#include "spillguard/err.h"
#include "spillguard/hpke.h"

#define VECTORS "hpke/dhkem-x25519-hkdf-sha256-chacha20poly1305-base.json"
#define PK SG_HPKE_PUBLIC_KEY_BYTES
#define SK SG_HPKE_SECRET_KEY_BYTES
#define ENC SG_HPKE_ENC_BYTES
#define TAG SG_HPKE_TAG_BYTES

/* ---- reading a vector case ------------------------------------------------ */

/* A hex field of case tc as bytes (malloc'd, never NULL). */
static uint8_t *field(const sg_json *tc, const char *key, size_t *len)
{
	const char *hex = sg_json_str(sg_json_get(tc, key), NULL);

	cr_assert_not_null(hex, "vector field \"%s\" missing or not a string", key);
	return sg_test_hex(hex, len);
}

static uint64_t number(const sg_json *tc, const char *key)
{
	uint64_t v = 0;

	cr_assert(sg_json_u64(sg_json_get(tc, key), &v), "vector field \"%s\" not a number", key);
	return v;
}

/* Fails the test unless got[0..len) is the field `key` of tc. */
static void expect_field(const uint8_t *got, size_t len, const sg_json *tc, const char *key,
			 const char *where)
{
	size_t want_len;
	uint8_t *want = field(tc, key, &want_len);

	cr_expect_eq(len, want_len, "%s: %s has %zu bytes, the vector %zu", where, key, len,
		     want_len);
	cr_expect(len == want_len && memcmp(got, want, len) == 0, "%s: %s differs", where, key);
	free(want);
}

/* ---- the vectors -------------------------------------------------------------- */

typedef struct pair {
	uint8_t pk[PK], sk[SK];
} pair;

static void derive(pair *kp, const sg_json *tc, const char *ikm_key)
{
	size_t ikm_len;
	uint8_t *ikm = field(tc, ikm_key, &ikm_len);

	cr_assert_eq(sg_hpke_derive_keypair(kp->pk, kp->sk, ikm, ikm_len), 0, "%s", ikm_key);
	free(ikm);
}

/* KEM: both key pairs, enc and the shared secret on both sides. */
static void check_kem(const sg_json *tc, const char *where, pair *e, pair *r)
{
	uint8_t enc[ENC], ss[SG_HPKE_SHARED_SECRET_BYTES], ss_r[SG_HPKE_SHARED_SECRET_BYTES];

	derive(e, tc, "ikmE");
	derive(r, tc, "ikmR");
	expect_field(e->pk, PK, tc, "pkEm", where);
	expect_field(e->sk, SK, tc, "skEm", where);
	expect_field(r->pk, PK, tc, "pkRm", where);
	expect_field(r->sk, SK, tc, "skRm", where);
	cr_assert_eq(sg_hpke_encap(ss, enc, r->pk, e->sk), 0, "%s: encap", where);
	expect_field(enc, ENC, tc, "enc", where);
	expect_field(ss, sizeof ss, tc, "shared_secret", where);
	cr_assert_eq(sg_hpke_decap(ss_r, enc, r->sk), 0, "%s: decap", where);
	expect_field(ss_r, sizeof ss_r, tc, "shared_secret", where);
}

/* The key schedule's outputs, as both contexts hold them. */
static void check_schedule(const sg_json *tc, const char *where, const sg_hpke_ctx *c)
{
	expect_field(c->key, sizeof c->key, tc, "key", where);
	expect_field(c->base_nonce, sizeof c->base_nonce, tc, "base_nonce", where);
	expect_field(c->exporter_secret, sizeof c->exporter_secret, tc, "exporter_secret", where);
	cr_expect_eq(c->seq, 0, "%s: a new context starts at message 0", where);
}

/* Seals and opens one message on both contexts, checking them when the
 * vector gives them (enc_tc not NULL); otherwise a filler that only moves
 * both sequence numbers on. */
static void one_message(sg_hpke_ctx *s, sg_hpke_ctx *r, const sg_json *enc_tc, const char *where)
{
	static const uint8_t filler[] = "filler";
	size_t aad_len = 0, pt_len = sizeof filler, nonce_len;
	uint8_t *aad = NULL, *owned = NULL, *nonce, *ct, *back;
	const uint8_t *pt = filler;

	if (enc_tc != NULL) {
		aad = field(enc_tc, "aad", &aad_len);
		pt = owned = field(enc_tc, "pt", &pt_len);
		/* The vector's nonce is base_nonce XOR I2OSP(seq, 12). */
		nonce = field(enc_tc, "nonce", &nonce_len);
		cr_assert_eq(nonce_len, SG_HPKE_NONCE_BYTES);
		for (size_t i = 0; i < 8; i++)
			nonce[nonce_len - 1 - i] ^= (uint8_t)(s->seq >> (8 * i));
		cr_expect(memcmp(nonce, s->base_nonce, nonce_len) == 0, "%s: nonce", where);
		free(nonce);
	}
	ct = sg_test_filled(pt_len + TAG);
	back = sg_test_filled(pt_len);
	cr_assert_eq(sg_hpke_ctx_seal(s, ct, aad, aad_len, pt, pt_len), 0, "%s: seal", where);
	if (enc_tc != NULL)
		expect_field(ct, pt_len + TAG, enc_tc, "ct", where);
	cr_assert_eq(sg_hpke_ctx_open(r, back, aad, aad_len, ct, pt_len + TAG), 0, "%s: open",
		     where);
	cr_expect(memcmp(back, pt, pt_len) == 0, "%s: opened plaintext differs", where);
	free(back);
	free(ct);
	free(owned);
	free(aad);
}

/* Every listed encryption in sequence, with fillers for the numbers the
 * vector skips (its list has 0, 1, 2, 4, 255, 256). Returns how many. */
static size_t check_encryptions(const sg_json *tc, const char *where, sg_hpke_ctx *s,
				sg_hpke_ctx *r)
{
	const sg_json *list = sg_json_get(tc, "encryptions");
	size_t n = sg_json_len(list);
	char at[160];

	cr_assert(n > 0, "%s: no encryptions", where);
	for (size_t i = 0; i < n; i++) {
		const sg_json *e = sg_json_at(list, i);
		uint64_t seq = number(e, "sequence_number");

		cr_assert_geq(seq, s->seq, "%s: encryptions out of order", where);
		while (s->seq < seq)
			one_message(s, r, NULL, where);
		snprintf(at, sizeof at, "%s, encryption %zu (seq %llu)", where, i,
			 (unsigned long long)seq);
		one_message(s, r, e, at);
		cr_expect_eq(s->seq, seq + 1, "%s: sender's count", at);
		cr_expect_eq(r->seq, seq + 1, "%s: receiver's count", at);
	}
	return n;
}

static size_t check_exports(const sg_json *tc, const char *where, const sg_hpke_ctx *s,
			    const sg_hpke_ctx *r)
{
	const sg_json *list = sg_json_get(tc, "exports");
	size_t n = sg_json_len(list);
	char at[160];

	cr_assert(n > 0, "%s: no exports", where);
	for (size_t i = 0; i < n; i++) {
		const sg_json *x = sg_json_at(list, i);
		size_t ctx_len, len = (size_t)number(x, "L");
		uint8_t *ectx = field(x, "exporter_context", &ctx_len);
		uint8_t *out_s = sg_test_filled(len), *out_r = sg_test_filled(len);

		snprintf(at, sizeof at, "%s, export %zu", where, i);
		sg_hpke_ctx_export(s, out_s, len, ectx, ctx_len);
		sg_hpke_ctx_export(r, out_r, len, ectx, ctx_len);
		expect_field(out_s, len, x, "exported_value", at);
		expect_field(out_r, len, x, "exported_value", at);
		free(out_r);
		free(out_s);
		free(ectx);
	}
	return n;
}

static void check_case(const sg_json *tc, size_t index, size_t *encs, size_t *exps)
{
	char where[64];
	pair e, r;
	size_t info_len;
	uint8_t enc[ENC], *info = field(tc, "info", &info_len);
	sg_hpke_ctx *s = NULL, *rc = NULL;

	snprintf(where, sizeof where, "case %zu", index);
	cr_assert(number(tc, "mode") == 0 && number(tc, "kem_id") == 0x0020 &&
			  number(tc, "kdf_id") == 0x0001 && number(tc, "aead_id") == 0x0003,
		  "%s: not base mode with this suite", where);
	check_kem(tc, where, &e, &r);
	cr_assert_eq(sg_hpke_setup_base_s(&s, enc, r.pk, e.sk, info, info_len), 0, "%s", where);
	expect_field(enc, ENC, tc, "enc", where);
	cr_assert_eq(sg_hpke_setup_base_r(&rc, enc, r.sk, info, info_len), 0, "%s", where);
	check_schedule(tc, where, s);
	check_schedule(tc, where, rc);
	*encs += check_encryptions(tc, where, s, rc);
	*exps += check_exports(tc, where, s, rc);
	sg_hpke_ctx_free(rc);
	sg_hpke_ctx_free(s);
	free(info);
}

Test(hpke, rfc9180_vectors)
{
	sg_json *doc = sg_test_load_json(VECTORS);
	size_t n = sg_json_len(doc), encs = 0, exps = 0;

	cr_assert(sg_json_type_of(doc) == SG_JSON_ARRAY && n > 0, "%s: no test cases", VECTORS);
	for (size_t i = 0; i < n; i++)
		check_case(sg_json_at(doc, i), i, &encs, &exps);
	cr_log_info("hpke vectors: %zu cases, %zu encryptions, %zu exports", n, encs, exps);
	sg_json_free(doc);
}

/* ---- long exports, against a plain HKDF ------------------------------------------ */

/*
 * The vectors export 32 bytes only, one HKDF block. Longer outputs are
 * checked against this HKDF, written from RFC 5869 over whole buffers (the
 * library streams the labeled pieces instead) and itself checked against
 * RFC 5869's test cases.
 */
static void ref_extract(uint8_t prk[static 32], const uint8_t *salt, size_t salt_len,
			const uint8_t *ikm, size_t ikm_len)
{
	static const uint8_t zeros[32];
	crypto_auth_hmacsha256_state st;

	/* RFC 5869 §2.2: no salt means HashLen zeros. */
	if (salt_len == 0) {
		salt = zeros;
		salt_len = sizeof zeros;
	}
	crypto_auth_hmacsha256_init(&st, salt, salt_len);
	crypto_auth_hmacsha256_update(&st, ikm, ikm_len);
	crypto_auth_hmacsha256_final(&st, prk);
}

static void ref_expand(uint8_t *out, size_t len, const uint8_t prk[static 32],
		       const uint8_t *info, size_t info_len)
{
	uint8_t *buf = malloc(32 + info_len + 1), t[32];
	size_t off = 0, in_len = 0;
	crypto_auth_hmacsha256_state st;

	cr_assert_not_null(buf);
	for (unsigned i = 1; off < len; i++) {
		if (i > 1) {
			memcpy(buf, t, 32);
			in_len = 32;
		}
		memcpy(buf + in_len, info, info_len);
		buf[in_len + info_len] = (uint8_t)i;
		crypto_auth_hmacsha256_init(&st, prk, 32);
		crypto_auth_hmacsha256_update(&st, buf, in_len + info_len + 1);
		crypto_auth_hmacsha256_final(&st, t);
		memcpy(out + off, t, len - off < 32 ? len - off : 32);
		off += len - off < 32 ? len - off : 32;
		in_len = 0;
	}
	free(buf);
}

/* RFC 5869 appendix A.1 and A.3 (SHA-256, 42 bytes: two blocks). */
Test(hpke, reference_hkdf_matches_rfc5869)
{
	static const struct {
		const char *ikm, *salt, *info, *prk, *okm;
	} tc[] = {
		{ "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "000102030405060708090a0b0c",
		  "f0f1f2f3f4f5f6f7f8f9",
		  "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5",
		  "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
		  "34007208d5b887185865" },
		{ "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "", "",
		  "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04",
		  "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d"
		  "9d201395faa4b61a96c8" },
	};

	for (size_t i = 0; i < sizeof tc / sizeof tc[0]; i++) {
		size_t ikm_len, salt_len, info_len, okm_len;
		uint8_t *ikm = sg_test_hex(tc[i].ikm, &ikm_len);
		uint8_t *salt = sg_test_hex(tc[i].salt, &salt_len);
		uint8_t *info = sg_test_hex(tc[i].info, &info_len);
		uint8_t *prk_want = sg_test_hex(tc[i].prk, NULL);
		uint8_t *okm_want = sg_test_hex(tc[i].okm, &okm_len);
		uint8_t prk[32], okm[42];

		cr_assert_eq(okm_len, sizeof okm);
		ref_extract(prk, salt, salt_len, ikm, ikm_len);
		cr_expect(memcmp(prk, prk_want, 32) == 0, "RFC 5869 case %zu: PRK", i);
		ref_expand(okm, sizeof okm, prk, info, info_len);
		cr_expect(memcmp(okm, okm_want, sizeof okm) == 0, "RFC 5869 case %zu: OKM", i);
		free(okm_want);
		free(prk_want);
		free(info);
		free(salt);
		free(ikm);
	}
}

/* Export(ctx, L) = Expand(exporter_secret, I2OSP(L, 2) || "HPKE-v1" ||
 * suite_id || "sec" || exporter_context, L), written out by hand. */
static void ref_export(uint8_t *out, size_t len, const uint8_t secret[static 32],
		       const uint8_t *ectx, size_t ectx_len)
{
	static const uint8_t fixed[] = { 'H', 'P', 'K', 'E', '-', 'v', '1', 'H', 'P', 'K', 'E',
					 0x00, 0x20, 0x00, 0x01, 0x00, 0x03, 's', 'e', 'c' };
	size_t info_len = 2 + sizeof fixed + ectx_len;
	uint8_t *info = malloc(info_len);

	cr_assert_not_null(info);
	info[0] = (uint8_t)(len >> 8);
	info[1] = (uint8_t)len;
	memcpy(info + 2, fixed, sizeof fixed);
	memcpy(info + 2 + sizeof fixed, ectx, ectx_len);
	ref_expand(out, len, secret, info, info_len);
	free(info);
}

/* ---- a fixed sealed message, and tampering with it ---------------------------- */

static const uint8_t INFO[] = "spillguard task 7 aggregator 1";
static const uint8_t AAD[] = "report 42 public metadata";
static const uint8_t PT[] = "an input share, 40 bytes or thereabouts";

typedef struct sealed {
	pair r;
	uint8_t enc[ENC], ct[sizeof PT + TAG], info[sizeof INFO], aad[sizeof AAD];
} sealed;

static void seal_fixed(sealed *m)
{
	uint8_t ikm[SG_HPKE_IKM_MIN_BYTES];

	memset(ikm, 0x52, sizeof ikm);
	cr_assert_eq(sg_hpke_derive_keypair(m->r.pk, m->r.sk, ikm, sizeof ikm), 0);
	memcpy(m->info, INFO, sizeof INFO);
	memcpy(m->aad, AAD, sizeof AAD);
	cr_assert_eq(sg_hpke_seal(m->enc, m->ct, m->r.pk, m->info, sizeof m->info, m->aad,
				  sizeof m->aad, PT, sizeof PT),
		     0);
}

/* Opens m (as tampered with) with sk; returns sg_hpke_open's code after
 * checking that a refusal zeroed the plaintext. */
static int open_sealed(const sealed *m, const uint8_t sk[static SK], const char *what)
{
	uint8_t pt[sizeof PT];
	int ret;

	memset(pt, 0xa5, sizeof pt);
	ret = sg_hpke_open(pt, m->enc, sk, m->info, sizeof m->info, m->aad, sizeof m->aad, m->ct,
			   sizeof m->ct);
	if (ret != 0)
		cr_expect(sg_test_zeroed(pt, sizeof pt), "%s: plaintext not zeroed", what);
	else
		cr_expect(memcmp(pt, PT, sizeof PT) == 0, "%s: wrong plaintext", what);
	return ret;
}

/* Flips every bit of buf in turn: each must make open fail. */
static void flip_each_bit(sealed *m, uint8_t *buf, size_t len, const char *what)
{
	char at[96];

	for (size_t bit = 0; bit < 8 * len; bit++) {
		buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		snprintf(at, sizeof at, "%s bit %zu", what, bit);
		cr_expect_eq(open_sealed(m, m->r.sk, at), SG_ERR_DECRYPT, "%s opened", at);
		buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
	cr_assert_eq(open_sealed(m, m->r.sk, "restored"), 0);
}

Test(hpke, untouched_opens)
{
	sealed m;

	seal_fixed(&m);
	cr_assert_eq(open_sealed(&m, m.r.sk, "untouched"), 0);
}

Test(hpke, flipped_bit_in_enc_fails)
{
	sealed m;

	seal_fixed(&m);
	flip_each_bit(&m, m.enc, sizeof m.enc, "enc");
}

Test(hpke, flipped_bit_in_ciphertext_fails)
{
	sealed m;

	seal_fixed(&m);
	flip_each_bit(&m, m.ct, sizeof PT, "ciphertext");
}

Test(hpke, flipped_bit_in_tag_fails)
{
	sealed m;

	seal_fixed(&m);
	flip_each_bit(&m, m.ct + sizeof PT, TAG, "tag");
}

Test(hpke, flipped_bit_in_aad_fails)
{
	sealed m;

	seal_fixed(&m);
	flip_each_bit(&m, m.aad, sizeof m.aad, "aad");
}

Test(hpke, flipped_bit_in_info_fails)
{
	sealed m;

	seal_fixed(&m);
	flip_each_bit(&m, m.info, sizeof m.info, "info");
}

Test(hpke, truncated_or_extended_fails)
{
	sealed m;
	uint8_t pt[sizeof PT + 1], ct[sizeof m.ct + 1];

	seal_fixed(&m);
	memcpy(ct, m.ct, sizeof m.ct);
	ct[sizeof m.ct] = 0;
	memset(pt, 0xa5, sizeof pt);
	cr_expect_eq(sg_hpke_open(pt, m.enc, m.r.sk, m.info, sizeof m.info, m.aad, sizeof m.aad, ct,
				  sizeof ct),
		     SG_ERR_DECRYPT);
	cr_expect(sg_test_zeroed(pt, sizeof pt));
	memset(pt, 0xa5, sizeof pt);
	cr_expect_eq(sg_hpke_open(pt, m.enc, m.r.sk, m.info, sizeof m.info, m.aad, sizeof m.aad,
				  m.ct, sizeof m.ct - 1),
		     SG_ERR_DECRYPT);
	cr_expect(sg_test_zeroed(pt, sizeof PT - 1));
	cr_expect_eq(pt[sizeof PT - 1], 0xa5, "wrote past its plaintext");
}

Test(hpke, shorter_than_a_tag_is_a_length_error)
{
	sealed m;

	seal_fixed(&m);
	for (size_t len = 0; len < TAG; len++)
		cr_expect_eq(sg_hpke_open(NULL, m.enc, m.r.sk, m.info, sizeof m.info, m.aad,
					  sizeof m.aad, m.ct, len),
			     SG_ERR_LENGTH, "ct_len %zu", len);
}

Test(hpke, wrong_recipient_key_fails)
{
	sealed m;
	pair other;

	seal_fixed(&m);
	cr_assert_eq(sg_hpke_keygen(other.pk, other.sk), 0);
	cr_expect_eq(open_sealed(&m, other.sk, "other key"), SG_ERR_DECRYPT);
	m.r.sk[0] ^= 0x40; /* a bit clamping does not clear */
	cr_expect_eq(open_sealed(&m, m.r.sk, "altered key"), SG_ERR_DECRYPT);
}

Test(hpke, open_with_the_public_key_given)
{
	sealed m;
	pair other;
	uint8_t pt[sizeof PT];

	seal_fixed(&m);
	cr_assert_eq(sg_hpke_keygen(other.pk, other.sk), 0);
	cr_assert_eq(sg_hpke_open_pk(pt, m.enc, m.r.sk, m.r.pk, m.info, sizeof m.info, m.aad,
				     sizeof m.aad, m.ct, sizeof m.ct), 0);
	cr_assert_arr_eq(pt, PT, sizeof PT);
	/* a public key that is not the secret key's: as a wrong key */
	cr_assert_eq(sg_hpke_open_pk(pt, m.enc, m.r.sk, other.pk, m.info, sizeof m.info, m.aad,
				     sizeof m.aad, m.ct, sizeof m.ct), SG_ERR_DECRYPT);
	cr_assert(sg_test_zeroed(pt, sizeof pt));
	cr_assert_eq(sg_hpke_open_pk(pt, m.enc, other.sk, m.r.pk, m.info, sizeof m.info, m.aad,
				     sizeof m.aad, m.ct, sizeof m.ct), SG_ERR_DECRYPT);
}

/*
 * Points of small order (and non-canonical encodings of them): X25519 with
 * any key gives all zeros, so there is no shared secret. 0, 1, the two
 * points of order 8, p - 1, p and p + 1.
 */
static const char *const LOW_ORDER[] = {
	"0000000000000000000000000000000000000000000000000000000000000000",
	"0100000000000000000000000000000000000000000000000000000000000000",
	"e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
	"5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
	"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	"eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
};
#define N_LOW_ORDER (sizeof LOW_ORDER / sizeof LOW_ORDER[0])

static void low_order(uint8_t out[static 32], size_t i)
{
	size_t n;
	uint8_t *b = sg_test_hex(LOW_ORDER[i], &n);

	cr_assert_eq(n, 32);
	memcpy(out, b, 32);
	free(b);
}

Test(hpke, low_order_enc_fails)
{
	static sg_hpke_ctx dummy;
	sg_hpke_ctx *c = &dummy;
	sealed m;

	seal_fixed(&m);
	for (size_t i = 0; i < N_LOW_ORDER; i++) {
		low_order(m.enc, i);
		cr_expect_eq(open_sealed(&m, m.r.sk, LOW_ORDER[i]), SG_ERR_DECRYPT, "enc %s",
			     LOW_ORDER[i]);
		c = &dummy;
		cr_expect_eq(sg_hpke_setup_base_r(&c, m.enc, m.r.sk, NULL, 0), SG_ERR_DECRYPT);
		cr_expect_null(c);
	}
}

Test(hpke, low_order_recipient_key_refused)
{
	static sg_hpke_ctx dummy;
	uint8_t pk[PK], sk_e[SK], enc[ENC], ct[sizeof PT + TAG];
	sg_hpke_ctx *c = &dummy;

	memset(sk_e, 0x45, sizeof sk_e);
	for (size_t i = 0; i < N_LOW_ORDER; i++) {
		low_order(pk, i);
		memset(enc, 0xa5, sizeof enc);
		memset(ct, 0xa5, sizeof ct);
		cr_expect_eq(sg_hpke_seal(enc, ct, pk, NULL, 0, NULL, 0, PT, sizeof PT), SG_ERR_PARAM,
			     "pk %s", LOW_ORDER[i]);
		cr_expect(sg_test_zeroed(enc, sizeof enc) && sg_test_zeroed(ct, sizeof ct));
		memset(enc, 0xa5, sizeof enc);
		c = &dummy;
		cr_expect_eq(sg_hpke_setup_base_s(&c, enc, pk, sk_e, NULL, 0), SG_ERR_PARAM);
		cr_expect_null(c);
		cr_expect(sg_test_zeroed(enc, sizeof enc));
	}
}

/* ---- round trips -------------------------------------------------------------- */

Test(hpke, round_trip_random_keys)
{
	static uint8_t pt[1000], ct[sizeof pt + TAG], back[sizeof pt];
	uint8_t info[40], aad[40], enc[ENC];
	pair r;

	for (unsigned trial = 0; trial < 50; trial++) {
		size_t pt_len = trial * 19 % sizeof pt, info_len = trial % sizeof info,
		       aad_len = trial * 7 % sizeof aad;

		cr_assert_eq(sg_hpke_keygen(r.pk, r.sk), 0);
		randombytes_buf(pt, pt_len);
		randombytes_buf(info, info_len);
		randombytes_buf(aad, aad_len);
		cr_assert_eq(sg_hpke_seal(enc, ct, r.pk, info, info_len, aad, aad_len, pt, pt_len), 0);
		memset(back, 0xa5, sizeof back);
		cr_assert_eq(sg_hpke_open(back, enc, r.sk, info, info_len, aad, aad_len, ct,
					  pt_len + TAG),
			     0, "trial %u", trial);
		cr_assert(memcmp(back, pt, pt_len) == 0, "trial %u", trial);
	}
}

Test(hpke, each_seal_draws_a_fresh_ephemeral)
{
	uint8_t enc1[ENC], enc2[ENC], ct1[sizeof PT + TAG], ct2[sizeof PT + TAG];
	pair r;

	cr_assert_eq(sg_hpke_keygen(r.pk, r.sk), 0);
	cr_assert_eq(sg_hpke_seal(enc1, ct1, r.pk, NULL, 0, NULL, 0, PT, sizeof PT), 0);
	cr_assert_eq(sg_hpke_seal(enc2, ct2, r.pk, NULL, 0, NULL, 0, PT, sizeof PT), 0);
	cr_expect(memcmp(enc1, enc2, ENC) != 0 && memcmp(ct1, ct2, sizeof ct1) != 0);
}

Test(hpke, empty_everything_and_in_place)
{
	uint8_t enc[ENC], tag[TAG], buf[sizeof PT + TAG];
	pair r;

	cr_assert_eq(sg_hpke_keygen(r.pk, r.sk), 0);
	cr_assert_eq(sg_hpke_seal(enc, tag, r.pk, NULL, 0, NULL, 0, NULL, 0), 0);
	cr_expect_eq(sg_hpke_open(NULL, enc, r.sk, NULL, 0, NULL, 0, tag, sizeof tag), 0);
	tag[0] ^= 1;
	cr_expect_eq(sg_hpke_open(NULL, enc, r.sk, NULL, 0, NULL, 0, tag, sizeof tag),
		     SG_ERR_DECRYPT);

	memcpy(buf, PT, sizeof PT);
	cr_assert_eq(sg_hpke_seal(enc, buf, r.pk, INFO, sizeof INFO, AAD, sizeof AAD, buf,
				  sizeof PT),
		     0);
	cr_expect(memcmp(buf, PT, sizeof PT) != 0);
	cr_assert_eq(sg_hpke_open(buf, enc, r.sk, INFO, sizeof INFO, AAD, sizeof AAD, buf,
				  sizeof buf),
		     0);
	cr_expect(memcmp(buf, PT, sizeof PT) == 0);
}

Test(hpke, derive_keypair_needs_enough_ikm)
{
	uint8_t ikm[SG_HPKE_IKM_MIN_BYTES] = { 1 }, pk[PK], sk[SK], pk2[PK], sk2[SK];

	memset(pk, 0xa5, sizeof pk);
	memset(sk, 0xa5, sizeof sk);
	cr_expect_eq(sg_hpke_derive_keypair(pk, sk, ikm, sizeof ikm - 1), SG_ERR_LENGTH);
	cr_expect(sg_test_zeroed(pk, sizeof pk) && sg_test_zeroed(sk, sizeof sk));
	cr_assert_eq(sg_hpke_derive_keypair(pk, sk, ikm, sizeof ikm), 0);
	cr_assert_eq(sg_hpke_derive_keypair(pk2, sk2, ikm, sizeof ikm), 0);
	cr_expect(memcmp(pk, pk2, PK) == 0 && memcmp(sk, sk2, SK) == 0, "not deterministic");
}

Test(hpke, decrypt_error_has_a_message)
{
	cr_expect_str_eq(sg_strerror(SG_ERR_DECRYPT),
			 "sealed share did not open: wrong key, context or corrupted bytes");
}

/* ---- contexts ----------------------------------------------------------------- */

typedef struct channel {
	sg_hpke_ctx *s, *r;
} channel;

static void channel_new(channel *l)
{
	uint8_t enc[ENC];
	pair r, e;

	cr_assert_eq(sg_hpke_keygen(r.pk, r.sk), 0);
	cr_assert_eq(sg_hpke_keygen(e.pk, e.sk), 0);
	cr_assert_eq(sg_hpke_setup_base_s(&l->s, enc, r.pk, e.sk, INFO, sizeof INFO), 0);
	cr_expect(memcmp(enc, e.pk, ENC) == 0, "enc is the ephemeral public key");
	cr_assert_eq(sg_hpke_setup_base_r(&l->r, enc, r.sk, INFO, sizeof INFO), 0);
}

static void channel_free(channel *l)
{
	sg_hpke_ctx_free(l->r);
	sg_hpke_ctx_free(l->s);
}

Test(hpke, ctx_messages_open_only_in_order)
{
	uint8_t ct[2][sizeof PT + TAG], pt[sizeof PT];
	channel l;

	channel_new(&l);
	cr_assert_eq(sg_hpke_ctx_seal(l.s, ct[0], AAD, sizeof AAD, PT, sizeof PT), 0);
	cr_assert_eq(sg_hpke_ctx_seal(l.s, ct[1], AAD, sizeof AAD, PT, sizeof PT), 0);
	cr_expect(memcmp(ct[0], ct[1], sizeof ct[0]) != 0, "same nonce twice");
	memset(pt, 0xa5, sizeof pt);
	cr_expect_eq(sg_hpke_ctx_open(l.r, pt, AAD, sizeof AAD, ct[1], sizeof ct[1]),
		     SG_ERR_DECRYPT, "message 1 opened as message 0");
	cr_expect(sg_test_zeroed(pt, sizeof pt));
	cr_expect_eq(l.r->seq, 0, "a failed open moved the count");
	cr_expect_eq(sg_hpke_ctx_open(l.r, pt, AAD, sizeof AAD, ct[0], sizeof ct[0]), 0);
	cr_expect_eq(sg_hpke_ctx_open(l.r, pt, AAD, sizeof AAD, ct[1], sizeof ct[1]), 0);
	cr_expect(memcmp(pt, PT, sizeof PT) == 0);
	channel_free(&l);
}

Test(hpke, ctx_exhausted_context_refuses)
{
	uint8_t ct[sizeof PT + TAG], pt[sizeof PT];
	channel l;

	channel_new(&l);
	l.s->seq = l.r->seq = UINT64_MAX - 1;
	cr_assert_eq(sg_hpke_ctx_seal(l.s, ct, NULL, 0, PT, sizeof PT), 0);
	cr_assert_eq(sg_hpke_ctx_open(l.r, pt, NULL, 0, ct, sizeof ct), 0);
	cr_expect(memcmp(pt, PT, sizeof PT) == 0);
	memset(ct, 0xa5, sizeof ct);
	cr_expect_eq(sg_hpke_ctx_seal(l.s, ct, NULL, 0, PT, sizeof PT), SG_ERR_STATE);
	cr_expect(sg_test_zeroed(ct, sizeof ct));
	cr_expect_eq(l.s->seq, UINT64_MAX);
	cr_expect_eq(sg_hpke_ctx_open(l.r, pt, NULL, 0, ct, sizeof ct), SG_ERR_STATE);
	cr_expect(sg_test_zeroed(pt, sizeof pt));
	channel_free(&l);
}

Test(hpke, ctx_export_agrees_and_depends_on_context)
{
	static uint8_t a[SG_HPKE_EXPORT_MAX_BYTES], b[SG_HPKE_EXPORT_MAX_BYTES];
	channel l;

	channel_new(&l);
	sg_hpke_ctx_export(l.s, a, sizeof a, AAD, sizeof AAD);
	sg_hpke_ctx_export(l.r, b, sizeof b, AAD, sizeof AAD);
	cr_expect(memcmp(a, b, sizeof a) == 0, "sender and receiver export differently");
	sg_hpke_ctx_export(l.r, b, 32, AAD, sizeof AAD - 1);
	cr_expect(memcmp(a, b, 32) != 0, "exporter_context ignored");
	sg_hpke_ctx_export(l.r, b, 32, AAD, sizeof AAD);
	cr_expect(memcmp(a, b, 32) != 0, "length not bound into the output");
	sg_hpke_ctx_export(l.r, NULL, 0, NULL, 0);
	channel_free(&l);
}

Test(hpke, ctx_long_exports_match_plain_hkdf)
{
	static const size_t lens[] = { 1, 31, 33, 64, 100, 1000, SG_HPKE_EXPORT_MAX_BYTES };
	static uint8_t want[SG_HPKE_EXPORT_MAX_BYTES];
	channel l;

	channel_new(&l);
	for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
		uint8_t *got = sg_test_filled(lens[i]); /* exact size, for ASan */

		sg_hpke_ctx_export(l.r, got, lens[i], AAD, sizeof AAD);
		ref_export(want, lens[i], l.r->exporter_secret, AAD, sizeof AAD);
		cr_expect(memcmp(got, want, lens[i]) == 0, "L = %zu", lens[i]);
		free(got);
	}
	channel_free(&l);
}

Test(hpke, ctx_sealing_with_a_receiver_is_misuse, .signal = SIGABRT)
{
	uint8_t ct[sizeof PT + TAG];
	channel l;

	channel_new(&l);
	cr_expect_eq(sg_hpke_ctx_seal(l.r, ct, NULL, 0, PT, sizeof PT), -1, "misuse unnoticed");
}

Test(hpke, ctx_opening_with_a_sender_is_misuse, .signal = SIGABRT)
{
	uint8_t ct[sizeof PT + TAG] = { 0 }, pt[sizeof PT];
	channel l;

	channel_new(&l);
	cr_expect_eq(sg_hpke_ctx_open(l.s, pt, NULL, 0, ct, sizeof ct), -1, "misuse unnoticed");
}

Test(hpke, ctx_overlong_export_is_misuse, .signal = SIGABRT)
{
	static uint8_t out[SG_HPKE_EXPORT_MAX_BYTES + 1];
	channel l;

	channel_new(&l);
	sg_hpke_ctx_export(l.s, out, sizeof out, NULL, 0);
}
