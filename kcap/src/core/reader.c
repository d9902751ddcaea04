/* Capture reader: sequential block walk with resync, sections, index, seek. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>
#include "core/codec.h"

#define RESYNC_CHUNK (64u * 1024)
#define HEADER_SCAN_LIMIT (64u * 1024) /* a damaged magic is accepted if a block starts this early */

typedef struct stat_entry {
	uint32_t section;
	kcap_stat st;
} stat_entry;

typedef struct index_entry {
	kcap_block_summary sum; /* offset absolute; bloom points into bloom_copy */
	uint8_t *meta_copy;
	uint32_t section;
	uint64_t section_start;
} index_entry;

typedef struct section_ctx {
	uint64_t start;
	uint64_t *context; /* absolute offsets */
	size_t ncontext;
} section_ctx;

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
	kcap_block_filter_fn bf;
	void *bf_ud;
	kcap_event_filter_fn ef;
	void *ef_ud;

	uint16_t major, minor;
	uint32_t section;
	int in_section, section_indexed;
	kcap_schema *schema;
	kcap_schema **old_schemas;
	size_t nold_schemas;
	kcap_meta **metas;
	size_t nmetas;
	kcap_meta **old_metas;
	size_t nold_metas;
	kcap_snapshot *snap;   /* the section's snapshot without an origin (type 3) */
	kcap_snapshot **osnap; /* origin -> its own snapshot (type 8), or NULL */
	size_t nosnap;
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
	size_t nindex;
	section_ctx *sections;
	size_t nsections;
	int index_loaded, index_complete;
};

static const char *block_name(unsigned t)
{
	switch (t) {
	case KCAP_BLK_META: return "metadata";
	case KCAP_BLK_SCHEMA: return "schema";
	case KCAP_BLK_SNAPSHOT: return "snapshot";
	case KCAP_BLK_EVENTS: return "events";
	case KCAP_BLK_STATS: return "stats";
	case KCAP_BLK_INDEX: return "index";
	case KCAP_BLK_FOOTER: return "footer";
	case KCAP_BLK_ORIGIN_SNAPSHOT: return "origin snapshot";
	default: return "unknown";
	}
}

static void damage(kcap_reader *r, int code, uint64_t off, uint64_t skipped, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static void damage(kcap_reader *r, int code, uint64_t off, uint64_t skipped, const char *fmt, ...)
{
	kcap_error e = {0};
	e.code = code;
	e.offset = (int64_t)off;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e.msg, sizeof e.msg, fmt, ap);
	va_end(ap);
	r->st.damaged++;
	r->st.damaged_bytes += skipped;
	if (r->dmg)
		r->dmg(r->dmg_ud, &e, skipped);
}

/* ---- input window ---- */

/* Makes at least need bytes from pos available (fewer at EOF). Returns the
 * number available, or -1 on a read error (r->err set). */
static int64_t fill(kcap_reader *r, size_t need)
{
	size_t start = (size_t)(r->pos - r->win_off);
	if (r->mem || r->win_len - start >= need || r->eof)
		return (int64_t)(r->win_len > start ? r->win_len - start : 0);
	if (start) {
		memmove(r->win, r->win + start, r->win_len - start);
		r->win_len -= start;
		r->win_off = r->pos;
		start = 0;
	}
	if (need > r->win_cap) {
		size_t cap = r->win_cap ? r->win_cap : (1u << 20);
		while (cap < need)
			cap *= 2;
		uint8_t *n = realloc(r->win, cap);
		if (!n) {
			kcap_seterr(&r->err, KCAP_E_NOMEM, (int64_t)r->pos, "out of memory");
			return -1;
		}
		r->win = n;
		r->win_cap = cap;
	}
	/* When blocks may be passed over by their index entries, read little
	 * ahead: the next one may be skipped with a seek. */
	size_t ahead = r->nindex && r->bf ? (need > (64u << 10) ? need : (64u << 10)) : r->win_cap;
	while (r->win_len < need) {
		size_t want = (ahead < r->win_cap ? ahead : r->win_cap) - r->win_len;
		ssize_t k = read(r->fd, r->win + r->win_len, want);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			int e = errno;
			kcap_seterr(&r->err, KCAP_E_IO, (int64_t)(r->win_off + r->win_len), "read failed: %s",
				    strerror(e));
			r->err.sys_errno = e;
			return -1;
		}
		if (k == 0) {
			r->eof = 1;
			break;
		}
		r->win_len += (size_t)k;
	}
	return (int64_t)r->win_len;
}

static const uint8_t *here(kcap_reader *r) { return (r->mem ? r->mem : r->win) + (r->pos - r->win_off); }

static void advance(kcap_reader *r, uint64_t n)
{
	r->pos += n;
	r->st.bytes += n;
}

/* Jumps to an absolute offset (seekable inputs only). */
static int jump(kcap_reader *r, uint64_t off)
{
	if (r->mem) {
		r->pos = off > r->win_len ? r->win_len : off;
		return 0;
	}
	if (off >= r->win_off && off <= r->win_off + r->win_len) {
		r->pos = off;
		return 0;
	}
	if (lseek(r->fd, (off_t)off, SEEK_SET) < 0)
		return kcap_seterr(&r->err, KCAP_E_IO, (int64_t)off, "seek failed: %s", strerror(errno));
	r->win_off = r->pos = off;
	r->win_len = 0;
	r->eof = 0;
	return 0;
}

/* Reads len bytes at an absolute offset without moving the stream. */
static int read_at(kcap_reader *r, uint64_t off, void *buf, size_t len)
{
	if (r->mem) {
		if (off > r->win_len || len > r->win_len - off)
			return KCAP_E_TRUNCATED;
		memcpy(buf, r->mem + off, len);
		return 0;
	}
	size_t got = 0;
	while (got < len) {
		ssize_t k = pread(r->fd, (char *)buf + got, len - got, (off_t)(off + got));
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return KCAP_E_IO;
		if (k == 0)
			return KCAP_E_TRUNCATED;
		got += (size_t)k;
	}
	return 0;
}

/* ---- structure recognition ---- */

static int is_block_header(const uint8_t *p)
{
	return !memcmp(p, kcap_sync, 4) && get_u32(p + 16) == kcap_crc32c(0, p, 16) &&
	       get_u32(p + 8) <= KCAP_MAX_PAYLOAD;
}

static int is_section_header(const uint8_t *p)
{
	return !memcmp(p, KCAP_MAGIC, KCAP_MAGIC_LEN) && get_u16(p + 8) >= 1;
}

/* Offset of the first section header inside the n bytes of a block at p
 * (past its header), or 0 if none. */
static size_t section_within(const uint8_t *p, size_t n)
{
	for (size_t i = KCAP_BLOCK_HDR_LEN; i + KCAP_SECTION_HDR_LEN <= n; i++) {
		const uint8_t *m = memchr(p + i, KCAP_MAGIC[0], n - KCAP_SECTION_HDR_LEN + 1 - i);
		if (!m)
			return 0;
		i = (size_t)(m - p);
		if (is_section_header(m))
			return i;
	}
	return 0;
}

/* Scans forward from pos+1 for the next section or block header. Returns
 * the number of bytes skipped (pos advanced), or -1 on read error. */
