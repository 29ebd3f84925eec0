/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SG_EDGE_AGGREGATOR_H
#define SG_EDGE_AGGREGATOR_H

/*
 * One aggregator daemon (DESIGN.md §5, §8): the task, the aggregator's keys
 * and its store, served on one CURVE socket until told to stop. The role is
 * the aggregator's place in the task: 0 leads, the others help.
 *
 * Leader: the socket takes any client key (enterprises authenticate their
 * reports by signature; CURVE still encrypts). Uploads are checked, stored
 * and acknowledged (protocol/upload.h); the verification key is granted to
 * the helpers; stored uploads go into aggregation jobs of bounded size
 * whenever the socket is idle; once the round is closed - closes_at has
 * passed, or the authority sent a signed CollectNow - and everything
 * acknowledged is aggregated, every industry is collected and the round is
 * written to the publication folder. A CollectNow is answered with the
 * round's status, whoever sends it again.
 *
 * Helper: the socket admits only the task's aggregators' CURVE keys and only
 * the leader's requests are served (edge/peers.h).
 *
 * Everything the daemon acknowledges is in the store first, so it may be
 * killed at any point and started again: it resumes open jobs, collection
 * and publication where they were. Helpers away are waited for with growing
 * pauses, never given up on.
 *
 * Log lines are `event=NAME key=value ...` handed to the log function with
 * a level ("info", "warn", "error"); they never hold key bytes or shares.
 */
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "core/task.h"
#include "spillguard/keys.h"

#define SG_AGGD_JOB_SIZE 64        /* reports per aggregation job by default */
#define SG_AGGD_PEER_TIMEOUT_MS 10000

typedef void (*sg_log_fn)(void *ctx, const char *level, const char *line);

typedef struct sg_aggd_config {
	const sg_task *task;
	const sg_keyset *keys;      /* the aggregator's secret keys */
	const char *db_path;
	const char *listen;         /* NULL: the endpoint the task names for it */
	const char *publish_dir;    /* leader: where the round's files are written */
	const char *const *peers;   /* leader: helpers' endpoints by index (NULL, or
				       NULL entries: the task's) */
	size_t job_size;            /* 0: SG_AGGD_JOB_SIZE */
	int peer_timeout_ms;        /* 0: SG_AGGD_PEER_TIMEOUT_MS */
	sg_log_fn log;
	void *log_ctx;
} sg_aggd_config;

/*
 * The position in the task of the aggregator whose keys ks holds (all three
 * public keys must match one entry), or -1 with msg saying why.
 */
long sg_aggd_index(const sg_task *t, const sg_keyset *ks, char *msg, size_t msg_len);

/*
 * Runs the daemon until *stop is set (by a signal handler), then closes
 * everything and returns 0. A negative sg_err when it cannot start (err
 * says why: keys not in the task, store or socket) or the store fails
 * while running; nothing acknowledged is lost either way.
 */
SG_MUST_CHECK int sg_aggd_run(const sg_aggd_config *c, const volatile sig_atomic_t *stop,
			      char *err, size_t err_len);

#endif
