/* Origin metadata, process snapshots, and their encodings. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>
#include "common/port.h"
#include "core/core.h"

struct kcap_meta {
	uint64_t serial; /* unique per (object, content): kcap_meta_serial() */
	char **keys, **vals;
	size_t n, cap;
	uint32_t *slot; /* open-addressing index: entry number + 1, 0 = empty */
	size_t nslots;  /* power of two, at least twice n */
};

static size_t key_hash(const char *k, size_t nslots)
{
	uint64_t h = 1469598103934665603ull;
	while (*k)
		h = (h ^ (uint8_t)*k++) * 1099511628211ull;
	return (size_t)(h ^ (h >> 29)) & (nslots - 1);
}

/* Entry number of key, or -1. Keeps lookups O(1): a metadata block may hold
 * any number of keys (a hostile one made 80k keys take a minute). */
static long meta_find(const kcap_meta *m, const char *key)
{
	if (!m->nslots)
		return -1;
	for (size_t h = key_hash(key, m->nslots); m->slot[h]; h = (h + 1) & (m->nslots - 1))
		if (!strcmp(m->keys[m->slot[h] - 1], key))
			return (long)m->slot[h] - 1;
	return -1;
}

/* Rebuilds the index over entries [0, n) in a table of nslots slots. */
static void meta_index(kcap_meta *m, uint32_t *table, size_t nslots)
{
	free(m->slot);
	m->slot = table;
	m->nslots = nslots;
	for (size_t i = 0; i < m->n; i++) {
		size_t h = key_hash(m->keys[i], nslots);
		while (table[h])
			h = (h + 1) & (nslots - 1);
		table[h] = (uint32_t)(i + 1);
	}
}

static _Atomic uint64_t meta_serials;

kcap_meta *kcap_meta_new(void)
{
	kcap_meta *m = calloc(1, sizeof(kcap_meta));
	if (m)
		m->serial = ++meta_serials;
	return m;
}

uint64_t kcap_meta_serial(const kcap_meta *m) { return m ? m->serial : 0; }

void kcap_meta_free(kcap_meta *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++) {
		free(m->keys[i]);
		free(m->vals[i]);
	}
	free(m->keys);
	free(m->vals);
	free(m->slot);
	free(m);
}

const char *kcap_meta_get(const kcap_meta *m, const char *key)
{
	long i = m && key ? meta_find(m, key) : -1;
	return i < 0 ? NULL : m->vals[i];
}

int kcap_meta_set(kcap_meta *m, const char *key, const char *value)
{
	if (!m || !key)
		return KCAP_E_INVAL;
	m->serial = ++meta_serials; /* caches keyed by the serial see the change */
	long found = meta_find(m, key);
	if (found >= 0) {
		size_t i = (size_t)found;
		if (!value) {
			uint32_t *table = calloc(m->nslots, sizeof *table);
			if (!table)
				return KCAP_E_NOMEM;
			free(m->keys[i]);
			free(m->vals[i]);
			memmove(m->keys + i, m->keys + i + 1, (m->n - i - 1) * sizeof(char *));
			memmove(m->vals + i, m->vals + i + 1, (m->n - i - 1) * sizeof(char *));
			m->n--;
			meta_index(m, table, m->nslots);
			return 0;
		}
		char *v = strdup(value);
		if (!v)
			return KCAP_E_NOMEM;
		free(m->vals[i]);
		m->vals[i] = v;
		return 0;
	}
	if (!value)
		return 0;
	if ((m->n + 1) * 2 > m->nslots) {
		size_t ns = m->nslots ? m->nslots * 2 : 32;
		uint32_t *table = calloc(ns, sizeof *table);
		if (!table)
			return KCAP_E_NOMEM;
		meta_index(m, table, ns);
	}
	if (kcap_array_room2(&m->keys, sizeof *m->keys, &m->vals, sizeof *m->vals, &m->cap, m->n + 1, 16))
		return KCAP_E_NOMEM;
	char *k = strdup(key), *v = strdup(value);
	if (!k || !v) {
		free(k);
		free(v);
		return KCAP_E_NOMEM;
	}
	m->keys[m->n] = k;
	m->vals[m->n++] = v;
	size_t h = key_hash(k, m->nslots);
	while (m->slot[h])
		h = (h + 1) & (m->nslots - 1);
	m->slot[h] = (uint32_t)m->n;
	return 0;
}

