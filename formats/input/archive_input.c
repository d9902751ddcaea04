/* archive_input.c - compressed and archived inputs pumped into a pipe for
 * the kcap reader or an importer (see archive_input.h). */
#ifdef KCAP_NO_LIBARCHIVE
#include "noarchive.h" /* one stream, no archives: the Windows build */
#else
#include <archive.h>
#include <archive_entry.h>
#include "archive_dl.h"
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "common/port.h"
#include "archive_input.h"
#include "bundle.h"
#include "note.h"

#define IN_BUF (256u << 10)
#define OUT_BUF (256u << 10)
#define PIPE_BYTES (1 << 20) /* fewer switches between pump and reader */

enum { DEC_NONE, DEC_GZIP, DEC_ZSTD };

/* Where the pump had to stop or leave a member: reported when the reader's
 * damage region covers `at` (see mark()). */
typedef struct pump_failure {
	uint64_t at;         /* offset of the marker byte in the pumped stream, or
				where the stream ends inside a structure (no marker) */
	int marked;          /* a marker byte was written at `at` */
	int said;            /* given by arch_input_describe: not again by _stopped */
	char *member;        /* NULL for a single compressed stream */
	uint64_t member_off; /* decompressed bytes of that member read before */
	char msg[256];
} pump_failure;

typedef struct pumped_member {
	uint64_t start; /* offset of its first byte in the pumped stream */
	char *name;
} pumped_member;

struct arch_input {
	arch_input_opts o;
	char *name; /* path, or "(stdin)" */
	int fd, own_fd, regular;
	int64_t base;     /* where the input started (stdin may not be at 0) */
	int stop_r, stop_w; /* closing stop_w ends every wait of the pump */
	int out_w;          /* write end of the pipe the reader reads */

	/* source: the raw bytes, decoded here for gzip and zstd */
	int dec;
	unsigned char *in, *out;
	size_t in_len, in_pos;
	uint64_t raw_read; /* bytes read from fd */
	int eof, src_failed, src_io;
	char src_msg[200];
	z_stream z;
	int z_ready, z_member_done;
	ZSTD_DStream *zs;
	int zs_frame_done;

	struct archive *a;
	struct archive_entry *first; /* header read by arch_input_open */
	int first_rc;
	int single; /* raw format: the whole content is one stream */
	pthread_t thread;
	int started;
	/* The pump's view of kcap's framing in what it wrote (FORMAT.md): bytes
	 * left of the current block, the head of the next structure so far, and
	 * whether the framing was lost (bytes that are not kcap structures). */
	uint64_t fr_left;
	unsigned char fr_head[20];
	size_t fr_hlen;
	int fr_lost;
	/* o.lines: the bytes after the last newline passed on, held until the
	 * line ends (or the member does) */
	char *held;
	size_t held_len, held_cap;

	pthread_mutex_t mu; /* guards what follows: the reader's thread reads it */
	uint64_t written;
	pumped_member *members;
	size_t nmembers;
	pump_failure *fails;
	size_t nfails;
	uint64_t entries, skipped;
	int io_failed;
};

static const unsigned char kcap_magic4[4] = {0x89, 'K', 'C', 'P'};

/* Is this a kcap header, intact or damaged the ways the reader names? */
static int looks_kcap(const unsigned char *p, size_t n)
{
	return n >= 4 && (p[0] == 0x89 || p[0] == 0x09) && !memcmp(p + 1, kcap_magic4 + 1, 3);
}

/* Is this the content the caller reads? */
static int looks_wanted(const arch_input *ai, const unsigned char *p, size_t n)
{
	return ai->o.probe ? ai->o.probe(p, n) : looks_kcap(p, n);
}

/* One line for the user, through the caller (never printed here). */
#define NOTE(ai, ...) kcap_notef((ai)->o.note, (ai)->o.note_ud, __VA_ARGS__)

/* ---- peeking at the first bytes without consuming them ---- */

/* A pipe is peeked with tee(2), which copies without consuming. tee returns
 * what the pipe holds now: when that is less than wanted, wait for more or
 * for the writer to go away. */
