/* SPDX-License-Identifier: Apache-2.0 */
#define _POSIX_C_SOURCE 200809L /* nanosleep */

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "edge/aggregator.h"
#include "edge/helper.h"
#include "edge/leader_jobs.h"
#include "edge/peers.h"
#include "edge/publication.h"
#include "edge/store.h"
#include "edge/transport.h"
#include "protocol/round.h"
#include "protocol/upload.h"
#include "spillguard/err.h"
#include "util/hex.h"
#include "wire/codec.h"

#define IDLE_POLL_MS 100      /* nothing to do: wait this long for a request */
#define IDLE_WORK_MS 20       /* the leader's worker with nothing to aggregate */
#define JOB_FILL_MS 250       /* how long uploads may gather into a fuller job */
#define UPLOAD_BATCH 32       /* uploads at most stored in one transaction */
#define MAX_PAUSE_S 30        /* longest pause before asking helpers again */
#define PROGRESS_EVERY_S 5    /* a progress line at most this often */
#define MARK_COLLECT "collect"
#define MARK_PUBLISHED "published"

/*
 * The leader runs two threads, each with its own store connection (SQLite
 * serialises their writes): the daemon's thread serves the socket (uploads,
 * collect orders) and a worker aggregates, collects and publishes, so that
 * uploads are taken while the helpers work on a job. They share only the
 * two atomic flags of the round and the stop flags.
 */
typedef struct worker {
	struct aggd *d;
	sg_store *store;
	sg_prio3 *prio3;
	sg_peers peers;
	sg_leader_jobs jobs;
	uint8_t verify_key[SG_PRIO3_VERIFY_KEY_BYTES];
	bool key_ready, started;
	uint64_t next_try, pause, last_job_ms;
	pthread_t thread;
	int ret;
} worker;

typedef struct aggd {
	const sg_aggd_config *c;
	const sg_task *task;
	unsigned index;
	sg_store *store;
	sg_server *srv;
	sg_prio3 *prio3;
	sg_party party;
	sg_store_counts shown; /* the counts of the last progress line */
	uint64_t shown_at;
	const volatile sig_atomic_t *stop;
	/* leader */
	sg_leader up;
	uint8_t verify_key[SG_PRIO3_VERIFY_KEY_BYTES]; /* uploads' (the worker has its copy) */
	atomic_bool collect_ordered, published, worker_done;
	worker w;
	/* helper */
	sg_helper helper;
} aggd;

