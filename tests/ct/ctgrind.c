/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Constant-time check, in the manner of ctgrind: secrets are marked as
 * undefined memory for valgrind's memcheck, which then reports every
 * branch and every memory address that depends on them. Run as
 *   valgrind --error-exitcode=1 build/tests/ctgrind
 * (make test does). Covered: the field arithmetic and vector kernels of both
 * fields, the transforms, the FLP prover on a secret measurement and its
 * randomness (SumVec and BoundedSumVec), the truncation of a secret
 * encoding, the verifier's query on secret shares, and TurboSHAKE128
 * over secret input. Not covered by design: the XOF's rejection sampling
 * (whether a sample is rejected is public in the draft's design) and
 * measurement range checks (the client's own validation of its input).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <valgrind/memcheck.h>

#include "core/field.h"
#include "core/flp.h"
#include "core/xof.h"

#define SECRET(p, n) VALGRIND_MAKE_MEM_UNDEFINED((p), (n))
#define PUBLIC(p, n) VALGRIND_MAKE_MEM_DEFINED((p), (n))

/* Deterministic filler; values below p for both fields. */
static void fill(const sg_field *f, sg_fe *v, size_t n, uint64_t seed)
{
	for (size_t i = 0; i < n; i++) {
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		f->from_u64(&v[i], seed >> 1);
	}
}

static void field_ops(const sg_field *f)
{
	enum { N = 64 };
	sg_fe a[N], b[N], c[2 * N], scratch[N], r;
	sg_wide acc[N];
	uint8_t enc[N * 16];
	sg_ntt_plan plan;
	if (sg_ntt_plan_init(&plan, f, 7) != 0)
		abort();
	fill(f, a, N, 1);
	fill(f, b, N, 2);
	SECRET(a, sizeof a);
	SECRET(b, sizeof b);
	f->add(&r, &a[0], &b[0]);
	f->sub(&r, &a[1], &b[1]);
	f->neg(&r, &a[2]);
	f->mul(&r, &a[3], &b[3]);
	f->inv(&r, &a[4]);
	f->dot(&r, a, b, N);
	memset(acc, 0, sizeof acc);
	f->vec_mac(acc, a, b, N);
	f->wide_reduce(c, acc, N);
	f->vec_add(c, a, N);
	f->vec_sub(c, b, N);
	f->vec_scale(c, &a[5], N);
	f->encode(enc, a, N);
	f->ntt(&plan, a, 6, false);
	f->ntt(&plan, b, 6, true);
	f->intt(&plan, a, 6);
	f->double_evals(&plan, c, a, 6, scratch);
	f->decode_bits(c, a, 4, 16, &b[0]);
	sg_field_batch_inv(f, a, N, scratch);
	PUBLIC(&r, sizeof r);
	sg_ntt_plan_free(&plan);
}

/* The prover on a secret measurement of length 10 (SumVec or
 * BoundedSumVec), truncation, and the query on secret shares. */
static void flp_ops(const sg_circuit_params *cp)
{
	sg_flp flp;
	if (sg_flp_init(&flp, &sg_field128, cp, 2) != 0)
		abort();
	uint64_t m[10] = { 0, 1, 2, 3, 100, 200, 254, 255, 7, 9 };
	sg_fe *meas = calloc(flp.meas_len, sizeof *meas);
	sg_fe *proof = calloc(flp.proof_len, sizeof *proof);
	sg_fe *prove_rand = calloc(flp.prove_rand_len, sizeof *prove_rand);
	sg_fe *joint_rand = calloc(flp.joint_rand_len, sizeof *joint_rand);
	sg_fe *query_rand = calloc(flp.query_rand_len, sizeof *query_rand);
	sg_fe *verifier = calloc(flp.verifier_len, sizeof *verifier);
	sg_fe *work = calloc(flp.work_len, sizeof *work);
	if (!meas || !proof || !prove_rand || !joint_rand || !query_rand || !verifier || !work)
		abort();
	if (sg_flp_encode(&flp, meas, m, 10) != 0)
		abort();
	fill(flp.f, prove_rand, flp.prove_rand_len, 3);
	fill(flp.f, joint_rand, flp.joint_rand_len, 4);
	fill(flp.f, query_rand, flp.query_rand_len, 5);
	SECRET(meas, flp.meas_len * sizeof *meas);
	SECRET(prove_rand, flp.prove_rand_len * sizeof *prove_rand);
	SECRET(joint_rand, flp.joint_rand_len * sizeof *joint_rand);
	sg_flp_prove(&flp, proof, meas, prove_rand, joint_rand, work);
	sg_flp_truncate(&flp, verifier, meas);
	/* query: the shares are secret; the query point is shared by the
	 * aggregators and its root-of-unity test may branch */
	if (sg_flp_query(&flp, verifier, meas, proof, query_rand, joint_rand, work) != 0)
		abort();
	free(meas);
	free(proof);
	free(prove_rand);
	free(joint_rand);
	free(query_rand);
	free(verifier);
	free(work);
	sg_flp_free(&flp);
}

static void xof_ops(void)
{
	uint8_t seed[32] = { 1 }, msg[500], out[600];
	sg_xof x, y;
	memset(msg, 7, sizeof msg);
	SECRET(seed, sizeof seed);
	SECRET(msg, sizeof msg);
	sg_xof_start(&x, seed, sizeof seed, (const uint8_t *)"dst", 3);
	sg_xof_absorb(&x, msg, sizeof msg);
	sg_xof_start(&y, seed, sizeof seed, (const uint8_t *)"dst", 3);
	sg_xof_next(&x, out, 300);
	sg_xof_next_absorb(&x, &y, out, sizeof out);
	sg_xof_next(&y, out, 32);
	sg_xof_wipe(&x);
	sg_xof_wipe(&y);
}

int main(void)
{
	field_ops(&sg_field64);
	field_ops(&sg_field128);
	static const uint64_t bounds[10] = { 1, 1, 2, 3, 100, 255, 60000, 65535, 7, 9 };
	const sg_circuit_params sumvec = { .circuit = SG_CIRCUIT_SUMVEC, .length = 10,
					   .max_measurement = 255, .chunk_length = 9 };
	const sg_circuit_params bounded = { .circuit = SG_CIRCUIT_BOUNDED_SUMVEC, .length = 10,
					    .chunk_length = 7, .max_measurements = bounds };
	flp_ops(&sumvec);
	flp_ops(&bounded);
	xof_ops();
	printf("ctgrind: done (valgrind reports any secret-dependent branch or address)\n");
	return 0;
}
