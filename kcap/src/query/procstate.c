/* Process context tracker (procstate.h): an open-addressing table keyed by
 * (origin, pid) of what the snapshots and the lifecycle events said about
 * each process. Origins are the process spaces: pids of two hosts merged
 * into one section must not meet.
 *
 * The section's snapshot (the one without an origin) describes every origin
 * that has none of its own, and a file can name 65536 origins: it is held
 * once, under BASE_TAG, and each such origin sees it through its own
 * entries. An origin's entry for a pid shadows the shared one: created as a
 * copy of it when an event changes the process (copy on write), or dead
 * when the process leaves. Memory then follows what the file holds, not
 * the origin numbers it names. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <kcap/procstate.h>
#include "core/core.h"
#include "query/json_field.h"
#include "query/render_internal.h"

/* The probe side of the table, apart from the entries so that a probe
 * touches 8 bytes per slot instead of a whole entry: a key is the tag
 * (origin + 1, never 0) above the pid, and 0 is a free slot (kcap_slot_of). */
static inline uint64_t pkey(uint32_t tag, int32_t pid) { return (uint64_t)tag << 32 | (uint32_t)pid; }

typedef struct pent {
	kcap_procinfo info; /* strings point at the owned copies below */
	uint32_t tag;       /* of the key: origin + 1 */
	char *comm, *exe, *cwd, *cmdline;
	size_t comm_len;
	uint64_t gen; /* changes whenever info changes */
	/* The entry's "proc" JSON object, rendered once and reused while
	 * neither the entry nor its parent changes. */
	char *json;
	size_t json_len;
	uint64_t json_gen, json_parent_gen;
	int32_t json_parent;
	uint32_t parent_hint; /* slot where the parent was last found */
	uint8_t dead;         /* shadows a shared entry of a process that left */
} pent;

#define BASE_TAG 0x10001u /* above every origin's tag (origin + 1 <= 0x10000) */

struct kcap_procstate {
	uint64_t *keys; /* keys[i] describes tab[i] */
	pent *tab;
	size_t cap;   /* power of two */
	pent *last;   /* the entry found last (events come in runs of a pid), or NULL */
	/* What find() answered last, for (hit_tag, hit_pid): an origin that
	 * sees a shared process would otherwise miss its own table and probe
	 * the shared one on every event. Reset by every change of the table. */
	pent *hit;
	uint32_t hit_tag;
	int32_t hit_pid;
	size_t count;   /* slots in use: own, dead and shared entries */
	size_t base_n;  /* shared entries (BASE_TAG) */
	size_t dead_n;
	size_t shadowed; /* own or dead entries of sharing origins whose pid is shared */
	size_t sharing;  /* origins that see the shared entries */
	uint32_t base_origins; /* origins below this see them, unless marked in own_snap */
	uint8_t own_snap[65536 / 8];
	int32_t pending_exit;
	uint32_t pending_tag;
	uint8_t has_pending;
	uint64_t clock; /* source of pent.gen */
	kcap_buf scratch;
	kcap_json_cache jc; /* the audit param of the event being fed */
	/* kcap_procstate_follow(): the reader and section loaded, the updates applied */
	const kcap_reader *src;
	uint32_t src_section;
	uint64_t upd_seen;
};


static inline uint32_t tag_of(uint16_t origin) { return (uint32_t)origin + 1; }

/* Whether the origin of tag sees the shared snapshot entries. */
static int shares(const kcap_procstate *ps, uint32_t tag)
{
	uint32_t o = tag - 1;
	return tag != BASE_TAG && ps->base_n && o < ps->base_origins && !(ps->own_snap[o >> 3] & (1u << (o & 7)));
}

/* Origin 0 hashes as the pid-only table did. */
static inline uint32_t hash_key(uint32_t tag, int32_t pid)
{
	uint32_t h = ((uint32_t)pid + (tag - 1) * 0x9E3779B1u) * 2654435761u;
	return h ^ (h >> 16);
}

/* hash_key of a key, for a rehash */
static inline uint32_t pkey_hash(uint64_t k) { return hash_key((uint32_t)(k >> 32), (int32_t)(uint32_t)k); }

kcap_procstate *kcap_procstate_new(void)
{
	kcap_procstate *ps = calloc(1, sizeof(*ps));
	if (!ps)
		return NULL;
	ps->cap = 256;
	ps->tab = calloc(ps->cap, sizeof(pent));
	ps->keys = calloc(ps->cap, sizeof *ps->keys);
	if (!ps->tab || !ps->keys) {
		free(ps->tab);
		free(ps->keys);
		free(ps);
		return NULL;
	}
	return ps;
}

