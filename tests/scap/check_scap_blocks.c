/*
 * check_scap_blocks.c - block versions the corpus lacks, built here: process
 * lists V1 to V4 (0x202, 0x207, 0x209, 0x210) give the snapshot's process
 * (pid, ppid, uid, gid, comm, exe, cwd, cmdline) and the identity of the
 * thread's events; an unknown block type is skipped by its length and
 * counted; a section header with options is read.
 */
#include <check.h>
#include "check_run.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <kcap/kcap.h>

#include "scap/scap_import.h"

typedef struct fb {
	uint8_t b[8192];
	size_t n;
} fb;
static void put(fb *f, const void *p, size_t n) { memcpy(f->b + f->n, p, n); f->n += n; }
static void put16(fb *f, uint16_t v) { put(f, &v, 2); }
static void put32(fb *f, uint32_t v) { put(f, &v, 4); }
static void put64(fb *f, uint64_t v) { put(f, &v, 8); }
static void lstr(fb *f, const char *s, size_t n) { put16(f, (uint16_t)n); put(f, s, n); }
static size_t open_block(fb *f, uint32_t type) { size_t at = f->n; put32(f, type); put32(f, 0); return at; }
static void close_block(fb *f, size_t at)
{
	while ((f->n - at) % 4)
		f->b[f->n++] = 0;
	uint32_t len = (uint32_t)(f->n - at + 4);
	memcpy(f->b + at + 4, &len, 4);
	put32(f, len);
}

static void shb(fb *f, int options)
{
	size_t at = open_block(f, 0x0A0D0D0A);
	put32(f, 0x1A2B3C4D);
	put16(f, 1);
	put16(f, 0);
	put64(f, (uint64_t)-1);
	if (options) { /* opt_comment "hi", opt_endofopt */
		put16(f, 1);
		put16(f, 2);
		put(f, "hi\0\0", 4);
		put32(f, 0);
	}
	close_block(f, at);
}

static void proc_entry(fb *f, int v)
{
	put64(f, 500);  /* tid */
	put64(f, 500);  /* pid */
	put64(f, 1);    /* ptid */
	lstr(f, "myprog", 6);
	lstr(f, "/usr/bin/myprog", 15);
	lstr(f, "-x\0file\0", 8);
	lstr(f, "/home/u", 7);
	put64(f, 1024); /* fdlimit */
	put32(f, 0);    /* flags */
	put32(f, 1000); /* uid */
	put32(f, 100);  /* gid */
	if (v >= 2) {
		put32(f, 1); put32(f, 2); put32(f, 3); put64(f, 4); put64(f, 5);
	}
	if (v >= 3)
		lstr(f, "HOME=/home/u\0", 13);
	if (v >= 4) {
		put64(f, 500); put64(f, 500);
		lstr(f, "cpuset=/\0", 9);
	}
}

/* EV (v1 header, no nparams): close enter of tid 500, fd 3 */
static void ev_close(fb *f, uint64_t ts)
{
	size_t at = open_block(f, 0x204);
	put16(f, 0);
	put64(f, ts);
	put64(f, 500);
	put32(f, 22 + 2 + 8);
	put16(f, 4);
	put16(f, 8);
	put64(f, 3);
	close_block(f, at);
}

static void notes(void *ud, const char *l) { (void)ud; (void)l; }

START_TEST(proclist_versions)
{
	static const uint32_t types[] = {0x202, 0x207, 0x209, 0x210};
	int v = _i + 1;
	fb f;
	memset(&f, 0, sizeof f);
	shb(&f, _i == 0);
	size_t at = open_block(&f, types[_i]);
	proc_entry(&f, v);
	close_block(&f, at);
	at = open_block(&f, 0x777); /* unknown */
	put32(&f, 12345);
	close_block(&f, at);
	ev_close(&f, 1000);

	char in[] = "/tmp/scap_blocks_XXXXXX", out[] = "/tmp/scap_blocks_out_XXXXXX";
	int fd = mkstemp(in), ofd = mkstemp(out);
	ck_assert_int_eq(write(fd, f.b, f.n), (ssize_t)f.n);
	lseek(fd, 0, SEEK_SET);
	kcap_writer *w;
	kcap_error err;
	ck_assert_int_eq(kcap_writer_open_fd(&w, ofd, 1, NULL, &err), 0);
	kcap_import_ctx c = {.w = w, .note = notes};
	kcap_scap_import *r;
	ck_assert_int_eq(kcap_scap_import_new(&r, &c), 0);
	ck_assert_int_eq(kcap_scap_import_fd(r, fd, "v.scap"), 0);
	ck_assert_int_eq(kcap_scap_import_finish(r), 0);
	const kcap_scap_stats *st = kcap_scap_import_stats(r);
	ck_assert_uint_eq(st->threads, 1);
	ck_assert_uint_eq(st->unknown_blocks, 1);
	ck_assert_uint_eq(st->options_blocks, _i == 0 ? 1 : 0);
	kcap_scap_import_free(r);
	ck_assert_int_eq(kcap_writer_close(w), 0);
	close(fd);
	unlink(in);

	kcap_reader *rd;
	ck_assert_int_eq(kcap_reader_open_path(&rd, out, &err), 0);
	const kcap_event *ev;
	ck_assert_int_eq(kcap_reader_next(rd, &ev), 1);
	ck_assert_str_eq(ev->def->name, "close");
	ck_assert_int_eq(ev->pid, 500);
	ck_assert_int_eq(ev->ppid, 1);
	ck_assert_uint_eq(ev->uid, 1000);
	ck_assert_uint_eq(ev->gid, 100);
	ck_assert_int_eq(ev->comm_len, 6);
	ck_assert(memcmp(ev->comm, "myprog", 6) == 0);
	ck_assert(ev->params[0].present && ev->params[0].i == 3);
	const kcap_snapshot *sn = kcap_reader_snapshot(rd);
	ck_assert_ptr_nonnull(sn);
	ck_assert_uint_eq(kcap_snapshot_count(sn), 1);
	const kcap_proc *p = kcap_snapshot_at(sn, 0);
	ck_assert_int_eq(p->pid, 500);
	ck_assert_int_eq(p->ppid, 1);
	ck_assert_str_eq(p->comm, "myprog");
	ck_assert_str_eq(p->exe, "/usr/bin/myprog");
	ck_assert_str_eq(p->cwd, "/home/u");
	ck_assert_uint_eq(p->cmdline_len, 16 + 8);
	ck_assert(memcmp(p->cmdline, "/usr/bin/myprog\0-x\0file\0", 24) == 0);
	ck_assert_int_eq(kcap_reader_next(rd, &ev), 0);
	kcap_reader_close(rd);
	unlink(out);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("scap_blocks");
	TCase *tc = tcase_create("blocks");
	tcase_add_loop_test(tc, proclist_versions, 0, 4);
	suite_add_tcase(s, tc);
	return kcap_check_run(s);
}
