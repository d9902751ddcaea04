/* kcap slice: a range of events by time (seeking through the index), by seq,
 * or by count (head, tail, skip). */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <kcap/filter.h>
#include "sink.h"

static const char slice_help[] =
	"usage: kcap slice [OPTIONS] [FILE...]\n"
	"\n"
	"Writes a range of the events of the captures (or stdin), e.g.\n"
	"  kcap slice --from +10s --to +1min host.kcap     a minute, 10 s into the capture\n"
	"  kcap slice --from -90s host.kcap                 the last 90 seconds\n"
	"  kcap slice --from 2026-11-21T10:00:00Z --to @1795256100 host.kcap\n"
	"  kcap slice --seq 1000..1999 host.kcap            by sequence number\n"
	"  kcap slice --tail 100 host.kcap                  the last 100 events\n"
	"\n"
	"Range (an event is kept when it satisfies every range given):\n"
	"      --from TIME     first time kept (inclusive)\n"
	"      --to TIME       end of the range (exclusive): [from, to) is half-open\n"
	"      --seq A..B      sequence numbers A to B inclusive; 'A..' and '..B' are\n"
	"                      open-ended\n"
	"TIME is seconds since the epoch (1795255200: 10 digits or fewer), ns since\n"
	"the epoch (1795255200000000000), @seconds[.frac] (@1795255200.5),\n"
	"RFC 3339 with a zone (2026-11-21T10:00:00Z, ...+01:00),\n"
	"a local date-time (2026-11-21 11:00:00, 2026-11-21), an offset from the\n"
	"capture's first event (+10s, +1h30min) or from its last event (-90s, -1.5h).\n"
	"Units: ns us ms s m (= min) h d, combinable (1h30min) and fractional (1.5s).\n"
	"An empty range (--from +1s --to +0.5s) is a usage error.\n"
	"Offsets from the end need a seekable, indexed input. Each input file\n"
	"resolves offsets against its own start and end.\n"
	"\n"
	"Count (applied in this order to the events in range, across all inputs):\n"
	"      --skip N        drop the first N\n"
	"      --head N        keep the first N of the rest\n"
	"      --tail N        keep the last N of the rest; reads the input twice\n"
	"                      (a pipe is first copied to a temporary file) and never\n"
	"                      holds more than one block in memory\n"
	"\n"
	"Time seeks use the capture's index: the first event of a range deep in a\n"
	"large file costs a binary search of the index plus one block. Inputs\n"
	"without an index (pipes) are read forward, skipping whole blocks by their\n"
	"headers without decompressing them.\n"
	"      --no-index      read forward even when an index exists (for comparison)\n"
	"      --stats         print blocks seen/decoded/skipped, events, and the time\n"
	"                      from the start of the command to the first event out\n"
	"                      (index load, seek and one block) to stderr\n"
	"\n"
	SINK_HELP_OUTPUT
CLI_JOBS_HELP
	"  -h, --help          show this help\n"
	"\n"
	"Exit: 0 ok (also when the range is empty), 1 error, 2 usage, 3 an input was\n"
	"damaged (every intact event in range was still delivered).\n";

typedef struct timearg {
	const char *text;
	int set;
	int anchor;   /* KCAP_TIME_* */
	int64_t value;
} timearg;

typedef struct slicer {
	timearg from, to;
	int has_seq;
	uint64_t seq_a, seq_b;
	int has_head, has_tail;
	uint64_t head, tail, skip;
	int no_index, stats;
	/* resolved per input */
	int64_t lo_ts, hi_ts; /* [lo_ts, hi_ts) */
	int resolved;
	const char *file;
	/* global position in the stream of events in range */
	uint64_t pos, out_lo, out_hi; /* emit positions [out_lo, out_hi) */
	int counting;     /* pass 1 of --tail: count only */
	int block_count;  /* whole blocks inside the range may be counted from headers */
	/* figures for --stats */
	uint64_t blocks, decoded, skipped, nread, written;
	int64_t t_start, t_first; /* CLOCK_MONOTONIC ns: command start, first event out */
	int sorted;     /* the input's index says blocks are in time order */
	int seq_sorted; /* ... and their seq ranges ascend without overlap */
} slicer;

