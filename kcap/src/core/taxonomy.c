/* taxonomy.c - static tables of the standard event taxonomy (see taxonomy.h). */
#include <string.h>

#include "kcap/taxonomy.h"
#include "core/core.h"

#define P(n, t) { n, KCAP_T_##t, 0, 0 }
#define PS(n, t, s) { n, KCAP_T_##t, 0, KCAP_SYMS_##s }
#define RET { "ret", KCAP_T_RET, 0, KCAP_SYMS_ERRNO }
#define N(a) (uint32_t)(sizeof(a) / sizeof((a)[0]))

/* Param layouts, in the order of the KCAP_P_<LAYOUT>_* enums. */
static const kcap_param_def L_CLONE[] = { PS("flags", FLAGS, CLONE_FLAGS), P("child_pid", PID), RET };
static const kcap_param_def L_EXEC[] = { P("dirfd", FD), P("path", PATH), P("argv", STRLIST),
	P("argv_truncated", BOOL), PS("flags", FLAGS, AT_FLAGS), RET };
static const kcap_param_def L_EXIT[] = { P("status", I32), PS("sig", ENUM, SIGNAL) };
static const kcap_param_def L_KILL[] = { P("target", PID), P("tid", PID), PS("sig", ENUM, SIGNAL), RET };
static const kcap_param_def L_PTRACE[] = { PS("request", ENUM, PTRACE), P("target", PID), P("addr", U64),
	P("data", U64), RET };
static const kcap_param_def L_MMAP[] = { P("addr", U64), P("len", U64), PS("prot", FLAGS, MMAP_PROT),
	PS("flags", FLAGS, MMAP_FLAGS), P("fd", FD), P("path", PATH), RET };
static const kcap_param_def L_PIPE[] = { PS("flags", FLAGS, OPEN_FLAGS), P("fd0", FD), P("fd1", FD), RET };
static const kcap_param_def L_MEMFD[] = { P("name", STR), PS("flags", FLAGS, MEMFD_FLAGS), RET };
static const kcap_param_def L_SETNS[] = { P("fd", FD), PS("nstype", FLAGS, CLONE_FLAGS), P("path", PATH), RET };
static const kcap_param_def L_UNSHARE[] = { PS("flags", FLAGS, CLONE_FLAGS), RET };
static const kcap_param_def L_THREAD[] = { P("thread_id", PID), P("stack_base", U64), P("stack_limit", U64),
	P("user_stack_base", U64), P("user_stack_limit", U64), P("start_addr", U64), P("win32_start_addr", U64),
	P("teb", U64), P("name", STR) };
static const kcap_param_def L_IMAGE[] = { P("path", PATH), P("base", U64), P("size", U64), P("checksum", U32),
	P("timestamp", U32), P("default_base", U64) };
static const kcap_param_def L_PROCESS[] = { P("image", STR), P("cmdline", STR), P("session", U32),
	P("exit_status", I32), P("user_sid", SID), P("process_key", U64), P("process_flags", U32), P("package", STR),
	P("app_id", STR) };
static const kcap_param_def L_DISK[] = { P("disk", U32), P("offset", U64), P("size", U32), P("irp_flags", U32),
	P("file_object", U64), P("path", PATH), P("elapsed", DURATION), P("issuing_tid", PID) };
static const kcap_param_def L_FILENAME[] = { P("file_object", U64), P("path", PATH) };
static const kcap_param_def L_REG[] = { P("key", STR), P("name", STR), P("kcb", U64), P("status", U32),
	P("index", U32) };
static const kcap_param_def L_OPEN[] = { P("dirfd", FD), P("path", PATH), PS("flags", FLAGS, OPEN_FLAGS),
	P("mode", MODE), PS("resolve", FLAGS, RESOLVE), RET };
static const kcap_param_def L_CLOSE[] = { P("fd", FD), RET };
static const kcap_param_def L_RW[] = { P("fd", FD), P("count", U64), P("offset", I64), RET };
static const kcap_param_def L_UNLINK[] = { P("dirfd", FD), P("path", PATH), PS("flags", FLAGS, AT_FLAGS), RET };
static const kcap_param_def L_RENAME[] = { P("olddirfd", FD), P("oldpath", PATH), P("newdirfd", FD),
	P("newpath", PATH), PS("flags", FLAGS, RENAME_FLAGS), RET };
static const kcap_param_def L_MKDIR[] = { P("dirfd", FD), P("path", PATH), P("mode", MODE), RET };
static const kcap_param_def L_RMDIR[] = { P("path", PATH), RET };
static const kcap_param_def L_CHMOD[] = { P("dirfd", FD), P("fd", FD), P("path", PATH), P("mode", MODE),
	PS("flags", FLAGS, AT_FLAGS), RET };
static const kcap_param_def L_CHOWN[] = { P("dirfd", FD), P("fd", FD), P("path", PATH), P("uid", UID),
	P("gid", GID), PS("flags", FLAGS, AT_FLAGS), RET };
static const kcap_param_def L_CHDIR[] = { P("fd", FD), P("path", PATH), RET };
static const kcap_param_def L_LINK[] = { P("olddirfd", FD), P("oldpath", PATH), P("newdirfd", FD),
	P("newpath", PATH), PS("flags", FLAGS, AT_FLAGS), RET };
