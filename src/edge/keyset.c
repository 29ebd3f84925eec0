/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One party's keys: every kind its role has, saved as dir/<kind>.sk and
 * dir/<kind>.pk, and their public halves as JSON for a task file.
 */
#define _POSIX_C_SOURCE 200809L /* lstat, strdup */

#include <errno.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "edge/keys_internal.h"
#include "spillguard/keys.h"
#include "util/misuse.h"

#define N_FILES (2 * SG_KEY_KINDS)

int sg_keyset_generate(sg_keyset *ks, enum sg_key_role role, const char *name)
{
	int ret = 0;

	if (ks == NULL)
		sg_misuse(__func__);
	memset(ks, 0, sizeof *ks);
	ks->role = role;
	for (int k = 0; k < SG_KEY_KINDS && ret == 0; k++)
		if (sg_key_role_has(role, (enum sg_key_kind)k))
			ret = sg_key_generate(&ks->key[k], role, (enum sg_key_kind)k, name);
	if (ret != 0)
		sg_keyset_free(ks);
	return ret;
}

void sg_keyset_free(sg_keyset *ks)
{
	if (ks == NULL)
		return;
	for (int k = 0; k < SG_KEY_KINDS; k++) {
		sg_key_free(ks->key[k]);
		ks->key[k] = NULL;
	}
}

/* A set holds exactly the kinds of its role, each key of that role. */
static void need_set(const sg_keyset *ks, const char *where)
{
	if (ks == NULL)
		sg_misuse(where);
	for (int k = 0; k < SG_KEY_KINDS; k++)
		if ((ks->key[k] != NULL) != sg_key_role_has(ks->role, (enum sg_key_kind)k) ||
		    (ks->key[k] != NULL && (sg_key_role_of(ks->key[k]) != ks->role ||
					    sg_key_kind_of(ks->key[k]) != (enum sg_key_kind)k)))
			sg_misuse(where);
}

/* "dir/<kind>.<ext>", malloc'd. */
static char *file_path(const char *dir, enum sg_key_kind kind, const char *ext)
{
	size_t n = strlen(dir) + strlen(sg_key_kind_name(kind)) + strlen(ext) + 3;
	char *p = malloc(n);

	if (p != NULL)
		snprintf(p, n, "%s/%s.%s", dir, sg_key_kind_name(kind), ext);
	return p;
}

/* mkdir -p with mode 0700 for every folder it creates. */
static int make_dirs(const char *dir, char *err, size_t err_len)
{
	char *p = strdup(dir);
	struct stat st;
	int ret = SG_ERR_IO;

	if (p == NULL) {
		sg_keys_err(err, err_len, dir, "out of memory");
		return SG_ERR_NOMEM;
	}
	for (char *s = p + 1; *s != '\0'; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0700) != 0 && errno != EEXIST) {
			sg_keys_sys_err(err, err_len, p, "cannot create the folder", errno);
			goto cleanup;
		}
		*s = '/';
	}
	if (mkdir(p, 0700) != 0 && errno != EEXIST) {
		sg_keys_sys_err(err, err_len, dir, "cannot create the folder", errno);
		goto cleanup;
	}
	if (stat(p, &st) != 0 || !S_ISDIR(st.st_mode)) {
		sg_keys_err(err, err_len, dir, "not a folder");
		goto cleanup;
	}
	ret = 0;
cleanup:
	free(p);
	return ret;
}

/* Without force: SG_ERR_EXISTS naming the first of paths that exists. */
static int none_exist(char *const *paths, char *err, size_t err_len)
{
	struct stat st;

	for (int i = 0; i < N_FILES; i++) {
		if (paths[i] == NULL)
			continue;
		if (lstat(paths[i], &st) == 0) {
			sg_keys_err(err, err_len, paths[i],
				    "already exists; refusing to overwrite it");
			return SG_ERR_EXISTS;
		}
		if (errno != ENOENT) {
			sg_keys_sys_err(err, err_len, paths[i], "cannot check the path", errno);
			return SG_ERR_IO;
		}
	}
	return 0;
}

/* paths[2k] = dir/<kind>.sk, paths[2k + 1] = dir/<kind>.pk for the kinds
 * present; NULL elsewhere. */
static int set_paths(char **paths, const sg_keyset *ks, const char *dir, char *err,
		     size_t err_len)
{
	for (int k = 0; k < SG_KEY_KINDS; k++) {
		if (ks->key[k] == NULL)
			continue;
		paths[2 * k] = file_path(dir, (enum sg_key_kind)k, "sk");
		paths[2 * k + 1] = file_path(dir, (enum sg_key_kind)k, "pk");
		if (paths[2 * k] == NULL || paths[2 * k + 1] == NULL) {
			sg_keys_err(err, err_len, dir, "out of memory");
			return SG_ERR_NOMEM;
		}
	}
	return 0;
}