static ssize_t peek_pipe(int fd, unsigned char *buf, size_t want)
{
	int p[2];
	ssize_t got = -1;
	if (pipe2(p, O_CLOEXEC))
		return -1;
	for (int final = 0;;) {
		ssize_t n = tee(fd, p[1], want, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		ssize_t k = 0;
		while (k < n) {
			ssize_t r = read(p[0], buf + k, (size_t)(n - k));
			if (r <= 0)
				goto cleanup;
			k += r;
		}
		got = n;
		if (n == 0 || (size_t)n >= want || final)
			break;
		struct pollfd pf = {.fd = fd, .events = POLLIN};
		if (poll(&pf, 1, -1) < 0 && errno != EINTR)
			break;
		if (pf.revents & (POLLHUP | POLLERR))
			final = 1; /* the content is complete: one more tee sees all */
		else
			nanosleep(&(struct timespec){0, 1000000}, NULL);
	}
cleanup:
	close(p[0]);
	close(p[1]);
	return got;
}

/* Returns the bytes peeked, or -1 when the input cannot be peeked. */
static ssize_t peek(arch_input *ai, unsigned char *buf, size_t want)
{
	struct stat sb;
	if (fstat(ai->fd, &sb))
		return -1;
	if (S_ISREG(sb.st_mode)) {
		ai->regular = 1;
		off_t at = lseek(ai->fd, 0, SEEK_CUR);
		ai->base = at > 0 ? at : 0;
		ssize_t n;
		do
			n = pread(ai->fd, buf, want, ai->base);
		while (n < 0 && errno == EINTR);
		return n;
	}
	if (S_ISFIFO(sb.st_mode))
		return peek_pipe(ai->fd, buf, want);
	return -1;
}

/* ---- source: raw reads, gzip and zstd decoding ---- */

static void src_fail(arch_input *ai, int io, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void src_fail(arch_input *ai, int io, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ai->src_msg, sizeof ai->src_msg, fmt, ap);
	va_end(ap);
	ai->src_failed = 1;
	ai->src_io = io;
}

/* Waits until fd can be read or the pump is stopped (returns -1). */
static int wait_readable(arch_input *ai, int fd)
{
	struct pollfd pf[2] = {{.fd = fd, .events = POLLIN}, {.fd = ai->stop_r, .events = POLLIN}};
	for (;;) {
		int n = poll(pf, 2, -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || pf[1].revents)
			return -1;
		return 0;
	}
}

/* Reads raw bytes into buf; 0 at end of input or on error (recorded). */
static ssize_t raw_read(arch_input *ai, void *buf, size_t cap)
{
	for (;;) {
		if (!ai->regular && wait_readable(ai, ai->fd))
			return 0;
		ssize_t n = read(ai->fd, buf, cap);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			src_fail(ai, 1, "read error at byte %llu: %s", (unsigned long long)ai->raw_read, strerror(errno));
			return 0;
		}
		ai->raw_read += (uint64_t)n;
		return n;
	}
}

static int fill_in(arch_input *ai)
{
	if (ai->in_pos < ai->in_len || ai->eof)
		return 0;
	ssize_t n = raw_read(ai, ai->in, IN_BUF);
	ai->in_pos = 0;
	ai->in_len = (size_t)n;
	if (n == 0)
		ai->eof = 1;
	return 0;
}

/* Compressed bytes consumed so far. */
static unsigned long long in_consumed(const arch_input *ai)
{
	return (unsigned long long)(ai->raw_read - (ai->in_len - ai->in_pos));
}

static ssize_t gzip_read(arch_input *ai)
{
	for (;;) {
		fill_in(ai);
		if (ai->z_member_done) {
			/* between gzip members: another member, zero padding, or the end */
			while (ai->in_pos < ai->in_len && ai->in[ai->in_pos] == 0)
				ai->in_pos++;
			if (ai->in_pos == ai->in_len) {
				if (ai->eof)
					return 0;
				continue;
			}
			if (ai->in[ai->in_pos] != 0x1f) {
				src_fail(ai, 0, "data that is not gzip after the gzip stream, at byte %llu", in_consumed(ai));
				return 0;
			}
			inflateReset(&ai->z);
			ai->z_member_done = 0;
		}
		if (ai->in_pos == ai->in_len && ai->eof) {
			src_fail(ai, 0, "gzip data ends early, at byte %llu", in_consumed(ai));
			return 0;
		}
		ai->z.next_in = ai->in + ai->in_pos;
		ai->z.avail_in = (uInt)(ai->in_len - ai->in_pos);
		ai->z.next_out = ai->out;
		ai->z.avail_out = OUT_BUF;
		int zr = inflate(&ai->z, Z_NO_FLUSH);
		ai->in_pos = ai->in_len - ai->z.avail_in;
		size_t produced = OUT_BUF - ai->z.avail_out;
		if (zr == Z_STREAM_END)
			ai->z_member_done = 1;
		else if (zr != Z_OK && zr != Z_BUF_ERROR)
			src_fail(ai, 0, "gzip data damaged at byte %llu: %s", in_consumed(ai),
				 ai->z.msg ? ai->z.msg : "inflate failed");
		if (produced || ai->src_failed)
			return (ssize_t)produced;
	}
}