__attribute__((format(printf, 3, 4))) static void say(const aggd *d, const char *level,
						     const char *fmt, ...)
{
	char line[512];
	va_list ap;
	if (d->c->log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	d->c->log(d->c->log_ctx, level, line);
}

static uint64_t now_s(void)
{
	return (uint64_t)time(NULL);
}

/* Milliseconds of a clock that does not jump, for intervals. */
static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

long sg_aggd_index(const sg_task *t, const sg_keyset *ks, char *msg, size_t msg_len)
{
	const sg_key *sign = ks->key[SG_KEY_SIGN], *hpke = ks->key[SG_KEY_HPKE],
		     *curve = ks->key[SG_KEY_CURVE];
	if (sign == NULL || hpke == NULL || curve == NULL) {
		snprintf(msg, msg_len, "an aggregator needs sign, hpke and curve keys");
		return -1;
	}
	for (size_t j = 0; j < t->body->n_aggregators; j++) {
		const Spillguard__AggregatorInfo *a = t->body->aggregators[j];
		if (memcmp(a->sign_pk.data, sg_key_public(sign), 32) != 0)
			continue;
		if (memcmp(a->hpke_pk.data, sg_key_public(hpke), 32) != 0 ||
		    memcmp(a->curve_pk.data, sg_key_public(curve), 32) != 0) {
			snprintf(msg, msg_len,
				 "the signing key is aggregator %zu's (%s) but the hpke or curve "
				 "key is not the one the task names",
				 j, a->operator_name);
			return -1;
		}
		return (long)j;
	}
	snprintf(msg, msg_len, "these keys are not one of the task's %zu aggregators",
		 t->body->n_aggregators);
	return -1;
}

/* --- progress ------------------------------------------------------------- */

static int progress(aggd *d, uint64_t now, bool force)
{
	sg_store_counts c;
	if (!force && now < d->shown_at + PROGRESS_EVERY_S)
		return 0;
	int ret = sg_store_counts_get(d->store, SG_JOB_STEP_DONE, &c);
	if (ret == 0)
		d->shown_at = now; /* counted: not again for PROGRESS_EVERY_S */
	if (ret != 0 || (!force && memcmp(&c, &d->shown, sizeof c) == 0))
		return ret;
	d->shown = c;
	say(d, "info",
	    "event=progress uploads=%llu waiting=%llu pending=%llu accepted=%llu refused=%llu "
	    "jobs=%llu jobs_open=%llu collected=%llu",
	    (unsigned long long)c.uploads, (unsigned long long)c.waiting,
	    (unsigned long long)c.pending, (unsigned long long)c.accepted,
	    (unsigned long long)c.refused, (unsigned long long)c.jobs,
	    (unsigned long long)c.jobs_open, (unsigned long long)c.collected);
	return 0;
}

/* --- leader: the round's status --------------------------------------------- */

static bool round_closed(aggd *d, uint64_t now)
{
	return atomic_load(&d->collect_ordered) || now > d->task->body->closes_at;
}

static int round_status(aggd *d, sg_round_status *s, uint64_t now)
{
	const Spillguard__TaskBody *tb = d->task->body;
	sg_store_counts c;
	memset(s, 0, sizeof *s);
	int ret = sg_store_counts_get(d->store, SG_JOB_STEP_DONE, &c);
	if (ret != 0)
		return ret;
	bool published = atomic_load(&d->published);
	s->state = published ? SG_ROUND_PUBLISHED
		   : round_closed(d, now) ? SG_ROUND_COLLECTING
					  : SG_ROUND_OPEN;
	s->uploads = c.uploads;
	s->accepted = c.accepted;
	s->refused = c.refused;
	if (!published)
		return 0;
	s->published = calloc(tb->n_industries + 1, sizeof *s->published);
	s->withheld = calloc(tb->n_industries + 1, sizeof *s->withheld);
	if (s->published == NULL || s->withheld == NULL)
		ret = SG_ERR_NOMEM;
	for (size_t k = 0; ret == 0 && k < tb->n_industries; k++) {
		bool collected;
		uint8_t *released = NULL;
		size_t released_len;
		uint32_t id = tb->industries[k]->id;
		ret = sg_store_collected_get(d->store, id, &collected, &released, &released_len);
		free(released);
		if (ret == 0 && collected)
			s->published[s->n_published++] = id;
		else if (ret == 0)
			s->withheld[s->n_withheld++] = id;
	}
	if (ret != 0)
		sg_round_status_free(s);
	return ret;
}

/* --- leader: requests ----------------------------------------------------- */

static void log_refused(aggd *d, const uint8_t *report, size_t len, enum sg_reject rej)
{
	uint8_t id[SG_REPORT_ID_BYTES];
	char hex[2 * SG_REPORT_ID_BYTES + 1];
	Spillguard__Report *r = NULL;
	ProtobufCMessage *m;
	sg_wire_budget *b = NULL;
	if (sg_wire_unpack(&m, &b, &spillguard__report__descriptor, report, len) == 0)
		r = (Spillguard__Report *)m;
	if (r == NULL || !sg_report_peek_id(id, r->body.data, r->body.len))
		memset(id, 0, sizeof id);
	sg_wire_release(r ? &r->base : NULL, b);
	sg_hex_encode(hex, id, sizeof id);
	say(d, "info", "event=upload_refused report=%s code=%d reason=\"%s\"", hex, (int)rej,
	    sg_reject_message(rej));
}

static bool is_upload(const sg_request *req)
{
	uint32_t field;
	const uint8_t *payload;
	size_t plen;
	return sg_wire_envelope_peek(req->data, req->len, &field, &payload, &plen) == 0 &&
	       field == SPILLGUARD__ENVELOPE__MSG_REPORT;
}

/* Uploads that arrived together (n <= UPLOAD_BATCH): checked each, stored
 * in one transaction, then answered. A store failure answers none. */
static int uploads(aggd *d, const sg_request *reqs, size_t n, uint64_t now)
{
	sg_upload u[UPLOAD_BATCH];
	uint32_t field;
	int ret = 0;
	for (size_t i = 0; i < n; i++) {
		u[i] = (sg_upload){ NULL, 0, NULL, 0, SG_REJECT_OUTSIDE_WINDOW };
		if (sg_wire_envelope_peek(reqs[i].data, reqs[i].len, &field, &u[i].report,
					  &u[i].len) != 0)
			return SG_ERR_PARAM; /* is_upload said it was one */
	}
	if (atomic_load(&d->collect_ordered)) /* the round is closing: nothing new joins it */
		for (size_t i = 0; ret == 0 && i < n; i++)
			ret = sg_error_reply(&u[i].reply, &u[i].reply_len, u[i].reject);
	else
		ret = sg_leader_upload_batch(&d->up, u, n, now);
	for (size_t i = 0; ret == 0 && i < n; i++) {
		if (u[i].reject != SG_REJECT_NONE) /* acknowledged: the progress line counts it */
			log_refused(d, u[i].report, u[i].len, u[i].reject);
		if (sg_server_reply(d->srv, &reqs[i], u[i].reply, u[i].reply_len) != 0)
			say(d, "warn", "event=reply_failed reason=\"%s\"", sg_server_error(d->srv));
	}
	for (size_t i = 0; i < n; i++)
		free(u[i].reply);
	return ret;
}

static int collect_now(aggd *d, uint8_t **reply, size_t *reply_len, const uint8_t *msg,
		       size_t len, uint64_t now)
{
	uint64_t issued_at;
	sg_round_status s;
	int ret = sg_collect_now_read(&issued_at, d->task, msg, len);
	if (ret != 0) {
		enum sg_reject rej = ret == SG_ERR_VERIFY ? SG_REJECT_BAD_SIGNATURE
							  : SG_REJECT_MALFORMED;
		say(d, "warn", "event=collect_now_refused code=%d reason=\"%s\"", (int)rej,
		    ret == SG_ERR_VERIFY ? "not signed by the task's authority"
					 : "not a collect order of this task");
		return sg_error_reply(reply, reply_len, rej);
	}
	if (!atomic_load(&d->collect_ordered)) {
		ret = sg_store_mark_put(d->store, MARK_COLLECT, now);
		if (ret != 0)
			return ret;
		atomic_store(&d->collect_ordered, true);
		say(d, "info", "event=collect_ordered by=authority issued_at=%llu",
		    (unsigned long long)issued_at);
	}
	ret = round_status(d, &s, now);
	if (ret == 0)
		ret = sg_round_status_msg(reply, reply_len, d->task, &s);
	sg_round_status_free(&s);
	return ret;
}

/* One request on the leader's socket. A failure of the store ends the
 * daemon; a reply that cannot be sent is only logged (the client asks
 * again). */
static int leader_request(aggd *d, const sg_request *req, uint64_t now)
{
	uint32_t field;
	const uint8_t *payload;
	size_t plen, reply_len = 0;
	uint8_t *reply = NULL;
	int ret;
	if (sg_wire_envelope_peek(req->data, req->len, &field, &payload, &plen) != 0)
		field = 0;
	if (field == SPILLGUARD__ENVELOPE__MSG_COLLECT_NOW) {
		ret = collect_now(d, &reply, &reply_len, req->data, req->len, now);
	} else {
		say(d, "info", "event=request_refused code=%d reason=\"%s\"", SG_REJECT_MALFORMED,
		    sg_reject_message(SG_REJECT_MALFORMED));
		ret = sg_error_reply(&reply, &reply_len, SG_REJECT_MALFORMED);
	}
	if (ret == 0 && sg_server_reply(d->srv, req, reply, reply_len) != 0)
		say(d, "warn", "event=reply_failed reason=\"%s\"", sg_server_error(d->srv));
	free(reply);
	return ret;
}

/* --- leader: aggregation, collection, publication (the worker) ------------ */

/* What the helper clients last said, "aggregator J (operator): why; ...". */
static void peers_why(const worker *w, char *msg, size_t len)
{
	size_t n = 0;
	msg[0] = '\0';
	for (unsigned j = 1; j < w->peers.n && n < len; j++) {
		const char *why = sg_client_error(w->peers.c[j]);
		if (why[0] != '\0')
			n += (size_t)snprintf(msg + n, len - n, "%saggregator %u (%s): %s",
					      n ? "; " : "", j,
					      w->d->task->body->aggregators[j]->operator_name, why);
	}
}

/* A step failed: try again after a pause that doubles up to MAX_PAUSE_S.
 * The key is granted again first, in case a helper lost it. */
static void wait_for_helpers(worker *w, uint64_t now, const char *what, int err, const char *msg)
{
	char why[400];
	if (msg[0] == '\0')
		peers_why(w, why, sizeof why);
	w->pause = w->pause == 0 ? 1 : w->pause * 2 > MAX_PAUSE_S ? MAX_PAUSE_S : w->pause * 2;
	w->next_try = now + w->pause;
	w->key_ready = false;
	say(w->d, err == SG_ERR_VERIFY ? "error" : "warn",
	    "event=%s_waiting reason=\"%s\" retry_in=%llus", what,
	    msg[0] ? msg : why[0] ? why : sg_strerror(err), (unsigned long long)w->pause);
}

static bool fatal(int err)
{
	return err == SG_ERR_IO || err == SG_ERR_NOMEM;
}

static int publish(worker *w, uint64_t now)
{
	aggd *d = w->d;
	sg_round_result r;
	char msg[300] = "", err[300] = "";
	int ret = sg_leader_collect(&w->jobs, sg_key_secret(d->c->keys->key[SG_KEY_SIGN]), &r, msg,
				    sizeof msg);
	if (ret != 0) {
		if (ret == SG_ERR_NOMEM)
			return ret;
		wait_for_helpers(w, now, "collect", ret, msg);
		return 0;
	}
	ret = sg_publication_write(d->c->publish_dir, d->task, &r, err, sizeof err);
	if (ret == 0)
		ret = sg_store_mark_put(w->store, MARK_PUBLISHED, now_s());
	if (ret != 0) {
		say(d, "error", "event=publish_failed dir=%s reason=\"%s\"", d->c->publish_dir,
		    err[0] ? err : sg_strerror(ret));
	} else {
		atomic_store(&d->published, true);
		w->pause = 0;
		for (size_t k = 0; k < r.n; k++) {
			const sg_industry_result *x = &r.industries[k];
			if (x->why == SG_COLLECT_OK)
				say(d, "info", "event=published industry=%u reports=%llu", x->industry,
				    (unsigned long long)x->count);
			else
				say(d, "info", "event=withheld industry=%u reason=\"%s\"", x->industry,
				    sg_collect_message(x->why));
		}
		say(d, "info", "event=round_published dir=%s", d->c->publish_dir);
	}
	sg_round_result_free(&r);
	return ret;
}

/* One step of the worker's work. *busy says there may be more right away. */
static int leader_work(worker *w, uint64_t now, bool *busy)
{
	aggd *d = w->d;
	char msg[300] = "";
	size_t taken = 0;
	*busy = false;
	if (atomic_load(&d->published) || now < w->next_try)
		return 0;
	if (!w->key_ready) {
		int ret = sg_leader_verify_key(w->store, d->task, sg_peers_call, &w->peers,
					       w->verify_key, msg, sizeof msg);
		if (ret != 0) {
			if (ret == SG_ERR_NOMEM)
				return ret;
			wait_for_helpers(w, now, "verify_key", ret, msg);
			return 0;
		}
		w->key_ready = true;
		w->pause = 0;
		say(d, "info", "event=verify_key_agreed helpers=%zu", d->task->body->n_aggregators - 1);
	}
	/* a full job, or what waits once the last job is JOB_FILL_MS old or
	 * the round is closed: uploads arriving together make few large jobs */
	uint64_t ms = now_ms();
	bool flush = round_closed(d, now) || ms - w->last_job_ms >= JOB_FILL_MS;
	w->jobs.min_take = flush ? 0 : w->jobs.job_size;
	int ret = sg_leader_jobs_step(&w->jobs, &taken, now);
	if (ret == 0 && taken > 0)
		w->last_job_ms = ms;
	if (ret != 0) {
		if (fatal(ret))
			return ret;
		wait_for_helpers(w, now, "aggregation", ret, "");
		return 0;
	}
	if (taken > 0)
		w->pause = 0; /* (a failing collection keeps its growing pause) */
	*busy = taken > 0;
	if (taken == 0 && round_closed(d, now))
		return publish(w, now);
	return 0;
}

static void nap(int ms)
{
	struct timespec ts = { 0, (long)ms * 1000000L };
	nanosleep(&ts, NULL);
}

static void *work(void *arg)
{
	worker *w = arg;
	aggd *d = w->d;
	while (w->ret == 0 && !*d->stop) {
		bool busy = false;
		w->ret = leader_work(w, now_s(), &busy);
		if (!busy)
			nap(IDLE_WORK_MS);
	}
	if (w->ret != 0)
		say(d, "error", "event=worker_failed reason=\"%s\"", sg_strerror(w->ret));
	atomic_store(&d->worker_done, true);
	return NULL;
}

/* --- the loop ------------------------------------------------------------- */

/* Waits for a request, then takes the uploads already queued behind it
 * (up to UPLOAD_BATCH, stopping after any other request): uploads that
 * arrive together are stored together. */
static int serve_leader(aggd *d, const volatile sig_atomic_t *stop)
{
	int ret = 0;
	while (ret == 0 && !*stop && !atomic_load(&d->worker_done)) {
		sg_request req[UPLOAD_BATCH];
		size_t n = 0, k;
		int got = sg_server_poll(d->srv, &req[0], IDLE_POLL_MS);
		while (got == 1 && ++n < UPLOAD_BATCH && is_upload(&req[n - 1]))
			got = sg_server_poll(d->srv, &req[n], 0);
		for (k = 0; k < n && is_upload(&req[k]); k++)
			;
		if (k > 0)
			ret = uploads(d, req, k, now_s());
		if (ret == 0 && k < n)
			ret = leader_request(d, &req[k], now_s()); /* the last one */
		for (size_t i = 0; i < n; i++)
			sg_request_free(&req[i]);
		if (ret == 0 && got < 0) {
			say(d, "error", "event=socket_failed reason=\"%s\"", sg_server_error(d->srv));
			ret = got;
		}
		if (ret == 0)
			ret = progress(d, now_s(), false);
	}
	return ret;
}

static int serve_helper(aggd *d, const volatile sig_atomic_t *stop)
{
	int ret = 0;
	while (ret == 0 && !*stop) {
		int got = sg_helper_serve(&d->helper, d->srv, IDLE_POLL_MS, now_s());
		if (d->helper.refused_head[0] != '\0') {
			say(d, "warn", "event=tree_head_refused reason=\"%s\"", d->helper.refused_head);
			d->helper.refused_head[0] = '\0';
		}
		if (got == SG_ERR_STATE) {
			say(d, "warn", "event=request_deferred reason=\"the leader has not granted the "
				       "verification key yet\"");
		} else if (got == SG_ERR_IO && sg_server_error(d->srv)[0] != '\0') {
			say(d, "warn", "event=reply_failed reason=\"%s\"", sg_server_error(d->srv));
		} else if (got < 0) {
			say(d, "error", "event=request_failed reason=\"%s\"", sg_strerror(got));
			if (fatal(got))
				ret = got;
		}
		if (ret == 0)
			ret = progress(d, now_s(), false);
	}
	return ret;
}

/* The socket: any client key at the leader; the task's aggregators at a
 * helper. */
static int open_socket(aggd *d, const char *listen, char *err, size_t err_len)
{
	const Spillguard__TaskBody *tb = d->task->body;
	const uint8_t *curve_sk = sg_key_secret(d->c->keys->key[SG_KEY_CURVE]);
	if (d->index == 0)
		return sg_server_open(&d->srv, listen, curve_sk, NULL, 0, err, err_len);
	uint8_t *allowed = malloc(tb->n_aggregators * SG_TRANSPORT_KEY_BYTES);
	if (allowed == NULL)
		return SG_ERR_NOMEM;
	for (size_t j = 0; j < tb->n_aggregators; j++)
		memcpy(allowed + j * SG_TRANSPORT_KEY_BYTES, tb->aggregators[j]->curve_pk.data,
		       SG_TRANSPORT_KEY_BYTES);
	int ret = sg_server_open(&d->srv, listen, curve_sk, allowed, tb->n_aggregators, err,
				 err_len);
	free(allowed);
	return ret;
}

/* The leader's state from its store (what was ordered and done before a
 * restart), and its worker. */
static int leader_start(aggd *d, char *err, size_t err_len)
{
	const sg_aggd_config *c = d->c;
	worker *w = &d->w;
	uint64_t at;
	bool ordered, published;
	int ret = sg_store_mark_get(d->store, MARK_COLLECT, &at, &ordered);
	if (ret == 0)
		ret = sg_store_mark_get(d->store, MARK_PUBLISHED, &at, &published);
	if (ret != 0) {
		snprintf(err, err_len, "%s: %s", c->db_path, sg_strerror(ret));
		return ret;
	}
	atomic_store(&d->collect_ordered, ordered);
	atomic_store(&d->published, published);
	ret = sg_leader_verify_key_load(d->store, d->verify_key);
	if (ret != 0) {
		snprintf(err, err_len, "%s: %s", c->db_path, sg_strerror(ret));
		return ret;
	}
	d->up = (sg_leader){ d->task, d->prio3, d->store, d->party.hpke_sk,
			     sg_key_secret(c->keys->key[SG_KEY_SIGN]), d->verify_key };
	w->d = d;
	ret = sg_task_prio3(&w->prio3, d->task);
	if (ret == 0)
		ret = sg_store_open(&w->store, c->db_path, d->task->id, err, err_len);
	if (ret == 0)
		ret = sg_peers_open(&w->peers, d->task, sg_key_secret(c->keys->key[SG_KEY_CURVE]),
				    c->peers,
				    c->peer_timeout_ms > 0 ? c->peer_timeout_ms
							   : SG_AGGD_PEER_TIMEOUT_MS,
				    err, err_len);
	if (ret != 0)
		return ret;
	sg_party party = d->party;
	party.prio3 = w->prio3;
	party.verify_key = w->verify_key;
	w->jobs = (sg_leader_jobs){ party, w->store, sg_peers_call, &w->peers,
				    c->job_size > 0 ? c->job_size : SG_AGGD_JOB_SIZE,
				    sg_peers_call_all, 0 };
	return 0;
}

/* The worker is started with SIGTERM and SIGINT blocked, so that they reach
 * the thread serving the socket, which then stops the worker. */
static int worker_start(aggd *d, char *err, size_t err_len)
{
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	int rc = pthread_create(&d->w.thread, NULL, work, &d->w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		snprintf(err, err_len, "cannot start the leader's worker thread");
		return SG_ERR_NOMEM;
	}
	d->w.started = true;
	return 0;
}

/* Stops the worker (the daemon is stopping) and frees what it holds. */
static int worker_end(aggd *d, volatile sig_atomic_t *stop_worker)
{
	worker *w = &d->w;
	if (w->started) {
		*stop_worker = 1;
		pthread_join(w->thread, NULL);
	}
	sg_peers_close(&w->peers);
	sg_store_close(w->store);
	sg_prio3_free(w->prio3);
	sodium_memzero(w->verify_key, sizeof w->verify_key);
	sodium_memzero(d->verify_key, sizeof d->verify_key);
	return w->ret;
}

/* One daemon per store: a second one on the same file would answer for the
 * same aggregator twice. An advisory lock held for the daemon's life. */
static int lock_store(int *fd, const char *path, char *err, size_t err_len)
{
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0 || flock(*fd, LOCK_EX | LOCK_NB) != 0) {
		snprintf(err, err_len, "%s: %s", path,
			 *fd >= 0 && errno == EWOULDBLOCK ? "another daemon is using this store"
							  : strerror(errno));
		return SG_ERR_STATE;
	}
	return 0;
}

