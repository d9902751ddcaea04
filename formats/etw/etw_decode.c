/* etw_decode.c - the ETW decoder's core (etw_decode.h): the schema it
 * declares, building and handing over events, the generic per-provider
 * types, time, the session's metadata, the snapshot and loss counters,
 * and the state kept across records (file objects, KCBs, processes). The
 * mapping of each kernel class is in etw_classes.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "etw_priv.h"

#define FILETIME_UNIX_EPOCH 116444736000000000LL

/* ---- a map from u64 keys to strings (open addressing) ---- */
typedef struct smap_ent {
	uint64_t key;
	uint64_t aux;
	char *s;
	uint32_t n;
	uint8_t used; /* 1 used, 2 deleted */
} smap_ent;
typedef struct smap {
	smap_ent *e;
	size_t cap, n, dead;
} smap;

#define SMAP_MAX 1000000u /* entries kept at most: a hostile file cannot grow the maps without bound */

static size_t smap_hash(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	return (size_t)k;
}

static smap_ent *smap_find(const smap *m, uint64_t key)
{
	if (!m->cap)
		return NULL;
	for (size_t i = smap_hash(key) & (m->cap - 1), k = 0; k < m->cap; k++, i = (i + 1) & (m->cap - 1)) {
		smap_ent *e = &m->e[i];
		if (!e->used)
			return NULL;
		if (e->used == 1 && e->key == key)
			return e;
	}
	return NULL;
}

static int smap_grow(smap *m)
{
	size_t nc = m->cap ? m->cap * 2 : 256;
	if ((m->n + 1) * 2 < m->cap && m->dead)
		nc = m->cap; /* rehash in place to drop tombstones */
	smap_ent *ne = calloc(nc, sizeof *ne);
	if (!ne)
		return KCAP_E_NOMEM;
	for (size_t i = 0; i < m->cap; i++) {
		if (m->e[i].used != 1)
			continue;
		size_t j = smap_hash(m->e[i].key) & (nc - 1);
		while (ne[j].used)
			j = (j + 1) & (nc - 1);
		ne[j] = m->e[i];
	}
	free(m->e);
	m->e = ne;
	m->cap = nc;
	m->dead = 0;
	return 0;
}

static int smap_put(smap *m, uint64_t key, const char *s, size_t n, uint64_t aux)
{
	smap_ent *e = smap_find(m, key);
	if (!e) {
		if (m->n >= SMAP_MAX)
			return 0;
		if ((m->n + m->dead + 1) * 4 >= m->cap * 3 && smap_grow(m))
			return KCAP_E_NOMEM;
		size_t i = smap_hash(key) & (m->cap - 1);
		while (m->e[i].used == 1)
			i = (i + 1) & (m->cap - 1);
		e = &m->e[i];
		if (e->used == 2)
			m->dead--;
		e->used = 1;
		e->key = key;
		e->s = NULL;
		e->n = 0;
		m->n++;
	}
	if (n > 65535)
		n = 65535;
	char *c = malloc(n + 1);
	if (!c)
		return KCAP_E_NOMEM;
	memcpy(c, s, n);
	c[n] = 0;
	free(e->s);
	e->s = c;
	e->n = (uint32_t)n;
	e->aux = aux;
	return 0;
}

static void smap_del(smap *m, uint64_t key)
{
	smap_ent *e = smap_find(m, key);
	if (!e)
		return;
	free(e->s);
	e->s = NULL;
	e->used = 2;
	m->n--;
	m->dead++;
}

static void smap_free(smap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		if (m->e[i].used == 1)
			free(m->e[i].s);
	free(m->e);
	memset(m, 0, sizeof *m);
}

/* ---- the decoder ---- */
typedef struct gtype {
	kcap_etw_guid g;
	uint32_t id;
} gtype;

typedef struct pend_str {
	uint32_t idx;
	size_t off;
} pend_str;

struct kcap_etw_decoder {
	kcap_etw_sink sink;
	void *ud;
	kcap_writer *w;
	kcap_schema *s;
	uint64_t gen_sent;
	int schema_sent;
	int origin;
	int have_session;
	kcap_etw_clock clock;
	int64_t origin_ns;
	kcap_meta *meta;   /* the origin's metadata, declared with the first event out */
	int origin_sent;
	kcap_etw_decoder_stats st;
	/* standard types: where their extras and the tail begin */
	uint16_t ext_off[256], tail_off[256];
	gtype *gt;
	size_t ngt, capgt, last_gt;
	/* the event being built */
	kcap_event ev;
	const kcap_type_def *def;
	uint32_t tail;
	kcap_value vals[KCAP_MAX_PARAMS];
	kcap_buf sb;
	pend_str pend[KCAP_MAX_PARAMS];
	uint32_t npend;
	kcap_buf comm;
	/* state */
	smap files, kcbs, procs;
	kcap_snapshot *snap;
	int snap_sent;
	char hostname[256];
	uint64_t events_lost, buffers_lost;
	uint64_t seq;
	int ppid_set;
	/* events held until the process snapshot is written (readers load a
	 * section's snapshot before its first event) */
	kcap_reorder *held;
	uint64_t nheld, held_bytes, hold_max;
	int holding;
};

#define HOLD_EVENTS 200000u        /* at most this many events wait for the snapshot ... */
#define HOLD_BYTES (64ull << 20)   /* ... and this many bytes of them */

/* ---- the schema ---- */
#define P(n, t) { n, KCAP_T_##t, 0, 0 }
static const kcap_param_def TAIL[ETW_T_N_] = {
	P("etw_provider", GUID), P("etw_group", U8), P("etw_id", U16), P("etw_opcode", U8), P("etw_version", U8),
	P("etw_level", U8), P("etw_keywords", U64), { "etw_header", KCAP_T_ENUM, 0, ETW_SYMS_HEADER },
	P("etw_related_activity", GUID), P("etw_user_sid", SID), P("etw_stack", BYTES), P("etw_ext", BYTES),
};
static const kcap_param_def GEN[ETW_G_N_] = {
	P("etw_task", U16), P("etw_channel", U8), P("etw_flags", U16), P("etw_activity", GUID), P("data", BYTES),
};
static const kcap_param_def X_FILE[ETW_X_FILE_N_] = {
	P("file_object", U64), P("irp", U64), P("file_key", U64), P("ttid", PID), P("create_options", U32),
	P("attributes", U32), P("share_access", U32), P("io_flags", U32), P("info_class", U32), P("extra_info", U64),
};
static const kcap_param_def X_NET[ETW_X_NET_N_] = {
	P("laddr", SOCKADDR), { "protocol", KCAP_T_ENUM, 0, KCAP_SYMS_IPPROTO }, P("conn_id", U64), P("seqnum", U32),
};
#undef P

