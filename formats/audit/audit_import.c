/* audit_import.c - audit events into kcap events (see audit_import.h). */
#include "common/port.h"
#include "audit_import.h"
#include "audit_json.h"
#include "audit_reassemble.h"
#include "audit_tables.h"

#include <kcap/syscall_map.h>
#include <kcap/taxonomy.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct origin_info {
	char *node;          /* NULL: records without node= */
	uint32_t node_len;
	int origin;          /* writer origin id */
	uint64_t seen, lost;
} origin_info;

typedef struct dyn_type {
	char *name;          /* record type as logged */
	uint32_t id;
} dyn_type;

struct kcap_audit_import {
	kcap_audit_sink sink;
	void *ud;
	int no_json;
	kcap_schema *schema;
	kcap_audit_reasm *ra;
	kcap_audit_import_stats st;
	uint64_t seq;
	int64_t last_ts;
	origin_info *origins;
	size_t norigins;
	dyn_type *dyn;
	size_t ndyn;
	/* per-event scratch, reused */
	kcap_buf json, argv, path1, path2;
	kcap_value vals[KCAP_MAX_PARAMS];
};

static int deliver(void *ud, const kcap_audit_event *ev);

/* ---- schema ------------------------------------------------------------- */

static const kcap_param_def AUDIT_PARAM = {"audit", KCAP_T_JSON, KCAP_PF_TOPLEVEL, 0};

/* A taxonomy type with "audit" appended, under its standard id. */
static int add_extended(kcap_schema *s, const kcap_type_def *t)
{
	kcap_param_def p[KCAP_MAX_PARAMS];
	if (t->nparams + 1 > KCAP_MAX_PARAMS)
		return KCAP_E_INVAL;
	memcpy(p, t->params, t->nparams * sizeof *p);
	p[t->nparams] = AUDIT_PARAM;
	kcap_type_def d = *t;
	d.nparams = t->nparams + 1;
	d.params = p;
	return kcap_schema_add_type(s, &d);
}

static const kcap_param_def SYSCALL_PARAMS[] = {
	{"syscall", KCAP_T_STR, 0, 0},
	{"ret", KCAP_T_RET, 0, KCAP_SYMS_ERRNO},
	{"audit", KCAP_T_JSON, KCAP_PF_TOPLEVEL, 0},
};

static int add_generic(kcap_schema *s, uint32_t id, const char *rtype, size_t rlen)
{
	char name[96];
	size_t n = (size_t)snprintf(name, sizeof name, "audit_%.*s", (int)(rlen > 80 ? 80 : rlen), rtype);
	for (size_t i = 6; i < n; i++)
		if (name[i] >= 'A' && name[i] <= 'Z')
			name[i] = (char)(name[i] + 32);
	kcap_type_def d = {.id = id, .name = name, .category = "audit"};
	if (id == KCAP_AUDIT_TYPE_SYSCALL) {
		d.description = "audit syscall event outside the standard taxonomy";
		d.nparams = 3;
		d.params = SYSCALL_PARAMS;
	} else {
		d.description = "audit event (all records in the audit param)";
		d.nparams = 1;
		d.params = &AUDIT_PARAM;
	}
	return kcap_schema_add_type(s, &d);
}

static int sink_schema(kcap_audit_import *imp)
{
	return imp->sink.set_schema ? imp->sink.set_schema(imp->ud, imp->schema) : 0;
}

