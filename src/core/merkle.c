/* SPDX-License-Identifier: Apache-2.0 */
/*
 * RFC 9162 §2.1 Merkle trees on libsodium's SHA-256. crypto_hash_sha256 is
 * portable C with no CPU dispatch, so it needs no sodium_init().
 *
 * The proof generators do not recurse: a proof is a list of subtree roots,
 * the subtrees are found by walking down from the root (span lists below),
 * and each root is then computed with the builder over its leaves. The
 * subtrees of one proof are disjoint, so a proof costs at most n node
 * hashes.
 */
#include "spillguard/merkle.h"

#include <stdbool.h>
#include <string.h>

#include <sodium.h>

#include "util/misuse.h"

#define HASH SG_MERKLE_HASH_BYTES
#define LEAF_PREFIX 0x00
#define NODE_PREFIX 0x01

/* The leaves [lo, hi) of the tree: a subtree whose root is a proof entry. */
typedef struct span {
	uint64_t lo, hi;
} span;

void sg_merkle_leaf_hash(uint8_t out[static HASH], const uint8_t *data, size_t len)
{
	static const uint8_t prefix[1] = { LEAF_PREFIX };
	crypto_hash_sha256_state st;

	if (out == NULL || (data == NULL && len > 0))
		sg_misuse(__func__);
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, prefix, sizeof prefix);
	if (len > 0)
		crypto_hash_sha256_update(&st, data, len);
	crypto_hash_sha256_final(&st, out);
}

void sg_merkle_node_hash(uint8_t out[static HASH], const uint8_t left[static HASH],
			 const uint8_t right[static HASH])
{
	/* Both inputs are copied before out is written, so out may alias them. */
	uint8_t buf[1 + 2 * HASH];

	if (out == NULL || left == NULL || right == NULL)
		sg_misuse(__func__);
	buf[0] = NODE_PREFIX;
	memcpy(buf + 1, left, HASH);
	memcpy(buf + 1 + HASH, right, HASH);
	crypto_hash_sha256(out, buf, sizeof buf);
}

/* MTH({}) = SHA-256 of the empty string. */
static void empty_root(uint8_t out[static HASH])
{
	static const uint8_t none[1] = { 0 };

	crypto_hash_sha256(out, none, 0);
}

/* Number of set bits: the builder's stack depth for a leaf count. */
static size_t popcount(uint64_t x)
{
	size_t n = 0;

	for (; x != 0; x &= x - 1)
		n++;
	return n;
}

/* The largest power of two smaller than n, for 2 <= n <= 2^63 (RFC 9162
 * §2.1.1's k): k < n <= 2k. */
static uint64_t split(uint64_t n)
{
	uint64_t k = 1;

	while (k < n - k)
		k <<= 1;
	return k;
}

/* --- builder ---------------------------------------------------------------- */

void sg_merkle_builder_init(sg_merkle_builder *b)
{
	if (b == NULL)
		sg_misuse(__func__);
	memset(b, 0, sizeof *b);
}

/*
 * Invariant: stack[0 .. popcount(count)) holds the roots of the perfect
 * subtrees that the leaves so far decompose into, largest (leftmost)
 * first, one per set bit of count. A new leaf is a subtree of size 1; each
 * trailing 1 bit of count is an equal-sized subtree just left of it, which
 * it merges with, exactly as the carry of count + 1 ripples.
 */
void sg_merkle_builder_add_leaf_hash(sg_merkle_builder *b, const uint8_t leaf_hash[static HASH])
{
	uint8_t h[HASH];
	size_t top;

	if (b == NULL || leaf_hash == NULL || b->count >= SG_MERKLE_MAX_LEAVES)
		sg_misuse(__func__);
	top = popcount(b->count);
	memcpy(h, leaf_hash, HASH);
	for (uint64_t c = b->count; (c & 1) != 0; c >>= 1)
		sg_merkle_node_hash(h, b->stack[--top], h);
	memcpy(b->stack[top], h, HASH);
	b->count++;
}

