/*
 * json_in.h - JSON lines input (formats/json): the lines kcap_render_json
 * writes, parsed back into events. The importer of the importer table
 * (json_import.c) is built on it.
 */
#ifndef KCAP_FORMATS_JSON_IN_H
#define KCAP_FORMATS_JSON_IN_H

#include <kcap/kcap.h>

/* Parses one JSON line (as produced by kcap_render_json) into an event using
 * schema s to look up the type by name; unknown types are added to s with
 * params typed from the JSON values. Strings in ev point into scratch (owned
 * by the caller, reused per call). Errors set err->column. */
typedef struct kcap_json_scratch kcap_json_scratch;
kcap_json_scratch *kcap_json_scratch_new(void);
void kcap_json_scratch_free(kcap_json_scratch *s);
int kcap_json_parse_event(kcap_json_scratch *sc, const char *line, size_t len, kcap_schema *s, kcap_event *ev, kcap_error *err);
/* Origins seen so far: distinct ("host", "source") pairs of the JSON lines,
 * numbered in order of first appearance (ev->origin). Either string may be
 * NULL when the lines lack the key. Returns 0 past the end. */
size_t kcap_json_origin_count(const kcap_json_scratch *sc);
int kcap_json_origin_at(const kcap_json_scratch *sc, size_t i, const char **host, const char **source);

/* Unknown type names are looked up in the standard taxonomy (taxonomy.h)
 * first (on: no reference schema): a line whose members fit the standard
 * type takes it, with its param types and symbol sets; else the type is
 * inferred as before. */
void kcap_json_set_taxonomy(kcap_json_scratch *sc, int on);

/* What the line parsed last said besides the event, valid until the next
 * parse: whether "seq" and "ts" were given (not missing nor null); the
 * "time" string, or NULL; the "origin" object's string members (the
 * origin's metadata, on its first event of each section), i from 0,
 * returning 0 past the end; and the "proc" object. */
int kcap_json_line_has_seq(const kcap_json_scratch *sc);
int kcap_json_line_has_ts(const kcap_json_scratch *sc);
const char *kcap_json_line_time(const kcap_json_scratch *sc);
int kcap_json_line_origin(const kcap_json_scratch *sc, size_t i, const char **key, const char **val);
/* The "user" and "group" names given for uid and gid, or NULL. */
void kcap_json_line_names(const kcap_json_scratch *sc, const char **user, const char **group);
typedef struct kcap_json_proc {
	int present;      /* the line has a "proc" object with a pid */
	const char *text; /* its JSON text, as written */
	size_t len;
	kcap_proc p;      /* ppid -1, uid and gid UINT32_MAX, strings NULL when null */
	int has_parent;
	int32_t parent_pid;
	const char *parent_comm, *parent_exe;
} kcap_json_proc;
int kcap_json_line_proc(const kcap_json_scratch *sc, kcap_json_proc *out);

#endif
