/*
 * syscalls.c - user side of the eBPF recorder frontend: loads and
 * configures syscalls.bpf.c, reads its ring buffer and turns each record
 * (syscalls.h) into a standard taxonomy event for record_common.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/types.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <kcap/syscall_map.h>
#include <kcap/taxonomy.h>

#include "record_common.h"
#include "syscalls.h"
#include "syscalls.skel.h"

_Static_assert(SYS_execve == EBPF_NR_EXECVE && SYS_execveat == EBPF_NR_EXECVEAT && SYS_exit == EBPF_NR_EXIT &&
               SYS_exit_group == EBPF_NR_EXIT_GROUP, "syscall numbers hooked by fentry");

_Static_assert(ARG_NONE == KCAP_SYSARG_NONE, "one spelling of \"no argument\"");

/* The probes' numbering (syscalls.bpf.c reads x86_64 registers). */
#define EBPF_ARCH KCAP_ARCH_X86_64

/* What sys_exit reads beyond the syscall map's arguments: memory behind
 * pointer arguments, and the calls recorded at entry. */
static uint8_t special_of(uint32_t type)
{
	switch (type) {
	case KCAP_EV_CLONE3:
		return SPECIAL_CLONE3;
	case KCAP_EV_EXECVE:
	case KCAP_EV_EXECVEAT:
		return SPECIAL_EXEC;
	case KCAP_EV_EXIT:
	case KCAP_EV_EXIT_GROUP:
		return SPECIAL_EXIT;
	case KCAP_EV_PIPE:
	case KCAP_EV_PIPE2:
		return SPECIAL_PIPE;
	case KCAP_EV_OPENAT2:
		return SPECIAL_OPENAT2;
	case KCAP_EV_SOCKETPAIR:
		return SPECIAL_SOCKPAIR;
	case KCAP_EV_SENDMSG:
	case KCAP_EV_RECVMSG:
		return SPECIAL_MSG;
	case KCAP_EV_CAPSET:
		return SPECIAL_CAPSET;
	default:
		return SPECIAL_NONE;
	}
}

/* The probes' configuration of one syscall: where its path, fd and
 * address arguments are, from the syscall map. */
static struct ebpf_sysconf sysconf_of(const kcap_syscall *m)
{
	const kcap_syscall_path *p1 = &m->path[0], *p2 = &m->path[1];
	struct ebpf_sysconf c = {
		.type = m->type, .path1 = ARG_NONE, .dirfd1 = ARG_NONE, .path2 = ARG_NONE, .dirfd2 = ARG_NONE,
		.fd_path = ARG_NONE, .addr = ARG_NONE, .addrlen = ARG_NONE, .special = special_of(m->type),
		.need_exec = (m->flags & KCAP_SYSCALL_EXEC_ONLY) != 0,
		.no_resolve1 = p1->role == KCAP_SYSPATH_NOT_A_PATH,
	};
	if (p1->role == KCAP_SYSPATH_OF_FD) {
		c.fd_path = m->fd_arg;
	} else if (p1->role != KCAP_SYSPATH_NONE) {
		c.path1 = p1->arg;
		c.dirfd1 = p1->dirfd_param == KCAP_SYSARG_NONE ? ARG_NONE : kcap_syscall_arg_of(m, p1->dirfd_param);
	}
	if (p2->role != KCAP_SYSPATH_NONE) {
		c.path2 = p2->arg;
		c.dirfd2 = p2->dirfd_param == KCAP_SYSARG_NONE ? ARG_NONE : kcap_syscall_arg_of(m, p2->dirfd_param);
	}
	if (m->flags & KCAP_SYSCALL_ADDR) {
		c.addr = m->addr_arg;
		c.addrlen = m->addrlen_arg;
		c.addrlen_ptr = m->addr_returned;
	}
	return c;
}

#define PATHBUF 12288

struct ebpf_state {
	struct syscalls_bpf *skel;
	struct ring_buffer *rb;
	rec_ctx *ctx;
	int ncpus;
	int64_t boot_to_wall;
	int err;
	const kcap_type_def *defs[256]; /* taxonomy type by id, looked up once */
	const kcap_syscall *maps[256];  /* its syscall map row */
	kcap_value params[KCAP_MAX_PARAMS];
	char paths[2][PATHBUF];
	char argv[EBPF_ARGV_MAX + 1];
	char unixpath[EBPF_ADDR_MAX + 2];
};

