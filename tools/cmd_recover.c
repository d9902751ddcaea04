/* kcap recover: a clean capture from a damaged one. The first pass is
 * kcap_verify (what is damaged, what it held); the second copies every
 * intact block and every recoverable event into OUT, with the damage in
 * OUT's metadata and loss counters. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "sink.h"

static const char recover_help[] =
	"usage: kcap recover [--ignore-crc] IN -o OUT\n"
	"\n"
	"Writes a clean capture from a damaged one (IN, or stdin with '-'; .gz, .zst\n"
	"and archives too): every intact block and every event that can still be\n"
	"read (the complete records of a block cut short) is kept, and OUT is\n"
	"indexed again. The damage goes into OUT: every origin's metadata says\n"
	"recovered_from, recovered_at, recovered_damage (each region's offset,\n"
	"bytes and the events it held where known) and recovered_events_lost, and\n"
	"a loss counter (source recovered-damage) holds the events lost, so that\n"
	"'kcap info OUT' shows that it was recovered and 'kcap verify OUT' says\n"
	"intact, recovered. IN is never modified, and OUT may not be IN.\n"
	"\n"
	"  -o, --output OUT  the recovered capture (required; written under a\n"
	"                    temporary name, renamed when complete)\n"
	"      --ignore-crc  also keep the events of blocks that fail their CRC but\n"
	"                    whose body still decodes to well-formed records, each\n"
	"                    flagged unverified (their blocks carry the UNVERIFIED\n"
	"                    flag; recovered_unverified_events says how many): for\n"
	"                    when the only copy matters more than proof\n"
	"  -h, --help        show this help\n"
	"\n"
	"Exit (as mcap recover): 0 nothing was wrong, 1 nothing could be read,\n"
	"2 usage, 3 recovered with losses.\n";

typedef struct rec_input {
	const char *path; /* NULL: the spooled stdin */
	int spool_fd;     /* stdin copied to an unlinked temporary file, else -1 */
	int ignore_crc;
} rec_input;

