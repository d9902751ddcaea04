/*
 * verify.c - kcap_verify: every check over one input, not stopping at the
 * first fault (docs/FORENSICS.md "verify"). The reader's walk checks each
 * block's header check and CRC and decodes every events block; the block
 * observer checks, as the blocks stream by (so on a pipe or an archive
 * member too), each index against the blocks before it, each footer against
 * its section and that every section is closed; seal.c checks the seals.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "core/reader_internal.h"
#include "core/seal_internal.h"

/*
 * The records of each events block are walked (decoded as
 * kcap_reader_next_record checks them) on a second thread while the reader
 * decompresses the next block: the walk costs as much as the
 * decompression. A context block waits for the walk (it may change the
 * schema the walk reads).
 */
typedef struct walker {
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int started, busy, quit, have_job;
	uint8_t *buf; /* the block's body, swapped with the reader's */
	size_t cap;
	/* the job */
	size_t off, len;
	uint32_t count, section;
	int64_t ts;
	uint64_t seq, block_off;
	const kcap_schema *schema;
	int unverified;
	/* the block's summary, when it has counts (format 1.4): checked against
	 * its events */
	int has_sum;
	kcap_block_summary sum;
	kcap_block_counts bc;
	uint32_t *left; /* events of type bc.type_id[i] not met yet */
	size_t capleft;
	/* for the walk's checks, kept from block to block: the events met per
	 * origin (65536, zero between blocks: the origins met are cleared),
	 * and which origins they were */
	uint32_t *ocount;
	uint16_t *touched;
	/* its result */
	uint32_t good;
	uint64_t unordered;
	int64_t first_ts, last_ts;
	uint64_t first_seq, last_seq;
	const char *sum_lie; /* what of the summary the events disagree with, or NULL */
	uint32_t undefined, undef_first, undef_type; /* events of types the schema lacks: how many, the first */
} walker;

/* The summary's fields, against what the walk of its count events saw. */
static const char *summary_lie(walker *w, int64_t tlo, int64_t thi, uint64_t slo, uint64_t shi, int32_t plo,
			       int32_t phi, const uint8_t types[32], int overflow, const uint32_t *ocount)
{
	const kcap_block_summary *s = &w->sum;
	const kcap_block_counts *c = &w->bc;
	if (tlo != s->first_ts || thi != s->last_ts)
		return "time range";
	if (slo != s->first_seq || shi != s->last_seq)
		return "seq range";
	if (plo != s->pid_min || phi != s->pid_max)
		return "pid range";
	if (memcmp(types, s->types, 32) || overflow != (s->types_overflow != 0))
		return "type set";
	for (size_t i = 0; i < c->ntypes; i++)
		if (w->left[i])
			return "counts per type";
	for (size_t i = 0; i < c->norigins; i++)
		if (ocount[c->origin[i]] != c->origin_n[i])
			return "counts per origin";
	if (c->start_seq != w->first_seq || c->end_ts != w->last_ts || c->end_seq != w->last_seq)
		return "first and last event";
	return NULL;
}

