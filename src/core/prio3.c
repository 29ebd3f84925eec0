/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Prio3 (draft-irtf-cfrg-vdaf-20 §7): instantiation, sizes, the XOF uses
 * of §7.2, and sharding (§7.2.1).
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/prio3_internal.h"

void sg_prio3_params_standard(sg_prio3_params *params, enum sg_prio3_circuit circuit,
			      unsigned shares)
{
	static const uint32_t ids[] = {
		[SG_PRIO3_COUNT] = 1,
		[SG_PRIO3_SUM] = 2,
		[SG_PRIO3_SUMVEC] = 3,
		[SG_PRIO3_HISTOGRAM] = 4,
		[SG_PRIO3_MULTIHOT_COUNTVEC] = 5,
		[SG_PRIO3_HIGHER_DEGREE_TEST] = 0xffffffffu,
		[SG_PRIO3_BOUNDED_SUMVEC] = SG_PRIO3_BOUNDED_SUMVEC_ID,
	};
	memset(params, 0, sizeof *params);
	params->circuit = circuit;
	params->shares = shares;
	params->proofs = 1;
	params->algorithm_id = (unsigned)circuit < sizeof ids / sizeof ids[0] ? ids[circuit] : 0;
	bool f64 = circuit == SG_PRIO3_COUNT || circuit == SG_PRIO3_SUM ||
		   circuit == SG_PRIO3_HIGHER_DEGREE_TEST;
	params->field = f64 ? SG_PRIO3_FIELD64 : SG_PRIO3_FIELD128;
}

static int circuit_of(enum sg_prio3_circuit c, enum sg_circuit *out)
{
	switch (c) {
	case SG_PRIO3_COUNT: *out = SG_CIRCUIT_COUNT; return 0;
	case SG_PRIO3_SUM: *out = SG_CIRCUIT_SUM; return 0;
	case SG_PRIO3_SUMVEC: *out = SG_CIRCUIT_SUMVEC; return 0;
	case SG_PRIO3_HISTOGRAM: *out = SG_CIRCUIT_HISTOGRAM; return 0;
	case SG_PRIO3_MULTIHOT_COUNTVEC: *out = SG_CIRCUIT_MULTIHOT; return 0;
	case SG_PRIO3_HIGHER_DEGREE_TEST: *out = SG_CIRCUIT_HIGHER_DEGREE; return 0;
	case SG_PRIO3_BOUNDED_SUMVEC: *out = SG_CIRCUIT_BOUNDED_SUMVEC; return 0;
	}
	return SG_ERR_PARAM;
}

/*
 * One workspace serves shard and verify_init:
 *   shard:  meas, leader meas, helper share, proofs, prove rands, joint rands, flp
 *   verify: meas share, proofs share, joint rands, query rands, verifiers, flp
 */
static void workspace_len(sg_prio3 *p)
{
	const sg_flp *flp = &p->flp;
	size_t proofs = p->params.proofs, m = flp->meas_len;
	size_t big = m > p->proofs_len ? m : p->proofs_len;
	size_t shard = 2 * m + big + p->proofs_len + proofs * flp->prove_rand_len +
		       proofs * flp->joint_rand_len;
	size_t verify = m + p->proofs_len + proofs * flp->joint_rand_len +
			proofs * flp->query_rand_len + proofs * flp->verifier_len;
	p->shard_used = shard + flp->work_len;
	p->verify_used = verify + flp->query_work_len;
	p->work_len = p->shard_used > p->verify_used ? p->shard_used : p->verify_used;
}

static int alloc_workspace(sg_prio3 *p)
{
	workspace_len(p);
	p->work = sodium_allocarray(p->work_len, sizeof(sg_fe));
	p->bytes_len = (size_t)p->params.shares * SG_XOF_SEED_BYTES;
	p->bytes = sodium_malloc(p->bytes_len);
	return (p->work && p->bytes) ? 0 : SG_ERR_NOMEM;
}

