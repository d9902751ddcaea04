/* Evaluation of compiled filters (filter.h) and the block-skipping test. */
#include "common/port.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "query/filter_internal.h"

/* A field value met at run time. */
enum { K_INT, K_STR, K_IP, K_RENDER };

typedef struct fv {
	int k;
	uint8_t sign, is_time, is_dur, is_mode, is_bool, is_ret, is_errno;
	int64_t i;
	uint64_t u;
	const char *s;
	size_t n;
	uint8_t ipv;
	const uint8_t *addr;
	const kcap_value *v;        /* param value (rendering), or NULL */
	const kcap_param_def *pd;
	const symres *sym;          /* per-type symbol resolutions, or NULL */
} fv;

typedef struct ectx {
	kcap_filter *f;
	const kcap_event *ev;
	const kcap_schema *s;
	const kcap_procstate *ps;
	const kcap_type_def *def;
	tcache *tc;                 /* resolved lazily */
	uint8_t tc_done;
} ectx;

/* ---- per-type cache ---- */

/* Index in def of the param that name stands for: the param of that name;
 * else for dip/dport (alias S_IP/S_PORT) the type's sockaddr param, for
 * NAME.KEY (S_KEY) the json param NAME. -1 when def has none. */
static int param_for(const kcap_type_def *def, const char *name, int alias)
{
	int i = kcap_type_param_index(def, name);
	if (i >= 0 || !alias)
		return i;
	size_t pl = alias == S_KEY ? (size_t)(strchr(name, '.') - name) : 0;
	for (uint32_t k = 0; k < def->nparams; k++) {
		const kcap_param_def *p = &def->params[k];
		if (alias == S_KEY ? p->type == KCAP_T_JSON && strlen(p->name) == pl && !memcmp(p->name, name, pl)
		                   : p->type == KCAP_T_SOCKADDR)
			return (int)k;
	}
	return -1;
}

int kcap__filter_slot_index(const kcap_filter *f, int slot, const kcap_type_def *def)
{
	return param_for(def, f->slots[slot], f->slot_alias[slot]);
}

/* The member KEY of NAME.KEY (name) in the json value v of ev: strings
 * that are decimal integers compare as numbers (audit logs every value as
 * a string), objects and arrays as their JSON text; null is absent. */
static int json_key_field(kcap_json_cache *jc, const kcap_event *ev, const kcap_value *v, const char *name, fv *x)
{
	const char *key = strchr(name, '.') + 1;
	const kcap_jv *j = kcap__json_key(jc, ev, v, key, strlen(key));
	if (!j)
		return 0;
	x->v = NULL;
	x->pd = NULL;
	x->sym = NULL;
	switch (j->kind) {
	case KCAP_JV_NULL:
		return 0;
	case KCAP_JV_TRUE: case KCAP_JV_FALSE:
		x->is_bool = 1;
		x->u = j->kind == KCAP_JV_TRUE;
		return 1;
	case KCAP_JV_INT:
		x->sign = 1;
		if (j->u.mag > (uint64_t)INT64_MAX) {
			if (j->neg)
				break; /* below INT64_MIN: compared as text */
			x->sign = 0;
			x->u = j->u.mag;
			return 1;
		}
		x->i = j->neg ? -(int64_t)j->u.mag : (int64_t)j->u.mag;
		return 1;
	case KCAP_JV_STR: {
		const char *s = j->u.s;
		size_t n = j->n, d = s[0] == '-';
		int num = n > d && n - d <= 18 && (s[d] != '0' || n - d == 1);
		for (size_t i = d; num && i < n; i++)
			num = s[i] >= '0' && s[i] <= '9';
		if (num) {
			x->sign = 1;
			x->i = strtoll(s, NULL, 10);
			return 1;
		}
		x->k = K_STR;
		x->s = s;
		x->n = n;
		return 1;
	}
	default:
		break;
	}
	x->k = K_STR;
	x->s = (const char *)v->p + j->off;
	x->n = j->len;
	return 1;
}

static void reset_caches(kcap_filter *f, const kcap_schema *s)
{
	for (size_t i = 0; i < f->ntc; i++)
		f->tc[i].def = NULL;
	f->schema = s;
}

void kcap_filter_reset_schema(kcap_filter *f)
{
	if (f) {
		reset_caches(f, NULL);
		for (size_t i = 0; i < f->nnodes; i++)
			f->nodes[i]->tb_schema = NULL;
	}
}

int kcap__filter_syms(const kcap_symset *ss, const char *text, uint64_t *value, uint64_t *mask, size_t *bad)
{
	const char *t = text[0] == '-' ? text + 1 : text;
	*value = *mask = 0;
	while (*t) {
		size_t pl = strcspn(t, "|");
		const kcap_sym *hit = NULL;
		for (uint32_t j = 0; j < ss->nsyms && !hit; j++) {
			const kcap_sym *sy = &ss->syms[j];
			if (sy->name && strlen(sy->name) == pl && !memcmp(sy->name, t, pl))
				hit = sy;
		}
		if (!hit) {
			if (bad)
				*bad = (size_t)(t - text);
			return -1;
		}
		*value |= hit->value;
		*mask |= hit->mask ? hit->mask : hit->value;
		t += pl;
		if (*t == '|')
			t++;
	}
	return 0;
}

static void resolve_syms(kcap_filter *f, tcache *tc, const kcap_type_def *def, const kcap_schema *s)
{
	for (int k = 0; k < f->nsyms; k++) {
		symres *r = &tc->sym[k];
		const fnode *n = f->sym_pred[k];
		const flit *l = f->sym_lit[k];
		memset(r, 0, sizeof(*r));
		int idx = tc->pidx[n->pslot];
		if (idx < 0 || !s)
			continue;
		const kcap_param_def *pd = &def->params[idx];
		const kcap_symset *ss = pd->symset ? kcap_schema_symset(s, pd->symset) : NULL;
		if (!ss)
			continue;
		r->found = kcap__filter_syms(ss, l->text, &r->value, &r->mask, NULL) == 0;
	}
}

/* The cache entry of the event's type, resolving it on first use. NULL when
 * out of memory (the filter then treats params as absent). */
