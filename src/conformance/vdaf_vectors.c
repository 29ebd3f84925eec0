/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The draft's known-answer tests. Each operation takes its inputs from the
 * vector (so a bad_* vector's tampered message reaches the operation that
 * must reject it) and compares what it produces with the vector.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conformance/vdaf_vectors.h"
#include "core/field.h"
#include "core/xof.h"
#include "spillguard/prio3.h"
#include "util/hex.h"
#include "util/json.h"

typedef struct run {
	char *msg;
	size_t msg_len;
	const sg_json *doc, *reports;
	sg_prio3 *p;
	uint8_t *ctx;
	size_t ctx_len;
	uint8_t vk[SG_PRIO3_VERIFY_KEY_BYTES];
	size_t nreports;
	unsigned shares;
	sg_prio3_state **states; /* nreports * shares */
	uint64_t *maxes;         /* BoundedSumVec's "max_measurements" */
} run;

__attribute__((format(printf, 3, 4)))
static enum sg_vector_result say(run *r, enum sg_vector_result res, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->msg, r->msg_len, fmt, ap);
	va_end(ap);
	return res;
}

/* Decodes the hex string at key (or at index when key is NULL). */
static bool get_hex(const sg_json *j, const char *key, uint8_t **out, size_t *len)
{
	const sg_json *v = key ? sg_json_get(j, key) : j;
	size_t n;
	const char *s = sg_json_str(v, &n);
	*out = NULL;
	*len = 0;
	return s != NULL && sg_hex_decode_alloc_vartime(out, len, s, n) == 0;
}

/* "<op> report <i> aggregator <a>" with the parts that apply. */
static void where(char *buf, size_t len, const char *op, long report, long agg)
{
	int k = snprintf(buf, len, "%s", op);
	if (report >= 0 && k >= 0 && (size_t)k < len)
		k += snprintf(buf + k, len - (size_t)k, " report %ld", report);
	if (agg >= 0 && k >= 0 && (size_t)k < len)
		snprintf(buf + k, len - (size_t)k, " aggregator %ld", agg);
}

/* Long values are shown from the first difference, 48 bytes of each. */
static enum sg_vector_result mismatch(run *r, const char *at, const uint8_t *exp, size_t exp_len,
				      const uint8_t *got, size_t got_len)
{
	size_t off = 0, show = 48;
	while (off < exp_len && off < got_len && exp[off] == got[off])
		off++;
	if (exp_len <= show && got_len <= show)
		off = 0;
	size_t ne = exp_len - off < show ? exp_len - off : show;
	size_t ng = got_len - off < show ? got_len - off : show;
	char he[2 * 48 + 1], hg[2 * 48 + 1];
	sg_hex_encode(he, exp + off, ne);
	sg_hex_encode(hg, got + off, ng);
	if (off == 0 && ne == exp_len && ng == got_len)
		return say(r, SG_VECTOR_FAIL, "%s: expected %s got %s", at, he, hg);
	return say(r, SG_VECTOR_FAIL,
		   "%s: expected %s%s got %s%s (first difference at byte %zu; %zu vs %zu bytes)", at,
		   he, ne < exp_len - off ? "..." : "", hg, ng < got_len - off ? "..." : "", off,
		   exp_len, got_len);
}

static enum sg_vector_result compare(run *r, const char *at, const sg_json *expected_hex,
				     const uint8_t *got, size_t got_len)
{
	uint8_t *exp;
	size_t exp_len;
	if (!get_hex(expected_hex, NULL, &exp, &exp_len))
		return say(r, SG_VECTOR_ERROR, "%s: expected value is not a hex string", at);
	enum sg_vector_result res = SG_VECTOR_PASS;
	if (exp_len != got_len || memcmp(exp, got, got_len) != 0)
		res = mismatch(r, at, exp, exp_len, got, got_len);
	free(exp);
	return res;
}

/* Outcome of an operation against the vector's "success". */
static enum sg_vector_result outcome(run *r, const char *at, bool want_ok, int ret)
{
	if (want_ok && ret != 0)
		return say(r, SG_VECTOR_FAIL, "%s: unexpected error: %s", at, sg_strerror(ret));
	if (!want_ok && ret == 0)
		return say(r, SG_VECTOR_FAIL, "%s: expected failure, but it succeeded", at);
	return SG_VECTOR_PASS;
}

static const sg_json *report_at(run *r, size_t i)
{
	return sg_json_at(r->reports, i);
}

