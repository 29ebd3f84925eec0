/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spillguard node: an enterprise's knowledge stock to the leader of a task,
 * once by hand (submit) or as a daemon over a folder of tasks (run).
 */
#define _POSIX_C_SOURCE 200809L /* sigaction */

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "core/task.h"
#include "edge/node.h"
#include "edge/node_run.h"
#include "spillguard/keys.h"
#include "opts.h"
#include "subcommands.h"
#include "util/file.h"
#include "util/hex.h"

#define MAX_FILE ((size_t)64 << 20)
#define TIMEOUT_S 10 /* default wait for each reply */

static void usage_submit(FILE *f)
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

static void usage_run(FILE *f)
{
	fprintf(f,
		"Usage: %s node run --key SIGN.sk --input EEK.csv --tasks DIR --state DIR\n"
		"                    [--authority-pk SIGN.pk] [--interval SECONDS] [--once]\n"
		"                    [--attempts N] [--timeout SECONDS] [--published DIR]\n\n"
		"The enterprise's daemon. In each pass, SECONDS apart (default 60), it reads\n"
		"the task files (*.sgt) in the tasks folder and, for each task that is open\n"
		"now and has no outcome yet in the state folder, submits the knowledge\n"
		"stock read from EEK.csv (the CSV of 'node submit') to the task's leader,\n"
		"once.\n\n"
		"A task file that does not open or verify (with --authority-pk: that is not\n"
		"signed by that authority), or whose roster does not hold this key, is\n"
		"skipped and logged once. A bad CSV row is logged with FILE:LINE and nothing\n"
		"is sent; the CSV is read again at the next pass, so it can be fixed.\n\n"
		"The state folder (made, mode 0700, if missing) holds per task, ID being the\n"
		"task id in hex as 'task show' prints it:\n"
		"  ID.report    the report as first built, saved (0600) before it is first\n"
		"               sent. Until the leader answers, these very bytes (the same\n"
		"               report id) are sent again, after a restart too: a task never\n"
		"               gets a second report. The file stays afterwards.\n"
		"  ID.receipt   the leader's signed receipt: the task is done.\n"
		"  ID.refused   the leader's reject code and reason on one line: the task\n"
		"               is done and the report is never sent again.\n"
		"With --published DIR (where rounds are published, DIR/ID/ being a round's\n"
		"publication folder), once a task's round is there (its log.pb) it audits\n"
		"the whole publication, as 'spillguard audit' does, and then, from the\n"
		"receipt and the signed record, keeps the outcome:\n"
		"  ID.counted       proved counted (an inclusion proof in its report set);\n"
		"  ID.not-counted   NOT counted although the publication verifies: the\n"
		"                   failed check, also logged as event=NOT-COUNTED;\n"
		"  ID.withheld      its industry was withheld, as every aggregator signed.\n"
		"A publication that does not verify decides nothing: it is logged once\n"
		"(event=publication-unverified, with the failed check) and looked at again\n"
		"on the next pass.\n"
		"While the leader does not answer, the report is sent up to N times in a\n"
		"pass (default 5 with --once, 8 otherwise), each time waiting --timeout\n"
		"seconds (default 10) for the reply, with pauses of 1, 2, 4, ... up to 30\n"
		"seconds in between; the next pass tries again while the task is open. A\n"
		"task that closes before a reply came is left alone (its .report stays).\n\n"
		"Logs go to standard error, one line per event: event=NAME task=ID\n"
		"report=REPORT-ID and what happened. Keys and the CSV's values are never\n"
		"logged.\n\n"
		"--once makes one pass and exits. Exit status: 0 every open task is\n"
		"accepted (in this pass or before) or was refused before, 1 a report was\n"
		"refused in this pass, 2 usage or system error, a task file or CSV that\n"
		"does not read, or no reply. Without --once it runs until SIGTERM or\n"
		"SIGINT and then exits 0; a report already saved is sent at the next start.\n",
		SG_PROG_NAME);
}

static void usage_verify(FILE *f);

