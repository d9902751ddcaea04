/* Rendering events and values as JSON, text and CSV. Hot path: no malloc
 * beyond buffer growth, cached date formatting. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "internal.h"

#define APPEND_LIT(b, s) buf_lit((b), (s), sizeof(s) - 1)

static inline void buf_lit(kcap_buf *b, const char *s, size_t n)
{
	if (b->cap - b->len < n && kcap_buf_reserve(b, n))
		return;
	memcpy(b->data + b->len, s, n);
	b->len += n;
}

static inline void put_u64dec(kcap_buf *b, uint64_t v)
{
	char tmp[24];
	int i = 24;
	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	buf_lit(b, tmp + i, (size_t)(24 - i));
}

static inline void put_i64dec(kcap_buf *b, int64_t v)
{
	if (v < 0) {
		buf_lit(b, "-", 1);
		put_u64dec(b, (uint64_t)0 - (uint64_t)v);
	} else {
		put_u64dec(b, (uint64_t)v);
	}
}

/* ---- time ---- */

static int64_t floordiv(int64_t a, int64_t b) { return a / b - (a % b != 0 && ((a < 0) != (b < 0))); }

int kcap_format_time(char *out, int64_t ts)
{
	static _Thread_local int64_t cached_sec = INT64_MIN;
	static _Thread_local char cached[64];
	int64_t sec = floordiv(ts, 1000000000);
	int64_t ns = ts - sec * 1000000000;
	if (sec != cached_sec) {
		/* civil-from-days (proleptic Gregorian) */
		int64_t days = floordiv(sec, 86400), rem = sec - days * 86400;
		int64_t z = days + 719468, era = floordiv(z, 146097);
		int64_t doe = z - era * 146097;
		int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
		int64_t y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
		int64_t mp = (5 * doy + 2) / 153, d = doy - (153 * mp + 2) / 5 + 1;
		int64_t m = mp < 10 ? mp + 3 : mp - 9;
		if (m <= 2)
			y++;
		snprintf(cached, sizeof cached, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld", (long long)y, (long long)m,
			 (long long)d, (long long)(rem / 3600), (long long)(rem / 60 % 60), (long long)(rem % 60));
		cached_sec = sec;
	}
	size_t n = strlen(cached);
	memcpy(out, cached, n);
	out[n++] = '.';
	for (int i = 8; i >= 0; i--) {
		out[n + (size_t)i] = (char)('0' + ns % 10);
		ns /= 10;
	}
	n += 9;
	out[n++] = 'Z';
	out[n] = 0;
	return (int)n;
}

/* ---- strings ---- */

static const char hexd[] = "0123456789abcdef";

/* Length of a valid UTF-8 sequence at p (2..4), or 0 if invalid. */
static size_t utf8_seq(const uint8_t *p, const uint8_t *end)
{
	uint8_t c = p[0];
	size_t n = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;
	if (!n || (size_t)(end - p) < n)
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((p[i] & 0xC0) != 0x80)
			return 0;
	if (n == 3 && ((c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] >= 0xA0)))
		return 0;
	if (n == 4 && ((c == 0xF0 && p[1] < 0x90) || (c == 0xF4 && p[1] >= 0x90)))
		return 0;
	return n;
}

/* JSON string body. Bytes that are not valid UTF-8 become \udcXX (the
 * "surrogateescape" convention), which kcap's JSON reader maps back to the
 * original byte so the round trip is exact. */
