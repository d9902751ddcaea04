/*
 * audit_import.h - Linux audit events into kcap events.
 *
 * Takes audit.log lines, or records from any source (the live recorder's
 * netlink socket), groups them into events with the reassembler
 * (audit_reassemble.h) and hands each finished event, mapped onto the
 * taxonomy, to a sink: a set of callbacks (kcap_audit_sink), or a
 * kcap_writer through kcap_audit_import_new(). `kcap convert --from audit`
 * (tools/import_audit.c) writes through a writer; `kcap record --source
 * audit` (tools/record_audit/audit_live.c) gives its own callbacks, a time
 * window and no JSON. The events:
 *
 *  - A SYSCALL event whose syscall (resolved per arch: x86_64, i386 and
 *    aarch64) is a type of the standard taxonomy becomes that type, its
 *    params filled from the syscall arguments and the auxiliary records
 *    (EXECVE argv, PATH names resolved against CWD, SOCKADDR, FD_PAIR, MMAP,
 *    CAPSET, OBJ_PID).
 *  - Every other event becomes a generic type of category "audit" named
 *    "audit_<first record type, lowercase>" ("audit_syscall" for syscalls
 *    outside the taxonomy, "audit_user_login", ...).
 *  - Every event, mapped or not, carries the param "audit" (KCAP_T_JSON,
 *    KCAP_PF_TOPLEVEL) with all of its records (see audit_json.h); absent
 *    with kcap_audit_import_opts.no_json. The types of the taxonomy are
 *    declared with this param appended after their standard ones, under
 *    their standard ids.
 *  - Common fields: pid, ppid, uid, gid and comm as logged (numbers are
 *    never resolved through this machine's user database); tid = pid (audit
 *    logs carry no thread id); cpu = UINT32_MAX (unknown).
 *  - One origin per node: metadata source "audit" and, when the log has
 *    node=, hostname = that node.
 *  - Serial gaps are given as stats (source "audit-serial-gap", per origin)
 *    at finish; kcap_audit_import_reasm_stats() reads the running counts.
 *  - A line that does not parse is reported to the caller and still kept as
 *    an event of type "audit_unparsed" whose "audit" param holds
 *    {"serial": 0, "node": "", "records": [], "raw": "<the line>"}.
 */
#ifndef KCAP_AUDIT_IMPORT_H
#define KCAP_AUDIT_IMPORT_H

#include <kcap/kcap.h>

#include "audit_reassemble.h"
#include "audit_record.h"

/* Ids of the generic audit types: KCAP_AUDIT_TYPE_BASE + record type number
 * (stable), and from KCAP_AUDIT_TYPE_DYNAMIC on, in order of appearance, for
 * record type names that have no known number. */
#define KCAP_AUDIT_TYPE_BASE 0x10000u
#define KCAP_AUDIT_TYPE_SYSCALL (KCAP_AUDIT_TYPE_BASE + 1300u) /* "audit_syscall" */
#define KCAP_AUDIT_TYPE_UNPARSED (KCAP_AUDIT_TYPE_BASE + 0u)   /* "audit_unparsed" */
#define KCAP_AUDIT_TYPE_DYNAMIC 0x20000u

typedef struct kcap_audit_import kcap_audit_import;

typedef struct kcap_audit_import_stats {
	uint64_t lines;      /* lines given, empty ones included */
	uint64_t records;    /* records parsed */
	uint64_t malformed;  /* lines that did not parse (kept as audit_unparsed) */
	uint64_t events;     /* kcap events written */
	uint64_t mapped;     /* of which mapped onto the taxonomy */
	uint64_t lost;       /* serial gaps (possible loss), all nodes */
	uint64_t late;       /* records that came after their event was written */
} kcap_audit_import_stats;

/* Where finished events go. ud is the sink's own state. Every callback but
 * event may be NULL (then nothing happens and add_origin gives origin 0). A
 * negative return stops the import: the call that fed the input returns it. */
typedef struct kcap_audit_sink {
	/* The schema of every event's type: once at start, again when a record
	 * type unknown so far adds a type. */
	int (*set_schema)(void *ud, const kcap_schema *s);
	/* A new origin (one per node): its metadata; returns its origin id (>= 0),
	 * the value events of that origin carry. */
	int (*add_origin)(void *ud, const kcap_meta *m);
	/* One event. Its strings and params point into the importer's scratch
	 * and the reassembled records: valid during the call only. */
	int (*event)(void *ud, const kcap_event *ev);
	/* At finish, once per origin: the serial-gap counters. */
	int (*set_stat)(void *ud, const kcap_stat *st);
	/* Before an event is mapped: may replace *sec and *msec, the time of
	 * event serial as the reassembler saw it, with its true time (a live
	 * source stamps records with their arrival time, so its reassembly
	 * window counts from arrival, not from syscall entry). */
	void (*event_time)(void *ud, uint32_t serial, int64_t *sec, uint32_t *msec);
} kcap_audit_sink;

typedef struct kcap_audit_import_opts {
	kcap_audit_reasm_opts reasm; /* zero: bound by count only, 1024 open events */
	int no_json;                 /* leave the "audit" param absent */
} kcap_audit_import_opts;

/* Creates an importer handing events to sink (copied) with ud; opts may be
 * NULL. Calls sink->set_schema at once. Returns 0, KCAP_E_INVAL (no event
 * callback), KCAP_E_NOMEM or the set_schema callback's error. */
int kcap_audit_import_new_sink(kcap_audit_import **imp, const kcap_audit_sink *sink, void *ud,
                               const kcap_audit_import_opts *opts);
/* Creates an importer writing into w (opened by the caller, not closed by
 * the importer): schema, origins, events and stats go to the writer. */
int kcap_audit_import_new(kcap_audit_import **imp, kcap_writer *w);
/* Frees; does not flush (call _finish first). NULL is a no-op. */
void kcap_audit_import_free(kcap_audit_import *imp);

/* One line of audit.log (trailing newline allowed). Returns 0; KCAP_E_SYNTAX
 * when the line does not parse (perr filled; the line is kept as an
 * audit_unparsed event and counted); or a sink/memory error, which ends
 * the import. */
int kcap_audit_import_line(kcap_audit_import *imp, const char *line, size_t len, kcap_error *perr);
/* One parsed record (e.g. from netlink); takes ownership. */
int kcap_audit_import_record(kcap_audit_import *imp, kcap_audit_record *rec);
/* Hands over the events whose reassembly window has passed at now_ns (a
 * live source, with opts.reasm.window_ns, calls it when no record came). */
int kcap_audit_import_tick(kcap_audit_import *imp, int64_t now_ns);
/* Hands over every pending event and the loss stats. Returns 0 or an error. */
int kcap_audit_import_finish(kcap_audit_import *imp);

const kcap_audit_import_stats *kcap_audit_import_get_stats(const kcap_audit_import *imp);
/* The reassembler's running counters: events handed over and serials
 * skipped (possible loss), so far. */
void kcap_audit_import_reasm_stats(const kcap_audit_import *imp, kcap_audit_reasm_stats *st);

#endif
