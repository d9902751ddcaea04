/* kcap synth: deterministic synthetic captures for tests and benchmarks. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <kcap/filter.h>
#include <kcap/taxonomy.h>
#include "sink.h"

static const char synth_help[] =
	"usage: kcap synth [-n N] [--seed S] [--start TIME] [--host NAME] [OPTIONS] -o FILE|-\n"
	"\n"
	"Writes a deterministic synthetic capture: the same N, seed and options give\n"
	"byte-identical output. The mix models a busy host: a process tree of a few\n"
	"hundred processes with fork, execve and exit; openat, read, write, close,\n"
	"connect and accept with real-looking paths, argv and IPv4/IPv6 addresses; a\n"
	"few hot pids that produce most events; and pid 42, a short-lived curl whose\n"
	"events all fall in one narrow window in the middle (about 0.5% of the span).\n"
	"\n"
	"  -n, --events N       number of events (default 100000)\n"
	"  -s, --seed S         PRNG seed (default 1)\n"
	"      --start TIME     first timestamp, a time as slice takes it\n"
	"                       (default 1795255200000000000 = 2026-11-21T10:00:00Z)\n"
	"      --host NAME      the origin's hostname (default synth-host), with a boot_id\n"
	"                       derived from NAME and the seed (for multi-host captures:\n"
	"                       merge the captures of several names)\n"
	"  -o, --output FILE    output capture ('-' for stdout)\n"
	"      --block-size S   uncompressed bytes per block (default 1M)\n"
	"      --level L        zstd level -7..22 (default 1); 0 stores uncompressed\n"
	"  -h, --help           show this help\n"
	"\n"
	"Exit: 0 ok, 1 error, 2 usage.\n";

typedef struct rng {
	uint64_t s;
} rng;

static inline uint64_t next_u64(rng *r)
{
	uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}
static inline uint32_t below(rng *r, uint32_t n) { return (uint32_t)(((next_u64(r) >> 32) * n) >> 32); }

typedef struct proc {
	int32_t pid, ppid;
	uint32_t uid, gid;
	int program; /* index into progs */
	int alive;
	int32_t next_fd;
	size_t live_pos; /* index in synth.live while alive (not pid 42) */
} proc;

typedef struct progdef {
	const char *comm, *exe, *argv; /* argv NUL-separated, ends with NUL */
	uint32_t argv_len;
	const char *const *files;
} progdef;

#define A(s) s, sizeof(s) - 1
static const char *const f_shell[] = {"/etc/passwd", "/etc/group", "/home/alice/.bashrc", "/etc/ld.so.cache",
				      "/usr/lib/x86_64-linux-gnu/libc.so.6", "/home/alice/notes/todo.txt", NULL};
static const char *const f_web[] = {"/var/www/html/index.html", "/var/log/nginx/access.log", "/etc/nginx/nginx.conf",
				    "/var/www/html/static/app.js", "/var/www/html/img/logo.png", "/etc/ssl/certs/ca-certificates.crt", NULL};
static const char *const f_db[] = {"/var/lib/postgresql/15/main/base/16384/2619", "/var/lib/postgresql/15/main/pg_wal/000000010000000000000001",
				   "/var/lib/postgresql/15/main/global/pg_control", "/var/log/postgresql/postgresql-15-main.log", NULL};
static const char *const f_build[] = {"/home/alice/project/src/main.c", "/home/alice/project/src/util.h", "/usr/include/stdio.h",
				      "/tmp/ccA1b2C3.s", "/home/alice/project/build/main.o", "/usr/lib/gcc/x86_64-linux-gnu/12/cc1", NULL};
static const char *const f_sys[] = {"/proc/self/status", "/proc/meminfo", "/sys/fs/cgroup/system.slice/cpu.stat", "/run/systemd/journal/socket",
				    "/var/log/syslog", "/etc/hostname", NULL};

