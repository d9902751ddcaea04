/* Writes a small capture of one host for the origin tests (origin_cli.sh):
 * every host gets the same pids, so merged captures collide on them.
 *
 * usage: hosts_capture OUT HOST PREFIX TS0 [names]
 *
 * With "names", the snapshot carries the host's name tables: uid 0 root,
 * uid 1000 PREFIX-user, gid 0 root, gid 1000 PREFIX-group.
 *
 * Metadata hostname=HOST, source=test. Snapshot (without an origin, as a
 * recorder writes it): pid 1 /sbin/init; pid 100 /usr/bin/PREFIX-daemon and
 * pid 200 /usr/bin/PREFIX-shell, both children of 1. Seven events, 1 us
 * apart from TS0:
 *   seq 1  pid 100 openat       seq 5  pid 300 execve /usr/bin/PREFIX-tool
 *   seq 2  pid 200 fork -> 300  seq 6  pid 300 openat
 *   seq 3  pid 300 openat       seq 7  pid 100 openat
 *   seq 4  pid 100 openat
 * so proc.exe is PREFIX-daemon for 3 events, PREFIX-shell for 2 (seq 2, 3),
 * PREFIX-tool for 2 (seq 5, 6), and parent.exe PREFIX-shell for the 3
 * events of pid 300. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <kcap/kcap.h>

enum { T_OPENAT = 1, T_FORK = 2, T_EXECVE = 3 };

static int add_types(kcap_schema *s)
{
	static const kcap_param_def open_p[] = {{"path", KCAP_T_PATH, 0, 0}};
	static const kcap_param_def fork_p[] = {{"child_pid", KCAP_T_PID, 0, 0}};
	static const kcap_param_def exec_p[] = {{"filename", KCAP_T_PATH, 0, 0}, {"argv", KCAP_T_STRLIST, 0, 0}};
	const kcap_type_def t[] = {{T_OPENAT, "openat", "file", "", 1, open_p},
				   {T_FORK, "fork", "process", "", 1, fork_p},
				   {T_EXECVE, "execve", "process", "", 2, exec_p}};
	for (size_t i = 0; i < sizeof t / sizeof *t; i++)
		if (kcap_schema_add_type(s, &t[i]))
			return -1;
	return 0;
}

static int add_snapshot(kcap_writer *w, const char *prefix, int names)
{
	char daemon[64], shell[64], user[64], group[64];
	snprintf(daemon, sizeof daemon, "/usr/bin/%s-daemon", prefix);
	snprintf(shell, sizeof shell, "/usr/bin/%s-shell", prefix);
	const kcap_proc p[] = {
		{1, 0, 0, 0, 0, "init", "/sbin/init", "/", "/sbin/init", 11},
		{100, 1, 0, 0, 0, "daemon", daemon, "/", daemon, (uint32_t)strlen(daemon) + 1},
		{200, 1, 1000, 1000, 0, "shell", shell, "/home", shell, (uint32_t)strlen(shell) + 1},
	};
	kcap_snapshot *s = kcap_snapshot_new();
	int rc = s ? 0 : -1;
	for (size_t i = 0; i < sizeof p / sizeof *p && !rc; i++)
		rc = kcap_snapshot_add(s, &p[i]);
	snprintf(user, sizeof user, "%s-user", prefix);
	snprintf(group, sizeof group, "%s-group", prefix);
	if (!rc && names)
		rc = kcap_snapshot_set_name(s, KCAP_NAMES_USER, 0, "root") ||
		     kcap_snapshot_set_name(s, KCAP_NAMES_USER, 1000, user) ||
		     kcap_snapshot_set_name(s, KCAP_NAMES_GROUP, 0, "root") ||
		     kcap_snapshot_set_name(s, KCAP_NAMES_GROUP, 1000, group);
	if (!rc)
		rc = kcap_writer_add_snapshot(w, s);
	kcap_snapshot_free(s);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc != 5 && !(argc == 6 && !strcmp(argv[5], "names"))) {
		fprintf(stderr, "usage: hosts_capture OUT HOST PREFIX TS0 [names]\n");
		return 2;
	}
	const char *prefix = argv[3];
	int64_t ts0 = strtoll(argv[4], NULL, 10);
	char tool[64], conf[64];
	snprintf(tool, sizeof tool, "/usr/bin/%s-tool", prefix);
	snprintf(conf, sizeof conf, "/etc/%s.conf", prefix);
	kcap_writer *w = NULL;
	kcap_schema *s = kcap_schema_new();
	kcap_meta *m = kcap_meta_new();
	int rc = 1;
	if (!s || !m || add_types(s) || kcap_meta_set(m, KCAP_META_HOSTNAME, argv[2]) ||
	    kcap_meta_set(m, KCAP_META_SOURCE, "test"))
		goto cleanup;
	if (kcap_writer_open_path(&w, argv[1], NULL, NULL) || kcap_writer_add_meta(w, m) < 0 ||
	    kcap_writer_set_schema(w, s) || add_snapshot(w, prefix, argc == 6))
		goto cleanup;
	/* {pid, ppid, type, child} per event, in seq order */
	static const int32_t evs[][4] = {{100, 1, T_OPENAT, 0}, {200, 1, T_FORK, 300}, {300, 200, T_OPENAT, 0},
					 {100, 1, T_OPENAT, 0}, {300, 200, T_EXECVE, 0}, {300, 200, T_OPENAT, 0},
					 {100, 1, T_OPENAT, 0}};
	for (size_t i = 0; i < sizeof evs / sizeof *evs; i++) {
		kcap_value v[2];
		memset(v, 0, sizeof v);
		kcap_event ev = {0};
		ev.seq = i + 1;
		ev.ts = ts0 + (int64_t)i * 1000;
		ev.pid = ev.tid = evs[i][0];
		ev.ppid = evs[i][1];
		ev.type_id = (uint32_t)evs[i][2];
		if (argc == 6 && ev.pid != 100) /* the shell's user, named by the snapshot */
			ev.uid = ev.gid = 1000;
		ev.comm = "proc";
		ev.comm_len = 4;
		ev.params = v;
		v[0].present = v[1].present = 1;
		if (ev.type_id == T_FORK) {
			ev.nparams = 1;
			v[0].type = KCAP_T_PID;
			v[0].i = evs[i][3];
		} else if (ev.type_id == T_EXECVE) {
			ev.nparams = 2;
			v[0].type = KCAP_T_PATH;
			v[0].p = (const uint8_t *)tool;
			v[0].len = (uint32_t)strlen(tool);
			v[1].type = KCAP_T_STRLIST;
			v[1].p = (const uint8_t *)tool;
			v[1].len = (uint32_t)strlen(tool) + 1;
			v[1].count = 1;
		} else {
			ev.nparams = 1;
			v[0].type = KCAP_T_PATH;
			v[0].p = (const uint8_t *)conf;
			v[0].len = (uint32_t)strlen(conf);
		}
		if (kcap_writer_write(w, &ev))
			goto cleanup;
	}
	rc = 0;
cleanup:
	if (kcap_writer_close(w))
		rc = 1;
	if (rc)
		fprintf(stderr, "hosts_capture: cannot write %s\n", argv[1]);
	kcap_schema_free(s);
	kcap_meta_free(m);
	return rc;
}
