/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SG_EDGE_PUBLICATION_H
#define SG_EDGE_PUBLICATION_H

/*
 * The publication directory a leader writes after a round (DESIGN.md §5),
 * in the layout of edge/pubdir.h: each published industry's aggregate, its
 * view and report set; the ISK summary and its view; the RoundOutcome and
 * its view round.json (every industry: published with J_k, or withheld and
 * why, without its count); and last the log that records them all.
 *
 * Each file is written beside its name, synced and renamed over it, so a
 * reader never sees half a file; the directory is created (0755) when
 * missing. Writing the same round again gives the same files.
 */
#include <stddef.h>

#include "core/task.h"
#include "edge/leader_jobs.h"

SG_MUST_CHECK int sg_publication_write(const char *dir, const sg_task *t,
				       const sg_round_result *r, char *err, size_t err_len);

/* The JSON views alone (malloc'd text), for `show` commands and tests.
 * SG_ERR_PARSE when the bytes are not such a message of task t. */
SG_MUST_CHECK int sg_published_json(char **out, size_t *len, const sg_task *t,
				    const uint8_t *published, size_t published_len);
SG_MUST_CHECK int sg_isk_json(char **out, size_t *len, const sg_task *t, const uint8_t *isk,
			      size_t isk_len);

#endif
