/* The scap event table: every event type a sysdig/Falco capture (.scap) can hold.
 *
 * Written for kcap from the facts of falcosecurity/libs (driver/event_table.c and
 * driver/ppm_events_public.h, at 48dfd53 of 2026, and at e5c53d64 of 2022, the libs inside
 * Debian's sysdig 0.29.3); the table is ours, in our own compact form.
 *
 * Conventions:
 * - Indexed by the PPME_* code of the event header (`u16 type`), 0 .. SCAP_EVENT_MAX-1.
 *   `scap_event_get()` returns NULL past the end: a file's code we do not know is skipped
 *   by its length (sysdig 0.29.3 itself knows codes < SCAP_EVENT_MAX_2022 = 336).
 * - Direction: even codes are enter ('>'), odd codes exit ('<'); `dir` holds it. Events with
 *   only an enter half (procexit 186, container 272/324, procinfo 234, drop 148/149 as a
 *   pair, switch 152 ...) still follow the parity.
 * - `name` is what sysdig prints as `evt.type`: for codes < 336 the 2022 names (sysdig
 *   0.29.3: `sysdigevent`, `NA1`...), later codes today's (`useradded`, `NA` placeholders
 *   flagged SCAP_EF_UNUSED). One name spans every version of a syscall (execve has eight
 *   code pairs); older ones carry SCAP_EF_OLD_VERSION (2022 flags for codes < 336).
 * - `params` are today's list, a superset of every older one (libs only ever appends):
 *   a file may carry fewer (the rest are absent) or more (ignore them). `nparams_2022` is
 *   how many sysdig 0.29.3 knows (0 for codes it does not know).
 * - Param types (SCAP_PT_*) and print formats (SCAP_PF_*) have the numeric values of libs'
 *   enum ppm_param_type / ppm_print_format, so they are the wire's meaning. Sizes on the
 *   wire: `scap_pt_size()` (fixed) or -1 (variable: strings with their NUL, buffers,
 *   sockaddr/tuple, fd lists). `symset` names libs' flag/enum value table for flag params
 *   (e.g. "file_flags": PPM_O_* bits, not Linux O_*); `dirfd` is, for an FSRELPATH param,
 *   the index of the param holding its directory fd (else SCAP_NO_DIRFD).
 * - Length fields of params are u16, or u32 for types flagged SCAP_EF_LARGE_PAYLOAD
 *   (pluginevent 322, container 324, asyncevent 402).
 * - Generic events (codes 0/1) carry a syscall id (PT_SYSCALLID, u16); sysdig prints the
 *   id's name instead of `syscall`: `scap_syscall_id_name()` (2022 names below 329, e.g.
 *   298 `sigreturn`; id 0 `<unknown>`).
 * Everything is const data: no initialisation, safe from any thread.
 */
#ifndef KCAP_SCAP_EVENTS_H
#define KCAP_SCAP_EVENTS_H

#include <stdint.h>

#define SCAP_EVENT_MAX 454      /* codes known to this table */
#define SCAP_EVENT_MAX_2022 336 /* codes known to sysdig 0.29.3 */
#define SCAP_SYSCALL_ID_MAX 454 /* syscall ids (PPM_SC_*) known to this table */
#define SCAP_NO_DIRFD 0xff

/* enum ppm_param_type */
enum scap_pt {
	SCAP_PT_NONE = 0, SCAP_PT_INT8 = 1, SCAP_PT_INT16 = 2, SCAP_PT_INT32 = 3,
	SCAP_PT_INT64 = 4, SCAP_PT_UINT8 = 5, SCAP_PT_UINT16 = 6, SCAP_PT_UINT32 = 7,
	SCAP_PT_UINT64 = 8, SCAP_PT_CHARBUF = 9, SCAP_PT_BYTEBUF = 10, SCAP_PT_ERRNO = 11,
	SCAP_PT_SOCKADDR = 12, SCAP_PT_SOCKTUPLE = 13, SCAP_PT_FD = 14, SCAP_PT_PID = 15,
	SCAP_PT_FDLIST = 16, SCAP_PT_FSPATH = 17, SCAP_PT_SYSCALLID = 18, SCAP_PT_SIGTYPE = 19,
	SCAP_PT_RELTIME = 20, SCAP_PT_ABSTIME = 21, SCAP_PT_PORT = 22, SCAP_PT_L4PROTO = 23,
	SCAP_PT_SOCKFAMILY = 24, SCAP_PT_BOOL = 25, SCAP_PT_IPV4ADDR = 26, SCAP_PT_DYN = 27,
	SCAP_PT_FLAGS8 = 28, SCAP_PT_FLAGS16 = 29, SCAP_PT_FLAGS32 = 30, SCAP_PT_UID = 31,
	SCAP_PT_GID = 32, SCAP_PT_DOUBLE = 33, SCAP_PT_SIGSET = 34, SCAP_PT_CHARBUFARRAY = 35,
	SCAP_PT_CHARBUF_PAIR_ARRAY = 36, SCAP_PT_IPV4NET = 37, SCAP_PT_IPV6ADDR = 38,
	SCAP_PT_IPV6NET = 39, SCAP_PT_IPADDR = 40, SCAP_PT_IPNET = 41, SCAP_PT_MODE = 42,
	SCAP_PT_FSRELPATH = 43, SCAP_PT_ENUMFLAGS8 = 44, SCAP_PT_ENUMFLAGS16 = 45,
	SCAP_PT_ENUMFLAGS32 = 46, SCAP_PT_FD32 = 47, SCAP_PT_PID32 = 48, SCAP_PT_MAX = 49
};

