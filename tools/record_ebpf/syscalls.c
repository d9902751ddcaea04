/*
 * syscalls.c - user side of the eBPF recorder frontend: loads and
 * configures syscalls.bpf.c, reads its ring buffer and turns each record
 * (syscalls.h) into a standard taxonomy event for record_common.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/types.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <kcap/taxonomy.h>

#include "record_common.h"
#include "syscalls.h"
#include "syscalls.skel.h"

#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif

_Static_assert(SYS_execve == EBPF_NR_EXECVE && SYS_execveat == EBPF_NR_EXECVEAT && SYS_exit == EBPF_NR_EXIT &&
               SYS_exit_group == EBPF_NR_EXIT_GROUP, "syscall numbers hooked by fentry");

/* How each recorded syscall's arguments are read (x86_64 numbering). */
struct sysrow {
	int nr;
	uint32_t type;
	uint8_t path1, dirfd1, path2, dirfd2, fd_path, addr, addrlen, addrlen_ptr, special, need_exec, no_res;
};

#define N ARG_NONE
static const struct sysrow ROWS[] = {
	/* process */
	{SYS_fork, KCAP_EV_FORK, N, N, N, N, N, N, N, 0, 0, 0, 0},
	{SYS_vfork, KCAP_EV_VFORK, N, N, N, N, N, N, N, 0, 0, 0, 0},
	{SYS_clone, KCAP_EV_CLONE, N, N, N, N, N, N, N, 0, 0, 0, 0},
	{SYS_clone3, KCAP_EV_CLONE3, N, N, N, N, N, N, N, 0, SPECIAL_CLONE3, 0, 0},
	{SYS_execve, KCAP_EV_EXECVE, 0, N, N, N, N, N, N, 0, SPECIAL_EXEC, 0, 0},
	{SYS_execveat, KCAP_EV_EXECVEAT, 1, 0, N, N, N, N, N, 0, SPECIAL_EXEC, 0, 0},
	{SYS_exit, KCAP_EV_EXIT, N, N, N, N, N, N, N, 0, SPECIAL_EXIT, 0, 0},
	{SYS_exit_group, KCAP_EV_EXIT_GROUP, N, N, N, N, N, N, N, 0, SPECIAL_EXIT, 0, 0},
	{SYS_kill, KCAP_EV_KILL, N, N, N, N, N, N, N, 0, 0, 0, 0},
	{SYS_tkill, KCAP_EV_TKILL, N, N, N, N, N, N, N, 0, 0, 0, 0},
	{SYS_tgkill, KCAP_EV_TGKILL, N, N, N, N, N, N, N, 0, 0, 0, 0},
	{SYS_ptrace, KCAP_EV_PTRACE, N, N, N, N, N, N, N, 0, 0, 0, 0},
	{SYS_mmap, KCAP_EV_MMAP, N, N, N, N, 4, N, N, 0, 0, 1, 0},
	{SYS_mprotect, KCAP_EV_MPROTECT, N, N, N, N, N, N, N, 0, 0, 1, 0},
	{SYS_pipe, KCAP_EV_PIPE, N, N, N, N, N, N, N, 0, SPECIAL_PIPE, 0, 0},
	{SYS_pipe2, KCAP_EV_PIPE2, N, N, N, N, N, N, N, 0, SPECIAL_PIPE, 0, 0},
	{SYS_memfd_create, KCAP_EV_MEMFD_CREATE, 0, N, N, N, N, N, N, 0, 0, 0, 1},
	/* file */
	{SYS_open, KCAP_EV_OPEN, 0, N, N, N, N, N, N, 0, 0, 0, 0},
	{SYS_openat, KCAP_EV_OPENAT, 1, 0, N, N, N, N, N, 0, 0, 0, 0},
	{SYS_openat2, KCAP_EV_OPENAT2, 1, 0, N, N, N, N, N, 0, SPECIAL_OPENAT2, 0, 0},
	{SYS_creat, KCAP_EV_CREAT, 0, N, N, N, N, N, N, 0, 0, 0, 0},
	{SYS_close, KCAP_EV_CLOSE, N, N, N, N, N, N, N, 0, 0, 0, 0},
	{SYS_read, KCAP_EV_READ, N, N, N, N, N, N, N, 0, 0, 0, 0},
	{SYS_write, KCAP_EV_WRITE, N, N, N, N, N, N, N, 0, 0, 0, 0},
	{SYS_pread64, KCAP_EV_PREAD64, N, N, N, N, N, N, N, 0, 0, 0, 0},
	{SYS_pwrite64, KCAP_EV_PWRITE64, N, N, N, N, N, N, N, 0, 0, 0, 0},
	{SYS_readv, KCAP_EV_READV, N, N, N, N, N, N, N, 0, 0, 0, 0},
	{SYS_writev, KCAP_EV_WRITEV, N, N, N, N, N, N, N, 0, 0, 0, 0},
	{SYS_preadv, KCAP_EV_PREADV, N, N, N, N, N, N, N, 0, 0, 0, 0},
	{SYS_pwritev, KCAP_EV_PWRITEV, N, N, N, N, N, N, N, 0, 0, 0, 0},
	{SYS_unlink, KCAP_EV_UNLINK, 0, N, N, N, N, N, N, 0, 0, 0, 0},
	{SYS_unlinkat, KCAP_EV_UNLINKAT, 1, 0, N, N, N, N, N, 0, 0, 0, 0},
	{SYS_rename, KCAP_EV_RENAME, 0, N, 1, N, N, N, N, 0, 0, 0, 0},
	{SYS_renameat, KCAP_EV_RENAMEAT, 1, 0, 3, 2, N, N, N, 0, 0, 0, 0},
	{SYS_renameat2, KCAP_EV_RENAMEAT2, 1, 0, 3, 2, N, N, N, 0, 0, 0, 0},
	{SYS_mkdir, KCAP_EV_MKDIR, 0, N, N, N, N, N, N, 0, 0, 0, 0},
	{SYS_mkdirat, KCAP_EV_MKDIRAT, 1, 0, N, N, N, N, N, 0, 0, 0, 0},
	{SYS_rmdir, KCAP_EV_RMDIR, 0, N, N, N, N, N, N, 0, 0, 0, 0},
	{SYS_chmod, KCAP_EV_CHMOD, 0, N, N, N, N, N, N, 0, 0, 0, 0},
	{SYS_fchmod, KCAP_EV_FCHMOD, N, N, N, N, 0, N, N, 0, 0, 0, 0},
	{SYS_fchmodat, KCAP_EV_FCHMODAT, 1, 0, N, N, N, N, N, 0, 0, 0, 0},
	{SYS_fchmodat2, KCAP_EV_FCHMODAT2, 1, 0, N, N, N, N, N, 0, 0, 0, 0},
	{SYS_chown, KCAP_EV_CHOWN, 0, N, N, N, N, N, N, 0, 0, 0, 0},
	{SYS_lchown, KCAP_EV_LCHOWN, 0, N, N, N, N, N, N, 0, 0, 0, 0},
	{SYS_fchown, KCAP_EV_FCHOWN, N, N, N, N, 0, N, N, 0, 0, 0, 0},
	{SYS_fchownat, KCAP_EV_FCHOWNAT, 1, 0, N, N, N, N, N, 0, 0, 0, 0},
	{SYS_chdir, KCAP_EV_CHDIR, 0, N, N, N, N, N, N, 0, 0, 0, 0},
	{SYS_fchdir, KCAP_EV_FCHDIR, N, N, N, N, 0, N, N, 0, 0, 0, 0},
	{SYS_link, KCAP_EV_LINK, 0, N, 1, N, N, N, N, 0, 0, 0, 0},
	{SYS_linkat, KCAP_EV_LINKAT, 1, 0, 3, 2, N, N, N, 0, 0, 0, 0},
	{SYS_symlink, KCAP_EV_SYMLINK, 0, N, 1, N, N, N, N, 0, 0, 0, 1},
	{SYS_symlinkat, KCAP_EV_SYMLINKAT, 0, N, 2, 1, N, N, N, 0, 0, 0, 1},
	{SYS_truncate, KCAP_EV_TRUNCATE, 0, N, N, N, N, N, N, 0, 0, 0, 0},
	{SYS_ftruncate, KCAP_EV_FTRUNCATE, N, N, N, N, 0, N, N, 0, 0, 0, 0},
	{SYS_dup, KCAP_EV_DUP, N, N, N, N, N, N, N, 0, 0, 0, 0},
	{SYS_dup2, KCAP_EV_DUP2, N, N, N, N, N, N, N, 0, 0, 0, 0},
	{SYS_dup3, KCAP_EV_DUP3, N, N, N, N, N, N, N, 0, 0, 0, 0},
	/* net */
	{SYS_socket, KCAP_EV_SOCKET, N, N, N, N, N, N, N, 0, 0, 0, 0},
	{SYS_socketpair, KCAP_EV_SOCKETPAIR, N, N, N, N, N, N, N, 0, SPECIAL_SOCKPAIR, 0, 0},
	{SYS_connect, KCAP_EV_CONNECT, N, N, N, N, N, 1, 2, 0, 0, 0, 0},
	{SYS_bind, KCAP_EV_BIND, N, N, N, N, N, 1, 2, 0, 0, 0, 0},
	{SYS_accept, KCAP_EV_ACCEPT, N, N, N, N, N, 1, 2, 1, 0, 0, 0},
	{SYS_accept4, KCAP_EV_ACCEPT4, N, N, N, N, N, 1, 2, 1, 0, 0, 0},
	{SYS_listen, KCAP_EV_LISTEN, N, N, N, N, N, N, N, 0, 0, 0, 0},
	{SYS_sendto, KCAP_EV_SENDTO, N, N, N, N, N, 4, 5, 0, 0, 0, 0},
	{SYS_recvfrom, KCAP_EV_RECVFROM, N, N, N, N, N, 4, 5, 1, 0, 0, 0},
	{SYS_sendmsg, KCAP_EV_SENDMSG, N, N, N, N, N, N, N, 0, SPECIAL_MSG, 0, 0},
	{SYS_recvmsg, KCAP_EV_RECVMSG, N, N, N, N, N, N, N, 1, SPECIAL_MSG, 0, 0},
	{SYS_getpeername, KCAP_EV_GETPEERNAME, N, N, N, N, N, 1, 2, 1, 0, 0, 0},
	{SYS_getsockname, KCAP_EV_GETSOCKNAME, N, N, N, N, N, 1, 2, 1, 0, 0, 0},
	/* user */
	{SYS_setuid, KCAP_EV_SETUID, N, N, N, N, N, N, N, 0, 0, 0, 0},
	{SYS_setgid, KCAP_EV_SETGID, N, N, N, N, N, N, N, 0, 0, 0, 0},
	{SYS_setreuid, KCAP_EV_SETREUID, N, N, N, N, N, N, N, 0, 0, 0, 0},
	{SYS_setregid, KCAP_EV_SETREGID, N, N, N, N, N, N, N, 0, 0, 0, 0},
	{SYS_setresuid, KCAP_EV_SETRESUID, N, N, N, N, N, N, N, 0, 0, 0, 0},
	{SYS_setresgid, KCAP_EV_SETRESGID, N, N, N, N, N, N, N, 0, 0, 0, 0},
	{SYS_setfsuid, KCAP_EV_SETFSUID, N, N, N, N, N, N, N, 0, 0, 0, 0},
	{SYS_setfsgid, KCAP_EV_SETFSGID, N, N, N, N, N, N, N, 0, 0, 0, 0},
	{SYS_capset, KCAP_EV_CAPSET, N, N, N, N, N, N, N, 0, SPECIAL_CAPSET, 0, 0},
};
#undef N

