/* Hand-made captures for the filter tests (captures.h). */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <kcap/taxonomy.h>
#include "captures.h"

typedef struct evb {
	kcap_event ev;
	kcap_value v[KCAP_MAX_PARAMS];
	const kcap_type_def *def;
	char arena[8192];
	size_t used;
	uint64_t seq;
	int64_t ts;
} evb;

static const kcap_schema *g_schema;
static kcap_writer *g_w;
static int g_rc;

static void begin_at(evb *b, const char *type, int32_t pid, int32_t ppid, uint32_t uid, const char *comm, int64_t ts)
{
	uint64_t seq = b->seq + 1;
	memset(b, 0, sizeof(*b));
	b->seq = seq;
	b->def = kcap_schema_type_by_name(g_schema, type);
	if (!b->def) {
		fprintf(stderr, "captures: no type %s\n", type);
		g_rc = KCAP_E_INVAL;
		return;
	}
	b->ev.seq = seq;
	b->ev.ts = ts;
	b->ev.pid = pid;
	b->ev.tid = pid;
	b->ev.ppid = ppid;
	b->ev.cpu = (uint32_t)(seq % 4);
	b->ev.uid = uid;
	b->ev.gid = uid;
	b->ev.type_id = b->def->id;
	b->ev.comm = comm;
	b->ev.comm_len = (uint16_t)strlen(comm);
	b->ev.nparams = b->def->nparams;
	b->ev.params = b->v;
	for (uint32_t i = 0; i < b->def->nparams; i++)
		b->v[i].type = b->def->params[i].type;
}

static void begin(evb *b, const char *type, int32_t pid, int32_t ppid, uint32_t uid, const char *comm)
{
	begin_at(b, type, pid, ppid, uid, comm, CAP_T0 + (int64_t)(b->seq + 1) * 1000000000LL);
}

static kcap_value *pv(evb *b, const char *name)
{
	int i = b->def ? kcap_type_param_index(b->def, name) : -1;
	if (i < 0) {
		fprintf(stderr, "captures: type %s has no param %s\n", b->def ? b->def->name : "?", name);
		g_rc = KCAP_E_INVAL;
		static kcap_value dummy;
		return &dummy;
	}
	b->v[i].present = 1;
	return &b->v[i];
}

static void p_int(evb *b, const char *name, int64_t x)
{
	kcap_value *v = pv(b, name);
	if (kcap_ptype_is_signed(v->type))
		v->i = x;
	else
		v->u = (uint64_t)x;
}

static const uint8_t *keep(evb *b, const void *p, size_t n)
{
	if (b->used + n > sizeof(b->arena)) {
		g_rc = KCAP_E_NOMEM;
		return (const uint8_t *)"";
	}
	char *d = b->arena + b->used;
	memcpy(d, p, n);
	b->used += n;
	return (const uint8_t *)d;
}

static void p_str(evb *b, const char *name, const char *s)
{
	kcap_value *v = pv(b, name);
	v->len = (uint32_t)strlen(s);
	v->p = keep(b, s, v->len);
}

/* argv given as "a|b|c". */
static void p_list(evb *b, const char *name, const char *bars)
{
	char tmp[1024];
	size_t n = strlen(bars);
	memcpy(tmp, bars, n + 1);
	uint32_t cnt = 1;
	for (size_t i = 0; i < n; i++)
		if (tmp[i] == '|') {
			tmp[i] = 0;
			cnt++;
		}
	kcap_value *v = pv(b, name);
	v->len = (uint32_t)n + 1;
	v->count = cnt;
	v->p = keep(b, tmp, n + 1);
}

static void p_sa(evb *b, const char *name, const char *ip, uint16_t port)
{
	kcap_value *v = pv(b, name);
	if (!ip) {
		v->af = KCAP_AF_NONE;
		return;
	}
	if (inet_pton(AF_INET, ip, v->addr) == 1) {
		v->af = KCAP_AF_INET;
	} else if (inet_pton(AF_INET6, ip, v->addr) == 1) {
		v->af = KCAP_AF_INET6;
	} else {
		v->af = KCAP_AF_UNIX;
		v->len = (uint32_t)strlen(ip);
		v->p = keep(b, ip, v->len);
		return;
	}
	v->port = port;
}