static int64_t resync(kcap_reader *r)
{
	uint64_t start = r->pos;
	advance(r, 1);
	for (;;) {
		int64_t avail = fill(r, RESYNC_CHUNK);
		if (avail < 0)
			return -1;
		if (avail < KCAP_SECTION_HDR_LEN) {
			advance(r, (uint64_t)avail);
			return (int64_t)(r->pos - start);
		}
		const uint8_t *p = here(r);
		size_t limit = (size_t)avail - (KCAP_SECTION_HDR_LEN - 1);
		for (size_t i = 0; i < limit; i++) {
			if (p[i] != kcap_sync[0] && p[i] != 0x89)
				continue;
			if ((size_t)avail - i >= KCAP_BLOCK_HDR_LEN && is_block_header(p + i)) {
				advance(r, i);
				return (int64_t)(r->pos - start);
			}
			if (is_section_header(p + i)) {
				advance(r, i);
				return (int64_t)(r->pos - start);
			}
		}
		advance(r, limit);
		if (r->eof && fill(r, KCAP_SECTION_HDR_LEN) < KCAP_SECTION_HDR_LEN) {
			int64_t rest = fill(r, 1);
			advance(r, (uint64_t)(rest > 0 ? rest : 0));
			return (int64_t)(r->pos - start);
		}
	}
}

/* Arrays that only grow are reallocated at powers of two: the size to
 * reallocate to before appending entry n, or 0 when there is room. */
static size_t grow_to(size_t n) { return (n & (n - 1)) == 0 ? (n ? n * 2 : 1) : 0; }

static void keep_old_schema(kcap_reader *r)
{
	/* Nothing can point into an empty schema: keep using it. A file of
	 * nothing but section headers must not pile up schemas. */
	if (!kcap_schema_type_at(r->schema, 0) && !kcap_schema_symset_at(r->schema, 0))
		return;
	size_t g = grow_to(r->nold_schemas);
	kcap_schema **n = g ? realloc(r->old_schemas, g * sizeof *n) : r->old_schemas;
	if (n) {
		r->old_schemas = n;
		n[r->nold_schemas++] = r->schema;
	} else {
		kcap_schema_free(r->schema); /* out of memory: lose the old pointer target */
	}
	r->schema = kcap_schema_new();
}

static void free_origin_snapshots(kcap_reader *r)
{
	for (size_t i = 0; i < r->nosnap; i++)
		kcap_snapshot_free(r->osnap[i]);
	free(r->osnap);
	r->osnap = NULL;
	r->nosnap = 0;
}

static void begin_section(kcap_reader *r, uint16_t major, uint16_t minor)
{
	if (r->in_section) {
		keep_old_schema(r);
		for (size_t i = 0; i < r->nmetas; i++) {
			if (!r->metas[i])
				continue;
			size_t g = grow_to(r->nold_metas);
			kcap_meta **n = g ? realloc(r->old_metas, g * sizeof *n) : r->old_metas;
			if (n) {
				r->old_metas = n;
				n[r->nold_metas++] = r->metas[i];
			} else {
				kcap_meta_free(r->metas[i]);
			}
		}
		r->nmetas = 0;
		kcap_snapshot_free(r->snap);
		r->snap = NULL;
		free_origin_snapshots(r);
		r->section++;
		if (!r->section_indexed)
			r->st.indexed = 0;
	}
	r->in_section = 1;
	r->section_indexed = 0;
	r->major = major;
	r->minor = minor;
	r->st.sections++;
}

/* Decodes the payload of a verified block into body (decompressed). */
static int block_body(kcap_reader *r, const uint8_t *blk, uint32_t plen, const uint8_t **meta, uint32_t *meta_len,
		      const uint8_t **body, size_t *body_len)
{
	const uint8_t *p = blk + KCAP_BLOCK_HDR_LEN;
	uint16_t flags = get_u16(blk + 6);
	if (plen < KCAP_PAYLOAD_PREFIX_LEN)
		return KCAP_E_CORRUPT;
	uint32_t ml = get_u32(p), raw_len = get_u32(p + 4);
	if (ml > plen - KCAP_PAYLOAD_PREFIX_LEN || raw_len > KCAP_MAX_PAYLOAD)
		return KCAP_E_CORRUPT;
	*meta = p + 8;
	*meta_len = ml;
	const uint8_t *stored = p + 8 + ml;
	size_t stored_len = plen - 8 - ml;
	unsigned codec = (flags & KCAP_BF_CODEC_MASK) >> KCAP_BF_CODEC_SHIFT;
	if (codec == KCAP_CODEC_NONE) {
		if (stored_len != raw_len)
			return KCAP_E_CORRUPT;
		*body = stored;
		*body_len = stored_len;
		return 0;
	}
	if (codec != KCAP_CODEC_ZSTD)
		return KCAP_E_UNSUPPORTED;
	/* Events decode into raw, everything else into aux: loading the index or
	 * a context block must not clobber the events block being iterated. */
	int events = get_u16(blk + 4) == KCAP_BLK_EVENTS;
	uint8_t **buf = events ? &r->raw : &r->aux;
	size_t *cap = events ? &r->raw_cap : &r->aux_cap;
	if (raw_len > *cap) {
		uint8_t *n = realloc(*buf, raw_len);
		if (!n)
			return KCAP_E_NOMEM;
		*buf = n;
		*cap = raw_len;
	}
	size_t n = ZSTD_decompressDCtx(r->dz, *buf, raw_len, stored, stored_len);
	if (ZSTD_isError(n) || n != raw_len)
		return KCAP_E_CORRUPT;
	*body = *buf;
	*body_len = n;
	return 0;
}

static size_t stat_hash(uint32_t section, const kcap_stat *s, size_t nslots)
{
	uint64_t h = ((uint64_t)section << 48) ^ ((uint64_t)s->origin << 32) ^ s->cpu;
	for (const char *c = s->source; *c; c++)
		h = (h ^ (uint8_t)*c) * 1099511628211ull;
	h *= 0x9E3779B97F4A7C15ull;
	return (size_t)(h >> 32) & (nslots - 1);
}

/* Entry of (section, origin, cpu, source), or -1. Hashed: a stats block may
 * hold any number of entries (80k took a minute with a linear search). */
static long stat_find(const kcap_reader *r, const kcap_stat *s)
{
	if (!r->stat_nslots)
		return -1;
	for (size_t h = stat_hash(r->section, s, r->stat_nslots); r->stat_slot[h]; h = (h + 1) & (r->stat_nslots - 1)) {
		const stat_entry *e = &r->stats[r->stat_slot[h] - 1];
		if (e->section == r->section && e->st.origin == s->origin && e->st.cpu == s->cpu &&
		    !strcmp(e->st.source, s->source))
			return (long)r->stat_slot[h] - 1;
	}
	return -1;
}

static void stat_slot_put(kcap_reader *r, size_t i)
{
	size_t h = stat_hash(r->stats[i].section, &r->stats[i].st, r->stat_nslots);
	while (r->stat_slot[h])
		h = (h + 1) & (r->stat_nslots - 1);
	r->stat_slot[h] = (uint32_t)(i + 1);
}

/* Room for one more entry in the index. */
static int stat_reserve(kcap_reader *r)
{
	if ((r->nstats + 1) * 2 <= r->stat_nslots)
		return 0;
	size_t ns = r->stat_nslots ? r->stat_nslots * 2 : 64;
	uint32_t *t = calloc(ns, sizeof *t);
	if (!t)
		return KCAP_E_NOMEM;
	free(r->stat_slot);
	r->stat_slot = t;
	r->stat_nslots = ns;
	for (size_t i = 0; i < r->nstats; i++)
		stat_slot_put(r, i);
	return 0;
}

static int apply_stats(kcap_reader *r, const uint8_t *p, size_t n)
{
	cur c = {p, p + n, 0};
	uint64_t cnt = cur_varint(&c);
	for (uint64_t i = 0; i < cnt && !c.bad; i++) {
		kcap_stat s = {0};
		s.origin = (uint16_t)cur_varint(&c);
		s.cpu = (uint32_t)cur_varint(&c);
		char *src = cur_strdup(&c);
		s.seen = cur_varint(&c);
		s.lost = cur_varint(&c);
		if (c.bad || !src) {
			free(src);
			break;
		}
		s.source = src;
		long k = stat_find(r, &s);
		if (k >= 0) {
			r->stats[k].st.seen = s.seen;
			r->stats[k].st.lost = s.lost;
			free(src);
			continue;
		}
		if (r->nstats == r->capstats) {
			size_t cap = r->capstats ? r->capstats * 2 : 16;
			stat_entry *ns = realloc(r->stats, cap * sizeof *ns);
			if (!ns) {
				free(src);
				return KCAP_E_NOMEM;
			}
			r->stats = ns;
			r->capstats = cap;
		}
		if (stat_reserve(r)) {
			free(src);
			return KCAP_E_NOMEM;
		}
		stat_entry *ns = r->stats;
		ns[r->nstats].section = r->section;
		ns[r->nstats].st = s;
		stat_slot_put(r, r->nstats++);
	}
	return c.bad ? KCAP_E_CORRUPT : 0;
}