/*
 * With n leaves and k the largest power of two below n, the largest perfect
 * subtree holds the first k leaves (k is n's top bit) and the others make
 * up MTH(D[k:n]) the same way; so MTH is the stack folded from the right.
 */
void sg_merkle_builder_root(uint8_t out[static HASH], const sg_merkle_builder *b)
{
	uint8_t r[HASH];
	size_t top;

	if (out == NULL || b == NULL || b->count > SG_MERKLE_MAX_LEAVES)
		sg_misuse(__func__);
	top = popcount(b->count);
	if (top == 0) {
		empty_root(out);
		return;
	}
	memcpy(r, b->stack[top - 1], HASH);
	for (size_t i = top - 1; i-- > 0;)
		sg_merkle_node_hash(r, b->stack[i], r);
	memcpy(out, r, HASH);
}

void sg_merkle_root(uint8_t out[static HASH], const uint8_t (*leaf_hashes)[HASH], size_t n)
{
	sg_merkle_builder b;

	if (out == NULL || (leaf_hashes == NULL && n > 0))
		sg_misuse(__func__);
	sg_merkle_builder_init(&b);
	for (size_t i = 0; i < n; i++)
		sg_merkle_builder_add_leaf_hash(&b, leaf_hashes[i]);
	sg_merkle_builder_root(out, &b);
}

/* --- proof generation ------------------------------------------------------- */

static void reverse(span *s, size_t count)
{
	for (size_t i = 0, j = count; i + 1 < j; i++, j--) {
		span t = s[i];
		s[i] = s[j - 1];
		s[j - 1] = t;
	}
}

/*
 * The subtrees of PATH(m, D[n]), 0 <= m < n <= 2^63 (RFC 9162 §2.1.3.1):
 *   PATH(0, {d0})  = {}
 *   PATH(m, D[n])  = PATH(m, D[0:k]) : MTH(D[k:n])      for m < k
 *   PATH(m, D[n])  = PATH(m - k, D[k:n]) : MTH(D[0:k])  for m >= k
 * Walking down finds the siblings root side first; the proof lists them
 * leaf side first. At most one per level: 63 for n <= 2^63.
 */
static size_t path_spans(span out[static SG_MERKLE_MAX_PROOF], uint64_t m, uint64_t n)
{
	uint64_t lo = 0, hi = n;
	size_t count = 0;

	while (hi - lo > 1) {
		uint64_t k = split(hi - lo);
		if (m < lo + k) {
			out[count++] = (span){ lo + k, hi };
			hi = lo + k;
		} else {
			out[count++] = (span){ lo, lo + k };
			lo += k;
		}
	}
	reverse(out, count);
	return count;
}

/*
 * The subtrees of PROOF(m, D[n]) = SUBPROOF(m, D[n], true), 0 < m < n <=
 * 2^63 (RFC 9162 §2.1.4.1), m below counted from lo:
 *   SUBPROOF(m, D[m], true)  = {}
 *   SUBPROOF(m, D[m], false) = {MTH(D[m])}
 *   SUBPROOF(m, D[n], b)     = SUBPROOF(m, D[0:k], b) : MTH(D[k:n])          for m <= k
 *   SUBPROOF(m, D[n], b)     = SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k])  for m > k
 * At most one per level (63 for n <= 2^63) plus the last: 64.
 */
static size_t subproof_spans(span out[static SG_MERKLE_MAX_PROOF], uint64_t m, uint64_t n)
{
	uint64_t lo = 0, hi = n;
	size_t count = 0;
	bool b = true;

	while (m != hi - lo) {
		uint64_t k = split(hi - lo);
		if (m <= k) {
			out[count++] = (span){ lo + k, hi };
			hi = lo + k;
		} else {
			out[count++] = (span){ lo, lo + k };
			m -= k;
			lo += k;
			b = false;
		}
	}
	if (!b)
		out[count++] = (span){ lo, hi };
	reverse(out, count);
	return count;
}

