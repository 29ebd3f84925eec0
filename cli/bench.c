/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spillguard bench prio3 [--case NAME]: times each Prio3 phase on one core.
 *
 * Every phase runs in batches sized to take at least a few milliseconds.
 * The batches of a case's phases are interleaved round by round, so a
 * stretch of time when the machine is slower affects all phases alike; the
 * median over SAMPLES rounds is reported as microseconds per report.
 * Inputs are real: shares from a real shard, verifier shares from real
 * verify_init calls.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "core/prio3_internal.h"
#include "spillguard/prio3.h"
#include "subcommands.h"

#define SAMPLES 21
#define MIN_BATCH_NS 4000000.0

/* BoundedSumVec cases: element i's bound is max_measurement for odd i and
 * small_max for even i (half the categories each, alternating). */
typedef struct bench_case {
	const char *name;
	enum sg_prio3_circuit circuit;
	uint64_t length, max_measurement;
	unsigned shares;
	uint64_t small_max;
} bench_case;

static const bench_case cases[] = {
	{ "count-2agg", SG_PRIO3_COUNT, 0, 0, 2, 0 },
	{ "sumvec-10x255-2agg", SG_PRIO3_SUMVEC, 10, 255, 2, 0 },
	{ "sumvec-100x65535-2agg", SG_PRIO3_SUMVEC, 100, 65535, 2, 0 },
	{ "bounded-100x100/65535-2agg", SG_PRIO3_BOUNDED_SUMVEC, 100, 65535, 2, 100 },
	{ "sumvec-1000x65535-2agg", SG_PRIO3_SUMVEC, 1000, 65535, 2, 0 },
	{ "sumvec-1000x65535-3agg", SG_PRIO3_SUMVEC, 1000, 65535, 3, 0 },
	{ "histogram-100-2agg", SG_PRIO3_HISTOGRAM, 100, 0, 2, 0 },
};
#define N_CASES (sizeof cases / sizeof cases[0])

/* Everything one case's phases need, prepared once. */
typedef struct fixture {
	sg_prio3 *p;
	uint8_t ctx[16], nonce[SG_PRIO3_NONCE_BYTES], vk[SG_PRIO3_VERIFY_KEY_BYTES];
	uint8_t *rand, *pub, *in[3], *vs[3], *msg, *agg_enc[3];
	size_t vs_len[3], agg_len[3];
	uint64_t *meas, *bounds;
	sg_prio3_state *st[3];
	sg_prio3_agg *agg;
	sg_fe *floor_buf;
} fixture;

typedef void (*phase_fn)(fixture *fx);

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void must(int ret, const char *what)
{
	if (ret != 0) {
		fprintf(stderr, "%s bench: %s failed: %s\n", SG_PROG_NAME, what, sg_strerror(ret));
		exit(2);
	}
}

static void ph_shard(fixture *fx)
{
	must(sg_prio3_shard(fx->p, fx->pub, fx->in, fx->ctx, sizeof fx->ctx, fx->meas,
			    sg_prio3_measurement_len(fx->p), fx->nonce, fx->rand,
			    sg_prio3_rand_bytes(fx->p)),
	     "shard");
}

static void verify_init(fixture *fx, unsigned agg)
{
	must(sg_prio3_verify_init(fx->p, fx->st[agg], fx->vs[agg], fx->vk, fx->ctx, sizeof fx->ctx,
				  agg, fx->nonce, fx->pub, sg_prio3_public_share_bytes(fx->p),
				  fx->in[agg], sg_prio3_input_share_bytes(fx->p, agg)),
	     "verify_init");
}

static void ph_verify_init_leader(fixture *fx)
{
	verify_init(fx, 0);
}

static void ph_verify_init_helper(fixture *fx)
{
	verify_init(fx, 1);
}

static void ph_to_message(fixture *fx)
{
	must(sg_prio3_verifier_shares_to_message(fx->p, fx->msg, fx->ctx, sizeof fx->ctx,
						 (const uint8_t *const *)fx->vs, fx->vs_len),
	     "verifier_shares_to_message");
}

static void ph_verify_next(fixture *fx)
{
	fx->st[0]->finished = false; /* replay the same transition */
	must(sg_prio3_verify_next(fx->p, fx->st[0], fx->msg, sg_prio3_verifier_message_bytes(fx->p)),
	     "verify_next");
}

static void ph_aggregate(fixture *fx)
{
	must(sg_prio3_aggregate(fx->p, fx->agg, fx->st[0]), "aggregate");
}

static void ph_unshard(fixture *fx)
{
	size_t n = sg_prio3_output_len(fx->p);
	uint64_t *res = malloc(n * sizeof *res);
	must(res ? 0 : SG_ERR_NOMEM, "allocation");
	must(sg_prio3_unshard(fx->p, res, n, (const uint8_t *const *)fx->agg_enc, fx->agg_len, 1),
	     "unshard");
	free(res);
}

