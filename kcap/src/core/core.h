/*
 * core/core.h - the core of libkcap (codec, schema, meta, reader, writer):
 * the on-disk constants of docs/FORMAT.md and the (de)serializers of the
 * context blocks. Includes nothing from query/.
 */
#ifndef KCAP_CORE_H
#define KCAP_CORE_H

#include "common/common.h"

/* ---- on-disk constants (docs/FORMAT.md) ---- */
#define KCAP_MAGIC "\x89KCP\r\n\x1a\n"
#define KCAP_MAGIC_LEN 8
#define KCAP_SECTION_HDR_LEN 16
/* Bytes 12..15 of a section header: CRC32C of bytes 0..11 (FORMAT.md
 * "Section header"); 0 in captures written before the check existed. */
static inline uint32_t kcap_section_check(const uint8_t *h) { return kcap_crc32c(0, h, 12); }
static const uint8_t kcap_sync[4] = {0xB5, 'k', 'B', 0x1A};
#define KCAP_BLOCK_HDR_LEN 20
#define KCAP_BLOCK_TRAILER_LEN 4
#define KCAP_BLOCK_OVERHEAD (KCAP_BLOCK_HDR_LEN + KCAP_BLOCK_TRAILER_LEN)
#define KCAP_PAYLOAD_PREFIX_LEN 8 /* u32 meta_len, u32 raw_body_len */
#define KCAP_MAX_PAYLOAD (1u << 30)
/* The largest body (raw_len) of any block: what a reader allocates for one
 * block is bounded by it, whatever a frame decompresses to. */
#define KCAP_MAX_BODY (1u << 28)
/* The most memory a reader gives the index it holds (the entries of all
 * sections, some 150 bytes an events block and its Bloom filter): an index
 * that would take more is not loaded, and the input is read in order
 * (FORMAT.md "When an index disagrees with its blocks"). */
#define KCAP_MAX_INDEX_MEM (64u << 20)
/* Bounds of a section's schema (FORMAT.md "Schema block"). */
#define KCAP_MAX_SCHEMA_TYPES 65536u
#define KCAP_MAX_SCHEMA_SETS 65536u
#define KCAP_MAX_SCHEMA_SYMS 65536u

enum {
	KCAP_BLK_META = 1,
	KCAP_BLK_SCHEMA = 2,
	KCAP_BLK_SNAPSHOT = 3,
	KCAP_BLK_EVENTS = 4,
	KCAP_BLK_STATS = 5,
	KCAP_BLK_INDEX = 6,
	KCAP_BLK_FOOTER = 7,
	KCAP_BLK_ORIGIN_SNAPSHOT = 8, /* format 1.1 */
	KCAP_BLK_SNAPSHOT_UPDATE = 9, /* format 1.2; not in the index's context list */
	KCAP_BLK_SEAL = 10,           /* format 1.3: signature over the blocks before it */
};
#define KCAP_OSNAP_META_LEN 2 /* u16 origin; later minors may append fields */

/* 1 for the block types this library knows (1..10). */
static inline int kcap_blk_known(unsigned type)
{
	return type >= KCAP_BLK_META && type <= KCAP_BLK_SEAL;
}
/* Block flags: bit 0 = a rewriting tool must copy this block even when it
 * does not know its type; bits 8..11 = body codec. */
#define KCAP_BF_COPY 0x0001u
/* Format 1.3, events blocks: the events were recovered from a block that
 * failed its CRC (kcap recover --ignore-crc): not proven to be as written. */
#define KCAP_BF_UNVERIFIED 0x0002u
#define KCAP_BF_CODEC_SHIFT 8
#define KCAP_BF_CODEC_MASK 0x0F00u

#define KCAP_FOOTER_BODY_LEN 48
#define KCAP_FOOTER_BLOCK_LEN (KCAP_BLOCK_OVERHEAD + KCAP_PAYLOAD_PREFIX_LEN + KCAP_FOOTER_BODY_LEN)
#define KCAP_FOOTER_ORDERED 1u

/* Events-block meta (fixed part), see FORMAT.md "Events block". */
#define KCAP_EVMETA_FIXED_LEN 104 /* the pid Bloom filter follows the 32-byte type set at 72 */

/* ---- schema/meta/snapshot/stats (de)serialization ---- */
int kcap_schema_encode(const kcap_schema *s, kcap_buf *b);
int kcap_schema_decode(kcap_schema *s, const uint8_t *p, size_t n);
/* Place of a type of a schema in the order its types were added (0, 1, ...). */
size_t kcap_schema_type_rank(const kcap_type_def *def);
int kcap_meta_encode(const kcap_meta *m, uint16_t origin, kcap_buf *b);
int kcap_meta_decode(kcap_meta *m, uint16_t *origin, const uint8_t *p, size_t n);
int kcap_snapshot_encode(const kcap_snapshot *s, kcap_buf *b);
int kcap_snapshot_decode(kcap_snapshot *s, const uint8_t *p, size_t n);

/* A snapshot (meta.c), laid out here so that the renderers see per event,
 * without a call, whether it names users or groups at all. Each name table
 * maps uid or gid -> name, sorted by id; an entry also holds the JSON member
 * the renderers copy (,"user":"NAME" or ,"group":"NAME"). */
typedef struct kcap_id_name {
	uint32_t id;
	uint32_t json_len;
	char *name;
	char *json;
} kcap_id_name;
typedef struct kcap_name_table {
	kcap_id_name *v;
	size_t n, cap;
} kcap_name_table;
struct kcap_snapshot {
	kcap_proc *procs;
	size_t n, cap;
	kcap_name_table names[KCAP_NAMES_KINDS_];
};
/* The entry of id in s's table of kind (s not NULL, kind valid), or NULL. */
const kcap_id_name *kcap_snapshot_name_entry(const kcap_snapshot *s, int kind, uint32_t id);

/* A number unique to m's current content over the life of the process
 * (changes on every kcap_meta_set; never reused by another object), for
 * caches that must not be fooled by an address reused after a free. */
uint64_t kcap_meta_serial(const kcap_meta *m);

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
	uint8_t audit_last;     /* the last param is JSON named "audit" (kcap__audit_param) */
	const char *keys;       /* "name": of every param, back to back */
	const uint32_t *key_end; /* end offset of param i's key in keys */
} kcap_type_cache;
/* The cache of def when s owns it (def came from s), else NULL. */
const kcap_type_cache *kcap_schema_type_cache(const kcap_schema *s, const kcap_type_def *def);

/* How an event type changes the process table (taxonomy.c; procstate.c
 * acts on it). */
enum { KCAP_LC_NONE = 0, KCAP_LC_FORK, KCAP_LC_EXEC, KCAP_LC_CHDIR, KCAP_LC_EXIT, KCAP_LC_EXIT_GROUP };
int kcap_lifecycle_kind(const char *type_name);

/* A number unique to a symbol set over the life of the process, never 0;
 * set must come from a schema (kcap_schema_symset and friends). */
uint64_t kcap_symset_serial(const kcap_symset *set);

/* open(2) of path with flags (O_CLOEXEC added, mode 0644 on creation):
 * the descriptor, or KCAP_E_IO with err set to what followed by the system's
 * reason (err->sys_errno too). */
int kcap_open_file(const char *path, int flags, const char *what, kcap_error *err);

/* ---- summaries ---- */
uint64_t kcap_pid_hash(int32_t pid);
int kcap_summary_decode(kcap_block_summary *s, const uint8_t *meta, size_t n);

#endif
