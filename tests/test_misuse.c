/* SPDX-License-Identifier: Apache-2.0 */
/* Programming errors go through the one misuse handler, then abort. */
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "core/xof.h"
#include "spillguard/err.h"

static void exit_if_named(const char *where)
{
	/* the handler learns where the misuse happened */
	_exit(where != NULL && strstr(where, "absorb") != NULL ? 42 : 43);
}

Test(misuse, handler_runs_first, .exit_code = 42)
{
	sg_turboshake s;
	sg_set_misuse_handler(exit_if_named);
	sg_turboshake128_init(&s);
	sg_turboshake128_finalize(&s, 0x1f);
	sg_turboshake128_absorb(&s, (const uint8_t *)"x", 1); /* absorbing while squeezing */
}

static void returns(const char *where)
{
	(void)where;
}

Test(misuse, aborts_when_the_handler_returns, .signal = SIGABRT)
{
	uint8_t out[4];
	sg_turboshake s;
	sg_set_misuse_handler(returns);
	sg_turboshake128_init(&s);
	sg_turboshake128_squeeze(&s, out, sizeof out); /* squeezing before finalize */
}
