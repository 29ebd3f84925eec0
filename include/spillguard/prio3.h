/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SPILLGUARD_PRIO3_H
#define SPILLGUARD_PRIO3_H

/*
 * Prio3 as specified in draft-irtf-cfrg-vdaf-20 §7, with XofTurboShake128.
 *
 * Every message crosses this API as bytes in the draft's encodings; decoders
 * check lengths and that each field element is canonical before any
 * arithmetic. A handle carries a workspace for the operations, so use one
 * handle per thread. Secrets (measurement shares, seeds, proofs) live in
 * sodium_malloc'd memory and are wiped after each operation.
 *
 * All functions return 0 or a negative enum sg_err (spillguard/err.h); on
 * failure every output buffer is zeroed.
 */
#include <stddef.h>
#include <stdint.h>

#include "spillguard/err.h"
#include "spillguard/export.h"

#define SG_PRIO3_NONCE_BYTES 16
#define SG_PRIO3_SEED_BYTES 32
#define SG_PRIO3_VERIFY_KEY_BYTES 32

enum sg_prio3_circuit {
	SG_PRIO3_COUNT,
	SG_PRIO3_SUM,
	SG_PRIO3_SUMVEC,
	SG_PRIO3_HISTOGRAM,
	SG_PRIO3_MULTIHOT_COUNTVEC,
	SG_PRIO3_HIGHER_DEGREE_TEST, /* the draft's degree-3 test circuit, for its vectors */
	SG_PRIO3_BOUNDED_SUMVEC,     /* SumVec with a bound per element (docs/bounded-circuit.md) */
};

/* Algorithm ids of Prio3BoundedSumVec, from the draft's private-use range
 * 0xFFFF0000..0xFFFFFFFF: over Field128 (the default), and over Field64
 * with any number of proofs. */
#define SG_PRIO3_BOUNDED_SUMVEC_ID 0xFFFF0001u
#define SG_PRIO3_BOUNDED_SUMVEC_MULTIPROOF_ID 0xFFFF0002u

enum sg_prio3_field {
	SG_PRIO3_FIELD64,
	SG_PRIO3_FIELD128,
};

typedef struct sg_prio3_params {
	enum sg_prio3_circuit circuit;
	enum sg_prio3_field field;
	uint32_t algorithm_id;    /* 1..5 for the standard variants, 0xFFFFFFFF experimental,
				     SG_PRIO3_BOUNDED_SUMVEC_*_ID */
	unsigned shares;          /* 2..255 */
	unsigned proofs;          /* 1..255 */
	uint64_t length;          /* SumVec, Histogram, MultihotCountVec */
	uint64_t max_measurement; /* Sum, SumVec */
	uint64_t chunk_length;    /* SumVec, Histogram, MultihotCountVec */
	uint64_t max_weight;      /* MultihotCountVec */
	/* BoundedSumVec: element i lies in [0, max_measurements[i]], each
	 * bound >= 1; max_measurements_len must equal length. sg_prio3_new
	 * copies the array (the handle's params then point at its copy). */
	const uint64_t *max_measurements;
	size_t max_measurements_len;
} sg_prio3_params;

/* Fills the draft's instantiation of a circuit (field, algorithm id, one
 * proof) with zero circuit parameters for the caller to set. */
SG_API void sg_prio3_params_standard(sg_prio3_params *params, enum sg_prio3_circuit circuit,
				     unsigned shares);

/* A chunk_length for SumVec, BoundedSumVec, Histogram or MultihotCountVec that keeps the
 * proof cheap for these parameters (about sqrt of the encoded length);
 * 0 for circuits without one. */
SG_API uint64_t sg_prio3_default_chunk_length(const sg_prio3_params *params);

typedef struct sg_prio3 sg_prio3;
typedef struct sg_prio3_state sg_prio3_state;
typedef struct sg_prio3_agg sg_prio3_agg;

SG_API SG_MUST_CHECK int sg_prio3_new(sg_prio3 **out, const sg_prio3_params *params);
SG_API void sg_prio3_free(sg_prio3 *p);

/* Sizes in bytes of the draft's encodings, and of the measurement in values. */
SG_API size_t sg_prio3_rand_bytes(const sg_prio3 *p);
SG_API size_t sg_prio3_public_share_bytes(const sg_prio3 *p);
SG_API size_t sg_prio3_input_share_bytes(const sg_prio3 *p, unsigned agg_id);
SG_API size_t sg_prio3_verifier_share_bytes(const sg_prio3 *p);
SG_API size_t sg_prio3_verifier_message_bytes(const sg_prio3 *p);
SG_API size_t sg_prio3_out_share_bytes(const sg_prio3 *p); /* = aggregate share */
SG_API size_t sg_prio3_measurement_len(const sg_prio3 *p);
SG_API size_t sg_prio3_output_len(const sg_prio3 *p);
SG_API unsigned sg_prio3_shares(const sg_prio3 *p);

