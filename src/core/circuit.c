/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Validity circuits of draft-irtf-cfrg-vdaf-20 §7.4 and BoundedSumVec:
 * sizes, measurement encoding, truncation and evaluation against the wire
 * recorder of flp.c.
 */
#include <stdlib.h>
#include <string.h>

#include "core/flp.h"
#include "spillguard/err.h"

/* Bounds keeping every size product far from overflow and memory sane. */
#define MAX_MEAS_LEN ((uint64_t)1 << 22)
#define MAX_CHUNK ((uint64_t)1 << 20)

static unsigned bit_length(uint64_t x)
{
	unsigned b = 0;
	while (x) {
		b++;
		x >>= 1;
	}
	return b;
}

static void set_gadget(sg_gadget *g, enum sg_gadget_kind kind, size_t count, size_t calls)
{
	g->kind = kind;
	g->count = count;
	g->calls = calls;
	if (kind == SG_GADGET_MUL) {
		g->degree = 2;
		g->arity = 2 * count;
	} else {
		g->degree = (unsigned)(g->ncoeffs - 1);
		g->arity = count;
	}
}

static void set_poly(sg_gadget *g, const int64_t *c, size_t n)
{
	memcpy(g->coeffs, c, n * sizeof *c);
	g->ncoeffs = n;
}

/* SumVec, BoundedSumVec, Histogram and MultihotCountVec share the
 * ParallelSum(Mul) range check. */
static int setup_chunked(sg_flp *flp, uint64_t meas_len)
{
	uint64_t chunk = flp->cp.chunk_length;
	if (chunk == 0 || chunk > MAX_CHUNK || meas_len == 0 || meas_len > MAX_MEAS_LEN)
		return SG_ERR_PARAM;
	flp->meas_len = (size_t)meas_len;
	set_gadget(&flp->g, SG_GADGET_MUL, (size_t)chunk, (size_t)((meas_len + chunk - 1) / chunk));
	flp->joint_rand_len = flp->g.calls;
	return 0;
}

/* 2^bits < p, as the draft requires of Sum and SumVec bounds. */
static bool bits_fit(const sg_flp *flp, unsigned bits)
{
	/* both moduli lie just below 2^(8 * encoded_size) */
	return bits < 8 * flp->f->encoded_size;
}

static int setup_sum(sg_flp *flp)
{
	static const int64_t x2_minus_x[] = { 0, -1, 1 };
	if (flp->cp.max_measurement == 0)
		return SG_ERR_PARAM;
	flp->bits = bit_length(flp->cp.max_measurement);
	if (!bits_fit(flp, (unsigned)flp->bits))
		return SG_ERR_PARAM;
	set_poly(&flp->g, x2_minus_x, 3);
	set_gadget(&flp->g, SG_GADGET_POLY_EVAL, 1, flp->bits);
	flp->meas_len = flp->bits;
	flp->output_len = 1;
	flp->eval_output_len = flp->bits;
	return 0;
}

static int setup_sumvec(sg_flp *flp)
{
	if (flp->cp.length == 0 || flp->cp.max_measurement == 0 || flp->cp.length > MAX_MEAS_LEN)
		return SG_ERR_PARAM;
	flp->bits = bit_length(flp->cp.max_measurement);
	if (!bits_fit(flp, (unsigned)flp->bits))
		return SG_ERR_PARAM;
	flp->output_len = (size_t)flp->cp.length;
	flp->eval_output_len = 1;
	return setup_chunked(flp, flp->cp.length * flp->bits);
}

/*
 * BoundedSumVec: element i takes bit_length(max_i) encoded elements (the
 * ranged encoding of Sum for its own bound), the range check is SumVec's
 * over all of them. The bounds are copied so the flp owns what it reads.
 */
