/* SPDX-License-Identifier: Apache-2.0 */
#define _DEFAULT_SOURCE /* mkdtemp */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
	uint8_t id[16] = { id_byte }, digest[32] = { digest_byte };
	sg_store_new_report x = { id, ent, 1, 1500, digest, (const uint8_t *)"report", 6, NULL, 0,
				  (const uint8_t *)receipt, strlen(receipt), SG_STORE_NEW, NULL, 0 };
	cr_assert_eq(sg_store_put_reports(s, &x, 1), 0);
	if (got != NULL) {
		cr_assert_lt(x.stored_len, got_len);
		if (x.stored_len > 0)
			memcpy(got, x.stored_receipt, x.stored_len);
		got[x.stored_len] = '\0';
	}
	free(x.stored_receipt);
	return x.outcome;
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

static sg_store *open_store(const char *name)
{
	char path[128], err[256];
	sg_store *s;
	snprintf(path, sizeof path, "%s/%s", dir, name);
	cr_assert_eq(sg_store_open(&s, path, task_a, err, sizeof err), 0, "%s", err);
	return s;
}

static enum sg_store_put prep(sg_store *s, uint8_t id_byte, const char *ent, uint8_t job_byte)
{
	uint8_t id[16] = { id_byte }, job[16] = { job_byte };
	enum sg_store_put o;
	cr_assert_eq(sg_store_prep_put(s, &o, id, ent, 1, job), 0);
	return o;
}

Test(store, preps_are_new_same_replayed_or_duplicate, .init = make_dir, .fini = remove_dir)
{
	sg_store *s = open_store("helper.db");
	cr_assert_eq(prep(s, 1, "ent-1", 0x10), SG_STORE_NEW);
	cr_assert_eq(prep(s, 1, "ent-1", 0x10), SG_STORE_SAME);     /* retried job */
	cr_assert_eq(prep(s, 1, "ent-1", 0x11), SG_STORE_REPLAYED); /* in another job */
	cr_assert_eq(prep(s, 1, "ent-9", 0x11), SG_STORE_REPLAYED);
	cr_assert_eq(prep(s, 2, "ent-1", 0x10), SG_STORE_DUPLICATE); /* second report */
	cr_assert_eq(prep(s, 2, "ent-2", 0x10), SG_STORE_NEW);

	uint8_t id1[16] = { 1 }, id2[16] = { 2 }, id3[16] = { 3 }, job[16] = { 0x10 }, *ids;
	size_t n;
	cr_assert_eq(sg_store_job_reports(s, job, &ids, &n), 0);
	cr_assert_eq(n, 2);
	cr_assert_arr_eq(ids, id1, 16);
	cr_assert_arr_eq(ids + 16, id2, 16);
	free(ids);

	/* settling: once, and only with a consistent refusal code */
	cr_assert_eq(sg_store_prep_settle(s, id1, SG_PREP_ACCEPTED, 3), SG_ERR_PARAM);
	cr_assert_eq(sg_store_prep_settle(s, id1, SG_PREP_REFUSED, 0), SG_ERR_PARAM);
	cr_assert_eq(sg_store_prep_settle(s, id1, SG_PREP_ACCEPTED, 0), 0);
	cr_assert_eq(sg_store_prep_settle(s, id1, SG_PREP_REFUSED, 4), SG_ERR_STATE);
	cr_assert_eq(sg_store_prep_settle(s, id3, SG_PREP_ACCEPTED, 0), SG_ERR_STATE);
	cr_assert_eq(sg_store_prep_settle(s, id2, SG_PREP_REFUSED, 4), 0);

	cr_assert_eq(sg_store_accepted_ids(s, 1, &ids, &n), 0);
	cr_assert_eq(n, 1);
	cr_assert_arr_eq(ids, id1, 16);
	free(ids);
	cr_assert_eq(sg_store_accepted_ids(s, 2, &ids, &n), 0);
	cr_assert_eq(n, 0);
	cr_assert_null(ids);

	sg_store_counts c;
	cr_assert_eq(sg_store_counts_get(s, 2, &c), 0);
	cr_assert_eq(c.pending, 0);
	cr_assert_eq(c.accepted, 1);
	cr_assert_eq(c.refused, 1);
	/* by code: only the refused one, under its code; codes past n unseen */
	uint64_t why[6] = { 9, 9, 9, 9, 9, 9 };
	cr_assert_eq(sg_store_refusals(s, why, 6), 0);
	for (size_t code = 0; code < 6; code++)
		cr_assert_eq(why[code], code == 4 ? 1 : 0, "code %zu", code);
	cr_assert_eq(sg_store_refusals(s, why, 4), 0);
	for (size_t code = 0; code < 4; code++)
		cr_assert_eq(why[code], 0);
	sg_store_close(s);
}

