/* etl_file.c - the .etl file walk (etl_file.h): buffers, XPRESS
 * inflation (xpress.c, or libyal libfwnt with -DKCAP_FWNT=ON), the logfile header, every record header kind
 * into a kcap_etw_record, and the per-CPU buffers merged into time order
 * (a k-way merge over one stream of buffers per CPU: each CPU's buffers
 * are written in time order, the file interleaves them). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "etl_file.h"
#include "xpress.h"
#include "common/common.h"
#include "common/port.h"
#include "etw_priv.h"

#ifdef KCAP_INFLATE_FWNT
#include <libfwnt.h>
#endif

#define HDR KCAP_ETL_BUFFER_HEADER
#define MAX_EXT 64             /* extended data items kept per record */
#define MAX_LIVE (1024u << 20) /* inflated buffers held at once, all CPUs */
#define SLACK 16               /* output room past a compressed buffer's stated size */
#define WINDOW (1u << 20)      /* bytes read at once for the buffer scan (descriptor walks) */

enum { BF_FLUSH = 0x01, BF_EVENTS_LOST = 0x02, BF_BUFFER_LOST = 0x04, BF_PROC_INDEX = 0x20, BF_COMPRESSED = 0x40 };

int kcap_etl_have_xpress(void)
{
#ifdef KCAP_INFLATE_FWNT
	return 1;
#else
	return 2;
#endif
}

static uint32_t rd32(const uint8_t *p) { return (uint32_t)etw_le(p, 4); }
static uint16_t rd16(const uint8_t *p) { return (uint16_t)etw_le(p, 2); }

/* The index of the file's buffers: 24 bytes per buffer, the only part of
 * a walk's memory that grows with the file (a 1 GiB file of 64 KiB
 * buffers: 384 KiB). */
typedef struct ebuf {
	uint64_t off;   /* in the file */
	uint32_t size;  /* on disk */
	uint32_t fill;  /* Offset: filled bytes including the header */
	uint16_t flags, type;
	uint32_t cpu;
} ebuf;

typedef struct stream {
	uint32_t cpu;
	uint32_t *bufs; /* indices into the buffer list, file order */
	size_t nbufs, capbufs, next;
	/* the current buffer's records */
	const uint8_t *data; /* its bytes from the header on (the image's, or read or inflated into scratch) */
	uint32_t fill;
	uint32_t pos;
	uint64_t boff;
	int compressed;
	uint8_t *scratch;
	size_t scratch_cap;
	/* the record at pos, parsed */
	kcap_etw_record rec;
	kcap_etw_ext ext[MAX_EXT];
	int have;
} stream;

typedef struct walk {
	/* the file: an image in memory (mem), or fd from base on, read with
	 * pread a buffer at a time; len bytes either way */
	const uint8_t *mem;
	int fd;
	uint64_t base;
	uint64_t len;
	uint8_t *win; /* fd: the scan's read window, win[0..wlen) = file[woff..) */
	size_t wcap, wlen;
	uint64_t woff;
	uint8_t *raw; /* fd: a compressed buffer's bytes before inflation */
	size_t raw_cap;
	int io_errno;  /* a read failed (errno); the walk ends with KCAP_E_IO */
	int split;     /* stop at a second header buffer (the next file) */
	const kcap_etl_handler *h;
	void *ud;
	kcap_etl_stats *st;
	uint32_t logical; /* logfile header BufferSize */
	ebuf *b;
	size_t nb, capb;
	stream *s;
	size_t ns, caps;
	uint32_t *cpu_stream; /* cpu -> stream index + 1 */
	size_t *heap;
	size_t nheap;
	size_t live;
	int damaged;
	int packed_mode; /* LogFileMode has EVENT_TRACE_COMPRESSED_MODE */
	int64_t t0;
	int header_seen;
} walk;

/* A damaged region at off over skipped bytes (0: not known). */
static void damage_over(walk *w, uint64_t off, uint64_t skipped, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void damage_over(walk *w, uint64_t off, uint64_t skipped, const char *fmt, ...)
{
	kcap_error e = { 0 };
	va_list ap;
	va_start(ap, fmt);
	kcap_vseterr(&e, KCAP_E_CORRUPT, (int64_t)off, fmt, ap);
	va_end(ap);
	w->damaged = 1;
	w->st->damaged++;
	if (w->h->damage)
		w->h->damage(w->ud, &e, skipped);
}
#define damage(w, off, ...) damage_over(w, off, 0, __VA_ARGS__)

/* Reads n bytes at off of the file into dst; 0, or -1 with w->io_errno
 * set (a read error, or a file that got shorter while it was read). */
static int read_at(walk *w, uint8_t *dst, size_t n, uint64_t off)
{
	size_t got = 0;
	while (got < n) {
		ssize_t k = pread(w->fd, dst + got, n - got, (off_t)(w->base + off + got));
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			w->io_errno = k < 0 ? errno : EIO;
			return -1;
		}
		got += (size_t)k;
	}
	return 0;
}

