/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spillguard aggregator: one aggregator daemon of a task (leader or helper,
 * by its keys' place in the task), and `aggregator status` over its store.
 */
#define _POSIX_C_SOURCE 200809L /* gmtime_r */

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <sodium.h>

#include "edge/aggregator.h"
#include "edge/helper.h"
#include "edge/store.h"
#include "opts.h"
#include "protocol/report.h"
#include "subcommands.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s aggregator --task TASK.sgt --key DIR --db FILE [--listen ENDPOINT]\n"
		"                     [--publish DIR] [--job-size N] [--config FILE]\n"
		"       %s aggregator status --task TASK.sgt --db FILE\n\n"
		"Runs one aggregator of a task until SIGTERM or SIGINT. Its keys (DIR holds\n"
		"sign.sk, hpke.sk and curve.sk from 'keygen --role aggregator') say which of\n"
		"the task's aggregators it is: the first one leads, the others help.\n\n"
		"  --task FILE      the signed task (from 'task create')\n"
		"  --key DIR        this aggregator's secret keys (mode 0600)\n"
		"  --db FILE        its SQLite store, created on first start (mode 0600); one\n"
		"                   per aggregator and task. After a crash, start it again\n"
		"                   with the same store: it resumes where it was.\n"
		"  --listen EP      where to listen (default: the endpoint the task names for\n"
		"                   this aggregator), tcp://127.0.0.1:PORT\n"
		"  --publish DIR    leader: where the round is published (default: 'published'\n"
		"                   beside the store)\n"
		"  --job-size N     leader: reports per aggregation job (default %d)\n"
		"  --peer-timeout-ms N  leader: how long to wait for a helper's reply\n"
		"                   (default %d)\n"
		"  --config FILE    the options above as 'name = value' lines (task, key, db,\n"
		"                   listen, publish, job-size, peer-timeout-ms); the command\n"
		"                   line wins\n\n"
		"The leader takes uploads from enterprise nodes, grants the helpers the\n"
		"verification key, aggregates in jobs with them, and once the round closes\n"
		"(at the task's closes_at, or earlier on 'spillguard collect' from the\n"
		"authority) collects every industry with at least min_batch reports and\n"
		"writes the publication folder (docs/publication.md).\n\n"
		"Logs go to standard error, one line per event: time=... level=... event=...\n"
		"status prints the store's counts (reports by state, jobs, industries).\n\n"
		"Exit status: 0 stopped by a signal, 2 usage, configuration or system error.\n",
		SG_PROG_NAME, SG_PROG_NAME, SG_AGGD_JOB_SIZE, SG_AGGD_PEER_TIMEOUT_MS);
}

static void log_line(void *ctx, const char *level, const char *line)
{
	const unsigned *index = ctx;
	char stamp[32];
	struct tm tm;
	time_t now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(stderr, "time=%s level=%s agg=%u %s\n", stamp, level, *index, line);
	fflush(stderr);
}

/* "published" beside the store file. */
static char *default_publish(const char *db)
{
	const char *slash = strrchr(db, '/');
	size_t dir = slash ? (size_t)(slash - db) + 1 : 0;
	char *out = malloc(dir + sizeof "published");
	if (out != NULL) {
		memcpy(out, db, dir);
		memcpy(out + dir, "published", sizeof "published");
	}
	return out;
}

static int run(int argc, char **argv)
{
	const char *task = NULL, *key = NULL, *db = NULL, *listen = NULL, *publish = NULL,
		   *job_size = NULL, *peer_timeout = NULL, *config = NULL;
	const cli_opt opts[] = { { "task", &task, NULL },	  { "key", &key, NULL },
				 { "db", &db, NULL },		  { "listen", &listen, NULL },
				 { "publish", &publish, NULL },	  { "job-size", &job_size, NULL },
				 { "peer-timeout-ms", &peer_timeout, NULL },
				 { "config", &config, NULL },	  { NULL, NULL, NULL } };
	static volatile sig_atomic_t stop;
	char *conf_text = NULL, *pub = NULL, err[512];
	sg_task *t = NULL;
	sg_keyset ks = { 0 };
	unsigned index = 0;
	int status = cli_opts_parse("aggregator", opts, argc, argv, 1);
	if (status == 0 && config != NULL)
		status = cli_config_read("aggregator", opts, config, &conf_text);
	if (status != 0)
		goto cleanup;
	status = 2;
	if (!task || !key || !db) {
		fprintf(stderr, "%s aggregator: --task, --key and --db are needed (see --help)\n",
			SG_PROG_NAME);
		goto cleanup;
	}
	char *end = NULL;
	long js = job_size ? strtol(job_size, &end, 10) : SG_AGGD_JOB_SIZE;
	if (job_size && (*end != '\0' || js < 1 || js > 4096)) {
		fprintf(stderr, "%s aggregator: --job-size '%s': a number from 1 to 4096\n",
			SG_PROG_NAME, job_size);
		goto cleanup;
	}
	long pt = peer_timeout ? strtol(peer_timeout, &end, 10) : SG_AGGD_PEER_TIMEOUT_MS;
	if (peer_timeout && (*end != '\0' || pt < 100 || pt > 600000)) {
		fprintf(stderr, "%s aggregator: --peer-timeout-ms '%s': a number from 100 to 600000\n",
			SG_PROG_NAME, peer_timeout);
		goto cleanup;
	}
	if (cli_task_load("aggregator", &t, task, NULL) != 0)
		goto cleanup;
	if (sg_keyset_load_secret(&ks, key, SG_KEY_ROLE_AGGREGATOR, err, sizeof err) != 0) {
		fprintf(stderr, "%s aggregator: %s\n", SG_PROG_NAME, err);
		goto cleanup;
	}
	long idx = sg_aggd_index(t, &ks, err, sizeof err);
	if (idx < 0) {
		fprintf(stderr, "%s aggregator: %s (keys %s, task %s)\n", SG_PROG_NAME, err, key, task);
		goto cleanup;
	}
	index = (unsigned)idx;
	if (publish == NULL && (publish = pub = default_publish(db)) == NULL)
		goto cleanup;
	sg_aggd_config c = { .task = t,
			     .keys = &ks,
			     .db_path = db,
			     .listen = listen,
			     .publish_dir = publish,
			     .job_size = (size_t)js,
			     .peer_timeout_ms = (int)pt,
			     .log = log_line,
			     .log_ctx = &index };
	cli_stop_on_signals(&stop);
	if (sg_aggd_run(&c, &stop, err, sizeof err) != 0) {
		fprintf(stderr, "%s aggregator: %s\n", SG_PROG_NAME, err);
		goto cleanup;
	}
	status = 0;
cleanup:
	for (int k = 0; k < SG_KEY_KINDS; k++)
		sg_key_free(ks.key[k]);
	sg_task_free(t);
	free(conf_text);
	free(pub);
	return status;
}

