/* SPDX-License-Identifier: Apache-2.0 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <sqlite3.h>

#include "edge/store.h"
#include "spillguard/err.h"

#define SCHEMA_VERSION 1

struct sg_store {
	sqlite3 *db;
	char path[512];
};

static const char *const schema[] = {
	"CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB NOT NULL)",
	"CREATE TABLE IF NOT EXISTS reports ("
	" report_id BLOB PRIMARY KEY,"
	" enterprise_id TEXT NOT NULL UNIQUE,"
	" industry INTEGER NOT NULL,"
	" received_at INTEGER NOT NULL,"
	" digest BLOB NOT NULL,"
	" report BLOB NOT NULL,"
	" receipt BLOB NOT NULL)",
	"CREATE INDEX IF NOT EXISTS reports_by_industry ON reports (industry)",
};

__attribute__((format(printf, 3, 4))) static int store_err(char *err, size_t err_len,
							    const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, err_len, fmt, ap);
	va_end(ap);
	return SG_ERR_IO;
}

static int exec(sg_store *s, const char *sql, char *err, size_t err_len)
{
	char *msg = NULL;
	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	store_err(err, err_len, "%s: %s", s->path, msg ? msg : sqlite3_errmsg(s->db));
	sqlite3_free(msg);
	return SG_ERR_IO;
}

/* The journal must really be WAL (a read-only or odd filesystem can refuse). */
static int set_durability(sg_store *s, char *err, size_t err_len)
{
	sqlite3_stmt *st = NULL;
	int ret = exec(s, "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; "
			  "PRAGMA busy_timeout=5000", err, err_len);
	if (ret != 0)
		return ret;
	ret = SG_ERR_IO;
	if (sqlite3_prepare_v2(s->db, "PRAGMA journal_mode=WAL", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW &&
	    strcmp((const char *)sqlite3_column_text(st, 0), "wal") == 0)
		ret = 0;
	else
		store_err(err, err_len, "%s: cannot use a write-ahead log here", s->path);
	sqlite3_finalize(st);
	return ret;
}

/* A new store takes the task id; an existing one must carry the same. */
static int bind_task(sg_store *s, const uint8_t task_id[32], char *err, size_t err_len)
{
	sqlite3_stmt *st = NULL;
	int ret = SG_ERR_IO;
	if (sqlite3_prepare_v2(s->db,
			       "INSERT OR IGNORE INTO meta (key, value) VALUES ('task_id', ?1), "
			       "('schema', ?2)", -1, &st, NULL) != SQLITE_OK)
		goto cleanup;
	sqlite3_bind_blob(st, 1, task_id, 32, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, SCHEMA_VERSION);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto cleanup;
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_prepare_v2(s->db, "SELECT value FROM meta WHERE key = 'task_id'", -1, &st,
			       NULL) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW)
		goto cleanup;
	if (sqlite3_column_bytes(st, 0) != 32 || memcmp(sqlite3_column_blob(st, 0), task_id, 32) != 0) {
		store_err(err, err_len, "%s: this store belongs to another task", s->path);
		ret = SG_ERR_STATE;
		goto done;
	}
	ret = 0;
	goto done;
cleanup:
	store_err(err, err_len, "%s: %s", s->path, sqlite3_errmsg(s->db));
done:
	sqlite3_finalize(st);
	return ret;
}

int sg_store_open(sg_store **out, const char *path, const uint8_t task_id[32], char *err,
		  size_t err_len)
{
	int ret = SG_ERR_NOMEM;
	sg_store *s = calloc(1, sizeof *s);
	*out = NULL;
	if (s == NULL)
		return ret;
	snprintf(s->path, sizeof s->path, "%s", path);
	ret = SG_ERR_IO;
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
				       SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK) {
		store_err(err, err_len, "%s: %s", path, s->db ? sqlite3_errmsg(s->db) : "cannot open");
		goto cleanup;
	}
	ret = set_durability(s, err, err_len);
	for (size_t i = 0; ret == 0 && i < sizeof schema / sizeof schema[0]; i++)
		ret = exec(s, schema[i], err, err_len);
	if (ret == 0)
		ret = bind_task(s, task_id, err, err_len);
	if (ret != 0)
		goto cleanup;
	*out = s;
	s = NULL;
cleanup:
	sg_store_close(s);
	return ret;
}

void sg_store_close(sg_store *s)
{
	if (s == NULL)
		return;
	sqlite3_close(s->db);
	free(s);
}

