/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Key pairs, key files and Z85. Each test of the keys suite works in its own
 * mkdtemp folder under /tmp, removed by the suite's fini (which Criterion
 * runs after a failed assertion too).
 */
#define _XOPEN_SOURCE 700 /* nftw, mkdtemp, symlink, mkfifo */

#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/keyblob.h"
#include "spillguard/err.h"
#include "spillguard/keys.h"
#include "util/hex.h"
#include "util/z85.h"

/* --- Z85 ------------------------------------------------------------------- */

/* ZeroMQ RFC 32, "Test Case". */
Test(z85, rfc32_vector)
{
	static const uint8_t frame[8] = { 0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B };
	uint8_t back[8];
	char text[11];
	size_t n = 0;

	sg_z85_encode(text, frame, sizeof frame);
	cr_assert_str_eq(text, "HelloWorld");
	cr_assert_eq(sg_z85_decode(back, sizeof back, &n, "HelloWorld", 10), 0);
	cr_assert_eq(n, 8);
	cr_assert_arr_eq(back, frame, sizeof frame);
}

/* The key pair of the zmq_curve(7) man page (also libzmq's test keys): the
 * secret decodes, X25519 gives the public key, which encodes back. */
Test(z85, zmq_curve_man_page_keys)
{
	static const char pk_z85[] = "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID";
	static const char sk_z85[] = "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs";
	uint8_t sk[32], pk[32];
	char text[SG_KEY_Z85_CHARS + 1];
	size_t n = 0;

	cr_assert_eq(sg_z85_decode(sk, sizeof sk, &n, sk_z85, 40), 0);
	cr_assert_eq(n, 32);
	cr_assert_eq(sg_keyblob_public_of(pk, SG_KEY_CURVE, sk), 0);
	sg_z85_encode(text, pk, sizeof pk);
	cr_assert_str_eq(text, pk_z85);
}

Test(z85, round_trip_and_bounds)
{
	uint8_t in[64], back[64];
	char text[81];
	size_t n = 0;

	randombytes_buf(in, sizeof in);
	for (size_t len = 0; len <= sizeof in; len += 4) {
		sg_z85_encode(text, in, len);
		cr_assert_eq(strlen(text), len / 4 * 5);
		cr_assert_eq(sg_z85_decode(back, sizeof back, &n, text, len / 4 * 5), 0);
		cr_assert_eq(n, len);
		cr_assert_arr_eq(back, in, len);
	}
	memset(in, 0xff, 4);
	sg_z85_encode(text, in, 4);
	cr_assert_str_eq(text, "%nSc0"); /* 2^32 - 1, the largest group */
}

Test(z85, refuses_bad_text)
{
	static const char *const bad[] = { "%nSc1", "#####", "Hello Worl", "Hello\"orld",
					   "Hello,orld", "Hello;orld", "Hello\\orld", "Hello_orld",
					   "Hello|orld", "Hello~orld", "Hello\x80orld", "Hello\0orld" };
	uint8_t out[8];
	size_t n = 99;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		memset(out, 0xa5, sizeof out);
		size_t len = i < 2 ? 5 : 10;
		cr_assert_eq(sg_z85_decode(out, sizeof out, &n, bad[i], len), SG_ERR_PARSE, "#%zu", i);
		cr_assert_eq(n, 0);
		for (size_t j = 0; j < len / 5 * 4; j++)
			cr_assert_eq(out[j], 0, "#%zu: output not zeroed", i);
	}
	cr_assert_eq(sg_z85_decode(out, sizeof out, &n, "HelloWorl", 9), SG_ERR_LENGTH);
	cr_assert_eq(sg_z85_decode(out, 4, &n, "HelloWorld", 10), SG_ERR_LENGTH);
}

/* --- fixture and helpers ----------------------------------------------------- */

#define PATH_CAP 512

static char tmp[64];

