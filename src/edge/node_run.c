/* SPDX-License-Identifier: Apache-2.0 */
#define _POSIX_C_SOURCE 200809L /* opendir, fsync, strdup, O_DIRECTORY */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "edge/eek_csv.h"
#include "edge/node_run.h"
#include "edge/pubdir.h"
#include "protocol/audit.h"
#include "protocol/upload.h"
#include "spillguard/err.h"
#include "util/file.h"
#include "util/hex.h"
#include "util/misuse.h"
#include "wire/codec.h"

#define PATH_CAP 4096
#define HASH_BYTES 32
#define TASK_HEX_CHARS (2 * SG_TASK_ID_BYTES + 1)
#define REPORT_HEX_CHARS (2 * SG_REPORT_ID_BYTES + 1)
/* room for a message (err, res.message) or a path as a quoted log value */
#define VALUE_CAP (2 * PATH_CAP + 3)

struct sg_node_runner {
	sg_node_run_config cfg;
	sg_node_send_opts send;
	uint8_t (*seen)[HASH_BYTES]; /* events already logged, by what they were about */
	size_t n_seen, cap_seen;
	/* the report being sent, for the retry notice */
	const char *task_hex;
	char report_hex[REPORT_HEX_CHARS];
};

/* --- logging ------------------------------------------------------------ */

__attribute__((format(printf, 2, 3))) static void say(const sg_node_runner *r, const char *fmt, ...)
{
	char line[4 * PATH_CAP];
	va_list ap;
	if (r->cfg.log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	r->cfg.log(r->cfg.log_ctx, line);
}

/* s as a log value: as it is when it is one plain word, otherwise in double
 * quotes with '"' and '\' escaped and control characters as '?'. */
static const char *q(char *out, size_t cap, const char *s)
{
	size_t n = 0;
	bool plain = s[0] != '\0' && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
					       "0123456789._/:@+-") == strlen(s);
	if (plain) {
		snprintf(out, cap, "%s", s);
		return out;
	}
	out[n++] = '"';
	for (; *s != '\0' && n + 4 < cap; s++) {
		if (*s == '"' || *s == '\\')
			out[n++] = '\\';
		out[n++] = (unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s;
	}
	out[n++] = '"';
	out[n] = '\0';
	return out;
}

/* Whether this is the first time the event is seen for a file with this
 * content; when memory runs out every time is the first. */
static bool first_time(sg_node_runner *r, const char *event, const char *path,
		       const char *bytes, size_t len)
{
	crypto_generichash_state st;
	uint8_t h[HASH_BYTES];
	crypto_generichash_init(&st, NULL, 0, sizeof h);
	crypto_generichash_update(&st, (const uint8_t *)event, strlen(event) + 1);
	crypto_generichash_update(&st, (const uint8_t *)path, strlen(path) + 1);
	crypto_generichash_update(&st, (const uint8_t *)bytes, bytes != NULL ? len : 0);
	crypto_generichash_final(&st, h, sizeof h);
	for (size_t i = 0; i < r->n_seen; i++)
		if (memcmp(r->seen[i], h, sizeof h) == 0)
			return false;
	if (r->n_seen == r->cap_seen) {
		size_t cap = r->cap_seen ? 2 * r->cap_seen : 16;
		void *p = realloc(r->seen, cap * sizeof *r->seen);
		if (p == NULL)
			return true;
		r->seen = p;
		r->cap_seen = cap;
	}
	memcpy(r->seen[r->n_seen++], h, sizeof h);
	return true;
}

/* --- the state folder ----------------------------------------------------- */

static bool stopped(const sg_node_runner *r)
{
	return r->cfg.stop != NULL && *r->cfg.stop != 0;
}

static void state_path(char out[PATH_CAP], const sg_node_runner *r, const char *task_hex,
		       const char *ext)
{
	/* state_dir's length is checked once, in sg_node_runner_new */
	snprintf(out, PATH_CAP, "%s/%s.%s", r->cfg.state_dir, task_hex, ext);
}

static bool exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}


