/*
 * procstate.h - process context tracker of libkcap.
 *
 * Events carry pid, ppid, uid, gid and comm, but not the executable, the
 * command line or the working directory of their process. The tracker keeps
 * that context per pid, built from a capture's process snapshot plus the
 * fork/clone, exec, chdir and exit events seen so far, so that the filter
 * fields proc.exe, proc.cmdline, proc.cwd, parent.comm, ... and the "proc"
 * object of JSON output resolve on events that do not carry them (a write,
 * a connect).
 *
 * Events are recognised by type name and param name, never by numeric id,
 * so captures from any source (eBPF, audit, ETW, JSON) work:
 *  - fork, vfork, clone, clone3: the child pid is the first present param
 *    among child_pid, child, child_tgid, new_pid, newpid, and else the
 *    ret param when it is > 0. A clone whose flags param has CLONE_THREAD
 *    (0x10000) creates a thread, not a process, and is ignored. The child
 *    inherits the parent's exe, cmdline, cwd, uid, gid and comm.
 *  - execve, execveat, exec: when ret is absent or 0, exe becomes the first
 *    present param among filename, path, exe, pathname, file, and cmdline the
 *    first among argv, args, cmdline (a strlist or a string).
 *  - chdir: when ret is absent or 0 and the path param (path, filename,
 *    pathname, dir) is absolute, it becomes cwd.
 *  - exit_group, and exit when tid == pid (or tid is 0): the process is
 *    forgotten after the next event, so the exit event itself still resolves.
 * Every event also refreshes its own pid's entry with the event's ppid, uid,
 * gid and comm (an entry is created on first sight), and an event of the
 * audit importer (a json param "audit", its type's last) with the exe and
 * cwd its records log (the first exe= and cwd= members, when absolute):
 * audit logs the process with every event, not only at exec.
 *
 * Processes are keyed by (origin, pid): each origin (ev->origin, a host and
 * source of the section) is a process space of its own, so that in a merge
 * of two hosts, host B's pid 100 never gets host A's exe, cmdline or parent.
 * An event sees only processes of its own origin, its parent included.
 * Origin numbers are per section, so the tracker holds one section at a
 * time: kcap_procstate_load_reader() at each section start clears it and
 * loads every origin's snapshot. A capture of one origin behaves as a
 * pid-keyed tracker.
 *
 * Usage: call kcap_procstate_load_reader() when a section begins (or
 * kcap_procstate_load_origin_snapshot() per origin), then
 * kcap_procstate_update() for EVERY event read, in order, before
 * evaluating filters on it or rendering it; kcap_procstate_get_origin()
 * then describes the event's process. Skipping blocks (kcap_reader_set_block_filter)
 * loses the lifecycle events in them; kcap_procstate_block_needed() tells
 * whether a block holds event types the tracker consumes.
 */
#ifndef KCAP_PROCSTATE_H
#define KCAP_PROCSTATE_H

#include <kcap/kcap.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kcap_procstate kcap_procstate;

/* What the tracker knows about one process. Strings are NUL-terminated, owned
 * by the tracker and valid until the next kcap_procstate_update/load/free;
 * NULL (or cmdline_len 0) when unknown. cmdline holds the argv elements, each
 * NUL-terminated. ppid/uid/gid are -1 / UINT32_MAX when unknown. */
typedef struct kcap_procinfo {
	int32_t pid, ppid;
	uint32_t uid, gid;
	int64_t start_ts;        /* 0 if unknown */
	const char *comm;
	const char *exe;
	const char *cwd;
	const char *cmdline;
	uint32_t cmdline_len;    /* bytes, including the NULs */
	uint32_t cmdline_count;  /* elements */
	uint32_t comm_len;       /* bytes of comm (it may hold a NUL; 0 when comm is NULL) */
} kcap_procinfo;

/* New empty tracker; NULL when out of memory. */
kcap_procstate *kcap_procstate_new(void);
void kcap_procstate_free(kcap_procstate *ps);

/* Forgets every process (e.g. between unrelated input files). */
void kcap_procstate_clear(kcap_procstate *ps);

