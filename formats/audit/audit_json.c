/* audit_json.c - JSON text of a reassembled audit event (see audit_json.h). */
#include "audit_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int grow(kcap_buf *b, size_t extra)
{
	if (b->len + extra <= b->cap)
		return 0;
	size_t nc = b->cap ? b->cap : 256;
	while (nc < b->len + extra)
		nc *= 2;
	char *nd = realloc(b->data, nc);
	if (!nd)
		return KCAP_E_NOMEM;
	b->data = nd;
	b->cap = nc;
	return 0;
}

static int put(kcap_buf *b, const char *s, size_t n)
{
	if (n == 0)
		return 0;
	if (grow(b, n) < 0)
		return KCAP_E_NOMEM;
	memcpy(b->data + b->len, s, n);
	b->len += n;
	return 0;
}

#define PUTS(b, lit) put((b), (lit), sizeof(lit) - 1)

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	if (c < 0x80)
		return 1;
	size_t len;
	uint32_t cp;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

static const char hexd[] = "0123456789ABCDEF";

/* 1 for bytes copied as they are into a JSON string. */
#define R4(x) x, x, x, x
#define R16(x) R4(x), R4(x), R4(x), R4(x)
static const unsigned char plain[256] = {
	R16(0), R16(0),                             /* 0x00-0x1f */
	1, 1, 0, R4(1), 1, R4(1), R4(1),            /* 0x20-0x2f: not '"' */
	R16(1),                                     /* 0x30-0x3f */
	R16(1),                                     /* 0x40-0x4f */
	R4(1), R4(1), R4(1), 0, 1, 1, 1,            /* 0x50-0x5f: not '\\' */
	R16(1),                                     /* 0x60-0x6f */
	R4(1), R4(1), R4(1), 1, 1, 1, 0,            /* 0x70-0x7f: not DEL */
	R16(0), R16(0), R16(0), R16(0), R16(0), R16(0), R16(0), R16(0),
};

enum {
	ESC_NUL_AS_SPACE = 1, /* NUL bytes become spaces (proctitle separators) */
	ESC_LABEL = 2,        /* keys, types, node: never refuse; NUL and invalid
	                         UTF-8 bytes become the text \xNN */
};

/* Escapes s into b as a JSON string. Returns 0; 1 when s holds a NUL byte
 * or invalid UTF-8 and ESC_LABEL is not set (b is then unchanged); or
 * KCAP_E_NOMEM. */
static int put_escaped(kcap_buf *b, const unsigned char *s, size_t n, int flags)
{
	if (grow(b, n * 6 + 2) < 0)
		return KCAP_E_NOMEM;
	char *o = b->data + b->len;
	*o++ = '"';
	for (size_t i = 0; i < n;) {
		/* copy the run of plain ASCII at once */
		size_t j = i;
		while (j < n && plain[s[j]])
			j++;
		if (j > i) {
			memcpy(o, s + i, j - i);
			o += j - i;
			i = j;
			if (i == n)
				break;
		}
		unsigned char c = s[i];
		if (c == '"' || c == '\\') {
			*o++ = '\\';
			*o++ = (char)c;
			i++;
			continue;
		}
		if (c == 0 && (flags & ESC_NUL_AS_SPACE)) {
			*o++ = ' ';
			i++;
			continue;
		}
		size_t l = c >= 0x80 ? utf8_len(s + i, n - i) : 0;
		if (l) {
			memcpy(o, s + i, l);
			o += l;
			i += l;
			continue;
		}
		if (c == 0 || c >= 0x80) {
			if (!(flags & ESC_LABEL))
				return 1; /* not representable as JSON text */
			memcpy(o, "\\\\x", 3);
			o[3] = hexd[c >> 4];
			o[4] = hexd[c & 15];
			o += 5;
			i++;
			continue;
		}
		/* other control characters, and DEL */
		const char *esc = c == '\n' ? "\\n" : c == '\t' ? "\\t" : c == '\r' ? "\\r" : NULL;
		if (esc) {
			memcpy(o, esc, 2);
			o += 2;
		} else {
			memcpy(o, "\\u00", 4);
			o[4] = hexd[c >> 4];
			o[5] = hexd[c & 15];
			o += 6;
		}
		i++;
	}
	*o++ = '"';
	b->len = (size_t)(o - b->data);
	return 0;
}

int kcap_audit_json_value(kcap_buf *b, const char *s, size_t n, int hexed, int is_proctitle)
{
	const unsigned char *u = (const unsigned char *)s;
	int nul_space = hexed && is_proctitle;
	/* trailing NULs of a proctitle are padding, not separators */
	while (nul_space && n && u[n - 1] == 0)
		n--;
	int rc = put_escaped(b, u, n, nul_space ? ESC_NUL_AS_SPACE : 0);
	if (rc != 1)
		return rc;
	/* not representable as text: its bytes in uppercase hex, losslessly */
	if (grow(b, 2 * n + 2) < 0)
		return KCAP_E_NOMEM;
	char *o = b->data + b->len;
	*o++ = '"';
	for (size_t i = 0; i < n; i++) {
		*o++ = hexd[u[i] >> 4];
		*o++ = hexd[u[i] & 15];
	}
	*o++ = '"';
	b->len = (size_t)(o - b->data);
	return 0;
}