static int count_upload(void *ctx, const sg_store_upload *u)
{
	char *seen = ctx;
	cr_assert_eq(u->len, 6);
	cr_assert_eq(u->industry, 1);
	cr_assert_eq(u->enterprise_id[0], 'e');
	cr_assert_eq(u->report_id[0], u->enterprise_id[1] - '0');
	strncat(seen, (const char *)u->report + 5, 1); /* "reporN": N */
	return 0;
}

static void put_upload(sg_store *s, uint8_t id_byte, const char *ent, uint64_t at, char tag)
{
	uint8_t id[16] = { id_byte }, digest[32] = { id_byte };
	char body[7] = { 'r', 'e', 'p', 'o', 'r', tag, 0 }, kept[3] = { 'k', tag, 0 };
	sg_store_new_report x = { id, ent, 1, at, digest, (const uint8_t *)body, 6,
				  (const uint8_t *)kept, 2, (const uint8_t *)"rc", 2, SG_STORE_NEW,
				  NULL, 0 };
	cr_assert_eq(sg_store_put_reports(s, &x, 1), 0);
	cr_assert_eq(x.outcome, SG_STORE_NEW);
	cr_assert_null(x.stored_receipt);
}

Test(store, leader_takes_waiting_uploads_oldest_first, .init = make_dir, .fini = remove_dir)
{
	sg_store *s = open_store("leader.db");
	put_upload(s, 1, "e1", 300, 'c');
	put_upload(s, 2, "e2", 100, 'a');
	put_upload(s, 3, "e3", 200, 'b');
	char seen[8] = "";
	size_t n;
	cr_assert_eq(sg_store_next_uploads(s, 2, &n, count_upload, seen), 0);
	cr_assert_eq(n, 2);
	cr_assert_str_eq(seen, "ab");
	/* once in a job, an upload is no longer waiting */
	cr_assert_eq(prep(s, 2, "e2", 0x20), SG_STORE_NEW);
	seen[0] = '\0';
	cr_assert_eq(sg_store_next_uploads(s, 10, &n, count_upload, seen), 0);
	cr_assert_str_eq(seen, "bc");

	uint8_t id2[16] = { 2 }, id9[16] = { 9 }, *r, *k;
	size_t rl, kl;
	cr_assert_eq(sg_store_upload_get(s, id2, &r, &rl, &k, &kl), 0);
	cr_assert_eq(rl, 6);
	cr_assert_arr_eq(r, "repora", 6);
	cr_assert_eq(kl, 2);
	cr_assert_arr_eq(k, "ka", 2);
	free(r);
	free(k);
	cr_assert_eq(sg_store_upload_get(s, id9, &r, &rl, &k, &kl), SG_ERR_STATE);
	cr_assert_null(r);
	cr_assert_null(k);

	sg_store_counts c;
	cr_assert_eq(sg_store_counts_get(s, 2, &c), 0);
	cr_assert_eq(c.uploads, 3);
	cr_assert_eq(c.waiting, 2);
	cr_assert_eq(c.pending, 1);
	sg_store_close(s);
}

