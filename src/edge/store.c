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
#include "edge/store_internal.h"
#include "spillguard/err.h"

/* 1: uploads only; 2: aggregation and collection tables added (a version 1
 * store is brought up to 2 by creating them). */
#define SCHEMA_VERSION 4
#define SG_STR_(x) #x
#define SG_STR(x) SG_STR_(x)


static const char *const schema[] = {
	"CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB NOT NULL)",
	"CREATE TABLE IF NOT EXISTS reports ("
	" report_id BLOB PRIMARY KEY,"
	" enterprise_id TEXT NOT NULL UNIQUE,"
	" industry INTEGER NOT NULL,"
	" received_at INTEGER NOT NULL,"
	" digest BLOB NOT NULL,"
	" report BLOB NOT NULL,"
	" receipt BLOB NOT NULL,"
	/* the leader's preparation made on upload (schema 4; NULL before) */
	" kept BLOB)",
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

/* Adds a column to an older store's table, unless a migration cut short
 * already did. */
static int add_column(sg_store *s, const char *table, const char *column, const char *type,
		      char *err, size_t err_len)
{
	char sql[160];
	sqlite3_stmt *st = NULL;
	bool has = false;
	snprintf(sql, sizeof sql, "SELECT 1 FROM pragma_table_info('%s') WHERE name = '%s'", table,
		 column);
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		store_err(err, err_len, "%s: %s", s->path, sqlite3_errmsg(s->db));
		return SG_ERR_IO;
	}
	has = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	snprintf(sql, sizeof sql, "ALTER TABLE %s ADD COLUMN %s %s", table, column, type);
	return has ? 0 : exec(s, sql, err, err_len);
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
	if (ret == 0 && was < 4) /* its uploads stay whole: prepared in aggregation */
		ret = add_column(s, "reports", "kept", "BLOB", err, err_len);
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

/* A handle on path opened with SQLite flags; *out is NULL on failure. */
static int open_db(sg_store **out, const char *path, int flags, char *err, size_t err_len)
{
	sg_store *s = calloc(1, sizeof *s);
	*out = NULL;
	if (s == NULL)
		return SG_ERR_NOMEM;
	snprintf(s->path, sizeof s->path, "%s", path);
	if (sqlite3_open_v2(path, &s->db, flags | SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK) {
		store_err(err, err_len, "%s: %s", path, s->db ? sqlite3_errmsg(s->db) : "cannot open");
		sg_store_close(s);
		return SG_ERR_IO;
	}
	*out = s;
	return 0;
}

/* *out keeps the store when ret is 0; else it is closed and *out NULL. */
static int hand_over(sg_store **out, int ret)
{
	if (ret != 0) {
		sg_store_close(*out);
		*out = NULL;
	}
	return ret;
}

int sg_store_open(sg_store **out, const char *path, const uint8_t task_id[32], char *err,
		  size_t err_len)
{
	*out = NULL;
	/* it may hold the task's secrets: a new store is for its owner only
	 * (SQLite gives the -wal and -shm files the same mode); an empty file
	 * is an empty database */
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd >= 0) {
		close(fd);
	} else if (errno != EEXIST) {
		store_err(err, err_len, "%s: %s", path, strerror(errno));
		return SG_ERR_IO;
	}
	int ret = open_db(out, path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, err, err_len);
	if (ret == 0)
		ret = set_durability(*out, err, err_len);
	for (size_t i = 0; ret == 0 && i < sizeof schema / sizeof schema[0]; i++)
		ret = exec(*out, schema[i], err, err_len);
	if (ret == 0)
		ret = bind_task(*out, task_id, err, err_len);
	return hand_over(out, ret);
}

/* A read-only store carries this task and this program's schema. */
static int check_readonly(sg_store *s, const uint8_t task_id[32], char *err, size_t err_len)
{
	sqlite3_stmt *st = NULL;
	int ret = SG_ERR_STATE;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT (SELECT value FROM meta WHERE key = 'task_id'),"
			       " (SELECT value FROM meta WHERE key = 'schema')",
			       -1, &st, NULL) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
		store_err(err, err_len, "%s: not a spillguard store: %s", s->path,
			  sqlite3_errmsg(s->db));
	} else if (sqlite3_column_bytes(st, 0) != 32 ||
		   memcmp(sqlite3_column_blob(st, 0), task_id, 32) != 0) {
		store_err(err, err_len, "%s: this store belongs to another task", s->path);
	} else if (sqlite3_column_int64(st, 1) != SCHEMA_VERSION) {
		store_err(err, err_len,
			  "%s: store schema %lld, this program reads %d (start its daemon once to "
			  "upgrade it)",
			  s->path, (long long)sqlite3_column_int64(st, 1), SCHEMA_VERSION);
	} else {
		ret = 0;
	}
	sqlite3_finalize(st);
	return ret;
}