/* The final outcome a task has from an earlier pass, or NULL. */
static const char *final_outcome(char path[PATH_CAP], const sg_node_runner *r,
				 const char *task_hex)
{
	static const char *const finals[] = { "receipt", "refused" };
	for (size_t i = 0; i < 2; i++) {
		state_path(path, r, task_hex, finals[i]);
		if (exists(path))
			return finals[i];
	}
	return NULL;
}

/* --- one task ------------------------------------------------------------- */

/* Reads the EEK and builds the report, stored before it is ever sent.
 * Returns 0 or an error already logged. */
static int build_report(sg_node_runner *r, uint8_t **report, size_t *len, const sg_task *t,
			const char *task_hex, const char *path, uint64_t now)
{
	char err[512], v[VALUE_CAP], *csv = NULL;
	size_t csv_len = 0;
	sg_node_result res;
	int ret = sg_file_read(&csv, &csv_len, r->cfg.csv_path, SG_EEK_MAX_BYTES, err, sizeof err);
	if (ret != 0) {
		say(r, "event=bad-input task=%s error=%s", task_hex, q(v, sizeof v, err));
		goto cleanup;
	}
	ret = sg_node_build(report, len, &res, t, r->cfg.sign_sk, csv, csv_len, r->cfg.csv_path, now);
	if (ret != 0) {
		say(r, "event=bad-input task=%s error=%s", task_hex, q(v, sizeof v, res.message));
		goto cleanup;
	}
	char id[REPORT_HEX_CHARS];
	sg_hex_encode(id, res.report_id, sizeof res.report_id);
	if ((ret = sg_file_write(path, *report, *len, 0600, true, err, sizeof err)) != 0) {
		size_t n = strlen(err);
		snprintf(err + n, sizeof err - n, " (so the report is not sent)");
		say(r, "event=error task=%s report=%s error=%s", task_hex, id, q(v, sizeof v, err));
		free(*report);
		*report = NULL;
		*len = 0;
		goto cleanup;
	}
	say(r, "event=built task=%s report=%s file=%s", task_hex, id, q(v, sizeof v, path));
cleanup:
	if (csv != NULL)
		sodium_memzero(csv, csv_len); /* the enterprise's figures */
	free(csv);
	return ret;
}

/* The report to send, the one stored or else a new one, with its id in
 * r->report_hex. Returns 0 or an error already logged. */
static int report_for(sg_node_runner *r, uint8_t **report, size_t *len, const sg_task *t,
		      const char *task_hex, uint64_t now)
{
	char path[PATH_CAP], err[512], v[VALUE_CAP], *bytes = NULL;
	uint8_t id[SG_REPORT_ID_BYTES];
	int ret;
	state_path(path, r, task_hex, "report");
	if (!exists(path)) {
		ret = build_report(r, report, len, t, task_hex, path, now);
	} else if ((ret = sg_file_read(&bytes, len, path, SG_WIRE_MAX_BYTES, err, sizeof err)) != 0) {
		say(r, "event=error task=%s error=%s", task_hex, q(v, sizeof v, err));
	}
	if (bytes != NULL)
		*report = (uint8_t *)bytes;
	if (ret == 0 && (ret = sg_node_report_id(id, t, r->cfg.sign_sk, *report, *len)) != 0)
		say(r, "event=error task=%s file=%s error=%s", task_hex, q(v, sizeof v, path),
		    q(err, sizeof err, "not this enterprise's report for this task"));
	if (ret == 0)
		sg_hex_encode(r->report_hex, id, sizeof id);
	return ret;
}

static void retry_notice(void *ctx, const char *endpoint, unsigned attempt, unsigned attempts)
{
	sg_node_runner *r = ctx;
	char v[VALUE_CAP];
	say(r, "event=retry task=%s report=%s leader=%s attempt=%u/%u", r->task_hex, r->report_hex,
	    q(v, sizeof v, endpoint), attempt + 1, attempts);
}

