/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SG_CORE_BYTES_H
#define SG_CORE_BYTES_H

/* Little-endian 64-bit loads and stores: one move on little-endian hosts. */
#include <stdint.h>
#include <string.h>

#if defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__) && \
	__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define SG_LITTLE_ENDIAN_HOST 1
#else
#define SG_LITTLE_ENDIAN_HOST 0
#endif

static inline uint64_t sg_load_le64(const uint8_t *p)
{
	uint64_t v;
#if SG_LITTLE_ENDIAN_HOST
	memcpy(&v, p, 8);
#else
	v = 0;
	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
#endif
	return v;
}

static inline void sg_store_le64(uint8_t *p, uint64_t v)
{
#if SG_LITTLE_ENDIAN_HOST
	memcpy(p, &v, 8);
#else
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
#endif
}

#endif
