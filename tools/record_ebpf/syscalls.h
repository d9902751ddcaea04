/*
 * syscalls.h - the ABI between syscalls.bpf.c (kernel side) and syscalls.c
 * (user side) of the eBPF recorder: the event record written to the ring
 * buffer, the per-syscall configuration table and the loss counters.
 *
 * One record per syscall, written at syscall exit (exit/exit_group: at
 * entry, they do not return). A record is struct ebpf_event followed by
 * the segments whose lengths are in seg_len, in SEG_* order, without
 * padding. Strings in segments are not NUL-terminated except SEG_ARGV,
 * whose elements each end in NUL.
 */
#ifndef KCAP_RECORD_EBPF_SYSCALLS_H
#define KCAP_RECORD_EBPF_SYSCALLS_H

#define EBPF_PATH_MAX 4096      /* longest path segment */
#define EBPF_ARGV_MAX 8192      /* longest argv segment (then truncated) */
#define EBPF_ADDR_MAX 128       /* sockaddr bytes kept */
#define EBPF_MAX_NR 512         /* syscall numbers below this are configurable */
#define EBPF_WALK_DEPTH 40      /* path components walked up from a dentry */

/* x86_64 numbers of the syscalls recorded outside sys_exit (see syscalls.bpf.c) */
#define EBPF_NR_EXECVE 59
#define EBPF_NR_EXIT 60
#define EBPF_NR_EXIT_GROUP 231
#define EBPF_NR_EXECVEAT 322

enum {
	SEG_PATH1, /* first path argument as the caller gave it */
	SEG_DIR1,  /* directory PATH1 is relative to, or the file behind fd_arg */
	SEG_PATH2, /* second path argument (rename, link, symlink) */
	SEG_DIR2,  /* directory PATH2 is relative to */
	SEG_ARGV,  /* execve argv, NUL-separated */
	SEG_ADDR,  /* raw struct sockaddr bytes */
	SEG_N_
};

/* Special handling in sys_exit beyond the table-driven arguments. */
enum {
	SPECIAL_NONE,
	SPECIAL_PIPE,     /* args[0] -> int[2] (pipe, pipe2) */
	SPECIAL_SOCKPAIR, /* args[3] -> int[2] */
	SPECIAL_OPENAT2,  /* args[2] -> struct open_how: aux[0..2] = flags, mode, resolve */
	SPECIAL_CLONE3,   /* args[0] -> struct clone_args: aux[0] = flags */
	SPECIAL_CAPSET,   /* args[0] header (aux[0] = pid), args[1] data: aux[1..3] = eff, perm, inh */
	SPECIAL_MSG,      /* args[1] -> struct user_msghdr: name -> SEG_ADDR */
	SPECIAL_EXEC,     /* path stashed at entry; argv from mm (success) or user pointers */
	SPECIAL_EXIT,     /* emitted at entry */
};

#define ARG_NONE 0xff

/* Per-syscall configuration, indexed by syscall number. Arg indexes are
 * 0..5 or ARG_NONE. dirfd == ARG_NONE with a path means AT_FDCWD. */
struct ebpf_sysconf {
	__u32 type;        /* taxonomy type id; 0 = not recorded */
	__u8 path1, dirfd1, path2, dirfd2;
	__u8 fd_path;      /* resolve the file behind this fd arg into SEG_DIR1 */
	__u8 addr, addrlen; /* sockaddr pointer and its length (value) */
	__u8 addrlen_ptr;  /* 1: the address is returned (addrlen arg is a pointer to the
	                      length; read at exit, on success only) */
	__u8 special;
	__u8 need_exec;    /* only when args[2] has PROT_EXEC (mmap, mprotect) */
	__u8 no_resolve1;  /* PATH1 is not a file system path to resolve (memfd name, symlink target) */
	__u8 pad_;
};

#define EV_F_ARGV_TRUNCATED 1
#define EV_F_PATH_TRUNCATED 2 /* a directory walk hit EBPF_WALK_DEPTH or a buffer limit */
#define EV_F_AT_ENTRY 4       /* no return value (exit, exit_group) */
#define EV_F_EXIT_CODE 8      /* exit/exit_group not called: args[0] is the task's exit code
                                 (a signal in bits 0-6, a core dump 0x80, else status << 8) */

struct ebpf_event {
	__u64 ts;          /* CLOCK_BOOTTIME ns */
	__u64 args[6];
	__s64 ret;
	__u64 aux[4];
	__u32 pid, tid, ppid, uid, gid, cpu;
	__u32 type;
	__u32 nr;
	__u16 seg_len[SEG_N_];
	__u16 flags;       /* EV_F_* */
	__u16 argc;        /* elements in SEG_ARGV */
	char comm[16];
};

/* Per-CPU counters (array of one element, per-CPU). */
struct ebpf_counters {
	__u64 seen;        /* records the probes tried to emit */
	__u64 lost;        /* records dropped: ring buffer full */
	__u64 busy;        /* records dropped: scratch buffer in use (preempted) */
	__u64 stash_fail;  /* unused (kept for the layout) */
};

#endif
