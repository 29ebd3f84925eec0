/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for an aggregator's report checks: the input is split
 * into a report body, a signature and a sealed share, or (first byte odd)
 * XORed onto a genuine report's body. Never a crash; nothing the fuzzer
 * makes passes the signature check.
 */
#include <stdbool.h>

#include "task_fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static sg_task *task;
static sg_prio3 *prio3;
static Spillguard__Report *genuine;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_task f;
	uint8_t *rep, id[16];
	size_t rlen;
	uint64_t eek[2] = { 7, 9 };
	fuzz_task_init(&f);
	task = f.task;
	prio3 = f.prio3;
	if (sg_report_build(&rep, &rlen, id, task, "e", f.ent_sk, eek, 2, 1500) != 0)
		abort();
	genuine = spillguard__report__unpack(NULL, rlen, rep);
	if (genuine == NULL)
		abort();
	free(rep);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sg_report_view v;
	const Spillguard__SealedShare *own = genuine->shares[0];
	if (size < 1)
		return 0;
	if (data[0] & 1) {
		/* tamper with the genuine body: must be refused unless unchanged */
		size_t n = genuine->body.len;
		uint8_t *b = malloc(n);
		memcpy(b, genuine->body.data, n);
		bool changed = false;
		for (size_t i = 1; i < size && i - 1 < n; i++) {
			b[i - 1] ^= data[i];
			changed |= data[i] != 0;
		}
		enum sg_reject r = sg_report_check(&v, task, prio3, 0, b, n, genuine->signature.data,
						   genuine->signature.len, own->enc.data, own->enc.len,
						   own->ciphertext.data, own->ciphertext.len);
		if ((r == SG_REJECT_NONE) == changed)
			__builtin_trap();
		sg_report_view_free(&v);
		free(b);
		return 0;
	}
	size_t body_len = (size - 1) / 2;
	const uint8_t *body = data + 1, *rest = body + body_len;
	size_t rest_len = size - 1 - body_len;
	size_t sig_len = rest_len < 64 ? rest_len : 64;
	enum sg_reject r = sg_report_check(&v, task, prio3, 1, body, body_len, rest, sig_len,
					   rest + sig_len, rest_len - sig_len > 32 ? 32 : rest_len - sig_len,
					   rest, rest_len);
	if (r == SG_REJECT_NONE || v.body != NULL)
		__builtin_trap();
	/* the same bytes read back from a store: no signature checked, but no
	 * task id the fuzzer can guess either */
	r = sg_report_recheck(&v, task, prio3, 1, body, body_len, rest, rest_len > 32 ? 32 : rest_len,
			      rest, rest_len);
	if (r == SG_REJECT_NONE || v.body != NULL)
		__builtin_trap();
	return 0;
}