static const kcap_param_def L_SYMLINK[] = { P("target", PATH), P("dirfd", FD), P("path", PATH), RET };
static const kcap_param_def L_TRUNCATE[] = { P("fd", FD), P("path", PATH), P("length", I64), RET };
static const kcap_param_def L_DUP[] = { P("oldfd", FD), P("newfd", FD), PS("flags", FLAGS, OPEN_FLAGS), RET };
static const kcap_param_def L_SOCKET[] = { PS("family", ENUM, SOCK_FAMILY), PS("type", FLAGS, SOCK_TYPE),
	PS("protocol", ENUM, IPPROTO), RET };
static const kcap_param_def L_SOCKETPAIR[] = { PS("family", ENUM, SOCK_FAMILY),
	PS("type", FLAGS, SOCK_TYPE), PS("protocol", ENUM, IPPROTO), P("fd0", FD), P("fd1", FD), RET };
static const kcap_param_def L_ADDR[] = { P("fd", FD), P("addr", SOCKADDR), RET };
static const kcap_param_def L_ACCEPT[] = { P("fd", FD), P("addr", SOCKADDR), PS("flags", FLAGS, SOCK_TYPE), RET };
static const kcap_param_def L_LISTEN[] = { P("fd", FD), P("backlog", I32), RET };
static const kcap_param_def L_XFER[] = { P("fd", FD), P("size", U64), PS("flags", FLAGS, MSG_FLAGS),
	P("addr", SOCKADDR), RET };
static const kcap_param_def L_SETUID[] = { P("uid", UID), RET };
static const kcap_param_def L_SETGID[] = { P("gid", GID), RET };
static const kcap_param_def L_SETREUID[] = { P("ruid", UID), P("euid", UID), RET };
static const kcap_param_def L_SETREGID[] = { P("rgid", GID), P("egid", GID), RET };
static const kcap_param_def L_SETRESUID[] = { P("ruid", UID), P("euid", UID), P("suid", UID), RET };
static const kcap_param_def L_SETRESGID[] = { P("rgid", GID), P("egid", GID), P("sgid", GID), RET };
static const kcap_param_def L_CAPSET[] = { P("target", PID), PS("effective", FLAGS, CAPS),
	PS("permitted", FLAGS, CAPS), PS("inheritable", FLAGS, CAPS), RET };

#define T(id, name, cat, desc, l) { KCAP_EV_##id, name, cat, desc, N(l), l }
#define PR KCAP_CAT_PROCESS
#define FI KCAP_CAT_FILE
#define NE KCAP_CAT_NET
#define US KCAP_CAT_USER
#define RG KCAP_CAT_REGISTRY

