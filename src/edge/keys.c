/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Key pairs in sodium_malloc'd memory and their files. The text format is
 * core/keyblob.c's; this file opens, checks, reads and writes the files.
 *
 * Reading a secret key: open with O_NOFOLLOW (a link is refused, not
 * followed), then fstat the opened descriptor, so the mode checked is that
 * of the file read, not of whatever the path named a moment earlier.
 * O_NONBLOCK keeps a FIFO planted at the path from hanging the open; it is
 * refused as not a regular file. The text read is secret and sits in
 * sodium_malloc'd memory until wiped.
 *
 * Writing: O_CREAT|O_EXCL (never through an existing file or link), fsync
 * of the file and its folder; with force, a temporary file beside the
 * target renamed over it.
 */
#define _POSIX_C_SOURCE 200809L /* O_NOFOLLOW, O_CLOEXEC, O_DIRECTORY, strerror_r */

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/keyblob.h"
#include "util/file.h"
#include "edge/keys_internal.h"
#include "spillguard/keys.h"
#include "util/hex.h"
#include "util/misuse.h"
#include "util/z85.h"

#define TEXT_CAP (SG_KEYBLOB_TEXT_MAX_BYTES + 1) /* one more byte: "too long" */

struct sg_key {
	sg_keyblob b; /* role, kind, id, public key, name; b.secret: sk is set */
	uint8_t sk[SG_KEY_SECRET_MAX_BYTES];
};

void sg_keys_err(char *err, size_t err_len, const char *path, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (err_len == 0)
		return;
	n = snprintf(err, err_len, "%s: ", path);
	if (n < 0 || (size_t)n >= err_len)
		return;
	va_start(ap, fmt);
	vsnprintf(err + n, err_len - (size_t)n, fmt, ap);
	va_end(ap);
}

void sg_keys_sys_err(char *err, size_t err_len, const char *path, const char *what, int errnum)
{
	char msg[128];

	if (strerror_r(errnum, msg, sizeof msg) != 0)
		snprintf(msg, sizeof msg, "error %d", errnum);
	sg_keys_err(err, err_len, path, "%s: %s", what, msg);
}

static void need_err(char *err, size_t err_len)
{
	if (err == NULL && err_len > 0)
		sg_misuse("sg_key: err");
	if (err_len > 0)
		err[0] = '\0';
}

/* --- the key object ---------------------------------------------------------- */

static sg_key *key_new(void)
{
	sg_key *k = sodium_malloc(sizeof *k);

	if (k != NULL)
		memset(k, 0, sizeof *k);
	return k;
}

/* Filled keys are read-only until freed: a stray write faults. */
static void key_seal(sg_key *k)
{
	(void)sodium_mprotect_readonly(k);
}

void sg_key_free(sg_key *k)
{
	if (k == NULL)
		return;
	(void)sodium_mprotect_readwrite(k);
	sodium_memzero(k, sizeof *k);
	sodium_free(k);
}

int sg_key_generate(sg_key **out, enum sg_key_role role, enum sg_key_kind kind,
		    const char *name)
{
	sg_key *k = NULL;
	int ret = SG_ERR_PARAM;

	if (out == NULL)
		sg_misuse(__func__);
	*out = NULL;
	if (!sg_key_role_has(role, kind) ||
	    (name != NULL && name[0] != '\0' && !sg_key_name_valid(name)))
		goto cleanup;
	ret = SG_ERR_NOMEM;
	if (sodium_init() < 0 || (k = key_new()) == NULL)
		goto cleanup;
	k->b.role = role;
	k->b.kind = kind;
	k->b.secret = true;
	if (name != NULL)
		memcpy(k->b.name, name, strlen(name)); /* valid: at most SG_KEY_NAME_MAX */
	if (kind == SG_KEY_SIGN) {
		crypto_sign_keypair(k->b.pk, k->sk);
	} else {
		/* crypto_kx_keypair's recipe: 32 random bytes, clamped by X25519. */
		randombytes_buf(k->sk, SG_KEY_X25519_SECRET_BYTES);
		if ((ret = sg_keyblob_public_of(k->b.pk, kind, k->sk)) != 0)
			goto cleanup;
	}
	sg_keyblob_key_id(k->b.id, k->b.pk);
	key_seal(k);
	*out = k;
	k = NULL;
	ret = 0;
cleanup:
	sg_key_free(k);
	return ret;
}

static const sg_key *need_key(const sg_key *k, const char *where)
{
	if (k == NULL)
		sg_misuse(where);
	return k;
}

enum sg_key_role sg_key_role_of(const sg_key *k)
{
	return need_key(k, __func__)->b.role;
}

enum sg_key_kind sg_key_kind_of(const sg_key *k)
{
	return need_key(k, __func__)->b.kind;
}

const char *sg_key_name(const sg_key *k)
{
	return need_key(k, __func__)->b.name;
}

const uint8_t *sg_key_id(const sg_key *k)
{
	return need_key(k, __func__)->b.id;
}

