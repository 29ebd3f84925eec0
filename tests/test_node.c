/* SPDX-License-Identifier: Apache-2.0 */
/*
 * An enterprise's submission end to end on loopback: the node reads its CSV,
 * sends the report over CURVE to a leader serving uploads in a thread, and
 * checks the receipt; refusals and bad input reach the user plainly. Then
 * the daemon (node_run.h) over a folder of tasks and a state folder: one
 * report per task, the same bytes after a restart, outcomes kept.
 */
#define _DEFAULT_SOURCE /* mkdtemp */

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <criterion/criterion.h>
#include <sodium.h>

#include "common.h"
#include "edge/node.h"
#include "edge/node_run.h"
#include "edge/transport.h"
#include "protocol/upload.h"
#include "spillguard/err.h"
#include "util/file.h"
#include "util/hex.h"
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
	atomic_bool mute; /* take requests but never answer */
	pthread_t thread;
	sg_task *node_task; /* the task as the node sees it: leader endpoint filled in */
	uint8_t *task_bytes; /* node_task signed, as a task file holds it */
	size_t task_len;
	pthread_mutex_t lock; /* guards what the leader saw: */
	unsigned received;    /* reports that reached it */
	uint8_t *last;	      /* the last of them, as sent */
	size_t last_len;
	char watch[300];      /* a file that must hold each report before it arrives */
	bool watch_ok;	      /* it did, every time */
} leader_rig;

/* Keeps a copy of a report that reached the leader. */
static void saw(leader_rig *r, const uint8_t *rep, size_t len)
{
	pthread_mutex_lock(&r->lock);
	r->received++;
	free(r->last);
	r->last = malloc(len);
	memcpy(r->last, rep, len);
	r->last_len = len;
	if (r->watch[0] != '\0') {
		char *kept = NULL;
		size_t kept_len = 0;
		r->watch_ok = sg_file_read(&kept, &kept_len, r->watch, 1 << 24, NULL, 0) == 0 &&
			      kept_len == len && memcmp(kept, rep, len) == 0 &&
			      (r->received == 1 || r->watch_ok);
		free(kept);
	}
	pthread_mutex_unlock(&r->lock);
}

static unsigned received(leader_rig *r)
{
	pthread_mutex_lock(&r->lock);
	unsigned n = r->received;
	pthread_mutex_unlock(&r->lock);
	return n;
}

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
			saw(r, rep, rep_len);
			if (!atomic_load(&r->mute) &&
			    sg_leader_upload(&r->leader, &reply, &reply_len, &rej, rep, rep_len, 1500) == 0 &&
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
 * re-signed with the server's real port and CURVE key (and named name,
 * unless that is NULL: another name is another task). */
static void sign_node_task(leader_rig *r, const char *name, uint8_t **signed_task, size_t *tlen)
{
	ProtobufCMessage *m;
	sg_wire_budget *b;
	cr_assert_eq(sg_wire_unpack(&m, &b, &spillguard__task_body__descriptor,
				    r->w.task->signed_task->body.data, r->w.task->signed_task->body.len), 0);
	Spillguard__TaskBody *body = (Spillguard__TaskBody *)m;
	char *saved = body->aggregators[0]->endpoint, *saved_name = body->name;
	ProtobufCBinaryData saved_pk = body->aggregators[0]->curve_pk;
	body->aggregators[0]->endpoint = r->endpoint;
	body->aggregators[0]->curve_pk = (ProtobufCBinaryData){ 32, r->curve_pk };
	body->name = name != NULL ? (char *)name : saved_name;
	size_t n = spillguard__task_body__get_packed_size(body);
	uint8_t *packed = malloc(n);
	spillguard__task_body__pack(body, packed);
	body->aggregators[0]->endpoint = saved;
	body->aggregators[0]->curve_pk = saved_pk;
	body->name = saved_name;
	sg_wire_release(m, b);
	cr_assert_eq(sg_task_sign(signed_task, tlen, packed, n, r->w.auth_sk), 0);
	free(packed);
}

