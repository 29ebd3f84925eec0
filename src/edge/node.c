/* SPDX-License-Identifier: Apache-2.0 */
#define _POSIX_C_SOURCE 200809L /* nanosleep */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "edge/eek_csv.h"
#include "edge/node.h"
#include "edge/transport.h"
#include "protocol/upload.h"
#include "spillguard/err.h"
#include "wire/codec.h"

#define NAP_SLICE_MS 100u /* how long a stop request may wait during a pause */

void sg_node_result_free(sg_node_result *res)
{
	if (res == NULL)
		return;
	free(res->receipt);
	res->receipt = NULL;
	res->receipt_len = 0;
}

static void result_start(sg_node_result *res)
{
	memset(res, 0, sizeof *res);
	res->outcome = SG_NODE_FAILED;
}

long sg_node_enterprise(const sg_task *t, const uint8_t sign_sk[64])
{
	for (size_t i = 0; i < t->body->n_roster; i++)
		if (sodium_memcmp(t->body->roster[i]->sign_pk.data, sign_sk + 32, 32) == 0)
			return (long)i;
	return -1;
}

bool sg_node_nap(unsigned ms, const volatile sig_atomic_t *stop)
{
	while (stop == NULL || *stop == 0) {
		if (ms == 0)
			return true;
		unsigned slice = ms < NAP_SLICE_MS ? ms : NAP_SLICE_MS;
		struct timespec ts = { 0, (long)slice * 1000000L };
		/* a signal cuts the slice short: the flag is looked at again */
		nanosleep(&ts, NULL);
		ms -= slice;
	}
	return false;
}

int sg_node_eek(uint64_t *eek, const sg_task *t, const char *csv, size_t len, const char *name,
		char *msg, size_t msg_len)
{
	size_t n = t->body->n_categories, line = 0;
	sg_category *cats = calloc(n + 1, sizeof *cats);
	char err[400];
	if (cats == NULL)
		return SG_ERR_NOMEM;
	for (size_t i = 0; i < n; i++)
		cats[i] = (sg_category){ t->body->categories[i]->name, t->body->categories[i]->decimals,
					 t->body->categories[i]->max_measurement };
	int ret = sg_eek_parse(eek, cats, n, csv, len, &line, err, sizeof err);
	if (ret != 0 && line > 0)
		snprintf(msg, msg_len, "%s:%zu: %s", name, line, err);
	else if (ret != 0)
		snprintf(msg, msg_len, "%s: %s", name, err);
	free(cats);
	return ret;
}

int sg_node_build(uint8_t **report, size_t *report_len, sg_node_result *res, const sg_task *t,
		  const uint8_t sign_sk[64], const char *csv, size_t csv_len, const char *csv_name,
		  uint64_t now)
{
	uint64_t *eek = calloc(t->body->n_categories + 1, sizeof *eek);
	long ros = sg_node_enterprise(t, sign_sk);
	int ret = SG_ERR_NOMEM;
	result_start(res);
	*report = NULL;
	*report_len = 0;
	if (eek == NULL) {
		snprintf(res->message, sizeof res->message, "%s", sg_strerror(ret));
		goto cleanup;
	}
	ret = SG_ERR_PARAM;
	if (ros < 0) {
		snprintf(res->message, sizeof res->message,
			 "this key is not in the task's roster: nothing sent");
		goto cleanup;
	}
	if ((ret = sg_node_eek(eek, t, csv, csv_len, csv_name, res->message, sizeof res->message)) != 0)
		goto cleanup;
	const char *id = t->body->roster[ros]->enterprise_id;
	if ((ret = sg_report_build(report, report_len, res->report_id, t, id, sign_sk, eek,
				   t->body->n_categories, now)) != 0)
		snprintf(res->message, sizeof res->message, "cannot build the report: %s",
			 sg_strerror(ret));
cleanup:
	if (eek != NULL)
		sodium_memzero(eek, t->body->n_categories * sizeof *eek);
	free(eek);
	return ret;
}

/* The report id from a Report's signed body; SG_ERR_PARSE unless the body
 * decodes and names task t (and enterprise, unless that is NULL). */
static int report_id_of(uint8_t id[SG_REPORT_ID_BYTES], const sg_task *t, const char *enterprise,
			const Spillguard__Report *r)
{
	ProtobufCMessage *m;
	sg_wire_budget *b;
	if (sg_wire_unpack(&m, &b, &spillguard__report_body__descriptor, r->body.data,
			   r->body.len) != 0)
		return SG_ERR_PARSE;
	const Spillguard__ReportMetadata *md = ((const Spillguard__ReportBody *)m)->metadata;
	int ret = SG_ERR_PARSE;
	if (md != NULL && md->report_id.len == SG_REPORT_ID_BYTES && sg_task_is(t, &md->task_id) &&
	    (enterprise == NULL || strcmp(md->enterprise_id, enterprise) == 0)) {
		memcpy(id, md->report_id.data, SG_REPORT_ID_BYTES);
		ret = 0;
	}
	sg_wire_release(m, b);
	return ret;
}

