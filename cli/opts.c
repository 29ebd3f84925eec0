/* SPDX-License-Identifier: Apache-2.0 */
#define _POSIX_C_SOURCE 200809L /* sigaction */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opts.h"
#include "spillguard/keys.h"
#include "subcommands.h"
#include "util/file.h"

#define MAX_TASK_BYTES ((size_t)16 << 20)
#define MAX_CONFIG_BYTES ((size_t)64 << 10)

static const cli_opt *find(const cli_opt *opts, const char *name, size_t len)
{
	for (; opts->name != NULL; opts++)
		if (strlen(opts->name) == len && strncmp(opts->name, name, len) == 0)
			return opts;
	return NULL;
}

int cli_opts_parse(const char *cmd, const cli_opt *opts, int argc, char **argv, int first)
{
	for (int i = first; i < argc; i++) {
		const char *a = argv[i];
		const cli_opt *o = strncmp(a, "--", 2) == 0 ? find(opts, a + 2, strlen(a + 2)) : NULL;
		if (o == NULL) {
			fprintf(stderr, "%s %s: unexpected argument '%s' (see --help)\n", SG_PROG_NAME,
				cmd, a);
			return 2;
		}
		if (o->flag != NULL) {
			if (*o->flag) {
				fprintf(stderr, "%s %s: %s given twice\n", SG_PROG_NAME, cmd, a);
				return 2;
			}
			*o->flag = true;
			continue;
		}
		if (*o->value != NULL || i + 1 >= argc) {
			fprintf(stderr, "%s %s: %s %s\n", SG_PROG_NAME, cmd, a,
				*o->value ? "given twice" : "needs a value");
			return 2;
		}
		*o->value = argv[++i];
	}
	return 0;
}

static char *trim(char *s, char *end)
{
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		end--;
	*end = '\0';
	return s;
}

int cli_config_read(const char *cmd, const cli_opt *opts, const char *path, char **text)
{
	char err[300];
	size_t len, line = 0;
	if (sg_file_read(text, &len, path, MAX_CONFIG_BYTES, err, sizeof err) != 0) {
		fprintf(stderr, "%s %s: %s\n", SG_PROG_NAME, cmd, err);
		return 2;
	}
	for (char *p = *text, *next; p != NULL && *p != '\0'; p = next) {
		char *nl = strchr(p, '\n');
		next = nl ? nl + 1 : NULL;
		char *end = nl ? nl : p + strlen(p);
		line++;
		char *s = trim(p, end);
		if (*s == '\0' || *s == '#')
			continue;
		char *eq = strchr(s, '=');
		const cli_opt *o = NULL;
		if (eq != NULL) {
			char *name = trim(s, eq);
			o = find(opts, name, strlen(name));
		}
		if (o == NULL || o->value == NULL) {
			fprintf(stderr, "%s %s: %s:%zu: expected 'name = value' with a name of the "
					"options (see --help)\n",
				SG_PROG_NAME, cmd, path, line);
			return 2;
		}
		char *value = trim(eq + 1, end);
		if (*o->value == NULL) /* the command line wins */
			*o->value = value;
	}
	return 0;
}

int cli_task_load(const char *cmd, sg_task **t, const char *path, const char *authority_pk_path)
{
	char err[512];
	char *bytes = NULL;
	size_t len;
	sg_key *auth = NULL;
	*t = NULL;
	int ret = sg_file_read(&bytes, &len, path, MAX_TASK_BYTES, err, sizeof err);
	if (ret == 0 && authority_pk_path != NULL)
		ret = sg_key_load_public(&auth, authority_pk_path, SG_KEY_SIGN, err, sizeof err);
	if (ret == 0) {
		ret = sg_task_open(t, (const uint8_t *)bytes, len, auth ? sg_key_public(auth) : NULL,
				   err, sizeof err);
		if (ret != 0) {
			size_t n = strlen(err);
			snprintf(err + n, sizeof err - n, " (%s)", path);
		}
	}
	if (ret != 0)
		fprintf(stderr, "%s %s: %s\n", SG_PROG_NAME, cmd, err);
	free(bytes);
	sg_key_free(auth);
	return ret == 0 ? 0 : 2;
}

static volatile sig_atomic_t *stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	*stop_flag = 1;
}

void cli_stop_on_signals(volatile sig_atomic_t *flag)
{
	struct sigaction sa;
	stop_flag = flag;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}