int sg_prio3_new(sg_prio3 **out, const sg_prio3_params *params)
{
	int ret = SG_ERR_PARAM;
	sg_circuit_params cp = { 0 };
	*out = NULL;
	if (params->shares < 2 || params->shares > 255 || params->proofs < 1 ||
	    params->proofs > 255 || circuit_of(params->circuit, &cp.circuit) != 0 ||
	    (params->field != SG_PRIO3_FIELD64 && params->field != SG_PRIO3_FIELD128))
		return SG_ERR_PARAM;
	if (params->circuit == SG_PRIO3_BOUNDED_SUMVEC &&
	    (params->max_measurements == NULL || params->max_measurements_len != params->length))
		return SG_ERR_PARAM;
	if (sodium_init() < 0)
		return SG_ERR_NOMEM;
	sg_prio3 *p = calloc(1, sizeof *p);
	if (p == NULL)
		return SG_ERR_NOMEM;
	p->params = *params;
	p->f = params->field == SG_PRIO3_FIELD64 ? &sg_field64 : &sg_field128;
	cp.length = params->length;
	cp.max_measurement = params->max_measurement;
	cp.chunk_length = params->chunk_length;
	cp.max_weight = params->max_weight;
	if (params->circuit == SG_PRIO3_BOUNDED_SUMVEC)
		cp.max_measurements = params->max_measurements;
	ret = sg_flp_init(&p->flp, p->f, &cp, params->shares);
	if (ret != 0)
		goto cleanup;
	/* the caller's bounds may go away: the handle reads the flp's copy */
	p->params.max_measurements = p->flp.maxes;
	p->joint = p->flp.joint_rand_len > 0;
	p->enc = p->f->encoded_size;
	p->proofs_len = p->flp.proof_len * params->proofs;
	ret = alloc_workspace(p);
	if (ret != 0)
		goto cleanup;
	*out = p;
	p = NULL;
cleanup:
	sg_prio3_free(p);
	return ret;
}

void sg_prio3_free(sg_prio3 *p)
{
	if (p == NULL)
		return;
	sg_flp_free(&p->flp);
	sodium_free(p->work);
	sodium_free(p->bytes);
	free(p);
}

size_t sg_prio3_rand_bytes(const sg_prio3 *p)
{
	return (size_t)p->params.shares * SG_XOF_SEED_BYTES * (p->joint ? 2 : 1);
}

size_t sg_prio3_public_share_bytes(const sg_prio3 *p)
{
	return p->joint ? (size_t)p->params.shares * SG_XOF_SEED_BYTES : 0;
}

size_t sg_prio3_input_share_bytes(const sg_prio3 *p, unsigned agg_id)
{
	size_t blind = p->joint ? SG_XOF_SEED_BYTES : 0;
	if (agg_id == 0)
		return p->enc * (p->flp.meas_len + p->proofs_len) + blind;
	return SG_XOF_SEED_BYTES + blind;
}

size_t sg_prio3_verifier_share_bytes(const sg_prio3 *p)
{
	return p->enc * p->flp.verifier_len * p->params.proofs + (p->joint ? SG_XOF_SEED_BYTES : 0);
}

size_t sg_prio3_verifier_message_bytes(const sg_prio3 *p)
{
	return p->joint ? SG_XOF_SEED_BYTES : 0;
}

size_t sg_prio3_out_share_bytes(const sg_prio3 *p)
{
	return p->enc * p->flp.output_len;
}

size_t sg_prio3_measurement_len(const sg_prio3 *p)
{
	return sg_flp_measurement_count(&p->flp);
}

size_t sg_prio3_output_len(const sg_prio3 *p)
{
	return p->flp.output_len;
}

unsigned sg_prio3_shares(const sg_prio3 *p)
{
	return p->params.shares;
}

/* §7.2 / §5: dst = VERSION || algo_class (0) || be32(id) || be16(usage) || ctx */
void sg_prio3_xof_start(const sg_prio3 *p, sg_xof *x, const uint8_t *seed, uint16_t usage,
			const uint8_t *ctx, size_t ctx_len)
{
	uint8_t prefix[SG_DST_PREFIX_BYTES];
	uint32_t id = p->params.algorithm_id;
	prefix[0] = SG_VDAF_VERSION;
	prefix[1] = 0;
	prefix[2] = (uint8_t)(id >> 24);
	prefix[3] = (uint8_t)(id >> 16);
	prefix[4] = (uint8_t)(id >> 8);
	prefix[5] = (uint8_t)id;
	prefix[6] = (uint8_t)(usage >> 8);
	prefix[7] = (uint8_t)usage;
	/* The XOF absorbs le16(len(dst)) || dst || le8(len(seed)) || seed; the
	 * dst arrives in two pieces, so the header is written here. */
	size_t dst_len = sizeof prefix + ctx_len;
	uint8_t hdr[2] = { (uint8_t)dst_len, (uint8_t)(dst_len >> 8) };
	uint8_t seed_len = SG_XOF_SEED_BYTES;
	sg_turboshake128_init(&x->ts);
	sg_turboshake128_absorb(&x->ts, hdr, sizeof hdr);
	sg_turboshake128_absorb(&x->ts, prefix, sizeof prefix);
	sg_turboshake128_absorb(&x->ts, ctx, ctx_len);
	sg_turboshake128_absorb(&x->ts, &seed_len, 1);
	sg_turboshake128_absorb(&x->ts, seed, SG_XOF_SEED_BYTES);
}

