/* SPDX-License-Identifier: Apache-2.0 */
/*
 * HPKE, RFC 9180, base mode, for one suite: DHKEM(X25519, HKDF-SHA256)
 * (§4.1, §7.1), HKDF-SHA256 (§4, RFC 5869) and ChaCha20Poly1305 (§5.2).
 * Everything is built on libsodium's X25519, HMAC-SHA256 and AEAD.
 *
 * The KDF is HKDF written over streaming HMAC, so the labeled inputs of §4
 *   LabeledExtract(salt, label, ikm) =
 *       Extract(salt, "HPKE-v1" || suite_id || label || ikm)
 *   LabeledExpand(prk, label, info, L) =
 *       Expand(prk, I2OSP(L, 2) || "HPKE-v1" || suite_id || label || info, L)
 * are fed piece by piece and never concatenated in memory.
 */
#include "core/hpke_internal.h"
#include "util/misuse.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#define KEM_ID 0x0020 /* DHKEM(X25519, HKDF-SHA256) */
#define KDF_ID 0x0001 /* HKDF-SHA256 */
#define AEAD_ID 0x0003 /* ChaCha20Poly1305 */
#define MODE_BASE 0x00

#define NH crypto_auth_hmacsha256_BYTES /* 32: HKDF-SHA256's Nh */
#define DH_BYTES crypto_scalarmult_curve25519_BYTES
#define TAG SG_HPKE_TAG_BYTES
#define PT_MAX crypto_aead_chacha20poly1305_ietf_MESSAGEBYTES_MAX

#define HI(id) (uint8_t)((id) >> 8)
#define LO(id) (uint8_t)((id) & 0xff)

/* suite_id of §4.1 ("KEM" || I2OSP(kem_id, 2)) and of §5.1
 * ("HPKE" || I2OSP(kem_id, 2) || I2OSP(kdf_id, 2) || I2OSP(aead_id, 2)). */
typedef struct suite {
	uint8_t id[10];
	size_t len;
} suite;

static const suite KEM = { { 'K', 'E', 'M', HI(KEM_ID), LO(KEM_ID) }, 5 };
static const suite HPKE = { { 'H', 'P', 'K', 'E', HI(KEM_ID), LO(KEM_ID), HI(KDF_ID),
			      LO(KDF_ID), HI(AEAD_ID), LO(AEAD_ID) },
			    10 };

static const uint8_t VERSION[7] = { 'H', 'P', 'K', 'E', '-', 'v', '1' };
static const uint8_t EMPTY[1] = { 0 }; /* a valid pointer for zero-length input */

/* Inputs may be NULL only when empty; anything else is the caller's bug. */
static void need(const void *p, size_t len, const char *where)
{
	if (p == NULL && len > 0)
		sg_misuse(where);
}

static int sodium_ready(void)
{
	return sodium_init() < 0 ? SG_ERR_NOMEM : 0;
}

/* ---- labeled HKDF (§4) -------------------------------------------------- */

static void hmac_add(crypto_auth_hmacsha256_state *st, const uint8_t *in, size_t len)
{
	if (len > 0)
		crypto_auth_hmacsha256_update(st, in, len);
}

/* "HPKE-v1" || suite_id || label: the prefix both labeled functions share. */
static void hmac_add_label(crypto_auth_hmacsha256_state *st, const suite *s, const char *label)
{
	hmac_add(st, VERSION, sizeof VERSION);
	hmac_add(st, s->id, s->len);
	hmac_add(st, (const uint8_t *)label, strlen(label));
}

/* An empty salt is HMAC's zero-length key, which HMAC pads with zeros: the
 * string of Nh zeros that RFC 5869 takes for a missing salt. */
static void labeled_extract(uint8_t prk[static NH], const suite *s, const uint8_t *salt,
			    size_t salt_len, const char *label, const uint8_t *ikm, size_t ikm_len)
{
	crypto_auth_hmacsha256_state st;

	crypto_auth_hmacsha256_init(&st, salt_len > 0 ? salt : EMPTY, salt_len);
	hmac_add_label(&st, s, label);
	hmac_add(&st, ikm, ikm_len);
	crypto_auth_hmacsha256_final(&st, prk);
	sodium_memzero(&st, sizeof st);
}

