/*
 * test_record_audit.c - end to end for the live audit recorder:
 *
 *  - `kcap record --source audit --follow -- kcap-workload OUT.json` must
 *    capture every action of the scripted workload with the field values
 *    the eBPF recorder test checks (pid, path, argv, flags, mode, fd,
 *    address, port, ret), only from the workload's process tree;
 *  - after every run (command exit, SIGTERM, a write error, a refusal) the
 *    kernel's audit rule list (AUDIT_LIST_RULES) and status (enabled, pid,
 *    backlog limit and wait, rate limit, failure) are what they were before;
 *  - when another process holds the audit daemon pid, the recorder refuses
 *    and names that pid.
 *
 * argv: KCAP WORKLOAD TMPDIR. Exits 77 (ctest SKIP), saying why, without
 * root, without the audit socket, or when auditd holds the audit pid.
 */
#include <check.h>
#include "check_run.h"
#include <errno.h>
#include <jansson.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <kcap/kcap.h>

#include "audit_netlink.h"
#include "expect.h"

static json_t *wl;
static char cap_path[4096];
static pid_t recorder_pid;

/* ---- the kernel's audit state, before and after ---- */

typedef struct audit_state {
	struct audit_status st;
	char *rules; /* every rule's data, length-prefixed, in list order */
	size_t len;
	size_t nrules;
} audit_state;

static void collect_rule(void *ud, const struct audit_rule_data *r, size_t len)
{
	audit_state *a = ud;
	char *n = realloc(a->rules, a->len + sizeof len + len);
	if (!n)
		abort();
	memcpy(n + a->len, &len, sizeof len);
	memcpy(n + a->len + sizeof len, r, len);
	a->rules = n;
	a->len += sizeof len + len;
	a->nrules++;
}

static int read_state(audit_state *a)
{
	int fd, rc;
	memset(a, 0, sizeof *a);
	if ((rc = anl_open(&fd, 0)) < 0)
		return rc;
	if ((rc = anl_get_status(fd, &a->st)) == 0)
		rc = anl_list_rules(fd, collect_rule, a);
	close(fd);
	return rc;
}

static void free_state(audit_state *a)
{
	free(a->rules);
	a->rules = NULL;
}

static audit_state before;

static void assert_restored(const char *after_what)
{
	audit_state now;
	ck_assert_int_eq(read_state(&now), 0);
	ck_assert_msg(now.st.enabled == before.st.enabled && now.st.pid == before.st.pid &&
	              now.st.backlog_limit == before.st.backlog_limit &&
	              now.st.backlog_wait_time == before.st.backlog_wait_time &&
	              now.st.rate_limit == before.st.rate_limit && now.st.failure == before.st.failure,
	              "after %s: audit status enabled=%u pid=%u backlog_limit=%u backlog_wait_time=%u rate_limit=%u "
	              "failure=%u, before enabled=%u pid=%u backlog_limit=%u backlog_wait_time=%u rate_limit=%u "
	              "failure=%u", after_what, now.st.enabled, now.st.pid, now.st.backlog_limit,
	              now.st.backlog_wait_time, now.st.rate_limit, now.st.failure, before.st.enabled, before.st.pid,
	              before.st.backlog_limit, before.st.backlog_wait_time, before.st.rate_limit, before.st.failure);
	ck_assert_msg(now.nrules == before.nrules && now.len == before.len &&
	              (!now.len || memcmp(now.rules, before.rules, now.len) == 0),
	              "after %s: %zu audit rules, %zu before (or their contents differ)", after_what, now.nrules,
	              before.nrules);
	free_state(&now);
}

/* ---- running kcap (rt_* in tests/workload/expect.h) ---- */

/* The capture and stderr file of one test: TMPDIR/record-audit-NAME.kcap, .err. */
static void scratch(const char *name, char path[4096], char errf[4096])
{
	snprintf(path, 4096, "%s/record-audit-%s.kcap", rt_tmpdir, name);
	snprintf(errf, 4096, "%s/record-audit-%s.err", rt_tmpdir, name);
}

