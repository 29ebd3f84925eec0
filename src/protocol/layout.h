/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SG_PROTOCOL_LAYOUT_H
#define SG_PROTOCOL_LAYOUT_H

/*
 * The publication folder's file names (docs/publication.md), named here
 * and nowhere else: the writer (edge/publication.c), the reader
 * (edge/pubdir.c) and the audit's lines all use these.
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
#include <stdint.h>

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

/* Whether name is an industry's file: its id and kind. */
bool sg_pub_industry_parse(const char *name, uint32_t *industry, enum sg_pub_kind *kind);

#endif