/* What the store already holds for this id or this enterprise. */
static int lookup(sg_store *s, enum sg_store_put *outcome, uint8_t **receipt, size_t *receipt_len,
		  const uint8_t *report_id, const char *enterprise_id, const uint8_t *digest)
{
	sqlite3_stmt *st = NULL;
	int ret = SG_ERR_IO, rc;
	*outcome = SG_STORE_NEW;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT report_id = ?1, digest, receipt FROM reports "
			       "WHERE report_id = ?1 OR enterprise_id = ?2 ORDER BY 1 DESC LIMIT 1",
			       -1, &st, NULL) != SQLITE_OK)
		return SG_ERR_IO;
	sqlite3_bind_blob(st, 1, report_id, SG_STORE_REPORT_ID_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, enterprise_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		bool same_id = sqlite3_column_int(st, 0) != 0;
		bool same_digest = sqlite3_column_bytes(st, 1) == SG_STORE_DIGEST_BYTES &&
				   memcmp(sqlite3_column_blob(st, 1), digest, SG_STORE_DIGEST_BYTES) == 0;
		*outcome = !same_id ? SG_STORE_DUPLICATE : same_digest ? SG_STORE_SAME : SG_STORE_REPLAYED;
		if (*outcome == SG_STORE_SAME) {
			size_t n = (size_t)sqlite3_column_bytes(st, 2);
			*receipt = malloc(n + 1);
			if (*receipt == NULL)
				goto cleanup;
			memcpy(*receipt, sqlite3_column_blob(st, 2), n);
			*receipt_len = n;
		}
	} else if (rc != SQLITE_DONE) {
		goto cleanup;
	}
	ret = 0;
cleanup:
	sqlite3_finalize(st);
	return ret;
}

static int insert(sg_store *s, const uint8_t *report_id, const char *enterprise_id,
		  uint32_t industry, uint64_t received_at, const uint8_t *digest,
		  const uint8_t *report, size_t report_len, const uint8_t *receipt,
		  size_t receipt_len)
{
	sqlite3_stmt *st = NULL;
	int ret = SG_ERR_IO;
	if (report_len > INT32_MAX || receipt_len > INT32_MAX ||
	    sqlite3_prepare_v2(s->db,
			       "INSERT INTO reports (report_id, enterprise_id, industry, received_at, "
			       "digest, report, receipt) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
			       -1, &st, NULL) != SQLITE_OK)
		goto cleanup;
	sqlite3_bind_blob(st, 1, report_id, SG_STORE_REPORT_ID_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, enterprise_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, industry);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)received_at);
	sqlite3_bind_blob(st, 5, digest, SG_STORE_DIGEST_BYTES, SQLITE_STATIC);
	sqlite3_bind_blob(st, 6, report, (int)report_len, SQLITE_STATIC);
	sqlite3_bind_blob(st, 7, receipt, (int)receipt_len, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_DONE)
		ret = 0;
cleanup:
	sqlite3_finalize(st);
	return ret;
}

int sg_store_put_report(sg_store *s, enum sg_store_put *outcome, uint8_t **receipt,
			size_t *receipt_len, const uint8_t report_id[SG_STORE_REPORT_ID_BYTES],
			const char *enterprise_id, uint32_t industry, uint64_t received_at,
			const uint8_t digest[SG_STORE_DIGEST_BYTES], const uint8_t *report,
			size_t report_len, const uint8_t *new_receipt, size_t new_receipt_len)
{
	char err[8];
	*receipt = NULL;
	*receipt_len = 0;
	/* IMMEDIATE: the lookup and the insert see one state of the table */
	int ret = exec(s, "BEGIN IMMEDIATE", err, sizeof err);
	if (ret != 0)
		return ret;
	ret = lookup(s, outcome, receipt, receipt_len, report_id, enterprise_id, digest);
	if (ret == 0 && *outcome == SG_STORE_NEW)
		ret = insert(s, report_id, enterprise_id, industry, received_at, digest, report,
			     report_len, new_receipt, new_receipt_len);
	if (ret == 0)
		ret = exec(s, "COMMIT", err, sizeof err);
	if (ret != 0) {
		exec(s, "ROLLBACK", err, sizeof err);
		free(*receipt);
		*receipt = NULL;
		*receipt_len = 0;
	}
	return ret;
}

int sg_store_count_reports(sg_store *s, uint64_t *all, int64_t industry, uint64_t *in_industry)
{
	sqlite3_stmt *st = NULL;
	int ret = SG_ERR_IO;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT count(*), count(CASE WHEN industry = ?1 THEN 1 END) FROM reports",
			       -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, industry);
		if (sqlite3_step(st) == SQLITE_ROW) {
			*all = (uint64_t)sqlite3_column_int64(st, 0);
			*in_industry = (uint64_t)sqlite3_column_int64(st, 1);
			ret = 0;
		}
	}
	sqlite3_finalize(st);
	return ret;
}