/* Keeps a reply's outcome; returns 0 or an error already logged. */
static int record(sg_node_runner *r, const sg_node_result *res, const char *task_hex)
{
	char path[PATH_CAP], err[512], v[VALUE_CAP], w[VALUE_CAP], line[300];
	const char *id = r->report_hex;
	int ret;
	if (res->outcome == SG_NODE_ACCEPTED) {
		state_path(path, r, task_hex, "receipt");
		ret = sg_file_write(path, res->receipt, res->receipt_len, 0644, true, err, sizeof err);
		if (ret == 0)
			say(r, "event=accepted task=%s report=%s receipt=%s", task_hex, id,
			    q(v, sizeof v, path));
	} else {
		state_path(path, r, task_hex, "refused");
		int n = snprintf(line, sizeof line, "%d %s\n", (int)res->reject,
				 sg_reject_message(res->reject));
		ret = sg_file_write(path, (const uint8_t *)line, (size_t)n, 0644, true, err, sizeof err);
		if (ret == 0)
			say(r, "event=refused task=%s report=%s code=%d reason=%s file=%s", task_hex,
			    id, (int)res->reject, q(w, sizeof w, sg_reject_message(res->reject)),
			    q(v, sizeof v, path));
	}
	if (ret != 0)
		say(r, "event=error task=%s report=%s error=%s", task_hex, id, q(v, sizeof v, err));
	return ret;
}

static void submit(sg_node_runner *r, sg_node_tally *tally, const sg_task *t,
		   const char *task_hex, uint64_t now)
{
	uint8_t *report = NULL;
	size_t len = 0;
	sg_node_result res = { 0 };
	char v[VALUE_CAP];
	r->task_hex = task_hex;
	if (report_for(r, &report, &len, t, task_hex, now) != 0) {
		tally->errors++;
		goto cleanup;
	}
	say(r, "event=sending task=%s report=%s leader=%s", task_hex, r->report_hex,
	    q(v, sizeof v, t->body->aggregators[0]->endpoint));
	int ret = sg_node_send(&res, t, report, len, &r->send);
	if (ret == 0 && record(r, &res, task_hex) == 0) {
		if (res.outcome == SG_NODE_ACCEPTED)
			tally->accepted++;
		else
			tally->refused++;
	} else if (ret == 0) {
		tally->errors++;
	} else {
		const char *event = stopped(r)		  ? "interrupted"
				    : ret == SG_ERR_TIMEOUT ? "no-reply"
				    : ret == SG_ERR_VERIFY  ? "bad-reply"
							    : "error";
		say(r, "event=%s task=%s report=%s error=%s", event, task_hex, r->report_hex,
		    q(v, sizeof v, res.message));
		tally->unanswered++;
	}
cleanup:
	sg_node_result_free(&res);
	free(report);
}

/* The first failed check of an audit, kept for the log. */
static void keep_outcome(sg_node_runner *r, const char *task_hex, const char *ext,
			 const char *line)
{
	char path[PATH_CAP], err[300], v[VALUE_CAP];
	state_path(path, r, task_hex, ext);
	if (sg_file_write(path, (const uint8_t *)line, strlen(line), 0644, true, err,
			  sizeof err) != 0)
		say(r, "event=error task=%s error=%s", task_hex, q(v, sizeof v, err));
}

/* Once the round is published (its log is in DIR/<task>): the receipt's
 * report's fate by the whole publication, audited (protocol/audit.h),
 * decided once and kept in the state folder. A report not counted is
 * logged loudly; a publication that does not verify decides nothing and
 * is logged once per log. */
