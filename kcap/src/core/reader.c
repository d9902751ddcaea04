/* Capture reader: the sequential block walk, sections and their context
 * blocks, events, open/close. Recovery of damaged input is in
 * reader_salvage.c, the index and seeking in reader_index.c. */
#include <errno.h>
#include <fcntl.h>
#ifndef _WIN32
#include <poll.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "core/reader_internal.h"

#define HEADER_SCAN_LIMIT (64u * 1024) /* a damaged magic is accepted if a block starts this early */

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
	case KCAP_BLK_SNAPSHOT_UPDATE: return "snapshot update";
	case KCAP_BLK_SEAL: return "seal";
	default: return "unknown";
	}
}
void kcap_rd_damage(kcap_reader *r, int code, uint64_t off, uint64_t skipped, const char *fmt, ...)
{
	kcap_error e = {0};
	va_list ap;
	va_start(ap, fmt);
	kcap_vseterr(&e, code, (int64_t)off, fmt, ap);
	va_end(ap);
	r->st.damaged++;
	r->st.damaged_bytes += skipped;
	if (r->dmg)
		r->dmg(r->dmg_ud, &e, skipped);
	r->dmg_lost = -1;
	r->dmg_got = 0;
}

void kcap_rd_observe(kcap_reader *r, const uint8_t *p, size_t len, int status)
{
	if (!r->obs)
		return;
	kcap_block_info b = {0};
	b.offset = r->pos;
	b.section = r->section;
	b.status = status;
	b.bytes = p;
	b.len = len;
	if (status != KCAP_BLOCK_SECTION && len >= 8) {
		b.type = get_u16(p + 4);
		b.flags = get_u16(p + 6);
	}
	b.section_start = r->sec_start;
	r->obs(r->obs_ud, &b);
}

/* The event count an events block's meta claims (not covered by a CRC
 * that held), or -1 when its meta does not decode. */
static int64_t claimed_events(const uint8_t *blk, size_t have)
{
	if (have < KCAP_BLOCK_HDR_LEN + KCAP_PAYLOAD_PREFIX_LEN + KCAP_EVMETA_FIXED_LEN)
		return -1;
	uint32_t plen = get_u32(blk + 8), ml = get_u32(blk + KCAP_BLOCK_HDR_LEN);
	kcap_block_summary sum;
	if (ml > plen - KCAP_PAYLOAD_PREFIX_LEN || KCAP_BLOCK_HDR_LEN + KCAP_PAYLOAD_PREFIX_LEN + (size_t)ml > have ||
	    kcap_summary_decode(&sum, blk + KCAP_BLOCK_HDR_LEN + KCAP_PAYLOAD_PREFIX_LEN, ml))
		return -1;
	return sum.count;
}
/* ---- input window ---- */

/* Before a read of an input that may block: while it has nothing to read,
 * the idle callback is called (and says how long to wait before the next
 * call). A hang-up, an error or a negative answer leave it to read(). */
static void wait_input(kcap_reader *r)
{
#ifdef _WIN32
	(void)r; /* Windows pipes are not polled: a read waits, as before */
}
#else
	struct pollfd pf = {.fd = r->fd, .events = POLLIN};
	int64_t waited = 0;
	int timeout = 0;
	for (;;) {
		int k = poll(&pf, 1, timeout);
		if (k < 0 && errno == EINTR)
			continue;
		if (k != 0)
			return;
		waited += timeout;
		timeout = r->idle(r->idle_ud, waited);
		if (timeout < 0)
			return;
	}
}
#endif

/* Makes at least need bytes from pos available (fewer at EOF). Returns the
 * number available, or -1 on a read error (r->err set). */
int64_t kcap_rd_fill(kcap_reader *r, size_t need)
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
		if (r->idle && !r->seekable)
			wait_input(r);
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

/*
 * A new section's first schema block that is byte for byte the encoding of
 * the previous section's schema (captures of one recorder concatenated,
 * members of an archive) takes that schema back instead of building a copy:
 * memory must not grow with the sections passed. The old schema stays what
 * it was (pointers into it stay valid) and may only grow later, as any
 * current schema does. Returns 1 if it was taken back.
 */
static int reuse_schema(kcap_reader *r, const uint8_t *body, size_t body_len)
{
	if (!r->nold_schemas || kcap_schema_type_at(r->schema, 0) || kcap_schema_symset_at(r->schema, 0))
		return 0;
	kcap_schema *last = r->old_schemas[r->nold_schemas - 1];
	if (r->old_enc_of != last || r->old_enc_gen != kcap_schema_generation(last)) {
		r->old_enc.len = 0;
		r->old_enc_of = NULL;
		if (kcap_schema_encode(last, &r->old_enc))
			return 0;
		r->old_enc_of = last;
		r->old_enc_gen = kcap_schema_generation(last);
	}
	if (r->old_enc.len != body_len || memcmp(r->old_enc.data, body, body_len))
		return 0;
	kcap_schema_free(r->schema);
	r->schema = last;
	r->nold_schemas--;
	return 1;
}

static void free_updates(kcap_reader *r);
/* ---- a section's schema blocks, to take a repeated schema back ---- */

/* What a section's schema blocks may hold for the next section to compare
 * with (one section's worth; past it the next section builds its own). */
#define SEQ_MAX_BYTES (8u << 20)

static void seq_free(schema_seq *q)
{
	kcap_buf_free(&q->bytes);
	free(q->end);
	free(q->ntypes);
	memset(q, 0, sizeof *q);
}

