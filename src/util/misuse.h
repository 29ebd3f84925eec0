/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SG_UTIL_MISUSE_H
#define SG_UTIL_MISUSE_H

/*
 * The one exit for programming errors (an API used against its contract,
 * never bad input): calls the handler set with sg_set_misuse_handler, then
 * aborts. `where` names the function, for a debugger or a core dump.
 */
_Noreturn void sg_misuse(const char *where);

#endif
