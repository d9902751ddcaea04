/* test_syscall_map.c - the syscall map every frontend reads
 * (kcap/syscall_map.h): its rows agree with the taxonomy, and per
 * architecture a set of (syscall nr, args, ret) gives the expected type and
 * param values. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* CLONE_* */
#endif
#include <check.h>
#include "check_run.h"
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include <kcap/syscall_map.h>
#include <kcap/taxonomy.h>

#define ALL_ARGS 0x3fu
#define A0_A3 0xfu /* what audit logs */
#define X86_64 KCAP_ARCH_X86_64
#define I386 KCAP_ARCH_I386
#define AARCH64 KCAP_ARCH_AARCH64
#define RAW KCAP_SYSCALL_FILL_RAW_INTS
#define ZERO KCAP_SYSCALL_FILL_IMPLIED_ZERO
#define B32 KCAP_SYSCALL_FILL_32BIT

/* One expected param: signed, unsigned, or absent. */
typedef struct want {
	char kind; /* 'i', 'u', '-'; 0 ends the list */
	uint8_t param;
	uint64_t v;
} want;
#define WI(p, x) { 'i', KCAP_P_##p, (uint64_t)(int64_t)(x) }
#define WU(p, x) { 'u', KCAP_P_##p, (uint64_t)(x) }
#define WNONE(p) { '-', KCAP_P_##p, 0 }

/* (arch, nr, args, ret) -> the type and these param values. */
typedef struct fill_case {
	const char *what;
	kcap_arch arch;
	long nr;
	uint32_t type;
	uint64_t args[6];
	unsigned known;  /* bits of the args a source has */
	int has_ret;
	int64_t ret;
	unsigned opts;   /* KCAP_SYSCALL_FILL_* */
	want w[8];
} fill_case;