static void hash_spans(uint8_t (*out)[HASH], const uint8_t (*leaf_hashes)[HASH], const span *s,
		       size_t count)
{
	for (size_t i = 0; i < count; i++)
		sg_merkle_root(out[i], leaf_hashes + (size_t)s[i].lo, (size_t)(s[i].hi - s[i].lo));
}

/* The generators' exit: on failure the whole output is zeroed and the
 * length is 0. Returns ret. */
static int finish(uint8_t (*out)[HASH], size_t *out_len, size_t count, int ret)
{
	if (ret != 0) {
		memset(out, 0, SG_MERKLE_MAX_PROOF * HASH);
		count = 0;
	}
	*out_len = count;
	return ret;
}

int sg_merkle_inclusion_proof(uint8_t path_out[static SG_MERKLE_MAX_PROOF][HASH],
			      size_t *path_len, const uint8_t (*leaf_hashes)[HASH], size_t n,
			      size_t index)
{
	int ret = SG_ERR_PARAM;
	span spans[SG_MERKLE_MAX_PROOF];
	size_t count = 0;

	if (path_out == NULL || path_len == NULL || (leaf_hashes == NULL && n > 0))
		sg_misuse(__func__);
	if (index >= n || (uint64_t)n > SG_MERKLE_MAX_LEAVES)
		goto cleanup;
	count = path_spans(spans, index, n);
	hash_spans(path_out, leaf_hashes, spans, count);
	ret = 0;
cleanup:
	return finish(path_out, path_len, count, ret);
}

int sg_merkle_consistency_proof(uint8_t proof_out[static SG_MERKLE_MAX_PROOF][HASH],
				size_t *proof_len, const uint8_t (*leaf_hashes)[HASH],
				size_t new_size, size_t old_size)
{
	int ret = SG_ERR_PARAM;
	span spans[SG_MERKLE_MAX_PROOF];
	size_t count = 0;

	if (proof_out == NULL || proof_len == NULL || (leaf_hashes == NULL && new_size > 0))
		sg_misuse(__func__);
	if (old_size > new_size || (uint64_t)new_size > SG_MERKLE_MAX_LEAVES)
		goto cleanup;
	/* Nothing to prove when old_size is 0 or new_size: the empty proof. */
	if (old_size > 0 && old_size < new_size) {
		count = subproof_spans(spans, old_size, new_size);
		hash_spans(proof_out, leaf_hashes, spans, count);
	}
	ret = 0;
cleanup:
	return finish(proof_out, proof_len, count, ret);
}

/* --- verification ----------------------------------------------------------- */

/* Hashes are public; the comparison is constant-time all the same. */
static bool same(const uint8_t a[static HASH], const uint8_t b[static HASH])
{
	return sodium_memcmp(a, b, HASH) == 0;
}

/* Right-shifts fn and sn until LSB(fn) is set or fn is 0 (§2.1.3.2 step
 * 4.b.ii and §2.1.4.2 step 6.b.iii). */
static void shift_to_odd(uint64_t *fn, uint64_t *sn)
{
	while (*fn != 0 && (*fn & 1) == 0) {
		*fn >>= 1;
		*sn >>= 1;
	}
}