const uint8_t *sg_key_public(const sg_key *k)
{
	return need_key(k, __func__)->b.pk;
}

const uint8_t *sg_key_secret(const sg_key *k)
{
	return need_key(k, __func__)->b.secret ? k->sk : NULL;
}

void sg_key_id_hex(char out[static 2 * SG_KEY_ID_BYTES + 1], const sg_key *k)
{
	sg_hex_encode(out, need_key(k, __func__)->b.id, SG_KEY_ID_BYTES);
}

void sg_key_public_z85(char out[static SG_KEY_Z85_CHARS + 1], const sg_key *k)
{
	sg_z85_encode(out, need_key(k, __func__)->b.pk, SG_KEY_PUBLIC_BYTES);
}

/* --- reading ------------------------------------------------------------------ */

/*
 * Opens path for reading; a secret key file without following a link. For a
 * secret file whose mode lets group or others in, *perm gets
 * SG_ERR_PERMISSION and err the fix, but the file stays open: the caller
 * reads it to tell a public key file given by mistake (a clearer error)
 * from an exposed secret one, and refuses either way.
 */
static int open_key(int *fd_out, int *perm, const char *path, bool secret, char *err,
		    size_t err_len)
{
	int flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | (secret ? O_NOFOLLOW : 0);
	struct stat st;
	int fd, ret = SG_ERR_IO;

	*perm = 0;
	if ((fd = open(path, flags)) < 0) {
		/* O_NOFOLLOW on a link: ELOOP on Linux, EMLINK on FreeBSD. */
		if (secret && (errno == ELOOP || errno == EMLINK)) {
			sg_keys_err(err, err_len, path,
				    "is a symbolic link; give a secret key file by its own path");
			return SG_ERR_PERMISSION;
		}
		sg_keys_sys_err(err, err_len, path, "cannot open the key file", errno);
		return SG_ERR_IO;
	}
	if (fstat(fd, &st) != 0) {
		sg_keys_sys_err(err, err_len, path, "cannot stat the key file", errno);
		goto cleanup;
	}
	if (!S_ISREG(st.st_mode)) {
		sg_keys_err(err, err_len, path, "not a regular file");
		goto cleanup;
	}
	if (secret && (st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		sg_keys_err(err, err_len, path,
			    "secret key file has mode %04o, open to group or others: "
			    "run chmod 600 '%s'",
			    (unsigned)(st.st_mode & 07777), path);
		*perm = SG_ERR_PERMISSION;
	}
	*fd_out = fd;
	fd = -1;
	ret = 0;
cleanup:
	if (fd >= 0)
		close(fd);
	return ret;
}

/* Reads up to cap bytes; *len = cap means the file may be longer. */
static int read_up_to(char *buf, size_t cap, size_t *len, int fd)
{
	size_t n = 0;

	while (n < cap) {
		ssize_t got = read(fd, buf + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return errno;
		if (got == 0)
			break;
		n += (size_t)got;
	}
	*len = n;
	return 0;
}

/* The decoded key k against what the caller asked for. */
static int check_wanted(const sg_key *k, enum sg_key_kind kind, bool secret, const char *path,
			char *err, size_t err_len)
{
	if (k->b.kind != kind) {
		sg_keys_err(err, err_len, path, "holds the %s key, not the %s key",
			    sg_key_kind_name(k->b.kind), sg_key_kind_name(kind));
		return SG_ERR_KEY;
	}
	if (secret && !k->b.secret) {
		sg_keys_err(err, err_len, path,
			    "is a public key file; the secret half (.sk) is needed here");
		return SG_ERR_KEY;
	}
	if (!secret && k->b.secret) {
		sg_keys_err(err, err_len, path,
			    "is a secret key file; give the public half (.pk) here");
		return SG_ERR_KEY;
	}
	return 0;
}

static int load(sg_key **out, const char *path, enum sg_key_kind kind, bool secret, char *err,
		size_t err_len)
{
	char *text = NULL, why[160];
	sg_key *k = NULL;
	size_t len = 0;
	int fd = -1, perm = 0, dec, ret, e;

	if (out == NULL || path == NULL)
		sg_misuse(__func__);
	(void)sg_key_kind_name(kind); /* checks kind */
	need_err(err, err_len);
	*out = NULL;
	ret = SG_ERR_NOMEM;
	if (sodium_init() < 0 || (text = sodium_malloc(TEXT_CAP)) == NULL ||
	    (k = key_new()) == NULL) {
		sg_keys_err(err, err_len, path, "out of memory");
		goto cleanup;
	}
	if ((ret = open_key(&fd, &perm, path, secret, err, err_len)) != 0)
		goto cleanup;
	if ((e = read_up_to(text, TEXT_CAP, &len, fd)) != 0) {
		sg_keys_sys_err(err, err_len, path, "cannot read the key file", e);
		ret = SG_ERR_IO;
		goto cleanup;
	}
	dec = sg_keyblob_decode(&k->b, k->sk, text, len, why, sizeof why);
	/* A public key file open to all is no fault: say what it is instead. */
	if (perm != 0 && !(dec == 0 && !k->b.secret)) {
		ret = perm; /* err already says which file and the chmod */
		goto cleanup;
	}
	if ((ret = dec) != 0) {
		sg_keys_err(err, err_len, path, "%s", why);
		goto cleanup;
	}
	if ((ret = check_wanted(k, kind, secret, path, err, err_len)) != 0)
		goto cleanup;
	key_seal(k);
	*out = k;
	k = NULL;
	if (err_len > 0)
		err[0] = '\0';
cleanup:
	if (fd >= 0)
		close(fd);
	if (text != NULL) {
		sodium_memzero(text, TEXT_CAP);
		sodium_free(text);
	}
	sg_key_free(k);
	return ret;
}

int sg_key_load_secret(sg_key **out, const char *path, enum sg_key_kind kind, char *err,
		       size_t err_len)
{
	return load(out, path, kind, true, err, err_len);
}

int sg_key_load_public(sg_key **out, const char *path, enum sg_key_kind kind, char *err,
		       size_t err_len)
{
	return load(out, path, kind, false, err, err_len);
}

/* --- writing ------------------------------------------------------------------ */

static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* "<path>.tmp-<16 random hex digits>", malloc'd. */
static char *temp_name(const char *path)
{
	uint8_t r[8];
	char hex[2 * sizeof r + 1];
	size_t n = strlen(path) + sizeof ".tmp-" + sizeof hex;
	char *t = malloc(n);

	if (t == NULL)
		return NULL;
	randombytes_buf(r, sizeof r);
	sg_hex_encode(hex, r, sizeof r);
	snprintf(t, n, "%s.tmp-%s", path, hex);
	return t;
}

/* Creates path (or, with force, a temporary file renamed over it) holding
 * text[0..len) with mode (less the umask). Removes only what it created. */
static int write_file(const char *path, const char *text, size_t len, mode_t mode, bool force,
		      char *err, size_t err_len)
{
	char *tmp = NULL;
	const char *target = path;
	bool created = false;
	int fd = -1, ret = SG_ERR_IO, e;

	if (force) {
		if ((tmp = temp_name(path)) == NULL) {
			sg_keys_err(err, err_len, path, "out of memory");
			return SG_ERR_NOMEM;
		}
		target = tmp;
	}
	fd = open(target, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, mode);
	if (fd < 0) {
		if (errno == EEXIST && !force) {
			sg_keys_err(err, err_len, path, "already exists; refusing to overwrite it");
			ret = SG_ERR_EXISTS;
		} else {
			sg_keys_sys_err(err, err_len, path, "cannot create the key file", errno);
		}
		goto cleanup;
	}
	created = true;
	if ((e = write_all(fd, text, len)) == 0 && fsync(fd) != 0)
		e = errno;
	if (close(fd) != 0 && e == 0)
		e = errno;
	fd = -1;
	if (e == 0 && force && rename(tmp, path) != 0)
		e = errno;
	if (e != 0) {
		sg_keys_sys_err(err, err_len, path, "cannot write the key file", e);
		goto cleanup;
	}
	created = false; /* in place: the file is the caller's now */
	if ((e = sg_file_sync_parent(path)) != 0) {
		sg_keys_sys_err(err, err_len, path, "cannot sync the key's folder", e);
		goto cleanup;
	}
	ret = 0;
cleanup:
	if (fd >= 0)
		close(fd);
	if (created)
		unlink(target);
	free(tmp);
	return ret;
}

static int save(const sg_key *k, const char *path, bool secret, bool force, char *err,
		size_t err_len)
{
	sg_keyblob b;
	char *text = NULL;
	size_t len = 0;
	int ret = SG_ERR_NOMEM;

	if (k == NULL || path == NULL)
		sg_misuse(__func__);
	need_err(err, err_len);
	if (secret && !k->b.secret) {
		sg_keys_err(err, err_len, path, "this key has no secret half to save");
		return SG_ERR_STATE;
	}
	if ((text = sodium_malloc(SG_KEYBLOB_TEXT_MAX_BYTES)) == NULL) {
		sg_keys_err(err, err_len, path, "out of memory");
		return SG_ERR_NOMEM;
	}
	b = k->b;
	b.secret = secret;
	sg_keyblob_encode(text, &len, &b, k->sk);
	ret = write_file(path, text, len, secret ? 0600 : 0644, force, err, err_len);
	sodium_memzero(text, SG_KEYBLOB_TEXT_MAX_BYTES);
	sodium_free(text);
	return ret;
}

int sg_key_save_secret(const sg_key *k, const char *path, bool force, char *err, size_t err_len)
{
	return save(k, path, true, force, err, err_len);
}

int sg_key_save_public(const sg_key *k, const char *path, bool force, char *err, size_t err_len)
{
	return save(k, path, false, force, err, err_len);
}