static void node_task(leader_rig *r)
{
	char err[200];
	sign_node_task(r, NULL, &r->task_bytes, &r->task_len);
	cr_assert_eq(sg_task_open(&r->node_task, r->task_bytes, r->task_len, r->w.auth_pk, err,
				  sizeof err), 0, "%s", err);
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
	r->leader = (sg_leader){ r->node_task, r->p, r->store, r->w.agg_hpke_sk[0], r->w.agg_sign_sk[0],
				 r->w.verify_key };
	atomic_store(&r->stop, false);
	atomic_store(&r->mute, false);
	cr_assert_eq(pthread_mutex_init(&r->lock, NULL), 0);
	cr_assert_eq(pthread_create(&r->thread, NULL, serve, r), 0);
}

/* Everything but the serving thread, already joined. */
static void rig_free(leader_rig *r)
{
	char cmd[128];
	sg_server_close(r->server);
	sg_store_close(r->store);
	sg_task_free(r->node_task);
	sg_prio3_free(r->p);
	sg_test_world_free(&r->w);
	free(r->task_bytes);
	free(r->last);
	pthread_mutex_destroy(&r->lock);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", r->dir);
	cr_assert_eq(system(cmd), 0);
}

static void rig_stop(leader_rig *r)
{
	atomic_store(&r->stop, true);
	pthread_join(r->thread, NULL);
	rig_free(r);
}

static void count_notice(void *ctx, const char *endpoint, unsigned attempt, unsigned attempts)
{
	(void)endpoint;
	cr_assert_eq(attempt, 1);
	cr_assert_eq(attempts, 2);
	++*(unsigned *)ctx;
}

/* One attempt, and little waiting when no reply comes. */
static const sg_node_send_opts once = { 2000, 1, NULL, NULL, NULL };

static const char *csv = "position,category,value\nwelder,cat-0,10\ninspector,cat-0,5\nwelder,cat-2,7\n";

Test(node, submit_gets_a_receipt_then_a_duplicate_is_refused)
{
	leader_rig r;
	rig_start(&r);
	sg_node_result res;
	cr_assert_eq(sg_node_submit(&res, r.node_task, r.w.ent_sk[2], csv, strlen(csv), "eek.csv", 1500,
				    &once), 0, "%s", res.message);
	cr_assert_eq(res.outcome, SG_NODE_ACCEPTED, "%s", res.message);
	cr_assert_gt(res.receipt_len, 0);
	sg_node_result_free(&res);
	/* a second report from the same enterprise */
	cr_assert_eq(sg_node_submit(&res, r.node_task, r.w.ent_sk[2], csv, strlen(csv), "eek.csv", 1500,
				    &once), 0);
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
				     &once), 0);
	cr_assert_eq(res.outcome, SG_NODE_FAILED);
	cr_assert_str_eq(res.message, "eek.csv:3: unknown category 'cat-9'");
	uint8_t stranger_pk[32], stranger_sk[64];
	crypto_sign_keypair(stranger_pk, stranger_sk);
	cr_assert_neq(sg_node_submit(&res, r.node_task, stranger_sk, csv, strlen(csv), "eek.csv", 1500,
				     &once), 0);
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
	unsigned notices = 0;
	const sg_node_send_opts twice = { 300, 2, count_notice, &notices, NULL };
	int ret = sg_node_submit(&res, r.node_task, r.w.ent_sk[1], csv, strlen(csv), "eek.csv", 1500,
				 &twice);
	cr_assert_eq(ret, SG_ERR_TIMEOUT);
	cr_assert_eq(res.outcome, SG_NODE_FAILED);
	cr_assert(strstr(res.message, "no reply in time") != NULL, "%s", res.message);
	cr_assert_eq(notices, 1, "one notice, before the second and last attempt");
	rig_free(&r);
}