#define PATHBUF 12288

struct ebpf_state {
	struct syscalls_bpf *skel;
	struct ring_buffer *rb;
	rec_ctx *ctx;
	int ncpus;
	int64_t boot_to_wall;
	int err;
	const kcap_type_def *defs[256]; /* taxonomy type by id, looked up once */
	kcap_value params[KCAP_MAX_PARAMS];
	char paths[2][PATHBUF];
	char argv[EBPF_ARGV_MAX + 1];
	char unixpath[EBPF_ADDR_MAX + 2];
};

static char last_libbpf_msg[256];

static int libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	/* keep the last warning for error messages; print nothing */
	if (level <= LIBBPF_WARN) {
		char m[sizeof last_libbpf_msg];
		vsnprintf(m, sizeof m, fmt, ap);
		m[strcspn(m, "\n")] = 0;
		snprintf(last_libbpf_msg, sizeof last_libbpf_msg, "%s", strncmp(m, "libbpf: ", 8) ? m : m + 8);
	}
	return 0;
}

/* ---- decoding ---- */

/* Lexically normalises an absolute path in place: "//", "/./", "/../", a
 * trailing "/". Returns its length. */
static size_t normalize(char *p)
{
	char *out = p, *in = p;
	if (*p != '/')
		return strlen(p);
	/* most paths are already normal: no '/' followed by '/', '.' or the end
	 * (but "/" itself) */
	const char *q = p;
	while (*q && !(q[0] == '/' && (q[1] == '/' || q[1] == '.' || (!q[1] && q != p))))
		q++;
	if (!*q)
		return (size_t)(q - p);
	while (*in) {
		while (*in == '/')
			in++;
		if (!*in)
			break;
		char *end = strchr(in, '/');
		size_t len = end ? (size_t)(end - in) : strlen(in);
		if (len == 1 && in[0] == '.') {
			/* skip */
		} else if (len == 2 && in[0] == '.' && in[1] == '.') {
			while (out > p && *--out != '/')
				;
		} else {
			*out++ = '/';
			memmove(out, in, len);
			out += len;
		}
		in += len;
	}
	if (out == p)
		*out++ = '/';
	*out = 0;
	return (size_t)(out - p);
}

