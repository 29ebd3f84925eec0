/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A whole aggregation job between a leader and two helpers, in memory:
 * the per-industry sums come out exact, and a report one helper refuses is
 * counted by no one.
 */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <sodium.h>

#include "common.h"
#include "core/fixed.h"
#include "protocol/aggregate.h"
#include "protocol/audit.h"
#include "protocol/collect.h"
#include "spillguard/err.h"
#include "wire/codec.h"

#define NAGG 3
#define NENT 8
#define NCAT 4

typedef struct net {
	sg_test_world w;
	sg_prio3 *p[NAGG];
	sg_party party[NAGG];
	uint8_t verify_key[32];
	sg_prio3_agg *aggs[NAGG][2];
	uint8_t *reports[NENT];
	size_t lens[NENT];
	uint64_t plain[2][NCAT];
} net;

static void net_init(net *n)
{
	sg_test_world_init(&n->w, NAGG, NENT, NCAT);
	randombytes_buf(n->verify_key, sizeof n->verify_key);
	for (unsigned j = 0; j < NAGG; j++) {
		cr_assert_eq(sg_task_prio3(&n->p[j], n->w.task), 0);
		n->party[j] = (sg_party){ n->w.task, n->p[j], j, n->w.agg_hpke_sk[j], n->verify_key };
		for (int k = 0; k < 2; k++)
			cr_assert_eq(sg_prio3_agg_new(n->p[j], &n->aggs[j][k]), 0);
	}
	memset(n->plain, 0, sizeof n->plain);
	for (unsigned i = 0; i < NENT; i++) {
		uint64_t eek[NCAT];
		uint8_t id[16];
		for (int c = 0; c < NCAT; c++)
			eek[c] = randombytes_uniform(65536);
		cr_assert_eq(sg_report_build(&n->reports[i], &n->lens[i], id, n->w.task, n->w.ent_id[i],
					     n->w.ent_sk[i], eek, NCAT, 1500), 0);
		if (i != 3) /* report 3 will be spoiled */
			for (int c = 0; c < NCAT; c++)
				n->plain[i % 2][c] += eek[c];
	}
}

static void net_free(net *n)
{
	for (unsigned j = 0; j < NAGG; j++) {
		for (int k = 0; k < 2; k++)
			sg_prio3_agg_free(n->aggs[j][k]);
		sg_prio3_free(n->p[j]);
	}
	for (unsigned i = 0; i < NENT; i++)
		free(n->reports[i]);
	sg_test_world_free(&n->w);
}

/* Flips a byte of helper 2's ciphertext inside report 3, after signing. */
static void spoil_helper_share(net *n)
{
	ProtobufCMessage *m;
	sg_wire_budget *b;
	cr_assert_eq(sg_wire_unpack(&m, &b, &spillguard__report__descriptor, n->reports[3], n->lens[3]), 0);
	Spillguard__Report *r = (Spillguard__Report *)m;
	r->shares[2]->ciphertext.data[7] ^= 0x40;
	size_t len = spillguard__report__get_packed_size(r);
	uint8_t *bytes = malloc(len);
	spillguard__report__pack(r, bytes);
	free(n->reports[3]);
	n->reports[3] = bytes;
	n->lens[3] = len;
	sg_wire_release(m, b);
}

