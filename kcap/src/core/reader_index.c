/* Capture reader: the index (each section's index block, found from the
 * footers backwards), the skips it allows in the block walk, and seeking. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include "common/port.h"
#include "core/reader_internal.h"

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
/* An events block the block filter rules out from its index entry (whose
 * summary the index's CRC covers and kcap_reader_load_index checked to be a
 * byte copy of the block's own) is passed over without being read, not even
 * its header: on a file that means a seek instead of reading and checking
 * every byte.
 * Returns 1 if skipped, 0 if the block is to be read, <0 on a seek error. */
int kcap_rd_skip_by_index(kcap_reader *r)
{
	if (!r->bf || !r->nindex || r->seeking || r->mem || !r->in_section)
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
	/* the entry was checked against the block's header when the index was
	 * loaded: its length is the block's, and the header need not be read */
	const kcap_block_summary *sum = &r->index[lo].sum;
	if (sum->offset != (int64_t)r->pos || r->index[lo].damaged || r->bf(r->bf_ud, sum))
		return 0;
	size_t total = sum->stored_size;
	r->pool_skipping = 1;
	r->st.blocks++;
	r->st.blocks_skipped++;
	r->st.blocks_by_index++;
	r->st.raw_bytes += sum->raw_size;
	kcap_rd_note_skipped(r, sum);
	if (jump(r, r->pos + total))
		return -1;
	r->st.bytes += total;
	return 1;
}

void kcap_rd_note_skipped(kcap_reader *r, const kcap_block_summary *sum)
{
	const uint8_t *p = sum->counts, *end = p ? p + sum->counts_len : p; /* NULL + 0 is undefined */
	uint64_t v = 0, n = 0;
	if (!p || !sum->count)
		return;
	for (int part = 0; part < 2; part++) { /* past the types and origins to the order fields */
		get_varint(&p, end, &n); /* the summary's decoding checked them */
		for (uint64_t i = 0; i < 2 * n; i++)
			get_varint(&p, end, &v);
	}
	uint64_t a = 0, b = 0, c = 0;
	get_varint(&p, end, &a);
	get_varint(&p, end, &b);
	get_varint(&p, end, &c);
	/* in an ordered block the first event has the least ts */
	int64_t start_ts = sum->first_ts, end_ts = (int64_t)((uint64_t)sum->last_ts - b);
	uint64_t start_seq = sum->first_seq + a, end_seq = sum->first_seq + c;
	if (!sum->ordered ||
	    (r->have_last && (start_ts < r->last_ts || (start_ts == r->last_ts && start_seq < r->last_seq))))
		r->st.unordered++;
	r->last_ts = end_ts;
	r->last_seq = end_seq;
	r->have_last = 1;
}
void kcap_rd_free_index(kcap_reader *r)
{
	free(r->index);
	r->index = NULL;
	r->nindex = 0;
	free(r->index_kept);
	r->index_kept = NULL;
	for (size_t i = 0; i < r->nsections; i++) {
		free(r->sections[i].context);
		free(r->sections[i].updates);
	}
	free(r->sections);
	r->sections = NULL;
	r->nsections = 0;
}
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

/* Parses one section's index block; entries are appended to *ents (*nents
 * of *cap). Their meta (u.meta) points into the index block's body, which
 * lives in *blk (freed by the caller) or in r->aux until the next block body
 * is decoded there: the section is checked and its entries compacted first. */