/* Grows an array of *n pointers, indexed by origin, to origin + 1 slots, the
 * new ones NULL (all bits zero). Returns the array (*n updated) or NULL. */
static void *grow_slots(void *arr, size_t *n, uint16_t origin, size_t elem)
{
	size_t need = (size_t)origin + 1;
	uint8_t *a = realloc(arr, need * elem);
	if (!a)
		return NULL;
	memset(a + *n * elem, 0, (need - *n) * elem);
	*n = need;
	return a;
}

/* An origin snapshot block: its meta names the origin (u16; bytes after it
 * belong to later minor versions and are ignored). */
static int apply_origin_snapshot(kcap_reader *r, const uint8_t *meta, size_t meta_len, const uint8_t *body,
				 size_t body_len)
{
	if (meta_len < KCAP_OSNAP_META_LEN)
		return KCAP_E_CORRUPT;
	uint16_t origin = get_u16(meta);
	kcap_snapshot *s = kcap_snapshot_new();
	if (!s)
		return KCAP_E_NOMEM;
	int rc = kcap_snapshot_decode(s, body, body_len);
	if (!rc && origin >= r->nosnap) {
		kcap_snapshot **n = grow_slots(r->osnap, &r->nosnap, origin, sizeof *n);
		if (n)
			r->osnap = n;
		else
			rc = KCAP_E_NOMEM;
	}
	if (rc) {
		kcap_snapshot_free(s);
		return rc;
	}
	kcap_snapshot_free(r->osnap[origin]);
	r->osnap[origin] = s;
	return 0;
}

static int apply_context(kcap_reader *r, unsigned type, const uint8_t *meta, size_t meta_len, const uint8_t *body,
			 size_t body_len)
{
	int rc = 0;
	if (type == KCAP_BLK_META) {
		kcap_meta *m = kcap_meta_new();
		uint16_t origin = 0;
		if (!m)
			return KCAP_E_NOMEM;
		rc = kcap_meta_decode(m, &origin, body, body_len);
		if (!rc && origin >= r->nmetas) {
			kcap_meta **n = grow_slots(r->metas, &r->nmetas, origin, sizeof *n);
			if (!n) {
				kcap_meta_free(m);
				return KCAP_E_NOMEM;
			}
			r->metas = n;
		}
		if (rc) {
			kcap_meta_free(m);
			return rc;
		}
		if (r->metas[origin]) {
			size_t g = grow_to(r->nold_metas);
			kcap_meta **n = g ? realloc(r->old_metas, g * sizeof *n) : r->old_metas;
			if (!n) {
				kcap_meta_free(m);
				return KCAP_E_NOMEM;
			}
			r->old_metas = n;
			n[r->nold_metas++] = r->metas[origin];
		}
		r->metas[origin] = m;
	} else if (type == KCAP_BLK_SCHEMA) {
		/* Decode into a scratch schema first so a bad block changes nothing. */
		kcap_schema *s = kcap_schema_new();
		if (!s)
			return KCAP_E_NOMEM;
		rc = kcap_schema_decode(s, body, body_len);
		if (!rc)
			rc = kcap_schema_merge(r->schema, s) ? KCAP_E_CORRUPT : 0;
		kcap_schema_free(s);
	} else if (type == KCAP_BLK_SNAPSHOT) {
		kcap_snapshot *s = kcap_snapshot_new();
		if (!s)
			return KCAP_E_NOMEM;
		rc = kcap_snapshot_decode(s, body, body_len);
		if (rc) {
			kcap_snapshot_free(s);
			return rc;
		}
		kcap_snapshot_free(r->snap);
		r->snap = s;
	} else if (type == KCAP_BLK_STATS) {
		rc = apply_stats(r, body, body_len);
	} else if (type == KCAP_BLK_ORIGIN_SNAPSHOT) {
		rc = apply_origin_snapshot(r, meta, meta_len, body, body_len);
	}
	return rc;
}

/* An events block the block filter rules out from its index entry (whose
 * summary the index block's CRC covers) is passed over without being read:
 * on a file that means a seek instead of reading and checking every byte.
 * Returns 1 if skipped, 0 if the block is to be read, <0 on a seek error. */
static int skip_by_index(kcap_reader *r, unsigned type, size_t total)
{
	if (type != KCAP_BLK_EVENTS || !r->bf || !r->nindex || r->seeking || r->mem)
		return 0;
	size_t lo = 0, hi = r->nindex;
	while (lo < hi) { /* entries are in file order */
		size_t mid = lo + (hi - lo) / 2;
		if (r->index[mid].sum.offset < (int64_t)r->pos)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == r->nindex)
		return 0;
	const kcap_block_summary *sum = &r->index[lo].sum;
	if (sum->offset != (int64_t)r->pos || sum->stored_size != total || r->bf(r->bf_ud, sum))
		return 0;
	r->st.blocks++;
	r->st.blocks_skipped++;
	r->st.raw_bytes += sum->raw_size;
	if (jump(r, r->pos + total))
		return -1;
	r->st.bytes += total;
	return 1;
}

/*
 * Reads the next structure. Returns 1 with a verified block at here() of
 * *blen bytes (not yet consumed), 2 with an events block cut short by the
 * end of the input or by the next section's header, of which *blen bytes
 * are present (for salvage_events), 0 at EOF, negative on fatal error.
 * Section headers are consumed here; damage is reported and stepped over.
 */