static int setup_bounded(sg_flp *flp)
{
	const sg_circuit_params *cp = &flp->cp;
	uint64_t meas_len = 0;
	size_t widest = 0;
	if (cp->length == 0 || cp->length > MAX_MEAS_LEN || cp->max_measurements == NULL)
		return SG_ERR_PARAM;
	for (size_t i = 0; i < (size_t)cp->length; i++) {
		unsigned bits = bit_length(cp->max_measurements[i]);
		if (bits == 0 || !bits_fit(flp, bits))
			return SG_ERR_PARAM;
		meas_len += bits;
		widest = bits > widest ? bits : widest;
	}
	flp->maxes = malloc((size_t)cp->length * sizeof *flp->maxes);
	if (flp->maxes == NULL)
		return SG_ERR_NOMEM;
	memcpy(flp->maxes, cp->max_measurements, (size_t)cp->length * sizeof *flp->maxes);
	flp->cp.max_measurements = flp->maxes;
	flp->bits = widest;
	flp->output_len = (size_t)cp->length;
	flp->eval_output_len = 1;
	return setup_chunked(flp, meas_len);
}

static int setup_histogram(sg_flp *flp)
{
	if (flp->cp.length == 0)
		return SG_ERR_PARAM;
	flp->output_len = (size_t)flp->cp.length;
	flp->eval_output_len = 2;
	return setup_chunked(flp, flp->cp.length);
}

static int setup_multihot(sg_flp *flp)
{
	const sg_circuit_params *cp = &flp->cp;
	if (cp->length == 0 || cp->max_weight == 0 || cp->max_weight > cp->length ||
	    cp->length > MAX_MEAS_LEN)
		return SG_ERR_PARAM;
	flp->bits = bit_length(cp->max_weight);
	flp->output_len = (size_t)cp->length;
	flp->eval_output_len = 2;
	return setup_chunked(flp, cp->length + flp->bits);
}

int sg_circuit_setup(sg_flp *flp)
{
	static const int64_t cubic[] = { 0, 2, -3, 1 }; /* x(x-1)(x-2) */
	switch (flp->cp.circuit) {
	case SG_CIRCUIT_COUNT:
		set_gadget(&flp->g, SG_GADGET_MUL, 1, 1);
		flp->meas_len = flp->output_len = flp->eval_output_len = 1;
		return 0;
	case SG_CIRCUIT_SUM:
		return setup_sum(flp);
	case SG_CIRCUIT_SUMVEC:
		return setup_sumvec(flp);
	case SG_CIRCUIT_HISTOGRAM:
		return setup_histogram(flp);
	case SG_CIRCUIT_MULTIHOT:
		return setup_multihot(flp);
	case SG_CIRCUIT_BOUNDED_SUMVEC:
		return setup_bounded(flp);
	case SG_CIRCUIT_HIGHER_DEGREE:
		set_poly(&flp->g, cubic, 4);
		set_gadget(&flp->g, SG_GADGET_POLY_EVAL, 1, 1);
		flp->meas_len = flp->output_len = flp->eval_output_len = 1;
		return 0;
	}
	return SG_ERR_PARAM;
}

/* encode_range_checked_int: bits-1 binary digits of `rest`, then the flag
 * for the last weight max - (2^(bits-1) - 1). */
static void encode_ranged(const sg_field *f, sg_fe *out, uint64_t value, uint64_t max)
{
	unsigned bits = bit_length(max);
	uint64_t all_ones = (bits > 1) ? (((uint64_t)1 << (bits - 1)) - 1) : 0;
	uint64_t last_weight = max - all_ones;
	uint64_t use_last = (uint64_t)(value > all_ones);
	uint64_t rest = value - (last_weight & ((uint64_t)0 - use_last));
	for (unsigned l = 0; l + 1 < bits; l++)
		f->from_u64(&out[l], (rest >> l) & 1);
	f->from_u64(&out[bits - 1], use_last);
}

/* decode_range_checked_int of `count` encoded integers; linear, so valid on
 * shares. The binary part is evaluated Horner-style with doublings. */