static int load_section_index(kcap_reader *r, uint64_t sec_start, uint64_t index_off, index_entry **ents,
			      size_t *nents, size_t *cap, section_ctx *ctx, uint8_t **blk_out)
{
	uint8_t *blk = NULL;
	size_t blen;
	int rc = read_block_at(r, sec_start + index_off, &blk, &blen);
	if (rc)
		return rc;
	*blk_out = blk;
	const uint8_t *meta, *body;
	uint32_t ml;
	size_t bl;
	if (get_u16(blk + 4) != KCAP_BLK_INDEX ||
	    (rc = kcap_rd_block_body(r, blk, (uint32_t)(blen - KCAP_BLOCK_OVERHEAD), &meta, &ml, &body, &bl))) {
		r->index_lie = "the footer names no index block";
		return rc ? rc : KCAP_E_CORRUPT;
	}
	cur c = {body, body + bl, 0};
	uint64_t nctx = cur_varint(&c);
	if (nctx > bl)
		return KCAP_E_CORRUPT;
	ctx->start = sec_start;
	ctx->context = calloc(nctx ? nctx : 1, sizeof *ctx->context);
	if (!ctx->context)
		return KCAP_E_NOMEM;
	for (uint64_t i = 0; i < nctx && !c.bad; i++)
		ctx->context[ctx->ncontext++] = sec_start + cur_varint(&c);
	uint64_t n = cur_varint(&c);
	for (uint64_t i = 0; i < n && !c.bad; i++) {
		uint64_t off = cur_varint(&c), sz = cur_varint(&c), mlen = cur_varint(&c);
		const uint8_t *m = cur_bytes(&c, mlen);
		if (!m)
			break;
		if (*nents == *cap) { /* capacity doubles: no quadratic copying */
			size_t nc = *cap ? *cap * 2 : 16;
			index_entry *ne = realloc(*ents, nc * sizeof *ne);
			if (!ne) {
				rc = KCAP_E_NOMEM;
				break;
			}
			*ents = ne;
			*cap = nc;
		}
		index_entry *e = &(*ents)[*nents];
		memset(e, 0, sizeof *e);
		if (kcap_summary_decode(&e->sum, m, mlen)) {
			c.bad = 1;
			break;
		}
		/* An entry must name a block inside its section, before the index
		 * block: anything else is a lie that no seek may follow. */
		if (off < KCAP_SECTION_HDR_LEN || off >= index_off || sz < KCAP_BLOCK_OVERHEAD ||
		    sz > index_off - off || mlen > UINT32_MAX) {
			r->index_lie = "an entry names a block outside its section";
			rc = KCAP_E_CORRUPT;
			break;
		}
		e->u.meta = m;
		e->meta_len = (uint32_t)mlen;
		e->sum.offset = (int64_t)(sec_start + off);
		e->sum.stored_size = (uint32_t)sz;
		e->section_start = sec_start;
		(*nents)++;
	}
	if (!rc && c.bad)
		rc = KCAP_E_CORRUPT;
	if (rc == KCAP_E_CORRUPT && !r->index_lie) /* its CRC holds: what it says is wrong */
		r->index_lie = "malformed index block";
	return rc;
}

/* 1 if the whole block at off is present and passes its CRC. */
static int block_crc_ok(kcap_reader *r, uint64_t off)
{
	uint8_t *b = NULL;
	size_t len;
	int ok = read_block_at(r, off, &b, &len) == 0;
	free(b);
	return ok;
}

/* A section's bytes up to its index, read at once when they are few (a
 * capture of many small sections: one read instead of one per block). */
typedef struct sec_bytes {
	uint64_t start;
	uint8_t *buf; /* [start, start + len), or NULL: read each piece */
	size_t len;
} sec_bytes;
#define SEC_BYTES_MAX (1u << 20)

static int sec_read(kcap_reader *r, const sec_bytes *sb, uint64_t off, void *dst, size_t len)
{
	if (sb->buf && off >= sb->start && off - sb->start <= sb->len && len <= sb->len - (off - sb->start)) {
		memcpy(dst, sb->buf + (off - sb->start), len);
		return 0;
	}
	return read_at(r, off, dst, len);
}

/* What a sequential read applies as context (FORMAT.md "Block types"). */
static int is_context_type(unsigned type)
{
	return type == KCAP_BLK_META || type == KCAP_BLK_SCHEMA || type == KCAP_BLK_SNAPSHOT ||
	       type == KCAP_BLK_STATS || type == KCAP_BLK_ORIGIN_SNAPSHOT;
}

