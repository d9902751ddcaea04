/*
 * core/reader_internal.h - the reader's state, shared by the block walk
 * (reader.c), the recovery of damaged input (reader_salvage.c) and the
 * index with the seeks and skips it allows (reader_index.c). Private to
 * those three files and of the checks built on them (verify.c).
 */
#ifndef KCAP_READER_INTERNAL_H
#define KCAP_READER_INTERNAL_H

#include <zstd.h>
#include "core/codec.h"


typedef struct stat_entry {
	uint32_t section;
	kcap_stat st;
} stat_entry;

typedef struct index_entry {
	kcap_block_summary sum; /* offset absolute; bloom and counts point into the reader's index_kept */
	union {
		const uint8_t *meta; /* while its section is checked: the block's meta, in the index block's body */
		size_t kept;         /* then: where its Bloom filter and counts are in index_kept */
	} u;
	uint64_t section_start;
	uint32_t meta_len; /* bytes of meta at u.meta (0 once they are kept) */
	uint8_t damaged;   /* the block fails its CRC: never skipped by this entry */
} index_entry;

/* The schema blocks of a section in order (their bodies end to end) and the
 * types its schema held after each: what lets the next section, when its
 * schema blocks are the same bytes, take that schema back. */
typedef struct schema_seq {
	kcap_buf bytes;
	size_t *end;    /* block i is bytes [end[i - 1], end[i]) */
	size_t *ntypes; /* types of the schema after block i */
	size_t n, cap;
	int broken; /* not all recorded (too large, out of memory, a bad block): no taking back */
} schema_seq;

/* reader_pool.c */
typedef struct rd_pool rd_pool;
typedef struct rd_job rd_job;

typedef struct section_ctx {
	uint64_t start;
	uint64_t *context; /* absolute offsets */
	size_t ncontext;
	uint64_t *updates; /* snapshot update blocks (not in the index's context
	                    * list), found by the header walk that checks it */
	size_t nupdates;
	size_t first, nentries; /* its entries in the reader's index */
} section_ctx;

/* Damage messages the reader and verify both give, word for word. */
#define KCAP_RD_MALFORMED_FMT "malformed event #%u in events block; %u events of the block lost"
#define KCAP_RD_UNDEFINED_FMT                                                                          \
	"event #%u in events block has type %u, which the schema does not define (a schema block lost?); " \
	"%u events of undefined types in the block not delivered"

struct kcap_reader {
	char *name;
	int fd, own_fd, seekable;
	int64_t file_size;
	const uint8_t *mem;
	uint8_t *win;
	size_t win_cap, win_len; /* window holds [win_off, win_off + win_len) */
	uint64_t win_off, pos;
	int eof;

	kcap_error err;
	kcap_reader_stats st;
	kcap_damage_fn dmg;
	void *dmg_ud;
	kcap_idle_fn idle; /* before waiting on an input that is not a file */
	void *idle_ud;
	kcap_block_filter_fn bf;
	void *bf_ud;
	kcap_event_filter_fn ef;
	void *ef_ud;
	kcap_body_filter_fn bodyf;
	void *bodyf_ud;

	uint16_t major, minor;
	uint32_t section;
	int in_section, section_indexed;
	kcap_schema *schema;
	kcap_schema **old_schemas;
	size_t nold_schemas;
	schema_seq seq_prev, seq_cur; /* schema blocks of the previous section and of this one */
	const kcap_schema *seq_prev_schema; /* the schema seq_prev built (the last of old_schemas) */
	size_t seq_matched; /* >0: the schema is seq_prev_schema taken back, its first seq_matched blocks repeated */
	size_t schema_visible; /* types of the schema this section has defined so far; SIZE_MAX: all */
	kcap_schema *bare; /* no types: decodes an event whose type the section has not defined yet */
	kcap_buf old_enc; /* encoding of old_enc_of at generation old_enc_gen */
	const kcap_schema *old_enc_of;
	uint64_t old_enc_gen;
	kcap_meta **metas;
	size_t nmetas;
	kcap_meta **old_metas;
	size_t nold_metas;
	size_t *retired; /* origin -> its meta of the previous section in old_metas + 1 */
	size_t nretired;
	kcap_snapshot *snap;   /* the section's snapshot without an origin (type 3) */
	kcap_snapshot **osnap; /* origin -> its own snapshot (type 8), or NULL */
	size_t nosnap;
	/* kcap_reader_snapshot_for(ev_snap_origin), the snapshot handed out
	 * with each event (ev->snapshot); ev_snap_origin is -1 once a snapshot
	 * changes. */
	const kcap_snapshot *ev_snap;
	int32_t ev_snap_origin;
	/* snapshot updates (type 9) read since the last events block: upd[i]
	 * is update number upd_first + i; upd_gen counts them in the stream */
	kcap_snapshot **upd;
	uint16_t *upd_origin;
	size_t nupd, capupd;
	uint64_t upd_first, upd_gen, upd_blocks;
	stat_entry *stats;
	size_t nstats, capstats;
	uint32_t *stat_slot; /* index of stats: entry number + 1, 0 = empty */
	size_t stat_nslots;
	kcap_stat *stat_view;

