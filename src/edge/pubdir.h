/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SG_EDGE_PUBDIR_H
#define SG_EDGE_PUBDIR_H

/*
 * Reading a publication folder back (its layout: protocol/layout.h) for
 * the audit, the node and anyone who checks a report.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol/audit.h"
#include "protocol/layout.h"

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
