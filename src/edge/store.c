/* SPDX-License-Identifier: Apache-2.0 */
#define _POSIX_C_SOURCE 200809L /* O_CLOEXEC */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <sqlite3.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "edge/store.h"
#include "spillguard/err.h"

/* 1: uploads only; 2: aggregation and collection tables added (a version 1
 * store is brought up to 2 by creating them). */
#define SCHEMA_VERSION 3
#define SG_STR_(x) #x
#define SG_STR(x) SG_STR_(x)

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
	/* leader: the uploads in no job yet, by arrival (seq = the report's
	 * rowid), so that taking a job never scans every report (schema 3) */
	"CREATE TABLE IF NOT EXISTS waiting ("
	" seq INTEGER PRIMARY KEY,"
	" report_id BLOB NOT NULL UNIQUE)",
	"CREATE TABLE IF NOT EXISTS jobs ("
	" seq INTEGER PRIMARY KEY,"
	" job_id BLOB NOT NULL UNIQUE,"
	" step INTEGER NOT NULL,"
	" at INTEGER NOT NULL DEFAULT 0,"
	" request BLOB)",
	"CREATE TABLE IF NOT EXISTS job_replies ("
	" job_id BLOB NOT NULL,"
	" step INTEGER NOT NULL,"
	" reply BLOB NOT NULL,"
	" PRIMARY KEY (job_id, step))",
	"CREATE TABLE IF NOT EXISTS preps ("
	" seq INTEGER PRIMARY KEY,"
	" report_id BLOB NOT NULL UNIQUE,"
	" enterprise_id TEXT NOT NULL UNIQUE,"
	" industry INTEGER NOT NULL,"
	" job_id BLOB NOT NULL,"
	" state INTEGER NOT NULL DEFAULT 0,"
	" refusal INTEGER NOT NULL DEFAULT 0)",
	"CREATE INDEX IF NOT EXISTS preps_by_job ON preps (job_id)",
	"CREATE INDEX IF NOT EXISTS preps_by_industry ON preps (industry, state)",
	"CREATE TABLE IF NOT EXISTS aggregates ("
	" industry INTEGER PRIMARY KEY,"
	" count INTEGER NOT NULL,"
	" share BLOB NOT NULL)",
	"CREATE TABLE IF NOT EXISTS collected ("
	" industry INTEGER PRIMARY KEY,"
	" released BLOB NOT NULL)",
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
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_prepare_v2(s->db, "SELECT value FROM meta WHERE key = 'schema'", -1, &st,
			       NULL) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW)
		goto cleanup;
	sqlite3_int64 was = sqlite3_column_int64(st, 0);
	if (was > SCHEMA_VERSION) {
		store_err(err, err_len, "%s: store schema %lld is newer than this program's (%d)",
			  s->path, (long long)was, SCHEMA_VERSION);
		ret = SG_ERR_STATE;
		goto done;
	}
	ret = 0;
	if (was < 3) /* the waiting uploads of a store made before the table */
		ret = exec(s, "INSERT OR IGNORE INTO waiting (seq, report_id) SELECT rowid, report_id "
			      "FROM reports r WHERE NOT EXISTS "
			      "(SELECT 1 FROM preps p WHERE p.report_id = r.report_id)",
			   err, err_len);
	if (ret == 0)
		ret = exec(s, "UPDATE meta SET value = " SG_STR(SCHEMA_VERSION) " WHERE key = 'schema'",
			   err, err_len);
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
	/* it may hold the task's secrets: a new store is for its owner only
	 * (SQLite gives the -wal and -shm files the same mode); an empty file
	 * is an empty database */
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd >= 0)
		close(fd);
	else if (errno != EEXIST) {
		store_err(err, err_len, "%s: %s", path, strerror(errno));
		goto cleanup;
	}
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

/* --- transactions --------------------------------------------------------- */

int sg_store_begin(sg_store *s)
{
	char err[8];
	return exec(s, "BEGIN IMMEDIATE", err, sizeof err);
}

int sg_store_commit(sg_store *s)
{
	char err[8];
	return exec(s, "COMMIT", err, sizeof err);
}

