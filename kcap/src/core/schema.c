/* Schema: event type definitions and symbol sets, and their encoding. */
#include <stdlib.h>
#include "core/core.h"

#define DIRECT_IDS 4096u /* ids below this are found by direct index */

/* Open-addressing id -> pointer map: lookups stay O(1) however many ids a
 * (possibly hostile) schema block declares. Values are never NULL. */
typedef struct idmap {
	uint32_t *ids;
	void **vals;
	size_t cap, n;
} idmap;

static size_t id_hash(uint32_t id, size_t cap) { return (size_t)(((uint64_t)id * 0x9E3779B97F4A7C15ull) >> 32) & (cap - 1); }

static void *idmap_get(const idmap *m, uint32_t id)
{
	if (!m->cap)
		return NULL;
	for (size_t h = id_hash(id, m->cap); m->vals[h]; h = (h + 1) & (m->cap - 1))
		if (m->ids[h] == id)
			return m->vals[h];
	return NULL;
}

static void idmap_insert(idmap *m, uint32_t id, void *v)
{
	size_t h = id_hash(id, m->cap);
	while (m->vals[h])
		h = (h + 1) & (m->cap - 1);
	m->ids[h] = id;
	m->vals[h] = v;
	m->n++;
}

/* Makes room for one more entry so that the insert that follows cannot fail. */
static int idmap_reserve(idmap *m)
{
	if ((m->n + 1) * 2 <= m->cap)
		return 0;
	idmap g = {0};
	g.cap = m->cap ? m->cap * 2 : 64;
	g.ids = malloc(g.cap * sizeof *g.ids);
	g.vals = calloc(g.cap, sizeof *g.vals);
	if (!g.ids || !g.vals) {
		free(g.ids);
		free(g.vals);
		return KCAP_E_NOMEM;
	}
	for (size_t i = 0; i < m->cap; i++)
		if (m->vals[i])
			idmap_insert(&g, m->ids[i], m->vals[i]);
	free(m->ids);
	free(m->vals);
	*m = g;
	return 0;
}

/* A type as the schema stores it: the public definition first, so that a
 * kcap_type_def pointer handed out by the schema is also its slot. */
typedef struct type_slot {
	kcap_type_def def;
	kcap_type_cache cache;
	size_t rank; /* its place in the insertion order */
} type_slot;

/* A symbol set as the schema stores it, with its kcap_symset_serial(). */
typedef struct set_slot {
	kcap_symset set;
	uint64_t serial;
} set_slot;

static _Atomic uint64_t set_serials;

uint64_t kcap_symset_serial(const kcap_symset *set)
{
	return set ? ((const set_slot *)set)->serial : 0;
}

struct kcap_schema {
	kcap_type_def **types; /* in insertion order */
	size_t ntypes, captypes;
	kcap_type_def **direct; /* ids < ndirect; grows on demand up to DIRECT_IDS */
	size_t ndirect;
	idmap far_types;        /* ids >= DIRECT_IDS */
	kcap_symset **sets;
	size_t nsets, capsets;
	idmap set_ids;
	uint64_t generation;
};

static char *dupstr(const char *s) { return strdup(s ? s : ""); }

kcap_schema *kcap_schema_new(void)
{
	kcap_schema *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	return s; /* the direct table comes with the first small id: an empty
	           * schema (one per section read) stays a few bytes */
}

static void type_free(kcap_type_def *t)
{
	if (!t)
		return;
	for (uint32_t i = 0; i < t->nparams; i++)
		free((char *)t->params[i].name);
	free((void *)t->params);
	free((char *)t->name);
	free((char *)t->category);
	free((char *)t->description);
	type_slot *slot = (type_slot *)t;
	free((char *)slot->cache.head);
	free((char *)slot->cache.keys);
	free((uint32_t *)slot->cache.key_end);
	free(t);
}

