/* etl_import.c - the .etl importer of the importer table (importer.h):
 * `kcap convert --from etl FILE.etl...`. Each input is walked by
 * etl_file.c a buffer at a time (a regular file where it lies; a pipe, as
 * the input layer hands a decompressed or archived input, copied into an
 * unlinked temporary file first) and decoded by the one ETW decoder
 * (etw_decode.h) into the context's writer: one origin per input file.
 * Memory stays bounded whatever the file's size (docs/ETW.md "Memory"). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/port.h"

#include "etl_file.h"
#include "etw_decode.h"
#include "importer.h"
#include "input/note.h"

extern const kcap_importer kcap_etl_importer;

typedef struct etl_run {
	const kcap_import_ctx *c;
	const char *name;
	kcap_etw_decoder *d;
	uint64_t base; /* where the file being walked starts in the input */
} etl_run;

#define NOTE(r, ...) kcap_notef((r)->c->note, (r)->c->note_ud, __VA_ARGS__)

static int etl_open(void **st, const kcap_import_ctx *c)
{
	etl_run *r = kcap_import_state(c, sizeof *r);
	if (!r)
		return KCAP_E_NOMEM;
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
static void on_damage(void *ud, const kcap_error *e, uint64_t skipped)
{
	etl_run *r = ud;
	kcap_import_damage(r->c, r->name, (uint64_t)e->offset + r->base, skipped, e->msg);
}

/* An unlinked temporary file (in $TMPDIR, else the system's), or -1. */
static int temp_fd(void)
{
#ifdef _WIN32
	const char *dir = getenv("TEMP");
	char *name = _tempnam(dir && *dir ? dir : ".", "kcap-etl-");
	int fd = name ? _open(name, _O_CREAT | _O_EXCL | _O_RDWR | _O_BINARY | _O_TEMPORARY | _O_SHORT_LIVED, 0600) : -1;
	free(name);
	return fd;
#else
	const char *dir = getenv("TMPDIR");
	char path[4096];
	snprintf(path, sizeof path, "%s/kcap-etl-XXXXXX", dir && *dir ? dir : "/tmp");
	int fd = mkstemp(path);
	if (fd >= 0)
		unlink(path);
	return fd;
#endif
}

/* Copies the pipe fd to its end into a temporary file, 1 MiB at a time;
 * returns its descriptor (*len its size) or -1 (errno; *what the step). */
static int spool(int fd, uint64_t *len, const char **what)
{
	size_t cap = 1u << 20;
	uint8_t *b = malloc(cap);
	int t = b ? temp_fd() : -1;
	*what = b ? "cannot create a temporary file for the piped input" : "out of memory";
	*len = 0;
	while (t >= 0) {
		ssize_t k = read(fd, b, cap);
		if (k < 0 && errno == EINTR)
			continue;
		if (k == 0)
			break;
		*what = "read error";
		for (ssize_t o = 0; k > 0 && o < k;) {
			ssize_t m = write(t, b + o, (size_t)(k - o));
			if (m < 0 && errno == EINTR)
				continue;
			if (m <= 0) {
				*what = "cannot write the piped input to a temporary file";
				k = -1;
				break;
			}
			o += m;
		}
		if (k < 0) {
			int e = errno;
			close(t);
			t = -1;
			errno = e;
			break;
		}
		*len += (uint64_t)k;
	}
	free(b);
	return t;
}

/* The .etl file that fd holds at base (len bytes left in the input);
 * *flen is where it ends (a second file may follow). */
static int one_file(etl_run *r, int fd, uint64_t base, uint64_t len, uint64_t *flen)
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
	*flen = len;
	rc = kcap_etl_walk_fd(fd, base, len, &h, r, &es, flen, &err);
	int out = 0;
	if (rc == KCAP_E_IO) {
		NOTE(r, "%s: offset %lld: %s", r->name, (long long)(err.offset < 0 ? (int64_t)base : err.offset + (int64_t)base), err.msg);
		out = KCAP_IMPORT_FAILED;
	} else if (rc == KCAP_E_FORMAT) {
		NOTE(r, "%s: offset %lld: %s", r->name, (long long)(err.offset + (int64_t)base), err.msg);
		out = KCAP_IMPORT_FAILED;
	} else if (rc < 0) {
		const kcap_error *we = kcap_writer_error(r->c->w);
		NOTE(r, "%s: %s%s%s", r->name, kcap_strerror(rc), we && we->msg[0] ? ": " : "", we && we->msg[0] ? we->msg : "");
		out = rc;
	} else
		out = rc == 1 ? KCAP_IMPORT_DAMAGED : 0;
	if (out >= 0 && rc != KCAP_E_FORMAT && rc != KCAP_E_IO) {
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
	/* a regular file is read where it lies, from where the input layer
	 * left it; anything else is copied into a temporary file first */
	struct stat sb;
	uint64_t at = 0, end = 0;
	int tfd = -1;
	if (!fstat(fd, &sb) && S_ISREG(sb.st_mode)) {
		off_t cur = lseek(fd, 0, SEEK_CUR);
		at = cur > 0 ? (uint64_t)cur : 0;
		end = (uint64_t)sb.st_size > at ? (uint64_t)sb.st_size : at;
	} else {
		const char *what;
		if ((tfd = spool(fd, &end, &what)) < 0) {
			int e = errno;
			NOTE(r, "%s: %s: %s", r->name, what, strerror(e));
			return e == ENOMEM ? KCAP_E_NOMEM : KCAP_IMPORT_FAILED;
		}
		fd = tfd;
	}
	/* a concatenation (an archive's members, cat a.etl b.etl): each file on its own */
	int out = 0;
	uint64_t start = at;
	do {
		uint64_t flen = 0;
		int rc = one_file(r, fd, start, end - start, &flen);
		out = rc < 0 ? rc : out < 0 ? out : rc > out ? rc : out;
		if (rc < 0 || (rc == KCAP_IMPORT_FAILED && !flen))
			break;
		start += flen ? flen : end - start;
	} while (start < end);
	if (tfd >= 0)
		close(tfd);
	return out;
}

static int etl_close(void *st, int ok)
{
	etl_run *r = st;
	if (!r)
		return 0;
	(void)ok;
	kcap_etw_decoder_close(r->d);
	free(r);
	return 0;
}

static int etl_probe(const unsigned char *h, size_t n) { return kcap_etl_probe(h, n); }

const kcap_importer kcap_etl_importer = {
	.name = "etl",
	.what = "an ETW .etl file",
	.help = "Windows ETW .etl files of the kernel logger or user sessions, compressed or not",
	.probe = etl_probe,
	.order = NULL,
	.open = etl_open,
	.input = etl_input,
	.close = etl_close,
};
