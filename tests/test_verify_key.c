/* SPDX-License-Identifier: Apache-2.0 */
/* The verification key reaches each helper sealed to it alone, and the
 * fingerprint tells the leader the helper holds the same key. */
#define _GNU_SOURCE /* memmem */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <sodium.h>

#include "common.h"
#include "protocol/verify_key.h"
#include "spillguard/err.h"
#include "wire/codec.h"

Test(verify_key, a_grant_opens_at_its_helper_only)
{
	sg_test_world w;
	uint8_t key[32], got[32], *g, *ack;
	size_t glen, alen;
	sg_test_world_init(&w, 3, 2, 2);
	randombytes_buf(key, sizeof key);
	cr_assert_eq(sg_verify_key_grant(&g, &glen, w.task, 1, key), 0);
	cr_assert_eq(sg_verify_key_open(got, w.task, 1, w.agg_hpke_sk[1], g, glen), 0);
	cr_assert_arr_eq(got, key, sizeof key);
	cr_assert_eq(sg_verify_key_ack(&ack, &alen, w.task, got), 0);
	cr_assert_eq(sg_verify_key_ack_check(w.task, key, ack, alen), 0);
	/* the fingerprint does not carry the key */
	cr_assert_null(memmem(ack, alen, key, sizeof key));

	/* another helper: the grant names helper 1; with helper 2's key it does not open */
	cr_assert_eq(sg_verify_key_open(got, w.task, 2, w.agg_hpke_sk[2], g, glen), SG_ERR_PARSE);
	cr_assert(sg_test_zeroed(got, sizeof got));
	cr_assert_eq(sg_verify_key_open(got, w.task, 1, w.agg_hpke_sk[2], g, glen), SG_ERR_DECRYPT);
	cr_assert(sg_test_zeroed(got, sizeof got));

	/* the grant re-addressed to helper 2 still does not open there: info binds the index */
	sg_wire_msg m;
	cr_assert_eq(sg_wire_decode(&m, g, glen), 0);
	m.env->verify_key->aggregator = 2;
	uint8_t *moved;
	size_t mlen;
	cr_assert_eq(sg_wire_encode(&moved, &mlen, m.env), 0);
	sg_wire_msg_free(&m);
	cr_assert_eq(sg_verify_key_open(got, w.task, 2, w.agg_hpke_sk[2], moved, mlen),
		     SG_ERR_DECRYPT);
	cr_assert_eq(sg_verify_key_open(got, w.task, 2, w.agg_hpke_sk[1], moved, mlen),
		     SG_ERR_DECRYPT);
	free(moved);

	/* a helper holding another key is found out */
	uint8_t other[32], *ack2;
	size_t alen2;
	randombytes_buf(other, sizeof other);
	cr_assert_eq(sg_verify_key_ack(&ack2, &alen2, w.task, other), 0);
	cr_assert_eq(sg_verify_key_ack_check(w.task, key, ack2, alen2), SG_ERR_VERIFY);
	/* an ack is no grant, a grant no ack */
	cr_assert_eq(sg_verify_key_ack_check(w.task, key, g, glen), SG_ERR_PARSE);
	cr_assert_eq(sg_verify_key_open(got, w.task, 1, w.agg_hpke_sk[1], ack, alen), SG_ERR_PARSE);
	/* the leader grants to helpers only */
	uint8_t *none;
	size_t nlen;
	cr_assert_eq(sg_verify_key_grant(&none, &nlen, w.task, 0, key), SG_ERR_PARAM);
	cr_assert_eq(sg_verify_key_grant(&none, &nlen, w.task, 3, key), SG_ERR_PARAM);
	cr_assert_null(none);
	free(ack2);
	free(ack);
	free(g);
	sg_test_world_free(&w);
}