	ZSTD_DCtx *dz;
	int cut_by_section; /* the events block next_block returned 2 for */
	uint8_t *raw; /* decompressed body of the current events block */
	size_t raw_cap;
	uint8_t *aux; /* decompressed body of other blocks (context, index) */
	size_t aux_cap;
	const uint8_t *evp, *evend;
	uint32_t ev_left, ev_index;
	uint64_t block_off;
	uint64_t unknown_block; /* block_off + 1 of the block whose events of undefined types were reported */
	int64_t prev_ts;
	uint64_t prev_seq;
	kcap_event ev;
	kcap_value vals[KCAP_MAX_PARAMS];
	int64_t last_ts;
	uint64_t last_seq;
	int have_last;

	kcap_block_summary raw_sum;
	const kcap_block_summary *raw_sum_ptr;

	int seeking;
	int64_t seek_ts;

	index_entry *index;
	size_t nindex, index_bytes;
	uint8_t *index_kept; /* the Bloom filters and counts of all entries, end to end */
	section_ctx *sections;
	size_t nsections;
	int index_loaded, index_complete;
	const char *index_lie; /* how the index disagrees with its blocks, or NULL */
	uint64_t index_lie_off;

	/* verify.c: every structure the walk meets (kcap_rd_observe), and the
	 * events a damage report loses where known (set just before
	 * kcap_rd_damage, which puts it back to -1) */
	uint64_t sec_start; /* absolute offset of the current section's header */
	kcap_block_fn obs;
	void *obs_ud;
	int64_t dmg_lost;
	uint64_t dmg_got; /* events read all the same from the damaged block */
	/* --ignore-crc: an events block whose CRC fails but whose records
	 * decode is read, its events unverified */
	int ignore_crc;
	int cur_unverified; /* the events of the current block are unverified */

	/* reader_pool.c: the read-ahead pool (NULL: one thread), the job of
	 * the events block at pos that next_block took from it */
	rd_pool *pool;
	rd_job *pool_job;
	int pool_skipping; /* the last events block was passed over by the index */
};

/* ---- reader.c ---- */