static void walk(walker *w)
{
	const uint8_t *p = w->buf + w->off, *end = p + w->len;
	int64_t ts = w->ts;
	uint64_t seq = w->seq;
	kcap_event ev;
	kcap_record rec;
	uint32_t i;
	w->unordered = 0;
	w->sum_lie = NULL;
	w->undefined = 0;
	/* with a summary to check: what the events say of it */
	int check = w->has_sum;
	int64_t tlo = INT64_MAX, thi = INT64_MIN;
	uint64_t slo = UINT64_MAX, shi = 0;
	int32_t plo = INT32_MAX, phi = INT32_MIN;
	uint8_t types[32] = {0};
	int overflow = 0;
	if (check && !w->ocount) {
		w->ocount = calloc(65536, sizeof *w->ocount);
		w->touched = malloc(65536 * sizeof *w->touched);
		if (!w->ocount || !w->touched) {
			free(w->ocount);
			free(w->touched);
			w->ocount = NULL;
			w->touched = NULL;
		}
	}
	uint32_t *ocount = w->ocount;
	size_t ntouched = 0;
	if (!ocount)
		check = 0;
	/* the summary's row of each type id below 256, plus one (0: none): the
	 * ids ascend from 0 (kcap_block_counts), so such a row is below 256; a
	 * higher id is looked up by bisection */
	uint16_t row[256];
	if (check)
		memset(row, 0, sizeof row);
	for (size_t k = 0; check && k < w->bc.ntypes; k++) {
		w->left[k] = w->bc.type_n[k];
		if (w->bc.type_id[k] < 256)
			row[w->bc.type_id[k]] = (uint16_t)(k + 1);
	}
	for (i = 0; i < w->count; i++) {
		uint64_t rl;
		if (get_varint(&p, end, &rl) || rl > (uint64_t)(end - p) ||
		    kcap_event_decode_record(p, p + rl, w->schema, ts, seq, &ev, &rec))
			break;
		p += rl;
		if (!ev.def && !w->undefined++) {
			w->undef_first = i;
			w->undef_type = ev.type_id;
		}
		if (check) {
			tlo = ev.ts < tlo ? ev.ts : tlo;
			thi = ev.ts > thi ? ev.ts : thi;
			slo = ev.seq < slo ? ev.seq : slo;
			shi = ev.seq > shi ? ev.seq : shi;
			plo = ev.pid < plo ? ev.pid : plo;
			phi = ev.pid > phi ? ev.pid : phi;
			if (!ocount[ev.origin]++)
				w->touched[ntouched++] = ev.origin;
			size_t lo;
			if (ev.type_id < 256) {
				types[ev.type_id / 8] |= (uint8_t)(1u << (ev.type_id % 8));
				lo = row[ev.type_id] ? row[ev.type_id] - 1u : w->bc.ntypes;
			} else {
				overflow = 1;
				size_t hi = w->bc.ntypes;
				for (lo = 0; lo < hi;) {
					size_t mid = lo + (hi - lo) / 2;
					if (w->bc.type_id[mid] < ev.type_id)
						lo = mid + 1;
					else
						hi = mid;
				}
			}
			if (lo < w->bc.ntypes && w->bc.type_id[lo] == ev.type_id && w->left[lo])
				w->left[lo]--;
			else
				w->sum_lie = "counts per type";
		}
		if (!i) {
			w->first_ts = ev.ts;
			w->first_seq = ev.seq;
		} else if (ev.ts < ts || (ev.ts == ts && ev.seq < seq)) {
			w->unordered++;
		}
		ts = ev.ts;
		seq = ev.seq;
	}
	w->last_ts = ts;
	w->last_seq = seq;
	w->good = i;
	if (check && i == w->count && !w->sum_lie)
		w->sum_lie = summary_lie(w, tlo, thi, slo, shi, plo, phi, types, overflow, ocount);
	for (size_t k = 0; k < ntouched; k++)
		ocount[w->touched[k]] = 0;
}