/* Room for want bytes in *meta (of *cap bytes): 0 or KCAP_E_NOMEM. */
static int meta_room(uint8_t **meta, size_t *cap, size_t want)
{
	if (want <= *cap)
		return 0;
	uint8_t *n = realloc(*meta, want);
	if (!n)
		return KCAP_E_NOMEM;
	*meta = n;
	*cap = want;
	return 0;
}

/*
 * Checks one section's index against its blocks, by walking their headers
 * from the section header to the index block: each events block must have
 * the next entry, at its offset, of its length, with a byte copy of its
 * meta; each context block must be the next of the context list; the index
 * block must end where the footer starts. Reads the headers only (and the
 * meta of events blocks). Returns 0 when the index tells the truth, 1 when
 * it lies (r->index_lie says how), or a negative code when the walk cannot
 * be made (a damaged block header: the sequential read reports it).
 */
static int verify_section(kcap_reader *r, uint64_t sec_start, uint64_t index_off, uint64_t foff,
			  index_entry *ents, size_t nents, section_ctx *ctx)
{
	uint8_t hdr[KCAP_BLOCK_HDR_LEN + KCAP_PAYLOAD_PREFIX_LEN];
	uint8_t *meta = NULL;
	size_t meta_cap = 0, k = 0, j = 0;
	sec_bytes sb = {sec_start, NULL, 0};
	if (index_off <= SEC_BYTES_MAX && (sb.buf = malloc(index_off)) != NULL) {
		sb.len = (size_t)index_off;
		if (read_at(r, sec_start, sb.buf, sb.len)) {
			free(sb.buf);
			sb.buf = NULL;
		}
	}
	int rc = sec_read(r, &sb, sec_start, hdr, KCAP_SECTION_HDR_LEN);
	if (!rc && !is_section_header(hdr)) {
		r->index_lie = "the footer's section length does not lead to a section header";
		rc = 1;
	}
	uint64_t off = sec_start + KCAP_SECTION_HDR_LEN, end = sec_start + index_off;
	while (!rc && off < end) {
		/* an events block where the next entry says: its header and meta in one read */
		index_entry *next = k < nents && (uint64_t)ents[k].sum.offset == off ? &ents[k] : NULL;
		size_t want = next ? KCAP_BLOCK_HDR_LEN + KCAP_PAYLOAD_PREFIX_LEN + (size_t)next->meta_len : 0;
		int have_meta = 0;
		if (next && want <= next->sum.stored_size && off + want <= end) {
			if ((rc = meta_room(&meta, &meta_cap, want)) != 0)
				break;
			if ((rc = sec_read(r, &sb, off, meta, want)) != 0)
				break;
			memcpy(hdr, meta, KCAP_BLOCK_HDR_LEN);
			have_meta = 1;
		} else if ((rc = sec_read(r, &sb, off, hdr, KCAP_BLOCK_HDR_LEN)) != 0) {
			break;
		}
		if (!is_block_header(hdr)) {
			rc = KCAP_E_CORRUPT;
			break;
		}
		uint64_t total = KCAP_BLOCK_OVERHEAD + (uint64_t)get_u32(hdr + 8);
		unsigned type = get_u16(hdr + 4);
		if (type == KCAP_BLK_EVENTS) {
			index_entry *e = k < nents ? &ents[k++] : NULL;
			if (!e || (uint64_t)e->sum.offset != off || e->sum.stored_size != total) {
				r->index_lie = e ? "an entry names no events block" : "an events block has no entry";
				rc = 1;
				break;
			}
			size_t need = KCAP_BLOCK_HDR_LEN + KCAP_PAYLOAD_PREFIX_LEN + (size_t)e->meta_len;
			if ((rc = meta_room(&meta, &meta_cap, need)) != 0)
				break;
			if (total < need || (!have_meta && (rc = sec_read(r, &sb, off, meta, need)) != 0))
				rc = rc ? rc : 1;
			else if (get_u32(meta + KCAP_BLOCK_HDR_LEN) != e->meta_len ||
				 memcmp(meta + KCAP_BLOCK_HDR_LEN + KCAP_PAYLOAD_PREFIX_LEN, e->u.meta, e->meta_len))
				rc = 1;
			if (rc == 1 && !block_crc_ok(r, off)) {
				/* the block is damaged, not the index: it is read (and
				 * reported) in order, never skipped by its entry */
				e->damaged = 1;
				rc = 0;
			}
			if (rc == 1 || rc == KCAP_E_TRUNCATED) {
				r->index_lie = "an entry's summary is not the block's own";
				rc = 1;
			}
		} else if (type == KCAP_BLK_SNAPSHOT_UPDATE) {
			/* applied by a seek past it, as a sequential read would */
			uint64_t *u = realloc(ctx->updates, (ctx->nupdates + 1) * sizeof *u);
			if (!u) {
				rc = KCAP_E_NOMEM;
				break;
			}
			ctx->updates = u;
			u[ctx->nupdates++] = off;
		} else if (is_context_type(type)) {
			if (j >= ctx->ncontext || ctx->context[j++] != off) {
				r->index_lie = "the context list is not the section's context blocks";
				rc = 1;
			}
		}
		if (!rc)
			off += total;
	}
	if (!rc && off != end) {
		r->index_lie = "the blocks do not lead to the index block";
		rc = 1;
	}
	if (!rc && (k != nents || j != ctx->ncontext)) {
		r->index_lie = k != nents ? "an entry names no events block" : "the context list names a block that is not there";
		rc = 1;
	}
	if (!rc && (rc = read_at(r, end, hdr, KCAP_BLOCK_HDR_LEN)) == 0 &&
	    end + KCAP_BLOCK_OVERHEAD + (uint64_t)get_u32(hdr + 8) != foff) {
		r->index_lie = "the index block does not end at the footer";
		rc = 1;
	}
	if (rc == 1)
		r->index_lie_off = off;
	free(meta);
	free(sb.buf);
	return rc;
}