static void check_counted(sg_node_runner *r, const sg_task *t, const char *task_hex)
{
	static const char *const decided[] = { "counted", "not-counted", "withheld" };
	char path[PATH_CAP + 64], dir[PATH_CAP], err[300], v[VALUE_CAP], w[VALUE_CAP], why[700];
	char line[800], hex[2 * SG_REPORT_ID_BYTES + 1];
	uint8_t id[SG_REPORT_ID_BYTES];
	uint32_t industry;
	size_t rc_len = 0;
	char *rc = NULL;
	sg_pubdir p = { 0 };
	sg_audit_found found = { 0 };
	enum sg_audit_fate fate;
	for (size_t i = 0; i < 3; i++) {
		state_path(path, r, task_hex, decided[i]);
		if (exists(path))
			return;
	}
	snprintf(dir, sizeof dir, "%s/%s", r->cfg.published_dir, task_hex);
	snprintf(path, sizeof path, "%s/%s", dir, SG_PUB_LOG);
	if (!exists(path))
		return; /* not published yet */
	state_path(path, r, task_hex, "receipt");
	if (sg_file_read(&rc, &rc_len, path, SG_WIRE_MAX_BYTES, err, sizeof err) != 0 ||
	    sg_receipt_open(id, &industry, t, (const uint8_t *)rc, rc_len, err, sizeof err) != 0)
		goto cleanup; /* a receipt checked when it came: nothing to prove from */
	sg_hex_encode(hex, id, sizeof id);
	if (sg_pubdir_read(&p, dir, err, sizeof err) != 0) {
		say(r, "event=error task=%s error=%s", task_hex, q(v, sizeof v, err));
		goto cleanup;
	}
	if (sg_audit_fate(&fate, &found, why, sizeof why, t, &p.files, (const uint8_t *)rc,
			  rc_len) != 0)
		goto cleanup; /* out of memory: the next pass again */
	switch (fate) {
	case SG_FATE_COUNTED:
		snprintf(line, sizeof line, "report %s counted in industry %u\n", hex, industry);
		keep_outcome(r, task_hex, "counted", line);
		say(r, "event=counted task=%s report=%s industry=%u", task_hex, hex, industry);
		break;
	case SG_FATE_WITHHELD:
		snprintf(line, sizeof line, "industry %u withheld: %s\n", industry, why);
		keep_outcome(r, task_hex, "withheld", line);
		say(r, "event=withheld task=%s report=%s industry=%u", task_hex, hex, industry);
		break;
	case SG_FATE_NOT_COUNTED:
		snprintf(line, sizeof line, "report %s NOT counted: %s\n", hex, why);
		keep_outcome(r, task_hex, "not-counted", line);
		say(r, "event=NOT-COUNTED task=%s report=%s industry=%u check=%s published=%s",
		    task_hex, hex, industry, q(v, sizeof v, why), q(w, sizeof w, dir));
		break;
	case SG_FATE_UNVERIFIED:
		if (first_time(r, "unverified", dir, (const char *)p.files.log.data,
			       p.files.log.len))
			say(r, "event=publication-unverified task=%s check=%s published=%s", task_hex,
			    q(v, sizeof v, why), q(w, sizeof w, dir));
		break;
	}
cleanup:
	sg_audit_found_free(&found);
	sg_pubdir_free(&p);
	free(rc);
}

/* Where a task stands before anything is sent: true when it is to be
 * submitted now; otherwise counted and (once per file content) logged. */