/* enum ppm_print_format */
enum scap_pf {
	SCAP_PF_NA = 0, SCAP_PF_DEC = 1, SCAP_PF_HEX = 2, SCAP_PF_10_PADDED_DEC = 3,
	SCAP_PF_ID = 4, SCAP_PF_DIR = 5, SCAP_PF_OCT = 6
};

/* event flags (enum ppm_event_flags bits) */
#define SCAP_EF_CREATES_FD (1u << 0)
#define SCAP_EF_DESTROYS_FD (1u << 1)
#define SCAP_EF_USES_FD (1u << 2)
#define SCAP_EF_READS_FROM_FD (1u << 3)
#define SCAP_EF_WRITES_TO_FD (1u << 4)
#define SCAP_EF_MODIFIES_STATE (1u << 5)
#define SCAP_EF_UNUSED (1u << 6)
#define SCAP_EF_WAITS (1u << 7)
#define SCAP_EF_SKIPPARSERESET (1u << 8)
#define SCAP_EF_OLD_VERSION (1u << 9)
#define SCAP_EF_DROP_SIMPLE_CONS (1u << 10)
#define SCAP_EF_LARGE_PAYLOAD (1u << 11)
#define SCAP_EF_CONVERTER_MANAGED (1u << 12) /* libs >= 0.20 rewrites it on read (codes >= 336 only here) */

/* category: what it is about (libs' low category bits) */
enum scap_ec {
	SCAP_EC_UNKNOWN = 0, SCAP_EC_OTHER = 1, SCAP_EC_FILE = 2, SCAP_EC_NET = 3,
	SCAP_EC_IPC = 4, SCAP_EC_MEMORY = 5, SCAP_EC_PROCESS = 6, SCAP_EC_SLEEP = 7,
	SCAP_EC_SYSTEM = 8, SCAP_EC_SIGNAL = 9, SCAP_EC_USER = 10, SCAP_EC_TIME = 11,
	SCAP_EC_PROCESSING = 12, SCAP_EC_IO_READ = 32, SCAP_EC_IO_WRITE = 33,
	SCAP_EC_IO_OTHER = 34, SCAP_EC_WAIT = 64, SCAP_EC_SCHEDULER = 128
};
/* source: where it comes from (libs' high category bits, shifted down) */
#define SCAP_SRC_INTERNAL (1u << 0)
#define SCAP_SRC_SYSCALL (1u << 1)
#define SCAP_SRC_TRACEPOINT (1u << 2)
#define SCAP_SRC_PLUGIN (1u << 3)
#define SCAP_SRC_META (1u << 4)
#define SCAP_SRC_ITER (1u << 5)

typedef struct {
	const char *name;   /* as sysdig names it in evt.info and evt.arg.NAME */
	uint8_t type;       /* enum scap_pt */
	uint8_t fmt;        /* enum scap_pf */
	uint8_t dirfd;      /* FSRELPATH: index of its dirfd param, else SCAP_NO_DIRFD */
	const char *symset; /* libs' value table of a flags/enum param, or NULL */
} scap_param_info;

typedef struct {
	const char *name;      /* evt.type */
	uint16_t code;         /* PPME_* */
	char dir;              /* '>' enter, '<' exit */
	uint8_t category;      /* enum scap_ec */
	uint8_t source;        /* SCAP_SRC_* bits */
	uint8_t nparams;       /* entries of params[] (today's table) */
	uint8_t nparams_2022;  /* how many sysdig 0.29.3 knows */
	uint32_t flags;        /* SCAP_EF_* */
	const scap_param_info *params;
} scap_event_info;

/* The entry of a code, or NULL when the code is SCAP_EVENT_MAX or more. */
const scap_event_info *scap_event_get(unsigned code);

/* The code of the newest version of NAME in direction DIR ('>' or '<') among the codes
 * sysdig 0.29.3 knows when `for_2022` is set (else among all), or -1. Newest = the highest
 * code not flagged SCAP_EF_OLD_VERSION, else the highest code. */
int scap_event_find(const char *name, char dir, int for_2022);

/* 1 when an enter of this type waits for its exit (the next event of the same code + 1
 * name on its thread), 0 for enter-only events: metaevents (procinfo, container, drop...),
 * procexit, switch, signaldeliver, and codes whose exit slot is unused or named differently. */
int scap_event_pairs(const scap_event_info *e);

/* The name sysdig shows for a generic event's syscall id, or NULL when unknown. */
const char *scap_syscall_id_name(unsigned id);

/* The syscall id of NAME, or -1. */
int scap_syscall_id_find(const char *name);

/* Bytes of a param of TYPE on the wire, or -1 for variable-length types. */
int scap_pt_size(unsigned type);

/* "PT_UINT32"-style name of a type without the prefix ("UINT32"), "?" when unknown. */
const char *scap_pt_name(unsigned type);

/* libs' open and clone flag bits (PPM_O_*, "file_flags"; PPM_CL_*, "clone_flags") and
 * Linux's (O_*, CLONE_*), both ways, from one table each: the importer reads
 * libs' bits, the export writes them. A Linux flag of several bits (O_SYNC, O_TMPFILE)
 * becomes libs' bit only when all its bits are set. */
uint64_t scap_open_flags_to_linux(uint64_t ppm);
uint32_t scap_open_flags_from_linux(uint64_t lin);
uint64_t scap_clone_flags_to_linux(uint64_t ppm);
uint32_t scap_clone_flags_from_linux(uint64_t lin);

#endif
