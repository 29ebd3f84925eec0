/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SG_CONFORMANCE_VDAF_VECTORS_H
#define SG_CONFORMANCE_VDAF_VECTORS_H

/*
 * Runs one test-vector file of draft-irtf-cfrg-vdaf-20 (§"Test Vectors"):
 * a Prio3 variant's operations in order, every produced byte string
 * compared, or XofTurboShake128.json. The variant comes from the file
 * name (Prio3Count_0.json -> Prio3Count), its parameters from the file.
 */
#include <stddef.h>

enum sg_vector_result {
	SG_VECTOR_PASS = 0,
	SG_VECTOR_FAIL = 1,   /* msg says which operation and what differed */
	SG_VECTOR_SKIP = 2,   /* not a vector this runner implements (msg says why) */
	SG_VECTOR_ERROR = 3,  /* unreadable or malformed file (msg says why) */
};

/* msg receives one line without the file name, e.g.
 * "verify_init report 0 aggregator 1: expected 12ab got 12ac". */
enum sg_vector_result sg_vdaf_vector_run(const char *path, char *msg, size_t msg_len);

#endif