static void *walker_main(void *arg)
{
	walker *w = arg;
	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (!w->busy && !w->quit)
			pthread_cond_wait(&w->cv, &w->mu);
		if (w->quit)
			break;
		pthread_mutex_unlock(&w->mu);
		walk(w);
		pthread_mutex_lock(&w->mu);
		w->busy = 0;
		pthread_cond_broadcast(&w->cv);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

typedef struct ev_block {
	uint64_t rel;      /* offset in the section */
	uint64_t len;      /* total block length */
	uint32_t meta_len; /* bytes of meta */
	uint32_t meta_crc; /* CRC32C of the meta */
	uint8_t damaged;   /* failed its CRC or cut short: its meta is not known */
} ev_block;

typedef struct vstate {
	kcap_reader *r;
	walker w;
	int seal_seen; /* a seal block passed while seals were not being checked */
	int have_span;
	int have_last;
	int64_t last_ts;
	uint64_t last_seq;
	kcap_verify_report *rep;
	kcap_seal_check *seal;
	int fatal; /* out of memory in a callback */
	/* the section being walked */
	int in_section;
	uint32_t section;
	uint64_t sec_start;
	ev_block *blocks;
	size_t nblocks, capblocks;
	uint64_t *ctx;
	size_t nctx, capctx;
	uint64_t events, ev_blocks;
	int64_t min_ts, max_ts;
	int index_seen, footer_seen, damaged;
	uint64_t index_rel, index_end_rel;
	uint64_t after_footer; /* offset of the first block after the footer, 0 if none */
	/* the summary of the intact events block last observed (its counts in
	 * pend_counts), for the walker to check once the block is loaded */
	int pend_ok;
	uint64_t pend_off;
	kcap_block_summary pend;
	kcap_buf pend_counts;
} vstate;

static kcap_verify_region *add_region(vstate *v, int64_t off, uint64_t bytes, int code, int64_t lost,
				      uint64_t got, const char *fmt, ...) __attribute__((format(printf, 7, 8)));
static kcap_verify_region *add_region(vstate *v, int64_t off, uint64_t bytes, int code, int64_t lost,
				      uint64_t got, const char *fmt, ...)
{
	kcap_verify_report *rep = v->rep;
	if ((rep->nregions & (rep->nregions - 1)) == 0) { /* grow at powers of two */
		kcap_verify_region *n = realloc(rep->regions, (rep->nregions ? rep->nregions * 2 : 4) * sizeof *n);
		if (!n) {
			v->fatal = 1;
			return NULL;
		}
		rep->regions = n;
	}
	kcap_verify_region *g = &rep->regions[rep->nregions++];
	memset(g, 0, sizeof *g);
	g->offset = off;
	g->bytes = bytes;
	g->code = code;
	g->section = v->r->section;
	g->events_lost = lost;
	g->events_recovered = got;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(g->what, sizeof g->what, fmt, ap);
	va_end(ap);
	if (lost > 0)
		rep->events_lost += (uint64_t)lost;
	else if (lost < 0)
		rep->unknown_loss++;
	return g;
}

static void on_damage(void *ud, const kcap_error *e, uint64_t skipped)
{
	vstate *v = ud;
	v->damaged = 1;
	add_region(v, e->offset, skipped, e->code, v->r->dmg_lost, v->r->dmg_got, "%s", e->msg);
}

/* Waits for the walk of the block handed over, and takes its result. */
static void walker_wait(vstate *v)
{
	walker *w = &v->w;
	if (!w->have_job)
		return;
	if (w->started) {
		pthread_mutex_lock(&w->mu);
		while (w->busy)
			pthread_cond_wait(&w->cv, &w->mu);
		pthread_mutex_unlock(&w->mu);
	}
	w->have_job = 0;
	v->rep->events += w->good - w->undefined;
	if (w->unverified)
		v->rep->unverified_events += w->good - w->undefined;
	if (w->undefined) {
		/* as the reader reports them: not delivered */
		kcap_verify_region *g = add_region(
			v, (int64_t)w->block_off, 0, KCAP_E_CORRUPT, w->undefined, w->good - w->undefined,
			KCAP_RD_UNDEFINED_FMT, w->undef_first, w->undef_type, w->undefined);
		if (g)
			g->section = w->section;
	}
	if (!w->good) {
		/* nothing to order */
	} else {
		if (v->have_last && (w->first_ts < v->last_ts || (w->first_ts == v->last_ts && w->first_seq < v->last_seq)))
			v->rep->unordered++;
		v->rep->unordered += w->unordered;
		v->have_last = 1;
		v->last_ts = w->last_ts;
		v->last_seq = w->last_seq;
	}
	if (w->sum_lie) {
		/* its CRC holds: the writer of the block lied, or was wrong */
		kcap_verify_region *g = add_region(v, (int64_t)w->block_off, 0, KCAP_E_CORRUPT, 0, 0,
						   "events block's summary disagrees with its events (%s): "
						   "answers from the index would be wrong", w->sum_lie);
		if (g)
			g->section = w->section;
	}
	if (w->good < w->count) {
		kcap_verify_region *g = add_region(v, (int64_t)w->block_off, 0, KCAP_E_CORRUPT, w->count - w->good, 0,
						   KCAP_RD_MALFORMED_FMT,
						   w->good, w->count - w->good);
		if (g)
			g->section = w->section;
	}
}

/* Hands the block the reader loaded to the walker (or walks it here when
 * the thread could not start). */
static void walker_give(vstate *v)
{
	walker *w = &v->w;
	kcap_reader *r = v->r;
	w->off = (size_t)(r->evp - r->raw);
	w->len = (size_t)(r->evend - r->evp);
	uint8_t *b = r->raw;
	size_t c = r->raw_cap;
	r->raw = w->buf;
	r->raw_cap = w->cap;
	w->buf = b;
	w->cap = c;
	w->count = r->ev_left;
	w->ts = r->prev_ts;
	w->seq = r->prev_seq;
	w->block_off = r->block_off;
	w->section = r->section;
	w->schema = r->schema;
	w->unverified = r->cur_unverified;
	w->has_sum = 0;
	if (v->pend_ok && v->pend_off == r->block_off && !r->cur_unverified) {
		w->sum = v->pend;
		w->sum.counts = (const uint8_t *)v->pend_counts.data; /* decoded into w->bc here */
		if (kcap_summary_counts(&w->sum, &w->bc) == 1 && w->sum.count == w->count) {
			if (w->bc.ntypes > w->capleft) {
				uint32_t *l = realloc(w->left, w->bc.ntypes * sizeof *l);
				if (l) {
					w->left = l;
					w->capleft = w->bc.ntypes;
				}
			}
			w->has_sum = w->bc.ntypes <= w->capleft;
		}
	}
	v->pend_ok = 0;
	r->ev_left = 0;
	r->evp = r->evend = NULL;
	w->have_job = 1;
	if (!w->started && !w->quit) {
		pthread_mutex_init(&w->mu, NULL);
		pthread_cond_init(&w->cv, NULL);
		w->started = !pthread_create(&w->th, NULL, walker_main, w);
		if (!w->started) {
			pthread_mutex_destroy(&w->mu);
			pthread_cond_destroy(&w->cv);
			w->quit = 1; /* no thread: walk in line from now on */
		}
	}
	if (!w->started) {
		walk(w);
		return;
	}
	pthread_mutex_lock(&w->mu);
	w->busy = 1;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

static void walker_stop(vstate *v)
{
	walker *w = &v->w;
	walker_wait(v);
	if (w->started) {
		pthread_mutex_lock(&w->mu);
		w->quit = 1;
		pthread_cond_broadcast(&w->cv);
		pthread_mutex_unlock(&w->mu);
		pthread_join(w->th, NULL);
		pthread_mutex_destroy(&w->mu);
		pthread_cond_destroy(&w->cv);
	}
	free(w->buf);
	w->buf = NULL;
	kcap_block_counts_free(&w->bc);
	free(w->left);
	w->left = NULL;
	w->capleft = 0;
	free(w->ocount);
	free(w->touched);
	w->ocount = NULL;
	w->touched = NULL;
}

/* The section walked so far is over (a new one begins, or the input ends
 * at end): it must have been closed by its index and footer. */
static void end_section(vstate *v, uint64_t end)
{
	if (!v->in_section)
		return;
	if (!v->footer_seen)
		add_region(v, (int64_t)v->sec_start, 0, KCAP_E_TRUNCATED, -1, 0,
			   "section %u ends at offset %llu without its index and footer: ended early (cut "
			   "short, or its writer did not finish: a recorder that failed or was killed)",
			   v->section, (unsigned long long)end);
	v->in_section = 0;
}

static void begin_section(vstate *v, const kcap_block_info *b)
{
	end_section(v, b->offset);
	v->in_section = 1;
	v->section = b->section;
	v->sec_start = b->offset;
	v->nblocks = v->nctx = 0;
	v->events = v->ev_blocks = 0;
	v->index_seen = v->footer_seen = v->damaged = 0;
	v->after_footer = 0;
	v->rep->sections++;
}

static int push_block(vstate *v, const ev_block *e)
{
	if (kcap_array_room(&v->blocks, &v->capblocks, v->nblocks, sizeof *v->blocks, 64)) {
		v->fatal = 1;
		return -1;
	}
	v->blocks[v->nblocks++] = *e;
	return 0;
}

static int is_context(unsigned type)
{
	return type == KCAP_BLK_META || type == KCAP_BLK_SCHEMA || type == KCAP_BLK_SNAPSHOT ||
	       type == KCAP_BLK_STATS || type == KCAP_BLK_ORIGIN_SNAPSHOT;
}

/* An intact events block: what its index entry and the footer must say. */
static void events_block(vstate *v, const kcap_block_info *b)
{
	ev_block e = {b->offset - v->sec_start, b->len, 0, 0, 0};
	const uint8_t *p = b->bytes + KCAP_BLOCK_HDR_LEN;
	uint32_t plen = (uint32_t)(b->len - KCAP_BLOCK_OVERHEAD);
	kcap_block_summary sum;
	if (plen >= KCAP_PAYLOAD_PREFIX_LEN && get_u32(p) <= plen - KCAP_PAYLOAD_PREFIX_LEN) {
		e.meta_len = get_u32(p);
		e.meta_crc = kcap_crc32c(0, p + KCAP_PAYLOAD_PREFIX_LEN, e.meta_len);
		if (!kcap_summary_decode(&sum, p + KCAP_PAYLOAD_PREFIX_LEN, e.meta_len)) {
			if (!v->have_span || sum.first_ts < v->rep->first_ts)
				v->rep->first_ts = sum.first_ts;
			if (!v->have_span || sum.last_ts > v->rep->last_ts)
				v->rep->last_ts = sum.last_ts;
			v->have_span = 1;
			if (!v->ev_blocks || sum.first_ts < v->min_ts)
				v->min_ts = sum.first_ts;
			if (!v->ev_blocks || sum.last_ts > v->max_ts)
				v->max_ts = sum.last_ts;
			v->events += sum.count;
			v->pend_ok = 0;
			v->pend_counts.len = 0;
			if (sum.bloom && !sum.counts && e.meta_len > KCAP_EVMETA_FIXED_LEN + sum.bloom_bits / 8)
				add_region(v, (int64_t)b->offset, 0, KCAP_E_CORRUPT, 0, 0,
					   "events block's counts do not hold together (format 1.4); readers do not "
					   "use them");
			if (sum.counts && !kcap_buf_append(&v->pend_counts, sum.counts, sum.counts_len)) {
				v->pend = sum;
				v->pend.bloom = NULL;
				v->pend.counts = NULL;
				v->pend_off = b->offset;
				v->pend_ok = 1;
			}
		}
	}
	if (b->flags & KCAP_BF_UNVERIFIED)
		v->rep->unverified_blocks++;
	v->ev_blocks++;
	v->rep->events_blocks++;
	push_block(v, &e);
}

/* The index of the section, against the blocks walked before it. */
static void check_index(vstate *v, const kcap_block_info *b)
{
	const uint8_t *meta, *body;
	uint32_t ml;
	size_t bl;
	const char *lie = NULL;
	v->index_seen = 1;
	v->index_rel = b->offset - v->sec_start;
	v->index_end_rel = v->index_rel + b->len;
	int rc = kcap_rd_block_body(v->r, b->bytes, (uint32_t)(b->len - KCAP_BLOCK_OVERHEAD), &meta, &ml, &body, &bl);
	if (rc) {
		add_region(v, (int64_t)b->offset, 0, KCAP_E_CORRUPT, 0, 0, "index block does not decode (%s)",
			   kcap_strerror(rc));
		return;
	}
	cur c = {body, body + bl, 0};
	uint64_t nctx = cur_varint(&c);
	if (!c.bad && nctx != v->nctx)
		lie = "its context list is not the section's context blocks";
	for (uint64_t i = 0; !c.bad && !lie && i < nctx; i++)
		if (cur_varint(&c) != v->ctx[i])
			lie = "its context list is not the section's context blocks";
	uint64_t n = lie ? 0 : cur_varint(&c);
	if (!c.bad && !lie && n != v->nblocks)
		lie = n < v->nblocks ? "an events block has no entry" : "an entry names no events block";
	for (uint64_t i = 0; !c.bad && !lie && i < n; i++) {
		const ev_block *e = &v->blocks[i];
		uint64_t off = cur_varint(&c), len = cur_varint(&c), mlen = cur_varint(&c);
		const uint8_t *m = cur_bytes(&c, (size_t)mlen);
		if (c.bad)
			break;
		if (off != e->rel || len != e->len)
			lie = "an entry names no events block";
		else if (!e->damaged && (mlen != e->meta_len || kcap_crc32c(0, m, (size_t)mlen) != e->meta_crc))
			lie = "an entry's summary is not the block's own";
	}
	if (!lie && (c.bad || c.p != c.end))
		lie = "its entries are malformed";
	if (lie)
		add_region(v, (int64_t)b->offset, 0, KCAP_E_CORRUPT, 0, 0,
			   "index of section %u disagrees with its blocks (%s)", v->section, lie);
}

/* The footer, against the section it closes. */
static void check_footer(vstate *v, const kcap_block_info *b)
{
	const char *lie = NULL;
	v->footer_seen = 1;
	v->rep->footers++;
	uint64_t rel = b->offset - v->sec_start;
	if (b->len != KCAP_FOOTER_BLOCK_LEN) {
		lie = "its length is not a footer's";
	} else {
		const uint8_t *f = b->bytes + KCAP_BLOCK_HDR_LEN + KCAP_PAYLOAD_PREFIX_LEN;
		if (get_u64(f + 8) != rel)
			lie = "the section length is not where the footer starts";
		else if (!v->index_seen ? get_u64(f) != 0 : get_u64(f) != v->index_rel)
			lie = "the index offset is not the index block's";
		else if (v->index_seen && v->index_end_rel != rel)
			lie = "the index block does not end at the footer";
		else if (get_u32(f + 40) != v->ev_blocks)
			lie = "its events-block count is not the section's";
		else if (!v->damaged && get_u64(f + 16) != v->events)
			lie = "its event count is not the section's";
		else if (!v->damaged && v->ev_blocks &&
			 ((int64_t)get_u64(f + 24) != v->min_ts || (int64_t)get_u64(f + 32) != v->max_ts))
			lie = "its time range is not the section's";
	}
	if (lie)
		add_region(v, (int64_t)b->offset, 0, KCAP_E_CORRUPT, 0, 0,
			   "footer of section %u disagrees with its section (%s)", v->section, lie);
}

static void observe(void *ud, const kcap_block_info *b)
{
	vstate *v = ud;
	if (b->type != KCAP_BLK_EVENTS) /* a context block may change the schema the walk reads */
		walker_wait(v);
	if (v->seal)
		kcap_seal_check_block(v->seal, b);
	else if (b->type == KCAP_BLK_SEAL)
		v->seal_seen = 1;
	if (b->status == KCAP_BLOCK_SECTION) {
		begin_section(v, b);
		return;
	}
	if (!v->in_section) { /* blocks before any section header: a damaged header, reported */
		v->in_section = 1;
		v->section = b->section;
		v->sec_start = b->section_start;
		v->rep->sections++;
	}
	v->rep->blocks += b->status == KCAP_BLOCK_OK;
	if (v->footer_seen && !v->after_footer) {
		v->after_footer = b->offset;
		add_region(v, (int64_t)b->offset, 0, KCAP_E_CORRUPT, 0, 0,
			   "a block follows the footer of section %u (not a section header)", v->section);
	}
	if (b->status != KCAP_BLOCK_OK) {
		v->damaged = 1;
		if (b->type == KCAP_BLK_EVENTS) {
			ev_block e = {b->offset - v->sec_start, KCAP_BLOCK_OVERHEAD + (uint64_t)get_u32(b->bytes + 8), 0, 0,
				      1};
			v->ev_blocks++;
			v->rep->events_blocks++;
			push_block(v, &e);
		} else if (is_context(b->type) &&
			   !kcap_array_room(&v->ctx, &v->capctx, v->nctx, sizeof *v->ctx, 16)) {
			v->ctx[v->nctx++] = b->offset - v->sec_start;
		}
		return;
	}
	if (b->type == KCAP_BLK_EVENTS) {
		events_block(v, b);
	} else if (is_context(b->type)) {
		if (kcap_array_room(&v->ctx, &v->capctx, v->nctx, sizeof *v->ctx, 16))
			v->fatal = 1;
		else
			v->ctx[v->nctx++] = b->offset - v->sec_start;
	} else if (b->type == KCAP_BLK_INDEX) {
		check_index(v, b);
	} else if (b->type == KCAP_BLK_FOOTER) {
		check_footer(v, b);
	}
}

/* Adds s to the set *set of *n strings (kept once). */
static void add_distinct(vstate *v, char ***set, size_t *n, const char *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*set)[i], s))
			return;
	if (*n >= 4096)
		return;
	char **g = realloc(*set, (*n + 1) * sizeof *g);
	char *d = strdup(s);
	if (!g || !d) {
		free(d);
		if (g)
			*set = g;
		v->fatal = 1;
		return;
	}
	*set = g;
	g[(*n)++] = d;
}