static void pent_clear(pent *e)
{
	free(e->comm);
	free(e->exe);
	free(e->cwd);
	free(e->cmdline);
	free(e->json);
	memset(e, 0, sizeof(*e));
}

void kcap_procstate_clear(kcap_procstate *ps)
{
	if (!ps)
		return;
	for (size_t i = 0; i < ps->cap; i++)
		if (ps->keys[i]) {
			pent_clear(&ps->tab[i]);
			ps->keys[i] = 0;
		}
	ps->count = ps->base_n = ps->dead_n = ps->shadowed = ps->sharing = 0;
	ps->base_origins = 0;
	memset(ps->own_snap, 0, sizeof(ps->own_snap));
	ps->last = ps->hit = NULL;
	ps->has_pending = 0;
	ps->src = NULL;
}

void kcap_procstate_free(kcap_procstate *ps)
{
	if (!ps)
		return;
	kcap_procstate_clear(ps);
	kcap_buf_free(&ps->scratch);
	kcap__json_cache_free(&ps->jc);
	free(ps->keys);
	free(ps->tab);
	free(ps);
}

/* Processes as each origin sees them: its own live entries, plus the shared
 * ones that its own (live or dead) entries do not shadow. */
size_t kcap_procstate_count(const kcap_procstate *ps)
{
	if (!ps)
		return 0;
	return ps->count - ps->base_n - ps->dead_n + ps->sharing * ps->base_n - ps->shadowed;
}

size_t kcap_procstate_entries(const kcap_procstate *ps)
{
	return ps ? ps->count : 0;
}

/* The slot of (tag, pid) itself, dead or alive, without the shared view. */
static pent *find_own(const kcap_procstate *ps, uint32_t tag, int32_t pid)
{
	if (ps->last && ps->last->info.pid == pid && ps->last->tag == tag)
		return ps->last;
	size_t i = kcap_slot_of(ps->keys, ps->cap, pkey(tag, pid), hash_key(tag, pid));
	return ps->keys[i] ? &ps->tab[i] : NULL;
}

/* find() past its remembered answer. */
static __attribute__((noinline)) pent *find_probe(const kcap_procstate *ps, uint32_t tag, int32_t pid)
{
	pent *e = find_own(ps, tag, pid);
	if (e)
		e = e->dead ? NULL : e;
	else if (shares(ps, tag))
		e = find_own(ps, BASE_TAG, pid);
	if (e) {
		/* a cache, not state: const to the callers that read */
		kcap_procstate *m = (kcap_procstate *)ps;
		m->hit = e;
		m->hit_tag = tag;
		m->hit_pid = pid;
	}
	return e;
}

/* What origin (tag) knows of pid: its own entry, else the shared one. */
static inline pent *find(const kcap_procstate *ps, uint32_t tag, int32_t pid)
{
	if (ps->hit && ps->hit_pid == pid && ps->hit_tag == tag)
		return ps->hit;
	return find_probe(ps, tag, pid);
}

static int grow(kcap_procstate *ps)
{
	size_t ncap = ps->cap * 2;
	pent *nt = calloc(ncap, sizeof(pent));
	uint64_t *nk = calloc(ncap, sizeof *nk);
	if (!nt || !nk) {
		free(nt);
		free(nk);
		return KCAP_E_NOMEM;
	}
	for (size_t i = 0; i < ps->cap; i++) {
		uint64_t k = ps->keys[i];
		if (!k)
			continue;
		size_t j = kcap_slot_of(nk, ncap, k, pkey_hash(k));
		nk[j] = k;
		nt[j] = ps->tab[i];
	}
	free(ps->tab);
	free(ps->keys);
	ps->tab = nt;
	ps->keys = nk;
	ps->cap = ncap;
	ps->last = ps->hit = NULL;
	return 0;
}

static int copy_entry(pent *dst, const pent *src);

/* An entry with unknown fields. */
static void init_entry(kcap_procstate *ps, pent *e, uint32_t tag, int32_t pid)
{
	memset(e, 0, sizeof(*e));
	e->gen = ++ps->clock;
	e->tag = tag;
	e->info.pid = pid;
	e->info.ppid = -1;
	e->info.uid = UINT32_MAX;
	e->info.gid = UINT32_MAX;
}

