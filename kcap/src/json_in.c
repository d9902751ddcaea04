/* JSON lines back into events: the inverse of kcap_render_json (render.c).
 *
 * jansson does the parsing. Two things it cannot take as the renderer writes
 * them are rewritten first (only when the line needs it, see needs_prepass):
 *  - bytes that are not UTF-8, written as \udcXX escapes (or present raw
 *    inside an embedded JSON param), become the plane-16 private-use code
 *    points U+10FF80..U+10FFFF and are turned back into bytes after decoding.
 *    Literal U+10FF7E..U+10FFFF in the input are prefixed with U+10FF7F so
 *    they stay distinguishable;
 *  - integers outside int64 (u64 values >= 2^63) become strings prefixed with
 *    U+10FF7E, read back exactly as integers.
 * Embedded JSON params are taken verbatim from the line (the renderer embeds
 * them verbatim, and re-serializing would change e.g. audit's ", " spacing),
 * so the round trip is byte-exact.
 *
 * Contract beyond kcap.h: missing or null canonical keys read as 0 (comm as
 * empty); "type" is required. For a type of the schema, every member of
 * "params" and every top-level key that is not canonical (time, category,
 * host, source, proc are accepted and not params) must name a param, and fit
 * its type, else KCAP_E_SYNTAX names it. Types this scratch inferred never
 * fail on a value: a value that does not fit, or a new key, makes a new
 * variant of the type (same name and category, fresh id) where that param is
 * str (holding a string's text, or the JSON text of anything else) and new
 * keys are appended; later lines of that name use the latest variant. */
#include <arpa/inet.h>
#include <jansson.h>
#include <stdlib.h>
#include "internal.h"

#define CP_BIGNUM 0x10FF7Eu /* prefix of an integer rewritten as a string */
#define CP_LITERAL 0x10FF7Fu /* the next code point is literal */
#define CP_BYTE0 0x10FF00u  /* + byte value (0x80..0xFF): a raw byte */
#define ARENA_MIN ((size_t)64 << 10)
#define MAX_ORIGINS 65536u

typedef struct chunk {
	struct chunk *next;
	size_t cap, used;
	unsigned char data[];
} chunk;

/* A rewrite done by the pre-pass, to map jansson's error positions back. */
typedef struct subst {
	size_t pre, orig, pre_len, orig_len;
} subst;

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
	char *pre; /* rewritten line */
	size_t pre_cap, pre_len;
	subst *map;
	size_t nmap, capmap;
	int mapped; /* the line went through the pre-pass */
	json_t *root; /* kept until the next call: event strings may point into it */
	const char *line; /* the caller's line, for verbatim spans */
	size_t len;
	long params_at; /* offset of the "params" object in line; -1 unknown, -2 none */
	kcap_value vals[KCAP_MAX_PARAMS];
	origin *origins;
	size_t norigins, caporigins, last_origin;
	inferred *inf;
	size_t ninf, capinf;
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
	json_decref(sc->root);
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
	free(sc->pre);
	free(sc->map);
	free(sc);
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

/* ---- pre-pass ---- */

/* Does the line hold anything the pre-pass must rewrite? Digit runs longer
 * than INT64_MAX and any non-ASCII byte or \uD... escape send it there
 * (false positives inside strings only cost time). */
static int needs_prepass(const char *s, size_t n)
{
	static const char max19[] = "9223372036854775807";
	size_t run = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= '0' && c <= '9') {
			if (++run >= 19 && (run > 19 || memcmp(s + i - 18, max19, 19) > 0))
				return 1;
			continue;
		}
		run = 0;
		if (c >= 0x80 || (c == '\\' && i + 2 < n && s[i + 1] == 'u' && (s[i + 2] | 0x20) == 'd'))
			return 1;
	}
	return 0;
}

/* Length (2..4) of the valid UTF-8 sequence at p, 0 if invalid; *cp gets it. */
static size_t utf8_len(const unsigned char *p, size_t avail, uint32_t *cp)
{
	unsigned char c = p[0];
	size_t n = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xC2 && c <= 0xDF ? 2 : 0;
	if (!n || avail < n)
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((p[i] & 0xC0) != 0x80)
			return 0;
	if (n == 3 && ((c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] >= 0xA0)))
		return 0;
	if (n == 4 && ((c == 0xF0 && p[1] < 0x90) || (c == 0xF4 && p[1] >= 0x90)))
		return 0;
	uint32_t v = c & (n == 2 ? 0x1F : n == 3 ? 0x0F : 0x07);
	for (size_t i = 1; i < n; i++)
		v = (v << 6) | (p[i] & 0x3F);
	*cp = v;
	return n;
}

