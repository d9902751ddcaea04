/* Process snapshots per origin (format 1.1, origin snapshot blocks) and the
 * process tracker keyed by (origin, pid): two hosts whose pids collide, merged
 * into one section, keep their own processes; a snapshot without an origin
 * (every capture written before 1.1) reads and applies as it always did. */
#include <check.h>
#include "check_run.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <kcap/filter.h>
#include <kcap/kcap.h>
#include <kcap/procstate.h>

enum { T_OPEN = 3, T_FORK = 4 };

static kcap_schema *test_schema(void)
{
	static const kcap_param_def open_p[] = {{"path", KCAP_T_PATH, 0, 0}};
	static const kcap_param_def fork_p[] = {{"child_pid", KCAP_T_PID, 0, 0}};
	kcap_type_def open_t = {T_OPEN, "openat", "file", "", 1, open_p};
	kcap_type_def fork_t = {T_FORK, "fork", "process", "", 1, fork_p};
	kcap_schema *s = kcap_schema_new();
	ck_assert_int_eq(kcap_schema_add_type(s, &open_t), 0);
	ck_assert_int_eq(kcap_schema_add_type(s, &fork_t), 0);
	return s;
}

static kcap_meta *host_meta(const char *host)
{
	kcap_meta *m = kcap_meta_new();
	ck_assert_int_eq(kcap_meta_set(m, KCAP_META_HOSTNAME, host), 0);
	ck_assert_int_eq(kcap_meta_set(m, KCAP_META_SOURCE, "test"), 0);
	return m;
}

/* A snapshot of one process per (pid, exe) pair, parented to pid 1. */
static kcap_snapshot *snap_of(int n, const int32_t *pids, const char *const *exes)
{
	kcap_snapshot *s = kcap_snapshot_new();
	for (int i = 0; i < n; i++) {
		const char *comm = strrchr(exes[i], '/') + 1;
		kcap_proc p = {pids[i], 1, 0, 0, 0, comm, exes[i], "/", exes[i], (uint32_t)strlen(exes[i]) + 1};
		ck_assert_int_eq(kcap_snapshot_add(s, &p), 0);
	}
	return s;
}

static void write_event(kcap_writer *w, uint64_t seq, uint16_t origin, int32_t pid, uint32_t type, int32_t child)
{
	kcap_value v = {0};
	kcap_event ev = {0};
	ev.seq = seq;
	ev.ts = 1000 + (int64_t)seq;
	ev.pid = ev.tid = pid;
	ev.ppid = pid == 500 ? 100 : 1;
	ev.origin = origin;
	ev.type_id = type;
	ev.comm = "x";
	ev.comm_len = 1;
	ev.nparams = 1;
	ev.params = &v;
	v.present = 1;
	if (type == T_OPEN) {
		v.type = KCAP_T_PATH;
		v.p = (const uint8_t *)"/etc/hosts";
		v.len = 10;
	} else {
		v.type = KCAP_T_PID;
		v.i = child;
	}
	ck_assert_int_eq(kcap_writer_write(w, &ev), 0);
}

/* Reads the whole file at fd into a buffer. */
static kcap_buf slurp(int fd)
{
	kcap_buf b = {0};
	off_t n = lseek(fd, 0, SEEK_END);
	ck_assert_int_eq(kcap_buf_reserve(&b, (size_t)n), 0);
	ck_assert_int_eq(pread(fd, b.data, (size_t)n, 0), n);
	b.len = (size_t)n;
	return b;
}

/* A writer on a deleted temp file (*fd, to read it back) with the test
 * schema set (*s, the caller frees it). */
static kcap_writer *open_writer(int *fd, kcap_schema **s)
{
	char path[] = "/tmp/kcap-origin-snap-XXXXXX";
	*fd = mkstemp(path);
	ck_assert_int_ge(*fd, 0);
	unlink(path);
	kcap_writer *w;
	ck_assert_int_eq(kcap_writer_open_fd(&w, *fd, 0, NULL, NULL), 0);
	*s = test_schema();
	ck_assert_int_eq(kcap_writer_set_schema(w, *s), 0);
	return w;
}

/* Two hosts merged in one section, as kcap merge writes them: origin 0 is
 * host-a, where pid 100 runs /usr/bin/alpha; origin 1 is host-b, where pid
 * 100 runs /usr/bin/beta and pid 200 /usr/bin/gamma. With section_snap, a
 * snapshot without an origin is added too (pid 100 /usr/bin/legacy, pid 300
 * /usr/bin/old). Events: seq 1 a/100 open, 2 b/100 open, 3 b/100 fork 500,
 * 4 b/500 open, 5 a/500 open, 6 a/100 open; pid 500's events name ppid
 * 100, the others 1. */
