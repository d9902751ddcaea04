/* kcap merge: a chronological k-way merge of captures into one, with the
 * schemas united (type and symset ids remapped, names kept) and every input's
 * metadata kept as its own origin. */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <kcap/filter.h>
#include <kcap/procstate.h>
#include "sink.h"

static const char merge_help[] =
	"usage: kcap merge [OPTIONS] FILE...\n"
	"\n"
	"Merges captures, from different hosts and sources, into one stream in\n"
	"timestamp order (ties by seq, then by input order). One block per input is\n"
	"held in memory (plus, for kcap output, up to three batches of events on\n"
	"their way to the writer thread).\n"
	"  - The schemas are united: an event type keeps its name; when two inputs\n"
	"    use the same type id for different types, one is given a new id (the\n"
	"    same for symbol sets).\n"
	"  - Every input's metadata (hostname, source, ...) is kept as its own\n"
	"    origin, so each event stays attributable: 'host' and 'source' work in\n"
	"    filters and appear in JSON output. Identical metadata is stored once.\n"
	"  - seq numbers are kept (they are unique within an origin).\n"
	"  - Every input's process snapshot is kept as its origin's snapshot, for\n"
	"    any mix of hosts: process context (proc.exe, parent.comm, the JSON\n"
	"    \"proc\" object) is tracked per origin, so the pids of two hosts never\n"
	"    mix. Inputs with identical metadata share an origin and their\n"
	"    snapshots are united (the first input's process wins a pid).\n"
	"Each input must be in time order; the first event that goes back in time\n"
	"is an error naming the file and its seq, unless --sort-window allows a\n"
	"bounded reorder.\n"
	"\n"
	"Options:\n"
	"      --concat          concatenate the inputs in the order given instead of\n"
	"                        merging (schemas and origins united the same way)\n"
	"  -w, --sort-window D   reorder each input within a window of duration D\n"
	"                        (e.g. 50ms, 2s): an event may come up to D before\n"
	"                        the latest one read; memory grows with the window\n"
	"      --stats           print per-input event counts and the rate to stderr\n"
	"      --level L         zstd level of kcap output, -7..22 (default: libkcap's,\n"
	"                        1; negative levels trade size for speed); 0 stores\n"
	"                        the blocks\n"
	"                        uncompressed, the fastest when the output goes\n"
	"                        straight into another kcap command\n"
	"      --block-size S    uncompressed bytes per block of kcap output (default 1M)\n"
	"      --no-thread       write kcap output on the merging thread (by default a\n"
	"                        second thread does it, fed batches of up to 8192\n"
	"                        copied events, on machines with 2+ CPUs; a third\n"
	"                        compresses full blocks)\n"
	SINK_HELP_HEAD SINK_HELP_FILE SINK_HELP_MODES CLI_TIME_HELP
CLI_JOBS_HELP
	"  -h, --help            show this help\n"
	"\n"
	"Exit: 0 ok, 1 error (also an input out of time order), 2 usage, 3 an input\n"
	"was damaged (every intact event was still merged).\n";

#define UNMAPPED UINT32_MAX

typedef struct input {
	const char *path;
	int idx;
	kcap_reader *r;
	int eof;
	/* current candidate (borrowed from the reader, or a window copy whose
	 * ids are already translated) and its output ids and sort key */
	const kcap_event *cur;
	/* when records are copied: cur's record, and cur's head (type id,
	 * origin, ts, seq) under output ids, what kcap_writer_write_record reads */
	kcap_record rec;
	kcap_event head;
	uint32_t otype;
	uint16_t oorigin;
	int64_t key_ts;
	uint64_t key_seq;
	/* order check */
	int have_last;
	int64_t last_ts;
	/* map state: valid for (section, schema generation, origin count),
	 * which only change when the reader reaches a new events block */
	const kcap_reader_stats *st;
	uint64_t mapped_blocks;
	uint32_t section;
	uint64_t gen;
	size_t norig;
	int mapped;
	uint32_t *tmap; /* input type id -> output type id */
	size_t tmap_len;
	uint32_t *smap; /* input symset id -> output symset id */
	size_t smap_len;
	uint16_t *omap; /* input origin -> output origin */
	size_t omap_len;
	/* --sort-window: copies under output ids, by (ts, seq); cur points
	 * at the one popped last until the next advance() */
	kcap_reorder *win;
	uint64_t events;
	/* JSON "proc" object: this input's processes (its own pid namespace) */
	kcap_procstate *ps;
	int ps_stale; /* reload the snapshot before the next event */
	uint64_t cur_upd; /* snapshot updates (format 1.2) read before cur */
	uint64_t ps_upd;  /* of those, applied to ps */
	uint64_t first_upd; /* of those, before its first event (in the snapshots carried) */
	uint64_t w_upd;   /* of those, in the kcap output (carried or written as updates) */
} input;

/* Kcap output is encoded and compressed by a writer thread: the merging
 * thread hands it batches of copied events or records (ids already
 * translated). */
#define WB_COUNT 3
#define WB_EVENTS 8192
#define WB_BYTES (4u << 20)

typedef struct wbatch {
	size_t n, nvals, capvals;
	kcap_event evs[WB_EVENTS]; /* params/comm/p hold offsets until written */
	kcap_record recs[WB_EVENTS]; /* records: evs[i] holds the head, tail an offset */
	kcap_value *vals;
	kcap_buf bytes; /* of the events' strings and byte params, or the records */
} wbatch;

typedef struct wthread {
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	wbatch *b[WB_COUNT];
	uint64_t published, consumed;
	int quit, failed, started;
	int records; /* batches of records (kcap_writer_write_record) */
	kcap_writer *w;
} wthread;