/* A new slot for (tag, pid), which has none; NULL on ENOMEM. */
static pent *insert(kcap_procstate *ps, uint32_t tag, int32_t pid)
{
	ps->hit = NULL;
	if ((ps->count + 1) * 4 > ps->cap * 3 && grow(ps))
		return NULL;
	size_t i = kcap_slot_of(ps->keys, ps->cap, pkey(tag, pid), hash_key(tag, pid));
	ps->keys[i] = pkey(tag, pid);
	pent *e = &ps->tab[i];
	init_entry(ps, e, tag, pid);
	ps->count++;
	if (tag == BASE_TAG)
		ps->base_n++;
	return e;
}

/* get_or_add() when origin (tag) has no live entry of its own for pid (e:
 * its dead one, or NULL). */
static __attribute__((noinline)) pent *get_or_add_new(kcap_procstate *ps, uint32_t tag, int32_t pid, pent *e,
						     int *known)
{
	int k = 0;
	if (e) {
		init_entry(ps, e, tag, pid);
		ps->dead_n--;
	} else {
		int shadow = shares(ps, tag) && find_own(ps, BASE_TAG, pid);
		k = shadow;
		if (!(e = insert(ps, tag, pid)))
			return NULL;
		if (shadow) {
			const pent *b = find_own(ps, BASE_TAG, pid); /* insert may have moved it */
			ps->shadowed++;
			e->info.ppid = b->info.ppid;
			e->info.start_ts = b->info.start_ts;
			if (copy_entry(e, b)) {
				ps->hit = NULL;
				return NULL; /* the entry stays, with what could be copied */
			}
		}
	}
	if (known)
		*known = k;
	ps->hit = e;
	ps->hit_tag = tag;
	ps->hit_pid = pid;
	return ps->last = e;
}

/* The entry of origin (tag) for pid, to be changed: its own, revived empty
 * when dead, else a copy of the shared one, else created empty (unknown
 * fields). *known (when not NULL) says whether find() knew the process
 * before: a live own entry or a shared one. It is left as what find(tag,
 * pid) answers, which the render that follows asks. NULL on ENOMEM. */
static inline pent *get_or_add(kcap_procstate *ps, uint32_t tag, int32_t pid, int *known)
{
	pent *e = find_own(ps, tag, pid);
	if (!e || e->dead)
		return get_or_add_new(ps, tag, pid, e, known);
	if (known)
		*known = 1;
	ps->hit = e;
	ps->hit_tag = tag;
	ps->hit_pid = pid;
	return ps->last = e;
}

/* Forgets pid in origin (tag). A process that the shared snapshot describes
 * leaves a dead entry that hides the shared one; otherwise backward-shift
 * deletion keeps probe chains intact without tombstones. */
static void remove_pid(kcap_procstate *ps, uint32_t tag, int32_t pid)
{
	pent *e = find_own(ps, tag, pid);
	ps->last = ps->hit = NULL;
	if (shares(ps, tag) && find_own(ps, BASE_TAG, pid)) {
		if (e && e->dead)
			return;
		if (!e) {
			if (!(e = insert(ps, tag, pid)))
				return; /* out of memory: the shared entry stays visible */
			ps->shadowed++;
		}
		pent_clear(e);
		e->tag = tag;
		e->info.pid = pid;
		e->dead = 1;
		ps->dead_n++;
		return;
	}
	if (!e)
		return;
	size_t m = ps->cap - 1;
	size_t i = (size_t)(e - ps->tab);
	if (e->dead)
		ps->dead_n--;
	if (tag == BASE_TAG)
		ps->base_n--;
	pent_clear(e);
	ps->keys[i] = 0;
	ps->count--;
	size_t j = i;
	for (;;) {
		j = (j + 1) & m;
		uint64_t kj = ps->keys[j];
		if (!kj)
			break;
		size_t k = pkey_hash(kj) & m;
		/* move slot j into the hole at i if its home k is not in (i, j] */
		int in_range = (i <= j) ? (i < k && k <= j) : (i < k || k <= j);
		if (!in_range) {
			ps->keys[i] = ps->keys[j];
			ps->tab[i] = ps->tab[j];
			ps->keys[j] = 0;
			memset(&ps->tab[j], 0, sizeof(pent));
			i = j;
		}
	}
}

