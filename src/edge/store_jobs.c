/* SPDX-License-Identifier: Apache-2.0 */
/* The store's aggregation and collection tables (edge/store.h): waiting
 * uploads, jobs and their replies, per-report outcomes, aggregate shares,
 * collected industries, counts. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "edge/store.h"
#include "edge/store_internal.h"
#include "spillguard/err.h"

/* --- aggregation ---------------------------------------------------------- */

int sg_store_uploads_waiting(sg_store *s, size_t max, size_t *n)
{
	sqlite3_stmt *st = NULL;
	int ret = SG_ERR_IO;
	*n = 0;
	if (store_prepare(s, &st, "SELECT count(*) FROM (SELECT 1 FROM waiting w WHERE NOT EXISTS "
			    "(SELECT 1 FROM preps p WHERE p.report_id = w.report_id) LIMIT ?1)") != 0)
		return ret;
	sqlite3_bind_int64(st, 1, max > INT64_MAX ? INT64_MAX : (sqlite3_int64)max);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*n = (size_t)sqlite3_column_int64(st, 0);
		ret = 0;
	}
	store_done(s, st);
	return ret;
}

int sg_store_next_uploads(sg_store *s, size_t max, size_t *n,
			  int (*fn)(void *ctx, const sg_store_upload *u), void *ctx)
{
	sqlite3_stmt *st = NULL;
	int ret = SG_ERR_IO, rc;
	*n = 0;
	if (store_prepare(s, &st, "SELECT r.report_id, r.enterprise_id, r.industry, r.report "
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
	store_done(s, st);
	return ret;
}

int sg_store_uploads_taken(sg_store *s, const uint8_t job_id[16])
{
	sqlite3_stmt *st = NULL;
	if (store_prepare(s, &st, "DELETE FROM waiting WHERE report_id IN "
			    "(SELECT report_id FROM preps WHERE job_id = ?1)") != 0)
		return SG_ERR_IO;
	sqlite3_bind_blob(st, 1, job_id, 16, SQLITE_STATIC);
	return store_step_done(s, st);
}

int sg_store_prep_put(sg_store *s, enum sg_store_put *outcome,
		      const uint8_t report_id[SG_STORE_REPORT_ID_BYTES], const char *enterprise_id,
		      uint32_t industry, const uint8_t job_id[16])
{
	sqlite3_stmt *st = NULL;
	int ret = SG_ERR_IO, rc;
	*outcome = SG_STORE_NEW;
	if (store_prepare(s, &st, "SELECT report_id = ?1, job_id = ?3 FROM preps "
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
	store_done(s, st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return SG_ERR_IO;
	if (*outcome != SG_STORE_NEW)
		return 0;
	if (store_prepare(s, &st, "INSERT INTO preps (report_id, enterprise_id, industry, job_id) "
			    "VALUES (?1, ?2, ?3, ?4)") != 0)
		return ret;
	sqlite3_bind_blob(st, 1, report_id, SG_STORE_REPORT_ID_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, enterprise_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, industry);
	sqlite3_bind_blob(st, 4, job_id, 16, SQLITE_STATIC);
	return store_step_done(s, st);
}

int sg_store_prep_settle(sg_store *s, const uint8_t report_id[SG_STORE_REPORT_ID_BYTES],
			 enum sg_prep_state state, int refusal)
{
	sqlite3_stmt *st = NULL;
	if (state == SG_PREP_PENDING || (state == SG_PREP_ACCEPTED) != (refusal == 0))
		return SG_ERR_PARAM;
	if (store_prepare(s, &st, "UPDATE preps SET state = ?2, refusal = ?3 "
			    "WHERE report_id = ?1 AND state = 0") != 0)
		return SG_ERR_IO;
	sqlite3_bind_blob(st, 1, report_id, SG_STORE_REPORT_ID_BYTES, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, (int)state);
	sqlite3_bind_int(st, 3, refusal);
	int ret = store_step_done(s, st);
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
	if (store_prepare(s, &st, sql) != 0)
		return ret;
	store_bind_key(st, key, key_len, int_key);
	if (sqlite3_bind_parameter_count(st) >= 2)
		sqlite3_bind_int64(st, 2, arg2);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*found = true;
		*num = sqlite3_column_int64(st, 0);
		ret = store_column_copy(st, 1, blob, len);
	} else if (rc == SQLITE_DONE) {
		ret = 0;
	}
	store_done(s, st);
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
	if (store_bind_len(reply_len) < 0 ||
	    store_prepare(s, &st, "INSERT INTO jobs (job_id, step) VALUES (?1, ?2) "
			    "ON CONFLICT (job_id) DO UPDATE SET step = ?2") != 0)
		return SG_ERR_IO;
	sqlite3_bind_blob(st, 1, job_id, 16, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, step);
	int ret = store_step_done(s, st);
	if (ret != 0 || reply == NULL)
		return ret;
	if (store_prepare(s, &st, "INSERT OR REPLACE INTO job_replies (job_id, step, reply) "
			    "VALUES (?1, ?2, ?3)") != 0)
		return SG_ERR_IO;
	sqlite3_bind_blob(st, 1, job_id, 16, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, step);
	sqlite3_bind_blob(st, 3, reply, store_bind_len(reply_len), SQLITE_STATIC);
	return store_step_done(s, st);
}

int sg_store_jobs_open(sg_store *s, int below, uint8_t **ids, size_t *n)
{
	return store_list_ids(s, "SELECT job_id FROM jobs WHERE step < ?1 ORDER BY seq", NULL, 0, below,
			16, ids, n);
}

int sg_store_job_reports(sg_store *s, const uint8_t job_id[16], uint8_t **ids, size_t *n)
{
	return store_list_ids(s, "SELECT report_id FROM preps WHERE job_id = ?1 ORDER BY seq", job_id, 16,
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
	if (store_prepare(s, &st, sql) != 0)
		return ret;
	store_bind_key(st, key, key_len, int_key);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		ret = store_column_copy(st, 0, out, len);
	else if (rc == SQLITE_DONE)
		ret = SG_ERR_STATE;
	store_done(s, st);
	return ret;
}

int sg_store_upload_get(sg_store *s, const uint8_t report_id[SG_STORE_REPORT_ID_BYTES],
			uint8_t **report, size_t *len, uint8_t **kept, size_t *kept_len)
{
	sqlite3_stmt *st = NULL;
	int ret = SG_ERR_IO, rc;
	*report = *kept = NULL;
	*len = *kept_len = 0;
	if (store_prepare(s, &st, "SELECT report, kept FROM reports WHERE report_id = ?1") != 0)
		return ret;
	store_bind_key(st, report_id, SG_STORE_REPORT_ID_BYTES, 0);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		ret = store_column_copy(st, 0, report, len);
	else if (rc == SQLITE_DONE)
		ret = SG_ERR_STATE;
	if (ret == 0 && rc == SQLITE_ROW)
		ret = store_column_copy(st, 1, kept, kept_len);
	if (ret != 0) {
		free(*report);
		*report = NULL;
		*len = 0;
	}
	store_done(s, st);
	return ret;
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
	if (store_bind_len(share_len) < 0 || count > INT64_MAX ||
	    store_prepare(s, &st, "INSERT INTO aggregates (industry, count, share) VALUES (?1, ?2, ?3) "
			    "ON CONFLICT (industry) DO UPDATE SET count = ?2, share = ?3") != 0)
		return SG_ERR_IO;
	sqlite3_bind_int64(st, 1, industry);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)count);
	sqlite3_bind_blob(st, 3, share, store_bind_len(share_len), SQLITE_STATIC);
	return store_step_done(s, st);
}

int sg_store_accepted_ids(sg_store *s, uint32_t industry, uint8_t **ids, size_t *n)
{
	return store_list_ids(s, "SELECT report_id FROM preps WHERE industry = ?1 AND state = 1", NULL, 0,
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
	if (store_bind_len(released_len) < 0 ||
	    store_prepare(s, &st, "INSERT OR IGNORE INTO collected (industry, released) "
			    "VALUES (?1, ?2)") != 0)
		return SG_ERR_IO;
	sqlite3_bind_int64(st, 1, industry);
	sqlite3_bind_blob(st, 2, released, store_bind_len(released_len), SQLITE_STATIC);
	int ret = store_step_done(s, st);
	if (ret == 0 && sqlite3_changes(s->db) != 1)
		ret = SG_ERR_STATE;
	return ret;
}

int sg_store_counts_get(sg_store *s, int below, sg_store_counts *c)
{
	sqlite3_stmt *st = NULL;
	int ret = SG_ERR_IO;
	memset(c, 0, sizeof *c);
	if (store_prepare(s, &st,
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
	store_done(s, st);
	return ret;
}

int sg_store_refusals(sg_store *s, uint64_t *counts, size_t n)
{
	sqlite3_stmt *st = NULL;
	int rc;
	memset(counts, 0, n * sizeof *counts);
	if (store_prepare(s, &st, "SELECT refusal, count(*) FROM preps WHERE state = 2 GROUP BY refusal") !=
	    0)
		return SG_ERR_IO;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		sqlite3_int64 code = sqlite3_column_int64(st, 0);
		if (code >= 0 && (uint64_t)code < n)
			counts[code] = (uint64_t)sqlite3_column_int64(st, 1);
	}
	store_done(s, st);
	return rc == SQLITE_DONE ? 0 : SG_ERR_IO;
}

int sg_store_job_request_put(sg_store *s, const uint8_t job_id[16], uint64_t at,
			     const uint8_t *request, size_t request_len)
{
	sqlite3_stmt *st = NULL;
	if (store_bind_len(request_len) < 0 || at > INT64_MAX ||
	    store_prepare(s, &st, "UPDATE jobs SET at = ?2, request = ?3 WHERE job_id = ?1") != 0)
		return SG_ERR_IO;
	sqlite3_bind_blob(st, 1, job_id, 16, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)at);
	sqlite3_bind_blob(st, 3, request, store_bind_len(request_len), SQLITE_STATIC);
	int ret = store_step_done(s, st);
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
	if (store_prepare(s, &st, sql) != 0)
		return SG_ERR_IO;
	sqlite3_bind_blob(st, 1, job_id, 16, SQLITE_STATIC);
	if (blob != NULL)
		sqlite3_bind_blob(st, 2, blob, SG_STORE_REPORT_ID_BYTES, SQLITE_STATIC);
	else
		sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	*found = rc == SQLITE_ROW;
	store_done(s, st);
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

