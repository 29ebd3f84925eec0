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

#include "edge/authority.h"
#include "opts.h"
#include "protocol/round.h"
#include "spillguard/err.h"
#include "spillguard/keys.h"
#include "subcommands.h"

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

static int collect(int argc, char **argv)
{
	const char *task = NULL, *key = NULL, *leader = NULL, *wait = NULL;
	const cli_opt opts[] = { { "task", &task, NULL },	{ "authority-key", &key, NULL },
				 { "leader", &leader, NULL },	{ "wait", &wait, NULL },
				 { NULL, NULL, NULL } };
	sg_task *t = NULL;
	sg_key *k = NULL;
	sg_authority *a = NULL;
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
	if (sg_key_load_secret(&k, key, SG_KEY_SIGN, err, sizeof err) != 0 ||
	    sg_authority_open(&a, t, sg_key_secret(k), leader, err, sizeof err) != 0) {
		fprintf(stderr, "%s collect: %s%s%s\n", SG_PROG_NAME, k ? key : "", k ? ": " : "",
			err);
		goto cleanup;
	}
	time_t deadline = time(NULL) + secs;
	for (;;) {
		sg_round_status s;
		int ret = sg_authority_close_round(a, &s, CALL_TIMEOUT_MS, err, sizeof err);
		if (ret != 0) {
			fprintf(stderr, "%s collect: %s\n", SG_PROG_NAME, err);
			status = ret == SG_ERR_VERIFY ? 1 : 2;
			break;
		}
		status = 0;
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
	sg_authority_free(a);
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
