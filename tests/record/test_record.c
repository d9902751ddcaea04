/* test_record.c - end to end: `kcap record --follow -- kcap-workload OUT.json`
 * must capture every action of the workload with its exact fields.
 * argv: KCAP WORKLOAD TMPDIR. Exits 77 (ctest SKIP) without root or without
 * the eBPF frontend in this build, saying why. */
#include <check.h>
#include "check_run.h"
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <kcap/kcap.h>
#include <kcap/procstate.h>
#include <kcap/taxonomy.h>

#include "expect.h"

static json_t *wl;           /* the workload's report */
static kcap_reader *rd;
static char cap_path[4096];
static pid_t recorder_pid;

/* Runs the recorder over the workload once for the whole suite. */
static int record_once(void)
{
	static const char *const opts[] = { "-q", "-e", "process,file,net,user,write", "--follow", NULL };
	static const char *const extra[] = { "--extended", NULL };
	if (!(wl = rt_record_workload("record-test", opts, extra, cap_path, sizeof cap_path, &recorder_pid)))
		return -1;
	kcap_error err = {0};
	if (kcap_reader_open_path(&rd, cap_path, &err) != 0) {
		fprintf(stderr, "FAIL: open %s: %s\n", cap_path, err.msg);
		return -1;
	}
	return 0;
}

/* ---- the workload's actions (tests/workload/expect.h) ---- */

/* The fields eBPF sees beyond the common ones: paths resolved against a
 * dirfd, the path behind an fd, symlink targets, memfd names. */
static int pr_openat_dirfd(const kcap_event *ev, json_t *o)
{
	return ev_str(ev, "path", wl_str(o, "path")) && ev_int(ev, "dirfd", wl_num(o, "dirfd")) &&
	       ev_int(ev, "ret", wl_num(o, "ret"));
}

static int pr_fd_path(const kcap_event *ev, json_t *o)
{
	return expect_fd_call(ev, o) && ev_str(ev, "path", wl_str(o, "path"));
}

static int pr_symlink(const kcap_event *ev, json_t *o)
{
	return ev_str(ev, "target", wl_str(o, "target")) && ev_str(ev, "path", wl_str(o, "path")) &&
	       ev_int(ev, "ret", 0);
}

static int pr_memfd(const kcap_event *ev, json_t *o)
{
	return ev_str(ev, "name", wl_str(o, "name")) && ev_int(ev, "ret", wl_num(o, "ret"));
}

static int pr_exit0(const kcap_event *ev, json_t *o)
{
	const kcap_value *r = kcap_event_param(ev, "ret");
	return ev_int(ev, "status", 0) && (!r || !r->present) && ev->uid == (uint32_t)wl_num(o, "uid");
}

START_TEST(every_action_captured)
{
	static const expect_differing ebpf = {
		.openat_dirfd = pr_openat_dirfd, .fd_call = pr_fd_path, .symlink = pr_symlink, .memfd = pr_memfd,
		.exec_fail = expect_exec,
	};
	expect_common_actions(cap_path, wl);
	expect_differing_actions(cap_path, wl, &ebpf);
	/* exit_group (no return value: recorded as the task leaves) */
	ck_assert_msg(expect_find(cap_path, "exit_group", wl_num(wl_obj(wl, "setuid"), "pid"), pr_exit0,
	                          wl_obj(wl, "setuid")),
	              "no exit_group(0) from the setuid child");
}
END_TEST

/* A task killed by a signal: exit_group with the signal, no status. */
static int pr_killed(const kcap_event *ev, json_t *o)
{
	const kcap_value *st = kcap_event_param(ev, "status");
	return ev_int(ev, "sig", wl_num(o, "sig")) && (!st || !st->present);
}

START_TEST(killed_children_exit)
{
	/* kill -TERM, kill -9 and a SIGSEGV of its own: each ends in an exit
	 * event with its signal, not on its last syscall */
	static const struct { const char *key, *pid_key; } k[] = {
		{ "kill", "target" }, { "sigkill", "pid" }, { "sigsegv", "pid" },
	};
	for (size_t i = 0; i < sizeof k / sizeof k[0]; i++) {
		json_t *o = wl_obj(wl, k[i].key);
		ck_assert_msg(expect_find(cap_path, "exit_group", wl_num(o, k[i].pid_key), pr_killed, o),
		              "no exit_group with sig %lld for the %s child (pid %lld)", wl_num(o, "sig"), k[i].key,
		              wl_num(o, k[i].pid_key));
	}
}
END_TEST

