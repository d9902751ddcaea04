/* Rendering events and values as JSON, text and CSV. This is the hot path of
 * `kcap convert --json` (docs/PERFORMANCE.md): no malloc beyond buffer growth,
 * cached date formatting, two digits per division, and string escaping that
 * copies eight plain bytes at a time. Writers reserve the worst case for what
 * they append, then write through a raw pointer. */
#include "common/port.h"
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "core/core.h"
#include "query/filter_internal.h"
#include "query/json_field.h"
#include "query/render_internal.h"

#define APPEND_LIT(b, s) buf_lit((b), (s), sizeof(s) - 1)

static inline int buf_lit(kcap_buf *b, const char *s, size_t n)
{
	if (b->cap - b->len < n && kcap_buf_reserve(b, n))
		return -1;
	memcpy(b->data + b->len, s, n);
	b->len += n;
	return 0;
}

/* buf_lit() for the prebuilt fragments of kcap_type_cache, which can be read
 * KCAP_FRAG_SLACK bytes past their end: short ones (most keys) are copied as
 * two fixed-size words instead of through a memcpy call. */
static inline int buf_frag(kcap_buf *b, const char *s, size_t n)
{
	if (b->cap - b->len < n + KCAP_FRAG_SLACK && kcap_buf_reserve(b, n + KCAP_FRAG_SLACK))
		return -1;
	char *o = b->data + b->len;
	if (n <= KCAP_FRAG_SLACK) {
		memcpy(o, s, KCAP_FRAG_SLACK / 2);
		memcpy(o + KCAP_FRAG_SLACK / 2, s + KCAP_FRAG_SLACK / 2, KCAP_FRAG_SLACK / 2);
	} else {
		memcpy(o, s, n);
	}
	b->len += n;
	return 0;
}

/* Makes room for n bytes; NULL when out of memory. */
static inline char *buf_room(kcap_buf *b, size_t n)
{
	if (b->cap - b->len < n && kcap_buf_reserve(b, n))
		return NULL;
	return b->data + b->len;
}

#define PUT_LIT(o, s) (memcpy((o), (s), sizeof(s) - 1), (o) + sizeof(s) - 1)

static const char digit_pairs[201] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

static const uint64_t pow10_tab[20] = {
	1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull, 10000000ull, 100000000ull, 1000000000ull,
	10000000000ull, 100000000000ull, 1000000000000ull, 10000000000000ull, 100000000000000ull,
	1000000000000000ull, 10000000000000000ull, 100000000000000000ull, 1000000000000000000ull,
	10000000000000000000ull,
};

/* Number of decimal digits of v: log10 from the bit length, then one fix-up. */
static inline int dec_digits(uint64_t v)
{
	v |= 1; /* same digit count, and 0 has one */
	int bits = 64 - __builtin_clzll(v);
	int n = (bits * 1233) >> 12;
	return n + (v >= pow10_tab[n]);
}

/* Writes v in decimal at o (at most 20 bytes); returns the end. */
static inline char *u64dec(char *o, uint64_t v)
{
	if (v < 100) { /* fds, cpus, small returns: most numbers in events */
		if (v < 10) {
			*o = (char)('0' + v);
			return o + 1;
		}
		memcpy(o, digit_pairs + 2 * v, 2);
		return o + 2;
	}
	char *e = o + dec_digits(v), *p = e;
	while (v > UINT32_MAX) {
		unsigned r = (unsigned)(v % 100);
		v /= 100;
		p -= 2;
		memcpy(p, digit_pairs + 2 * r, 2);
	}
	uint32_t w = (uint32_t)v; /* pids, uids and the rest: 32-bit division is cheaper */
	while (w >= 100) {
		uint32_t r = w % 100;
		w /= 100;
		p -= 2;
		memcpy(p, digit_pairs + 2 * r, 2);
	}
	if (w >= 10) {
		p -= 2;
		memcpy(p, digit_pairs + 2 * w, 2);
	} else {
		*--p = (char)('0' + w);
	}
	return e;
}

/* At most 20 bytes. */
static inline char *i64dec(char *o, int64_t v)
{
	if (v < 0) {
		*o++ = '-';
		return u64dec(o, (uint64_t)0 - (uint64_t)v);
	}
	return u64dec(o, (uint64_t)v);
}

static inline int put_u64dec(kcap_buf *b, uint64_t v)
{
	char *o = buf_room(b, 20);
	if (!o)
		return -1;
	b->len = (size_t)(u64dec(o, v) - b->data);
	return 0;
}

static inline int put_i64dec(kcap_buf *b, int64_t v)
{
	char *o = buf_room(b, 20);
	if (!o)
		return -1;
	b->len = (size_t)(i64dec(o, v) - b->data);
	return 0;
}

static const char hexd[] = "0123456789abcdef";

/* Hex (lowercase, no prefix, no leading zeros) of v; at most 16 bytes. */
static char *u64hex(char *o, uint64_t v)
{
	int n = 1;
	for (uint64_t t = v; t >= 16; t >>= 4)
		n++;
	for (int i = n - 1; i >= 0; i--, v >>= 4)
		o[i] = hexd[v & 15];
	return o + n;
}

/* ---- time ---- */

static int64_t floordiv(int64_t a, int64_t b) { return a / b - (a % b != 0 && ((a < 0) != (b < 0))); }

/* The date text and the decimal seconds of the last second seen, per thread:
 * consecutive events nearly always share their second. */
typedef struct sec_cache {
	int64_t sec;
	size_t date_len, dec_len;
	char date[64];
	char dec[24];
} sec_cache;

static const sec_cache *sec_parts(int64_t ts, uint32_t *ns)
{
	static _Thread_local sec_cache c = {INT64_MIN, 0, 0, {0}, {0}};
	int64_t frac = ts % 1000000000, sec = ts / 1000000000 - (frac < 0); /* no overflow near INT64_MIN */
	*ns = (uint32_t)(frac < 0 ? frac + 1000000000 : frac);
	if (sec != c.sec) {
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
		int n = snprintf(c.date, sizeof c.date, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld", (long long)y,
				 (long long)m, (long long)d, (long long)(rem / 3600), (long long)(rem / 60 % 60),
				 (long long)(rem % 60));
		c.date_len = n > 0 && (size_t)n < sizeof c.date ? (size_t)n : strlen(c.date);
		c.dec_len = (size_t)(i64dec(c.dec, sec) - c.dec);
		c.sec = sec;
	}
	return &c;
}

/* ns (< 10^9) as exactly 9 digits. */
static inline char *ns9(char *o, uint32_t ns)
{
	*o = (char)('0' + ns / 100000000);
	ns %= 100000000;
	for (int i = 7; i > 0; i -= 2, ns /= 100)
		memcpy(o + i, digit_pairs + 2 * (ns % 100), 2);
	return o + 9;
}

int kcap_format_time(char *out, int64_t ts)
{
	uint32_t ns;
	const sec_cache *c = sec_parts(ts, &ns);
	memcpy(out, c->date, c->date_len);
	char *o = out + c->date_len;
	*o++ = '.';
	o = ns9(o, ns);
	*o++ = 'Z';
	*o = 0;
	return (int)(o - out);
}

