/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reports from the enterprise's side to each aggregator's checks, and every
 * refusal of DESIGN.md §5 with its own code.
 */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <sodium.h>

#include "common.h"
#include "protocol/report.h"
#include "spillguard/err.h"
#include "wire/codec.h"

typedef struct rep {
	uint8_t *bytes;
	size_t len;
	uint8_t id[SG_REPORT_ID_BYTES];
	Spillguard__Report *r;
	sg_wire_budget *budget;
} rep;

static void make_report_at(rep *x, sg_test_world *w, unsigned ent, const uint64_t *eek,
			   uint64_t time)
{
	ProtobufCMessage *m;
	cr_assert_eq(sg_report_build(&x->bytes, &x->len, x->id, w->task, w->ent_id[ent], w->ent_sk[ent],
				     eek, w->ncat, time), 0);
	cr_assert_eq(sg_wire_unpack(&m, &x->budget, &spillguard__report__descriptor, x->bytes, x->len), 0);
	x->r = (Spillguard__Report *)m;
}

static void make_report(rep *x, sg_test_world *w, unsigned ent, const uint64_t *eek)
{
	make_report_at(x, w, ent, eek, 1500);
}

static void rep_free(rep *x)
{
	sg_wire_release(&x->r->base, x->budget);
	free(x->bytes);
}

/* The check of aggregator agg, with its own sealed share (or share `use`). */
static enum sg_reject check(sg_report_view *v, sg_test_world *w, sg_prio3 *p, const rep *x,
			    unsigned agg, unsigned use)
{
	const Spillguard__SealedShare *s = x->r->shares[use];
	return sg_report_check(v, w->task, p, agg, x->r->body.data, x->r->body.len,
			       x->r->signature.data, x->r->signature.len, s->enc.data, s->enc.len,
			       s->ciphertext.data, s->ciphertext.len);
}

Test(report, every_aggregator_opens_its_share_and_the_sum_is_exact)
{
	sg_test_world w;
	sg_test_world_init(&w, 3, 2, 5);
	sg_prio3 *p;
	cr_assert_eq(sg_task_prio3(&p, w.task), 0);
	uint64_t eek[5] = { 0, 1, 65535, 1234, 42 };
	rep x;
	make_report(&x, &w, 1, eek);
	uint8_t *in[3], *vs[3], msg[32];
	size_t vs_len[3];
	sg_prio3_state *st[3];
	sg_prio3_agg *agg[3];
	for (unsigned j = 0; j < 3; j++) {
		sg_report_view v;
		cr_assert_eq(check(&v, &w, p, &x, j, j), SG_REJECT_NONE, "aggregator %u", j);
		cr_assert_str_eq(v.meta->enterprise_id, "ent-1");
		cr_assert_eq(v.meta->industry, 2);
		cr_assert_eq(v.roster_index, 1);
		in[j] = malloc(sg_prio3_input_share_bytes(p, j));
		const Spillguard__SealedShare *s = x.r->shares[j];
		cr_assert_eq(sg_report_open_share(in[j], &v, w.task, p, j, w.agg_hpke_sk[j], s->enc.data,
						  s->enc.len, s->ciphertext.data, s->ciphertext.len),
			     SG_REJECT_NONE);
		vs_len[j] = sg_prio3_verifier_share_bytes(p);
		vs[j] = malloc(vs_len[j]);
		cr_assert_eq(sg_prio3_state_new(p, &st[j]), 0);
		cr_assert_eq(sg_prio3_agg_new(p, &agg[j]), 0);
		uint8_t vk[32] = { 7 };
		cr_assert_eq(sg_prio3_verify_init(p, st[j], vs[j], vk, w.task->id, 32, j, x.id,
						  v.body->public_share.data, v.body->public_share.len,
						  in[j], sg_prio3_input_share_bytes(p, j)), 0);
		sg_report_view_free(&v);
	}
	cr_assert_eq(sg_prio3_verifier_shares_to_message(p, msg, w.task->id, 32,
							 (const uint8_t *const *)vs, vs_len), 0);
	uint8_t *enc[3];
	size_t lens[3];
	for (unsigned j = 0; j < 3; j++) {
		cr_assert_eq(sg_prio3_verify_next(p, st[j], msg, sg_prio3_verifier_message_bytes(p)), 0);
		cr_assert_eq(sg_prio3_aggregate(p, agg[j], st[j]), 0);
		lens[j] = sg_prio3_out_share_bytes(p);
		enc[j] = malloc(lens[j]);
		sg_prio3_agg_encode(p, enc[j], agg[j]);
	}
	uint64_t sum[5];
	cr_assert_eq(sg_prio3_unshard(p, sum, 5, (const uint8_t *const *)enc, lens, 1), 0);
	cr_assert_arr_eq(sum, eek, sizeof eek);
	for (unsigned j = 0; j < 3; j++) {
		free(in[j]);
		free(vs[j]);
		free(enc[j]);
		sg_prio3_state_free(st[j]);
		sg_prio3_agg_free(agg[j]);
	}
	rep_free(&x);
	sg_prio3_free(p);
	sg_test_world_free(&w);
}

