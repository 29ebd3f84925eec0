/* SPDX-License-Identifier: Apache-2.0 */
/*
 * forge: test-only. Builds one kind of bad upload, sends it to the task's
 * leader (or, for `inject`, to a helper as a malicious leader would) and
 * prints the outcome on one line:
 *
 *   outcome=accepted report=<hex id>
 *   outcome=refused code=<N> report=<hex id>
 *
 * N is the code of the Error (or of the PrepareResult) the aggregator sent,
 * an enum sg_reject. With SG_FORGE_RECEIPT=FILE in the environment, the
 * receipt of an accepted upload is kept in FILE. Exits 0 when a reply came, 2 on any other failure
 * (one line on stderr). The daemon test uses it to check that every check
 * of DESIGN.md §5 refuses what it should, over the real sockets.
 *
 * Every report is built with sg_report_assemble, the same sealing and
 * signing as an enterprise's, so each differs from an honest one only in
 * what its kind names.
 */
#define _POSIX_C_SOURCE 200809L /* stat */

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <sodium.h>

#include "core/prio3_internal.h"
#include "core/task.h"
#include "edge/transport.h"
#include "protocol/aggregate.h"
#include "protocol/collect.h"
#include "protocol/round.h"
#include "protocol/report.h"
#include "protocol/upload.h"
#include "spillguard/err.h"
#include "spillguard/keys.h"
#include "util/file.h"
#include "util/hex.h"
#include "wire/codec.h"

#define PROG "forge"
#define MAX_TASK_BYTES ((size_t)16 << 20)
#define TIMEOUT_MS 15000
#define STRANGER "stranger"

/* The options beside --task, as bits: each kind says which it takes. */
enum {
	O_KEY = 1,
	O_REPORT_ID = 2,
	O_LEADER_KEYS = 4,
	O_HELPER = 8,
	O_ENTERPRISE = 16,
	O_BATCH = 32, /* --industry, --count, --root */
};

typedef struct opts {
	const char *task, *key, *report_id, *leader_keys, *helper, *enterprise;
	const char *industry, *count, *root;
} opts;

typedef struct forge {
	sg_task *task;
	sg_prio3 *p;
	sg_key *key;      /* --key: a roster enterprise's signing key */
	long ros;         /* its roster entry */
	sg_key *fresh;    /* a signing key nobody registered */
	sg_key *curve;    /* --leader-keys: the leader's CURVE key */
	unsigned helper;  /* --helper */
	long victim;      /* --enterprise's roster entry */
	uint32_t industry; /* --industry, --count, --root: a batch to collect */
	uint64_t count;
	uint8_t root[32];
	uint8_t report_id[SG_REPORT_ID_BYTES];
	uint64_t now;
	char err[512];
} forge;

/* What a forged report claims, and how it is made. */
typedef struct spec {
	const char *enterprise_id;
	uint32_t industry;
	uint64_t time;
	const uint8_t *sign_sk;        /* 64 bytes */
	const uint8_t *const *hpke_pk; /* NULL: the task's aggregators' keys */
	enum { HONEST, FORGED_PROOF, OVER_BOUND } values;
} spec;

/* --- shares ------------------------------------------------------------- */

typedef struct shares {
	uint8_t *pub, *in[256];
	unsigned n;
} shares;

static void shares_free(shares *s, const sg_prio3 *p)
{
	for (unsigned j = 0; j < s->n; j++) {
		if (s->in[j] != NULL)
			sodium_memzero(s->in[j], sg_prio3_input_share_bytes(p, j));
		free(s->in[j]);
	}
	free(s->pub);
}

static int shares_alloc(shares *s, const sg_prio3 *p)
{
	s->n = sg_prio3_shares(p);
	if ((s->pub = malloc(sg_prio3_public_share_bytes(p) + 1)) == NULL)
		return SG_ERR_NOMEM;
	for (unsigned j = 0; j < s->n; j++)
		if ((s->in[j] = malloc(sg_prio3_input_share_bytes(p, j))) == NULL)
			return SG_ERR_NOMEM;
	return 0;
}

/* A small valid EEK: 1 in every category (0 where the maximum is 0). */
static uint64_t *small_eek(const sg_task *t)
{
	size_t n = t->body->n_categories;
	uint64_t *eek = calloc(n + 1, sizeof *eek);
	for (size_t i = 0; eek != NULL && i < n; i++)
		eek[i] = t->body->categories[i]->max_measurement > 0 ? 1 : 0;
	return eek;
}

static unsigned bit_length(uint64_t x)
{
	unsigned b = 0;
	for (; x; x >>= 1)
		b++;
	return b;
}

