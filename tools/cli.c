/* Shared CLI plumbing: error lines, input opening, stdout checks. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <kcap/filter.h>
#include <kcap/procstate.h>
#include "input/archive_input.h"
#include "cli.h"

const char *cli_prog = "kcap";

void cli_err(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "kcap %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

typedef struct dmg_ctx {
	const char *cmd;
	const kcap_reader *r;
	const char *file;
	int *damaged;
	arch_input *ai; /* a compressed or archived input, else NULL */
	int once;       /* may be read again: each damaged region said once (cli_inputs.reread) */
	struct dmg_ctx *next;
} dmg_ctx;

/* One per open input (few): found again by reader or by its name pointer,
 * dropped by cli_close_input. Threads that open and close inputs at once
 * (inspect's, a thread per connection) share it: every walk and change of
 * it, and of the said list below, holds inputs_lock. */
static dmg_ctx *dmg_list;
static pthread_mutex_t inputs_lock = PTHREAD_MUTEX_INITIALIZER;

void cli_err_kcap(const char *cmd, const char *file, const kcap_error *e)
{
	char line[1024];
	int found = 0;
	pthread_mutex_lock(&inputs_lock);
	for (dmg_ctx *d = dmg_list; d && !found; d = d->next)
		if (d->ai && d->file == file && e->offset >= 0) {
			arch_input_describe(d->ai, e->offset, 0, e->msg[0] ? e->msg : kcap_strerror(e->code), line,
					    sizeof line);
			found = 1;
		}
	pthread_mutex_unlock(&inputs_lock);
	if (found) {
		fprintf(stderr, "kcap %s: %s\n", cmd, line);
		return;
	}
	if (e->offset >= 0)
		fprintf(stderr, "kcap %s: %s: offset %lld: %s\n", cmd, file ? file : "-", (long long)e->offset,
			e->msg[0] ? e->msg : kcap_strerror(e->code));
	else
		fprintf(stderr, "kcap %s: %s: %s\n", cmd, file ? file : "-", e->msg[0] ? e->msg : kcap_strerror(e->code));
}

out_mode cli_resolve_out(out_mode m)
{
	if (m != OUT_AUTO)
		return m;
	return isatty(STDOUT_FILENO) ? OUT_TEXT : OUT_KCAP;
}

/* The damage said about inputs that are read more than once (slice
 * --tail), by input name and offset. */
typedef struct said_region {
	char *name;
	int64_t offset;
} said_region;
static said_region *said;
static size_t nsaid;

static void said_free(void)
{
	for (size_t i = 0; i < nsaid; i++)
		free(said[i].name);
	free(said);
	said = NULL;
	nsaid = 0;
}

/* 1 when the region of name at offset was said before; else notes it (when
 * there is memory for it) and returns 0. */
static int said_before(const char *name, int64_t offset)
{
	int rc = 0;
	pthread_mutex_lock(&inputs_lock);
	for (size_t i = 0; i < nsaid && !rc; i++)
		if (said[i].offset == offset && !strcmp(said[i].name, name))
			rc = 1;
	said_region *n = rc ? NULL : realloc(said, (nsaid + 1) * sizeof *n);
	if (n) {
		if (!said)
			atexit(said_free);
		said = n;
		if ((said[nsaid].name = strdup(name)))
			said[nsaid++].offset = offset;
	}
	pthread_mutex_unlock(&inputs_lock);
	return rc;
}

static void on_damage(void *ud, const kcap_error *e, uint64_t skipped)
{
	dmg_ctx *d = ud;
	if (d->once && said_before(d->file, e->offset)) {
		/* said by the earlier pass */
	} else if (d->ai) {
		char line[1024];
		arch_input_describe(d->ai, e->offset, skipped, e->msg, line, sizeof line);
		fprintf(stderr, "kcap %s: %s\n", d->cmd, line);
	} else {
		fprintf(stderr, "kcap %s: %s: offset %lld: %s\n", d->cmd, d->file, (long long)e->offset, e->msg);
	}
	if (d->damaged)
		*d->damaged = 1;
}

/* Inputs still open at exit (a command that did not close them): stop
 * their pumps before the process goes. */
