/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SPILLGUARD_MERKLE_H
#define SPILLGUARD_MERKLE_H

/*
 * Merkle trees exactly as RFC 9162 §2.1 (Certificate Transparency 2.0),
 * with SHA-256:
 *
 *   leaf hash    SHA-256(0x00 || data)
 *   node hash    SHA-256(0x01 || left || right)
 *   MTH({})      SHA-256("")
 *   MTH(D[n])    node hash of MTH(D[0:k]) and MTH(D[k:n]), n > 1, where k is
 *                the largest power of two smaller than n
 *
 * Inclusion proofs (audit paths, §2.1.3) and consistency proofs (§2.1.4)
 * are generated from the leaf hashes and verified with the RFC's
 * algorithms. Nothing here is secret: leaves, roots, sizes and indices are
 * public, so the work done depends on sizes and indices (never on hash
 * values).
 *
 * A tree has at most SG_MERKLE_MAX_LEAVES (2^63) leaves, which keeps every
 * proof within SG_MERKLE_MAX_PROOF hashes; larger sizes are refused.
 *
 * Arrays of hashes are passed as `const uint8_t (*)[SG_MERKLE_HASH_BYTES]`.
 * Before C23, ISO C wants a cast to pass a non-const `uint8_t x[][32]`
 * there (gcc -pedantic warns); SG_MERKLE_HASHES(x) is that cast.
 *
 * Functions returning int return 0 or a negative enum sg_err
 * (spillguard/err.h). A null pointer where the contract wants memory is a
 * programming error and aborts through the misuse handler.
 */
#include <stddef.h>
#include <stdint.h>

#include "spillguard/err.h"
#include "spillguard/export.h"

#define SG_MERKLE_HASH_BYTES 32
/* Longest proof of either kind for a tree of at most SG_MERKLE_MAX_LEAVES. */
#define SG_MERKLE_MAX_PROOF 64
#define SG_MERKLE_MAX_LEAVES ((uint64_t)1 << 63)

#define SG_MERKLE_HASHES(p) ((const uint8_t (*)[SG_MERKLE_HASH_BYTES])(p))

/* SHA-256(0x00 || data). */
SG_API void sg_merkle_leaf_hash(uint8_t out[static SG_MERKLE_HASH_BYTES], const uint8_t *data,
				size_t len);

/* SHA-256(0x01 || left || right); out may be left or right. */
SG_API void sg_merkle_node_hash(uint8_t out[static SG_MERKLE_HASH_BYTES],
				const uint8_t left[static SG_MERKLE_HASH_BYTES],
				const uint8_t right[static SG_MERKLE_HASH_BYTES]);

/*
 * MTH of n leaves given by their leaf hashes (SHA-256("") when n is 0):
 * n - 1 node hashes, and O(log n) memory besides the input.
 */
SG_API void sg_merkle_root(uint8_t out[static SG_MERKLE_HASH_BYTES],
			   const uint8_t (*leaf_hashes)[SG_MERKLE_HASH_BYTES], size_t n);

/*
 * The root of a tree whose leaves arrive one at a time (streamed from a
 * store, never all in memory): it keeps the roots of the perfect subtrees
 * the leaves so far make up, one per set bit of the count. Plain data, no
 * allocation; copy it to fork a tree.
 */
typedef struct sg_merkle_builder {
	uint64_t count; /* leaves added */
	/* stack[0] is the root of the leftmost (largest) perfect subtree */
	uint8_t stack[64][SG_MERKLE_HASH_BYTES];
} sg_merkle_builder;

SG_API void sg_merkle_builder_init(sg_merkle_builder *b);
/* Appends one leaf (by its leaf hash): amortised one node hash. Adding
 * more than SG_MERKLE_MAX_LEAVES leaves is a misuse. */
SG_API void sg_merkle_builder_add_leaf_hash(sg_merkle_builder *b,
					    const uint8_t leaf_hash[static SG_MERKLE_HASH_BYTES]);
/* MTH of the leaves added so far; the builder is unchanged, so leaves can
 * still be added (a log takes its tree head after every append). */
SG_API void sg_merkle_builder_root(uint8_t out[static SG_MERKLE_HASH_BYTES],
				   const sg_merkle_builder *b);

/*
 * Inclusion proof PATH(index, D[n]) of RFC 9162 §2.1.3.1, nearest sibling
 * first: *path_len hashes written to path_out. O(n) node hashes.
 * SG_ERR_PARAM when index >= n; on failure path_out is zeroed and
 * *path_len is 0.
 */
SG_API SG_MUST_CHECK int sg_merkle_inclusion_proof(
	uint8_t path_out[static SG_MERKLE_MAX_PROOF][SG_MERKLE_HASH_BYTES], size_t *path_len,
	const uint8_t (*leaf_hashes)[SG_MERKLE_HASH_BYTES], size_t n, size_t index);

/*
 * Verifies, with the algorithm of RFC 9162 §2.1.3.2, that leaf_hash is the
 * leaf at `index` of the tree of tree_size leaves whose root is `root`.
 * 0, or SG_ERR_VERIFY (index >= tree_size, tree_size over the maximum, a
 * path of the wrong length, or hashes that do not lead to root).
 *
 * The path binds tree_size only through root: two sizes whose trees give
 * the leaf the same path shape accept the same proof, so root must be the
 * signed tree head for tree_size.
 */
SG_API SG_MUST_CHECK int sg_merkle_verify_inclusion(
	const uint8_t leaf_hash[static SG_MERKLE_HASH_BYTES], uint64_t index, uint64_t tree_size,
	const uint8_t (*path)[SG_MERKLE_HASH_BYTES], size_t path_len,
	const uint8_t root[static SG_MERKLE_HASH_BYTES]);

/*
 * Consistency proof PROOF(old_size, D[new_size]) = SUBPROOF(old_size,
 * D[new_size], true) of RFC 9162 §2.1.4.1, from the new_size leaf hashes:
 * *proof_len hashes written to proof_out. Empty when old_size is 0 or
 * equals new_size (nothing to prove). SG_ERR_PARAM when old_size >
 * new_size; on failure proof_out is zeroed and *proof_len is 0.
 */
SG_API SG_MUST_CHECK int sg_merkle_consistency_proof(
	uint8_t proof_out[static SG_MERKLE_MAX_PROOF][SG_MERKLE_HASH_BYTES], size_t *proof_len,
	const uint8_t (*leaf_hashes)[SG_MERKLE_HASH_BYTES], size_t new_size, size_t old_size);

/*
 * Verifies that the tree of old_size leaves with root old_root is a prefix
 * of the tree of new_size leaves with root new_root. For
 * 0 < old_size < new_size this is the algorithm of RFC 9162 §2.1.4.2; the
 * RFC leaves the two trivial cases out, and here they want an empty proof
 * and: old_size == new_size, equal roots; old_size == 0 < new_size,
 * old_root = SHA-256(""). 0, or SG_ERR_VERIFY (also for old_size >
 * new_size and sizes over the maximum).
 */
SG_API SG_MUST_CHECK int sg_merkle_verify_consistency(
	uint64_t old_size, uint64_t new_size, const uint8_t old_root[static SG_MERKLE_HASH_BYTES],
	const uint8_t new_root[static SG_MERKLE_HASH_BYTES],
	const uint8_t (*proof)[SG_MERKLE_HASH_BYTES], size_t proof_len);

#endif