static char last_libbpf_msg[256];

static int libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	/* keep the last warning for error messages; print nothing */
	if (level <= LIBBPF_WARN) {
		char m[sizeof last_libbpf_msg];
		vsnprintf(m, sizeof m, fmt, ap);
		m[strcspn(m, "\n")] = 0;
		snprintf(last_libbpf_msg, sizeof last_libbpf_msg, "%s", strncmp(m, "libbpf: ", 8) ? m : m + 8);
	}
	return 0;
}

/* ---- decoding ---- */

/* Lexically normalises an absolute path in place: "//", "/./", "/../", a
 * trailing "/". Returns its length. */
static size_t normalize(char *p)
{
	char *out = p, *in = p;
	if (*p != '/')
		return strlen(p);
	/* most paths are already normal: no '/' followed by '/', '.' or the end
	 * (but "/" itself) */
	const char *q = p;
	while (*q && !(q[0] == '/' && (q[1] == '/' || q[1] == '.' || (!q[1] && q != p))))
		q++;
	if (!*q)
		return (size_t)(q - p);
	while (*in) {
		while (*in == '/')
			in++;
		if (!*in)
			break;
		char *end = strchr(in, '/');
		size_t len = end ? (size_t)(end - in) : strlen(in);
		if (len == 1 && in[0] == '.') {
			/* skip */
		} else if (len == 2 && in[0] == '.' && in[1] == '.') {
			while (out > p && *--out != '/')
				;
		} else {
			*out++ = '/';
			memmove(out, in, len);
			out += len;
		}
		in += len;
	}
	if (out == p)
		*out++ = '/';
	*out = 0;
	return (size_t)(out - p);
}

/* Builds the absolute path of a (path, dir) segment pair into out. Returns
 * the length, or -1 when neither is present. */
static int build_path(char *out, const char *path, size_t plen, const char *dir, size_t dlen, int resolve)
{
	if (!plen && !dlen)
		return -1;
	if (!resolve || (plen && path[0] == '/') || !dlen) {
		memcpy(out, path, plen);
		out[plen] = 0;
		return (int)(resolve ? normalize(out) : strlen(out));
	}
	memcpy(out, dir, dlen);
	size_t n = dlen;
	if (plen) {
		out[n++] = '/';
		memcpy(out + n, path, plen);
		n += plen;
	}
	out[n] = 0;
	return (int)normalize(out);
}

static void set_i(kcap_value *v, int64_t x)
{
	v->present = 1;
	v->i = x;
}

static void set_u(kcap_value *v, uint64_t x)
{
	v->present = 1;
	v->u = x;
}

static void set_bytes(kcap_value *v, const void *p, size_t len)
{
	v->present = 1;
	v->p = p;
	v->len = (uint32_t)len;
}

static void set_sockaddr(struct ebpf_state *s, kcap_value *v, const uint8_t *a, size_t len)
{
	uint16_t fam;
	if (len < 2)
		return;
	memcpy(&fam, a, 2);
	if (kcap_syscall_sockaddr_inet(v, fam, a, len))
		return;
	v->present = 1;
	if (fam == KCAP_SYS_AF_UNIX) {
		/* unix: path up to the first NUL; abstract names (leading NUL) as "@name" */
		size_t n = len - 2;
		const uint8_t *p = a + 2;
		size_t o = 0;
		if (n && p[0] == 0) {
			s->unixpath[o++] = '@';
			p++;
			n--;
		} else {
			size_t z = 0;
			while (z < n && p[z])
				z++;
			n = z;
		}
		if (n > EBPF_ADDR_MAX)
			n = EBPF_ADDR_MAX;
		memcpy(s->unixpath + o, p, n);
		v->af = KCAP_AF_UNIX;
		v->p = (const uint8_t *)s->unixpath;
		v->len = (uint32_t)(o + n);
	} else {
		v->af = KCAP_AF_OTHER;
		v->p = a;
		v->len = (uint32_t)len;
	}
}

