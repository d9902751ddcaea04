/* Events as rows of ClickHouse: TabSeparated and RowBinary (rows.h). Both
 * fill one row of cells from an event, in the order of the column table,
 * then encode it; `kcap export clickhouse --ddl` prints the same table as
 * CREATE TABLE statements. */
#include "common/port.h"
#include <stdio.h>
#include <string.h>
#include <kcap/rows.h>
#include "core/core.h"
#include "query/render_internal.h"

enum {
	C_HOST, C_BOOT, C_SOURCE, C_SEQ, C_TS, C_PID, C_TID, C_PPID, C_CPU, C_UID, C_GID, C_COMM, C_TYPE,
	C_CATEGORY, C_PATH, C_RET, C_FD, C_ADDR, C_PORT, C_PARAMS, C_PROC, C_COUNT_
};

static const kcap_row_column columns[C_COUNT_] = {
	[C_HOST] = {"host", "String", KCAP_COL_STRING, "the origin's hostname metadata"},
	[C_BOOT] = {"boot_id", "String", KCAP_COL_STRING, "the origin's boot_id metadata: (host, boot_id, seq) names a row"},
	[C_SOURCE] = {"source", "String", KCAP_COL_STRING, "the origin's source metadata (ebpf, audit, synth, ...)"},
	[C_SEQ] = {"seq", "UInt64", KCAP_COL_U64, "the event's sequence number in its origin"},
	[C_TS] = {"ts", "Int64", KCAP_COL_I64, "ns since the epoch, UTC"},
	[C_PID] = {"pid", "Int32", KCAP_COL_I32, "process id"},
	[C_TID] = {"tid", "Int32", KCAP_COL_I32, "thread id"},
	[C_PPID] = {"ppid", "Int32", KCAP_COL_I32, "parent process id"},
	[C_CPU] = {"cpu", "UInt32", KCAP_COL_U32, "cpu number; 4294967295 when not known (audit)"},
	[C_UID] = {"uid", "UInt32", KCAP_COL_U32, "user id"},
	[C_GID] = {"gid", "UInt32", KCAP_COL_U32, "group id"},
	[C_COMM] = {"comm", "String", KCAP_COL_STRING, "the process's comm, bytes as recorded"},
	[C_TYPE] = {"type", "String", KCAP_COL_STRING, "event type name (openat, connect, ...)"},
	[C_CATEGORY] = {"category", "String", KCAP_COL_STRING, "the type's category (file, net, process, ...)"},
	[C_PATH] = {"path", "String", KCAP_COL_STRING, "the path, filename or pathname param, bytes as recorded; '' when absent"},
	[C_RET] = {"ret", "Nullable(Int64)", KCAP_COL_NULL_I64, "the ret param (negative: -errno); NULL when absent"},
	[C_FD] = {"fd", "Nullable(Int64)", KCAP_COL_NULL_I64, "the fd param; NULL when absent"},
	[C_ADDR] = {"addr", "String", KCAP_COL_STRING, "a socket address param's IP (dotted, or IPv6 text) or unix path; '' when absent"},
	[C_PORT] = {"port", "Nullable(UInt16)", KCAP_COL_NULL_U16, "its port (IPv4/IPv6); NULL otherwise"},
	[C_PARAMS] = {"params", "String", KCAP_COL_STRING, "every param, as the \"params\" object of the JSON line"},
	[C_PROC] = {"proc", "String", KCAP_COL_STRING, "the \"proc\" object of the JSON line (exe, cwd, cmdline, parent); '' without it"},
};

const kcap_row_column *kcap_row_columns(size_t *n)
{
	if (n)
		*n = C_COUNT_;
	return columns;
}

/* One cell: bytes (p, n) for a string, else the number in u or i; null for
 * a Nullable without value. params and proc are rendered into the output
 * buffer when their turn comes (gen set). */
typedef struct cell {
	const char *p;
	size_t n;
	uint64_t u;
	int64_t i;
	int null;
	int gen; /* 1: params, 2: proc */
} cell;

static const kcap_value *param_of(const kcap_event *ev, const kcap_type_def *def, const char *const *names)
{
	for (const char *const *nm = names; *nm; nm++)
		for (uint32_t i = 0; def && i < ev->nparams && i < def->nparams; i++)
			if (ev->params[i].present && !strcmp(def->params[i].name, *nm))
				return &ev->params[i];
	return NULL;
}