/* HKDF-Expand: T(i) = HMAC(prk, T(i-1) || labeled_info || I2OSP(i, 1)),
 * the output being T(1) || T(2) || ... cut to len <= 255 * Nh bytes. */
static void labeled_expand(uint8_t *out, size_t len, const suite *s, const uint8_t prk[static NH],
			   const char *label, const uint8_t *info, size_t info_len)
{
	crypto_auth_hmacsha256_state st;
	uint8_t t[NH], counter = 0, len_be[2];
	size_t off, n;

	if (len > SG_HPKE_EXPORT_MAX_BYTES)
		sg_misuse(__func__);
	len_be[0] = HI(len);
	len_be[1] = LO(len);
	for (off = 0; off < len; off += n) {
		counter++;
		crypto_auth_hmacsha256_init(&st, prk, NH);
		if (counter > 1)
			hmac_add(&st, t, sizeof t);
		hmac_add(&st, len_be, sizeof len_be);
		hmac_add_label(&st, s, label);
		hmac_add(&st, info, info_len);
		hmac_add(&st, &counter, 1);
		crypto_auth_hmacsha256_final(&st, t);
		n = len - off < NH ? len - off : NH;
		memcpy(out + off, t, n);
	}
	sodium_memzero(&st, sizeof st);
	sodium_memzero(t, sizeof t);
}

/* ---- DHKEM(X25519, HKDF-SHA256) (§4.1, §7.1) ---------------------------- */

/* pk = sk * G; X25519 clamps sk, so every 32-byte string is a secret key
 * and the result is never the neutral element. */
static int public_of(uint8_t pk[static SG_HPKE_PUBLIC_KEY_BYTES],
		     const uint8_t sk[static SG_HPKE_SECRET_KEY_BYTES])
{
	return crypto_scalarmult_curve25519_base(pk, sk) == 0 ? 0 : -1;
}

/*
 * DH(sk, pk), failing on an all-zero result as §7.1.4 requires: that is
 * what a low-order pk gives, and it would make the shared secret public.
 * libsodium already returns -1 then; the check here keeps the rule in
 * sight and independent of the libsodium version (sodium_is_zero is
 * constant-time).
 */
static int x25519(uint8_t dh[static DH_BYTES], const uint8_t sk[static SG_HPKE_SECRET_KEY_BYTES],
		  const uint8_t pk[static SG_HPKE_PUBLIC_KEY_BYTES])
{
	if (crypto_scalarmult_curve25519(dh, sk, pk) != 0 || sodium_is_zero(dh, DH_BYTES))
		return -1;
	return 0;
}

/* ExtractAndExpand(dh, kem_context), kem_context = enc || pkRm. */
static void extract_and_expand(uint8_t shared_secret[static SG_HPKE_SHARED_SECRET_BYTES],
			       const uint8_t dh[static DH_BYTES],
			       const uint8_t enc[static SG_HPKE_ENC_BYTES],
			       const uint8_t pk_r[static SG_HPKE_PUBLIC_KEY_BYTES])
{
	uint8_t kem_context[SG_HPKE_ENC_BYTES + SG_HPKE_PUBLIC_KEY_BYTES], eae_prk[NH];

	memcpy(kem_context, enc, SG_HPKE_ENC_BYTES);
	memcpy(kem_context + SG_HPKE_ENC_BYTES, pk_r, SG_HPKE_PUBLIC_KEY_BYTES);
	labeled_extract(eae_prk, &KEM, NULL, 0, "eae_prk", dh, DH_BYTES);
	labeled_expand(shared_secret, SG_HPKE_SHARED_SECRET_BYTES, &KEM, eae_prk, "shared_secret",
		       kem_context, sizeof kem_context);
	sodium_memzero(eae_prk, sizeof eae_prk);
}

