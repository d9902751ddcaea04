/* Lexer, parser and compiler of the filter language (filter.h). The lexer is
 * driven by the parser: after an operator it reads a value (a bare word runs
 * to whitespace, a parenthesis or a comma, so 10.0.0.0/8, ::1 and
 * 2026-11-21T10:00:00Z need no quotes); elsewhere it reads names and
 * keywords. */
#include "common/port.h"
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <kcap/taxonomy.h>
#include "query/filter_internal.h"

#define MAX_DEPTH 200

static const char *const canon_names[] = {
	"seq", "ts", "pid", "tid", "ppid", "cpu", "uid", "gid",
	"comm", "type", "category", "host", "source",
};
static const char *const proc_names[] = {"pid", "ppid", "uid", "gid", "comm", "exe", "cwd", "cmdline"};

static const struct {
	const char *name;
	int op;
} word_ops[] = {
	{"contains", OP_CONTAINS}, {"icontains", OP_ICONTAINS}, {"startswith", OP_STARTS},
	{"endswith", OP_ENDS}, {"glob", OP_GLOB}, {"regex", OP_REGEX}, {"matches", OP_REGEX},
	{"in", OP_IN}, {"exists", OP_EXISTS},
};

typedef struct parser {
	kcap_filter *f;
	const char *s;
	size_t pos;
	kcap_error *err;
	int rc;
	int depth;
} parser;

static int perr(parser *p, int code, size_t pos, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int perr(parser *p, int code, size_t pos, const char *fmt, ...)
{
	if (p->rc)
		return p->rc;
	p->rc = code;
	if (p->err) {
		va_list ap;
		memset(p->err, 0, sizeof(*p->err));
		p->err->code = code;
		p->err->offset = -1;
		p->err->column = (int)pos + 1;
		va_start(ap, fmt);
		vsnprintf(p->err->msg, sizeof(p->err->msg), fmt, ap);
		va_end(ap);
	}
	return code;
}

static void skip_ws(parser *p)
{
	while (p->s[p->pos] && isspace((unsigned char)p->s[p->pos]))
		p->pos++;
}

static int is_name_start(int c)
{
	return isalpha(c) || c == '_';
}

static int is_name_char(int c)
{
	return isalnum(c) || c == '_' || c == '.';
}

/* Length of the name at pos (0 if none). */
static size_t name_len(const parser *p, size_t pos)
{
	size_t n = 0;
	if (!is_name_start((unsigned char)p->s[pos]))
		return 0;
	while (is_name_char((unsigned char)p->s[pos + n]))
		n++;
	return n;
}

/* Case-insensitive keyword test at pos: a whole word. */
static int kw_at(const parser *p, size_t pos, const char *kw)
{
	size_t n = strlen(kw);
	if (strncasecmp(p->s + pos, kw, n))
		return 0;
	return !is_name_char((unsigned char)p->s[pos + n]);
}

static fnode *new_node(parser *p, int kind)
{
	kcap_filter *f = p->f;
	if (f->nnodes == f->capnodes) {
		size_t nc = f->capnodes ? f->capnodes * 2 : 16;
		fnode **nn = realloc(f->nodes, nc * sizeof(*nn));
		if (!nn) {
			perr(p, KCAP_E_NOMEM, p->pos, "out of memory");
			return NULL;
		}
		f->nodes = nn;
		f->capnodes = nc;
	}
	fnode *n = calloc(1, sizeof(*n));
	if (!n) {
		perr(p, KCAP_E_NOMEM, p->pos, "out of memory");
		return NULL;
	}
	n->kind = kind;
	n->pslot = -1;
	f->nodes[f->nnodes++] = n;
	return n;
}

/* ---- did you mean ---- */

static int edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 63 || lb > 63)
		return 99;
	int row[64];
	for (size_t j = 0; j <= lb; j++)
		row[j] = (int)j;
	for (size_t i = 1; i <= la; i++) {
		int prev = row[0];
		row[0] = (int)i;
		for (size_t j = 1; j <= lb; j++) {
			int above = row[j];
			int sub = prev + (tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]));
			int best = row[j] + 1 < row[j - 1] + 1 ? row[j] + 1 : row[j - 1] + 1;
			row[j] = sub < best ? sub : best;
			prev = above;
		}
	}
	return row[lb];
}

typedef struct suggest {
	const char *name[4];
	int dist[4];
	int n;
} suggest;

static void suggest_add(suggest *sg, const char *want, const char *cand)
{
	size_t lw = strlen(want), lc = strlen(cand);
	int limit = lw <= 3 ? 1 : lw <= 6 ? 2 : 3;
	/* the distance is at least the difference of the lengths: most
	 * candidates are out without the quadratic table */
	int d = (lw > lc ? lw - lc : lc - lw) > (size_t)limit ? 99 : edit_distance(want, cand);
	if (d > limit && !(lw >= 3 && lc > lw && strstr(cand, want)))
		return;
	for (int i = 0; i < sg->n; i++)
		if (!strcmp(sg->name[i], cand))
			return;
	int at = sg->n < 4 ? sg->n : 4;
	while (at > 0 && sg->dist[at - 1] > d)
		at--;
	if (at >= 4)
		return;
	for (int i = (sg->n < 4 ? sg->n : 3); i > at; i--) {
		sg->name[i] = sg->name[i - 1];
		sg->dist[i] = sg->dist[i - 1];
	}
	sg->name[at] = cand;
	sg->dist[at] = d;
	if (sg->n < 4)
		sg->n++;
}

static void suggest_fixed(suggest *sg, const char *want)
{
	static char full[2][8][16];
	for (size_t i = 0; i < sizeof(canon_names) / sizeof(canon_names[0]); i++)
		suggest_add(sg, want, canon_names[i]);
	for (int k = 0; k < 2; k++)
		for (int i = 0; i < 8; i++) {
			if (!full[k][i][0])
				snprintf(full[k][i], sizeof(full[k][i]), "%s.%s", k ? "parent" : "proc", proc_names[i]);
			suggest_add(sg, want, full[k][i]);
		}
}

static void suggest_format(const suggest *sg, char *out, size_t outsz)
{
	if (!sg->n) {
		out[0] = 0;
		return;
	}
	size_t o = (size_t)snprintf(out, outsz, "; did you mean ");
	for (int i = 0; i < sg->n && o < outsz; i++)
		o += (size_t)snprintf(out + o, outsz - o, "%s%s", i ? (i == sg->n - 1 ? " or " : ", ") : "", sg->name[i]);
	if (o < outsz)
		snprintf(out + o, outsz - o, "?");
}

/* ---- fields ---- */



static int add_slot(parser *p, const char *name, size_t n, int col)
{
	kcap_filter *f = p->f;
	for (int i = 0; i < f->nslots; i++)
		if (strlen(f->slots[i]) == n && !memcmp(f->slots[i], name, n))
			return i;
	char **ns = realloc(f->slots, (size_t)(f->nslots + 1) * sizeof(*ns));
	if (!ns)
		return perr(p, KCAP_E_NOMEM, p->pos, "out of memory");
	f->slots = ns;
	int *nc = realloc(f->slot_col, (size_t)(f->nslots + 1) * sizeof(*nc));
	if (!nc)
		return perr(p, KCAP_E_NOMEM, p->pos, "out of memory");
	f->slot_col = nc;
	uint8_t *na = realloc(f->slot_alias, (size_t)(f->nslots + 1));
	if (!na)
		return perr(p, KCAP_E_NOMEM, p->pos, "out of memory");
	f->slot_alias = na;
	f->slot_alias[f->nslots] = S_NONE;
	char *c = strndup(name, n);
	if (!c)
		return perr(p, KCAP_E_NOMEM, p->pos, "out of memory");
	f->slots[f->nslots] = c;
	f->slot_col[f->nslots] = col;
	return f->nslots++;
}