static int record_workload(void)
{
	/* with --follow the rules stay system-wide (audit rules cannot follow a
	 * tree): a large backlog absorbs the rest of the machine's writes */
	static const char *const opts[] = { "--source", "audit", "-q", "-e", "process,file,net,user,write", "--follow",
	                                    "--buffer-size", "256M", NULL };
	wl = rt_record_workload("record-audit-test", opts, NULL, cap_path, sizeof cap_path, &recorder_pid);
	return wl ? 0 : -1;
}

/* Waits until the recorder started before is recording: it creates its
 * capture (path, unlinked before the start) only after its frontend has
 * added every rule, so the rules are all in once the file exists. Bounded
 * by 120 s, far above any start-up, so that a loaded machine cannot make
 * the test go on before the rules are in (the wait used to give up after
 * 5 s, and a test then ran its workload unaudited). */
static void wait_recording(const char *path, pid_t p)
{
	audit_state now = {0};
	int in = 0;
	for (int i = 0; i < 6000 && !in; i++) {
		ck_assert_msg(kill(p, 0) == 0, "the recorder exited before it began recording");
		ck_assert_int_eq(read_state(&now), 0);
		in = now.nrules > before.nrules && access(path, F_OK) == 0;
		free_state(&now);
		if (!in)
			usleep(20000);
	}
	ck_assert_msg(in, "the recorder did not begin recording within 120 s");
}

/* ---- the workload's actions (tests/workload/expect.h) ---- */

/* The fields the audit records carry for the workload's later actions (the
 * eBPF test checks more: audit logs no path for fd-based calls, no symlink
 * target, no memfd name, no argv for a failed execve, and cannot resolve a
 * path relative to a dirfd, which stays as given). */
static int pr_openat_dirfd(const kcap_event *ev, json_t *o)
{
	const char *want = wl_str(o, "path"), *base = strrchr(want, '/');
	return ev_str(ev, "path", base ? base + 1 : want) && ev_int(ev, "dirfd", wl_num(o, "dirfd")) &&
	       ev_int(ev, "ret", wl_num(o, "ret"));
}

static int pr_symlink(const kcap_event *ev, json_t *o)
{
	return ev_str(ev, "path", wl_str(o, "path")) && ev_int(ev, "ret", 0);
}

static int pr_ret(const kcap_event *ev, json_t *o)
{
	return ev_int(ev, "ret", wl_num(o, "ret"));
}

static int pr_exec_fail(const kcap_event *ev, json_t *o)
{
	return ev_str(ev, "path", wl_str(o, "path")) && ev_int(ev, "ret", wl_num(o, "ret"));
}

START_TEST(every_action_captured)
{
	static const expect_differing audit = {
		.openat_dirfd = pr_openat_dirfd, .fd_call = expect_fd_call, .symlink = pr_symlink, .memfd = pr_ret,
		.exec_fail = pr_exec_fail,
	};
	expect_common_actions(cap_path, wl);
	expect_differing_actions(cap_path, wl, &audit);
}
END_TEST

START_TEST(common_fields_and_scope)
{
	expect_scope sc;
	kcap_reader *rd = NULL;
	kcap_error err = {0};
	const kcap_event *ev;
	expect_scope_start(&sc, wl, recorder_pid);
	ck_assert_int_eq(kcap_reader_open_path(&rd, cap_path, &err), 0);
	while (kcap_reader_next(rd, &ev) == 1) {
		if (!expect_scope_event(&sc, ev))
			ck_assert_int_eq(ev->ppid, sc.me);
		/* audit timestamps have millisecond resolution */
		ck_assert_int_eq(ev->ts % 1000000, 0);
		ck_assert_int_lt(ev->type_id, 256); /* taxonomy types only */
		/* audit logs no thread id and no cpu */
		ck_assert_int_eq(ev->tid, ev->pid);
		ck_assert_uint_eq(ev->cpu, UINT32_MAX);
	}
	expect_scope_end(&sc);
	/* nothing lost, and both loss counters are in the file */
	int kernel = 0, gaps = 0;
	for (size_t i = 0; i < kcap_reader_stat_count(rd); i++) {
		const kcap_stat *s = kcap_reader_stat_at(rd, i);
		ck_assert_msg(s->lost == 0, "%s lost %llu", s->source, (unsigned long long)s->lost);
		if (!strcmp(s->source, "audit-kernel")) {
			kernel = 1;
			ck_assert_uint_ge(s->seen, sc.n);
		}
		if (!strcmp(s->source, "audit-serial-gap"))
			gaps = 1;
	}
	ck_assert_msg(kernel && gaps, "stats lack audit-kernel or audit-serial-gap");
	const kcap_meta *m = kcap_reader_meta(rd, 0);
	ck_assert_ptr_nonnull(m);
	ck_assert_str_eq(kcap_meta_get(m, KCAP_META_SOURCE), "audit");
	kcap_reader_close(rd);
}
END_TEST