static const progdef progs[] = {
	{"systemd", "/usr/lib/systemd/systemd", A("/sbin/init\0splash\0"), f_sys},
	{"sshd", "/usr/sbin/sshd", A("sshd: alice [priv]\0"), f_sys},
	{"bash", "/usr/bin/bash", A("-bash\0"), f_shell},
	{"nginx", "/usr/sbin/nginx", A("nginx: worker process\0"), f_web},
	{"postgres", "/usr/lib/postgresql/15/bin/postgres", A("postgres\0-D\0/var/lib/postgresql/15/main\0"), f_db},
	{"make", "/usr/bin/make", A("make\0-j2\0all\0"), f_build},
	{"cc1", "/usr/lib/gcc/x86_64-linux-gnu/12/cc1", A("cc1\0-quiet\0src/main.c\0-O2\0-o\0/tmp/ccA1b2C3.s\0"), f_build},
	{"python3", "/usr/bin/python3.11", A("python3\0/opt/app/worker.py\0--queue\0default\0"), f_sys},
	{"cat", "/usr/bin/cat", A("cat\0/etc/hostname\0"), f_sys},
	{"grep", "/usr/bin/grep", A("grep\0-r\0TODO\0/home/alice/project/src\0"), f_build},
	{"curl", "/usr/bin/curl", A("curl\0-sS\0https://example.org/install.sh\0-o\0/tmp/install.sh\0"), f_shell},
};
#define NPROGS (sizeof progs / sizeof progs[0])
#define PROG_CURL 10
#define BASH_INDEX 12 /* procs[12] is the first login shell of the initial tree */

typedef struct synth {
	rng r;
	proc *procs;
	size_t nprocs, cap;
	int32_t next_pid;
	kcap_writer *w;
	kcap_event ev;
	kcap_value vals[KCAP_MAX_PARAMS];
	char pathbuf[256];
	uint64_t seq;
	int64_t ts;
	size_t hot[5];
	uint8_t addrs[16][16];
	/* Indices of the alive processes but pid 42, and how many of them run
	 * short-lived tools: spawns stop at SHORT_LIVED_MAX, so the process
	 * tree stays at a few hundred however long the capture is. */
	size_t *live;
	size_t nlive, nshort;
} synth;

#define SHORT_LIVED_MAX 300
#define PROG_SHORT_LIVED 5 /* programs from this index on are short-lived tools */

static proc *add_proc(synth *s, int32_t pid, int32_t ppid, int program, uint32_t uid)
{
	if (s->nprocs == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 512;
		proc *n = realloc(s->procs, cap * sizeof *n);
		size_t *l = realloc(s->live, cap * sizeof *l);
		if (n)
			s->procs = n;
		if (l)
			s->live = l;
		if (!n || !l)
			return NULL;
		s->cap = cap;
	}
	proc *p = &s->procs[s->nprocs++];
	p->pid = pid;
	p->ppid = ppid;
	p->uid = p->gid = uid;
	p->program = program;
	p->alive = 1;
	p->next_fd = 3;
	if (pid != 42) {
		p->live_pos = s->nlive;
		s->live[s->nlive++] = s->nprocs - 1;
		s->nshort += program >= PROG_SHORT_LIVED;
	}
	return p;
}

static void proc_exited(synth *s, proc *p)
{
	p->alive = 0;
	if (p->pid == 42)
		return;
	size_t last = s->live[--s->nlive];
	s->live[p->live_pos] = last;
	s->procs[last].live_pos = p->live_pos;
	s->nshort -= p->program >= PROG_SHORT_LIVED;
}

static void begin(synth *s, const proc *p, uint32_t type)
{
	const kcap_type_def *d = kcap_taxonomy_type(type);
	s->ev.type_id = type;
	s->ev.seq = ++s->seq;
	s->ev.ts = s->ts;
	s->ev.pid = s->ev.tid = p->pid;
	s->ev.ppid = p->ppid;
	s->ev.cpu = below(&s->r, 4);
	s->ev.uid = p->uid;
	s->ev.gid = p->gid;
	s->ev.comm = progs[p->program].comm;
	s->ev.comm_len = (uint16_t)strlen(progs[p->program].comm);
	s->ev.nparams = d->nparams;
	s->ev.params = s->vals;
	for (uint32_t i = 0; i < d->nparams; i++) {
		s->vals[i].type = d->params[i].type;
		s->vals[i].present = 0;
	}
	/* a few threads: tid differs from pid for hot multi-threaded servers */
	if ((p->program == 3 || p->program == 4) && below(&s->r, 4) == 0)
		s->ev.tid = p->pid + 1 + (int32_t)below(&s->r, 3);
}