/* The metadata of the current section: its hosts and sources, and whether
 * kcap recover wrote it. */
static void note_recovered(vstate *v)
{
	for (size_t o = 0; o < kcap_reader_origin_count(v->r); o++) {
		const kcap_meta *m = kcap_reader_meta(v->r, (uint16_t)o);
		add_distinct(v, &v->rep->hosts, &v->rep->nhosts, kcap_meta_get(m, KCAP_META_HOSTNAME));
		add_distinct(v, &v->rep->sources, &v->rep->nsources, kcap_meta_get(m, KCAP_META_SOURCE));
	}
	for (size_t i = 0; !v->rep->recovered && i < kcap_reader_stat_count(v->r); i++)
		if (!strncmp(kcap_reader_stat_at(v->r, i)->source, "recovered-damage", 16)) {
			v->rep->recovered = 1;
			snprintf(v->rep->recovered_from, sizeof v->rep->recovered_from, "%s",
				 "(a source whose metadata was lost)");
		}
	for (size_t o = 0; o < kcap_reader_origin_count(v->r); o++) {
		const char *from = kcap_meta_get(kcap_reader_meta(v->r, (uint16_t)o), "recovered_from");
		if (from && !v->rep->recovered) {
			v->rep->recovered = 1;
			snprintf(v->rep->recovered_from, sizeof v->rep->recovered_from, "%s", from);
		}
	}
}