static void close_leftovers(void)
{
	pthread_mutex_lock(&inputs_lock);
	for (dmg_ctx *d = dmg_list; d; d = d->next)
		if (d->ai) {
			arch_input_close(d->ai);
			d->ai = NULL;
		}
	pthread_mutex_unlock(&inputs_lock);
}

static void note_line(void *ud, const char *line) { cli_err(ud, "%s", line); }

/* path NULL: stdin; in_fd >= 0: that descriptor (owned), named by path.
 * once: the input may be read again; each of its errors is said once. */
/* Threads each reader opened here reads ahead on (-j; 1: none). */
static unsigned cli_jobs = 1;

void cli_jobs_default(void)
{
#ifdef _SC_NPROCESSORS_ONLN
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	cli_jobs = n < 1 ? 1 : n > CLI_JOBS_MAX ? CLI_JOBS_MAX : (unsigned)n;
#else
	cli_jobs = 1;
#endif
}

int cli_jobs_opt(const char *cmd, const char *arg)
{
	uint64_t v;
	if (cli_opt_count(cmd, "--jobs", arg, 1, CLI_JOBS_MAX, &v))
		return -1;
	cli_jobs = (unsigned)v;
	return 0;
}

/* Inputs opened, and refused as not a capture, by this process. */
static unsigned long inputs_opened, inputs_refused;

int cli_inputs_all_refused(void)
{
	pthread_mutex_lock(&inputs_lock);
	int none = inputs_refused && !inputs_opened;
	pthread_mutex_unlock(&inputs_lock);
	return none;
}

static int open_input(const char *cmd, const char *path, int in_fd, kcap_reader **r, int *damaged, int once)
{
	kcap_error e = {0};
	int rc, fd;
	int is_stdin = !path && in_fd < 0;
	const char *name = path ? path : "(stdin)";
	arch_input *ai = NULL;
	*r = NULL;
	dmg_ctx *d = calloc(1, sizeof *d);
	if (!d) {
		if (in_fd >= 0)
			close(in_fd);
		cli_err(cmd, "out of memory");
		return KCAP_EXIT_ERROR;
	}
	arch_input_opts ao = {.note = note_line, .note_ud = (void *)cmd};
	int k = arch_input_open(&ao, path, in_fd, &ai, &fd);
	if (k < 0) {
		free(d);
		return KCAP_EXIT_ERROR;
	}
	if (fd < 0)
		rc = kcap_reader_open_path(r, path, &e);
	else
		rc = kcap_reader_open_fd(r, fd, ai || !is_stdin, name, &e);
	if (rc) {
		if (fd >= 0 && (ai || !is_stdin))
			close(fd);
		char line[1024];
		int io = ai ? arch_input_failure(ai, line, sizeof line) : 0;
		if (once && said_before(name, e.offset)) {
			/* said by the earlier pass */
		} else if (ai && line[0]) {
			cli_err(cmd, "%s", line);
		} else if (ai && e.offset >= 0) {
			arch_input_describe(ai, e.offset, 0, e.msg[0] ? e.msg : kcap_strerror(rc), line, sizeof line);
			cli_err(cmd, "%s", line);
		} else if (e.offset >= 0) {
			cli_err_kcap(cmd, name, &e);
		} else {
			cli_err(cmd, "%s: %s", name, e.msg[0] ? e.msg : kcap_strerror(rc));
		}
		arch_input_close(ai);
		free(d);
		int refused = !(rc == KCAP_E_IO || io);
		pthread_mutex_lock(&inputs_lock);
		inputs_refused += refused;
		pthread_mutex_unlock(&inputs_lock);
		return refused ? KCAP_EXIT_DAMAGED : KCAP_EXIT_ERROR;
	}
	static int registered;
	d->cmd = cmd;
	d->r = *r;
	d->file = kcap_reader_name(*r);
	d->damaged = damaged;
	d->ai = ai;
	d->once = once;
	pthread_mutex_lock(&inputs_lock);
	if (!registered && ai)
		registered = !atexit(close_leftovers);
	d->next = dmg_list;
	dmg_list = d;
	inputs_opened++;
	pthread_mutex_unlock(&inputs_lock);
	kcap_reader_set_damage_cb(*r, on_damage, d);
	if (cli_jobs > 1 && kcap_reader_set_threads(*r, cli_jobs)) {
		cli_err(cmd, "out of memory");
		cli_close_input(*r);
		*r = NULL;
		return KCAP_EXIT_ERROR;
	}
	return KCAP_EXIT_OK;
}

