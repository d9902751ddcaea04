/* scap_import.c - the scap importer of the importer table (importer.h):
 * sysdig/Falco captures (.scap, plain or gzip'd: the input layer decodes)
 * into a capture writer.
 *
 * The file is a sequence of pcapng-shaped blocks (u32 type, u32 length,
 * body, u32 length). Context blocks become origin metadata (machine info),
 * the process snapshot (process list) and its user/group names (user
 * list); fd lists and the events seen so far give every fd its name, as
 * sysdig's fd.name. Events: an enter and the exit of the same thread that
 * follows are one kcap event stamped at the exit, as the eBPF recorder
 * writes it; types the taxonomy has go through the shared syscall map
 * (kcap_syscall_by_name, kcap_syscall_fill), every other as scap_NAME with
 * the event table's params (scap_events.h). docs/SCAP.md has the details. */
#ifndef KCAP_EXPERIMENTAL_API /* a build may define it already (the fuzz targets) */
#define KCAP_EXPERIMENTAL_API /* kcap_record_encode, kcap_writer_write_record */
#endif
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>

#include <kcap/syscall_map.h>
#include <kcap/taxonomy.h>

#include "importer.h"
#include "input/note.h"
#include "scap_events.h"
#include "scap_import.h"

extern const kcap_importer kcap_scap_importer;

/* ---- block types (scap_savefile.h facts) ---- */
#define B_SHB 0x0A0D0D0Au
#define B_MI 0x201u
#define B_MI_INT 0x8002ABCDu
#define B_PL_V1 0x202u
#define B_PL_V1_INT 0x8000ABCDu
#define B_PL_V2 0x207u
#define B_PL_V2_INT 0x8013ABCDu
#define B_PL_V3 0x209u
#define B_PL_V3_INT 0x8014ABCDu
#define B_PL_V4 0x210u
#define B_PL_V5 0x211u
#define B_PL_V6 0x212u
#define B_PL_V7 0x213u
#define B_PL_V8 0x214u
#define B_PL_V9 0x215u
#define B_FDL 0x203u
#define B_FDL_INT 0x8001ABCDu
#define B_FDL_V2 0x218u
#define B_EV 0x204u
#define B_EV_INT 0x8010ABCDu
#define B_EV_V2 0x216u
#define B_EV_V2_LARGE 0x221u
#define B_IL 0x205u
#define B_IL_INT 0x8011ABCDu
#define B_IL_V2 0x219u
#define B_UL 0x206u
#define B_UL_INT 0x8012ABCDu
#define B_UL_V2 0x220u
#define B_EVF 0x208u
#define B_EVF_V2 0x217u
#define B_EVF_V2_LARGE 0x222u
#define SHB_MAGIC 0x1A2B3C4Du
#define SHB_MAGIC_SWAPPED 0x4D3C2B1Au

#define MAX_BLOCK (256u << 20) /* a longer block is damage, not data */
#define MAX_SMALL_BLOCK (1u << 16) /* non-LARGE event blocks */
#define RESYNC_SCAN (64u << 20)    /* bytes searched for the next block after damage */
#define REORDER_NS 1000000000ll    /* out-of-order window: 1 s of capture time */
#define REORDER_MAX_HELD 65536

/* ---- small helpers ---- */
static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t rd32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t rd64(const uint8_t *p) { return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32; }

/* u64 -> pointer map, open addressing, backward-shift deletion */
typedef struct umap {
	uint64_t *keys;
	void **vals;
	size_t cap, n;
} umap;

static size_t umap_slot(uint64_t k, size_t cap)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdull;
	k ^= k >> 33;
	return (size_t)k & (cap - 1);
}

static void **umap_find(const umap *m, uint64_t k)
{
	if (!m->cap)
		return NULL;
	for (size_t i = umap_slot(k, m->cap);; i = (i + 1) & (m->cap - 1)) {
		if (!m->vals[i])
			return NULL;
		if (m->keys[i] == k)
			return &m->vals[i];
	}
}

static int umap_put(umap *m, uint64_t k, void *v)
{
	if ((m->n + 1) * 2 > m->cap) {
		size_t nc = m->cap ? m->cap * 2 : 256;
		umap nm = {calloc(nc, sizeof(uint64_t)), calloc(nc, sizeof(void *)), nc, 0};
		if (!nm.keys || !nm.vals) {
			free(nm.keys);
			free(nm.vals);
			return KCAP_E_NOMEM;
		}
		for (size_t i = 0; i < m->cap; i++)
			if (m->vals[i])
				umap_put(&nm, m->keys[i], m->vals[i]);
		free(m->keys);
		free(m->vals);
		*m = nm;
	}
	size_t i = umap_slot(k, m->cap);
	while (m->vals[i] && m->keys[i] != k)
		i = (i + 1) & (m->cap - 1);
	if (!m->vals[i])
		m->n++;
	m->keys[i] = k;
	m->vals[i] = v;
	return 0;
}

/* Removes k; returns its value or NULL. */
static void *umap_del(umap *m, uint64_t k)
{
	void **slot = umap_find(m, k);
	if (!slot)
		return NULL;
	void *v = *slot;
	size_t i = (size_t)(slot - m->vals);
	for (size_t j = (i + 1) & (m->cap - 1); m->vals[j]; j = (j + 1) & (m->cap - 1)) {
		size_t h = umap_slot(m->keys[j], m->cap);
		/* may the entry at j move to i? (its home h is not in (i, j]) */
		if ((j > i && (h <= i || h > j)) || (j < i && h <= i && h > j)) {
			m->keys[i] = m->keys[j];
			m->vals[i] = m->vals[j];
			i = j;
		}
	}
	m->vals[i] = NULL;
	m->n--;
	return v;
}

static void umap_free(umap *m, void (*fr)(void *))
{
	for (size_t i = 0; i < m->cap; i++)
		if (m->vals[i] && fr)
			fr(m->vals[i]);
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof *m);
}

static char *dupn(const void *p, size_t n)
{
	char *s = malloc(n + 1);
	if (s) {
		memcpy(s, p, n);
		s[n] = 0;
	}
	return s;
}

/* ---- state: threads and fds ---- */
typedef struct thr {
	int64_t tid, pid, ptid;
	uint32_t uid, gid;
	char comm[32];
	char *exe, *cwd, *container;
	uint8_t *args; /* NUL-separated, without argv[0] */
	uint32_t args_len;
	/* the pending enter: its raw event (header and params), or len 0 */
	uint8_t *pend;
	uint32_t pend_len, pend_cap;
	uint8_t pend_v1;
	uint16_t pend_cpu;
	int32_t maxfd; /* a leader's highest fd named, -1 none: its fds go when it exits */
} thr;

static void thr_free(void *p)
{
	thr *t = p;
	free(t->exe);
	free(t->cwd);
	free(t->container);
	free(t->args);
	free(t->pend);
	free(t);
}

static uint64_t fd_key(int64_t pid, int64_t fd) { return (uint64_t)(uint32_t)pid << 32 | (uint32_t)fd; }

#define PIDX_CACHE 64 /* a power of two */
/* what the importer does with a code besides writing it */
enum { K_OTHER, K_CLONE, K_EXEC, K_PIPE, K_CHDIR, K_CONNECT, K_CLOSE, K_PROCEXIT, K_CONTAINER, K_DROP };

static uint8_t kind_of(const char *n)
{
	static const struct { const char *n; uint8_t k; } K[] = {
		{"clone", K_CLONE}, {"fork", K_CLONE}, {"vfork", K_CLONE}, {"clone3", K_CLONE},
		{"execve", K_EXEC}, {"execveat", K_EXEC}, {"pipe", K_PIPE}, {"pipe2", K_PIPE},
		{"socketpair", K_PIPE}, {"chdir", K_CHDIR}, {"fchdir", K_CHDIR}, {"connect", K_CONNECT},
		{"close", K_CLOSE}, {"procexit", K_PROCEXIT}, {"container", K_CONTAINER}, {"drop", K_DROP},
	};
	for (size_t i = 0; i < sizeof K / sizeof K[0]; i++)
		if (strcmp(K[i].n, n) == 0)
			return K[i].k;
	return K_OTHER;
}

struct pidx_cache {
	const char *name[PIDX_CACHE];
	int8_t idx[PIDX_CACHE];
};

/* ---- one decoded event ---- */
#define MAXP 64
typedef struct sev {
	int64_t ts;
	int64_t tid;
	uint16_t type, cpu;
	uint32_t np;
	const scap_event_info *info;
	struct pidx_cache *pc; /* the import's, per code */
	const uint8_t *v[MAXP];
	uint32_t len[MAXP];
} sev;

/* ---- kcap types of scap names ---- */
#define SCAP_TYPE_BASE 1024u /* scap_NAME ids: base + name index */
typedef struct ntype {
	const char *name;       /* scap name */
	kcap_type_def def;      /* scap_NAME */
	kcap_param_def *params;
	uint8_t *src_type;      /* scap PT of each param (newest version) */
	int added;              /* in the writer's schema */
	const kcap_syscall *sys; /* the taxonomy row, or NULL */
	int k_returned;          /* param "returned" (types of calls with an exit), or -1 */
	const kcap_type_def *sysdef; /* its type (kcap_taxonomy_type), looked up once */
	int sysdef_set;
	char kname[48];
} ntype;

/* Where each param of a written type comes from, for one shape of pair
 * (the enter's and the exit's codes and param counts): the candidates of
 * the alias lists in order (w: 0 the enter, 1 the exit; i: the scap param),
 * worked out once by name instead of per event. */
#define PLAN_CANDS 7
typedef struct plan_src {
	uint8_t w;
	int8_t i;
} plan_src;
typedef struct plan {
	const kcap_type_def *def;
	int en_code, ex_code; /* -1: none */
	uint32_t en_np, ex_np;
	uint8_t ncand[KCAP_MAX_PARAMS];
	uint8_t fdname[KCAP_MAX_PARAMS]; /* scap_NAME's fd_name: cand 0 is the fd */
	plan_src cand[KCAP_MAX_PARAMS][PLAN_CANDS];
	plan_src fd; /* "fd" (find_src), i -1 when none */
} plan;

struct kcap_scap_import {
	const kcap_import_ctx *c;
	const char *name;
	/* input */
	int fd;
	uint8_t *buf;
	size_t pos, end, cap;
	uint64_t base; /* file offset of buf[0] */
	int eof;
	/* types */
	ntype *types;
	size_t ntypes;
	uint16_t code_type[SCAP_EVENT_MAX]; /* index into types + 1 */
	uint8_t kind[SCAP_EVENT_MAX];       /* K_* */
	uint8_t pairs[SCAP_EVENT_MAX];      /* scap_event_pairs() */
	struct pidx_cache *pcache;          /* SCAP_EVENT_MAX of them */
	plan *plans[SCAP_EVENT_MAX];        /* by the code of the exit (or the lone enter) */
	int8_t tax_ret[KCAP_EV_MAX_ + 1], tax_flags[KCAP_EV_MAX_ + 1]; /* param index + 2, 0 unknown */
	const char *const *tax_alias[KCAP_EV_MAX_ + 1][16];          /* aliases() of each param, cached */
	uint8_t tax_alias_set[KCAP_EV_MAX_ + 1][16];
	int16_t gen_type[SCAP_SYSCALL_ID_MAX + 1];                    /* types index + 1, -1 none, 0 unknown */
	kcap_schema *schema;
	int schema_dirty;
	/* context */
	kcap_meta *meta;
	int origin;  /* -1 before it is written */
	kcap_snapshot *snap;
	int snap_dirty;
	umap threads; /* tid -> thr */
	thr *tcache;  /* the thread last looked up (most events come in runs of one thread) */
	umap fds;     /* (pid, fd) -> char* name */
	/* output */
	kcap_reorder *q;
	kcap_reorder_out out; /* out.unordered is st.unordered */
	kcap_value P[KCAP_MAX_PARAMS + 8];
	kcap_buf rec;       /* the record of the event being held */
	uint8_t *scratch;   /* argv and strings built per event */
	size_t scratch_len, scratch_cap;
	char tuple_buf[4][200];
	/* drops per cpu */
	uint64_t drops[1024];
	int drops_seen;
	kcap_scap_stats st;
	int damaged;
};

