/* A JSON parser for JSON lines input (see json_parse.h for what it accepts).
 * One recursive-descent pass builds the value array and decodes strings;
 * nothing is allocated per value: both buffers only grow, and a line never
 * needs more decoded text than its own length. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include "common/common.h"
#include "common/json_parse.h"

typedef struct jpst {
	kcap_jp *p;
	const unsigned char *s;
	size_t n, i;
	char *t; /* where the next decoded string goes */
	kcap_error *err;
} jpst;

/* Bytes that end a run of plain string bytes: control bytes, '"', '\\'. */
static const uint8_t str_stop[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
};

static int fail(jpst *st, size_t at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* at >= n: the line ended early, reported at its last byte. */
static int fail(jpst *st, size_t at, const char *fmt, ...)
{
	kcap_error *e = st->err;
	if (!e)
		return KCAP_E_SYNTAX;
	memset(e, 0, sizeof *e);
	e->code = KCAP_E_SYNTAX;
	e->offset = -1;
	if (at >= st->n)
		at = st->n ? st->n - 1 : 0;
	e->column = at >= INT32_MAX ? INT32_MAX : (int)at + 1;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	return KCAP_E_SYNTAX;
}

static int nomem(jpst *st)
{
	return kcap_seterr(st->err, KCAP_E_NOMEM, -1, "out of memory");
}

static int grow(kcap_jp *p)
{
	size_t cap = p->cap ? p->cap * 2 : 256;
	kcap_jv *v = realloc(p->v, cap * sizeof *v);
	if (!v)
		return -1;
	p->v = v;
	p->cap = cap;
	return 0;
}

/* Index of a new value of kind k starting at the current byte; -1 when out
 * of memory. Values are addressed by index while parsing: the array moves. */
static inline long add(jpst *st, int k)
{
	kcap_jp *p = st->p;
	if (p->nv == p->cap && grow(p))
		return -1;
	kcap_jv *v = &p->v[p->nv];
	v->kind = (uint8_t)k;
	v->neg = v->real = 0;
	v->off = (uint32_t)st->i;
	v->n = 0;
	v->u.mag = 0;
	return (long)p->nv++;
}

static void done(jpst *st, long at)
{
	kcap_jv *v = &st->p->v[at];
	v->len = (uint32_t)(st->i - v->off);
	v->next = (uint32_t)st->p->nv;
}

static int digit(unsigned c) { return c - '0' < 10u; }

static void ws(jpst *st)
{
	while (st->i < st->n && (st->s[st->i] == ' ' || st->s[st->i] == '\n' || st->s[st->i] == '\r' || st->s[st->i] == '\t'))
		st->i++;
}

static int hex4(const unsigned char *s, uint32_t *out)
{
	uint32_t v = 0;
	for (int k = 0; k < 4; k++) {
		unsigned c = s[k];
		unsigned d = c - '0' < 10 ? c - '0' : (c | 0x20) - 'a' < 6 ? (c | 0x20) - 'a' + 10 : 16;
		if (d > 15)
			return -1;
		v = v << 4 | d;
	}
	*out = v;
	return 0;
}

static char *put_utf8(char *o, uint32_t cp)
{
	if (cp < 0x80) {
		*o++ = (char)cp;
	} else if (cp < 0x800) {
		*o++ = (char)(0xC0 | cp >> 6);
		*o++ = (char)(0x80 | (cp & 0x3F));
	} else if (cp < 0x10000) {
		*o++ = (char)(0xE0 | cp >> 12);
		*o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
		*o++ = (char)(0x80 | (cp & 0x3F));
	} else {
		*o++ = (char)(0xF0 | cp >> 18);
		*o++ = (char)(0x80 | ((cp >> 12) & 0x3F));
		*o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
		*o++ = (char)(0x80 | (cp & 0x3F));
	}
	return o;
}

/* The \u escape at s[i]; *o advances past its bytes, returns the length of
 * the escape text or a negative error. */
static long unicode_escape(jpst *st, size_t i, char **o, int *nul)
{
	const unsigned char *s = st->s;
	uint32_t u, lo;
	if (st->n - i < 6 || hex4(s + i + 2, &u))
		return fail(st, i, "invalid \\u escape: four hex digits expected");
	if (u >= 0xD800 && u <= 0xDBFF) {
		if (st->n - i < 12 || s[i + 6] != '\\' || s[i + 7] != 'u' || hex4(s + i + 8, &lo) || lo < 0xDC00 ||
		    lo > 0xDFFF)
			return fail(st, i + 6, "invalid Unicode: \\u%04X is not followed by a low surrogate", (unsigned)u);
		*o = put_utf8(*o, 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00));
		return 12;
	}
	if (u >= 0xDC80 && u <= 0xDCFF) { /* a byte that is not UTF-8, as kcap_json_escape writes it */
		*(*o)++ = (char)(u & 0xFF);
		return 6;
	}
	if (u >= 0xDC00 && u <= 0xDFFF)
		return fail(st, i, "invalid Unicode: lone low surrogate \\u%04X", (unsigned)u);
	*nul |= u == 0;
	*o = put_utf8(*o, u);
	return 6;
}

