/* scap_write.c - kcap events out as a .scap capture (see scap_write.h).
 *
 * Layouts (from falcosecurity/libs' userspace/libscap/scap_savefile.h and the
 * writer in scap_savefile.c, as of the 2022 libs inside sysdig 0.29.3): every
 * block is u32 type, u32 total length, body, padding to 4 bytes, u32 total
 * length again. An event block's body is u16 cpu then the event: u64 ts,
 * u64 tid, u32 len, u16 type, u32 nparams, nparams u16 lengths, the values. */
#include "scap_write.h"
#include "scap_events.h"

#include "common/port.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <kcap/taxonomy.h>
#include "common/common.h"

#define BT_SHB 0x0A0D0D0Au
#define SHB_MAGIC 0x1A2B3C4Du
#define BT_MI 0x201u
#define BT_PL_V9 0x215u
#define BT_EV_V2 0x216u
#define BT_EV_V2_LARGE 0x221u
#define BT_UL_V2 0x220u
#define EV_HDR 26u           /* u64 ts, u64 tid, u32 len, u16 type, u32 nparams */
#define NONLARGE_MAX 65536u  /* sysdig 0.29.3's read buffer for non-LARGE blocks */
#define MAX_SLOTS 32
#define SPOOL_CHUNK (1u << 20)

/* ---- the thread table ---------------------------------------------------- */

typedef struct thr {
	int64_t tid, pid, ptid;
	uint32_t uid, gid;
	char *comm, *exe, *exepath, *cwd;
	char *args; /* argv[1..], each NUL-terminated */
	uint32_t args_len;
	uint32_t order;  /* 1 + position in the process list; 0: not listed (born in the capture) */
	uint8_t used;
	/* a listed thread's description as the list must show it (before the
	 * events changed it): set by thr_freeze() before the first change */
	uint8_t frozen;
	char *p_comm, *p_exe, *p_exepath, *p_cwd, *p_args;
	uint32_t p_args_len;
} thr;

/* ---- how one kcap type is written ---------------------------------------- */

enum { SRC_DEFAULT, SRC_PARAM, SRC_ARGV0, SRC_ARGS, SRC_TUPLE, SRC_TID, SRC_PID, SRC_PTID, SRC_EXE,
       SRC_CWD, SRC_COMM, SRC_UID, SRC_GID, SRC_FDLIMIT, SRC_SYSID, SRC_STATUS, SRC_EXITCODE };
enum { CONV_NONE, CONV_OPEN_FLAGS, CONV_CLONE_FLAGS };
enum { PLAN_SKIP, PLAN_PAIR, PLAN_PROCEXIT, PLAN_GENERIC, PLAN_ENTER };
enum { PROC_NONE, PROC_CLONE, PROC_EXEC, PROC_CHDIR };

typedef struct slot {
	uint8_t src, conv, pt;
	int8_t k; /* kcap param index for SRC_PARAM/ARGV0/ARGS/TUPLE */
} slot;

typedef struct plan {
	uint32_t id;
	const kcap_type_def *def;
	char *name;
	uint8_t kind, proc, ne, nx;
	uint8_t raw;               /* a scap_NAME type of the importer: params by name, values as stored */
	uint8_t large_e, large_x;  /* u32 param lengths (EF_LARGE_PAYLOAD) */
	uint8_t nxonly;            /* raw: kcap params of the exit alone (none present: no exit) */
	int8_t xonly[MAX_SLOTS];
	uint16_t ecode, xcode, sysid;
	int8_t k_ret, k_argv, k_path, k_flags, k_status, k_sig, k_fd;
	int8_t k_returned; /* a generic syscall's "returned" (the scap importer's): 0, the enter alone */
	slot e[MAX_SLOTS], x[MAX_SLOTS];
} plan;

/* kcap taxonomy type -> scap event name, and the scap params whose kcap
 * source is not the param of the same name ("scap=kcap", or "scap=@ret"). */
typedef struct map_row {
	uint32_t id;
	const char *scap; /* NULL: sysdig 0.29.3's generic event under the kcap name */
	const char *alias;
	uint8_t proc;
} map_row;

static const map_row rows[] = {
	{KCAP_EV_FORK, "fork", NULL, PROC_CLONE},
	{KCAP_EV_VFORK, "vfork", NULL, PROC_CLONE},
	{KCAP_EV_CLONE, "clone", NULL, PROC_CLONE},
	{KCAP_EV_CLONE3, "clone3", NULL, PROC_CLONE},
	{KCAP_EV_EXECVE, "execve", NULL, PROC_EXEC},
	{KCAP_EV_EXECVEAT, "execveat", "pathname=path", PROC_EXEC},
	{KCAP_EV_EXIT, "procexit", NULL, 0},
	{KCAP_EV_EXIT_GROUP, "procexit", NULL, 0},
	{KCAP_EV_KILL, "kill", "pid=target", 0},
	{KCAP_EV_TKILL, "tkill", "tid=target", 0},
	{KCAP_EV_TGKILL, "tgkill", "pid=target", 0},
	{KCAP_EV_PTRACE, "ptrace", "pid=target", 0},
	{KCAP_EV_MMAP, "mmap", "length=len", 0},
	{KCAP_EV_MPROTECT, "mprotect", "length=len", 0},
	{KCAP_EV_PIPE, "pipe", "fd1=fd0,fd2=fd1", 0},
	{KCAP_EV_PIPE2, NULL, NULL, 0},
	{KCAP_EV_MEMFD_CREATE, NULL, NULL, 0},
	{KCAP_EV_SETNS, "setns", NULL, 0},
	{KCAP_EV_UNSHARE, "unshare", NULL, 0},
	{KCAP_EV_OPEN, "open", "fd=@ret", 0},
	{KCAP_EV_OPENAT, "openat", "fd=@ret", 0},
	{KCAP_EV_OPENAT2, "openat2", "fd=@ret", 0},
	{KCAP_EV_CREAT, "creat", "fd=@ret", 0},
	{KCAP_EV_CLOSE, "close", NULL, 0},
	{KCAP_EV_READ, "read", "size=count", 0},
	{KCAP_EV_WRITE, "write", "size=count", 0},
	{KCAP_EV_PREAD64, "pread", "size=count,pos=offset", 0},
	{KCAP_EV_PWRITE64, "pwrite", "size=count,pos=offset", 0},
	{KCAP_EV_READV, "readv", "size=@ret", 0},
	{KCAP_EV_WRITEV, "writev", "size=count", 0},
	{KCAP_EV_PREADV, "preadv", "size=@ret,pos=offset", 0},
	{KCAP_EV_PWRITEV, "pwritev", "size=count,pos=offset", 0},
	{KCAP_EV_UNLINK, "unlink", NULL, 0},
	{KCAP_EV_UNLINKAT, "unlinkat", "name=path", 0},
	{KCAP_EV_RENAME, "rename", NULL, 0},
	{KCAP_EV_RENAMEAT, "renameat", NULL, 0},
	{KCAP_EV_RENAMEAT2, "renameat2", NULL, 0},
	{KCAP_EV_MKDIR, "mkdir", NULL, 0},
	{KCAP_EV_MKDIRAT, "mkdirat", NULL, 0},
	{KCAP_EV_RMDIR, "rmdir", NULL, 0},
	{KCAP_EV_CHMOD, "chmod", "filename=path", 0},
	{KCAP_EV_FCHMOD, "fchmod", NULL, 0},
	{KCAP_EV_FCHMODAT, "fchmodat", "filename=path", 0},
	{KCAP_EV_FCHMODAT2, NULL, NULL, 0},
	{KCAP_EV_CHOWN, NULL, NULL, 0},
	{KCAP_EV_LCHOWN, NULL, NULL, 0},
	{KCAP_EV_FCHOWN, NULL, NULL, 0},
	{KCAP_EV_FCHOWNAT, NULL, NULL, 0},
	{KCAP_EV_CHDIR, "chdir", NULL, PROC_CHDIR},
	{KCAP_EV_FCHDIR, "fchdir", NULL, PROC_CHDIR},
	{KCAP_EV_LINK, "link", NULL, 0},
	{KCAP_EV_LINKAT, "linkat", "olddir=olddirfd,newdir=newdirfd", 0},
	{KCAP_EV_SYMLINK, "symlink", "linkpath=path", 0},
	{KCAP_EV_SYMLINKAT, "symlinkat", "linkpath=path,linkdirfd=dirfd", 0},
	{KCAP_EV_TRUNCATE, NULL, NULL, 0},
	{KCAP_EV_FTRUNCATE, NULL, NULL, 0},
	{KCAP_EV_DUP, "dup", "fd=oldfd", 0},
	{KCAP_EV_DUP2, NULL, NULL, 0},
	{KCAP_EV_DUP3, NULL, NULL, 0},
	{KCAP_EV_SOCKET, "socket", "fd=@ret,domain=family,proto=protocol", 0},
	{KCAP_EV_SOCKETPAIR, "socketpair", "domain=family,proto=protocol,fd1=fd0,fd2=fd1", 0},
	{KCAP_EV_CONNECT, "connect", "tuple=addr", 0},
	{KCAP_EV_BIND, "bind", NULL, 0},
	{KCAP_EV_ACCEPT, "accept", "fd=@ret,tuple=addr", 0},
	{KCAP_EV_ACCEPT4, "accept", "fd=@ret,tuple=addr", 0},
	{KCAP_EV_LISTEN, "listen", NULL, 0},
	{KCAP_EV_SENDTO, "sendto", "tuple=addr", 0},
	{KCAP_EV_RECVFROM, "recvfrom", "tuple=addr", 0},
	{KCAP_EV_SENDMSG, "sendmsg", "tuple=addr", 0},
	{KCAP_EV_RECVMSG, "recvmsg", "tuple=addr,size=@ret", 0},
	{KCAP_EV_GETPEERNAME, "getpeername", NULL, 0},
	{KCAP_EV_GETSOCKNAME, "getsockname", NULL, 0},
	{KCAP_EV_SETUID, "setuid", NULL, 0},
	{KCAP_EV_SETGID, "setgid", NULL, 0},
	{KCAP_EV_SETREUID, NULL, NULL, 0},
	{KCAP_EV_SETREGID, NULL, NULL, 0},
	{KCAP_EV_SETRESUID, "setresuid", NULL, 0},
	{KCAP_EV_SETRESGID, "setresgid", NULL, 0},
	{KCAP_EV_SETFSUID, NULL, NULL, 0},
	{KCAP_EV_SETFSGID, NULL, NULL, 0},
	{KCAP_EV_CAPSET, NULL, NULL, 0},
};

