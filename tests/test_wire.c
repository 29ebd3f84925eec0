/* SPDX-License-Identifier: Apache-2.0 */
/* Envelopes: round trips, and refusal of oversized, malformed, empty,
 * wrong-version and memory-hungry inputs. */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "spillguard/err.h"
#include "wire/codec.h"

static uint8_t *encode_env(const Spillguard__Envelope *env, size_t *len)
{
	uint8_t *buf;
	cr_assert_eq(sg_wire_encode(&buf, len, env), 0);
	return buf;
}

Test(wire, report_round_trip)
{
	uint8_t body[300], sig[64], enc[32], ct[100];
	for (size_t i = 0; i < sizeof body; i++)
		body[i] = (uint8_t)i;
	memset(sig, 0x51, sizeof sig);
	memset(enc, 0xe1, sizeof enc);
	memset(ct, 0xc7, sizeof ct);
	Spillguard__SealedShare s0 = SPILLGUARD__SEALED_SHARE__INIT, s1 = SPILLGUARD__SEALED_SHARE__INIT;
	s0.enc = (ProtobufCBinaryData){ sizeof enc, enc };
	s0.ciphertext = (ProtobufCBinaryData){ sizeof ct, ct };
	s1 = s0;
	Spillguard__SealedShare *shares[2] = { &s0, &s1 };
	Spillguard__Report rep = SPILLGUARD__REPORT__INIT;
	rep.version = SG_WIRE_VERSION;
	rep.body = (ProtobufCBinaryData){ sizeof body, body };
	rep.signature = (ProtobufCBinaryData){ sizeof sig, sig };
	rep.n_shares = 2;
	rep.shares = shares;
	Spillguard__Envelope env = SPILLGUARD__ENVELOPE__INIT;
	env.msg_case = SPILLGUARD__ENVELOPE__MSG_REPORT;
	env.report = &rep;

	size_t len;
	uint8_t *buf = encode_env(&env, &len);
	sg_wire_msg m;
	cr_assert_eq(sg_wire_decode(&m, buf, len), 0);
	cr_assert_eq(m.env->msg_case, SPILLGUARD__ENVELOPE__MSG_REPORT);
	const Spillguard__Report *r = m.env->report;
	cr_assert_eq(r->body.len, sizeof body);
	cr_assert_arr_eq(r->body.data, body, sizeof body);
	cr_assert_arr_eq(r->signature.data, sig, sizeof sig);
	cr_assert_eq(r->n_shares, 2);
	cr_assert_arr_eq(r->shares[1]->ciphertext.data, ct, sizeof ct);
	sg_wire_msg_free(&m);
	cr_assert_null(m.env);

	/* routed without decoding: the report's own bytes */
	uint32_t field;
	const uint8_t *payload;
	size_t plen;
	cr_assert_eq(sg_wire_envelope_peek(buf, len, &field, &payload, &plen), 0);
	cr_assert_eq(field, SPILLGUARD__ENVELOPE__MSG_REPORT);
	size_t rlen = spillguard__report__get_packed_size(&rep);
	uint8_t *alone = malloc(rlen);
	spillguard__report__pack(&rep, alone);
	cr_assert_eq(plen, rlen);
	cr_assert_arr_eq(payload, alone, rlen);
	free(alone);
	/* cut short, or with a byte after the field: not one whole field */
	cr_assert_eq(sg_wire_envelope_peek(buf, len - 1, &field, &payload, &plen), SG_ERR_PARSE);
	cr_assert_null(payload);
	uint8_t *longer = malloc(len + 1);
	memcpy(longer, buf, len);
	longer[len] = 0;
	cr_assert_eq(sg_wire_envelope_peek(longer, len + 1, &field, &payload, &plen), SG_ERR_PARSE);
	free(longer);
	uint8_t varint_field[2] = { 0x08, 0x01 }, empty[1] = { 0 };
	cr_assert_eq(sg_wire_envelope_peek(varint_field, 2, &field, &payload, &plen), SG_ERR_PARSE);
	cr_assert_eq(sg_wire_envelope_peek(empty, 0, &field, &payload, &plen), SG_ERR_PARSE);
	free(buf);
}

static uint8_t *error_envelope(uint32_t version, size_t *len)
{
	Spillguard__Error e = SPILLGUARD__ERROR__INIT;
	e.version = version;
	e.code = 7;
	e.message = "report outside the submission window";
	Spillguard__Envelope env = SPILLGUARD__ENVELOPE__INIT;
	env.msg_case = SPILLGUARD__ENVELOPE__MSG_ERROR;
	env.error = &e;
	return encode_env(&env, len);
}