static void emit(evb *b)
{
	if (g_rc)
		return;
	int rc = kcap_writer_write(g_w, &b->ev);
	if (rc) {
		fprintf(stderr, "captures: write seq %llu: %s\n", (unsigned long long)b->seq, kcap_strerror(rc));
		g_rc = rc;
	}
}

static void snap_add(kcap_snapshot *s, int32_t pid, int32_t ppid, uint32_t uid, const char *comm,
                     const char *exe, const char *cwd, const char *argv_bars)
{
	char cmd[256];
	size_t n = strlen(argv_bars);
	memcpy(cmd, argv_bars, n + 1);
	for (size_t i = 0; i < n; i++)
		if (cmd[i] == '|')
			cmd[i] = 0;
	kcap_proc p = {.pid = pid, .ppid = ppid, .uid = uid, .gid = uid, .start_ts = CAP_T0 - 1000000000LL,
	               .comm = comm, .exe = exe, .cwd = cwd, .cmdline = cmd, .cmdline_len = (uint32_t)n + 1};
	kcap_snapshot_add(s, &p);
}

/* Flags values of the taxonomy (Linux x86-64 numbers). */
#define O_RDONLY_ 0
#define O_WRONLY_ 1
#define O_CREAT_ 0100
#define O_TRUNC_ 01000
#define O_APPEND_ 02000
#define O_CLOEXEC_ 02000000
#define SIGCHLD_ 17
#define CLONE_THREAD_ 0x10000
#define CLONE_VM_ 0x100