static int next_block(kcap_reader *r, size_t *blen)
{
	for (;;) {
		int64_t avail = fill(r, KCAP_BLOCK_HDR_LEN);
		if (avail < 0)
			return r->err.code;
		if (avail == 0)
			return 0;
		const uint8_t *p = here(r);
		if (avail >= KCAP_SECTION_HDR_LEN && !memcmp(p, KCAP_MAGIC, KCAP_MAGIC_LEN)) {
			uint16_t major = get_u16(p + 8), minor = get_u16(p + 10);
			if (major > KCAP_FORMAT_MAJOR)
				return kcap_seterr(&r->err, KCAP_E_VERSION, (int64_t)r->pos,
						   "format version %u.%u is newer than this kcap (reads %d.x); upgrade kcap",
						   major, minor, KCAP_FORMAT_MAJOR);
			if (major >= 1) {
				begin_section(r, major, minor);
				advance(r, KCAP_SECTION_HDR_LEN);
				continue;
			}
		}
		if (avail >= KCAP_BLOCK_HDR_LEN && is_block_header(p)) {
			uint32_t plen = get_u32(p + 8);
			size_t total = (size_t)KCAP_BLOCK_OVERHEAD + plen;
			int sk = skip_by_index(r, get_u16(p + 4), total);
			if (sk < 0)
				return r->err.code;
			if (sk)
				continue;
			int64_t got = fill(r, total);
			if (got < 0)
				return r->err.code;
			p = here(r);
			unsigned type = get_u16(p + 4);
			/* A capture cut inside a block and followed by another one
			 * (cat cut.kcap next.kcap) leaves the next section's header
			 * inside the bytes the cut block claims: resume there. */
			int whole = (size_t)got >= total;
			if (!whole || kcap_crc32c(kcap_crc32c(0, p, 12), p + KCAP_BLOCK_HDR_LEN, plen) != get_u32(p + 12)) {
				size_t next = section_within(p, whole ? total : (size_t)got);
				if (type == KCAP_BLK_EVENTS && (next || !whole)) {
					/* cut short: the caller recovers what is present */
					*blen = next ? next : (size_t)got;
					r->cut_by_section = next != 0;
					return 2;
				}
				if (!whole && !next) {
					damage(r, KCAP_E_TRUNCATED, r->pos, (uint64_t)got,
					       "%s block truncated: %zu of %zu bytes present", block_name(type), (size_t)got,
					       total);
					advance(r, (uint64_t)got);
					return 0;
				}
				if (next) {
					damage(r, KCAP_E_TRUNCATED, r->pos, next,
					       "%s block cut short by the next section's header: %zu of %zu bytes present; "
					       "block skipped", block_name(type), next, total);
					advance(r, next);
					continue;
				}
				damage(r, KCAP_E_CORRUPT, r->pos, total, "CRC mismatch in %s block; block skipped",
				       block_name(type));
				advance(r, total);
				continue;
			}
			if (!r->in_section) /* damaged section header: assume the version we read */
				begin_section(r, KCAP_FORMAT_MAJOR, KCAP_FORMAT_MINOR);
			*blen = total;
			return 1;
		}
		uint64_t off = r->pos;
		int64_t skipped = resync(r);
		if (skipped < 0)
			return r->err.code;
		int at_end = fill(r, 1) == 0;
		damage(r, avail < KCAP_BLOCK_HDR_LEN && r->eof ? KCAP_E_TRUNCATED : KCAP_E_CORRUPT, off,
		       (uint64_t)skipped, "%s; skipped %lld bytes to %s",
		       avail < KCAP_BLOCK_HDR_LEN && r->eof ? "truncated block header" : "no valid block header",
		       (long long)skipped, at_end ? "the end of the input" : "the next intact block");
	}
}

/* Handles a verified non-events block; returns 0 or fatal error. */
static int handle_other(kcap_reader *r, const uint8_t *blk, size_t blen)
{
	unsigned type = get_u16(blk + 4);
	uint32_t plen = (uint32_t)(blen - KCAP_BLOCK_OVERHEAD);
	if (type == KCAP_BLK_INDEX) {
		r->section_indexed = 1;
		return 0;
	}
	if (type == KCAP_BLK_FOOTER) {
		r->st.has_footer = 1;
		return 0;
	}
	if (!kcap_blk_known(type)) {
		r->st.unknown_blocks++;
		return 0;
	}
	const uint8_t *meta, *body;
	uint32_t ml;
	size_t bl;
	int rc = block_body(r, blk, plen, &meta, &ml, &body, &bl);
	if (!rc)
		rc = apply_context(r, type, meta, ml, body, bl);
	if (rc == KCAP_E_NOMEM)
		return kcap_seterr(&r->err, rc, (int64_t)r->pos, "out of memory");
	if (rc)
		damage(r, rc, r->pos, blen, "malformed %s block (%s); block skipped", block_name(type),
		       kcap_strerror(rc));
	return 0;
}

/* Starts iterating a verified events block. Returns 1 if events are ready,
 * 0 if the block was skipped, negative on fatal error. */
static int open_events(kcap_reader *r, const uint8_t *blk, size_t blen)
{
	uint32_t plen = (uint32_t)(blen - KCAP_BLOCK_OVERHEAD);
	const uint8_t *p = blk + KCAP_BLOCK_HDR_LEN;
	kcap_block_summary sum = {0};
	uint32_t ml = plen >= 8 ? get_u32(p) : 0;
	if (plen < 8 || ml > plen - 8 || kcap_summary_decode(&sum, p + 8, ml)) {
		damage(r, KCAP_E_CORRUPT, r->pos, blen, "malformed events block header; block skipped");
		return 0;
	}
	sum.offset = (int64_t)r->pos;
	sum.stored_size = (uint32_t)blen;
	r->st.blocks++;
	r->st.raw_bytes += sum.raw_size;
	if ((r->seeking && sum.last_ts < r->seek_ts) || (r->bf && !r->bf(r->bf_ud, &sum))) {
		r->st.blocks_skipped++;
		return 0;
	}
	const uint8_t *meta, *body;
	uint32_t mlen;
	size_t bl;
	int rc = block_body(r, blk, plen, &meta, &mlen, &body, &bl);
	if (rc == KCAP_E_NOMEM)
		return kcap_seterr(&r->err, rc, (int64_t)r->pos, "out of memory");
	if (rc) {
		damage(r, rc, r->pos, blen, "events block does not decompress (%s); block skipped", kcap_strerror(rc));
		return 0;
	}
	if (body != r->raw) { /* stored raw: copy out, the window moves on */
		if (bl > r->raw_cap) {
			uint8_t *n = realloc(r->raw, bl);
			if (!n)
				return kcap_seterr(&r->err, KCAP_E_NOMEM, (int64_t)r->pos, "out of memory");
			r->raw = n;
			r->raw_cap = bl;
		}
		memcpy(r->raw, body, bl);
	}
	r->st.blocks_decoded++;
	r->evp = r->raw;
	r->evend = r->raw + bl;
	r->ev_left = sum.count;
	r->ev_index = 0;
	r->block_off = r->pos;
	r->prev_ts = (int64_t)get_u64(meta + 40);
	r->prev_seq = get_u64(meta + 48);
	return 1;
}

/* Decompresses as much of a zstd body as the n bytes at src hold, into
 * r->raw, which grows with what is produced up to raw_len. Returns the
 * bytes produced (every zstd block complete in src), or -1 out of memory. */
static int64_t inflate_prefix(kcap_reader *r, const uint8_t *src, size_t n, size_t raw_len)
{
	/* The window a frame may ask for is bounded by the body size the block
	 * declares: a hostile frame header cannot make the decoder allocate more. */
	int wl = 10; /* ZSTD_WINDOWLOG_ABSOLUTEMIN */
	while (wl < 30 && ((size_t)1 << wl) < raw_len)
		wl++;
	int64_t rc = 0;
	ZSTD_DCtx_reset(r->dz, ZSTD_reset_session_and_parameters);
	ZSTD_DCtx_setParameter(r->dz, ZSTD_d_windowLogMax, wl);
	ZSTD_inBuffer in = {src, n, 0};
	size_t produced = 0;
	while (produced < raw_len) {
		size_t room = r->raw_cap < raw_len ? r->raw_cap : raw_len;
		if (produced == room) {
			size_t cap = r->raw_cap ? r->raw_cap * 2 : (128u << 10);
			cap = cap < raw_len ? cap : raw_len;
			uint8_t *b = realloc(r->raw, cap);
			if (!b) {
				rc = -1;
				goto cleanup;
			}
			r->raw = b;
			r->raw_cap = room = cap;
		}
		ZSTD_outBuffer out = {r->raw, room, produced};
		size_t k = ZSTD_decompressStream(r->dz, &out, &in);
		if (ZSTD_isError(k))
			break; /* what earlier calls produced stands */
		produced = out.pos;
		if (k == 0 || (in.pos == in.size && out.pos < out.size))
			break; /* the frame ends, or so does the input */
	}
	rc = (int64_t)produced;
cleanup:
	ZSTD_DCtx_reset(r->dz, ZSTD_reset_session_and_parameters);
	return rc;
}

/* Puts the part present of a block's body, stored_len bytes of it stored
 * with codec, into r->raw: as stored, or decompressed as far as it goes.
 * Returns the bytes there, or -1 out of memory. */
