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
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <kcap/kcap.h>

#include "audit_netlink.h"
#include "expect.h"

static const char *kcap_bin, *workload_bin, *tmpdir;

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

/* ---- running kcap ---- */

/* Starts kcap with argv (NULL-terminated, without argv[0]); stderr to errf. */
static pid_t start_kcap(const char *const *args, const char *errf)
{
	pid_t p = fork();
	if (p < 0)
		return -1;
	if (p == 0) {
		/* If the test dies (a failed check, a timeout), the recorder is
		 * told to stop, so it removes its rules and restores the system's
		 * audit settings instead of running on. */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		const char *av[32];
		int n = 0;
		av[n++] = kcap_bin;
		while (*args && n < 31)
			av[n++] = *args++;
		av[n] = NULL;
		if (errf) {
			int fd = open(errf, O_WRONLY | O_CREAT | O_TRUNC, 0644);
			if (fd >= 0)
				dup2(fd, 2);
		}
		execv(kcap_bin, (char *const *)av);
		_exit(126);
	}
	return p;
}

static int wait_status(pid_t p)
{
	int status;
	if (waitpid(p, &status, 0) != p)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static char *slurp(const char *path)
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

static int record_workload(void)
{
	char report[4096];
	snprintf(cap_path, sizeof cap_path, "%s/record-audit-test.kcap", tmpdir);
	snprintf(report, sizeof report, "%s/record-audit-test.json", tmpdir);
	unlink(cap_path);
	unlink(report);
	/* with --follow the rules stay system-wide (audit rules cannot follow a
	 * tree): a large backlog absorbs the rest of the machine's writes */
	const char *args[] = { "record", "--source", "audit", "-q", "-e", "process,file,net,user,write", "--follow",
	                       "--buffer-size", "256M",
	                       "-o", cap_path, "--", workload_bin, report, NULL };
	recorder_pid = start_kcap(args, NULL);
	int rc = wait_status(recorder_pid);
	if (rc != 0) {
		fprintf(stderr, "FAIL: kcap record --source audit exited with %d\n", rc);
		return -1;
	}
	if (!(wl = wl_load(report)))
		return -1;
	return 0;
}

/* ---- the workload's actions (tests/workload/expect.h) ---- */

#define EXPECT(type, pid, pred, key) expect_event(cap_path, wl, type, pid, pred, key)

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

static int pr_fd_call(const kcap_event *ev, json_t *o)
{
	json_t *m = json_object_get(o, "mode"), *l = json_object_get(o, "length");
	return ev_int(ev, "fd", wl_num(o, "fd")) && ev_int(ev, "ret", 0) &&
	       (!m || ev_int(ev, "mode", wl_num(o, "mode"))) && (!l || ev_int(ev, "length", wl_num(o, "length")));
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
	long long me = wl_num(wl, "pid");
	expect_common_actions(cap_path, wl);
	EXPECT("openat", me, pr_openat_dirfd, "openat_dirfd");
	EXPECT("fchmod", me, pr_fd_call, "fchmod");
	EXPECT("ftruncate", me, pr_fd_call, "ftruncate");
	EXPECT("fchdir", me, pr_fd_call, "fchdir");
	EXPECT("symlink", me, pr_symlink, "symlink");
	EXPECT("memfd_create", me, pr_ret, "memfd_create");
	EXPECT("execve", wl_num(wl_obj(wl, "exec_fail"), "pid"), pr_exec_fail, "exec_fail");
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
	snprintf(path, sizeof path, "%s/record-audit-sigterm.kcap", tmpdir);
	snprintf(errf, sizeof errf, "%s/record-audit-sigterm.err", tmpdir);
	unlink(path);
	const char *args[] = { "record", "--source", "audit", "-e", "file", "-o", path, NULL };
	pid_t p = start_kcap(args, errf);
	ck_assert_int_gt(p, 0);
	/* wait until its rules are in */
	audit_state now = {0};
	for (int i = 0; i < 100; i++) {
		ck_assert_int_eq(read_state(&now), 0);
		size_t nr = now.nrules;
		free_state(&now);
		if (nr > before.nrules)
			break;
		usleep(50000);
	}
	for (int i = 0; i < 20; i++) {
		int fd = open("/etc/hostname", O_RDONLY);
		if (fd >= 0)
			close(fd);
	}
	usleep(200000);
	kill(p, SIGTERM);
	int rc = wait_status(p);
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
	ck_assert_msg(opens >= 20, "%d openat events from the test (of %d events); kcap said: %s", opens, all, slurp(errf));
	unlink(path);
}
END_TEST

/* SIGKILL cannot be caught: the next recorder removes the rules and
 * restores the settings the killed one left. */
START_TEST(repaired_after_sigkill)
{
	char path[4096], errf[4096];
	snprintf(path, sizeof path, "%s/record-audit-sigkill.kcap", tmpdir);
	snprintf(errf, sizeof errf, "%s/record-audit-sigkill.err", tmpdir);
	const char *args[] = { "record", "--source", "audit", "-q", "-e", "file", "-o", path, NULL };
	pid_t p = start_kcap(args, NULL);
	ck_assert_int_gt(p, 0);
	audit_state now = {0};
	int changed = 0;
	for (int i = 0; i < 100 && !changed; i++) {
		usleep(50000);
		ck_assert_int_eq(read_state(&now), 0);
		changed = now.nrules > before.nrules && now.st.backlog_wait_time == 0 && now.st.enabled == 1;
		free_state(&now);
	}
	ck_assert_msg(changed, "the recorder did not install its rules and settings");
	kill(p, SIGKILL);
	ck_assert_int_eq(wait_status(p), 128 + SIGKILL);
	const char *args2[] = { "record", "--source", "audit", "-q", "-e", "file", "-o", path, "--", "true", NULL };
	int rc = wait_status(start_kcap(args2, errf));
	ck_assert_msg(rc == 0, "kcap record after a killed one exited with %d: %s", rc, slurp(errf));
	const char *msg = slurp(errf);
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
	snprintf(path, sizeof path, "%s/record-audit-loss.kcap", tmpdir);
	snprintf(errf, sizeof errf, "%s/record-audit-loss.err", tmpdir);
	unlink(path);
	/* --buffer-size 4k: a 4 KiB socket buffer and the smallest backlog (1024) */
	const char *args[] = { "record", "--source", "audit", "-e", "openat,close", "--buffer-size", "4096", "-o", path,
	                       NULL };
	pid_t p = start_kcap(args, errf);
	ck_assert_int_gt(p, 0);
	audit_state now = {0};
	for (int i = 0; i < 100; i++) {
		ck_assert_int_eq(read_state(&now), 0);
		size_t nr = now.nrules;
		free_state(&now);
		if (nr > before.nrules)
			break;
		usleep(50000);
	}
	for (int i = 0; i < 100000; i++) {
		int fd = open("/etc/hostname", O_RDONLY);
		if (fd >= 0)
			close(fd);
	}
	usleep(200000);
	kill(p, SIGTERM);
	int rc = wait_status(p);
	const char *msg = slurp(errf);
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
	snprintf(errf, sizeof errf, "%s/record-audit-full.err", tmpdir);
	const char *args[] = { "record", "--source", "audit", "-e", "file", "--block-size", "4096", "-o", "/dev/full",
	                       "--", "sh", "-c", "for i in 1 2 3 4 5 6 7 8 9 10; do cat /etc/hostname; done", NULL };
	int rc = wait_status(start_kcap(args, errf));
	ck_assert_msg(rc == 1, "kcap record -o /dev/full exited with %d: %s", rc, slurp(errf));
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
	snprintf(errf, sizeof errf, "%s/record-audit-held.err", tmpdir);
	const char *args[] = { "record", "--source", "audit", "-o", "/dev/null", "--", "true", NULL };
	int rc = wait_status(start_kcap(args, errf));
	st.pid = 0;
	ck_assert_int_eq(anl_set_status(fd, &st, NULL, NULL), 0);
	close(fd);
	const char *msg = slurp(errf);
	snprintf(want, sizeof want, "held by process %d", (int)getpid());
	ck_assert_msg(rc == 1, "kcap record exited with %d while the audit pid was held", rc);
	ck_assert_msg(strstr(msg, want) != NULL, "message does not name the holder: %s", msg);
	assert_restored("a refusal");
}
END_TEST

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: test_record_audit KCAP WORKLOAD TMPDIR\n");
		return 2;
	}
	kcap_bin = argv[1];
	workload_bin = argv[2];
	tmpdir = argv[3];
	if (geteuid() != 0) {
		printf("SKIP: kcap record --source audit needs root (CAP_AUDIT_CONTROL); running as uid %d\n",
		       (int)geteuid());
		return 77;
	}
	int rc = read_state(&before);
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
	TCase *tc = tcase_create("workload");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, restored_after_command);
	tcase_add_test(tc, every_action_captured);
	tcase_add_test(tc, common_fields_and_scope);
	tcase_add_test(tc, restored_after_sigterm);
	tcase_add_test(tc, restored_after_write_error);
	tcase_add_test(tc, repaired_after_sigkill);
	tcase_add_test(tc, loss_is_counted);
	tcase_add_test(tc, refuses_when_pid_held);
	suite_add_tcase(s, tc);
	int failed = kcap_check_failures(s, CK_NOFORK);
	json_decref(wl);
	free_state(&before);
	if (!failed)
		unlink(cap_path);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
