/* Deterministic sample captures for the container tests (see testcap.h). */
#include "testcap.h"
#include "core/core.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static const kcap_sym open_syms[] = {
	{0, 3, "O_RDONLY"}, {1, 3, "O_WRONLY"}, {2, 3, "O_RDWR"}, {0x40, 0x40, "O_CREAT"}, {0x80000, 0x80000, "O_CLOEXEC"},
};
static const kcap_sym errno_syms[] = {{1, 0, "EPERM"}, {2, 0, "ENOENT"}, {13, 0, "EACCES"}};

kcap_schema *testcap_schema(void)
{
	kcap_schema *s = kcap_schema_new();
	if (!s)
		return NULL;
	kcap_symset fl = {TC_SYMSET_OPEN, KCAP_SYMSET_FLAGS, "open_flags", 5, open_syms};
	kcap_symset en = {TC_SYMSET_ERRNO, KCAP_SYMSET_ENUM, "errno", 3, errno_syms};
	kcap_param_def all[KCAP_T_MAX_];
	char names[KCAP_T_MAX_][32];
	for (int t = 1; t <= KCAP_T_MAX_; t++) {
		snprintf(names[t - 1], sizeof names[t - 1], "p_%s", kcap_ptype_name(t));
		all[t - 1].name = names[t - 1];
		all[t - 1].type = (uint8_t)t;
		all[t - 1].flags = t == KCAP_T_PATH ? KCAP_PF_TOPLEVEL : 0;
		all[t - 1].symset = t == KCAP_T_FLAGS ? TC_SYMSET_OPEN : t == KCAP_T_ERRNO ? TC_SYMSET_ERRNO : 0;
	}
	kcap_type_def t_all = {TC_ALL, "all_types", "test", "one param of every type", KCAP_T_MAX_, all};
	kcap_param_def open_p[] = {
		{"path", KCAP_T_PATH, KCAP_PF_TOPLEVEL, 0},
		{"flags", KCAP_T_FLAGS, 0, TC_SYMSET_OPEN},
		{"ret", KCAP_T_RET, 0, 0},
	};
	kcap_type_def t_open = {TC_OPEN, "open", "file", "open a file", 3, open_p};
	kcap_param_def exec_p[] = {{"argv", KCAP_T_STRLIST, 0, 0}, {"exe", KCAP_T_PATH, 0, 0}};
	kcap_type_def t_exec = {TC_EXEC, "execve", "process", "execute a program", 2, exec_p};
	kcap_param_def big_p[] = {{"value", KCAP_T_U64, 0, 0}};
	kcap_type_def t_big = {TC_BIG, "big_id", "test", "type id above 255", 1, big_p};
	if (kcap_schema_add_symset(s, &fl) || kcap_schema_add_symset(s, &en) || kcap_schema_add_type(s, &t_all) ||
	    kcap_schema_add_type(s, &t_open) || kcap_schema_add_type(s, &t_exec) || kcap_schema_add_type(s, &t_big)) {
		kcap_schema_free(s);
		return NULL;
	}
	return s;
}

static uint32_t type_of(uint64_t n)
{
	switch (n % 10) {
	case 0: case 9: return TC_ALL;
	case 3: case 7: return TC_EXEC;
	case 4: return TC_BIG;
	default: return TC_OPEN;
	}
}

static void set_text(testcap_event *t, int slot, kcap_value *v, const char *s, size_t len)
{
	memcpy(t->text[slot], s, len);
	v->p = (const uint8_t *)t->text[slot];
	v->len = (uint32_t)len;
}

