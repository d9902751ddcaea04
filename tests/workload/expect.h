/*
 * expect.h - checking a recorder's capture against the report of
 * kcap-workload (workload.c): the recorder tests of every frontend (eBPF in
 * tests/record, audit in tests/record_audit) look for each scripted action
 * with its exact field values through these helpers.
 *
 * It also holds the harness both tests run the recorder with (rt_*).
 *
 * Failures are Check assertions (ck_assert_msg), so these are called from
 * inside a Check test. The report is the JSON object kcap-workload wrote
 * (jansson, owned by the caller); captures are read by path.
 */
#ifndef KCAP_TESTS_WORKLOAD_EXPECT_H
#define KCAP_TESTS_WORKLOAD_EXPECT_H

#include <check.h>
#include <jansson.h>
#include <stddef.h>
#include <sys/types.h>

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

/* An fd-based call (fchmod, ftruncate, fchdir): fd, ret 0, and the mode
 * or length when the report has one. */
int expect_fd_call(const kcap_event *ev, json_t *o);

/* The actions frontends see differently, each checked with the frontend's
 * own predicate: the openat relative to a dirfd, the fd-based calls
 * (fchmod, ftruncate, fchdir), the symlink, the memfd, the failed exec. */
typedef struct expect_differing {
	expect_pred openat_dirfd, fd_call, symlink, memfd, exec_fail;
} expect_differing;
void expect_differing_actions(const char *capture, json_t *report, const expect_differing *p);

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

/* ---- running the recorder ---------------------------------------------- */

/* The test's arguments: the kcap binary, kcap-workload and a scratch directory. */
extern const char *rt_kcap, *rt_workload, *rt_tmpdir;

/* Reads argv (KCAP WORKLOAD TMPDIR) into rt_*. Returns 0, 2 after a usage
 * message naming prog, or 77 (ctest SKIP) after saying why when not root
 * (needs: what for). */
int rt_init(int argc, char **argv, const char *prog, const char *needs);
/* Starts kcap with args (NULL-terminated, without argv[0]); its stdout goes
 * to /dev/null, its stderr to errf when given. If the test dies (a failed
 * check, a timeout), kcap gets SIGTERM, so a recorder stops and undoes its
 * settings instead of running on. Returns the pid, or -1. */
pid_t rt_start(const char *const *args, const char *errf);
/* p's exit status, 128+signal when killed, or -1. */
int rt_wait(pid_t p);
/* rt_wait(rt_start(args, errf)). */
int rt_run(const char *errf, const char *const *args);
/* The start of path's contents (up to 8 KiB, in a buffer the next call
 * reuses); "" when it cannot be read. */
const char *rt_slurp(const char *path);
/* Waits (up to 10 s) until path exists: a recorder creates its output once
 * it is recording. */
void rt_wait_for_file(const char *path);
/* Opens and closes /etc/hostname n times: file events for a recorder. */
void rt_open_hostname(int n);
/* Runs `kcap record OPTS... -o TMPDIR/NAME.kcap -- WORKLOAD
 * TMPDIR/NAME.json EXTRA...` to the end and loads the workload's report.
 * cap receives the capture's path, *recorder the recorder's pid. NULL,
 * saying why on stderr, when kcap fails or the report does not load. */
json_t *rt_record_workload(const char *name, const char *const *opts, const char *const *extra, char *cap,
                           size_t capn, pid_t *recorder);
/* A test case of s with the recorder tests' timeout (120 s). */
TCase *rt_tcase(Suite *s, const char *name);
/* Runs s in this process (its tests share the one recording), then frees
 * report and, when every test passed, removes the capture cap. Returns
 * main()'s exit status. */
int rt_run_suite(Suite *s, json_t *report, const char *cap);

#endif