/* Builds the absolute path of a (path, dir) segment pair into out. Returns
 * the length, or -1 when neither is present. */
static int build_path(char *out, const char *path, size_t plen, const char *dir, size_t dlen, int resolve)
{
	if (!plen && !dlen)
		return -1;
	if (!resolve || (plen && path[0] == '/') || !dlen) {
		memcpy(out, path, plen);
		out[plen] = 0;
		return (int)(resolve ? normalize(out) : strlen(out));
	}
	memcpy(out, dir, dlen);
	size_t n = dlen;
	if (plen) {
		out[n++] = '/';
		memcpy(out + n, path, plen);
		n += plen;
	}
	out[n] = 0;
	return (int)normalize(out);
}

static void set_i(kcap_value *v, int64_t x)
{
	v->present = 1;
	v->i = x;
}

static void set_u(kcap_value *v, uint64_t x)
{
	v->present = 1;
	v->u = x;
}

static void set_bytes(kcap_value *v, const void *p, size_t len)
{
	v->present = 1;
	v->p = p;
	v->len = (uint32_t)len;
}

static void set_sockaddr(struct ebpf_state *s, kcap_value *v, const uint8_t *a, size_t len)
{
	uint16_t fam;
	if (len < 2)
		return;
	memcpy(&fam, a, 2);
	v->present = 1;
	if (fam == 2 && len >= 8) {
		v->af = KCAP_AF_INET;
		v->port = (uint16_t)(a[2] << 8 | a[3]);
		memcpy(v->addr, a + 4, 4);
	} else if (fam == 10 && len >= 24) {
		v->af = KCAP_AF_INET6;
		v->port = (uint16_t)(a[2] << 8 | a[3]);
		memcpy(v->addr, a + 8, 16);
	} else if (fam == 1) {
		/* unix: path up to the first NUL; abstract names (leading NUL) as "@name" */
		size_t n = len - 2;
		const uint8_t *p = a + 2;
		size_t o = 0;
		if (n && p[0] == 0) {
			s->unixpath[o++] = '@';
			p++;
			n--;
		} else {
			size_t z = 0;
			while (z < n && p[z])
				z++;
			n = z;
		}
		if (n > EBPF_ADDR_MAX)
			n = EBPF_ADDR_MAX;
		memcpy(s->unixpath + o, p, n);
		v->af = KCAP_AF_UNIX;
		v->p = (const uint8_t *)s->unixpath;
		v->len = (uint32_t)(o + n);
	} else {
		v->af = KCAP_AF_OTHER;
		v->p = a;
		v->len = (uint32_t)len;
	}
}