static int handle_event(void *vs, void *data, size_t size)
{
	struct ebpf_state *s = vs;
	const struct ebpf_event *e = data;
	const char *seg[SEG_N_];
	size_t segl[SEG_N_];
	kcap_value *P = s->params;
	uint64_t a[6];

	if (size < sizeof *e)
		return 0;
	size_t off = sizeof *e;
	for (int i = 0; i < SEG_N_; i++) {
		segl[i] = e->seg_len[i];
		if (off + segl[i] > size)
			segl[i] = off < size ? size - off : 0;
		seg[i] = (const char *)data + off;
		off += segl[i];
	}
	for (int i = 0; i < 6; i++)
		a[i] = e->args[i];
	const kcap_type_def *def = e->type < 256 ? s->defs[e->type] : NULL;
	const kcap_syscall *m = e->type < 256 ? s->maps[e->type] : NULL;
	if (!def || !m)
		return 0;
	memset(P, 0, def->nparams * sizeof *P);
	for (uint32_t i = 0; i < def->nparams; i++)
		P[i].type = def->params[i].type;

	int64_t ret = e->ret;
	/* after a successful exec the caller's registers are gone */
	int regs_gone = (e->type == KCAP_EV_EXECVE || e->type == KCAP_EV_EXECVEAT) && ret == 0;
	kcap_syscall_fill(m, def, a, regs_gone ? 0 : 0x3f, (e->flags & EV_F_AT_ENTRY) ? NULL : &ret,
	                  KCAP_SYSCALL_FILL_IMPLIED_ZERO, P);

	/* the paths the probes resolved (SEG_DIR1 is the dirfd's directory, or
	 * the file behind an fd argument) */
	const kcap_syscall_path *p1 = &m->path[0], *p2 = &m->path[1];
	if (p1->role != KCAP_SYSPATH_NONE && (p1->role != KCAP_SYSPATH_OF_FD || kcap_syscall_fd_path_applies(m, a))) {
		int l1 = build_path(s->paths[0], seg[SEG_PATH1], segl[SEG_PATH1], seg[SEG_DIR1], segl[SEG_DIR1],
		                    p1->role != KCAP_SYSPATH_NOT_A_PATH);
		if (l1 >= 0)
			set_bytes(&P[p1->param], s->paths[0], (size_t)l1);
	}
	if (p2->role != KCAP_SYSPATH_NONE) {
		int l2 = build_path(s->paths[1], seg[SEG_PATH2], segl[SEG_PATH2], seg[SEG_DIR2], segl[SEG_DIR2], 1);
		if (l2 >= 0)
			set_bytes(&P[p2->param], s->paths[1], (size_t)l2);
	}
	if (m->flags & KCAP_SYSCALL_ADDR)
		set_sockaddr(s, &P[m->addr_param], (const uint8_t *)seg[SEG_ADDR], segl[SEG_ADDR]);

	/* what the probes read behind pointer arguments (syscalls.h SPECIAL_*) */
	switch (e->type) {
	case KCAP_EV_CLONE3:
		set_u(&P[KCAP_P_CLONE_FLAGS], e->aux[0]);
		break;
	case KCAP_EV_EXECVE: case KCAP_EV_EXECVEAT: {
		size_t n = segl[SEG_ARGV];
		memcpy(s->argv, seg[SEG_ARGV], n);
		if (n && s->argv[n - 1] != 0)
			s->argv[n++] = 0;
		uint32_t cnt = 0;
		for (size_t i = 0; i < n; i++)
			cnt += s->argv[i] == 0;
		set_bytes(&P[KCAP_P_EXEC_ARGV], s->argv, n);
		P[KCAP_P_EXEC_ARGV].count = cnt;
		set_u(&P[KCAP_P_EXEC_ARGV_TRUNCATED], (e->flags & EV_F_ARGV_TRUNCATED) ? 1 : 0);
		break;
	}
	case KCAP_EV_PIPE: case KCAP_EV_PIPE2:
		if (ret == 0) {
			set_i(&P[KCAP_P_PIPE_FD0], (int32_t)e->aux[0]);
			set_i(&P[KCAP_P_PIPE_FD1], (int32_t)e->aux[1]);
		}
		break;
	case KCAP_EV_OPENAT2:
		set_u(&P[KCAP_P_OPEN_FLAGS], e->aux[0]);
		set_u(&P[KCAP_P_OPEN_MODE], e->aux[1]);
		set_u(&P[KCAP_P_OPEN_RESOLVE], e->aux[2]);
		break;
	case KCAP_EV_SOCKETPAIR:
		if (ret == 0) {
			set_i(&P[KCAP_P_SOCKETPAIR_FD0], (int32_t)e->aux[0]);
			set_i(&P[KCAP_P_SOCKETPAIR_FD1], (int32_t)e->aux[1]);
		}
		break;
	case KCAP_EV_EXIT: case KCAP_EV_EXIT_GROUP:
		/* a task that did not call exit: its exit code, as wait(2) encodes it */
		if (e->flags & EV_F_EXIT_CODE) {
			uint32_t code = (uint32_t)a[0];
			P[KCAP_P_EXIT_STATUS].present = 0;
			if (code & 0x7f)
				set_i(&P[KCAP_P_EXIT_SIG], code & 0x7f);
			else
				set_i(&P[KCAP_P_EXIT_STATUS], (code >> 8) & 0xff);
		}
		break;
	case KCAP_EV_CAPSET:
		set_i(&P[KCAP_P_CAPSET_TARGET], (int32_t)e->aux[0]);
		set_u(&P[KCAP_P_CAPSET_EFFECTIVE], e->aux[1]);
		set_u(&P[KCAP_P_CAPSET_PERMITTED], e->aux[2]);
		set_u(&P[KCAP_P_CAPSET_INHERITABLE], e->aux[3]);
		break;
	}

	kcap_event ev = {
		.ts = (int64_t)e->ts + s->boot_to_wall,
		.pid = (int32_t)e->pid, .tid = (int32_t)e->tid, .ppid = (int32_t)e->ppid,
		.cpu = e->cpu, .uid = e->uid, .gid = e->gid, .type_id = e->type,
		.comm = e->comm, .comm_len = (uint16_t)strnlen(e->comm, sizeof e->comm),
		.nparams = def->nparams, .params = P,
	};
	if (rec_submit(s->ctx, &ev, size) < 0) {
		s->err = KCAP_E_NOMEM;
		return -1;
	}
	return 0;
}

