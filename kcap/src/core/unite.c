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

/* The two kinds of things a schema unites, as callbacks over void. */
typedef struct unite_kind {
	const void *(*at)(const kcap_schema *s, size_t i);
	const void *(*by_id)(const kcap_schema *s, uint32_t id);
	int (*equal)(const void *a, const void *b);
	uint32_t (*id_of)(const void *x);
	int (*add_as)(kcap_schema *s, const void *x, uint32_t id); /* a copy of x under id */
} unite_kind;

static const void *type_at(const kcap_schema *s, size_t i) { return kcap_schema_type_at(s, i); }
static const void *type_by_id(const kcap_schema *s, uint32_t id) { return kcap_schema_type(s, id); }
static int type_eq(const void *a, const void *b) { return kcap_type_def_equal(a, b); }
static uint32_t type_id(const void *x) { return ((const kcap_type_def *)x)->id; }
static int type_add_as(kcap_schema *s, const void *x, uint32_t id)
{
	kcap_type_def copy = *(const kcap_type_def *)x;
	copy.id = id;
	return kcap_schema_add_type(s, &copy);
}

static const void *set_at(const kcap_schema *s, size_t i) { return kcap_schema_symset_at(s, i); }
static const void *set_by_id(const kcap_schema *s, uint32_t id) { return kcap_schema_symset(s, id); }
static int set_eq(const void *a, const void *b) { return kcap_symset_equal(a, b); }
static uint32_t set_id(const void *x) { return ((const kcap_symset *)x)->id; }
static int set_add_as(kcap_schema *s, const void *x, uint32_t id)
{
	kcap_symset copy = *(const kcap_symset *)x;
	copy.id = id;
	return kcap_schema_add_symset(s, &copy);
}

static const unite_kind kind_type = {type_at, type_by_id, type_eq, type_id, type_add_as};
static const unite_kind kind_set = {set_at, set_by_id, set_eq, set_id, set_add_as};

/* An equal one already in dst, else x under its own id when free, else
 * under the lowest free id >= *next_id. */
static int unite(const unite_kind *k, kcap_schema *dst, const void *x, uint32_t *next_id, uint32_t *id)
{
	const void *have;
	for (size_t i = 0; (have = k->at(dst, i)); i++)
		if (k->equal(have, x)) {
			*id = k->id_of(have);
			return 0;
		}
	uint32_t give = k->id_of(x);
	if (k->by_id(dst, give)) {
		while (k->by_id(dst, *next_id))
			++*next_id;
		give = (*next_id)++;
	}
	int rc = k->add_as(dst, x, give);
	if (rc < 0)
		return rc;
	*id = give;
	return 1;
}

int kcap_schema_unite_symset(kcap_schema *dst, const kcap_symset *set, uint32_t *next_id, uint32_t *id)
{
	return unite(&kind_set, dst, set, next_id, id);
}

int kcap_schema_unite_type(kcap_schema *dst, const kcap_type_def *def, uint32_t *next_id, uint32_t *id)
{
	return unite(&kind_type, dst, def, next_id, id);
}