static void decode_ranged(const sg_field *f, sg_fe *r, const sg_fe *enc, uint64_t max,
			  size_t count)
{
	unsigned bits = bit_length(max);
	uint64_t all_ones = (bits > 1) ? (((uint64_t)1 << (bits - 1)) - 1) : 0;
	sg_fe last;
	f->from_u64(&last, max - all_ones);
	f->decode_bits(r, enc, count, bits, &last);
}

size_t sg_flp_measurement_count(const sg_flp *flp)
{
	switch (flp->cp.circuit) {
	case SG_CIRCUIT_SUMVEC:
	case SG_CIRCUIT_BOUNDED_SUMVEC:
	case SG_CIRCUIT_MULTIHOT:
		return (size_t)flp->cp.length;
	default:
		return 1;
	}
}

/* Each element with its own bound, the encodings concatenated. Whether a
 * value is in range is public (a refusal says so); the encoding of one
 * that is has no value-dependent branch. */
static int encode_bounded(const sg_flp *flp, sg_fe *meas, const uint64_t *m)
{
	const uint64_t *max = flp->maxes;
	size_t len = (size_t)flp->cp.length;
	for (size_t i = 0; i < len; i++)
		if (m[i] > max[i])
			return SG_ERR_MEASUREMENT;
	for (size_t i = 0, off = 0; i < len; off += bit_length(max[i]), i++)
		encode_ranged(flp->f, &meas[off], m[i], max[i]);
	return 0;
}

/* decode_range_checked_int of each element with its own bound; a run of
 * elements sharing one bound is decoded in one call. */
static void truncate_bounded(const sg_flp *flp, sg_fe *out, const sg_fe *meas)
{
	const uint64_t *max = flp->maxes;
	size_t len = (size_t)flp->cp.length;
	for (size_t i = 0, off = 0; i < len;) {
		size_t run = 1;
		while (i + run < len && max[i + run] == max[i])
			run++;
		decode_ranged(flp->f, &out[i], &meas[off], max[i], run);
		off += run * bit_length(max[i]);
		i += run;
	}
}

static int encode_vector(const sg_flp *flp, sg_fe *meas, const uint64_t *m)
{
	const sg_field *f = flp->f;
	size_t len = (size_t)flp->cp.length;
	if (flp->cp.circuit == SG_CIRCUIT_BOUNDED_SUMVEC)
		return encode_bounded(flp, meas, m);
	if (flp->cp.circuit == SG_CIRCUIT_SUMVEC) {
		for (size_t i = 0; i < len; i++)
			if (m[i] > flp->cp.max_measurement)
				return SG_ERR_MEASUREMENT;
		for (size_t i = 0; i < len; i++)
			encode_ranged(f, &meas[i * flp->bits], m[i], flp->cp.max_measurement);
		return 0;
	}
	uint64_t weight = 0;
	for (size_t i = 0; i < len; i++) {
		if (m[i] > 1)
			return SG_ERR_MEASUREMENT;
		weight += m[i];
	}
	if (weight > flp->cp.max_weight)
		return SG_ERR_MEASUREMENT;
	for (size_t i = 0; i < len; i++)
		f->from_u64(&meas[i], m[i]);
	encode_ranged(f, &meas[len], weight, flp->cp.max_weight);
	return 0;
}

