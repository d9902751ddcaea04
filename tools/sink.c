/* Output sink shared by cat, convert, filter, slice, merge and replay. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <kcap/filter.h>
#include <kcap/procstate.h>
#include "scap/scap_write.h"
#include <kcap/rows.h>
#include "sink.h"

/* What of a reader's current section the kcap writer already describes. */
typedef struct section_mirror {
	const kcap_reader *src;
	uint32_t section;
	uint64_t gen;     /* schema generation written */
	size_t origins;   /* metadata blocks written */
	uint64_t upd;     /* snapshot updates of the reader written (kcap_reader_update_gen) */
	int any;          /* a section was mirrored: the next source starts a new one */
} section_mirror;

struct sink {
	const char *cmd;
	sink_opts o;
	out_mode mode;
	const char *name; /* of the output, in messages */
	kcap_writer *w;
	FILE *out;        /* text output, unless written to o.fd */
	int own_out;
	kcap_buf buf;
	section_mirror mirror; /* for kcap output */
	uint64_t unflushed;    /* kcap events written since the last sink_flush() */
	int failed;
	/* process context for the JSON "proc" object */
	kcap_procstate *ps;
	const kcap_reader *ps_src;
	/* ps followed ps_src up to this section and update count (ps_followed):
	 * kcap_procstate_follow() is called only when one of them moves */
	int ps_followed;
	uint32_t ps_section;
	uint64_t ps_gen;
	kcap_reader *idle_src;         /* the input whose waits flush the output */
	/* JSON: the origins of (origin_src, origin_section) described so far */
	const kcap_reader *origin_src;
	uint32_t origin_section;
	uint8_t origin_said[65536 / 8];
	const kcap_reader *fields_src; /* CSV columns checked against its schema */
	int csv_proc;                  /* a CSV column needs the process context */
	out_file file;                 /* -o FILE */
	/* .scap output: the writer, its descriptor, and what of each input's
	 * context (origins, section) it has been given */
	kcap_scap_writer *scap;
	int scap_fd, scap_own_fd;
	section_mirror scap_ctx;
};

/* The temporary output of this process, removed if a signal ends it (a
 * command writes one output at a time). */
static const char *volatile pending_tmp;

static void tmp_on_signal(int sig)
{
	const char *t = pending_tmp;
	if (t)
		unlink(t);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Removes the temporary output when SIGINT, SIGTERM or SIGHUP end the
 * command, unless the command handles the signal itself. */
static void tmp_guard(const char *tmp)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
	pending_tmp = tmp;
	for (size_t i = 0; tmp && i < sizeof sigs / sizeof sigs[0]; i++) {
		struct sigaction old, sa = {.sa_handler = tmp_on_signal};
		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_DFL)
			sigaction(sigs[i], &sa, NULL);
	}
}

void out_write_failed(const char *cmd, const char *name, int err)
{
	cli_err(cmd, "%s: write failed: %s", name, strerror(err ? err : EIO));
}

/* A temporary name beside path: DIR/.BASE.XXXXXX, opened with mkstemp and
 * given the mode the file would have had (an existing file's, else 0666
 * less the umask). Returns the descriptor or -1 (errno set). */
static int open_tmp(const char *path, const struct stat *old, char **tmp)
{
	const char *base = strrchr(path, '/');
	size_t dlen = base ? (size_t)(base - path) + 1 : 0;
	base = base ? base + 1 : path;
	char *t = malloc(dlen + strlen(base) + 9);
	if (!t)
		return -1;
	memcpy(t, path, dlen);
	sprintf(t + dlen, ".%s.XXXXXX", base);
	int fd = mkstemp(t);
	if (fd < 0) {
		int e = errno;
		free(t);
		errno = e;
		return -1;
	}
	mode_t mode;
	if (old) {
		mode = old->st_mode & 07777;
	} else {
		mode_t um = umask(0);
		umask(um);
		mode = 0666 & ~um;
	}
	if (fchmod(fd, mode) != 0) { /* the file would be unreadable to others */
		int e = errno;
		close(fd);
		unlink(t);
		free(t);
		errno = e;
		return -1;
	}
	*tmp = t;
	return fd;
}

int out_file_open(const char *cmd, const char *path, out_file *f)
{
	struct stat sb;
	int exists = lstat(path, &sb) == 0;
	*f = (out_file){.path = path};
	int fd = -1;
	if (!exists || S_ISREG(sb.st_mode))
		fd = open_tmp(path, exists ? &sb : NULL, &f->tmp);
	if (fd < 0) {
		/* not a regular file, or its directory takes no new name: in place */
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
		if (fd < 0) {
			cli_err(cmd, "%s: cannot create: %s", path, strerror(errno));
			return -1;
		}
		f->created = !exists;
	}
	tmp_guard(f->tmp);
	return fd;
}

