/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SG_CLI_SUBCOMMANDS_H
#define SG_CLI_SUBCOMMANDS_H

/*
 * One entry point per subcommand, one file per subcommand (cli/<name>.c),
 * each listed in the table in cli/main.c. argv[0] is the subcommand's name;
 * the return value is the exit status: 0 success, 1 a negative verdict
 * (something did not verify), 2 usage or system error.
 */

#include <stdio.h>

#define SG_PROG_NAME "spillguard"

int aggregator_main(int argc, char **argv);
int audit_main(int argc, char **argv);
/* spillguard node report (cli/node_report.c): argv[0] is "report". */
int node_report_main(int argc, char **argv);
void node_report_usage(FILE *f);
/* The audit of publication folder dir (task: NULL for the one beside it),
 * with the checks of each receipt given, and the results written to the
 * files out names (out may be NULL): the exit status. */
typedef struct cli_audit_out {
	const char *json, *csv, *html; /* result files, or NULL */
	const char *previous_log;      /* an earlier log to check against, or NULL */
} cli_audit_out;
int cli_audit_run(const char *dir, const char *task, const char *authority_pk,
		  const char *const *receipts, size_t n_receipts, const cli_audit_out *out);
int bench_main(int argc, char **argv);
int bench_round_main(int argc, char **argv);
int collect_main(int argc, char **argv);
int demo_main(int argc, char **argv);
int keygen_main(int argc, char **argv);
int task_main(int argc, char **argv);
int node_main(int argc, char **argv);
int vdaf_check_main(int argc, char **argv);
int version_main(int argc, char **argv);

#endif
