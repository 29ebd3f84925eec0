/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SG_FUZZ_TASK_FUZZ_H
#define SG_FUZZ_TASK_FUZZ_H

/*
 * A real task for fuzz targets of the protocol layer: fresh keys for an
 * authority, one enterprise "e" (industry 1) and two aggregators, two
 * categories bounded by 255, window [1000, 2000]. Static functions: each
 * target includes this header; nothing here is a .c file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/task.h"
#include "edge/task_json.h"
#include "protocol/report.h"
#include "util/z85.h"

typedef struct fuzz_task {
	sg_task *task;
	sg_prio3 *prio3;
	uint8_t ent_sk[64];
	uint8_t agg_sign_sk[2][64];
} fuzz_task;

static inline void fuzz_b64(char *out, const uint8_t *k)
{
	sodium_bin2base64(out, 64, k, 32, sodium_base64_VARIANT_ORIGINAL);
}

static inline void fuzz_task_init(fuzz_task *f)
{
	uint8_t apk[32], ask[64], epk[32], hk[2][32], spk[2][32];
	char e[64], h[2][64], s[2][64], c[2][48], json[2048], err[256] = "";
	if (sodium_init() < 0)
		abort();
	crypto_sign_keypair(apk, ask);
	crypto_sign_keypair(epk, f->ent_sk);
	fuzz_b64(e, epk);
	for (int j = 0; j < 2; j++) {
		uint8_t sk[32];
		randombytes_buf(sk, 32);
		crypto_scalarmult_base(hk[j], sk);
		crypto_sign_keypair(spk[j], f->agg_sign_sk[j]);
		fuzz_b64(h[j], hk[j]);
		fuzz_b64(s[j], spk[j]);
		sg_z85_encode(c[j], hk[j], 32);
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
	uint8_t *body, *signed_task;
	size_t blen, tlen;
	if (sg_task_json_to_body(&body, &blen, json, strlen(json), apk, err, sizeof err) != 0 ||
	    sg_task_sign(&signed_task, &tlen, body, blen, ask) != 0 ||
	    sg_task_open(&f->task, signed_task, tlen, apk, err, sizeof err) != 0 ||
	    sg_task_prio3(&f->prio3, f->task) != 0) {
		fprintf(stderr, "fuzz task setup failed: %s\n", err);
		abort();
	}
	free(body);
	free(signed_task);
}

/* A target over one fuzz task: declares the libFuzzer entry points, the
 * task `f`, and an LLVMFuzzerInitialize that builds it. */
#define FUZZ_TASK_TARGET                                                  \
	int LLVMFuzzerInitialize(int *argc, char ***argv);                \
	int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);     \
	static fuzz_task f;                                               \
	int LLVMFuzzerInitialize(int *argc, char ***argv)                 \
	{                                                                 \
		(void)argc;                                               \
		(void)argv;                                               \
		fuzz_task_init(&f);                                       \
		return 0;                                                 \
	}

#endif
