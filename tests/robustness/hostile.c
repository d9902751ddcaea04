/* hostile.c - generators of captures that lie (see hostile.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>
#include "core/core.h"
#include "hostile.h"
#include "testcap.h"

#define MAX_PARTS 4096

static uint64_t next_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

/* Offsets of the last section's header, index and footer blocks. */
static int last_section(const uint8_t *buf, size_t len, size_t *sec, size_t *ix, size_t *ft)
{
	static testcap_part parts[MAX_PARTS];
	int n = testcap_walk(buf, len, parts, MAX_PARTS);
	if (n < 3 || parts[n - 1].type != KCAP_BLK_FOOTER || parts[n - 2].type != KCAP_BLK_INDEX)
		return -1;
	*ft = parts[n - 1].off;
	*ix = parts[n - 2].off;
	for (int i = n - 1; i >= 0; i--)
		if (parts[i].type == 0) {
			*sec = parts[i].off;
			return 0;
		}
	return -1;
}

int hostile_index_read(const uint8_t *buf, size_t len, hostile_index *ix)
{
	size_t sec, io, fo;
	if (last_section(buf, len, &sec, &io, &fo))
		return -1;
	const uint8_t *b = buf + io;
	uint32_t plen = get_u32(b + 8), ml = get_u32(b + 20), raw = get_u32(b + 24);
	const uint8_t *stored = b + KCAP_BLOCK_HDR_LEN + KCAP_PAYLOAD_PREFIX_LEN + ml;
	size_t slen = plen - KCAP_PAYLOAD_PREFIX_LEN - ml;
	uint8_t *body = malloc(raw ? raw : 1);
	if (!body)
		return -1;
	if ((get_u16(b + 6) & KCAP_BF_CODEC_MASK) >> KCAP_BF_CODEC_SHIFT) {
		if (ZSTD_decompress(body, raw, stored, slen) != raw) {
			free(body);
			return -1;
		}
	} else {
		memcpy(body, stored, slen);
	}
	cur c = {body, body + raw, 0};
	ix->nctx = (size_t)cur_varint(&c);
	for (size_t i = 0; i < ix->nctx && i < 256; i++)
		ix->ctx[i] = cur_varint(&c);
	ix->n = (size_t)cur_varint(&c);
	int rc = c.bad || ix->nctx > 256 || ix->n > HOSTILE_MAX_ENTRIES ? -1 : 0;
	for (size_t i = 0; i < ix->n && !rc; i++) {
		ix->e[i].off = cur_varint(&c);
		ix->e[i].size = cur_varint(&c);
		ix->e[i].mlen = (size_t)cur_varint(&c);
		const uint8_t *m = ix->e[i].mlen <= HOSTILE_MAX_META ? cur_bytes(&c, ix->e[i].mlen) : NULL;
		if (!m)
			rc = -1;
		else
			memcpy(ix->e[i].meta, m, ix->e[i].mlen);
	}
	free(body);
	return rc;
}

uint8_t *hostile_index_write(const uint8_t *buf, size_t len, const hostile_index *ix, size_t *out_len)
{
	size_t sec, io, fo;
	if (last_section(buf, len, &sec, &io, &fo))
		return NULL;
	kcap_buf body = {0};
	int e = kcap_buf_append(&body, "\0\0\0\0\0\0\0\0", 8); /* payload prefix, filled below */
	e |= kcap_buf_put_varint(&body, ix->nctx);
	for (size_t i = 0; i < ix->nctx; i++)
		e |= kcap_buf_put_varint(&body, ix->ctx[i]);
	e |= kcap_buf_put_varint(&body, ix->n);
	for (size_t i = 0; i < ix->n; i++) {
		e |= kcap_buf_put_varint(&body, ix->e[i].off);
		e |= kcap_buf_put_varint(&body, ix->e[i].size);
		e |= kcap_buf_put_varint(&body, ix->e[i].mlen);
		e |= kcap_buf_append(&body, ix->e[i].meta, ix->e[i].mlen);
	}
	uint8_t *out = NULL;
	size_t ilen = 0, flen = 0;
	uint8_t *iblk = NULL, *fblk = NULL;
	if (e)
		goto cleanup;
	put_u32((uint8_t *)body.data + 4, (uint32_t)(body.len - 8));
	iblk = testcap_frame_block(KCAP_BLK_INDEX, 0, body.data, body.len, &ilen);
	/* the footer: same body, the section now ends after the new index */
	uint8_t fpay[KCAP_PAYLOAD_PREFIX_LEN + KCAP_FOOTER_BODY_LEN];
	memcpy(fpay, buf + fo + KCAP_BLOCK_HDR_LEN, sizeof fpay);
	put_u64(fpay + 8 + 8, io - sec + ilen);
	fblk = testcap_frame_block(KCAP_BLK_FOOTER, 0, fpay, sizeof fpay, &flen);
	out = iblk && fblk ? malloc(io + ilen + flen) : NULL;
	if (out) {
		memcpy(out, buf, io);
		memcpy(out + io, iblk, ilen);
		memcpy(out + io + ilen, fblk, flen);
		*out_len = io + ilen + flen;
	}
cleanup:
	free(iblk);
	free(fblk);
	kcap_buf_free(&body);
	return out;
}