Test(report, build_refuses_what_it_must_not_send)
{
	sg_test_world w;
	sg_test_world_init(&w, 2, 2, 3);
	uint8_t *out, id[16];
	size_t len;
	uint64_t eek[3] = { 1, 2, 3 }, over[3] = { 1, 65536, 3 };
	cr_assert_eq(sg_report_build(&out, &len, id, w.task, "ent-9", w.ent_sk[0], eek, 3, 1500),
		     SG_ERR_PARAM, "not in the roster");
	cr_assert_eq(sg_report_build(&out, &len, id, w.task, "ent-0", w.ent_sk[1], eek, 3, 1500),
		     SG_ERR_PARAM, "another enterprise's key");
	cr_assert_eq(sg_report_build(&out, &len, id, w.task, "ent-0", w.ent_sk[0], over, 3, 1500),
		     SG_ERR_MEASUREMENT);
	cr_assert_eq(sg_report_build(&out, &len, id, w.task, "ent-0", w.ent_sk[0], eek, 2, 1500),
		     SG_ERR_MEASUREMENT);
	cr_assert_null(out);
	sg_test_world_free(&w);
}

/* Re-signs a changed body with the given key, as an attacker could. */
static void forge(rep *x, void (*change)(Spillguard__ReportMetadata *), const uint8_t *sk)
{
	ProtobufCMessage *m;
	sg_wire_budget *b;
	cr_assert_eq(sg_wire_unpack(&m, &b, &spillguard__report_body__descriptor, x->r->body.data,
				    x->r->body.len), 0);
	Spillguard__ReportBody *body = (Spillguard__ReportBody *)m;
	Spillguard__ReportMetadata saved = *body->metadata;
	change(body->metadata);
	size_t n = spillguard__report_body__get_packed_size(body);
	uint8_t *nb = malloc(n), *msg = malloc(n + 32);
	spillguard__report_body__pack(body, nb);
	*body->metadata = saved; /* the decoder owns what it allocated */
	size_t ctx = sizeof SG_REPORT_SIG_CONTEXT - 1;
	memcpy(msg, SG_REPORT_SIG_CONTEXT, ctx);
	memcpy(msg + ctx, nb, n);
	crypto_sign_detached(x->r->signature.data, NULL, msg, ctx + n, sk);
	x->r->body.data = nb; /* leaks into the test's lifetime: freed below */
	x->r->body.len = n;
	free(msg);
	sg_wire_release(m, b);
}

static void to_stranger(Spillguard__ReportMetadata *m) { m->enterprise_id = "ent-99"; }
static void to_other_industry(Spillguard__ReportMetadata *m) { m->industry = 1; }

