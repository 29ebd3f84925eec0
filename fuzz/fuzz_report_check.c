/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for an aggregator's report checks: the input is split
 * into a report body, a signature and a sealed share, or (first byte odd)
 * XORed onto a genuine report's body. Never a crash; nothing the fuzzer
 * makes passes the signature check.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/task.h"
#include "edge/task_json.h"
#include "protocol/report.h"
#include "util/z85.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static sg_task *task;
static sg_prio3 *prio3;
static Spillguard__Report *genuine;

static void b64(char *out, const uint8_t *k)
{
	sodium_bin2base64(out, 64, k, 32, sodium_base64_VARIANT_ORIGINAL);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	uint8_t apk[32], ask[64], epk[32], esk[64], k[4][32];
	char e[64], h[2][64], s[2][64], c[2][48], json[2048], err[256];
	if (sodium_init() < 0)
		abort();
	crypto_sign_keypair(apk, ask);
	crypto_sign_keypair(epk, esk);
	b64(e, epk);
	for (int j = 0; j < 2; j++) {
		randombytes_buf(k[2 * j], 32);
		crypto_scalarmult_base(k[2 * j + 1], k[2 * j]);
		b64(h[j], k[2 * j + 1]);
		b64(s[j], k[2 * j + 1]);
		sg_z85_encode(c[j], k[2 * j + 1], 32);
	}
	snprintf(json, sizeof json,
		 "{\"name\": \"fuzz\", \"categories\": [{\"name\": \"a\", \"max\": 255, \"decimals\": 0},"
		 "{\"name\": \"b\", \"max\": 255, \"decimals\": 0}],"
		 "\"industries\": [{\"id\": 1, \"name\": \"i\"}],"
		 "\"roster\": [{\"enterprise\": \"e\", \"industry\": 1, \"sign_pk\": \"%s\"}],"
		 "\"aggregators\": [{\"operator\": \"o\", \"endpoint\": \"tcp://127.0.0.1:1\", \"curve_pk\": \"%s\", \"hpke_pk\": \"%s\", \"sign_pk\": \"%s\"},"
		 "{\"operator\": \"o\", \"endpoint\": \"tcp://127.0.0.1:2\", \"curve_pk\": \"%s\", \"hpke_pk\": \"%s\", \"sign_pk\": \"%s\"}],"
		 "\"min_batch\": 2, \"opens_at\": 1000, \"closes_at\": 2000}",
		 e, c[0], h[0], s[0], c[1], h[1], s[1]);
	uint8_t *body, *signed_task, *rep, id[16];
	size_t blen, tlen, rlen;
	uint64_t eek[2] = { 7, 9 };
	if (sg_task_json_to_body(&body, &blen, json, strlen(json), apk, err, sizeof err) != 0 ||
	    sg_task_sign(&signed_task, &tlen, body, blen, ask) != 0 ||
	    sg_task_open(&task, signed_task, tlen, apk, err, sizeof err) != 0 ||
	    sg_task_prio3(&prio3, task) != 0 ||
	    sg_report_build(&rep, &rlen, id, task, "e", esk, eek, 2, 1500) != 0) {
		fprintf(stderr, "fuzz_report_check: setup failed: %s\n", err);
		abort();
	}
	genuine = spillguard__report__unpack(NULL, rlen, rep);
	if (genuine == NULL)
		abort();
	free(body);
	free(signed_task);
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
						   own->ciphertext.data, own->ciphertext.len, 1500);
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
					   rest, rest_len, 1500);
	if (r == SG_REJECT_NONE)
		__builtin_trap();
	return 0;
}
