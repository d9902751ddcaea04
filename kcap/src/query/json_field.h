/*
 * json_field.h - members of an event's JSON param, for the query layer: the
 * filter's NAME.KEY fields (audit.auid), the process tracker's exe and cwd
 * of audit events, and the text rendering of audit events (their "audit"
 * param, formats/audit/audit_json.h, is the only place their fields are).
 * Private to libkcap.
 */
#ifndef KCAP_QUERY_JSON_FIELD_H
#define KCAP_QUERY_JSON_FIELD_H

#include <kcap/kcap.h>
#include "common/json_parse.h"

/* The last value parsed, so that several lookups in one event parse it once.
 * Zero-initialise; kcap__json_cache_free() frees. */
typedef struct kcap_json_cache {
	kcap_jp jp;
	const uint8_t *p; /* the text parsed, by address and length ... */
	uint32_t len;
	uint64_t seq;     /* ... and the event it came from (readers reuse buffers) */
	int64_t ts;
	int ok;           /* 1: jp holds it; 0: it is not JSON (or no memory) */
} kcap_json_cache;

void kcap__json_cache_free(kcap_json_cache *c);

/* The member named key[0, klen) of the JSON object in v (a present
 * KCAP_T_JSON value of ev): the top-level member of that name, else the
 * first one met at any depth, in document order (for an "audit" param: the
 * field of its first record that has it). NULL when there is none, v is not
 * a JSON object, or memory ran out. Valid until the next call with c. */
const kcap_jv *kcap__json_key(kcap_json_cache *c, const kcap_event *ev, const kcap_value *v, const char *key,
                              size_t klen);

/* The "audit" param of ev when its type has one (the last param, as the
 * audit importer declares it) and it is present, else NULL. */
const kcap_value *kcap__audit_param(const kcap_event *ev, const kcap_type_def *def);

#endif