static int parse_seq(const char *s, slicer *sl)
{
	const char *dots = strstr(s, "..");
	if (!dots)
		return -1;
	char a[32], b[32];
	size_t la = (size_t)(dots - s), lb = strlen(dots + 2);
	if (la >= sizeof a || lb >= sizeof b)
		return -1;
	memcpy(a, s, la);
	a[la] = 0;
	memcpy(b, dots + 2, lb + 1);
	sl->seq_a = 0;
	sl->seq_b = UINT64_MAX;
	if (la && kcap_parse_count(a, &sl->seq_a, NULL))
		return -1;
	if (lb && kcap_parse_count(b, &sl->seq_b, NULL))
		return -1;
	if (sl->seq_a > sl->seq_b)
		return -1;
	sl->has_seq = 1;
	return 0;
}

static int parse_timearg(const char *opt, const char *s, timearg *t)
{
	if (cli_opt_time("slice", opt, s, &t->anchor, &t->value))
		return -1;
	t->text = s;
	t->set = 1;
	return 0;
}

/* An empty range is a usage error, as --seq 5..2 is. Only two times of the
 * same kind can be compared before the capture's span is known. */
static int check_time_range(const slicer *sl)
{
	if (!sl->from.set || !sl->to.set || sl->from.anchor != sl->to.anchor || sl->from.value < sl->to.value)
		return 0;
	cli_err("slice", "--from '%s' --to '%s': empty range (--from must come before --to)", sl->from.text,
	        sl->to.text);
	return -1;
}

static int64_t resolve(const timearg *t, int64_t start, int64_t end)
{
	kcap_time_ref ref = {start, end, INT64_MIN};
	int64_t v = t->value; /* kept past the years kcap can hold: no capture reaches there */
	kcap_time_resolve(t->anchor, t->value, &ref, &v, NULL);
	return v;
}

/* anchor is a KCAP_TIME_FROM_* bit: a time of day needs the start too */
static int needs_anchor(const slicer *sl, int anchor)
{
	return (sl->from.set && (sl->from.anchor & anchor)) || (sl->to.set && (sl->to.anchor & anchor));
}

static void set_range(slicer *sl, int64_t start, int64_t end)
{
	sl->lo_ts = sl->from.set ? resolve(&sl->from, start, end) : INT64_MIN;
	sl->hi_ts = sl->to.set ? resolve(&sl->to, start, end) : INT64_MAX;
	sl->resolved = 1;
}

static int has_range(const slicer *sl)
{
	return sl->from.set || sl->to.set || sl->has_seq;
}

static int in_range(const slicer *sl, const kcap_event *ev)
{
	return ev->ts >= sl->lo_ts && ev->ts < sl->hi_ts &&
	       (!sl->has_seq || (ev->seq >= sl->seq_a && ev->seq <= sl->seq_b));
}

/* Skips blocks that hold nothing in range, and, where only the count of
 * events matters, blocks that lie wholly in range before the output window. */
static int block_cb(void *ud, const kcap_block_summary *sum)
{
	slicer *sl = ud;
	if (!sl->resolved) /* a pipe: the first block tells the capture's start */
		set_range(sl, sum->first_ts, INT64_MIN);
	if (sum->last_ts < sl->lo_ts || sum->first_ts >= sl->hi_ts)
		return 0;
	if (sl->has_seq && (sum->last_seq < sl->seq_a || sum->first_seq > sl->seq_b))
		return 0;
	int whole = sum->first_ts >= sl->lo_ts && sum->last_ts < sl->hi_ts &&
	            (!sl->has_seq || (sum->first_seq >= sl->seq_a && sum->last_seq <= sl->seq_b));
	if (whole && sl->block_count && (sl->counting || sl->pos + sum->count <= sl->out_lo)) {
		sl->pos += sum->count;
		return 0;
	}
	return 1;
}

/* Capture start and end from the index, without reading events. Returns 1
 * when known. */