static const kcap_sym S_HEADER[] = {
	{ 0, 0, "live" }, { 1, 0, "system32" }, { 2, 0, "system64" }, { 3, 0, "compact32" }, { 4, 0, "compact64" },
	{ 10, 0, "full32" }, { 11, 0, "instance32" }, { 16, 0, "perfinfo32" }, { 17, 0, "perfinfo64" },
	{ 18, 0, "event32" }, { 19, 0, "event64" }, { 20, 0, "full64" }, { 21, 0, "instance64" },
	{ 0x84, 0, "classic32" }, { 0x88, 0, "classic64" },
};
static const kcap_symset SYMS_HEADER = { ETW_SYMS_HEADER, KCAP_SYMSET_ENUM, "etw_header",
	(uint32_t)(sizeof S_HEADER / sizeof S_HEADER[0]), S_HEADER };

/* Declares a type: base's params, then extra, then the tail (the generic
 * types: the tail, then GEN). */
static int add_type(kcap_etw_decoder *d, uint32_t id, const char *name, const char *cat, const char *desc,
                    const kcap_param_def *base, uint32_t nbase, const kcap_param_def *extra, uint32_t nextra,
                    int tail_first)
{
	kcap_param_def ps[KCAP_MAX_PARAMS];
	uint32_t n = 0;
	if (nbase + nextra + ETW_T_N_ > KCAP_MAX_PARAMS)
		return KCAP_E_INVAL;
	if (tail_first)
		for (uint32_t i = 0; i < ETW_T_N_; i++)
			ps[n++] = TAIL[i];
	for (uint32_t i = 0; i < nbase; i++)
		ps[n++] = base[i];
	for (uint32_t i = 0; i < nextra; i++)
		ps[n++] = extra[i];
	if (!tail_first)
		for (uint32_t i = 0; i < ETW_T_N_; i++)
			ps[n++] = TAIL[i];
	kcap_type_def t = { id, name, cat, desc, n, ps };
	if (id < 256) {
		d->ext_off[id] = (uint16_t)nbase;
		d->tail_off[id] = (uint16_t)(nbase + nextra);
	}
	return kcap_schema_add_type(d->s, &t);
}

/* The standard types the decoder writes, with their extras. */
static const struct {
	uint32_t id;
	int extra; /* 0 none, 1 PROCESS, 2 FILEIO, 3 NET */
} STD[] = {
	{ KCAP_EV_EXECVE, 1 }, { KCAP_EV_EXIT_GROUP, 1 },
	{ KCAP_EV_THREAD_START, 0 }, { KCAP_EV_THREAD_END, 0 }, { KCAP_EV_IMAGE_LOAD, 0 },
	{ KCAP_EV_IMAGE_UNLOAD, 0 }, { KCAP_EV_PROCESS_RUNDOWN, 0 }, { KCAP_EV_IMAGE_RUNDOWN, 0 },
	{ KCAP_EV_THREAD_RUNDOWN, 0 },
	{ KCAP_EV_OPEN, 2 }, { KCAP_EV_CLOSE, 2 }, { KCAP_EV_READ, 2 }, { KCAP_EV_WRITE, 2 }, { KCAP_EV_UNLINK, 2 },
	{ KCAP_EV_RENAME, 2 },
	{ KCAP_EV_DISK_READ, 0 }, { KCAP_EV_DISK_WRITE, 0 }, { KCAP_EV_DISK_FLUSH, 0 }, { KCAP_EV_FILE_NAME, 0 },
	{ KCAP_EV_FILE_CLEANUP, 0 },
	{ KCAP_EV_CONNECT, 3 }, { KCAP_EV_ACCEPT, 3 }, { KCAP_EV_SENDTO, 3 }, { KCAP_EV_RECVFROM, 3 },
	{ KCAP_EV_DISCONNECT, 3 },
	{ KCAP_EV_REG_CREATE_KEY, 0 }, { KCAP_EV_REG_OPEN_KEY, 0 }, { KCAP_EV_REG_DELETE_KEY, 0 },
	{ KCAP_EV_REG_QUERY_KEY, 0 }, { KCAP_EV_REG_SET_VALUE, 0 }, { KCAP_EV_REG_DELETE_VALUE, 0 },
	{ KCAP_EV_REG_QUERY_VALUE, 0 }, { KCAP_EV_REG_KCB_RUNDOWN, 0 },
};

static int build_schema(kcap_etw_decoder *d)
{
	int rc = 0;
	const kcap_symset *ss;
	for (size_t i = 0; (ss = kcap_taxonomy_symset_at(i)); i++)
		if ((rc = kcap_schema_add_symset(d->s, ss)) < 0)
			return rc;
	if ((rc = kcap_schema_add_symset(d->s, &SYMS_HEADER)) < 0)
		return rc;
	const kcap_type_def *proc = kcap_taxonomy_type(KCAP_EV_PROCESS_RUNDOWN);
	for (size_t i = 0; i < sizeof STD / sizeof STD[0]; i++) {
		const kcap_type_def *t = kcap_taxonomy_type(STD[i].id);
		if (!t)
			return KCAP_E_INVAL;
		const kcap_param_def *x = NULL;
		uint32_t nx = 0;
		if (STD[i].extra == 1) {
			x = proc->params;
			nx = proc->nparams;
		} else if (STD[i].extra == 2) {
			x = X_FILE;
			nx = ETW_X_FILE_N_;
		} else if (STD[i].extra == 3) {
			x = X_NET;
			nx = ETW_X_NET_N_;
		}
		if ((rc = add_type(d, t->id, t->name, t->category, t->description, t->params, t->nparams, x, nx, 0)) < 0)
			return rc;
	}
	return 0;
}

