/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SG_CORE_PRIO3_INTERNAL_H
#define SG_CORE_PRIO3_INTERNAL_H

#include <stdbool.h>

#include "core/flp.h"
#include "core/xof.h"
#include "spillguard/prio3.h"

/* draft-irtf-cfrg-vdaf-20 §7.2: usages of the domain separation tag */
enum {
	USAGE_MEAS_SHARE = 1,
	USAGE_PROOF_SHARE = 2,
	USAGE_JOINT_RANDOMNESS = 3,
	USAGE_PROVE_RANDOMNESS = 4,
	USAGE_QUERY_RANDOMNESS = 5,
	USAGE_JOINT_RAND_SEED = 6,
	USAGE_JOINT_RAND_PART = 7,
};

#define SG_VDAF_VERSION 18
#define SG_DST_PREFIX_BYTES 8

struct sg_prio3 {
	sg_prio3_params params;
	const sg_field *f;
	sg_flp flp;
	bool joint;        /* the circuit uses joint randomness */
	size_t enc;        /* bytes per element */
	size_t proofs_len; /* PROOF_LEN * PROOFS */
	/* workspace (sodium_malloc), carved per operation */
	sg_fe *work;
	size_t work_len;
	size_t shard_used, verify_used; /* elements each operation touches (and wipes) */
	uint8_t *bytes; /* byte scratch for joint randomness parts */
	size_t bytes_len;
};

struct sg_prio3_state {
	sg_fe *out_share;
	size_t output_len;
	uint8_t corrected_seed[SG_XOF_SEED_BYTES];
	bool initialized, finished;
};

struct sg_prio3_agg {
	sg_fe *share;
	size_t len;
};

/* XofTurboShake128 started with the DST for `usage` and this context. */
void sg_prio3_xof_start(const sg_prio3 *p, sg_xof *x, const uint8_t *seed, uint16_t usage,
			const uint8_t *ctx, size_t ctx_len);
/* expand_into_vec with a binder given as two pieces (either may be empty). */
void sg_prio3_expand(const sg_prio3 *p, sg_fe *out, size_t n, const uint8_t *seed,
		     uint16_t usage, const uint8_t *ctx, size_t ctx_len, const uint8_t *b1,
		     size_t b1_len, const uint8_t *b2, size_t b2_len);
void sg_prio3_helper_meas_share(const sg_prio3 *p, sg_fe *out, const uint8_t *ctx,
				size_t ctx_len, unsigned agg_id, const uint8_t *seed);
void sg_prio3_helper_proofs_share(const sg_prio3 *p, sg_fe *out, const uint8_t *ctx,
				  size_t ctx_len, unsigned agg_id, const uint8_t *seed);
void sg_prio3_helper_meas_share_and_part(const sg_prio3 *p, sg_fe *meas,
					 uint8_t part[static SG_XOF_SEED_BYTES],
					 const uint8_t *ctx, size_t ctx_len, unsigned agg_id,
					 const uint8_t *seed, const uint8_t *blind,
					 const uint8_t nonce[SG_PRIO3_NONCE_BYTES]);
void sg_prio3_joint_rand_part(const sg_prio3 *p, uint8_t out[static SG_XOF_SEED_BYTES],
			      const uint8_t *ctx, size_t ctx_len, unsigned agg_id,
			      const uint8_t *blind, const sg_fe *meas_share,
			      const uint8_t nonce[SG_PRIO3_NONCE_BYTES]);
void sg_prio3_joint_rand_seed(const sg_prio3 *p, uint8_t out[static SG_XOF_SEED_BYTES],
			      const uint8_t *ctx, size_t ctx_len, const uint8_t *parts);
void sg_prio3_joint_rands(const sg_prio3 *p, sg_fe *out, const uint8_t *ctx, size_t ctx_len,
			  const uint8_t *seed);

/* Shards an already encoded measurement (meas_len elements), valid or not:
 * the client side of a malicious-client test, and the body of sg_prio3_shard. */
int sg_prio3_shard_encoded(sg_prio3 *p, uint8_t *public_share, uint8_t *const *input_shares,
			   const uint8_t *ctx, size_t ctx_len, const sg_fe *meas,
			   const uint8_t nonce[SG_PRIO3_NONCE_BYTES], const uint8_t *rand,
			   size_t rand_len);

#endif
