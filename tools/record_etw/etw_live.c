/* etw_live.c - the live ETW frontend, `kcap record --source etw` (see
 * etw_live.h): the callback's conversion, the queue between the
 * ProcessTrace thread and the recorder, the decoder's output into
 * rec_submit(), and the one stop of the session on every way out. Portable
 * C11 and pthreads: the Windows calls are behind etw_ops (etw_win32.c). */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <kcap/taxonomy.h>

#include "cli.h"
#include "etw_live.h"
#include "record_common.h"

#ifdef _WIN32
extern const etw_ops etw_win32_ops;
const etw_ops *etw_live_ops = &etw_win32_ops;
#else
const etw_ops *etw_live_ops; /* none: tests set theirs */
#endif
void *etw_live_ops_ud;

/* ---- the callback's conversion ---- */

void etw_record_from_event(const etw_event_record *er, kcap_etw_record *rec, kcap_etw_ext *ext, size_t cap)
{
	const etw_event_header *h = &er->header;
	memset(rec, 0, sizeof *rec);
	rec->flags = h->flags;
	rec->event_property = h->event_property;
	rec->kind = (h->flags & KCAP_ETW_F_CLASSIC_HEADER) ? KCAP_ETW_HDR_CLASSIC : KCAP_ETW_HDR_EVENT;
	rec->ptr_size = (h->flags & KCAP_ETW_F_32_BIT_HEADER) ? 4 : 8;
	memcpy(rec->provider.b, &h->provider_id, 16);
	rec->id = h->descriptor.id;
	rec->version = h->descriptor.version;
	rec->channel = h->descriptor.channel;
	rec->level = h->descriptor.level;
	rec->opcode = h->descriptor.opcode;
	rec->task = h->descriptor.task;
	rec->keywords = h->descriptor.keyword;
	rec->pid = h->process_id;
	rec->tid = h->thread_id;
	rec->cpu = (h->flags & KCAP_ETW_F_PROCESSOR_INDEX) ? er->buffer_context.u.processor_index
	                                                     : er->buffer_context.u.p.processor_number;
	rec->timestamp = h->timestamp;
	if (h->flags & KCAP_ETW_F_NO_CPUTIME) {
		rec->kernel_time = 0;
	} else if (h->flags & (KCAP_ETW_F_PRIVATE_SESSION)) {
		rec->kernel_time = h->u.processor_time;
	} else {
		rec->kernel_time = h->u.t.kernel_time;
		rec->user_time = h->u.t.user_time;
	}
	memcpy(rec->activity_id.b, &h->activity_id, 16);
	size_t n = er->extended_data_count < cap ? er->extended_data_count : cap;
	for (size_t i = 0; i < n; i++) {
		ext[i].type = er->extended_data[i].ext_type;
		ext[i].size = er->extended_data[i].data_size;
		ext[i].data = (const uint8_t *)(uintptr_t)er->extended_data[i].data_ptr;
	}
	rec->ext = n ? ext : NULL;
	rec->next = (uint16_t)n;
	rec->data = er->user_data;
	rec->len = er->user_data_length;
}

/* ---- the queue: records copied on the ProcessTrace thread ---- */

#define ETW_MAX_EXT 16

typedef struct qitem {
	struct qitem *next;
	kcap_etw_record rec;
	kcap_etw_ext ext[ETW_MAX_EXT];
	uint8_t bytes[]; /* payload, then the extended items' data */
} qitem;

typedef struct etw_state {
	rec_ctx *ctx;
	const rec_opts *o;
	const etw_ops *ops;
	void *ud;
	uint64_t handle;
	int started;
	atomic_int stopped;
	etw_counters final;    /* the STOP's counters, once final_ready */
	atomic_int final_ready;
	pthread_t thread;
	int have_thread;
	pthread_mutex_t mu;
	qitem *head, *tail;  /* guarded by mu */
	size_t queued;       /* guarded by mu */
	uint64_t dropped;    /* queue full or no memory: lost, guarded by mu */
	int proc_done, proc_rc;   /* guarded by mu */
	char proc_why[256];       /* guarded by mu */
	kcap_etw_decoder *d;
	uint32_t self;
	int own_snapshot_sent;
	uint64_t seen;
	kcap_etw_session ses;  /* given to the decoder at open, again with the loss counters */
	int64_t first_ns;      /* monotonic time of the first record decoded, 0 before */
	int released;          /* the start rundown's hold is over */
	uint64_t lost_events, lost_buffers; /* the session's totals handed to the decoder */
	size_t cur_len; /* payload bytes of the record being decoded (the summary's ratio) */
} etw_state;

