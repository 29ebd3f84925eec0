/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Prio3 verification (draft-irtf-cfrg-vdaf-20 §7.2.2), aggregation (§7.2.4)
 * and unsharding (§7.2.5). Every decoder checks the exact length and that
 * each field element is canonical before anything is computed from it.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/prio3_internal.h"

int sg_prio3_state_new(const sg_prio3 *p, sg_prio3_state **out)
{
	*out = NULL;
	sg_prio3_state *st = calloc(1, sizeof *st);
	if (st == NULL)
		return SG_ERR_NOMEM;
	st->output_len = p->flp.output_len;
	/* ordinary heap, wiped on free: one state per report in a job, and
	 * sodium_malloc's guard pages cost several system calls each */
	st->out_share = calloc(st->output_len, sizeof(sg_fe));
	if (st->out_share == NULL) {
		free(st);
		return SG_ERR_NOMEM;
	}
	*out = st;
	return 0;
}

void sg_prio3_state_free(sg_prio3_state *st)
{
	if (st == NULL)
		return;
	if (st->out_share != NULL)
		sodium_memzero(st->out_share, st->output_len * sizeof(sg_fe));
	free(st->out_share);
	sodium_memzero(st, sizeof *st);
	free(st);
}

static void state_reset(sg_prio3_state *st)
{
	sodium_memzero(st->out_share, st->output_len * sizeof(sg_fe));
	sodium_memzero(st->corrected_seed, sizeof st->corrected_seed);
	st->initialized = st->finished = false;
}

typedef struct verify_ws {
	sg_fe *meas, *proofs, *joint_rands, *query_rands, *verifiers, *flp;
} verify_ws;

static verify_ws carve_verify(const sg_prio3 *p)
{
	const sg_flp *flp = &p->flp;
	size_t np = p->params.proofs;
	verify_ws w;
	w.meas = p->work;
	w.proofs = w.meas + flp->meas_len;
	w.joint_rands = w.proofs + p->proofs_len;
	w.query_rands = w.joint_rands + np * flp->joint_rand_len;
	w.verifiers = w.query_rands + np * flp->query_rand_len;
	w.flp = w.verifiers + np * flp->verifier_len;
	return w;
}

/* expand_input_share: decode the leader's share, or expand a helper's seed. */
static int expand_input_share(sg_prio3 *p, const verify_ws *w, const uint8_t **blind,
			      uint8_t *own_part, const uint8_t *ctx, size_t ctx_len,
			      unsigned agg_id, const uint8_t *nonce, const uint8_t *in,
			      size_t in_len)
{
	size_t m = p->flp.meas_len;
	*blind = NULL;
	if (in_len != sg_prio3_input_share_bytes(p, agg_id))
		return SG_ERR_LENGTH;
	if (agg_id == 0) {
		int ret = p->f->decode(w->meas, in, m);
		if (ret == 0)
			ret = p->f->decode(w->proofs, in + m * p->enc, p->proofs_len);
		if (ret != 0)
			return ret;
		if (p->joint)
			*blind = in + (m + p->proofs_len) * p->enc;
		return 0;
	}
	if (p->joint) {
		/* the helper's joint randomness part hashes its measurement share
		 * as it is expanded */
		*blind = in + SG_XOF_SEED_BYTES;
		sg_prio3_helper_meas_share_and_part(p, w->meas, own_part, ctx, ctx_len, agg_id, in,
						    *blind, nonce);
	} else {
		sg_prio3_helper_meas_share(p, w->meas, ctx, ctx_len, agg_id, in);
	}
	sg_prio3_helper_proofs_share(p, w->proofs, ctx, ctx_len, agg_id, in);
	return 0;
}

/* Corrected joint randomness: the public parts with this aggregator's own
 * part recomputed from its share (a helper's was computed while expanding);
 * the seed is kept for verify_next. */
static void correct_joint_rand(sg_prio3 *p, sg_prio3_state *st, const verify_ws *w,
			       uint8_t *own_part, const uint8_t *ctx, size_t ctx_len,
			       unsigned agg_id, const uint8_t *nonce, const uint8_t *blind,
			       const uint8_t *public_share, size_t public_share_len)
{
	if (!p->joint)
		return;
	if (agg_id == 0)
		sg_prio3_joint_rand_part(p, own_part, ctx, ctx_len, agg_id, blind, w->meas, nonce);
	memcpy(p->bytes, public_share, public_share_len);
	memcpy(p->bytes + agg_id * SG_XOF_SEED_BYTES, own_part, SG_XOF_SEED_BYTES);
	sg_prio3_joint_rand_seed(p, st->corrected_seed, ctx, ctx_len, p->bytes);
	sg_prio3_joint_rands(p, w->joint_rands, ctx, ctx_len, st->corrected_seed);
}

