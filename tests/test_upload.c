/* SPDX-License-Identifier: Apache-2.0 */
/* The upload exchange: the leader's checks, durable store and signed
 * receipt, and the enterprise's reading of the reply. */
#define _DEFAULT_SOURCE /* mkdtemp */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <sodium.h>

#include "common.h"
#include "protocol/upload.h"
#include "spillguard/err.h"

typedef struct rig {
	sg_test_world w;
	sg_prio3 *p;
	sg_store *store;
	sg_leader leader;
	char dir[64], path[128];
} rig;

static void rig_init(rig *r)
{
	char err[256];
	sg_test_world_init(&r->w, 2, 4, 4);
	cr_assert_eq(sg_task_prio3(&r->p, r->w.task), 0);
	snprintf(r->dir, sizeof r->dir, "/tmp/sg-upload-XXXXXX");
	cr_assert_not_null(mkdtemp(r->dir));
	snprintf(r->path, sizeof r->path, "%s/leader.db", r->dir);
	cr_assert_eq(sg_store_open(&r->store, r->path, r->w.task->id, err, sizeof err), 0, "%s", err);
	r->leader = (sg_leader){ r->w.task, r->p, r->store, r->w.agg_hpke_sk[0], r->w.agg_sign_sk[0],
				 r->w.verify_key };
}

static void rig_free(rig *r)
{
	char cmd[128];
	sg_store_close(r->store);
	sg_prio3_free(r->p);
	sg_test_world_free(&r->w);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", r->dir);
	cr_assert_eq(system(cmd), 0);
}

static uint8_t *report_of(rig *r, unsigned ent, size_t *len, uint8_t id[16])
{
	uint64_t eek[4] = { 1, 2, 3, 4 };
	uint8_t *out;
	cr_assert_eq(sg_report_build(&out, len, id, r->w.task, r->w.ent_id[ent], r->w.ent_sk[ent], eek,
				     4, 1500), 0);
	return out;
}

static enum sg_reject upload(rig *r, const uint8_t *rep, size_t len, uint64_t now, uint8_t **reply,
			     size_t *reply_len)
{
	enum sg_reject rej;
	cr_assert_eq(sg_leader_upload(&r->leader, reply, reply_len, &rej, rep, len, now), 0);
	return rej;
}

Test(upload, receipt_is_durable_idempotent_and_checked_by_the_node)
{
	rig r;
	rig_init(&r);
	uint8_t id[16], *rep, *reply, *reply2, *receipt;
	size_t len, rl, rl2, receipt_len;
	enum sg_reject rej;
	char msg[200];
	rep = report_of(&r, 0, &len, id);
	cr_assert_eq(upload(&r, rep, len, 1500, &reply, &rl), SG_REJECT_NONE);
	cr_assert_eq(sg_node_read_reply(&receipt, &receipt_len, &rej, r.w.task, id, reply, rl, msg,
					sizeof msg), 0, "%s", msg);
	cr_assert_gt(receipt_len, 0);
	/* kept and read back: the report and the industry it counts in */
	uint8_t got[16];
	uint32_t industry = 0;
	cr_assert_eq(sg_receipt_open(got, &industry, r.w.task, receipt, receipt_len, msg, sizeof msg),
		     0, "%s", msg);
	cr_assert_arr_eq(got, id, 16);
	cr_assert_eq(industry, r.w.task->body->roster[0]->industry);
	receipt[receipt_len - 3] ^= 1; /* in the signature */
	cr_assert_eq(sg_receipt_open(got, &industry, r.w.task, receipt, receipt_len, msg, sizeof msg),
		     SG_ERR_VERIFY);
	cr_assert(strstr(msg, "not signed by the task's leader") != NULL, "%s", msg);
	cr_assert_eq(industry, 0);
	/* resending later returns the very same receipt */
	cr_assert_eq(upload(&r, rep, len, 1700, &reply2, &rl2), SG_REJECT_NONE);
	cr_assert_eq(rl2, rl);
	cr_assert_arr_eq(reply2, reply, rl);
	/* the node does not take a receipt for another report */
	uint8_t other[16] = { 0 };
	free(receipt);
	cr_assert_eq(sg_node_read_reply(&receipt, &receipt_len, &rej, r.w.task, other, reply, rl, msg,
					sizeof msg), SG_ERR_VERIFY);
	cr_assert(strstr(msg, "another report") != NULL, "%s", msg);
	/* stored: a reopened store counts it */
	uint64_t all, ind;
	sg_store_close(r.store);
	char err[256];
	cr_assert_eq(sg_store_open(&r.store, r.path, r.w.task->id, err, sizeof err), 0);
	r.leader.store = r.store;
	cr_assert_eq(sg_store_count_reports(r.store, &all, 1, &ind), 0);
	cr_assert_eq(all, 1);
	free(rep);
	free(reply);
	free(reply2);
	rig_free(&r);
}