static void json_str(kcap_buf *b, const char *s, size_t n)
{
	const uint8_t *p = (const uint8_t *)s, *end = p + n;
	if (kcap_buf_reserve(b, n + 2))
		return;
	b->data[b->len++] = '"';
	while (p < end) {
		const uint8_t *run = p;
		while (p < end && *p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\')
			p++;
		if (p > run)
			buf_lit(b, (const char *)run, (size_t)(p - run));
		if (p >= end)
			break;
		uint8_t c = *p;
		if (c >= 0x80) {
			size_t k = utf8_seq(p, end);
			if (k) {
				buf_lit(b, (const char *)p, k);
				p += k;
			} else {
				char e[6] = {'\\', 'u', 'd', 'c', hexd[c >> 4], hexd[c & 15]};
				buf_lit(b, e, 6);
				p++;
			}
			continue;
		}
		p++;
		switch (c) {
		case '"': APPEND_LIT(b, "\\\""); break;
		case '\\': APPEND_LIT(b, "\\\\"); break;
		case '\n': APPEND_LIT(b, "\\n"); break;
		case '\t': APPEND_LIT(b, "\\t"); break;
		case '\r': APPEND_LIT(b, "\\r"); break;
		default: {
			char e[6] = {'\\', 'u', '0', '0', hexd[c >> 4], hexd[c & 15]};
			buf_lit(b, e, 6);
		}
		}
	}
	buf_lit(b, "\"", 1);
}

static void hex_bytes(kcap_buf *b, const uint8_t *p, size_t n)
{
	if (kcap_buf_reserve(b, n * 2))
		return;
	for (size_t i = 0; i < n; i++) {
		b->data[b->len++] = hexd[p[i] >> 4];
		b->data[b->len++] = hexd[p[i] & 15];
	}
}

/* ---- typed values ---- */

static void render_flags(kcap_buf *b, uint64_t v, const kcap_symset *set)
{
	if (!set) {
		APPEND_LIT(b, "0x");
		char t[20];
		int n = snprintf(t, sizeof t, "%llx", (unsigned long long)v);
		buf_lit(b, t, (size_t)n);
		return;
	}
	if (set->kind == KCAP_SYMSET_ENUM) {
		for (uint32_t i = 0; i < set->nsyms; i++)
			if (set->syms[i].value == v) {
				buf_lit(b, set->syms[i].name, strlen(set->syms[i].name));
				return;
			}
		put_u64dec(b, v);
		return;
	}
	uint64_t left = v;
	int any = 0;
	for (uint32_t i = 0; i < set->nsyms; i++) {
		const kcap_sym *s = &set->syms[i];
		uint64_t mask = s->mask ? s->mask : s->value;
		if (!mask && v) /* a zero-valued name only describes an all-zero value */
			continue;
		if ((v & mask) != s->value || (mask && !(left & mask) && s->value))
			continue;
		if (any)
			buf_lit(b, "|", 1);
		buf_lit(b, s->name, strlen(s->name));
		left &= ~mask;
		any = 1;
	}
	if (left || !any) {
		if (any)
			buf_lit(b, "|", 1);
		char t[24];
		int n = snprintf(t, sizeof t, "0x%llx", (unsigned long long)left);
		buf_lit(b, t, (size_t)n);
	}
}

static void render_addr(kcap_buf *b, int v6, const uint8_t *a)
{
	char t[INET6_ADDRSTRLEN];
	if (inet_ntop(v6 ? AF_INET6 : AF_INET, a, t, sizeof t))
		buf_lit(b, t, strlen(t));
}

static void render_guid(kcap_buf *b, const uint8_t *g)
{
	char t[40];
	int n = snprintf(t, sizeof t, "{%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x}", get_u32(g), get_u16(g + 4),
			 get_u16(g + 6), g[8], g[9], g[10], g[11], g[12], g[13], g[14], g[15]);
	buf_lit(b, t, (size_t)n);
}

static void render_sid(kcap_buf *b, const uint8_t *p, size_t n)
{
	/* revision, subauthority count, 48-bit big-endian authority, LE subauthorities */
	if (n < 8 || (size_t)8 + 4u * p[1] > n) {
		hex_bytes(b, p, n);
		return;
	}
	uint64_t auth = 0;
	for (int i = 2; i < 8; i++)
		auth = (auth << 8) | p[i];
	char t[32];
	int k = snprintf(t, sizeof t, "S-%u-%llu", p[0], (unsigned long long)auth);
	buf_lit(b, t, (size_t)k);
	for (int i = 0; i < p[1]; i++) {
		buf_lit(b, "-", 1);
		put_u64dec(b, get_u32(p + 8 + 4 * i));
	}
}

/* Text form of a value (no quoting). */
int kcap_render_value(kcap_buf *b, const kcap_value *v, const kcap_schema *s, const kcap_param_def *def)
{
	if (!v->present) {
		APPEND_LIT(b, "-");
		return 0;
	}
	const kcap_symset *set = def && def->symset ? kcap_schema_symset(s, def->symset) : NULL;
	switch (v->type) {
	case KCAP_T_BOOL:
		if (v->u)
			APPEND_LIT(b, "true");
		else
			APPEND_LIT(b, "false");
		break;
	case KCAP_T_STR: case KCAP_T_PATH: case KCAP_T_JSON:
		buf_lit(b, (const char *)v->p, v->len);
		break;
	case KCAP_T_BYTES:
		hex_bytes(b, v->p, v->len);
		break;
	case KCAP_T_STRLIST: {
		for (uint32_t i = 0; i < v->len; i++) {
			char c = (char)v->p[i];
			if (c == 0) {
				if (i + 1 < v->len)
					buf_lit(b, " ", 1);
			} else {
				buf_lit(b, &c, 1);
			}
		}
		break;
	}
	case KCAP_T_IPV4: render_addr(b, 0, v->addr); break;
	case KCAP_T_IPV6: render_addr(b, 1, v->addr); break;
	case KCAP_T_GUID: render_guid(b, v->addr); break;
	case KCAP_T_SID: render_sid(b, v->p, v->len); break;
	case KCAP_T_SOCKADDR:
		if (v->af == KCAP_AF_INET) {
			render_addr(b, 0, v->addr);
			buf_lit(b, ":", 1);
			put_u64dec(b, v->port);
		} else if (v->af == KCAP_AF_INET6) {
			buf_lit(b, "[", 1);
			render_addr(b, 1, v->addr);
			buf_lit(b, "]:", 2);
			put_u64dec(b, v->port);
		} else if (v->af == KCAP_AF_UNIX) {
			buf_lit(b, (const char *)v->p, v->len);
		} else if (v->af == KCAP_AF_OTHER) {
			hex_bytes(b, v->p, v->len);
		}
		break;
	case KCAP_T_FLAGS: case KCAP_T_ENUM: case KCAP_T_ERRNO:
		if (set || v->type == KCAP_T_FLAGS)
			render_flags(b, v->u, set);
		else
			put_u64dec(b, v->u);
		break;
	case KCAP_T_MODE: {
		char t[16];
		int n = v->u ? snprintf(t, sizeof t, "0%llo", (unsigned long long)v->u) : snprintf(t, sizeof t, "0");
		buf_lit(b, t, (size_t)n);
		break;
	}
	case KCAP_T_TIMESTAMP: {
		char t[40];
		buf_lit(b, t, (size_t)kcap_format_time(t, v->i));
		break;
	}
	default:
		if (kcap_ptype_is_signed(v->type))
			put_i64dec(b, v->i);
		else
			put_u64dec(b, v->u);
	}
	return b->data ? 0 : KCAP_E_NOMEM;
}

/* JSON form of a value. */
static void json_value(kcap_buf *b, const kcap_value *v, const kcap_schema *s, const kcap_param_def *def)
{
	if (!v->present) {
		APPEND_LIT(b, "null");
		return;
	}
	switch (v->type) {
	case KCAP_T_BOOL:
	case KCAP_T_U8: case KCAP_T_U16: case KCAP_T_U32: case KCAP_T_U64: case KCAP_T_UID: case KCAP_T_GID:
	case KCAP_T_I8: case KCAP_T_I16: case KCAP_T_I32: case KCAP_T_I64: case KCAP_T_FD: case KCAP_T_RET:
	case KCAP_T_PID: case KCAP_T_TIMESTAMP: case KCAP_T_DURATION:
		if (v->type == KCAP_T_BOOL)
			kcap_render_value(b, v, s, def);
		else if (kcap_ptype_is_signed(v->type))
			put_i64dec(b, v->i);
		else
			put_u64dec(b, v->u);
		return;
	case KCAP_T_ENUM: case KCAP_T_ERRNO:
		if (!def || !def->symset || !kcap_schema_symset(s, def->symset)) {
			put_u64dec(b, v->u);
			return;
		}
		break;
	case KCAP_T_STR: case KCAP_T_PATH:
		json_str(b, (const char *)v->p, v->len);
		return;
	case KCAP_T_JSON:
		if (v->len && (v->p[0] == '{' || v->p[0] == '['))
			buf_lit(b, (const char *)v->p, v->len);
		else
			json_str(b, (const char *)v->p, v->len);
		return;
	case KCAP_T_STRLIST: {
		buf_lit(b, "[", 1);
		uint32_t i = 0, first = 1;
		while (i < v->len) {
			const uint8_t *e = memchr(v->p + i, 0, v->len - i);
			uint32_t n = e ? (uint32_t)(e - (v->p + i)) : v->len - i;
			if (!first)
				buf_lit(b, ",", 1);
			json_str(b, (const char *)v->p + i, n);
			first = 0;
			i += n + 1;
		}
		buf_lit(b, "]", 1);
		return;
	}
	case KCAP_T_SOCKADDR:
		if (v->af == KCAP_AF_INET || v->af == KCAP_AF_INET6) {
			if (v->af == KCAP_AF_INET)
				APPEND_LIT(b, "{\"family\":\"inet\",\"addr\":\"");
			else
				APPEND_LIT(b, "{\"family\":\"inet6\",\"addr\":\"");
			render_addr(b, v->af == KCAP_AF_INET6, v->addr);
			APPEND_LIT(b, "\",\"port\":");
			put_u64dec(b, v->port);
			buf_lit(b, "}", 1);
		} else if (v->af == KCAP_AF_UNIX) {
			APPEND_LIT(b, "{\"family\":\"unix\",\"path\":");
			json_str(b, (const char *)v->p, v->len);
			buf_lit(b, "}", 1);
		} else if (v->af == KCAP_AF_OTHER) {
			APPEND_LIT(b, "{\"family\":\"other\",\"raw\":\"");
			hex_bytes(b, v->p, v->len);
			APPEND_LIT(b, "\"}");
		} else {
			APPEND_LIT(b, "{\"family\":\"none\"}");
		}
		return;
	default:
		break;
	}
	/* Everything else is a string of its text form (flags, addresses, ...). */
	size_t start = b->len;
	kcap_render_value(b, v, s, def);
	int plain = 1;
	for (size_t i = start; i < b->len && plain; i++) {
		uint8_t c = (uint8_t)b->data[i];
		plain = c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
	}
	if (plain) { /* the usual case: symbol names, addresses, hex */
		if (kcap_buf_reserve(b, 2))
			return;
		memmove(b->data + start + 1, b->data + start, b->len - start);
		b->data[start] = '"';
		b->len++;
		buf_lit(b, "\"", 1);
		return;
	}
	size_t n = b->len - start;
	char *tmp = malloc(n);
	if (!tmp)
		return;
	memcpy(tmp, b->data + start, n);
	b->len = start;
	json_str(b, tmp, n);
	free(tmp);
}

static void json_key(kcap_buf *b, const char *k)
{
	json_str(b, k, strlen(k));
	buf_lit(b, ":", 1);
}

int kcap_render_json(kcap_buf *b, const kcap_event *ev, const kcap_schema *s)
{
	char t[40];
	if (kcap_buf_reserve(b, 256 + ev->comm_len))
		return KCAP_E_NOMEM;
	APPEND_LIT(b, "{\"seq\":");
	put_u64dec(b, ev->seq);
	APPEND_LIT(b, ",\"ts\":");
	put_i64dec(b, ev->ts);
	APPEND_LIT(b, ",\"time\":\"");
	buf_lit(b, t, (size_t)kcap_format_time(t, ev->ts));
	APPEND_LIT(b, "\",\"pid\":");
	put_i64dec(b, ev->pid);
	APPEND_LIT(b, ",\"tid\":");
	put_i64dec(b, ev->tid);
	APPEND_LIT(b, ",\"ppid\":");
	put_i64dec(b, ev->ppid);
	APPEND_LIT(b, ",\"cpu\":");
	put_u64dec(b, ev->cpu);
	APPEND_LIT(b, ",\"uid\":");
	put_u64dec(b, ev->uid);
	APPEND_LIT(b, ",\"gid\":");
	put_u64dec(b, ev->gid);
	APPEND_LIT(b, ",\"comm\":");
	json_str(b, ev->comm ? ev->comm : "", ev->comm_len);
	const kcap_type_def *def = ev->def ? ev->def : kcap_schema_type(s, ev->type_id);
	APPEND_LIT(b, ",\"type\":");
	if (def) {
		json_str(b, def->name, strlen(def->name));
		APPEND_LIT(b, ",\"category\":");
		json_str(b, def->category, strlen(def->category));
	} else {
		APPEND_LIT(b, "\"type_");
		put_u64dec(b, ev->type_id);
		APPEND_LIT(b, "\",\"category\":\"unknown\"");
	}
	if (ev->meta) {
		const char *h = kcap_meta_get(ev->meta, KCAP_META_HOSTNAME), *src = kcap_meta_get(ev->meta, KCAP_META_SOURCE);
		if (h) {
			APPEND_LIT(b, ",\"host\":");
			json_str(b, h, strlen(h));
		}
		if (src) {
			APPEND_LIT(b, ",\"source\":");
			json_str(b, src, strlen(src));
		}
	}
	int top = 0;
	APPEND_LIT(b, ",\"params\":{");
	int first = 1;
	for (uint32_t i = 0; def && i < ev->nparams; i++) {
		if (def->params[i].flags & KCAP_PF_TOPLEVEL) {
			top = 1;
			continue;
		}
		if (!first)
			buf_lit(b, ",", 1);
		json_key(b, def->params[i].name);
		json_value(b, &ev->params[i], s, &def->params[i]);
		first = 0;
	}
	buf_lit(b, "}", 1);
	for (uint32_t i = 0; top && i < ev->nparams; i++) {
		if (!(def->params[i].flags & KCAP_PF_TOPLEVEL))
			continue;
		buf_lit(b, ",", 1);
		json_key(b, def->params[i].name);
		json_value(b, &ev->params[i], s, &def->params[i]);
	}
	APPEND_LIT(b, "}\n");
	return b->data ? 0 : KCAP_E_NOMEM;
}

int kcap_render_text(kcap_buf *b, const kcap_event *ev, const kcap_schema *s)
{
	char t[40];
	const kcap_type_def *def = ev->def ? ev->def : kcap_schema_type(s, ev->type_id);
	put_u64dec(b, ev->seq);
	buf_lit(b, " ", 1);
	buf_lit(b, t, (size_t)kcap_format_time(t, ev->ts));
	APPEND_LIT(b, " cpu");
	put_u64dec(b, ev->cpu);
	buf_lit(b, " ", 1);
	buf_lit(b, ev->comm ? ev->comm : "", ev->comm_len);
	buf_lit(b, "(", 1);
	put_i64dec(b, ev->pid);
	if (ev->tid != ev->pid) {
		buf_lit(b, "/", 1);
		put_i64dec(b, ev->tid);
	}
	APPEND_LIT(b, ") ");
	if (def) {
		buf_lit(b, def->name, strlen(def->name));
	} else {
		APPEND_LIT(b, "type_");
		put_u64dec(b, ev->type_id);
	}
	for (uint32_t i = 0; def && i < ev->nparams; i++) {
		if (def->params[i].type == KCAP_T_JSON)
			continue; /* raw source records are for JSON output */
		buf_lit(b, " ", 1);
		buf_lit(b, def->params[i].name, strlen(def->params[i].name));
		buf_lit(b, "=", 1);
		kcap_render_value(b, &ev->params[i], s, &def->params[i]);
	}
	buf_lit(b, "\n", 1);
	return b->data ? 0 : KCAP_E_NOMEM;
}

const kcap_value *kcap_event_param(const kcap_event *ev, const char *name)
{
	int i = kcap_type_param_index(ev ? ev->def : NULL, name);
	return (i >= 0 && (uint32_t)i < ev->nparams) ? &ev->params[i] : NULL;
}

int kcap_event_field_text(kcap_buf *b, const kcap_event *ev, const kcap_schema *s, const char *name)
{
	char t[40];
	const kcap_type_def *def = ev->def ? ev->def : kcap_schema_type(s, ev->type_id);
	if (!strcmp(name, "seq")) put_u64dec(b, ev->seq);
	else if (!strcmp(name, "ts")) put_i64dec(b, ev->ts);
	else if (!strcmp(name, "time")) buf_lit(b, t, (size_t)kcap_format_time(t, ev->ts));
	else if (!strcmp(name, "pid")) put_i64dec(b, ev->pid);
	else if (!strcmp(name, "tid")) put_i64dec(b, ev->tid);
	else if (!strcmp(name, "ppid")) put_i64dec(b, ev->ppid);
	else if (!strcmp(name, "cpu")) put_u64dec(b, ev->cpu);
	else if (!strcmp(name, "uid")) put_u64dec(b, ev->uid);
	else if (!strcmp(name, "gid")) put_u64dec(b, ev->gid);
	else if (!strcmp(name, "comm")) buf_lit(b, ev->comm ? ev->comm : "", ev->comm_len);
	else if (!strcmp(name, "type")) {
		if (def)
			buf_lit(b, def->name, strlen(def->name));
		else
			put_u64dec(b, ev->type_id);
	} else if (!strcmp(name, "category")) {
		if (def)
			buf_lit(b, def->category, strlen(def->category));
	} else if (!strcmp(name, "host") || !strcmp(name, "source")) {
		const char *v = kcap_meta_get(ev->meta, name[0] == 'h' ? KCAP_META_HOSTNAME : KCAP_META_SOURCE);
		if (!v)
			return 0;
		buf_lit(b, v, strlen(v));
	} else {
		const char *pn = !strncmp(name, "params.", 7) ? name + 7 : name;
		int i = kcap_type_param_index(def, pn);
		if (i < 0 || (uint32_t)i >= ev->nparams)
			return 0;
		kcap_render_value(b, &ev->params[i], s, &def->params[i]);
	}
	return 1;
}

static const char *const default_csv_fields[] = {"seq", "time", "pid", "tid", "ppid", "uid", "gid", "comm", "type", "category", "params", NULL};

int kcap_render_csv_header(kcap_buf *b, const char *const *fields)
{
	if (!fields)
		fields = default_csv_fields;
	for (size_t i = 0; fields[i]; i++) {
		if (i)
			buf_lit(b, ",", 1);
		buf_lit(b, fields[i], strlen(fields[i]));
	}
	APPEND_LIT(b, "\r\n");
	return b->data ? 0 : KCAP_E_NOMEM;
}

/* Re-quotes the cell that starts at start per RFC 4180 when it needs it. */
static void csv_cell(kcap_buf *b, size_t start)
{
	size_t n = b->len - start;
	int quote = 0;
	for (size_t i = start; i < b->len && !quote; i++)
		quote = b->data[i] == ',' || b->data[i] == '\n' || b->data[i] == '\r' || b->data[i] == '"';
	if (!quote)
		return;
	char *tmp = malloc(n);
	if (!tmp)
		return;
	memcpy(tmp, b->data + start, n);
	b->len = start;
	buf_lit(b, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		if (tmp[i] == '"')
			buf_lit(b, "\"", 1);
		buf_lit(b, tmp + i, 1);
	}
	buf_lit(b, "\"", 1);
	free(tmp);
}

int kcap_render_csv(kcap_buf *b, const kcap_event *ev, const kcap_schema *s, const char *const *fields)
{
	if (!fields)
		fields = default_csv_fields;
	for (size_t i = 0; fields[i]; i++) {
		if (i)
			buf_lit(b, ",", 1);
		size_t start = b->len;
		if (!strcmp(fields[i], "params")) {
			const kcap_type_def *def = ev->def ? ev->def : kcap_schema_type(s, ev->type_id);
			for (uint32_t k = 0; def && k < ev->nparams; k++) {
				if (def->params[k].type == KCAP_T_JSON)
					continue;
				if (b->len > start)
					buf_lit(b, " ", 1);
				buf_lit(b, def->params[k].name, strlen(def->params[k].name));
				buf_lit(b, "=", 1);
				kcap_render_value(b, &ev->params[k], s, &def->params[k]);
			}
		} else {
			kcap_event_field_text(b, ev, s, fields[i]);
		}
		csv_cell(b, start);
	}
	APPEND_LIT(b, "\r\n");
	return b->data ? 0 : KCAP_E_NOMEM;
}