static ssize_t zstd_read(arch_input *ai)
{
	for (;;) {
		fill_in(ai);
		if (ai->in_pos == ai->in_len && ai->eof) {
			if (!ai->zs_frame_done)
				src_fail(ai, 0, "zstd data ends early, at byte %llu", in_consumed(ai));
			return 0;
		}
		ZSTD_inBuffer ib = {ai->in, ai->in_len, ai->in_pos};
		ZSTD_outBuffer ob = {ai->out, OUT_BUF, 0};
		size_t ret = ZSTD_decompressStream(ai->zs, &ob, &ib);
		ai->in_pos = ib.pos;
		if (ZSTD_isError(ret))
			src_fail(ai, 0, "zstd data damaged at byte %llu: %s", in_consumed(ai), ZSTD_getErrorName(ret));
		else
			ai->zs_frame_done = ret == 0;
		if (ob.pos || ai->src_failed)
			return (ssize_t)ob.pos;
	}
}

/* libarchive's read callback. A damaged compressed stream ends here as a
 * clean end of data, after every byte decoded before the damage: the pump
 * reports src_msg. (libarchive's own filters drop the last output buffer, up
 * to 64 KiB, when they meet damage: that is why gzip and zstd are ours.) */
static la_ssize_t src_read(struct archive *a, void *ud, const void **buf)
{
	arch_input *ai = ud;
	(void)a;
	if (ai->src_failed)
		return 0;
	switch (ai->dec) {
	case DEC_GZIP:
		*buf = ai->out;
		return gzip_read(ai);
	case DEC_ZSTD:
		*buf = ai->out;
		return zstd_read(ai);
	default:
		*buf = ai->in;
		return raw_read(ai, ai->in, IN_BUF);
	}
}

/* Skip and seek callbacks, for a plain regular file only (zip's central
 * directory, skipping tar members without reading them). */
static la_int64_t src_skip(struct archive *a, void *ud, la_int64_t n)
{
	arch_input *ai = ud;
	(void)a;
	off_t cur = lseek(ai->fd, 0, SEEK_CUR), end = lseek(ai->fd, 0, SEEK_END);
	if (cur < 0 || end < 0)
		return 0;
	if (n > end - cur)
		n = end - cur;
	if (lseek(ai->fd, cur + n, SEEK_SET) < 0)
		return 0;
	return n;
}

static la_int64_t src_seek(struct archive *a, void *ud, la_int64_t off, int whence)
{
	arch_input *ai = ud;
	(void)a;
	off_t r = whence == SEEK_SET ? lseek(ai->fd, ai->base + off, SEEK_SET) : lseek(ai->fd, off, whence);
	return r < 0 ? ARCHIVE_FATAL : r - ai->base;
}

/* ---- the pump ---- */

/* Follows the framing of capture bytes about to be written: a section
 * header (16 bytes) or a block (its header says its length). */
static void track(arch_input *ai, const unsigned char *p, size_t n)
{
	static const unsigned char sync[4] = {0xB5, 0x6B, 0x42, 0x1A};
	while (n && !ai->fr_lost) {
		if (ai->fr_left) {
			size_t k = n < ai->fr_left ? n : (size_t)ai->fr_left;
			ai->fr_left -= k;
			p += k;
			n -= k;
			continue;
		}
		ai->fr_head[ai->fr_hlen++] = *p++;
		n--;
		if (ai->fr_hlen == 16 && !memcmp(ai->fr_head, kcap_magic4, 4)) {
			ai->fr_hlen = 0;
		} else if (ai->fr_hlen == 20) {
			const unsigned char *h = ai->fr_head;
			ai->fr_lost = memcmp(h, sync, 4) != 0;
			ai->fr_left = 4 + ((uint64_t)h[8] | (uint64_t)h[9] << 8 | (uint64_t)h[10] << 16 | (uint64_t)h[11] << 24);
			ai->fr_hlen = 0;
		}
	}
}

