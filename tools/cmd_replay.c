/* kcap replay: emits events paced at their original timing, the way
 * tcpreplay does for packets, for feeding detection pipelines. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <kcap/filter.h>
#include <kcap/procstate.h>
#include "sink.h"

static const char replay_help[] =
	"usage: kcap replay [OPTIONS] [FILE...]\n"
	"\n"
	"Emits the events of the captures (or stdin) paced at their original timing:\n"
	"an event that came 250 ms after the previous one is written 250 ms after\n"
	"it. Each event is flushed as soon as it is due, so the timing holds on a\n"
	"pipe or socket. Deadlines are computed from the absolute start time\n"
	"(CLOCK_MONOTONIC), never from accumulated sleeps, so pacing does not drift.\n"
	"Several files are replayed one after the other; time that goes backwards\n"
	"(between files, or in an unordered capture) is not waited for.\n"
	"\n"
	"Pacing:\n"
	"  -s, --speed X       X times the original pace (0.5 = half speed; default 1)\n"
	"  -g, --max-gap D     wait at most D for one gap (e.g. 1s, 500ms), so idle\n"
	"                      periods do not stall the replay\n"
	"  -n, --no-wait       send as fast as possible (no pacing, no per-event flush)\n"
	"      --realtime      run at a real-time priority (SCHED_FIFO 10) so that a\n"
	"                      busy machine does not delay the events (needs root or\n"
	"                      CAP_SYS_NICE; a warning otherwise)\n"
	"      --stats         print the number of events and the lateness of the\n"
	"                      writes against their deadlines (p50, p99, max) to stderr\n"
	"Output (default: kcap to a pipe or file, text on a terminal):\n"
	"  -t, --to PATH       write to PATH instead of stdout: a FIFO (opened for\n"
	"                      writing, which waits for a reader), a listening Unix\n"
	"                      stream socket (connected to), or an existing file\n"
	"      --kcap          force a kcap stream (one block per event when paced)\n"
	"      --text          force one line of text per event\n"
	"      --json          force JSON lines, with a \"proc\" object (exe, cwd,\n"
	"                      cmdline and parent of the event's process)\n"
	"      --no-proc       JSON without the \"proc\" object\n"
	"      --csv           force CSV\n"
	CLI_TIME_HELP_("      ")
	"  -h, --help          show this help\n"
	"\n"
	"Exit: 0 ok, 1 error (also when the reader of the output went away), 2 usage,\n"
	"3 an input was damaged (every intact event was still replayed).\n";

#define LATE_MAX 10000

typedef struct replayer {
	double speed;
	int64_t max_gap; /* 0 = no cap */
	int no_wait;
	int stats;
	out_mode mode;
	kcap_time_style *times; /* text and CSV times */
	int fd;
	const char *out_name;
	kcap_writer *w;
	kcap_buf buf;
	section_mirror mirror; /* for kcap output */
	/* schedule */
	int started;
	int64_t t0;      /* CLOCK_MONOTONIC ns at the first event */
	int64_t virt;    /* capture time elapsed since the first event, gaps capped */
	int64_t prev_ts;
	/* lateness histogram, in microseconds (last bucket: >= 10 ms) */
	uint64_t late[LATE_MAX + 1];
	uint64_t events;
	/* JSON "proc" object */
	int proc;
	kcap_procstate *ps;
	const kcap_reader *ps_src;
	uint32_t ps_section;
	int64_t *pending;  /* deadlines of the events appended but not yet flushed */
	size_t npending, cap_pending;
} replayer;

static int64_t mono_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void sleep_until(int64_t deadline)
{
	struct timespec t = {.tv_sec = deadline / 1000000000LL, .tv_nsec = deadline % 1000000000LL};
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL) == EINTR)
		;
}

