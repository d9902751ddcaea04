/*
 * kcap.h - public API of libkcap, the .kcap capture container library.
 *
 * Conventions used throughout:
 *  - Every function that can fail returns a negative KCAP_E_* code; 0 (or a
 *    documented positive value) means success. kcap_strerror() names a code.
 *  - The library never prints. Detail (file offset, message) comes back in a
 *    kcap_error filled by the failing call, or through a damage callback.
 *  - Handles are opaque and come in _open/_close (or _new/_free) pairs. Every
 *    _close/_free accepts NULL.
 *  - Times are int64 nanoseconds since the Unix epoch, UTC, unless stated.
 *  - Strings handed out by the library are NOT NUL-terminated unless stated;
 *    they come as (pointer, length) and are borrowed: valid until the next
 *    call on the handle that produced them.
 *  - Ownership: what a caller passes in stays the caller's (the library
 *    copies what it keeps, as each function says); what the library hands
 *    out is borrowed from the handle that produced it, never freed by the
 *    caller, unless a function says it returns a new object (then it names
 *    the _free to use).
 *  - Units: sizes and file offsets are bytes (offsets from the start of the
 *    input); durations and times are nanoseconds; counts are plain numbers.
 *  - Threads: a handle is used by one thread at a time; distinct handles may
 *    be used from distinct threads.
 *  - Stability: everything here is stable within a major version, except the
 *    section "experimental API" below, which a program sees only when it
 *    defines KCAP_EXPERIMENTAL_API before including this header.
 */
#ifndef KCAP_KCAP_H
#define KCAP_KCAP_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KCAP_VERSION_STRING "0.1.0"
/* Format version this library writes. It reads any 1.x. */
#define KCAP_FORMAT_MAJOR 1
#define KCAP_FORMAT_MINOR 4

/* ---- errors ------------------------------------------------------------ */

enum {
	KCAP_OK = 0,
	KCAP_E_IO = -1,          /* read/write/seek failed; errno is in kcap_error.sys_errno */
	KCAP_E_NOMEM = -2,
	KCAP_E_FORMAT = -3,      /* not a kcap file (bad magic) */
	KCAP_E_VERSION = -4,     /* major version newer than this library */
	KCAP_E_CORRUPT = -5,     /* CRC mismatch or malformed structure */
	KCAP_E_TRUNCATED = -6,   /* input ends inside a structure */
	KCAP_E_INVAL = -7,       /* bad argument */
	KCAP_E_NOTFOUND = -8,    /* no such field/type/entry */
	KCAP_E_UNSUPPORTED = -9, /* e.g. seeking a pipe, unknown codec */
	KCAP_E_SYNTAX = -10,     /* parse error in text input (JSON, filter) */
	KCAP_E_ORDER = -11,      /* events out of timestamp order where order is required */
	KCAP_E_NOSPACE = -12,    /* ENOSPC / EDQUOT on write */
};

/* Detail about the last failure. offset is the byte offset in the input the
 * error refers to, or -1 when not applicable. column is 1-based for text
 * inputs (filter expressions, JSON lines), 0 otherwise. */
typedef struct kcap_error {
	int code;
	int sys_errno;
	int64_t offset;
	int64_t line;
	int column;
	char msg[256];
} kcap_error;

/* Static English description of a KCAP_E_* code. Never NULL. */
const char *kcap_strerror(int code);

/* ---- values: the one grammar of numbers, sizes and durations ----------- */

/* Every option of the kcap CLI reads its value with one of these, and the
 * filter language its duration literals (docs/CLI.md, "Values"). Each
 * returns 0, or KCAP_E_SYNTAX (malformed) / KCAP_E_INVAL (out of range) with
 * err->column (1-based within s) and err->msg saying what is wrong there.
 * Nothing is skipped: no blanks, no trailing text. */

/* Unsigned 64-bit count: digits, or 0x and hex digits. "-5" and
 * "18446744073709551616" are errors, not wrapped around. */
int kcap_parse_count(const char *s, uint64_t *out, kcap_error *err);
/* Signed 64-bit integer: optional sign and digits. */
int kcap_parse_int(const char *s, int64_t *out, kcap_error *err);
/* Size in bytes: a number (a fraction too: 1.5G) and an optional unit k, M,
 * G, T (either case), optionally followed by i and/or B; all are powers of
 * 1024 (64k = 65536, 1MiB = 1MB = 1M = 1048576). No unit: bytes. */
int kcap_parse_size(const char *s, uint64_t *out, kcap_error *err);
/* Duration in ns: one or more NUMBER UNIT parts ("1h30min", "1.5s", "500ms"),
 * units ns, us (or µs), ms, s, m (= min), min, h, d; an optional leading +.
 * A bare number is an error ("missing unit"), except 0. Negative durations
 * are rejected. */
int kcap_parse_duration(const char *s, int64_t *out, kcap_error *err);
/* Finite decimal real: [sign] digits [.digits] [e[sign]digits]. No hex
 * floats, inf or nan. */
int kcap_parse_real(const char *s, double *out, kcap_error *err);

/* ---- value types of event parameters ----------------------------------- */

/* Wire type codes of event params. Values are stable: they are in files. */
typedef enum kcap_ptype {
	KCAP_T_U8 = 1, KCAP_T_U16 = 2, KCAP_T_U32 = 3, KCAP_T_U64 = 4,
	KCAP_T_I8 = 5, KCAP_T_I16 = 6, KCAP_T_I32 = 7, KCAP_T_I64 = 8,
	KCAP_T_BOOL = 9,
	KCAP_T_STR = 10,      /* UTF-8 (not validated) text */
	KCAP_T_PATH = 11,     /* file system path, raw bytes */
	KCAP_T_BYTES = 12,    /* opaque bytes; rendered as hex */
	KCAP_T_STRLIST = 13,  /* list of strings, e.g. argv: each element NUL-terminated */
	KCAP_T_FD = 14,       /* signed file descriptor (AT_FDCWD = -100) */
	KCAP_T_RET = 15,      /* syscall return value; negative = -errno */
	KCAP_T_ERRNO = 16,    /* positive errno number, rendered symbolically */
	KCAP_T_IPV4 = 17,     /* 4 bytes, network order */
	KCAP_T_IPV6 = 18,     /* 16 bytes, network order */
	KCAP_T_SOCKADDR = 19, /* family + address + port, or unix path */
	KCAP_T_FLAGS = 20,    /* bit set, rendered through a symset */
	KCAP_T_ENUM = 21,     /* one value, rendered through a symset */
	KCAP_T_MODE = 22,     /* file mode (type and permission bits) */
	KCAP_T_UID = 23,
	KCAP_T_GID = 24,
	KCAP_T_TIMESTAMP = 25,/* ns since the Unix epoch */
	KCAP_T_DURATION = 26, /* signed ns */
	KCAP_T_SID = 27,      /* Windows SID, binary form */
	KCAP_T_GUID = 28,     /* 16 bytes, Windows GUID layout (LE Data1..3) */
	KCAP_T_PID = 29,
	KCAP_T_JSON = 30,     /* UTF-8 JSON text, embedded as-is in JSON output */
	KCAP_T_MAX_ = 30
} kcap_ptype;

/* Name of a param type ("u32", "path", ...), or NULL for an unknown code. */
const char *kcap_ptype_name(int type);
/* Inverse of kcap_ptype_name(); 0 when unknown. */
int kcap_ptype_from_name(const char *name);