uint8_t *hostile_index_mutate(const uint8_t *buf, size_t len, uint64_t *rng, size_t *out_len, char *what,
			      size_t whatlen)
{
	static hostile_index ix;
	if (hostile_index_read(buf, len, &ix) || !ix.n)
		return NULL;
	size_t i = (size_t)(next_rand(rng) % ix.n), j = (size_t)(next_rand(rng) % ix.n);
	uint64_t v = next_rand(rng);
	switch (next_rand(rng) % 10) {
	case 0:
		ix.e[i].off = v % (len * 2);
		snprintf(what, whatlen, "entry %zu offset -> %llu", i, (unsigned long long)ix.e[i].off);
		break;
	case 1:
		ix.e[i].off = 1ull << 63;
		snprintf(what, whatlen, "entry %zu offset -> 2^63", i);
		break;
	case 2:
		ix.e[i].size += (v & 1) ? 1 : (uint64_t)-1;
		snprintf(what, whatlen, "entry %zu size off by one", i);
		break;
	case 3: {
		size_t at = (size_t)(v % ix.e[i].mlen);
		ix.e[i].meta[at] ^= (uint8_t)(1u << (v >> 32) % 8);
		snprintf(what, whatlen, "entry %zu meta byte %zu flipped", i, at);
		break;
	}
	case 4: /* the pid range no longer holds pid 42 */
		put_u32(ix.e[i].meta + 56, 1000);
		put_u32(ix.e[i].meta + 60, 2000);
		snprintf(what, whatlen, "entry %zu pid range -> 1000..2000", i);
		break;
	case 5: /* ts range moved */
		put_u64(ix.e[i].meta + 16, get_u64(ix.e[i].meta + 16) - (v % 1000000000));
		snprintf(what, whatlen, "entry %zu last ts earlier", i);
		break;
	case 6:
		memmove(&ix.e[i], &ix.e[i + 1], (ix.n - i - 1) * sizeof ix.e[0]);
		ix.n--;
		snprintf(what, whatlen, "entry %zu dropped", i);
		break;
	case 7: {
		uint64_t o = ix.e[i].off, s = ix.e[i].size;
		ix.e[i].off = ix.e[j].off;
		ix.e[i].size = ix.e[j].size;
		ix.e[j].off = o;
		ix.e[j].size = s;
		snprintf(what, whatlen, "entries %zu and %zu swap offsets", i, j);
		break;
	}
	case 8:
		if (ix.nctx) {
			size_t k = (size_t)(v % ix.nctx);
			memmove(&ix.ctx[k], &ix.ctx[k + 1], (ix.nctx - k - 1) * sizeof ix.ctx[0]);
			ix.nctx--;
			snprintf(what, whatlen, "context %zu dropped", k);
		} else {
			snprintf(what, whatlen, "nothing (no context)");
		}
		break;
	default:
		ix.e[i].meta[(size_t)(v % 8)] ^= 0xff; /* the count and the flags */
		snprintf(what, whatlen, "entry %zu count/flags flipped", i);
		break;
	}
	return hostile_index_write(buf, len, &ix, out_len);
}

int hostile_save(const char *path, const uint8_t *buf, size_t len)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	int bad = fwrite(buf, 1, len, f) != len;
	return fclose(f) || bad ? -1 : 0;
}

uint8_t *hostile_insert(const uint8_t *buf, size_t len, size_t off, const uint8_t *block, size_t blen,
			size_t *out_len)
{
	uint8_t *out = off <= len ? malloc(len + blen) : NULL;
	if (!out)
		return NULL;
	memcpy(out, buf, off);
	memcpy(out + off, block, blen);
	memcpy(out + off + blen, buf + off, len - off);
	*out_len = len + blen;
	return out;
}