static void expect_refusal(rig *r, const uint8_t *rep, size_t len, uint64_t now,
			   enum sg_reject want, const uint8_t *id)
{
	uint8_t *reply, *receipt;
	size_t rl, receipt_len;
	enum sg_reject rej;
	char msg[200];
	cr_assert_eq(upload(r, rep, len, now, &reply, &rl), want);
	cr_assert_eq(sg_node_read_reply(&receipt, &receipt_len, &rej, r->w.task, id, reply, rl, msg,
					sizeof msg), SG_ERR_VERIFY);
	cr_assert_eq(rej, want);
	cr_assert(strstr(msg, sg_reject_message(want)) != NULL, "%s", msg);
	cr_assert_null(receipt);
	free(reply);
}

Test(upload, refusals_reach_the_node_with_their_code_and_change_nothing)
{
	rig r;
	rig_init(&r);
	uint8_t id[16], id2[16], *rep, *rep2, *reply;
	size_t len, len2, rl;
	rep = report_of(&r, 1, &len, id);
	cr_assert_eq(upload(&r, rep, len, 1500, &reply, &rl), SG_REJECT_NONE);
	free(reply);
	/* a second report from the same enterprise */
	rep2 = report_of(&r, 1, &len2, id2);
	expect_refusal(&r, rep2, len2, 1500, SG_REJECT_DUPLICATE, id2);
	/* outside the window, malformed bytes, a bad signature */
	free(rep2);
	rep2 = report_of(&r, 2, &len2, id2);
	expect_refusal(&r, rep2, len2, 2500, SG_REJECT_OUTSIDE_WINDOW, id2);
	uint8_t junk[5] = { 1, 2, 3, 4, 5 };
	expect_refusal(&r, junk, sizeof junk, 1500, SG_REJECT_MALFORMED, id2);
	/* the signature's bytes sit near the end of the report's body field;
	 * flipping a byte in the middle of the report breaks body or signature */
	rep2[len2 / 3] ^= 0x01;
	uint8_t *reply2;
	size_t rl2;
	enum sg_reject got = upload(&r, rep2, len2, 1500, &reply2, &rl2);
	cr_assert_neq(got, SG_REJECT_NONE);
	free(reply2);
	uint64_t all, ind;
	cr_assert_eq(sg_store_count_reports(r.store, &all, 1, &ind), 0);
	cr_assert_eq(all, 1, "only the accepted report is stored");
	free(rep);
	free(rep2);
	rig_free(&r);
}

/* A report of enterprise ent, signed as sent, whose leader share is sealed
 * to aggregator 1's key (misaddressed: only the leader's opening fails), or
 * else opens but holds a field element above the modulus. */
static uint8_t *crafted_report(rig *r, unsigned ent, size_t *len, uint8_t id[16],
			       bool misaddressed)
{
	uint64_t eek[4] = { 1, 2, 3, 4 };
	uint8_t *pub = malloc(sg_prio3_public_share_bytes(r->p) + 1), *in[2], *out;
	for (unsigned j = 0; j < 2; j++)
		in[j] = malloc(sg_prio3_input_share_bytes(r->p, j));
	randombytes_buf(id, 16);
	cr_assert_eq(sg_prio3_shard_random(r->p, pub, in, r->w.task->id, sizeof r->w.task->id, eek,
					   4, id), 0);
	Spillguard__ReportMetadata meta = SPILLGUARD__REPORT_METADATA__INIT;
	meta.task_id = (ProtobufCBinaryData){ 32, r->w.task->id };
	meta.report_id = (ProtobufCBinaryData){ 16, id };
	meta.enterprise_id = r->w.ent_id[ent];
	meta.industry = r->w.task->body->roster[ent]->industry;
	meta.time = 1500;
	const uint8_t *pks[2] = { r->w.agg_hpke_pk[misaddressed ? 1 : 0], r->w.agg_hpke_pk[1] };
	if (!misaddressed)
		memset(in[0], 0xff, 16);
	cr_assert_eq(sg_report_assemble(&out, len, r->w.task, r->p, &meta, pub,
					(const uint8_t *const *)in, pks, r->w.ent_sk[ent]), 0);
	for (unsigned j = 0; j < 2; j++)
		free(in[j]);
	free(pub);
	return out;
}