static int64_t present_body(kcap_reader *r, unsigned codec, const uint8_t *stored, size_t stored_len, size_t raw_len)
{
	if (codec == KCAP_CODEC_ZSTD)
		return inflate_prefix(r, stored, stored_len, raw_len);
	if (codec != KCAP_CODEC_NONE || stored_len > raw_len)
		return 0;
	if (stored_len > r->raw_cap) {
		uint8_t *b = realloc(r->raw, stored_len);
		if (!b)
			return -1;
		r->raw = b;
		r->raw_cap = stored_len;
	}
	if (stored_len)
		memcpy(r->raw, stored, stored_len);
	return (int64_t)stored_len;
}

/* Counts the records at the start of the bl bytes of r->raw that are
 * complete and pass the same checks as normal decoding (the first that does
 * not ends them), at most sum->count, from the block's base ts and seq.
 * Narrows *sum to them: its count and time and seq ranges claim the whole
 * block (its type set, pids and Bloom filter still cover the part, which is
 * all a filter needs of them). *end is where the last of them ends. */
static uint32_t recover_records(kcap_reader *r, size_t bl, int64_t ts, uint64_t seq, kcap_block_summary *sum,
				const uint8_t **end)
{
	const uint8_t *q = r->raw, *lim = r->raw;
	if (bl) /* r->raw may be NULL when nothing was produced */
		lim += bl;
	uint32_t n = 0;
	while (n < sum->count) {
		const uint8_t *s = q;
		uint64_t rl;
		if (get_varint(&s, lim, &rl) || rl > (uint64_t)(lim - s) ||
		    kcap_event_decode(s, s + rl, r->schema, ts, seq, &r->ev, r->vals))
			break;
		q = s + rl;
		ts = r->ev.ts;
		seq = r->ev.seq;
		if (!n || ts < sum->first_ts)
			sum->first_ts = ts;
		if (!n || ts > sum->last_ts)
			sum->last_ts = ts;
		if (!n || seq < sum->first_seq)
			sum->first_seq = seq;
		if (!n || seq > sum->last_seq)
			sum->last_seq = seq;
		n++;
	}
	sum->count = n;
	sum->raw_size = (uint32_t)bl;
	*end = q;
	return n;
}

/*
 * An events block cut short: got of its bytes are present, then the input
 * ends or the next section begins. The block's CRC covers the whole payload
 * and cannot be checked, but the bytes present are what was written, and
 * ts/seq are delta-coded from the block's start: the records at the start
 * of the body that are complete and decode as they would in the whole block
 * are delivered (up to the first that does not). A payload that is whole
 * (only the trailer is missing) is checked against the CRC: on a mismatch
 * nothing is delivered. Reports the damage; returns 1 if events are ready,
 * 0 if none, negative on fatal error.
 */
static int salvage_events(kcap_reader *r, const uint8_t *blk, size_t got)
{
	uint32_t plen = get_u32(blk + 8);
	size_t total = (size_t)KCAP_BLOCK_OVERHEAD + plen;
	size_t have = got - KCAP_BLOCK_HDR_LEN < plen ? got - KCAP_BLOCK_HDR_LEN : plen;
	const uint8_t *p = blk + KCAP_BLOCK_HDR_LEN, *end = NULL;
	unsigned codec = (get_u16(blk + 6) & KCAP_BF_CODEC_MASK) >> KCAP_BF_CODEC_SHIFT;
	kcap_block_summary sum = {0};
	uint32_t n = 0, ml = have >= 8 ? get_u32(p) : 0, raw_len = have >= 8 ? get_u32(p + 4) : 0;
	int whole = have == plen, crc_ok = 0, bad_crc = 0, rc = 0;
	/* the meta whole, else nothing to go by; a whole payload must pass the CRC */
	int usable = have >= 8 && ml <= have - 8 && raw_len <= KCAP_MAX_PAYLOAD && !kcap_summary_decode(&sum, p + 8, ml);
	if (usable && whole) {
		crc_ok = kcap_crc32c(kcap_crc32c(0, blk, 12), p, plen) == get_u32(blk + 12);
		bad_crc = !crc_ok;
	}
	if (usable && !bad_crc) {
		int64_t bl = present_body(r, codec, p + 8 + ml, have - 8 - ml, raw_len);
		if (bl < 0) {
			rc = kcap_seterr(&r->err, KCAP_E_NOMEM, (int64_t)r->pos, "out of memory");
			goto cleanup;
		}
		n = recover_records(r, (size_t)bl, (int64_t)get_u64(p + 8 + 40), get_u64(p + 8 + 48), &sum, &end);
		sum.stored_size = (uint32_t)got;
		r->st.blocks++;
		r->st.raw_bytes += (uint64_t)bl;
	}
	/* One line: what the block is, then what came of the bytes present. */
	char what[160];
	if (n)
		snprintf(what, sizeof what, "%u events recovered from the part present (%s)", n,
			 crc_ok ? "its payload is whole and matches the block's CRC" : "not covered by the block's CRC");
	else if (bad_crc)
		snprintf(what, sizeof what, "its payload is whole but fails the block's CRC; block skipped");
	else
		snprintf(what, sizeof what, "%s", r->cut_by_section ? "block skipped" : "no events recovered");
	damage(r, KCAP_E_TRUNCATED, r->pos, got, "events block %s: %zu of %zu bytes present; %s",
	       r->cut_by_section ? "cut short by the next section's header" : "truncated", got, total, what);
	sum.offset = (int64_t)r->pos;
	if (!n || (r->seeking && sum.last_ts < r->seek_ts) || (r->bf && !r->bf(r->bf_ud, &sum))) {
		r->st.blocks_skipped += n != 0;
		goto cleanup;
	}
	r->st.blocks_decoded++;
	r->evp = r->raw;
	r->evend = end;
	r->ev_left = n;
	r->ev_index = 0;
	r->block_off = r->pos;
	r->prev_ts = (int64_t)get_u64(p + 8 + 40);
	r->prev_seq = get_u64(p + 8 + 48);
	rc = 1;
cleanup:
	return rc;
}

/* The record of r->ev, ending at end, is read: the next one is relative to it. */
static inline void consumed(kcap_reader *r, const uint8_t *end)
{
	r->evp = end;
	r->ev_left--;
	r->ev_index++;
	r->prev_ts = r->ev.ts;
	r->prev_seq = r->ev.seq;
}

/* Counts events that go back in (ts, seq) order, delivered or not. */
static inline void note_order(kcap_reader *r, const kcap_event *ev)
{
	if (r->have_last && (ev->ts < r->last_ts || (ev->ts == r->last_ts && ev->seq < r->last_seq)))
		r->st.unordered++;
	r->last_ts = ev->ts;
	r->last_seq = ev->seq;
	r->have_last = 1;
}

/* kcap_reader_next() with rec NULL, kcap_reader_next_record() with it set:
 * one body, specialized for each. */