static int write_all(replayer *rp, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(rp->fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (errno == EPIPE || errno == ECONNRESET) {
				if (rp->fd != STDOUT_FILENO) /* stdout: quiet, as if killed by SIGPIPE */
					cli_err("replay", "%s: the reader went away", rp->out_name);
			} else
				cli_err("replay", "%s: write failed: %s", rp->out_name, strerror(errno));
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Opens --to PATH: a FIFO, a listening Unix stream socket, or a file. */
static int open_to(const char *path)
{
	struct stat sb;
	if (stat(path, &sb)) {
		cli_err("replay", "--to %s: %s (expected a FIFO, a listening Unix socket or a file)", path,
		        strerror(errno));
		return -1;
	}
	if (S_ISSOCK(sb.st_mode)) {
		struct sockaddr_un a = {.sun_family = AF_UNIX};
		if (strlen(path) >= sizeof a.sun_path) {
			cli_err("replay", "--to %s: socket path too long", path);
			return -1;
		}
		strcpy(a.sun_path, path);
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a)) {
			cli_err("replay", "--to %s: cannot connect: %s", path, strerror(errno));
			if (fd >= 0)
				close(fd);
			return -1;
		}
		return fd;
	}
	int fd = open(path, O_WRONLY | O_CLOEXEC | (S_ISREG(sb.st_mode) ? O_TRUNC : 0));
	if (fd < 0)
		cli_err("replay", "--to %s: cannot open for writing: %s", path, strerror(errno));
	return fd;
}

static int werr(replayer *rp)
{
	const kcap_error *e = kcap_writer_error(rp->w);
	if (e && e->sys_errno == EPIPE) {
		if (rp->fd != STDOUT_FILENO)
			cli_err("replay", "%s: the reader went away", rp->out_name);
	} else
		cli_err("replay", "%s: %s", rp->out_name, e && e->msg[0] ? e->msg : "write failed");
	return KCAP_EXIT_ERROR;
}

/* Appends one event to the output (not yet flushed). */
static int emit(replayer *rp, kcap_reader *r, const kcap_event *ev)
{
	if (rp->w) {
		if (mirror_stale(&rp->mirror, r)) {
			int rc = mirror_section(&rp->mirror, rp->w, r);
			if (rc == MIRROR_E_SNAPSHOT) {
				cli_err("replay", "cannot copy the process snapshots: out of memory");
				return KCAP_EXIT_ERROR;
			}
			if (rc)
				return werr(rp);
		}
		if (kcap_writer_write(rp->w, ev))
			return werr(rp);
		return 0;
	}
	const kcap_schema *sc = kcap_reader_schema(r);
	switch (rp->mode) {
	case OUT_JSON:
		if (!rp->proc) {
			kcap_render_json(&rp->buf, ev, sc);
			break;
		}
		if (!rp->ps && !(rp->ps = kcap_procstate_new())) {
			cli_err("replay", "out of memory");
			return KCAP_EXIT_ERROR;
		}
		if (rp->ps_src != r || rp->ps_section != kcap_reader_section(r)) {
			kcap_procstate_load_reader(rp->ps, r);
			rp->ps_src = r;
			rp->ps_section = kcap_reader_section(r);
		}
		kcap_procstate_update(rp->ps, ev, sc);
		kcap_render_json_proc(&rp->buf, ev, sc, rp->ps);
		break;
	case OUT_CSV: kcap_render_csv_style(&rp->buf, ev, sc, NULL, rp->times); break;
	default: kcap_render_text_style(&rp->buf, ev, sc, rp->times);
	}
	return 0;
}

/* Writes out every event appended so far and notes how late each one is. */
static int flush_out(replayer *rp)
{
	if (rp->w) {
		if (rp->npending && kcap_writer_flush(rp->w))
			return werr(rp);
	} else if (rp->buf.len) {
		if (write_all(rp, rp->buf.data, rp->buf.len))
			return KCAP_EXIT_ERROR;
		rp->buf.len = 0;
	}
	if (rp->npending && !rp->no_wait) {
		int64_t now = mono_ns();
		for (size_t i = 0; i < rp->npending; i++) {
			int64_t late = (now - rp->pending[i]) / 1000;
			rp->late[late < 0 ? 0 : late > LATE_MAX ? LATE_MAX : late]++;
		}
	}
	rp->npending = 0;
	return 0;
}