/* After its section is checked, an entry keeps of its meta only the Bloom
 * filter and the counts, appended to kept (one buffer for the whole index,
 * no allocation per entry; sum.bloom and sum.counts are pointed into it
 * once the index is complete, and are NULL until then): the entry and some
 * 20 bytes an events block of a few pids instead of the whole meta. Returns
 * the bytes held, or 0 when kept cannot grow. */
static size_t compact_entries(index_entry *ents, size_t n, kcap_buf *kept)
{
	size_t held = n * sizeof *ents;
	for (size_t i = 0; i < n; i++) {
		index_entry *e = &ents[i];
		size_t len = e->sum.bloom ? e->sum.bloom_bits / 8 : 0, clen = e->sum.counts ? e->sum.counts_len : 0;
		/* (decoding leaves counts_len 0 without counts, and bloom set) */
		/* the counts follow the filter in the meta: both are kept */
		const uint8_t *from = e->sum.bloom ? e->sum.bloom : e->sum.counts;
		e->sum.bloom = e->sum.counts = NULL;
		e->u.kept = kept->len;
		e->meta_len = 0;
		if (len + clen && kcap_buf_add(kept, from, len + clen))
			return 0;
		held += len + clen;
	}
	return held;
}

static void reverse(void *base, size_t n, size_t size)
{
	uint8_t tmp[sizeof(index_entry) > sizeof(section_ctx) ? sizeof(index_entry) : sizeof(section_ctx)];
	if (n < 2)
		return; /* base may be NULL */
	for (uint8_t *a = base, *b = a + (n - 1) * size; a < b; a += size, b -= size) {
		memcpy(tmp, a, size);
		memcpy(a, b, size);
		memcpy(b, tmp, size);
	}
}

