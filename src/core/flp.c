/* SPDX-License-Identifier: Apache-2.0 */
/*
 * FlpBBCGGI19 of draft-irtf-cfrg-vdaf-20 §7.3: prove, query, decide for a
 * circuit with one gadget (Mul, PolyEval, or ParallelSum over either).
 *
 * Work buffer layout (elements), shared by prove and query:
 *   wires  arity * p    wire j's values at the p-th roots: seed, then calls
 *   a      n            gadget polynomial values (prove: accumulator)
 *   b, c, d n each      temporaries
 *   e      p            temporaries
 *   out    eval_output_len
 *   wide   n accumulators (3 elements' room each), prove only
 */
#include <stdlib.h>
#include <string.h>

#include "core/flp.h"
#include "spillguard/err.h"

static size_t work_len(const sg_flp *flp)
{
	const sg_gadget *g = &flp->g;
	return g->arity * g->p + 4 * g->n + g->p + flp->eval_output_len + 3 * g->n + 3 * g->arity;
}

static int extend_setup(sg_flp *flp);

int sg_flp_init(sg_flp *flp, const sg_field *f, const sg_circuit_params *cp, unsigned num_shares)
{
	memset(flp, 0, sizeof *flp);
	flp->f = f;
	flp->cp = *cp;
	int ret = sg_circuit_setup(flp);
	if (ret != 0) {
		sg_flp_free(flp);
		return ret;
	}
	sg_gadget *g = &flp->g;
	g->p = sg_next_pow2(1 + g->calls);
	g->log_p = sg_log2(g->p);
	g->gpoly_len = g->degree * (g->p - 1) + 1;
	g->n = sg_next_pow2(g->gpoly_len);
	g->log_n = sg_log2(g->n);
	flp->prove_rand_len = g->arity;
	flp->query_rand_len = 1 + (flp->eval_output_len > 1 ? flp->eval_output_len : 0);
	flp->proof_len = g->arity + g->gpoly_len;
	flp->verifier_len = 1 + g->arity + 1;
	flp->work_len = work_len(flp);
	flp->query_work_len = flp->work_len - (sg_circuit_is_chunked(flp) ? g->arity * g->p : 0);
	unsigned log_max = g->log_n > g->log_p + 1 ? g->log_n : g->log_p + 1;
	if (num_shares == 0) {
		sg_flp_free(flp);
		return SG_ERR_PARAM;
	}
	flp->num_shares = num_shares;
	f->from_u64(&flp->shares_inv, num_shares);
	f->inv(&flp->shares_inv, &flp->shares_inv);
	ret = sg_ntt_plan_init(&flp->plan, f, log_max);
	if (ret == 0)
		ret = extend_setup(flp);
	if (ret != 0)
		sg_flp_free(flp);
	return ret;
}

void sg_flp_free(sg_flp *flp)
{
	if (flp == NULL)
		return;
	sg_ntt_plan_free(&flp->plan);
	free(flp->extend_coef);
	flp->extend_coef = NULL;
	free(flp->maxes);
	flp->maxes = NULL;
	flp->cp.max_measurements = NULL;
}

/* Wire j starts with seed j; the circuit fills calls 1..calls and the
 * positions after the last call are zero padding. */
static void init_wires(const sg_flp *flp, sg_fe *wires, const sg_fe *seeds)
{
	const sg_gadget *g = &flp->g;
	size_t pad = g->p - 1 - g->calls;
	for (size_t j = 0; j < g->arity; j++) {
		wires[j * g->p] = seeds[j];
		memset(&wires[j * g->p + 1 + g->calls], 0, pad * sizeof *wires);
	}
}

/* PolyEval's polynomial at x, Horner's rule on the small signed coefficients. */
static void poly_at(const sg_flp *flp, sg_fe *r, const sg_fe *x)
{
	const sg_field *f = flp->f;
	const sg_gadget *g = &flp->g;
	sg_fe acc, c;
	f->zero(&acc);
	for (size_t i = g->ncoeffs; i-- > 0;) {
		int64_t k = g->coeffs[i];
		f->from_u64(&c, (uint64_t)(k < 0 ? -k : k));
		if (k < 0)
			f->neg(&c, &c);
		f->mul(&acc, &acc, x);
		f->add(&acc, &acc, &c);
	}
	*r = acc;
}

/* The gadget on field elements (ParallelSum adds its subcircuit copies). */
static void gadget_eval(const sg_flp *flp, sg_fe *r, const sg_fe *in)
{
	const sg_field *f = flp->f;
	sg_fe acc, t;
	f->zero(&acc);
	for (size_t j = 0; j < flp->g.count; j++) {
		if (flp->g.kind == SG_GADGET_MUL)
			f->mul(&t, &in[2 * j], &in[2 * j + 1]);
		else
			poly_at(flp, &t, &in[j]);
		f->add(&acc, &acc, &t);
	}
	*r = acc;
}