Test(node, a_stop_request_sends_nothing_more)
{
	leader_rig r;
	rig_start(&r);
	uint8_t *report;
	size_t len;
	sg_node_result res;
	cr_assert_eq(sg_node_build(&report, &len, &res, r.node_task, r.w.ent_sk[1], csv, strlen(csv),
				   "eek.csv", 1500), 0, "%s", res.message);
	volatile sig_atomic_t stop = 1;
	const sg_node_send_opts how = { 2000, 5, NULL, NULL, &stop };
	cr_assert_eq(sg_node_send(&res, r.node_task, report, len, &how), SG_ERR_TIMEOUT);
	cr_assert(strstr(res.message, "stopped") != NULL, "%s", res.message);
	cr_assert_eq(received(&r), 0);
	/* bytes that are not a report for this task are never sent */
	cr_assert_eq(sg_node_send(&res, r.node_task, (const uint8_t *)"junk", 4, &once), SG_ERR_PARSE);
	cr_assert_eq(sg_node_send(&res, r.node_task, r.task_bytes, r.task_len, &once), SG_ERR_PARSE);
	cr_assert_eq(received(&r), 0);
	free(report);
	rig_stop(&r);
}

/* --- the daemon ------------------------------------------------------------ */

typedef struct run_rig {
	leader_rig l;
	char tasks[128], state[128], csv[128];
	char log[32768];
	size_t log_len;
	volatile sig_atomic_t stop;
	const char *stop_on; /* a log line holding this sets stop */
	sg_node_run_config cfg;
	sg_node_runner *runner;
} run_rig;

static void collect(void *ctx, const char *line)
{
	run_rig *rr = ctx;
	size_t n = strlen(line);
	cr_assert_lt(rr->log_len + n + 1, sizeof rr->log, "log full");
	memcpy(rr->log + rr->log_len, line, n);
	rr->log[rr->log_len + n] = '\n';
	rr->log_len += n + 1;
	rr->log[rr->log_len] = '\0';
	if (rr->stop_on != NULL && strstr(line, rr->stop_on) != NULL)
		rr->stop = 1;
}

static void log_clear(run_rig *rr)
{
	rr->log_len = 0;
	rr->log[0] = '\0';
}