static int reject_block(void *ud, const kcap_block_summary *sum)
{
	(void)ud;
	(void)sum;
	return 0;
}

static void seal_observe(void *ud, const kcap_block_info *b) { kcap_seal_check_block(ud, b); }

/* The seal check, as a second walk over the same bytes from start: every
 * block framed, CRC-checked and hashed, none decompressed. */
static int seal_pass(kcap_reader *r, uint64_t start, kcap_verify_report *rep)
{
	kcap_reader *r2 = NULL;
	kcap_error err = {0};
	int rc;
	if (r->mem) {
		rc = kcap_reader_open_mem(&r2, r->mem, (size_t)r->file_size, r->name, &err);
	} else {
		int fd = dup(r->fd);
		if (fd < 0 || lseek(fd, (off_t)start, SEEK_SET) < 0) {
			if (fd >= 0)
				close(fd);
			return kcap_seterr(&r->err, KCAP_E_IO, -1, "cannot read the input again for its seals");
		}
		rc = kcap_reader_open_fd(&r2, fd, 1, r->name, &err);
		if (rc)
			close(fd);
	}
	if (rc)
		return kcap_seterr(&r->err, rc, -1, "cannot read the input again for its seals: %s", err.msg);
	kcap_seal_check *c = kcap_seal_check_new(NULL, rep);
	if (!c) {
		kcap_reader_close(r2);
		return KCAP_E_NOMEM;
	}
	kcap_reader_set_block_observer(r2, seal_observe, c);
	kcap_reader_set_block_filter(r2, reject_block, NULL);
	while ((rc = kcap_rd_next_loaded(r2)) > 0)
		;
	if (rc >= 0)
		rc = kcap_seal_check_end(c, r2->pos, rep);
	kcap_seal_check_free(c);
	kcap_reader_close(r2);
	return rc;
}

