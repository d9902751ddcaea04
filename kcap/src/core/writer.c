/* Capture writer: buffers events into blocks, compresses, frames, indexes. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>
#include <zstd.h>
#include "common/port.h"
#include "core/codec.h"
#include "core/seal_internal.h"

#define DEFAULT_BLOCK_SIZE (1u << 20)
#define DEFAULT_LEVEL 1 /* twice level 3's speed for 10% more bytes: docs/PERFORMANCE.md */

/* A second thread compresses full events blocks while the caller fills the
 * next one (docs/PERFORMANCE.md). One block at most is in flight, and the
 * caller frames and writes it (finish_pending) before it writes anything
 * else, so the bytes are exactly those of compressing in line. Explicit
 * flushes (kcap_writer_flush, ticks, close) stay synchronous. */
enum { ZW_IDLE, ZW_BUSY, ZW_DONE };
typedef struct zworker {
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int state, quit;
	ZSTD_CCtx *zc;
	int level;
	kcap_buf body;    /* the block's records, swapped with the writer's */
	kcap_buf payload; /* prefix + meta + stored body */
	uint8_t *meta;
	size_t meta_len;
	uint16_t flags;
	int rc;
} zworker;

/* An origin's snapshot, encoded, waiting for the next context emission. */
typedef struct osnap_pending {
	uint16_t origin;
	kcap_buf body;
} osnap_pending;

/* The pids of the block being built, for its bloom filter: open addressing
 * (kcap_slot_of) over pidset_key(pid), which is never 0. */
typedef struct pidset {
	uint64_t *keys;
	size_t cap, n;
} pidset;

static inline uint64_t pidset_key(int32_t pid) { return (1ull << 32) | (uint32_t)pid; }
static inline int32_t pidset_pid(uint64_t key) { return (int32_t)(uint32_t)key; }

struct kcap_writer {
	int fd, own_fd;
	kcap_writer_opts opts;
	kcap_error err;
	int failed; /* first error code, sticky */
	uint64_t pos;           /* bytes written in total */
	uint64_t section_start; /* absolute offset of the current section header */
	uint64_t events_total;

	/* context */
	kcap_meta **metas;
	uint8_t *meta_written;
	size_t nmetas;
	kcap_schema *schema;
	uint64_t schema_written_gen;
	int schema_dirty;
	kcap_buf snapshot_pending;
	int has_snapshot_pending;
	osnap_pending *osnaps;
	size_t nosnaps;
	osnap_pending *upds; /* snapshot updates (type 9), in the order given */
	size_t nupds, capupds;
	kcap_stat *stats;
	size_t nstats;
	int stats_dirty;
	uint64_t *context_offs; /* rel offsets of non-events blocks */
	size_t ncontext, capcontext;

	/* section totals and index */
	kcap_buf index_entries;
	uint32_t nindex;
	uint64_t sec_events;
	uint32_t sec_blocks;
	int64_t sec_min_ts, sec_max_ts;
	int sec_ordered;
	int64_t last_ts;
	uint64_t last_seq;
	int have_last;

	/* current block */
	kcap_buf body, rec;
	uint32_t count;
	int64_t min_ts, max_ts, base_ts, prev_ts;
	uint64_t min_seq, max_seq, base_seq, prev_seq;
	int32_t pid_min, pid_max;
	uint8_t types[32];
	int types_overflow;
	int blk_ordered;
	pidset pids;
	/* its counts (format 1.4): events per type id and per origin, each id
	 * listed once in the order first met; ids >= 65536 in wide */
	uint32_t *tcount, *ocount;   /* 65536 slots each, allocated with the writer */
	uint32_t *tseen, *wide_id, *wide_n;
	uint32_t *wide_slot; /* open addressing over wide ids: index + 1, 0 = free */
	uint16_t *oseen;
	size_t ntseen, noseen, nwide, capwide;
	kcap_buf counts;

	/* output scratch */
	kcap_buf out, payload;
	ZSTD_CCtx *zc;
	zworker *zw;     /* started at the first full block; NULL if it could not be */
	int zw_tried;
	int pending;     /* a block is in the worker's hands */
	int unverified;  /* events blocks are flagged KCAP_BF_UNVERIFIED */
	kcap_sealer *sealer; /* kcap_writer_set_seal: a seal at every flush and section end */
};

static int werr(kcap_writer *w, int code, const char *fmt, const char *detail)
{
	if (!w->failed) {
		kcap_seterr(&w->err, code, (int64_t)w->pos, fmt, detail);
		w->failed = code;
	}
	return code;
}

static int write_all(kcap_writer *w, const void *p, size_t n)
{
	const char *c = p;
	if (w->failed)
		return w->failed;
	while (n) {
		ssize_t k = write(w->fd, c, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			int e = errno;
			int code = (e == ENOSPC || e == EDQUOT) ? KCAP_E_NOSPACE : KCAP_E_IO;
			werr(w, code, "write failed: %s", strerror(e));
			w->err.sys_errno = e;
			return code;
		}
		kcap_sealer_feed(w->sealer, c, (size_t)k);
		c += k;
		n -= (size_t)k;
		w->pos += (uint64_t)k;
	}
	return 0;
}

/* The header and trailer of a block of payload. */
static void frame_head(uint8_t hdr[KCAP_BLOCK_HDR_LEN], uint8_t trl[4], const kcap_buf *payload, uint16_t type,
		       uint16_t flags)
{
	size_t plen = payload->len;
	memcpy(hdr, kcap_sync, 4);
	put_u16(hdr + 4, type);
	put_u16(hdr + 6, flags);
	put_u32(hdr + 8, (uint32_t)plen);
	uint32_t crc = kcap_crc32c(0, hdr, 12);
	crc = kcap_crc32c(crc, payload->data, plen);
	put_u32(hdr + 12, crc);
	put_u32(hdr + 16, kcap_crc32c(0, hdr, 16));
	put_u32(trl, (uint32_t)(KCAP_BLOCK_OVERHEAD + plen));
}

/* Frames payload as a block of the given type. */
static int emit_payload(kcap_writer *w, const kcap_buf *payload, uint16_t type, uint16_t flags, uint64_t *rel_off)
{
	size_t plen = payload->len;
	if (plen > KCAP_MAX_PAYLOAD)
		return werr(w, KCAP_E_INVAL, "%s", "block larger than 1 GiB");
	if (plen >= KCAP_PAYLOAD_PREFIX_LEN && get_u32((const uint8_t *)payload->data + 4) > KCAP_MAX_BODY)
		return werr(w, KCAP_E_INVAL, "%s", "block body larger than 256 MiB (FORMAT.md \"Blocks\")");
	uint8_t hdr[KCAP_BLOCK_HDR_LEN], trl[4];
	frame_head(hdr, trl, payload, type, flags);
	if (rel_off)
		*rel_off = w->pos - w->section_start;
	kcap_sealer_begin(w->sealer, type, w->pos - w->section_start);
	int rc = write_all(w, hdr, sizeof hdr);
	if (!rc)
		rc = write_all(w, payload->data, plen);
	if (!rc)
		rc = write_all(w, trl, sizeof trl);
	kcap_sealer_end(w->sealer);
	return rc;
}

