/*
 * filter.h - the kcap filter language (reference: docs/FILTER.md) and the
 * time literal parser shared by the query tools.
 *
 *   comm = "bash" and (ret < 0 or path startswith /etc/)
 *   dip in (10.0.0.0/8, ::1) and not dport in (53, 443)
 *   flags contains O_CREAT and proc.exe glob "/usr/bin/?*"
 *   ts >= 2026-11-21T10:00:00Z and ts < +1h30min
 *
 * An expression is compiled once (kcap_filter_compile) and then evaluated per
 * event (kcap_filter_match) without allocating, except the first time a given
 * event type is met (its param names are resolved lazily per type id and
 * cached; the cache is dropped when the schema or the type definition
 * changes) and when a scratch buffer must grow to hold the longest
 * stringified value seen so far.
 *
 * A filter handle is not thread-safe (it holds caches and scratch space); use
 * one per thread.
 */
#ifndef KCAP_FILTER_H
#define KCAP_FILTER_H

#include <kcap/kcap.h>
#include <kcap/procstate.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kcap_filter kcap_filter;

/* Compiles expr. On success *f is set and 0 returned. On failure *f is NULL
 * and a negative code is returned with err (may be NULL) filled:
 *  - KCAP_E_SYNTAX: err->column is the 1-based column of the offending token
 *    (the caller prints the expression with a caret under it), err->msg says
 *    what was expected;
 *  - KCAP_E_NOTFOUND: unknown field in the fixed namespaces (canonical,
 *    proc., parent.); err->column points at it and err->msg lists close
 *    matches ("did you mean ...");
 *  - KCAP_E_INVAL: bad literal (bad regex, CIDR, number, time);
 *  - KCAP_E_NOMEM.
 * Names that are not canonical fields are taken as param names; see
 * kcap_filter_check_schema() to reject those no type has. */
int kcap_filter_compile(kcap_filter **f, const char *expr, kcap_error *err);

/* Checks that name is a field of the filter language, as a column of CSV
 * output uses it (kcap_render_csv_proc): 0, or KCAP_E_SYNTAX/KCAP_E_NOTFOUND
 * with err->msg ("did you mean ..."). With s, a param name must be a param
 * of one of s's types (as kcap_filter_check_schema); without, only the
 * canonical, proc.* and parent.* names are checked. */
int kcap_field_check(const char *name, const kcap_schema *s, kcap_error *err);

/* Frees a filter; NULL is a no-op. */
void kcap_filter_free(kcap_filter *f);

/* Checks the filter against schema s. An empty schema (no types) passes.
 *  - KCAP_E_INVAL: a literal that no type having the param can read (a bad
 *    errno or symbol name, IP address, port, file mode, a number out of the
 *    param's range ...), whatever other inputs hold;
 *  - KCAP_E_NOTFOUND: a param name no type of s has, or a type or category
 *    name (=, !=, in) that neither s nor the standard taxonomy knows;
 * err->column is at the first offender and err->msg lists close matches
 * ("did you mean ..."). Otherwise 0. */
int kcap_filter_check_schema(const kcap_filter *f, const kcap_schema *s, kcap_error *err);

/* What kcap_filter_check_schema() passes but a user should hear of: a type
 * or category name (=, !=, in) that r's input does not hold, so nothing can
 * match it: its schema has no such type, or, when r's index is loaded, no
 * indexed block holds one. Call once r's schema is known. Returns 1 with
 * note->column and note->msg set for the first one, else 0. */
int kcap_filter_input_notes(const kcap_filter *f, const kcap_reader *r, kcap_error *note);

/* Evaluates the filter on one event: 1 if it matches, 0 if not. s is the
 * schema ev was decoded with (needed for param names and symbol sets). ps may
 * be NULL, in which case proc.* / parent.* fields are absent (a comparison on
 * an absent field is false). The caller must have fed ev to ps already
 * (kcap_procstate_update) when ps is given. */
int kcap_filter_match(kcap_filter *f, const kcap_event *ev, const kcap_schema *s, const kcap_procstate *ps);

/* Evaluates the filter on ev's canonical fields alone (seq, ts, pid, tid,
 * ppid, cpu, uid, gid, comm, type, category, host, source), without reading
 * its params: 1 if ev matches whatever its params and process context are,
 * 0 if it cannot match, -1 if they decide (then call kcap_filter_match on
 * the decoded event). Lets a reader skip decoding the params of events the
 * filter rejects anyway (kcap_reader_set_event_filter). */
int kcap_filter_match_head(kcap_filter *f, const kcap_event *ev, const kcap_schema *s);

/* 1 if the filter uses proc.* or parent.* fields (needs a tracker). */
int kcap_filter_uses_proc(const kcap_filter *f);

/* Anchors of relative time literals (+10s, -1h, 06:38): capture_start for
 * '+' offsets and times of day, capture_end for '-' offsets; now for now,
 * today, yesterday and "DURATION ago" (the caller's clock: the library never
 * reads one). A filter with relative literals whose anchor was never set
 * compares false on them; kcap_filter_time_anchors() says which anchors the
 * expression needs (KCAP_TIME_FROM_START, _FROM_END, _FROM_NOW bits). */
void kcap_filter_set_span(kcap_filter *f, int64_t capture_start, int64_t capture_end);
void kcap_filter_set_now(kcap_filter *f, int64_t now);
int kcap_filter_time_anchors(const kcap_filter *f);