typedef struct merger {
	input *in;
	int nin;
	kcap_schema *os;    /* the output schema */
	kcap_time_style *times; /* text and CSV times */
	uint32_t next_tid, next_sid;
	kcap_meta **metas;  /* output origins (copies) */
	size_t nmetas;
	kcap_writer *w;
	out_mode mode;
	FILE *out;
	int own_out;
	out_file file; /* -o FILE */
	const char *out_name;
	kcap_buf buf;
	uint8_t origin_said[65536 / 8]; /* JSON: the output origins described */
	int64_t window;
	int schema_dirty;
	int damaged;
	int proc; /* JSON output with the "proc" object */
	int records; /* events are copied as records (kcap_reader_next_record) */
	wthread *wt; /* NULL: events are written on the merging thread */
} merger;

static void *grow(void *p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return p;
	size_t n = *cap ? *cap : 16;
	while (n < need)
		n *= 2;
	void *q = realloc(p, n * elem);
	if (!q)
		return NULL;
	memset((char *)q + *cap * elem, 0xff, (n - *cap) * elem);
	*cap = n;
	return q;
}

static int meta_equal(const kcap_meta *a, const kcap_meta *b)
{
	size_t n = kcap_meta_count(a);
	if (n != kcap_meta_count(b))
		return 0;
	for (size_t i = 0; i < n; i++) {
		const char *k, *v;
		kcap_meta_at(a, i, &k, &v);
		const char *w = kcap_meta_get(b, k);
		if (!w || strcmp(v, w))
			return 0;
	}
	return 1;
}

/* Output id for an input symset: an equal set already there, else the same
 * id if free, else a new one. */
static int map_symset(merger *m, const kcap_symset *set, uint32_t *out)
{
	int rc = kcap_schema_unite_symset(m->os, set, &m->next_sid, out);
	if (rc > 0)
		m->schema_dirty = 1;
	return rc < 0 ? rc : 0;
}

static int map_type(merger *m, input *in, const kcap_type_def *def, uint32_t *out)
{
	kcap_param_def params[KCAP_MAX_PARAMS];
	if (def->nparams > KCAP_MAX_PARAMS)
		return KCAP_E_INVAL;
	for (uint32_t i = 0; i < def->nparams; i++) {
		params[i] = def->params[i];
		uint32_t sid = params[i].symset;
		if (sid) {
			params[i].symset = sid < in->smap_len ? in->smap[sid] : UNMAPPED;
			if (params[i].symset == UNMAPPED)
				params[i].symset = 0; /* unknown set: rendered as a number */
		}
	}
	kcap_type_def copy = *def;
	copy.params = params;
	int rc = kcap_schema_unite_type(m->os, &copy, &m->next_tid, out);
	if (rc > 0)
		m->schema_dirty = 1;
	return rc < 0 ? rc : 0;
}

static void *writer_main(void *arg)
{
	wthread *t = arg;
	pthread_mutex_lock(&t->mu);
	for (;;) {
		while (t->consumed == t->published && !t->quit)
			pthread_cond_wait(&t->cv, &t->mu);
		if (t->consumed == t->published)
			break;
		wbatch *b = t->b[t->consumed % WB_COUNT];
		int failed = t->failed;
		pthread_mutex_unlock(&t->mu);
		for (size_t i = 0; t->records && i < b->n && !failed; i++) {
			kcap_record *rec = &b->recs[i];
			rec->tail = (const uint8_t *)b->bytes.data + (uintptr_t)rec->tail;
			if (kcap_writer_write_record(t->w, &b->evs[i], rec))
				failed = 1;
		}
		for (size_t i = 0; !t->records && i < b->n && !failed; i++) {
			kcap_event *ev = &b->evs[i];
			ev->params = b->vals + (uintptr_t)ev->params;
			ev->comm = ev->comm ? b->bytes.data + ((uintptr_t)ev->comm - 1) : NULL;
			for (uint32_t k = 0; k < ev->nparams; k++)
				if (ev->params[k].p)
					ev->params[k].p = (const uint8_t *)b->bytes.data + ((uintptr_t)ev->params[k].p - 1);
			if (kcap_writer_write(t->w, ev))
				failed = 1;
		}
		b->n = b->nvals = b->bytes.len = 0;
		pthread_mutex_lock(&t->mu);
		t->failed |= failed;
		t->consumed++;
		pthread_cond_broadcast(&t->cv);
	}
	pthread_mutex_unlock(&t->mu);
	return NULL;
}

/* Waits until the writer thread has written every batch handed over, so
 * that the merging thread may call the writer itself (schema, metadata). */
static int wt_drain(merger *m)
{
	wthread *t = m->wt;
	if (!t)
		return 0;
	pthread_mutex_lock(&t->mu);
	while (t->consumed != t->published)
		pthread_cond_wait(&t->cv, &t->mu);
	int failed = t->failed;
	pthread_mutex_unlock(&t->mu);
	return failed ? KCAP_E_IO : 0; /* see kcap_writer_error */
}

static int wt_publish(merger *m)
{
	wthread *t = m->wt;
	pthread_mutex_lock(&t->mu);
	t->published++;
	pthread_cond_broadcast(&t->cv);
	while (t->published - t->consumed >= WB_COUNT) /* the next batch is still being written */
		pthread_cond_wait(&t->cv, &t->mu);
	int failed = t->failed;
	pthread_mutex_unlock(&t->mu);
	return failed ? KCAP_E_IO : 0;
}

/* Copies the input's current record into the batch being filled. */
static int wt_add_record(merger *m, const input *in)
{
	wthread *t = m->wt;
	wbatch *b = t->b[t->published % WB_COUNT];
	size_t len = in->rec.len;
	if (b->bytes.cap - b->bytes.len < len && kcap_buf_reserve(&b->bytes, len)) /* no call per event */
		return KCAP_E_NOMEM;
	kcap_event *e = &b->evs[b->n];
	e->type_id = in->head.type_id;
	e->origin = in->head.origin;
	e->ts = in->head.ts;
	e->seq = in->head.seq;
	kcap_record *r = &b->recs[b->n++];
	r->tail = (const uint8_t *)(uintptr_t)b->bytes.len;
	r->len = len;
	r->absent = in->rec.absent;
	memcpy(b->bytes.data + b->bytes.len, in->rec.tail, len);
	b->bytes.len += len;
	if (b->n == WB_EVENTS || b->bytes.len >= WB_BYTES)
		return wt_publish(m);
	return 0;
}

