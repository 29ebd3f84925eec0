/* SPDX-License-Identifier: Apache-2.0 */
/* The round's log: a helper signs a head over leaves it checks, and never
 * one that does not extend a head it signed; the store keeps one root per
 * size. */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <sodium.h>

#include "common.h"
#include "core/signed.h"
#include "protocol/collect.h"
#include "protocol/log.h"
#include "spillguard/err.h"

/* The smallest log: the task, an outcome (the given industries published:
 * none here, so both withheld) and the ISK of no industry. */
typedef struct small_log {
	uint8_t *task, *outcome, *isk, *body, *req;
	size_t task_len, outcome_len, isk_len, body_len, req_len;
	const uint8_t *leaves[3];
	size_t lens[3];
} small_log;

static void small_log_make(small_log *l, const sg_task *t)
{
	free(l->body);
	free(l->req);
	cr_assert_eq(sg_log_head_body(&l->body, &l->body_len, t, l->leaves, l->lens, 3, 1700), 0);
	cr_assert_eq(sg_log_request_msg(&l->req, &l->req_len, t, l->body, l->body_len, l->leaves,
					l->lens, 3), 0);
}

static void small_log_init(small_log *l, const sg_task *t)
{
	memset(l, 0, sizeof *l);
	l->task_len = spillguard__task__get_packed_size(t->signed_task);
	l->task = malloc(l->task_len);
	spillguard__task__pack(t->signed_task, l->task);
	cr_assert_eq(sg_log_outcome_msg(&l->outcome, &l->outcome_len, t, NULL, 0), 0);
	cr_assert_eq(sg_publish_isk(&l->isk, &l->isk_len, t, NULL, NULL, 0), 0);
	l->leaves[0] = l->task;
	l->lens[0] = l->task_len;
	l->leaves[1] = l->outcome;
	l->lens[1] = l->outcome_len;
	l->leaves[2] = l->isk;
	l->lens[2] = l->isk_len;
	small_log_make(l, t);
}

static void small_log_free(small_log *l)
{
	free(l->task);
	free(l->outcome);
	free(l->isk);
	free(l->body);
	free(l->req);
}

/* A helper that released nothing and holds no report. */
static const uint64_t no_counts[2] = { 0, 0 };
static const sg_log_own nothing = { NULL, 0, no_counts };

Test(log, a_helper_signs_a_head_over_checked_leaves_and_only_extensions)
{
	sg_test_world w;
	sg_test_world_init(&w, 2, 4, 2);
	small_log l;
	small_log_init(&l, w.task);
	uint8_t *reply, root[32], sig[64];
	size_t reply_len;
	uint64_t size = 0;
	char msg[200];
	cr_assert_eq(sg_log_sign_request(&reply, &reply_len, &size, root, w.task, 1,
					 w.agg_sign_sk[1], &nothing, NULL, NULL, 0, l.req, l.req_len, msg,
					 sizeof msg), 0, "%s", msg);
	cr_assert_eq(size, 3);
	cr_assert_eq(sg_log_signature_read(sig, w.task, 1, l.body, l.body_len, reply, reply_len), 0);
	cr_assert_eq(sg_log_signature_read(sig, w.task, 0, l.body, l.body_len, reply, reply_len),
		     SG_ERR_VERIFY, "not the leader's signature");
	free(reply);
	/* the same head again, after signing it: it extends itself */
	uint64_t sizes[1] = { size };
	uint8_t roots[1][32];
	memcpy(roots[0], root, 32);
	cr_assert_eq(sg_log_sign_request(&reply, &reply_len, &size, root, w.task, 1,
					 w.agg_sign_sk[1], &nothing, sizes, (const uint8_t(*)[32])roots, 1,
					 l.req, l.req_len, msg, sizeof msg), 0, "%s", msg);
	free(reply);
	/* a head that does not hold one signed before: refused, nothing signed */
	sizes[0] = 1;
	memset(roots[0], 0x42, 32);
	reply = NULL;
	cr_assert_eq(sg_log_sign_request(&reply, &reply_len, &size, root, w.task, 1,
					 w.agg_sign_sk[1], &nothing, sizes, (const uint8_t(*)[32])roots, 1,
					 l.req, l.req_len, msg, sizeof msg), SG_ERR_VERIFY);
	cr_assert(strstr(msg, "does not extend") != NULL, "%s", msg);
	cr_assert_null(reply);
	small_log_free(&l);
	sg_test_world_free(&w);
}

