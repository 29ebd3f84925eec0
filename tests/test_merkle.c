/* SPDX-License-Identifier: Apache-2.0 */
/*
 * RFC 9162 §2.1 Merkle trees.
 *
 * Known answers: the Certificate Transparency reference tree of eight
 * leaves, as published by transparency-dev/merkle (testonly/constants.go,
 * proof/verify_test.go; RFC 6962 and RFC 9162 share the tree), recomputed
 * independently with Python's hashlib before being written here.
 *
 * Everything else is checked against a reference written in this file
 * straight from the RFC's recursive definitions (MTH, PATH, SUBPROOF) with
 * its own hashing, and against structural verifiers that rebuild the roots
 * by running those recursions backwards: an oracle for the RFC's
 * bit-manipulating verifiers that shares none of their logic.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <sodium.h>

#include "common.h"
#include "spillguard/err.h"
#include "spillguard/merkle.h"

#define HASH SG_MERKLE_HASH_BYTES
#define MAXP SG_MERKLE_MAX_PROOF
#define SMALL 64    /* every size and pair up to here */
#define LARGE 1025  /* the largest size around a power of two */

static uint8_t leaves[LARGE][HASH];

/* --- reference, from the RFC's definitions ---------------------------------- */

static void ref_leaf(uint8_t out[HASH], const uint8_t *data, size_t len)
{
	crypto_hash_sha256_state st;
	const uint8_t zero = 0x00;

	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, &zero, 1);
	crypto_hash_sha256_update(&st, data, len);
	crypto_hash_sha256_final(&st, out);
}

static void ref_node(uint8_t out[HASH], const uint8_t left[HASH], const uint8_t right[HASH])
{
	uint8_t buf[1 + 2 * HASH];

	buf[0] = 0x01;
	memcpy(buf + 1, left, HASH);
	memcpy(buf + 1 + HASH, right, HASH);
	crypto_hash_sha256(out, buf, sizeof buf);
}

/* The largest power of two smaller than n (n > 1). */
static uint64_t ref_k(uint64_t n)
{
	uint64_t k = 1;

	while (2 * k < n)
		k *= 2;
	return k;
}

/* MTH(D[n]), D the leaf hashes d. */
static void ref_mth(uint8_t out[HASH], const uint8_t (*d)[HASH], uint64_t n)
{
	uint8_t l[HASH], r[HASH];
	uint64_t k;

	if (n == 0) {
		crypto_hash_sha256(out, (const uint8_t *)"", 0);
		return;
	}
	if (n == 1) {
		memcpy(out, d[0], HASH);
		return;
	}
	k = ref_k(n);
	ref_mth(l, d, k);
	ref_mth(r, d + k, n - k);
	ref_node(out, l, r);
}

/* Appends PATH(m, D[n]) to out[*len...]. */
static void ref_path(uint8_t (*out)[HASH], size_t *len, uint64_t m, const uint8_t (*d)[HASH],
		     uint64_t n)
{
	uint64_t k;

	if (n == 1)
		return;
	k = ref_k(n);
	if (m < k) {
		ref_path(out, len, m, d, k);
		ref_mth(out[(*len)++], d + k, n - k);
	} else {
		ref_path(out, len, m - k, d + k, n - k);
		ref_mth(out[(*len)++], d, k);
	}
}

/* Appends SUBPROOF(m, D[n], b) to out[*len...]. */
static void ref_subproof(uint8_t (*out)[HASH], size_t *len, uint64_t m, const uint8_t (*d)[HASH],
			 uint64_t n, bool b)
{
	uint64_t k;

	if (m == n) {
		if (!b)
			ref_mth(out[(*len)++], d, n);
		return;
	}
	k = ref_k(n);
	if (m <= k) {
		ref_subproof(out, len, m, d, k, b);
		ref_mth(out[(*len)++], d + k, n - k);
	} else {
		ref_subproof(out, len, m - k, d + k, n - k, false);
		ref_mth(out[(*len)++], d, k);
	}
}

/* PROOF(m, D[n]); empty for the trivial m == 0 and m == n. */
static size_t ref_proof(uint8_t (*out)[HASH], uint64_t m, const uint8_t (*d)[HASH], uint64_t n)
{
	size_t len = 0;

	if (m > 0 && m < n)
		ref_subproof(out, &len, m, d, n, true);
	return len;
}

/* The root PATH(m, D[n]) leads to from leaf: the PATH recursion backwards,
 * each level taking the last entry not yet used (*left of them). */
static bool ref_root_from_path(uint8_t out[HASH], const uint8_t leaf[HASH], uint64_t m,
			       uint64_t n, const uint8_t (*path)[HASH], size_t *left)
{
	uint8_t sub[HASH];
	const uint8_t *sibling;
	uint64_t k;

	if (n == 1) {
		memcpy(out, leaf, HASH);
		return true;
	}
	if (*left == 0)
		return false;
	sibling = path[--*left];
	k = ref_k(n);
	if (m < k) {
		if (!ref_root_from_path(sub, leaf, m, k, path, left))
			return false;
		ref_node(out, sub, sibling);
	} else {
		if (!ref_root_from_path(sub, leaf, m - k, n - k, path, left))
			return false;
		ref_node(out, sibling, sub);
	}
	return true;
}

