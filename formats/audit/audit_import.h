/*
 * audit_import.h - Linux audit events into a kcap capture.
 *
 * Feeds audit.log lines (or, through _record, records from any source) to
 * the reassembler and writes one kcap event per audit event:
 *
 *  - A SYSCALL event whose syscall (resolved per arch: x86_64, i386 and
 *    aarch64) is a type of the standard taxonomy becomes that type, its
 *    params filled from the syscall arguments and the auxiliary records
 *    (EXECVE argv, PATH names resolved against CWD, SOCKADDR, FD_PAIR, MMAP,
 *    CAPSET, OBJ_PID).
 *  - Every other event becomes a generic type of category "audit" named
 *    "audit_<first record type, lowercase>" ("audit_syscall" for syscalls
 *    outside the taxonomy, "audit_user_login", ...).
 *  - Every event, mapped or not, carries the param "audit" (KCAP_T_JSON,
 *    KCAP_PF_TOPLEVEL) with all of its records (see audit_json.h). The types
 *    of the taxonomy are declared with this param appended after their
 *    standard ones, under their standard ids.
 *  - Common fields: pid, ppid, uid, gid and comm as logged (numbers are
 *    never resolved through this machine's user database); tid = pid (audit
 *    logs carry no thread id); cpu = UINT32_MAX (unknown).
 *  - One origin per node: metadata source "audit" and, when the log has
 *    node=, hostname = that node.
 *  - Serial gaps are written as stats (source "audit-serial-gap", per origin)
 *    at finish.
 *  - A line that does not parse is reported to the caller and still kept as
 *    an event of type "audit_unparsed" whose "audit" param holds
 *    {"serial": 0, "node": "", "records": [], "raw": "<the line>"}.
 */
#ifndef KCAP_AUDIT_IMPORT_H
#define KCAP_AUDIT_IMPORT_H

#include <kcap/kcap.h>

#include "audit_record.h"

/* Ids of the generic audit types: KCAP_AUDIT_TYPE_BASE + record type number
 * (stable), and from KCAP_AUDIT_TYPE_DYNAMIC on, in order of appearance, for
 * record type names that have no known number. */
#define KCAP_AUDIT_TYPE_BASE 0x10000u
#define KCAP_AUDIT_TYPE_SYSCALL (KCAP_AUDIT_TYPE_BASE + 1300u) /* "audit_syscall" */
#define KCAP_AUDIT_TYPE_UNPARSED (KCAP_AUDIT_TYPE_BASE + 0u)   /* "audit_unparsed" */
#define KCAP_AUDIT_TYPE_DYNAMIC 0x20000u

typedef struct kcap_audit_import kcap_audit_import;

typedef struct kcap_audit_import_stats {
	uint64_t lines;      /* lines given, empty ones included */
	uint64_t records;    /* records parsed */
	uint64_t malformed;  /* lines that did not parse (kept as audit_unparsed) */
	uint64_t events;     /* kcap events written */
	uint64_t mapped;     /* of which mapped onto the taxonomy */
	uint64_t lost;       /* serial gaps (possible loss), all nodes */
	uint64_t late;       /* records that came after their event was written */
} kcap_audit_import_stats;

/* Creates an importer writing into w (opened by the caller, not closed by
 * the importer). Sets the schema on w at once. */
int kcap_audit_import_new(kcap_audit_import **imp, kcap_writer *w);
/* Frees; does not flush (call _finish first). NULL is a no-op. */
void kcap_audit_import_free(kcap_audit_import *imp);

/* One line of audit.log (trailing newline allowed). Returns 0; KCAP_E_SYNTAX
 * when the line does not parse (perr filled; the line is kept as an
 * audit_unparsed event and counted); or a writer/memory error, which ends
 * the import. */
int kcap_audit_import_line(kcap_audit_import *imp, const char *line, size_t len, kcap_audit_perr *perr);
/* One parsed record (e.g. from netlink); takes ownership. */
int kcap_audit_import_record(kcap_audit_import *imp, kcap_audit_record *rec);
/* Writes every pending event and the loss stats. Returns 0 or an error. */
int kcap_audit_import_finish(kcap_audit_import *imp);

const kcap_audit_import_stats *kcap_audit_import_get_stats(const kcap_audit_import *imp);

#endif