static const kcap_type_def TYPES[] = {
	T(FORK, "fork", PR, "process created by fork()", L_CLONE),
	T(VFORK, "vfork", PR, "process created by vfork()", L_CLONE),
	T(CLONE, "clone", PR, "process or thread created by clone()", L_CLONE),
	T(CLONE3, "clone3", PR, "process or thread created by clone3()", L_CLONE),
	T(EXECVE, "execve", PR, "program executed", L_EXEC),
	T(EXECVEAT, "execveat", PR, "program executed relative to a directory fd", L_EXEC),
	T(EXIT, "exit", PR, "thread exit", L_EXIT),
	T(EXIT_GROUP, "exit_group", PR, "process exit (all threads)", L_EXIT),
	T(KILL, "kill", PR, "signal sent to a process", L_KILL),
	T(TKILL, "tkill", PR, "signal sent to a thread", L_KILL),
	T(TGKILL, "tgkill", PR, "signal sent to a thread of a thread group", L_KILL),
	T(PTRACE, "ptrace", PR, "process trace request", L_PTRACE),
	T(MMAP, "mmap", PR, "executable memory mapping", L_MMAP),
	T(MPROTECT, "mprotect", PR, "memory made executable", L_MMAP),
	T(PIPE, "pipe", PR, "pipe created", L_PIPE),
	T(PIPE2, "pipe2", PR, "pipe created with flags", L_PIPE),
	T(MEMFD_CREATE, "memfd_create", PR, "anonymous memory file created", L_MEMFD),
	T(THREAD_START, "thread_start", PR, "thread started", L_THREAD),
	T(THREAD_END, "thread_end", PR, "thread ended", L_THREAD),
	T(IMAGE_LOAD, "image_load", PR, "executable image loaded", L_IMAGE),
	T(IMAGE_UNLOAD, "image_unload", PR, "executable image unloaded", L_IMAGE),
	T(PROCESS_RUNDOWN, "process_rundown", PR, "running process listed by a rundown", L_PROCESS),
	T(IMAGE_RUNDOWN, "image_rundown", PR, "loaded image listed by a rundown", L_IMAGE),
	T(THREAD_RUNDOWN, "thread_rundown", PR, "running thread listed by a rundown", L_THREAD),
	T(SETNS, "setns", PR, "thread moved into the namespace behind fd", L_SETNS),
	T(UNSHARE, "unshare", PR, "process context unshared (new namespaces)", L_UNSHARE),

	T(OPEN, "open", FI, "file opened", L_OPEN),
	T(OPENAT, "openat", FI, "file opened relative to a directory fd", L_OPEN),
	T(OPENAT2, "openat2", FI, "file opened with resolve flags", L_OPEN),
	T(CREAT, "creat", FI, "file created", L_OPEN),
	T(CLOSE, "close", FI, "file descriptor closed", L_CLOSE),
	T(READ, "read", FI, "read from a file descriptor", L_RW),
	T(WRITE, "write", FI, "write to a file descriptor", L_RW),
	T(PREAD64, "pread64", FI, "read at an offset", L_RW),
	T(PWRITE64, "pwrite64", FI, "write at an offset", L_RW),
	T(READV, "readv", FI, "vectored read", L_RW),
	T(WRITEV, "writev", FI, "vectored write", L_RW),
	T(PREADV, "preadv", FI, "vectored read at an offset", L_RW),
	T(PWRITEV, "pwritev", FI, "vectored write at an offset", L_RW),
	T(UNLINK, "unlink", FI, "file removed", L_UNLINK),
	T(UNLINKAT, "unlinkat", FI, "file or directory removed relative to a directory fd", L_UNLINK),
	T(RENAME, "rename", FI, "file renamed", L_RENAME),
	T(RENAMEAT, "renameat", FI, "file renamed relative to directory fds", L_RENAME),
	T(RENAMEAT2, "renameat2", FI, "file renamed with flags", L_RENAME),
	T(MKDIR, "mkdir", FI, "directory created", L_MKDIR),
	T(MKDIRAT, "mkdirat", FI, "directory created relative to a directory fd", L_MKDIR),
	T(RMDIR, "rmdir", FI, "directory removed", L_RMDIR),
	T(CHMOD, "chmod", FI, "file mode changed", L_CHMOD),
	T(FCHMOD, "fchmod", FI, "file mode changed through an fd", L_CHMOD),
	T(FCHMODAT, "fchmodat", FI, "file mode changed relative to a directory fd", L_CHMOD),
	T(FCHMODAT2, "fchmodat2", FI, "file mode changed relative to a directory fd, with flags", L_CHMOD),
	T(CHOWN, "chown", FI, "file owner changed", L_CHOWN),
	T(LCHOWN, "lchown", FI, "symlink owner changed", L_CHOWN),
	T(FCHOWN, "fchown", FI, "file owner changed through an fd", L_CHOWN),
	T(FCHOWNAT, "fchownat", FI, "file owner changed relative to a directory fd", L_CHOWN),
	T(CHDIR, "chdir", FI, "working directory changed", L_CHDIR),
	T(FCHDIR, "fchdir", FI, "working directory changed through an fd", L_CHDIR),
	T(LINK, "link", FI, "hard link created", L_LINK),
	T(LINKAT, "linkat", FI, "hard link created relative to directory fds", L_LINK),
	T(SYMLINK, "symlink", FI, "symbolic link created", L_SYMLINK),
	T(SYMLINKAT, "symlinkat", FI, "symbolic link created relative to a directory fd", L_SYMLINK),
	T(TRUNCATE, "truncate", FI, "file truncated by path", L_TRUNCATE),
	T(FTRUNCATE, "ftruncate", FI, "file truncated through an fd", L_TRUNCATE),
	T(DUP, "dup", FI, "file descriptor duplicated", L_DUP),
	T(DUP2, "dup2", FI, "file descriptor duplicated onto another", L_DUP),
	T(DUP3, "dup3", FI, "file descriptor duplicated onto another, with flags", L_DUP),
	T(DISK_READ, "disk_read", FI, "disk read completed", L_DISK),
	T(DISK_WRITE, "disk_write", FI, "disk write completed", L_DISK),
	T(DISK_FLUSH, "disk_flush", FI, "disk cache flush completed", L_DISK),
	T(FILE_NAME, "file_name", FI, "file object named (rundown, create or delete of the name)", L_FILENAME),
	T(FILE_CLEANUP, "file_cleanup", FI, "last handle to a file object closed", L_FILENAME),

	T(SOCKET, "socket", NE, "socket created", L_SOCKET),
	T(SOCKETPAIR, "socketpair", NE, "connected socket pair created", L_SOCKETPAIR),
	T(CONNECT, "connect", NE, "socket connected to an address", L_ADDR),
	T(BIND, "bind", NE, "socket bound to an address", L_ADDR),
	T(ACCEPT, "accept", NE, "connection accepted", L_ACCEPT),
	T(ACCEPT4, "accept4", NE, "connection accepted, with flags", L_ACCEPT),
	T(LISTEN, "listen", NE, "socket listening", L_LISTEN),
	T(SENDTO, "sendto", NE, "data sent", L_XFER),
	T(RECVFROM, "recvfrom", NE, "data received", L_XFER),
	T(SENDMSG, "sendmsg", NE, "message sent", L_XFER),
	T(RECVMSG, "recvmsg", NE, "message received", L_XFER),
	T(GETPEERNAME, "getpeername", NE, "peer address queried", L_ADDR),
	T(GETSOCKNAME, "getsockname", NE, "local address queried", L_ADDR),
	T(DISCONNECT, "disconnect", NE, "connection closed", L_ADDR),

	T(SETUID, "setuid", US, "user id set", L_SETUID),
	T(SETGID, "setgid", US, "group id set", L_SETGID),
	T(SETREUID, "setreuid", US, "real and effective user ids set", L_SETREUID),
	T(SETREGID, "setregid", US, "real and effective group ids set", L_SETREGID),
	T(SETRESUID, "setresuid", US, "real, effective and saved user ids set", L_SETRESUID),
	T(SETRESGID, "setresgid", US, "real, effective and saved group ids set", L_SETRESGID),
	T(SETFSUID, "setfsuid", US, "file system user id set (ret: previous)", L_SETUID),
	T(SETFSGID, "setfsgid", US, "file system group id set (ret: previous)", L_SETGID),
	T(CAPSET, "capset", US, "capability sets changed", L_CAPSET),

	T(REG_CREATE_KEY, "reg_create_key", RG, "registry key created", L_REG),
	T(REG_OPEN_KEY, "reg_open_key", RG, "registry key opened", L_REG),
	T(REG_DELETE_KEY, "reg_delete_key", RG, "registry key deleted", L_REG),
	T(REG_QUERY_KEY, "reg_query_key", RG, "registry key queried", L_REG),
	T(REG_SET_VALUE, "reg_set_value", RG, "registry value set", L_REG),
	T(REG_DELETE_VALUE, "reg_delete_value", RG, "registry value deleted", L_REG),
	T(REG_QUERY_VALUE, "reg_query_value", RG, "registry value queried", L_REG),
	T(REG_KCB_RUNDOWN, "reg_kcb_rundown", RG, "open registry key (KCB) listed by a rundown", L_REG),
};

