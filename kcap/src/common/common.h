/*
 * common/common.h - helpers every layer of libkcap uses: byte order,
 * varints, the bounds-checked cursor, CRC32C, error filling, growable
 * buffers, the open-addressing probe, and the one JSON string escaper and
 * UTF-8 check.
 *
 * Layering (checked by tests/layering): common/ includes nothing from core/
 * or query/; core/ includes common/ only; query/ may include both.
 */
#ifndef KCAP_COMMON_H
#define KCAP_COMMON_H

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <kcap/kcap.h>
#include "common/port.h" /* POSIX calls on Windows too */

/* ---- byte order (files are little-endian) ---- */
static inline void put_u16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static inline void put_u32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i)); }
static inline void put_u64(uint8_t *p, uint64_t v) { for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i)); }
static inline uint16_t get_u16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static inline uint32_t get_u32(const uint8_t *p) { return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24); }
static inline uint64_t get_u64(const uint8_t *p) { return (uint64_t)get_u32(p) | ((uint64_t)get_u32(p + 4) << 32); }

/* ---- varints: LEB128 unsigned, zigzag for signed ---- */
static inline uint64_t zz_enc(int64_t v) { return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63); }
static inline int64_t zz_dec(uint64_t v) { return (int64_t)(v >> 1) ^ -(int64_t)(v & 1); }

static inline uint8_t *put_varint(uint8_t *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*p++ = (uint8_t)v;
	return p;
}

/* Decodes a varint from [*pp, end). Returns 0 and advances, -1 if malformed. */
static inline int get_varint(const uint8_t **pp, const uint8_t *end, uint64_t *out)
{
	const uint8_t *p = *pp;
	if (p < end && *p < 0x80) {
		*out = *p;
		*pp = p + 1;
		return 0;
	}
	uint64_t v = 0;
	for (int shift = 0; shift < 64; shift += 7) {
		if (p >= end)
			return -1;
		uint8_t b = *p++;
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*out = v;
			*pp = p;
			return 0;
		}
	}
	return -1;
}

/* ---- open addressing ---- */
/* A table of cap (a power of two) 64-bit keys probed linearly, 0 marking a
 * free slot: the slot that holds key, else the free slot at which the probe
 * from hash stops (where key goes). The table must have a free slot. */
static inline size_t kcap_slot_of(const uint64_t *keys, size_t cap, uint64_t key, uint64_t hash)
{
	size_t m = cap - 1, i = (size_t)hash & m;
	while (keys[i] && keys[i] != key)
		i = (i + 1) & m;
	return i;
}

/* ---- CRC32C (Castagnoli) ---- */
uint32_t kcap_crc32c(uint32_t crc, const void *data, size_t len);