int kcap__field_parse(const char *name, size_t len, kfield *k, kcap_error *err)
{
	memset(k, 0, sizeof(*k));
	if (len >= 128)
		return kcap_seterr_col(err, KCAP_E_NOTFOUND, 1, "field name too long");
	char buf[128];
	memcpy(buf, name, len);
	buf[len] = 0;
	for (size_t i = 0; i < sizeof(canon_names) / sizeof(canon_names[0]); i++)
		if (!strcmp(buf, canon_names[i])) {
			k->field = (int)i; /* F_SEQ.. follow canon_names order */
			return 0;
		}
	if (!strcmp(buf, "time")) {
		k->field = F_TS;
		return 0;
	}
	int is_proc = !strncmp(buf, "proc.", 5), is_parent = !strncmp(buf, "parent.", 7);
	if (is_proc || is_parent) {
		const char *sub = buf + (is_proc ? 5 : 7);
		for (int i = 0; i < 8; i++)
			if (!strcmp(sub, proc_names[i])) {
				k->field = is_proc ? F_PROC : F_PARENT;
				k->sub = i;
				return 0;
			}
		suggest sg = {0};
		char tail[160];
		suggest_fixed(&sg, buf);
		suggest_format(&sg, tail, sizeof(tail));
		return kcap_seterr_col(err, KCAP_E_NOTFOUND, 1, "unknown field '%s'%s", buf, tail);
	}
	k->pname = name;
	k->plen = len;
	if (!strncmp(buf, "params.", 7)) {
		k->pname += 7;
		k->plen -= 7;
		if (!k->plen)
			return kcap_seterr_col(err, KCAP_E_SYNTAX, 8, "expected a param name after 'params.'");
	}
	k->field = F_PARAM;
	k->sub = S_NONE;
	/* NAME.ip / NAME.port / NAME.family: sub-fields of a sockaddr param */
	const char *dot = memrchr(k->pname, '.', k->plen);
	if (dot) {
		size_t dl = k->plen - (size_t)(dot - k->pname);
		if (dl == 3 && !memcmp(dot, ".ip", 3))
			k->sub = S_IP;
		else if (dl == 5 && !memcmp(dot, ".port", 5))
			k->sub = S_PORT;
		else if (dl == 7 && !memcmp(dot, ".family", 7))
			k->sub = S_FAMILY;
		if (k->sub != S_NONE)
			k->plen = (size_t)(dot - k->pname);
	}
	if (k->pname == name && (!strcmp(buf, "dip") || !strcmp(buf, "dport")))
		k->alias = buf[1] == 'i' ? S_IP : S_PORT;
	else if (k->sub == S_NONE && dot && dot > k->pname && (size_t)(dot - k->pname) + 1 < k->plen)
		k->alias = S_KEY;
	return 0;
}

/* Resolves the field name at [pos, pos+n) into the predicate. */
static int resolve_field(parser *p, fnode *n, size_t pos, size_t len)
{
	kfield k;
	kcap_error e;
	int rc = kcap__field_parse(p->s + pos, len, &k, &e);
	if (rc)
		return perr(p, rc, pos + (size_t)e.column - 1, "%s", e.msg);
	n->field = k.field;
	n->sub = k.sub;
	if (k.field == F_PROC || k.field == F_PARENT)
		p->f->uses_proc = 1;
	if (k.field != F_PARAM)
		return 0;
	int slot = add_slot(p, k.pname, k.plen, (int)pos + 1);
	if (slot < 0)
		return slot;
	n->pslot = slot;
	if (k.alias)
		p->f->slot_alias[slot] = (uint8_t)k.alias;
	return 0;
}

/* ---- literals ---- */

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Reads a quoted string at p->pos into a malloc'd buffer. */
static int lex_quoted(parser *p, char **out, size_t *outlen)
{
	char q = p->s[p->pos];
	size_t start = p->pos++;
	size_t cap = 16, n = 0;
	char *b = malloc(cap);
	if (!b)
		return perr(p, KCAP_E_NOMEM, start, "out of memory");
	for (;;) {
		char c = p->s[p->pos];
		if (!c) {
			free(b);
			return perr(p, KCAP_E_SYNTAX, start, "unterminated string");
		}
		p->pos++;
		if (c == q)
			break;
		if (c == '\\') {
			size_t epos = p->pos - 1;
			char e = p->s[p->pos];
			if (!e) {
				free(b);
				return perr(p, KCAP_E_SYNTAX, start, "unterminated string");
			}
			p->pos++;
			switch (e) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case '0': c = '\0'; break;
			case '\\': case '"': case '\'': c = e; break;
			case 'x': {
				int h1 = hexval((unsigned char)p->s[p->pos]);
				int h2 = h1 >= 0 ? hexval((unsigned char)p->s[p->pos + 1]) : -1;
				if (h1 < 0 || h2 < 0) {
					free(b);
					return perr(p, KCAP_E_SYNTAX, epos, "bad \\x escape (expected two hex digits)");
				}
				c = (char)(h1 * 16 + h2);
				p->pos += 2;
				break;
			}
			default:
				free(b);
				return perr(p, KCAP_E_SYNTAX, epos, "unknown escape '\\%c'", e);
			}
		}
		if (n + 2 > cap) {
			cap *= 2;
			char *nb = realloc(b, cap);
			if (!nb) {
				free(b);
				return perr(p, KCAP_E_NOMEM, start, "out of memory");
			}
			b = nb;
		}
		b[n++] = c;
	}
	b[n] = 0;
	*out = b;
	*outlen = n;
	return 0;
}

static int parse_uint(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	int base = 10;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!*s)
		return -1;
	for (; *s; s++) {
		int d = hexval((unsigned char)*s);
		if (d < 0 || d >= base)
			return -1;
		if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
			return -1;
		v = v * (uint64_t)base + (uint64_t)d;
	}
	*out = v;
	return 0;
}

static int parse_ip(flit *l, parser *p)
{
	char buf[64];
	const char *slash = strchr(l->text, '/');
	size_t alen = slash ? (size_t)(slash - l->text) : l->len;
	if (alen == 0 || alen >= sizeof(buf) || (!strchr(l->text, '.') && !strchr(l->text, ':')))
		return 0;
	memcpy(buf, l->text, alen);
	buf[alen] = 0;
	uint8_t a[16];
	int v;
	if (inet_pton(AF_INET, buf, a) == 1)
		v = 4;
	else if (inet_pton(AF_INET6, buf, a) == 1)
		v = 16;
	else
		return 0;
	int prefix = v * 8;
	if (slash) {
		uint64_t pv;
		if (parse_uint(slash + 1, &pv) || pv > (uint64_t)v * 8 || !isdigit((unsigned char)slash[1]))
			return perr(p, KCAP_E_INVAL, (size_t)l->col - 1 + alen, "bad CIDR prefix '/%s' (0..%d)", slash + 1, v * 8);
		prefix = (int)pv;
	}
	l->has_ip = 1;
	l->ipv = (uint8_t)v;
	memcpy(l->addr, a, (size_t)v);
	l->prefix = prefix;
	return 0;
}

static int is_symbolic(const char *s)
{
	if (*s == '-')
		s++;
	if (!is_name_start((unsigned char)*s))
		return 0;
	for (; *s; s++)
		if (!(isalnum((unsigned char)*s) || *s == '_' || *s == '|'))
			return 0;
	return s[-1] != '|';
}

static int errno_by_name(const char *s)
{
	if (s[0] != 'E')
		return 0;
	for (int e = 1; e < 256; e++) {
		const char *nm = strerrorname_np(e);
		if (nm && !strcmp(nm, s))
			return e;
	}
	return 0;
}