static bool ref_verify_inclusion(const uint8_t leaf[HASH], uint64_t m, uint64_t n,
				 const uint8_t (*path)[HASH], size_t len, const uint8_t root[HASH])
{
	uint8_t r[HASH];
	size_t left = len;

	return m < n && n <= SG_MERKLE_MAX_LEAVES &&
	       ref_root_from_path(r, leaf, m, n, path, &left) && left == 0 &&
	       memcmp(r, root, HASH) == 0;
}

/* The roots of D[0:m] (o) and D[n] (w) that SUBPROOF(m, D[n], b) leads to,
 * run backwards like ref_root_from_path. Where b holds and m == n the
 * subtree is the whole old tree, whose root the verifier already has. */
static bool ref_roots_from_subproof(uint8_t o[HASH], uint8_t w[HASH], uint64_t m, uint64_t n,
				    bool b, const uint8_t old_root[HASH],
				    const uint8_t (*proof)[HASH], size_t *left)
{
	uint8_t so[HASH], sw[HASH];
	const uint8_t *sibling;
	uint64_t k;

	if (m == n) {
		if (!b && *left == 0)
			return false;
		memcpy(o, b ? old_root : proof[--*left], HASH);
		memcpy(w, o, HASH);
		return true;
	}
	if (*left == 0)
		return false;
	sibling = proof[--*left];
	k = ref_k(n);
	if (m <= k) {
		if (!ref_roots_from_subproof(o, sw, m, k, b, old_root, proof, left))
			return false;
		ref_node(w, sw, sibling);
	} else {
		/* k < m <= n <= 2k, so the old tree splits at k as well */
		if (!ref_roots_from_subproof(so, sw, m - k, n - k, false, old_root, proof, left))
			return false;
		ref_node(o, sibling, so);
		ref_node(w, sibling, sw);
	}
	return true;
}

static bool ref_verify_consistency(uint64_t m, uint64_t n, const uint8_t old_root[HASH],
				   const uint8_t new_root[HASH], const uint8_t (*proof)[HASH],
				   size_t len)
{
	uint8_t o[HASH], w[HASH], empty[HASH];
	size_t left = len;

	if (m > n || n > SG_MERKLE_MAX_LEAVES)
		return false;
	if (m == n)
		return len == 0 && memcmp(old_root, new_root, HASH) == 0;
	if (m == 0) {
		ref_mth(empty, NULL, 0);
		return len == 0 && memcmp(old_root, empty, HASH) == 0;
	}
	return ref_roots_from_subproof(o, w, m, n, true, old_root, proof, &left) && left == 0 &&
	       memcmp(o, old_root, HASH) == 0 && memcmp(w, new_root, HASH) == 0;
}

/* --- helpers ------------------------------------------------------------------ */

/* leaves[i] = leaf hash of "spillguard merkle " || le16(i). */
static void make_leaves(void)
{
	uint8_t data[20] = "spillguard merkle ";

	for (size_t i = 0; i < LARGE; i++) {
		data[18] = (uint8_t)(i & 0xff);
		data[19] = (uint8_t)(i >> 8);
		ref_leaf(leaves[i], data, sizeof data);
	}
}

static void unhex(uint8_t out[HASH], const char *hex)
{
	size_t len = 0;
	uint8_t *b = sg_test_hex(hex, &len);

	cr_assert_eq(len, HASH, "test vector is not a hash: %s", hex);
	memcpy(out, b, HASH);
	free(b);
}

static void expect_hash(const uint8_t got[HASH], const char *hex, const char *what)
{
	uint8_t want[HASH];

	unhex(want, hex);
	cr_assert_arr_eq(got, want, HASH, "%s differs from %s", what, hex);
}

static int verify_inc(const uint8_t leaf[HASH], uint64_t m, uint64_t n, uint8_t (*path)[HASH],
		      size_t len, const uint8_t root[HASH])
{
	return sg_merkle_verify_inclusion(leaf, m, n, SG_MERKLE_HASHES(path), len, root);
}

static int verify_con(uint64_t m, uint64_t n, const uint8_t old_root[HASH],
		      const uint8_t new_root[HASH], uint8_t (*proof)[HASH], size_t len)
{
	return sg_merkle_verify_consistency(m, n, old_root, new_root, SG_MERKLE_HASHES(proof), len);
}

/* Generates PATH(m, D[n]) with the library, checks it equals the
 * reference's and that both verifiers accept it; returns its length. */