/* Local time of the second sec as RFC 3339 with the zone's offset, per
 * thread like sec_parts (localtime_r per second, not per event). */
typedef struct local_cache {
	int64_t sec;
	size_t date_len, zone_len;
	char date[64];
	char zone[8];
} local_cache;

static const local_cache *local_parts(int64_t sec)
{
	static _Thread_local local_cache c = {INT64_MIN, 0, 0, {0}, {0}};
	if (sec == c.sec)
		return &c;
	time_t t = (time_t)sec;
	struct tm tm;
	if (!localtime_r(&t, &tm))
		memset(&tm, 0, sizeof tm);
	int n = snprintf(c.date, sizeof c.date, "%04lld-%02d-%02dT%02d:%02d:%02d", (long long)tm.tm_year + 1900,
			 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	c.date_len = n > 0 && (size_t)n < sizeof c.date ? (size_t)n : strlen(c.date);
	long off = kcap_tm_gmtoff(&tm, t), a = off < 0 ? -off : off;
	n = snprintf(c.zone, sizeof c.zone, "%c%02ld:%02ld", off < 0 ? '-' : '+', a / 3600 % 100, a / 60 % 60);
	c.zone_len = n > 0 && (size_t)n < sizeof c.zone ? (size_t)n : strlen(c.zone);
	c.sec = sec;
	return &c;
}

/* ts - ref in seconds with 9 digits, signed (an unordered capture can go
 * back); computed unsigned, so no pair of times overflows. */
static int format_since(char *out, int64_t ts, int64_t ref)
{
	uint64_t d = ts >= ref ? (uint64_t)ts - (uint64_t)ref : (uint64_t)ref - (uint64_t)ts;
	char *o = out;
	if (ts < ref)
		*o++ = '-';
	o = u64dec(o, d / 1000000000u);
	*o++ = '.';
	o = ns9(o, (uint32_t)(d % 1000000000u));
	*o = 0;
	return (int)(o - out);
}

int kcap_format_time_style(char *out, int64_t ts, kcap_time_style *st)
{
	if (!st || (st->mode == KCAP_TIMES_ABSOLUTE && !st->local))
		return kcap_format_time(out, ts);
	if (!st->started) {
		st->started = 1;
		st->first = st->prev = ts;
	}
	int64_t prev = st->prev;
	st->prev = ts;
	if (st->mode == KCAP_TIMES_RELATIVE)
		return format_since(out, ts, st->first);
	if (st->mode == KCAP_TIMES_DELTA)
		return format_since(out, ts, prev);
	uint32_t ns;
	int64_t frac = ts % 1000000000, sec = ts / 1000000000 - (frac < 0);
	ns = (uint32_t)(frac < 0 ? frac + 1000000000 : frac);
	const local_cache *c = local_parts(sec);
	memcpy(out, c->date, c->date_len);
	char *o = out + c->date_len;
	*o++ = '.';
	o = ns9(o, ns);
	memcpy(o, c->zone, c->zone_len + 1);
	return (int)(o - out + c->zone_len);
}

/* ---- strings ---- */

static int json_str(kcap_buf *b, const char *s, size_t n)
{
	char *o = buf_room(b, KCAP_JSON_STR_ROOM(n));
	if (!o)
		return -1;
	b->len = (size_t)(kcap_json_str_to(o, s, n) - b->data);
	return 0;
}

static int hex_bytes(kcap_buf *b, const uint8_t *p, size_t n)
{
	char *o = buf_room(b, n * 2);
	if (!o)
		return -1;
	for (size_t i = 0; i < n; i++) {
		*o++ = hexd[p[i] >> 4];
		*o++ = hexd[p[i] & 15];
	}
	b->len += n * 2;
	return 0;
}

/* ---- typed values ---- */

static int render_flags(kcap_buf *b, uint64_t v, const kcap_symset *set)
{
	char t[24];
	int rc = 0;
	if (!set) {
		char *e = u64hex(PUT_LIT(t, "0x"), v);
		return buf_lit(b, t, (size_t)(e - t));
	}
	if (set->kind == KCAP_SYMSET_ENUM) {
		for (uint32_t i = 0; i < set->nsyms; i++)
			if (set->syms[i].value == v)
				return buf_lit(b, set->syms[i].name, strlen(set->syms[i].name));
		return put_u64dec(b, v);
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
			rc |= buf_lit(b, "|", 1);
		rc |= buf_lit(b, s->name, strlen(s->name));
		left &= ~mask;
		any = 1;
	}
	if (left || !any) {
		if (any)
			rc |= buf_lit(b, "|", 1);
		char *e = u64hex(PUT_LIT(t, "0x"), left);
		rc |= buf_lit(b, t, (size_t)(e - t));
	}
	return rc;
}

/* inet_ntop(AF_INET6) without its call overhead, to the same text: the
 * longest run (the first of equal ones) of two or more zero groups becomes
 * "::", and ::a.b.c.d and ::ffff:a.b.c.d keep their dotted quads. */
static char *ipv6_text(char *o, const uint8_t *a)
{
	unsigned w[8];
	int best = -1, best_len = 0, run = -1, run_len = 0;
	for (int i = 0; i < 8; i++) {
		w[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
		if (!w[i]) {
			if (run < 0)
				run = i, run_len = 0;
			if (++run_len > best_len)
				best = run, best_len = run_len;
		} else {
			run = -1;
		}
	}
	if (best_len < 2)
		best = -1;
	for (int i = 0; i < 8; i++) {
		if (best >= 0 && i >= best && i < best + best_len) {
			if (i == best)
				*o++ = ':';
			continue;
		}
		if (i)
			*o++ = ':';
		if (i == 6 && best == 0 && (best_len == 6 || (best_len == 5 && w[5] == 0xffff))) {
			for (int k = 12; k < 16; k++) {
				o = u64dec(o, a[k]);
				if (k < 15)
					*o++ = '.';
			}
			return o;
		}
		o = u64hex(o, w[i]);
	}
	if (best >= 0 && best + best_len == 8)
		*o++ = ':';
	return o;
}

static int render_addr(kcap_buf *b, int v6, const uint8_t *a)
{
	char *o = buf_room(b, INET6_ADDRSTRLEN), *s = o;
	if (!o)
		return -1;
	if (v6) {
		o = ipv6_text(o, a);
	} else {
		for (int i = 0; i < 4; i++) {
			if (i)
				*o++ = '.';
			o = u64dec(o, a[i]);
		}
	}
	b->len += (size_t)(o - s);
	return 0;
}

static int render_guid(kcap_buf *b, const uint8_t *g)
{
	char t[40];
	int n = snprintf(t, sizeof t, "{%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x}", get_u32(g), get_u16(g + 4),
			 get_u16(g + 6), g[8], g[9], g[10], g[11], g[12], g[13], g[14], g[15]);
	return buf_lit(b, t, (size_t)n);
}

static int render_sid(kcap_buf *b, const uint8_t *p, size_t n)
{
	/* revision, subauthority count, 48-bit big-endian authority, LE subauthorities */
	if (n < 8 || (size_t)8 + 4u * p[1] > n)
		return hex_bytes(b, p, n);
	uint64_t auth = 0;
	for (int i = 2; i < 8; i++)
		auth = (auth << 8) | p[i];
	char t[32];
	int k = snprintf(t, sizeof t, "S-%u-%llu", p[0], (unsigned long long)auth);
	int rc = buf_lit(b, t, (size_t)k);
	for (int i = 0; i < p[1]; i++) {
		rc |= buf_lit(b, "-", 1);
		rc |= put_u64dec(b, get_u32(p + 8 + 4 * i));
	}
	return rc;
}

/* Text form of a value whose symset (if any) is already looked up. */
static int render_value_set(kcap_buf *b, const kcap_value *v, const kcap_symset *set)
{
	if (!v->present)
		return APPEND_LIT(b, "-");
	switch (v->type) {
	case KCAP_T_BOOL:
		return v->u ? APPEND_LIT(b, "true") : APPEND_LIT(b, "false");
	case KCAP_T_STR: case KCAP_T_PATH: case KCAP_T_JSON:
		return buf_lit(b, (const char *)v->p, v->len);
	case KCAP_T_BYTES:
		return hex_bytes(b, v->p, v->len);
	case KCAP_T_STRLIST: {
		/* elements joined by spaces: NULs become spaces, the last one goes */
		char *o = buf_room(b, v->len);
		if (!o)
			return -1;
		for (uint32_t i = 0; i < v->len; i++) {
			char c = (char)v->p[i];
			if (c)
				*o++ = c;
			else if (i + 1 < v->len)
				*o++ = ' ';
		}
		b->len = (size_t)(o - b->data);
		return 0;
	}
	case KCAP_T_IPV4: return render_addr(b, 0, v->addr);
	case KCAP_T_IPV6: return render_addr(b, 1, v->addr);
	case KCAP_T_GUID: return render_guid(b, v->addr);
	case KCAP_T_SID: return render_sid(b, v->p, v->len);
	case KCAP_T_SOCKADDR:
		if (v->af == KCAP_AF_INET)
			return render_addr(b, 0, v->addr) | buf_lit(b, ":", 1) | put_u64dec(b, v->port);
		if (v->af == KCAP_AF_INET6)
			return buf_lit(b, "[", 1) | render_addr(b, 1, v->addr) | buf_lit(b, "]:", 2) |
			       put_u64dec(b, v->port);
		if (v->af == KCAP_AF_UNIX)
			return buf_lit(b, (const char *)v->p, v->len);
		if (v->af == KCAP_AF_OTHER)
			return hex_bytes(b, v->p, v->len);
		return 0;
	case KCAP_T_FLAGS: case KCAP_T_ENUM: case KCAP_T_ERRNO:
		if (set || v->type == KCAP_T_FLAGS)
			return render_flags(b, v->u, set);
		return put_u64dec(b, v->u);
	case KCAP_T_MODE: {
		char *o = buf_room(b, 24); /* '0' and up to 22 octal digits */
		if (!o)
			return -1;
		uint64_t m = v->u;
		int n = 1;
		for (uint64_t t = m; t >= 8; t >>= 3)
			n++;
		*o++ = '0';
		if (m)
			for (int i = n - 1; i >= 0; i--, m >>= 3)
				o[i] = (char)('0' + (m & 7));
		b->len += 1 + (v->u ? (size_t)n : 0);
		return 0;
	}
	case KCAP_T_TIMESTAMP: {
		char t[40];
		return buf_lit(b, t, (size_t)kcap_format_time(t, v->i));
	}
	default:
		if (kcap_ptype_is_signed(v->type))
			return put_i64dec(b, v->i);
		return put_u64dec(b, v->u);
	}
}

/* Text form of a value (no quoting). */
int kcap_render_value(kcap_buf *b, const kcap_value *v, const kcap_schema *s, const kcap_param_def *def)
{
	const kcap_symset *set = v->present && def && def->symset ? kcap_schema_symset(s, def->symset) : NULL;
	return render_value_set(b, v, set) ? KCAP_E_NOMEM : 0;
}

/* How json_value writes each param type. */
enum { JV_TEXT = 0, JV_UNSIGNED, JV_SIGNED, JV_BOOL, JV_SYM, JV_STR, JV_JSON, JV_LIST, JV_SOCK };
static const uint8_t json_kind[KCAP_T_MAX_ + 1] = {
	[KCAP_T_U8] = JV_UNSIGNED, [KCAP_T_U16] = JV_UNSIGNED, [KCAP_T_U32] = JV_UNSIGNED,
	[KCAP_T_U64] = JV_UNSIGNED, [KCAP_T_UID] = JV_UNSIGNED, [KCAP_T_GID] = JV_UNSIGNED,
	[KCAP_T_I8] = JV_SIGNED, [KCAP_T_I16] = JV_SIGNED, [KCAP_T_I32] = JV_SIGNED, [KCAP_T_I64] = JV_SIGNED,
	[KCAP_T_FD] = JV_SIGNED, [KCAP_T_RET] = JV_SIGNED, [KCAP_T_PID] = JV_SIGNED,
	[KCAP_T_TIMESTAMP] = JV_SIGNED, [KCAP_T_DURATION] = JV_SIGNED, [KCAP_T_BOOL] = JV_BOOL,
	[KCAP_T_ENUM] = JV_SYM, [KCAP_T_ERRNO] = JV_SYM, [KCAP_T_STR] = JV_STR, [KCAP_T_PATH] = JV_STR,
	[KCAP_T_JSON] = JV_JSON, [KCAP_T_STRLIST] = JV_LIST, [KCAP_T_SOCKADDR] = JV_SOCK,
};

/* A value as a JSON string of its text form (flags, addresses, ...),
 * rendered after an opening quote and escaped only when it needs it. */
static int json_text(kcap_buf *b, const kcap_value *v, const kcap_symset *set)
{
	if (buf_lit(b, "\"", 1))
		return -1;
	size_t start = b->len;
	int rc = render_value_set(b, v, set);
	int plain = 1;
	for (size_t i = start; i < b->len && plain; i++)
		plain = kcap_json_plain((uint8_t)b->data[i]);
	if (plain) /* the usual case: symbol names, addresses, hex */
		return rc | buf_lit(b, "\"", 1);
	size_t n = b->len - start;
	char *tmp = malloc(n);
	if (!tmp)
		return -1;
	memcpy(tmp, b->data + start, n);
	b->len = start - 1;
	rc |= json_str(b, tmp, n);
	free(tmp);
	return rc;
}

/* json_text() of a flags or enum value with its symbol set, remembered per
 * thread: a capture repeats a few values of each set (O_RDONLY|O_CLOEXEC)
 * and matching them against every symbol is the costly part. Entries are
 * keyed by the set's serial, never reused by another set, so a set freed and
 * another allocated at its address cannot be confused. */
#define SYM_MEMO_SLOTS 256
#define SYM_MEMO_TEXT (128 - 2 * sizeof(uint64_t) - sizeof(uint32_t))
typedef struct sym_memo {
	uint64_t serial, value;
	uint32_t len;
	char text[SYM_MEMO_TEXT];
} sym_memo;

static int json_sym_text(kcap_buf *b, const kcap_value *v, const kcap_symset *set)
{
	static _Thread_local sym_memo memo[SYM_MEMO_SLOTS];
	uint64_t serial = kcap_symset_serial(set);
	sym_memo *m = &memo[((v->u ^ serial << 20) * 0x9E3779B97F4A7C15ull) >> 56];
	if (m->serial == serial && m->value == v->u)
		return buf_lit(b, m->text, m->len);
	size_t start = b->len;
	if (json_text(b, v, set))
		return -1;
	size_t n = b->len - start;
	if (serial && n <= SYM_MEMO_TEXT) {
		m->serial = serial;
		m->value = v->u;
		m->len = (uint32_t)n;
		memcpy(m->text, b->data + start, n);
	}
	return 0;
}

/* JSON form of a value. */
static int json_value(kcap_buf *b, const kcap_value *v, const kcap_schema *s, const kcap_param_def *def)
{
	if (!v->present)
		return APPEND_LIT(b, "null");
	const kcap_symset *set = NULL;
	int rc = 0;
	switch (v->type <= KCAP_T_MAX_ ? json_kind[v->type] : JV_TEXT) {
	case JV_UNSIGNED:
		return put_u64dec(b, v->u);
	case JV_SIGNED:
		return put_i64dec(b, v->i);
	case JV_BOOL:
		return v->u ? APPEND_LIT(b, "true") : APPEND_LIT(b, "false");
	case JV_SYM:
		set = def && def->symset ? kcap_schema_symset(s, def->symset) : NULL;
		if (!set)
			return put_u64dec(b, v->u);
		break;
	case JV_STR:
		return json_str(b, (const char *)v->p, v->len);
	case JV_JSON:
		/* verbatim only when it is one valid object or array: a hostile
		 * capture must not break the line */
		if (v->len && (v->p[0] == '{' || v->p[0] == '[') && kcap_json_text_valid(v->p, v->len))
			return buf_lit(b, (const char *)v->p, v->len);
		return json_str(b, (const char *)v->p, v->len);
	case JV_LIST: {
		rc |= buf_lit(b, "[", 1);
		uint32_t i = 0, first = 1;
		while (i < v->len) {
			const uint8_t *e = memchr(v->p + i, 0, v->len - i);
			uint32_t n = e ? (uint32_t)(e - (v->p + i)) : v->len - i;
			if (!first)
				rc |= buf_lit(b, ",", 1);
			rc |= json_str(b, (const char *)v->p + i, n);
			first = 0;
			i += n + 1;
		}
		return rc | buf_lit(b, "]", 1);
	}
	case JV_SOCK:
		if (v->af == KCAP_AF_INET || v->af == KCAP_AF_INET6) {
			if (v->af == KCAP_AF_INET)
				rc |= APPEND_LIT(b, "{\"family\":\"inet\",\"addr\":\"");
			else
				rc |= APPEND_LIT(b, "{\"family\":\"inet6\",\"addr\":\"");
			rc |= render_addr(b, v->af == KCAP_AF_INET6, v->addr);
			rc |= APPEND_LIT(b, "\",\"port\":");
			rc |= put_u64dec(b, v->port);
			return rc | buf_lit(b, "}", 1);
		}
		if (v->af == KCAP_AF_UNIX)
			return APPEND_LIT(b, "{\"family\":\"unix\",\"path\":") | json_str(b, (const char *)v->p, v->len) |
			       buf_lit(b, "}", 1);
		if (v->af == KCAP_AF_OTHER)
			return APPEND_LIT(b, "{\"family\":\"other\",\"raw\":\"") | hex_bytes(b, v->p, v->len) |
			       APPEND_LIT(b, "\"}");
		return APPEND_LIT(b, "{\"family\":\"none\"}");
	default:
		if (v->type == KCAP_T_FLAGS && def && def->symset)
			set = kcap_schema_symset(s, def->symset);
		break;
	}
	return set ? json_sym_text(b, v, set) : json_text(b, v, NULL);
}

/* json_value() with its most common cases (numbers, strings) at the call
 * site: most params are one of them. */
static inline int json_value_inline(kcap_buf *b, const kcap_value *v, const kcap_schema *s, const kcap_param_def *def)
{
	switch (v->present && v->type <= KCAP_T_MAX_ ? json_kind[v->type] : JV_TEXT) {
	case JV_UNSIGNED:
		return put_u64dec(b, v->u);
	case JV_SIGNED:
		return put_i64dec(b, v->i);
	case JV_STR:
		return json_str(b, (const char *)v->p, v->len);
	default:
		return json_value(b, v, s, def);
	}
}

/* "name": of param i, from the type's prebuilt keys when it has them. */
static inline int json_key(kcap_buf *b, const kcap_type_def *def, const kcap_type_cache *tj, uint32_t i)
{
	if (tj) {
		uint32_t from = i ? tj->key_end[i - 1] : 0;
		return buf_frag(b, tj->keys + from, tj->key_end[i] - from);
	}
	const char *k = def->params[i].name;
	size_t n = strlen(k);
	char *o = buf_room(b, KCAP_JSON_STR_ROOM(n) + 1);
	if (!o)
		return -1;
	o = kcap_json_str_to(o, k, n);
	*o++ = ':';
	b->len = (size_t)(o - b->data);
	return 0;
}

/* The ,"host":...,"source":... text of recently seen origins, per thread: it
 * is the same for every event of an origin, and kcap_meta_get() costs two
 * key scans. An entry is reused only while the metadata's serial is the one
 * remembered: serials are never reused, so neither a change of the values
 * nor another kcap_meta allocated at a freed one's address can fool it.
 * Origins without both keys, or with long values, are not cached. */
#define ORIGIN_VAL_MAX 64
#define ORIGIN_SLOTS 4
typedef struct origin_frag {
	const kcap_meta *meta;
	uint64_t serial;
	size_t len;
	char text[2 * (6 * ORIGIN_VAL_MAX + 16) + 32];
} origin_frag;

static const origin_frag *origin_text(const kcap_meta *m)
{
	static _Thread_local origin_frag slots[ORIGIN_SLOTS];
	static _Thread_local unsigned next;
	uint64_t serial = kcap_meta_serial(m);
	for (unsigned i = 0; i < ORIGIN_SLOTS; i++)
		if (slots[i].meta == m && slots[i].serial == serial)
			return &slots[i];
	const char *h = kcap_meta_get(m, KCAP_META_HOSTNAME), *src = kcap_meta_get(m, KCAP_META_SOURCE);
	if (!h || !src || strlen(h) >= ORIGIN_VAL_MAX || strlen(src) >= ORIGIN_VAL_MAX)
		return NULL;
	origin_frag *f = &slots[next++ % ORIGIN_SLOTS];
	f->meta = m;
	f->serial = serial;
	char *o = PUT_LIT(f->text, ",\"host\":");
	o = kcap_json_str_to(o, h, strlen(h));
	o = PUT_LIT(o, ",\"source\":");
	o = kcap_json_str_to(o, src, strlen(src));
	f->len = (size_t)(o - f->text);
	return f;
}

/* seq in decimal at o (room for 24 bytes). Consecutive events have
 * consecutive seqs: the previous text, per thread, is incremented in place. */
static inline char *seq_text(char *o, uint64_t seq)
{
	static _Thread_local uint64_t last = UINT64_MAX;
	static _Thread_local char text[24];
	static _Thread_local size_t len;
	if (seq == last + 1 && last != UINT64_MAX) {
		size_t i = len;
		while (i && text[i - 1] == '9')
			text[--i] = '0';
		if (i) {
			text[i - 1]++;
			last = seq;
			memcpy(o, text, sizeof text);
			return o + len;
		}
	}
	len = (size_t)(u64dec(text, seq) - text);
	last = seq;
	memcpy(o, text, sizeof text);
	return o + len;
}

/* "pid":P,"tid":T,"ppid":PP at o (room for 64 bytes), remembered per thread
 * by tid: a process's events repeat the same three numbers. */
#define IDS_SLOTS 64
typedef struct ids_memo {
	int32_t pid, tid, ppid;
	uint32_t len; /* 0: empty */
	char text[64];
} ids_memo;

static inline char *ids_text(char *o, int32_t pid, int32_t tid, int32_t ppid)
{
	static _Thread_local ids_memo memo[IDS_SLOTS];
	ids_memo *m = &memo[(uint32_t)tid % IDS_SLOTS];
	if (!m->len || m->pid != pid || m->tid != tid || m->ppid != ppid) {
		char *t = PUT_LIT(m->text, "\"pid\":");
		t = i64dec(t, pid);
		t = PUT_LIT(t, ",\"tid\":");
		t = i64dec(t, tid);
		t = PUT_LIT(t, ",\"ppid\":");
		t = i64dec(t, ppid);
		m->pid = pid;
		m->tid = tid;
		m->ppid = ppid;
		m->len = (uint32_t)(t - m->text);
	}
	memcpy(o, m->text, sizeof m->text);
	return o + m->len;
}

/* Room for the fixed head of an event, up to "type": its numbers, the time
 * text, and the whole-buffer copies of the cached second (sec_cache). */
#define JSON_HEAD_MAX 384

int kcap_render_json(kcap_buf *b, const kcap_event *ev, const kcap_schema *s)
{
	size_t start = b->len;
	char *o = buf_room(b, JSON_HEAD_MAX + KCAP_JSON_STR_ROOM(ev->comm_len));
	if (!o)
		return KCAP_E_NOMEM;
	o = PUT_LIT(o, "{\"seq\":");
	o = seq_text(o, ev->seq);
	o = PUT_LIT(o, ",\"ts\":");
	uint32_t ns;
	const sec_cache *tc = sec_parts(ev->ts, &ns);
	char frac[16]; /* the 9 digits of ns, for both ts and time */
	ns9(frac, ns);
	if (ev->ts >= 1000000000) { /* ts is the seconds' digits and 9 of ns */
		memcpy(o, tc->dec, sizeof tc->dec);
		o += tc->dec_len;
		memcpy(o, frac, 16);
		o += 9;
	} else {
		o = i64dec(o, ev->ts);
	}
	o = PUT_LIT(o, ",\"time\":\"");
	memcpy(o, tc->date, sizeof tc->date);
	o += tc->date_len;
	*o++ = '.';
	memcpy(o, frac, 16);
	o += 9;
	o = PUT_LIT(o, "Z\",");
	o = ids_text(o, ev->pid, ev->tid, ev->ppid);
	o = PUT_LIT(o, ",\"cpu\":");
	if (ev->cpu == UINT32_MAX) /* not known (audit): absent, as null */
		o = PUT_LIT(o, "null");
	else
		o = u64dec(o, ev->cpu);
	o = PUT_LIT(o, ",\"uid\":");
	o = u64dec(o, ev->uid);
	o = PUT_LIT(o, ",\"gid\":");
	o = u64dec(o, ev->gid);
	const kcap_snapshot *sn = ev->snapshot;
	if (sn && (sn->names[KCAP_NAMES_USER].n | sn->names[KCAP_NAMES_GROUP].n)) {
		/* the recording host's names, only when its snapshot has them,
		 * as the JSON members the snapshot keeps rendered */
		const kcap_id_name *un = kcap_snapshot_name_entry(sn, KCAP_NAMES_USER, ev->uid);
		const kcap_id_name *gn = kcap_snapshot_name_entry(sn, KCAP_NAMES_GROUP, ev->gid);
		size_t nu = un ? un->json_len : 0, ng = gn ? gn->json_len : 0;
		if (nu + ng) {
			b->len = (size_t)(o - b->data);
			if (!(o = buf_room(b, nu + ng + 16 + KCAP_JSON_STR_ROOM(ev->comm_len)))) {
				b->len = start;
				return KCAP_E_NOMEM;
			}
			if (un)
				o = (char *)memcpy(o, un->json, nu) + nu;
			if (gn)
				o = (char *)memcpy(o, gn->json, ng) + ng;
		}
	}
	o = PUT_LIT(o, ",\"comm\":");
	o = kcap_json_str_to(o, ev->comm ? ev->comm : "", ev->comm_len);
	b->len = (size_t)(o - b->data);
	const kcap_type_def *def = ev->def ? ev->def : kcap_schema_type(s, ev->type_id);
	const kcap_type_cache *tj = kcap_schema_type_cache(s, def);
	int rc = 0;
	if (tj) {
		rc |= buf_frag(b, tj->head, tj->head_len);
	} else if (def) {
		rc |= APPEND_LIT(b, ",\"type\":");
		rc |= json_str(b, def->name, strlen(def->name));
		rc |= APPEND_LIT(b, ",\"category\":");
		rc |= json_str(b, def->category, strlen(def->category));
	} else {
		rc |= APPEND_LIT(b, ",\"type\":\"type_");
		rc |= put_u64dec(b, ev->type_id);
		rc |= APPEND_LIT(b, "\",\"category\":\"unknown\"");
	}
	const origin_frag *of = ev->meta ? origin_text(ev->meta) : NULL;
	if (of) {
		rc |= buf_lit(b, of->text, of->len);
	} else if (ev->meta) {
		const char *h = kcap_meta_get(ev->meta, KCAP_META_HOSTNAME), *src = kcap_meta_get(ev->meta, KCAP_META_SOURCE);
		if (h)
			rc |= APPEND_LIT(b, ",\"host\":") | json_str(b, h, strlen(h));
		if (src)
			rc |= APPEND_LIT(b, ",\"source\":") | json_str(b, src, strlen(src));
	}
	rc |= APPEND_LIT(b, ",\"params\":{");
	int top = tj ? tj->has_toplevel : 0, first = 1;
	for (uint32_t i = 0; def && i < ev->nparams; i++) {
		if (def->params[i].flags & KCAP_PF_TOPLEVEL) {
			top = 1;
			continue;
		}
		if (!first)
			rc |= buf_lit(b, ",", 1);
		rc |= json_key(b, def, tj, i);
		rc |= json_value_inline(b, &ev->params[i], s, &def->params[i]);
		first = 0;
	}
	rc |= buf_lit(b, "}", 1);
	for (uint32_t i = 0; top && i < ev->nparams; i++) {
		if (!(def->params[i].flags & KCAP_PF_TOPLEVEL))
			continue;
		rc |= buf_lit(b, ",", 1);
		rc |= json_key(b, def, tj, i);
		rc |= json_value(b, &ev->params[i], s, &def->params[i]);
	}
	rc |= APPEND_LIT(b, "}\n");
	if (rc) { /* out of memory: leave no partial line behind */
		b->len = start;
		return KCAP_E_NOMEM;
	}
	return 0;
}

int kcap_render_json_params(kcap_buf *b, const kcap_event *ev, const kcap_schema *s)
{
	size_t start = b->len;
	const kcap_type_def *def = ev->def ? ev->def : kcap_schema_type(s, ev->type_id);
	const kcap_type_cache *tj = kcap_schema_type_cache(s, def);
	int rc = buf_lit(b, "{", 1);
	for (uint32_t i = 0; def && i < ev->nparams && i < def->nparams; i++) {
		if (i)
			rc |= buf_lit(b, ",", 1);
		rc |= json_key(b, def, tj, i);
		rc |= json_value_inline(b, &ev->params[i], s, &def->params[i]);
	}
	rc |= buf_lit(b, "}", 1);
	if (rc) {
		b->len = start;
		return KCAP_E_NOMEM;
	}
	return 0;
}

/* Text output is one line per event whatever the capture holds: a control
 * byte in a string (a newline in an argv element, an escape sequence in a
 * comm) would otherwise split the line or drive the terminal, and a hostile
 * process could forge events in the output. They are written as C escapes
 * (\n \t \r \xHH). quote: also single-quote the text when it is empty or
 * holds a space or a quote, so argv elements stay apart ('a b' is one). */
static int text_escaped(kcap_buf *b, const uint8_t *p, size_t n, int quote)
{
	int needs_quote = quote && n == 0;
	size_t plain = 0;
	for (size_t i = 0; i < n; i++) {
		uint8_t c = p[i];
		if (c < 0x20 || c == 0x7f)
			continue;
		if (quote && (c == ' ' || c == '\'' || c == '"'))
			needs_quote = 1;
		plain++;
	}
	if (plain == n && !needs_quote)
		return buf_lit(b, (const char *)p, n);
	/* at most 4 bytes per input byte, plus the quotes */
	char *o = buf_room(b, 4 * n + 2);
	if (!o)
		return -1;
	char *start = o;
	if (needs_quote)
		*o++ = '\'';
	for (size_t i = 0; i < n; i++) {
		uint8_t c = p[i];
		if (c == '\n') {
			*o++ = '\\', *o++ = 'n';
		} else if (c == '\t') {
			*o++ = '\\', *o++ = 't';
		} else if (c == '\r') {
			*o++ = '\\', *o++ = 'r';
		} else if (c < 0x20 || c == 0x7f) {
			*o++ = '\\', *o++ = 'x';
			*o++ = "0123456789abcdef"[c >> 4], *o++ = "0123456789abcdef"[c & 15];
		} else if (needs_quote && c == '\'') {
			*o++ = '\\', *o++ = '\'';
		} else {
			*o++ = (char)c;
		}
	}
	if (needs_quote)
		*o++ = '\'';
	b->len += (size_t)(o - start);
	return 0;
}

int kcap_text_escape(kcap_buf *b, const void *p, size_t n)
{
	return text_escaped(b, p, n, 0) ? KCAP_E_NOMEM : 0;
}

/* ---- readable text values (docs/CLI.md "Text and CSV values") ----
 * Text and CSV show some values the way strace and sysdig do; JSON keeps
 * the numbers and the symbol texts of kcap_render_value. */

#define TEXT_AT_FDCWD (-100)

/* Integer params that hold memory addresses, shown in hex. The schema has no
 * mark for them, and captures written before this rule must read the same:
 * they are known by name. type NULL: a param of that name in any type (the
 * sockaddr `addr` of the socket calls is not an integer and keeps its form). */
static const struct {
	const char *type, *param;
} addr_params[] = {
	{NULL, "addr"},      /* mmap, mprotect, ptrace */
	{"mmap", "ret"},     /* the mapping, when not -errno */
	{"mmap2", "ret"},
	{"brk", "ret"},      /* the new break (not recorded by kcap's recorders today) */
};

static int is_addr_param(const kcap_type_def *t, const kcap_param_def *def)
{
	for (size_t i = 0; def && i < sizeof addr_params / sizeof addr_params[0]; i++)
		if (!strcmp(def->name, addr_params[i].param) &&
		    (!addr_params[i].type || (t && !strcmp(t->name, addr_params[i].type))))
			return 1;
	return 0;
}

/* 0x and the hex digits; 0 is written 0 (as flags of 0 are). */
static int text_hex(kcap_buf *b, uint64_t v)
{
	if (!v)
		return APPEND_LIT(b, "0");
	char t[24];
	char *e = u64hex(PUT_LIT(t, "0x"), v);
	return buf_lit(b, t, (size_t)(e - t));
}

/* The name of value v in an enum set, or NULL. */
static const char *enum_name(const kcap_symset *set, uint64_t v)
{
	for (uint32_t i = 0; set && set->kind == KCAP_SYMSET_ENUM && i < set->nsyms; i++)
		if (set->syms[i].value == v)
			return set->syms[i].name;
	return NULL;
}

/* A return value: -errno as the number and its name, -2 (ENOENT), the
 * number alone when the set does not name it. */
static int text_ret(kcap_buf *b, const kcap_value *v, const kcap_schema *s, const kcap_param_def *def, int addr)
{
	if (v->i >= 0)
		return addr ? text_hex(b, (uint64_t)v->i) : put_i64dec(b, v->i);
	const kcap_symset *set = def && def->symset ? kcap_schema_symset(s, def->symset) : NULL;
	const char *name = v->i > INT64_MIN ? enum_name(set, (uint64_t)-v->i) : NULL;
	int rc = put_i64dec(b, v->i);
	if (name)
		rc |= APPEND_LIT(b, " (") | buf_lit(b, name, strlen(name)) | buf_lit(b, ")", 1);
	return rc;
}

/* A uid or gid with the recording host's name for it: 0(root), as id(1)
 * writes them; the number alone when the snapshot has no name. */
static int text_id(kcap_buf *b, uint64_t id, const kcap_snapshot *names, int kind)
{
	const char *name = id <= UINT32_MAX ? kcap_snapshot_name(names, kind, (uint32_t)id) : NULL;
	int rc = put_u64dec(b, id);
	if (name)
		rc |= buf_lit(b, "(", 1) | text_escaped(b, (const uint8_t *)name, strlen(name), 0) | buf_lit(b, ")", 1);
	return rc;
}

/* Socket addresses by family: unix:PATH (unix:@NAME for the abstract
 * namespace, unix: alone for an unnamed socket), netlink:pid=P,groups=G
 * from the raw sockaddr_nl the recorders keep for families they do not
 * decode (its sa_family in the recording host's byte order, little-endian
 * on the hosts kcap records), the rest as kcap_render_value writes them. */
#define TEXT_AF_NETLINK 16
static int text_sockaddr(kcap_buf *b, const kcap_value *v)
{
	if (v->af == KCAP_AF_UNIX)
		return APPEND_LIT(b, "unix:") | text_escaped(b, v->p, v->len, 0);
	if (v->af == KCAP_AF_OTHER && v->len >= 12 && get_u16(v->p) == TEXT_AF_NETLINK)
		return APPEND_LIT(b, "netlink:pid=") | put_u64dec(b, get_u32(v->p + 4)) | APPEND_LIT(b, ",groups=") |
		       text_hex(b, get_u32(v->p + 8));
	return render_value_set(b, v, NULL);
}

/* A param's value on the text line (and in CSV): strings through
 * text_escaped, argv elements quoted one by one, the readable forms above,
 * the rest as kcap_render_value writes them. */
static int text_value(kcap_buf *b, const kcap_value *v, const kcap_schema *s, const kcap_type_def *t,
		      const kcap_param_def *def, const kcap_snapshot *names)
{
	if (!v->present)
		return kcap_render_value(b, v, s, def);
	switch (v->type) {
	case KCAP_T_STR: case KCAP_T_PATH:
		return text_escaped(b, v->p, v->len, 0);
	case KCAP_T_SOCKADDR:
		return text_sockaddr(b, v);
	case KCAP_T_STRLIST: {
		/* NUL-terminated elements; a list without its last NUL is tolerated */
		int rc = 0;
		size_t i = 0;
		while (i < v->len) {
			const uint8_t *e = v->p + i, *z = memchr(e, 0, v->len - i);
			size_t n = z ? (size_t)(z - e) : v->len - i;
			if (i)
				rc |= buf_lit(b, " ", 1);
			rc |= text_escaped(b, e, n, 1);
			i += n + 1;
		}
		return rc;
	}
	case KCAP_T_FD:
		if (v->i == TEXT_AT_FDCWD)
			return APPEND_LIT(b, "AT_FDCWD");
		break;
	case KCAP_T_RET:
		return text_ret(b, v, s, def, is_addr_param(t, def));
	case KCAP_T_FLAGS: {
		/* 0 is 0 whatever the set, unless the set names zero as the value
		 * of a field (O_RDONLY is the access mode, PROT_NONE), as strace
		 * writes them: render_flags writes 0x0 exactly when no name matched */
		size_t start = b->len;
		int rc = kcap_render_value(b, v, s, def);
		if (!rc && !v->u && b->len - start == 3 && !memcmp(b->data + start, "0x0", 3))
			b->len = start + 1;
		return rc;
	}
	case KCAP_T_UID:
		return text_id(b, v->u, names, KCAP_NAMES_USER);
	case KCAP_T_GID:
		return text_id(b, v->u, names, KCAP_NAMES_GROUP);
	case KCAP_T_U64: case KCAP_T_U32:
		if (is_addr_param(t, def))
			return text_hex(b, v->u);
		break;
	default:
		break;
	}
	return kcap_render_value(b, v, s, def);
}

/* The fields of an audit event that has no params of its own (user
 * messages, logins, config changes: audit_user_cmd ...) from the first
 * record of its "audit" param, as key=value (values single-quoted when they
 * hold a space); pid, ppid, uid, gid and comm are in the line's head. */
static int audit_text(kcap_buf *b, const kcap_event *ev, const kcap_value *audit)
{
	static const char *const head[] = {"pid", "ppid", "uid", "gid", "comm"};
	kcap_json_cache jc = {0};
	int rc = 0;
	const kcap_jv *recs = kcap__json_key(&jc, ev, audit, "records", 7);
	const kcap_jv *f = recs && recs->kind == KCAP_JV_ARR && recs->n ? kcap_jp_member(&jc.jp, recs + 1, "fields", 6)
	                                                                  : NULL;
	if (!f || f->kind != KCAP_JV_OBJ)
		goto cleanup;
	const kcap_jv *k = f + 1;
	for (uint32_t i = 0; i < f->n; i++, k = kcap_jp_skip(&jc.jp, k + 1)) {
		const kcap_jv *v = k + 1;
		int skip = v->kind != KCAP_JV_STR;
		for (size_t h = 0; !skip && h < sizeof head / sizeof head[0]; h++)
			skip = k->n == strlen(head[h]) && !memcmp(k->u.s, head[h], k->n);
		if (skip)
			continue;
		rc |= buf_lit(b, " ", 1);
		rc |= text_escaped(b, (const uint8_t *)k->u.s, k->n, 0);
		rc |= buf_lit(b, "=", 1);
		rc |= text_escaped(b, (const uint8_t *)v->u.s, v->n, 1);
	}
cleanup:
	kcap__json_cache_free(&jc);
	return rc;
}

int kcap_render_text(kcap_buf *b, const kcap_event *ev, const kcap_schema *s)
{
	return kcap_render_text_style(b, ev, s, NULL);
}

int kcap_render_text_style(kcap_buf *b, const kcap_event *ev, const kcap_schema *s, kcap_time_style *st)
{
	char t[KCAP_TIME_TEXT_MAX];
	const kcap_type_def *def = ev->def ? ev->def : kcap_schema_type(s, ev->type_id);
	put_u64dec(b, ev->seq);
	buf_lit(b, " ", 1);
	buf_lit(b, t, (size_t)kcap_format_time_style(t, ev->ts, st));
	APPEND_LIT(b, " cpu");
	if (ev->cpu == UINT32_MAX) /* the source does not know it (audit) */
		buf_lit(b, "-", 1);
	else
		put_u64dec(b, ev->cpu);
	buf_lit(b, " ", 1);
	text_escaped(b, (const uint8_t *)(ev->comm ? ev->comm : ""), ev->comm_len, 0);
	buf_lit(b, "(", 1);
	put_i64dec(b, ev->pid);
	if (ev->tid != ev->pid) {
		buf_lit(b, "/", 1);
		put_i64dec(b, ev->tid);
	}
	APPEND_LIT(b, ") ");
	/* names come from the capture's schema: escaped like the values */
	if (def) {
		text_escaped(b, (const uint8_t *)def->name, strlen(def->name), 0);
	} else {
		APPEND_LIT(b, "type_");
		put_u64dec(b, ev->type_id);
	}
	for (uint32_t i = 0; def && i < ev->nparams; i++) {
		if (def->params[i].type == KCAP_T_JSON)
			continue; /* raw source records are for JSON output */
		buf_lit(b, " ", 1);
		text_escaped(b, (const uint8_t *)def->params[i].name, strlen(def->params[i].name), 0);
		buf_lit(b, "=", 1);
		text_value(b, &ev->params[i], s, def, &def->params[i], ev->snapshot);
	}
	const kcap_value *audit = kcap__audit_param(ev, def);
	if (audit && def->nparams == 1)
		audit_text(b, ev, audit);
	buf_lit(b, "\n", 1);
	return b->data ? 0 : KCAP_E_NOMEM;
}

const kcap_value *kcap_event_param(const kcap_event *ev, const char *name)
{
	int i = kcap_type_param_index(ev ? ev->def : NULL, name);
	return (i >= 0 && (uint32_t)i < ev->nparams) ? &ev->params[i] : NULL;
}

static int field_text(kcap_buf *b, const kcap_event *ev, const kcap_schema *s, const kcap_procstate *ps,
                      const char *name);

int kcap_event_field_text(kcap_buf *b, const kcap_event *ev, const kcap_schema *s, const char *name)
{
	return field_text(b, ev, s, NULL, name);
}

int kcap__event_field_text(kcap_buf *b, const kcap_event *ev, const kcap_schema *s, const kcap_procstate *ps,
                           const char *name)
{
	return field_text(b, ev, s, ps, name);
}

/* A column: the canonical fields here, the others (params, sub-fields,
 * aliases, proc.*, parent.*) through the filter's field resolver. */
static int field_text(kcap_buf *b, const kcap_event *ev, const kcap_schema *s, const kcap_procstate *ps,
                      const char *name)
{
	char t[40];
	const kcap_type_def *def = ev->def ? ev->def : kcap_schema_type(s, ev->type_id);
	if (!strcmp(name, "seq")) put_u64dec(b, ev->seq);
	else if (!strcmp(name, "ts")) put_i64dec(b, ev->ts);
	else if (!strcmp(name, "time")) buf_lit(b, t, (size_t)kcap_format_time(t, ev->ts));
	else if (!strcmp(name, "pid")) put_i64dec(b, ev->pid);
	else if (!strcmp(name, "tid")) put_i64dec(b, ev->tid);
	else if (!strcmp(name, "ppid")) put_i64dec(b, ev->ppid);
	else if (!strcmp(name, "cpu")) {
		if (ev->cpu == UINT32_MAX) /* not known (audit) */
			return 0;
		put_u64dec(b, ev->cpu);
	}
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
		return kcap__field_text(b, ev, s, ps, name);
	}
	return 1;
}

static const char *const default_csv_fields[] = {"seq", "time", "pid", "tid", "ppid", "uid", "gid", "comm", "type", "category", "params", NULL};

/* Makes the cell that starts at start safe and RFC 4180: control bytes
 * become the C escapes of the text line (always, as in text: a CSV file is
 * read on terminals and by line-based tools, and a recorded ESC or newline
 * must reach neither), then the cell is quoted when it holds a comma or a
 * quote, quotes doubled. After the escapes no cell holds CR or LF, so every
 * record is one line. */
static int csv_cell(kcap_buf *b, size_t start)
{
	int esc = 0, quote = 0;
	for (size_t i = start; i < b->len; i++) {
		uint8_t c = (uint8_t)b->data[i];
		esc |= c < 0x20 || c == 0x7f;
		quote |= c == ',' || c == '"';
	}
	if (!esc && !quote)
		return 0;
	size_t n = b->len - start;
	char *tmp = malloc(n);
	if (!tmp)
		return -1;
	memcpy(tmp, b->data + start, n);
	b->len = start;
	int rc = 0;
	if (quote)
		rc |= buf_lit(b, "\"", 1);
	for (size_t i = 0, run = 0; i <= n && !rc; i++) {
		uint8_t c = i < n ? (uint8_t)tmp[i] : 0;
		if (i < n && c >= 0x20 && c != 0x7f && c != '"')
			continue;
		rc |= text_escaped(b, (const uint8_t *)tmp + run, i - run, 0);
		if (i < n && c == '"')
			rc |= APPEND_LIT(b, "\"\"");
		else if (i < n)
			rc |= text_escaped(b, &c, 1, 0);
		run = i + 1;
	}
	if (quote)
		rc |= buf_lit(b, "\"", 1);
	free(tmp);
	return rc;
}

int kcap_csv_escape(kcap_buf *b, const char *s, size_t n)
{
	size_t start = b->len;
	if (kcap_buf_append(b, s, n) || csv_cell(b, start))
		return KCAP_E_NOMEM;
	return 0;
}

int kcap_render_csv_header(kcap_buf *b, const char *const *fields)
{
	if (!fields)
		fields = default_csv_fields;
	int rc = 0;
	for (size_t i = 0; fields[i]; i++) {
		if (i)
			rc |= buf_lit(b, ",", 1);
		size_t start = b->len;
		rc |= buf_lit(b, fields[i], strlen(fields[i]));
		rc |= csv_cell(b, start);
	}
	rc |= APPEND_LIT(b, "\r\n");
	return rc ? KCAP_E_NOMEM : 0;
}

/* The param a field name means (as kcap_event_field_text reads it), or -1
 * for a canonical field. */
static int field_param(const kcap_type_def *def, const char *f)
{
	static const char *const canonical[] = {"seq", "ts", "time", "pid", "tid", "ppid", "cpu", "uid",
						"gid", "comm", "type", "category", "host", "source"};
	if (!strncmp(f, "params.", 7))
		return kcap_type_param_index(def, f + 7);
	for (size_t i = 0; i < sizeof canonical / sizeof canonical[0]; i++)
		if (!strcmp(f, canonical[i]))
			return -1;
	return kcap_type_param_index(def, f);
}

/* A CSV cell holds what the text line shows (text_value): the params cell
 * is the text line's name=value list, and a column named after a param its
 * value; canonical fields are kcap_event_field_text's. */
int kcap_render_csv(kcap_buf *b, const kcap_event *ev, const kcap_schema *s, const char *const *fields)
{
	return kcap_render_csv_proc(b, ev, s, fields, NULL, NULL);
}

int kcap_render_csv_style(kcap_buf *b, const kcap_event *ev, const kcap_schema *s, const char *const *fields,
                          kcap_time_style *st)
{
	return kcap_render_csv_proc(b, ev, s, fields, NULL, st);
}

int kcap_render_csv_proc(kcap_buf *b, const kcap_event *ev, const kcap_schema *s, const char *const *fields,
                         const kcap_procstate *ps, kcap_time_style *st)
{
	if (!fields)
		fields = default_csv_fields;
	const kcap_type_def *def = ev->def ? ev->def : kcap_schema_type(s, ev->type_id);
	int rc = 0, tlen = -1;
	char t[KCAP_TIME_TEXT_MAX]; /* the time column, formatted once: a delta moves on once per event */
	for (size_t i = 0; fields[i]; i++) {
		if (i)
			rc |= buf_lit(b, ",", 1);
		size_t start = b->len;
		const char *f = fields[i];
		int k = -1;
		if (!strcmp(f, "params")) {
			for (uint32_t j = 0; def && j < ev->nparams; j++) {
				if (def->params[j].type == KCAP_T_JSON)
					continue;
				if (b->len > start)
					rc |= buf_lit(b, " ", 1);
				rc |= buf_lit(b, def->params[j].name, strlen(def->params[j].name));
				rc |= buf_lit(b, "=", 1);
				rc |= text_value(b, &ev->params[j], s, def, &def->params[j], ev->snapshot);
			}
		} else if ((k = field_param(def, f)) >= 0 && (uint32_t)k < ev->nparams) {
			rc |= text_value(b, &ev->params[k], s, def, &def->params[k], ev->snapshot);
		} else if (st && !strcmp(f, "time")) {
			if (tlen < 0)
				tlen = kcap_format_time_style(t, ev->ts, st);
			rc |= buf_lit(b, t, (size_t)tlen);
		} else {
			field_text(b, ev, s, ps, f);
		}
		rc |= csv_cell(b, start);
	}
	rc |= APPEND_LIT(b, "\r\n");
	return rc || !b->data ? KCAP_E_NOMEM : 0;
}

int kcap_json_escape(kcap_buf *b, const char *s, size_t n)
{
	if (n > (SIZE_MAX - 16) / 6)
		return KCAP_E_INVAL;
	if (kcap_buf_reserve(b, KCAP_JSON_STR_ROOM(n)) < 0)
		return KCAP_E_NOMEM;
	b->len = (size_t)(kcap_json_str_to(b->data + b->len, s, n) - b->data);
	return 0;
}
