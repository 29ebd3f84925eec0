/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SG_EDGE_STORE_H
#define SG_EDGE_STORE_H

/*
 * An aggregator's durable state for one task, in SQLite (DESIGN.md §7-8):
 * WAL journal, synchronous=FULL, so a write has reached the disk when the
 * call returns and only then may it be acknowledged. One store file serves
 * one task; opening it for another task is refused.
 *
 * It holds the leader's uploads (reports), every aggregator's view of each
 * report in aggregation (preps: which job, then accepted or refused), the
 * jobs with the reply each request got (so a retried request gets the same
 * reply), the running aggregate share per industry, and which industries
 * were collected. A step that moves reports and adds to an aggregate share
 * runs in one transaction (sg_store_begin .. sg_store_commit): after a
 * crash a report is either counted once or not yet at all.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spillguard/export.h"

#define SG_STORE_REPORT_ID_BYTES 16
#define SG_STORE_DIGEST_BYTES 32

typedef struct sg_store sg_store;

/* Creates or opens path for task_id. SG_ERR_IO (err names the file and
 * SQLite's message), SG_ERR_STATE when the file belongs to another task or
 * has a schema this version does not know. */
SG_MUST_CHECK int sg_store_open(sg_store **out, const char *path, const uint8_t task_id[32],
				char *err, size_t err_len);
/* The same store for reading only (aggregator status, while its daemon
 * runs): nothing is created or changed, the file need not be writable.
 * SG_ERR_IO when it cannot be opened, SG_ERR_STATE when it is no store of
 * this task or has another schema (its daemon upgrades it when it starts).
 * Calls that write fail with SG_ERR_IO. */
SG_MUST_CHECK int sg_store_open_readonly(sg_store **out, const char *path,
					 const uint8_t task_id[32], char *err, size_t err_len);
void sg_store_close(sg_store *s);

enum sg_store_put {
	SG_STORE_NEW,        /* stored now */
	SG_STORE_SAME,       /* this exact report was stored before: idempotent */
	SG_STORE_REPLAYED,   /* the id is taken by a report with other contents */
	SG_STORE_DUPLICATE,  /* the enterprise already has another report */
};

/* An accepted upload to store, and what the store made of it. */
typedef struct sg_store_new_report {
	const uint8_t *report_id; /* SG_STORE_REPORT_ID_BYTES */
	const char *enterprise_id;
	uint32_t industry;
	uint64_t received_at;
	const uint8_t *digest; /* SG_STORE_DIGEST_BYTES: SHA-256 of the signed body */
	const uint8_t *report;
	size_t report_len;
	const uint8_t *kept; /* may be NULL: the leader's preparation (sg_leader_prepare_kept) */
	size_t kept_len;
	const uint8_t *receipt; /* the receipt that acknowledges it */
	size_t receipt_len;
	/* out */
	enum sg_store_put outcome;
	uint8_t *stored_receipt; /* SG_STORE_SAME: the receipt given before (malloc'd) */
	size_t stored_len;
} sg_store_new_report;

/*
 * Stores accepted uploads and the receipts that acknowledge them, all in
 * one durable transaction (one sync for all: uploads that arrive together
 * are stored together). Each is decided in turn, also against the ones
 * before it in r: the digest tells an identical resend (SG_STORE_SAME,
 * with the stored receipt) from a replay; on SG_STORE_REPLAYED /
 * DUPLICATE that one is not stored. On error nothing is stored and no
 * stored_receipt is left.
 */
SG_MUST_CHECK int sg_store_put_reports(sg_store *s, sg_store_new_report *r, size_t n);

/* What sg_store_put_report would find, without storing: SG_STORE_NEW,
 * SAME (with the stored receipt), REPLAYED or DUPLICATE. For the checks
 * that come before the costly ones; the put decides again. */
SG_MUST_CHECK int sg_store_report_seen(sg_store *s, enum sg_store_put *outcome,
				       uint8_t **receipt, size_t *receipt_len,
				       const uint8_t report_id[SG_STORE_REPORT_ID_BYTES],
				       const char *enterprise_id,
				       const uint8_t digest[SG_STORE_DIGEST_BYTES]);

/* Reports stored, in all and in one industry. */
SG_MUST_CHECK int sg_store_count_reports(sg_store *s, uint64_t *all, int64_t industry,
					 uint64_t *in_industry);

/* --- secrets ---------------------------------------------------------------- */

