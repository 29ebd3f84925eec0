/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>

#include <criterion/criterion.h>

#include "common.h"
#include "protocol/round.h"
#include "spillguard/err.h"

Test(round, collect_now_opens_only_for_its_task_and_authority)
{
	sg_test_world w, other;
	sg_test_world_init(&w, 2, 4, 2);
	sg_test_world_init(&other, 2, 4, 2);
	uint8_t *msg, *bad;
	size_t len, bad_len;
	uint64_t at = 1;
	cr_assert_eq(sg_collect_now_msg(&msg, &len, w.task, w.auth_sk, 1700), 0);
	cr_assert_eq(sg_collect_now_read(&at, w.task, msg, len), 0);
	cr_assert_eq(at, 1700);
	/* another task's reader */
	cr_assert_eq(sg_collect_now_read(&at, other.task, msg, len), SG_ERR_PARSE);
	cr_assert_eq(at, 0);
	/* signed by someone else: an aggregator, or another authority */
	cr_assert_eq(sg_collect_now_msg(&bad, &bad_len, w.task, w.agg_sign_sk[0], 1700), 0);
	cr_assert_eq(sg_collect_now_read(&at, w.task, bad, bad_len), SG_ERR_VERIFY);
	free(bad);
	cr_assert_eq(sg_collect_now_msg(&bad, &bad_len, w.task, other.auth_sk, 1700), 0);
	cr_assert_eq(sg_collect_now_read(&at, w.task, bad, bad_len), SG_ERR_VERIFY);
	free(bad);
	/* every single-bit change is refused */
	for (size_t i = 0; i < len; i++) {
		msg[i] ^= 0x10;
		cr_assert_neq(sg_collect_now_read(&at, w.task, msg, len), 0, "byte %zu", i);
		msg[i] ^= 0x10;
	}
	free(msg);
	sg_test_world_free(&w);
	sg_test_world_free(&other);
}

Test(round, status_round_trips_and_names_only_the_task_industries)
{
	sg_test_world w;
	sg_test_world_init(&w, 2, 4, 2);
	uint32_t pub[1] = { 2 }, held[1] = { 1 }, stranger[1] = { 9 };
	sg_round_status s = { SG_ROUND_PUBLISHED, 40, 37, 2, 1, 1, pub, held }, got;
	uint8_t *msg;
	size_t len;
	cr_assert_eq(sg_round_status_msg(&msg, &len, w.task, &s), 0);
	cr_assert_eq(sg_round_status_read(&got, w.task, msg, len), 0);
	cr_assert_eq(got.state, SG_ROUND_PUBLISHED);
	cr_assert_eq(got.uploads, 40);
	cr_assert_eq(got.accepted, 37);
	cr_assert_eq(got.refused, 2);
	cr_assert_eq(got.n_published, 1);
	cr_assert_eq(got.published[0], 2);
	cr_assert_eq(got.n_withheld, 1);
	cr_assert_eq(got.withheld[0], 1);
	sg_round_status_free(&got);
	free(msg);

	s.withheld = stranger;
	cr_assert_eq(sg_round_status_msg(&msg, &len, w.task, &s), 0);
	cr_assert_eq(sg_round_status_read(&got, w.task, msg, len), SG_ERR_PARSE);
	cr_assert_null(got.published);
	free(msg);
	s.withheld = held;
	s.state = (enum sg_round_state)7;
	cr_assert_eq(sg_round_status_msg(&msg, &len, w.task, &s), 0);
	cr_assert_eq(sg_round_status_read(&got, w.task, msg, len), SG_ERR_PARSE);
	free(msg);
	sg_test_world_free(&w);
}
