/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spillguard collect: the authority closes a task's round before closes_at
 * and, with --wait, follows it to publication.
 */
#define _POSIX_C_SOURCE 200809L /* nanosleep */

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "edge/transport.h"
#include "opts.h"
#include "protocol/round.h"
#include "protocol/upload.h"
#include "spillguard/keys.h"
#include "subcommands.h"
#include "wire/codec.h"

#define CALL_TIMEOUT_MS 10000

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s collect --task TASK.sgt --authority-key SIGN.sk [--leader ENDPOINT]\n"
		"                  [--wait SECONDS]\n\n"
		"Asks the task's leader to close the round now, signed with the authority's\n"
		"key (the one that signed the task): from then on uploads are refused, and\n"
		"once every report received is aggregated each industry with at least\n"
		"min_batch reports is collected and published; the others are withheld.\n"
		"Asking again changes nothing and reports where the round stands.\n\n"
		"  --leader EP      the leader's endpoint (default: the one in the task)\n"
		"  --wait SECONDS   ask again each second until the round is published,\n"
		"                   for at most SECONDS\n\n"
		"Exit status: 0 the round is closing (with --wait: published), 1 the leader\n"
		"refused, 2 usage or system error, no reply, or --wait ran out.\n",
		SG_PROG_NAME);
}

static const char *state_name(enum sg_round_state s)
{
	return s == SG_ROUND_OPEN ? "open" : s == SG_ROUND_COLLECTING ? "collecting" : "published";
}

static void print_status(const sg_round_status *s)
{
	printf("round %s: %llu reports received, %llu accepted, %llu refused\n",
	       state_name(s->state), (unsigned long long)s->uploads,
	       (unsigned long long)s->accepted, (unsigned long long)s->refused);
	if (s->state != SG_ROUND_PUBLISHED)
		return;
	printf("published industries:");
	for (size_t i = 0; i < s->n_published; i++)
		printf(" %u", s->published[i]);
	printf("%s\nwithheld (below min_batch):", s->n_published ? "" : " none");
	for (size_t i = 0; i < s->n_withheld; i++)
		printf(" %u", s->withheld[i]);
	printf("%s\n", s->n_withheld ? "" : " none");
}

/* One CollectNow and its answer: 0 with *s, 1 refused, 2 no valid reply. */
static int ask(sg_client *c, const sg_task *t, const uint8_t *msg, size_t len,
	       sg_round_status *s)
{
	uint8_t *reply = NULL;
	size_t reply_len = 0;
	int ret = sg_client_call(c, &reply, &reply_len, msg, len, CALL_TIMEOUT_MS);
	if (ret != 0) {
		fprintf(stderr, "%s collect: no reply from the leader: %s\n", SG_PROG_NAME,
			sg_client_error(c)[0] ? sg_client_error(c) : sg_strerror(ret));
		return 2;
	}
	int status = 0;
	sg_wire_msg w;
	if (sg_round_status_read(s, t, reply, reply_len) == 0) {
		status = 0;
	} else if (sg_wire_decode(&w, reply, reply_len) == 0 &&
		   w.env->msg_case == SPILLGUARD__ENVELOPE__MSG_ERROR) {
		uint32_t code = w.env->error->code;
		fprintf(stderr, "%s collect: the leader refused (code %u): %s\n", SG_PROG_NAME,
			(unsigned)code,
			code == SG_REJECT_BAD_SIGNATURE ? "the order is not signed by the task's authority"
			: code == SG_REJECT_MALFORMED	? "not a collect order of this task"
							: "unknown reason");
		sg_wire_msg_free(&w);
		status = 1;
	} else {
		fprintf(stderr, "%s collect: the leader's reply is not a round status\n",
			SG_PROG_NAME);
		status = 2;
	}
	free(reply);
	return status;
}

static int collect(int argc, char **argv)
{
	const char *task = NULL, *key = NULL, *leader = NULL, *wait = NULL;
	const cli_opt opts[] = { { "task", &task, NULL },	{ "authority-key", &key, NULL },
				 { "leader", &leader, NULL },	{ "wait", &wait, NULL },
				 { NULL, NULL, NULL } };
	sg_task *t = NULL;
	sg_key *k = NULL;
	sg_client *c = NULL;
	uint8_t eph[32], *msg = NULL;
	size_t len;
	char err[512];
	int status = cli_opts_parse("collect", opts, argc, argv, 1);
	if (status != 0)
		return status;
	status = 2;
	if (!task || !key) {
		fprintf(stderr, "%s collect: --task and --authority-key are needed (see --help)\n",
			SG_PROG_NAME);
		return 2;
	}
	char *end = NULL;
	long secs = wait ? strtol(wait, &end, 10) : 0;
	if (wait && (*end != '\0' || secs < 1 || secs > 86400)) {
		fprintf(stderr, "%s collect: --wait '%s': seconds from 1 to 86400\n", SG_PROG_NAME,
			wait);
		return 2;
	}
	if (cli_task_load("collect", &t, task, NULL) != 0)
		return 2;
	if (sg_key_load_secret(&k, key, SG_KEY_SIGN, err, sizeof err) != 0) {
		fprintf(stderr, "%s collect: %s\n", SG_PROG_NAME, err);
		goto cleanup;
	}
	if (memcmp(sg_key_public(k), t->body->authority_pk.data, 32) != 0) {
		fprintf(stderr, "%s collect: %s is not the key of the task's authority\n",
			SG_PROG_NAME, key);
		goto cleanup;
	}
	const Spillguard__AggregatorInfo *l = t->body->aggregators[0];
	randombytes_buf(eph, sizeof eph);
	if (sg_collect_now_msg(&msg, &len, t, sg_key_secret(k), (uint64_t)time(NULL)) != 0 ||
	    sg_client_open(&c, leader ? leader : l->endpoint, l->curve_pk.data, eph, err,
			   sizeof err) != 0) {
		fprintf(stderr, "%s collect: %s\n", SG_PROG_NAME, c == NULL ? err : "out of memory");
		goto cleanup;
	}
	time_t deadline = time(NULL) + secs;
	for (;;) {
		sg_round_status s;
		status = ask(c, t, msg, len, &s);
		if (status != 0)
			break;
		bool done = s.state == SG_ROUND_PUBLISHED || wait == NULL;
		bool late = !done && time(NULL) >= deadline;
		if (done || late)
			print_status(&s);
		sg_round_status_free(&s);
		if (done)
			break;
		if (late) {
			fprintf(stderr, "%s collect: not published after %ld s\n", SG_PROG_NAME, secs);
			status = 2;
			break;
		}
		struct timespec one = { 1, 0 };
		nanosleep(&one, NULL);
	}
cleanup:
	sodium_memzero(eph, sizeof eph);
	sg_client_close(c);
	free(msg);
	sg_key_free(k);
	sg_task_free(t);
	return status;
}

int collect_main(int argc, char **argv)
{
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return 0;
	}
	if (sodium_init() < 0) {
		fprintf(stderr, "%s collect: libsodium failed to initialise\n", SG_PROG_NAME);
		return 2;
	}
	return collect(argc, argv);
}
