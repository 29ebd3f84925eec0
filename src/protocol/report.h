/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SG_PROTOCOL_REPORT_H
#define SG_PROTOCOL_REPORT_H

/*
 * Reports (DESIGN.md §5): an enterprise shards its EEK vector with Prio3
 * (application context = task id, nonce = report id), seals input share j
 * to aggregator j with HPKE, and signs the metadata, the public share and
 * the SHA-256 of every sealed share. Any aggregator can then check the
 * signature from its own sealed share and the others' digests.
 *
 * HPKE binds each share to its place: info = "spillguard share v1" ||
 * task_id || u8(aggregator), aad = "spillguard report v1" || task_id ||
 * report_id || be32(industry) || be64(time) || enterprise_id, so a share
 * cannot be moved to another report, task or aggregator.
 *
 * Checking follows the order of DESIGN.md §5 with one code per refusal;
 * the store-dependent steps (replay, one report per enterprise) are the
 * caller's, between sg_report_check and sg_report_open_share.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/task.h"
#include "wire/codec.h"
#include "spillguard/prio3.h"

#define SG_REPORT_ID_BYTES 16
#define SG_REPORT_VERSION 1
#define SG_REPORT_SIG_CONTEXT "spillguard report v1"

/* Why a report is refused; sent to the node in Error.code. */
enum sg_reject {
	SG_REJECT_NONE = 0,
	SG_REJECT_TASK_UNKNOWN = 1,    /* not a task this aggregator serves */
	SG_REJECT_OUTSIDE_WINDOW = 2,  /* before opens_at or after closes_at */
	SG_REJECT_NOT_IN_ROSTER = 3,   /* enterprise not registered for the task */
	SG_REJECT_WRONG_INDUSTRY = 4,  /* registered under another industry */
	SG_REJECT_BAD_SIGNATURE = 5,   /* not signed by the enterprise's key */
	SG_REJECT_MALFORMED = 6,       /* undecodable, wrong sizes or counts */
	SG_REJECT_REPLAYED = 7,        /* report id seen with other contents */
	SG_REJECT_DUPLICATE = 8,       /* the enterprise already has a report */
	SG_REJECT_UNDECRYPTABLE = 9,   /* this aggregator's share does not open */
	SG_REJECT_INVALID = 10,        /* the validity proof does not verify */
	SG_REJECT_SHARE_MISMATCH = 11, /* a sealed share other than the one signed */
	SG_REJECT_COUNT
};

/* A plain sentence for each code, for the node to print. */
const char *sg_reject_message(enum sg_reject r);

/* The task's Prio3 instance: SumVec over its categories, or BoundedSumVec
 * with each category's bound when they differ (sg_task_vdaf_params). */
SG_MUST_CHECK int sg_task_prio3(sg_prio3 **out, const sg_task *t);

/*
 * Enterprise side: a signed Report (packed, malloc'd) for eek (one value
 * per category, in 10^-decimals units). report_id receives the new id.
 * SG_ERR_PARAM when enterprise_id is not in the roster or sign_sk is not
 * its key; SG_ERR_MEASUREMENT when a value exceeds its category's max.
 */
SG_MUST_CHECK int sg_report_build(uint8_t **out, size_t *out_len,
				  uint8_t report_id[SG_REPORT_ID_BYTES], const sg_task *t,
				  const char *enterprise_id, const uint8_t sign_sk[64],
				  const uint64_t *eek, size_t n, uint64_t now);

/*
 * The second half of sg_report_build, for shares the caller made (tests
 * use it to build reports an honest enterprise would not): seals input
 * share j (sg_prio3_input_share_bytes(p, j) bytes) to hpke_pk[j] in
 * aggregator j's place (info and aad as above, from meta), then signs meta,
 * public_share (sg_prio3_public_share_bytes(p) bytes) and the digest of
 * every sealed share with sign_sk into a packed Report (malloc'd).
 * hpke_pk NULL seals to the task's aggregators, as an enterprise does.
 * Nothing in meta is checked against the task's roster or window.
 * SG_ERR_PARAM when meta's ids are not SG_TASK_ID_BYTES and
 * SG_REPORT_ID_BYTES long, its enterprise id is longer than 256 bytes or
 * p has another number of shares than the task has aggregators, or when an
 * HPKE key is a low-order point; SG_ERR_NOMEM. On failure *out is NULL.
 */
SG_MUST_CHECK int sg_report_assemble(uint8_t **out, size_t *out_len, const sg_task *t,
				     const sg_prio3 *p, const Spillguard__ReportMetadata *meta,
				     const uint8_t *public_share,
				     const uint8_t *const *input_shares,
				     const uint8_t *const *hpke_pk, const uint8_t sign_sk[64]);

/* What an aggregator learns from a report's signed part. */
typedef struct sg_report_view {
	Spillguard__ReportBody *body; /* decoded, owned by the view */
	sg_wire_budget *budget;
	const Spillguard__ReportMetadata *meta;
	size_t roster_index;
} sg_report_view;

/*
 * Checks a report's signed body for aggregator agg: task id, the report's
 * time within the task's window, roster and industry, signature, sizes (public share, one digest per
 * aggregator), and that own_share hashes to its digest. Returns
 * SG_REJECT_NONE and fills view, or the reason (view empty).
 */
enum sg_reject sg_report_check(sg_report_view *view, const sg_task *t, const sg_prio3 *p,
			       unsigned agg, const uint8_t *body, size_t body_len,
			       const uint8_t *sig, size_t sig_len, const uint8_t *enc,
			       size_t enc_len, const uint8_t *ct, size_t ct_len);

/*
 * sg_report_check for a report this aggregator checked on receipt and kept
 * in its own store (the leader's uploads, read back for aggregation): the
 * same checks but the signature and the sealed share's digest, which cost
 * most and cannot have changed. ct NULL: the share was opened and prepared
 * on receipt and not kept, so its sizes are not checked either. Never for
 * bytes from the network.
 */
enum sg_reject sg_report_recheck(sg_report_view *view, const sg_task *t, const sg_prio3 *p,
				 unsigned agg, const uint8_t *body, size_t body_len,
				 const uint8_t *enc, size_t enc_len, const uint8_t *ct,
				 size_t ct_len);

/* Opens this aggregator's share of a checked report into input_share
 * (sg_prio3_input_share_bytes(p, agg) bytes): SG_REJECT_UNDECRYPTABLE when
 * it does not open or has the wrong size. */
enum sg_reject sg_report_open_share(uint8_t *input_share, const sg_report_view *view,
				    const sg_task *t, const sg_prio3 *p, unsigned agg,
				    const uint8_t hpke_sk[32], const uint8_t *enc, size_t enc_len,
				    const uint8_t *ct, size_t ct_len);

void sg_report_view_free(sg_report_view *view);

/* The report id of a body that may be refused, so that a refusal can name
 * the report; false (id zeroed) when the body does not even decode. */
bool sg_report_peek_id(uint8_t id[SG_REPORT_ID_BYTES], const uint8_t *body, size_t body_len);

#endif