static int set_str(char **dst, const char **view, const char *s, size_t n)
{
	if (*dst && strlen(*dst) == n && !memcmp(*dst, s, n))
		return 0;
	char *c = malloc(n + 1);
	if (!c)
		return KCAP_E_NOMEM;
	memcpy(c, s, n);
	c[n] = 0;
	free(*dst);
	*dst = c;
	*view = c;
	return 0;
}

static int set_comm(pent *e, const char *s, size_t n)
{
	int rc = set_str(&e->comm, &e->info.comm, s, n);
	if (!rc)
		e->comm_len = e->info.comm_len = (uint32_t)n;
	return rc;
}

/* cmdline from NUL-separated elements; a missing final NUL is added. */
/* The text of v, a string or path param (else nothing; with abs, only an
 * absolute path), into *dst and *view as set_str. */
static int set_path(char **dst, const char **view, const kcap_value *v, int abs)
{
	if (!v || (v->type != KCAP_T_STR && v->type != KCAP_T_PATH) || (abs && !(v->len && v->p[0] == '/')))
		return 0;
	return set_str(dst, view, (const char *)v->p, v->len);
}

static int set_cmdline(pent *e, const char *s, size_t n)
{
	int add_nul = n > 0 && s[n - 1] != 0;
	char *c = malloc(n + 1);
	if (!c)
		return KCAP_E_NOMEM;
	memcpy(c, s, n);
	c[n] = 0;
	free(e->cmdline);
	e->cmdline = c;
	e->info.cmdline = n ? c : NULL;
	e->info.cmdline_len = (uint32_t)(n + (size_t)add_nul);
	uint32_t cnt = 0;
	for (size_t i = 0; i < e->info.cmdline_len; i++)
		cnt += c[i] == 0;
	e->info.cmdline_count = cnt;
	return 0;
}

static int copy_entry(pent *dst, const pent *src)
{
	int rc = 0;
	if (src->comm)
		rc |= set_comm(dst, src->comm, src->comm_len);
	if (src->exe)
		rc |= set_str(&dst->exe, &dst->info.exe, src->exe, strlen(src->exe));
	if (src->cwd)
		rc |= set_str(&dst->cwd, &dst->info.cwd, src->cwd, strlen(src->cwd));
	if (src->cmdline)
		rc |= set_cmdline(dst, src->cmdline, src->info.cmdline_len);
	dst->info.uid = src->info.uid;
	dst->info.gid = src->info.gid;
	return rc ? KCAP_E_NOMEM : 0;
}

static int load_into(kcap_procstate *ps, uint32_t tag, const kcap_snapshot *snap);

int kcap_procstate_load_snapshot(kcap_procstate *ps, const kcap_snapshot *snap)
{
	if (ps)
		ps->hit = NULL; /* the origins' view changes */
	return kcap_procstate_load_origin_snapshot(ps, 0, snap);
}

int kcap_procstate_load_reader(kcap_procstate *ps, const kcap_reader *r)
{
	if (ps)
		ps->hit = NULL; /* the origins' view changes */
	if (!ps || !r)
		return KCAP_E_INVAL;
	kcap_procstate_clear(ps);
	/* Origins without metadata still get the section's snapshot: events
	 * name origin 0 even in a section that declares none. */
	size_t n = kcap_reader_origin_count(r), no = kcap_reader_origin_snapshot_count(r);
	if (no > n)
		n = no;
	if (!n)
		n = 1;
	if (n > 65536)
		n = 65536;
	int rc = 0;
	size_t own = 0;
	for (size_t o = 0; o < n && !rc; o++) {
		const kcap_snapshot *sn = kcap_reader_origin_snapshot(r, (uint16_t)o);
		if (!sn)
			continue;
		ps->own_snap[o >> 3] |= (uint8_t)(1u << (o & 7));
		own++;
		rc = kcap_procstate_load_origin_snapshot(ps, (uint16_t)o, sn);
	}
	/* the section's snapshot once, seen by every other origin */
	const kcap_snapshot *shared = kcap_reader_snapshot(r);
	if (!rc && shared && own < n) {
		rc = load_into(ps, BASE_TAG, shared);
		ps->base_origins = (uint32_t)n;
		ps->sharing = n - own;
	}
	return rc;
}

