/*
 * taxonomy.h - the standard kcap event taxonomy: the event types (ids, names,
 * categories, ordered typed params) and symbol sets that every frontend
 * (eBPF recorder, audit importer, ETW importer, synth) maps its events onto.
 * docs/EVENTS.md lists the same types for humans; tests/unit checks that the
 * two agree.
 *
 * Ids are stable: they are stored in files. New types get new ids; a type's
 * params may only grow at the end.
 *
 * Param layouts are shared by families of types (open/openat/openat2/creat
 * all use the KCAP_P_OPEN_* positions, and so on), so a frontend fills the
 * same positions whichever member of the family it saw. A param the source
 * does not know is left with present = 0 (rendered as null).
 *
 * Define KCAP_TAXONOMY_IDS_ONLY before including to get only the numeric
 * constants (for BPF programs, which cannot include the libc headers).
 */
#ifndef KCAP_TAXONOMY_H
#define KCAP_TAXONOMY_H

/* ---- event type ids ------------------------------------------------------
 * process: 1..31, file: 32..95, net: 96..127, user: 128..159, registry:
 * 160..191. All < 256 so block summaries track them exactly. */

/* process */
#define KCAP_EV_FORK 1          /* layout CLONE */
#define KCAP_EV_VFORK 2         /* layout CLONE */
#define KCAP_EV_CLONE 3         /* layout CLONE */
#define KCAP_EV_CLONE3 4        /* layout CLONE */
#define KCAP_EV_EXECVE 5        /* layout EXEC */
#define KCAP_EV_EXECVEAT 6      /* layout EXEC */
#define KCAP_EV_EXIT 7          /* layout EXIT */
#define KCAP_EV_EXIT_GROUP 8    /* layout EXIT */
#define KCAP_EV_KILL 9          /* layout KILL */
#define KCAP_EV_TKILL 10        /* layout KILL */
#define KCAP_EV_TGKILL 11       /* layout KILL */
#define KCAP_EV_PTRACE 12       /* layout PTRACE */
#define KCAP_EV_MMAP 13         /* layout MMAP (only mappings with PROT_EXEC) */
#define KCAP_EV_MPROTECT 14     /* layout MMAP (only with PROT_EXEC) */
#define KCAP_EV_PIPE 15         /* layout PIPE */
#define KCAP_EV_PIPE2 16        /* layout PIPE */
#define KCAP_EV_MEMFD_CREATE 17 /* layout MEMFD */
/* Windows (ETW) process, thread and image events with no syscall of their own */
#define KCAP_EV_THREAD_START 18    /* layout THREAD */
#define KCAP_EV_THREAD_END 19      /* layout THREAD */
#define KCAP_EV_IMAGE_LOAD 20      /* layout IMAGE */
#define KCAP_EV_IMAGE_UNLOAD 21    /* layout IMAGE */
#define KCAP_EV_PROCESS_RUNDOWN 22 /* layout PROCESS */
#define KCAP_EV_IMAGE_RUNDOWN 23   /* layout IMAGE */
#define KCAP_EV_THREAD_RUNDOWN 24  /* layout THREAD */
/* namespaces */
#define KCAP_EV_SETNS 25        /* layout SETNS */
#define KCAP_EV_UNSHARE 26      /* layout UNSHARE */

