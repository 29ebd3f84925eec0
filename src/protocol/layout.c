/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/layout.h"

#define PREFIX "industry-"

static const char *const suffix[] = { ".pb", ".json", ".reports.pb" };

void sg_pub_industry_file(char out[static SG_PUB_NAME_BYTES], uint32_t industry,
			  enum sg_pub_kind kind)
{
	snprintf(out, SG_PUB_NAME_BYTES, PREFIX "%" PRIu32 "%s", industry, suffix[kind]);
}

bool sg_pub_industry_parse(const char *name, uint32_t *industry, enum sg_pub_kind *kind)
{
	const char *p = name + strlen(PREFIX);
	char *end;
	if (strncmp(name, PREFIX, strlen(PREFIX)) != 0 || *p < '0' || *p > '9')
		return false;
	errno = 0;
	unsigned long long v = strtoull(p, &end, 10);
	if (errno != 0 || v > UINT32_MAX || (p[0] == '0' && end != p + 1))
		return false;
	for (int k = 2; k >= 0; k--) /* the longest suffix first */
		if (strcmp(end, suffix[k]) == 0) {
			*industry = (uint32_t)v;
			*kind = (enum sg_pub_kind)k;
			return true;
		}
	return false;
}