/* Address families of KCAP_T_SOCKADDR values (not the OS's AF_ numbers). */
enum { KCAP_AF_NONE = 0, KCAP_AF_INET = 1, KCAP_AF_INET6 = 2, KCAP_AF_UNIX = 3, KCAP_AF_OTHER = 4 };

/*
 * One param value. Which members are meaningful depends on type:
 *  - integer-like types (ints, BOOL, FD, RET, ERRNO, FLAGS, ENUM, MODE, UID,
 *    GID, TIMESTAMP, DURATION, PID): u (unsigned types) or i (signed types).
 *    Signed types: I8..I64, FD, RET, TIMESTAMP, DURATION, PID.
 *  - STR, PATH, BYTES, SID, JSON: p/len.
 *  - STRLIST: p/len is the concatenation of NUL-terminated elements; count is
 *    the number of elements.
 *  - IPV4/IPV6/GUID: addr (4/16/16 bytes).
 *  - SOCKADDR: af, port (host order), addr; for KCAP_AF_UNIX/OTHER p/len.
 * present is 0 for a param the event does not carry (rendered as null).
 */
typedef struct kcap_value {
	uint8_t type;
	uint8_t present;
	uint8_t af;
	uint8_t reserved_;
	uint16_t port;
	uint32_t len;
	uint32_t count;
	union {
		uint64_t u;
		int64_t i;
	};
	const uint8_t *p;
	uint8_t addr[16];
} kcap_value;

/* 1 if the param type is stored as a signed integer, else 0. */
int kcap_ptype_is_signed(int type);

/* ---- schema ------------------------------------------------------------ */

/* A symbol set renders FLAGS and ENUM values. FLAGS: each entry whose
 * (value & mask) == entry.value is printed, joined with '|'; remaining bits in
 * hex. Entries with mask wider than one bit (e.g. O_ACCMODE's O_RDONLY with
 * value 0 mask 3) let zero-valued fields render. ENUM: the entry with an
 * equal value, else the number. */
typedef struct kcap_sym {
	uint64_t value;
	uint64_t mask;
	const char *name;
} kcap_sym;

enum { KCAP_SYMSET_FLAGS = 1, KCAP_SYMSET_ENUM = 2 };

typedef struct kcap_symset {
	uint32_t id;
	uint8_t kind;
	const char *name;
	uint32_t nsyms;
	const kcap_sym *syms;
} kcap_symset;

/* Param flags. */
enum {
	KCAP_PF_TOPLEVEL = 1, /* JSON output puts this param at the event's top level */
};

typedef struct kcap_param_def {
	const char *name;
	uint8_t type;      /* kcap_ptype */
	uint8_t flags;     /* KCAP_PF_* */
	uint32_t symset;   /* symset id for FLAGS/ENUM/ERRNO; 0 = none */
} kcap_param_def;

typedef struct kcap_type_def {
	uint32_t id;
	const char *name;        /* "open", "execve", ... */
	const char *category;    /* "process", "file", "net", "user", ... */
	const char *description;
	uint32_t nparams;
	const kcap_param_def *params;
} kcap_type_def;

/* The schema: event types and symbol sets. Owned by whoever created it; the
 * reader owns the schema it returns. All strings are copied in. */
typedef struct kcap_schema kcap_schema;

kcap_schema *kcap_schema_new(void);
void kcap_schema_free(kcap_schema *s);
/* Adds a type. The definition is deep-copied. Returns 0, or KCAP_E_INVAL if
 * the id is in use with a different definition (same definition: no-op). */
int kcap_schema_add_type(kcap_schema *s, const kcap_type_def *def);
int kcap_schema_add_symset(kcap_schema *s, const kcap_symset *set);
/* Lookups; NULL when absent. Pointers stay valid until the schema is freed. */
const kcap_type_def *kcap_schema_type(const kcap_schema *s, uint32_t id);
const kcap_type_def *kcap_schema_type_by_name(const kcap_schema *s, const char *name);
const kcap_symset *kcap_schema_symset(const kcap_schema *s, uint32_t id);
const kcap_symset *kcap_schema_symset_by_name(const kcap_schema *s, const char *name);
/* Iteration: i from 0 while the result is non-NULL. */
const kcap_type_def *kcap_schema_type_at(const kcap_schema *s, size_t i);
const kcap_symset *kcap_schema_symset_at(const kcap_schema *s, size_t i);
/* Index of a param by name in a type, or -1. */
int kcap_type_param_index(const kcap_type_def *def, const char *name);
/* A counter that changes whenever a type or symset is added: lets callers
 * notice schema growth cheaply. */
uint64_t kcap_schema_generation(const kcap_schema *s);
/* Deep copy of src into dst (types and symsets not already present). */
int kcap_schema_merge(kcap_schema *dst, const kcap_schema *src);

/* ---- metadata (one per origin: a host+source that produced events) ----- */

/* Well-known keys of kcap_meta. Values are UTF-8 strings; numbers are in
 * decimal. Any other key is a free tag. */
#define KCAP_META_HOSTNAME "hostname"
#define KCAP_META_OS "os"                 /* "Linux", "Windows" */
#define KCAP_META_KERNEL "kernel"         /* kernel release */
#define KCAP_META_MACHINE_ID "machine_id"
#define KCAP_META_BOOT_ID "boot_id"
#define KCAP_META_SOURCE "source"         /* "ebpf", "audit", "etw", "synth", "json" */
#define KCAP_META_SOURCE_VERSION "source_version"
#define KCAP_META_CAPTURE_START "capture_start" /* ns since the epoch */
#define KCAP_META_CLOCK "clock_source"    /* e.g. "CLOCK_BOOTTIME" */
#define KCAP_META_BOOT_OFFSET "boot_to_wall_ns" /* wall_ns = boot_ns + this */
#define KCAP_META_TIMEZONE "timezone"

typedef struct kcap_meta kcap_meta;

kcap_meta *kcap_meta_new(void);
void kcap_meta_free(kcap_meta *m);
/* Sets (or replaces) key; value is copied. NULL value removes the key. */
int kcap_meta_set(kcap_meta *m, const char *key, const char *value);
/* Value of key as a NUL-terminated string, or NULL. */
const char *kcap_meta_get(const kcap_meta *m, const char *key);
/* Iteration in insertion order; returns 0 past the end. */
int kcap_meta_at(const kcap_meta *m, size_t i, const char **key, const char **value);
size_t kcap_meta_count(const kcap_meta *m);
/* Fills a kcap_meta with this host's identity (hostname, os, kernel,
 * machine id, boot id, time zone, clock offset). Linux only; elsewhere it sets
 * what it can. */
int kcap_meta_fill_host(kcap_meta *m);

/* ---- process snapshot -------------------------------------------------- */

typedef struct kcap_proc {
	int32_t pid, ppid;
	uint32_t uid, gid;
	int64_t start_ts; /* ns since the epoch; 0 if unknown */
	const char *comm;
	const char *exe;
	const char *cwd;
	const char *cmdline; /* NUL-separated argv */
	uint32_t cmdline_len;
} kcap_proc;

typedef struct kcap_snapshot kcap_snapshot;
kcap_snapshot *kcap_snapshot_new(void);
void kcap_snapshot_free(kcap_snapshot *s);
/* Copies p in. */
int kcap_snapshot_add(kcap_snapshot *s, const kcap_proc *p);
size_t kcap_snapshot_count(const kcap_snapshot *s);
const kcap_proc *kcap_snapshot_at(const kcap_snapshot *s, size_t i);
/* Adds src's processes to dst, each replacing dst's process of the same pid,
 * and src's user and group names. Returns 0, KCAP_E_INVAL or KCAP_E_NOMEM. */