/*
 * A named secret of the task kept in the store (the Prio3 verification
 * key): the store file is created 0600 for it. Put is idempotent for the
 * same bytes and refuses other bytes under a name already set
 * (SG_ERR_STATE): a key once used is never replaced. Get gives *found
 * false when the name is unset, and SG_ERR_STATE when the stored value is
 * not len bytes.
 */
SG_MUST_CHECK int sg_store_secret_put(sg_store *s, const char *name, const uint8_t *value,
				      size_t len);
SG_MUST_CHECK int sg_store_secret_get(sg_store *s, const char *name, uint8_t *value, size_t len,
				      bool *found);

/*
 * A named mark of the round's progress (when collection was ordered, when
 * the round was published): set once, like a secret - the same value again
 * is idempotent, another value SG_ERR_STATE. *found false when unset.
 */
SG_MUST_CHECK int sg_store_mark_put(sg_store *s, const char *name, uint64_t value);
SG_MUST_CHECK int sg_store_mark_get(sg_store *s, const char *name, uint64_t *value, bool *found);

/* Helper: the tree heads of the round's log it signed, by size (RFC 9162
 * root). A size is kept once: another root at a size already signed is
 * refused (SG_ERR_STATE), so no two views of the log get its signature.
 * The list is malloc'd (both arrays), in no particular order. */
SG_MUST_CHECK int sg_store_log_head_put(sg_store *s, uint64_t size, const uint8_t root[32]);
SG_MUST_CHECK int sg_store_log_heads(sg_store *s, uint64_t **sizes, uint8_t (**roots)[32],
				     size_t *n);

/* --- transactions ------------------------------------------------------ */

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK. The calls below made between begin
 * and commit become durable together; made outside, each is its own. */
SG_MUST_CHECK int sg_store_begin(sg_store *s);
SG_MUST_CHECK int sg_store_commit(sg_store *s);
void sg_store_rollback(sg_store *s);
/* Commits when ret is 0, else (or when the commit fails) rolls back;
 * returns the outcome. */
SG_MUST_CHECK int sg_store_end(sg_store *s, int ret);

/* --- aggregation ---------------------------------------------------------- */

enum sg_prep_state {
	SG_PREP_PENDING = 0,  /* in a job not yet settled */
	SG_PREP_ACCEPTED = 1, /* its output share is in the aggregate */
	SG_PREP_REFUSED = 2,  /* with a reject code */
};

/*
 * Leader: up to max uploaded reports that are in no job yet, oldest first.
 * For each, fn(ctx, upload) (the pointers are valid during the call);
 * a non-zero return from fn stops and is returned. *n counts the calls.
 */
typedef struct sg_store_upload {
	const uint8_t *report_id; /* SG_STORE_REPORT_ID_BYTES */
	const char *enterprise_id;
	uint32_t industry;
	const uint8_t *report;
	size_t len;
} sg_store_upload;

SG_MUST_CHECK int sg_store_next_uploads(sg_store *s, size_t max, size_t *n,
					int (*fn)(void *ctx, const sg_store_upload *u),
					void *ctx);

/* Leader: how many uploads wait for a job, counted up to max. */
SG_MUST_CHECK int sg_store_uploads_waiting(sg_store *s, size_t max, size_t *n);

/* Leader: the uploads taken into job_id (sg_store_prep_put) leave the
 * list of waiting uploads, which sg_store_next_uploads then no longer
 * visits (call it after that iteration: rows are not deleted under it). */
SG_MUST_CHECK int sg_store_uploads_taken(sg_store *s, const uint8_t job_id[16]);

/*
 * Takes a report into job_id at this aggregator. *outcome: SG_STORE_NEW;
 * SG_STORE_SAME when this report is already in this job (a retried
 * request); SG_STORE_REPLAYED when the id is in another job;
 * SG_STORE_DUPLICATE when the enterprise has another report in a job.
 */
SG_MUST_CHECK int sg_store_prep_put(sg_store *s, enum sg_store_put *outcome,
				    const uint8_t report_id[SG_STORE_REPORT_ID_BYTES],
				    const char *enterprise_id, uint32_t industry,
				    const uint8_t job_id[16]);

/* Whether a report id (or, with report_id NULL, an enterprise) is taken in a
 * job other than job_id. */
SG_MUST_CHECK int sg_store_prep_other_job(sg_store *s, const uint8_t job_id[16],
					  const uint8_t *report_id, const char *enterprise_id,
					  bool *found);
/* Whether the report id was taken into job_id. */
SG_MUST_CHECK int sg_store_prep_in_job(sg_store *s, const uint8_t job_id[16],
				       const uint8_t report_id[SG_STORE_REPORT_ID_BYTES],
				       bool *found);