int sg_hpke_encap(uint8_t shared_secret[static SG_HPKE_SHARED_SECRET_BYTES],
		  uint8_t enc[static SG_HPKE_ENC_BYTES],
		  const uint8_t pk_r[static SG_HPKE_PUBLIC_KEY_BYTES],
		  const uint8_t sk_e[static SG_HPKE_SECRET_KEY_BYTES])
{
	int ret = SG_ERR_PARAM;
	uint8_t dh[DH_BYTES];

	if (public_of(enc, sk_e) != 0 || x25519(dh, sk_e, pk_r) != 0)
		goto cleanup;
	extract_and_expand(shared_secret, dh, enc, pk_r);
	ret = 0;
cleanup:
	sodium_memzero(dh, sizeof dh);
	if (ret != 0) {
		sodium_memzero(shared_secret, SG_HPKE_SHARED_SECRET_BYTES);
		sodium_memzero(enc, SG_HPKE_ENC_BYTES);
	}
	return ret;
}

/* Decap with the recipient's public key given (known_pk, saving a scalar
 * multiplication) or derived from sk_r (NULL). */
static int decap(uint8_t shared_secret[static SG_HPKE_SHARED_SECRET_BYTES],
		 const uint8_t enc[static SG_HPKE_ENC_BYTES],
		 const uint8_t sk_r[static SG_HPKE_SECRET_KEY_BYTES], const uint8_t *known_pk)
{
	int ret = SG_ERR_DECRYPT;
	uint8_t dh[DH_BYTES], pk_r[SG_HPKE_PUBLIC_KEY_BYTES];

	if (known_pk != NULL)
		memcpy(pk_r, known_pk, sizeof pk_r);
	else if (public_of(pk_r, sk_r) != 0)
		goto cleanup;
	if (x25519(dh, sk_r, enc) != 0)
		goto cleanup;
	extract_and_expand(shared_secret, dh, enc, pk_r);
	ret = 0;
cleanup:
	sodium_memzero(dh, sizeof dh);
	if (ret != 0)
		sodium_memzero(shared_secret, SG_HPKE_SHARED_SECRET_BYTES);
	return ret;
}

int sg_hpke_decap(uint8_t shared_secret[static SG_HPKE_SHARED_SECRET_BYTES],
		  const uint8_t enc[static SG_HPKE_ENC_BYTES],
		  const uint8_t sk_r[static SG_HPKE_SECRET_KEY_BYTES])
{
	return decap(shared_secret, enc, sk_r, NULL);
}

int sg_hpke_keygen(uint8_t pk[static SG_HPKE_PUBLIC_KEY_BYTES],
		   uint8_t sk[static SG_HPKE_SECRET_KEY_BYTES])
{
	int ret = sodium_ready();

	if (ret != 0)
		goto cleanup;
	randombytes_buf(sk, SG_HPKE_SECRET_KEY_BYTES);
	ret = public_of(pk, sk) == 0 ? 0 : SG_ERR_PARAM;
cleanup:
	if (ret != 0) {
		sodium_memzero(pk, SG_HPKE_PUBLIC_KEY_BYTES);
		sodium_memzero(sk, SG_HPKE_SECRET_KEY_BYTES);
	}
	return ret;
}

/* §7.1.3 for X25519: sk = LabeledExpand(dkp_prk, "sk", "", Nsk), taken as
 * is (X25519 clamps it when used). */
int sg_hpke_derive_keypair(uint8_t pk[static SG_HPKE_PUBLIC_KEY_BYTES],
			   uint8_t sk[static SG_HPKE_SECRET_KEY_BYTES], const uint8_t *ikm,
			   size_t ikm_len)
{
	int ret = SG_ERR_LENGTH;
	uint8_t dkp_prk[NH];

	need(ikm, ikm_len, __func__);
	if (ikm_len < SG_HPKE_IKM_MIN_BYTES)
		goto cleanup;
	ret = sodium_ready();
	if (ret != 0)
		goto cleanup;
	labeled_extract(dkp_prk, &KEM, NULL, 0, "dkp_prk", ikm, ikm_len);
	labeled_expand(sk, SG_HPKE_SECRET_KEY_BYTES, &KEM, dkp_prk, "sk", NULL, 0);
	ret = public_of(pk, sk) == 0 ? 0 : SG_ERR_PARAM;
cleanup:
	sodium_memzero(dkp_prk, sizeof dkp_prk);
	if (ret != 0) {
		sodium_memzero(pk, SG_HPKE_PUBLIC_KEY_BYTES);
		sodium_memzero(sk, SG_HPKE_SECRET_KEY_BYTES);
	}
	return ret;
}

/* ---- key schedule (§5.1) ------------------------------------------------ */