/* The n bytes of the file at off, or NULL when they are not all there (or
 * cannot be read: w->io_errno). Valid until the next call. */
static const uint8_t *at(walk *w, uint64_t off, size_t n)
{
	if (off > w->len || n > w->len - off)
		return NULL;
	if (w->mem)
		return w->mem + off;
	if (off >= w->woff && off + n <= w->woff + w->wlen)
		return w->win + (off - w->woff);
	size_t want = n > WINDOW ? n : WINDOW;
	if (want > w->len - off)
		want = (size_t)(w->len - off);
	if (w->wcap < want) {
		uint8_t *nw = realloc(w->win, want);
		if (!nw) {
			w->io_errno = ENOMEM;
			return NULL;
		}
		w->win = nw;
		w->wcap = want;
	}
	w->wlen = 0;
	if (read_at(w, w->win, want, off) < 0)
		return NULL;
	w->woff = off;
	w->wlen = want;
	return w->win;
}

/* A plausible buffer header at off: sizes in range, known flags. */
static int plausible(walk *w, uint64_t off)
{
	const uint8_t *p = at(w, off, off + HDR + 8 <= w->len ? HDR + 8 : HDR);
	if (!p)
		return 0;
	uint32_t size = rd32(p), fill = rd32(p + 0x30);
	uint16_t flags = rd16(p + 0x34), type = rd16(p + 0x36);
	if (size < HDR || size > KCAP_ETL_MAX_BUFFER || fill < HDR || fill > KCAP_ETL_MAX_BUFFER)
		return 0;
	if (flags & ~0x007fu || type > 16)
		return 0;
	if (!(flags & BF_COMPRESSED) && fill > size)
		return 0;
	if (w->logical && fill > w->logical)
		return 0;
	if (!(flags & BF_COMPRESSED)) {
		/* outside compressed files every buffer takes the logical size on
		 * disk, and a filled one starts with a record header */
		if (w->logical && !w->packed_mode && w->nb && size != w->logical)
			return 0;
		if (fill >= HDR + 8 && off + HDR + 8 <= w->len) {
			const uint8_t *r = p + HDR;
			if ((r[3] & 0xc0) != 0xc0 || !r[2] || (r[2] > 4 && r[2] != 0x0a && (r[2] < 0x10 || r[2] > 0x15)))
				return 0;
		}
	}
	return 1;
}

/* Where a second file's header buffer begins (split walks): a buffer of
 * type 4 opening with a logfile header, past the first, reached by stepping
 * over intact buffers by their sizes (never inside damage, where any bytes
 * may look like one). */
static int next_file(walk *w, uint64_t off)
{
	if (!w->split || !off || w->damaged)
		return 0;
	size_t n = off + HDR + 8 <= w->len ? HDR + 8 : HDR;
	const uint8_t *p = at(w, off, n);
	return p && rd16(p + 0x36) == 4 && kcap_etl_probe(p, n);
}

static int chained(walk *w, uint64_t k)
{
	if (!plausible(w, k))
		return 0;
	uint64_t next = k + rd32(at(w, k, HDR));
	if (next > w->len)
		return 0;
	return next + HDR > w->len || plausible(w, next);
}

/* The buffer list: every buffer header in the file, stepping over what
 * does not look like one. */