static void setup(void)
{
	umask(022);
	snprintf(tmp, sizeof tmp, "/tmp/sg_test_keys_XXXXXX");
	cr_assert_not_null(mkdtemp(tmp));
}

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static void teardown(void)
{
	if (tmp[0] != '\0')
		nftw(tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

TestSuite(keys, .init = setup, .fini = teardown);

/* tmp/name in out. */
static const char *at(char out[static PATH_CAP], const char *name)
{
	snprintf(out, PATH_CAP, "%s/%s", tmp, name);
	return out;
}

static void write_text(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	cr_assert_geq(fd, 0, "cannot create %s", path);
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	cr_assert_eq(fchmod(fd, mode), 0);
	cr_assert_eq(close(fd), 0);
}

/* The file's text (NUL-terminated) in buf. */
static void read_text(char *buf, size_t cap, const char *path)
{
	int fd = open(path, O_RDONLY);
	cr_assert_geq(fd, 0, "cannot open %s", path);
	ssize_t n = read(fd, buf, cap - 1);
	cr_assert_geq(n, 0);
	buf[n] = '\0';
	close(fd);
}

static mode_t mode_of(const char *path)
{
	struct stat st;
	cr_assert_eq(lstat(path, &st), 0, "%s missing", path);
	return st.st_mode & 07777;
}

static bool exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

/* Writes a key file with line 1 `comment` and the base64 of blob. */
static void write_blob(const char *path, const char *comment, const uint8_t *blob, size_t len,
		       mode_t mode)
{
	char b64[256], text[512];

	cr_assert_leq(sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL), sizeof b64);
	sodium_bin2base64(b64, sizeof b64, blob, len, sodium_base64_VARIANT_ORIGINAL);
	snprintf(text, sizeof text, "%s\n%s\n", comment, b64);
	write_text(path, text, mode);
}

/* tag || id || key bytes of k's secret half in blob; returns the length. */
static size_t secret_blob(uint8_t blob[static SG_KEYBLOB_MAX_BYTES], const sg_key *k,
			  const char tag[2])
{
	size_t n = sg_key_kind_of(k) == SG_KEY_SIGN ? 64 : 32;
	memcpy(blob, tag, 2);
	memcpy(blob + 2, sg_key_id(k), SG_KEY_ID_BYTES);
	memcpy(blob + 10, sg_key_secret(k), n);
	return 10 + n;
}

/* "spillguard ROLE KIND HALF key ID" for k. */
static void comment_of(char out[static 128], const sg_key *k, const char *half)
{
	char id[17];
	sg_key_id_hex(id, k);
	snprintf(out, 128, "spillguard %s %s %s key %s", sg_key_role_name(sg_key_role_of(k)),
		 sg_key_kind_name(sg_key_kind_of(k)), half, id);
}

/* No 12-character run of secret text (base64 or hex of the key) in err. */
static void expect_no_secret(const char *err, const char *secret_text)
{
	size_t n = strlen(secret_text);
	for (size_t i = 0; i + 12 <= n; i++) {
		char run[13];
		memcpy(run, secret_text + i, 12);
		run[12] = '\0';
		cr_assert_null(strstr(err, run), "error message shows secret text: %s", err);
	}
}

/* Expects load_secret(path) to fail with code, err naming the file and
 * containing `says`, and no secret of k in err. */
static void expect_refused(const char *path, enum sg_key_kind kind, int code, const char *says,
			   const sg_key *k)
{
	char err[512], hex[129], b64[128];
	sg_key *out = (sg_key *)1;
	int ret = sg_key_load_secret(&out, path, kind, err, sizeof err);

	cr_assert_eq(ret, code, "%s: got %d (%s), want %d", path, ret, err, code);
	cr_assert_null(out);
	cr_assert_not_null(strstr(err, path), "error does not name the file: %s", err);
	cr_assert_not_null(strstr(err, says), "error lacks '%s': %s", says, err);
	cr_assert_null(strchr(err, '\n'), "error is more than one line: %s", err);
	if (k != NULL && sg_key_secret(k) != NULL) {
		size_t n = sg_key_kind_of(k) == SG_KEY_SIGN ? 64 : 32;
		uint8_t blob[SG_KEYBLOB_MAX_BYTES];
		sg_hex_encode(hex, sg_key_secret(k), n);
		expect_no_secret(err, hex);
		sodium_bin2base64(b64, sizeof b64, blob, secret_blob(blob, k, "Ed"),
				  sodium_base64_VARIANT_ORIGINAL);
		expect_no_secret(err, b64 + 16); /* past tag and id, which are public */
	}
}

/* --- round trips --------------------------------------------------------------- */

static void expect_same(const sg_key *a, const sg_key *b)
{
	cr_assert_eq(sg_key_role_of(a), sg_key_role_of(b));
	cr_assert_eq(sg_key_kind_of(a), sg_key_kind_of(b));
	cr_assert_str_eq(sg_key_name(a), sg_key_name(b));
	cr_assert_arr_eq(sg_key_id(a), sg_key_id(b), SG_KEY_ID_BYTES);
	cr_assert_arr_eq(sg_key_public(a), sg_key_public(b), SG_KEY_PUBLIC_BYTES);
}

/* The loaded pair works: a signature verifies, or both sides of an X25519
 * exchange agree. */
static void expect_usable(const sg_key *sk, const sg_key *pk)
{
	uint8_t sig[crypto_sign_BYTES], a[32], b[32], eph[32], eph_pk[32];
	static const uint8_t msg[] = "task";

	if (sg_key_kind_of(sk) == SG_KEY_SIGN) {
		crypto_sign_detached(sig, NULL, msg, sizeof msg, sg_key_secret(sk));
		cr_assert_eq(crypto_sign_verify_detached(sig, msg, sizeof msg, sg_key_public(pk)), 0);
		return;
	}
	randombytes_buf(eph, sizeof eph);
	cr_assert_eq(crypto_scalarmult_base(eph_pk, eph), 0);
	cr_assert_eq(crypto_scalarmult(a, eph, sg_key_public(pk)), 0);
	cr_assert_eq(crypto_scalarmult(b, sg_key_secret(sk), eph_pk), 0);
	cr_assert_arr_eq(a, b, 32);
}

static void round_trip(enum sg_key_role role, const char *name)
{
	char dir[PATH_CAP], path[PATH_CAP + 16], err[512], line[128], text[512], want[256];
	sg_keyset ks, back;

	cr_assert_eq(sg_keyset_generate(&ks, role, name), 0);
	cr_assert_eq(sg_keyset_save(&ks, at(dir, sg_key_role_name(role)), false, err, sizeof err),
		     0, "%s", err);
	for (int k = 0; k < SG_KEY_KINDS; k++) {
		const char *kind = sg_key_kind_name((enum sg_key_kind)k);
		sg_key *sk = NULL, *pk = NULL;
		if (ks.key[k] == NULL) {
			snprintf(path, sizeof path, "%s/%s.sk", dir, kind);
			cr_assert(!exists(path), "%s written for a %s", path, sg_key_role_name(role));
			continue;
		}
		snprintf(path, sizeof path, "%s/%s.sk", dir, kind);
		cr_assert_eq(mode_of(path), 0600);
		cr_assert_eq(sg_key_load_secret(&sk, path, (enum sg_key_kind)k, err, sizeof err), 0,
			     "%s", err);
		read_text(text, sizeof text, path);
		comment_of(line, ks.key[k], "secret");
		snprintf(want, sizeof want, "%s%s%s\n", line, name ? " " : "", name ? name : "");
		cr_assert_eq(strncmp(text, want, strlen(want)), 0, "line 1 of %s: %s", path, text);
		snprintf(path, sizeof path, "%s/%s.pk", dir, kind);
		cr_assert_eq(mode_of(path), 0644);
		cr_assert_eq(sg_key_load_public(&pk, path, (enum sg_key_kind)k, err, sizeof err), 0,
			     "%s", err);
		expect_same(sk, ks.key[k]);
		expect_same(pk, ks.key[k]);
		cr_assert_eq(sodium_memcmp(sg_key_secret(sk), sg_key_secret(ks.key[k]),
					   k == SG_KEY_SIGN ? 64 : 32),
			     0);
		cr_assert_null(sg_key_secret(pk));
		expect_usable(sk, pk);
		sg_key_free(sk);
		sg_key_free(pk);
	}
	cr_assert_eq(sg_keyset_load_secret(&back, dir, role, err, sizeof err), 0, "%s", err);
	for (int k = 0; k < SG_KEY_KINDS; k++)
		if (ks.key[k] != NULL)
			expect_same(back.key[k], ks.key[k]);
	sg_keyset_free(&back);
	sg_keyset_free(&ks);
}

Test(keys, round_trip_every_role_and_kind)
{
	round_trip(SG_KEY_ROLE_ENTERPRISE, NULL);
	round_trip(SG_KEY_ROLE_AUTHORITY, "city-dept");
	round_trip(SG_KEY_ROLE_AGGREGATOR, "uni.institute_2");
}

Test(keys, blob_text_is_canonical)
{
	sg_key *k = NULL;
	sg_keyblob b, again;
	uint8_t sk[SG_KEY_SECRET_MAX_BYTES];
	char text[SG_KEYBLOB_TEXT_MAX_BYTES], text2[SG_KEYBLOB_TEXT_MAX_BYTES], why[160];
	size_t len, len2;

	cr_assert_eq(sg_key_generate(&k, SG_KEY_ROLE_AGGREGATOR, SG_KEY_SIGN, "a"), 0);
	memset(&b, 0, sizeof b);
	b.role = SG_KEY_ROLE_AGGREGATOR;
	b.kind = SG_KEY_SIGN;
	b.secret = true;
	memcpy(b.id, sg_key_id(k), SG_KEY_ID_BYTES);
	memcpy(b.pk, sg_key_public(k), SG_KEY_PUBLIC_BYTES);
	memcpy(b.name, "a", 2);
	sg_keyblob_encode(text, &len, &b, sg_key_secret(k));
	cr_assert_eq(len, strlen(text));
	/* With or without the final newline. */
	for (size_t cut = 0; cut < 2; cut++) {
		cr_assert_eq(sg_keyblob_decode(&again, sk, text, len - cut, why, sizeof why), 0,
			     "%s", why);
		cr_assert(again.secret);
		cr_assert_arr_eq(sk, sg_key_secret(k), 64);
		sg_keyblob_encode(text2, &len2, &again, sk);
		cr_assert_str_eq(text2, text);
	}
	sodium_memzero(sk, sizeof sk);
	sodium_memzero(text, sizeof text);
	sodium_memzero(text2, sizeof text2);
	sg_key_free(k);
}

Test(keys, public_json)
{
	sg_keyset ks;
	char json[SG_KEYSET_JSON_MAX_BYTES], want[256], id[17], z85[41], b64[64];

	cr_assert_eq(sg_keyset_generate(&ks, SG_KEY_ROLE_AGGREGATOR, "agg0"), 0);
	sg_keyset_public_json(json, &ks);
	sg_key_id_hex(id, ks.key[SG_KEY_SIGN]);
	sg_key_public_z85(z85, ks.key[SG_KEY_CURVE]);
	sodium_bin2base64(b64, sizeof b64, sg_key_public(ks.key[SG_KEY_HPKE]), 32,
			  sodium_base64_VARIANT_ORIGINAL);
	snprintf(want, sizeof want, "\"key_id\": \"%s\"", id);
	cr_assert_not_null(strstr(json, want), "%s", json);
	snprintf(want, sizeof want, "\"curve_pk\": \"%s\"", z85);
	cr_assert_not_null(strstr(json, want), "%s", json);
	snprintf(want, sizeof want, "\"hpke_pk\": \"%s\"", b64);
	cr_assert_not_null(strstr(json, want), "%s", json);
	cr_assert_not_null(strstr(json, "\"name\": \"agg0\""), "%s", json);
	cr_assert_not_null(strstr(json, "\"role\": \"aggregator\""), "%s", json);
	sg_keyset_free(&ks);

	cr_assert_eq(sg_keyset_generate(&ks, SG_KEY_ROLE_ENTERPRISE, NULL), 0);
	sg_keyset_public_json(json, &ks);
	cr_assert_not_null(strstr(json, "\"sign_pk\": \""), "%s", json);
	cr_assert_null(strstr(json, "hpke_pk"), "%s", json);
	cr_assert_null(strstr(json, "curve_pk"), "%s", json);
	cr_assert_null(strstr(json, "\"name\""), "%s", json);
	sg_keyset_free(&ks);
}

Test(keys, generate_refuses_bad_parameters)
{
	static const char *const bad[] = { "a b", "../x", "-x", ".x", "x/y", "x\n", "\xc3\xa9" };
	char long_name[SG_KEY_NAME_MAX + 2];
	sg_key *k = (sg_key *)1;

	cr_assert_eq(sg_key_generate(&k, SG_KEY_ROLE_ENTERPRISE, SG_KEY_HPKE, NULL), SG_ERR_PARAM);
	cr_assert_null(k);
	cr_assert_eq(sg_key_generate(&k, SG_KEY_ROLE_AUTHORITY, SG_KEY_CURVE, NULL), SG_ERR_PARAM);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		cr_assert_eq(sg_key_generate(&k, SG_KEY_ROLE_AGGREGATOR, SG_KEY_SIGN, bad[i]),
			     SG_ERR_PARAM, "accepted name #%zu", i);
	memset(long_name, 'n', sizeof long_name - 1);
	long_name[sizeof long_name - 1] = '\0';
	cr_assert_eq(sg_key_generate(&k, SG_KEY_ROLE_AGGREGATOR, SG_KEY_SIGN, long_name),
		     SG_ERR_PARAM);
	long_name[SG_KEY_NAME_MAX] = '\0';
	cr_assert_eq(sg_key_generate(&k, SG_KEY_ROLE_AGGREGATOR, SG_KEY_SIGN, long_name), 0);
	sg_key_free(k);
}

/* --- refusals -------------------------------------------------------------------- */

/* An aggregator's keys saved into tmp/k; the caller frees ks. */
static void saved_set(sg_keyset *ks)
{
	char dir[PATH_CAP], err[512];
	cr_assert_eq(sg_keyset_generate(ks, SG_KEY_ROLE_AGGREGATOR, NULL), 0);
	cr_assert_eq(sg_keyset_save(ks, at(dir, "k"), false, err, sizeof err), 0, "%s", err);
}

Test(keys, refuses_secret_file_open_to_others)
{
	static const mode_t bad[] = { 0640, 0604, 0660, 0620, 0602, 0610, 0601, 0644, 0666 };
	char path[PATH_CAP], err[512];
	sg_keyset ks;
	sg_key *k = NULL;

	saved_set(&ks);
	at(path, "k/hpke.sk");
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cr_assert_eq(chmod(path, bad[i]), 0);
		expect_refused(path, SG_KEY_HPKE, SG_ERR_PERMISSION, "chmod 600", ks.key[SG_KEY_HPKE]);
	}
	cr_assert_eq(chmod(path, 0400), 0);
	cr_assert_eq(sg_key_load_secret(&k, path, SG_KEY_HPKE, err, sizeof err), 0, "%s", err);
	sg_key_free(k);
	sg_keyset_free(&ks);
}