/* ---- symbol sets ---- */
#define B(v, n) { (uint64_t)(v), (uint64_t)(v), n }
#define M(v, m, n) { (uint64_t)(v), (uint64_t)(m), n }
#define E(v, n) { (uint64_t)(v), 0, n }

static const kcap_sym S_OPEN[] = {
	M(0, 3, "O_RDONLY"), M(1, 3, "O_WRONLY"), M(2, 3, "O_RDWR"),
	B(0100, "O_CREAT"), B(0200, "O_EXCL"), B(0400, "O_NOCTTY"), B(01000, "O_TRUNC"),
	B(02000, "O_APPEND"), B(04000, "O_NONBLOCK"), M(04010000, 04010000, "O_SYNC"),
	M(010000, 04010000, "O_DSYNC"), B(020000, "O_ASYNC"), B(040000, "O_DIRECT"),
	B(0100000, "O_LARGEFILE"), M(020200000, 020200000, "O_TMPFILE"),
	M(0200000, 020200000, "O_DIRECTORY"), B(0400000, "O_NOFOLLOW"), B(01000000, "O_NOATIME"),
	B(02000000, "O_CLOEXEC"), B(010000000, "O_PATH"),
};
static const kcap_sym S_PROT[] = {
	M(0, 7, "PROT_NONE"), B(1, "PROT_READ"), B(2, "PROT_WRITE"), B(4, "PROT_EXEC"),
	B(0x01000000, "PROT_GROWSDOWN"), B(0x02000000, "PROT_GROWSUP"),
};
static const kcap_sym S_MAP[] = {
	M(1, 3, "MAP_SHARED"), M(2, 3, "MAP_PRIVATE"), M(3, 3, "MAP_SHARED_VALIDATE"),
	B(0x10, "MAP_FIXED"), B(0x20, "MAP_ANONYMOUS"), B(0x100, "MAP_GROWSDOWN"),
	B(0x800, "MAP_DENYWRITE"), B(0x1000, "MAP_EXECUTABLE"), B(0x2000, "MAP_LOCKED"),
	B(0x4000, "MAP_NORESERVE"), B(0x8000, "MAP_POPULATE"), B(0x10000, "MAP_NONBLOCK"),
	B(0x20000, "MAP_STACK"), B(0x40000, "MAP_HUGETLB"), B(0x80000, "MAP_SYNC"),
	B(0x100000, "MAP_FIXED_NOREPLACE"),
};
static const kcap_sym S_CLONE[] = {
	M(1, 0xff, "SIGHUP"), M(2, 0xff, "SIGINT"), M(9, 0xff, "SIGKILL"), M(10, 0xff, "SIGUSR1"),
	M(12, 0xff, "SIGUSR2"), M(15, 0xff, "SIGTERM"), M(17, 0xff, "SIGCHLD"),
	B(0x100, "CLONE_VM"), B(0x200, "CLONE_FS"), B(0x400, "CLONE_FILES"), B(0x800, "CLONE_SIGHAND"),
	B(0x1000, "CLONE_PIDFD"), B(0x2000, "CLONE_PTRACE"), B(0x4000, "CLONE_VFORK"),
	B(0x8000, "CLONE_PARENT"), B(0x10000, "CLONE_THREAD"), B(0x20000, "CLONE_NEWNS"),
	B(0x40000, "CLONE_SYSVSEM"), B(0x80000, "CLONE_SETTLS"), B(0x100000, "CLONE_PARENT_SETTID"),
	B(0x200000, "CLONE_CHILD_CLEARTID"), B(0x400000, "CLONE_DETACHED"), B(0x800000, "CLONE_UNTRACED"),
	B(0x1000000, "CLONE_CHILD_SETTID"), B(0x2000000, "CLONE_NEWCGROUP"), B(0x4000000, "CLONE_NEWUTS"),
	B(0x8000000, "CLONE_NEWIPC"), B(0x10000000, "CLONE_NEWUSER"), B(0x20000000, "CLONE_NEWPID"),
	B(0x40000000, "CLONE_NEWNET"), B(0x80000000u, "CLONE_IO"),
	B(0x100000000ull, "CLONE_CLEAR_SIGHAND"), B(0x200000000ull, "CLONE_INTO_CGROUP"),
};
static const kcap_sym S_SIGNAL[] = {
	E(0, "0"), E(1, "SIGHUP"), E(2, "SIGINT"), E(3, "SIGQUIT"), E(4, "SIGILL"), E(5, "SIGTRAP"),
	E(6, "SIGABRT"), E(7, "SIGBUS"), E(8, "SIGFPE"), E(9, "SIGKILL"), E(10, "SIGUSR1"),
	E(11, "SIGSEGV"), E(12, "SIGUSR2"), E(13, "SIGPIPE"), E(14, "SIGALRM"), E(15, "SIGTERM"),
	E(16, "SIGSTKFLT"), E(17, "SIGCHLD"), E(18, "SIGCONT"), E(19, "SIGSTOP"), E(20, "SIGTSTP"),
	E(21, "SIGTTIN"), E(22, "SIGTTOU"), E(23, "SIGURG"), E(24, "SIGXCPU"), E(25, "SIGXFSZ"),
	E(26, "SIGVTALRM"), E(27, "SIGPROF"), E(28, "SIGWINCH"), E(29, "SIGIO"), E(30, "SIGPWR"),
	E(31, "SIGSYS"),
};
static const kcap_sym S_AF[] = {
	E(0, "AF_UNSPEC"), E(1, "AF_UNIX"), E(2, "AF_INET"), E(3, "AF_AX25"), E(4, "AF_IPX"),
	E(5, "AF_APPLETALK"), E(6, "AF_NETROM"), E(7, "AF_BRIDGE"), E(8, "AF_ATMPVC"), E(9, "AF_X25"),
	E(10, "AF_INET6"), E(11, "AF_ROSE"), E(12, "AF_DECnet"), E(13, "AF_NETBEUI"),
	E(14, "AF_SECURITY"), E(15, "AF_KEY"), E(16, "AF_NETLINK"), E(17, "AF_PACKET"),
	E(18, "AF_ASH"), E(19, "AF_ECONET"), E(20, "AF_ATMSVC"), E(21, "AF_RDS"), E(22, "AF_SNA"),
	E(23, "AF_IRDA"), E(24, "AF_PPPOX"), E(25, "AF_WANPIPE"), E(26, "AF_LLC"), E(27, "AF_IB"),
	E(28, "AF_MPLS"), E(29, "AF_CAN"), E(30, "AF_TIPC"), E(31, "AF_BLUETOOTH"), E(32, "AF_IUCV"),
	E(33, "AF_RXRPC"), E(34, "AF_ISDN"), E(35, "AF_PHONET"), E(36, "AF_IEEE802154"),
	E(37, "AF_CAIF"), E(38, "AF_ALG"), E(39, "AF_NFC"), E(40, "AF_VSOCK"), E(41, "AF_KCM"),
	E(42, "AF_QIPCRTR"), E(43, "AF_SMC"), E(44, "AF_XDP"), E(45, "AF_MCTP"),
};
static const kcap_sym S_SOCKTYPE[] = {
	M(1, 0xf, "SOCK_STREAM"), M(2, 0xf, "SOCK_DGRAM"), M(3, 0xf, "SOCK_RAW"), M(4, 0xf, "SOCK_RDM"),
	M(5, 0xf, "SOCK_SEQPACKET"), M(6, 0xf, "SOCK_DCCP"), M(10, 0xf, "SOCK_PACKET"),
	B(04000, "SOCK_NONBLOCK"), B(02000000, "SOCK_CLOEXEC"),
};
static const kcap_sym S_ERRNO[] = {
	E(1, "EPERM"), E(2, "ENOENT"), E(3, "ESRCH"), E(4, "EINTR"), E(5, "EIO"), E(6, "ENXIO"),
	E(7, "E2BIG"), E(8, "ENOEXEC"), E(9, "EBADF"), E(10, "ECHILD"), E(11, "EAGAIN"),
	E(12, "ENOMEM"), E(13, "EACCES"), E(14, "EFAULT"), E(15, "ENOTBLK"), E(16, "EBUSY"),
	E(17, "EEXIST"), E(18, "EXDEV"), E(19, "ENODEV"), E(20, "ENOTDIR"), E(21, "EISDIR"),
	E(22, "EINVAL"), E(23, "ENFILE"), E(24, "EMFILE"), E(25, "ENOTTY"), E(26, "ETXTBSY"),
	E(27, "EFBIG"), E(28, "ENOSPC"), E(29, "ESPIPE"), E(30, "EROFS"), E(31, "EMLINK"),
	E(32, "EPIPE"), E(33, "EDOM"), E(34, "ERANGE"), E(35, "EDEADLK"), E(36, "ENAMETOOLONG"),
	E(37, "ENOLCK"), E(38, "ENOSYS"), E(39, "ENOTEMPTY"), E(40, "ELOOP"), E(42, "ENOMSG"),
	E(43, "EIDRM"), E(44, "ECHRNG"), E(45, "EL2NSYNC"), E(46, "EL3HLT"), E(47, "EL3RST"),
	E(48, "ELNRNG"), E(49, "EUNATCH"), E(50, "ENOCSI"), E(51, "EL2HLT"), E(52, "EBADE"),
	E(53, "EBADR"), E(54, "EXFULL"), E(55, "ENOANO"), E(56, "EBADRQC"), E(57, "EBADSLT"),
	E(59, "EBFONT"), E(60, "ENOSTR"), E(61, "ENODATA"), E(62, "ETIME"), E(63, "ENOSR"),
	E(64, "ENONET"), E(65, "ENOPKG"), E(66, "EREMOTE"), E(67, "ENOLINK"), E(68, "EADV"),
	E(69, "ESRMNT"), E(70, "ECOMM"), E(71, "EPROTO"), E(72, "EMULTIHOP"), E(73, "EDOTDOT"),
	E(74, "EBADMSG"), E(75, "EOVERFLOW"), E(76, "ENOTUNIQ"), E(77, "EBADFD"), E(78, "EREMCHG"),
	E(79, "ELIBACC"), E(80, "ELIBBAD"), E(81, "ELIBSCN"), E(82, "ELIBMAX"), E(83, "ELIBEXEC"),
	E(84, "EILSEQ"), E(85, "ERESTART"), E(86, "ESTRPIPE"), E(87, "EUSERS"), E(88, "ENOTSOCK"),
	E(89, "EDESTADDRREQ"), E(90, "EMSGSIZE"), E(91, "EPROTOTYPE"), E(92, "ENOPROTOOPT"),
	E(93, "EPROTONOSUPPORT"), E(94, "ESOCKTNOSUPPORT"), E(95, "EOPNOTSUPP"),
	E(96, "EPFNOSUPPORT"), E(97, "EAFNOSUPPORT"), E(98, "EADDRINUSE"), E(99, "EADDRNOTAVAIL"),
	E(100, "ENETDOWN"), E(101, "ENETUNREACH"), E(102, "ENETRESET"), E(103, "ECONNABORTED"),
	E(104, "ECONNRESET"), E(105, "ENOBUFS"), E(106, "EISCONN"), E(107, "ENOTCONN"),
	E(108, "ESHUTDOWN"), E(109, "ETOOMANYREFS"), E(110, "ETIMEDOUT"), E(111, "ECONNREFUSED"),
	E(112, "EHOSTDOWN"), E(113, "EHOSTUNREACH"), E(114, "EALREADY"), E(115, "EINPROGRESS"),
	E(116, "ESTALE"), E(117, "EUCLEAN"), E(118, "ENOTNAM"), E(119, "ENAVAIL"), E(120, "EISNAM"),
	E(121, "EREMOTEIO"), E(122, "EDQUOT"), E(123, "ENOMEDIUM"), E(124, "EMEDIUMTYPE"),
	E(125, "ECANCELED"), E(126, "ENOKEY"), E(127, "EKEYEXPIRED"), E(128, "EKEYREVOKED"),
	E(129, "EKEYREJECTED"), E(130, "EOWNERDEAD"), E(131, "ENOTRECOVERABLE"), E(132, "ERFKILL"),
	E(133, "EHWPOISON"),
	/* kernel-internal codes that can leak into syscall exit tracepoints */
	E(512, "ERESTARTSYS"), E(513, "ERESTARTNOINTR"), E(514, "ERESTARTNOHAND"),
	E(515, "ENOIOCTLCMD"), E(516, "ERESTART_RESTARTBLOCK"), E(524, "ENOTSUPP"),
};
static const kcap_sym S_PTRACE[] = {
	E(0, "PTRACE_TRACEME"), E(1, "PTRACE_PEEKTEXT"), E(2, "PTRACE_PEEKDATA"),
	E(3, "PTRACE_PEEKUSER"), E(4, "PTRACE_POKETEXT"), E(5, "PTRACE_POKEDATA"),
	E(6, "PTRACE_POKEUSER"), E(7, "PTRACE_CONT"), E(8, "PTRACE_KILL"), E(9, "PTRACE_SINGLESTEP"),
	E(12, "PTRACE_GETREGS"), E(13, "PTRACE_SETREGS"), E(14, "PTRACE_GETFPREGS"),
	E(15, "PTRACE_SETFPREGS"), E(16, "PTRACE_ATTACH"), E(17, "PTRACE_DETACH"),
	E(18, "PTRACE_GETFPXREGS"), E(19, "PTRACE_SETFPXREGS"), E(24, "PTRACE_SYSCALL"),
	E(25, "PTRACE_GET_THREAD_AREA"), E(26, "PTRACE_SET_THREAD_AREA"), E(30, "PTRACE_ARCH_PRCTL"),
	E(31, "PTRACE_SYSEMU"), E(32, "PTRACE_SYSEMU_SINGLESTEP"), E(0x4200, "PTRACE_SETOPTIONS"),
	E(0x4201, "PTRACE_GETEVENTMSG"), E(0x4202, "PTRACE_GETSIGINFO"), E(0x4203, "PTRACE_SETSIGINFO"),
	E(0x4204, "PTRACE_GETREGSET"), E(0x4205, "PTRACE_SETREGSET"), E(0x4206, "PTRACE_SEIZE"),
	E(0x4207, "PTRACE_INTERRUPT"), E(0x4208, "PTRACE_LISTEN"), E(0x4209, "PTRACE_PEEKSIGINFO"),
	E(0x420a, "PTRACE_GETSIGMASK"), E(0x420b, "PTRACE_SETSIGMASK"),
	E(0x420c, "PTRACE_SECCOMP_GET_FILTER"), E(0x420d, "PTRACE_SECCOMP_GET_METADATA"),
	E(0x420e, "PTRACE_GET_SYSCALL_INFO"),
};
static const kcap_sym S_AT[] = {
	B(0x100, "AT_SYMLINK_NOFOLLOW"), B(0x200, "AT_REMOVEDIR"), B(0x400, "AT_SYMLINK_FOLLOW"),
	B(0x800, "AT_NO_AUTOMOUNT"), B(0x1000, "AT_EMPTY_PATH"),
};
static const kcap_sym S_RENAME[] = {
	B(1, "RENAME_NOREPLACE"), B(2, "RENAME_EXCHANGE"), B(4, "RENAME_WHITEOUT"),
};
static const kcap_sym S_MSG[] = {
	B(0x1, "MSG_OOB"), B(0x2, "MSG_PEEK"), B(0x4, "MSG_DONTROUTE"), B(0x8, "MSG_CTRUNC"),
	B(0x10, "MSG_PROXY"), B(0x20, "MSG_TRUNC"), B(0x40, "MSG_DONTWAIT"), B(0x80, "MSG_EOR"),
	B(0x100, "MSG_WAITALL"), B(0x200, "MSG_FIN"), B(0x400, "MSG_SYN"), B(0x800, "MSG_CONFIRM"),
	B(0x1000, "MSG_RST"), B(0x2000, "MSG_ERRQUEUE"), B(0x4000, "MSG_NOSIGNAL"),
	B(0x8000, "MSG_MORE"), B(0x10000, "MSG_WAITFORONE"), B(0x40000, "MSG_BATCH"),
	B(0x4000000, "MSG_ZEROCOPY"), B(0x20000000, "MSG_FASTOPEN"), B(0x40000000, "MSG_CMSG_CLOEXEC"),
};
static const kcap_sym S_IPPROTO[] = {
	E(0, "IPPROTO_IP"), E(1, "IPPROTO_ICMP"), E(2, "IPPROTO_IGMP"), E(4, "IPPROTO_IPIP"),
	E(6, "IPPROTO_TCP"), E(17, "IPPROTO_UDP"), E(41, "IPPROTO_IPV6"), E(47, "IPPROTO_GRE"),
	E(50, "IPPROTO_ESP"), E(51, "IPPROTO_AH"), E(58, "IPPROTO_ICMPV6"), E(132, "IPPROTO_SCTP"),
	E(136, "IPPROTO_UDPLITE"), E(255, "IPPROTO_RAW"), E(262, "IPPROTO_MPTCP"),
};
static const kcap_sym S_MEMFD[] = {
	B(1, "MFD_CLOEXEC"), B(2, "MFD_ALLOW_SEALING"), B(4, "MFD_HUGETLB"), B(8, "MFD_NOEXEC_SEAL"),
	B(0x10, "MFD_EXEC"),
};
static const kcap_sym S_RESOLVE[] = {
	B(1, "RESOLVE_NO_XDEV"), B(2, "RESOLVE_NO_MAGICLINKS"), B(4, "RESOLVE_NO_SYMLINKS"),
	B(8, "RESOLVE_BENEATH"), B(0x10, "RESOLVE_IN_ROOT"), B(0x20, "RESOLVE_CACHED"),
};
#define C(n, s) B(1ull << (n), s)
static const kcap_sym S_CAPS[] = {
	C(0, "CAP_CHOWN"), C(1, "CAP_DAC_OVERRIDE"), C(2, "CAP_DAC_READ_SEARCH"), C(3, "CAP_FOWNER"),
	C(4, "CAP_FSETID"), C(5, "CAP_KILL"), C(6, "CAP_SETGID"), C(7, "CAP_SETUID"),
	C(8, "CAP_SETPCAP"), C(9, "CAP_LINUX_IMMUTABLE"), C(10, "CAP_NET_BIND_SERVICE"),
	C(11, "CAP_NET_BROADCAST"), C(12, "CAP_NET_ADMIN"), C(13, "CAP_NET_RAW"),
	C(14, "CAP_IPC_LOCK"), C(15, "CAP_IPC_OWNER"), C(16, "CAP_SYS_MODULE"),
	C(17, "CAP_SYS_RAWIO"), C(18, "CAP_SYS_CHROOT"), C(19, "CAP_SYS_PTRACE"),
	C(20, "CAP_SYS_PACCT"), C(21, "CAP_SYS_ADMIN"), C(22, "CAP_SYS_BOOT"), C(23, "CAP_SYS_NICE"),
	C(24, "CAP_SYS_RESOURCE"), C(25, "CAP_SYS_TIME"), C(26, "CAP_SYS_TTY_CONFIG"),
	C(27, "CAP_MKNOD"), C(28, "CAP_LEASE"), C(29, "CAP_AUDIT_WRITE"), C(30, "CAP_AUDIT_CONTROL"),
	C(31, "CAP_SETFCAP"), C(32, "CAP_MAC_OVERRIDE"), C(33, "CAP_MAC_ADMIN"), C(34, "CAP_SYSLOG"),
	C(35, "CAP_WAKE_ALARM"), C(36, "CAP_BLOCK_SUSPEND"), C(37, "CAP_AUDIT_READ"),
	C(38, "CAP_PERFMON"), C(39, "CAP_BPF"), C(40, "CAP_CHECKPOINT_RESTORE"),
};