static int scan_buffers(walk *w)
{
	uint64_t off = 0;
	while (off + HDR <= w->len) {
		if (next_file(w, off)) {
			w->len = off;
			break;
		}
		const uint8_t *p = at(w, off, HDR);
		if (!p)
			break; /* a read error */
		uint32_t size = rd32(p);
		if (!plausible(w, off) || off + size > w->len) {
			uint64_t bad = off;
			const char *why = size > KCAP_ETL_MAX_BUFFER ? "buffer size past 16 MiB"
			                  : off + size > w->len && size >= HDR ? "buffer cut short by the end of the file"
			                                                       : "not a buffer header";
			/* the next buffer: a plausible header whose successor is one too
			 * (or the end); compressed buffers have any size, so byte by byte */
			uint64_t k = off + 1;
			while (k + HDR <= w->len && !chained(w, k) && !w->io_errno)
				k++;
			if (k + HDR > w->len)
				k = w->len;
			damage_over(w, bad, k - bad, "%s (buffer size %u); %llu bytes skipped", why, size,
				    (unsigned long long)(k - bad));
			off = k;
			continue;
		}
		p = at(w, off, size < HDR + 32 + 36 ? size : HDR + 32 + 36);
		if (!p)
			break; /* a read error (the file got shorter while it was read) */
		if (kcap_array_room(&w->b, &w->capb, w->nb, sizeof *w->b, 256))
			return KCAP_E_NOMEM;
		ebuf *b = &w->b[w->nb++];
		b->off = off;
		b->size = size;
		b->fill = rd32(p + 0x30);
		b->flags = rd16(p + 0x34);
		b->type = rd16(p + 0x36);
		b->cpu = (b->flags & BF_PROC_INDEX) ? rd16(p + 0x28) : p[0x28];
		if (!w->logical && w->nb == 1 && b->fill >= HDR + 32 + 4 && !(b->flags & BF_COMPRESSED)) {
			/* the logical buffer size, from the logfile header's first field */
			uint32_t ls = rd32(p + HDR + 32);
			if (ls >= HDR && ls <= KCAP_ETL_MAX_BUFFER)
				w->logical = ls;
			if (b->fill >= HDR + 32 + 36)
				w->packed_mode = !!(rd32(p + HDR + 32 + 32) & 0x04000000u);
		}
		off += size;
		/* uncompressed buffers may be followed by padding to the next; step
		 * over zeros */
	}
	if (w->io_errno)
		return KCAP_E_IO;
	if (off < w->len)
		damage_over(w, off, w->len - off, "%llu bytes at the end are no buffer", (unsigned long long)(w->len - off));
	return 0;
}

/* XPRESS data into out[0..*n): libfwnt when built with it, else the
 * built-in decoder. Returns 0 (*n the bytes out), KCAP_XPRESS_BAD or
 * KCAP_XPRESS_OVERFLOW. */
static int inflate(const uint8_t *in, size_t len, uint8_t *out, size_t *n)
{
#ifdef KCAP_INFLATE_FWNT
	libfwnt_error_t *fe = NULL;
	int r = libfwnt_lzxpress_decompress(in, len, out, n, &fe);
	if (fe)
		libfwnt_error_free(&fe);
	return r == 1 ? 0 : KCAP_XPRESS_BAD;
#else
	size_t cap = *n;
	return kcap_xpress_decompress(in, len, out, cap, n);
#endif
}

/* Inflates (or points at) buffer i for stream s. Returns 1 loaded, 0 the
 * buffer is damaged (noted), or a negative error. */
static int load_buffer(walk *w, stream *s, uint32_t i)
{
	const ebuf *b = &w->b[i];
	s->boff = b->off;
	s->pos = HDR;
	s->fill = b->fill;
	s->compressed = !!(b->flags & BF_COMPRESSED);
	w->st->buffers++;
	if (b->flags & BF_BUFFER_LOST)
		w->st->lost_buffers++;
	if (b->flags & BF_EVENTS_LOST)
		w->st->lost_event_buffers++;
	if (!s->compressed && s->fill > b->size) {
		damage(w, b->off, "buffer fill %u past its size %u", s->fill, b->size);
		return 0;
	}
	if (!s->compressed && w->mem) {
		s->data = w->mem + b->off;
		return 1;
	}
	if (s->compressed)
		w->st->compressed++;
	/* room for a few bytes more than stated tells data that inflates past
	 * its stated size (libfwnt stops, without an error, at a full output) */
	size_t want = b->fill - HDR, room = (size_t)b->fill + (s->compressed ? SLACK : 0);
	if (s->scratch_cap < room) {
		if (w->live - s->scratch_cap + room > MAX_LIVE) {
			damage(w, b->off, "inflated buffers would take more than 1 GiB at once; buffer skipped");
			return 0;
		}
		uint8_t *n = realloc(s->scratch, room);
		if (!n)
			return KCAP_E_NOMEM;
		w->live += room - s->scratch_cap;
		s->scratch = n;
		s->scratch_cap = room;
	}
	if (!s->compressed) {
		/* a descriptor's plain buffer: its filled bytes */
		if (read_at(w, s->scratch, b->fill, b->off) < 0)
			return KCAP_E_IO;
		s->data = s->scratch;
		return 1;
	}
	const uint8_t *in = w->mem ? w->mem + b->off : NULL;
	if (!in) {
		if (w->raw_cap < b->size) {
			uint8_t *n = realloc(w->raw, b->size);
			if (!n)
				return KCAP_E_NOMEM;
			w->raw = n;
			w->raw_cap = b->size;
		}
		if (read_at(w, w->raw, b->size, b->off) < 0)
			return KCAP_E_IO;
		in = w->raw;
	}
	memcpy(s->scratch, in, HDR);
	size_t got = want + SLACK;
	int r = inflate(in + HDR, b->size - HDR, s->scratch + HDR, &got);
	if (r != 0 || got != want) {
		damage(w, b->off + HDR, "compressed buffer does not inflate to its stated %llu bytes (%s)",
		       (unsigned long long)want,
		       r == KCAP_XPRESS_BAD ? "bad XPRESS data" : r == KCAP_XPRESS_OVERFLOW || got > want ? "it inflates past that size" : "it inflates to less");
		return 0;
	}
	s->data = s->scratch;
	return 1;
}

