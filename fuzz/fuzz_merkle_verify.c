/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the two Merkle proof verifiers. An input reads as
 *
 *   flags (1) | a (8, LE) | b (8, LE) | x (32) | y (32) | proof (32 each)
 *
 * (short inputs padded with zeros; a trailing partial hash ignored) and
 * goes, as is, to
 *
 *   sg_merkle_verify_inclusion(x, index a, size b, proof, root y)
 *   sg_merkle_verify_consistency(old a, new b, x, y, proof)
 *
 * with a and b reduced below 2^16 when flags bit 0 is set, so that the
 * algorithms' loops run on sizes a proof can fit. The proof is copied to
 * an allocation of exactly its size, so ASan reports any read past it.
 *
 * Then the same bytes tamper with honest proofs in a tree of 64 leaves:
 * they pick the index, the sizes and an XOR mask over the proof, and a
 * proof must verify exactly when the mask leaves it unchanged.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "spillguard/err.h"
#include "spillguard/merkle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HASH SG_MERKLE_HASH_BYTES
#define HEADER (1 + 8 + 8 + 2 * HASH)
#define TREE 64

static void check(int cond)
{
	if (!cond)
		abort();
}

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (size_t i = 8; i-- > 0;)
		v = (v << 8) | p[i];
	return v;
}

typedef struct input {
	uint8_t flags;
	uint64_t a, b;
	uint8_t x[HASH], y[HASH];
	const uint8_t *proof; /* proof_len hashes, NULL when there are none */
	size_t proof_len;
} input;

static void parse(input *in, const uint8_t *data, size_t size)
{
	uint8_t head[HEADER] = { 0 };

	memcpy(head, data, size < HEADER ? size : HEADER);
	in->flags = head[0];
	in->a = le64(head + 1);
	in->b = le64(head + 9);
	memcpy(in->x, head + 17, HASH);
	memcpy(in->y, head + 17 + HASH, HASH);
	in->proof = size > HEADER ? data + HEADER : NULL;
	in->proof_len = size > HEADER ? (size - HEADER) / HASH : 0;
	if (in->flags & 1) {
		in->a &= 0xffff;
		in->b &= 0xffff;
	}
}

/* Whatever the bytes, each verifier answers 0 or SG_ERR_VERIFY. */
static void verify_raw(const input *in)
{
	uint8_t *copy = NULL;
	const uint8_t (*proof)[HASH] = NULL;
	int ret;

	if (in->proof_len > 0) {
		copy = malloc(in->proof_len * HASH);
		check(copy != NULL);
		memcpy(copy, in->proof, in->proof_len * HASH);
		proof = SG_MERKLE_HASHES(copy);
	}
	ret = sg_merkle_verify_inclusion(in->x, in->a, in->b, proof, in->proof_len, in->y);
	check(ret == 0 || ret == SG_ERR_VERIFY);
	check(ret != 0 || (in->a < in->b && in->proof_len <= SG_MERKLE_MAX_PROOF));
	ret = sg_merkle_verify_consistency(in->a, in->b, in->x, in->y, proof, in->proof_len);
	check(ret == 0 || ret == SG_ERR_VERIFY);
	check(ret != 0 || (in->a <= in->b && in->proof_len <= SG_MERKLE_MAX_PROOF));
	free(copy);
}

static uint8_t leaves[TREE][HASH];
static uint8_t roots[TREE + 1][HASH];

static void setup(void)
{
	static bool done;

	if (done)
		return;
	for (size_t i = 0; i < TREE; i++) {
		uint8_t d[2] = { 0x5a, (uint8_t)i };
		sg_merkle_leaf_hash(leaves[i], d, sizeof d);
	}
	for (size_t n = 0; n <= TREE; n++)
		sg_merkle_root(roots[n], SG_MERKLE_HASHES(leaves), n);
	done = true;
}

/* XORs the input's proof bytes (zeros past their end) onto p[0..len);
 * whether that changed anything. */
static bool tamper(uint8_t (*p)[HASH], size_t len, const input *in)
{
	uint8_t acc = 0;
	size_t avail = in->proof_len * HASH;

	for (size_t i = 0; i < len * HASH && i < avail; i++) {
		p[i / HASH][i % HASH] ^= in->proof[i];
		acc |= in->proof[i];
	}
	return acc != 0;
}

static void verify_honest(const input *in)
{
	uint8_t p[SG_MERKLE_MAX_PROOF][HASH];
	uint64_t n = in->b % (TREE + 1), m = in->a % (n + 1);
	size_t len;
	bool changed;
	int ret;

	if (n > 0) {
		uint64_t index = in->a % n;
		check(sg_merkle_inclusion_proof(p, &len, SG_MERKLE_HASHES(leaves), n, index) == 0);
		changed = tamper(p, len, in);
		ret = sg_merkle_verify_inclusion(leaves[index], index, n, SG_MERKLE_HASHES(p), len,
						 roots[n]);
		check((ret == 0) == !changed);
	}
	check(sg_merkle_consistency_proof(p, &len, SG_MERKLE_HASHES(leaves), n, m) == 0);
	changed = tamper(p, len, in);
	ret = sg_merkle_verify_consistency(m, n, roots[m], roots[n], SG_MERKLE_HASHES(p), len);
	check((ret == 0) == !changed);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	input in;

	setup();
	parse(&in, data, size);
	verify_raw(&in);
	verify_honest(&in);
	return 0;
}
