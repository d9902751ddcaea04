/* What render.c shares with the other renderers of the query layer. */
#ifndef KCAP_QUERY_RENDER_INTERNAL_H
#define KCAP_QUERY_RENDER_INTERNAL_H
#include <kcap/kcap.h>

/* Appends the params of ev as the JSON object of its JSON line ("params"
 * of kcap_render_json, with the top-level params inside it too). Returns 0
 * or KCAP_E_NOMEM (b's length unchanged). */
int kcap_render_json_params(kcap_buf *b, const kcap_event *ev, const kcap_schema *s);
#endif