#define NOTE(r, ...) kcap_notef((r)->c->note, (r)->c->note_ud, __VA_ARGS__)

const kcap_scap_stats *kcap_scap_import_stats(const kcap_scap_import *r) { return &r->st; }

/* ---- input buffer ---- */
/* Makes n bytes from pos available; returns 1, 0 at EOF before them, or a
 * negative error. Grows only as data arrives, so a hostile length costs
 * nothing until its bytes are there. */
static int need(kcap_scap_import *r, size_t n)
{
	while (r->end - r->pos < n) {
		if (r->eof)
			return 0;
		if (r->pos > 0 && (r->pos > r->cap / 2 || r->end == r->pos)) {
			memmove(r->buf, r->buf + r->pos, r->end - r->pos);
			r->base += r->pos;
			r->end -= r->pos;
			r->pos = 0;
		}
		if (r->end == r->cap) {
			size_t nc = r->cap ? r->cap * 2 : (1u << 20);
			uint8_t *nb = realloc(r->buf, nc);
			if (!nb)
				return KCAP_E_NOMEM;
			r->buf = nb;
			r->cap = nc;
		}
		ssize_t got = read(r->fd, r->buf + r->end, r->cap - r->end);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			return KCAP_E_IO;
		}
		if (got == 0)
			r->eof = 1;
		r->end += (size_t)got;
	}
	return 1;
}

/* A damaged region at off over skipped bytes (0: not known). */
static void damage_over(kcap_scap_import *r, uint64_t off, uint64_t skipped, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void damage_over(kcap_scap_import *r, uint64_t off, uint64_t skipped, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	r->st.damaged++;
	r->damaged = 1;
	if (r->st.damaged <= KCAP_IMPORT_LINE_ERRORS)
		kcap_import_damage(r->c, r->name, off, skipped, msg);
}
#define damage(r, off, ...) damage_over(r, off, 0, __VA_ARGS__)

/* ---- types ---- */
static uint8_t kcap_type_of(uint8_t pt, const char *name)
{
	switch (pt) {
	case SCAP_PT_INT8: return KCAP_T_I8;
	case SCAP_PT_INT16: return KCAP_T_I16;
	case SCAP_PT_INT32: return KCAP_T_I32;
	case SCAP_PT_INT64: return KCAP_T_I64;
	case SCAP_PT_UINT8: case SCAP_PT_FLAGS8: case SCAP_PT_ENUMFLAGS8: case SCAP_PT_SIGTYPE:
	case SCAP_PT_L4PROTO: case SCAP_PT_SOCKFAMILY:
		return KCAP_T_U8;
	case SCAP_PT_UINT16: case SCAP_PT_FLAGS16: case SCAP_PT_ENUMFLAGS16: case SCAP_PT_PORT:
	case SCAP_PT_SYSCALLID:
		return KCAP_T_U16;
	case SCAP_PT_UINT32: case SCAP_PT_FLAGS32: case SCAP_PT_ENUMFLAGS32: case SCAP_PT_SIGSET:
		return KCAP_T_U32;
	case SCAP_PT_UINT64: case SCAP_PT_DOUBLE: return KCAP_T_U64;
	case SCAP_PT_CHARBUF: return KCAP_T_STR;
	case SCAP_PT_ERRNO: return strcmp(name, "res") == 0 ? KCAP_T_RET : KCAP_T_I64;
	case SCAP_PT_SOCKADDR: return KCAP_T_SOCKADDR;
	case SCAP_PT_SOCKTUPLE: return KCAP_T_STR;
	case SCAP_PT_FD: case SCAP_PT_FD32: return KCAP_T_FD;
	case SCAP_PT_PID: case SCAP_PT_PID32: return KCAP_T_PID;
	case SCAP_PT_FSPATH: case SCAP_PT_FSRELPATH: return KCAP_T_PATH;
	case SCAP_PT_RELTIME: return KCAP_T_DURATION;
	case SCAP_PT_ABSTIME: return KCAP_T_TIMESTAMP;
	case SCAP_PT_BOOL: return KCAP_T_BOOL;
	case SCAP_PT_IPV4ADDR: return KCAP_T_IPV4;
	case SCAP_PT_IPV6ADDR: return KCAP_T_IPV6;
	case SCAP_PT_UID: return KCAP_T_UID;
	case SCAP_PT_GID: return KCAP_T_GID;
	case SCAP_PT_MODE: return KCAP_T_MODE;
	default: return KCAP_T_BYTES;
	}
}

static int has_param(const kcap_param_def *ps, uint32_t n, const char *name)
{
	for (uint32_t i = 0; i < n; i++)
		if (strcmp(ps[i].name, name) == 0)
			return 1;
	return 0;
}

/* One ntype per scap name: params are the union, by name, of every version's
 * enter and exit params (newest first), plus fd_name for events on fds. */
static int build_types(kcap_scap_import *r)
{
	r->types = calloc(SCAP_EVENT_MAX, sizeof *r->types);
	if (!r->types)
		return KCAP_E_NOMEM;
	for (unsigned c = 0; c < SCAP_EVENT_MAX; c++) {
		const scap_event_info *e = scap_event_get(c);
		if (e->flags & SCAP_EF_UNUSED)
			continue;
		size_t k;
		for (k = 0; k < r->ntypes; k++)
			if (strcmp(r->types[k].name, e->name) == 0)
				break;
		if (k == r->ntypes) {
			ntype *t = &r->types[r->ntypes++];
			t->name = e->name;
			snprintf(t->kname, sizeof t->kname, "scap_%s", e->name);
			t->def.id = SCAP_TYPE_BASE + (uint32_t)k;
			t->def.name = t->kname;
			t->def.category = "scap";
			t->params = calloc(KCAP_MAX_PARAMS, sizeof *t->params);
			t->src_type = calloc(KCAP_MAX_PARAMS, 1);
			if (!t->params || !t->src_type)
				return KCAP_E_NOMEM;
			t->def.params = t->params;
			const char *n = e->name;
			if (strcmp(n, "pread") == 0)
				n = "pread64";
			else if (strcmp(n, "pwrite") == 0)
				n = "pwrite64";
			if (e->source & SCAP_SRC_SYSCALL)
				t->sys = kcap_syscall_by_name(n);
			if (strcmp(e->name, "procexit") == 0)
				t->sys = kcap_syscall_by_type(KCAP_EV_EXIT_GROUP);
		}
		r->code_type[c] = (uint16_t)(k + 1);
		r->kind[c] = kind_of(e->name);
		r->pairs[c] = (uint8_t)scap_event_pairs(e);
	}
	/* params, newest versions first */
	for (int c = SCAP_EVENT_MAX - 1; c >= 0; c--) {
		if (!r->code_type[c])
			continue;
		ntype *t = &r->types[r->code_type[c] - 1];
		const scap_event_info *e = scap_event_get((unsigned)c);
		for (unsigned i = 0; i < e->nparams && t->def.nparams < KCAP_MAX_PARAMS - 1; i++) {
			if (has_param(t->params, t->def.nparams, e->params[i].name))
				continue;
			t->params[t->def.nparams].name = e->params[i].name;
			t->params[t->def.nparams].type = kcap_type_of(e->params[i].type, e->params[i].name);
			t->src_type[t->def.nparams] = e->params[i].type;
			t->def.nparams++;
		}
		if ((e->flags & (SCAP_EF_USES_FD | SCAP_EF_CREATES_FD)) && !has_param(t->params, t->def.nparams, "fd_name") &&
		    t->def.nparams < KCAP_MAX_PARAMS) {
			t->params[t->def.nparams].name = "fd_name";
			t->params[t->def.nparams].type = KCAP_T_STR;
			t->def.nparams++;
		}
	}
	/* returned: 1 when the exit was seen, 0 for an enter whose exit never
	 * came (the export writes that enter alone) */
	for (size_t k = 0; k < r->ntypes; k++)
		r->types[k].k_returned = -1;
	for (unsigned c = 0; c < SCAP_EVENT_MAX; c++) {
		if (!r->code_type[c] || !r->pairs[c] || scap_event_get(c)->dir != '>')
			continue;
		ntype *t = &r->types[r->code_type[c] - 1];
		if (t->k_returned < 0 && t->def.nparams < KCAP_MAX_PARAMS) {
			t->k_returned = (int)t->def.nparams;
			t->params[t->def.nparams].name = "returned";
			t->params[t->def.nparams].type = KCAP_T_BOOL;
			t->def.nparams++;
		}
	}
	return 0;
}

static int ensure_type(kcap_scap_import *r, const kcap_type_def *def)
{
	if (kcap_schema_type(r->schema, def->id))
		return 0;
	int rc = kcap_schema_add_type(r->schema, def);
	if (rc < 0)
		return rc;
	return kcap_writer_set_schema(r->c->w, r->schema);
}

/* ---- context blocks ---- */
static int write_context(kcap_scap_import *r)
{
	int rc;
	if (r->origin < 0) {
		if (!kcap_meta_get(r->meta, KCAP_META_SOURCE))
			kcap_meta_set(r->meta, KCAP_META_SOURCE, "scap");
		rc = kcap_writer_add_meta(r->c->w, r->meta);
		if (rc < 0)
			return rc;
		r->origin = rc;
	}
	if (r->snap_dirty) {
		r->snap_dirty = 0;
		rc = kcap_writer_add_snapshot(r->c->w, r->snap);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static void machine_info(kcap_scap_import *r, const uint8_t *b, size_t n)
{
	if (n < 4 + 8 + 8 + 128 + 8) {
		damage(r, r->base + r->pos, "machine info block too short (%zu bytes)", n);
		return;
	}
	char tmp[160];
	snprintf(tmp, sizeof tmp, "%u", rd32(b));
	kcap_meta_set(r->meta, "cpus", tmp);
	snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)rd64(b + 4));
	kcap_meta_set(r->meta, "memory_bytes", tmp);
	char host[129];
	memcpy(host, b + 20, 128);
	host[128] = 0;
	kcap_meta_set(r->meta, KCAP_META_HOSTNAME, host);
	uint64_t boot = rd64(b + 148);
	if (boot) {
		snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)boot);
		kcap_meta_set(r->meta, "boot_time", tmp);
	}
	kcap_meta_set(r->meta, KCAP_META_OS, "Linux");
}

/* A u16-length string at *p within end; returns 0 when it does not fit. */
static int lstr(const uint8_t **p, const uint8_t *end, const uint8_t **s, uint16_t *l)
{
	if (end - *p < 2)
		return 0;
	*l = rd16(*p);
	if ((size_t)(end - *p - 2) < *l)
		return 0;
	*s = *p + 2;
	*p += 2 + *l;
	return 1;
}

/* A user or group name of the user list into the snapshot (kind
 * KCAP_NAMES_*); a name too long for the tables is left out. */
static void set_name(kcap_scap_import *r, int kind, uint32_t id, const uint8_t *s, uint16_t l)
{
	char name[KCAP_NAME_MAX];
	if (l < sizeof name) {
		memcpy(name, s, l);
		name[l] = 0;
		kcap_snapshot_set_name(r->snap, kind, id, name);
	}
}