static int send_schema(kcap_etw_decoder *d)
{
	uint64_t g = kcap_schema_generation(d->s);
	if (d->schema_sent && g == d->gen_sent)
		return 0;
	d->schema_sent = 1;
	d->gen_sent = g;
	return d->sink.set_schema ? d->sink.set_schema(d->ud, d->s) : 0;
}

/* The generic type of provider g, declared on first use. Its id depends
 * on the provider only (a known provider's place in the class table, else
 * a hash of its GUID), so that every decoder (one per input file, and the
 * live recorder) gives a provider the same id. */
static uint32_t generic_type(kcap_etw_decoder *d, const kcap_etw_guid *g, int group, int *rc)
{
	if (d->ngt && !memcmp(d->gt[d->last_gt].g.b, g->b, 16))
		return d->gt[d->last_gt].id;
	for (size_t i = 0; i < d->ngt; i++)
		if (!memcmp(d->gt[i].g.b, g->b, 16)) {
			d->last_gt = i;
			return d->gt[i].id;
		}
	if (kcap_array_room(&d->gt, &d->capgt, d->ngt, sizeof *d->gt, 32)) {
		*rc = KCAP_E_NOMEM;
		return 0;
	}
	char name[64], gs[37];
	static const kcap_etw_guid zero;
	int known = etw_provider_index(g);
	uint32_t id;
	if (known >= 0) {
		id = ETW_TYPE_GENERIC + (uint32_t)known;
		snprintf(name, sizeof name, "etw:%s", etw_provider_name(g));
	} else if (!memcmp(g->b, zero.b, 16)) {
		id = ETW_TYPE_GENERIC + 0x8000u + (uint32_t)(group >= 0 ? group : 0xff);
		if (group >= 0)
			snprintf(name, sizeof name, "etw:group-0x%02x", group);
		else
			snprintf(name, sizeof name, "etw:unknown");
	} else {
		uint32_t h = 2166136261u;
		for (int i = 0; i < 16; i++)
			h = (h ^ g->b[i]) * 16777619u;
		id = 0x100000u + (h & 0xfffffu);
		kcap_etw_guid_format(g, gs);
		snprintf(name, sizeof name, "etw:%s", gs);
	}
	/* an id taken by another name (a hash clash): the next free one */
	const kcap_type_def *t;
	while ((t = kcap_schema_type(d->s, id)) && strcmp(t->name, name))
		id++;
	if ((*rc = add_type(d, id, name, "etw", "ETW event kept as recorded (provider, ids, raw payload)", GEN,
	                    ETW_G_N_, NULL, 0, 1)) < 0)
		return 0;
	d->gt[d->ngt].g = *g;
	d->gt[d->ngt].id = id;
	d->ngt++;
	*rc = 0;
	return id;
}

/* ---- writer sink ---- */
static int w_schema(void *ud, const kcap_schema *s) { return kcap_writer_set_schema(ud, s); }
static int w_origin(void *ud, const kcap_meta *m) { return kcap_writer_add_meta(ud, m); }
static int w_event(void *ud, const kcap_event *ev) { return kcap_writer_write(ud, ev); }
static int w_snapshot(void *ud, const kcap_snapshot *s) { return kcap_writer_add_snapshot(ud, s); }
static int w_stat(void *ud, const kcap_stat *st) { return kcap_writer_set_stat(ud, st); }

int kcap_etw_decoder_open(kcap_etw_decoder **dp, const kcap_etw_sink *sink, void *ud, kcap_error *err)
{
	int rc = KCAP_E_NOMEM;
	kcap_etw_decoder *d = NULL;
	if (!dp || !sink || !sink->event) {
		rc = KCAP_E_INVAL;
		if (err)
			kcap_seterr(err, rc, -1, "etw decoder: no event callback");
		goto cleanup;
	}
	*dp = NULL;
	d = calloc(1, sizeof *d);
	if (!d || !(d->s = kcap_schema_new()) || !(d->snap = kcap_snapshot_new()) || kcap_reorder_new(&d->held, 0))
		goto cleanup;
	d->holding = 1;
	d->hold_max = HOLD_EVENTS;
	d->sink = *sink;
	d->ud = ud;
	d->origin = 0;
	d->clock.type = KCAP_ETW_CLOCK_FILETIME;
	d->clock.freq = 10000000;
	if ((rc = build_schema(d)) < 0) {
		if (err)
			kcap_seterr(err, rc, -1, "etw decoder: cannot build its schema");
		goto cleanup;
	}
	*dp = d;
	d = NULL;
	rc = 0;
cleanup:
	if (d && rc == KCAP_E_NOMEM && err)
		kcap_seterr(err, rc, -1, "out of memory");
	kcap_etw_decoder_close(d);
	return rc;
}

int kcap_etw_decoder_open_writer(kcap_etw_decoder **dp, kcap_writer *w, kcap_error *err)
{
	static const kcap_etw_sink ws = { w_schema, w_origin, w_event, w_snapshot, w_stat };
	int rc = kcap_etw_decoder_open(dp, &ws, w, err);
	if (!rc)
		(*dp)->w = w;
	return rc;
}

void kcap_etw_decoder_close(kcap_etw_decoder *d)
{
	if (!d)
		return;
	kcap_schema_free(d->s);
	kcap_snapshot_free(d->snap);
	kcap_reorder_free(d->held);
	kcap_meta_free(d->meta);
	smap_free(&d->files);
	smap_free(&d->kcbs);
	smap_free(&d->procs);
	kcap_buf_free(&d->sb);
	kcap_buf_free(&d->comm);
	free(d->gt);
	free(d);
}

void kcap_etw_decoder_set_hold(kcap_etw_decoder *d, uint64_t max_events)
{
	if (!d || d->st.events)
		return;
	d->hold_max = max_events;
	d->holding = max_events > 0;
}