/* Copies ev into the batch being filled; pointers become offsets + 1. */
static int wt_add(merger *m, const kcap_event *ev, uint32_t otype, uint16_t oorigin)
{
	wthread *t = m->wt;
	wbatch *b = t->b[t->published % WB_COUNT];
	size_t bytes = ev->comm_len;
	for (uint32_t i = 0; i < ev->nparams; i++)
		if (kcap_value_has_bytes(&ev->params[i]))
			bytes += ev->params[i].len;
	if (b->nvals + ev->nparams > b->capvals) {
		size_t n = b->capvals ? b->capvals * 2 : WB_EVENTS * 8;
		while (n < b->nvals + ev->nparams)
			n *= 2;
		kcap_value *v = realloc(b->vals, n * sizeof *v);
		if (!v)
			return KCAP_E_NOMEM;
		b->vals = v;
		b->capvals = n;
	}
	if (b->bytes.cap - b->bytes.len < bytes && kcap_buf_reserve(&b->bytes, bytes))
		return KCAP_E_NOMEM;
	kcap_event *e = &b->evs[b->n++];
	*e = *ev;
	e->type_id = otype;
	e->origin = oorigin;
	e->def = NULL;
	e->meta = NULL;
	e->params = (kcap_value *)(uintptr_t)b->nvals;
	e->comm = NULL;
	if (ev->comm_len) {
		memcpy(b->bytes.data + b->bytes.len, ev->comm, ev->comm_len);
		e->comm = (const char *)(uintptr_t)(b->bytes.len + 1);
		b->bytes.len += ev->comm_len;
	}
	for (uint32_t i = 0; i < ev->nparams; i++) {
		kcap_value *v = &b->vals[b->nvals++];
		*v = ev->params[i];
		if (kcap_value_has_bytes(v)) {
			memcpy(b->bytes.data + b->bytes.len, v->p, v->len);
			v->p = (const uint8_t *)(uintptr_t)(b->bytes.len + 1);
			b->bytes.len += v->len;
		} else {
			v->p = NULL;
		}
	}
	if (b->n == WB_EVENTS || b->bytes.len >= WB_BYTES)
		return wt_publish(m);
	return 0;
}

/* Hands over the last partial batch and stops the thread. */
static int wt_stop(merger *m)
{
	wthread *t = m->wt;
	if (!t)
		return 0;
	int failed = 0;
	if (t->started) {
		if (t->b[t->published % WB_COUNT]->n)
			failed |= wt_publish(m);
		pthread_mutex_lock(&t->mu);
		t->quit = 1;
		pthread_cond_broadcast(&t->cv);
		pthread_mutex_unlock(&t->mu);
		pthread_join(t->th, NULL);
		failed |= t->failed;
	}
	for (int i = 0; i < WB_COUNT; i++) {
		if (t->b[i]) {
			free(t->b[i]->vals);
			kcap_buf_free(&t->b[i]->bytes);
			free(t->b[i]);
		}
	}
	pthread_mutex_destroy(&t->mu);
	pthread_cond_destroy(&t->cv);
	free(t);
	m->wt = NULL;
	return failed ? KCAP_E_IO : 0;
}

/* Starts the writer thread; on any failure the merge goes on without it. */
static void wt_start(merger *m)
{
	wthread *t = calloc(1, sizeof *t);
	if (!t)
		return;
	t->w = m->w;
	t->records = m->records;
	pthread_mutex_init(&t->mu, NULL);
	pthread_cond_init(&t->cv, NULL);
	m->wt = t;
	for (int i = 0; i < WB_COUNT; i++)
		if (!(t->b[i] = calloc(1, sizeof *t->b[i]))) {
			wt_stop(m);
			return;
		}
	if (pthread_create(&t->th, NULL, writer_main, t)) {
		wt_stop(m);
		return;
	}
	t->started = 1;
}

static int add_origin(merger *m, const kcap_meta *src, uint16_t *out)
{
	kcap_meta *empty = NULL;
	if (!src)
		src = empty = kcap_meta_new();
	if (!src)
		return KCAP_E_NOMEM;
	for (size_t i = 0; i < m->nmetas; i++)
		if (meta_equal(m->metas[i], src)) {
			kcap_meta_free(empty);
			*out = (uint16_t)i;
			return 0;
		}
	kcap_meta **nm = realloc(m->metas, (m->nmetas + 1) * sizeof *nm);
	if (nm)
		m->metas = nm;
	kcap_meta *copy = kcap_meta_new();
	if (!copy || !nm || m->nmetas >= UINT16_MAX) {
		kcap_meta_free(copy);
		kcap_meta_free(empty);
		return KCAP_E_NOMEM;
	}
	const char *k, *v;
	for (size_t i = 0; kcap_meta_at(src, i, &k, &v); i++)
		kcap_meta_set(copy, k, v);
	kcap_meta_free(empty);
	if (m->w && (wt_drain(m) || kcap_writer_add_meta(m->w, copy) < 0)) {
		kcap_meta_free(copy);
		return KCAP_E_IO;
	}
	m->metas[m->nmetas] = copy;
	*out = (uint16_t)m->nmetas++;
	return 0;
}

/* The entry of id in an id map (grown as needed) when id is not mapped yet,
 * else NULL in *slot. Returns 0 or a negative KCAP_E_* code. */
static int unmapped_slot(uint32_t **map, size_t *len, uint32_t id, uint32_t **slot)
{
	*slot = NULL;
	if (id < *len && (*map)[id] != UNMAPPED)
		return 0;
	if (id > (1u << 24))
		return KCAP_E_INVAL;
	uint32_t *n = grow(*map, len, (size_t)id + 1, sizeof *n);
	if (!n)
		return KCAP_E_NOMEM;
	*map = n;
	*slot = &n[id];
	return 0;
}