int sg_flp_encode(const sg_flp *flp, sg_fe *meas, const uint64_t *m, size_t count)
{
	const sg_field *f = flp->f;
	if (count != sg_flp_measurement_count(flp))
		return SG_ERR_MEASUREMENT;
	switch (flp->cp.circuit) {
	case SG_CIRCUIT_COUNT:
		if (m[0] > 1)
			return SG_ERR_MEASUREMENT;
		f->from_u64(&meas[0], m[0]);
		return 0;
	case SG_CIRCUIT_HIGHER_DEGREE:
		if (m[0] > 2)
			return SG_ERR_MEASUREMENT;
		f->from_u64(&meas[0], m[0]);
		return 0;
	case SG_CIRCUIT_SUM:
		if (m[0] > flp->cp.max_measurement)
			return SG_ERR_MEASUREMENT;
		encode_ranged(f, meas, m[0], flp->cp.max_measurement);
		return 0;
	case SG_CIRCUIT_HISTOGRAM:
		if (m[0] >= flp->cp.length)
			return SG_ERR_MEASUREMENT;
		for (size_t i = 0; i < flp->meas_len; i++)
			f->from_u64(&meas[i], (uint64_t)(i == m[0]));
		return 0;
	case SG_CIRCUIT_SUMVEC:
	case SG_CIRCUIT_BOUNDED_SUMVEC:
	case SG_CIRCUIT_MULTIHOT:
		return encode_vector(flp, meas, m);
	}
	return SG_ERR_PARAM;
}

void sg_flp_truncate(const sg_flp *flp, sg_fe *out, const sg_fe *meas)
{
	switch (flp->cp.circuit) {
	case SG_CIRCUIT_SUM:
		decode_ranged(flp->f, &out[0], meas, flp->cp.max_measurement, 1);
		break;
	case SG_CIRCUIT_SUMVEC:
		decode_ranged(flp->f, out, meas, flp->cp.max_measurement, flp->output_len);
		break;
	case SG_CIRCUIT_BOUNDED_SUMVEC:
		truncate_bounded(flp, out, meas);
		break;
	default: /* Count, Histogram, MultihotCountVec, test: a prefix */
		memcpy(out, meas, flp->output_len * sizeof *out);
		break;
	}
}

/* Records one gadget call's inputs as wire values at position k. */
typedef struct recorder {
	sg_fe *wires;
	size_t p, k;
	const sg_fe *poly;
	size_t step;
} recorder;

static void rec_next(recorder *r, sg_fe *gout)
{
	r->k++;
	if (r->poly)
		*gout = r->poly[r->k * r->step];
	else
		memset(gout, 0, sizeof *gout);
}

/*
 * The chunked range check of SumVec, BoundedSumVec, Histogram and
 * MultihotCountVec: call i
 * feeds ParallelSum(Mul, chunk) the pairs (r_i^(j+1) * m, m - 1/shares) for
 * the chunk's elements m (zero past the end). Returns the sum of outputs.
 */
static void range_check(const sg_flp *flp, sg_fe *acc, recorder *rec, const sg_fe *meas,
			const sg_fe *joint_rand, const sg_fe *shares_inv)
{
	const sg_field *f = flp->f;
	size_t chunk = flp->g.count, p = rec->p;
	sg_fe zero, gout;
	f->zero(&zero);
	f->zero(acc);
	for (size_t i = 0; i < flp->g.calls; i++) {
		size_t k = rec->k + 1, start = i * chunk;
		size_t full = flp->meas_len - start < chunk ? flp->meas_len - start : chunk;
		if (rec->wires != NULL) {
			f->chunk_wires(&rec->wires[k], p, &meas[start], full, &joint_rand[i],
				       shares_inv);
			/* past the end of the measurement the elements are zero */
			for (size_t j = full; j < chunk; j++) {
				f->zero(&rec->wires[(2 * j) * p + k]);
				f->sub(&rec->wires[(2 * j + 1) * p + k], &zero, shares_inv);
			}
		}
		rec_next(rec, &gout);
		f->add(acc, acc, &gout);
	}
}