uint8_t *hostile_stored_block(uint16_t type, const void *body, size_t n, size_t junk, size_t *blen)
{
	uint8_t *pay = calloc(1, KCAP_PAYLOAD_PREFIX_LEN + n + junk);
	if (!pay)
		return NULL;
	put_u32(pay + 4, (uint32_t)(n + junk));
	memcpy(pay + KCAP_PAYLOAD_PREFIX_LEN, body, n);
	memset(pay + KCAP_PAYLOAD_PREFIX_LEN + n, 0x5a, junk);
	uint8_t *b = testcap_frame_block(type, 0, pay, KCAP_PAYLOAD_PREFIX_LEN + n + junk, blen);
	free(pay);
	return b;
}

uint8_t *hostile_zeros_snapshot(uint64_t zeros, size_t *blen)
{
	static uint8_t chunk[1 << 20];
	ZSTD_CCtx *cz = ZSTD_createCCtx();
	kcap_buf pay = {0};
	uint8_t *blk = NULL;
	if (!cz || kcap_buf_append(&pay, "\0\0\0\0\0\0\0\0", 8))
		goto cleanup;
	ZSTD_CCtx_setParameter(cz, ZSTD_c_compressionLevel, 1);
	ZSTD_CCtx_setPledgedSrcSize(cz, zeros + 1);
	memset(chunk, 0, sizeof chunk); /* count 0, then zeros */
	uint64_t left = zeros + 1;
	uint8_t out[1 << 16];
	while (left) {
		size_t take = left < sizeof chunk ? (size_t)left : sizeof chunk;
		left -= take;
		ZSTD_inBuffer in = {chunk, take, 0};
		size_t more;
		do {
			ZSTD_outBuffer o = {out, sizeof out, 0};
			more = ZSTD_compressStream2(cz, &o, &in, left ? ZSTD_e_continue : ZSTD_e_end);
			if (ZSTD_isError(more) || kcap_buf_append(&pay, out, o.pos))
				goto cleanup;
		} while (in.pos < in.size || (!left && more));
	}
	put_u32((uint8_t *)pay.data + 4, (uint32_t)(zeros + 1 > UINT32_MAX ? UINT32_MAX : zeros + 1));
	blk = testcap_frame_block(KCAP_BLK_SNAPSHOT, 1u << KCAP_BF_CODEC_SHIFT, pay.data, pay.len, blen);
cleanup:
	ZSTD_freeCCtx(cz);
	kcap_buf_free(&pay);
	return blk;
}

uint8_t *hostile_big_schema(uint32_t ntypes, size_t *blen)
{
	kcap_schema *s = kcap_schema_new();
	kcap_param_def pd[] = {{"path", KCAP_T_PATH, 0, 0}};
	kcap_buf body = {0};
	uint8_t *blk = NULL;
	char name[32];
	for (uint32_t i = 1; s && i <= ntypes; i++) {
		snprintf(name, sizeof name, "t%u", i);
		kcap_type_def td = {i, name, "x", "", 1, pd};
		if (kcap_schema_add_type(s, &td))
			goto cleanup;
	}
	if (s && !kcap_schema_encode(s, &body))
		blk = hostile_stored_block(KCAP_BLK_SCHEMA, body.data, body.len, 0, blen);
cleanup:
	kcap_schema_free(s);
	kcap_buf_free(&body);
	return blk;
}

/* ---- the catalogue ---- */

int hostile_index_base(uint8_t **buf, size_t *len)
{
	testcap_opts o = {.nevents = HOSTILE_BASE_EVENTS, .block_size = 1024, .with_snapshot = 1};
	return testcap_build(&o, buf, len);
}

typedef int (*index_lie_fn)(const uint8_t *buf, size_t len, hostile_index *ix);

static int lie_past_end(const uint8_t *buf, size_t len, hostile_index *ix)
{
	(void)buf;
	ix->e[ix->n - 1].off = len + 4096;
	return 0;
}

static int lie_pid(const uint8_t *buf, size_t len, hostile_index *ix)
{
	(void)buf;
	(void)len;
	for (size_t i = 0; i < ix->n; i++) {
		put_u32(ix->e[i].meta + 56, 1000);
		put_u32(ix->e[i].meta + 60, 2000);
	}
	return 0;
}