/* The category with the smallest bound (the first of them), the largest
 * bound, and where the category's encoding starts under BoundedSumVec. */
static size_t smallest_bound(const sg_task *t, uint64_t *largest, size_t *offset)
{
	const Spillguard__TaskBody *b = t->body;
	size_t k = 0;
	*largest = 0;
	for (size_t i = 0; i < b->n_categories; i++) {
		uint64_t m = b->categories[i]->max_measurement;
		*largest = m > *largest ? m : *largest;
		k = m < b->categories[k]->max_measurement ? i : k;
	}
	*offset = 0;
	for (size_t i = 0; i < k; i++)
		*offset += bit_length(b->categories[i]->max_measurement);
	return k;
}

/*
 * How a client that skips its own checks encodes `values`:
 *   FORGED_PROOF  the EEK's first encoded element (a bit) set to 2
 *                 (tests/test_prio3.c's out_of_range_element_with_forged_proof);
 *   OVER_BOUND    its smallest-bound category holding the largest bound:
 *                 the circuit's own encoding where it has one (SumVec, whose
 *                 one bound is the largest), else (BoundedSumVec) that
 *                 category's first encoded element set to the value.
 */
static int encode_forged(forge *f, sg_fe *meas, uint64_t *eek, int values)
{
	size_t n = f->task->body->n_categories, offset;
	uint64_t largest;
	if (values == FORGED_PROOF) {
		int ret = sg_flp_encode(&f->p->flp, meas, eek, n);
		if (ret == 0)
			f->p->f->from_u64(&meas[0], 2);
		return ret;
	}
	size_t k = smallest_bound(f->task, &largest, &offset);
	eek[k] = largest;
	if (sg_flp_encode(&f->p->flp, meas, eek, n) == 0)
		return 0;
	eek[k] = 0;
	int ret = sg_flp_encode(&f->p->flp, meas, eek, n);
	if (ret == 0)
		f->p->f->from_u64(&meas[offset], largest);
	return ret;
}

/* The forged encoding, sharded with a proof made honestly for it. */
static int shard_forged(forge *f, shares *s, uint64_t *eek, int values)
{
	size_t rand_len = sg_prio3_rand_bytes(f->p);
	sg_fe *meas = calloc(f->p->flp.meas_len + 1, sizeof *meas);
	uint8_t *rnd = sodium_malloc(rand_len + 1);
	int ret = SG_ERR_NOMEM;
	if (meas == NULL || rnd == NULL)
		goto cleanup;
	ret = encode_forged(f, meas, eek, values);
	if (ret != 0)
		goto cleanup;
	randombytes_buf(rnd, rand_len);
	ret = sg_prio3_shard_encoded(f->p, s->pub, s->in, f->task->id, sizeof f->task->id, meas,
				     f->report_id, rnd, rand_len);
cleanup:
	free(meas);
	sodium_free(rnd);
	return ret;
}

static int shard(forge *f, shares *s, int values)
{
	uint64_t *eek = small_eek(f->task);
	int ret = SG_ERR_NOMEM;
	if (eek == NULL)
		return ret;
	if (values != HONEST)
		ret = shard_forged(f, s, eek, values);
	else
		ret = sg_prio3_shard_random(f->p, s->pub, s->in, f->task->id, sizeof f->task->id,
					    eek, f->task->body->n_categories, f->report_id);
	free(eek);
	return ret;
}

/* A packed Report as spec says, under f->report_id. */
static int make_report(forge *f, uint8_t **out, size_t *out_len, const spec *sp)
{
	shares s = { 0 };
	int ret = shares_alloc(&s, f->p);
	if (ret == 0)
		ret = shard(f, &s, sp->values);
	if (ret == 0) {
		Spillguard__ReportMetadata meta = SPILLGUARD__REPORT_METADATA__INIT;
		meta.task_id = (ProtobufCBinaryData){ SG_TASK_ID_BYTES, f->task->id };
		meta.report_id = (ProtobufCBinaryData){ SG_REPORT_ID_BYTES, f->report_id };
		meta.enterprise_id = (char *)sp->enterprise_id;
		meta.industry = sp->industry;
		meta.time = sp->time;
		ret = sg_report_assemble(out, out_len, f->task, f->p, &meta, s.pub,
					 (const uint8_t *const *)s.in, sp->hpke_pk, sp->sign_sk);
	}
	if (ret != 0)
		snprintf(f->err, sizeof f->err, "cannot build the report: %s", sg_strerror(ret));
	shares_free(&s, f->p);
	return ret;
}

