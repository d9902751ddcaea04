/* Capture reader: recovery of damaged input. Resynchronizing on the next
 * block or section header after damage, finding a section header inside a
 * block cut short, and the events that can still be read from the part
 * present of an events block cut short. */
#include <stdio.h>
#include <stdlib.h>
#include "core/reader_internal.h"

#define RESYNC_CHUNK (64u * 1024)

/* Offset of the first section header inside the n bytes of a block at p
 * (past its header), or 0 if none. */
size_t kcap_rd_section_within(const uint8_t *p, size_t n)
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
int64_t kcap_rd_resync(kcap_reader *r)
{
	uint64_t start = r->pos;
	advance(r, 1);
	for (;;) {
		int64_t avail = kcap_rd_fill(r, RESYNC_CHUNK);
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
		if (r->eof && kcap_rd_fill(r, KCAP_SECTION_HDR_LEN) < KCAP_SECTION_HDR_LEN) {
			int64_t rest = kcap_rd_fill(r, 1);
			advance(r, (uint64_t)(rest > 0 ? rest : 0));
			return (int64_t)(r->pos - start);
		}
	}
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
		    rd_decode(r, s, s + rl, ts, seq, &r->ev, r->vals, NULL))
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
int kcap_rd_salvage_events(kcap_reader *r, const uint8_t *blk, size_t got)
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
	int usable = have >= 8 && ml <= have - 8 && raw_len <= KCAP_MAX_BODY && !kcap_summary_decode(&sum, p + 8, ml);
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
		uint32_t claimed = sum.count;
		n = recover_records(r, (size_t)bl, (int64_t)get_u64(p + 8 + 40), get_u64(p + 8 + 48), &sum, &end);
		r->dmg_lost = (int64_t)claimed - n;
		r->dmg_got = n;
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
	if (usable && bad_crc)
		r->dmg_lost = sum.count;
	r->cur_unverified = 0;
	kcap_rd_damage(r, KCAP_E_TRUNCATED, r->pos, got, "events block %s: %zu of %zu bytes present; %s",
		       r->cut_by_section ? "cut short by the next section's header" : "truncated", got, total, what);
	sum.offset = (int64_t)r->pos;
	sum.counts = NULL; /* they count the whole block: not what is recovered */
	sum.counts_len = 0;
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

