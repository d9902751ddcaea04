/*
 * sink.h - where a subcommand's events go: a kcap stream (mirroring each
 * input's metadata, schema, snapshot and stats) or rendered text, JSON lines
 * or CSV, to stdout or a file.
 */
#ifndef KCAP_TOOLS_SINK_H
#define KCAP_TOOLS_SINK_H

#include <kcap/kcap.h>
#include "cli.h"

typedef struct sink sink;

typedef struct sink_opts {
	out_mode mode;               /* OUT_AUTO resolves by whether stdout is a terminal */
	const char *path;            /* NULL or "-" = stdout */
	const char *const *fields;   /* CSV columns; NULL = default */
	kcap_writer_opts wopts;      /* kcap output */
	/* Optional extra JSON: called after an event is rendered, before its
	 * closing brace; appends ",\"key\":value" pairs (e.g. the proc object). */
	void (*json_extra)(void *ud, kcap_buf *b, const kcap_event *ev);
	void *json_extra_ud;
	/* JSON output without json_extra: 0 adds the "proc" object (process
	 * context from the input's snapshot and the events seen so far), 1
	 * leaves it out (--no-proc). */
	int no_proc;
	/* CSV proc.* and parent.* columns: a tracker the caller feeds with every
	 * event it reads (filter, which passes only matches); NULL: the sink
	 * tracks the events it is given. */
	const struct kcap_procstate *csv_proc;
	/* An output the caller opened (replay --to, or stdout written with
	 * write(2)): when fd_name is set, the sink writes to fd (and does not
	 * close it) instead of path, names it fd_name in messages, and reports
	 * a reader that went away (EPIPE) as such, on stdout not at all (as if
	 * killed by SIGPIPE). */
	int fd;
	const char *fd_name;
	/* Paced output (replay): text is written only by sink_flush(), which
	 * also ends the kcap block, so that the events appended reach the
	 * reader when the caller decides (their deadline). */
	int paced;
	kcap_time_style times; /* text and CSV times (cli_time_opt) */
	/* kcap output of a command that keeps part of its inputs (slice,
	 * filter): set as the "derived_from" metadata of every origin written
	 * (sink_derived), so that info says the file covers part of its
	 * source's events while its loss counters are the source's. */
	char *derived;
	/* kcap output: more metadata for every origin written, as key, value
	 * pairs ending with NULL (recover: what was lost); borrowed until
	 * sink_close. */
	const char *const *meta_extra;
	/* kcap output sealed with this key (kcap seal): borrowed until
	 * sink_close. */
	const kcap_seal_key *seal;
} sink_opts;

/* Checks --fields names that need no schema (proc.*, parent.*, the form of
 * a name); param names are checked against each input's schema at its
 * first event. Returns 0, or KCAP_EXIT_USAGE (printed). */
int sink_check_fields(const char *cmd, const char *const *fields);

/* Output options shared by every event-emitting command, as getopt_long
 * codes: 'o' (-o/--output FILE), 'K' (--kcap), 'T' (--text), 'J' (--json),
 * 'C' (--csv), 'P' (--no-proc), SINK_OPT_SCAP (--scap), and the times of text
 * and CSV: 't' (-t/--time-format) and CLI_O_LOCAL, CLI_O_TIMEFMT
 * (cli_time_opt; replay, whose -t is --to, handles 't' itself). Returns 1 if
 * c was one of them (applied to o), 0 if not, -1 for a bad value (printed for
 * cmd: the caller exits KCAP_EXIT_USAGE). */
enum { SINK_OPT_SCAP = 1950 };
int cli_output_opt(const char *cmd, int c, const char *arg, sink_opts *o);
/* The last case of an option loop: c applied as an output option (0), else
 * KCAP_EXIT_USAGE, printed (a bad value, or cli_bad_option's unknown
 * option of longopts and shortopts). */
int cli_output_opt_last(const char *cmd, int c, const char *arg, sink_opts *o, char **argv,
                        const struct option *longopts, const char *shortopts);

/* Their getopt_long entries: SINK_LONGOPTS, or SINK_LONGOPTS_MODES for a
 * command whose output is not -o (replay --to). */
#define SINK_LONGOPTS_MODES \
	{"kcap", no_argument, 0, 'K'}, {"text", no_argument, 0, 'T'}, {"json", no_argument, 0, 'J'}, \
	{"csv", no_argument, 0, 'C'}, {"no-proc", no_argument, 0, 'P'}, {"scap", no_argument, 0, SINK_OPT_SCAP}, \
	CLI_TIME_LONGOPTS
#define SINK_LONGOPTS {"output", required_argument, 0, 'o'}, SINK_LONGOPTS_MODES

/* The ClickHouse row modes (--tsv, --rowbinary), for commands whose events
 * go to one sink (cat, convert, filter): SINK_LONGOPTS_ROWS, SINK_HELP_ROWS. */
enum { SINK_OPT_TSV = 0x2001, SINK_OPT_ROWBINARY = 0x2002 };
#define SINK_LONGOPTS_ROWS {"tsv", no_argument, 0, SINK_OPT_TSV}, {"rowbinary", no_argument, 0, SINK_OPT_ROWBINARY}
#define SINK_HELP_ROWS \
	"      --tsv           ClickHouse TabSeparated rows (docs/FLEET.md: the columns;\n" \
	"                      every byte escaped so that it reads back exactly)\n" \
	"      --rowbinary     the same rows in ClickHouse RowBinary\n"

/* The --help text of those options, one for every command (as bpftool's
 * HELP_SPEC_OPTIONS): a command's help gives SINK_HELP_HEAD, where its
 * output goes (SINK_HELP_FILE for -o), SINK_HELP_MODES (SINK_HELP_OUTPUT
 * is the three), then any output options of its own. The man pages are made from --help (gen-man.sh). */
