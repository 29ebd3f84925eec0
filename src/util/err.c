/* SPDX-License-Identifier: Apache-2.0 */
#include "spillguard/err.h"

const char *sg_strerror(int err)
{
	switch (err) {
	case SG_OK: return "success";
	case SG_ERR_PARAM: return "parameters out of the allowed range";
	case SG_ERR_LENGTH: return "encoded input has the wrong length";
	case SG_ERR_NONCANONICAL: return "encoded field element is not reduced modulo p";
	case SG_ERR_MEASUREMENT: return "measurement is outside the allowed range";
	case SG_ERR_VERIFY: return "validity proof did not verify";
	case SG_ERR_JOINT_RAND: return "joint randomness check failed";
	case SG_ERR_TEST_POINT: return "query randomness hit a root of unity; retry with a new nonce";
	case SG_ERR_NOMEM: return "out of memory";
	case SG_ERR_IO: return "input/output error";
	case SG_ERR_PARSE: return "malformed input text";
	case SG_ERR_STATE: return "operation not valid in this state";
	case SG_ERR_OVERFLOW: return "aggregate value does not fit in 64 bits";
	case SG_ERR_DECRYPT:
		return "sealed share did not open: wrong key, context or corrupted bytes";
	case SG_ERR_PERMISSION:
		return "secret key file is readable by others (chmod 600 it) or is a symbolic link";
	case SG_ERR_KEY:
		return "key file holds another kind of key, or a key that does not match its key id";
	case SG_ERR_EXISTS: return "file already exists; refusing to overwrite it";
	case SG_ERR_TIMEOUT: return "no reply in time from the peer";
	default: return "unknown error";
	}
}