const kcap_schema *kcap_etw_decoder_schema(const kcap_etw_decoder *d) { return d ? d->s : NULL; }
const kcap_etw_decoder_stats *kcap_etw_decoder_get_stats(const kcap_etw_decoder *d) { return d ? &d->st : NULL; }

/* ---- time ---- */
int64_t kcap_etw_filetime_to_ns(int64_t ft)
{
	/* saturate rather than overflow on hostile values */
	int64_t d;
	if (__builtin_sub_overflow(ft, FILETIME_UNIX_EPOCH, &d))
		return ft > 0 ? INT64_MAX : INT64_MIN;
	if (d > INT64_MAX / 100)
		return INT64_MAX;
	if (d < INT64_MIN / 100)
		return INT64_MIN;
	return d * 100;
}

/* ticks * 10^9 / freq without overflowing for sane values, saturating otherwise. */
static int64_t muldiv(int64_t t, int64_t f)
{
	if (f <= 0)
		return 0;
	int64_t q = t / f, r = t % f;
	if (q > INT64_MAX / 1000000000 || q < INT64_MIN / 1000000000)
		return q > 0 ? INT64_MAX / 2 : INT64_MIN / 2;
	/* r * 10^9 fits 64 bits for every clock up to 9.2 GHz: no 128-bit division */
	int64_t rr = r < 9223372036 && r > -9223372036 ? r * 1000000000 / f : (int64_t)((__int128)r * 1000000000 / f);
	return q * 1000000000 + rr;
}

int64_t etw_ticks_to_ns(const kcap_etw_decoder *d, int64_t ticks)
{
	if (d->clock.type == KCAP_ETW_CLOCK_SYSTEM || d->clock.type == KCAP_ETW_CLOCK_FILETIME)
		return ticks > INT64_MAX / 100 ? INT64_MAX : ticks < INT64_MIN / 100 ? INT64_MIN : ticks * 100;
	return muldiv(ticks, d->clock.freq);
}

static int64_t sat_add(int64_t a, int64_t b)
{
	if (b > 0 && a > INT64_MAX - b)
		return INT64_MAX;
	if (b < 0 && a < INT64_MIN - b)
		return INT64_MIN;
	return a + b;
}

int64_t kcap_etw_decoder_time(const kcap_etw_decoder *d, int64_t raw)
{
	if (d->clock.type == KCAP_ETW_CLOCK_SYSTEM || d->clock.type == KCAP_ETW_CLOCK_FILETIME || d->clock.freq <= 0)
		return kcap_etw_filetime_to_ns(raw);
	int64_t dt;
	if (__builtin_sub_overflow(raw, d->clock.origin_ticks, &dt))
		dt = raw > d->clock.origin_ticks ? INT64_MAX : INT64_MIN;
	return sat_add(d->origin_ns, muldiv(dt, d->clock.freq));
}

/* ---- the session ---- */
static void meta_num(kcap_meta *m, const char *k, uint64_t v)
{
	char b[32];
	snprintf(b, sizeof b, "%llu", (unsigned long long)v);
	kcap_meta_set(m, k, b);
}

void etw_set_hostname(kcap_etw_decoder *d, const char *s, size_t n)
{
	if (d->hostname[0] || !n)
		return;
	if (n >= sizeof d->hostname)
		n = sizeof d->hostname - 1;
	memcpy(d->hostname, s, n);
	d->hostname[n] = 0;
}

static int ensure_origin(kcap_etw_decoder *d);

static int send_stats(kcap_etw_decoder *d)
{
	if (!d->sink.set_stat || !d->have_session)
		return 0;
	int orc = ensure_origin(d);
	if (orc < 0)
		return orc;
	kcap_stat a = { (uint16_t)d->origin, UINT32_MAX, "etw-events-lost", d->st.records, d->events_lost };
	kcap_stat b = { (uint16_t)d->origin, UINT32_MAX, "etw-buffers-lost", 0, d->buffers_lost };
	int rc = d->sink.set_stat(d->ud, &a);
	if (!rc)
		rc = d->sink.set_stat(d->ud, &b);
	return rc;
}

int kcap_etw_decoder_session(kcap_etw_decoder *d, const kcap_etw_session *s)
{
	int rc = 0;
	kcap_meta *m = NULL;
	if (!d || !s)
		return KCAP_E_INVAL;
	if (d->have_session) {
		/* a later header of a merged file: loss adds up */
		d->events_lost += s->events_lost;
		d->buffers_lost += s->buffers_lost;
		return 0;
	}
	d->clock = s->clock;
	if ((d->clock.type == KCAP_ETW_CLOCK_QPC || d->clock.type == KCAP_ETW_CLOCK_CYCLES) && d->clock.freq <= 0)
		d->clock.type = KCAP_ETW_CLOCK_FILETIME;
	d->origin_ns = kcap_etw_filetime_to_ns(d->clock.origin_filetime);
	d->events_lost = s->events_lost;
	d->buffers_lost = s->buffers_lost;
	if (s->computer_name)
		etw_set_hostname(d, s->computer_name, strlen(s->computer_name));
	if (!(m = kcap_meta_new()))
		return KCAP_E_NOMEM;
	char b[96];
	if (d->hostname[0])
		kcap_meta_set(m, KCAP_META_HOSTNAME, d->hostname);
	kcap_meta_set(m, KCAP_META_OS, "Windows");
	snprintf(b, sizeof b, "%u.%u.%u", s->os_major, s->os_minor, s->os_build);
	kcap_meta_set(m, KCAP_META_KERNEL, b);
	kcap_meta_set(m, KCAP_META_SOURCE, s->source ? s->source : "etl");
	kcap_meta_set(m, KCAP_META_SOURCE_VERSION, "kcap-etw 1");
	if (s->start_filetime)
		meta_num(m, KCAP_META_CAPTURE_START, (uint64_t)kcap_etw_filetime_to_ns(s->start_filetime));
	static const char *const clocks[] = { "?", "QPC", "system time", "CPU cycles", "FILETIME" };
	kcap_meta_set(m, KCAP_META_CLOCK,
	              d->clock.type >= 1 && d->clock.type <= 4 ? clocks[d->clock.type] : clocks[0]);
	if (s->boot_filetime) {
		meta_num(m, "etw_boot_time", (uint64_t)kcap_etw_filetime_to_ns(s->boot_filetime));
	}
	if (s->end_filetime)
		meta_num(m, "etw_end_time", (uint64_t)kcap_etw_filetime_to_ns(s->end_filetime));
	if (s->logger_name)
		kcap_meta_set(m, "etw_logger_name", s->logger_name);
	if (s->log_file_name)
		kcap_meta_set(m, "etw_log_file_name", s->log_file_name);
	snprintf(b, sizeof b, "0x%08x", s->log_file_mode);
	kcap_meta_set(m, "etw_log_file_mode", b);
	meta_num(m, "etw_ncpus", s->ncpus);
	meta_num(m, "etw_pointer_size", s->ptr_size);
	meta_num(m, "etw_timer_resolution_100ns", s->timer_resolution);
	meta_num(m, "etw_buffer_size", s->buffer_size);
	meta_num(m, "etw_cpu_mhz", s->cpu_mhz);
	meta_num(m, "etw_clock_freq", (uint64_t)(d->clock.freq > 0 ? d->clock.freq : 0));
	meta_num(m, "etw_events_lost", s->events_lost);
	meta_num(m, "etw_buffers_lost", s->buffers_lost);
	snprintf(b, sizeof b, "%d", -s->tz_bias_minutes);
	kcap_meta_set(m, "etw_utc_offset_minutes", b);
	if ((rc = send_schema(d)) < 0)
		goto cleanup;
	/* declared with the first event that goes out: a SystemConfig record
	 * before it still names the host */
	kcap_meta_free(d->meta);
	d->meta = m;
	m = NULL;
	d->have_session = 1;
	rc = 0;
cleanup:
	kcap_meta_free(m);
	return rc;
}

