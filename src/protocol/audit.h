/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SG_PROTOCOL_AUDIT_H
#define SG_PROTOCOL_AUDIT_H

/*
 * The offline audit of a round's publication (DESIGN.md §6), from bytes
 * only: anyone with the task and the published files re-checks what the
 * leader published, trusting none of the aggregators and none of the
 * publisher's code (the arithmetic is the audit's own: audit_figures.h).
 *
 * The round's log is the record. Its head is signed by every aggregator
 * over its leaves, which are, in this order:
 *
 *   the signed task;
 *   each published industry's aggregate, in the task's industry order, each
 *   industry once: J_k >= min_batch and at most its roster, one share per
 *   aggregator signed by it for this batch, S_k = the shares added up,
 *   TSK_k = S_k / J_k by the publication's rule;
 *   the RoundOutcome: exactly those industries published, every other
 *   industry of the task withheld (fewer enterprises than min_batch);
 *   the ISK summary over exactly the published industries, each figure the
 *   sum of their TSK_k.
 *
 * What an industry is comes from its signed aggregate, never from a file
 * name; what was withheld, only from the signed outcome. Every file of the
 * folder (the .pb copies, the report sets, the JSON views) must agree with
 * the log: a missing one, a changed one, one of another task or of an
 * industry the record does not publish is a failed check.
 *
 * Every check is reported through `say` as it is made; the functions
 * return how many failed, or a negative sg_err when memory ran out.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/task.h"

typedef void (*sg_audit_say)(void *ctx, bool ok, const char *check);

/* A file's bytes; data NULL when the file is absent. */
typedef struct sg_audit_file {
	const uint8_t *data;
	size_t len;
} sg_audit_file;

/* The files of one industry-<id>.* name found in the folder. */
typedef struct sg_audit_industry_files {
	uint32_t id; /* as the file names say */
	sg_audit_file pb, json, reports;
} sg_audit_industry_files;

/* A publication folder's files (edge/pubdir.h reads them). */
typedef struct sg_audit_files {
	sg_audit_file log, outcome, outcome_json, isk, isk_json;
	const sg_audit_industry_files *industries; /* every id found, any order */
	size_t n_industries;
} sg_audit_files;

/* What the audit found, for the figures it writes out and for receipts:
 * per industry of the task (task order), its aggregate as the log holds it
 * (pointing into the log's bytes) or NULL, and, when withheld by the
 * signed record, why (a collect refusal; 0 otherwise). */
typedef struct sg_audit_found {
	size_t n;
	const uint8_t **aggregate;
	size_t *aggregate_len;
	uint32_t *withheld;
	const uint8_t *isk; /* the ISK summary leaf, or NULL */
	size_t isk_len;
	bool record; /* the log verified and its leaves are a round's record */
	/* private */
	void *log;
} sg_audit_found;

void sg_audit_found_free(sg_audit_found *f);

/* The whole publication: the log (head, signatures, leaves as above) and
 * every file against it. `found` is filled even when checks fail (free it
 * with sg_audit_found_free). */
SG_MUST_CHECK int sg_audit_publication(const sg_task *t, const sg_audit_files *files,
				       sg_audit_found *found, sg_audit_say say, void *ctx);

/* One PublishedAggregate on its own (named `name` in the lines): this
 * task's, J_k at least min_batch and at most the industry's roster, every
 * aggregator's signed share of this batch, S_k and TSK_k. */
SG_MUST_CHECK int sg_audit_aggregate(const sg_task *t, const uint8_t *pub, size_t len,
				     const char *name, sg_audit_say say, void *ctx);

/* The log's leaves as a round's record (above), named after the task's
 * industries. The checks a helper makes before it signs a head, and the
 * audit after. */
SG_MUST_CHECK int sg_audit_leaves(const sg_task *t, const uint8_t *const *leaves,
				  const size_t *lens, size_t n, sg_audit_say say, void *ctx);

/* The ReportSet beside a published aggregate: this task's and industry's,
 * J_k ids ascending, whose RFC 9162 root is the aggregate's. */
SG_MUST_CHECK int sg_audit_report_set(const sg_task *t, const uint8_t *pub, size_t pub_len,
				      const uint8_t *set, size_t set_len, const char *name,
				      sg_audit_say say, void *ctx);

/* A report was counted: report_id is in the ReportSet, shown by an RFC 9162
 * inclusion proof against the aggregate's report_set_root. */
SG_MUST_CHECK int sg_audit_counted(const sg_task *t, const uint8_t report_id[16],
				   const uint8_t *pub, size_t pub_len, const uint8_t *set,
				   size_t set_len, const char *name, sg_audit_say say, void *ctx);

/* An enterprise's receipt against an audited publication: signed by the
 * task's leader; then, by the signed record, its industry withheld (an ok
 * line saying so), or its report counted in the published aggregate. */
SG_MUST_CHECK int sg_audit_receipt(const sg_task *t, const sg_audit_files *files,
				   const sg_audit_found *found, const uint8_t *receipt,
				   size_t receipt_len, const char *name, sg_audit_say say,
				   void *ctx);

/* What a publication says of one report, the one answer to "was it
 * counted" for the audit, the node and its report. */
enum sg_audit_fate {
	SG_FATE_COUNTED,     /* in its industry's published report set */
	SG_FATE_NOT_COUNTED, /* its industry was published without it */
	SG_FATE_WITHHELD,    /* its industry withheld, by the signed outcome */
	SG_FATE_UNVERIFIED,  /* the publication or the receipt does not verify */
};

/*
 * The fate of the receipt's report, from a publication that passes every
 * check of sg_audit_publication (else SG_FATE_UNVERIFIED); why gets the
 * first failed check, or the counted line. found (free it with
 * sg_audit_found_free) holds the record, e.g. the report's industry's
 * aggregate. 0, or SG_ERR_NOMEM.
 */
SG_MUST_CHECK int sg_audit_fate(enum sg_audit_fate *fate, sg_audit_found *found, char *why,
				size_t why_len, const sg_task *t, const sg_audit_files *files,
				const uint8_t *receipt, size_t receipt_len);

/* An earlier head of the same log (old, a packed Log published before):
 * signed by every aggregator, and the current log extends it, by an
 * RFC 9162 consistency proof between the two signed roots. */
SG_MUST_CHECK int sg_audit_log_consistency(const sg_task *t, const uint8_t *old, size_t old_len,
					   const uint8_t *log, size_t log_len, sg_audit_say say,
					   void *ctx);

/* The JSON views against the signed artefacts they show (audit_views.c):
 * an industry's view against its aggregate, isk.json against the ISK
 * summary, round.json against the outcome and the aggregates (found). */
SG_MUST_CHECK int sg_audit_view_industry(const sg_task *t, const uint8_t *pub, size_t pub_len,
					 const uint8_t *json, size_t json_len, const char *name,
					 sg_audit_say say, void *ctx);
SG_MUST_CHECK int sg_audit_view_isk(const sg_task *t, const uint8_t *isk, size_t isk_len,
				    const uint8_t *json, size_t json_len, sg_audit_say say,
				    void *ctx);
SG_MUST_CHECK int sg_audit_view_round(const sg_task *t, const sg_audit_found *found,
				      const uint8_t *json, size_t json_len, sg_audit_say say,
				      void *ctx);

#endif