/* file */
#define KCAP_EV_OPEN 32         /* layout OPEN */
#define KCAP_EV_OPENAT 33       /* layout OPEN */
#define KCAP_EV_OPENAT2 34      /* layout OPEN */
#define KCAP_EV_CREAT 35        /* layout OPEN */
#define KCAP_EV_CLOSE 36        /* layout CLOSE */
#define KCAP_EV_READ 37         /* layout RW */
#define KCAP_EV_WRITE 38        /* layout RW */
#define KCAP_EV_PREAD64 39      /* layout RW */
#define KCAP_EV_PWRITE64 40     /* layout RW */
#define KCAP_EV_READV 41        /* layout RW */
#define KCAP_EV_WRITEV 42       /* layout RW */
#define KCAP_EV_PREADV 43       /* layout RW */
#define KCAP_EV_PWRITEV 44      /* layout RW */
#define KCAP_EV_UNLINK 45       /* layout UNLINK */
#define KCAP_EV_UNLINKAT 46     /* layout UNLINK */
#define KCAP_EV_RENAME 47       /* layout RENAME */
#define KCAP_EV_RENAMEAT 48     /* layout RENAME */
#define KCAP_EV_RENAMEAT2 49    /* layout RENAME */
#define KCAP_EV_MKDIR 50        /* layout MKDIR */
#define KCAP_EV_MKDIRAT 51      /* layout MKDIR */
#define KCAP_EV_RMDIR 52        /* layout RMDIR */
#define KCAP_EV_CHMOD 53        /* layout CHMOD */
#define KCAP_EV_FCHMOD 54       /* layout CHMOD */
#define KCAP_EV_FCHMODAT 55     /* layout CHMOD */
#define KCAP_EV_FCHMODAT2 56    /* layout CHMOD */
#define KCAP_EV_CHOWN 57        /* layout CHOWN */
#define KCAP_EV_LCHOWN 58       /* layout CHOWN */
#define KCAP_EV_FCHOWN 59       /* layout CHOWN */
#define KCAP_EV_FCHOWNAT 60     /* layout CHOWN */
#define KCAP_EV_CHDIR 61        /* layout CHDIR */
#define KCAP_EV_FCHDIR 62       /* layout CHDIR */
#define KCAP_EV_LINK 63         /* layout LINK */
#define KCAP_EV_LINKAT 64       /* layout LINK */
#define KCAP_EV_SYMLINK 65      /* layout SYMLINK */
#define KCAP_EV_SYMLINKAT 66    /* layout SYMLINK */
#define KCAP_EV_TRUNCATE 67     /* layout TRUNCATE */
#define KCAP_EV_FTRUNCATE 68    /* layout TRUNCATE */
#define KCAP_EV_DUP 69          /* layout DUP */
#define KCAP_EV_DUP2 70         /* layout DUP */
#define KCAP_EV_DUP3 71         /* layout DUP */
/* block devices and file objects (ETW DiskIo, FileIo) */
#define KCAP_EV_DISK_READ 72    /* layout DISK */
#define KCAP_EV_DISK_WRITE 73   /* layout DISK */
#define KCAP_EV_DISK_FLUSH 74   /* layout DISK */
#define KCAP_EV_FILE_NAME 75    /* layout FILENAME */
#define KCAP_EV_FILE_CLEANUP 76 /* layout FILENAME */

/* net */
#define KCAP_EV_SOCKET 96       /* layout SOCKET */
#define KCAP_EV_SOCKETPAIR 97   /* layout SOCKETPAIR */
#define KCAP_EV_CONNECT 98      /* layout ADDR */
#define KCAP_EV_BIND 99         /* layout ADDR */
#define KCAP_EV_ACCEPT 100      /* layout ACCEPT */
#define KCAP_EV_ACCEPT4 101     /* layout ACCEPT */
#define KCAP_EV_LISTEN 102      /* layout LISTEN */
#define KCAP_EV_SENDTO 103      /* layout XFER */
#define KCAP_EV_RECVFROM 104    /* layout XFER */
#define KCAP_EV_SENDMSG 105     /* layout XFER */
#define KCAP_EV_RECVMSG 106     /* layout XFER */
#define KCAP_EV_GETPEERNAME 107 /* layout ADDR */
#define KCAP_EV_GETSOCKNAME 108 /* layout ADDR */
#define KCAP_EV_DISCONNECT 109  /* layout ADDR (ETW TcpIp Disconnect) */

/* user */
#define KCAP_EV_SETUID 128      /* layout SETID */
#define KCAP_EV_SETGID 129      /* layout SETID */
#define KCAP_EV_SETREUID 130    /* layout SETREID */
#define KCAP_EV_SETREGID 131    /* layout SETREID */
#define KCAP_EV_SETRESUID 132   /* layout SETRESID */
#define KCAP_EV_SETRESGID 133   /* layout SETRESID */
#define KCAP_EV_SETFSUID 134    /* layout SETID (ret is the previous fsuid) */
#define KCAP_EV_SETFSGID 135    /* layout SETID (ret is the previous fsgid) */
#define KCAP_EV_CAPSET 136      /* layout CAPSET */