static const char *meta_or_empty(const kcap_event *ev, const char *key)
{
	const char *v = ev->meta ? kcap_meta_get(ev->meta, key) : NULL;
	return v ? v : "";
}

/* host, boot_id and source of the last origin seen, per thread: the same
 * for every event of an origin. Kept while the metadata's serial is the one
 * remembered (serials are never reused). */
typedef struct meta_memo {
	const kcap_meta *m;
	uint64_t serial;
	const char *v[3];
	size_t n[3];
} meta_memo;

static const meta_memo *origin_memo(const kcap_event *ev)
{
	static _Thread_local meta_memo memo;
	static const char *const keys[3] = {KCAP_META_HOSTNAME, KCAP_META_BOOT_ID, KCAP_META_SOURCE};
	uint64_t serial = ev->meta ? kcap_meta_serial(ev->meta) : 0;
	if (memo.v[0] && memo.m == ev->meta && memo.serial == serial)
		return &memo;
	memo.m = ev->meta;
	memo.serial = serial;
	for (int k = 0; k < 3; k++) {
		memo.v[k] = meta_or_empty(ev, keys[k]);
		memo.n[k] = strlen(memo.v[k]);
	}
	return &memo;
}

static void set_str(cell *c, const char *p, size_t n)
{
	c->p = p;
	c->n = n;
}

/* Fills the row; tb holds texts made here (type_N, addresses). */
static void fill_row(cell *row, const kcap_event *ev, const kcap_schema *s, char *tb, size_t tbsz)
{
	static const char *const path_names[] = {"path", "filename", "pathname", NULL};
	static const char *const ret_names[] = {"ret", NULL}, *const fd_names[] = {"fd", NULL};
	static const char *const addr_names[] = {"addr", "sockaddr", NULL};
	memset(row, 0, sizeof(cell) * C_COUNT_);
	const kcap_type_def *def = ev->def ? ev->def : kcap_schema_type(s, ev->type_id);
	const meta_memo *mm = origin_memo(ev);
	set_str(&row[C_HOST], mm->v[0], mm->n[0]);
	set_str(&row[C_BOOT], mm->v[1], mm->n[1]);
	set_str(&row[C_SOURCE], mm->v[2], mm->n[2]);
	row[C_SEQ].u = ev->seq;
	row[C_TS].i = ev->ts;
	row[C_PID].i = ev->pid;
	row[C_TID].i = ev->tid;
	row[C_PPID].i = ev->ppid;
	row[C_CPU].u = ev->cpu;
	row[C_UID].u = ev->uid;
	row[C_GID].u = ev->gid;
	set_str(&row[C_COMM], ev->comm ? ev->comm : "", ev->comm ? ev->comm_len : 0);
	size_t used = 0;
	if (def) {
		set_str(&row[C_TYPE], def->name, strlen(def->name));
		set_str(&row[C_CATEGORY], def->category ? def->category : "", def->category ? strlen(def->category) : 0);
	} else {
		int k = snprintf(tb, tbsz, "type_%u", (unsigned)ev->type_id);
		set_str(&row[C_TYPE], tb, (size_t)k);
		used = (size_t)k + 1;
		set_str(&row[C_CATEGORY], "unknown", 7);
	}
	const kcap_value *p = param_of(ev, def, path_names);
	if (p && (p->type == KCAP_T_PATH || p->type == KCAP_T_STR))
		set_str(&row[C_PATH], (const char *)p->p, p->len);
	else
		set_str(&row[C_PATH], "", 0);
	p = param_of(ev, def, ret_names);
	row[C_RET].null = !p;
	row[C_RET].i = p ? (kcap_ptype_is_signed(p->type) ? p->i : (int64_t)p->u) : 0;
	p = param_of(ev, def, fd_names);
	row[C_FD].null = !p;
	row[C_FD].i = p ? (kcap_ptype_is_signed(p->type) ? p->i : (int64_t)p->u) : 0;
	p = param_of(ev, def, addr_names);
	row[C_PORT].null = 1;
	set_str(&row[C_ADDR], "", 0);
	if (p && p->type == KCAP_T_SOCKADDR) {
		if (p->af == KCAP_AF_INET || p->af == KCAP_AF_INET6) {
			char *o = tb + used;
			if (inet_ntop(p->af == KCAP_AF_INET ? AF_INET : AF_INET6, p->addr, o, (size_t)(tbsz - used)))
				set_str(&row[C_ADDR], o, strlen(o));
			row[C_PORT].null = 0;
			row[C_PORT].u = p->port;
		} else if (p->af == KCAP_AF_UNIX) {
			set_str(&row[C_ADDR], (const char *)p->p, p->len);
		}
	} else if (p && (p->type == KCAP_T_IPV4 || p->type == KCAP_T_IPV6) && p->len >= (p->type == KCAP_T_IPV4 ? 4u : 16u)) {
		char *o = tb + used;
		if (inet_ntop(p->type == KCAP_T_IPV4 ? AF_INET : AF_INET6, p->p, o, (size_t)(tbsz - used)))
			set_str(&row[C_ADDR], o, strlen(o));
	}
	row[C_PARAMS].gen = 1;
	row[C_PROC].gen = 2;
}

