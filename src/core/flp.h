/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SG_CORE_FLP_H
#define SG_CORE_FLP_H

/*
 * The fully linear proof of BBCGGI19 as specified in draft-irtf-cfrg-vdaf-20
 * §7.3, with the validity circuits of §7.4 (Count, Sum, SumVec, Histogram,
 * MultihotCountVec), the degree-3 test circuit the draft's vectors use, and
 * BoundedSumVec: SumVec with each element's own bound
 * (docs/bounded-circuit.md).
 *
 * Every draft circuit uses exactly one gadget: Mul, PolyEval, or
 * ParallelSum over one of those. Polynomials are held in the Lagrange basis
 * (values at roots of unity) as in the draft: wire polynomials have
 * p = next_pow2(1 + calls) values, the gadget polynomial n =
 * next_pow2(degree * (p - 1) + 1) values, of which the proof carries the
 * first degree * (p - 1) + 1.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/field.h"

enum sg_gadget_kind {
	SG_GADGET_MUL,
	SG_GADGET_POLY_EVAL,
};

#define SG_POLY_EVAL_MAX_COEFFS 4

typedef struct sg_gadget {
	enum sg_gadget_kind kind; /* the gadget, or ParallelSum's subcircuit */
	size_t count;             /* ParallelSum copies; 1 for a plain gadget */
	size_t arity;             /* subcircuit arity * count */
	unsigned degree;
	int64_t coeffs[SG_POLY_EVAL_MAX_COEFFS]; /* PolyEval, lowest degree first */
	size_t ncoeffs;
	size_t calls;     /* GADGET_CALLS */
	size_t p;         /* wire polynomial length */
	unsigned log_p;
	size_t gpoly_len; /* gadget polynomial length carried in the proof */
	size_t n;         /* gadget polynomial evaluations (power of two) */
	unsigned log_n;
} sg_gadget;

enum sg_circuit {
	SG_CIRCUIT_COUNT,
	SG_CIRCUIT_SUM,
	SG_CIRCUIT_SUMVEC,
	SG_CIRCUIT_HISTOGRAM,
	SG_CIRCUIT_MULTIHOT,
	SG_CIRCUIT_HIGHER_DEGREE, /* test-only circuit x(x-1)(x-2) of the draft's vectors */
	SG_CIRCUIT_BOUNDED_SUMVEC,
};

typedef struct sg_circuit_params {
	enum sg_circuit circuit;
	uint64_t length;          /* SumVec, BoundedSumVec, Histogram, MultihotCountVec */
	uint64_t max_measurement; /* Sum, SumVec */
	uint64_t chunk_length;    /* SumVec, BoundedSumVec, Histogram, MultihotCountVec */
	uint64_t max_weight;      /* MultihotCountVec */
	const uint64_t *max_measurements; /* BoundedSumVec: `length` bounds */
} sg_circuit_params;

typedef struct sg_flp {
	const sg_field *f;
	sg_circuit_params cp;
	size_t meas_len, output_len, joint_rand_len, eval_output_len;
	size_t bits;      /* Sum/SumVec: bits per element; Multihot: bits for the weight;
			     BoundedSumVec: the largest element's */
	sg_gadget g;
	size_t prove_rand_len, query_rand_len, proof_len, verifier_len;
	size_t work_len;  /* scratch elements prove/query need */
	size_t query_work_len; /* of which query uses the first ones */
	sg_ntt_plan plan;
	unsigned num_shares;
	sg_fe shares_inv;   /* 1 / num_shares */
	/* The gadget values the proof leaves out are fixed linear combinations
	 * of those it carries: extend_coef[(t - gpoly_len) * gpoly_len + i]. */
	sg_fe *extend_coef;
	/* BoundedSumVec: the flp's own copy of the bounds (cp.max_measurements
	 * points here). */
	uint64_t *maxes;
} sg_flp;

/* Checks the parameters as the draft does and sizes everything; queries
 * will be made by num_shares aggregators. */
int sg_flp_init(sg_flp *flp, const sg_field *f, const sg_circuit_params *cp, unsigned num_shares);
void sg_flp_free(sg_flp *flp);

/* Measurement as integers: Count/Sum/Histogram one value (Histogram: the
 * bucket index), SumVec/BoundedSumVec/MultihotCountVec `length` values. SG_ERR_MEASUREMENT
 * when it is out of range. */
int sg_flp_encode(const sg_flp *flp, sg_fe *meas, const uint64_t *measurement, size_t count);
size_t sg_flp_measurement_count(const sg_flp *flp);
/* meas_len -> output_len; linear, so it applies to shares. */
void sg_flp_truncate(const sg_flp *flp, sg_fe *out, const sg_fe *meas);

void sg_flp_prove(const sg_flp *flp, sg_fe *proof, const sg_fe *meas,
		  const sg_fe *prove_rand, const sg_fe *joint_rand, sg_fe *work);
/* SG_ERR_TEST_POINT when the query point is a root of unity. */
int sg_flp_query(const sg_flp *flp, sg_fe *verifier, const sg_fe *meas, const sg_fe *proof,
		 const sg_fe *query_rand, const sg_fe *joint_rand, sg_fe *work);
bool sg_flp_decide(const sg_flp *flp, const sg_fe *verifier);

/* Circuit evaluation (circuit.c). With poly == NULL (proving) only the
 * wires are recorded; otherwise gadget call k returns poly[k * step] and
 * out receives eval_output_len values. wires[j * p + k] is wire j, call k;
 * chunked circuits accept wires == NULL to compute the outputs alone. */
void sg_circuit_eval(const sg_flp *flp, sg_fe *out, sg_fe *wires, const sg_fe *poly,
		     size_t step, const sg_fe *meas, const sg_fe *joint_rand, const sg_fe *shares_inv);
int sg_circuit_setup(sg_flp *flp);
/* SumVec, BoundedSumVec, Histogram and MultihotCountVec: ParallelSum(Mul)
 * range checks. */
bool sg_circuit_is_chunked(const sg_flp *flp);
/* Their wires' Lagrange evaluations at the query point, from the
 * p coefficients cp, without recording the wires (circuit.c). */
void sg_circuit_chunked_wire_checks(const sg_flp *flp, sg_fe *checks, const sg_fe *meas,
				    const sg_fe *seeds, const sg_fe *joint_rand,
				    const sg_fe *cp, sg_wide *acc);

#endif
