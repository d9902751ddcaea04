/*
 * stats.h - summaries of a capture (the query layer): counts of events
 * grouped by fields, as aureport and sysdig's top chisels give them.
 *
 * A kcap_stats handle counts the events it is given (kcap_stats_add) into
 * tables. With a list of fields (kcap_stats_new's by) it holds one table
 * grouped by those fields, any name of the filter language (docs/FILTER.md:
 * canonical fields, params, sub-fields such as addr.ip, proc.*, parent.*).
 * Without, it holds the default report:
 *   processes  pid, comm                 events of each process
 *   programs   exe                       successful and failed execs (path)
 *   files      path                      opens, failed opens
 *   errors     errno                     failed syscalls (ret < 0) by errno name
 *   network    direction, address, port  connect/accept/send/recv peers:
 *                                        "out" (connect, sendto, sendmsg),
 *                                        "in" (accept, accept4, recvfrom,
 *                                        recvmsg), "bind" (bind)
 *   users      uid, user                 events per user (names from the snapshot)
 *   rate       minute                    events per minute (UTC), in time order
 * Rows are sorted by count, highest first, then by keys; rate by time.
 * Events are recognised by type and param name (as procstate does), so
 * captures of any source work.
 *
 * Not thread-safe; one handle per thread.
 */
#ifndef KCAP_STATS_H
#define KCAP_STATS_H

#include <kcap/kcap.h>
#include <kcap/procstate.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kcap_stats kcap_stats;

/* One group of a table. keys[i] is the text of column i (NUL-terminated,
 * control bytes as they were recorded), or NULL when the event had no such
 * field. failed counts the group's events whose ret was negative (programs,
 * files; 0 elsewhere). */
typedef struct kcap_stats_row {
	const char *const *keys;
	uint64_t count, failed;
} kcap_stats_row;

/* A table: its name, key columns, and whether it has a failed column. */
typedef struct kcap_stats_table {
	const char *name;
	size_t ncols;
	const char *const *cols;
	int has_failed;
} kcap_stats_table;

/* New handle. by: NULL-terminated field names (at most 8), or NULL for the
 * default report. Each name is checked with kcap_field_check() without a
 * schema: KCAP_E_NOTFOUND/KCAP_E_SYNTAX with err->msg; KCAP_E_INVAL for too
 * many or none; KCAP_E_NOMEM. */
int kcap_stats_new(kcap_stats **st, const char *const *by, kcap_error *err);
void kcap_stats_free(kcap_stats *st);

/* 1 if the fields need a process tracker (proc.*, parent.*). */
int kcap_stats_uses_proc(const kcap_stats *st);

/* 1 if every --by field is a canonical one (seq ts time pid tid ppid cpu
 * uid gid comm type category host source): an event can then be counted
 * from its head alone, in a reader's event filter (kcap_event_filter_fn),
 * without decoding its params. */
int kcap_stats_head_only(const kcap_stats *st);

/* Counts one event. s is the schema it was decoded with; ps may be NULL
 * (then proc.* and parent.* are absent), else already updated with ev.
 * Returns 0 or KCAP_E_NOMEM (the event is then not counted). */
int kcap_stats_add(kcap_stats *st, const kcap_event *ev, const kcap_schema *s, const kcap_procstate *ps);

/* Events counted, and their first and last ts (INT64_MAX / INT64_MIN when none). */
uint64_t kcap_stats_events(const kcap_stats *st, int64_t *first_ts, int64_t *last_ts);

/* Number of tables, and table i (NULL past the end). */
size_t kcap_stats_tables(const kcap_stats *st);
const kcap_stats_table *kcap_stats_table_at(const kcap_stats *st, size_t i);

/* The rows of table i, sorted (see above); *n their number. The array is
 * valid until the next kcap_stats_add or kcap_stats_free. NULL with *n = 0
 * when the table is empty, i is past the end, or memory ran out (then
 * *n = SIZE_MAX). */
const kcap_stats_row *kcap_stats_rows(kcap_stats *st, size_t i, size_t *n);

#ifdef __cplusplus
}
#endif
#endif
