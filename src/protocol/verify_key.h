/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SG_PROTOCOL_VERIFY_KEY_H
#define SG_PROTOCOL_VERIFY_KEY_H

/*
 * The Prio3 verification key the aggregators share and clients must not
 * know (draft-irtf-cfrg-vdaf §7, DESIGN.md §5). The leader draws it and
 * grants it to each helper sealed with HPKE to that helper's task key, the
 * info binding "spillguard verify key v1", the task id and the helper's
 * index, so a grant opens only at its helper and only for its task. The
 * helper answers with the key's fingerprint, which tells the leader they
 * hold the same key and tells an eavesdropper nothing.
 */
#include <stddef.h>
#include <stdint.h>

#include "core/task.h"
#include "spillguard/prio3.h"

#define SG_VERIFY_KEY_ID_BYTES 32

/* Leader: the VerifyKeyGrant envelope (packed, malloc'd) for helper j. */
SG_MUST_CHECK int sg_verify_key_grant(uint8_t **out, size_t *out_len, const sg_task *t,
				      unsigned helper,
				      const uint8_t key[SG_PRIO3_VERIFY_KEY_BYTES]);

/* Helper `self`: opens a grant into key. SG_ERR_PARSE when the bytes are
 * not a grant of this task for this helper; SG_ERR_DECRYPT when it does
 * not open. key is zeroed on failure. */
SG_MUST_CHECK int sg_verify_key_open(uint8_t key[SG_PRIO3_VERIFY_KEY_BYTES], const sg_task *t,
				     unsigned self, const uint8_t hpke_sk[32], const uint8_t *msg,
				     size_t len);

/* The key's fingerprint within task t. */
void sg_verify_key_id(uint8_t id[SG_VERIFY_KEY_ID_BYTES], const sg_task *t,
		      const uint8_t key[SG_PRIO3_VERIFY_KEY_BYTES]);

/* Helper: the VerifyKeyAck envelope for the key it holds. */
SG_MUST_CHECK int sg_verify_key_ack(uint8_t **out, size_t *out_len, const sg_task *t,
				    const uint8_t key[SG_PRIO3_VERIFY_KEY_BYTES]);

/* Leader: 0 when msg acknowledges exactly this key; SG_ERR_VERIFY when the
 * helper holds another; SG_ERR_PARSE when msg is no ack of this task. */
SG_MUST_CHECK int sg_verify_key_ack_check(const sg_task *t,
					  const uint8_t key[SG_PRIO3_VERIFY_KEY_BYTES],
					  const uint8_t *msg, size_t len);

#endif