/* Brings the input's id maps up to date with its reader's state. Returns 0
 * or a negative KCAP_E_* code (the caller prints). */
static int update_maps(merger *m, input *in)
{
	if (in->mapped && in->st->blocks == in->mapped_blocks)
		return 0;
	in->mapped_blocks = in->st->blocks;
	const kcap_schema *s = kcap_reader_schema(in->r);
	uint32_t sec = kcap_reader_section(in->r);
	uint64_t gen = kcap_schema_generation(s);
	size_t norig = kcap_reader_origin_count(in->r);
	if (in->mapped && sec == in->section && gen == in->gen && norig == in->norig)
		return 0;
	if (!in->mapped || sec != in->section) { /* a new section renumbers everything */
		in->ps_stale = 1;
		if (in->tmap)
			memset(in->tmap, 0xff, in->tmap_len * sizeof *in->tmap);
		if (in->smap)
			memset(in->smap, 0xff, in->smap_len * sizeof *in->smap);
		if (in->omap)
			memset(in->omap, 0xff, in->omap_len * sizeof *in->omap);
		in->norig = 0;
	}
	const kcap_symset *set;
	int rc;
	for (size_t i = 0; (set = kcap_schema_symset_at(s, i)); i++) {
		uint32_t *slot;
		if ((rc = unmapped_slot(&in->smap, &in->smap_len, set->id, &slot)) < 0)
			return rc;
		if (slot && map_symset(m, set, slot))
			return KCAP_E_NOMEM;
	}
	const kcap_type_def *def;
	for (size_t i = 0; (def = kcap_schema_type_at(s, i)); i++) {
		uint32_t *slot;
		if ((rc = unmapped_slot(&in->tmap, &in->tmap_len, def->id, &slot)) < 0)
			return rc;
		if (slot && map_type(m, in, def, slot))
			return KCAP_E_NOMEM;
	}
	if (m->schema_dirty && m->w) {
		if (wt_drain(m) || kcap_writer_set_schema(m->w, m->os))
			return KCAP_E_IO;
		m->schema_dirty = 0;
	}
	for (; in->norig < norig; in->norig++) {
		uint16_t *n = grow(in->omap, &in->omap_len, in->norig + 1, sizeof *n);
		if (!n)
			return KCAP_E_NOMEM;
		in->omap = n;
		if (add_origin(m, kcap_reader_meta(in->r, (uint16_t)in->norig), &n[in->norig]))
			return KCAP_E_NOMEM;
	}
	in->section = sec;
	in->gen = gen;
	in->mapped = 1;
	return 0;
}

/* Output ids of ev. Returns 0, or 1 when the event's type is unknown to its
 * schema (it cannot be written; counted and reported). */
static int map_ids(const input *in, const kcap_event *ev, uint32_t *otype, uint16_t *oorigin)
{
	if (ev->type_id >= in->tmap_len || in->tmap[ev->type_id] == UNMAPPED)
		return 1;
	*otype = in->tmap[ev->type_id];
	*oorigin = ev->origin < in->omap_len && in->omap[ev->origin] != UINT16_MAX ? in->omap[ev->origin] : 0;
	return 0;
}

/* ev under output ids, with def and meta for rendering. */
static void translate(const merger *m, const kcap_event *ev, uint32_t otype, uint16_t oorigin, kcap_event *out)
{
	*out = *ev;
	out->type_id = otype;
	out->origin = oorigin;
	out->def = kcap_schema_type(m->os, otype);
	out->meta = oorigin < m->nmetas ? m->metas[oorigin] : NULL;
}

static void order_error(input *in, const kcap_event *ev, int window)
{
	char a[40], b[40];
	kcap_format_time(a, ev->ts);
	kcap_format_time(b, in->last_ts);
	cli_err("merge", "%s: events not in time order: seq %llu at %s comes after %s%s", in->path,
	        (unsigned long long)ev->seq, a, b,
	        window ? ", beyond the --sort-window" : "; use --sort-window D for a bounded reorder, or --concat");
}

/* Reads the input's next event into in->cur, in->otype and in->oorigin;
 * in->cur is NULL at the end. Returns 0 or a KCAP_EXIT_* code (printed). */