#define FL KCAP_SYMSET_FLAGS
#define EN KCAP_SYMSET_ENUM
#define S(id, kind, name, a) { KCAP_SYMS_##id, kind, name, N(a), a }
static const kcap_symset SYMSETS[] = {
	S(OPEN_FLAGS, FL, "open_flags", S_OPEN),
	S(MMAP_PROT, FL, "mmap_prot", S_PROT),
	S(MMAP_FLAGS, FL, "mmap_flags", S_MAP),
	S(CLONE_FLAGS, FL, "clone_flags", S_CLONE),
	S(SIGNAL, EN, "signal", S_SIGNAL),
	S(SOCK_FAMILY, EN, "socket_family", S_AF),
	S(SOCK_TYPE, FL, "socket_type", S_SOCKTYPE),
	S(ERRNO, EN, "errno", S_ERRNO),
	S(PTRACE, EN, "ptrace_request", S_PTRACE),
	S(AT_FLAGS, FL, "at_flags", S_AT),
	S(RENAME_FLAGS, FL, "rename_flags", S_RENAME),
	S(MSG_FLAGS, FL, "msg_flags", S_MSG),
	S(IPPROTO, EN, "ip_protocol", S_IPPROTO),
	S(MEMFD_FLAGS, FL, "memfd_flags", S_MEMFD),
	S(RESOLVE, FL, "resolve_flags", S_RESOLVE),
	S(CAPS, FL, "capabilities", S_CAPS),
};