Test(upload, replays_and_second_reports_are_named_before_the_share_is_opened)
{
	rig r;
	rig_init(&r);
	uint8_t id[16], id2[16], *rep, *bad, *reply;
	size_t len, bad_len, rl;
	rep = report_of(&r, 1, &len, id);
	cr_assert_eq(upload(&r, rep, len, 1500, &reply, &rl), SG_REJECT_NONE);
	free(reply);
	/* DESIGN.md §5: replay and one-report-per-enterprise come before the
	 * leader's share is opened */
	bad = crafted_report(&r, 1, &bad_len, id2, true);
	expect_refusal(&r, bad, bad_len, 1500, SG_REJECT_DUPLICATE, id2);
	free(bad);
	/* an enterprise without a report: the opening is what fails */
	bad = crafted_report(&r, 2, &bad_len, id2, true);
	expect_refusal(&r, bad, bad_len, 1500, SG_REJECT_UNDECRYPTABLE, id2);
	free(bad);
	/* the identical resend still gets the first receipt */
	uint8_t *again;
	size_t again_len;
	cr_assert_eq(upload(&r, rep, len, 1600, &again, &again_len), SG_REJECT_NONE);
	free(again);
	free(rep);
	rig_free(&r);
}

/* The leader prepares its share on upload and keeps that preparation in
 * its place: the stored report is the upload but for the leader's
 * ciphertext (body, signature and the helpers' shares as sent), and what
 * is kept is the leader's verifier share and state for this report. */
Test(upload, the_leader_keeps_its_preparation_in_place_of_its_share)
{
	rig r;
	rig_init(&r);
	uint8_t id[16], *rep, *reply, *stored, *kept;
	size_t len, rl, stored_len, kept_len;
	rep = report_of(&r, 0, &len, id);
	cr_assert_eq(upload(&r, rep, len, 1500, &reply, &rl), SG_REJECT_NONE);
	cr_assert_eq(sg_store_upload_get(r.store, id, &stored, &stored_len, &kept, &kept_len), 0);
	ProtobufCMessage *m, *ms;
	sg_wire_budget *b, *bs;
	cr_assert_eq(sg_wire_unpack(&m, &b, &spillguard__report__descriptor, rep, len), 0);
	cr_assert_eq(sg_wire_unpack(&ms, &bs, &spillguard__report__descriptor, stored, stored_len),
		     0);
	Spillguard__Report *a = (Spillguard__Report *)m, *s = (Spillguard__Report *)ms;
	cr_assert_eq(s->body.len, a->body.len);
	cr_assert_arr_eq(s->body.data, a->body.data, a->body.len);
	cr_assert_arr_eq(s->signature.data, a->signature.data, a->signature.len);
	cr_assert_eq(s->n_shares, 2);
	cr_assert_arr_eq(s->shares[0]->enc.data, a->shares[0]->enc.data, a->shares[0]->enc.len);
	cr_assert_eq(s->shares[0]->ciphertext.len, 0, "the leader's ciphertext is not kept");
	cr_assert_eq(s->shares[1]->ciphertext.len, a->shares[1]->ciphertext.len);
	cr_assert_arr_eq(s->shares[1]->ciphertext.data, a->shares[1]->ciphertext.data,
			 a->shares[1]->ciphertext.len);
	/* kept: what preparing the whole report gives */
	sg_report_view v;
	uint8_t *want = malloc(sg_leader_kept_bytes(r.p));
	sg_party leader = { r.w.task, r.p, 0, r.w.agg_hpke_sk[0], r.w.verify_key };
	cr_assert_eq(sg_report_check(&v, r.w.task, r.p, 0, a->body.data, a->body.len,
				     a->signature.data, a->signature.len, a->shares[0]->enc.data,
				     a->shares[0]->enc.len, a->shares[0]->ciphertext.data,
				     a->shares[0]->ciphertext.len), SG_REJECT_NONE);
	cr_assert_eq(sg_leader_prepare_kept(want, &leader, &v, a->shares[0]), SG_REJECT_NONE);
	cr_assert_eq(kept_len, sg_leader_kept_bytes(r.p));
	cr_assert_arr_eq(kept, want, kept_len);
	sg_report_view_free(&v);
	sg_wire_release(m, b);
	sg_wire_release(ms, bs);
	free(want);
	free(stored);
	free(kept);
	free(reply);
	free(rep);
	rig_free(&r);
}

