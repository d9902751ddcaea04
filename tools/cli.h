/*
 * cli.h - helpers shared by the kcap subcommands: exit codes, error lines,
 * input opening and output-mode selection. Only tools/ prints.
 */
#ifndef KCAP_TOOLS_CLI_H
#define KCAP_TOOLS_CLI_H

#include <stdio.h>
#include <time.h>
#include <kcap/kcap.h>
#include "cli_port.h"

/*
 * Return conventions of tools/, one for each kind of function:
 *  - A command (cmd_*) and every helper that prints its own error line
 *    returns a KCAP_EXIT_* code below: 0 to go on, anything else is the
 *    command's result (sink_*, cli_each_input and its callbacks, merge's
 *    advance, rec_parse_opts, rec_run).
 *  - A helper that prints nothing returns 0 or a negative KCAP_E_* code
 *    (kcap.h), as the library does; its caller prints (merge's update_maps,
 *    rec_submit, copy_snapshots).
 *  - Predicates return 1 or 0 (cli_output_opt: "was that one of mine"),
 *    lookups a pointer or NULL, openers of a descriptor the fd or -1.
 * No other codes: no private error enums, no -1 meaning "go on".
 */

/* Exit codes of every kcap subcommand (documented in docs/CLI.md). */
enum {
	KCAP_EXIT_OK = 0,
	KCAP_EXIT_ERROR = 1,    /* runtime failure: I/O, missing file, out of memory */
	KCAP_EXIT_USAGE = 2,    /* bad option, argument or expression */
	KCAP_EXIT_DAMAGED = 3,  /* an input was damaged; every intact event was still delivered */
	KCAP_EXIT_LOST = 4,     /* record: events were lost (counted in the capture) */
};

/* Output renderings. */
/* OUT_SCAP: a sysdig/Falco capture (formats/scap/scap_write.h), never to a
 * terminal. OUT_TSV, OUT_ROWBINARY: ClickHouse rows (kcap/rows.h). */
typedef enum { OUT_AUTO = 0, OUT_KCAP, OUT_TEXT, OUT_JSON, OUT_CSV, OUT_SCAP, OUT_TSV, OUT_ROWBINARY } out_mode;

typedef struct cli_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help; /* one line for `kcap help` */
} cli_cmd;

extern const char *cli_prog; /* "kcap" */

