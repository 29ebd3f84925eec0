/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SPILLGUARD_HPKE_H
#define SPILLGUARD_HPKE_H

/*
 * HPKE (RFC 9180), base mode, one suite: DHKEM(X25519, HKDF-SHA256),
 * HKDF-SHA256, ChaCha20Poly1305 (kem 0x0020, kdf 0x0001, aead 0x0003).
 * This is how an enterprise node seals each aggregator's input share: `info`
 * binds the task and the receiving aggregator, `aad` the report's public
 * metadata (DESIGN.md §3).
 *
 * All functions return 0 or a negative enum sg_err (spillguard/err.h); on
 * failure every output buffer is zeroed. Pointers to inputs may be NULL
 * when their length is 0. A ciphertext may be written over its plaintext
 * (ct == pt) and the other way round; other overlaps are not allowed.
 * Secrets (private keys, shared secrets, the key schedule) are wiped before
 * every return; a context keeps its keys in sodium_malloc'd memory.
 */
#include <stddef.h>
#include <stdint.h>

#include "spillguard/err.h"
#include "spillguard/export.h"

#define SG_HPKE_PUBLIC_KEY_BYTES 32 /* Npk: an X25519 public key */
#define SG_HPKE_SECRET_KEY_BYTES 32 /* Nsk: an X25519 private key */
#define SG_HPKE_ENC_BYTES 32        /* Nenc: the encapsulated key */
#define SG_HPKE_TAG_BYTES 16        /* Nt: ciphertext = plaintext + tag */
#define SG_HPKE_IKM_MIN_BYTES 32    /* DeriveKeyPair wants >= Nsk bytes of entropy */
#define SG_HPKE_EXPORT_MAX_BYTES (255 * 32) /* 255 * Nh */

/* A fresh key pair from the system's randomness. Fails only if libsodium
 * cannot initialise. */
SG_API SG_MUST_CHECK int sg_hpke_keygen(uint8_t pk[static SG_HPKE_PUBLIC_KEY_BYTES],
					uint8_t sk[static SG_HPKE_SECRET_KEY_BYTES]);

/* RFC 9180 §7.1.3 DeriveKeyPair: the key pair determined by ikm, which must
 * hold at least SG_HPKE_IKM_MIN_BYTES of entropy (SG_ERR_LENGTH when
 * shorter). The same ikm always gives the same pair. */
SG_API SG_MUST_CHECK int sg_hpke_derive_keypair(uint8_t pk[static SG_HPKE_PUBLIC_KEY_BYTES],
						uint8_t sk[static SG_HPKE_SECRET_KEY_BYTES],
						const uint8_t *ikm, size_t ikm_len);

/*
 * Single-shot encryption to pk_r (RFC 9180 §6.1 Seal with a fresh ephemeral
 * key): writes enc and ct, which has pt_len + SG_HPKE_TAG_BYTES bytes.
 * SG_ERR_PARAM when pk_r is a low-order point (no shared secret).
 */
SG_API SG_MUST_CHECK int sg_hpke_seal(uint8_t enc[static SG_HPKE_ENC_BYTES], uint8_t *ct,
				      const uint8_t pk_r[static SG_HPKE_PUBLIC_KEY_BYTES],
				      const uint8_t *info, size_t info_len,
				      const uint8_t *aad, size_t aad_len,
				      const uint8_t *pt, size_t pt_len);

/*
 * Single-shot decryption with the recipient's secret key: writes
 * ct_len - SG_HPKE_TAG_BYTES bytes to pt. SG_ERR_LENGTH when ct_len is
 * below SG_HPKE_TAG_BYTES; SG_ERR_DECRYPT when enc, info, aad or ct differ
 * from what was sealed, or sk_r is not the key sealed to; pt is then zeroed.
 */
SG_API SG_MUST_CHECK int sg_hpke_open(uint8_t *pt, const uint8_t enc[static SG_HPKE_ENC_BYTES],
				      const uint8_t sk_r[static SG_HPKE_SECRET_KEY_BYTES],
				      const uint8_t *info, size_t info_len,
				      const uint8_t *aad, size_t aad_len,
				      const uint8_t *ct, size_t ct_len);

