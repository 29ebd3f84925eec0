/* SPDX-License-Identifier: Apache-2.0 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "spillguard/err.h"
#include "wire/codec.h"

/* protobuf-c allocates every field of a decoded message through this. */
struct sg_wire_budget {
	ProtobufCAllocator alloc;
	size_t used, cap;
};

/* Legitimate messages are dominated by bytes fields, which cost what they
 * occupy on the wire; only hostile inputs of many tiny submessages come
 * near this factor. */
#define BUDGET_FACTOR 16
#define BUDGET_SLACK ((size_t)64 << 10)

/* Each block is prefixed with its size so that frees return budget. */
static void *budget_alloc(void *data, size_t size)
{
	sg_wire_budget *b = data;
	/* used <= cap always holds; the header costs sizeof(size_t) */
	size_t left = b->cap - b->used;
	if (size > left || left - size < sizeof(size_t))
		return NULL;
	size_t *p = malloc(sizeof(size_t) + size);
	if (p == NULL)
		return NULL;
	*p = size;
	b->used += size + sizeof(size_t);
	return p + 1;
}

static void budget_free(void *data, void *ptr)
{
	sg_wire_budget *b = data;
	if (ptr == NULL)
		return;
	size_t *p = (size_t *)ptr - 1;
	b->used -= *p + sizeof(size_t);
	free(p);
}

uint32_t sg_wire_version_of(const Spillguard__Envelope *env)
{
	switch (env->msg_case) {
	case SPILLGUARD__ENVELOPE__MSG_REPORT: return env->report->version;
	case SPILLGUARD__ENVELOPE__MSG_JOB_INIT: return env->job_init->version;
	case SPILLGUARD__ENVELOPE__MSG_JOB_RESP: return env->job_resp->version;
	case SPILLGUARD__ENVELOPE__MSG_JOB_CONTINUE: return env->job_continue->version;
	case SPILLGUARD__ENVELOPE__MSG_JOB_CONTINUE_RESP: return env->job_continue_resp->version;
	case SPILLGUARD__ENVELOPE__MSG_COLLECT: return env->collect->version;
	case SPILLGUARD__ENVELOPE__MSG_COLLECT_REPLY: return env->collect_reply->version;
	case SPILLGUARD__ENVELOPE__MSG_ERROR: return env->error->version;
	case SPILLGUARD__ENVELOPE__MSG_VERIFY_KEY: return env->verify_key->version;
	case SPILLGUARD__ENVELOPE__MSG_VERIFY_KEY_ACK: return env->verify_key_ack->version;
	case SPILLGUARD__ENVELOPE__MSG_COLLECT_NOW: return env->collect_now->version;
	case SPILLGUARD__ENVELOPE__MSG_ROUND_STATUS: return env->round_status->version;
	case SPILLGUARD__ENVELOPE__MSG_TREE_HEAD_REQUEST: return env->tree_head_request->version;
	default: return 0; /* receipts and tree heads version their signed bodies */
	}
}

static bool has_message(const Spillguard__Envelope *env)
{
	switch (env->msg_case) {
	case SPILLGUARD__ENVELOPE__MSG_RECEIPT: return env->receipt != NULL;
	case SPILLGUARD__ENVELOPE__MSG_TREE_HEAD: return env->tree_head != NULL;
	case SPILLGUARD__ENVELOPE__MSG_TREE_HEAD_SIGNATURE: return env->tree_head_signature != NULL;
	case SPILLGUARD__ENVELOPE__MSG__NOT_SET: return false;
	default: return sg_wire_version_of(env) == SG_WIRE_VERSION;
	}
}

/*
 * Fields this version does not define are refused, in every nested message:
 * a version-1 reader must not pass on (or sign beside) content it cannot
 * interpret. Depth is bounded by protobuf-c's own recursion limit.
 */
static bool only_known_fields(const ProtobufCMessage *m)
{
	if (m == NULL)
		return true;
	if (m->n_unknown_fields != 0)
		return false;
	const ProtobufCMessageDescriptor *d = m->descriptor;
	for (unsigned i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &d->fields[i];
		if (f->type != PROTOBUF_C_TYPE_MESSAGE)
			continue;
		const char *base = (const char *)m + f->offset;
		if (f->label == PROTOBUF_C_LABEL_REPEATED) {
			size_t n = *(const size_t *)((const char *)m + f->quantifier_offset);
			ProtobufCMessage *const *items = *(ProtobufCMessage *const *const *)base;
			for (size_t k = 0; k < n; k++)
				if (!only_known_fields(items[k]))
					return false;
		} else if (!only_known_fields(*(const ProtobufCMessage *const *)base)) {
			return false;
		}
	}
	return true;
}