/* File offset of a position in the stream's current buffer, for notes:
 * compressed buffers name the buffer. */
static uint64_t pos_off(const stream *s, uint32_t pos) { return s->compressed ? s->boff : s->boff + pos; }

/* Parses the record at s->pos into s->rec. Returns 1 parsed, 0 no more
 * records in this buffer (damage noted when the rest is bad). */
static int parse_record(walk *w, stream *s)
{
	const uint8_t *bp = s->data;
	uint32_t fill = s->fill;
	for (;;) {
		uint32_t pos = (s->pos + 7u) & ~7u;
		if (pos + 4 > fill || pos < s->pos)
			return 0;
		s->pos = pos;
		const uint8_t *p = bp + pos;
		uint32_t marker = rd32(p);
		if (marker == 0xffffffffu || marker == 0)
			return 0; /* the unused rest */
		uint8_t ht = p[2], mf = p[3];
		uint32_t size, hsize;
		int sys = ht <= 4 || ht == 0x10 || ht == 0x11;
		int known = ht <= 4 || ht == 0x0a || ht == 0x10 || ht == 0x11 || ht == 0x12 || ht == 0x13 || ht == 0x14;
		if ((mf & 0xc0) != 0xc0 || (!known && mf != 0xc0) || ht == 0) {
			damage(w, pos_off(s, pos), "record header 0x%08x is no trace header; rest of the buffer skipped",
			       marker);
			return 0;
		}
		if (pos + 8 > fill) {
			damage(w, pos_off(s, pos), "record header cut short by the buffer's end");
			return 0;
		}
		size = sys ? rd16(p + 4) : rd16(p);
		switch (ht) {
		case 1: case 2: hsize = 32; break;
		case 3: case 4: hsize = 24; break;
		case 0x10: case 0x11: hsize = 16; break;
		case 0x0a: case 0x14: hsize = 48; break;
		case 0x12: case 0x13: hsize = 80; break;
		default: hsize = 8; break;
		}
		if (size < hsize || size > fill - pos) {
			damage(w, pos_off(s, pos),
			       "record of %u bytes (header type 0x%02x) past its buffer's %u filled bytes; rest of the buffer "
			       "skipped",
			       size, ht, fill);
			return 0;
		}
		kcap_etw_record *r = &s->rec;
		memset(r, 0, sizeof *r);
		r->cpu = s->cpu;
		r->src_offset = pos_off(s, pos);
		r->pid = r->tid = KCAP_ETW_NO_ID;
		switch (ht) {
		case 1: case 2: case 3: case 4:
			r->kind = ht <= 2 ? KCAP_ETW_HDR_SYSTEM : KCAP_ETW_HDR_COMPACT;
			r->ptr_size = (ht == 1 || ht == 3) ? 4 : 8;
			r->version = (uint8_t)rd16(p);
			r->hook = rd16(p + 6);
			r->has_hook = 1;
			r->opcode = (uint8_t)r->hook;
			r->tid = rd32(p + 8);
			r->pid = rd32(p + 12);
			r->timestamp = (int64_t)etw_le(p + 16, 8);
			if (hsize == 32) {
				r->kernel_time = rd32(p + 24);
				r->user_time = rd32(p + 28);
			}
			break;
		case 0x10: case 0x11:
			r->kind = KCAP_ETW_HDR_PERFINFO;
			r->ptr_size = ht == 0x10 ? 4 : 8;
			r->version = (uint8_t)rd16(p);
			r->hook = rd16(p + 6);
			r->has_hook = 1;
			r->opcode = (uint8_t)r->hook;
			r->timestamp = (int64_t)etw_le(p + 8, 8);
			break;
		case 0x0a: case 0x14:
			r->kind = KCAP_ETW_HDR_FULL;
			r->ptr_size = ht == 0x0a ? 4 : 8;
			r->opcode = p[4];
			r->level = p[5];
			r->version = (uint8_t)rd16(p + 6);
			r->tid = rd32(p + 8);
			r->pid = rd32(p + 12);
			r->timestamp = (int64_t)etw_le(p + 16, 8);
			memcpy(r->provider.b, p + 24, 16);
			r->kernel_time = rd32(p + 40);
			r->user_time = rd32(p + 44);
			break;
		case 0x12: case 0x13:
			r->kind = KCAP_ETW_HDR_EVENT;
			r->ptr_size = ht == 0x12 ? 4 : 8;
			r->flags = rd16(p + 4);
			r->event_property = rd16(p + 6);
			r->tid = rd32(p + 8);
			r->pid = rd32(p + 12);
			r->timestamp = (int64_t)etw_le(p + 16, 8);
			memcpy(r->provider.b, p + 24, 16);
			r->id = rd16(p + 40);
			r->version = p[42];
			r->channel = p[43];
			r->level = p[44];
			r->opcode = p[45];
			r->task = rd16(p + 46);
			r->keywords = etw_le(p + 48, 8);
			r->kernel_time = rd32(p + 56);
			r->user_time = rd32(p + 60);
			memcpy(r->activity_id.b, p + 64, 16);
			break;
		default:
			/* an unknown header kind: kept whole as a generic record */
			r->kind = 0;
			r->ptr_size = 8;
			break;
		}
		uint32_t dstart = hsize;
		if (ht == 0x12 || ht == 0x13) {
			if (r->flags & KCAP_ETW_F_EXTENDED_INFO) {
				uint32_t q = 80;
				int more = 1;
				while (more) {
					if (q + 8 > size) {
						damage(w, pos_off(s, pos + q), "extended data item past its record; record skipped");
						s->pos = pos + size;
						goto next;
					}
					uint16_t isz = rd16(p + q), ity = rd16(p + q + 2), link = rd16(p + q + 4),
					         dsz = rd16(p + q + 6);
					if ((uint32_t)dsz + 8 > isz || q + isz > size || isz < 8) {
						damage(w, pos_off(s, pos + q), "extended data item of %u bytes past its record; record "
						       "skipped", isz);
						s->pos = pos + size;
						goto next;
					}
					if (r->next < MAX_EXT) {
						s->ext[r->next].type = ity;
						s->ext[r->next].size = dsz;
						s->ext[r->next].data = p + q + 8;
						r->next++;
					}
					q += (isz + 7u) & ~7u;
					more = link & 1;
				}
				if (q > size)
					q = size;
				dstart = q;
				r->ext = s->ext;
			}
		}
		r->data = p + dstart;
		r->len = size - dstart;
		s->pos = pos + size;
		return 1;
	next:
		continue;
	}
}

