/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spillguard bench round: the throughput of a whole round on loopback -
 * reports are generated first (not timed), then the clock runs from the
 * first upload to the publication: uploads, aggregation with the helpers,
 * collection. Prints reports per second and each daemon's peak RSS.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime, sysconf */

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "edge/transport.h"
#include "opts.h"
#include "protocol/report.h"
#include "subcommands.h"
#include "wire/codec.h"
#include "world.h"

#define SENDERS 4      /* concurrent enterprise connections, by default */
#define MAX_SENDERS 64

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s bench round [--enterprises N] [--categories L] [--aggregators A]\n"
		"                        [--industries K] [--job-size J] [--senders S]\n"
		"                        [--out DIR]\n\n"
		"Times one round on this machine (127.0.0.1): N reports over L categories\n"
		"(each up to 65535) are generated and written to a file first, untimed; then\n"
		"A aggregator daemons are started and the clock runs from the first upload\n"
		"(S concurrent senders, each an enterprise connection) to the publication.\n"
		"Prints reports per second for the uploads alone and for the whole round,\n"
		"and each daemon's peak resident memory (VmHWM) and CPU per report.\n\n"
		"Defaults: N 2000, L 100, A 3, K 4, J 64, S %d (1 to %d). --out keeps the\n"
		"folder.\n",
		SG_PROG_NAME, SENDERS, MAX_SENDERS);
}

static double seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Every report as an upload envelope, appended to DIR/reports.bin with a
 * 4-byte length; off[i] is where report i starts. */
static int generate(const cli_world *w, long *off)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/reports.bin", w->dir);
	FILE *f = fopen(path, "wb");
	if (f == NULL) {
		perror(path);
		return 2;
	}
	int ret = 0;
	uint64_t now = (uint64_t)time(NULL);
	for (long i = 0; ret == 0 && i < w->n; i++) {
		uint8_t *rep = NULL, *env = NULL, id[SG_REPORT_ID_BYTES];
		size_t len, env_len = 0;
		char ent[32];
		snprintf(ent, sizeof ent, "enterprise-%ld", i + 1);
		ret = sg_report_build(&rep, &len, id, w->task, ent, w->ent_sk[i],
				      w->eek + (size_t)i * (size_t)w->l, (size_t)w->l, now);
		ProtobufCMessage *m = NULL;
		sg_wire_budget *b = NULL;
		if (ret == 0)
			ret = sg_wire_unpack(&m, &b, &spillguard__report__descriptor, rep, len);
		if (ret == 0) {
			Spillguard__Envelope e = SPILLGUARD__ENVELOPE__INIT;
			e.msg_case = SPILLGUARD__ENVELOPE__MSG_REPORT;
			e.report = (Spillguard__Report *)m;
			ret = sg_wire_encode(&env, &env_len, &e);
		}
		uint8_t hdr[4] = { (uint8_t)(env_len >> 24), (uint8_t)(env_len >> 16),
				   (uint8_t)(env_len >> 8), (uint8_t)env_len };
		off[i] = ftell(f);
		if (ret == 0 && (fwrite(hdr, 1, 4, f) != 4 || fwrite(env, 1, env_len, f) != env_len))
			ret = SG_ERR_IO;
		sg_wire_release(m, b);
		free(rep);
		free(env);
		if (ret == 0 && (i + 1) % 500 == 0) {
			printf("  %ld of %ld reports generated\n", i + 1, w->n);
			fflush(stdout);
		}
	}
	if (fclose(f) != 0 && ret == 0)
		ret = SG_ERR_IO;
	if (ret != 0)
		fprintf(stderr, "%s bench round: generating reports: %s\n", SG_PROG_NAME,
			sg_strerror(ret));
	return ret == 0 ? 0 : 2;
}

typedef struct sender {
	const cli_world *w;
	const long *off;
	long first, stride; /* sends reports first, first + stride, ... */
	long accepted, failed;
} sender;

static void *send_reports(void *arg)
{
	sender *s = arg;
	const cli_world *w = s->w;
	const Spillguard__AggregatorInfo *l = w->task->body->aggregators[0];
	char path[4200], err[256];
	uint8_t eph[32], *buf = NULL;
	sg_client *c = NULL;
	snprintf(path, sizeof path, "%s/reports.bin", w->dir);
	FILE *f = fopen(path, "rb");
	randombytes_buf(eph, sizeof eph);
	if (f == NULL || sg_client_open(&c, l->endpoint, l->curve_pk.data, eph, err, sizeof err)) {
		s->failed = -1;
		goto cleanup;
	}
	for (long i = s->first; i < w->n; i += s->stride) {
		uint8_t hdr[4], *reply = NULL;
		size_t reply_len;
		if (fseek(f, s->off[i], SEEK_SET) != 0 || fread(hdr, 1, 4, f) != 4) {
			s->failed++;
			continue;
		}
		size_t len = (size_t)hdr[0] << 24 | (size_t)hdr[1] << 16 | (size_t)hdr[2] << 8 | hdr[3];
		uint8_t *nb = realloc(buf, len + 1);
		if (nb == NULL || fread(nb, 1, len, f) != len) {
			buf = nb ? nb : buf;
			s->failed++;
			continue;
		}
		buf = nb;
		int ret = -1;
		for (int attempt = 0; attempt < 5 && ret != 0; attempt++) /* the leader may be starting */
			ret = sg_client_call(c, &reply, &reply_len, buf, len, 10000);
		uint32_t field = 0;
		const uint8_t *p;
		size_t plen;
		if (ret == 0 && sg_wire_envelope_peek(reply, reply_len, &field, &p, &plen) == 0 &&
		    field == SPILLGUARD__ENVELOPE__MSG_RECEIPT)
			s->accepted++;
		else
			s->failed++;
		free(reply);
	}
cleanup:
	sodium_memzero(eph, sizeof eph);
	sg_client_close(c);
	if (f != NULL)
		fclose(f);
	free(buf);
	return NULL;
}

