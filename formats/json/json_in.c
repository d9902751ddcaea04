/* JSON lines back into events: the inverse of kcap_render_json (render.c).
 *
 * json_parse.c parses the line into a flat array of values held in the
 * scratch and reused from line to line. It takes what the renderer writes as
 * it is: \udcXX escapes and raw bytes in strings (bytes that are not UTF-8)
 * decode to those bytes, and integers are exact over the whole i64 and u64
 * ranges. Embedded JSON params are taken verbatim from the line (the renderer
 * embeds them verbatim, and re-serializing would change e.g. audit's ", "
 * spacing), so the round trip is byte-exact. A key given twice in one object
 * counts once, with its last value, in the place of its first (as jansson
 * orders them).
 *
 * Contract beyond kcap.h: missing or null canonical keys read as 0 (comm as
 * empty), except a null cpu, which reads as UINT32_MAX (not known, as the
 * renderer writes null); "type" is required. For a type of the schema,
 * every member of "params" and every top-level key that is not canonical
 * (time, category, host, source, proc are accepted and not params) must name
 * a param, and fit
 * its type, else KCAP_E_SYNTAX names it. Types this scratch inferred never
 * fail on a value: a value that does not fit, or a new key, makes a new
 * variant of the type (same name and category, fresh id) where that param is
 * str (holding a string's text, or the JSON text of anything else) and new
 * keys are appended; later lines of that name use the latest variant.
 * Numbers that are not integers of 64 bits (reals, larger integers) infer as
 * json. */
#include "common/port.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <kcap/taxonomy.h>
#include "core/core.h"
#include "common/json_parse.h"
#include "json_in.h"

#define ARENA_MIN ((size_t)64 << 10)
#define MAX_ORIGINS 65536u

/* Arena for values the line does not hold as they are (hex bytes, SIDs). */
typedef struct chunk {
	struct chunk *next;
	size_t cap, used;
	unsigned char data[];
} chunk;

typedef struct origin {
	char *host, *source;
} origin;

/* A type this scratch created by inference: name -> id of its latest variant. */
typedef struct inferred {
	char *name;
	uint32_t id;
} inferred;

struct kcap_json_scratch {
	chunk *chunks;
	kcap_jp jp; /* the parsed line; event strings may point into it */
	const char *line; /* the caller's line, for verbatim spans */
	kcap_value vals[KCAP_MAX_PARAMS];
	origin *origins;
	size_t norigins, caporigins, last_origin;
	inferred *inf;
	size_t ninf, capinf;
	int taxonomy;     /* unknown names are looked up in the standard taxonomy */
	uint32_t *adopted; /* ids of the taxonomy types taken so */
	size_t nadopted, capadopted;
	/* the line's keys that are not event fields (kcap_json_line_*) */
	const kcap_jv *l_proc, *l_origin, *l_time, *l_user, *l_group;
	int l_has_seq, l_has_ts;
};

/* ---- arena ---- */

static void *arena_alloc(kcap_json_scratch *sc, size_t n)
{
	chunk *c = sc->chunks;
	if (!c || c->cap - c->used < n) {
		size_t cap = c && c->cap * 2 > ARENA_MIN ? c->cap * 2 : ARENA_MIN;
		if (cap < n)
			cap = n;
		chunk *nc = malloc(sizeof *nc + cap);
		if (!nc)
			return NULL;
		nc->cap = cap;
		nc->used = 0;
		nc->next = c;
		sc->chunks = c = nc;
	}
	void *p = c->data + c->used;
	c->used += n;
	return p;
}

/* Empties the arena; several chunks are merged into one so that steady state
 * needs a single chunk and no allocation. */
static void arena_reset(kcap_json_scratch *sc)
{
	chunk *c = sc->chunks;
	if (!c)
		return;
	if (!c->next) {
		c->used = 0;
		return;
	}
	size_t total = 0;
	while (c) {
		chunk *next = c->next;
		total += c->cap;
		free(c);
		c = next;
	}
	sc->chunks = NULL;
	c = malloc(sizeof *c + total);
	if (c) {
		c->cap = total;
		c->used = 0;
		c->next = NULL;
		sc->chunks = c;
	}
}

kcap_json_scratch *kcap_json_scratch_new(void)
{
	kcap_json_scratch *sc = calloc(1, sizeof *sc);
	return sc;
}

void kcap_json_scratch_free(kcap_json_scratch *sc)
{
	if (!sc)
		return;
	kcap_jp_free(&sc->jp);
	for (chunk *c = sc->chunks, *n; c; c = n) {
		n = c->next;
		free(c);
	}
	for (size_t i = 0; i < sc->norigins; i++) {
		free(sc->origins[i].host);
		free(sc->origins[i].source);
	}
	for (size_t i = 0; i < sc->ninf; i++)
		free(sc->inf[i].name);
	free(sc->origins);
	free(sc->inf);
	free(sc->adopted);
	free(sc);
}

void kcap_json_set_taxonomy(kcap_json_scratch *sc, int on)
{
	if (sc)
		sc->taxonomy = on;
}

size_t kcap_json_origin_count(const kcap_json_scratch *sc) { return sc ? sc->norigins : 0; }

