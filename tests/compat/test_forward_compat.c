/* A capture from a future kcap 1.5 that carries block types this library
 * does not know: it must read, skip what it does not know, and keep the
 * blocks flagged COPY when rewriting. */
#include <check.h>
#include "check_run.h"
#include <stdlib.h>
#include <unistd.h>
#include "core/core.h"

static const uint8_t copy_payload[] = "future index v2 - keep me";
static const uint8_t drop_payload[] = "future cache - may drop";

/* Appends a framed block of the given type and flags to b. */
static void add_block(kcap_buf *b, uint16_t type, uint16_t flags, const uint8_t *p, uint32_t n)
{
	uint8_t h[20], t[4];
	memcpy(h, kcap_sync, 4);
	put_u16(h + 4, type);
	put_u16(h + 6, flags);
	put_u32(h + 8, n);
	put_u32(h + 12, kcap_crc32c(kcap_crc32c(0, h, 12), p, n));
	put_u32(h + 16, kcap_crc32c(0, h, 16));
	put_u32(t, 24 + n);
	kcap_buf_append(b, h, 20);
	kcap_buf_append(b, p, n);
	kcap_buf_append(b, t, 4);
}

/* The whole file at fd. */
static kcap_buf read_fd(int fd)
{
	kcap_buf b = {0};
	off_t n = lseek(fd, 0, SEEK_END);
	kcap_buf_reserve(&b, (size_t)n);
	ck_assert_int_eq(pread(fd, b.data, (size_t)n, 0), n);
	b.len = (size_t)n;
	return b;
}

/* A small capture written to memory through a pipe-like fd (a temp file). */
static kcap_buf make_capture(int nevents)
{
	char path[] = "/tmp/kcap-compat-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	kcap_writer *w;
	ck_assert_int_eq(kcap_writer_open_fd(&w, fd, 0, NULL, NULL), 0);
	kcap_schema *s = kcap_schema_new();
	kcap_param_def pd[] = {{"path", KCAP_T_PATH, 0, 0}};
	kcap_type_def td = {7, "open", "file", "", 1, pd};
	ck_assert_int_eq(kcap_schema_add_type(s, &td), 0);
	ck_assert_int_eq(kcap_writer_set_schema(w, s), 0);
	kcap_schema_free(s);
	kcap_value v = {0};
	v.type = KCAP_T_PATH;
	v.present = 1;
	v.p = (const uint8_t *)"/etc/hosts";
	v.len = 10;
	for (int i = 0; i < nevents; i++) {
		kcap_event ev = {0};
		ev.seq = (uint64_t)i + 1;
		ev.ts = 1000 + i;
		ev.pid = ev.tid = 100 + i;
		ev.type_id = 7;
		ev.nparams = 1;
		ev.params = &v;
		ck_assert_int_eq(kcap_writer_write(w, &ev), 0);
	}
	ck_assert_int_eq(kcap_writer_close(w), 0);
	kcap_buf b = read_fd(fd);
	close(fd);
	unlink(path);
	return b;
}

/* The capture with a minor version of 5 and two unknown blocks inserted
 * right after the section header. */
static kcap_buf make_future(void)
{
	kcap_buf cap = make_capture(10), out = {0};
	uint8_t hdr[16];
	memcpy(hdr, cap.data, 16);
	put_u16(hdr + 10, 5);
	put_u32(hdr + 12, kcap_section_check(hdr)); /* as a 1.5 writer writes it */
	kcap_buf_append(&out, hdr, 16);
	add_block(&out, 200, KCAP_BF_COPY, copy_payload, sizeof copy_payload);
	add_block(&out, 201, 0, drop_payload, sizeof drop_payload);
	kcap_buf_append(&out, cap.data + 16, cap.len - 16);
	kcap_buf_free(&cap);
	return out;
}

static int damage_calls;
static void on_damage(void *ud, const kcap_error *e, uint64_t skipped)
{
	(void)ud;
	(void)e;
	(void)skipped;
	damage_calls++;
}

START_TEST(newer_minor_reads_and_skips_unknown_blocks)
{
	kcap_buf f = make_future();
	kcap_reader *r;
	ck_assert_int_eq(kcap_reader_open_mem(&r, f.data, f.len, "future", NULL), 0);
	damage_calls = 0;
	kcap_reader_set_damage_cb(r, on_damage, NULL);
	const kcap_event *ev;
	int n = 0, rc;
	while ((rc = kcap_reader_next(r, &ev)) > 0) {
		ck_assert_uint_eq(ev->seq, (uint64_t)n + 1);
		ck_assert_int_eq(ev->pid, 100 + n);
		n++;
	}
	ck_assert_int_eq(rc, 0);
	ck_assert_int_eq(n, 10);
	uint16_t major, minor;
	kcap_reader_version(r, &major, &minor);
	ck_assert_int_eq(major, 1);
	ck_assert_int_eq(minor, 5);
	ck_assert_uint_eq(kcap_reader_get_stats(r)->unknown_blocks, 2);
	ck_assert_int_eq(damage_calls, 0);
	kcap_reader_close(r);
	kcap_buf_free(&f);
}
END_TEST

