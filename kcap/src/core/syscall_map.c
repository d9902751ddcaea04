/* syscall_map.c - the one table of how a syscall's arguments become a
 * taxonomy event's params (see kcap/syscall_map.h); the numbers per
 * architecture are in syscall_names.c. */
#include <string.h>

#include "kcap/syscall_map.h"

#define NO KCAP_SYSARG_NONE
/* an argument as the kernel reads it (long, pointer-sized) */
#define A(p, a) { KCAP_P_##p, a, 0 }
/* an argument declared int */
#define AI(p, a) { KCAP_P_##p, a, KCAP_SYSARG_INT }
#define ARGS(...) .nargs = (uint8_t)(sizeof((kcap_syscall_arg[]){__VA_ARGS__}) / sizeof(kcap_syscall_arg)), \
	.args = {__VA_ARGS__}
/* a path relative to the working directory, or to the dirfd param d */
#define PATH(p, a, role) { KCAP_P_##p, a, NO, KCAP_SYSPATH_##role }
#define PATHAT(p, a, d, role) { KCAP_P_##p, a, KCAP_P_##d, KCAP_SYSPATH_##role }
#define PATHS(...) .path = {__VA_ARGS__}
/* the path of the file behind fd argument fa */
#define OF_FD(p, fa) .fd_arg = fa, .path = {{ KCAP_P_##p, NO, NO, KCAP_SYSPATH_OF_FD }}
#define ADDR(p, a, l, returned) .flags = KCAP_SYSCALL_ADDR, .addr_param = KCAP_P_##p, .addr_arg = a, \
	.addrlen_arg = l, .addr_returned = returned
#define IMPLIED(how, p, v) .implied = { KCAP_IMPLIED_##how, KCAP_P_##p, v }

/* fork() is clone(SIGCHLD); vfork() is clone(CLONE_VM|CLONE_VFORK|SIGCHLD)
 * (kernel/fork.c); creat() is open(O_CREAT|O_WRONLY|O_TRUNC). */
#define FORK_FLAGS KCAP_SYS_SIGCHLD
#define VFORK_FLAGS (KCAP_SYS_CLONE_VM | KCAP_SYS_CLONE_VFORK | KCAP_SYS_SIGCHLD)
#define CREAT_FLAGS (KCAP_SYS_O_CREAT | KCAP_SYS_O_WRONLY | KCAP_SYS_O_TRUNC)