static int query_all(sg_prio3 *p, const verify_ws *w, const uint8_t *verify_key,
		     const uint8_t *ctx, size_t ctx_len, const uint8_t *nonce)
{
	const sg_flp *flp = &p->flp;
	unsigned np = p->params.proofs;
	uint8_t b = (uint8_t)np;
	sg_prio3_expand(p, w->query_rands, np * flp->query_rand_len, verify_key,
			USAGE_QUERY_RANDOMNESS, ctx, ctx_len, &b, 1, nonce, SG_PRIO3_NONCE_BYTES);
	for (unsigned i = 0; i < np; i++) {
		int ret = sg_flp_query(flp, &w->verifiers[i * flp->verifier_len], w->meas,
				       &w->proofs[i * flp->proof_len],
				       &w->query_rands[i * flp->query_rand_len],
				       &w->joint_rands[i * flp->joint_rand_len], w->flp);
		if (ret != 0)
			return ret;
	}
	return 0;
}

int sg_prio3_verify_init(sg_prio3 *p, sg_prio3_state *st, uint8_t *verifier_share,
			 const uint8_t verify_key[SG_PRIO3_VERIFY_KEY_BYTES], const uint8_t *ctx,
			 size_t ctx_len, unsigned agg_id,
			 const uint8_t nonce[SG_PRIO3_NONCE_BYTES], const uint8_t *public_share,
			 size_t public_share_len, const uint8_t *input_share,
			 size_t input_share_len)
{
	int ret = SG_ERR_PARAM;
	size_t vlen = p->flp.verifier_len * p->params.proofs;
	const uint8_t *blind = NULL;
	uint8_t part[SG_XOF_SEED_BYTES] = { 0 };
	verify_ws w = carve_verify(p);
	state_reset(st);
	if (agg_id >= p->params.shares || st->output_len != p->flp.output_len)
		goto cleanup;
	ret = SG_ERR_LENGTH;
	if (public_share_len != sg_prio3_public_share_bytes(p))
		goto cleanup;
	ret = expand_input_share(p, &w, &blind, part, ctx, ctx_len, agg_id, nonce, input_share,
				 input_share_len);
	if (ret != 0)
		goto cleanup;
	correct_joint_rand(p, st, &w, part, ctx, ctx_len, agg_id, nonce, blind, public_share,
			   public_share_len);
	ret = query_all(p, &w, verify_key, ctx, ctx_len, nonce);
	if (ret != 0)
		goto cleanup;
	sg_flp_truncate(&p->flp, st->out_share, w.meas);
	p->f->encode(verifier_share, w.verifiers, vlen);
	if (p->joint)
		memcpy(verifier_share + vlen * p->enc, part, SG_XOF_SEED_BYTES);
	st->initialized = true;
	ret = 0;
cleanup:
	if (ret != 0) {
		state_reset(st);
		memset(verifier_share, 0, sg_prio3_verifier_share_bytes(p));
	}
	sodium_memzero(part, sizeof part);
	sodium_memzero(p->work, p->verify_used * sizeof(sg_fe));
	sodium_memzero(p->bytes, p->bytes_len);
	return ret;
}

int sg_prio3_verifier_shares_to_message(sg_prio3 *p, uint8_t *message, const uint8_t *ctx,
					size_t ctx_len, const uint8_t *const *verifier_shares,
					const size_t *lens)
{
	int ret = SG_ERR_LENGTH;
	const sg_flp *flp = &p->flp;
	size_t vlen = flp->verifier_len * p->params.proofs;
	sg_fe *sum = p->work, *tmp = p->work + vlen;
	for (unsigned j = 0; j < p->params.shares; j++)
		if (lens[j] != sg_prio3_verifier_share_bytes(p))
			goto cleanup;
	for (size_t i = 0; i < vlen; i++)
		p->f->zero(&sum[i]);
	for (unsigned j = 0; j < p->params.shares; j++) {
		ret = p->f->decode(tmp, verifier_shares[j], vlen);
		if (ret != 0)
			goto cleanup;
		p->f->vec_add(sum, tmp, vlen);
		if (p->joint)
			memcpy(p->bytes + j * SG_XOF_SEED_BYTES, verifier_shares[j] + vlen * p->enc,
			       SG_XOF_SEED_BYTES);
	}
	ret = SG_ERR_VERIFY;
	for (unsigned i = 0; i < p->params.proofs; i++)
		if (!sg_flp_decide(flp, &sum[i * flp->verifier_len]))
			goto cleanup;
	if (p->joint)
		sg_prio3_joint_rand_seed(p, message, ctx, ctx_len, p->bytes);
	ret = 0;
cleanup:
	if (ret != 0)
		memset(message, 0, sg_prio3_verifier_message_bytes(p));
	sodium_memzero(p->work, 2 * vlen * sizeof(sg_fe));
	sodium_memzero(p->bytes, p->bytes_len);
	return ret;
}

int sg_prio3_verify_next(const sg_prio3 *p, sg_prio3_state *st, const uint8_t *message,
			 size_t message_len)
{
	if (!st->initialized || st->finished)
		return SG_ERR_STATE;
	int ret = 0;
	if (message_len != sg_prio3_verifier_message_bytes(p))
		ret = SG_ERR_LENGTH;
	else if (p->joint && sodium_memcmp(message, st->corrected_seed, SG_XOF_SEED_BYTES) != 0)
		ret = SG_ERR_JOINT_RAND;
	if (ret != 0) {
		state_reset(st);
		return ret;
	}
	st->finished = true;
	return 0;
}