#define ONES 0x0101010101010101ull

/* Copies the bytes from s[i] up to the next str_stop byte to *o; returns
 * the index of that byte (n if none). Eight bytes at a time where it can:
 * the lowest flagged byte of each test below is exact. Writing eight bytes
 * at *o stays inside the text buffer, as *o never runs ahead of s + i. */
static size_t plain_copy(const unsigned char *s, size_t i, size_t n, char **o)
{
	char *d = *o;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	while (n - i >= 8) {
		uint64_t w, q, b;
		memcpy(&w, s + i, 8);
		memcpy(d, &w, 8);
		q = w ^ (ONES * '"');
		b = w ^ (ONES * '\\');
		uint64_t hit = (((q - ONES) & ~q) | ((b - ONES) & ~b) | ((w - ONES * 0x20) & ~w)) & (ONES * 0x80);
		if (hit) {
			size_t k = (size_t)__builtin_ctzll(hit) >> 3;
			*o = d + k;
			return i + k;
		}
		i += 8;
		d += 8;
	}
#endif
	while (i < n && !str_stop[s[i]])
		*d++ = (char)s[i++];
	*o = d;
	return i;
}

/* The string at the current '"' into the text buffer. */
static int string(jpst *st, int key)
{
	const unsigned char *s = st->s;
	size_t n = st->n, i = st->i + 1;
	long at = add(st, KCAP_JV_STR);
	if (at < 0)
		return nomem(st);
	char *start = st->t, *o = start;
	int nul = 0;
	for (;;) {
		i = plain_copy(s, i, n, &o);
		if (i >= n)
			return fail(st, n, "unexpected end of the line in a string");
		unsigned char c = s[i];
		if (c == '"')
			break;
		if (c != '\\')
			return fail(st, i, "control character 0x%02x in a string (must be escaped)", c);
		if (i + 1 >= n)
			return fail(st, n, "unexpected end of the line in a string");
		static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
		const char *e = memchr(from, s[i + 1], 8);
		if (e) {
			*o++ = to[e - from];
			i += 2;
			continue;
		}
		if (s[i + 1] != 'u')
			return fail(st, i, "invalid escape '\\%c' in a string", s[i + 1] >= 0x20 && s[i + 1] < 0x7F ? s[i + 1] : '?');
		long k = unicode_escape(st, i, &o, &nul);
		if (k < 0)
			return (int)k;
		i += (size_t)k;
	}
	if (key && nul)
		return fail(st, st->i, "NUL byte in an object key");
	*o = 0;
	st->i = i + 1;
	st->t = o + 1;
	kcap_jv *v = &st->p->v[at];
	v->u.s = start;
	v->n = (uint32_t)(o - start);
	done(st, at);
	return 0;
}

