/* kcap stats: summaries of captures (tables of kcap/include/kcap/stats.h),
 * as aureport and sysdig's top chisels give them; optionally of the events
 * a filter expression selects, with the filter's block skipping. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <kcap/filter.h>
#include <kcap/stats.h>
#include "cli.h"
#include "report/report.h" /* stats_render_json, shared with kcap report */

static const char stats_help[] =
	"usage: kcap stats [OPTIONS] [FILE...]\n"
	"\n"
	"Summarizes the captures (or stdin). The default report has the tables\n"
	"  processes  events per process (pid, comm), most first\n"
	"  programs   executed programs (exe) with their count and failed execs\n"
	"  files      files opened (path) with their count and failed opens\n"
	"  errors     failed syscalls (ret < 0) by errno name\n"
	"  network    peers (direction in/out/bind, address, port) of connect,\n"
	"             accept, send*, recv* and bind\n"
	"  users      events per user (uid, name from the capture's snapshot)\n"
	"  rate       events per minute (UTC), in time order, every minute\n"
	"With --by, one table of the events grouped by the fields given (any field\n"
	"of the filter language, docs/FILTER.md), most first: the fast form of\n"
	"  kcap convert --json FILE | jq -r .comm | sort | uniq -c | sort -rn\n"
	"e.g.\n"
	"  kcap stats host.kcap\n"
	"  kcap stats --by comm,type --top 20 host.kcap\n"
	"  kcap stats -e 'ret < 0' --by proc.exe,errno host.kcap --json\n"
	"\n"
	"Options:\n"
	"  -e, --filter EXPR   count only the events that match EXPR (docs/FILTER.md);\n"
	"                      blocks whose index rules out a match are skipped\n"
	"  -b, --by LIST       group by these fields, comma-separated (at most 8)\n"
	"  -n, --top N         rows per table (default 10; 0: all). rate is never cut\n"
	"      --json          one JSON object: events, first_ts, last_ts, tables\n"
	"      --csv           CSV: with --by, the fields and count; else the columns\n"
	"                      table,count,failed,key1,key2,key3 (the table's keys)\n"
	"      --no-skip       read every block (no index skipping)\n"
CLI_JOBS_HELP
	"  -h, --help          show this help\n"
	"\n"
	"Exit: 0 ok, 1 error, 2 usage or bad expression, 3 an input was damaged\n"
	"(the summary counts every intact event).\n";

enum { FMT_TEXT, FMT_JSON, FMT_CSV };

typedef struct sctx {
	kcap_stats *st;
	kcap_filter *f;     /* NULL: every event */
	kcap_procstate *ps; /* when a field or the filter needs it */
	const char *expr;
	char **by;
	int strict, no_skip, bad;
	kcap_reader *r;
	int first, checked, nomem;
	uint32_t section;
} sctx;

static int event_cb(void *ud, const kcap_event *head)
{
	sctx *c = ud;
	if (c->first || kcap_reader_section(c->r) != c->section)
		return 1;
	return kcap_filter_match_head(c->f, head, kcap_reader_schema(c->r)) != 0;
}

/* The --by fields and the expression against the input's schema, once it
 * is known: an unknown name is an error for a single input, a warning when
 * another input may hold it; a bad literal is an error. */
static void check_schema(sctx *c)
{
	kcap_error e = {0};
	const kcap_schema *s = kcap_reader_schema(c->r);
	if (c->checked || !s || !kcap_schema_type_at(s, 0))
		return;
	c->checked = 1;
	for (size_t i = 0; c->by && c->by[i]; i++) {
		int rc = kcap_field_check(c->by[i], s, &e);
		if (rc && c->strict) {
			cli_err("stats", "--by %s: %s", c->by[i], e.msg[0] ? e.msg : kcap_strerror(rc));
			c->bad = 1;
			return;
		}
		if (rc)
			cli_err("stats", "%s: warning: --by %s: %s", kcap_reader_name(c->r), c->by[i], e.msg);
	}
	int rc = c->f ? kcap_filter_check_schema(c->f, s, &e) : 0;
	if (rc == KCAP_E_INVAL || (rc && c->strict)) {
		cli_expr_error("stats", c->expr, &e);
		c->bad = 1;
		return;
	}
	if (rc)
		cli_err("stats", "%s: warning: %s", kcap_reader_name(c->r), e.msg);
}