static const fill_case CASES[] = {
	/* x86_64 */
	{ "openat(AT_FDCWD, p, O_WRONLY|O_CREAT, 0644) = 3", X86_64, 257, KCAP_EV_OPENAT,
	  {0xffffffffffffff9cull, 0x7ffd0000, 0101, 0644}, ALL_ARGS, 1, 3, 0,
	  {WI(OPEN_DIRFD, -100), WU(OPEN_FLAGS, 0101), WU(OPEN_MODE, 0644), WI(OPEN_RET, 3), WNONE(OPEN_PATH),
	   WNONE(OPEN_RESOLVE)} },
	{ "an int flags argument is 32 bits", X86_64, 257, KCAP_EV_OPENAT, {3, 0, 0x100000041ull}, ALL_ARGS, 0, 0, 0,
	  {WU(OPEN_FLAGS, 0x41), WNONE(OPEN_RET)} },
	{ "RAW_INTS keeps the register", X86_64, 257, KCAP_EV_OPENAT, {3, 0, 0x100000041ull}, ALL_ARGS, 0, 0, RAW,
	  {WU(OPEN_FLAGS, 0x100000041ull)} },
	{ "only the known arguments", X86_64, 257, KCAP_EV_OPENAT, {0xffffffffffffff9cull, 1, 2, 3}, 1u << 0, 1, -2, 0,
	  {WI(OPEN_DIRFD, -100), WNONE(OPEN_FLAGS), WNONE(OPEN_MODE), WI(OPEN_RET, -2)} },
	{ "fork() = 1234: SIGCHLD", X86_64, 57, KCAP_EV_FORK, {0}, ALL_ARGS, 1, 1234, 0,
	  {WU(CLONE_FLAGS, 17), WI(CLONE_CHILD_PID, 1234), WI(CLONE_RET, 1234)} },
	{ "vfork() failing: CLONE_VM|CLONE_VFORK|SIGCHLD", X86_64, 58, KCAP_EV_VFORK, {0}, ALL_ARGS, 1, -11, 0,
	  {WU(CLONE_FLAGS, 0x4111), WNONE(CLONE_CHILD_PID), WI(CLONE_RET, -11)} },
	{ "creat(p, 0600): O_CREAT|O_WRONLY|O_TRUNC", X86_64, 85, KCAP_EV_CREAT, {0x1000, 0600}, ALL_ARGS, 1, 3, 0,
	  {WU(OPEN_FLAGS, 01101), WU(OPEN_MODE, 0600), WNONE(OPEN_DIRFD)} },
	{ "pipe(): no implied 0 unless asked", X86_64, 22, KCAP_EV_PIPE, {0x1000}, ALL_ARGS, 1, 0, 0,
	  {WNONE(PIPE_FLAGS), WI(PIPE_RET, 0), WNONE(PIPE_FD0)} },
	{ "pipe(): implied 0", X86_64, 22, KCAP_EV_PIPE, {0x1000}, ALL_ARGS, 1, 0, ZERO, {WU(PIPE_FLAGS, 0)} },
	{ "accept(5, a, l): implied 0", X86_64, 43, KCAP_EV_ACCEPT, {5, 0x1000, 0x2000, 0x800}, ALL_ARGS, 1, 3, ZERO,
	  {WI(ACCEPT_FD, 5), WU(ACCEPT_FLAGS, 0), WNONE(ACCEPT_ADDR), WI(ACCEPT_RET, 3)} },
	{ "accept4(5, a, l, SOCK_CLOEXEC)", X86_64, 288, KCAP_EV_ACCEPT4, {5, 0x1000, 0x2000, 02000000}, ALL_ARGS, 1, 3,
	  ZERO, {WU(ACCEPT_FLAGS, 02000000)} },
	{ "anonymous mmap: no fd", X86_64, 9, KCAP_EV_MMAP, {0, 4096, 5, 0x22, 0xffffffff}, ALL_ARGS, 1, 0x7f00, 0,
	  {WU(MMAP_ADDR, 0), WU(MMAP_LEN, 4096), WU(MMAP_PROT, 5), WU(MMAP_FLAGS, 0x22), WNONE(MMAP_FD),
	   WI(MMAP_RET, 0x7f00)} },
	{ "file mmap: fd", X86_64, 9, KCAP_EV_MMAP, {0, 8192, 5, 0x2, 7}, ALL_ARGS, 1, 0x7f00, 0, {WI(MMAP_FD, 7)} },
	{ "kill(-1, -1)", X86_64, 62, KCAP_EV_KILL, {~0ull, ~0ull}, ALL_ARGS, 1, 0, 0,
	  {WI(KILL_TARGET, -1), WU(KILL_SIG, 0xffffffff), WNONE(KILL_TID)} },
	{ "exit_group(-1): no ret", X86_64, 231, KCAP_EV_EXIT_GROUP, {0xffffffff}, ALL_ARGS, 1, 0, 0,
	  {WI(EXIT_STATUS, -1)} },
	{ "pread64: long count and offset whole", X86_64, 17, KCAP_EV_PREAD64, {4, 0x1000, 0x100000010ull, ~0ull},
	  ALL_ARGS, 1, 3, 0, {WI(RW_FD, 4), WU(RW_COUNT, 0x100000010ull), WI(RW_OFFSET, -1), WI(RW_RET, 3)} },
	{ "renameat2(3, o, 4, n, RENAME_NOREPLACE)", X86_64, 316, KCAP_EV_RENAMEAT2, {3, 0x1000, 4, 0x2000, 1},
	  ALL_ARGS, 1, 0, 0, {WI(RENAME_OLDDIRFD, 3), WI(RENAME_NEWDIRFD, 4), WU(RENAME_FLAGS, 1)} },
	{ "renameat2 from a0..a3: no flags", X86_64, 316, KCAP_EV_RENAMEAT2, {3, 0x1000, 4, 0x2000, 1}, A0_A3, 1, 0, 0,
	  {WI(RENAME_OLDDIRFD, 3), WNONE(RENAME_FLAGS)} },
	{ "fchownat(AT_FDCWD, p, 0, -1, AT_SYMLINK_NOFOLLOW)", X86_64, 260, KCAP_EV_FCHOWNAT,
	  {0xffffffffffffff9cull, 0x1000, 0, 0xffffffff, 0x100}, ALL_ARGS, 1, 0, 0,
	  {WI(CHOWN_DIRFD, -100), WU(CHOWN_UID, 0), WU(CHOWN_GID, 0xffffffff), WU(CHOWN_FLAGS, 0x100), WNONE(CHOWN_FD)} },
	{ "sendmsg(4, m, MSG_DONTWAIT)", X86_64, 46, KCAP_EV_SENDMSG, {4, 0x1000, 0x40}, ALL_ARGS, 1, 10, 0,
	  {WI(XFER_FD, 4), WNONE(XFER_SIZE), WU(XFER_FLAGS, 0x40), WI(XFER_RET, 10)} },
	{ "clone3: flags are the frontend's", X86_64, 435, KCAP_EV_CLONE3, {0x1000, 88}, ALL_ARGS, 1, 99, 0,
	  {WNONE(CLONE_FLAGS), WI(CLONE_CHILD_PID, 99)} },
	/* i386: 32-bit registers */
	{ "i386 pread64: long is 32 bits, I64 sign-extends", I386, 180, KCAP_EV_PREAD64,
	  {3, 0x1000, 0x100000010ull, 0xffffffff}, ALL_ARGS, 1, 5, B32,
	  {WU(RW_COUNT, 0x10), WI(RW_OFFSET, -1), WI(RW_RET, 5)} },
	{ "i386 registers read as 64-bit without the option", I386, 180, KCAP_EV_PREAD64, {3, 0, 0, 0xffffffff}, ALL_ARGS,
	  1, 5, 0, {WI(RW_OFFSET, 0xffffffff)} },
	{ "i386 setuid32(-1)", I386, 213, KCAP_EV_SETUID, {0xffffffff}, ALL_ARGS, 1, 0, B32,
	  {WU(SETID_ID, 4294967295u), WI(SETID_RET, 0)} },
	{ "i386 chown32(p, 1000, 100)", I386, 212, KCAP_EV_CHOWN, {0x1000, 1000, 100}, ALL_ARGS, 1, 0, B32,
	  {WU(CHOWN_UID, 1000), WU(CHOWN_GID, 100), WNONE(CHOWN_DIRFD), WNONE(CHOWN_FD)} },
	{ "i386 mmap2 is mmap", I386, 192, KCAP_EV_MMAP, {0, 4096, 4, 0x22}, ALL_ARGS, 1, 0, B32,
	  {WU(MMAP_PROT, 4), WU(MMAP_FLAGS, 0x22)} },
	{ "i386 clone: flags in a0", I386, 120, KCAP_EV_CLONE, {0x1200011}, ALL_ARGS, 1, 77, B32,
	  {WU(CLONE_FLAGS, 0x1200011), WI(CLONE_CHILD_PID, 77)} },
	{ "i386 fork", I386, 2, KCAP_EV_FORK, {0}, ALL_ARGS, 1, 0, B32, {WU(CLONE_FLAGS, 17), WNONE(CLONE_CHILD_PID)} },
	{ "setns(3, CLONE_NEWNET) = 0", X86_64, 308, KCAP_EV_SETNS, {3, 0x40000000}, ALL_ARGS, 1, 0, 0,
	  {WI(SETNS_FD, 3), WU(SETNS_NSTYPE, 0x40000000), WI(SETNS_RET, 0), WNONE(SETNS_PATH)} },
	{ "unshare(CLONE_NEWNS|CLONE_NEWUSER) = -EPERM", X86_64, 272, KCAP_EV_UNSHARE, {0x10020000}, ALL_ARGS, 1, -1, 0,
	  {WU(UNSHARE_FLAGS, 0x10020000), WI(UNSHARE_RET, -1)} },
	{ "aarch64 setns", AARCH64, 268, KCAP_EV_SETNS, {4, 0}, ALL_ARGS, 1, 0, 0, {WI(SETNS_FD, 4), WU(SETNS_NSTYPE, 0)} },
	/* aarch64: the asm-generic numbers */
	{ "aarch64 openat(5, p, O_CLOEXEC, 0)", AARCH64, 56, KCAP_EV_OPENAT, {5, 0x1000, 02000000, 0}, ALL_ARGS, 1, 3, 0,
	  {WI(OPEN_DIRFD, 5), WU(OPEN_FLAGS, 02000000), WU(OPEN_MODE, 0), WI(OPEN_RET, 3)} },
	{ "aarch64 sendto(4, b, 100, MSG_NOSIGNAL, a, 16)", AARCH64, 206, KCAP_EV_SENDTO,
	  {4, 0x1000, 100, 0x4000, 0x2000, 16}, ALL_ARGS, 1, 100, 0,
	  {WI(XFER_FD, 4), WU(XFER_SIZE, 100), WU(XFER_FLAGS, 0x4000), WNONE(XFER_ADDR)} },
	{ "aarch64 symlinkat(t, 7, p)", AARCH64, 36, KCAP_EV_SYMLINKAT, {0x1000, 7, 0x2000}, ALL_ARGS, 1, 0, 0,
	  {WI(SYMLINK_DIRFD, 7), WNONE(SYMLINK_TARGET), WNONE(SYMLINK_PATH)} },
	{ "aarch64 fchmod(9, 0755)", AARCH64, 52, KCAP_EV_FCHMOD, {9, 0755}, ALL_ARGS, 1, 0, 0,
	  {WI(CHMOD_FD, 9), WU(CHMOD_MODE, 0755), WNONE(CHMOD_DIRFD)} },
	{ "aarch64 setresuid(1, 2, 3)", AARCH64, 147, KCAP_EV_SETRESUID, {1, 2, 3}, ALL_ARGS, 1, 0, 0,
	  {WU(SETRESID_RID, 1), WU(SETRESID_EID, 2), WU(SETRESID_SID, 3)} },
};