int kcap_snapshot_update(kcap_snapshot *dst, const kcap_snapshot *src);
/* Reads /proc into s (Linux; KCAP_E_UNSUPPORTED elsewhere). */
int kcap_snapshot_fill_host(kcap_snapshot *s);

/* The recording host's user and group names, carried by its snapshot so
 * that renderings can show uid=0(root) without asking the reading host
 * (whose names may differ). Ids are uids for KCAP_NAMES_USER, gids for
 * KCAP_NAMES_GROUP. */
enum { KCAP_NAMES_USER = 0, KCAP_NAMES_GROUP = 1, KCAP_NAMES_KINDS_ };
#define KCAP_NAME_MAX 256 /* longer names are not recorded */
/* Sets (or replaces) the name of id; copies name. */
int kcap_snapshot_set_name(kcap_snapshot *s, int kind, uint32_t id, const char *name);
/* The name of id, or NULL when the snapshot has none (s may be NULL). */
const char *kcap_snapshot_name(const kcap_snapshot *s, int kind, uint32_t id);
/* Iteration in ascending id order; kcap_snapshot_name_at() returns 0 past the end. */
size_t kcap_snapshot_name_count(const kcap_snapshot *s, int kind);
int kcap_snapshot_name_at(const kcap_snapshot *s, int kind, size_t i, uint32_t *id, const char **name);
/* Reads the names of a passwd and a group file (NULL: /etc/passwd,
 * /etc/group) into s; the first line of an id wins. Returns 0, KCAP_E_IO if
 * a file could not be opened (the other is still read), or KCAP_E_NOMEM. */
int kcap_snapshot_fill_names(kcap_snapshot *s, const char *passwd, const char *group);

/* ---- stats ------------------------------------------------------------- */

/* One loss counter: free-running totals for (origin, source, cpu). A later
 * value for the same key supersedes an earlier one. cpu = UINT32_MAX means
 * "not per CPU". */
typedef struct kcap_stat {
	uint16_t origin;
	uint32_t cpu;
	const char *source; /* "ringbuf", "audit-kernel", "audit-serial-gap", ... */
	uint64_t seen;
	uint64_t lost;
} kcap_stat;

/* ---- events ------------------------------------------------------------ */

#define KCAP_MAX_PARAMS 64 /* per event type */

/*
 * A decoded event. Produced by the reader (all pointers borrowed, valid until
 * the next kcap_reader_next*) or built by the caller for kcap_writer_write()
 * (the writer copies what it needs).
 */
typedef struct kcap_event {
	uint64_t seq;
	int64_t ts;        /* ns since the epoch, UTC */
	int32_t pid, tid, ppid;
	uint32_t cpu;
	uint32_t uid, gid;
	uint32_t type_id;
	uint16_t origin;   /* which kcap_meta this event came from */
	uint16_t comm_len;
	const char *comm;  /* not NUL-terminated */
	uint32_t nparams;
	kcap_value *params; /* nparams entries, in schema order */
	/* Reader-filled conveniences (ignored by the writer): */
	const kcap_type_def *def;  /* the event's type in the schema; never NULL from the
	                            * reader, which reports an event of a type the schema
	                            * does not define as damage and does not deliver it */
	const kcap_meta *meta;     /* metadata of the origin, or NULL */
	const kcap_snapshot *snapshot; /* the snapshot describing the origin (for its
	                                * user and group names), or NULL */
} kcap_event;

/* ---- block summaries (for skipping) ------------------------------------ */

/* What the index (and each events block's header) says about a block. The
 * type set covers ids < 256 exactly; types_overflow=1 means ids >= 256 may be
 * present. The pid Bloom filter holds every event's pid. */
typedef struct kcap_block_summary {
	int64_t offset;        /* of the block in its file (absolute) */
	uint32_t count;
	uint32_t counts_len;   /* bytes at counts (0 = none) */
	int64_t first_ts, last_ts;  /* min and max ts in the block */
	uint64_t first_seq, last_seq;
	uint32_t raw_size;     /* uncompressed body size */
	uint32_t stored_size;  /* block size on disk */
	uint8_t codec;
	uint8_t ordered;       /* events within the block are in (ts, seq) order */
	uint8_t types_overflow;
	uint8_t types[32];     /* bit i set: type id i is present */
	int32_t pid_min, pid_max;
	uint32_t bloom_bits;   /* size of bloom in bits (power of two), 0 = none */
	const uint8_t *bloom;
	/* The block's counts (format 1.4, FORMAT.md "Events block"): events per
	 * type and per origin, the first and last event's (ts, seq). NULL when
	 * the block has none (written before 1.4, or whose counts do not add up
	 * to its event count, or narrowed to the part of a cut block present):
	 * then only the fields above are known. Read with kcap_summary_counts. */
	const uint8_t *counts;
} kcap_block_summary;

/* 1 if the block may contain an event with this pid, 0 if it cannot. */
int kcap_summary_may_have_pid(const kcap_block_summary *s, int32_t pid);
/* 1 if the block may contain an event of this type id. */
int kcap_summary_may_have_type(const kcap_block_summary *s, uint32_t type_id);

/* The exact counts of a block's summary (format 1.4), decoded. */
typedef struct kcap_block_counts {
	size_t ntypes, norigins;
	uint32_t *type_id;   /* ascending */
	uint32_t *type_n;    /* events of type_id[i]; they add up to the block's count */
	uint16_t *origin;    /* ascending */
	uint32_t *origin_n;
	int64_t end_ts;      /* ts of the block's last event (in file order) */
	uint64_t start_seq, end_seq; /* seq of its first and last event */
	size_t cap_types, cap_origins; /* of the arrays (reused across calls) */
} kcap_block_counts;
/* Decodes the counts of s into c (whose arrays grow as needed; zero it
 * before the first call, kcap_block_counts_free it after the last): 1 with c
 * filled, 0 when s holds no counts, KCAP_E_NOMEM. */
int kcap_summary_counts(const kcap_block_summary *s, kcap_block_counts *c);
void kcap_block_counts_free(kcap_block_counts *c);

/* ---- writer ------------------------------------------------------------ */

typedef struct kcap_writer kcap_writer;

enum { KCAP_CODEC_NONE = 0, KCAP_CODEC_ZSTD = 1 };

typedef struct kcap_writer_opts {
	uint32_t block_size;   /* uncompressed bytes per events block; 0 = default (1 MiB) */
	int level;             /* zstd level; 0 = default (1: see docs/PERFORMANCE.md) */
	uint8_t codec;         /* KCAP_CODEC_*; default ZSTD (set codec_set=1 to force NONE) */
	uint8_t codec_set;
	int64_t flush_age_ns;  /* flush a partial block once its first event is older
	                          than this (checked on write and kcap_writer_tick); 0 = never */
} kcap_writer_opts;

/* Opens a writer on a path (created/truncated, mode 0644) or on an fd (not
 * closed by kcap_writer_close unless own_fd). opts may be NULL. Writes the
 * section header at once. A writer never seeks, so it works on pipes. */
int kcap_writer_open_path(kcap_writer **w, const char *path, const kcap_writer_opts *opts, kcap_error *err);
int kcap_writer_open_fd(kcap_writer **w, int fd, int own_fd, const kcap_writer_opts *opts, kcap_error *err);

/* Declares an origin's metadata (copied). Origins are numbered from 0 in the
 * order added; returns the origin id (>= 0) or a negative error. Must come
 * before events of that origin. A section holds at most 65536 origins
 * (0..65535): the next one is refused with KCAP_E_INVAL. */
