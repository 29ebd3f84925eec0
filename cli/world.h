/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SG_CLI_WORLD_H
#define SG_CLI_WORLD_H

/*
 * A whole round on this machine, for `demo` and `bench round`: a folder,
 * keys for an authority, aggregators and enterprises, generated knowledge
 * stocks, a signed task naming loopback endpoints, aggregator daemons (this
 * program run as `aggregator` child processes, each logging to
 * DIR/agg-J/daemon.log), and the authority's collect order. Functions
 * return 0, or 2 after printing what went wrong.
 */
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/task.h"
#include "spillguard/keys.h"
#include "wire/codec.h"

#define CLI_WORLD_MAX_AGG 5

typedef struct cli_world {
	long n, a, l, k;  /* enterprises, aggregators, categories, industries */
	size_t job_size;  /* passed to the leader; 0: its default */
	char dir[4096];
	bool keep;        /* the folder stays */
	sg_keyset auth, agg[CLI_WORLD_MAX_AGG];
	uint8_t (*ent_sk)[64];
	uint64_t *eek;    /* n x l, in units of 10^-decimals; enterprise i is in
			     industry i % k + 1 */
	unsigned *decimals;
	uint64_t *max;
	int port[CLI_WORLD_MAX_AGG];
	pid_t pid[CLI_WORLD_MAX_AGG];
	sg_task *task;
} cli_world;

/* --NAME's number, dflt when s is NULL; -1 after a message when out of
 * [lo, hi]. */
long cli_number(const char *s, long dflt, long lo, long hi, const char *name);

/* The folder: out (created, must not exist) or a new one under $TMPDIR
 * named after prefix, removed by cli_world_free. */
int cli_world_dir(cli_world *d, const char *out, const char *prefix);
int cli_world_keys(cli_world *d);
/* Generated stocks: uniform: every category up to 65535 with no decimals
 * (the benchmark's shape); else mixed maxima and decimals. */
int cli_world_data(cli_world *d, bool uniform);
int cli_world_task(cli_world *d, unsigned min_batch);
int cli_world_start(cli_world *d);
/* 2 (with a message) when a daemon has exited. */
int cli_world_alive(cli_world *d);
/* The authority's CollectNow, repeated until the round is published. */
int cli_world_collect(cli_world *d);
void cli_world_stop(cli_world *d);
/* A published file's message (NULL when absent or not that message). */
void *cli_world_read_pb(const cli_world *d, const char *name,
			const ProtobufCMessageDescriptor *desc, sg_wire_budget **b);
void cli_world_free(cli_world *d);

#endif
