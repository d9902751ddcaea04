/* json_str.c - the one JSON string escaper of libkcap: what render.c,
 * procstate.c, the schema's render cache and the tools write as JSON strings.
 * Valid UTF-8 is kept, control bytes become \uXXXX (or \n, \t, \r), and
 * each invalid byte becomes \udcXX (surrogateescape), which JSON input maps
 * back to the byte. */
#include "common/common.h"

#define PUT_LIT(o, s) (memcpy((o), (s), sizeof(s) - 1), (o) + sizeof(s) - 1)
static const char hexd[] = "0123456789abcdef";

const uint8_t kcap_json_plain_tab[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

/* Nonzero when one of the 8 bytes of w is not kcap_json_plain(). */
static inline uint64_t json_special8(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
	uint64_t q = w ^ (ones * '"'), bs = w ^ (ones * '\\');
	uint64_t ctl = (w - ones * 0x20) & ~w;
	return (ctl | ((q - ones) & ~q) | ((bs - ones) & ~bs) | w) & high;
}

static const char hexu[] = "0123456789ABCDEF";

/* Writes the escape of the byte at *pp that is not kcap_json_plain() (or of
 * the valid UTF-8 sequence it starts) and advances *pp; NULL when flags
 * refuse it. */
static inline char *put_special(char *o, const uint8_t **pp, const uint8_t *end, unsigned flags)
{
	const uint8_t *p = *pp;
	const char *hx = flags & KCAP_JSTR_UPPER ? hexu : hexd;
	uint8_t c = *p;
	if (c >= 0x80) {
		size_t k = kcap_utf8_seq(p, end);
		if (k) {
			memcpy(o, p, k);
			*pp = p + k;
			return o + k;
		}
	}
	*pp = p + 1;
	if (c == 0 && (flags & KCAP_JSTR_NUL_SPACE)) {
		*o++ = ' ';
		return o;
	}
	if ((c == 0 || c >= 0x80) && (flags & (KCAP_JSTR_STRICT | KCAP_JSTR_BYTE_TEXT))) {
		if (flags & KCAP_JSTR_STRICT)
			return NULL;
		o = PUT_LIT(o, "\\\\x");
		*o++ = hx[c >> 4];
		*o++ = hx[c & 15];
		return o;
	}
	if (c >= 0x80) {
		o = PUT_LIT(o, "\\udc");
		*o++ = hx[c >> 4];
		*o++ = hx[c & 15];
		return o;
	}
	*o++ = '\\';
	switch (c) {
	case '"': *o++ = '"'; break;
	case '\\': *o++ = '\\'; break;
	case '\n': *o++ = 'n'; break;
	case '\t': *o++ = 't'; break;
	case '\r': *o++ = 'r'; break;
	default:
		o = PUT_LIT(o, "u00");
		*o++ = hx[c >> 4];
		*o++ = hx[c & 15];
	}
	return o;
}

/* json_special8(), and also DEL bytes when flags escape them. */
static inline uint64_t special8(uint64_t w, unsigned flags)
{
	const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
	uint64_t d = w ^ (ones * 0x7f);
	return json_special8(w) | (flags & KCAP_JSTR_DEL ? (d - ones) & ~d & high : 0);
}

static inline int plain(uint8_t c, unsigned flags)
{
	return kcap_json_plain(c) && !(c == 0x7f && (flags & KCAP_JSTR_DEL));
}

/* The string after its opening quote: copied eight plain bytes at a time,
 * the special ones escaped; NULL when flags refuse it. Inlined twice: for
 * kcap_json_str_to() (flags 0, the renderers) and kcap_json_str_flags(). */
static inline __attribute__((always_inline)) char *str_body(char *o, const uint8_t *p, const uint8_t *end,
							    unsigned flags)
{
	size_t n = (size_t)(end - p);
	while (p < end) {
		while (end - p >= 8) {
			uint64_t w;
			memcpy(&w, p, 8);
			if (special8(w, flags))
				break;
			memcpy(o, p, 8);
			o += 8;
			p += 8;
		}
		if (p < end && end - p < 8 && n >= 8) {
			/* the last (overlapping) word: bytes before p are copied as they are */
			uint64_t w;
			memcpy(&w, end - 8, 8);
			if (!special8(w, flags)) {
				memcpy(o + (end - p) - 8, end - 8, 8);
				o += end - p;
				break;
			}
		}
		while (p < end && plain(*p, flags))
			*o++ = (char)*p++;
		if (p >= end)
			break;
		if (!(o = put_special(o, &p, end, flags)))
			return NULL;
	}
	*o++ = '"';
	return o;
}

/* Out of line, so that the short path of the callers (most comms, names,
 * keys) saves no registers. */
static __attribute__((noinline)) char *str_body_plain(char *o, const uint8_t *p, const uint8_t *end)
{
	return str_body(o, p, end, 0);
}
static __attribute__((noinline)) char *str_body_flags(char *o, const uint8_t *p, const uint8_t *end, unsigned flags)
{
	return str_body(o, p, end, flags);
}

/* Short strings (n < 8): gathers the bytes into one word without reading
 * past the string, pads it with spaces, tests it once and stores it whole
 * (o has room: see KCAP_JSON_STR_ROOM). Returns the end, or NULL when the
 * string has a special byte (o is then unchanged but for scratch bytes). */
static inline char *str_short(char *o, const uint8_t *p, size_t n, unsigned flags)
{
	const uint8_t *end = p + n;
	uint64_t w = 0;
	if (n >= 4) {
		uint32_t lo, hi;
		memcpy(&lo, p, 4);
		memcpy(&hi, end - 4, 4);
		w = lo | (uint64_t)hi << (8 * (n - 4));
	} else if (n >= 2) {
		uint16_t lo, hi;
		memcpy(&lo, p, 2);
		memcpy(&hi, end - 2, 2);
		w = lo | (uint64_t)hi << (8 * (n - 2));
	} else if (n) {
		w = *p;
	}
	w |= 0x2020202020202020ull << (8 * n);
	if (special8(w, flags))
		return NULL;
	memcpy(o, &w, 8);
	o[n] = '"';
	return o + n + 1;
}

char *kcap_json_str_flags(char *o, const char *s, size_t n, unsigned flags)
{
	const uint8_t *p = (const uint8_t *)s;
	char *e;
	*o++ = '"';
	if (n < 8 && (e = str_short(o, p, n, flags)))
		return e;
	return str_body_flags(o, p, p + n, flags);
}

char *kcap_json_str_to(char *o, const char *s, size_t n)
{
	const uint8_t *p = (const uint8_t *)s;
	char *e;
	*o++ = '"';
	if (n < 8 && (e = str_short(o, p, n, 0)))
		return e;
	return str_body_plain(o, p, p + n);
}