static size_t inclusion_checked(uint8_t path[MAXP][HASH], uint64_t m, uint64_t n,
				const uint8_t root[HASH])
{
	uint8_t want[MAXP][HASH];
	size_t len = 99, want_len = 0;

	cr_assert_eq(sg_merkle_inclusion_proof(path, &len, SG_MERKLE_HASHES(leaves), n, m), 0);
	ref_path(want, &want_len, m, SG_MERKLE_HASHES(leaves), n);
	cr_assert_eq(len, want_len, "PATH(%lu, D[%lu]) length", (unsigned long)m,
		     (unsigned long)n);
	cr_assert_arr_eq(path, want, len * HASH, "PATH(%lu, D[%lu])", (unsigned long)m,
			 (unsigned long)n);
	cr_assert_eq(verify_inc(leaves[m], m, n, path, len, root), 0,
		     "PATH(%lu, D[%lu]) rejected", (unsigned long)m, (unsigned long)n);
	cr_assert(ref_verify_inclusion(leaves[m], m, n, SG_MERKLE_HASHES(path), len, root));
	return len;
}

/* The same for PROOF(m, D[n]); old is MTH(D[0:m]), new MTH(D[n]). */
static size_t consistency_checked(uint8_t proof[MAXP][HASH], uint64_t m, uint64_t n,
				  const uint8_t old[HASH], const uint8_t new[HASH])
{
	uint8_t want[MAXP][HASH];
	size_t len = 99, want_len = ref_proof(want, m, SG_MERKLE_HASHES(leaves), n);

	cr_assert_eq(sg_merkle_consistency_proof(proof, &len, SG_MERKLE_HASHES(leaves), n, m), 0);
	cr_assert_eq(len, want_len, "PROOF(%lu, D[%lu]) length", (unsigned long)m,
		     (unsigned long)n);
	cr_assert_arr_eq(proof, want, len * HASH, "PROOF(%lu, D[%lu])", (unsigned long)m,
			 (unsigned long)n);
	cr_assert_eq(verify_con(m, n, old, new, proof, len), 0, "PROOF(%lu, D[%lu]) rejected",
		     (unsigned long)m, (unsigned long)n);
	cr_assert(ref_verify_consistency(m, n, old, new, SG_MERKLE_HASHES(proof), len));
	return len;
}

/* roots[n] = MTH(D[n]) by the reference, n = 0..count-1. */
static void ref_roots(uint8_t (*roots)[HASH], size_t count)
{
	for (size_t n = 0; n < count; n++)
		ref_mth(roots[n], SG_MERKLE_HASHES(leaves), n);
}

/* --- known answers ------------------------------------------------------------ */

static const char *const ct_data[8] = {
	"", "00", "10", "2021", "3031", "40414243", "5051525354555657",
	"606162636465666768696a6b6c6d6e6f",
};