int kcap_procstate_follow(kcap_procstate *ps, const kcap_reader *r)
{
	if (!ps || !r)
		return KCAP_E_INVAL;
	uint64_t gen = kcap_reader_update_gen(r);
	if (ps->src != r || ps->src_section != kcap_reader_section(r)) {
		int rc = kcap_procstate_load_reader(ps, r); /* holds the updates read so far */
		ps->src = r;
		ps->src_section = kcap_reader_section(r);
		ps->upd_seen = gen;
		return rc;
	}
	int rc = 0;
	while (ps->upd_seen < gen && !rc) {
		uint16_t o = 0;
		const kcap_snapshot *d = kcap_reader_update(r, ++ps->upd_seen, &o);
		if (d) {
			rc = kcap_procstate_load_origin_snapshot(ps, o, d);
			continue;
		}
		/* not held any more: the updated origins' snapshots hold it */
		for (size_t k = 0; k < kcap_reader_origin_snapshot_count(r) && !rc; k++)
			rc = kcap_procstate_load_origin_snapshot(ps, (uint16_t)k,
								 kcap_reader_origin_snapshot(r, (uint16_t)k));
		ps->upd_seen = gen;
	}
	return rc;
}

int kcap_procstate_load_origin_snapshot(kcap_procstate *ps, uint16_t origin, const kcap_snapshot *snap)
{
	if (ps)
		ps->hit = NULL; /* the origins' view changes */
	if (!ps)
		return KCAP_E_INVAL;
	return snap ? load_into(ps, tag_of(origin), snap) : 0;
}

/* Adds snap's processes under tag (an origin's, or BASE_TAG). */
static int load_into(kcap_procstate *ps, uint32_t tag, const kcap_snapshot *snap)
{
	int rc = 0;
	size_t n = kcap_snapshot_count(snap);
	for (size_t i = 0; i < n; i++) {
		const kcap_proc *p = kcap_snapshot_at(snap, i);
		if (!p)
			continue;
		remove_pid(ps, tag, p->pid);
		pent *e = get_or_add(ps, tag, p->pid, NULL);
		if (!e) {
			rc = KCAP_E_NOMEM;
			goto cleanup;
		}
		e->info.ppid = p->ppid;
		e->info.uid = p->uid;
		e->info.gid = p->gid;
		e->info.start_ts = p->start_ts;
		if ((p->comm && set_comm(e, p->comm, strlen(p->comm))) ||
		    (p->exe && *p->exe && set_str(&e->exe, &e->info.exe, p->exe, strlen(p->exe))) ||
		    (p->cwd && *p->cwd && set_str(&e->cwd, &e->info.cwd, p->cwd, strlen(p->cwd))) ||
		    (p->cmdline && p->cmdline_len && set_cmdline(e, p->cmdline, p->cmdline_len))) {
			rc = KCAP_E_NOMEM;
			goto cleanup;
		}
	}
cleanup:
	return rc;
}

static int lifecycle_of(const kcap_type_def *def, const kcap_schema *s)
{
	const kcap_type_cache *c = kcap_schema_type_cache(s, def);
	return c ? c->lifecycle : kcap_lifecycle_kind(def->name);
}

static int value_int(const kcap_value *v, int64_t *out)
{
	if (!v || !v->present)
		return 0;
	switch (v->type) {
	case KCAP_T_STR: case KCAP_T_PATH: case KCAP_T_BYTES: case KCAP_T_STRLIST:
	case KCAP_T_IPV4: case KCAP_T_IPV6: case KCAP_T_SOCKADDR: case KCAP_T_SID:
	case KCAP_T_GUID: case KCAP_T_JSON:
		return 0;
	default:
		break;
	}
	*out = kcap_ptype_is_signed(v->type) ? v->i : (int64_t)v->u;
	return 1;
}

/* ret absent, or present and 0. */
static int succeeded(const kcap_event *ev, const kcap_type_def *def)
{
	static const char *const rn[] = {"ret", "retval", "result", NULL};
	int64_t r;
	const kcap_value *v = kcap__param_first(ev, def, rn);
	if (!v || !value_int(v, &r))
		return 1;
	return r == 0;
}

/* An audit event logs its process with it (the SYSCALL record's exe=, the
 * CWD record's cwd=, a user message's exe= and cwd=): what it says is the
 * process's state at that event. Returns 0 or KCAP_E_NOMEM. */
