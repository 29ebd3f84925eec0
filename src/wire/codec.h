/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SG_WIRE_CODEC_H
#define SG_WIRE_CODEC_H

/*
 * Envelopes on the wire (proto/spillguard.proto). Decoding bounds both the
 * input (SG_WIRE_MAX_BYTES) and the memory protobuf-c may allocate for it
 * (a fixed multiple of the input size), so a small hostile input cannot
 * claim much memory; the top-level message must carry SG_WIRE_VERSION.
 */
#include <stddef.h>
#include <stdint.h>

#include "spillguard.pb-c.h"
#include "spillguard/export.h"

#define SG_WIRE_VERSION 1
#define SG_WIRE_MAX_BYTES ((size_t)16 << 20)

typedef struct sg_wire_budget sg_wire_budget;

typedef struct sg_wire_msg {
	Spillguard__Envelope *env;
	sg_wire_budget *budget; /* owns env's memory */
} sg_wire_msg;

/* Returns 0; SG_ERR_LENGTH when len is 0 or above SG_WIRE_MAX_BYTES;
 * SG_ERR_PARSE for malformed protobuf, an empty envelope, a version other
 * than SG_WIRE_VERSION, or memory beyond the budget; SG_ERR_NOMEM. On
 * failure out is all NULL. */
SG_MUST_CHECK int sg_wire_decode(sg_wire_msg *out, const uint8_t *buf, size_t len);
void sg_wire_msg_free(sg_wire_msg *m);

/* Any message of this proto file, with the same bounds and unknown-field
 * rule (no version check: the caller knows where its version lives).
 * Release with sg_wire_release. */
SG_MUST_CHECK int sg_wire_unpack(ProtobufCMessage **out, sg_wire_budget **budget,
				 const ProtobufCMessageDescriptor *desc, const uint8_t *buf,
				 size_t len);
void sg_wire_release(ProtobufCMessage *m, sg_wire_budget *budget);

/* Serialises env into a malloc'd buffer (freed by the caller). */
SG_MUST_CHECK int sg_wire_encode(uint8_t **out, size_t *out_len, const Spillguard__Envelope *env);

/*
 * Routing without decoding: when buf is an Envelope made of exactly one
 * length-delimited field, its field number and that field's bytes (a
 * message to decode on its own, e.g. a Report). SG_ERR_PARSE otherwise.
 */
SG_MUST_CHECK int sg_wire_envelope_peek(const uint8_t *buf, size_t len, uint32_t *field,
					const uint8_t **payload, size_t *payload_len);

/* The version field of the envelope's message, or 0 if it has none. */
uint32_t sg_wire_version_of(const Spillguard__Envelope *env);

#endif
