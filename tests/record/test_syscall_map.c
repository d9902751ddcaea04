/* test_syscall_map.c - the syscall map every frontend reads
 * (kcap/syscall_map.h): its rows agree with the taxonomy, and per
 * architecture a set of (syscall nr, args, ret) gives the expected type and
 * param values. */
#include <check.h>
#include "check_run.h"
#include <string.h>

#include <kcap/syscall_map.h>
#include <kcap/taxonomy.h>

#define ALL_ARGS 0x3fu

/* The params of one filled call. */
typedef struct filled {
	const kcap_syscall *m;
	const kcap_type_def *def;
	kcap_value P[KCAP_MAX_PARAMS];
} filled;

/* Looks (arch, nr) up, asserting its type, and fills it from args. */
static void fill(filled *f, kcap_arch arch, long nr, uint32_t want_type, const uint64_t *args, unsigned known,
                 const int64_t *ret, unsigned opts)
{
	memset(f, 0, sizeof *f);
	f->m = kcap_syscall_by_nr(arch, nr);
	ck_assert_msg(f->m, "arch %d nr %ld: no row", (int)arch, nr);
	ck_assert_uint_eq(f->m->type, want_type);
	f->def = kcap_taxonomy_type(f->m->type);
	ck_assert_ptr_nonnull(f->def);
	kcap_syscall_fill(f->m, f->def, args, known, ret, opts, f->P);
}

static void want_i(const filled *f, int idx, int64_t v)
{
	ck_assert_msg(f->P[idx].present, "%s param %d (%s) absent", f->m->name, idx, f->def->params[idx].name);
	ck_assert_int_eq(f->P[idx].type, f->def->params[idx].type);
	ck_assert_int_eq(f->P[idx].i, v);
}

static void want_u(const filled *f, int idx, uint64_t v)
{
	ck_assert_msg(f->P[idx].present, "%s param %d (%s) absent", f->m->name, idx, f->def->params[idx].name);
	ck_assert_uint_eq(f->P[idx].u, v);
}

static void want_absent(const filled *f, int idx)
{
	ck_assert_msg(!f->P[idx].present, "%s param %d (%s) present", f->m->name, idx, f->def->params[idx].name);
}

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
	/* one row per taxonomy type */
	size_t ntypes = 0;
	while (kcap_taxonomy_type_at(ntypes))
		ntypes++;
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