static int number(jpst *st)
{
	const unsigned char *s = st->s;
	size_t n = st->n, i = st->i;
	long at = add(st, KCAP_JV_INT);
	if (at < 0)
		return nomem(st);
	int neg = s[i] == '-', real = 0, big = 0;
	uint64_t mag = 0;
	i += (size_t)neg;
	if (i >= n || !digit(s[i]))
		return fail(st, i, "invalid number: a digit expected");
	if (s[i] == '0') {
		if (++i < n && digit(s[i]))
			return fail(st, st->i, "invalid number: leading zero");
	} else {
		size_t first = i;
		for (; i < n && digit(s[i]); i++)
			mag = mag * 10 + (unsigned)(s[i] - '0');
		/* 19 digits cannot overflow; with 20, mag is redone checking the last */
		big = i - first > 20;
		if (i - first == 20) {
			unsigned d = s[i - 1] - '0';
			mag = 0;
			for (size_t k = first; k < i - 1; k++)
				mag = mag * 10 + (unsigned)(s[k] - '0');
			big = mag > (UINT64_MAX - d) / 10;
			mag = mag * 10 + d;
		}
	}
	if (i < n && s[i] == '.') {
		real = 1;
		if (++i >= n || !digit(s[i]))
			return fail(st, i, "invalid number: a digit expected after '.'");
		while (i < n && digit(s[i]))
			i++;
	}
	if (i < n && (s[i] | 0x20) == 'e') {
		real = 1;
		if (++i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		if (i >= n || !digit(s[i]))
			return fail(st, i, "invalid number: a digit expected in the exponent");
		while (i < n && digit(s[i]))
			i++;
	}
	st->i = i;
	kcap_jv *v = &st->p->v[at];
	if (real || big) {
		v->kind = KCAP_JV_NUM;
		v->real = (uint8_t)real;
	} else {
		v->neg = (uint8_t)(neg && mag);
		v->u.mag = mag;
	}
	done(st, at);
	return 0;
}

static int literal(jpst *st, const char *word, size_t len, int kind)
{
	if (st->n - st->i < len || memcmp(st->s + st->i, word, len))
		return fail(st, st->i, "invalid token (expected %s)", word);
	long at = add(st, kind);
	if (at < 0)
		return nomem(st);
	st->i += len;
	done(st, at);
	return 0;
}

static int value(jpst *st, int depth);

/* The array or object at the current '[' or '{'. */
static int container(jpst *st, int depth, int object)
{
	unsigned char close = object ? '}' : ']';
	if (depth >= KCAP_JSON_MAX_DEPTH)
		return fail(st, st->i, "nesting deeper than %d levels", KCAP_JSON_MAX_DEPTH);
	long at = add(st, object ? KCAP_JV_OBJ : KCAP_JV_ARR);
	if (at < 0)
		return nomem(st);
	uint32_t count = 0;
	int rc;
	st->i++;
	ws(st);
	if (st->i < st->n && st->s[st->i] == close) {
		st->i++;
		done(st, at);
		return 0;
	}
	for (;;) {
		if (object) {
			if (st->i >= st->n || st->s[st->i] != '"')
				return fail(st, st->i, "unexpected token: a string (object key) expected");
			if ((rc = string(st, 1)))
				return rc;
			ws(st);
			if (st->i >= st->n || st->s[st->i] != ':')
				return fail(st, st->i, "unexpected token: ':' expected");
			st->i++;
			ws(st);
		}
		if ((rc = value(st, depth + 1)))
			return rc;
		count++;
		ws(st);
		if (st->i >= st->n)
			return fail(st, st->n, "unexpected end of the line: '%c' expected", close);
		if (st->s[st->i] == close)
			break;
		if (st->s[st->i] != ',')
			return fail(st, st->i, "unexpected token: ',' or '%c' expected", close);
		st->i++;
		ws(st);
	}
	st->i++;
	st->p->v[at].n = count;
	done(st, at);
	return 0;
}

static int value(jpst *st, int depth)
{
	if (st->i >= st->n)
		return fail(st, st->n, "unexpected end of the line: a value expected");
	unsigned char c = st->s[st->i];
	switch (c) {
	case '{': return container(st, depth, 1);
	case '[': return container(st, depth, 0);
	case '"': return string(st, 0);
	case 't': return literal(st, "true", 4, KCAP_JV_TRUE);
	case 'f': return literal(st, "false", 5, KCAP_JV_FALSE);
	case 'n': return literal(st, "null", 4, KCAP_JV_NULL);
	case '}': case ']': case ',': case ':':
		return fail(st, st->i, "unexpected token '%c': a value expected", c);
	default:
		if (c == '-' || digit(c))
			return number(st);
		return fail(st, st->i, "invalid token (byte 0x%02x): a value expected", c);
	}
}

int kcap_jp_parse(kcap_jp *p, const char *line, size_t n, kcap_error *err)
{
	jpst st = {p, (const unsigned char *)line, n, 0, NULL, err};
	if (n >= UINT32_MAX)
		return fail(&st, 0, "line longer than 4 GiB");
	/* a string decodes to no more bytes than it takes, quotes included */
	if (p->textcap < n + 1) {
		char *t = malloc(n + 1);
		if (!t)
			return nomem(&st);
		free(p->text);
		p->text = t;
		p->textcap = n + 1;
	}
	p->nv = 0;
	st.t = p->text;
	ws(&st);
	int rc = value(&st, 0);
	if (rc)
		return rc;
	ws(&st);
	if (st.i < n)
		return fail(&st, st.i, "unexpected data after the JSON value");
	return 0;
}

void kcap_jp_free(kcap_jp *p)
{
	if (!p)
		return;
	free(p->v);
	free(p->text);
	memset(p, 0, sizeof *p);
}

const kcap_jv *kcap_jp_member(const kcap_jp *p, const kcap_jv *obj, const char *key, size_t klen)
{
	const kcap_jv *found = NULL;
	if (!obj || obj->kind != KCAP_JV_OBJ)
		return NULL;
	const kcap_jv *k = obj + 1;
	for (uint32_t i = 0; i < obj->n; i++) {
		const kcap_jv *v = k + 1;
		if (k->n == klen && !memcmp(k->u.s, key, klen))
			found = v;
		k = kcap_jp_skip(p, v);
	}
	return found;
}
