/*
 * audit_json.h - the JSON form of one reassembled audit event, kept whole in
 * every imported kcap event (param "audit"):
 *
 *   {"serial": N, "node": "...", "records": [
 *      {"type": "SYSCALL", "fields": {"k": "v", ...}}, ...]}
 *
 * "node" is "" when the log has no node= prefix. Every field of every record
 * is kept, in line order, values as strings:
 *  - hex-encoded values are decoded; NUL separators of proctitle become
 *    spaces; a decoded value that is not valid UTF-8 or holds other NUL
 *    bytes is written back as the original uppercase hex;
 *  - ENRICHED translations keep their uppercase keys (UID, ARCH, ...);
 *  - a key repeated within a record gets a suffix: "auid", "auid_2", ...;
 *  - bare words of the record are in the "text" field.
 */
#ifndef KCAP_AUDIT_JSON_H
#define KCAP_AUDIT_JSON_H

#include <kcap/kcap.h>

#include "audit_reassemble.h"

/* Appends the JSON text (no newline) to b. Returns 0 or KCAP_E_NOMEM. The
 * buffer is grown with realloc; free b->data (or kcap_buf_free) when done. */
int kcap_audit_event_json(kcap_buf *b, const kcap_audit_event *ev);

/* Appends s[0..n) as a JSON string (with quotes) using the value rules
 * above; hexed says the bytes came from hex, is_proctitle maps NUL to ' '. */
int kcap_audit_json_value(kcap_buf *b, const char *s, size_t n, int hexed, int is_proctitle);

#endif