static inline __attribute__((always_inline)) int next_event(kcap_reader *r, const kcap_event **out,
							    kcap_record *rec)
{
	if (!r || !out)
		return KCAP_E_INVAL;
	for (;;) {
		while (r->ev_left) {
			uint64_t rl;
			const uint8_t *p = r->evp;
			/* An event filter sees the canonical fields first: the params of
			 * the events it drops are never decoded. */
			int drop = 0;
			if (!rec && r->ef && !get_varint(&p, r->evend, &rl) && rl <= (uint64_t)(r->evend - p) &&
			    !kcap_event_decode_head(p, p + rl, r->schema, r->prev_ts, r->prev_seq, &r->ev) &&
			    !(r->seeking && r->ev.ts < r->seek_ts)) {
				r->ev.meta = r->ev.origin < r->nmetas ? r->metas[r->ev.origin] : NULL;
				drop = !r->ef(r->ef_ud, &r->ev);
			}
			p = r->evp;
			if (drop) {
				get_varint(&p, r->evend, &rl);
				consumed(r, p + rl);
				r->seeking = 0;
				note_order(r, &r->ev);
				r->st.events_dropped++;
				continue;
			}
			if (get_varint(&p, r->evend, &rl) || rl > (uint64_t)(r->evend - p) ||
			    (rec ? kcap_event_decode_record(p, p + rl, r->schema, r->prev_ts, r->prev_seq, &r->ev, rec)
				 : kcap_event_decode(p, p + rl, r->schema, r->prev_ts, r->prev_seq, &r->ev, r->vals))) {
				damage(r, KCAP_E_CORRUPT, r->block_off, 0,
				       "malformed event #%u in events block; %u events of the block lost", r->ev_index,
				       r->ev_left);
				r->ev_left = 0;
				break;
			}
			consumed(r, p + rl);
			if (r->seeking) {
				if (r->ev.ts < r->seek_ts)
					continue;
				r->seeking = 0;
			}
			kcap_event *ev = &r->ev;
			ev->meta = ev->origin < r->nmetas ? r->metas[ev->origin] : NULL;
			ev->snapshot = kcap_reader_snapshot_for(r, ev->origin);
			note_order(r, ev);
			r->st.events++;
			*out = ev;
			return 1;
		}
		size_t blen;
		int rc = next_block(r, &blen);
		if (rc <= 0) {
			if (rc == 0 && r->in_section && !r->section_indexed)
				r->st.indexed = 0;
			return rc;
		}
		const uint8_t *blk = here(r);
		if (rc == 2)
			rc = salvage_events(r, blk, blen);
		else if (get_u16(blk + 4) == KCAP_BLK_EVENTS)
			rc = open_events(r, blk, blen);
		else
			rc = handle_other(r, blk, blen);
		advance(r, blen);
		if (rc < 0)
			return rc;
	}
}

int kcap_reader_next(kcap_reader *r, const kcap_event **out) { return next_event(r, out, NULL); }

int kcap_reader_next_record(kcap_reader *r, const kcap_event **out, kcap_record *rec)
{
	if (!rec)
		return KCAP_E_INVAL;
	return next_event(r, out, rec);
}

int kcap_reader_next_raw_block(kcap_reader *r, const void **block, size_t *len, const kcap_block_summary *sum_out[])
{
	if (!r)
		return KCAP_E_INVAL;
	r->ev_left = 0;
	for (;;) {
		size_t blen;
		int rc = next_block(r, &blen);
		if (rc <= 0)
			return rc;
		const uint8_t *blk = here(r);
		unsigned type = get_u16(blk + 4);
		if (rc == 2) { /* never copied raw: its events are read as events */
			rc = salvage_events(r, blk, blen);
			advance(r, blen);
			if (rc < 0)
				return rc;
			if (!rc)
				continue;
			*block = NULL;
			*len = 0;
			if (sum_out)
				*sum_out = NULL;
			return KCAP_RAW_EVENTS;
		}
		if (!kcap_blk_known(type) && (get_u16(blk + 6) & KCAP_BF_COPY)) {
			/* unknown, but marked for copying: hand it to the rewriting tool */
			r->st.unknown_blocks++;
			*block = blk;
			*len = blen;
			if (sum_out)
				*sum_out = NULL;
			advance(r, blen);
			return 1;
		}
		if (type != KCAP_BLK_EVENTS) {
			rc = handle_other(r, blk, blen);
			advance(r, blen);
			if (rc < 0)
				return rc;
			continue;
		}
		uint32_t plen = (uint32_t)(blen - KCAP_BLOCK_OVERHEAD);
		const uint8_t *p = blk + KCAP_BLOCK_HDR_LEN;
		uint32_t ml = plen >= 8 ? get_u32(p) : 0;
		memset(&r->raw_sum, 0, sizeof r->raw_sum);
		if (plen < 8 || ml > plen - 8 || kcap_summary_decode(&r->raw_sum, p + 8, ml)) {
			damage(r, KCAP_E_CORRUPT, r->pos, blen, "malformed events block header; block skipped");
			advance(r, blen);
			continue;
		}
		r->raw_sum.offset = (int64_t)r->pos;
		r->raw_sum.stored_size = (uint32_t)blen;
		r->st.blocks++;
		r->st.raw_bytes += r->raw_sum.raw_size;
		r->st.events += r->raw_sum.count;
		*block = blk;
		*len = blen;
		if (sum_out)
			*sum_out = &r->raw_sum;
		advance(r, blen); /* the window keeps the bytes until the next fill */
		return 1;
	}
}

/* ---- open / close ---- */

static int start(kcap_reader *r, kcap_error *err)
{
	r->schema = kcap_schema_new();
	r->dz = ZSTD_createDCtx();
	if (!r->schema || !r->dz)
		return kcap_seterr(err, KCAP_E_NOMEM, -1, "out of memory");
	r->st.indexed = 1;
	int64_t avail = fill(r, KCAP_SECTION_HDR_LEN);
	if (avail < 0) {
		if (err)
			*err = r->err;
		return r->err.code;
	}
	const uint8_t *p = here(r);
	if (avail == 0)
		return kcap_seterr(err, KCAP_E_TRUNCATED, 0, "empty input");
	if (avail >= 8 && p[0] == 0x89 && !memcmp(p + 1, "KCP", 3) && memcmp(p, KCAP_MAGIC, 8)) {
		if (!memcmp(p + 4, "\n\x1a\n", 3))
			return kcap_seterr(err, KCAP_E_FORMAT, 0,
					   "damaged kcap header: CR-LF became LF (file transferred in text mode)");
		if (!memcmp(p + 4, "\r\n\x1a\r", 4))
			return kcap_seterr(err, KCAP_E_FORMAT, 0,
					   "damaged kcap header: LF became CR-LF (file transferred in text mode)");
	}
	if (avail >= 4 && p[0] == 0x09 && !memcmp(p + 1, "KCP", 3))
		return kcap_seterr(err, KCAP_E_FORMAT, 0, "damaged kcap header: high bit stripped (7-bit transfer)");
	if (avail >= KCAP_SECTION_HDR_LEN && !memcmp(p, KCAP_MAGIC, KCAP_MAGIC_LEN)) {
		uint16_t major = get_u16(p + 8), minor = get_u16(p + 10);
		if (major > KCAP_FORMAT_MAJOR)
			return kcap_seterr(err, KCAP_E_VERSION, 0,
					   "format version %u.%u is newer than this kcap (reads %d.x); upgrade kcap", major,
					   minor, KCAP_FORMAT_MAJOR);
		if (major >= 1)
			return 0;
	}
	/* Not a header. Accept a capture whose header alone is damaged: a valid
	 * block must start within the first HEADER_SCAN_LIMIT bytes. */
	avail = fill(r, HEADER_SCAN_LIMIT);
	p = here(r);
	for (int64_t i = 0; avail > 0 && i + KCAP_BLOCK_HDR_LEN <= avail; i++)
		if (p[i] == kcap_sync[0] && is_block_header(p + i))
			return 0; /* next_block reports the damaged header */
	if (avail < KCAP_SECTION_HDR_LEN && !memcmp(p, KCAP_MAGIC, avail < 8 ? (size_t)avail : 8))
		return kcap_seterr(err, KCAP_E_TRUNCATED, 0, "truncated kcap header: %lld of %d bytes", (long long)avail,
				   KCAP_SECTION_HDR_LEN);
	return kcap_seterr(err, KCAP_E_FORMAT, 0, "not a kcap capture (bad magic)");
}

static kcap_reader *new_reader(const char *name)
{
	kcap_reader *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->name = strdup(name ? name : "-");
	r->fd = -1;
	r->file_size = -1;
	if (!r->name) {
		free(r);
		return NULL;
	}
	return r;
}