static int index_span(kcap_reader *r, int64_t *start, int64_t *end, int *sorted, int *seq_sorted)
{
	if (kcap_reader_load_index(r) <= 0)
		return 0;
	size_t n = kcap_reader_index_count(r);
	const kcap_block_summary *b0 = kcap_reader_index_at(r, 0);
	*start = b0->first_ts;
	*end = b0->last_ts;
	*sorted = *seq_sorted = b0->ordered;
	for (size_t i = 1; i < n; i++) {
		const kcap_block_summary *b = kcap_reader_index_at(r, i);
		if (b->first_ts < *start)
			*start = b->first_ts;
		if (b->last_ts > *end)
			*end = b->last_ts;
		const kcap_block_summary *p = kcap_reader_index_at(r, i - 1);
		if (!b->ordered || b->first_ts < p->last_ts)
			*sorted = *seq_sorted = 0;
		if (b->first_seq <= p->last_seq)
			*seq_sorted = 0;
	}
	return 1;
}

/* Copies a non-seekable stdin to an unlinked temporary file so that --tail
 * can read it twice. Returns the fd or -1 (printed). */
static int spool_stdin(void)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];
	snprintf(path, sizeof path, "%s/kcap-slice-XXXXXX", dir && *dir ? dir : "/tmp");
	int fd = mkstemp(path);
	if (fd < 0) {
		cli_err("slice", "cannot create a temporary file for --tail on a pipe: %s", strerror(errno));
		return -1;
	}
	unlink(path);
	static char buf[1 << 16];
	for (;;) {
		ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			cli_err("slice", "(stdin): read failed: %s", strerror(errno));
			close(fd);
			return -1;
		}
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(fd, buf + off, (size_t)(n - off));
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				cli_err("slice", "temporary file for --tail: write failed: %s", strerror(errno));
				close(fd);
				return -1;
			}
			off += w;
		}
	}
	if (lseek(fd, 0, SEEK_SET) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* One pass over one input. Returns a KCAP_EXIT_* code; *done is set when the
 * output window is complete (nothing more to read in any input). */
static int slice_input(slicer *sl, kcap_reader *r, sink *out, int *done)
{
	int64_t start = INT64_MIN, end = INT64_MIN;
	int indexed = 0;
	sl->sorted = sl->seq_sorted = 0;
	sl->resolved = 0;
	sl->file = kcap_reader_name(r);
	if (!sl->no_index && (has_range(sl) || sl->counting))
		indexed = index_span(r, &start, &end, &sl->sorted, &sl->seq_sorted);
	if (needs_anchor(sl, KCAP_TIME_FROM_END) && !indexed) {
		cli_err("slice", "%s: a time relative to the end (-D) needs an indexed, seekable input%s", sl->file,
		        sl->no_index ? " (and no --no-index)" : "");
		return KCAP_EXIT_USAGE;
	}
	if (indexed || !needs_anchor(sl, KCAP_TIME_FROM_START))
		set_range(sl, start, end);
	kcap_reader_set_block_filter(r, block_cb, sl);
	if (sl->resolved && sl->lo_ts != INT64_MIN && !sl->no_index) {
		int rc = kcap_reader_seek_time(r, sl->lo_ts);
		if (rc < 0) {
			cli_err_kcap("slice", sl->file, kcap_reader_error(r));
			return KCAP_EXIT_ERROR;
		}
	} else if (sl->has_seq && indexed && sl->seq_sorted && sl->seq_a > 0) {
		/* jump to the block holding seq A, by its first timestamp */
		size_t n = kcap_reader_index_count(r);
		for (size_t i = 0; i < n; i++) {
			const kcap_block_summary *b = kcap_reader_index_at(r, i);
			if (b->last_seq >= sl->seq_a) {
				if (i > 0 && kcap_reader_seek_time(r, b->first_ts) < 0) {
					cli_err_kcap("slice", sl->file, kcap_reader_error(r));
					return KCAP_EXIT_ERROR;
				}
				break;
			}
		}
	}
	const kcap_event *ev;
	int n, rc = 0;
	while ((n = kcap_reader_next(r, &ev)) > 0) {
		sl->nread++;
		if (!in_range(sl, ev)) {
			/* in a time-ordered capture nothing later can be in range; past
			 * seq B the block filter skips the rest by their headers */
			if (sl->sorted && ev->ts >= sl->hi_ts)
				break;
			continue;
		}
		uint64_t p = sl->pos++;
		if (sl->counting)
			continue;
		if (p < sl->out_lo)
			continue;
		if (p >= sl->out_hi) {
			*done = 1;
			break;
		}
		if ((rc = sink_event(out, r, ev)))
			break;
		if (!sl->written++ && sl->stats)
			sl->t_first = cli_now_ns(CLOCK_MONOTONIC);
		if (p + 1 == sl->out_hi) {
			*done = 1;
			break;
		}
	}
	if (n < 0 && !rc) {
		cli_err_kcap("slice", sl->file, kcap_reader_error(r));
		rc = n == KCAP_E_VERSION ? KCAP_EXIT_DAMAGED : KCAP_EXIT_ERROR;
	}
	const kcap_reader_stats *st = kcap_reader_get_stats(r);
	sl->blocks += st->blocks;
	sl->decoded += st->blocks_decoded;
	sl->skipped += st->blocks_skipped;
	if (sl->stats)
		fprintf(stderr, "kcap slice: %s%s: index %s; blocks: %llu seen, %llu decoded, %llu skipped\n", sl->file,
		        sl->counting ? " (counting pass)" : "", indexed ? "used" : "not used",
		        (unsigned long long)st->blocks, (unsigned long long)st->blocks_decoded,
		        (unsigned long long)st->blocks_skipped);
	return rc;
}

/* One pass over every input. */
typedef struct pass {
	slicer *sl;
	sink *out;
	int done; /* the output window is complete: nothing more to read */
} pass;

static int pass_input(void *ud, int i, kcap_reader *r, int *damaged)
{
	pass *p = ud;
	(void)i;
	(void)damaged;
	int rc = slice_input(p->sl, r, p->out, &p->done);
	if (p->out) {
		if (!rc) /* the loss counters are at the end */
			sink_skip_rest(p->out, r);
		sink_input_done(p->out, r);
	}
	return rc;
}

static int run_pass(slicer *sl, int nin, char **files, int spool_fd, off_t spool_off, sink *out, int *damaged)
{
	pass p = {.sl = sl, .out = out};
	cli_inputs in = {.cmd = "slice", .n = nin, .files = files, .spool = spool_fd >= 0, .spool_fd = spool_fd,
	                 .spool_off = spool_off, .done = &p.done, .reread = sl->has_tail};
	sl->pos = 0;
	return cli_each_input(&in, pass_input, &p, damaged);
}

int cmd_slice(int argc, char **argv)
{
	enum { O_FROM = 1000, O_TO, O_SEQ, O_HEAD, O_TAIL, O_SKIP, O_NOINDEX, O_STATS };
	static const struct option longopts[] = {
		{"from", required_argument, 0, O_FROM}, {"to", required_argument, 0, O_TO},
		{"seq", required_argument, 0, O_SEQ},   {"head", required_argument, 0, O_HEAD},
		{"tail", required_argument, 0, O_TAIL}, {"skip", required_argument, 0, O_SKIP},
		{"no-index", no_argument, 0, O_NOINDEX}, {"stats", no_argument, 0, O_STATS},
		CLI_JOBS_LONGOPT, SINK_LONGOPTS,                          {"help", no_argument, 0, 'h'},
		{0, 0, 0, 0},
	};
	slicer sl = {.t_start = cli_now_ns(CLOCK_MONOTONIC)};
	sink_opts so = {0};
	sink *out = NULL;
	int c, rc = KCAP_EXIT_OK, damaged = 0, spool_fd = -1;
	off_t spool_off = 0;
	cli_jobs_default();
	cli_getopt_start();
	while ((c = getopt_long(argc, argv, "o:t:j:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			return cli_help("slice", slice_help);
		case 'j':
			if (cli_jobs_opt("slice", optarg))
				return KCAP_EXIT_USAGE;
			break;
		case O_FROM:
			if (parse_timearg("--from", optarg, &sl.from))
				return KCAP_EXIT_USAGE;
			break;
		case O_TO:
			if (parse_timearg("--to", optarg, &sl.to))
				return KCAP_EXIT_USAGE;
			break;
		case O_SEQ:
			if (parse_seq(optarg, &sl)) {
				cli_bad_value("slice", "--seq", optarg, "expected A..B, A.. or ..B with counts A <= B");
				return KCAP_EXIT_USAGE;
			}
			break;
		case O_HEAD:
		case O_TAIL:
		case O_SKIP: {
			uint64_t v;
			if (cli_opt_count("slice", c == O_HEAD ? "--head" : c == O_TAIL ? "--tail" : "--skip", optarg, 0,
			                  UINT64_MAX, &v))
				return KCAP_EXIT_USAGE;
			if (c == O_HEAD) {
				sl.head = v;
				sl.has_head = 1;
			} else if (c == O_TAIL) {
				sl.tail = v;
				sl.has_tail = 1;
			} else {
				sl.skip = v;
			}
			break;
		}
		case O_NOINDEX: sl.no_index = 1; break;
		case O_STATS: sl.stats = 1; break;
		default:
			if ((rc = cli_output_opt_last("slice", c, optarg, &so, argv, longopts, "o:t:j:h")))
				return rc;
		}
	}
	if (check_time_range(&sl))
		return KCAP_EXIT_USAGE;
	int nin = argc - optind;
	char **files = argv + optind;
	sl.out_lo = sl.skip;
	sl.out_hi = sl.has_head ? (sl.skip + sl.head < sl.skip ? UINT64_MAX : sl.skip + sl.head) : UINT64_MAX;
	if (sl.has_tail) {
		if (!nin || (nin == 1 && !strcmp(files[0], "-"))) {
			struct stat sb;
			if (isatty(STDIN_FILENO)) {
				cli_err("slice", "no input files and stdin is a terminal; see 'kcap slice --help'");
				return KCAP_EXIT_USAGE;
			}
			if (fstat(STDIN_FILENO, &sb) || !S_ISREG(sb.st_mode)) {
				spool_fd = spool_stdin();
			} else { /* a redirected file: read it twice from where it starts */
				spool_off = lseek(STDIN_FILENO, 0, SEEK_CUR);
				spool_fd = spool_off < 0 ? -1 : dup(STDIN_FILENO);
			}
			if (spool_fd < 0) {
				cli_err("slice", "(stdin): cannot read it twice for --tail");
				return KCAP_EXIT_ERROR;
			}
		}
		/* pass 1: count the events in range, from block headers where a
		 * whole block is in range */
		sl.counting = 1;
		sl.block_count = 1;
		rc = run_pass(&sl, nin, files, spool_fd, spool_off, NULL, &damaged);
		sl.counting = 0;
		uint64_t total = sl.pos;
		if (total < sl.out_hi)
			sl.out_hi = total;
		if (sl.out_hi > sl.tail && sl.out_hi - sl.tail > sl.out_lo)
			sl.out_lo = sl.out_hi - sl.tail;
		if (sl.out_lo > sl.out_hi)
			sl.out_lo = sl.out_hi;
	}
	sl.block_count = 1;
	sink_derived(&so, "slice", argc, argv);
	if (!rc && (rc = sink_open(&out, "slice", &so)) == KCAP_EXIT_OK && sl.out_lo < sl.out_hi)
		rc = run_pass(&sl, nin, files, spool_fd, spool_off, out, &damaged);
	if (sl.stats) {
		fprintf(stderr, "kcap slice: total: blocks: %llu seen, %llu decoded, %llu skipped; events: %llu read, "
		                "%llu written", (unsigned long long)sl.blocks, (unsigned long long)sl.decoded,
		        (unsigned long long)sl.skipped, (unsigned long long)sl.nread, (unsigned long long)sl.written);
		if (sl.written)
			fprintf(stderr, "; first event after %.3f ms", (double)(sl.t_first - sl.t_start) / 1e6);
		fputc('\n', stderr);
	}
	rc = sink_close(out, rc);
	free(so.derived);
	if (spool_fd >= 0)
		close(spool_fd);
	if (rc)
		return rc;
	return damaged ? KCAP_EXIT_DAMAGED : KCAP_EXIT_OK;
}