/* acc[0..n) += values at the n-th roots of Mul(A, B), unreduced; n = 2p. */
static void mul_poly_acc(const sg_flp *flp, sg_wide *acc, const sg_fe *wa, const sg_fe *wb,
			 sg_fe *ta, sg_fe *tb, sg_fe *scratch)
{
	const sg_field *f = flp->f;
	const sg_gadget *g = &flp->g;
	f->double_evals(&flp->plan, ta, wa, g->log_p, scratch);
	f->double_evals(&flp->plan, tb, wb, g->log_p, scratch);
	f->vec_mac(acc, ta, tb, g->n);
}

/* acc[0..n) += PolyEval(A) at the n-th roots. */
static void polyeval_poly_acc(const sg_flp *flp, sg_fe *acc, const sg_fe *wa, sg_fe *ta)
{
	const sg_field *f = flp->f;
	const sg_gadget *g = &flp->g;
	memcpy(ta, wa, g->p * sizeof *ta);
	f->intt(&flp->plan, ta, g->log_p);
	for (size_t i = g->p; i < g->n; i++)
		f->zero(&ta[i]);
	f->ntt(&flp->plan, ta, g->log_n, false);
	for (size_t i = 0; i < g->n; i++) {
		sg_fe t;
		poly_at(flp, &t, &ta[i]);
		f->add(&acc[i], &acc[i], &t);
	}
}

void sg_flp_prove(const sg_flp *flp, sg_fe *proof, const sg_fe *meas, const sg_fe *prove_rand,
		  const sg_fe *joint_rand, sg_fe *work)
{
	const sg_field *f = flp->f;
	const sg_gadget *g = &flp->g;
	sg_fe *wires = work, *acc = wires + g->arity * g->p;
	sg_fe *ta = acc + g->n, *tb = ta + g->n, *scratch = tb + g->n;
	sg_fe *out = scratch + g->n + g->p;
	sg_wide *wide = (sg_wide *)(out + flp->eval_output_len);

	init_wires(flp, wires, prove_rand);
	sg_fe one;
	f->one(&one);
	sg_circuit_eval(flp, out, wires, NULL, 0, meas, joint_rand, &one);

	for (size_t i = 0; i < g->n; i++)
		f->zero(&acc[i]);
	if (g->kind == SG_GADGET_MUL) {
		memset(wide, 0, g->n * sizeof *wide);
		for (size_t j = 0; j < g->count; j++)
			mul_poly_acc(flp, wide, &wires[2 * j * g->p], &wires[(2 * j + 1) * g->p],
				     ta, tb, scratch);
		f->wide_reduce(acc, wide, g->n);
	} else {
		for (size_t j = 0; j < g->count; j++)
			polyeval_poly_acc(flp, acc, &wires[j * g->p], ta);
	}
	memcpy(proof, prove_rand, g->arity * sizeof *proof);
	memcpy(proof + g->arity, acc, g->gpoly_len * sizeof *proof);
}

/*
 * Lagrange.extend_values_to_power_of_2: P of degree < len is known at w^i
 * for i < len; its values at the other n-th roots are fixed combinations of
 * the known ones, computed here once. With K the known and M the missing
 * points,
 *   P(x_t) = (1/x_t) / prod_{t' in M, t' != t} (x_t - x_t')
 *            * sum_{i in K} v_i w_i / (x_t - x_i),
 *   w_i = x_i * prod_{t' in M} (x_i - x_t'),
 * which follows from prod_{j != i} (x_i - x_j) = n / x_i over all n-th roots.
 */
static int extend_setup(sg_flp *flp)
{
	const sg_field *f = flp->f;
	size_t n = flp->g.n, len = flp->g.gpoly_len, m = n - len;
	const sg_fe *x = flp->plan.roots;
	size_t stride = ((size_t)1 << flp->plan.log_max) / n;
	sg_fe *wgt = calloc(2 * len + 1, sizeof *wgt), *scratch = wgt + len;
	flp->extend_coef = calloc(m * len + 1, sizeof *flp->extend_coef);
	if (wgt == NULL || flp->extend_coef == NULL) {
		free(wgt);
		return SG_ERR_NOMEM;
	}
	for (size_t i = 0; i < len; i++) {
		wgt[i] = x[i * stride];
		for (size_t t = len; t < n; t++) {
			sg_fe d;
			f->sub(&d, &x[i * stride], &x[t * stride]);
			f->mul(&wgt[i], &wgt[i], &d);
		}
	}
	for (size_t t = len; t < n; t++) {
		const sg_fe *xt = &x[t * stride];
		sg_fe *coef = &flp->extend_coef[(t - len) * len], den = *xt, d;
		for (size_t i = 0; i < len; i++)
			f->sub(&coef[i], xt, &x[i * stride]);
		sg_field_batch_inv(f, coef, len, scratch);
		for (size_t u = len; u < n; u++) {
			if (u == t)
				continue;
			f->sub(&d, xt, &x[u * stride]);
			f->mul(&den, &den, &d);
		}
		f->inv(&den, &den);
		for (size_t i = 0; i < len; i++) {
			f->mul(&coef[i], &coef[i], &wgt[i]);
			f->mul(&coef[i], &coef[i], &den);
		}
	}
	free(wgt);
	return 0;
}

