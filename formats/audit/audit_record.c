/* audit_record.c - the audit line parser (see audit_record.h). */
#include "common/port.h"
#include "audit_record.h"
#include "audit_tables.h"

#include <kcap/kcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Keys whose unquoted values auditd writes hex-encoded (untrusted strings),
 * looked up by first letter: this runs for every hex-looking value, and
 * most values are numbers. */
static int key_is_encoded(const char *k, size_t n, int execve)
{
#define EQ(lit) (n == sizeof(lit) - 1 && memcmp(k, lit, n) == 0)
	if (n < 2)
		return 0;
	switch (k[0]) {
	case 'a':
		if (execve && k[1] >= '0' && k[1] <= '9') {
			/* EXECVE aN and aN[i]; not aN_len */
			size_t i = 1;
			while (i < n && k[i] >= '0' && k[i] <= '9')
				i++;
			return i == n || k[i] == '[';
		}
		return EQ("acct");
	case 'c':
		return EQ("cmd") || EQ("comm") || EQ("cwd") || EQ("cgroup");
	case 'd':
		return EQ("data") || EQ("dir") || EQ("device");
	case 'e':
		return EQ("exe");
	case 'f':
		return EQ("file");
	case 'g':
		return EQ("grp");
	case 'k':
		return EQ("key");
	case 'n':
		return EQ("name") || EQ("new_group") || EQ("new-chardev") || EQ("new-disk") || EQ("new-fs") ||
		       EQ("new-net") || EQ("new-rng") || EQ("new-user");
	case 'o':
		return EQ("ocomm") || EQ("old-chardev") || EQ("old-disk") || EQ("old-fs") || EQ("old-net") ||
		       EQ("old-rng") || EQ("old-user");
	case 'p':
		return EQ("path") || EQ("proctitle");
	case 'r':
		return EQ("root_dir");
	case 's':
		return EQ("sw") || EQ("sauid");
	case 'v':
		return EQ("vm");
	case 'w':
		return EQ("watch");
	default:
		return 0;
	}
#undef EQ
}

/* Decodes v[0..n) in place when it is uppercase hex of even length (a stray
 * trailing '"', seen in real logs, is tolerated). Returns the new length, or
 * (size_t)-1 when the value is not hex. */
static size_t hex_decode_inplace(char *v, size_t n)
{
	if (n >= 3 && v[n - 1] == '"')
		n--;
	if (n < 2 || (n & 1))
		return (size_t)-1;
	for (size_t i = 0; i < n; i++)
		if (hexval((unsigned char)v[i]) < 0)
			return (size_t)-1;
	for (size_t i = 0; i < n / 2; i++)
		v[i] = (char)(hexval((unsigned char)v[2 * i]) << 4 | hexval((unsigned char)v[2 * i + 1]));
	return n / 2;
}

typedef struct parse_ctx {
	kcap_audit_record *r;
	uint32_t cap;
	char *text;      /* where bare words are gathered (in the record block) */
	uint32_t text_len;
	int paren;       /* msg payload: a '(' opened before a key */
	int execve;      /* EXECVE record: aN values are encoded */
} parse_ctx;

static void add_field(parse_ctx *c, const char *k, size_t kn, const char *v, size_t vn, uint32_t flags)
{
	if (c->r->nfields >= c->cap)
		return; /* cannot happen: cap counts every '=' */
	kcap_audit_field *f = &c->r->fields[c->r->nfields++];
	f->key = k;
	f->key_len = (uint32_t)kn;
	f->val = v;
	f->val_len = (uint32_t)vn;
	f->flags = flags;
}

static void add_word(parse_ctx *c, const char *w, size_t n)
{
	if (c->text_len)
		c->text[c->text_len++] = ' ';
	memmove(c->text + c->text_len, w, n);
	c->text_len += (uint32_t)n;
}