/* Value of the TC_ALL param of type ty for event n. */
static void all_value(testcap_event *t, kcap_value *v, int ty, uint64_t n, int64_t ts)
{
	char tmp[96];
	int k;
	switch (ty) {
	case KCAP_T_U8: v->u = n & 0xff; break;
	case KCAP_T_U16: v->u = (n * 7) & 0xffff; break;
	case KCAP_T_U32: v->u = (uint32_t)(n * 2654435761u); break;
	case KCAP_T_U64: v->u = n * 0x9E3779B97F4A7C15ull; break;
	case KCAP_T_I8: v->i = (int8_t)(n * 3); break;
	case KCAP_T_I16: v->i = (int16_t)(n * 1001); break;
	case KCAP_T_I32: v->i = -(int32_t)(n * 100003 % 2000000000); break;
	case KCAP_T_I64: v->i = (n & 1) ? INT64_MIN + (int64_t)n : INT64_MAX - (int64_t)n; break;
	case KCAP_T_BOOL: v->u = n & 1; break;
	case KCAP_T_STR:
		k = snprintf(tmp, sizeof tmp, "string %llu \xc3\xbc" "n\xc3\xaf" "c\xc3\xb6" "de \"q\"\t", (unsigned long long)n);
		set_text(t, 0, v, tmp, (size_t)k);
		break;
	case KCAP_T_PATH:
		k = snprintf(tmp, sizeof tmp, "/var/lib/kcap/%llu/file name", (unsigned long long)n);
		set_text(t, 1, v, tmp, (size_t)k);
		break;
	case KCAP_T_BYTES:
		for (int i = 0; i < 40; i++)
			t->bin[i] = (uint8_t)(n + (uint64_t)i * 31);
		v->p = t->bin;
		v->len = (uint32_t)(n % 40); /* includes empty values */
		break;
	case KCAP_T_STRLIST:
		k = snprintf(tmp, sizeof tmp, "prog%c--n=%llu%c%c", 0, (unsigned long long)n, 0, 0);
		set_text(t, 2, v, tmp, (size_t)k);
		v->count = 3; /* "prog", "--n=N", "" */
		break;
	case KCAP_T_FD: v->i = (int64_t)(n % 10) - 100; break;
	case KCAP_T_RET: v->i = -(int64_t)(n % 40); break;
	case KCAP_T_ERRNO: v->u = n % 134; break;
	case KCAP_T_IPV4:
		v->addr[0] = 10; v->addr[1] = 0; v->addr[2] = (uint8_t)(n >> 8); v->addr[3] = (uint8_t)n;
		break;
	case KCAP_T_IPV6:
		for (int i = 0; i < 16; i++)
			v->addr[i] = (uint8_t)(i < 4 ? (uint64_t)(uint8_t)"\x20\x01\x0d\xb8"[i] : (n >> (i % 8)) + (uint64_t)i);
		break;
	case KCAP_T_SOCKADDR:
		v->af = (uint8_t)(n % 5);
		if (v->af == KCAP_AF_INET || v->af == KCAP_AF_INET6) {
			v->port = (uint16_t)(n * 13);
			for (int i = 0; i < 16; i++)
				v->addr[i] = v->af == KCAP_AF_INET && i >= 4 ? 0 : (uint8_t)(n + (uint64_t)i);
		} else if (v->af == KCAP_AF_UNIX || v->af == KCAP_AF_OTHER) {
			k = snprintf(tmp, sizeof tmp, "/run/sock%llu", (unsigned long long)n);
			set_text(t, 3, v, tmp, (size_t)k);
		}
		break;
	case KCAP_T_FLAGS: v->u = (n % 3) | ((n & 2) ? 0x80000u : 0) | ((n & 8) ? 0x1000u : 0); break;
	case KCAP_T_ENUM: v->u = n % 5; break;
	case KCAP_T_MODE: v->u = 0100644 | (n % 8); break;
	case KCAP_T_UID: v->u = n % 65536; break;
	case KCAP_T_GID: v->u = (n % 100) + 4294967000u; break;
	case KCAP_T_TIMESTAMP: v->i = ts - 5; break;
	case KCAP_T_DURATION: v->i = -(int64_t)n * 1000; break;
	case KCAP_T_SID:
		for (int i = 0; i < 24; i++)
			t->bin[40 + i] = (uint8_t)(i == 0 ? 1 : i == 1 ? 5 : n + (uint64_t)i);
		v->p = t->bin + 40;
		v->len = 24;
		break;
	case KCAP_T_GUID:
		for (int i = 0; i < 16; i++)
			v->addr[i] = (uint8_t)(n * 7 + (uint64_t)i);
		break;
	case KCAP_T_PID: v->i = -(int64_t)(n % 100); break;
	case KCAP_T_JSON:
		k = snprintf(tmp, sizeof tmp, "{\"n\":%llu,\"a\":[1,2]}", (unsigned long long)n);
		set_text(t, 4, v, tmp, (size_t)k);
		break;
	default: break;
	}
}