static int advance(merger *m, input *in, int check_order)
{
	in->cur = NULL;
	for (;;) {
		if (!m->window || in->eof) {
			if (m->window) { /* draining the window */
				if (!kcap_reorder_count(in->win))
					return 0; /* the end */
				goto pop;
			}
			const kcap_event *ev;
			int n = m->records ? kcap_reader_next_record(in->r, &ev, &in->rec) : kcap_reader_next(in->r, &ev);
			if (n < 0)
				return cli_read_failed("merge", in->r, n);
			if (n == 0)
				return 0;
			if (update_maps(m, in)) {
				cli_err("merge", "%s: cannot unite its schema and metadata with the other inputs'", in->path);
				return KCAP_EXIT_ERROR;
			}
			if (check_order && in->have_last && ev->ts < in->last_ts) {
				order_error(in, ev, 0);
				return KCAP_EXIT_ERROR;
			}
			if (map_ids(in, ev, &in->otype, &in->oorigin)) {
				cli_err("merge", "%s: seq %llu: type id %u is not in the schema; event dropped", in->path,
				        (unsigned long long)ev->seq, ev->type_id);
				m->damaged = 1;
				continue;
			}
			in->have_last = 1;
			in->last_ts = in->key_ts = ev->ts;
			in->key_seq = ev->seq;
			in->cur = ev;
			in->cur_upd = kcap_reader_update_gen(in->r);
			if (m->records) {
				in->head.type_id = in->otype;
				in->head.origin = in->oorigin;
				in->head.ts = ev->ts;
				in->head.seq = ev->seq;
			}
			return 0;
		}
		/* --sort-window: read until the oldest buffered event is at least
		 * the window older than the newest one read */
		while (!in->eof && (!kcap_reorder_count(in->win) ||
		                    kcap_reorder_max_ts(in->win) - kcap_reorder_peek(in->win)->ts < m->window)) {
			const kcap_event *ev;
			int n = kcap_reader_next(in->r, &ev);
			if (n < 0)
				return cli_read_failed("merge", in->r, n);
			if (n == 0) {
				in->eof = 1;
				break;
			}
			if (update_maps(m, in)) {
				cli_err("merge", "%s: cannot unite its schema and metadata with the other inputs'", in->path);
				return KCAP_EXIT_ERROR;
			}
			if (in->have_last && ev->ts < in->last_ts) {
				order_error(in, ev, 1);
				return KCAP_EXIT_ERROR;
			}
			kcap_event t;
			uint32_t otype;
			uint16_t oorigin;
			if (map_ids(in, ev, &otype, &oorigin)) {
				cli_err("merge", "%s: seq %llu: type id %u is not in the schema; event dropped", in->path,
				        (unsigned long long)ev->seq, ev->type_id);
				m->damaged = 1;
				continue;
			}
			translate(m, ev, otype, oorigin, &t);
			if (kcap_reorder_push(in->win, &t)) {
				cli_err("merge", "out of memory (sort window)");
				return KCAP_EXIT_ERROR;
			}
		}
		if (!kcap_reorder_count(in->win))
			return 0;
	pop:;
		in->cur_upd = kcap_reader_update_gen(in->r); /* the reader is ahead: whole snapshots then */
		const kcap_event *held = kcap_reorder_pop(in->win, INT64_MAX);
		in->have_last = 1;
		in->last_ts = in->key_ts = held->ts;
		in->key_seq = held->seq;
		in->cur = held;
		in->otype = held->type_id;
		in->oorigin = held->origin;
		return 0;
	}
}

/* The JSON "proc" tracker of an input: its section's snapshots, each in the
 * space of the output origin its events are given. */
static void load_input_snapshots(input *in)
{
	kcap_procstate_clear(in->ps);
	size_t n = in->norig ? in->norig : 1;
	for (size_t o = 0; o < n; o++) {
		uint16_t oo = o < in->omap_len && in->omap[o] != UINT16_MAX ? in->omap[o] : 0;
		kcap_procstate_load_origin_snapshot(in->ps, oo, kcap_reader_snapshot_for(in->r, (uint16_t)o));
	}
}

/* The snapshot updates (format 1.2) the input read before its current
 * event, into its tracker in the output origins' space; an update the reader
 * holds no more (it read ahead, --sort-window) as the updated snapshots. */
static void apply_updates(input *in)
{
	while (in->ps_upd < in->cur_upd) {
		uint16_t o = 0;
		const kcap_snapshot *d = kcap_reader_update(in->r, ++in->ps_upd, &o);
		if (d) {
			uint16_t oo = o < in->omap_len && in->omap[o] != UINT16_MAX ? in->omap[o] : 0;
			kcap_procstate_load_origin_snapshot(in->ps, oo, d);
			continue;
		}
		for (size_t k = 0; k < kcap_reader_origin_snapshot_count(in->r); k++) {
			const kcap_snapshot *sn = kcap_reader_origin_snapshot(in->r, (uint16_t)k);
			uint16_t oo = k < in->omap_len && in->omap[k] != UINT16_MAX ? in->omap[k] : 0;
			if (sn)
				kcap_procstate_load_origin_snapshot(in->ps, oo, sn);
		}
		in->ps_upd = in->cur_upd;
	}
}

/* The first JSON line of each output origin carries its metadata. */
static void json_origin(merger *m, const kcap_event *ev, size_t start)
{
	uint16_t o = ev->origin;
	if (m->origin_said[o >> 3] & (1u << (o & 7)))
		return;
	m->origin_said[o >> 3] |= (uint8_t)(1u << (o & 7));
	json_add_origin(&m->buf, start, o < m->nmetas ? m->metas[o] : NULL);
}

/* The snapshot updates the input read before its current event go into the
 * kcap output where they were: after the events written so far (every batch
 * of the writer thread written and the block flushed), in the output's
 * origin; an update the reader no longer holds (it read ahead) is written as
 * the input's updated origin snapshots. */
static int write_updates(merger *m, input *in)
{
	wthread *t = m->wt;
	int rc = t && t->b[t->published % WB_COUNT]->n ? wt_publish(m) : 0;
	if (!rc)
		rc = wt_drain(m);
	if (!rc)
		rc = kcap_writer_flush(m->w);
	while (!rc && in->w_upd < in->cur_upd) {
		uint16_t o = 0;
		const kcap_snapshot *d = kcap_reader_update(in->r, ++in->w_upd, &o);
		if (d) {
			uint16_t oo = o < in->omap_len && in->omap[o] != UINT16_MAX ? in->omap[o] : 0;
			rc = kcap_writer_add_snapshot_update(m->w, oo, d);
			continue;
		}
		for (size_t k = 0; k < kcap_reader_origin_snapshot_count(in->r) && !rc; k++) {
			const kcap_snapshot *sn = kcap_reader_origin_snapshot(in->r, (uint16_t)k);
			uint16_t oo = k < in->omap_len && in->omap[k] != UINT16_MAX ? in->omap[k] : 0;
			if (sn)
				rc = kcap_writer_add_snapshot_update(m->w, oo, sn);
		}
		in->w_upd = in->cur_upd;
	}
	if (rc) {
		const kcap_error *e = kcap_writer_error(m->w);
		cli_err("merge", "%s: cannot write the process snapshot updates: %s", m->out_name,
			e && e->msg[0] ? e->msg : kcap_strerror(rc));
		return KCAP_EXIT_ERROR;
	}
	return 0;
}