static int audit_context(kcap_procstate *ps, pent *e, const kcap_event *ev, const kcap_value *audit)
{
	static const char *const keys[] = {"exe", "cwd"};
	int rc = 0;
	for (int k = 0; k < 2; k++) {
		const kcap_jv *j = kcap__json_key(&ps->jc, ev, audit, keys[k], 3);
		char **own = k ? &e->cwd : &e->exe;
		const char **view = k ? &e->info.cwd : &e->info.exe;
		/* "?" and "(null)" are audit's words for not known */
		if (!j || j->kind != KCAP_JV_STR || j->n == 0 || j->u.s[0] != '/' ||
		    (*own && strlen(*own) == j->n && !memcmp(*own, j->u.s, j->n)))
			continue;
		if (set_str(own, view, j->u.s, j->n))
			rc = KCAP_E_NOMEM;
		e->gen = ++ps->clock;
	}
	return rc;
}

int kcap_procstate_update(kcap_procstate *ps, const kcap_event *ev, const kcap_schema *s)
{
	static const char *const child_names[] = {"child_pid", "child", "child_tgid", "new_pid", "newpid", NULL};
	static const char *const ret_names[] = {"ret", "retval", "result", NULL};
	static const char *const exe_names[] = {"filename", "path", "exe", "pathname", "file", NULL};
	static const char *const argv_names[] = {"argv", "args", "cmdline", NULL};
	static const char *const dir_names[] = {"path", "filename", "pathname", "dir", NULL};
	static const char *const flag_names[] = {"flags", "clone_flags", NULL};
	int rc = 0;
	if (!ps || !ev)
		return KCAP_E_INVAL;
	if (ps->has_pending) {
		ps->has_pending = 0;
		remove_pid(ps, ps->pending_tag, ps->pending_exit);
	}
	uint32_t tag = tag_of(ev->origin);
	int known;
	pent *e = get_or_add(ps, tag, ev->pid, &known);
	if (!e)
		return KCAP_E_NOMEM;
	/* A child often runs before its parent's fork call returns, so its first
	 * events come before the fork event that copies the parent's state: a
	 * process first seen takes its parent's cwd, which fork copies and exec
	 * keeps (a chdir of its own, seen later, replaces it). */
	if (!known && !e->cwd && ev->ppid > 0 && ev->ppid != ev->pid) {
		const pent *pp = find(ps, tag, ev->ppid);
		if (pp && pp->cwd && set_str(&e->cwd, &e->info.cwd, pp->cwd, strlen(pp->cwd)))
			rc = KCAP_E_NOMEM;
	}
	if (e->info.ppid != ev->ppid || e->info.uid != ev->uid || e->info.gid != ev->gid ||
	    (ev->comm_len && !(e->comm && e->comm_len == ev->comm_len && !memcmp(e->comm, ev->comm, ev->comm_len)))) {
		e->info.ppid = ev->ppid;
		e->info.uid = ev->uid;
		e->info.gid = ev->gid;
		if (ev->comm_len && set_comm(e, ev->comm, ev->comm_len))
			rc = KCAP_E_NOMEM;
		e->gen = ++ps->clock;
	}

	const kcap_type_def *def = ev->def ? ev->def : (s ? kcap_schema_type(s, ev->type_id) : NULL);
	if (!def)
		return rc;
	const kcap_type_cache *tc = kcap_schema_type_cache(s, def);
	const kcap_value *audit = !tc || tc->audit_last ? kcap__audit_param(ev, def) : NULL;
	if (audit && audit_context(ps, e, ev, audit))
		rc = KCAP_E_NOMEM;
	switch (tc ? tc->lifecycle : kcap_lifecycle_kind(def->name)) {
	case KCAP_LC_FORK: {
		int64_t child = 0, fl;
		const kcap_value *v = kcap__param_first(ev, def, child_names);
		if (!v || !value_int(v, &child) || child <= 0) {
			child = 0;
			value_int(kcap__param_first(ev, def, ret_names), &child);
		}
		if (child <= 0 || child == ev->pid || child > INT32_MAX)
			break;
		if (value_int(kcap__param_first(ev, def, flag_names), &fl) && (fl & 0x10000))
			break; /* CLONE_THREAD */
		remove_pid(ps, tag, (int32_t)child);
		pent *c = get_or_add(ps, tag, (int32_t)child, NULL);
		if (!c)
			return KCAP_E_NOMEM;
		e = find(ps, tag, ev->pid); /* growth may have moved entries */
		if (e && copy_entry(c, e))
			rc = KCAP_E_NOMEM;
		c->info.ppid = ev->pid;
		c->info.start_ts = ev->ts;
		c->gen = ++ps->clock;
		break;
	}
	case KCAP_LC_EXEC: {
		if (!succeeded(ev, def))
			break;
		if (set_path(&e->exe, &e->info.exe, kcap__param_first(ev, def, exe_names), 0))
			rc = KCAP_E_NOMEM;
		const kcap_value *a = kcap__param_first(ev, def, argv_names);
		if (a && (a->type == KCAP_T_STRLIST || a->type == KCAP_T_STR) && set_cmdline(e, (const char *)a->p, a->len))
			rc = KCAP_E_NOMEM;
		e->gen = ++ps->clock;
		break;
	}
	case KCAP_LC_CHDIR:
		if (!succeeded(ev, def))
			break;
		if (set_path(&e->cwd, &e->info.cwd, kcap__param_first(ev, def, dir_names), 1))
			rc = KCAP_E_NOMEM;
		e->gen = ++ps->clock;
		break;
	case KCAP_LC_EXIT:
		if (ev->tid != ev->pid && ev->tid != 0)
			break;
		/* fall through */
	case KCAP_LC_EXIT_GROUP:
		ps->pending_exit = ev->pid;
		ps->pending_tag = tag;
		ps->has_pending = 1;
		break;
	default:
		break;
	}
	return rc;
}