int kcap_audit_import_new_sink(kcap_audit_import **out, const kcap_audit_sink *sink, void *ud,
                               const kcap_audit_import_opts *opts)
{
	int rc = KCAP_E_NOMEM;
	*out = NULL;
	if (!sink || !sink->event)
		return KCAP_E_INVAL;
	kcap_audit_import *imp = calloc(1, sizeof *imp);
	if (!imp)
		return KCAP_E_NOMEM;
	imp->sink = *sink;
	imp->ud = ud;
	imp->no_json = opts && opts->no_json;
	imp->schema = kcap_schema_new();
	if (!imp->schema)
		goto cleanup;
	for (size_t i = 0; kcap_taxonomy_symset_at(i); i++)
		if ((rc = kcap_schema_add_symset(imp->schema, kcap_taxonomy_symset_at(i))) < 0)
			goto cleanup;
	for (size_t i = 0; kcap_taxonomy_type_at(i); i++)
		if ((rc = add_extended(imp->schema, kcap_taxonomy_type_at(i))) < 0)
			goto cleanup;
	/* every known record type up front: a schema change later would cut
	 * the events block short */
	uint32_t num;
	const char *tname;
	for (size_t i = 0; kcap_audit_type_at(i, &num, &tname); i++)
		if ((rc = add_generic(imp->schema, KCAP_AUDIT_TYPE_BASE + num, tname, strlen(tname))) < 0)
			goto cleanup;
	if ((rc = add_generic(imp->schema, KCAP_AUDIT_TYPE_UNPARSED, "UNPARSED", 8)) < 0)
		goto cleanup;
	if ((rc = sink_schema(imp)) < 0)
		goto cleanup;
	rc = KCAP_E_NOMEM;
	imp->ra = kcap_audit_reasm_new(opts ? &opts->reasm : NULL, deliver, imp);
	if (!imp->ra)
		goto cleanup;
	*out = imp;
	return 0;
cleanup:
	kcap_audit_import_free(imp);
	return rc;
}

/* ---- the writer as a sink ---- */

static int writer_schema(void *w, const kcap_schema *s)
{
	return kcap_writer_set_schema(w, s);
}

static int writer_origin(void *w, const kcap_meta *m)
{
	return kcap_writer_add_meta(w, m);
}

static int writer_event(void *w, const kcap_event *ev)
{
	return kcap_writer_write(w, ev);
}

static int writer_stat(void *w, const kcap_stat *st)
{
	return kcap_writer_set_stat(w, st);
}

int kcap_audit_import_new(kcap_audit_import **imp, kcap_writer *w)
{
	static const kcap_audit_sink to_writer = {
		.set_schema = writer_schema, .add_origin = writer_origin, .event = writer_event, .set_stat = writer_stat,
	};
	return kcap_audit_import_new_sink(imp, &to_writer, w, NULL);
}

void kcap_audit_import_free(kcap_audit_import *imp)
{
	if (!imp)
		return;
	kcap_audit_reasm_free(imp->ra);
	kcap_schema_free(imp->schema);
	for (size_t i = 0; i < imp->norigins; i++)
		free(imp->origins[i].node);
	free(imp->origins);
	for (size_t i = 0; i < imp->ndyn; i++)
		free(imp->dyn[i].name);
	free(imp->dyn);
	free(imp->json.data);
	free(imp->argv.data);
	free(imp->path1.data);
	free(imp->path2.data);
	free(imp);
}

const kcap_audit_import_stats *kcap_audit_import_get_stats(const kcap_audit_import *imp)
{
	return &imp->st;
}

/* ---- small helpers ------------------------------------------------------ */

static int fval_eq(const kcap_audit_field *f, const char *s)
{
	size_t n = strlen(s);
	return f && f->val_len == n && memcmp(f->val, s, n) == 0;
}

/* Parses a field as an integer in base (10 or 16). Returns 1 on success. */
static int fnum(const kcap_audit_field *f, int base, int64_t *out)
{
	if (!f || f->val_len == 0 || f->val_len > 24)
		return 0;
	/* the common forms at once: hex digits, or decimal ones that cannot
	 * overflow; anything else through strtoull/strtoll below */
	uint64_t u;
	if (base == 16 && kcap_audit_hex_digits(f->val, f->val_len, &u)) {
		*out = (int64_t)u;
		return 1;
	}
	int neg = f->val[0] == '-';
	if (base == 10 && f->val_len - (size_t)neg - 1 < 18) { /* 1 to 18 digits: no overflow */
		const char *p = f->val + neg, *e = f->val + f->val_len;
		u = 0;
		while (p < e && (unsigned)(*p - '0') < 10)
			u = u * 10 + (unsigned)(*p++ - '0');
		if (p == e) {
			*out = neg ? -(int64_t)u : (int64_t)u;
			return 1;
		}
	}
	char b[32];
	memcpy(b, f->val, f->val_len);
	b[f->val_len] = 0;
	char *end;
	if (base == 16) {
		unsigned long long v = strtoull(b, &end, 16);
		if (*end || b[0] == '-')
			return 0;
		*out = (int64_t)v;
	} else {
		long long v = strtoll(b, &end, 10);
		if (*end)
			return 0;
		*out = v;
	}
	return 1;
}

static const kcap_audit_field *rfield(const kcap_audit_record *r, const char *key)
{
	return r ? kcap_audit_record_field(r, key) : NULL;
}