Test(report, each_refusal_has_its_own_code)
{
	sg_test_world w;
	sg_test_world_init(&w, 2, 4, 3);
	sg_prio3 *p;
	cr_assert_eq(sg_task_prio3(&p, w.task), 0);
	uint64_t eek[3] = { 5, 6, 7 };
	sg_report_view v;
	rep x;
	make_report(&x, &w, 1, eek);

	/* window: a report dated before it opens or after it closes, at every
	 * aggregator (the leader also refuses uploads while the task is shut) */
	uint64_t at[2] = { 999, 2001 };
	for (size_t i = 0; i < 2; i++) {
		rep late;
		make_report_at(&late, &w, 2, eek, at[i]);
		for (unsigned agg = 0; agg < 2; agg++)
			cr_assert_eq(check(&v, &w, p, &late, agg, agg), SG_REJECT_OUTSIDE_WINDOW);
		cr_assert_null(v.body);
		rep_free(&late);
	}
	/* a share sealed for another aggregator, or moved between slots */
	cr_assert_eq(check(&v, &w, p, &x, 0, 1), SG_REJECT_MALFORMED, "helper share has another size");
	cr_assert_eq(check(&v, &w, p, &x, 1, 0), SG_REJECT_MALFORMED);
	/* a bad signature */
	x.r->signature.data[5] ^= 1;
	cr_assert_eq(check(&v, &w, p, &x, 0, 0), SG_REJECT_BAD_SIGNATURE);
	x.r->signature.data[5] ^= 1;
	/* the same share bytes changed after signing */
	x.r->shares[0]->ciphertext.data[0] ^= 1;
	cr_assert_eq(check(&v, &w, p, &x, 0, 0), SG_REJECT_SHARE_MISMATCH);
	x.r->shares[0]->ciphertext.data[0] ^= 1;
	/* a garbage body */
	uint8_t junk[8] = { 0xff, 1, 2, 3, 4, 5, 6, 7 };
	cr_assert_eq(sg_report_check(&v, w.task, p, 0, junk, sizeof junk, x.r->signature.data, 64,
				     x.r->shares[0]->enc.data, 32, x.r->shares[0]->ciphertext.data,
				     x.r->shares[0]->ciphertext.len),
		     SG_REJECT_MALFORMED);
	/* another task with the same parties */
	sg_test_world w2;
	sg_test_world_init(&w2, 2, 4, 3);
	cr_assert_eq(sg_report_check(&v, w2.task, p, 0, x.r->body.data, x.r->body.len,
				     x.r->signature.data, 64, x.r->shares[0]->enc.data, 32,
				     x.r->shares[0]->ciphertext.data, x.r->shares[0]->ciphertext.len),
		     SG_REJECT_TASK_UNKNOWN);
	/* the right share, opened with the wrong aggregator's key */
	cr_assert_eq(check(&v, &w, p, &x, 0, 0), SG_REJECT_NONE);
	uint8_t *in = malloc(sg_prio3_input_share_bytes(p, 0));
	cr_assert_eq(sg_report_open_share(in, &v, w.task, p, 0, w.agg_hpke_sk[1], x.r->shares[0]->enc.data,
					  32, x.r->shares[0]->ciphertext.data,
					  x.r->shares[0]->ciphertext.len),
		     SG_REJECT_UNDECRYPTABLE);
	sg_report_view_free(&v);
	free(in);
	/* forged metadata: an unregistered enterprise, a wrong industry */
	uint8_t *orig = x.r->body.data;
	size_t orig_len = x.r->body.len;
	uint8_t stranger_pk[32], stranger_sk[64];
	crypto_sign_keypair(stranger_pk, stranger_sk);
	forge(&x, to_stranger, stranger_sk);
	cr_assert_eq(check(&v, &w, p, &x, 0, 0), SG_REJECT_NOT_IN_ROSTER);
	free(x.r->body.data);
	x.r->body.data = orig;
	x.r->body.len = orig_len;
	forge(&x, to_other_industry, w.ent_sk[1]);
	cr_assert_eq(check(&v, &w, p, &x, 0, 0), SG_REJECT_WRONG_INDUSTRY);
	free(x.r->body.data);
	x.r->body.data = orig;
	x.r->body.len = orig_len;
	/* a genuine body re-signed by the leader (not the enterprise) */
	forge(&x, to_other_industry, w.agg_sign_sk[0]);
	cr_assert_eq(check(&v, &w, p, &x, 0, 0), SG_REJECT_WRONG_INDUSTRY);
	free(x.r->body.data);
	x.r->body.data = orig;
	x.r->body.len = orig_len;
	cr_assert_str_eq(sg_reject_message(SG_REJECT_DUPLICATE),
			 "the enterprise has already submitted a report for this task");
	rep_free(&x);
	sg_prio3_free(p);
	sg_test_world_free(&w);
	sg_test_world_free(&w2);
}

/* A stored report checked again: not its signature (checked on receipt),
 * but still its task, roster entry and sizes. */
Test(report, recheck_skips_only_the_signature)
{
	sg_test_world w, w2;
	sg_test_world_init(&w, 2, 4, 3);
	sg_test_world_init(&w2, 2, 4, 3);
	sg_prio3 *p;
	cr_assert_eq(sg_task_prio3(&p, w.task), 0);
	uint64_t eek[3] = { 5, 6, 7 };
	sg_report_view v;
	rep x;
	make_report(&x, &w, 1, eek);
	const Spillguard__SealedShare *s = x.r->shares[0];
	x.r->signature.data[3] ^= 1;
	cr_assert_eq(check(&v, &w, p, &x, 0, 0), SG_REJECT_BAD_SIGNATURE);
	cr_assert_eq(sg_report_recheck(&v, w.task, p, 0, x.r->body.data, x.r->body.len, s->enc.data,
				       s->enc.len, s->ciphertext.data, s->ciphertext.len),
		     SG_REJECT_NONE);
	cr_assert_str_eq(v.meta->enterprise_id, w.ent_id[1]);
	sg_report_view_free(&v);
	cr_assert_eq(sg_report_recheck(&v, w2.task, p, 0, x.r->body.data, x.r->body.len,
				       s->enc.data, s->enc.len, s->ciphertext.data, s->ciphertext.len),
		     SG_REJECT_TASK_UNKNOWN);
	cr_assert_eq(sg_report_recheck(&v, w.task, p, 0, x.r->body.data, x.r->body.len, s->enc.data,
				       s->enc.len, s->ciphertext.data, s->ciphertext.len - 1),
		     SG_REJECT_MALFORMED);
	cr_assert_null(v.body);
	rep_free(&x);
	sg_prio3_free(p);
	sg_test_world_free(&w);
	sg_test_world_free(&w2);
}