Test(log, leaves_that_do_not_check_are_not_signed)
{
	sg_test_world w, other;
	sg_test_world_init(&w, 2, 4, 2);
	sg_test_world_init(&other, 2, 4, 2);
	small_log l;
	small_log_init(&l, w.task);
	uint8_t *reply = NULL, *req, root[32];
	size_t reply_len, req_len;
	uint64_t size;
	char msg[200];
	/* another task as the first leaf */
	small_log o;
	small_log_init(&o, other.task);
	l.leaves[0] = o.task;
	l.lens[0] = o.task_len;
	cr_assert_eq(sg_log_request_msg(&req, &req_len, w.task, l.body, l.body_len, l.leaves, l.lens,
					3), 0);
	cr_assert_eq(sg_log_sign_request(&reply, &reply_len, &size, root, w.task, 1,
					 w.agg_sign_sk[1], &nothing, NULL, NULL, 0, req, req_len, msg,
					 sizeof msg), SG_ERR_VERIFY);
	cr_assert(strstr(msg, "first leaf") != NULL, "%s", msg);
	free(req);
	/* a head whose root is not the leaves' */
	l.leaves[0] = l.task;
	l.lens[0] = l.task_len;
	cr_assert_eq(sg_log_request_msg(&req, &req_len, w.task, o.body, o.body_len, l.leaves, l.lens,
					3), 0);
	cr_assert_neq(sg_log_sign_request(&reply, &reply_len, &size, root, w.task, 1,
					  w.agg_sign_sk[1], &nothing, NULL, NULL, 0, req, req_len, msg,
					  sizeof msg), 0);
	cr_assert_null(reply);
	free(req);
	small_log_free(&o);
	small_log_free(&l);
	sg_test_world_free(&other);
	sg_test_world_free(&w);
}

/* The outcome must agree with what the helper holds: an industry it
 * released cannot be called withheld, nor one it holds min_batch reports
 * of; an outcome that leaves an industry out, or names one twice, is no
 * outcome. */
Test(log, a_helper_refuses_an_outcome_that_hides_what_it_released)
{
	sg_test_world w;
	sg_test_world_init(&w, 2, 4, 2);
	small_log l;
	small_log_init(&l, w.task);
	uint8_t *reply = NULL, root[32];
	size_t reply_len;
	uint64_t size;
	char msg[300];
	uint32_t released[1] = { 1 };
	const sg_log_own gave = { released, 1, no_counts };
	cr_assert_eq(sg_log_sign_request(&reply, &reply_len, &size, root, w.task, 1,
					 w.agg_sign_sk[1], &gave, NULL, NULL, 0, l.req, l.req_len,
					 msg, sizeof msg), SG_ERR_VERIFY);
	cr_assert(strstr(msg, "industry 1 was released by this aggregator but is not published"),
		  "%s", msg);
	cr_assert_null(reply);
	/* min_batch 2: a helper holding 2 reports of industry 2 */
	const uint64_t counts[2] = { 1, 2 };
	const sg_log_own holds = { NULL, 0, counts };
	cr_assert_eq(sg_log_sign_request(&reply, &reply_len, &size, root, w.task, 1,
					 w.agg_sign_sk[1], &holds, NULL, NULL, 0, l.req, l.req_len,
					 msg, sizeof msg), SG_ERR_VERIFY);
	cr_assert(strstr(msg, "industry 2 is called withheld") != NULL, "%s", msg);
	/* an outcome that names industry 1 published, with no aggregate for it */
	uint32_t one[1] = { 1 };
	uint8_t *lying;
	size_t lying_len;
	cr_assert_eq(sg_log_outcome_msg(&lying, &lying_len, w.task, one, 1), 0);
	l.leaves[1] = lying;
	l.lens[1] = lying_len;
	small_log_make(&l, w.task);
	cr_assert_eq(sg_log_sign_request(&reply, &reply_len, &size, root, w.task, 1,
					 w.agg_sign_sk[1], &nothing, NULL, NULL, 0, l.req,
					 l.req_len, msg, sizeof msg), SG_ERR_VERIFY);
	cr_assert(strstr(msg, "outcome") != NULL, "%s", msg);
	/* the ISK in the outcome's place: no outcome at all */
	l.leaves[1] = l.isk;
	l.lens[1] = l.isk_len;
	small_log_make(&l, w.task);
	cr_assert_eq(sg_log_sign_request(&reply, &reply_len, &size, root, w.task, 1,
					 w.agg_sign_sk[1], &nothing, NULL, NULL, 0, l.req,
					 l.req_len, msg, sizeof msg), SG_ERR_VERIFY);
	free(lying);
	small_log_free(&l);
	sg_test_world_free(&w);
}
