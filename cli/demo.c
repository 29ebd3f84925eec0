/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spillguard demo: a whole round on loopback, as a new user's first look -
 * keys, a signed task, aggregator daemons (this program, run as
 * `aggregator` child processes), enterprises submitting generated knowledge
 * stocks, the authority's collect order, the publication, and the published
 * TSK/ISK checked against the plaintext the demo generated.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "core/fixed.h"
#include "edge/pubdir.h"
#include "edge/node.h"
#include "opts.h"
#include "protocol/collect.h"
#include "subcommands.h"
#include "world.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s demo [--enterprises N] [--aggregators A] [--categories L]\n"
		"                  [--industries K] [--out DIR]\n\n"
		"Runs a whole collection round on this machine (127.0.0.1 only): keys for an\n"
		"authority, A aggregators and N enterprises; a signed task with L knowledge\n"
		"categories and K industries; A aggregator daemons; N enterprise submissions\n"
		"of generated knowledge stocks; the authority's collect order; the\n"
		"publication. Then prints each industry's TSK and the ISK beside the values\n"
		"computed from the plaintext, and says whether they match.\n\n"
		"  --enterprises N  default 60 (at least K x 3)\n"
		"  --aggregators A  default 3 (2 to %d)\n"
		"  --categories L   default 5 (1 to 1000)\n"
		"  --industries K   default 3 (1 to 50)\n"
		"  --out DIR        keep everything in DIR (created; must not exist): the task\n"
		"                   at DIR/task.sgt, the publication at DIR/published/, each\n"
		"                   daemon's store and log in DIR/agg-J/. Without it a\n"
		"                   temporary folder is used and removed.\n\n"
		"Exit status: 0 published and equal to the plaintext, 1 a difference,\n"
		"2 usage or system error.\n",
		SG_PROG_NAME, CLI_WORLD_MAX_AGG);
}

/* --- the round ---------------------------------------------------------------- */

static int submit_all(cli_world *d)
{
	size_t l = (size_t)d->l, cap = 64 + l * 96;
	char *csv = malloc(cap);
	if (csv == NULL) {
		fprintf(stderr, "%s demo: out of memory\n", SG_PROG_NAME);
		return 2;
	}
	int ret = 0;
	for (long i = 0; ret == 0 && i < d->n; i++) {
		size_t len = (size_t)snprintf(csv, cap, "category,value\n");
		for (size_t c = 0; c < l; c++) {
			char v[32];
			sg_fixed_format(v, sizeof v, d->eek[(size_t)i * l + c], d->decimals[c]);
			len += (size_t)snprintf(csv + len, cap - len, "category-%zu,%s\n", c + 1, v);
		}
		sg_node_result res;
		char name[48];
		snprintf(name, sizeof name, "enterprise-%ld.csv", i + 1);
		const sg_node_send_opts how = { .timeout_ms = 10000, .attempts = 5 };
		ret = sg_node_submit(&res, d->task, d->ent_sk[i], csv, len, name, (uint64_t)time(NULL),
				     &how);
		if (ret == 0 && res.outcome != SG_NODE_ACCEPTED) {
			fprintf(stderr, "%s demo: enterprise %ld: %s\n", SG_PROG_NAME, i + 1, res.message);
			ret = SG_ERR_STATE;
		}
		sg_node_result_free(&res);
		if (ret == 0 && ((i + 1) % 20 == 0 || i + 1 == d->n))
			printf("  %ld of %ld enterprises submitted (each got a signed receipt)\n", i + 1,
			       d->n);
		fflush(stdout);
		if (ret == 0)
			ret = cli_world_alive(d);
	}
	free(csv);
	return ret == 0 ? 0 : 2;
}