Test(store, jobs_keep_their_step_and_each_steps_reply, .init = make_dir, .fini = remove_dir)
{
	sg_store *s = open_store("jobs.db");
	uint8_t a[16] = { 0xa }, b[16] = { 0xb }, *reply, *ids;
	size_t len, n;
	bool found;
	int step;
	cr_assert_eq(sg_store_job_get(s, a, 1, &found, &step, &reply, &len), 0);
	cr_assert_not(found);
	cr_assert_eq(sg_store_job_put(s, b, 1, NULL, 0), 0);
	cr_assert_eq(sg_store_job_put(s, a, 1, (const uint8_t *)"init-reply", 10), 0);
	cr_assert_eq(sg_store_job_get(s, a, 1, &found, &step, &reply, &len), 0);
	cr_assert(found);
	cr_assert_eq(step, 1);
	cr_assert_eq(len, 10);
	cr_assert_arr_eq(reply, "init-reply", 10);
	free(reply);
	cr_assert_eq(sg_store_job_get(s, b, 1, &found, &step, &reply, &len), 0);
	cr_assert(found);
	cr_assert_null(reply);
	/* a later step keeps the earlier step's reply */
	cr_assert_eq(sg_store_job_put(s, a, 2, (const uint8_t *)"cont", 4), 0);
	cr_assert_eq(sg_store_job_get(s, a, 1, &found, &step, &reply, &len), 0);
	cr_assert_eq(step, 2);
	cr_assert_arr_eq(reply, "init-reply", 10);
	free(reply);
	cr_assert_eq(sg_store_job_get(s, a, 2, &found, &step, &reply, &len), 0);
	cr_assert_eq(len, 4);
	cr_assert_arr_eq(reply, "cont", 4);
	free(reply);
	/* open jobs: below step 3, in the order they were created */
	cr_assert_eq(sg_store_jobs_open(s, 3, &ids, &n), 0);
	cr_assert_eq(n, 2);
	cr_assert_arr_eq(ids, b, 16);
	cr_assert_arr_eq(ids + 16, a, 16);
	free(ids);
	cr_assert_eq(sg_store_job_put(s, a, 3, NULL, 0), 0);
	cr_assert_eq(sg_store_jobs_open(s, 3, &ids, &n), 0);
	cr_assert_eq(n, 1);
	cr_assert_arr_eq(ids, b, 16);
	free(ids);
	sg_store_counts c;
	cr_assert_eq(sg_store_counts_get(s, 3, &c), 0);
	cr_assert_eq(c.jobs, 2);
	cr_assert_eq(c.jobs_open, 1);
	sg_store_close(s);
}

Test(store, a_rolled_back_step_counts_nothing, .init = make_dir, .fini = remove_dir)
{
	sg_store *s = open_store("agg.db");
	uint8_t id[16] = { 1 }, *share;
	size_t len;
	uint64_t count;
	cr_assert_eq(sg_store_agg_get(s, 7, &count, &share, &len), 0);
	cr_assert_eq(count, 0);
	cr_assert_null(share);
	cr_assert_eq(prep(s, 1, "e1", 0x30), SG_STORE_NEW);

	/* a step that fails half way leaves no trace */
	cr_assert_eq(sg_store_begin(s), 0);
	cr_assert_eq(sg_store_prep_settle(s, id, SG_PREP_ACCEPTED, 0), 0);
	cr_assert_eq(sg_store_agg_put(s, 7, 1, (const uint8_t *)"AAAA", 4), 0);
	sg_store_rollback(s);
	cr_assert_eq(sg_store_agg_get(s, 7, &count, &share, &len), 0);
	cr_assert_eq(count, 0);
	cr_assert_null(share);

	cr_assert_eq(sg_store_begin(s), 0);
	cr_assert_eq(sg_store_prep_settle(s, id, SG_PREP_ACCEPTED, 0), 0);
	cr_assert_eq(sg_store_agg_put(s, 7, 1, (const uint8_t *)"BBBB", 4), 0);
	cr_assert_eq(sg_store_commit(s), 0);
	sg_store_close(s);

	s = open_store("agg.db");
	cr_assert_eq(sg_store_agg_get(s, 7, &count, &share, &len), 0);
	cr_assert_eq(count, 1);
	cr_assert_eq(len, 4);
	cr_assert_arr_eq(share, "BBBB", 4);
	free(share);
	/* settled for good: it cannot be counted again */
	cr_assert_eq(sg_store_prep_settle(s, id, SG_PREP_ACCEPTED, 0), SG_ERR_STATE);
	sg_store_close(s);
}