/* registry (Windows) */
#define KCAP_EV_REG_CREATE_KEY 160   /* layout REG */
#define KCAP_EV_REG_OPEN_KEY 161     /* layout REG */
#define KCAP_EV_REG_DELETE_KEY 162   /* layout REG */
#define KCAP_EV_REG_QUERY_KEY 163    /* layout REG */
#define KCAP_EV_REG_SET_VALUE 164    /* layout REG */
#define KCAP_EV_REG_DELETE_VALUE 165 /* layout REG */
#define KCAP_EV_REG_QUERY_VALUE 166  /* layout REG */
#define KCAP_EV_REG_KCB_RUNDOWN 167  /* layout REG */

#define KCAP_EV_MAX_ 191

/* 1 for the types that are no syscall (the Windows ones above): the
 * syscall map has a row for every other type. */
#define KCAP_EV_NOT_SYSCALL(id) \
	(((id) >= 18 && (id) <= 24) || ((id) >= 72 && (id) <= 76) || (id) == 109 || ((id) >= 160 && (id) <= 191))

/* ---- param positions, per layout ----------------------------------------
 * "ret" is always type RET: the syscall's return value, negative = -errno. */

/* CLONE: fork, vfork, clone, clone3. flags are the clone flags (fork:
 * SIGCHLD; vfork: CLONE_VM|CLONE_VFORK|SIGCHLD); child_pid = ret when > 0. */
enum { KCAP_P_CLONE_FLAGS, KCAP_P_CLONE_CHILD_PID, KCAP_P_CLONE_RET, KCAP_P_CLONE_N_ };
/* EXEC: path is the absolute filename (resolved against cwd or dirfd);
 * argv the full argument list (STRLIST), argv_truncated 1 when the source
 * cut it; flags the AT_* flags of execveat. */
enum { KCAP_P_EXEC_DIRFD, KCAP_P_EXEC_PATH, KCAP_P_EXEC_ARGV, KCAP_P_EXEC_ARGV_TRUNCATED,
       KCAP_P_EXEC_FLAGS, KCAP_P_EXEC_RET, KCAP_P_EXEC_N_ };
/* EXIT: status is the exit code given to exit()/exit_group() (no ret: these
 * do not return), or the exit status of a task that left without calling
 * them (taken along by another thread's exit_group); sig the signal that
 * killed a task, then without status. */
enum { KCAP_P_EXIT_STATUS, KCAP_P_EXIT_SIG, KCAP_P_EXIT_N_ };
/* KILL: kill(target=pid), tkill(tid), tgkill(target=tgid, tid). */
enum { KCAP_P_KILL_TARGET, KCAP_P_KILL_TID, KCAP_P_KILL_SIG, KCAP_P_KILL_RET, KCAP_P_KILL_N_ };
enum { KCAP_P_PTRACE_REQUEST, KCAP_P_PTRACE_TARGET, KCAP_P_PTRACE_ADDR, KCAP_P_PTRACE_DATA,
       KCAP_P_PTRACE_RET, KCAP_P_PTRACE_N_ };
/* MMAP: mmap and mprotect with PROT_EXEC. fd and path (the mapped file, when
 * there is one) are mmap only; ret of mmap is the mapped address. */
enum { KCAP_P_MMAP_ADDR, KCAP_P_MMAP_LEN, KCAP_P_MMAP_PROT, KCAP_P_MMAP_FLAGS, KCAP_P_MMAP_FD,
       KCAP_P_MMAP_PATH, KCAP_P_MMAP_RET, KCAP_P_MMAP_N_ };
/* PIPE: fd0 is the read end, fd1 the write end (present when ret == 0). */
enum { KCAP_P_PIPE_FLAGS, KCAP_P_PIPE_FD0, KCAP_P_PIPE_FD1, KCAP_P_PIPE_RET, KCAP_P_PIPE_N_ };
enum { KCAP_P_MEMFD_NAME, KCAP_P_MEMFD_FLAGS, KCAP_P_MEMFD_RET, KCAP_P_MEMFD_N_ };
/* SETNS: fd of a namespace (or pidfd), nstype the CLONE_NEW* kind asked
 * for (0: any); path the fd's name when known (/proc/PID/ns/net). */
enum { KCAP_P_SETNS_FD, KCAP_P_SETNS_NSTYPE, KCAP_P_SETNS_PATH, KCAP_P_SETNS_RET, KCAP_P_SETNS_N_ };
/* UNSHARE: flags are CLONE_* (CLONE_NEW* for new namespaces). */
enum { KCAP_P_UNSHARE_FLAGS, KCAP_P_UNSHARE_RET, KCAP_P_UNSHARE_N_ };
/* THREAD: a thread of the event's process (pid); the addresses as the
 * kernel logs them; name when the source has one. */
