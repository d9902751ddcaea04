/*
 * audit_reassemble.h - groups audit records into events.
 *
 * Input-agnostic: it takes parsed records one at a time, whether they come
 * from audit.log lines or from netlink messages (one message = one record).
 *
 * Records belong to the same event when (node, timestamp, serial) are equal,
 * even when records of several events interleave or arrive out of order.
 * An event is complete on an EOE record (not kept), on PROCTITLE (the last
 * record the kernel writes), when it is a single standalone user-space or
 * daemon record, or when it falls out of the bounded window: more than
 * max_pending events open for its node, or (when window_ns is set) older
 * than window_ns behind the newest record time seen or given to _tick().
 * Log time is not a good clock for files (a log can be idle for minutes
 * between two records of interleaved events), so the importer bounds by
 * count only; a live source sets window_ns and ticks with the wall clock. Complete events are delivered in serial
 * order per node; a serial that is skipped when an event is delivered counts
 * as possibly lost (serials are compared modulo 2^32, so the rollover
 * 4294967295 -> 0 is not a gap). auditd numbers its own DAEMON_* records
 * (1200-1299) from a counter of its own: they are ordered apart from the
 * kernel's records and never counted as loss. A record for a serial already delivered is
 * delivered as an event of its own, "late", and not counted as loss.
 */
#ifndef KCAP_AUDIT_REASSEMBLE_H
#define KCAP_AUDIT_REASSEMBLE_H

#include <stdint.h>

#include "audit_record.h"

typedef struct kcap_audit_event {
	const char *node;      /* NULL when the records have no node= */
	uint32_t node_len;
	uint32_t serial;
	int64_t sec;
	uint32_t msec;
	uint8_t late;          /* its serial had already been delivered */
	uint32_t gap;          /* serials skipped just before this one (loss) */
	uint32_t nrecords;
	kcap_audit_record *const *records; /* in arrival order */
} kcap_audit_event;

/* Receives each complete event; the records are freed after it returns.
 * A negative return stops the reassembler: push/flush return that value. */
typedef int (*kcap_audit_event_fn)(void *ud, const kcap_audit_event *ev);

typedef struct kcap_audit_reasm_opts {
	uint32_t max_pending; /* open events per node; 0 = default 1024 */
	int64_t window_ns;    /* <= 0: no time window (count only) */
} kcap_audit_reasm_opts;

typedef struct kcap_audit_reasm kcap_audit_reasm;

/* opts may be NULL. Returns NULL on allocation failure. */
kcap_audit_reasm *kcap_audit_reasm_new(const kcap_audit_reasm_opts *opts, kcap_audit_event_fn fn, void *ud);
/* Frees pending events without delivering them. NULL is a no-op. */
void kcap_audit_reasm_free(kcap_audit_reasm *r);

/* Takes ownership of rec (freed even on error). Returns 0, KCAP_E_NOMEM, or
 * the negative value returned by the callback. */
int kcap_audit_reasm_push(kcap_audit_reasm *r, kcap_audit_record *rec);
/* Delivers events whose window has passed at log time now_ns (for live
 * sources where no new record may arrive for a while). */
int kcap_audit_reasm_tick(kcap_audit_reasm *r, int64_t now_ns);
/* Delivers every pending event (end of input). */
int kcap_audit_reasm_flush(kcap_audit_reasm *r);

typedef struct kcap_audit_reasm_stats {
	uint64_t records;   /* records pushed */
	uint64_t events;    /* events delivered */
	uint64_t lost;      /* serials skipped (possible loss), all nodes */
	uint64_t late;      /* events delivered late */
} kcap_audit_reasm_stats;
void kcap_audit_reasm_get_stats(const kcap_audit_reasm *r, kcap_audit_reasm_stats *st);

#endif