/* The floor under a helper's verify_init: expanding its seed alone. */
static void ph_xof_floor_helper(fixture *fx)
{
	sg_prio3_helper_meas_share(fx->p, fx->floor_buf, fx->ctx, sizeof fx->ctx, 1, fx->in[1]);
	sg_prio3_helper_proofs_share(fx->p, fx->floor_buf, fx->ctx, sizeof fx->ctx, 1, fx->in[1]);
}

static const struct {
	const char *name;
	phase_fn fn;
} phases[] = {
	{ "shard", ph_shard },
	{ "verify_init_leader", ph_verify_init_leader },
	{ "verify_init_helper", ph_verify_init_helper },
	{ "verifier_shares_to_message", ph_to_message },
	{ "verify_next", ph_verify_next },
	{ "aggregate", ph_aggregate },
	{ "unshard", ph_unshard },
	{ "xof_floor_helper", ph_xof_floor_helper },
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

#define N_PHASES (sizeof phases / sizeof phases[0])

/* Calls per batch so that a batch takes at least MIN_BATCH_NS (warms up too). */
static size_t calibrate(fixture *fx, phase_fn fn)
{
	size_t batch = 1;
	for (;;) {
		double t0 = now_ns();
		for (size_t i = 0; i < batch; i++)
			fn(fx);
		if (now_ns() - t0 >= MIN_BATCH_NS || batch >= ((size_t)1 << 24))
			return batch;
		batch *= 2;
	}
}

static double time_batch(fixture *fx, phase_fn fn, size_t batch)
{
	double t0 = now_ns();
	for (size_t i = 0; i < batch; i++)
		fn(fx);
	return (now_ns() - t0) / (double)batch;
}

/* A random measurement value for element i of case c. */
static uint64_t random_value(const fixture *fx, const bench_case *c, size_t i)
{
	switch (c->circuit) {
	case SG_PRIO3_SUMVEC:
		return randombytes_uniform((uint32_t)c->max_measurement + 1);
	case SG_PRIO3_BOUNDED_SUMVEC:
		return randombytes_uniform((uint32_t)fx->bounds[i] + 1);
	case SG_PRIO3_HISTOGRAM:
		return randombytes_uniform((uint32_t)c->length);
	default:
		return 1;
	}
}

static void fixture_params(fixture *fx, const bench_case *c, sg_prio3_params *pp)
{
	sg_prio3_params_standard(pp, c->circuit, c->shares);
	pp->length = c->length;
	pp->max_measurement = c->max_measurement;
	if (c->circuit == SG_PRIO3_BOUNDED_SUMVEC) {
		fx->bounds = malloc(c->length * sizeof *fx->bounds);
		must(fx->bounds ? 0 : SG_ERR_NOMEM, "allocation");
		for (size_t i = 0; i < c->length; i++)
			fx->bounds[i] = i % 2 ? c->max_measurement : c->small_max;
		pp->max_measurements = fx->bounds;
		pp->max_measurements_len = c->length;
	}
	pp->chunk_length = sg_prio3_default_chunk_length(pp);
}

static void fixture_init(fixture *fx, const bench_case *c)
{
	sg_prio3_params pp;
	memset(fx, 0, sizeof *fx);
	fixture_params(fx, c, &pp);
	must(sg_prio3_new(&fx->p, &pp), "sg_prio3_new");
	randombytes_buf(fx->ctx, sizeof fx->ctx);
	randombytes_buf(fx->nonce, sizeof fx->nonce);
	randombytes_buf(fx->vk, sizeof fx->vk);
	size_t mlen = sg_prio3_measurement_len(fx->p);
	fx->meas = calloc(mlen, sizeof *fx->meas);
	for (size_t i = 0; fx->meas && i < mlen; i++)
		fx->meas[i] = random_value(fx, c, i);
	fx->rand = malloc(sg_prio3_rand_bytes(fx->p));
	fx->pub = malloc(sg_prio3_public_share_bytes(fx->p) + 1);
	fx->msg = malloc(sg_prio3_verifier_message_bytes(fx->p) + 1);
	must(fx->meas && fx->rand && fx->pub && fx->msg ? 0 : SG_ERR_NOMEM, "allocation");
	randombytes_buf(fx->rand, sg_prio3_rand_bytes(fx->p));
	for (unsigned j = 0; j < c->shares; j++) {
		fx->in[j] = malloc(sg_prio3_input_share_bytes(fx->p, j));
		fx->vs_len[j] = sg_prio3_verifier_share_bytes(fx->p);
		fx->vs[j] = malloc(fx->vs_len[j]);
		fx->agg_len[j] = sg_prio3_out_share_bytes(fx->p);
		fx->agg_enc[j] = malloc(fx->agg_len[j]);
		must(fx->in[j] && fx->vs[j] && fx->agg_enc[j] ? 0 : SG_ERR_NOMEM, "allocation");
		must(sg_prio3_state_new(fx->p, &fx->st[j]), "state");
	}
	must(sg_prio3_agg_new(fx->p, &fx->agg), "aggregate share");
	size_t floor_len = fx->p->flp.meas_len > fx->p->proofs_len ? fx->p->flp.meas_len : fx->p->proofs_len;
	fx->floor_buf = malloc(floor_len * sizeof *fx->floor_buf);
	must(fx->floor_buf ? 0 : SG_ERR_NOMEM, "allocation");
	/* one real round so that every phase has genuine inputs */
	ph_shard(fx);
	for (unsigned j = 0; j < c->shares; j++)
		verify_init(fx, j);
	ph_to_message(fx);
	for (unsigned j = 0; j < c->shares; j++) {
		must(sg_prio3_verify_next(fx->p, fx->st[j], fx->msg,
					  sg_prio3_verifier_message_bytes(fx->p)), "verify_next");
		must(sg_prio3_out_share_encode(fx->p, fx->agg_enc[j], fx->st[j]), "out share");
	}
}

static void fixture_free(fixture *fx, unsigned shares)
{
	for (unsigned j = 0; j < shares; j++) {
		free(fx->in[j]);
		free(fx->vs[j]);
		free(fx->agg_enc[j]);
		sg_prio3_state_free(fx->st[j]);
	}
	sg_prio3_agg_free(fx->agg);
	free(fx->floor_buf);
	free(fx->meas);
	free(fx->bounds);
	free(fx->rand);
	free(fx->pub);
	free(fx->msg);
	sg_prio3_free(fx->p);
}

static void run_case(const bench_case *c)
{
	fixture fx;
	size_t batch[N_PHASES];
	double samples[N_PHASES][SAMPLES];
	fixture_init(&fx, c);
	for (size_t i = 0; i < N_PHASES; i++)
		batch[i] = calibrate(&fx, phases[i].fn);
	for (int k = 0; k < SAMPLES; k++)
		for (size_t i = 0; i < N_PHASES; i++)
			samples[i][k] = time_batch(&fx, phases[i].fn, batch[i]);
	for (size_t i = 0; i < N_PHASES; i++) {
		qsort(samples[i], SAMPLES, sizeof samples[i][0], cmp_double);
		double ns = samples[i][SAMPLES / 2];
		printf("case=%s phase=%s us=%.3f per_s=%.0f\n", c->name, phases[i].name, ns / 1e3,
		       1e9 / ns);
	}
	fflush(stdout);
	fixture_free(&fx, c->shares);
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s bench prio3 [--case NAME]\n\n"
		"Times each Prio3 phase on one core and prints, per case and phase:\n"
		"  case=<name> phase=<phase> us=<median microseconds per report> per_s=<reports/s>\n\n"
		"Cases:",
		SG_PROG_NAME);
	for (size_t i = 0; i < N_CASES; i++)
		fprintf(f, " %s", cases[i].name);
	fprintf(f, "\nPhases:");
	for (size_t i = 0; i < N_PHASES; i++)
		fprintf(f, " %s", phases[i].name);
	fprintf(f, "\n");
}