/* The fast paths' view of a new type (kcap_type_cache). */
static int type_cache_build(type_slot *slot)
{
	const kcap_type_def *t = &slot->def;
	kcap_type_cache *j = &slot->cache;
	size_t nn = strlen(t->name), nc = strlen(t->category), room = 20 + KCAP_JSON_STR_ROOM(nn) + KCAP_JSON_STR_ROOM(nc) + KCAP_FRAG_SLACK;
	char *h = calloc(1, room), *o = h;
	if (!h)
		return KCAP_E_NOMEM;
	memcpy(o, ",\"type\":", 8);
	o = kcap_json_str_to(o + 8, t->name, nn);
	memcpy(o, ",\"category\":", 12);
	o = kcap_json_str_to(o + 12, t->category, nc);
	j->head = h;
	j->head_len = (uint32_t)(o - h);
	j->lifecycle = (uint8_t)kcap_lifecycle_kind(t->name);
	j->audit_last = t->nparams && t->params[t->nparams - 1].type == KCAP_T_JSON &&
			!strcmp(t->params[t->nparams - 1].name, "audit");
	room = KCAP_FRAG_SLACK;
	for (uint32_t i = 0; i < t->nparams; i++)
		room += KCAP_JSON_STR_ROOM(strlen(t->params[i].name)) + 1;
	char *k = calloc(1, room);
	uint32_t *end = malloc((t->nparams ? t->nparams : 1) * sizeof *end);
	if (!k || !end) {
		free(k);
		free(end);
		return KCAP_E_NOMEM;
	}
	o = k;
	for (uint32_t i = 0; i < t->nparams; i++) {
		o = kcap_json_str_to(o, t->params[i].name, strlen(t->params[i].name));
		*o++ = ':';
		end[i] = (uint32_t)(o - k);
		j->has_toplevel |= (t->params[i].flags & KCAP_PF_TOPLEVEL) != 0;
	}
	j->keys = k;
	j->key_end = end;
	return 0;
}

const kcap_type_cache *kcap_schema_type_cache(const kcap_schema *s, const kcap_type_def *def)
{
	if (!def || kcap_schema_type(s, def->id) != def)
		return NULL;
	return &((const type_slot *)def)->cache;
}

static void set_free(kcap_symset *s)
{
	if (!s)
		return;
	for (uint32_t i = 0; i < s->nsyms; i++)
		free((char *)s->syms[i].name);
	free((void *)s->syms);
	free((char *)s->name);
	free(s);
}

void kcap_schema_free(kcap_schema *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->ntypes; i++)
		type_free(s->types[i]);
	for (size_t i = 0; i < s->nsets; i++)
		set_free(s->sets[i]);
	free(s->types);
	free(s->sets);
	free(s->direct);
	free(s->far_types.ids);
	free(s->far_types.vals);
	free(s->set_ids.ids);
	free(s->set_ids.vals);
	free(s);
}

uint64_t kcap_schema_generation(const kcap_schema *s) { return s ? s->generation : 0; }
size_t kcap_schema_type_rank(const kcap_type_def *def) { return ((const type_slot *)def)->rank; }

const kcap_type_def *kcap_schema_type(const kcap_schema *s, uint32_t id)
{
	if (!s)
		return NULL;
	if (id < DIRECT_IDS)
		return id < s->ndirect ? s->direct[id] : NULL;
	return idmap_get(&s->far_types, id);
}

const kcap_type_def *kcap_schema_type_by_name(const kcap_schema *s, const char *name)
{
	for (size_t i = 0; s && name && i < s->ntypes; i++)
		if (!strcmp(s->types[i]->name, name))
			return s->types[i];
	return NULL;
}

const kcap_type_def *kcap_schema_type_at(const kcap_schema *s, size_t i)
{
	return (s && i < s->ntypes) ? s->types[i] : NULL;
}

const kcap_symset *kcap_schema_symset(const kcap_schema *s, uint32_t id)
{
	return s ? idmap_get(&s->set_ids, id) : NULL;
}

const kcap_symset *kcap_schema_symset_by_name(const kcap_schema *s, const char *name)
{
	for (size_t i = 0; s && name && i < s->nsets; i++)
		if (!strcmp(s->sets[i]->name, name))
			return s->sets[i];
	return NULL;
}

const kcap_symset *kcap_schema_symset_at(const kcap_schema *s, size_t i)
{
	return (s && i < s->nsets) ? s->sets[i] : NULL;
}

int kcap_type_param_index(const kcap_type_def *def, const char *name)
{
	for (uint32_t i = 0; def && name && i < def->nparams; i++)
		if (!strcmp(def->params[i].name, name))
			return (int)i;
	return -1;
}

