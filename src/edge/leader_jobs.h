/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SG_EDGE_LEADER_JOBS_H
#define SG_EDGE_LEADER_JOBS_H

/*
 * The leader's side of aggregation over its store (DESIGN.md §5, §8): the
 * uploads waiting in the store go into jobs of bounded size and each job is
 * driven through the helpers.
 *
 *   take      in one transaction: the reports join a new job (pending) and
 *             the job records its report ids and time;
 *   run       AggregationJobInit to every helper, combine, Continue to every
 *             helper, settle - all retried requests are idempotent at the
 *             helpers, so a job can be run again from the start at any time;
 *   record    in one transaction: every report settled, the accepted output
 *             shares added to the industries' aggregate shares, the job done.
 *
 * A job that fails half way (a helper away, a crash) stays open in the
 * store and sg_leader_jobs_resume runs it again; the leader's own share is
 * rebuilt from the stored uploads, so nothing is lost or counted twice.
 * No sockets here: helpers are reached through `call`.
 */
#include <stddef.h>
#include <stdint.h>

#include "edge/helper.h"
#include "edge/store.h"
#include "protocol/aggregate.h"

/* Sends req to helper `helper` (1..) and returns its reply (malloc'd). A
 * negative sg_err when no reply came: the job stays open. */
typedef int (*sg_helper_call)(void *ctx, unsigned helper, const uint8_t *req, size_t len,
			      uint8_t **reply, size_t *reply_len);

/* Optional: reqs[j] to every helper j (1..) at once, replies[j] back; the
 * helpers then work in parallel. On error the replies that came are
 * freed by the caller. */
typedef int (*sg_helpers_call)(void *ctx, const uint8_t *const *reqs, const size_t *lens,
			       uint8_t **replies, size_t *reply_lens);

typedef struct sg_leader_jobs {
	sg_party party;
	sg_store *store;
	sg_helper_call call;
	void *call_ctx;
	size_t job_size;          /* reports per job, 1..SG_JOB_MAX_REPORTS */
	sg_helpers_call call_all; /* NULL: `call`, one helper after another */
	/* a new job only once this many uploads wait (0 or 1: any); a job's
	 * cost at the helpers is mostly per job, so the daemon lets uploads
	 * gather while they keep coming */
	size_t min_take;
} sg_leader_jobs;

/* Leader: the task's verification key into key, drawn and kept in the store
 * the first time, read from it after; the store's error otherwise. Uploads
 * need it (the leader prepares its share on upload), before any helper has
 * been granted it. */
SG_MUST_CHECK int sg_leader_verify_key_load(sg_store *store,
					    uint8_t key[SG_PRIO3_VERIFY_KEY_BYTES]);

/*
 * Leader: the task's verification key into key - drawn and kept in the
 * store the first time, read from it after - then granted to every helper
 * and their acknowledgements checked. SG_ERR_VERIFY (msg names the helper)
 * when a helper holds another key; a call's error when one is away. Safe to
 * repeat: helpers acknowledge the key they hold.
 */
SG_MUST_CHECK int sg_leader_verify_key(sg_store *store, const sg_task *t, sg_helper_call call,
				       void *call_ctx, uint8_t key[SG_PRIO3_VERIFY_KEY_BYTES],
				       char *msg, size_t msg_len);

/*
 * Finishes any job left open first (as sg_leader_jobs_resume), then takes
 * up to job_size waiting uploads into a new job and runs it. *taken is how
 * many reports the new job holds (0: nothing was waiting, or fewer than
 * min_take). Returns 0;
 * SG_ERR_PARSE when a helper answered with an Error or a reply that does
 * not fit; the call's error when a helper did not answer; SG_ERR_IO when
 * the store failed. The job stays open on any error.
 */
SG_MUST_CHECK int sg_leader_jobs_step(sg_leader_jobs *l, size_t *taken, uint64_t now);

/* Runs every job left open, oldest first, stopping at the first failure.
 * *done counts the jobs finished. */
SG_MUST_CHECK int sg_leader_jobs_resume(sg_leader_jobs *l, size_t *done);

/* --- collection ------------------------------------------------------------ */

/* One industry's outcome in a round. */
typedef struct sg_industry_result {
	uint32_t industry;
	uint64_t count;                 /* J_k as the leader counted it */
	enum sg_collect_refusal why;    /* SG_COLLECT_OK when published */
	uint8_t *published;             /* PublishedAggregate (packed), or NULL */
	size_t published_len;
	uint8_t *ids;                   /* when published: the counted report ids,
					   ascending, SG_REPORT_ID_BYTES each */
	size_t n_ids;
} sg_industry_result;

typedef struct sg_round_result {
	size_t n;                       /* the task's industries, in its order */
	sg_industry_result *industries;
	uint8_t *outcome;               /* RoundOutcome (packed): published and
					   withheld industries */
	size_t outcome_len;
	uint8_t *isk;                   /* IskSummary (packed) over the published */
	size_t isk_len;
	uint8_t *log;                   /* Log (packed): the artefacts as leaves and
					   the tree head every aggregator signed */
	size_t log_len;
} sg_round_result;

void sg_round_result_free(sg_round_result *r);

/*
 * Leader: collects every industry of the task once the store holds no
 * waiting upload and no open job (SG_ERR_STATE otherwise). An industry with
 * fewer than min_batch accepted reports is withheld without asking anyone;
 * for the others every aggregator (the leader through its own store) is
 * asked for its signed share under a collect id derived from the task and
 * industry, so a leader restarted half way asks the same question and gets
 * the recorded answers. Then the PublishedAggregates, the RoundOutcome, the
 * ISK summary, and the round's log (protocol/log.h) with its head signed by
 * every aggregator.
 * SG_ERR_VERIFY (msg says which aggregator and why) when one refuses or
 * its share does not check; a helper's call error as it came.
 */
SG_MUST_CHECK int sg_leader_collect(sg_leader_jobs *l, const uint8_t sign_sk[64],
				    sg_round_result *out, char *msg, size_t msg_len);

#endif