static void seq_push(schema_seq *q, const uint8_t *body, size_t len, size_t ntypes)
{
	if (q->broken)
		return;
	if (len > SEQ_MAX_BYTES - q->bytes.len) {
		q->broken = 1;
		return;
	}
	if (q->n == q->cap) {
		size_t c = q->cap ? q->cap * 2 : 8;
		size_t *e = realloc(q->end, c * sizeof *e);
		if (e)
			q->end = e;
		size_t *t = e ? realloc(q->ntypes, c * sizeof *t) : NULL;
		if (t)
			q->ntypes = t;
		if (!e || !t) {
			q->broken = 1;
			return;
		}
		q->cap = c;
	}
	if (kcap_buf_append(&q->bytes, body, len)) {
		q->broken = 1;
		return;
	}
	q->end[q->n] = q->bytes.len;
	q->ntypes[q->n++] = ntypes;
}

/* 1 if block i of q is body, byte for byte. */
static int seq_eq(const schema_seq *q, size_t i, const uint8_t *body, size_t len)
{
	size_t at = i ? q->end[i - 1] : 0;
	return q->end[i] - at == len && !memcmp((const uint8_t *)q->bytes.data + at, body, len);
}

/* The section's blocks stopped repeating the previous section's after
 * seq_matched of them, while the schema taken back holds types they do not
 * define: it goes back among the old ones
 * (events point into it) and a fresh one is built from the blocks repeated. */
static int seq_diverge(kcap_reader *r)
{
	const schema_seq *q = &r->seq_prev;
	kcap_schema *fresh = kcap_schema_new();
	size_t g = grow_to(r->nold_schemas);
	kcap_schema **n = g ? realloc(r->old_schemas, g * sizeof *n) : r->old_schemas;
	if (n)
		r->old_schemas = n;
	int rc = fresh && n ? 0 : KCAP_E_NOMEM;
	for (size_t i = 0; !rc && i < r->seq_matched; i++) {
		size_t at = i ? q->end[i - 1] : 0;
		kcap_schema *b = kcap_schema_new();
		rc = !b ? KCAP_E_NOMEM : kcap_schema_decode(b, (const uint8_t *)q->bytes.data + at, q->end[i] - at);
		if (!rc)
			rc = kcap_schema_merge(fresh, b) ? KCAP_E_CORRUPT : 0;
		kcap_schema_free(b);
	}
	if (rc) {
		kcap_schema_free(fresh);
		return rc;
	}
	n[r->nold_schemas++] = r->schema;
	r->schema = fresh;
	return 0;
}

static size_t schema_types(const kcap_schema *s);

/* What the section has defined of a schema taken back, after blocks whose
 * schema had nt types: SIZE_MAX when that is all of it. */
static size_t visible_of(const kcap_reader *r, size_t nt)
{
	return nt < schema_types(r->schema) ? nt : SIZE_MAX;
}

/* A schema block of the section (body): 1 when the previous section's
 * schema serves for it, taken back or kept (its blocks, byte for byte, have
 * repeated so far), 0 when it is to be applied, <0 on an error. */
static int seq_take(kcap_reader *r, const uint8_t *body, size_t len)
{
	const schema_seq *q = &r->seq_prev;
	if (r->seq_matched) {
		if (r->seq_matched < q->n && seq_eq(q, r->seq_matched, body, len)) {
			size_t nt = q->ntypes[r->seq_matched++];
			r->schema_visible = visible_of(r, nt);
			seq_push(&r->seq_cur, body, len, nt);
			return 1;
		}
		/* a block of its own: applied to what the section has defined */
		int rc = r->schema_visible != SIZE_MAX ? seq_diverge(r) : 0;
		r->seq_matched = 0;
		r->schema_visible = SIZE_MAX;
		return rc;
	}
	if (!q->n || q->broken || !r->nold_schemas || r->old_schemas[r->nold_schemas - 1] != r->seq_prev_schema ||
	    kcap_schema_type_at(r->schema, 0) || kcap_schema_symset_at(r->schema, 0) || !seq_eq(q, 0, body, len))
		return 0;
	kcap_schema_free(r->schema);
	r->schema = r->old_schemas[--r->nold_schemas];
	r->seq_matched = 1;
	r->schema_visible = visible_of(r, q->ntypes[0]);
	seq_push(&r->seq_cur, body, len, q->ntypes[0]);
	return 1;
}

static void free_origin_snapshots(kcap_reader *r)
{
	for (size_t i = 0; i < r->nosnap; i++)
		kcap_snapshot_free(r->osnap[i]);
	free(r->osnap);
	r->osnap = NULL;
	r->nosnap = 0;
	r->ev_snap_origin = -1;
}

