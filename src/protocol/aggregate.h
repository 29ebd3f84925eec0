/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SG_PROTOCOL_AGGREGATE_H
#define SG_PROTOCOL_AGGREGATE_H

/*
 * Aggregation jobs without sockets or disks (DESIGN.md §5, §7 layer 2).
 *
 *   leader                                  helper j
 *   sg_job_init_for(j) -> AggregationJobInit -> sg_helper_job_init
 *                        <- AggregationJobResp (verifier shares or refusals)
 *   sg_job_combine: decide each report      (every aggregator re-checks
 *   sg_job_continue_msg -> AggregationJobContinue   signature and roster)
 *                                           -> sg_helper_job_continue
 *                        <- ...ContinueResp
 *   sg_job_finish: add the output shares of the reports every aggregator
 *   accepted to the per-industry aggregate shares.
 *
 * State lives in sg_job (one per job and aggregator); the edges store
 * what they must to answer a retried request with the same reply.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/task.h"
#include "protocol/report.h"

#define SG_JOB_ID_BYTES 16
#define SG_JOB_MAX_REPORTS 1024

/* One aggregator as a party to the protocol. */
typedef struct sg_party {
	const sg_task *task;
	sg_prio3 *prio3;           /* one per thread: operations use its workspace */
	unsigned index;            /* 0 is the leader */
	const uint8_t *hpke_sk;    /* 32 bytes */
	const uint8_t *verify_key; /* SG_PRIO3_VERIFY_KEY_BYTES, shared by the aggregators */
} sg_party;

/* Whether the store already holds this report id (with another job) or a
 * report of this enterprise: replays and second reports are refused. */
typedef struct sg_seen {
	bool (*report)(void *ctx, const uint8_t report_id[SG_REPORT_ID_BYTES]);
	bool (*enterprise)(void *ctx, const char *enterprise_id);
	void *ctx;
} sg_seen;

/* One report in a job, at one aggregator. */
typedef struct sg_prep {
	uint8_t report_id[SG_REPORT_ID_BYTES];
	uint32_t industry;
	char enterprise_id[257];
	enum sg_reject reject;      /* SG_REJECT_NONE while it is still in */
	bool sent;                  /* leader: in the helpers' AggregationJobInit */
	uint8_t *public_share;      /* leader: for the joint randomness parts */
	sg_prio3_state *state;
	uint8_t *verifier_share;    /* this aggregator's */
	uint8_t *message;           /* the leader's decision (joint randomness seed) */
} sg_prep;

typedef struct sg_job {
	uint8_t id[SG_JOB_ID_BYTES];
	size_t n;
	sg_prep *preps;
} sg_job;

void sg_job_free(sg_job *job);

/*
 * Leader, on upload: opens its share of a checked report and runs
 * verify_init, keeping its verifier share then the state
 * (sg_prio3_state_encode) in kept (sg_leader_kept_bytes). With that kept,
 * the report is stored without the leader's ciphertext, and aggregation
 * neither reads nor opens the share again. SG_REJECT_UNDECRYPTABLE when
 * the share does not open, SG_REJECT_INVALID when it does not decode.
 */
size_t sg_leader_kept_bytes(const sg_prio3 *p);
enum sg_reject sg_leader_prepare_kept(uint8_t *kept, sg_party *leader, const sg_report_view *v,
				      const Spillguard__SealedShare *own);

/* Leader: a job over these stored reports (packed Report messages): checks
 * each again and takes the leader's preparation from kept[i] (or, with
 * kept or kept[i] NULL, prepares its share from the report). A kept
 * preparation that does not decode refuses its report (malformed). */
SG_MUST_CHECK int sg_leader_job_new(sg_job *job, sg_party *leader, const uint8_t *const *reports,
				    const size_t *report_lens, const uint8_t *const *kept,
				    const size_t *kept_lens, size_t n);

/* Leader: the AggregationJobInit for helper j (packed, malloc'd). */
SG_MUST_CHECK int sg_job_init_for(uint8_t **out, size_t *out_len, const sg_job *job,
				  const sg_party *leader, unsigned helper,
				  const uint8_t *const *reports, const size_t *report_lens);

/* Helper: prepares every report of an AggregationJobInit and writes the
 * AggregationJobResp (packed). SG_ERR_PARSE for a request that is not one. */
SG_MUST_CHECK int sg_helper_job_init(sg_job *job, uint8_t **resp, size_t *resp_len,
				     sg_party *helper, const sg_seen *seen, const uint8_t *req,
				     size_t req_len);

/* Leader: takes every helper's AggregationJobResp (helper order) and
 * decides each report (its verifier shares combine into a message, or it
 * is refused). A response for another job or of the wrong shape is
 * SG_ERR_PARSE and changes nothing. */
SG_MUST_CHECK int sg_job_combine(sg_job *job, sg_party *leader, const uint8_t *const *resps,
				 const size_t *resp_lens);

/* Leader: the AggregationJobContinue (the same for every helper). */
SG_MUST_CHECK int sg_job_continue_msg(uint8_t **out, size_t *out_len, const sg_job *job,
				      const sg_party *leader);

/* Helper: applies the leader's decisions and writes the ContinueResp. */
SG_MUST_CHECK int sg_helper_job_continue(sg_job *job, uint8_t **resp, size_t *resp_len,
					 sg_party *helper, const uint8_t *req, size_t req_len);

/* Leader: takes every helper's ContinueResp; a report any helper refused
 * is refused everywhere (the helpers learn it from the next collect's
 * report set). Then verify_next for the leader. */
SG_MUST_CHECK int sg_job_settle(sg_job *job, sg_party *leader, const uint8_t *const *resps,
				const size_t *resp_lens);

/* Any aggregator: adds the output share of every accepted report of the
 * job to aggs[industry index] (index in the task's industry list). */
SG_MUST_CHECK int sg_job_accumulate(const sg_job *job, const sg_party *p, sg_prio3_agg **aggs);

#endif
