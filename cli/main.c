/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The spillguard command: main only dispatches to the subcommand named by
 * argv[1], from the table below, which also writes the usage text. Adding a
 * subcommand is one table line plus its declaration in subcommands.h.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "spillguard/version.h"
#include "subcommands.h"

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *description;
} subcommands[] = {
	{ "demo", demo_main, "Run a whole round on this machine and check it (start here)" },
	{ "keygen", keygen_main, "Generate a party's key pairs into key files" },
	{ "node", node_main, "An enterprise: submit its knowledge stock, or run the node daemon" },
	{ "task", task_main, "Create, show or verify a signed task (collection round)" },
	{ "aggregator", aggregator_main, "Run an aggregator daemon, or show its status" },
	{ "collect", collect_main, "Close a round early, as its authority" },
	{ "audit", audit_main, "Check a round's publication offline, from its files" },
	{ "vdaf-check", vdaf_check_main, "Run draft-irtf-cfrg-vdaf-20 test-vector files" },
	{ "bench", bench_main, "Time the Prio3 phases (bench prio3)" },
	{ "version", version_main, "Print the version of spillguard" },
};

#define N_SUBCOMMANDS (sizeof subcommands / sizeof subcommands[0])

static void usage(FILE *f)
{
	fprintf(f, "Usage: %s <command> [<args>]\n", SG_PROG_NAME);
	fprintf(f, "       %s --help | --version\n\n", SG_PROG_NAME);
	fprintf(f, "Privacy-preserving industry benchmarks with Prio3.\n\n");
	fprintf(f, "Commands:\n");
	for (size_t i = 0; i < N_SUBCOMMANDS; i++)
		fprintf(f, "  %-12s %s\n", subcommands[i].name, subcommands[i].description);
	fprintf(f, "\nRun '%s <command> --help' for the options of a command.\n", SG_PROG_NAME);
}

int version_main(int argc, char **argv)
{
	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		printf("Usage: %s %s\n\nPrints the version of spillguard.\n", SG_PROG_NAME, argv[0]);
		return 0;
	}
	if (argc > 1) {
		fprintf(stderr, "%s %s: unexpected argument '%s'\n", SG_PROG_NAME, argv[0], argv[1]);
		return 2;
	}
	printf("%s %s\n", SG_PROG_NAME, SG_VERSION);
	return 0;
}

/* Output that could not be written (a full disk, a closed pipe) is an error. */
static int flush_stdout(int ret)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "%s: writing to standard output failed: %s\n", SG_PROG_NAME,
			strerror(errno));
		return 2;
	}
	return ret;
}

static int dispatch(int argc, char **argv)
{
	const char *cmd = argv[1];

	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
		if (argc > 2) {
			fprintf(stderr, "%s: '%s' takes no arguments; run '%s <command> --help'\n",
				SG_PROG_NAME, cmd, SG_PROG_NAME);
			return 2;
		}
		usage(stdout);
		return 0;
	}
	if (strcmp(cmd, "--version") == 0)
		return version_main(argc - 1, argv + 1);
	for (size_t i = 0; i < N_SUBCOMMANDS; i++)
		if (strcmp(cmd, subcommands[i].name) == 0)
			return subcommands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "%s: unknown %s '%s'; run '%s --help' for the list of commands\n",
		SG_PROG_NAME, cmd[0] == '-' ? "option" : "command", cmd, SG_PROG_NAME);
	return 2;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	return flush_stdout(dispatch(argc, argv));
}