/*
 * Client: splits `measurement` (measurement_len integers: Count 0/1, Sum one
 * value, SumVec and BoundedSumVec one per element, Histogram the bucket index,
 * MultihotCountVec 0/1 per element) into a public share and one input share
 * per aggregator. input_shares[i] has room for input_share_bytes(i).
 * `rand` is rand_bytes of fresh randomness (sg_prio3_shard_random draws it).
 */
SG_API SG_MUST_CHECK int sg_prio3_shard(sg_prio3 *p, uint8_t *public_share,
					uint8_t *const *input_shares, const uint8_t *ctx,
					size_t ctx_len, const uint64_t *measurement,
					size_t measurement_len,
					const uint8_t nonce[SG_PRIO3_NONCE_BYTES],
					const uint8_t *rand, size_t rand_len);
SG_API SG_MUST_CHECK int sg_prio3_shard_random(sg_prio3 *p, uint8_t *public_share,
					       uint8_t *const *input_shares,
					       const uint8_t *ctx, size_t ctx_len,
					       const uint64_t *measurement,
					       size_t measurement_len,
					       const uint8_t nonce[SG_PRIO3_NONCE_BYTES]);

/* Verification state of one report at one aggregator. */
SG_API SG_MUST_CHECK int sg_prio3_state_new(const sg_prio3 *p, sg_prio3_state **out);
SG_API void sg_prio3_state_free(sg_prio3_state *st);

/*
 * A state between verify_init and verify_next, encoded as the draft's
 * Prio3PrepState (the output share, then the corrected joint randomness
 * seed when the circuit has one): for an aggregator that keeps it to
 * finish later. Encoding a state that is not waiting for verify_next is
 * SG_ERR_STATE (out zeroed). Decoding checks the length and that every
 * field element is canonical (SG_ERR_LENGTH, SG_ERR_NONCANONICAL; the
 * state is then reset); a decoded state waits for verify_next.
 */
SG_API size_t sg_prio3_state_bytes(const sg_prio3 *p);
SG_API SG_MUST_CHECK int sg_prio3_state_encode(const sg_prio3 *p, uint8_t *out,
					       const sg_prio3_state *st);
SG_API SG_MUST_CHECK int sg_prio3_state_decode(const sg_prio3 *p, sg_prio3_state *st,
					       const uint8_t *in, size_t len);

/* Aggregator agg_id: decodes its input share, evaluates the proof, and
 * writes its verifier share (verifier_share_bytes). */
SG_API SG_MUST_CHECK int sg_prio3_verify_init(sg_prio3 *p, sg_prio3_state *st,
					      uint8_t *verifier_share,
					      const uint8_t verify_key[SG_PRIO3_VERIFY_KEY_BYTES],
					      const uint8_t *ctx, size_t ctx_len, unsigned agg_id,
					      const uint8_t nonce[SG_PRIO3_NONCE_BYTES],
					      const uint8_t *public_share, size_t public_share_len,
					      const uint8_t *input_share, size_t input_share_len);

/* Combines all aggregators' verifier shares (in aggregator order) and
 * decides: SG_ERR_VERIFY when the proof is rejected. Writes the verifier
 * message (verifier_message_bytes; 0 without joint randomness). */
SG_API SG_MUST_CHECK int sg_prio3_verifier_shares_to_message(
	sg_prio3 *p, uint8_t *message, const uint8_t *ctx, size_t ctx_len,
	const uint8_t *const *verifier_shares, const size_t *verifier_share_lens);

/* Checks the message against this aggregator's corrected joint randomness:
 * SG_ERR_LENGTH for a message of the wrong length, SG_ERR_JOINT_RAND for one
 * that does not match. Either way the state is spent; on success it holds
 * the output share. */
SG_API SG_MUST_CHECK int sg_prio3_verify_next(const sg_prio3 *p, sg_prio3_state *st,
					      const uint8_t *message, size_t message_len);
SG_API SG_MUST_CHECK int sg_prio3_out_share_encode(const sg_prio3 *p, uint8_t *out,
						   const sg_prio3_state *st);

/* Aggregate share: the sum of output shares. */
SG_API SG_MUST_CHECK int sg_prio3_agg_new(const sg_prio3 *p, sg_prio3_agg **out);
SG_API void sg_prio3_agg_free(sg_prio3_agg *agg);
SG_API SG_MUST_CHECK int sg_prio3_aggregate(const sg_prio3 *p, sg_prio3_agg *agg,
					    const sg_prio3_state *st);
/* Adds an encoded output share or aggregate share (same encoding). */
SG_API SG_MUST_CHECK int sg_prio3_agg_add_encoded(const sg_prio3 *p, sg_prio3_agg *agg,
						  const uint8_t *share, size_t len);
SG_API void sg_prio3_agg_encode(const sg_prio3 *p, uint8_t *out, const sg_prio3_agg *agg);

/* Collector: sums the aggregate shares (aggregator order) and decodes the
 * result into output_len integers; SG_ERR_OVERFLOW if one exceeds 64 bits. */
SG_API SG_MUST_CHECK int sg_prio3_unshard(const sg_prio3 *p, uint64_t *result, size_t result_len,
					  const uint8_t *const *agg_shares, const size_t *lens,
					  uint64_t num_measurements);

#endif
