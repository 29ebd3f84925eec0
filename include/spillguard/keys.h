/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SPILLGUARD_KEYS_H
#define SPILLGUARD_KEYS_H

/*
 * Key pairs and key files (docs/keys.md has the file format).
 *
 *   enterprise  sign             Ed25519, signs reports
 *   authority   sign             Ed25519, signs tasks
 *   aggregator  sign, hpke, curve  Ed25519 attestations and tree heads;
 *                                  X25519 for HPKE; X25519 for ZeroMQ CURVE
 *
 * One text file per half of a pair: a comment line naming role, kind and
 * key id, then base64 of tag || key id || key. The key id is the first
 * SG_KEY_ID_BYTES of SHA-256 of the public key.
 *
 * An sg_key lives in sodium_malloc'd memory, read-only once filled, and is
 * wiped when freed. Functions return 0 or a negative enum sg_err; those
 * that touch files also write a one-line message naming the file into err
 * (err may be NULL when err_len is 0). Messages never contain key bytes.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spillguard/err.h"
#include "spillguard/export.h"

#define SG_KEY_ID_BYTES 8
#define SG_KEY_PUBLIC_BYTES 32      /* Ed25519 and X25519 alike */
#define SG_KEY_SIGN_SECRET_BYTES 64 /* libsodium's Ed25519 secret key: seed || public */
#define SG_KEY_X25519_SECRET_BYTES 32
#define SG_KEY_SECRET_MAX_BYTES 64
#define SG_KEY_NAME_MAX 64             /* longest NAME label */
#define SG_KEY_Z85_CHARS 40            /* a 32-byte key in Z85 (ZeroMQ RFC 32) */
#define SG_KEYSET_JSON_MAX_BYTES 512   /* sg_keyset_public_json, NUL included */

enum sg_key_role {
	SG_KEY_ROLE_ENTERPRISE,
	SG_KEY_ROLE_AGGREGATOR,
	SG_KEY_ROLE_AUTHORITY,
};

enum sg_key_kind {
	SG_KEY_SIGN,  /* Ed25519, tag "Ed" */
	SG_KEY_HPKE,  /* X25519 for HPKE, tag "Xh" */
	SG_KEY_CURVE, /* X25519 for ZeroMQ CURVE, tag "Xc" */
};
#define SG_KEY_KINDS 3

/* "enterprise", "aggregator", "authority"; "sign", "hpke", "curve". */
SG_API const char *sg_key_role_name(enum sg_key_role role);
SG_API const char *sg_key_kind_name(enum sg_key_kind kind);
/* SG_ERR_PARSE unless s is one of the role names. */
SG_API SG_MUST_CHECK int sg_key_role_parse(enum sg_key_role *out, const char *s);
/* Whether role holds a key of this kind (every role signs; only
 * aggregators have hpke and curve keys). */
SG_API bool sg_key_role_has(enum sg_key_role role, enum sg_key_kind kind);
/* A NAME label: 1 to SG_KEY_NAME_MAX of [A-Za-z0-9._-], starting with a
 * letter or digit (safe in a file's comment line, in JSON and in paths). */
SG_API bool sg_key_name_valid(const char *name);

typedef struct sg_key sg_key;

/* A fresh key pair of kind for role, labelled name (NULL or "" for none).
 * SG_ERR_PARAM when role has no key of that kind or name is not valid;
 * SG_ERR_NOMEM. *out is NULL on failure. */
SG_API SG_MUST_CHECK int sg_key_generate(sg_key **out, enum sg_key_role role,
					 enum sg_key_kind kind, const char *name);

/*
 * Loads the secret half of a kind key from path. The file must be a regular
 * file (not a symbolic link: opened with O_NOFOLLOW) whose mode has no group
 * or other bit, checked with fstat on the opened file. The key must re-derive
 * the public key its key id names.
 *
 * Returns 0; SG_ERR_PERMISSION for a symbolic link or a mode with group or
 * other bits (err says how to fix it); SG_ERR_IO when the file cannot be
 * opened or read or is not a regular file; SG_ERR_PARSE when it is not a
 * spillguard key file or its base64 is bad; SG_ERR_LENGTH when the file or
 * the key blob has the wrong size; SG_ERR_KEY when it holds another kind of
 * key, a public key, or a key that does not match its key id; SG_ERR_NOMEM.
 */
SG_API SG_MUST_CHECK int sg_key_load_secret(sg_key **out, const char *path,
					    enum sg_key_kind kind, char *err, size_t err_len);