void sg_prio3_expand(const sg_prio3 *p, sg_fe *out, size_t n, const uint8_t *seed,
		     uint16_t usage, const uint8_t *ctx, size_t ctx_len, const uint8_t *b1,
		     size_t b1_len, const uint8_t *b2, size_t b2_len)
{
	sg_xof x;
	sg_prio3_xof_start(p, &x, seed, usage, ctx, ctx_len);
	sg_xof_absorb(&x, b1, b1_len);
	sg_xof_absorb(&x, b2, b2_len);
	p->f->sample(out, n, &x);
	sg_xof_wipe(&x);
}

void sg_prio3_helper_meas_share(const sg_prio3 *p, sg_fe *out, const uint8_t *ctx,
				size_t ctx_len, unsigned agg_id, const uint8_t *seed)
{
	uint8_t b = (uint8_t)agg_id;
	sg_prio3_expand(p, out, p->flp.meas_len, seed, USAGE_MEAS_SHARE, ctx, ctx_len, &b, 1,
			NULL, 0);
}

void sg_prio3_helper_proofs_share(const sg_prio3 *p, sg_fe *out, const uint8_t *ctx,
				  size_t ctx_len, unsigned agg_id, const uint8_t *seed)
{
	uint8_t b[2] = { (uint8_t)p->params.proofs, (uint8_t)agg_id };
	sg_prio3_expand(p, out, p->proofs_len, seed, USAGE_PROOF_SHARE, ctx, ctx_len, b, 2, NULL,
			0);
}

/* The joint randomness part's XOF up to the encoded measurement share. */
static void part_xof_start(const sg_prio3 *p, sg_xof *x, const uint8_t *ctx, size_t ctx_len,
			   unsigned agg_id, const uint8_t *blind,
			   const uint8_t nonce[SG_PRIO3_NONCE_BYTES])
{
	uint8_t id = (uint8_t)agg_id;
	sg_prio3_xof_start(p, x, blind, USAGE_JOINT_RAND_PART, ctx, ctx_len);
	sg_xof_absorb(x, &id, 1);
	sg_xof_absorb(x, nonce, SG_PRIO3_NONCE_BYTES);
}

/* A helper's measurement share and its joint randomness part together:
 * the share's encoding is hashed as it is squeezed (sg_field_sample_absorb). */
void sg_prio3_helper_meas_share_and_part(const sg_prio3 *p, sg_fe *meas,
					 uint8_t part[static SG_XOF_SEED_BYTES],
					 const uint8_t *ctx, size_t ctx_len, unsigned agg_id,
					 const uint8_t *seed, const uint8_t *blind,
					 const uint8_t nonce[SG_PRIO3_NONCE_BYTES])
{
	sg_xof a, b;
	uint8_t id = (uint8_t)agg_id;
	sg_prio3_xof_start(p, &a, seed, USAGE_MEAS_SHARE, ctx, ctx_len);
	sg_xof_absorb(&a, &id, 1);
	part_xof_start(p, &b, ctx, ctx_len, agg_id, blind, nonce);
	sg_field_sample_absorb(p->f, meas, p->flp.meas_len, &a, &b);
	sg_xof_next(&b, part, SG_XOF_SEED_BYTES);
	sg_xof_wipe(&a);
	sg_xof_wipe(&b);
}

