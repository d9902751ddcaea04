/* expect.c - see expect.h. */
#include "expect.h"

#include <check.h>
#include "check_run.h"
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

json_t *wl_load(const char *path)
{
	json_error_t je;
	json_t *report = json_load_file(path, 0, &je);
	if (!report)
		fprintf(stderr, "FAIL: workload report %s: %s\n", path, je.text);
	return report;
}

json_t *wl_obj(json_t *report, const char *key)
{
	json_t *o = json_object_get(report, key);
	ck_assert_msg(o != NULL, "workload report lacks %s", key);
	return o;
}

long long wl_num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	ck_assert_msg(json_is_integer(v), "workload report: %s is not an integer", key);
	return json_integer_value(v);
}

const char *wl_str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	ck_assert_msg(json_is_string(v), "workload report: %s is not a string", key);
	return json_string_value(v);
}

int ev_int(const kcap_event *ev, const char *name, long long want)
{
	const kcap_value *v = kcap_event_param(ev, name);
	if (!v || !v->present)
		return 0;
	return kcap_ptype_is_signed(v->type) ? v->i == want : (long long)v->u == want;
}

int ev_str(const kcap_event *ev, const char *name, const char *want)
{
	const kcap_value *v = kcap_event_param(ev, name);
	return v && v->present && v->len == strlen(want) && memcmp(v->p, want, v->len) == 0;
}

int ev_addr4(const kcap_event *ev, const char *name, const char *ip, long long port)
{
	const kcap_value *v = kcap_event_param(ev, name);
	unsigned char a[4];
	if (!v || !v->present || v->af != KCAP_AF_INET || sscanf(ip, "%hhu.%hhu.%hhu.%hhu", &a[0], &a[1], &a[2], &a[3]) != 4)
		return 0;
	return memcmp(v->addr, a, 4) == 0 && v->port == port;
}

int ev_type_is(const kcap_event *ev, const char *name)
{
	return ev->def && strcmp(ev->def->name, name) == 0;
}

int expect_find(const char *capture, const char *type, long long pid, expect_pred pred, json_t *o)
{
	kcap_reader *r = NULL;
	kcap_error err = {0};
	const kcap_event *ev;
	int hit = 0;
	ck_assert_msg(kcap_reader_open_path(&r, capture, &err) == 0, "open %s: %s", capture, err.msg);
	while (!hit && kcap_reader_next(r, &ev) == 1)
		hit = ev_type_is(ev, type) && ev->pid == pid && pred(ev, o);
	kcap_reader_close(r);
	return hit;
}

void expect_event(const char *capture, json_t *report, const char *type, long long pid, expect_pred pred,
                  const char *key)
{
	ck_assert_msg(expect_find(capture, type, pid, pred, wl_obj(report, key)),
	              "no %s event from pid %lld matching the workload's %s", type, pid, key);
}

/* ---- the actions every frontend sees alike ---- */

int expect_exec(const kcap_event *ev, json_t *o)
{
	const kcap_value *a = kcap_event_param(ev, "argv");
	json_t *av = json_object_get(o, "argv");
	if (!a || !a->present || a->count != json_array_size(av))
		return 0;
	const char *p = (const char *)a->p;
	for (size_t i = 0; i < json_array_size(av); i++) {
		const char *w = json_string_value(json_array_get(av, i));
		if (strcmp(p, w) != 0)
			return 0;
		p += strlen(p) + 1;
	}
	return ev_str(ev, "path", wl_str(o, "path")) && ev_int(ev, "ret", wl_num(o, "ret")) &&
	       ev_int(ev, "argv_truncated", 0);
}

static int pr_open(const kcap_event *ev, json_t *o)
{
	return ev_str(ev, "path", wl_str(o, "path")) && ev_int(ev, "flags", wl_num(o, "flags")) &&
	       ev_int(ev, "mode", wl_num(o, "mode")) && ev_int(ev, "ret", wl_num(o, "ret")) && ev_int(ev, "dirfd", -100);
}