static tcache *get_tc(kcap_filter *f, uint32_t id, const kcap_type_def *def, const kcap_schema *s)
{
	if (id >= f->ntc) {
		size_t nn = f->ntc ? f->ntc : 64;
		while (nn <= id)
			nn *= 2;
		tcache *nt = realloc(f->tc, nn * sizeof(*nt));
		if (!nt)
			return NULL;
		memset(nt + f->ntc, 0, (nn - f->ntc) * sizeof(*nt));
		f->tc = nt;
		f->ntc = nn;
	}
	tcache *tc = &f->tc[id];
	if (tc->def == def)
		return tc;
	if (!tc->pidx) {
		size_t sz = (size_t)f->nslots * sizeof(int16_t);
		sz = (sz + 15) & ~(size_t)15;
		void *mem = calloc(1, sz + (size_t)f->nsyms * sizeof(symres) + 1);
		if (!mem)
			return NULL;
		tc->pidx = mem;
		tc->sym = (symres *)((char *)mem + sz);
	}
	for (int i = 0; i < f->nslots; i++)
		tc->pidx[i] = (int16_t)kcap__filter_slot_index(f, i, def);
	resolve_syms(f, tc, def, s);
	tc->def = def;
	return tc;
}

/* Index in ev->params of the param node n names, or -1 when the event has no
 * such param present (its type lacks it, or the cache is out of memory). */
static inline int param_index(ectx *c, const kcap_event *ev, const fnode *n)
{
	if (!c->def)
		return -1;
	if (!c->tc_done) {
		c->tc = get_tc(c->f, ev->type_id, c->def, c->s);
		c->tc_done = 1;
	}
	if (!c->tc)
		return -1;
	int idx = c->tc->pidx[n->pslot];
	if (idx < 0 || (uint32_t)idx >= ev->nparams || !ev->params[idx].present)
		return -1;
	return idx;
}

/* ---- string matching ---- */

static int glob_one(const char *p, size_t pn, size_t pi, unsigned char c, size_t *adv)
{
	char pc = p[pi];
	if (pc == '?') {
		*adv = 1;
		return 1;
	}
	if (pc == '\\' && pi + 1 < pn) {
		*adv = 2;
		return (unsigned char)p[pi + 1] == c;
	}
	if (pc == '[') {
		size_t j = pi + 1;
		int negate = 0, hit = 0;
		if (j < pn && (p[j] == '!' || p[j] == '^')) {
			negate = 1;
			j++;
		}
		size_t first = j;
		while (j < pn && (p[j] != ']' || j == first)) {
			unsigned char lo = (unsigned char)p[j], hi = lo;
			if (j + 2 < pn && p[j + 1] == '-' && p[j + 2] != ']') {
				hi = (unsigned char)p[j + 2];
				j += 2;
			}
			if (c >= lo && c <= hi)
				hit = 1;
			j++;
		}
		if (j < pn) { /* found the closing ']' */
			*adv = j + 1 - pi;
			return hit != negate;
		}
		/* no closing bracket: a literal '[' */
	}
	*adv = 1;
	return (unsigned char)pc == c;
}

/* Shell-style glob on bytes: * ? [a-z] [!x] and \ escapes; '*' crosses '/'. */
static int glob_match(const char *p, size_t pn, const char *s, size_t sn)
{
	size_t pi = 0, si = 0, star_p = (size_t)-1, star_s = 0;
	while (si < sn) {
		if (pi < pn) {
			if (p[pi] == '*') {
				star_p = ++pi;
				star_s = si;
				continue;
			}
			size_t adv;
			if (glob_one(p, pn, pi, (unsigned char)s[si], &adv)) {
				pi += adv;
				si++;
				continue;
			}
		}
		if (star_p != (size_t)-1) {
			pi = star_p;
			si = ++star_s;
			continue;
		}
		return 0;
	}
	while (pi < pn && p[pi] == '*')
		pi++;
	return pi == pn;
}

static int icontains(const char *s, size_t n, const char *lower, size_t ln)
{
	if (ln == 0)
		return 1;
	if (ln > n)
		return 0;
	for (size_t i = 0; i + ln <= n; i++) {
		if (tolower((unsigned char)s[i]) != (unsigned char)lower[0])
			continue;
		size_t j = 1;
		while (j < ln && tolower((unsigned char)s[i + j]) == (unsigned char)lower[j])
			j++;
		if (j == ln)
			return 1;
	}
	return 0;
}

static int str_cmp(const char *s, size_t n, const flit *l)
{
	size_t m = n < l->len ? n : l->len;
	int c = memcmp(s, l->text, m);
	if (c)
		return c < 0 ? -1 : 1;
	return n < l->len ? -1 : n > l->len;
}

/* regexec() wants a NUL-terminated string (sanitizer interceptors read up to
 * the NUL even with REG_STARTEND), so unterminated values are copied into
 * tmp first; REG_STARTEND keeps embedded NULs part of the subject. */
static int regex_match(const fnode *n, const char *s, size_t len, kcap_buf *tmp)
{
	if (tmp) {
		tmp->len = 0;
		if (kcap_buf_reserve(tmp, len + 1))
			return 0;
		memcpy(tmp->data, s, len);
		tmp->data[len] = 0;
		s = tmp->data;
	}
#ifdef REG_STARTEND
	regmatch_t m[1];
	m[0].rm_so = 0;
	m[0].rm_eo = (regoff_t)len;
	return regexec(&n->re, s, 1, m, REG_STARTEND) == 0;
#else
	return regexec(&n->re, s, 0, NULL, 0) == 0;
#endif
}