static void set_i(synth *s, int i, int64_t v) { s->vals[i].present = 1; s->vals[i].i = v; }
static void set_u(synth *s, int i, uint64_t v) { s->vals[i].present = 1; s->vals[i].u = v; }
static void set_s(synth *s, int i, const char *p, size_t n)
{
	s->vals[i].present = 1;
	s->vals[i].p = (const uint8_t *)p;
	s->vals[i].len = (uint32_t)n;
}

static void set_addr(synth *s, int i, int inbound)
{
	kcap_value *v = &s->vals[i];
	v->present = 1;
	uint32_t k = below(&s->r, 16);
	v->af = (k & 3) == 3 ? KCAP_AF_INET6 : KCAP_AF_INET;
	memcpy(v->addr, s->addrs[k], 16);
	v->port = inbound ? (uint16_t)(32768 + below(&s->r, 28000)) : (uint16_t)((k & 1) ? 443 : (k & 2) ? 5432 : 80);
}

static int emit(synth *s)
{
	s->ts += 1 + below(&s->r, 60000);
	return kcap_writer_write(s->w, &s->ev);
}

static int32_t alloc_pid(synth *s)
{
	int32_t pid = s->next_pid;
	s->next_pid += 1 + (int32_t)below(&s->r, 7);
	if (s->next_pid > 4000000)
		s->next_pid = 1000;
	return pid;
}

/* fork + execve by parent p of program program; returns the child index. */
static int spawn(synth *s, size_t parent, int program, int32_t fixed_pid, size_t *child)
{
	int32_t cpid = fixed_pid ? fixed_pid : alloc_pid(s);
	proc *p = &s->procs[parent];
	begin(s, p, KCAP_EV_CLONE);
	set_u(s, KCAP_P_CLONE_FLAGS, 0x01200011); /* CLONE_CHILD_SETTID|CLONE_CHILD_CLEARTID|SIGCHLD */
	set_i(s, KCAP_P_CLONE_CHILD_PID, cpid);
	set_i(s, KCAP_P_CLONE_RET, cpid);
	int rc = emit(s);
	uint32_t uid = p->uid;
	int32_t ppid = p->pid;
	proc *c = add_proc(s, cpid, ppid, program, uid);
	if (!c)
		return KCAP_E_NOMEM;
	*child = s->nprocs - 1;
	begin(s, c, KCAP_EV_EXECVE);
	set_s(s, KCAP_P_EXEC_PATH, progs[program].exe, strlen(progs[program].exe));
	s->vals[KCAP_P_EXEC_ARGV].present = 1;
	s->vals[KCAP_P_EXEC_ARGV].p = (const uint8_t *)progs[program].argv;
	s->vals[KCAP_P_EXEC_ARGV].len = progs[program].argv_len;
	uint32_t cnt = 0;
	for (uint32_t i = 0; i < progs[program].argv_len; i++)
		cnt += progs[program].argv[i] == 0;
	s->vals[KCAP_P_EXEC_ARGV].count = cnt;
	set_u(s, KCAP_P_EXEC_ARGV_TRUNCATED, 0);
	set_i(s, KCAP_P_EXEC_RET, 0);
	return rc ? rc : emit(s);
}