static int pr_write(const kcap_event *ev, json_t *o)
{
	return ev_int(ev, "fd", wl_num(o, "fd")) && ev_int(ev, "count", wl_num(o, "count")) &&
	       ev_int(ev, "ret", wl_num(o, "ret"));
}

static int pr_close(const kcap_event *ev, json_t *o)
{
	return ev_int(ev, "fd", wl_num(o, "fd")) && ev_int(ev, "ret", 0);
}

static int pr_rename(const kcap_event *ev, json_t *o)
{
	return ev_str(ev, "oldpath", wl_str(o, "oldpath")) && ev_str(ev, "newpath", wl_str(o, "newpath")) &&
	       ev_int(ev, "ret", 0);
}

static int pr_path_mode(const kcap_event *ev, json_t *o)
{
	return ev_str(ev, "path", wl_str(o, "path")) && ev_int(ev, "mode", wl_num(o, "mode")) && ev_int(ev, "ret", 0);
}

static int pr_path(const kcap_event *ev, json_t *o)
{
	return ev_str(ev, "path", wl_str(o, "path")) && ev_int(ev, "ret", 0);
}

static int pr_addr(const kcap_event *ev, json_t *o)
{
	return ev_int(ev, "fd", wl_num(o, "fd")) && ev_addr4(ev, "addr", wl_str(o, "addr"), wl_num(o, "port")) &&
	       ev_int(ev, "ret", wl_num(o, "ret"));
}

static int pr_sendto(const kcap_event *ev, json_t *o)
{
	return pr_addr(ev, o) && ev_int(ev, "size", wl_num(o, "size"));
}

static int pr_setuid(const kcap_event *ev, json_t *o)
{
	return ev_int(ev, "uid", wl_num(o, "uid")) && ev_int(ev, "ret", wl_num(o, "ret")) &&
	       ev->uid == (uint32_t)wl_num(o, "uid");
}

static int pr_kill(const kcap_event *ev, json_t *o)
{
	return ev_int(ev, "target", wl_num(o, "target")) && ev_int(ev, "sig", wl_num(o, "sig")) && ev_int(ev, "ret", 0);
}

static int pr_child(const kcap_event *ev, json_t *o)
{
	return ev_int(ev, "child_pid", wl_num(o, "pid")) && ev_int(ev, "ret", wl_num(o, "pid"));
}

static int pr_fdpair(const kcap_event *ev, json_t *o)
{
	json_t *f = json_object_get(o, "flags");
	return ev_int(ev, "fd0", wl_num(o, "fd0")) && ev_int(ev, "fd1", wl_num(o, "fd1")) && ev_int(ev, "ret", 0) &&
	       (!f || ev_int(ev, "flags", wl_num(o, "flags")));
}

static int pr_dup3(const kcap_event *ev, json_t *o)
{
	return ev_int(ev, "oldfd", wl_num(o, "oldfd")) && ev_int(ev, "newfd", wl_num(o, "newfd")) &&
	       ev_int(ev, "ret", wl_num(o, "ret"));
}

void expect_common_actions(const char *capture, json_t *report)
{
	static const struct {
		const char *type, *key;
		expect_pred pred;
		int own_pid; /* from the action's own "pid" (a child), not the workload's */
	} acts[] = {
		{ "execve", "exec", expect_exec, 1 },
		{ "openat", "open", pr_open, 0 },
		{ "write", "write", pr_write, 0 },
		{ "close", "close", pr_close, 0 },
		{ "rename", "rename", pr_rename, 0 },
		{ "chmod", "chmod", pr_path_mode, 0 },
		{ "unlink", "unlink", pr_path, 0 },
		{ "mkdir", "mkdir", pr_path_mode, 0 },
		{ "rmdir", "rmdir", pr_path, 0 },
		{ "connect", "connect", pr_addr, 0 },
		{ "accept", "accept", pr_addr, 0 },
		{ "sendto", "sendto", pr_sendto, 0 },
		{ "setuid", "setuid", pr_setuid, 1 },
		{ "kill", "kill", pr_kill, 0 },
		{ "link", "link", pr_rename, 0 },
		{ "pipe2", "pipe2", pr_fdpair, 0 },
		{ "dup3", "dup3", pr_dup3, 0 },
		{ "socketpair", "socketpair", pr_fdpair, 0 },
	};
	long long me = wl_num(report, "pid");
	for (size_t i = 0; i < sizeof acts / sizeof acts[0]; i++) {
		long long pid = acts[i].own_pid ? wl_num(wl_obj(report, acts[i].key), "pid") : me;
		expect_event(capture, report, acts[i].type, pid, acts[i].pred, acts[i].key);
	}
	/* the children were created by clone() (glibc fork) from the workload */
	ck_assert_msg(expect_find(capture, "clone", me, pr_child, wl_obj(report, "exec")),
	              "no clone event creating the exec child");
	ck_assert_msg(expect_find(capture, "clone", me, pr_child, wl_obj(report, "setuid")),
	              "no clone event creating the setuid child");
}