/* In type id order (kcap_syscall_by_type searches it). */
static const kcap_syscall ROWS[] = {
	/* process */
	{ .type = KCAP_EV_FORK, .name = "fork", IMPLIED(ALWAYS, CLONE_FLAGS, FORK_FLAGS), .flags = KCAP_SYSCALL_RET_CHILD },
	{ .type = KCAP_EV_VFORK, .name = "vfork", IMPLIED(ALWAYS, CLONE_FLAGS, VFORK_FLAGS), .flags = KCAP_SYSCALL_RET_CHILD },
	{ .type = KCAP_EV_CLONE, .name = "clone", ARGS(A(CLONE_FLAGS, 0)), .flags = KCAP_SYSCALL_RET_CHILD },
	/* clone3's flags are in the struct clone_args behind arg 0 */
	{ .type = KCAP_EV_CLONE3, .name = "clone3", .flags = KCAP_SYSCALL_RET_CHILD },
	{ .type = KCAP_EV_EXECVE, .name = "execve", PATHS(PATH(EXEC_PATH, 0, NAMED)) },
	{ .type = KCAP_EV_EXECVEAT, .name = "execveat", ARGS(AI(EXEC_DIRFD, 0), AI(EXEC_FLAGS, 4)),
	  PATHS(PATHAT(EXEC_PATH, 1, EXEC_DIRFD, NAMED)) },
	{ .type = KCAP_EV_EXIT, .name = "exit", ARGS(AI(EXIT_STATUS, 0)) },
	{ .type = KCAP_EV_EXIT_GROUP, .name = "exit_group", ARGS(AI(EXIT_STATUS, 0)) },
	{ .type = KCAP_EV_KILL, .name = "kill", ARGS(AI(KILL_TARGET, 0), AI(KILL_SIG, 1)) },
	{ .type = KCAP_EV_TKILL, .name = "tkill", ARGS(AI(KILL_TID, 0), AI(KILL_SIG, 1)) },
	{ .type = KCAP_EV_TGKILL, .name = "tgkill", ARGS(AI(KILL_TARGET, 0), AI(KILL_TID, 1), AI(KILL_SIG, 2)) },
	{ .type = KCAP_EV_PTRACE, .name = "ptrace", ARGS(A(PTRACE_REQUEST, 0), A(PTRACE_TARGET, 1), A(PTRACE_ADDR, 2),
	  A(PTRACE_DATA, 3)) },
	{ .type = KCAP_EV_MMAP, .name = "mmap", ARGS(A(MMAP_ADDR, 0), A(MMAP_LEN, 1), A(MMAP_PROT, 2), A(MMAP_FLAGS, 3),
	  { KCAP_P_MMAP_FD, 4, KCAP_SYSARG_INT | KCAP_SYSARG_FILE_MAP }), OF_FD(MMAP_PATH, 4),
	  .flags = KCAP_SYSCALL_EXEC_ONLY },
	{ .type = KCAP_EV_MPROTECT, .name = "mprotect", ARGS(A(MMAP_ADDR, 0), A(MMAP_LEN, 1), A(MMAP_PROT, 2)),
	  .flags = KCAP_SYSCALL_EXEC_ONLY },
	/* the fds are written to the int[2] behind arg 0 */
	{ .type = KCAP_EV_PIPE, .name = "pipe", IMPLIED(ON_REQUEST, PIPE_FLAGS, 0) },
	{ .type = KCAP_EV_PIPE2, .name = "pipe2", ARGS(A(PIPE_FLAGS, 1)) },
	{ .type = KCAP_EV_MEMFD_CREATE, .name = "memfd_create", ARGS(A(MEMFD_FLAGS, 1)), PATHS(PATH(MEMFD_NAME, 0, NOT_A_PATH)) },
	/* namespaces */
	{ .type = KCAP_EV_SETNS, .name = "setns", ARGS(AI(SETNS_FD, 0), AI(SETNS_NSTYPE, 1)), OF_FD(SETNS_PATH, 0) },
	{ .type = KCAP_EV_UNSHARE, .name = "unshare", ARGS(AI(UNSHARE_FLAGS, 0)) },

	/* file */
	{ .type = KCAP_EV_OPEN, .name = "open", ARGS(AI(OPEN_FLAGS, 1), AI(OPEN_MODE, 2)), PATHS(PATH(OPEN_PATH, 0, MAY_CREATE)) },
	{ .type = KCAP_EV_OPENAT, .name = "openat", ARGS(AI(OPEN_DIRFD, 0), AI(OPEN_FLAGS, 2), AI(OPEN_MODE, 3)),
	  PATHS(PATHAT(OPEN_PATH, 1, OPEN_DIRFD, MAY_CREATE)) },
	/* flags, mode and resolve are in the struct open_how behind arg 2 */
	{ .type = KCAP_EV_OPENAT2, .name = "openat2", ARGS(AI(OPEN_DIRFD, 0)), PATHS(PATHAT(OPEN_PATH, 1, OPEN_DIRFD, MAY_CREATE)) },
	{ .type = KCAP_EV_CREAT, .name = "creat", ARGS(AI(OPEN_MODE, 1)), IMPLIED(ALWAYS, OPEN_FLAGS, CREAT_FLAGS),
	  PATHS(PATH(OPEN_PATH, 0, MAY_CREATE)) },
	{ .type = KCAP_EV_CLOSE, .name = "close", ARGS(AI(CLOSE_FD, 0)) },
	{ .type = KCAP_EV_READ, .name = "read", ARGS(AI(RW_FD, 0), A(RW_COUNT, 2)) },
	{ .type = KCAP_EV_WRITE, .name = "write", ARGS(AI(RW_FD, 0), A(RW_COUNT, 2)) },
	{ .type = KCAP_EV_PREAD64, .name = "pread64", ARGS(AI(RW_FD, 0), A(RW_COUNT, 2), A(RW_OFFSET, 3)) },
	{ .type = KCAP_EV_PWRITE64, .name = "pwrite64", ARGS(AI(RW_FD, 0), A(RW_COUNT, 2), A(RW_OFFSET, 3)) },
	{ .type = KCAP_EV_READV, .name = "readv", ARGS(AI(RW_FD, 0), A(RW_COUNT, 2)) },
	{ .type = KCAP_EV_WRITEV, .name = "writev", ARGS(AI(RW_FD, 0), A(RW_COUNT, 2)) },
	{ .type = KCAP_EV_PREADV, .name = "preadv", ARGS(AI(RW_FD, 0), A(RW_COUNT, 2), A(RW_OFFSET, 3)) },
	{ .type = KCAP_EV_PWRITEV, .name = "pwritev", ARGS(AI(RW_FD, 0), A(RW_COUNT, 2), A(RW_OFFSET, 3)) },
	{ .type = KCAP_EV_UNLINK, .name = "unlink", PATHS(PATH(UNLINK_PATH, 0, MAY_DELETE)) },
	{ .type = KCAP_EV_UNLINKAT, .name = "unlinkat", ARGS(AI(UNLINK_DIRFD, 0), AI(UNLINK_FLAGS, 2)),
	  PATHS(PATHAT(UNLINK_PATH, 1, UNLINK_DIRFD, MAY_DELETE)) },
	{ .type = KCAP_EV_RENAME, .name = "rename", PATHS(PATH(RENAME_OLDPATH, 0, DELETES), PATH(RENAME_NEWPATH, 1, CREATES)) },
	{ .type = KCAP_EV_RENAMEAT, .name = "renameat", ARGS(AI(RENAME_OLDDIRFD, 0), AI(RENAME_NEWDIRFD, 2)),
	  PATHS(PATHAT(RENAME_OLDPATH, 1, RENAME_OLDDIRFD, DELETES),
	        PATHAT(RENAME_NEWPATH, 3, RENAME_NEWDIRFD, CREATES)) },
	{ .type = KCAP_EV_RENAMEAT2, .name = "renameat2", ARGS(AI(RENAME_OLDDIRFD, 0), AI(RENAME_NEWDIRFD, 2), AI(RENAME_FLAGS, 4)),
	  PATHS(PATHAT(RENAME_OLDPATH, 1, RENAME_OLDDIRFD, DELETES),
	        PATHAT(RENAME_NEWPATH, 3, RENAME_NEWDIRFD, CREATES)) },
	{ .type = KCAP_EV_MKDIR, .name = "mkdir", ARGS(AI(MKDIR_MODE, 1)), PATHS(PATH(MKDIR_PATH, 0, MAY_CREATE)) },
	{ .type = KCAP_EV_MKDIRAT, .name = "mkdirat", ARGS(AI(MKDIR_DIRFD, 0), AI(MKDIR_MODE, 2)),
	  PATHS(PATHAT(MKDIR_PATH, 1, MKDIR_DIRFD, MAY_CREATE)) },
	{ .type = KCAP_EV_RMDIR, .name = "rmdir", PATHS(PATH(RMDIR_PATH, 0, MAY_DELETE)) },
	{ .type = KCAP_EV_CHMOD, .name = "chmod", ARGS(AI(CHMOD_MODE, 1)), PATHS(PATH(CHMOD_PATH, 0, NAMED)) },
	{ .type = KCAP_EV_FCHMOD, .name = "fchmod", ARGS(AI(CHMOD_FD, 0), AI(CHMOD_MODE, 1)), OF_FD(CHMOD_PATH, 0) },
	{ .type = KCAP_EV_FCHMODAT, .name = "fchmodat", ARGS(AI(CHMOD_DIRFD, 0), AI(CHMOD_MODE, 2)),
	  PATHS(PATHAT(CHMOD_PATH, 1, CHMOD_DIRFD, NAMED)) },
	{ .type = KCAP_EV_FCHMODAT2, .name = "fchmodat2", ARGS(AI(CHMOD_DIRFD, 0), AI(CHMOD_MODE, 2), AI(CHMOD_FLAGS, 3)),
	  PATHS(PATHAT(CHMOD_PATH, 1, CHMOD_DIRFD, NAMED)) },
	{ .type = KCAP_EV_CHOWN, .name = "chown", ARGS(AI(CHOWN_UID, 1), AI(CHOWN_GID, 2)), PATHS(PATH(CHOWN_PATH, 0, NAMED)) },
	{ .type = KCAP_EV_LCHOWN, .name = "lchown", ARGS(AI(CHOWN_UID, 1), AI(CHOWN_GID, 2)), PATHS(PATH(CHOWN_PATH, 0, NAMED)) },
	{ .type = KCAP_EV_FCHOWN, .name = "fchown", ARGS(AI(CHOWN_FD, 0), AI(CHOWN_UID, 1), AI(CHOWN_GID, 2)), OF_FD(CHOWN_PATH, 0) },
	{ .type = KCAP_EV_FCHOWNAT, .name = "fchownat",
	  ARGS(AI(CHOWN_DIRFD, 0), AI(CHOWN_UID, 2), AI(CHOWN_GID, 3), AI(CHOWN_FLAGS, 4)),
	  PATHS(PATHAT(CHOWN_PATH, 1, CHOWN_DIRFD, NAMED)) },
	{ .type = KCAP_EV_CHDIR, .name = "chdir", PATHS(PATH(CHDIR_PATH, 0, NAMED)) },
	{ .type = KCAP_EV_FCHDIR, .name = "fchdir", ARGS(AI(CHDIR_FD, 0)), OF_FD(CHDIR_PATH, 0) },
	{ .type = KCAP_EV_LINK, .name = "link", PATHS(PATH(LINK_OLDPATH, 0, LINKED), PATH(LINK_NEWPATH, 1, CREATES)) },
	{ .type = KCAP_EV_LINKAT, .name = "linkat", ARGS(AI(LINK_OLDDIRFD, 0), AI(LINK_NEWDIRFD, 2), AI(LINK_FLAGS, 4)),
	  PATHS(PATHAT(LINK_OLDPATH, 1, LINK_OLDDIRFD, LINKED), PATHAT(LINK_NEWPATH, 3, LINK_NEWDIRFD, CREATES)) },
	{ .type = KCAP_EV_SYMLINK, .name = "symlink", PATHS(PATH(SYMLINK_TARGET, 0, NOT_A_PATH), PATH(SYMLINK_PATH, 1, CREATES)) },
	{ .type = KCAP_EV_SYMLINKAT, .name = "symlinkat", ARGS(AI(SYMLINK_DIRFD, 1)),
	  PATHS(PATH(SYMLINK_TARGET, 0, NOT_A_PATH), PATHAT(SYMLINK_PATH, 2, SYMLINK_DIRFD, CREATES)) },
	{ .type = KCAP_EV_TRUNCATE, .name = "truncate", ARGS(A(TRUNCATE_LENGTH, 1)), PATHS(PATH(TRUNCATE_PATH, 0, NAMED)) },
	{ .type = KCAP_EV_FTRUNCATE, .name = "ftruncate", ARGS(AI(TRUNCATE_FD, 0), A(TRUNCATE_LENGTH, 1)), OF_FD(TRUNCATE_PATH, 0) },
	{ .type = KCAP_EV_DUP, .name = "dup", ARGS(AI(DUP_OLDFD, 0)) },
	{ .type = KCAP_EV_DUP2, .name = "dup2", ARGS(AI(DUP_OLDFD, 0), AI(DUP_NEWFD, 1)) },
	{ .type = KCAP_EV_DUP3, .name = "dup3", ARGS(AI(DUP_OLDFD, 0), AI(DUP_NEWFD, 1), AI(DUP_FLAGS, 2)) },

	/* net */
	{ .type = KCAP_EV_SOCKET, .name = "socket", ARGS(AI(SOCKET_FAMILY, 0), AI(SOCKET_TYPE, 1), AI(SOCKET_PROTOCOL, 2)) },
	/* the fds are written to the int[2] behind arg 3 */
	{ .type = KCAP_EV_SOCKETPAIR, .name = "socketpair",
	  ARGS(AI(SOCKETPAIR_FAMILY, 0), AI(SOCKETPAIR_TYPE, 1), AI(SOCKETPAIR_PROTOCOL, 2)) },
	{ .type = KCAP_EV_CONNECT, .name = "connect", ARGS(AI(ADDR_FD, 0)), ADDR(ADDR_ADDR, 1, 2, 0) },
	{ .type = KCAP_EV_BIND, .name = "bind", ARGS(AI(ADDR_FD, 0)), ADDR(ADDR_ADDR, 1, 2, 0) },
	{ .type = KCAP_EV_ACCEPT, .name = "accept", ARGS(AI(ACCEPT_FD, 0)), IMPLIED(ON_REQUEST, ACCEPT_FLAGS, 0),
	  ADDR(ACCEPT_ADDR, 1, 2, 1) },
	{ .type = KCAP_EV_ACCEPT4, .name = "accept4", ARGS(AI(ACCEPT_FD, 0), AI(ACCEPT_FLAGS, 3)), ADDR(ACCEPT_ADDR, 1, 2, 1) },
	{ .type = KCAP_EV_LISTEN, .name = "listen", ARGS(AI(LISTEN_FD, 0), AI(LISTEN_BACKLOG, 1)) },
	{ .type = KCAP_EV_SENDTO, .name = "sendto", ARGS(AI(XFER_FD, 0), A(XFER_SIZE, 2), AI(XFER_FLAGS, 3)),
	  ADDR(XFER_ADDR, 4, 5, 0) },
	{ .type = KCAP_EV_RECVFROM, .name = "recvfrom", ARGS(AI(XFER_FD, 0), A(XFER_SIZE, 2), AI(XFER_FLAGS, 3)),
	  ADDR(XFER_ADDR, 4, 5, 1) },
	/* the address is msg_name of the struct user_msghdr behind arg 1 */
	{ .type = KCAP_EV_SENDMSG, .name = "sendmsg", ARGS(AI(XFER_FD, 0), AI(XFER_FLAGS, 2)), ADDR(XFER_ADDR, NO, NO, 0) },
	{ .type = KCAP_EV_RECVMSG, .name = "recvmsg", ARGS(AI(XFER_FD, 0), AI(XFER_FLAGS, 2)), ADDR(XFER_ADDR, NO, NO, 1) },
	{ .type = KCAP_EV_GETPEERNAME, .name = "getpeername", ARGS(AI(ADDR_FD, 0)), ADDR(ADDR_ADDR, 1, 2, 1) },
	{ .type = KCAP_EV_GETSOCKNAME, .name = "getsockname", ARGS(AI(ADDR_FD, 0)), ADDR(ADDR_ADDR, 1, 2, 1) },

	/* user */
	{ .type = KCAP_EV_SETUID, .name = "setuid", ARGS(AI(SETID_ID, 0)) },
	{ .type = KCAP_EV_SETGID, .name = "setgid", ARGS(AI(SETID_ID, 0)) },
	{ .type = KCAP_EV_SETREUID, .name = "setreuid", ARGS(AI(SETREID_RID, 0), AI(SETREID_EID, 1)) },
	{ .type = KCAP_EV_SETREGID, .name = "setregid", ARGS(AI(SETREID_RID, 0), AI(SETREID_EID, 1)) },
	{ .type = KCAP_EV_SETRESUID, .name = "setresuid", ARGS(AI(SETRESID_RID, 0), AI(SETRESID_EID, 1), AI(SETRESID_SID, 2)) },
	{ .type = KCAP_EV_SETRESGID, .name = "setresgid", ARGS(AI(SETRESID_RID, 0), AI(SETRESID_EID, 1), AI(SETRESID_SID, 2)) },
	{ .type = KCAP_EV_SETFSUID, .name = "setfsuid", ARGS(AI(SETID_ID, 0)) },
	{ .type = KCAP_EV_SETFSGID, .name = "setfsgid", ARGS(AI(SETID_ID, 0)) },
	/* the target and the sets are in the structs behind args 0 and 1 */
	{ .type = KCAP_EV_CAPSET, .name = "capset" },
};