static void write_base(void)
{
	evb b = {0};
	/* 1 */ begin(&b, "clone", 100, 1, 1000, "bash");
	p_int(&b, "flags", SIGCHLD_); p_int(&b, "child_pid", 101); p_int(&b, "ret", 101); emit(&b);
	/* 2 */ begin(&b, "execve", 101, 100, 1000, "cat");
	p_int(&b, "dirfd", -100); p_str(&b, "path", "/usr/bin/cat"); p_list(&b, "argv", "cat|/etc/passwd");
	p_int(&b, "ret", 0); emit(&b);
	/* 3 */ begin(&b, "openat", 101, 100, 1000, "cat");
	p_int(&b, "dirfd", -100); p_str(&b, "path", "/etc/passwd"); p_int(&b, "flags", O_RDONLY_ | O_CLOEXEC_);
	p_int(&b, "mode", 0); p_int(&b, "ret", 3); emit(&b);
	/* 4 */ begin(&b, "read", 101, 100, 1000, "cat");
	p_int(&b, "fd", 3); p_int(&b, "count", 4096); p_int(&b, "ret", 1500); emit(&b);
	/* 5 */ begin(&b, "write", 101, 100, 1000, "cat");
	p_int(&b, "fd", 1); p_int(&b, "count", 1500); p_int(&b, "ret", 1500); emit(&b);
	/* 6 */ begin(&b, "close", 101, 100, 1000, "cat");
	p_int(&b, "fd", 3); p_int(&b, "ret", 0); emit(&b);
	/* 7 */ begin(&b, "exit_group", 101, 100, 1000, "cat");
	p_int(&b, "status", 0); emit(&b);
	/* 8 */ begin(&b, "connect", 200, 1, 0, "sshd");
	p_int(&b, "fd", 4); p_sa(&b, "addr", "10.1.2.3", 22); p_int(&b, "ret", 0); emit(&b);
	/* 9 */ begin(&b, "connect", 200, 1, 0, "sshd");
	b.ev.tid = 201;
	p_int(&b, "fd", 5); p_sa(&b, "addr", "::1", 443); p_int(&b, "ret", -111); emit(&b);
	/* 10 */ begin(&b, "accept", 200, 1, 0, "sshd");
	p_int(&b, "fd", 3); p_sa(&b, "addr", "192.168.1.50", 51000); p_int(&b, "flags", 02000000);
	p_int(&b, "ret", 6); emit(&b);
	/* 11 */ begin(&b, "openat", 100, 1, 1000, "bash");
	p_int(&b, "dirfd", -100); p_str(&b, "path", "/tmp/x.txt");
	p_int(&b, "flags", O_WRONLY_ | O_CREAT_ | O_TRUNC_); p_int(&b, "mode", 0644); p_int(&b, "ret", 3); emit(&b);
	/* 12 */ begin(&b, "openat", 100, 1, 1000, "bash");
	p_int(&b, "dirfd", -100); p_str(&b, "path", "/etc/shadow"); p_int(&b, "flags", O_RDONLY_);
	p_int(&b, "mode", 0); p_int(&b, "ret", -13); emit(&b);
	/* 13 */ begin(&b, "chdir", 100, 1, 1000, "bash");
	p_str(&b, "path", "/tmp"); p_int(&b, "ret", 0); emit(&b);
	/* 14 */ begin(&b, "unlink", 100, 1, 1000, "bash");
	p_int(&b, "dirfd", -100); p_str(&b, "path", "/tmp/x.txt"); p_int(&b, "flags", 0); p_int(&b, "ret", 0); emit(&b);
	/* 15 */ begin(&b, "clone", 100, 1, 1000, "bash");
	p_int(&b, "flags", SIGCHLD_); p_int(&b, "child_pid", 102); p_int(&b, "ret", 102); emit(&b);
	/* 16 */ begin(&b, "execve", 102, 100, 1000, "curl");
	p_int(&b, "dirfd", -100); p_str(&b, "path", "/usr/bin/curl");
	p_list(&b, "argv", "curl|-s|http://example.com/"); p_int(&b, "ret", 0); emit(&b);
	/* 17 */ begin(&b, "connect", 102, 100, 1000, "curl");
	p_int(&b, "fd", 3); p_sa(&b, "addr", "93.184.216.34", 80); p_int(&b, "ret", 0); emit(&b);
	/* 18 */ begin(&b, "sendto", 102, 100, 1000, "curl");
	p_int(&b, "fd", 3); p_int(&b, "size", 77); p_int(&b, "flags", 0); p_sa(&b, "addr", NULL, 0);
	p_int(&b, "ret", 77); emit(&b);
	/* 19 */ begin(&b, "exit_group", 102, 100, 1000, "curl");
	p_int(&b, "status", 0); emit(&b);
	/* 20 */ begin(&b, "setuid", 200, 1, 0, "sshd");
	p_int(&b, "uid", 1000); p_int(&b, "ret", 0); emit(&b);
	/* 21 */ begin(&b, "write", 300, 1, 1000, "python3");
	p_int(&b, "fd", 1); p_int(&b, "count", 10); p_int(&b, "ret", 10); emit(&b);
	/* 22 */ begin(&b, "execve", 100, 1, 1000, "bash");
	p_int(&b, "dirfd", -100); p_str(&b, "path", "/usr/bin/nosuch"); p_list(&b, "argv", "nosuch");
	p_int(&b, "ret", -2); emit(&b);
	/* 23 */ begin(&b, "kill", 100, 1, 1000, "bash");
	p_int(&b, "target", 101); p_int(&b, "sig", 15); p_int(&b, "ret", -3); emit(&b);
	/* 24 */ begin(&b, "openat", 42, 1, 33, "worker");
	p_int(&b, "dirfd", -100); p_str(&b, "path", "/var/log/app.log");
	p_int(&b, "flags", O_WRONLY_ | O_APPEND_ | O_CREAT_); p_int(&b, "mode", 0640); p_int(&b, "ret", 4); emit(&b);
	/* 25 */ begin(&b, "write", 42, 1, 33, "worker");
	p_int(&b, "fd", 4); p_int(&b, "count", 100); p_int(&b, "ret", 100); emit(&b);
	/* 26 */ begin(&b, "openat", 100, 1, 1000, "bash");
	p_int(&b, "dirfd", -100); p_str(&b, "path", "/home/u/My File \"1\".txt"); p_int(&b, "flags", O_RDONLY_);
	p_int(&b, "mode", 0); p_int(&b, "ret", 3); emit(&b);
	/* 27 */ begin(&b, "clone", 200, 1, 0, "sshd");
	p_int(&b, "flags", SIGCHLD_); p_int(&b, "child_pid", 101); p_int(&b, "ret", 101); emit(&b);
	/* 28 */ begin(&b, "write", 101, 200, 0, "sshd");
	p_int(&b, "fd", 2); p_int(&b, "count", 5); p_int(&b, "ret", 5); emit(&b);
	/* 29 */ begin(&b, "clone", 200, 1, 0, "sshd");
	p_int(&b, "flags", CLONE_VM_ | CLONE_THREAD_); p_int(&b, "child_pid", 202); p_int(&b, "ret", 202); emit(&b);
	/* 30 */ begin(&b, "mkdir", 100, 1, 1000, "bash");
	p_int(&b, "dirfd", -100); p_str(&b, "path", "/tmp/Dir"); p_int(&b, "mode", 0755); p_int(&b, "ret", -17); emit(&b);
}

