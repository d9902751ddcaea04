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
	kcap_time_style times; /* text and CSV times (cli_time_opt) */
} sink_opts;

/* Output options shared by every event-emitting command, as getopt_long
 * codes: 'o' (-o/--output FILE), 'K' (--kcap), 'T' (--text), 'J' (--json),
 * 'C' (--csv), 'P' (--no-proc). Returns 0 if c was one of them, -1 otherwise. */
int cli_output_opt(int c, const char *arg, sink_opts *o);

/* Returns a KCAP_EXIT_* code (errors printed). */
int sink_open(sink **s, const char *cmd, const sink_opts *o);
/* The resolved output mode. */
out_mode sink_mode(const sink *s);
/* Writes one event read from r. Returns 0 or a KCAP_EXIT_* code. */
int sink_event(sink *s, kcap_reader *r, const kcap_event *ev);
/* Copies a raw events block from r (kcap mode only). */
int sink_raw_block(sink *s, kcap_reader *r, const void *blk, size_t len, const kcap_block_summary *sum);
/* Says that reader r is finished (its stats are copied into the output). */
void sink_input_done(sink *s, kcap_reader *r);
/* The writer behind a kcap-mode sink (NULL otherwise), for producers that
 * are not readers (synth, importers). */
kcap_writer *sink_writer(sink *s);
/* Adds the process snapshots of r's current section to w, which numbers
 * origins as r does: the section's snapshot without an origin and every
 * origin's own. Returns 0 or a KCAP_E_* code. */
int copy_snapshots(kcap_writer *w, const kcap_reader *r);

/* What of a reader's current section a kcap writer already describes, for
 * tools that copy events from readers into one kcap stream (the sink,
 * replay). Zero-initialized before the first use. */
typedef struct section_mirror {
	const kcap_reader *src;
	uint32_t section;
	uint64_t gen;     /* schema generation written */
	size_t origins;   /* metadata blocks written */
	int any;          /* a section was mirrored: the next source starts a new one */
} section_mirror;

enum { MIRROR_E_WRITE = 1, MIRROR_E_SNAPSHOT = 2 };

/* 1 when r's current section holds what w does not have yet (another
 * reader or section, new origins, a newer schema). */
int mirror_stale(const section_mirror *m, const kcap_reader *r);
/* Makes w's section describe r's current section: a new section for a new
 * source, then its metadata, schema and (for a new source) its process
 * snapshots. Returns 0, MIRROR_E_WRITE (see kcap_writer_error) or
 * MIRROR_E_SNAPSHOT (out of memory copying the snapshots). */
int mirror_section(section_mirror *m, kcap_writer *w, const kcap_reader *r);
/* Flushes and closes; returns rc, or an error code if output failed. NULL ok. */
int sink_close(sink *s, int rc);

#endif