static kcap_buf make_two_hosts(int origin_snaps, int section_snap)
{
	int fd;
	kcap_schema *s;
	kcap_writer *w = open_writer(&fd, &s);
	kcap_schema_free(s);
	kcap_meta *ma = host_meta("host-a"), *mb = host_meta("host-b");
	ck_assert_int_eq(kcap_writer_add_meta(w, ma), 0);
	ck_assert_int_eq(kcap_writer_add_meta(w, mb), 1);
	kcap_meta_free(ma);
	kcap_meta_free(mb);
	if (origin_snaps) {
		static const int32_t pa[] = {100}, pb[] = {100, 200};
		static const char *const ea[] = {"/usr/bin/alpha"}, *const eb[] = {"/usr/bin/beta", "/usr/bin/gamma"};
		kcap_snapshot *sa = snap_of(1, pa, ea), *sb = snap_of(2, pb, eb);
		/* origin 1 first: the order of the blocks does not matter */
		ck_assert_int_eq(kcap_writer_add_origin_snapshot(w, 1, sb), 0);
		ck_assert_int_eq(kcap_writer_add_origin_snapshot(w, 0, sa), 0);
		kcap_snapshot_free(sa);
		kcap_snapshot_free(sb);
	}
	if (section_snap) {
		static const int32_t pl[] = {100, 300};
		static const char *const el[] = {"/usr/bin/legacy", "/usr/bin/old"};
		kcap_snapshot *sl = snap_of(2, pl, el);
		ck_assert_int_eq(kcap_writer_add_snapshot(w, sl), 0);
		kcap_snapshot_free(sl);
	}
	write_event(w, 1, 0, 100, T_OPEN, 0);
	write_event(w, 2, 1, 100, T_OPEN, 0);
	write_event(w, 3, 1, 100, T_FORK, 500);
	write_event(w, 4, 1, 500, T_OPEN, 0);
	write_event(w, 5, 0, 500, T_OPEN, 0);
	write_event(w, 6, 0, 100, T_OPEN, 0);
	ck_assert_int_eq(kcap_writer_close(w), 0);
	kcap_buf b = slurp(fd);
	close(fd);
	return b;
}

static const char *exe_of(const kcap_snapshot *s, int32_t pid)
{
	for (size_t i = 0; i < kcap_snapshot_count(s); i++)
		if (kcap_snapshot_at(s, i)->pid == pid)
			return kcap_snapshot_at(s, i)->exe;
	return NULL;
}

/* Counts the blocks of a type in a one-section capture by walking frames. */
static int count_blocks(const kcap_buf *b, unsigned type)
{
	int n = 0;
	for (size_t off = 16; off + 24 <= b->len;) {
		const uint8_t *p = (const uint8_t *)b->data + off;
		uint32_t len = (uint32_t)p[8] | (uint32_t)p[9] << 8 | (uint32_t)p[10] << 16 | (uint32_t)p[11] << 24;
		n += (unsigned)(p[4] | p[5] << 8) == type;
		off += 24 + len;
	}
	return n;
}

/* A reader on f, at its first event. */
static kcap_reader *open_first(const kcap_buf *f, const char *name)
{
	kcap_reader *r;
	const kcap_event *ev;
	ck_assert_int_eq(kcap_reader_open_mem(&r, f->data, f->len, name, NULL), 0);
	ck_assert_int_eq(kcap_reader_next(r, &ev), 1);
	ck_assert_uint_eq(ev->seq, 1);
	return r;
}

START_TEST(two_origins_round_trip)
{
	kcap_buf f = make_two_hosts(1, 0);
	ck_assert_int_eq(count_blocks(&f, 8), 2);
	ck_assert_int_eq(count_blocks(&f, 3), 0);
	kcap_reader *r = open_first(&f, "two");
	uint16_t major, minor;
	kcap_reader_version(r, &major, &minor);
	ck_assert_uint_eq(major, 1);
	ck_assert_uint_eq(minor, KCAP_FORMAT_MINOR);
	ck_assert_ptr_null(kcap_reader_snapshot(r));
	ck_assert_uint_eq(kcap_reader_origin_snapshot_count(r), 2);
	const kcap_snapshot *a = kcap_reader_origin_snapshot(r, 0), *b = kcap_reader_origin_snapshot(r, 1);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_uint_eq(kcap_snapshot_count(a), 1);
	ck_assert_uint_eq(kcap_snapshot_count(b), 2);
	ck_assert_str_eq(exe_of(a, 100), "/usr/bin/alpha");
	ck_assert_str_eq(exe_of(b, 100), "/usr/bin/beta");
	ck_assert_str_eq(exe_of(b, 200), "/usr/bin/gamma");
	ck_assert_ptr_null(exe_of(a, 200));
	ck_assert_ptr_eq(kcap_reader_snapshot_for(r, 1), b);
	ck_assert_ptr_null(kcap_reader_origin_snapshot(r, 2));
	ck_assert_ptr_null(kcap_reader_snapshot_for(r, 2));
	const kcap_event *ev;
	int n = 1;
	while (kcap_reader_next(r, &ev) > 0)
		n++;
	ck_assert_int_eq(n, 6);
	ck_assert_uint_eq(kcap_reader_get_stats(r)->unknown_blocks, 0);
	ck_assert_uint_eq(kcap_reader_get_stats(r)->damaged, 0);
	kcap_reader_close(r);
	kcap_buf_free(&f);
}
END_TEST

