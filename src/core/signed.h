/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SG_CORE_SIGNED_H
#define SG_CORE_SIGNED_H

/*
 * Ed25519 signatures over a domain-separation label and the exact bytes of
 * a signed artefact's body: sign(label || body). Each kind of artefact has
 * its own label (task, report, receipt, ...), so a signature on one can
 * never pass for another.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spillguard/export.h"

#define SG_SIGNATURE_BYTES 64

/* 0, or SG_ERR_NOMEM. */
SG_MUST_CHECK int sg_sign_labeled(uint8_t sig[SG_SIGNATURE_BYTES], const char *label,
				  const uint8_t *body, size_t body_len, const uint8_t sk[64]);
/* True when sig (of sig_len bytes) is pk's signature of label || body. */
SG_MUST_CHECK bool sg_verify_labeled(const uint8_t *sig, size_t sig_len, const char *label,
				     const uint8_t *body, size_t body_len, const uint8_t pk[32]);

#endif