static int emit(merger *m, input *in)
{
	size_t start;
	if (m->w && in->cur_upd > in->w_upd && write_updates(m, in))
		return KCAP_EXIT_ERROR;
	if (m->records && m->wt) {
		if (wt_add_record(m, in)) {
			const kcap_error *e = m->wt->failed ? kcap_writer_error(m->w) : NULL;
			cli_err("merge", "%s: %s", m->out_name, e && e->msg[0] ? e->msg : "write failed (or out of memory)");
			return KCAP_EXIT_ERROR;
		}
		return 0;
	}
	if (m->records) {
		if (kcap_writer_write_record(m->w, &in->head, &in->rec)) {
			const kcap_error *e = kcap_writer_error(m->w);
			cli_err("merge", "%s: %s", m->out_name, e && e->msg[0] ? e->msg : "write failed");
			return KCAP_EXIT_ERROR;
		}
		return 0;
	}
	if (m->wt) {
		if (wt_add(m, in->cur, in->otype, in->oorigin)) {
			const kcap_error *e = m->wt->failed ? kcap_writer_error(m->w) : NULL;
			cli_err("merge", "%s: %s", m->out_name, e && e->msg[0] ? e->msg : "write failed (or out of memory)");
			return KCAP_EXIT_ERROR;
		}
		return 0;
	}
	kcap_event t;
	const kcap_event *ev = &t;
	translate(m, in->cur, in->otype, in->oorigin, &t);
	if (m->w) {
		if (kcap_writer_write(m->w, ev)) {
			const kcap_error *e = kcap_writer_error(m->w);
			cli_err("merge", "%s: %s", m->out_name, e && e->msg[0] ? e->msg : "write failed");
			return KCAP_EXIT_ERROR;
		}
		return 0;
	}
	switch (m->mode) {
	case OUT_JSON:
		start = m->buf.len;
		if (!m->proc) {
			kcap_render_json(&m->buf, ev, m->os);
			json_origin(m, ev, start);
			break;
		}
		if (!in->ps && !(in->ps = kcap_procstate_new())) {
			cli_err("merge", "out of memory");
			return KCAP_EXIT_ERROR;
		}
		if (in->ps_stale) {
			load_input_snapshots(in);
			in->ps_stale = 0;
			in->ps_upd = in->cur_upd;
		}
		apply_updates(in);
		kcap_procstate_update(in->ps, ev, m->os);
		kcap_render_json_proc(&m->buf, ev, m->os, in->ps);
		json_origin(m, ev, start);
		break;
	case OUT_CSV: kcap_render_csv_style(&m->buf, ev, m->os, NULL, m->times); break;
	default: kcap_render_text_style(&m->buf, ev, m->os, m->times);
	}
	if (m->buf.len >= (1u << 16)) {
		if (fwrite(m->buf.data, 1, m->buf.len, m->out) != m->buf.len) {
			out_write_failed("merge", m->out_name, errno);
			return KCAP_EXIT_ERROR;
		}
		m->buf.len = 0;
	}
	return 0;
}

/* Heap of inputs by their current event. */
static int in_before(const input *a, const input *b)
{
	if (a->key_ts != b->key_ts)
		return a->key_ts < b->key_ts;
	if (a->key_seq != b->key_seq)
		return a->key_seq < b->key_seq;
	return a->idx < b->idx;
}

static void sift_down(input **h, size_t n, size_t i)
{
	input *x = h[i];
	for (;;) {
		size_t l = 2 * i + 1, s = i;
		input *best = x;
		if (l < n && in_before(h[l], best))
			s = l, best = h[l];
		if (l + 1 < n && in_before(h[l + 1], best))
			s = l + 1;
		if (s == i)
			break;
		h[i] = h[s];
		i = s;
	}
	h[i] = x;
}

/* Adds the processes of sn that all does not hold yet (by pid), and its
 * user and group names. */
static int unite_snapshot(kcap_snapshot *all, const kcap_snapshot *sn)
{
	size_t had = kcap_snapshot_count(all);
	for (size_t k = 0; k < kcap_snapshot_count(sn); k++) {
		const kcap_proc *p = kcap_snapshot_at(sn, k);
		int dup = 0;
		for (size_t j = 0; j < had && !dup; j++)
			dup = kcap_snapshot_at(all, j)->pid == p->pid;
		if (!dup && kcap_snapshot_add(all, p))
			return KCAP_E_NOMEM;
	}
	/* the host's user and group names too (the first input's name of an id wins) */
	for (int kind = 0; kind < KCAP_NAMES_KINDS_; kind++) {
		uint32_t id;
		const char *name;
		for (size_t k = 0; kcap_snapshot_name_at(sn, kind, k, &id, &name); k++)
			if (!kcap_snapshot_name(all, kind, id) && kcap_snapshot_set_name(all, kind, id, name))
				return KCAP_E_NOMEM;
	}
	return 0;
}

/* Every input's process snapshots go into kcap output, each as the snapshot
 * of the output origin its input origin maps to (an origin's own snapshot,
 * else its section's): the pids of each host stay in their origin's space.
 * Inputs that share an output origin (identical metadata) are united. The
 * snapshots of an input's first section are known once its first event is
 * read; later sections of an input (a concatenation) are not carried. */
static int carry_snapshot(merger *m)
{
	if (!m->w)
		return 0;
	int rc = 0;
	for (size_t oo = 0; oo < m->nmetas && !rc; oo++) {
		kcap_snapshot *all = kcap_snapshot_new();
		if (!all)
			rc = KCAP_E_NOMEM;
		for (int i = 0; i < m->nin && !rc; i++) {
			const input *in = &m->in[i];
			for (size_t o = 0; o < in->norig && o < in->omap_len && !rc; o++) {
				const kcap_snapshot *sn = kcap_reader_snapshot_for(in->r, (uint16_t)o);
				if (in->omap[o] == oo && sn)
					rc = unite_snapshot(all, sn);
			}
		}
		if (!rc && (kcap_snapshot_count(all) || kcap_snapshot_name_count(all, KCAP_NAMES_USER) ||
			    kcap_snapshot_name_count(all, KCAP_NAMES_GROUP)) &&
		    (wt_drain(m) || kcap_writer_add_origin_snapshot(m->w, (uint16_t)oo, all)))
			rc = KCAP_E_IO;
		kcap_snapshot_free(all);
	}
	if (rc) {
		cli_err("merge", "%s: cannot write the process snapshots", m->out_name);
		return KCAP_EXIT_ERROR;
	}
	return 0;
}