/* A whole block of payload, framed, into out (for the blocks a final seal
 * covers before they are written). */
static int frame_block(const kcap_buf *payload, uint16_t type, uint16_t flags, kcap_buf *out)
{
	uint8_t hdr[KCAP_BLOCK_HDR_LEN], trl[4];
	frame_head(hdr, trl, payload, type, flags);
	out->len = 0;
	if (kcap_buf_append(out, hdr, sizeof hdr) || kcap_buf_append(out, payload->data, payload->len) ||
	    kcap_buf_append(out, trl, sizeof trl))
		return KCAP_E_NOMEM;
	return 0;
}

/* Writes the bytes of a framed block, as one structure for the sealer. */
static int write_framed(kcap_writer *w, const kcap_buf *blk)
{
	kcap_sealer_begin(w->sealer, get_u16((const uint8_t *)blk->data + 4), w->pos - w->section_start);
	int rc = write_all(w, blk->data, blk->len);
	kcap_sealer_end(w->sealer);
	return rc;
}

/* Frames w->payload. */
static int emit_block(kcap_writer *w, uint16_t type, uint16_t flags, uint64_t *rel_off)
{
	return emit_payload(w, &w->payload, type, flags, rel_off);
}

/* Builds payload = prefix + meta + body (compressed when worthwhile).
 * Touches nothing else: the compression thread runs it too. */
static int pack_payload(kcap_buf *payload, ZSTD_CCtx *zc, int level, const void *meta, size_t meta_len,
			const void *body, size_t body_len, int compress, uint16_t *flags)
{
	payload->len = 0;
	size_t bound = compress ? ZSTD_compressBound(body_len) : body_len;
	if (kcap_buf_reserve(payload, KCAP_PAYLOAD_PREFIX_LEN + meta_len + bound))
		return KCAP_E_NOMEM;
	uint8_t *p = (uint8_t *)payload->data;
	put_u32(p, (uint32_t)meta_len);
	put_u32(p + 4, (uint32_t)body_len);
	if (meta_len)
		memcpy(p + 8, meta, meta_len);
	uint8_t *dst = p + 8 + meta_len;
	*flags &= (uint16_t)~KCAP_BF_CODEC_MASK;
	if (compress) {
		size_t n = ZSTD_compressCCtx(zc, dst, bound, body, body_len, level);
		if (!ZSTD_isError(n) && n < body_len) {
			*flags |= (uint16_t)(KCAP_CODEC_ZSTD << KCAP_BF_CODEC_SHIFT);
			payload->len = 8 + meta_len + n;
			return 0;
		}
	}
	if (body_len)
		memcpy(dst, body, body_len);
	payload->len = 8 + meta_len + body_len;
	return 0;
}

/* Builds w->payload. */
static int build_payload(kcap_writer *w, const void *meta, size_t meta_len, const void *body, size_t body_len,
			 int compress, uint16_t *flags)
{
	if (pack_payload(&w->payload, w->zc, w->opts.level, meta, meta_len, body, body_len, compress, flags))
		return werr(w, KCAP_E_NOMEM, "%s", "out of memory");
	return 0;
}

static void *zworker_main(void *arg)
{
	zworker *z = arg;
	pthread_mutex_lock(&z->mu);
	for (;;) {
		while (z->state != ZW_BUSY && !z->quit)
			pthread_cond_wait(&z->cv, &z->mu);
		if (z->state != ZW_BUSY)
			break;
		pthread_mutex_unlock(&z->mu);
		z->flags = 0;
		z->rc = pack_payload(&z->payload, z->zc, z->level, z->meta, z->meta_len, z->body.data, z->body.len, 1,
				     &z->flags);
		pthread_mutex_lock(&z->mu);
		z->state = ZW_DONE;
		pthread_cond_broadcast(&z->cv);
	}
	pthread_mutex_unlock(&z->mu);
	return NULL;
}

/* Starts the compression thread once; 0 if it runs. */
static int zworker_start(kcap_writer *w)
{
	if (w->zw || w->zw_tried)
		return w->zw ? 0 : -1;
	w->zw_tried = 1;
	zworker *z = calloc(1, sizeof *z);
	if (!z)
		return -1;
	z->zc = ZSTD_createCCtx();
	z->level = w->opts.level;
	int mu = z->zc ? pthread_mutex_init(&z->mu, NULL) : -1;
	int cv = mu ? -1 : pthread_cond_init(&z->cv, NULL);
	if (mu || cv || pthread_create(&z->th, NULL, zworker_main, z)) {
		if (!cv)
			pthread_cond_destroy(&z->cv);
		if (!mu)
			pthread_mutex_destroy(&z->mu);
		ZSTD_freeCCtx(z->zc);
		free(z);
		return -1;
	}
	w->zw = z;
	return 0;
}

static void zworker_stop(kcap_writer *w)
{
	zworker *z = w->zw;
	if (!z)
		return;
	pthread_mutex_lock(&z->mu);
	z->quit = 1;
	pthread_cond_broadcast(&z->cv);
	pthread_mutex_unlock(&z->mu);
	pthread_join(z->th, NULL);
	pthread_cond_destroy(&z->cv);
	pthread_mutex_destroy(&z->mu);
	ZSTD_freeCCtx(z->zc);
	kcap_buf_free(&z->body);
	kcap_buf_free(&z->payload);
	free(z->meta);
	free(z);
	w->zw = NULL;
}

static int add_context_off(kcap_writer *w, uint64_t off)
{
	if (w->ncontext == w->capcontext) {
		size_t cap = w->capcontext ? w->capcontext * 2 : 16;
		uint64_t *n = realloc(w->context_offs, cap * sizeof *n);
		if (!n)
			return werr(w, KCAP_E_NOMEM, "%s", "out of memory");
		w->context_offs = n;
		w->capcontext = cap;
	}
	w->context_offs[w->ncontext++] = off;
	return 0;
}

static int emit_context_block_meta(kcap_writer *w, uint16_t type, const void *meta, size_t meta_len, kcap_buf *body,
				  int compress, uint16_t extra_flags)
{
	uint16_t flags = 0;
	uint64_t off;
	int rc = build_payload(w, meta, meta_len, body->data, body->len, compress, &flags);
	flags |= extra_flags;
	if (!rc)
		rc = emit_block(w, type, flags, &off);
	if (!rc)
		rc = add_context_off(w, off);
	return rc;
}

static int emit_context_block(kcap_writer *w, uint16_t type, kcap_buf *body, int compress)
{
	return emit_context_block_meta(w, type, NULL, 0, body, compress, 0);
}

static int encode_stats(kcap_writer *w, kcap_buf *b)
{
	int rc = kcap_buf_put_varint(b, w->nstats);
	for (size_t i = 0; i < w->nstats; i++) {
		const kcap_stat *s = &w->stats[i];
		rc |= kcap_buf_put_varint(b, s->origin);
		rc |= kcap_buf_put_varint(b, s->cpu);
		rc |= kcap_buf_put_str(b, s->source, strlen(s->source));
		rc |= kcap_buf_put_varint(b, s->seen);
		rc |= kcap_buf_put_varint(b, s->lost);
	}
	return rc ? KCAP_E_NOMEM : 0;
}