int kcap_schema_add_type(kcap_schema *s, const kcap_type_def *def)
{
	if (!s || !def || !def->name || def->nparams > KCAP_MAX_PARAMS)
		return KCAP_E_INVAL;
	for (uint32_t i = 0; i < def->nparams; i++) {
		int t = def->params[i].type;
		if (t < 1 || t > KCAP_T_MAX_ || !def->params[i].name)
			return KCAP_E_INVAL;
	}
	const kcap_type_def *old = kcap_schema_type(s, def->id);
	if (old)
		return kcap_type_def_equal(old, def) ? 0 : KCAP_E_INVAL; /* same id: the content decides */
	if (kcap_array_room(&s->types, &s->captypes, s->ntypes, sizeof *s->types, 32))
		return KCAP_E_NOMEM;
	if (def->id >= DIRECT_IDS && idmap_reserve(&s->far_types))
		return KCAP_E_NOMEM;
	if (def->id < DIRECT_IDS && def->id >= s->ndirect) {
		size_t nd = s->ndirect ? s->ndirect : 16;
		while (nd <= def->id)
			nd *= 2;
		kcap_type_def **d = realloc(s->direct, nd * sizeof *d);
		if (!d)
			return KCAP_E_NOMEM;
		memset(d + s->ndirect, 0, (nd - s->ndirect) * sizeof *d);
		s->direct = d;
		s->ndirect = nd;
	}
	type_slot *slot = calloc(1, sizeof *slot);
	kcap_type_def *t = slot ? &slot->def : NULL;
	kcap_param_def *ps = calloc(def->nparams ? def->nparams : 1, sizeof *ps);
	if (!t || !ps) {
		free(t);
		free(ps);
		return KCAP_E_NOMEM;
	}
	t->id = def->id;
	t->name = dupstr(def->name);
	t->category = dupstr(def->category);
	t->description = dupstr(def->description);
	t->nparams = def->nparams;
	t->params = ps;
	int bad = !t->name || !t->category || !t->description;
	for (uint32_t i = 0; i < def->nparams; i++) {
		ps[i] = def->params[i];
		ps[i].name = dupstr(def->params[i].name);
		bad |= !ps[i].name;
	}
	if (bad || type_cache_build(slot)) {
		type_free(t);
		return KCAP_E_NOMEM;
	}
	slot->rank = s->ntypes;
	s->types[s->ntypes++] = t;
	if (t->id < DIRECT_IDS)
		s->direct[t->id] = t;
	else
		idmap_insert(&s->far_types, t->id, t);
	s->generation++;
	return 0;
}

int kcap_schema_add_symset(kcap_schema *s, const kcap_symset *set)
{
	if (!s || !set || !set->name || set->id == 0)
		return KCAP_E_INVAL;
	if (kcap_schema_symset(s, set->id))
		return 0; /* first definition wins; ids are stable within a schema */
	if (kcap_array_room(&s->sets, &s->capsets, s->nsets, sizeof *s->sets, 16))
		return KCAP_E_NOMEM;
	if (idmap_reserve(&s->set_ids))
		return KCAP_E_NOMEM;
	set_slot *slot = calloc(1, sizeof *slot);
	kcap_symset *c = slot ? &slot->set : NULL;
	kcap_sym *syms = calloc(set->nsyms ? set->nsyms : 1, sizeof *syms);
	if (!c || !syms) {
		free(c);
		free(syms);
		return KCAP_E_NOMEM;
	}
	c->id = set->id;
	c->kind = set->kind;
	c->name = dupstr(set->name);
	c->nsyms = set->nsyms;
	c->syms = syms;
	int bad = !c->name;
	for (uint32_t i = 0; i < set->nsyms; i++) {
		syms[i] = set->syms[i];
		syms[i].name = dupstr(set->syms[i].name);
		bad |= !syms[i].name;
	}
	if (bad) {
		set_free(c);
		return KCAP_E_NOMEM;
	}
	slot->serial = ++set_serials;
	s->sets[s->nsets++] = c;
	idmap_insert(&s->set_ids, c->id, c);
	s->generation++;
	return 0;
}

int kcap_schema_merge(kcap_schema *dst, const kcap_schema *src)
{
	int rc;
	for (size_t i = 0; src && i < src->nsets; i++)
		if ((rc = kcap_schema_add_symset(dst, src->sets[i])))
			return rc;
	for (size_t i = 0; src && i < src->ntypes; i++)
		if ((rc = kcap_schema_add_type(dst, src->types[i])))
			return rc;
	return 0;
}

/* Body of a schema block: symsets then types (FORMAT.md "Schema block"). */
int kcap_schema_encode(const kcap_schema *s, kcap_buf *b)
{
	int rc = kcap_buf_put_varint(b, s->nsets);
	for (size_t i = 0; !rc && i < s->nsets; i++) {
		const kcap_symset *set = s->sets[i];
		rc |= kcap_buf_put_varint(b, set->id);
		rc |= kcap_buf_append(b, &set->kind, 1);
		rc |= kcap_buf_put_str(b, set->name, strlen(set->name));
		rc |= kcap_buf_put_varint(b, set->nsyms);
		for (uint32_t k = 0; !rc && k < set->nsyms; k++) {
			rc |= kcap_buf_put_varint(b, set->syms[k].value);
			rc |= kcap_buf_put_varint(b, set->syms[k].mask);
			rc |= kcap_buf_put_str(b, set->syms[k].name, strlen(set->syms[k].name));
		}
	}
	rc |= kcap_buf_put_varint(b, s->ntypes);
	for (size_t i = 0; !rc && i < s->ntypes; i++) {
		const kcap_type_def *t = s->types[i];
		rc |= kcap_buf_put_varint(b, t->id);
		rc |= kcap_buf_put_str(b, t->name, strlen(t->name));
		rc |= kcap_buf_put_str(b, t->category, strlen(t->category));
		rc |= kcap_buf_put_str(b, t->description, strlen(t->description));
		rc |= kcap_buf_put_varint(b, t->nparams);
		for (uint32_t k = 0; !rc && k < t->nparams; k++) {
			const kcap_param_def *p = &t->params[k];
			rc |= kcap_buf_put_str(b, p->name, strlen(p->name));
			rc |= kcap_buf_append(b, &p->type, 1);
			rc |= kcap_buf_append(b, &p->flags, 1);
			rc |= kcap_buf_put_varint(b, p->symset);
		}
	}
	return rc ? KCAP_E_NOMEM : 0;
}

