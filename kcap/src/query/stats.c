/* Summaries of a capture: events counted into tables grouped by fields
 * (kcap/include/kcap/stats.h). Each table is an open-addressing hash of
 * groups keyed by the bytes of their key cells; rows are sorted on demand. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <kcap/filter.h>
#include <kcap/stats.h>
#include "common/common.h"
#include "query/filter_internal.h"
#include "query/render_internal.h"

#define STATS_MAX_COLS 8


enum { SF_NONE, SF_COMM, SF_PID, SF_TID, SF_PPID, SF_UID, SF_GID };

enum { T_BY, T_PROCS, T_PROGS, T_FILES, T_ERRORS, T_NET, T_USERS, T_RATE };

typedef struct group {
	uint64_t hash, count, failed;
	char *key;          /* the cells, each a presence byte, the text and a NUL */
	uint32_t klen;
} group;

typedef struct table {
	kcap_stats_table pub;
	int kind;
	const char *cols[STATS_MAX_COLS + 1];
	int fast[STATS_MAX_COLS];  /* FAST_*: a canonical field read here, not by name */
	group *g;           /* the hash, cap slots (a power of two) */
	size_t n, cap;
	kcap_stats_row *rows; /* sorted, built by kcap_stats_rows */
	const char **cells;
	int sorted;
	int by_time;
} table;

struct kcap_stats {
	table t[8];
	size_t nt;
	int uses_proc;
	uint64_t events;
	int64_t first_ts, last_ts;
	kcap_buf key, cell;
};

static int add_table(kcap_stats *st, int kind, const char *name, int has_failed, const char *const *cols)
{
	table *t = &st->t[st->nt++];
	size_t n = 0;
	while (cols[n] && n < STATS_MAX_COLS) {
		t->cols[n] = cols[n];
		n++;
	}
	t->kind = kind;
	t->by_time = kind == T_RATE;
	t->pub.name = name;
	t->pub.ncols = n;
	t->pub.cols = t->cols;
	t->pub.has_failed = has_failed;
	return 0;
}

int kcap_stats_new(kcap_stats **out, const char *const *by, kcap_error *err)
{
	*out = NULL;
	kcap_stats *st = calloc(1, sizeof(*st));
	if (!st)
		return kcap_seterr(err, KCAP_E_NOMEM, -1, "out of memory");
	st->first_ts = INT64_MAX;
	st->last_ts = INT64_MIN;
	if (by) {
		size_t n = 0;
		for (; by[n]; n++) {
			int rc = kcap_field_check(by[n], NULL, err);
			if (rc) {
				free(st);
				return rc;
			}
			if (!strncmp(by[n], "proc.", 5) || !strncmp(by[n], "parent.", 7))
				st->uses_proc = 1;
		}
		if (n == 0 || n > STATS_MAX_COLS) {
			free(st);
			return kcap_seterr(err, KCAP_E_INVAL, -1, "--by takes 1 to %d fields", STATS_MAX_COLS);
		}
		add_table(st, T_BY, "by", 0, by);
		static const char *const fast[] = {"", "comm", "pid", "tid", "ppid", "uid", "gid", NULL};
		for (size_t i = 0; i < n; i++)
			for (int j = 1; fast[j]; j++)
				if (!strcmp(by[i], fast[j]))
					st->t[0].fast[i] = j;
	} else {
		static const char *const procs[] = {"pid", "comm", NULL}, *const progs[] = {"exe", NULL},
			*const files[] = {"path", NULL}, *const errs[] = {"errno", NULL},
			*const net[] = {"direction", "address", "port", NULL}, *const users[] = {"uid", "user", NULL},
			*const rate[] = {"minute", NULL};
		add_table(st, T_PROCS, "processes", 0, procs);
		add_table(st, T_PROGS, "programs", 1, progs);
		add_table(st, T_FILES, "files", 1, files);
		add_table(st, T_ERRORS, "errors", 0, errs);
		add_table(st, T_NET, "network", 0, net);
		add_table(st, T_USERS, "users", 0, users);
		add_table(st, T_RATE, "rate", 0, rate);
	}
	*out = st;
	return 0;
}

static void table_release_rows(table *t)
{
	free(t->rows);
	free(t->cells);
	t->rows = NULL;
	t->cells = NULL;
	t->sorted = 0;
}