/* Counts damage in the stats and hands it to the damage callback. */
void kcap_rd_damage(kcap_reader *r, int code, uint64_t off, uint64_t skipped, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* Makes at least need bytes from pos available (fewer at EOF). Returns the
 * number available, or -1 on a read error (r->err set). */
int64_t kcap_rd_fill(kcap_reader *r, size_t need);
/* A section header was read (or is assumed): the previous section's context
 * is kept for events already handed out, a new one starts. */
void kcap_rd_begin_section(kcap_reader *r, uint16_t major, uint16_t minor);
/* Decodes the payload of a verified block of plen bytes at blk: meta, and
 * the body, stored or decompressed with dz into *buf (grown to *cap). */
int kcap_rd_body_into(const uint8_t *blk, uint32_t plen, ZSTD_DCtx *dz, uint8_t **buf, size_t *cap,
		      const uint8_t **meta, uint32_t *meta_len, const uint8_t **body, size_t *body_len);
/* Decodes the payload of a verified block into body (decompressed). */
int kcap_rd_block_body(kcap_reader *r, const uint8_t *blk, uint32_t plen, const uint8_t **meta, uint32_t *meta_len,
		       const uint8_t **body, size_t *body_len);
/* Applies a decoded context block (metadata, schema, snapshots, stats). */
int kcap_rd_apply_context(kcap_reader *r, unsigned type, const uint8_t *meta, size_t meta_len, const uint8_t *body,
			  size_t body_len);

/* Hands the structure of len bytes at here() (status KCAP_BLOCK_*) to
 * the observer, if any. */
void kcap_rd_observe(kcap_reader *r, const uint8_t *p, size_t len, int status);

/* 1 when ev's type is one this section has not defined yet: its schema is
 * the previous section's, taken back while its schema blocks repeat those of
 * the previous one, and may hold types of blocks still to come. Such an
 * event is decoded as a sequential read of a fresh schema would: of a type
 * not (yet) known. */
static inline int rd_type_ahead(const kcap_reader *r, const kcap_event *ev)
{
	return r->schema_visible != SIZE_MAX && ev->def && kcap_schema_type_rank(ev->def) >= r->schema_visible;
}

/* Decodes one record with the section's schema as rd_type_ahead says. */
static inline int rd_decode(const kcap_reader *r, const uint8_t *p, const uint8_t *end, int64_t ts, uint64_t seq,
			    kcap_event *ev, kcap_value *vals, kcap_record *rec)
{
	const kcap_schema *s = r->schema;
	for (int pass = 0;; pass++) {
		int rc = rec ? kcap_event_decode_record(p, end, s, ts, seq, ev, rec)
			     : kcap_event_decode(p, end, s, ts, seq, ev, vals);
		if (rc || pass || !rd_type_ahead(r, ev))
			return rc;
		s = r->bare;
	}
}

/* The bytes at pos (kcap_rd_fill says how many there are). */
static inline const uint8_t *here(kcap_reader *r)
{
	return (r->mem ? r->mem : r->win) + (r->pos - r->win_off);
}

static inline void advance(kcap_reader *r, uint64_t n)
{
	r->pos += n;
	r->st.bytes += n;
}

static inline int is_block_header(const uint8_t *p)
{
	return !memcmp(p, kcap_sync, 4) && get_u32(p + 16) == kcap_crc32c(0, p, 16) &&
	       get_u32(p + 8) <= KCAP_MAX_PAYLOAD;
}

static inline int is_section_header(const uint8_t *p)
{
	return !memcmp(p, KCAP_MAGIC, KCAP_MAGIC_LEN) && get_u16(p + 8) >= 1;
}

/* What a section header (magic present) says of itself. Its check (bytes
 * 12..15) is 0 only in captures written before the check existed, all of
 * major version 1: any other header that fails its check is damaged, never
 * taken for a newer format. */
enum { SECTION_OK, SECTION_NEWER, SECTION_DAMAGED };
static inline int section_verdict(const uint8_t *p)
{
	uint32_t check = get_u32(p + 12);
	uint16_t major = get_u16(p + 8);
	if (check != kcap_section_check(p))
		return check == 0 && major == 1 ? SECTION_OK : SECTION_DAMAGED;
	if (major > KCAP_FORMAT_MAJOR)
		return SECTION_NEWER;
	return major >= 1 ? SECTION_OK : SECTION_DAMAGED;
}

/* verify.c: walks to the next events block with events and loads it
 * (r->evp..evend holds its ev_left records, from prev_ts and prev_seq;
 * context blocks are applied on the way, damage reported), without reading
 * its events. 1, 0 at the end, or a fatal error. */
int kcap_rd_next_loaded(kcap_reader *r);

/* ---- reader_salvage.c ---- */

/* Offset of the first section header inside the n bytes of a block at p
 * (past its header), or 0 if none. */
size_t kcap_rd_section_within(const uint8_t *p, size_t n);
/* Scans forward from pos+1 for the next section or block header. Returns
 * the number of bytes skipped (pos advanced), or -1 on read error. */
int64_t kcap_rd_resync(kcap_reader *r);
/* An events block cut short, got of its bytes present: delivers what can be
 * recovered. 1 if events are ready, 0 if none, negative on fatal error. */
int kcap_rd_salvage_events(kcap_reader *r, const uint8_t *blk, size_t got);

/* ---- reader_index.c ---- */

/* Passes over the events block at pos when the block filter rules it out
 * by its index entry: 1 if skipped, 0 if there is none or it is to be
 * read, <0 on a seek error. */
int kcap_rd_skip_by_index(kcap_reader *r);
/* An events block the block filter passed over: with counts (format 1.4)
 * in its summary, the order check goes on as if its events were read (one
 * unordered per block out of order). */
void kcap_rd_note_skipped(kcap_reader *r, const kcap_block_summary *sum);
/* Frees the loaded index and section context lists. */
void kcap_rd_free_index(kcap_reader *r);

/* ---- reader_pool.c ---- */

/* Queues the events blocks ahead of pos, as far as the pool has room. */
void kcap_rd_pool_feed(kcap_reader *r);
/* The job of the events block at pos whose header is hdr, once a worker
 * has its body; NULL when there is none (the block is read here). */
rd_job *kcap_rd_pool_take(kcap_reader *r, const uint8_t *hdr);
/* Makes the job's body r->raw, gives the job back; returns the body's
 * length. */
size_t kcap_rd_pool_use(kcap_reader *r, rd_job *j);
void kcap_rd_pool_release(kcap_reader *r, rd_job *j);
/* Stops the workers, frees the pool (r->pool NULL). */
void kcap_rd_pool_free(kcap_reader *r);

#endif