START_TEST(fill_cases)
{
	const fill_case *c = &CASES[_i];
	const kcap_syscall *m = kcap_syscall_by_nr(c->arch, c->nr);
	ck_assert_msg(m, "%s: arch %d nr %ld has no row", c->what, (int)c->arch, c->nr);
	ck_assert_msg(m->type == c->type, "%s: type %u, want %u", c->what, m->type, c->type);
	const kcap_type_def *def = kcap_taxonomy_type(m->type);
	kcap_value P[KCAP_MAX_PARAMS];
	memset(P, 0, sizeof P);
	kcap_syscall_fill(m, def, c->args, c->known, c->has_ret ? &c->ret : NULL, c->opts, P);
	for (const want *w = c->w; w->kind; w++) {
		const kcap_value *v = &P[w->param];
		const char *pn = def->params[w->param].name;
		if (w->kind == '-') {
			ck_assert_msg(!v->present, "%s: %s present", c->what, pn);
			continue;
		}
		ck_assert_msg(v->present, "%s: %s absent", c->what, pn);
		ck_assert_msg(v->type == def->params[w->param].type, "%s: %s of type %d", c->what, pn, (int)v->type);
		if (w->kind == 'i')
			ck_assert_msg(v->i == (int64_t)w->v, "%s: %s = %lld, want %lld", c->what, pn, (long long)v->i,
			              (long long)w->v);
		else
			ck_assert_msg(v->u == w->v, "%s: %s = %#llx, want %#llx", c->what, pn, (unsigned long long)v->u,
			              (unsigned long long)w->v);
	}
}
END_TEST