/* ---- the writer ------------------------------------------------------------ */

typedef struct skipped_type {
	char *name;
	uint64_t n;
} skipped_type;

struct kcap_scap_writer {
	int fd;
	FILE *spool;
	kcap_buf out;   /* blocks waiting for the spool */
	kcap_buf ev;    /* the event being encoded */
	kcap_error err;
	/* machine info */
	char hostname[128];
	int have_host;
	uint32_t ncpus, max_cpu;
	uint64_t memory, boot_ts;
	/* threads */
	thr *t;
	size_t tcap, tn;
	uint32_t listed;
	/* user and group names */
	kcap_snapshot *names;
	/* plans by type id (open addressing) */
	plan **plans;
	size_t pcap, pn;
	plan *last;
	skipped_type *skip;
	size_t nskip;
	uint64_t written, skipped;
};

static int nomem(kcap_scap_writer *w) { return kcap_seterr(&w->err, KCAP_E_NOMEM, -1, "out of memory"); }

int kcap_scap_writer_open(kcap_scap_writer **out, int fd, kcap_error *err)
{
	kcap_scap_writer *w = calloc(1, sizeof *w);
	*out = NULL;
	if (!w)
		return kcap_seterr(err, KCAP_E_NOMEM, -1, "out of memory");
	w->fd = fd;
	w->spool = tmpfile();
	if (!w->spool) {
		int e = errno;
		free(w);
		kcap_seterr(err, KCAP_E_IO, -1, "cannot create a temporary file for the events: %s", strerror(e));
		if (err)
			err->sys_errno = e;
		return KCAP_E_IO;
	}
	w->names = kcap_snapshot_new();
	if (!w->names) {
		fclose(w->spool);
		free(w);
		return kcap_seterr(err, KCAP_E_NOMEM, -1, "out of memory");
	}
	*out = w;
	return 0;
}

const kcap_error *kcap_scap_writer_error(const kcap_scap_writer *w) { return &w->err; }
uint64_t kcap_scap_writer_written(const kcap_scap_writer *w) { return w->written; }
uint64_t kcap_scap_writer_skipped(const kcap_scap_writer *w) { return w->skipped; }

static int skip_cmp(const void *a, const void *b)
{
	const skipped_type *x = a, *y = b;
	return x->n != y->n ? (x->n < y->n ? 1 : -1) : strcmp(x->name, y->name);
}

int kcap_scap_writer_skipped_at(kcap_scap_writer *w, size_t i, const char **type, uint64_t *count)
{
	if (i == 0 && w->nskip > 1)
		qsort(w->skip, w->nskip, sizeof *w->skip, skip_cmp);
	if (i >= w->nskip)
		return 0;
	*type = w->skip[i].name;
	*count = w->skip[i].n;
	return 1;
}

static uint64_t hash64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x;
}

static thr *thr_find(kcap_scap_writer *w, int64_t tid)
{
	if (!w->tcap)
		return NULL;
	for (size_t i = hash64((uint64_t)tid) & (w->tcap - 1);; i = (i + 1) & (w->tcap - 1)) {
		if (!w->t[i].used)
			return NULL;
		if (w->t[i].tid == tid)
			return &w->t[i];
	}
}

/* The entry of tid, added (zeroed but for tid) when new; NULL when out of memory. */
static thr *thr_get(kcap_scap_writer *w, int64_t tid, int *added)
{
	thr *t = thr_find(w, tid);
	*added = 0;
	if (t)
		return t;
	if ((w->tn + 1) * 2 > w->tcap) {
		size_t ncap = w->tcap ? w->tcap * 2 : 1024;
		thr *nt = calloc(ncap, sizeof *nt);
		if (!nt)
			return NULL;
		for (size_t i = 0; i < w->tcap; i++) {
			if (!w->t[i].used)
				continue;
			size_t j = hash64((uint64_t)w->t[i].tid) & (ncap - 1);
			while (nt[j].used)
				j = (j + 1) & (ncap - 1);
			nt[j] = w->t[i];
		}
		free(w->t);
		w->t = nt;
		w->tcap = ncap;
	}
	size_t i = hash64((uint64_t)tid) & (w->tcap - 1);
	while (w->t[i].used)
		i = (i + 1) & (w->tcap - 1);
	t = &w->t[i];
	memset(t, 0, sizeof *t);
	t->used = 1;
	t->tid = tid;
	w->tn++;
	*added = 1;
	return t;
}

static int set_str(char **dst, const char *s, size_t n)
{
	char *c = malloc(n + 1);
	if (!c)
		return -1;
	memcpy(c, s, n);
	c[n] = 0;
	free(*dst);
	*dst = c;
	return 0;
}

