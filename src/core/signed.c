/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/signed.h"
#include "spillguard/err.h"

/* label || body in one buffer: Ed25519 signs a whole message. */
static uint8_t *labeled(const char *label, const uint8_t *body, size_t len, size_t *out_len)
{
	size_t n = strlen(label);
	uint8_t *m = malloc(n + len + 1);
	if (m != NULL) {
		memcpy(m, label, n);
		if (len > 0) /* an empty field may have no buffer */
			memcpy(m + n, body, len);
		*out_len = n + len;
	}
	return m;
}

int sg_sign_labeled(uint8_t sig[SG_SIGNATURE_BYTES], const char *label, const uint8_t *body,
		    size_t body_len, const uint8_t sk[64])
{
	size_t n = 0;
	uint8_t *m = labeled(label, body, body_len, &n);
	if (m == NULL) {
		memset(sig, 0, SG_SIGNATURE_BYTES);
		return SG_ERR_NOMEM;
	}
	crypto_sign_detached(sig, NULL, m, n, sk);
	free(m);
	return 0;
}

bool sg_verify_labeled(const uint8_t *sig, size_t sig_len, const char *label, const uint8_t *body,
		       size_t body_len, const uint8_t pk[32])
{
	size_t n = 0;
	if (sig_len != SG_SIGNATURE_BYTES)
		return false;
	uint8_t *m = labeled(label, body, body_len, &n);
	if (m == NULL)
		return false;
	bool ok = crypto_sign_verify_detached(sig, m, n, pk) == 0;
	free(m);
	return ok;
}
