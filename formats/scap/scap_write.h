/*
 * scap_write.h - kcap events out as a sysdig/Falco capture (.scap), for
 * `kcap convert --scap` (tools/sink.c).
 *
 * The file is what sysdig 0.29.3 (Debian 12, libs of 2022) reads and what
 * libscap itself writes: SHB 1.2, then machine info (MI), user list (UL_V2),
 * process list (PL_V9), then one EV_V2 block per event (EV_V2_LARGE past
 * 64 KiB), little-endian, not compressed.
 *
 * One kcap event becomes an enter/exit pair (exit and exit_group become the
 * single `procexit` event), with the params of sysdig 0.29.3's event table
 * (formats/scap/scap_events.h, `nparams_2022`) filled from the kcap params,
 * from the writer's own thread table (exe, args, cwd, comm of execve and
 * clone exits) and otherwise with neutral values. Standard taxonomy types
 * that sysdig 0.29.3 has no specific event for become its generic syscall
 * event (evt.type is then the syscall's name). Events with no scap
 * equivalent (audit-only records, ETW, syscalls sysdig 0.29.3 does not know)
 * are counted per type and left out: the one lossy conversion.
 *
 * The process list must come before the events, and it must list every
 * thread the events show that was not created by one of them (sysdig shows
 * <NA> for the name of any other). So events are spooled to an unlinked
 * temporary file (tmpfile(3)) and the file is written at close: process
 * snapshot entries first, then the threads first seen in events.
 *
 * Like the rest of formats/, this never prints: errors are KCAP_E_* codes
 * with a kcap_error.
 */
#ifndef KCAP_SCAP_WRITE_H
#define KCAP_SCAP_WRITE_H

#include <kcap/kcap.h>

typedef struct kcap_scap_writer kcap_scap_writer;

/* Opens a writer that will write to fd (not closed by it). Returns 0 or a
 * KCAP_E_* code (err filled). */
int kcap_scap_writer_open(kcap_scap_writer **w, int fd, kcap_error *err);

/* Adds an origin's context: its metadata (hostname, cpus -> machine info;
 * the first origin's wins) and its process snapshot (processes and user and
 * group names; a pid already known keeps its first entry). Either may be
 * NULL. Returns 0 or KCAP_E_NOMEM. */
int kcap_scap_writer_context(kcap_scap_writer *w, const kcap_meta *md, const kcap_snapshot *sn);

/* Writes one event (ev->def names its type; an event without one has no
 * equivalent). Returns 1 when written, 0 when it has no scap equivalent
 * (counted), or a negative KCAP_E_* code (see kcap_scap_writer_error). */
int kcap_scap_writer_event(kcap_scap_writer *w, const kcap_event *ev);

/* Events written (kcap events, not scap blocks) and left out. An event
 * whose cpu is not known (UINT32_MAX, as audit gives) is written on cpu 0. */
uint64_t kcap_scap_writer_written(const kcap_scap_writer *w);
uint64_t kcap_scap_writer_skipped(const kcap_scap_writer *w);
/* The types left out, most frequent first: i from 0 while it returns 1
 * (i = 0 sorts them). */
int kcap_scap_writer_skipped_at(kcap_scap_writer *w, size_t i, const char **type, uint64_t *count);

/* The error of the last failed call. */
const kcap_error *kcap_scap_writer_error(const kcap_scap_writer *w);

/* Writes the file (header blocks, then the spooled events) and frees w.
 * Returns 0 or a KCAP_E_* code (err filled). NULL ok. */
int kcap_scap_writer_close(kcap_scap_writer *w, kcap_error *err);
/* Frees w without writing anything (a failed command). NULL ok. */
void kcap_scap_writer_abort(kcap_scap_writer *w);

#endif
