/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SG_PROTOCOL_LOG_H
#define SG_PROTOCOL_LOG_H

/*
 * The round's transparency log (DESIGN.md §6): an RFC 9162 Merkle tree
 * whose leaves are the published artefacts themselves - the signed task,
 * each published industry aggregate (in the task's industry order), the
 * ISK summary - and a tree head over them signed by every aggregator
 * ("spillguard tree head v1" || TreeHeadBody).
 *
 * The leaves, in order: the signed task, each published industry's
 * aggregate in the task's industry order, the RoundOutcome (every industry
 * published or withheld), the ISK summary.
 *
 * A helper signs a head only after checking its leaves as the audit does
 * (sg_audit_leaves: its task first, each aggregate passing the audit with
 * its own signed share among them, each industry once, the outcome naming
 * every industry once, the ISK of exactly those aggregates), against what
 * it holds itself (every industry it released is published; every
 * withheld one it did not release and holds fewer than min_batch reports
 * of), the root and size are the leaves', and the tree extends the last
 * head it signed (the first leaves give that head's root again). Then it
 * keeps the new head's size and root.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/task.h"
#include "spillguard/merkle.h"

#define SG_TREE_HEAD_SIG_CONTEXT "spillguard tree head v1"

/* The packed TreeHeadBody over the leaves at timestamp. */
SG_MUST_CHECK int sg_log_head_body(uint8_t **out, size_t *out_len, const sg_task *t,
				   const uint8_t *const *leaves, const size_t *lens, size_t n,
				   uint64_t timestamp);

/* Leader: the RoundOutcome (packed): the published industries (n, in the
 * task's order) and every other industry of the task withheld below
 * min_batch. */
SG_MUST_CHECK int sg_log_outcome_msg(uint8_t **out, size_t *out_len, const sg_task *t,
				     const uint32_t *published, size_t n);

/* What a helper holds of the round: the industries it released, and its
 * own count of accepted reports for every industry of the task (task
 * order). */
typedef struct sg_log_own {
	const uint32_t *released;
	size_t n_released;
	const uint64_t *counts;
} sg_log_own;

/* Leader: the TreeHeadRequest envelope (packed). */
SG_MUST_CHECK int sg_log_request_msg(uint8_t **out, size_t *out_len, const sg_task *t,
				     const uint8_t *body, size_t body_len,
				     const uint8_t *const *leaves, const size_t *lens, size_t n);

/*
 * Helper `index` (signing with sign_sk): checks a TreeHeadRequest as above
 * against what it holds (own), given the heads it signed before (n_prev of them: sizes and roots); the
 * new tree must hold each of them as its first leaves. Writes its
 * TreeHeadSignature envelope (packed); *size and root get the new head's,
 * to keep. SG_ERR_VERIFY with msg when a check fails, SG_ERR_PARSE when req
 * is no request of this task.
 */
SG_MUST_CHECK int sg_log_sign_request(uint8_t **out, size_t *out_len, uint64_t *size,
				      uint8_t root[SG_MERKLE_HASH_BYTES], const sg_task *t,
				      unsigned index, const uint8_t sign_sk[64],
				      const sg_log_own *own, const uint64_t *prev_sizes,
				      const uint8_t (*prev_roots)[SG_MERKLE_HASH_BYTES],
				      size_t n_prev, const uint8_t *req, size_t req_len,
				      char *msg, size_t msg_len);

/* Leader: aggregator j's signature from its reply, checked against the
 * body. SG_ERR_VERIFY otherwise. */
SG_MUST_CHECK int sg_log_signature_read(uint8_t sig[64], const sg_task *t, unsigned j,
					const uint8_t *body, size_t body_len, const uint8_t *reply,
					size_t reply_len);

/* Leader: the Log (packed) to publish: the leaves and the head with every
 * aggregator's signature (sigs[j], 64 bytes each). */
SG_MUST_CHECK int sg_log_msg(uint8_t **out, size_t *out_len, const sg_task *t,
			     const uint8_t *const *leaves, const size_t *lens, size_t n,
			     const uint8_t *body, size_t body_len, const uint8_t (*sigs)[64]);

#endif
