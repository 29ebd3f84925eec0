/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SPILLGUARD_VERSION_H
#define SPILLGUARD_VERSION_H

/* The release version; the Makefile reads it for spillguard.pc. */
#define SG_VERSION "0.1.0"

#endif