int kcap_writer_add_meta(kcap_writer *w, const kcap_meta *m);
/* Sets (merges) the schema; may be called again later to add types. A
 * section's schema holds at most 65536 types: a merge past that is refused
 * whole with KCAP_E_INVAL. */
int kcap_writer_set_schema(kcap_writer *w, const kcap_schema *s);
/* Process snapshots (copied; written before the next events block, or at
 * close). kcap_writer_add_snapshot() gives the section's snapshot without an
 * origin (a snapshot block, type 3, as every kcap before format 1.1 wrote):
 * readers apply it to every origin of the section that has no snapshot of
 * its own, which is right for a capture of one host.
 * kcap_writer_add_origin_snapshot() gives the snapshot of one origin (an
 * origin snapshot block, type 8): use it when a section holds origins of
 * several hosts (kcap merge), whose pids are different process spaces. The
 * origin need not have metadata yet. Calling either again before the block
 * is written replaces the pending snapshot (of that origin); a later one
 * replaces the earlier for readers too. A new section starts without any.
 * Return 0, KCAP_E_INVAL (NULL argument) or KCAP_E_NOMEM. */
int kcap_writer_add_snapshot(kcap_writer *w, const kcap_snapshot *s);
int kcap_writer_add_origin_snapshot(kcap_writer *w, uint16_t origin, const kcap_snapshot *s);
/* A snapshot update (format 1.2, block type 9): processes of origin that
 * become known in the middle of a section, as they are at this point of the
 * stream. It is written before the next events block, after any pending
 * snapshot, and applies from that block on: readers add its processes to the
 * origin's snapshot (replacing those of the same pid), and the process
 * tracker takes them as they are before the block's first event. To make it
 * apply from a given event, flush (kcap_writer_flush) before adding it.
 * Several updates before one events block apply in the order given.
 * Returns 0, KCAP_E_INVAL (NULL argument) or KCAP_E_NOMEM. */
int kcap_writer_add_snapshot_update(kcap_writer *w, uint16_t origin, const kcap_snapshot *s);
/* Records free-running loss counters; written in a stats block at the next
 * flush and at close. */
int kcap_writer_set_stat(kcap_writer *w, const kcap_stat *st);
/* Appends an event. Its type must be in the schema and nparams must equal the
 * type's param count. Out-of-order events (ts, then seq) are accepted: the
 * file is then marked unordered. */
int kcap_writer_write(kcap_writer *w, const kcap_event *ev);
/* Flushes the current events block (if any) to the output. */
int kcap_writer_flush(kcap_writer *w);
/* Flushes if the open block is older than flush_age_ns at time now_ns. */
int kcap_writer_tick(kcap_writer *w, int64_t now_ns);
/* Ends the current section (index + footer) and begins a new one: new
 * metadata, schema and origins may follow. Used to concatenate captures. */
int kcap_writer_new_section(kcap_writer *w);
/* Copies a raw events block read by kcap_reader_next_raw_block() into the
 * current section without recompressing it. The block must have been
 * produced under a schema and origin numbering identical to this section's.
 * With sum NULL, copies a block of unknown type verbatim (not indexed). */
int kcap_writer_copy_block(kcap_writer *w, const void *block, size_t len, const kcap_block_summary *sum);
/* Bytes written so far (for rotation) and events written. */
uint64_t kcap_writer_bytes(const kcap_writer *w);
uint64_t kcap_writer_events(const kcap_writer *w);
/* Details of the last error on this writer. */
const kcap_error *kcap_writer_error(const kcap_writer *w);
/* Flushes, writes stats, index and footer, closes. Returns the first error
 * met during the writer's life or at close (0 when all was written). Frees w
 * in every case. NULL is a no-op. */
int kcap_writer_close(kcap_writer *w);

/* ---- reader ------------------------------------------------------------ */

typedef struct kcap_reader kcap_reader;

/* Called for each damaged region the reader steps over. code is a KCAP_E_*;
 * err->offset is where the damage starts; skipped is the number of bytes
 * passed over before the next intact structure (or to EOF). */
typedef void (*kcap_damage_fn)(void *ud, const kcap_error *err, uint64_t skipped);

/* Return 0 to skip the block without decompressing it, 1 to read it. */
typedef int (*kcap_block_filter_fn)(void *ud, const kcap_block_summary *sum);

/* Called with an event whose canonical fields, type id, def and meta are
 * decoded but whose params are not (params NULL, nparams 0). Return 0 to drop
 * the event without decoding its params (it is not delivered, and its params
 * are not checked), 1 to decode and deliver it. See kcap_filter_match_head. */
typedef int (*kcap_event_filter_fn)(void *ud, const kcap_event *head);

/* Opens a reader. name is used only in error messages (may be NULL).
 * open_fd does not close fd unless own_fd. open_mem does not copy: buf must
 * outlive the reader. On a seekable input with a footer, the index is loaded
 * lazily for seeks. Fails with KCAP_E_FORMAT/KCAP_E_VERSION/KCAP_E_IO/
 * KCAP_E_TRUNCATED when the start of the input is not a readable kcap
 * header. */
int kcap_reader_open_path(kcap_reader **r, const char *path, kcap_error *err);
int kcap_reader_open_fd(kcap_reader **r, int fd, int own_fd, const char *name, kcap_error *err);
int kcap_reader_open_mem(kcap_reader **r, const void *buf, size_t len, const char *name, kcap_error *err);
void kcap_reader_close(kcap_reader *r);

void kcap_reader_set_damage_cb(kcap_reader *r, kcap_damage_fn fn, void *ud);
/* Called when the reader is about to wait for an input that has nothing more
 * to read for now (a pipe, socket or terminal; never a regular file or a
 * buffer), so that a tool can render what it holds: a live pipeline then
 * shows each event as soon as its block arrives. waited_ms is how long this
 * wait has lasted so far (0 on the first call). Returns how many more
 * milliseconds to wait for input before it is called again, or a negative
 * value to wait for input without being called again. fn NULL removes it. */
typedef int (*kcap_idle_fn)(void *ud, int64_t waited_ms);
void kcap_reader_set_idle_cb(kcap_reader *r, kcap_idle_fn fn, void *ud);
void kcap_reader_set_block_filter(kcap_reader *r, kcap_block_filter_fn fn, void *ud);
/* Applies to kcap_reader_next() (kcap_reader_next_record() delivers every
 * event). fn NULL removes it. Dropped events still count for the ordering
 * check and in kcap_reader_stats.events_dropped. */
void kcap_reader_set_event_filter(kcap_reader *r, kcap_event_filter_fn fn, void *ud);

/* Reads ahead on n threads (0 or 1: none, the default): while the caller
 * reads the events of one block, worker threads read, check (CRC) and
 * decompress the next events blocks, at most 2 per thread in flight. Events, their order, damage reports, stats and every other call
 * give exactly what one thread gives; callbacks (damage, filters, observer)
 * are called on the caller's thread only. Applies to regular files and
 * buffers; an input read as a stream (pipe, terminal, socket) is read on
 * the caller's thread alone, and so returns 0 with nothing started. Call it
 * before reading; n is capped at 64. Returns 0 or KCAP_E_NOMEM. */
int kcap_reader_set_threads(kcap_reader *r, unsigned n);

/* Next event: 1 with *ev set, 0 at end of input, or a negative error that
 * ends reading (I/O error, newer major version). Damage that can be stepped
 * over is reported through the damage callback and counted, not returned.
 * From an events block cut short by the end of the input (or by the next
 * section's header), the complete records at the start of the part present
 * are delivered (FORMAT.md "Robustness rules for readers"); the damage
 * report says how many, and that the block's CRC does not cover them. */