static int finish_pending(kcap_writer *w);

static void clear_origin_snapshots(kcap_writer *w)
{
	for (size_t i = 0; i < w->nosnaps; i++)
		kcap_buf_free(&w->osnaps[i].body);
	w->nosnaps = 0;
}

static void clear_updates(kcap_writer *w)
{
	for (size_t i = 0; i < w->nupds; i++)
		kcap_buf_free(&w->upds[i].body);
	w->nupds = 0;
}

/* Writes metadata, schema, snapshot and stats blocks that are pending, after
 * the events block in flight. */
static int emit_context(kcap_writer *w, int with_stats)
{
	kcap_buf b = {0};
	int rc = finish_pending(w);
	if (rc)
		return rc;
	for (size_t i = 0; i < w->nmetas && !rc; i++) {
		if (w->meta_written[i])
			continue;
		b.len = 0;
		rc = kcap_meta_encode(w->metas[i], (uint16_t)i, &b);
		if (!rc)
			rc = emit_context_block(w, KCAP_BLK_META, &b, 0);
		w->meta_written[i] = 1;
	}
	if (!rc && w->schema_dirty) {
		b.len = 0;
		rc = kcap_schema_encode(w->schema, &b);
		if (!rc)
			rc = emit_context_block(w, KCAP_BLK_SCHEMA, &b, 1);
		w->schema_dirty = 0;
		w->schema_written_gen = kcap_schema_generation(w->schema);
	}
	if (!rc && w->has_snapshot_pending) {
		rc = emit_context_block(w, KCAP_BLK_SNAPSHOT, &w->snapshot_pending, 1);
		w->has_snapshot_pending = 0;
		w->snapshot_pending.len = 0;
	}
	/* COPY: an older rewriting tool that copies raw blocks keeps them, in
	 * the section whose origin numbering they refer to. */
	for (size_t i = 0; i < w->nosnaps && !rc; i++) {
		uint8_t meta[KCAP_OSNAP_META_LEN];
		put_u16(meta, w->osnaps[i].origin);
		rc = emit_context_block_meta(w, KCAP_BLK_ORIGIN_SNAPSHOT, meta, sizeof meta, &w->osnaps[i].body, 1,
					     KCAP_BF_COPY);
	}
	if (!rc)
		clear_origin_snapshots(w);
	/* Updates after the snapshots they update. Not in the context list
	 * (FORMAT.md "Snapshot update block"), so that a 1.1 reader checking the
	 * index against the blocks finds the list it expects; COPY, so that a
	 * 1.1 rewriting tool keeps them in their place. */
	for (size_t i = 0; i < w->nupds && !rc; i++) {
		uint8_t meta[KCAP_OSNAP_META_LEN];
		uint16_t flags = 0;
		uint64_t off;
		put_u16(meta, w->upds[i].origin);
		rc = build_payload(w, meta, sizeof meta, w->upds[i].body.data, w->upds[i].body.len, 1, &flags);
		if (!rc)
			rc = emit_block(w, KCAP_BLK_SNAPSHOT_UPDATE, flags | KCAP_BF_COPY, &off);
	}
	if (!rc)
		clear_updates(w);
	if (!rc && with_stats && w->stats_dirty) {
		b.len = 0;
		rc = encode_stats(w, &b);
		if (!rc)
			rc = emit_context_block(w, KCAP_BLK_STATS, &b, 0);
		w->stats_dirty = 0;
	}
	kcap_buf_free(&b);
	if (rc && !w->failed)
		werr(w, rc, "%s", kcap_strerror(rc));
	return rc;
}

static void pidset_reset(pidset *s)
{
	if (s->keys)
		memset(s->keys, 0, s->cap * sizeof *s->keys);
	s->n = 0;
}

static int pidset_add(pidset *s, int32_t pid)
{
	if ((s->n + 1) * 2 > s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256;
		uint64_t *k = calloc(cap, sizeof *k);
		if (!k)
			return KCAP_E_NOMEM;
		for (size_t i = 0; i < s->cap; i++)
			if (s->keys[i])
				k[kcap_slot_of(k, cap, s->keys[i], kcap_pid_hash(pidset_pid(s->keys[i])))] = s->keys[i];
		free(s->keys);
		s->keys = k;
		s->cap = cap;
	}
	uint64_t key = pidset_key(pid);
	size_t h = kcap_slot_of(s->keys, s->cap, key, kcap_pid_hash(pid));
	if (!s->keys[h]) {
		s->keys[h] = key;
		s->n++;
	}
	return 0;
}