/* Measurement as integers: a number, or an array of numbers or booleans. */
static bool measurement(const sg_json *m, uint64_t **out, size_t *n)
{
	bool ok = true;
	size_t len = sg_json_type_of(m) == SG_JSON_ARRAY ? sg_json_len(m) : 1;
	*out = calloc(len ? len : 1, sizeof **out);
	*n = len;
	if (*out == NULL)
		return false;
	if (sg_json_type_of(m) != SG_JSON_ARRAY)
		return sg_json_u64(m, &(*out)[0]);
	for (size_t i = 0; i < len && ok; i++) {
		const sg_json *e = sg_json_at(m, i);
		bool b;
		if (sg_json_bool(e, &b))
			(*out)[i] = b;
		else
			ok = sg_json_u64(e, &(*out)[i]);
	}
	return ok;
}

static enum sg_vector_result op_shard(run *r, size_t ri, bool want_ok)
{
	char at[96];
	where(at, sizeof at, "shard", (long)ri, -1);
	const sg_json *rep = report_at(r, ri);
	uint8_t *nonce = NULL, *rnd = NULL, *pub = NULL, *shares[256] = { 0 };
	uint64_t *meas = NULL;
	size_t nonce_len, rnd_len, meas_n;
	enum sg_vector_result res = SG_VECTOR_ERROR;
	if (!get_hex(rep, "nonce", &nonce, &nonce_len) || nonce_len != SG_PRIO3_NONCE_BYTES ||
	    !get_hex(rep, "rand", &rnd, &rnd_len) ||
	    !measurement(sg_json_get(rep, "measurement"), &meas, &meas_n)) {
		res = say(r, res, "%s: missing or malformed nonce, rand or measurement", at);
		goto cleanup;
	}
	pub = malloc(sg_prio3_public_share_bytes(r->p) + 1);
	for (unsigned j = 0; j < r->shares; j++)
		shares[j] = malloc(sg_prio3_input_share_bytes(r->p, j));
	int ret = sg_prio3_shard(r->p, pub, shares, r->ctx, r->ctx_len, meas, meas_n, nonce, rnd,
				 rnd_len);
	res = outcome(r, at, want_ok, ret);
	if (res != SG_VECTOR_PASS || !want_ok)
		goto cleanup;
	res = compare(r, at, sg_json_get(rep, "public_share"), pub,
		      sg_prio3_public_share_bytes(r->p));
	const sg_json *exp = sg_json_get(rep, "input_shares");
	for (unsigned j = 0; j < r->shares && res == SG_VECTOR_PASS; j++) {
		where(at, sizeof at, "shard", (long)ri, (long)j);
		res = compare(r, at, sg_json_at(exp, j), shares[j],
			      sg_prio3_input_share_bytes(r->p, j));
	}
cleanup:
	for (unsigned j = 0; j < r->shares; j++)
		free(shares[j]);
	free(pub);
	free(meas);
	free(nonce);
	free(rnd);
	return res;
}

static enum sg_vector_result op_verify_init(run *r, size_t ri, unsigned agg, bool want_ok)
{
	char at[96];
	where(at, sizeof at, "verify_init", (long)ri, agg);
	const sg_json *rep = report_at(r, ri);
	uint8_t *nonce = NULL, *pub = NULL, *in = NULL, *vs = NULL;
	size_t nonce_len, pub_len, in_len;
	enum sg_vector_result res = SG_VECTOR_ERROR;
	if (!get_hex(rep, "nonce", &nonce, &nonce_len) || nonce_len != SG_PRIO3_NONCE_BYTES ||
	    !get_hex(rep, "public_share", &pub, &pub_len) ||
	    !get_hex(sg_json_at(sg_json_get(rep, "input_shares"), agg), NULL, &in, &in_len)) {
		res = say(r, res, "%s: missing nonce, public share or input share", at);
		goto cleanup;
	}
	vs = malloc(sg_prio3_verifier_share_bytes(r->p));
	int ret = sg_prio3_verify_init(r->p, r->states[ri * r->shares + agg], vs, r->vk, r->ctx,
				       r->ctx_len, agg, nonce, pub, pub_len, in, in_len);
	res = outcome(r, at, want_ok, ret);
	if (res == SG_VECTOR_PASS && want_ok) {
		const sg_json *round0 = sg_json_at(sg_json_get(rep, "verifier_shares"), 0);
		res = compare(r, at, sg_json_at(round0, agg), vs, sg_prio3_verifier_share_bytes(r->p));
	}
cleanup:
	free(nonce);
	free(pub);
	free(in);
	free(vs);
	return res;
}