int kcap_meta_at(const kcap_meta *m, size_t i, const char **key, const char **value)
{
	if (!m || i >= m->n)
		return 0;
	*key = m->keys[i];
	*value = m->vals[i];
	return 1;
}

size_t kcap_meta_count(const kcap_meta *m) { return m ? m->n : 0; }

int kcap_meta_encode(const kcap_meta *m, uint16_t origin, kcap_buf *b)
{
	int rc = kcap_buf_put_varint(b, origin);
	rc |= kcap_buf_put_varint(b, m ? m->n : 0);
	for (size_t i = 0; m && i < m->n; i++) {
		rc |= kcap_buf_put_str(b, m->keys[i], strlen(m->keys[i]));
		rc |= kcap_buf_put_str(b, m->vals[i], strlen(m->vals[i]));
	}
	return rc ? KCAP_E_NOMEM : 0;
}

int kcap_meta_decode(kcap_meta *m, uint16_t *origin, const uint8_t *p, size_t n)
{
	cur c = {p, p + n, 0};
	uint64_t o = cur_varint(&c), cnt = cur_varint(&c);
	if (c.bad || o > 0xffff)
		return KCAP_E_CORRUPT;
	*origin = (uint16_t)o;
	for (uint64_t i = 0; i < cnt && !c.bad; i++) {
		char *k = cur_strdup(&c), *v = cur_strdup(&c);
		if (k && v && kcap_meta_set(m, k, v))
			c.bad = 1;
		free(k);
		free(v);
	}
	return c.bad || c.p != c.end ? KCAP_E_CORRUPT : 0; /* trailing bytes are damage */
}

/* ---- process snapshot ---- */

/* struct kcap_snapshot is laid out in core.h (the renderers test for names
 * per event without a call). */
typedef kcap_id_name id_name;
typedef kcap_name_table name_table;

kcap_snapshot *kcap_snapshot_new(void) { return calloc(1, sizeof(kcap_snapshot)); }

static void proc_free_strings(kcap_proc *p)
{
	free((char *)p->comm);
	free((char *)p->exe);
	free((char *)p->cwd);
	free((char *)p->cmdline);
}

void kcap_snapshot_free(kcap_snapshot *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		proc_free_strings(&s->procs[i]);
	free(s->procs);
	for (int k = 0; k < KCAP_NAMES_KINDS_; k++) {
		for (size_t i = 0; i < s->names[k].n; i++) {
			free(s->names[k].v[i].name);
			free(s->names[k].v[i].json);
		}
		free(s->names[k].v);
	}
	free(s);
}

size_t kcap_snapshot_count(const kcap_snapshot *s) { return s ? s->n : 0; }

const kcap_proc *kcap_snapshot_at(const kcap_snapshot *s, size_t i)
{
	return (s && i < s->n) ? &s->procs[i] : NULL;
}

int kcap_snapshot_add(kcap_snapshot *s, const kcap_proc *p)
{
	if (!s || !p)
		return KCAP_E_INVAL;
	if (kcap_array_room(&s->procs, &s->cap, s->n, sizeof *s->procs, 64))
		return KCAP_E_NOMEM;
	kcap_proc c = *p;
	c.comm = kcap_memdup0(p->comm ? p->comm : "", p->comm ? strlen(p->comm) : 0);
	c.exe = kcap_memdup0(p->exe ? p->exe : "", p->exe ? strlen(p->exe) : 0);
	c.cwd = kcap_memdup0(p->cwd ? p->cwd : "", p->cwd ? strlen(p->cwd) : 0);
	c.cmdline = kcap_memdup0(p->cmdline ? p->cmdline : "", p->cmdline ? p->cmdline_len : 0);
	if (!p->cmdline)
		c.cmdline_len = 0; /* the length must describe the copy, or encoding over-reads */
	if (!c.comm || !c.exe || !c.cwd || !c.cmdline) {
		proc_free_strings(&c);
		return KCAP_E_NOMEM;
	}
	s->procs[s->n++] = c;
	return 0;
}

int kcap_snapshot_update(kcap_snapshot *dst, const kcap_snapshot *src)
{
	if (!dst || !src)
		return KCAP_E_INVAL;
	for (size_t i = 0; i < src->n; i++) {
		const kcap_proc *p = &src->procs[i];
		size_t j = 0;
		while (j < dst->n && dst->procs[j].pid != p->pid)
			j++;
		if (kcap_snapshot_add(dst, p))
			return KCAP_E_NOMEM;
		if (j < dst->n - 1) { /* the copy takes the old entry's place */
			proc_free_strings(&dst->procs[j]);
			dst->procs[j] = dst->procs[--dst->n];
		}
	}
	for (int k = 0; k < KCAP_NAMES_KINDS_; k++)
		for (size_t i = 0; i < src->names[k].n; i++)
			if (kcap_snapshot_set_name(dst, k, src->names[k].v[i].id, src->names[k].v[i].name))
				return KCAP_E_NOMEM;
	return 0;
}