void testcap_make_event(testcap_event *t, uint64_t n)
{
	memset(t, 0, sizeof *t);
	kcap_event *ev = &t->ev;
	ev->seq = n;
	ev->ts = TESTCAP_T0 + (int64_t)n * TESTCAP_STEP;
	int pid42 = n >= TESTCAP_PID42_LO && n <= TESTCAP_PID42_HI && n % 3 == 0;
	ev->pid = pid42 ? 42 : 1000 + (int32_t)(n % 37);
	ev->tid = ev->pid + (int32_t)(n % 3);
	ev->ppid = pid42 ? 1 : 999;
	ev->cpu = (uint32_t)(n % 4);
	ev->uid = (n & 1) ? 1000 : 0;
	ev->gid = (n & 1) ? 1000 : 0;
	ev->origin = (uint16_t)(n % 2);
	ev->type_id = type_of(n);
	int k = snprintf(t->comm, sizeof t->comm, "proc%u", (unsigned)(pid42 ? 42 : n % 37));
	ev->comm = t->comm;
	ev->comm_len = (uint16_t)k;
	ev->params = t->vals;
	char tmp[96];
	switch (ev->type_id) {
	case TC_ALL:
		ev->nparams = KCAP_T_MAX_;
		for (int ty = 1; ty <= KCAP_T_MAX_; ty++) {
			kcap_value *v = &t->vals[ty - 1];
			v->type = (uint8_t)ty;
			v->present = !(ty == KCAP_T_STR && n % 7 == 0);
			if (v->present)
				all_value(t, v, ty, n, ev->ts);
		}
		break;
	case TC_OPEN:
		ev->nparams = 3;
		k = snprintf(tmp, sizeof tmp, "/etc/conf.d/file%llu", (unsigned long long)n);
		t->vals[0].type = KCAP_T_PATH;
		t->vals[0].present = 1;
		set_text(t, 5, &t->vals[0], tmp, (size_t)k);
		t->vals[1].type = KCAP_T_FLAGS;
		t->vals[1].present = 1;
		t->vals[1].u = (n % 3) | 0x80000;
		t->vals[2].type = KCAP_T_RET;
		t->vals[2].present = 1;
		t->vals[2].i = n % 5 == 0 ? -2 : 3 + (int64_t)(n % 10);
		break;
	case TC_EXEC:
		ev->nparams = 2;
		k = snprintf(tmp, sizeof tmp, "/bin/sh%c-c%cecho %llu%c", 0, 0, (unsigned long long)n, 0);
		t->vals[0].type = KCAP_T_STRLIST;
		t->vals[0].present = 1;
		t->vals[0].count = 3;
		set_text(t, 6, &t->vals[0], tmp, (size_t)k);
		t->vals[1].type = KCAP_T_PATH;
		t->vals[1].present = 1;
		set_text(t, 7, &t->vals[1], "/bin/sh", 7);
		break;
	default:
		ev->nparams = 1;
		t->vals[0].type = KCAP_T_U64;
		t->vals[0].present = 1;
		t->vals[0].u = n << 40;
		break;
	}
}