/* Appends params or proc JSON text at b's end. */
static int gen_json(kcap_buf *b, int gen, const kcap_event *ev, const kcap_schema *s, const kcap_procstate *ps)
{
	if (gen == 1)
		return kcap_render_json_params(b, ev, s);
	if (!ps)
		return 0;
	size_t at = b->len;
	int rc = kcap_procstate_append_json(b, ps, ev);
	if (rc) {
		b->len = at;
		return rc;
	}
	static const char key[] = "\"proc\":";
	size_t k = sizeof key - 1;
	if (b->len - at >= k && !memcmp(b->data + at, key, k)) {
		memmove(b->data + at, b->data + at + k, b->len - at - k);
		b->len -= k;
	}
	return 0;
}

/* ---- TabSeparated ---- */

/* The letter after the backslash of an escaped byte, or 0 for a byte
 * written as is. */
static const char tsv_esc_tab[256] = {
	['\b'] = 'b', ['\f'] = 'f', ['\n'] = 'n', ['\r'] = 'r', ['\t'] = 't', [0] = '0', ['\\'] = '\\', ['\''] = '\'',
};
static inline char tsv_esc(uint8_t c) { return tsv_esc_tab[c]; }

static int tsv_escape_to(kcap_buf *b, const uint8_t *p, size_t n)
{
	if (b->cap - b->len < 2 * n + 1 && kcap_buf_reserve(b, 2 * n + 1))
		return -1;
	char *o = b->data + b->len;
	size_t i = 0;
	while (i < n && !tsv_esc(p[i])) /* most strings need no escape */
		i++;
	memcpy(o, p, i);
	o += i;
	for (; i < n; i++) {
		char e = tsv_esc(p[i]);
		if (e) {
			*o++ = '\\';
			*o++ = e;
		} else {
			*o++ = (char)p[i];
		}
	}
	b->len = (size_t)(o - b->data);
	return 0;
}

/* The text appended at [at, b->len) escaped in place, from its end back. */
static int tsv_escape_tail(kcap_buf *b, size_t at)
{
	size_t k = 0;
	for (size_t i = at; i < b->len; i++)
		k += tsv_esc((uint8_t)b->data[i]) != 0;
	if (!k)
		return 0;
	if (kcap_buf_reserve(b, k))
		return -1;
	char *d = b->data;
	size_t r = b->len, w = b->len + k;
	while (r > at) {
		char c = d[--r], e = tsv_esc((uint8_t)c);
		if (e) {
			d[--w] = e;
			d[--w] = '\\';
		} else {
			d[--w] = c;
		}
	}
	b->len += k;
	return 0;
}