/*
 * sg_hpke_open with the recipient's public key as well (NULL: derived from
 * sk_r), which saves a scalar multiplication per message for a recipient
 * that knows it. pk_r must be sk_r's: another key gives SG_ERR_DECRYPT, as
 * a wrong secret key does.
 */
SG_API SG_MUST_CHECK int sg_hpke_open_pk(uint8_t *pt, const uint8_t enc[static SG_HPKE_ENC_BYTES],
					 const uint8_t sk_r[static SG_HPKE_SECRET_KEY_BYTES],
					 const uint8_t *pk_r, const uint8_t *info, size_t info_len,
					 const uint8_t *aad, size_t aad_len, const uint8_t *ct,
					 size_t ct_len);

/*
 * A context (RFC 9180 §5.2) for several messages and for exporting secrets
 * (§5.3). A sender's context only seals and a receiver's only opens (using
 * the other is a programming error). Messages are numbered from 0: seal and
 * open must be called in the same order on both sides; a failed open does
 * not advance the count. After 2^64 - 1 messages a context refuses more
 * (SG_ERR_STATE). One context per thread.
 */
typedef struct sg_hpke_ctx sg_hpke_ctx;

/*
 * RFC 9180 §5.1.1 SetupBaseS with the ephemeral secret key sk_e given by the
 * caller: a fresh sg_hpke_keygen key, never used for anything else (reusing
 * it for another message or recipient reuses the AEAD key and nonces). Writes
 * the context to *out (NULL on failure) and enc. SG_ERR_PARAM when pk_r is a
 * low-order point, SG_ERR_NOMEM when out of memory.
 */
SG_API SG_MUST_CHECK int sg_hpke_setup_base_s(sg_hpke_ctx **out,
					      uint8_t enc[static SG_HPKE_ENC_BYTES],
					      const uint8_t pk_r[static SG_HPKE_PUBLIC_KEY_BYTES],
					      const uint8_t sk_e[static SG_HPKE_SECRET_KEY_BYTES],
					      const uint8_t *info, size_t info_len);

/* RFC 9180 §5.1.1 SetupBaseR. SG_ERR_DECRYPT when enc is a low-order point,
 * SG_ERR_NOMEM when out of memory; *out is NULL on failure. */
SG_API SG_MUST_CHECK int sg_hpke_setup_base_r(sg_hpke_ctx **out,
					      const uint8_t enc[static SG_HPKE_ENC_BYTES],
					      const uint8_t sk_r[static SG_HPKE_SECRET_KEY_BYTES],
					      const uint8_t *info, size_t info_len);

/* Wipes and frees; takes NULL. */
SG_API void sg_hpke_ctx_free(sg_hpke_ctx *ctx);

/* The next message: ct has pt_len + SG_HPKE_TAG_BYTES bytes. */
SG_API SG_MUST_CHECK int sg_hpke_ctx_seal(sg_hpke_ctx *ctx, uint8_t *ct,
					  const uint8_t *aad, size_t aad_len,
					  const uint8_t *pt, size_t pt_len);

/* The next message: pt has ct_len - SG_HPKE_TAG_BYTES bytes. Errors as for
 * sg_hpke_open, plus SG_ERR_STATE when the context is exhausted. */
SG_API SG_MUST_CHECK int sg_hpke_ctx_open(sg_hpke_ctx *ctx, uint8_t *pt,
					  const uint8_t *aad, size_t aad_len,
					  const uint8_t *ct, size_t ct_len);

/* RFC 9180 §5.3 Export: out_len (at most SG_HPKE_EXPORT_MAX_BYTES) bytes
 * bound to exporter_context; the same on both sides. */
SG_API void sg_hpke_ctx_export(const sg_hpke_ctx *ctx, uint8_t *out, size_t out_len,
			       const uint8_t *exporter_context, size_t exporter_context_len);

#endif