Test(aggregate, a_job_sums_every_industry_exactly_and_drops_a_refused_report)
{
	net n;
	net_init(&n);
	spoil_helper_share(&n);
	sg_job lead, help[NAGG];
	uint8_t *init[NAGG], *resp[NAGG], *cont, *cresp[NAGG];
	size_t init_len[NAGG], resp_len[NAGG], cont_len, cresp_len[NAGG];
	cr_assert_eq(sg_leader_job_new(&lead, &n.party[0], (const uint8_t *const *)n.reports, n.lens, NULL, NULL,
				       NENT), 0);
	for (unsigned j = 1; j < NAGG; j++) {
		cr_assert_eq(sg_job_init_for(&init[j], &init_len[j], &lead, &n.party[0], j,
					     (const uint8_t *const *)n.reports, n.lens), 0);
		cr_assert_eq(sg_helper_job_init(&help[j], &resp[j], &resp_len[j], &n.party[j], NULL,
						 init[j], init_len[j]), 0);
	}
	cr_assert_eq(help[2].preps[3].reject, SG_REJECT_SHARE_MISMATCH);
	cr_assert_eq(help[1].preps[3].reject, SG_REJECT_NONE);
	cr_assert_eq(sg_job_combine(&lead, &n.party[0], (const uint8_t *const *)&resp[1], &resp_len[1]), 0);
	cr_assert_eq(lead.preps[3].reject, SG_REJECT_SHARE_MISMATCH, "got %d", lead.preps[3].reject);
	cr_assert_eq(sg_job_continue_msg(&cont, &cont_len, &lead, &n.party[0]), 0);
	for (unsigned j = 1; j < NAGG; j++)
		cr_assert_eq(sg_helper_job_continue(&help[j], &cresp[j], &cresp_len[j], &n.party[j], cont,
						    cont_len), 0);
	cr_assert_eq(help[1].preps[3].reject, SG_REJECT_INVALID, "helper 1 learns the leader refused it");
	cr_assert_eq(sg_job_settle(&lead, &n.party[0], (const uint8_t *const *)&cresp[1], &cresp_len[1]), 0);
	cr_assert_eq(sg_job_accumulate(&lead, &n.party[0], n.aggs[0]), 0);
	for (unsigned j = 1; j < NAGG; j++)
		cr_assert_eq(sg_job_accumulate(&help[j], &n.party[j], n.aggs[j]), 0);

	for (int k = 0; k < 2; k++) {
		uint8_t *enc[NAGG];
		size_t lens[NAGG];
		uint64_t sum[NCAT];
		for (unsigned j = 0; j < NAGG; j++) {
			lens[j] = sg_prio3_out_share_bytes(n.p[0]);
			enc[j] = malloc(lens[j]);
			sg_prio3_agg_encode(n.p[0], enc[j], n.aggs[j][k]);
		}
		cr_assert_eq(sg_prio3_unshard(n.p[0], sum, NCAT, (const uint8_t *const *)enc, lens, 4), 0);
		cr_assert_arr_eq(sum, n.plain[k], sizeof sum, "industry %d", k + 1);
		for (unsigned j = 0; j < NAGG; j++)
			free(enc[j]);
	}
	/* a reply for another job is refused and changes nothing */
	sg_job other;
	cr_assert_eq(sg_leader_job_new(&other, &n.party[0], (const uint8_t *const *)n.reports, n.lens, NULL, NULL,
				       2), 0);
	cr_assert_eq(sg_job_combine(&other, &n.party[0], (const uint8_t *const *)&resp[1], &resp_len[1]),
		     SG_ERR_PARSE);
	cr_assert_null(other.preps[0].message);
	sg_job_free(&other);
	for (unsigned j = 1; j < NAGG; j++) {
		free(init[j]);
		free(resp[j]);
		free(cresp[j]);
		sg_job_free(&help[j]);
	}
	free(cont);
	sg_job_free(&lead);
	net_free(&n);
}

static bool seen_ent1(void *ctx, const char *id)
{
	(void)ctx;
	return strcmp(id, "ent-1") == 0;
}

Test(aggregate, helpers_refuse_replays_and_second_reports)
{
	net n;
	net_init(&n);
	sg_job lead, help;
	uint8_t *init, *resp;
	size_t init_len, resp_len;
	sg_seen seen = { NULL, seen_ent1, NULL };
	/* the same report twice in one job, and one from an enterprise the
	 * helper already has */
	uint8_t *twice[3] = { n.reports[0], n.reports[0], n.reports[1] };
	size_t lens[3] = { n.lens[0], n.lens[0], n.lens[1] };
	cr_assert_eq(sg_leader_job_new(&lead, &n.party[0], (const uint8_t *const *)twice, lens, NULL, NULL, 3), 0);
	cr_assert_eq(sg_job_init_for(&init, &init_len, &lead, &n.party[0], 1,
				     (const uint8_t *const *)twice, lens), 0);
	cr_assert_eq(sg_helper_job_init(&help, &resp, &resp_len, &n.party[1], &seen, init, init_len), 0);
	cr_assert_eq(help.preps[0].reject, SG_REJECT_NONE);
	cr_assert_eq(help.preps[1].reject, SG_REJECT_REPLAYED);
	cr_assert_eq(help.preps[2].reject, SG_REJECT_DUPLICATE);
	/* a malformed request is refused */
	sg_job junk;
	uint8_t bytes[4] = { 1, 2, 3, 4 };
	uint8_t *r2;
	size_t r2_len;
	cr_assert_neq(sg_helper_job_init(&junk, &r2, &r2_len, &n.party[1], NULL, bytes, 4), 0);
	cr_assert_null(r2);
	free(init);
	free(resp);
	sg_job_free(&help);
	sg_job_free(&lead);
	net_free(&n);
}