/* Declares the origin (once), with the host name if one was seen. */
static int ensure_origin(kcap_etw_decoder *d)
{
	if (d->origin_sent || !d->meta)
		return 0;
	d->origin_sent = 1;
	if (d->hostname[0] && !kcap_meta_get(d->meta, KCAP_META_HOSTNAME) &&
	    kcap_meta_set(d->meta, KCAP_META_HOSTNAME, d->hostname))
		return KCAP_E_NOMEM;
	if (!d->sink.add_origin)
		return 0;
	int rc = d->sink.add_origin(d->ud, d->meta);
	if (rc < 0)
		return rc;
	d->origin = rc;
	return 0;
}

int kcap_etw_decoder_loss(kcap_etw_decoder *d, uint32_t cpu, const char *source, uint64_t seen, uint64_t lost)
{
	if (!d || !source)
		return KCAP_E_INVAL;
	if (!d->sink.set_stat)
		return 0;
	int rc = ensure_origin(d);
	if (rc < 0)
		return rc;
	kcap_stat st = { (uint16_t)d->origin, cpu, source, seen, lost };
	return d->sink.set_stat(d->ud, &st);
}

/* ---- state ---- */
int etw_file_name_set(kcap_etw_decoder *d, uint64_t fo, const char *s, size_t n)
{
	return smap_put(&d->files, fo, s, n, 0);
}
const char *etw_file_name_get(kcap_etw_decoder *d, uint64_t fo, size_t *n)
{
	smap_ent *e = smap_find(&d->files, fo);
	*n = e ? e->n : 0;
	return e ? e->s : NULL;
}
void etw_file_name_del(kcap_etw_decoder *d, uint64_t fo) { smap_del(&d->files, fo); }
int etw_kcb_set(kcap_etw_decoder *d, uint64_t kcb, const char *s, size_t n) { return smap_put(&d->kcbs, kcb, s, n, 0); }
const char *etw_kcb_get(kcap_etw_decoder *d, uint64_t kcb, size_t *n)
{
	smap_ent *e = smap_find(&d->kcbs, kcb);
	*n = e ? e->n : 0;
	return e ? e->s : NULL;
}
void etw_kcb_del(kcap_etw_decoder *d, uint64_t kcb) { smap_del(&d->kcbs, kcb); }
int etw_proc_set(kcap_etw_decoder *d, uint32_t pid, uint32_t ppid, const char *image, size_t n)
{
	return smap_put(&d->procs, pid, image, n, ppid);
}

int etw_snap_add(kcap_etw_decoder *d, uint32_t pid, uint32_t ppid, const char *image, size_t ni, const char *cmd,
                 size_t nc, int64_t ts)
{
	if (d->snap_sent)
		return 0;
	char *c = malloc(nc + 1), *im = malloc(ni + 1);
	int rc = KCAP_E_NOMEM;
	if (!c || !im)
		goto cleanup;
	memcpy(c, cmd, nc);
	c[nc] = 0;
	memcpy(im, image, ni);
	im[ni] = 0;
	kcap_proc p = { 0 };
	p.pid = (int32_t)pid;
	p.ppid = (int32_t)ppid;
	p.uid = p.gid = UINT32_MAX;
	p.start_ts = 0;
	(void)ts;
	p.comm = im;
	p.exe = im;
	p.cwd = "";
	p.cmdline = c;
	p.cmdline_len = nc ? (uint32_t)nc + 1 : 0;
	rc = kcap_snapshot_add(d->snap, &p);
cleanup:
	free(c);
	free(im);
	return rc;
}

/* Hands the held events over, oldest first, and stops holding. */
static int release_held(kcap_etw_decoder *d)
{
	d->holding = 0;
	kcap_event *e;
	int rc = ensure_origin(d);
	while (d->held && (e = kcap_reorder_pop(d->held, INT64_MAX))) {
		e->origin = (uint16_t)d->origin;
		if (!rc && (rc = d->sink.event(d->ud, e)) >= 0)
			rc = 0;
	}
	d->nheld = d->held_bytes = 0;
	return rc;
}

