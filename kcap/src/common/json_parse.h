/* The JSON parser behind JSON lines input (json_parse.c), private to libkcap.
 *
 * kcap_jp_parse reads one JSON text into a flat array of values in document
 * order: a container is followed by its contents (an object's members as key,
 * value pairs), and each value's next is the index just past it and its
 * contents. The array and the decoded strings live in memory the kcap_jp
 * keeps and reuses from call to call; both stay valid until the next call.
 *
 * What it accepts beyond RFC 8259, for kcap's JSON lines:
 *  - in strings, \udc80..\udcff escapes not part of a surrogate pair, and raw
 *    bytes 0x80..0xff (valid UTF-8 or not), stand for those bytes;
 *  - integers are exact over the whole u64 and i64 ranges (neg, mag).
 * What it rejects: anything else outside the RFC grammar (trailing data, bad
 * escapes, lone surrogates, leading zeros, control bytes in strings), NUL in
 * object keys, and nesting deeper than KCAP_JSON_MAX_DEPTH. Duplicate keys
 * are kept; kcap_jp_member returns the last one, as jansson does. */
#ifndef KCAP_JSON_PARSE_H
#define KCAP_JSON_PARSE_H

#include <stddef.h>
#include <stdint.h>
#include <kcap/kcap.h>

enum {
	KCAP_JV_NULL,
	KCAP_JV_FALSE,
	KCAP_JV_TRUE,
	KCAP_JV_INT,  /* an integer of magnitude below 2^64: neg, mag */
	KCAP_JV_NUM,  /* any other number: real (fraction or exponent) or a larger integer */
	KCAP_JV_STR,  /* s, n: decoded bytes, NUL-terminated (may hold NULs) */
	KCAP_JV_ARR,  /* n elements follow */
	KCAP_JV_OBJ,  /* n members follow, each a STR key then its value */
};

typedef struct kcap_jv {
	uint8_t kind;
	uint8_t neg;  /* INT: negative (never for 0) */
	uint8_t real; /* NUM: has a fraction or exponent */
	uint32_t next; /* index just past this value and its contents */
	uint32_t off, len; /* the value as written: line[off, off + len) */
	uint32_t n;
	union {
		uint64_t mag;
		const char *s;
	} u;
} kcap_jv;

typedef struct kcap_jp {
	kcap_jv *v;
	size_t nv, cap;
	char *text; /* decoded strings, back to back */
	size_t textcap;
} kcap_jp;

/* Parses line[0, n) into p->v (p->v[0] is the root). Returns 0, or
 * KCAP_E_SYNTAX with err->column the 1-based byte column of the fault (the
 * last byte when the line ends too early), or KCAP_E_NOMEM. */
int kcap_jp_parse(kcap_jp *p, const char *line, size_t n, kcap_error *err);
void kcap_jp_free(kcap_jp *p);

/* The value after v and its contents (the next element or member key). */
static inline const kcap_jv *kcap_jp_skip(const kcap_jp *p, const kcap_jv *v) { return p->v + v->next; }

/* Value of the last member named key[0, klen) of obj; NULL if none or obj
 * is not an object. */
const kcap_jv *kcap_jp_member(const kcap_jp *p, const kcap_jv *obj, const char *key, size_t klen);

#endif