START_TEST(x86_64_args)
{
	filled f;
	int64_t r3 = 3, r0 = 0, r1234 = 1234, rfail = -2;
	/* openat(AT_FDCWD, path, O_WRONLY|O_CREAT, 0644) = 3 */
	uint64_t openat[6] = {0xffffffffffffff9cull, 0x7ffd0000, 0101, 0644};
	fill(&f, KCAP_ARCH_X86_64, 257, KCAP_EV_OPENAT, openat, ALL_ARGS, &r3, 0);
	want_i(&f, KCAP_P_OPEN_DIRFD, KCAP_SYS_AT_FDCWD);
	want_u(&f, KCAP_P_OPEN_FLAGS, 0101);
	want_u(&f, KCAP_P_OPEN_MODE, 0644);
	want_i(&f, KCAP_P_OPEN_RET, 3);
	want_absent(&f, KCAP_P_OPEN_PATH);    /* the frontend's */
	want_absent(&f, KCAP_P_OPEN_RESOLVE); /* openat2 only */
	ck_assert_uint_eq(f.m->path[0].arg, 1);
	ck_assert_uint_eq(f.m->path[0].dirfd_param, KCAP_P_OPEN_DIRFD);
	ck_assert_uint_eq(f.m->path[0].role, KCAP_SYSPATH_MAY_CREATE);
	ck_assert_uint_eq(kcap_syscall_arg_of(f.m, KCAP_P_OPEN_DIRFD), 0);

	/* an int flags argument is 32 bits; RAW_INTS keeps the register */
	uint64_t dirty[6] = {3, 0, 0x100000041ull, 0};
	fill(&f, KCAP_ARCH_X86_64, 257, KCAP_EV_OPENAT, dirty, ALL_ARGS, NULL, 0);
	want_u(&f, KCAP_P_OPEN_FLAGS, 0x41);
	want_absent(&f, KCAP_P_OPEN_RET);
	fill(&f, KCAP_ARCH_X86_64, 257, KCAP_EV_OPENAT, dirty, ALL_ARGS, NULL, KCAP_SYSCALL_FILL_RAW_INTS);
	want_u(&f, KCAP_P_OPEN_FLAGS, 0x100000041ull);

	/* only the known arguments */
	fill(&f, KCAP_ARCH_X86_64, 257, KCAP_EV_OPENAT, openat, 1u << 0, &rfail, 0);
	want_i(&f, KCAP_P_OPEN_DIRFD, -100);
	want_absent(&f, KCAP_P_OPEN_FLAGS);
	want_absent(&f, KCAP_P_OPEN_MODE);
	want_i(&f, KCAP_P_OPEN_RET, -2);

	/* the implied flags: fork, vfork, creat; pipe and accept on request */
	uint64_t none[6] = {0};
	fill(&f, KCAP_ARCH_X86_64, 57, KCAP_EV_FORK, none, ALL_ARGS, &r1234, 0);
	want_u(&f, KCAP_P_CLONE_FLAGS, 17);
	want_i(&f, KCAP_P_CLONE_CHILD_PID, 1234);
	want_i(&f, KCAP_P_CLONE_RET, 1234);
	fill(&f, KCAP_ARCH_X86_64, 58, KCAP_EV_VFORK, none, ALL_ARGS, &rfail, 0);
	want_u(&f, KCAP_P_CLONE_FLAGS, 0x4111);
	want_absent(&f, KCAP_P_CLONE_CHILD_PID);
	uint64_t creat[6] = {0x1000, 0600};
	fill(&f, KCAP_ARCH_X86_64, 85, KCAP_EV_CREAT, creat, ALL_ARGS, &r3, 0);
	want_u(&f, KCAP_P_OPEN_FLAGS, 01101);
	want_u(&f, KCAP_P_OPEN_MODE, 0600);
	want_absent(&f, KCAP_P_OPEN_DIRFD);
	fill(&f, KCAP_ARCH_X86_64, 22, KCAP_EV_PIPE, none, ALL_ARGS, &r0, 0);
	want_absent(&f, KCAP_P_PIPE_FLAGS);
	fill(&f, KCAP_ARCH_X86_64, 22, KCAP_EV_PIPE, none, ALL_ARGS, &r0, KCAP_SYSCALL_FILL_IMPLIED_ZERO);
	want_u(&f, KCAP_P_PIPE_FLAGS, 0);
	uint64_t accept[6] = {5, 0x1000, 0x2000, 0x800};
	fill(&f, KCAP_ARCH_X86_64, 43, KCAP_EV_ACCEPT, accept, ALL_ARGS, &r3, KCAP_SYSCALL_FILL_IMPLIED_ZERO);
	want_i(&f, KCAP_P_ACCEPT_FD, 5);
	want_u(&f, KCAP_P_ACCEPT_FLAGS, 0);
	ck_assert(f.m->flags & KCAP_SYSCALL_ADDR);
	ck_assert_uint_eq(f.m->addr_param, KCAP_P_ACCEPT_ADDR);
	ck_assert_uint_eq(f.m->addr_returned, 1);
	fill(&f, KCAP_ARCH_X86_64, 288, KCAP_EV_ACCEPT4, accept, ALL_ARGS, &r3, KCAP_SYSCALL_FILL_IMPLIED_ZERO);
	want_u(&f, KCAP_P_ACCEPT_FLAGS, 0x800);

	/* mmap: fd only for a file mapping; kept only with PROT_EXEC */
	uint64_t anon[6] = {0, 4096, 5, 0x22, 0xffffffff, 0};
	fill(&f, KCAP_ARCH_X86_64, 9, KCAP_EV_MMAP, anon, ALL_ARGS, &r1234, 0);
	want_u(&f, KCAP_P_MMAP_LEN, 4096);
	want_u(&f, KCAP_P_MMAP_PROT, 5);
	want_u(&f, KCAP_P_MMAP_FLAGS, 0x22);
	want_absent(&f, KCAP_P_MMAP_FD);
	ck_assert_int_eq(kcap_syscall_fd_path_applies(f.m, anon), 0);
	ck_assert_int_eq(kcap_syscall_kept(f.m, anon, ALL_ARGS), 1);
	ck_assert_int_eq(kcap_syscall_kept(f.m, anon, ALL_ARGS & ~(1u << 2)), 0);
	uint64_t file[6] = {0, 8192, 3, 0x2, 7, 0};
	fill(&f, KCAP_ARCH_X86_64, 9, KCAP_EV_MMAP, file, ALL_ARGS, &r1234, 0);
	want_i(&f, KCAP_P_MMAP_FD, 7);
	ck_assert_int_eq(kcap_syscall_fd_path_applies(f.m, file), 1);
	ck_assert_int_eq(kcap_syscall_kept(f.m, file, ALL_ARGS), 0); /* PROT_READ|PROT_WRITE */
	ck_assert_int_eq(kcap_syscall_kept(kcap_syscall_by_type(KCAP_EV_OPEN), file, 0), 1);

	/* signed ints from the registers, and what does not return */
	uint64_t kill[6] = {0xffffffffffffffffull, 0xffffffffffffffffull};
	fill(&f, KCAP_ARCH_X86_64, 62, KCAP_EV_KILL, kill, ALL_ARGS, &r0, 0);
	want_i(&f, KCAP_P_KILL_TARGET, -1);
	want_u(&f, KCAP_P_KILL_SIG, 0xffffffff);
	want_absent(&f, KCAP_P_KILL_TID);
	uint64_t ex[6] = {0xffffffff};
	fill(&f, KCAP_ARCH_X86_64, 231, KCAP_EV_EXIT_GROUP, ex, ALL_ARGS, &r0, 0);
	ck_assert_uint_eq(f.def->nparams, 1); /* no ret to set */
	want_i(&f, KCAP_P_EXIT_STATUS, -1);

	/* long arguments are whole: pread64's count and offset */
	uint64_t pread[6] = {4, 0x1000, 0x100000010ull, 0xffffffffffffffffull};
	fill(&f, KCAP_ARCH_X86_64, 17, KCAP_EV_PREAD64, pread, ALL_ARGS, &r3, 0);
	want_i(&f, KCAP_P_RW_FD, 4);
	want_u(&f, KCAP_P_RW_COUNT, 0x100000010ull);
	want_i(&f, KCAP_P_RW_OFFSET, -1);

	/* renameat2: both paths relative to their dirfds, flags in arg 4 */
	uint64_t ren[6] = {3, 0x1000, 4, 0x2000, 1};
	fill(&f, KCAP_ARCH_X86_64, 316, KCAP_EV_RENAMEAT2, ren, ALL_ARGS, &r0, 0);
	want_i(&f, KCAP_P_RENAME_OLDDIRFD, 3);
	want_i(&f, KCAP_P_RENAME_NEWDIRFD, 4);
	want_u(&f, KCAP_P_RENAME_FLAGS, 1);
	ck_assert_uint_eq(f.m->path[0].role, KCAP_SYSPATH_DELETES);
	ck_assert_uint_eq(f.m->path[1].role, KCAP_SYSPATH_CREATES);
	ck_assert_uint_eq(f.m->path[1].arg, 3);
	/* audit logs a0..a3 only: the flags stay absent */
	fill(&f, KCAP_ARCH_X86_64, 316, KCAP_EV_RENAMEAT2, ren, 0xfu, &r0, 0);
	want_absent(&f, KCAP_P_RENAME_FLAGS);
}
END_TEST