Test(store, an_industry_is_collected_once, .init = make_dir, .fini = remove_dir)
{
	sg_store *s = open_store("c.db");
	bool collected;
	uint8_t *r;
	size_t len;
	cr_assert_eq(sg_store_collected_get(s, 2, &collected, &r, &len), 0);
	cr_assert_not(collected);
	cr_assert_null(r);
	cr_assert_eq(sg_store_collected_put(s, 2, (const uint8_t *)"share-1", 7), 0);
	cr_assert_eq(sg_store_collected_put(s, 2, (const uint8_t *)"share-2", 7), SG_ERR_STATE);
	sg_store_close(s);
	s = open_store("c.db");
	cr_assert_eq(sg_store_collected_get(s, 2, &collected, &r, &len), 0);
	cr_assert(collected);
	cr_assert_arr_eq(r, "share-1", 7);
	free(r);
	sg_store_counts c;
	cr_assert_eq(sg_store_counts_get(s, 0, &c), 0);
	cr_assert_eq(c.collected, 1);
	sg_store_close(s);
}

static void set_schema(const char *name, int version)
{
	char path[128], sql[96];
	sqlite3 *db;
	snprintf(path, sizeof path, "%s/%s", dir, name);
	snprintf(sql, sizeof sql, "UPDATE meta SET value = %d WHERE key = 'schema'", version);
	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static int count_rows(const char *name, const char *table)
{
	char path[128], sql[96];
	sqlite3 *db;
	sqlite3_stmt *st;
	snprintf(path, sizeof path, "%s/%s", dir, name);
	snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	int n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

Test(store, the_waiting_list_shrinks_and_is_rebuilt_for_an_older_store, .init = make_dir,
     .fini = remove_dir)
{
	sg_store *s = open_store("w.db");
	uint8_t job[16] = { 0x30 };
	char seen[8] = "";
	size_t n;
	put_upload(s, 1, "e1", 100, 'a');
	put_upload(s, 2, "e2", 200, 'b');
	put_upload(s, 3, "e3", 300, 'c');
	cr_assert_eq(prep(s, 1, "e1", 0x30), SG_STORE_NEW);
	cr_assert_eq(sg_store_uploads_taken(s, job), 0);
	sg_store_close(s);
	cr_assert_eq(count_rows("w.db", "waiting"), 2, "taken uploads leave the list");
	/* a store of schema 2 had no list: opening it builds one */
	char path[128];
	sqlite3 *db;
	snprintf(path, sizeof path, "%s/w.db", dir);
	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, "DELETE FROM waiting", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	set_schema("w.db", 2);
	s = open_store("w.db");
	cr_assert_eq(sg_store_next_uploads(s, 10, &n, count_upload, seen), 0);
	cr_assert_str_eq(seen, "bc");
	sg_store_close(s);
	cr_assert_eq(count_rows("w.db", "waiting"), 2);
}

/* A store of schema 3 kept no preparations: its uploads read back with none
 * (aggregation prepares them from the whole report), new ones keep theirs. */
Test(store, an_older_stores_uploads_have_nothing_kept, .init = make_dir, .fini = remove_dir)
{
	sg_store *s = open_store("k.db");
	uint8_t id[16] = { 4 }, digest[32] = { 4 }, *r, *k;
	size_t rl, kl;
	sg_store_close(s);
	char path[128];
	sqlite3 *db;
	snprintf(path, sizeof path, "%s/k.db", dir);
	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, "ALTER TABLE reports DROP COLUMN kept", NULL, NULL, NULL),
		     SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, "INSERT INTO reports (report_id, enterprise_id, industry, "
				      "received_at, digest, report, receipt) VALUES "
				      "(x'04000000000000000000000000000000', 'e4', 1, 9, x'00', "
				      "'whole', 'rc')", NULL, NULL, NULL),
		     SQLITE_OK);
	sqlite3_close(db);
	set_schema("k.db", 3);
	s = open_store("k.db");
	cr_assert_eq(sg_store_upload_get(s, id, &r, &rl, &k, &kl), 0);
	cr_assert_arr_eq(r, "whole", 5);
	cr_assert_null(k);
	cr_assert_eq(kl, 0);
	free(r);
	id[0] = 5;
	sg_store_new_report x = { id, "e5", 1, 10, digest, (const uint8_t *)"part", 4,
				  (const uint8_t *)"kept", 4, (const uint8_t *)"rc", 2, SG_STORE_NEW,
				  NULL, 0 };
	cr_assert_eq(sg_store_put_reports(s, &x, 1), 0);
	cr_assert_eq(x.outcome, SG_STORE_NEW);
	cr_assert_eq(sg_store_upload_get(s, id, &r, &rl, &k, &kl), 0);
	cr_assert_arr_eq(k, "kept", 4);
	free(r);
	free(k);
	sg_store_close(s);
	/* a migration cut short after adding the column opens again */
	set_schema("k.db", 3);
	s = open_store("k.db");
	sg_store_close(s);
}

