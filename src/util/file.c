/* SPDX-License-Identifier: Apache-2.0 */
#define _POSIX_C_SOURCE 200809L /* XSI strerror_r */

#include "util/file.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spillguard/err.h"
#include "util/misuse.h"

static void set_err(char *err, size_t err_len, const char *path, const char *msg, size_t max)
{
	if (err_len == 0)
		return;
	if (msg != NULL)
		snprintf(err, err_len, "%s: %s", path, msg);
	else
		snprintf(err, err_len, "%s: larger than %zu bytes", path, max);
}

/* Grows buf to hold up to max + 1 bytes plus the NUL, doubling from 64 KiB;
 * reading one byte past max is how an oversized file is told apart. */
static int grow(char **buf, size_t *cap, size_t max)
{
	size_t want = *cap == 0 ? 65536 : *cap * 2;

	if (*cap > SIZE_MAX / 2 || want > max + 1)
		want = max + 1;
	char *p = realloc(*buf, want + 1);
	if (p == NULL)
		return SG_ERR_NOMEM;
	*buf = p;
	*cap = want;
	return 0;
}

int sg_file_read(char **out, size_t *out_len, const char *path, size_t max,
		 char *err, size_t err_len)
{
	FILE *f = NULL;
	char *buf = NULL, msg[128];
	size_t len = 0, cap = 0;
	int ret = SG_ERR_IO, saved_errno = 0;

	if (out == NULL || out_len == NULL || path == NULL || max >= SIZE_MAX - 1 ||
	    (err == NULL && err_len > 0))
		sg_misuse(__func__);
	*out = NULL;
	*out_len = 0;
	if ((f = fopen(path, "rb")) == NULL) {
		saved_errno = errno;
		goto sys_error;
	}
	for (;;) {
		if (len == cap) {
			if (cap > max) {
				set_err(err, err_len, path, NULL, max);
				ret = SG_ERR_LENGTH;
				goto cleanup;
			}
			if (grow(&buf, &cap, max) != 0) {
				set_err(err, err_len, path, "out of memory", max);
				ret = SG_ERR_NOMEM;
				goto cleanup;
			}
		}
		size_t got = fread(buf + len, 1, cap - len, f);
		len += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		saved_errno = errno;
		goto sys_error;
	}
	buf[len] = '\0';
	*out = buf;
	*out_len = len;
	buf = NULL;
	ret = 0;
	goto cleanup;

sys_error:
	if (saved_errno == 0 || strerror_r(saved_errno, msg, sizeof msg) != 0)
		snprintf(msg, sizeof msg, "cannot read the file");
	set_err(err, err_len, path, msg, max);
cleanup:
	if (f != NULL)
		fclose(f);
	free(buf);
	return ret;
}

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static int write_all(int fd, const uint8_t *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Creates path with exactly data (mode, less the umask), synced before
 * returning. Without force an existing path is left alone (SG_ERR_EXISTS);
 * with force the data goes to "path.tmp" first and is renamed over path, so
 * path holds the old contents or the new, never a mix.
 */
int sg_file_sync_parent(const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t n = slash == NULL ? 1 : slash == path ? 1 : (size_t)(slash - path);
	char *dir = malloc(n + 1);
	int fd, e = 0;

	if (dir == NULL)
		return ENOMEM;
	memcpy(dir, slash == NULL ? "." : path, n);
	dir[n] = '\0';
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		e = errno;
	else if (fsync(fd) != 0 && errno != EINVAL)
		e = errno;
	if (fd >= 0)
		close(fd);
	free(dir);
	return e;
}

int sg_file_write(const char *path, const uint8_t *data, size_t len, unsigned mode, bool force,
		  char *err, size_t err_len)
{
	char tmp[4096], msg[128];
	int fd = -1, ret = SG_ERR_IO, saved_errno = 0;
	bool created = false;
	const char *target = path;
	if (force) {
		if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp", path) >= sizeof tmp) {
			set_err(err, err_len, path, "path too long", 0);
			return SG_ERR_PARAM;
		}
		target = tmp;
		unlink(tmp);
	}
	fd = open(target, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, (mode_t)mode);
	if (fd < 0) {
		saved_errno = errno;
		if (saved_errno == EEXIST) {
			set_err(err, err_len, path, "exists already (use --force to replace it)", 0);
			return SG_ERR_EXISTS;
		}
		goto sys_error;
	}
	created = true;
	if (write_all(fd, data, len) != 0 || fsync(fd) != 0) {
		saved_errno = errno;
		goto sys_error;
	}
	if (close(fd) != 0) {
		fd = -1;
		saved_errno = errno;
		goto sys_error;
	}
	fd = -1;
	if (force && rename(tmp, path) != 0) {
		saved_errno = errno;
		goto sys_error;
	}
	created = false; /* in place: the file is the caller's now */
	if ((saved_errno = sg_file_sync_parent(path)) != 0)
		goto sys_error;
	return 0;
sys_error:
	if (strerror_r(saved_errno, msg, sizeof msg) != 0)
		snprintf(msg, sizeof msg, "error %d", saved_errno);
	set_err(err, err_len, path, msg, 0);
	if (fd >= 0)
		close(fd);
	if (created)
		unlink(target); /* only what this call made */
	return ret;
}
