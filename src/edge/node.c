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

void sg_node_result_free(sg_node_result *res)
{
	if (res == NULL)
		return;
	free(res->receipt);
	res->receipt = NULL;
	res->receipt_len = 0;
}

static long enterprise_of(const sg_task *t, const uint8_t sign_sk[64])
{
	for (size_t i = 0; i < t->body->n_roster; i++)
		if (sodium_memcmp(t->body->roster[i]->sign_pk.data, sign_sk + 32, 32) == 0)
			return (long)i;
	return -1;
}

/* The EEK from CSV; the message names FILE:LINE on a bad row. */
static int read_eek(sg_node_result *res, uint64_t *eek, const sg_task *t, const char *csv,
		    size_t len, const char *name)
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
		snprintf(res->message, sizeof res->message, "%s:%zu: %s", name, line, err);
	else if (ret != 0)
		snprintf(res->message, sizeof res->message, "%s: %s", name, err);
	free(cats);
	return ret;
}

static void pause_after(unsigned attempt)
{
	unsigned s = attempt >= 6 ? 30 : 1u << (attempt - 1);
	struct timespec ts = { (time_t)(s > 30 ? 30 : s), 0 };
	nanosleep(&ts, NULL);
}

/* Sends the report until a reply comes or the attempts run out. */
static int send_report(sg_node_result *res, uint8_t **reply, size_t *reply_len, const sg_task *t,
		       const uint8_t *report, size_t report_len, int timeout_ms,
		       unsigned attempts, void (*notice)(const char *line))
{
	const Spillguard__AggregatorInfo *leader = t->body->aggregators[0];
	uint8_t eph[32], *env = NULL;
	size_t env_len = 0;
	sg_client *c = NULL;
	char err[256];
	Spillguard__Envelope e = SPILLGUARD__ENVELOPE__INIT;
	ProtobufCMessage *m = NULL;
	sg_wire_budget *b = NULL;
	int ret = sg_wire_unpack(&m, &b, &spillguard__report__descriptor, report, report_len);
	if (ret == 0) {
		e.msg_case = SPILLGUARD__ENVELOPE__MSG_REPORT;
		e.report = (Spillguard__Report *)m;
		ret = sg_wire_encode(&env, &env_len, &e);
	}
	randombytes_buf(eph, sizeof eph);
	if (ret == 0)
		ret = sg_client_open(&c, leader->endpoint, leader->curve_pk.data, eph, err, sizeof err);
	for (unsigned k = 1; ret == 0; k++) {
		ret = sg_client_call(c, reply, reply_len, env, env_len, timeout_ms);
		if (ret != SG_ERR_TIMEOUT || k >= attempts)
			break;
		if (notice != NULL) {
			char line[300];
			snprintf(line, sizeof line,
				 "no reply from the leader at %s (attempt %u of %u); sending the same "
				 "report again", leader->endpoint, k, attempts);
			notice(line);
		}
		pause_after(k);
		ret = 0;
	}
	if (ret != 0)
		snprintf(res->message, sizeof res->message, "%s",
			 c != NULL ? sg_client_error(c) : err);
	sg_client_close(c);
	sodium_memzero(eph, sizeof eph);
	sg_wire_release(m, b);
	free(env);
	return ret;
}

int sg_node_submit(sg_node_result *res, const sg_task *t, const uint8_t sign_sk[64],
		   const char *csv, size_t csv_len, const char *csv_name, uint64_t now,
		   int timeout_ms, unsigned attempts, void (*notice)(const char *line))
{
	uint64_t *eek = calloc(t->body->n_categories + 1, sizeof *eek);
	uint8_t *report = NULL, *reply = NULL;
	size_t report_len = 0, reply_len = 0;
	memset(res, 0, sizeof *res);
	res->outcome = SG_NODE_FAILED;
	long ros = enterprise_of(t, sign_sk);
	int ret = SG_ERR_NOMEM;
	if (eek == NULL)
		goto cleanup;
	ret = SG_ERR_PARAM;
	if (ros < 0) {
		snprintf(res->message, sizeof res->message,
			 "this key is not in the task's roster: nothing sent");
		goto cleanup;
	}
	if ((ret = read_eek(res, eek, t, csv, csv_len, csv_name)) != 0)
		goto cleanup;
	const char *id = t->body->roster[ros]->enterprise_id;
	if ((ret = sg_report_build(&report, &report_len, res->report_id, t, id, sign_sk, eek,
				   t->body->n_categories, now)) != 0) {
		snprintf(res->message, sizeof res->message, "cannot build the report: %s",
			 sg_strerror(ret));
		goto cleanup;
	}
	if ((ret = send_report(res, &reply, &reply_len, t, report, report_len, timeout_ms,
			       attempts > 0 ? attempts : 1, notice)) != 0)
		goto cleanup;
	ret = sg_node_read_reply(&res->receipt, &res->receipt_len, &res->reject, t, res->report_id,
				 reply, reply_len, res->message, sizeof res->message);
	if (ret == 0) {
		res->outcome = SG_NODE_ACCEPTED;
		snprintf(res->message, sizeof res->message, "accepted: the leader's receipt is signed");
	} else if (res->reject != SG_REJECT_NONE) {
		res->outcome = SG_NODE_REFUSED;
		ret = 0;
	}
cleanup:
	if (eek != NULL)
		sodium_memzero(eek, t->body->n_categories * sizeof *eek);
	free(eek);
	free(report);
	free(reply);
	return ret;
}