void kcap_rd_begin_section(kcap_reader *r, uint16_t major, uint16_t minor)
{
	if (r->in_section) {
		size_t nold = r->nold_schemas;
		keep_old_schema(r);
		/* this section's schema blocks are what the next one may repeat */
		seq_free(&r->seq_prev);
		r->seq_prev = r->seq_cur;
		memset(&r->seq_cur, 0, sizeof r->seq_cur);
		r->seq_prev_schema = r->nold_schemas > nold ? r->old_schemas[r->nold_schemas - 1] : NULL;
		r->seq_matched = 0;
		r->schema_visible = SIZE_MAX;
		free(r->retired);
		r->retired = calloc(r->nmetas ? r->nmetas : 1, sizeof *r->retired);
		r->nretired = r->retired ? r->nmetas : 0;
		for (size_t i = 0; i < r->nmetas; i++) {
			if (!r->metas[i])
				continue;
			size_t g = grow_to(r->nold_metas);
			kcap_meta **n = g ? realloc(r->old_metas, g * sizeof *n) : r->old_metas;
			if (n) {
				r->old_metas = n;
				if (r->retired)
					r->retired[i] = r->nold_metas + 1;
				n[r->nold_metas++] = r->metas[i];
			} else {
				kcap_meta_free(r->metas[i]);
			}
		}
		r->nmetas = 0;
		kcap_snapshot_free(r->snap);
		r->snap = NULL;
		free_origin_snapshots(r);
		free_updates(r);
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
int kcap_rd_body_into(const uint8_t *blk, uint32_t plen, ZSTD_DCtx *dz, uint8_t **buf, size_t *cap,
		      const uint8_t **meta, uint32_t *meta_len, const uint8_t **body, size_t *body_len)
{
	const uint8_t *p = blk + KCAP_BLOCK_HDR_LEN;
	uint16_t flags = get_u16(blk + 6);
	if (plen < KCAP_PAYLOAD_PREFIX_LEN)
		return KCAP_E_CORRUPT;
	uint32_t ml = get_u32(p), raw_len = get_u32(p + 4);
	if (ml > plen - KCAP_PAYLOAD_PREFIX_LEN || raw_len > KCAP_MAX_BODY)
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
	if (raw_len > *cap) {
		uint8_t *n = realloc(*buf, raw_len);
		if (!n)
			return KCAP_E_NOMEM;
		*buf = n;
		*cap = raw_len;
	}
	size_t n = ZSTD_decompressDCtx(dz, *buf, raw_len, stored, stored_len);
	if (ZSTD_isError(n) || n != raw_len)
		return KCAP_E_CORRUPT;
	*body = *buf;
	*body_len = n;
	return 0;
}

int kcap_rd_block_body(kcap_reader *r, const uint8_t *blk, uint32_t plen, const uint8_t **meta, uint32_t *meta_len,
		       const uint8_t **body, size_t *body_len)
{
	/* Events decode into raw, everything else into aux: loading the index or
	 * a context block must not clobber the events block being iterated. */
	int events = get_u16(blk + 4) == KCAP_BLK_EVENTS;
	return kcap_rd_body_into(blk, plen, r->dz, events ? &r->raw : &r->aux, events ? &r->raw_cap : &r->aux_cap, meta,
				 meta_len, body, body_len);
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
	return c.bad || c.p != c.end ? KCAP_E_CORRUPT : 0; /* trailing bytes are damage */
}

/* Types in s; types of add that s lacks. */
static size_t schema_types(const kcap_schema *s)
{
	size_t n = 0;
	while (kcap_schema_type_at(s, n))
		n++;
	return n;
}

static size_t types_added(const kcap_schema *s, const kcap_schema *add)
{
	size_t n = 0;
	const kcap_type_def *t;
	for (size_t i = 0; (t = kcap_schema_type_at(add, i)) != NULL; i++)
		n += kcap_schema_type(s, t->id) == NULL;
	return n;
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

/* The same for an origin's metadata: a block that is byte for byte the
 * encoding of what the previous section had for the origin takes it back. */
static int reuse_meta(kcap_reader *r, const uint8_t *body, size_t body_len)
{
	const uint8_t *p = body;
	uint64_t origin;
	if (get_varint(&p, body + body_len, &origin) || origin >= r->nretired || !r->retired[origin] ||
	    (origin < r->nmetas && r->metas[origin]))
		return 0;
	size_t at = r->retired[origin] - 1;
	kcap_buf b = {0};
	int same = r->old_metas[at] && !kcap_meta_encode(r->old_metas[at], (uint16_t)origin, &b) &&
		   b.len == body_len && !memcmp(b.data, body, body_len);
	kcap_buf_free(&b);
	if (!same)
		return 0;
	if (origin >= r->nmetas) {
		kcap_meta **n = grow_slots(r->metas, &r->nmetas, (uint16_t)origin, sizeof *n);
		if (!n)
			return 0;
		r->metas = n;
	}
	r->metas[origin] = r->old_metas[at];
	r->old_metas[at] = NULL;
	r->retired[origin] = 0;
	while (r->nold_metas && !r->old_metas[r->nold_metas - 1])
		r->nold_metas--;
	return 1;
}

/* The snapshot of a block whose meta names an origin (u16; bytes after it
 * belong to later minor versions and are ignored), with a slot in r->osnap
 * for the origin. Returns 0 with *out owned by the caller, or an error. */
static int decode_origin_block(kcap_reader *r, const uint8_t *meta, size_t meta_len, const uint8_t *body,
			       size_t body_len, uint16_t *origin, kcap_snapshot **out)
{
	if (meta_len < KCAP_OSNAP_META_LEN)
		return KCAP_E_CORRUPT;
	*origin = get_u16(meta);
	kcap_snapshot *s = kcap_snapshot_new();
	if (!s)
		return KCAP_E_NOMEM;
	int rc = kcap_snapshot_decode(s, body, body_len);
	if (!rc && *origin >= r->nosnap) {
		kcap_snapshot **n = grow_slots(r->osnap, &r->nosnap, *origin, sizeof *n);
		if (n)
			r->osnap = n;
		else
			rc = KCAP_E_NOMEM;
	}
	if (rc)
		kcap_snapshot_free(s);
	else
		*out = s;
	return rc;
}

/* An origin snapshot block (type 8). */
static int apply_origin_snapshot(kcap_reader *r, const uint8_t *meta, size_t meta_len, const uint8_t *body,
				 size_t body_len)
{
	uint16_t origin;
	kcap_snapshot *s;
	int rc = decode_origin_block(r, meta, meta_len, body, body_len, &origin, &s);
	if (rc)
		return rc;
	kcap_snapshot_free(r->osnap[origin]);
	r->osnap[origin] = s;
	r->ev_snap_origin = -1;
	return 0;
}

static void free_updates(kcap_reader *r)
{
	for (size_t i = 0; i < r->nupd; i++)
		kcap_snapshot_free(r->upd[i]);
	r->nupd = 0;
	r->upd_first = r->upd_gen + 1;
}

/* A snapshot update block (format 1.2): its meta names the origin as a type
 * 8 block's does. Its processes go into the origin's snapshot (one made from
 * the section's when the origin has none of its own) and are held for the
 * process trackers until the next events block has been read. */
static int apply_snapshot_update(kcap_reader *r, const uint8_t *meta, size_t meta_len, const uint8_t *body,
				 size_t body_len)
{
	uint16_t origin;
	kcap_snapshot *d;
	int rc = decode_origin_block(r, meta, meta_len, body, body_len, &origin, &d);
	if (rc)
		return rc;
	if (r->upd_blocks != r->st.blocks) { /* an events block since: those are delivered */
		free_updates(r);
		r->upd_blocks = r->st.blocks;
	}
	if (!rc && r->nupd == r->capupd) {
		size_t cap = r->capupd ? r->capupd * 2 : 4;
		kcap_snapshot **n = realloc(r->upd, cap * sizeof *n);
		uint16_t *no = n ? realloc(r->upd_origin, cap * sizeof *no) : NULL;
		if (n)
			r->upd = n;
		if (no) {
			r->upd_origin = no;
			r->capupd = cap;
		} else {
			rc = KCAP_E_NOMEM;
		}
	}
	kcap_snapshot *own = rc ? NULL : r->osnap[origin];
	if (!rc && !own) {
		own = r->osnap[origin] = kcap_snapshot_new();
		if (!own || (r->snap && kcap_snapshot_update(own, r->snap)))
			rc = KCAP_E_NOMEM;
	}
	if (!rc)
		rc = kcap_snapshot_update(own, d);
	if (rc) {
		kcap_snapshot_free(d);
		return rc;
	}
	r->upd[r->nupd] = d;
	r->upd_origin[r->nupd++] = origin;
	r->upd_gen++;
	r->ev_snap_origin = -1;
	return 0;
}

uint64_t kcap_reader_update_gen(const kcap_reader *r) { return r ? r->upd_gen : 0; }

const kcap_snapshot *kcap_reader_update(const kcap_reader *r, uint64_t g, uint16_t *origin)
{
	if (!r || g < r->upd_first || g - r->upd_first >= r->nupd)
		return NULL;
	if (origin)
		*origin = r->upd_origin[g - r->upd_first];
	return r->upd[g - r->upd_first];
}

int kcap_rd_apply_context(kcap_reader *r, unsigned type, const uint8_t *meta, size_t meta_len, const uint8_t *body,
			  size_t body_len)
{
	int rc = 0;
	if (type == KCAP_BLK_META) {
		if (reuse_meta(r, body, body_len))
			return 0;
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
		if ((rc = seq_take(r, body, body_len)) != 0)
			return rc < 0 ? rc : 0;
		if (reuse_schema(r, body, body_len)) {
			seq_push(&r->seq_cur, body, body_len, schema_types(r->schema));
			return 0;
		}
		/* Decode into a scratch schema first so a bad block changes nothing. */
		kcap_schema *s = kcap_schema_new();
		if (!s)
			return KCAP_E_NOMEM;
		rc = kcap_schema_decode(s, body, body_len);
		if (!rc && types_added(r->schema, s) > KCAP_MAX_SCHEMA_TYPES - schema_types(r->schema))
			rc = KCAP_E_CORRUPT; /* past the section's bound: the block is a lie */
		if (!rc)
			rc = kcap_schema_merge(r->schema, s) ? KCAP_E_CORRUPT : 0;
		kcap_schema_free(s);
		if (!rc)
			seq_push(&r->seq_cur, body, body_len, schema_types(r->schema));
		else
			r->seq_cur.broken = 1;
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
		r->ev_snap_origin = -1;
	} else if (type == KCAP_BLK_STATS) {
		rc = apply_stats(r, body, body_len);
	} else if (type == KCAP_BLK_ORIGIN_SNAPSHOT) {
		rc = apply_origin_snapshot(r, meta, meta_len, body, body_len);
	} else if (type == KCAP_BLK_SNAPSHOT_UPDATE) {
		rc = apply_snapshot_update(r, meta, meta_len, body, body_len);
	}
	return rc;
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
		if (r->pool) {
			kcap_rd_pool_release(r, r->pool_job); /* one next_block took and did not use */
			r->pool_job = NULL;
			kcap_rd_pool_feed(r);
		}
		int sk = kcap_rd_skip_by_index(r);
		if (sk < 0)
			return r->err.code;
		if (sk)
			continue;
		int64_t avail = kcap_rd_fill(r, KCAP_BLOCK_HDR_LEN);
		if (avail < 0)
			return r->err.code;
		if (avail == 0)
			return 0;
		const uint8_t *p = here(r);
		if (avail >= KCAP_SECTION_HDR_LEN && !memcmp(p, KCAP_MAGIC, KCAP_MAGIC_LEN)) {
			uint16_t major = get_u16(p + 8), minor = get_u16(p + 10);
			int v = section_verdict(p);
			if (v == SECTION_NEWER)
				return kcap_seterr(&r->err, KCAP_E_VERSION, (int64_t)r->pos,
						   "format version %u.%u is newer than this kcap (reads %d.x); upgrade kcap",
						   major, minor, KCAP_FORMAT_MAJOR);
			if (v == SECTION_DAMAGED) {
				/* the magic says a section starts here: read its blocks
				 * as blocks of the version we read */
				kcap_rd_damage(r, KCAP_E_CORRUPT, r->pos, KCAP_SECTION_HDR_LEN,
					       "damaged section header (version %u.%u fails the header's check); "
					       "read as %d.%d", major, minor, KCAP_FORMAT_MAJOR, KCAP_FORMAT_MINOR);
				major = KCAP_FORMAT_MAJOR;
				minor = KCAP_FORMAT_MINOR;
			}
			kcap_rd_begin_section(r, major, minor);
			r->sec_start = r->pos;
			kcap_rd_observe(r, p, KCAP_SECTION_HDR_LEN, KCAP_BLOCK_SECTION);
			advance(r, KCAP_SECTION_HDR_LEN);
			continue;
		}
		if (avail >= KCAP_BLOCK_HDR_LEN && is_block_header(p)) {
			uint32_t plen = get_u32(p + 8);
			size_t total = (size_t)KCAP_BLOCK_OVERHEAD + plen;
			if (r->pool && get_u16(p + 4) == KCAP_BLK_EVENTS)
				r->pool_job = kcap_rd_pool_take(r, p);
			int64_t got = kcap_rd_fill(r, total);
			if (got < 0)
				return r->err.code;
			p = here(r);
			unsigned type = get_u16(p + 4);
			/* A capture cut inside a block and followed by another one
			 * (cat cut.kcap next.kcap) leaves the next section's header
			 * inside the bytes the cut block claims: resume there. */
			int whole = (size_t)got >= total;
			if (!whole || kcap_crc32c(kcap_crc32c(0, p, 12), p + KCAP_BLOCK_HDR_LEN, plen) != get_u32(p + 12)) {
				size_t next = kcap_rd_section_within(p, whole ? total : (size_t)got);
				kcap_rd_observe(r, p, next ? next : whole ? total : (size_t)got,
						whole && !next ? KCAP_BLOCK_BAD_CRC : KCAP_BLOCK_CUT);
				if (type == KCAP_BLK_EVENTS && whole && !next && r->ignore_crc) {
					*blen = total;
					return 3; /* the caller reads what decodes, unverified */
				}
				if (type == KCAP_BLK_EVENTS && (next || !whole)) {
					/* cut short: the caller recovers what is present */
					*blen = next ? next : (size_t)got;
					r->cut_by_section = next != 0;
					return 2;
				}
				if (!whole && !next) {
					kcap_rd_damage(r, KCAP_E_TRUNCATED, r->pos, (uint64_t)got,
						       "%s block truncated: %zu of %zu bytes present", block_name(type),
						       (size_t)got, total);
					advance(r, (uint64_t)got);
					return 0;
				}
				if (next) {
					kcap_rd_damage(r, KCAP_E_TRUNCATED, r->pos, next,
						       "%s block cut short by the next section's header: "
						       "%zu of %zu bytes present; block skipped",
						       block_name(type), next, total);
					advance(r, next);
					continue;
				}
				if (type == KCAP_BLK_EVENTS)
					r->dmg_lost = claimed_events(p, total);
				kcap_rd_damage(r, KCAP_E_CORRUPT, r->pos, total,
					       "CRC mismatch in %s block; block skipped", block_name(type));
				advance(r, total);
				continue;
			}
			if (!r->in_section) /* damaged section header: assume the version we read */
				kcap_rd_begin_section(r, KCAP_FORMAT_MAJOR, KCAP_FORMAT_MINOR);
			kcap_rd_observe(r, p, total, KCAP_BLOCK_OK);
			if (get_u32(p + total - KCAP_BLOCK_TRAILER_LEN) != total) /* the block is sound: keep it */
				kcap_rd_damage(r, KCAP_E_CORRUPT, r->pos + total - KCAP_BLOCK_TRAILER_LEN, 0,
					       "%s block's trailer does not match its length", block_name(type));
			*blen = total;
			return 1;
		}
		uint64_t off = r->pos;
		int64_t skipped = kcap_rd_resync(r);
		if (skipped < 0)
			return r->err.code;
		int at_end = kcap_rd_fill(r, 1) == 0;
		kcap_rd_damage(r, avail < KCAP_BLOCK_HDR_LEN && r->eof ? KCAP_E_TRUNCATED : KCAP_E_CORRUPT, off,
			       (uint64_t)skipped, "%s; skipped %lld bytes to %s",
			       avail < KCAP_BLOCK_HDR_LEN && r->eof ? "truncated block header"
								    : "no valid block header",
			       (long long)skipped, at_end ? "the end of the input" : "the next intact block");
	}
}

/* A verified block of blen bytes at pos does not decode (rc): out of memory
 * is fatal, anything else is damage and the block is skipped (0). */
static int block_failed(kcap_reader *r, int rc, size_t blen, const char *what)
{
	if (rc == KCAP_E_NOMEM)
		return kcap_seterr(&r->err, rc, (int64_t)r->pos, "out of memory");
	kcap_rd_damage(r, rc, r->pos, blen, "%s (%s); block skipped", what, kcap_strerror(rc));
	return 0;
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
	if (type == KCAP_BLK_SEAL) /* checked by verify (seal.c), nothing to apply */
		return 0;
	if (!kcap_blk_known(type)) {
		r->st.unknown_blocks++;
		return 0;
	}
	const uint8_t *meta, *body;
	uint32_t ml;
	size_t bl;
	int rc = kcap_rd_block_body(r, blk, plen, &meta, &ml, &body, &bl);
	if (!rc)
		rc = kcap_rd_apply_context(r, type, meta, ml, body, bl);
	if (!rc)
		return 0;
	char what[64];
	snprintf(what, sizeof what, "malformed %s block", block_name(type));
	return block_failed(r, rc, blen, what);
}

static int load_events(kcap_reader *r, const uint8_t *blk, size_t blen, uint32_t count);

/* Starts iterating a verified events block. Returns 1 if events are ready,
 * 0 if the block was skipped, negative on fatal error. */
static int open_events(kcap_reader *r, const uint8_t *blk, size_t blen)
{
	uint32_t plen = (uint32_t)(blen - KCAP_BLOCK_OVERHEAD);
	const uint8_t *p = blk + KCAP_BLOCK_HDR_LEN;
	kcap_block_summary sum = {0};
	uint32_t ml = plen >= 8 ? get_u32(p) : 0;
	if (plen < 8 || ml > plen - 8 || kcap_summary_decode(&sum, p + 8, ml)) {
		kcap_rd_damage(r, KCAP_E_CORRUPT, r->pos, blen, "malformed events block header; block skipped");
		return 0;
	}
	sum.offset = (int64_t)r->pos;
	sum.stored_size = (uint32_t)blen;
	r->st.blocks++;
	r->st.raw_bytes += sum.raw_size;
	if (r->seeking && sum.last_ts < r->seek_ts) {
		r->st.blocks_skipped++;
		return 0;
	}
	if (r->bf && !r->bf(r->bf_ud, &sum)) {
		r->st.blocks_skipped++;
		kcap_rd_note_skipped(r, &sum);
		return 0;
	}
	int rc = load_events(r, blk, blen, sum.count);
	if (rc == 1 && r->bodyf && !r->bodyf(r->bodyf_ud, &sum, r->evp, (size_t)(r->evend - r->evp))) {
		r->st.blocks_decoded--; /* decompressed, not decoded */
		r->st.blocks_skipped++;
		r->st.blocks_by_body++;
		r->ev_left = 0;
		kcap_rd_note_skipped(r, &sum);
		return 0;
	}
	return rc;
}

/* Decompresses the verified events block of count events at r->pos into
 * r->raw and makes its events the next ones read. Returns 1, 0 if the block
 * does not decompress (damage, skipped), or a fatal error. */
static int load_events(kcap_reader *r, const uint8_t *blk, size_t blen, uint32_t count)
{
	uint32_t plen = (uint32_t)(blen - KCAP_BLOCK_OVERHEAD);
	const uint8_t *meta, *body;
	uint32_t mlen;
	size_t bl;
	int rc = 0;
	r->pool_skipping = 0;
	if (r->pool_job) { /* a worker read this very block: its body, already checked as below */
		meta = blk + KCAP_BLOCK_HDR_LEN + KCAP_PAYLOAD_PREFIX_LEN;
		mlen = get_u32(blk + KCAP_BLOCK_HDR_LEN);
		bl = kcap_rd_pool_use(r, r->pool_job);
		body = r->raw;
		r->pool_job = NULL;
	} else {
		rc = kcap_rd_block_body(r, blk, plen, &meta, &mlen, &body, &bl);
	}
	if (rc)
		return block_failed(r, rc, blen, "events block does not decompress");
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
	r->ev_left = count;
	r->ev_index = 0;
	r->block_off = r->pos;
	r->prev_ts = (int64_t)get_u64(meta + 40);
	r->prev_seq = get_u64(meta + 48);
	r->cur_unverified = (get_u16(blk + 6) & KCAP_BF_UNVERIFIED) != 0;
	return 1;
}

static uint32_t records_scan(kcap_reader *r, uint32_t *undef, uint32_t *first_undef, unsigned *first_type,
			     uint32_t *last_def);

/* --ignore-crc: the whole events block of blen bytes at pos fails its CRC.
 * Its records that decode to a type of the schema, from the first, are
 * read, unverified (a record of a type no writer could have written is where
 * the damage starts); the damage is reported all the same. 1 if events are ready, 0 if none,
 * negative on fatal error. */
static int unverified_events(kcap_reader *r, const uint8_t *blk, size_t blen)
{
	uint32_t plen = (uint32_t)(blen - KCAP_BLOCK_OVERHEAD);
	const uint8_t *p = blk + KCAP_BLOCK_HDR_LEN;
	kcap_block_summary sum = {0};
	uint32_t ml = plen >= 8 ? get_u32(p) : 0;
	int64_t claimed = claimed_events(blk, blen);
	int rc = 0;
	const uint8_t *meta, *body;
	uint32_t mlen;
	size_t bl;
	/* tried first, so that a body that does not decompress is said once */
	if (plen >= 8 && ml <= plen - 8 && !kcap_summary_decode(&sum, p + 8, ml) &&
	    !kcap_rd_block_body(r, blk, plen, &meta, &mlen, &body, &bl)) {
		r->st.blocks++;
		r->st.raw_bytes += sum.raw_size;
		rc = load_events(r, blk, blen, sum.count);
	}
	if (rc < 0)
		return rc;
	uint32_t good = 0, undef, first, last_def;
	unsigned type;
	if (rc) { /* the records that decode, up to the first of an undefined type */
		good = records_scan(r, &undef, &first, &type, &last_def);
		if (undef)
			good = first;
	}
	r->ev_left = good;
	r->cur_unverified = 1;
	r->dmg_lost = claimed >= 0 ? claimed - good : -1;
	r->dmg_got = good;
	if (good)
		kcap_rd_damage(r, KCAP_E_CORRUPT, r->pos, blen,
			       "CRC mismatch in events block; %u events read unverified (--ignore-crc)", good);
	else
		kcap_rd_damage(r, KCAP_E_CORRUPT, r->pos, blen,
			       "CRC mismatch in events block; its body does not decode either; block skipped");
	return good != 0;
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

/* Reads and handles the next block (context applied, events block made
 * current, damage reported): 1, 0 at the end of the input, or a fatal
 * error. */
static int step_block(kcap_reader *r)
{
	size_t blen;
	int rc = next_block(r, &blen);
	if (rc <= 0) {
		if (rc == 0 && r->in_section && !r->section_indexed)
			r->st.indexed = 0;
		return rc;
	}
	const uint8_t *blk = here(r);
	if (rc == 2)
		rc = kcap_rd_salvage_events(r, blk, blen);
	else if (rc == 3)
		rc = unverified_events(r, blk, blen);
	else if (get_u16(blk + 4) == KCAP_BLK_EVENTS)
		rc = open_events(r, blk, blen);
	else
		rc = handle_other(r, blk, blen);
	advance(r, blen);
	return rc < 0 ? rc : 1;
}

/* Hands out r->ev, read: its origin's metadata and snapshot, counted. */
static inline int deliver(kcap_reader *r, const kcap_event **out)
{
	kcap_event *ev = &r->ev;
	ev->meta = ev->origin < r->nmetas ? r->metas[ev->origin] : NULL;
	if (r->ev_snap_origin != ev->origin) {
		r->ev_snap = kcap_reader_snapshot_for(r, ev->origin);
		r->ev_snap_origin = ev->origin;
	}
	ev->snapshot = r->ev_snap;
	note_order(r, ev);
	r->st.events++;
	*out = ev;
	return 1;
}

/* Of the r->ev_left records from r->evp, those that decode (from the
 * first): how many (returned), how many of them are of types the schema
 * does not define (*undef), the index of the first such and its type, and
 * 1 + the index of the last of a defined type (*last_def, 0 if none). */
static uint32_t records_scan(kcap_reader *r, uint32_t *undef, uint32_t *first_undef, unsigned *first_type,
			     uint32_t *last_def)
{
	const uint8_t *p = r->evp;
	int64_t ts = r->prev_ts;
	uint64_t seq = r->prev_seq;
	kcap_event ev;
	kcap_record rec;
	uint32_t i;
	*undef = *first_undef = *last_def = 0;
	*first_type = 0;
	for (i = 0; i < r->ev_left; i++) {
		uint64_t rl;
		if (get_varint(&p, r->evend, &rl) || rl > (uint64_t)(r->evend - p) ||
		    rd_decode(r, p, p + rl, ts, seq, &ev, NULL, &rec))
			break;
		p += rl;
		if (ev.def) {
			*last_def = i + 1;
		} else if (!(*undef)++) {
			*first_undef = i;
			*first_type = ev.type_id;
		}
		ts = ev.ts;
		seq = ev.seq;
	}
	return i;
}

/* Reports, once per events block, its events of types the schema does not
 * define: the first is event #idx, of type type; n in all, of good
 * well-formed records. No writer writes one: the schema block that named
 * it was lost, or the block is not what its CRC says. Such events are not
 * delivered (an output never invents a type). */
static void undefined_report(kcap_reader *r, uint32_t idx, unsigned type, uint32_t n, uint32_t good)
{
	if (r->unknown_block == r->block_off + 1)
		return;
	r->unknown_block = r->block_off + 1;
	r->dmg_lost = n;
	r->dmg_got = good - n;
	kcap_rd_damage(r, KCAP_E_CORRUPT, r->block_off, 0, KCAP_RD_UNDEFINED_FMT, idx, type, n);
}

/* r->ev, just consumed, is of a type the schema does not define. */
static void unknown_type(kcap_reader *r)
{
	if (r->unknown_block == r->block_off + 1)
		return;
	uint32_t n, first, last_def;
	unsigned type;
	uint32_t good = records_scan(r, &n, &first, &type, &last_def);
	undefined_report(r, r->ev_index - 1, (unsigned)r->ev.type_id, n + 1, r->ev_index + good);
}

/* Before KCAP_RAW_EVENTS is returned: the block's events of undefined types
 * are reported now, and r->ev_left stops at the last of a defined type, so
 * that kcap_reader_next() called while kcap_reader_block_events_left() is
 * not 0 always delivers one of this block. Returns the events left; *undef
 * is set to the count of undefined types. */
static uint32_t raw_events_trim(kcap_reader *r, uint32_t *undef)
{
	uint32_t n, first, last_def;
	unsigned type;
	uint32_t good = records_scan(r, &n, &first, &type, &last_def);
	*undef = n;
	if (n) {
		undefined_report(r, r->ev_index + first, type, n, r->ev_index + good);
		r->ev_left = last_def;
	}
	return r->ev_left;
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
			    (!rd_type_ahead(r, &r->ev) ||
			     !kcap_event_decode_head(p, p + rl, r->bare, r->prev_ts, r->prev_seq, &r->ev)) &&
			    !(r->seeking && r->ev.ts < r->seek_ts)) {
				/* a type the schema lacks is reported below, not filtered */
				r->ev.meta = r->ev.origin < r->nmetas ? r->metas[r->ev.origin] : NULL;
				drop = r->ev.def && !r->ef(r->ef_ud, &r->ev);
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
			    rd_decode(r, p, p + rl, r->prev_ts, r->prev_seq, &r->ev, r->vals, rec)) {
				r->dmg_lost = r->ev_left;
				kcap_rd_damage(r, KCAP_E_CORRUPT, r->block_off, 0,
					       KCAP_RD_MALFORMED_FMT,
					       r->ev_index, r->ev_left);
				r->ev_left = 0;
				break;
			}
			consumed(r, p + rl);
			if (r->seeking) {
				if (r->ev.ts < r->seek_ts)
					continue;
				r->seeking = 0;
			}
			if (__builtin_expect(!r->ev.def, 0)) {
				unknown_type(r);
				continue;
			}
			return deliver(r, out);
		}
		int rc = step_block(r);
		if (rc <= 0)
			return rc;
	}
}

