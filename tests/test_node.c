/* SPDX-License-Identifier: Apache-2.0 */
/*
 * An enterprise's submission end to end on loopback: the node reads its CSV,
 * sends the report over CURVE to a leader serving uploads in a thread, and
 * checks the receipt; refusals and bad input reach the user plainly.
 */
#define _DEFAULT_SOURCE /* mkdtemp */

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <sodium.h>

#include "common.h"
#include "edge/node.h"
#include "edge/transport.h"
#include "protocol/upload.h"
#include "spillguard/err.h"
#include "wire/codec.h"

typedef struct leader_rig {
	sg_test_world w;
	sg_prio3 *p;
	sg_store *store;
	sg_leader leader;
	sg_server *server;
	uint8_t curve_sk[32], curve_pk[32];
	char dir[64], endpoint[128];
	atomic_bool stop;
	pthread_t thread;
	sg_task *node_task; /* the task as the node sees it: leader endpoint filled in */
} leader_rig;

/* Answers uploads until told to stop. */
static void *serve(void *arg)
{
	leader_rig *r = arg;
	while (!atomic_load(&r->stop)) {
		sg_request req;
		if (sg_server_poll(r->server, &req, 50) != 1)
			continue;
		sg_wire_msg m;
		uint8_t *reply = NULL, *rep = NULL;
		size_t reply_len = 0, rep_len = 0;
		enum sg_reject rej;
		if (sg_wire_decode(&m, req.data, req.len) == 0 &&
		    m.env->msg_case == SPILLGUARD__ENVELOPE__MSG_REPORT) {
			rep_len = spillguard__report__get_packed_size(m.env->report);
			rep = malloc(rep_len);
			spillguard__report__pack(m.env->report, rep);
			if (sg_leader_upload(&r->leader, &reply, &reply_len, &rej, rep, rep_len, 1500) == 0 &&
			    sg_server_reply(r->server, &req, reply, reply_len) != 0)
				fprintf(stderr, "reply failed: %s\n", sg_server_error(r->server));
			sg_wire_msg_free(&m);
		}
		free(rep);
		free(reply);
		sg_request_free(&req);
	}
	return NULL;
}

/* The test world's task names a placeholder endpoint: the node's copy is
 * re-signed with the server's real port and CURVE key. */
static void node_task(leader_rig *r)
{
	ProtobufCMessage *m;
	sg_wire_budget *b;
	cr_assert_eq(sg_wire_unpack(&m, &b, &spillguard__task_body__descriptor,
				    r->w.task->signed_task->body.data, r->w.task->signed_task->body.len), 0);
	Spillguard__TaskBody *body = (Spillguard__TaskBody *)m;
	char *saved = body->aggregators[0]->endpoint;
	ProtobufCBinaryData saved_pk = body->aggregators[0]->curve_pk;
	body->aggregators[0]->endpoint = r->endpoint;
	body->aggregators[0]->curve_pk = (ProtobufCBinaryData){ 32, r->curve_pk };
	size_t n = spillguard__task_body__get_packed_size(body), tlen;
	uint8_t *packed = malloc(n), *signed_task;
	spillguard__task_body__pack(body, packed);
	body->aggregators[0]->endpoint = saved;
	body->aggregators[0]->curve_pk = saved_pk;
	sg_wire_release(m, b);
	char err[200];
	cr_assert_eq(sg_task_sign(&signed_task, &tlen, packed, n, r->w.auth_sk), 0);
	cr_assert_eq(sg_task_open(&r->node_task, signed_task, tlen, r->w.auth_pk, err, sizeof err), 0, "%s", err);
	free(packed);
	free(signed_task);
}

static void rig_start(leader_rig *r)
{
	char err[256];
	memset(r, 0, sizeof *r);
	sg_test_world_init(&r->w, 2, 4, 3);
	cr_assert_eq(sg_task_prio3(&r->p, r->w.task), 0);
	snprintf(r->dir, sizeof r->dir, "/tmp/sg-node-XXXXXX");
	cr_assert_not_null(mkdtemp(r->dir));
	char path[128];
	snprintf(path, sizeof path, "%s/leader.db", r->dir);
	randombytes_buf(r->curve_sk, 32);
	crypto_scalarmult_base(r->curve_pk, r->curve_sk);
	cr_assert_eq(sg_server_open(&r->server, "tcp://127.0.0.1:*", r->curve_sk, NULL, 0, err, sizeof err), 0, "%s", err);
	snprintf(r->endpoint, sizeof r->endpoint, "%s", sg_server_endpoint(r->server));
	node_task(r);
	/* the leader checks reports against the task the enterprise signed for */
	cr_assert_eq(sg_store_open(&r->store, path, r->node_task->id, err, sizeof err), 0, "%s", err);
	r->leader = (sg_leader){ r->node_task, r->p, r->store, r->w.agg_hpke_sk[0], r->w.agg_sign_sk[0] };
	atomic_store(&r->stop, false);
	cr_assert_eq(pthread_create(&r->thread, NULL, serve, r), 0);
}