static enum sg_vector_result op_to_message(run *r, size_t ri, bool want_ok)
{
	char at[96];
	where(at, sizeof at, "verifier_shares_to_message", (long)ri, -1);
	const sg_json *rep = report_at(r, ri);
	const sg_json *round0 = sg_json_at(sg_json_get(rep, "verifier_shares"), 0);
	uint8_t *vs[256] = { 0 }, *msg = NULL;
	size_t lens[256] = { 0 };
	enum sg_vector_result res = SG_VECTOR_ERROR;
	for (unsigned j = 0; j < r->shares; j++) {
		if (!get_hex(sg_json_at(round0, j), NULL, &vs[j], &lens[j])) {
			res = say(r, res, "%s: missing verifier share %u", at, j);
			goto cleanup;
		}
	}
	msg = malloc(sg_prio3_verifier_message_bytes(r->p) + 1);
	int ret = sg_prio3_verifier_shares_to_message(r->p, msg, r->ctx, r->ctx_len,
						      (const uint8_t *const *)vs, lens);
	res = outcome(r, at, want_ok, ret);
	if (res == SG_VECTOR_PASS && want_ok)
		res = compare(r, at, sg_json_at(sg_json_get(rep, "verifier_messages"), 0), msg,
			      sg_prio3_verifier_message_bytes(r->p));
cleanup:
	for (unsigned j = 0; j < r->shares; j++)
		free(vs[j]);
	free(msg);
	return res;
}

static enum sg_vector_result op_verify_next(run *r, size_t ri, unsigned agg, bool want_ok)
{
	char at[96];
	where(at, sizeof at, "verify_next", (long)ri, agg);
	const sg_json *rep = report_at(r, ri);
	uint8_t *msg = NULL, *out = NULL;
	size_t msg_len;
	enum sg_vector_result res = SG_VECTOR_ERROR;
	if (!get_hex(sg_json_at(sg_json_get(rep, "verifier_messages"), 0), NULL, &msg, &msg_len)) {
		res = say(r, res, "%s: missing verifier message", at);
		goto cleanup;
	}
	sg_prio3_state *st = r->states[ri * r->shares + agg];
	int ret = sg_prio3_verify_next(r->p, st, msg, msg_len);
	res = outcome(r, at, want_ok, ret);
	if (res == SG_VECTOR_PASS && want_ok) {
		out = malloc(sg_prio3_out_share_bytes(r->p));
		ret = sg_prio3_out_share_encode(r->p, out, st);
		res = outcome(r, at, true, ret);
		if (res == SG_VECTOR_PASS)
			res = compare(r, at, sg_json_at(sg_json_get(rep, "out_shares"), agg), out,
				      sg_prio3_out_share_bytes(r->p));
	}
cleanup:
	free(msg);
	free(out);
	return res;
}

/* Sums the vector's output shares of every report for one aggregator. */
static enum sg_vector_result op_aggregate(run *r, unsigned agg, bool want_ok)
{
	char at[96];
	where(at, sizeof at, "aggregate", -1, agg);
	sg_prio3_agg *acc = NULL;
	uint8_t *share = NULL, *enc = NULL;
	size_t len;
	int ret = sg_prio3_agg_new(r->p, &acc);
	for (size_t i = 0; ret == 0 && i < r->nreports; i++) {
		const sg_json *outs = sg_json_get(report_at(r, i), "out_shares");
		if (!get_hex(sg_json_at(outs, agg), NULL, &share, &len)) {
			ret = SG_ERR_PARSE;
			break;
		}
		ret = sg_prio3_agg_add_encoded(r->p, acc, share, len);
		free(share);
		share = NULL;
	}
	enum sg_vector_result res = outcome(r, at, want_ok, ret);
	if (res == SG_VECTOR_PASS && want_ok) {
		enc = malloc(sg_prio3_out_share_bytes(r->p));
		sg_prio3_agg_encode(r->p, enc, acc);
		res = compare(r, at, sg_json_at(sg_json_get(r->doc, "agg_shares"), agg), enc,
			      sg_prio3_out_share_bytes(r->p));
	}
	free(enc);
	sg_prio3_agg_free(acc);
	return res;
}

