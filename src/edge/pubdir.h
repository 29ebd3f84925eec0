/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SG_EDGE_PUBDIR_H
#define SG_EDGE_PUBDIR_H

/*
 * The publication folder's layout, named here and nowhere else
 * (docs/publication.md), and reading one back for the audit, the node and
 * anyone who checks a report:
 *
 *   log.pb                   the round's log: the record, signed by every
 *                            aggregator (protocol/log.h)
 *   round.pb, round.json     the RoundOutcome and its view
 *   isk.pb, isk.json         the ISK summary and its view
 *   industry-<id>.pb         a published industry's aggregate
 *   industry-<id>.json       its view
 *   industry-<id>.reports.pb its report set
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol/audit.h"

#define SG_PUB_LOG "log.pb"
#define SG_PUB_OUTCOME "round.pb"
#define SG_PUB_OUTCOME_JSON "round.json"
#define SG_PUB_ISK "isk.pb"
#define SG_PUB_ISK_JSON "isk.json"

enum sg_pub_kind {
	SG_PUB_AGGREGATE, /* industry-<id>.pb */
	SG_PUB_VIEW,      /* industry-<id>.json */
	SG_PUB_REPORTS,   /* industry-<id>.reports.pb */
};

#define SG_PUB_NAME_BYTES 48

/* The file name of one industry's file of that kind. */
void sg_pub_industry_file(char out[static SG_PUB_NAME_BYTES], uint32_t industry,
			  enum sg_pub_kind kind);

/* Largest file read back: no published file of a task comes near it. */
#define SG_PUB_MAX_FILE_BYTES ((size_t)64 << 20)

/* A folder's files, read whole (absent ones NULL), and every
 * industry-<id>.* name found in it. */
typedef struct sg_pubdir {
	sg_audit_files files;
	/* private */
	sg_audit_industry_files *industries;
	uint8_t *blobs[5];
} sg_pubdir;

/* Reads dir. 0; SG_ERR_IO (err: which file or the folder, and why);
 * SG_ERR_LENGTH for a file over SG_PUB_MAX_FILE_BYTES; SG_ERR_NOMEM. A
 * missing folder is SG_ERR_IO; missing files are left NULL for the audit
 * to report. */
SG_MUST_CHECK int sg_pubdir_read(sg_pubdir *p, const char *dir, char *err, size_t err_len);
void sg_pubdir_free(sg_pubdir *p);

#endif
