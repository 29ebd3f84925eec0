/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Key file text: encoding, and a strict decoder (one encoding per key, so
 * that decode then encode gives back the same bytes). The secret bytes go
 * through libsodium's constant-time base64 and are compared with
 * sodium_memcmp; the stack copy of a blob is wiped on every path.
 */
#define _POSIX_C_SOURCE 200809L /* strnlen */

#include "core/keyblob.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "spillguard/err.h"
#include "util/hex.h"
#include "util/misuse.h"

#define ID_HEX (2 * SG_KEY_ID_BYTES)
#define HEADER (SG_KEYBLOB_TAG_BYTES + SG_KEY_ID_BYTES)
/* Base64 of the longest blob is 100 characters; one more group is room to
 * say "too long" with the blob's length rather than "bad base64". */
#define B64_MAX 128
#define BLOB_CAP (B64_MAX / 4 * 3)

static const char *const ROLES[] = { "enterprise", "aggregator", "authority" };
static const char *const KINDS[SG_KEY_KINDS] = { "sign", "hpke", "curve" };
static const char TAGS[SG_KEY_KINDS][SG_KEYBLOB_TAG_BYTES] = { { 'E', 'd' }, { 'X', 'h' },
								{ 'X', 'c' } };
static const char *const ALGS[SG_KEY_KINDS] = { "Ed25519 signing", "X25519 HPKE",
						 "X25519 CURVE" };

#define N_ROLES (sizeof ROLES / sizeof ROLES[0])

static void need_role(enum sg_key_role role, const char *where)
{
	if ((unsigned)role >= N_ROLES)
		sg_misuse(where);
}

static void need_kind(enum sg_key_kind kind, const char *where)
{
	if ((unsigned)kind >= SG_KEY_KINDS)
		sg_misuse(where);
}

const char *sg_key_role_name(enum sg_key_role role)
{
	need_role(role, __func__);
	return ROLES[role];
}

const char *sg_key_kind_name(enum sg_key_kind kind)
{
	need_kind(kind, __func__);
	return KINDS[kind];
}

/* Index of the name equal to s[0..len) in names[0..n), or -1. */
static int lookup(const char *const *names, size_t n, const char *s, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(names[i]) == len && memcmp(names[i], s, len) == 0)
			return (int)i;
	return -1;
}

int sg_key_role_parse(enum sg_key_role *out, const char *s)
{
	int i;

	if (out == NULL || s == NULL)
		sg_misuse(__func__);
	if ((i = lookup(ROLES, N_ROLES, s, strlen(s))) < 0)
		return SG_ERR_PARSE;
	*out = (enum sg_key_role)i;
	return 0;
}

bool sg_key_role_has(enum sg_key_role role, enum sg_key_kind kind)
{
	need_role(role, __func__);
	need_kind(kind, __func__);
	return kind == SG_KEY_SIGN || role == SG_KEY_ROLE_AGGREGATOR;
}

static bool name_char(char c, bool first)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return true;
	return !first && (c == '.' || c == '_' || c == '-');
}

/* Whether s[0..len) is a NAME label. */
static bool name_ok(const char *s, size_t len)
{
	if (len == 0 || len > SG_KEY_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!name_char(s[i], i == 0))
			return false;
	return true;
}

bool sg_key_name_valid(const char *name)
{
	if (name == NULL)
		sg_misuse(__func__);
	return name_ok(name, strnlen(name, SG_KEY_NAME_MAX + 1));
}

size_t sg_keyblob_secret_bytes(enum sg_key_kind kind)
{
	need_kind(kind, __func__);
	return kind == SG_KEY_SIGN ? SG_KEY_SIGN_SECRET_BYTES : SG_KEY_X25519_SECRET_BYTES;
}

void sg_keyblob_key_id(uint8_t id[static SG_KEY_ID_BYTES],
		       const uint8_t pk[static SG_KEY_PUBLIC_BYTES])
{
	uint8_t h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, pk, SG_KEY_PUBLIC_BYTES);
	memcpy(id, h, SG_KEY_ID_BYTES);
}