static int block_cb(void *ud, const kcap_block_summary *sum)
{
	sctx *c = ud;
	check_schema(c);
	return !c->bad && cli_block_wanted(c->f, sum, c->r, c->ps != NULL);
}

static int body_cb(void *ud, const kcap_block_summary *sum, const uint8_t *records, size_t len)
{
	sctx *c = ud;
	return cli_body_wanted(c->f, sum, records, len, c->r, c->ps != NULL);
}

/* Counts an event from its head (kcap_stats_head_only), its params never decoded. */
static int head_cb(void *ud, const kcap_event *head)
{
	sctx *c = ud;
	if (!c->checked)
		check_schema(c);
	if (!c->bad && !c->nomem && kcap_stats_add(c->st, head, kcap_reader_schema(c->r), NULL))
		c->nomem = 1;
	return 0;
}

static int stats_input(void *ud, int i, kcap_reader *r, int *damaged)
{
	sctx *c = ud;
	int rc = 0, n;
	(void)i;
	(void)damaged;
	c->r = r;
	c->first = 1;
	c->section = 0;
	c->checked = 0;
	if (c->f && !c->no_skip) {
		kcap_reader_set_block_filter(r, block_cb, c);
		kcap_reader_set_body_filter(r, body_cb, c);
		kcap_reader_load_index(r);
	}
	if (c->f && !c->ps)
		kcap_reader_set_event_filter(r, event_cb, c);
	else if (!c->f && !c->ps && kcap_stats_head_only(c->st))
		kcap_reader_set_event_filter(r, head_cb, c);
	int anchors = c->f ? kcap_filter_time_anchors(c->f) : 0;
	const kcap_event *ev;
	while ((n = kcap_reader_next(r, &ev)) > 0) {
		const kcap_schema *s = kcap_reader_schema(r);
		if (c->first || kcap_reader_section(r) != c->section) {
			check_schema(c);
			if (c->bad)
				break;
			if (c->f && c->first && anchors && (rc = cli_filter_span("stats", c->f, r, anchors, ev->ts)))
				break;
			if (c->f)
				kcap_filter_reset_schema(c->f);
			if (c->ps && c->first)
				kcap_procstate_clear(c->ps);
			c->section = kcap_reader_section(r);
			c->first = 0;
		}
		if (c->ps) {
			kcap_procstate_follow(c->ps, r);
			kcap_procstate_update(c->ps, ev, s);
		}
		if (c->f && !kcap_filter_match(c->f, ev, s, c->ps))
			continue;
		if (kcap_stats_add(c->st, ev, s, c->ps)) {
			cli_err("stats", "out of memory");
			rc = KCAP_EXIT_ERROR;
			break;
		}
	}
	if (c->bad && !rc)
		rc = KCAP_EXIT_USAGE;
	if (c->nomem && !rc) {
		cli_err("stats", "out of memory");
		rc = KCAP_EXIT_ERROR;
	}
	if (n < 0) {
		int frc = cli_read_failed("stats", r, n);
		if (!rc)
			rc = frc;
	}
	return rc;
}

/* ---- output ---- */

/* Table i's rows, *n of them (SIZE_MAX: out of memory), *m shown under --top. */
static const kcap_stats_row *table_rows(kcap_stats *st, size_t i, uint64_t top, size_t *n, size_t *m)
{
	const kcap_stats_row *rows = kcap_stats_rows(st, i, n);
	*m = strcmp(kcap_stats_table_at(st, i)->name, "rate") && top && *n > top ? (size_t)top : *n;
	return rows;
}

/* One cell as text: escaped, "-" when absent. */
static int text_cell(kcap_buf *b, const char *s)
{
	return s ? kcap_text_escape(b, s, strlen(s)) : kcap_buf_append(b, "-", 1);
}

static int put(kcap_buf *b, const char *s)
{
	return kcap_buf_append(b, s, strlen(s));
}