/* What an honest report of --key's enterprise says. */
static spec honest(const forge *f)
{
	const Spillguard__RosterEntry *e = f->task->body->roster[f->ros];
	return (spec){ e->enterprise_id, e->industry, f->now, sg_key_secret(f->key), NULL, HONEST };
}

/* --- the kinds ------------------------------------------------------------ */

static int make_unregistered(forge *f, uint8_t **out, size_t *len)
{
	char id[64];
	snprintf(id, sizeof id, STRANGER);
	for (unsigned k = 2; sg_task_roster_find(f->task, id) >= 0; k++)
		snprintf(id, sizeof id, STRANGER "-%u", k);
	spec s = { id, f->task->body->industries[0]->id, f->now, sg_key_secret(f->fresh), NULL,
		   HONEST };
	return make_report(f, out, len, &s);
}

static int make_wrong_industry(forge *f, uint8_t **out, size_t *len)
{
	spec s = honest(f);
	uint32_t own = s.industry;
	for (size_t i = 0; s.industry == own && i < f->task->body->n_industries; i++)
		s.industry = f->task->body->industries[i]->id;
	if (s.industry == own) {
		snprintf(f->err, sizeof f->err, "the task has no industry but '%s''s",
			 s.enterprise_id);
		return SG_ERR_PARAM;
	}
	return make_report(f, out, len, &s);
}

/* The report with one bit of its signature flipped, repacked. */
static int damage_signature(forge *f, uint8_t **report, size_t *len)
{
	ProtobufCMessage *m;
	sg_wire_budget *b;
	uint8_t *out = NULL;
	int ret = sg_wire_unpack(&m, &b, &spillguard__report__descriptor, *report, *len);
	if (ret != 0)
		return ret;
	Spillguard__Report *r = (Spillguard__Report *)m;
	ret = SG_ERR_NOMEM;
	if (r->signature.len > 0 &&
	    (out = malloc(spillguard__report__get_packed_size(r) + 1)) != NULL) {
		r->signature.data[0] ^= 1;
		free(*report);
		*len = spillguard__report__pack(r, out);
		*report = out;
		ret = 0;
	}
	sg_wire_release(m, b);
	if (ret != 0)
		snprintf(f->err, sizeof f->err, "cannot damage the signature: %s", sg_strerror(ret));
	return ret;
}

static int make_bad_signature(forge *f, uint8_t **out, size_t *len)
{
	spec s = honest(f);
	int ret = make_report(f, out, len, &s);
	return ret == 0 ? damage_signature(f, out, len) : ret;
}

/* f->report_id already holds --report-id. */
static int make_replay(forge *f, uint8_t **out, size_t *len)
{
	spec s = honest(f);
	return make_report(f, out, len, &s);
}

static int make_wrong_aggregator(forge *f, uint8_t **out, size_t *len)
{
	const Spillguard__TaskBody *t = f->task->body;
	const uint8_t *keys[256];
	for (size_t j = 0; j < t->n_aggregators; j++)
		keys[j] = t->aggregators[j]->hpke_pk.data;
	keys[0] = t->aggregators[1]->hpke_pk.data; /* the leader's slot, helper 1's key */
	spec s = honest(f);
	s.hpke_pk = keys;
	return make_report(f, out, len, &s);
}

static int make_outside_window(forge *f, uint8_t **out, size_t *len)
{
	spec s = honest(f);
	if (f->task->body->opens_at == 0) {
		snprintf(f->err, sizeof f->err, "the task opens at time 0: no time is before it");
		return SG_ERR_PARAM;
	}
	s.time = f->task->body->opens_at - 1;
	return make_report(f, out, len, &s);
}

/* Not a protobuf message: an over-long varint where the first tag belongs. */
static int make_malformed(forge *f, uint8_t **out, size_t *len)
{
	static const uint8_t garbage[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
					   0xff, 0xff, 0xff, 0x01, 'g', 'a', 'r', 'b', 'a', 'g', 'e' };
	memset(f->report_id, 0, sizeof f->report_id);
	if ((*out = malloc(sizeof garbage)) == NULL)
		return SG_ERR_NOMEM;
	memcpy(*out, garbage, sizeof garbage);
	*len = sizeof garbage;
	return 0;
}

static int make_forged_proof(forge *f, uint8_t **out, size_t *len)
{
	spec s = honest(f);
	s.values = FORGED_PROOF;
	return make_report(f, out, len, &s);
}

static int make_over_bound(forge *f, uint8_t **out, size_t *len)
{
	spec s = honest(f);
	s.values = OVER_BOUND;
	return make_report(f, out, len, &s);
}