/* The process tracker over the capture: the workload's processes have a
 * cwd on every event (the snapshot's, inherited over fork, changed by its
 * chdir and fchdir), and the killed children are forgotten at their exit. */
START_TEST(cwd_and_exits_tracked)
{
	kcap_reader *r = NULL;
	kcap_error err = {0};
	const kcap_event *ev;
	kcap_procstate *ps = kcap_procstate_new();
	long long me = wl_num(wl, "pid");
	const char *dir = wl_str(wl, "dir");
	char file[4200];
	int loaded = 0, saw_open = 0, saw_after_fchdir = 0;
	uint64_t n = 0;
	snprintf(file, sizeof file, "%s/file.txt", dir);
	ck_assert_ptr_nonnull(ps);
	ck_assert_int_eq(kcap_reader_open_path(&r, cap_path, &err), 0);
	while (kcap_reader_next(r, &ev) == 1) {
		if (!loaded) {
			ck_assert_int_eq(kcap_procstate_load_reader(ps, r), 0);
			loaded = 1;
		}
		ck_assert_int_eq(kcap_procstate_update(ps, ev, kcap_reader_schema(r)), 0);
		if (ev->pid != me && ev->ppid != me)
			continue;
		const kcap_procinfo *pi = kcap_procstate_get_origin(ps, ev->origin, ev->pid);
		ck_assert_msg(pi && pi->cwd, "event seq %llu (%s of pid %d): proc.cwd unknown",
		              (unsigned long long)ev->seq, ev->def ? ev->def->name : "?", ev->pid);
		n++;
		/* the relative open after chdir(dir), and fchdir(dir) after chdir("/") */
		if (ev->pid == me && ev_type_is(ev, "openat") && ev_str(ev, "path", file)) {
			ck_assert_str_eq(pi->cwd, dir);
			saw_open = 1;
		}
		if (ev->pid == me && ev_type_is(ev, "symlink")) {
			ck_assert_str_eq(pi->cwd, dir);
			saw_after_fchdir = 1;
		}
	}
	ck_assert_uint_gt(n, 20);
	ck_assert(saw_open && saw_after_fchdir);
	ck_assert_ptr_null(kcap_procstate_get(ps, (int32_t)wl_num(wl_obj(wl, "sigkill"), "pid")));
	ck_assert_ptr_null(kcap_procstate_get(ps, (int32_t)wl_num(wl_obj(wl, "sigsegv"), "pid")));
	ck_assert_ptr_null(kcap_procstate_get(ps, (int32_t)wl_num(wl_obj(wl, "kill"), "target")));
	kcap_reader_close(r);
	kcap_procstate_free(ps);
}
END_TEST

START_TEST(common_fields_and_scope)
{
	expect_scope sc;
	const kcap_event *ev;
	expect_scope_start(&sc, wl, recorder_pid);
	while (kcap_reader_next(rd, &ev) == 1) {
		if (expect_scope_event(&sc, ev)) {
			ck_assert_int_eq(ev->tid, ev->pid);
			/* before its execve the child still has the recorder's comm */
			if (ev->comm_len == 13)
				ck_assert(memcmp(ev->comm, "kcap-workload", 13) == 0);
		}
		ck_assert_uint_lt(ev->cpu, 4096);
	}
	expect_scope_end(&sc);
	/* nothing lost, and the counters are in the file */
	size_t ns = kcap_reader_stat_count(rd);
	ck_assert_uint_gt(ns, 0);
	uint64_t seen = 0;
	for (size_t i = 0; i < ns; i++) {
		const kcap_stat *s = kcap_reader_stat_at(rd, i);
		ck_assert_uint_eq(s->lost, 0);
		if (!strcmp(s->source, "ringbuf"))
			seen += s->seen;
	}
	ck_assert_uint_eq(seen, sc.n);
	const kcap_meta *m = kcap_reader_meta(rd, 0);
	ck_assert_ptr_nonnull(m);
	ck_assert_str_eq(kcap_meta_get(m, KCAP_META_SOURCE), "ebpf");
	ck_assert_ptr_nonnull(kcap_meta_get(m, KCAP_META_BOOT_ID));
	ck_assert_ptr_nonnull(kcap_meta_get(m, KCAP_META_BOOT_OFFSET));
	const kcap_snapshot *snap = kcap_reader_snapshot(rd);
	ck_assert_ptr_nonnull(snap);
	ck_assert_uint_gt(kcap_snapshot_count(snap), 1);
}
END_TEST

/* ---- options, limits, stops and failures ---- */

static uint64_t last_seen, last_lost; /* ringbuf counters of the last count_events() */