/* Interprets l->text every way it can be read. */
static int classify_lit(parser *p, fnode *n, flit *l)
{
	const char *t = l->text;
	l->boolv = -1;
	l->symslot = -1;
	/* a quoted literal is read the same ways: pid = "42" works; one with an
	 * embedded NUL is only a string */
	if (strlen(t) != l->len)
		goto lower;
	uint64_t m;
	const char *d = t;
	int neg = 0;
	if (*d == '-' || *d == '+') {
		neg = *d == '-';
		d++;
	}
	if (isdigit((unsigned char)*d) && !parse_uint(d, &m)) {
		l->has_num = 1;
		l->neg = (uint8_t)(neg && m);
		l->mag = m;
	}
	if (t[0] == '0' && t[1] && strspn(t, "01234567") == l->len) {
		l->has_oct = 1;
		l->oct = strtoull(t, NULL, 8);
	}
	if (!strcmp(t, "true"))
		l->boolv = 1;
	else if (!strcmp(t, "false"))
		l->boolv = 0;
	if (!strcmp(t, "AT_FDCWD") && !l->has_num) {
		l->has_num = 1;
		l->neg = 1;
		l->mag = 100;
	}
	if (p->rc || parse_ip(l, p))
		return p->rc;
	int anchor;
	int64_t tv;
	if (!kcap_parse_time_rel(t, &anchor, &tv, NULL)) {
		l->has_time = 1;
		l->anchor = anchor;
		l->tval = tv;
		if (anchor != KCAP_TIME_ABS && (n->field == F_TS || n->field == F_PARAM))
			p->f->anchors |= anchor;
	}
	int64_t dv;
	if (!kcap_parse_duration(t, &dv, NULL)) {
		l->has_dur = 1;
		l->dur = dv;
	}
	if (is_symbolic(t)) {
		l->errnum = errno_by_name(t[0] == '-' ? t + 1 : t);
		if (n->field == F_PARAM) {
			kcap_filter *f = p->f;
			fnode **np = realloc(f->sym_pred, (size_t)(f->nsyms + 1) * sizeof(*np));
			if (!np)
				return perr(p, KCAP_E_NOMEM, p->pos, "out of memory");
			f->sym_pred = np;
			flit **lp = realloc(f->sym_lit, (size_t)(f->nsyms + 1) * sizeof(*lp));
			if (!lp)
				return perr(p, KCAP_E_NOMEM, p->pos, "out of memory");
			f->sym_lit = lp;
			f->sym_pred[f->nsyms] = n;
			f->sym_lit[f->nsyms] = NULL; /* set once the literal array is final */
			l->symslot = f->nsyms++;
		}
	}
lower:
	l->lower = malloc(l->len + 1);
	if (!l->lower)
		return perr(p, KCAP_E_NOMEM, p->pos, "out of memory");
	for (size_t i = 0; i <= l->len; i++)
		l->lower[i] = (char)tolower((unsigned char)l->text[i]);
	return 0;
}

/* Checks a literal against a canonical field's type. */
static int check_lit(parser *p, fnode *n, flit *l)
{
	int op = n->op;
	if (op >= OP_CONTAINS && op <= OP_REGEX)
		return 0; /* string operators work on the text of any field */
	switch (n->field) {
	case F_TS:
		if (!l->has_time) {
			kcap_error te;
			int anchor;
			int64_t tv;
			kcap_parse_time_rel(l->text, &anchor, &tv, &te);
			/* te.column is within the text, after the quote of a quoted literal */
			return perr(p, KCAP_E_INVAL, (size_t)(l->col - 1 + (te.column > 0 ? te.column - 1 + l->quoted : 0)),
			            "bad time '%s': %s", l->text, te.msg);
		}
		break;
	case F_SEQ: case F_PID: case F_TID: case F_PPID: case F_CPU: case F_UID: case F_GID:
		if (!l->has_num)
			return perr(p, KCAP_E_INVAL, (size_t)l->col - 1, "expected a number for '%s', got '%s'",
			            canon_names[n->field], l->text);
		break;
	case F_PROC: case F_PARENT:
		if (n->sub <= P_GID && !l->has_num)
			return perr(p, KCAP_E_INVAL, (size_t)l->col - 1, "expected a number for '%s.%s', got '%s'",
			            n->field == F_PROC ? "proc" : "parent", proc_names[n->sub], l->text);
		break;
	default:
		break;
	}
	return 0;
}

/* Reads one value at p->pos. */
static int lex_value(parser *p, fnode *n, flit *l)
{
	skip_ws(p);
	size_t start = p->pos;
	char c = p->s[start];
	memset(l, 0, sizeof(*l));
	l->col = (int)start + 1;
	if (c == '"' || c == '\'') {
		if (lex_quoted(p, &l->text, &l->len))
			return p->rc;
		l->quoted = 1;
	} else {
		size_t e = start;
		while (p->s[e] && !isspace((unsigned char)p->s[e]) && p->s[e] != '(' && p->s[e] != ')' &&
		       p->s[e] != ',' && p->s[e] != '"' && p->s[e] != '\'' &&
		       !(p->s[e] == '&' && p->s[e + 1] == '&') && !(p->s[e] == '|' && p->s[e + 1] == '|'))
			e++;
		if (e == start) {
			if (!c)
				return perr(p, KCAP_E_SYNTAX, start, "expected a value, got the end of the expression");
			return perr(p, KCAP_E_SYNTAX, start, "expected a value, got '%c'", c);
		}
		l->text = strndup(p->s + start, e - start);
		if (!l->text)
			return perr(p, KCAP_E_NOMEM, start, "out of memory");
		l->len = e - start;
		p->pos = e;
	}
	if (classify_lit(p, n, l))
		return p->rc;
	return check_lit(p, n, l);
}

static int push_lit(parser *p, fnode *n, int *cap)
{
	if (n->nlits == *cap) {
		int nc = *cap ? *cap * 2 : 2;
		flit *nl = realloc(n->lits, (size_t)nc * sizeof(*nl));
		if (!nl)
			return perr(p, KCAP_E_NOMEM, p->pos, "out of memory");
		n->lits = nl;
		*cap = nc;
	}
	int rc = lex_value(p, n, &n->lits[n->nlits]);
	if (!rc || n->lits[n->nlits].text)
		n->nlits++; /* keep it for freeing even on error */
	return rc;
}

/* ---- regex compile cost ---- */

/* glibc's regcomp copies the operand of a bounded repetition once per count
 * and that of '+' twice, and its memory grows faster than the copies (a
 * chain of n optional copies costs n^2): "s" followed by 25 '+' or
 * a{1,32767}{1,32767} took gigabytes. Before regcomp sees a pattern, its
 * expanded size is estimated the way regcomp expands it and bounded, as is
 * each repetition count; back-references, which make matching exponential,
 * are refused. */
#define RE_MAX_COUNT 255
#define RE_MAX_SIZE 10000

/* A repetition of an operand that can match the empty string (after '*',
 * '?' or {0,n}) costs regcomp far more than its states: a second one nested
 * around it is refused. "((Q*)+){1,255}" (1,500 states) took seconds and
 * "Q++*" followed by 10 '+' 1.8 s and 114 MB, while 11 stacked '+' on a
 * plain character cost nothing. Stacked operators nest as groups do. */
#define RE_MAX_NULLABLE_NESTED 1

typedef struct re_frame {
	uint64_t alts, cat, last; /* finished alternatives, concatenation, last atom */
	int nd, last_nd;          /* repetitions of empty-matching operands nested: in the frame, in the last atom */
	int nullable, last_nullable; /* an atom of the frame, the last atom, may match empty */
} re_frame;

/* Length of the bracket expression at re[i] == '[' (to its ']'), or 0 when
 * it does not close (regcomp reports that). */
static size_t re_bracket_len(const char *re, size_t n, size_t i)
{
	size_t j = i + 1;
	if (j < n && re[j] == '^')
		j++;
	if (j < n && re[j] == ']')
		j++;
	for (; j < n; j++) {
		if (re[j] == ']')
			return j + 1 - i;
		if (re[j] == '[' && j + 1 < n && (re[j + 1] == ':' || re[j + 1] == '=' || re[j + 1] == '.')) {
			char k = re[j + 1];
			size_t e = j + 2;
			while (e + 1 < n && !(re[e] == k && re[e + 1] == ']'))
				e++;
			if (e + 1 >= n)
				return 0;
			j = e + 1;
		}
	}
	return 0;
}

/* Reads an interval {m}, {m,} or {m,n} at re[i] == '{'. Returns its length,
 * or 0 when it is not one (then '{' is a plain character). */