/* Uploads stored together are decided one after the other, each against
 * the ones before it; a batch that fails stores none of them. */
Test(store, uploads_stored_together_are_decided_in_turn, .init = make_dir, .fini = remove_dir)
{
	sg_store *s = open_store("b.db");
	uint8_t a[16] = { 1 }, c[16] = { 3 }, da[32] = { 0xa }, db[32] = { 0xb }, dc[32] = { 0xc };
	const uint8_t *rep = (const uint8_t *)"report";
	sg_store_new_report x[4] = {
		{ a, "e1", 1, 10, da, rep, 6, NULL, 0, (const uint8_t *)"rc-a", 4, SG_STORE_NEW, NULL, 0 },
		/* the same report again: the first one's receipt */
		{ a, "e1", 1, 11, da, rep, 6, NULL, 0, (const uint8_t *)"rc-a2", 5, SG_STORE_NEW, NULL, 0 },
		/* its id with other contents, then another report of its enterprise */
		{ a, "e2", 1, 12, db, rep, 6, NULL, 0, (const uint8_t *)"rc-b", 4, SG_STORE_NEW, NULL, 0 },
		{ c, "e1", 1, 13, dc, rep, 6, NULL, 0, (const uint8_t *)"rc-c", 4, SG_STORE_NEW, NULL, 0 },
	};
	cr_assert_eq(sg_store_put_reports(s, x, 4), 0);
	cr_assert_eq(x[0].outcome, SG_STORE_NEW);
	cr_assert_null(x[0].stored_receipt);
	cr_assert_eq(x[1].outcome, SG_STORE_SAME);
	cr_assert_eq(x[1].stored_len, 4);
	cr_assert_arr_eq(x[1].stored_receipt, "rc-a", 4);
	cr_assert_eq(x[2].outcome, SG_STORE_REPLAYED);
	cr_assert_eq(x[3].outcome, SG_STORE_DUPLICATE);
	free(x[1].stored_receipt);
	uint64_t all, in1;
	cr_assert_eq(sg_store_count_reports(s, &all, 1, &in1), 0);
	cr_assert_eq(all, 1);
	/* the second of two cannot be written: neither is stored */
	uint8_t d[16] = { 4 }, e[16] = { 5 };
	sg_store_new_report y[2] = {
		{ d, "e4", 1, 20, dc, rep, 6, NULL, 0, (const uint8_t *)"rc", 2, SG_STORE_NEW, NULL, 0 },
		{ e, "e5", 1, 20, dc, rep, (size_t)INT32_MAX + 1, NULL, 0, (const uint8_t *)"rc", 2,
		  SG_STORE_NEW, NULL, 0 },
	};
	cr_assert_eq(sg_store_put_reports(s, y, 2), SG_ERR_IO);
	cr_assert_null(y[0].stored_receipt);
	cr_assert_eq(sg_store_count_reports(s, &all, 1, &in1), 0);
	cr_assert_eq(all, 1, "a failed batch stores nothing");
	sg_store_close(s);
}

