/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target for the readable views of published files: any bytes
 * as a PublishedAggregate and as an IskSummary, also with the task id
 * set to the fuzz task's so that the views get made; never a crash, and a
 * view that is made is JSON our own parser takes. */
#include <stdlib.h>

#include "edge/publication.h"
#include "task_fuzz.h"
#include "util/json.h"

FUZZ_TASK_TARGET

static void check(int made, char *text, size_t len)
{
	sg_json *j;
	if (made == 0) {
		if (sg_json_parse(&j, text, len, NULL, 0) != 0)
			__builtin_trap();
		sg_json_free(j);
	} else if (text != NULL) {
		__builtin_trap();
	}
	free(text);
}

/* The message in data with its task id replaced by the fuzz task's. */
static uint8_t *retarget(const ProtobufCMessageDescriptor *desc, const uint8_t *data, size_t size,
			 size_t *len)
{
	ProtobufCMessage *m;
	sg_wire_budget *b;
	uint8_t *out = NULL;
	if (sg_wire_unpack(&m, &b, desc, data, size) != 0)
		return NULL;
	/* both messages carry bytes task_id = 2 */
	ProtobufCBinaryData *id = desc == &spillguard__published_aggregate__descriptor
					  ? &((Spillguard__PublishedAggregate *)m)->task_id
					  : &((Spillguard__IskSummary *)m)->task_id;
	ProtobufCBinaryData own = *id; /* freed with the message: put back */
	*id = (ProtobufCBinaryData){ SG_TASK_ID_BYTES, f.task->id };
	*len = protobuf_c_message_get_packed_size(m);
	out = malloc(*len + 1);
	if (out != NULL)
		protobuf_c_message_pack(m, out);
	*id = own;
	sg_wire_release(m, b);
	return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text;
	size_t len, rlen;
	int made = sg_published_json(&text, &len, f.task, data, size);
	check(made, text, len);
	made = sg_isk_json(&text, &len, f.task, data, size);
	check(made, text, len);
	uint8_t *r = retarget(&spillguard__published_aggregate__descriptor, data, size, &rlen);
	if (r != NULL) {
		made = sg_published_json(&text, &len, f.task, r, rlen);
		check(made, text, len);
		free(r);
	}
	r = retarget(&spillguard__isk_summary__descriptor, data, size, &rlen);
	if (r != NULL) {
		made = sg_isk_json(&text, &len, f.task, r, rlen);
		check(made, text, len);
		free(r);
	}
	return 0;
}