static enum sg_vector_result op_unshard(run *r, bool want_ok)
{
	const char *at = "unshard";
	const sg_json *aggs = sg_json_get(r->doc, "agg_shares");
	uint8_t *shares[256] = { 0 };
	size_t lens[256] = { 0 }, out_len = sg_prio3_output_len(r->p), exp_n;
	uint64_t *result = calloc(out_len, sizeof *result), *expected = NULL;
	enum sg_vector_result res = SG_VECTOR_ERROR;
	for (unsigned j = 0; j < r->shares; j++)
		if (!get_hex(sg_json_at(aggs, j), NULL, &shares[j], &lens[j])) {
			res = say(r, res, "%s: missing aggregate share %u", at, j);
			goto cleanup;
		}
	int ret = sg_prio3_unshard(r->p, result, out_len, (const uint8_t *const *)shares, lens,
				   r->nreports);
	res = outcome(r, at, want_ok, ret);
	if (res != SG_VECTOR_PASS || !want_ok)
		goto cleanup;
	if (!measurement(sg_json_get(r->doc, "agg_result"), &expected, &exp_n) || exp_n != out_len) {
		res = say(r, SG_VECTOR_ERROR, "%s: malformed agg_result", at);
		goto cleanup;
	}
	for (size_t i = 0; i < out_len; i++)
		if (result[i] != expected[i]) {
			res = say(r, SG_VECTOR_FAIL, "%s: element %zu: expected %llu got %llu", at, i,
				  (unsigned long long)expected[i], (unsigned long long)result[i]);
			break;
		}
cleanup:
	for (unsigned j = 0; j < r->shares; j++)
		free(shares[j]);
	free(result);
	free(expected);
	return res;
}

static enum sg_vector_result run_op(run *r, const sg_json *op)
{
	size_t n;
	const char *name = sg_json_str(sg_json_get(op, "operation"), &n);
	uint64_t ri = 0, agg = 0;
	bool want_ok;
	if (name == NULL || !sg_json_bool(sg_json_get(op, "success"), &want_ok))
		return say(r, SG_VECTOR_ERROR, "operation without name or success flag");
	bool has_ri = sg_json_u64(sg_json_get(op, "report_index"), &ri);
	bool has_agg = sg_json_u64(sg_json_get(op, "aggregator_id"), &agg);
	if ((has_ri && ri >= r->nreports) || (has_agg && agg >= r->shares))
		return say(r, SG_VECTOR_ERROR, "%s: report or aggregator index out of range", name);
	if (strcmp(name, "shard") == 0 && has_ri)
		return op_shard(r, (size_t)ri, want_ok);
	if (strcmp(name, "verify_init") == 0 && has_ri && has_agg)
		return op_verify_init(r, (size_t)ri, (unsigned)agg, want_ok);
	if (strcmp(name, "verifier_shares_to_message") == 0 && has_ri)
		return op_to_message(r, (size_t)ri, want_ok);
	if (strcmp(name, "verify_next") == 0 && has_ri && has_agg)
		return op_verify_next(r, (size_t)ri, (unsigned)agg, want_ok);
	if (strcmp(name, "aggregate") == 0 && has_agg)
		return op_aggregate(r, (unsigned)agg, want_ok);
	if (strcmp(name, "unshard") == 0)
		return op_unshard(r, want_ok);
	return say(r, SG_VECTOR_ERROR, "unknown or incomplete operation '%s'", name);
}

/* Variant name: the file's base name up to the first '_' or '.'. */
static void variant_of(const char *path, char *out, size_t len)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t n = strcspn(base, "_.");
	if (n >= len)
		n = len - 1;
	memcpy(out, base, n);
	out[n] = '\0';
}

static bool param(const sg_json *doc, const char *key, uint64_t *out)
{
	return sg_json_u64(sg_json_get(doc, key), out);
}

/* SumVecWithMultiproof files do not state the field or proof count; take
 * "field"/"proofs" when present, else the pair that explains the leader's
 * input share length (Field64 first, as the draft's vectors use). */