/* The accepted report ids of one industry in a job, and their root. */
static size_t accepted_ids(const sg_job *job, uint32_t industry, uint8_t (*ids)[16])
{
	size_t k = 0;
	for (size_t i = 0; i < job->n; i++)
		if (job->preps[i].reject == SG_REJECT_NONE && job->preps[i].industry == industry)
			memcpy(ids[k++], job->preps[i].report_id, 16);
	return k;
}

static void audit_count(void *ctx, bool ok, const char *check)
{
	unsigned *seen = ctx;
	cr_assert(check[0] != '\0');
	seen[ok ? 0 : 1]++;
}

Test(aggregate, collect_releases_signed_shares_and_publishes_tsk)
{
	net n;
	net_init(&n);
	spoil_helper_share(&n);
	sg_job job[NAGG];
	uint8_t *init, *resp[NAGG], *cont, *cresp[NAGG];
	size_t init_len, resp_len[NAGG], cont_len, cresp_len[NAGG];
	cr_assert_eq(sg_leader_job_new(&job[0], &n.party[0], (const uint8_t *const *)n.reports, n.lens, NULL, NULL,
				       NENT), 0);
	for (unsigned j = 1; j < NAGG; j++) {
		cr_assert_eq(sg_job_init_for(&init, &init_len, &job[0], &n.party[0], j,
					     (const uint8_t *const *)n.reports, n.lens), 0);
		cr_assert_eq(sg_helper_job_init(&job[j], &resp[j], &resp_len[j], &n.party[j], NULL, init,
						init_len), 0);
		free(init);
	}
	cr_assert_eq(sg_job_combine(&job[0], &n.party[0], (const uint8_t *const *)&resp[1], &resp_len[1]), 0);
	cr_assert_eq(sg_job_continue_msg(&cont, &cont_len, &job[0], &n.party[0]), 0);
	for (unsigned j = 1; j < NAGG; j++)
		cr_assert_eq(sg_helper_job_continue(&job[j], &cresp[j], &cresp_len[j], &n.party[j], cont,
						    cont_len), 0);
	cr_assert_eq(sg_job_settle(&job[0], &n.party[0], (const uint8_t *const *)&cresp[1], &cresp_len[1]), 0);
	for (unsigned j = 0; j < NAGG; j++)
		cr_assert_eq(sg_job_accumulate(&job[j], &n.party[j], n.aggs[j]), 0);

	/* industry 2: enterprises 1, 3, 5, 7 less the spoiled report 3 */
	uint8_t ids[NAGG][NENT][16], root[NAGG][32], *shares[NAGG];
	size_t count[NAGG], share_len[NAGG];
	for (unsigned j = 0; j < NAGG; j++) {
		count[j] = accepted_ids(&job[j], 2, ids[j]);
		cr_assert_eq(sg_report_set_root(root[j], ids[j], count[j]), 0);
	}
	cr_assert_eq(count[0], 3);
	for (unsigned j = 0; j < NAGG; j++) {
		cr_assert_eq(count[j], count[0]);
		cr_assert_arr_eq(root[j], root[0], 32, "every aggregator derives the same set");
	}
	for (unsigned j = 0; j < NAGG; j++) {
		enum sg_collect_refusal why;
		cr_assert_eq(sg_collect_share(&shares[j], &share_len[j], &why, &n.party[j],
					      n.w.agg_sign_sk[j], 2, count[0], root[0], count[j],
					      root[j], false, n.aggs[j][1]), 0);
		cr_assert_eq(why, SG_COLLECT_OK);
	}
	uint8_t *pub;
	size_t pub_len;
	char msg[128] = "";
	cr_assert_eq(sg_publish_aggregate(&pub, &pub_len, &n.party[0], 2, count[0], root[0],
					  (const uint8_t *const *)shares, share_len, msg, sizeof msg), 0, "%s", msg);
	Spillguard__PublishedAggregate *pa = spillguard__published_aggregate__unpack(NULL, pub_len, pub);
	cr_assert_not_null(pa);
	cr_assert_eq(pa->report_count, 3);
	cr_assert_eq(pa->n_shares, NAGG);
	for (int c = 0; c < NCAT; c++) {
		char want[48];
		sg_u128 q;
		cr_assert_eq(pa->sum[c], n.plain[1][c]);
		cr_assert_eq(sg_fixed_ratio(&q, n.plain[1][c], 3, SG_TSK_EXTRA_DECIMALS), 0);
		sg_fixed_format(want, sizeof want, q, SG_TSK_EXTRA_DECIMALS);
		cr_assert_str_eq(pa->tsk[c], want);
	}
	/* the offline audit passes it: 8 checks; with S_k changed, S_k and the
	 * TSK_k derived from it fail, the signatures still hold */
	unsigned seen[2] = { 0, 0 };
	cr_assert_eq(sg_audit_aggregate(n.w.task, pub, pub_len, "industry 2", audit_count, seen), 0);
	cr_assert_eq(seen[0], 8);
	pa->sum[0]++;
	uint8_t *bad = malloc(spillguard__published_aggregate__get_packed_size(pa));
	size_t bad_len = spillguard__published_aggregate__pack(pa, bad);
	seen[0] = seen[1] = 0;
	cr_assert_eq(sg_audit_aggregate(n.w.task, bad, bad_len, "industry 2", audit_count, seen), 2);
	cr_assert_eq(seen[0], 6);
	free(bad);
	spillguard__published_aggregate__free_unpacked(pa, NULL);
	free(pub);
	/* a share from the wrong aggregator, or signed for another count */
	uint8_t *swapped[NAGG] = { shares[0], shares[2], shares[1] };
	cr_assert_eq(sg_publish_aggregate(&pub, &pub_len, &n.party[0], 2, count[0], root[0],
					  (const uint8_t *const *)swapped, share_len, msg, sizeof msg),
		     SG_ERR_VERIFY);
	cr_assert(strstr(msg, "aggregator 1") != NULL, "%s", msg);
	cr_assert_eq(sg_publish_aggregate(&pub, &pub_len, &n.party[0], 2, 4, root[0],
					  (const uint8_t *const *)shares, share_len, msg, sizeof msg),
		     SG_ERR_VERIFY);
	/* each refusal */
	enum sg_collect_refusal why;
	uint8_t *none;
	size_t none_len;
	uint8_t other_root[32] = { 1 };
	cr_assert_eq(sg_collect_share(&none, &none_len, &why, &n.party[1], n.w.agg_sign_sk[1], 2, 3, root[0],
				      3, root[1], true, n.aggs[1][1]), 0);
	cr_assert_eq(why, SG_COLLECT_ALREADY);
	cr_assert_null(none);
	cr_assert_eq(sg_collect_share(&none, &none_len, &why, &n.party[1], n.w.agg_sign_sk[1], 2, 2, root[0],
				      3, root[1], false, n.aggs[1][1]), 0);
	cr_assert_eq(why, SG_COLLECT_COUNT_MISMATCH);
	cr_assert_eq(sg_collect_share(&none, &none_len, &why, &n.party[1], n.w.agg_sign_sk[1], 2, 3,
				      other_root, 3, root[1], false, n.aggs[1][1]), 0);
	cr_assert_eq(why, SG_COLLECT_ROOT_MISMATCH);
	cr_assert_eq(sg_collect_share(&none, &none_len, &why, &n.party[1], n.w.agg_sign_sk[1], 2, 1, root[0],
				      1, root[0], false, n.aggs[1][1]), 0);
	cr_assert_eq(why, SG_COLLECT_BELOW_MIN_BATCH);
	cr_assert_eq(sg_collect_share(&none, &none_len, &why, &n.party[1], n.w.agg_sign_sk[1], 9, 3, root[0],
				      3, root[1], false, n.aggs[1][1]), 0);
	cr_assert_eq(why, SG_COLLECT_UNKNOWN_INDUSTRY);
	for (unsigned j = 0; j < NAGG; j++) {
		free(shares[j]);
		if (j > 0) {
			free(resp[j]);
			free(cresp[j]);
		}
		sg_job_free(&job[j]);
	}
	free(cont);
	net_free(&n);
}