START_TEST(restored_after_command)
{
	assert_restored("kcap record -- COMMAND");
}
END_TEST

/* Stopped by SIGTERM while recording system-wide: state restored and the
 * capture readable. */
START_TEST(restored_after_sigterm)
{
	char path[4096], errf[4096];
	scratch("sigterm", path, errf);
	unlink(path);
	const char *args[] = { "record", "--source", "audit", "-e", "file", "-o", path, NULL };
	pid_t p = rt_start(args, errf);
	ck_assert_int_gt(p, 0);
	wait_recording(path, p);
	rt_open_hostname(20);
	usleep(200000);
	kill(p, SIGTERM);
	int rc = rt_wait(p);
	ck_assert_msg(rc == 0 || rc == 4, "kcap record after SIGTERM exited with %d", rc);
	assert_restored("SIGTERM");
	kcap_reader *r = NULL;
	kcap_error err = {0};
	const kcap_event *ev;
	ck_assert_int_eq(kcap_reader_open_path(&r, path, &err), 0);
	int opens = 0, all = 0;
	while (kcap_reader_next(r, &ev) == 1) {
		all++;
		opens += ev->def && ev->pid == getpid() && !strcmp(ev->def->name, "openat");
	}
	kcap_reader_close(r);
	ck_assert_msg(opens >= 20, "%d openat events from the test (of %d events); kcap said: %s", opens, all, rt_slurp(errf));
	unlink(path);
}
END_TEST

/* The guardian of recorder p (tools/record_guard.h): its child named
 * kcap-guard, or -1. */
static pid_t guardian_of(pid_t p)
{
	for (int tries = 0; tries < 50; tries++) {
		DIR *d = opendir("/proc");
		struct dirent *e;
		pid_t found = -1;
		while (d && (e = readdir(d)) && found < 0) {
			char path[300], buf[512];
			snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
			FILE *f = fopen(path, "r");
			if (!f)
				continue;
			size_t n = fread(buf, 1, sizeof buf - 1, f);
			fclose(f);
			buf[n] = 0;
			int pid, ppid;
			char comm[64];
			if (sscanf(buf, "%d (%63[^)]) %*c %d", &pid, comm, &ppid) == 3 && ppid == p &&
			    !strcmp(comm, "kcap-guard"))
				found = pid;
		}
		if (d)
			closedir(d);
		if (found > 0)
			return found;
		usleep(20000);
	}
	return -1;
}

/* Waits until the recorder p has installed its rules and settings. */
static void wait_changed(void)
{
	audit_state now = {0};
	int changed = 0;
	for (int i = 0; i < 100 && !changed; i++) {
		usleep(50000);
		ck_assert_int_eq(read_state(&now), 0);
		changed = now.nrules > before.nrules && now.st.backlog_wait_time == 0 && now.st.enabled == 1;
		free_state(&now);
	}
	ck_assert_msg(changed, "the recorder did not install its rules and settings");
}

/* Whether the kernel's audit state is back to the one before (status and
 * rules) and the recorder's state file is gone. */
static int state_is_back(const char *state_file)
{
	audit_state now;
	if (read_state(&now) != 0)
		return 0;
	int back = now.st.enabled == before.st.enabled && now.st.backlog_limit == before.st.backlog_limit &&
	           now.st.backlog_wait_time == before.st.backlog_wait_time &&
	           now.st.rate_limit == before.st.rate_limit && now.nrules == before.nrules &&
	           now.len == before.len && (!now.len || memcmp(now.rules, before.rules, now.len) == 0) &&
	           access(state_file, F_OK) != 0;
	free_state(&now);
	return back;
}