int sg_keyblob_public_of(uint8_t pk[static SG_KEY_PUBLIC_BYTES], enum sg_key_kind kind,
			 const uint8_t *sk)
{
	uint8_t again[crypto_sign_SECRETKEYBYTES];
	int ret = SG_ERR_KEY;

	need_kind(kind, __func__);
	if (sk == NULL || sodium_init() < 0)
		sg_misuse(__func__);
	if (kind == SG_KEY_SIGN) {
		/* seed = the first 32 bytes; expanding it gives seed || public. */
		if (crypto_sign_seed_keypair(pk, again, sk) != 0 ||
		    sodium_memcmp(again, sk, sizeof again) != 0)
			goto cleanup;
	} else if (crypto_scalarmult_base(pk, sk) != 0) {
		goto cleanup;
	}
	ret = 0;
cleanup:
	sodium_memzero(again, sizeof again);
	if (ret != 0)
		sodium_memzero(pk, SG_KEY_PUBLIC_BYTES);
	return ret;
}

/* --- encoding -------------------------------------------------------------- */

/* "spillguard ROLE KIND secret|public key KEYID[ NAME]\n"; returns its length. */
static size_t comment(char *out, size_t cap, const sg_keyblob *b)
{
	char id[ID_HEX + 1];
	int n;

	sg_hex_encode(id, b->id, SG_KEY_ID_BYTES);
	n = snprintf(out, cap, "spillguard %s %s %s key %s%s%s\n", ROLES[b->role],
		     KINDS[b->kind], b->secret ? "secret" : "public", id,
		     b->name[0] != '\0' ? " " : "", b->name);
	if (n < 0 || (size_t)n >= cap)
		sg_misuse(__func__);
	return (size_t)n;
}

void sg_keyblob_encode(char out[static SG_KEYBLOB_TEXT_MAX_BYTES], size_t *out_len,
		       const sg_keyblob *b, const uint8_t *sk)
{
	uint8_t blob[SG_KEYBLOB_MAX_BYTES];
	size_t n, key_len;

	if (b == NULL || out_len == NULL || (b->secret && sk == NULL))
		sg_misuse(__func__);
	need_role(b->role, __func__);
	need_kind(b->kind, __func__);
	if (!sg_key_role_has(b->role, b->kind) ||
	    (b->name[0] != '\0' && !name_ok(b->name, strnlen(b->name, sizeof b->name))))
		sg_misuse(__func__);
	key_len = b->secret ? sg_keyblob_secret_bytes(b->kind) : SG_KEY_PUBLIC_BYTES;
	memcpy(blob, TAGS[b->kind], SG_KEYBLOB_TAG_BYTES);
	memcpy(blob + SG_KEYBLOB_TAG_BYTES, b->id, SG_KEY_ID_BYTES);
	memcpy(blob + HEADER, b->secret ? sk : b->pk, key_len);

	n = comment(out, SG_KEYBLOB_TEXT_MAX_BYTES, b);
	if (SG_KEYBLOB_TEXT_MAX_BYTES - n <
	    sodium_base64_ENCODED_LEN(HEADER + key_len, sodium_base64_VARIANT_ORIGINAL) + 1)
		sg_misuse(__func__);
	sodium_bin2base64(out + n, SG_KEYBLOB_TEXT_MAX_BYTES - n, blob, HEADER + key_len,
			  sodium_base64_VARIANT_ORIGINAL);
	n += strlen(out + n);
	out[n++] = '\n';
	out[n] = '\0';
	*out_len = n;
	sodium_memzero(blob, sizeof blob);
}

/* --- decoding -------------------------------------------------------------- */

/* A cursor over line 1, split at single spaces. */
typedef struct words {
	const char *p, *end;
} words;

/* The next word in *w (a run of non-spaces), *len its length; false when
 * none is left. Two spaces in a row make an empty word, which no field takes. */
static bool next_word(words *c, const char **w, size_t *len)
{
	const char *q;

	if (c->p == NULL)
		return false;
	*w = c->p;
	q = memchr(c->p, ' ', (size_t)(c->end - c->p));
	*len = (size_t)((q != NULL ? q : c->end) - c->p);
	c->p = q != NULL ? q + 1 : NULL;
	return true;
}

static bool word_is(words *c, const char *want)
{
	const char *w;
	size_t len;

	return next_word(c, &w, &len) && len == strlen(want) && memcmp(w, want, len) == 0;
}

/* Looks the next word up in names; -1 when absent or unknown. */
static int word_in(words *c, const char *const *names, size_t n)
{
	const char *w;
	size_t len;

	return next_word(c, &w, &len) ? lookup(names, n, w, len) : -1;
}