size_t sg_prio3_state_bytes(const sg_prio3 *p)
{
	return p->flp.output_len * p->enc + (p->joint ? SG_XOF_SEED_BYTES : 0);
}

int sg_prio3_state_encode(const sg_prio3 *p, uint8_t *out, const sg_prio3_state *st)
{
	if (!st->initialized || st->finished || st->output_len != p->flp.output_len) {
		memset(out, 0, sg_prio3_state_bytes(p));
		return SG_ERR_STATE;
	}
	p->f->encode(out, st->out_share, st->output_len);
	if (p->joint)
		memcpy(out + st->output_len * p->enc, st->corrected_seed, SG_XOF_SEED_BYTES);
	return 0;
}

int sg_prio3_state_decode(const sg_prio3 *p, sg_prio3_state *st, const uint8_t *in, size_t len)
{
	state_reset(st);
	if (st->output_len != p->flp.output_len)
		return SG_ERR_STATE;
	if (len != sg_prio3_state_bytes(p))
		return SG_ERR_LENGTH;
	int ret = p->f->decode(st->out_share, in, st->output_len);
	if (ret != 0) {
		state_reset(st);
		return ret;
	}
	if (p->joint)
		memcpy(st->corrected_seed, in + st->output_len * p->enc, SG_XOF_SEED_BYTES);
	st->initialized = true;
	return 0;
}

int sg_prio3_out_share_encode(const sg_prio3 *p, uint8_t *out, const sg_prio3_state *st)
{
	if (!st->finished) {
		memset(out, 0, sg_prio3_out_share_bytes(p));
		return SG_ERR_STATE;
	}
	p->f->encode(out, st->out_share, st->output_len);
	return 0;
}

int sg_prio3_agg_new(const sg_prio3 *p, sg_prio3_agg **out)
{
	*out = NULL;
	sg_prio3_agg *agg = calloc(1, sizeof *agg);
	if (agg == NULL)
		return SG_ERR_NOMEM;
	agg->len = p->flp.output_len;
	agg->share = sodium_allocarray(agg->len, sizeof(sg_fe));
	if (agg->share == NULL) {
		free(agg);
		return SG_ERR_NOMEM;
	}
	for (size_t i = 0; i < agg->len; i++)
		p->f->zero(&agg->share[i]);
	*out = agg;
	return 0;
}

void sg_prio3_agg_free(sg_prio3_agg *agg)
{
	if (agg == NULL)
		return;
	sodium_free(agg->share);
	free(agg);
}

int sg_prio3_aggregate(const sg_prio3 *p, sg_prio3_agg *agg, const sg_prio3_state *st)
{
	if (!st->finished || agg->len != st->output_len)
		return SG_ERR_STATE;
	p->f->vec_add(agg->share, st->out_share, agg->len);
	return 0;
}

int sg_prio3_agg_add_encoded(const sg_prio3 *p, sg_prio3_agg *agg, const uint8_t *share,
			     size_t len)
{
	if (len != sg_prio3_out_share_bytes(p) || agg->len != p->flp.output_len)
		return SG_ERR_LENGTH;
	return p->f->add_encoded(agg->share, share, agg->len);
}

void sg_prio3_agg_encode(const sg_prio3 *p, uint8_t *out, const sg_prio3_agg *agg)
{
	p->f->encode(out, agg->share, agg->len);
}

/* Little-endian canonical encoding -> uint64, or false if it needs more bits. */
static bool fits_u64(const uint8_t *enc, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	for (size_t i = 0; i < len; i++) {
		if (i >= 8 && enc[i] != 0)
			return false;
		if (i < 8)
			v |= (uint64_t)enc[i] << (8 * i);
	}
	*out = v;
	return true;
}

int sg_prio3_unshard(const sg_prio3 *p, uint64_t *result, size_t result_len,
		     const uint8_t *const *agg_shares, const size_t *lens,
		     uint64_t num_measurements)
{
	int ret = SG_ERR_PARAM;
	/* the sum of every aggregate share is the published result: no secret */
	sg_prio3_agg sum = { calloc(p->flp.output_len + 1, sizeof(sg_fe)), p->flp.output_len };
	uint8_t enc[16];
	if (result_len != p->flp.output_len || num_measurements == 0)
		goto cleanup;
	ret = sum.share ? 0 : SG_ERR_NOMEM;
	for (unsigned j = 0; ret == 0 && j < p->params.shares; j++)
		ret = sg_prio3_agg_add_encoded(p, &sum, agg_shares[j], lens[j]);
	if (ret != 0)
		goto cleanup;
	for (size_t i = 0; i < result_len; i++) {
		p->f->encode(enc, &sum.share[i], 1);
		if (!fits_u64(enc, p->enc, &result[i])) {
			ret = SG_ERR_OVERFLOW;
			goto cleanup;
		}
	}
	ret = 0;
cleanup:
	if (ret != 0)
		memset(result, 0, result_len * sizeof *result);
	free(sum.share);
	return ret;
}