/* --- status ----------------------------------------------------------------- */

static void print_mark(sg_store *s, const char *name, const char *label)
{
	uint64_t at;
	bool found;
	char stamp[32] = "no";
	if (sg_store_mark_get(s, name, &at, &found) == 0 && found) {
		struct tm tm;
		time_t tt = (time_t)at;
		gmtime_r(&tt, &tm);
		strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
	}
	printf("%-22s %s\n", label, stamp);
}

static int status_main(int argc, char **argv)
{
	const char *task = NULL, *db = NULL;
	const cli_opt opts[] = { { "task", &task, NULL }, { "db", &db, NULL }, { NULL, NULL, NULL } };
	sg_task *t = NULL;
	sg_store *s = NULL;
	sg_store_counts c;
	struct stat st;
	char err[512];
	int status = cli_opts_parse("aggregator status", opts, argc, argv, 1);
	if (status != 0)
		return status;
	status = 2;
	if (!task || !db) {
		fprintf(stderr, "%s aggregator status: --task and --db are needed\n", SG_PROG_NAME);
		return 2;
	}
	if (stat(db, &st) != 0) {
		fprintf(stderr, "%s aggregator status: %s: no such store\n", SG_PROG_NAME, db);
		return 2;
	}
	if (cli_task_load("aggregator status", &t, task, NULL) != 0)
		return 2;
	if (sg_store_open_readonly(&s, db, t->id, err, sizeof err) != 0 ||
	    sg_store_counts_get(s, SG_JOB_STEP_DONE, &c) != 0) {
		fprintf(stderr, "%s aggregator status: %s\n", SG_PROG_NAME,
			err[0] ? err : "the store cannot be read");
		goto cleanup;
	}
	printf("%-22s %s\n", "task", t->body->name);
	printf("%-22s %llu\n", "reports received", (unsigned long long)c.uploads);
	printf("%-22s %llu\n", "waiting for a job", (unsigned long long)c.waiting);
	printf("%-22s %llu\n", "in an open job", (unsigned long long)c.pending);
	printf("%-22s %llu\n", "accepted", (unsigned long long)c.accepted);
	printf("%-22s %llu\n", "refused", (unsigned long long)c.refused);
	uint64_t why[SG_REJECT_COUNT];
	if (sg_store_refusals(s, why, SG_REJECT_COUNT) != 0) {
		fprintf(stderr, "%s aggregator status: the store cannot be read\n", SG_PROG_NAME);
		goto cleanup;
	}
	for (int code = 1; code < SG_REJECT_COUNT; code++)
		if (why[code] > 0)
			printf("  refused, code %-7d %llu (%s)\n", code, (unsigned long long)why[code],
			       sg_reject_message((enum sg_reject)code));
	printf("%-22s %llu of %llu\n", "jobs open", (unsigned long long)c.jobs_open,
	       (unsigned long long)c.jobs);
	print_mark(s, "collect", "collection ordered");
	print_mark(s, "published", "published");
	for (size_t k = 0; k < t->body->n_industries; k++) {
		uint32_t id = t->body->industries[k]->id;
		uint64_t count;
		uint8_t *share = NULL, *released = NULL;
		size_t share_len, released_len;
		bool collected = false;
		if (sg_store_agg_get(s, id, &count, &share, &share_len) != 0 ||
		    sg_store_collected_get(s, id, &collected, &released, &released_len) != 0) {
			fprintf(stderr, "%s aggregator status: the store cannot be read\n", SG_PROG_NAME);
			goto cleanup;
		}
		free(share);
		free(released);
		printf("industry %-13u %llu accepted, %s\n", id, (unsigned long long)count,
		       collected ? "collected" : "not collected");
	}
	status = 0;
cleanup:
	sg_store_close(s);
	sg_task_free(t);
	return status;
}

int aggregator_main(int argc, char **argv)
{
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return 0;
	}
	if (sodium_init() < 0) {
		fprintf(stderr, "%s aggregator: libsodium failed to initialise\n", SG_PROG_NAME);
		return 2;
	}
	if (argc >= 2 && strcmp(argv[1], "status") == 0) {
		if (argc == 3 && (strcmp(argv[2], "--help") == 0 || strcmp(argv[2], "-h") == 0)) {
			usage(stdout);
			return 0;
		}
		return status_main(argc - 1, argv + 1);
	}
	return run(argc, argv);
}