int sg_wire_unpack(ProtobufCMessage **out, sg_wire_budget **budget,
		   const ProtobufCMessageDescriptor *desc, const uint8_t *buf, size_t len)
{
	int ret = SG_ERR_LENGTH;
	sg_wire_budget *b = NULL;
	*out = NULL;
	*budget = NULL;
	if (len == 0 || len > SG_WIRE_MAX_BYTES)
		goto cleanup;
	ret = SG_ERR_NOMEM;
	b = calloc(1, sizeof *b);
	if (b == NULL)
		goto cleanup;
	b->alloc.alloc = budget_alloc;
	b->alloc.free = budget_free;
	b->alloc.allocator_data = b;
	b->cap = BUDGET_FACTOR * len + BUDGET_SLACK;
	ret = SG_ERR_PARSE;
	*out = protobuf_c_message_unpack(desc, &b->alloc, len, buf);
	if (*out == NULL || !only_known_fields(*out))
		goto cleanup;
	*budget = b;
	b = NULL;
	ret = 0;
cleanup:
	if (ret != 0 && *out != NULL) {
		protobuf_c_message_free_unpacked(*out, &b->alloc);
		*out = NULL;
	}
	free(b);
	return ret;
}

void sg_wire_release(ProtobufCMessage *m, sg_wire_budget *budget)
{
	if (m == NULL || budget == NULL)
		return;
	protobuf_c_message_free_unpacked(m, &budget->alloc);
	free(budget);
}

int sg_wire_decode(sg_wire_msg *out, const uint8_t *buf, size_t len)
{
	ProtobufCMessage *m;
	int ret = sg_wire_unpack(&m, &out->budget, &spillguard__envelope__descriptor, buf, len);
	out->env = (Spillguard__Envelope *)m;
	if (ret == 0 && !has_message(out->env)) {
		sg_wire_release(m, out->budget);
		out->env = NULL;
		out->budget = NULL;
		ret = SG_ERR_PARSE;
	}
	return ret;
}

void sg_wire_msg_free(sg_wire_msg *m)
{
	if (m == NULL)
		return;
	sg_wire_release(m->env ? &m->env->base : NULL, m->budget);
	m->env = NULL;
	m->budget = NULL;
}

int sg_wire_encode(uint8_t **out, size_t *out_len, const Spillguard__Envelope *env)
{
	size_t n = spillguard__envelope__get_packed_size(env);
	*out = NULL;
	*out_len = 0;
	if (n > SG_WIRE_MAX_BYTES)
		return SG_ERR_LENGTH;
	uint8_t *buf = malloc(n + 1);
	if (buf == NULL)
		return SG_ERR_NOMEM;
	*out_len = spillguard__envelope__pack(env, buf);
	*out = buf;
	return 0;
}

/* A protobuf varint of at most 10 bytes at *pos; false when cut short or
 * too long. */
static bool varint(const uint8_t *buf, size_t len, size_t *pos, uint64_t *v)
{
	*v = 0;
	for (unsigned shift = 0; shift < 64 && *pos < len; shift += 7) {
		uint8_t b = buf[(*pos)++];
		*v |= (uint64_t)(b & 0x7f) << shift;
		if ((b & 0x80) == 0)
			return true;
	}
	return false;
}

int sg_wire_envelope_peek(const uint8_t *buf, size_t len, uint32_t *field,
			  const uint8_t **payload, size_t *payload_len)
{
	size_t pos = 0;
	uint64_t tag, n;
	*field = 0;
	*payload = NULL;
	*payload_len = 0;
	if (len > SG_WIRE_MAX_BYTES || !varint(buf, len, &pos, &tag) || (tag & 7) != 2 ||
	    tag >> 3 == 0 || tag >> 3 > UINT32_MAX || !varint(buf, len, &pos, &n) ||
	    n != len - pos)
		return SG_ERR_PARSE;
	*field = (uint32_t)(tag >> 3);
	*payload = buf + pos;
	*payload_len = (size_t)n;
	return 0;
}