static uint8_t *published(const sg_task *t, uint32_t industry, uint64_t count, uint64_t *sum,
			  size_t *len)
{
	Spillguard__PublishedAggregate pa = SPILLGUARD__PUBLISHED_AGGREGATE__INIT;
	pa.version = 1;
	pa.task_id = (ProtobufCBinaryData){ 32, (uint8_t *)t->id };
	pa.industry = industry;
	pa.report_count = count;
	pa.n_sum = NCAT;
	pa.sum = sum;
	*len = spillguard__published_aggregate__get_packed_size(&pa);
	uint8_t *out = malloc(*len);
	spillguard__published_aggregate__pack(&pa, out);
	return out;
}

/* The ISK adds the published, rounded TSK_k: industry 1 (J 3) publishes
 * 1.33 0.00 65535.00 1.67, industry 2 (J 150) 2.67 0.01 65535.00 0.05. */
Test(aggregate, isk_adds_the_published_tsk_figures_exactly)
{
	net n;
	net_init(&n);
	uint64_t a[NCAT] = { 4, 0, 196605, 5 }, b[NCAT] = { 400, 1, 9830250, 8 };
	uint8_t *pub[2], *out;
	size_t lens[2], out_len;
	pub[0] = published(n.w.task, 1, 3, a, &lens[0]);
	pub[1] = published(n.w.task, 2, 150, b, &lens[1]);
	cr_assert_eq(sg_publish_isk(&out, &out_len, n.w.task, (const uint8_t *const *)pub, lens, 2), 0);
	Spillguard__IskSummary *s = spillguard__isk_summary__unpack(NULL, out_len, out);
	cr_assert_not_null(s);
	cr_assert_eq(s->n_industries, 2);
	cr_assert_str_eq(s->isk[0], "4.00");
	cr_assert_str_eq(s->isk[1], "0.01");
	cr_assert_str_eq(s->isk[2], "131070.00");
	cr_assert_str_eq(s->isk[3], "1.72");
	spillguard__isk_summary__free_unpacked(s, NULL);
	free(out);
	/* an aggregate over no enterprises has no mean to add */
	free(pub[1]);
	pub[1] = published(n.w.task, 2, 0, b, &lens[1]);
	cr_assert_eq(sg_publish_isk(&out, &out_len, n.w.task, (const uint8_t *const *)pub, lens, 2),
		     SG_ERR_PARSE);
	cr_assert_null(out);
	free(pub[0]);
	free(pub[1]);
	net_free(&n);
}