Test(keys, refuses_symlink_and_non_files)
{
	char path[PATH_CAP], link[PATH_CAP], pub[PATH_CAP], err[512];
	sg_keyset ks;
	sg_key *k = NULL;

	saved_set(&ks);
	cr_assert_eq(symlink(at(path, "k/sign.sk"), at(link, "link.sk")), 0);
	expect_refused(link, SG_KEY_SIGN, SG_ERR_PERMISSION, "symbolic link", ks.key[SG_KEY_SIGN]);
	/* A public key may be reached through a link. */
	cr_assert_eq(symlink(at(path, "k/sign.pk"), at(pub, "link.pk")), 0);
	cr_assert_eq(sg_key_load_public(&k, pub, SG_KEY_SIGN, err, sizeof err), 0, "%s", err);
	sg_key_free(k);

	expect_refused(at(path, "k"), SG_KEY_SIGN, SG_ERR_IO, "not a regular file", NULL);
	expect_refused(at(path, "absent.sk"), SG_KEY_SIGN, SG_ERR_IO, "No such file", NULL);
	cr_assert_eq(mkfifo(at(path, "fifo.sk"), 0600), 0);
	expect_refused(path, SG_KEY_SIGN, SG_ERR_IO, "not a regular file", NULL); /* no hang */
	sg_keyset_free(&ks);
}