/* Index of the first entry of t whose id is >= id. */
static size_t name_pos(const name_table *t, uint32_t id)
{
	size_t lo = 0, hi = t->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->v[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int kcap_snapshot_set_name(kcap_snapshot *s, int kind, uint32_t id, const char *name)
{
	if (!s || kind < 0 || kind >= KCAP_NAMES_KINDS_ || !name)
		return KCAP_E_INVAL;
	name_table *t = &s->names[kind];
	size_t i = name_pos(t, id), n = strlen(name);
	/* the JSON member the renderers copy: ,"user":"NAME" or ,"group":"NAME" */
	static const char *const key[KCAP_NAMES_KINDS_] = {",\"user\":", ",\"group\":"};
	size_t kn = strlen(key[kind]);
	char *copy = strdup(name), *json = malloc(kn + KCAP_JSON_STR_ROOM(n));
	if (!copy || !json) {
		free(copy);
		free(json);
		return KCAP_E_NOMEM;
	}
	memcpy(json, key[kind], kn);
	uint32_t json_len = (uint32_t)(kcap_json_str_to(json + kn, name, n) - json);
	if (i < t->n && t->v[i].id == id) {
		free(t->v[i].name);
		free(t->v[i].json);
		t->v[i] = (id_name){id, json_len, copy, json};
		return 0;
	}
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 32;
		id_name *v = realloc(t->v, cap * sizeof *v);
		if (!v) {
			free(copy);
			free(json);
			return KCAP_E_NOMEM;
		}
		t->v = v;
		t->cap = cap;
	}
	memmove(t->v + i + 1, t->v + i, (t->n - i) * sizeof *t->v);
	t->v[i] = (id_name){id, json_len, copy, json};
	t->n++;
	return 0;
}

const kcap_id_name *kcap_snapshot_name_entry(const kcap_snapshot *s, int kind, uint32_t id)
{
	const name_table *t = &s->names[kind];
	size_t i = name_pos(t, id);
	return i < t->n && t->v[i].id == id ? &t->v[i] : NULL;
}

const char *kcap_snapshot_name(const kcap_snapshot *s, int kind, uint32_t id)
{
	if (!s || kind < 0 || kind >= KCAP_NAMES_KINDS_)
		return NULL;
	const id_name *e = kcap_snapshot_name_entry(s, kind, id);
	return e ? e->name : NULL;
}

size_t kcap_snapshot_name_count(const kcap_snapshot *s, int kind)
{
	return s && kind >= 0 && kind < KCAP_NAMES_KINDS_ ? s->names[kind].n : 0;
}

int kcap_snapshot_name_at(const kcap_snapshot *s, int kind, size_t i, uint32_t *id, const char **name)
{
	if (i >= kcap_snapshot_name_count(s, kind))
		return 0;
	*id = s->names[kind].v[i].id;
	*name = s->names[kind].v[i].name;
	return 1;
}

/* The names of a passwd or group file: both have the name in field 1 and
 * the id in field 3. The first line of an id wins, as for getpwuid();
 * comments, NIS compat lines (+ and -), bad ids and overlong names are
 * skipped. Only the files: names served by NSS modules (LDAP, sssd) are not
 * seen. */
static int read_names(kcap_snapshot *s, int kind, const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return KCAP_E_IO;
	char *line = NULL;
	size_t cap = 0;
	int rc = 0;
	while (!rc && getline(&line, &cap, f) > 0) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL, *end;
		if (!c2 || c1 == line || c1 - line > KCAP_NAME_MAX || strchr("#+-", line[0]))
			continue;
		*c1 = 0;
		errno = 0;
		unsigned long long id = strtoull(c2 + 1, &end, 10);
		if (end == c2 + 1 || *end != ':' || errno || id > UINT32_MAX || c2[1] == '-')
			continue;
		if (!kcap_snapshot_name(s, kind, (uint32_t)id))
			rc = kcap_snapshot_set_name(s, kind, (uint32_t)id, line);
	}
	free(line);
	fclose(f);
	return rc;
}

