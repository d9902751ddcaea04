/* The reader's current events block must survive kcap_reader_load_index()
 * and schema/stats blocks read between events blocks; an event filter drops
 * events before their params are decoded without disturbing the rest. */
#include <check.h>
#include "check_run.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <kcap/kcap.h>

#define N 20000

/* Writes a capture with small blocks and stats updates between them. */
static char *make_capture(void)
{
	static char path[] = "/tmp/kcap-reader-state-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	kcap_writer_opts o = {0};
	o.block_size = 16384;
	kcap_writer *w;
	ck_assert_int_eq(kcap_writer_open_fd(&w, fd, 1, &o, NULL), 0);
	kcap_schema *s = kcap_schema_new();
	kcap_param_def pd[] = {{"path", KCAP_T_PATH, 0, 0}, {"ret", KCAP_T_RET, 0, 0}};
	kcap_type_def td = {3, "open", "file", "", 2, pd};
	ck_assert_int_eq(kcap_schema_add_type(s, &td), 0);
	ck_assert_int_eq(kcap_writer_set_schema(w, s), 0);
	char buf[64];
	kcap_value v[2] = {{0}, {0}};
	v[0].type = KCAP_T_PATH;
	v[1].type = KCAP_T_RET;
	v[0].present = v[1].present = 1;
	for (int i = 0; i < N; i++) {
		kcap_event ev = {0};
		ev.seq = (uint64_t)i;
		ev.ts = 1000000 + (int64_t)i * 1000;
		ev.pid = ev.tid = 100 + i % 50;
		ev.type_id = 3;
		ev.nparams = 2;
		ev.params = v;
		v[0].len = (uint32_t)snprintf(buf, sizeof buf, "/var/lib/file-%d", i);
		v[0].p = (const uint8_t *)buf;
		v[1].i = i;
		ck_assert_int_eq(kcap_writer_write(w, &ev), 0);
		if (i % 3000 == 0) {
			kcap_stat st = {0, 0, "ringbuf", (uint64_t)i, 0};
			ck_assert_int_eq(kcap_writer_set_stat(w, &st), 0);
		}
		if (i == N / 2) { /* a schema block in the middle (compressed body) */
			kcap_type_def t2 = {4, "close", "file", "a later type", 2, pd};
			kcap_schema_add_type(s, &t2);
			ck_assert_int_eq(kcap_writer_set_schema(w, s), 0);
		}
	}
	kcap_schema_free(s);
	ck_assert_int_eq(kcap_writer_close(w), 0);
	return path;
}

static void check_event(const kcap_event *ev, int i)
{
	char want[64];
	snprintf(want, sizeof want, "/var/lib/file-%d", i);
	ck_assert_uint_eq(ev->seq, (uint64_t)i);
	ck_assert_int_eq(ev->nparams, 2);
	ck_assert_int_eq((int)ev->params[0].len, (int)strlen(want));
	ck_assert(!memcmp(ev->params[0].p, want, ev->params[0].len));
	ck_assert_int_eq(ev->params[1].i, i);
}

START_TEST(index_load_mid_block_keeps_events)
{
	char *path = make_capture();
	kcap_reader *r;
	ck_assert_int_eq(kcap_reader_open_path(&r, path, NULL), 0);
	const kcap_event *ev;
	int i = 0;
	for (; i < 7; i++) { /* stop inside the first block */
		ck_assert_int_eq(kcap_reader_next(r, &ev), 1);
		check_event(ev, i);
	}
	ck_assert_int_gt(kcap_reader_load_index(r), 1);
	while (kcap_reader_next(r, &ev) > 0) {
		check_event(ev, i);
		i++;
		if (i == N / 3)
			kcap_reader_load_index(r); /* again, later: a no-op */
	}
	ck_assert_int_eq(i, N);
	ck_assert_uint_eq(kcap_reader_get_stats(r)->damaged, 0);
	ck_assert_uint_eq(kcap_reader_stat_count(r), 1);
	ck_assert_uint_eq(kcap_reader_stat_at(r, 0)->seen, 18000);
	kcap_reader_close(r);
	unlink(path);
}
END_TEST

START_TEST(seek_then_read_to_end)
{
	char *path = make_capture();
	kcap_reader *r;
	ck_assert_int_eq(kcap_reader_open_path(&r, path, NULL), 0);
	const kcap_event *ev;
	ck_assert_int_eq(kcap_reader_next(r, &ev), 1);
	int target = 12345;
	ck_assert_int_eq(kcap_reader_seek_time(r, 1000000 + (int64_t)target * 1000), 0);
	int i = target;
	while (kcap_reader_next(r, &ev) > 0)
		check_event(ev, i++);
	ck_assert_int_eq(i, N);
	ck_assert_ptr_nonnull(kcap_schema_type_by_name(kcap_reader_schema(r), "close"));
	ck_assert_uint_lt(kcap_reader_get_stats(r)->blocks_decoded, kcap_reader_index_count(r));
	kcap_reader_close(r);
	unlink(path);
}
END_TEST

/* Keeps the events whose pid is 100 modulo 7 == 0 from their canonical
 * fields alone; checks that no params are handed to it. */
typedef struct evf_ctx {
	int calls;
	int64_t last_ts;
} evf_ctx;

static int keep_some(void *ud, const kcap_event *head)
{
	evf_ctx *c = ud;
	ck_assert_ptr_null(head->params);
	ck_assert_uint_eq(head->nparams, 0);
	ck_assert_ptr_nonnull(head->def);
	ck_assert_int_gt(head->ts, c->last_ts); /* every event is seen once, in order */
	c->last_ts = head->ts;
	c->calls++;
	return (head->pid - 100) % 7 == 0;
}