static size_t re_interval(const char *re, size_t n, size_t i, uint64_t *lo, uint64_t *hi, int *open)
{
	size_t j = i + 1;
	uint64_t a = 0, b = 0;
	int da = 0, db = 0, comma = 0;
	for (; j < n && isdigit((unsigned char)re[j]); j++, da++)
		a = a < 100000 ? a * 10 + (uint64_t)(re[j] - '0') : a;
	if (j < n && re[j] == ',') {
		comma = 1;
		for (j++; j < n && isdigit((unsigned char)re[j]); j++, db++)
			b = b < 100000 ? b * 10 + (uint64_t)(re[j] - '0') : b;
	}
	if (j >= n || re[j] != '}' || (!da && !db))
		return 0;
	*lo = a;
	*hi = comma ? (db ? b : a) : a;
	*open = comma && !db;
	return j + 1 - i;
}

/* The last atom is done with: its nesting counts for the frame's. */
static void re_new_atom(re_frame *f)
{
	if (f->last_nd > f->nd)
		f->nd = f->last_nd;
	f->nullable |= f->last_nullable;
	f->last_nd = f->last_nullable = 0;
}

/* A repetition applied to the last atom; empty: it may repeat zero times.
 * Returns the error when it nests too deep. */
static const char *re_repeat(re_frame *f, int empty)
{
	if (f->last_nullable || f->last_nd)
		f->last_nd++;
	f->last_nullable |= empty;
	return f->last_nd > RE_MAX_NULLABLE_NESTED ? "too complex (a repetition of a repeated part that may be empty)" : NULL;
}

/* 0 when the pattern's compile cost is bounded; otherwise the error, with
 * *at the offset in re of the construct that breaks the bound. */
static const char *regex_cost_check(const char *re, size_t n, size_t *at)
{
	re_frame st[MAX_DEPTH + 1];
	int d = 0;
	memset(st, 0, sizeof(st));
	for (size_t i = 0; i < n;) {
		re_frame *f = &st[d];
		char c = re[i];
		uint64_t lo, hi;
		int open;
		size_t k;
		*at = i;
		if (c == '(' && d < MAX_DEPTH) {
			memset(&st[++d], 0, sizeof(st[0]));
			i++;
			continue;
		}
		if (c == ')' && d > 0) {
			uint64_t g = f->alts + f->cat + f->last + 1;
			re_new_atom(f); /* the group: what its atoms were */
			int gnd = f->nd, gnull = f->nullable;
			d--;
			st[d].cat += st[d].last;
			st[d].last = g;
			re_new_atom(&st[d]);
			st[d].last_nd = gnd;
			st[d].last_nullable = gnull;
			i++;
		} else if (c == '|') {
			f->alts += f->cat + f->last + 1;
			f->cat = f->last = 0;
			re_new_atom(f);
			i++;
			continue;
		} else if ((c == '*' || c == '?' || c == '+') && f->last) {
			f->last = c == '+' ? 2 * f->last + 1 : f->last + 1;
			const char *why = re_repeat(f, c != '+');
			if (why)
				return why;
			i++;
		} else if (c == '{' && f->last && (k = re_interval(re, n, i, &lo, &hi, &open))) {
			if (lo > RE_MAX_COUNT || hi > RE_MAX_COUNT)
				return "repetition count over 255";
			uint64_t times = (open ? lo + 1 : hi > lo ? hi : lo);
			f->last = f->last * (times ? times : 1) + 1;
			const char *why = re_repeat(f, lo == 0);
			if (why)
				return why;
			i += k;
		} else if (c == '\\' && i + 1 < n) {
			if (re[i + 1] >= '1' && re[i + 1] <= '9')
				return "back-references are not supported";
			f->cat += f->last;
			f->last = 1;
			re_new_atom(f);
			i += 2;
		} else if (c == '[' && (k = re_bracket_len(re, n, i))) {
			f->cat += f->last;
			f->last = 1;
			re_new_atom(f);
			i += k;
		} else {
			f->cat += f->last;
			f->last = 1;
			re_new_atom(f);
			i++;
		}
		uint64_t total = 0;
		for (int j = 0; j <= d; j++)
			total += st[j].alts + st[j].cat + st[j].last;
		if (total > RE_MAX_SIZE)
			return "too complex (it would expand to over 10000 states; nest fewer repetitions)";
	}
	return NULL;
}

static int compile_regex(parser *p, fnode *n)
{
	const flit *l = &n->lits[0];
	size_t at = 0;
	const char *why = regex_cost_check(l->text, l->len, &at);
	if (why)
		return perr(p, KCAP_E_INVAL, (size_t)l->col - 1 + (l->quoted ? 0 : at), "bad regex: %s", why);
	int rc = regcomp(&n->re, l->text, REG_EXTENDED | REG_NOSUB);
	if (rc) {
		char m[128];
		regerror(rc, &n->re, m, sizeof(m));
		return perr(p, KCAP_E_INVAL, (size_t)l->col - 1, "bad regex: %s", m);
	}
	n->has_re = 1;
	return 0;
}

/* A '[' that never closes would silently be a plain character of the
 * pattern (glob_one in filter_eval.c); the scan mirrors glob_one. */
static int check_glob(parser *p, const flit *l)
{
	const char *g = l->text;
	size_t n = l->len;
	for (size_t i = 0; i < n;) {
		if (g[i] == '\\' && i + 1 < n) {
			i += 2;
			continue;
		}
		if (g[i] != '[') {
			i++;
			continue;
		}
		size_t j = i + 1;
		if (j < n && (g[j] == '!' || g[j] == '^'))
			j++;
		size_t first = j;
		while (j < n && (g[j] != ']' || j == first))
			j += j + 2 < n && g[j + 1] == '-' && g[j + 2] != ']' ? 3 : 1;
		if (j >= n)
			return perr(p, KCAP_E_INVAL, (size_t)l->col - 1 + (l->quoted ? 0 : i),
			            "unterminated '[' in glob pattern (write \\[ for a plain '[')");
		i = j + 1;
	}
	return 0;
}

static const char op_list[] = "= != < <= > >= contains icontains startswith endswith glob regex in exists";

static fnode *parse_binary(parser *p, int kind);