int kcap_reader_open_fd(kcap_reader **out, int fd, int own_fd, const char *name, kcap_error *err)
{
	*out = NULL;
	kcap_reader *r = new_reader(name);
	if (!r)
		return kcap_seterr(err, KCAP_E_NOMEM, -1, "out of memory");
	r->fd = fd;
	r->own_fd = own_fd;
	struct stat sb;
	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode)) {
		r->seekable = 1;
		r->file_size = sb.st_size;
		off_t at = lseek(fd, 0, SEEK_CUR);
		r->pos = r->win_off = at > 0 ? (uint64_t)at : 0;
	}
	int rc = start(r, err);
	if (rc) {
		r->own_fd = 0;
		kcap_reader_close(r);
		return rc;
	}
	*out = r;
	return 0;
}

int kcap_reader_open_path(kcap_reader **out, const char *path, kcap_error *err)
{
	*out = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		kcap_seterr(err, KCAP_E_IO, -1, "%s", strerror(e));
		if (err)
			err->sys_errno = e;
		return KCAP_E_IO;
	}
	int rc = kcap_reader_open_fd(out, fd, 1, path, err);
	if (rc)
		close(fd);
	return rc;
}

int kcap_reader_open_mem(kcap_reader **out, const void *buf, size_t len, const char *name, kcap_error *err)
{
	*out = NULL;
	kcap_reader *r = new_reader(name);
	if (!r)
		return kcap_seterr(err, KCAP_E_NOMEM, -1, "out of memory");
	r->mem = buf;
	r->win_len = len;
	r->seekable = 1;
	r->file_size = (int64_t)len;
	r->eof = 1;
	int rc = start(r, err);
	if (rc) {
		kcap_reader_close(r);
		return rc;
	}
	*out = r;
	return 0;
}

static void free_index(kcap_reader *r)
{
	for (size_t i = 0; i < r->nindex; i++)
		free(r->index[i].meta_copy);
	free(r->index);
	r->index = NULL;
	r->nindex = 0;
	for (size_t i = 0; i < r->nsections; i++)
		free(r->sections[i].context);
	free(r->sections);
	r->sections = NULL;
	r->nsections = 0;
}

void kcap_reader_close(kcap_reader *r)
{
	if (!r)
		return;
	if (r->own_fd && r->fd >= 0)
		close(r->fd);
	free(r->name);
	free(r->win);
	kcap_schema_free(r->schema);
	for (size_t i = 0; i < r->nold_schemas; i++)
		kcap_schema_free(r->old_schemas[i]);
	free(r->old_schemas);
	for (size_t i = 0; i < r->nmetas; i++)
		kcap_meta_free(r->metas[i]);
	free(r->metas);
	for (size_t i = 0; i < r->nold_metas; i++)
		kcap_meta_free(r->old_metas[i]);
	free(r->old_metas);
	kcap_snapshot_free(r->snap);
	free_origin_snapshots(r);
	for (size_t i = 0; i < r->nstats; i++)
		free((char *)r->stats[i].st.source);
	free(r->stats);
	free(r->stat_slot);
	free(r->stat_view);
	ZSTD_freeDCtx(r->dz);
	free(r->raw);
	free(r->aux);
	free_index(r);
	free(r);
}

void kcap_reader_set_damage_cb(kcap_reader *r, kcap_damage_fn fn, void *ud)
{
	if (r) {
		r->dmg = fn;
		r->dmg_ud = ud;
	}
}

void kcap_reader_set_block_filter(kcap_reader *r, kcap_block_filter_fn fn, void *ud)
{
	if (r) {
		r->bf = fn;
		r->bf_ud = ud;
	}
}

void kcap_reader_set_event_filter(kcap_reader *r, kcap_event_filter_fn fn, void *ud)
{
	if (r) {
		r->ef = fn;
		r->ef_ud = ud;
	}
}

const kcap_schema *kcap_reader_schema(const kcap_reader *r) { return r ? r->schema : NULL; }
size_t kcap_reader_origin_count(const kcap_reader *r) { return r ? r->nmetas : 0; }
const kcap_meta *kcap_reader_meta(const kcap_reader *r, uint16_t origin)
{
	return (r && origin < r->nmetas) ? r->metas[origin] : NULL;
}
const kcap_snapshot *kcap_reader_snapshot(const kcap_reader *r) { return r ? r->snap : NULL; }
const kcap_snapshot *kcap_reader_origin_snapshot(const kcap_reader *r, uint16_t origin)
{
	return (r && origin < r->nosnap) ? r->osnap[origin] : NULL;
}
const kcap_snapshot *kcap_reader_snapshot_for(const kcap_reader *r, uint16_t origin)
{
	const kcap_snapshot *s = kcap_reader_origin_snapshot(r, origin);
	return s ? s : kcap_reader_snapshot(r);
}
size_t kcap_reader_origin_snapshot_count(const kcap_reader *r) { return r ? r->nosnap : 0; }
size_t kcap_reader_stat_count(const kcap_reader *r) { return r ? r->nstats : 0; }
const kcap_stat *kcap_reader_stat_at(const kcap_reader *r, size_t i)
{
	return (r && i < r->nstats) ? &r->stats[i].st : NULL;
}
uint32_t kcap_reader_section(const kcap_reader *r) { return r ? r->section : 0; }
void kcap_reader_version(const kcap_reader *r, uint16_t *major, uint16_t *minor)
{
	if (major)
		*major = r ? r->major : 0;
	if (minor)
		*minor = r ? r->minor : 0;
}
const kcap_reader_stats *kcap_reader_get_stats(const kcap_reader *r) { return r ? &r->st : NULL; }
const kcap_error *kcap_reader_error(const kcap_reader *r) { return r ? &r->err : NULL; }
const char *kcap_reader_name(const kcap_reader *r) { return r ? r->name : NULL; }
uint32_t kcap_reader_block_events_left(const kcap_reader *r) { return r ? r->ev_left : 0; }

/* ---- index ---- */

/* Reads and verifies a whole block at off into a malloc'd buffer. */
static int read_block_at(kcap_reader *r, uint64_t off, uint8_t **out, size_t *len)
{
	uint8_t hdr[KCAP_BLOCK_HDR_LEN];
	int rc = read_at(r, off, hdr, sizeof hdr);
	if (rc)
		return rc;
	if (!is_block_header(hdr))
		return KCAP_E_CORRUPT;
	size_t total = KCAP_BLOCK_OVERHEAD + (size_t)get_u32(hdr + 8);
	if (r->file_size >= 0 && off + total > (uint64_t)r->file_size)
		return KCAP_E_TRUNCATED;
	uint8_t *b = malloc(total);
	if (!b)
		return KCAP_E_NOMEM;
	if ((rc = read_at(r, off, b, total)) == 0 &&
	    kcap_crc32c(kcap_crc32c(0, b, 12), b + KCAP_BLOCK_HDR_LEN, total - KCAP_BLOCK_OVERHEAD) != get_u32(b + 12))
		rc = KCAP_E_CORRUPT;
	if (rc) {
		free(b);
		return rc;
	}
	*out = b;
	*len = total;
	return 0;
}