START_TEST(rows_agree_with_taxonomy)
{
	size_t n = 0;
	uint32_t prev = 0;
	for (const kcap_syscall *m; (m = kcap_syscall_at(n)); n++) {
		const kcap_type_def *t = kcap_taxonomy_type(m->type);
		ck_assert_msg(t, "row %zu: type %u not in the taxonomy", n, m->type);
		ck_assert_str_eq(m->name, t->name);
		ck_assert_msg(m->type > prev, "rows out of type order at %s", m->name);
		prev = m->type;
		ck_assert_ptr_eq(kcap_syscall_by_type(m->type), m);
		ck_assert_ptr_eq(kcap_syscall_by_name(m->name), m);
		for (uint8_t i = 0; i < m->nargs; i++) {
			ck_assert_uint_lt(m->args[i].param, t->nparams);
			ck_assert_uint_lt(m->args[i].arg, 6);
		}
		for (int k = 0; k < 2; k++) {
			const kcap_syscall_path *p = &m->path[k];
			if (p->role == KCAP_SYSPATH_NONE)
				continue;
			ck_assert_uint_lt(p->param, t->nparams);
			ck_assert_msg(p->role == KCAP_SYSPATH_OF_FD ? p->arg == KCAP_SYSARG_NONE : p->arg < 6,
			              "%s path %d: argument %u", m->name, k, p->arg);
			if (p->dirfd_param != KCAP_SYSARG_NONE)
				ck_assert_msg(kcap_syscall_arg_of(m, p->dirfd_param) < 6, "%s: dirfd from no argument",
				              m->name);
		}
		if (m->flags & KCAP_SYSCALL_ADDR)
			ck_assert_int_eq(t->params[m->addr_param].type, KCAP_T_SOCKADDR);
		/* every x86_64 row has a number there (the eBPF probes use them) */
		ck_assert_msg(kcap_syscall_nr(KCAP_ARCH_X86_64, m->name) >= 0, "%s: no x86_64 number", m->name);
	}
	/* one row per taxonomy type that is a syscall */
	size_t ntypes = 0;
	for (size_t i = 0; kcap_taxonomy_type_at(i); i++)
		ntypes += !KCAP_EV_NOT_SYSCALL(kcap_taxonomy_type_at(i)->id);
	ck_assert_uint_eq(n, ntypes);
	ck_assert_ptr_null(kcap_syscall_by_type(0));
	ck_assert_ptr_null(kcap_syscall_by_type(KCAP_EV_MAX_));
}
END_TEST