/* argv (NUL-terminated elements) into exe (argv[0]) and args (the rest). */
static int set_argv(thr *t, const char *p, size_t len)
{
	size_t a0 = strnlen(p, len);
	if (set_str(&t->exe, p, a0))
		return -1;
	size_t rest = a0 < len ? len - a0 - 1 : 0;
	if (set_str(&t->args, p + len - rest, rest))
		return -1;
	t->args_len = (uint32_t)rest;
	return 0;
}

static int dup_opt(char **dst, const char *s, size_t n)
{
	return s ? set_str(dst, s, n) : 0;
}

/* Keeps what the process list shows of t before an event changes it. */
static int thr_freeze(thr *t)
{
	if (!t->order || t->frozen)
		return 0;
	t->frozen = 1;
	t->p_args_len = t->args_len;
	return dup_opt(&t->p_comm, t->comm, t->comm ? strlen(t->comm) : 0) ||
	       dup_opt(&t->p_exe, t->exe, t->exe ? strlen(t->exe) : 0) ||
	       dup_opt(&t->p_exepath, t->exepath, t->exepath ? strlen(t->exepath) : 0) ||
	       dup_opt(&t->p_cwd, t->cwd, t->cwd ? strlen(t->cwd) : 0) || dup_opt(&t->p_args, t->args, t->args_len);
}

/* A copy of t's process description (not its tid, pid, ptid, listing) into c. */
static int thr_copy(thr *c, const thr *t)
{
	if ((t->comm && set_str(&c->comm, t->comm, strlen(t->comm))) ||
	    (t->exe && set_str(&c->exe, t->exe, strlen(t->exe))) ||
	    (t->exepath && set_str(&c->exepath, t->exepath, strlen(t->exepath))) ||
	    (t->cwd && set_str(&c->cwd, t->cwd, strlen(t->cwd))) ||
	    (t->args && set_str(&c->args, t->args, t->args_len)))
		return -1;
	c->args_len = t->args_len;
	c->uid = t->uid;
	c->gid = t->gid;
	return 0;
}

int kcap_scap_writer_context(kcap_scap_writer *w, const kcap_meta *md, const kcap_snapshot *sn)
{
	/* a new input or section: its schema's definitions are planned anew */
	for (size_t i = 0; i < w->pcap; i++)
		if (w->plans[i])
			w->plans[i]->def = NULL;
	w->last = NULL;
	if (md && !w->have_host) {
		const char *h = kcap_meta_get(md, KCAP_META_HOSTNAME), *v;
		if (h) {
			snprintf(w->hostname, sizeof w->hostname, "%s", h);
			w->have_host = 1;
		}
		static const char *const cpu_keys[] = {"cpus", "num_cpus", "scap.num_cpus", NULL};
		static const char *const mem_keys[] = {"memory", "memory_bytes", "scap.memory_size_bytes", NULL};
		for (int i = 0; cpu_keys[i]; i++)
			if (!w->ncpus && (v = kcap_meta_get(md, cpu_keys[i])))
				w->ncpus = (uint32_t)strtoul(v, NULL, 10);
		for (int i = 0; mem_keys[i]; i++)
			if (!w->memory && (v = kcap_meta_get(md, mem_keys[i])))
				w->memory = strtoull(v, NULL, 10);
		if ((v = kcap_meta_get(md, "boot_time")))
			w->boot_ts = strtoull(v, NULL, 10);
	}
	for (size_t i = 0; sn && i < kcap_snapshot_count(sn); i++) {
		const kcap_proc *p = kcap_snapshot_at(sn, i);
		int added;
		thr *t = thr_get(w, p->pid, &added);
		if (!t)
			return nomem(w);
		if (!added)
			continue;
		t->pid = p->pid;
		t->ptid = p->ppid;
		t->uid = p->uid;
		t->gid = p->gid;
		t->order = ++w->listed;
		if ((p->comm && set_str(&t->comm, p->comm, strlen(p->comm))) ||
		    (p->exe && set_str(&t->exepath, p->exe, strlen(p->exe))) ||
		    (p->cwd && set_str(&t->cwd, p->cwd, strlen(p->cwd))))
			return nomem(w);
		if (p->cmdline && p->cmdline_len ? set_argv(t, p->cmdline, p->cmdline_len)
						 : p->exe && set_str(&t->exe, p->exe, strlen(p->exe)))
			return nomem(w);
	}
	for (int kind = 0; sn && kind < KCAP_NAMES_KINDS_; kind++) {
		uint32_t id;
		const char *name;
		for (size_t i = 0; kcap_snapshot_name_at(sn, kind, i, &id, &name); i++)
			if (!kcap_snapshot_name(w->names, kind, id) && kcap_snapshot_set_name(w->names, kind, id, name))
				return nomem(w);
	}
	return 0;
}

/* ---- plans ------------------------------------------------------------------ */

static const map_row *row_of(const kcap_type_def *def)
{
	if (def->id > KCAP_EV_MAX_)
		return NULL;
	const kcap_type_def *std = kcap_taxonomy_type(def->id);
	if (!std || strcmp(std->name, def->name))
		return NULL;
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
		if (rows[i].id == def->id)
			return &rows[i];
	return NULL;
}

/* The alias of scap param name in "a=b,c=d", copied into out; 0 when none. */
static int alias_of(const char *alias, const char *name, char *out, size_t cap)
{
	size_t n = strlen(name);
	for (const char *p = alias; p && *p;) {
		const char *eq = strchr(p, '='), *end = strchr(p, ',');
		if (!end)
			end = p + strlen(p);
		if (eq && eq < end && (size_t)(eq - p) == n && !strncmp(p, name, n) && (size_t)(end - eq) <= cap) {
			memcpy(out, eq + 1, (size_t)(end - eq - 1));
			out[end - eq - 1] = 0;
			return 1;
		}
		p = *end ? end + 1 : end;
	}
	return 0;
}

static int kidx(const kcap_type_def *def, const char *name)
{
	int i = kcap_type_param_index(def, name);
	return i < 0 || i >= 127 ? -1 : i;
}

/* How scap param pi of an exit (is_exit) or enter event is filled. */
static slot plan_slot(const plan *pl, const map_row *row, const scap_param_info *pi, int is_exit, int first)
{
	slot s = {.src = SRC_DEFAULT, .pt = pi->type, .k = -1};
	const kcap_type_def *def = pl->def;
	char al[32];
	const char *name = pi->name;
	if (alias_of(row->alias, name, al, sizeof al))
		name = al;
	if (!strcmp(name, "@ret") || (is_exit && first && !strcmp(name, "res"))) {
		s.k = pl->k_ret;
		s.src = s.k >= 0 ? SRC_PARAM : SRC_DEFAULT;
		return s;
	}
	if (row->proc == PROC_CLONE || row->proc == PROC_EXEC) {
		static const struct { const char *n; uint8_t src; } pf[] = {
			{"exe", SRC_EXE}, {"args", SRC_ARGS}, {"tid", SRC_TID}, {"pid", SRC_PID}, {"ptid", SRC_PTID},
			{"cwd", SRC_CWD}, {"comm", SRC_COMM}, {"uid", SRC_UID}, {"gid", SRC_GID},
			{"vtid", SRC_TID}, {"vpid", SRC_PID}, {"fdlimit", SRC_FDLIMIT}, {"vpgid", SRC_PID},
		};
		for (size_t i = 0; is_exit && i < sizeof pf / sizeof pf[0]; i++)
			if (!strcmp(name, pf[i].n)) {
				s.src = pf[i].src;
				return s;
			}
		if (!strcmp(name, "filename") || !strcmp(name, "pathname"))
			name = "path";
	}
	if (!strcmp(name, "name"))
		name = "path";
	int k = kidx(def, name);
	if (k < 0)
		return s;
	s.k = (int8_t)k;
	s.src = SRC_PARAM;
	if (pi->type == SCAP_PT_SOCKTUPLE)
		s.src = SRC_TUPLE;
	if (pi->symset && !strcmp(pi->symset, "file_flags") && def->params[k].type == KCAP_T_FLAGS)
		s.conv = CONV_OPEN_FLAGS;
	if (pi->symset && !strcmp(pi->symset, "clone_flags"))
		s.conv = CONV_CLONE_FLAGS;
	return s;
}