void sg_store_rollback(sg_store *s)
{
	char err[8];
	if (!sqlite3_get_autocommit(s->db))
		(void)exec(s, "ROLLBACK", err, sizeof err);
}

int sg_store_end(sg_store *s, int ret)
{
	if (ret == 0)
		ret = sg_store_commit(s);
	if (ret != 0)
		sg_store_rollback(s);
	return ret;
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
	if (sqlite3_step(st) != SQLITE_DONE)
		goto cleanup;
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_prepare_v2(s->db,
			       "INSERT INTO waiting (seq, report_id) VALUES (last_insert_rowid(), ?1)",
			       -1, &st, NULL) != SQLITE_OK)
		goto cleanup;
	sqlite3_bind_blob(st, 1, report_id, SG_STORE_REPORT_ID_BYTES, SQLITE_STATIC);
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
	*receipt = NULL;
	*receipt_len = 0;
	/* IMMEDIATE: the lookup and the insert see one state of the table */
	int ret = sg_store_begin(s);
	if (ret != 0)
		return ret;
	ret = lookup(s, outcome, receipt, receipt_len, report_id, enterprise_id, digest);
	if (ret == 0 && *outcome == SG_STORE_NEW)
		ret = insert(s, report_id, enterprise_id, industry, received_at, digest, report,
			     report_len, new_receipt, new_receipt_len);
	ret = sg_store_end(s, ret);
	if (ret != 0) {
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

/* --- shared statement helpers ------------------------------------------- */

static int prepare(sg_store *s, sqlite3_stmt **st, const char *sql)
{
	return sqlite3_prepare_v2(s->db, sql, -1, st, NULL) == SQLITE_OK ? 0 : SG_ERR_IO;
}

/* Runs a statement that returns no rows, then finalizes it. */
static int step_done(sqlite3_stmt *st)
{
	int ret = sqlite3_step(st) == SQLITE_DONE ? 0 : SG_ERR_IO;
	sqlite3_finalize(st);
	return ret;
}

/* Copies column col (a blob; NULL gives *out NULL) into a malloc'd buffer. */
static int column_copy(sqlite3_stmt *st, int col, uint8_t **out, size_t *len)
{
	*out = NULL;
	*len = 0;
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return 0;
	size_t n = (size_t)sqlite3_column_bytes(st, col);
	*out = malloc(n + 1);
	if (*out == NULL)
		return SG_ERR_NOMEM;
	if (n > 0)
		memcpy(*out, sqlite3_column_blob(st, col), n);
	*len = n;
	return 0;
}

/* Collects column 0 of every row (blobs of `width` bytes) into one buffer. */
static int collect_ids(sqlite3_stmt *st, size_t width, uint8_t **ids, size_t *n)
{
	size_t cap = 0;
	int rc, ret = 0;
	*ids = NULL;
	*n = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((size_t)sqlite3_column_bytes(st, 0) != width) {
			ret = SG_ERR_STATE;
			break;
		}
		if (*n == cap) {
			size_t ncap = cap ? 2 * cap : 64;
			uint8_t *grown = realloc(*ids, ncap * width);
			if (grown == NULL) {
				ret = SG_ERR_NOMEM;
				break;
			}
			*ids = grown;
			cap = ncap;
		}
		memcpy(*ids + *n * width, sqlite3_column_blob(st, 0), width);
		(*n)++;
	}
	if (ret == 0 && rc != SQLITE_DONE)
		ret = SG_ERR_IO;
	sqlite3_finalize(st);
	if (ret != 0) {
		free(*ids);
		*ids = NULL;
		*n = 0;
	}
	return ret;
}

static int bind_len(size_t len)
{
	return len > INT32_MAX ? -1 : (int)len;
}

/* Binds ?1 to a blob key, or to int_key when key is NULL. */
static void bind_key(sqlite3_stmt *st, const uint8_t *key, size_t key_len, int64_t int_key)
{
	if (key != NULL)
		sqlite3_bind_blob(st, 1, key, (int)key_len, SQLITE_STATIC);
	else
		sqlite3_bind_int64(st, 1, int_key);
}