#define NROWS (sizeof ROWS / sizeof ROWS[0])

const kcap_syscall *kcap_syscall_at(size_t i)
{
	return i < NROWS ? &ROWS[i] : NULL;
}

const kcap_syscall *kcap_syscall_by_type(uint32_t type)
{
	size_t lo = 0, hi = NROWS;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ROWS[mid].type == type)
			return &ROWS[mid];
		if (ROWS[mid].type < type)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static const kcap_syscall *by_exact_name(const char *name)
{
	for (size_t i = 0; i < NROWS; i++)
		if (ROWS[i].name[0] == name[0] && strcmp(ROWS[i].name, name) == 0)
			return &ROWS[i];
	return NULL;
}

const kcap_syscall *kcap_syscall_by_name(const char *name)
{
	if (!name || !*name)
		return NULL;
	const kcap_syscall *s = by_exact_name(name);
	if (s)
		return s;
	/* i386's 32-bit id calls (setuid32, chown32, ...) take the same
	 * arguments as their family's members; mmap2's offset is in pages,
	 * which the taxonomy does not store */
	size_t n = strlen(name);
	char base[40];
	if (n > 2 && n < sizeof base && strcmp(name + n - 2, "32") == 0) {
		memcpy(base, name, n - 2);
		base[n - 2] = 0;
		return by_exact_name(base);
	}
	if (strcmp(name, "mmap2") == 0)
		return kcap_syscall_by_type(KCAP_EV_MMAP);
	return NULL;
}