/* The operator of n applied to a string value (negate not applied). */
int kcap__filter_match_str(const fnode *n, const char *s, size_t len, kcap_buf *tmp)
{
	const flit *l = n->lits;
	switch (n->op) {
	case OP_EQ: return len == l->len && !memcmp(s, l->text, len);
	case OP_NE: return !(len == l->len && !memcmp(s, l->text, len));
	case OP_LT: return str_cmp(s, len, l) < 0;
	case OP_LE: return str_cmp(s, len, l) <= 0;
	case OP_GT: return str_cmp(s, len, l) > 0;
	case OP_GE: return str_cmp(s, len, l) >= 0;
	case OP_CONTAINS: return l->len == 0 || memmem(s, len, l->text, l->len) != NULL;
	case OP_ICONTAINS: return icontains(s, len, l->lower, l->len);
	case OP_STARTS: return len >= l->len && !memcmp(s, l->text, l->len);
	case OP_ENDS: return len >= l->len && !memcmp(s + len - l->len, l->text, l->len);
	case OP_GLOB: return glob_match(l->text, l->len, s, len);
	case OP_REGEX: return regex_match(n, s, len, tmp);
	case OP_IN:
		for (int i = 0; i < n->nlits; i++)
			if (len == n->lits[i].len && !memcmp(s, n->lits[i].text, len))
				return 1;
		return 0;
	case OP_EXISTS: return 1;
	}
	return 0;
}

/* ---- integers ---- */

/* Sign-magnitude comparison of two integers. */
static int cmp_sm(int an, uint64_t am, int bn, uint64_t bm)
{
	if (an != bn)
		return an ? -1 : 1;
	if (am == bm)
		return 0;
	return ((am < bm) != an) ? -1 : 1;
}

/* Whether an ordering comparison op holds for the result r of a comparison
 * (negative, 0 or positive); 0 for an op that is not one. */
static inline int op_holds(int op, int r)
{
	switch (op) {
	case OP_EQ: return r == 0;
	case OP_NE: return r != 0;
	case OP_LT: return r < 0;
	case OP_LE: return r <= 0;
	case OP_GT: return r > 0;
	case OP_GE: return r >= 0;
	}
	return 0;
}

static void to_sm(const fv *x, int *neg, uint64_t *mag)
{
	if (x->sign && x->i < 0) {
		*neg = 1;
		*mag = (uint64_t)(-(x->i + 1)) + 1;
	} else {
		*neg = 0;
		*mag = x->sign ? (uint64_t)x->i : x->u;
	}
}

static void from_i64(int64_t v, int *neg, uint64_t *mag)
{
	*neg = v < 0;
	*mag = v < 0 ? (uint64_t)(-(v + 1)) + 1 : (uint64_t)v;
}

/* The literal as an integer for field x; 0 if it has no such reading. */
static int lit_int(const kcap_filter *f, const fv *x, const flit *l, int *neg, uint64_t *mag)
{
	if (x->is_time && l->has_time) {
		if (l->anchor != KCAP_TIME_ABS && !l->tres_ok)
			return 0;
		from_i64(l->anchor != KCAP_TIME_ABS ? l->tres : l->tval, neg, mag);
		return 1;
	}
	if (x->is_dur && l->has_dur && !l->has_num) {
		from_i64(l->dur, neg, mag);
		return 1;
	}
	if (x->is_mode && l->has_oct) {
		*neg = 0;
		*mag = l->oct;
		return 1;
	}
	if (l->has_num) {
		*neg = l->neg;
		*mag = l->mag;
		return 1;
	}
	if (x->is_bool && l->boolv >= 0) {
		*neg = 0;
		*mag = (uint64_t)l->boolv;
		return 1;
	}
	if (l->symslot >= 0 && x->sym && x->sym[l->symslot].found) {
		*mag = x->sym[l->symslot].value;
		*neg = x->is_ret || l->text[0] == '-';
		return 1;
	}
	if (l->errnum && (x->is_ret || x->is_errno)) {
		*neg = x->is_ret;
		*mag = (uint64_t)l->errnum;
		return 1;
	}
	return 0;
}

/* ---- rendering fallback ---- */

/* Text of x into the filter's scratch buffer. */
static int render(ectx *c, const fv *x, const char **s, size_t *n)
{
	kcap_buf *b = &c->f->scratch;
	b->len = 0;
	if (x->k == K_STR) {
		*s = x->s;
		*n = x->n;
		return 1;
	}
	if (x->v && x->pd) {
		if (kcap_render_value(b, x->v, c->s, x->pd))
			return 0;
	} else {
		char t[32];
		int m = x->sign ? snprintf(t, sizeof(t), "%lld", (long long)x->i)
		                : snprintf(t, sizeof(t), "%llu", (unsigned long long)x->u);
		if (kcap_buf_append(b, t, (size_t)m))
			return 0;
	}
	*s = b->data ? b->data : "";
	*n = b->len;
	return 1;
}

/* Matches n against the text form of x; 0 when x has none (the caller's
 * verdict is then "no match"), else 1 with the result in *r. */
static int match_rendered(ectx *c, const fv *x, const fnode *n, int *r)
{
	const char *s;
	size_t len;
	if (!render(c, x, &s, &len))
		return 0;
	*r = kcap__filter_match_str(n, s, len, &c->f->rscratch);
	return 1;
}

static int ip_match(const fv *x, const flit *l)
{
	const uint8_t *a = x->addr;
	int av = x->ipv;
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	if (av == 16 && l->ipv == 4 && !memcmp(a, mapped, 12)) {
		a += 12;
		av = 4;
	}
	if (av != l->ipv)
		return 0;
	int bits = l->prefix, i = 0;
	for (; bits >= 8; bits -= 8, i++)
		if (a[i] != l->addr[i])
			return 0;
	if (bits) {
		uint8_t m = (uint8_t)(0xff << (8 - bits));
		if ((a[i] & m) != (l->addr[i] & m))
			return 0;
	}
	return 1;
}

/* ---- predicate evaluation ---- */

/* Joins NUL-separated elements with spaces into the scratch buffer. */
static int join_list(kcap_buf *b, const char *p, size_t len, const char **s, size_t *n)
{
	b->len = 0;
	if (len && p[len - 1] == 0)
		len--;
	if (kcap_buf_reserve(b, len + 1))
		return 0;
	memcpy(b->data, p, len);
	for (size_t i = 0; i < len; i++)
		if (!b->data[i])
			b->data[i] = ' ';
	b->len = len;
	*s = b->data;
	*n = len;
	return 1;
}