/* Tokenizes s[0..n) (inside the record's private copy) into fields. */
static void tokenize(parse_ctx *c, char *s, size_t n, uint32_t base_flags)
{
	size_t i = 0;
	while (i < n) {
		while (i < n && s[i] == ' ')
			i++;
		if (i >= n)
			break;
		size_t ks = i;
		/* a key is a run of non-space, non-'=' characters */
		while (i < n && s[i] != '=' && s[i] != ' ')
			i++;
		if (i >= n || s[i] == ' ' || i == ks) {
			if (i == ks) { /* token starting with '=': a bare word */
				while (i < n && s[i] != ' ')
					i++;
			}
			add_word(c, s + ks, i - ks);
			continue;
		}
		size_t ke = i++; /* skip '=' */
		if ((base_flags & KCAP_AUDIT_F_MSG) && s[ks] == '(' && ke - ks > 1) {
			ks++;
			c->paren = 1;
		}
		if (i < n && (s[i] == '"' || s[i] == '\'')) {
			char q = s[i++];
			size_t vs = i;
			const char *e = memchr(s + i, q, n - i);
			size_t ve = e ? (size_t)(e - s) : n;
			i = e ? ve + 1 : n;
			if (q == '\'' && ke - ks == 3 && memcmp(s + ks, "msg", 3) == 0 && !(base_flags & KCAP_AUDIT_F_MSG)) {
				int saved = c->paren;
				c->paren = 0;
				tokenize(c, s + vs, ve - vs, base_flags | KCAP_AUDIT_F_MSG);
				c->paren = saved;
			} else {
				add_field(c, s + ks, ke - ks, s + vs, ve - vs, base_flags | KCAP_AUDIT_F_QUOTED);
			}
			continue;
		}
		size_t vs = i;
		const char *sp = memchr(s + i, ' ', n - i);
		i = sp ? (size_t)(sp - s) : n;
		size_t vn = i - vs;
		if (base_flags & KCAP_AUDIT_F_MSG) {
			/* "(hostname=?, addr=?, terminal=cron res=success)" */
			if (vn && s[vs + vn - 1] == ',')
				vn--;
			if (c->paren && vn && s[vs + vn - 1] == ')') {
				vn--;
				c->paren = 0;
			}
		}
		uint32_t fl = base_flags;
		if (!(base_flags & KCAP_AUDIT_F_ENRICHED) && vn >= 2 && hexval((unsigned char)s[vs]) >= 0 &&
		    key_is_encoded(s + ks, ke - ks, c->execve)) {
			size_t dn = hex_decode_inplace(s + vs, vn);
			if (dn != (size_t)-1) {
				vn = dn;
				fl |= KCAP_AUDIT_F_HEX;
			}
		}
		add_field(c, s + ks, ke - ks, s + vs, vn, fl);
	}
}

/* Number of '=' bytes in s[0..n), eight bytes at a time. */
static size_t count_eq(const char *s, size_t n)
{
	const uint64_t ones = 0x0101010101010101ull, low7 = 0x7f7f7f7f7f7f7f7full;
	size_t c = 0, i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t w;
		memcpy(&w, s + i, 8);
		uint64_t x = w ^ (ones * '=');
		/* high bit of each byte of t is 0 exactly where x has a zero byte */
		uint64_t t = ((x & low7) + low7) | x;
		/* one bit per match, summed into the top byte by the multiply */
		c += (size_t)((((~t & (ones << 7)) >> 7) * ones) >> 56);
	}
	for (; i < n; i++)
		c += s[i] == '=';
	return c;
}

static int parse_u64(const char *s, size_t n, size_t *pos, uint64_t *out, int *ndigits)
{
	uint64_t v = 0;
	size_t i = *pos;
	int d = 0;
	while (i < n && s[i] >= '0' && s[i] <= '9' && d < 20) {
		v = v * 10 + (uint64_t)(s[i] - '0');
		i++;
		d++;
	}
	if (!d)
		return -1;
	*pos = i;
	*out = v;
	if (ndigits)
		*ndigits = d;
	return 0;
}

static int perr(kcap_error *err, size_t col, const char *msg)
{
	if (err) {
		*err = (kcap_error){.code = KCAP_E_SYNTAX, .offset = -1, .column = (int)col + 1};
		snprintf(err->msg, sizeof err->msg, "%s", msg);
	}
	return KCAP_E_SYNTAX;
}