/* The ids a keyed query lists (see collect_ids). */
static int list_ids(sg_store *s, const char *sql, const uint8_t *key, size_t key_len,
		    int64_t int_key, size_t width, uint8_t **ids, size_t *n)
{
	sqlite3_stmt *st = NULL;
	*ids = NULL;
	*n = 0;
	if (prepare(s, &st, sql) != 0)
		return SG_ERR_IO;
	bind_key(st, key, key_len, int_key);
	return collect_ids(st, width, ids, n);
}

/* --- aggregation ---------------------------------------------------------- */

int sg_store_next_uploads(sg_store *s, size_t max, size_t *n,
			  int (*fn)(void *ctx, const sg_store_upload *u), void *ctx)
{
	sqlite3_stmt *st = NULL;
	int ret = SG_ERR_IO, rc;
	*n = 0;
	if (prepare(s, &st, "SELECT r.report_id, r.enterprise_id, r.industry, r.report "
			    "FROM waiting w JOIN reports r ON r.rowid = w.seq WHERE NOT EXISTS "
			    "(SELECT 1 FROM preps p WHERE p.report_id = w.report_id) "
			    "ORDER BY r.received_at, w.seq LIMIT ?1") != 0)
		return ret;
	sqlite3_bind_int64(st, 1, max > INT64_MAX ? INT64_MAX : (sqlite3_int64)max);
	ret = 0;
	while (ret == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const sg_store_upload u = {
			.report_id = sqlite3_column_blob(st, 0),
			.enterprise_id = (const char *)sqlite3_column_text(st, 1),
			.industry = (uint32_t)sqlite3_column_int64(st, 2),
			.report = sqlite3_column_blob(st, 3),
			.len = (size_t)sqlite3_column_bytes(st, 3),
		};
		ret = sqlite3_column_bytes(st, 0) == SG_STORE_REPORT_ID_BYTES && u.enterprise_id
			      ? fn(ctx, &u)
			      : SG_ERR_STATE;
		(*n)++;
	}
	if (ret == 0 && rc != SQLITE_DONE)
		ret = SG_ERR_IO;
	sqlite3_finalize(st);
	return ret;
}

int sg_store_uploads_taken(sg_store *s, const uint8_t job_id[16])
{
	sqlite3_stmt *st = NULL;
	if (prepare(s, &st, "DELETE FROM waiting WHERE report_id IN "
			    "(SELECT report_id FROM preps WHERE job_id = ?1)") != 0)
		return SG_ERR_IO;
	sqlite3_bind_blob(st, 1, job_id, 16, SQLITE_STATIC);
	return step_done(st);
}

