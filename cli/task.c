/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spillguard task create|show|verify: the authority's signed definition of a
 * collection round (docs/task-format.md).
 */
#define _POSIX_C_SOURCE 200809L /* gmtime_r */

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "core/fixed.h"
#include "core/task.h"
#include "edge/task_json.h"
#include "spillguard/keys.h"
#include "subcommands.h"
#include "util/file.h"
#include "util/hex.h"

#define MAX_TASK_BYTES ((size_t)16 << 20)

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s task create --from TASK.json --authority-key SIGN.sk --out TASK.sgt [--force]\n"
		"       %s task show TASK.sgt\n"
		"       %s task verify TASK.sgt --authority-pk SIGN.pk\n\n"
		"create  turns the JSON definition of a collection round (docs/task-format.md)\n"
		"        into the binary task, signed with the authority's key; prints its id.\n"
		"        An existing output file is kept unless --force is given.\n"
		"show    prints a task file: id, window, categories, industries, aggregators\n"
		"        and roster (after checking its signature and format).\n"
		"verify  checks that the task is signed by the given authority and valid.\n\n"
		"Exit status: 0 success (verify: valid), 1 verify: not valid, 2 usage or\n"
		"system error.\n",
		SG_PROG_NAME, SG_PROG_NAME, SG_PROG_NAME);
}

static int fail(const char *what)
{
	fprintf(stderr, "%s task: %s\n", SG_PROG_NAME, what);
	return 2;
}

/* Options "--name VALUE" (each at most once) and positional arguments. */
typedef struct args {
	const char *from, *key, *out, *pk, *file;
	bool force;
} args;

static int parse(args *a, int argc, char **argv, const char *allowed)
{
	memset(a, 0, sizeof *a);
	for (int i = 1; i < argc; i++) {
		const char *o = argv[i];
		const char **slot = strcmp(o, "--from") == 0		  ? &a->from
				    : strcmp(o, "--authority-key") == 0 ? &a->key
				    : strcmp(o, "--out") == 0		  ? &a->out
				    : strcmp(o, "--authority-pk") == 0  ? &a->pk
									  : NULL;
		if (strcmp(o, "--force") == 0 && strstr(allowed, "force") != NULL) {
			if (a->force)
				return fail("--force given twice");
			a->force = true;
		} else if (slot != NULL && strstr(allowed, o + 2) != NULL) {
			if (*slot != NULL) {
				fprintf(stderr, "%s task: %s given twice\n", SG_PROG_NAME, o);
				return 2;
			}
			if (i + 1 >= argc)
				return fprintf(stderr, "%s task: %s needs a value\n", SG_PROG_NAME, o), 2;
			*slot = argv[++i];
		} else if (o[0] == '-') {
			fprintf(stderr, "%s task %s: unknown option '%s'\n", SG_PROG_NAME, argv[0], o);
			return 2;
		} else if (a->file == NULL && strstr(allowed, "FILE") != NULL) {
			a->file = o;
		} else {
			fprintf(stderr, "%s task %s: unexpected argument '%s'\n", SG_PROG_NAME, argv[0], o);
			return 2;
		}
	}
	return 0;
}

static void key_id_of(char out[17], const uint8_t pk[32])
{
	uint8_t h[32];
	crypto_hash_sha256(h, pk, 32);
	sg_hex_encode(out, h, 8);
}

static void utc(char out[32], uint64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (gmtime_r(&tt, &tm) == NULL || strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, 32, "%llu", (unsigned long long)t);
}

static int create(int argc, char **argv)
{
	args a;
	int ret = parse(&a, argc, argv, "from authority-key out force");
	char err[512], id[65];
	char *json = NULL;
	size_t json_len, body_len, task_len;
	uint8_t *body = NULL, *task = NULL;
	sg_key *key = NULL;
	sg_task *t = NULL;
	if (ret != 0)
		return ret;
	if (!a.from || !a.key || !a.out)
		return fail("create needs --from, --authority-key and --out (see --help)");
	ret = 2;
	if (sg_key_load_secret(&key, a.key, SG_KEY_SIGN, err, sizeof err) != 0 ||
	    sg_file_read(&json, &json_len, a.from, MAX_TASK_BYTES, err, sizeof err) != 0) {
		fail(err);
		goto cleanup;
	}
	if (sg_task_json_to_body(&body, &body_len, json, json_len, sg_key_public(key), err,
				 sizeof err) != 0) {
		fprintf(stderr, "%s task: %s: %s\n", SG_PROG_NAME, a.from, err);
		goto cleanup;
	}
	if (sg_task_sign(&task, &task_len, body, body_len, sg_key_secret(key)) != 0 ||
	    sg_task_open(&t, task, task_len, sg_key_public(key), err, sizeof err) != 0) {
		fail("signing failed");
		goto cleanup;
	}
	if (sg_file_write(a.out, task, task_len, 0644, a.force, err, sizeof err) != 0) {
		fail(err);
		goto cleanup;
	}
	sg_hex_encode(id, t->id, sizeof t->id);
	printf("task %s\nwritten to %s: %zu categories, %zu industries, %zu enterprises, "
	       "%zu aggregators\n",
	       id, a.out, t->body->n_categories, t->body->n_industries, t->body->n_roster,
	       t->body->n_aggregators);
	ret = 0;
cleanup:
	sg_task_free(t);
	sg_key_free(key);
	free(json);
	free(body);
	free(task);
	return ret;
}