/* One ordinary action of process index pi. */
static int act(synth *s, size_t pi)
{
	proc *p = &s->procs[pi];
	const progdef *g = &progs[p->program];
	uint32_t k = below(&s->r, 100);
	if (k < 22) {
		uint32_t nf = 0;
		while (g->files[nf])
			nf++;
		const char *f = g->files[below(&s->r, nf)];
		size_t n = strlen(f);
		if (below(&s->r, 8) == 0) { /* vary: numbered siblings */
			n = (size_t)snprintf(s->pathbuf, sizeof s->pathbuf, "%s.%u", f, below(&s->r, 500));
			f = s->pathbuf;
		}
		begin(s, p, KCAP_EV_OPENAT);
		set_i(s, KCAP_P_OPEN_DIRFD, -100);
		set_s(s, KCAP_P_OPEN_PATH, f, n);
		int creat = below(&s->r, 5) == 0;
		set_u(s, KCAP_P_OPEN_FLAGS, creat ? 0x80241 /* O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC */ : 0x80000);
		set_u(s, KCAP_P_OPEN_MODE, creat ? 0644 : 0);
		int fail = below(&s->r, 20) == 0;
		set_i(s, KCAP_P_OPEN_RET, fail ? -2 : p->next_fd);
		if (!fail)
			p->next_fd = 3 + (p->next_fd - 2) % 60;
		return emit(s);
	}
	if (k < 47 || k < 67) {
		begin(s, p, k < 47 ? KCAP_EV_READ : KCAP_EV_WRITE);
		set_i(s, KCAP_P_RW_FD, 3 + below(&s->r, 8));
		uint32_t cnt = below(&s->r, 4) ? 4096 : 65536;
		set_u(s, KCAP_P_RW_COUNT, cnt);
		set_i(s, KCAP_P_RW_RET, below(&s->r, 30) == 0 ? -11 : (int64_t)below(&s->r, cnt + 1));
		return emit(s);
	}
	if (k < 85) {
		begin(s, p, KCAP_EV_CLOSE);
		set_i(s, KCAP_P_CLOSE_FD, 3 + below(&s->r, 8));
		set_i(s, KCAP_P_CLOSE_RET, 0);
		return emit(s);
	}
	if (k < 90) {
		begin(s, p, KCAP_EV_CONNECT);
		set_i(s, KCAP_P_ADDR_FD, 3 + below(&s->r, 8));
		set_addr(s, KCAP_P_ADDR_ADDR, 0);
		uint32_t o = below(&s->r, 10);
		set_i(s, KCAP_P_ADDR_RET, o == 0 ? -111 : o == 1 ? -115 : 0);
		return emit(s);
	}
	if (k < 94) {
		begin(s, p, KCAP_EV_ACCEPT4);
		set_i(s, KCAP_P_ACCEPT_FD, 3);
		set_addr(s, KCAP_P_ACCEPT_ADDR, 1);
		set_u(s, KCAP_P_ACCEPT_FLAGS, 0x80800);
		set_i(s, KCAP_P_ACCEPT_RET, 4 + below(&s->r, 40));
		return emit(s);
	}
	if (k < 97 && s->nshort < SHORT_LIVED_MAX) {
		size_t child;
		int program = PROG_SHORT_LIVED + (int)below(&s->r, 5);
		return spawn(s, pi, program, 0, &child);
	}
	/* exit of a short-lived process (never a hot one or a daemon) */
	for (size_t tries = 0; tries < 4 && s->nlive; tries++) {
		size_t v = s->live[below(&s->r, (uint32_t)s->nlive)];
		proc *q = &s->procs[v];
		if (q->program < PROG_SHORT_LIVED || v == s->hot[0] || v == s->hot[1] || v == s->hot[2] ||
		    v == s->hot[3] || v == s->hot[4])
			continue;
		begin(s, q, KCAP_EV_EXIT_GROUP);
		set_i(s, KCAP_P_EXIT_STATUS, below(&s->r, 10) == 0 ? 1 : 0);
		proc_exited(s, q);
		return emit(s);
	}
	return 0;
}

static size_t pick_alive(synth *s)
{
	return s->live[below(&s->r, (uint32_t)s->nlive)];
}