const kcap_syscall *kcap_syscall_by_nr(kcap_arch arch, long nr)
{
	return kcap_syscall_by_name(kcap_syscall_name(arch, nr));
}

uint8_t kcap_syscall_arg_of(const kcap_syscall *s, uint8_t param)
{
	for (uint8_t i = 0; i < s->nargs; i++)
		if (s->args[i].param == param)
			return s->args[i].arg;
	return KCAP_SYSARG_NONE;
}

int kcap_syscall_arg_applies(uint8_t flags, const uint64_t *args)
{
	return !(flags & KCAP_SYSARG_FILE_MAP) || !(args[3] & KCAP_SYS_MAP_ANONYMOUS);
}

int kcap_syscall_fd_path_applies(const kcap_syscall *s, const uint64_t *args)
{
	for (uint8_t i = 0; i < s->nargs; i++)
		if (s->args[i].arg == s->fd_arg)
			return kcap_syscall_arg_applies(s->args[i].flags, args);
	return 1;
}

int kcap_syscall_kept(const kcap_syscall *s, const uint64_t *args, unsigned known_args)
{
	if (!(s->flags & KCAP_SYSCALL_EXEC_ONLY))
		return 1;
	return (known_args & 1u << 2) && (args[2] & KCAP_SYS_PROT_EXEC);
}