/* The leader's publication folder, made now (its parent must exist) so that
 * a wrong path is found at start, not at the end of the round. */
static int publish_dir_ready(const char *dir, char *err, size_t err_len)
{
	struct stat st;
	if (dir == NULL) {
		snprintf(err, err_len, "the leader needs a folder to publish the round in");
		return SG_ERR_PARAM;
	}
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		snprintf(err, err_len, "publication folder %s: %s", dir, strerror(errno));
		return SG_ERR_IO;
	}
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode) || access(dir, W_OK) != 0) {
		snprintf(err, err_len, "publication folder %s: not a folder this daemon can write",
			 dir);
		return SG_ERR_IO;
	}
	return 0;
}

int sg_aggd_run(const sg_aggd_config *c, const volatile sig_atomic_t *stop, char *err,
		size_t err_len)
{
	static volatile sig_atomic_t stop_worker; /* one daemon per process */
	aggd d = { .c = c, .task = c->task, .stop = &stop_worker };
	char why[300] = "";
	stop_worker = 0;
	snprintf(err, err_len, "%s", "");
	long index = sg_aggd_index(c->task, c->keys, why, sizeof why);
	if (index < 0) {
		snprintf(err, err_len, "%s", why);
		return SG_ERR_KEY;
	}
	d.index = (unsigned)index;
	const char *listen = c->listen ? c->listen : c->task->body->aggregators[index]->endpoint;
	int lock = -1;
	int ret = sg_task_prio3(&d.prio3, c->task);
	if (ret == 0) /* socket and folder first: no store is left behind by a
		       * taken port or a wrong path */
		ret = open_socket(&d, listen, err, err_len);
	if (ret == 0 && index == 0)
		ret = publish_dir_ready(c->publish_dir, err, err_len);
	if (ret == 0)
		ret = sg_store_open(&d.store, c->db_path, c->task->id, err, err_len);
	if (ret == 0)
		ret = lock_store(&lock, c->db_path, err, err_len);
	if (ret != 0)
		goto cleanup;
	d.party = (sg_party){ c->task, d.prio3, d.index,
			      sg_key_secret(c->keys->key[SG_KEY_HPKE]), NULL };
	if (d.index == 0)
		ret = leader_start(&d, err, err_len);
	if (d.index == 0 && ret == 0)
		ret = worker_start(&d, err, err_len);
	if (d.index != 0)
		sg_helper_init(&d.helper, &d.party, sg_key_secret(c->keys->key[SG_KEY_SIGN]), d.store);
	if (ret != 0)
		goto cleanup;
	say(&d, "info", "event=started role=%s index=%u operator=\"%s\" listen=%s store=%s%s",
	    d.index == 0 ? "leader" : "helper", d.index,
	    c->task->body->aggregators[d.index]->operator_name, sg_server_endpoint(d.srv),
	    c->db_path, atomic_load(&d.published)	    ? " round=published"
			: atomic_load(&d.collect_ordered) ? " round=closing"
							  : "");
	ret = progress(&d, now_s(), true);
	if (ret == 0)
		ret = d.index == 0 ? serve_leader(&d, stop) : serve_helper(&d, stop);
	if (d.index == 0) {
		int wret = worker_end(&d, &stop_worker);
		ret = ret != 0 ? ret : wret;
	}
	if (ret != 0) {
		snprintf(err, err_len, "stopped on an error: %s", sg_strerror(ret));
	} else {
		ret = progress(&d, now_s(), true);
		say(&d, "info", "event=stopped");
	}
	if (d.index != 0)
		sg_helper_done(&d.helper);
cleanup:
	if (d.index == 0 && !d.w.started)
		(void)worker_end(&d, &stop_worker);
	sg_server_close(d.srv);
	sg_store_close(d.store);
	if (lock >= 0)
		close(lock); /* releases the lock */
	sg_prio3_free(d.prio3);
	return ret;
}