int sg_node_report_id(uint8_t id[SG_REPORT_ID_BYTES], const sg_task *t, const uint8_t sign_sk[64],
		      const uint8_t *report, size_t report_len)
{
	ProtobufCMessage *m;
	sg_wire_budget *b;
	long ros = sg_node_enterprise(t, sign_sk);
	memset(id, 0, SG_REPORT_ID_BYTES);
	if (ros < 0)
		return SG_ERR_PARAM;
	int ret = sg_wire_unpack(&m, &b, &spillguard__report__descriptor, report, report_len);
	if (ret == 0)
		ret = report_id_of(id, t, t->body->roster[ros]->enterprise_id,
				   (const Spillguard__Report *)m);
	sg_wire_release(m, b);
	return ret == 0 || ret == SG_ERR_NOMEM ? ret : SG_ERR_PARSE;
}

static unsigned pause_ms(unsigned attempt)
{
	return 1000u * (attempt >= 6 ? 30u : 1u << (attempt - 1));
}

/* Sends env until a reply comes, the attempts run out or stop is set. */
static int call_leader(sg_node_result *res, uint8_t **reply, size_t *reply_len, const sg_task *t,
		       const uint8_t *env, size_t env_len, const sg_node_send_opts *how)
{
	const Spillguard__AggregatorInfo *leader = t->body->aggregators[0];
	unsigned attempts = how->attempts > 0 ? how->attempts : 1;
	uint8_t eph[32];
	sg_client *c = NULL;
	char err[256];
	randombytes_buf(eph, sizeof eph);
	int ret = sg_client_open(&c, leader->endpoint, leader->curve_pk.data, eph, err, sizeof err);
	bool stopped = false;
	for (unsigned k = 1; ret == 0; k++) {
		if ((stopped = !sg_node_nap(k == 1 ? 0 : pause_ms(k - 1), how->stop))) {
			ret = SG_ERR_TIMEOUT;
			break;
		}
		ret = sg_client_call(c, reply, reply_len, env, env_len, how->timeout_ms);
		if (ret != SG_ERR_TIMEOUT || k >= attempts)
			break;
		if (how->notice != NULL)
			how->notice(how->notice_ctx, leader->endpoint, k, attempts);
		ret = 0;
	}
	if (stopped)
		snprintf(res->message, sizeof res->message, "stopped before the leader at %s answered",
			 leader->endpoint);
	else if (ret != 0)
		snprintf(res->message, sizeof res->message, "%s",
			 c != NULL ? sg_client_error(c) : err);
	sg_client_close(c);
	sodium_memzero(eph, sizeof eph);
	return ret;
}

/* The leader's reply as an outcome: a refusal is an answer too (0). */
static int read_reply(sg_node_result *res, const sg_task *t, const uint8_t *reply, size_t len)
{
	int ret = sg_node_read_reply(&res->receipt, &res->receipt_len, &res->reject, t,
				     res->report_id, reply, len, res->message, sizeof res->message);
	if (ret == 0) {
		res->outcome = SG_NODE_ACCEPTED;
		snprintf(res->message, sizeof res->message, "accepted: the leader's receipt is signed");
	} else if (res->reject != SG_REJECT_NONE) {
		res->outcome = SG_NODE_REFUSED;
		ret = 0;
	}
	return ret;
}

int sg_node_send(sg_node_result *res, const sg_task *t, const uint8_t *report, size_t report_len,
		 const sg_node_send_opts *how)
{
	uint8_t *env = NULL, *reply = NULL;
	size_t env_len = 0, reply_len = 0;
	Spillguard__Envelope e = SPILLGUARD__ENVELOPE__INIT;
	ProtobufCMessage *m = NULL;
	sg_wire_budget *b = NULL;
	result_start(res);
	int ret = sg_wire_unpack(&m, &b, &spillguard__report__descriptor, report, report_len);
	if (ret == 0)
		ret = report_id_of(res->report_id, t, NULL, (const Spillguard__Report *)m);
	if (ret != 0) {
		ret = ret == SG_ERR_NOMEM ? ret : SG_ERR_PARSE;
		snprintf(res->message, sizeof res->message,
			 "the stored report is not a report for this task: %s", sg_strerror(ret));
		goto cleanup;
	}
	e.msg_case = SPILLGUARD__ENVELOPE__MSG_REPORT;
	e.report = (Spillguard__Report *)m;
	if ((ret = sg_wire_encode(&env, &env_len, &e)) != 0) {
		snprintf(res->message, sizeof res->message, "%s", sg_strerror(ret));
		goto cleanup;
	}
	if ((ret = call_leader(res, &reply, &reply_len, t, env, env_len, how)) == 0)
		ret = read_reply(res, t, reply, reply_len);
cleanup:
	sg_wire_release(m, b);
	free(env);
	free(reply);
	return ret;
}

int sg_node_submit(sg_node_result *res, const sg_task *t, const uint8_t sign_sk[64],
		   const char *csv, size_t csv_len, const char *csv_name, uint64_t now,
		   const sg_node_send_opts *how)
{
	uint8_t *report = NULL;
	size_t report_len = 0;
	int ret = sg_node_build(&report, &report_len, res, t, sign_sk, csv, csv_len, csv_name, now);
	if (ret == 0)
		ret = sg_node_send(res, t, report, report_len, how);
	free(report);
	return ret;
}
