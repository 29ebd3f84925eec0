/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SG_EDGE_NODE_RUN_H
#define SG_EDGE_NODE_RUN_H

/*
 * The enterprise's daemon (spillguard node run). Each pass reads the task
 * files (*.sgt, in name order) of a folder and submits this enterprise's
 * report once to every task that is open (opens_at <= now <= closes_at),
 * keeping what happened in a state folder, one file per outcome:
 *
 *   <task id hex>.report   the report as first built from the CSV, written
 *                          atomically and synced (mode 0600) before it is
 *                          first sent. From then on, across restarts, those
 *                          very bytes (same report id) are what is sent,
 *                          until the leader answers; the CSV is not read
 *                          again for that task.
 *   <task id hex>.receipt  the leader's signed receipt (0644): done.
 *   <task id hex>.refused  one line, "CODE sentence", when the leader
 *                          refused the report (an Error with a reject
 *                          code): done, never sent again.
 *
 *   <task id hex>.counted      with published_dir: the publication proves the
 *   <task id hex>.not-counted  receipt's report counted (or does not: the
 *                              failed check, also logged as event=NOT-COUNTED);
 *   <task id hex>.withheld     its industry was withheld (below min_batch).
 *
 * A task with a receipt or a refusal is never sent to again. A task that
 * closes before any reply is left alone (its .report file stays). A task
 * file that does not open or verify, or whose roster lacks this key, is
 * skipped; such events are logged once per file content, so a daemon does
 * not repeat itself every pass. A CSV that does not read is logged every
 * pass and nothing is sent: the next pass reads it again.
 *
 * Logging is one line per event, `event=NAME key=value ...` (values with
 * spaces are double-quoted), through the log callback; lines name tasks,
 * report ids and files, never key bytes or the CSV's values.
 */
#include <signal.h>
#include <stdint.h>

#include "edge/node.h"
#include "spillguard/export.h"

#define SG_NODE_RUN_ATTEMPTS_ONCE 5 /* sends per task in a pass, for `--once` */
#define SG_NODE_RUN_ATTEMPTS 8	    /* ... and for a daemon: pauses reach 30 s */

typedef struct sg_node_run_config {
	const char *tasks_dir;
	const char *state_dir;	   /* created (0700) when it does not exist */
	const char *csv_path;	   /* the EEK, read when a report is first built */
	const char *published_dir; /* NULL, or where rounds are published: DIR/<task id hex>/
				      is a round's publication folder, checked once it is
				      there for the report a receipt acknowledged */
	const uint8_t *sign_sk;	   /* the enterprise's Ed25519 key, 64 bytes; kept by the caller */
	const uint8_t *authority_pk; /* 32 bytes: tasks must be signed by it; NULL: any authority */
	int timeout_ms;		   /* wait for each reply */
	unsigned attempts;	   /* sends per task in one pass, >= 1 (sg_node_send_opts) */
	void (*log)(void *ctx, const char *line); /* NULL: quiet */
	void *log_ctx;
	const volatile sig_atomic_t *stop; /* non-zero: finish up; NULL only for single passes */
	uint64_t (*clock)(void); /* seconds since the epoch for sg_node_run_loop; NULL: time() */
} sg_node_run_config;

/* What one pass found; every task file counts once. */
typedef struct sg_node_tally {
	unsigned accepted;   /* receipts received in this pass */
	unsigned refused;    /* refusals received in this pass */
	unsigned done;	     /* already a receipt or a refusal from before */
	unsigned unanswered; /* open, sent, no valid reply: sent again next pass */
	unsigned errors;     /* task files that do not open, a bad CSV, state not written */
	unsigned skipped;    /* key not in the roster, task not open now */
} sg_node_tally;

typedef struct sg_node_runner sg_node_runner;

/*
 * A runner for cfg (copied; the strings and keys it points to must outlive
 * the runner). Creates the state folder if missing. Returns 0; SG_ERR_IO
 * when the tasks folder cannot be read or the state folder made, with err
 * naming the folder; SG_ERR_NOMEM. *out is NULL on failure.
 */
SG_MUST_CHECK int sg_node_runner_new(sg_node_runner **out, const sg_node_run_config *cfg,
				     char *err, size_t err_len);
/* Frees *r (which may be NULL) and sets it to NULL. */
void sg_node_runner_free(sg_node_runner **r);

/* One pass over the task files at time now (seconds since the epoch). Stops
 * early, between tasks and between attempts, once *cfg.stop is set. */
void sg_node_run_pass(sg_node_runner *r, sg_node_tally *tally, uint64_t now);

/* Passes every interval_s seconds (>= 1) until *cfg.stop is set (a
 * non-NULL stop is required); a report already stored stays for the next
 * start. Logs event=started and event=stopped. */
void sg_node_run_loop(sg_node_runner *r, unsigned interval_s);

/* The exit status of a single pass: 2 when anything failed or went
 * unanswered, else 1 when a report was refused in it, else 0. */
int sg_node_tally_status(const sg_node_tally *tally);

#endif