static size_t members(const Spillguard__TaskBody *b, uint32_t industry)
{
	size_t n = 0;
	for (size_t i = 0; i < b->n_roster; i++)
		n += b->roster[i]->industry == industry;
	return n;
}

static void print_task(const sg_task *t)
{
	const Spillguard__TaskBody *b = t->body;
	char id[65], kid[17], from[32], to[32], max[32];
	sg_hex_encode(id, t->id, sizeof t->id);
	key_id_of(kid, b->authority_pk.data);
	utc(from, b->opens_at);
	utc(to, b->closes_at);
	printf("task        %s\nname        %s\nauthority   key %s (signature verified)\n", id,
	       b->name, kid);
	printf("window      %s .. %s\nmin_batch   %u enterprises\n", from, to, b->min_batch);
	if (b->vdaf->algorithm_id == SG_TASK_ALGORITHM_SUMVEC)
		printf("vdaf        Prio3SumVec, %llu elements in [0, %llu], ",
		       (unsigned long long)b->vdaf->length,
		       (unsigned long long)b->vdaf->max_measurement);
	else
		printf("vdaf        Prio3BoundedSumVec (0x%08X), %llu elements each in [0, its "
		       "category's max], ",
		       b->vdaf->algorithm_id, (unsigned long long)b->vdaf->length);
	printf("chunk length %llu, Field%u, %u proof(s)\n",
	       (unsigned long long)b->vdaf->chunk_length, b->vdaf->field, b->vdaf->proofs);
	if (b->dp != NULL && b->dp->sigma_milli > 0)
		printf("dp          discrete Gaussian noise, sigma %llu/1000 per element\n",
		       (unsigned long long)b->dp->sigma_milli);
	printf("categories  %zu\n", b->n_categories);
	for (size_t i = 0; i < b->n_categories; i++) {
		const Spillguard__Category *c = b->categories[i];
		sg_fixed_format(max, sizeof max, c->max_measurement, c->decimals);
		printf("  %-30s max %s (%u decimals)\n", c->name, max, c->decimals);
	}
	printf("industries  %zu\n", b->n_industries);
	for (size_t i = 0; i < b->n_industries; i++)
		printf("  %-6u %-30s %zu enterprises\n", b->industries[i]->id, b->industries[i]->name,
		       members(b, b->industries[i]->id));
	printf("aggregators %zu\n", b->n_aggregators);
	for (size_t i = 0; i < b->n_aggregators; i++) {
		key_id_of(kid, b->aggregators[i]->sign_pk.data);
		printf("  %zu %-6s %-30s %-28s key %s\n", i, i == 0 ? "leader" : "helper",
		       b->aggregators[i]->operator_name, b->aggregators[i]->endpoint, kid);
	}
	printf("roster      %zu enterprises\n", b->n_roster);
	for (size_t i = 0; i < b->n_roster; i++) {
		key_id_of(kid, b->roster[i]->sign_pk.data);
		printf("  %-30s industry %-6u key %s\n", b->roster[i]->enterprise_id,
		       b->roster[i]->industry, kid);
	}
}

/* show (authority_pk NULL) and verify share the loading. */
static int open_task(sg_task **t, const char *path, const uint8_t *authority_pk)
{
	char *bytes = NULL, err[512];
	size_t len;
	int ret = sg_file_read(&bytes, &len, path, MAX_TASK_BYTES, err, sizeof err);
	if (ret != 0) {
		fail(err);
		return 2;
	}
	ret = sg_task_open(t, (const uint8_t *)bytes, len, authority_pk, err, sizeof err);
	free(bytes);
	if (ret != 0) {
		fprintf(stderr, "%s task: %s: %s\n", SG_PROG_NAME, path, err);
		return 1;
	}
	return 0;
}

static int show(int argc, char **argv)
{
	args a;
	sg_task *t = NULL;
	int ret = parse(&a, argc, argv, "FILE");
	if (ret != 0)
		return ret;
	if (a.file == NULL)
		return fail("show needs a task file (see --help)");
	ret = open_task(&t, a.file, NULL);
	if (ret == 0)
		print_task(t);
	sg_task_free(t);
	return ret;
}

static int verify(int argc, char **argv)
{
	args a;
	sg_task *t = NULL;
	sg_key *pk = NULL;
	char err[512], id[65];
	int ret = parse(&a, argc, argv, "FILE authority-pk");
	if (ret != 0)
		return ret;
	if (a.file == NULL || a.pk == NULL)
		return fail("verify needs a task file and --authority-pk (see --help)");
	if (sg_key_load_public(&pk, a.pk, SG_KEY_SIGN, err, sizeof err) != 0)
		return fail(err);
	ret = open_task(&t, a.file, sg_key_public(pk));
	if (ret == 0) {
		sg_hex_encode(id, t->id, sizeof t->id);
		printf("ok task %s: signed by the authority, format valid\n", id);
	}
	sg_task_free(t);
	sg_key_free(pk);
	return ret;
}

int task_main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return 0;
	}
	if (sodium_init() < 0)
		return fail("libsodium failed to initialise");
	if (strcmp(argv[1], "create") == 0)
		return create(argc - 1, argv + 1);
	if (strcmp(argv[1], "show") == 0)
		return show(argc - 1, argv + 1);
	if (strcmp(argv[1], "verify") == 0)
		return verify(argc - 1, argv + 1);
	fprintf(stderr, "%s task: unknown action '%s'; run '%s task --help'\n", SG_PROG_NAME,
		argv[1], SG_PROG_NAME);
	return 2;
}