static int value_equal(const kcap_value *a, const kcap_value *b, char *why, size_t wl, uint32_t idx)
{
#define DIFF(what) do { snprintf(why, wl, "param %u (type %d): %s differs", idx, b->type, what); return -1; } while (0)
	if (a->type != b->type)
		DIFF("type");
	if (a->present != b->present)
		DIFF("present");
	if (!b->present)
		return 0;
	switch (b->type) {
	case KCAP_T_STR: case KCAP_T_PATH: case KCAP_T_BYTES: case KCAP_T_SID: case KCAP_T_JSON:
		if (a->len != b->len || (b->len && memcmp(a->p, b->p, b->len)))
			DIFF("bytes");
		return 0;
	case KCAP_T_STRLIST:
		if (a->count != b->count || a->len != b->len || (b->len && memcmp(a->p, b->p, b->len)))
			DIFF("string list");
		return 0;
	case KCAP_T_IPV4:
		if (memcmp(a->addr, b->addr, 4))
			DIFF("ipv4");
		return 0;
	case KCAP_T_IPV6: case KCAP_T_GUID:
		if (memcmp(a->addr, b->addr, 16))
			DIFF("16-byte value");
		return 0;
	case KCAP_T_SOCKADDR:
		if (a->af != b->af)
			DIFF("address family");
		if (b->af == KCAP_AF_INET || b->af == KCAP_AF_INET6) {
			if (a->port != b->port || memcmp(a->addr, b->addr, b->af == KCAP_AF_INET ? 4 : 16))
				DIFF("inet address");
		} else if (b->af == KCAP_AF_UNIX || b->af == KCAP_AF_OTHER) {
			if (a->len != b->len || (b->len && memcmp(a->p, b->p, b->len)))
				DIFF("unix path");
		}
		return 0;
	default:
		if (kcap_ptype_is_signed(b->type) ? a->i != b->i : a->u != b->u)
			DIFF("integer");
		return 0;
	}
#undef DIFF
}

int testcap_check_event(const kcap_event *got, char *why, size_t wl)
{
	testcap_event want;
	testcap_make_event(&want, got->seq);
	const kcap_event *w = &want.ev;
	if (got->ts != w->ts || got->pid != w->pid || got->tid != w->tid || got->ppid != w->ppid || got->cpu != w->cpu ||
	    got->uid != w->uid || got->gid != w->gid || got->type_id != w->type_id || got->origin != w->origin) {
		snprintf(why, wl, "seq %llu: canonical field differs (ts %lld/%lld pid %d/%d type %u/%u origin %u/%u)",
			 (unsigned long long)got->seq, (long long)got->ts, (long long)w->ts, got->pid, w->pid,
			 got->type_id, w->type_id, got->origin, w->origin);
		return -1;
	}
	if (got->comm_len != w->comm_len || memcmp(got->comm, w->comm, w->comm_len)) {
		snprintf(why, wl, "seq %llu: comm differs", (unsigned long long)got->seq);
		return -1;
	}
	if (got->nparams != w->nparams) {
		snprintf(why, wl, "seq %llu: %u params, want %u", (unsigned long long)got->seq, got->nparams, w->nparams);
		return -1;
	}
	for (uint32_t i = 0; i < w->nparams; i++) {
		char sub[200];
		if (value_equal(&got->params[i], &w->params[i], sub, sizeof sub, i)) {
			snprintf(why, wl, "seq %llu: %s", (unsigned long long)got->seq, sub);
			return -1;
		}
	}
	return 0;
}