/* Loads a public half: the same checks, except that the file's mode is not
 * looked at and a symbolic link is followed; SG_ERR_KEY also for a secret
 * key file or an Ed25519 public key that is not a valid point. */
SG_API SG_MUST_CHECK int sg_key_load_public(sg_key **out, const char *path,
					    enum sg_key_kind kind, char *err, size_t err_len);

/*
 * Writes k's secret half (mode 0600) or public half (0644, less the umask)
 * to path. Without force an existing path (even a dangling symbolic link) is
 * left alone: SG_ERR_EXISTS. With force the file is written beside it and
 * renamed over it, so path holds the old key or the new one, never a part.
 * The file and its folder are fsync'ed. SG_ERR_STATE when k has no secret
 * half to save; SG_ERR_IO.
 */
SG_API SG_MUST_CHECK int sg_key_save_secret(const sg_key *k, const char *path, bool force,
					    char *err, size_t err_len);
SG_API SG_MUST_CHECK int sg_key_save_public(const sg_key *k, const char *path, bool force,
					    char *err, size_t err_len);

/* Wipes and frees; takes NULL. */
SG_API void sg_key_free(sg_key *k);

SG_API enum sg_key_role sg_key_role_of(const sg_key *k);
SG_API enum sg_key_kind sg_key_kind_of(const sg_key *k);
/* The NAME label, "" when none. */
SG_API const char *sg_key_name(const sg_key *k);
SG_API const uint8_t *sg_key_id(const sg_key *k);     /* SG_KEY_ID_BYTES */
SG_API const uint8_t *sg_key_public(const sg_key *k); /* SG_KEY_PUBLIC_BYTES */
/* The secret key (SG_KEY_SIGN_SECRET_BYTES for sign keys, as libsodium's
 * crypto_sign_detached takes it; SG_KEY_X25519_SECRET_BYTES otherwise), or
 * NULL for a key loaded from a public file. */
SG_API const uint8_t *sg_key_secret(const sg_key *k);
/* The key id as 16 lowercase hex digits and a NUL. */
SG_API void sg_key_id_hex(char out[static 2 * SG_KEY_ID_BYTES + 1], const sg_key *k);
/* The public key in Z85, as ZeroMQ's CURVE options and zmq_z85_decode take
 * it: SG_KEY_Z85_CHARS characters and a NUL. */
SG_API void sg_key_public_z85(char out[static SG_KEY_Z85_CHARS + 1], const sg_key *k);

/* --- one party's keys ------------------------------------------------------ */

/* key[kind] is NULL for the kinds role does not have. */
typedef struct sg_keyset {
	enum sg_key_role role;
	sg_key *key[SG_KEY_KINDS];
} sg_keyset;

/* Fresh keys of every kind role has. On failure ks holds no keys. */
SG_API SG_MUST_CHECK int sg_keyset_generate(sg_keyset *ks, enum sg_key_role role,
					    const char *name);

/*
 * Writes each key's halves to dir/<kind>.sk and dir/<kind>.pk (sign.sk,
 * sign.pk, hpke.sk, ...), creating dir and any missing parents with mode
 * 0700. Without force nothing is written if any of the files exists
 * (SG_ERR_EXISTS naming it), and a failure part-way removes the files this
 * call created. Errors otherwise as sg_key_save_secret.
 */
SG_API SG_MUST_CHECK int sg_keyset_save(const sg_keyset *ks, const char *dir, bool force,
					char *err, size_t err_len);

/* Loads the secret halves dir/<kind>.sk of every kind role has, checking
 * that each file says it belongs to role (SG_ERR_KEY otherwise). Errors as
 * sg_key_load_secret; on failure ks holds no keys. */
SG_API SG_MUST_CHECK int sg_keyset_load_secret(sg_keyset *ks, const char *dir,
					       enum sg_key_role role, char *err,
					       size_t err_len);

/*
 * The public halves as a JSON object to paste into a task file, one member
 * a line: "role", "name" (when labelled), "key_id" (of the signing key, hex),
 * "sign_pk" and, for an aggregator, "hpke_pk" (base64, original variant)
 * and "curve_pk" (Z85). Ends with a newline.
 */
SG_API void sg_keyset_public_json(char out[static SG_KEYSET_JSON_MAX_BYTES],
				  const sg_keyset *ks);

/* Frees every key; ks is then empty. */
SG_API void sg_keyset_free(sg_keyset *ks);

#endif