/* derive_seed(blind, dst(JOINT_RAND_PART), byte(agg_id) || nonce || encode(meas_share)) */
void sg_prio3_joint_rand_part(const sg_prio3 *p, uint8_t out[static SG_XOF_SEED_BYTES],
			      const uint8_t *ctx, size_t ctx_len, unsigned agg_id,
			      const uint8_t *blind, const sg_fe *meas_share,
			      const uint8_t nonce[SG_PRIO3_NONCE_BYTES])
{
	sg_xof x;
	uint8_t buf[16 * 64];
	size_t per = sizeof buf / p->enc;
	part_xof_start(p, &x, ctx, ctx_len, agg_id, blind, nonce);
	for (size_t i = 0; i < p->flp.meas_len; i += per) {
		size_t k = p->flp.meas_len - i < per ? p->flp.meas_len - i : per;
		p->f->encode(buf, &meas_share[i], k);
		sg_xof_absorb(&x, buf, k * p->enc);
	}
	sg_xof_next(&x, out, SG_XOF_SEED_BYTES);
	sg_xof_wipe(&x);
	sodium_memzero(buf, sizeof buf);
}

void sg_prio3_joint_rand_seed(const sg_prio3 *p, uint8_t out[static SG_XOF_SEED_BYTES],
			      const uint8_t *ctx, size_t ctx_len, const uint8_t *parts)
{
	static const uint8_t zeros[SG_XOF_SEED_BYTES];
	sg_xof x;
	sg_prio3_xof_start(p, &x, zeros, USAGE_JOINT_RAND_SEED, ctx, ctx_len);
	sg_xof_absorb(&x, parts, (size_t)p->params.shares * SG_XOF_SEED_BYTES);
	sg_xof_next(&x, out, SG_XOF_SEED_BYTES);
	sg_xof_wipe(&x);
}

void sg_prio3_joint_rands(const sg_prio3 *p, sg_fe *out, const uint8_t *ctx, size_t ctx_len,
			  const uint8_t *seed)
{
	uint8_t b = (uint8_t)p->params.proofs;
	sg_prio3_expand(p, out, p->flp.joint_rand_len * p->params.proofs, seed,
			USAGE_JOINT_RANDOMNESS, ctx, ctx_len, &b, 1, NULL, 0);
}

typedef struct shard_ws {
	sg_fe *meas, *leader, *tmp, *proofs, *prove_rands, *joint_rands, *flp;
} shard_ws;

static shard_ws carve_shard(const sg_prio3 *p)
{
	const sg_flp *flp = &p->flp;
	size_t m = flp->meas_len, np = p->params.proofs;
	size_t big = m > p->proofs_len ? m : p->proofs_len;
	shard_ws w;
	w.meas = p->work;
	w.leader = w.meas + m;
	w.tmp = w.leader + m;
	w.proofs = w.tmp + big;
	w.prove_rands = w.proofs + p->proofs_len;
	w.joint_rands = w.prove_rands + np * flp->prove_rand_len;
	w.flp = w.joint_rands + np * flp->joint_rand_len;
	return w;
}

/* Leader's measurement share and, with joint randomness, every part. */
static void share_measurement(sg_prio3 *p, const shard_ws *w, uint8_t *parts,
			      const uint8_t *ctx, size_t ctx_len, const uint8_t *nonce,
			      const uint8_t *const *seeds, const uint8_t *const *blinds,
			      const uint8_t *leader_blind)
{
	const sg_field *f = p->f;
	memcpy(w->leader, w->meas, p->flp.meas_len * sizeof *w->leader);
	for (unsigned j = 1; j < p->params.shares; j++) {
		if (p->joint)
			sg_prio3_helper_meas_share_and_part(p, w->tmp, parts + j * SG_XOF_SEED_BYTES,
							    ctx, ctx_len, j, seeds[j], blinds[j],
							    nonce);
		else
			sg_prio3_helper_meas_share(p, w->tmp, ctx, ctx_len, j, seeds[j]);
		f->vec_sub(w->leader, w->tmp, p->flp.meas_len);
	}
	if (p->joint)
		sg_prio3_joint_rand_part(p, parts, ctx, ctx_len, 0, leader_blind, w->leader, nonce);
}