/* kill -9 (as the OOM killer or a crash): the recorder's guardian restores
 * the rules and settings within a second and removes the state file. */
START_TEST(restored_by_guardian_after_sigkill)
{
	char path[4096], errf[4096], state_file[128];
	scratch("guardian", path, errf);
	const char *args[] = { "record", "--source", "audit", "-q", "-e", "file", "-o", path, NULL };
	pid_t p = rt_start(args, errf);
	ck_assert_int_gt(p, 0);
	wait_changed();
	snprintf(state_file, sizeof state_file, "/run/kcap/audit-record.%d", (int)p);
	ck_assert_msg(access(state_file, F_OK) == 0, "no %s while recording", state_file);
	ck_assert_msg(guardian_of(p) > 0, "the recorder has no kcap-guard child");
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	kill(p, SIGKILL);
	ck_assert_int_eq(rt_wait(p), 128 + SIGKILL);
	int back = 0;
	double secs = 0;
	while (!back && secs < 1.5) {
		back = state_is_back(state_file);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		secs = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
		if (!back)
			usleep(20000);
	}
	ck_assert_msg(back, "1.5 s after kill -9 the audit state is not restored (or %s remains); kcap said: %s",
	              state_file, rt_slurp(errf));
	printf("restored %.3f s after kill -9\n", secs);
	unlink(path);
}
END_TEST

/* SIGKILL cannot be caught: with its guardian killed too (a kill -9 of
 * both), the next recorder removes the rules and restores the settings the
 * killed one left. */
START_TEST(repaired_after_sigkill)
{
	char path[4096], errf[4096];
	scratch("sigkill", path, errf);
	const char *args[] = { "record", "--source", "audit", "-q", "-e", "file", "-o", path, NULL };
	pid_t p = rt_start(args, NULL);
	ck_assert_int_gt(p, 0);
	wait_changed();
	pid_t g = guardian_of(p);
	ck_assert_int_gt(g, 0);
	kill(g, SIGKILL); /* first, or it would restore at once */
	kill(p, SIGKILL);
	ck_assert_int_eq(rt_wait(p), 128 + SIGKILL);
	const char *args2[] = { "record", "--source", "audit", "-q", "-e", "file", "-o", path, "--", "true", NULL };
	int rc = rt_wait(rt_start(args2, errf));
	ck_assert_msg(rc == 0, "kcap record after a killed one exited with %d: %s", rc, rt_slurp(errf));
	const char *msg = rt_slurp(errf);
	ck_assert_msg(strstr(msg, "removed") && strstr(msg, "restored the audit settings"),
	              "no word of the repair: %s", msg);
	assert_restored("SIGKILL and the next run");
	unlink(path);
}
END_TEST

/* A backlog far too small for a burst: the kernel drops records, and the
 * loss is in the stats, the summary and the exit status (4). */
START_TEST(loss_is_counted)
{
	char path[4096], errf[4096];
	scratch("loss", path, errf);
	unlink(path);
	/* --buffer-size 4k: a 4 KiB socket buffer and the smallest backlog (1024) */
	const char *args[] = { "record", "--source", "audit", "-e", "openat,close", "--buffer-size", "4096", "-o", path,
	                       NULL };
	pid_t p = rt_start(args, errf);
	ck_assert_int_gt(p, 0);
	wait_recording(path, p);
	rt_open_hostname(100000);
	usleep(200000);
	kill(p, SIGTERM);
	int rc = rt_wait(p);
	const char *msg = rt_slurp(errf);
	ck_assert_msg(rc == 4, "kcap record exited with %d after losing records (4 expected): %s", rc, msg);
	ck_assert_msg(strstr(msg, "audit-kernel") != NULL, "the summary does not break the loss down: %s", msg);
	kcap_reader *r = NULL;
	kcap_error err = {0};
	ck_assert_int_eq(kcap_reader_open_path(&r, path, &err), 0);
	const kcap_event *ev;
	while (kcap_reader_next(r, &ev) == 1) /* stats blocks are read along */
		;
	uint64_t lost = 0;
	for (size_t i = 0; i < kcap_reader_stat_count(r); i++)
		if (!strcmp(kcap_reader_stat_at(r, i)->source, "audit-kernel"))
			lost += kcap_reader_stat_at(r, i)->lost;
	kcap_reader_close(r);
	ck_assert_msg(lost > 0, "no kernel loss in the capture's stats: %s", msg);
	assert_restored("a lossy recording");
	unlink(path);
}
END_TEST