Test(store, schema_versions, .init = make_dir, .fini = remove_dir)
{
	char path[128], err[256];
	sg_store *s = open_store("v.db");
	sg_store_close(s);
	/* an older store is brought up to date */
	set_schema("v.db", 1);
	s = open_store("v.db");
	sg_store_counts c;
	cr_assert_eq(sg_store_counts_get(s, 0, &c), 0);
	sg_store_close(s);
	/* a newer one is refused, untouched */
	set_schema("v.db", 99);
	snprintf(path, sizeof path, "%s/v.db", dir);
	cr_assert_eq(sg_store_open(&s, path, task_a, err, sizeof err), SG_ERR_STATE);
	cr_assert(strstr(err, "schema 99") != NULL, "%s", err);
	cr_assert_null(s);
}

Test(store, a_secret_is_kept_owner_only_and_never_replaced, .init = make_dir, .fini = remove_dir)
{
	char path[128];
	struct stat st;
	uint8_t key[32] = { 7 }, other[32] = { 8 }, got[32];
	bool found;
	sg_store *s = open_store("k.db");
	snprintf(path, sizeof path, "%s/k.db", dir);
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600, "mode %o", st.st_mode & 0777);
	cr_assert_eq(sg_store_secret_get(s, "verify_key", got, 32, &found), 0);
	cr_assert_not(found);
	cr_assert_eq(sg_store_secret_put(s, "verify_key", key, 32), 0);
	cr_assert_eq(sg_store_secret_put(s, "verify_key", key, 32), 0, "the same again is fine");
	cr_assert_eq(sg_store_secret_put(s, "verify_key", other, 32), SG_ERR_STATE);
	sg_store_close(s);
	s = open_store("k.db");
	cr_assert_eq(sg_store_secret_get(s, "verify_key", got, 32, &found), 0);
	cr_assert(found);
	cr_assert_arr_eq(got, key, 32);
	cr_assert_eq(sg_store_secret_get(s, "verify_key", got, 16, &found), SG_ERR_STATE);
	sg_store_close(s);
}

Test(store, a_mark_is_set_once_and_apart_from_secrets, .init = make_dir, .fini = remove_dir)
{
	uint64_t v = 1;
	bool found = true;
	uint8_t key[8] = { 1 };
	sg_store *s = open_store("m.db");
	cr_assert_eq(sg_store_mark_get(s, "collect", &v, &found), 0);
	cr_assert_not(found);
	cr_assert_eq(v, 0);
	cr_assert_eq(sg_store_mark_put(s, "collect", 0x0102030405060708u), 0);
	cr_assert_eq(sg_store_mark_put(s, "collect", 0x0102030405060708u), 0, "idempotent");
	cr_assert_eq(sg_store_mark_put(s, "collect", 9), SG_ERR_STATE);
	/* a secret of the same name is another value */
	cr_assert_eq(sg_store_secret_put(s, "collect", key, sizeof key), 0);
	sg_store_close(s);
	s = open_store("m.db");
	cr_assert_eq(sg_store_mark_get(s, "collect", &v, &found), 0);
	cr_assert(found);
	cr_assert_eq(v, 0x0102030405060708u);
	sg_store_close(s);
}