void kcap_stats_free(kcap_stats *st)
{
	if (!st)
		return;
	for (size_t i = 0; i < st->nt; i++) {
		table *t = &st->t[i];
		for (size_t j = 0; j < t->cap; j++)
			free(t->g[j].key);
		free(t->g);
		table_release_rows(t);
	}
	kcap_buf_free(&st->key);
	kcap_buf_free(&st->cell);
	free(st);
}

int kcap_stats_head_only(const kcap_stats *st)
{
	static const char *const canonical[] = {"seq", "ts", "time", "pid", "tid", "ppid", "cpu", "uid",
	                                        "gid", "comm", "type", "category", "host", "source", NULL};
	if (!st || st->t[0].kind != T_BY)
		return 0;
	for (size_t i = 0; i < st->t[0].pub.ncols; i++)
		if (!kcap__name_in(st->t[0].cols[i], canonical))
			return 0;
	return 1;
}

int kcap_stats_uses_proc(const kcap_stats *st)
{
	return st && st->uses_proc;
}

uint64_t kcap_stats_events(const kcap_stats *st, int64_t *first_ts, int64_t *last_ts)
{
	if (first_ts)
		*first_ts = st ? st->first_ts : INT64_MAX;
	if (last_ts)
		*last_ts = st ? st->last_ts : INT64_MIN;
	return st ? st->events : 0;
}

size_t kcap_stats_tables(const kcap_stats *st)
{
	return st ? st->nt : 0;
}

const kcap_stats_table *kcap_stats_table_at(const kcap_stats *st, size_t i)
{
	return st && i < st->nt ? &st->t[i].pub : NULL;
}

/* ---- keys ---- */

/* A cell: presence byte, text up to its first NUL (a recorded NUL ends a
 * string as C sees it), NUL. */
static int key_cell(kcap_buf *k, const void *p, size_t n)
{
	uint8_t present = p != NULL;
	const void *nul = n ? memchr(p, 0, n) : NULL;
	if (nul)
		n = (size_t)((const char *)nul - (const char *)p);
	if (kcap_buf_reserve(k, n + 2) < 0)
		return KCAP_E_NOMEM;
	char *d = k->data + k->len;
	d[0] = (char)present;
	if (n)
		memcpy(d + 1, p, n);
	d[n + 1] = 0;
	k->len += n + 2;
	return 0;
}

static int key_str(kcap_buf *k, const char *s)
{
	return key_cell(k, s, s ? strlen(s) : 0);
}

static uint64_t hash_bytes(const char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)p[i]) * 0x100000001b3ull;
	return h ? h : 1;
}

static int table_grow(table *t)
{
	size_t ncap = t->cap ? t->cap * 2 : 64;
	group *ng = calloc(ncap, sizeof(*ng));
	if (!ng)
		return KCAP_E_NOMEM;
	for (size_t i = 0; i < t->cap; i++) {
		if (!t->g[i].hash)
			continue;
		size_t j = t->g[i].hash & (ncap - 1);
		while (ng[j].hash)
			j = (j + 1) & (ncap - 1);
		ng[j] = t->g[i];
	}
	free(t->g);
	t->g = ng;
	t->cap = ncap;
	return 0;
}

/* Counts one event in the group of key k. */
static int table_count(table *t, const kcap_buf *k, int failed)
{
	if ((t->n + 1) * 4 > t->cap * 3 && table_grow(t))
		return KCAP_E_NOMEM;
	uint64_t h = hash_bytes(k->data, k->len);
	size_t j = h & (t->cap - 1);
	while (t->g[j].hash && !(t->g[j].hash == h && t->g[j].klen == k->len && !memcmp(t->g[j].key, k->data, k->len)))
		j = (j + 1) & (t->cap - 1);
	group *g = &t->g[j];
	if (!g->hash) {
		if (!(g->key = malloc(k->len)))
			return KCAP_E_NOMEM;
		memcpy(g->key, k->data, k->len);
		g->klen = (uint32_t)k->len;
		g->hash = h;
		t->n++;
	}
	g->count++;
	g->failed += failed != 0;
	if (t->sorted)
		table_release_rows(t);
	return 0;
}

/* ---- what the default report recognises ---- */

static const char *const exec_types[] = {"execve", "execveat", "exec", NULL};
static const char *const open_types[] = {"open", "openat", "openat2", "creat", NULL};
static const char *const path_params[] = {"path", "filename", "pathname", "file", "exe", NULL};
static const char *const net_out[] = {"connect", "sendto", "sendmsg", NULL};
static const char *const net_in[] = {"accept", "accept4", "recvfrom", "recvmsg", NULL};

/* The text of a string-like value: its bytes for strings and paths, the
 * rendered value otherwise. */