/* The Sybil: --enterprise's name and industry, a key that is not its own. */
static int make_sybil(forge *f, uint8_t **out, size_t *len)
{
	const Spillguard__RosterEntry *e = f->task->body->roster[f->victim];
	spec s = { e->enterprise_id, e->industry, f->now, sg_key_secret(f->fresh), NULL, HONEST };
	return make_report(f, out, len, &s);
}

/* --- sending -------------------------------------------------------------- */

/* refused false: accepted (code unused). */
static void print_outcome(const forge *f, bool refused, uint32_t code)
{
	char hex[2 * SG_REPORT_ID_BYTES + 1];
	sg_hex_encode(hex, f->report_id, sizeof f->report_id);
	if (!refused)
		printf("outcome=accepted report=%s\n", hex);
	else
		printf("outcome=refused code=%u report=%s\n", (unsigned)code, hex);
}

/* One request to aggregator j, with CURVE secret key client_sk. */
static int call(forge *f, uint8_t **reply, size_t *reply_len, unsigned j,
		const uint8_t client_sk[32], const uint8_t *req, size_t req_len)
{
	const Spillguard__AggregatorInfo *a = f->task->body->aggregators[j];
	sg_client *c = NULL;
	int ret = sg_client_open(&c, a->endpoint, a->curve_pk.data, client_sk, f->err,
				 sizeof f->err);
	if (ret == 0 && (ret = sg_client_call(c, reply, reply_len, req, req_len, TIMEOUT_MS)) != 0)
		snprintf(f->err, sizeof f->err, "aggregator %u: %s", j, sg_client_error(c));
	sg_client_close(c);
	return ret;
}

/* payload as an Envelope's report field, framed by hand (tag, varint
 * length, bytes: what protobuf-c writes) so that garbage can travel too. */
static int envelope_of_report(uint8_t **out, size_t *out_len, const uint8_t *payload,
			      size_t len)
{
	uint8_t head[11];
	size_t n = 0;
	head[n++] = (uint8_t)(SPILLGUARD__ENVELOPE__MSG_REPORT << 3 | 2); /* length-delimited */
	for (size_t v = len; ; v >>= 7) {
		head[n++] = (uint8_t)(v & 0x7f) | (v >= 0x80 ? 0x80 : 0);
		if (v < 0x80)
			break;
	}
	if ((*out = malloc(n + len)) == NULL)
		return SG_ERR_NOMEM;
	memcpy(*out, head, n);
	memcpy(*out + n, payload, len);
	*out_len = n + len;
	return 0;
}

/* The leader's reply: an Error's code, or a receipt that must verify. */
static int read_upload_reply(forge *f, const uint8_t *reply, size_t len)
{
	sg_wire_msg w;
	uint8_t *receipt = NULL;
	size_t receipt_len;
	enum sg_reject rej;
	int ret = sg_wire_decode(&w, reply, len);
	if (ret != 0) {
		snprintf(f->err, sizeof f->err, "the leader's reply does not decode");
		return ret;
	}
	if (w.env->msg_case == SPILLGUARD__ENVELOPE__MSG_ERROR) {
		print_outcome(f, true, w.env->error->code);
	} else if (w.env->msg_case != SPILLGUARD__ENVELOPE__MSG_RECEIPT) {
		snprintf(f->err, sizeof f->err, "the leader replied with neither receipt nor error");
		ret = SG_ERR_PARSE;
	} else if ((ret = sg_node_read_reply(&receipt, &receipt_len, &rej, f->task, f->report_id,
					     reply, len, f->err, sizeof f->err)) == 0) {
		const char *keep = getenv("SG_FORGE_RECEIPT");
		if (keep != NULL)
			ret = sg_file_write(keep, receipt, receipt_len, 0600, true, f->err,
					    sizeof f->err);
		print_outcome(f, false, 0);
	}
	free(receipt);
	sg_wire_msg_free(&w);
	return ret;
}

static int send_upload(forge *f, const uint8_t *report, size_t len)
{
	uint8_t eph[32], *env = NULL, *reply = NULL;
	size_t env_len = 0, reply_len = 0;
	randombytes_buf(eph, sizeof eph); /* a node's key is ephemeral */
	int ret = envelope_of_report(&env, &env_len, report, len);
	if (ret == 0)
		ret = call(f, &reply, &reply_len, 0, eph, env, env_len);
	if (ret == 0)
		ret = read_upload_reply(f, reply, reply_len);
	sodium_memzero(eph, sizeof eph);
	free(env);
	free(reply);
	return ret;
}