/* Record type numbers used by the mapping. */
enum { T_SYSCALL = 1300, T_PATH = 1302, T_SOCKADDR = 1306, T_CWD = 1307, T_EXECVE = 1309,
       T_FD_PAIR = 1317, T_CAPSET = 1322, T_MMAP = 1323 };

static const kcap_audit_record *find_rec(const kcap_audit_event *ev, uint32_t type_num)
{
	for (uint32_t i = 0; i < ev->nrecords; i++)
		if (ev->records[i]->type_num == type_num)
			return ev->records[i];
	return NULL;
}

/* ---- origins ------------------------------------------------------------ */

static int origin_for(kcap_audit_import *imp, const char *node, uint32_t len, origin_info **out)
{
	for (size_t i = 0; i < imp->norigins; i++) {
		origin_info *o = &imp->origins[i];
		if (o->node_len == len && (!o->node) == (!node) && (!len || memcmp(o->node, node, len) == 0)) {
			*out = o;
			return 0;
		}
	}
	origin_info *no = realloc(imp->origins, (imp->norigins + 1) * sizeof *no);
	if (!no)
		return KCAP_E_NOMEM;
	imp->origins = no;
	origin_info *o = &no[imp->norigins];
	memset(o, 0, sizeof *o);
	int rc = KCAP_E_NOMEM;
	kcap_meta *m = kcap_meta_new();
	if (!m)
		goto cleanup;
	if (node) {
		if (!(o->node = malloc(len + 1)))
			goto cleanup;
		memcpy(o->node, node, len);
		o->node[len] = 0;
		o->node_len = len;
	}
	if ((rc = kcap_meta_set(m, KCAP_META_SOURCE, "audit")) < 0 ||
	    (rc = kcap_meta_set(m, KCAP_META_OS, "Linux")) < 0 ||
	    (o->node && (rc = kcap_meta_set(m, KCAP_META_HOSTNAME, o->node)) < 0))
		goto cleanup;
	rc = imp->sink.add_origin ? imp->sink.add_origin(imp->ud, m) : 0;
	if (rc < 0)
		goto cleanup;
	o->origin = rc;
	rc = 0;
	imp->norigins++;
	*out = o;
cleanup:
	if (rc < 0) {
		free(o->node);
		o->node = NULL;
	}
	kcap_meta_free(m);
	return rc;
}

/* ---- value builders ----------------------------------------------------- */

static kcap_value *pv(kcap_audit_import *imp, const kcap_type_def *def, int idx)
{
	kcap_value *v = &imp->vals[idx];
	v->type = def->params[idx].type;
	v->present = 1;
	return v;
}

static void set_u(kcap_audit_import *imp, const kcap_type_def *def, int idx, uint64_t u)
{
	pv(imp, def, idx)->u = u;
}

static void set_i(kcap_audit_import *imp, const kcap_type_def *def, int idx, int64_t i)
{
	pv(imp, def, idx)->i = i;
}

/* PATH record: the first whose nametype is in want (NULL = any but PARENT). */
static const kcap_audit_record *find_path(const kcap_audit_event *ev, const char *want, int nth)
{
	for (uint32_t i = 0; i < ev->nrecords; i++) {
		const kcap_audit_record *r = ev->records[i];
		if (r->type_num != T_PATH)
			continue;
		const kcap_audit_field *nt = kcap_audit_record_field(r, "nametype");
		if (want ? !fval_eq(nt, want) : fval_eq(nt, "PARENT"))
			continue;
		if (nth-- == 0)
			return r;
	}
	return NULL;
}

/* Sets a PATH param from a PATH record's name, made absolute with CWD when
 * it is relative and relative to the working directory (dirfd AT_FDCWD or
 * a call without dirfd). */