static int render_text(kcap_buf *b, kcap_stats *st, uint64_t top)
{
	int64_t first, last;
	uint64_t events = kcap_stats_events(st, &first, &last);
	char t[64], t2[64];
	int rc = 0;
	snprintf(t, sizeof(t), "%llu", (unsigned long long)events);
	rc |= put(b, "events: ") | put(b, t);
	if (events) {
		kcap_format_time(t, first);
		kcap_format_time(t2, last);
		rc |= put(b, " from ") | put(b, t) | put(b, " to ") | put(b, t2);
	}
	rc |= put(b, "\n");
	kcap_buf cell = {0};
	for (size_t i = 0; !rc && i < kcap_stats_tables(st); i++) {
		const kcap_stats_table *tb = kcap_stats_table_at(st, i);
		size_t n, m;
		const kcap_stats_row *rows = table_rows(st, i, top, &n, &m);
		if (n == SIZE_MAX)
			return KCAP_E_NOMEM;
		snprintf(t, sizeof(t), "%zu", n);
		rc |= put(b, "\n") | put(b, tb->name) | put(b, " (") | put(b, t) | put(b, n == 1 ? " group" : " groups");
		if (m < n) {
			snprintf(t, sizeof(t), ", top %zu", m);
			rc |= put(b, t);
		}
		rc |= put(b, ")\n");
		/* widths: count, failed, each key column but the last */
		size_t w[10] = {5, 6};
		for (size_t r = 0; r < m; r++) {
			size_t l = (size_t)snprintf(t, sizeof(t), "%llu", (unsigned long long)rows[r].count);
			w[0] = l > w[0] ? l : w[0];
			l = (size_t)snprintf(t, sizeof(t), "%llu", (unsigned long long)rows[r].failed);
			w[1] = l > w[1] ? l : w[1];
			for (size_t k = 0; k + 1 < tb->ncols; k++) {
				cell.len = 0;
				rc |= text_cell(&cell, rows[r].keys[k]);
				w[2 + k] = cell.len > w[2 + k] ? cell.len : w[2 + k];
			}
		}
		for (size_t k = 0; k + 1 < tb->ncols; k++)
			w[2 + k] = strlen(tb->cols[k]) > w[2 + k] ? strlen(tb->cols[k]) : w[2 + k];
		snprintf(t, sizeof(t), "  %*s", (int)w[0], "count");
		rc |= put(b, t);
		if (tb->has_failed) {
			snprintf(t, sizeof(t), "  %*s", (int)w[1], "failed");
			rc |= put(b, t);
		}
		for (size_t k = 0; k < tb->ncols; k++) {
			rc |= put(b, "  ") | put(b, tb->cols[k]);
			for (size_t p = strlen(tb->cols[k]); k + 1 < tb->ncols && p < w[2 + k]; p++)
				rc |= put(b, " ");
		}
		rc |= put(b, "\n");
		for (size_t r = 0; r < m; r++) {
			snprintf(t, sizeof(t), "  %*llu", (int)w[0], (unsigned long long)rows[r].count);
			rc |= put(b, t);
			if (tb->has_failed) {
				snprintf(t, sizeof(t), "  %*llu", (int)w[1], (unsigned long long)rows[r].failed);
				rc |= put(b, t);
			}
			for (size_t k = 0; k < tb->ncols; k++) {
				cell.len = 0;
				rc |= text_cell(&cell, rows[r].keys[k]);
				rc |= put(b, "  ") | kcap_buf_append(b, cell.data, cell.len);
				for (size_t p = cell.len; k + 1 < tb->ncols && p < w[2 + k]; p++)
					rc |= put(b, " ");
			}
			rc |= put(b, "\n");
		}
	}
	kcap_buf_free(&cell);
	return rc ? KCAP_E_NOMEM : 0;
}

static int json_cell(kcap_buf *b, const char *s)
{
	return s ? kcap_json_escape(b, s, strlen(s)) : put(b, "null");
}