/* Parses one section's index block; entries are appended. */
static int load_section_index(kcap_reader *r, uint64_t sec_start, uint64_t index_off, index_entry **ents,
			      size_t *nents, section_ctx *ctx)
{
	uint8_t *blk = NULL;
	size_t blen;
	int rc = read_block_at(r, sec_start + index_off, &blk, &blen);
	if (rc)
		return rc;
	const uint8_t *meta, *body;
	uint32_t ml;
	size_t bl;
	if (get_u16(blk + 4) != KCAP_BLK_INDEX ||
	    (rc = block_body(r, blk, (uint32_t)(blen - KCAP_BLOCK_OVERHEAD), &meta, &ml, &body, &bl))) {
		free(blk);
		return rc ? rc : KCAP_E_CORRUPT;
	}
	cur c = {body, body + bl, 0};
	uint64_t nctx = cur_varint(&c);
	if (nctx > bl) {
		free(blk);
		return KCAP_E_CORRUPT;
	}
	ctx->start = sec_start;
	ctx->context = calloc(nctx ? nctx : 1, sizeof *ctx->context);
	if (!ctx->context) {
		free(blk);
		return KCAP_E_NOMEM;
	}
	for (uint64_t i = 0; i < nctx && !c.bad; i++)
		ctx->context[ctx->ncontext++] = sec_start + cur_varint(&c);
	uint64_t n = cur_varint(&c);
	for (uint64_t i = 0; i < n && !c.bad; i++) {
		uint64_t off = cur_varint(&c), sz = cur_varint(&c), mlen = cur_varint(&c);
		const uint8_t *m = cur_bytes(&c, mlen);
		if (!m)
			break;
		/* capacity doubles at each power of two: no quadratic copying */
		int grow = (*nents & (*nents - 1)) == 0;
		index_entry *ne = grow ? realloc(*ents, (*nents ? *nents * 2 : 1) * sizeof *ne) : *ents;
		uint8_t *copy = malloc(mlen);
		if (!ne || !copy) {
			free(copy);
			if (ne)
				*ents = ne;
			rc = KCAP_E_NOMEM;
			break;
		}
		*ents = ne;
		memcpy(copy, m, mlen);
		index_entry *e = &ne[*nents];
		memset(e, 0, sizeof *e);
		if (kcap_summary_decode(&e->sum, copy, mlen)) {
			free(copy);
			c.bad = 1;
			break;
		}
		e->meta_copy = copy;
		e->sum.offset = (int64_t)(sec_start + off);
		e->sum.stored_size = (uint32_t)sz;
		e->section_start = sec_start;
		(*nents)++;
	}
	free(blk);
	if (!rc && c.bad)
		rc = KCAP_E_CORRUPT;
	return rc;
}

int kcap_reader_load_index(kcap_reader *r)
{
	if (!r)
		return KCAP_E_INVAL;
	if (r->index_loaded)
		return (int)r->nindex;
	r->index_loaded = 1;
	if (!r->seekable || r->file_size < (int64_t)KCAP_FOOTER_BLOCK_LEN)
		return 0;
	/* Walk footers backwards from EOF: each locates its section's start,
	 * and the previous section's footer ends right before it. */
	uint64_t end = (uint64_t)r->file_size;
	index_entry *all = NULL;
	size_t nall = 0;
	int rc = 0;
	while (end >= KCAP_FOOTER_BLOCK_LEN + KCAP_SECTION_HDR_LEN) {
		uint8_t *blk = NULL;
		size_t blen;
		uint64_t foff = end - KCAP_FOOTER_BLOCK_LEN;
		if (read_block_at(r, foff, &blk, &blen) || get_u16(blk + 4) != KCAP_BLK_FOOTER ||
		    blen != KCAP_FOOTER_BLOCK_LEN) {
			free(blk);
			break;
		}
		const uint8_t *f = blk + KCAP_BLOCK_HDR_LEN + KCAP_PAYLOAD_PREFIX_LEN;
		uint64_t index_off = get_u64(f), sec_len = get_u64(f + 8);
		free(blk);
		if (sec_len > foff || !index_off)
			break;
		uint64_t sec_start = foff - sec_len;
		index_entry *ents = NULL;
		size_t nents = 0;
		section_ctx ctx = {0};
		rc = load_section_index(r, sec_start, index_off, &ents, &nents, &ctx);
		if (rc) {
			for (size_t i = 0; i < nents; i++)
				free(ents[i].meta_copy);
			free(ents);
			free(ctx.context);
			if (rc == KCAP_E_NOMEM)
				break;
			rc = 0;
			break;
		}
		/* prepend this section */
		index_entry *m = malloc((nall + nents + 1) * sizeof *m);
		section_ctx *sc = realloc(r->sections, (r->nsections + 1) * sizeof *sc);
		if (sc)
			r->sections = sc;
		if (!m || !sc) {
			free(m);
			for (size_t i = 0; i < nents; i++)
				free(ents[i].meta_copy);
			free(ents);
			free(ctx.context);
			rc = KCAP_E_NOMEM;
			break;
		}
		memmove(r->sections + 1, r->sections, r->nsections * sizeof *sc);
		r->sections[0] = ctx;
		r->nsections++;
		if (nents)
			memcpy(m, ents, nents * sizeof *m);
		if (nall)
			memcpy(m + nents, all, nall * sizeof *m);
		free(all);
		free(ents);
		all = m;
		nall += nents;
		end = sec_start;
	}
	for (size_t i = 0; i < nall; i++)
		all[i].sum.bloom = all[i].sum.bloom ? all[i].meta_copy + KCAP_EVMETA_FIXED_LEN : NULL;
	r->index = all;
	r->nindex = nall;
	r->index_complete = end == 0 && nall > 0;
	if (rc)
		return kcap_seterr(&r->err, rc, -1, "cannot load index: %s", kcap_strerror(rc));
	return (int)nall;
}

size_t kcap_reader_index_count(const kcap_reader *r) { return r ? r->nindex : 0; }
const kcap_block_summary *kcap_reader_index_at(const kcap_reader *r, size_t i)
{
	return (r && i < r->nindex) ? &r->index[i].sum : NULL;
}

/* Re-reads a section's context blocks that lie before off. */
static int load_context(kcap_reader *r, const section_ctx *sc, uint64_t off)
{
	for (size_t i = 0; i < sc->ncontext && sc->context[i] < off; i++) {
		uint8_t *blk = NULL;
		size_t blen;
		if (read_block_at(r, sc->context[i], &blk, &blen))
			continue; /* damaged context block: the sequential path reports it */
		const uint8_t *meta, *body;
		uint32_t ml;
		size_t bl;
		unsigned type = get_u16(blk + 4);
		if (!block_body(r, blk, (uint32_t)(blen - KCAP_BLOCK_OVERHEAD), &meta, &ml, &body, &bl))
			apply_context(r, type, meta, ml, body, bl);
		free(blk);
	}
	return 0;
}

int kcap_reader_seek_time(kcap_reader *r, int64_t ts)
{
	if (!r)
		return KCAP_E_INVAL;
	r->seeking = 1;
	r->seek_ts = ts;
	r->ev_left = 0;
	if (!r->seekable)
		return 0; /* forward scan, skipping blocks by their headers */
	int n = kcap_reader_load_index(r);
	if (n <= 0 || !r->index_complete)
		return n < 0 ? n : 0;
	/* First entry whose last_ts >= ts; binary search while entries are
	 * sorted by time (ordered sections in ascending order). */
	size_t lo = 0, hi = r->nindex, target = r->nindex;
	int sorted = 1;
	for (size_t i = 1; i < r->nindex && sorted; i++)
		sorted = r->index[i].sum.first_ts >= r->index[i - 1].sum.last_ts && r->index[i].sum.ordered;
	if (sorted) {
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (r->index[mid].sum.last_ts < ts)
				lo = mid + 1;
			else
				hi = mid;
		}
		target = lo;
	} else {
		for (size_t i = 0; i < r->nindex; i++)
			if (r->index[i].sum.last_ts >= ts) {
				target = i;
				break;
			}
	}
	if (target == r->nindex) /* nothing at or after ts: go to EOF */
		return jump(r, (uint64_t)r->file_size);
	const index_entry *e = &r->index[target];
	const section_ctx *sc = NULL;
	uint32_t sec_no = 0;
	for (size_t i = 0; i < r->nsections; i++)
		if (r->sections[i].start == e->section_start) {
			sc = &r->sections[i];
			sec_no = (uint32_t)i;
		}
	if (!sc)
		return 0;
	/* Fresh section state from the section's context blocks. */
	if (r->in_section && r->section != sec_no) {
		begin_section(r, r->major, r->minor);
		r->st.sections--;
	}
	r->in_section = 1;
	r->section = sec_no;
	r->section_indexed = 1;
	load_context(r, sc, (uint64_t)e->sum.offset);
	r->have_last = 0;
	return jump(r, (uint64_t)e->sum.offset);
}