static void eval_chunked(const sg_flp *flp, sg_fe *out, recorder *rec, const sg_fe *meas,
			 const sg_fe *joint_rand, const sg_fe *shares_inv)
{
	const sg_field *f = flp->f;
	range_check(flp, &out[0], rec, meas, joint_rand, shares_inv);
	if (flp->cp.circuit == SG_CIRCUIT_HISTOGRAM) {
		/* sum_check = sum(meas) - 1/shares */
		sg_fe s;
		f->neg(&s, shares_inv);
		for (size_t i = 0; i < flp->meas_len; i++)
			f->add(&s, &s, &meas[i]);
		out[1] = s;
	} else if (flp->cp.circuit == SG_CIRCUIT_MULTIHOT) {
		sg_fe weight, reported;
		size_t len = (size_t)flp->cp.length;
		f->zero(&weight);
		for (size_t i = 0; i < len; i++)
			f->add(&weight, &weight, &meas[i]);
		decode_ranged(f, &reported, &meas[len], flp->cp.max_weight, 1);
		f->sub(&out[1], &weight, &reported);
	}
}

void sg_circuit_eval(const sg_flp *flp, sg_fe *out, sg_fe *wires, const sg_fe *poly, size_t step,
		     const sg_fe *meas, const sg_fe *joint_rand, const sg_fe *shares_inv)
{
	const sg_field *f = flp->f;
	recorder rec = { wires, flp->g.p, 0, poly, step };
	sg_fe gout;
	switch (flp->cp.circuit) {
	case SG_CIRCUIT_COUNT:
		/* meas^2 - meas */
		wires[0 * rec.p + 1] = meas[0];
		wires[1 * rec.p + 1] = meas[0];
		rec_next(&rec, &gout);
		if (poly)
			f->sub(&out[0], &gout, &meas[0]);
		break;
	case SG_CIRCUIT_SUM:
	case SG_CIRCUIT_HIGHER_DEGREE:
		for (size_t i = 0; i < flp->meas_len; i++) {
			wires[rec.k + 1] = meas[i];
			rec_next(&rec, &gout);
			if (poly)
				out[i] = gout;
		}
		break;
	default:
		eval_chunked(flp, out, &rec, meas, joint_rand, shares_inv);
		break;
	}
}

/*
 * The Lagrange evaluations at the query point of the chunked range check's
 * wires, computed from the measurement share without materialising them.
 * With c_k the p-point Lagrange coefficients at t, call i at position i+1:
 *   check[2j]   = c_0 seed[2j]   + sum_i c_(i+1) r_i^(j+1) m_(i,j)
 *   check[2j+1] = c_0 seed[2j+1] + sum_i c_(i+1) m_(i,j) - (1/shares) sum_i c_(i+1)
 * (m is zero past the end of the measurement). acc holds arity accumulators.
 */
void sg_circuit_chunked_wire_checks(const sg_flp *flp, sg_fe *checks, const sg_fe *meas,
				    const sg_fe *seeds, const sg_fe *joint_rand,
				    const sg_fe *cp, sg_wide *acc)
{
	const sg_field *f = flp->f;
	size_t chunk = flp->g.count;
	sg_fe csum, t;
	memset(acc, 0, flp->g.arity * sizeof *acc);
	f->zero(&csum);
	for (size_t i = 0; i < flp->g.calls; i++) {
		size_t start = i * chunk;
		size_t full = flp->meas_len - start < chunk ? flp->meas_len - start : chunk;
		f->chunk_mac(acc, &meas[start], full, &cp[i + 1], &joint_rand[i]);
		f->add(&csum, &csum, &cp[i + 1]);
	}
	f->wide_reduce(checks, acc, flp->g.arity);
	f->mul(&csum, &csum, &flp->shares_inv);
	for (size_t j = 0; j < flp->g.arity; j++) {
		f->mul(&t, &cp[0], &seeds[j]);
		f->add(&checks[j], &checks[j], &t);
		if (j & 1)
			f->sub(&checks[j], &checks[j], &csum);
	}
}

bool sg_circuit_is_chunked(const sg_flp *flp)
{
	return flp->cp.circuit == SG_CIRCUIT_SUMVEC || flp->cp.circuit == SG_CIRCUIT_HISTOGRAM ||
	       flp->cp.circuit == SG_CIRCUIT_MULTIHOT ||
	       flp->cp.circuit == SG_CIRCUIT_BOUNDED_SUMVEC;
}
