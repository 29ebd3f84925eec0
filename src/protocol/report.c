/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/sha256.h"
#include "core/signed.h"
#include "protocol/report.h"
#include "spillguard/err.h"
#include "spillguard/hpke.h"

#define SHARE_INFO "spillguard share v1"
#define AAD_LABEL "spillguard report v1"
#define DIGEST_BYTES 32
#define MAX_AAD (sizeof AAD_LABEL + 32 + SG_REPORT_ID_BYTES + 4 + 8 + 256)

const char *sg_reject_message(enum sg_reject r)
{
	static const char *const msg[SG_REJECT_COUNT] = {
		[SG_REJECT_NONE] = "accepted",
		[SG_REJECT_TASK_UNKNOWN] = "the aggregator does not serve this task",
		[SG_REJECT_OUTSIDE_WINDOW] = "the task is not open for submissions now, or the report is dated outside its window",
		[SG_REJECT_NOT_IN_ROSTER] = "the enterprise is not in the task's roster",
		[SG_REJECT_WRONG_INDUSTRY] = "the enterprise is registered under another industry",
		[SG_REJECT_BAD_SIGNATURE] = "the report is not signed by the enterprise's key",
		[SG_REJECT_MALFORMED] = "the report is malformed (sizes or counts do not match the task)",
		[SG_REJECT_REPLAYED] = "a different report with this id was already received",
		[SG_REJECT_DUPLICATE] = "the enterprise has already submitted a report for this task",
		[SG_REJECT_UNDECRYPTABLE] = "this aggregator's share does not decrypt",
		[SG_REJECT_INVALID] = "the report's validity proof does not verify",
		[SG_REJECT_SHARE_MISMATCH] = "the sealed share is not the one the enterprise signed",
	};
	return (unsigned)r < SG_REJECT_COUNT && msg[r] ? msg[r] : "refused";
}

int sg_task_prio3(sg_prio3 **out, const sg_task *t)
{
	sg_prio3_params pp;
	uint64_t *bounds;
	int ret = sg_task_vdaf_params(&pp, &bounds, t->body);
	*out = NULL;
	if (ret == 0)
		ret = sg_prio3_new(out, &pp);
	free(bounds);
	return ret;
}