/* The walk from the end appended the sections last first, each with its
 * entries in file order: turns both round, in place. */
static void in_file_order(kcap_reader *r, index_entry *all, size_t nall)
{
	reverse(all, nall, sizeof *all);
	reverse(r->sections, r->nsections, sizeof *r->sections);
	for (size_t i = 0; i < r->nsections; i++) {
		section_ctx *sc = &r->sections[i];
		sc->first = nall - sc->first - sc->nentries;
		if (sc->nentries) /* all is NULL when no section has entries */
			reverse(all + sc->first, sc->nentries, sizeof *all);
	}
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
	 * and the previous section's footer ends right before it. Each
	 * section's entries are appended to all, checked against the blocks
	 * and compacted (their Bloom filters and counts into kept) before the
	 * next index block is read. */
	uint64_t end = (uint64_t)r->file_size;
	index_entry *all = NULL;
	kcap_buf kept = {0};
	size_t nall = 0, cap = 0, held = 0;
	int too_big = 0;
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
		blk = NULL;
		if (sec_len > foff || !index_off)
			break;
		uint64_t sec_start = foff - sec_len;
		size_t first = nall, kept_len = kept.len;
		section_ctx ctx = {0};
		if (index_off >= sec_len) {
			r->index_lie = "the footer puts the index outside its section";
			r->index_lie_off = foff;
			break;
		}
		rc = load_section_index(r, sec_start, index_off, &all, &nall, &cap, &ctx, &blk);
		if (!rc)
			rc = verify_section(r, sec_start, index_off, foff, all ? all + first : all, nall - first, &ctx);
		if (rc && r->index_lie && !r->index_lie_off)
			r->index_lie_off = sec_start + index_off;
		size_t sec_held = 0;
		if (!rc) {
			/* Sections come last first: each is appended here and the
			 * order is turned round once at the end (no copying per
			 * section). Each entry keeps only its summary, its Bloom
			 * filter and its counts, not the rest of the meta it was
			 * checked against. */
			sec_held = compact_entries(all ? all + first : all, nall - first, &kept);
			if (!sec_held && nall > first)
				rc = KCAP_E_NOMEM;
		}
		free(blk); /* the entries' meta pointed into it (or r->aux) */
		held += sec_held + sizeof(section_ctx) + ctx.ncontext * sizeof *ctx.context +
			ctx.nupdates * sizeof *ctx.updates;
		section_ctx *sc = r->sections;
		if (!rc && held <= KCAP_MAX_INDEX_MEM && (r->nsections & (r->nsections - 1)) == 0) {
			sc = realloc(r->sections, (r->nsections ? r->nsections * 2 : 1) * sizeof *sc);
			if (sc)
				r->sections = sc;
			else
				rc = KCAP_E_NOMEM;
		}
		if (rc || held > KCAP_MAX_INDEX_MEM) {
			nall = first;
			kept.len = kept_len;
			free(ctx.context);
			free(ctx.updates);
			too_big = !rc;
			if (rc != KCAP_E_NOMEM)
				rc = 0;
			break;
		}
		ctx.first = first;
		ctx.nentries = nall - first;
		r->sections[r->nsections++] = ctx;
		end = sec_start;
	}
	in_file_order(r, all, nall);
	if (nall && nall < cap) { /* what the doubling left over */
		index_entry *m = realloc(all, nall * sizeof *m);
		if (m)
			all = m;
	}
	if (kept.len && kept.len < kept.cap) {
		char *k = realloc(kept.data, kept.len);
		if (k)
			kept.data = k;
	}
	if (too_big || r->index_lie) {
		/* One lie and no entry is trusted: every skip and seek then reads
		 * in order, and gives what a full scan gives. An index larger
		 * than the reader holds is no lie: it is read in order as an
		 * input without index is, the same answer with more reading. */
		if (r->index_lie)
			kcap_rd_damage(r, KCAP_E_CORRUPT, r->index_lie_off, 0,
				       "index disagrees with its blocks (%s); index not used, reading in order",
				       r->index_lie);
		free(all);
		all = NULL;
		nall = 0;
		kcap_buf_free(&kept);
		kcap_rd_free_index(r);
		end = 1;
	}
	uint8_t *base = (uint8_t *)kept.data;
	for (size_t i = 0; i < nall; i++) {
		index_entry *e = &all[i];
		size_t blen = e->sum.bloom_bits / 8;
		e->sum.bloom = blen ? base + e->u.kept : NULL;
		e->sum.counts = e->sum.counts_len ? base + e->u.kept + blen : NULL;
	}
	if (!nall) {
		free(all);
		all = NULL;
		kcap_buf_free(&kept);
		base = NULL;
	}
	r->index = all;
	r->index_kept = base;
	r->nindex = nall;
	r->index_bytes = nall ? held : 0;
	r->index_complete = end == 0 && nall > 0;
	if (rc)
		return kcap_seterr(&r->err, rc, -1, "cannot load index: %s", kcap_strerror(rc));
	return (int)nall;
}