/* MTH of the first n leaves, n = 0..8. */
static const char *const ct_roots[9] = {
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	"aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
	"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
	"4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
	"76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
	"ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
	"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

/* Node hashes of the reference tree: leaves (L), subtrees (N). */
#define CT_L0 "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
#define CT_L1 "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"
#define CT_L4 "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"
#define CT_L6 "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f"
#define CT_N01 "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"
#define CT_N23 "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"
#define CT_N45 "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"
#define CT_N67 "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"
#define CT_N0123 "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"
#define CT_N4567 "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"

typedef struct ct_proof {
	uint64_t a, n; /* index or old size; tree size */
	size_t len;
	const char *hashes[3];
} ct_proof;

static const ct_proof ct_inclusion[] = {
	{ 0, 8, 3, { CT_L1, CT_N23, CT_N4567 } },
	{ 5, 8, 3, { CT_L4, CT_N67, CT_N0123 } },
	{ 2, 3, 1, { CT_N01 } },
	{ 1, 5, 3, { CT_L0, CT_N23, CT_L4 } },
};

static const ct_proof ct_consistency[] = {
	{ 1, 8, 3, { CT_L1, CT_N23, CT_N4567 } },
	{ 6, 8, 3, { CT_N45, CT_N67, CT_N0123 } },
	{ 2, 5, 2, { CT_N23, CT_L4 } },
	{ 6, 7, 3, { CT_N45, CT_L6, CT_N0123 } },
	{ 1, 1, 0, { NULL } },
	{ 8, 8, 0, { NULL } },
};

/* leaves[0..8) = the reference tree's leaf hashes. */
static void ct_leaves(void)
{
	for (size_t i = 0; i < 8; i++) {
		size_t len = 0;
		uint8_t *data = sg_test_hex(ct_data[i], &len);
		sg_merkle_leaf_hash(leaves[i], data, len);
		free(data);
	}
}

static void ct_expect_proof(uint8_t got[MAXP][HASH], size_t got_len, const ct_proof *p,
			    const char *what)
{
	cr_assert_eq(got_len, p->len, "%s(%lu, %lu) length", what, (unsigned long)p->a,
		     (unsigned long)p->n);
	for (size_t j = 0; j < p->len; j++)
		expect_hash(got[j], p->hashes[j], what);
}

Test(merkle, empty_tree_is_sha256_of_nothing)
{
	uint8_t out[HASH];
	sg_merkle_builder b;

	sg_merkle_root(out, NULL, 0);
	expect_hash(out, ct_roots[0], "MTH({})");
	sg_merkle_builder_init(&b);
	sg_merkle_builder_root(out, &b);
	expect_hash(out, ct_roots[0], "empty builder");
}

Test(merkle, leaf_and_node_hashes_known)
{
	uint8_t a[HASH], b[HASH], out[HASH];
	static const uint8_t zero[1] = { 0x00 };

	sg_merkle_leaf_hash(a, NULL, 0);
	expect_hash(a, ct_roots[1], "leaf hash of the empty string");
	sg_merkle_leaf_hash(b, zero, 1);
	expect_hash(b, CT_L1, "leaf hash of 00");
	sg_merkle_node_hash(out, a, b);
	expect_hash(out, ct_roots[2], "node hash");

	/* out may be either input */
	memcpy(out, a, HASH);
	sg_merkle_node_hash(out, out, b);
	expect_hash(out, ct_roots[2], "node hash into left");
	memcpy(out, b, HASH);
	sg_merkle_node_hash(out, a, out);
	expect_hash(out, ct_roots[2], "node hash into right");
}

Test(merkle, ct_reference_roots)
{
	uint8_t out[HASH];
	sg_merkle_builder b;

	ct_leaves();
	sg_merkle_builder_init(&b);
	for (size_t n = 0; n <= 8; n++) {
		sg_merkle_root(out, SG_MERKLE_HASHES(leaves), n);
		expect_hash(out, ct_roots[n], "MTH of the reference leaves");
		sg_merkle_builder_root(out, &b);
		expect_hash(out, ct_roots[n], "builder root of the reference leaves");
		ref_mth(out, SG_MERKLE_HASHES(leaves), n);
		expect_hash(out, ct_roots[n], "reference MTH of the reference leaves");
		if (n < 8)
			sg_merkle_builder_add_leaf_hash(&b, leaves[n]);
	}
}

Test(merkle, ct_reference_inclusion_proofs)
{
	uint8_t path[MAXP][HASH], root[HASH];
	size_t len;

	ct_leaves();
	for (size_t i = 0; i < sizeof ct_inclusion / sizeof ct_inclusion[0]; i++) {
		const ct_proof *p = &ct_inclusion[i];
		unhex(root, ct_roots[p->n]);
		len = inclusion_checked(path, p->a, p->n, root);
		ct_expect_proof(path, len, p, "PATH");
	}
}

Test(merkle, ct_reference_consistency_proofs)
{
	uint8_t proof[MAXP][HASH], old[HASH], new[HASH];
	size_t len;

	ct_leaves();
	for (size_t i = 0; i < sizeof ct_consistency / sizeof ct_consistency[0]; i++) {
		const ct_proof *p = &ct_consistency[i];
		unhex(old, ct_roots[p->a]);
		unhex(new, ct_roots[p->n]);
		len = consistency_checked(proof, p->a, p->n, old, new);
		ct_expect_proof(proof, len, p, "PROOF");
	}
}

/* --- every size up to 64 ------------------------------------------------------ */

Test(merkle, roots_match_the_definition)
{
	uint8_t roots[SMALL + 1][HASH], out[HASH];
	sg_merkle_builder b;

	make_leaves();
	ref_roots(roots, SMALL + 1);
	sg_merkle_builder_init(&b);
	for (size_t n = 0; n <= SMALL; n++) {
		sg_merkle_root(out, SG_MERKLE_HASHES(leaves), n);
		cr_assert_arr_eq(out, roots[n], HASH, "MTH(D[%zu])", n);
		sg_merkle_builder_root(out, &b);
		cr_assert_arr_eq(out, roots[n], HASH, "builder root of %zu leaves", n);
		cr_assert_eq(b.count, n);
		sg_merkle_builder_add_leaf_hash(&b, leaves[n]);
	}
}

/* Each probe must get the structural verifier's answer; rejected says
 * whether it must also be a rejection. */
static void inclusion_probe(const uint8_t leaf[HASH], uint64_t m, uint64_t n,
			    uint8_t (*path)[HASH], size_t len, const uint8_t root[HASH],
			    bool rejected, const char *what)
{
	bool want = ref_verify_inclusion(leaf, m, n, SG_MERKLE_HASHES(path), len, root);
	int got = verify_inc(leaf, m, n, path, len, root);

	cr_assert(got == 0 || got == SG_ERR_VERIFY, "%s: code %d", what, got);
	cr_assert_eq(got == 0, want, "%s (index %lu, size %lu): verifier says %d", what,
		     (unsigned long)m, (unsigned long)n, got);
	if (rejected)
		cr_assert(!want, "%s (index %lu, size %lu) accepted", what, (unsigned long)m,
			  (unsigned long)n);
}

/* Generates PATH(m, D[n]) and checks it, then every way of spoiling it. */
static void inclusion_tamper(uint64_t m, uint64_t n, const uint8_t root[HASH],
			     const uint8_t other_root[HASH])
{
	uint8_t path[MAXP][HASH], bad[MAXP + 1][HASH];
	size_t len = inclusion_checked(path, m, n, root);
	const uint64_t wrong_sizes[] = { n - 1, n + 1, 2 * n, n / 2, n + 2, n ^ 1 };
	const uint64_t wrong_index[] = { m + 1, m - 1, m ^ 1, m ^ 2, m ^ 3 };

	for (size_t j = 0; j < len; j++) { /* a flipped bit in each hash */
		memcpy(bad, path, len * HASH);
		bad[j][(j * 7 + m + n) % HASH] ^= (uint8_t)(1u << ((m + j) % 8));
		inclusion_probe(leaves[m], m, n, bad, len, root, true, "flipped bit");
	}
	for (size_t j = 0; j < sizeof wrong_index / sizeof wrong_index[0]; j++)
		if (wrong_index[j] != m) /* distinct leaves sit at distinct places */
			inclusion_probe(leaves[m], wrong_index[j], n, path, len, root, true,
					"wrong index");
	for (size_t j = 0; j < sizeof wrong_sizes / sizeof wrong_sizes[0]; j++)
		if (wrong_sizes[j] != n) /* same path shape: same answer */
			inclusion_probe(leaves[m], m, wrong_sizes[j], path, len, root,
					wrong_sizes[j] <= m, "wrong size");
	inclusion_probe(leaves[m], m, m, path, len, root, true, "index == size");
	inclusion_probe(leaves[m], m, UINT64_MAX, path, len, root, true, "size 2^64 - 1");
	inclusion_probe(leaves[m + 1], m, n, path, len, root, true, "wrong leaf");
	inclusion_probe(leaves[m], m, n, path, len, other_root, true, "wrong root");
	if (len > 0) {
		inclusion_probe(leaves[m], m, n, path, len - 1, root, true, "truncated");
		inclusion_probe(leaves[m], m, n, path + 1, len - 1, root, true, "first dropped");
	}
	memcpy(bad, path, len * HASH);
	for (size_t j = 0; j < 3; j++) { /* extended: zeros, the root, the last entry */
		memset(bad[len], 0, HASH);
		if (j == 1)
			memcpy(bad[len], root, HASH);
		if (j == 2 && len > 0)
			memcpy(bad[len], path[len - 1], HASH);
		inclusion_probe(leaves[m], m, n, bad, len + 1, root, true, "extended");
	}
	memcpy(bad[0], root, HASH); /* prepended root */
	memcpy(bad[1], path, len * HASH);
	inclusion_probe(leaves[m], m, n, bad, len + 1, root, true, "prepended");
}

Test(merkle, inclusion_every_size_and_index)
{
	uint8_t roots[SMALL + 2][HASH];

	make_leaves();
	ref_roots(roots, SMALL + 2);
	for (uint64_t n = 1; n <= SMALL; n++)
		for (uint64_t m = 0; m < n; m++)
			inclusion_tamper(m, n, roots[n], roots[n + 1]);
}

Test(merkle, inclusion_every_bit_flip_rejected)
{
	uint8_t roots[8][HASH], path[MAXP][HASH];
	size_t len;

	make_leaves();
	ref_roots(roots, 8);
	for (uint64_t m = 0; m < 7; m++) {
		len = inclusion_checked(path, m, 7, roots[7]);
		for (size_t bit = 0; bit < len * HASH * 8; bit++) {
			path[bit / 256][bit / 8 % HASH] ^= (uint8_t)(1u << (bit % 8));
			cr_assert_eq(verify_inc(leaves[m], m, 7, path, len, roots[7]),
				     SG_ERR_VERIFY, "bit %zu of PATH(%lu, D[7])", bit,
				     (unsigned long)m);
			path[bit / 256][bit / 8 % HASH] ^= (uint8_t)(1u << (bit % 8));
		}
	}
}

/*
 * RFC 9162's verifier learns the tree size only through the root: PATH(0,
 * D[3]) and PATH(0, D[4]) have the same shape (two right siblings), so the
 * size-3 proof with the size-3 root also passes as "size 4". Sound, since
 * the root must be the signed head for the size; pinned here so that nobody
 * "fixes" the verifier away from the RFC.
 */
Test(merkle, inclusion_binds_size_through_root_only)
{
	uint8_t roots[4][HASH], path[MAXP][HASH];
	size_t len;

	make_leaves();
	ref_roots(roots, 4);
	len = inclusion_checked(path, 0, 3, roots[3]);
	cr_assert_eq(verify_inc(leaves[0], 0, 4, path, len, roots[3]), 0);
	cr_assert_eq(verify_inc(leaves[0], 0, 5, path, len, roots[3]), SG_ERR_VERIFY);
}

static void consistency_probe(uint64_t m, uint64_t n, const uint8_t old[HASH],
			      const uint8_t new[HASH], uint8_t (*proof)[HASH], size_t len,
			      bool rejected, const char *what)
{
	bool want = ref_verify_consistency(m, n, old, new, SG_MERKLE_HASHES(proof), len);
	int got = verify_con(m, n, old, new, proof, len);

	cr_assert(got == 0 || got == SG_ERR_VERIFY, "%s: code %d", what, got);
	cr_assert_eq(got == 0, want, "%s (%lu, %lu): verifier says %d", what, (unsigned long)m,
		     (unsigned long)n, got);
	if (rejected)
		cr_assert(!want, "%s (%lu, %lu) accepted", what, (unsigned long)m,
			  (unsigned long)n);
}

/* Generates PROOF(m, D[n]), 0 < m < n, and checks it, then every way of
 * spoiling it. */
static void consistency_tamper(uint64_t m, uint64_t n, uint8_t (*roots)[HASH])
{
	uint8_t proof[MAXP][HASH], bad[MAXP + 1][HASH], zero[HASH] = { 0 };
	size_t len = consistency_checked(proof, m, n, roots[m], roots[n]);
	const uint8_t *old = roots[m], *new = roots[n];
	const uint64_t wrong[][2] = { { m - 1, n }, { m + 1, n }, { m ^ 2, n }, { m, n - 1 },
				      { m, n + 1 }, { m, 2 * n }, { m, n / 2 }, { n, m } };
	const uint8_t *extra[] = { zero, old, new, proof[0] };

	for (size_t j = 0; j < len; j++) { /* a flipped bit in each hash */
		memcpy(bad, proof, len * HASH);
		bad[j][(j * 11 + m + n) % HASH] ^= (uint8_t)(1u << ((n + j) % 8));
		consistency_probe(m, n, old, new, bad, len, true, "flipped bit");
	}
	for (size_t j = 0; j < sizeof wrong / sizeof wrong[0]; j++)
		if (wrong[j][0] != m || wrong[j][1] != n) /* same shape: same answer */
			consistency_probe(wrong[j][0], wrong[j][1], old, new, proof, len,
					  wrong[j][0] > wrong[j][1], "wrong sizes");
	consistency_probe(m, n, new, old, proof, len, true, "swapped roots");
	consistency_probe(m, n, roots[m - 1], new, proof, len, true, "wrong old root");
	consistency_probe(m, n, old, roots[n - 1], proof, len, true, "wrong new root");
	consistency_probe(m, n, old, new, proof, 0, true, "empty");
	consistency_probe(m, n, old, new, proof, len - 1, true, "truncated");
	consistency_probe(m, n, old, new, proof + 1, len - 1, true, "first dropped");
	for (size_t j = 0; j < sizeof extra / sizeof extra[0]; j++) {
		memcpy(bad, proof, len * HASH);
		memcpy(bad[len], extra[j], HASH);
		consistency_probe(m, n, old, new, bad, len + 1, true, "extended");
		memcpy(bad[0], extra[j], HASH);
		memcpy(bad[1], proof, len * HASH);
		consistency_probe(m, n, old, new, bad, len + 1, true, "prepended");
	}
}

Test(merkle, consistency_every_pair)
{
	uint8_t roots[SMALL + 1][HASH], proof[MAXP][HASH];

	make_leaves();
	ref_roots(roots, SMALL + 1);
	for (uint64_t n = 0; n <= SMALL; n++)
		for (uint64_t m = 0; m <= n; m++) {
			if (m == 0 || m == n) /* trivial: empty proofs */
				consistency_checked(proof, m, n, roots[m], roots[n]);
			else
				consistency_tamper(m, n, roots);
		}
}

Test(merkle, consistency_trivial_cases)
{
	uint8_t roots[4][HASH], one[1][HASH];

	make_leaves();
	ref_roots(roots, 4);
	memcpy(one[0], roots[1], HASH);
	/* a tree is consistent with itself, with an empty proof only */
	cr_assert_eq(verify_con(3, 3, roots[3], roots[3], NULL, 0), 0);
	cr_assert_eq(verify_con(3, 3, roots[3], roots[2], NULL, 0), SG_ERR_VERIFY);
	cr_assert_eq(verify_con(3, 3, roots[3], roots[3], one, 1), SG_ERR_VERIFY);
	cr_assert_eq(verify_con(0, 0, roots[0], roots[0], NULL, 0), 0);
	/* the empty tree is a prefix of every tree, with its own root */
	cr_assert_eq(verify_con(0, 3, roots[0], roots[3], NULL, 0), 0);
	cr_assert_eq(verify_con(0, 3, roots[1], roots[3], NULL, 0), SG_ERR_VERIFY);
	cr_assert_eq(verify_con(0, 3, roots[0], roots[3], one, 1), SG_ERR_VERIFY);
	/* shrinking is never consistent */
	cr_assert_eq(verify_con(3, 2, roots[3], roots[2], NULL, 0), SG_ERR_VERIFY);
	cr_assert_eq(verify_con(1, 0, roots[1], roots[0], NULL, 0), SG_ERR_VERIFY);
}

/* --- sizes around powers of two ---------------------------------------------- */

static const size_t around[] = { 255, 256, 257, 1023, 1024, 1025 };

Test(merkle, builder_equals_array_around_powers_of_two)
{
	uint8_t a[HASH], r[HASH], want[HASH];
	sg_merkle_builder b, fork;
	size_t next = 0;

	make_leaves();
	sg_merkle_builder_init(&b);
	for (size_t n = 1; n <= LARGE; n++) {
		sg_merkle_builder_add_leaf_hash(&b, leaves[n - 1]);
		if (n != around[next])
			continue;
		next++;
		sg_merkle_builder_root(r, &b);
		sg_merkle_root(a, SG_MERKLE_HASHES(leaves), n);
		ref_mth(want, SG_MERKLE_HASHES(leaves), n);
		cr_assert_arr_eq(a, want, HASH, "MTH(D[%zu])", n);
		cr_assert_arr_eq(r, want, HASH, "builder root of %zu leaves", n);
		/* a copy is an independent tree */
		fork = b;
		sg_merkle_builder_add_leaf_hash(&fork, leaves[0]);
		sg_merkle_builder_root(r, &b);
		cr_assert_arr_eq(r, want, HASH, "root changed by a fork");
	}
	cr_assert_eq(next, sizeof around / sizeof around[0]);
}

Test(merkle, inclusion_around_powers_of_two)
{
	uint8_t root[HASH], path[MAXP][HASH];
	size_t len;

	make_leaves();
	for (size_t s = 0; s < sizeof around / sizeof around[0]; s++) {
		size_t n = around[s];
		sg_merkle_root(root, SG_MERKLE_HASHES(leaves), n);
		for (size_t m = 0; m < n; m++) {
			/* against the reference at the edges and a stride */
			if (m < 3 || m + 3 > n || m % 61 == 0 || (m > 250 && m < 260)) {
				inclusion_checked(path, m, n, root);
				continue;
			}
			cr_assert_eq(sg_merkle_inclusion_proof(path, &len,
							       SG_MERKLE_HASHES(leaves), n, m),
				     0);
			cr_assert_eq(verify_inc(leaves[m], m, n, path, len, root), 0,
				     "PATH(%zu, D[%zu]) rejected", m, n);
		}
	}
}

Test(merkle, consistency_around_powers_of_two)
{
	static const size_t olds[] = { 1,   2,   3,   127, 128, 129,  255,  256,
				       257, 511, 512, 513, 1023, 1024, 1025 };
	uint8_t old[HASH], new[HASH], proof[MAXP][HASH];

	make_leaves();
	for (size_t s = 0; s < sizeof around / sizeof around[0]; s++) {
		size_t n = around[s];
		sg_merkle_root(new, SG_MERKLE_HASHES(leaves), n);
		for (size_t o = 0; o < sizeof olds / sizeof olds[0] && olds[o] <= n; o++) {
			sg_merkle_root(old, SG_MERKLE_HASHES(leaves), olds[o]);
			consistency_checked(proof, olds[o], n, old, new);
		}
	}
}

/* --- the largest trees: 2^63 identical leaves ------------------------------- */

/* h[j] = root of a perfect tree of 2^j copies of leaves[0]. */
static void perfect_levels(uint8_t h[64][HASH])
{
	memcpy(h[0], leaves[0], HASH);
	for (size_t j = 1; j < 64; j++)
		ref_node(h[j], h[j - 1], h[j - 1]);
}

Test(merkle, largest_tree_proofs_verify)
{
	uint8_t h[64][HASH], proof[MAXP + 1][HASH], old[HASH];
	const uint64_t max = SG_MERKLE_MAX_LEAVES;

	make_leaves();
	perfect_levels(h);
	/* in a perfect tree of equal leaves every path is h[0..62] */
	cr_assert_eq(verify_inc(h[0], 0, max, h, 63, h[63]), 0);
	cr_assert_eq(verify_inc(h[0], max - 1, max, h, 63, h[63]), 0);
	cr_assert_eq(verify_inc(h[0], max / 2 + 5, max, h, 63, h[63]), 0);
	cr_assert_eq(verify_inc(h[0], 0, max, h, 62, h[63]), SG_ERR_VERIFY);
	cr_assert_eq(verify_inc(h[0], 0, max, h, 64, h[63]), SG_ERR_VERIFY);
	cr_assert_eq(verify_inc(h[0], 0, max + 1, h, 63, h[63]), SG_ERR_VERIFY);
	cr_assert_eq(verify_inc(h[0], max, max + 1, h, 63, h[63]), SG_ERR_VERIFY);

	/* PROOF(2^62, D[2^63]) = {h[62]} */
	cr_assert_eq(verify_con(max / 2, max, h[62], h[63], h + 62, 1), 0);
	cr_assert_eq(verify_con(max / 2, max + 1, h[62], h[63], h + 62, 1), SG_ERR_VERIFY);

	/* PROOF(2^63 - 1, D[2^63]) = {h[0], h[0], h[1], ..., h[62]}: the
	 * longest proof there is, SG_MERKLE_MAX_PROOF hashes */
	memcpy(proof[0], h[0], HASH);
	memcpy(proof[1], h, 63 * HASH);
	memcpy(old, h[0], HASH); /* MTH(2^j - 1 leaves) = node(h[j-1], MTH(2^(j-1) - 1)) */
	for (size_t j = 1; j < 63; j++)
		ref_node(old, h[j], old);
	cr_assert_eq(verify_con(max - 1, max, old, h[63], proof, MAXP), 0);
	cr_assert(ref_verify_consistency(max - 1, max, old, h[63], SG_MERKLE_HASHES(proof), MAXP));
	cr_assert_eq(verify_con(max - 1, max, old, h[63], proof, MAXP - 1), SG_ERR_VERIFY);
	memcpy(proof[MAXP], h[0], HASH);
	cr_assert_eq(verify_con(max - 1, max, old, h[63], proof, MAXP + 1), SG_ERR_VERIFY);
}

/* --- refusals ---------------------------------------------------------------- */

Test(merkle, generators_refuse_out_of_range)
{
	uint8_t (*out)[HASH] = (uint8_t (*)[HASH])sg_test_filled(MAXP * HASH);
	size_t len = 99;

	make_leaves();
	cr_assert_eq(sg_merkle_inclusion_proof(out, &len, SG_MERKLE_HASHES(leaves), 5, 5),
		     SG_ERR_PARAM);
	cr_assert_eq(len, 0);
	cr_assert(sg_test_zeroed(out, MAXP * HASH), "output left on failure");

	memset(out, 0xa5, MAXP * HASH);
	len = 99;
	cr_assert_eq(sg_merkle_inclusion_proof(out, &len, NULL, 0, 0), SG_ERR_PARAM);
	cr_assert_eq(len, 0);
	cr_assert(sg_test_zeroed(out, MAXP * HASH));

	memset(out, 0xa5, MAXP * HASH);
	len = 99;
	cr_assert_eq(sg_merkle_consistency_proof(out, &len, SG_MERKLE_HASHES(leaves), 4, 5),
		     SG_ERR_PARAM);
	cr_assert_eq(len, 0);
	cr_assert(sg_test_zeroed(out, MAXP * HASH));

	/* trivial proofs are empty */
	len = 99;
	cr_assert_eq(sg_merkle_consistency_proof(out, &len, NULL, 0, 0), 0);
	cr_assert_eq(len, 0);
	free(out);
}

Test(merkle, verifiers_refuse_out_of_range)
{
	uint8_t roots[3][HASH], path[MAXP + 1][HASH] = { { 0 } };

	make_leaves();
	ref_roots(roots, 3);
	cr_assert_eq(verify_inc(roots[1], 0, 0, NULL, 0, roots[0]), SG_ERR_VERIFY);
	cr_assert_eq(verify_inc(roots[1], 1, 1, NULL, 0, roots[1]), SG_ERR_VERIFY);
	cr_assert_eq(verify_inc(roots[1], 0, 1, NULL, 0, roots[1]), 0);
	cr_assert_eq(verify_inc(roots[1], 0, 1, path, MAXP + 1, roots[1]), SG_ERR_VERIFY);
	cr_assert_eq(verify_inc(roots[1], UINT64_MAX - 1, UINT64_MAX, path, MAXP, roots[1]),
		     SG_ERR_VERIFY);
	cr_assert_eq(verify_con(1, 2, roots[1], roots[2], path, MAXP + 1), SG_ERR_VERIFY);
	cr_assert_eq(verify_con(UINT64_MAX, UINT64_MAX, roots[1], roots[1], NULL, 0),
		     SG_ERR_VERIFY);
	cr_assert_eq(verify_con(1, UINT64_MAX, roots[1], roots[2], path, MAXP), SG_ERR_VERIFY);
}

Test(merkle, null_leaves_are_a_misuse, .signal = SIGABRT)
{
	uint8_t out[HASH];

	sg_merkle_root(out, NULL, 1);
}

Test(merkle, null_path_with_a_length_is_a_misuse, .signal = SIGABRT)
{
	uint8_t h[HASH] = { 0 };

	cr_assert_fail("returned %d", sg_merkle_verify_inclusion(h, 0, 2, NULL, 1, h));
}

Test(merkle, full_builder_is_a_misuse, .signal = SIGABRT)
{
	sg_merkle_builder b;
	uint8_t h[HASH] = { 0 };

	sg_merkle_builder_init(&b);
	b.count = SG_MERKLE_MAX_LEAVES;
	sg_merkle_builder_add_leaf_hash(&b, h);
}