static void put_be(uint8_t *p, uint64_t v, int bytes)
{
	for (int i = bytes - 1; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static size_t share_info(uint8_t out[64], const uint8_t task_id[32], unsigned agg)
{
	size_t n = sizeof SHARE_INFO - 1;
	memcpy(out, SHARE_INFO, n);
	memcpy(out + n, task_id, 32);
	out[n + 32] = (uint8_t)agg;
	return n + 33;
}

/* The report's public metadata in a fixed layout (not protobuf's, whose
 * encoding a re-encoder could change). */
static size_t report_aad(uint8_t out[MAX_AAD], const Spillguard__ReportMetadata *m)
{
	size_t n = sizeof AAD_LABEL - 1, id_len = strlen(m->enterprise_id);
	memcpy(out, AAD_LABEL, n);
	memcpy(out + n, m->task_id.data, 32);
	memcpy(out + n + 32, m->report_id.data, SG_REPORT_ID_BYTES);
	n += 32 + SG_REPORT_ID_BYTES;
	put_be(out + n, m->industry, 4);
	put_be(out + n + 4, m->time, 8);
	n += 12;
	memcpy(out + n, m->enterprise_id, id_len);
	return n + id_len;
}

static void share_digest(uint8_t out[DIGEST_BYTES], const uint8_t *enc, size_t enc_len,
			 const uint8_t *ct, size_t ct_len)
{
	sg_sha256_state st;
	sg_sha256_init(&st);
	sg_sha256_update(&st, enc, enc_len);
	sg_sha256_update(&st, ct, ct_len);
	sg_sha256_final(&st, out);
}

/* Everything sg_report_assemble allocates, released together. */
typedef struct sealing {
	uint8_t *ct[256], (*enc)[SG_HPKE_ENC_BYTES], (*digest)[DIGEST_BYTES];
	Spillguard__SealedShare *sealed, **sealed_ptrs;
	ProtobufCBinaryData *digests;
	uint8_t *body;
	unsigned n;
} sealing;

static void sealing_free(sealing *s)
{
	for (unsigned j = 0; j < s->n; j++)
		free(s->ct[j]);
	free(s->enc);
	free(s->digest);
	free(s->sealed);
	free(s->sealed_ptrs);
	free(s->digests);
	free(s->body);
}

static int alloc_sealing(sealing *s, const sg_prio3 *p)
{
	s->enc = calloc(s->n, sizeof *s->enc);
	s->digest = calloc(s->n, sizeof *s->digest);
	s->sealed = calloc(s->n, sizeof *s->sealed);
	s->sealed_ptrs = calloc(s->n, sizeof *s->sealed_ptrs);
	s->digests = calloc(s->n, sizeof *s->digests);
	if (!s->enc || !s->digest || !s->sealed || !s->sealed_ptrs || !s->digests)
		return SG_ERR_NOMEM;
	for (unsigned j = 0; j < s->n; j++)
		if ((s->ct[j] = malloc(sg_prio3_input_share_bytes(p, j) + SG_HPKE_TAG_BYTES)) == NULL)
			return SG_ERR_NOMEM;
	return 0;
}

/* Seals input share j to hpke_pk[j] in aggregator j's place and records
 * its digest. */
static int seal_all(sealing *s, const sg_task *t, const sg_prio3 *p,
		    const Spillguard__ReportMetadata *meta, const uint8_t *const *in,
		    const uint8_t *const *hpke_pk)
{
	uint8_t info[64], aad[MAX_AAD];
	size_t aad_len = report_aad(aad, meta);
	for (unsigned j = 0; j < s->n; j++) {
		size_t len = sg_prio3_input_share_bytes(p, j), info_len = share_info(info, t->id, j);
		int ret = sg_hpke_seal(s->enc[j], s->ct[j], hpke_pk[j], info, info_len, aad,
				       aad_len, in[j], len);
		if (ret != 0)
			return ret;
		share_digest(s->digest[j], s->enc[j], SG_HPKE_ENC_BYTES, s->ct[j],
			     len + SG_HPKE_TAG_BYTES);
		s->sealed[j] = (Spillguard__SealedShare)SPILLGUARD__SEALED_SHARE__INIT;
		s->sealed[j].enc = (ProtobufCBinaryData){ SG_HPKE_ENC_BYTES, s->enc[j] };
		s->sealed[j].ciphertext = (ProtobufCBinaryData){ len + SG_HPKE_TAG_BYTES, s->ct[j] };
		s->sealed_ptrs[j] = &s->sealed[j];
		s->digests[j] = (ProtobufCBinaryData){ DIGEST_BYTES, s->digest[j] };
	}
	return 0;
}

static int sign_and_pack(uint8_t **out, size_t *out_len, sealing *s, const sg_prio3 *p,
			 const Spillguard__ReportMetadata *meta, const uint8_t *pub,
			 const uint8_t sign_sk[64])
{
	uint8_t sig[SG_SIGNATURE_BYTES];
	Spillguard__ReportBody body = SPILLGUARD__REPORT_BODY__INIT;
	body.version = SG_REPORT_VERSION;
	body.metadata = (Spillguard__ReportMetadata *)meta; /* only read by pack */
	body.public_share = (ProtobufCBinaryData){ sg_prio3_public_share_bytes(p), (uint8_t *)pub };
	body.n_share_digests = s->n;
	body.share_digests = s->digests;
	size_t body_len = spillguard__report_body__get_packed_size(&body);
	if ((s->body = malloc(body_len + 1)) == NULL)
		return SG_ERR_NOMEM;
	spillguard__report_body__pack(&body, s->body);
	if (sg_sign_labeled(sig, SG_REPORT_SIG_CONTEXT, s->body, body_len, sign_sk) != 0)
		return SG_ERR_NOMEM;
	Spillguard__Report rep = SPILLGUARD__REPORT__INIT;
	rep.version = SG_REPORT_VERSION;
	rep.body = (ProtobufCBinaryData){ body_len, s->body };
	rep.signature = (ProtobufCBinaryData){ sizeof sig, sig };
	rep.n_shares = s->n;
	rep.shares = s->sealed_ptrs;
	size_t n = spillguard__report__get_packed_size(&rep);
	if ((*out = malloc(n + 1)) == NULL)
		return SG_ERR_NOMEM;
	*out_len = spillguard__report__pack(&rep, *out);
	return 0;
}

/* The sizes report_aad and the task rely on. */
static bool meta_fits(const sg_task *t, const sg_prio3 *p, const Spillguard__ReportMetadata *m)
{
	return m->task_id.len == SG_TASK_ID_BYTES && m->report_id.len == SG_REPORT_ID_BYTES &&
	       m->enterprise_id != NULL && strlen(m->enterprise_id) <= 256 &&
	       sg_prio3_shares(p) == t->body->n_aggregators;
}

int sg_report_assemble(uint8_t **out, size_t *out_len, const sg_task *t, const sg_prio3 *p,
		       const Spillguard__ReportMetadata *meta, const uint8_t *public_share,
		       const uint8_t *const *input_shares, const uint8_t *const *hpke_pk,
		       const uint8_t sign_sk[64])
{
	sealing s = { .n = (unsigned)t->body->n_aggregators };
	const uint8_t *task_pk[256];
	*out = NULL;
	*out_len = 0;
	int ret = meta_fits(t, p, meta) ? alloc_sealing(&s, p) : SG_ERR_PARAM;
	if (ret != 0)
		goto cleanup;
	if (hpke_pk == NULL) {
		for (unsigned j = 0; j < s.n; j++)
			task_pk[j] = t->body->aggregators[j]->hpke_pk.data;
		hpke_pk = task_pk;
	}
	ret = seal_all(&s, t, p, meta, input_shares, hpke_pk);
	if (ret == 0)
		ret = sign_and_pack(out, out_len, &s, p, meta, public_share, sign_sk);
cleanup:
	sealing_free(&s);
	return ret;
}

/* The shares sg_report_build makes, released (and wiped) together. */
typedef struct build {
	sg_prio3 *p;
	uint8_t *pub, *in[256];
	unsigned n;
} build;

static void build_free(build *b)
{
	for (unsigned j = 0; j < b->n; j++) {
		if (b->in[j] != NULL)
			sodium_memzero(b->in[j], sg_prio3_input_share_bytes(b->p, j));
		free(b->in[j]);
	}
	free(b->pub);
	sg_prio3_free(b->p);
}

static int check_inputs(const sg_task *t, long *ros, const char *enterprise_id,
			const uint8_t sign_sk[64], const uint64_t *eek, size_t n)
{
	*ros = sg_task_roster_find(t, enterprise_id);
	if (*ros < 0 || sodium_memcmp(t->body->roster[*ros]->sign_pk.data, sign_sk + 32, 32) != 0)
		return SG_ERR_PARAM;
	if (n != t->body->n_categories)
		return SG_ERR_MEASUREMENT;
	for (size_t i = 0; i < n; i++)
		if (eek[i] > t->body->categories[i]->max_measurement)
			return SG_ERR_MEASUREMENT;
	return 0;
}

static int alloc_build(build *b)
{
	if ((b->pub = malloc(sg_prio3_public_share_bytes(b->p) + 1)) == NULL)
		return SG_ERR_NOMEM;
	for (unsigned j = 0; j < b->n; j++)
		if ((b->in[j] = malloc(sg_prio3_input_share_bytes(b->p, j))) == NULL)
			return SG_ERR_NOMEM;
	return 0;
}

int sg_report_build(uint8_t **out, size_t *out_len, uint8_t report_id[SG_REPORT_ID_BYTES],
		    const sg_task *t, const char *enterprise_id, const uint8_t sign_sk[64],
		    const uint64_t *eek, size_t n, uint64_t now)
{
	build b = { .n = (unsigned)t->body->n_aggregators };
	long ros;
	*out = NULL;
	*out_len = 0;
	int ret = check_inputs(t, &ros, enterprise_id, sign_sk, eek, n);
	if (ret == 0)
		ret = sg_task_prio3(&b.p, t);
	if (ret == 0)
		ret = alloc_build(&b);
	if (ret != 0)
		goto cleanup;
	randombytes_buf(report_id, SG_REPORT_ID_BYTES);
	ret = sg_prio3_shard_random(b.p, b.pub, b.in, t->id, sizeof t->id, eek, n, report_id);
	if (ret != 0)
		goto cleanup;
	Spillguard__ReportMetadata meta = SPILLGUARD__REPORT_METADATA__INIT;
	meta.task_id = (ProtobufCBinaryData){ sizeof t->id, (uint8_t *)t->id };
	meta.report_id = (ProtobufCBinaryData){ SG_REPORT_ID_BYTES, report_id };
	meta.enterprise_id = (char *)enterprise_id;
	meta.industry = t->body->roster[ros]->industry;
	meta.time = now;
	ret = sg_report_assemble(out, out_len, t, b.p, &meta, b.pub,
				 (const uint8_t *const *)b.in, NULL, sign_sk);
cleanup:
	build_free(&b);
	return ret;
}

void sg_report_view_free(sg_report_view *view)
{
	if (view == NULL)
		return;
	sg_wire_release(view->body ? &view->body->base : NULL, view->budget);
	memset(view, 0, sizeof *view);
}

/* Sizes the task fixes, and (unless stored: checked on receipt) that the
 * share offered is the one signed. */
static enum sg_reject check_sizes(const Spillguard__ReportBody *b, const sg_task *t,
				  const sg_prio3 *p, unsigned agg, const uint8_t *enc,
				  size_t enc_len, const uint8_t *ct, size_t ct_len, bool stored)
{
	uint8_t digest[DIGEST_BYTES];
	bool share_kept = !stored || ct != NULL;
	if (b->public_share.len != sg_prio3_public_share_bytes(p) ||
	    b->n_share_digests != t->body->n_aggregators ||
	    (share_kept && (enc_len != SG_HPKE_ENC_BYTES ||
			    ct_len != sg_prio3_input_share_bytes(p, agg) + SG_HPKE_TAG_BYTES)))
		return SG_REJECT_MALFORMED;
	for (size_t j = 0; j < b->n_share_digests; j++)
		if (b->share_digests[j].len != DIGEST_BYTES)
			return SG_REJECT_MALFORMED;
	if (stored)
		return SG_REJECT_NONE;
	share_digest(digest, enc, enc_len, ct, ct_len);
	if (sodium_memcmp(digest, b->share_digests[agg].data, DIGEST_BYTES) != 0)
		return SG_REJECT_SHARE_MISMATCH;
	return SG_REJECT_NONE;
}

static enum sg_reject check_signed(sg_report_view *v, const sg_task *t, const uint8_t *body,
				   size_t body_len, const uint8_t *sig, size_t sig_len, bool stored)
{
	const Spillguard__ReportMetadata *m = v->meta;
	if (m->task_id.len != SG_TASK_ID_BYTES ||
	    sodium_memcmp(m->task_id.data, t->id, SG_TASK_ID_BYTES) != 0)
		return SG_REJECT_TASK_UNKNOWN;
	if (!sg_task_open_at(t, m->time))
		return SG_REJECT_OUTSIDE_WINDOW;
	long ros = sg_task_roster_find(t, m->enterprise_id);
	if (ros < 0)
		return SG_REJECT_NOT_IN_ROSTER;
	if (t->body->roster[ros]->industry != m->industry)
		return SG_REJECT_WRONG_INDUSTRY;
	v->roster_index = (size_t)ros;
	if (!stored && !sg_verify_labeled(sig, sig_len, SG_REPORT_SIG_CONTEXT, body, body_len,
			       t->body->roster[ros]->sign_pk.data))
		return SG_REJECT_BAD_SIGNATURE;
	if (m->report_id.len != SG_REPORT_ID_BYTES || strlen(m->enterprise_id) > 256)
		return SG_REJECT_MALFORMED;
	return SG_REJECT_NONE;
}

static enum sg_reject check(sg_report_view *view, const sg_task *t, const sg_prio3 *p,
			    unsigned agg, const uint8_t *body, size_t body_len, const uint8_t *sig,
			    size_t sig_len, const uint8_t *enc, size_t enc_len, const uint8_t *ct,
			    size_t ct_len, bool stored)
{
	ProtobufCMessage *m;
	enum sg_reject r = SG_REJECT_MALFORMED;
	memset(view, 0, sizeof *view);
	if (agg >= t->body->n_aggregators ||
	    sg_wire_unpack(&m, &view->budget, &spillguard__report_body__descriptor, body,
			   body_len) != 0)
		return SG_REJECT_MALFORMED;
	view->body = (Spillguard__ReportBody *)m;
	view->meta = view->body->metadata;
	if (view->body->version == SG_REPORT_VERSION && view->meta != NULL)
		r = check_signed(view, t, body, body_len, sig, sig_len, stored);
	if (r == SG_REJECT_NONE)
		r = check_sizes(view->body, t, p, agg, enc, enc_len, ct, ct_len, stored);
	if (r != SG_REJECT_NONE)
		sg_report_view_free(view);
	return r;
}

enum sg_reject sg_report_check(sg_report_view *view, const sg_task *t, const sg_prio3 *p,
			       unsigned agg, const uint8_t *body, size_t body_len,
			       const uint8_t *sig, size_t sig_len, const uint8_t *enc,
			       size_t enc_len, const uint8_t *ct, size_t ct_len)
{
	return check(view, t, p, agg, body, body_len, sig, sig_len, enc, enc_len, ct, ct_len, false);
}

enum sg_reject sg_report_recheck(sg_report_view *view, const sg_task *t, const sg_prio3 *p,
				 unsigned agg, const uint8_t *body, size_t body_len,
				 const uint8_t *enc, size_t enc_len, const uint8_t *ct,
				 size_t ct_len)
{
	return check(view, t, p, agg, body, body_len, NULL, 0, enc, enc_len, ct, ct_len, true);
}

enum sg_reject sg_report_open_share(uint8_t *input_share, const sg_report_view *view,
				    const sg_task *t, const sg_prio3 *p, unsigned agg,
				    const uint8_t hpke_sk[32], const uint8_t *enc, size_t enc_len,
				    const uint8_t *ct, size_t ct_len)
{
	uint8_t info[64], aad[MAX_AAD];
	size_t len = sg_prio3_input_share_bytes(p, agg);
	if (enc_len != SG_HPKE_ENC_BYTES || ct_len != len + SG_HPKE_TAG_BYTES)
		return SG_REJECT_UNDECRYPTABLE;
	size_t info_len = share_info(info, t->id, agg), aad_len = report_aad(aad, view->meta);
	/* the task names this aggregator's public key: no need to derive it */
	if (sg_hpke_open_pk(input_share, enc, hpke_sk, t->body->aggregators[agg]->hpke_pk.data, info,
			    info_len, aad, aad_len, ct, ct_len) != 0)
		return SG_REJECT_UNDECRYPTABLE;
	return SG_REJECT_NONE;
}

bool sg_report_peek_id(uint8_t id[SG_REPORT_ID_BYTES], const uint8_t *body, size_t body_len)
{
	ProtobufCMessage *m;
	sg_wire_budget *b;
	bool ok = false;
	memset(id, 0, SG_REPORT_ID_BYTES);
	if (sg_wire_unpack(&m, &b, &spillguard__report_body__descriptor, body, body_len) != 0)
		return false;
	const Spillguard__ReportBody *rb = (const Spillguard__ReportBody *)m;
	if (rb->metadata != NULL && rb->metadata->report_id.len == SG_REPORT_ID_BYTES) {
		memcpy(id, rb->metadata->report_id.data, SG_REPORT_ID_BYTES);
		ok = true;
	}
	sg_wire_release(m, b);
	return ok;
}