START_TEST(numbers_per_arch)
{
	static const struct {
		kcap_arch arch;
		long nr;
		const char *name;
		uint32_t type; /* 0: outside the taxonomy */
	} cases[] = {
		{KCAP_ARCH_X86_64, 0, "read", KCAP_EV_READ},
		{KCAP_ARCH_X86_64, 2, "open", KCAP_EV_OPEN},
		{KCAP_ARCH_X86_64, 9, "mmap", KCAP_EV_MMAP},
		{KCAP_ARCH_X86_64, 41, "socket", KCAP_EV_SOCKET},
		{KCAP_ARCH_X86_64, 59, "execve", KCAP_EV_EXECVE},
		{KCAP_ARCH_X86_64, 60, "exit", KCAP_EV_EXIT},
		{KCAP_ARCH_X86_64, 231, "exit_group", KCAP_EV_EXIT_GROUP},
		{KCAP_ARCH_X86_64, 257, "openat", KCAP_EV_OPENAT},
		{KCAP_ARCH_X86_64, 322, "execveat", KCAP_EV_EXECVEAT},
		{KCAP_ARCH_X86_64, 435, "clone3", KCAP_EV_CLONE3},
		{KCAP_ARCH_X86_64, 452, "fchmodat2", KCAP_EV_FCHMODAT2},
		{KCAP_ARCH_X86_64, 4, "stat", 0},
		{KCAP_ARCH_I386, 2, "fork", KCAP_EV_FORK},
		{KCAP_ARCH_I386, 5, "open", KCAP_EV_OPEN},
		{KCAP_ARCH_I386, 11, "execve", KCAP_EV_EXECVE},
		{KCAP_ARCH_I386, 102, "socketcall", 0},
		{KCAP_ARCH_I386, 192, "mmap2", KCAP_EV_MMAP},
		{KCAP_ARCH_I386, 212, "chown32", KCAP_EV_CHOWN},
		{KCAP_ARCH_I386, 213, "setuid32", KCAP_EV_SETUID},
		{KCAP_ARCH_I386, 437, "openat2", KCAP_EV_OPENAT2},
		{KCAP_ARCH_AARCH64, 56, "openat", KCAP_EV_OPENAT},
		{KCAP_ARCH_AARCH64, 203, "connect", KCAP_EV_CONNECT},
		{KCAP_ARCH_AARCH64, 220, "clone", KCAP_EV_CLONE},
		{KCAP_ARCH_AARCH64, 222, "mmap", KCAP_EV_MMAP},
		{KCAP_ARCH_AARCH64, 435, "clone3", KCAP_EV_CLONE3},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *n = kcap_syscall_name(cases[i].arch, cases[i].nr);
		ck_assert_msg(n && strcmp(n, cases[i].name) == 0, "arch %d nr %ld: %s, want %s", (int)cases[i].arch,
		              cases[i].nr, n ? n : "NULL", cases[i].name);
		const kcap_syscall *m = kcap_syscall_by_nr(cases[i].arch, cases[i].nr);
		ck_assert_uint_eq(m ? m->type : 0, cases[i].type);
		/* the number back from the name (aliases map to their own number) */
		ck_assert_int_eq(kcap_syscall_nr(cases[i].arch, cases[i].name), cases[i].nr);
	}
	/* aarch64 has no open, fork or mmap2 */
	ck_assert_int_eq(kcap_syscall_nr(KCAP_ARCH_AARCH64, "open"), -1);
	ck_assert_int_eq(kcap_syscall_nr(KCAP_ARCH_AARCH64, "fork"), -1);
	ck_assert_ptr_null(kcap_syscall_name(KCAP_ARCH_UNKNOWN, 2));
	ck_assert_ptr_null(kcap_syscall_name(KCAP_ARCH_X86_64, -1));
	ck_assert_ptr_null(kcap_syscall_name(KCAP_ARCH_X86_64, 100000));
	ck_assert_ptr_null(kcap_syscall_by_nr(KCAP_ARCH_X86_64, 100000));
	ck_assert_ptr_null(kcap_syscall_by_name(NULL));
	ck_assert_ptr_null(kcap_syscall_by_name(""));
	ck_assert_ptr_null(kcap_syscall_by_name("32"));
	ck_assert_ptr_null(kcap_syscall_by_name("stat32"));
	/* i386 socketcall's call numbers */
	ck_assert_str_eq(kcap_syscall_socketcall(1), "socket");
	ck_assert_str_eq(kcap_syscall_socketcall(3), "connect");
	ck_assert_str_eq(kcap_syscall_socketcall(18), "accept4");
	ck_assert_ptr_null(kcap_syscall_socketcall(0));
	ck_assert_ptr_null(kcap_syscall_socketcall(19));
}
END_TEST