static int bench_prio3(int argc, char **argv)
{
	const char *only = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(argv[i], "--case") == 0 && i + 1 < argc && only == NULL) {
			only = argv[++i];
		} else {
			fprintf(stderr, "%s bench prio3: unexpected argument '%s'\n", SG_PROG_NAME,
				argv[i]);
			return 2;
		}
	}
	size_t ran = 0;
	for (size_t i = 0; i < N_CASES; i++)
		if (only == NULL || strcmp(only, cases[i].name) == 0) {
			run_case(&cases[i]);
			ran++;
		}
	if (ran == 0) {
		fprintf(stderr, "%s bench prio3: unknown case '%s'; run with --help for the list\n",
			SG_PROG_NAME, only);
		return 2;
	}
	return 0;
}

int bench_main(int argc, char **argv)
{
	if (sodium_init() < 0) {
		fprintf(stderr, "%s bench: libsodium failed to initialise\n", SG_PROG_NAME);
		return 2;
	}
	if (argc >= 2 && strcmp(argv[1], "prio3") == 0)
		return bench_prio3(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "round") == 0)
		return bench_round_main(argc - 1, argv + 1);
	static const char use[] = "Usage: %s bench prio3 [--case NAME]\n"
				  "       %s bench round [--enterprises N] [--categories L] "
				  "[--aggregators A] (see bench round --help)\n";
	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		printf(use, SG_PROG_NAME, SG_PROG_NAME);
		return 0;
	}
	fprintf(stderr, use, SG_PROG_NAME, SG_PROG_NAME);
	return 2;
}