static char *dec_to(char *o, uint64_t u, int neg)
{
	char t[24], *e = t + sizeof t, *q = e;
	do {
		*--q = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (neg)
		*--q = '-';
	memcpy(o, q, (size_t)(e - q));
	return o + (e - q);
}

static int put_num(kcap_buf *b, int kind, const cell *c)
{
	if (b->cap - b->len < 24 && kcap_buf_reserve(b, 24))
		return -1;
	char *o = b->data + b->len;
	if (c->null && (kind == KCAP_COL_NULL_I64 || kind == KCAP_COL_NULL_U16)) {
		*o++ = '\\';
		*o++ = 'N';
	} else if (kind == KCAP_COL_U64 || kind == KCAP_COL_U32 || kind == KCAP_COL_NULL_U16) {
		o = dec_to(o, c->u, 0);
	} else {
		o = dec_to(o, c->i < 0 ? 0 - (uint64_t)c->i : (uint64_t)c->i, c->i < 0);
	}
	b->len = (size_t)(o - b->data);
	return 0;
}

int kcap_render_tsv(kcap_buf *b, const kcap_event *ev, const kcap_schema *s, const kcap_procstate *ps)
{
	cell row[C_COUNT_];
	char tb[96];
	size_t start = b->len;
	fill_row(row, ev, s, tb, sizeof tb);
	int rc = 0;
	for (size_t i = 0; i < C_COUNT_ && !rc; i++) {
		if (i)
			rc = kcap_buf_append(b, "\t", 1);
		if (rc)
			break;
		if (row[i].gen) {
			size_t at = b->len;
			rc = gen_json(b, row[i].gen, ev, s, ps);
			rc = rc || tsv_escape_tail(b, at);
		} else if (columns[i].kind == KCAP_COL_STRING) {
			rc = tsv_escape_to(b, (const uint8_t *)row[i].p, row[i].n);
		} else {
			rc = put_num(b, columns[i].kind, &row[i]);
		}
	}
	rc = rc || kcap_buf_append(b, "\n", 1);
	if (rc) {
		b->len = start;
		return KCAP_E_NOMEM;
	}
	return 0;
}

int kcap_render_tsv_header(kcap_buf *b)
{
	size_t start = b->len;
	int rc = 0;
	for (size_t i = 0; i < C_COUNT_; i++)
		rc |= (i && kcap_buf_append(b, "\t", 1)) | kcap_buf_append(b, columns[i].name, strlen(columns[i].name));
	rc |= kcap_buf_append(b, "\n", 1);
	if (rc) {
		b->len = start;
		return KCAP_E_NOMEM;
	}
	return 0;
}

/* ---- RowBinary ---- */

static int rb_le(kcap_buf *b, uint64_t v, int bytes)
{
	uint8_t t[8];
	for (int i = 0; i < bytes; i++)
		t[i] = (uint8_t)(v >> (8 * i));
	return kcap_buf_append(b, t, (size_t)bytes);
}

static size_t leb_to(uint8_t *o, uint64_t n)
{
	size_t k = 0;
	do {
		uint8_t c = n & 0x7f;
		n >>= 7;
		o[k++] = (uint8_t)(c | (n ? 0x80 : 0));
	} while (n);
	return k;
}

static int rb_str(kcap_buf *b, const void *p, size_t n)
{
	uint8_t t[10];
	size_t k = leb_to(t, n);
	return kcap_buf_append(b, t, k) || (n && kcap_buf_append(b, p, n));
}

int kcap_render_rowbinary(kcap_buf *b, const kcap_event *ev, const kcap_schema *s, const kcap_procstate *ps)
{
	cell row[C_COUNT_];
	char tb[96];
	size_t start = b->len;
	fill_row(row, ev, s, tb, sizeof tb);
	int rc = 0;
	for (size_t i = 0; i < C_COUNT_ && !rc; i++) {
		const cell *c = &row[i];
		switch (columns[i].kind) {
		case KCAP_COL_STRING:
			if (c->gen) {
				/* rendered after room for the longest length prefix, then moved down */
				if (kcap_buf_reserve(b, 10)) {
					rc = -1;
					break;
				}
				size_t at = b->len;
				b->len += 10;
				rc = gen_json(b, c->gen, ev, s, ps);
				if (rc)
					break;
				size_t n = b->len - at - 10;
				uint8_t t[10];
				size_t k = leb_to(t, n);
				memmove(b->data + at + k, b->data + at + 10, n);
				memcpy(b->data + at, t, k);
				b->len = at + k + n;
			} else {
				rc = rb_str(b, c->p, c->n);
			}
			break;
		case KCAP_COL_U64:
		case KCAP_COL_I64: rc = rb_le(b, columns[i].kind == KCAP_COL_U64 ? c->u : (uint64_t)c->i, 8); break;
		case KCAP_COL_I32: rc = rb_le(b, (uint32_t)(int32_t)c->i, 4); break;
		case KCAP_COL_U32: rc = rb_le(b, c->u, 4); break;
		case KCAP_COL_NULL_I64:
			rc = rb_le(b, c->null, 1) || (!c->null && rb_le(b, (uint64_t)c->i, 8));
			break;
		case KCAP_COL_NULL_U16:
			rc = rb_le(b, c->null, 1) || (!c->null && rb_le(b, c->u, 2));
			break;
		default: rc = -1;
		}
	}
	if (rc) {
		b->len = start;
		return KCAP_E_NOMEM;
	}
	return 0;
}