/* A share that opens but does not decode cannot be prepared: refused on
 * upload (the proof cannot be checked), nothing stored. */
Test(upload, a_leader_share_that_does_not_decode_is_refused_on_upload)
{
	rig r;
	rig_init(&r);
	uint8_t id[16];
	size_t len;
	uint8_t *bad = crafted_report(&r, 3, &len, id, false);
	expect_refusal(&r, bad, len, 1500, SG_REJECT_INVALID, id);
	uint64_t all, ind;
	cr_assert_eq(sg_store_count_reports(r.store, &all, 1, &ind), 0);
	cr_assert_eq(all, 0);
	free(bad);
	rig_free(&r);
}

/* Uploads that arrive together are checked each and stored in one
 * transaction: each gets the reply it would get alone, in turn. */
Test(upload, uploads_arriving_together_each_get_their_own_reply)
{
	rig r;
	rig_init(&r);
	uint8_t ida[16], idb[16], ida2[16], *a, *b, *a2, *receipt;
	size_t la, lb, la2, receipt_len;
	uint8_t junk[3] = { 9, 9, 9 };
	a = report_of(&r, 0, &la, ida);
	a2 = report_of(&r, 0, &la2, ida2); /* a second report of the same enterprise */
	b = report_of(&r, 1, &lb, idb);
	sg_upload u[5] = {
		{ a, la, NULL, 0, 0 }, { a, la, NULL, 0, 0 }, { a2, la2, NULL, 0, 0 },
		{ junk, sizeof junk, NULL, 0, 0 }, { b, lb, NULL, 0, 0 },
	};
	cr_assert_eq(sg_leader_upload_batch(&r.leader, u, 5, 1500), 0);
	enum sg_reject want[5] = { SG_REJECT_NONE, SG_REJECT_NONE, SG_REJECT_DUPLICATE,
				   SG_REJECT_MALFORMED, SG_REJECT_NONE };
	const uint8_t *ids[5] = { ida, ida, ida2, ida2, idb };
	for (int i = 0; i < 5; i++) {
		enum sg_reject rej;
		char msg[200];
		cr_assert_eq(u[i].reject, want[i], "upload %d: %d", i, u[i].reject);
		int ret = sg_node_read_reply(&receipt, &receipt_len, &rej, r.w.task, ids[i], u[i].reply,
					     u[i].reply_len, msg, sizeof msg);
		cr_assert_eq(ret, want[i] == SG_REJECT_NONE ? 0 : SG_ERR_VERIFY, "upload %d: %s", i, msg);
		if (want[i] != SG_REJECT_NONE)
			cr_assert_eq(rej, want[i], "upload %d", i);
		free(receipt);
	}
	cr_assert_eq(u[1].reply_len, u[0].reply_len);
	cr_assert_arr_eq(u[1].reply, u[0].reply, u[0].reply_len, "the resend gets the same receipt");
	uint64_t all, ind;
	cr_assert_eq(sg_store_count_reports(r.store, &all, 1, &ind), 0);
	cr_assert_eq(all, 2);
	for (int i = 0; i < 5; i++)
		free(u[i].reply);
	free(a);
	free(a2);
	free(b);
	rig_free(&r);
}