enum { KCAP_P_THREAD_TID, KCAP_P_THREAD_STACK_BASE, KCAP_P_THREAD_STACK_LIMIT, KCAP_P_THREAD_USER_STACK_BASE,
       KCAP_P_THREAD_USER_STACK_LIMIT, KCAP_P_THREAD_START_ADDR, KCAP_P_THREAD_WIN32_START_ADDR,
       KCAP_P_THREAD_TEB, KCAP_P_THREAD_NAME, KCAP_P_THREAD_N_ };
/* IMAGE: an executable image mapped into (or out of) the event's process;
 * path as the kernel names it (an NT path, \Device\HarddiskVolume2\...). */
enum { KCAP_P_IMAGE_PATH, KCAP_P_IMAGE_BASE, KCAP_P_IMAGE_SIZE, KCAP_P_IMAGE_CHECKSUM, KCAP_P_IMAGE_TIMESTAMP,
       KCAP_P_IMAGE_DEFAULT_BASE, KCAP_P_IMAGE_N_ };
/* PROCESS: a process as a rundown lists it (and the ETW process start and
 * end add the same after execve's and exit_group's params): image is the
 * short image name, cmdline the command line as one string, user_sid the
 * process token's user. */
enum { KCAP_P_PROCESS_IMAGE, KCAP_P_PROCESS_CMDLINE, KCAP_P_PROCESS_SESSION, KCAP_P_PROCESS_EXIT_STATUS,
       KCAP_P_PROCESS_USER_SID, KCAP_P_PROCESS_KEY, KCAP_P_PROCESS_FLAGS, KCAP_P_PROCESS_PACKAGE,
       KCAP_P_PROCESS_APP_ID, KCAP_P_PROCESS_N_ };

/* OPEN: open, openat, openat2, creat. path absolute (resolved against cwd
 * or dirfd); flags the O_* flags (creat: O_CREAT|O_WRONLY|O_TRUNC); resolve
 * the RESOLVE_* flags of openat2; ret the new fd. */
enum { KCAP_P_OPEN_DIRFD, KCAP_P_OPEN_PATH, KCAP_P_OPEN_FLAGS, KCAP_P_OPEN_MODE,
       KCAP_P_OPEN_RESOLVE, KCAP_P_OPEN_RET, KCAP_P_OPEN_N_ };
enum { KCAP_P_CLOSE_FD, KCAP_P_CLOSE_RET, KCAP_P_CLOSE_N_ };
/* RW: read/write family. count is the byte count asked for (readv/writev/
 * preadv/pwritev: the iovec count); offset for the p* variants. */
enum { KCAP_P_RW_FD, KCAP_P_RW_COUNT, KCAP_P_RW_OFFSET, KCAP_P_RW_RET, KCAP_P_RW_N_ };
enum { KCAP_P_UNLINK_DIRFD, KCAP_P_UNLINK_PATH, KCAP_P_UNLINK_FLAGS, KCAP_P_UNLINK_RET,
       KCAP_P_UNLINK_N_ };
enum { KCAP_P_RENAME_OLDDIRFD, KCAP_P_RENAME_OLDPATH, KCAP_P_RENAME_NEWDIRFD,
       KCAP_P_RENAME_NEWPATH, KCAP_P_RENAME_FLAGS, KCAP_P_RENAME_RET, KCAP_P_RENAME_N_ };
enum { KCAP_P_MKDIR_DIRFD, KCAP_P_MKDIR_PATH, KCAP_P_MKDIR_MODE, KCAP_P_MKDIR_RET,
       KCAP_P_MKDIR_N_ };
enum { KCAP_P_RMDIR_PATH, KCAP_P_RMDIR_RET, KCAP_P_RMDIR_N_ };
/* CHMOD: fd is fchmod's operand (path is then the fd's file). */
enum { KCAP_P_CHMOD_DIRFD, KCAP_P_CHMOD_FD, KCAP_P_CHMOD_PATH, KCAP_P_CHMOD_MODE,
       KCAP_P_CHMOD_FLAGS, KCAP_P_CHMOD_RET, KCAP_P_CHMOD_N_ };