/* ---- frontend callbacks ---- */

static void ebpf_stats(void *vs)
{
	struct ebpf_state *s = vs;
	struct ebpf_counters *c = calloc((size_t)s->ncpus, sizeof *c);
	uint32_t k = 0;
	if (!c)
		return;
	if (bpf_map__lookup_elem(s->skel->maps.counters, &k, sizeof k, c, (size_t)s->ncpus * sizeof *c, 0) == 0) {
		for (int i = 0; i < s->ncpus; i++) {
			rec_stat(s->ctx, (uint32_t)i, "ringbuf", c[i].seen, c[i].lost);
			if (c[i].busy)
				rec_stat(s->ctx, (uint32_t)i, "ebpf-scratch-busy", c[i].seen, c[i].busy);
		}
	}
	free(c);
}

static void ebpf_close(void *vs)
{
	struct ebpf_state *s = vs;
	if (!s)
		return;
	ring_buffer__free(s->rb);
	syscalls_bpf__destroy(s->skel);
	free(s);
}

static void ebpf_stop(void *vs)
{
	struct ebpf_state *s = vs;
	syscalls_bpf__detach(s->skel);
}

static int ebpf_add_pid(void *vs, int32_t pid)
{
	struct ebpf_state *s = vs;
	uint32_t k = (uint32_t)pid;
	uint8_t one = 1;
	return bpf_map__update_elem(s->skel->maps.pids, &k, sizeof k, &one, sizeof one, BPF_ANY);
}

static int ebpf_poll(void *vs, int timeout_ms, char *why, size_t n)
{
	struct ebpf_state *s = vs;
	/* the probes wake us only on a backlog: poll, then read what is there */
	int rc = ring_buffer__poll(s->rb, timeout_ms);
	if (rc == -EINTR)
		rc = 0;
	if (rc == 0)
		rc = ring_buffer__consume(s->rb);
	if (s->err) {
		snprintf(why, n, "out of memory while holding events");
		return -1;
	}
	if (rc < 0) {
		snprintf(why, n, "reading the ring buffer failed: %s", strerror(-rc));
		return -1;
	}
	return rc;
}