static int plan_side(plan *pl, const map_row *row, uint16_t code, int is_exit)
{
	const scap_event_info *e = scap_event_get(code);
	uint8_t n = e ? e->nparams_2022 : 0;
	if (n > MAX_SLOTS)
		return -1;
	slot *sl = is_exit ? pl->x : pl->e;
	for (uint8_t i = 0; i < n; i++)
		sl[i] = plan_slot(pl, row, &e->params[i], is_exit, i == 0);
	if (is_exit)
		pl->nx = n;
	else
		pl->ne = n;
	return 0;
}

/* A scap_NAME type (formats/scap/scap_import.c keeps every event the
 * taxonomy lacks so, with the event table's param names): back to NAME's
 * enter and exit of sysdig 0.29.3's table, each param from the kcap param
 * of its name. NAME that is no event is a generic syscall (its ID). */
static void plan_raw(plan *pl)
{
	static const map_row none = {0, NULL, NULL, 0};
	const char *name = pl->def->name + 5;
	pl->raw = 1;
	int ec = scap_event_find(name, '>', 1), xc = scap_event_find(name, '<', 1);
	if (ec < 0 && xc < 0) {
		int id = !strcmp(name, "unknown") ? 0 : scap_syscall_id_find(name);
		int kid = kidx(pl->def, "ID");
		if (id < 0 && kid < 0)
			return;
		if (id < 0 || id >= 329)
			return; /* a syscall sysdig 0.29.3 has no name for */
		/* syscalls that do not return have no exit event */
		static const char *const noreturn[] = {"exit", "exit_group", "rt_sigreturn", "sigreturn", NULL};
		pl->kind = PLAN_GENERIC;
		for (int i = 0; noreturn[i]; i++)
			if (!strcmp(name, noreturn[i]))
				pl->kind = PLAN_ENTER;
		pl->sysid = (uint16_t)id;
		pl->ecode = 0;
		pl->xcode = 1;
		pl->ne = pl->nx = 2;
		pl->e[0] = pl->x[0] = (slot){.src = SRC_SYSID, .pt = SCAP_PT_SYSCALLID, .k = -1};
		int kn = kidx(pl->def, "nativeID");
		pl->k_returned = (int8_t)kidx(pl->def, "returned");
		pl->e[1] = pl->x[1] = kn >= 0 ? (slot){.src = SRC_PARAM, .pt = SCAP_PT_UINT16, .k = (int8_t)kn}
					      : (slot){.src = SRC_DEFAULT, .pt = SCAP_PT_UINT16, .k = -1};
		return;
	}
	if ((ec >= 0 && plan_side(pl, &none, (uint16_t)ec, 0)) || (xc >= 0 && plan_side(pl, &none, (uint16_t)xc, 1)))
		return;
	for (int side = 0; side < 2; side++) {
		int code = side ? xc : ec;
		if (code < 0)
			continue;
		const scap_event_info *e = scap_event_get((unsigned)code);
		slot *sl = side ? pl->x : pl->e;
		uint8_t n = side ? pl->nx : pl->ne;
		for (uint8_t i = 0; i < n; i++) {
			int k = kidx(pl->def, e->params[i].name);
			sl[i] = (slot){.src = k >= 0 ? SRC_PARAM : SRC_DEFAULT, .pt = e->params[i].type, .k = (int8_t)k};
			/* the importer's flags are Linux's (open, clone): back to libs' bits */
			if (k >= 0 && e->params[i].symset && !strcmp(e->params[i].symset, "file_flags"))
				sl[i].conv = CONV_OPEN_FLAGS;
			if (k >= 0 && e->params[i].symset && !strcmp(e->params[i].symset, "clone_flags"))
				sl[i].conv = CONV_CLONE_FLAGS;
		}
		if (e->flags & SCAP_EF_LARGE_PAYLOAD)
			*(side ? &pl->large_x : &pl->large_e) = 1;
	}
	for (uint8_t i = 0; xc >= 0 && ec >= 0 && i < pl->nx; i++) {
		if (pl->x[i].src != SRC_PARAM)
			continue;
		int in_enter = 0;
		for (uint8_t j = 0; j < pl->ne && !in_enter; j++)
			in_enter = pl->e[j].src == SRC_PARAM && pl->e[j].k == pl->x[i].k;
		if (!in_enter)
			pl->xonly[pl->nxonly++] = pl->x[i].k;
	}
	pl->ecode = (uint16_t)(ec < 0 ? 0 : ec);
	pl->xcode = (uint16_t)(xc < 0 ? 0 : xc);
	pl->k_returned = (int8_t)kidx(pl->def, "returned");
	/* an enter with no exit of its own (procexit, switch, signaldeliver,
	 * the meta events) is written alone */
	pl->kind = ec < 0 ? PLAN_SKIP : xc < 0 || !scap_event_pairs(scap_event_get((unsigned)ec)) ? PLAN_ENTER : PLAN_PAIR;
}

static void plan_build(plan *pl)
{
	const kcap_type_def *def = pl->def;
	const map_row *row = row_of(def);
	pl->kind = PLAN_SKIP;
	pl->k_ret = (int8_t)kidx(def, "ret");
	pl->k_returned = -1;
	pl->k_argv = (int8_t)kidx(def, "argv");
	pl->k_path = (int8_t)kidx(def, "path");
	pl->k_flags = (int8_t)kidx(def, "flags");
	pl->k_status = (int8_t)kidx(def, "status");
	pl->k_sig = (int8_t)kidx(def, "sig");
	pl->k_fd = (int8_t)kidx(def, "fd");
	if (!row && !strncmp(def->name, "scap_", 5) && def->name[5]) {
		plan_raw(pl);
		return;
	}
	if (!row)
		return;
	pl->proc = row->proc;
	if (!row->scap) {
		int id = scap_syscall_id_find(def->name);
		if (id <= 0 || id >= 329) /* sysdig 0.29.3 knows ids below 329 */
			return;
		pl->kind = PLAN_GENERIC;
		pl->sysid = (uint16_t)id;
		pl->ecode = 0;
		pl->xcode = 1;
		pl->ne = pl->nx = 2;
		pl->e[0] = pl->x[0] = (slot){.src = SRC_SYSID, .pt = SCAP_PT_SYSCALLID, .k = -1};
		pl->e[1] = pl->x[1] = (slot){.src = SRC_SYSID, .pt = SCAP_PT_UINT16, .k = -1};
		return;
	}
	int ec = scap_event_find(row->scap, '>', 1);
	if (ec < 0)
		return;
	if (!strcmp(row->scap, "procexit")) {
		pl->kind = PLAN_PROCEXIT;
		pl->ecode = (uint16_t)ec;
		plan_side(pl, row, pl->ecode, 0);
		for (uint8_t i = 0; i < pl->ne; i++) {
			const char *n = scap_event_get(pl->ecode)->params[i].name;
			pl->e[i].src = !strcmp(n, "status") ? SRC_STATUS : !strcmp(n, "ret") ? SRC_EXITCODE : pl->e[i].src;
		}
		return;
	}
	int xc = scap_event_find(row->scap, '<', 1);
	if (xc < 0 || plan_side(pl, row, (uint16_t)ec, 0) || plan_side(pl, row, (uint16_t)xc, 1))
		return;
	pl->ecode = (uint16_t)ec;
	pl->xcode = (uint16_t)xc;
	pl->kind = PLAN_PAIR;
}