/* Moves stream s to its next record, loading its next buffers as needed.
 * Returns 1 (s->rec holds it), 0 (the stream is done) or an error. */
static int advance(walk *w, stream *s)
{
	for (;;) {
		if (s->data && parse_record(w, s) == 1)
			return 1;
		s->data = NULL;
		if (s->next >= s->nbufs)
			return 0;
		int rc = load_buffer(w, s, s->bufs[s->next++]);
		if (rc < 0)
			return rc;
	}
}

/* ---- the heap of streams, by (timestamp, stream) ---- */
static int less(const walk *w, size_t a, size_t b)
{
	int64_t ta = w->s[a].rec.timestamp, tb = w->s[b].rec.timestamp;
	return ta < tb || (ta == tb && a < b);
}
static void sift_down(walk *w, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < w->nheap && less(w, w->heap[l], w->heap[m]))
			m = l;
		if (r < w->nheap && less(w, w->heap[r], w->heap[m]))
			m = r;
		if (m == i)
			return;
		size_t t = w->heap[i];
		w->heap[i] = w->heap[m];
		w->heap[m] = t;
		i = m;
	}
}
static void sift_up(walk *w, size_t i)
{
	while (i > 0) {
		size_t p = (i - 1) / 2;
		if (!less(w, w->heap[i], w->heap[p]))
			return;
		size_t t = w->heap[i];
		w->heap[i] = w->heap[p];
		w->heap[p] = t;
		i = p;
	}
}

/* ---- the logfile header ---- */
static char *utf16_dup(const uint8_t *p, size_t n)
{
	char *o = malloc(n / 2 * 3 + 1);
	if (!o)
		return NULL;
	size_t k = 0;
	for (size_t i = 0; i + 1 < n; i += 2) {
		uint32_t c = p[i] | ((uint32_t)p[i + 1] << 8);
		if (c < 0x80)
			o[k++] = (char)c;
		else if (c < 0x800) {
			o[k++] = (char)(0xc0 | (c >> 6));
			o[k++] = (char)(0x80 | (c & 0x3f));
		} else {
			if (c >= 0xd800 && c < 0xe000)
				c = 0xfffd; /* names: surrogates are not worth pairing */
			o[k++] = (char)(0xe0 | (c >> 12));
			o[k++] = (char)(0x80 | ((c >> 6) & 0x3f));
			o[k++] = (char)(0x80 | (c & 0x3f));
		}
	}
	o[k] = 0;
	return o;
}