static int set_path(kcap_audit_import *imp, const kcap_type_def *def, int idx, const kcap_audit_event *ev,
		    const kcap_audit_record *path, int64_t dirfd, kcap_buf *scratch)
{
	const kcap_audit_field *name = rfield(path, "name");
	if (!name || fval_eq(name, "(null)"))
		return 0;
	scratch->len = 0;
	if (name->val_len && name->val[0] != '/' && dirfd == KCAP_SYS_AT_FDCWD) {
		const kcap_audit_field *cwd = rfield(find_rec(ev, T_CWD), "cwd");
		if (cwd && cwd->val_len && cwd->val[0] == '/') {
			if (kcap_buf_append(scratch, cwd->val, cwd->val_len) < 0)
				return KCAP_E_NOMEM;
			if (cwd->val[cwd->val_len - 1] != '/' && kcap_buf_append(scratch, "/", 1) < 0)
				return KCAP_E_NOMEM;
		}
	}
	if (kcap_buf_append(scratch, name->val, name->val_len) < 0)
		return KCAP_E_NOMEM;
	kcap_value *v = pv(imp, def, idx);
	v->p = (const uint8_t *)scratch->data;
	v->len = (uint32_t)scratch->len;
	return 0;
}

static int hexv(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* SOCKADDR saddr (hex of struct sockaddr, in the logging host's byte order
 * for the family field) into a KCAP_T_SOCKADDR value. */
static void set_sockaddr(kcap_audit_import *imp, const kcap_type_def *def, int idx, const kcap_audit_event *ev,
			 int big_endian)
{
	const kcap_audit_field *f = rfield(find_rec(ev, T_SOCKADDR), "saddr");
	if (!f || f->val_len < 4 || (f->val_len & 1))
		return;
	uint8_t raw[128];
	size_t n = f->val_len / 2 > sizeof raw ? sizeof raw : f->val_len / 2;
	for (size_t i = 0; i < n; i++) {
		int h = hexv(f->val[2 * i]), l = hexv(f->val[2 * i + 1]);
		if (h < 0 || l < 0)
			return;
		raw[i] = (uint8_t)(h << 4 | l);
	}
	unsigned fam = big_endian ? (unsigned)(raw[0] << 8 | raw[1]) : (unsigned)(raw[1] << 8 | raw[0]);
	kcap_value *v = &imp->vals[idx];
	memset(v, 0, sizeof *v);
	v->type = KCAP_T_SOCKADDR;
	if (kcap_syscall_sockaddr_inet(v, fam, raw, n))
		return;
	v->present = 1;
	if (fam == KCAP_SYS_AF_UNIX) {
		/* the path sits in the decoded field itself: decode in place is
		 * not allowed (records are shared with the JSON), so point at a
		 * copy in the event scratch */
		size_t pl = 0;
		if (n > 2 && raw[2] == 0) { /* abstract socket: keep the leading NUL */
			pl = n - 2;
			while (pl > 1 && raw[2 + pl - 1] == 0)
				pl--;
		} else {
			while (2 + pl < n && raw[2 + pl])
				pl++;
		}
		imp->path2.len = 0;
		if (kcap_buf_append(&imp->path2, raw + 2, pl) < 0) {
			v->present = 0;
			return;
		}
		v->af = KCAP_AF_UNIX;
		v->p = (const uint8_t *)imp->path2.data;
		v->len = (uint32_t)pl;
	} else {
		imp->path2.len = 0;
		if (kcap_buf_append(&imp->path2, raw, n) < 0) {
			v->present = 0;
			return;
		}
		v->af = KCAP_AF_OTHER;
		v->p = (const uint8_t *)imp->path2.data;
		v->len = (uint32_t)n;
	}
	(void)def;
}

/* argv from the EXECVE records: aN, or aN[i] chunks after aN_len, across
 * however many EXECVE records the kernel split them into. */
static int set_argv(kcap_audit_import *imp, const kcap_type_def *def, const kcap_audit_event *ev)
{
	kcap_buf *b = &imp->argv;
	b->len = 0;
	uint32_t count = 0;
	int64_t argc = -1;
	int truncated = 0, any = 0;
	long cur = -1; /* argument being assembled from chunks */
	for (uint32_t i = 0; i < ev->nrecords; i++) {
		const kcap_audit_record *r = ev->records[i];
		if (r->type_num != T_EXECVE)
			continue;
		any = 1;
		for (uint32_t k = 0; k < r->nfields; k++) {
			const kcap_audit_field *f = &r->fields[k];
			if (f->key_len == 4 && memcmp(f->key, "argc", 4) == 0) {
				fnum(f, 10, &argc);
				continue;
			}
			if (f->key_len < 2 || f->key[0] != 'a' || f->key[1] < '0' || f->key[1] > '9')
				continue;
			long n = 0;
			uint32_t j = 1;
			while (j < f->key_len && f->key[j] >= '0' && f->key[j] <= '9')
				n = n * 10 + (f->key[j++] - '0');
			if (j == f->key_len) { /* aN=value */
				if (cur >= 0 && kcap_buf_append(b, "", 1) < 0)
					return KCAP_E_NOMEM;
				cur = -1;
				if (kcap_buf_append(b, f->val, f->val_len) < 0 || kcap_buf_append(b, "", 1) < 0)
					return KCAP_E_NOMEM;
				count++;
			} else if (f->key[j] == '[') { /* aN[i]=chunk */
				if (cur != n) {
					if (cur >= 0 && kcap_buf_append(b, "", 1) < 0)
						return KCAP_E_NOMEM;
					cur = n;
					count++;
				}
				if (kcap_buf_append(b, f->val, f->val_len) < 0)
					return KCAP_E_NOMEM;
			}
		}
	}
	if (cur >= 0 && kcap_buf_append(b, "", 1) < 0)
		return KCAP_E_NOMEM;
	if (!any)
		return 0;
	if (argc >= 0 && count < (uint64_t)argc)
		truncated = 1;
	kcap_value *v = pv(imp, def, KCAP_P_EXEC_ARGV);
	v->p = (const uint8_t *)(b->data ? b->data : "");
	v->len = (uint32_t)b->len;
	v->count = count;
	set_u(imp, def, KCAP_P_EXEC_ARGV_TRUNCATED, (uint64_t)truncated);
	return 0;
}

/* The PATH record of a path param, by what the call does to the path
 * (nametype CREATE, DELETE, NORMAL); for a call that may fail before it
 * creates or removes, any record but the parent. */
static const kcap_audit_record *path_for(const kcap_audit_event *ev, const kcap_syscall *m, kcap_syspath_role role)
{
	const kcap_audit_record *p;
	switch (role) {
	case KCAP_SYSPATH_OF_FD:
		/* a mapping's file is known by its MMAP record's fd only */
		return m->type == KCAP_EV_MMAP ? NULL : find_path(ev, NULL, 0);
	case KCAP_SYSPATH_NAMED:
		return find_path(ev, NULL, 0);
	case KCAP_SYSPATH_MAY_CREATE:
		return (p = find_path(ev, "CREATE", 0)) ? p : find_path(ev, NULL, 0);
	case KCAP_SYSPATH_MAY_DELETE:
		return (p = find_path(ev, "DELETE", 0)) ? p : find_path(ev, NULL, 0);
	case KCAP_SYSPATH_CREATES:
		return find_path(ev, "CREATE", 0);
	case KCAP_SYSPATH_DELETES:
		return find_path(ev, "DELETE", 0);
	case KCAP_SYSPATH_LINKED:
		return find_path(ev, "NORMAL", 0);
	default:
		return NULL; /* not logged (memfd names, symlink targets) */
	}
}

/* The syscall's registers a0..a3 as logged (audit logs no more). Returns
 * the bits of those present. */
static unsigned read_args(const kcap_audit_record *sc, uint64_t args[6])
{
	unsigned known = 0;
	const kcap_audit_field *a[4] = {0};
	memset(args, 0, 6 * sizeof *args);
	/* the first field of each key, as kcap_audit_record_field() finds it, in one pass */
	for (uint32_t j = 0; j < sc->nfields; j++) {
		const kcap_audit_field *f = &sc->fields[j];
		unsigned k = f->key_len == 2 && f->key[0] == 'a' ? (unsigned)(f->key[1] - '0') : 4;
		if (k < 4 && !a[k] && !(f->flags & KCAP_AUDIT_F_TEXT))
			a[k] = f;
	}
	for (int i = 0; i < 4; i++) {
		int64_t v;
		if (fnum(a[i], 16, &v)) {
			args[i] = (uint64_t)v;
			known |= 1u << i;
		}
	}
	return known;
}

/* Fills the taxonomy params of a SYSCALL event: the registers through the
 * syscall map, then what the other records of the event tell (paths,
 * argv, addresses, fd pairs, capability sets). sc is the SYSCALL record,
 * args its registers (known: read_args); args_known 0 for i386
 * socketcall, whose arguments are behind a pointer. */
static int fill_syscall(kcap_audit_import *imp, const kcap_syscall *m, const kcap_type_def *def,
			const kcap_audit_event *ev, const kcap_audit_record *sc, const uint64_t *args, unsigned known,
			int is32, int big_endian, int args_known)
{
	uint32_t id = def->id;
	int rc = 0;
	int64_t x, ret;
	int has_ret = fnum(rfield(sc, "exit"), 10, &ret);
	kcap_syscall_fill(m, kcap_taxonomy_type(id), args, known, has_ret ? &ret : NULL,
			  KCAP_SYSCALL_FILL_RAW_INTS | (is32 ? KCAP_SYSCALL_FILL_32BIT : 0), imp->vals);
	if (m->flags & KCAP_SYSCALL_ADDR)
		set_sockaddr(imp, def, m->addr_param, ev, big_endian);
	if (!args_known)
		return 0;
	for (int k = 0; k < 2; k++) {
		const kcap_syscall_path *p = &m->path[k];
		const kcap_audit_record *r = path_for(ev, m, (kcap_syspath_role)p->role);
		if (!r)
			continue;
		int64_t dirfd = KCAP_SYS_AT_FDCWD;
		if (p->dirfd_param != KCAP_SYSARG_NONE)
			dirfd = imp->vals[p->dirfd_param].present ? imp->vals[p->dirfd_param].i : 0;
		if ((rc = set_path(imp, def, p->param, ev, r, dirfd, k ? &imp->path2 : &imp->path1)) < 0)
			return rc;
	}
	switch (id) {
	case KCAP_EV_EXECVE:
	case KCAP_EV_EXECVEAT:
		rc = set_argv(imp, def, ev);
		break;
	case KCAP_EV_MMAP: {
		const kcap_audit_record *mm = find_rec(ev, T_MMAP);
		if (fnum(rfield(mm, "fd"), 10, &x))
			set_i(imp, def, KCAP_P_MMAP_FD, x);
		break;
	}
	case KCAP_EV_PIPE:
	case KCAP_EV_PIPE2:
	case KCAP_EV_SOCKETPAIR: {
		int f0 = id == KCAP_EV_SOCKETPAIR ? KCAP_P_SOCKETPAIR_FD0 : KCAP_P_PIPE_FD0;
		const kcap_audit_record *fp = find_rec(ev, T_FD_PAIR);
		if (fnum(rfield(fp, "fd0"), 10, &x))
			set_i(imp, def, f0, x);
		if (fnum(rfield(fp, "fd1"), 10, &x))
			set_i(imp, def, f0 + 1, x);
		break;
	}
	case KCAP_EV_CAPSET: {
		const kcap_audit_record *c = find_rec(ev, T_CAPSET);
		if (fnum(rfield(c, "pid"), 10, &x))
			set_i(imp, def, KCAP_P_CAPSET_TARGET, x);
		if (fnum(rfield(c, "cap_pe"), 16, &x))
			set_u(imp, def, KCAP_P_CAPSET_EFFECTIVE, (uint64_t)x);
		if (fnum(rfield(c, "cap_pp"), 16, &x))
			set_u(imp, def, KCAP_P_CAPSET_PERMITTED, (uint64_t)x);
		if (fnum(rfield(c, "cap_pi"), 16, &x))
			set_u(imp, def, KCAP_P_CAPSET_INHERITABLE, (uint64_t)x);
		break;
	}
	default:
		break;
	}
	return rc;
}

/* Type id for a generic audit event led by record r, registering it. */
static int generic_type(kcap_audit_import *imp, const kcap_audit_record *r, uint32_t *id)
{
	uint32_t num = r->type_num;
	if (num && num < KCAP_AUDIT_TYPE_DYNAMIC - KCAP_AUDIT_TYPE_BASE) {
		*id = KCAP_AUDIT_TYPE_BASE + num;
		if (kcap_schema_type(imp->schema, *id))
			return 0;
		const char *name = kcap_audit_type_name(num);
		int rc = name ? add_generic(imp->schema, *id, name, strlen(name))
			      : add_generic(imp->schema, *id, r->type, r->type_len);
		return rc < 0 ? rc : sink_schema(imp);
	}
	for (size_t i = 0; i < imp->ndyn; i++)
		if (strlen(imp->dyn[i].name) == r->type_len && memcmp(imp->dyn[i].name, r->type, r->type_len) == 0) {
			*id = imp->dyn[i].id;
			return 0;
		}
	dyn_type *nd = realloc(imp->dyn, (imp->ndyn + 1) * sizeof *nd);
	if (!nd)
		return KCAP_E_NOMEM;
	imp->dyn = nd;
	char *name = strndup(r->type, r->type_len);
	if (!name)
		return KCAP_E_NOMEM;
	*id = KCAP_AUDIT_TYPE_DYNAMIC + (uint32_t)imp->ndyn;
	nd[imp->ndyn].name = name;
	nd[imp->ndyn].id = *id;
	imp->ndyn++;
	int rc = add_generic(imp->schema, *id, r->type, r->type_len);
	return rc < 0 ? rc : sink_schema(imp);
}

static int write_event(kcap_audit_import *imp, kcap_event *e, const kcap_type_def *def)
{
	/* the audit JSON is the last param of every type we declare */
	kcap_value *a = &imp->vals[def->nparams - 1];
	a->type = KCAP_T_JSON;
	a->present = !imp->no_json;
	a->p = (const uint8_t *)imp->json.data;
	a->len = (uint32_t)imp->json.len;
	e->type_id = def->id;
	e->nparams = def->nparams;
	e->params = imp->vals;
	e->seq = ++imp->seq;
	int rc = imp->sink.event(imp->ud, e);
	if (rc == 0)
		imp->st.events++;
	return rc;
}

static int deliver(void *ud, const kcap_audit_event *ev)
{
	kcap_audit_import *imp = ud;
	kcap_audit_event timed;
	if (imp->sink.event_time) {
		timed = *ev;
		imp->sink.event_time(imp->ud, timed.serial, &timed.sec, &timed.msec);
		ev = &timed;
	}
	origin_info *o;
	int rc = origin_for(imp, ev->node, ev->node_len, &o);
	if (rc < 0)
		return rc;
	o->seen++;
	o->lost += ev->gap;
	if (ev->late)
		imp->st.late += ev->nrecords;

	imp->json.len = 0;
	if (!imp->no_json && (rc = kcap_audit_event_json(&imp->json, ev)) < 0)
		return rc;
	memset(imp->vals, 0, sizeof imp->vals);

	kcap_event e = {0};
	e.ts = ev->sec * 1000000000ll + (int64_t)ev->msec * 1000000ll;
	imp->last_ts = e.ts;
	e.origin = (uint16_t)o->origin;
	e.cpu = UINT32_MAX;
	/* process identity from the SYSCALL record, else the first with pid= */
	const kcap_audit_record *sc = find_rec(ev, T_SYSCALL);
	const kcap_audit_record *who = sc;
	for (uint32_t i = 0; !who && i < ev->nrecords; i++)
		if (kcap_audit_record_field(ev->records[i], "pid"))
			who = ev->records[i];
	int64_t x;
	if (fnum(rfield(who, "pid"), 10, &x))
		e.pid = e.tid = (int32_t)x;
	if (fnum(rfield(who, "ppid"), 10, &x))
		e.ppid = (int32_t)x;
	if (fnum(rfield(who, "uid"), 10, &x))
		e.uid = (uint32_t)x;
	if (fnum(rfield(who, "gid"), 10, &x))
		e.gid = (uint32_t)x;
	const kcap_audit_field *comm = rfield(who, "comm");
	if (comm) {
		e.comm = comm->val;
		e.comm_len = (uint16_t)(comm->val_len > 64 ? 64 : comm->val_len);
	}

	if (sc) {
		kcap_audit_arch arch = kcap_audit_arch_parse(rfield(sc, "arch") ? rfield(sc, "arch")->val : "",
							     rfield(sc, "arch") ? rfield(sc, "arch")->val_len : 0);
		int64_t nr = -1;
		fnum(rfield(sc, "syscall"), 10, &nr);
		const char *name = kcap_syscall_name(kcap_audit_arch_kcap(arch), nr);
		int args_known = 1;
		int is32 = arch == KCAP_AUDIT_ARCH_I386 || arch == KCAP_AUDIT_ARCH_ARM;
		int big_endian = arch == KCAP_AUDIT_ARCH_PPC64 || arch == KCAP_AUDIT_ARCH_S390X;
		if (name && strcmp(name, "socketcall") == 0) {
			int64_t call;
			if (fnum(rfield(sc, "a0"), 16, &call) && kcap_syscall_socketcall(call)) {
				name = kcap_syscall_socketcall(call);
				args_known = 0;
			}
		}
		const kcap_syscall *m = kcap_syscall_by_name(name);
		const kcap_type_def *def = m ? kcap_schema_type(imp->schema, m->type) : NULL;
		uint64_t args[6];
		unsigned known = read_args(sc, args);
		/* the taxonomy keeps executable mappings only */
		if (def && !kcap_syscall_kept(m, args, known))
			def = NULL;
		if (def) {
			if ((rc = fill_syscall(imp, m, def, ev, sc, args, args_known ? known : 0, is32, big_endian,
					       args_known)) < 0)
				return rc;
			imp->st.mapped++;
			return write_event(imp, &e, def);
		}
		/* outside the taxonomy: audit_syscall with the name and ret */
		def = kcap_schema_type(imp->schema, KCAP_AUDIT_TYPE_SYSCALL);
		kcap_value *v = &imp->vals[0];
		if (name) {
			v->type = KCAP_T_STR;
			v->present = 1;
			v->p = (const uint8_t *)name;
			v->len = (uint32_t)strlen(name);
		}
		if (fnum(rfield(sc, "exit"), 10, &x)) {
			imp->vals[1].type = KCAP_T_RET;
			imp->vals[1].present = 1;
			imp->vals[1].i = x;
		}
		return write_event(imp, &e, def);
	}
	uint32_t id;
	if ((rc = generic_type(imp, ev->records[0], &id)) < 0)
		return rc;
	return write_event(imp, &e, kcap_schema_type(imp->schema, id));
}

/* ---- input -------------------------------------------------------------- */

int kcap_audit_import_record(kcap_audit_import *imp, kcap_audit_record *rec)
{
	imp->st.records++;
	return kcap_audit_reasm_push(imp->ra, rec);
}

static int write_unparsed(kcap_audit_import *imp, const char *line, size_t len)
{
	origin_info *o;
	int rc = origin_for(imp, NULL, 0, &o);
	if (rc < 0)
		return rc;
	imp->json.len = 0;
	static const char head[] = "{\"serial\": 0, \"node\": \"\", \"records\": [], \"raw\": ";
	if (kcap_buf_append(&imp->json, head, sizeof head - 1) < 0 || kcap_audit_json_value(&imp->json, line, len, 0, 0) < 0 ||
	    kcap_buf_append(&imp->json, "}", 1) < 0)
		return KCAP_E_NOMEM;
	memset(imp->vals, 0, sizeof imp->vals);
	kcap_event e = {.ts = imp->last_ts, .origin = (uint16_t)o->origin, .cpu = UINT32_MAX};
	return write_event(imp, &e, kcap_schema_type(imp->schema, KCAP_AUDIT_TYPE_UNPARSED));
}

int kcap_audit_import_line(kcap_audit_import *imp, const char *line, size_t len, kcap_error *perr)
{
	kcap_audit_record *rec;
	imp->st.lines++;
	int rc = kcap_audit_record_parse(line, len, &rec, perr);
	if (rc == KCAP_E_NOTFOUND)
		return 0;
	if (rc == KCAP_E_SYNTAX) {
		imp->st.malformed++;
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			len--;
		rc = write_unparsed(imp, line, len);
		return rc < 0 ? rc : KCAP_E_SYNTAX;
	}
	if (rc < 0)
		return rc;
	return kcap_audit_import_record(imp, rec);
}

int kcap_audit_import_tick(kcap_audit_import *imp, int64_t now_ns)
{
	return kcap_audit_reasm_tick(imp->ra, now_ns);
}

void kcap_audit_import_reasm_stats(const kcap_audit_import *imp, kcap_audit_reasm_stats *st)
{
	kcap_audit_reasm_get_stats(imp->ra, st);
}

int kcap_audit_import_finish(kcap_audit_import *imp)
{
	int rc = kcap_audit_reasm_flush(imp->ra);
	if (rc < 0)
		return rc;
	kcap_audit_reasm_stats rs;
	kcap_audit_reasm_get_stats(imp->ra, &rs);
	imp->st.lost = rs.lost;
	for (size_t i = 0; i < imp->norigins; i++) {
		kcap_stat s = {.origin = (uint16_t)imp->origins[i].origin, .cpu = UINT32_MAX,
			       .source = "audit-serial-gap", .seen = imp->origins[i].seen,
			       .lost = imp->origins[i].lost};
		if (imp->sink.set_stat && (rc = imp->sink.set_stat(imp->ud, &s)) < 0)
			return rc;
	}
	return 0;
}