#define SINK_HELP_HEAD "Output (default: kcap to a pipe or file, text on a terminal):\n"
#define SINK_HELP_FILE "  -o, --output FILE   write to FILE instead of stdout\n"
#define SINK_HELP_MODES \
	"      --kcap          force a kcap stream\n" \
	"      --text          force one line of text per event\n" \
	"      --json          force JSON lines, with a \"proc\" object (the process's\n" \
	"                      exe, cwd, cmdline and parent, tracked per origin from\n" \
	"                      the snapshots and the fork/exec/exit events seen so far)\n" \
	"      --no-proc       JSON without the \"proc\" object\n" \
	"      --csv           force CSV\n"
/* --scap, for the commands whose output goes through the sink (not merge,
 * replay). */
#define SINK_HELP_SCAP \
	"      --scap          write a sysdig/Falco capture (.scap, as sysdig 0.29.3\n" \
	"                      reads it); events with no scap equivalent are left\n" \
	"                      out, counted in one line on stderr (docs/CLI.md)\n"
/* The three, for a command that writes to -o FILE. */
#define SINK_HELP_OUTPUT SINK_HELP_HEAD SINK_HELP_FILE SINK_HELP_MODES SINK_HELP_SCAP CLI_TIME_HELP

/* A file named by -o, written under a temporary name in its directory and
 * renamed over the name only when the command succeeds, so that a command
 * that fails leaves no partial output and never replaces an existing file
 * (docs/CLI.md, "Partial outputs"). A path that is not a regular file
 * (/dev/null, /dev/full, a FIFO, a symlink) is written in place. */
typedef struct out_file {
	const char *path;
	char *tmp;   /* the temporary name; NULL when written in place */
	int created; /* written in place, to a file this command created */
} out_file;
/* Opens f for writing; returns the descriptor (the caller's to close), or
 * -1 with the error line printed. */
int out_file_open(const char *cmd, const char *path, out_file *f);
/* After the descriptor was closed: with rc 0 or KCAP_EXIT_DAMAGED (every
 * intact event written) the output takes its name, otherwise it is
 * removed. Returns rc, or KCAP_EXIT_ERROR when the rename failed (printed). */
int out_file_end(const char *cmd, out_file *f, int rc);
/* The line for a failed write of name: "NAME: write failed: ERRNO". */
void out_write_failed(const char *cmd, const char *name, int err);

/* Sets o->derived to "kcap CMD ARGS..." (argv[1..argc) of the command,
 * which selects what it keeps), for sink_open (which copies it); the
 * caller frees o->derived. */
void sink_derived(sink_opts *o, const char *cmd, int argc, char **argv);

/* Returns a KCAP_EXIT_* code (errors printed). */
int sink_open(sink **s, const char *cmd, const sink_opts *o);
/* The resolved output mode. */
out_mode sink_mode(const sink *s);
/* Writes one event read from r. Returns 0 or a KCAP_EXIT_* code. */
int sink_event(sink *s, kcap_reader *r, const kcap_event *ev);
/* Writes every event r has left (with a progress line, cli_progress).
 * Returns 0, the sink's KCAP_EXIT_* code, or cli_read_failed()'s for a read
 * error (printed); the first of them when both fail. */
int sink_all_events(sink *s, const char *cmd, kcap_reader *r);
/* Copies a raw events block from r (kcap mode only). */
int sink_raw_block(sink *s, kcap_reader *r, const void *blk, size_t len, const kcap_block_summary *sum);
/* For a command that stops reading r before its end (slice --head, --to):
 * kcap output only, and when r has an index, reads the rest of r without
 * decoding an events block (nor reporting damage past what was given), so
 * that the loss counters stored at its end reach sink_input_done(). */
void sink_skip_rest(sink *s, kcap_reader *r);
/* Sums the loss counters of st[0..n) that share origin, cpu and source
 * (from several sections, or inputs merged into one origin) into one entry
 * each, in place; returns how many are left. The sources stay borrowed. */
size_t stats_sum(kcap_stat *st, size_t n);
/* Sets the loss counters of r (every section read so far, summed per
 * origin, cpu and source) in w, whose origins are numbered as r's. Returns
 * 0 or a KCAP_E_* code. */
int copy_stats(kcap_writer *w, const kcap_reader *r);
/* Says that reader r is finished (its stats are copied into the output). */
void sink_input_done(sink *s, kcap_reader *r);
/* The writer behind a kcap-mode sink (NULL otherwise), for producers that
 * are not readers (synth, importers). */
kcap_writer *sink_writer(sink *s);
/* Adds the process snapshots of r's current section to w, which numbers
 * origins as r does: the section's snapshot without an origin and every
 * origin's own. Returns 0 or a KCAP_E_* code. */
int copy_snapshots(kcap_writer *w, const kcap_reader *r);
/* Paced mode: sends what was appended since the last call (text bytes,
 * the kcap block being filled). Otherwise does nothing: the sink writes as
 * its buffers fill. Returns 0 or a KCAP_EXIT_* code (printed). */
int sink_flush(sink *s);
/* Bytes of rendered text held for the next sink_flush() (0 for kcap). */
size_t sink_buffered(const sink *s);
/* Flushes and closes; returns rc, or an error code if output failed. NULL ok. */
int sink_close(sink *s, int rc);
/* Adds "origin" (md's keys and values) to the JSON line that ends b and
 * begins at start: what the first line of each origin of a section carries
 * (docs/CLI.md "JSON lines"). Nothing when md is NULL or empty. */
void json_add_origin(kcap_buf *b, size_t start, const kcap_meta *md);

#endif