static fnode *parse_pred(parser *p)
{
	skip_ws(p);
	size_t fpos = p->pos;
	size_t flen = name_len(p, fpos);
	if (!flen) {
		char c = p->s[fpos];
		if (!c)
			perr(p, KCAP_E_SYNTAX, fpos, strspn(p->s, " \t\r\n\v\f") < fpos
			                                 ? "expected a field name, got the end of the expression"
			                                 : "empty expression");
		else if (c == ')')
			perr(p, KCAP_E_SYNTAX, fpos, "expected a field name, got ')'");
		else
			perr(p, KCAP_E_SYNTAX, fpos, "expected a field name, got '%c'", c);
		return NULL;
	}
	if (kw_at(p, fpos, "and") || kw_at(p, fpos, "or")) {
		perr(p, KCAP_E_SYNTAX, fpos, "expected a field name, got '%.*s'", (int)flen, p->s + fpos);
		return NULL;
	}
	fnode *n = new_node(p, N_PRED);
	if (!n)
		return NULL;
	n->col = (int)fpos + 1;
	if (resolve_field(p, n, fpos, flen))
		return NULL;
	p->pos += flen;
	skip_ws(p);
	size_t opos = p->pos;
	const char *s = p->s + opos;
	int op = -1;
	size_t olen = 0;
	if (kw_at(p, opos, "not")) {
		n->negate = 1;
		p->pos += 3;
		skip_ws(p);
		opos = p->pos;
		s = p->s + opos;
		size_t wl = name_len(p, opos);
		for (size_t i = 0; i < sizeof(word_ops) / sizeof(word_ops[0]); i++)
			if (strlen(word_ops[i].name) == wl && !strncasecmp(s, word_ops[i].name, wl))
				op = word_ops[i].op;
		if (op < 0 || op == OP_EXISTS) {
			perr(p, KCAP_E_SYNTAX, opos, "expected a word operator after 'not' (in contains icontains "
			                             "startswith endswith glob regex)");
			return NULL;
		}
		olen = wl;
	} else if (s[0] == '=' && s[1] == '=') {
		op = OP_EQ, olen = 2;
	} else if (s[0] == '=') {
		op = OP_EQ, olen = 1;
	} else if (s[0] == '!' && s[1] == '=') {
		op = OP_NE, olen = 2;
	} else if (s[0] == '<' && s[1] == '=') {
		op = OP_LE, olen = 2;
	} else if (s[0] == '<' && s[1] == '>') {
		op = OP_NE, olen = 2;
	} else if (s[0] == '<') {
		op = OP_LT, olen = 1;
	} else if (s[0] == '>' && s[1] == '=') {
		op = OP_GE, olen = 2;
	} else if (s[0] == '>') {
		op = OP_GT, olen = 1;
	} else if (s[0] == '~') {
		op = OP_REGEX, olen = 1;
	} else {
		size_t wl = name_len(p, opos);
		for (size_t i = 0; i < sizeof(word_ops) / sizeof(word_ops[0]); i++)
			if (wl && strlen(word_ops[i].name) == wl && !strncasecmp(s, word_ops[i].name, wl))
				op = word_ops[i].op;
		olen = wl;
	}
	if (op < 0) {
		if (!s[0])
			perr(p, KCAP_E_SYNTAX, opos, "expected an operator after '%.*s' (%s), got the end of the expression",
			     (int)flen, p->s + fpos, op_list);
		else
			perr(p, KCAP_E_SYNTAX, opos, "expected an operator after '%.*s' (%s)", (int)flen, p->s + fpos, op_list);
		return NULL;
	}
	n->op = op;
	p->pos += olen;
	int cap = 0;
	if (op == OP_EXISTS)
		return n;
	if (op == OP_IN) {
		skip_ws(p);
		if (p->s[p->pos] != '(') {
			perr(p, KCAP_E_SYNTAX, p->pos, "expected '(' after 'in'");
			return NULL;
		}
		p->pos++;
		skip_ws(p);
		if (p->s[p->pos] == ')') {
			perr(p, KCAP_E_SYNTAX, p->pos, "empty list after 'in'");
			return NULL;
		}
		for (;;) {
			if (push_lit(p, n, &cap))
				return NULL;
			skip_ws(p);
			char c = p->s[p->pos];
			if (c == ',') {
				p->pos++;
				continue;
			}
			if (c == ')') {
				p->pos++;
				break;
			}
			if (!c)
				perr(p, KCAP_E_SYNTAX, p->pos, "expected ',' or ')' in the list, got the end of the expression");
			else
				perr(p, KCAP_E_SYNTAX, p->pos, "expected ',' or ')' in the list");
			return NULL;
		}
	} else {
		if (push_lit(p, n, &cap))
			return NULL;
	}
	if (op == OP_REGEX && compile_regex(p, n))
		return NULL;
	if (op == OP_GLOB && check_glob(p, &n->lits[0]))
		return NULL;
	return n;
}

static fnode *parse_unary(parser *p)
{
	skip_ws(p);
	if (++p->depth > MAX_DEPTH) {
		perr(p, KCAP_E_SYNTAX, p->pos, "expression nested too deeply");
		return NULL;
	}
	fnode *r = NULL;
	size_t pos = p->pos;
	if (kw_at(p, pos, "not") || (p->s[pos] == '!' && p->s[pos + 1] != '=')) {
		p->pos += p->s[pos] == '!' ? 1 : 3;
		fnode *a = parse_unary(p);
		if (!a)
			goto cleanup;
		r = new_node(p, N_NOT);
		if (r)
			r->a = a;
	} else if (p->s[pos] == '(') {
		p->pos++;
		fnode *a = parse_binary(p, N_OR);
		if (!a)
			goto cleanup;
		skip_ws(p);
		if (p->s[p->pos] != ')') {
			if (!p->s[p->pos])
				perr(p, KCAP_E_SYNTAX, p->pos, "expected ')' to close the '(' at column %zu, got the end of the expression", pos + 1);
			else
				perr(p, KCAP_E_SYNTAX, p->pos, "expected ')' to close the '(' at column %zu", pos + 1);
			goto cleanup;
		}
		p->pos++;
		r = a;
	} else {
		r = parse_pred(p);
	}
cleanup:
	p->depth--;
	return r;
}

/* One precedence level of the left-associative binary operators: kind
 * N_OR ("or", "||") joins N_AND terms, N_AND ("and", "&&") joins unary
 * terms. */
static fnode *parse_binary(parser *p, int kind)
{
	const char *kw = kind == N_OR ? "or" : "and";
	char sym = kind == N_OR ? '|' : '&';
	fnode *l = kind == N_OR ? parse_binary(p, N_AND) : parse_unary(p);
	while (l) {
		skip_ws(p);
		size_t pos = p->pos;
		if (kw_at(p, pos, kw))
			p->pos += strlen(kw);
		else if (p->s[pos] == sym && p->s[pos + 1] == sym)
			p->pos += 2;
		else
			break;
		fnode *r = kind == N_OR ? parse_binary(p, N_AND) : parse_unary(p);
		if (!r)
			return NULL;
		fnode *n = new_node(p, kind);
		if (!n)
			return NULL;
		n->a = l;
		n->b = r;
		l = n;
	}
	return l;
}

/* Marks subtrees whose value depends only on the event type. */
static int mark_type_only(fnode *n)
{
	switch (n->kind) {
	case N_PRED:
		n->type_only = n->field == F_TYPE || n->field == F_CATEGORY;
		break;
	case N_NOT:
		n->type_only = (uint8_t)mark_type_only(n->a);
		break;
	default: {
		int a = mark_type_only(n->a), b = mark_type_only(n->b);
		n->type_only = (uint8_t)(a && b);
		break;
	}
	}
	return n->type_only;
}

/* Picks a fast path for predicates whose meaning does not depend on the
 * event's types: comm (in)equality, integer comparisons of canonical fields
 * and absolute times, and integer comparisons of params with plain numbers
 * (a param that turns out not to be an integer takes the general path). */
static void set_fast(kcap_filter *f, fnode *n)
{
	if (n->kind != N_PRED || n->negate)
		return;
	if (n->field == F_COMM && (n->op == OP_EQ || n->op == OP_NE)) {
		n->fast = FAST_COMM;
		return;
	}
	if (!(n->op <= OP_GE || n->op == OP_IN))
		return;
	for (int i = 0; i < n->nlits; i++) {
		flit *l = &n->lits[i];
		if (n->field == F_TS) {
			if (!l->has_time || l->anchor != KCAP_TIME_ABS)
				return;
			l->fneg = l->tval < 0;
			l->fmag = l->tval < 0 ? (uint64_t)(-(l->tval + 1)) + 1 : (uint64_t)l->tval;
		} else {
			if (!l->has_num || l->has_oct)
				return;
			l->fneg = l->neg;
			l->fmag = l->mag;
		}
	}
	switch (n->field) {
	case F_SEQ: case F_TS: case F_PID: case F_TID: case F_PPID: case F_CPU: case F_UID: case F_GID:
		n->fast = FAST_INT;
		break;
	case F_PARAM:
		if (n->sub == S_NONE && !f->slot_alias[n->pslot])
			n->fast = FAST_PARAM_INT;
		break;
	default:
		break;
	}
}

void kcap_filter_free(kcap_filter *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->nnodes; i++) {
		fnode *n = f->nodes[i];
		for (int j = 0; j < n->nlits; j++) {
			free(n->lits[j].text);
			free(n->lits[j].lower);
		}
		free(n->lits);
		if (n->has_re)
			regfree(&n->re);
		free(n);
	}
	free(f->nodes);
	kcap_block_counts_free(&f->bc);
	for (int i = 0; i < f->nslots; i++)
		free(f->slots[i]);
	free(f->slots);
	free(f->slot_col);
	free(f->slot_alias);
	free(f->sym_pred);
	free(f->sym_lit);
	for (size_t i = 0; i < f->ntc; i++)
		free(f->tc[i].pidx); /* one allocation holds pidx and sym */
	free(f->tc);
	kcap_buf_free(&f->scratch);
	kcap_buf_free(&f->rscratch);
	kcap__json_cache_free(&f->jc);
	free(f->expr);
	free(f);
}

