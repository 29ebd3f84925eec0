/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SG_EDGE_KEYS_INTERNAL_H
#define SG_EDGE_KEYS_INTERNAL_H

/* Shared by src/edge/keys.c and src/edge/keyset.c. */
#include <stddef.h>

/* Writes "path: <message>" into err (nothing when err_len is 0). */
__attribute__((format(printf, 4, 5))) void sg_keys_err(char *err, size_t err_len,
						      const char *path, const char *fmt, ...);
/* The same with the system's message for errnum. */
void sg_keys_sys_err(char *err, size_t err_len, const char *path, const char *what,
		     int errnum);

#endif
