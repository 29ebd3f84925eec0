/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SG_PROTOCOL_COLLECT_H
#define SG_PROTOCOL_COLLECT_H

/*
 * Collection and publication without sockets (DESIGN.md §5):
 *
 *   leader: CollectRequest(industry, J_k, report-set root) -> each helper
 *   helper: same count and root as its own accepted reports? at least
 *           min_batch? never collected before? -> its AggregateShare, signed
 *   leader: checks every share's signature and fields, unshards S_k,
 *           TSK_k = S_k / J_k, and assembles the PublishedAggregate.
 *
 * The report set's root is RFC 9162's over leaves = report ids in
 * ascending order, so every aggregator computes it alone from its store.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol/aggregate.h"

#define SG_AGG_SHARE_SIG_CONTEXT "spillguard aggregate share v1"
/* TSK is published with this many more decimal places than its category. */
#define SG_TSK_EXTRA_DECIMALS 2
#define SG_TSK_TEXT_BYTES 48 /* a TSK as decimal text, NUL included */

enum sg_collect_refusal {
	SG_COLLECT_OK = 0,
	SG_COLLECT_UNKNOWN_INDUSTRY = 1,
	SG_COLLECT_BELOW_MIN_BATCH = 2,  /* fewer enterprises than min_batch */
	SG_COLLECT_COUNT_MISMATCH = 3,   /* J_k differs from this aggregator's */
	SG_COLLECT_ROOT_MISMATCH = 4,    /* another set of reports */
	SG_COLLECT_ALREADY = 5,          /* this industry was released before */
};

const char *sg_collect_message(enum sg_collect_refusal r);

/* RFC 9162 root over the ids sorted ascending (the array is sorted in
 * place). 0, or SG_ERR_NOMEM. */
SG_MUST_CHECK int sg_report_set_root(uint8_t root[32], uint8_t (*ids)[SG_REPORT_ID_BYTES],
				     size_t n);

/*
 * Any aggregator: decides a collect request for `industry` against its own
 * accepted reports (`count`, `root`) and whether it released this industry
 * before; on SG_COLLECT_OK writes its signed AggregateShare (packed).
 * The caller marks the industry collected durably before replying.
 */
SG_MUST_CHECK int sg_collect_share(uint8_t **out, size_t *out_len,
				   enum sg_collect_refusal *refusal, const sg_party *p,
				   const uint8_t sign_sk[64], uint32_t industry,
				   uint64_t req_count, const uint8_t req_root[32], uint64_t count,
				   const uint8_t root[32], bool already, const sg_prio3_agg *agg);

#define SG_COLLECT_ID_BYTES 16

/* Leader: the CollectRequest envelope (packed, malloc'd) for one industry. */
SG_MUST_CHECK int sg_collect_request_msg(uint8_t **out, size_t *out_len, const sg_task *t,
					 const uint8_t collect_id[SG_COLLECT_ID_BYTES],
					 uint32_t industry, uint64_t count, const uint8_t root[32]);

/* A decoded CollectRequest of this task. */
typedef struct sg_collect_req {
	uint8_t collect_id[SG_COLLECT_ID_BYTES];
	uint32_t industry;
	uint64_t count;
	uint8_t root[32];
} sg_collect_req;

/* Reads a CollectRequest envelope for task t: SG_ERR_PARSE when it is not one. */
SG_MUST_CHECK int sg_collect_request_read(sg_collect_req *req, const sg_task *t,
					  const uint8_t *msg, size_t len);

/* Any aggregator: the CollectReply envelope carrying its signed share (a
 * packed AggregateShare from sg_collect_share) or the refusal. */
SG_MUST_CHECK int sg_collect_reply_msg(uint8_t **out, size_t *out_len,
				       const uint8_t collect_id[SG_COLLECT_ID_BYTES],
				       enum sg_collect_refusal refusal, const uint8_t *share,
				       size_t share_len);

/*
 * Leader: a helper's reply to collect_id. 0 and the packed AggregateShare
 * (malloc'd) when it released one; SG_ERR_VERIFY with *refusal set when it
 * refused; SG_ERR_PARSE when the reply is no CollectReply for collect_id.
 */
SG_MUST_CHECK int sg_collect_reply_read(uint8_t **share, size_t *share_len,
					enum sg_collect_refusal *refusal,
					const uint8_t collect_id[SG_COLLECT_ID_BYTES],
					const uint8_t *reply, size_t len);

/*
 * Anyone: whether `as` is aggregator j's share of this batch - its
 * signature by that aggregator's task key, and its body's task, industry,
 * count, root, index and size. 0 with the decoded body (release with
 * sg_wire_release(&(*body)->base, *budget)), or SG_ERR_VERIFY.
 */
SG_MUST_CHECK int sg_aggregate_share_check(const sg_task *t, const sg_prio3 *p,
					   const Spillguard__AggregateShare *as, unsigned j,
					   uint32_t industry, uint64_t count,
					   const uint8_t root[32],
					   Spillguard__AggregateShareBody **body,
					   sg_wire_budget **budget);

/* TSK_k of a category as published (docs/publication.md): sum / count
 * rounded half up to SG_TSK_EXTRA_DECIMALS more decimal places than the
 * category has, for every decimals the format allows (so up to 20 places),
 * in 128-bit arithmetic that cannot overflow. SG_ERR_PARAM when count is 0. */
SG_MUST_CHECK int sg_tsk_text(char out[SG_TSK_TEXT_BYTES], const sg_task *t, size_t category,
			      uint64_t sum, uint64_t count);

/*
 * Leader: checks every aggregator's AggregateShare (aggregator order: its
 * signature by that aggregator's task key, task, industry, count and root)
 * and writes the PublishedAggregate (packed) with S_k and TSK_k.
 * SG_ERR_VERIFY (msg says which share) when one does not check.
 */
SG_MUST_CHECK int sg_publish_aggregate(uint8_t **out, size_t *out_len, const sg_party *leader,
				       uint32_t industry, uint64_t count, const uint8_t root[32],
				       const uint8_t *const *shares, const size_t *share_lens,
				       char *msg, size_t msg_len);

/* Leader: the ReportSet (packed) of a published industry: its counted
 * report ids, ascending (n x SG_REPORT_ID_BYTES). */
SG_MUST_CHECK int sg_report_set_msg(uint8_t **out, size_t *out_len, const sg_task *t,
				    uint32_t industry, const uint8_t *ids, size_t n);

/*
 * Leader: the round's ISK summary (packed IskSummary): per category the sum
 * over the published industries of their TSK texts, exactly (the decimal
 * texts are parsed and added as integers), so that anyone can re-add the
 * published figures. SG_ERR_PARSE when an aggregate does not decode or is
 * for another task.
 */
SG_MUST_CHECK int sg_publish_isk(uint8_t **out, size_t *out_len, const sg_task *t,
				 const uint8_t *const *published, const size_t *lens, size_t n);

#endif