static int open_in(const rec_input *in, kcap_reader **r)
{
	int damaged = 0;
	if (in->spool_fd < 0)
		return cli_open_input("recover", in->path, r, &damaged);
	int fd = dup(in->spool_fd);
	if (fd < 0 || lseek(fd, 0, SEEK_SET) < 0) {
		cli_err("recover", "(stdin): %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return KCAP_EXIT_ERROR;
	}
	return cli_open_input_fd("recover", fd, "(stdin)", r, &damaged);
}

/* stdin into an unlinked temporary file: recover reads its input twice. */
static int spool_stdin(int *out)
{
	const char *tmp = getenv("TMPDIR");
	char path[4096];
	snprintf(path, sizeof path, "%s/kcap-recover.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	int fd = mkstemp(path);
	if (fd < 0) {
		cli_err("recover", "%s: %s", path, strerror(errno));
		return KCAP_EXIT_ERROR;
	}
	unlink(path);
	char buf[1 << 16];
	ssize_t k;
	while ((k = read(STDIN_FILENO, buf, sizeof buf)) != 0) {
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0 || write(fd, buf, (size_t)k) != k) {
			cli_err("recover", "(stdin): spooling to %s failed: %s", path, strerror(errno));
			close(fd);
			return KCAP_EXIT_ERROR;
		}
	}
	*out = fd;
	return KCAP_EXIT_OK;
}

/* recovered_damage: one "OFFSET+BYTES: N events lost (what)" per region. */
static char *damage_text(const kcap_verify_report *rep)
{
	kcap_buf b = {0};
	char line[512];
	if (!rep->nregions)
		kcap_buf_append(&b, "none", 4);
	for (size_t i = 0; i < rep->nregions; i++) {
		const kcap_verify_region *g = &rep->regions[i];
		char lost[48];
		if (g->events_lost >= 0)
			snprintf(lost, sizeof lost, "%lld events lost", (long long)g->events_lost);
		else
			snprintf(lost, sizeof lost, "events lost not known");
		snprintf(line, sizeof line, "%soffset %lld+%llu: %s (%s)", i ? "; " : "", (long long)g->offset,
			 (unsigned long long)g->bytes, lost, g->what);
		kcap_buf_append(&b, line, strlen(line));
	}
	kcap_buf_append(&b, "", 1);
	return b.data;
}

/* The loss counters of the damage, on origin 0 (which needs no metadata: a
 * capture whose metadata block was lost still says it was recovered):
 * "recovered-damage" holds the events read (seen), and one
 * counter per region, "recovered-damage@OFFSET+BYTES", the events it held
 * (0 when not known: its name then says so). */
static int damage_stats(kcap_writer *w, const kcap_verify_report *rep)
{
	kcap_stat st = {.origin = 0, .cpu = UINT32_MAX, .source = "recovered-damage", .seen = rep->events, .lost = 0};
	if (kcap_writer_set_stat(w, &st))
		return KCAP_EXIT_ERROR;
	for (size_t i = 0; i < rep->nregions && i < 1000; i++) {
		const kcap_verify_region *g = &rep->regions[i];
		char src[96];
		snprintf(src, sizeof src, "recovered-damage@%lld+%llu%s", (long long)g->offset,
			 (unsigned long long)g->bytes, g->events_lost < 0 ? " (loss not known)" : "");
		kcap_stat rs = {.origin = 0, .cpu = UINT32_MAX, .source = src, .seen = 0,
				.lost = g->events_lost > 0 ? (uint64_t)g->events_lost : 0};
		if (kcap_writer_set_stat(w, &rs))
			return KCAP_EXIT_ERROR;
	}
	return 0;
}

/* The second pass: IN into the sink, blocks copied, cut blocks as events. */
static int copy_all(sink *s, kcap_reader *r)
{
	int n, rc = 0;
	const void *blk;
	size_t len;
	const kcap_block_summary *sum;
	while (!rc && (n = kcap_reader_next_raw_block(r, &blk, &len, &sum)) > 0) {
		if (n != KCAP_RAW_EVENTS) {
			rc = sink_raw_block(s, r, blk, len, sum);
			continue;
		}
		const kcap_event *ev;
		while (!rc && kcap_reader_block_events_left(r) && (n = kcap_reader_next(r, &ev)) > 0) {
			int unv = kcap_reader_event_unverified(r);
			if (sink_writer(s) && kcap_writer_set_unverified(sink_writer(s), unv))
				rc = KCAP_EXIT_ERROR;
			if (!rc)
				rc = sink_event(s, r, ev);
		}
		if (n < 0)
			break;
		if (!rc && sink_writer(s) && kcap_writer_set_unverified(sink_writer(s), 0))
			rc = KCAP_EXIT_ERROR;
	}
	if (n < 0 && !rc)
		rc = cli_read_failed("recover", r, n);
	return rc;
}

static int same_file(const char *a, const char *b)
{
	struct stat x, y;
	return a && b && stat(a, &x) == 0 && stat(b, &y) == 0 && x.st_dev == y.st_dev && x.st_ino == y.st_ino;
}

int cmd_recover(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"output", required_argument, 0, 'o'}, {"ignore-crc", no_argument, 0, 'I'},
		{"help", no_argument, 0, 'h'}, {0, 0, 0, 0},
	};
	rec_input in = {.spool_fd = -1};
	const char *out = NULL;
	int c;
	cli_getopt_start();
	while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		if (c == 'h')
			return cli_help("recover", recover_help);
		if (c == 'o')
			out = optarg;
		else if (c == 'I')
			in.ignore_crc = 1;
		else
			return cli_bad_option("recover", argv, longopts, "o:h");
	}
	if (argc - optind != 1 || !out) {
		cli_err("recover", "expected one input and -o OUT; see 'kcap recover --help'");
		return KCAP_EXIT_USAGE;
	}
	in.path = strcmp(argv[optind], "-") ? argv[optind] : NULL;
	if (!strcmp(out, "-") || same_file(in.path, out)) {
		cli_err("recover", "%s: the output must be a file other than the input (recover never writes in place)",
			out);
		return KCAP_EXIT_USAGE;
	}
	if (!in.path) {
		if (isatty(STDIN_FILENO)) {
			cli_err("recover", "stdin is a terminal; see 'kcap recover --help'");
			return KCAP_EXIT_USAGE;
		}
		int src = spool_stdin(&in.spool_fd);
		if (src)
			return src;
	}
	const char *name = in.path ? in.path : "(stdin)";
	kcap_reader *r = NULL;
	kcap_verify_report rep = {0};
	char *damage = NULL;
	sink *s = NULL;
	int rc = open_in(&in, &r);
	if (rc) {
		rc = rc == KCAP_EXIT_USAGE ? rc : KCAP_EXIT_ERROR; /* nothing could be read */
		goto cleanup;
	}
	kcap_reader_set_ignore_crc(r, in.ignore_crc);
	int n = kcap_verify(r, NULL, &rep);
	cli_close_input(r);
	r = NULL;
	if (n < 0 && n != KCAP_E_VERSION) {
		cli_err("recover", "%s: %s", name, kcap_strerror(n));
		rc = KCAP_EXIT_ERROR;
		goto cleanup;
	}
	if (!rep.events && rep.nregions && !rep.blocks) {
		cli_err("recover", "%s: nothing could be read: no intact block", name);
		rc = KCAP_EXIT_ERROR;
		goto cleanup;
	}
	for (size_t i = 0; i < rep.nregions; i++) {
		char where[1024];
		snprintf(where, sizeof where, "%s: offset %lld: %s", name, (long long)rep.regions[i].offset,
			 rep.regions[i].what);
		cli_err("recover", "%s", where);
	}
	damage = damage_text(&rep);
	char at[KCAP_TIME_TEXT_MAX], lost[32], unv[32];
	kcap_format_time(at, cli_now_ns(CLOCK_REALTIME));
	snprintf(lost, sizeof lost, "%llu", (unsigned long long)rep.events_lost);
	snprintf(unv, sizeof unv, "%llu", (unsigned long long)rep.unverified_events);
	const char *extra[] = {"recovered_from", name, "recovered_at", at, "recovered_by", "kcap recover " KCAP_VERSION_STRING,
			       "recovered_damage", damage ? damage : "?", "recovered_events_lost", lost,
			       rep.unverified_events ? "recovered_unverified_events" : NULL, unv, NULL};
	sink_opts so = {.mode = OUT_KCAP, .path = out, .meta_extra = extra};
	if ((rc = sink_open(&s, "recover", &so)))
		goto cleanup;
	if ((rc = open_in(&in, &r))) {
		rc = KCAP_EXIT_ERROR;
		goto cleanup;
	}
	kcap_reader_set_ignore_crc(r, in.ignore_crc);
	kcap_reader_set_damage_cb(r, NULL, NULL); /* said by the first pass */
	rc = copy_all(s, r);
	sink_input_done(s, r);
	if (!rc && sink_writer(s))
		rc = damage_stats(sink_writer(s), &rep);
	if (!rc && (rep.nregions || n < 0))
		rc = KCAP_EXIT_DAMAGED;
cleanup:
	cli_close_input(r);
	if (s)
		rc = sink_close(s, rc);
	free(damage);
	kcap_verify_report_free(&rep);
	if (in.spool_fd >= 0)
		close(in.spool_fd);
	return rc;
}