static plan *plan_of(kcap_scap_writer *w, const kcap_type_def *def)
{
	if (w->last && w->last->id == def->id && w->last->def == def)
		return w->last;
	if ((w->pn + 1) * 2 > w->pcap) {
		size_t ncap = w->pcap ? w->pcap * 2 : 64;
		plan **np = calloc(ncap, sizeof *np);
		if (!np)
			return NULL;
		for (size_t i = 0; i < w->pcap; i++) {
			if (!w->plans[i])
				continue;
			size_t j = hash64(w->plans[i]->id) & (ncap - 1);
			while (np[j])
				j = (j + 1) & (ncap - 1);
			np[j] = w->plans[i];
		}
		free(w->plans);
		w->plans = np;
		w->pcap = ncap;
	}
	size_t i = hash64(def->id) & (w->pcap - 1);
	for (; w->plans[i]; i = (i + 1) & (w->pcap - 1)) {
		plan *p = w->plans[i];
		if (p->id != def->id)
			continue;
		if (p->def != def) {
			/* another input's schema (the id may name another type, its
			 * params may be in another order): plan it anew */
			char *nm = strdup(def->name);
			if (!nm)
				return NULL;
			free(p->name);
			p->name = nm;
			uint32_t id = p->id;
			memset(p, 0, sizeof *p);
			p->id = id;
			p->name = nm;
			p->def = def;
			plan_build(p);
		}
		return w->last = p;
	}
	plan *p = calloc(1, sizeof *p);
	if (!p || !(p->name = strdup(def->name))) {
		free(p);
		return NULL;
	}
	p->id = def->id;
	p->def = def;
	plan_build(p);
	w->plans[i] = p;
	w->pn++;
	return w->last = p;
}

/* ---- encoding ------------------------------------------------------------- */

static int spool_flush(kcap_scap_writer *w)
{
	if (w->out.len && fwrite(w->out.data, 1, w->out.len, w->spool) != w->out.len) {
		int e = errno;
		kcap_seterr(&w->err, e == ENOSPC || e == EDQUOT ? KCAP_E_NOSPACE : KCAP_E_IO, -1,
			    "cannot write the temporary file of the events: %s", strerror(e ? e : EIO));
		w->err.sys_errno = e;
		return w->err.code;
	}
	w->out.len = 0;
	return 0;
}

static int put(kcap_buf *b, const void *p, size_t n) { return kcap_buf_append(b, p, n); }
static int put8(kcap_buf *b, uint8_t v) { return put(b, &v, 1); }
static int put16(kcap_buf *b, uint16_t v)
{
	uint8_t x[2];
	put_u16(x, v);
	return put(b, x, 2);
}
static int put32(kcap_buf *b, uint32_t v)
{
	uint8_t x[4];
	put_u32(x, v);
	return put(b, x, 4);
}
static int put64(kcap_buf *b, uint64_t v)
{
	uint8_t x[8];
	put_u64(x, v);
	return put(b, x, 8);
}

/* An integer of the scap type's size. */
static int put_int(kcap_buf *b, unsigned pt, uint64_t v)
{
	switch (scap_pt_size(pt)) {
	case 1: return put8(b, (uint8_t)v);
	case 2: return put16(b, (uint16_t)v);
	case 4: return put32(b, (uint32_t)v);
	case 8: return put64(b, v);
	default: return 0;
	}
}

/* A string param with its NUL, at most 65535 bytes in all. */
static int put_cstr(kcap_buf *b, const void *p, size_t n)
{
	if (n > 65534)
		n = 65534;
	const char *nul = p ? memchr(p, 0, n) : NULL;
	if (nul)
		n = (size_t)(nul - (const char *)p);
	return (n ? put(b, p, n) : 0) || put8(b, 0);
}

static int put_sockaddr(kcap_buf *b, const kcap_value *v)
{
	switch (v->af) {
	case KCAP_AF_INET:
		return put8(b, 2) || put(b, v->addr, 4) || put16(b, v->port);
	case KCAP_AF_INET6:
		return put8(b, 10) || put(b, v->addr, 16) || put16(b, v->port);
	case KCAP_AF_UNIX:
		return put8(b, 1) || put_cstr(b, v->p, v->len);
	default:
		return 0;
	}
}

/* A socket tuple whose one known end is the address v (the peer). */
static int put_tuple(kcap_buf *b, const kcap_value *v, int peer_is_src)
{
	static const uint8_t zero[16];
	switch (v->af) {
	case KCAP_AF_INET:
		if (peer_is_src)
			return put8(b, 2) || put(b, v->addr, 4) || put16(b, v->port) || put(b, zero, 4) || put16(b, 0);
		return put8(b, 2) || put(b, zero, 4) || put16(b, 0) || put(b, v->addr, 4) || put16(b, v->port);
	case KCAP_AF_INET6:
		if (peer_is_src)
			return put8(b, 10) || put(b, v->addr, 16) || put16(b, v->port) || put(b, zero, 16) || put16(b, 0);
		return put8(b, 10) || put(b, zero, 16) || put16(b, 0) || put(b, v->addr, 16) || put16(b, v->port);
	case KCAP_AF_UNIX:
		return put8(b, 1) || put64(b, 0) || put64(b, 0) || put_cstr(b, v->p, v->len);
	default:
		return 0;
	}
}

/* "ADDR:PORT", IPv4 or IPv6 (the port after the last colon), into addr. */
static int parse_endpoint(const char *s, size_t n, int *af, uint8_t addr[16], uint16_t *port)
{
	char tmp[64];
	const char *colon = NULL;
	for (size_t i = 0; i < n; i++)
		if (s[i] == ':')
			colon = s + i;
	if (!colon || (size_t)(colon - s) >= sizeof tmp)
		return -1;
	memcpy(tmp, s, (size_t)(colon - s));
	tmp[colon - s] = 0;
	unsigned long p = 0;
	for (const char *q = colon + 1; q < s + n; q++) {
		if (*q < '0' || *q > '9' || (p = p * 10 + (unsigned long)(*q - '0')) > 65535)
			return -1;
	}
	*port = (uint16_t)p;
	if (inet_pton(AF_INET, tmp, addr) == 1) {
		*af = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, tmp, addr) == 1) {
		*af = 6;
		return 0;
	}
	return -1;
}

/* A socket tuple the importer kept as text, as sysdig prints it
 * ("1.2.3.4:5->6.7.8.9:10", IPv6 alike): back to its wire form. Text of
 * another form (unix endpoints) gives an absent tuple. */
static int put_tuple_str(kcap_buf *b, const kcap_value *v)
{
	const char *s = (const char *)v->p, *arrow = NULL;
	for (uint32_t i = 0; i + 1 < v->len; i++)
		if (s[i] == '-' && s[i + 1] == '>') {
			arrow = s + i;
			break;
		}
	uint8_t a[16], d[16];
	uint16_t ap, dp;
	int af1, af2;
	if (!arrow || parse_endpoint(s, (size_t)(arrow - s), &af1, a, &ap) ||
	    parse_endpoint(arrow + 2, v->len - (size_t)(arrow + 2 - s), &af2, d, &dp) || af1 != af2)
		return 0;
	size_t al = af1 == 4 ? 4 : 16;
	return put8(b, af1 == 4 ? 2 : 10) || put(b, a, al) || put16(b, ap) || put(b, d, al) || put16(b, dp);
}