int stats_render_json(kcap_buf *b, kcap_stats *st, uint64_t top)
{
	int64_t first, last;
	uint64_t events = kcap_stats_events(st, &first, &last);
	char t[96];
	int rc = 0;
	snprintf(t, sizeof(t), "{\"events\":%llu,", (unsigned long long)events);
	rc |= put(b, t);
	if (events)
		snprintf(t, sizeof(t), "\"first_ts\":%lld,\"last_ts\":%lld,", (long long)first, (long long)last);
	else
		snprintf(t, sizeof(t), "\"first_ts\":null,\"last_ts\":null,");
	rc |= put(b, t) | put(b, "\"tables\":[");
	for (size_t i = 0; !rc && i < kcap_stats_tables(st); i++) {
		const kcap_stats_table *tb = kcap_stats_table_at(st, i);
		size_t n, m;
		const kcap_stats_row *rows = table_rows(st, i, top, &n, &m);
		if (n == SIZE_MAX)
			return KCAP_E_NOMEM;
		rc |= put(b, i ? ",{\"name\":" : "{\"name\":") | json_cell(b, tb->name);
		snprintf(t, sizeof(t), ",\"groups\":%zu,\"columns\":[", n);
		rc |= put(b, t);
		for (size_t k = 0; k < tb->ncols; k++)
			rc |= put(b, k ? "," : "") | json_cell(b, tb->cols[k]);
		rc |= put(b, "],\"rows\":[");
		for (size_t r = 0; r < m; r++) {
			rc |= put(b, r ? ",{" : "{");
			for (size_t k = 0; k < tb->ncols; k++)
				rc |= json_cell(b, tb->cols[k]) | put(b, ":") | json_cell(b, rows[r].keys[k]) | put(b, ",");
			snprintf(t, sizeof(t), "\"count\":%llu", (unsigned long long)rows[r].count);
			rc |= put(b, t);
			if (tb->has_failed) {
				snprintf(t, sizeof(t), ",\"failed\":%llu", (unsigned long long)rows[r].failed);
				rc |= put(b, t);
			}
			rc |= put(b, "}");
		}
		rc |= put(b, "]}");
	}
	rc |= put(b, "]}\n");
	return rc ? KCAP_E_NOMEM : 0;
}

static int csv_cell(kcap_buf *b, const char *s)
{
	return s ? kcap_csv_escape(b, s, strlen(s)) : 0;
}

static int render_csv(kcap_buf *b, kcap_stats *st, uint64_t top, int by)
{
	int rc = 0;
	char t[64];
	const kcap_stats_table *t0 = kcap_stats_table_at(st, 0);
	if (by) {
		for (size_t k = 0; k < t0->ncols; k++)
			rc |= csv_cell(b, t0->cols[k]) | put(b, ",");
		rc |= put(b, "count\r\n");
	} else {
		rc |= put(b, "table,count,failed,key1,key2,key3\r\n");
	}
	for (size_t i = 0; !rc && i < kcap_stats_tables(st); i++) {
		const kcap_stats_table *tb = kcap_stats_table_at(st, i);
		size_t n, m;
		const kcap_stats_row *rows = table_rows(st, i, top, &n, &m);
		if (n == SIZE_MAX)
			return KCAP_E_NOMEM;
		for (size_t r = 0; r < m; r++) {
			if (by) {
				for (size_t k = 0; k < tb->ncols; k++)
					rc |= csv_cell(b, rows[r].keys[k]) | put(b, ",");
				snprintf(t, sizeof(t), "%llu\r\n", (unsigned long long)rows[r].count);
				rc |= put(b, t);
				continue;
			}
			snprintf(t, sizeof(t), ",%llu,", (unsigned long long)rows[r].count);
			rc |= put(b, tb->name) | put(b, t);
			if (tb->has_failed) {
				snprintf(t, sizeof(t), "%llu", (unsigned long long)rows[r].failed);
				rc |= put(b, t);
			}
			for (size_t k = 0; k < 3; k++)
				rc |= put(b, ",") | (k < tb->ncols ? csv_cell(b, rows[r].keys[k]) : 0);
			rc |= put(b, "\r\n");
		}
	}
	return rc ? KCAP_E_NOMEM : 0;
}