/* One recording at a time: the console handler finds it here. */
static etw_state *_Atomic live;
static atomic_uint nstops;

#define ETW_HOLD_NS 1000000000LL /* see etw_poll */
#define ETW_QUEUE_MAX 1000000 /* records; beyond, counted as lost */

static void on_record(void *ctx, const etw_event_record *er)
{
	etw_state *s = ctx;
	kcap_etw_ext ext[ETW_MAX_EXT];
	kcap_etw_record r;
	etw_record_from_event(er, &r, ext, ETW_MAX_EXT);
	size_t extra = r.len;
	for (uint16_t i = 0; i < r.next; i++)
		extra += ext[i].size;
	qitem *q = malloc(sizeof *q + extra);
	pthread_mutex_lock(&s->mu);
	s->seen++;
	if (!q || s->queued >= ETW_QUEUE_MAX) {
		s->dropped++;
		pthread_mutex_unlock(&s->mu);
		free(q);
		return;
	}
	pthread_mutex_unlock(&s->mu);
	q->next = NULL;
	q->rec = r;
	uint8_t *p = q->bytes;
	if (r.len)
		memcpy(p, r.data, r.len);
	q->rec.data = p;
	p += r.len;
	for (uint16_t i = 0; i < r.next; i++) {
		q->ext[i] = ext[i];
		if (ext[i].size)
			memcpy(p, ext[i].data, ext[i].size);
		q->ext[i].data = p;
		p += ext[i].size;
	}
	q->rec.ext = r.next ? q->ext : NULL;
	pthread_mutex_lock(&s->mu);
	if (s->tail)
		s->tail->next = q;
	else
		s->head = q;
	s->tail = q;
	s->queued++;
	pthread_mutex_unlock(&s->mu);
}