int kcap_snapshot_fill_names(kcap_snapshot *s, const char *passwd, const char *group)
{
	if (!s)
		return KCAP_E_INVAL;
	int ru = read_names(s, KCAP_NAMES_USER, passwd ? passwd : "/etc/passwd");
	int rg = read_names(s, KCAP_NAMES_GROUP, group ? group : "/etc/group");
	if (ru == KCAP_E_NOMEM || rg == KCAP_E_NOMEM)
		return KCAP_E_NOMEM;
	return ru ? ru : rg;
}

int kcap_snapshot_encode(const kcap_snapshot *s, kcap_buf *b)
{
	int rc = kcap_buf_put_varint(b, s->n);
	for (size_t i = 0; i < s->n && !rc; i++) {
		const kcap_proc *p = &s->procs[i];
		rc |= kcap_buf_put_varint(b, zz_enc(p->pid));
		rc |= kcap_buf_put_varint(b, zz_enc(p->ppid));
		rc |= kcap_buf_put_varint(b, p->uid);
		rc |= kcap_buf_put_varint(b, p->gid);
		rc |= kcap_buf_put_varint(b, zz_enc(p->start_ts));
		rc |= kcap_buf_put_str(b, p->comm, strlen(p->comm));
		rc |= kcap_buf_put_str(b, p->exe, strlen(p->exe));
		rc |= kcap_buf_put_str(b, p->cwd, strlen(p->cwd));
		rc |= kcap_buf_put_str(b, p->cmdline, p->cmdline_len);
	}
	/* The name tables follow the processes (docs/FORMAT.md): readers before
	 * them stop after the processes. A snapshot without names is encoded as
	 * it always was. */
	if (!rc && (s->names[KCAP_NAMES_USER].n || s->names[KCAP_NAMES_GROUP].n)) {
		for (int k = 0; k < KCAP_NAMES_KINDS_; k++) {
			const name_table *t = &s->names[k];
			rc |= kcap_buf_put_varint(b, t->n);
			for (size_t i = 0; i < t->n; i++) {
				rc |= kcap_buf_put_varint(b, t->v[i].id);
				rc |= kcap_buf_put_str(b, t->v[i].name, strlen(t->v[i].name));
			}
		}
	}
	return rc ? KCAP_E_NOMEM : 0;
}

int kcap_snapshot_decode(kcap_snapshot *s, const uint8_t *p, size_t n)
{
	cur c = {p, p + n, 0};
	uint64_t cnt = cur_varint(&c);
	for (uint64_t i = 0; i < cnt && !c.bad; i++) {
		kcap_proc pr = {0};
		pr.pid = (int32_t)zz_dec(cur_varint(&c));
		pr.ppid = (int32_t)zz_dec(cur_varint(&c));
		pr.uid = (uint32_t)cur_varint(&c);
		pr.gid = (uint32_t)cur_varint(&c);
		pr.start_ts = zz_dec(cur_varint(&c));
		char *comm = cur_strdup(&c), *exe = cur_strdup(&c), *cwd = cur_strdup(&c);
		uint64_t cl = cur_varint(&c);
		const uint8_t *cmd = cur_bytes(&c, cl);
		if (!c.bad) {
			pr.comm = comm;
			pr.exe = exe;
			pr.cwd = cwd;
			pr.cmdline = (const char *)cmd;
			pr.cmdline_len = (uint32_t)cl;
			if (kcap_snapshot_add(s, &pr))
				c.bad = 1;
		}
		free(comm);
		free(exe);
		free(cwd);
	}
	/* Name tables, when the writer had any (both, users first); ids strictly ascending, so that
	 * each entry is appended (a hostile order cannot make decoding
	 * quadratic). Nothing may follow them: trailing bytes are damage. */
	for (int k = 0; k < KCAP_NAMES_KINDS_ && !c.bad && (k || c.p < c.end); k++) {
		uint64_t nn = cur_varint(&c), prev = 0;
		for (uint64_t i = 0; i < nn && !c.bad; i++) {
			uint64_t id = cur_varint(&c);
			char *name = cur_strdup(&c);
			if (!name || id > UINT32_MAX || (i && id <= prev) ||
			    kcap_snapshot_set_name(s, k, (uint32_t)id, name))
				c.bad = 1;
			prev = id;
			free(name);
		}
	}
	return c.bad || c.p != c.end ? KCAP_E_CORRUPT : 0;
}