/* CHOWN: uid/gid 4294967295 means "unchanged" (-1). */
enum { KCAP_P_CHOWN_DIRFD, KCAP_P_CHOWN_FD, KCAP_P_CHOWN_PATH, KCAP_P_CHOWN_UID,
       KCAP_P_CHOWN_GID, KCAP_P_CHOWN_FLAGS, KCAP_P_CHOWN_RET, KCAP_P_CHOWN_N_ };
enum { KCAP_P_CHDIR_FD, KCAP_P_CHDIR_PATH, KCAP_P_CHDIR_RET, KCAP_P_CHDIR_N_ };
enum { KCAP_P_LINK_OLDDIRFD, KCAP_P_LINK_OLDPATH, KCAP_P_LINK_NEWDIRFD, KCAP_P_LINK_NEWPATH,
       KCAP_P_LINK_FLAGS, KCAP_P_LINK_RET, KCAP_P_LINK_N_ };
/* SYMLINK: target is stored as given (not resolved); path is the new link,
 * resolved against cwd or dirfd. */
enum { KCAP_P_SYMLINK_TARGET, KCAP_P_SYMLINK_DIRFD, KCAP_P_SYMLINK_PATH, KCAP_P_SYMLINK_RET,
       KCAP_P_SYMLINK_N_ };
enum { KCAP_P_TRUNCATE_FD, KCAP_P_TRUNCATE_PATH, KCAP_P_TRUNCATE_LENGTH, KCAP_P_TRUNCATE_RET,
       KCAP_P_TRUNCATE_N_ };
/* DUP: ret is the new fd; newfd is the requested one (dup2/dup3). */
enum { KCAP_P_DUP_OLDFD, KCAP_P_DUP_NEWFD, KCAP_P_DUP_FLAGS, KCAP_P_DUP_RET, KCAP_P_DUP_N_ };
/* DISK: one disk I/O completed; offset and size in bytes, path the file
 * behind file_object when known, elapsed the time the I/O took. */
enum { KCAP_P_DISK_DISK, KCAP_P_DISK_OFFSET, KCAP_P_DISK_SIZE, KCAP_P_DISK_IRP_FLAGS, KCAP_P_DISK_FILE_OBJECT,
       KCAP_P_DISK_PATH, KCAP_P_DISK_ELAPSED, KCAP_P_DISK_ISSUING_TID, KCAP_P_DISK_N_ };
/* FILENAME: a kernel file object and the path it names. */
enum { KCAP_P_FILENAME_FILE_OBJECT, KCAP_P_FILENAME_PATH, KCAP_P_FILENAME_N_ };

enum { KCAP_P_SOCKET_FAMILY, KCAP_P_SOCKET_TYPE, KCAP_P_SOCKET_PROTOCOL, KCAP_P_SOCKET_RET,
       KCAP_P_SOCKET_N_ };
enum { KCAP_P_SOCKETPAIR_FAMILY, KCAP_P_SOCKETPAIR_TYPE, KCAP_P_SOCKETPAIR_PROTOCOL,
       KCAP_P_SOCKETPAIR_FD0, KCAP_P_SOCKETPAIR_FD1, KCAP_P_SOCKETPAIR_RET,
       KCAP_P_SOCKETPAIR_N_ };
/* ADDR: connect/bind (addr given), getpeername/getsockname (addr returned). */
enum { KCAP_P_ADDR_FD, KCAP_P_ADDR_ADDR, KCAP_P_ADDR_RET, KCAP_P_ADDR_N_ };
/* ACCEPT: addr is the peer; ret the new fd. */
enum { KCAP_P_ACCEPT_FD, KCAP_P_ACCEPT_ADDR, KCAP_P_ACCEPT_FLAGS, KCAP_P_ACCEPT_RET,
       KCAP_P_ACCEPT_N_ };
enum { KCAP_P_LISTEN_FD, KCAP_P_LISTEN_BACKLOG, KCAP_P_LISTEN_RET, KCAP_P_LISTEN_N_ };
/* XFER: sendto/recvfrom/sendmsg/recvmsg. size is the buffer length asked
 * for (absent for *msg); addr the destination (send) or source (recv) when
 * the call carries one; ret the bytes moved. */
enum { KCAP_P_XFER_FD, KCAP_P_XFER_SIZE, KCAP_P_XFER_FLAGS, KCAP_P_XFER_ADDR, KCAP_P_XFER_RET,
       KCAP_P_XFER_N_ };

