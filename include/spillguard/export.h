/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SPILLGUARD_EXPORT_H
#define SPILLGUARD_EXPORT_H

/* The library is built with -fvisibility=hidden; public symbols say so. */
#define SG_API __attribute__((visibility("default")))

/* Results that report verification or decoding must be checked. */
#define SG_MUST_CHECK __attribute__((warn_unused_result))

#endif