int kcap_reader_next(kcap_reader *r, const kcap_event **ev);

/* Positions the reader at the first event with ts >= ts_ns. Uses the index
 * when the input is seekable and indexed (O(log blocks)), otherwise reads
 * forward, skipping whole blocks by their headers. */
int kcap_reader_seek_time(kcap_reader *r, int64_t ts_ns);

/* Reads the next events block as raw bytes (for copying): 1 with *block, *len
 * and *sum set (borrowed until the next call), 0 at end. Known non-events
 * blocks are consumed and applied (schema, metadata, ...) in passing. A block
 * of a type this library does not know is returned too when its COPY flag
 * asks rewriting tools to keep it: then *sum is NULL. A section change is
 * reported by the section counter.
 *
 * An events block cut short (the input ends, or the next section begins,
 * inside it) is never returned as bytes: when the part present holds events
 * (recovered as kcap_reader_next() recovers them, and reported through the
 * damage callback), KCAP_RAW_EVENTS is returned with *block NULL, *len 0 and
 * *sum NULL; read those events with kcap_reader_next() or
 * kcap_reader_next_record() while kcap_reader_block_events_left() is not 0,
 * and write them as events or records, before calling this again (which
 * drops any left). An events block whose records do not all decode (its
 * CRC valid) is never returned as bytes either: the damage is reported as
 * kcap_reader_next() reports it, and the events before the malformed record
 * are given the same way (KCAP_RAW_EVENTS), and so is a block holding
 * events of types the schema does not define (a schema block lost): those
 * are reported and not delivered. While kcap_reader_block_events_left() is
 * not 0, each call delivers an event of the block; the count may drop by
 * more than one, past events of undefined types. */
#define KCAP_RAW_EVENTS 2
int kcap_reader_next_raw_block(kcap_reader *r, const void **block, size_t *len, const kcap_block_summary *sum_out[]);

/* Events of the current events block not yet read (delivered, dropped by
 * the event filter or passed by a seek); 0 before the first block, at its
 * end and for NULL. */
uint32_t kcap_reader_block_events_left(const kcap_reader *r);

/* State. Pointers are owned by the reader and valid until it is closed (the
 * schema may grow as schema blocks are read). */
const kcap_schema *kcap_reader_schema(const kcap_reader *r);
size_t kcap_reader_origin_count(const kcap_reader *r);
const kcap_meta *kcap_reader_meta(const kcap_reader *r, uint16_t origin);
/* Process snapshots of the current section. kcap_reader_snapshot() is the
 * section's snapshot without an origin (type 3 block), which describes every
 * origin that has no snapshot of its own; kcap_reader_origin_snapshot() is
 * the snapshot written for one origin (type 8 block, format 1.1), NULL when
 * the section has none for it; kcap_reader_snapshot_for() is what describes
 * an origin's processes: its own snapshot, else the section's, else NULL.
 * Origins with a snapshot of their own are below
 * kcap_reader_origin_snapshot_count() (which may exceed
 * kcap_reader_origin_count() if a snapshot names an origin without
 * metadata). Owned by the reader, unlike the other state above only until
 * a later snapshot of the same kind (and origin) is read, the next section
 * begins or the reader is closed: copy what must outlive that. */
const kcap_snapshot *kcap_reader_snapshot(const kcap_reader *r);
const kcap_snapshot *kcap_reader_origin_snapshot(const kcap_reader *r, uint16_t origin);
const kcap_snapshot *kcap_reader_snapshot_for(const kcap_reader *r, uint16_t origin);
size_t kcap_reader_origin_snapshot_count(const kcap_reader *r);
/* Snapshot updates (type 9 blocks, format 1.2) are added to the origin's
 * snapshot above as they are read (an origin without a snapshot of its own
 * gets one: the section's, updated). kcap_reader_update_gen() counts the
 * updates read in the whole stream; kcap_reader_update() gives update g (1 to
 * that count) and its origin, as long as the reader holds it: the updates
 * read since the last events block (a consumer that looks at every event,
 * or every block, sees them all); NULL when no longer held. */
uint64_t kcap_reader_update_gen(const kcap_reader *r);
const kcap_snapshot *kcap_reader_update(const kcap_reader *r, uint64_t g, uint16_t *origin);
size_t kcap_reader_stat_count(const kcap_reader *r);
const kcap_stat *kcap_reader_stat_at(const kcap_reader *r, size_t i);
/* Section number (0-based) of the input currently being read; it changes
 * when a concatenated capture's next section begins. */
uint32_t kcap_reader_section(const kcap_reader *r);
/* Version of the current section. */
void kcap_reader_version(const kcap_reader *r, uint16_t *major, uint16_t *minor);

/* Loads the index of every section (seekable inputs with footers only).
 * Returns the number of index entries, 0 if the input has no index, or a
 * negative error. */
int kcap_reader_load_index(kcap_reader *r);
size_t kcap_reader_index_count(const kcap_reader *r);
/* Bytes the loaded index holds in memory (entries, their Bloom filters and
 * counts, context lists), as counted against KCAP_MAX_INDEX_MEM. */
size_t kcap_reader_index_bytes(const kcap_reader *r);
const kcap_block_summary *kcap_reader_index_at(const kcap_reader *r, size_t i);

/* Counters. */
typedef struct kcap_reader_stats {
	uint64_t events;          /* events delivered */
	uint64_t blocks;          /* events blocks seen */
	uint64_t blocks_decoded;  /* events blocks decompressed and decoded */
	uint64_t blocks_skipped;  /* events blocks skipped by the block filter or a seek */
	uint64_t bytes;           /* bytes consumed from the input */
	uint64_t raw_bytes;       /* uncompressed bytes of events blocks seen */
	uint64_t damaged;         /* damaged regions stepped over */
	uint64_t damaged_bytes;
	uint64_t unordered;       /* events that went back in (ts, seq) order; a block skipped
	                           * whose summary has counts (1.4) adds 1 when it is out of
	                           * order inside or against the event before it */
	uint64_t unknown_blocks;  /* blocks of unknown type skipped */
	uint32_t sections;
	uint8_t indexed;          /* every section read so far had an index */
	uint8_t has_footer;
	uint64_t events_dropped;  /* events the event filter dropped (not in events) */
	uint64_t blocks_by_index; /* of blocks_skipped: passed over by their index entry, never read */
	uint64_t blocks_by_body;  /* of blocks_skipped: decompressed, then passed over by the body
	                           * filter (kcap_reader_set_body_filter) without a record decoded */
} kcap_reader_stats;
const kcap_reader_stats *kcap_reader_get_stats(const kcap_reader *r);
/* Details of the last error. */
const kcap_error *kcap_reader_error(const kcap_reader *r);
/* Name given at open (or "-"). */
const char *kcap_reader_name(const kcap_reader *r);

/* ---- experimental API ------------------------------------------------- */

/*
 * Visible only with KCAP_EXPERIMENTAL_API defined before this header, as
 * zstd's ZSTD_STATIC_LINKING_ONLY. What is here may change, or go, between
 * minor versions: a program that uses it builds against the exact libkcap
 * version it was written for (it is linked statically anyway). kcap's own
 * tools and tests define it; an installed consumer does not see it.
 */
#ifdef KCAP_EXPERIMENTAL_API