static int generate(synth *s, uint64_t n, int64_t start)
{
	s->ts = start;
	s->next_pid = 1000;
	/* Initial tree, also the snapshot. */
	add_proc(s, 1, 0, 0, 0);
	int32_t sshd = 512, bash = 0;
	add_proc(s, sshd, 1, 1, 0);
	for (int i = 0; i < 4; i++)
		add_proc(s, 600 + i, 1, 3, 33); /* nginx workers */
	for (int i = 0; i < 6; i++)
		add_proc(s, 700 + i, 1, 4, 112); /* postgres */
	for (int i = 0; i < 3; i++) {
		bash = 900 + i;
		add_proc(s, bash, sshd, 2, 1000);
	}
	for (int i = 0; i < 8; i++)
		add_proc(s, 950 + i, 1, 7, 1001); /* python workers */
	if (!s->procs)
		return KCAP_E_NOMEM;
	kcap_snapshot *snap = kcap_snapshot_new();
	for (size_t i = 0; snap && i < s->nprocs; i++) {
		const proc *p = &s->procs[i];
		kcap_proc kp = {p->pid, p->ppid, p->uid, p->gid, start - 3600000000000LL, progs[p->program].comm,
				progs[p->program].exe, "/", progs[p->program].argv, progs[p->program].argv_len};
		kcap_snapshot_add(snap, &kp);
	}
	kcap_writer_add_snapshot(s->w, snap);
	kcap_snapshot_free(snap);
	s->hot[0] = 2;  /* nginx */
	s->hot[1] = 3;
	s->hot[2] = 6;  /* postgres */
	s->hot[3] = 7;
	s->hot[4] = 18; /* python */
	for (int i = 0; i < 16; i++) {
		uint8_t *a = s->addrs[i];
		memset(a, 0, 16);
		if ((i & 3) == 3) {
			static const uint8_t v6[] = {0x20, 0x01, 0x0d, 0xb8};
			memcpy(a, v6, 4);
			for (int k = 4; k < 16; k++)
				a[k] = (uint8_t)next_u64(&s->r);
		} else {
			static const uint8_t pre[][2] = {{10, 0}, {192, 168}, {172, 16}, {93, 184}, {151, 101}, {140, 82}};
			uint32_t j = below(&s->r, 6);
			a[0] = pre[j][0];
			a[1] = pre[j][1];
			a[2] = (uint8_t)below(&s->r, 256);
			a[3] = (uint8_t)(1 + below(&s->r, 254));
		}
	}
	/* pid 42's window: about 0.5% of the events, in the middle. */
	uint64_t w0 = n * 45 / 100, w1 = w0 + n / 200 + 1;
	size_t p42 = (size_t)-1;
	int rc = 0;
	while (s->seq < n && !rc) {
		if (s->seq >= w0 && p42 == (size_t)-1 && s->seq + 3 < n) {
			size_t child;
			rc = spawn(s, BASH_INDEX, PROG_CURL, 42, &child);
			p42 = child;
			continue;
		}
		if (p42 != (size_t)-1 && s->procs[p42].alive) {
			if (s->seq >= w1 || s->seq + 1 >= n) {
				begin(s, &s->procs[p42], KCAP_EV_EXIT_GROUP);
				set_i(s, KCAP_P_EXIT_STATUS, 0);
				proc_exited(s, &s->procs[p42]);
				rc = emit(s);
				continue;
			}
			if (below(&s->r, 2) == 0) { /* pid 42 is busy in its window */
				rc = act(s, p42);
				continue;
			}
		}
		uint32_t h = below(&s->r, 10);
		size_t pi = h < 6 ? s->hot[h % 5] : pick_alive(s);
		rc = act(s, pi);
	}
	return rc;
}

/* A boot id in the form of /proc/sys/kernel/random/boot_id (a version 4
 * UUID), from FNV-1a of the host name, mixed with the seed. */
static void synth_boot_id(char out[40], const char *host, uint64_t seed)
{
	uint64_t h[2] = {0xcbf29ce484222325ull, 0x84222325cbf29ce4ull ^ seed};
	for (int k = 0; k < 2; k++) {
		for (const unsigned char *p = (const unsigned char *)host; *p; p++)
			h[k] = (h[k] ^ *p) * 0x100000001b3ull;
		h[k] ^= seed + (uint64_t)k;
		h[k] = (h[k] ^ (h[k] >> 31)) * 0x9e3779b97f4a7c15ull;
		h[k] ^= h[k] >> 29;
	}
	snprintf(out, 40, "%08llx-%04llx-4%03llx-%04llx-%012llx", (unsigned long long)(h[0] >> 32),
	         (unsigned long long)((h[0] >> 16) & 0xffff), (unsigned long long)(h[0] & 0xfff),
	         (unsigned long long)(0x8000 | ((h[1] >> 48) & 0x3fff)), (unsigned long long)(h[1] & 0xffffffffffffull));
}

