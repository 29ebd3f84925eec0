/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SG_CORE_SHA256_H
#define SG_CORE_SHA256_H

/*
 * SHA-256 (FIPS 180-4) for the digests on the hot path: every report's
 * sealed shares are hashed by the client and again by each aggregator
 * (DESIGN.md §5), and the leader's share is tens of kilobytes. On x86-64
 * CPUs with the SHA extensions the compression function uses them (chosen
 * at run time from CPUID, so the binary still runs anywhere); elsewhere,
 * and in builds with SG_PORTABLE_ARITH, a portable C one. The input is
 * public data (ciphertexts, message bodies): neither path is meant to be
 * constant-time in it.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SG_SHA256_BYTES 32
#define SG_SHA256_BLOCK_BYTES 64

typedef struct sg_sha256_state {
	uint32_t h[8];
	uint64_t total;              /* bytes absorbed */
	uint8_t buf[SG_SHA256_BLOCK_BYTES];
	size_t n;                    /* bytes in buf */
} sg_sha256_state;

void sg_sha256_init(sg_sha256_state *st);
void sg_sha256_update(sg_sha256_state *st, const uint8_t *in, size_t len);
/* Writes the digest and wipes the state. */
void sg_sha256_final(sg_sha256_state *st, uint8_t out[SG_SHA256_BYTES]);
void sg_sha256(uint8_t out[SG_SHA256_BYTES], const uint8_t *in, size_t len);

/* For tests: the compression functions, and whether the SHA extensions
 * are used. n blocks of 64 bytes. */
void sg_sha256_blocks_portable(uint32_t h[8], const uint8_t *in, size_t n);
bool sg_sha256_have_ni(void);
void sg_sha256_blocks_ni(uint32_t h[8], const uint8_t *in, size_t n);

#endif