/* TRACE_LOGFILE_HEADER (the payload of the header record) into s; the
 * strings are malloc'd into names[2]. Returns 1 when it is one. */
static int parse_logfile_header(const kcap_etw_record *r, kcap_etw_session *s, char *names[2], uint32_t *written)
{
	etw_cur c = { r->data, r->len, 0, r->ptr_size, 0 };
	int p = r->ptr_size;
	memset(s, 0, sizeof *s);
	s->buffer_size = ETW_U32(&c);
	s->os_major = ETW_U8(&c);
	s->os_minor = ETW_U8(&c);
	s->os_sp_major = ETW_U8(&c);
	s->os_sp_minor = ETW_U8(&c);
	s->os_build = ETW_U32(&c);
	s->ncpus = ETW_U32(&c);
	s->end_filetime = (int64_t)ETW_U64(&c);
	s->timer_resolution = ETW_U32(&c);
	(void)ETW_U32(&c); /* MaximumFileSize */
	s->log_file_mode = ETW_U32(&c);
	uint32_t bw = ETW_U32(&c); /* BuffersWritten */
	if (written)
		*written = bw;
	(void)ETW_U32(&c); /* StartBuffers */
	s->ptr_size = ETW_U32(&c);
	s->events_lost = ETW_U32(&c);
	s->cpu_mhz = ETW_U32(&c);
	etw_skip(&c, 2u * (size_t)p);
	s->tz_bias_minutes = (int32_t)ETW_U32(&c);
	etw_skip(&c, 172 - 4 + 4);
	s->boot_filetime = (int64_t)ETW_U64(&c);
	int64_t freq = (int64_t)ETW_U64(&c);
	s->start_filetime = (int64_t)ETW_U64(&c);
	uint32_t clock = ETW_U32(&c);
	s->buffers_lost = ETW_U32(&c);
	if (c.bad)
		return 0;
	const uint8_t *a, *b;
	size_t na, nb;
	etw_wstr(&c, &a, &na);
	etw_wstr(&c, &b, &nb);
	names[0] = utf16_dup(a, na);
	names[1] = utf16_dup(b, nb);
	s->logger_name = names[0];
	s->log_file_name = names[1];
	s->clock.type = clock >= 1 && clock <= 3 ? (int)clock : KCAP_ETW_CLOCK_QPC;
	s->clock.freq = s->clock.type == KCAP_ETW_CLOCK_QPC      ? freq
	                : s->clock.type == KCAP_ETW_CLOCK_CYCLES ? (int64_t)s->cpu_mhz * 1000000
	                                                         : 10000000;
	s->clock.origin_ticks = r->timestamp;
	s->clock.origin_filetime = s->start_filetime;
	s->source = "etl";
	return 1;
}

int kcap_etl_probe(const unsigned char *head, size_t n)
{
	/* a header buffer: its first record at 0x48 is a SYSTEM header (type
	 * 1/2, flags 0xC0) with hook 0x0000; with fewer bytes, sizes in range */
	if (n < 8)
		return 0;
	uint32_t size = rd32(head);
	if (size < HDR || size > KCAP_ETL_MAX_BUFFER)
		return 0;
	if (n >= HDR + 8) {
		const uint8_t *p = head + HDR;
		return (p[2] == 1 || p[2] == 2) && (p[3] & 0xc0) == 0xc0 && rd16(p + 6) == 0;
	}
	return 1;
}

static void free_walk(walk *w)
{
	for (size_t i = 0; i < w->ns; i++) {
		free(w->s[i].bufs);
		free(w->s[i].scratch);
	}
	free(w->s);
	free(w->cpu_stream);
	free(w->b);
	free(w->heap);
	free(w->win);
	free(w->raw);
}

static int stream_of(walk *w, uint32_t cpu, size_t *idx)
{
	cpu &= 0xffff;
	if (!w->cpu_stream && !(w->cpu_stream = calloc(65536, sizeof *w->cpu_stream)))
		return KCAP_E_NOMEM;
	if (w->cpu_stream[cpu]) {
		*idx = w->cpu_stream[cpu] - 1;
		return 0;
	}
	if (kcap_array_room(&w->s, &w->caps, w->ns, sizeof *w->s, 8))
		return KCAP_E_NOMEM;
	memset(&w->s[w->ns], 0, sizeof *w->s);
	w->s[w->ns].cpu = cpu;
	*idx = w->ns++;
	w->cpu_stream[cpu] = (uint32_t)w->ns;
	return 0;
}

static int add_to_stream(stream *s, uint32_t i)
{
	if (kcap_array_room(&s->bufs, &s->capbufs, s->nbufs, sizeof *s->bufs, 16))
		return KCAP_E_NOMEM;
	s->bufs[s->nbufs++] = i;
	return 0;
}