int kcap_audit_record_parse(const char *line, size_t len, kcap_audit_record **out, kcap_error *err)
{
	*out = NULL;
	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	if (len == 0)
		return KCAP_E_NOTFOUND;
	if (len > UINT32_MAX / 2)
		return perr(err, 0, "line too long");

	/* Header. */
	size_t p = 0, node_s = 0, node_e = 0;
	int has_node = 0;
	if (len > 5 && memcmp(line, "node=", 5) == 0) {
		/* the node value may hold spaces: it ends at the " type=" that
		 * is followed by " msg=audit(" */
		const char *m = NULL;
		size_t from = 5;
		for (;;) {
			const char *t = memmem(line + from, len - from, " type=", 6);
			if (!t)
				break;
			m = t;
			const char *sp = memchr(t + 6, ' ', len - (size_t)(t + 6 - line));
			if (sp && (size_t)(line + len - sp) > 11 && memcmp(sp, " msg=audit(", 11) == 0)
				break;
			from = (size_t)(t - line) + 6;
		}
		if (!m)
			return perr(err, 5, "node= without type=");
		has_node = 1;
		node_s = 5;
		node_e = (size_t)(m - line);
		p = node_e + 1;
	}
	if (len - p < 5 || memcmp(line + p, "type=", 5) != 0)
		return perr(err, p, "expected type=");
	p += 5;
	size_t type_s = p;
	while (p < len && line[p] != ' ')
		p++;
	size_t type_e = p;
	if (type_e == type_s)
		return perr(err, type_s, "empty record type");
	while (p < len && line[p] == ' ')
		p++;
	if (len - p < 10 || memcmp(line + p, "msg=audit(", 10) != 0)
		return perr(err, p, "expected msg=audit(");
	p += 10;
	uint64_t sec, msec, serial;
	int md = 0;
	if (parse_u64(line, len, &p, &sec, NULL) < 0 || p >= len || line[p] != '.')
		return perr(err, p, "bad timestamp seconds");
	p++;
	if (parse_u64(line, len, &p, &msec, &md) < 0 || p >= len || line[p] != ':')
		return perr(err, p, "bad timestamp milliseconds");
	/* auditd prints 3 digits; scale anything else to milliseconds */
	while (md < 3) {
		msec *= 10;
		md++;
	}
	while (md > 3) {
		msec /= 10;
		md--;
	}
	p++;
	if (parse_u64(line, len, &p, &serial, NULL) < 0 || serial > UINT32_MAX || p >= len || line[p] != ')')
		return perr(err, p, "bad serial");
	if (sec > (uint64_t)INT64_MAX / 1000000000ull - 1)
		return perr(err, p, "timestamp out of range");
	p++;
	if (p < len && line[p] == ':')
		p++;

	/* One block: struct, fields, node+type copy, body copy, text area. */
	size_t body_n = len - p;
	size_t nfields_cap = 2 + count_eq(line + p, len - p); /* + "text" and slack */
	size_t hdr_n = (node_e - node_s) + (type_e - type_s);
	size_t sz = sizeof(kcap_audit_record) + nfields_cap * sizeof(kcap_audit_field) + hdr_n + 2 * body_n + 2;
	kcap_audit_record *r = malloc(sz);
	if (!r)
		return KCAP_E_NOMEM;
	memset(r, 0, sizeof *r);
	r->fields = (kcap_audit_field *)(r + 1);
	char *hdr = (char *)(r->fields + nfields_cap);
	char *body = hdr + hdr_n;
	char *text = body + body_n + 1;
	if (has_node) {
		memcpy(hdr, line + node_s, node_e - node_s);
		r->node = hdr;
		r->node_len = (uint32_t)(node_e - node_s);
		hdr += node_e - node_s;
	}
	memcpy(hdr, line + type_s, type_e - type_s);
	r->type = hdr;
	r->type_len = (uint32_t)(type_e - type_s);
	r->type_num = kcap_audit_type_num(r->type, r->type_len);
	r->sec = (int64_t)sec;
	r->msec = (uint32_t)msec;
	r->serial = (uint32_t)serial;
	memcpy(body, line + p, body_n);

	parse_ctx c = {.r = r, .cap = (uint32_t)nfields_cap, .text = text,
		       .execve = r->type_len == 6 && memcmp(r->type, "EXECVE", 6) == 0};
	const char *gs = memchr(body, 0x1d, body_n);
	size_t raw_n = gs ? (size_t)(gs - body) : body_n;
	tokenize(&c, body, raw_n, 0);
	if (gs)
		tokenize(&c, body + raw_n + 1, body_n - raw_n - 1, KCAP_AUDIT_F_ENRICHED);
	if (c.text_len)
		add_field(&c, "text", 4, text, c.text_len, KCAP_AUDIT_F_TEXT);
	*out = r;
	return 0;
}

void kcap_audit_record_free(kcap_audit_record *r)
{
	free(r);
}

int64_t kcap_audit_record_ts(const kcap_audit_record *r)
{
	return r->sec * 1000000000ll + (int64_t)r->msec * 1000000ll;
}

const kcap_audit_field *kcap_audit_record_field(const kcap_audit_record *r, const char *key)
{
	size_t n = strlen(key);
	for (uint32_t i = 0; i < r->nfields; i++) {
		const kcap_audit_field *f = &r->fields[i];
		if (f->key_len == n && f->key[0] == key[0] && memcmp(f->key, key, n) == 0 &&
		    !(f->flags & KCAP_AUDIT_F_TEXT))
			return f;
	}
	return NULL;
}

int kcap_audit_record_is(const kcap_audit_record *r, const char *name)
{
	size_t n = strlen(name);
	return r->type_len == n && memcmp(r->type, name, n) == 0;
}