START_TEST(event_filter_drops_before_decoding)
{
	char *path = make_capture();
	kcap_reader *r;
	ck_assert_int_eq(kcap_reader_open_path(&r, path, NULL), 0);
	evf_ctx c = {0, 0};
	kcap_reader_set_event_filter(r, keep_some, &c);
	const kcap_event *ev;
	int kept = 0;
	while (kcap_reader_next(r, &ev) > 0) {
		ck_assert_int_eq((ev->pid - 100) % 7, 0);
		check_event(ev, (int)ev->seq); /* params decoded as usual */
		kept++;
	}
	int want = 0;
	for (int i = 0; i < N; i++)
		want += (i % 50) % 7 == 0;
	ck_assert_int_eq(kept, want);
	ck_assert_int_eq(c.calls, N);
	ck_assert_uint_eq(kcap_reader_get_stats(r)->events, (uint64_t)want);
	ck_assert_uint_eq(kcap_reader_get_stats(r)->events_dropped, (uint64_t)(N - want));
	ck_assert_uint_eq(kcap_reader_get_stats(r)->unordered, 0);
	/* a seek: events before the target reach neither the filter nor the caller */
	c.calls = 0;
	c.last_ts = 0;
	int target = 15000;
	ck_assert_int_eq(kcap_reader_seek_time(r, 1000000 + (int64_t)target * 1000), 0);
	kept = 0;
	while (kcap_reader_next(r, &ev) > 0) {
		ck_assert_uint_ge(ev->seq, (uint64_t)target);
		kept++;
	}
	ck_assert_int_eq(c.calls, N - target);
	/* removed: every event again */
	kcap_reader_set_event_filter(r, NULL, NULL);
	ck_assert_int_eq(kcap_reader_seek_time(r, 1000000 + (int64_t)target * 1000), 0);
	kept = 0;
	while (kcap_reader_next(r, &ev) > 0)
		check_event(ev, target + kept++);
	ck_assert_int_eq(kept, N - target);
	kcap_reader_close(r);
	unlink(path);
}
END_TEST

/* Keeps only the block holding ts_keep. */
static int keep_block_of(void *ud, const kcap_block_summary *sum)
{
	int64_t t = *(const int64_t *)ud;
	return sum->first_ts <= t && t <= sum->last_ts;
}

START_TEST(index_skips_blocks_without_reading_them)
{
	char *path = make_capture();
	int64_t keep = 1000000 + (int64_t)7777 * 1000;
	uint64_t want_first = 0, want_n = 0, nblocks = 0;
	kcap_reader *r;
	/* reference: the same filter without an index */
	ck_assert_int_eq(kcap_reader_open_path(&r, path, NULL), 0);
	kcap_reader_set_block_filter(r, keep_block_of, &keep);
	const kcap_event *ev;
	while (kcap_reader_next(r, &ev) > 0) {
		if (!want_n)
			want_first = ev->seq;
		want_n++;
	}
	nblocks = kcap_reader_get_stats(r)->blocks;
	kcap_reader_close(r);
	ck_assert_uint_gt(want_n, 0);
	/* a byte flipped in the last events block: the index rules that block
	 * out, so it is never read (nor reported) */
	ck_assert_int_eq(kcap_reader_open_path(&r, path, NULL), 0);
	ck_assert_int_gt(kcap_reader_load_index(r), 2);
	const kcap_block_summary *last = kcap_reader_index_at(r, kcap_reader_index_count(r) - 1);
	int64_t flip_at = last->offset + last->stored_size / 2;
	kcap_reader_close(r);
	FILE *f = fopen(path, "r+b");
	ck_assert_ptr_nonnull(f);
	fseek(f, flip_at, SEEK_SET);
	int c = fgetc(f);
	fseek(f, flip_at, SEEK_SET);
	fputc(c ^ 0x55, f);
	fclose(f);
	ck_assert_int_eq(kcap_reader_open_path(&r, path, NULL), 0);
	kcap_reader_set_block_filter(r, keep_block_of, &keep);
	ck_assert_int_gt(kcap_reader_load_index(r), 2);
	uint64_t n = 0;
	while (kcap_reader_next(r, &ev) > 0) {
		ck_assert_uint_eq(ev->seq, want_first + n);
		check_event(ev, (int)ev->seq);
		n++;
	}
	const kcap_reader_stats *st = kcap_reader_get_stats(r);
	ck_assert_uint_eq(n, want_n);
	ck_assert_uint_eq(st->blocks, nblocks);
	ck_assert_uint_eq(st->blocks_decoded, 1);
	ck_assert_uint_eq(st->blocks_skipped, nblocks - 1);
	ck_assert_uint_eq(st->damaged, 0);
	kcap_reader_close(r);
	/* without the filter the flipped block is reported */
	ck_assert_int_eq(kcap_reader_open_path(&r, path, NULL), 0);
	while (kcap_reader_next(r, &ev) > 0)
		;
	ck_assert_uint_eq(kcap_reader_get_stats(r)->damaged, 1);
	kcap_reader_close(r);
	unlink(path);
}
END_TEST

int main(void)
{
	Suite *su = suite_create("reader_state");
	TCase *tc = tcase_create("reader_state");
	tcase_add_test(tc, index_load_mid_block_keeps_events);
	tcase_add_test(tc, seek_then_read_to_end);
	tcase_add_test(tc, event_filter_drops_before_decoding);
	tcase_add_test(tc, index_skips_blocks_without_reading_them);
	suite_add_tcase(su, tc);
	return kcap_check_run(su);
}