/* A seek through the index reloads the section's context blocks, the origin
 * snapshots among them. */
START_TEST(origin_snapshots_after_index_seek)
{
	kcap_buf f = make_two_hosts(1, 0);
	char path[] = "/tmp/kcap-origin-seek-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, f.data, f.len), (ssize_t)f.len);
	close(fd);
	kcap_reader *r;
	ck_assert_int_eq(kcap_reader_open_path(&r, path, NULL), 0);
	ck_assert_int_gt(kcap_reader_load_index(r), 0);
	ck_assert_int_eq(kcap_reader_seek_time(r, 1004), 0);
	const kcap_event *ev;
	ck_assert_int_eq(kcap_reader_next(r, &ev), 1);
	ck_assert_uint_eq(ev->seq, 4);
	ck_assert_str_eq(exe_of(kcap_reader_origin_snapshot(r, 0), 100), "/usr/bin/alpha");
	ck_assert_str_eq(exe_of(kcap_reader_origin_snapshot(r, 1), 100), "/usr/bin/beta");
	kcap_reader_close(r);
	unlink(path);
	kcap_buf_free(&f);
}
END_TEST

/* A snapshot without an origin, as every kcap before format 1.1 wrote it:
 * one type 3 block, and it describes every origin of its section. */
START_TEST(origin_less_snapshot_reads_as_before)
{
	kcap_buf f = make_two_hosts(0, 1);
	ck_assert_int_eq(count_blocks(&f, 3), 1);
	ck_assert_int_eq(count_blocks(&f, 8), 0);
	kcap_reader *r = open_first(&f, "legacy");
	const kcap_snapshot *s = kcap_reader_snapshot(r);
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(kcap_snapshot_count(s), 2);
	ck_assert_str_eq(exe_of(s, 100), "/usr/bin/legacy");
	ck_assert_uint_eq(kcap_reader_origin_snapshot_count(r), 0);
	ck_assert_ptr_null(kcap_reader_origin_snapshot(r, 0));
	ck_assert_ptr_eq(kcap_reader_snapshot_for(r, 0), s);
	ck_assert_ptr_eq(kcap_reader_snapshot_for(r, 1), s);
	/* and the tracker gives both origins the section's processes */
	kcap_procstate *ps = kcap_procstate_new();
	ck_assert_int_eq(kcap_procstate_load_reader(ps, r), 0);
	ck_assert_str_eq(kcap_procstate_get_origin(ps, 0, 300)->exe, "/usr/bin/old");
	ck_assert_str_eq(kcap_procstate_get_origin(ps, 1, 300)->exe, "/usr/bin/old");
	ck_assert_str_eq(kcap_procstate_get(ps, 100)->exe, "/usr/bin/legacy");
	kcap_procstate_free(ps);
	kcap_reader_close(r);
	kcap_buf_free(&f);
}
END_TEST

/* A capture written by kcap 1.0 (testdata/synth-1k.kcap): its snapshot is
 * the section's, for origin 0. */