static int handle_event(void *vs, void *data, size_t size)
{
	struct ebpf_state *s = vs;
	const struct ebpf_event *e = data;
	const char *seg[SEG_N_];
	size_t segl[SEG_N_];
	kcap_value *P = s->params;
	const __u64 *a = e->args;

	if (size < sizeof *e)
		return 0;
	size_t off = sizeof *e;
	for (int i = 0; i < SEG_N_; i++) {
		segl[i] = e->seg_len[i];
		if (off + segl[i] > size)
			segl[i] = off < size ? size - off : 0;
		seg[i] = (const char *)data + off;
		off += segl[i];
	}
	const kcap_type_def *def = e->type < 256 ? s->defs[e->type] : NULL;
	if (!def)
		return 0;
	memset(P, 0, def->nparams * sizeof *P);
	for (uint32_t i = 0; i < def->nparams; i++)
		P[i].type = def->params[i].type;

	int resolve1 = e->type != KCAP_EV_MEMFD_CREATE && e->type != KCAP_EV_SYMLINK &&
	               e->type != KCAP_EV_SYMLINKAT;
	int l1 = build_path(s->paths[0], seg[SEG_PATH1], segl[SEG_PATH1], seg[SEG_DIR1], segl[SEG_DIR1], resolve1);
	int l2 = build_path(s->paths[1], seg[SEG_PATH2], segl[SEG_PATH2], seg[SEG_DIR2], segl[SEG_DIR2], 1);
	int64_t ret = e->ret;
	int at_entry = e->flags & EV_F_AT_ENTRY;

	/* ret is the last param of every layout that has one */
	if (!at_entry && def->nparams && def->params[def->nparams - 1].type == KCAP_T_RET)
		set_i(&P[def->nparams - 1], ret);

	switch (e->type) {
	case KCAP_EV_FORK: case KCAP_EV_VFORK: case KCAP_EV_CLONE: case KCAP_EV_CLONE3: {
		uint64_t fl = e->type == KCAP_EV_FORK ? 17 : e->type == KCAP_EV_VFORK ? 0x4111 :
		              e->type == KCAP_EV_CLONE ? a[0] : e->aux[0];
		set_u(&P[KCAP_P_CLONE_FLAGS], fl);
		if (ret > 0)
			set_i(&P[KCAP_P_CLONE_CHILD_PID], ret);
		break;
	}
	case KCAP_EV_EXECVE: case KCAP_EV_EXECVEAT: {
		/* after a successful exec the caller's registers are gone */
		if (e->type == KCAP_EV_EXECVEAT && ret != 0) {
			set_i(&P[KCAP_P_EXEC_DIRFD], (int32_t)a[0]);
			set_u(&P[KCAP_P_EXEC_FLAGS], (uint32_t)a[4]);
		}
		if (l1 >= 0)
			set_bytes(&P[KCAP_P_EXEC_PATH], s->paths[0], (size_t)l1);
		size_t n = segl[SEG_ARGV];
		memcpy(s->argv, seg[SEG_ARGV], n);
		if (n && s->argv[n - 1] != 0)
			s->argv[n++] = 0;
		uint32_t cnt = 0;
		for (size_t i = 0; i < n; i++)
			cnt += s->argv[i] == 0;
		set_bytes(&P[KCAP_P_EXEC_ARGV], s->argv, n);
		P[KCAP_P_EXEC_ARGV].count = cnt;
		set_u(&P[KCAP_P_EXEC_ARGV_TRUNCATED], (e->flags & EV_F_ARGV_TRUNCATED) ? 1 : 0);
		break;
	}
	case KCAP_EV_EXIT: case KCAP_EV_EXIT_GROUP:
		set_i(&P[KCAP_P_EXIT_STATUS], (int32_t)a[0]);
		break;
	case KCAP_EV_KILL:
		set_i(&P[KCAP_P_KILL_TARGET], (int32_t)a[0]);
		set_u(&P[KCAP_P_KILL_SIG], (uint32_t)a[1]);
		break;
	case KCAP_EV_TKILL:
		set_i(&P[KCAP_P_KILL_TID], (int32_t)a[0]);
		set_u(&P[KCAP_P_KILL_SIG], (uint32_t)a[1]);
		break;
	case KCAP_EV_TGKILL:
		set_i(&P[KCAP_P_KILL_TARGET], (int32_t)a[0]);
		set_i(&P[KCAP_P_KILL_TID], (int32_t)a[1]);
		set_u(&P[KCAP_P_KILL_SIG], (uint32_t)a[2]);
		break;
	case KCAP_EV_PTRACE:
		set_u(&P[KCAP_P_PTRACE_REQUEST], a[0]);
		set_i(&P[KCAP_P_PTRACE_TARGET], (int32_t)a[1]);
		set_u(&P[KCAP_P_PTRACE_ADDR], a[2]);
		set_u(&P[KCAP_P_PTRACE_DATA], a[3]);
		break;
	case KCAP_EV_MMAP: case KCAP_EV_MPROTECT:
		set_u(&P[KCAP_P_MMAP_ADDR], a[0]);
		set_u(&P[KCAP_P_MMAP_LEN], a[1]);
		set_u(&P[KCAP_P_MMAP_PROT], a[2]);
		if (e->type == KCAP_EV_MMAP) {
			set_u(&P[KCAP_P_MMAP_FLAGS], a[3]);
			if (!(a[3] & 0x20)) {
				set_i(&P[KCAP_P_MMAP_FD], (int32_t)a[4]);
				if (l1 >= 0)
					set_bytes(&P[KCAP_P_MMAP_PATH], s->paths[0], (size_t)l1);
			}
		}
		break;
	case KCAP_EV_PIPE: case KCAP_EV_PIPE2:
		set_u(&P[KCAP_P_PIPE_FLAGS], e->type == KCAP_EV_PIPE2 ? a[1] : 0);
		if (ret == 0) {
			set_i(&P[KCAP_P_PIPE_FD0], (int32_t)e->aux[0]);
			set_i(&P[KCAP_P_PIPE_FD1], (int32_t)e->aux[1]);
		}
		break;
	case KCAP_EV_MEMFD_CREATE:
		if (l1 >= 0)
			set_bytes(&P[KCAP_P_MEMFD_NAME], s->paths[0], (size_t)l1);
		set_u(&P[KCAP_P_MEMFD_FLAGS], a[1]);
		break;
	case KCAP_EV_OPEN: case KCAP_EV_OPENAT: case KCAP_EV_OPENAT2: case KCAP_EV_CREAT: {
		int at = e->type == KCAP_EV_OPENAT || e->type == KCAP_EV_OPENAT2;
		if (at)
			set_i(&P[KCAP_P_OPEN_DIRFD], (int32_t)a[0]);
		if (l1 >= 0)
			set_bytes(&P[KCAP_P_OPEN_PATH], s->paths[0], (size_t)l1);
		if (e->type == KCAP_EV_OPENAT2) {
			set_u(&P[KCAP_P_OPEN_FLAGS], e->aux[0]);
			set_u(&P[KCAP_P_OPEN_MODE], e->aux[1]);
			set_u(&P[KCAP_P_OPEN_RESOLVE], e->aux[2]);
		} else if (e->type == KCAP_EV_CREAT) {
			set_u(&P[KCAP_P_OPEN_FLAGS], 01101);
			set_u(&P[KCAP_P_OPEN_MODE], (uint32_t)a[1]);
		} else {
			set_u(&P[KCAP_P_OPEN_FLAGS], (uint32_t)a[at + 1]);
			set_u(&P[KCAP_P_OPEN_MODE], (uint32_t)a[at + 2]);
		}
		break;
	}
	case KCAP_EV_CLOSE:
		set_i(&P[KCAP_P_CLOSE_FD], (int32_t)a[0]);
		break;
	case KCAP_EV_READ: case KCAP_EV_WRITE: case KCAP_EV_PREAD64: case KCAP_EV_PWRITE64:
	case KCAP_EV_READV: case KCAP_EV_WRITEV: case KCAP_EV_PREADV: case KCAP_EV_PWRITEV:
		set_i(&P[KCAP_P_RW_FD], (int32_t)a[0]);
		set_u(&P[KCAP_P_RW_COUNT], a[2]);
		if (e->type == KCAP_EV_PREAD64 || e->type == KCAP_EV_PWRITE64 || e->type == KCAP_EV_PREADV ||
		    e->type == KCAP_EV_PWRITEV)
			set_i(&P[KCAP_P_RW_OFFSET], (int64_t)a[3]);
		break;
	case KCAP_EV_UNLINK: case KCAP_EV_UNLINKAT:
		if (e->type == KCAP_EV_UNLINKAT) {
			set_i(&P[KCAP_P_UNLINK_DIRFD], (int32_t)a[0]);
			set_u(&P[KCAP_P_UNLINK_FLAGS], (uint32_t)a[2]);
		}
		if (l1 >= 0)
			set_bytes(&P[KCAP_P_UNLINK_PATH], s->paths[0], (size_t)l1);
		break;
	case KCAP_EV_RENAME: case KCAP_EV_RENAMEAT: case KCAP_EV_RENAMEAT2:
	case KCAP_EV_LINK: case KCAP_EV_LINKAT:
		/* RENAME and LINK layouts share positions */
		if (e->type != KCAP_EV_RENAME && e->type != KCAP_EV_LINK) {
			set_i(&P[KCAP_P_RENAME_OLDDIRFD], (int32_t)a[0]);
			set_i(&P[KCAP_P_RENAME_NEWDIRFD], (int32_t)a[2]);
		}
		if (e->type == KCAP_EV_RENAMEAT2 || e->type == KCAP_EV_LINKAT)
			set_u(&P[KCAP_P_RENAME_FLAGS], (uint32_t)a[4]);
		if (l1 >= 0)
			set_bytes(&P[KCAP_P_RENAME_OLDPATH], s->paths[0], (size_t)l1);
		if (l2 >= 0)
			set_bytes(&P[KCAP_P_RENAME_NEWPATH], s->paths[1], (size_t)l2);
		break;
	case KCAP_EV_MKDIR: case KCAP_EV_MKDIRAT: {
		int at = e->type == KCAP_EV_MKDIRAT;
		if (at)
			set_i(&P[KCAP_P_MKDIR_DIRFD], (int32_t)a[0]);
		if (l1 >= 0)
			set_bytes(&P[KCAP_P_MKDIR_PATH], s->paths[0], (size_t)l1);
		set_u(&P[KCAP_P_MKDIR_MODE], (uint32_t)a[at + 1]);
		break;
	}
	case KCAP_EV_RMDIR:
		if (l1 >= 0)
			set_bytes(&P[KCAP_P_RMDIR_PATH], s->paths[0], (size_t)l1);
		break;
	case KCAP_EV_CHMOD: case KCAP_EV_FCHMOD: case KCAP_EV_FCHMODAT: case KCAP_EV_FCHMODAT2: {
		int at = e->type == KCAP_EV_FCHMODAT || e->type == KCAP_EV_FCHMODAT2;
		if (at)
			set_i(&P[KCAP_P_CHMOD_DIRFD], (int32_t)a[0]);
		if (e->type == KCAP_EV_FCHMOD)
			set_i(&P[KCAP_P_CHMOD_FD], (int32_t)a[0]);
		if (e->type == KCAP_EV_FCHMODAT2)
			set_u(&P[KCAP_P_CHMOD_FLAGS], (uint32_t)a[3]);
		if (l1 >= 0)
			set_bytes(&P[KCAP_P_CHMOD_PATH], s->paths[0], (size_t)l1);
		set_u(&P[KCAP_P_CHMOD_MODE], (uint32_t)a[at + 1]);
		break;
	}
	case KCAP_EV_CHOWN: case KCAP_EV_LCHOWN: case KCAP_EV_FCHOWN: case KCAP_EV_FCHOWNAT: {
		int at = e->type == KCAP_EV_FCHOWNAT;
		if (at) {
			set_i(&P[KCAP_P_CHOWN_DIRFD], (int32_t)a[0]);
			set_u(&P[KCAP_P_CHOWN_FLAGS], (uint32_t)a[4]);
		}
		if (e->type == KCAP_EV_FCHOWN)
			set_i(&P[KCAP_P_CHOWN_FD], (int32_t)a[0]);
		if (l1 >= 0)
			set_bytes(&P[KCAP_P_CHOWN_PATH], s->paths[0], (size_t)l1);
		set_u(&P[KCAP_P_CHOWN_UID], (uint32_t)a[at + 1]);
		set_u(&P[KCAP_P_CHOWN_GID], (uint32_t)a[at + 2]);
		break;
	}
	case KCAP_EV_CHDIR: case KCAP_EV_FCHDIR:
		if (e->type == KCAP_EV_FCHDIR)
			set_i(&P[KCAP_P_CHDIR_FD], (int32_t)a[0]);
		if (l1 >= 0)
			set_bytes(&P[KCAP_P_CHDIR_PATH], s->paths[0], (size_t)l1);
		break;
	case KCAP_EV_SYMLINK: case KCAP_EV_SYMLINKAT:
		if (l1 >= 0)
			set_bytes(&P[KCAP_P_SYMLINK_TARGET], s->paths[0], (size_t)l1);
		if (e->type == KCAP_EV_SYMLINKAT)
			set_i(&P[KCAP_P_SYMLINK_DIRFD], (int32_t)a[1]);
		if (l2 >= 0)
			set_bytes(&P[KCAP_P_SYMLINK_PATH], s->paths[1], (size_t)l2);
		break;
	case KCAP_EV_TRUNCATE: case KCAP_EV_FTRUNCATE:
		if (e->type == KCAP_EV_FTRUNCATE)
			set_i(&P[KCAP_P_TRUNCATE_FD], (int32_t)a[0]);
		if (l1 >= 0)
			set_bytes(&P[KCAP_P_TRUNCATE_PATH], s->paths[0], (size_t)l1);
		set_i(&P[KCAP_P_TRUNCATE_LENGTH], (int64_t)a[1]);
		break;
	case KCAP_EV_DUP: case KCAP_EV_DUP2: case KCAP_EV_DUP3:
		set_i(&P[KCAP_P_DUP_OLDFD], (int32_t)a[0]);
		if (e->type != KCAP_EV_DUP)
			set_i(&P[KCAP_P_DUP_NEWFD], (int32_t)a[1]);
		if (e->type == KCAP_EV_DUP3)
			set_u(&P[KCAP_P_DUP_FLAGS], (uint32_t)a[2]);
		break;
	case KCAP_EV_SOCKET: case KCAP_EV_SOCKETPAIR:
		set_u(&P[KCAP_P_SOCKET_FAMILY], (uint32_t)a[0]);
		set_u(&P[KCAP_P_SOCKET_TYPE], (uint32_t)a[1]);
		set_u(&P[KCAP_P_SOCKET_PROTOCOL], (uint32_t)a[2]);
		if (e->type == KCAP_EV_SOCKETPAIR && ret == 0) {
			set_i(&P[KCAP_P_SOCKETPAIR_FD0], (int32_t)e->aux[0]);
			set_i(&P[KCAP_P_SOCKETPAIR_FD1], (int32_t)e->aux[1]);
		}
		break;
	case KCAP_EV_CONNECT: case KCAP_EV_BIND: case KCAP_EV_GETPEERNAME: case KCAP_EV_GETSOCKNAME:
		set_i(&P[KCAP_P_ADDR_FD], (int32_t)a[0]);
		set_sockaddr(s, &P[KCAP_P_ADDR_ADDR], (const uint8_t *)seg[SEG_ADDR], segl[SEG_ADDR]);
		break;
	case KCAP_EV_ACCEPT: case KCAP_EV_ACCEPT4:
		set_i(&P[KCAP_P_ACCEPT_FD], (int32_t)a[0]);
		set_sockaddr(s, &P[KCAP_P_ACCEPT_ADDR], (const uint8_t *)seg[SEG_ADDR], segl[SEG_ADDR]);
		set_u(&P[KCAP_P_ACCEPT_FLAGS], e->type == KCAP_EV_ACCEPT4 ? (uint32_t)a[3] : 0);
		break;
	case KCAP_EV_LISTEN:
		set_i(&P[KCAP_P_LISTEN_FD], (int32_t)a[0]);
		set_i(&P[KCAP_P_LISTEN_BACKLOG], (int32_t)a[1]);
		break;
	case KCAP_EV_SENDTO: case KCAP_EV_RECVFROM: case KCAP_EV_SENDMSG: case KCAP_EV_RECVMSG: {
		int msg = e->type == KCAP_EV_SENDMSG || e->type == KCAP_EV_RECVMSG;
		set_i(&P[KCAP_P_XFER_FD], (int32_t)a[0]);
		if (!msg)
			set_u(&P[KCAP_P_XFER_SIZE], a[2]);
		set_u(&P[KCAP_P_XFER_FLAGS], (uint32_t)a[msg ? 2 : 3]);
		set_sockaddr(s, &P[KCAP_P_XFER_ADDR], (const uint8_t *)seg[SEG_ADDR], segl[SEG_ADDR]);
		break;
	}
	case KCAP_EV_SETUID: case KCAP_EV_SETGID: case KCAP_EV_SETFSUID: case KCAP_EV_SETFSGID:
		set_u(&P[KCAP_P_SETID_ID], (uint32_t)a[0]);
		break;
	case KCAP_EV_SETREUID: case KCAP_EV_SETREGID:
		set_u(&P[KCAP_P_SETREID_RID], (uint32_t)a[0]);
		set_u(&P[KCAP_P_SETREID_EID], (uint32_t)a[1]);
		break;
	case KCAP_EV_SETRESUID: case KCAP_EV_SETRESGID:
		set_u(&P[KCAP_P_SETRESID_RID], (uint32_t)a[0]);
		set_u(&P[KCAP_P_SETRESID_EID], (uint32_t)a[1]);
		set_u(&P[KCAP_P_SETRESID_SID], (uint32_t)a[2]);
		break;
	case KCAP_EV_CAPSET:
		set_i(&P[KCAP_P_CAPSET_TARGET], (int32_t)e->aux[0]);
		set_u(&P[KCAP_P_CAPSET_EFFECTIVE], e->aux[1]);
		set_u(&P[KCAP_P_CAPSET_PERMITTED], e->aux[2]);
		set_u(&P[KCAP_P_CAPSET_INHERITABLE], e->aux[3]);
		break;
	}

	kcap_event ev = {
		.ts = (int64_t)e->ts + s->boot_to_wall,
		.pid = (int32_t)e->pid, .tid = (int32_t)e->tid, .ppid = (int32_t)e->ppid,
		.cpu = e->cpu, .uid = e->uid, .gid = e->gid, .type_id = e->type,
		.comm = e->comm, .comm_len = (uint16_t)strnlen(e->comm, sizeof e->comm),
		.nparams = def->nparams, .params = P,
	};
	if (rec_submit(s->ctx, &ev, size) < 0) {
		s->err = KCAP_E_NOMEM;
		return -1;
	}
	return 0;
}