int sg_store_prep_put(sg_store *s, enum sg_store_put *outcome,
		      const uint8_t report_id[SG_STORE_REPORT_ID_BYTES], const char *enterprise_id,
		      uint32_t industry, const uint8_t job_id[16])
{
	sqlite3_stmt *st = NULL;
	int ret = SG_ERR_IO, rc;
	*outcome = SG_STORE_NEW;
	if (prepare(s, &st, "SELECT report_id = ?1, job_id = ?3 FROM preps "
			    "WHERE report_id = ?1 OR enterprise_id = ?2 ORDER BY 1 DESC LIMIT 1") != 0)
		return ret;
	sqlite3_bind_blob(st, 1, report_id, SG_STORE_REPORT_ID_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, enterprise_id, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 3, job_id, 16, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		bool same_id = sqlite3_column_int(st, 0) != 0;
		bool same_job = sqlite3_column_int(st, 1) != 0;
		*outcome = !same_id ? SG_STORE_DUPLICATE : same_job ? SG_STORE_SAME : SG_STORE_REPLAYED;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return SG_ERR_IO;
	if (*outcome != SG_STORE_NEW)
		return 0;
	if (prepare(s, &st, "INSERT INTO preps (report_id, enterprise_id, industry, job_id) "
			    "VALUES (?1, ?2, ?3, ?4)") != 0)
		return ret;
	sqlite3_bind_blob(st, 1, report_id, SG_STORE_REPORT_ID_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, enterprise_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, industry);
	sqlite3_bind_blob(st, 4, job_id, 16, SQLITE_STATIC);
	return step_done(st);
}

int sg_store_prep_settle(sg_store *s, const uint8_t report_id[SG_STORE_REPORT_ID_BYTES],
			 enum sg_prep_state state, int refusal)
{
	sqlite3_stmt *st = NULL;
	if (state == SG_PREP_PENDING || (state == SG_PREP_ACCEPTED) != (refusal == 0))
		return SG_ERR_PARAM;
	if (prepare(s, &st, "UPDATE preps SET state = ?2, refusal = ?3 "
			    "WHERE report_id = ?1 AND state = 0") != 0)
		return SG_ERR_IO;
	sqlite3_bind_blob(st, 1, report_id, SG_STORE_REPORT_ID_BYTES, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, (int)state);
	sqlite3_bind_int(st, 3, refusal);
	int ret = step_done(st);
	if (ret == 0 && sqlite3_changes(s->db) != 1)
		ret = SG_ERR_STATE;
	return ret;
}

/* An integer and a blob column of the row a keyed query finds; *found
 * false (0 and NULL) when there is none. */
static int get_int_blob(sg_store *s, const char *sql, const uint8_t *key, size_t key_len,
			int64_t int_key, int64_t arg2, bool *found, int64_t *num, uint8_t **blob,
			size_t *len)
{
	sqlite3_stmt *st = NULL;
	int ret = SG_ERR_IO, rc;
	*found = false;
	*num = 0;
	*blob = NULL;
	*len = 0;
	if (prepare(s, &st, sql) != 0)
		return ret;
	bind_key(st, key, key_len, int_key);
	if (sqlite3_bind_parameter_count(st) >= 2)
		sqlite3_bind_int64(st, 2, arg2);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*found = true;
		*num = sqlite3_column_int64(st, 0);
		ret = column_copy(st, 1, blob, len);
	} else if (rc == SQLITE_DONE) {
		ret = 0;
	}
	sqlite3_finalize(st);
	return ret;
}

int sg_store_job_get(sg_store *s, const uint8_t job_id[16], int reply_step, bool *found,
		     int *step, uint8_t **reply, size_t *reply_len)
{
	int64_t n;
	int ret = get_int_blob(s, "SELECT j.step, r.reply FROM jobs j LEFT JOIN job_replies r "
				  "ON r.job_id = j.job_id AND r.step = ?2 WHERE j.job_id = ?1",
			       job_id, 16, 0, reply_step, found, &n, reply, reply_len);
	*step = (int)n;
	return ret;
}

int sg_store_job_put(sg_store *s, const uint8_t job_id[16], int step, const uint8_t *reply,
		     size_t reply_len)
{
	sqlite3_stmt *st = NULL;
	if (bind_len(reply_len) < 0 ||
	    prepare(s, &st, "INSERT INTO jobs (job_id, step) VALUES (?1, ?2) "
			    "ON CONFLICT (job_id) DO UPDATE SET step = ?2") != 0)
		return SG_ERR_IO;
	sqlite3_bind_blob(st, 1, job_id, 16, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, step);
	int ret = step_done(st);
	if (ret != 0 || reply == NULL)
		return ret;
	if (prepare(s, &st, "INSERT OR REPLACE INTO job_replies (job_id, step, reply) "
			    "VALUES (?1, ?2, ?3)") != 0)
		return SG_ERR_IO;
	sqlite3_bind_blob(st, 1, job_id, 16, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, step);
	sqlite3_bind_blob(st, 3, reply, bind_len(reply_len), SQLITE_STATIC);
	return step_done(st);
}

int sg_store_jobs_open(sg_store *s, int below, uint8_t **ids, size_t *n)
{
	return list_ids(s, "SELECT job_id FROM jobs WHERE step < ?1 ORDER BY seq", NULL, 0, below,
			16, ids, n);
}