static int lie_2p63(const uint8_t *buf, size_t len, hostile_index *ix)
{
	(void)buf;
	(void)len;
	ix->e[ix->n / 2].off = 1ull << 63;
	return 0;
}

static int lie_no_schema(const uint8_t *buf, size_t len, hostile_index *ix)
{
	static testcap_part parts[MAX_PARTS];
	int n = testcap_walk(buf, len, parts, MAX_PARTS);
	for (int i = 0; i < n; i++)
		if (parts[i].type == KCAP_BLK_SCHEMA)
			for (size_t k = 0; k < ix->nctx; k++)
				if (ix->ctx[k] == parts[i].off) {
					memmove(&ix->ctx[k], &ix->ctx[k + 1], (ix->nctx - k - 1) * sizeof ix->ctx[0]);
					ix->nctx--;
					return 0;
				}
	return -1;
}

static int make_index_lie(index_lie_fn fn, hostile_file *out)
{
	static hostile_index ix;
	uint8_t *base = NULL;
	size_t len = 0;
	int rc = hostile_index_base(&base, &len) || hostile_index_read(base, len, &ix) || fn(base, len, &ix) ? -1 : 0;
	if (!rc && !(out->buf = hostile_index_write(base, len, &ix, &out->len)))
		rc = -1;
	free(base);
	return rc;
}

/* A small capture with something done to it. */
typedef int (*make_fn)(hostile_file *out);

static int small(uint8_t **buf, size_t *len)
{
	testcap_opts o = {.nevents = 40, .block_size = 512, .with_snapshot = 1, .with_stats = 1};
	return testcap_build(&o, buf, len);
}

static int make_zeros_snapshot(hostile_file *out)
{
	uint8_t *buf;
	size_t len, blen;
	if (small(&buf, &len))
		return -1;
	uint8_t *blk = hostile_zeros_snapshot((1ull << 30) - 1, &blen);
	out->buf = blk ? hostile_insert(buf, len, KCAP_SECTION_HDR_LEN, blk, blen, &out->len) : NULL;
	free(blk);
	free(buf);
	return out->buf ? 0 : -1;
}

static int make_trailing_snapshot(hostile_file *out)
{
	uint8_t *buf;
	size_t len, blen;
	if (small(&buf, &len))
		return -1;
	uint8_t *blk = hostile_stored_block(KCAP_BLK_SNAPSHOT, "\0", 1, 3, &blen);
	out->buf = blk ? hostile_insert(buf, len, KCAP_SECTION_HDR_LEN, blk, blen, &out->len) : NULL;
	free(blk);
	free(buf);
	return out->buf ? 0 : -1;
}

typedef int (*small_edit_fn)(uint8_t *buf, const testcap_part *parts, int n);

/* small()'s capture, edited in place by edit (given its blocks; 0 if it
 * could edit, else -1). */
static int edit_small(hostile_file *out, small_edit_fn edit)
{
	uint8_t *buf;
	size_t len;
	if (small(&buf, &len))
		return -1;
	static testcap_part parts[MAX_PARTS];
	int n = testcap_walk(buf, len, parts, MAX_PARTS);
	if (edit(buf, parts, n)) {
		free(buf);
		return -1;
	}
	out->buf = buf;
	out->len = len;
	return 0;
}

static int flip_major(uint8_t *buf, const testcap_part *parts, int n)
{
	(void)parts;
	if (n < 3)
		return -1;
	buf[9] ^= 0xa6; /* major 1 -> 0xa601 */
	return 0;
}

static int flip_trailer(uint8_t *buf, const testcap_part *parts, int n)
{
	if (n < 3)
		return -1;
	buf[parts[2].off + parts[2].len - 2] ^= 0x10; /* a trailer */
	return 0;
}

static int make_flipped_major(hostile_file *out) { return edit_small(out, flip_major); }
static int make_flipped_trailer(hostile_file *out) { return edit_small(out, flip_trailer); }

/* An edit of one record (rl bytes at p, a valid record before the edit). */
typedef int (*record_edit_fn)(uint8_t *p, uint64_t rl);

/* The capture with the record of event #3 of its second events block
 * (stored raw) edited, the block framed again with valid CRCs: it passes
 * every block check. */