int cmd_stats(int argc, char **argv)
{
	enum { O_JSON = 1000, O_CSV, O_NOSKIP };
	static const struct option longopts[] = {
		{"filter", required_argument, 0, 'e'}, {"by", required_argument, 0, 'b'},
		{"top", required_argument, 0, 'n'},    {"json", no_argument, 0, O_JSON},
		{"csv", no_argument, 0, O_CSV},        {"no-skip", no_argument, 0, O_NOSKIP},
		CLI_JOBS_LONGOPT, {"help", no_argument, 0, 'h'},         {0, 0, 0, 0},
	};
	int c, fmt = FMT_TEXT, rc = KCAP_EXIT_OK, damaged = 0;
	uint64_t top = 10;
	const char *expr = NULL;
	char *bylist = NULL;
	char **by = NULL;
	sctx sc = {0};
	kcap_buf out = {0};
	kcap_error e = {0};
	cli_jobs_default();
	cli_getopt_start();
	while ((c = getopt_long(argc, argv, "e:b:n:j:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'h': return cli_help("stats", stats_help);
		case 'j':
			if (cli_jobs_opt("stats", optarg))
				return KCAP_EXIT_USAGE;
			break;
		case 'e': expr = optarg; break;
		case 'b': bylist = optarg; break;
		case 'n':
			if (cli_opt_count("stats", "--top", optarg, 0, UINT32_MAX, &top))
				return KCAP_EXIT_USAGE;
			break;
		case O_JSON: fmt = FMT_JSON; break;
		case O_CSV: fmt = FMT_CSV; break;
		case O_NOSKIP: sc.no_skip = 1; break;
		default: return cli_bad_option("stats", argv, longopts, "e:b:n:j:h");
		}
	}
	if (bylist && !(by = cli_split_fields(bylist))) {
		cli_err("stats", "out of memory");
		return KCAP_EXIT_ERROR;
	}
	int src = kcap_stats_new(&sc.st, (const char *const *)by, &e);
	if (src) {
		if (src == KCAP_E_NOMEM) {
			cli_err("stats", "out of memory");
			rc = KCAP_EXIT_ERROR;
		} else {
			cli_err("stats", "--by: %s", e.msg[0] ? e.msg : kcap_strerror(src));
			rc = KCAP_EXIT_USAGE;
		}
		goto cleanup;
	}
	if (expr) {
		if ((rc = cli_filter_compile("stats", &sc.f, expr)) != 0)
			goto cleanup;
		if (cli_filter_now("stats", sc.f)) {
			rc = KCAP_EXIT_USAGE;
			goto cleanup;
		}
	}
	if ((kcap_stats_uses_proc(sc.st) || (sc.f && kcap_filter_uses_proc(sc.f))) &&
	    !(sc.ps = kcap_procstate_new())) {
		cli_err("stats", "out of memory");
		rc = KCAP_EXIT_ERROR;
		goto cleanup;
	}
	sc.expr = expr;
	sc.by = by;
	sc.strict = argc - optind <= 1;
	cli_inputs in = {.cmd = "stats", .n = argc - optind, .files = argv + optind};
	rc = cli_each_input(&in, stats_input, &sc, &damaged);
	if (rc)
		goto cleanup; /* no summary that looks complete */
	int r2 = fmt == FMT_JSON ? stats_render_json(&out, sc.st, top)
	       : fmt == FMT_CSV ? render_csv(&out, sc.st, top, by != NULL) : render_text(&out, sc.st, top);
	if (r2) {
		cli_err("stats", "out of memory");
		rc = KCAP_EXIT_ERROR;
		goto cleanup;
	}
	fwrite(out.data, 1, out.len, stdout);
	rc = cli_finish_stdout("stats", rc);
cleanup:
	kcap_buf_free(&out);
	kcap_procstate_free(sc.ps);
	kcap_filter_free(sc.f);
	kcap_stats_free(sc.st);
	free(by);
	if (rc)
		return rc;
	return damaged ? KCAP_EXIT_DAMAGED : KCAP_EXIT_OK;
}