Test(wire, error_round_trip_and_version)
{
	size_t len;
	uint8_t *buf = error_envelope(SG_WIRE_VERSION, &len);
	sg_wire_msg m;
	cr_assert_eq(sg_wire_decode(&m, buf, len), 0);
	cr_assert_eq(m.env->error->code, 7);
	cr_assert_str_eq(m.env->error->message, "report outside the submission window");
	sg_wire_msg_free(&m);
	free(buf);
	/* a version this reader does not know, and a message without one */
	buf = error_envelope(2, &len);
	cr_assert_eq(sg_wire_decode(&m, buf, len), SG_ERR_PARSE);
	cr_assert_null(m.env);
	free(buf);
	buf = error_envelope(0, &len);
	cr_assert_eq(sg_wire_decode(&m, buf, len), SG_ERR_PARSE);
	free(buf);
}

Test(wire, refuses_empty_oversized_and_malformed)
{
	sg_wire_msg m;
	uint8_t junk[8] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	cr_assert_eq(sg_wire_decode(&m, junk, 0), SG_ERR_LENGTH);
	cr_assert_eq(sg_wire_decode(&m, junk, SG_WIRE_MAX_BYTES + 1), SG_ERR_LENGTH);
	cr_assert_eq(sg_wire_decode(&m, junk, sizeof junk), SG_ERR_PARSE);
	cr_assert_null(m.env);
	/* a well-formed but empty envelope carries no message */
	Spillguard__Envelope env = SPILLGUARD__ENVELOPE__INIT;
	size_t len;
	uint8_t *buf = encode_env(&env, &len);
	uint8_t one = 0;
	cr_assert_eq(sg_wire_decode(&m, len ? buf : &one, len ? len : 1), SG_ERR_PARSE);
	free(buf);
	/* truncating a valid envelope anywhere is refused */
	buf = error_envelope(SG_WIRE_VERSION, &len);
	for (size_t cut = 1; cut < len; cut++) {
		int ret = sg_wire_decode(&m, buf, cut);
		if (ret == 0)
			sg_wire_msg_free(&m);
		cr_assert_neq(ret, 0, "prefix of %zu bytes accepted", cut);
	}
	free(buf);
}

/*
 * Many empty submessages cost 2 bytes each on the wire but a whole struct
 * in memory; past the budget the decoder refuses instead of allocating.
 */
Test(wire, memory_budget_refuses_amplification)
{
	enum { N = 200000 };
	size_t len = 0;
	uint8_t *buf = malloc(8 + 2 * (size_t)N + 16);
	cr_assert_not_null(buf);
	/* Envelope field 3 (job_init, length-delimited) containing
	 * version = 1 then N empty ReportShare entries (field 4, length 0). */
	size_t inner = 2 + 2 * (size_t)N;
	buf[len++] = (3 << 3) | 2;
	for (size_t v = inner; ; v >>= 7) { /* varint length */
		buf[len++] = (uint8_t)((v & 0x7f) | (v >= 0x80 ? 0x80 : 0));
		if (v < 0x80)
			break;
	}
	buf[len++] = (1 << 3) | 0;
	buf[len++] = 1;
	for (size_t i = 0; i < N; i++) {
		buf[len++] = (4 << 3) | 2;
		buf[len++] = 0;
	}
	sg_wire_msg m;
	cr_assert_eq(sg_wire_decode(&m, buf, len), SG_ERR_PARSE);
	cr_assert_null(m.env);
	free(buf);
}

Test(wire, refuses_unknown_fields_at_any_depth)
{
	size_t len;
	uint8_t *buf = error_envelope(SG_WIRE_VERSION, &len);
	uint8_t *ext = malloc(len + 4);
	sg_wire_msg m;
	cr_assert_not_null(ext);
	/* an unknown field 15 (varint) appended at the top level */
	memcpy(ext, buf, len);
	ext[len] = (15 << 3) | 0;
	ext[len + 1] = 1;
	cr_assert_eq(sg_wire_decode(&m, ext, len + 2), SG_ERR_PARSE);
	/* the same inside the Error: its length prefix grows by two */
	memcpy(ext, buf, len);
	cr_assert_lt(ext[1], 0x7e);
	ext[1] = (uint8_t)(ext[1] + 2);
	ext[len] = (15 << 3) | 0;
	ext[len + 1] = 1;
	cr_assert_eq(sg_wire_decode(&m, ext, len + 2), SG_ERR_PARSE);
	free(ext);
	free(buf);
}