static int ebpf_open(rec_ctx *ctx, const rec_opts *o, void **out, char *why, size_t n)
{
	struct ebpf_state *s = calloc(1, sizeof *s);
	int rc = -1, err;

	if (!s) {
		snprintf(why, n, "out of memory");
		goto cleanup;
	}
	libbpf_set_print(libbpf_log);
	s->ctx = ctx;
	s->boot_to_wall = rec_boot_to_wall(ctx);
	for (uint32_t id = 0; id < 256; id++) {
		s->defs[id] = kcap_taxonomy_type(id);
		s->maps[id] = kcap_syscall_by_type(id);
	}
	s->ncpus = libbpf_num_possible_cpus();
	if (s->ncpus <= 0) {
		snprintf(why, n, "cannot count the CPUs: %s", strerror(-s->ncpus));
		goto cleanup;
	}
	s->skel = syscalls_bpf__open();
	if (!s->skel) {
		snprintf(why, n, "cannot open the BPF object: %s", strerror(errno));
		goto cleanup;
	}
	s->skel->rodata->self_tgid = (uint32_t)getpid();
	s->skel->rodata->filter_uid_on = (uint32_t)o->uid_on;
	s->skel->rodata->filter_uid = o->uid;
	s->skel->rodata->filter_pid_on = o->npids > 0 || (o->follow && o->cmd);
	s->skel->rodata->follow = (uint32_t)o->follow;
	s->skel->rodata->filter_comm_on = (uint32_t)o->comm_on;
	memcpy((char *)s->skel->rodata->filter_comm, o->comm, sizeof o->comm);
	bpf_map__set_max_entries(s->skel->maps.scratch, (uint32_t)s->ncpus);
	bpf_map__set_max_entries(s->skel->maps.events, (uint32_t)o->buffer_size);
	s->skel->rodata->wakeup_bytes = o->buffer_size / 8;
	if ((err = syscalls_bpf__load(s->skel)) < 0) {
		snprintf(why, n, "loading the BPF programs failed: %s%s%s%s", strerror(-err),
		         (err == -EPERM || err == -EACCES) ? " (needs root, or CAP_BPF and CAP_PERFMON)" : "",
		         last_libbpf_msg[0] ? "; libbpf: " : "", last_libbpf_msg);
		goto cleanup;
	}
	for (size_t i = 0; kcap_syscall_at(i); i++) {
		const kcap_syscall *m = kcap_syscall_at(i);
		long nr = kcap_syscall_nr(EBPF_ARCH, m->name);
		if (nr < 0 || nr >= EBPF_MAX_NR || !o->types[m->type])
			continue;
		struct ebpf_sysconf c = sysconf_of(m);
		uint32_t k = (uint32_t)nr;
		if ((err = bpf_map__update_elem(s->skel->maps.sysconf, &k, sizeof k, &c, sizeof c, BPF_ANY)) < 0) {
			snprintf(why, n, "configuring syscall %ld failed: %s", nr, strerror(-err));
			goto cleanup;
		}
	}
	for (int i = 0; i < o->npids; i++)
		if (ebpf_add_pid(s, o->pids[i]) < 0) {
			snprintf(why, n, "cannot add pid %d to the filter", (int)o->pids[i]);
			goto cleanup;
		}
	s->rb = ring_buffer__new(bpf_map__fd(s->skel->maps.events), handle_event, s, NULL);
	if (!s->rb) {
		snprintf(why, n, "cannot map the ring buffer: %s", strerror(errno));
		goto cleanup;
	}
	if ((err = syscalls_bpf__attach(s->skel)) < 0) {
		snprintf(why, n, "attaching the probes failed: %s%s%s", strerror(-err),
		         last_libbpf_msg[0] ? "; libbpf: " : "", last_libbpf_msg);
		goto cleanup;
	}
	*out = s;
	s = NULL;
	rc = 0;
cleanup:
	ebpf_close(s);
	return rc;
}

const rec_frontend rec_frontend_ebpf = {
	.name = "ebpf",
	.version = KCAP_VERSION_STRING,
	.open = ebpf_open,
	.add_pid = ebpf_add_pid,
	.poll = ebpf_poll,
	.stats = ebpf_stats,
	.close = ebpf_close,
	.stop = ebpf_stop,
};