int kcap_reader_next(kcap_reader *r, const kcap_event **out) { return next_event(r, out, NULL); }

int kcap_rd_next_loaded(kcap_reader *r)
{
	r->ev_left = 0;
	for (;;) {
		int rc = step_block(r);
		if (rc <= 0)
			return rc;
		if (r->ev_left)
			return 1;
	}
}

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
		if (rc == 2 || rc == 3) { /* never copied raw: its events are read as events */
			rc = rc == 2 ? kcap_rd_salvage_events(r, blk, blen) : unverified_events(r, blk, blen);
			advance(r, blen);
			if (rc < 0)
				return rc;
			uint32_t undef;
			if (!rc || !raw_events_trim(r, &undef))
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
			kcap_rd_damage(r, KCAP_E_CORRUPT, r->pos, blen, "malformed events block header; block skipped");
			advance(r, blen);
			continue;
		}
		r->raw_sum.offset = (int64_t)r->pos;
		r->raw_sum.stored_size = (uint32_t)blen;
		r->st.blocks++;
		r->st.raw_bytes += r->raw_sum.raw_size;
		/* A block is copied only when its records decode, as
		 * kcap_reader_next() reads them: else the events before the
		 * malformed one are read as events, and the rest is damage, as
		 * kcap_reader_next() reports it. */
		rc = load_events(r, blk, blen, r->raw_sum.count);
		if (rc <= 0) {
			advance(r, blen);
			if (rc < 0)
				return rc;
			continue;
		}
		uint32_t all = r->ev_left, undef, first, last_def;
		unsigned utype;
		/* one pass over a sound block; a damaged one is scanned again */
		uint32_t good = records_scan(r, &undef, &first, &utype, &last_def);
		/* cut by a malformed record, or some of types the schema does not
		 * define: what is good is read as events */
		if (good < all || undef) {
			if (good < all) {
				r->dmg_lost = all - good;
				kcap_rd_damage(r, KCAP_E_CORRUPT, r->block_off, 0, KCAP_RD_MALFORMED_FMT, good,
					       all - good);
				r->ev_left = good;
			}
			advance(r, blen);
			if (!raw_events_trim(r, &undef))
				continue;
			*block = NULL;
			*len = 0;
			if (sum_out)
				*sum_out = NULL;
			return KCAP_RAW_EVENTS;
		}
		r->ev_left = 0;
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
	r->bare = kcap_schema_new();
	r->schema_visible = SIZE_MAX;
	r->dz = ZSTD_createDCtx();
	if (!r->schema || !r->bare || !r->dz)
		return kcap_seterr(err, KCAP_E_NOMEM, -1, "out of memory");
	r->st.indexed = 1;
	int64_t avail = kcap_rd_fill(r, KCAP_SECTION_HDR_LEN);
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
		if (section_verdict(p) == SECTION_NEWER)
			return kcap_seterr(err, KCAP_E_VERSION, 0,
					   "format version %u.%u is newer than this kcap (reads %d.x); upgrade kcap", major,
					   minor, KCAP_FORMAT_MAJOR);
		return 0; /* a damaged header is reported by next_block */
	}
	/* Not a header. Accept a capture whose header alone is damaged: a valid
	 * block must start within the first HEADER_SCAN_LIMIT bytes. */
	avail = kcap_rd_fill(r, HEADER_SCAN_LIMIT);
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
	r->ev_snap_origin = -1; /* no snapshot looked up yet */
	r->dmg_lost = -1;
	r->file_size = -1;
	r->upd_first = 1;
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
	int fd = kcap_open_file(path, O_RDONLY, "", err);
	if (fd < 0)
		return fd;
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
void kcap_reader_close(kcap_reader *r)
{
	if (!r)
		return;
	kcap_rd_pool_free(r); /* its workers read the input */
	if (r->own_fd && r->fd >= 0)
		close(r->fd);
	free(r->name);
	free(r->win);
	kcap_schema_free(r->schema);
	kcap_schema_free(r->bare);
	seq_free(&r->seq_prev);
	seq_free(&r->seq_cur);
	kcap_buf_free(&r->old_enc);
	for (size_t i = 0; i < r->nold_schemas; i++)
		kcap_schema_free(r->old_schemas[i]);
	free(r->old_schemas);
	for (size_t i = 0; i < r->nmetas; i++)
		kcap_meta_free(r->metas[i]);
	free(r->metas);
	for (size_t i = 0; i < r->nold_metas; i++)
		kcap_meta_free(r->old_metas[i]);
	free(r->old_metas);
	free(r->retired);
	kcap_snapshot_free(r->snap);
	free_origin_snapshots(r);
	free_updates(r);
	free(r->upd);
	free(r->upd_origin);
	for (size_t i = 0; i < r->nstats; i++)
		free((char *)r->stats[i].st.source);
	free(r->stats);
	free(r->stat_slot);
	free(r->stat_view);
	ZSTD_freeDCtx(r->dz);
	free(r->raw);
	free(r->aux);
	kcap_rd_free_index(r);
	free(r);
}

void kcap_reader_set_damage_cb(kcap_reader *r, kcap_damage_fn fn, void *ud)
{
	if (r) {
		r->dmg = fn;
		r->dmg_ud = ud;
	}
}

void kcap_reader_set_idle_cb(kcap_reader *r, kcap_idle_fn fn, void *ud)
{
	if (r) {
		r->idle = fn;
		r->idle_ud = ud;
	}
}

void kcap_reader_set_block_filter(kcap_reader *r, kcap_block_filter_fn fn, void *ud)
{
	if (r) {
		r->bf = fn;
		r->bf_ud = ud;
	}
}

void kcap_reader_set_body_filter(kcap_reader *r, kcap_body_filter_fn fn, void *ud)
{
	if (r) {
		r->bodyf = fn;
		r->bodyf_ud = ud;
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


void kcap_reader_set_block_observer(kcap_reader *r, kcap_block_fn fn, void *ud)
{
	if (r) {
		r->obs = fn;
		r->obs_ud = ud;
	}
}
void kcap_reader_set_ignore_crc(kcap_reader *r, int on)
{
	if (r)
		r->ignore_crc = on != 0;
}
int kcap_reader_event_unverified(const kcap_reader *r) { return r ? r->cur_unverified : 0; }