static int cstr(fv *x, const char *s)
{
	if (!s)
		return 0;
	x->k = K_STR;
	x->s = s;
	x->n = strlen(s);
	return 1;
}

static int proc_field(const kcap_procstate *ps, const kcap_event *ev, int field, int sub, kcap_buf *scratch, fv *x);
static int param_field(const kcap_value *v, int sub_field, int alias, kcap_buf *scratch, fv *x);

/* Fetches the field of n; 0 when absent. */
static int get_field(ectx *c, const fnode *n, fv *x)
{
	const kcap_event *ev = c->ev;
	x->k = K_INT;
	x->sign = x->is_time = x->is_dur = x->is_mode = x->is_bool = x->is_ret = x->is_errno = 0;
	x->v = NULL;
	x->pd = NULL;
	x->sym = NULL;
	switch (n->field) {
	case F_SEQ: x->u = ev->seq; return 1;
	case F_TS: x->sign = 1; x->is_time = 1; x->i = ev->ts; return 1;
	case F_PID: x->sign = 1; x->i = ev->pid; return 1;
	case F_TID: x->sign = 1; x->i = ev->tid; return 1;
	case F_PPID: x->sign = 1; x->i = ev->ppid; return 1;
	case F_CPU: x->u = ev->cpu; return ev->cpu != UINT32_MAX; /* UINT32_MAX: not known (audit) */
	case F_UID: x->u = ev->uid; return 1;
	case F_GID: x->u = ev->gid; return 1;
	case F_COMM:
		x->k = K_STR;
		x->s = ev->comm ? ev->comm : "";
		x->n = ev->comm ? ev->comm_len : 0;
		return 1;
	case F_TYPE: return c->def && cstr(x, c->def->name);
	case F_CATEGORY: return c->def && cstr(x, c->def->category);
	case F_HOST: return ev->meta && cstr(x, kcap_meta_get(ev->meta, KCAP_META_HOSTNAME));
	case F_SOURCE: return ev->meta && cstr(x, kcap_meta_get(ev->meta, KCAP_META_SOURCE));
	case F_PROC:
	case F_PARENT:
		return proc_field(c->ps, ev, n->field, n->sub, &c->f->scratch, x);
	case F_PARAM:
		break;
	default:
		return 0;
	}
	int idx = param_index(c, ev, n);
	if (idx < 0)
		return 0;
	x->pd = &c->def->params[idx];
	x->sym = c->tc->sym;
	if (c->f->slot_alias[n->pslot] == S_KEY && x->pd->type == KCAP_T_JSON &&
	    strcmp(x->pd->name, c->f->slots[n->pslot]))
		return json_key_field(&c->f->jc, ev, &ev->params[idx], c->f->slots[n->pslot], x);
	return param_field(&ev->params[idx], n->sub, c->f->slot_alias[n->pslot], &c->f->scratch, x);
}

/* The process context field (F_PROC or F_PARENT, sub P_*) of ev. */
static int proc_field(const kcap_procstate *ps, const kcap_event *ev, int field, int sub, kcap_buf *scratch, fv *x)
{
	const kcap_procinfo *pi = ps ? kcap_procstate_get_origin(ps, ev->origin, ev->pid) : NULL;
	if (field == F_PARENT) {
		int32_t pp = pi && pi->ppid >= 0 ? pi->ppid : ev->ppid;
		pi = ps ? kcap_procstate_get_origin(ps, ev->origin, pp) : NULL;
	}
	if (!pi)
		return 0;
	switch (sub) {
	case P_PID: x->sign = 1; x->i = pi->pid; return 1;
	case P_PPID: x->sign = 1; x->i = pi->ppid; return pi->ppid >= 0;
	case P_UID: x->u = pi->uid; return pi->uid != UINT32_MAX;
	case P_GID: x->u = pi->gid; return pi->gid != UINT32_MAX;
	case P_COMM: return cstr(x, pi->comm);
	case P_EXE: return cstr(x, pi->exe);
	case P_CWD: return cstr(x, pi->cwd);
	case P_CMDLINE:
		if (!pi->cmdline)
			return 0;
		x->k = K_STR;
		return join_list(scratch, pi->cmdline, pi->cmdline_len, &x->s, &x->n);
	}
	return 0;
}

/* Param value v as field sub (S_*; alias: S_IP/S_PORT of dip/dport on a
 * sockaddr). x->pd and x->sym are set by the caller. */
static int param_field(const kcap_value *v, int sub_field, int alias, kcap_buf *scratch, fv *x)
{
	x->v = v;
	switch (v->type) {
	case KCAP_T_STR: case KCAP_T_PATH: case KCAP_T_BYTES: case KCAP_T_JSON:
		if (sub_field != S_NONE)
			return 0;
		x->k = K_STR;
		x->s = v->p ? (const char *)v->p : "";
		x->n = v->len;
		return 1;
	case KCAP_T_STRLIST:
		if (sub_field != S_NONE)
			return 0;
		x->k = K_STR;
		return join_list(scratch, v->p ? (const char *)v->p : "", v->len, &x->s, &x->n);
	case KCAP_T_IPV4: case KCAP_T_IPV6:
		if (sub_field != S_NONE && sub_field != S_IP)
			return 0;
		x->k = K_IP;
		x->ipv = v->type == KCAP_T_IPV4 ? 4 : 16;
		x->addr = v->addr;
		return 1;
	case KCAP_T_SOCKADDR: {
		int inet = v->af == KCAP_AF_INET || v->af == KCAP_AF_INET6;
		int sub = sub_field == S_NONE ? alias : sub_field;
		switch (sub) {
		case S_PORT:
			if (!inet)
				return 0;
			x->u = v->port;
			x->v = NULL;
			x->pd = NULL;
			return 1;
		case S_FAMILY:
			return cstr(x, v->af == KCAP_AF_INET ? "inet" : v->af == KCAP_AF_INET6 ? "inet6" :
			               v->af == KCAP_AF_UNIX ? "unix" : v->af == KCAP_AF_NONE ? "none" : "other");
		case S_IP:
			if (!inet)
				return 0;
			/* fall through */
		default:
			if (inet) {
				x->k = K_IP;
				x->ipv = v->af == KCAP_AF_INET ? 4 : 16;
				x->addr = v->addr;
			} else {
				x->k = K_RENDER;
			}
			return 1;
		}
	}
	case KCAP_T_SID: case KCAP_T_GUID:
		if (sub_field != S_NONE)
			return 0;
		x->k = K_RENDER;
		return 1;
	default:
		if (sub_field != S_NONE)
			return 0;
		x->sign = (uint8_t)kcap_ptype_is_signed(v->type);
		x->i = v->i;
		x->u = v->u;
		x->is_time = v->type == KCAP_T_TIMESTAMP;
		x->is_dur = v->type == KCAP_T_DURATION;
		x->is_mode = v->type == KCAP_T_MODE;
		x->is_bool = v->type == KCAP_T_BOOL;
		x->is_ret = v->type == KCAP_T_RET;
		x->is_errno = v->type == KCAP_T_ERRNO;
		return 1;
	}
}