static int contains(const kcap_buf *b, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + n <= b->len; i++)
		if (!memcmp(b->data + i, p, n))
			return 1;
	return 0;
}

START_TEST(rewrite_keeps_copy_blocks_and_drops_the_others)
{
	kcap_buf f = make_future();
	kcap_reader *r;
	ck_assert_int_eq(kcap_reader_open_mem(&r, f.data, f.len, "future", NULL), 0);
	char path[] = "/tmp/kcap-compat-out-XXXXXX";
	int fd = mkstemp(path);
	kcap_writer *w;
	ck_assert_int_eq(kcap_writer_open_fd(&w, fd, 0, NULL, NULL), 0);
	const void *blk;
	size_t len;
	const kcap_block_summary *sum;
	int events_blocks = 0, copied_unknown = 0, first = 1;
	while (kcap_reader_next_raw_block(r, &blk, &len, &sum) > 0) {
		if (first) {
			ck_assert_int_ge(kcap_writer_set_schema(w, kcap_reader_schema(r)), 0);
			first = 0;
		}
		if (sum) {
			kcap_writer_set_schema(w, kcap_reader_schema(r));
			events_blocks++;
		} else {
			copied_unknown++;
		}
		ck_assert_int_eq(kcap_writer_copy_block(w, blk, len, sum), 0);
	}
	ck_assert_int_eq(kcap_writer_close(w), 0);
	ck_assert_int_eq(copied_unknown, 1);
	ck_assert_int_eq(events_blocks, 1);
	kcap_buf out = read_fd(fd);
	ck_assert(contains(&out, copy_payload, sizeof copy_payload));
	ck_assert(!contains(&out, drop_payload, sizeof drop_payload));
	/* and the rewritten file still reads, with the same events */
	kcap_reader *r2;
	ck_assert_int_eq(kcap_reader_open_mem(&r2, out.data, out.len, "out", NULL), 0);
	const kcap_event *ev;
	int cnt = 0;
	while (kcap_reader_next(r2, &ev) > 0)
		cnt++;
	ck_assert_int_eq(cnt, 10);
	ck_assert_uint_eq(kcap_reader_get_stats(r2)->unknown_blocks, 1);
	kcap_reader_close(r2);
	kcap_reader_close(r);
	close(fd);
	unlink(path);
	kcap_buf_free(&out);
	kcap_buf_free(&f);
}
END_TEST

/* An origin snapshot block (type 8) as stored: prefix, meta of meta_len
 * bytes (the origin, then what a later minor may append), stored body. */
static void add_origin_snapshot_block(kcap_buf *out, uint16_t origin, uint32_t meta_len, const char *exe)
{
	kcap_snapshot *s = kcap_snapshot_new();
	kcap_proc p = {100, 1, 0, 0, 0, "tool", exe, "/", exe, (uint32_t)strlen(exe) + 1};
	ck_assert_int_eq(kcap_snapshot_add(s, &p), 0);
	kcap_buf body = {0}, pl = {0};
	ck_assert_int_eq(kcap_snapshot_encode(s, &body), 0);
	uint8_t pre[8], meta[16] = {0};
	put_u32(pre, meta_len);
	put_u32(pre + 4, (uint32_t)body.len);
	put_u16(meta, origin);
	memset(meta + 2, 0xAB, sizeof meta - 2); /* future fields */
	kcap_buf_append(&pl, pre, 8);
	kcap_buf_append(&pl, meta, meta_len);
	kcap_buf_append(&pl, body.data, body.len);
	add_block(out, 8, KCAP_BF_COPY, (const uint8_t *)pl.data, (uint32_t)pl.len);
	kcap_buf_free(&body);
	kcap_buf_free(&pl);
	kcap_snapshot_free(s);
}

/* A 1.5 capture whose origin snapshot blocks carry a longer meta: the
 * origin is read, the rest ignored; a block too short to name its origin
 * is reported and skipped, and the events still read. */