static int base(const char *path, uint32_t block_size)
{
	int rc;
	kcap_writer_opts o = {.block_size = block_size};
	kcap_schema *s = kcap_schema_new();
	kcap_meta *m = kcap_meta_new();
	kcap_snapshot *snap = kcap_snapshot_new();
	if (!s || !m || !snap) {
		rc = KCAP_E_NOMEM;
		goto cleanup;
	}
	rc = kcap_taxonomy_schema(s);
	if (rc)
		goto cleanup;
	kcap_meta_set(m, KCAP_META_HOSTNAME, "alpha");
	kcap_meta_set(m, KCAP_META_SOURCE, "synth");
	kcap_meta_set(m, KCAP_META_CAPTURE_START, "1795255200000000000");
	snap_add(snap, 1, 0, 0, "systemd", "/usr/lib/systemd/systemd", "/", "/sbin/init|splash");
	snap_add(snap, 100, 1, 1000, "bash", "/usr/bin/bash", "/home/u", "-bash");
	snap_add(snap, 200, 1, 0, "sshd", "/usr/sbin/sshd", "/", "sshd: /usr/sbin/sshd -D");
	rc = kcap_writer_open_path(&g_w, path, &o, NULL);
	if (rc)
		goto cleanup;
	if ((rc = kcap_writer_add_meta(g_w, m)) < 0 || (rc = kcap_writer_set_schema(g_w, s)) ||
	    (rc = kcap_writer_add_snapshot(g_w, snap)))
		goto cleanup;
	g_schema = s;
	g_rc = 0;
	write_base();
	rc = g_rc;
cleanup:
	if (g_w) {
		int crc = kcap_writer_close(g_w);
		if (!rc)
			rc = crc;
		g_w = NULL;
	}
	kcap_snapshot_free(snap);
	kcap_meta_free(m);
	kcap_schema_free(s);
	return rc;
}

/* A custom type (id 300, beyond the type bitmap) whose params collide with
 * canonical fields and cover the remaining value types. */
static const kcap_param_def custom_params[] = {
	{"pid", KCAP_T_U32, 0, 0},      {"comm", KCAP_T_STR, 0, 0},    {"dip", KCAP_T_IPV4, 0, 0},
	{"dport", KCAP_T_U16, 0, 0},    {"ok", KCAP_T_BOOL, 0, 0},     {"when", KCAP_T_TIMESTAMP, 0, 0},
	{"took", KCAP_T_DURATION, 0, 0}, {"data", KCAP_T_BYTES, 0, 0}, {"src6", KCAP_T_IPV6, 0, 0},
	{"err", KCAP_T_ERRNO, 0, KCAP_SYMS_ERRNO}, {"level", KCAP_T_I8, 0, 0}, {"big", KCAP_T_U64, 0, 0},
};
static const kcap_type_def custom_type = {300, "custom", "app", "test type with colliding names",
                                          sizeof(custom_params) / sizeof(custom_params[0]), custom_params};