START_TEST(format_1_0_capture_snapshot)
{
	kcap_reader *r;
	ck_assert_int_eq(kcap_reader_open_path(&r, KCAP_TESTDATA "/synth-1k.kcap", NULL), 0);
	const kcap_event *ev;
	ck_assert_int_eq(kcap_reader_next(r, &ev), 1);
	uint16_t major, minor;
	kcap_reader_version(r, &major, &minor);
	ck_assert_uint_eq(minor, 0);
	ck_assert_uint_eq(kcap_reader_origin_count(r), 1);
	ck_assert_uint_eq(kcap_reader_origin_snapshot_count(r), 0);
	ck_assert_uint_eq(kcap_snapshot_count(kcap_reader_snapshot(r)), 23);
	ck_assert_ptr_eq(kcap_reader_snapshot_for(r, 0), kcap_reader_snapshot(r));
	kcap_procstate *ps = kcap_procstate_new();
	ck_assert_int_eq(kcap_procstate_load_reader(ps, r), 0);
	ck_assert_uint_eq(kcap_procstate_count(ps), 23);
	ck_assert_str_eq(kcap_procstate_get(ps, 512)->comm, "sshd");
	ck_assert_ptr_eq(kcap_procstate_get(ps, 512), kcap_procstate_get_origin(ps, 0, 512));
	kcap_procstate_free(ps);
	kcap_reader_close(r);
}
END_TEST

/* An origin's own snapshot wins over the section's; the other origin still
 * gets the section's. */
START_TEST(origin_snapshot_overrides_section_snapshot)
{
	kcap_buf f = make_two_hosts(1, 1);
	kcap_reader *r = open_first(&f, "both");
	ck_assert_str_eq(exe_of(kcap_reader_snapshot_for(r, 0), 100), "/usr/bin/alpha");
	ck_assert_str_eq(exe_of(kcap_reader_snapshot_for(r, 1), 100), "/usr/bin/beta");
	ck_assert_str_eq(exe_of(kcap_reader_snapshot_for(r, 7), 100), "/usr/bin/legacy");
	kcap_reader_close(r);
	kcap_buf_free(&f);
}
END_TEST

/* The tracker: events of one origin never see another origin's processes,
 * the snapshot's, a forked child's, or a parent. */
START_TEST(tracker_keeps_origins_apart)
{
	kcap_buf f = make_two_hosts(1, 0);
	kcap_reader *r;
	ck_assert_int_eq(kcap_reader_open_mem(&r, f.data, f.len, "two", NULL), 0);
	kcap_procstate *ps = kcap_procstate_new();
	kcap_filter *fa, *fb, *fc, *fd;
	ck_assert_int_eq(kcap_filter_compile(&fa, "host = \"host-a\" and proc.exe = \"/usr/bin/alpha\"", NULL), 0);
	ck_assert_int_eq(kcap_filter_compile(&fb, "proc.exe = \"/usr/bin/beta\"", NULL), 0);
	ck_assert_int_eq(kcap_filter_compile(&fc, "parent.exe = \"/usr/bin/beta\"", NULL), 0);
	ck_assert_int_eq(kcap_filter_compile(&fd, "parent.exe = \"/usr/bin/alpha\"", NULL), 0);
	static const char *const want_exe[] = {NULL, "/usr/bin/alpha", "/usr/bin/beta", "/usr/bin/beta",
					       "/usr/bin/beta", NULL, "/usr/bin/alpha"};
	static const int want_a[] = {0, 1, 0, 0, 0, 0, 1}, want_b[] = {0, 0, 1, 1, 1, 0, 0};
	static const int want_c[] = {0, 0, 0, 0, 1, 0, 0}, want_d[] = {0, 0, 0, 0, 0, 1, 0};
	const kcap_event *ev;
	kcap_buf json = {0};
	int n = 0;
	while (kcap_reader_next(r, &ev) > 0) {
		const kcap_schema *s = kcap_reader_schema(r);
		if (!n++)
			ck_assert_int_eq(kcap_procstate_load_reader(ps, r), 0);
		ck_assert_int_eq(kcap_procstate_update(ps, ev, s), 0);
		const kcap_procinfo *pi = kcap_procstate_get_origin(ps, ev->origin, ev->pid);
		ck_assert_ptr_nonnull(pi);
		if (want_exe[ev->seq])
			ck_assert_str_eq(pi->exe, want_exe[ev->seq]);
		else
			ck_assert_msg(pi->exe == NULL, "seq %d: exe %s", (int)ev->seq, pi->exe);
		ck_assert_int_eq(kcap_filter_match(fa, ev, s, ps), want_a[ev->seq]);
		ck_assert_int_eq(kcap_filter_match(fb, ev, s, ps), want_b[ev->seq]);
		ck_assert_int_eq(kcap_filter_match(fc, ev, s, ps), want_c[ev->seq]);
		ck_assert_int_eq(kcap_filter_match(fd, ev, s, ps), want_d[ev->seq]);
		if (ev->seq == 4) { /* host-b's child of pid 100: parent is beta */
			ck_assert_int_eq(pi->ppid, 100);
			json.len = 0;
			ck_assert_int_eq(kcap_procstate_append_json(&json, ps, ev), 0);
			ck_assert_int_eq(kcap_buf_append(&json, "", 1), 0);
			/* comm "x": the events' comm replaced the snapshot's */
			ck_assert_msg(strstr(json.data, "\"exe\":\"/usr/bin/beta\",\"cwd\":\"/\"") &&
					      strstr(json.data, "\"parent\":{\"pid\":100,\"comm\":\"x\",\"exe\":\"/usr/bin/beta\"}"),
				      "%s", json.data);
		}
	}
	ck_assert_int_eq(n, 6);
	/* host-a never saw pid 500 fork; host-b's 500 is the forked child */
	ck_assert_ptr_null(kcap_procstate_get_origin(ps, 0, 500)->exe);
	ck_assert_str_eq(kcap_procstate_get_origin(ps, 1, 500)->exe, "/usr/bin/beta");
	ck_assert_ptr_null(kcap_procstate_get_origin(ps, 0, 200));
	ck_assert_str_eq(kcap_procstate_get_origin(ps, 1, 200)->exe, "/usr/bin/gamma");
	ck_assert_uint_eq(kcap_procstate_count(ps), 5);
	kcap_buf_free(&json);
	kcap_filter_free(fa);
	kcap_filter_free(fb);
	kcap_filter_free(fc);
	kcap_filter_free(fd);
	kcap_procstate_free(ps);
	kcap_reader_close(r);
	kcap_buf_free(&f);
}
END_TEST