int kcap_filter_compile(kcap_filter **out, const char *expr, kcap_error *err)
{
	int rc = 0;
	kcap_filter *f = NULL;
	if (!out || !expr) {
		if (err) {
			memset(err, 0, sizeof(*err));
			err->code = KCAP_E_INVAL;
			snprintf(err->msg, sizeof(err->msg), "no expression");
		}
		return KCAP_E_INVAL;
	}
	*out = NULL;
	f = calloc(1, sizeof(*f));
	if (!f) {
		rc = KCAP_E_NOMEM;
		goto cleanup;
	}
	f->expr = strdup(expr);
	if (!f->expr) {
		rc = KCAP_E_NOMEM;
		goto cleanup;
	}
	parser p = {.f = f, .s = f->expr, .err = err};
	f->root = parse_binary(&p, N_OR);
	if (f->root) {
		skip_ws(&p);
		if (p.s[p.pos]) {
			if (p.s[p.pos] == ')')
				perr(&p, KCAP_E_SYNTAX, p.pos, "unmatched ')'");
			else
				perr(&p, KCAP_E_SYNTAX, p.pos, "expected 'and', 'or' or the end of the expression");
		}
	}
	if (p.rc || !f->root) {
		rc = p.rc ? p.rc : KCAP_E_SYNTAX;
		goto cleanup;
	}
	/* literal arrays are final now: bind symbolic slots to their literals */
	for (size_t i = 0; i < f->nnodes; i++) {
		fnode *n = f->nodes[i];
		for (int j = 0; j < n->nlits; j++)
			if (n->lits[j].symslot >= 0)
				f->sym_lit[n->lits[j].symslot] = &n->lits[j];
		set_fast(f, n);
	}
	mark_type_only(f->root);
	f->ref.start = f->ref.end = f->ref.now = INT64_MIN;
	*out = f;
	f = NULL;
cleanup:
	if (rc == KCAP_E_NOMEM && err && !err->code) {
		memset(err, 0, sizeof(*err));
		err->code = rc;
		snprintf(err->msg, sizeof(err->msg), "out of memory");
	}
	kcap_filter_free(f);
	return rc;
}

/* ---- literals against the schema ---- */

/* Names of the symbol sets of slot's param, across the types having it:
 * each set once (types share them), and at most SUGGEST_MAX_SYMS names in
 * all, so that a schema of 65,536 types and sets (a hostile file) costs a
 * misspelt literal no more than a real one does. */
#define SUGGEST_MAX_SYMS 4096
static void suggest_syms(suggest *sg, const kcap_filter *f, int slot, const kcap_schema *s, const char *want)
{
	uint32_t seen[64];
	size_t nseen = 0, looked = 0;
	for (size_t t = 0; looked < SUGGEST_MAX_SYMS; t++) {
		const kcap_type_def *d = kcap_schema_type_at(s, t);
		if (!d)
			break;
		int idx = kcap__filter_slot_index(f, slot, d);
		uint32_t id = idx >= 0 ? d->params[idx].symset : 0;
		size_t k = 0;
		while (k < nseen && seen[k] != id)
			k++;
		if (!id || k < nseen)
			continue;
		if (nseen < sizeof seen / sizeof seen[0])
			seen[nseen++] = id;
		const kcap_symset *ss = kcap_schema_symset(s, id);
		for (uint32_t j = 0; ss && j < ss->nsyms && looked < SUGGEST_MAX_SYMS; j++, looked++)
			if (ss->syms[j].name)
				suggest_add(sg, want, ss->syms[j].name);
	}
}

static void suggest_errnos(suggest *sg, const char *want)
{
	for (int e = 1; e < 256; e++) {
		const char *nm = strerrorname_np(e);
		if (nm)
			suggest_add(sg, want, nm);
	}
}

/* A dotted quad or hex-and-colons word that inet_pton refused. */
static int looks_like_ip(const flit *l)
{
	return l->len && strspn(l->text, "0123456789.") == l->len ? strchr(l->text, '.') != NULL
	                                                            : strspn(l->text, "0123456789abcdefABCDEF:./") == l->len &&
	                                                                      strchr(l->text, ':') != NULL;
}

/* Range of an integer param type for = != in; 0 when any 64-bit value fits. */
static int int_range(int type, int64_t *lo, uint64_t *hi)
{
	switch (type) {
	case KCAP_T_U8: *lo = 0; *hi = UINT8_MAX; return 1;
	case KCAP_T_U16: *lo = 0; *hi = UINT16_MAX; return 1;
	case KCAP_T_U32: case KCAP_T_UID: case KCAP_T_GID: *lo = 0; *hi = UINT32_MAX; return 1;
	case KCAP_T_I8: *lo = INT8_MIN; *hi = INT8_MAX; return 1;
	case KCAP_T_I16: *lo = INT16_MIN; *hi = INT16_MAX; return 1;
	case KCAP_T_I32: case KCAP_T_FD: case KCAP_T_PID: *lo = INT32_MIN; *hi = INT32_MAX; return 1;
	}
	return 0;
}

static int misfit(char *msg, size_t msz, int score, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int misfit(char *msg, size_t msz, int score, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, msz, fmt, ap);
	va_end(ap);
	return score;
}

/* Whether literal l of predicate n can be read for param pd: 0 when it
 * can, else the message in msg and how specific it is (1: the literal is
 * not of the param's kind; 2: it is, but wrong; more: an unknown symbol,
 * the further in the literal the better), so that the message of the type
 * that came closest is shown. Unsigned params take negative values as
 * written (-1 for "none" is common), never matching. */