int cli_open_input(const char *cmd, const char *path, kcap_reader **r, int *damaged)
{
	int is_stdin = !path || !strcmp(path, "-");
	if (is_stdin && isatty(STDIN_FILENO)) {
		*r = NULL;
		cli_err(cmd, "no input files and stdin is a terminal; see 'kcap %s --help'", cmd);
		return KCAP_EXIT_USAGE;
	}
	return open_input(cmd, is_stdin ? NULL : path, -1, r, damaged, 0);
}

int cli_open_input_fd(const char *cmd, int fd, const char *name, kcap_reader **r, int *damaged)
{
	return open_input(cmd, name, fd, r, damaged, 0);
}

void cli_close_input(kcap_reader *r)
{
	dmg_ctx *d = NULL;
	pthread_mutex_lock(&inputs_lock);
	dmg_ctx **pp = &dmg_list;
	while (r && *pp && (*pp)->r != r)
		pp = &(*pp)->next;
	if (r && *pp) {
		d = *pp;
		*pp = d->next;
	}
	pthread_mutex_unlock(&inputs_lock);
	kcap_reader_close(r); /* closes the pipe first: a pump blocked on it ends */
	if (d) {
		arch_input_close(d->ai);
		free(d);
	}
}

void cli_describe(const kcap_reader *r, int64_t offset, uint64_t skipped, const char *msg, char *buf, size_t len)
{
	int found = 0;
	pthread_mutex_lock(&inputs_lock);
	for (dmg_ctx *d = dmg_list; d && !found; d = d->next)
		if (d->r == r && d->ai) {
			arch_input_describe(d->ai, offset, skipped, msg, buf, len);
			found = 1;
		}
	pthread_mutex_unlock(&inputs_lock);
	if (!found)
		snprintf(buf, len, "%s: offset %lld: %s", kcap_reader_name(r), (long long)offset, msg);
}

int cli_input_archived(const kcap_reader *r)
{
	int rc = 0;
	pthread_mutex_lock(&inputs_lock);
	for (dmg_ctx *d = dmg_list; d; d = d->next)
		if (d->r == r) {
			rc = d->ai != NULL;
			break;
		}
	pthread_mutex_unlock(&inputs_lock);
	return rc;
}

int cli_read_failed(const char *cmd, const kcap_reader *r, int n)
{
	cli_err_kcap(cmd, kcap_reader_name(r), kcap_reader_error(r));
	return n == KCAP_E_VERSION ? KCAP_EXIT_DAMAGED : KCAP_EXIT_ERROR;
}