/* ---- scope and common fields ---- */

void expect_scope_start(expect_scope *sc, json_t *report, long long recorder)
{
	*sc = (expect_scope){
		.me = wl_num(report, "pid"),
		.recorder = recorder,
		.kids = { wl_num(wl_obj(report, "exec"), "pid"), wl_num(wl_obj(report, "setuid"), "pid"),
		          wl_num(wl_obj(report, "kill"), "target"), wl_num(wl_obj(report, "exec_fail"), "pid") },
		.prev = INT64_MIN,
		.now = (int64_t)time(NULL) * 1000000000LL,
	};
}

int expect_scope_event(expect_scope *sc, const kcap_event *ev)
{
	sc->n++;
	ck_assert_msg(ev->ts >= sc->prev, "event seq %llu out of timestamp order", (unsigned long long)ev->seq);
	sc->prev = ev->ts;
	/* wall clock, within the last minute */
	ck_assert_msg(ev->ts > sc->now - 60000000000LL && ev->ts < sc->now + 5000000000LL,
	              "ts %lld is not recent wall time", (long long)ev->ts);
	ck_assert_msg(ev->pid != sc->recorder, "event from the recorder itself");
	/* --follow: the workload and its children (under ASan, LeakSanitizer
	 * adds a child of its own) */
	ck_assert_msg(ev->pid == sc->me || ev->ppid == sc->me, "event from pid %d outside the followed tree", ev->pid);
	ck_assert_ptr_nonnull(ev->def);
	for (int k = 0; k < 4; k++)
		sc->kid_seen[k] |= ev->pid == sc->kids[k];
	if (ev->pid != sc->me)
		return 0;
	sc->mine++;
	ck_assert_int_eq(ev->ppid, sc->recorder);
	ck_assert_uint_eq(ev->uid, 0);
	return 1;
}

void expect_scope_end(const expect_scope *sc)
{
	ck_assert_msg(sc->kid_seen[0] && sc->kid_seen[1] && sc->kid_seen[2] && sc->kid_seen[3],
	              "events of the workload's children: exec %d, setuid %d, kill target %d, failed exec %d",
	              sc->kid_seen[0], sc->kid_seen[1], sc->kid_seen[2], sc->kid_seen[3]);
	ck_assert_uint_gt(sc->n, 20);
	ck_assert_uint_gt(sc->mine, 15);
}

int expect_fd_call(const kcap_event *ev, json_t *o)
{
	json_t *m = json_object_get(o, "mode"), *l = json_object_get(o, "length");
	return ev_int(ev, "fd", wl_num(o, "fd")) && ev_int(ev, "ret", 0) &&
	       (!m || ev_int(ev, "mode", wl_num(o, "mode"))) && (!l || ev_int(ev, "length", wl_num(o, "length")));
}

