/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target for a helper's handling of the leader's job messages:
 * any bytes as an AggregationJobInit, then as an AggregationJobContinue of
 * the job it created; never a crash, and no report is accepted (the fuzzer
 * cannot sign one). */
#include "protocol/aggregate.h"
#include "task_fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static fuzz_task f;
static sg_party helper;
static uint8_t hpke_sk[32], verify_key[32];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_task_init(&f);
	randombytes_buf(hpke_sk, sizeof hpke_sk);
	helper = (sg_party){ f.task, f.prio3, 1, hpke_sk, verify_key };
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sg_job job;
	uint8_t *resp = NULL, *cresp = NULL;
	size_t len, clen;
	if (sg_helper_job_init(&job, &resp, &len, &helper, NULL, data, size) != 0) {
		if (resp != NULL || job.preps != NULL)
			__builtin_trap();
		return 0;
	}
	for (size_t i = 0; i < job.n; i++)
		if (job.preps[i].reject == SG_REJECT_NONE)
			__builtin_trap();
	if (sg_helper_job_continue(&job, &cresp, &clen, &helper, data, size) == 0)
		free(cresp);
	free(resp);
	sg_job_free(&job);
	return 0;
}