/* The AggregationJobInit a malicious leader sends helper j: one report
 * share taken from the whole report. */
static int job_init(forge *f, uint8_t **out, size_t *out_len, uint8_t job_id[SG_JOB_ID_BYTES],
		    const uint8_t *report, size_t len)
{
	ProtobufCMessage *m;
	sg_wire_budget *b;
	int ret = sg_wire_unpack(&m, &b, &spillguard__report__descriptor, report, len);
	if (ret != 0)
		return ret;
	const Spillguard__Report *r = (const Spillguard__Report *)m;
	Spillguard__ReportShare rs = SPILLGUARD__REPORT_SHARE__INIT, *rsp = &rs;
	rs.report_body = r->body;
	rs.signature = r->signature;
	rs.share = r->shares[f->helper];
	randombytes_buf(job_id, SG_JOB_ID_BYTES);
	Spillguard__AggregationJobInit init = SPILLGUARD__AGGREGATION_JOB_INIT__INIT;
	init.version = SG_WIRE_VERSION;
	init.task_id = (ProtobufCBinaryData){ SG_TASK_ID_BYTES, f->task->id };
	init.job_id = (ProtobufCBinaryData){ SG_JOB_ID_BYTES, job_id };
	init.n_reports = 1;
	init.reports = &rsp;
	Spillguard__Envelope env = SPILLGUARD__ENVELOPE__INIT;
	env.msg_case = SPILLGUARD__ENVELOPE__MSG_JOB_INIT;
	env.job_init = &init;
	ret = sg_wire_encode(out, out_len, &env);
	sg_wire_release(m, b);
	return ret;
}

/* The helper's reply: the report's PrepareResult, or an Error refusing the
 * whole job (its code is printed the same way). */
static int read_job_reply(forge *f, const uint8_t job_id[SG_JOB_ID_BYTES],
			  const uint8_t *reply, size_t len)
{
	sg_wire_msg w;
	int ret = sg_wire_decode(&w, reply, len);
	if (ret != 0) {
		snprintf(f->err, sizeof f->err, "the helper's reply does not decode");
		return ret;
	}
	const Spillguard__AggregationJobResp *r = w.env->job_resp;
	if (w.env->msg_case == SPILLGUARD__ENVELOPE__MSG_ERROR) {
		print_outcome(f, true, w.env->error->code);
	} else if (w.env->msg_case == SPILLGUARD__ENVELOPE__MSG_JOB_RESP &&
		   r->job_id.len == SG_JOB_ID_BYTES &&
		   memcmp(r->job_id.data, job_id, SG_JOB_ID_BYTES) == 0 && r->n_results == 1) {
		print_outcome(f, r->results[0]->error != 0, r->results[0]->error);
	} else {
		snprintf(f->err, sizeof f->err, "the helper's reply is not this job's");
		ret = SG_ERR_PARSE;
	}
	sg_wire_msg_free(&w);
	return ret;
}

static int send_inject(forge *f, const uint8_t *report, size_t len)
{
	uint8_t job_id[SG_JOB_ID_BYTES], *req = NULL, *reply = NULL;
	size_t req_len = 0, reply_len = 0;
	int ret = job_init(f, &req, &req_len, job_id, report, len);
	if (ret != 0)
		snprintf(f->err, sizeof f->err, "cannot build the job: %s", sg_strerror(ret));
	if (ret == 0)
		ret = call(f, &reply, &reply_len, f->helper, sg_key_secret(f->curve), req, req_len);
	if (ret == 0)
		ret = read_job_reply(f, job_id, reply, reply_len);
	free(req);
	free(reply);
	return ret;
}

/* --- collection ------------------------------------------------------------- */

/* A CollectRequest for the batch given, under a fresh collect id: the same
 * batch asked for a second time. */
static int make_collect_again(forge *f, uint8_t **out, size_t *len)
{
	uint8_t cid[SG_COLLECT_ID_BYTES];
	randombytes_buf(cid, sizeof cid);
	memset(f->report_id, 0, sizeof f->report_id);
	return sg_collect_request_msg(out, len, f->task, cid, f->industry, f->count, f->root);
}