int sg_store_job_reports(sg_store *s, const uint8_t job_id[16], uint8_t **ids, size_t *n)
{
	return list_ids(s, "SELECT report_id FROM preps WHERE job_id = ?1 ORDER BY seq", job_id, 16,
			0, SG_STORE_REPORT_ID_BYTES, ids, n);
}

/* One blob column of the single row a keyed query finds (SG_ERR_STATE: none). */
static int get_one_blob(sg_store *s, const char *sql, const uint8_t *key, size_t key_len,
			int64_t int_key, uint8_t **out, size_t *len)
{
	sqlite3_stmt *st = NULL;
	int ret = SG_ERR_IO, rc;
	*out = NULL;
	*len = 0;
	if (prepare(s, &st, sql) != 0)
		return ret;
	bind_key(st, key, key_len, int_key);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		ret = column_copy(st, 0, out, len);
	else if (rc == SQLITE_DONE)
		ret = SG_ERR_STATE;
	sqlite3_finalize(st);
	return ret;
}

int sg_store_upload_get(sg_store *s, const uint8_t report_id[SG_STORE_REPORT_ID_BYTES],
			uint8_t **report, size_t *len)
{
	return get_one_blob(s, "SELECT report FROM reports WHERE report_id = ?1", report_id,
			    SG_STORE_REPORT_ID_BYTES, 0, report, len);
}

int sg_store_agg_get(sg_store *s, uint32_t industry, uint64_t *count, uint8_t **share,
		     size_t *share_len)
{
	bool found;
	int64_t n;
	int ret = get_int_blob(s, "SELECT count, share FROM aggregates WHERE industry = ?1", NULL, 0,
			       industry, 0, &found, &n, share, share_len);
	*count = (uint64_t)n;
	return ret;
}

int sg_store_agg_put(sg_store *s, uint32_t industry, uint64_t count, const uint8_t *share,
		     size_t share_len)
{
	sqlite3_stmt *st = NULL;
	if (bind_len(share_len) < 0 || count > INT64_MAX ||
	    prepare(s, &st, "INSERT INTO aggregates (industry, count, share) VALUES (?1, ?2, ?3) "
			    "ON CONFLICT (industry) DO UPDATE SET count = ?2, share = ?3") != 0)
		return SG_ERR_IO;
	sqlite3_bind_int64(st, 1, industry);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)count);
	sqlite3_bind_blob(st, 3, share, bind_len(share_len), SQLITE_STATIC);
	return step_done(st);
}

int sg_store_accepted_ids(sg_store *s, uint32_t industry, uint8_t **ids, size_t *n)
{
	return list_ids(s, "SELECT report_id FROM preps WHERE industry = ?1 AND state = 1", NULL, 0,
			industry, SG_STORE_REPORT_ID_BYTES, ids, n);
}

/* --- collection ----------------------------------------------------------- */

int sg_store_collected_get(sg_store *s, uint32_t industry, bool *collected, uint8_t **released,
			   size_t *released_len)
{
	int ret = get_one_blob(s, "SELECT released FROM collected WHERE industry = ?1", NULL, 0,
			       industry, released, released_len);
	*collected = ret == 0;
	return ret == SG_ERR_STATE ? 0 : ret;
}

int sg_store_collected_put(sg_store *s, uint32_t industry, const uint8_t *released,
			   size_t released_len)
{
	sqlite3_stmt *st = NULL;
	if (bind_len(released_len) < 0 ||
	    prepare(s, &st, "INSERT OR IGNORE INTO collected (industry, released) "
			    "VALUES (?1, ?2)") != 0)
		return SG_ERR_IO;
	sqlite3_bind_int64(st, 1, industry);
	sqlite3_bind_blob(st, 2, released, bind_len(released_len), SQLITE_STATIC);
	int ret = step_done(st);
	if (ret == 0 && sqlite3_changes(s->db) != 1)
		ret = SG_ERR_STATE;
	return ret;
}