/*
 * KeySchedule(mode_base, shared_secret, info, psk = "", psk_id = "") into c,
 * when the KEM that produced shared_secret succeeded (kem_ret 0). Wipes the
 * shared secret either way and returns kem_ret.
 */
static int key_schedule(struct sg_hpke_ctx *c, enum sg_hpke_role role, int kem_ret,
			uint8_t shared_secret[static SG_HPKE_SHARED_SECRET_BYTES],
			const uint8_t *info, size_t info_len)
{
	/* mode || psk_id_hash || info_hash: public, as are mode and info. */
	uint8_t context[1 + 2 * NH], secret[NH];

	if (kem_ret != 0)
		goto cleanup;
	context[0] = MODE_BASE;
	labeled_extract(context + 1, &HPKE, NULL, 0, "psk_id_hash", NULL, 0);
	labeled_extract(context + 1 + NH, &HPKE, NULL, 0, "info_hash", info, info_len);
	labeled_extract(secret, &HPKE, shared_secret, SG_HPKE_SHARED_SECRET_BYTES, "secret", NULL,
			0);
	labeled_expand(c->key, sizeof c->key, &HPKE, secret, "key", context, sizeof context);
	labeled_expand(c->base_nonce, sizeof c->base_nonce, &HPKE, secret, "base_nonce", context,
		       sizeof context);
	labeled_expand(c->exporter_secret, sizeof c->exporter_secret, &HPKE, secret, "exp",
		       context, sizeof context);
	c->seq = 0;
	c->role = role;
cleanup:
	sodium_memzero(secret, sizeof secret);
	sodium_memzero(shared_secret, SG_HPKE_SHARED_SECRET_BYTES);
	return kem_ret;
}

/* SetupBaseS and SetupBaseR of §5.1.1 into c: the KEM, then the schedule. */
static int setup_s(struct sg_hpke_ctx *c, uint8_t enc[static SG_HPKE_ENC_BYTES],
		   const uint8_t pk_r[static SG_HPKE_PUBLIC_KEY_BYTES],
		   const uint8_t sk_e[static SG_HPKE_SECRET_KEY_BYTES], const uint8_t *info,
		   size_t info_len)
{
	uint8_t ss[SG_HPKE_SHARED_SECRET_BYTES];
	int ret = sg_hpke_encap(ss, enc, pk_r, sk_e);

	return key_schedule(c, SG_HPKE_SENDER, ret, ss, info, info_len);
}

static int setup_r(struct sg_hpke_ctx *c, const uint8_t enc[static SG_HPKE_ENC_BYTES],
		   const uint8_t sk_r[static SG_HPKE_SECRET_KEY_BYTES], const uint8_t *pk_r,
		   const uint8_t *info, size_t info_len)
{
	uint8_t ss[SG_HPKE_SHARED_SECRET_BYTES];
	int ret = decap(ss, enc, sk_r, pk_r);

	return key_schedule(c, SG_HPKE_RECEIVER, ret, ss, info, info_len);
}

/* *c: a zeroed context, libsodium initialised. Ordinary heap memory, wiped
 * by sg_hpke_ctx_free: a context lives for one report's share, and
 * sodium_malloc's guard pages cost several system calls each. */
static int ctx_alloc(struct sg_hpke_ctx **c)
{
	*c = sodium_init() < 0 ? NULL : malloc(sizeof **c);
	if (*c == NULL)
		return SG_ERR_NOMEM;
	sodium_memzero(*c, sizeof **c);
	return 0;
}

/* Hands c to the caller when set up (ret 0), frees it otherwise. */
static int ctx_publish(sg_hpke_ctx **out, struct sg_hpke_ctx *c, int ret)
{
	*out = ret == 0 ? c : NULL;
	if (ret != 0)
		sg_hpke_ctx_free(c);
	return ret;
}

int sg_hpke_setup_base_s(sg_hpke_ctx **out, uint8_t enc[static SG_HPKE_ENC_BYTES],
			 const uint8_t pk_r[static SG_HPKE_PUBLIC_KEY_BYTES],
			 const uint8_t sk_e[static SG_HPKE_SECRET_KEY_BYTES],
			 const uint8_t *info, size_t info_len)
{
	struct sg_hpke_ctx *c;
	int ret;

	need(info, info_len, __func__);
	ret = ctx_alloc(&c);
	if (ret == 0)
		ret = setup_s(c, enc, pk_r, sk_e, info, info_len);
	if (ret != 0)
		sodium_memzero(enc, SG_HPKE_ENC_BYTES);
	return ctx_publish(out, c, ret);
}

