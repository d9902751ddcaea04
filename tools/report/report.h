/*
 * report.h - the page of kcap report and kcap inspect (docs/LOOKING.md).
 *
 * A report is gathered in one pass over the inputs (report_input, a
 * cli_each_input callback): the overview (files, hosts, sources, span,
 * counts by type, loss, verify and seal status), events per second by
 * category, the process tree (kcap/proctree.h), the default tables of
 * kcap stats (kcap/stats.h) and the first events a filter expression
 * selects. report_json writes it as one JSON object, report_html as one
 * self-contained HTML page that shows it without script and embeds the
 * object for the page's script (tools/report/page.js), which inspect's live
 * page uses to query the server (report_query: one page of events).
 *
 * Return conventions of tools/ (cli.h): report_input returns KCAP_EXIT_*
 * (printed); the others print nothing and return 0 or a KCAP_E_* code.
 */
#ifndef KCAP_TOOLS_REPORT_H
#define KCAP_TOOLS_REPORT_H

#include <kcap/kcap.h>

typedef struct report report;

typedef struct report_opts {
	const char *cmd;    /* "report" or "inspect", for error lines */
	const char *expr;   /* the events table's expression, or NULL: every event */
	uint64_t events;    /* rows of the events table (0: none) */
	uint64_t top;       /* rows of each stats table (0: all) */
	int no_verify;      /* do not run kcap_verify over each file */
	int strict;         /* one input: an unknown field is an error */
} report_opts;

/* New report; o is copied (its strings are borrowed). Returns KCAP_EXIT_*
 * (printed): KCAP_EXIT_USAGE for a bad expression. */
int report_new(report **rp, const report_opts *o);
void report_free(report *rp);
/* The cli_each_input callback: reads one input into the report. */
int report_input(void *ud, int i, kcap_reader *r, int *damaged);
/* Verifies file (a path; "-" is skipped) for the overview. KCAP_EXIT_*. */
int report_verify(report *rp, const char *file);
/* Reads and verifies the inputs (n files, 0: stdin) and links the tree:
 * KCAP_EXIT_* (printed); *damaged is set when an input was damaged
 * (tools/cmd_report.c). */
int report_gather(report *rp, int n, char **files, int *damaged);
/* Links the tree once every input is read. 0 or KCAP_E_NOMEM. */
int report_finish(report *rp);

/* The report as one JSON object (docs/LOOKING.md "The data"). */
int report_json(report *rp, kcap_buf *b, int live);
/* The page: report_json embedded, everything shown as HTML (escaped). live
 * adds the filter box and the pager of inspect. */
int report_html(report *rp, kcap_buf *b, int live);

/* One page of events for inspect's /api/events: the events of files that
 * match expr (NULL or "": all), with from <= ts < to (0: open), of pid
 * (have_pid), page number page of size per. Appends one JSON object:
 * {"rows":[[cells]...],"page":N,"more":bool,"scanned":N} or
 * {"error":{"message":"...","column":N}}; span_first/span_last anchor the
 * expression's relative times. Returns 0 or KCAP_E_NOMEM. */
typedef struct report_q {
	const char *expr;
	int64_t from, to;
	int have_pid;
	int32_t pid;
	uint64_t page, per;
} report_q;
int report_query(report *rp, int nfiles, char **files, const report_q *q, kcap_buf *b);

/* Appends s[0,n) as HTML text: & < > " ' as entities, control bytes and
 * invalid UTF-8 as \xHH (visible, never raw). 0 or KCAP_E_NOMEM. */
int report_html_escape(kcap_buf *b, const char *s, size_t n);

/* The stats tables as `kcap stats --json` writes them (tools/cmd_stats.c). */
struct kcap_stats;
int stats_render_json(kcap_buf *b, struct kcap_stats *st, uint64_t top);

#endif