static int int_op(ectx *c, const fnode *n, const fv *x, const flit *l, int op)
{
	int ln, xn;
	uint64_t lm, xm;
	if (!lit_int(c->f, x, l, &ln, &lm)) {
		if (op == OP_EQ || op == OP_NE) {
			const char *s;
			size_t len;
			if (!render(c, x, &s, &len))
				return 0;
			int eq = len == l->len && !memcmp(s, l->text, len);
			return op == OP_EQ ? eq : !eq;
		}
		return 0;
	}
	to_sm(x, &xn, &xm);
	return op_holds(op, cmp_sm(xn, xm, ln, lm));
}

static int eval_pred(ectx *c, const fnode *n)
{
	fv x;
	if (!get_field(c, n, &x))
		return 0;
	if (n->op == OP_EXISTS)
		return !n->negate;
	int r = 0;
	const flit *l = n->lits;
	switch (x.k) {
	case K_INT:
		switch (n->op) {
		case OP_EQ: case OP_NE: case OP_LT: case OP_LE: case OP_GT: case OP_GE:
			r = int_op(c, n, &x, l, n->op);
			break;
		case OP_IN:
			for (int i = 0; i < n->nlits && !r; i++)
				r = int_op(c, n, &x, &n->lits[i], OP_EQ);
			break;
		case OP_CONTAINS: {
			uint64_t bits = x.sign ? (uint64_t)x.i : x.u;
			if (l->symslot >= 0 && x.sym && x.sym[l->symslot].found && !x.is_ret) {
				const symres *sr = &x.sym[l->symslot];
				r = (bits & sr->mask) == sr->value;
				break;
			}
			if (l->has_num && !l->neg && !x.is_time) {
				r = (bits & l->mag) == l->mag;
				break;
			}
		}
			/* fall through */
		default:
			if (!match_rendered(c, &x, n, &r))
				return 0;
			break;
		}
		break;
	case K_IP:
		if (n->op == OP_EQ || n->op == OP_NE || n->op == OP_IN) {
			int any = 0, all_ip = 1;
			for (int i = 0; i < n->nlits; i++) {
				if (!n->lits[i].has_ip) {
					all_ip = 0;
					continue;
				}
				if (ip_match(&x, &n->lits[i]))
					any = 1;
			}
			if (all_ip || any) {
				r = n->op == OP_NE ? !any : any;
				break;
			}
		}
		/* fall through */
	case K_RENDER:
		if (!match_rendered(c, &x, n, &r))
			return 0;
		break;
	case K_STR:
		r = kcap__filter_match_str(n, x.s, x.n, &c->f->rscratch);
		break;
	}
	return n->negate ? !r : r;
}

static int cmp_lits(const fnode *n, int xn, uint64_t xm)
{
	const flit *l = n->lits;
	switch (n->op) {
	case OP_EQ: case OP_NE: case OP_LT: case OP_LE: case OP_GT: case OP_GE:
		return op_holds(n->op, cmp_sm(xn, xm, l->fneg, l->fmag));
	default:
		for (int i = 0; i < n->nlits; i++)
			if (!cmp_sm(xn, xm, n->lits[i].fneg, n->lits[i].fmag))
				return 1;
		return 0;
	}
}

static int is_int_type(int t)
{
	switch (t) {
	case KCAP_T_STR: case KCAP_T_PATH: case KCAP_T_BYTES: case KCAP_T_STRLIST: case KCAP_T_IPV4:
	case KCAP_T_IPV6: case KCAP_T_SOCKADDR: case KCAP_T_SID: case KCAP_T_GUID: case KCAP_T_JSON:
		return 0;
	}
	return 1;
}

static int eval(ectx *c, const fnode *n)
{
	switch (n->kind) {
	case N_AND: return eval(c, n->a) && eval(c, n->b);
	case N_OR: return eval(c, n->a) || eval(c, n->b);
	case N_NOT: return !eval(c, n->a);
	default: break;
	}
	const kcap_event *ev = c->ev;
	switch (n->fast) {
	case FAST_COMM: {
		const flit *l = n->lits;
		int eq = ev->comm_len == l->len && (!l->len || !memcmp(ev->comm, l->text, l->len));
		return n->op == OP_EQ ? eq : !eq;
	}
	case FAST_INT: {
		int64_t v;
		switch (n->field) {
		case F_SEQ: return cmp_lits(n, 0, ev->seq);
		case F_CPU: return ev->cpu != UINT32_MAX && cmp_lits(n, 0, ev->cpu);
		case F_UID: return cmp_lits(n, 0, ev->uid);
		case F_GID: return cmp_lits(n, 0, ev->gid);
		case F_TS: v = ev->ts; break;
		case F_PID: v = ev->pid; break;
		case F_TID: v = ev->tid; break;
		default: v = ev->ppid; break;
		}
		return cmp_lits(n, v < 0, v < 0 ? (uint64_t)(-(v + 1)) + 1 : (uint64_t)v);
	}
	case FAST_PARAM_INT: {
		int idx = param_index(c, ev, n);
		if (idx < 0)
			return 0;
		const kcap_value *v = &ev->params[idx];
		if (!is_int_type(v->type))
			break;
		if (kcap_ptype_is_signed(v->type))
			return cmp_lits(n, v->i < 0, v->i < 0 ? (uint64_t)(-(v->i + 1)) + 1 : (uint64_t)v->i);
		return cmp_lits(n, 0, v->u);
	}
	default:
		break;
	}
	return eval_pred(c, n);
}