static size_t put_cp4(char *o, uint32_t cp)
{
	o[0] = (char)(0xF0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	o[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

static int hex4(const char *s, uint32_t *out)
{
	uint32_t v = 0;
	for (int i = 0; i < 4; i++) {
		char c = s[i];
		int d = c >= '0' && c <= '9' ? c - '0' : (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (c | 0x20) - 'a' + 10 : -1;
		if (d < 0)
			return -1;
		v = v * 16 + (uint32_t)d;
	}
	*out = v;
	return 0;
}

static int note_subst(kcap_json_scratch *sc, size_t pre, size_t orig, size_t pre_len, size_t orig_len)
{
	if (sc->nmap == sc->capmap) {
		size_t cap = sc->capmap ? sc->capmap * 2 : 64;
		subst *m = realloc(sc->map, cap * sizeof *m);
		if (!m)
			return KCAP_E_NOMEM;
		sc->map = m;
		sc->capmap = cap;
	}
	sc->map[sc->nmap++] = (subst){pre, orig, pre_len, orig_len};
	return 0;
}

/* 1 if s[0..n) is a JSON integer outside int64. */
static int big_integer(const char *s, size_t n)
{
	size_t d = s[0] == '-';
	if (n - d < 19 || s[d] == '0')
		return 0;
	if (n - d > 19)
		return 1;
	return memcmp(s + d, d ? "9223372036854775808" : "9223372036854775807", 19) > 0;
}

/* Rewrites sc->line into sc->pre (see the top of the file). Output is at
 * most 4x the input: a raw byte becomes 4 bytes, everything else grows less. */
static int prepass(kcap_json_scratch *sc)
{
	const char *s = sc->line;
	size_t n = sc->len;
	if (n > (SIZE_MAX - 16) / 4)
		return KCAP_E_NOMEM;
	size_t need = n * 4 + 16;
	if (sc->pre_cap < need) {
		char *p = realloc(sc->pre, need);
		if (!p)
			return KCAP_E_NOMEM;
		sc->pre = p;
		sc->pre_cap = need;
	}
	char *o = sc->pre;
	size_t k = 0, i = 0;
	int in_str = 0;
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		if (!in_str) {
			if (c == '"') {
				in_str = 1;
			} else if (c == '-' || (c >= '0' && c <= '9')) {
				size_t j = i + (c == '-');
				while (j < n && s[j] >= '0' && s[j] <= '9')
					j++;
				int real = j < n && (s[j] == '.' || s[j] == 'e' || s[j] == 'E');
				while (real && j < n && ((s[j] >= '0' && s[j] <= '9') || s[j] == '.' || s[j] == 'e' ||
							 s[j] == 'E' || s[j] == '+' || s[j] == '-'))
					j++; /* the whole real: its digits are not an integer */
				if (!real && j > i + (c == '-') && big_integer(s + i, j - i)) {
					if (note_subst(sc, k, i, j - i + 6, j - i))
						return KCAP_E_NOMEM;
					o[k++] = '"';
					k += put_cp4(o + k, CP_BIGNUM);
					memcpy(o + k, s + i, j - i);
					k += j - i;
					o[k++] = '"';
				} else {
					memcpy(o + k, s + i, j - i);
					k += j - i;
				}
				i = j;
				continue;
			}
			o[k++] = (char)c;
			i++;
			continue;
		}
		if (c == '"') {
			in_str = 0;
			o[k++] = (char)c;
			i++;
		} else if (c == '\\') {
			uint32_t u, l, cp;
			if (i + 6 <= n && s[i + 1] == 'u' && !hex4(s + i + 2, &u)) {
				if (u >= 0xD800 && u <= 0xDBFF && i + 12 <= n && s[i + 6] == '\\' && s[i + 7] == 'u' &&
				    !hex4(s + i + 8, &l) && l >= 0xDC00 && l <= 0xDFFF) {
					cp = 0x10000 + ((u - 0xD800) << 10) + (l - 0xDC00);
					if (cp >= CP_BIGNUM) {
						if (note_subst(sc, k, i, 8, 12))
							return KCAP_E_NOMEM;
						k += put_cp4(o + k, CP_LITERAL);
						k += put_cp4(o + k, cp);
					} else {
						memcpy(o + k, s + i, 12);
						k += 12;
					}
					i += 12;
				} else if (u >= 0xDC80 && u <= 0xDCFF) {
					if (note_subst(sc, k, i, 4, 6))
						return KCAP_E_NOMEM;
					k += put_cp4(o + k, CP_BYTE0 + (u & 0xFF));
					i += 6;
				} else {
					memcpy(o + k, s + i, 6);
					k += 6;
					i += 6;
				}
			} else {
				size_t m = i + 1 < n && (unsigned char)s[i + 1] < 0x80 ? 2 : 1;
				memcpy(o + k, s + i, m);
				k += m;
				i += m;
			}
		} else if (c >= 0x80) {
			uint32_t cp = 0;
			size_t m = utf8_len((const unsigned char *)s + i, n - i, &cp);
			if (m && cp >= CP_BIGNUM) {
				if (note_subst(sc, k, i, 8, 4))
					return KCAP_E_NOMEM;
				k += put_cp4(o + k, CP_LITERAL);
				memcpy(o + k, s + i, 4);
				k += 4;
				i += 4;
			} else if (m) {
				memcpy(o + k, s + i, m);
				k += m;
				i += m;
			} else {
				if (note_subst(sc, k, i, 4, 1))
					return KCAP_E_NOMEM;
				k += put_cp4(o + k, CP_BYTE0 + c);
				i++;
			}
		} else {
			o[k++] = (char)c;
			i++;
		}
	}
	sc->pre_len = k;
	return 0;
}

/* Offset in the caller's line of offset pos in the rewritten line. */
static size_t orig_pos(const kcap_json_scratch *sc, size_t pos)
{
	if (!sc->mapped)
		return pos;
	for (size_t i = sc->nmap; i-- > 0;) {
		const subst *m = &sc->map[i];
		if (m->pre > pos)
			continue;
		if (pos < m->pre + m->pre_len)
			return m->orig;
		return m->orig + m->orig_len + (pos - m->pre - m->pre_len);
	}
	return pos;
}

/* Undoes the pre-pass on decoded text; dst has room for n bytes. */
static size_t unmap(unsigned char *dst, const unsigned char *s, size_t n)
{
	size_t o = 0, i = 0;
	while (i < n) {
		if (s[i] == 0xF4 && n - i >= 4 && s[i + 1] == 0x8F && s[i + 2] >= 0xBD) {
			uint32_t cp = ((uint32_t)(s[i + 2] & 0x3F) << 6) | (s[i + 3] & 0x3F);
			cp |= 0x10F000;
			if (cp == CP_LITERAL && n - i >= 8) {
				memmove(dst + o, s + i + 4, 4);
				o += 4;
				i += 8;
				continue;
			}
			if (cp >= CP_BYTE0 + 0x80) {
				dst[o++] = (unsigned char)(cp & 0xFF);
				i += 4;
				continue;
			}
		}
		dst[o++] = s[i++];
	}
	return o;
}

/* ---- verbatim spans of values in the caller's line ---- */

static size_t skip_ws(const char *s, size_t i, size_t n)
{
	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
		i++;
	return i;
}

/* s[i] is '"': index after the closing quote (n if none). */
static size_t skip_string(const char *s, size_t i, size_t n)
{
	for (i++; i < n; i++) {
		if (s[i] == '\\')
			i++;
		else if (s[i] == '"')
			return i + 1;
	}
	return n;
}

static size_t skip_value(const char *s, size_t i, size_t n)
{
	if (i >= n)
		return n;
	if (s[i] == '"')
		return skip_string(s, i, n);
	if (s[i] == '{' || s[i] == '[') {
		size_t depth = 0;
		while (i < n) {
			char c = s[i];
			if (c == '"') {
				i = skip_string(s, i, n);
				continue;
			}
			if (c == '{' || c == '[')
				depth++;
			else if ((c == '}' || c == ']') && --depth == 0)
				return i + 1;
			i++;
		}
		return n;
	}
	while (i < n && s[i] != ',' && s[i] != '}' && s[i] != ']' && s[i] != ' ' && s[i] != '\t' && s[i] != '\r' &&
	       s[i] != '\n')
		i++;
	return i;
}

static size_t put_utf8(unsigned char *o, uint32_t cp)
{
	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xC0 | (cp >> 6));
		o[1] = (unsigned char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xE0 | (cp >> 12));
		o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (unsigned char)(0x80 | (cp & 0x3F));
		return 3;
	}
	return put_cp4((char *)o, cp);
}

/* Does the raw JSON string body r[0..rn) decode to key[0..kl) (with \udcXX
 * as raw bytes)? */
static int key_eq(const char *r, size_t rn, const char *key, size_t kl)
{
	if (!memchr(r, '\\', rn))
		return rn == kl && !memcmp(r, key, kl);
	unsigned char buf[1024];
	size_t o = 0;
	for (size_t i = 0; i < rn;) {
		if (o + 4 > sizeof buf)
			return 0;
		if (r[i] != '\\' || i + 1 >= rn) {
			buf[o++] = (unsigned char)r[i++];
			continue;
		}
		char c = r[i + 1];
		uint32_t u, l;
		if (c != 'u') {
			const char *from = "\"\\/bfnrt", *to = "\"\\/\b\f\n\r\t";
			const char *at = memchr(from, c, 8);
			if (!at)
				return 0;
			buf[o++] = (unsigned char)to[at - from];
			i += 2;
			continue;
		}
		if (i + 6 > rn || hex4(r + i + 2, &u))
			return 0;
		i += 6;
		if (u >= 0xD800 && u <= 0xDBFF && i + 6 <= rn && r[i] == '\\' && r[i + 1] == 'u' && !hex4(r + i + 2, &l) &&
		    l >= 0xDC00 && l <= 0xDFFF) {
			o += put_cp4((char *)buf + o, 0x10000 + ((u - 0xD800) << 10) + (l - 0xDC00));
			i += 6;
		} else if (u >= 0xDC80 && u <= 0xDCFF) {
			buf[o++] = (unsigned char)(u & 0xFF);
		} else if (u >= 0xD800 && u <= 0xDFFF) {
			return 0;
		} else {
			o += put_utf8(buf + o, u);
		}
	}
	return o == kl && !memcmp(buf, key, kl);
}

/* Finds member key of the object at s[at] ('{'); the last one wins, as in
 * jansson. */
static int find_member(const char *s, size_t n, size_t at, const char *key, size_t *voff, size_t *vlen)
{
	size_t kl = strlen(key), i = at + 1;
	int found = 0;
	if (at >= n || s[at] != '{')
		return 0;
	for (;;) {
		i = skip_ws(s, i, n);
		if (i >= n || s[i] != '"')
			return found;
		size_t ks = i + 1, ke = skip_string(s, i, n);
		if (ke >= n)
			return found;
		i = skip_ws(s, ke, n);
		if (i >= n || s[i] != ':')
			return found;
		i = skip_ws(s, i + 1, n);
		size_t ve = skip_value(s, i, n);
		if (key_eq(s + ks, ke - 1 - ks, key, kl)) {
			*voff = i;
			*vlen = ve - i;
			found = 1;
		}
		i = skip_ws(s, ve, n);
		if (i >= n || s[i] != ',')
			return found;
		i++;
	}
}

/* Span of a top-level member (in_params 0) or a member of "params". */
static int span_of(kcap_json_scratch *sc, int in_params, const char *key, size_t *off, size_t *len)
{
	size_t root = skip_ws(sc->line, 0, sc->len);
	if (!in_params)
		return find_member(sc->line, sc->len, root, key, off, len);
	if (sc->params_at == -1) {
		size_t po, pl;
		sc->params_at = find_member(sc->line, sc->len, root, "params", &po, &pl) ? (long)po : -2;
	}
	if (sc->params_at < 0)
		return 0;
	return find_member(sc->line, sc->len, (size_t)sc->params_at, key, off, len);
}

/* 1-based column of a member's value (or of the line start). */
static int column_of(kcap_json_scratch *sc, int in_params, const char *key)
{
	size_t off = 0, len;
	if (!span_of(sc, in_params, key, &off, &len))
		off = 0;
	return off >= INT32_MAX ? INT32_MAX : (int)off + 1;
}

static int syntax(kcap_json_scratch *sc, kcap_error *err, int in_params, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int syntax(kcap_json_scratch *sc, kcap_error *err, int in_params, const char *key, const char *fmt, ...)
{
	if (!err)
		return KCAP_E_SYNTAX;
	memset(err, 0, sizeof *err);
	err->code = KCAP_E_SYNTAX;
	err->offset = -1;
	err->column = key ? column_of(sc, in_params, key) : 1;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	return KCAP_E_SYNTAX;
}

/* ---- values ---- */

static int str_of(kcap_json_scratch *sc, json_t *j, const uint8_t **p, size_t *n)
{
	const unsigned char *s = (const unsigned char *)json_string_value(j);
	size_t len = json_string_length(j);
	if (!sc->mapped || !memchr(s, 0xF4, len)) {
		*p = s;
		*n = len;
		return 0;
	}
	unsigned char *d = arena_alloc(sc, len);
	if (!d)
		return KCAP_E_NOMEM;
	*n = unmap(d, s, len);
	*p = d;
	return 0;
}

/* NUL-terminated form of a key or string value (C string semantics: stops
 * at an embedded NUL), with the pre-pass undone. NULL when out of memory. */
static const char *cstr_of(kcap_json_scratch *sc, const char *s)
{
	size_t n = strlen(s);
	if (!sc->mapped || !memchr(s, 0xF4, n))
		return s;
	unsigned char *d = arena_alloc(sc, n + 1);
	if (!d)
		return NULL;
	d[unmap(d, (const unsigned char *)s, n)] = 0;
	return (const char *)d;
}

/* 1 if j is an integer (possibly one the pre-pass turned into a string). */
static int int_of(const kcap_json_scratch *sc, json_t *j, int *neg, uint64_t *mag)
{
	if (json_is_integer(j)) {
		json_int_t x = json_integer_value(j);
		*neg = x < 0;
		*mag = x < 0 ? (uint64_t)0 - (uint64_t)x : (uint64_t)x;
		return 1;
	}
	if (!sc->mapped || !json_is_string(j))
		return 0;
	const char *s = json_string_value(j);
	size_t n = json_string_length(j), i = 4;
	if (n < 5 || memcmp(s, "\xF4\x8F\xBD\xBE", 4))
		return 0;
	*neg = s[i] == '-';
	i += (size_t)*neg;
	uint64_t v = 0;
	if (i >= n)
		return 0;
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '9' || v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			return 0;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*mag = v;
	return 1;
}

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

static json_t *member(json_t *o, const char *k) { return json_object_get(o, k); }

/* A string in the input (not an integer the pre-pass wrapped). */
static int is_str(const kcap_json_scratch *sc, json_t *j)
{
	return json_is_string(j) &&
	       !(sc->mapped && json_string_length(j) >= 4 && !memcmp(json_string_value(j), "\xF4\x8F\xBD\xBE", 4));
}

/* Sockaddr object; 1 if it is not one. exact: no keys beyond the family's. */
static int parse_sockaddr(kcap_json_scratch *sc, json_t *j, kcap_value *v, int exact)
{
	json_t *fam = member(j, "family");
	if (!json_is_object(j) || !json_is_string(fam))
		return 1;
	const char *f = json_string_value(fam);
	size_t keys = json_object_size(j);
	if (!strcmp(f, "inet") || !strcmp(f, "inet6")) {
		json_t *a = member(j, "addr"), *port = member(j, "port");
		int neg;
		uint64_t pm;
		if (!json_is_string(a) || !int_of(sc, port, &neg, &pm) || (neg && pm) || pm > 65535 || (exact && keys != 3))
			return 1;
		v->af = f[4] ? KCAP_AF_INET6 : KCAP_AF_INET;
		v->port = (uint16_t)pm;
		return parse_ip(json_string_value(a), json_string_length(a), f[4] != 0, v->addr);
	}
	if (!strcmp(f, "unix")) {
		json_t *p = member(j, "path");
		size_t n;
		if (!json_is_string(p) || (exact && keys != 2))
			return 1;
		int rc = str_of(sc, p, &v->p, &n);
		if (rc)
			return rc;
		if (n > UINT32_MAX)
			return 1;
		v->len = (uint32_t)n;
		v->af = KCAP_AF_UNIX;
		return 0;
	}
	if (!strcmp(f, "other")) {
		json_t *r = member(j, "raw");
		if (!json_is_string(r) || (exact && keys != 2))
			return 1;
		v->af = KCAP_AF_OTHER;
		return unhex(sc, json_string_value(r), json_string_length(r), &v->p, &v->len);
	}
	if (!strcmp(f, "none") && (!exact || keys == 1)) {
		v->af = KCAP_AF_NONE;
		return 0;
	}
	return 1;
}

/* Text of a non-string value: its verbatim span in the line, else jansson's
 * compact serialization. */
static int json_text(kcap_json_scratch *sc, json_t *j, int in_params, const char *key, const uint8_t **p, size_t *n)
{
	size_t off, len;
	if (key && span_of(sc, in_params, key, &off, &len) && len) {
		*p = (const uint8_t *)sc->line + off;
		*n = len;
		return 0;
	}
	size_t need = json_dumpb(j, NULL, 0, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
	unsigned char *d = need ? arena_alloc(sc, need) : NULL;
	if (!d)
		return KCAP_E_NOMEM;
	json_dumpb(j, (char *)d, need, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
	*p = d;
	*n = sc->mapped ? unmap(d, d, need) : need;
	return 0;
}

/*
 * Converts JSON value j into v (whose type is set) for param pd. Returns 0,
 * 1 when j does not fit the type, or a negative error. lenient (inferred
 * types): a STR param takes any value, as the JSON text of non-strings.
 */
static int convert(kcap_json_scratch *sc, const kcap_schema *s, const kcap_param_def *pd, json_t *j, int in_params,
		   kcap_value *v, int lenient)
{
	int t = pd->type, neg, rc = 0;
	uint64_t mag;
	size_t n;
	const char *str = is_str(sc, j) ? json_string_value(j) : NULL;
	size_t slen = str ? json_string_length(j) : 0;
	v->present = 0;
	if (!j || json_is_null(j))
		return 0;
	switch (t) {
	case KCAP_T_BOOL:
		if (!json_is_boolean(j))
			return 1;
		v->u = json_is_true(j);
		break;
	case KCAP_T_U8: case KCAP_T_U16: case KCAP_T_U32: case KCAP_T_U64: case KCAP_T_UID: case KCAP_T_GID:
	case KCAP_T_I8: case KCAP_T_I16: case KCAP_T_I32: case KCAP_T_I64: case KCAP_T_FD: case KCAP_T_RET:
	case KCAP_T_PID: case KCAP_T_TIMESTAMP: case KCAP_T_DURATION:
		if (!int_of(sc, j, &neg, &mag) || set_int(v, t, neg, mag))
			return 1;
		break;
	case KCAP_T_FLAGS: case KCAP_T_ENUM: case KCAP_T_ERRNO:
		if (int_of(sc, j, &neg, &mag)) {
			if (set_int(v, t, neg, mag))
				return 1;
		} else if (!str || parse_symbolic(str, slen, pd->symset ? kcap_schema_symset(s, pd->symset) : NULL, t == KCAP_T_FLAGS, &v->u)) {
			return 1;
		}
		break;
	case KCAP_T_MODE:
		if (int_of(sc, j, &neg, &mag)) {
			if (set_int(v, t, neg, mag))
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
	case KCAP_T_STR: case KCAP_T_PATH:
		if (str)
			rc = str_of(sc, j, &v->p, &n);
		else if (lenient && t == KCAP_T_STR)
			rc = json_text(sc, j, in_params, pd->name, &v->p, &n);
		else
			return 1;
		if (rc)
			return rc;
		if (n > UINT32_MAX)
			return 1;
		v->len = (uint32_t)n;
		break;
	case KCAP_T_JSON:
		if (str)
			rc = str_of(sc, j, &v->p, &n);
		else
			rc = json_text(sc, j, in_params, pd->name, &v->p, &n);
		if (rc)
			return rc;
		if (n > UINT32_MAX)
			return 1;
		v->len = (uint32_t)n;
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
	case KCAP_T_STRLIST: {
		if (!json_is_array(j))
			return 1;
		size_t total = 0, cnt = json_array_size(j);
		for (size_t i = 0; i < cnt; i++) {
			json_t *e = json_array_get(j, i);
			if (!json_is_string(e))
				return 1;
			total += json_string_length(e) + 1;
		}
		if (total > UINT32_MAX || cnt > UINT32_MAX)
			return 1;
		uint8_t *d = arena_alloc(sc, total ? total : 1);
		if (!d)
			return KCAP_E_NOMEM;
		size_t o = 0;
		for (size_t i = 0; i < cnt; i++) {
			json_t *e = json_array_get(j, i);
			const unsigned char *es = (const unsigned char *)json_string_value(e);
			size_t el = json_string_length(e);
			if (sc->mapped) {
				o += unmap(d + o, es, el);
			} else {
				memcpy(d + o, es, el);
				o += el;
			}
			d[o++] = 0;
		}
		v->p = d;
		v->len = (uint32_t)o;
		v->count = (uint32_t)cnt;
		break;
	}
	default:
		return 1;
	}
	v->present = 1;
	return 0;
}

static const char *json_kind(const kcap_json_scratch *sc, json_t *j)
{
	if (json_is_string(j) && !is_str(sc, j))
		return "an integer";
	switch (json_typeof(j)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a real number";
	case JSON_TRUE: case JSON_FALSE: return "a boolean";
	default: return "null";
	}
}

/* ---- inference ---- */

/* Param type for a value of an unknown type. */
static int infer_type(const kcap_json_scratch *sc, json_t *j)
{
	int neg;
	uint64_t mag;
	kcap_value tmp;
	if (int_of(sc, j, &neg, &mag))
		return !neg || mag <= (uint64_t)1 << 63 ? (neg || mag <= INT64_MAX ? KCAP_T_I64 : KCAP_T_U64) : KCAP_T_JSON;
	switch (json_typeof(j)) {
	case JSON_TRUE: case JSON_FALSE: return KCAP_T_BOOL;
	case JSON_STRING: case JSON_NULL: return KCAP_T_STR;
	case JSON_ARRAY:
		for (size_t i = 0; i < json_array_size(j); i++)
			if (!json_is_string(json_array_get(j, i)))
				return KCAP_T_JSON;
		return KCAP_T_STRLIST;
	case JSON_OBJECT: {
		/* shape check only: the values are converted later */
		json_t *fam = json_object_get(j, "family");
		if (!json_is_string(fam))
			return KCAP_T_JSON;
		memset(&tmp, 0, sizeof tmp);
		const char *f = json_string_value(fam);
		size_t keys = json_object_size(j);
		json_t *a = json_object_get(j, "addr"), *p = json_object_get(j, "path"), *r = json_object_get(j, "raw");
		json_t *port = json_object_get(j, "port");
		if ((!strcmp(f, "inet") || !strcmp(f, "inet6")) && keys == 3 && json_is_string(a) &&
		    int_of(sc, port, &neg, &mag) && !neg && mag <= 65535 &&
		    !parse_ip(json_string_value(a), json_string_length(a), f[4] != 0, tmp.addr))
			return KCAP_T_SOCKADDR;
		if (!strcmp(f, "unix") && keys == 2 && json_is_string(p))
			return KCAP_T_SOCKADDR;
		if (!strcmp(f, "other") && keys == 2 && json_is_string(r)) {
			const char *h = json_string_value(r);
			size_t n = json_string_length(r), i = 0;
			while (i < n && hexval((unsigned char)h[i]) >= 0)
				i++;
			return i == n && n % 2 == 0 ? KCAP_T_SOCKADDR : KCAP_T_JSON;
		}
		if (!strcmp(f, "none") && keys == 1)
			return KCAP_T_SOCKADDR;
		return KCAP_T_JSON;
	}
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
		if (sc->ninf == sc->capinf) {
			size_t cap = sc->capinf ? sc->capinf * 2 : 16;
			inferred *n = realloc(sc->inf, cap * sizeof *n);
			if (!n)
				return KCAP_E_NOMEM;
			sc->inf = n;
			sc->capinf = cap;
		}
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

/* Top-level keys that are not params. */
static int canonical_key(const char *k)
{
	static const char *const keys[] = {"seq", "ts", "time", "pid", "tid", "ppid", "cpu", "uid", "gid",
					   "comm", "type", "category", "host", "source", "params", "proc"};
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (k[0] == keys[i][0] && !strcmp(k, keys[i]))
			return 1;
	return 0;
}

/* A member that feeds a param. */
typedef struct slot {
	const char *key;
	json_t *val;
	int in_params;
} slot;

/* Canonical integer field; missing or null leaves *out at 0. */
static int canon_int(kcap_json_scratch *sc, json_t *root, const char *key, int t, kcap_value *out, kcap_error *err)
{
	json_t *j = json_object_get(root, key);
	int neg;
	uint64_t mag;
	out->u = 0;
	if (!j || json_is_null(j))
		return 0;
	if (!int_of(sc, j, &neg, &mag))
		return syntax(sc, err, 0, key, "\"%s\" must be an integer, not %s", key, json_kind(sc, j));
	if (set_int(out, t, neg, mag))
		return syntax(sc, err, 0, key, "\"%s\" is out of range", key);
	return 0;
}

static int opt_str(kcap_json_scratch *sc, json_t *root, const char *key, const char **out, kcap_error *err)
{
	json_t *j = json_object_get(root, key);
	*out = NULL;
	if (!j || json_is_null(j))
		return 0;
	if (!is_str(sc, j))
		return syntax(sc, err, 0, key, "\"%s\" must be a string, not %s", key, json_kind(sc, j));
	if (!(*out = cstr_of(sc, json_string_value(j))))
		return kcap_seterr(err, KCAP_E_NOMEM, -1, "out of memory");
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

/* Gathers the members that feed params: those of "params", then top-level
 * non-canonical ones. */
static int gather(kcap_json_scratch *sc, json_t *root, json_t *params, slot *slots, size_t *nslots, kcap_error *err)
{
	size_t n = 0;
	const char *k;
	json_t *v;
	json_object_foreach(params, k, v) {
		if (n == KCAP_MAX_PARAMS)
			return syntax(sc, err, 1, k, "more than %d params", KCAP_MAX_PARAMS);
		slots[n++] = (slot){cstr_of(sc, k), v, 1};
		if (!slots[n - 1].key)
			return kcap_seterr(err, KCAP_E_NOMEM, -1, "out of memory");
	}
	json_object_foreach(root, k, v) {
		if (canonical_key(k))
			continue;
		if (n == KCAP_MAX_PARAMS)
			return syntax(sc, err, 0, k, "more than %d params", KCAP_MAX_PARAMS);
		slots[n++] = (slot){cstr_of(sc, k), v, 0};
		if (!slots[n - 1].key)
			return kcap_seterr(err, KCAP_E_NOMEM, -1, "out of memory");
	}
	*nslots = n;
	return 0;
}

static int conv_err(kcap_json_scratch *sc, kcap_error *err, int rc, const kcap_type_def *def, const slot *sl)
{
	if (rc < 0)
		return kcap_seterr(err, rc, -1, "out of memory");
	const kcap_param_def *pd = &def->params[kcap_type_param_index(def, sl->key)];
	size_t off, len;
	if (span_of(sc, sl->in_params, sl->key, &off, &len) && len) /* quote the value as written */
		return syntax(sc, err, sl->in_params, sl->key, "param \"%s\" of \"%s\" is not a valid %s: %.*s%s",
			      sl->key, def->name, kcap_ptype_name(pd->type), (int)(len > 40 ? 40 : len),
			      sc->line + off, len > 40 ? "..." : "");
	return syntax(sc, err, sl->in_params, sl->key, "param \"%s\" of \"%s\": %s is not a valid %s value", sl->key,
		      def->name, json_kind(sc, sl->val), kcap_ptype_name(pd->type));
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
	json_t *seen[KCAP_MAX_PARAMS] = {0};
	clear_vals(sc, def);
	for (size_t i = 0; i < n; i++) {
		int idx = kcap_type_param_index(def, slots[i].key);
		if (idx < 0)
			return syntax(sc, err, slots[i].in_params, slots[i].key, "type \"%s\" has no param \"%s\"",
				      def->name, slots[i].key);
		/* a param in its designated place wins over one in the other place */
		int home = (def->params[idx].flags & KCAP_PF_TOPLEVEL) ? !slots[i].in_params : slots[i].in_params;
		if (seen[idx] && !home)
			continue;
		seen[idx] = slots[i].val;
		int rc = convert(sc, s, &def->params[idx], slots[i].val, slots[i].in_params, &sc->vals[idx], 0);
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
					return syntax(sc, err, slots[i].in_params, slots[i].key, "more than %d params",
						      KCAP_MAX_PARAMS);
				ps[np++] = (kcap_param_def){slots[i].key, (uint8_t)infer_type(sc, slots[i].val),
							     slots[i].in_params ? 0 : KCAP_PF_TOPLEVEL, 0};
				changed = 1;
				continue;
			}
			rc = convert(sc, s, &def->params[idx], slots[i].val, slots[i].in_params, &sc->vals[idx], 1);
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
		rc = convert(sc, s, &def->params[idx], slots[i].val, slots[i].in_params, &sc->vals[idx], 1);
		if (rc < 0)
			return kcap_seterr(err, rc, -1, "out of memory");
		if (rc) /* cannot happen: the variant was made to fit */
			return conv_err(sc, err, rc, def, &slots[i]);
	}
	*out = def;
	return 0;
}

int kcap_json_parse_event(kcap_json_scratch *sc, const char *line, size_t len, kcap_schema *s, kcap_event *ev,
			  kcap_error *err)
{
	int rc;
	kcap_value tmp;
	slot slots[KCAP_MAX_PARAMS];
	size_t nslots = 0;
	if (!sc || (!line && len) || !s || !ev)
		return kcap_seterr(err, KCAP_E_INVAL, -1, "invalid argument");
	json_decref(sc->root);
	sc->root = NULL;
	arena_reset(sc);
	sc->nmap = 0;
	sc->params_at = -1;
	sc->line = line ? line : "";
	sc->len = len;
	memset(ev, 0, sizeof *ev);

	const char *in = sc->line;
	size_t inlen = len;
	sc->mapped = needs_prepass(sc->line, len);
	if (sc->mapped) {
		rc = prepass(sc);
		if (rc)
			return kcap_seterr(err, rc, -1, "out of memory");
		in = sc->pre;
		inlen = sc->pre_len;
	}
	json_error_t je;
	json_t *root = json_loadb(in, inlen, JSON_ALLOW_NUL, &je);
	if (!root) {
		rc = syntax(sc, err, 0, NULL, "%s", je.text);
		if (err) {
			size_t pos = je.position > 0 ? orig_pos(sc, (size_t)je.position - 1) : 0;
			err->column = pos >= INT32_MAX ? INT32_MAX : (int)pos + 1;
		}
		return rc;
	}
	sc->root = root;
	if (!json_is_object(root))
		return syntax(sc, err, 0, NULL, "expected a JSON object, not %s", json_kind(sc, root));

	if ((rc = canon_int(sc, root, "seq", KCAP_T_U64, &tmp, err)))
		return rc;
	ev->seq = tmp.u;
	if ((rc = canon_int(sc, root, "ts", KCAP_T_I64, &tmp, err)))
		return rc;
	ev->ts = tmp.i;
	static const char *const i32keys[] = {"pid", "tid", "ppid"};
	int32_t *i32s[] = {&ev->pid, &ev->tid, &ev->ppid};
	for (int i = 0; i < 3; i++) {
		if ((rc = canon_int(sc, root, i32keys[i], KCAP_T_I32, &tmp, err)))
			return rc;
		*i32s[i] = (int32_t)tmp.i;
	}
	static const char *const u32keys[] = {"cpu", "uid", "gid"};
	uint32_t *u32s[] = {&ev->cpu, &ev->uid, &ev->gid};
	for (int i = 0; i < 3; i++) {
		if ((rc = canon_int(sc, root, u32keys[i], KCAP_T_U32, &tmp, err)))
			return rc;
		*u32s[i] = (uint32_t)tmp.u;
	}
	json_t *comm = json_object_get(root, "comm");
	if (comm && !json_is_null(comm)) {
		const uint8_t *p;
		size_t n;
		if (!is_str(sc, comm))
			return syntax(sc, err, 0, "comm", "\"comm\" must be a string, not %s", json_kind(sc, comm));
		if ((rc = str_of(sc, comm, &p, &n)))
			return kcap_seterr(err, rc, -1, "out of memory");
		if (n > UINT16_MAX)
			return syntax(sc, err, 0, "comm", "\"comm\" is longer than %u bytes", UINT16_MAX);
		ev->comm = (const char *)p;
		ev->comm_len = (uint16_t)n;
	}
	const char *type, *category, *host, *source;
	if ((rc = opt_str(sc, root, "type", &type, err)) || (rc = opt_str(sc, root, "category", &category, err)) ||
	    (rc = opt_str(sc, root, "host", &host, err)) || (rc = opt_str(sc, root, "source", &source, err)))
		return rc;
	if (!type || !type[0])
		return syntax(sc, err, 0, type ? "type" : NULL, "the event has no \"type\"");
	json_t *params = json_object_get(root, "params");
	if (params && !json_is_null(params) && !json_is_object(params))
		return syntax(sc, err, 0, "params", "\"params\" must be an object, not %s", json_kind(sc, params));
	if ((rc = gather(sc, root, params, slots, &nslots, err)))
		return rc;

	const kcap_type_def *def = inferred_type(sc, s, type);
	if (def || !(def = kcap_schema_type_by_name(s, type)))
		rc = fill_inferred(sc, s, def, type, category, slots, nslots, &def, err);
	else
		rc = fill_known(sc, s, def, slots, nslots, err);
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