static void usage(FILE *f)
{
	usage_submit(f);
	fputc('\n', f);
	usage_run(f);
	fputc('\n', f);
	usage_verify(f);
	fputc('\n', f);
	node_report_usage(f);
}

/* --- arguments -------------------------------------------------------- */

/* s (when given) as a whole number from lo to hi, else dflt. */
static bool number(long *out, const char *cmd, const char *name, const char *s, long lo, long hi,
		   long dflt)
{
	char *end = NULL;
	*out = s ? strtol(s, &end, 10) : dflt;
	if (s != NULL && (end == s || *end != '\0' || *out < lo || *out > hi)) {
		fprintf(stderr, "%s node %s: %s '%s': a number from %ld to %ld\n", SG_PROG_NAME,
			cmd, name, s, lo, hi);
		return false;
	}
	return true;
}

static void log_line(void *ctx, const char *line)
{
	(void)ctx;
	fprintf(stderr, "%s node: %s\n", SG_PROG_NAME, line);
}

/* The enterprise's signing key and, when given, the authority's key. */
static int load_keys(sg_key **key, sg_key **auth, const char *cmd, const char *key_path,
		     const char *auth_path)
{
	char err[512];
	int ret = sg_key_load_secret(key, key_path, SG_KEY_SIGN, err, sizeof err);
	if (ret == 0 && auth_path != NULL)
		ret = sg_key_load_public(auth, auth_path, SG_KEY_SIGN, err, sizeof err);
	if (ret != 0)
		fprintf(stderr, "%s node %s: %s\n", SG_PROG_NAME, cmd, err);
	return ret;
}

/* --- submit ----------------------------------------------------------- */

static int load_submit(sg_task **t, char **csv, size_t *csv_len, const char *task,
		       const char *input, const sg_key *auth)
{
	char err[512], *bytes = NULL;
	size_t len;
	int ret = sg_file_read(&bytes, &len, task, MAX_FILE, err, sizeof err);
	if (ret == 0) {
		ret = sg_task_open(t, (const uint8_t *)bytes, len, auth ? sg_key_public(auth) : NULL,
				   err, sizeof err);
		if (ret != 0) {
			size_t n = strlen(err);
			snprintf(err + n, sizeof err - n, " (%s)", task);
		}
	}
	if (ret == 0)
		ret = sg_file_read(csv, csv_len, input, MAX_FILE, err, sizeof err);
	if (ret != 0)
		fprintf(stderr, "%s node submit: %s\n", SG_PROG_NAME, err);
	free(bytes);
	return ret;
}

static void retry_notice(void *ctx, const char *endpoint, unsigned attempt, unsigned attempts)
{
	char line[400];
	snprintf(line, sizeof line,
		 "no reply from the leader at %s (attempt %u of %u); sending the same report again",
		 endpoint, attempt, attempts);
	log_line(ctx, line);
}

/* Prints the outcome and keeps the receipt; the exit status. */
static int report_outcome(const sg_node_result *res, int ret, const char *receipt)
{
	char id[2 * SG_REPORT_ID_BYTES + 1], path[64], err[512];
	sg_hex_encode(id, res->report_id, sizeof res->report_id);
	if (res->outcome == SG_NODE_REFUSED) {
		printf("refused: report %s: %s\n", id, sg_reject_message(res->reject));
		return 1;
	}
	if (res->outcome != SG_NODE_ACCEPTED) {
		fprintf(stderr, "%s node submit: %s\n", SG_PROG_NAME,
			res->message[0] ? res->message : sg_strerror(ret));
		return 2;
	}
	if (receipt == NULL) {
		snprintf(path, sizeof path, "%s.receipt", id);
		receipt = path;
	}
	if (sg_file_write(receipt, res->receipt, res->receipt_len, 0644, false, err, sizeof err) != 0) {
		fprintf(stderr, "%s node submit: accepted, but the receipt was not saved: %s\n",
			SG_PROG_NAME, err);
		return 2;
	}
	printf("accepted: report %s; receipt saved to %s\n", id, receipt);
	return 0;
}