int kcap_filter_match(kcap_filter *f, const kcap_event *ev, const kcap_schema *s, const kcap_procstate *ps)
{
	if (!f || !ev)
		return 0;
	/* a new schema, or types added or replaced (a new section): re-resolve */
	if (s != f->schema || (s && kcap_schema_generation(s) != f->schema_gen)) {
		reset_caches(f, s);
		f->schema_gen = s ? kcap_schema_generation(s) : 0;
	}
	ectx c = {.f = f, .ev = ev, .s = s, .ps = ps};
	c.def = ev->def ? ev->def : (s ? kcap_schema_type(s, ev->type_id) : NULL);
	return eval(&c, f->root);
}

/* Three-valued eval() on the canonical fields alone: 1 true, 0 false, -1
 * when a param or the process context decides. */
static int eval_head(ectx *c, const fnode *n)
{
	int a, b;
	switch (n->kind) {
	case N_AND:
		if (!(a = eval_head(c, n->a)) || !(b = eval_head(c, n->b)))
			return 0;
		return a == 1 && b == 1 ? 1 : -1;
	case N_OR:
		if ((a = eval_head(c, n->a)) == 1 || (b = eval_head(c, n->b)) == 1)
			return 1;
		return !a && !b ? 0 : -1;
	case N_NOT:
		return (a = eval_head(c, n->a)) < 0 ? -1 : !a;
	default:
		if (n->field == F_PARAM || n->field == F_PROC || n->field == F_PARENT)
			return -1;
		return eval(c, n);
	}
}

int kcap_filter_match_head(kcap_filter *f, const kcap_event *ev, const kcap_schema *s)
{
	if (!f || !ev)
		return 0;
	if (s != f->schema || (s && kcap_schema_generation(s) != f->schema_gen)) {
		reset_caches(f, s);
		f->schema_gen = s ? kcap_schema_generation(s) : 0;
	}
	ectx c = {.f = f, .ev = ev, .s = s};
	c.def = ev->def ? ev->def : (s ? kcap_schema_type(s, ev->type_id) : NULL);
	return eval_head(&c, f->root);
}

/* ---- block skipping ---- */

static int eval_type_only(const fnode *n, const kcap_type_def *d)
{
	switch (n->kind) {
	case N_AND: return eval_type_only(n->a, d) && eval_type_only(n->b, d);
	case N_OR: return eval_type_only(n->a, d) || eval_type_only(n->b, d);
	case N_NOT: return !eval_type_only(n->a, d);
	default: {
		const char *s = n->field == F_TYPE ? d->name : d->category;
		if (!s)
			return 0;
		if (n->op == OP_EXISTS)
			return !n->negate;
		int r = kcap__filter_match_str(n, s, strlen(s), NULL);
		return n->negate ? !r : r;
	}
	}
}


/* Fills n->tbits with the types that can satisfy n (type-only subtrees) or
 * that have n's param. */
static void type_bits(const kcap_filter *f, fnode *n, const kcap_schema *s, uint64_t fp)
{
	if (n->tb_schema == s && n->tb_gen == fp)
		return;
	memset(n->tbits, 0, sizeof(n->tbits));
	n->tb_high = 0;
	for (size_t i = 0;; i++) {
		const kcap_type_def *d = kcap_schema_type_at(s, i);
		if (!d)
			break;
		int ok = n->type_only ? eval_type_only(n, d) : kcap__filter_slot_index(f, n->pslot, d) >= 0;
		if (!ok)
			continue;
		if (d->id < 256)
			n->tbits[d->id >> 3] |= (uint8_t)(1u << (d->id & 7));
		else
			n->tb_high = 1;
	}
	n->tb_schema = s;
	n->tb_gen = fp;
}

static int bits_meet(const fnode *n, const kcap_block_summary *sum)
{
	for (int i = 0; i < 32; i++)
		if (n->tbits[i] & sum->types[i])
			return 1;
	return sum->types_overflow && n->tb_high;
}

static int lit_time(const kcap_filter *f, const flit *l, int64_t *t)
{
	fv x;
	int neg;
	uint64_t mag;
	memset(&x, 0, sizeof(x));
	x.is_time = 1;
	x.sign = 1;
	if (!lit_int(f, &x, l, &neg, &mag) || mag > (uint64_t)INT64_MAX)
		return 0;
	*t = neg ? -(int64_t)mag : (int64_t)mag;
	return 1;
}

static int range_may(int op, int64_t lo, int64_t hi, int64_t v)
{
	switch (op) {
	case OP_EQ: case OP_IN: return lo <= v && v <= hi;
	case OP_LT: return lo < v;
	case OP_LE: return lo <= v;
	case OP_GT: return hi > v;
	case OP_GE: return hi >= v;
	}
	return 1;
}