/* The key id word: exactly 16 lowercase hex digits. */
static bool word_id(words *c, uint8_t id[static SG_KEY_ID_BYTES])
{
	const char *w;
	size_t len, n;

	if (!next_word(c, &w, &len) || len != ID_HEX)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((w[i] >= '0' && w[i] <= '9') || (w[i] >= 'a' && w[i] <= 'f')))
			return false;
	return sg_hex_decode_vartime(id, SG_KEY_ID_BYTES, &n, w, len) == 0;
}

/* The optional last word, NAME. */
static bool word_name(words *c, char name[static SG_KEY_NAME_MAX + 1])
{
	const char *w;
	size_t len;

	if (!next_word(c, &w, &len))
		return true;
	if (!name_ok(w, len) || c->p != NULL)
		return false;
	memcpy(name, w, len);
	name[len] = '\0';
	return true;
}

#define say(...) snprintf(why, why_len, __VA_ARGS__)

/*
 * Whether s[0..len) is 7-bit: an OR over every byte, no branch on any of
 * them (line 2 spells a secret). libsodium up to 1.0.18 maps some bytes
 * >= 0x80 to base64 digits where char is signed (fixed upstream in commit
 * a615d0ed, "base64: reject signed chars"), so they are refused first.
 */
static bool seven_bit(const char *s, size_t len)
{
	unsigned acc = 0;

	for (size_t i = 0; i < len; i++)
		acc |= (unsigned char)s[i];
	return (acc & 0x80u) == 0;
}

static int parse_comment(sg_keyblob *b, const char *line, size_t len, char *why, size_t why_len)
{
	static const char *const HALVES[] = { "public", "secret" };
	words c = { line, line + len };
	int role, kind, half;

	if (!word_is(&c, "spillguard")) {
		say("not a spillguard key file (line 1 does not start with 'spillguard ')");
		return SG_ERR_PARSE;
	}
	role = word_in(&c, ROLES, N_ROLES);
	kind = word_in(&c, KINDS, SG_KEY_KINDS);
	half = word_in(&c, HALVES, 2);
	if (role < 0 || kind < 0 || half < 0 || !word_is(&c, "key") || !word_id(&c, b->id) ||
	    !word_name(&c, b->name)) {
		say("line 1 is not 'spillguard ROLE KIND secret|public key KEYID [NAME]'");
		return SG_ERR_PARSE;
	}
	b->role = (enum sg_key_role)role;
	b->kind = (enum sg_key_kind)kind;
	b->secret = half == 1;
	if (!sg_key_role_has(b->role, b->kind)) {
		say("line 1 names a %s key of an %s, which has none", KINDS[kind], ROLES[role]);
		return SG_ERR_PARSE;
	}
	return 0;
}

/* The kind whose tag starts blob, or -1. */
static int tag_kind(const uint8_t *blob)
{
	for (int k = 0; k < SG_KEY_KINDS; k++)
		if (memcmp(blob, TAGS[k], SG_KEYBLOB_TAG_BYTES) == 0)
			return k;
	return -1;
}

/* Checks the blob's tag, length and key id against line 1 (all public). */
static int check_header(const sg_keyblob *b, const uint8_t *blob, size_t len, char *why,
			size_t why_len)
{
	size_t want = HEADER + (b->secret ? sg_keyblob_secret_bytes(b->kind) : SG_KEY_PUBLIC_BYTES);
	char id[ID_HEX + 1];
	int kind;

	if (len < SG_KEYBLOB_TAG_BYTES) {
		say("the key blob is %zu bytes, too short to hold an algorithm tag", len);
		return SG_ERR_LENGTH;
	}
	if ((kind = tag_kind(blob)) < 0) {
		say("unknown algorithm tag 0x%02x%02x (not Ed, Xh or Xc)", blob[0], blob[1]);
		return SG_ERR_KEY;
	}
	if (kind != (int)b->kind) {
		say("the blob holds an %s key (tag %.2s) but line 1 says %s", ALGS[kind],
		    TAGS[kind], KINDS[b->kind]);
		return SG_ERR_KEY;
	}
	if (len != want) {
		say("the key blob is %zu bytes; an %s %s key blob is %zu", len, ALGS[kind],
		    b->secret ? "secret" : "public", want);
		return SG_ERR_LENGTH;
	}
	if (memcmp(blob + SG_KEYBLOB_TAG_BYTES, b->id, SG_KEY_ID_BYTES) != 0) {
		sg_hex_encode(id, blob + SG_KEYBLOB_TAG_BYTES, SG_KEY_ID_BYTES);
		say("the blob's key id %s differs from the one on line 1", id);
		return SG_ERR_KEY;
	}
	return 0;
}