/* The leader's proofs share: all proofs minus each helper's expanded share. */
static void share_proofs(sg_prio3 *p, const shard_ws *w, const uint8_t *ctx, size_t ctx_len,
			 const uint8_t *const *seeds, const uint8_t *prove_seed,
			 const uint8_t *parts)
{
	const sg_flp *flp = &p->flp;
	unsigned np = p->params.proofs;
	uint8_t b = (uint8_t)np;
	sg_prio3_expand(p, w->prove_rands, np * flp->prove_rand_len, prove_seed,
			USAGE_PROVE_RANDOMNESS, ctx, ctx_len, &b, 1, NULL, 0);
	if (p->joint) {
		uint8_t jr_seed[SG_XOF_SEED_BYTES];
		sg_prio3_joint_rand_seed(p, jr_seed, ctx, ctx_len, parts);
		sg_prio3_joint_rands(p, w->joint_rands, ctx, ctx_len, jr_seed);
		sodium_memzero(jr_seed, sizeof jr_seed);
	}
	for (unsigned i = 0; i < np; i++)
		sg_flp_prove(flp, &w->proofs[i * flp->proof_len], w->meas,
			     &w->prove_rands[i * flp->prove_rand_len],
			     &w->joint_rands[i * flp->joint_rand_len], w->flp);
	for (unsigned j = 1; j < p->params.shares; j++) {
		sg_prio3_helper_proofs_share(p, w->tmp, ctx, ctx_len, j, seeds[j]);
		p->f->vec_sub(w->proofs, w->tmp, p->proofs_len);
	}
}

static void write_input_shares(sg_prio3 *p, const shard_ws *w, uint8_t *const *input_shares,
			       const uint8_t *const *seeds, const uint8_t *const *blinds,
			       const uint8_t *leader_blind)
{
	size_t m = p->flp.meas_len;
	uint8_t *leader = input_shares[0];
	p->f->encode(leader, w->leader, m);
	p->f->encode(leader + m * p->enc, w->proofs, p->proofs_len);
	if (p->joint)
		memcpy(leader + (m + p->proofs_len) * p->enc, leader_blind, SG_XOF_SEED_BYTES);
	for (unsigned j = 1; j < p->params.shares; j++) {
		memcpy(input_shares[j], seeds[j], SG_XOF_SEED_BYTES);
		if (p->joint)
			memcpy(input_shares[j] + SG_XOF_SEED_BYTES, blinds[j], SG_XOF_SEED_BYTES);
	}
}

static void zero_outputs(const sg_prio3 *p, uint8_t *public_share, uint8_t *const *input_shares)
{
	if (public_share != NULL)
		memset(public_share, 0, sg_prio3_public_share_bytes(p));
	for (unsigned j = 0; j < p->params.shares; j++)
		if (input_shares[j] != NULL)
			memset(input_shares[j], 0, sg_prio3_input_share_bytes(p, j));
}

/* rand = helper (seed[, blind]) pairs, [leader blind,] prove seed */
static void split_rand(const sg_prio3 *p, const uint8_t *rand, const uint8_t **seeds,
		       const uint8_t **blinds, const uint8_t **leader_blind,
		       const uint8_t **prove_seed)
{
	size_t step = p->joint ? 2 : 1;
	unsigned s = p->params.shares;
	for (unsigned j = 1; j < s; j++) {
		seeds[j] = rand + (j - 1) * step * SG_XOF_SEED_BYTES;
		blinds[j] = p->joint ? seeds[j] + SG_XOF_SEED_BYTES : NULL;
	}
	const uint8_t *rest = rand + (s - 1) * step * SG_XOF_SEED_BYTES;
	*leader_blind = p->joint ? rest : NULL;
	*prove_seed = p->joint ? rest + SG_XOF_SEED_BYTES : rest;
}

