/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spillguard keygen --role ROLE --out DIR [--name NAME] [--force]: one
 * party's key pairs into DIR, the public halves as JSON on stdout.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "spillguard/keys.h"
#include "subcommands.h"

#define ROLES "enterprise, aggregator or authority"

typedef struct opts {
	const char *role, *out, *name;
	bool force;
} opts;

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s keygen --role ROLE --out DIR [--name NAME] [--force]\n\n"
		"Generates the key pairs of one party and writes each half to its own file\n"
		"in DIR (see docs/keys.md):\n\n"
		"  enterprise   sign.sk sign.pk      Ed25519, signs the enterprise's reports\n"
		"  authority    sign.sk sign.pk      Ed25519, signs task definitions\n"
		"  aggregator   sign.sk sign.pk      Ed25519, signs attestations and tree heads\n"
		"               hpke.sk hpke.pk      X25519, opens the HPKE-sealed shares\n"
		"               curve.sk curve.pk    X25519, the ZeroMQ CURVE transport key\n\n"
		"Secret halves (.sk) get mode 0600 and public halves (.pk) 0644; DIR and any\n"
		"missing parent folders are created with mode 0700. Existing key files are\n"
		"left alone and nothing is written, unless --force is given (each file is\n"
		"then replaced in one step). Prints the public keys as a JSON object to\n"
		"paste into the task file: role, name, key_id (of the signing key), sign_pk\n"
		"and, for an aggregator, hpke_pk (base64) and curve_pk (Z85, as ZeroMQ\n"
		"takes it).\n\n"
		"Options:\n"
		"  --role ROLE   %s\n"
		"  --out DIR     folder for the key files\n"
		"  --name NAME   label written into the files and the JSON, e.g. the\n"
		"                operator or enterprise name: 1 to %d letters, digits,\n"
		"                '.', '_' or '-', starting with a letter or digit\n"
		"  --force       replace existing key files\n"
		"  -h, --help    show this help\n\n"
		"Exit status: 0 keys written, 2 usage or system error.\n",
		SG_PROG_NAME, ROLES, SG_KEY_NAME_MAX);
}

/* "spillguard keygen: <what><problem>" on stderr; the usage exit status. */
static int misuse(const char *what, const char *problem)
{
	fprintf(stderr, "%s keygen: %s%s\n", SG_PROG_NAME, what, problem);
	return 2;
}

/* The value of a --role/--out/--name at argv[*i], as "--opt VALUE" or
 * "--opt=VALUE"; NULL when a is another option. */
static const char **value_slot(opts *o, const char *a, const char **val, int argc, char **argv,
			       int *i)
{
	static const char *const names[] = { "--role", "--out", "--name" };
	const char **slots[] = { &o->role, &o->out, &o->name };

	for (size_t j = 0; j < sizeof names / sizeof names[0]; j++) {
		size_t n = strlen(names[j]);
		if (strncmp(a, names[j], n) != 0)
			continue;
		if (a[n] == '=') {
			*val = a + n + 1;
			return slots[j];
		}
		if (a[n] == '\0') {
			/* A following option is not taken as the value. */
			*val = *i + 1 < argc && argv[*i + 1][0] != '-' ? argv[++*i] : "";
			return slots[j];
		}
	}
	return NULL;
}

/* 0 to go on, 2 after a usage error, 1 after --help (exit 0). */
static int parse(opts *o, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *val = NULL, **slot;

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			if (argc != 2)
				return misuse(a, " takes no other arguments");
			usage(stdout);
			return 1;
		}
		if (strcmp(a, "--force") == 0) {
			if (o->force)
				return misuse(a, " given twice");
			o->force = true;
			continue;
		}
		if ((slot = value_slot(o, a, &val, argc, argv, &i)) == NULL) {
			fprintf(stderr, "%s keygen: %s '%s'; run '%s keygen --help'\n",
				SG_PROG_NAME, a[0] == '-' ? "unknown option" : "unexpected argument",
				a, SG_PROG_NAME);
			return 2;
		}
		if (*slot != NULL || val[0] == '\0') {
			fprintf(stderr, "%s keygen: %.*s %s\n", SG_PROG_NAME, (int)strcspn(a, "="), a,
				*slot != NULL ? "given twice" : "needs a value");
			return 2;
		}
		*slot = val;
	}
	if (o->role == NULL)
		return misuse("--role", " is required (" ROLES ")");
	if (o->out == NULL)
		return misuse("--out", " is required (the folder for the key files)");
	return 0;
}

int keygen_main(int argc, char **argv)
{
	opts o = { NULL, NULL, NULL, false };
	sg_keyset ks = { 0 };
	enum sg_key_role role;
	char err[1024], json[SG_KEYSET_JSON_MAX_BYTES];
	int ret, e;

	if ((ret = parse(&o, argc, argv)) != 0)
		return ret == 1 ? 0 : ret;
	ret = 2;
	if (sg_key_role_parse(&role, o.role) != 0) {
		fprintf(stderr, "%s keygen: unknown role '%s' (" ROLES ")\n", SG_PROG_NAME,
			o.role);
		goto cleanup;
	}
	if (o.name != NULL && !sg_key_name_valid(o.name)) {
		fprintf(stderr,
			"%s keygen: invalid name '%s' (1 to %d letters, digits, '.', '_' or '-', "
			"starting with a letter or digit)\n",
			SG_PROG_NAME, o.name, SG_KEY_NAME_MAX);
		goto cleanup;
	}
	e = sg_keyset_generate(&ks, role, o.name);
	if (e != 0) {
		fprintf(stderr, "%s keygen: cannot generate keys: %s\n", SG_PROG_NAME,
			sg_strerror(e));
		goto cleanup;
	}
	if ((e = sg_keyset_save(&ks, o.out, o.force, err, sizeof err)) != 0) {
		fprintf(stderr, "%s keygen: %s%s\n", SG_PROG_NAME, err,
			e == SG_ERR_EXISTS ? " (--force replaces the key files)" : "");
		goto cleanup;
	}
	sg_keyset_public_json(json, &ks);
	fputs(json, stdout);
	ret = 0;
cleanup:
	sg_keyset_free(&ks);
	return ret;
}