static int submit(int argc, char **argv)
{
	const char *task = NULL, *key_path = NULL, *input = NULL, *receipt = NULL, *auth_path = NULL,
		   *attempts_s = NULL;
	const cli_opt opts[] = {
		{ "task", &task, NULL },	   { "key", &key_path, NULL },
		{ "input", &input, NULL },	   { "receipt", &receipt, NULL },
		{ "authority-pk", &auth_path, NULL }, { "attempts", &attempts_s, NULL },
		{ NULL, NULL, NULL },
	};
	sg_task *t = NULL;
	sg_key *key = NULL, *auth = NULL;
	char *csv = NULL;
	size_t csv_len = 0;
	sg_node_result res = { 0 };
	long attempts;
	int status = cli_opts_parse("node submit", opts, argc, argv, 1);
	if (status != 0)
		return status;
	if (!task || !key_path || !input) {
		fprintf(stderr, "%s node submit: --task, --key and --input are needed (see --help)\n",
			SG_PROG_NAME);
		return 2;
	}
	if (!number(&attempts, "submit", "--attempts", attempts_s, 1, 100, 5))
		return 2;
	status = 2;
	if (load_keys(&key, &auth, "submit", key_path, auth_path) != 0 ||
	    load_submit(&t, &csv, &csv_len, task, input, auth) != 0)
		goto cleanup;
	const sg_node_send_opts how = { 1000 * TIMEOUT_S, (unsigned)attempts, retry_notice, NULL,
					NULL };
	int ret = sg_node_submit(&res, t, sg_key_secret(key), csv, csv_len, input,
				 (uint64_t)time(NULL), &how);
	status = report_outcome(&res, ret, receipt);
cleanup:
	sg_node_result_free(&res);
	sg_task_free(t);
	sg_key_free(key);
	sg_key_free(auth);
	free(csv);
	return status;
}

/* --- run -------------------------------------------------------------- */

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* SIGTERM and SIGINT set the stop flag. No SA_RESTART: a wait under way
 * (a pause, a reply not yet come) ends at once and the flag is seen. */
static bool catch_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	return sigaction(SIGTERM, &sa, NULL) == 0 && sigaction(SIGINT, &sa, NULL) == 0;
}

static int run(int argc, char **argv)
{
	const char *key_path = NULL, *input = NULL, *tasks = NULL, *state = NULL, *auth_path = NULL,
		   *interval_s = NULL, *attempts_s = NULL, *timeout_s = NULL, *published = NULL;
	bool once = false;
	const cli_opt opts[] = {
		{ "key", &key_path, NULL },	     { "input", &input, NULL },
		{ "tasks", &tasks, NULL },	     { "state", &state, NULL },
		{ "authority-pk", &auth_path, NULL }, { "interval", &interval_s, NULL },
		{ "attempts", &attempts_s, NULL },   { "timeout", &timeout_s, NULL },
		{ "once", NULL, &once },	     { "published", &published, NULL },
		{ NULL, NULL, NULL },
	};
	sg_key *key = NULL, *auth = NULL;
	sg_node_runner *r = NULL;
	char err[512];
	long interval, attempts, timeout;
	int status = cli_opts_parse("node run", opts, argc, argv, 1);
	if (status != 0)
		return status;
	if (!key_path || !input || !tasks || !state) {
		fprintf(stderr,
			"%s node run: --key, --input, --tasks and --state are needed (see --help)\n",
			SG_PROG_NAME);
		return 2;
	}
	if (!number(&interval, "run", "--interval", interval_s, 1, 86400, 60) ||
	    !number(&attempts, "run", "--attempts", attempts_s, 1, 100,
		    once ? SG_NODE_RUN_ATTEMPTS_ONCE : SG_NODE_RUN_ATTEMPTS) ||
	    !number(&timeout, "run", "--timeout", timeout_s, 1, 3600, TIMEOUT_S))
		return 2;
	status = 2;
	if (load_keys(&key, &auth, "run", key_path, auth_path) != 0)
		goto cleanup;
	const sg_node_run_config cfg = {
		.tasks_dir = tasks,
		.state_dir = state,
		.csv_path = input,
		.published_dir = published,
		.sign_sk = sg_key_secret(key),
		.authority_pk = auth ? sg_key_public(auth) : NULL,
		.timeout_ms = (int)(1000 * timeout),
		.attempts = (unsigned)attempts,
		.log = log_line,
		.stop = &stop,
	};
	if (!catch_signals()) {
		fprintf(stderr, "%s node run: cannot install the signal handlers\n", SG_PROG_NAME);
		goto cleanup;
	}
	if (sg_node_runner_new(&r, &cfg, err, sizeof err) != 0) {
		fprintf(stderr, "%s node run: %s\n", SG_PROG_NAME, err);
		goto cleanup;
	}
	if (once) {
		sg_node_tally tally;
		sg_node_run_pass(r, &tally, (uint64_t)time(NULL));
		status = sg_node_tally_status(&tally);
	} else {
		sg_node_run_loop(r, (unsigned)interval);
		status = 0;
	}
cleanup:
	sg_node_runner_free(&r);
	sg_key_free(key);
	sg_key_free(auth);
	return status;
}

