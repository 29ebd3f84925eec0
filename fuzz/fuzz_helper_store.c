/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for a helper answering peers over its store: any bytes
 * as a request. Never a crash; every reply is an envelope that decodes;
 * nothing the fuzzer sends is ever counted (it cannot sign a report). One
 * store in /dev/shm serves the whole run, so requests meet the state that
 * earlier ones left, as they would in a daemon.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "edge/helper.h"
#include "spillguard/err.h"
#include "task_fuzz.h"
#include "wire/codec.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static fuzz_task f;
static sg_store *store;
static sg_helper helper;
static uint8_t hpke_sk[32], verify_key[32];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char path[64], err[256];
	(void)argc;
	(void)argv;
	fuzz_task_init(&f);
	randombytes_buf(hpke_sk, sizeof hpke_sk);
	snprintf(path, sizeof path, "/dev/shm/sg-fuzz-helper-%ld.db", (long)getpid());
	if (sg_store_open(&store, path, f.task->id, err, sizeof err) != 0) {
		fprintf(stderr, "%s\n", err);
		abort();
	}
	unlink(path); /* gone when the run ends */
	const sg_party p = { f.task, f.prio3, 1, hpke_sk, verify_key };
	sg_helper_init(&helper, &p, f.agg_sign_sk[1], store);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *reply;
	size_t len;
	sg_wire_msg w;
	sg_store_counts c;
	int ret = sg_helper_handle(&helper, &reply, &len, data, size, 1500);
	if (ret == 0) {
		if (reply == NULL || sg_wire_decode(&w, reply, len) != 0)
			__builtin_trap();
		sg_wire_msg_free(&w);
	} else if (reply != NULL) {
		__builtin_trap();
	}
	free(reply);
	if (sg_store_counts_get(store, SG_JOB_STEP_DONE, &c) != 0 || c.accepted != 0 || c.pending != 0)
		__builtin_trap();
	return 0;
}