const kcap_type_def *kcap_taxonomy_type_at(size_t i)
{
	return i < N(TYPES) ? &TYPES[i] : NULL;
}

const kcap_symset *kcap_taxonomy_symset_at(size_t i)
{
	return i < N(SYMSETS) ? &SYMSETS[i] : NULL;
}

/* TYPES is in ascending id order (tests/record/test_taxonomy.c checks every
 * id resolves): recorders and synth look a type up per event. */
const kcap_type_def *kcap_taxonomy_type(uint32_t id)
{
	size_t lo = 0, hi = N(TYPES);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (TYPES[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < N(TYPES) && TYPES[lo].id == id ? &TYPES[lo] : NULL;
}

const kcap_type_def *kcap_taxonomy_type_by_name(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < N(TYPES); i++)
		if (strcmp(TYPES[i].name, name) == 0)
			return &TYPES[i];
	return NULL;
}

int kcap_taxonomy_schema(kcap_schema *s)
{
	int rc = KCAP_E_INVAL;

	if (!s)
		goto cleanup;
	for (size_t i = 0; i < N(SYMSETS); i++)
		if ((rc = kcap_schema_add_symset(s, &SYMSETS[i])) < 0)
			goto cleanup;
	for (size_t i = 0; i < N(TYPES); i++)
		if ((rc = kcap_schema_add_type(s, &TYPES[i])) < 0)
			goto cleanup;
	rc = 0;
cleanup:
	return rc;
}

/* How an event type of the taxonomy changes the process table. */
int kcap_lifecycle_kind(const char *name)
{
	if (!name)
		return KCAP_LC_NONE;
	if (!strcmp(name, "fork") || !strcmp(name, "vfork") || !strcmp(name, "clone") || !strcmp(name, "clone3"))
		return KCAP_LC_FORK;
	if (!strcmp(name, "execve") || !strcmp(name, "execveat") || !strcmp(name, "exec"))
		return KCAP_LC_EXEC;
	/* fchdir's path is the directory behind its fd, as the recorders give it */
	if (!strcmp(name, "chdir") || !strcmp(name, "fchdir"))
		return KCAP_LC_CHDIR;
	if (!strcmp(name, "exit"))
		return KCAP_LC_EXIT;
	if (!strcmp(name, "exit_group"))
		return KCAP_LC_EXIT_GROUP;
	return KCAP_LC_NONE;
}