static int may(kcap_filter *f, fnode *n, const kcap_block_summary *sum, const kcap_schema *s, uint64_t fp)
{
	if (n->type_only) {
		if (!s)
			return 1;
		type_bits(f, n, s, fp);
		return bits_meet(n, sum);
	}
	switch (n->kind) {
	case N_AND: return may(f, n->a, sum, s, fp) && may(f, n->b, sum, s, fp);
	case N_OR: return may(f, n->a, sum, s, fp) || may(f, n->b, sum, s, fp);
	case N_NOT: return 1;
	default: break;
	}
	if (n->field == F_PARAM) {
		if (!s)
			return 1;
		type_bits(f, n, s, fp);
		return bits_meet(n, sum);
	}
	if (n->negate)
		return 1;
	if (n->field == F_PID) {
		int have_range = sum->pid_min <= sum->pid_max && (sum->bloom_bits || sum->pid_min || sum->pid_max);
		if (n->op == OP_EQ || n->op == OP_IN) {
			for (int i = 0; i < n->nlits; i++) {
				const flit *l = &n->lits[i];
				if (!l->has_num)
					return 1;
				int64_t v = l->neg ? -(int64_t)(l->mag > (uint64_t)INT64_MAX ? (uint64_t)INT64_MAX : l->mag)
				                   : (l->mag > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)l->mag);
				if (v < INT32_MIN || v > INT32_MAX)
					continue; /* no pid has this value */
				if (kcap_summary_may_have_pid(sum, (int32_t)v))
					return 1;
			}
			return 0;
		}
		if (have_range && n->op >= OP_LT && n->op <= OP_GE && n->lits[0].has_num) {
			const flit *l = &n->lits[0];
			int64_t v = l->mag > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)l->mag;
			if (l->neg)
				v = -v;
			return range_may(n->op, sum->pid_min, sum->pid_max, v);
		}
		return 1;
	}
	if (n->field == F_SEQ && (n->op == OP_IN || (n->op >= OP_EQ && n->op <= OP_GE && n->op != OP_NE))) {
		for (int i = 0; i < n->nlits; i++) {
			const flit *l = &n->lits[i];
			if (!l->has_num)
				return 1;
			if (l->neg) { /* below every seq */
				if (n->op == OP_GT || n->op == OP_GE)
					return 1;
				continue;
			}
			uint64_t v = l->mag, lo = sum->first_seq, hi = sum->last_seq;
			int ok;
			switch (n->op) {
			case OP_LT: ok = lo < v; break;
			case OP_LE: ok = lo <= v; break;
			case OP_GT: ok = hi > v; break;
			case OP_GE: ok = hi >= v; break;
			default: ok = lo <= v && v <= hi; break;
			}
			if (ok)
				return 1;
		}
		return 0;
	}
	if (n->field == F_TS) {
		if (n->op == OP_IN || (n->op >= OP_EQ && n->op <= OP_GE && n->op != OP_NE)) {
			for (int i = 0; i < n->nlits; i++) {
				int64_t t;
				if (!lit_time(f, &n->lits[i], &t) || range_may(n->op, sum->first_ts, sum->last_ts, t))
					return 1;
			}
			return 0;
		}
	}
	return 1;
}

int kcap_filter_block_may_match(kcap_filter *f, const kcap_block_summary *sum, const kcap_schema *s)
{
	if (!f || !sum)
		return 1;
	if (sum->count == 0)
		return 0;
	uint64_t fp = s ? kcap_schema_generation(s) : 0;
	return may(f, f->root, sum, s, fp);
}

/* ---- block skipping by the records' bytes ---- */

/* 1 if every type of s that has n's param has it as a string whose bytes a
 * record holds as they are (str, path, bytes; not a list, json or an
 * address, whose text is made from what is stored). */
static int param_stored_raw(const kcap_filter *f, fnode *n, const kcap_schema *s, uint64_t fp)
{
	if (n->raw_schema == s && n->raw_gen == fp)
		return n->raw_ok;
	int ok = 1;
	for (size_t i = 0; ok; i++) {
		const kcap_type_def *d = kcap_schema_type_at(s, i);
		if (!d)
			break;
		int k = kcap__filter_slot_index(f, n->pslot, d);
		if (k >= 0) {
			int t = d->params[k].type;
			ok = t == KCAP_T_STR || t == KCAP_T_PATH || t == KCAP_T_BYTES;
		}
	}
	n->raw_schema = s;
	n->raw_gen = fp;
	n->raw_ok = (uint8_t)ok;
	return ok;
}

static int body_may(kcap_filter *f, fnode *n, const uint8_t *p, size_t len, const kcap_schema *s, uint64_t fp)
{
	switch (n->kind) {
	case N_AND: return body_may(f, n->a, p, len, s, fp) && body_may(f, n->b, p, len, s, fp);
	case N_OR: return body_may(f, n->a, p, len, s, fp) || body_may(f, n->b, p, len, s, fp);
	case N_NOT: return 1;
	default: break;
	}
	if (n->negate || n->type_only)
		return 1;
	switch (n->op) {
	case OP_EQ: case OP_IN: case OP_CONTAINS: case OP_STARTS: case OP_ENDS: break;
	default: return 1;
	}
	if (n->field == F_PARAM) {
		if (!s || n->sub != S_NONE || f->slot_alias[n->pslot] != S_NONE || !param_stored_raw(f, n, s, fp))
			return 1;
	} else if (n->field != F_COMM) {
		return 1;
	}
	for (int i = 0; i < n->nlits; i++) {
		const flit *l = &n->lits[i];
		if (!l->len || memmem(p, len, l->text, l->len))
			return 1;
	}
	return 0;
}

int kcap_filter_body_may_match(kcap_filter *f, const uint8_t *records, size_t len, const kcap_schema *s)
{
	if (!f || !records)
		return 1;
	return body_may(f, f->root, records, len, s, s ? kcap_schema_generation(s) : 0);
}

/* ---- counting from block summaries ---- */

/* What a subtree says of every event of one type of a block: all match,
 * none does, or it depends on the event (the block must be read). */
enum { TRI_NONE = 0, TRI_ALL = 1, TRI_SOME = -1 };

typedef struct bctx {
	kcap_filter *f;
	const kcap_block_summary *sum;
	const kcap_schema *s;
	uint64_t fp;
	uint32_t id;
	const kcap_type_def *def;
} bctx;

/* n evaluated as eval() does for an event of the block's type whose field
 * (ts, seq or pid) is v: the predicate's own semantics, literal for literal. */
static int eval_at(bctx *b, const fnode *n, int field, int64_t v)
{
	kcap_event ev;
	memset(&ev, 0, sizeof ev);
	ev.type_id = b->id;
	ev.def = b->def;
	if (field == F_TS)
		ev.ts = v;
	else if (field == F_SEQ)
		ev.seq = (uint64_t)v;
	else
		ev.pid = (int32_t)v;
	ectx c = {.f = b->f, .ev = &ev, .s = b->s, .def = b->def};
	return eval(&c, n) ? TRI_ALL : TRI_NONE;
}