const kcap_procinfo *kcap_procstate_get(const kcap_procstate *ps, int32_t pid)
{
	return kcap_procstate_get_origin(ps, 0, pid);
}

const kcap_procinfo *kcap_procstate_get_origin(const kcap_procstate *ps, uint16_t origin, int32_t pid)
{
	if (!ps)
		return NULL;
	const pent *e = find(ps, tag_of(origin), pid);
	return e ? &e->info : NULL;
}

int kcap_procstate_block_needed(const kcap_block_summary *sum, const kcap_schema *s)
{
	if (!sum || !s || sum->types_overflow)
		return 1;
	for (size_t i = 0;; i++) {
		const kcap_type_def *t = kcap_schema_type_at(s, i);
		if (!t)
			break;
		if (t->id < 256 && lifecycle_of(t, s) != KCAP_LC_NONE && kcap_summary_may_have_type(sum, t->id))
			return 1;
	}
	return 0;
}

/* ---- JSON ---- */

static int render_proc(kcap_buf *b, const kcap_procinfo *pi, const kcap_procinfo *pp);

/* The "proc" member for ev: rendered once per change of the process or its
 * parent, then reused. The cache is not observable, hence the cast from
 * const. Returns NULL when out of memory. */
static const char *proc_text(const kcap_procstate *cps, const kcap_event *ev, size_t *len)
{
	static const char none[] = "\"proc\":null";
	kcap_procstate *ps = (kcap_procstate *)cps;
	uint32_t tag = ev ? tag_of(ev->origin) : 0;
	pent *e = ps && ev ? find(ps, tag, ev->pid) : NULL;
	if (!e) {
		*len = sizeof none - 1;
		return none;
	}
	/* the parent as the event's origin sees it (e may be a shared entry) */
	const pent *p = NULL;
	if (e->info.ppid >= 0) {
		/* one test, not four branches: the hint is right nearly always */
		size_t h = e->parent_hint & (ps->cap - 1);
		if ((ps->keys[h] == pkey(tag, e->info.ppid)) & !ps->tab[h].dead)
			p = &ps->tab[h];
		else if ((p = find(ps, tag, e->info.ppid)))
			e->parent_hint = (uint32_t)(p - ps->tab);
	}
	uint64_t pgen = p ? p->gen : 0;
	int32_t ppid = p ? p->info.pid : -1;
	if (!e->json || e->json_gen != e->gen || e->json_parent_gen != pgen || e->json_parent != ppid) {
		ps->scratch.len = 0;
		if (render_proc(&ps->scratch, &e->info, p ? &p->info : NULL))
			return NULL;
		char *j = realloc(e->json, ps->scratch.len);
		if (!j)
			return NULL;
		memcpy(j, ps->scratch.data, ps->scratch.len);
		e->json = j;
		e->json_len = ps->scratch.len;
		e->json_gen = e->gen;
		e->json_parent_gen = pgen;
		e->json_parent = ppid;
	}
	*len = e->json_len;
	return e->json;
}

int kcap_procstate_append_json(kcap_buf *b, const kcap_procstate *ps, const kcap_event *ev)
{
	size_t n;
	const char *t = proc_text(ps, ev, &n);
	return !t || kcap_buf_append(b, t, n) ? KCAP_E_NOMEM : 0;
}

