/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spillguard node submit: one enterprise's knowledge stock to the leader of
 * a task, with the receipt kept.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "core/task.h"
#include "edge/node.h"
#include "spillguard/keys.h"
#include "subcommands.h"
#include "util/file.h"
#include "util/hex.h"

#define MAX_FILE ((size_t)64 << 20)

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s node submit --task TASK.sgt --key SIGN.sk --input EEK.csv\n"
		"                       [--receipt FILE] [--authority-pk SIGN.pk] [--attempts N]\n\n"
		"Reads the enterprise's knowledge stock from CSV, either\n"
		"  category,value             (EEK: one row per category), or\n"
		"  position,category,value    (SEK rows, summed per category),\n"
		"with each value a decimal of at most the category's decimal places. Then\n"
		"splits it into Prio3 shares with a validity proof, seals one share to each\n"
		"aggregator, signs the report with the enterprise key (its roster entry is\n"
		"found by the key) and sends it to the task's leader. While the leader does\n"
		"not answer, the same report is sent again (up to N attempts, default 5).\n"
		"A bad row stops everything with FILE:LINE and the reason; nothing is sent.\n\n"
		"The leader's signed receipt is written to FILE (default: REPORT-ID.receipt\n"
		"in the current folder). With --authority-pk the task's signature is checked\n"
		"against that authority key.\n\n"
		"Exit status: 0 accepted (receipt kept), 1 refused by the leader, 2 usage,\n"
		"input or system error (including no reply).\n",
		SG_PROG_NAME);
}

typedef struct opts {
	const char *task, *key, *input, *receipt, *authority, *attempts;
} opts;

static int parse(opts *o, int argc, char **argv)
{
	memset(o, 0, sizeof *o);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char **slot = strcmp(a, "--task") == 0	     ? &o->task
				    : strcmp(a, "--key") == 0	     ? &o->key
				    : strcmp(a, "--input") == 0	     ? &o->input
				    : strcmp(a, "--receipt") == 0      ? &o->receipt
				    : strcmp(a, "--authority-pk") == 0 ? &o->authority
				    : strcmp(a, "--attempts") == 0     ? &o->attempts
								       : NULL;
		if (slot == NULL) {
			fprintf(stderr, "%s node submit: unexpected argument '%s'\n", SG_PROG_NAME, a);
			return 2;
		}
		if (*slot != NULL || i + 1 >= argc) {
			fprintf(stderr, "%s node submit: %s %s\n", SG_PROG_NAME, a,
				*slot ? "given twice" : "needs a value");
			return 2;
		}
		*slot = argv[++i];
	}
	if (!o->task || !o->key || !o->input) {
		fprintf(stderr, "%s node submit: --task, --key and --input are needed (see --help)\n",
			SG_PROG_NAME);
		return 2;
	}
	return 0;
}

static void notice(const char *line)
{
	fprintf(stderr, "%s node: %s\n", SG_PROG_NAME, line);
}

static int load(sg_task **t, sg_key **key, char **csv, size_t *csv_len, const opts *o)
{
	char err[512], *bytes = NULL;
	size_t len;
	sg_key *auth = NULL;
	int ret = sg_file_read(&bytes, &len, o->task, MAX_FILE, err, sizeof err);
	if (ret == 0 && o->authority)
		ret = sg_key_load_public(&auth, o->authority, SG_KEY_SIGN, err, sizeof err);
	if (ret == 0) {
		ret = sg_task_open(t, (const uint8_t *)bytes, len, auth ? sg_key_public(auth) : NULL,
				   err, sizeof err);
		if (ret != 0) {
			size_t n = strlen(err);
			snprintf(err + n, sizeof err - n, " (%s)", o->task);
		}
	}
	if (ret == 0)
		ret = sg_key_load_secret(key, o->key, SG_KEY_SIGN, err, sizeof err);
	if (ret == 0)
		ret = sg_file_read(csv, csv_len, o->input, MAX_FILE, err, sizeof err);
	if (ret != 0)
		fprintf(stderr, "%s node submit: %s\n", SG_PROG_NAME, err);
	free(bytes);
	sg_key_free(auth);
	return ret;
}

static int submit(int argc, char **argv)
{
	opts o;
	sg_task *t = NULL;
	sg_key *key = NULL;
	char *csv = NULL, id[33], path[64], err[512];
	size_t csv_len = 0;
	sg_node_result res = { 0 };
	int status = parse(&o, argc, argv);
	if (status != 0)
		return status;
	long attempts = o.attempts ? strtol(o.attempts, NULL, 10) : 5;
	if (attempts < 1 || attempts > 100) {
		fprintf(stderr, "%s node submit: --attempts '%s': a number from 1 to 100\n",
			SG_PROG_NAME, o.attempts);
		return 2;
	}
	status = 2;
	if (load(&t, &key, &csv, &csv_len, &o) != 0)
		goto cleanup;
	int ret = sg_node_submit(&res, t, sg_key_secret(key), csv, csv_len, o.input,
				 (uint64_t)time(NULL), 10000, (unsigned)attempts, notice);
	sg_hex_encode(id, res.report_id, sizeof res.report_id);
	if (res.outcome == SG_NODE_REFUSED) {
		printf("refused: report %s: %s\n", id, sg_reject_message(res.reject));
		status = 1;
	} else if (res.outcome == SG_NODE_ACCEPTED) {
		const char *out = o.receipt;
		if (out == NULL) {
			snprintf(path, sizeof path, "%s.receipt", id);
			out = path;
		}
		if (sg_file_write(out, res.receipt, res.receipt_len, 0644, false, err, sizeof err) != 0) {
			fprintf(stderr, "%s node submit: accepted, but the receipt was not saved: %s\n",
				SG_PROG_NAME, err);
			goto cleanup;
		}
		printf("accepted: report %s; receipt saved to %s\n", id, out);
		status = 0;
	} else {
		fprintf(stderr, "%s node submit: %s\n", SG_PROG_NAME,
			res.message[0] ? res.message : sg_strerror(ret));
	}
cleanup:
	sg_node_result_free(&res);
	sg_task_free(t);
	sg_key_free(key);
	free(csv);
	return status;
}

int node_main(int argc, char **argv)
{
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return 0;
	}
	if (sodium_init() < 0) {
		fprintf(stderr, "%s node: libsodium failed to initialise\n", SG_PROG_NAME);
		return 2;
	}
	if (argc >= 2 && strcmp(argv[1], "submit") == 0) {
		if (argc == 3 && (strcmp(argv[2], "--help") == 0 || strcmp(argv[2], "-h") == 0)) {
			usage(stdout);
			return 0;
		}
		return submit(argc - 1, argv + 1);
	}
	usage(stderr);
	return 2;
}