static int tri(bctx *b, fnode *n)
{
	if (n->type_only) { /* type and category: decided by the type alone */
		kcap_event ev;
		memset(&ev, 0, sizeof ev);
		ev.type_id = b->id;
		ev.def = b->def;
		ectx c = {.f = b->f, .ev = &ev, .s = b->s, .def = b->def};
		return eval(&c, n) ? TRI_ALL : TRI_NONE;
	}
	int x, y;
	switch (n->kind) {
	case N_AND:
		if ((x = tri(b, n->a)) == TRI_NONE || (y = tri(b, n->b)) == TRI_NONE)
			return TRI_NONE;
		return x == TRI_ALL && y == TRI_ALL ? TRI_ALL : TRI_SOME;
	case N_OR:
		if ((x = tri(b, n->a)) == TRI_ALL || (y = tri(b, n->b)) == TRI_ALL)
			return TRI_ALL;
		return x == TRI_NONE && y == TRI_NONE ? TRI_NONE : TRI_SOME;
	case N_NOT:
		return (x = tri(b, n->a)) == TRI_SOME ? TRI_SOME : !x;
	default: break;
	}
	const kcap_block_summary *sum = b->sum;
	if (n->field == F_PARAM) /* no event of a type without the param matches (eval_pred) */
		return b->def && kcap__filter_slot_index(b->f, n->pslot, b->def) < 0 ? TRI_NONE : TRI_SOME;
	if (n->field != F_TS && n->field != F_SEQ && n->field != F_PID)
		return TRI_SOME;
	int64_t lo, hi;
	if (n->field == F_TS) {
		lo = sum->first_ts;
		hi = sum->last_ts;
	} else if (n->field == F_PID) {
		lo = sum->pid_min;
		hi = sum->pid_max;
	} else {
		if (sum->first_seq > INT64_MAX || sum->last_seq > INT64_MAX)
			return TRI_SOME;
		lo = (int64_t)sum->first_seq;
		hi = (int64_t)sum->last_seq;
	}
	if (lo == hi) /* one value for every event of the block */
		return eval_at(b, n, n->field, lo);
	if (n->op >= OP_LT && n->op <= OP_GE && !n->negate) { /* monotonic: the ends decide */
		x = eval_at(b, n, n->field, lo);
		y = eval_at(b, n, n->field, hi);
		return x == y ? x : TRI_SOME;
	}
	if ((n->op == OP_EQ || n->op == OP_IN) && !n->negate && !may(b->f, n, sum, b->s, b->fp))
		return TRI_NONE; /* no event of the block has the value (ranges, pid Bloom filter) */
	return TRI_SOME;
}

int kcap_filter_block_count(kcap_filter *f, const kcap_block_summary *sum, const kcap_schema *s, uint64_t *n)
{
	if (!f || !sum || !n || !sum->counts || f->anchors)
		return 0;
	if (s != f->schema || (s && kcap_schema_generation(s) != f->schema_gen)) {
		reset_caches(f, s);
		f->schema_gen = s ? kcap_schema_generation(s) : 0;
	}
	if (kcap_summary_counts(sum, &f->bc) != 1)
		return 0;
	bctx b = {.f = f, .sum = sum, .s = s, .fp = s ? kcap_schema_generation(s) : 0};
	uint64_t total = 0;
	for (size_t i = 0; i < f->bc.ntypes; i++) {
		b.id = f->bc.type_id[i];
		b.def = s ? kcap_schema_type(s, b.id) : NULL;
		int t = tri(&b, f->root);
		if (t == TRI_SOME)
			return 0;
		if (t == TRI_ALL)
			total += f->bc.type_n[i];
	}
	*n = total;
	return 1;
}

/* ---- columns of CSV output ---- */

int kcap__field_text(kcap_buf *b, const kcap_event *ev, const kcap_schema *s, const kcap_procstate *ps,
                     const char *name)
{
	kfield k;
	fv x;
	kcap_buf scratch = {0};
	kcap_json_cache jc = {0};
	int rc = 0;
	memset(&x, 0, sizeof(x));
	if (kcap__field_parse(name, strlen(name), &k, NULL))
		return 0;
	if (k.field == F_PROC || k.field == F_PARENT) {
		rc = proc_field(ps, ev, k.field, k.sub, &scratch, &x);
	} else if (k.field == F_PARAM) {
		const kcap_type_def *def = ev->def ? ev->def : kcap_schema_type(s, ev->type_id);
		char pname[128];
		snprintf(pname, sizeof(pname), "%.*s", (int)k.plen, k.pname);
		int idx = def ? param_for(def, pname, k.alias) : -1;
		if (idx >= 0 && (uint32_t)idx < ev->nparams && ev->params[idx].present) {
			x.pd = &def->params[idx];
			if (k.alias == S_KEY && x.pd->type == KCAP_T_JSON && strcmp(x.pd->name, pname))
				rc = json_key_field(&jc, ev, &ev->params[idx], pname, &x);
			else
				rc = param_field(&ev->params[idx], k.sub, k.alias, &scratch, &x);
		}
	}
	if (!rc)
		goto cleanup;
	char t[INET6_ADDRSTRLEN + 8];
	if (x.k == K_STR) {
		rc = !kcap_buf_append(b, x.s, x.n);
	} else if (x.k == K_IP && x.v && x.v->type == KCAP_T_SOCKADDR && (k.sub == S_IP || k.alias == S_IP)) {
		/* the address of a sockaddr alone */
		rc = inet_ntop(x.ipv == 4 ? AF_INET : AF_INET6, x.addr, t, sizeof(t)) && !kcap_buf_append(b, t, strlen(t));
	} else if (x.v && x.pd) {
		rc = !kcap_render_value(b, x.v, s, x.pd);
	} else {
		int m = x.sign ? snprintf(t, sizeof(t), "%lld", (long long)x.i)
		               : snprintf(t, sizeof(t), "%llu", (unsigned long long)x.u);
		rc = !kcap_buf_append(b, t, (size_t)m);
	}
cleanup:
	kcap_buf_free(&scratch);
	kcap__json_cache_free(&jc);
	return rc;
}
