/* kcap filter: select events by an expression of the filter language
 * (docs/FILTER.md), skipping blocks whose index summary rules out a match. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <kcap/filter.h>
#include "sink.h"

static const char filter_help[] =
	"usage: kcap filter [OPTIONS] EXPR [FILE...]\n"
	"\n"
	"Writes the events of the captures (or stdin) that match EXPR, e.g.\n"
	"  kcap filter 'pid = 42' host.kcap\n"
	"  kcap filter 'comm = bash and ret < 0' host.kcap --json\n"
	"  kcap filter 'dip in (10.0.0.0/8, ::1) and proc.exe glob \"/tmp/*\"' host.kcap\n"
	"  kcap filter 'ts >= 2026-11-21T10:00:00Z and ts < +1h' host.kcap --count\n"
	"The language (fields, operators, literals) is described in docs/FILTER.md.\n"
	"Blocks whose index summary shows they cannot match (pid, type or time not\n"
	"present) are skipped without being decompressed; a block whose records lack\n"
	"a string EXPR needs (comm = curl, path startswith /etc/) is skipped before\n"
	"its events are decoded. With --count, a block\n"
	"whose summary (format 1.4 counts) settles how many of its events match\n"
	"(type, category, ts, seq and pid ranges, and/or/not of them) is counted\n"
	"from it and not read; the others are read.\n"
	"\n"
	"Options:\n"
	"  -c, --count         print only the number of matching events\n"
	"  -v, --invert        keep the events that do not match\n"
	"      --no-skip       read and test every block (no index skipping)\n"
	"      --stats         print blocks read/skipped and events read/matched to stderr\n"
	SINK_HELP_OUTPUT SINK_HELP_ROWS
	"      --fields LIST   with --csv: the columns, comma-separated, any filter\n"
	"                      field name (as convert --fields)\n"
CLI_JOBS_HELP
	"  -h, --help          show this help\n"
	"\n"
	"Exit: 0 ok (also when nothing matched), 1 error, 2 usage or bad expression,\n"
	"3 an input was damaged (every intact event was still filtered).\n";

typedef struct fctx {
	kcap_filter *f;
	kcap_reader *r;
	kcap_procstate *ps;
	int tracking;       /* the tracker must see every lifecycle event */
	int checked;        /* field names checked against this input's schema */
	int check_failed;
	int strict;         /* an unknown field is an error (single input) */
	int invert;
	int first;          /* no event of this input seen yet */
	uint32_t section;   /* section of the last event seen */
	const char *expr;
	const char *file;
	/* the run */
	int count_only;
	int no_skip;
	const sink_opts *so;
	sink *out;          /* opened at the first match, or at the end */
	int count_index;    /* --count: blocks whose summary settles the count are not read */
	uint64_t matched, nread, blocks, decoded, skipped, counted, by_body;
} fctx;

/* Checks the field names once per input, as soon as its schema is known. */
static void check_fields(fctx *c)
{
	const kcap_schema *s = kcap_reader_schema(c->r);
	if (c->checked || !s || !kcap_schema_type_at(s, 0))
		return;
	kcap_error e = {0};
	c->checked = 1;
	int rc = kcap_filter_check_schema(c->f, s, &e);
	/* a bad literal is bad whatever the other inputs hold */
	if (rc == KCAP_E_INVAL || (rc && c->strict)) {
		cli_expr_error("filter", c->expr, &e);
		c->check_failed = 1;
		return;
	}
	if (rc)
		cli_err("filter", "%s: warning: %s", c->file, e.msg);
}

/* The notes on names of the standard taxonomy that this input lacks (a type
 * that does not occur, a param no type has), once the input is read: its
 * schema grows as types appear (an import writes a schema block per new
 * type), so a note made at the first block would be premature. A
 * concatenated input's earlier sections are no longer known here: the note
 * is given for a single-section input only (docs/CLI.md). */
static void input_notes(fctx *c)
{
	kcap_error e = {0};
	if (c->check_failed || kcap_reader_section(c->r) != 0)
		return;
	kcap_reader_load_index(c->r); /* which types the input holds, when it is indexed */
	if (kcap_filter_input_notes(c->f, c->r, &e) > 0)
		cli_err("filter", "%s: warning: %s", c->file, e.msg);
}

static int block_cb(void *ud, const kcap_block_summary *sum)
{
	fctx *c = ud;
	check_fields(c);
	if (c->check_failed)
		return 0;
	uint64_t n;
	if (c->count_index && kcap_filter_block_count(c->f, sum, kcap_reader_schema(c->r), &n) == 1) {
		c->matched += c->invert ? sum->count - n : n;
		c->counted++;
		return 0;
	}
	if (c->invert) /* a block without a match is all kept */
		return 1;
	return cli_block_wanted(c->f, sum, c->r, c->tracking);
}

static int body_cb(void *ud, const kcap_block_summary *sum, const uint8_t *records, size_t len)
{
	fctx *c = ud;
	return c->invert || cli_body_wanted(c->f, sum, records, len, c->r, c->tracking);
}