static int value_text(kcap_buf *b, const kcap_value *v, const kcap_schema *s, const kcap_type_def *def,
                      const char *pname)
{
	int i = kcap_type_param_index(def, pname);
	b->len = 0;
	if (v->type == KCAP_T_STR || v->type == KCAP_T_PATH)
		return kcap_buf_append(b, v->p, v->len);
	return kcap_render_value(b, v, s, i >= 0 ? &def->params[i] : NULL);
}

static int errno_key(kcap_stats *st, const kcap_value *ret, const kcap_schema *s, const kcap_type_def *def)
{
	int i = kcap_type_param_index(def, "ret");
	const kcap_param_def *pd = i >= 0 ? &def->params[i] : NULL;
	const kcap_symset *set = pd && pd->symset ? kcap_schema_symset(s, pd->symset) : NULL;
	uint64_t e = ret->i > INT64_MIN ? (uint64_t)-ret->i : 0;
	for (uint32_t j = 0; set && j < set->nsyms; j++)
		if (set->syms[j].value == e)
			return key_str(&st->key, set->syms[j].name);
	char t[32];
	snprintf(t, sizeof(t), "errno %llu", (unsigned long long)e);
	return key_str(&st->key, t);
}

static int add_default(kcap_stats *st, const kcap_event *ev, const kcap_schema *s)
{
	const kcap_type_def *def = ev->def ? ev->def : kcap_schema_type(s, ev->type_id);
	kcap_buf *k = &st->key;
	char t[64];
	int rc = 0;
	const kcap_value *ret = def ? kcap__param(ev, def, "ret") : NULL;
	int failed = ret && kcap_ptype_is_signed(ret->type) && ret->i < 0;
	/* processes */
	k->len = 0;
	snprintf(t, sizeof(t), "%d", (int)ev->pid);
	rc |= key_str(k, t) | key_cell(k, ev->comm ? ev->comm : "", ev->comm_len);
	rc = rc ? rc : table_count(&st->t[0], k, 0);
	/* users */
	k->len = 0;
	snprintf(t, sizeof(t), "%u", (unsigned)ev->uid);
	rc |= key_str(k, t) | key_str(k, kcap_snapshot_name(ev->snapshot, KCAP_NAMES_USER, ev->uid));
	rc = rc ? rc : table_count(&st->t[5], k, 0);
	/* rate: the minute, as RFC 3339 UTC without seconds */
	char tm[40];
	int64_t minute = ev->ts - (((ev->ts % 60000000000LL) + 60000000000LL) % 60000000000LL);
	int n = kcap_format_time(tm, minute);
	if (n > 16) {
		tm[16] = 'Z';
		tm[17] = 0;
	}
	k->len = 0;
	rc |= key_str(k, tm);
	rc = rc ? rc : table_count(&st->t[6], k, 0);
	if (rc || !def)
		return rc;
	if (failed) {
		k->len = 0;
		rc = errno_key(st, ret, s, def);
		rc = rc ? rc : table_count(&st->t[3], k, 0);
	}
	int is_exec = kcap__name_in(def->name, exec_types), is_open = !is_exec && kcap__name_in(def->name, open_types);
	if (is_exec || is_open) {
		const kcap_value *p = kcap__param_first(ev, def, path_params);
		k->len = 0;
		if (p) {
			const char *const *pn = path_params;
			while (!kcap__param(ev, def, *pn))
				pn++;
			rc = value_text(&st->cell, p, s, def, *pn);
			rc = rc ? rc : key_cell(k, st->cell.data ? st->cell.data : "", st->cell.len);
		} else {
			rc = key_cell(k, NULL, 0);
		}
		rc = rc ? rc : table_count(&st->t[is_exec ? 1 : 2], k, failed);
	}
	const char *dir = kcap__name_in(def->name, net_out) ? "out" : kcap__name_in(def->name, net_in) ? "in"
	                : !strcmp(def->name, "bind") ? "bind" : NULL;
	if (!rc && dir) {
		const kcap_value *a = kcap__param(ev, def, "addr");
		if (a && a->type == KCAP_T_SOCKADDR) {
			k->len = 0;
			rc = key_str(k, dir);
			st->cell.len = 0;
			if (!rc && kcap__event_field_text(&st->cell, ev, s, NULL, "addr.ip")) {
				rc = key_cell(k, st->cell.data, st->cell.len);
				st->cell.len = 0;
				if (!rc && kcap__event_field_text(&st->cell, ev, s, NULL, "addr.port"))
					rc = key_cell(k, st->cell.data, st->cell.len);
				else if (!rc)
					rc = key_cell(k, NULL, 0);
			} else if (!rc) { /* unix, netlink: the address as text shows it */
				rc = kcap_render_value(&st->cell, a, s, &def->params[kcap_type_param_index(def, "addr")]);
				rc = rc ? rc : key_cell(k, st->cell.data ? st->cell.data : "", st->cell.len);
				rc = rc ? rc : key_cell(k, NULL, 0);
			}
			rc = rc ? rc : table_count(&st->t[4], k, 0);
		}
	}
	return rc;
}

