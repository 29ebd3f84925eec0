/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SG_CORE_TASK_H
#define SG_CORE_TASK_H

/*
 * A task (DESIGN.md §4): the authority-signed definition of one collection
 * round. On disk and on the wire it is a Task message holding the exact
 * TaskBody bytes and the authority's Ed25519 signature over
 * SG_TASK_SIG_CONTEXT || body; task_id = SHA-256(body).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "spillguard.pb-c.h"
#include "spillguard/export.h"
#include "spillguard/prio3.h"
#include "wire/codec.h"

#define SG_TASK_VERSION 1
#define SG_TASK_ID_BYTES 32
#define SG_TASK_SIG_CONTEXT "spillguard task v1"
#define SG_TASK_MAX_CATEGORIES 65536
#define SG_TASK_MIN_BATCH_FLOOR 2 /* an aggregate of one enterprise is its value */

typedef struct sg_task {
	uint8_t id[SG_TASK_ID_BYTES];
	Spillguard__TaskBody *body;
	/* private */
	sg_wire_budget *budget;
	Spillguard__Task *signed_task;
	sg_wire_budget *signed_budget;
	size_t *by_id; /* roster positions sorted by enterprise id */
} sg_task;

/* Checks a decoded body against every rule of the format; on failure
 * returns SG_ERR_PARAM and writes "<field>: <problem>" into err. */
SG_MUST_CHECK int sg_task_validate(const Spillguard__TaskBody *t, char *err, size_t err_len);

/* The largest S_k a publication of this task holds exactly (the field's
 * exact range, and 64 bits). sg_task_validate refuses a task whose largest
 * industry, every enterprise at a category's max, could exceed it. */
uint64_t sg_task_sum_limit(const Spillguard__TaskBody *t);

/* Signs body bytes (a packed, valid TaskBody) with the authority's Ed25519
 * secret key into a packed Task (malloc'd). */
SG_MUST_CHECK int sg_task_sign(uint8_t **out, size_t *out_len, const uint8_t *body,
			       size_t body_len, const uint8_t authority_sk[64]);

/* Decodes a packed Task, checks its version, the signature by the body's
 * authority key (and that this key is `authority_pk` unless that is NULL),
 * and validates the body. SG_ERR_PARSE, SG_ERR_VERIFY or SG_ERR_PARAM with
 * the reason in err. */
SG_MUST_CHECK int sg_task_open(sg_task **out, const uint8_t *bytes, size_t len,
			       const uint8_t *authority_pk, char *err, size_t err_len);
void sg_task_free(sg_task *t);

/* Whether a message's task_id field names task t. */
static inline bool sg_task_is(const sg_task *t, const ProtobufCBinaryData *id)
{
	return id->len == SG_TASK_ID_BYTES && memcmp(id->data, t->id, SG_TASK_ID_BYTES) == 0;
}

/* Whether time t (seconds since the epoch) is within the task's window. */
static inline bool sg_task_open_at(const sg_task *task, uint64_t t)
{
	return t >= task->body->opens_at && t <= task->body->closes_at;
}

/* Prio3SumVec's algorithm id, which a task whose categories share one
 * bound names. */
#define SG_TASK_ALGORITHM_SUMVEC 3

/* The Prio3 algorithm id a task's VdafParams must name for its
 * categories and field (64 or 128): Prio3SumVec when every category has
 * the same max_measurement, else Prio3BoundedSumVec, which proves each
 * category's own bound (SG_PRIO3_BOUNDED_SUMVEC_ID over Field128,
 * SG_PRIO3_BOUNDED_SUMVEC_MULTIPROOF_ID over Field64). */
uint32_t sg_task_vdaf_algorithm(const Spillguard__TaskBody *t, uint32_t field);

/* The Prio3 parameters of a body's VdafParams: SumVec, or BoundedSumVec
 * with each category's max_measurement as its element's bound, in *bounds
 * (malloc'd: free it after sg_prio3_new, which copies it; NULL for SumVec).
 * 0 or SG_ERR_NOMEM. Checks nothing: sg_task_validate does. */
SG_MUST_CHECK int sg_task_vdaf_params(sg_prio3_params *pp, uint64_t **bounds,
				      const Spillguard__TaskBody *t);

/* The position of industry id in the task's list, or -1. */
long sg_task_industry_index(const Spillguard__TaskBody *t, uint32_t id);

/* Index of an enterprise in the roster, or -1. */
long sg_task_roster_find(const sg_task *t, const char *enterprise_id);

#endif
