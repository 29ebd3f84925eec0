/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SG_CORE_KECCAK_INTERNAL_H
#define SG_CORE_KECCAK_INTERNAL_H

/* Shared by the scalar and the two-way Keccak-p[1600, 12]. */
#include <stdint.h>

/*
 * Round constants of rounds 12..23 of Keccak-f[1600] (FIPS 202 §3.2.5).
 * Static so that each permutation reads it as a local constant, as it did
 * when keccak.c held it; the two copies are 96 bytes each.
 */
static const uint64_t sg_keccak_rc12[12] = {
	0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL,
	0x8000000000008003ULL, 0x8000000000008002ULL, 0x8000000000000080ULL,
	0x000000000000800aULL, 0x800000008000000aULL, 0x8000000080008081ULL,
	0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL,
};

#endif
