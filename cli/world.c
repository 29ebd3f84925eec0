/* SPDX-License-Identifier: Apache-2.0 */
#define _POSIX_C_SOURCE 200809L /* mkdtemp, kill, nanosleep */

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "core/fixed.h"
#include "edge/task_json.h"
#include "edge/transport.h"
#include "protocol/round.h"
#include "subcommands.h"
#include "util/file.h"
#include "util/json_write.h"
#include "world.h"

#define ROUND_TIMEOUT_S 300

static int fail(const char *what, const char *why)
{
	fprintf(stderr, "%s: %s%s%s\n", SG_PROG_NAME, what, why ? ": " : "", why ? why : "");
	return 2;
}

long cli_number(const char *s, long dflt, long lo, long hi, const char *name)
{
	if (s == NULL)
		return dflt;
	char *end;
	long v = strtol(s, &end, 10);
	if (*end != '\0' || v < lo || v > hi) {
		fprintf(stderr, "%s: --%s '%s': a number from %ld to %ld\n", SG_PROG_NAME, name,
			s, lo, hi);
		return -1;
	}
	return v;
}

/* A free loopback port: bind to 0, read it, close. */
/* A free loopback port below Linux's ephemeral range (32768 and up), where
 * the daemons' own outgoing connections could take it before a daemon
 * binds it: random ports are tried by binding them. */
static int free_port(void)
{
	for (int tries = 0; tries < 200; tries++) {
		struct sockaddr_in sa = { .sin_family = AF_INET };
		int port = 20000 + (int)randombytes_uniform(12000);
		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		sa.sin_port = htons((uint16_t)port);
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		bool ok = fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
		if (fd >= 0)
			close(fd);
		if (ok)
			return port;
	}
	return -1;
}

static void b64(char out[64], const uint8_t *k)
{
	sodium_bin2base64(out, 64, k, 32, sodium_base64_VARIANT_ORIGINAL);
}

/* --- the world ------------------------------------------------------------ */

int cli_world_keys(cli_world *d)
{
	char path[4200], err[300], name[32];
	if (sg_keyset_generate(&d->auth, SG_KEY_ROLE_AUTHORITY, "authority") != 0)
		return fail("keys", "cannot generate");
	snprintf(path, sizeof path, "%s/authority", d->dir);
	if (sg_keyset_save(&d->auth, path, false, err, sizeof err) != 0)
		return fail("keys", err);
	for (long j = 0; j < d->a; j++) {
		snprintf(name, sizeof name, "operator-%ld", j);
		snprintf(path, sizeof path, "%s/agg-%ld", d->dir, j);
		if (sg_keyset_generate(&d->agg[j], SG_KEY_ROLE_AGGREGATOR, name) != 0 ||
		    sg_keyset_save(&d->agg[j], path, false, err, sizeof err) != 0)
			return fail("keys", err);
		bool taken = true;
		while (taken) { /* each aggregator a port of its own */
			if ((d->port[j] = free_port()) < 0)
				return fail("no free loopback port", strerror(errno));
			taken = false;
			for (long i = 0; i < j; i++)
				taken |= d->port[i] == d->port[j];
		}
	}
	d->ent_sk = calloc((size_t)d->n, sizeof *d->ent_sk);
	if (d->ent_sk == NULL)
		return fail("out of memory", NULL);
	for (long i = 0; i < d->n; i++) {
		uint8_t pk[32];
		crypto_sign_keypair(pk, d->ent_sk[i]);
	}
	return 0;
}

/* Generated knowledge stocks: category c has max 100·(c+1) with c%3
 * decimals; each enterprise's value is random below its max. */
int cli_world_data(cli_world *d, bool uniform)
{
	size_t n = (size_t)d->n, l = (size_t)d->l;
	d->eek = calloc(n * l, sizeof *d->eek);
	d->decimals = calloc(l, sizeof *d->decimals);
	d->max = calloc(l, sizeof *d->max);
	if (!d->eek || !d->decimals || !d->max)
		return fail("out of memory", NULL);
	for (size_t c = 0; c < l; c++) {
		d->decimals[c] = uniform ? 0 : (unsigned)(c % 3);
		d->max[c] = uniform ? 65535 : (uint64_t)(100 * (c % 7 + 1));
		for (unsigned e = 0; e < d->decimals[c]; e++)
			d->max[c] *= 10;
	}
	for (size_t i = 0; i < n; i++)
		for (size_t c = 0; c < l; c++)
			d->eek[i * l + c] = randombytes_uniform((uint32_t)d->max[c] + 1);
	return 0;
}

