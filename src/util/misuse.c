/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>

#include "spillguard/err.h"
#include "util/misuse.h"

static void (*handler)(const char *where);

void sg_set_misuse_handler(void (*h)(const char *where))
{
	handler = h;
}

_Noreturn void sg_misuse(const char *where)
{
	if (handler != NULL)
		handler(where);
	abort();
}