static void extend_values(const sg_flp *flp, sg_fe *v)
{
	size_t n = flp->g.n, len = flp->g.gpoly_len;
	for (size_t t = len; t < n; t++)
		flp->f->dot(&v[t], v, &flp->extend_coef[(t - len) * len], len);
}

/*
 * Lagrange-basis evaluation at t: P(t) = (t^m - 1)/m * sum_i v_i x_i / (t - x_i)
 * over the m-th roots x_i. Writes the p coefficients for the wires to cp
 * and the gadget polynomial's value (n points) to *gadget_check. The p-th
 * roots are every (n/p)-th n-th root, so one batch inversion of (t - w_n^i)
 * serves both sizes. A t that is an n-th (but not p-th) root makes the
 * gadget value a lookup instead.
 */
static void lagrange_at(const sg_flp *flp, sg_fe *cp, sg_fe *gadget_check, const sg_fe *poly,
			const sg_fe *t, sg_fe *inv, sg_fe *cn, sg_fe *scratch)
{
	const sg_field *f = flp->f;
	const sg_gadget *g = &flp->g;
	size_t n = g->n, p = g->p, step = n / p;
	size_t stride = ((size_t)1 << flp->plan.log_max) / n;
	const sg_fe *x = flp->plan.roots;
	sg_fe one, zero, tn, tp, scale, hit_val;
	f->one(&one);
	f->zero(&zero);
	f->zero(&hit_val);
	bool hit = false;
	for (size_t i = 0; i < n; i++) {
		f->sub(&inv[i], t, &x[i * stride]);
		if (f->eq(&inv[i], &zero)) { /* t = w_n^i: probability ~n/p */
			hit = true;
			hit_val = poly[i];
			inv[i] = one;
		}
	}
	sg_field_batch_inv(f, inv, n, scratch);
	sg_field_pow(f, &tp, t, p);
	sg_field_pow(f, &tn, &tp, step);

	f->sub(&scale, &tp, &one);
	f->mul(&scale, &scale, &flp->plan.inv_n[g->log_p]);
	for (size_t i = 0; i < p; i++) {
		f->mul(&cp[i], &x[i * step * stride], &inv[i * step]);
		f->mul(&cp[i], &cp[i], &scale);
	}
	if (hit) {
		*gadget_check = hit_val;
		return;
	}
	f->sub(&scale, &tn, &one);
	f->mul(&scale, &scale, &flp->plan.inv_n[g->log_n]);
	for (size_t i = 0; i < n; i++) {
		f->mul(&cn[i], &x[i * stride], &inv[i]);
		f->mul(&cn[i], &cn[i], &scale);
	}
	f->dot(gadget_check, poly, cn, n);
}

int sg_flp_query(const sg_flp *flp, sg_fe *verifier, const sg_fe *meas, const sg_fe *proof,
		 const sg_fe *query_rand, const sg_fe *joint_rand, sg_fe *work)
{
	const sg_field *f = flp->f;
	const sg_gadget *g = &flp->g;
	bool chunked = sg_circuit_is_chunked(flp);
	/* chunked circuits never materialise their wires */
	sg_fe *wires = work, *poly = chunked ? work : wires + g->arity * g->p;
	sg_fe *b = poly + g->n, *c = b + g->n, *d = c + g->n, *e = d + g->n;
	sg_fe *out = e + g->p;
	sg_wide *acc = (sg_wide *)(out + flp->eval_output_len);

	/* gadget polynomial: the proof's values, completed to n */
	memcpy(poly, proof + g->arity, g->gpoly_len * sizeof *poly);
	extend_values(flp, poly);

	if (!chunked)
		init_wires(flp, wires, proof);
	sg_circuit_eval(flp, out, chunked ? NULL : wires, poly, g->n / g->p, meas, joint_rand,
			&flp->shares_inv);

	const sg_fe *t = query_rand;
	if (flp->eval_output_len > 1) {
		f->dot(&verifier[0], query_rand, out, flp->eval_output_len);
		t = &query_rand[flp->eval_output_len];
	} else {
		verifier[0] = out[0];
	}
	sg_fe tp, one;
	f->one(&one);
	sg_field_pow(f, &tp, t, g->p);
	if (f->eq(&tp, &one))
		return SG_ERR_TEST_POINT;
	lagrange_at(flp, e, &verifier[1 + g->arity], poly, t, b, c, d);
	if (chunked) {
		sg_circuit_chunked_wire_checks(flp, &verifier[1], meas, proof, joint_rand, e, acc);
	} else {
		for (size_t j = 0; j < g->arity; j++)
			f->dot(&verifier[1 + j], &wires[j * g->p], e, g->p);
	}
	return 0;
}

bool sg_flp_decide(const sg_flp *flp, const sg_fe *verifier)
{
	const sg_field *f = flp->f;
	sg_fe zero, r;
	f->zero(&zero);
	bool v_ok = f->eq(&verifier[0], &zero);
	gadget_eval(flp, &r, &verifier[1]);
	bool g_ok = f->eq(&r, &verifier[1 + flp->g.arity]);
	return v_ok & g_ok;
}
