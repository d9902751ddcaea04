/* The snapshot amplification capture (amp_capture.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <kcap/kcap.h>
#include "amp_capture.h"

enum { T_OPENAT = 1, T_EXECVE = 2, T_EXIT_GROUP = 3 };

static kcap_schema *amp_schema(void)
{
	static const kcap_param_def open_p[] = {{"path", KCAP_T_PATH, 0, 0}};
	static const kcap_param_def exec_p[] = {{"path", KCAP_T_PATH, 0, 0}};
	static const kcap_param_def exit_p[] = {{"status", KCAP_T_I32, 0, 0}};
	const kcap_type_def types[] = {
		{T_OPENAT, "openat", "file", "", 1, open_p},
		{T_EXECVE, "execve", "process", "", 1, exec_p},
		{T_EXIT_GROUP, "exit_group", "process", "", 1, exit_p},
	};
	kcap_schema *s = kcap_schema_new();
	for (size_t i = 0; s && i < sizeof types / sizeof types[0]; i++)
		if (kcap_schema_add_type(s, &types[i])) {
			kcap_schema_free(s);
			return NULL;
		}
	return s;
}

static int add_proc(kcap_snapshot *sn, int32_t pid, int32_t ppid, const char *exe, const char *cwd)
{
	const char *comm = strrchr(exe, '/') + 1;
	kcap_proc p = {pid, ppid, 0, 0, 0, comm, exe, cwd, exe, (uint32_t)strlen(exe) + 1};
	return kcap_snapshot_add(sn, &p);
}

static int add_meta(kcap_writer *w, const char *host)
{
	kcap_meta *m = kcap_meta_new();
	int rc = !m || kcap_meta_set(m, KCAP_META_HOSTNAME, host) || kcap_meta_set(m, KCAP_META_SOURCE, "test");
	if (!rc)
		rc = kcap_writer_add_meta(w, m) < 0;
	kcap_meta_free(m);
	return rc;
}

static int put(kcap_writer *w, uint64_t seq, uint16_t origin, int32_t pid, uint32_t type, const char *path)
{
	kcap_value v = {0};
	kcap_event ev = {0};
	ev.seq = seq;
	ev.ts = 1795255200000000000 + (int64_t)seq;
	ev.pid = ev.tid = pid;
	ev.ppid = 1;
	ev.origin = origin;
	ev.type_id = type;
	ev.comm = "x";
	ev.comm_len = 1;
	ev.nparams = 1;
	ev.params = &v;
	v.present = 1;
	if (type == T_EXIT_GROUP) {
		v.type = KCAP_T_I32;
	} else {
		v.type = KCAP_T_PATH;
		v.p = (const uint8_t *)path;
		v.len = (uint32_t)strlen(path);
	}
	return kcap_writer_write(w, &ev);
}

int amp_capture_build(uint8_t **buf, size_t *len)
{
	int rc = -1, fd = memfd_create("amp", MFD_CLOEXEC);
	kcap_writer *w = NULL;
	kcap_schema *s = amp_schema();
	kcap_snapshot *shared = kcap_snapshot_new(), *last = kcap_snapshot_new();
	*buf = NULL;
	if (fd < 0 || !s || !shared || !last || kcap_writer_open_fd(&w, fd, 0, NULL, NULL))
		goto cleanup;
	if (kcap_writer_set_schema(w, s) || add_meta(w, "host-0") || add_meta(w, "host-1") || add_meta(w, "host-2"))
		goto cleanup;
	int bad = add_proc(shared, 1, 0, "/sbin/init", "/");
	for (int i = 0; i + 1 < AMP_NPROC; i++) {
		char exe[32];
		snprintf(exe, sizeof exe, "/usr/bin/p%d", i);
		bad |= add_proc(shared, 100 + i, 1, exe, "/srv");
	}
	bad |= add_proc(last, 100, 1, "/opt/last", "/");
	if (bad || kcap_writer_add_snapshot(w, shared) || kcap_writer_add_origin_snapshot(w, AMP_LAST_ORIGIN, last))
		goto cleanup;
	if (put(w, 1, 0, 100, T_OPENAT, "/etc/hosts") || put(w, 2, 1, 101, T_EXECVE, "/bin/new") ||
	    put(w, 3, 2, 101, T_OPENAT, "/etc/hosts") || put(w, 4, 1, 101, T_OPENAT, "/etc/hosts") ||
	    put(w, 5, 2, 102, T_EXIT_GROUP, NULL) || put(w, 6, 2, 103, T_OPENAT, "/etc/hosts"))
		goto cleanup;
	rc = kcap_writer_close(w);
	w = NULL;
	off_t n = rc ? -1 : lseek(fd, 0, SEEK_END);
	rc = -1;
	if (n <= 0 || !(*buf = malloc((size_t)n)))
		goto cleanup;
	if (pread(fd, *buf, (size_t)n, 0) != n) {
		free(*buf);
		*buf = NULL;
		goto cleanup;
	}
	*len = (size_t)n;
	rc = 0;
cleanup:
	kcap_writer_close(w);
	kcap_snapshot_free(shared);
	kcap_snapshot_free(last);
	kcap_schema_free(s);
	if (fd >= 0)
		close(fd);
	return rc;
}