Test(keys, refuses_wrong_tag_length_base64_and_id)
{
	char path[PATH_CAP], line[128], text[512];
	uint8_t blob[SG_KEYBLOB_MAX_BYTES + 8];
	sg_keyset ks;
	size_t n;

	saved_set(&ks);
	const sg_key *sign = ks.key[SG_KEY_SIGN], *hpke = ks.key[SG_KEY_HPKE];
	at(path, "bad.sk");
	comment_of(line, sign, "secret");

	n = secret_blob(blob, sign, "Xh"); /* another kind's tag */
	write_blob(path, line, blob, n, 0600);
	expect_refused(path, SG_KEY_SIGN, SG_ERR_KEY, "X25519 HPKE", sign);
	n = secret_blob(blob, sign, "Zz"); /* no kind's tag */
	write_blob(path, line, blob, n, 0600);
	expect_refused(path, SG_KEY_SIGN, SG_ERR_KEY, "unknown algorithm tag 0x5a7a", sign);

	n = secret_blob(blob, sign, "Ed");
	write_blob(path, line, blob, n - 1, 0600); /* truncated */
	expect_refused(path, SG_KEY_SIGN, SG_ERR_LENGTH, "73 bytes", sign);
	blob[n] = 0;
	write_blob(path, line, blob, n + 1, 0600); /* extended */
	expect_refused(path, SG_KEY_SIGN, SG_ERR_LENGTH, "75 bytes", sign);
	write_blob(path, line, blob, 1, 0600);
	expect_refused(path, SG_KEY_SIGN, SG_ERR_LENGTH, "too short", sign);

	/* Bad base64: a foreign character, no padding, a space, CRLF, and a
	 * byte >= 0x80 where libsodium 1.0.18 takes it for a digit. */
	static const char *const edits[] = { "*", "", " ", "\r", "\xff" };
	for (size_t i = 0; i < sizeof edits / sizeof edits[0]; i++) {
		char b64[128];
		sodium_bin2base64(b64, sizeof b64, blob, n, sodium_base64_VARIANT_ORIGINAL);
		size_t l = strlen(b64);
		if (i == 0)
			b64[20] = '*';
		else if (i == 1)
			b64[l - 1] = '\0'; /* drops the '=' */
		else if (i == 4)
			b64[23] = '\xff';
		snprintf(text, sizeof text, "%s\n%s%s\n", line, b64,
			 i == 2 || i == 3 ? edits[i] : "");
		write_text(path, text, 0600);
		expect_refused(path, SG_KEY_SIGN, SG_ERR_PARSE, "not one line of base64", sign);
	}

	/* A key id that is not the key's, the same on line 1 and in the blob. */
	blob[2] ^= 1;
	char id[17];
	sg_hex_encode(id, blob + 2, SG_KEY_ID_BYTES);
	snprintf(line, sizeof line, "spillguard aggregator sign secret key %s", id);
	write_blob(path, line, blob, n, 0600);
	expect_refused(path, SG_KEY_SIGN, SG_ERR_KEY, "does not match the key", sign);
	/* Line 1 and the blob disagree on the id. */
	comment_of(line, sign, "secret");
	write_blob(path, line, blob, n, 0600);
	expect_refused(path, SG_KEY_SIGN, SG_ERR_KEY, "differs from the one on line 1", sign);
	/* An Ed25519 secret whose public half was damaged, id recomputed. */
	n = secret_blob(blob, sign, "Ed");
	blob[10 + 40] ^= 0x10;
	uint8_t pk[32], fake_id[SG_KEY_ID_BYTES];
	memcpy(pk, blob + 10 + 32, 32);
	sg_keyblob_key_id(fake_id, pk);
	memcpy(blob + 2, fake_id, sizeof fake_id);
	sg_hex_encode(id, fake_id, sizeof fake_id);
	snprintf(line, sizeof line, "spillguard aggregator sign secret key %s", id);
	write_blob(path, line, blob, n, 0600);
	expect_refused(path, SG_KEY_SIGN, SG_ERR_KEY, "two halves do not match", sign);
	/* Halves of two keys: hpke's secret under curve's id. */
	n = secret_blob(blob, hpke, "Xc");
	memcpy(blob + 2, sg_key_id(ks.key[SG_KEY_CURVE]), SG_KEY_ID_BYTES);
	comment_of(line, ks.key[SG_KEY_CURVE], "secret");
	write_blob(path, line, blob, n, 0600);
	expect_refused(path, SG_KEY_CURVE, SG_ERR_KEY, "does not match the key", hpke);
	sodium_memzero(blob, sizeof blob);
	sg_keyset_free(&ks);
}