static int region_cmp(const void *a, const void *b)
{
	const kcap_verify_region *x = a, *y = b;
	if (x->offset != y->offset)
		return x->offset < y->offset ? -1 : 1;
	return x->bytes < y->bytes ? 1 : x->bytes > y->bytes ? -1 : 0;
}

int kcap_verify(kcap_reader *r, const kcap_verify_opts *opts, kcap_verify_report *rep)
{
	if (!r || !rep)
		return KCAP_E_INVAL;
	memset(rep, 0, sizeof *rep);
	rep->seal_key_match = -1;
	vstate v = {0};
	v.r = r;
	v.rep = rep;
	int rc = 0;
	/* Hashing every block costs about a tenth of the walk: a file (which can
	 * be read again) is hashed only once a seal was seen in it (second pass,
	 * seal_pass), a pipe while it is read, as is any input with a key given. */
	uint64_t start = r->pos;
	int again = r->seekable && r->st.bytes == 0 && !(opts && opts->key) && (r->mem || r->fd >= 0);
	if (kcap_seal_available() && !again) {
		v.seal = kcap_seal_check_new(opts ? opts->key : NULL, rep);
		if (!v.seal)
			return KCAP_E_NOMEM;
	} else if (opts && opts->key && !kcap_seal_available()) {
		return kcap_seterr(&r->err, KCAP_E_UNSUPPORTED, -1,
				   "%s: seals cannot be checked", kcap_seal_unavailable_why());
	}
	kcap_reader_set_damage_cb(r, on_damage, &v);
	kcap_reader_set_block_observer(r, observe, &v);
	kcap_reader_set_block_filter(r, NULL, NULL);
	kcap_reader_set_event_filter(r, NULL, NULL);
	uint32_t sec = UINT32_MAX;
	while ((rc = kcap_rd_next_loaded(r)) > 0 && !v.fatal) {
		if (r->section != sec) {
			sec = r->section;
			note_recovered(&v);
		}
		walker_wait(&v);
		walker_give(&v);
	}
	walker_stop(&v);
	if (!v.fatal && rc >= 0) {
		note_recovered(&v);
		end_section(&v, r->pos);
	}
	kcap_reader_set_block_observer(r, NULL, NULL);
	kcap_reader_set_damage_cb(r, NULL, NULL);
	rep->bytes = r->st.bytes;
	for (size_t i = 0; i < kcap_reader_stat_count(r); i++)
		rep->lost += kcap_reader_stat_at(r, i)->lost;
	if (rep->nregions) /* in file order: a walk's finding comes after the next block's */
		qsort(rep->regions, rep->nregions, sizeof *rep->regions, region_cmp);
	if (v.seal_seen && !kcap_seal_available())
		rep->seal_unchecked = 1;
	if (!v.seal && v.seal_seen && !v.fatal && rc >= 0 && kcap_seal_available()) {
		int sr = seal_pass(r, start, rep);
		if (sr == KCAP_E_NOMEM)
			v.fatal = 1;
		else if (sr < 0)
			rc = sr;
	}
	if (v.seal && !v.fatal && rc >= 0 && kcap_seal_check_end(v.seal, r->pos, rep))
		v.fatal = 1;
	kcap_seal_check_free(v.seal);
	free(v.blocks);
	free(v.ctx);
	kcap_buf_free(&v.pend_counts);
	if (v.fatal)
		return kcap_seterr(&r->err, KCAP_E_NOMEM, -1, "out of memory");
	return rc < 0 ? rc : 0;
}

void kcap_verify_report_free(kcap_verify_report *rep)
{
	if (!rep)
		return;
	free(rep->regions);
	for (size_t i = 0; i < rep->nseal_faults; i++)
		free(rep->seal_faults[i]);
	free(rep->seal_faults);
	for (size_t i = 0; i < rep->nhosts; i++)
		free(rep->hosts[i]);
	for (size_t i = 0; i < rep->nsources; i++)
		free(rep->sources[i]);
	free(rep->hosts);
	free(rep->sources);
	rep->hosts = rep->sources = NULL;
	rep->nhosts = rep->nsources = 0;
	rep->regions = NULL;
	rep->seal_faults = NULL;
	rep->nregions = rep->nseal_faults = 0;
}