START_TEST(i386_args)
{
	filled f;
	int64_t r0 = 0, r5 = 5;
	/* 32-bit registers: a long is 32 bits, an I64 sign-extends from them */
	uint64_t pread[6] = {3, 0x1000, 0x100000010ull, 0xffffffff};
	fill(&f, KCAP_ARCH_I386, 180, KCAP_EV_PREAD64, pread, ALL_ARGS, &r5, KCAP_SYSCALL_FILL_32BIT);
	want_u(&f, KCAP_P_RW_COUNT, 0x10);
	want_i(&f, KCAP_P_RW_OFFSET, -1);
	want_i(&f, KCAP_P_RW_RET, 5);
	/* and without the option they would be whole */
	fill(&f, KCAP_ARCH_I386, 180, KCAP_EV_PREAD64, pread, ALL_ARGS, &r5, 0);
	want_i(&f, KCAP_P_RW_OFFSET, 0xffffffff);
	/* the 32-bit id calls are their family's members */
	uint64_t setuid[6] = {0xffffffff};
	fill(&f, KCAP_ARCH_I386, 213, KCAP_EV_SETUID, setuid, ALL_ARGS, &r0, KCAP_SYSCALL_FILL_32BIT);
	want_u(&f, KCAP_P_SETID_ID, 4294967295u);
	uint64_t chown[6] = {0x1000, 1000, 100};
	fill(&f, KCAP_ARCH_I386, 212, KCAP_EV_CHOWN, chown, ALL_ARGS, &r0, KCAP_SYSCALL_FILL_32BIT);
	want_u(&f, KCAP_P_CHOWN_UID, 1000);
	want_u(&f, KCAP_P_CHOWN_GID, 100);
	want_absent(&f, KCAP_P_CHOWN_DIRFD);
	/* mmap2 maps to mmap */
	uint64_t mm[6] = {0, 4096, 4, 0x22};
	fill(&f, KCAP_ARCH_I386, 192, KCAP_EV_MMAP, mm, ALL_ARGS, &r0, KCAP_SYSCALL_FILL_32BIT);
	want_u(&f, KCAP_P_MMAP_PROT, 4);
	/* clone's flags are in a0 on i386 as well */
	uint64_t clone[6] = {0x1200011};
	int64_t child = 77;
	fill(&f, KCAP_ARCH_I386, 120, KCAP_EV_CLONE, clone, ALL_ARGS, &child, KCAP_SYSCALL_FILL_32BIT);
	want_u(&f, KCAP_P_CLONE_FLAGS, 0x1200011);
	want_i(&f, KCAP_P_CLONE_CHILD_PID, 77);
}
END_TEST