/* Counts one event of the block by type and origin. */
static inline int count_event(kcap_writer *w, uint32_t id, uint16_t origin)
{
	if (!w->ocount[origin]++)
		w->oseen[w->noseen++] = origin;
	if (id < 65536) {
		if (!w->tcount[id]++)
			w->tseen[w->ntseen++] = id;
		return 0;
	}
	/* audit record types (ids from 0x10000): a few hundred at most per block */
	size_t mask = w->capwide * 2 - 1, h = 0;
	if (w->capwide) {
		for (h = (id * 0x9E3779B1u) & mask; w->wide_slot[h]; h = (h + 1) & mask)
			if (w->wide_id[w->wide_slot[h] - 1] == id) {
				w->wide_n[w->wide_slot[h] - 1]++;
				return 0;
			}
	}
	if (w->nwide == w->capwide) {
		size_t cap = w->capwide;
		uint32_t *sl = NULL;
		if (kcap_array_room2(&w->wide_id, sizeof *w->wide_id, &w->wide_n, sizeof *w->wide_n, &cap, w->nwide + 1,
				     16) ||
		    (sl = calloc(cap * 2, sizeof *sl)) == NULL)
			return KCAP_E_NOMEM;
		free(w->wide_slot);
		w->wide_slot = sl;
		w->capwide = cap;
		mask = cap * 2 - 1;
		for (size_t i = 0; i < w->nwide; i++) {
			for (h = (w->wide_id[i] * 0x9E3779B1u) & mask; sl[h]; h = (h + 1) & mask)
				;
			sl[h] = (uint32_t)i + 1;
		}
		for (h = (id * 0x9E3779B1u) & mask; sl[h]; h = (h + 1) & mask)
			;
	}
	w->wide_slot[h] = (uint32_t)w->nwide + 1;
	w->wide_id[w->nwide] = id;
	w->wide_n[w->nwide++] = 1;
	return 0;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* One (id, count) pair of a block summary's count lists: the id as its gap
 * from the one before (*prev, -1 at the first), then the count. */
static inline int put_count(kcap_buf *b, int64_t *prev, uint32_t id, uint32_t n)
{
	int e = kcap_buf_put_varint(b, (uint64_t)((int64_t)id - *prev - 1));
	e |= kcap_buf_put_varint(b, n);
	*prev = id;
	return e;
}

static int cmp_u16(const void *a, const void *b)
{
	uint16_t x = *(const uint16_t *)a, y = *(const uint16_t *)b;
	return x < y ? -1 : x > y;
}

/* The block's counts (FORMAT.md "Events block", format 1.4) into w->counts,
 * and the counters cleared for the next block. */
static int encode_counts(kcap_writer *w)
{
	kcap_buf *b = &w->counts;
	b->len = 0;
	qsort(w->tseen, w->ntseen, sizeof *w->tseen, cmp_u32);
	/* wide ids sorted with their counts: a few per block at most */
	for (size_t i = 1; i < w->nwide; i++)
		for (size_t j = i; j > 0 && w->wide_id[j - 1] > w->wide_id[j]; j--) {
			uint32_t t = w->wide_id[j];
			w->wide_id[j] = w->wide_id[j - 1];
			w->wide_id[j - 1] = t;
			t = w->wide_n[j];
			w->wide_n[j] = w->wide_n[j - 1];
			w->wide_n[j - 1] = t;
		}
	qsort(w->oseen, w->noseen, sizeof *w->oseen, cmp_u16);
	int e = kcap_buf_put_varint(b, w->ntseen + w->nwide);
	int64_t prev = -1;
	for (size_t i = 0; i < w->ntseen; i++) {
		uint32_t id = w->tseen[i];
		e |= put_count(b, &prev, id, w->tcount[id]);
		w->tcount[id] = 0;
	}
	for (size_t i = 0; i < w->nwide; i++)
		e |= put_count(b, &prev, w->wide_id[i], w->wide_n[i]);
	e |= kcap_buf_put_varint(b, w->noseen);
	prev = -1;
	for (size_t i = 0; i < w->noseen; i++) {
		uint16_t o = w->oseen[i];
		e |= put_count(b, &prev, o, w->ocount[o]);
		w->ocount[o] = 0;
	}
	/* the first and last event's place: base_seq and prev_* are theirs */
	e |= kcap_buf_put_varint(b, w->base_seq - w->min_seq);
	e |= kcap_buf_put_varint(b, (uint64_t)w->max_ts - (uint64_t)w->prev_ts);
	e |= kcap_buf_put_varint(b, w->prev_seq - w->min_seq);
	if (w->nwide)
		memset(w->wide_slot, 0, w->capwide * 2 * sizeof *w->wide_slot);
	w->ntseen = w->noseen = w->nwide = 0;
	return e ? KCAP_E_NOMEM : 0;
}

/* Writes an events block whose payload is built, and its index entry. */
static int emit_events(kcap_writer *w, const kcap_buf *payload, uint8_t *meta, size_t meta_len, uint16_t flags)
{
	uint64_t off = 0;
	uint32_t ondisk = (uint32_t)(KCAP_BLOCK_OVERHEAD + payload->len);
	/* meta[6] must state the codec actually used */
	uint8_t *pm = (uint8_t *)payload->data + 8;
	pm[6] = (uint8_t)((flags & KCAP_BF_CODEC_MASK) >> KCAP_BF_CODEC_SHIFT);
	meta[6] = pm[6];
	if (w->unverified)
		flags |= KCAP_BF_UNVERIFIED;
	int rc = emit_payload(w, payload, KCAP_BLK_EVENTS, flags, &off);
	if (!rc) {
		int e = kcap_buf_put_varint(&w->index_entries, off);
		e |= kcap_buf_put_varint(&w->index_entries, ondisk);
		e |= kcap_buf_put_varint(&w->index_entries, meta_len);
		e |= kcap_buf_append(&w->index_entries, meta, meta_len);
		if (e)
			rc = werr(w, KCAP_E_NOMEM, "%s", "out of memory");
		w->nindex++;
	}
	return rc;
}

/* Waits for the block in the worker's hands, if any, and writes it. */
static int finish_pending(kcap_writer *w)
{
	if (!w->pending)
		return 0;
	zworker *z = w->zw;
	pthread_mutex_lock(&z->mu);
	while (z->state == ZW_BUSY)
		pthread_cond_wait(&z->cv, &z->mu);
	z->state = ZW_IDLE;
	pthread_mutex_unlock(&z->mu);
	w->pending = 0;
	int rc = z->rc ? werr(w, KCAP_E_NOMEM, "%s", "out of memory")
		       : w->failed ? w->failed : emit_events(w, &z->payload, z->meta, z->meta_len, z->flags);
	free(z->meta);
	z->meta = NULL;
	return rc;
}

/* Ends the current events block: in line, or (async, the block filled up)
 * on the compression thread when it runs. */
static int flush_events(kcap_writer *w, int async)
{
	if (!w)
		return KCAP_E_INVAL;
	int rc = finish_pending(w);
	if (rc)
		return rc;
	if (w->failed)
		return w->failed;
	if (!w->count)
		return emit_context(w, 1);
	rc = emit_context(w, 1);
	if (rc)
		return rc;
	uint32_t bits = 64;
	while (bits < w->pids.n * 16 && bits < 65536)
		bits *= 2;
	if (encode_counts(w))
		return werr(w, KCAP_E_NOMEM, "%s", "out of memory");
	size_t meta_len = KCAP_EVMETA_FIXED_LEN + bits / 8 + w->counts.len;
	uint8_t *meta = calloc(1, meta_len);
	if (!meta)
		return werr(w, KCAP_E_NOMEM, "%s", "out of memory");
	memcpy(meta + KCAP_EVMETA_FIXED_LEN + bits / 8, w->counts.data, w->counts.len);
	int compress = w->opts.codec == KCAP_CODEC_ZSTD;
	put_u32(meta, w->count);
	meta[4] = (uint8_t)w->blk_ordered;
	meta[5] = (uint8_t)w->types_overflow;
	meta[6] = (uint8_t)(compress ? KCAP_CODEC_ZSTD : KCAP_CODEC_NONE);
	meta[7] = 4;
	put_u64(meta + 8, (uint64_t)w->min_ts);
	put_u64(meta + 16, (uint64_t)w->max_ts);
	put_u64(meta + 24, w->min_seq);
	put_u64(meta + 32, w->max_seq);
	put_u64(meta + 40, (uint64_t)w->base_ts);
	put_u64(meta + 48, w->base_seq);
	put_u32(meta + 56, (uint32_t)w->pid_min);
	put_u32(meta + 60, (uint32_t)w->pid_max);
	put_u32(meta + 64, (uint32_t)w->body.len);
	put_u32(meta + 68, bits);
	memcpy(meta + 72, w->types, 32);
	uint8_t *bloom = meta + KCAP_EVMETA_FIXED_LEN;
	for (size_t i = 0; i < w->pids.cap; i++) {
		if (!w->pids.keys[i])
			continue;
		uint64_t h = kcap_pid_hash(pidset_pid(w->pids.keys[i]));
		uint32_t h1 = (uint32_t)h, h2 = (uint32_t)(h >> 32) | 1;
		for (uint32_t k = 0; k < 4; k++) {
			uint32_t bit = (h1 + k * h2) & (bits - 1);
			bloom[bit / 8] |= (uint8_t)(1u << (bit % 8));
		}
	}
	if (async && compress && !zworker_start(w)) {
		/* hand the block over; the worker's previous body comes back empty */
		zworker *z = w->zw;
		kcap_buf spare = z->body;
		z->body = w->body;
		w->body = spare;
		z->meta = meta;
		z->meta_len = meta_len;
		pthread_mutex_lock(&z->mu);
		z->state = ZW_BUSY;
		pthread_cond_broadcast(&z->cv);
		pthread_mutex_unlock(&z->mu);
		w->pending = 1;
	} else {
		uint16_t flags = 0;
		rc = build_payload(w, meta, meta_len, w->body.data, w->body.len, compress, &flags);
		if (!rc)
			rc = emit_events(w, &w->payload, meta, meta_len, flags);
		free(meta);
		if (rc)
			return rc;
	}
	if (!w->sec_blocks || w->min_ts < w->sec_min_ts)
		w->sec_min_ts = w->min_ts;
	if (!w->sec_blocks || w->max_ts > w->sec_max_ts)
		w->sec_max_ts = w->max_ts;
	w->sec_blocks++;
	w->sec_events += w->count;
	w->count = 0;
	w->body.len = 0;
	memset(w->types, 0, sizeof w->types);
	w->types_overflow = 0;
	pidset_reset(&w->pids);
	return 0;
}

/* A seal block over what was written since the last one; final: also
 * over the blocks in ahead, which the caller writes right after it. */
static int emit_seal(kcap_writer *w, int final, const kcap_buf *const *ahead, size_t nahead)
{
	kcap_buf body = {0};
	uint8_t prefix[KCAP_PAYLOAD_PREFIX_LEN] = {0};
	int rc = kcap_buf_append(&body, prefix, sizeof prefix) ? KCAP_E_NOMEM : 0;
	if (!rc)
		rc = kcap_sealer_build(w->sealer, &body, final, ahead, nahead);
	if (rc) {
		kcap_buf_free(&body);
		return werr(w, rc, "%s", "cannot build the seal");
	}
	put_u32((uint8_t *)body.data + 4, (uint32_t)(body.len - KCAP_PAYLOAD_PREFIX_LEN));
	/* committed first: the seal block is the first structure of the next */
	kcap_sealer_commit(w->sealer);
	rc = emit_payload(w, &body, KCAP_BLK_SEAL, 0, NULL);
	kcap_buf_free(&body);
	return rc;
}

int kcap_writer_flush(kcap_writer *w)
{
	int rc = flush_events(w, 0);
	if (!rc && w->sealer && kcap_sealer_pending(w->sealer))
		rc = emit_seal(w, 0, NULL, 0);
	return rc;
}

/* now - since >= age, without signed overflow for extreme timestamps. */
static int older_than(int64_t now, int64_t since, int64_t age)
{
	return now > since && (uint64_t)now - (uint64_t)since >= (uint64_t)age;
}

int kcap_writer_tick(kcap_writer *w, int64_t now_ns)
{
	if (!w)
		return KCAP_E_INVAL;
	int rc = finish_pending(w); /* a full block does not wait for the next one */
	if (rc)
		return rc;
	if (w->count && w->opts.flush_age_ns > 0 && older_than(now_ns, w->base_ts, w->opts.flush_age_ns))
		return kcap_writer_flush(w);
	if (!w->count && w->stats_dirty && w->opts.flush_age_ns > 0)
		return kcap_writer_flush(w);
	return w->failed;
}

static int write_section_header(kcap_writer *w)
{
	uint8_t h[KCAP_SECTION_HDR_LEN] = {0};
	memcpy(h, KCAP_MAGIC, KCAP_MAGIC_LEN);
	put_u16(h + 8, KCAP_FORMAT_MAJOR);
	put_u16(h + 10, KCAP_FORMAT_MINOR);
	put_u32(h + 12, kcap_section_check(h));
	w->section_start = w->pos;
	kcap_sealer_section(w->sealer);
	kcap_sealer_begin(w->sealer, 0, 0);
	int rc = write_all(w, h, sizeof h);
	kcap_sealer_end(w->sealer);
	return rc;
}

static void reset_section(kcap_writer *w)
{
	for (size_t i = 0; i < w->nmetas; i++)
		kcap_meta_free(w->metas[i]);
	w->nmetas = 0;
	kcap_schema_free(w->schema);
	w->schema = kcap_schema_new();
	w->schema_dirty = 0;
	w->schema_written_gen = 0;
	w->snapshot_pending.len = 0;
	w->has_snapshot_pending = 0;
	clear_origin_snapshots(w);
	clear_updates(w);
	for (size_t i = 0; i < w->nstats; i++)
		free((char *)w->stats[i].source);
	w->nstats = 0;
	w->stats_dirty = 0;
	w->ncontext = 0;
	w->index_entries.len = 0;
	w->nindex = 0;
	w->sec_events = 0;
	w->sec_blocks = 0;
	w->sec_ordered = 1;
	w->have_last = 0;
}

int kcap_writer_open_fd(kcap_writer **out, int fd, int own_fd, const kcap_writer_opts *opts, kcap_error *err)
{
	*out = NULL;
	kcap_writer *w = calloc(1, sizeof *w);
	if (!w)
		return kcap_seterr(err, KCAP_E_NOMEM, -1, "out of memory");
	w->fd = fd;
	w->own_fd = own_fd;
	if (opts)
		w->opts = *opts;
	if (!w->opts.block_size)
		w->opts.block_size = DEFAULT_BLOCK_SIZE;
	if (!w->opts.level)
		w->opts.level = DEFAULT_LEVEL;
	if (!w->opts.codec_set)
		w->opts.codec = KCAP_CODEC_ZSTD;
	w->zc = ZSTD_createCCtx();
	w->schema = kcap_schema_new();
	w->tcount = calloc(65536, sizeof *w->tcount);
	w->ocount = calloc(65536, sizeof *w->ocount);
	w->tseen = malloc(65536 * sizeof *w->tseen);
	w->oseen = malloc(65536 * sizeof *w->oseen);
	if (!w->zc || !w->schema || !w->tcount || !w->ocount || !w->tseen || !w->oseen) {
		kcap_writer_close(w);
		return kcap_seterr(err, KCAP_E_NOMEM, -1, "out of memory");
	}
	reset_section(w);
	int rc = write_section_header(w);
	if (rc) {
		if (err)
			*err = w->err;
		w->own_fd = 0;
		kcap_writer_close(w);
		return rc;
	}
	*out = w;
	return 0;
}

int kcap_writer_open_path(kcap_writer **out, const char *path, const kcap_writer_opts *opts, kcap_error *err)
{
	*out = NULL;
	int fd = kcap_open_file(path, O_WRONLY | O_CREAT | O_TRUNC, "cannot create: ", err);
	if (fd < 0)
		return fd;
	int rc = kcap_writer_open_fd(out, fd, 1, opts, err);
	if (rc)
		close(fd);
	return rc;
}

int kcap_writer_add_meta(kcap_writer *w, const kcap_meta *m)
{
	if (!w || !m || w->nmetas > 0xffff) /* origins 0..65535 (FORMAT.md "Metadata block") */
		return KCAP_E_INVAL;
	kcap_meta *c = kcap_meta_new();
	/* capacity doubles at each power of two: 65536 origins copy little */
	size_t cap = (w->nmetas & (w->nmetas - 1)) == 0 ? (w->nmetas ? w->nmetas * 2 : 1) : 0;
	uint8_t *wr = cap ? realloc(w->meta_written, cap) : w->meta_written;
	if (wr)
		w->meta_written = wr;
	kcap_meta **n = cap ? realloc(w->metas, cap * sizeof *n) : w->metas;
	if (n)
		w->metas = n;
	if (!c || !wr || !n) {
		kcap_meta_free(c);
		return KCAP_E_NOMEM;
	}
	const char *k, *v;
	for (size_t i = 0; kcap_meta_at(m, i, &k, &v); i++)
		if (kcap_meta_set(c, k, v)) {
			kcap_meta_free(c);
			return KCAP_E_NOMEM;
		}
	w->metas[w->nmetas] = c;
	w->meta_written[w->nmetas] = 0;
	return (int)w->nmetas++;
}

int kcap_writer_set_schema(kcap_writer *w, const kcap_schema *s)
{
	if (!w || !s)
		return KCAP_E_INVAL;
	/* a section's schema is bounded (FORMAT.md "Schema block"): refuse what
	 * no reader would load */
	size_t have = 0, add = 0;
	const kcap_type_def *t;
	while (kcap_schema_type_at(w->schema, have))
		have++;
	for (size_t i = 0; (t = kcap_schema_type_at(s, i)) != NULL; i++)
		add += kcap_schema_type(w->schema, t->id) == NULL;
	if (add > KCAP_MAX_SCHEMA_TYPES - have)
		return KCAP_E_INVAL;
	int rc = kcap_schema_merge(w->schema, s);
	if (kcap_schema_generation(w->schema) != w->schema_written_gen)
		w->schema_dirty = 1;
	return rc;
}

int kcap_writer_add_snapshot(kcap_writer *w, const kcap_snapshot *s)
{
	if (!w || !s)
		return KCAP_E_INVAL;
	w->snapshot_pending.len = 0;
	int rc = kcap_snapshot_encode(s, &w->snapshot_pending);
	w->has_snapshot_pending = !rc;
	return rc;
}

int kcap_writer_add_origin_snapshot(kcap_writer *w, uint16_t origin, const kcap_snapshot *s)
{
	if (!w || !s)
		return KCAP_E_INVAL;
	size_t i = 0;
	while (i < w->nosnaps && w->osnaps[i].origin != origin)
		i++;
	if (i == w->nosnaps) {
		osnap_pending *n = realloc(w->osnaps, (i + 1) * sizeof *n);
		if (!n)
			return KCAP_E_NOMEM;
		w->osnaps = n;
		n[i] = (osnap_pending){.origin = origin};
		w->nosnaps++;
	}
	w->osnaps[i].body.len = 0;
	int rc = kcap_snapshot_encode(s, &w->osnaps[i].body);
	if (rc) { /* nothing half-encoded goes out */
		kcap_buf_free(&w->osnaps[i].body);
		w->osnaps[i] = w->osnaps[--w->nosnaps];
	}
	return rc;
}

int kcap_writer_add_snapshot_update(kcap_writer *w, uint16_t origin, const kcap_snapshot *s)
{
	if (!w || !s)
		return KCAP_E_INVAL;
	if (kcap_array_room(&w->upds, &w->capupds, w->nupds, sizeof *w->upds, 4))
		return KCAP_E_NOMEM;
	osnap_pending *u = &w->upds[w->nupds];
	*u = (osnap_pending){.origin = origin};
	int rc = kcap_snapshot_encode(s, &u->body);
	if (rc)
		kcap_buf_free(&u->body);
	else
		w->nupds++;
	return rc;
}

int kcap_writer_set_stat(kcap_writer *w, const kcap_stat *st)
{
	if (!w || !st || !st->source)
		return KCAP_E_INVAL;
	for (size_t i = 0; i < w->nstats; i++) {
		kcap_stat *s = &w->stats[i];
		if (s->origin == st->origin && s->cpu == st->cpu && !strcmp(s->source, st->source)) {
			if (s->seen != st->seen || s->lost != st->lost)
				w->stats_dirty = 1;
			s->seen = st->seen;
			s->lost = st->lost;
			return 0;
		}
	}
	kcap_stat *n = realloc(w->stats, (w->nstats + 1) * sizeof *n);
	if (!n)
		return KCAP_E_NOMEM;
	w->stats = n;
	n[w->nstats] = *st;
	n[w->nstats].source = strdup(st->source);
	if (!n[w->nstats].source)
		return KCAP_E_NOMEM;
	w->nstats++;
	w->stats_dirty = 1;
	return 0;
}

/* Tracks file-level order across events and copied blocks. */
static void note_order(kcap_writer *w, int64_t first_ts, uint64_t first_seq, int64_t last_ts, uint64_t last_seq)
{
	if (w->have_last && (first_ts < w->last_ts || (first_ts == w->last_ts && first_seq < w->last_seq)))
		w->sec_ordered = 0;
	w->last_ts = last_ts;
	w->last_seq = last_seq;
	w->have_last = 1;
}

/* What both write paths check and do before the record: the origin, context
 * due before the block, the block's start and the order flags. */
static inline int write_begin(kcap_writer *w, const kcap_event *ev, int32_t pid)
{
	if (ev->origin >= w->nmetas && ev->origin) {
		kcap_seterr(&w->err, KCAP_E_INVAL, -1, "event origin %u has no metadata", ev->origin);
		return KCAP_E_INVAL;
	}
	if (w->schema_dirty && w->count && flush_events(w, 0))
		return w->failed;
	/* Context pending before a block starts goes out now, so that only a
	 * schema change inside a block forces the flush above. */
	if (w->schema_dirty && !w->count && emit_context(w, 0))
		return w->failed;
	if (!w->count) {
		w->base_ts = w->prev_ts = w->min_ts = w->max_ts = ev->ts;
		w->base_seq = w->prev_seq = w->min_seq = w->max_seq = ev->seq;
		w->pid_min = w->pid_max = pid;
		w->blk_ordered = 1;
	} else if (ev->ts < w->prev_ts || (ev->ts == w->prev_ts && ev->seq < w->prev_seq)) {
		w->blk_ordered = 0;
	}
	note_order(w, ev->ts, ev->seq, ev->ts, ev->seq);
	return 0;
}

/* The block summary after the record of ev (with this pid) was appended,
 * and the flush of a full or old block. */
static inline int write_end(kcap_writer *w, const kcap_event *ev, int32_t pid)
{
	if (pidset_add(&w->pids, pid))
		return werr(w, KCAP_E_NOMEM, "%s", "out of memory");
	w->prev_ts = ev->ts;
	w->prev_seq = ev->seq;
	if (ev->ts < w->min_ts)
		w->min_ts = ev->ts;
	if (ev->ts > w->max_ts)
		w->max_ts = ev->ts;
	if (ev->seq < w->min_seq)
		w->min_seq = ev->seq;
	if (ev->seq > w->max_seq)
		w->max_seq = ev->seq;
	if (pid < w->pid_min)
		w->pid_min = pid;
	if (pid > w->pid_max)
		w->pid_max = pid;
	if (ev->type_id < 256)
		w->types[ev->type_id / 8] |= (uint8_t)(1u << (ev->type_id % 8));
	else
		w->types_overflow = 1;
	if (count_event(w, ev->type_id, ev->origin))
		return werr(w, KCAP_E_NOMEM, "%s", "out of memory");
	w->count++;
	w->events_total++;
	if (w->body.len >= w->opts.block_size)
		return flush_events(w, 1);
	if (w->opts.flush_age_ns > 0 && older_than(ev->ts, w->base_ts, w->opts.flush_age_ns))
		return kcap_writer_flush(w);
	return 0;
}

/* Puts the length of the record of rl bytes written at at + 1 in front of
 * it: in the byte left for it, the common case, or moving the record up
 * for a longer varint. */
static inline int put_record_len(kcap_writer *w, size_t at, size_t rl)
{
	if (rl < 0x80) {
		w->body.data[at] = (char)rl;
		return 0;
	}
	uint8_t lenv[10];
	size_t nl = (size_t)(put_varint(lenv, rl) - lenv);
	if (kcap_buf_reserve(&w->body, nl - 1))
		return werr(w, KCAP_E_NOMEM, "%s", "out of memory");
	memmove(w->body.data + at + nl, w->body.data + at + 1, rl);
	memcpy(w->body.data + at, lenv, nl);
	w->body.len += nl - 1;
	return 0;
}

int kcap_writer_write(kcap_writer *w, const kcap_event *ev)
{
	if (!w || !ev)
		return KCAP_E_INVAL;
	if (w->failed)
		return w->failed;
	const kcap_type_def *def = kcap_schema_type(w->schema, ev->type_id);
	if (!def || ev->nparams != def->nparams) {
		kcap_seterr(&w->err, KCAP_E_INVAL, -1, "event type %u is not in the schema or has %u params",
			    ev->type_id, ev->nparams);
		return KCAP_E_INVAL;
	}
	int rc = write_begin(w, ev, ev->pid);
	if (rc)
		return rc;
	size_t at = w->body.len;
	if (kcap_buf_reserve(&w->body, 1))
		return werr(w, KCAP_E_NOMEM, "%s", "out of memory");
	w->body.len = at + 1;
	rc = kcap_event_encode(&w->body, ev, def, w->prev_ts, w->prev_seq);
	if (rc) {
		w->body.len = at;
		kcap_seterr(&w->err, rc, -1, "cannot encode event seq %llu", (unsigned long long)ev->seq);
		return rc;
	}
	if ((rc = put_record_len(w, at, w->body.len - at - 1)))
		return rc;
	return write_end(w, ev, ev->pid);
}

int kcap_writer_write_record(kcap_writer *w, const kcap_event *ev, const kcap_record *rec)
{
	if (!w || !ev || !rec || !rec->tail)
		return KCAP_E_INVAL;
	if (w->failed)
		return w->failed;
	/* The pid for the summary comes from the tail itself, so that the Bloom
	 * filter holds what readers will decode. */
	const uint8_t *t = rec->tail;
	uint64_t zpid;
	if (rec->len >= 2 && t[0] < 0x80) {
		zpid = t[0];
	} else if (get_varint(&t, t + rec->len, &zpid)) {
		kcap_seterr(&w->err, KCAP_E_INVAL, -1, "record of event seq %llu has no pid",
			    (unsigned long long)ev->seq);
		return KCAP_E_INVAL;
	}
	int32_t pid = (int32_t)zz_dec(zpid);
	if (!kcap_schema_type(w->schema, ev->type_id)) {
		kcap_seterr(&w->err, KCAP_E_INVAL, -1, "event type %u is not in the schema", ev->type_id);
		return KCAP_E_INVAL;
	}
	int rc = write_begin(w, ev, pid);
	if (rc)
		return rc;
	size_t at = w->body.len, need = 1 + KCAP_RECORD_HEAD_MAX + rec->len;
	if (w->body.cap - at < need && kcap_buf_reserve(&w->body, need))
		return werr(w, KCAP_E_NOMEM, "%s", "out of memory");
	uint8_t *o = kcap_record_head_put((uint8_t *)w->body.data + at + 1, ev, rec->absent, w->prev_ts, w->prev_seq);
	memcpy(o, rec->tail, rec->len);
	w->body.len = (size_t)(o + rec->len - (uint8_t *)w->body.data);
	if ((rc = put_record_len(w, at, w->body.len - at - 1)))
		return rc;
	return write_end(w, ev, pid);
}

int kcap_writer_copy_block(kcap_writer *w, const void *block, size_t len, const kcap_block_summary *sum)
{
	if (!w || !block || len < KCAP_BLOCK_OVERHEAD)
		return KCAP_E_INVAL;
	int rc = flush_events(w, 0);
	if (rc)
		return rc;
	const uint8_t *b = block;
	if (!sum) { /* a block of a type this library does not know, flagged COPY */
		uint16_t type = get_u16(b + 4);
		if (kcap_blk_known(type))
			return KCAP_E_INVAL;
		kcap_sealer_begin(w->sealer, type, w->pos - w->section_start);
		rc = write_all(w, block, len);
		kcap_sealer_end(w->sealer);
		return rc;
	}
	if (len < KCAP_BLOCK_OVERHEAD + KCAP_PAYLOAD_PREFIX_LEN)
		return KCAP_E_INVAL;
	uint32_t meta_len = get_u32(b + KCAP_BLOCK_HDR_LEN);
	if (get_u16(b + 4) != KCAP_BLK_EVENTS || KCAP_BLOCK_HDR_LEN + 8 + (size_t)meta_len > len)
		return KCAP_E_INVAL;
	uint64_t off = w->pos - w->section_start;
	/* the trailer is the block's length: written as it must be, so that a
	 * damaged trailer (the block's CRC holds: it was read) is not copied */
	uint8_t trl[KCAP_BLOCK_TRAILER_LEN];
	put_u32(trl, (uint32_t)len);
	kcap_sealer_begin(w->sealer, KCAP_BLK_EVENTS, off);
	if (!(rc = write_all(w, block, len - KCAP_BLOCK_TRAILER_LEN)))
		rc = write_all(w, trl, sizeof trl);
	kcap_sealer_end(w->sealer);
	if (rc)
		return rc;
	int e = kcap_buf_put_varint(&w->index_entries, off);
	e |= kcap_buf_put_varint(&w->index_entries, len);
	e |= kcap_buf_put_varint(&w->index_entries, meta_len);
	e |= kcap_buf_append(&w->index_entries, b + KCAP_BLOCK_HDR_LEN + 8, meta_len);
	if (e)
		return werr(w, KCAP_E_NOMEM, "%s", "out of memory");
	w->nindex++;
	if (!sum->ordered)
		w->sec_ordered = 0;
	note_order(w, sum->first_ts, sum->first_seq, sum->last_ts, sum->last_seq);
	if (!w->sec_blocks || sum->first_ts < w->sec_min_ts)
		w->sec_min_ts = sum->first_ts;
	if (!w->sec_blocks || sum->last_ts > w->sec_max_ts)
		w->sec_max_ts = sum->last_ts;
	w->sec_blocks++;
	w->sec_events += sum->count;
	w->events_total += sum->count;
	return 0;
}

/* The footer body of the section whose index block is at index_off and
 * which ends (footer excluded) at sec_len. */
static void footer_body(const kcap_writer *w, uint8_t f[KCAP_FOOTER_BODY_LEN], uint64_t index_off, uint64_t sec_len)
{
	memset(f, 0, KCAP_FOOTER_BODY_LEN);
	put_u64(f, index_off);
	put_u64(f + 8, sec_len);
	put_u64(f + 16, w->sec_events);
	put_u64(f + 24, (uint64_t)(w->sec_blocks ? w->sec_min_ts : 0));
	put_u64(f + 32, (uint64_t)(w->sec_blocks ? w->sec_max_ts : 0));
	put_u32(f + 40, w->sec_blocks);
	put_u32(f + 44, w->sec_ordered ? KCAP_FOOTER_ORDERED : 0);
}

/* Index block + footer close a section; a sealing writer puts its final
 * seal before them, covering them too (docs/FORMAT.md "Seal block"). */
static int end_section(kcap_writer *w)
{
	int rc = flush_events(w, 0);
	if (rc)
		return rc;
	kcap_buf body = {0}, idx = {0}, ftr = {0}, sealb = {0};
	int e = kcap_buf_put_varint(&body, w->ncontext);
	for (size_t i = 0; i < w->ncontext; i++)
		e |= kcap_buf_put_varint(&body, w->context_offs[i]);
	e |= kcap_buf_put_varint(&body, w->nindex);
	e |= kcap_buf_append(&body, w->index_entries.data, w->index_entries.len);
	if (e) {
		rc = werr(w, KCAP_E_NOMEM, "%s", "out of memory");
		goto cleanup;
	}
	uint16_t flags = 0;
	rc = build_payload(w, NULL, 0, body.data, body.len, body.len > 4096, &flags);
	if (!rc && frame_block(&w->payload, KCAP_BLK_INDEX, flags, &idx))
		rc = werr(w, KCAP_E_NOMEM, "%s", "out of memory");
	if (rc)
		goto cleanup;
	uint64_t index_off = w->pos - w->section_start;
	if (w->sealer) {
		/* the seal's length does not depend on what it covers ahead: built
		 * once with a stand-in footer to learn where the index will be */
		static const uint8_t stand_in[KCAP_FOOTER_BLOCK_LEN];
		const kcap_buf footer_like = {(char *)stand_in, sizeof stand_in, sizeof stand_in};
		const kcap_buf *ahead[2] = {&idx, &footer_like};
		if (kcap_sealer_build(w->sealer, &sealb, 1, ahead, 2)) {
			rc = werr(w, KCAP_E_NOMEM, "%s", "cannot build the seal");
			goto cleanup;
		}
		index_off += KCAP_BLOCK_OVERHEAD + KCAP_PAYLOAD_PREFIX_LEN + sealb.len;
	}
	uint8_t f[KCAP_FOOTER_BODY_LEN];
	footer_body(w, f, index_off, index_off + idx.len);
	flags = 0;
	rc = build_payload(w, NULL, 0, f, sizeof f, 0, &flags);
	if (!rc && frame_block(&w->payload, KCAP_BLK_FOOTER, flags, &ftr))
		rc = werr(w, KCAP_E_NOMEM, "%s", "out of memory");
	if (!rc && w->sealer) {
		const kcap_buf *ahead[2] = {&idx, &ftr};
		rc = emit_seal(w, 1, ahead, 2);
	}
	if (!rc)
		rc = write_framed(w, &idx);
	if (!rc)
		rc = write_framed(w, &ftr);
cleanup:
	kcap_buf_free(&body);
	kcap_buf_free(&idx);
	kcap_buf_free(&ftr);
	kcap_buf_free(&sealb);
	return rc;
}

int kcap_writer_new_section(kcap_writer *w)
{
	if (!w)
		return KCAP_E_INVAL;
	int rc = end_section(w);
	if (rc)
		return rc;
	reset_section(w);
	if (!w->schema)
		return werr(w, KCAP_E_NOMEM, "%s", "out of memory");
	return write_section_header(w);
}

uint64_t kcap_writer_bytes(const kcap_writer *w) { return w ? w->pos : 0; }
uint64_t kcap_writer_events(const kcap_writer *w) { return w ? w->events_total : 0; }
const kcap_error *kcap_writer_error(const kcap_writer *w) { return w ? &w->err : NULL; }

int kcap_writer_close(kcap_writer *w)
{
	if (!w)
		return 0;
	int rc = 0;
	if (w->schema && w->zc && w->pos)
		rc = end_section(w);
	if (w->failed)
		rc = w->failed;
	zworker_stop(w);
	kcap_sealer_free(w->sealer);
	if (w->own_fd && w->fd >= 0 && close(w->fd) && !rc) {
		int e = errno;
		rc = (e == ENOSPC || e == EDQUOT) ? KCAP_E_NOSPACE : KCAP_E_IO;
	}
	for (size_t i = 0; i < w->nmetas; i++)
		kcap_meta_free(w->metas[i]);
	free(w->metas);
	free(w->meta_written);
	kcap_schema_free(w->schema);
	kcap_buf_free(&w->snapshot_pending);
	clear_origin_snapshots(w);
	free(w->osnaps);
	clear_updates(w);
	free(w->upds);
	for (size_t i = 0; i < w->nstats; i++)
		free((char *)w->stats[i].source);
	free(w->stats);
	free(w->context_offs);
	kcap_buf_free(&w->index_entries);
	kcap_buf_free(&w->body);
	kcap_buf_free(&w->rec);
	kcap_buf_free(&w->out);
	kcap_buf_free(&w->payload);
	free(w->pids.keys);
	free(w->tcount);
	free(w->ocount);
	free(w->tseen);
	free(w->oseen);
	free(w->wide_id);
	free(w->wide_n);
	free(w->wide_slot);
	kcap_buf_free(&w->counts);
	ZSTD_freeCCtx(w->zc);
	free(w);
	return rc;
}

int kcap_writer_set_unverified(kcap_writer *w, int on)
{
	if (!w)
		return KCAP_E_INVAL;
	if ((on != 0) == w->unverified)
		return 0;
	int rc = flush_events(w, 0);
	w->unverified = on != 0;
	return rc;
}

int kcap_writer_set_seal(kcap_writer *w, const kcap_seal_key *k)
{
	if (!w || !k)
		return KCAP_E_INVAL;
	if (!kcap_seal_available())
		return werr(w, KCAP_E_UNSUPPORTED, "%s: no sealing", kcap_seal_unavailable_why());
	if (w->sealer || w->events_total || w->pos != KCAP_SECTION_HDR_LEN)
		return KCAP_E_INVAL;
	w->sealer = kcap_sealer_new(k);
	if (!w->sealer)
		return werr(w, KCAP_E_NOMEM, "%s", "out of memory");
	/* the section header, written at open, is the first structure sealed */
	kcap_sealer_section(w->sealer);
	uint8_t h[KCAP_SECTION_HDR_LEN] = {0};
	memcpy(h, KCAP_MAGIC, KCAP_MAGIC_LEN);
	put_u16(h + 8, KCAP_FORMAT_MAJOR);
	put_u16(h + 10, KCAP_FORMAT_MINOR);
	put_u32(h + 12, kcap_section_check(h));
	kcap_sealer_begin(w->sealer, 0, 0);
	kcap_sealer_feed(w->sealer, h, sizeof h);
	kcap_sealer_end(w->sealer);
	return 0;
}