int etw_snap_flush(kcap_etw_decoder *d)
{
	int rc = 0;
	if (!d->snap_sent && kcap_snapshot_count(d->snap)) {
		d->snap_sent = 1;
		rc = ensure_origin(d);
		if (!rc && d->sink.set_snapshot)
			rc = d->sink.set_snapshot(d->ud, d->snap);
	}
	/* the events held so far follow the snapshot */
	if (!rc && d->holding)
		rc = release_held(d);
	return rc;
}

/* ---- building an event ---- */
uint32_t etw_ext_off(const kcap_etw_decoder *d, uint32_t type) { return type < 256 ? d->ext_off[type] : ETW_T_N_; }

static uint8_t header_code(const kcap_etw_record *r)
{
	int w = r->ptr_size == 4 ? 0 : 1;
	switch (r->kind) {
	case KCAP_ETW_HDR_SYSTEM: return (uint8_t)(1 + w);
	case KCAP_ETW_HDR_COMPACT: return (uint8_t)(3 + w);
	case KCAP_ETW_HDR_PERFINFO: return (uint8_t)(16 + w);
	case KCAP_ETW_HDR_FULL: return w ? 20 : 10;
	case KCAP_ETW_HDR_EVENT: return (uint8_t)(18 + w);
	case KCAP_ETW_HDR_CLASSIC: return w ? 0x88 : 0x84;
	default: return 0;
	}
}

static int pend(kcap_etw_decoder *d, uint32_t i, size_t off);

int etw_ev_begin(kcap_etw_decoder *d, uint32_t type, const kcap_etw_record *r)
{
	d->def = kcap_schema_type(d->s, type);
	if (!d->def)
		return KCAP_E_INVAL;
	d->tail = type < 256 ? d->tail_off[type] : 0;
	memset(&d->ev, 0, sizeof d->ev);
	d->ev.type_id = type;
	d->ev.seq = d->seq++;
	d->ev.origin = (uint16_t)d->origin;
	d->ev.ts = kcap_etw_decoder_time(d, r->timestamp);
	d->ev.pid = r->pid == KCAP_ETW_NO_ID ? -1 : (int32_t)r->pid;
	d->ev.tid = r->tid == KCAP_ETW_NO_ID ? -1 : (int32_t)r->tid;
	d->ev.ppid = -1;
	d->ppid_set = 0;
	d->ev.cpu = r->cpu;
	d->ev.uid = d->ev.gid = UINT32_MAX;
	d->ev.nparams = d->def->nparams;
	d->ev.params = d->vals;
	/* the writer reads only present values, and every setter fills what it
	 * sets: clearing the flags is enough */
	const kcap_param_def *pd = d->def->params;
	kcap_value *vals = d->vals;
	for (uint32_t i = 0, np = d->def->nparams; i < np; i++) {
		vals[i].present = 0;
		vals[i].type = pd[i].type;
	}
	d->sb.len = 0;
	d->npend = 0;
	uint32_t t = d->tail;
	int group = -1;
	if (r->has_hook)
		group = r->hook >> 8;
	kcap_value *v = &d->vals[t + ETW_T_PROVIDER];
	const kcap_etw_guid *g = &r->provider;
	static const kcap_etw_guid zero;
	if (!memcmp(g->b, zero.b, 16) && group >= 0 && etw_group_guid(group))
		g = etw_group_guid(group);
	v->present = 1;
	memcpy(v->addr, g->b, 16);
	if (group >= 0)
		etw_set_u(d, t + ETW_T_GROUP, (uint64_t)group);
	if (r->kind == KCAP_ETW_HDR_EVENT)
		etw_set_u(d, t + ETW_T_ID, r->id);
	etw_set_u(d, t + ETW_T_OPCODE, r->opcode);
	etw_set_u(d, t + ETW_T_VERSION, r->version);
	etw_set_u(d, t + ETW_T_LEVEL, r->level);
	if (r->kind == KCAP_ETW_HDR_EVENT)
		etw_set_u(d, t + ETW_T_KEYWORDS, r->keywords);
	etw_set_u(d, t + ETW_T_HEADER, header_code(r));
	/* the extended data items */
	size_t off0 = d->sb.len;
	for (uint16_t k = 0; k < r->next; k++) {
		const kcap_etw_ext *e = &r->ext[k];
		if (e->type == KCAP_ETW_EXT_RELATED_ACTIVITYID && e->size >= 16) {
			d->vals[t + ETW_T_RELATED].present = 1;
			memcpy(d->vals[t + ETW_T_RELATED].addr, e->data, 16);
		} else if (e->type == KCAP_ETW_EXT_SID && e->size >= 8 && (size_t)8 + 4u * e->data[1] <= e->size) {
			etw_set_bytes(d, t + ETW_T_USER_SID, e->data, 8 + 4u * e->data[1]);
		} else if ((e->type == KCAP_ETW_EXT_STACK_TRACE32 || e->type == KCAP_ETW_EXT_STACK_TRACE64) &&
		           !d->vals[t + ETW_T_STACK].present) {
			etw_set_bytes(d, t + ETW_T_STACK, e->data, e->size);
		} else {
			/* other items as recorded: u16 type, u16 size, data */
			uint8_t h[4] = { (uint8_t)e->type, (uint8_t)(e->type >> 8), (uint8_t)e->size,
			                 (uint8_t)(e->size >> 8) };
			if (kcap_buf_append(&d->sb, h, 4) || (e->size && kcap_buf_append(&d->sb, e->data, e->size)))
				return KCAP_E_NOMEM;
		}
	}
	if (d->sb.len > off0)
		pend(d, t + ETW_T_EXT, off0);
	return 0;
}