/* Waits for the event's deadline, flushing what is due before sleeping, so
 * every event leaves as soon as it is due; events already due when read are
 * written together. */
static int replay_event(replayer *rp, kcap_reader *r, const kcap_event *ev)
{
	int64_t deadline = 0;
	if (!rp->no_wait) {
		if (!rp->started) {
			rp->started = 1;
			rp->t0 = mono_ns();
			rp->prev_ts = ev->ts;
		}
		if (ev->ts > rp->prev_ts) {
			int64_t d = ev->ts - rp->prev_ts;
			if (rp->max_gap && d > rp->max_gap)
				d = rp->max_gap;
			rp->virt += d;
			rp->prev_ts = ev->ts;
		}
		deadline = rp->t0 + (int64_t)((double)rp->virt / rp->speed);
		if (deadline > mono_ns()) {
			int rc = flush_out(rp);
			if (rc)
				return rc;
			sleep_until(deadline);
		}
	}
	int rc = emit(rp, r, ev);
	if (rc)
		return rc;
	rp->events++;
	if (!rp->no_wait) {
		if (rp->npending == rp->cap_pending) {
			size_t n = rp->cap_pending ? rp->cap_pending * 2 : 1024;
			int64_t *p = realloc(rp->pending, n * sizeof *p);
			if (!p)
				return flush_out(rp);
			rp->pending = p;
			rp->cap_pending = n;
		}
		rp->pending[rp->npending++] = deadline;
		if (rp->buf.len >= (1u << 16) || rp->npending >= 4096)
			return flush_out(rp);
		return 0;
	}
	if (rp->buf.len >= (1u << 16))
		return flush_out(rp);
	return 0;
}

static int64_t late_pct(const replayer *rp, double q)
{
	uint64_t n = 0, want = (uint64_t)((double)rp->events * q);
	for (int i = 0; i <= LATE_MAX; i++) {
		n += rp->late[i];
		if (n > want || (n == rp->events && n))
			return i;
	}
	return 0;
}