static bool due(sg_node_runner *r, sg_node_tally *tally, const sg_task *t, const char *task_hex,
		const char *file, const char *bytes, size_t len, uint64_t now)
{
	char path[PATH_CAP], v[VALUE_CAP];
	const Spillguard__TaskBody *b = t->body;
	const char *event = NULL, *outcome = NULL;
	if (sg_node_enterprise(t, r->cfg.sign_sk) < 0) {
		event = "not-in-roster";
	} else if ((outcome = final_outcome(path, r, task_hex)) != NULL) {
		event = "done";
		if (r->cfg.published_dir != NULL && strcmp(outcome, "receipt") == 0)
			check_counted(r, t, task_hex);
	} else if (now < b->opens_at) {
		event = "not-open-yet";
	} else if (now > b->closes_at) {
		state_path(path, r, task_hex, "report");
		event = exists(path) ? "closed-unanswered" : "closed";
	}
	if (event == NULL)
		return true;
	if (outcome != NULL)
		tally->done++;
	else
		tally->skipped++;
	if (!first_time(r, event, file, bytes, len))
		return false;
	if (outcome != NULL)
		say(r, "event=done task=%s outcome=%s file=%s", task_hex, outcome, q(v, sizeof v, path));
	else if (strcmp(event, "not-in-roster") == 0)
		say(r, "event=not-in-roster task=%s file=%s", task_hex, q(v, sizeof v, file));
	else
		say(r, "event=%s task=%s opens_at=%llu closes_at=%llu now=%llu", event, task_hex,
		    (unsigned long long)b->opens_at, (unsigned long long)b->closes_at,
		    (unsigned long long)now);
	return false;
}

static void handle_file(sg_node_runner *r, sg_node_tally *tally, const char *file, uint64_t now)
{
	char *bytes = NULL, err[512], v[VALUE_CAP], w[VALUE_CAP], task_hex[TASK_HEX_CHARS];
	size_t len = 0;
	sg_task *t = NULL;
	int ret = sg_file_read(&bytes, &len, file, SG_WIRE_MAX_BYTES, err, sizeof err);
	if (ret == 0)
		ret = sg_task_open(&t, (const uint8_t *)bytes, len, r->cfg.authority_pk, err,
				   sizeof err);
	if (ret != 0) {
		tally->errors++;
		if (first_time(r, "bad-task", file, bytes, len))
			say(r, "event=bad-task file=%s error=%s", q(w, sizeof w, file),
			    q(v, sizeof v, err));
		goto cleanup;
	}
	sg_hex_encode(task_hex, t->id, sizeof t->id);
	if (due(r, tally, t, task_hex, file, bytes, len, now))
		submit(r, tally, t, task_hex, now);
cleanup:
	sg_task_free(t);
	free(bytes);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_task_file(const char *name)
{
	size_t n = strlen(name);
	return name[0] != '.' && n > 4 && strcmp(name + n - 4, ".sgt") == 0;
}

/* Room for one more name; 0 or ENOMEM. */
static int grow(char ***names, size_t *cap)
{
	size_t want = *cap ? 2 * *cap : 16;
	char **p = realloc(*names, want * sizeof *p);
	if (p == NULL)
		return ENOMEM;
	*names = p;
	*cap = want;
	return 0;
}

/* The paths of the task files, sorted (as many as were read); false, and
 * logged, when the folder could not be read whole. */
static bool list_tasks(const sg_node_runner *r, char ***out, size_t *n)
{
	DIR *d = opendir(r->cfg.tasks_dir);
	char **names = NULL, path[PATH_CAP], v[VALUE_CAP], m[300];
	size_t cap = 0;
	int err = d == NULL ? errno : 0;
	*n = 0;
	while (err == 0) {
		errno = 0;
		const struct dirent *e = readdir(d);
		if (e == NULL) {
			err = errno;
			break;
		}
		if (!is_task_file(e->d_name))
			continue;
		if (*n == cap && (err = grow(&names, &cap)) != 0)
			break;
		if ((size_t)snprintf(path, sizeof path, "%s/%s", r->cfg.tasks_dir, e->d_name) >=
		    sizeof path)
			err = ENAMETOOLONG;
		else if ((names[*n] = strdup(path)) == NULL)
			err = ENOMEM;
		else
			++*n;
	}
	if (d != NULL)
		closedir(d);
	if (err != 0)
		say(r, "event=error dir=%s error=%s", q(v, sizeof v, r->cfg.tasks_dir),
		    q(m, sizeof m, strerror(err)));
	if (*n > 1)
		qsort(names, *n, sizeof *names, by_name);
	*out = names;
	return err == 0;
}

/* --- the runner ------------------------------------------------------------ */

void sg_node_run_pass(sg_node_runner *r, sg_node_tally *tally, uint64_t now)
{
	char **files = NULL;
	size_t n = 0;
	memset(tally, 0, sizeof *tally);
	if (!list_tasks(r, &files, &n))
		tally->errors++;
	for (size_t i = 0; i < n; i++) {
		if (!stopped(r))
			handle_file(r, tally, files[i], now);
		free(files[i]);
	}
	free(files);
	say(r, "event=pass accepted=%u refused=%u done=%u unanswered=%u errors=%u skipped=%u",
	    tally->accepted, tally->refused, tally->done, tally->unanswered, tally->errors,
	    tally->skipped);
}

static uint64_t wall_clock(void)
{
	time_t t = time(NULL);
	return t < 0 ? 0 : (uint64_t)t;
}

void sg_node_run_loop(sg_node_runner *r, unsigned interval_s)
{
	char a[VALUE_CAP], b[VALUE_CAP];
	uint64_t (*clock)(void) = r->cfg.clock != NULL ? r->cfg.clock : wall_clock;
	if (r->cfg.stop == NULL || interval_s == 0 || interval_s > 86400)
		sg_misuse(__func__);
	say(r, "event=started tasks=%s state=%s interval=%u", q(a, sizeof a, r->cfg.tasks_dir),
	    q(b, sizeof b, r->cfg.state_dir), interval_s);
	do {
		sg_node_tally tally;
		sg_node_run_pass(r, &tally, clock());
	} while (sg_node_nap(1000u * interval_s, r->cfg.stop));
	say(r, "event=stopped");
}

int sg_node_tally_status(const sg_node_tally *tally)
{
	if (tally->errors > 0 || tally->unanswered > 0)
		return 2;
	return tally->refused > 0 ? 1 : 0;
}

/* The state folder, made (0700, not its parents) when missing. */
static int state_dir(const char *dir, char *err, size_t err_len)
{
	struct stat st;
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		snprintf(err, err_len, "%s: cannot make the state folder: %s", dir, strerror(errno));
		return SG_ERR_IO;
	}
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		snprintf(err, err_len, "%s: not a folder", dir);
		return SG_ERR_IO;
	}
	return 0;
}