void etw_set_u(kcap_etw_decoder *d, uint32_t i, uint64_t v)
{
	if (i >= d->ev.nparams)
		return;
	d->vals[i].present = 1;
	d->vals[i].u = v;
}
void etw_set_i(kcap_etw_decoder *d, uint32_t i, int64_t v)
{
	if (i >= d->ev.nparams)
		return;
	d->vals[i].present = 1;
	d->vals[i].i = v;
}
void etw_set_bytes(kcap_etw_decoder *d, uint32_t i, const uint8_t *p, size_t n)
{
	if (i >= d->ev.nparams || n > UINT32_MAX)
		return;
	d->vals[i].present = 1;
	d->vals[i].p = p;
	d->vals[i].len = (uint32_t)n;
}
void etw_set_addr(kcap_etw_decoder *d, uint32_t i, const uint8_t *a, int v6, uint16_t port)
{
	if (i >= d->ev.nparams)
		return;
	kcap_value *v = &d->vals[i];
	v->present = 1;
	v->af = v6 ? KCAP_AF_INET6 : KCAP_AF_INET;
	v->port = port;
	memcpy(v->addr, a, v6 ? 16 : 4);
}
void etw_set_pid(kcap_etw_decoder *d, int32_t pid) { d->ev.pid = pid; }
void etw_set_ppid(kcap_etw_decoder *d, int32_t ppid)
{
	d->ev.ppid = ppid;
	d->ppid_set = 1;
}
void etw_set_tid(kcap_etw_decoder *d, int32_t tid) { d->ev.tid = tid; }

/* Appends text to the scratch and notes it for param i. */
static int pend(kcap_etw_decoder *d, uint32_t i, size_t off)
{
	if (i >= d->ev.nparams || d->npend >= KCAP_MAX_PARAMS)
		return 0;
	d->vals[i].present = 1;
	d->vals[i].len = (uint32_t)(d->sb.len - off);
	d->pend[d->npend].idx = i;
	d->pend[d->npend].off = off;
	d->npend++;
	return 0;
}

int etw_set_text(kcap_etw_decoder *d, uint32_t i, const char *s, size_t n)
{
	size_t off = d->sb.len;
	if (kcap_buf_append(&d->sb, s, n))
		return KCAP_E_NOMEM;
	return pend(d, i, off);
}

int etw_set_ansi(kcap_etw_decoder *d, uint32_t i, const uint8_t *p, size_t n)
{
	size_t off = d->sb.len;
	if (kcap_buf_reserve(&d->sb, 2 * n + 1))
		return KCAP_E_NOMEM;
	char *o = d->sb.data + d->sb.len;
	for (size_t k = 0; k < n; k++) {
		uint8_t c = p[k];
		if (c < 0x80)
			*o++ = (char)c;
		else { /* Latin-1 */
			*o++ = (char)(0xc0 | (c >> 6));
			*o++ = (char)(0x80 | (c & 0x3f));
		}
	}
	d->sb.len = (size_t)(o - d->sb.data);
	return pend(d, i, off);
}

/* UTF-16LE to UTF-8 into the scratch (unpaired surrogates as U+FFFD). */
static int utf16_append(kcap_buf *b, const uint8_t *p, size_t n)
{
	if (kcap_buf_reserve(b, (n / 2) * 3 + 4))
		return KCAP_E_NOMEM;
	char *o = b->data + b->len;
	for (size_t k = 0; k + 1 < n; k += 2) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		/* names and paths are mostly ASCII: four units at a time */
		for (uint64_t v; k + 8 <= n && (memcpy(&v, p + k, 8), !(v & 0xff80ff80ff80ff80ull)); k += 8, o += 4) {
			o[0] = (char)v;
			o[1] = (char)(v >> 16);
			o[2] = (char)(v >> 32);
			o[3] = (char)(v >> 48);
		}
		if (k + 1 >= n)
			break;
#endif
		uint32_t c = (uint32_t)p[k] | ((uint32_t)p[k + 1] << 8);
		if (c >= 0xd800 && c < 0xdc00 && k + 3 < n) {
			uint32_t c2 = (uint32_t)p[k + 2] | ((uint32_t)p[k + 3] << 8);
			if (c2 >= 0xdc00 && c2 < 0xe000) {
				c = 0x10000 + ((c - 0xd800) << 10) + (c2 - 0xdc00);
				k += 2;
			} else
				c = 0xfffd;
		} else if (c >= 0xd800 && c < 0xe000)
			c = 0xfffd;
		if (c < 0x80)
			*o++ = (char)c;
		else if (c < 0x800) {
			*o++ = (char)(0xc0 | (c >> 6));
			*o++ = (char)(0x80 | (c & 0x3f));
		} else if (c < 0x10000) {
			*o++ = (char)(0xe0 | (c >> 12));
			*o++ = (char)(0x80 | ((c >> 6) & 0x3f));
			*o++ = (char)(0x80 | (c & 0x3f));
		} else {
			*o++ = (char)(0xf0 | (c >> 18));
			*o++ = (char)(0x80 | ((c >> 12) & 0x3f));
			*o++ = (char)(0x80 | ((c >> 6) & 0x3f));
			*o++ = (char)(0x80 | (c & 0x3f));
		}
	}
	b->len = (size_t)(o - b->data);
	return 0;
}

int etw_set_utf16(kcap_etw_decoder *d, uint32_t i, const uint8_t *p, size_t n)
{
	size_t off = d->sb.len;
	if (utf16_append(&d->sb, p, n))
		return KCAP_E_NOMEM;
	return pend(d, i, off);
}

int etw_set_strlist1(kcap_etw_decoder *d, uint32_t i, const uint8_t *p, size_t n)
{
	size_t off = d->sb.len;
	if (utf16_append(&d->sb, p, n) || kcap_buf_append(&d->sb, "", 1))
		return KCAP_E_NOMEM;
	if (i < d->ev.nparams)
		d->vals[i].count = 1;
	return pend(d, i, off);
}

const char *etw_value_text(kcap_etw_decoder *d, uint32_t i, size_t *n)
{
	for (uint32_t k = d->npend; k-- > 0;)
		if (d->pend[k].idx == i) {
			*n = d->vals[i].len;
			return d->sb.data + d->pend[k].off;
		}
	*n = 0;
	return NULL;
}