int sg_hpke_setup_base_r(sg_hpke_ctx **out, const uint8_t enc[static SG_HPKE_ENC_BYTES],
			 const uint8_t sk_r[static SG_HPKE_SECRET_KEY_BYTES],
			 const uint8_t *info, size_t info_len)
{
	struct sg_hpke_ctx *c;
	int ret;

	need(info, info_len, __func__);
	ret = ctx_alloc(&c);
	if (ret == 0)
		ret = setup_r(c, enc, sk_r, NULL, info, info_len);
	return ctx_publish(out, c, ret);
}

void sg_hpke_ctx_free(sg_hpke_ctx *ctx)
{
	if (ctx == NULL)
		return;
	sodium_memzero(ctx, sizeof *ctx);
	free(ctx);
}

/* ---- encryption and export (§5.2, §5.3) --------------------------------- */

/* ComputeNonce: base_nonce XOR I2OSP(seq, Nn). */
static void compute_nonce(uint8_t nonce[static SG_HPKE_NONCE_BYTES], const struct sg_hpke_ctx *c)
{
	memcpy(nonce, c->base_nonce, SG_HPKE_NONCE_BYTES);
	for (size_t i = 0; i < sizeof c->seq; i++)
		nonce[SG_HPKE_NONCE_BYTES - 1 - i] ^= (uint8_t)(c->seq >> (8 * i));
}

/* The arguments of a seal, checked before anything is written. */
static void check_seal(const uint8_t *ct, const uint8_t *aad, size_t aad_len, const uint8_t *pt,
		       size_t pt_len, const char *where)
{
	need(aad, aad_len, where);
	need(pt, pt_len, where);
	if (pt_len > PT_MAX || ct == NULL)
		sg_misuse(where);
}

static void check_open(const uint8_t *pt, const uint8_t *aad, size_t aad_len, const uint8_t *ct,
		       size_t ct_len, const char *where)
{
	need(aad, aad_len, where);
	need(ct, ct_len, where);
	need(pt, ct_len > TAG ? ct_len - TAG : 0, where);
}

/*
 * The sequence number is 64 bits, so a context stops one message short of
 * 2^64 where RFC 9180 allows 2^96 - 1: the nonce never repeats.
 */
int sg_hpke_ctx_seal(sg_hpke_ctx *ctx, uint8_t *ct, const uint8_t *aad, size_t aad_len,
		     const uint8_t *pt, size_t pt_len)
{
	int ret = SG_ERR_STATE;
	uint8_t nonce[SG_HPKE_NONCE_BYTES];

	check_seal(ct, aad, aad_len, pt, pt_len, __func__);
	if (ctx->role != SG_HPKE_SENDER)
		sg_misuse(__func__);
	if (ctx->seq == UINT64_MAX)
		goto cleanup;
	compute_nonce(nonce, ctx);
	crypto_aead_chacha20poly1305_ietf_encrypt(ct, NULL, pt, pt_len, aad, aad_len, NULL, nonce,
						  ctx->key);
	ctx->seq++;
	ret = 0;
cleanup:
	sodium_memzero(nonce, sizeof nonce);
	if (ret != 0)
		sodium_memzero(ct, pt_len + TAG);
	return ret;
}