int kcap_json_origin_at(const kcap_json_scratch *sc, size_t i, const char **host, const char **source)
{
	if (!sc || i >= sc->norigins)
		return 0;
	if (host)
		*host = sc->origins[i].host;
	if (source)
		*source = sc->origins[i].source;
	return 1;
}
static int syntax(kcap_error *err, const kcap_jv *at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* A KCAP_E_SYNTAX error at the value at (at the line start if NULL). */
static int syntax(kcap_error *err, const kcap_jv *at, const char *fmt, ...)
{
	if (!err)
		return KCAP_E_SYNTAX;
	memset(err, 0, sizeof *err);
	err->code = KCAP_E_SYNTAX;
	err->offset = -1;
	err->column = at ? (at->off >= INT32_MAX ? INT32_MAX : (int)at->off + 1) : 1;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	return KCAP_E_SYNTAX;
}

/* ---- values ---- */

static void int_limits(int t, int64_t *lo, uint64_t *hi)
{
	*lo = 0;
	switch (t) {
	case KCAP_T_U8: *hi = UINT8_MAX; break;
	case KCAP_T_U16: *hi = UINT16_MAX; break;
	case KCAP_T_U32: case KCAP_T_UID: case KCAP_T_GID: *hi = UINT32_MAX; break;
	case KCAP_T_BOOL: *hi = 1; break;
	case KCAP_T_I8: *lo = INT8_MIN; *hi = INT8_MAX; break;
	case KCAP_T_I16: *lo = INT16_MIN; *hi = INT16_MAX; break;
	case KCAP_T_I32: case KCAP_T_PID: case KCAP_T_FD: *lo = INT32_MIN; *hi = INT32_MAX; break;
	case KCAP_T_I64: case KCAP_T_RET: case KCAP_T_TIMESTAMP: case KCAP_T_DURATION:
		*lo = INT64_MIN;
		*hi = INT64_MAX;
		break;
	default: *hi = UINT64_MAX; break;
	}
}

/* Stores integer (neg, mag) in v for type t; 1 if out of range. */
static int set_int(kcap_value *v, int t, int neg, uint64_t mag)
{
	int64_t lo;
	uint64_t hi;
	int_limits(t, &lo, &hi);
	if (neg && mag) {
		if (mag > (uint64_t)0 - (uint64_t)lo)
			return 1;
		v->i = mag == (uint64_t)1 << 63 ? INT64_MIN : -(int64_t)mag;
	} else {
		if (mag > hi)
			return 1;
		v->u = mag;
	}
	return 0;
}

static int hexval(unsigned char c)
{
	return c >= '0' && c <= '9' ? c - '0' : (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (c | 0x20) - 'a' + 10 : -1;
}

/* Hex text into bytes in the arena; 1 if not hex. */
static int unhex(kcap_json_scratch *sc, const char *s, size_t n, const uint8_t **p, uint32_t *len)
{
	if (n % 2 || n / 2 > UINT32_MAX)
		return 1;
	uint8_t *d = arena_alloc(sc, n / 2 ? n / 2 : 1);
	if (!d)
		return KCAP_E_NOMEM;
	for (size_t i = 0; i < n; i += 2) {
		int a = hexval((unsigned char)s[i]), b = hexval((unsigned char)s[i + 1]);
		if (a < 0 || b < 0)
			return 1;
		d[i / 2] = (uint8_t)(a << 4 | b);
	}
	*p = d;
	*len = (uint32_t)(n / 2);
	return 0;
}

/* Unsigned number in s[0..n): 0x hex or decimal. 0 on success. */
static int parse_num(const char *s, size_t n, uint64_t *out)
{
	int base = 10;
	if (n > 2 && s[0] == '0' && (s[1] | 0x20) == 'x') {
		base = 16;
		s += 2;
		n -= 2;
	}
	if (!n || n > 20)
		return -1;
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		int d = hexval((unsigned char)s[i]);
		if (d < 0 || d >= base || v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
			return -1;
		v = v * (uint64_t)base + (uint64_t)d;
	}
	*out = v;
	return 0;
}

static int sym_lookup(const kcap_symset *set, const char *s, size_t n, uint64_t *out)
{
	for (uint32_t i = 0; set && i < set->nsyms; i++)
		if (set->syms[i].name && strlen(set->syms[i].name) == n && !memcmp(set->syms[i].name, s, n)) {
			*out = set->syms[i].value;
			return 0;
		}
	return -1;
}

/* FLAGS/ENUM/ERRNO text through a symset: "A|B|0x10" (flags sets) or one
 * name or number (enum sets). 1 if it does not parse. */
static int parse_symbolic(const char *s, size_t n, const kcap_symset *set, int flags, uint64_t *out)
{
	if (set ? set->kind != KCAP_SYMSET_FLAGS : !flags) {
		if (!sym_lookup(set, s, n, out) || !parse_num(s, n, out))
			return 0;
		return 1;
	}
	uint64_t v = 0;
	size_t i = 0;
	for (;;) {
		const char *bar = memchr(s + i, '|', n - i);
		size_t e = bar ? (size_t)(bar - s) : n;
		uint64_t x;
		if (sym_lookup(set, s + i, e - i, &x) && parse_num(s + i, e - i, &x))
			return 1;
		v |= x;
		if (!bar)
			break;
		i = e + 1;
	}
	*out = v;
	return 0;
}

/* "S-1-5-21-..." into the binary SID layout; 1 if malformed. */
static int parse_sid(kcap_json_scratch *sc, const char *s, size_t n, kcap_value *v)
{
	uint64_t parts[258];
	size_t np = 0, i = 2;
	while (i <= n) {
		const char *dash = memchr(s + i, '-', n - i);
		size_t e = dash ? (size_t)(dash - s) : n;
		if (np == 258 || e == i || e - i > 20)
			return 1;
		for (size_t k = i; k < e; k++)
			if (s[k] < '0' || s[k] > '9')
				return 1;
		if (parse_num(s + i, e - i, &parts[np++]))
			return 1;
		if (!dash)
			break;
		i = e + 1;
	}
	if (np < 2 || parts[0] > 255 || parts[1] >= (uint64_t)1 << 48 || np - 2 > 255)
		return 1;
	size_t len = 8 + 4 * (np - 2);
	uint8_t *d = arena_alloc(sc, len);
	if (!d)
		return KCAP_E_NOMEM;
	d[0] = (uint8_t)parts[0];
	d[1] = (uint8_t)(np - 2);
	for (int k = 0; k < 6; k++)
		d[2 + k] = (uint8_t)(parts[1] >> (8 * (5 - k)));
	for (size_t k = 2; k < np; k++) {
		if (parts[k] > UINT32_MAX)
			return 1;
		put_u32(d + 8 + 4 * (k - 2), (uint32_t)parts[k]);
	}
	v->p = d;
	v->len = (uint32_t)len;
	return 0;
}

/* "{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}" with Data1..3 little-endian. */
static int parse_guid(const char *s, size_t n, uint8_t *g)
{
	static const int pos[16] = {1, 3, 5, 7, 10, 12, 15, 17, 20, 22, 25, 27, 29, 31, 33, 35};
	static const int order[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
	if (n != 38 || s[0] != '{' || s[37] != '}' || s[9] != '-' || s[14] != '-' || s[19] != '-' || s[24] != '-')
		return 1;
	for (int i = 0; i < 16; i++) {
		int a = hexval((unsigned char)s[pos[i]]), b = hexval((unsigned char)s[pos[i] + 1]);
		if (a < 0 || b < 0)
			return 1;
		g[order[i]] = (uint8_t)(a << 4 | b);
	}
	return 0;
}

static int parse_ip(const char *s, size_t n, int v6, uint8_t *addr)
{
	char tmp[INET6_ADDRSTRLEN + 1];
	if (n >= sizeof tmp || memchr(s, 0, n))
		return 1;
	memcpy(tmp, s, n);
	tmp[n] = 0;
	return inet_pton(v6 ? AF_INET6 : AF_INET, tmp, addr) == 1 ? 0 : 1;
}
static const kcap_jv *member(const kcap_json_scratch *sc, const kcap_jv *o, const char *k)
{
	return kcap_jp_member(&sc->jp, o, k, strlen(k));
}

static int is_str(const kcap_jv *j) { return j && j->kind == KCAP_JV_STR; }
static int is_int(const kcap_jv *j) { return j && j->kind == KCAP_JV_INT; }

/* 1 if every member of object o is named in keys (NULL-terminated). */
static int only_keys(const kcap_json_scratch *sc, const kcap_jv *o, const char *const *keys)
{
	const kcap_jv *k = o + 1;
	for (uint32_t i = 0; i < o->n; i++, k = kcap_jp_skip(&sc->jp, k + 1)) {
		const char *const *w = keys;
		while (*w && strcmp(*w, k->u.s))
			w++;
		if (!*w)
			return 0;
	}
	return 1;
}

/* Sockaddr object; 1 if it is not one. exact: no keys beyond the family's. */
static int parse_sockaddr(kcap_json_scratch *sc, const kcap_jv *j, kcap_value *v, int exact)
{
	static const char *const inet_keys[] = {"family", "addr", "port", NULL};
	static const char *const unix_keys[] = {"family", "path", NULL};
	static const char *const other_keys[] = {"family", "raw", NULL};
	static const char *const none_keys[] = {"family", NULL};
	const kcap_jv *fam = member(sc, j, "family");
	if (!is_str(fam))
		return 1;
	const char *f = fam->u.s;
	if (!strcmp(f, "inet") || !strcmp(f, "inet6")) {
		const kcap_jv *a = member(sc, j, "addr"), *port = member(sc, j, "port");
		if (!is_str(a) || !is_int(port) || port->neg || port->u.mag > 65535 || (exact && !only_keys(sc, j, inet_keys)))
			return 1;
		v->af = f[4] ? KCAP_AF_INET6 : KCAP_AF_INET;
		v->port = (uint16_t)port->u.mag;
		return parse_ip(a->u.s, a->n, f[4] != 0, v->addr);
	}
	if (!strcmp(f, "unix")) {
		const kcap_jv *p = member(sc, j, "path");
		if (!is_str(p) || (exact && !only_keys(sc, j, unix_keys)))
			return 1;
		v->p = (const uint8_t *)p->u.s;
		v->len = p->n;
		v->af = KCAP_AF_UNIX;
		return 0;
	}
	if (!strcmp(f, "other")) {
		const kcap_jv *r = member(sc, j, "raw");
		if (!is_str(r) || (exact && !only_keys(sc, j, other_keys)))
			return 1;
		v->af = KCAP_AF_OTHER;
		return unhex(sc, r->u.s, r->n, &v->p, &v->len);
	}
	if (!strcmp(f, "none") && (!exact || only_keys(sc, j, none_keys))) {
		v->af = KCAP_AF_NONE;
		return 0;
	}
	return 1;
}

/* A string list: the elements are decoded back to back, each NUL-terminated,
 * which is the STRLIST layout already. 1 if j is not an array of strings. */
static int strlist_of(const kcap_jv *j, kcap_value *v)
{
	if (j->kind != KCAP_JV_ARR)
		return 1;
	const kcap_jv *e = j + 1;
	for (uint32_t i = 0; i < j->n; i++)
		if (e[i].kind != KCAP_JV_STR)
			return 1;
	if (!j->n) {
		v->p = (const uint8_t *)"";
		v->len = v->count = 0;
		return 0;
	}
	const char *end = e[j->n - 1].u.s + e[j->n - 1].n + 1;
	if ((size_t)(end - e[0].u.s) > UINT32_MAX)
		return 1;
	v->p = (const uint8_t *)e[0].u.s;
	v->len = (uint32_t)(end - e[0].u.s);
	v->count = j->n;
	return 0;
}

/*
 * Converts JSON value j into v (whose type is set) for param pd. Returns 0,
 * 1 when j does not fit the type, or a negative error. lenient (inferred
 * types): a STR param takes any value, as the JSON text of non-strings.
 */
static int convert(kcap_json_scratch *sc, const kcap_schema *s, const kcap_param_def *pd, const kcap_jv *j,
		   kcap_value *v, int lenient)
{
	int t = pd->type, rc = 0;
	uint64_t mag;
	const char *str = is_str(j) ? j->u.s : NULL;
	size_t slen = str ? j->n : 0;
	v->present = 0;
	if (!j || j->kind == KCAP_JV_NULL)
		return 0;
	switch (t) {
	case KCAP_T_BOOL:
		if (j->kind != KCAP_JV_TRUE && j->kind != KCAP_JV_FALSE)
			return 1;
		v->u = j->kind == KCAP_JV_TRUE;
		break;
	case KCAP_T_U8: case KCAP_T_U16: case KCAP_T_U32: case KCAP_T_U64: case KCAP_T_UID: case KCAP_T_GID:
	case KCAP_T_I8: case KCAP_T_I16: case KCAP_T_I32: case KCAP_T_I64: case KCAP_T_FD: case KCAP_T_RET:
	case KCAP_T_PID: case KCAP_T_TIMESTAMP: case KCAP_T_DURATION:
		if (!is_int(j) || set_int(v, t, j->neg, j->u.mag))
			return 1;
		break;
	case KCAP_T_FLAGS: case KCAP_T_ENUM: case KCAP_T_ERRNO:
		if (is_int(j)) {
			if (set_int(v, t, j->neg, j->u.mag))
				return 1;
		} else if (!str || parse_symbolic(str, slen, pd->symset ? kcap_schema_symset(s, pd->symset) : NULL, t == KCAP_T_FLAGS, &v->u)) {
			return 1;
		}
		break;
	case KCAP_T_MODE:
		if (is_int(j)) {
			if (set_int(v, t, j->neg, j->u.mag))
				return 1;
			break;
		}
		if (!str || !slen || slen > 22)
			return 1;
		mag = 0;
		for (size_t i = 0; i < slen; i++) {
			if (str[i] < '0' || str[i] > '7' || mag >> 61)
				return 1;
			mag = mag * 8 + (uint64_t)(str[i] - '0');
		}
		v->u = mag;
		break;
	case KCAP_T_STR: case KCAP_T_PATH: case KCAP_T_JSON:
		/* a json param, or an inferred str, takes anything else as its text */
		if (!str && t != KCAP_T_JSON && !(lenient && t == KCAP_T_STR))
			return 1;
		v->p = (const uint8_t *)(str ? str : sc->line + j->off);
		v->len = str ? j->n : j->len;
		break;
	case KCAP_T_BYTES:
		if (!str)
			return 1;
		rc = unhex(sc, str, slen, &v->p, &v->len);
		if (rc)
			return rc;
		break;
	case KCAP_T_SID:
		if (!str)
			return 1;
		rc = slen >= 2 && str[0] == 'S' && str[1] == '-' ? parse_sid(sc, str, slen, v)
								   : unhex(sc, str, slen, &v->p, &v->len);
		if (rc)
			return rc;
		break;
	case KCAP_T_GUID:
		if (!str || parse_guid(str, slen, v->addr))
			return 1;
		break;
	case KCAP_T_IPV4: case KCAP_T_IPV6:
		if (!str || parse_ip(str, slen, t == KCAP_T_IPV6, v->addr))
			return 1;
		break;
	case KCAP_T_SOCKADDR:
		rc = parse_sockaddr(sc, j, v, lenient);
		if (rc)
			return rc;
		break;
	case KCAP_T_STRLIST:
		if (strlist_of(j, v))
			return 1;
		break;
	default:
		return 1;
	}
	v->present = 1;
	return 0;
}

static const char *json_kind(const kcap_jv *j)
{
	switch (j->kind) {
	case KCAP_JV_OBJ: return "an object";
	case KCAP_JV_ARR: return "an array";
	case KCAP_JV_STR: return "a string";
	case KCAP_JV_INT: return "an integer";
	case KCAP_JV_NUM: return j->real ? "a real number" : "an integer";
	case KCAP_JV_TRUE: case KCAP_JV_FALSE: return "a boolean";
	default: return "null";
	}
}

/* ---- inference ---- */

/* Param type for a value of an unknown type. */
static int infer_type(kcap_json_scratch *sc, const kcap_jv *j)
{
	kcap_value tmp;
	switch (j->kind) {
	case KCAP_JV_INT:
		return !j->neg || j->u.mag <= (uint64_t)1 << 63 ? (j->neg || j->u.mag <= INT64_MAX ? KCAP_T_I64 : KCAP_T_U64)
							       : KCAP_T_JSON;
	case KCAP_JV_TRUE: case KCAP_JV_FALSE: return KCAP_T_BOOL;
	case KCAP_JV_STR: case KCAP_JV_NULL: return KCAP_T_STR;
	case KCAP_JV_ARR:
		return strlist_of(j, &tmp) ? KCAP_T_JSON : KCAP_T_STRLIST;
	case KCAP_JV_OBJ:
		memset(&tmp, 0, sizeof tmp);
		return parse_sockaddr(sc, j, &tmp, 1) ? KCAP_T_JSON : KCAP_T_SOCKADDR;
	default: return KCAP_T_JSON;
	}
}

static const kcap_type_def *inferred_type(const kcap_json_scratch *sc, const kcap_schema *s, const char *name)
{
	for (size_t i = 0; i < sc->ninf; i++)
		if (!strcmp(sc->inf[i].name, name))
			return kcap_schema_type(s, sc->inf[i].id);
	return NULL;
}

static uint32_t fresh_id(const kcap_schema *s)
{
	uint32_t max = 0;
	const kcap_type_def *t;
	for (size_t i = 0; (t = kcap_schema_type_at(s, i)) != NULL; i++)
		if (t->id > max)
			max = t->id;
	return max + 1;
}

/* Adds def to s under a fresh id and records it as the current variant of
 * its name. */
static int add_inferred(kcap_json_scratch *sc, kcap_schema *s, kcap_type_def *def, const kcap_type_def **out)
{
	def->id = fresh_id(s);
	if (def->id == 0)
		return KCAP_E_UNSUPPORTED;
	int rc = kcap_schema_add_type(s, def);
	if (rc)
		return rc;
	size_t i = 0;
	while (i < sc->ninf && strcmp(sc->inf[i].name, def->name))
		i++;
	if (i == sc->ninf) {
		if (kcap_array_room(&sc->inf, &sc->capinf, sc->ninf, sizeof *sc->inf, 16))
			return KCAP_E_NOMEM;
		sc->inf[i].name = strdup(def->name);
		if (!sc->inf[i].name)
			return KCAP_E_NOMEM;
		sc->ninf++;
	}
	sc->inf[i].id = def->id;
	*out = kcap_schema_type(s, def->id);
	return *out ? 0 : KCAP_E_NOMEM;
}

/* ---- the event ---- */

/* Top-level keys that are not params, in the order of canon[] below. */
enum { K_SEQ, K_TS, K_PID, K_TID, K_PPID, K_CPU, K_UID, K_GID, K_COMM, K_TYPE, K_CATEGORY, K_HOST, K_SOURCE,
       K_PARAMS, K_TIME, K_PROC, K_USER, K_GROUP, K_ORIGIN, K_N };
/* user and group are the recording host's names for uid and gid, derived
 * from its snapshot (render.c): never params. */
static const char *const canon_keys[K_N] = {"seq", "ts", "pid", "tid", "ppid", "cpu", "uid", "gid", "comm",
					     "type", "category", "host", "source", "params", "time", "proc",
					     "user", "group", "origin"};

/* Index in canon_keys of key k (n bytes), or -1. */
static int canonical_key(const char *k, uint32_t n)
{
	int i;
	switch (n) {
	case 2: i = K_TS; break;
	case 3:
		i = k[0] == 's' ? K_SEQ : k[0] == 'p' ? K_PID : k[0] == 't' ? K_TID : k[0] == 'c' ? K_CPU
		  : k[0] == 'u' ? K_UID : K_GID;
		break;
	case 4:
		i = k[0] == 'p' ? (k[1] == 'p' ? K_PPID : K_PROC) : k[0] == 'c' ? K_COMM : k[0] == 'h' ? K_HOST
		  : k[0] == 'u' ? K_USER : k[1] == 'y' ? K_TYPE : K_TIME;
		break;
	case 5: i = K_GROUP; break;
	case 6: i = k[0] == 's' ? K_SOURCE : k[0] == 'o' ? K_ORIGIN : K_PARAMS; break;
	case 8: i = K_CATEGORY; break;
	default: return -1;
	}
	for (uint32_t j = 0; j < n; j++) /* short: no call to memcmp */
		if (k[j] != canon_keys[i][j])
			return -1;
	return i;
}

/* A member that feeds a param. */
typedef struct slot {
	const char *key;
	uint32_t klen;
	const kcap_jv *val;
	int in_params;
} slot;

/* Canonical integer field; missing or null leaves *out at 0. */
static int canon_int(const kcap_jv *j, const char *key, int t, kcap_value *out, kcap_error *err)
{
	out->u = 0;
	if (!j || j->kind == KCAP_JV_NULL)
		return 0;
	if (!is_int(j) && !(j->kind == KCAP_JV_NUM && !j->real))
		return syntax(err, j, "\"%s\" must be an integer, not %s", key, json_kind(j));
	if (!is_int(j) || set_int(out, t, j->neg, j->u.mag))
		return syntax(err, j, "\"%s\" is out of range", key);
	return 0;
}

/* A real number that holds an integer of the i64 range, as ns. */
static int ts_real(const kcap_json_scratch *sc, const kcap_jv *j, int64_t *out)
{
	char t[64];
	if (j->len >= sizeof t)
		return 0;
	memcpy(t, sc->line + j->off, j->len);
	t[j->len] = 0;
	char *end;
	double d = strtod(t, &end);
	if (*end || !(d >= -9.2e18 && d <= 9.2e18) || d != (double)(int64_t)d)
		return 0;
	*out = (int64_t)d;
	return 1;
}

/* String field as a C string (stops at an embedded NUL); NULL if missing. */
static int opt_str(const kcap_jv *j, const char *key, const char **out, kcap_error *err)
{
	*out = NULL;
	if (!j || j->kind == KCAP_JV_NULL)
		return 0;
	if (!is_str(j))
		return syntax(err, j, "\"%s\" must be a string, not %s", key, json_kind(j));
	*out = j->u.s;
	return 0;
}

static int same(const char *a, const char *b) { return a == b || (a && b && !strcmp(a, b)); }

static int origin_of(kcap_json_scratch *sc, const char *host, const char *source, uint16_t *out, kcap_error *err)
{
	size_t i = sc->last_origin;
	if (i >= sc->norigins || !same(sc->origins[i].host, host) || !same(sc->origins[i].source, source)) {
		for (i = 0; i < sc->norigins; i++)
			if (same(sc->origins[i].host, host) && same(sc->origins[i].source, source))
				break;
	}
	if (i == sc->norigins) {
		if (i >= MAX_ORIGINS) {
			kcap_seterr(err, KCAP_E_UNSUPPORTED, -1, "more than %u distinct host/source pairs", MAX_ORIGINS);
			return KCAP_E_UNSUPPORTED;
		}
		if (sc->norigins == sc->caporigins) {
			size_t cap = sc->caporigins ? sc->caporigins * 2 : 8;
			origin *n = realloc(sc->origins, cap * sizeof *n);
			if (!n)
				return kcap_seterr(err, KCAP_E_NOMEM, -1, "out of memory");
			sc->origins = n;
			sc->caporigins = cap;
		}
		origin o = {host ? strdup(host) : NULL, source ? strdup(source) : NULL};
		if ((host && !o.host) || (source && !o.source)) {
			free(o.host);
			free(o.source);
			return kcap_seterr(err, KCAP_E_NOMEM, -1, "out of memory");
		}
		sc->origins[sc->norigins++] = o;
	}
	sc->last_origin = i;
	*out = (uint16_t)i;
	return 0;
}

/* Appends the members of object o that feed params to slots (at the top
 * level, canonical keys are skipped). A key given twice keeps its first
 * place and takes the last value. */
static int gather(kcap_json_scratch *sc, const kcap_jv *o, int in_params, slot *slots, size_t *n, kcap_error *err)
{
	size_t first = *n;
	const kcap_jv *k = o + 1;
	for (uint32_t i = 0; i < o->n; i++, k = kcap_jp_skip(&sc->jp, k + 1)) {
		if (!in_params && canonical_key(k->u.s, k->n) >= 0)
			continue;
		size_t d = first;
		while (d < *n && (slots[d].klen != k->n || memcmp(slots[d].key, k->u.s, k->n)))
			d++;
		if (d < *n) {
			slots[d].val = k + 1;
			continue;
		}
		if (*n == KCAP_MAX_PARAMS)
			return syntax(err, kcap_jp_member(&sc->jp, o, k->u.s, k->n), "more than %d params", KCAP_MAX_PARAMS);
		slots[(*n)++] = (slot){k->u.s, k->n, k + 1, in_params};
	}
	return 0;
}

static int conv_err(kcap_json_scratch *sc, kcap_error *err, int rc, const kcap_type_def *def, const slot *sl)
{
	if (rc < 0)
		return kcap_seterr(err, rc, -1, "out of memory");
	const kcap_param_def *pd = &def->params[kcap_type_param_index(def, sl->key)];
	uint32_t len = sl->val->len; /* quote the value as written */
	return syntax(err, sl->val, "param \"%s\" of \"%s\" is not a valid %s: %.*s%s", sl->key, def->name,
		      kcap_ptype_name(pd->type), (int)(len > 40 ? 40 : len), sc->line + sl->val->off,
		      len > 40 ? "..." : "");
}

static void clear_vals(kcap_json_scratch *sc, const kcap_type_def *def)
{
	memset(sc->vals, 0, def->nparams * sizeof sc->vals[0]);
	for (uint32_t i = 0; i < def->nparams; i++)
		sc->vals[i].type = def->params[i].type;
}

/* Known type: every member must name a param and fit its type. */
static int fill_known(kcap_json_scratch *sc, const kcap_schema *s, const kcap_type_def *def, slot *slots, size_t n,
		      kcap_error *err)
{
	const kcap_jv *seen[KCAP_MAX_PARAMS] = {0};
	clear_vals(sc, def);
	for (size_t i = 0; i < n; i++) {
		int idx = kcap_type_param_index(def, slots[i].key);
		if (idx < 0)
			return syntax(err, slots[i].val, "type \"%s\" has no param \"%s\"",
				      def->name, slots[i].key);
		/* a param in its designated place wins over one in the other place */
		int home = (def->params[idx].flags & KCAP_PF_TOPLEVEL) ? !slots[i].in_params : slots[i].in_params;
		if (seen[idx] && !home)
			continue;
		seen[idx] = slots[i].val;
		int rc = convert(sc, s, &def->params[idx], slots[i].val, &sc->vals[idx], 0);
		if (rc)
			return conv_err(sc, err, rc, def, &slots[i]);
	}
	return 0;
}

/* Inferred type: values that do not fit (or new keys) make a new variant of
 * the type in which those params are str (new keys appended). */
static int fill_inferred(kcap_json_scratch *sc, kcap_schema *s, const kcap_type_def *def, const char *name,
			 const char *category, slot *slots, size_t n, const kcap_type_def **out, kcap_error *err)
{
	kcap_param_def ps[KCAP_MAX_PARAMS];
	uint32_t np = 0;
	int rc, changed = 0;
	if (def) {
		np = def->nparams;
		memcpy(ps, def->params, np * sizeof ps[0]);
		clear_vals(sc, def);
		for (size_t i = 0; i < n; i++) {
			int idx = kcap_type_param_index(def, slots[i].key);
			if (idx < 0) {
				int dup = 0;
				for (uint32_t k = def->nparams; k < np && !dup; k++)
					dup = !strcmp(ps[k].name, slots[i].key);
				if (dup)
					continue;
				if (np == KCAP_MAX_PARAMS)
					return syntax(err, slots[i].val, "more than %d params",
						      KCAP_MAX_PARAMS);
				ps[np++] = (kcap_param_def){slots[i].key, (uint8_t)infer_type(sc, slots[i].val),
							     slots[i].in_params ? 0 : KCAP_PF_TOPLEVEL, 0};
				changed = 1;
				continue;
			}
			rc = convert(sc, s, &def->params[idx], slots[i].val, &sc->vals[idx], 1);
			if (rc < 0)
				return kcap_seterr(err, rc, -1, "out of memory");
			if (rc) {
				ps[idx].type = KCAP_T_STR;
				ps[idx].symset = 0;
				changed = 1;
			}
		}
		if (!changed) {
			*out = def;
			return 0;
		}
	} else {
		for (size_t i = 0; i < n; i++) {
			int dup = 0;
			for (uint32_t k = 0; k < np && !dup; k++)
				dup = !strcmp(ps[k].name, slots[i].key);
			if (!dup)
				ps[np++] = (kcap_param_def){slots[i].key, (uint8_t)infer_type(sc, slots[i].val),
							     slots[i].in_params ? 0 : KCAP_PF_TOPLEVEL, 0};
		}
	}
	kcap_type_def nd = {0, name, def ? def->category : (category ? category : "unknown"),
			    "inferred from JSON input", np, ps};
	rc = add_inferred(sc, s, &nd, &def);
	if (rc)
		return kcap_seterr(err, rc, -1, "cannot add inferred type \"%s\": %s", name, kcap_strerror(rc));
	clear_vals(sc, def);
	for (size_t i = 0; i < n; i++) {
		int idx = kcap_type_param_index(def, slots[i].key);
		rc = convert(sc, s, &def->params[idx], slots[i].val, &sc->vals[idx], 1);
		if (rc < 0)
			return kcap_seterr(err, rc, -1, "out of memory");
		if (rc) /* cannot happen: the variant was made to fit */
			return conv_err(sc, err, rc, def, &slots[i]);
	}
	*out = def;
	return 0;
}
static int adopted(const kcap_json_scratch *sc, uint32_t id)
{
	for (size_t i = 0; i < sc->nadopted; i++)
		if (sc->adopted[i] == id)
			return 1;
	return 0;
}

/* A type of the standard taxonomy named name, taken into s (with the symbol
 * sets its params use) when the line's members fit it: what kcap wrote from a
 * capture of standard types reads back typed (path a path, ret an errno,
 * child_pid a pid). Returns 0 with *out set, 1 when the taxonomy has no such
 * type or the line does not fit it (the type is then inferred), or a negative
 * error. */
static int from_taxonomy(kcap_json_scratch *sc, kcap_schema *s, const char *name, const char *category,
			 slot *slots, size_t n, const kcap_type_def **out, kcap_error *err)
{
	const kcap_type_def *t = kcap_taxonomy_type_by_name(name);
	if (!t || (category && strcmp(category, t->category)))
		return 1;
	for (uint32_t i = 0; i < t->nparams; i++) {
		uint32_t id = t->params[i].symset;
		if (!id || kcap_schema_symset(s, id))
			continue;
		const kcap_symset *set = NULL;
		for (size_t k = 0; (set = kcap_taxonomy_symset_at(k)) && set->id != id; k++)
			;
		if (set && kcap_schema_add_symset(s, set))
			return kcap_seterr(err, KCAP_E_NOMEM, -1, "out of memory");
	}
	/* kcap writes every param of a type (null when absent): a line that
	 * lacks one was not written from the standard type */
	for (uint32_t i = 0; i < t->nparams; i++) {
		size_t k = 0;
		while (k < n && (slots[k].klen != strlen(t->params[i].name) ||
				 memcmp(slots[k].key, t->params[i].name, slots[k].klen)))
			k++;
		if (k == n)
			return 1;
	}
	kcap_error scratch = {0};
	if (fill_known(sc, s, t, slots, n, &scratch))
		return scratch.code == KCAP_E_NOMEM ? kcap_seterr(err, KCAP_E_NOMEM, -1, "out of memory") : 1;
	kcap_type_def d = *t;
	if (kcap_schema_type(s, d.id))
		d.id = fresh_id(s);
	if (!d.id || kcap_array_room(&sc->adopted, &sc->capadopted, sc->nadopted, sizeof *sc->adopted, 16))
		return kcap_seterr(err, KCAP_E_NOMEM, -1, "out of memory");
	int rc = kcap_schema_add_type(s, &d);
	if (rc)
		return kcap_seterr(err, rc, -1, "cannot add type \"%s\": %s", name, kcap_strerror(rc));
	sc->adopted[sc->nadopted++] = d.id;
	*out = kcap_schema_type(s, d.id);
	return *out ? 0 : kcap_seterr(err, KCAP_E_NOMEM, -1, "out of memory");
}

int kcap_json_line_has_seq(const kcap_json_scratch *sc) { return sc && sc->l_has_seq; }
int kcap_json_line_has_ts(const kcap_json_scratch *sc) { return sc && sc->l_has_ts; }

const char *kcap_json_line_time(const kcap_json_scratch *sc)
{
	return sc && is_str(sc->l_time) ? sc->l_time->u.s : NULL;
}

int kcap_json_line_origin(const kcap_json_scratch *sc, size_t i, const char **key, const char **val)
{
	const kcap_jv *o = sc ? sc->l_origin : NULL;
	if (!o || o->kind != KCAP_JV_OBJ)
		return 0;
	const kcap_jv *k = o + 1;
	for (uint32_t n = 0; n < o->n; n++, k = kcap_jp_skip(&sc->jp, k + 1)) {
		if (!is_str(k + 1) || memchr(k->u.s, 0, k->n) || memchr(k[1].u.s, 0, k[1].n))
			continue; /* metadata values are strings */
		if (i-- == 0) {
			*key = k->u.s;
			*val = k[1].u.s;
			return 1;
		}
	}
	return 0;
}

/* A string member of o as a C string, or NULL (null, missing, not a string). */
static const char *str_member(const kcap_json_scratch *sc, const kcap_jv *o, const char *k)
{
	const kcap_jv *j = member(sc, o, k);
	return is_str(j) && !memchr(j->u.s, 0, j->n) ? j->u.s : NULL;
}

static int int_member(const kcap_json_scratch *sc, const kcap_jv *o, const char *k, int64_t lo, int64_t hi,
		      int64_t *out)
{
	const kcap_jv *j = member(sc, o, k);
	if (!is_int(j) || j->u.mag > (uint64_t)INT64_MAX)
		return 0;
	int64_t v = j->neg ? -(int64_t)j->u.mag : (int64_t)j->u.mag;
	if (v < lo || v > hi)
		return 0;
	*out = v;
	return 1;
}

void kcap_json_line_names(const kcap_json_scratch *sc, const char **user, const char **group)
{
	const kcap_jv *u = sc ? sc->l_user : NULL, *g = sc ? sc->l_group : NULL;
	*user = is_str(u) && u->n && !memchr(u->u.s, 0, u->n) ? u->u.s : NULL;
	*group = is_str(g) && g->n && !memchr(g->u.s, 0, g->n) ? g->u.s : NULL;
}

int kcap_json_line_proc(const kcap_json_scratch *sc, kcap_json_proc *out)
{
	memset(out, 0, sizeof *out);
	const kcap_jv *o = sc ? sc->l_proc : NULL;
	if (!o || o->kind != KCAP_JV_OBJ)
		return 0;
	int64_t v;
	if (!int_member(sc, o, "pid", INT32_MIN, INT32_MAX, &v))
		return 0;
	out->present = 1;
	out->text = sc->line + o->off;
	out->len = o->len;
	out->p.pid = (int32_t)v;
	out->p.ppid = int_member(sc, o, "ppid", INT32_MIN, INT32_MAX, &v) ? (int32_t)v : -1;
	out->p.uid = int_member(sc, o, "uid", 0, UINT32_MAX, &v) ? (uint32_t)v : UINT32_MAX;
	out->p.gid = int_member(sc, o, "gid", 0, UINT32_MAX, &v) ? (uint32_t)v : UINT32_MAX;
	out->p.comm = str_member(sc, o, "comm");
	out->p.exe = str_member(sc, o, "exe");
	out->p.cwd = str_member(sc, o, "cwd");
	const kcap_jv *cl = member(sc, o, "cmdline");
	kcap_value cv;
	if (cl && !strlist_of(cl, &cv) && cv.count) {
		out->p.cmdline = (const char *)cv.p;
		out->p.cmdline_len = cv.len;
	}
	const kcap_jv *pp = member(sc, o, "parent");
	if (pp && pp->kind == KCAP_JV_OBJ && int_member(sc, pp, "pid", INT32_MIN, INT32_MAX, &v)) {
		out->has_parent = 1;
		out->parent_pid = (int32_t)v;
		out->parent_comm = str_member(sc, pp, "comm");
		out->parent_exe = str_member(sc, pp, "exe");
	}
	return 1;
}

int kcap_json_parse_event(kcap_json_scratch *sc, const char *line, size_t len, kcap_schema *s, kcap_event *ev,
			  kcap_error *err)
{
	int rc;
	kcap_value tmp;
	slot slots[KCAP_MAX_PARAMS];
	size_t nslots = 0;
	const kcap_jv *canon[K_N] = {0};
	if (!sc || (!line && len) || !s || !ev)
		return kcap_seterr(err, KCAP_E_INVAL, -1, "invalid argument");
	arena_reset(sc);
	sc->line = line ? line : "";
	memset(ev, 0, sizeof *ev);
	if ((rc = kcap_jp_parse(&sc->jp, sc->line, len, err)))
		return rc;
	sc->l_proc = sc->l_origin = sc->l_time = sc->l_user = sc->l_group = NULL;
	sc->l_has_seq = sc->l_has_ts = 0;
	const kcap_jv *root = sc->jp.v;
	if (root->kind != KCAP_JV_OBJ)
		return syntax(err, NULL, "expected a JSON object, not %s", json_kind(root));
	const kcap_jv *k = root + 1;
	uint32_t ntop = 0; /* top-level members that are not canonical */
	for (uint32_t i = 0; i < root->n; i++, k = kcap_jp_skip(&sc->jp, k + 1)) {
		int c = canonical_key(k->u.s, k->n);
		if (c >= 0)
			canon[c] = k + 1; /* the last one wins */
		else
			ntop++;
	}

	sc->l_proc = canon[K_PROC];
	sc->l_origin = canon[K_ORIGIN];
	sc->l_time = canon[K_TIME];
	sc->l_user = canon[K_USER];
	sc->l_group = canon[K_GROUP];
	sc->l_has_seq = canon[K_SEQ] && canon[K_SEQ]->kind != KCAP_JV_NULL;
	sc->l_has_ts = canon[K_TS] && canon[K_TS]->kind != KCAP_JV_NULL;
	for (int i = K_SEQ; i <= K_GID; i++) {
		static const uint8_t types[] = {KCAP_T_U64, KCAP_T_I64, KCAP_T_I32, KCAP_T_I32, KCAP_T_I32,
						KCAP_T_U32, KCAP_T_U32, KCAP_T_U32};
		if (i == K_TS && canon[i] && canon[i]->kind == KCAP_JV_NUM && ts_real(sc, canon[i], &ev->ts))
			continue; /* 1.795255200000978e+18, as jq 1.6 writes a large ts */
		if ((rc = canon_int(canon[i], canon_keys[i], types[i], &tmp, err)))
			return rc;
		switch (i) {
		case K_SEQ: ev->seq = tmp.u; break;
		case K_TS: ev->ts = tmp.i; break;
		case K_PID: ev->pid = (int32_t)tmp.i; break;
		case K_TID: ev->tid = (int32_t)tmp.i; break;
		case K_PPID: ev->ppid = (int32_t)tmp.i; break;
		case K_CPU: /* null: not known, as the renderer writes UINT32_MAX */
			ev->cpu = canon[i] && canon[i]->kind == KCAP_JV_NULL ? UINT32_MAX : (uint32_t)tmp.u;
			break;
		case K_UID: ev->uid = (uint32_t)tmp.u; break;
		default: ev->gid = (uint32_t)tmp.u; break;
		}
	}
	const kcap_jv *comm = canon[K_COMM];
	if (comm && comm->kind != KCAP_JV_NULL) {
		if (!is_str(comm))
			return syntax(err, comm, "\"comm\" must be a string, not %s", json_kind(comm));
		if (comm->n > UINT16_MAX)
			return syntax(err, comm, "\"comm\" is longer than %u bytes", UINT16_MAX);
		ev->comm = comm->u.s;
		ev->comm_len = (uint16_t)comm->n;
	}
	const char *type, *category, *host, *source;
	if ((rc = opt_str(canon[K_TYPE], "type", &type, err)) ||
	    (rc = opt_str(canon[K_CATEGORY], "category", &category, err)) ||
	    (rc = opt_str(canon[K_HOST], "host", &host, err)) || (rc = opt_str(canon[K_SOURCE], "source", &source, err)))
		return rc;
	if (!type || !type[0])
		return syntax(err, type ? canon[K_TYPE] : NULL, "the event has no \"type\"");
	const kcap_jv *params = canon[K_PARAMS];
	if (params && params->kind != KCAP_JV_NULL && params->kind != KCAP_JV_OBJ)
		return syntax(err, params, "\"params\" must be an object, not %s", json_kind(params));
	if ((params && params->kind == KCAP_JV_OBJ && (rc = gather(sc, params, 1, slots, &nslots, err))) ||
	    (ntop && (rc = gather(sc, root, 0, slots, &nslots, err))))
		return rc;

	const kcap_type_def *def = inferred_type(sc, s, type);
	if (!def && !kcap_schema_type_by_name(s, type) && sc->taxonomy) {
		rc = from_taxonomy(sc, s, type, category, slots, nslots, &def, err);
		if (rc < 0)
			return rc;
		if (!rc)
			goto typed;
	}
	if (def || !(def = kcap_schema_type_by_name(s, type))) {
		rc = fill_inferred(sc, s, def, type, category, slots, nslots, &def, err);
	} else {
		rc = fill_known(sc, s, def, slots, nslots, err);
		/* a taxonomy type that a later line does not fit: inferred from there on */
		if (rc == KCAP_E_SYNTAX && adopted(sc, def->id))
			rc = fill_inferred(sc, s, NULL, type, category, slots, nslots, &def, err);
	}
typed:
	if (rc)
		return rc;
	if ((rc = origin_of(sc, host, source, &ev->origin, err)))
		return rc;
	ev->type_id = def->id;
	ev->def = def;
	ev->nparams = def->nparams;
	ev->params = sc->vals;
	return 0;
}
