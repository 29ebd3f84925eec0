/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SG_CORE_HPKE_INTERNAL_H
#define SG_CORE_HPKE_INTERNAL_H

/*
 * The inside of spillguard/hpke.h, for its tests: the context's fields and
 * the KEM's Encap and Decap (RFC 9180 §4.1), whose shared secret the test
 * vectors give.
 */
#include <stdint.h>

#include "spillguard/hpke.h"

#define SG_HPKE_SHARED_SECRET_BYTES 32 /* Nsecret */
#define SG_HPKE_KEY_BYTES 32           /* Nk */
#define SG_HPKE_NONCE_BYTES 12         /* Nn */
#define SG_HPKE_EXPORTER_SECRET_BYTES 32 /* Nh */

enum sg_hpke_role { SG_HPKE_SENDER = 1, SG_HPKE_RECEIVER = 2 };

struct sg_hpke_ctx {
	uint8_t key[SG_HPKE_KEY_BYTES];
	uint8_t base_nonce[SG_HPKE_NONCE_BYTES];
	uint8_t exporter_secret[SG_HPKE_EXPORTER_SECRET_BYTES];
	uint64_t seq; /* the next message's number; UINT64_MAX: exhausted */
	enum sg_hpke_role role;
};

/* Encap with the ephemeral secret key sk_e (DeriveKeyPair(ikmE) in the
 * vectors): SG_ERR_PARAM when pk_r is a low-order point. */
SG_MUST_CHECK int sg_hpke_encap(uint8_t shared_secret[static SG_HPKE_SHARED_SECRET_BYTES],
				uint8_t enc[static SG_HPKE_ENC_BYTES],
				const uint8_t pk_r[static SG_HPKE_PUBLIC_KEY_BYTES],
				const uint8_t sk_e[static SG_HPKE_SECRET_KEY_BYTES]);
/* Decap: SG_ERR_DECRYPT when enc is a low-order point. */
SG_MUST_CHECK int sg_hpke_decap(uint8_t shared_secret[static SG_HPKE_SHARED_SECRET_BYTES],
				const uint8_t enc[static SG_HPKE_ENC_BYTES],
				const uint8_t sk_r[static SG_HPKE_SECRET_KEY_BYTES]);

#endif