START_TEST(origin_snapshot_meta_grows_in_later_minors)
{
	kcap_buf cap = make_capture(4), out = {0};
	uint8_t hdr[16];
	memcpy(hdr, cap.data, 16);
	put_u16(hdr + 10, 5);
	put_u32(hdr + 12, kcap_section_check(hdr)); /* as a 1.5 writer writes it */
	kcap_buf_append(&out, hdr, 16);
	add_origin_snapshot_block(&out, 0, 16, "/usr/bin/future");
	add_origin_snapshot_block(&out, 3, 2, "/usr/bin/three");
	add_origin_snapshot_block(&out, 1, 1, "/usr/bin/short");
	kcap_buf_append(&out, cap.data + 16, cap.len - 16);
	kcap_reader *r;
	ck_assert_int_eq(kcap_reader_open_mem(&r, out.data, out.len, "future", NULL), 0);
	damage_calls = 0;
	kcap_reader_set_damage_cb(r, on_damage, NULL);
	const kcap_event *ev;
	int n = 0;
	while (kcap_reader_next(r, &ev) > 0)
		n++;
	ck_assert_int_eq(n, 4);
	ck_assert_int_eq(damage_calls, 1);
	ck_assert_uint_eq(kcap_reader_get_stats(r)->unknown_blocks, 0);
	ck_assert_uint_eq(kcap_reader_origin_snapshot_count(r), 4);
	ck_assert_str_eq(kcap_snapshot_at(kcap_reader_origin_snapshot(r, 0), 0)->exe, "/usr/bin/future");
	ck_assert_ptr_null(kcap_reader_origin_snapshot(r, 1));
	ck_assert_str_eq(kcap_snapshot_at(kcap_reader_origin_snapshot(r, 3), 0)->exe, "/usr/bin/three");
	ck_assert_ptr_null(kcap_reader_snapshot(r));
	kcap_reader_close(r);
	kcap_buf_free(&out);
	kcap_buf_free(&cap);
}
END_TEST

/* Origin snapshot blocks are written with the COPY flag: a rewriting tool of
 * format 1.0, to which type 8 is unknown, keeps them (it reads them as a
 * reader of 1.0 does: an unknown block, skipped, never a snapshot of the
 * section). */
START_TEST(origin_snapshot_blocks_are_flagged_copy)
{
	char path[] = "/tmp/kcap-compat-osnap-XXXXXX";
	int fd = mkstemp(path);
	kcap_writer *w;
	ck_assert_int_eq(kcap_writer_open_fd(&w, fd, 0, NULL, NULL), 0);
	kcap_snapshot *s = kcap_snapshot_new();
	kcap_proc p = {7, 1, 0, 0, 0, "seven", "/bin/seven", "/", "seven", 6};
	ck_assert_int_eq(kcap_snapshot_add(s, &p), 0);
	ck_assert_int_eq(kcap_writer_add_origin_snapshot(w, 2, s), 0);
	kcap_snapshot_free(s);
	ck_assert_int_eq(kcap_writer_close(w), 0);
	kcap_buf f = read_fd(fd);
	close(fd);
	unlink(path);
	ck_assert_uint_eq(get_u16((const uint8_t *)f.data + 10), KCAP_FORMAT_MINOR);
	int found = 0;
	for (size_t off = 16; off + 24 <= f.len; off += 24 + get_u32((const uint8_t *)f.data + off + 8)) {
		const uint8_t *b = (const uint8_t *)f.data + off;
		if (get_u16(b + 4) != 8)
			continue;
		found++;
		ck_assert(get_u16(b + 6) & KCAP_BF_COPY);
		ck_assert_uint_eq(get_u32(b + 20), 2); /* meta_len */
		ck_assert_uint_eq(get_u16(b + 28), 2); /* origin */
	}
	ck_assert_int_eq(found, 1);
	kcap_buf_free(&f);
}
END_TEST

START_TEST(newer_major_is_refused_with_versions_named)
{
	kcap_buf f = make_capture(3);
	put_u16((uint8_t *)f.data + 8, 2);
	put_u16((uint8_t *)f.data + 10, 3);
	/* a newer major carries the header check (FORMAT.md "Section header") */
	put_u32((uint8_t *)f.data + 12, kcap_section_check((uint8_t *)f.data));
	kcap_reader *r = NULL;
	kcap_error e = {0};
	ck_assert_int_eq(kcap_reader_open_mem(&r, f.data, f.len, "v2", &e), KCAP_E_VERSION);
	ck_assert_ptr_null(r);
	ck_assert_ptr_nonnull(strstr(e.msg, "2.3"));
	ck_assert_int_eq(e.offset, 0);
	kcap_buf_free(&f);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("forward_compat");
	TCase *tc = tcase_create("compat");
	tcase_add_test(tc, newer_minor_reads_and_skips_unknown_blocks);
	tcase_add_test(tc, rewrite_keeps_copy_blocks_and_drops_the_others);
	tcase_add_test(tc, newer_major_is_refused_with_versions_named);
	tcase_add_test(tc, origin_snapshot_meta_grows_in_later_minors);
	tcase_add_test(tc, origin_snapshot_blocks_are_flagged_copy);
	suite_add_tcase(s, tc);
	return kcap_check_run(s);
}