/* Prints "kcap CMD: " + message + "\n" to stderr. */
void cli_err(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints "kcap CMD: FILE: offset N: msg" from a kcap_error. */
void cli_err_kcap(const char *cmd, const char *file, const kcap_error *e);

/* Resolves OUT_AUTO: kcap stream when stdout is not a terminal, else text. */
out_mode cli_resolve_out(out_mode m);

/* Opens an input for reading: "-" or NULL is stdin. Registers a damage
 * callback that prints one line per damaged region and sets *damaged.
 * Compressed and archived captures are read through formats/input/archive_input.h (then
 * the reader streams, as on a pipe). */
int cli_open_input(const char *cmd, const char *path, kcap_reader **r, int *damaged);
/* The same on fd (always closed by the reader or here), named name. */
int cli_open_input_fd(const char *cmd, int fd, const char *name, kcap_reader **r, int *damaged);
/* 1 when this process was given inputs and refused every one as not a
 * capture (bad magic, empty, a version it cannot read): nothing was read,
 * so the sink removes its -o output rather than leave an empty capture
 * that looks valid (exit status 3 stays). */
int cli_inputs_all_refused(void);

/* Final check of stdout: returns KCAP_EXIT_ERROR and prints if writing
 * stdout failed; a broken pipe ends the process through cli_broken_pipe(). */
int cli_finish_stdout(const char *cmd, int rc);

/* The reader of stdout went away (EPIPE): ends the process quietly by
 * SIGPIPE, as a command that does not ignore it would end (status 141 in
 * the shell; docs/CLI.md). For commands that ignore SIGPIPE to clean up
 * first (record restores the kernel's state, replay reports a --to reader
 * leaving): call it once cleaned up. */
_Noreturn void cli_broken_pipe(void);

/* ---- option values (docs/CLI.md, "Values") ----
 * Each reads s with libkcap's grammar for its kind (kcap.h, "values") and
 * checks the option's range. On error it prints one line,
 * "kcap CMD: OPT 'S': expected ..." (with the column and reason when the
 * grammar gives one), and returns -1: the caller exits KCAP_EXIT_USAGE. */
int cli_bad_value(const char *cmd, const char *opt, const char *s, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int cli_opt_count(const char *cmd, const char *opt, const char *s, uint64_t lo, uint64_t hi, uint64_t *out);
int cli_opt_size(const char *cmd, const char *opt, const char *s, uint64_t lo, uint64_t hi, uint64_t *out);
/* lo is 0, or 1 for options where 0 means nothing. */
int cli_opt_duration(const char *cmd, const char *opt, const char *s, int64_t lo, int64_t *out);
/* A real number in (above, upto]; why says what lies beyond. */
int cli_opt_real(const char *cmd, const char *opt, const char *s, double above, double upto, const char *why,
                 double *out);
/* A time literal (kcap_parse_time_rel): *anchor is KCAP_TIME_*. Times
 * relative to now (now, today, "10 min ago") are resolved at once against
 * cli_now(), so *anchor is never KCAP_TIME_FROM_NOW. */
int cli_opt_time(const char *cmd, const char *opt, const char *s, int *anchor, int64_t *value);
/* The current time in ns since the epoch for time literals: $KCAP_NOW when
 * set (a time literal, for tests: docs/CLI.md "ENVIRONMENT"), else the real
 * clock. Returns -1 (printed) when $KCAP_NOW is not an absolute time. */
int cli_now(const char *cmd, int64_t *now);
/* Gives a compiled filter that has times relative to now the cli_now()
 * clock. Returns 0, or -1 (printed). */
struct kcap_filter;
int cli_filter_now(const char *cmd, struct kcap_filter *f);
/* The block filter of a command that filters, maybe with a process tracker
 * (filter, stats): 1 when the block of sum may hold a match of f, or tracking
 * and the tracker needs it (kcap_procstate_block_needed), else 0. */
int cli_block_wanted(struct kcap_filter *f, const kcap_block_summary *sum, kcap_reader *r, int tracking);
/* The same for a block's records, decompressed (kcap_body_filter_fn): 1 when
 * they may hold a match of f (kcap_filter_body_may_match), or tracking and
 * the tracker needs the block, else 0. */
int cli_body_wanted(struct kcap_filter *f, const kcap_block_summary *sum, const uint8_t *records, size_t len,
		    kcap_reader *r, int tracking);
/* Prints a bad expression's error (err->column) with the expression and a
 * caret under the column (filter, stats, tree). */
void cli_expr_error(const char *cmd, const char *expr, const kcap_error *e);
/* Compiles expr into *f (kcap_filter_compile): 0, KCAP_EXIT_ERROR ("out of
 * memory" printed) or KCAP_EXIT_USAGE (cli_expr_error printed). */
int cli_filter_compile(const char *cmd, struct kcap_filter **f, const char *expr);
/* Sets the anchors of a filter's relative time literals from r's index, or
 * first_ts (its first event). 0, or KCAP_EXIT_USAGE (printed) when an
 * anchor cannot be known. */
int cli_filter_span(const char *cmd, struct kcap_filter *f, kcap_reader *r, int anchors, int64_t first_ts);

/* ---- times in text and CSV (docs/CLI.md "Times in text and CSV") ----
 * --local and -t/--time-format a|r|d of every command that renders text:
 * CLI_TIME_LONGOPTS (part of SINK_LONGOPTS) in the long options, "t:" in
 * the short ones (not replay, whose -t is --to), CLI_TIME_HELP in the help;
 * cli_output_opt() applies them. */
enum { CLI_O_LOCAL = 1900, CLI_O_TIMEFMT };
#define CLI_TIME_LONGOPTS {"local", no_argument, 0, CLI_O_LOCAL}, {"time-format", required_argument, 0, CLI_O_TIMEFMT}
#define CLI_TIME_HELP_(SHORT)                                                            \
	"      --local           text and CSV times in the local zone (TZ), with its\n"    \
	"                        offset (2026-11-21T15:30:00.000000000+05:30), not UTC\n" \
	SHORT "--time-format F   text and CSV times as tshark -t: a absolute (default),\n" \
	"                        r seconds since the first event shown, d seconds\n"      \
	"                        since the previous event shown\n"
#define CLI_TIME_HELP CLI_TIME_HELP_("  -t, ")
/* c is 't', CLI_O_LOCAL or CLI_O_TIMEFMT, arg its value. Returns 0, or -1 (printed) for
 * a bad value: the caller exits KCAP_EXIT_USAGE. */
int cli_time_opt(const char *cmd, int c, const char *arg, kcap_time_style *st);
/* --level of every command that writes kcap: a zstd level from -7 (fastest)
 * to 22, or 0 for uncompressed blocks; sets w->level and w->codec. */
enum { CLI_LEVEL_MIN = -7, CLI_LEVEL_MAX = 22 };
int cli_opt_level(const char *cmd, const char *s, kcap_writer_opts *w);
/* Sizes of an events block that every command accepts. */
#define CLI_BLOCK_MIN 4096u
#define CLI_BLOCK_MAX (1u << 30)

/* -j/--jobs N of every command that reads captures (convert, filter, slice,
 * stats, verify, merge, cat; docs/CLI.md "Threads"): each input that is a
 * regular file is read ahead on N threads (kcap_reader_set_threads), the
 * default the online CPUs; the output is the same whatever N.
 * CLI_JOBS_LONGOPT in the long options, "j:" in the short ones,
 * CLI_JOBS_HELP in the help; cli_jobs_default() first, then
 * cli_jobs_opt() for each -j. Commands without the option read on one
 * thread. */
#define CLI_JOBS_LONGOPT {"jobs", required_argument, 0, 'j'}
#define CLI_JOBS_HELP                                                                  \
	"  -j, --jobs N          read each capture file ahead on N threads (default: the\n" \
	"                        online CPUs; 1 reads on one); the output is the same\n"   \
	"                        whatever N\n"
enum { CLI_JOBS_MAX = 64 };
void cli_jobs_default(void);
/* Returns 0, or -1 (printed) for a bad value: the caller exits KCAP_EXIT_USAGE. */
int cli_jobs_opt(const char *cmd, const char *arg);

/* Splits a comma list in place into a NULL-terminated array (free() it);
 * NULL when out of memory. */
char **cli_split_fields(char *s);

/* The time of clock c (CLOCK_MONOTONIC, CLOCK_REALTIME, ...) in ns. */
int64_t cli_now_ns(clockid_t c);

/* True when stderr is a terminal (for progress lines). */
int cli_stderr_tty(void);

/* Makes getopt_long start again at argv[1], quietly: a command reports a
 * bad option itself, with cli_bad_option. */
void cli_getopt_start(void);

/* After getopt_long returned '?' (with opterr = 0): prints one line naming
 * the unknown option or the option missing its value, returns
 * KCAP_EXIT_USAGE. */
struct option;
int cli_bad_option(const char *cmd, char **argv, const struct option *longopts, const char *shortopts);

/* The options of a command whose one option is -o/--output VALUE, with
 * -h/--help (bundle, keygen): sets *out (NULL without -o) and returns 1 to go
 * on with the operands from optind; 0 when the command is done, *rc its
 * result (after --help, or a bad option, printed). */
int cli_output_only_opts(const char *cmd, const char *help, int argc, char **argv, const char **out, int *rc);

/* "--NAME" of the long option whose val is c, for error lines (static). */
const char *cli_opt_name(const struct option *longopts, int c);
/* Prints a command's --help text to stdout; returns KCAP_EXIT_OK, or
 * KCAP_EXIT_ERROR when stdout could not be written (cli_finish_stdout). */
int cli_help(const char *cmd, const char *text);

/* Standard "--help" detector: returns 1 if argv has -h/--help. */
int cli_wants_help(int argc, char **argv);

/* Progress on stderr for long jobs: call once per event read from r. Prints
 * only when stderr is a terminal and the job has run for over a second, at
 * most four times a second; cli_progress_done() clears the line. */
void cli_progress(const char *cmd, const kcap_reader *r);
void cli_progress_done(void);

/* "NAME: [MEMBER: ]offset N: MSG" for offset of the input r reads (opened
 * by cli_open_input): for a compressed or archived input, N is counted in
 * the decompressed member, as the damage lines say it. */
void cli_describe(const kcap_reader *r, int64_t offset, uint64_t skipped, const char *msg, char *buf, size_t len);
/* 1 when r reads a compressed or archived input through the pump. */
int cli_input_archived(const kcap_reader *r);

/* Closes a reader opened by cli_open_input (NULL ok). */
void cli_close_input(kcap_reader *r);

/* After kcap_reader_next (or _next_record, _next_raw_block) returned n < 0:
 * prints the reader's error line and returns KCAP_EXIT_DAMAGED for
 * KCAP_E_VERSION (a part of a later format version: what came before was
 * delivered), else KCAP_EXIT_ERROR. */
int cli_read_failed(const char *cmd, const kcap_reader *r, int n);

/* The inputs of a command, read one after the other by cli_each_input. */
typedef struct cli_inputs {
	const char *cmd;
	int n;            /* number of files; 0 reads stdin */
	char **files;     /* "-" is stdin */
	/* An input that fails (cannot be opened, or fn returns an error) does
	 * not stop the others; the first failure is the result (info). */
	int keep_going;
	/* Every input must open: one that cannot, even one that is not a
	 * capture, ends the loop with KCAP_EXIT_ERROR (or KCAP_EXIT_USAGE). fn
	 * then owns each reader and closes it with cli_close_input (merge reads
	 * them all at once). */
	int keep_open;
	/* When spool is set, stdin is read from a dup of spool_fd at spool_off
	 * (slice --tail reads it twice from a spooled copy). */
	int spool;
	int spool_fd;
	long long spool_off;
	/* When set, no further input is opened once *done is nonzero (slice:
	 * the window is complete). */
	const int *done;
	/* The inputs are read more than once by the same command (slice
	 * --tail's two passes): each damaged region, and each input that is not
	 * a capture, is reported once (and sets *damaged every time). */
	int reread;
} cli_inputs;

/* What a command does with one input: i is its position in files (0 for
 * stdin), r its reader, *damaged this input's damage flag (set by the
 * damage callback as regions are skipped; fn may set it). Returns 0 to go
 * on, or a KCAP_EXIT_* code. */
typedef int (*cli_input_fn)(void *ud, int i, kcap_reader *r, int *damaged);

/* Opens each input in turn, calls fn with its reader and closes it. An
 * input that cannot be opened has its error line printed (cli_open_input);
 * one that is not a capture (KCAP_EXIT_DAMAGED) sets *damaged and the loop
 * goes on. Returns 0, or the KCAP_EXIT_* code that stopped the loop (see
 * keep_going); *damaged is set when any input was damaged. */
int cli_each_input(const cli_inputs *in, cli_input_fn fn, void *ud, int *damaged);

/* Subcommand entry points. */
int cmd_cat(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_convert(int argc, char **argv);
int cmd_synth(int argc, char **argv);
int cmd_filter(int argc, char **argv);
int cmd_record(int argc, char **argv);
int cmd_slice(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_recover(int argc, char **argv);
int cmd_keygen(int argc, char **argv);
int cmd_seal(int argc, char **argv);
int cmd_bundle(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_tree(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_export(int argc, char **argv);

#endif
