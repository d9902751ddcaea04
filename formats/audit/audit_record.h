/*
 * audit_record.h - one Linux audit record (one line of audit.log, or one
 * netlink message) parsed into its header and ordered key/value fields.
 *
 * Accepted syntax (raw and ENRICHED auditd formats):
 *
 *   [node=NODE ]type=TYPE msg=audit(SEC.MSEC:SERIAL):[ ]BODY[\x1dENRICHED]
 *
 *  - NODE may contain spaces: it runs up to the last " type=" before "msg=".
 *  - TYPE is a name ("SYSCALL") or "UNKNOWN[n]".
 *  - BODY is a sequence of key=value tokens and bare words. Values are
 *    "quoted", 'single quoted' (the msg='...' payload of user-space records,
 *    whose own key=value tokens become fields with KCAP_AUDIT_F_MSG), or
 *    unquoted. Unquoted values of keys that auditd hex-encodes (proctitle,
 *    name, exe, acct, EXECVE aN, ...) are decoded when they are hex.
 *  - Bare words (e.g. "avc:  denied  { read } for") are joined with single
 *    spaces into one field named "text" so nothing on the line is dropped.
 *  - After the 0x1D separator come the ENRICHED translations (UID="root"
 *    ARCH=x86_64 ...): fields with KCAP_AUDIT_F_ENRICHED.
 *
 * The parser never allocates per field: one block per record holds the
 * struct, the field array and a private copy of the text, decoded in place.
 */
#ifndef KCAP_AUDIT_RECORD_H
#define KCAP_AUDIT_RECORD_H

#include <stddef.h>
#include <stdint.h>
#include <kcap/kcap.h>

enum {
	KCAP_AUDIT_F_QUOTED = 1,   /* value was "quoted" */
	KCAP_AUDIT_F_HEX = 2,      /* value was hex and is now decoded bytes */
	KCAP_AUDIT_F_MSG = 4,      /* field came from the msg='...' payload */
	KCAP_AUDIT_F_ENRICHED = 8, /* field came after the 0x1D separator */
	KCAP_AUDIT_F_TEXT = 16,    /* the "text" pseudo-field of bare words */
};

typedef struct kcap_audit_field {
	const char *key; /* not NUL-terminated */
	const char *val; /* not NUL-terminated; may hold NUL bytes when F_HEX */
	uint32_t key_len;
	uint32_t val_len;
	uint32_t flags;  /* KCAP_AUDIT_F_* */
} kcap_audit_field;

typedef struct kcap_audit_record {
	const char *node;   /* NULL when the line has no node= prefix */
	uint32_t node_len;
	uint32_t type_len;
	const char *type;   /* "SYSCALL", "UNKNOWN[1329]", ... */
	uint32_t type_num;  /* audit message type number; 0 when unknown */
	uint32_t serial;
	int64_t sec;        /* seconds since the epoch */
	uint32_t msec;      /* milliseconds */
	uint32_t nfields;
	kcap_audit_field *fields;
} kcap_audit_record;

/* Parses one line (without or with its trailing newline). On success returns
 * 0 and *out, a single heap block the caller frees with
 * kcap_audit_record_free(); it does not borrow line. Returns KCAP_E_SYNTAX
 * (and fills err: code, the 1-based column, msg) when the line has no type= or no msg=audit(SEC.MSEC:SERIAL)
 * header, KCAP_E_NOMEM on allocation failure. Empty lines are KCAP_E_NOTFOUND
 * with no message. */
int kcap_audit_record_parse(const char *line, size_t len, kcap_audit_record **out, kcap_error *err);
void kcap_audit_record_free(kcap_audit_record *r);

/* Event timestamp of a record in ns since the epoch. */
int64_t kcap_audit_record_ts(const kcap_audit_record *r);

/* First field named key (exact, case-sensitive), or NULL. Fields from the
 * ENRICHED part are only found when their name is asked for (they are
 * uppercase). */
const kcap_audit_field *kcap_audit_record_field(const kcap_audit_record *r, const char *key);

/* 1 if the record type string equals name. */
int kcap_audit_record_is(const kcap_audit_record *r, const char *name);

#endif