/* Opens input i of in: a file, stdin, or stdin's spooled copy. */
static int open_nth(const cli_inputs *in, int i, kcap_reader **r, int *damaged)
{
	const char *path = in->n ? in->files[i] : NULL;
	int is_stdin = !path || !strcmp(path, "-");
	if (!is_stdin || !in->spool)
		return in->reread && !is_stdin ? open_input(in->cmd, path, -1, r, damaged, 1)
		                               : cli_open_input(in->cmd, path, r, damaged);
	*r = NULL;
	int fd = dup(in->spool_fd);
	if (fd < 0 || lseek(fd, (off_t)in->spool_off, SEEK_SET) < 0) {
		cli_err(in->cmd, "(stdin): %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return KCAP_EXIT_ERROR;
	}
	return open_input(in->cmd, "(stdin)", fd, r, damaged, in->reread);
}

int cli_each_input(const cli_inputs *in, cli_input_fn fn, void *ud, int *damaged)
{
	int rc = 0;
	for (int i = 0; i < (in->n ? in->n : 1) && !(in->done && *in->done); i++) {
		/* a reader kept open reports damage for as long as it is read */
		int mine = 0, *flag = in->keep_open ? damaged : &mine;
		kcap_reader *r;
		int orc = open_nth(in, i, &r, flag);
		if (orc == KCAP_EXIT_DAMAGED && !in->keep_open) {
			*damaged = 1;
			continue;
		}
		if (!orc) {
			orc = fn(ud, i, r, flag);
			if (!in->keep_open)
				cli_close_input(r);
			*damaged |= *flag;
		} else if (in->keep_open && orc == KCAP_EXIT_DAMAGED) {
			orc = KCAP_EXIT_ERROR; /* not a capture: nothing to read it with */
		}
		if (orc && !rc)
			rc = orc;
		if (orc && !in->keep_going)
			break;
	}
	return rc;
}

int cli_finish_stdout(const char *cmd, int rc)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		if (errno == EPIPE)
			cli_broken_pipe();
		cli_err(cmd, "(stdout): write failed: %s", strerror(errno)); /* as the sink names it */
		/* an output cut short outranks damage: status 3 says all was written */
		return rc && rc != KCAP_EXIT_DAMAGED ? rc : KCAP_EXIT_ERROR;
	}
	return rc;
}

