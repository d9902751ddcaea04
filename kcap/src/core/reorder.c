/*
 * reorder.c - deep copies of events and the reorder window built on them
 * (kcap.h "Holding and uniting events"): one copy rule for every tool that
 * holds events (merge, the recorders).
 */
#include <stdlib.h>
#include <string.h>
#ifdef __linux__
#include <sys/mman.h>
#endif
#include "core/core.h"

int kcap_value_has_bytes(const kcap_value *v)
{
	if (!v->present)
		return 0;
	switch (v->type) {
	case KCAP_T_STR: case KCAP_T_PATH: case KCAP_T_BYTES: case KCAP_T_STRLIST:
	case KCAP_T_SID: case KCAP_T_JSON:
		return 1;
	case KCAP_T_SOCKADDR:
		return v->af == KCAP_AF_UNIX || v->af == KCAP_AF_OTHER;
	default:
		return 0;
	}
}

/* Bytes a value contributes to a copy (0 when it has no bytes to copy). */
static size_t value_bytes(const kcap_value *v)
{
	return kcap_value_has_bytes(v) && v->p ? v->len : 0;
}

size_t kcap_event_copy_size(const kcap_event *ev)
{
	size_t n = sizeof(kcap_event) + ev->nparams * sizeof(kcap_value) + ev->comm_len;
	for (uint32_t i = 0; i < ev->nparams; i++)
		n += value_bytes(&ev->params[i]);
	return n;
}

kcap_event *kcap_event_copy_to(void *mem, const kcap_event *ev)
{
	kcap_event *c = mem;
	kcap_value *vals = (kcap_value *)(c + 1);
	char *p = (char *)(vals + ev->nparams);
	*c = *ev;
	c->params = vals;
	c->comm = p;
	if (ev->comm_len)
		memcpy(p, ev->comm, ev->comm_len);
	p += ev->comm_len;
	for (uint32_t i = 0; i < ev->nparams; i++) {
		const kcap_value *v = &ev->params[i];
		size_t n = value_bytes(v);
		vals[i] = *v;
		if (kcap_value_has_bytes(v) && v->p) {
			memcpy(p, v->p, n);
			vals[i].p = (const uint8_t *)p;
			p += n;
		} else {
			vals[i].p = NULL;
		}
	}
	return c;
}

/* ---- the window: a circular array of items kept sorted ----
 * Items are carved out of 1 MiB chunks filled front to back; a chunk is
 * reused once every item in it has been popped. Events leave a window
 * roughly in the order they came, so a chunk empties soon after it fills,
 * and a malloc and free per event (a fifth of the recorder's CPU when it
 * was one each) become a pointer bump. */

#define CHUNK_SIZE (2u << 20)
#define CHUNK_SPARE 8 /* empty chunks kept for reuse; more go back to the system */

typedef struct chunk chunk;
struct chunk {
	chunk *next; /* in the spare list */
	size_t cap, used, live;
	_Alignas(16) unsigned char data[];
};

typedef struct item {
	uint64_t arrival;
	chunk *k;
	kcap_event ev; /* then its values and bytes */
} item;

struct kcap_reorder {
	int by_seq;
	item **ring;        /* sorted; capacity a power of two */
	size_t n, cap, head;
	size_t bytes;       /* kcap_event_copy_size of the events held */
	uint64_t arrivals;
	int64_t max_ts;
	chunk *cur;         /* being filled */
	chunk *spare;
	unsigned nspare;
	item *popped;       /* handed out by the last pop, reclaimed by the next call */
};

#define AT(q, i) ((q)->ring[((q)->head + (i)) & ((q)->cap - 1)])

static int item_less(const kcap_reorder *q, const item *a, const item *b)
{
	if (a->ev.ts != b->ev.ts)
		return a->ev.ts < b->ev.ts;
	if (q->by_seq && a->ev.seq != b->ev.seq)
		return a->ev.seq < b->ev.seq;
	return a->arrival < b->arrival;
}

int kcap_reorder_new(kcap_reorder **out, unsigned flags)
{
	kcap_reorder *q = calloc(1, sizeof *q);
	*out = q;
	if (!q)
		return KCAP_E_NOMEM;
	q->by_seq = (flags & KCAP_REORDER_SEQ) != 0;
	q->max_ts = INT64_MIN;
	return 0;
}

static void chunk_put(kcap_reorder *q, chunk *k)
{
	if (k->cap == CHUNK_SIZE - sizeof *k && q->nspare < CHUNK_SPARE) {
		k->next = q->spare;
		q->spare = k;
		q->nspare++;
	} else {
		free(k);
	}
}

/* A chunk of CHUNK_SIZE bytes in all (header included), aligned to its size
 * so that Linux can back it with one huge page: a window that fills 32 MiB
 * then takes 16 page faults instead of 8192 (docs/PERFORMANCE.md, "Audit
 * import"). A bigger one (an event over CHUNK_SIZE) is a plain malloc. */