int sg_store_counts_get(sg_store *s, int below, sg_store_counts *c)
{
	sqlite3_stmt *st = NULL;
	int ret = SG_ERR_IO;
	memset(c, 0, sizeof *c);
	if (prepare(s, &st,
		    "SELECT (SELECT count(*) FROM reports),"
		    " (SELECT count(*) FROM waiting w WHERE NOT EXISTS"
		    "   (SELECT 1 FROM preps p WHERE p.report_id = w.report_id)),"
		    " (SELECT count(*) FROM preps WHERE state = 0),"
		    " (SELECT count(*) FROM preps WHERE state = 1),"
		    " (SELECT count(*) FROM preps WHERE state = 2),"
		    " (SELECT count(*) FROM jobs WHERE step < ?1),"
		    " (SELECT count(*) FROM jobs),"
		    " (SELECT count(*) FROM collected)") != 0)
		return ret;
	sqlite3_bind_int(st, 1, below);
	if (sqlite3_step(st) == SQLITE_ROW) {
		uint64_t *f[] = { &c->uploads, &c->waiting, &c->pending, &c->accepted,
				  &c->refused, &c->jobs_open, &c->jobs, &c->collected };
		for (int i = 0; i < (int)(sizeof f / sizeof f[0]); i++)
			*f[i] = (uint64_t)sqlite3_column_int64(st, i);
		ret = 0;
	}
	sqlite3_finalize(st);
	return ret;
}

int sg_store_refusals(sg_store *s, uint64_t *counts, size_t n)
{
	sqlite3_stmt *st = NULL;
	int rc;
	memset(counts, 0, n * sizeof *counts);
	if (prepare(s, &st, "SELECT refusal, count(*) FROM preps WHERE state = 2 GROUP BY refusal") !=
	    0)
		return SG_ERR_IO;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		sqlite3_int64 code = sqlite3_column_int64(st, 0);
		if (code >= 0 && (uint64_t)code < n)
			counts[code] = (uint64_t)sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : SG_ERR_IO;
}

int sg_store_job_request_put(sg_store *s, const uint8_t job_id[16], uint64_t at,
			     const uint8_t *request, size_t request_len)
{
	sqlite3_stmt *st = NULL;
	if (bind_len(request_len) < 0 || at > INT64_MAX ||
	    prepare(s, &st, "UPDATE jobs SET at = ?2, request = ?3 WHERE job_id = ?1") != 0)
		return SG_ERR_IO;
	sqlite3_bind_blob(st, 1, job_id, 16, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)at);
	sqlite3_bind_blob(st, 3, request, bind_len(request_len), SQLITE_STATIC);
	int ret = step_done(st);
	if (ret == 0 && sqlite3_changes(s->db) != 1)
		ret = SG_ERR_STATE;
	return ret;
}

int sg_store_job_request_get(sg_store *s, const uint8_t job_id[16], uint64_t *at,
			     uint8_t **request, size_t *request_len)
{
	bool found;
	int64_t n;
	int ret = get_int_blob(s, "SELECT at, request FROM jobs WHERE job_id = ?1", job_id, 16, 0, 0,
			       &found, &n, request, request_len);
	*at = (uint64_t)n;
	if (ret == 0 && *request == NULL)
		ret = SG_ERR_STATE; /* no such job, or no request recorded */
	return ret;
}

/* Whether a row matches (?1 job id, ?2 key). */
static int exists(sg_store *s, const char *sql, const uint8_t *job_id, const uint8_t *blob,
		  const char *text, bool *found)
{
	sqlite3_stmt *st = NULL;
	int rc;
	*found = false;
	if (prepare(s, &st, sql) != 0)
		return SG_ERR_IO;
	sqlite3_bind_blob(st, 1, job_id, 16, SQLITE_STATIC);
	if (blob != NULL)
		sqlite3_bind_blob(st, 2, blob, SG_STORE_REPORT_ID_BYTES, SQLITE_STATIC);
	else
		sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	*found = rc == SQLITE_ROW;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : SG_ERR_IO;
}