/* Counts the events of a capture; *indexed tells whether it has a footer. */
static long count_events(const char *path, int *indexed, int *has_snapshot)
{
	kcap_reader *r = NULL;
	kcap_error err = {0};
	const kcap_event *ev;
	long n = 0;
	if (kcap_reader_open_path(&r, path, &err) != 0)
		return -1;
	while (kcap_reader_next(r, &ev) == 1)
		n++;
	if (indexed)
		*indexed = kcap_reader_get_stats(r)->has_footer;
	last_seen = last_lost = 0;
	for (size_t i = 0; i < kcap_reader_stat_count(r); i++) {
		const kcap_stat *st = kcap_reader_stat_at(r, i);
		if (!strcmp(st->source, "ringbuf"))
			last_seen += st->seen;
		last_lost += st->lost;
	}
	if (has_snapshot)
		*has_snapshot = kcap_reader_snapshot(r) && kcap_snapshot_count(kcap_reader_snapshot(r)) > 0 &&
		                kcap_reader_meta(r, 0) && kcap_schema_type(kcap_reader_schema(r), KCAP_EV_OPENAT);
	kcap_reader_close(r);
	return n;
}

static int file_contains(const char *path, const char *needle)
{
	return strstr(rt_slurp(path), needle) != NULL;
}

START_TEST(usage_errors)
{
	char err[4096];
	snprintf(err, sizeof err, "%s/usage.err", rt_tmpdir);
	ck_assert_int_eq(rt_run(err, (const char *[]){ "record", "--duration", "1s", NULL }), 2);
	ck_assert(file_contains(err, "-o FILE"));
	ck_assert_int_eq(rt_run(err, (const char *[]){ "record", "-o", "x", "--duration", "soon", NULL }), 2);
	ck_assert(file_contains(err, "kcap record: --duration 'soon': expected a duration (e.g. 500ms, 5m)"));
	ck_assert_int_eq(rt_run(err, (const char *[]){ "record", "-o", "x", "-e", "file,nosuch", NULL }), 2);
	ck_assert(file_contains(err, "unknown class or event 'nosuch'"));
	ck_assert_int_eq(rt_run(err, (const char *[]){ "record", "-o", "x", "--buffer-size", "3M", NULL }), 2);
	ck_assert_int_eq(rt_run(err, (const char *[]){ "record", "-o", "-", "--rotate-size", "1M", NULL }), 2);
	ck_assert_int_eq(rt_run(err, (const char *[]){ "record", "-o", "x", "--source", "etw", NULL }), 2);
	ck_assert_int_eq(rt_run(NULL, (const char *[]){ "record", "--help", NULL }), 0);
}
END_TEST

/* Activity for tests that record the whole system: on an idle machine
 * (a CI runner) nothing else would make events. */
static pid_t start_noise(void)
{
	pid_t p = fork();
	if (p == 0) {
		for (;;) {
			rt_open_hostname(1);
			usleep(1000);
		}
	}
	return p;
}

static void stop_noise(pid_t p)
{
	if (p > 0) {
		kill(p, SIGKILL);
		waitpid(p, NULL, 0);
	}
}

START_TEST(count_limit)
{
	char cap[4096];
	int indexed = 0;
	snprintf(cap, sizeof cap, "%s/count.kcap", rt_tmpdir);
	pid_t noise = start_noise();
	int rc = rt_run(NULL, (const char *[]){ "record", "-q", "--count", "25", "-o", cap, NULL });
	stop_noise(noise);
	ck_assert_msg(rc == 0, "exit %d", rc);
	ck_assert_int_eq(count_events(cap, &indexed, NULL), 25);
	ck_assert_int_eq(indexed, 1);
	unlink(cap);
}
END_TEST

/* Records the whole system (with noise) into TMPDIR/name.kcap for secs
 * seconds after the recorder has started, then sends it sig; returns its
 * wait status and leaves the path in cap. */
static int record_then_signal(const char *name, unsigned secs, int sig, char *cap, size_t capn)
{
	int status;
	snprintf(cap, capn, "%s/%s.kcap", rt_tmpdir, name);
	unlink(cap);
	pid_t noise = start_noise();
	pid_t p = rt_start((const char *[]){ "record", "-q", "-o", cap, NULL }, NULL);
	rt_wait_for_file(cap);
	sleep(secs);
	ck_assert_int_eq(kill(p, sig), 0);
	ck_assert_int_eq(waitpid(p, &status, 0), p);
	stop_noise(noise);
	return status;
}