static void usage_verify(FILE *f)
{
	fprintf(f,
		"Usage: %s node verify-receipt RECEIPT --published DIR [--task TASK.sgt]\n"
		"                              [--authority-pk SIGN.pk]\n\n"
		"Proves, offline, that the report a receipt acknowledged was counted: the\n"
		"receipt is the task's leader's, and its report id is in the report set of\n"
		"its industry's published aggregate, by an RFC 9162 inclusion proof against\n"
		"the root every aggregator signed. The whole publication is audited with it\n"
		"('spillguard audit DIR --receipt RECEIPT'), so that root is one to trust.\n\n"
		"Exit status: 0 counted and everything checks, 1 a check failed (the FAIL\n"
		"lines say which: not counted, or the publication does not check), 2 usage\n"
		"or system error.\n",
		SG_PROG_NAME);
}

static int verify_receipt(int argc, char **argv)
{
	const char *published = NULL, *task = NULL, *auth = NULL, *receipt = NULL;
	const cli_opt opts[] = { { "published", &published, NULL },
				 { "task", &task, NULL },
				 { "authority-pk", &auth, NULL },
				 { NULL, NULL, NULL } };
	if (argc >= 2 && strncmp(argv[1], "--", 2) != 0)
		receipt = argv[1];
	int status = cli_opts_parse("node verify-receipt", opts, argc, argv, receipt ? 2 : 1);
	if (status != 0)
		return status;
	if (receipt == NULL || published == NULL) {
		fprintf(stderr, "%s node verify-receipt: RECEIPT and --published DIR are needed (see "
				"--help)\n",
			SG_PROG_NAME);
		return 2;
	}
	return cli_audit_run(published, task, auth, &receipt, 1, NULL);
}

static bool is_help(const char *a)
{
	return strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0;
}

int node_main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int, char **);
		void (*usage)(FILE *);
	} actions[] = { { "submit", submit, usage_submit },
			{ "run", run, usage_run },
			{ "verify-receipt", verify_receipt, usage_verify },
			{ "report", node_report_main, node_report_usage } };
	if (argc >= 2 && is_help(argv[1])) {
		usage(stdout);
		return 0;
	}
	if (sodium_init() < 0) {
		fprintf(stderr, "%s node: libsodium failed to initialise\n", SG_PROG_NAME);
		return 2;
	}
	for (size_t i = 0; argc >= 2 && i < sizeof actions / sizeof actions[0]; i++) {
		if (strcmp(argv[1], actions[i].name) != 0)
			continue;
		if (argc == 3 && is_help(argv[2])) {
			actions[i].usage(stdout);
			return 0;
		}
		return actions[i].fn(argc - 1, argv + 1);
	}
	usage(stderr);
	return 2;
}