/* A write error (no space: /dev/full) ends the recording: exit 1, state restored. */
START_TEST(restored_after_write_error)
{
	char errf[4096];
	snprintf(errf, sizeof errf, "%s/record-audit-full.err", rt_tmpdir);
	const char *args[] = { "record", "--source", "audit", "-e", "file", "--block-size", "4096", "-o", "/dev/full",
	                       "--", "sh", "-c", "for i in 1 2 3 4 5 6 7 8 9 10; do cat /etc/hostname; done", NULL };
	int rc = rt_wait(rt_start(args, errf));
	ck_assert_msg(rc == 1, "kcap record -o /dev/full exited with %d: %s", rc, rt_slurp(errf));
	assert_restored("a write error");
}
END_TEST

/* Someone else is the audit daemon: refuse, name the pid, change nothing. */
START_TEST(refuses_when_pid_held)
{
	int fd;
	char errf[4096], want[64];
	ck_assert_int_eq(anl_open(&fd, 0), 0);
	struct audit_status st = { .mask = AUDIT_STATUS_PID, .pid = (uint32_t)getpid() };
	ck_assert_int_eq(anl_set_status(fd, &st, NULL, NULL), 0);
	snprintf(errf, sizeof errf, "%s/record-audit-held.err", rt_tmpdir);
	const char *args[] = { "record", "--source", "audit", "-o", "/dev/null", "--", "true", NULL };
	int rc = rt_wait(rt_start(args, errf));
	st.pid = 0;
	ck_assert_int_eq(anl_set_status(fd, &st, NULL, NULL), 0);
	close(fd);
	const char *msg = rt_slurp(errf);
	snprintf(want, sizeof want, "held by process %d", (int)getpid());
	ck_assert_msg(rc == 1, "kcap record exited with %d while the audit pid was held", rc);
	ck_assert_msg(strstr(msg, want) != NULL, "message does not name the holder: %s", msg);
	assert_restored("a refusal");
}
END_TEST

int main(int argc, char **argv)
{
	int rc = rt_init(argc, argv, "test_record_audit", "kcap record --source audit: CAP_AUDIT_CONTROL");
	if (rc)
		return rc;
	rc = read_state(&before);
	if (rc < 0) {
		printf("SKIP: the audit netlink socket is not usable here: %s\n", strerror(-rc));
		return 77;
	}
	if (before.st.pid && (kill((pid_t)before.st.pid, 0) == 0 || errno == EPERM)) {
		printf("SKIP: process %u (an audit daemon such as auditd) holds the audit pid; not disturbing it\n",
		       before.st.pid);
		return 77;
	}
	if (before.st.enabled == 2) {
		printf("SKIP: the audit configuration is locked (enabled=2)\n");
		return 77;
	}
	if (record_workload() < 0)
		return EXIT_FAILURE;
	Suite *s = suite_create("record_audit");
	TCase *tc = rt_tcase(s, "workload");
	tcase_add_test(tc, restored_after_command);
	tcase_add_test(tc, every_action_captured);
	tcase_add_test(tc, common_fields_and_scope);
	tcase_add_test(tc, restored_after_sigterm);
	tcase_add_test(tc, restored_after_write_error);
	tcase_add_test(tc, repaired_after_sigkill);
	tcase_add_test(tc, restored_by_guardian_after_sigkill);
	tcase_add_test(tc, loss_is_counted);
	tcase_add_test(tc, refuses_when_pid_held);
	rc = rt_run_suite(s, wl, cap_path);
	free_state(&before);
	return rc;
}