START_TEST(sigint_stops_cleanly)
{
	char cap[4096];
	int indexed = 0, snap = 0;
	int status = record_then_signal("sigint", 1, SIGINT, cap, sizeof cap);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status 0x%x", status);
	long n = count_events(cap, &indexed, &snap);
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(indexed, 1);
	ck_assert_int_eq(snap, 1);
	/* everything the probes emitted before the stop was drained and written */
	ck_assert_uint_eq(last_lost, 0);
	ck_assert_uint_eq(last_seen, (uint64_t)n);
	unlink(cap);
}
END_TEST

START_TEST(kill9_leaves_readable_file)
{
	char cap[4096];
	int indexed = 1;
	/* blocks are flushed at least once a second */
	record_then_signal("kill9", 3, SIGKILL, cap, sizeof cap);
	ck_assert_int_gt(count_events(cap, &indexed, NULL), 0);
	ck_assert_int_eq(indexed, 0);
	unlink(cap);
}
END_TEST

START_TEST(rotation_keeps_newest)
{
	char cap[4096], f[4096];
	snprintf(cap, sizeof cap, "%s/rot.kcap", rt_tmpdir);
	for (int i = 0; i < 10; i++) {
		snprintf(f, sizeof f, "%s/rot-%06d.kcap", rt_tmpdir, i);
		unlink(f);
	}
	int rc = rt_run(NULL, (const char *[]){ "record", "-q", "--rotate-time", "1s", "--keep", "2", "--duration",
	                                           "3500ms", "-o", cap, NULL });
	ck_assert_msg(rc == 0, "exit %d", rc);
	int present = 0, newest = -1;
	for (int i = 0; i < 10; i++) {
		snprintf(f, sizeof f, "%s/rot-%06d.kcap", rt_tmpdir, i);
		if (access(f, F_OK) != 0)
			continue;
		int indexed = 0, snap = 0;
		present++;
		newest = i;
		ck_assert_int_ge(count_events(f, &indexed, &snap), 0);
		ck_assert_msg(indexed && snap, "%s: not complete on its own", f);
		unlink(f);
	}
	/* at least three files were made, the newest two kept */
	ck_assert_int_eq(present, 2);
	ck_assert_int_ge(newest, 2);
}
END_TEST

START_TEST(disk_full_stops_with_error)
{
	char mnt[2048], cap[4096], err[4096], cmd[4200];
	snprintf(mnt, sizeof mnt, "%s/full", rt_tmpdir);
	snprintf(cap, sizeof cap, "%s/x.kcap", mnt);
	snprintf(err, sizeof err, "%s/full.err", rt_tmpdir);
	mkdir(mnt, 0755);
	snprintf(cmd, sizeof cmd, "mount -t tmpfs -o size=192k kcaptest %s", mnt);
	if (system(cmd) != 0) {
		printf("SKIP (disk_full): cannot mount a small tmpfs at %s\n", mnt);
		return;
	}
	/* plenty of events: a child opening and closing a file until stopped */
	pid_t loop = fork();
	if (loop == 0) {
		for (;;) {
			int fd = open("/dev/null", O_RDONLY);
			if (fd >= 0)
				close(fd);
		}
	}
	int rc = rt_run(err, (const char *[]){ "record", "-q", "-e", "all", "--block-size", "32k", "--duration", "60s",
	                                          "-o", cap, NULL });
	kill(loop, SIGKILL);
	waitpid(loop, NULL, 0);
	long n = count_events(cap, NULL, NULL);
	snprintf(cmd, sizeof cmd, "umount %s", mnt);
	ck_assert_int_eq(system(cmd), 0);
	rmdir(mnt);
	/* what did not reach the disk is lost: exit 4 (docs/CLI.md) */
	ck_assert_int_eq(rc, 4);
	ck_assert(file_contains(err, "No space left on device"));
	ck_assert(file_contains(err, "recording stopped"));
	ck_assert_int_gt(n, 0);
}
END_TEST

/* A child that waits for a byte on a pipe, then (optionally) renames
 * itself and drops to uid 65534, opens path and exits. */
static pid_t filter_child(const char *comm, int drop, const char *path, int *release)
{
	int p[2];
	if (pipe(p) < 0)
		return -1;
	pid_t c = fork();
	if (c == 0) {
		char b;
		close(p[1]);
		if (read(p[0], &b, 1) != 1)
			_exit(1);
		if (comm)
			prctl(PR_SET_NAME, comm, 0, 0, 0);
		if (drop && setresuid(65534, 65534, 65534) != 0)
			_exit(1);
		int fd = open(path, O_RDONLY);
		_exit(fd >= 0 || errno == ENOENT ? 0 : 1);
	}
	close(p[0]);
	*release = p[1];
	return c;
}