/* The computer name from a SystemConfig CPU record (hook 0x0B0A), looked
 * for in the last and first buffers of each CPU before the walk (the kernel
 * logs SystemConfig in its end or start rundown), so that the origin
 * metadata can carry it. */
static void find_hostname(walk *w, stream *tmp, char *out, size_t cap)
{
	/* the last two buffers of each CPU, then the first two (256 at most) */
	size_t order[256], n = 0;
	for (int pass = 0; pass < 2; pass++)
		for (size_t si = 0; si < w->ns && n < 256; si++) {
			const stream *st = &w->s[si];
			for (size_t k = 0; k < 2 && k < st->nbufs && n < 256; k++)
				order[n++] = st->bufs[pass ? k : st->nbufs - 1 - k];
		}
	kcap_etl_stats saved = *w->st;
	int dmg = w->damaged;
	const kcap_etl_handler *h = w->h;
	kcap_etl_handler quiet = { 0 };
	w->h = &quiet;
	for (size_t k = 0; k < n && !out[0]; k++) {
		if (load_buffer(w, tmp, (uint32_t)order[k]) != 1)
			continue;
		while (parse_record(w, tmp) == 1) {
			const kcap_etw_record *r = &tmp->rec;
			if (!r->has_hook || r->hook != 0x0b0a || r->len < 22)
				continue;
			etw_cur c = { r->data, r->len > 20 + 512 ? 20 + 512 : r->len, 20, 8, 0 };
			const uint8_t *p;
			size_t pn, o = 0;
			etw_wstr(&c, &p, &pn);
			for (size_t i = 0; i + 1 < pn && o + 1 < cap; i += 2)
				out[o++] = p[i + 1] || p[i] < 0x20 || p[i] >= 0x7f ? '?' : (char)p[i];
			out[o] = 0;
			break;
		}
	}
	w->h = h;
	*w->st = saved;
	w->damaged = dmg;
	tmp->data = NULL;
}

