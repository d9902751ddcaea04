/*
 * unite.c - uniting schemas by content (kcap.h "Holding and uniting
 * events"): types and symbol sets are compared apart from their ids, so a
 * tool gathering several sources gives each distinct type one id.
 */
#include <string.h>
#include "core/core.h"

/* NULL reads as "" (a category or name that was never set). */
static int str_eq(const char *a, const char *b)
{
	return !strcmp(a ? a : "", b ? b : "");
}

int kcap_type_def_equal(const kcap_type_def *a, const kcap_type_def *b)
{
	if (a->nparams != b->nparams || !str_eq(a->name, b->name) || !str_eq(a->category, b->category))
		return 0;
	for (uint32_t i = 0; i < a->nparams; i++) {
		const kcap_param_def *x = &a->params[i], *y = &b->params[i];
		if (x->type != y->type || x->flags != y->flags || x->symset != y->symset || !str_eq(x->name, y->name))
			return 0;
	}
	return 1;
}

int kcap_symset_equal(const kcap_symset *a, const kcap_symset *b)
{
	if (a->kind != b->kind || a->nsyms != b->nsyms || !str_eq(a->name, b->name))
		return 0;
	for (uint32_t i = 0; i < a->nsyms; i++)
		if (a->syms[i].value != b->syms[i].value || a->syms[i].mask != b->syms[i].mask ||
		    !str_eq(a->syms[i].name, b->syms[i].name))
			return 0;
	return 1;
}

int kcap_schema_unite_symset(kcap_schema *dst, const kcap_symset *set, uint32_t *next_id, uint32_t *id)
{
	const kcap_symset *have;
	for (size_t i = 0; (have = kcap_schema_symset_at(dst, i)); i++)
		if (kcap_symset_equal(have, set)) {
			*id = have->id;
			return 0;
		}
	kcap_symset copy = *set;
	if (kcap_schema_symset(dst, set->id)) {
		while (kcap_schema_symset(dst, *next_id))
			++*next_id;
		copy.id = (*next_id)++;
	}
	int rc = kcap_schema_add_symset(dst, &copy);
	if (rc < 0)
		return rc;
	*id = copy.id;
	return 1;
}

int kcap_schema_unite_type(kcap_schema *dst, const kcap_type_def *def, uint32_t *next_id, uint32_t *id)
{
	const kcap_type_def *have;
	for (size_t i = 0; (have = kcap_schema_type_at(dst, i)); i++)
		if (kcap_type_def_equal(have, def)) {
			*id = have->id;
			return 0;
		}
	kcap_type_def copy = *def;
	if (kcap_schema_type(dst, def->id)) {
		while (kcap_schema_type(dst, *next_id))
			++*next_id;
		copy.id = (*next_id)++;
	}
	int rc = kcap_schema_add_type(dst, &copy);
	if (rc < 0)
		return rc;
	*id = copy.id;
	return 1;
}