int kcap_syscall_sockaddr_inet(kcap_value *v, unsigned family, const uint8_t *raw, size_t n)
{
	/* sin_port and sin6_port follow the family, in network order; then
	 * sin_addr, or sin6_flowinfo and sin6_addr */
	if (family == KCAP_SYS_AF_INET && n >= 8) {
		v->af = KCAP_AF_INET;
		memcpy(v->addr, raw + 4, 4);
	} else if (family == KCAP_SYS_AF_INET6 && n >= 24) {
		v->af = KCAP_AF_INET6;
		memcpy(v->addr, raw + 8, 16);
	} else {
		return 0;
	}
	v->present = 1;
	v->port = (uint16_t)(raw[2] << 8 | raw[3]);
	return 1;
}

/* Stores raw, a register's value, into v by v's type. Ints are 32 bits
 * in the registers whatever the arch; narrow: the argument is declared
 * int, or the registers are 32-bit. */
static void put_arg(kcap_value *v, uint64_t raw, int narrow, int is32)
{
	switch (v->type) {
	case KCAP_T_FD:
	case KCAP_T_PID:
	case KCAP_T_I32:
		v->i = (int32_t)(uint32_t)raw;
		break;
	case KCAP_T_I64:
		v->i = is32 ? (int32_t)(uint32_t)raw : (int64_t)raw;
		break;
	case KCAP_T_UID:
	case KCAP_T_GID:
	case KCAP_T_MODE:
		v->u = (uint32_t)raw;
		break;
	default:
		v->u = narrow ? (uint32_t)raw : raw;
		break;
	}
}