/* Sets b->pk from the key after the header and checks that it has b->id. */
static int check_key(sg_keyblob *b, uint8_t *sk, const uint8_t *key, char *why, size_t why_len)
{
	uint8_t id[SG_KEY_ID_BYTES];
	char hex[ID_HEX + 1];

	if (b->secret) {
		memcpy(sk, key, sg_keyblob_secret_bytes(b->kind));
		if (sg_keyblob_public_of(b->pk, b->kind, sk) != 0) {
			say("the secret key's two halves do not match: the file is corrupted");
			return SG_ERR_KEY;
		}
	} else {
		memcpy(b->pk, key, SG_KEY_PUBLIC_BYTES);
		if (b->kind == SG_KEY_SIGN && crypto_core_ed25519_is_valid_point(b->pk) != 1) {
			say("the key is not a valid Ed25519 public key");
			return SG_ERR_KEY;
		}
	}
	sg_keyblob_key_id(id, b->pk);
	if (memcmp(id, b->id, SG_KEY_ID_BYTES) != 0) {
		sg_hex_encode(hex, b->id, SG_KEY_ID_BYTES);
		say("key id %s does not match the key: the file is corrupted or was "
		    "put together from two keys", hex);
		return SG_ERR_KEY;
	}
	return 0;
}

int sg_keyblob_decode(sg_keyblob *b, uint8_t sk[static SG_KEY_SECRET_MAX_BYTES],
		      const char *text, size_t len, char *why, size_t why_len)
{
	uint8_t blob[BLOB_CAP];
	const char *nl, *b64;
	size_t blob_len = 0, b64_len;
	int ret = SG_ERR_PARSE;

	if (b == NULL || sk == NULL || (text == NULL && len > 0) || (why == NULL && why_len > 0) ||
	    sodium_init() < 0)
		sg_misuse(__func__);
	memset(b, 0, sizeof *b);
	if (why_len > 0)
		why[0] = '\0';
	if (len > SG_KEYBLOB_TEXT_MAX_BYTES) {
		say("longer than %d bytes: not a spillguard key file", SG_KEYBLOB_TEXT_MAX_BYTES);
		ret = SG_ERR_LENGTH;
		goto cleanup;
	}
	if (len > 0 && text[len - 1] == '\n')
		len--;
	if (len == 0 || (nl = memchr(text, '\n', len)) == NULL) {
		say("not a spillguard key file (it should have two lines)");
		goto cleanup;
	}
	if ((ret = parse_comment(b, text, (size_t)(nl - text), why, why_len)) != 0)
		goto cleanup;
	b64 = nl + 1;
	b64_len = len - (size_t)(b64 - text);
	if (b64_len > B64_MAX) {
		say("line 2 is longer than the base64 of any key");
		ret = SG_ERR_LENGTH;
		goto cleanup;
	}
	/* NULL for ignore and end: every character must be base64, padding
	 * included, and unused bits zero (libsodium refuses them otherwise). */
	if (!seven_bit(b64, b64_len) ||
	    sodium_base642bin(blob, sizeof blob, b64, b64_len, NULL, &blob_len, NULL,
			      sodium_base64_VARIANT_ORIGINAL) != 0) {
		say("line 2 is not one line of base64 (original variant, with padding)");
		ret = SG_ERR_PARSE;
		goto cleanup;
	}
	if ((ret = check_header(b, blob, blob_len, why, why_len)) != 0 ||
	    (ret = check_key(b, sk, blob + HEADER, why, why_len)) != 0)
		goto cleanup;
	ret = 0;
cleanup:
	sodium_memzero(blob, sizeof blob);
	if (ret != 0) {
		memset(b, 0, sizeof *b);
		sodium_memzero(sk, SG_KEY_SECRET_MAX_BYTES);
	}
	return ret;
}