/* Host names say which seq the section starts at: "host<seq>-<origin>". */
static int add_context(kcap_writer *w, const testcap_opts *o, uint64_t section)
{
	int rc = 0;
	for (int origin = 0; origin < 2 && !rc; origin++) {
		kcap_meta *m = kcap_meta_new();
		char host[32];
		snprintf(host, sizeof host, "host%llu-%d", (unsigned long long)section, origin);
		rc = !m ? KCAP_E_NOMEM : 0;
		rc = rc ? rc : kcap_meta_set(m, KCAP_META_HOSTNAME, host);
		rc = rc ? rc : kcap_meta_set(m, KCAP_META_OS, "Linux");
		rc = rc ? rc : kcap_meta_set(m, KCAP_META_SOURCE, "synth");
		rc = rc ? rc : kcap_meta_set(m, "tag", origin ? "second" : "first");
		if (!rc) {
			int id = kcap_writer_add_meta(w, m);
			rc = id < 0 ? id : (id != origin ? KCAP_E_INVAL : 0);
		}
		kcap_meta_free(m);
	}
	kcap_schema *s = testcap_schema();
	if (!rc)
		rc = s ? kcap_writer_set_schema(w, s) : KCAP_E_NOMEM;
	kcap_schema_free(s);
	if (!rc && o->with_snapshot) {
		kcap_snapshot *sn = kcap_snapshot_new();
		rc = sn ? 0 : KCAP_E_NOMEM;
		for (int i = 0; i < 40 && !rc; i++) {
			char comm[16], exe[32], cwd[32], cmd[32];
			snprintf(comm, sizeof comm, "proc%d", i);
			snprintf(exe, sizeof exe, "/usr/bin/p%d", i);
			snprintf(cwd, sizeof cwd, "/home/u%d", i);
			int cl = snprintf(cmd, sizeof cmd, "p%d%c-x%c", i, 0, 0);
			kcap_proc p = {1000 + i, 999, 1000, 1000, TESTCAP_T0 - i, comm, exe, cwd, cmd, (uint32_t)cl};
			rc = kcap_snapshot_add(sn, &p);
		}
		if (!rc)
			rc = kcap_writer_add_snapshot(w, sn);
		kcap_snapshot_free(sn);
	}
	if (!rc && o->with_origin_snapshot) { /* pids that collide with the above */
		kcap_snapshot *sn = kcap_snapshot_new();
		rc = sn ? 0 : KCAP_E_NOMEM;
		for (int i = 0; i < 3 && !rc; i++) {
			kcap_proc p = {1000 + i, 1, 0, 0, TESTCAP_T0, "other", "/opt/other", "/", "other", 6};
			rc = kcap_snapshot_add(sn, &p);
		}
		if (!rc)
			rc = kcap_writer_add_origin_snapshot(w, 1, sn);
		kcap_snapshot_free(sn);
	}
	return rc;
}

int testcap_write_fd(int fd, const testcap_opts *o, uint64_t *before_close)
{
	kcap_writer_opts wo = {0};
	wo.block_size = o->block_size;
	if (o->codec_none) {
		wo.codec = KCAP_CODEC_NONE;
		wo.codec_set = 1;
	}
	kcap_writer *w = NULL;
	kcap_error err;
	int rc = kcap_writer_open_fd(&w, fd, 0, &wo, &err);
	if (rc)
		return rc;
	uint32_t nsec = o->sections ? o->sections : 1;
	uint64_t seq = o->first_seq ? o->first_seq : 1;
	testcap_event *t = malloc(sizeof *t);
	if (!t)
		rc = KCAP_E_NOMEM;
	for (uint32_t sec = 0; sec < nsec && !rc; sec++) {
		if (sec)
			rc = kcap_writer_new_section(w);
		if (!rc)
			rc = add_context(w, o, seq);
		for (uint32_t i = 0; i < o->nevents && !rc; i++) {
			testcap_make_event(t, seq++);
			rc = kcap_writer_write(w, &t->ev);
			if (!rc && o->with_stats && i == o->nevents / 2) {
				kcap_stat st = {0, 1, "ringbuf", seq, 3};
				rc = kcap_writer_set_stat(w, &st);
				kcap_stat st2 = {1, UINT32_MAX, "audit-kernel", seq * 2, 0};
				if (!rc)
					rc = kcap_writer_set_stat(w, &st2);
			}
		}
		if (!rc && o->with_stats) {
			kcap_stat st = {0, 1, "ringbuf", seq + 100, 7};
			rc = kcap_writer_set_stat(w, &st);
		}
	}
	free(t);
	if (!rc)
		rc = kcap_writer_flush(w);
	if (before_close)
		*before_close = kcap_writer_bytes(w);
	int crc = kcap_writer_close(w);
	return rc ? rc : crc;
}

int testcap_slurp_fd(int fd, uint8_t **buf, size_t *len)
{
	size_t cap = 1 << 16, n = 0;
	uint8_t *b = malloc(cap);
	if (!b)
		return KCAP_E_NOMEM;
	for (;;) {
		if (n == cap) {
			uint8_t *nb = realloc(b, cap * 2);
			if (!nb) {
				free(b);
				return KCAP_E_NOMEM;
			}
			b = nb;
			cap *= 2;
		}
		ssize_t k = pread(fd, b + n, cap - n, (off_t)n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			free(b);
			return KCAP_E_IO;
		}
		if (k == 0)
			break;
		n += (size_t)k;
	}
	*buf = b;
	*len = n;
	return 0;
}