static void write_multi(void)
{
	evb b = {0};
	/* 1 origin 0 */ begin(&b, "custom", 10, 1, 0, "app");
	p_int(&b, "pid", 4242); p_str(&b, "comm", "inner"); p_sa(&b, "dip", NULL, 0);
	inet_pton(AF_INET, "10.9.8.7", b.v[2].addr); b.v[2].present = 1;
	p_int(&b, "dport", 443); p_int(&b, "ok", 1); p_int(&b, "when", CAP_T0 + 3600000000000LL);
	p_int(&b, "took", 1500000000LL); p_str(&b, "data", "GET / HTTP/1.1");
	p_int(&b, "err", 2); p_int(&b, "level", -5); p_int(&b, "big", (int64_t)UINT64_C(18446744073709551615));
	kcap_value *v6 = pv(&b, "src6");
	inet_pton(AF_INET6, "::ffff:192.0.2.1", v6->addr);
	emit(&b);
	/* 2 origin 1 */ begin(&b, "custom", 11, 1, 0, "app");
	b.ev.origin = 1;
	p_int(&b, "pid", 7); p_str(&b, "comm", "outer");
	kcap_value *d = pv(&b, "dip");
	inet_pton(AF_INET, "192.168.0.1", d->addr);
	p_int(&b, "dport", 53); p_int(&b, "ok", 0); p_int(&b, "when", CAP_T0 - 86400000000000LL);
	p_int(&b, "took", 250000LL); p_str(&b, "data", "\x01\x02");
	kcap_value *w6 = pv(&b, "src6");
	inet_pton(AF_INET6, "2001:db8::5", w6->addr);
	p_int(&b, "err", 13); p_int(&b, "level", 3); p_int(&b, "big", 5);
	emit(&b);
	/* 3 origin 1 */ begin(&b, "write", 12, 1, 0, "app");
	b.ev.origin = 1;
	p_int(&b, "fd", 1); p_int(&b, "count", 3); p_int(&b, "ret", 3); emit(&b);
	/* 4 origin 0, a param absent */ begin(&b, "custom", 10, 1, 0, "app");
	p_int(&b, "pid", 1); p_str(&b, "comm", "");
	emit(&b);
}

static int multi(const char *path, uint32_t block_size)
{
	int rc;
	kcap_writer_opts o = {.block_size = block_size};
	kcap_schema *s = kcap_schema_new();
	kcap_meta *m0 = kcap_meta_new(), *m1 = kcap_meta_new();
	if (!s || !m0 || !m1) {
		rc = KCAP_E_NOMEM;
		goto cleanup;
	}
	if ((rc = kcap_taxonomy_schema(s)) || (rc = kcap_schema_add_type(s, &custom_type)))
		goto cleanup;
	kcap_meta_set(m0, KCAP_META_HOSTNAME, "alpha");
	kcap_meta_set(m0, KCAP_META_SOURCE, "ebpf");
	kcap_meta_set(m1, KCAP_META_HOSTNAME, "beta.example.org");
	kcap_meta_set(m1, KCAP_META_SOURCE, "audit");
	rc = kcap_writer_open_path(&g_w, path, &o, NULL);
	if (rc)
		goto cleanup;
	if ((rc = kcap_writer_add_meta(g_w, m0)) < 0 || (rc = kcap_writer_add_meta(g_w, m1)) < 0 ||
	    (rc = kcap_writer_set_schema(g_w, s)))
		goto cleanup;
	rc = 0;
	g_schema = s;
	g_rc = 0;
	write_multi();
	rc = g_rc;
cleanup:
	if (g_w) {
		int crc = kcap_writer_close(g_w);
		if (!rc)
			rc = crc;
		g_w = NULL;
	}
	kcap_meta_free(m0);
	kcap_meta_free(m1);
	kcap_schema_free(s);
	return rc;
}

int cap_write(const char *name, const char *path, uint32_t block_size)
{
	if (!strcmp(name, "base"))
		return base(path, block_size);
	if (!strcmp(name, "multi"))
		return multi(path, block_size);
	return KCAP_E_NOTFOUND;
}