int cmd_synth(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"events", required_argument, 0, 'n'}, {"seed", required_argument, 0, 's'},
		{"start", required_argument, 0, 'S'},  {"output", required_argument, 0, 'o'},
		{"block-size", required_argument, 0, 'B'}, {"level", required_argument, 0, 'L'},
		{"host", required_argument, 0, 'H'},   {"help", no_argument, 0, 'h'},
		{0, 0, 0, 0},
	};
	uint64_t n = 100000, seed = 1, bs = 0;
	const char *host = NULL;
	int64_t start = 1795255200000000000LL;
	const char *out = NULL;
	kcap_writer_opts wo = {0};
	int c;
	cli_getopt_start();
	while ((c = getopt_long(argc, argv, "n:s:o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (cli_opt_count("synth", "-n", optarg, 0, UINT64_MAX, &n))
				return KCAP_EXIT_USAGE;
			break;
		case 's':
			if (cli_opt_count("synth", "--seed", optarg, 0, UINT64_MAX, &seed))
				return KCAP_EXIT_USAGE;
			break;
		case 'S': {
			int anchor;
			if (cli_opt_time("synth", "--start", optarg, &anchor, &start))
				return KCAP_EXIT_USAGE;
			if (anchor != KCAP_TIME_ABS) {
				cli_bad_value("synth", "--start", optarg, "expected an absolute time, not an offset");
				return KCAP_EXIT_USAGE;
			}
			break;
		}
		case 'o': out = optarg; break;
		case 'H':
			if (!*optarg || strlen(optarg) > 255) {
				cli_bad_value("synth", "--host", optarg, "expected a host name of 1 to 255 bytes");
				return KCAP_EXIT_USAGE;
			}
			host = optarg;
			break;
		case 'B':
			if (cli_opt_size("synth", "--block-size", optarg, CLI_BLOCK_MIN, CLI_BLOCK_MAX, &bs))
				return KCAP_EXIT_USAGE;
			break;
		case 'L':
			if (cli_opt_level("synth", optarg, &wo))
				return KCAP_EXIT_USAGE;
			break;
		case 'h':
			return cli_help("synth", synth_help);
		default:
			return cli_bad_option("synth", argv, longopts, "n:s:o:h");
		}
	}
	if (optind < argc) {
		cli_err("synth", "unexpected argument '%s'", argv[optind]);
		return KCAP_EXIT_USAGE;
	}
	if (!out) {
		cli_err("synth", "no output: give -o FILE (or -o - for stdout)");
		return KCAP_EXIT_USAGE;
	}
	sink_opts so = {.mode = OUT_KCAP, .path = out};
	so.wopts = wo;
	so.wopts.block_size = (uint32_t)bs;
	sink *sk;
	int rc = sink_open(&sk, "synth", &so);
	if (rc)
		return rc;
	synth s = {0};
	s.r.s = seed;
	s.w = sink_writer(sk);
	kcap_meta *m = kcap_meta_new();
	kcap_meta_set(m, KCAP_META_HOSTNAME, host ? host : "synth-host");
	if (host) { /* a boot id of its own per (host, seed): rows of hosts stay apart */
		char bid[40];
		synth_boot_id(bid, host, seed);
		kcap_meta_set(m, KCAP_META_BOOT_ID, bid);
	}
	kcap_meta_set(m, KCAP_META_OS, "Linux");
	kcap_meta_set(m, KCAP_META_KERNEL, "6.1.0-synth");
	kcap_meta_set(m, KCAP_META_SOURCE, "synth");
	kcap_meta_set(m, KCAP_META_SOURCE_VERSION, KCAP_VERSION_STRING);
	char buf[64];
	snprintf(buf, sizeof buf, "%lld", (long long)start);
	kcap_meta_set(m, KCAP_META_CAPTURE_START, buf);
	kcap_meta_set(m, KCAP_META_CLOCK, "synthetic");
	kcap_meta_set(m, KCAP_META_TIMEZONE, "UTC");
	snprintf(buf, sizeof buf, "%llu", (unsigned long long)seed);
	kcap_meta_set(m, "synth.seed", buf);
	kcap_schema *sc = kcap_schema_new();
	if (!m || !sc || kcap_writer_add_meta(s.w, m) < 0 || kcap_taxonomy_schema(sc) || kcap_writer_set_schema(s.w, sc)) {
		cli_err("synth", "cannot set up the capture: out of memory");
		rc = KCAP_EXIT_ERROR;
	}
	kcap_meta_free(m);
	kcap_schema_free(sc);
	if (!rc && generate(&s, n, start)) {
		const kcap_error *e = kcap_writer_error(s.w);
		cli_err("synth", "%s: %s", out, e && e->msg[0] ? e->msg : "write failed");
		rc = KCAP_EXIT_ERROR;
	}
	free(s.procs);
	free(s.live);
	return sink_close(sk, rc);
}