int out_file_end(const char *cmd, out_file *f, int rc)
{
	int keep = rc == KCAP_EXIT_OK || rc == KCAP_EXIT_DAMAGED;
	if (f->tmp) {
		if (keep && rename(f->tmp, f->path) != 0) {
			cli_err(cmd, "%s: cannot rename %s to it: %s", f->path, f->tmp, strerror(errno));
			keep = 0;
			rc = KCAP_EXIT_ERROR;
		}
		if (!keep)
			unlink(f->tmp);
		tmp_guard(NULL);
		free(f->tmp);
		f->tmp = NULL;
	} else if (!keep && f->created) {
		unlink(f->path);
	}
	return rc;
}

/* The .scap output of s: refused on a terminal and in paced mode, -o
 * written under a temporary name. Returns a KCAP_EXIT_* code (printed). */
static int scap_open(sink *s, int given_fd, int to_stdout)
{
	if (s->o.paced) {
		cli_err(s->cmd, "--scap: a .scap is written at the end, not paced");
		return KCAP_EXIT_USAGE;
	}
	int fd = given_fd ? s->o.fd : to_stdout ? STDOUT_FILENO : -1;
	if (fd >= 0 && isatty(fd)) {
		cli_err(s->cmd, "refusing to write a binary capture to a terminal; use -o FILE");
		return KCAP_EXIT_USAGE;
	}
	if (fd < 0 && (fd = out_file_open(s->cmd, s->o.path, &s->file)) < 0)
		return KCAP_EXIT_ERROR;
	s->scap_fd = fd;
	s->scap_own_fd = !given_fd && !to_stdout;
	kcap_error e = {0};
	if (kcap_scap_writer_open(&s->scap, fd, &e)) {
		cli_err(s->cmd, "%s: %s", s->name, e.msg);
		if (s->scap_own_fd) {
			close(fd);
			out_file_end(s->cmd, &s->file, KCAP_EXIT_ERROR);
		}
		return KCAP_EXIT_ERROR;
	}
	return 0;
}

int sink_open(sink **out, const char *cmd, const sink_opts *o)
{
	sink *s = calloc(1, sizeof *s);
	if (!s) {
		cli_err(cmd, "out of memory");
		return KCAP_EXIT_ERROR;
	}
	s->cmd = cmd;
	s->o = *o;
	if (o->derived && !(s->o.derived = strdup(o->derived))) {
		cli_err(cmd, "out of memory");
		free(s);
		return KCAP_EXIT_ERROR;
	}
	int given_fd = o->fd_name != NULL;
	int to_stdout = given_fd ? o->fd == STDOUT_FILENO : !o->path || !strcmp(o->path, "-");
	s->name = given_fd ? o->fd_name : to_stdout ? "(stdout)" : o->path;
	s->mode = o->mode;
	if (s->mode == OUT_AUTO)
		s->mode = to_stdout ? cli_resolve_out(OUT_AUTO) : OUT_KCAP;
	if (o->fields && s->mode != OUT_CSV) { /* an option that cannot apply says so */
		cli_err(cmd, "--fields picks CSV columns; it does not apply to this output (add --csv)");
		free(s->o.derived);
		free(s);
		return KCAP_EXIT_USAGE;
	}
	if (s->mode == OUT_SCAP) {
		int rc = scap_open(s, given_fd, to_stdout);
		if (rc) {
			free(s->o.derived);
			free(s);
			return rc;
		}
	} else if (s->mode == OUT_KCAP) {
		kcap_error e = {0};
		int fd = given_fd ? o->fd : to_stdout ? STDOUT_FILENO : out_file_open(cmd, o->path, &s->file);
		int rc = fd < 0 ? KCAP_E_IO : kcap_writer_open_fd(&s->w, fd, !given_fd && !to_stdout, &o->wopts, &e);
		if (!rc && o->seal && kcap_writer_set_seal(s->w, o->seal)) {
			e = *kcap_writer_error(s->w);
			kcap_writer_close(s->w);
			s->w = NULL;
			fd = -1; /* closed with the writer */
			cli_err(cmd, "%s: %s", s->name, e.msg[0] ? e.msg : "cannot seal");
			out_file_end(cmd, &s->file, KCAP_EXIT_ERROR);
			rc = KCAP_E_UNSUPPORTED;
		}
		if (rc) {
			if (fd >= 0) {
				cli_err(cmd, "%s: %s", s->name, e.msg[0] ? e.msg : "cannot write");
				if (!given_fd && !to_stdout) {
					close(fd);
					out_file_end(cmd, &s->file, KCAP_EXIT_ERROR);
				}
			}
			free(s->o.derived);
			free(s);
			return KCAP_EXIT_ERROR;
		}
	} else {
		if (given_fd) {
			/* written with write(2) by out_write() */
		} else if (to_stdout) {
			s->out = stdout;
		} else {
			int fd = out_file_open(cmd, o->path, &s->file);
			if (fd < 0 || !(s->out = fdopen(fd, "w"))) {
				if (fd >= 0) {
					cli_err(cmd, "%s: %s", o->path, strerror(errno));
					close(fd);
					out_file_end(cmd, &s->file, KCAP_EXIT_ERROR);
				}
				free(s->o.derived);
				free(s);
				return KCAP_EXIT_ERROR;
			}
			s->own_out = 1;
		}
		if (s->mode == OUT_CSV)
			kcap_render_csv_header(&s->buf, o->fields);
		for (size_t i = 0; o->fields && o->fields[i]; i++)
			s->csv_proc |= !strncmp(o->fields[i], "proc.", 5) || !strncmp(o->fields[i], "parent.", 7);
	}
	*out = s;
	return KCAP_EXIT_OK;
}