static void *process_thread(void *arg)
{
	etw_state *s = arg;
	char why[256] = "";
	int rc = s->ops->process(s->ud, ETW_LIVE_SESSION, on_record, s, why, sizeof why);
	pthread_mutex_lock(&s->mu);
	s->proc_done = 1;
	s->proc_rc = rc;
	snprintf(s->proc_why, sizeof s->proc_why, "%s", why);
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

/* The one stop of the session this process started (any thread: the
 * console handler's too); its last counters are kept in s->final. */
static void stop_once(etw_state *s)
{
	char why[256];
	if (!s->started || atomic_exchange(&s->stopped, 1))
		return;
	atomic_fetch_add(&nstops, 1);
	if (s->ops->stop(s->ud, ETW_LIVE_SESSION, s->handle, &s->final, why, sizeof why) < 0)
		cli_err("record", "etw frontend: stopping the session '%s': %s", ETW_LIVE_SESSION, why);
	atomic_store(&s->final_ready, 1);
}

unsigned etw_live_stops(void)
{
	return atomic_load(&nstops);
}

int etw_live_console_event(unsigned type)
{
	etw_state *s = atomic_load(&live);
	switch (type) {
	case 0: /* CTRL_C_EVENT */
	case 1: /* CTRL_BREAK_EVENT */
		raise(SIGINT);
		return 1;
	case 2: /* CTRL_CLOSE_EVENT */
	case 5: /* CTRL_LOGOFF_EVENT */
	case 6: /* CTRL_SHUTDOWN_EVENT */
		/* the process ends when the handler returns: the session first */
		if (s)
			stop_once(s);
		raise(SIGINT);
		return 1;
	default:
		return 0;
	}
}

/* ---- the decoder's output into the recorder ---- */

static int sink_schema(void *ud, const kcap_schema *sc) { return rec_set_schema(((etw_state *)ud)->ctx, sc); }

static int sink_origin(void *ud, const kcap_meta *m)
{
	int rc = rec_meta_merge(((etw_state *)ud)->ctx, m);
	return rc < 0 ? rc : 0; /* the recorder's events are origin 0 */
}

static int sink_snapshot(void *ud, const kcap_snapshot *sn) { return rec_set_snapshot(((etw_state *)ud)->ctx, sn); }

static int sink_stat(void *ud, const kcap_stat *st)
{
	rec_stat(((etw_state *)ud)->ctx, st->cpu, st->source, st->seen, st->lost);
	return 0;
}

/* The recorder's selection: the taxonomy types of -e, --pid, --comm, --uid,
 * and never the recorder itself (its own file writes would feed back). */
static int wanted(const etw_state *s, const kcap_event *ev)
{
	const rec_opts *o = s->o;
	if (ev->pid == (int32_t)s->self && s->self)
		return 0;
	if (ev->type_id < 256 && kcap_taxonomy_type(ev->type_id) && !o->types[ev->type_id])
		return 0;
	if (o->npids) {
		int hit = 0;
		for (int i = 0; i < o->npids && !hit; i++)
			hit = o->pids[i] == ev->pid;
		if (!hit)
			return 0;
	}
	if (o->comm_on && (!ev->comm || ev->comm_len != strlen(o->comm) || memcmp(ev->comm, o->comm, ev->comm_len)))
		return 0;
	if (o->uid_on && ev->uid != o->uid)
		return 0;
	return 1;
}

static int sink_event(void *ud, const kcap_event *ev)
{
	etw_state *s = ud;
	if (!wanted(s, ev))
		return 0;
	kcap_event e = *ev;
	e.origin = 0;
	size_t raw = s->cur_len;
	s->cur_len = 0; /* a record's bytes are counted once, with its first event */
	return rec_submit(s->ctx, &e, raw);
}

/* ---- the frontend ---- */

static void free_queue(etw_state *s)
{
	qitem *q = s->head;
	while (q) {
		qitem *n = q->next;
		free(q);
		q = n;
	}
	s->head = s->tail = NULL;
	s->queued = 0;
}

static void etw_close(void *st)
{
	etw_state *s = st;
	if (!s)
		return;
	stop_once(s);
	if (s->have_thread)
		pthread_join(s->thread, NULL);
	atomic_store(&live, NULL);
	kcap_etw_decoder_close(s->d);
	free_queue(s);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

static int etw_open(rec_ctx *ctx, const rec_opts *o, void **state, char *why, size_t n)
{
	const etw_ops *ops = etw_live_ops;
	etw_counters c = {0};
	kcap_error err = {0};
	if (!ops) {
		snprintf(why, n, "no ETW session control in this build");
		return -1;
	}
	etw_state *s = calloc(1, sizeof *s);
	if (!s) {
		snprintf(why, n, "out of memory");
		return -1;
	}
	s->ctx = ctx;
	s->o = o;
	s->ops = ops;
	s->ud = etw_live_ops_ud;
	s->self = ops->self_pid ? ops->self_pid(s->ud) : 0;
	pthread_mutex_init(&s->mu, NULL);
	/* A session of that name that runs already is another tool's, or a kcap
	 * that died without stopping it: said, never taken over. */
	int q = ops->query(s->ud, ETW_LIVE_SESSION, &c, why, n);
	if (q == ETW_OK) {
		snprintf(why, n,
		         "a session named '%s' is already running (another tracing tool, or a kcap that was killed "
		         "before it could stop it); it is not reused: stop it with `logman stop \"%s\" -ets` if it is a "
		         "leftover, and start again", ETW_LIVE_SESSION, ETW_LIVE_SESSION);
		goto fail;
	}
	if (q != ETW_NOT_FOUND)
		goto fail;
	static const kcap_etw_sink sink = {sink_schema, sink_origin, sink_event, sink_snapshot, sink_stat};
	if (kcap_etw_decoder_open(&s->d, &sink, s, &err) < 0) {
		snprintf(why, n, "%s", err.msg[0] ? err.msg : "cannot create the ETW decoder");
		goto fail;
	}
	int rc = ops->start(s->ud, ETW_LIVE_SESSION, ETW_LIVE_FLAGS, &s->handle, why, n);
	if (rc == ETW_EXISTS) {
		snprintf(why, n, "a session named '%s' was started by someone else meanwhile; it is not reused",
		         ETW_LIVE_SESSION);
		goto fail;
	}
	if (rc < 0)
		goto fail;
	s->started = 1;
	atomic_store(&live, s);
	/* from here every way out stops the session: etw_close(), or below */
	if (ops->enable && ops->enable(s->ud, s->handle, why, n) < 0)
		goto fail;
	/* ProcessTrace hands timestamps as FILETIME (no RAW_TIMESTAMP mode) */
	kcap_etw_session ses = {
		.logger_name = ETW_LIVE_SESSION,
		.ncpus = c.ncpus,
		.ptr_size = (uint32_t)sizeof(void *),
		.clock = {.type = KCAP_ETW_CLOCK_FILETIME},
		.source = "etw",
	};
	if (ops->query(s->ud, ETW_LIVE_SESSION, &c, why, n) == ETW_OK)
		ses.ncpus = c.ncpus;
	s->ses = ses;
	if ((rc = kcap_etw_decoder_session(s->d, &s->ses)) < 0) {
		snprintf(why, n, "%s", kcap_strerror(rc));
		goto fail;
	}
	if (pthread_create(&s->thread, NULL, process_thread, s)) {
		snprintf(why, n, "cannot start the consumer thread");
		goto fail;
	}
	s->have_thread = 1;
	*state = s;
	return 0;
fail:
	etw_close(s);
	return -1;
}

/* Hands what the callback queued to the decoder. */
static int etw_poll(void *st, int timeout_ms, char *why, size_t n)
{
	etw_state *s = st;
	pthread_mutex_lock(&s->mu);
	qitem *q = s->head;
	s->head = s->tail = NULL;
	s->queued = 0;
	int done = s->proc_done, prc = s->proc_rc;
	pthread_mutex_unlock(&s->mu);
	int got = 0, rc = 0;
	while (q) {
		qitem *next = q->next;
		s->cur_len = q->rec.len;
		if (!rc)
			rc = kcap_etw_decode(s->d, &q->rec);
		free(q);
		q = next;
		got++;
	}
	/* The rundown of the start comes first and at once: a second after the
	 * first record the decoder's hold for its snapshot ends, whether or not
	 * the decoder saw the rundown end (it may not say so on every Windows). */
	if (!rc && got && !s->first_ns)
		s->first_ns = cli_now_ns(CLOCK_MONOTONIC);
	if (!rc && s->first_ns && !s->released && cli_now_ns(CLOCK_MONOTONIC) - s->first_ns >= ETW_HOLD_NS) {
		s->released = 1;
		rc = kcap_etw_decoder_finish(s->d);
	}
	if (rc < 0) {
		snprintf(why, n, "decoding: %s", kcap_strerror(rc));
		return -1;
	}
	if (done && !atomic_load(&s->stopped)) {
		/* the session ended without our stop: someone stopped it, or ETW failed */
		pthread_mutex_lock(&s->mu);
		snprintf(why, n, "the session ended while recording%s%s", s->proc_why[0] ? ": " : "", s->proc_why);
		pthread_mutex_unlock(&s->mu);
		(void)prc;
		return -1;
	}
	if (!got && timeout_ms > 0 && !done) {
		struct timespec ts = {0, (long)(timeout_ms < 10 ? timeout_ms : 10) * 1000000L};
		nanosleep(&ts, NULL);
	}
	return got;
}

/* The session's EventsLost and RealTimeBuffersLost (free-running totals;
 * the kernel logger has no per-CPU counts) into the decoder's loss
 * counters "etw-events-lost" and "etw-buffers-lost". */
static void update_loss(etw_state *s, const etw_counters *c)
{
	/* a later session call adds to the decoder's totals: hand the increase */
	kcap_etw_session more = s->ses;
	more.events_lost = c->events_lost > s->lost_events ? c->events_lost - s->lost_events : 0;
	more.buffers_lost = c->rt_buffers_lost > s->lost_buffers ? c->rt_buffers_lost - s->lost_buffers : 0;
	if (!more.events_lost && !more.buffers_lost)
		return;
	s->lost_events += more.events_lost;
	s->lost_buffers += more.buffers_lost;
	kcap_etw_decoder_session(s->d, &more);
	/* the counters go out with finish (again after the hold: it only
	 * re-sends them then) */
	if (s->released)
		kcap_etw_decoder_finish(s->d);
}

static void etw_stats(void *st)
{
	etw_state *s = st;
	etw_counters c = {0};
	char why[256];
	uint64_t seen, dropped;
	pthread_mutex_lock(&s->mu);
	seen = s->seen;
	dropped = s->dropped;
	pthread_mutex_unlock(&s->mu);
	if (!atomic_load(&s->stopped) && s->ops->query(s->ud, ETW_LIVE_SESSION, &c, why, sizeof why) == ETW_OK)
		update_loss(s, &c);
	rec_stat(s->ctx, UINT32_MAX, "etw-queue", seen, dropped);
}

/* Stops the session (once): ProcessTrace then delivers what the buffers
 * still hold and returns; rec_run polls until the queue is empty. */
static void etw_stop(void *st)
{
	etw_state *s = st;
	stop_once(s);
	if (s->have_thread) { /* ProcessTrace returns once the buffers are delivered */
		pthread_join(s->thread, NULL);
		s->have_thread = 0;
	}
	if (atomic_load(&s->final_ready)) /* whoever stopped it: its last counters */
		update_loss(s, &s->final);
	/* what the decoder holds for the snapshot goes out before the drain ends */
	char why[64];
	etw_poll(st, 0, why, sizeof why);
	s->released = 1;
	kcap_etw_decoder_finish(s->d);
}

const rec_frontend rec_frontend_etw = {
	.name = "etw",
	.version = "0.1.0",
	.open = etw_open,
	.poll = etw_poll,
	.stats = etw_stats,
	.close = etw_close,
	.stop = etw_stop,
	.own_snapshot = 1,
};