/* A new member's capture starts at a structure boundary. */
static void track_reset(arch_input *ai)
{
	ai->fr_left = 0;
	ai->fr_hlen = 0;
	ai->fr_lost = 0;
}

static int put_bytes(arch_input *ai, const void *p, size_t n);

/* Writes capture bytes to the reader's pipe; -1 when the reader is gone or
 * the pump is stopped. */
static int put(arch_input *ai, const void *p, size_t n)
{
	if (!ai->o.probe)
		track(ai, p, n);
	if (!ai->o.lines)
		return put_bytes(ai, p, n);
	/* lines: up to the last newline passed on, the rest held */
	const char *c = p, *nl = NULL;
	for (size_t i = n; i-- > 0;)
		if (c[i] == '\n') {
			nl = c + i;
			break;
		}
	if (nl) {
		size_t k = (size_t)(nl - c) + 1;
		if ((ai->held_len && put_bytes(ai, ai->held, ai->held_len)) || put_bytes(ai, c, k))
			return -1;
		ai->held_len = 0;
		c += k;
		n -= k;
	}
	if (!n) /* ended on a newline: nothing to hold (and memcpy of NULL, 0 is undefined) */
		return 0;
	if (ai->held_len + n > ai->held_cap) {
		size_t cap = ai->held_cap ? ai->held_cap : 4096;
		while (cap < ai->held_len + n)
			cap *= 2;
		char *h = realloc(ai->held, cap);
		if (!h) { /* no room to hold it: passed on as it is */
			if ((ai->held_len && put_bytes(ai, ai->held, ai->held_len)) || put_bytes(ai, c, n))
				return -1;
			ai->held_len = 0;
			return 0;
		}
		ai->held = h;
		ai->held_cap = cap;
	}
	memcpy(ai->held + ai->held_len, c, n);
	ai->held_len += n;
	return 0;
}

/* The end of a member read whole: its last line, without a newline, is
 * passed on. */
static int put_held(arch_input *ai)
{
	size_t n = ai->held_len;
	ai->held_len = 0;
	return n ? put_bytes(ai, ai->held, n) : 0;
}

static int put_bytes(arch_input *ai, const void *p, size_t n)
{
	const char *c = p;
	while (n) {
		ssize_t w = write(ai->out_w, c, n);
		if (w > 0) {
			c += w;
			n -= (size_t)w;
			pthread_mutex_lock(&ai->mu);
			ai->written += (uint64_t)w;
			pthread_mutex_unlock(&ai->mu);
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN) {
			struct pollfd pf[2] = {{.fd = ai->out_w, .events = POLLOUT}, {.fd = ai->stop_r, .events = POLLIN}};
			if ((poll(pf, 2, -1) < 0 && errno != EINTR) || pf[1].revents)
				return -1;
			continue;
		}
		return -1; /* EPIPE: the reader was closed */
	}
	return 0;
}

/* Records why the pump stopped or left a member. Where the bytes written
 * end between two kcap structures, writes one byte that no kcap structure
 * starts with: the reader then reports damage covering it. Where they end
 * inside one, writes nothing: the reader finds that structure cut short, as
 * in a cut file, reports damage that ends here and recovers what the bytes
 * present of an events block hold (a byte of ours after them would be taken
 * for one of its bytes). Either way the reader's damage callback
 * (tools/cli.c) prints our reason with the place where intact events end,
 * in stream order, and the exit status becomes 3 as for any damaged
 * capture. */
