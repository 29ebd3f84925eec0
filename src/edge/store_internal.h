/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SG_EDGE_STORE_INTERNAL_H
#define SG_EDGE_STORE_INTERNAL_H
/* Shared by src/edge/store.c and src/edge/store_jobs.c only. */
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "edge/store.h"

#define STORE_STATEMENTS 40 /* the store's distinct statements, with room */

struct sg_store {
	sqlite3 *db;
	char path[512];
	/* prepared once, kept for the connection's life (sg_store_close) */
	struct {
		const char *sql;
		sqlite3_stmt *st;
	} kept[STORE_STATEMENTS];
	size_t n_kept;
};

/* The statement helpers: prepare (0 or SG_ERR_IO), release (store_done),
 * step to completion and release, copy a blob column, bind lengths and
 * keys, list ids.
 *
 * store_prepare keeps each statement by the address of its SQL, which must
 * therefore be a string literal (never a buffer whose text can change):
 * the next call with the same SQL gets it back reset, without parsing it
 * again. Every statement from store_prepare is given back with store_done,
 * which resets a kept one (ending its read) and finalizes any other. */
int store_prepare(sg_store *s, sqlite3_stmt **st, const char *sql);
void store_done(sg_store *s, sqlite3_stmt *st);
int store_step_done(sg_store *s, sqlite3_stmt *st);
int store_column_copy(sqlite3_stmt *st, int col, uint8_t **out, size_t *len);
int store_bind_len(size_t len);
void store_bind_key(sqlite3_stmt *st, const uint8_t *key, size_t key_len, int64_t int_key);
int store_list_ids(sg_store *s, const char *sql, const uint8_t *key, size_t key_len,
		    int64_t int_key, size_t width, uint8_t **ids, size_t *n);

#endif