static const kcap_value *pval(const kcap_event *ev, int k)
{
	return k >= 0 && (uint32_t)k < ev->nparams && ev->params[k].present ? &ev->params[k] : NULL;
}

static int is_str_type(unsigned pt)
{
	return pt == SCAP_PT_CHARBUF || pt == SCAP_PT_FSPATH || pt == SCAP_PT_FSRELPATH;
}

/* A neutral value for a param the kcap event does not give. */
static int put_default(kcap_buf *b, unsigned pt)
{
	if (is_str_type(pt))
		return put8(b, 0);
	if (pt == SCAP_PT_FD || pt == SCAP_PT_PID)
		return put64(b, (uint64_t)-1);
	if (pt == SCAP_PT_DYN) /* index 0 (PPM_PTRACE_IDX_UINT64) and a u64 */
		return put8(b, 0) || put64(b, 0);
	return put_int(b, pt, 0);
}

static int put_str0(kcap_buf *b, const char *s) { return put_cstr(b, s, s ? strlen(s) : 0); }

typedef struct evctx {
	const kcap_event *ev;
	const plan *pl;
	const thr *t;     /* the process the exit describes (clone: the parent) */
	int64_t tid, pid, ptid;
	uint16_t sysid;
} evctx;

static int put_slot(kcap_buf *b, const slot *s, const evctx *c)
{
	const kcap_value *v = pval(c->ev, s->k);
	const thr *t = c->t;
	switch (s->src) {
	case SRC_PARAM:
		if (!v)
			return put_default(b, s->pt);
		if (is_str_type(s->pt))
			return put_cstr(b, v->p, v->len);
		if (s->pt == SCAP_PT_SOCKADDR)
			return put_sockaddr(b, v);
		if (s->pt == SCAP_PT_SOCKTUPLE)
			return v->type == KCAP_T_STR ? put_tuple_str(b, v) : put_tuple(b, v, 0);
		if (scap_pt_size(s->pt) < 0) /* buffers, fd lists, dynamic params: as stored */
			return v->type == KCAP_T_BYTES || v->type == KCAP_T_STR || v->type == KCAP_T_STRLIST ||
					       v->type == KCAP_T_PATH || v->type == KCAP_T_JSON
				       ? (v->len ? put(b, v->p, v->len) : 0)
				       : put_default(b, s->pt);
		if (s->pt == SCAP_PT_IPV4ADDR && v->type == KCAP_T_IPV4)
			return put(b, v->addr, 4);
		if (s->pt == SCAP_PT_IPV6ADDR && v->type == KCAP_T_IPV6)
			return put(b, v->addr, 16);
		if (s->conv == CONV_OPEN_FLAGS)
			return put_int(b, s->pt, scap_open_flags_from_linux(v->u));
		if (s->conv == CONV_CLONE_FLAGS)
			return put_int(b, s->pt, scap_clone_flags_from_linux(v->u));
		return put_int(b, s->pt, v->u);
	case SRC_TUPLE:
		return v ? put_tuple(b, v, c->pl->id == KCAP_EV_ACCEPT || c->pl->id == KCAP_EV_ACCEPT4) : 0;
	case SRC_TID: return put64(b, (uint64_t)c->tid);
	case SRC_PID: return put64(b, (uint64_t)c->pid);
	case SRC_PTID: return put64(b, (uint64_t)c->ptid);
	case SRC_EXE: return put_str0(b, t && t->exe ? t->exe : t ? t->comm : NULL);
	case SRC_ARGS: return t && t->args_len ? put(b, t->args, t->args_len) : 0;
	case SRC_CWD: return put_str0(b, t && t->cwd ? t->cwd : "/");
	case SRC_COMM: return put_str0(b, t && t->comm ? t->comm : NULL);
	case SRC_UID: return put_int(b, s->pt, t ? t->uid : c->ev->uid);
	case SRC_GID: return put_int(b, s->pt, t ? t->gid : c->ev->gid);
	case SRC_FDLIMIT: return put64(b, 1024);
	case SRC_SYSID: return put16(b, c->sysid);
	case SRC_STATUS: {
		const kcap_value *st = pval(c->ev, c->pl->k_status), *sg = pval(c->ev, c->pl->k_sig);
		return put64(b, st ? ((uint64_t)(st->u & 0xff) << 8) : sg ? (sg->u & 0x7f) : 0);
	}
	case SRC_EXITCODE: {
		const kcap_value *st = pval(c->ev, c->pl->k_status);
		return put64(b, st ? st->u & 0xff : 0);
	}
	default:
		if (s->pt == SCAP_PT_SIGTYPE && c->pl->kind == PLAN_PROCEXIT) {
			const kcap_value *sg = pval(c->ev, c->pl->k_sig);
			return put8(b, sg ? (uint8_t)sg->u : 0);
		}
		return put_default(b, s->pt);
	}
}

/* One event block into w->out. */
static int put_event(kcap_scap_writer *w, uint16_t code, const slot *sl, uint8_t n, int large, const evctx *c)
{
	kcap_buf *b = &w->ev;
	uint32_t len[MAX_SLOTS];
	b->len = 0;
	for (uint8_t i = 0; i < n; i++) {
		size_t at = b->len;
		if (put_slot(b, &sl[i], c))
			return nomem(w);
		if (!large && b->len - at > 65535) /* one value of a non-large event: cut */
			b->len = at + 65535;
		if (b->len - at > (1u << 24)) /* 16 MiB: cut */
			b->len = at + (1u << 24);
		len[i] = (uint32_t)(b->len - at);
	}
	uint32_t evlen = EV_HDR + (large ? 4u : 2u) * n + (uint32_t)b->len;
	uint32_t body = 2 + evlen;
	uint32_t total = 8 + ((body + 3) & ~3u) + 4;
	uint32_t type = total - 8 > NONLARGE_MAX ? BT_EV_V2_LARGE : BT_EV_V2;
	kcap_buf *o = &w->out;
	static const uint8_t pad[4];
	if (put32(o, type) || put32(o, total) || put16(o, c->ev->cpu < 65535 ? (uint16_t)c->ev->cpu : 0) || put64(o, (uint64_t)c->ev->ts) ||
	    put64(o, (uint64_t)c->tid) || put32(o, evlen) || put16(o, code) || put32(o, n))
		return nomem(w);
	for (uint8_t i = 0; i < n; i++)
		if (large ? put32(o, len[i]) : put16(o, (uint16_t)len[i]))
			return nomem(w);
	if ((b->len && put(o, b->data, b->len)) || put(o, pad, ((body + 3) & ~3u) - body) || put32(o, total))
		return nomem(w);
	if (c->ev->cpu > w->max_cpu && c->ev->cpu < 65535)
		w->max_cpu = c->ev->cpu;
	return o->len >= SPOOL_CHUNK ? spool_flush(w) : 0;
}

static int skip_event(kcap_scap_writer *w, const char *name)
{
	w->skipped++;
	for (size_t i = 0; i < w->nskip; i++)
		if (!strcmp(w->skip[i].name, name)) {
			w->skip[i].n++;
			return 0;
		}
	skipped_type *ns = realloc(w->skip, (w->nskip + 1) * sizeof *ns);
	if (!ns)
		return nomem(w);
	w->skip = ns;
	if (!(ns[w->nskip].name = strdup(name)))
		return nomem(w);
	ns[w->nskip++].n = 1;
	return 0;
}

