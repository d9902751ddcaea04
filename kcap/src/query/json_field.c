/* json_field.c - members of an event's JSON param (json_field.h). */
#include <string.h>
#include "query/json_field.h"

void kcap__json_cache_free(kcap_json_cache *c)
{
	if (c)
		kcap_jp_free(&c->jp);
}

/* Depth first, in document order: a member's own name before what its
 * value holds. */
static const kcap_jv *find_deep(const kcap_jp *p, const kcap_jv *v, const char *key, size_t klen)
{
	if (v->kind != KCAP_JV_OBJ && v->kind != KCAP_JV_ARR)
		return NULL;
	const kcap_jv *k = v + 1;
	for (uint32_t i = 0; i < v->n; i++) {
		const kcap_jv *val = k;
		if (v->kind == KCAP_JV_OBJ) {
			val = k + 1;
			if (k->n == klen && !memcmp(k->u.s, key, klen))
				return val;
		}
		const kcap_jv *in = find_deep(p, val, key, klen);
		if (in)
			return in;
		k = kcap_jp_skip(p, val);
	}
	return NULL;
}

const kcap_jv *kcap__json_key(kcap_json_cache *c, const kcap_event *ev, const kcap_value *v, const char *key,
                              size_t klen)
{
	if (!v || !v->present || v->type != KCAP_T_JSON || !v->p)
		return NULL;
	if (c->p != v->p || c->len != v->len || c->seq != ev->seq || c->ts != ev->ts) {
		kcap_error e;
		c->p = v->p;
		c->len = v->len;
		c->seq = ev->seq;
		c->ts = ev->ts;
		c->ok = kcap_jp_parse(&c->jp, (const char *)v->p, v->len, &e) == 0;
	}
	if (!c->ok || c->jp.v[0].kind != KCAP_JV_OBJ)
		return NULL;
	const kcap_jv *top = kcap_jp_member(&c->jp, c->jp.v, key, klen);
	return top ? top : find_deep(&c->jp, c->jp.v, key, klen);
}

const kcap_value *kcap__audit_param(const kcap_event *ev, const kcap_type_def *def)
{
	if (!def || !def->nparams || def->nparams > ev->nparams)
		return NULL;
	const kcap_param_def *pd = &def->params[def->nparams - 1];
	const kcap_value *v = &ev->params[def->nparams - 1];
	return pd->type == KCAP_T_JSON && !strcmp(pd->name, "audit") && v->present ? v : NULL;
}