int sg_keyset_save(const sg_keyset *ks, const char *dir, bool force, char *err, size_t err_len)
{
	char *paths[N_FILES] = { NULL };
	int ret, done = 0;

	need_set(ks, __func__);
	if (dir == NULL || (err == NULL && err_len > 0))
		sg_misuse(__func__);
	if (err_len > 0)
		err[0] = '\0';
	if ((ret = make_dirs(dir, err, err_len)) != 0 ||
	    (ret = set_paths(paths, ks, dir, err, err_len)) != 0 ||
	    (!force && (ret = none_exist(paths, err, err_len)) != 0))
		goto cleanup;
	for (; done < N_FILES; done++) {
		const sg_key *k = ks->key[done / 2];
		if (k == NULL)
			continue;
		ret = done % 2 == 0 ? sg_key_save_secret(k, paths[done], force, err, err_len)
				    : sg_key_save_public(k, paths[done], force, err, err_len);
		if (ret != 0)
			goto cleanup;
	}
cleanup:
	/* All or nothing when nothing was there before; with force the old
	 * files are gone already, so the new ones are kept. */
	if (ret != 0 && !force)
		while (done-- > 0)
			if (paths[done] != NULL)
				unlink(paths[done]);
	for (int i = 0; i < N_FILES; i++)
		free(paths[i]);
	return ret;
}

int sg_keyset_load_secret(sg_keyset *ks, const char *dir, enum sg_key_role role, char *err,
			  size_t err_len)
{
	char *path = NULL;
	int ret = 0;

	if (ks == NULL || dir == NULL || (err == NULL && err_len > 0))
		sg_misuse(__func__);
	memset(ks, 0, sizeof *ks);
	ks->role = role;
	for (int k = 0; k < SG_KEY_KINDS && ret == 0; k++) {
		if (!sg_key_role_has(role, (enum sg_key_kind)k))
			continue;
		if ((path = file_path(dir, (enum sg_key_kind)k, "sk")) == NULL) {
			sg_keys_err(err, err_len, dir, "out of memory");
			ret = SG_ERR_NOMEM;
			break;
		}
		ret = sg_key_load_secret(&ks->key[k], path, (enum sg_key_kind)k, err, err_len);
		if (ret == 0 && sg_key_role_of(ks->key[k]) != role) {
			sg_keys_err(err, err_len, path, "is an %s's key, not an %s's",
				    sg_key_role_name(sg_key_role_of(ks->key[k])),
				    sg_key_role_name(role));
			ret = SG_ERR_KEY;
		}
		free(path);
	}
	if (ret != 0)
		sg_keyset_free(ks);
	return ret;
}

/* Appends to out (cap SG_KEYSET_JSON_MAX_BYTES) at *n; the sizes make
 * overflow impossible, so it would be a misuse. */
__attribute__((format(printf, 3, 4))) static void put(char *out, size_t *n, const char *fmt,
						     ...)
{
	va_list ap;
	int m;

	va_start(ap, fmt);
	m = vsnprintf(out + *n, SG_KEYSET_JSON_MAX_BYTES - *n, fmt, ap);
	va_end(ap);
	if (m < 0 || (size_t)m >= SG_KEYSET_JSON_MAX_BYTES - *n)
		sg_misuse("sg_keyset_public_json");
	*n += (size_t)m;
}

static void put_base64(char *out, size_t *n, const char *member, const sg_key *k)
{
	char b64[sodium_base64_ENCODED_LEN(SG_KEY_PUBLIC_BYTES, sodium_base64_VARIANT_ORIGINAL)];

	sodium_bin2base64(b64, sizeof b64, sg_key_public(k), SG_KEY_PUBLIC_BYTES,
			  sodium_base64_VARIANT_ORIGINAL);
	put(out, n, ",\n  \"%s\": \"%s\"", member, b64);
}

void sg_keyset_public_json(char out[static SG_KEYSET_JSON_MAX_BYTES], const sg_keyset *ks)
{
	const sg_key *sign;
	char id[2 * SG_KEY_ID_BYTES + 1], z85[SG_KEY_Z85_CHARS + 1];
	size_t n = 0;

	need_set(ks, __func__);
	sign = ks->key[SG_KEY_SIGN];
	sg_key_id_hex(id, sign);
	/* Role and name are from fixed lists and [A-Za-z0-9._-]: no escaping. */
	put(out, &n, "{\n  \"role\": \"%s\"", sg_key_role_name(ks->role));
	if (sg_key_name(sign)[0] != '\0')
		put(out, &n, ",\n  \"name\": \"%s\"", sg_key_name(sign));
	put(out, &n, ",\n  \"key_id\": \"%s\"", id);
	put_base64(out, &n, "sign_pk", sign);
	if (ks->key[SG_KEY_HPKE] != NULL)
		put_base64(out, &n, "hpke_pk", ks->key[SG_KEY_HPKE]);
	if (ks->key[SG_KEY_CURVE] != NULL) {
		sg_key_public_z85(z85, ks->key[SG_KEY_CURVE]);
		put(out, &n, ",\n  \"curve_pk\": \"%s\"", z85);
	}
	put(out, &n, "\n}\n");
}