/* What the leader keeps on upload (its verifier share and state) and the
 * report stored without its own ciphertext make the same job as the whole
 * report: the same verifier shares and the same requests to the helpers.
 * A kept preparation that is cut short or does not decode refuses only its
 * own report. */
Test(aggregate, the_leaders_kept_preparation_stands_for_its_share)
{
	net n;
	net_init(&n);
	uint8_t *kept[NENT], *stripped[NENT];
	size_t kept_lens[NENT], stripped_lens[NENT];
	size_t kb = sg_leader_kept_bytes(n.p[0]), vs = sg_prio3_verifier_share_bytes(n.p[0]);
	for (unsigned i = 0; i < NENT; i++) {
		ProtobufCMessage *m;
		sg_wire_budget *b;
		sg_report_view v;
		cr_assert_eq(sg_wire_unpack(&m, &b, &spillguard__report__descriptor, n.reports[i],
					    n.lens[i]), 0);
		Spillguard__Report *r = (Spillguard__Report *)m;
		Spillguard__SealedShare *own = r->shares[0];
		cr_assert_eq(sg_report_check(&v, n.w.task, n.p[0], 0, r->body.data, r->body.len,
					     r->signature.data, r->signature.len, own->enc.data,
					     own->enc.len, own->ciphertext.data, own->ciphertext.len),
			     SG_REJECT_NONE);
		kept[i] = malloc(kb);
		kept_lens[i] = kb;
		cr_assert_eq(sg_leader_prepare_kept(kept[i], &n.party[0], &v, own), SG_REJECT_NONE);
		ProtobufCBinaryData ct = own->ciphertext;
		own->ciphertext = (ProtobufCBinaryData){ 0, NULL };
		stripped_lens[i] = spillguard__report__get_packed_size(r);
		stripped[i] = malloc(stripped_lens[i]);
		spillguard__report__pack(r, stripped[i]);
		own->ciphertext = ct; /* the decoder's, to be released */
		cr_assert_lt(stripped_lens[i] + sg_prio3_input_share_bytes(n.p[0], 0), n.lens[i]);
		sg_report_view_free(&v);
		sg_wire_release(m, b);
	}
	sg_job whole, part;
	cr_assert_eq(sg_leader_job_new(&whole, &n.party[0], (const uint8_t *const *)n.reports, n.lens,
				       NULL, NULL, NENT), 0);
	cr_assert_eq(sg_leader_job_new(&part, &n.party[0], (const uint8_t *const *)stripped,
				       stripped_lens, (const uint8_t *const *)kept, kept_lens, NENT),
		     0);
	for (unsigned i = 0; i < NENT; i++) {
		cr_assert_eq(whole.preps[i].reject, SG_REJECT_NONE);
		cr_assert_eq(part.preps[i].reject, SG_REJECT_NONE, "report %u: %d", i,
			     part.preps[i].reject);
		cr_assert_arr_eq(part.preps[i].verifier_share, whole.preps[i].verifier_share, vs);
		cr_assert_arr_eq(part.preps[i].public_share, whole.preps[i].public_share,
				 sg_prio3_public_share_bytes(n.p[0]));
		cr_assert_arr_eq(part.preps[i].report_id, whole.preps[i].report_id, 16);
	}
	memcpy(part.id, whole.id, sizeof part.id);
	for (unsigned j = 1; j < NAGG; j++) {
		uint8_t *a, *b;
		size_t al, bl;
		cr_assert_eq(sg_job_init_for(&a, &al, &whole, &n.party[0], j,
					     (const uint8_t *const *)n.reports, n.lens), 0);
		cr_assert_eq(sg_job_init_for(&b, &bl, &part, &n.party[0], j,
					     (const uint8_t *const *)stripped, stripped_lens), 0);
		cr_assert_eq(al, bl);
		cr_assert_arr_eq(a, b, al, "helper %u gets the same request", j);
		free(a);
		free(b);
	}
	sg_job_free(&part);

	kept_lens[1] = kb - 1;                 /* cut short */
	memset(kept[2] + vs, 0xff, 16);        /* an output share element above the modulus */
	cr_assert_eq(sg_leader_job_new(&part, &n.party[0], (const uint8_t *const *)stripped,
				       stripped_lens, (const uint8_t *const *)kept, kept_lens, NENT),
		     0);
	for (unsigned i = 0; i < NENT; i++)
		cr_assert_eq(part.preps[i].reject,
			     i == 1 || i == 2 ? SG_REJECT_MALFORMED : SG_REJECT_NONE, "report %u", i);
	sg_job_free(&part);
	/* and a stored report without its share, with nothing kept, cannot be prepared */
	cr_assert_eq(sg_leader_job_new(&part, &n.party[0], (const uint8_t *const *)stripped,
				       stripped_lens, NULL, NULL, 1), 0);
	cr_assert_neq(part.preps[0].reject, SG_REJECT_NONE);
	sg_job_free(&part);
	sg_job_free(&whole);
	for (unsigned i = 0; i < NENT; i++) {
		free(kept[i]);
		free(stripped[i]);
	}
	net_free(&n);
}