static bool infer_multiproof(const sg_json *doc, sg_prio3_params *pp)
{
	uint64_t proofs;
	size_t n;
	const char *field = sg_json_str(sg_json_get(doc, "field"), &n);
	if (field != NULL)
		pp->field = strcmp(field, "Field64") == 0 ? SG_PRIO3_FIELD64 : SG_PRIO3_FIELD128;
	if (param(doc, "proofs", &proofs)) {
		pp->proofs = (unsigned)proofs;
		return proofs >= 1 && proofs <= 255;
	}
	const sg_json *rep = sg_json_at(sg_json_get(doc, "reports"), 0);
	const char *leader = sg_json_str(sg_json_at(sg_json_get(rep, "input_shares"), 0), &n);
	if (leader == NULL)
		return false;
	for (int fi = 0; fi < 2; fi++) {
		if (field == NULL)
			pp->field = fi == 0 ? SG_PRIO3_FIELD64 : SG_PRIO3_FIELD128;
		for (unsigned k = 1; k <= 255; k++) {
			sg_prio3 *p;
			pp->proofs = k;
			if (sg_prio3_new(&p, pp) != 0)
				return false;
			bool hit = sg_prio3_input_share_bytes(p, 0) * 2 == n;
			sg_prio3_free(p);
			if (hit)
				return true;
		}
	}
	return false;
}

static enum sg_vector_result make_params(run *r, const char *variant, sg_prio3_params *pp)
{
	static const struct {
		const char *name;
		enum sg_prio3_circuit circuit;
	} variants[] = {
		{ "Prio3Count", SG_PRIO3_COUNT },
		{ "Prio3Sum", SG_PRIO3_SUM },
		{ "Prio3SumVec", SG_PRIO3_SUMVEC },
		{ "Prio3SumVecWithMultiproof", SG_PRIO3_SUMVEC },
		{ "Prio3Histogram", SG_PRIO3_HISTOGRAM },
		{ "Prio3MultihotCountVec", SG_PRIO3_MULTIHOT_COUNTVEC },
		{ "Prio3HigherDegree", SG_PRIO3_HIGHER_DEGREE_TEST },
		{ "Prio3BoundedSumVec", SG_PRIO3_BOUNDED_SUMVEC },
		{ "Prio3BoundedSumVecWithMultiproof", SG_PRIO3_BOUNDED_SUMVEC },
	};
	uint64_t shares = 0;
	size_t i = 0;
	while (i < sizeof variants / sizeof variants[0] && strcmp(variants[i].name, variant) != 0)
		i++;
	if (i == sizeof variants / sizeof variants[0])
		return say(r, SG_VECTOR_SKIP, "%s is not a variant this runner implements", variant);
	if (!param(r->doc, "shares", &shares) || shares < 2 || shares > 255)
		return say(r, SG_VECTOR_ERROR, "missing or invalid 'shares'");
	sg_prio3_params_standard(pp, variants[i].circuit, (unsigned)shares);
	param(r->doc, "length", &pp->length);
	param(r->doc, "max_measurement", &pp->max_measurement);
	param(r->doc, "chunk_length", &pp->chunk_length);
	param(r->doc, "max_weight", &pp->max_weight);
	if (variants[i].circuit == SG_PRIO3_BOUNDED_SUMVEC) {
		const sg_json *maxes = sg_json_get(r->doc, "max_measurements");
		if (!measurement(maxes, &r->maxes, &pp->max_measurements_len) ||
		    sg_json_type_of(maxes) != SG_JSON_ARRAY)
			return say(r, SG_VECTOR_ERROR, "missing or invalid 'max_measurements'");
		pp->max_measurements = r->maxes;
	}
	if (strcmp(variant, "Prio3BoundedSumVecWithMultiproof") == 0) {
		pp->algorithm_id = SG_PRIO3_BOUNDED_SUMVEC_MULTIPROOF_ID;
		if (!infer_multiproof(r->doc, pp))
			return say(r, SG_VECTOR_ERROR, "cannot determine the field and proof count");
	}
	if (strcmp(variant, "Prio3SumVecWithMultiproof") == 0) {
		pp->algorithm_id = 0xffffffffu;
		if (!infer_multiproof(r->doc, pp))
			return say(r, SG_VECTOR_ERROR, "cannot determine the field and proof count");
	}
	return SG_VECTOR_PASS;
}