/* Records a report's outcome (refusal 0 for ACCEPTED). SG_ERR_STATE when
 * the report is not pending. */
SG_MUST_CHECK int sg_store_prep_settle(sg_store *s,
				       const uint8_t report_id[SG_STORE_REPORT_ID_BYTES],
				       enum sg_prep_state state, int refusal);

/* A job's recorded step, and the reply recorded at step reply_step
 * (malloc'd, or NULL when none). *found false when the job is unknown. */
SG_MUST_CHECK int sg_store_job_get(sg_store *s, const uint8_t job_id[16], int reply_step,
				   bool *found, int *step, uint8_t **reply, size_t *reply_len);
/* Moves a job to step (creating it), recording reply as that step's reply
 * when reply is not NULL. Each step's reply is kept. */
SG_MUST_CHECK int sg_store_job_put(sg_store *s, const uint8_t job_id[16], int step,
				   const uint8_t *reply, size_t reply_len);
/* The request that created a job and its time, kept so that a restarted
 * aggregator can rebuild the job's state from it. SG_ERR_STATE when the job
 * is unknown (put) or has no request recorded (get). */
SG_MUST_CHECK int sg_store_job_request_put(sg_store *s, const uint8_t job_id[16], uint64_t at,
					   const uint8_t *request, size_t request_len);
SG_MUST_CHECK int sg_store_job_request_get(sg_store *s, const uint8_t job_id[16], uint64_t *at,
					   uint8_t **request, size_t *request_len);
/* Ids of the jobs whose step is below `below` (unfinished), oldest first,
 * malloc'd, 16 bytes each. */
SG_MUST_CHECK int sg_store_jobs_open(sg_store *s, int below, uint8_t **ids, size_t *n);
/* The report ids of a job, in the order they were put (malloc'd). */
SG_MUST_CHECK int sg_store_job_reports(sg_store *s, const uint8_t job_id[16], uint8_t **ids,
				       size_t *n);
/* Leader: a stored upload's bytes by report id, and what was kept with it
 * (both malloc'd; *kept NULL when nothing was). SG_ERR_STATE when there is
 * none. */
SG_MUST_CHECK int sg_store_upload_get(sg_store *s,
				      const uint8_t report_id[SG_STORE_REPORT_ID_BYTES],
				      uint8_t **report, size_t *len, uint8_t **kept,
				      size_t *kept_len);

/* An industry's running aggregate share and the number of reports in it
 * (*share NULL and *count 0 when none was added yet). */
SG_MUST_CHECK int sg_store_agg_get(sg_store *s, uint32_t industry, uint64_t *count,
				   uint8_t **share, size_t *share_len);
SG_MUST_CHECK int sg_store_agg_put(sg_store *s, uint32_t industry, uint64_t count,
				   const uint8_t *share, size_t share_len);

/* The accepted report ids of an industry (malloc'd, 16 bytes each, in no
 * particular order). */
SG_MUST_CHECK int sg_store_accepted_ids(sg_store *s, uint32_t industry, uint8_t **ids,
					size_t *n);

/* --- collection ----------------------------------------------------------- */

/* Whether the industry was collected, and what was released then
 * (malloc'd; NULL when not collected). */
SG_MUST_CHECK int sg_store_collected_get(sg_store *s, uint32_t industry, bool *collected,
					 uint8_t **released, size_t *released_len);
/* Marks the industry collected with what it released. SG_ERR_STATE when it
 * was collected before (nothing changes). */
SG_MUST_CHECK int sg_store_collected_put(sg_store *s, uint32_t industry,
					 const uint8_t *released, size_t released_len);

/* For `aggregator status`. */
typedef struct sg_store_counts {
	uint64_t uploads;          /* leader: reports received */
	uint64_t waiting;          /* leader: received, in no job yet */
	uint64_t pending;          /* in a job not yet settled */
	uint64_t accepted;
	uint64_t refused;
	uint64_t jobs_open;        /* jobs whose step is below `below` */
	uint64_t jobs;
	uint64_t collected;        /* industries */
} sg_store_counts;

SG_MUST_CHECK int sg_store_counts_get(sg_store *s, int below, sg_store_counts *c);
/* The refused reports by refusal code: counts[code] for codes below n (the
 * rest are not counted). */
SG_MUST_CHECK int sg_store_refusals(sg_store *s, uint64_t *counts, size_t n);

#endif