size_t kcap_reader_index_count(const kcap_reader *r) { return r ? r->nindex : 0; }
size_t kcap_reader_index_bytes(const kcap_reader *r) { return r ? r->index_bytes : 0; }
const kcap_block_summary *kcap_reader_index_at(const kcap_reader *r, size_t i)
{
	return (r && i < r->nindex) ? &r->index[i].sum : NULL;
}

/* Re-reads a section's context blocks and snapshot updates that lie before
 * off, in file order (an update applies to the snapshot before it). */
static int load_context(kcap_reader *r, const section_ctx *sc, uint64_t off)
{
	size_t i = 0, u = 0;
	for (;;) {
		int ctx_next = i < sc->ncontext && sc->context[i] < off;
		int upd_next = u < sc->nupdates && sc->updates[u] < off;
		if (!ctx_next && !upd_next)
			break;
		if (ctx_next && upd_next)
			upd_next = sc->updates[u] < sc->context[i];
		uint64_t at = upd_next ? sc->updates[u++] : sc->context[i++];
		uint8_t *blk = NULL;
		size_t blen;
		/* A damaged context block is reported as the sequential read would:
		 * the events after it may lack what it held. */
		int rc = read_block_at(r, at, &blk, &blen);
		if (rc == KCAP_E_NOMEM)
			return kcap_seterr(&r->err, rc, (int64_t)at, "out of memory");
		if (rc) {
			kcap_rd_damage(r, rc, at, 0, "context block does not pass its CRC; block skipped");
			continue;
		}
		const uint8_t *meta, *body;
		uint32_t ml;
		size_t bl;
		unsigned type = get_u16(blk + 4);
		rc = kcap_rd_block_body(r, blk, (uint32_t)(blen - KCAP_BLOCK_OVERHEAD), &meta, &ml, &body, &bl);
		if (!rc)
			rc = kcap_rd_apply_context(r, type, meta, ml, body, bl);
		free(blk);
		if (rc == KCAP_E_NOMEM)
			return kcap_seterr(&r->err, rc, (int64_t)at, "out of memory");
		if (rc)
			kcap_rd_damage(r, rc, at, 0, "malformed context block (%s); block skipped",
				       kcap_strerror(rc));
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
		kcap_rd_begin_section(r, r->major, r->minor);
		r->st.sections--;
	}
	r->in_section = 1;
	r->section = sec_no;
	r->section_indexed = 1;
	int rc = load_context(r, sc, (uint64_t)e->sum.offset);
	if (rc)
		return rc;
	r->have_last = 0;
	return jump(r, (uint64_t)e->sum.offset);
}