/* What the frontends read from a row beyond the register arguments. */
START_TEST(row_fields)
{
	static const struct {
		uint32_t type;
		int k;
		uint8_t param, arg, dirfd_param, role;
	} paths[] = {
		{KCAP_EV_OPENAT, 0, KCAP_P_OPEN_PATH, 1, KCAP_P_OPEN_DIRFD, KCAP_SYSPATH_MAY_CREATE},
		{KCAP_EV_OPENAT, 1, 0, 0, 0, KCAP_SYSPATH_NONE},
		{KCAP_EV_EXECVE, 0, KCAP_P_EXEC_PATH, 0, KCAP_SYSARG_NONE, KCAP_SYSPATH_NAMED},
		{KCAP_EV_UNLINKAT, 0, KCAP_P_UNLINK_PATH, 1, KCAP_P_UNLINK_DIRFD, KCAP_SYSPATH_MAY_DELETE},
		{KCAP_EV_RENAMEAT2, 0, KCAP_P_RENAME_OLDPATH, 1, KCAP_P_RENAME_OLDDIRFD, KCAP_SYSPATH_DELETES},
		{KCAP_EV_RENAMEAT2, 1, KCAP_P_RENAME_NEWPATH, 3, KCAP_P_RENAME_NEWDIRFD, KCAP_SYSPATH_CREATES},
		{KCAP_EV_LINK, 0, KCAP_P_LINK_OLDPATH, 0, KCAP_SYSARG_NONE, KCAP_SYSPATH_LINKED},
		{KCAP_EV_SYMLINKAT, 0, KCAP_P_SYMLINK_TARGET, 0, KCAP_SYSARG_NONE, KCAP_SYSPATH_NOT_A_PATH},
		{KCAP_EV_SYMLINKAT, 1, KCAP_P_SYMLINK_PATH, 2, KCAP_P_SYMLINK_DIRFD, KCAP_SYSPATH_CREATES},
		{KCAP_EV_MEMFD_CREATE, 0, KCAP_P_MEMFD_NAME, 0, KCAP_SYSARG_NONE, KCAP_SYSPATH_NOT_A_PATH},
		{KCAP_EV_FCHMOD, 0, KCAP_P_CHMOD_PATH, KCAP_SYSARG_NONE, KCAP_SYSARG_NONE, KCAP_SYSPATH_OF_FD},
	};
	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		const kcap_syscall_path *p = &kcap_syscall_by_type(paths[i].type)->path[paths[i].k];
		ck_assert_msg(p->role == paths[i].role, "type %u path %d: role %u", paths[i].type, paths[i].k, p->role);
		if (p->role == KCAP_SYSPATH_NONE)
			continue;
		ck_assert_msg(p->param == paths[i].param && p->arg == paths[i].arg && p->dirfd_param == paths[i].dirfd_param,
		              "type %u path %d: param %u arg %u dirfd param %u", paths[i].type, paths[i].k, p->param, p->arg,
		              p->dirfd_param);
	}
	const kcap_syscall *m = kcap_syscall_by_type(KCAP_EV_OPENAT);
	ck_assert_uint_eq(kcap_syscall_arg_of(m, KCAP_P_OPEN_DIRFD), 0);
	ck_assert_uint_eq(kcap_syscall_arg_of(m, KCAP_P_OPEN_RESOLVE), KCAP_SYSARG_NONE);
	ck_assert(!(m->flags & KCAP_SYSCALL_ADDR));
	ck_assert_uint_eq(kcap_syscall_by_type(KCAP_EV_FCHMOD)->fd_arg, 0);

	m = kcap_syscall_by_type(KCAP_EV_ACCEPT);
	ck_assert(m->flags & KCAP_SYSCALL_ADDR);
	ck_assert_uint_eq(m->addr_param, KCAP_P_ACCEPT_ADDR);
	ck_assert_uint_eq(m->addr_arg, 1);
	ck_assert_uint_eq(m->addrlen_arg, 2);
	ck_assert_uint_eq(m->addr_returned, 1);
	m = kcap_syscall_by_type(KCAP_EV_SENDMSG);
	ck_assert_uint_eq(m->addr_arg, KCAP_SYSARG_NONE); /* behind the msghdr */
	ck_assert_uint_eq(m->addr_returned, 0);

	/* mmap: a file only for a file mapping; kept only with PROT_EXEC */
	m = kcap_syscall_by_type(KCAP_EV_MMAP);
	uint64_t anon[6] = {0, 4096, 5, 0x22, 0xffffffff}, file[6] = {0, 8192, 3, 0x2, 7};
	ck_assert_uint_eq(m->path[0].role, KCAP_SYSPATH_OF_FD);
	ck_assert_uint_eq(m->fd_arg, 4);
	ck_assert_int_eq(kcap_syscall_fd_path_applies(m, anon), 0);
	ck_assert_int_eq(kcap_syscall_fd_path_applies(m, file), 1);
	ck_assert_int_eq(kcap_syscall_kept(m, anon, ALL_ARGS), 1);
	ck_assert_int_eq(kcap_syscall_kept(m, anon, ALL_ARGS & ~(1u << 2)), 0);
	ck_assert_int_eq(kcap_syscall_kept(m, file, ALL_ARGS), 0);
	ck_assert_int_eq(kcap_syscall_kept(kcap_syscall_by_type(KCAP_EV_MPROTECT), anon, ALL_ARGS), 1);
	ck_assert_int_eq(kcap_syscall_kept(kcap_syscall_by_type(KCAP_EV_OPEN), file, 0), 1);
}
END_TEST