static enum sg_vector_result setup(run *r, const char *variant)
{
	sg_prio3_params pp;
	uint8_t *vk = NULL;
	size_t vk_len;
	enum sg_vector_result res = make_params(r, variant, &pp);
	if (res != SG_VECTOR_PASS)
		return res;
	int ret = sg_prio3_new(&r->p, &pp);
	if (ret != 0)
		return say(r, SG_VECTOR_ERROR, "parameters rejected: %s", sg_strerror(ret));
	r->shares = pp.shares;
	r->reports = sg_json_get(r->doc, "reports");
	r->nreports = sg_json_len(r->reports);
	if (!get_hex(r->doc, "ctx", &r->ctx, &r->ctx_len) || !get_hex(r->doc, "verify_key", &vk, &vk_len) ||
	    vk_len != sizeof r->vk) {
		free(vk);
		return say(r, SG_VECTOR_ERROR, "missing ctx or verify_key");
	}
	memcpy(r->vk, vk, sizeof r->vk);
	free(vk);
	r->states = calloc(r->nreports * r->shares + 1, sizeof *r->states);
	if (r->states == NULL)
		return say(r, SG_VECTOR_ERROR, "out of memory");
	for (size_t i = 0; i < r->nreports * r->shares; i++)
		if (sg_prio3_state_new(r->p, &r->states[i]) != 0)
			return say(r, SG_VECTOR_ERROR, "out of memory");
	return SG_VECTOR_PASS;
}

static void teardown(run *r)
{
	if (r->states != NULL)
		for (size_t i = 0; i < r->nreports * r->shares; i++)
			sg_prio3_state_free(r->states[i]);
	free(r->states);
	free(r->ctx);
	free(r->maxes);
	sg_prio3_free(r->p);
}

/* XofTurboShake128.json: derive_seed and expand_into_vec over Field128. */
static enum sg_vector_result run_xof(run *r)
{
	uint8_t *seed = NULL, *dst = NULL, *binder = NULL, *enc = NULL;
	size_t seed_len, dst_len, binder_len;
	uint64_t length = 0;
	sg_fe *vec = NULL;
	enum sg_vector_result res = SG_VECTOR_ERROR;
	if (!get_hex(r->doc, "seed", &seed, &seed_len) || seed_len != SG_XOF_SEED_BYTES ||
	    !get_hex(r->doc, "dst", &dst, &dst_len) ||
	    !get_hex(r->doc, "binder", &binder, &binder_len) ||
	    !param(r->doc, "length", &length) || length == 0 || length > (1u << 20)) {
		res = say(r, res, "missing seed, dst, binder or length");
		goto cleanup;
	}
	uint8_t derived[SG_XOF_SEED_BYTES];
	sg_xof_derive_seed(derived, seed, dst, dst_len, binder, binder_len);
	res = compare(r, "derive_seed", sg_json_get(r->doc, "derived_seed"), derived, sizeof derived);
	if (res != SG_VECTOR_PASS)
		goto cleanup;
	vec = calloc((size_t)length, sizeof *vec);
	enc = malloc((size_t)length * 16);
	sg_xof x;
	sg_xof_start(&x, seed, seed_len, dst, dst_len);
	sg_xof_absorb(&x, binder, binder_len);
	sg_field128.sample(vec, (size_t)length, &x);
	sg_field128.encode(enc, vec, (size_t)length);
	res = compare(r, "expand_into_vec", sg_json_get(r->doc, "expanded_vec_field128"), enc,
		      (size_t)length * 16);
cleanup:
	free(seed);
	free(dst);
	free(binder);
	free(vec);
	free(enc);
	return res;
}

enum sg_vector_result sg_vdaf_vector_run(const char *path, char *msg, size_t msg_len)
{
	char variant[64], err[256];
	sg_json *doc = NULL;
	run r = { .msg = msg, .msg_len = msg_len };
	enum sg_vector_result res;
	msg[0] = '\0';
	variant_of(path, variant, sizeof variant);
	if (strncmp(variant, "Prio3", 5) != 0 && strcmp(variant, "XofTurboShake128") != 0)
		return say(&r, SG_VECTOR_SKIP, "%s is not a variant this runner implements", variant);
	if (sg_json_load_file(&doc, path, err, sizeof err) != 0)
		return say(&r, SG_VECTOR_ERROR, "%s", err);
	r.doc = doc;
	if (strcmp(variant, "XofTurboShake128") == 0) {
		res = run_xof(&r);
		goto cleanup;
	}
	res = setup(&r, variant);
	const sg_json *ops = sg_json_get(doc, "operations");
	if (res == SG_VECTOR_PASS && sg_json_len(ops) == 0)
		res = say(&r, SG_VECTOR_ERROR, "no operations");
	for (size_t i = 0; res == SG_VECTOR_PASS && i < sg_json_len(ops); i++)
		res = run_op(&r, sg_json_at(ops, i));
cleanup:
	teardown(&r);
	sg_json_free(doc);
	return res;
}