/* A failed open leaves the sequence number where it was (§5.2). */
int sg_hpke_ctx_open(sg_hpke_ctx *ctx, uint8_t *pt, const uint8_t *aad, size_t aad_len,
		     const uint8_t *ct, size_t ct_len)
{
	int ret = SG_ERR_LENGTH;
	uint8_t nonce[SG_HPKE_NONCE_BYTES];

	check_open(pt, aad, aad_len, ct, ct_len, __func__);
	if (ctx->role != SG_HPKE_RECEIVER)
		sg_misuse(__func__);
	if (ct_len < TAG || ct_len - TAG > PT_MAX)
		goto cleanup;
	ret = SG_ERR_STATE;
	if (ctx->seq == UINT64_MAX)
		goto cleanup;
	compute_nonce(nonce, ctx);
	ret = SG_ERR_DECRYPT;
	if (crypto_aead_chacha20poly1305_ietf_decrypt(pt, NULL, NULL, ct, ct_len, aad, aad_len,
						      nonce, ctx->key) != 0)
		goto cleanup;
	ctx->seq++;
	ret = 0;
cleanup:
	sodium_memzero(nonce, sizeof nonce);
	if (ret != 0 && ct_len > TAG)
		sodium_memzero(pt, ct_len - TAG);
	return ret;
}

void sg_hpke_ctx_export(const sg_hpke_ctx *ctx, uint8_t *out, size_t out_len,
			const uint8_t *exporter_context, size_t exporter_context_len)
{
	need(out, out_len, __func__);
	need(exporter_context, exporter_context_len, __func__);
	if (out_len > SG_HPKE_EXPORT_MAX_BYTES)
		sg_misuse(__func__);
	labeled_expand(out, out_len, &HPKE, ctx->exporter_secret, "sec", exporter_context,
		       exporter_context_len);
}

/* ---- single-shot (§6.1) ------------------------------------------------- */

int sg_hpke_seal(uint8_t enc[static SG_HPKE_ENC_BYTES], uint8_t *ct,
		 const uint8_t pk_r[static SG_HPKE_PUBLIC_KEY_BYTES], const uint8_t *info,
		 size_t info_len, const uint8_t *aad, size_t aad_len, const uint8_t *pt,
		 size_t pt_len)
{
	struct sg_hpke_ctx c = { 0 };
	uint8_t sk_e[SG_HPKE_SECRET_KEY_BYTES];
	int ret;

	need(info, info_len, __func__);
	check_seal(ct, aad, aad_len, pt, pt_len, __func__);
	ret = sodium_ready();
	if (ret != 0)
		goto cleanup;
	randombytes_buf(sk_e, sizeof sk_e);
	ret = setup_s(&c, enc, pk_r, sk_e, info, info_len);
	if (ret != 0)
		goto cleanup;
	ret = sg_hpke_ctx_seal(&c, ct, aad, aad_len, pt, pt_len);
cleanup:
	sodium_memzero(sk_e, sizeof sk_e);
	sodium_memzero(&c, sizeof c);
	if (ret != 0) {
		sodium_memzero(enc, SG_HPKE_ENC_BYTES);
		sodium_memzero(ct, pt_len + TAG);
	}
	return ret;
}

int sg_hpke_open(uint8_t *pt, const uint8_t enc[static SG_HPKE_ENC_BYTES],
		 const uint8_t sk_r[static SG_HPKE_SECRET_KEY_BYTES], const uint8_t *info,
		 size_t info_len, const uint8_t *aad, size_t aad_len, const uint8_t *ct,
		 size_t ct_len)
{
	return sg_hpke_open_pk(pt, enc, sk_r, NULL, info, info_len, aad, aad_len, ct, ct_len);
}

int sg_hpke_open_pk(uint8_t *pt, const uint8_t enc[static SG_HPKE_ENC_BYTES],
		    const uint8_t sk_r[static SG_HPKE_SECRET_KEY_BYTES], const uint8_t *pk_r,
		    const uint8_t *info, size_t info_len, const uint8_t *aad, size_t aad_len,
		    const uint8_t *ct, size_t ct_len)
{
	struct sg_hpke_ctx c = { 0 };
	int ret = SG_ERR_LENGTH;

	need(info, info_len, __func__);
	check_open(pt, aad, aad_len, ct, ct_len, __func__);
	if (ct_len < TAG)
		goto cleanup;
	ret = sodium_ready();
	if (ret != 0)
		goto cleanup;
	ret = setup_r(&c, enc, sk_r, pk_r, info, info_len);
	if (ret != 0)
		goto cleanup;
	ret = sg_hpke_ctx_open(&c, pt, aad, aad_len, ct, ct_len);
cleanup:
	sodium_memzero(&c, sizeof c);
	if (ret != 0 && ct_len > TAG)
		sodium_memzero(pt, ct_len - TAG);
	return ret;
}