int sg_store_open_readonly(sg_store **out, const char *path, const uint8_t task_id[32],
			   char *err, size_t err_len)
{
	int ret = open_db(out, path, SQLITE_OPEN_READONLY, err, err_len);
	if (ret == 0)
		ret = exec(*out, "PRAGMA busy_timeout=5000", err, err_len);
	if (ret == 0)
		ret = check_readonly(*out, task_id, err, err_len);
	return hand_over(out, ret);
}

void sg_store_close(sg_store *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->n_kept; i++)
		sqlite3_finalize(s->kept[i].st);
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
	if (store_prepare(s, &st,
			  "SELECT report_id = ?1, digest, receipt FROM reports "
			  "WHERE report_id = ?1 OR enterprise_id = ?2 ORDER BY 1 DESC LIMIT 1") != 0)
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
	store_done(s, st);
	return ret;
}

static int insert(sg_store *s, const uint8_t *report_id, const char *enterprise_id,
		  uint32_t industry, uint64_t received_at, const uint8_t *digest,
		  const uint8_t *report, size_t report_len, const uint8_t *kept, size_t kept_len,
		  const uint8_t *receipt, size_t receipt_len)
{
	sqlite3_stmt *st = NULL;
	int ret = SG_ERR_IO;
	if (report_len > INT32_MAX || receipt_len > INT32_MAX || kept_len > INT32_MAX ||
	    store_prepare(s, &st,
			  "INSERT INTO reports (report_id, enterprise_id, industry, received_at, "
			  "digest, report, receipt, kept) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)") != 0)
		goto cleanup;
	sqlite3_bind_blob(st, 1, report_id, SG_STORE_REPORT_ID_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, enterprise_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, industry);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)received_at);
	sqlite3_bind_blob(st, 5, digest, SG_STORE_DIGEST_BYTES, SQLITE_STATIC);
	sqlite3_bind_blob(st, 6, report, (int)report_len, SQLITE_STATIC);
	sqlite3_bind_blob(st, 7, receipt, (int)receipt_len, SQLITE_STATIC);
	if (kept != NULL)
		sqlite3_bind_blob(st, 8, kept, (int)kept_len, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto cleanup;
	store_done(s, st);
	st = NULL;
	if (store_prepare(s, &st,
			  "INSERT INTO waiting (seq, report_id) VALUES (last_insert_rowid(), ?1)") != 0)
		goto cleanup;
	sqlite3_bind_blob(st, 1, report_id, SG_STORE_REPORT_ID_BYTES, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_DONE)
		ret = 0;
cleanup:
	store_done(s, st);
	return ret;
}

int sg_store_put_reports(sg_store *s, sg_store_new_report *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		r[i].stored_receipt = NULL;
		r[i].stored_len = 0;
	}
	/* IMMEDIATE: the lookups and the inserts see one state of the table */
	int ret = sg_store_begin(s);
	for (size_t i = 0; ret == 0 && i < n; i++) {
		sg_store_new_report *x = &r[i];
		ret = lookup(s, &x->outcome, &x->stored_receipt, &x->stored_len, x->report_id,
			     x->enterprise_id, x->digest);
		if (ret == 0 && x->outcome == SG_STORE_NEW)
			ret = insert(s, x->report_id, x->enterprise_id, x->industry, x->received_at,
				     x->digest, x->report, x->report_len, x->kept, x->kept_len,
				     x->receipt, x->receipt_len);
	}
	ret = sg_store_end(s, ret);
	for (size_t i = 0; ret != 0 && i < n; i++) {
		free(r[i].stored_receipt);
		r[i].stored_receipt = NULL;
		r[i].stored_len = 0;
	}
	return ret;
}

int sg_store_report_seen(sg_store *s, enum sg_store_put *outcome, uint8_t **receipt,
			 size_t *receipt_len, const uint8_t report_id[SG_STORE_REPORT_ID_BYTES],
			 const char *enterprise_id, const uint8_t digest[SG_STORE_DIGEST_BYTES])
{
	*receipt = NULL;
	*receipt_len = 0;
	return lookup(s, outcome, receipt, receipt_len, report_id, enterprise_id, digest);
}

int sg_store_count_reports(sg_store *s, uint64_t *all, int64_t industry, uint64_t *in_industry)
{
	sqlite3_stmt *st = NULL;
	int ret = SG_ERR_IO;
	if (store_prepare(s, &st,
			  "SELECT count(*), count(CASE WHEN industry = ?1 THEN 1 END) FROM reports") ==
	    0) {
		sqlite3_bind_int64(st, 1, industry);
		if (sqlite3_step(st) == SQLITE_ROW) {
			*all = (uint64_t)sqlite3_column_int64(st, 0);
			*in_industry = (uint64_t)sqlite3_column_int64(st, 1);
			ret = 0;
		}
	}
	store_done(s, st);
	return ret;
}

/* --- shared statement helpers ------------------------------------------- */