_Noreturn void cli_broken_pipe(void)
{
	sigset_t set;
	signal(SIGPIPE, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(SIGPIPE);
	_exit(128 + SIGPIPE); /* not reached: SIGPIPE's default action ends the process */
}

int cli_bad_value(const char *cmd, const char *opt, const char *s, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "kcap %s: %s '%s': ", cmd, opt, s);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

/* What a value of each kind looks like, then where and why s is not one. */
static int value_err(const char *cmd, const char *opt, const char *s, const char *expected, const kcap_error *e)
{
	if (e->column > 0 && e->msg[0])
		return cli_bad_value(cmd, opt, s, "expected %s; column %d: %s", expected, e->column, e->msg);
	return cli_bad_value(cmd, opt, s, "expected %s", expected);
}

#define EXPECT_COUNT "a count (an unsigned integer, e.g. 100)"
#define EXPECT_SIZE "a size (e.g. 64k, 1M, 1GiB)"
#define EXPECT_DURATION "a duration (e.g. 500ms, 5m)"

int cli_opt_count(const char *cmd, const char *opt, const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
	kcap_error e;
	uint64_t v;
	if (kcap_parse_count(s, &v, &e))
		return value_err(cmd, opt, s, EXPECT_COUNT, &e);
	if (v < lo || v > hi)
		return hi == UINT64_MAX ? cli_bad_value(cmd, opt, s, "expected a count of at least %llu", (unsigned long long)lo)
		                        : cli_bad_value(cmd, opt, s, "expected a count from %llu to %llu",
		                                        (unsigned long long)lo, (unsigned long long)hi);
	*out = v;
	return 0;
}

/* A size as a user would type it: 4K, 1G, or bytes. */
static const char *size_text(uint64_t v, char *buf, size_t n)
{
	static const char units[] = "KMGT";
	int u = -1;
	while (u < 3 && v && !(v & 1023)) {
		v >>= 10;
		u++;
	}
	if (u < 0)
		snprintf(buf, n, "%llu bytes", (unsigned long long)v);
	else
		snprintf(buf, n, "%llu%c", (unsigned long long)v, units[u]);
	return buf;
}

int cli_opt_size(const char *cmd, const char *opt, const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
	kcap_error e;
	uint64_t v;
	char a[32], b[32];
	if (kcap_parse_size(s, &v, &e))
		return value_err(cmd, opt, s, EXPECT_SIZE, &e);
	if (v < lo || v > hi)
		return cli_bad_value(cmd, opt, s, "expected a size from %s to %s", size_text(lo, a, sizeof a),
		                     size_text(hi, b, sizeof b));
	*out = v;
	return 0;
}

int cli_opt_duration(const char *cmd, const char *opt, const char *s, int64_t lo, int64_t *out)
{
	kcap_error e;
	int64_t v;
	if (kcap_parse_duration(s, &v, &e))
		return value_err(cmd, opt, s, EXPECT_DURATION, &e);
	if (v < lo)
		return cli_bad_value(cmd, opt, s, "expected a duration above 0 (e.g. 500ms, 5m)");
	*out = v;
	return 0;
}

int cli_opt_level(const char *cmd, const char *s, kcap_writer_opts *w)
{
	kcap_error e;
	int64_t v;
	if (kcap_parse_int(s, &v, &e) || v < CLI_LEVEL_MIN || v > CLI_LEVEL_MAX)
		return cli_bad_value(cmd, "--level", s, "expected a zstd level from %d to %d, or 0 for uncompressed blocks",
		                     CLI_LEVEL_MIN, CLI_LEVEL_MAX);
	/* the writer's level 0 is its default: 0 here says "no compression" */
	w->level = (int)v;
	w->codec = v ? KCAP_CODEC_ZSTD : KCAP_CODEC_NONE;
	w->codec_set = v == 0;
	return 0;
}

int cli_opt_real(const char *cmd, const char *opt, const char *s, double above, double upto, const char *why,
                 double *out)
{
	kcap_error e;
	double v;
	if (kcap_parse_real(s, &v, &e))
		return value_err(cmd, opt, s, "a number (e.g. 2, 0.5)", &e);
	if (!(v > above) || v > upto)
		return cli_bad_value(cmd, opt, s, "expected a number above %.15g and at most %.15g%s%s", above, upto,
		                     why ? ": " : "", why ? why : "");
	*out = v;
	return 0;
}

int cli_opt_time(const char *cmd, const char *opt, const char *s, int *anchor, int64_t *value)
{
	kcap_error e;
	if (kcap_parse_time_rel(s, anchor, value, &e))
		return value_err(cmd, opt, s,
		                 "a time (e.g. 2026-11-21T10:00:00Z, 1795255200, @1795255200.5, 06:38:12, yesterday, "
		                 "\"10 min ago\", +10s, -1min)",
		                 &e);
	if (*anchor & KCAP_TIME_FROM_NOW) {
		kcap_time_ref ref = {INT64_MIN, INT64_MIN, INT64_MIN};
		if (cli_now(cmd, &ref.now))
			return -1;
		if (kcap_time_resolve(*anchor, *value, &ref, value, &e))
			return value_err(cmd, opt, s, "a time kcap can hold (years 1678 to 2262)", &e);
		*anchor = KCAP_TIME_ABS;
	}
	return 0;
}

int cli_now(const char *cmd, int64_t *now)
{
	const char *env = getenv("KCAP_NOW");
	if (env && *env) {
		kcap_error e;
		int anchor;
		if (kcap_parse_time_rel(env, &anchor, now, &e) || anchor != KCAP_TIME_ABS) {
			cli_err(cmd, "KCAP_NOW '%s': expected an absolute time (e.g. 2026-11-21T10:00:00Z)", env);
			return -1;
		}
		return 0;
	}
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	*now = (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
	return 0;
}

int cli_filter_now(const char *cmd, kcap_filter *f)
{
	int64_t now;
	if (!(kcap_filter_time_anchors(f) & KCAP_TIME_FROM_NOW))
		return 0;
	if (cli_now(cmd, &now))
		return -1;
	kcap_filter_set_now(f, now);
	return 0;
}

int cli_filter_compile(const char *cmd, struct kcap_filter **f, const char *expr)
{
	kcap_error e = {0};
	if (!kcap_filter_compile(f, expr, &e))
		return 0;
	if (e.code == KCAP_E_NOMEM) {
		cli_err(cmd, "out of memory");
		return KCAP_EXIT_ERROR;
	}
	cli_expr_error(cmd, expr, &e);
	return KCAP_EXIT_USAGE;
}

/* Prints err with the expression and a caret under the column. */
void cli_expr_error(const char *cmd, const char *expr, const kcap_error *e)
{
	int col = e->column > 0 ? e->column : 1;
	cli_err(cmd, "column %d: %s", col, e->msg[0] ? e->msg : kcap_strerror(e->code));
	fputs("  ", stderr); /* then the expression, and a caret under the column */
	int width = 0; /* display columns before the caret: UTF-8 continuation bytes take none */
	for (const char *p = expr; *p; p++) {
		fputc(*p == '\t' || *p == '\n' ? ' ' : *p, stderr);
		if (p - expr < col - 1 && ((unsigned char)*p & 0xc0) != 0x80)
			width++;
	}
	fprintf(stderr, "\n  %*s^\n", width, "");
}

/* Sets the anchors of relative time literals from the input's index, or its
 * first event. Returns 0, or KCAP_EXIT_USAGE (printed) when an anchor cannot
 * be known. */
int cli_filter_span(const char *cmd, kcap_filter *f, kcap_reader *r, int anchors, int64_t first_ts)
{
	int64_t start = first_ts, end = INT64_MIN;
	if (kcap_reader_load_index(r) > 0) {
		size_t n = kcap_reader_index_count(r);
		start = kcap_reader_index_at(r, 0)->first_ts;
		end = kcap_reader_index_at(r, 0)->last_ts;
		for (size_t i = 0; i < n; i++) {
			const kcap_block_summary *b = kcap_reader_index_at(r, i);
			if (b->first_ts < start)
				start = b->first_ts;
			if (b->last_ts > end)
				end = b->last_ts;
		}
	}
	if ((anchors & KCAP_TIME_FROM_END) && end == INT64_MIN) {
		cli_err(cmd, "%s: a time relative to the end (-D) needs an indexed, seekable input", kcap_reader_name(r));
		return KCAP_EXIT_USAGE;
	}
	kcap_filter_set_span(f, start, end);
	return 0;
}

int cli_time_opt(const char *cmd, int c, const char *arg, kcap_time_style *st)
{
	static const char modes[] = "ard"; /* tshark's letters, KCAP_TIMES_* order */
	if (c == CLI_O_LOCAL) {
		st->local = 1;
		return 0;
	}
	const char *m = arg && arg[0] && !arg[1] ? strchr(modes, arg[0]) : NULL;
	if (!m)
		return cli_bad_value(cmd, c == 't' ? "-t" : "--time-format", arg ? arg : "",
		                     "expected a (absolute), r (relative to the first event) or d (delta)");
	st->mode = (int)(m - modes);
	return 0;
}

void cli_getopt_start(void)
{
	optind = 1;
	opterr = 0;
}

int cli_help(const char *cmd, const char *text)
{
	fputs(text, stdout);
	return cli_finish_stdout(cmd, KCAP_EXIT_OK);
}

int cli_stderr_tty(void) { return isatty(STDERR_FILENO); }

int64_t cli_now_ns(clockid_t c)
{
	struct timespec t;
	clock_gettime(c, &t);
	return (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
}

int cli_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			return 0;
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return 1;
	}
	return 0;
}

#include "sink.h"

int cli_output_opt(const char *cmd, int c, const char *arg, sink_opts *o)
{
	switch (c) {
	case 'o': o->path = arg; return 1;
	case 'K': o->mode = OUT_KCAP; return 1;
	case 'T': o->mode = OUT_TEXT; return 1;
	case 'J': o->mode = OUT_JSON; return 1;
	case 'C': o->mode = OUT_CSV; return 1;
	case SINK_OPT_TSV: o->mode = OUT_TSV; return 1;
	case SINK_OPT_ROWBINARY: o->mode = OUT_ROWBINARY; return 1;
	case 'P': o->no_proc = 1; return 1;
	case SINK_OPT_SCAP: o->mode = OUT_SCAP; return 1;
	case 't': case CLI_O_LOCAL: case CLI_O_TIMEFMT:
		return cli_time_opt(cmd, c, arg, &o->times) ? -1 : 1;
	default: return 0;
	}
}

int cli_output_opt_last(const char *cmd, int c, const char *arg, sink_opts *o, char **argv,
                        const struct option *longopts, const char *shortopts)
{
	int k = cli_output_opt(cmd, c, arg, o);
	return k > 0 ? 0 : k ? KCAP_EXIT_USAGE : cli_bad_option(cmd, argv, longopts, shortopts);
}

/* ---- progress ---- */

static struct {
	int tty, shown;
	uint64_t calls;
	struct timespec start, last;
} prog;

static double since(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

void cli_progress(const char *cmd, const kcap_reader *r)
{
	if ((++prog.calls & 0xffff) != 1)
		return;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (prog.calls == 1) {
		prog.tty = isatty(STDERR_FILENO);
		prog.start = prog.last = now;
		return;
	}
	if (!prog.tty || since(&prog.start, &now) < 1.0 || since(&prog.last, &now) < 0.25)
		return;
	prog.last = now;
	const kcap_reader_stats *st = kcap_reader_get_stats(r);
	double secs = since(&prog.start, &now);
	fprintf(stderr, "\rkcap %s: %s: %.1f MiB read, %llu events, %.0f events/s   ", cmd, kcap_reader_name(r),
		(double)st->bytes / 1048576.0, (unsigned long long)st->events, (double)st->events / secs);
	prog.shown = 1;
}

void cli_progress_done(void)
{
	if (prog.shown)
		fprintf(stderr, "\r\033[K");
	prog.shown = 0;
}

#include <getopt.h>

int cli_bad_option(const char *cmd, char **argv, const struct option *longopts, const char *shortopts)
{
	const char *arg = argv[optind - 1 > 0 ? optind - 1 : 0];
	char name[64];
	int needs_value = 0;
	if (arg[0] == '-' && arg[1] == '-') {
		size_t n = strcspn(arg + 2, "=");
		snprintf(name, sizeof name, "--%.*s", (int)(n < 50 ? n : 50), arg + 2);
		for (const struct option *o = longopts; o && o->name; o++)
			if (strlen(o->name) == n && !strncmp(o->name, arg + 2, n))
				needs_value = o->has_arg == required_argument;
	} else {
		snprintf(name, sizeof name, "-%c", optopt ? optopt : '?');
		const char *p = optopt ? strchr(shortopts, optopt) : NULL;
		needs_value = p && p[1] == ':';
	}
	if (needs_value)
		cli_err(cmd, "option '%s' needs a value; see 'kcap %s --help'", name, cmd);
	else
		cli_err(cmd, "unknown option '%s'; see 'kcap %s --help'", name, cmd);
	return KCAP_EXIT_USAGE;
}

int cli_block_wanted(struct kcap_filter *f, const kcap_block_summary *sum, kcap_reader *r, int tracking)
{
	const kcap_schema *s = kcap_reader_schema(r);
	return kcap_filter_block_may_match(f, sum, s) || (tracking && kcap_procstate_block_needed(sum, s));
}

int cli_body_wanted(struct kcap_filter *f, const kcap_block_summary *sum, const uint8_t *records, size_t len,
		    kcap_reader *r, int tracking)
{
	const kcap_schema *s = kcap_reader_schema(r);
	return kcap_filter_body_may_match(f, records, len, s) || (tracking && kcap_procstate_block_needed(sum, s));
}

int cli_output_only_opts(const char *cmd, const char *help, int argc, char **argv, const char **out, int *rc)
{
	static const struct option longopts[] = {
		{"output", required_argument, 0, 'o'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0},
	};
	int c;
	*out = NULL;
	cli_getopt_start();
	while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		if (c == 'h') {
			*rc = cli_help(cmd, help);
			return 0;
		}
		if (c != 'o') {
			*rc = cli_bad_option(cmd, argv, longopts, "o:h");
			return 0;
		}
		*out = optarg;
	}
	return 1;
}

const char *cli_opt_name(const struct option *longopts, int c)
{
	static char name[64];
	snprintf(name, sizeof name, "option %d", c);
	for (const struct option *o = longopts; o && o->name; o++)
		if (o->val == c && !o->flag) {
			snprintf(name, sizeof name, "--%s", o->name);
			break;
		}
	return name;
}

char **cli_split_fields(char *s)
{
	size_t n = 2;
	for (char *p = s; *p; p++)
		n += *p == ',';
	char **f = calloc(n, sizeof *f);
	if (!f)
		return NULL;
	size_t i = 0;
	for (char *tok = strtok(s, ","); tok; tok = strtok(NULL, ","))
		f[i++] = tok;
	return f;
}