static unsigned occurrences(const char *hay, const char *needle)
{
	unsigned n = 0;
	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

static void put(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	cr_assert_not_null(f, "%s", path);
	cr_assert_eq(fwrite(data, 1, len, f), len);
	cr_assert_eq(fclose(f), 0);
}

/* The contents of STATE/<task id>.ext (malloc'd), or NULL when absent. */
static uint8_t *state_file(run_rig *rr, const char *ext, size_t *len, unsigned *mode)
{
	char hex[2 * SG_TASK_ID_BYTES + 1], path[300], err[300], *bytes = NULL;
	struct stat st;
	sg_hex_encode(hex, rr->l.node_task->id, SG_TASK_ID_BYTES);
	snprintf(path, sizeof path, "%s/%s.%s", rr->state, hex, ext);
	if (stat(path, &st) != 0)
		return NULL;
	if (mode != NULL)
		*mode = st.st_mode & 0777;
	cr_assert_eq(sg_file_read(&bytes, len, path, 1 << 24, err, sizeof err), 0, "%s", err);
	return (uint8_t *)bytes;
}

static void runner_new(run_rig *rr)
{
	char err[300];
	sg_node_runner_free(&rr->runner);
	cr_assert_eq(sg_node_runner_new(&rr->runner, &rr->cfg, err, sizeof err), 0, "%s", err);
}

/* A leader, a tasks folder holding its task, the CSV, and a runner for
 * enterprise `ent` with one short attempt per pass. The state folder does
 * not exist yet: the runner makes it. */
static void run_start(run_rig *rr, unsigned ent, const char *csv_text)
{
	char path[200];
	memset(rr, 0, sizeof *rr);
	rig_start(&rr->l);
	snprintf(rr->tasks, sizeof rr->tasks, "%s/tasks", rr->l.dir);
	snprintf(rr->state, sizeof rr->state, "%s/state", rr->l.dir);
	snprintf(rr->csv, sizeof rr->csv, "%s/eek.csv", rr->l.dir);
	cr_assert_eq(mkdir(rr->tasks, 0700), 0);
	snprintf(path, sizeof path, "%s/round.sgt", rr->tasks);
	put(path, rr->l.task_bytes, rr->l.task_len);
	put(rr->csv, csv_text, strlen(csv_text));
	rr->cfg = (sg_node_run_config){
		.tasks_dir = rr->tasks,
		.state_dir = rr->state,
		.csv_path = rr->csv,
		.sign_sk = rr->l.w.ent_sk[ent],
		.authority_pk = rr->l.w.auth_pk,
		.timeout_ms = 2000,
		.attempts = 1,
		.log = collect,
		.log_ctx = rr,
		.stop = &rr->stop,
	};
	runner_new(rr);
}

static void run_stop(run_rig *rr)
{
	sg_node_runner_free(&rr->runner);
	rig_stop(&rr->l);
}

static sg_node_tally pass(run_rig *rr, uint64_t now)
{
	sg_node_tally t;
	sg_node_run_pass(rr->runner, &t, now);
	return t;
}

Test(node_run, a_pass_submits_once_and_keeps_the_receipt)
{
	run_rig rr;
	run_start(&rr, 1, csv);
	char hex[2 * SG_TASK_ID_BYTES + 1];
	sg_hex_encode(hex, rr.l.node_task->id, SG_TASK_ID_BYTES);
	snprintf(rr.l.watch, sizeof rr.l.watch, "%s/%s.report", rr.state, hex);
	sg_node_tally t = pass(&rr, 1500);
	cr_assert_eq(t.accepted, 1, "%s", rr.log);
	cr_assert_eq(sg_node_tally_status(&t), 0);
	cr_assert(rr.l.watch_ok, "the report was on disk before it reached the leader");
	size_t len, rlen;
	unsigned mode;
	uint8_t *report = state_file(&rr, "report", &len, &mode);
	cr_assert_not_null(report, "the report is kept");
	cr_assert_eq(mode, 0600);
	uint8_t *receipt = state_file(&rr, "receipt", &rlen, NULL);
	cr_assert_not_null(receipt);
	cr_assert_eq(received(&rr.l), 1);
	cr_assert(rr.l.last_len == len && memcmp(rr.l.last, report, len) == 0,
		  "what reached the leader is the file");
	/* the receipt kept is for that report, signed by the leader */
	uint8_t id[SG_REPORT_ID_BYTES], *again = NULL;
	size_t again_len;
	enum sg_reject rej;
	char msg[200];
	cr_assert_eq(sg_node_report_id(id, rr.l.node_task, rr.l.w.ent_sk[1], report, len), 0);
	Spillguard__Envelope e = SPILLGUARD__ENVELOPE__INIT;
	e.msg_case = SPILLGUARD__ENVELOPE__MSG_RECEIPT;
	e.receipt = spillguard__receipt__unpack(NULL, rlen, receipt);
	cr_assert_not_null(e.receipt);
	uint8_t *env;
	size_t env_len;
	cr_assert_eq(sg_wire_encode(&env, &env_len, &e), 0);
	cr_assert_eq(sg_node_read_reply(&again, &again_len, &rej, rr.l.node_task, id, env, env_len,
					msg, sizeof msg), 0, "%s", msg);
	cr_assert(occurrences(rr.log, "event=accepted") == 1, "%s", rr.log);
	/* the next pass, and a restarted daemon, send nothing */
	t = pass(&rr, 1600);
	cr_assert_eq(t.done, 1);
	cr_assert_eq(t.accepted + t.unanswered + t.errors, 0);
	cr_assert_eq(sg_node_tally_status(&t), 0);
	runner_new(&rr);
	t = pass(&rr, 1700);
	cr_assert_eq(t.done, 1);
	cr_assert_eq(received(&rr.l), 1, "nothing new was sent");
	spillguard__receipt__free_unpacked(e.receipt, NULL);
	free(env);
	free(again);
	free(report);
	free(receipt);
	run_stop(&rr);
}

Test(node_run, a_stored_report_is_sent_again_unchanged_after_a_restart)
{
	run_rig rr;
	run_start(&rr, 1, csv);
	rr.cfg.timeout_ms = 300;
	runner_new(&rr);
	atomic_store(&rr.l.mute, true);
	sg_node_tally t = pass(&rr, 1500);
	cr_assert_eq(t.unanswered, 1, "%s", rr.log);
	cr_assert_eq(sg_node_tally_status(&t), 2);
	size_t len, len2;
	uint8_t *report = state_file(&rr, "report", &len, NULL);
	cr_assert_not_null(report, "written before it was sent");
	cr_assert_null(state_file(&rr, "receipt", &len2, NULL));
	cr_assert_eq(received(&rr.l), 1);
	cr_assert(rr.l.last_len == len && memcmp(rr.l.last, report, len) == 0);
	cr_assert(strstr(rr.log, "event=no-reply") != NULL, "%s", rr.log);
	/* another enterprise's daemon on this state folder does not send it */
	atomic_store(&rr.l.mute, false);
	rr.cfg.sign_sk = rr.l.w.ent_sk[2];
	runner_new(&rr);
	cr_assert_eq(pass(&rr, 1500).errors, 1);
	cr_assert(strstr(rr.log, "not this enterprise's report") != NULL, "%s", rr.log);
	cr_assert_eq(received(&rr.l), 1);
	rr.cfg.sign_sk = rr.l.w.ent_sk[1];
	/* a restart, with the leader answering again and the CSV now unreadable:
	 * the stored bytes are sent, the CSV is not read */
	const char *bad = "category,value\ncat-9,1\n";
	put(rr.csv, bad, strlen(bad));
	rr.cfg.timeout_ms = 2000;
	runner_new(&rr);
	log_clear(&rr);
	t = pass(&rr, 1600);
	cr_assert_eq(t.accepted, 1, "%s", rr.log);
	cr_assert_eq(received(&rr.l), 2);
	cr_assert(rr.l.last_len == len && memcmp(rr.l.last, report, len) == 0,
		  "the very same bytes, so the same report id");
	uint8_t *after = state_file(&rr, "report", &len2, NULL);
	cr_assert(len2 == len && memcmp(after, report, len) == 0, "the file is unchanged");
	cr_assert_null(strstr(rr.log, "event=built"), "%s", rr.log);
	uint64_t all, ind;
	cr_assert_eq(sg_store_count_reports(rr.l.store, &all, 1, &ind), 0);
	cr_assert_eq(all, 1);
	free(after);
	free(report);
	run_stop(&rr);
}

Test(node_run, a_refusal_is_kept_and_never_retried)
{
	run_rig rr;
	run_start(&rr, 0, csv);
	sg_node_result res;
	/* the enterprise already submitted by hand */
	cr_assert_eq(sg_node_submit(&res, rr.l.node_task, rr.l.w.ent_sk[0], csv, strlen(csv),
				    "eek.csv", 1500, &once), 0);
	cr_assert_eq(res.outcome, SG_NODE_ACCEPTED);
	sg_node_result_free(&res);
	sg_node_tally t = pass(&rr, 1500);
	cr_assert_eq(t.refused, 1, "%s", rr.log);
	cr_assert_eq(sg_node_tally_status(&t), 1);
	size_t len;
	char *refused = (char *)state_file(&rr, "refused", &len, NULL);
	char want[200];
	snprintf(want, sizeof want, "%d %s\n", SG_REJECT_DUPLICATE,
		 sg_reject_message(SG_REJECT_DUPLICATE));
	cr_assert_not_null(refused);
	cr_assert_str_eq(refused, want);
	cr_assert(strstr(rr.log, "event=refused") != NULL && strstr(rr.log, "code=8") != NULL,
		  "%s", rr.log);
	t = pass(&rr, 1600);
	cr_assert_eq(t.done, 1);
	cr_assert_eq(t.refused, 0);
	cr_assert_eq(sg_node_tally_status(&t), 0);
	cr_assert_eq(received(&rr.l), 2, "the refused report is not sent again");
	free(refused);
	run_stop(&rr);
}

Test(node_run, a_task_outside_its_window_is_left_alone)
{
	run_rig rr;
	run_start(&rr, 1, csv);
	size_t len;
	for (int k = 0; k < 2; k++) {
		sg_node_tally t = pass(&rr, 999);
		cr_assert_eq(t.skipped, 1);
		cr_assert_eq(sg_node_tally_status(&t), 0);
		t = pass(&rr, 2001);
		cr_assert_eq(t.skipped, 1);
	}
	cr_assert_eq(occurrences(rr.log, "event=not-open-yet"), 1, "%s", rr.log);
	cr_assert_eq(occurrences(rr.log, "event=closed "), 1, "%s", rr.log);
	cr_assert_null(state_file(&rr, "report", &len, NULL), "nothing built");
	/* a report that got no reply before the task closed stays, unsent */
	rr.cfg.timeout_ms = 300;
	runner_new(&rr);
	atomic_store(&rr.l.mute, true);
	cr_assert_eq(pass(&rr, 2000).unanswered, 1);
	atomic_store(&rr.l.mute, false);
	sg_node_tally t = pass(&rr, 2001);
	cr_assert_eq(t.skipped, 1);
	cr_assert_eq(received(&rr.l), 1);
	cr_assert(strstr(rr.log, "event=closed-unanswered") != NULL, "%s", rr.log);
	uint8_t *report = state_file(&rr, "report", &len, NULL);
	cr_assert_not_null(report);
	free(report);
	run_stop(&rr);
}

Test(node_run, a_bad_csv_sends_nothing_until_it_is_fixed)
{
	run_rig rr;
	const char *bad = "category,value\ncat-0,1\ncat-9,2\n";
	run_start(&rr, 1, bad);
	sg_node_tally t = pass(&rr, 1500);
	cr_assert_eq(t.errors, 1);
	cr_assert_eq(sg_node_tally_status(&t), 2);
	char want[200];
	snprintf(want, sizeof want, "%s:3: unknown category 'cat-9'", rr.csv);
	cr_assert(strstr(rr.log, "event=bad-input") != NULL && strstr(rr.log, want) != NULL, "%s",
		  rr.log);
	size_t len;
	cr_assert_null(state_file(&rr, "report", &len, NULL));
	cr_assert_eq(received(&rr.l), 0);
	put(rr.csv, csv, strlen(csv));
	t = pass(&rr, 1600);
	cr_assert_eq(t.accepted, 1, "%s", rr.log);
	run_stop(&rr);
}

Test(node_run, bad_task_files_and_strangers_are_logged_once_per_content)
{
	run_rig rr;
	run_start(&rr, 1, csv);
	char path[200];
	snprintf(path, sizeof path, "%s/junk.sgt", rr.tasks);
	put(path, "not a task", 10);
	snprintf(path, sizeof path, "%s/ignored.txt", rr.tasks);
	put(path, "not a task file", 15);
	sg_node_tally t = pass(&rr, 1500);
	cr_assert_eq(t.accepted, 1, "a bad file does not stop the others: %s", rr.log);
	cr_assert_eq(t.errors, 1);
	cr_assert_eq(sg_node_tally_status(&t), 2);
	t = pass(&rr, 1500);
	cr_assert_eq(t.errors, 1);
	cr_assert_eq(occurrences(rr.log, "event=bad-task"), 1, "%s", rr.log);
	cr_assert_eq(occurrences(rr.log, "ignored.txt"), 0, "%s", rr.log);
	snprintf(path, sizeof path, "%s/junk.sgt", rr.tasks);
	put(path, "still not a task", 16);
	pass(&rr, 1500);
	cr_assert_eq(occurrences(rr.log, "event=bad-task"), 2, "new content, new line: %s", rr.log);
	/* a stranger's daemon skips the task, saying so once */
	uint8_t stranger_pk[32], stranger_sk[64];
	crypto_sign_keypair(stranger_pk, stranger_sk);
	rr.cfg.sign_sk = stranger_sk;
	snprintf(rr.state, sizeof rr.state, "%s/state2", rr.l.dir);
	runner_new(&rr);
	log_clear(&rr);
	for (int k = 0; k < 2; k++)
		cr_assert_eq(pass(&rr, 1500).skipped, 1);
	cr_assert_eq(occurrences(rr.log, "event=not-in-roster"), 1, "%s", rr.log);
	/* a task from another authority is a bad task file */
	rr.cfg.sign_sk = rr.l.w.ent_sk[2];
	rr.cfg.authority_pk = stranger_pk;
	runner_new(&rr);
	log_clear(&rr);
	t = pass(&rr, 1500);
	cr_assert_eq(t.errors, 2);
	cr_assert_eq(t.accepted + t.unanswered, 0);
	cr_assert(strstr(rr.log, "another authority") != NULL, "%s", rr.log);
	cr_assert_eq(received(&rr.l), 1);
	run_stop(&rr);
}

Test(node_run, a_stop_request_ends_the_pass_before_the_next_task)
{
	run_rig rr;
	run_start(&rr, 1, csv);
	uint8_t *other;
	size_t other_len;
	char path[200];
	sign_node_task(&rr.l, "another round", &other, &other_len);
	snprintf(path, sizeof path, "%s/second.sgt", rr.tasks); /* after round.sgt */
	put(path, other, other_len);
	rr.stop_on = "event=accepted";
	sg_node_tally t = pass(&rr, 1500);
	cr_assert_eq(t.accepted, 1, "%s", rr.log);
	cr_assert_eq(received(&rr.l), 1, "the second task was not touched: %s", rr.log);
	cr_assert_eq(occurrences(rr.log, "event=built"), 1, "nor even read: %s", rr.log);
	/* without the stop, the second task is the leader's to refuse */
	rr.stop = 0;
	rr.stop_on = NULL;
	t = pass(&rr, 1500);
	cr_assert_eq(t.done, 1);
	cr_assert_eq(t.refused, 1, "%s", rr.log);
	cr_assert_eq(received(&rr.l), 2);
	free(other);
	run_stop(&rr);
}

static uint64_t at_1500(void)
{
	return 1500;
}

Test(node_run, the_loop_passes_until_told_to_stop)
{
	run_rig rr;
	run_start(&rr, 1, csv);
	rr.cfg.clock = at_1500;
	runner_new(&rr);
	rr.stop_on = "event=pass "; /* stop after the first pass, as a signal would */
	sg_node_run_loop(rr.runner, 1);
	cr_assert(strstr(rr.log, "event=started") != NULL, "%s", rr.log);
	cr_assert(strstr(rr.log, "event=accepted") != NULL, "%s", rr.log);
	cr_assert(strstr(rr.log, "event=stopped") != NULL, "%s", rr.log);
	cr_assert_eq(occurrences(rr.log, "event=pass "), 1, "%s", rr.log);
	size_t len;
	uint8_t *receipt = state_file(&rr, "receipt", &len, NULL);
	cr_assert_not_null(receipt);
	free(receipt);
	run_stop(&rr);
}
