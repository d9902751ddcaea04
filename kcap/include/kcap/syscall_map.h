/*
 * syscall_map.h - how a Linux syscall becomes a taxonomy event: which
 * syscall numbers (per architecture) and names are which KCAP_EV_* type,
 * which argument fills which KCAP_P_* param, and the values a call implies
 * (fork's flags are SIGCHLD, creat's are O_CREAT|O_WRONLY|O_TRUNC).
 *
 * ======================================================================
 * EXPERIMENTAL: for the frontends in this tree (eBPF recorder, audit
 * importer, the coming .scap importer). Names, fields and the table's
 * rows may change in any release; nothing here is part of the stable
 * kcap.h API, and files do not store anything defined here.
 * ======================================================================
 *
 * A frontend that has (arch, syscall nr, raw args, ret) looks the row up
 * with kcap_syscall_by_nr(), one that has an event name with
 * kcap_syscall_by_name(); kcap_syscall_fill() then sets every param that
 * comes from the registers and the return value. What only the frontend
 * can know (path strings, argv, socket addresses, memory behind pointer
 * arguments) it sets itself, at the positions the row names.
 */
#ifndef KCAP_SYSCALL_MAP_H
#define KCAP_SYSCALL_MAP_H

#include <stddef.h>
#include <stdint.h>

#include <kcap/taxonomy.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Architectures whose syscall numbers are known. */
typedef enum kcap_arch {
	KCAP_ARCH_UNKNOWN = 0,
	KCAP_ARCH_X86_64,
	KCAP_ARCH_I386,
	KCAP_ARCH_AARCH64, /* the asm-generic numbers */
} kcap_arch;

/* "no argument", "no param" in the fields below */
#define KCAP_SYSARG_NONE 0xff

/* Linux constants the mapping decides on (the generic values, which
 * x86_64, i386 and aarch64 share). */
#define KCAP_SYS_SIGCHLD 17
#define KCAP_SYS_CLONE_VM 0x100
#define KCAP_SYS_CLONE_VFORK 0x4000
#define KCAP_SYS_O_WRONLY 01
#define KCAP_SYS_O_CREAT 0100
#define KCAP_SYS_O_TRUNC 01000
#define KCAP_SYS_PROT_EXEC 4
#define KCAP_SYS_MAP_ANONYMOUS 0x20
#define KCAP_SYS_AT_FDCWD (-100)
#define KCAP_SYS_AF_UNIX 1
#define KCAP_SYS_AF_INET 2
#define KCAP_SYS_AF_INET6 10

/* kcap_syscall_arg.flags */
#define KCAP_SYSARG_INT 1      /* declared int in the syscall's prototype: the kernel reads 32 bits */
#define KCAP_SYSARG_FILE_MAP 2 /* only when the mapping is of a file (no MAP_ANONYMOUS in arg 3) */

/* One register argument copied into a param, converted by the param's
 * type (kcap_syscall_fill). */
typedef struct kcap_syscall_arg {
	uint8_t param; /* KCAP_P_* position */
	uint8_t arg;   /* argument index, 0..5 */
	uint8_t flags; /* KCAP_SYSARG_* */
} kcap_syscall_arg;

/* What a path argument names, for sources that log paths by role (audit's
 * PATH records: nametype CREATE, DELETE, NORMAL). */
typedef enum kcap_syspath_role {
	KCAP_SYSPATH_NONE = 0,
	KCAP_SYSPATH_NAMED,      /* an existing file the call acts on */
	KCAP_SYSPATH_MAY_CREATE, /* created by the call when it succeeds with create semantics (open, mkdir) */
	KCAP_SYSPATH_CREATES,    /* the new name (rename, link, symlink) */
	KCAP_SYSPATH_MAY_DELETE, /* removed by the call (unlink, rmdir) */
	KCAP_SYSPATH_DELETES,    /* the old name that goes away (rename) */
	KCAP_SYSPATH_LINKED,     /* the existing file a hard link is made to */
	KCAP_SYSPATH_NOT_A_PATH, /* a string stored as given, never resolved (memfd name, symlink target) */
	KCAP_SYSPATH_OF_FD,      /* the file behind the call's fd argument (fd_arg) */
} kcap_syspath_role;

/* A path param: the string argument, and the param of the directory fd it
 * is relative to (KCAP_SYSARG_NONE: the working directory). */
typedef struct kcap_syscall_path {
	uint8_t param;       /* KCAP_P_* of the path (unused when role is KCAP_SYSPATH_NONE) */
	uint8_t arg;         /* the string argument (KCAP_SYSARG_NONE for OF_FD) */
	uint8_t dirfd_param; /* KCAP_P_* of its dirfd */
	uint8_t role;        /* kcap_syspath_role */
} kcap_syscall_path;

/* kcap_syscall.flags */
#define KCAP_SYSCALL_EXEC_ONLY 1 /* kept only when arg 2 (prot) has PROT_EXEC */
#define KCAP_SYSCALL_RET_CHILD 2 /* a positive ret is the new child's pid (child_pid param) */
#define KCAP_SYSCALL_ADDR 4      /* the call carries a socket address (addr_* fields) */