/* Drops, before their params are decoded, the events whose canonical fields
 * settle the verdict against them. The first event of each input and
 * section goes through, so that the loop sets up the section. */
static int event_cb(void *ud, const kcap_event *head)
{
	fctx *c = ud;
	if (c->first || kcap_reader_section(c->r) != c->section)
		return 1;
	int h = kcap_filter_match_head(c->f, head, kcap_reader_schema(c->r));
	return h < 0 || h != c->invert;
}

static void json_proc(void *ud, kcap_buf *b, const kcap_event *ev)
{
	fctx *c = ud;
	if (c->ps && kcap_buf_append(b, ",", 1) == 0)
		kcap_procstate_append_json(b, c->ps, ev);
}

/* One input through the filter. */
static int filter_input(void *ud, int i, kcap_reader *r, int *damaged)
{
	fctx *c = ud;
	kcap_filter *f = c->f;
	kcap_procstate *ps = c->ps;
	int rc = 0;
	(void)i;
	(void)damaged;
	c->r = r;
	c->file = kcap_reader_name(r);
	c->checked = 0;
	if (!c->no_skip && (!c->invert || c->count_index)) {
		kcap_reader_set_block_filter(r, block_cb, c);
		kcap_reader_set_body_filter(r, body_cb, c);
		/* with an index, ruled-out blocks are not even read */
		kcap_reader_load_index(r);
	}
	/* the tracker must see every event, so nothing is dropped early */
	if (!c->tracking)
		kcap_reader_set_event_filter(r, event_cb, c);
	int anchors = kcap_filter_time_anchors(f), n;
	c->first = 1;
	c->section = 0;
	const kcap_event *ev;
	while ((n = kcap_reader_next(r, &ev)) > 0) {
		const kcap_schema *s = kcap_reader_schema(r);
		if (c->first || kcap_reader_section(r) != c->section) {
			check_fields(c);
			if (c->check_failed)
				break;
			if (c->first && anchors && (rc = cli_filter_span("filter", f, r, anchors, ev->ts)))
				break;
			kcap_filter_reset_schema(f);
			if (ps && c->first)
				kcap_procstate_clear(ps); /* another input, perhaps at the same address */
			c->section = kcap_reader_section(r);
			c->first = 0;
		}
		c->nread++;
		if (ps) {
			kcap_procstate_follow(ps, r); /* sections and snapshot updates */
			kcap_procstate_update(ps, ev, s);
		}
		if (kcap_filter_match(f, ev, s, ps) == c->invert)
			continue;
		c->matched++;
		if (c->count_only)
			continue;
		if (!c->out && (rc = sink_open(&c->out, "filter", c->so)))
			break;
		if ((rc = sink_event(c->out, r, ev)))
			break;
	}
	if (c->check_failed && !rc)
		rc = KCAP_EXIT_USAGE;
	if (!rc && n == 0)
		input_notes(c);
	if (n < 0) {
		int frc = cli_read_failed("filter", r, n);
		if (!rc)
			rc = frc;
	}
	const kcap_reader_stats *st = kcap_reader_get_stats(r);
	c->nread += st->events_dropped;
	c->blocks += st->blocks;
	c->decoded += st->blocks_decoded;
	c->skipped += st->blocks_skipped;
	c->by_body += st->blocks_by_body;
	/* an input with no match still leaves its metadata and schema */
	if (!c->out && !c->count_only && !rc)
		rc = sink_open(&c->out, "filter", c->so);
	if (c->out)
		sink_input_done(c->out, r);
	return rc;
}