static int mark(arch_input *ai, const char *member, uint64_t member_off, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int mark(arch_input *ai, const char *member, uint64_t member_off, const char *fmt, ...)
{
	/* foreign content has no structure a marker byte could be told from */
	int marked = !ai->o.probe && !ai->fr_left && !ai->fr_hlen && !ai->fr_lost;
	pthread_mutex_lock(&ai->mu);
	pump_failure *f = realloc(ai->fails, (ai->nfails + 1) * sizeof *f);
	if (f) {
		ai->fails = f;
		f += ai->nfails++;
		f->at = ai->written;
		f->marked = marked;
		f->said = 0;
		f->member = member ? strdup(member) : NULL;
		/* lines: the cut line is dropped, the intact ones end here */
		f->member_off = member_off - (member_off >= ai->held_len ? ai->held_len : member_off);
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(f->msg, sizeof f->msg, fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&ai->mu);
	ai->held_len = 0;
	track_reset(ai); /* what follows, if anything, is the next member */
	static const unsigned char marker = 0xff;
	return marked ? put_bytes(ai, &marker, 1) : 0;
}

static const char *la_msg(struct archive *a)
{
	const char *m = archive_error_string(a);
	return m ? m : "read error";
}

/* Why reading stopped: our decoder's reason comes first (libarchive then
 * only saw the data end). */
static int mark_stop(arch_input *ai, const char *member, uint64_t member_off)
{
	if (ai->src_failed) {
		if (ai->src_io) {
			pthread_mutex_lock(&ai->mu);
			ai->io_failed = 1;
			pthread_mutex_unlock(&ai->mu);
		}
		return mark(ai, member, member_off, "%s; nothing after it can be read", ai->src_msg);
	}
	return mark(ai, member, member_off, "%s; nothing after it can be read", la_msg(ai->a));
}

static const unsigned char zeros[4096];

typedef struct entry_state {
	const char *member;
	unsigned char head[8];
	size_t hlen;
	uint64_t done; /* member bytes read */
	int decided, skip;
} entry_state;

/* Decides from the first bytes whether an archive member is a capture. */
static int decide(arch_input *ai, entry_state *s)
{
	s->decided = 1;
	if (looks_wanted(ai, s->head, s->hlen)) {
		track_reset(ai); /* the member before may have been a cut capture */
		return s->hlen ? put(ai, s->head, s->hlen) : 0;
	}
	/* a bundle's manifest (kcap bundle) is not news */
	if (!(s->member && !strcmp(s->member, BUNDLE_MANIFEST) && s->hlen && s->head[0] == '{'))
		NOTE(ai, "%s: %s: not %s%s; skipped", ai->name, s->member, ai->o.what, s->hlen ? "" : " (empty)");
	s->skip = 1;
	pthread_mutex_lock(&ai->mu);
	ai->skipped++;
	pthread_mutex_unlock(&ai->mu);
	return 0;
}

/* Passes n bytes of the entry on; -1 when the reader is gone. */
static int feed(arch_input *ai, entry_state *s, const unsigned char *p, size_t n)
{
	if (!s->decided) {
		size_t k = n < sizeof s->head - s->hlen ? n : sizeof s->head - s->hlen;
		memcpy(s->head + s->hlen, p, k);
		s->hlen += k;
		s->done += k;
		p += k;
		n -= k;
		if (s->hlen < sizeof s->head)
			return 0;
		if (decide(ai, s))
			return -1;
	}
	if (s->skip || !n)
		return 0;
	if (put(ai, p, n))
		return -1;
	s->done += n;
	return 0;
}

/* Copies one entry's data to the pipe. The first bytes of an archive member
 * tell whether it is a capture; a single stream is passed as it is (the
 * reader names what it is not). Returns 0 to go on with the next entry, 1 to
 * stop (the reader is gone, or nothing further can be read). */
static int pump_entry(arch_input *ai, const char *member)
{
	entry_state s = {.member = member, .decided = ai->single};
	while (!s.skip) {
		const void *blk;
		size_t n;
		la_int64_t off;
		int rc = archive_read_data_block(ai->a, &blk, &n, &off);
		if (rc == ARCHIVE_EOF)
			break;
		if (rc < ARCHIVE_WARN) {
			if (rc == ARCHIVE_FAILED && !ai->src_failed && !s.done) /* encrypted, unknown method: */
				return mark(ai, member, 0, "cannot be read: %s", la_msg(ai->a)) ? 1 : 0; /* go on */
			if (!s.decided && decide(ai, &s))
				return 1;
			mark_stop(ai, member, s.done);
			return 1;
		}
		/* holes of a sparse member read as the zeros they stand for */
		while (off > (la_int64_t)s.done) {
			uint64_t gap = (uint64_t)off - s.done;
			if (feed(ai, &s, zeros, gap < sizeof zeros ? (size_t)gap : sizeof zeros))
				return 1;
		}
		if (feed(ai, &s, blk, n))
			return 1;
	}
	if (!s.decided && decide(ai, &s))
		return 1;
	if (ai->src_failed) /* the entry ended where the compressed data is damaged */
		return mark_stop(ai, member, s.done), 1;
	return put_held(ai) ? 1 : 0;
}

void arch_thread_block_sigpipe(void)
{
#ifdef SIGPIPE /* Windows has none: a write to a closed pipe fails with EPIPE */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
#endif
}

static void *pump(void *arg)
{
	arch_input *ai = arg;
	arch_thread_block_sigpipe();
	struct archive_entry *ent = ai->first;
	int rc = ai->first_rc;
	for (;;) {
		if (rc == ARCHIVE_EOF) {
			if (ai->src_failed)
				mark_stop(ai, NULL, (uint64_t)archive_filter_bytes(ai->a, 0));
			break;
		}
		if (rc == ARCHIVE_RETRY) {
			rc = archive_read_next_header(ai->a, &ent);
			continue;
		}
		if (rc < ARCHIVE_WARN) {
			mark_stop(ai, NULL, (uint64_t)archive_filter_bytes(ai->a, 0));
			break;
		}
		pthread_mutex_lock(&ai->mu);
		ai->entries++;
		pthread_mutex_unlock(&ai->mu);
		if (ai->single) {
			pump_entry(ai, NULL);
			break;
		}
		if (archive_entry_filetype(ent) == AE_IFREG) {
			const char *name = archive_entry_pathname(ent);
			name = name ? name : "(unnamed member)";
			pthread_mutex_lock(&ai->mu);
			pumped_member *m = realloc(ai->members, (ai->nmembers + 1) * sizeof *m);
			if (m) {
				ai->members = m;
				m[ai->nmembers].start = ai->written;
				m[ai->nmembers].name = strdup(name);
				ai->nmembers++;
			}
			pthread_mutex_unlock(&ai->mu);
			if (pump_entry(ai, name))
				break;
		}
		rc = archive_read_next_header(ai->a, &ent);
	}
	close(ai->out_w);
	ai->out_w = -1;
	return NULL;
}

/* ---- open, describe, close ---- */

static void free_ai(arch_input *ai)
{
	if (ai->a)
		archive_read_free(ai->a);
	if (ai->z_ready)
		inflateEnd(&ai->z);
	ZSTD_freeDStream(ai->zs);
	for (size_t i = 0; i < ai->nmembers; i++)
		free(ai->members[i].name);
	for (size_t i = 0; i < ai->nfails; i++)
		free(ai->fails[i].member);
	free(ai->members);
	free(ai->fails);
	free(ai->in);
	free(ai->out);
	free(ai->held);
	if (ai->own_fd && ai->fd >= 0)
		close(ai->fd);
	if (ai->out_w >= 0)
		close(ai->out_w);
	if (ai->stop_r >= 0)
		close(ai->stop_r);
	if (ai->stop_w >= 0)
		close(ai->stop_w);
	pthread_mutex_destroy(&ai->mu);
	free(ai->name);
	free(ai);
}

/* Opens libarchive over our source. Formats and filters are named one by
 * one: support_*_all would also run external programs (lrzip, lzop, grzip)
 * and read text formats (mtree) that a capture must never be taken for. */
static int open_archive(arch_input *ai)
{
	struct archive *a = archive_read_new();
	if (!a)
		return -1;
	ai->a = a;
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_zstd(a);
	archive_read_support_filter_xz(a);
	archive_read_support_filter_lzma(a);
	archive_read_support_filter_lzip(a);
	archive_read_support_filter_bzip2(a);
	archive_read_support_filter_lz4(a);
	archive_read_support_filter_compress(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_cpio(a);
	archive_read_support_format_zip(a);
	archive_read_support_format_7zip(a);
	archive_read_support_format_ar(a);
	archive_read_support_format_raw(a);
	archive_read_support_format_empty(a);
	archive_read_set_callback_data(a, ai);
	archive_read_set_read_callback(a, src_read);
	if (ai->regular && ai->dec == DEC_NONE) {
		archive_read_set_skip_callback(a, src_skip);
		archive_read_set_seek_callback(a, src_seek);
	}
	if (archive_read_open1(a) != ARCHIVE_OK) {
		ai->first_rc = ARCHIVE_FATAL;
		return 0;
	}
	ai->first_rc = archive_read_next_header(a, &ai->first);
	ai->single = ai->first_rc >= ARCHIVE_WARN && archive_format(a) == ARCHIVE_FORMAT_RAW;
	return 0;
}

int arch_input_open(const arch_input_opts *o, const char *path, int in_fd, arch_input **out, int *fd)
{
	*out = NULL;
	*fd = -1;
	arch_input *ai = calloc(1, sizeof *ai);
	if (!ai) {
		if (o->note)
			o->note(o->note_ud, "out of memory");
		return -1;
	}
	ai->o = *o;
	if (!ai->o.what)
		ai->o.what = "a kcap capture";
	ai->stop_r = ai->stop_w = ai->out_w = -1;
	pthread_mutex_init(&ai->mu, NULL);
	ai->name = strdup(path ? path : "(stdin)");
	if (in_fd >= 0) {
		ai->fd = in_fd;
		ai->own_fd = 1;
	} else if (path) {
		ai->fd = open(path, O_RDONLY | O_CLOEXEC);
		ai->own_fd = 1;
		if (ai->fd < 0)
			goto plain;
	} else {
		ai->fd = STDIN_FILENO;
	}
	/* 8 bytes: an .etl header buffer is told by its size word and the next
	 * (kcap_etl_probe); the other formats need 4. What the probe accepts,
	 * and what is too short to be compressed, is read as it is, without
	 * libarchive (not even opened). */
	unsigned char head[8];
	ssize_t n = peek(ai, head, sizeof head);
	if (n < 4 || looks_wanted(ai, head, (size_t)n))
		goto plain;
	if (head[0] == 0x1f && head[1] == 0x8b)
		ai->dec = DEC_GZIP;
	else if (!memcmp(head, "\x28\xb5\x2f\xfd", 4) || /* a zstd frame, or a skippable frame */
		 ((head[0] & 0xf0) == 0x50 && !memcmp(head + 1, "\x2a\x4d\x18", 3)))
		ai->dec = DEC_ZSTD;
	ai->in = malloc(IN_BUF);
	ai->out = ai->dec != DEC_NONE ? malloc(OUT_BUF) : NULL;
	if (!ai->name || !ai->in || (ai->dec != DEC_NONE && !ai->out))
		goto nomem;
	if (ai->dec == DEC_GZIP) {
		if (inflateInit2(&ai->z, 16 + MAX_WBITS) != Z_OK)
			goto nomem;
		ai->z_ready = 1;
	} else if (ai->dec == DEC_ZSTD) {
		ai->zs = ZSTD_createDStream();
		if (!ai->zs)
			goto nomem;
	}
	int sp[2];
	if (pipe2(sp, O_CLOEXEC))
		goto nomem;
	ai->stop_r = sp[0];
	ai->stop_w = sp[1];
#ifndef KCAP_NO_LIBARCHIVE
	if (kcap_archive_dl_error()) { /* libarchive is opened here, the first time it is needed */
		NOTE(ai, "%s: %s", ai->name, kcap_archive_dl_error());
		free_ai(ai);
		return -1;
	}
#endif
	if (open_archive(ai))
		goto nomem;
	/* A plain file libarchive sees no compression nor archive in: read it as
	 * a capture (the reader names its damage or that it is none). A pipe has
	 * been consumed by now: its bytes are pumped as they are. */
	if (ai->regular && ai->dec == DEC_NONE && ai->single && archive_filter_count(ai->a) == 1) {
		if (lseek(ai->fd, ai->base, SEEK_SET) < 0)
			goto plain;
		*fd = ai->fd;
		ai->own_fd = 0;
		free_ai(ai);
		return 0;
	}
	int pp[2];
	if (pipe2(pp, O_CLOEXEC))
		goto nomem;
	fcntl(pp[1], F_SETPIPE_SZ, PIPE_BYTES); /* best effort */
	fcntl(pp[1], F_SETFL, O_NONBLOCK);
	ai->out_w = pp[1];
	if (pthread_create(&ai->thread, NULL, pump, ai)) {
		close(pp[0]);
		NOTE(ai, "%s: cannot start a thread", ai->name);
		free_ai(ai);
		return -1;
	}
	ai->started = 1;
	*out = ai;
	*fd = pp[0];
	return 1;
plain:
	*fd = ai->fd;
	ai->own_fd = 0;
	free_ai(ai);
	return 0;
nomem:
	NOTE(ai, "%s: out of memory", path ? path : "(stdin)");
	free_ai(ai);
	return -1;
}

void arch_input_describe(arch_input *ai, int64_t offset, uint64_t skipped, const char *msg, char *buf, size_t len)
{
	pthread_mutex_lock(&ai->mu);
	uint64_t off = offset > 0 ? (uint64_t)offset : 0;
	uint64_t end = off + (skipped ? skipped : 1);
	pump_failure *f = NULL;
	/* a failure without a marker lies at the end of the structure it cut */
	for (size_t i = 0; i < ai->nfails && !f; i++)
		if ((ai->fails[i].at >= off && ai->fails[i].at < end) || (!ai->fails[i].marked && ai->fails[i].at == end))
			f = &ai->fails[i];
	const char *member = NULL;
	uint64_t rel = off;
	if (f && f->at == off) { /* damage begins where the pump stopped */
		member = f->member;
		rel = f->member_off;
	} else if (!ai->single) {
		for (size_t i = ai->nmembers; i-- > 0;)
			if (ai->members[i].start <= off) {
				member = ai->members[i].name;
				rel = off - ai->members[i].start;
				break;
			}
	}
	if (f)
		f->said = 1;
	/* our reason, and what the reader recovered of the events block it cut */
	int recovered = f && strstr(msg, " events recovered") && !strstr(msg, "no events recovered");
	snprintf(buf, len, "%s: %s%soffset %llu: %s%s%s", ai->name, member ? member : "", member ? ": " : "",
		 (unsigned long long)rel, f ? f->msg : msg, recovered ? "; " : "", recovered ? msg : "");
	pthread_mutex_unlock(&ai->mu);
}

static void stop(arch_input *ai)
{
	if (ai->stop_w >= 0) {
		close(ai->stop_w);
		ai->stop_w = -1;
	}
	if (ai->started) {
		pthread_join(ai->thread, NULL);
		ai->started = 0;
	}
}

static void first_failure(const arch_input *ai, char *buf, size_t len)
{
	const pump_failure *f = &ai->fails[0];
	snprintf(buf, len, "%s: %s%s%s", ai->name, f->member ? f->member : "", f->member ? ": " : "", f->msg);
}

int arch_input_failure(arch_input *ai, char *buf, size_t len)
{
	/* the reader stopped reading: let the pump finish what it is doing
	 * (stop() would cut a failure short of being recorded) */
	if (ai->started) {
		pthread_join(ai->thread, NULL);
		ai->started = 0;
	}
	buf[0] = 0;
	if (ai->written > ai->nfails) /* capture bytes reached the reader: its error stands */
		return 0;
	if (ai->nfails) {
		first_failure(ai, buf, len);
		return ai->io_failed;
	}
	if (!ai->entries)
		snprintf(buf, len, "%s: no kcap capture in it (empty)", ai->name);
	else if (!ai->single)
		snprintf(buf, len, "%s: no kcap capture in it (%llu member%s, none a capture)", ai->name,
			 (unsigned long long)ai->entries, ai->entries == 1 ? "" : "s");
	return 0;
}

int arch_input_stopped(arch_input *ai, char *buf, size_t len)
{
	if (ai->started) {
		pthread_join(ai->thread, NULL);
		ai->started = 0;
	}
	buf[0] = 0;
	if (!ai->nfails)
		return 0;
	const pump_failure *f = NULL;
	for (size_t i = 0; i < ai->nfails && !f; i++)
		if (!ai->fails[i].said)
			f = &ai->fails[i];
	if (f)
		snprintf(buf, len, "%s: %s%soffset %llu: %s", ai->name, f->member ? f->member : "", f->member ? ": " : "",
			 (unsigned long long)f->member_off, f->msg);
	return ai->io_failed ? 2 : 1;
}

void arch_input_close(arch_input *ai)
{
	if (!ai)
		return;
	stop(ai);
	free_ai(ai);
}
