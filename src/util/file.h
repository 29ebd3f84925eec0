/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SG_UTIL_FILE_H
#define SG_UTIL_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Reads the whole of path (a file, pipe or device) into a malloc'd buffer
 * with one spare NUL byte after the *out_len bytes read. For public inputs
 * only: the buffer is neither locked nor wiped.
 *
 * Returns 0; SG_ERR_IO when the file cannot be opened or read, with err
 * "path: <system message>"; SG_ERR_LENGTH when it holds more than max bytes
 * ("path: larger than N bytes"); SG_ERR_NOMEM. On failure *out is NULL and
 * *out_len 0. err may be NULL when err_len is 0.
 */
int sg_file_read(char **out, size_t *out_len, const char *path, size_t max,
		 char *err, size_t err_len);

/*
 * Creates path holding exactly data (mode less the umask) and syncs it and
 * its folder, so that the file is there after a crash once this returns.
 * Without force an existing path is left alone: SG_ERR_EXISTS, err says to
 * use --force. With force the file is written beside it and renamed over
 * it. SG_ERR_IO with "path: <system message>" in err.
 */
int sg_file_write(const char *path, const uint8_t *data, size_t len, unsigned mode, bool force,
		  char *err, size_t err_len);

/* fsync of the folder holding path, so that a new name in it survives a
 * crash. 0, or an errno value; folders that cannot be synced (EINVAL) are
 * let be. */
int sg_file_sync_parent(const char *path);

#endif