/* ---- errors ---- */
int kcap_seterr(kcap_error *e, int code, int64_t offset, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* kcap_seterr with its arguments in ap (a damage report's error). */
int kcap_vseterr(kcap_error *e, int code, int64_t offset, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));
/* The same for an error in a text value: no offset, a 1-based column. */
int kcap_seterr_col(kcap_error *e, int code, int col, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* ---- growable byte buffer used by encoders (kcap_buf) ---- */
/* kcap_buf_reserve() and kcap_buf_append() with their test for room inline,
 * for the per-field loops of the library and its importers. */
static inline int kcap_buf_room(kcap_buf *b, size_t extra)
{
	return b->cap - b->len >= extra ? 0 : kcap_buf_reserve(b, extra);
}
static inline int kcap_buf_add(kcap_buf *b, const void *p, size_t n)
{
	if (kcap_buf_room(b, n))
		return KCAP_E_NOMEM;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	return 0;
}
int kcap_buf_put_varint(kcap_buf *b, uint64_t v);
int kcap_buf_put_str(kcap_buf *b, const char *s, size_t n);

/* Decoding cursor with bounds checks. */
typedef struct cur {
	const uint8_t *p, *end;
	int bad;
} cur;
static inline uint64_t cur_varint(cur *c)
{
	uint64_t v = 0;
	if (c->bad || get_varint(&c->p, c->end, &v)) {
		c->bad = 1;
		return 0;
	}
	return v;
}
static inline const uint8_t *cur_bytes(cur *c, size_t n)
{
	if (c->bad || (size_t)(c->end - c->p) < n) {
		c->bad = 1;
		return NULL;
	}
	const uint8_t *r = c->p;
	c->p += n;
	return r;
}
/* Returns a malloc'd NUL-terminated copy of a length-prefixed string. */
char *cur_strdup(cur *c);

/* ---- UTF-8 ---- */
/* Length of the valid UTF-8 sequence of 2..4 bytes at p, or 0 when the bytes
 * at p (a byte >= 0x80) do not start one: overlong forms, surrogates and
 * code points past U+10FFFF are invalid (RFC 3629). */
static inline size_t kcap_utf8_seq(const uint8_t *p, const uint8_t *end)
{
	uint8_t c = p[0];
	size_t n = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;
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

/* ---- JSON text (common/json_str.c) ---- */
/* Room kcap_json_str_to() needs for n bytes: each may become a 6-byte
 * escape, and short strings are stored as one 8-byte word. */
#define KCAP_JSON_STR_ROOM(n) (6 * (size_t)(n) + 16)
/* 1 for bytes a JSON string holds as they are: printable ASCII but '"' and '\\'. */
extern const uint8_t kcap_json_plain_tab[256];
static inline int kcap_json_plain(uint8_t c) { return kcap_json_plain_tab[c]; }
/* Writes s[0..n) as a quoted JSON string at o, which has room for
 * KCAP_JSON_STR_ROOM(n) bytes; returns the end. Invalid UTF-8 bytes become
 * \udcXX (surrogateescape), which json_in.c maps back. */
char *kcap_json_str_to(char *o, const char *s, size_t n);

/* kcap_json_str_to() in other conventions, for the JSON that foreign
 * formats write (the audit importer's JSON form). Without flags the output
 * is kcap_json_str_to()'s. o has room for KCAP_JSON_STR_ROOM(n) bytes;
 * returns the end, or NULL when KCAP_JSTR_STRICT refuses s. */
enum {
	KCAP_JSTR_NUL_SPACE = 1, /* NUL bytes become spaces */
	KCAP_JSTR_STRICT = 2,    /* NUL and invalid UTF-8 bytes refuse the string */
	KCAP_JSTR_BYTE_TEXT = 4, /* NUL and invalid UTF-8 bytes become the text \xNN */
	KCAP_JSTR_UPPER = 8,     /* hex digits of escapes in uppercase */
	KCAP_JSTR_DEL = 16,      /* DEL is escaped as a control character */
};
char *kcap_json_str_flags(char *o, const char *s, size_t n, unsigned flags);

/* A copy of the n bytes at p (which may hold NULs: a cmdline) with a NUL
 * after them, in new memory; NULL when out of memory. */
static inline char *kcap_memdup0(const void *p, size_t n)
{
	char *d = malloc(n + 1);
	if (d) {
		if (n)
			memcpy(d, p, n);
		d[n] = 0;
	}
	return d;
}

/* ---- growable arrays ---- */
/* Makes room for element n of the array *arrp (a T **) of *cap elements of
 * elem bytes: doubles the capacity, first elements the first time. Returns
 * 0 or KCAP_E_NOMEM (the array is then unchanged). */
static inline int kcap_array_room(void *arrp, size_t *cap, size_t n, size_t elem, size_t first)
{
	if (n < *cap)
		return 0;
	size_t nc = *cap ? *cap * 2 : first;
	void *old, *p;
	memcpy(&old, arrp, sizeof old);
	p = realloc(old, nc * elem);
	if (!p)
		return KCAP_E_NOMEM;
	memcpy(arrp, &p, sizeof p);
	*cap = nc;
	return 0;
}

/* Makes room for n elements in two parallel arrays *a and *b (T ** and
 * U **, elements of ea and eb bytes) that share the capacity *cap. Returns
 * 0 or KCAP_E_NOMEM (*cap unchanged; an array may have grown). */
static inline int kcap_array_room2(void *a, size_t ea, void *b, size_t eb, size_t *cap, size_t n, size_t first)
{
	while (*cap < n) {
		size_t ca = *cap, cb = *cap;
		if (kcap_array_room(a, &ca, ca, ea, first) || kcap_array_room(b, &cb, cb, eb, first))
			return KCAP_E_NOMEM;
		*cap = ca;
	}
	return 0;
}

/* Deepest nesting of arrays and objects any JSON parser of kcap accepts. */
#define KCAP_JSON_MAX_DEPTH 128

/* 1 if [p, p+n) is one complete, valid JSON value (json_check.c). */
int kcap_json_text_valid(const uint8_t *p, size_t n);

#endif