out_mode sink_mode(const sink *s) { return s->mode; }
kcap_writer *sink_writer(sink *s) { return s ? s->w : NULL; }

/* An output of the caller's whose reader went away: said once, and not on
 * stdout (quiet, as if killed by SIGPIPE). */
static void gone(sink *s)
{
	if (s->o.fd != STDOUT_FILENO)
		cli_err(s->cmd, "%s: the reader went away", s->name);
}

static int werr(sink *s)
{
	const kcap_error *e = kcap_writer_error(s->w);
	if (s->o.fd_name && e && e->sys_errno == EPIPE)
		gone(s);
	else
		cli_err(s->cmd, "%s: %s", s->name, e && e->msg[0] ? e->msg : "write failed");
	s->failed = 1;
	return KCAP_EXIT_ERROR;
}

/* Writes the rendered text held to the output and empties the buffer.
 * Returns 0 or KCAP_EXIT_ERROR (printed for the caller's fd; for a FILE,
 * sink_close and cli_finish_stdout report it). */
static int out_write(sink *s)
{
	const char *p = s->buf.data;
	size_t n = s->buf.len;
	s->buf.len = 0;
	if (!s->o.fd_name) {
		if (n && fwrite(p, 1, n, s->out) != n) {
			/* stdout's failures are cli_finish_stdout's to tell (EPIPE quiet) */
			if (s->own_out)
				out_write_failed(s->cmd, s->name, errno);
			s->failed = 1;
			return KCAP_EXIT_ERROR;
		}
		return 0;
	}
	while (n) {
		ssize_t w = write(s->o.fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (errno == EPIPE || errno == ECONNRESET)
				gone(s);
			else
				cli_err(s->cmd, "%s: write failed: %s", s->name, strerror(errno));
			s->failed = 1;
			return KCAP_EXIT_ERROR;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* The snapshots of r's current section into w, whose origins are numbered
 * as r's: the one without an origin and each origin's own. */
int copy_snapshots(kcap_writer *w, const kcap_reader *r)
{
	int rc = 0;
	if (kcap_reader_snapshot(r))
		rc = kcap_writer_add_snapshot(w, kcap_reader_snapshot(r));
	for (size_t o = 0; o < kcap_reader_origin_snapshot_count(r) && !rc; o++) {
		const kcap_snapshot *sn = kcap_reader_origin_snapshot(r, (uint16_t)o);
		if (sn)
			rc = kcap_writer_add_origin_snapshot(w, (uint16_t)o, sn);
	}
	return rc;
}

/* 1 when r's current section holds what the writer does not have yet
 * (another reader or section, new origins, a newer schema). */
static int mirror_stale(const section_mirror *m, const kcap_reader *r)
{
	return m->src != r || m->section != kcap_reader_section(r) ||
	       m->gen != kcap_schema_generation(kcap_reader_schema(r)) || m->origins != kcap_reader_origin_count(r);
}

/* A copy of md (NULL: none) with derived_from set to derived (NULL: none),
 * after what md says it was derived from already; NULL when out of memory. */
static kcap_meta *derived_meta(const kcap_meta *md, const char *derived, const char *const *extra)
{
	kcap_meta *c = kcap_meta_new();
	const char *k, *v;
	for (size_t i = 0; c && md && kcap_meta_at(md, i, &k, &v); i++)
		if (kcap_meta_set(c, k, v)) {
			kcap_meta_free(c);
			return NULL;
		}
	for (size_t i = 0; c && extra && extra[i] && extra[i + 1]; i += 2)
		if (kcap_meta_set(c, extra[i], extra[i + 1])) {
			kcap_meta_free(c);
			return NULL;
		}
	if (c && derived) {
		const char *before = md ? kcap_meta_get(md, "derived_from") : NULL;
		kcap_buf b = {0};
		if (before) {
			kcap_buf_append(&b, before, strlen(before));
			kcap_buf_append(&b, ", then ", 7);
		}
		kcap_buf_append(&b, derived, strlen(derived) + 1);
		int rc = b.data ? kcap_meta_set(c, "derived_from", b.data) : KCAP_E_NOMEM;
		kcap_buf_free(&b);
		if (rc) {
			kcap_meta_free(c);
			return NULL;
		}
	}
	return c;
}

void sink_derived(sink_opts *o, const char *cmd, int argc, char **argv)
{
	kcap_buf b = {0};
	kcap_buf_append(&b, "kcap ", 5);
	kcap_buf_append(&b, cmd, strlen(cmd));
	int opts = 1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		opts = opts && strcmp(a, "--");
		/* -j/--jobs changes how the output is made, never what it is */
		if (opts && (!strcmp(a, "-j") || !strcmp(a, "--jobs"))) {
			i++;
			continue;
		}
		if (opts && (!strncmp(a, "-j", 2) || !strncmp(a, "--jobs=", 7)))
			continue;
		int quote = !*a || strpbrk(a, " \t'\"\\") != NULL; /* as a shell reads it back */
		kcap_buf_append(&b, quote ? " '" : " ", quote ? 2 : 1);
		for (; *a; a++)
			kcap_buf_append(&b, *a == '\'' && quote ? "'\\''" : a, *a == '\'' && quote ? 4 : 1);
		if (quote)
			kcap_buf_append(&b, "'", 1);
	}
	kcap_buf_append(&b, "", 1);
	free(o->derived);
	o->derived = b.data; /* NULL when out of memory: nothing said */
}

/* Makes the writer's section describe r's current section: a new section
 * for a new source, then its metadata, schema and (for a new source) its
 * process snapshots. Returns 0 or KCAP_EXIT_ERROR (printed). */
static int mirror(sink *s, kcap_reader *r)
{
	section_mirror *m = &s->mirror;
	const kcap_schema *sc = kcap_reader_schema(r);
	uint32_t sec = kcap_reader_section(r);
	size_t norig = kcap_reader_origin_count(r);
	int new_src = m->src != r || m->section != sec;
	if (new_src) {
		if (m->any && kcap_writer_new_section(s->w))
			return werr(s);
		m->any = 1;
		m->src = r;
		m->section = sec;
		m->origins = 0;
		m->gen = (uint64_t)-1;
	}
	while (m->origins < norig) {
		const kcap_meta *md = kcap_reader_meta(r, (uint16_t)m->origins);
		kcap_meta *own = NULL;
		if (!md || s->o.derived || s->o.meta_extra)
			md = own = derived_meta(md, s->o.derived, s->o.meta_extra);
		int rc = md ? kcap_writer_add_meta(s->w, md) : KCAP_E_NOMEM;
		kcap_meta_free(own);
		if (rc < 0)
			return werr(s);
		m->origins++;
	}
	uint64_t gen = kcap_schema_generation(sc);
	if (gen != m->gen) {
		if (kcap_writer_set_schema(s->w, sc))
			return werr(s);
		m->gen = gen;
		/* the snapshots too, so that a reader of the output has the same
		 * process context (proc.*, parent.*) as one of the input */
		if (new_src && copy_snapshots(s->w, r)) {
			cli_err(s->cmd, "cannot copy the process snapshots: out of memory");
			s->failed = 1;
			return KCAP_EXIT_ERROR;
		}
		if (new_src)
			m->upd = kcap_reader_update_gen(r); /* in the snapshots just copied */
	}
	return 0;
}

/* The snapshot updates r read since the last call go into the output where
 * they were: after the events written so far, before the next one. An update
 * the reader no longer holds (the events of its block were not all passed
 * on) is written as the updated snapshots of the origins. */
static int forward_updates(sink *s, kcap_reader *r)
{
	section_mirror *m = &s->mirror;
	uint64_t gen = kcap_reader_update_gen(r);
	if (m->upd == gen)
		return 0;
	if (kcap_writer_flush(s->w))
		return werr(s);
	s->unflushed = 0;
	int rc = 0;
	while (m->upd < gen && !rc) {
		uint16_t o = 0;
		const kcap_snapshot *d = kcap_reader_update(r, ++m->upd, &o);
		if (d) {
			rc = kcap_writer_add_snapshot_update(s->w, o, d);
			continue;
		}
		for (size_t k = 0; k < kcap_reader_origin_snapshot_count(r) && !rc; k++)
			if (kcap_reader_origin_snapshot(r, (uint16_t)k))
				rc = kcap_writer_add_snapshot_update(s->w, (uint16_t)k,
								     kcap_reader_origin_snapshot(r, (uint16_t)k));
		m->upd = gen;
	}
	if (rc) {
		cli_err(s->cmd, "cannot copy the process snapshot updates: out of memory");
		s->failed = 1;
		return KCAP_EXIT_ERROR;
	}
	return 0;
}


/* The tracker of a new input or section: loaded from its snapshots. */
static __attribute__((noinline)) int track_load(sink *s, kcap_reader *r)
{
	if (!s->ps && !(s->ps = kcap_procstate_new())) {
		cli_err(s->cmd, "out of memory");
		return KCAP_EXIT_ERROR;
	}
	if (s->ps_src != r) { /* another input (perhaps at the same address) */
		kcap_procstate_clear(s->ps);
		s->ps_src = r;
	}
	return 0;
}

/* sec is kcap_reader_section(r), which the caller reads once per event. */
static inline int track(sink *s, kcap_reader *r, const kcap_event *ev, const kcap_schema *sc, uint32_t sec)
{
	if (!s->ps || s->ps_src != r) {
		int rc = track_load(s, r);
		if (rc)
			return rc;
		s->ps_followed = 0;
	}
	uint64_t gen = kcap_reader_update_gen(r);
	if (!s->ps_followed || s->ps_section != sec || s->ps_gen != gen) {
		kcap_procstate_follow(s->ps, r); /* sections and snapshot updates */
		s->ps_followed = 1;
		s->ps_section = sec;
		s->ps_gen = gen;
	}
	kcap_procstate_update(s->ps, ev, sc);
	return 0;
}

static int check_field(const char *cmd, const char *name, const kcap_schema *sc)
{
	kcap_error e = {0};
	if (!strcmp(name, "params") || !kcap_field_check(name, sc, &e))
		return 0;
	cli_err(cmd, "--fields: %s", e.msg);
	return KCAP_EXIT_USAGE;
}

int sink_check_fields(const char *cmd, const char *const *fields)
{
	for (size_t i = 0; fields && fields[i]; i++)
		if (check_field(cmd, fields[i], NULL))
			return KCAP_EXIT_USAGE;
	return 0;
}

/* A CSV row of ev, its columns checked against each input's schema once. */
static int csv_event(sink *s, kcap_reader *r, const kcap_event *ev, const kcap_schema *sc)
{
	if (r && s->fields_src != r && sc && kcap_schema_type_at(sc, 0)) {
		s->fields_src = r;
		for (size_t i = 0; s->o.fields && s->o.fields[i]; i++)
			if (check_field(s->cmd, s->o.fields[i], sc)) {
				s->buf.len = 0; /* no header without rows */
				return KCAP_EXIT_USAGE;
			}
	}
	const kcap_procstate *ps = s->o.csv_proc;
	if (!ps && s->csv_proc && r) {
		int rc = track(s, r, ev, sc, kcap_reader_section(r));
		if (rc)
			return rc;
		ps = s->ps;
	}
	kcap_render_csv_proc(&s->buf, ev, sc, s->o.fields, ps, &s->o.times);
	return 0;
}

/* The input has nothing more to read for now: what is held goes out, so that
 * a live pipeline (record -o - | filter ... --text) shows each event as its
 * block arrives. Rendered text goes at once; a kcap block is cut only after a
 * second without input, so that a reader faster than its writer does not cut
 * the stream into small blocks. */
static int sink_idle(void *ud, int64_t waited_ms)
{
	sink *s = ud;
	if (s->failed || s->mode == OUT_SCAP) /* the .scap writer spools to its end */
		return -1;
	if (s->w) {
		if (!s->unflushed)
			return -1;
		if (waited_ms < 1000)
			return (int)(1000 - waited_ms);
		if (kcap_writer_flush(s->w))
			werr(s);
		s->unflushed = 0;
		return -1;
	}
	if (s->buf.len)
		out_write(s);
	if (!s->o.fd_name && !s->failed && fflush(s->out) == EOF && s->own_out) {
		out_write_failed(s->cmd, s->name, errno);
		s->failed = 1;
	}
	return -1;
}

/* The output is flushed while r waits for input (not when paced: replay
 * writes at its own times). */
static void watch_input(sink *s, kcap_reader *r)
{
	if (r == s->idle_src || s->o.paced)
		return;
	kcap_reader_set_idle_cb(r, sink_idle, s);
	s->idle_src = r;
}

/* The first JSON line of each origin in each section carries the origin's
 * metadata as "origin" (os, kernel, boot_id, ...: what JSON input needs to
 * rebuild it), so that JSON lines stay one event per line. */
static void json_origin(sink *s, kcap_reader *r, const kcap_event *ev, size_t start, uint32_t sec)
{
	if (s->origin_src != r || s->origin_section != sec) {
		memset(s->origin_said, 0, sizeof s->origin_said);
		s->origin_src = r;
		s->origin_section = sec;
	}
	uint16_t o = ev->origin;
	if (s->origin_said[o >> 3] & (1u << (o & 7)))
		return;
	s->origin_said[o >> 3] |= (uint8_t)(1u << (o & 7));
	json_add_origin(&s->buf, start, kcap_reader_meta(r, o));
}

void json_add_origin(kcap_buf *b, size_t start, const kcap_meta *md)
{
	const char *k, *v;
	if (!md || !kcap_meta_at(md, 0, &k, &v) || b->len < start + 2 || b->data[b->len - 1] != '\n')
		return;
	size_t keep = b->len;
	b->len -= 2; /* reopen the object: drop "}\n" */
	int rc = kcap_buf_append(b, ",\"origin\":{", 11);
	for (size_t i = 0; !rc && kcap_meta_at(md, i, &k, &v); i++) {
		if (i)
			rc = kcap_buf_append(b, ",", 1);
		rc = rc || kcap_json_escape(b, k, strlen(k)) || kcap_buf_append(b, ":", 1) ||
		     kcap_json_escape(b, v, strlen(v));
	}
	if (rc || kcap_buf_append(b, "}}\n", 3)) {
		b->len = keep - 2; /* out of memory: the line as it was */
		kcap_buf_append(b, "}\n", 2);
	}
}

/* Gives the .scap writer the metadata and snapshots of r's section that it
 * has not had yet. Returns 0 or KCAP_EXIT_ERROR (printed). */
static int scap_context(sink *s, kcap_reader *r)
{
	section_mirror *m = &s->scap_ctx;
	size_t norig = kcap_reader_origin_count(r);
	int rc = 0;
	if (m->src != r || m->section != kcap_reader_section(r)) {
		m->src = r;
		m->section = kcap_reader_section(r);
		m->origins = 0;
		rc = kcap_scap_writer_context(s->scap, NULL, kcap_reader_snapshot(r));
	}
	for (; !rc && m->origins < norig; m->origins++) {
		uint16_t o = (uint16_t)m->origins;
		rc = kcap_scap_writer_context(s->scap, kcap_reader_meta(r, o),
					      o < kcap_reader_origin_snapshot_count(r) ? kcap_reader_origin_snapshot(r, o) : NULL);
	}
	if (rc) {
		cli_err(s->cmd, "%s: %s", s->name, kcap_scap_writer_error(s->scap)->msg);
		s->failed = 1;
		return KCAP_EXIT_ERROR;
	}
	return 0;
}

static int scap_event(sink *s, kcap_reader *r, const kcap_event *ev)
{
	if (r && (s->scap_ctx.src != r || s->scap_ctx.section != kcap_reader_section(r) ||
		  s->scap_ctx.origins != kcap_reader_origin_count(r))) {
		int rc = scap_context(s, r);
		if (rc)
			return rc;
	}
	if (kcap_scap_writer_event(s->scap, ev) < 0) {
		const kcap_error *e = kcap_scap_writer_error(s->scap);
		if (e->sys_errno)
			out_write_failed(s->cmd, s->name, e->sys_errno);
		else
			cli_err(s->cmd, "%s: %s", s->name, e->msg);
		s->failed = 1;
		return KCAP_EXIT_ERROR;
	}
	return 0;
}

int sink_event(sink *s, kcap_reader *r, const kcap_event *ev)
{
	if (r && r != s->idle_src)
		watch_input(s, r);
	if (s->mode == OUT_SCAP)
		return scap_event(s, r, ev);
	if (s->mode == OUT_KCAP) {
		if (r && mirror_stale(&s->mirror, r)) {
			int rc = mirror(s, r);
			if (rc)
				return rc;
		}
		if (r && s->mirror.upd != kcap_reader_update_gen(r)) {
			int rc = forward_updates(s, r);
			if (rc)
				return rc;
		}
		if (kcap_writer_write(s->w, ev))
			return werr(s);
		s->unflushed++;
		return 0;
	}
	const kcap_schema *sc = r ? kcap_reader_schema(r) : NULL;
	size_t start = s->buf.len;
	switch (s->mode) {
	case OUT_JSON: {
		uint32_t sec = r ? kcap_reader_section(r) : 0;
		if (!s->o.json_extra && !s->o.no_proc && r) {
			int rc = track(s, r, ev, sc, sec);
			if (rc)
				return rc;
			kcap_render_json_proc(&s->buf, ev, sc, s->ps);
		} else {
			kcap_render_json(&s->buf, ev, sc);
			if (s->o.json_extra && s->buf.len >= 2) {
				s->buf.len -= 2; /* reopen the object: drop "}\n" */
				s->o.json_extra(s->o.json_extra_ud, &s->buf, ev);
				kcap_buf_append(&s->buf, "}\n", 2);
			}
		}
		if (r)
			json_origin(s, r, ev, start, sec);
		break;
	}
	case OUT_TSV:
	case OUT_ROWBINARY: {
		const kcap_procstate *ps = s->o.csv_proc; /* a caller's tracker (filter) first */
		if (!ps && !s->o.no_proc && r) {
			int rc = track(s, r, ev, sc, kcap_reader_section(r));
			if (rc)
				return rc;
			ps = s->ps;
		}
		if (s->mode == OUT_TSV)
			kcap_render_tsv(&s->buf, ev, sc, ps);
		else
			kcap_render_rowbinary(&s->buf, ev, sc, ps);
		break;
	}
	case OUT_CSV: {
		int rc = csv_event(s, r, ev, sc);
		if (rc)
			return rc;
		break;
	}
	default:
		kcap_render_text_style(&s->buf, ev, sc, &s->o.times);
	}
	if (s->buf.len >= (1u << 16) && !s->o.paced)
		return out_write(s);
	return 0;
}

int sink_flush(sink *s)
{
	if (!s->o.paced)
		return 0;
	if (s->w) {
		if (s->unflushed && kcap_writer_flush(s->w))
			return werr(s);
		s->unflushed = 0;
		return 0;
	}
	return s->buf.len ? out_write(s) : 0;
}

size_t sink_buffered(const sink *s) { return s->w ? 0 : s->buf.len; }

int sink_all_events(sink *s, const char *cmd, kcap_reader *r)
{
	const kcap_event *ev;
	int n, rc = 0;
	while ((n = kcap_reader_next(r, &ev)) > 0 && !rc) {
		rc = sink_event(s, r, ev);
		cli_progress(cmd, r);
	}
	cli_progress_done();
	if (n < 0) {
		int frc = cli_read_failed(cmd, r, n);
		if (!rc) /* the first failure decides */
			rc = frc;
	}
	return rc;
}

int sink_raw_block(sink *s, kcap_reader *r, const void *blk, size_t len, const kcap_block_summary *sum)
{
	watch_input(s, r);
	int rc = mirror(s, r);
	if (!rc)
		rc = forward_updates(s, r);
	if (rc)
		return rc;
	if (kcap_writer_copy_block(s->w, blk, len, sum))
		return werr(s);
	return 0;
}

static int stat_cmp(const void *a, const void *b)
{
	const kcap_stat *x = a, *y = b;
	if (x->origin != y->origin)
		return x->origin < y->origin ? -1 : 1;
	if (x->cpu != y->cpu)
		return x->cpu < y->cpu ? -1 : 1;
	return strcmp(x->source, y->source);
}

size_t stats_sum(kcap_stat *st, size_t n)
{
	if (n < 2)
		return n;
	qsort(st, n, sizeof *st, stat_cmp);
	size_t k = 0;
	for (size_t i = 1; i < n; i++) {
		if (!stat_cmp(&st[k], &st[i])) {
			st[k].seen += st[i].seen;
			st[k].lost += st[i].lost;
		} else {
			st[++k] = st[i];
		}
	}
	return k + 1;
}

int copy_stats(kcap_writer *w, const kcap_reader *r)
{
	size_t n = kcap_reader_stat_count(r);
	kcap_stat *st = n ? malloc(n * sizeof *st) : NULL;
	if (n && !st)
		return KCAP_E_NOMEM;
	for (size_t i = 0; i < n; i++)
		st[i] = *kcap_reader_stat_at(r, i);
	n = stats_sum(st, n);
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++)
		rc = kcap_writer_set_stat(w, &st[i]);
	free(st);
	return rc;
}

static int no_block(void *ud, const kcap_block_summary *sum)
{
	(void)ud;
	(void)sum;
	return 0;
}

void sink_skip_rest(sink *s, kcap_reader *r)
{
	if (!s->w || kcap_reader_load_index(r) <= 0)
		return; /* a pipe, or a file without index: reading on would cost as much as the rest */
	const kcap_event *ev;
	kcap_reader_set_block_filter(r, no_block, NULL);
	kcap_reader_set_damage_cb(r, NULL, NULL); /* past the output: not its damage */
	while (kcap_reader_next(r, &ev) > 0)
		;
}

void sink_input_done(sink *s, kcap_reader *r)
{
	if (s->idle_src == r) {
		kcap_reader_set_idle_cb(r, NULL, NULL);
		s->idle_src = NULL;
	}
	if (s->ps_src == r)
		s->ps_src = NULL; /* the next reader may be allocated at the same address */
	if (s->fields_src == r)
		s->fields_src = NULL;
	if (s->scap) {
		/* an input without events still gives its processes and host */
		if (kcap_reader_get_stats(r)->sections > 0 && !s->failed)
			scap_context(s, r);
		s->scap_ctx.src = NULL;
		return;
	}
	if (!s->w)
		return;
	/* An input that gave no events still leaves its metadata and schema. */
	if (s->mirror.src != r && kcap_reader_get_stats(r)->sections > 0 && mirror(s, r))
		return;
	copy_stats(s->w, r);
	s->mirror.src = NULL; /* the next reader may be allocated at the same address */
}

/* Writes the .scap (unless the command failed) and says how many events
 * had no scap equivalent. */
static void scap_close(sink *s, int rc)
{
	uint64_t skipped = kcap_scap_writer_skipped(s->scap);
	if (s->failed || (rc && rc != KCAP_EXIT_DAMAGED)) {
		kcap_scap_writer_abort(s->scap);
	} else {
		char types[256] = "";
		const char *t;
		uint64_t n;
		for (size_t i = 0; kcap_scap_writer_skipped_at(s->scap, i, &t, &n); i++) {
			size_t l = strlen(types);
			if (l + 32 >= sizeof types) {
				snprintf(types + l, sizeof types - l, ", ...");
				break;
			}
			snprintf(types + l, sizeof types - l, "%s%s %llu", i ? ", " : "", t, (unsigned long long)n);
		}
		kcap_error e = {0};
		if (kcap_scap_writer_close(s->scap, &e)) {
			if (e.sys_errno == EPIPE && !s->scap_own_fd && !s->o.fd_name)
				cli_broken_pipe();
			if (e.sys_errno)
				out_write_failed(s->cmd, s->name, e.sys_errno);
			else
				cli_err(s->cmd, "%s: %s", s->name, e.msg);
			s->failed = 1;
		} else if (skipped) {
			cli_err(s->cmd, "%llu events with no scap equivalent left out (%s)", (unsigned long long)skipped, types);
		}
	}
	s->scap = NULL;
	if (s->scap_own_fd && close(s->scap_fd) && !s->failed) {
		out_write_failed(s->cmd, s->name, errno);
		s->failed = 1;
	}
}

int sink_close(sink *s, int rc)
{
	if (!s)
		return rc;
	if (s->scap) {
		scap_close(s, rc);
	} else if (s->w) {
		/* the last block first, for the writer's own line (with the errno) */
		if (!s->failed && kcap_writer_flush(s->w))
			werr(s);
		int wrc = kcap_writer_close(s->w);
		if (wrc && !s->failed) {
			cli_err(s->cmd, "%s: write failed: %s", s->name, kcap_strerror(wrc));
			s->failed = 1;
		}
	} else if (!s->failed) { /* after a failed write the reader is gone */
		out_write(s);
	}
	if (s->own_out && fclose(s->out) && !s->failed) {
		out_write_failed(s->cmd, s->name, errno);
		s->failed = 1;
	}
	kcap_buf_free(&s->buf);
	kcap_procstate_free(s->ps);
	free(s->o.derived);
	int failed = s->failed, to_stdout = !s->own_out && !s->o.fd_name && !s->file.path;
	const char *cmd = s->cmd;
	if (to_stdout)
		rc = cli_finish_stdout(cmd, rc);
	if (failed && !rc)
		rc = KCAP_EXIT_ERROR;
	/* an output that failed to be written is removed whatever rc says, and
	 * so is one of nothing, every input refused (cli_inputs_all_refused) */
	if (s->file.path) {
		int drop = failed || cli_inputs_all_refused();
		int frc = out_file_end(cmd, &s->file, drop ? KCAP_EXIT_ERROR : rc);
		if (!drop && !rc)
			rc = frc; /* the rename failed */
	}
	free(s);
	return rc;
}
