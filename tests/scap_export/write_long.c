/* write_long OUT.scap: a .scap from the scap writer alone, with a process
 * whose exe path, cwd and cmdline are longer than sysdig 0.29.3's process
 * list buffers (1024, 1024 and 4096 bytes), and one openat event of it.
 * export_test.sh reads it with sysdig: the file must be read, the strings
 * cut. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <kcap/taxonomy.h>
#include "scap/scap_write.h"

int main(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return 1;
	static char exe[1600], cwd[2100], cmd[6400];
	memcpy(exe, "/usr/bin/", 9);
	memset(exe + 9, 'e', 1500);
	cwd[0] = '/';
	memset(cwd + 1, 'c', 2000);
	size_t n = 0;
	memcpy(cmd, "prog", 5);
	n = 5;
	for (int i = 0; i < 300; i++) {
		n += (size_t)snprintf(cmd + n, sizeof cmd - n, "argument-%010d", i) + 1;
	}
	kcap_snapshot *sn = kcap_snapshot_new();
	kcap_meta *md = kcap_meta_new();
	kcap_proc p = {.pid = 4242, .ppid = 1, .comm = "longproc", .exe = exe, .cwd = cwd, .cmdline = cmd,
		       .cmdline_len = (uint32_t)n};
	if (!sn || !md || kcap_snapshot_add(sn, &p) || kcap_snapshot_set_name(sn, KCAP_NAMES_USER, 0, "root") ||
	    kcap_meta_set(md, KCAP_META_HOSTNAME, "longhost"))
		return 1;
	kcap_scap_writer *w;
	kcap_error e = {0};
	if (kcap_scap_writer_open(&w, fd, &e) || kcap_scap_writer_context(w, md, sn))
		return 1;
	const kcap_type_def *def = kcap_taxonomy_type(KCAP_EV_OPENAT);
	kcap_value v[KCAP_P_OPEN_N_] = {0};
	for (int i = 0; i < KCAP_P_OPEN_N_; i++)
		v[i].type = def->params[i].type;
	v[KCAP_P_OPEN_DIRFD].present = 1;
	v[KCAP_P_OPEN_DIRFD].i = -100;
	v[KCAP_P_OPEN_PATH].present = 1;
	v[KCAP_P_OPEN_PATH].p = (const uint8_t *)"/etc/hosts";
	v[KCAP_P_OPEN_PATH].len = 10;
	v[KCAP_P_OPEN_FLAGS].present = 1; /* O_RDONLY|O_CLOEXEC */
	v[KCAP_P_OPEN_FLAGS].u = 02000000;
	v[KCAP_P_OPEN_RET].present = 1;
	v[KCAP_P_OPEN_RET].i = 3;
	kcap_event ev = {.ts = 1795255200000000000LL, .pid = 4242, .tid = 4242, .ppid = 1, .cpu = 0,
			 .type_id = KCAP_EV_OPENAT, .comm = "longproc", .comm_len = 8,
			 .nparams = KCAP_P_OPEN_N_, .params = v, .def = def};
	if (kcap_scap_writer_event(w, &ev) != 1)
		return 1;
	int rc = kcap_scap_writer_close(w, &e);
	kcap_snapshot_free(sn);
	kcap_meta_free(md);
	if (rc) {
		fprintf(stderr, "write_long: %s\n", e.msg);
		return 1;
	}
	return close(fd) ? 1 : 0;
}