/* The thread of ev, added to the process list when the capture shows it
 * before anything created it. */
static thr *event_thread(kcap_scap_writer *w, const kcap_event *ev)
{
	int added;
	thr *t = thr_get(w, ev->tid, &added);
	if (!t || !added)
		return t;
	t->pid = ev->pid;
	t->ptid = ev->tid == ev->pid ? ev->ppid : ev->pid;
	t->uid = ev->uid;
	t->gid = ev->gid;
	const thr *leader = ev->tid != ev->pid ? thr_find(w, ev->pid) : NULL;
	/* a thread nothing names (a scap import of a tid its process list
	 * lacked) stays unlisted: sysdig shows <NA> for it, as for the original */
	if (!ev->comm_len && !leader)
		return t;
	t->order = ++w->listed;
	if (leader && thr_copy(t, leader))
		return NULL;
	if (ev->comm_len && set_str(&t->comm, ev->comm, ev->comm_len))
		return NULL;
	return t;
}

/* The thread table after an execve, clone or chdir; *child is the new
 * thread of a clone seen from its parent. */
static int apply_proc(kcap_scap_writer *w, const plan *pl, const kcap_event *ev, thr *t, evctx *c)
{
	const kcap_value *ret = pval(ev, pl->k_ret);
	if (thr_freeze(t))
		return nomem(w);
	if (pl->proc == PROC_EXEC && ret && ret->i == 0) {
		const kcap_value *argv = pval(ev, pl->k_argv), *path = pval(ev, pl->k_path);
		if (argv && argv->len ? set_argv(t, (const char *)argv->p, argv->len)
				      : path && set_str(&t->exe, (const char *)path->p, path->len))
			return nomem(w);
		if (path && set_str(&t->exepath, (const char *)path->p, path->len))
			return nomem(w);
		if (ev->comm_len && set_str(&t->comm, ev->comm, ev->comm_len))
			return nomem(w);
	} else if (pl->proc == PROC_CHDIR && ret && ret->i == 0) {
		const kcap_value *path = pval(ev, pl->k_path);
		if (path && set_str(&t->cwd, (const char *)path->p, path->len))
			return nomem(w);
	} else if (pl->proc == PROC_CLONE && ret && ret->i > 0) {
		const kcap_value *fl = pval(ev, pl->k_flags);
		int thread = fl && (fl->u & 0x00010000); /* CLONE_THREAD */
		int added;
		thr *ch = thr_get(w, ret->i, &added);
		if (!ch)
			return nomem(w);
		t = thr_find(w, ev->tid); /* the table may have moved */
		c->t = t;
		if (added) {
			ch->pid = thread ? t->pid : ret->i;
			ch->ptid = thread ? t->ptid : t->tid;
			if (thr_copy(ch, t))
				return nomem(w);
		}
	}
	return 0;
}

/* A comm the table did not know (prctl, a thread's own name, an exec the
 * capture missed) becomes the thread's. */
static int track_comm(kcap_scap_writer *w, thr *t, const kcap_event *ev)
{
	if (!ev->comm_len || (t->comm && strlen(t->comm) == ev->comm_len && !memcmp(t->comm, ev->comm, ev->comm_len)))
		return 0;
	return thr_freeze(t) || set_str(&t->comm, ev->comm, ev->comm_len) ? nomem(w) : 0;
}

int kcap_scap_writer_event(kcap_scap_writer *w, const kcap_event *ev)
{
	if (!ev->def)
		return skip_event(w, "(unknown type)");
	plan *pl = plan_of(w, ev->def);
	if (!pl)
		return nomem(w);
	if (pl->kind == PLAN_SKIP) {
		int rc = skip_event(w, ev->def->name);
		return rc ? rc : 0;
	}
	thr *t = event_thread(w, ev);
	if (!t || (pl->proc != PROC_EXEC && track_comm(w, t, ev)))
		return nomem(w);
	evctx c = {.ev = ev, .pl = pl, .t = t, .tid = ev->tid, .pid = t->pid, .ptid = t->ptid, .sysid = pl->sysid};
	int rc;
	/* an event whose exit the source never saw (a capture that ends in a
	 * call, imported from scap): its enter alone */
	int lone = 0;
	if (pl->kind == PLAN_PAIR && pl->raw && pl->k_returned >= 0) {
		/* the scap importer says whether the exit came */
		const kcap_value *v = pval(ev, pl->k_returned);
		lone = v && !v->u;
	} else if (pl->kind == PLAN_PAIR && pl->raw && pl->nxonly) {
		/* (a kcap without "returned") */
		/* some value of the enter, none of those only the exit has */
		for (uint8_t i = 0; i < pl->ne && !lone; i++)
			lone = pl->e[i].src == SRC_PARAM && pval(ev, pl->e[i].k);
		for (uint8_t i = 0; i < pl->nxonly && lone; i++)
			lone = !pval(ev, pl->xonly[i]);
	} else if (pl->kind == PLAN_GENERIC && pl->raw && pl->k_returned >= 0) {
		const kcap_value *v = pval(ev, pl->k_returned);
		lone = v && !v->u;
	} else if (pl->kind == PLAN_PAIR && pl->k_ret >= 0 && !pval(ev, pl->k_ret)) {
		/* no return value but arguments: the call never returned */
		for (uint32_t i = 0; i < ev->nparams && !lone; i++)
			lone = (int)i != pl->k_ret && ev->params[i].present;
	}
	if (pl->kind == PLAN_PROCEXIT || pl->kind == PLAN_ENTER || lone) {
		rc = put_event(w, pl->ecode, pl->e, pl->ne, pl->large_e, &c);
	} else {
		rc = put_event(w, pl->ecode, pl->e, pl->ne, pl->large_e, &c);
		if (!rc && pl->proc)
			rc = apply_proc(w, pl, ev, t, &c);
		if (!rc) {
			if (c.t) {
				c.pid = c.t->pid;
				c.ptid = c.t->ptid;
			}
			rc = put_event(w, pl->xcode, pl->x, pl->nx, pl->large_x, &c);
		}
	}
	if (rc)
		return rc;
	w->written++;
	return 1;
}

/* ---- the file ------------------------------------------------------------ */

static int write_all(kcap_scap_writer *w, const void *p, size_t n)
{
	const char *s = p;
	while (n) {
		ssize_t k = write(w->fd, s, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			int e = k < 0 ? errno : EIO;
			kcap_seterr(&w->err, e == ENOSPC || e == EDQUOT ? KCAP_E_NOSPACE : KCAP_E_IO, -1, "write failed: %s",
				    strerror(e));
			w->err.sys_errno = e;
			return w->err.code;
		}
		s += k;
		n -= (size_t)k;
	}
	return 0;
}

/* Closes the block begun at offset at in b: padding and the trailer, and
 * the total length in its header. */
static int end_block(kcap_buf *b, size_t at)
{
	static const uint8_t pad[4];
	size_t body = b->len - at - 8;
	if (put(b, pad, ((body + 3) & ~(size_t)3) - body))
		return -1;
	uint32_t total = (uint32_t)(b->len - at + 4);
	put_u32((uint8_t *)b->data + at + 4, total);
	return put32(b, total);
}

static int begin_block(kcap_buf *b, uint32_t type, size_t *at)
{
	*at = b->len;
	return put32(b, type) || put32(b, 0);
}

static int put_lstr(kcap_buf *b, const char *s, size_t n)
{
	if (n > 65535)
		n = 65535;
	return put16(b, (uint16_t)n) || (n && put(b, s, n));
}