int cli_world_task(cli_world *d, unsigned min_batch)
{
	sg_jw w;
	char k64[64], z85[SG_KEY_Z85_CHARS + 1], text[64], path[4200], err[400] = "", *json = NULL;
	uint8_t *body = NULL, *signed_task = NULL;
	size_t blen, tlen, json_len = 0;
	uint64_t now = (uint64_t)time(NULL);
	sg_jw_init(&w);
	sg_jw_object(&w, NULL);
	sg_jw_str(&w, "name", "spillguard demo round");
	sg_jw_array(&w, "categories");
	for (long c = 0; c < d->l; c++) {
		sg_jw_object(&w, NULL);
		snprintf(text, sizeof text, "category-%ld", c + 1);
		sg_jw_str(&w, "name", text);
		sg_fixed_format(text, sizeof text, d->max[c], d->decimals[c]);
		sg_jw_str(&w, "max", text);
		sg_jw_u64(&w, "decimals", d->decimals[c]);
		sg_jw_end(&w);
	}
	sg_jw_end(&w);
	sg_jw_array(&w, "industries");
	for (long k = 0; k < d->k; k++) {
		sg_jw_object(&w, NULL);
		sg_jw_u64(&w, "id", (uint64_t)(k + 1));
		snprintf(text, sizeof text, "industry-%ld", k + 1);
		sg_jw_str(&w, "name", text);
		sg_jw_end(&w);
	}
	sg_jw_end(&w);
	sg_jw_array(&w, "roster");
	for (long i = 0; i < d->n; i++) {
		sg_jw_object(&w, NULL);
		snprintf(text, sizeof text, "enterprise-%ld", i + 1);
		sg_jw_str(&w, "enterprise", text);
		sg_jw_u64(&w, "industry", (uint64_t)(i % d->k + 1));
		b64(k64, d->ent_sk[i] + 32);
		sg_jw_str(&w, "sign_pk", k64);
		sg_jw_end(&w);
	}
	sg_jw_end(&w);
	sg_jw_array(&w, "aggregators");
	for (long j = 0; j < d->a; j++) {
		sg_jw_object(&w, NULL);
		sg_jw_str(&w, "operator", sg_key_name(d->agg[j].key[SG_KEY_SIGN]));
		snprintf(text, sizeof text, "tcp://127.0.0.1:%d", d->port[j]);
		sg_jw_str(&w, "endpoint", text);
		sg_key_public_z85(z85, d->agg[j].key[SG_KEY_CURVE]);
		sg_jw_str(&w, "curve_pk", z85);
		b64(k64, sg_key_public(d->agg[j].key[SG_KEY_HPKE]));
		sg_jw_str(&w, "hpke_pk", k64);
		b64(k64, sg_key_public(d->agg[j].key[SG_KEY_SIGN]));
		sg_jw_str(&w, "sign_pk", k64);
		sg_jw_end(&w);
	}
	sg_jw_end(&w);
	sg_jw_u64(&w, "min_batch", min_batch);
	sg_jw_u64(&w, "opens_at", now - 60);
	sg_jw_u64(&w, "closes_at", now + 86400);
	sg_jw_end(&w);
	int ret = sg_jw_finish(&w, &json, &json_len);
	if (ret == 0)
		ret = sg_task_json_to_body(&body, &blen, json, json_len,
					   sg_key_public(d->auth.key[SG_KEY_SIGN]), err, sizeof err);
	if (ret == 0)
		ret = sg_task_sign(&signed_task, &tlen, body, blen,
				   sg_key_secret(d->auth.key[SG_KEY_SIGN]));
	snprintf(path, sizeof path, "%s/task.sgt", d->dir);
	if (ret == 0)
		ret = sg_file_write(path, signed_task, tlen, 0644, false, err, sizeof err);
	if (ret == 0)
		ret = sg_task_open(&d->task, signed_task, tlen, NULL, err, sizeof err);
	snprintf(path, sizeof path, "%s/task.json", d->dir);
	if (ret == 0)
		ret = sg_file_write(path, (const uint8_t *)json, json_len, 0644, false, err,
				    sizeof err);
	free(json);
	free(body);
	free(signed_task);
	return ret == 0 ? 0 : fail("task", err[0] ? err : sg_strerror(ret));
}

/* --- daemons ---------------------------------------------------------------- */

int cli_world_start(cli_world *d)
{
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n < 0)
		return fail("cannot find this program", strerror(errno));
	self[n] = '\0';
	for (long j = 0; j < d->a; j++) {
		char task[4200], key[4200], db[4200], pub[4200], log[4200];
		snprintf(task, sizeof task, "%s/task.sgt", d->dir);
		snprintf(key, sizeof key, "%s/agg-%ld", d->dir, j);
		snprintf(db, sizeof db, "%s/agg-%ld/store.db", d->dir, j);
		snprintf(pub, sizeof pub, "%s/published", d->dir);
		snprintf(log, sizeof log, "%s/agg-%ld/daemon.log", d->dir, j);
		pid_t pid = fork();
		if (pid < 0)
			return fail("fork", strerror(errno));
		if (pid == 0) {
			int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
			if (fd >= 0)
				dup2(fd, STDERR_FILENO);
			char js[24];
			snprintf(js, sizeof js, "%zu", d->job_size > 0 ? d->job_size : 64);
			execl(self, self, "aggregator", "--task", task, "--key", key, "--db", db,
			      "--publish", pub, "--job-size", js, (char *)NULL);
			_exit(127);
		}
		d->pid[j] = pid;
	}
	return 0;
}

