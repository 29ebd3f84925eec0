/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SG_EDGE_STORE_INTERNAL_H
#define SG_EDGE_STORE_INTERNAL_H
/* Shared by src/edge/store.c and src/edge/store_jobs.c only. */
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "edge/store.h"

struct sg_store {
	sqlite3 *db;
	char path[512];
};

/* The statement helpers: prepare (0 or SG_ERR_IO), step to completion and
 * finalize, copy a blob column, bind lengths and keys, list ids. */
int store_prepare(sg_store *s, sqlite3_stmt **st, const char *sql);
int store_step_done(sqlite3_stmt *st);
int store_column_copy(sqlite3_stmt *st, int col, uint8_t **out, size_t *len);
int store_bind_len(size_t len);
void store_bind_key(sqlite3_stmt *st, const uint8_t *key, size_t key_len, int64_t int_key);
int store_list_ids(sg_store *s, const char *sql, const uint8_t *key, size_t key_len,
		    int64_t int_key, size_t width, uint8_t **ids, size_t *n);

#endif