/* sysdig 0.29.3 rejects the whole file when a process list string is longer
 * than its buffers (SCAP_MAX_PATH_SIZE 1024 for names and paths,
 * SCAP_MAX_ARGS_SIZE 4096 for args): cut them there, args after a whole
 * argument. */
#define PL_PATH_MAX 1024
#define PL_ARGS_MAX 4096
static int put_pl_str(kcap_buf *b, const char *s, size_t n) { return put_lstr(b, s, n > PL_PATH_MAX ? PL_PATH_MAX : n); }
static int put_pl_args(kcap_buf *b, const char *s, size_t n)
{
	if (n > PL_ARGS_MAX) {
		n = PL_ARGS_MAX;
		while (n && s[n - 1])
			n--;
	}
	return put_lstr(b, s, n);
}

static int head_blocks(kcap_scap_writer *w, kcap_buf *b)
{
	size_t at;
	/* section header 1.2 */
	if (begin_block(b, BT_SHB, &at) || put32(b, SHB_MAGIC) || put16(b, 1) || put16(b, 2) ||
	    put64(b, UINT64_MAX) || end_block(b, at))
		return -1;
	/* machine info: u32 cpus, u64 memory, u64 max pid, char hostname[128],
	 * u64 boot time (reserved in 2022's libs), 3 x u64 */
	char host[128] = {0};
	memcpy(host, w->hostname, strnlen(w->hostname, sizeof host - 1));
	if (begin_block(b, BT_MI, &at) || put32(b, w->ncpus ? w->ncpus : w->max_cpu + 1) || put64(b, w->memory) ||
	    put64(b, 4194304) || put(b, host, sizeof host) || put64(b, w->boot_ts) || put64(b, 0) || put64(b, 0) ||
	    put64(b, 0) || end_block(b, at))
		return -1;
	/* user list: u32 entry length (itself included), u8 kind, ids, names */
	if (begin_block(b, BT_UL_V2, &at))
		return -1;
	uint32_t id;
	const char *name;
	for (size_t i = 0; kcap_snapshot_name_at(w->names, KCAP_NAMES_USER, i, &id, &name); i++) {
		size_t n = strnlen(name, 255);
		if (put32(b, (uint32_t)(4 + 1 + 8 + 2 + n + 2 + 2)) || put8(b, 0) || put32(b, id) || put32(b, 0) ||
		    put_lstr(b, name, n) || put_lstr(b, "", 0) || put_lstr(b, "", 0))
			return -1;
	}
	for (size_t i = 0; kcap_snapshot_name_at(w->names, KCAP_NAMES_GROUP, i, &id, &name); i++) {
		size_t n = strnlen(name, 255);
		if (put32(b, (uint32_t)(4 + 1 + 4 + 2 + n)) || put8(b, 1) || put32(b, id) || put_lstr(b, name, n))
			return -1;
	}
	if (end_block(b, at))
		return -1;
	/* process list V9, in the order the threads became known */
	thr **order = calloc(w->listed + 1, sizeof *order);
	if (!order)
		return -1;
	for (size_t i = 0; i < w->tcap; i++)
		if (w->t[i].used && w->t[i].order)
			order[w->t[i].order - 1] = &w->t[i];
	int rc = begin_block(b, BT_PL_V9, &at);
	for (uint32_t i = 0; !rc && i < w->listed; i++) {
		const thr *t = order[i];
		if (!t)
			continue;
		size_t e0 = b->len;
		const char *tcomm = t->frozen ? t->p_comm : t->comm, *texe = t->frozen ? t->p_exe : t->exe;
		const char *texepath = t->frozen ? t->p_exepath : t->exepath, *tcwd = t->frozen ? t->p_cwd : t->cwd;
		const char *targs = t->frozen ? t->p_args : t->args;
		uint32_t targs_len = t->frozen ? t->p_args_len : t->args_len;
		const char *comm = tcomm ? tcomm : "", *exe = texe ? texe : comm;
		const char *exepath = texepath ? texepath : "", *cwd = tcwd ? tcwd : "/";
		rc = put32(b, 0) || put64(b, (uint64_t)t->tid) || put64(b, (uint64_t)t->pid) ||
		     put64(b, (uint64_t)t->ptid) || put64(b, 0) /* sid */ || put64(b, 0) /* vpgid */ ||
		     put_pl_str(b, comm, strlen(comm)) || put_pl_str(b, exe, strlen(exe)) ||
		     put_pl_str(b, exepath, strlen(exepath)) || put_pl_args(b, targs ? targs : "", targs_len) ||
		     put_pl_str(b, cwd, strlen(cwd)) || put64(b, 1024) /* fdlimit */ ||
		     put32(b, t->tid == t->pid ? 1u << 30 : 0) /* flags: PPM_CL_IS_MAIN_THREAD */ ||
		     put32(b, t->uid) || put32(b, t->gid) || put32(b, 0) || put32(b, 0) || put32(b, 0) ||
		     put64(b, 0) || put64(b, 0) || put_lstr(b, "", 0) /* env */ || put64(b, (uint64_t)t->tid) ||
		     put64(b, (uint64_t)t->pid) || put_lstr(b, "", 0) /* cgroups */ || put_lstr(b, "/", 1) ||
		     put32(b, UINT32_MAX) /* loginuid */ || put8(b, 0) /* exe_writable */;
		if (!rc)
			put_u32((uint8_t *)b->data + e0, (uint32_t)(b->len - e0));
	}
	free(order);
	return rc || end_block(b, at) ? -1 : 0;
}

static void writer_free(kcap_scap_writer *w)
{
	if (w->spool)
		fclose(w->spool);
	kcap_buf_free(&w->out);
	kcap_buf_free(&w->ev);
	for (size_t i = 0; i < w->tcap; i++) {
		thr *t = &w->t[i];
		if (!t->used)
			continue;
		free(t->comm);
		free(t->exe);
		free(t->exepath);
		free(t->cwd);
		free(t->args);
		free(t->p_comm);
		free(t->p_exe);
		free(t->p_exepath);
		free(t->p_cwd);
		free(t->p_args);
	}
	free(w->t);
	for (size_t i = 0; i < w->pcap; i++)
		if (w->plans[i]) {
			free(w->plans[i]->name);
			free(w->plans[i]);
		}
	free(w->plans);
	for (size_t i = 0; i < w->nskip; i++)
		free(w->skip[i].name);
	free(w->skip);
	kcap_snapshot_free(w->names);
	free(w);
}

void kcap_scap_writer_abort(kcap_scap_writer *w)
{
	if (w)
		writer_free(w);
}

int kcap_scap_writer_close(kcap_scap_writer *w, kcap_error *err)
{
	if (!w)
		return 0;
	kcap_buf head = {0};
	char *chunk = NULL;
	int rc = spool_flush(w);
	if (!rc && head_blocks(w, &head))
		rc = nomem(w);
	if (!rc)
		rc = write_all(w, head.data, head.len);
	if (!rc && fflush(w->spool) == 0 && fseek(w->spool, 0, SEEK_SET) == 0 && (chunk = malloc(SPOOL_CHUNK))) {
		size_t n;
		while (!rc && (n = fread(chunk, 1, SPOOL_CHUNK, w->spool)) > 0)
			rc = write_all(w, chunk, n);
		if (!rc && ferror(w->spool))
			rc = kcap_seterr(&w->err, KCAP_E_IO, -1, "cannot read back the temporary file of the events");
	} else if (!rc) {
		rc = chunk ? kcap_seterr(&w->err, KCAP_E_IO, -1, "cannot read back the temporary file of the events")
			   : nomem(w);
	}
	if (rc && err)
		*err = w->err;
	free(chunk);
	kcap_buf_free(&head);
	writer_free(w);
	return rc;
}