static uint32_t key_hash(const char *k, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)k[i]) * 16777619u;
	return h;
}

/* Appends "key": (plain keys, the common case, without the escaper). */
static int put_key(kcap_buf *b, const char *k, size_t n, unsigned dup)
{
	int simple = dup == 1 && n < 256;
	for (size_t i = 0; simple && i < n; i++)
		simple = plain[(unsigned char)k[i]];
	if (!simple) {
		char tmp[300];
		int rc;
		if (dup == 1) {
			rc = put_escaped(b, (const unsigned char *)k, n, ESC_LABEL);
		} else {
			int kn = snprintf(tmp, sizeof tmp, "%.*s_%u", (int)(n > 280 ? 280 : n), k, dup);
			rc = put_escaped(b, (const unsigned char *)tmp, (size_t)kn, ESC_LABEL);
		}
		return rc < 0 ? rc : PUTS(b, ": ");
	}
	if (grow(b, n + 4) < 0)
		return KCAP_E_NOMEM;
	char *o = b->data + b->len;
	*o++ = '"';
	memcpy(o, k, n);
	o += n;
	memcpy(o, "\": ", 3);
	b->len += n + 4;
	return 0;
}

static int record_json(kcap_buf *b, const kcap_audit_record *r)
{
	/* Repeated keys get a suffix. Small records (nearly all): a 128-bit
	 * filter on (length, first, middle, last byte) and a scan of the earlier keys
	 * only on a filter hit. Large ones: an open-addressing set. */
	struct kslot { int32_t idx; uint32_t count; } *slot = NULL;
	uint32_t nslots = 0;
	uint64_t seen[2] = {0, 0};
	int rc = KCAP_E_NOMEM;
	if (r->nfields > 64) {
		nslots = 128;
		while (nslots < 2 * r->nfields)
			nslots *= 2;
		if (!(slot = malloc(nslots * sizeof *slot)))
			return KCAP_E_NOMEM;
		for (uint32_t i = 0; i < nslots; i++)
			slot[i].idx = -1;
	}
	if (PUTS(b, "{\"type\": ") < 0 || put_escaped(b, (const unsigned char *)r->type, r->type_len, ESC_LABEL) < 0 ||
	    PUTS(b, ", \"fields\": {") < 0)
		goto cleanup;
	for (uint32_t i = 0; i < r->nfields; i++) {
		const kcap_audit_field *f = &r->fields[i];
		unsigned dup = 1;
		if (!slot) {
			unsigned h = 0;
			if (f->key_len) {
				const unsigned char *k = (const unsigned char *)f->key;
				h = (f->key_len * 31u + k[0] * 7u + k[f->key_len / 2] * 3u + k[f->key_len - 1]) * 2654435761u;
				h >>= 25; /* 0..127 */
			}
			if (seen[h >> 6] & (1ull << (h & 63))) {
				for (uint32_t j = 0; j < i; j++) {
					const kcap_audit_field *g = &r->fields[j];
					if (g->key_len == f->key_len && g->key[0] == f->key[0] &&
					    memcmp(g->key, f->key, f->key_len) == 0)
						dup++;
				}
			}
			seen[h >> 6] |= 1ull << (h & 63);
		} else {
			uint32_t h = key_hash(f->key, f->key_len);
			for (uint32_t probe = 0; probe < nslots; probe++) {
				struct kslot *s = &slot[(h + probe) & (nslots - 1)];
				if (s->idx < 0) {
					s->idx = (int32_t)i;
					s->count = 1;
					break;
				}
				const kcap_audit_field *g = &r->fields[s->idx];
				if (g->key_len == f->key_len && memcmp(g->key, f->key, f->key_len) == 0) {
					dup = ++s->count;
					break;
				}
			}
		}
		if (i && PUTS(b, ", ") < 0)
			goto cleanup;
		if (put_key(b, f->key, f->key_len, dup) < 0)
			goto cleanup;
		int proc = f->key_len == 9 && memcmp(f->key, "proctitle", 9) == 0;
		if (kcap_audit_json_value(b, f->val, f->val_len, (f->flags & KCAP_AUDIT_F_HEX) != 0, proc) < 0)
			goto cleanup;
	}
	rc = PUTS(b, "}}");
cleanup:
	free(slot);
	return rc;
}

int kcap_audit_event_json(kcap_buf *b, const kcap_audit_event *ev)
{
	char num[48];
	int n = snprintf(num, sizeof num, "{\"serial\": %u, \"node\": ", ev->serial);
	if (put(b, num, (size_t)n) < 0)
		return KCAP_E_NOMEM;
	if (put_escaped(b, (const unsigned char *)(ev->node ? ev->node : ""), ev->node_len, ESC_LABEL) < 0 ||
	    PUTS(b, ", \"records\": [") < 0)
		return KCAP_E_NOMEM;
	for (uint32_t i = 0; i < ev->nrecords; i++) {
		if (i && PUTS(b, ", ") < 0)
			return KCAP_E_NOMEM;
		if (record_json(b, ev->records[i]) < 0)
			return KCAP_E_NOMEM;
	}
	return PUTS(b, "]}");
}
