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

/* The body of the string is copied eight plain bytes at a time. */
char *kcap_json_str_to(char *o, const char *s, size_t n)
{
	const uint8_t *p = (const uint8_t *)s, *end = p + n;
	*o++ = '"';
	if (n < 8) {
		/* Short names and comms: gather the bytes into one word without
		 * reading past the string, pad it with spaces, test it once and
		 * store it whole (o has room: see KCAP_JSON_STR_ROOM). */
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
		if (!json_special8(w)) {
			memcpy(o, &w, 8);
			o[n] = '"';
			return o + n + 1;
		}
	}
	while (p < end) {
		while (end - p >= 8) {
			uint64_t w;
			memcpy(&w, p, 8);
			if (json_special8(w))
				break;
			memcpy(o, p, 8);
			o += 8;
			p += 8;
		}
		if (p < end && end - p < 8 && n >= 8) {
			/* the last (overlapping) word: bytes before p are copied as they are */
			uint64_t w;
			memcpy(&w, end - 8, 8);
			if (!json_special8(w)) {
				memcpy(o + (end - p) - 8, end - 8, 8);
				o += end - p;
				break;
			}
		}
		while (p < end && kcap_json_plain(*p))
			*o++ = (char)*p++;
		if (p >= end)
			break;
		uint8_t c = *p;
		if (c >= 0x80) {
			size_t k = kcap_utf8_seq(p, end);
			if (k) {
				memcpy(o, p, k);
				o += k;
				p += k;
			} else {
				o = PUT_LIT(o, "\\udc");
				*o++ = hexd[c >> 4];
				*o++ = hexd[c & 15];
				p++;
			}
			continue;
		}
		p++;
		*o++ = '\\';
		switch (c) {
		case '"': *o++ = '"'; break;
		case '\\': *o++ = '\\'; break;
		case '\n': *o++ = 'n'; break;
		case '\t': *o++ = 't'; break;
		case '\r': *o++ = 'r'; break;
		default:
			o = PUT_LIT(o, "u00");
			*o++ = hexd[c >> 4];
			*o++ = hexd[c & 15];
		}
	}
	*o++ = '"';
	return o;
}