void expect_differing_actions(const char *capture, json_t *report, const expect_differing *p)
{
	long long me = wl_num(report, "pid");
	expect_event(capture, report, "openat", me, p->openat_dirfd, "openat_dirfd");
	expect_event(capture, report, "fchmod", me, p->fd_call, "fchmod");
	expect_event(capture, report, "ftruncate", me, p->fd_call, "ftruncate");
	expect_event(capture, report, "fchdir", me, p->fd_call, "fchdir");
	expect_event(capture, report, "symlink", me, p->symlink, "symlink");
	expect_event(capture, report, "memfd_create", me, p->memfd, "memfd_create");
	expect_event(capture, report, "execve", wl_num(wl_obj(report, "exec_fail"), "pid"), p->exec_fail, "exec_fail");
}

/* ---- running the recorder ---- */

const char *rt_kcap, *rt_workload, *rt_tmpdir;

int rt_init(int argc, char **argv, const char *prog, const char *needs)
{
	if (argc < 4) {
		fprintf(stderr, "usage: %s KCAP WORKLOAD TMPDIR\n", prog);
		return 2;
	}
	rt_kcap = argv[1];
	rt_workload = argv[2];
	rt_tmpdir = argv[3];
	if (geteuid() != 0) {
		printf("SKIP: %s needs root (%s); running as uid %d\n", prog, needs, (int)geteuid());
		return 77;
	}
	return 0;
}

pid_t rt_start(const char *const *args, const char *errf)
{
	pid_t p = fork();
	if (p != 0)
		return p;
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	const char *av[32];
	int n = 0;
	av[n++] = rt_kcap;
	while (*args && n < 31)
		av[n++] = *args++;
	av[n] = NULL;
	int nul = open("/dev/null", O_WRONLY);
	if (nul >= 0)
		dup2(nul, 1);
	if (errf) {
		int fd = open(errf, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0)
			dup2(fd, 2);
	}
	execv(rt_kcap, (char *const *)av);
	_exit(126);
}

int rt_wait(pid_t p)
{
	int status;
	if (p < 0 || waitpid(p, &status, 0) != p)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int rt_run(const char *errf, const char *const *args)
{
	return rt_wait(rt_start(args, errf));
}

const char *rt_slurp(const char *path)
{
	static char buf[8192];
	FILE *f = fopen(path, "r");
	size_t n = 0;
	if (f) {
		n = fread(buf, 1, sizeof buf - 1, f);
		fclose(f);
	}
	buf[n] = 0;
	return buf;
}

void rt_wait_for_file(const char *path)
{
	for (int i = 0; i < 200 && access(path, F_OK) != 0; i++)
		usleep(50000);
}

void rt_open_hostname(int n)
{
	for (int i = 0; i < n; i++) {
		int fd = open("/etc/hostname", O_RDONLY);
		if (fd >= 0)
			close(fd);
	}
}

json_t *rt_record_workload(const char *name, const char *const *opts, const char *const *extra, char *cap,
                           size_t capn, pid_t *recorder)
{
	char report[4096];
	const char *args[32];
	int n = 0;
	snprintf(cap, capn, "%s/%s.kcap", rt_tmpdir, name);
	snprintf(report, sizeof report, "%s/%s.json", rt_tmpdir, name);
	unlink(cap);
	unlink(report);
	args[n++] = "record";
	while (*opts && n < 24)
		args[n++] = *opts++;
	args[n++] = "-o";
	args[n++] = cap;
	args[n++] = "--";
	args[n++] = rt_workload;
	args[n++] = report;
	while (extra && *extra && n < 31)
		args[n++] = *extra++;
	args[n] = NULL;
	*recorder = rt_start(args, NULL);
	int rc = rt_wait(*recorder);
	if (rc != 0) {
		fprintf(stderr, "FAIL: kcap record exited with %d\n", rc);
		return NULL;
	}
	return wl_load(report);
}

TCase *rt_tcase(Suite *s, const char *name)
{
	TCase *tc = tcase_create(name);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	return tc;
}

int rt_run_suite(Suite *s, json_t *report, const char *cap)
{
	int failed = kcap_check_failures(s, CK_NOFORK);
	json_decref(report);
	if (!failed)
		unlink(cap);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