static void user_list(kcap_scap_import *r, uint32_t bt, const uint8_t *b, size_t n, uint64_t off)
{
	const uint8_t *p = b, *end = b + n;
	while (end - p >= 1) {
		const uint8_t *e_end = end;
		if (bt == B_UL_V2) {
			if (end - p < 4)
				break;
			uint32_t l = rd32(p);
			if (l < 5 || l > (size_t)(end - p)) {
				if (end - p >= 8)
					damage(r, off + (uint64_t)(p - b), "user list entry length %u past its block", l);
				return;
			}
			e_end = p + l;
			p += 4;
		}
		uint8_t kind = *p++;
		const uint8_t *s;
		uint16_t l;
		if (kind == 0) { /* user */
			if (e_end - p < 8)
				break;
			uint32_t uid = rd32(p), gid = rd32(p + 4);
			(void)gid;
			p += 8;
			if (!lstr(&p, e_end, &s, &l))
				break;
			set_name(r, KCAP_NAMES_USER, uid, s, l);
			const uint8_t *tmp;
			if (!lstr(&p, e_end, &tmp, &l) || !lstr(&p, e_end, &tmp, &l)) /* home, shell */
				break;
			r->st.users++;
		} else if (kind == 1) { /* group */
			if (e_end - p < 4)
				break;
			uint32_t gid = rd32(p);
			p += 4;
			if (!lstr(&p, e_end, &s, &l))
				break;
			set_name(r, KCAP_NAMES_GROUP, gid, s, l);
			r->st.groups++;
		} else {
			if (bt != B_UL_V2) /* padding, or an unknown kind without a length */
				return;
		}
		if (bt == B_UL_V2)
			p = e_end;
	}
	r->snap_dirty = 1;
}

static thr *thread_get(kcap_scap_import *r, int64_t tid, int create)
{
	if (r->tcache && r->tcache->tid == tid)
		return r->tcache;
	void **slot = umap_find(&r->threads, (uint64_t)tid);
	if (slot)
		return r->tcache = *slot;
	if (!create)
		return NULL;
	thr *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->tid = tid;
	t->pid = tid;
	t->ptid = -1;
	t->maxfd = -1;
	if (umap_put(&r->threads, (uint64_t)tid, t) < 0) {
		free(t);
		return NULL;
	}
	return r->tcache = t;
}

static void set_str(char **dst, const uint8_t *s, size_t l)
{
	while (l && s[l - 1] == 0)
		l--;
	char *n = dupn(s, l);
	if (n) {
		free(*dst);
		*dst = n;
	}
}

static void set_args(thr *t, const uint8_t *s, size_t l)
{
	uint8_t *n = malloc(l + 1);
	if (!n)
		return;
	memcpy(n, s, l);
	if (l && s[l - 1] != 0)
		n[l++] = 0;
	free(t->args);
	t->args = n;
	t->args_len = (uint32_t)l;
}

static void snapshot_add(kcap_scap_import *r, const thr *t)
{
	if (t->tid != t->pid)
		return;
	size_t el = t->exe ? strlen(t->exe) : 0;
	uint8_t *cmd = malloc(el + 1 + t->args_len);
	if (!cmd)
		return;
	memcpy(cmd, t->exe ? t->exe : "", el + 1);
	if (t->args_len)
		memcpy(cmd + el + 1, t->args, t->args_len);
	kcap_proc p = {.pid = (int32_t)t->pid, .ppid = (int32_t)t->ptid, .uid = t->uid, .gid = t->gid,
		       .comm = t->comm, .exe = t->exe ? t->exe : "", .cwd = t->cwd ? t->cwd : "",
		       .cmdline = (const char *)cmd, .cmdline_len = (uint32_t)(el + 1 + t->args_len)};
	kcap_snapshot_add(r->snap, &p);
	free(cmd);
	r->snap_dirty = 1;
}

static int pl_version(uint32_t bt)
{
	switch (bt) {
	case B_PL_V1: case B_PL_V1_INT: return 1;
	case B_PL_V2: case B_PL_V2_INT: return 2;
	case B_PL_V3: case B_PL_V3_INT: return 3;
	case B_PL_V4: return 4;
	case B_PL_V5: return 5;
	case B_PL_V6: return 6;
	case B_PL_V7: return 7;
	case B_PL_V8: return 8;
	case B_PL_V9: return 9;
	default: return 0;
	}
}

static void proc_list(kcap_scap_import *r, uint32_t bt, const uint8_t *b, size_t n, uint64_t off)
{
	int v = pl_version(bt);
	const uint8_t *p = b, *end = b + n;
	while (end - p >= 4) {
		const uint8_t *start = p, *e_end = end;
		if (v == 9) {
			uint32_t l = rd32(p);
			if (l < 4 || l > (size_t)(end - p)) {
				if (l != 0)
					damage(r, off + (uint64_t)(p - b), "process list entry length %u past its block", l);
				return;
			}
			e_end = p + l;
			p += 4;
		}
#define NEED(k) do { if ((size_t)(e_end - p) < (size_t)(k)) goto bad; } while (0)
		NEED(24);
		int64_t tid = (int64_t)rd64(p), pid = (int64_t)rd64(p + 8), ptid = (int64_t)rd64(p + 16);
		p += 24;
		if (v >= 6) { NEED(8); p += 8; } /* sid */
		if (v >= 8) { NEED(8); p += 8; } /* vpgid */
		const uint8_t *comm, *exe, *exepath = NULL, *args, *cwd, *s;
		uint16_t lcomm, lexe, lexepath = 0, largs, lcwd, l;
		if (!lstr(&p, e_end, &comm, &lcomm) || !lstr(&p, e_end, &exe, &lexe))
			goto bad;
		if (v >= 7 && !lstr(&p, e_end, &exepath, &lexepath))
			goto bad;
		if (!lstr(&p, e_end, &args, &largs) || !lstr(&p, e_end, &cwd, &lcwd))
			goto bad;
		NEED(8 + 4 + 4 + 4);
		p += 8 + 4; /* fdlimit, flags */
		uint32_t uid = rd32(p), gid = rd32(p + 4);
		p += 8;
		if (v >= 2) { NEED(4 * 3 + 16); p += 28; }
		if (v >= 3 && !lstr(&p, e_end, &s, &l)) goto bad; /* env */
		if (v >= 4) {
			NEED(16);
			p += 16;
			if (!lstr(&p, e_end, &s, &l)) goto bad; /* cgroups */
		}
		if (v >= 5 && !lstr(&p, e_end, &s, &l)) goto bad; /* root */
		thr *t = thread_get(r, tid, 1);
		if (!t)
			return;
		t->pid = pid;
		t->ptid = ptid;
		t->uid = uid;
		t->gid = gid;
		size_t cl = lcomm < sizeof t->comm ? lcomm : sizeof t->comm - 1;
		memcpy(t->comm, comm, cl);
		t->comm[cl] = 0;
		set_str(&t->exe, exe, lexe);
		(void)exepath;
		(void)lexepath;
		set_args(t, args, largs);
		set_str(&t->cwd, cwd, lcwd);
		snapshot_add(r, t);
		r->st.threads++;
		p = v == 9 ? e_end : p;
		continue;
	bad:
		/* V1..V8 have no entry lengths: trailing padding ends the list */
		if (v == 9 || end - start >= 32)
			damage(r, off + (uint64_t)(start - b), "process list entry cut short");
		return;
#undef NEED
	}
}

static void fd_set_name(kcap_scap_import *r, int64_t pid, int64_t fd, char *name)
{
	if (!name)
		return;
	void **slot = umap_find(&r->fds, fd_key(pid, fd));
	if (slot) {
		free(*slot);
		*slot = name;
		return;
	}
	if (umap_put(&r->fds, fd_key(pid, fd), name) < 0) {
		free(name);
		return;
	}
	thr *l = thread_get(r, pid, 0);
	if (l && fd > l->maxfd)
		l->maxfd = fd < INT32_MAX ? (int32_t)fd : INT32_MAX;
}

/* MAX_FDS_FORGOTTEN: the fds of a leader that exits are forgotten by
 * number up to this; a higher one keeps its names (as before, harmless:
 * the table only grows). */
#define MAX_FDS_FORGOTTEN 4096

/* A process went away (its leader's procexit): its fds with it, as sysdig
 * drops the fd table of an exited process; also keeps the table small. */
static void fds_forget(kcap_scap_import *r, const thr *l)
{
	if (l->tid != l->pid || l->maxfd < 0 || l->maxfd > MAX_FDS_FORGOTTEN)
		return;
	for (int32_t fd = 0; fd <= l->maxfd; fd++)
		free(umap_del(&r->fds, fd_key(l->pid, fd)));
}

