/* SPDX-License-Identifier: Apache-2.0 */
#define _DEFAULT_SOURCE /* mkdtemp */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <sqlite3.h>

#include "edge/store.h"
#include "spillguard/err.h"

static char dir[64];

static void make_dir(void)
{
	snprintf(dir, sizeof dir, "/tmp/sg-store-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void remove_dir(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

static const uint8_t task_a[32] = { 0xaa }, task_b[32] = { 0xbb };

static enum sg_store_put put(sg_store *s, uint8_t id_byte, const char *ent, uint8_t digest_byte,
			     const char *receipt, char *got, size_t got_len)
{
	uint8_t id[16] = { id_byte }, digest[32] = { digest_byte }, *r;
	size_t rl;
	enum sg_store_put o;
	cr_assert_eq(sg_store_put_report(s, &o, &r, &rl, id, ent, 1, 1500, digest,
					 (const uint8_t *)"report", 6, (const uint8_t *)receipt,
					 strlen(receipt)), 0);
	if (got != NULL) {
		cr_assert_lt(rl, got_len);
		memcpy(got, r, rl);
		got[rl] = '\0';
	}
	free(r);
	return o;
}

Test(store, uploads_are_new_same_replayed_or_duplicate, .init = make_dir, .fini = remove_dir)
{
	char path[128], err[256], got[64];
	sg_store *s;
	snprintf(path, sizeof path, "%s/leader.db", dir);
	cr_assert_eq(sg_store_open(&s, path, task_a, err, sizeof err), 0, "%s", err);
	cr_assert_eq(put(s, 1, "ent-1", 7, "receipt-1", NULL, 0), SG_STORE_NEW);
	/* the same report again: idempotent, the first receipt comes back */
	cr_assert_eq(put(s, 1, "ent-1", 7, "receipt-X", got, sizeof got), SG_STORE_SAME);
	cr_assert_str_eq(got, "receipt-1");
	/* the id again with other contents, from anyone */
	cr_assert_eq(put(s, 1, "ent-1", 8, "r", NULL, 0), SG_STORE_REPLAYED);
	cr_assert_eq(put(s, 1, "ent-2", 9, "r", NULL, 0), SG_STORE_REPLAYED);
	/* a second report from one enterprise */
	cr_assert_eq(put(s, 2, "ent-1", 7, "r", NULL, 0), SG_STORE_DUPLICATE);
	cr_assert_eq(put(s, 3, "ent-2", 3, "receipt-3", NULL, 0), SG_STORE_NEW);
	uint64_t all, ind;
	cr_assert_eq(sg_store_count_reports(s, &all, 1, &ind), 0);
	cr_assert_eq(all, 2);
	cr_assert_eq(ind, 2);
	sg_store_close(s);

	/* durable: a reopened store has both, and still knows the receipts */
	cr_assert_eq(sg_store_open(&s, path, task_a, err, sizeof err), 0, "%s", err);
	cr_assert_eq(sg_store_count_reports(s, &all, 2, &ind), 0);
	cr_assert_eq(all, 2);
	cr_assert_eq(ind, 0);
	cr_assert_eq(put(s, 3, "ent-2", 3, "x", got, sizeof got), SG_STORE_SAME);
	cr_assert_str_eq(got, "receipt-3");
	sg_store_close(s);

	/* another task's store is refused */
	cr_assert_eq(sg_store_open(&s, path, task_b, err, sizeof err), SG_ERR_STATE);
	cr_assert(strstr(err, "another task") != NULL, "%s", err);
	cr_assert_null(s);
}

Test(store, runs_in_wal_with_full_sync, .init = make_dir, .fini = remove_dir)
{
	char path[128], err[256];
	sg_store *s;
	snprintf(path, sizeof path, "%s/h.db", dir);
	cr_assert_eq(sg_store_open(&s, path, task_a, err, sizeof err), 0, "%s", err);
	sg_store_close(s);
	sqlite3 *db;
	sqlite3_stmt *st;
	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	cr_assert_str_eq((const char *)sqlite3_column_text(st, 0), "wal");
	sqlite3_finalize(st);
	sqlite3_close(db);
	/* a path that cannot be created names the file */
	cr_assert_eq(sg_store_open(&s, "/nonexistent/dir/x.db", task_a, err, sizeof err), SG_ERR_IO);
	cr_assert(strstr(err, "/nonexistent/dir/x.db") != NULL, "%s", err);
}