static int lit_misfit(const kcap_filter *f, const fnode *n, const flit *l, const kcap_param_def *pd,
                      const kcap_schema *s, char *msg, size_t msz)
{
	const char *name = f->slots[n->pslot];
	int eqop = n->op == OP_EQ || n->op == OP_NE || n->op == OP_IN;
	int sub = n->sub;
	if (sub == S_NONE && pd->type == KCAP_T_SOCKADDR)
		sub = f->slot_alias[n->pslot];
	if (sub == S_FAMILY)
		return 0;
	if (sub == S_PORT && pd->type == KCAP_T_SOCKADDR) {
		if (!l->has_num && n->op != OP_CONTAINS)
			return misfit(msg, msz, 1, "expected a port number for '%s', got '%s'", name, l->text);
		if (eqop && (l->neg || l->mag > UINT16_MAX))
			return misfit(msg, msz, 2, "port %s out of range for '%s' (0..65535)", l->text, name);
		return 0;
	}
	int ip = pd->type == KCAP_T_IPV4 || pd->type == KCAP_T_IPV6 || (pd->type == KCAP_T_SOCKADDR && sub == S_IP);
	if (ip || pd->type == KCAP_T_SOCKADDR) {
		if (eqop && !l->has_ip && (ip || looks_like_ip(l)))
			return misfit(msg, msz, 2, "bad IP address '%s' for '%s'", l->text, name);
		return 0;
	}
	switch (pd->type) {
	case KCAP_T_STR: case KCAP_T_PATH: case KCAP_T_BYTES: case KCAP_T_STRLIST: case KCAP_T_JSON:
	case KCAP_T_SID: case KCAP_T_GUID:
		return 0;
	}
	const kcap_symset *ss = pd->symset ? kcap_schema_symset(s, pd->symset) : NULL;
	uint64_t v, m;
	size_t bad = 0;
	int symbolic = l->symslot >= 0;
	if (symbolic && ss && !kcap__filter_syms(ss, l->text, &v, &m, &bad))
		return 0;
	if (n->op == OP_CONTAINS && !(ss && symbolic))
		return 0; /* substring of the value's text, or bits of a number */
	int errno_type = pd->type == KCAP_T_RET || pd->type == KCAP_T_ERRNO;
	if (symbolic && !errno_type && (ss || pd->type == KCAP_T_FLAGS || pd->type == KCAP_T_ENUM)) {
		if (!ss)
			bad = l->text[0] == '-';
		size_t bl = strcspn(l->text + bad, "|");
		char part[64];
		snprintf(part, sizeof(part), "%.*s", (int)(bl < 63 ? bl : 63), l->text + bad);
		suggest sg = {0};
		char tail[160];
		suggest_syms(&sg, f, n->pslot, s, part);
		suggest_format(&sg, tail, sizeof(tail));
		snprintf(msg, msz, "unknown symbol '%s' for '%s'%s", part, name, tail);
		return 3 + (int)(bad < 1000 ? bad : 1000);
	}
	switch (pd->type) {
	case KCAP_T_RET: case KCAP_T_ERRNO:
		if (l->has_num || l->errnum)
			return 0;
		if (symbolic) {
			suggest sg = {0};
			char tail[160];
			const char *e = l->text[0] == '-' ? l->text + 1 : l->text;
			suggest_errnos(&sg, e);
			suggest_format(&sg, tail, sizeof(tail));
			return misfit(msg, msz, 2, "unknown errno name '%s' for '%s'%s", e, name, tail);
		}
		return misfit(msg, msz, 1, "expected a number or an errno name for '%s', got '%s'", name, l->text);
	case KCAP_T_MODE:
		if (l->has_oct || (l->has_num && !(l->text[0] == '0' && isdigit((unsigned char)l->text[1]))))
			return 0;
		return misfit(msg, msz, 2, "bad file mode '%s' for '%s' (octal with a leading 0, or decimal)", l->text,
		                name);
	case KCAP_T_BOOL:
		if (l->boolv >= 0 || (l->has_num && !l->neg && l->mag <= 1))
			return 0;
		return misfit(msg, msz, 1, "expected true or false for '%s', got '%s'", name, l->text);
	case KCAP_T_TIMESTAMP:
		if (l->has_time || l->has_num)
			return 0;
		return misfit(msg, msz, 1, "bad time '%s' for '%s'", l->text, name);
	case KCAP_T_DURATION:
		if (l->has_dur || l->has_num)
			return 0;
		return misfit(msg, msz, 1, "expected a duration for '%s', got '%s'", name, l->text);
	}
	if (!l->has_num)
		return misfit(msg, msz, 1, "expected a number for '%s', got '%s'", name, l->text);
	int64_t lo;
	uint64_t hi;
	if (eqop && int_range(pd->type, &lo, &hi) &&
	    (l->neg ? lo < 0 && l->mag > (uint64_t)(-(lo + 1)) + 1 : l->mag > hi))
		return misfit(msg, msz, 2, "%s out of range for '%s' (%lld..%llu)", l->text, name, (long long)lo,
		                (unsigned long long)hi);
	return 0;
}

/* The first literal of a param predicate that no type of s having the
 * param can read: KCAP_E_INVAL with err at it, else 0. */
/* Whether a standard type having the param reads the literal: a stream's
 * schema may still grow to such a type (a capture rebuilt from JSON lines
 * adds types as they come), so the literal is no error yet. */
static int taxonomy_fits(const kcap_filter *f, const fnode *n, const flit *l)
{
	kcap_schema *tx = kcap_schema_new();
	int fits = 0;
	if (!tx || kcap_taxonomy_schema(tx)) {
		kcap_schema_free(tx);
		return 0;
	}
	for (size_t t = 0; !fits; t++) {
		const kcap_type_def *d = kcap_schema_type_at(tx, t);
		if (!d)
			break;
		int idx = kcap__filter_slot_index(f, n->pslot, d);
		char m[sizeof(((kcap_error *)0)->msg)];
		fits = idx >= 0 && !lit_misfit(f, n, l, &d->params[idx], tx, m, sizeof(m));
	}
	kcap_schema_free(tx);
	return fits;
}

/* How the types of s having the param of n read literal l: -1 when none
 * has the param, 0 when one reads it, else the worst misfit's score with
 * its message in msg. *text is set when every type of s having the param
 * holds it as text. */
static int schema_lit_fit(const kcap_filter *f, const fnode *n, const flit *l, const kcap_schema *s, char *msg,
                          size_t msz, int *text)
{
	int any = 0, best = 0;
	*text = 1;
	for (size_t t = 0;; t++) {
		const kcap_type_def *d = kcap_schema_type_at(s, t);
		if (!d)
			break;
		int idx = kcap__filter_slot_index(f, n->pslot, d);
		if (idx < 0)
			continue;
		char m[sizeof(((kcap_error *)0)->msg)];
		int ty = d->params[idx].type;
		*text &= ty == KCAP_T_STR || ty == KCAP_T_PATH || ty == KCAP_T_BYTES || ty == KCAP_T_STRLIST;
		int score = lit_misfit(f, n, l, &d->params[idx], s, m, sizeof(m));
		any = 1;
		if (!score)
			return 0;
		if (score > best) {
			best = score;
			snprintf(msg, msz, "%s", m);
		}
	}
	return any ? best : -1;
}

static int param_pred(const fnode *n)
{
	return n->kind == N_PRED && n->field == F_PARAM && (n->op <= OP_GE || n->op == OP_IN || n->op == OP_CONTAINS);
}

/* Calls fn on each literal of a param predicate with its fit to the types of
 * s (schema_lit_fit: fit, text, msg); the first nonzero return of fn ends
 * the walk and is its return. */
typedef int (*lit_fn)(const kcap_filter *f, const fnode *n, const flit *l, int fit, int text, const char *msg,
                      kcap_error *e);

static int each_param_lit(const kcap_filter *f, const kcap_schema *s, lit_fn fn, kcap_error *e)
{
	for (size_t i = 0; i < f->nnodes; i++) {
		const fnode *n = f->nodes[i];
		if (!param_pred(n))
			continue;
		for (int j = 0; j < n->nlits; j++) {
			const flit *l = &n->lits[j];
			char msg[sizeof(e->msg)] = "";
			int text, fit = schema_lit_fit(f, n, l, s, msg, sizeof(msg), &text);
			int rc = fn(f, n, l, fit, text, msg, e);
			if (rc)
				return rc;
		}
	}
	return 0;
}

/* The error on a literal that no type of the capture having its param reads
 * and the standard taxonomy does not read either. */
static int lit_error(const kcap_filter *f, const fnode *n, const flit *l, int fit, int text, const char *msg,
                     kcap_error *err)
{
	(void)text;
	return fit > 0 && !taxonomy_fits(f, n, l) ? kcap_seterr_col(err, KCAP_E_INVAL, l->col, "%s", msg) : 0;
}

/* 1 if the standard taxonomy holds the param of n as a number somewhere. */
static int taxonomy_numeric(const kcap_filter *f, const fnode *n)
{
	const kcap_type_def *d;
	for (size_t t = 0; (d = kcap_taxonomy_type_at(t)) != NULL; t++) {
		int idx = kcap__filter_slot_index(f, n->pslot, d);
		if (idx < 0)
			continue;
		int ty = d->params[idx].type;
		if (ty != KCAP_T_STR && ty != KCAP_T_PATH && ty != KCAP_T_BYTES && ty != KCAP_T_STRLIST &&
		    ty != KCAP_T_JSON && ty != KCAP_T_SID && ty != KCAP_T_GUID)
			return 1;
	}
	return 0;
}

/* The note on a literal that only the standard type of its param reads
 * (issue 10 item 5): a text literal for a param this capture holds as a
 * number matches nothing here; a number ordered (<, >...) against a param
 * this capture holds as text compares as text. 1 with note set, else 0. */
static int lit_note(const kcap_filter *f, const fnode *n, const flit *l, int fit, int text, const char *msg,
                    kcap_error *note)
{
	if (fit > 0)
		return kcap_seterr_col(note, 0, l->col,
		                       "column %d: %s in this capture (only the standard type reads it): it "
		                       "matches nothing here", (int)l->col, msg), 1;
	if (!fit && text && l->has_num && n->op >= OP_LT && n->op <= OP_GE && taxonomy_numeric(f, n))
		return kcap_seterr_col(note, 0, l->col,
		                       "column %d: '%s' is text in this capture, not a number as in the "
		                       "standard taxonomy: %s compares as text here", (int)l->col,
		                       f->slots[n->pslot], l->text), 1;
	return 0;
}