/* The decimal digits of v at o; returns their count. */
static size_t put_dec(char *o, unsigned v)
{
	char t[12];
	size_t k = 0, n = 0;
	do
		t[k++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	while (k)
		o[n++] = t[--k];
	return n;
}

/* "a.b.c.d:port" (n >= 22 bytes: every caller's buffer has 80) */
static char *fmt_ip4(char *o, size_t n, const uint8_t *a, uint16_t port)
{
	char *q = o;
	(void)n;
	for (int i = 0; i < 4; i++) {
		q += put_dec(q, a[i]);
		*q++ = i < 3 ? '.' : ':';
	}
	q += put_dec(q, port);
	*q = 0;
	return o;
}

static char *fmt_ip6(char *o, size_t n, const uint8_t *a, uint16_t port)
{
	/* sysdig prints IPv4-mapped v6 as dotted quad */
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	if (memcmp(a, mapped, 12) == 0)
		return fmt_ip4(o, n, a + 12, port);
	/* every group in hex without leading zeros, no "::" (n >= 46: every
	 * caller's buffer has 80) */
	static const char hex[] = "0123456789abcdef";
	char *q = o;
	(void)n;
	for (int i = 0; i < 16; i += 2) {
		unsigned g = (unsigned)a[i] << 8 | a[i + 1];
		if (i)
			*q++ = ':';
		int started = 0;
		for (int sh = 12; sh >= 0; sh -= 4) {
			unsigned d = g >> sh & 15;
			if (d || started || sh == 0) {
				*q++ = hex[d];
				started = 1;
			}
		}
	}
	*q++ = ':';
	q += put_dec(q, port);
	*q = 0;
	return o;
}

static void fd_list(kcap_scap_import *r, uint32_t bt, const uint8_t *b, size_t n, uint64_t off)
{
	if (n < 8)
		return;
	int64_t tid = (int64_t)rd64(b);
	thr *t = thread_get(r, tid, 0);
	int64_t pid = t ? t->pid : tid;
	const uint8_t *p = b + 8, *end = b + n;
	while (end - p >= 17) {
		const uint8_t *e_end = end, *start = p;
		if (bt == B_FDL_V2) {
			uint32_t l = rd32(p);
			if (l < 21 || l > (size_t)(end - p)) {
				if (l)
					damage(r, off + (uint64_t)(p - b), "fd list entry length %u past its block", l);
				return;
			}
			e_end = p + l;
			p += 4;
		}
		int64_t fd = (int64_t)rd64(p);
		uint8_t type = p[16];
		p += 17;
		char tmp[256], a[80], c[80];
		const uint8_t *s;
		uint16_t l;
		char *name = NULL;
		switch (type) {
		case 3: /* IPv4 socket */
			if (e_end - p < 13) goto bad;
			snprintf(tmp, sizeof tmp, "%s->%s", fmt_ip4(a, sizeof a, p, rd16(p + 8)), fmt_ip4(c, sizeof c, p + 4, rd16(p + 10)));
			name = dupn(tmp, strlen(tmp));
			p += 13;
			break;
		case 5: /* IPv4 server socket */
			if (e_end - p < 7) goto bad;
			fmt_ip4(tmp, sizeof tmp, p, rd16(p + 4));
			name = dupn(tmp, strlen(tmp));
			p += 7;
			break;
		case 4:
			if (e_end - p < 37) goto bad;
			snprintf(tmp, sizeof tmp, "%s->%s", fmt_ip6(a, sizeof a, p, rd16(p + 32)), fmt_ip6(c, sizeof c, p + 16, rd16(p + 34)));
			name = dupn(tmp, strlen(tmp));
			p += 37;
			break;
		case 6:
			if (e_end - p < 19) goto bad;
			fmt_ip6(tmp, sizeof tmp, p, rd16(p + 16));
			name = dupn(tmp, strlen(tmp));
			p += 19;
			break;
		case 8: /* unix: two endpoints, path */
			if (e_end - p < 16) goto bad;
			p += 16;
			if (!lstr(&p, e_end, &s, &l)) goto bad;
			name = dupn(s, l);
			break;
		case 16: /* FILE_V2: open flags, path[, dev] */
			if (e_end - p < 4) goto bad;
			p += 4;
			if (!lstr(&p, e_end, &s, &l)) goto bad;
			name = dupn(s, l);
			break;
		case 0:
			name = dupn("", 0);
			break;
		default:
			if (type > 21)
				break;
			if (!lstr(&p, e_end, &s, &l)) goto bad;
			name = dupn(s, l);
			break;
		}
		fd_set_name(r, pid, fd, name);
		r->st.fds++;
		if (bt == B_FDL_V2)
			p = e_end;
		else if (type > 21)
			return; /* v1: an unknown type has no length to skip by */
		continue;
	bad:
		damage(r, off + (uint64_t)(start - b), "fd list entry cut short");
		return;
	}
}

/* ---- events ---- */
/* Decodes the event at p (n bytes, within its block) into e. v1: the
 * header has no nparams; the table's count is tried downward until the
 * lengths add up. Returns 1, 0 for an unknown code (skipped), -1 malformed. */
static int decode_event(kcap_scap_import *r, const uint8_t *p, size_t n, int v1, sev *e)
{
	/* every field a caller reads is set here (the callers do not clear e:
	 * its arrays are 768 bytes) */
	e->pc = r->pcache;
	e->np = 0;
	e->cpu = 0;
	size_t hl = v1 ? 22 : 26;
	if (n < hl)
		return -1;
	e->ts = (int64_t)rd64(p);
	e->tid = (int64_t)rd64(p + 8);
	uint32_t len = rd32(p + 16);
	e->type = rd16(p + 20);
	if (len < hl || len > n)
		return -1;
	e->info = scap_event_get(e->type);
	if (!e->info || (e->info->flags & SCAP_EF_UNUSED))
		return 0;
	unsigned lsz = (e->info->flags & SCAP_EF_LARGE_PAYLOAD) ? 4 : 2;
	uint32_t np;
	if (!v1) {
		np = rd32(p + 22);
		if (np > MAXP || (size_t)np * lsz > len - hl)
			return -1;
	} else {
		/* try the table's count downward */
		np = e->info->nparams;
		for (;; np--) {
			if ((size_t)np * lsz <= len - hl) {
				uint64_t sum = 0;
				for (uint32_t i = 0; i < np; i++)
					sum += lsz == 2 ? rd16(p + hl + 2 * i) : rd32(p + hl + 4 * i);
				if (hl + (uint64_t)np * lsz + sum == len)
					break;
			}
			if (np == 0)
				return -1;
		}
	}
	const uint8_t *lens = p + hl, *val = lens + (size_t)np * lsz, *end = p + len;
	for (uint32_t i = 0; i < np; i++) {
		uint32_t l = lsz == 2 ? rd16(lens + 2 * i) : rd32(lens + 4 * i);
		if (l > (size_t)(end - val))
			return -1;
		if (i < MAXP) {
			e->v[i] = val;
			e->len[i] = l;
		}
		val += l;
	}
	e->np = np;
	return 1;
}

/* The index of param NAME of e's type, or -1. Names are the literals of
 * this file, so each code remembers where it found them by their address
 * (a miss, or another string of the same text, costs one strcmp walk). */

static int pidx(const sev *e, const char *name)
{
	if (!e)
		return -1;
	struct pidx_cache *pc = &e->pc[e->info->code];
	/* direct-mapped by the literal's address, two probes */
	uintptr_t h = (uintptr_t)name * (uintptr_t)0x9E3779B97F4A7C15ull;
	unsigned k = (unsigned)(h >> (sizeof h * 8 - 6)) & (PIDX_CACHE - 1), k2 = (k + 1) & (PIDX_CACHE - 1);
	int idx;
	if (pc->name[k] == name)
		idx = pc->idx[k];
	else if (pc->name[k2] == name)
		idx = pc->idx[k2];
	else {
		idx = -1;
		for (uint32_t i = 0; i < e->info->nparams; i++)
			if (strcmp(e->info->params[i].name, name) == 0) {
				idx = (int)i;
				break;
			}
		unsigned at = !pc->name[k] || pc->name[k2] ? k : k2;
		pc->name[at] = name;
		pc->idx[at] = (int8_t)idx;
	}
	return idx >= 0 && (uint32_t)idx < e->np ? idx : -1;
}

/* Integer value of param i (by its scap type), sign-extended. */
static int pint(const sev *e, int i, int64_t *out)
{
	if (i < 0 || (uint32_t)i >= e->np)
		return 0;
	int sz = scap_pt_size(e->info->params[i].type);
	uint32_t l = e->len[i];
	if (sz <= 0 || l != (uint32_t)sz)
		return 0;
	const uint8_t *p = e->v[i];
	uint8_t t = e->info->params[i].type;
	int sgn = t == SCAP_PT_INT8 || t == SCAP_PT_INT16 || t == SCAP_PT_INT32 || t == SCAP_PT_INT64 ||
		  t == SCAP_PT_ERRNO || t == SCAP_PT_FD || t == SCAP_PT_PID || t == SCAP_PT_FD32 || t == SCAP_PT_PID32;
	switch (l) {
	case 1: *out = sgn ? (int64_t)(int8_t)p[0] : (int64_t)p[0]; break;
	case 2: *out = sgn ? (int64_t)(int16_t)rd16(p) : (int64_t)rd16(p); break;
	case 4: *out = sgn ? (int64_t)(int32_t)rd32(p) : (int64_t)rd32(p); break;
	case 8: *out = (int64_t)rd64(p); break;
	default: return 0;
	}
	return 1;
}

static int pint_named(const sev *e, const char *name, int64_t *out)
{
	return e && pint(e, pidx(e, name), out);
}

/* A string param without its trailing NUL(s). */
static int pstr(const sev *e, int i, const uint8_t **s, uint32_t *l)
{
	if (!e || i < 0 || (uint32_t)i >= e->np || e->len[i] == 0)
		return 0;
	*s = e->v[i];
	*l = e->len[i];
	while (*l && (*s)[*l - 1] == 0)
		(*l)--;
	return 1;
}

/* "sip:sport->dip:dport" of a socket tuple, or NULL. */
static const char *tuple_str(const uint8_t *p, uint32_t l, char *o, size_t n)
{
	if (l >= 13 && p[0] == 2 && n >= 2 * 22 + 3) {
		size_t al = strlen(fmt_ip4(o, n, p + 1, rd16(p + 5)));
		memcpy(o + al, "->", 2);
		fmt_ip4(o + al + 2, n - al - 2, p + 7, rd16(p + 11));
		return o;
	}
	if (l >= 37 && p[0] == 10) {
		if (n < 2 * 46 + 3)
			return NULL;
		size_t al = strlen(fmt_ip6(o, n, p + 1, rd16(p + 17)));
		memcpy(o + al, "->", 2);
		fmt_ip6(o + al + 2, n - al - 2, p + 19, rd16(p + 35));
		return o;
	}
	if (l >= 17 && p[0] == 1) {
		size_t pl = l - 17;
		while (pl && p[17 + pl - 1] == 0)
			pl--;
		if (pl >= n)
			pl = n - 1;
		memcpy(o, p + 17, pl);
		o[pl] = 0;
		return o;
	}
	return NULL;
}

/* An address of scap family fam at p (with its u16 port after it) into a
 * kcap SOCKADDR value; a unix path runs to end. */
static int addr_val(kcap_value *v, uint8_t fam, const uint8_t *p, const uint8_t *end)
{
	size_t n = (size_t)(end - p);
	if (fam == 2 && n >= 6) {
		v->af = KCAP_AF_INET;
		memcpy(v->addr, p, 4);
		v->port = rd16(p + 4);
	} else if (fam == 10 && n >= 18) {
		v->af = KCAP_AF_INET6;
		memcpy(v->addr, p, 16);
		v->port = rd16(p + 16);
	} else if (fam == 1) {
		v->af = KCAP_AF_UNIX;
		v->p = p;
		v->len = (uint32_t)n;
		while (v->len && v->p[v->len - 1] == 0)
			v->len--;
	} else
		return 0;
	v->present = 1;
	return 1;
}

/* A sockaddr param (family, address, port) into a kcap SOCKADDR value. */
static int sockaddr_val(kcap_value *v, const uint8_t *p, uint32_t l)
{
	if (l < 1)
		return 0;
	if (addr_val(v, p[0], p + 1, p + l))
		return 1;
	v->af = KCAP_AF_OTHER;
	v->p = p;
	v->len = l;
	v->present = 1;
	return 1;
}

/* The remote end of a socket tuple (family, local, remote) as a SOCKADDR. */
static int tuple_remote(kcap_value *v, const uint8_t *p, uint32_t l)
{
	if (l < 1)
		return 0;
	size_t skip = p[0] == 2 ? 6 : p[0] == 10 ? 18 : p[0] == 1 ? 16 : 0;
	if (!skip || l < 1 + skip)
		return 0;
	return addr_val(v, p[0], p + 1 + skip, p + l);
}

/* Fills v (of kcap type kt) from param i of e (scap type st). */
static int fill_value(kcap_scap_import *r, kcap_value *v, uint8_t kt, const sev *e, int i)
{
	if (i < 0 || (uint32_t)i >= e->np || (e->len[i] == 0 && kt != KCAP_T_STR && kt != KCAP_T_PATH))
		return 0;
	uint8_t st = e->info->params[i].type;
	const uint8_t *p = e->v[i];
	uint32_t l = e->len[i];
	int64_t x;
	switch (kt) {
	case KCAP_T_STR: case KCAP_T_PATH: case KCAP_T_BYTES: case KCAP_T_JSON:
		if (st == SCAP_PT_SOCKTUPLE) {
			const char *s = tuple_str(p, l, r->tuple_buf[3], sizeof r->tuple_buf[3]);
			if (!s)
				return 0;
			v->p = (const uint8_t *)s;
			v->len = (uint32_t)strlen(s);
		} else {
			v->p = p;
			v->len = l;
			if (kt != KCAP_T_BYTES)
				while (v->len && v->p[v->len - 1] == 0)
					v->len--;
		}
		break;
	case KCAP_T_SOCKADDR:
		if (st == SCAP_PT_SOCKTUPLE)
			return tuple_remote(v, p, l);
		return sockaddr_val(v, p, l);
	case KCAP_T_IPV4:
		if (l < 4) return 0;
		memcpy(v->addr, p, 4);
		break;
	case KCAP_T_IPV6:
		if (l < 16) return 0;
		memcpy(v->addr, p, 16);
		break;
	case KCAP_T_STRLIST: {
		v->p = p;
		v->len = l;
		if (l && p[l - 1] != 0)
			return 0;
		v->count = 0;
		for (uint32_t k = 0; k < l; k++)
			v->count += p[k] == 0;
		break;
	}
	default:
		if (!pint(e, i, &x))
			return 0;
		v->i = x;
		break;
	}
	v->present = 1;
	return 1;
}

/* The scap params that may fill a taxonomy param of this name, in order of
 * preference; "@" entries are taken from the enter event only. */
static const char *const *aliases(const char *kp)
{
	static const struct { const char *k; const char *s[5]; } A[] = {
		{"path", {"@filename", "filename", "name", "path", "pathname"}},
		{"fd", {"@fd", "fd", NULL}},
		{"ret", {"res", NULL}},
		{"count", {"size", "@size", NULL}},
		{"offset", {"pos", NULL}},
		{"addr", {"addr", "tuple", NULL}},
		{"family", {"domain", NULL}},
		{"protocol", {"proto", NULL}},
		{"target", {"pid", "target", NULL}},
		{"argv", {"args", NULL}},
		{"fd0", {"fd1", NULL}},
		{"fd1", {"fd2", NULL}},
		{"oldfd", {"oldfd", "fd", NULL}},
		{"status", {"status", "ret", NULL}},
		{"id", {"uid", "gid", NULL}},
		{"request", {"request", NULL}},
	};
	for (size_t i = 0; i < sizeof A / sizeof A[0]; i++)
		if (strcmp(A[i].k, kp) == 0)
			return A[i].s;
	return NULL;
}

static int find_src(const sev *en, const sev *ex, const char *name, const sev **which)
{
	int i;
	if (name[0] == '@') {
		i = pidx(en, name + 1);
		*which = en;
		return i;
	}
	if ((i = pidx(ex, name)) >= 0) {
		*which = ex;
		return i;
	}
	*which = en;
	return pidx(en, name);
}

static size_t join_path(char *o, size_t n, const char *dir, const uint8_t *rel, size_t rl);

static const char *fd_name_of(kcap_scap_import *r, int64_t pid, int64_t fd)
{
	void **slot = umap_find(&r->fds, fd_key(pid, fd));
	return slot ? *slot : NULL;
}

/* scratch space for values built per event (argv, names) */
static uint8_t *scratch(kcap_scap_import *r, size_t n)
{
	if (r->scratch_len + n > r->scratch_cap) {
		/* values already built point into it: only grow before the first use */
		if (r->scratch_len)
			return NULL;
		size_t nc = n > 65536 ? n : 65536;
		uint8_t *b = realloc(r->scratch, nc);
		if (!b)
			return NULL;
		r->scratch = b;
		r->scratch_cap = nc;
	}
	uint8_t *p = r->scratch + r->scratch_len;
	r->scratch_len += n;
	return p;
}

/* A clone or exec exit's comm, exe and args into thread c. */
static void take_program(thr *c, const sev *ex)
{
	const uint8_t *s;
	uint32_t l;
	if (pstr(ex, pidx(ex, "comm"), &s, &l)) {
		size_t cl = l < sizeof c->comm ? l : sizeof c->comm - 1;
		memcpy(c->comm, s, cl);
		c->comm[cl] = 0;
	}
	if (pstr(ex, pidx(ex, "exe"), &s, &l))
		set_str(&c->exe, s, l);
	int ai = pidx(ex, "args");
	if (ai >= 0)
		set_args(c, ex->v[ai], ex->len[ai]);
}

/* State changes an event implies (fds opened and closed, clone, execve),
 * for the events that follow. */
static void track(kcap_scap_import *r, const sev *en, const sev *ex, thr *t)
{
	const scap_event_info *ei = ex ? ex->info : en->info;
	const sev *any = ex ? ex : en;
	int64_t pid = t ? t->pid : any->tid, x, fd;
	const char *n = ei->name;
	uint8_t kind = r->kind[ei->code];
	if (ex && (kind == K_CLONE || kind == K_EXEC)) {
		int64_t res;
		if (!pint_named(ex, "res", &res))
			return;
		int is_exec = kind == K_EXEC;
		int64_t ctid = ex->tid;
		if (!is_exec && res > 0) {
			/* the parent's exit: a child not seen yet starts as the parent says */
			if (thread_get(r, res, 0))
				return;
			ctid = res;
		} else if (res != 0)
			return; /* exec failed; clone failed */
		int known = thread_get(r, ctid, 0) != NULL;
		thr *c = thread_get(r, ctid, 1);
		if (c && ctid != ex->tid) {
			int64_t fl = 0;
			pint_named(ex, "flags", &fl);
			int is_thread = (fl & (1 << 13)) != 0; /* PPM_CL_CLONE_THREAD */
			c->pid = is_thread && t ? t->pid : ctid;
			c->ptid = is_thread && t ? t->ptid : (t ? t->pid : -1);
			if (t)
				c->uid = t->uid, c->gid = t->gid;
		}
		if (!c)
			return;
		if (ctid != ex->tid) {
			const uint8_t *s;
			uint32_t l;
			take_program(c, ex);
			if (pstr(ex, pidx(ex, "cwd"), &s, &l))
				set_str(&c->cwd, s, l);
			return;
		}
		if (!c)
			return;
		if (pint_named(ex, "pid", &x))
			c->pid = x;
		if (pint_named(ex, "ptid", &x) && (!known || c->ptid == -1))
			c->ptid = x; /* a known thread keeps the parent its creation gave it */
		const uint8_t *s;
		uint32_t l;
		take_program(c, ex);
		if (pstr(ex, pidx(ex, "cwd"), &s, &l) && l)
			set_str(&c->cwd, s, l);
		else if (!is_exec && !c->cwd) {
			/* an empty cwd: the parent's, as a child inherits it */
			thr *pt = thread_get(r, c->ptid, 0);
			if (pt && pt->cwd)
				set_str(&c->cwd, (const uint8_t *)pt->cwd, strlen(pt->cwd));
		}
		if (pint_named(ex, "uid", &x))
			c->uid = (uint32_t)x;
		if (pint_named(ex, "gid", &x))
			c->gid = (uint32_t)x;
		if (!is_exec && t && t != c && c->ptid == -1)
			c->ptid = t->pid;
		return;
	}
	if (ex && (ei->flags & SCAP_EF_CREATES_FD)) {
		/* the new fd is "fd" of the exit or its res */
		if (!pint_named(ex, "fd", &fd) && !pint_named(ex, "res", &fd))
			return;
		if (fd < 0)
			return;
		const uint8_t *s;
		uint32_t l;
		char *name = NULL;
		int ti = pidx(ex, "tuple");
		const sev *w;
		int ni = find_src(en, ex, "name", &w);
		if (ni < 0)
			ni = find_src(en, ex, "path", &w);
		if (ti >= 0 && ex->len[ti]) {
			const char *ts = tuple_str(ex->v[ti], ex->len[ti], r->tuple_buf[0], sizeof r->tuple_buf[0]);
			if (ts)
				name = dupn(ts, strlen(ts));
		} else if (ni >= 0 && pstr(w, ni, &s, &l)) {
			/* a relative path of openat: against the dirfd or the cwd */
			int64_t dfd = -100;
			if (!pint_named(ex, "dirfd", &dfd))
				pint_named(en, "dirfd", &dfd);
			const char *dir = dfd == -100 ? (t ? t->cwd : NULL) : fd_name_of(r, pid, dfd);
			char jb[4096];
			size_t jl = join_path(jb, sizeof jb, dir, s, l);
			if (jl)
				name = dupn(jb, jl);
			if (!name)
				name = dupn(s, l);
		} else
			name = dupn("", 0);
		if (kind == K_PIPE) {
			if (pint_named(ex, "fd1", &x) && x >= 0)
				fd_set_name(r, pid, x, dupn("", 0));
			if (pint_named(ex, "fd2", &x) && x >= 0)
				fd_set_name(r, pid, x, dupn("", 0));
			free(name);
			return;
		}
		fd_set_name(r, pid, fd, name);
		return;
	}
	if (ex && t && kind == K_CHDIR) {
		int64_t res;
		const uint8_t *s;
		uint32_t l;
		if (!pint_named(ex, "res", &res) || res != 0)
			return;
		char jb[4096];
		size_t jl = 0;
		if (n[0] == 'c' && pstr(ex, pidx(ex, "path"), &s, &l))
			jl = join_path(jb, sizeof jb, t->cwd, s, l);
		else if (n[0] == 'f' && pint_named(en, "fd", &fd)) {
			const char *d = fd_name_of(r, pid, fd);
			if (d)
				jl = join_path(jb, sizeof jb, d, (const uint8_t *)"", 0);
		}
		if (jl)
			set_str(&t->cwd, (const uint8_t *)jb, jl);
		return;
	}
	if (ex && kind == K_CONNECT) {
		int ti = pidx(ex, "tuple");
		if (ti >= 0 && pint_named(en, "fd", &fd)) {
			const char *ts = tuple_str(ex->v[ti], ex->len[ti], r->tuple_buf[0], sizeof r->tuple_buf[0]);
			if (ts)
				fd_set_name(r, pid, fd, dupn(ts, strlen(ts)));
		}
	}
	if (kind == K_CLOSE) {
		int64_t res = 0;
		if (pint_named(en, "fd", &fd) && (!ex || (pint_named(ex, "res", &res) && res >= 0) || !ex))
			free(umap_del(&r->fds, fd_key(pid, fd)));
	}
}

/* dir + "/" + rel into o (n bytes) with "." and ".." and "//" folded, no
 * trailing slash (as sysdig's fd.name); a dir that is not absolute leaves
 * rel as it is. Returns the length, or 0 when it does not fit. */
/* 1 when rel is an absolute path that join_path() gives back as it is: no
 * empty, "." or ".." component (nor one starting with a dot, checked the
 * slow way), no trailing slash, no NUL. */
static int path_plain(const uint8_t *rel, size_t rl)
{
	if (!rl || rel[0] != '/' || (rl > 1 && rel[rl - 1] == '/'))
		return 0;
	for (size_t i = 0; i < rl; i++) {
		if (rel[i] == 0)
			return 0;
		if (rel[i] == '/' && i + 1 < rl && (rel[i + 1] == '/' || rel[i + 1] == '.'))
			return 0;
	}
	return 1;
}

static size_t join_path(char *o, size_t n, const char *dir, const uint8_t *rel, size_t rl)
{
	if (path_plain(rel, rl)) {
		if (rl + 1 > n)
			return 0;
		memcpy(o, rel, rl);
		o[rl] = 0;
		return rl;
	}
	size_t dl = dir ? strlen(dir) : 0, k = 0;
	if (!dir || dir[0] != '/' || (rl && rel[0] == '/'))
		dl = 0;
	if (dl + rl + 2 > n)
		return 0;
	char tmp[8192];
	if (dl + rl + 2 > sizeof tmp)
		return 0;
	size_t tl = dl;
	if (dl) {
		memcpy(tmp, dir, dl);
		tmp[tl++] = '/';
	}
	if (rl)
		memcpy(tmp + tl, rel, rl);
	tl += rl;
	tmp[tl] = 0;
	if (tmp[0] != '/') {
		/* no directory to resolve against: as given, without a leading ./ */
		size_t skip = 0;
		while (tl - skip > 2 && tmp[skip] == '.' && tmp[skip + 1] == '/')
			skip += 2;
		memcpy(o, tmp + skip, tl - skip + 1);
		return tl - skip;
	}
	/* fold components */
	const char *p = tmp;
	while (*p) {
		while (*p == '/')
			p++;
		const char *e = p;
		while (*e && *e != '/')
			e++;
		size_t cl = (size_t)(e - p);
		if (cl == 0)
			break;
		if (cl == 1 && p[0] == '.') {
		} else if (cl == 2 && p[0] == '.' && p[1] == '.') {
			while (k > 0 && o[k - 1] != '/')
				k--;
			if (k > 0)
				k--;
		} else {
			o[k++] = '/';
			memcpy(o + k, p, cl);
			k += cl;
		}
		p = e;
	}
	if (k == 0)
		o[k++] = '/';
	o[k] = 0;
	return k;
}

/* Events wait in the reorder window as their records: a carrier event of
 * the same type, ts and pid whose one param is the record's tail (encoded
 * by hold(), with the absent flag in its af). A tenth of the event and its
 * values, encoded while they are in cache. */
static int hold(kcap_scap_import *r, const kcap_event *ev, const kcap_type_def *def, kcap_event *carrier,
		kcap_value *cv)
{
	kcap_record rec;
	if (!def)
		def = kcap_schema_type(r->schema, ev->type_id);
	if (!def)
		return KCAP_E_INVAL;
	r->rec.len = 0;
	int rc = kcap_record_encode(&r->rec, ev, def, &rec);
	if (rc < 0)
		return rc;
	*carrier = *ev;
	carrier->comm_len = 0;
	carrier->nparams = 1;
	carrier->params = cv;
	memset(cv, 0, sizeof *cv);
	cv->type = KCAP_T_BYTES;
	cv->present = 1;
	cv->af = rec.absent;
	cv->p = rec.tail;
	cv->len = (uint32_t)rec.len;
	return 0;
}

/* The window's writer (r->out.write): a held record, as hold() encoded it. */
static int write_held(void *ud, const kcap_event *carrier)
{
	kcap_scap_import *r = ud;
	kcap_record rec = {carrier->params[0].p, carrier->params[0].len, carrier->params[0].af};
	return kcap_writer_write_record(r->c->w, carrier, &rec);
}

/* Writes what the window holds with ts <= limit (then the oldest while more
 * than max_held stay, 0: no bound). */
static int release(kcap_scap_import *r, int64_t limit, size_t max_held)
{
	int rc = kcap_reorder_drain(r->q, limit, max_held, &r->out);
	r->st.unordered = r->out.unordered;
	return rc;
}

static int push(kcap_scap_import *r, const kcap_event *ev)
{
	int64_t max = kcap_reorder_max_ts(r->q);
	if (ev->ts < max)
		r->st.disordered++;
	if (max >= INT64_MIN + REORDER_NS && ev->ts < max - REORDER_NS) {
		/* older than the window: the window would hand it out at once, first */
		int rc = release(r, ev->ts, 0);
		if (rc < 0)
			return rc;
		r->st.unordered = ++r->out.unordered;
		kcap_event copy = *ev;
		copy.seq = ++r->out.seq;
		return write_held(r, &copy);
	}
	int rc = kcap_reorder_push(r->q, ev);
	if (rc < 0)
		return rc;
	max = kcap_reorder_max_ts(r->q);
	return release(r, max >= INT64_MIN + REORDER_NS ? max - REORDER_NS : INT64_MIN, REORDER_MAX_HELD);
}

static void plan_add(plan *pl, uint32_t k, const sev *ex, const sev *w, int i)
{
	if (i >= 0 && pl->ncand[k] < PLAN_CANDS) {
		pl->cand[k][pl->ncand[k]].w = w == ex;
		pl->cand[k][pl->ncand[k]].i = (int8_t)i;
		pl->ncand[k]++;
	}
}

/* The plan of def for this pair's shape (taxonomy: tax 1, the alias lists;
 * else scap_NAME's params by name and type), from the cache or built. NULL
 * when out of memory. */
static const plan *plan_get(kcap_scap_import *r, const sev *en, const sev *ex, const kcap_type_def *def, int tax)
{
	const sev *any = ex ? ex : en;
	plan **slot = &r->plans[any->info->code];
	plan *pl = *slot;
	int enc = en ? (int)en->info->code : -1, exc = ex ? (int)ex->info->code : -1;
	uint32_t enn = en ? en->np : 0, exn = ex ? ex->np : 0;
	if (pl && pl->def == def && pl->en_code == enc && pl->ex_code == exc && pl->en_np == enn && pl->ex_np == exn)
		return pl;
	if (!pl && !(pl = *slot = malloc(sizeof *pl)))
		return NULL;
	memset(pl, 0, sizeof *pl);
	pl->def = def;
	pl->en_code = enc;
	pl->ex_code = exc;
	pl->en_np = enn;
	pl->ex_np = exn;
	const sev *w;
	int i;
	for (uint32_t k = 0; k < def->nparams && k < KCAP_MAX_PARAMS; k++) {
		const char *kn = def->params[k].name;
		if (tax) {
			const char *const *al = aliases(kn);
			for (int a = 0; al && a < 5 && al[a]; a++) {
				i = find_src(en, ex, al[a], &w);
				plan_add(pl, k, ex, w, i);
			}
			i = find_src(en, ex, kn, &w);
			plan_add(pl, k, ex, w, i);
			continue;
		}
		if (strcmp(kn, "fd_name") == 0) {
			i = find_src(en, ex, "@fd", &w);
			if (i < 0)
				i = find_src(en, ex, "fd", &w);
			plan_add(pl, k, ex, w, i);
			pl->fdname[k] = 1;
			continue;
		}
		const ntype *nt = &r->types[r->code_type[any->info->code] - 1];
		uint8_t st = k < nt->def.nparams && &nt->def == def ? nt->src_type[k] : 0;
		i = find_src(en, ex, kn, &w);
		if (i < 0)
			continue;
		uint8_t wt = w->info->params[i].type;
		if (wt == st || (scap_pt_size(wt) > 0 && scap_pt_size(st) > 0) ||
		    (scap_pt_size(wt) < 0 && scap_pt_size(st) < 0))
			plan_add(pl, k, ex, w, i); /* the same type, or an older version's integer of another width */
	}
	i = find_src(en, ex, "fd", &w);
	pl->fd.w = w == ex;
	pl->fd.i = (int8_t)i;
	return pl;
}

/* One kcap event from an enter (en, may be NULL) and its exit (ex, may be
 * NULL); the thread's state is that before the event. */
static int emit(kcap_scap_import *r, const sev *en, const sev *ex, uint16_t cpu)
{
	const sev *any = ex ? ex : en;
	const scap_event_info *ei = any->info;
	thr *t = thread_get(r, any->tid, 0);
	ntype *nt = &r->types[r->code_type[ei->code] - 1];
	kcap_event ev = {0};
	int rc;
	r->scratch_len = 0;
	ev.ts = any->ts;
	ev.tid = (int32_t)any->tid;
	ev.pid = t ? (int32_t)t->pid : (int32_t)any->tid;
	ev.ppid = t ? (int32_t)t->ptid : 0;
	ev.uid = t ? t->uid : 0;
	ev.gid = t ? t->gid : 0;
	ev.cpu = cpu;
	ev.comm = t ? t->comm : "";
	ev.comm_len = (uint16_t)strlen(ev.comm);
	ev.origin = (uint16_t)r->origin;
	ev.params = r->P;
	char cname[64];
	if (ex && !en && !t && r->kind[ei->code] == K_CLONE) {
		/* the child's first event: who it is comes with it */
		const uint8_t *s;
		uint32_t l;
		int64_t x;
		if (pstr(ex, pidx(ex, "comm"), &s, &l)) {
			ev.comm = (const char *)s;
			ev.comm_len = (uint16_t)(l > 255 ? 255 : l);
		}
		if (pint_named(ex, "pid", &x))
			ev.pid = (int32_t)x;
		if (pint_named(ex, "ptid", &x))
			ev.ppid = (int32_t)x;
	}
	if (r->kind[ei->code] == K_CONTAINER) {
		/* sysdig's proc.name of a container event: container:ID */
		const uint8_t *s = NULL;
		uint32_t l = 0;
		int ii = pidx(any, "id");
		if (ii >= 0)
			pstr(any, ii, &s, &l);
		else if ((ii = pidx(any, "json")) >= 0 && pstr(any, ii, &s, &l)) {
			const uint8_t *q = NULL;
			for (uint32_t k = 0; k + 6 <= l; k++)
				if (memcmp(s + k, "\"id\":\"", 6) == 0) {
					q = s + k + 6;
					break;
				}
			if (q) {
				const uint8_t *qe = memchr(q, '"', (size_t)(s + l - q));
				l = qe ? (uint32_t)(qe - q) : 0;
				s = q;
			} else
				l = 0;
		}
		if (l) {
			snprintf(cname, sizeof cname, "container:%.*s", (int)(l > 12 ? 12 : l), (const char *)s);
			ev.comm = cname;
			ev.comm_len = (uint16_t)strlen(cname);
		}
	}
	const char *gname = NULL;
	/* generic syscalls: named by their id */
	unsigned gid_ = SCAP_SYSCALL_ID_MAX;
	if (ei->code <= 1) {
		int64_t id;
		if (pint_named(any, "ID", &id) && (gname = scap_syscall_id_name((unsigned)id)))
			gid_ = (unsigned)id;
		if (!gname)
			gname = "<unknown>";
	}
	const kcap_syscall *sys = gname ? NULL : nt->sys;
	if (sys) {
		/* mmap/mprotect are the taxonomy's only with PROT_EXEC */
		if (sys->flags & KCAP_SYSCALL_EXEC_ONLY) {
			int64_t prot = 0;
			const sev *w;
			int pi = find_src(en, ex, "prot", &w);
			if (pi < 0 || !pint(w, pi, &prot) || !(prot & 4))
				sys = NULL;
		}
	}
	const kcap_type_def *wdef = NULL; /* the type written */
	if (sys) {
		if (sys == nt->sys && !nt->sysdef_set) {
			nt->sysdef = kcap_taxonomy_type(sys->type);
			nt->sysdef_set = 1;
		}
		const kcap_type_def *def = sys == nt->sys ? nt->sysdef : kcap_taxonomy_type(sys->type);
		wdef = def;
		if (!def)
			sys = NULL;
		else {
			if ((rc = ensure_type(r, def)) < 0)
				return rc;
			ev.type_id = def->id;
			ev.nparams = def->nparams;
			const plan *pl = plan_get(r, en, ex, def, 1);
			if (!pl)
				return KCAP_E_NOMEM;
			memset(r->P, 0, sizeof(kcap_value) * def->nparams);
			for (uint32_t k = 0; k < def->nparams; k++) {
				kcap_value *v = &r->P[k];
				v->type = def->params[k].type;
				for (uint32_t c = 0; c < pl->ncand[k] && !v->present; c++)
					fill_value(r, v, v->type, pl->cand[k][c].w ? ex : en, pl->cand[k][c].i);
			}
			int64_t ret = 0, have_ret = 0;
			if (!r->tax_ret[def->id]) {
				r->tax_ret[def->id] = (int8_t)(kcap_type_param_index(def, "ret") + 2);
				r->tax_flags[def->id] = (int8_t)(kcap_type_param_index(def, "flags") + 2);
			}
			int ri = r->tax_ret[def->id] - 2;
			if (ri >= 0 && !r->P[ri].present && ex) {
				/* open, socket, accept: the new fd is the result */
				int64_t x;
				if (pint_named(ex, "fd", &x) && (ei->flags & SCAP_EF_CREATES_FD)) {
					r->P[ri].i = x;
					r->P[ri].present = 1;
				}
			}
			if (ri >= 0 && r->P[ri].present) {
				ret = r->P[ri].i;
				have_ret = 1;
			}
			/* the kind of value each family stores */
			int fi = r->tax_flags[def->id] - 2;
			if (fi >= 0 && r->P[fi].present) {
				if (sys->type >= KCAP_EV_OPEN && sys->type <= KCAP_EV_CREAT)
					r->P[fi].u = scap_open_flags_to_linux(r->P[fi].u);
				else if ((sys->type >= KCAP_EV_FORK && sys->type <= KCAP_EV_CLONE3) || sys->type == KCAP_EV_UNSHARE)
					r->P[fi].u = scap_clone_flags_to_linux(r->P[fi].u);
			}
			if (sys->type == KCAP_EV_SETNS && r->P[KCAP_P_SETNS_NSTYPE].present)
				r->P[KCAP_P_SETNS_NSTYPE].u = scap_clone_flags_to_linux(r->P[KCAP_P_SETNS_NSTYPE].u);
			if (sys->type == KCAP_EV_EXECVE || sys->type == KCAP_EV_EXECVEAT) {
				/* argv: exe then args (scap keeps argv[0] apart) */
				const uint8_t *s = NULL;
				uint32_t l = 0;
				int ei2 = pidx(ex, "exe");
				int ai = pidx(ex, "args");
				if (ex && ei2 >= 0) {
					pstr(ex, ei2, &s, &l);
					uint32_t al2 = ai >= 0 ? ex->len[ai] : 0;
					uint8_t *b = scratch(r, (size_t)l + 2 + al2);
					if (b) {
						memcpy(b, s ? s : (const uint8_t *)"", l);
						b[l] = 0;
						size_t bl = l + 1;
						if (al2) {
							memcpy(b + bl, ex->v[ai], al2);
							bl += al2;
							if (b[bl - 1] != 0)
								b[bl++] = 0;
						}
						kcap_value *v = &r->P[KCAP_P_EXEC_ARGV];
						v->p = b;
						v->len = (uint32_t)bl;
						v->count = 0;
						for (size_t k = 0; k < bl; k++)
							v->count += b[k] == 0;
						v->present = 1;
					}
				}
				if (!r->P[KCAP_P_EXEC_PATH].present && ex && s && l) {
					r->P[KCAP_P_EXEC_PATH].p = s;
					r->P[KCAP_P_EXEC_PATH].len = l;
					r->P[KCAP_P_EXEC_PATH].present = 1;
				}
				/* the process after a successful exec */
				if (ex && have_ret && ret == 0) {
					int64_t x;
					if (pint_named(ex, "pid", &x))
						ev.pid = (int32_t)x;
					if ((!t || t->ptid == -1) && pint_named(ex, "ptid", &x))
						ev.ppid = (int32_t)x;
					int ci = pidx(ex, "comm");
					if (pstr(ex, ci, &s, &l)) {
						ev.comm = (const char *)s;
						ev.comm_len = (uint16_t)(l > 255 ? 255 : l);
					}
				}
			}
			/* a path the event does not carry: the fd's name */
			for (int k = 0; k < 2; k++) {
				const kcap_syscall_path *sp = &sys->path[k];
				if (sp->role == KCAP_SYSPATH_NONE || r->P[sp->param].present)
					continue;
				int64_t fd;
				const sev *w = pl->fd.w ? ex : en;
				int i = pl->fd.i;
				if (sp->role == KCAP_SYSPATH_OF_FD && i >= 0 && pint(w, i, &fd)) {
					const char *nm = fd_name_of(r, ev.pid, fd);
					if (nm) {
						r->P[sp->param].p = (const uint8_t *)nm;
						r->P[sp->param].len = (uint32_t)strlen(nm);
						r->P[sp->param].present = 1;
					}
				}
			}
			/* relative paths: against dirfd's name or the cwd, as fd.name */
			for (int k = 0; k < 2; k++) {
				const kcap_syscall_path *sp = &sys->path[k];
				if (sp->role == KCAP_SYSPATH_NONE || sp->role == KCAP_SYSPATH_NOT_A_PATH ||
				    sp->role == KCAP_SYSPATH_OF_FD || !r->P[sp->param].present)
					continue;
				kcap_value *v = &r->P[sp->param];
				if (!v->len || path_plain(v->p, v->len))
					continue; /* what join_path would give back */
				const char *dir = NULL;
				if (sp->dirfd_param != KCAP_SYSARG_NONE && r->P[sp->dirfd_param].present &&
				    r->P[sp->dirfd_param].i != KCAP_SYS_AT_FDCWD)
					dir = fd_name_of(r, ev.pid, r->P[sp->dirfd_param].i);
				else if (t)
					dir = t->cwd;
				char jb[4096];
				size_t jl = join_path(jb, sizeof jb, dir, v->p, v->len);
				uint8_t *b = jl ? scratch(r, jl) : NULL;
				if (!b)
					continue;
				memcpy(b, jb, jl);
				v->p = b;
				v->len = (uint32_t)jl;
			}
			kcap_syscall_fill(sys, def, NULL, 0, have_ret ? &ret : NULL, 0, r->P);
		}
	}
	if (!sys) {
		/* scap_NAME with the event table's params */
		if (gname) {
			/* a generic syscall: its id's name, as sysdig prints it */
			size_t k;
			if (r->gen_type[gid_] > 0)
				k = (size_t)r->gen_type[gid_] - 1;
			else if (r->gen_type[gid_] < 0)
				k = r->ntypes;
			else {
				for (k = 0; k < r->ntypes; k++)
					if (strcmp(r->types[k].name, gname) == 0)
						break;
				r->gen_type[gid_] = (int16_t)(k < r->ntypes ? (int)k + 1 : -1);
			}
			if (k < r->ntypes)
				nt = &r->types[k];
			else {
				/* a name the event table lacks: a type of its own */
				char kn[64];
				snprintf(kn, sizeof kn, "scap_%s", strcmp(gname, "<unknown>") == 0 ? "unknown" : gname);
				int id = scap_syscall_id_find(gname);
				/* returned: 1 when the exit was seen, 0 for an enter whose
				 * exit never came (the export then writes the enter alone) */
				static const kcap_param_def gp[] = {
					{"ID", KCAP_T_U16, 0, 0}, {"nativeID", KCAP_T_U16, 0, 0}, {"returned", KCAP_T_BOOL, 0, 0}};
				kcap_type_def gd = {(uint32_t)(SCAP_TYPE_BASE + SCAP_EVENT_MAX + (id < 0 ? 0 : id)), kn, "scap",
						    NULL, 3, gp};
				if ((rc = ensure_type(r, &gd)) < 0)
					return rc;
				ev.type_id = gd.id;
				ev.nparams = 3;
				memset(r->P, 0, 3 * sizeof(kcap_value));
				r->P[0].type = r->P[1].type = KCAP_T_U16;
				r->P[2].type = KCAP_T_BOOL;
				r->P[2].u = ex != NULL;
				r->P[2].present = 1;
				int64_t x;
				if (pint_named(any, "ID", &x)) {
					r->P[0].u = (uint64_t)x;
					r->P[0].present = 1;
				}
				if (pint_named(any, "nativeID", &x) || pint_named(en, "nativeID", &x)) {
					r->P[1].u = (uint64_t)x;
					r->P[1].present = 1;
				}
				goto write;
			}
		}
		if (!nt->added) {
			if ((rc = ensure_type(r, &nt->def)) < 0)
				return rc;
			nt->added = 1;
		}
		ev.type_id = nt->def.id;
		ev.nparams = nt->def.nparams;
		wdef = &nt->def;
		const plan *pl = gname ? NULL : plan_get(r, en, ex, &nt->def, 0);
		if (!gname && !pl)
			return KCAP_E_NOMEM;
		memset(r->P, 0, sizeof(kcap_value) * nt->def.nparams);
		for (uint32_t k = 0; k < nt->def.nparams; k++) {
			kcap_value *v = &r->P[k];
			v->type = nt->params[k].type;
			if (!pl || !pl->ncand[k])
				continue;
			const sev *w = pl->cand[k][0].w ? ex : en;
			int i = pl->cand[k][0].i;
			if (pl->fdname[k]) {
				int64_t fd;
				if (pint(w, i, &fd)) {
					const char *nm = fd_name_of(r, ev.pid, fd);
					if (nm) {
						v->p = (const uint8_t *)nm;
						v->len = (uint32_t)strlen(nm);
						v->present = 1;
					}
				}
				continue;
			}
			fill_value(r, v, v->type, w, i);
		}
		if (nt->k_returned >= 0 && !gname) {
			r->P[nt->k_returned].u = ex != NULL;
			r->P[nt->k_returned].present = 1;
		}
	}
write:;
	kcap_event carrier;
	kcap_value cv;
	if ((rc = hold(r, &ev, wdef, &carrier, &cv)) < 0)
		return rc;
	return push(r, &carrier);
}

/* An event of the file (state_only: EVF flag 1, used for state alone). */
static int on_event(kcap_scap_import *r, sev *e, int v1, const uint8_t *raw, size_t rawlen, int state_only)
{
	const scap_event_info *ei = e->info;
	thr *t = thread_get(r, e->tid, 0);
	int rc = 0;
	if (r->origin < 0 || r->snap_dirty)
		if ((rc = write_context(r)) < 0)
			return rc;
	uint8_t kind = r->kind[ei->code];
	if (kind == K_DROP && ei->dir == '>') {
		if (e->cpu < sizeof r->drops / sizeof r->drops[0])
			r->drops[e->cpu]++;
		r->drops_seen = 1;
	}
	if (kind == K_CONTAINER)
		r->st.containers++;
	if (ei->dir == '>') {
		/* an enter waits for its exit, except those that have none */
		int has_exit = r->pairs[ei->code];
		if (!t)
			t = thread_get(r, e->tid, 1);
		if (has_exit && t) {
			if (t->pend_len) {
				/* the previous enter never saw its exit */
				sev pe;
				if (decode_event(r, t->pend, t->pend_len, t->pend_v1, &pe) == 1) {
					pe.cpu = t->pend_cpu;
					if (!state_only)
						rc = emit(r, &pe, NULL, pe.cpu);
					track(r, &pe, NULL, t);
				}
				t->pend_len = 0;
				if (rc < 0)
					return rc;
			}
			if (rawlen > t->pend_cap) {
				uint8_t *nb = realloc(t->pend, rawlen);
				if (!nb)
					return KCAP_E_NOMEM;
				t->pend = nb;
				t->pend_cap = (uint32_t)rawlen;
			}
			memcpy(t->pend, raw, rawlen);
			t->pend_len = (uint32_t)rawlen;
			t->pend_v1 = (uint8_t)v1;
			t->pend_cpu = e->cpu;
			if (state_only)
				t->pend_len = 0;
			return 0;
		}
		if (t && t->pend_len && kind == K_PROCEXIT) {
			/* the call the task was in when it went away */
			sev pe;
			if (decode_event(r, t->pend, t->pend_len, t->pend_v1, &pe) == 1) {
				pe.cpu = t->pend_cpu;
				if (!state_only && (rc = emit(r, &pe, NULL, pe.cpu)) < 0)
					return rc;
			}
			t->pend_len = 0;
		}
		if (!state_only)
			rc = emit(r, e, NULL, e->cpu);
		track(r, e, NULL, t);
		if (kind == K_PROCEXIT && t) {
			thr *old = umap_del(&r->threads, (uint64_t)e->tid);
			if (old)
				fds_forget(r, old);
			if (old == r->tcache)
				r->tcache = NULL;
			thr_free(old);
		}
		return rc;
	}
	/* an exit: with the enter of the same thread and call, if pending */
	sev en;
	int paired = 0;
	if (t && t->pend_len) {
		if (decode_event(r, t->pend, t->pend_len, t->pend_v1, &en) == 1) {
			en.cpu = t->pend_cpu;
			if (en.type + 1 == e->type || strcmp(en.info->name, ei->name) == 0)
				paired = 1;
			else {
				if (!state_only && (rc = emit(r, &en, NULL, en.cpu)) < 0)
					return rc;
				track(r, &en, NULL, t);
			}
		}
		t->pend_len = 0;
	}
	if (!state_only)
		rc = emit(r, paired ? &en : NULL, e, e->cpu);
	if (paired)
		r->st.paired++;
	track(r, paired ? &en : NULL, e, t);
	return rc;
}

static int ev_block(kcap_scap_import *r, uint32_t bt, const uint8_t *b, size_t n, uint64_t off)
{
	int v1 = bt == B_EV || bt == B_EV_INT || bt == B_EVF;
	int flagged = bt == B_EVF || bt == B_EVF_V2 || bt == B_EVF_V2_LARGE;
	size_t hl = 2 + (flagged ? 4 : 0);
	if (n < hl) {
		damage(r, off, "event block too short (%zu bytes)", n);
		return 0;
	}
	sev e;
	e.np = 0;
	uint32_t flags = flagged ? rd32(b + 2) : 0;
	int rc = decode_event(r, b + hl, n - hl, v1, &e);
	if (rc < 0) {
		damage(r, off, "malformed event (its lengths do not fit its block); skipped");
		return 0;
	}
	r->st.events++;
	if (rc == 0) {
		r->st.unknown_events++;
		return 0;
	}
	e.cpu = rd16(b);
	if (flags & 1)
		r->st.state_only++;
	return on_event(r, &e, v1, b + hl, n - hl, (int)(flags & 1));
}

static int known_block(uint32_t bt)
{
	switch (bt) {
	case B_SHB: case B_MI: case B_MI_INT: case B_FDL: case B_FDL_INT: case B_FDL_V2: case B_EV: case B_EV_INT:
	case B_EV_V2: case B_EV_V2_LARGE: case B_IL: case B_IL_INT: case B_IL_V2: case B_UL: case B_UL_INT:
	case B_UL_V2: case B_EVF: case B_EVF_V2: case B_EVF_V2_LARGE:
		return 1;
	default:
		return pl_version(bt) != 0;
	}
}

/* After damage at pos: the next offset where a known block starts whose
 * trailer repeats its length. Returns 1 (pos moved), 0 (none before EOF or
 * the scan limit), or an error. */
static int resync(kcap_scap_import *r)
{
	size_t scanned = 0;
	for (;;) {
		int rc = need(r, 12);
		if (rc <= 0)
			return rc;
		const uint8_t *p = r->buf + r->pos;
		uint32_t bt = rd32(p), bl = rd32(p + 4);
		if (bt != B_SHB && known_block(bt) && bl >= 12 && bl % 4 == 0 && bl <= (16u << 20)) {
			rc = need(r, bl);
			if (rc < 0)
				return rc;
			if (rc > 0 && rd32(r->buf + r->pos + bl - 4) == bl)
				return 1;
		}
		r->pos++;
		if (++scanned > RESYNC_SCAN)
			return 0;
	}
}

int kcap_scap_import_fd(kcap_scap_import *r, int fd, const char *name)
{
	int rc = 0;
	r->fd = fd;
	r->name = name ? name : "<stdin>";
	r->pos = r->end = 0;
	r->base = 0;
	r->eof = 0;
	r->damaged = 0;
	int first = 1;
	for (;;) {
		rc = need(r, 8);
		if (rc < 0)
			goto io;
		if (rc == 0) {
			if (r->end > r->pos)
				damage(r, r->base + r->pos, "the file ends inside a block header (%zu bytes)", r->end - r->pos);
			break;
		}
		uint64_t off = r->base + r->pos;
		const uint8_t *h = r->buf + r->pos;
		uint32_t bt = rd32(h), bl = rd32(h + 4);
		if (first) {
			first = 0;
			if (bt != B_SHB) {
				NOTE(r, "%s: not a scap capture (no section header block at offset 0)", r->name);
				return KCAP_IMPORT_FAILED;
			}
		}
		int bad = bl < 12 || bl % 4 != 0 || bl > MAX_BLOCK ||
			  (bl > MAX_SMALL_BLOCK + 64 && (bt == B_EV || bt == B_EV_V2 || bt == B_EVF || bt == B_EVF_V2));
		if (bad) {
			damage(r, off, "block type 0x%x with impossible length %u", bt, bl);
		} else {
			rc = need(r, bl);
			if (rc < 0)
				goto io;
			if (rc == 0) {
				damage_over(r, off, r->end - r->pos,
					    "block type 0x%x of %u bytes cut short by the end of the file (%zu bytes present)", bt,
					    bl, r->end - r->pos);
				r->pos = r->end;
				break;
			}
			h = r->buf + r->pos;
			if ((bad = rd32(h + bl - 4) != bl))
				damage(r, off, "block type 0x%x: trailing length %u does not repeat its length %u", bt,
				       rd32(h + bl - 4), bl);
		}
		if (bad) { /* a byte on, where a block may start */
			r->pos++;
			if ((rc = resync(r)) < 0)
				goto io;
			if (rc == 0)
				break;
			continue;
		}
		const uint8_t *b = h + 8;
		size_t n = bl - 12;
		r->st.blocks++;
		switch (bt) {
		case B_SHB:
			if (n < 16) {
				damage(r, off, "section header block too short");
				break;
			}
			if (rd32(b) == SHB_MAGIC_SWAPPED) {
				NOTE(r, "%s: offset %llu: a byte-swapped (big-endian) scap capture; not supported", r->name,
				     (unsigned long long)off);
				return KCAP_IMPORT_FAILED;
			}
			if (rd32(b) != SHB_MAGIC || rd16(b + 4) != 1) {
				damage(r, off, "section header: magic 0x%x version %u.%u not known", rd32(b), rd16(b + 4), rd16(b + 6));
				break;
			}
			r->st.shb_minor = rd16(b + 6);
			if (n > 16)
				r->st.options_blocks++;
			{
				char v[32];
				snprintf(v, sizeof v, "scap %u.%u", rd16(b + 4), rd16(b + 6));
				if (r->origin < 0)
					kcap_meta_set(r->meta, KCAP_META_SOURCE_VERSION, v);
			}
			break;
		case B_MI: case B_MI_INT:
			if (r->origin < 0)
				machine_info(r, b, n);
			break;
		case B_IL: case B_IL_INT: case B_IL_V2:
			r->st.iflists++;
			break;
		case B_UL: case B_UL_INT: case B_UL_V2:
			user_list(r, bt, b, n, off + 8);
			break;
		case B_FDL: case B_FDL_INT: case B_FDL_V2:
			fd_list(r, bt, b, n, off + 8);
			break;
		case B_EV: case B_EV_INT: case B_EV_V2: case B_EV_V2_LARGE: case B_EVF: case B_EVF_V2: case B_EVF_V2_LARGE:
			rc = ev_block(r, bt, b, n, off);
			if (rc < 0)
				goto fail;
			break;
		default:
			if (pl_version(bt)) {
				proc_list(r, bt, b, n, off + 8);
				break;
			}
			r->st.unknown_blocks++;
			break;
		}
		r->pos += bl;
	}
	return r->damaged ? KCAP_IMPORT_DAMAGED : 0;
io:
	if (rc == KCAP_E_NOMEM) {
		NOTE(r, "%s: out of memory", r->name);
		return rc;
	}
	NOTE(r, "%s: offset %llu: read error: %s", r->name, (unsigned long long)(r->base + r->end), strerror(errno));
	return KCAP_IMPORT_FAILED;
fail:;
	const kcap_error *we = kcap_writer_error(r->c->w);
	NOTE(r, "%s: %s%s%s", r->name, kcap_strerror(rc), we && we->msg[0] ? ": " : "", we && we->msg[0] ? we->msg : "");
	return rc;
}

int kcap_scap_import_new(kcap_scap_import **out, const kcap_import_ctx *c)
{
	kcap_scap_import *r = calloc(1, sizeof *r);
	int rc = KCAP_E_NOMEM;
	*out = NULL;
	if (!r)
		return rc;
	r->c = c;
	r->out.w = c->w;
	r->out.write = write_held; /* the window holds records (hold()) */
	r->out.ud = r;
	r->origin = -1;
	r->meta = kcap_meta_new();
	r->snap = kcap_snapshot_new();
	r->schema = kcap_schema_new();
	if (!r->meta || !r->snap || !r->schema)
		goto cleanup;
	r->pcache = calloc(SCAP_EVENT_MAX, sizeof *r->pcache);
	if (!r->pcache)
		goto cleanup;
	if ((rc = kcap_reorder_new(&r->q, 0)) < 0 || (rc = build_types(r)) < 0)
		goto cleanup;
	if ((rc = kcap_taxonomy_schema(r->schema)) < 0 || (rc = kcap_writer_set_schema(c->w, r->schema)) < 0)
		goto cleanup;
	*out = r;
	return 0;
cleanup:
	kcap_scap_import_free(r);
	return rc;
}

int kcap_scap_import_finish(kcap_scap_import *r)
{
	int rc = 0;
	/* enters still waiting for their exits are events of their own */
	for (size_t i = 0; i < r->threads.cap && rc >= 0; i++) {
		thr *t = r->threads.vals[i];
		if (!t || !t->pend_len)
			continue;
		sev pe;
		if (decode_event(r, t->pend, t->pend_len, t->pend_v1, &pe) == 1) {
			pe.cpu = t->pend_cpu;
			rc = emit(r, &pe, NULL, pe.cpu);
		}
		t->pend_len = 0;
	}
	if (rc >= 0 && (r->origin < 0 || r->snap_dirty))
		rc = write_context(r);
	if (rc >= 0)
		rc = release(r, INT64_MAX, 0);
	if (rc >= 0 && r->drops_seen)
		for (uint32_t cpu = 0; cpu < sizeof r->drops / sizeof r->drops[0] && rc >= 0; cpu++)
			if (r->drops[cpu]) {
				kcap_stat st = {.origin = (uint16_t)r->origin, .cpu = cpu, .source = "scap-drop",
						.seen = r->st.events, .lost = r->drops[cpu]};
				rc = kcap_writer_set_stat(r->c->w, &st);
			}
	return rc;
}

void kcap_scap_import_free(kcap_scap_import *r)
{
	if (!r)
		return;
	umap_free(&r->threads, thr_free);
	umap_free(&r->fds, free);
	for (size_t i = 0; i < r->ntypes; i++) {
		free(r->types[i].params);
		free(r->types[i].src_type);
	}
	free(r->types);
	kcap_meta_free(r->meta);
	kcap_snapshot_free(r->snap);
	kcap_schema_free(r->schema);
	kcap_reorder_free(r->q);
	free(r->buf);
	free(r->scratch);
	kcap_buf_free(&r->rec);
	free(r->pcache);
	for (size_t i = 0; i < SCAP_EVENT_MAX; i++)
		free(r->plans[i]);
	free(r);
}

/* ---- the importer of the table ---- */
static int scap_open(void **st, const kcap_import_ctx *c)
{
	kcap_scap_import *r;
	int rc = kcap_scap_import_new(&r, c);
	if (rc < 0) {
		kcap_notef(c->note, c->note_ud, "scap: cannot start the import: %s", kcap_strerror(rc));
		return rc;
	}
	*st = r;
	return 0;
}

static int scap_input(void *st, int fd, const char *path)
{
	return kcap_scap_import_fd(st, fd, path);
}

static int scap_close(void *st, int ok)
{
	kcap_scap_import *r = st;
	if (!r)
		return 0;
	int rc = 0;
	if (ok) {
		rc = kcap_scap_import_finish(r);
		if (rc < 0)
			NOTE(r, "scap: %s", kcap_strerror(rc));
		if (r->st.disordered) {
			if (r->st.unordered)
				NOTE(r, "scap: %llu event(s) came after newer ones; %llu of them were further back than the "
				     "%lld s reorder window and were written as captured",
				     (unsigned long long)r->st.disordered, (unsigned long long)r->st.unordered,
				     REORDER_NS / 1000000000);
			else
				NOTE(r, "scap: %llu event(s) came after newer ones, put in time order",
				     (unsigned long long)r->st.disordered);
		}
		if (r->st.unknown_blocks)
			NOTE(r, "scap: %llu block(s) of unknown type skipped", (unsigned long long)r->st.unknown_blocks);
		if (r->st.unknown_events)
			NOTE(r, "scap: %llu event(s) of types this build does not know skipped",
			     (unsigned long long)r->st.unknown_events);
		if (r->st.damaged > KCAP_IMPORT_LINE_ERRORS)
			NOTE(r, "scap: %llu more damaged region(s) not shown",
			     (unsigned long long)(r->st.damaged - KCAP_IMPORT_LINE_ERRORS));
	}
	kcap_scap_import_free(r);
	return rc;
}

/* A section header block: 0A 0D 0D 0A. */
static int scap_probe(const unsigned char *h, size_t n)
{
	return n >= 4 && h[0] == 0x0A && h[1] == 0x0D && h[2] == 0x0D && h[3] == 0x0A;
}

const kcap_importer kcap_scap_importer = {
	.name = "scap",
	.what = "a sysdig/Falco capture (.scap)",
	.help = "sysdig/Falco captures, .scap or .scap.gz",
	.probe = scap_probe,
	.open = scap_open,
	.input = scap_input,
	.close = scap_close,
};
