/*
 * audit_live_import.h - the audit importer of formats/audit (audit_import.h)
 * as the live recorder uses it: the same record parsing, reassembly and
 * taxonomy mapping, compiled a second time (audit_live_import.c) with its
 * writer calls going to the recorder instead of a kcap_writer.
 *
 * The importer's functions carry an audit_live_ prefix here; the "writer"
 * handed to audit_live_import_new() is the frontend's own state (see
 * audit_live.c), which receives every mapped event through
 * audit_live_write(). Events are as the importer makes them: standard
 * taxonomy types carry one extra last param, "audit" (KCAP_T_JSON).
 */
#ifndef KCAP_TOOLS_AUDIT_LIVE_IMPORT_H
#define KCAP_TOOLS_AUDIT_LIVE_IMPORT_H

#include <kcap/kcap.h>

#include "audit/audit_import.h"
#include "audit/audit_reassemble.h"

int audit_live_import_new(kcap_audit_import **imp, kcap_writer *w);
void audit_live_import_free(kcap_audit_import *imp);
int audit_live_import_record(kcap_audit_import *imp, kcap_audit_record *rec);
const kcap_audit_import_stats *audit_live_import_get_stats(const kcap_audit_import *imp);

/* Live additions.
 *
 * A time window for completing events whose EOE was lost (the importer
 * bounds by count only) and a larger bound on open events (records of
 * concurrent events interleave: a small bound completes events early and
 * reports serial gaps that are not loss). The window counts from when a
 * record arrived, not from its timestamp, which the kernel takes at syscall
 * entry (a syscall that blocks longer than the window would otherwise be
 * cut from its PATH or SOCKADDR records): the frontend gives the reassembler
 * records stamped with their arrival time, and audit_live_event_time()
 * puts the true time back on each event before it is mapped. */
int audit_live_import_set_window(kcap_audit_import *imp, int64_t window_ns, uint32_t max_pending);
int audit_live_import_tick(kcap_audit_import *imp, int64_t now_ns);
void audit_live_import_reasm_stats(const kcap_audit_import *imp, kcap_audit_reasm_stats *st);

/* Defined by the frontend: replaces *sec and *msec (arrival time) with the
 * true timestamp of event serial, when it knows it. */
void audit_live_event_time(kcap_writer *w, uint32_t serial, int64_t *sec, uint32_t *msec);

/* The importer's writer calls, defined by the frontend (audit_live.c). */
int audit_live_write(kcap_writer *w, const kcap_event *ev);
int audit_live_set_schema(kcap_writer *w, const kcap_schema *s);
int audit_live_add_meta(kcap_writer *w, const kcap_meta *m);
int audit_live_set_stat(kcap_writer *w, const kcap_stat *st);

#endif