/* The helper's CollectReply: a refusal's code, or a share (accepted). */
static int send_collect_again(forge *f, const uint8_t *req, size_t len)
{
	uint8_t *reply = NULL;
	size_t reply_len = 0;
	sg_wire_msg w = { 0 };
	int ret = call(f, &reply, &reply_len, f->helper, sg_key_secret(f->curve), req, len);
	if (ret == 0 && (ret = sg_wire_decode(&w, reply, reply_len)) != 0)
		snprintf(f->err, sizeof f->err, "the helper's reply does not decode");
	if (ret == 0 && w.env->msg_case == SPILLGUARD__ENVELOPE__MSG_COLLECT_REPLY)
		print_outcome(f, w.env->collect_reply->error != 0, w.env->collect_reply->error);
	else if (ret == 0 && w.env->msg_case == SPILLGUARD__ENVELOPE__MSG_ERROR)
		print_outcome(f, true, w.env->error->code);
	else if (ret == 0)
		ret = SG_ERR_PARSE;
	sg_wire_msg_free(&w);
	free(reply);
	return ret;
}

/* A CollectNow signed with --key: not the task's authority. */
static int make_collect_now(forge *f, uint8_t **out, size_t *len)
{
	memset(f->report_id, 0, sizeof f->report_id);
	return sg_collect_now_msg(out, len, f->task, sg_key_secret(f->key), f->now);
}

/* The leader's answer: an Error's code, or a RoundStatus (accepted). */
static int send_collect_now(forge *f, const uint8_t *req, size_t len)
{
	uint8_t eph[32], *reply = NULL;
	size_t reply_len = 0;
	sg_wire_msg w = { 0 };
	randombytes_buf(eph, sizeof eph);
	int ret = call(f, &reply, &reply_len, 0, eph, req, len);
	if (ret == 0 && (ret = sg_wire_decode(&w, reply, reply_len)) != 0)
		snprintf(f->err, sizeof f->err, "the leader's reply does not decode");
	if (ret == 0 && w.env->msg_case == SPILLGUARD__ENVELOPE__MSG_ERROR)
		print_outcome(f, true, w.env->error->code);
	else if (ret == 0)
		print_outcome(f, w.env->msg_case != SPILLGUARD__ENVELOPE__MSG_ROUND_STATUS, 0);
	sodium_memzero(eph, sizeof eph);
	sg_wire_msg_free(&w);
	free(reply);
	return ret;
}

/* --- the table, options and main ------------------------------------------ */

typedef struct kind {
	const char *name;
	int (*make)(forge *f, uint8_t **report, size_t *len);
	int (*send)(forge *f, const uint8_t *report, size_t len);
	unsigned opts;
	const char *expect;
	const char *description;
} kind;

static const kind kinds[] = {
	{ "unregistered", make_unregistered, send_upload, 0, "3",
	  "an enterprise id not in the roster, signed with a fresh key" },
	{ "wrong-industry", make_wrong_industry, send_upload, O_KEY, "4",
	  "--key's enterprise claiming another of the task's industries" },
	{ "bad-signature", make_bad_signature, send_upload, O_KEY, "5",
	  "an honest report of --key's enterprise, its signature damaged" },
	{ "replay", make_replay, send_upload, O_KEY | O_REPORT_ID, "7",
	  "new contents under --report-id, an id the leader took from --key's\n"
	  "                        enterprise" },
	{ "wrong-aggregator", make_wrong_aggregator, send_upload, O_KEY, "9",
	  "the leader's share sealed to helper 1's key (the digests match)" },
	{ "outside-window", make_outside_window, send_upload, O_KEY, "2",
	  "an honest report signed with a time before the task opens" },
	{ "malformed", make_malformed, send_upload, 0, "6",
	  "an envelope whose report is garbage bytes" },
	{ "forged-proof", make_forged_proof, send_upload, O_KEY, "accepted",
	  "an out-of-range element with a proof made for it;\n"
	  "                        refused (10) in aggregation; --key's enterprise must not\n"
	  "                        have submitted" },
	{ "over-bound", make_over_bound, send_upload, O_KEY, "accepted",
	  "--key's enterprise's report, its smallest-bound category holding the\n"
	  "                        largest category's max, with a proof made for that encoding;\n"
	  "                        refused (10) in aggregation when the task proves each bound" },
	{ "inject", make_sybil, send_inject, O_LEADER_KEYS | O_HELPER | O_ENTERPRISE, "5",
	  "as the leader, a job for helper --helper holding a report of\n"
	  "                        --enterprise signed by a fresh key" },
	{ "collect-again", make_collect_again, send_collect_again,
	  O_LEADER_KEYS | O_HELPER | O_BATCH, "5",
	  "as the leader, helper --helper asked again for a released batch\n"
	  "                        (--industry, --count, --root) under a new collect id" },
	{ "collect-now", make_collect_now, send_collect_now, O_KEY, "5",
	  "a collect order signed with --key instead of the authority's key" },
};
#define N_KINDS (sizeof kinds / sizeof kinds[0])