static kcap_value *param(const kcap_type_def *def, kcap_value *P, uint8_t idx)
{
	if (idx >= def->nparams)
		return NULL;
	kcap_value *v = &P[idx];
	v->type = def->params[idx].type;
	v->present = 1;
	return v;
}

void kcap_syscall_fill(const kcap_syscall *s, const kcap_type_def *def, const uint64_t *args,
                       unsigned known_args, const int64_t *ret, unsigned opts, kcap_value *P)
{
	int is32 = (opts & KCAP_SYSCALL_FILL_32BIT) != 0;
	uint8_t narrow_ints = (opts & KCAP_SYSCALL_FILL_RAW_INTS) ? 0 : KCAP_SYSARG_INT;
	kcap_value *v;
	for (uint8_t i = 0; i < s->nargs; i++) {
		const kcap_syscall_arg *a = &s->args[i];
		if (!(known_args & 1u << a->arg) || !kcap_syscall_arg_applies(a->flags, args))
			continue;
		if ((v = param(def, P, a->param)))
			put_arg(v, args[a->arg], is32 || (a->flags & narrow_ints), is32);
	}
	if (s->implied.how == KCAP_IMPLIED_ALWAYS ||
	    (s->implied.how == KCAP_IMPLIED_ON_REQUEST && (opts & KCAP_SYSCALL_FILL_IMPLIED_ZERO)))
		if ((v = param(def, P, s->implied.param)))
			v->u = s->implied.value;
	if (!ret)
		return;
	/* ret is the last param of every layout that has one */
	if (def->nparams && def->params[def->nparams - 1].type == KCAP_T_RET)
		param(def, P, (uint8_t)(def->nparams - 1))->i = *ret;
	if ((s->flags & KCAP_SYSCALL_RET_CHILD) && *ret > 0 && (v = param(def, P, KCAP_P_CLONE_CHILD_PID)))
		v->i = *ret;
}
