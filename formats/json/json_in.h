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

#endif