int kcap_schema_decode(kcap_schema *s, const uint8_t *p, size_t n)
{
	cur c = {p, p + n, 0};
	int rc = 0;
	kcap_sym *syms = NULL;
	kcap_param_def *params = NULL;
	char *name = NULL, *cat = NULL, *desc = NULL;
	uint64_t nsets = cur_varint(&c);
	if (nsets > KCAP_MAX_SCHEMA_SETS) /* FORMAT.md "Schema block": bounded */
		goto bad;
	for (uint64_t i = 0; !c.bad && i < nsets; i++) {
		kcap_symset set = {0};
		set.id = (uint32_t)cur_varint(&c);
		const uint8_t *kind = cur_bytes(&c, 1);
		name = cur_strdup(&c);
		uint64_t nsyms = cur_varint(&c);
		if (c.bad || !kind || nsyms > (uint64_t)(c.end - c.p) || nsyms > KCAP_MAX_SCHEMA_SYMS)
			goto bad;
		set.kind = *kind;
		syms = calloc(nsyms ? nsyms : 1, sizeof *syms);
		if (!syms) {
			rc = KCAP_E_NOMEM;
			goto cleanup;
		}
		for (uint64_t k = 0; k < nsyms && !c.bad; k++) {
			syms[k].value = cur_varint(&c);
			syms[k].mask = cur_varint(&c);
			syms[k].name = cur_strdup(&c);
		}
		set.name = name;
		set.nsyms = (uint32_t)nsyms;
		set.syms = syms;
		if (!c.bad && (rc = kcap_schema_add_symset(s, &set)) == KCAP_E_NOMEM)
			c.bad = 1;
		for (uint64_t k = 0; k < nsyms; k++)
			free((char *)syms[k].name);
		free(syms);
		syms = NULL;
		free(name);
		name = NULL;
		if (c.bad)
			goto bad;
	}
	uint64_t ntypes = cur_varint(&c);
	if (ntypes > KCAP_MAX_SCHEMA_TYPES)
		goto bad;
	for (uint64_t i = 0; !c.bad && i < ntypes; i++) {
		kcap_type_def t = {0};
		t.id = (uint32_t)cur_varint(&c);
		name = cur_strdup(&c);
		cat = cur_strdup(&c);
		desc = cur_strdup(&c);
		uint64_t np = cur_varint(&c);
		if (c.bad || np > KCAP_MAX_PARAMS)
			goto bad;
		params = calloc(np ? np : 1, sizeof *params);
		if (!params) {
			rc = KCAP_E_NOMEM;
			goto cleanup;
		}
		for (uint64_t k = 0; k < np && !c.bad; k++) {
			params[k].name = cur_strdup(&c);
			const uint8_t *tf = cur_bytes(&c, 2);
			params[k].symset = (uint32_t)cur_varint(&c);
			if (tf) {
				params[k].type = tf[0];
				params[k].flags = tf[1];
			}
		}
		t.name = name;
		t.category = cat;
		t.description = desc;
		t.nparams = (uint32_t)np;
		t.params = params;
		/* A conflicting redefinition or an unknown param type is corrupt data. */
		if (!c.bad && kcap_schema_add_type(s, &t))
			c.bad = 1;
		for (uint64_t k = 0; k < np; k++)
			free((char *)params[k].name);
		free(params);
		params = NULL;
		free(name);
		free(cat);
		free(desc);
		name = cat = desc = NULL;
	}
	if (c.bad || c.p != c.end) /* trailing bytes are damage */
		goto bad;
	goto cleanup;
bad:
	rc = KCAP_E_CORRUPT;
cleanup:
	free(name);
	free(cat);
	free(desc);
	free(params);
	free(syms);
	return rc;
}