int etw_ev_emit(kcap_etw_decoder *d)
{
	for (uint32_t k = 0; k < d->npend; k++)
		d->vals[d->pend[k].idx].p = (const uint8_t *)d->sb.data + d->pend[k].off;
	/* ppid and comm from what the decoder knows of the process */
	if (d->ev.pid >= 0) {
		smap_ent *e = smap_find(&d->procs, (uint64_t)(uint32_t)d->ev.pid);
		if (e) {
			if (!d->ppid_set)
				d->ev.ppid = (int32_t)e->aux;
			d->ev.comm = e->s;
			d->ev.comm_len = (uint16_t)(e->n > 255 ? 255 : e->n);
		}
	}
	int rc = send_schema(d);
	if (rc < 0)
		return rc;
	d->st.events++;
	if (d->holding) {
		if ((rc = kcap_reorder_push(d->held, &d->ev)) < 0)
			return rc;
		d->nheld++;
		d->held_bytes += kcap_event_copy_size(&d->ev);
		/* too much waiting for a rundown that may never come: go on without */
		if (d->nheld >= d->hold_max || d->held_bytes >= HOLD_BYTES)
			return release_held(d);
		return 0;
	}
	if ((rc = ensure_origin(d)) < 0)
		return rc;
	d->ev.origin = (uint16_t)d->origin;
	rc = d->sink.event(d->ud, &d->ev);
	return rc < 0 ? rc : 0;
}

/* ---- payload helpers ---- */
void etw_cstr(etw_cur *c, const uint8_t **p, size_t *n)
{
	*p = c->p + c->off;
	const uint8_t *z = c->off < c->n ? memchr(*p, 0, c->n - c->off) : NULL;
	*n = z ? (size_t)(z - *p) : c->n - c->off;
	c->off += *n + (z ? 1 : 0);
}

void etw_wstr(etw_cur *c, const uint8_t **p, size_t *n)
{
	*p = c->p + c->off;
	size_t k = c->off;
	/* to the NUL unit: four units at a time while none is 0 */
	for (uint64_t v; k + 8 <= c->n && (memcpy(&v, c->p + k, 8),
	                                   !((v - 0x0001000100010001ull) & ~v & 0x8000800080008000ull));)
		k += 8;
	while (k + 1 < c->n && (c->p[k] || c->p[k + 1]))
		k += 2;
	*n = k - c->off;
	c->off = k + 1 < c->n ? k + 2 : c->n;
}

void etw_sid(etw_cur *c, const uint8_t **p, size_t *n)
{
	*p = NULL;
	*n = 0;
	if (!etw_cur_need(c, 4))
		return;
	if (etw_le(c->p + c->off, 4) == 0) {
		/* absent (4 zero bytes), unless a TOKEN_USER whose Sid pointer is
		 * null is followed by a SID (revision 1, at most 15 subauthorities,
		 * a 48-bit authority below 2^16), as some writers log it */
		size_t q = c->off + 2u * (size_t)c->ptr;
		const uint8_t *s = c->p + q;
		if (!(q + 8 <= c->n && s[0] == 1 && s[1] >= 1 && s[1] <= 15 && !s[2] && !s[3] && !s[4] && !s[5] &&
		      q + 8 + 4u * s[1] <= c->n)) {
			c->off += 4;
			return;
		}
	}
	etw_skip(c, 2u * (size_t)c->ptr); /* TOKEN_USER */
	if (!etw_cur_need(c, 8))
		return;
	size_t len = 8 + 4u * c->p[c->off + 1];
	if (!etw_cur_need(c, len))
		return;
	*p = c->p + c->off;
	*n = len;
	c->off += len;
}

void kcap_etw_guid_format(const kcap_etw_guid *g, char out[37])
{
	const uint8_t *b = g->b;
	snprintf(out, 37, "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x", (unsigned)etw_le(b, 4),
	         (unsigned)etw_le(b + 4, 2), (unsigned)etw_le(b + 6, 2), b[8], b[9], b[10], b[11], b[12], b[13], b[14],
	         b[15]);
}

/* ---- the generic event ---- */
static int emit_generic(kcap_etw_decoder *d, const kcap_etw_record *r)
{
	int rc = 0, group = r->has_hook ? r->hook >> 8 : -1;
	const kcap_etw_guid *g = &r->provider;
	static const kcap_etw_guid zero;
	if (!memcmp(g->b, zero.b, 16) && group >= 0 && etw_group_guid(group))
		g = etw_group_guid(group);
	uint32_t type = generic_type(d, g, group, &rc);
	if (rc < 0)
		return rc;
	if ((rc = etw_ev_begin(d, type, r)) < 0)
		return rc;
	uint32_t x = ETW_T_N_;
	if (r->kind == KCAP_ETW_HDR_EVENT) {
		etw_set_u(d, x + ETW_G_TASK, r->task);
		etw_set_u(d, x + ETW_G_CHANNEL, r->channel);
		etw_set_u(d, x + ETW_G_FLAGS, r->flags);
	}
	if (memcmp(r->activity_id.b, zero.b, 16)) {
		d->vals[x + ETW_G_ACTIVITY].present = 1;
		memcpy(d->vals[x + ETW_G_ACTIVITY].addr, r->activity_id.b, 16);
	}
	etw_set_bytes(d, x + ETW_G_DATA, r->data, r->len);
	if ((rc = etw_ev_emit(d)) < 0)
		return rc;
	d->st.generic++;
	return 0;
}

int kcap_etw_decode(kcap_etw_decoder *d, const kcap_etw_record *r)
{
	if (!d || !r || (r->len && !r->data) || (r->next && !r->ext))
		return KCAP_E_INVAL;
	d->st.records++;
	int group = -1, short_payload = 0;
	int cls = etw_class_of(r, &group);
	int rc = etw_map(d, r, cls, &short_payload);
	if (rc < 0)
		return rc;
	if (rc == 1) {
		d->st.mapped++;
		return 0;
	}
	if (short_payload)
		d->st.short_payload++;
	return emit_generic(d, r);
}

int kcap_etw_decoder_finish(kcap_etw_decoder *d)
{
	if (!d)
		return KCAP_E_INVAL;
	int rc = send_schema(d);
	if (!rc)
		rc = etw_snap_flush(d);
	if (!rc)
		rc = release_held(d);
	if (!rc)
		rc = ensure_origin(d);
	if (!rc)
		rc = send_stats(d);
	return rc;
}