/* ---- frontend callbacks ---- */

static void ebpf_stats(void *vs)
{
	struct ebpf_state *s = vs;
	struct ebpf_counters *c = calloc((size_t)s->ncpus, sizeof *c);
	uint32_t k = 0;
	if (!c)
		return;
	if (bpf_map__lookup_elem(s->skel->maps.counters, &k, sizeof k, c, (size_t)s->ncpus * sizeof *c, 0) == 0) {
		for (int i = 0; i < s->ncpus; i++) {
			rec_stat(s->ctx, (uint32_t)i, "ringbuf", c[i].seen, c[i].lost);
			if (c[i].busy)
				rec_stat(s->ctx, (uint32_t)i, "ebpf-scratch-busy", c[i].seen, c[i].busy);
		}
	}
	free(c);
}

static void ebpf_close(void *vs)
{
	struct ebpf_state *s = vs;
	if (!s)
		return;
	ring_buffer__free(s->rb);
	syscalls_bpf__destroy(s->skel);
	free(s);
}

static void ebpf_stop(void *vs)
{
	struct ebpf_state *s = vs;
	syscalls_bpf__detach(s->skel);
}

static int ebpf_add_pid(void *vs, int32_t pid)
{
	struct ebpf_state *s = vs;
	uint32_t k = (uint32_t)pid;
	uint8_t one = 1;
	return bpf_map__update_elem(s->skel->maps.pids, &k, sizeof k, &one, sizeof one, BPF_ANY);
}