Test(store, read_only_opens_without_changing_anything, .init = make_dir, .fini = remove_dir)
{
	char path[128], err[256] = "";
	uint8_t other[32] = { 0x77 };
	sg_store *s = open_store("ro.db"), *r = NULL;
	put_upload(s, 1, "e1", 100, 'a');
	sg_store_close(s);
	snprintf(path, sizeof path, "%s/ro.db", dir);
	struct stat before, after;
	cr_assert_eq(stat(path, &before), 0);
	cr_assert_eq(sg_store_open_readonly(&r, path, task_a, err, sizeof err), 0, "%s", err);
	sg_store_counts c;
	cr_assert_eq(sg_store_counts_get(r, 2, &c), 0);
	cr_assert_eq(c.uploads, 1);
	cr_assert_eq(c.waiting, 1);
	cr_assert_eq(sg_store_mark_put(r, "collect", 5), SG_ERR_IO, "no writing");
	sg_store_close(r);
	cr_assert_eq(stat(path, &after), 0);
	cr_assert_eq(before.st_size, after.st_size);
	cr_assert_eq(before.st_mtime, after.st_mtime);
	/* another task's store, and no store at all (none is made) */
	cr_assert_eq(sg_store_open_readonly(&r, path, other, err, sizeof err), SG_ERR_STATE);
	cr_assert(strstr(err, "another task") != NULL, "%s", err);
	snprintf(path, sizeof path, "%s/none.db", dir);
	cr_assert_eq(sg_store_open_readonly(&r, path, task_a, err, sizeof err), SG_ERR_IO);
	cr_assert_null(r);
	cr_assert_neq(stat(path, &after), 0, "no file was made");
}

Test(store, one_log_root_per_size, .init = make_dir, .fini = remove_dir)
{
	sg_store *s = open_store("log.db");
	uint8_t a[32] = { 1 }, b[32] = { 2 }, (*roots)[32];
	uint64_t *sizes;
	size_t n;
	cr_assert_eq(sg_store_log_head_put(s, 4, a), 0);
	cr_assert_eq(sg_store_log_head_put(s, 4, a), 0, "the same head again");
	cr_assert_eq(sg_store_log_head_put(s, 4, b), SG_ERR_STATE, "another view of size 4");
	cr_assert_eq(sg_store_log_head_put(s, 7, b), 0);
	cr_assert_eq(sg_store_log_heads(s, &sizes, &roots, &n), 0);
	cr_assert_eq(n, 2);
	for (size_t i = 0; i < n; i++)
		cr_assert_arr_eq(roots[i], sizes[i] == 4 ? a : b, 32);
	free(sizes);
	free(roots);
	sg_store_close(s);
}

/* Statements are prepared once per connection and kept: a read done
 * through a kept statement ends with it, so the same connection sees what
 * another one (the leader's worker, say) wrote since, every time. */
Test(store, kept_statements_see_other_connections_writes, .init = make_dir, .fini = remove_dir)
{
	sg_store *a = open_store("two.db"), *b = open_store("two.db");
	uint64_t all, in1;
	for (uint8_t i = 1; i <= 3; i++) {
		char ent[8];
		snprintf(ent, sizeof ent, "e%u", i);
		cr_assert_eq(sg_store_count_reports(a, &all, 1, &in1), 0);
		cr_assert_eq(all, i - 1u);
		put_upload(b, i, ent, 100 + i, 'a');
		cr_assert_eq(sg_store_count_reports(a, &all, 1, &in1), 0);
		cr_assert_eq(all, i, "after %u writes elsewhere", i);
		cr_assert_eq(in1, i);
	}
	sg_store_close(a);
	sg_store_close(b);
}
