/*
 * record_common.h - the plumbing of `kcap record` shared by its frontends:
 * option parsing, the output writer (metadata, schema, snapshot, stats),
 * rotation, the reorder window, signal handling, the command launcher and
 * the summary. A frontend only turns what its source produces into kcap
 * events (standard taxonomy, kcap/taxonomy.h) and hands them to
 * rec_submit().
 *
 * Frontend interface
 * ------------------
 * A frontend is a const rec_frontend with the callbacks below; cmd_record.c
 * lists the frontends, selected with `--source NAME` (default "ebpf").
 * A frontend built conditionally defines its object when available and
 * cmd_record.c refers to it under #ifdef (KCAP_HAVE_EBPF for
 * rec_frontend_ebpf, KCAP_HAVE_AUDIT_LIVE for rec_frontend_audit; set those
 * through KCAP_CLI_EXTRA_DEFS in the frontend's CMakeLists.txt).
 *
 * Call order made by rec_run():
 *   open()        once, before the output is opened; sets up the source with
 *                 the selection and filters of rec_opts (which it must apply
 *                 at the source where it can) and must exclude the recorder's
 *                 own pid (getpid()). Errors: fill why, return < 0.
 *   add_pid()     for `-- COMMAND` with --follow: the command's pid, before
 *                 it runs; the frontend then records that process tree only.
 *   poll()        repeatedly: wait up to timeout_ms, deliver what is ready
 *                 through rec_submit(). Returns >= 0, or < 0 on a fatal
 *                 source error (with why filled).
 *   stats()       about once a second and at the end: report loss counters
 *                 with rec_stat().
 *   stop()        once when recording ends (may be NULL): stop producing
 *                 (detach probes) so that the polls that follow deliver
 *                 everything produced up to now; rec_run() then polls until
 *                 the source is empty, so nothing in flight is dropped.
 *   close()       once.
 */
#ifndef KCAP_TOOLS_RECORD_COMMON_H
#define KCAP_TOOLS_RECORD_COMMON_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <kcap/kcap.h>

typedef struct rec_opts {
	const char *out;          /* -o FILE or "-" */
	const char *source;       /* --source: frontend name */
	char **cmd;               /* argv after "--", or NULL */
	uint8_t types[256];       /* 1: record this taxonomy type id (-e) */
	int npids;                /* --pid (repeatable or comma list) */
	int32_t pids[64];
	int comm_on;              /* --comm */
	char comm[16];
	int uid_on;               /* --uid */
	uint32_t uid;
	int follow;               /* --follow */
	int64_t duration_ns;      /* --duration, 0 = none */
	uint64_t count;           /* --count, 0 = none */
	uint64_t rotate_size;     /* --rotate-size, 0 = none */
	int64_t rotate_ns;        /* --rotate-time, 0 = none */
	unsigned keep;            /* --keep, 0 = keep all */
	uint32_t block_size;      /* --block-size */
	int level;                /* --level */
	int uncompressed;         /* --level 0 */
	uint64_t buffer_size;     /* --buffer-size (ring buffer bytes) */
	int64_t reorder_ns;       /* --reorder-window */
	int quiet;                /* -q: no summary */
	struct kcap_seal_key *seal; /* --seal-key: every flush sealed (freed by rec_run) */
	int run;                  /* set by rec_parse_opts: record (0 after --help) */
} rec_opts;

typedef struct rec_ctx rec_ctx;

typedef struct rec_frontend {
	const char *name;     /* --source value */
	const char *version;  /* written as metadata source_version */
	int (*open)(rec_ctx *ctx, const rec_opts *o, void **state, char *why, size_t n);
	int (*add_pid)(void *state, int32_t pid);
	int (*poll)(void *state, int timeout_ms, char *why, size_t n);
	void (*stats)(void *state);
	void (*close)(void *state);
	void (*stop)(void *state);
	/* 1: the frontend gives the process snapshot itself (rec_set_snapshot,
	 * from the ETW rundown); 0: the host's (kcap_snapshot_fill_host) */
	int own_snapshot;
} rec_frontend;

/* Parses argv (argv[0] is "record"); fills o with defaults first. Returns
 * a KCAP_EXIT_* code: KCAP_EXIT_OK with o->run set when a recording is to
 * be made, KCAP_EXIT_OK without it after --help, or KCAP_EXIT_USAGE. */
int rec_parse_opts(int argc, char **argv, rec_opts *o);
void rec_usage(FILE *f);

/* Runs a whole recording with frontend fe; returns the exit code. */
int rec_run(const rec_opts *o, const rec_frontend *fe);

/* Hands one event to the recorder. ev->ts is wall-clock ns; seq, def and
 * meta are ignored (seq is assigned in output order); origin must be 0.
 * Everything ev points to is copied. raw_bytes is the size of the source's
 * record (for the summary's ratio). Returns 0, or KCAP_E_NOMEM. */
int rec_submit(rec_ctx *c, const kcap_event *ev, size_t raw_bytes);

/* Records a free-running loss counter (written into the capture's stats
 * and shown in the summary). */
void rec_stat(rec_ctx *c, uint32_t cpu, const char *source, uint64_t seen, uint64_t lost);

/* For a frontend whose decoder declares its own types (ETW: the taxonomy
 * types with ETW params, one generic type per provider): s replaces the
 * taxonomy schema, now and in every file that follows; s must outlive the
 * recording (the frontend's close()). Returns 0 or a KCAP_E_* write error. */
int rec_set_schema(rec_ctx *c, const kcap_schema *s);
/* The frontend's process snapshot (own_snapshot), written now and into
 * every file that follows; s must outlive the recording. */
int rec_set_snapshot(rec_ctx *c, const kcap_snapshot *s);
/* Adds the keys of m (the source's own description of the host and
 * session) to the capture's metadata; call in open(), before the output is
 * opened. source and source_version stay the frontend's. */
int rec_meta_merge(rec_ctx *c, const kcap_meta *m);

/* wall_ns = boot_ns + rec_boot_to_wall(c) (CLOCK_BOOTTIME to CLOCK_REALTIME
 * offset of this capture's metadata). */
int64_t rec_boot_to_wall(const rec_ctx *c);

/* The frontends. Each is defined only when built (KCAP_HAVE_EBPF,
 * KCAP_HAVE_AUDIT_LIVE); cmd_record.c refers to them under those macros. */
extern const rec_frontend rec_frontend_ebpf;
extern const rec_frontend rec_frontend_audit;
extern const rec_frontend rec_frontend_etw;

/* Class names accepted by -e besides type names. */
#define REC_CLASSES "process, file, net, user, rw (read/write family), all"

#endif