Test(keys, refuses_other_files_and_halves)
{
	char path[PATH_CAP], err[512], text[600];
	sg_keyset ks;
	sg_key *k = (sg_key *)1;

	saved_set(&ks);
	/* A public file (mode 0644) where a secret one is expected: said plainly. */
	expect_refused(at(path, "k/hpke.pk"), SG_KEY_HPKE, SG_ERR_KEY, "is a public key file",
		       NULL);
	cr_assert_eq(sg_key_load_public(&k, at(path, "k/hpke.sk"), SG_KEY_HPKE, err, sizeof err),
		     SG_ERR_KEY);
	cr_assert_not_null(strstr(err, "is a secret key file"), "%s", err);
	cr_assert_null(k);
	expect_refused(at(path, "k/hpke.sk"), SG_KEY_CURVE, SG_ERR_KEY,
		       "holds the hpke key, not the curve key", ks.key[SG_KEY_HPKE]);

	/* Lines swapped: the secret would be line 1, and is not quoted. */
	read_text(text, sizeof text, at(path, "k/curve.sk"));
	char *nl = strchr(text, '\n'), swapped[2 * sizeof text];
	*nl = '\0';
	snprintf(swapped, sizeof swapped, "%s%s\n", nl + 1, text);
	write_text(at(path, "swapped.sk"), swapped, 0600);
	expect_refused(path, SG_KEY_CURVE, SG_ERR_PARSE, "not a spillguard key file",
		       ks.key[SG_KEY_CURVE]);

	static const char *const junk[] = { "", "\n", "spillguard aggregator curve secret key\n",
					    "hello\nworld\n", "spillguard\n\n" };
	for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++) {
		write_text(at(path, "junk.sk"), junk[i], 0600);
		cr_assert_eq(sg_key_load_secret(&k, path, SG_KEY_SIGN, err, sizeof err),
			     SG_ERR_PARSE, "junk #%zu: %s", i, err);
	}
	memset(text, 'A', 300);
	text[300] = '\0';
	write_text(path, text, 0600);
	expect_refused(path, SG_KEY_SIGN, SG_ERR_LENGTH, "longer than 256 bytes", NULL);
	/* Another role's keys than the one expected. */
	sg_keyset loaded;
	cr_assert_eq(sg_keyset_load_secret(&loaded, at(path, "k"), SG_KEY_ROLE_ENTERPRISE, err,
					   sizeof err),
		     SG_ERR_KEY);
	cr_assert_not_null(strstr(err, "is an aggregator's key, not an enterprise's"), "%s", err);
	cr_assert_null(loaded.key[SG_KEY_SIGN]);
	sg_keyset_free(&ks);
	cr_assert_eq(sg_keyset_generate(&ks, SG_KEY_ROLE_ENTERPRISE, NULL), 0);
	cr_assert_eq(sg_keyset_save(&ks, at(path, "e"), false, err, sizeof err), 0, "%s", err);
	sg_keyset_free(&ks);
	cr_assert_eq(sg_keyset_load_secret(&loaded, path, SG_KEY_ROLE_AGGREGATOR, err, sizeof err),
		     SG_ERR_KEY);
	cr_assert_not_null(strstr(err, "is an enterprise's key, not an aggregator's"), "%s", err);
	cr_assert_null(loaded.key[SG_KEY_SIGN]);
}

