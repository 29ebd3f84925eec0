/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SG_TESTS_TOOLS_RELOG_H
#define SG_TESTS_TOOLS_RELOG_H

/*
 * Test tools only: a round's log made again over its leaves as they are
 * now, at a later time, and signed with every aggregator's key
 * KEYDIR/agg-J/sign.sk (a demo's folder keeps them): what a publisher
 * would publish if every aggregator co-signed whatever it asked. Static
 * functions: each tool includes this header.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/signed.h"
#include "core/task.h"
#include "protocol/log.h"
#include "spillguard.pb-c.h"
#include "spillguard/keys.h"

static inline int relog_sign(Spillguard__Log *lg, const char *keydir)
{
	Spillguard__TreeHeadBody *hb =
		spillguard__tree_head_body__unpack(NULL, lg->head->body.len, lg->head->body.data);
	size_t n = lg->n_leaves, nsig = lg->head->n_signatures, body_len = 0;
	const uint8_t **leaves = calloc(n + 1, sizeof *leaves);
	size_t *lens = calloc(n + 1, sizeof *lens);
	uint8_t *body = NULL;
	int ret = hb && leaves && lens ? 0 : 2;
	for (size_t i = 0; ret == 0 && i < n; i++) {
		leaves[i] = lg->leaves[i].data;
		lens[i] = lg->leaves[i].len;
	}
	/* sg_log_head_body needs a task only for its id: a stand-in with it */
	sg_task t = { 0 };
	if (ret == 0 && hb->task_id.len == sizeof t.id)
		memcpy(t.id, hb->task_id.data, sizeof t.id);
	if (ret == 0 && sg_log_head_body(&body, &body_len, &t, leaves, lens, n, hb->timestamp + 1))
		ret = 2;
	for (size_t j = 0; ret == 0 && j < nsig; j++) {
		char path[8300], err[300] = "";
		sg_key *k = NULL;
		snprintf(path, sizeof path, "%s/agg-%zu/sign.sk", keydir, j);
		if (sg_key_load_secret(&k, path, SG_KEY_SIGN, err, sizeof err) != 0 ||
		    lg->head->signatures[j]->signature.len != 64 ||
		    sg_sign_labeled(lg->head->signatures[j]->signature.data,
				    SG_TREE_HEAD_SIG_CONTEXT, body, body_len, sg_key_secret(k)) != 0) {
			fprintf(stderr, "relog: %s\n", err);
			ret = 2;
		}
		sg_key_free(k);
	}
	if (ret == 0) {
		free(lg->head->body.data);
		lg->head->body = (ProtobufCBinaryData){ body_len, body };
		body = NULL;
	}
	free(body);
	free(leaves);
	free(lens);
	if (hb != NULL)
		spillguard__tree_head_body__free_unpacked(hb, NULL);
	return ret;
}

/* Leaf i of lg becomes a copy of (data, len). */
static inline int relog_replace(Spillguard__Log *lg, size_t i, const uint8_t *data, size_t len)
{
	uint8_t *copy = malloc(len + 1);
	if (copy == NULL || i >= lg->n_leaves) {
		free(copy);
		return 2;
	}
	memcpy(copy, data, len);
	free(lg->leaves[i].data);
	lg->leaves[i] = (ProtobufCBinaryData){ len, copy };
	return 0;
}

static inline int relog_pack(Spillguard__Log *lg, uint8_t **out, size_t *out_len)
{
	*out_len = spillguard__log__get_packed_size(lg);
	*out = malloc(*out_len + 1);
	if (*out != NULL)
		spillguard__log__pack(lg, *out);
	return *out ? 0 : 2;
}

#endif