int cmd_filter(int argc, char **argv)
{
	enum { O_NOSKIP = 1000, O_STATS };
	static const struct option longopts[] = {
		{"count", no_argument, 0, 'c'},      {"invert", no_argument, 0, 'v'},
		{"no-skip", no_argument, 0, O_NOSKIP}, {"stats", no_argument, 0, O_STATS},
		SINK_LONGOPTS, SINK_LONGOPTS_ROWS,
		{"fields", required_argument, 0, 'f'}, CLI_JOBS_LONGOPT, {"help", no_argument, 0, 'h'},
		{0, 0, 0, 0},
	};
	sink_opts so = {0};
	int c, count_only = 0, invert = 0, no_skip = 0, no_proc = 0, stats = 0;
	char **fields = NULL;
	sink *out = NULL;
	kcap_filter *f = NULL;
	kcap_procstate *ps = NULL;
	int rc = KCAP_EXIT_OK, damaged = 0;
	uint64_t matched = 0, nread = 0, blocks = 0, decoded = 0, skipped = 0;
	cli_jobs_default();
	cli_getopt_start();
	while ((c = getopt_long(argc, argv, "cvo:t:j:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			free(fields);
			return cli_help("filter", filter_help);
		case 'c': count_only = 1; break;
		case 'v': invert = 1; break;
		case O_NOSKIP: no_skip = 1; break;
		case 'P': no_proc = 1; break; /* JSON's "proc" object is filter's own (json_proc) */
		case O_STATS: stats = 1; break;
		case 'j':
			if (cli_jobs_opt("filter", optarg)) {
				free(fields);
				return KCAP_EXIT_USAGE;
			}
			break;
		case 'f':
			free(fields);
			fields = cli_split_fields(optarg);
			if (!fields) {
				cli_err("filter", "out of memory");
				return KCAP_EXIT_ERROR;
			}
			so.fields = (const char *const *)fields;
			if (sink_check_fields("filter", so.fields)) {
				free(fields);
				return KCAP_EXIT_USAGE;
			}
			break;
		default:
			if ((rc = cli_output_opt_last("filter", c, optarg, &so, argv, longopts, "cvo:t:j:h"))) {
				free(fields);
				return rc;
			}
		}
	}
	if (optind >= argc) {
		cli_err("filter", "missing EXPR; see 'kcap filter --help'");
		free(fields);
		return KCAP_EXIT_USAGE;
	}
	const char *expr = argv[optind++];
	if ((rc = cli_filter_compile("filter", &f, expr)) != 0)
		goto cleanup;
	if (cli_filter_now("filter", f)) {
		rc = KCAP_EXIT_USAGE;
		goto cleanup;
	}
	fctx fc = {.f = f, .expr = expr};
	so.no_proc = 1; /* the sink's own tracker is not used: json_proc below shares ours */
	if (!no_proc) {
		so.json_extra = json_proc;
		so.json_extra_ud = &fc;
	}
	/* The sink opens at the first match (or at the end), so that a bad field
	 * name, found once the schema is read, leaves no partial output. Its mode
	 * resolves as sink_open() does. */
	int to_stdout = !so.path || !strcmp(so.path, "-");
	out_mode mode = so.mode != OUT_AUTO ? so.mode : to_stdout ? cli_resolve_out(OUT_AUTO) : OUT_KCAP;
	if (fields && (count_only || mode != OUT_CSV)) { /* as sink_open() says it, before any input is read */
		cli_err("filter", "--fields picks CSV columns; it does not apply to %s",
			count_only ? "--count" : "this output (add --csv)");
		rc = KCAP_EXIT_USAGE;
		goto cleanup;
	}
	int want_json_proc = !count_only && mode == OUT_JSON && !no_proc;
	int want_csv_proc = 0; /* proc.* / parent.* columns: from our tracker, which sees every event */
	for (size_t i = 0; !count_only && mode == OUT_CSV && fields && fields[i]; i++)
		want_csv_proc |= !strncmp(fields[i], "proc.", 5) || !strncmp(fields[i], "parent.", 7);
	want_csv_proc |= !count_only && !no_proc && (mode == OUT_TSV || mode == OUT_ROWBINARY); /* the proc column */
	fc.tracking = kcap_filter_uses_proc(f) || want_json_proc || want_csv_proc;
	if (fc.tracking && !(ps = kcap_procstate_new())) {
		cli_err("filter", "out of memory");
		rc = KCAP_EXIT_ERROR;
		goto cleanup;
	}
	fc.ps = ps;
	so.csv_proc = ps;
	int nin = argc - optind;
	fc.strict = nin <= 1;
	fc.invert = invert;
	fc.count_only = count_only;
	fc.no_skip = no_skip;
	/* the tracker must see every event; relative times are resolved at the first */
	fc.count_index = count_only && !no_skip && !fc.tracking && !kcap_filter_time_anchors(f);
	fc.so = &so;
	if (!count_only)
		sink_derived(&so, "filter", argc, argv);
	cli_inputs in = {.cmd = "filter", .n = nin, .files = argv + optind};
	rc = cli_each_input(&in, filter_input, &fc, &damaged);
	out = fc.out;
	matched = fc.matched;
	nread = fc.nread;
	blocks = fc.blocks;
	decoded = fc.decoded;
	skipped = fc.skipped;
	if (stats) {
		char why[160] = "";
		if (fc.counted || fc.by_body)
			snprintf(why, sizeof why, " (%llu of them counted from their summaries, %llu ruled out by their "
			         "decompressed bytes)", (unsigned long long)fc.counted, (unsigned long long)fc.by_body);
		fprintf(stderr, "kcap filter: blocks: %llu seen, %llu decoded, %llu skipped%s; events: %llu read, "
		                "%llu matched\n", (unsigned long long)blocks, (unsigned long long)decoded,
		        (unsigned long long)skipped, why, (unsigned long long)nread, (unsigned long long)matched);
	}
	if (!count_only && !out && rc == KCAP_EXIT_OK)
		rc = sink_open(&out, "filter", &so); /* an empty, valid output */
	if (count_only && rc == KCAP_EXIT_OK) {
		printf("%llu\n", (unsigned long long)matched);
		rc = cli_finish_stdout("filter", rc);
	}
cleanup:
	free(so.derived);
	if (out)
		rc = sink_close(out, rc);
	kcap_procstate_free(ps);
	kcap_filter_free(f);
	free(fields);
	if (rc)
		return rc;
	return damaged ? KCAP_EXIT_DAMAGED : KCAP_EXIT_OK;
}