int testcap_build(const testcap_opts *o, uint8_t **buf, size_t *len)
{
	int fd = memfd_create("testcap", MFD_CLOEXEC);
	if (fd < 0)
		return KCAP_E_IO;
	uint64_t before = 0;
	int rc = testcap_write_fd(fd, o, &before);
	if (!rc)
		rc = testcap_slurp_fd(fd, buf, len);
	close(fd);
	if (!rc && o->no_close && before < *len)
		*len = (size_t)before;
	return rc;
}

static struct {
	pthread_t th;
	int fd, running;
	const uint8_t *buf;
	size_t len;
} feeder;

static void *feed(void *arg)
{
	(void)arg;
	size_t off = 0;
	while (off < feeder.len) {
		ssize_t k = write(feeder.fd, feeder.buf + off, feeder.len - off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break; /* reader went away */
		off += (size_t)k;
	}
	close(feeder.fd);
	return NULL;
}

int testcap_pipe_from_mem(const uint8_t *buf, size_t len)
{
	int p[2];
	signal(SIGPIPE, SIG_IGN);
	if (feeder.running || pipe(p))
		return -1;
	feeder.fd = p[1];
	feeder.buf = buf;
	feeder.len = len;
	if (pthread_create(&feeder.th, NULL, feed, NULL)) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	feeder.running = 1;
	return p[0];
}

void testcap_pipe_join(void)
{
	if (feeder.running)
		pthread_join(feeder.th, NULL);
	feeder.running = 0;
}

uint8_t *testcap_frame_block(uint16_t type, uint16_t flags, const void *payload, size_t plen, size_t *blen)
{
	size_t total = KCAP_BLOCK_OVERHEAD + plen;
	uint8_t *b = malloc(total);
	if (!b)
		return NULL;
	memcpy(b, kcap_sync, 4);
	put_u16(b + 4, type);
	put_u16(b + 6, flags);
	put_u32(b + 8, (uint32_t)plen);
	if (plen)
		memcpy(b + KCAP_BLOCK_HDR_LEN, payload, plen);
	put_u32(b + 12, kcap_crc32c(kcap_crc32c(0, b, 12), b + KCAP_BLOCK_HDR_LEN, plen));
	put_u32(b + 16, kcap_crc32c(0, b, 16));
	put_u32(b + KCAP_BLOCK_HDR_LEN + plen, (uint32_t)total);
	*blen = total;
	return b;
}

int testcap_walk(const uint8_t *buf, size_t len, testcap_part *parts, int max)
{
	size_t off = 0;
	int n = 0;
	while (off < len && n < max) {
		testcap_part *pt = &parts[n];
		memset(pt, 0, sizeof *pt);
		pt->off = off;
		if (len - off >= KCAP_SECTION_HDR_LEN && !memcmp(buf + off, KCAP_MAGIC, KCAP_MAGIC_LEN)) {
			pt->len = KCAP_SECTION_HDR_LEN;
		} else if (len - off >= KCAP_BLOCK_OVERHEAD && !memcmp(buf + off, kcap_sync, 4)) {
			pt->type = get_u16(buf + off + 4);
			pt->len = KCAP_BLOCK_OVERHEAD + get_u32(buf + off + 8);
			if (pt->len > len - off || get_u32(buf + off + pt->len - 4) != pt->len)
				return -1;
			if (pt->type == KCAP_BLK_EVENTS) {
				const uint8_t *m = buf + off + KCAP_BLOCK_HDR_LEN + KCAP_PAYLOAD_PREFIX_LEN;
				pt->count = get_u32(m);
				pt->first_seq = get_u64(m + 24);
				pt->last_seq = get_u64(m + 32);
			}
		} else {
			return -1;
		}
		off += pt->len;
		n++;
	}
	return off == len ? n : -1;
}