static chunk *chunk_new(size_t need)
{
	chunk *k = NULL;
	if (need <= CHUNK_SIZE - sizeof *k) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
		void *m = NULL;
		if (posix_memalign(&m, CHUNK_SIZE, CHUNK_SIZE))
			return NULL;
		madvise(m, CHUNK_SIZE, MADV_HUGEPAGE); /* advice: failure changes nothing */
		k = m;
#else
		k = malloc(CHUNK_SIZE);
#endif
		if (k)
			k->cap = CHUNK_SIZE - sizeof *k;
	} else if ((k = malloc(sizeof *k + need))) {
		k->cap = need;
	}
	return k;
}

static item *item_alloc(kcap_reorder *q, size_t need)
{
	need = (need + 15) & ~(size_t)15;
	chunk *k = q->cur;
	if (!k || k->cap - k->used < need) {
		if (k && !k->live)
			chunk_put(q, k);
		if (need <= CHUNK_SIZE - sizeof *k && q->spare) {
			k = q->spare;
			q->spare = k->next;
			q->nspare--;
		} else {
			if (!(k = chunk_new(need)))
				return NULL;
		}
		k->used = k->live = 0;
		q->cur = k;
	}
	item *it = (item *)(void *)(k->data + k->used);
	k->used += need;
	k->live++;
	it->k = k;
	return it;
}

static void item_free(kcap_reorder *q, item *it)
{
	chunk *k = it->k;
	if (--k->live)
		return;
	if (k == q->cur)
		k->used = 0; /* refill the current chunk from its start */
	else
		chunk_put(q, k);
}

/* Reclaims the event the last pop handed out. */
static void drop_popped(kcap_reorder *q)
{
	if (q->popped) {
		item_free(q, q->popped);
		q->popped = NULL;
	}
}

static int ring_grow(kcap_reorder *q)
{
	size_t nc = q->cap ? q->cap * 2 : 4096;
	item **nr = malloc(nc * sizeof *nr);
	if (!nr)
		return KCAP_E_NOMEM;
	for (size_t i = 0; i < q->n; i++)
		nr[i] = AT(q, i);
	free(q->ring);
	q->ring = nr;
	q->cap = nc;
	q->head = 0;
	return 0;
}

int kcap_reorder_push(kcap_reorder *q, const kcap_event *ev)
{
	drop_popped(q);
	if (q->n == q->cap && ring_grow(q))
		return KCAP_E_NOMEM;
	size_t size = kcap_event_copy_size(ev), need = size - sizeof(kcap_event) + sizeof(item);
	item *it = item_alloc(q, need);
	if (!it)
		return KCAP_E_NOMEM;
	q->bytes += size;
	kcap_event_copy_to(&it->ev, ev);
	it->arrival = q->arrivals++;
	if (ev->ts > q->max_ts)
		q->max_ts = ev->ts;
	/* insert from the tail: an event in order moves nothing */
	size_t i = q->n++;
	while (i > 0 && item_less(q, it, AT(q, i - 1))) {
		AT(q, i) = AT(q, i - 1);
		i--;
	}
	AT(q, i) = it;
	return 0;
}

size_t kcap_reorder_count(const kcap_reorder *q) { return q->n; }
size_t kcap_reorder_bytes(const kcap_reorder *q) { return q->bytes; }
int64_t kcap_reorder_max_ts(const kcap_reorder *q) { return q->max_ts; }

const kcap_event *kcap_reorder_peek(const kcap_reorder *q)
{
	return q->n ? &AT(q, 0)->ev : NULL;
}

/* Removes the oldest item from the ring. */
static item *take_head(kcap_reorder *q)
{
	item *it = AT(q, 0);
	q->head = (q->head + 1) & (q->cap - 1);
	q->n--;
	q->bytes -= kcap_event_copy_size(&it->ev);
	return it;
}

kcap_event *kcap_reorder_pop(kcap_reorder *q, int64_t limit)
{
	drop_popped(q);
	if (!q->n || AT(q, 0)->ev.ts > limit)
		return NULL;
	q->popped = take_head(q);
	return &q->popped->ev;
}

/* Writes one popped event in o's numbering (kcap_reorder_drain). */
static int drain_one(kcap_event *ev, kcap_reorder_out *o)
{
	if (o->seq && ev->ts < o->last_ts)
		o->unordered++;
	else
		o->last_ts = ev->ts;
	ev->seq = ++o->seq;
	return o->write ? o->write(o->ud, ev) : kcap_writer_write(o->w, ev);
}

int kcap_reorder_drain(kcap_reorder *q, int64_t limit, size_t max_held, kcap_reorder_out *o)
{
	kcap_event *ev;
	int rc = 0;
	for (;;) {
		while (rc >= 0 && (ev = kcap_reorder_pop(q, limit)))
			rc = drain_one(ev, o);
		if (rc < 0 || !max_held || q->n <= max_held)
			return rc < 0 ? rc : 0;
		limit = AT(q, 0)->ev.ts; /* over the bound: the oldest time, all its events */
	}
}

void kcap_reorder_free(kcap_reorder *q)
{
	if (!q)
		return;
	drop_popped(q);
	while (q->n)
		item_free(q, take_head(q));
	free(q->ring);
	free(q->cur);
	while (q->spare) {
		chunk *k = q->spare;
		q->spare = k->next;
		free(k);
	}
	free(q);
}