/* Adds (or replaces) the processes of a snapshot in origin's process space.
 * snap may be NULL (no-op). The snapshot is copied. Returns 0, KCAP_E_INVAL
 * (ps NULL) or KCAP_E_NOMEM. kcap_procstate_load_snapshot() loads into
 * origin 0. */
int kcap_procstate_load_origin_snapshot(kcap_procstate *ps, uint16_t origin, const kcap_snapshot *snap);
int kcap_procstate_load_snapshot(kcap_procstate *ps, const kcap_snapshot *snap);

/* Forgets every process, then loads the snapshots of r's current section,
 * each origin's into its space: kcap_reader_snapshot_for() of every origin
 * (its own snapshot, else the section's snapshot without an origin), origin
 * 0 at least. Call it when r enters a section, before the section's first
 * event. Returns 0, KCAP_E_INVAL or KCAP_E_NOMEM. */
int kcap_procstate_load_reader(kcap_procstate *ps, const kcap_reader *r);
/* What a consumer of r's events calls before kcap_procstate_update() for
 * each event (or at least once per events block): when r is another reader
 * or in another section than at the last call, kcap_procstate_load_reader();
 * else the snapshot updates read since (format 1.2, type 9 blocks), each
 * origin's processes taken as the update gives them. A consumer that missed
 * updates (it skipped whole blocks) reloads the updated origins' snapshots.
 * kcap_procstate_clear() forgets the reader followed. Returns 0,
 * KCAP_E_INVAL or KCAP_E_NOMEM. */
int kcap_procstate_follow(kcap_procstate *ps, const kcap_reader *r);

/* Feeds one event (see the file comment). s is the schema the event was
 * decoded with; ev->def is used when set, else kcap_schema_type(s, type_id).
 * Returns 0 or KCAP_E_NOMEM (the tracker stays consistent; the event's effect
 * is partly lost). */
int kcap_procstate_update(kcap_procstate *ps, const kcap_event *ev, const kcap_schema *s);

/* Context of pid in origin's process space (pass ev->origin), or NULL if the
 * tracker knows nothing about it. The pointer is valid until the next
 * update/load/clear/free. kcap_procstate_get() looks in origin 0. */
const kcap_procinfo *kcap_procstate_get_origin(const kcap_procstate *ps, uint16_t origin, int32_t pid);
const kcap_procinfo *kcap_procstate_get(const kcap_procstate *ps, int32_t pid);

/* Number of processes currently tracked, all origins together (a process
 * of the section's snapshot counts once per origin that sees it). */
size_t kcap_procstate_count(const kcap_procstate *ps);

/* Number of entries the tracker holds: the section's snapshot is held once
 * however many origins see it, so this follows what the input holds (its
 * snapshots and the processes its events name), not its origin numbers. */
size_t kcap_procstate_entries(const kcap_procstate *ps);

/* 1 if the block may hold events the tracker consumes (fork, exec, chdir,
 * exit types present in its type set under schema s), else 0. Use it to keep
 * the context exact while skipping blocks. */
int kcap_procstate_block_needed(const kcap_block_summary *sum, const kcap_schema *s);

/* Appends the JSON member `"proc":{...}` (no leading comma) describing the
 * event's process (looked up in the event's origin): pid, ppid, uid, gid, comm, exe, cwd, cmdline (array of
 * strings), and "parent":{pid, comm, exe} when the parent is known. Unknown
 * values are null. Returns 0 or KCAP_E_NOMEM. */
int kcap_procstate_append_json(kcap_buf *b, const kcap_procstate *ps, const kcap_event *ev);

/* kcap_render_json() with the "proc" member added as the last key of the
 * event object (ps NULL: identical to kcap_render_json). */
int kcap_render_json_proc(kcap_buf *b, const kcap_event *ev, const kcap_schema *s, const kcap_procstate *ps);

/* kcap_render_csv() whose proc.* and parent.* columns come from ps (NULL:
 * empty, as in kcap_render_csv) and whose time column is written as st says
 * (NULL: UTC, as kcap_render_csv_style). Every name of the filter language is a
 * column (kcap_field_check() tells which are), besides "params". */
int kcap_render_csv_proc(kcap_buf *b, const kcap_event *ev, const kcap_schema *s, const char *const *fields,
                         const kcap_procstate *ps, kcap_time_style *st);

#ifdef __cplusplus
}
#endif
#endif
