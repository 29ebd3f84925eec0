/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SG_CORE_KEYBLOB_H
#define SG_CORE_KEYBLOB_H

/*
 * The text of a key file (docs/keys.md), with no file in sight so that the
 * decoder can be fuzzed:
 *
 *   spillguard ROLE KIND secret|public key KEYID[ NAME]\n
 *   base64(TAG || KEYID || KEY)\n
 *
 * TAG is "Ed", "Xh" or "Xc"; KEYID is SHA-256(public key)[0..8), in hex on
 * line 1; KEY is the 64-byte Ed25519 or 32-byte X25519 secret key, or the
 * 32-byte public key. Line 1 is a label, not a signature: every claim it
 * makes is checked against the blob, and the blob against itself.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spillguard/export.h"
#include "spillguard/keys.h"

#define SG_KEYBLOB_TAG_BYTES 2
/* The longest blob: an Ed25519 secret key (74 bytes). */
#define SG_KEYBLOB_MAX_BYTES (SG_KEYBLOB_TAG_BYTES + SG_KEY_ID_BYTES + SG_KEY_SECRET_MAX_BYTES)
/* The longest key file read; the longest written is 221 bytes. */
#define SG_KEYBLOB_TEXT_MAX_BYTES 256

/* What a key file says about its key: all of it public. */
typedef struct sg_keyblob {
	enum sg_key_role role;
	enum sg_key_kind kind;
	bool secret;
	uint8_t id[SG_KEY_ID_BYTES];
	uint8_t pk[SG_KEY_PUBLIC_BYTES];
	char name[SG_KEY_NAME_MAX + 1]; /* "" when none */
} sg_keyblob;

/* Bytes in a secret key of kind. */
size_t sg_keyblob_secret_bytes(enum sg_key_kind kind);

/* The key id of a public key: the first 8 bytes of its SHA-256. */
void sg_keyblob_key_id(uint8_t id[static SG_KEY_ID_BYTES],
		       const uint8_t pk[static SG_KEY_PUBLIC_BYTES]);

/*
 * The public key of kind's secret key sk (sg_keyblob_secret_bytes(kind)
 * bytes). An Ed25519 secret key is seed || public key: the seed is expanded
 * again and all 64 bytes compared in constant time, so a damaged half is
 * caught. Returns 0, or SG_ERR_KEY (pk then zeroed) when the halves differ
 * or X25519 yields the all-zero point.
 */
SG_MUST_CHECK int sg_keyblob_public_of(uint8_t pk[static SG_KEY_PUBLIC_BYTES],
				       enum sg_key_kind kind, const uint8_t *sk);

/*
 * Writes the file text for b and a NUL into out, its length (NUL not
 * counted) to *out_len: the secret file when b->secret, from sk; the public
 * one from b->pk otherwise (sk may then be NULL). b must be consistent (role
 * has kind, name valid, id of pk): anything else is a misuse. The text of a
 * secret file is secret: the caller wipes out.
 */
void sg_keyblob_encode(char out[static SG_KEYBLOB_TEXT_MAX_BYTES], size_t *out_len,
		       const sg_keyblob *b, const uint8_t *sk);

/*
 * Decodes a key file's len bytes (no NUL needed; the last newline may be
 * missing). Fills b; for a secret file also writes the key to sk, after
 * checking that it re-derives the public key whose id the blob carries.
 *
 * Returns 0; SG_ERR_LENGTH when the text or the blob is too long or short
 * for its kind; SG_ERR_PARSE when it is not two lines, line 1 is not a
 * spillguard key comment, or line 2 is not canonical padded base64;
 * SG_ERR_KEY for an unknown tag, a tag or key id that differs from line 1,
 * or a key that does not match its id. why gets a short phrase saying what
 * is wrong; it never quotes the file (a misplaced key could be in any line).
 * On failure b and sk are zeroed. Constant-time in the secret key bytes;
 * lengths and which check fails are not secret.
 */
SG_MUST_CHECK int sg_keyblob_decode(sg_keyblob *b, uint8_t sk[static SG_KEY_SECRET_MAX_BYTES],
				    const char *text, size_t len, char *why, size_t why_len);

#endif
