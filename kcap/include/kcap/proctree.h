/*
 * proctree.h - the process tree of a capture (the query layer), as pstree
 * and Procmon show it: every process seen, from the snapshots plus the
 * fork/clone, exec and exit events (recognised by type and param name, as
 * procstate.h describes), with each exec of a pid in order, its start and
 * end, exit status or signal, and its event count.
 *
 * Processes are keyed by (origin name, pid): the origin name is the host
 * name of the event's metadata (or "" when it has none), so that after a
 * merge each host is a tree of its own. A pid seen again after its exit is
 * a new process.
 */
#ifndef KCAP_PROCTREE_H
#define KCAP_PROCTREE_H

#include <kcap/kcap.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kcap_proctree kcap_proctree;

/* One exec: when, the program and its argv (elements NUL-separated,
 * argv_len bytes with the NULs). */
typedef struct kcap_ptexec {
	int64_t ts;
	const char *exe;
	const char *argv;
	uint32_t argv_len;
} kcap_ptexec;

/* One process. Strings are owned by the tree; NULL when unknown.
 * start_ts/end_ts are 0 when unknown (a process of the snapshot started
 * before the capture; one that did not exit in it). exit_status is -1
 * unless it exited with a status, exit_signal 0 unless a signal ended it. */
typedef struct kcap_ptnode {
	const char *origin;
	int32_t pid, ppid;
	uint32_t uid;
	int64_t start_ts, end_ts;
	int exited, exit_status, exit_signal;
	int in_snapshot;
	const char *comm;
	const char *exe;           /* from the snapshot, before any exec */
	uint64_t events, matched;  /* events of the process; those marked matching */
	size_t nexecs;
	const kcap_ptexec *execs;
	size_t parent;             /* index of the parent, or SIZE_MAX (a root) */
	size_t nchildren;
	const size_t *children;    /* indexes, in start order */
} kcap_ptnode;

int kcap_proctree_new(kcap_proctree **t);
void kcap_proctree_free(kcap_proctree *t);
/* Adds the processes of a snapshot (origin: its host name, or NULL). */
int kcap_proctree_snapshot(kcap_proctree *t, const char *origin, const kcap_snapshot *snap);
/* Feeds one event, in order; matched marks it as matching a filter. 0 or KCAP_E_NOMEM. */
int kcap_proctree_add(kcap_proctree *t, const kcap_event *ev, const kcap_schema *s, int matched);
/* Links parents and children (call once everything is fed; nodes are valid
 * until the next add or free). 0 or KCAP_E_NOMEM. */
int kcap_proctree_finish(kcap_proctree *t);
size_t kcap_proctree_count(const kcap_proctree *t);
const kcap_ptnode *kcap_proctree_at(const kcap_proctree *t, size_t i);

#ifdef __cplusplus
}
#endif
#endif