static int run_merge(merger *m)
{
	input **h = calloc((size_t)m->nin, sizeof *h);
	size_t n = 0;
	int rc = 0;
	if (!h) {
		cli_err("merge", "out of memory");
		return KCAP_EXIT_ERROR;
	}
	for (int i = 0; i < m->nin; i++) {
		if ((rc = advance(m, &m->in[i], 1)))
			goto cleanup;
		if (m->in[i].cur)
			h[n++] = &m->in[i];
	}
	for (int i = 0; i < m->nin; i++)
		m->in[i].first_upd = m->in[i].w_upd = m->in[i].cur_upd;
	if ((rc = carry_snapshot(m)))
		goto cleanup;
	for (size_t i = n / 2; i-- > 0;)
		sift_down(h, n, i);
	while (n) {
		input *top = h[0];
		if ((rc = emit(m, top)))
			break;
		top->events++;
		if ((rc = advance(m, top, 1)))
			break;
		if (!top->cur)
			h[0] = h[--n];
		if (n)
			sift_down(h, n, 0);
	}
cleanup:
	free(h);
	return rc;
}

static int run_concat(merger *m)
{
	int rc = 0;
	for (int i = 0; i < m->nin && !rc; i++) /* first events: every snapshot known */
		rc = advance(m, &m->in[i], 0);
	if (!rc)
		rc = carry_snapshot(m);
	for (int i = 0; i < m->nin && !rc; i++) {
		input *in = &m->in[i];
		while (in->cur && !rc) {
			if ((rc = emit(m, in)))
				break;
			in->events++;
			rc = advance(m, in, 0);
		}
	}
	return rc;
}

/* Takes input i's reader (cli_each_input with keep_open). */
static int open_one(void *ud, int i, kcap_reader *r, int *damaged)
{
	merger *m = ud;
	input *in = &m->in[i];
	(void)damaged;
	in->idx = i;
	in->path = kcap_reader_name(r);
	in->r = r;
	in->st = kcap_reader_get_stats(r);
	if (m->window && kcap_reorder_new(&in->win, KCAP_REORDER_SEQ)) {
		cli_err("merge", "out of memory");
		return KCAP_EXIT_ERROR;
	}
	return 0;
}