/* Records with one filter while a matching child and a non-matching one
 * (this process) act; every event must match and the child's open must be
 * there. */
static void check_filter(const char *opt, const char *val_fmt, const char *comm, int drop)
{
	char cap[4096], path[4096], val[64];
	int rel, status;
	snprintf(cap, sizeof cap, "%s/filter.kcap", rt_tmpdir);
	snprintf(path, sizeof path, "%s/filter-%s-target", rt_tmpdir, opt + 2);
	pid_t c = filter_child(comm, drop, path, &rel);
	ck_assert_int_gt(c, 0);
	snprintf(val, sizeof val, val_fmt, (int)c);
	unlink(cap);
	char errf[4200];
	snprintf(errf, sizeof errf, "%s.err", cap);
	pid_t r = rt_start((const char *[]){ "record", "-q", opt, val, "--duration", "3s", "-o", cap, NULL }, errf);
	rt_wait_for_file(cap);
	usleep(100000);
	int fd = open(path, O_RDONLY); /* from the test itself: must not match */
	if (fd >= 0)
		close(fd);
	ck_assert_int_eq(write(rel, "g", 1), 1);
	close(rel);
	ck_assert_int_eq(waitpid(c, &status, 0), c);
	ck_assert_int_eq(waitpid(r, &status, 0), r);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		ck_abort_msg("%s: recorder status 0x%x: %s", opt, status, rt_slurp(errf));
	kcap_reader *rd2 = NULL;
	kcap_error err = {0};
	const kcap_event *ev;
	int opens = 0;
	long n = 0;
	ck_assert_int_eq(kcap_reader_open_path(&rd2, cap, &err), 0);
	while (kcap_reader_next(rd2, &ev) == 1) {
		n++;
		if (!strcmp(opt, "--pid"))
			ck_assert_int_eq(ev->pid, c);
		if (!strcmp(opt, "--uid"))
			ck_assert_uint_eq(ev->uid, 65534);
		if (!strcmp(opt, "--comm"))
			ck_assert(ev->comm_len == strlen(comm) && !memcmp(ev->comm, comm, ev->comm_len));
		if (ev_type_is(ev, "openat") && ev_str(ev, "path", path)) {
			ck_assert_int_eq(ev->pid, c);
			opens++;
		}
	}
	kcap_reader_close(rd2);
	ck_assert_msg(opens == 1, "%s: %d opens of %s in %ld events", opt, opens, path, n);
	unlink(cap);
}

START_TEST(filter_pid)
{
	check_filter("--pid", "%d", NULL, 0);
}
END_TEST

START_TEST(filter_comm)
{
	check_filter("--comm", "kcap-filtertst", "kcap-filtertst", 0);
}
END_TEST

START_TEST(filter_uid)
{
	check_filter("--uid", "65534", NULL, 1);
}
END_TEST

int main(int argc, char **argv)
{
	int rc = rt_init(argc, argv, "test_record", "kcap record: or CAP_BPF and CAP_PERFMON");
	if (rc)
		return rc;
#ifndef RECORD_EBPF_BUILT
	printf("SKIP: the eBPF frontend is not in this build (clang, bpftool or libbpf missing at configure time)\n");
	return 77;
#endif
	if (access("/sys/kernel/btf/vmlinux", R_OK) != 0) {
		printf("SKIP: the kernel has no BTF (/sys/kernel/btf/vmlinux), which the CO-RE probes need\n");
		return 77;
	}
	if (record_once() < 0)
		return EXIT_FAILURE;
	Suite *s = suite_create("record");
	TCase *tc = rt_tcase(s, "workload");
	tcase_add_test(tc, every_action_captured);
	tcase_add_test(tc, common_fields_and_scope);
	tcase_add_test(tc, killed_children_exit);
	tcase_add_test(tc, cwd_and_exits_tracked);
	TCase *to = rt_tcase(s, "options");
	tcase_add_test(to, usage_errors);
	tcase_add_test(to, count_limit);
	tcase_add_test(to, sigint_stops_cleanly);
	tcase_add_test(to, kill9_leaves_readable_file);
	tcase_add_test(to, rotation_keeps_newest);
	tcase_add_test(to, disk_full_stops_with_error);
	tcase_add_test(to, filter_pid);
	tcase_add_test(to, filter_comm);
	tcase_add_test(to, filter_uid);
	rc = rt_run_suite(s, wl, cap_path);
	kcap_reader_close(rd);
	return rc;
}
