/* SPDX-License-Identifier: Apache-2.0 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "edge/pubdir.h"
#include "spillguard/err.h"
#include "util/file.h"

/* dir/name into *f when it exists: 0, or an error with err set. */
static int read_one(sg_audit_file *f, uint8_t **keep, const char *dir, const char *name,
		    char *err, size_t err_len)
{
	char path[4200];
	struct stat st;
	char *bytes = NULL;
	size_t len = 0;
	f->data = NULL;
	f->len = 0;
	if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path) {
		snprintf(err, err_len, "%s: path too long", dir);
		return SG_ERR_IO;
	}
	if (stat(path, &st) != 0 && errno == ENOENT)
		return 0;
	int ret = sg_file_read(&bytes, &len, path, SG_PUB_MAX_FILE_BYTES, err, err_len);
	if (ret != 0)
		return ret;
	*keep = (uint8_t *)bytes;
	f->data = (const uint8_t *)bytes;
	f->len = len;
	return 0;
}

static sg_audit_industry_files *entry_for(sg_pubdir *p, uint32_t id, size_t *cap)
{
	for (size_t i = 0; i < p->files.n_industries; i++)
		if (p->industries[i].id == id)
			return &p->industries[i];
	if (p->files.n_industries == *cap) {
		size_t more = *cap ? 2 * *cap : 8;
		sg_audit_industry_files *n = realloc(p->industries, more * sizeof *n);
		if (n == NULL)
			return NULL;
		p->industries = n;
		*cap = more;
	}
	sg_audit_industry_files *e = &p->industries[p->files.n_industries++];
	memset(e, 0, sizeof *e);
	e->id = id;
	return e;
}

static int read_industries(sg_pubdir *p, const char *dir, char *err, size_t err_len)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t cap = 0;
	int ret = 0;
	if (d == NULL) {
		snprintf(err, err_len, "%s: %s", dir, strerror(errno));
		return SG_ERR_IO;
	}
	while (ret == 0 && (de = readdir(d)) != NULL) {
		uint32_t id;
		enum sg_pub_kind kind;
		if (!sg_pub_industry_parse(de->d_name, &id, &kind))
			continue;
		sg_audit_industry_files *e = entry_for(p, id, &cap);
		if (e == NULL) {
			ret = SG_ERR_NOMEM;
			break;
		}
		sg_audit_file *f = kind == SG_PUB_AGGREGATE ? &e->pb
				   : kind == SG_PUB_VIEW    ? &e->json
							    : &e->reports;
		uint8_t *keep = NULL;
		ret = read_one(f, &keep, dir, de->d_name, err, err_len);
	}
	closedir(d);
	p->files.industries = p->industries;
	return ret;
}

void sg_pubdir_free(sg_pubdir *p)
{
	for (size_t i = 0; p->industries != NULL && i < p->files.n_industries; i++) {
		free((void *)p->industries[i].pb.data);
		free((void *)p->industries[i].json.data);
		free((void *)p->industries[i].reports.data);
	}
	free(p->industries);
	for (size_t i = 0; i < sizeof p->blobs / sizeof p->blobs[0]; i++)
		free(p->blobs[i]);
	memset(p, 0, sizeof *p);
}

int sg_pubdir_read(sg_pubdir *p, const char *dir, char *err, size_t err_len)
{
	sg_audit_files *f = &p->files;
	memset(p, 0, sizeof *p);
	int ret = read_industries(p, dir, err, err_len);
	if (ret == 0)
		ret = read_one(&f->log, &p->blobs[0], dir, SG_PUB_LOG, err, err_len);
	if (ret == 0)
		ret = read_one(&f->outcome, &p->blobs[1], dir, SG_PUB_OUTCOME, err, err_len);
	if (ret == 0)
		ret = read_one(&f->outcome_json, &p->blobs[2], dir, SG_PUB_OUTCOME_JSON, err,
			       err_len);
	if (ret == 0)
		ret = read_one(&f->isk, &p->blobs[3], dir, SG_PUB_ISK, err, err_len);
	if (ret == 0)
		ret = read_one(&f->isk_json, &p->blobs[4], dir, SG_PUB_ISK_JSON, err, err_len);
	if (ret != 0)
		sg_pubdir_free(p);
	return ret;
}