int cmd_merge(int argc, char **argv)
{
	enum { O_CONCAT = 1000, O_STATS, O_LEVEL, O_BLOCK, O_NOTHREAD, O_DECODE_ALL };
	static const struct option longopts[] = {
		{"concat", no_argument, 0, O_CONCAT},  {"sort-window", required_argument, 0, 'w'},
		{"stats", no_argument, 0, O_STATS},
		{"level", required_argument, 0, O_LEVEL}, {"block-size", required_argument, 0, O_BLOCK},
		{"no-thread", no_argument, 0, O_NOTHREAD},
		/* not in the help: decode and encode every event (tests compare) */
		{"decode-all", no_argument, 0, O_DECODE_ALL},
		CLI_JOBS_LONGOPT, SINK_LONGOPTS,                         {"help", no_argument, 0, 'h'},
		{0, 0, 0, 0},
	};
	merger m = {0};
	sink_opts so = {0};
	int c, concat = 0, stats = 0, threaded = 1, decode_all = 0, rc = KCAP_EXIT_OK;
	cli_jobs_default();
	cli_getopt_start();
	while ((c = getopt_long(argc, argv, "o:w:t:j:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			return cli_help("merge", merge_help);
		case 'j':
			if (cli_jobs_opt("merge", optarg))
				return KCAP_EXIT_USAGE;
			break;
		case O_CONCAT: concat = 1; break;
		case O_STATS: stats = 1; break;
		case O_NOTHREAD: threaded = 0; break;
		case O_DECODE_ALL: decode_all = 1; break;
		case O_LEVEL:
			if (cli_opt_level("merge", optarg, &so.wopts))
				return KCAP_EXIT_USAGE;
			break;
		case O_BLOCK: {
			uint64_t v;
			if (cli_opt_size("merge", "--block-size", optarg, CLI_BLOCK_MIN, CLI_BLOCK_MAX, &v))
				return KCAP_EXIT_USAGE;
			so.wopts.block_size = (uint32_t)v;
			break;
		}
		case 'w':
			if (cli_opt_duration("merge", "--sort-window", optarg, 0, &m.window))
				return KCAP_EXIT_USAGE;
			break;
		default:
			if ((rc = cli_output_opt_last("merge", c, optarg, &so, argv, longopts, "o:w:t:j:h")))
				return rc;
		}
	}
	if (so.mode == OUT_SCAP) {
		cli_err("merge", "--scap: not an output of merge; pipe it into 'kcap convert --scap'");
		return KCAP_EXIT_USAGE;
	}
	m.nin = argc - optind;
	if (m.nin < 1) {
		cli_err("merge", "no input files; see 'kcap merge --help'");
		return KCAP_EXIT_USAGE;
	}
	if (concat && m.window) {
		cli_err("merge", "--concat and --sort-window do not go together");
		return KCAP_EXIT_USAGE;
	}
	m.in = calloc((size_t)m.nin, sizeof *m.in);
	m.os = kcap_schema_new();
	if (!m.in || !m.os) {
		cli_err("merge", "out of memory");
		rc = KCAP_EXIT_ERROR;
		goto cleanup;
	}
	m.next_tid = m.next_sid = 1;
	/* every input must open (one that is not a capture leaves nothing to
	 * merge); they are read all at once */
	cli_inputs ins = {.cmd = "merge", .n = m.nin, .files = argv + optind, .keep_open = 1};
	if ((rc = cli_each_input(&ins, open_one, &m, &m.damaged)))
		goto cleanup;
	int to_stdout = !so.path || !strcmp(so.path, "-");
	m.out_name = to_stdout ? "(stdout)" : so.path;
	m.mode = so.mode != OUT_AUTO ? so.mode : to_stdout ? cli_resolve_out(OUT_AUTO) : OUT_KCAP;
	m.times = &so.times;
	if (m.mode == OUT_KCAP) {
		kcap_error e = {0};
		int fd = to_stdout ? STDOUT_FILENO : out_file_open("merge", so.path, &m.file);
		if (fd < 0) {
			rc = KCAP_EXIT_ERROR;
			goto cleanup;
		}
		int wrc = kcap_writer_open_fd(&m.w, fd, !to_stdout, &so.wopts, &e);
		if (wrc) {
			cli_err("merge", "%s: %s", m.out_name, e.msg[0] ? e.msg : kcap_strerror(wrc));
			if (!to_stdout)
				close(fd);
			rc = KCAP_EXIT_ERROR;
			goto cleanup;
		}
	} else if (to_stdout) {
		m.out = stdout;
	} else {
		int fd = out_file_open("merge", so.path, &m.file);
		if (fd < 0 || !(m.out = fdopen(fd, "w"))) {
			if (fd >= 0) {
				cli_err("merge", "%s: %s", so.path, strerror(errno));
				close(fd);
			}
			rc = KCAP_EXIT_ERROR;
			goto cleanup;
		}
		m.own_out = 1;
	}
	if (m.mode == OUT_CSV)
		kcap_render_csv_header(&m.buf, NULL);
	m.proc = m.mode == OUT_JSON && !so.no_proc;
	int64_t t0 = cli_now_ns(CLOCK_MONOTONIC);
	/* Kcap output copies each event's record as it is, but for its head
	 * (kcap_reader_next_record), unless events are held in a window. */
	m.records = m.w && !m.window && !decode_all;
	if (m.w && threaded && sysconf(_SC_NPROCESSORS_ONLN) > 1)
		wt_start(&m);
	rc = concat ? run_concat(&m) : run_merge(&m);
	if (wt_stop(&m) && !rc) {
		const kcap_error *e = kcap_writer_error(m.w);
		cli_err("merge", "%s: %s", m.out_name, e && e->msg[0] ? e->msg : "write failed");
		rc = KCAP_EXIT_ERROR;
	}
	int64_t t1 = cli_now_ns(CLOCK_MONOTONIC);
	uint64_t total = 0;
	size_t nst = 0, capst = 0;
	kcap_stat *st = NULL;
	for (int i = 0; i < m.nin; i++) {
		input *in = &m.in[i];
		total += in->events;
		/* loss counters follow their origin, summed where inputs share one */
		for (size_t k = 0; m.w && k < kcap_reader_stat_count(in->r); k++) {
			kcap_stat one = *kcap_reader_stat_at(in->r, k);
			if (one.origin >= in->omap_len || in->omap[one.origin] == UINT16_MAX)
				continue;
			if (nst == capst) {
				kcap_stat *n = realloc(st, (capst = capst ? capst * 2 : 16) * sizeof *n);
				if (!n)
					break; /* out of memory: the counters gathered so far */
				st = n;
			}
			one.origin = in->omap[one.origin];
			st[nst++] = one;
		}
		if (stats)
			fprintf(stderr, "kcap merge: %s: %llu events\n", in->path, (unsigned long long)in->events);
	}
	nst = stats_sum(st, nst);
	for (size_t k = 0; k < nst; k++)
		kcap_writer_set_stat(m.w, &st[k]);
	free(st);
	if (stats)
		fprintf(stderr, "kcap merge: %llu events from %d inputs in %.3f s (%.2f M events/s)\n",
		        (unsigned long long)total, m.nin, (double)(t1 - t0) / 1e9,
		        t1 > t0 ? (double)total / ((double)(t1 - t0) / 1e9) / 1e6 : 0.0);
cleanup:
	if (m.w) {
		int wrc = kcap_writer_close(m.w);
		if (wrc && !rc) {
			cli_err("merge", "%s: %s", m.out_name, kcap_strerror(wrc));
			rc = KCAP_EXIT_ERROR;
		}
	}
	if (m.out) {
		int werr = m.buf.len && fwrite(m.buf.data, 1, m.buf.len, m.out) != m.buf.len;
		if (m.own_out) {
			werr |= fclose(m.out) != 0;
			if (werr && !rc)
				out_write_failed("merge", m.out_name, errno);
		} else {
			rc = cli_finish_stdout("merge", rc);
		}
		if (werr && !rc)
			rc = KCAP_EXIT_ERROR;
	}
	if (m.file.path) { /* a failed merge leaves no partial output */
		int verdict = rc ? rc : m.damaged ? KCAP_EXIT_DAMAGED : KCAP_EXIT_OK;
		if (out_file_end("merge", &m.file, verdict) != verdict)
			rc = KCAP_EXIT_ERROR;
	}
	kcap_buf_free(&m.buf);
	for (int i = 0; m.in && i < m.nin; i++) {
		input *in = &m.in[i];
		cli_close_input(in->r);
		free(in->tmap);
		free(in->smap);
		free(in->omap);
		kcap_procstate_free(in->ps);
		kcap_reorder_free(in->win);
	}
	free(m.in);
	for (size_t i = 0; i < m.nmetas; i++)
		kcap_meta_free(m.metas[i]);
	free(m.metas);
	kcap_schema_free(m.os);
	if (rc)
		return rc;
	return m.damaged ? KCAP_EXIT_DAMAGED : KCAP_EXIT_OK;
}
