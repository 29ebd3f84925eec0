/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SG_TESTS_COMMON_H
#define SG_TESTS_COMMON_H

/*
 * Helpers shared by the Criterion tests. Failures inside them fail the
 * calling test with a message naming the file or value.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spillguard/prio3.h"
#include "util/json.h"

/* $SG_VECTORS if set, else "../shared/vectors" (relative to the repo root,
 * where `make test` runs the tests). */
const char *sg_test_vectors_dir(void);
/* "<vectors dir>/<rel>", malloc'd; the caller frees it. */
char *sg_test_path(const char *rel);
/* Loads <vectors dir>/<rel> as JSON; fails the test if it is absent or
 * malformed. Free with sg_json_free. */
sg_json *sg_test_load_json(const char *rel);
/* Decodes hex (NUL-terminated) into a malloc'd buffer (never NULL, even for
 * ""); fails the test on bad hex. *len may be NULL. */
uint8_t *sg_test_hex(const char *hex, size_t *len);

/* n bytes of 0xa5 (one when n is 0), malloc'd: an output a function must
 * overwrite or zero. Fails the test when out of memory. */
uint8_t *sg_test_filled(size_t n);
/* Whether all n bytes of b are zero. */
bool sg_test_zeroed(const void *b, size_t n);

/* --- Prio3: honest reports (test_prio3_decode.c, test_prio3_params.c) ----- */

#define SG_TEST_MAXS 3    /* most shares in a parameter set here */
#define SG_TEST_MAX_OUT 8 /* longest output here */
#define SG_TEST_NCASES 6

/* The context, verify key and nonce of every report here. */
extern const uint8_t sg_test_ctx[];
extern const size_t sg_test_ctx_len;
extern const uint8_t sg_test_key[SG_PRIO3_VERIFY_KEY_BYTES];
extern const uint8_t sg_test_nonce[SG_PRIO3_NONCE_BYTES];

/* A parameter set and the measurement of its honest report. */
typedef struct sg_test_case {
	const char *name;
	sg_prio3_params pp;
	uint64_t meas[5];
} sg_test_case;

/* Six parameter sets covering both fields with and without joint
 * randomness: Count/Field64, SumVec/Field128 (3 shares),
 * Histogram/Field128, SumVec/Field64 with two proofs, BoundedSumVec/Field128
 * (3 shares) and BoundedSumVec/Field64 with three proofs. */
extern const sg_test_case sg_test_cases[SG_TEST_NCASES];

/* Every message of one report, as the honest parties produce them. */
typedef struct sg_test_honest {
	const char *name;
	sg_prio3 *p;
	unsigned shares;
	size_t enc, olen; /* bytes per element; output length in elements */
	size_t pub_len, in_len[SG_TEST_MAXS], vs_len, msg_len, out_len;
	uint8_t *pub, *in[SG_TEST_MAXS], *vs[SG_TEST_MAXS], *out[SG_TEST_MAXS];
	uint8_t msg[SG_PRIO3_SEED_BYTES];
} sg_test_honest;

/* Shards c's measurement with fixed randomness and verifies it to the end
 * at every aggregator; fails the test if any step refuses. */
void sg_test_honest_new(sg_test_honest *h, const sg_test_case *c);
void sg_test_honest_free(sg_test_honest *h);
/* A fresh verification state for h's parameters; free with
 * sg_prio3_state_free. */
sg_prio3_state *sg_test_state_new(const sg_test_honest *h);
/* Expects st spent: no output share (zeroed), no aggregation, and no second
 * verify_next, even with the honest message. */
void sg_test_expect_spent(const sg_test_honest *h, sg_prio3_state *st, const char *what);
/* verify_next at the leader with (b, len) as message, after an honest
 * verify_init; a refusal must spend the state. Returns verify_next's code. */
int sg_test_feed_message(const sg_test_honest *h, const uint8_t *b, size_t len,
			 const char *what);

#endif

/* ---- a small world for protocol tests ---------------------------------- */

#include "core/task.h"

#define SG_TEST_MAX_AGG 5
#define SG_TEST_MAX_ENT 64

/* A signed, opened task with real keys for everyone: `ncat` categories
 * (bound 65535, 0 decimals), two industries (ids 1 and 2, enterprises
 * alternating), `nagg` aggregators, `nent` enterprises named "ent-<i>",
 * window [1000, 2000], min_batch 2. */
typedef struct sg_test_world {
	sg_task *task;
	unsigned nagg, nent, ncat;
	uint8_t auth_pk[32], auth_sk[64];
	uint8_t agg_sign_pk[SG_TEST_MAX_AGG][32], agg_sign_sk[SG_TEST_MAX_AGG][64];
	uint8_t agg_hpke_pk[SG_TEST_MAX_AGG][32], agg_hpke_sk[SG_TEST_MAX_AGG][32];
	uint8_t ent_pk[SG_TEST_MAX_ENT][32], ent_sk[SG_TEST_MAX_ENT][64];
	char ent_id[SG_TEST_MAX_ENT][16];
	uint8_t verify_key[32]; /* the aggregators' Prio3 verification key */
} sg_test_world;

/* Fails the test on any error. Free with sg_test_world_free. */
void sg_test_world_init(sg_test_world *w, unsigned nagg, unsigned nent, unsigned ncat);
void sg_test_world_free(sg_test_world *w);

/* A task body holding just one category of `decimals` (what sg_tsk_text
 * reads), with no signature or roster: for the figures' rule. */
typedef struct sg_test_one_cat {
	Spillguard__Category cat, *cats[1];
	Spillguard__TaskBody body;
	sg_task task;
} sg_test_one_cat;

void sg_test_one_cat_init(sg_test_one_cat *o, unsigned decimals);
