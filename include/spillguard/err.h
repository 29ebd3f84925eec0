/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SPILLGUARD_ERR_H
#define SPILLGUARD_ERR_H

#include "spillguard/export.h"

/*
 * Library functions return 0 on success or one of these negative codes.
 * Every code has a message a user can act on (sg_strerror).
 */
enum sg_err {
	SG_OK = 0,
	SG_ERR_PARAM = -1,        /* parameters out of the range the draft allows */
	SG_ERR_LENGTH = -2,       /* encoded input has the wrong length */
	SG_ERR_NONCANONICAL = -3, /* encoded field element is >= the modulus */
	SG_ERR_MEASUREMENT = -4,  /* measurement outside the circuit's range */
	SG_ERR_VERIFY = -5,       /* the proof did not verify */
	SG_ERR_JOINT_RAND = -6,   /* joint randomness check failed */
	SG_ERR_TEST_POINT = -7,   /* query randomness hit a root of unity */
	SG_ERR_NOMEM = -8,        /* out of memory */
	SG_ERR_IO = -9,           /* reading or writing a file failed */
	SG_ERR_PARSE = -10,       /* text input (JSON, hex, CSV) is malformed */
	SG_ERR_STATE = -11,       /* operation not valid in this state */
	SG_ERR_OVERFLOW = -12,    /* a result does not fit in 64 bits */
	SG_ERR_DECRYPT = -13,     /* an HPKE ciphertext did not open */
	SG_ERR_PERMISSION = -14,  /* a secret key file is readable by others or a link */
	SG_ERR_KEY = -15,         /* a key file holds another key, or one not matching its id */
	SG_ERR_EXISTS = -16,      /* refusing to overwrite an existing file */
	SG_ERR_TIMEOUT = -17,     /* no reply came in time from a peer */
};

SG_API const char *sg_strerror(int err);

/*
 * Programming errors (a function called against its documented contract,
 * such as absorbing into an XOF that is already squeezing) end the process:
 * the handler, if set, runs first (to log, or to flush), then abort().
 * Bad input from outside is never a misuse: it gets an error return.
 */
SG_API void sg_set_misuse_handler(void (*handler)(const char *where));

#endif