int kcap_stats_add(kcap_stats *st, const kcap_event *ev, const kcap_schema *s, const kcap_procstate *ps)
{
	if (!st || !ev)
		return KCAP_E_INVAL;
	int rc = 0;
	if (st->t[0].kind == T_BY) {
		table *t = &st->t[0];
		kcap_buf *k = &st->key;
		k->len = 0;
		for (size_t i = 0; !rc && i < t->pub.ncols; i++) {
			char num[24];
			int f = t->fast[i];
			st->cell.len = 0;
			if (f == SF_COMM) {
				rc = key_cell(k, ev->comm ? ev->comm : "", ev->comm_len);
			} else if (f) {
				long long v = f == SF_PID ? ev->pid : f == SF_TID ? ev->tid : f == SF_PPID ? ev->ppid
				            : f == SF_UID ? (long long)ev->uid : (long long)ev->gid;
				rc = key_cell(k, num, (size_t)snprintf(num, sizeof(num), "%lld", v));
			} else if (kcap__event_field_text(&st->cell, ev, s, ps, t->cols[i]))
				rc = key_cell(k, st->cell.data ? st->cell.data : "", st->cell.len);
			else
				rc = key_cell(k, NULL, 0);
		}
		rc = rc ? rc : table_count(t, k, 0);
	} else {
		rc = add_default(st, ev, s);
	}
	if (rc)
		return KCAP_E_NOMEM;
	st->events++;
	if (ev->ts < st->first_ts)
		st->first_ts = ev->ts;
	if (ev->ts > st->last_ts)
		st->last_ts = ev->ts;
	return 0;
}

/* ---- sorted rows ---- */

/* Ends each row's cells, so that the comparisons know their number. */
static const char cells_end[] = "";

static int cmp_keys(const kcap_stats_row *a, const kcap_stats_row *b)
{
	for (size_t i = 0; a->keys[i] != cells_end; i++) {
		const char *x = a->keys[i], *y = b->keys[i];
		if (!x || !y) {
			if (x != y)
				return x ? -1 : 1; /* absent last */
			continue;
		}
		int c = strcmp(x, y);
		if (c)
			return c;
	}
	return 0;
}

static int cmp_count(const void *pa, const void *pb)
{
	const kcap_stats_row *a = pa, *b = pb;
	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	return cmp_keys(a, b);
}

static int cmp_time(const void *pa, const void *pb)
{
	return cmp_keys(pa, pb);
}

const kcap_stats_row *kcap_stats_rows(kcap_stats *st, size_t i, size_t *n)
{
	*n = 0;
	if (!st || i >= st->nt)
		return NULL;
	table *t = &st->t[i];
	if (t->sorted) {
		*n = t->n;
		return t->rows;
	}
	if (!t->n)
		return NULL;
	size_t nc = t->pub.ncols;
	t->rows = malloc(t->n * sizeof(*t->rows));
	t->cells = malloc(t->n * (nc + 1) * sizeof(*t->cells));
	if (!t->rows || !t->cells) {
		table_release_rows(t);
		*n = SIZE_MAX;
		return NULL;
	}
	size_t r = 0;
	for (size_t j = 0; j < t->cap; j++) {
		group *g = &t->g[j];
		if (!g->hash)
			continue;
		const char *p = g->key, *end = g->key + g->klen;
		const char **cells = t->cells + r * (nc + 1);
		for (size_t c = 0; c < nc; c++) {
			cells[c] = p < end && p[0] ? p + 1 : NULL;
			if (p < end)
				p += 1 + strlen(p + 1) + 1;
		}
		cells[nc] = cells_end;
		t->rows[r].keys = cells;
		t->rows[r].count = g->count;
		t->rows[r].failed = g->failed;
		r++;
	}
	qsort(t->rows, r, sizeof(*t->rows), t->by_time ? cmp_time : cmp_count);
	t->sorted = 1;
	*n = r;
	return t->rows;
}