START_TEST(sockaddr_inet)
{
	kcap_value v = {0};
	static const uint8_t in4[] = {2, 0, 0x1f, 0x90, 192, 168, 0, 1};
	ck_assert_int_eq(kcap_syscall_sockaddr_inet(&v, KCAP_SYS_AF_INET, in4, sizeof in4), 1);
	ck_assert(v.present);
	ck_assert_int_eq(v.af, KCAP_AF_INET);
	ck_assert_uint_eq(v.port, 8080);
	ck_assert(memcmp(v.addr, in4 + 4, 4) == 0);
	uint8_t in6[28] = {10, 0, 0, 80};
	in6[8 + 15] = 1; /* ::1 */
	memset(&v, 0, sizeof v);
	ck_assert_int_eq(kcap_syscall_sockaddr_inet(&v, KCAP_SYS_AF_INET6, in6, sizeof in6), 1);
	ck_assert_int_eq(v.af, KCAP_AF_INET6);
	ck_assert_uint_eq(v.port, 80);
	ck_assert(memcmp(v.addr, in6 + 8, 16) == 0);
	/* too short, or another family: the frontend's to store */
	memset(&v, 0, sizeof v);
	ck_assert_int_eq(kcap_syscall_sockaddr_inet(&v, KCAP_SYS_AF_INET, in4, 7), 0);
	ck_assert_int_eq(kcap_syscall_sockaddr_inet(&v, KCAP_SYS_AF_INET6, in6, 23), 0);
	ck_assert_int_eq(kcap_syscall_sockaddr_inet(&v, KCAP_SYS_AF_UNIX, in6, sizeof in6), 0);
	ck_assert(!v.present);
}
END_TEST