int sg_prio3_shard_encoded(sg_prio3 *p, uint8_t *public_share, uint8_t *const *input_shares,
			   const uint8_t *ctx, size_t ctx_len, const sg_fe *meas,
			   const uint8_t nonce[SG_PRIO3_NONCE_BYTES], const uint8_t *rand,
			   size_t rand_len)
{
	const uint8_t *seeds[256] = { 0 }, *blinds[256] = { 0 };
	const uint8_t *leader_blind, *prove_seed;
	shard_ws w = carve_shard(p);
	if (rand_len != sg_prio3_rand_bytes(p)) {
		zero_outputs(p, public_share, input_shares);
		sodium_memzero(p->work, p->shard_used * sizeof(sg_fe));
		return SG_ERR_PARAM;
	}
	split_rand(p, rand, seeds, blinds, &leader_blind, &prove_seed);
	if (w.meas != meas)
		memcpy(w.meas, meas, p->flp.meas_len * sizeof *meas);
	share_measurement(p, &w, p->bytes, ctx, ctx_len, nonce, seeds, blinds, leader_blind);
	share_proofs(p, &w, ctx, ctx_len, seeds, prove_seed, p->bytes);
	write_input_shares(p, &w, input_shares, seeds, blinds, leader_blind);
	if (p->joint)
		memcpy(public_share, p->bytes, sg_prio3_public_share_bytes(p));
	sodium_memzero(p->work, p->shard_used * sizeof(sg_fe));
	sodium_memzero(p->bytes, p->bytes_len);
	return 0;
}

int sg_prio3_shard(sg_prio3 *p, uint8_t *public_share, uint8_t *const *input_shares,
		   const uint8_t *ctx, size_t ctx_len, const uint64_t *measurement,
		   size_t measurement_len, const uint8_t nonce[SG_PRIO3_NONCE_BYTES],
		   const uint8_t *rand, size_t rand_len)
{
	sg_fe *meas = carve_shard(p).meas;
	int ret = sg_flp_encode(&p->flp, meas, measurement, measurement_len);
	if (ret != 0) {
		zero_outputs(p, public_share, input_shares);
		sodium_memzero(meas, p->flp.meas_len * sizeof *meas);
		return ret;
	}
	return sg_prio3_shard_encoded(p, public_share, input_shares, ctx, ctx_len, meas, nonce,
				      rand, rand_len);
}

int sg_prio3_shard_random(sg_prio3 *p, uint8_t *public_share, uint8_t *const *input_shares,
			  const uint8_t *ctx, size_t ctx_len, const uint64_t *measurement,
			  size_t measurement_len, const uint8_t nonce[SG_PRIO3_NONCE_BYTES])
{
	size_t len = sg_prio3_rand_bytes(p);
	uint8_t *rand = sodium_malloc(len);
	if (rand == NULL) {
		zero_outputs(p, public_share, input_shares);
		return SG_ERR_NOMEM;
	}
	randombytes_buf(rand, len);
	int ret = sg_prio3_shard(p, public_share, input_shares, ctx, ctx_len, measurement,
				 measurement_len, nonce, rand, len);
	sodium_free(rand);
	return ret;
}

static unsigned bits_of(uint64_t x)
{
	unsigned b = 0;
	for (; x; x >>= 1)
		b++;
	return b;
}

/*
 * The proof's cost is dominated by the wire polynomials: 2 * chunk of them,
 * each of p = 2^k values, transformed in O(p log p). With calls = 2^k - 1
 * no wire value is padding, so for each k take chunk = ceil(M / (2^k - 1))
 * and keep the k minimising transform work plus a charge per proof element
 * (proof and verifier sizes grow with chunk and p).
 */
uint64_t sg_prio3_default_chunk_length(const sg_prio3_params *params)
{
	uint64_t m;
	switch (params->circuit) {
	case SG_PRIO3_SUMVEC:
		m = params->length * bits_of(params->max_measurement);
		break;
	case SG_PRIO3_BOUNDED_SUMVEC:
		if (params->max_measurements == NULL || params->max_measurements_len != params->length)
			return 0;
		m = 0;
		for (size_t i = 0; i < params->max_measurements_len; i++)
			m += bits_of(params->max_measurements[i]);
		break;
	case SG_PRIO3_HISTOGRAM:
		m = params->length;
		break;
	case SG_PRIO3_MULTIHOT_COUNTVEC:
		m = params->length + bits_of(params->max_weight);
		break;
	default:
		return 0;
	}
	if (m == 0)
		return 0;
	uint64_t best = m, best_cost = UINT64_MAX;
	for (unsigned k = 1; k <= 22; k++) {
		uint64_t p = (uint64_t)1 << k, calls = p - 1;
		uint64_t chunk = (m + calls - 1) / calls;
		uint64_t cost = 2 * chunk * p * (k + 1) + 64 * (2 * chunk + 2 * p);
		if (cost < best_cost) {
			best_cost = cost;
			best = chunk;
		}
		if (chunk == 1)
			break;
	}
	return best;
}