/* kcap_syscall_implied.how */
#define KCAP_IMPLIED_NONE 0
#define KCAP_IMPLIED_ALWAYS 1     /* the call has no flags argument; these are its flags */
#define KCAP_IMPLIED_ON_REQUEST 2 /* the same, only with KCAP_SYSCALL_FILL_IMPLIED_ZERO (the
                                     audit importer has never stored these) */

/* The flags a call without a flags argument implies. */
typedef struct kcap_syscall_implied {
	uint8_t how;   /* KCAP_IMPLIED_* */
	uint8_t param; /* KCAP_P_* */
	uint64_t value;
} kcap_syscall_implied;

/* One row: a taxonomy type and how its params come from the syscall. */
typedef struct kcap_syscall {
	uint32_t type;               /* KCAP_EV_* */
	const char *name;            /* the syscall's (and the taxonomy type's) name */
	uint8_t nargs;
	kcap_syscall_arg args[6];
	kcap_syscall_implied implied;
	kcap_syscall_path path[2];   /* first and second path, in argument order */
	uint8_t fd_arg;              /* for OF_FD paths: the fd argument naming the file */
	uint8_t addr_param;          /* with KCAP_SYSCALL_ADDR: KCAP_P_* of the socket address */
	uint8_t addr_arg, addrlen_arg; /* sockaddr pointer and its length (KCAP_SYSARG_NONE: behind a msghdr) */
	uint8_t addr_returned;       /* 1: the kernel writes the address (addrlen is a pointer) */
	uint8_t flags;               /* KCAP_SYSCALL_* */
} kcap_syscall;

/* The rows, i from 0 while non-NULL (in type id order). */
const kcap_syscall *kcap_syscall_at(size_t i);
/* The row of a taxonomy type id, or NULL. */
const kcap_syscall *kcap_syscall_by_type(uint32_t type);
/* The row of a syscall name: the taxonomy name, or an alias with the same
 * arguments (i386's setuid32, chown32, ... and mmap2). NULL when the call
 * is outside the taxonomy. */
const kcap_syscall *kcap_syscall_by_name(const char *name);
/* The row of a syscall number on arch, or NULL. i386's socketcall is
 * resolved with kcap_syscall_socketcall(). */
const kcap_syscall *kcap_syscall_by_nr(kcap_arch arch, long nr);

/* Syscall name for (arch, nr), whether or not the taxonomy maps it; NULL
 * when unknown. */
const char *kcap_syscall_name(kcap_arch arch, long nr);
/* Syscall number of name on arch, or -1. */
long kcap_syscall_nr(kcap_arch arch, const char *name);
/* i386 socketcall(call, args): the socket call's name for call, or NULL. */
const char *kcap_syscall_socketcall(int64_t call);

/* The argument that fills param, or KCAP_SYSARG_NONE. */
uint8_t kcap_syscall_arg_of(const kcap_syscall *s, uint8_t param);
/* Whether an argument row with these KCAP_SYSARG_* flags applies to args. */
int kcap_syscall_arg_applies(uint8_t flags, const uint64_t *args);
/* Whether the file behind fd_arg (an OF_FD path) exists for args: not for
 * an anonymous mapping. */
int kcap_syscall_fd_path_applies(const kcap_syscall *s, const uint64_t *args);
/* Whether the taxonomy keeps this call: 0 for an EXEC_ONLY call whose prot
 * (arg 2) is unknown (not in known_args, a bit per argument) or lacks
 * PROT_EXEC. */
int kcap_syscall_kept(const kcap_syscall *s, const uint64_t *args, unsigned known_args);

/* Decodes a raw struct sockaddr of family (sa_family, read in the source's
 * byte order) and n bytes into v when it is AF_INET or AF_INET6 (af,
 * port, addr; present). Returns 1 then, 0 for other families, whose bytes
 * the frontend stores itself (an AF_UNIX path, the raw bytes). */
int kcap_syscall_sockaddr_inet(kcap_value *v, unsigned family, const uint8_t *raw, size_t n);

/* kcap_syscall_fill() opts */
#define KCAP_SYSCALL_FILL_IMPLIED_ZERO 1 /* also the implied 0 flags of pipe and accept */
#define KCAP_SYSCALL_FILL_32BIT 2        /* the arch's registers are 32-bit (i386) */
/* Keep all 64 register bits of an argument declared int (KCAP_SYSARG_INT)
 * in a FLAGS or ENUM param, where the kernel reads 32. The audit importer
 * has always stored them so (an audit log has the whole register); the
 * eBPF recorder stores the 32 bits. */
#define KCAP_SYSCALL_FILL_RAW_INTS 4

/* Sets in P (the type's params, P[i] for def->params[i]) every param that
 * comes from the registers: each argument row whose argument is in
 * known_args (bit i: args[i] is known), the implied flags, and, when ret
 * is not NULL, the ret param and the child pid. Params it does not set are
 * left as they are. */
void kcap_syscall_fill(const kcap_syscall *s, const kcap_type_def *def, const uint64_t *args,
                       unsigned known_args, const int64_t *ret, unsigned opts, kcap_value *P);

#ifdef __cplusplus
}
#endif
#endif
