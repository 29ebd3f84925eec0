/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SG_UTIL_JSON_NODE_H
#define SG_UTIL_JSON_NODE_H

/* The parsed-value node shared by the parser (json.c) and the accessors
 * (json_access.c); nothing else looks inside. */
#include <stdbool.h>
#include <stdint.h>

#include "util/json.h"

typedef struct key {
	const char *s;
	size_t len;
} key;

/* 24 bytes: a document of small values holds many of these. */
struct sg_json {
	uint8_t type;   /* sg_json_type */
	bool b;         /* BOOL */
	uint32_t len;   /* STRING, NUMBER: bytes of u.s; ARRAY, OBJECT: children */
	union {
		const char *s; /* STRING: decoded value; NUMBER: source text; NUL-ended */
		key *keys;     /* OBJECT: member keys */
	} u;
	sg_json *kids;  /* ARRAY: elements; OBJECT: member values */
};

#endif