/* A pending snapshot is replaced by a later one for the same origin, and a
 * new section starts without any. */
START_TEST(writer_replaces_and_resets_origin_snapshots)
{
	int fd;
	kcap_schema *s;
	kcap_writer *w = open_writer(&fd, &s);
	kcap_meta *m = host_meta("host-a");
	ck_assert_int_eq(kcap_writer_add_meta(w, m), 0);
	static const int32_t p1[] = {1}, p2[] = {2};
	static const char *const e1[] = {"/sbin/first"}, *const e2[] = {"/sbin/second"};
	kcap_snapshot *s1 = snap_of(1, p1, e1), *s2 = snap_of(1, p2, e2);
	ck_assert_int_eq(kcap_writer_add_origin_snapshot(w, 0, s1), 0);
	ck_assert_int_eq(kcap_writer_add_origin_snapshot(w, 0, s2), 0);
	ck_assert_int_eq(kcap_writer_add_origin_snapshot(NULL, 0, s2), KCAP_E_INVAL);
	ck_assert_int_eq(kcap_writer_add_origin_snapshot(w, 0, NULL), KCAP_E_INVAL);
	write_event(w, 1, 0, 100, T_OPEN, 0);
	ck_assert_int_eq(kcap_writer_new_section(w), 0);
	ck_assert_int_eq(kcap_writer_set_schema(w, s), 0);
	ck_assert_int_eq(kcap_writer_add_meta(w, m), 0);
	write_event(w, 2, 0, 100, T_OPEN, 0);
	ck_assert_int_eq(kcap_writer_close(w), 0);
	kcap_schema_free(s);
	kcap_meta_free(m);
	kcap_snapshot_free(s1);
	kcap_snapshot_free(s2);
	kcap_buf f = slurp(fd);
	close(fd);
	kcap_reader *r = open_first(&f, "sections");
	const kcap_snapshot *got = kcap_reader_origin_snapshot(r, 0);
	ck_assert_uint_eq(kcap_snapshot_count(got), 1);
	ck_assert_str_eq(kcap_snapshot_at(got, 0)->exe, "/sbin/second");
	const kcap_event *ev;
	ck_assert_int_eq(kcap_reader_next(r, &ev), 1);
	ck_assert_uint_eq(kcap_reader_section(r), 1);
	ck_assert_ptr_null(kcap_reader_origin_snapshot(r, 0));
	ck_assert_uint_eq(kcap_reader_origin_snapshot_count(r), 0);
	kcap_reader_close(r);
	kcap_buf_free(&f);
}
END_TEST

int main(void)
{
	Suite *su = suite_create("origin_snapshot");
	TCase *tc = tcase_create("origin_snapshot");
	tcase_add_test(tc, two_origins_round_trip);
	tcase_add_test(tc, origin_snapshots_after_index_seek);
	tcase_add_test(tc, origin_less_snapshot_reads_as_before);
	tcase_add_test(tc, format_1_0_capture_snapshot);
	tcase_add_test(tc, origin_snapshot_overrides_section_snapshot);
	tcase_add_test(tc, tracker_keeps_origins_apart);
	tcase_add_test(tc, writer_replaces_and_resets_origin_snapshots);
	suite_add_tcase(su, tc);
	return kcap_check_run(su);
}