static int edit_record(hostile_file *out, record_edit_fn edit)
{
	testcap_opts o = {.nevents = 40, .block_size = 512, .codec_none = 1, .with_snapshot = 1};
	uint8_t *buf;
	size_t len;
	if (testcap_build(&o, &buf, &len))
		return -1;
	static testcap_part parts[MAX_PARTS];
	int n = testcap_walk(buf, len, parts, MAX_PARTS), seen = 0;
	for (int i = 0; i < n; i++) {
		if (parts[i].type != KCAP_BLK_EVENTS || ++seen < 2)
			continue;
		uint8_t *blk = buf + parts[i].off, *pay = blk + KCAP_BLOCK_HDR_LEN;
		size_t plen = parts[i].len - KCAP_BLOCK_OVERHEAD;
		uint8_t *p = pay + KCAP_PAYLOAD_PREFIX_LEN + get_u32(pay), *end = pay + plen;
		uint64_t rl = 0;
		for (int k = 0; k <= 3 && p < end; k++) { /* to the record of event #3 */
			rl = 0;
			for (int sh = 0; p < end && sh < 63; sh += 7) {
				uint8_t b = *p++;
				rl |= (uint64_t)(b & 0x7f) << sh;
				if (!(b & 0x80))
					break;
			}
			if (k < 3)
				p += rl;
		}
		if (p >= end || rl < 8 || rl > (uint64_t)(end - p) || edit(p, rl))
			break;
		size_t blen;
		uint8_t *nb = testcap_frame_block(KCAP_BLK_EVENTS, get_u16(blk + 6), pay, plen, &blen);
		if (!nb || blen != parts[i].len) {
			free(nb);
			break;
		}
		memcpy(blk, nb, blen);
		free(nb);
		out->buf = buf;
		out->len = len;
		return 0;
	}
	free(buf);
	return -1;
}

/* Issue 11 §7: the record made to run on in 0xff bytes (a varint that never
 * ends) after its type id and origin: its records do not decode. */
static int run_on(uint8_t *p, uint64_t rl)
{
	memset(p + 2, 0xff, rl - 2);
	return 0;
}
static int make_bad_records(hostile_file *out) { return edit_record(out, run_on); }

/* Issue 11 §5: the record's type made 31, which the schema does not define
 * (the header varint is type << 2 | flags, one byte for types below 32). */
static int type_31(uint8_t *p, uint64_t rl)
{
	(void)rl;
	if (p[0] & 0x80)
		return -1;
	p[0] = (uint8_t)(31 << 2 | (p[0] & 3));
	return 0;
}
static int make_type_undefined(hostile_file *out) { return edit_record(out, type_31); }

/* Issue 11 §5: the schema block's payload flipped (its CRC fails): the
 * section's events are of types no schema defines. */
static int flip_schema(uint8_t *buf, const testcap_part *parts, int n)
{
	for (int i = 0; i < n; i++)
		if (parts[i].type == KCAP_BLK_SCHEMA) {
			buf[parts[i].off + KCAP_BLOCK_HDR_LEN + (parts[i].len - KCAP_BLOCK_OVERHEAD) / 2] ^= 0x5a;
			return 0;
		}
	return -1;
}
static int make_schema_lost(hostile_file *out) { return edit_small(out, flip_schema); }

static const struct {
	const char *name;
	index_lie_fn index_lie;
	make_fn make;
} catalogue[] = {
	{"index-past-end.kcap", lie_past_end, NULL},
	{"index-pid-lie.kcap", lie_pid, NULL},
	{"index-offset-2p63.kcap", lie_2p63, NULL},
	{"index-no-schema-context.kcap", lie_no_schema, NULL},
	{"snapshot-1gib-zeros.kcap", NULL, make_zeros_snapshot},
	{"snapshot-trailing-bytes.kcap", NULL, make_trailing_snapshot},
	{"section-major-flipped.kcap", NULL, make_flipped_major},
	{"block-trailer-flipped.kcap", NULL, make_flipped_trailer},
	{"events-records-malformed.kcap", NULL, make_bad_records},
	{"events-type-undefined.kcap", NULL, make_type_undefined},
	{"schema-lost.kcap", NULL, make_schema_lost},
};

size_t hostile_count(void) { return sizeof catalogue / sizeof catalogue[0]; }

int hostile_make(size_t i, hostile_file *out)
{
	memset(out, 0, sizeof *out);
	if (i >= hostile_count())
		return -1;
	out->name = catalogue[i].name;
	return catalogue[i].index_lie ? make_index_lie(catalogue[i].index_lie, out) : catalogue[i].make(out);
}