void cli_world_stop(cli_world *d)
{
	for (long j = 0; j < d->a; j++)
		if (d->pid[j] > 0)
			kill(d->pid[j], SIGTERM);
	for (long j = 0; j < d->a; j++)
		if (d->pid[j] > 0)
			waitpid(d->pid[j], NULL, 0);
}

/* A daemon that exited early (a port taken, say). */
int cli_world_alive(cli_world *d)
{
	for (long j = 0; j < d->a; j++) {
		int st;
		if (d->pid[j] > 0 && waitpid(d->pid[j], &st, WNOHANG) == d->pid[j]) {
			d->pid[j] = 0;
			fprintf(stderr, "%s: aggregator %ld stopped; see %s/agg-%ld/daemon.log\n",
				SG_PROG_NAME, j, d->dir, j);
			return 2;
		}
	}
	return 0;
}

int cli_world_collect(cli_world *d)
{
	const Spillguard__AggregatorInfo *l = d->task->body->aggregators[0];
	uint8_t eph[32], *msg = NULL;
	size_t len;
	sg_client *c = NULL;
	char err[300];
	int status = 2;
	randombytes_buf(eph, sizeof eph);
	if (sg_collect_now_msg(&msg, &len, d->task, sg_key_secret(d->auth.key[SG_KEY_SIGN]),
			       (uint64_t)time(NULL)) != 0 ||
	    sg_client_open(&c, l->endpoint, l->curve_pk.data, eph, err, sizeof err) != 0)
		goto cleanup;
	for (int s = 0; s < ROUND_TIMEOUT_S * 5 && cli_world_alive(d) == 0; s++) {
		uint8_t *reply = NULL;
		size_t reply_len;
		sg_round_status rs;
		if (sg_client_call(c, &reply, &reply_len, msg, len, 10000) == 0 &&
		    sg_round_status_read(&rs, d->task, reply, reply_len) == 0) {
			bool done = rs.state == SG_ROUND_PUBLISHED;
			sg_round_status_free(&rs);
			if (done)
				status = 0;
		}
		free(reply);
		if (status == 0)
			break;
		struct timespec pause = { 0, 200 * 1000 * 1000 };
		nanosleep(&pause, NULL);
	}
	if (status != 0)
		fprintf(stderr, "%s: the round was not published; see the logs in %s\n",
			SG_PROG_NAME, d->dir);
cleanup:
	sodium_memzero(eph, sizeof eph);
	sg_client_close(c);
	free(msg);
	return status;
}

/* --- the check ---------------------------------------------------------------- */

void *cli_world_read_pb(const cli_world *d, const char *name, const ProtobufCMessageDescriptor *desc,
		     sg_wire_budget **b)
{
	char path[4200], *bytes = NULL, err[300];
	size_t len;
	ProtobufCMessage *m = NULL;
	snprintf(path, sizeof path, "%s/published/%s", d->dir, name);
	if (sg_file_read(&bytes, &len, path, (size_t)64 << 20, err, sizeof err) != 0 ||
	    sg_wire_unpack(&m, b, desc, (const uint8_t *)bytes, len) != 0)
		m = NULL;
	free(bytes);
	return m;
}

/* --- main ---------------------------------------------------------------------- */

void cli_world_free(cli_world *d)
{
	for (int k = 0; k < SG_KEY_KINDS; k++) {
		sg_key_free(d->auth.key[k]);
		for (long j = 0; j < d->a; j++)
			sg_key_free(d->agg[j].key[k]);
	}
	if (d->ent_sk != NULL)
		sodium_memzero(d->ent_sk, (size_t)d->n * sizeof *d->ent_sk);
	free(d->ent_sk);
	free(d->eek);
	free(d->decimals);
	free(d->max);
	sg_task_free(d->task);
	if (!d->keep && d->dir[0] != '\0') {
		char cmd[4200 + 16];
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", d->dir);
		if (system(cmd) != 0)
			fprintf(stderr, "%s: could not remove %s\n", SG_PROG_NAME, d->dir);
	}
}

int cli_world_dir(cli_world *d, const char *out, const char *prefix)
{
	if (out != NULL) {
		if (mkdir(out, 0700) != 0)
			return fail(out, errno == EEXIST ? "exists already (give a new folder)"
							 : strerror(errno));
		snprintf(d->dir, sizeof d->dir, "%s", out);
		d->keep = true;
		return 0;
	}
	const char *tmp = getenv("TMPDIR");
	snprintf(d->dir, sizeof d->dir, "%s/spillguard-%s-XXXXXX", tmp && *tmp ? tmp : "/tmp",
		 prefix);
	if (mkdtemp(d->dir) == NULL) {
		d->dir[0] = '\0';
		return fail("cannot make a temporary folder", strerror(errno));
	}
	return 0;
}
