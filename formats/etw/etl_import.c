/* etl_import.c - the .etl importer of the importer table (importer.h):
 * `kcap convert --from etl FILE.etl...`. Each input is read whole (the
 * input layer hands a descriptor, often a pipe), walked by etl_file.c and
 * decoded by the one ETW decoder (etw_decode.h) into the context's writer:
 * one origin per input file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "etl_file.h"
#include "etw_decode.h"
#include "importer.h"
#include "input/note.h"

extern const kcap_importer kcap_etl_importer;

typedef struct etl_run {
	const kcap_import_ctx *c;
	const char *name;
	kcap_etw_decoder *d;
	uint8_t *buf;
	size_t cap;
	size_t base; /* where the file being walked starts in the input */
} etl_run;

#define NOTE(r, ...) kcap_notef((r)->c->note, (r)->c->note_ud, __VA_ARGS__)

static int etl_open(void **st, const kcap_import_ctx *c)
{
	etl_run *r = calloc(1, sizeof *r);
	if (!r) {
		if (c->note)
			c->note(c->note_ud, "out of memory");
		return KCAP_E_NOMEM;
	}
	r->c = c;
	*st = r;
	return 0;
}

static int on_session(void *ud, const kcap_etw_session *s) { return kcap_etw_decoder_session(((etl_run *)ud)->d, s); }
static int on_record(void *ud, const kcap_etw_record *rec) { return kcap_etw_decode(((etl_run *)ud)->d, rec); }
static int on_loss(void *ud, uint32_t cpu, const char *source, uint64_t seen, uint64_t lost)
{
	return kcap_etw_decoder_loss(((etl_run *)ud)->d, cpu, source, seen, lost);
}
static void on_damage(void *ud, const kcap_error *e)
{
	etl_run *r = ud;
	NOTE(r, "%s: offset %lld: %s", r->name, (long long)(e->offset + (int64_t)r->base), e->msg);
}

/* Reads fd to its end into r->buf; returns the length or -1 (errno). */
static long long slurp(etl_run *r, int fd)
{
	size_t n = 0;
	for (;;) {
		if (n == r->cap) {
			size_t nc = r->cap ? r->cap * 2 : (1u << 20);
			uint8_t *b = realloc(r->buf, nc);
			if (!b) {
				errno = ENOMEM;
				return -1;
			}
			r->buf = b;
			r->cap = nc;
		}
		ssize_t k = read(fd, r->buf + n, r->cap - n);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (k == 0)
			return (long long)n;
		n += (size_t)k;
	}
}

/* One .etl file at buf[0..n), base bytes into the input (for notes). */
static int one_file(etl_run *r, const uint8_t *buf, size_t n, size_t base)
{
	kcap_error err = { 0 };
	r->base = base;
	int rc = kcap_etw_decoder_open_writer(&r->d, r->c->w, &err);
	if (rc < 0) {
		NOTE(r, "%s: %s", r->name, err.msg[0] ? err.msg : kcap_strerror(rc));
		return rc;
	}
	static const kcap_etl_handler h = { on_session, on_record, on_loss, on_damage };
	kcap_etl_stats es;
	rc = kcap_etl_walk(buf, n, &h, r, &es, &err);
	int out = 0;
	if (rc == KCAP_E_FORMAT) {
		NOTE(r, "%s: offset %lld: %s", r->name, (long long)(err.offset + (int64_t)base), err.msg);
		out = KCAP_IMPORT_FAILED;
	} else if (rc < 0) {
		const kcap_error *we = kcap_writer_error(r->c->w);
		NOTE(r, "%s: %s%s%s", r->name, kcap_strerror(rc), we && we->msg[0] ? ": " : "", we && we->msg[0] ? we->msg : "");
		out = rc;
	} else
		out = rc == 1 ? KCAP_IMPORT_DAMAGED : 0;
	if (out >= 0 && rc != KCAP_E_FORMAT) {
		int frc = kcap_etw_decoder_finish(r->d);
		if (frc < 0) {
			NOTE(r, "%s: %s", r->name, kcap_strerror(frc));
			out = frc;
		}
		const kcap_etw_decoder_stats *ds = kcap_etw_decoder_get_stats(r->d);
		if (ds->short_payload)
			NOTE(r, "%s: %llu record(s) too short for their class were kept as generic etw events", r->name,
			     (unsigned long long)ds->short_payload);
	}
	kcap_etw_decoder_close(r->d);
	r->d = NULL;
	return out;
}

static int etl_input(void *st, int fd, const char *path)
{
	etl_run *r = st;
	r->name = path ? path : "(stdin)";
	long long n = slurp(r, fd);
	if (n < 0) {
		int e = errno;
		NOTE(r, "%s: read error: %s", r->name, strerror(e));
		return e == ENOMEM ? KCAP_E_NOMEM : KCAP_IMPORT_FAILED;
	}
	/* a concatenation (an archive's members, cat a.etl b.etl): each file on its own */
	int out = 0;
	size_t start = 0, len = (size_t)n;
	do {
		size_t end = start + kcap_etl_file_end(r->buf + start, len - start);
		int rc = one_file(r, r->buf + start, end - start, start);
		out = rc < 0 ? rc : out < 0 ? out : rc > out ? rc : out;
		if (rc < 0)
			break;
		start = end;
	} while (start < len);
	return out;
}

static int etl_close(void *st, int ok)
{
	etl_run *r = st;
	if (!r)
		return 0;
	(void)ok;
	kcap_etw_decoder_close(r->d);
	free(r->buf);
	free(r);
	return 0;
}

static int etl_probe(const unsigned char *h, size_t n) { return kcap_etl_probe(h, n); }

const kcap_importer kcap_etl_importer = {
	.name = "etl",
	.what = "an ETW .etl file",
	.help = "Windows ETW .etl files (kernel logger and user sessions, compressed or not)",
	.probe = etl_probe,
	.order = NULL,
	.open = etl_open,
	.input = etl_input,
	.close = etl_close,
};