static void usage(FILE *out)
{
	fprintf(out, "Usage: " PROG " KIND --task TASK.sgt [--key ENT_DIR_OR_SIGN.sk] "
		     "[--report-id HEX]\n"
		     "             [--leader-keys AGG0_DIR] [--helper J] [--enterprise ID]\n"
		     "             [--industry K --count N --root HEX]\n\n"
		     "Sends one bad upload to the task's leader and prints\n"
		     "  outcome=accepted report=HEX  or  outcome=refused code=N report=HEX\n"
		     "Exits 0 when a reply came, 2 otherwise. KIND (code an honest "
		     "aggregator gives):\n");
	for (size_t i = 0; i < N_KINDS; i++)
		fprintf(out, "  %-17s [%s] %s\n", kinds[i].name, kinds[i].expect,
			kinds[i].description);
}

/* Options for kind k: each once, each one k takes, all k needs. */
static bool parse_opts(opts *o, const kind *k, int argc, char **argv)
{
	const struct {
		const char *name;
		unsigned bit; /* 0: every kind needs it */
		const char **value;
	} options[] = {
		{ "--task", 0, &o->task },
		{ "--key", O_KEY, &o->key },
		{ "--report-id", O_REPORT_ID, &o->report_id },
		{ "--leader-keys", O_LEADER_KEYS, &o->leader_keys },
		{ "--helper", O_HELPER, &o->helper },
		{ "--enterprise", O_ENTERPRISE, &o->enterprise },
		{ "--industry", O_BATCH, &o->industry },
		{ "--count", O_BATCH, &o->count },
		{ "--root", O_BATCH, &o->root },
	};
	const size_t n = sizeof options / sizeof options[0];
	memset(o, 0, sizeof *o);
	for (int i = 2; i < argc; i += 2) {
		size_t j = 0;
		while (j < n && strcmp(argv[i], options[j].name) != 0)
			j++;
		const char *why = NULL;
		if (j == n)
			why = "unexpected argument";
		else if (options[j].bit != 0 && !(k->opts & options[j].bit))
			why = "not used by this kind";
		else if (*options[j].value != NULL)
			why = "given twice";
		else if (i + 1 >= argc)
			why = "needs a value";
		if (why != NULL) {
			fprintf(stderr, PROG " %s: '%s': %s (see --help)\n", k->name, argv[i], why);
			return false;
		}
		*options[j].value = argv[i + 1];
	}
	for (size_t j = 0; j < n; j++) {
		bool needed = options[j].bit == 0 || (k->opts & options[j].bit);
		if (needed && *options[j].value == NULL) {
			fprintf(stderr, PROG " %s: %s is needed\n", k->name, options[j].name);
			return false;
		}
	}
	return true;
}

static int load_task(forge *f, const char *path)
{
	char *bytes = NULL;
	size_t len;
	int ret = sg_file_read(&bytes, &len, path, MAX_TASK_BYTES, f->err, sizeof f->err);
	if (ret == 0 && (ret = sg_task_open(&f->task, (const uint8_t *)bytes, len, NULL, f->err,
					    sizeof f->err)) != 0) {
		size_t n = strlen(f->err);
		snprintf(f->err + n, sizeof f->err - n, " (%s)", path);
	}
	if (ret == 0 && (ret = sg_task_prio3(&f->p, f->task)) != 0)
		snprintf(f->err, sizeof f->err, "%s: no Prio3 instance: %s", path, sg_strerror(ret));
	free(bytes);
	return ret;
}

/* The index of the roster entry whose key is pk, or -1. */
static long roster_of(const sg_task *t, const uint8_t pk[32])
{
	for (size_t i = 0; i < t->body->n_roster; i++)
		if (memcmp(t->body->roster[i]->sign_pk.data, pk, 32) == 0)
			return (long)i;
	return -1;
}

/* A key file, or the file of that kind in a key folder. */
static int load_key(forge *f, sg_key **k, const char *path, enum sg_key_kind kind)
{
	char file[4096];
	struct stat st;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		snprintf(file, sizeof file, "%s/%s.sk", path, sg_key_kind_name(kind));
		path = file;
	}
	return sg_key_load_secret(k, path, kind, f->err, sizeof f->err);
}

static int load_enterprise(forge *f, const char *path)
{
	int ret = load_key(f, &f->key, path, SG_KEY_SIGN);
	if (ret == 0 && (f->ros = roster_of(f->task, sg_key_public(f->key))) < 0) {
		snprintf(f->err, sizeof f->err, "%s: not the key of an enterprise in the roster",
			 path);
		ret = SG_ERR_PARAM;
	}
	return ret;
}