/* SETID: setuid/setfsuid (id is a uid), setgid/setfsgid (id is a gid). */
enum { KCAP_P_SETID_ID, KCAP_P_SETID_RET, KCAP_P_SETID_N_ };
enum { KCAP_P_SETREID_RID, KCAP_P_SETREID_EID, KCAP_P_SETREID_RET, KCAP_P_SETREID_N_ };
enum { KCAP_P_SETRESID_RID, KCAP_P_SETRESID_EID, KCAP_P_SETRESID_SID, KCAP_P_SETRESID_RET,
       KCAP_P_SETRESID_N_ };
/* CAPSET: target pid (0 = self); capability sets as 64-bit masks. */
enum { KCAP_P_CAPSET_TARGET, KCAP_P_CAPSET_EFFECTIVE, KCAP_P_CAPSET_PERMITTED,
       KCAP_P_CAPSET_INHERITABLE, KCAP_P_CAPSET_RET, KCAP_P_CAPSET_N_ };

/* REG: key is the key's full path (resolved through the KCB rundown when
 * the source names it relative to a KCB), name what the event logged (a
 * relative key name, or the value name of value operations), status the
 * NTSTATUS. */
enum { KCAP_P_REG_KEY, KCAP_P_REG_NAME, KCAP_P_REG_KCB, KCAP_P_REG_STATUS, KCAP_P_REG_INDEX, KCAP_P_REG_N_ };

/* ---- symbol set ids ------------------------------------------------------ */
#define KCAP_SYMS_OPEN_FLAGS 1   /* O_* (flags; O_ACCMODE by mask) */
#define KCAP_SYMS_MMAP_PROT 2    /* PROT_* */
#define KCAP_SYMS_MMAP_FLAGS 3   /* MAP_* */
#define KCAP_SYMS_CLONE_FLAGS 4  /* CLONE_* plus the exit signal in the low byte */
#define KCAP_SYMS_SIGNAL 5       /* SIG* (enum) */
#define KCAP_SYMS_SOCK_FAMILY 6  /* AF_* (enum) */
#define KCAP_SYMS_SOCK_TYPE 7    /* SOCK_* type by mask, plus SOCK_NONBLOCK/CLOEXEC */
#define KCAP_SYMS_ERRNO 8        /* E* (enum, positive numbers) */
#define KCAP_SYMS_PTRACE 9       /* PTRACE_* requests (enum) */
#define KCAP_SYMS_AT_FLAGS 10    /* AT_* */
#define KCAP_SYMS_RENAME_FLAGS 11 /* RENAME_* */
#define KCAP_SYMS_MSG_FLAGS 12   /* MSG_* */
#define KCAP_SYMS_IPPROTO 13     /* IPPROTO_* (enum) */
#define KCAP_SYMS_MEMFD_FLAGS 14 /* MFD_* */
#define KCAP_SYMS_RESOLVE 15     /* RESOLVE_* (openat2) */
#define KCAP_SYMS_CAPS 16        /* CAP_* as bit masks */

#ifndef KCAP_TAXONOMY_IDS_ONLY
#include <kcap/kcap.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Adds every standard event type and symbol set to s. Returns 0, or the
 * first error of kcap_schema_add_type/add_symset (KCAP_E_INVAL when s
 * already holds a different definition under one of the ids, KCAP_E_NOMEM). */
int kcap_taxonomy_schema(kcap_schema *s);

/* The static definitions behind kcap_taxonomy_schema(), for frontends that
 * need them without a schema. i from 0 while non-NULL. */
const kcap_type_def *kcap_taxonomy_type_at(size_t i);
const kcap_symset *kcap_taxonomy_symset_at(size_t i);
/* Static definition of a standard type by id or name; NULL when unknown. */
const kcap_type_def *kcap_taxonomy_type(uint32_t id);
const kcap_type_def *kcap_taxonomy_type_by_name(const char *name);

/* Category name constants used by the taxonomy. */
#define KCAP_CAT_PROCESS "process"
#define KCAP_CAT_FILE "file"
#define KCAP_CAT_NET "net"
#define KCAP_CAT_USER "user"
#define KCAP_CAT_REGISTRY "registry"

#ifdef __cplusplus
}
#endif
#endif /* KCAP_TAXONOMY_IDS_ONLY */
#endif
