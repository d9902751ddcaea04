/*
 * internal.h - helpers shared inside libkcap: byte order, varints, CRC32C,
 * error filling and the on-disk constants of docs/FORMAT.md.
 */
#ifndef KCAP_INTERNAL_H
#define KCAP_INTERNAL_H

#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include <kcap/kcap.h>

/* ---- on-disk constants (docs/FORMAT.md) ---- */
#define KCAP_MAGIC "\x89KCP\r\n\x1a\n"
#define KCAP_MAGIC_LEN 8
#define KCAP_SECTION_HDR_LEN 16
static const uint8_t kcap_sync[4] = {0xB5, 'k', 'B', 0x1A};
#define KCAP_BLOCK_HDR_LEN 20
#define KCAP_BLOCK_TRAILER_LEN 4
#define KCAP_BLOCK_OVERHEAD (KCAP_BLOCK_HDR_LEN + KCAP_BLOCK_TRAILER_LEN)
#define KCAP_PAYLOAD_PREFIX_LEN 8 /* u32 meta_len, u32 raw_body_len */
#define KCAP_MAX_PAYLOAD (1u << 30)

enum {
	KCAP_BLK_META = 1,
	KCAP_BLK_SCHEMA = 2,
	KCAP_BLK_SNAPSHOT = 3,
	KCAP_BLK_EVENTS = 4,
	KCAP_BLK_STATS = 5,
	KCAP_BLK_INDEX = 6,
	KCAP_BLK_FOOTER = 7,
	KCAP_BLK_ORIGIN_SNAPSHOT = 8, /* format 1.1 */
};
#define KCAP_OSNAP_META_LEN 2 /* u16 origin; later minors may append fields */

/* 1 for the block types this library knows (1..8). */
static inline int kcap_blk_known(unsigned type)
{
	return type >= KCAP_BLK_META && type <= KCAP_BLK_ORIGIN_SNAPSHOT;
}
/* Block flags: bit 0 = a rewriting tool must copy this block even when it
 * does not know its type; bits 8..11 = body codec. */
#define KCAP_BF_COPY 0x0001u
#define KCAP_BF_CODEC_SHIFT 8
#define KCAP_BF_CODEC_MASK 0x0F00u

#define KCAP_FOOTER_BODY_LEN 48
#define KCAP_FOOTER_BLOCK_LEN (KCAP_BLOCK_OVERHEAD + KCAP_PAYLOAD_PREFIX_LEN + KCAP_FOOTER_BODY_LEN)
#define KCAP_FOOTER_ORDERED 1u

/* Events-block meta (fixed part), see FORMAT.md "Events block". */
#define KCAP_EVMETA_FIXED_LEN 104 /* the pid Bloom filter follows the 32-byte type set at 72 */

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

/* ---- CRC32C (Castagnoli) ---- */
uint32_t kcap_crc32c(uint32_t crc, const void *data, size_t len);

/* ---- errors ---- */
int kcap_seterr(kcap_error *e, int code, int64_t offset, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* ---- growable byte buffer used by encoders (kcap_buf) ---- */
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

/* ---- schema/meta/snapshot/stats (de)serialization ---- */
int kcap_schema_encode(const kcap_schema *s, kcap_buf *b);
int kcap_schema_decode(kcap_schema *s, const uint8_t *p, size_t n);
int kcap_meta_encode(const kcap_meta *m, uint16_t origin, kcap_buf *b);
int kcap_meta_decode(kcap_meta *m, uint16_t *origin, const uint8_t *p, size_t n);
int kcap_snapshot_encode(const kcap_snapshot *s, kcap_buf *b);
int kcap_snapshot_decode(kcap_snapshot *s, const uint8_t *p, size_t n);

/* A number unique to m's current content over the life of the process
 * (changes on every kcap_meta_set; never reused by another object), for
 * caches that must not be fooled by an address reused after a free. */
uint64_t kcap_meta_serial(const kcap_meta *m);

/* ---- JSON text (render.c) ---- */
/* Room kcap_json_str_to() needs for n bytes: each may become a 6-byte
 * escape, and short strings are stored as one 8-byte word. */
#define KCAP_JSON_STR_ROOM(n) (6 * (size_t)(n) + 16)
/* Writes s[0..n) as a quoted JSON string at o, which has room for
 * KCAP_JSON_STR_ROOM(n) bytes; returns the end. Invalid UTF-8 bytes become
 * \udcXX (surrogateescape), which json_in.c maps back. */
char *kcap_json_str_to(char *o, const char *s, size_t n);

/* What the fast paths derive from a schema type, computed once when the type
 * is added (schema.c): the JSON text that does not change from event to
 * event, and the type's role in process tracking. Both texts can be read
 * KCAP_FRAG_SLACK bytes past their end, so that copies of short ones need no
 * length-dependent memcpy. */
#define KCAP_FRAG_SLACK 32
typedef struct kcap_type_cache {
	const char *head;       /* ,"type":"NAME","category":"CAT" */
	uint32_t head_len;
	uint8_t has_toplevel;   /* some param has KCAP_PF_TOPLEVEL */
	uint8_t lifecycle;      /* kcap_lifecycle_kind() of the name */
	const char *keys;       /* "name": of every param, back to back */
	const uint32_t *key_end; /* end offset of param i's key in keys */
} kcap_type_cache;
/* The cache of def when s owns it (def came from s), else NULL. */
const kcap_type_cache *kcap_schema_type_cache(const kcap_schema *s, const kcap_type_def *def);

/* How an event type changes the process table (procstate.c). */
enum { KCAP_LC_NONE = 0, KCAP_LC_FORK, KCAP_LC_EXEC, KCAP_LC_CHDIR, KCAP_LC_EXIT, KCAP_LC_EXIT_GROUP };
int kcap_lifecycle_kind(const char *type_name);

/* A number unique to a symbol set over the life of the process, never 0;
 * set must come from a schema (kcap_schema_symset and friends). */
uint64_t kcap_symset_serial(const kcap_symset *set);

/* Deepest nesting of arrays and objects any JSON parser of kcap accepts. */
#define KCAP_JSON_MAX_DEPTH 128

/* 1 if [p, p+n) is one complete, valid JSON value (json_check.c). */
int kcap_json_text_valid(const uint8_t *p, size_t n);

/* ---- summaries ---- */
uint64_t kcap_pid_hash(int32_t pid);
int kcap_summary_decode(kcap_block_summary *s, const uint8_t *meta, size_t n);

#endif