int store_prepare(sg_store *s, sqlite3_stmt **st, const char *sql)
{
	*st = NULL;
	for (size_t i = 0; i < s->n_kept; i++) {
		if (s->kept[i].sql == sql) {
			*st = s->kept[i].st;
			sqlite3_clear_bindings(*st);
			return 0;
		}
	}
	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL) != SQLITE_OK) {
		sqlite3_finalize(*st);
		*st = NULL;
		return SG_ERR_IO;
	}
	if (s->n_kept < STORE_STATEMENTS) {
		s->kept[s->n_kept].sql = sql;
		s->kept[s->n_kept++].st = *st;
	}
	return 0;
}

void store_done(sg_store *s, sqlite3_stmt *st)
{
	for (size_t i = 0; st != NULL && i < s->n_kept; i++) {
		if (s->kept[i].st == st) {
			sqlite3_reset(st);
			return;
		}
	}
	sqlite3_finalize(st);
}

/* Runs a statement that returns no rows, then gives it back. */
int store_step_done(sg_store *s, sqlite3_stmt *st)
{
	int ret = sqlite3_step(st) == SQLITE_DONE ? 0 : SG_ERR_IO;
	store_done(s, st);
	return ret;
}

/* Copies column col (a blob; NULL gives *out NULL) into a malloc'd buffer. */
int store_column_copy(sqlite3_stmt *st, int col, uint8_t **out, size_t *len)
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
static int collect_ids(sg_store *s, sqlite3_stmt *st, size_t width, uint8_t **ids, size_t *n)
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
	store_done(s, st);
	if (ret != 0) {
		free(*ids);
		*ids = NULL;
		*n = 0;
	}
	return ret;
}

int store_bind_len(size_t len)
{
	return len > INT32_MAX ? -1 : (int)len;
}

/* Binds ?1 to a blob key, or to int_key when key is NULL. */
void store_bind_key(sqlite3_stmt *st, const uint8_t *key, size_t key_len, int64_t int_key)
{
	if (key != NULL)
		sqlite3_bind_blob(st, 1, key, (int)key_len, SQLITE_STATIC);
	else
		sqlite3_bind_int64(st, 1, int_key);
}

/* The ids a keyed query lists (see collect_ids). */
int store_list_ids(sg_store *s, const char *sql, const uint8_t *key, size_t key_len,
		    int64_t int_key, size_t width, uint8_t **ids, size_t *n)
{
	sqlite3_stmt *st = NULL;
	*ids = NULL;
	*n = 0;
	if (store_prepare(s, &st, sql) != 0)
		return SG_ERR_IO;
	store_bind_key(st, key, key_len, int_key);
	return collect_ids(s, st, width, ids, n);
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
	if (ret != 0 || store_prepare(s, &st, "SELECT value FROM meta WHERE key = ?1") != 0)
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
	store_done(s, st);
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
		ret = store_bind_len(len) < 0 ||
			      store_prepare(s, &st, "INSERT INTO meta (key, value) VALUES (?1, ?2)") != 0
			      ? SG_ERR_IO
			      : 0;
		if (ret == 0) {
			sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
			sqlite3_bind_blob(st, 2, value, store_bind_len(len), SQLITE_STATIC);
			ret = store_step_done(s, st);
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

int sg_store_log_head_put(sg_store *s, uint64_t size, const uint8_t root[32])
{
	char name[32];
	snprintf(name, sizeof name, "%llu", (unsigned long long)size);
	return named_put(s, "loghead", name, root, 32);
}

int sg_store_log_heads(sg_store *s, uint64_t **sizes, uint8_t (**roots)[32], size_t *n)
{
	sqlite3_stmt *st = NULL;
	int rc, ret = 0;
	size_t cap = 0;
	*sizes = NULL;
	*roots = NULL;
	*n = 0;
	if (store_prepare(s, &st, "SELECT key, value FROM meta WHERE key LIKE 'loghead:%'") != 0)
		return SG_ERR_IO;
	while (ret == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *key = (const char *)sqlite3_column_text(st, 0);
		if (sqlite3_column_bytes(st, 1) != 32 || key == NULL) {
			ret = SG_ERR_STATE;
			break;
		}
		if (*n == cap) {
			cap = cap ? 2 * cap : 4;
			uint64_t *ms = realloc(*sizes, cap * sizeof *ms);
			uint8_t (*mr)[32] = realloc(*roots, cap * sizeof *mr);
			if (ms != NULL)
				*sizes = ms;
			if (mr != NULL)
				*roots = mr;
			if (ms == NULL || mr == NULL) {
				ret = SG_ERR_NOMEM;
				break;
			}
		}
		(*sizes)[*n] = strtoull(key + strlen("loghead:"), NULL, 10);
		memcpy((*roots)[*n], sqlite3_column_blob(st, 1), 32);
		(*n)++;
	}
	if (ret == 0 && rc != SQLITE_DONE)
		ret = SG_ERR_IO;
	store_done(s, st);
	if (ret != 0) {
		free(*sizes);
		free(*roots);
		*sizes = NULL;
		*roots = NULL;
		*n = 0;
	}
	return ret;
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