/*
 * An event's record as stored, for tools that copy events without decoding
 * their params (kcap merge). Only the start of a record depends on where it
 * is written (the type id, the origin, the ts and seq deltas against the
 * previous event of its block); the tail after them (pid, tid, ppid, cpu,
 * uid, gid, comm, the absent-param bitmap and the params) does not, so it is
 * copied as is from kcap_reader_next_record() to kcap_writer_write_record()
 * whenever the type's params have the same types in the same order on both
 * sides (kcap_type_def_same_layout).
 */
typedef struct kcap_record {
	const uint8_t *tail; /* borrowed: pid ... last param (docs/FORMAT.md "Events block") */
	size_t len;          /* bytes at tail */
	uint8_t absent;      /* 1: the tail holds the absent-param bitmap */
} kcap_record;

/* 1 if records of type a can be read as records of type b: the same number
 * of params with the same kcap_ptype in the same order (names, flags and
 * symbol sets may differ). 0 otherwise or if either is NULL. */
int kcap_type_def_same_layout(const kcap_type_def *a, const kcap_type_def *b);

/* Appends an event given as a record tail read by kcap_reader_next_record()
 * (or built as docs/FORMAT.md says), without decoding it: ev gives the type
 * id, origin, ts and seq (its other fields are ignored: pid and the rest are
 * in the tail, which is copied as is). The caller guarantees that the
 * record's type, in the schema it was read under, has the layout of type
 * ev->type_id in this writer's schema (kcap_type_def_same_layout); else the
 * output holds malformed records. The block summary (ts and seq ranges, type
 * set, pid Bloom filter) and the ordering flags are kept as by
 * kcap_writer_write(), whose bytes the result equals for tails in canonical
 * form (minimal varints, as every kcap writer produces). Returns 0,
 * KCAP_E_INVAL (type not in the schema, origin without metadata, a tail that
 * does not start with a pid varint; nothing is written) or the writer's
 * sticky write error. */
int kcap_writer_write_record(kcap_writer *w, const kcap_event *ev, const kcap_record *rec);

/* Encodes ev, whose params follow def, as a record tail for
 * kcap_writer_write_record(): appends it to b and points rec into b (valid
 * until b next changes). The result written equals kcap_writer_write(ev).
 * For holding many events compactly (an importer's reorder window holds the
 * few bytes of each record, not the event and its values). Returns 0,
 * KCAP_E_INVAL (ev does not fit def, or what kcap_writer_write() refuses in
 * its params) or KCAP_E_NOMEM. */
typedef struct kcap_buf kcap_buf;
int kcap_record_encode(kcap_buf *b, const kcap_event *ev, const kcap_type_def *def, kcap_record *rec);

/* Next event as a record, for copying it (kcap_writer_write_record): like
 * kcap_reader_next() (same blocks, damage reports, counters, seeks; the two
 * may be mixed), but *ev holds the canonical fields, type id, origin, def
 * and meta only (nparams 0, params NULL) and *rec the record's tail. The
 * params are checked to be well formed for the type, as kcap_reader_next()
 * checks them (a malformed record ends its block, reported with the block's
 * offset), but not decoded. When the type is not in the schema (ev->def
 * NULL) the tail runs to the record's end unchecked and must not be written.
 * Both are borrowed until the next kcap_reader_next* call. */
int kcap_reader_next_record(kcap_reader *r, const kcap_event **ev, kcap_record *rec);

/* ---- evidence: the block walk, verify, recover, seal ----
 * docs/FORENSICS.md says what each check proves and what it does not. */

/* A structure the reader's walk meets, for checks over the file's own
 * bytes (verify, seal). status: */
enum {
	KCAP_BLOCK_OK = 0,        /* a block whose header check and CRC hold */
	KCAP_BLOCK_BAD_CRC = 1,   /* a whole block whose CRC fails (its header check holds) */
	KCAP_BLOCK_CUT = 2,       /* a block cut short: len bytes of it present */
	KCAP_BLOCK_SECTION = 3,   /* a section header (16 bytes; type 0) */
};
typedef struct kcap_block_info {
	uint64_t offset;        /* absolute, in the input */
	uint64_t section_start; /* absolute offset of its section's header */
	uint32_t section;       /* section number, from 0 */
	uint16_t type, flags;   /* block type and flags (0 for a section header) */
	int status;             /* KCAP_BLOCK_* */
	const uint8_t *bytes;   /* the structure's bytes, borrowed for the call */
	size_t len;
} kcap_block_info;
typedef void (*kcap_block_fn)(void *ud, const kcap_block_info *b);
/* Called for every section header and every block the walk frames, in
 * order, before it is used (so blocks passed by an index skip are not
 * seen: use it without a block filter). NULL removes it. */
void kcap_reader_set_block_observer(kcap_reader *r, kcap_block_fn fn, void *ud);
/* on 1: an events block whose CRC fails but whose body decodes to well
 * formed records is read (its records up to the first that does not
 * decode), and its damage report says so; its events are unverified. */
void kcap_reader_set_ignore_crc(kcap_reader *r, int on);
/* 1 when the event last read is unverified: its block failed its CRC and
 * was read by kcap_reader_set_ignore_crc, or was written by kcap recover
 * --ignore-crc (block flag UNVERIFIED, format 1.3). */
int kcap_reader_event_unverified(const kcap_reader *r);
/* on 1: the events written from now on go into events blocks flagged
 * UNVERIFIED (the block being filled is flushed when this changes). */
int kcap_writer_set_unverified(kcap_writer *w, int on);

/* One damaged region of a verified input. */
typedef struct kcap_verify_region {
	int64_t offset;           /* where it starts, absolute in the input */
	uint64_t bytes;           /* bytes passed over (0: a structure that lies, its bytes read) */
	int code;                 /* KCAP_E_CORRUPT, KCAP_E_TRUNCATED */
	uint32_t section;
	int64_t events_lost;      /* events its blocks held that cannot be read, -1 unknown (a block
	                             header's claim: not covered by a CRC that held) */
	uint64_t events_recovered;/* events read from it all the same (a block cut short) */
	char what[256];           /* what is wrong, one line */
} kcap_verify_region;

/* What verify found in one input. */
typedef struct kcap_verify_report {
	uint64_t bytes, sections, blocks, events_blocks;
	uint64_t events;          /* events read: what kcap recover keeps */
	uint64_t events_lost;     /* known lost (sum of the regions' known counts) */
	uint64_t unknown_loss;    /* regions whose loss is not known */
	uint64_t unverified_events, unverified_blocks; /* flagged UNVERIFIED */
	uint64_t footers;         /* sections that end with an index and footer */
	uint64_t unordered;       /* events out of (ts, seq) order */
	int recovered;            /* the metadata says the file came from kcap recover */
	char recovered_from[256];
	kcap_verify_region *regions;
	size_t nregions;
	/* seal (filled when a seal check was asked: kcap_verify_opts.seal) */
	int sealed;               /* seal blocks were found */
	uint64_t seals, seals_bad;
	uint64_t sealed_bytes;    /* bytes covered from the start of the input */
	uint64_t sealed_blocks, unsealed_blocks;
	int seal_final;           /* every section's last seal covers its index and footer */
	int seal_key_match;       /* every seal is by the key asked for (1), or none was asked (-1) */
	char seal_key_id[20];     /* hex of the first 8 bytes of SHA-256(public key) of the seals */
	char **seal_faults;       /* one line each: the block named */
	size_t nseal_faults;
	int seal_unchecked;       /* seal blocks were found but could not be checked:
	                           * libcrypto is absent (kcap_seal_available() 0) */
	/* what the capture holds, for manifests (kcap bundle) */
	char **hosts, **sources;  /* distinct metadata hostname and source values */
	size_t nhosts, nsources;
	int64_t first_ts, last_ts;/* over the intact events blocks (0 when none) */
	uint64_t lost;            /* the loss counters' lost, summed */
} kcap_verify_report;