START_TEST(aarch64_args)
{
	filled f;
	int64_t r3 = 3, r0 = 0;
	/* the asm-generic numbers: openat is 56, its arguments as on x86_64 */
	uint64_t openat[6] = {5, 0x1000, 02000000, 0};
	fill(&f, KCAP_ARCH_AARCH64, 56, KCAP_EV_OPENAT, openat, ALL_ARGS, &r3, 0);
	want_i(&f, KCAP_P_OPEN_DIRFD, 5);
	want_u(&f, KCAP_P_OPEN_FLAGS, 02000000);
	want_u(&f, KCAP_P_OPEN_MODE, 0);
	want_i(&f, KCAP_P_OPEN_RET, 3);
	/* sendto(fd, buf, len, flags, addr, addrlen) is 206 */
	uint64_t sendto[6] = {4, 0x1000, 100, 0x4000, 0x2000, 16};
	fill(&f, KCAP_ARCH_AARCH64, 206, KCAP_EV_SENDTO, sendto, ALL_ARGS, &r0, 0);
	want_i(&f, KCAP_P_XFER_FD, 4);
	want_u(&f, KCAP_P_XFER_SIZE, 100);
	want_u(&f, KCAP_P_XFER_FLAGS, 0x4000);
	ck_assert_uint_eq(f.m->addr_arg, 4);
	ck_assert_uint_eq(f.m->addrlen_arg, 5);
	ck_assert_uint_eq(f.m->addr_returned, 0);
	/* symlinkat(target, newdirfd, linkpath) is 36: the target stays as given */
	uint64_t sl[6] = {0x1000, 7, 0x2000};
	fill(&f, KCAP_ARCH_AARCH64, 36, KCAP_EV_SYMLINKAT, sl, ALL_ARGS, &r0, 0);
	want_i(&f, KCAP_P_SYMLINK_DIRFD, 7);
	ck_assert_uint_eq(f.m->path[0].role, KCAP_SYSPATH_NOT_A_PATH);
	ck_assert_uint_eq(f.m->path[0].param, KCAP_P_SYMLINK_TARGET);
	ck_assert_uint_eq(f.m->path[1].arg, 2);
	ck_assert_uint_eq(f.m->path[1].dirfd_param, KCAP_P_SYMLINK_DIRFD);
	/* fchmod(fd, mode) is 52: its path is the fd's file */
	uint64_t fch[6] = {9, 0755};
	fill(&f, KCAP_ARCH_AARCH64, 52, KCAP_EV_FCHMOD, fch, ALL_ARGS, &r0, 0);
	want_i(&f, KCAP_P_CHMOD_FD, 9);
	want_u(&f, KCAP_P_CHMOD_MODE, 0755);
	ck_assert_uint_eq(f.m->path[0].role, KCAP_SYSPATH_OF_FD);
	ck_assert_uint_eq(f.m->fd_arg, 0);
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

int main(void)
{
	Suite *s = suite_create("syscall_map");
	TCase *t = tcase_create("map");
	tcase_add_test(t, rows_agree_with_taxonomy);
	tcase_add_test(t, numbers_per_arch);
	tcase_add_test(t, x86_64_args);
	tcase_add_test(t, i386_args);
	tcase_add_test(t, aarch64_args);
	tcase_add_test(t, sockaddr_inet);
	suite_add_tcase(s, t);
	return kcap_check_run(s);
}