/* VmHWM of a process in KiB, or 0. */
static unsigned long peak_rss_kib(pid_t pid)
{
	char path[64], line[256];
	unsigned long kib = 0;
	snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
	FILE *f = fopen(path, "r");
	while (f != NULL && fgets(line, sizeof line, f) != NULL)
		if (sscanf(line, "VmHWM: %lu kB", &kib) == 1)
			break;
	if (f != NULL)
		fclose(f);
	return kib;
}

/* CPU time (user + system) a process has used so far, in seconds, or 0. */
static double cpu_seconds(pid_t pid)
{
	char path[64], buf[1024];
	double s = 0;
	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
	if (f != NULL)
		fclose(f);
	buf[n] = '\0';
	const char *p = strrchr(buf, ')'); /* the command name may hold spaces */
	unsigned long ut, st;
	if (p != NULL && sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut,
				&st) == 2)
		s = (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
	return s;
}

static int run(int argc, char **argv)
{
	const char *n = NULL, *l = NULL, *a = NULL, *k = NULL, *js = NULL, *ss = NULL,
		   *out = NULL;
	const cli_opt opts[] = { { "enterprises", &n, NULL }, { "categories", &l, NULL },
				 { "aggregators", &a, NULL },  { "industries", &k, NULL },
				 { "job-size", &js, NULL },    { "senders", &ss, NULL },
				 { "out", &out, NULL },        { NULL, NULL, NULL } };
	cli_world w = { 0 };
	long *off = NULL;
	int status = cli_opts_parse("bench round", opts, argc, argv, 1);
	if (status != 0)
		return status;
	w.n = cli_number(n, 2000, 2, 1000000, "enterprises");
	w.l = cli_number(l, 100, 1, 1000, "categories");
	w.a = cli_number(a, 3, 2, CLI_WORLD_MAX_AGG, "aggregators");
	w.k = cli_number(k, 4, 1, 50, "industries");
	long job = cli_number(js, 64, 1, 4096, "job-size");
	long senders = cli_number(ss, SENDERS, 1, MAX_SENDERS, "senders");
	if (w.n < 0 || w.l < 0 || w.a < 0 || w.k < 0 || job < 0 || senders < 0)
		return 2;
	w.job_size = (size_t)job;
	if (cli_world_dir(&w, out, "bench") != 0)
		return 2;
	printf("bench round: %ld reports, %ld categories (max 65535), %ld aggregators, "
	       "%ld industries, jobs of %ld, %ld senders\n",
	       w.n, w.l, w.a, w.k, job, senders);
	off = calloc((size_t)w.n, sizeof *off);
	status = off ? 0 : 2;
	if (status == 0)
		status = cli_world_keys(&w);
	if (status == 0)
		status = cli_world_data(&w, true);
	if (status == 0)
		status = cli_world_task(&w, 2);
	if (status == 0)
		status = generate(&w, off);
	if (status == 0)
		status = cli_world_start(&w);
	if (status != 0)
		goto cleanup;
	sender s[MAX_SENDERS];
	pthread_t th[MAX_SENDERS];
	bool started[MAX_SENDERS];
	double c0 = cpu_seconds(getpid()), t0 = seconds();
	for (long i = 0; i < senders; i++) {
		s[i] = (sender){ &w, off, i, senders, 0, 0 };
		started[i] = pthread_create(&th[i], NULL, send_reports, &s[i]) == 0;
		if (!started[i])
			s[i].failed = -1;
	}
	long accepted = 0, failed = 0;
	for (long i = 0; i < senders; i++) {
		if (started[i])
			pthread_join(th[i], NULL);
		accepted += s[i].accepted;
		failed += s[i].failed < 0 ? 1 : s[i].failed;
	}
	double t1 = seconds();
	if (failed > 0 || accepted != w.n) {
		fprintf(stderr, "%s bench round: %ld uploads failed\n", SG_PROG_NAME, w.n - accepted);
		status = 2;
	}
	if (status == 0)
		status = cli_world_collect(&w);
	double t2 = seconds(), c2 = cpu_seconds(getpid());
	if (status == 0) {
		printf("uploads:   %ld reports in %.2f s = %.0f reports/s (receipts signed, stored)\n",
		       w.n, t1 - t0, (double)w.n / (t1 - t0));
		printf("round:     %ld reports in %.2f s = %.0f reports/s (upload to publication)\n",
		       w.n, t2 - t0, (double)w.n / (t2 - t0));
		printf("senders:   CPU %.0f us per report (the enterprises' side, this process)\n",
		       (c2 - c0) * 1e6 / (double)w.n);
		for (long j = 0; j < w.a; j++)
			printf("aggregator %ld (%s): peak RSS %.1f MiB, CPU %.0f us per report\n", j,
			       j == 0 ? "leader" : "helper", (double)peak_rss_kib(w.pid[j]) / 1024.0,
			       cpu_seconds(w.pid[j]) * 1e6 / (double)w.n);
	}
cleanup:
	cli_world_stop(&w);
	cli_world_free(&w);
	free(off);
	return status;
}

int bench_round_main(int argc, char **argv)
{
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return 0;
	}
	return run(argc, argv);
}