typedef struct kcap_verify_opts {
	int seal;                  /* check seal blocks (needs libcrypto: KCAP_E_UNSUPPORTED without) */
	const uint8_t *key;        /* 32-byte Ed25519 public key the seals must be by; NULL: any */
} kcap_verify_opts;

/* Reads r to its end checking everything (docs/FORENSICS.md "verify"):
 * every block's header check and CRC, that every events block decodes,
 * each index against the blocks before it, each footer against its
 * section, that every section ends with an index and footer, and (opts
 * seal) the seal blocks against the file's bytes. Never stops at the first
 * fault. r must be fresh, with no block or event filter; its damage
 * callback is replaced for the call. Returns 0 (the report is filled: its
 * regions say whether the input is damaged), or a negative error that
 * ended reading (I/O, out of memory; the report holds what came before). */
int kcap_verify(kcap_reader *r, const kcap_verify_opts *opts, kcap_verify_report *rep);
/* Frees what the report holds (not the report). NULL is a no-op. */
void kcap_verify_report_free(kcap_verify_report *rep);

/* SHA-256, incremental (libcrypto; NULL from _new without it). */
typedef struct kcap_sha256 kcap_sha256;
kcap_sha256 *kcap_sha256_new(void);
void kcap_sha256_update(kcap_sha256 *h, const void *p, size_t n);
/* The digest; h is freed. */
void kcap_sha256_final(kcap_sha256 *h, uint8_t out[32]);

/* ---- seal keys (Ed25519, OpenSSL's libcrypto; docs/FORENSICS.md) ---- */
typedef struct kcap_seal_key kcap_seal_key;
/* 1 when sealing and SHA-256 work: this libkcap was built with libcrypto
 * (OpenSSL 3) and can load it (it is opened at first use, not linked). */
int kcap_seal_available(void);
/* Why kcap_seal_available() is 0, one line ("this kcap was built without
 * libcrypto", or why libcrypto could not be loaded); NULL when it is 1.
 * A static string. */
const char *kcap_seal_unavailable_why(void);
/* A new key pair, written as PEM: secret to path (created mode 0600, never
 * over an existing file), public to pub_path (0644). */
int kcap_seal_keygen(const char *path, const char *pub_path, kcap_error *err);
/* Loads a secret key (PEM PKCS#8, as kcap_seal_keygen writes it). */
int kcap_seal_key_load(kcap_seal_key **k, const char *path, kcap_error *err);
void kcap_seal_key_free(kcap_seal_key *k);
/* Loads a public key (PEM SubjectPublicKeyInfo) as its 32 raw bytes. */
int kcap_seal_pubkey_load(const char *path, uint8_t pub[32], kcap_error *err);
/* The writer seals what it writes with k (borrowed until the writer is
 * closed): a seal block at every kcap_writer_flush() and at the end of each
 * section, over the SHA-256 of every block before it (docs/FORMAT.md "Seal
 * block"). Call before the first event. */
int kcap_writer_set_seal(kcap_writer *w, const kcap_seal_key *k);

/* Called with the records of an events block (docs/FORMAT.md "Events
 * block"), decompressed and checked (CRC), before any of them is decoded;
 * only for a block the block filter let through. Return 0 to skip the block
 * as the block filter does (its events are neither decoded, checked nor
 * delivered; it counts in blocks_skipped and blocks_by_body), 1 to read its
 * events. records is borrowed for the call. Called on the caller's thread.
 * See kcap_filter_body_may_match. fn NULL removes it. */
typedef int (*kcap_body_filter_fn)(void *ud, const kcap_block_summary *sum, const uint8_t *records, size_t len);
void kcap_reader_set_body_filter(kcap_reader *r, kcap_body_filter_fn fn, void *ud);

/* Render flags of the filter layer. */
enum {
	KCAP_RENDER_NO_PROC = 1, /* do not add the "proc" object */
};

#endif /* KCAP_EXPERIMENTAL_API */

/* ---- event access and rendering ---------------------------------------- */

/* Param of ev by name, or NULL. */
const kcap_value *kcap_event_param(const kcap_event *ev, const char *name);

/* Growable output buffer used by renderers. Free with kcap_buf_free(). */
typedef struct kcap_buf {
	char *data;
	size_t len, cap;
} kcap_buf;
void kcap_buf_free(kcap_buf *b);
int kcap_buf_reserve(kcap_buf *b, size_t extra);
int kcap_buf_append(kcap_buf *b, const void *p, size_t n);

/* Render one param value as text into b (symbolic flags, dotted IPs, ...). */
int kcap_render_value(kcap_buf *b, const kcap_value *v, const kcap_schema *s, const kcap_param_def *def);

/* Appends one event as a JSON object plus '\n'. Integers are exact. Keys:
 * seq, ts, time, pid, tid, ppid, cpu, uid, gid, user and group (the names
 * of ev->snapshot for uid and gid, each only when it has one), comm, type,
 * category, host, source (when the event's origin has metadata), params{...}. */
int kcap_render_json(kcap_buf *b, const kcap_event *ev, const kcap_schema *s);
/* Appends one line of human-readable text plus '\n': always one line per
 * event. Control bytes in strings, paths, comm and argv are written as C
 * escapes (\n \t \r \xHH); argv elements are separated by spaces, and one
 * that is empty or holds a space or a quote is single-quoted (\' inside).
 * Some values are in readable forms (docs/CLI.md "Text and CSV values"):
 * ret=-2 (ENOENT), addresses in hex, AT_FDCWD, flags of 0 as 0,
 * unix:PATH, netlink:pid=P,groups=G, uid=0(root) from ev->snapshot. */
int kcap_render_text(kcap_buf *b, const kcap_event *ev, const kcap_schema *s);
/* Appends the n bytes at p as text for a terminal or a log line: control
 * bytes (< 0x20 and 0x7f) as C escapes (\n \t \r \xHH), the rest as is.
 * For strings that come from a capture (metadata, names) and are printed
 * outside kcap_render_text. Returns 0 or KCAP_E_NOMEM. */
int kcap_text_escape(kcap_buf *b, const void *p, size_t n);
/* CSV per RFC 4180. fields is a NULL-terminated list of field names (any name
 * accepted by kcap_event_field), or NULL for the default set. Params are
 * in their kcap_render_text forms; control bytes are escaped as there in
 * every cell, so a record is one line. */
int kcap_render_csv_header(kcap_buf *b, const char *const *fields);
int kcap_render_csv(kcap_buf *b, const kcap_event *ev, const kcap_schema *s, const char *const *fields);
/* Appends s[0, n) as one CSV cell, as kcap_render_csv writes cells: control
 * bytes escaped, quoted when it holds a comma or a quote. 0 or KCAP_E_NOMEM. */
int kcap_csv_escape(kcap_buf *b, const char *s, size_t n);
/* Text of a field by name: canonical fields (seq ts time pid tid ppid cpu uid
 * gid comm type category host source), params by name, or params.NAME.
 * Returns 1 if found (rendered into b), 0 if the event has no such field. */
int kcap_event_field_text(kcap_buf *b, const kcap_event *ev, const kcap_schema *s, const char *name);

/* Formats ns since the epoch as RFC 3339 UTC with 9 fraction digits into
 * out (at least 32 bytes). Returns the length. */
