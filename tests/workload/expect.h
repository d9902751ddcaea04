/*
 * expect.h - checking a recorder's capture against the report of
 * kcap-workload (workload.c): the recorder tests of every frontend (eBPF in
 * tests/record, audit in tests/record_audit) look for each scripted action
 * with its exact field values through these helpers.
 *
 * Failures are Check assertions (ck_assert_msg), so these are called from
 * inside a Check test. The report is the JSON object kcap-workload wrote
 * (jansson, owned by the caller); captures are read by path.
 */
#ifndef KCAP_TESTS_WORKLOAD_EXPECT_H
#define KCAP_TESTS_WORKLOAD_EXPECT_H

#include <jansson.h>

#include <kcap/kcap.h>

/* Loads the report kcap-workload wrote to path (the caller owns it:
 * json_decref); NULL, saying why on stderr, when it cannot. Not an
 * assertion: usable before the Check suite runs. */
json_t *wl_load(const char *path);
/* The report's object for one action (e.g. "open"); fails if absent. */
json_t *wl_obj(json_t *report, const char *key);
/* An integer / string member of a report object; fails if absent or of
 * another type. The string belongs to the report. */
long long wl_num(json_t *o, const char *key);
const char *wl_str(json_t *o, const char *key);

/* Whether the event's param name is present and equals want (signed or
 * unsigned integer; exact bytes; an IPv4 address "a.b.c.d" and port). */
int ev_int(const kcap_event *ev, const char *name, long long want);
int ev_str(const kcap_event *ev, const char *name, const char *want);
int ev_addr4(const kcap_event *ev, const char *name, const char *ip, long long port);
/* Whether the event's type is called name. */
int ev_type_is(const kcap_event *ev, const char *name);

/* Whether an event matches the report object o of one action. */
typedef int (*expect_pred)(const kcap_event *ev, json_t *o);

/* The predicate for an execve: path, ret and every argv string as the
 * report's "path", "ret" and "argv" say. */
int expect_exec(const kcap_event *ev, json_t *o);

/* Whether capture holds an event of type from pid that pred accepts
 * against o. Fails if the capture does not open. */
int expect_find(const char *capture, const char *type, long long pid, expect_pred pred, json_t *o);

/* Asserts expect_find() for the report's object key, naming the action in
 * the failure. */
void expect_event(const char *capture, json_t *report, const char *type, long long pid, expect_pred pred,
                  const char *key);

/* Asserts the actions every frontend records with the same fields: the
 * exec (with argv), open, write, close, rename, chmod, unlink, mkdir, rmdir,
 * connect, accept, sendto, setuid, kill, link, pipe2, dup3, socketpair, and
 * the clone() that created the exec and setuid children. What frontends see
 * differently (dirfd-relative paths, fd-based calls, symlink, memfd, the
 * failed exec, exit) each test checks itself. */
void expect_common_actions(const char *capture, json_t *report);

/* What every frontend's capture of the workload under --follow shows,
 * checked event by event between expect_scope_start() and _end(). */
typedef struct expect_scope {
	long long me, recorder; /* the workload's pid, the recorder's (its parent) */
	long long kids[4];      /* the workload's children: exec, setuid, kill target, failed exec */
	int kid_seen[4];
	int64_t prev, now;
	uint64_t n, mine;       /* events, of which from the workload itself */
} expect_scope;

void expect_scope_start(expect_scope *sc, json_t *report, long long recorder);
/* Asserts that ev is in timestamp order, at a recent wall-clock time, not
 * from the recorder, from the workload or a child of it, of a known type;
 * and, from the workload itself, that its parent is the recorder and its
 * uid 0. Returns 1 when ev is from the workload itself. */
int expect_scope_event(expect_scope *sc, const kcap_event *ev);
/* Asserts that every child was seen, more than 20 events, more than 15 of
 * them from the workload itself. */
void expect_scope_end(const expect_scope *sc);

#endif