int sg_store_prep_other_job(sg_store *s, const uint8_t job_id[16], const uint8_t *report_id,
			    const char *enterprise_id, bool *found)
{
	return report_id != NULL
		       ? exists(s, "SELECT 1 FROM preps WHERE job_id != ?1 AND report_id = ?2", job_id,
				report_id, NULL, found)
		       : exists(s, "SELECT 1 FROM preps WHERE job_id != ?1 AND enterprise_id = ?2",
				job_id, NULL, enterprise_id, found);
}

int sg_store_prep_in_job(sg_store *s, const uint8_t job_id[16],
			 const uint8_t report_id[SG_STORE_REPORT_ID_BYTES], bool *found)
{
	return exists(s, "SELECT 1 FROM preps WHERE job_id = ?1 AND report_id = ?2", job_id,
		      report_id, NULL, found);
}

/* --- named values: secrets and marks --------------------------------------- */

static int named_key(char *key, size_t key_len, const char *kind, const char *name)
{
	return (size_t)snprintf(key, key_len, "%s:%s", kind, name) < key_len ? 0 : SG_ERR_PARAM;
}

static int named_get(sg_store *s, const char *kind, const char *name, uint8_t *value, size_t len,
		     bool *found)
{
	char key[80];
	sqlite3_stmt *st = NULL;
	int ret = named_key(key, sizeof key, kind, name), rc;
	*found = false;
	if (ret != 0 || prepare(s, &st, "SELECT value FROM meta WHERE key = ?1") != 0)
		return ret != 0 ? ret : SG_ERR_IO;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	ret = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : SG_ERR_IO;
	if (rc == SQLITE_ROW) {
		if ((size_t)sqlite3_column_bytes(st, 0) != len) {
			ret = SG_ERR_STATE;
		} else {
			memcpy(value, sqlite3_column_blob(st, 0), len);
			*found = true;
		}
	}
	sqlite3_finalize(st);
	return ret;
}

/* Set once: the same bytes again are idempotent, other bytes refused. */
static int named_put(sg_store *s, const char *kind, const char *name, const uint8_t *value,
		     size_t len)
{
	char key[80];
	sqlite3_stmt *st = NULL;
	bool found;
	uint8_t *old = malloc(len + 1);
	int ret = old ? sg_store_begin(s) : SG_ERR_NOMEM;
	if (ret == 0)
		ret = named_key(key, sizeof key, kind, name);
	if (ret == 0)
		ret = named_get(s, kind, name, old, len, &found);
	if (ret == 0 && found && sodium_memcmp(old, value, len) != 0)
		ret = SG_ERR_STATE; /* never replaced */
	if (ret == 0 && !found) {
		ret = bind_len(len) < 0 ||
			      prepare(s, &st, "INSERT INTO meta (key, value) VALUES (?1, ?2)") != 0
			      ? SG_ERR_IO
			      : 0;
		if (ret == 0) {
			sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
			sqlite3_bind_blob(st, 2, value, bind_len(len), SQLITE_STATIC);
			ret = step_done(st);
		}
	}
	if (old != NULL) {
		sodium_memzero(old, len);
		ret = sg_store_end(s, ret);
	}
	free(old);
	return ret;
}

int sg_store_secret_get(sg_store *s, const char *name, uint8_t *value, size_t len, bool *found)
{
	return named_get(s, "secret", name, value, len, found);
}

int sg_store_secret_put(sg_store *s, const char *name, const uint8_t *value, size_t len)
{
	return named_put(s, "secret", name, value, len);
}

int sg_store_mark_get(sg_store *s, const char *name, uint64_t *value, bool *found)
{
	uint8_t b[8];
	int ret = named_get(s, "mark", name, b, sizeof b, found);
	*value = 0;
	for (size_t i = 0; ret == 0 && *found && i < sizeof b; i++)
		*value = *value << 8 | b[i];
	return ret;
}

int sg_store_mark_put(sg_store *s, const char *name, uint64_t value)
{
	uint8_t b[8];
	for (size_t i = 0; i < sizeof b; i++)
		b[i] = (uint8_t)(value >> (56 - 8 * i));
	return named_put(s, "mark", name, b, sizeof b);
}