/* RFC 9162 §2.1.3.2, step by step. */
int sg_merkle_verify_inclusion(const uint8_t leaf_hash[static HASH], uint64_t index,
			       uint64_t tree_size, const uint8_t (*path)[HASH], size_t path_len,
			       const uint8_t root[static HASH])
{
	int ret = SG_ERR_VERIFY;
	uint8_t r[HASH];
	uint64_t fn, sn;

	if (leaf_hash == NULL || root == NULL || (path == NULL && path_len > 0))
		sg_misuse(__func__);
	/* 1. index < tree_size. The two other bounds are ours: sizes over the
	 * maximum are refused everywhere, and step 4.a would stop a longer path
	 * anyway. */
	if (index >= tree_size || tree_size > SG_MERKLE_MAX_LEAVES ||
	    path_len > SG_MERKLE_MAX_PROOF)
		goto cleanup;
	/* 2., 3. */
	fn = index;
	sn = tree_size - 1;
	memcpy(r, leaf_hash, HASH);
	/* 4. */
	for (size_t i = 0; i < path_len; i++) {
		if (sn == 0) /* a. */
			goto cleanup;
		if ((fn & 1) != 0 || fn == sn) { /* b. */
			sg_merkle_node_hash(r, path[i], r);
			shift_to_odd(&fn, &sn);
		} else {
			sg_merkle_node_hash(r, r, path[i]);
		}
		fn >>= 1; /* c. */
		sn >>= 1;
	}
	/* 5. */
	if (sn != 0 || !same(r, root))
		goto cleanup;
	ret = 0;
cleanup:
	return ret;
}

/* consistency_path[i] after §2.1.4.2 step 2: the proof, behind first_hash
 * when that was prepended. */
static const uint8_t *path_at(const uint8_t (*proof)[HASH], const uint8_t *first_hash,
			      bool prepended, size_t i)
{
	if (!prepended)
		return proof[i];
	return i == 0 ? first_hash : proof[i - 1];
}

/* RFC 9162 §2.1.4.2 for 0 < first < second, step by step. */
static bool rfc_consistent(uint64_t first, uint64_t second, const uint8_t first_hash[static HASH],
			   const uint8_t second_hash[static HASH], const uint8_t (*proof)[HASH],
			   size_t proof_len)
{
	uint8_t fr[HASH], sr[HASH];
	uint64_t fn, sn;
	bool prepended;
	size_t len;

	/* 1. */
	if (proof_len == 0)
		return false;
	/* 2. */
	prepended = (first & (first - 1)) == 0;
	len = proof_len + (prepended ? 1 : 0);
	/* 3. */
	fn = first - 1;
	sn = second - 1;
	/* 4. */
	while ((fn & 1) != 0) {
		fn >>= 1;
		sn >>= 1;
	}
	/* 5. */
	memcpy(fr, path_at(proof, first_hash, prepended, 0), HASH);
	memcpy(sr, fr, HASH);
	/* 6. */
	for (size_t i = 1; i < len; i++) {
		const uint8_t *c = path_at(proof, first_hash, prepended, i);
		if (sn == 0) /* a. */
			return false;
		if ((fn & 1) != 0 || fn == sn) { /* b. */
			sg_merkle_node_hash(fr, c, fr);
			sg_merkle_node_hash(sr, c, sr);
			shift_to_odd(&fn, &sn);
		} else {
			sg_merkle_node_hash(sr, sr, c);
		}
		fn >>= 1; /* c. */
		sn >>= 1;
	}
	/* 7. */
	return sn == 0 && same(fr, first_hash) && same(sr, second_hash);
}

int sg_merkle_verify_consistency(uint64_t old_size, uint64_t new_size,
				 const uint8_t old_root[static HASH],
				 const uint8_t new_root[static HASH], const uint8_t (*proof)[HASH],
				 size_t proof_len)
{
	int ret = SG_ERR_VERIFY;
	uint8_t empty[HASH];
	bool ok;

	if (old_root == NULL || new_root == NULL || (proof == NULL && proof_len > 0))
		sg_misuse(__func__);
	if (old_size > new_size || new_size > SG_MERKLE_MAX_LEAVES ||
	    proof_len > SG_MERKLE_MAX_PROOF)
		goto cleanup;
	if (old_size == new_size) {
		ok = proof_len == 0 && same(old_root, new_root);
	} else if (old_size == 0) {
		empty_root(empty);
		ok = proof_len == 0 && same(old_root, empty);
	} else {
		ok = rfc_consistent(old_size, new_size, old_root, new_root, proof, proof_len);
	}
	if (!ok)
		goto cleanup;
	ret = 0;
cleanup:
	return ret;
}