int cmd_replay(int argc, char **argv)
{
	enum { O_STATS = 1000, O_RT };
	static const struct option longopts[] = {
		{"speed", required_argument, 0, 's'}, {"max-gap", required_argument, 0, 'g'},
		{"no-wait", no_argument, 0, 'n'},     {"to", required_argument, 0, 't'},
		{"stats", no_argument, 0, O_STATS},   {"kcap", no_argument, 0, 'K'},
		{"realtime", no_argument, 0, O_RT},   {"no-proc", no_argument, 0, 'P'},
		{"text", no_argument, 0, 'T'},        {"json", no_argument, 0, 'J'},
		{"csv", no_argument, 0, 'C'},         CLI_TIME_LONGOPTS, {"help", no_argument, 0, 'h'},
		{0, 0, 0, 0},
	};
	replayer rp = {.speed = 1.0, .fd = -1};
	sink_opts so = {0};
	const char *to = NULL;
	int c, rc = KCAP_EXIT_OK, damaged = 0;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "s:g:nt:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(replay_help, stdout);
			return cli_finish_stdout("replay", KCAP_EXIT_OK);
		case 's':
			/* past 1e9 a second of capture lasts under a nanosecond: no
			 * pacing is left to do, which --no-wait says plainly */
			if (cli_opt_real("replay", "--speed", optarg, 0, 1e9, "for no pacing at all use --no-wait", &rp.speed))
				return KCAP_EXIT_USAGE;
			break;
		case 'g':
			if (cli_opt_duration("replay", "--max-gap", optarg, 0, &rp.max_gap))
				return KCAP_EXIT_USAGE;
			break;
		case 'n': rp.no_wait = 1; break;
		case 't': to = optarg; break;
		case O_STATS: rp.stats = 1; break;
		case O_RT: {
			struct sched_param sp = {.sched_priority = 10};
			if (sched_setscheduler(0, SCHED_FIFO, &sp))
				cli_err("replay", "warning: --realtime: %s; pacing at normal priority", strerror(errno));
			break;
		}
		CLI_TIME_CASES_LONG:
			if (cli_time_opt("replay", c, optarg, &so.times))
				return KCAP_EXIT_USAGE;
			break;
		default:
			if (cli_output_opt(c, optarg, &so) < 0 || c == 'o')
				return cli_bad_option("replay", argv, longopts, "s:g:nt:h");
		}
	}
	signal(SIGPIPE, SIG_IGN); /* a reader that goes away is reported, not fatal */
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0); /* wake up on time, not up to 50 us late */
	int nin = argc - optind;
	/* open the inputs lazily, the output now: a FIFO waits for its reader */
	if (to) {
		rp.fd = open_to(to);
		if (rp.fd < 0)
			return KCAP_EXIT_ERROR;
		rp.out_name = to;
		rp.mode = so.mode != OUT_AUTO ? so.mode : OUT_KCAP;
	} else {
		fflush(stdout);
		rp.fd = STDOUT_FILENO;
		rp.out_name = "(stdout)";
		rp.mode = cli_resolve_out(so.mode);
	}
	if (rp.mode == OUT_KCAP) {
		kcap_error e = {0};
		if (kcap_writer_open_fd(&rp.w, rp.fd, 0, &so.wopts, &e)) {
			cli_err("replay", "%s: %s", rp.out_name, e.msg[0] ? e.msg : "cannot write");
			rc = KCAP_EXIT_ERROR;
			goto cleanup;
		}
	} else if (rp.mode == OUT_CSV) {
		kcap_render_csv_header(&rp.buf, NULL);
	}
	rp.proc = rp.mode == OUT_JSON && !so.no_proc;
	rp.times = &so.times;
	for (int i = 0; i < (nin ? nin : 1) && !rc; i++) {
		kcap_reader *r;
		int orc = cli_open_input("replay", nin ? argv[optind + i] : NULL, &r, &damaged);
		if (orc) {
			if (orc == KCAP_EXIT_DAMAGED)
				damaged = 1;
			else
				rc = orc;
			continue;
		}
		const kcap_event *ev;
		int n;
		while ((n = kcap_reader_next(r, &ev)) > 0)
			if ((rc = replay_event(&rp, r, ev)))
				break;
		if (!rc) /* the last events are due now; the next input may start late */
			rc = flush_out(&rp);
		if (n < 0 && !rc) {
			cli_err_kcap("replay", kcap_reader_name(r), kcap_reader_error(r));
			rc = n == KCAP_E_VERSION ? KCAP_EXIT_DAMAGED : KCAP_EXIT_ERROR;
		}
		if (rp.w && rp.mirror.src == r) {
			for (size_t k = 0; k < kcap_reader_stat_count(r); k++)
				kcap_writer_set_stat(rp.w, kcap_reader_stat_at(r, k));
			rp.mirror.src = NULL;
		}
		cli_close_input(r);
	}
	if (rp.stats) {
		fprintf(stderr, "kcap replay: %llu events", (unsigned long long)rp.events);
		if (!rp.no_wait && rp.events)
			fprintf(stderr, "; write lateness vs schedule: p50 %lld us, p99 %lld us, max %s%lld us",
			        (long long)late_pct(&rp, 0.5), (long long)late_pct(&rp, 0.99),
			        rp.late[LATE_MAX] ? ">= " : "", (long long)late_pct(&rp, 1.0));
		fputc('\n', stderr);
	}
cleanup:
	if (rp.w) {
		int wrc = kcap_writer_close(rp.w);
		if (wrc && !rc) {
			cli_err("replay", "%s: %s", rp.out_name, kcap_strerror(wrc));
			rc = KCAP_EXIT_ERROR;
		}
	} else if (rp.buf.len && !rc && write_all(&rp, rp.buf.data, rp.buf.len)) {
		rc = KCAP_EXIT_ERROR;
	}
	kcap_buf_free(&rp.buf);
	free(rp.pending);
	kcap_procstate_free(rp.ps);
	if (to && rp.fd >= 0)
		close(rp.fd);
	if (rc)
		return rc;
	return damaged ? KCAP_EXIT_DAMAGED : KCAP_EXIT_OK;
}