#define PUT_LIT(o, s) (memcpy((o), (s), sizeof(s) - 1), (o) + sizeof(s) - 1)

static char *int_to(char *o, int64_t v)
{
	char t[24], *e = t + sizeof t, *p = e;
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	memcpy(o, p, (size_t)(e - p));
	return o + (e - p);
}

static char *opt_str_to(char *o, const char *s)
{
	return s ? kcap_json_str_to(o, s, strlen(s)) : PUT_LIT(o, "null");
}

static size_t opt_room(const char *s) { return s ? KCAP_JSON_STR_ROOM(strlen(s)) : 4; }

/* comm with its length: a comm may hold a NUL, which is escaped, not an end */
static char *comm_to(char *o, const kcap_procinfo *pi)
{
	return pi->comm ? kcap_json_str_to(o, pi->comm, pi->comm_len) : PUT_LIT(o, "null");
}

/* Rendered into room reserved once: this runs for every new process. pp is
 * the parent (same origin), or NULL. */
static int render_proc(kcap_buf *b, const kcap_procinfo *pi, const kcap_procinfo *pp)
{
	size_t room = 256 + KCAP_JSON_STR_ROOM(pi->comm_len) + opt_room(pi->exe) + opt_room(pi->cwd) +
		      (pi->cmdline ? KCAP_JSON_STR_ROOM(pi->cmdline_len) + 3 * (size_t)pi->cmdline_len : 4) +
		      (pp ? KCAP_JSON_STR_ROOM(pp->comm_len) + opt_room(pp->exe) : 0);
	if (kcap_buf_reserve(b, room))
		return KCAP_E_NOMEM;
	char *o = b->data + b->len;
	o = PUT_LIT(o, "\"proc\":{\"pid\":");
	o = int_to(o, pi->pid);
	o = PUT_LIT(o, ",\"ppid\":");
	o = pi->ppid >= 0 ? int_to(o, pi->ppid) : PUT_LIT(o, "null");
	o = PUT_LIT(o, ",\"uid\":");
	o = pi->uid != UINT32_MAX ? int_to(o, pi->uid) : PUT_LIT(o, "null");
	o = PUT_LIT(o, ",\"gid\":");
	o = pi->gid != UINT32_MAX ? int_to(o, pi->gid) : PUT_LIT(o, "null");
	o = PUT_LIT(o, ",\"comm\":");
	o = comm_to(o, pi);
	o = PUT_LIT(o, ",\"exe\":");
	o = opt_str_to(o, pi->exe);
	o = PUT_LIT(o, ",\"cwd\":");
	o = opt_str_to(o, pi->cwd);
	o = PUT_LIT(o, ",\"cmdline\":");
	if (pi->cmdline) {
		const char *p = pi->cmdline, *end = p + pi->cmdline_len;
		*o++ = '[';
		for (int first = 1; p < end; first = 0) {
			size_t n = strnlen(p, (size_t)(end - p));
			if (!first)
				*o++ = ',';
			o = kcap_json_str_to(o, p, n);
			p += n + 1;
		}
		*o++ = ']';
	} else {
		o = PUT_LIT(o, "null");
	}
	if (pp) {
		o = PUT_LIT(o, ",\"parent\":{\"pid\":");
		o = int_to(o, pp->pid);
		o = PUT_LIT(o, ",\"comm\":");
		o = comm_to(o, pp);
		o = PUT_LIT(o, ",\"exe\":");
		o = opt_str_to(o, pp->exe);
		*o++ = '}';
	}
	*o++ = '}';
	b->len = (size_t)(o - b->data);
	return 0;
}

int kcap_render_json_proc(kcap_buf *b, const kcap_event *ev, const kcap_schema *s, const kcap_procstate *ps)
{
	size_t start = b->len;
	int rc = kcap_render_json(b, ev, s);
	if (rc || !ps)
		return rc;
	/* Splice before the closing "}\n" of the object just rendered. */
	if (b->len - start < 3 || b->data[b->len - 1] != '\n' || b->data[b->len - 2] != '}')
		return 0;
	size_t n;
	const char *t = proc_text(ps, ev, &n);
	if (!t || kcap_buf_reserve(b, n + 1)) {
		b->len = start;
		return KCAP_E_NOMEM;
	}
	char *o = b->data + b->len - 2;
	*o++ = ',';
	memcpy(o, t, n);
	o += n;
	*o++ = '}';
	*o++ = '\n';
	b->len = (size_t)(o - b->data);
	return 0;
}