static int ebpf_poll(void *vs, int timeout_ms, char *why, size_t n)
{
	struct ebpf_state *s = vs;
	/* the probes wake us only on a backlog: poll, then read what is there */
	int rc = ring_buffer__poll(s->rb, timeout_ms);
	if (rc == -EINTR)
		rc = 0;
	if (rc == 0)
		rc = ring_buffer__consume(s->rb);
	if (s->err) {
		snprintf(why, n, "out of memory while holding events");
		return -1;
	}
	if (rc < 0) {
		snprintf(why, n, "reading the ring buffer failed: %s", strerror(-rc));
		return -1;
	}
	return rc;
}

static int ebpf_open(rec_ctx *ctx, const rec_opts *o, void **out, char *why, size_t n)
{
	struct ebpf_state *s = calloc(1, sizeof *s);
	int rc = -1, err;

	if (!s) {
		snprintf(why, n, "out of memory");
		goto cleanup;
	}
	libbpf_set_print(libbpf_log);
	s->ctx = ctx;
	s->boot_to_wall = rec_boot_to_wall(ctx);
	for (uint32_t id = 0; id < 256; id++)
		s->defs[id] = kcap_taxonomy_type(id);
	s->ncpus = libbpf_num_possible_cpus();
	if (s->ncpus <= 0) {
		snprintf(why, n, "cannot count the CPUs: %s", strerror(-s->ncpus));
		goto cleanup;
	}
	s->skel = syscalls_bpf__open();
	if (!s->skel) {
		snprintf(why, n, "cannot open the BPF object: %s", strerror(errno));
		goto cleanup;
	}
	s->skel->rodata->self_tgid = (uint32_t)getpid();
	s->skel->rodata->filter_uid_on = (uint32_t)o->uid_on;
	s->skel->rodata->filter_uid = o->uid;
	s->skel->rodata->filter_pid_on = o->npids > 0 || (o->follow && o->cmd);
	s->skel->rodata->follow = (uint32_t)o->follow;
	s->skel->rodata->filter_comm_on = (uint32_t)o->comm_on;
	memcpy((char *)s->skel->rodata->filter_comm, o->comm, sizeof o->comm);
	bpf_map__set_max_entries(s->skel->maps.scratch, (uint32_t)s->ncpus);
	bpf_map__set_max_entries(s->skel->maps.events, (uint32_t)o->buffer_size);
	s->skel->rodata->wakeup_bytes = o->buffer_size / 8;
	if ((err = syscalls_bpf__load(s->skel)) < 0) {
		snprintf(why, n, "loading the BPF programs failed: %s%s%s%s", strerror(-err),
		         (err == -EPERM || err == -EACCES) ? " (needs root, or CAP_BPF and CAP_PERFMON)" : "",
		         last_libbpf_msg[0] ? "; libbpf: " : "", last_libbpf_msg);
		goto cleanup;
	}
	for (size_t i = 0; i < sizeof ROWS / sizeof ROWS[0]; i++) {
		const struct sysrow *r = &ROWS[i];
		if (r->nr < 0 || r->nr >= EBPF_MAX_NR || !o->types[r->type])
			continue;
		struct ebpf_sysconf c = {
			.type = r->type, .path1 = r->path1, .dirfd1 = r->dirfd1, .path2 = r->path2,
			.dirfd2 = r->dirfd2, .fd_path = r->fd_path, .addr = r->addr, .addrlen = r->addrlen,
			.addrlen_ptr = r->addrlen_ptr, .special = r->special, .need_exec = r->need_exec,
			.no_resolve1 = r->no_res,
		};
		uint32_t k = (uint32_t)r->nr;
		if ((err = bpf_map__update_elem(s->skel->maps.sysconf, &k, sizeof k, &c, sizeof c, BPF_ANY)) < 0) {
			snprintf(why, n, "configuring syscall %d failed: %s", r->nr, strerror(-err));
			goto cleanup;
		}
	}
	for (int i = 0; i < o->npids; i++)
		if (ebpf_add_pid(s, o->pids[i]) < 0) {
			snprintf(why, n, "cannot add pid %d to the filter", (int)o->pids[i]);
			goto cleanup;
		}
	s->rb = ring_buffer__new(bpf_map__fd(s->skel->maps.events), handle_event, s, NULL);
	if (!s->rb) {
		snprintf(why, n, "cannot map the ring buffer: %s", strerror(errno));
		goto cleanup;
	}
	if ((err = syscalls_bpf__attach(s->skel)) < 0) {
		snprintf(why, n, "attaching the probes failed: %s%s%s", strerror(-err),
		         last_libbpf_msg[0] ? "; libbpf: " : "", last_libbpf_msg);
		goto cleanup;
	}
	*out = s;
	s = NULL;
	rc = 0;
cleanup:
	ebpf_close(s);
	return rc;
}

const rec_frontend rec_frontend_ebpf = {
	.name = "ebpf",
	.version = KCAP_VERSION_STRING,
	.open = ebpf_open,
	.add_pid = ebpf_add_pid,
	.poll = ebpf_poll,
	.stats = ebpf_stats,
	.close = ebpf_close,
	.stop = ebpf_stop,
};