static void rig_stop(leader_rig *r)
{
	char cmd[128];
	atomic_store(&r->stop, true);
	pthread_join(r->thread, NULL);
	sg_server_close(r->server);
	sg_store_close(r->store);
	sg_task_free(r->node_task);
	sg_prio3_free(r->p);
	sg_test_world_free(&r->w);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", r->dir);
	cr_assert_eq(system(cmd), 0);
}

static const char *csv = "position,category,value\nwelder,cat-0,10\ninspector,cat-0,5\nwelder,cat-2,7\n";

Test(node, submit_gets_a_receipt_then_a_duplicate_is_refused)
{
	leader_rig r;
	rig_start(&r);
	sg_node_result res;
	cr_assert_eq(sg_node_submit(&res, r.node_task, r.w.ent_sk[2], csv, strlen(csv), "eek.csv", 1500,
				    2000, 1, NULL), 0, "%s", res.message);
	cr_assert_eq(res.outcome, SG_NODE_ACCEPTED, "%s", res.message);
	cr_assert_gt(res.receipt_len, 0);
	sg_node_result_free(&res);
	/* a second report from the same enterprise */
	cr_assert_eq(sg_node_submit(&res, r.node_task, r.w.ent_sk[2], csv, strlen(csv), "eek.csv", 1500,
				    2000, 1, NULL), 0);
	cr_assert_eq(res.outcome, SG_NODE_REFUSED);
	cr_assert_eq(res.reject, SG_REJECT_DUPLICATE);
	cr_assert(strstr(res.message, "already submitted") != NULL, "%s", res.message);
	sg_node_result_free(&res);
	rig_stop(&r);
}

Test(node, bad_input_is_named_and_nothing_is_sent)
{
	leader_rig r;
	rig_start(&r);
	sg_node_result res;
	const char *bad = "category,value\ncat-0,1\ncat-9,2\n";
	cr_assert_neq(sg_node_submit(&res, r.node_task, r.w.ent_sk[0], bad, strlen(bad), "eek.csv", 1500,
				     2000, 1, NULL), 0);
	cr_assert_eq(res.outcome, SG_NODE_FAILED);
	cr_assert_str_eq(res.message, "eek.csv:3: unknown category 'cat-9'");
	uint8_t stranger_pk[32], stranger_sk[64];
	crypto_sign_keypair(stranger_pk, stranger_sk);
	cr_assert_neq(sg_node_submit(&res, r.node_task, stranger_sk, csv, strlen(csv), "eek.csv", 1500,
				     2000, 1, NULL), 0);
	cr_assert(strstr(res.message, "not in the task's roster") != NULL, "%s", res.message);
	uint64_t all, ind;
	cr_assert_eq(sg_store_count_reports(r.store, &all, 1, &ind), 0);
	cr_assert_eq(all, 0, "nothing reached the leader");
	rig_stop(&r);
}

Test(node, an_unreachable_leader_is_reported_after_the_attempts)
{
	leader_rig r;
	rig_start(&r);
	atomic_store(&r.stop, true); /* the leader stops answering */
	pthread_join(r.thread, NULL);
	sg_node_result res;
	int ret = sg_node_submit(&res, r.node_task, r.w.ent_sk[1], csv, strlen(csv), "eek.csv", 1500,
				 300, 2, NULL);
	cr_assert_eq(ret, SG_ERR_TIMEOUT);
	cr_assert_eq(res.outcome, SG_NODE_FAILED);
	cr_assert(strstr(res.message, "no reply in time") != NULL, "%s", res.message);
	r.thread = pthread_self(); /* already joined */
	atomic_store(&r.stop, true);
	sg_server_close(r.server);
	r.server = NULL;
	sg_store_close(r.store);
	sg_task_free(r.node_task);
	sg_prio3_free(r.p);
	sg_test_world_free(&r.w);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", r.dir);
	cr_assert_eq(system(cmd), 0);
}