/* The taxonomy's symbol value of name in symbol set id. */
static uint64_t sym(uint32_t id, const char *name)
{
	for (size_t i = 0; kcap_taxonomy_symset_at(i); i++) {
		const kcap_symset *s = kcap_taxonomy_symset_at(i);
		for (uint32_t k = 0; s->id == id && k < s->nsyms; k++)
			if (strcmp(s->syms[k].name, name) == 0)
				return s->syms[k].value;
	}
	ck_abort_msg("no symbol %s in set %u", name, id);
	return 0;
}

/* The constants the map decides with are the kernel's (this host's libc
 * headers) and the taxonomy's symbols of the same name. */
START_TEST(constants_agree)
{
	ck_assert_int_eq(KCAP_SYS_SIGCHLD, SIGCHLD);
	ck_assert_int_eq(KCAP_SYS_CLONE_VM, CLONE_VM);
	ck_assert_int_eq(KCAP_SYS_CLONE_VFORK, CLONE_VFORK);
	ck_assert_int_eq(KCAP_SYS_O_WRONLY, O_WRONLY);
	ck_assert_int_eq(KCAP_SYS_O_CREAT, O_CREAT);
	ck_assert_int_eq(KCAP_SYS_O_TRUNC, O_TRUNC);
	ck_assert_int_eq(KCAP_SYS_PROT_EXEC, PROT_EXEC);
	ck_assert_int_eq(KCAP_SYS_MAP_ANONYMOUS, MAP_ANONYMOUS);
	ck_assert_int_eq(KCAP_SYS_AT_FDCWD, AT_FDCWD);
	ck_assert_int_eq(KCAP_SYS_AF_UNIX, AF_UNIX);
	ck_assert_int_eq(KCAP_SYS_AF_INET, AF_INET);
	ck_assert_int_eq(KCAP_SYS_AF_INET6, AF_INET6);
	ck_assert_uint_eq(sym(KCAP_SYMS_CLONE_FLAGS, "SIGCHLD"), KCAP_SYS_SIGCHLD);
	ck_assert_uint_eq(sym(KCAP_SYMS_CLONE_FLAGS, "CLONE_VM"), KCAP_SYS_CLONE_VM);
	ck_assert_uint_eq(sym(KCAP_SYMS_CLONE_FLAGS, "CLONE_VFORK"), KCAP_SYS_CLONE_VFORK);
	ck_assert_uint_eq(sym(KCAP_SYMS_OPEN_FLAGS, "O_WRONLY"), KCAP_SYS_O_WRONLY);
	ck_assert_uint_eq(sym(KCAP_SYMS_OPEN_FLAGS, "O_CREAT"), KCAP_SYS_O_CREAT);
	ck_assert_uint_eq(sym(KCAP_SYMS_OPEN_FLAGS, "O_TRUNC"), KCAP_SYS_O_TRUNC);
	ck_assert_uint_eq(sym(KCAP_SYMS_MMAP_PROT, "PROT_EXEC"), KCAP_SYS_PROT_EXEC);
	ck_assert_uint_eq(sym(KCAP_SYMS_MMAP_FLAGS, "MAP_ANONYMOUS"), KCAP_SYS_MAP_ANONYMOUS);
	ck_assert_uint_eq(sym(KCAP_SYMS_SOCK_FAMILY, "AF_INET6"), KCAP_SYS_AF_INET6);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("syscall_map");
	TCase *t = tcase_create("map");
	tcase_add_test(t, rows_agree_with_taxonomy);
	tcase_add_test(t, numbers_per_arch);
	tcase_add_loop_test(t, fill_cases, 0, (int)(sizeof CASES / sizeof CASES[0]));
	tcase_add_test(t, row_fields);
	tcase_add_test(t, sockaddr_inet);
	tcase_add_test(t, constants_agree);
	suite_add_tcase(s, t);
	return kcap_check_run(s);
}