int sg_node_runner_new(sg_node_runner **out, const sg_node_run_config *cfg, char *err,
		       size_t err_len)
{
	sg_node_runner *r = NULL;
	DIR *d = NULL;
	int ret = SG_ERR_PARAM;
	*out = NULL;
	if (cfg->tasks_dir == NULL || cfg->state_dir == NULL || cfg->csv_path == NULL ||
	    cfg->sign_sk == NULL || cfg->attempts == 0 || cfg->timeout_ms < 0)
		sg_misuse(__func__);
	/* room for "/<64 hex>.receipt.tmp" after the state folder's name */
	if (strlen(cfg->state_dir) + 2 * SG_TASK_ID_BYTES + 16 >= PATH_CAP) {
		snprintf(err, err_len, "the state folder's name is too long");
		goto cleanup;
	}
	if ((d = opendir(cfg->tasks_dir)) == NULL) {
		snprintf(err, err_len, "%s: cannot read the tasks folder: %s", cfg->tasks_dir,
			 strerror(errno));
		ret = SG_ERR_IO;
		goto cleanup;
	}
	if ((ret = state_dir(cfg->state_dir, err, err_len)) != 0)
		goto cleanup;
	ret = SG_ERR_NOMEM;
	if ((r = calloc(1, sizeof *r)) == NULL)
		goto cleanup;
	r->cfg = *cfg;
	r->send = (sg_node_send_opts){ cfg->timeout_ms, cfg->attempts, retry_notice, r, cfg->stop };
	*out = r;
	ret = 0;
cleanup:
	if (d != NULL)
		closedir(d);
	return ret;
}

void sg_node_runner_free(sg_node_runner **r)
{
	if (r == NULL || *r == NULL)
		return;
	free((*r)->seen);
	free(*r);
	*r = NULL;
}