/* Prints the table; returns how many figures differ from the plaintext. */
static long check(const cli_world *d)
{
	size_t l = (size_t)d->l;
	long bad = 0;
	sg_u128 *isk = calloc(l, sizeof *isk);
	if (isk == NULL)
		return -1;
	printf("\n%-12s %4s  %-13s %20s %20s\n", "industry", "J", "category", "TSK published",
	       "TSK plaintext");
	for (long k = 0; k < d->k; k++) {
		char name[48], label[48];
		uint64_t count = 0;
		sg_pub_industry_file(name, (uint32_t)(k + 1), SG_PUB_AGGREGATE);
		snprintf(label, sizeof label, "industry-%ld", k + 1);
		for (long i = k; i < d->n; i += d->k)
			count++;
		sg_wire_budget *b = NULL;
		Spillguard__PublishedAggregate *pa =
			cli_world_read_pb(d, name, &spillguard__published_aggregate__descriptor, &b);
		if (pa == NULL || pa->report_count != count || pa->n_sum != l || pa->n_tsk != l) {
			printf("%s: %s\n", label, pa ? "published with another count" :
								  "not published");
			bad++;
			sg_wire_release(pa ? &pa->base : NULL, b);
			continue;
		}
		for (size_t c = 0; c < l; c++) {
			uint64_t sum = 0;
			sg_u128 tsk;
			char want[SG_FIXED_TEXT_BYTES];
			for (long i = k; i < d->n; i += d->k)
				sum += d->eek[(size_t)i * l + c];
			unsigned dec = d->decimals[c] + SG_TSK_EXTRA_DECIMALS;
			if (sg_fixed_ratio(&tsk, sum, count, SG_TSK_EXTRA_DECIMALS) != 0)
				tsk = 0;
			isk[c] += tsk;
			sg_fixed_format(want, sizeof want, tsk, dec);
			bool same = pa->sum[c] == sum && strcmp(pa->tsk[c], want) == 0;
			bad += !same;
			printf("%-12s %4llu  category-%-4zu %20s %20s%s\n", c == 0 ? label : "",
			       (unsigned long long)count, c + 1, pa->tsk[c], want,
			       same ? "" : "   DIFFERENT");
		}
		sg_wire_release(&pa->base, b);
	}
	sg_wire_budget *b = NULL;
	Spillguard__IskSummary *s = cli_world_read_pb(d, SG_PUB_ISK, &spillguard__isk_summary__descriptor, &b);
	printf("\n%-31s %20s %20s\n", "ISK (sum of TSK over industries)", "published", "plaintext");
	for (size_t c = 0; c < l; c++) {
		char want[SG_FIXED_TEXT_BYTES];
		sg_fixed_format(want, sizeof want, isk[c], d->decimals[c] + SG_TSK_EXTRA_DECIMALS);
		bool same = s != NULL && s->n_isk == l && strcmp(s->isk[c], want) == 0;
		bad += !same;
		printf("  category-%-21zu %20s %20s%s\n", c + 1, s && c < s->n_isk ? s->isk[c] : "-",
		       want, same ? "" : "   DIFFERENT");
	}
	sg_wire_release(s ? &s->base : NULL, b);
	free(isk);
	return bad;
}

static int run(int argc, char **argv)
{
	const char *n = NULL, *a = NULL, *l = NULL, *k = NULL, *out = NULL;
	const cli_opt opts[] = { { "enterprises", &n, NULL }, { "aggregators", &a, NULL },
				 { "categories", &l, NULL },  { "industries", &k, NULL },
				 { "out", &out, NULL },	      { NULL, NULL, NULL } };
	cli_world d = { 0 };
	int status = cli_opts_parse("demo", opts, argc, argv, 1);
	if (status != 0)
		return status;
	d.a = cli_number(a, 3, 2, CLI_WORLD_MAX_AGG, "aggregators");
	d.l = cli_number(l, 5, 1, 1000, "categories");
	d.k = cli_number(k, 3, 1, 50, "industries");
	d.n = d.k > 0 ? cli_number(n, 60, 3 * d.k, 10000, "enterprises") : -1;
	if (d.a < 0 || d.l < 0 || d.k < 0 || d.n < 0)
		return 2;
	if (cli_world_dir(&d, out, "demo") != 0)
		return 2;
	printf("spillguard demo: %ld enterprises, %ld industries, %ld categories, %ld aggregators\n",
	       d.n, d.k, d.l, d.a);
	printf("  folder %s\n", d.dir);
	status = cli_world_keys(&d);
	if (status == 0)
		status = cli_world_data(&d, false);
	if (status == 0)
		status = cli_world_task(&d, 3);
	if (status == 0) {
		printf("  keys and a signed task (task.sgt); starting %ld aggregator daemons\n", d.a);
		status = cli_world_start(&d);
	}
	if (status == 0)
		status = submit_all(&d);
	if (status == 0) {
		printf("  the authority orders collection; waiting for the publication\n");
		status = cli_world_collect(&d);
	}
	cli_world_stop(&d);
	if (status == 0) {
		long bad = check(&d);
		if (bad == 0)
			printf("\nThe published TSK and ISK match the plaintext exactly.\n");
		else
			printf("\n%ld published figures DIFFER from the plaintext.\n", bad);
		status = bad == 0 ? 0 : 1;
	}
	if (d.keep)
		printf("Kept: task %s/task.sgt, publication %s/published/\n", d.dir, d.dir);
	cli_world_free(&d);
	return status;
}

int demo_main(int argc, char **argv)
{
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return 0;
	}
	if (sodium_init() < 0) {
		fprintf(stderr, "%s demo: libsodium failed to initialise\n", SG_PROG_NAME);
		return 2;
	}
	return run(argc, argv);
}
