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
#include "sink.h"

static const char replay_help[] =
	"usage: kcap replay [OPTIONS] [FILE...]\n"
	"\n"
	"Emits the events of the captures (or stdin) paced at their original timing:\n"
	"an event that came 250 ms after the previous one is written 250 ms after\n"
	"it. Each event is flushed as soon as it is due (kcap output: in a block of\n"
	"its own, or with the events due at once), so the timing holds on a pipe or\n"
	"socket. Deadlines are computed from the absolute start time\n"
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
	SINK_HELP_HEAD
	"  -t, --to PATH       write to PATH instead of stdout: a FIFO (opened for\n"
	"                      writing, which waits for a reader), a listening Unix\n"
	"                      stream socket (connected to), or an existing file\n"
	SINK_HELP_MODES
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
	sink *out;
	/* schedule */
	int started;
	int64_t t0;      /* CLOCK_MONOTONIC ns at the first event */
	int64_t virt;    /* capture time elapsed since the first event, gaps capped */
	int64_t prev_ts;
	/* lateness histogram, in microseconds (last bucket: >= 10 ms) */
	uint64_t late[LATE_MAX + 1];
	uint64_t events;
	int64_t *pending;  /* deadlines of the events appended but not yet flushed */
	size_t npending, cap_pending;
} replayer;

static void sleep_until(int64_t deadline)
{
	struct timespec t = {.tv_sec = deadline / 1000000000LL, .tv_nsec = deadline % 1000000000LL};
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL) == EINTR)
		;
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

/* Writes out every event appended so far and notes how late each one is. */
static int flush_out(replayer *rp)
{
	int rc = sink_flush(rp->out);
	if (rc)
		return rc;
	if (rp->npending && !rp->no_wait) {
		int64_t now = cli_now_ns(CLOCK_MONOTONIC);
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
			rp->t0 = cli_now_ns(CLOCK_MONOTONIC);
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
		if (deadline > cli_now_ns(CLOCK_MONOTONIC)) {
			int rc = flush_out(rp);
			if (rc)
				return rc;
			sleep_until(deadline);
		}
	}
	int rc = sink_event(rp->out, r, ev);
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
		if (sink_buffered(rp->out) >= (1u << 16) || rp->npending >= 4096)
			return flush_out(rp);
	}
	return 0; /* --no-wait: the sink writes as its buffer fills */
}

/* One input, paced; the next input's schedule goes on from it. */
static int replay_input(void *ud, int i, kcap_reader *r, int *damaged)
{
	replayer *rp = ud;
	const kcap_event *ev;
	int n, rc = 0;
	uint64_t before = rp->events;
	(void)i;
	(void)damaged;
	while ((n = kcap_reader_next(r, &ev)) > 0)
		if ((rc = replay_event(rp, r, ev)))
			break;
	if (!rc) /* the last events are due now; the next input may start late */
		rc = flush_out(rp);
	if (n < 0 && !rc)
		rc = cli_read_failed("replay", r, n);
	/* An input that gave no events leaves nothing in the replayed stream,
	 * not even its metadata (unlike cat's output): there was nothing to
	 * pace, and the stream stays as replay always gave it. */
	if (rp->events != before)
		sink_input_done(rp->out, r);
	return rc;
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
		{"stats", no_argument, 0, O_STATS},   {"realtime", no_argument, 0, O_RT},
		SINK_LONGOPTS_MODES,                  {"help", no_argument, 0, 'h'},
		{0, 0, 0, 0},
	};
	replayer rp = {.speed = 1.0};
	sink_opts so = {0};
	int fd = -1;
	const char *to = NULL;
	int c, rc = KCAP_EXIT_OK, damaged = 0;
	cli_getopt_start();
	while ((c = getopt_long(argc, argv, "s:g:nt:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			return cli_help("replay", replay_help);
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
		default: /* -o is not replay's: its output is --to */
			if (c == 'o')
				return cli_bad_option("replay", argv, longopts, "s:g:nt:h");
			if ((rc = cli_output_opt_last("replay", c, optarg, &so, argv, longopts, "s:g:nt:h")))
				return rc;
		}
	}
	if (so.mode == OUT_SCAP) {
		cli_err("replay", "--scap: not an output of replay (a .scap is written at its end)");
		return KCAP_EXIT_USAGE;
	}
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0); /* wake up on time, not up to 50 us late */
	int nin = argc - optind;
	/* open the inputs lazily, the output now: a FIFO waits for its reader */
	if (to) {
		/* a --to reader that goes away is reported, not fatal; on stdout a
		 * broken pipe ends replay by SIGPIPE, quietly, as every command */
		signal(SIGPIPE, SIG_IGN);
		fd = open_to(to);
		if (fd < 0)
			return KCAP_EXIT_ERROR;
		so.fd_name = to;
	} else {
		fflush(stdout);
		fd = STDOUT_FILENO;
		so.fd_name = "(stdout)";
	}
	so.fd = fd;
	so.paced = !rp.no_wait; /* --no-wait: no per-event flush */
	if ((rc = sink_open(&rp.out, "replay", &so)))
		goto cleanup;
	cli_inputs in = {.cmd = "replay", .n = nin, .files = argv + optind};
	rc = cli_each_input(&in, replay_input, &rp, &damaged);
	if (rp.stats) {
		fprintf(stderr, "kcap replay: %llu events", (unsigned long long)rp.events);
		if (!rp.no_wait && rp.events)
			fprintf(stderr, "; write lateness vs schedule: p50 %lld us, p99 %lld us, max %s%lld us",
			        (long long)late_pct(&rp, 0.5), (long long)late_pct(&rp, 0.99),
			        rp.late[LATE_MAX] ? ">= " : "", (long long)late_pct(&rp, 1.0));
		fputc('\n', stderr);
	}
	rc = sink_close(rp.out, rc);
cleanup:
	free(rp.pending);
	if (to && fd >= 0)
		close(fd);
	if (rc)
		return rc;
	return damaged ? KCAP_EXIT_DAMAGED : KCAP_EXIT_OK;
}