static int read_report_id(forge *f, const char *hex)
{
	size_t len;
	if (sg_hex_decode_vartime(f->report_id, sizeof f->report_id, &len, hex, strlen(hex)) != 0 ||
	    len != SG_REPORT_ID_BYTES) {
		snprintf(f->err, sizeof f->err, "--report-id '%s': not %d hex bytes", hex,
			 SG_REPORT_ID_BYTES);
		return SG_ERR_PARSE;
	}
	return 0;
}

static int read_helper(forge *f, const char *s)
{
	char *end;
	unsigned long j = strtoul(s, &end, 10);
	if (*s < '0' || *s > '9' || *end != '\0' || j == 0 || j >= f->task->body->n_aggregators) {
		snprintf(f->err, sizeof f->err, "--helper '%s': not a helper of the task (1 to %zu)",
			 s, f->task->body->n_aggregators - 1);
		return SG_ERR_PARAM;
	}
	f->helper = (unsigned)j;
	return 0;
}

static int read_victim(forge *f, const char *id)
{
	if ((f->victim = sg_task_roster_find(f->task, id)) < 0) {
		snprintf(f->err, sizeof f->err, "--enterprise '%s': not in the task's roster", id);
		return SG_ERR_PARAM;
	}
	return 0;
}

static int read_batch(forge *f, const opts *o)
{
	char *end1, *end2;
	size_t len;
	unsigned long k = strtoul(o->industry, &end1, 10);
	unsigned long long n = strtoull(o->count, &end2, 10);
	if (*end1 != '\0' || *end2 != '\0' || k > UINT32_MAX ||
	    sg_hex_decode_vartime(f->root, sizeof f->root, &len, o->root, strlen(o->root)) != 0 ||
	    len != sizeof f->root) {
		snprintf(f->err, sizeof f->err, "--industry, --count or --root is not a number / 32 "
						"hex bytes");
		return SG_ERR_PARSE;
	}
	f->industry = (uint32_t)k;
	f->count = n;
	return 0;
}

static int setup(forge *f, const opts *o)
{
	int ret = load_task(f, o->task);
	if (ret == 0)
		ret = sg_key_generate(&f->fresh, SG_KEY_ROLE_ENTERPRISE, SG_KEY_SIGN, NULL);
	if (ret == 0 && o->key)
		ret = load_enterprise(f, o->key);
	if (ret == 0 && o->report_id)
		ret = read_report_id(f, o->report_id);
	else if (ret == 0)
		randombytes_buf(f->report_id, sizeof f->report_id);
	if (ret == 0 && o->leader_keys)
		ret = load_key(f, &f->curve, o->leader_keys, SG_KEY_CURVE);
	if (ret == 0 && o->helper)
		ret = read_helper(f, o->helper);
	if (ret == 0 && o->enterprise)
		ret = read_victim(f, o->enterprise);
	if (ret == 0 && o->industry)
		ret = read_batch(f, o);
	if (ret != 0 && f->err[0] == '\0')
		snprintf(f->err, sizeof f->err, "%s", sg_strerror(ret));
	return ret;
}

static void forge_done(forge *f)
{
	sg_key_free(f->key);
	sg_key_free(f->fresh);
	sg_key_free(f->curve);
	sg_prio3_free(f->p);
	sg_task_free(f->task);
}

int main(int argc, char **argv)
{
	const kind *k = NULL;
	forge f = { .now = (uint64_t)time(NULL) };
	opts o;
	uint8_t *report = NULL;
	size_t len = 0;
	int status = 2;
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; argc >= 2 && i < N_KINDS && k == NULL; i++)
		k = strcmp(argv[1], kinds[i].name) == 0 ? &kinds[i] : NULL;
	if (k == NULL) {
		fprintf(stderr, PROG ": %s%s%s (see --help)\n", argc < 2 ? "no KIND given" : "unknown KIND '",
			argc < 2 ? "" : argv[1], argc < 2 ? "" : "'");
		return 2;
	}
	if (!parse_opts(&o, k, argc, argv))
		return 2;
	if (sodium_init() < 0) {
		fprintf(stderr, PROG ": libsodium does not start\n");
		return 2;
	}
	if (setup(&f, &o) == 0 && k->make(&f, &report, &len) == 0 && k->send(&f, report, len) == 0)
		status = 0;
	else
		fprintf(stderr, PROG " %s: %s\n", k->name, f.err[0] ? f.err : "failed");
	free(report);
	forge_done(&f);
	return status;
}