/* Whether a block described by sum can hold a matching event under schema s:
 * 0 = certainly not (skip it without decompressing), 1 = maybe. Uses pid
 * equality/in-sets and ranges (Bloom filter, pid_min/pid_max), type and
 * category names (type bitmap), params that only some types have, and ts and
 * seq ranges. Conservative: any doubt answers 1. Not valid for an inverted
 * filter. Allocation-free. */
int kcap_filter_block_may_match(kcap_filter *f, const kcap_block_summary *sum, const kcap_schema *s);

/* How many events of the block described by sum match, from its counts
 * (format 1.4) alone: 1 with *n set when the summary settles it for every
 * event, 0 when the block must be read (no counts, or a predicate the
 * summary does not decide for some of its events). Decided from the summary:
 * type and category (counts per type), ts, seq and pid (ranges: a block
 * inside or outside a range, or holding one value; a pid the Bloom filter
 * rules out), a param no type of the block has, and their and/or/not.
 * Relative time literals are not resolved here: with one, 0. */
int kcap_filter_block_count(kcap_filter *f, const kcap_block_summary *sum, const kcap_schema *s, uint64_t *n);

#ifdef KCAP_EXPERIMENTAL_API
/* Whether the records of an events block (kcap_body_filter_fn, kcap.h's
 * experimental API) can hold a matching event under schema s: 0 =
 * certainly not (skip the block before its events are decoded), 1 = maybe.
 * A record stores comm and every string param (str, path, bytes) as their
 * bytes, so a predicate that needs one to equal, start with, end with or
 * contain a literal (=, in, startswith, endswith, contains; not negated)
 * cannot hold for any event of a block whose records lack the literal's
 * bytes; a param counts only when every type of s that has it has it as
 * such a string. Used through and/or/not as kcap_filter_block_may_match;
 * conservative, not valid for an inverted filter, allocation-free. */
int kcap_filter_body_may_match(kcap_filter *f, const uint8_t *records, size_t len, const kcap_schema *s);
#endif

/* Drops the per-type caches (call when a new schema replaces the old one at
 * the same address; a different schema pointer is detected by itself). */
void kcap_filter_reset_schema(kcap_filter *f);

/* ---- time literals ----------------------------------------------------- */

/* Anchors reported by kcap_parse_time_rel(): what a literal is relative to,
 * as bits. KCAP_TIME_DAY (with FROM_START or FROM_NOW) makes the value a
 * wall-clock time after midnight of that moment's day, in the local zone
 * (TZ), or in UTC with KCAP_TIME_UTC. */
enum {
	KCAP_TIME_ABS = 0,
	KCAP_TIME_FROM_START = 1,
	KCAP_TIME_FROM_END = 2,
	KCAP_TIME_FROM_NOW = 4,
	KCAP_TIME_DAY = 8,
	KCAP_TIME_UTC = 16,
};

/* The moments relative literals resolve against, in ns since the epoch;
 * INT64_MIN when unknown. The library never reads the clock: now is the
 * caller's (a tool's clock, or a fixed one in tests). */
typedef struct kcap_time_ref {
	int64_t start; /* the capture's first event */
	int64_t end;   /* its last event */
	int64_t now;
} kcap_time_ref;

/* Parses a time literal into ns since the epoch:
 *   1763719200000000000        ns since the epoch (more than 10 digits)
 *   1763719200                 seconds since the epoch (10 digits or fewer)
 *   @1763719200[.5]            seconds since the epoch, optional fraction
 *   2026-11-21T10:00:00Z       RFC 3339, fraction and zone (Z, +hh:mm, -hhmm)
 *   2026-11-21T10:00:00+01:00  the 'T' may be a space
 *   2026-11-21T10:00:00        local date-time (TZ), also "2026-11-21 10:00"
 *   2026-11-21                 local midnight
 *   06:38:12[.5]  06:38        local time of day on the capture's first day
 *                              (its date in TZ); with Z, UTC time on its UTC date
 *   now                        ref->now
 *   today yesterday tomorrow   local midnight of now's day, the day before, after
 *   "10 min ago"  2h ago       now minus a duration (blanks may part a number
 *                              from its unit, as journalctl writes it)
 *   +10s  +1h30min             offset from capture_start
 *   -90s  -1.5h                offset from capture_end
 * The offsets are durations as kcap_parse_duration() reads them (kcap.h):
 * +1h30min, -1.5s, +5m. A bare integer of 10 digits or fewer is seconds
 * since the epoch (as editcap and journalctl take them), a longer one ns.
 * capture_start/end may be INT64_MIN when unknown; a literal relative to an
 * unknown moment (to now, always, in kcap_parse_time) fails with
 * KCAP_E_INVAL. Errors: KCAP_E_SYNTAX/KCAP_E_INVAL with err->column
 * (1-based within s) and err->msg. */
int kcap_parse_time(const char *s, int64_t capture_start, int64_t capture_end, int64_t *out, kcap_error *err);

/* Same, without resolving: *anchor is a KCAP_TIME_* combination, *value the
 * absolute time, the signed offset in ns, or (KCAP_TIME_DAY) the ns after
 * midnight. */
int kcap_parse_time_rel(const char *s, int *anchor, int64_t *value, kcap_error *err);

/* Resolves what kcap_parse_time_rel() gave against ref (may be NULL for
 * absolute times): 0 and *out, or KCAP_E_INVAL when the anchor's moment is
 * unknown or the result out of range. */
int kcap_time_resolve(int anchor, int64_t value, const kcap_time_ref *ref, int64_t *out, kcap_error *err);

#ifdef __cplusplus
}
#endif
#endif