/* The walk of w's file (mem or fd set by the caller). */
static int walk_run(walk *w, const kcap_etl_handler *h, void *ud, kcap_etl_stats *st, kcap_error *err)
{
	kcap_etl_stats local = { 0 };
	char *names[2] = { NULL, NULL };
	stream tmp = { 0 };
	int rc = 0;
	w->h = h;
	w->ud = ud;
	w->st = st ? st : &local;
	memset(w->st, 0, sizeof *w->st);
	/* the header buffer first: without a logfile header this is no .etl */
	const uint8_t *head = at(w, 0, w->len < HDR + 8 ? (size_t)w->len : HDR + 8);
	if (w->len < HDR + 32 || !head || !kcap_etl_probe(head, w->len < HDR + 8 ? (size_t)w->len : HDR + 8)) {
		rc = w->io_errno ? KCAP_E_IO : KCAP_E_FORMAT;
		if (err && rc == KCAP_E_IO)
			kcap_seterr(err, rc, 0, "read error: %s", strerror(w->io_errno));
		else if (err)
			kcap_seterr(err, rc, 0, "not an .etl file (no logfile header in its first buffer)");
		goto cleanup;
	}
	if ((rc = scan_buffers(w)) < 0) {
		if (rc == KCAP_E_IO && err)
			kcap_seterr(err, rc, 0, "read error: %s", strerror(w->io_errno));
		goto cleanup;
	}
	if (!w->nb || w->b[0].off != 0) {
		rc = KCAP_E_FORMAT;
		if (err)
			kcap_seterr(err, rc, 0, "not an .etl file (its first buffer is damaged)");
		goto cleanup;
	}
	/* the logfile header: the header buffer's first record */
	tmp.cpu = w->b[0].cpu;
	if ((rc = load_buffer(w, &tmp, 0)) < 0)
		goto cleanup;
	kcap_etw_session sess;
	uint32_t written = 0;
	if (rc != 1 || parse_record(w, &tmp) != 1 || !tmp.rec.has_hook || tmp.rec.hook != 0 ||
	    !parse_logfile_header(&tmp.rec, &sess, names, &written)) {
		rc = KCAP_E_FORMAT;
		if (err)
			kcap_seterr(err, rc, HDR, "not an .etl file (its first record is no logfile header)");
		goto cleanup;
	}
	if (sess.buffer_size >= HDR && sess.buffer_size <= KCAP_ETL_MAX_BUFFER)
		w->logical = sess.buffer_size;
	/* a file cut at a buffer boundary: fewer buffers than the header says
	 * were written (a circular log keeps fewer by design) */
	if (!(sess.log_file_mode & 0x2) && written > w->nb && !w->damaged)
		damage(w, w->len, "the file ends after %llu of the %u buffers its header says were written",
		       (unsigned long long)w->nb, written);
	w->st->buffers = 0;
	w->st->compressed = 0;
	tmp.data = NULL;
	char host[256] = "";
	/* one stream per CPU, buffers in file order */
	for (size_t i = 0; i < w->nb; i++) {
		size_t si;
		if ((rc = stream_of(w, w->b[i].cpu, &si)) < 0 || (rc = add_to_stream(&w->s[si], (uint32_t)i)) < 0)
			goto cleanup;
	}
	find_hostname(w, &tmp, host, sizeof host);
	if (host[0])
		sess.computer_name = host;
	if (h->session && (rc = h->session(ud, &sess)) < 0)
		goto cleanup;
	if (!(w->heap = malloc((w->ns ? w->ns : 1) * sizeof *w->heap))) {
		rc = KCAP_E_NOMEM;
		goto cleanup;
	}
	for (size_t i = 0; i < w->ns; i++) {
		rc = advance(w, &w->s[i]);
		if (rc < 0)
			goto cleanup;
		if (rc == 1) {
			w->heap[w->nheap++] = i;
			sift_up(w, w->nheap - 1);
		}
	}
	int first = 1;
	while (w->nheap) {
		size_t si = w->heap[0];
		stream *s = &w->s[si];
		kcap_etw_record *r = &s->rec;
		if (first && r->has_hook && r->hook == 0 && r->kind == KCAP_ETW_HDR_SYSTEM) {
			first = 0;
		} else if (r->has_hook && r->hook == 0 && r->kind == KCAP_ETW_HDR_SYSTEM && h->session) {
			/* a further logfile header of a merged file */
			kcap_etw_session more;
			char *mn[2] = { NULL, NULL };
			if (parse_logfile_header(r, &more, mn, NULL))
				rc = h->session(ud, &more);
			free(mn[0]);
			free(mn[1]);
			if (rc < 0)
				goto cleanup;
		}
		first = 0;
		w->st->records++;
		if (r->kind < 8)
			w->st->by_kind[r->kind]++;
		if ((rc = h->record(ud, r)) < 0)
			goto cleanup;
		rc = advance(w, s);
		if (rc < 0)
			goto cleanup;
		if (rc == 1)
			sift_down(w, 0);
		else {
			w->heap[0] = w->heap[--w->nheap];
			if (w->nheap)
				sift_down(w, 0);
		}
	}
	/* buffers flagged as lost, per CPU */
	if (h->loss && (w->st->lost_buffers || w->st->lost_event_buffers)) {
		for (size_t i = 0; i < w->ns; i++) {
			uint64_t ev = 0, bl = 0;
			for (size_t k = 0; k < w->s[i].nbufs; k++) {
				uint16_t f = w->b[w->s[i].bufs[k]].flags;
				ev += !!(f & BF_EVENTS_LOST);
				bl += !!(f & BF_BUFFER_LOST);
			}
			if (ev && (rc = h->loss(ud, w->s[i].cpu, "etw-buffers-with-events-lost", w->s[i].nbufs, ev)) < 0)
				goto cleanup;
			if (bl && (rc = h->loss(ud, w->s[i].cpu, "etw-buffers-flagged-lost", w->s[i].nbufs, bl)) < 0)
				goto cleanup;
		}
	}
	rc = w->damaged ? 1 : 0;
cleanup:
	free(tmp.scratch);
	free(names[0]);
	free(names[1]);
	if (rc >= 0 && w->io_errno) {
		rc = KCAP_E_IO;
		if (err)
			kcap_seterr(err, rc, -1, "read error: %s", strerror(w->io_errno));
	}
	free_walk(w);
	return rc;
}

int kcap_etl_walk(const uint8_t *buf, size_t len, const kcap_etl_handler *h, void *ud, kcap_etl_stats *st,
                  kcap_error *err)
{
	if (!h || !h->record)
		return KCAP_E_INVAL;
	walk w = { 0 };
	w.mem = buf;
	w.len = len;
	w.fd = -1;
	return walk_run(&w, h, ud, st, err);
}

int kcap_etl_walk_fd(int fd, uint64_t base, uint64_t len, const kcap_etl_handler *h, void *ud, kcap_etl_stats *st,
                     uint64_t *file_len, kcap_error *err)
{
	if (!h || !h->record || fd < 0)
		return KCAP_E_INVAL;
	walk w = { 0 };
	w.fd = fd;
	w.base = base;
	w.len = len;
	w.split = file_len != NULL;
	int rc = walk_run(&w, h, ud, st, err);
	if (file_len)
		*file_len = w.len;
	return rc;
}
