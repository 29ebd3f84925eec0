/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SG_EDGE_HELPER_H
#define SG_EDGE_HELPER_H

/*
 * A helper aggregator's request handling over its store (DESIGN.md §5, §8):
 * the protocol steps of protocol/aggregate.h made durable and idempotent.
 *
 *   AggregationJobInit      prepare every report; in one transaction record
 *                           the reports taken (pending), the request and
 *                           the reply; then answer.
 *   AggregationJobContinue  apply the leader's decisions; in one transaction
 *                           settle each report, add the accepted output
 *                           shares to the industries' aggregate shares and
 *                           record the reply; then answer.
 *
 * A request for a job already answered gets the recorded reply again, so
 * the leader may retry anything. The verification state between the two
 * steps lives in memory; after a restart it is rebuilt from the recorded
 * request (preparation is deterministic) and checked against the recorded
 * reply. A report counts once or not at all, whatever point a crash hits.
 *
 * The verification key comes from the leader in a VerifyKeyGrant, is kept
 * in the store (never replaced by another) and acknowledged with its
 * fingerprint; a helper holding another key acknowledges that one, so the
 * leader sees the disagreement. Until a key is held, job and collect
 * requests get no reply (SG_ERR_STATE) - unless the party was given one.
 */
#include <stddef.h>
#include <stdint.h>

#include "edge/store.h"
#include "protocol/aggregate.h"
#include "protocol/collect.h"

enum sg_job_step {
	SG_JOB_STEP_INIT = 1,     /* helper: init answered; leader: reports taken */
	SG_JOB_STEP_DONE = 2,     /* settled and added to the aggregate shares */
};

typedef struct sg_helper {
	sg_party party;
	const uint8_t *sign_sk; /* 64 bytes: signs the aggregate shares released */
	sg_store *store;
	sg_job job;      /* the job between its two steps, if any */
	bool has_job;
	uint8_t verify_key[SG_PRIO3_VERIFY_KEY_BYTES]; /* once granted */
	/* Why the last tree head asked for was refused ("" when none was):
	 * the daemon logs it and clears it. */
	char refused_head[300];
} sg_helper;

/* The store stays the caller's. party->verify_key may be NULL: the key is
 * then read from the store or awaited from the leader. */
void sg_helper_init(sg_helper *h, const sg_party *party, const uint8_t sign_sk[64],
		    sg_store *store);
void sg_helper_done(sg_helper *h);

/*
 * Answers one request from the leader: *reply (packed Envelope, malloc'd) is
 * the job's reply, or an Error (SG_REJECT_MALFORMED for bytes that are not a
 * job request of this task, SG_REJECT_REPLAYED for a job id reused with
 * other contents). Returns 0, or a negative sg_err when the store failed or
 * the recorded state does not rebuild (no reply then: nothing was
 * recorded, the leader retries).
 */
SG_MUST_CHECK int sg_helper_handle(sg_helper *h, uint8_t **reply, size_t *reply_len,
				   const uint8_t *req, size_t req_len, uint64_t now);

/* The count and RFC 9162 report-set root of an industry's accepted reports
 * in this store. */
SG_MUST_CHECK int sg_store_batch(sg_store *s, uint32_t industry, uint64_t *count,
				 uint8_t root[32]);

/*
 * Any aggregator's answer to a collect request from its store: checks the
 * request's count and report-set root against its own accepted reports,
 * min_batch, and that the industry was not released before; on success
 * records the reply as released (durably) before returning it. The same
 * collect id again gets the recorded reply; another collect id for a
 * released industry is refused (SG_COLLECT_ALREADY).
 */
SG_MUST_CHECK int sg_store_collect(sg_store *s, const sg_party *p, const uint8_t sign_sk[64],
				   const sg_collect_req *req, uint8_t **reply, size_t *reply_len);

/*
 * Adds the output shares of a settled job's accepted reports to the
 * stored aggregate shares, per industry (inside the caller's transaction).
 * Shared by the leader and helpers.
 */
SG_MUST_CHECK int sg_store_job_accumulate(sg_store *s, const sg_job *job, const sg_party *p);

#endif