/* Whether name is a type name (field F_TYPE) or category of a type of s,
 * or, with s NULL, of the standard taxonomy. With r, the type must also be
 * in the type set of one of r's indexed blocks. */
static int names_type(int field, const char *name, const kcap_schema *s, const kcap_reader *r)
{
	size_t nidx = r ? kcap_reader_index_count(r) : 0;
	for (size_t t = 0;; t++) {
		const kcap_type_def *d = s ? kcap_schema_type_at(s, t) : kcap_taxonomy_type_at(t);
		if (!d)
			return 0;
		const char *v = field == F_TYPE ? d->name : d->category;
		if (!v || strcmp(v, name))
			continue;
		if (!nidx)
			return 1;
		for (size_t b = 0; b < nidx; b++)
			if (kcap_summary_may_have_type(kcap_reader_index_at(r, b), d->id))
				return 1;
	}
}

/* Calls fn on each literal of an equality on type or category (glob and the
 * other string operators are patterns, not names) that s lacks. Stops at
 * the first nonzero return. */
static int each_absent_type(const kcap_filter *f, const kcap_schema *s, const kcap_reader *r,
                            int (*fn)(const fnode *n, const flit *l, void *ud), void *ud)
{
	for (size_t i = 0; i < f->nnodes; i++) {
		const fnode *n = f->nodes[i];
		if (n->kind != N_PRED || (n->field != F_TYPE && n->field != F_CATEGORY) ||
		    !(n->op == OP_EQ || n->op == OP_NE || n->op == OP_IN))
			continue;
		for (int j = 0; j < n->nlits; j++) {
			int rc;
			if (!names_type(n->field, n->lits[j].text, s, r) && (rc = fn(n, &n->lits[j], ud)))
				return rc;
		}
	}
	return 0;
}

typedef struct type_ck {
	const kcap_schema *s;
	kcap_error *err;
	int notes; /* report names the taxonomy knows (else: only unknown ones) */
} type_ck;

static int unknown_type(const fnode *n, const flit *l, void *ud)
{
	type_ck *c = ud;
	const char *what = n->field == F_TYPE ? "type" : "category";
	if (names_type(n->field, l->text, c->s, NULL) || names_type(n->field, l->text, NULL, NULL))
		return c->notes && n->op != OP_NE
		               ? (kcap_seterr_col(c->err, 0, l->col, "%s '%s' does not occur in this capture", what, l->text), 1)
		               : 0;
	if (c->notes)
		return 0;
	suggest sg = {0};
	char tail[160];
	for (int k = 0; k < 2; k++)
		for (size_t t = 0;; t++) {
			const kcap_type_def *d = k ? kcap_taxonomy_type_at(t) : kcap_schema_type_at(c->s, t);
			if (!d)
				break;
			const char *v = n->field == F_TYPE ? d->name : d->category;
			if (v)
				suggest_add(&sg, l->text, v);
		}
	suggest_format(&sg, tail, sizeof(tail));
	return kcap_seterr_col(c->err, KCAP_E_NOTFOUND, l->col, "unknown %s '%s'%s", what, l->text, tail);
}

/* 1 if a type of the standard taxonomy has the param of slot i. */
static int taxonomy_slot(const kcap_filter *f, int i)
{
	const kcap_type_def *d;
	for (size_t t = 0; (d = kcap_taxonomy_type_at(t)) != NULL; t++)
		if (kcap__filter_slot_index(f, i, d) >= 0)
			return 1;
	return 0;
}

/* 1 if a type of s has the param of slot i. */
static int schema_has_slot(const kcap_filter *f, int i, const kcap_schema *s)
{
	const kcap_type_def *d;
	for (size_t t = 0; (d = kcap_schema_type_at(s, t)) != NULL; t++)
		if (kcap__filter_slot_index(f, i, d) >= 0)
			return 1;
	return 0;
}

int kcap_filter_input_notes(const kcap_filter *f, const kcap_reader *r, kcap_error *note)
{
	const kcap_schema *s = r ? kcap_reader_schema(r) : NULL;
	if (!f || !s || !kcap_schema_type_at(s, 0))
		return 0;
	for (int i = 0; i < f->nslots; i++)
		if (!schema_has_slot(f, i, s) && taxonomy_slot(f, i))
			return kcap_seterr_col(note, 0, f->slot_col[i],
					       "field '%s' is a param of the standard taxonomy that no type of this capture "
					       "has so far: it matches events of the types that have it, if any come",
					       f->slots[i]), 1;
	if (each_param_lit(f, s, lit_note, note))
		return 1;
	type_ck c = {s, note, 1};
	return each_absent_type(f, s, r, unknown_type, &c);
}

int kcap_filter_check_schema(const kcap_filter *f, const kcap_schema *s, kcap_error *err)
{
	if (!f || !s || !kcap_schema_type_at(s, 0))
		return 0;
	int rc = each_param_lit(f, s, lit_error, err);
	if (rc)
		return rc;
	for (int i = 0; i < f->nslots; i++) {
		const char *want = f->slots[i];
		/* a param of the standard taxonomy is no typo: said as a note
		 * (kcap_filter_input_notes), as a type the capture lacks is; a
		 * stream's schema may still grow to have it */
		if (schema_has_slot(f, i, s) || taxonomy_slot(f, i))
			continue;
		suggest sg = {0};
		char tail[200];
		suggest_fixed(&sg, want);
		for (size_t t = 0;; t++) {
			const kcap_type_def *d = kcap_schema_type_at(s, t);
			if (!d)
				break;
			for (uint32_t k = 0; k < d->nparams; k++)
				suggest_add(&sg, want, d->params[k].name);
		}
		suggest_format(&sg, tail, sizeof(tail));
		return kcap_seterr_col(err, KCAP_E_NOTFOUND, f->slot_col[i], "unknown field '%s'%s", want, tail);
	}
	type_ck c = {s, err, 0};
	return each_absent_type(f, s, NULL, unknown_type, &c);
}

int kcap_filter_uses_proc(const kcap_filter *f)
{
	return f ? f->uses_proc : 0;
}

int kcap_filter_time_anchors(const kcap_filter *f)
{
	return f ? f->anchors : 0;
}

/* Resolves the relative time literals once per change of the filter's ref,
 * not per event (a time of day costs a mktime). */
static void resolve_times(kcap_filter *f)
{
	for (size_t i = 0; i < f->nnodes; i++)
		for (int j = 0; j < f->nodes[i]->nlits; j++) {
			flit *l = &f->nodes[i]->lits[j];
			if (l->has_time && l->anchor != KCAP_TIME_ABS)
				l->tres_ok = !kcap_time_resolve(l->anchor, l->tval, &f->ref, &l->tres, NULL);
		}
}

void kcap_filter_set_span(kcap_filter *f, int64_t capture_start, int64_t capture_end)
{
	if (!f)
		return;
	f->ref.start = capture_start;
	f->ref.end = capture_end;
	resolve_times(f);
}

void kcap_filter_set_now(kcap_filter *f, int64_t now)
{
	if (!f)
		return;
	f->ref.now = now;
	resolve_times(f);
}

int kcap_field_check(const char *name, const kcap_schema *s, kcap_error *err)
{
	size_t n = name ? strlen(name) : 0;
	int ok = n && is_name_start((unsigned char)name[0]);
	for (size_t i = 0; ok && i < n; i++)
		ok = is_name_char((unsigned char)name[i]);
	if (!ok)
		return kcap_seterr_col(err, KCAP_E_SYNTAX, 1, "'%s' is not a field name", name ? name : "");
	/* the filter's own resolver, and its schema check for param names */
	char expr[160];
	if (n + sizeof(" exists") > sizeof(expr))
		return kcap_seterr_col(err, KCAP_E_NOTFOUND, 1, "field name too long");
	snprintf(expr, sizeof(expr), "%s exists", name);
	kcap_filter *f;
	int rc = kcap_filter_compile(&f, expr, err);
	if (!rc && s)
		rc = kcap_filter_check_schema(f, s, err);
	kcap_filter_free(f);
	return rc;
}
