/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spillguard vdaf-check PATH...: runs draft-irtf-cfrg-vdaf-20 test-vector
 * files (or every *.json in a directory, in name order) and prints one line
 * per file, then "N passed, M failed".
 */
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "conformance/vdaf_vectors.h"
#include "subcommands.h"

typedef struct tally {
	unsigned passed, failed;
} tally;

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s vdaf-check PATH...\n\n"
		"Runs the known-answer tests of draft-irtf-cfrg-vdaf-20 test-vector files:\n"
		"Prio3 variants (Count, Sum, SumVec, SumVecWithMultiproof, Histogram,\n"
		"MultihotCountVec, HigherDegree, and spillguard's BoundedSumVec and\n"
		"BoundedSumVecWithMultiproof) and XofTurboShake128.json. A directory runs\n"
		"every .json file in it. Each file's operations run in order and every byte\n"
		"string produced is compared with the file.\n\n"
		"Prints 'ok NAME' or 'FAIL NAME: <operation> ...' per file ('skip NAME' for\n"
		"vectors of other algorithms, which are not counted), then 'N passed, M failed'.\n"
		"Exit status: 0 all passed (and at least one ran), 1 a failure, 2 usage error.\n",
		SG_PROG_NAME);
}

static const char *base_name(const char *path)
{
	const char *b = strrchr(path, '/');
	return b ? b + 1 : path;
}

static void check_file(const char *path, tally *t)
{
	char msg[1024];
	switch (sg_vdaf_vector_run(path, msg, sizeof msg)) {
	case SG_VECTOR_PASS:
		printf("ok %s\n", base_name(path));
		t->passed++;
		break;
	case SG_VECTOR_SKIP:
		printf("skip %s: %s\n", base_name(path), msg);
		break;
	default:
		printf("FAIL %s: %s\n", base_name(path), msg);
		t->failed++;
		break;
	}
	fflush(stdout);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_json(const char *name)
{
	size_t n = strlen(name);
	return n > 5 && strcmp(name + n - 5, ".json") == 0;
}

static int check_dir(const char *dir, tally *t)
{
	DIR *d = opendir(dir);
	if (d == NULL) {
		fprintf(stderr, "%s vdaf-check: cannot open directory '%s'\n", SG_PROG_NAME, dir);
		return 2;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	int ret = 0;
	for (struct dirent *e; (e = readdir(d)) != NULL;) {
		if (!is_json(e->d_name))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			char **grown = realloc(names, cap * sizeof *names);
			if (grown == NULL) {
				ret = 2;
				break;
			}
			names = grown;
		}
		size_t len = strlen(dir) + strlen(e->d_name) + 2;
		if ((names[n] = malloc(len)) == NULL) {
			ret = 2;
			break;
		}
		snprintf(names[n++], len, "%s/%s", dir, e->d_name);
	}
	closedir(d);
	if (names != NULL)
		qsort(names, n, sizeof *names, by_name);
	for (size_t i = 0; i < n; i++) {
		if (ret == 0)
			check_file(names[i], t);
		free(names[i]);
	}
	free(names);
	if (ret != 0)
		fprintf(stderr, "%s vdaf-check: out of memory\n", SG_PROG_NAME);
	return ret;
}

int vdaf_check_main(int argc, char **argv)
{
	tally t = { 0, 0 };
	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return 0;
	}
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		struct stat sb;
		if (argv[i][0] == '-') {
			fprintf(stderr, "%s vdaf-check: unknown option '%s'\n", SG_PROG_NAME, argv[i]);
			return 2;
		}
		if (stat(argv[i], &sb) != 0) {
			fprintf(stderr, "%s vdaf-check: no such file or directory '%s'\n", SG_PROG_NAME,
				argv[i]);
			return 2;
		}
		if (S_ISDIR(sb.st_mode)) {
			int ret = check_dir(argv[i], &t);
			if (ret != 0)
				return ret;
		} else {
			check_file(argv[i], &t);
		}
	}
	printf("%u passed, %u failed\n", t.passed, t.failed);
	return (t.failed == 0 && t.passed > 0) ? 0 : 1;
}