int kcap_format_time(char *out, int64_t ts_ns);

/* How text and CSV write an event's time; JSON always writes UTC. Modes
 * are tshark's -t a, r and d. */
enum {
	KCAP_TIMES_ABSOLUTE = 0, /* RFC 3339: UTC (...Z), or local with its offset (...+05:30) */
	KCAP_TIMES_RELATIVE = 1, /* seconds since the first event rendered: 1.250000000 */
	KCAP_TIMES_DELTA = 2,    /* seconds since the previous event rendered (0 for the first) */
};
typedef struct kcap_time_style {
	int mode;  /* KCAP_TIMES_* */
	int local; /* absolute times in the local zone (TZ, localtime_r) */
	/* kept by the renderers, zero before the first event */
	int started;
	int64_t first, prev;
} kcap_time_style;
/* Room for any time text, NUL included. */
#define KCAP_TIME_TEXT_MAX 48
/* Formats ts as st says into out (KCAP_TIME_TEXT_MAX bytes), and moves st
 * on to ts (relative and delta times); st NULL is UTC. Returns the length. */
int kcap_format_time_style(char *out, int64_t ts_ns, kcap_time_style *st);
/* kcap_render_text and kcap_render_csv (its "time" column) with times as
 * st says; NULL is UTC, as they write them. */
int kcap_render_text_style(kcap_buf *b, const kcap_event *ev, const kcap_schema *s, kcap_time_style *st);
int kcap_render_csv_style(kcap_buf *b, const kcap_event *ev, const kcap_schema *s, const char *const *fields,
                          kcap_time_style *st);

/* Appends the n bytes of s to b as one quoted JSON string, escaped as kcap's
 * JSON lines are: '"', '\\' and control bytes escaped (\n \t \r, others as
 * \u00XX), valid UTF-8 copied, each byte of invalid UTF-8 as \udcXX (so the
 * bytes can be told apart and the line stays valid JSON). s need not be
 * NUL-terminated and may hold NULs (\u0000). Returns 0, KCAP_E_NOMEM (b is
 * unchanged but may have grown), or KCAP_E_INVAL when n is too large to
 * escape in memory. */
int kcap_json_escape(kcap_buf *b, const char *s, size_t n);

/* ==== Holding and uniting events ========================================
 * For tools that keep events past the call that produced them (a reorder
 * window: merge --sort-window, record --reorder-window) and that unite the
 * schemas of several sources into one (merge). Core layer: libkcap's query
 * part is not needed. */

/* 1 when v's p and len hold bytes that belong to the value: a present STR,
 * PATH, BYTES, STRLIST, SID or JSON value, or a present SOCKADDR of family
 * KCAP_AF_UNIX or KCAP_AF_OTHER. This is the writer's rule: it reads p only
 * for those, and any other value may hold stale p/len (a reader reuses its
 * value arrays; a SOCKADDR of family INET keeps its address in addr[]). */
int kcap_value_has_bytes(const kcap_value *v);

/* Size of a deep copy of ev: the event, its nparams values, comm and the
 * bytes of every value with kcap_value_has_bytes. */
size_t kcap_event_copy_size(const kcap_event *ev);
/* Deep-copies ev into mem (kcap_event_copy_size(ev) bytes, aligned for a
 * kcap_event) and returns the copy, which points only into mem: comm and the
 * byte values are copied, p of every other value is NULL (a value with len
 * but no p keeps p NULL, which the writer refuses as ev's would be). def and
 * meta are kept as they are (they point into a schema and metadata the
 * caller owns). */
kcap_event *kcap_event_copy_to(void *mem, const kcap_event *ev);

/* A reorder window: deep copies of events, handed back oldest first.
 * Order: ts, then (with KCAP_REORDER_SEQ) seq, then the order of pushing.
 * Sources deliver events almost in order, so a push moves few entries; the
 * copies live in large chunks that are reused, not one allocation each. */
typedef struct kcap_reorder kcap_reorder;
enum { KCAP_REORDER_SEQ = 1 }; /* equal times are ordered by seq first */
/* Returns 0 or KCAP_E_NOMEM (*q is NULL then). flags: KCAP_REORDER_*. */
int kcap_reorder_new(kcap_reorder **q, unsigned flags);
/* Frees the window and every event in it. NULL is a no-op. */
void kcap_reorder_free(kcap_reorder *q);
/* Copies ev into the window (kcap_event_copy_to). Returns 0 or KCAP_E_NOMEM. */
int kcap_reorder_push(kcap_reorder *q, const kcap_event *ev);
/* Events held. */
size_t kcap_reorder_count(const kcap_reorder *q);
/* Bytes of the events held (their copies, kcap_event_copy_size each). */
size_t kcap_reorder_bytes(const kcap_reorder *q);
/* The largest ts pushed so far; INT64_MIN before the first push. */
int64_t kcap_reorder_max_ts(const kcap_reorder *q);
/* The oldest event held, or NULL when empty. Valid until the next push or pop. */
const kcap_event *kcap_reorder_peek(const kcap_reorder *q);
/* Takes out the oldest event when its ts <= limit (INT64_MAX: whatever
 * is held), else returns NULL. The event is the caller's to change (seq,
 * ids) until the next push, pop or free, which reclaims it. */
kcap_event *kcap_reorder_pop(kcap_reorder *q, int64_t limit);
/* Where an importer's window drains to: a writer, with events numbered in
 * the order written. Zero it, then set w, or write and ud to write each
 * event through write(ud, ev) instead of kcap_writer_write(w, ev) (an
 * importer whose window holds encoded records). */
typedef struct kcap_reorder_out {
	kcap_writer *w;
	int (*write)(void *ud, const kcap_event *ev);
	void *ud;
	uint64_t seq;       /* seq given to the last event written; 0 before the first */
	int64_t last_ts;    /* the newest ts written so far */
	uint64_t unordered; /* events written older than one written before them */
} kcap_reorder_out;
/* Writes the held events with ts <= limit to o->w, oldest first, then the
 * oldest ones while more than max_held stay (0: no bound); each gets seq
 * ++o->seq. Returns 0 or the writer's negative code (the event it refused
 * is taken out). */
int kcap_reorder_drain(kcap_reorder *q, int64_t limit, size_t max_held, kcap_reorder_out *o);

/* 1 when a and b are the same type, their ids aside: name, category (NULL
 * counts as ""), and each param's name, type, flags and symset id. */
int kcap_type_def_equal(const kcap_type_def *a, const kcap_type_def *b);
/* 1 when a and b are the same symbol set, their ids aside: kind, name and
 * every symbol (value, mask, name) in order. */
int kcap_symset_equal(const kcap_symset *a, const kcap_symset *b);
/* Unites set into dst by content, for a schema gathered from several
 * sources: when dst has an equal set (kcap_symset_equal) *id is its id and
 * 0 is returned; else set is added under its own id if dst has no set of that
 * id, otherwise under the lowest free id >= *next_id (which then moves past
 * it), *id is the id given and 1 is returned. Negative KCAP_E_* on error. */
int kcap_schema_unite_symset(kcap_schema *dst, const kcap_symset *set, uint32_t *next_id, uint32_t *id);
/* The same for a type (kcap_type_def_equal). The symset ids of def's params
 * must already be dst's (translate them with what kcap_schema_unite_symset
 * gave). */
int kcap_schema_unite_type(kcap_schema *dst, const kcap_type_def *def, uint32_t *next_id, uint32_t *id);

#ifdef __cplusplus
}
#endif
#endif
