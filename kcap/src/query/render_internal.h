/* What render.c shares with the other renderers of the query layer, and the
 * one param lookup by name of the query layer's trackers (procstate, proctree,
 * stats). */
#ifndef KCAP_QUERY_RENDER_INTERNAL_H
#define KCAP_QUERY_RENDER_INTERNAL_H
#include <string.h>
#include <kcap/kcap.h>

/* Appends the params of ev as the JSON object of its JSON line ("params"
 * of kcap_render_json, with the top-level params inside it too). Returns 0
 * or KCAP_E_NOMEM (b's length unchanged). */
int kcap_render_json_params(kcap_buf *b, const kcap_event *ev, const kcap_schema *s);

/* The present param of ev (an event of type def) named name, or NULL. */
static inline const kcap_value *kcap__param(const kcap_event *ev, const kcap_type_def *def, const char *name)
{
	int i = kcap_type_param_index(def, name);
	return i >= 0 && (uint32_t)i < ev->nparams && ev->params[i].present ? &ev->params[i] : NULL;
}

/* The first present param of ev among names (NULL-terminated), or NULL. */
static inline const kcap_value *kcap__param_first(const kcap_event *ev, const kcap_type_def *def,
                                                  const char *const *names)
{
	for (; *names; names++) {
		const kcap_value *v = kcap__param(ev, def, *names);
		if (v)
			return v;
	}
	return NULL;
}

/* 1 when name is one of list (NULL-terminated), else 0. */
static inline int kcap__name_in(const char *name, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(name, *list))
			return 1;
	return 0;
}
#endif
