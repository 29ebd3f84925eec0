/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SG_CLI_OPTS_H
#define SG_CLI_OPTS_H

/*
 * What the newer subcommands share: "--name VALUE" options from a table,
 * "NAME = VALUE" config files with the same names, the task file opened
 * and checked, and signal handling for the daemons.
 */
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/task.h"

/* One option: "--name VALUE" into *value, or a flag "--name" into *flag
 * (value NULL). */
typedef struct cli_opt {
	const char *name; /* without the dashes */
	const char **value;
	bool *flag;
} cli_opt;

/* Parses argv[first..] against the table (NULL-named entry last). Each
 * option at most once; positional arguments are refused. Returns 0, or 2
 * after printing "spillguard CMD: ..." to stderr. */
int cli_opts_parse(const char *cmd, const cli_opt *opts, int argc, char **argv, int first);

/*
 * Reads a config file of "name = value" lines (blank lines and lines
 * starting with '#' ignored) into the options of the table not set on the
 * command line; a name the table does not have is an error naming the line.
 * The values point into *text, which the caller frees after use. Returns 0
 * or 2 after printing the error.
 */
int cli_config_read(const char *cmd, const cli_opt *opts, const char *path, char **text);

/* Opens and checks a task file (against authority_pk if not NULL); prints
 * "spillguard CMD: ..." and returns 2 on failure, else 0. */
int cli_task_load(const char *cmd, sg_task **t, const char *path, const char *authority_pk_path);

/* SIGTERM and SIGINT set *flag (no SA_RESTART, so waits return early);
 * SIGPIPE is ignored. */
void cli_stop_on_signals(volatile sig_atomic_t *flag);

#endif
