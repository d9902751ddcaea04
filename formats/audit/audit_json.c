/* audit_json.c - JSON text of a reassembled audit event (see audit_json.h). */
#include "audit_json.h"
#include "common/common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline int put(kcap_buf *b, const char *s, size_t n) { return kcap_buf_add(b, s, n); }

#define PUTS(b, lit) put((b), (lit), sizeof(lit) - 1)

static const char hexd[] = "0123456789ABCDEF";

/* The audit JSON form's conventions: uppercase escapes, DEL escaped. */
#define ESC_VALUE (KCAP_JSTR_STRICT | KCAP_JSTR_UPPER | KCAP_JSTR_DEL)
/* keys, types, node: never refused; NUL and invalid UTF-8 bytes become the
 * text \\xNN */
#define ESC_LABEL (KCAP_JSTR_BYTE_TEXT | KCAP_JSTR_UPPER | KCAP_JSTR_DEL)

/* Escapes s into b as a JSON string with the library's escaper. Returns 0;
 * 1 when flags refuse s (b is then unchanged); or KCAP_E_NOMEM. */
static int put_escaped(kcap_buf *b, const char *s, size_t n, unsigned flags)
{
	if (kcap_buf_room(b, KCAP_JSON_STR_ROOM(n)) < 0)
		return KCAP_E_NOMEM;
	char *o = kcap_json_str_flags(b->data + b->len, s, n, flags);
	if (!o)
		return 1; /* not representable as JSON text */
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
	int rc = put_escaped(b, s, n, nul_space ? ESC_VALUE | KCAP_JSTR_NUL_SPACE : ESC_VALUE);
	if (rc != 1)
		return rc;
	/* not representable as text: its bytes in uppercase hex, losslessly */
	if (kcap_buf_room(b, 2 * n + 2) < 0)
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
		simple = kcap_json_plain((uint8_t)k[i]) && k[i] != 0x7f;
	if (!simple) {
		char tmp[300];
		int rc;
		if (dup == 1) {
			rc = put_escaped(b, k, n, ESC_LABEL);
		} else {
			int kn = snprintf(tmp, sizeof tmp, "%.*s_%u", (int)(n > 280 ? 280 : n), k, dup);
			rc = put_escaped(b, tmp, (size_t)kn, ESC_LABEL);
		}
		return rc < 0 ? rc : PUTS(b, ": ");
	}
	if (kcap_buf_room(b, n + 4) < 0)
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
	if (PUTS(b, "{\"type\": ") < 0 || put_escaped(b, r->type, r->type_len, ESC_LABEL) < 0 ||
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
	if (put_escaped(b, ev->node ? ev->node : "", ev->node_len, ESC_LABEL) < 0 ||
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