/* --- writing ------------------------------------------------------------------- */

Test(keys, existing_files_kept_without_force)
{
	char dir[PATH_CAP], path[PATH_CAP], err[512], before[512], after[512];
	sg_keyset ks, other;
	sg_key *k = NULL;

	saved_set(&ks);
	at(dir, "k");
	read_text(before, sizeof before, at(path, "k/sign.sk"));
	cr_assert_eq(sg_keyset_generate(&other, SG_KEY_ROLE_AGGREGATOR, NULL), 0);
	cr_assert_eq(sg_keyset_save(&other, dir, false, err, sizeof err), SG_ERR_EXISTS);
	cr_assert_not_null(strstr(err, "already exists"), "%s", err);
	read_text(after, sizeof after, path);
	cr_assert_str_eq(after, before);

	/* One file in the way: nothing at all is written. */
	at(dir, "partial");
	cr_assert_eq(mkdir(dir, 0700), 0);
	write_text(at(path, "partial/curve.pk"), "mine\n", 0644);
	cr_assert_eq(sg_keyset_save(&other, dir, false, err, sizeof err), SG_ERR_EXISTS);
	cr_assert_not_null(strstr(err, path), "%s", err);
	cr_assert(!exists(at(path, "partial/sign.sk")));
	cr_assert(!exists(at(path, "partial/hpke.pk")));
	/* Nor through a dangling link, for a single key. */
	cr_assert_eq(symlink(at(before, "target"), at(path, "dangling.sk")), 0);
	cr_assert_eq(sg_key_save_secret(other.key[SG_KEY_SIGN], path, false, err, sizeof err),
		     SG_ERR_EXISTS);
	cr_assert(!exists(before), "wrote through a link");

	/* With force: replaced, modes kept, no temporary files left. */
	at(dir, "k");
	cr_assert_eq(sg_keyset_save(&other, dir, true, err, sizeof err), 0, "%s", err);
	cr_assert_eq(sg_key_load_secret(&k, at(path, "k/sign.sk"), SG_KEY_SIGN, err, sizeof err),
		     0, "%s", err);
	expect_same(k, other.key[SG_KEY_SIGN]);
	cr_assert_eq(mode_of(path), 0600);
	cr_assert_eq(mode_of(at(path, "k/sign.pk")), 0644);
	cr_assert_eq(sg_key_save_public(other.key[SG_KEY_SIGN], at(path, "k/x.pk"), false, err,
					sizeof err), 0, "%s", err);
	sg_key_free(k);
	cr_assert_eq(sg_key_load_public(&k, path, SG_KEY_SIGN, err, sizeof err), 0, "%s", err);
	cr_assert_eq(sg_key_save_secret(k, at(path, "k/x.sk"), false, err, sizeof err),
		     SG_ERR_STATE, "saved a secret half it does not have");
	sg_key_free(k);
	DIR *d = opendir(dir);
	cr_assert_not_null(d);
	for (struct dirent *e; (e = readdir(d)) != NULL;)
		cr_assert_null(strstr(e->d_name, ".tmp-"), "left behind: %s", e->d_name);
	closedir(d);
	sg_keyset_free(&other);
	sg_keyset_free(&ks);
}

Test(keys, folder_created_0700)
{
	char dir[PATH_CAP], path[PATH_CAP], err[512];
	sg_keyset ks;

	cr_assert_eq(sg_keyset_generate(&ks, SG_KEY_ROLE_AUTHORITY, NULL), 0);
	cr_assert_eq(sg_keyset_save(&ks, at(dir, "a/b/c"), false, err, sizeof err), 0, "%s", err);
	cr_assert_eq(mode_of(at(path, "a")), 0700);
	cr_assert_eq(mode_of(at(path, "a/b")), 0700);
	cr_assert_eq(mode_of(dir), 0700);
	cr_assert_eq(mode_of(at(path, "a/b/c/sign.sk")), 0600);
	/* An existing folder is used as it is. */
	cr_assert_eq(chmod(dir, 0755), 0);
	cr_assert_eq(sg_keyset_save(&ks, dir, true, err, sizeof err), 0, "%s", err);
	cr_assert_eq(mode_of(dir), 0755);
	write_text(at(path, "file"), "x", 0644);
	cr_assert_eq(sg_keyset_save(&ks, path, false, err, sizeof err), SG_ERR_IO);
	sg_keyset_free(&ks);
}
