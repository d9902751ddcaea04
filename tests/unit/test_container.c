/* Writer + reader: the .kcap container end to end (FORMAT.md). */
#include <check.h>
#include "check_run.h"
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include "core/core.h"
#include "testcap.h"

enum { IN_MEM, IN_FD, IN_PIPE, IN_PATH, IN_NMODES };
static const char *mode_name[] = {"mem", "fd", "pipe", "path"};

typedef struct opened {
	kcap_reader *r;
	int pipe;
	char path[64];
} opened;

/* Opens buf through one of the four input kinds. */
static int open_as(opened *o, int mode, const uint8_t *buf, size_t len, kcap_error *err)
{
	memset(o, 0, sizeof *o);
	if (mode == IN_MEM)
		return kcap_reader_open_mem(&o->r, buf, len, "mem.kcap", err);
	if (mode == IN_PIPE) {
		int fd = testcap_pipe_from_mem(buf, len);
		ck_assert_int_ge(fd, 0);
		o->pipe = 1;
		int rc = kcap_reader_open_fd(&o->r, fd, 1, "pipe", err);
		if (rc) {
			close(fd);
			testcap_pipe_join();
		}
		return rc;
	}
	int fd;
	if (mode == IN_PATH) {
		snprintf(o->path, sizeof o->path, "/tmp/kcap-unit-%d.kcap", (int)getpid());
		fd = open(o->path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	} else {
		fd = memfd_create("cap", 0);
	}
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, buf, len), (ssize_t)len);
	if (mode == IN_PATH) {
		close(fd);
		return kcap_reader_open_path(&o->r, o->path, err);
	}
	lseek(fd, 0, SEEK_SET);
	int rc = kcap_reader_open_fd(&o->r, fd, 1, "fd", err);
	if (rc)
		close(fd);
	return rc;
}

static void close_as(opened *o)
{
	kcap_reader_close(o->r);
	o->r = NULL;
	if (o->pipe)
		testcap_pipe_join();
	if (o->path[0])
		unlink(o->path);
}

/* Reads every event, checking each against its expected content. Stores
 * seqs (up to max) and returns the count. */
static size_t read_all(kcap_reader *r, uint64_t *seqs, size_t max, int check)
{
	const kcap_event *ev;
	size_t n = 0;
	int rc;
	char why[300];
	while ((rc = kcap_reader_next(r, &ev)) == 1) {
		if (check)
			ck_assert_msg(testcap_check_event(ev, why, sizeof why) == 0, "%s", why);
		if (n < max)
			seqs[n] = ev->seq;
		n++;
	}
	ck_assert_int_eq(rc, 0);
	return n;
}

static uint8_t *build(const testcap_opts *o, size_t *len)
{
	uint8_t *buf = NULL;
	ck_assert_int_eq(testcap_build(o, &buf, len), 0);
	return buf;
}

#define N_EVENTS 3000u

START_TEST(round_trip_every_input_kind)
{
	testcap_opts o = {.nevents = N_EVENTS, .block_size = 16384, .with_snapshot = 1, .with_stats = 1};
	size_t len;
	uint8_t *buf = build(&o, &len);
	uint64_t *seqs = malloc(N_EVENTS * sizeof *seqs);
	for (int mode = 0; mode < IN_NMODES; mode++) {
		opened op;
		kcap_error err;
		ck_assert_msg(open_as(&op, mode, buf, len, &err) == 0, "%s: %s", mode_name[mode], err.msg);
		kcap_reader *r = op.r;
		ck_assert_uint_eq(read_all(r, seqs, N_EVENTS, 1), N_EVENTS);
		for (uint32_t i = 0; i < N_EVENTS; i++)
			ck_assert_uint_eq(seqs[i], i + 1);
		const kcap_reader_stats *st = kcap_reader_get_stats(r);
		ck_assert_uint_eq(st->events, N_EVENTS);
		ck_assert_uint_gt(st->blocks, 5);
		ck_assert_uint_eq(st->blocks_decoded, st->blocks);
		ck_assert_uint_eq(st->blocks_skipped, 0);
		ck_assert_uint_eq(st->bytes, len);
		ck_assert_uint_eq(st->damaged, 0);
		ck_assert_uint_eq(st->damaged_bytes, 0);
		ck_assert_uint_eq(st->unordered, 0);
		ck_assert_uint_eq(st->unknown_blocks, 0);
		ck_assert_uint_eq(st->sections, 1);
		ck_assert_uint_eq(st->indexed, 1);
		ck_assert_uint_eq(st->has_footer, 1);
		uint16_t maj = 0, min = 9;
		kcap_reader_version(r, &maj, &min);
		ck_assert_uint_eq(maj, KCAP_FORMAT_MAJOR);
		ck_assert_uint_eq(min, KCAP_FORMAT_MINOR);
		ck_assert_uint_eq(kcap_reader_origin_count(r), 2);
		ck_assert_str_eq(kcap_meta_get(kcap_reader_meta(r, 0), KCAP_META_HOSTNAME), "host1-0");
		ck_assert_str_eq(kcap_meta_get(kcap_reader_meta(r, 1), "tag"), "second");
		ck_assert_ptr_null(kcap_reader_meta(r, 2));
		const kcap_schema *s = kcap_reader_schema(r);
		ck_assert_ptr_nonnull(kcap_schema_type(s, TC_ALL));
		ck_assert_uint_eq(kcap_schema_type(s, TC_ALL)->nparams, KCAP_T_MAX_);
		ck_assert_str_eq(kcap_schema_symset(s, TC_SYMSET_OPEN)->syms[4].name, "O_CLOEXEC");
		const kcap_snapshot *sn = kcap_reader_snapshot(r);
		ck_assert_uint_eq(kcap_snapshot_count(sn), 40);
		ck_assert_str_eq(kcap_snapshot_at(sn, 39)->exe, "/usr/bin/p39");
		ck_assert_int_eq(kcap_snapshot_at(sn, 39)->start_ts, TESTCAP_T0 - 39);
		ck_assert_uint_eq(kcap_reader_section(r), 0);
		ck_assert_str_eq(kcap_reader_name(r), mode == IN_MEM ? "mem.kcap" : mode == IN_PATH ? op.path : mode_name[mode]);
		close_as(&op);
	}
	free(seqs);
	free(buf);
}
END_TEST

START_TEST(stats_latest_value_wins)
{
	testcap_opts o = {.nevents = 1000, .block_size = 4096, .with_stats = 1};
	size_t len;
	uint8_t *buf = build(&o, &len);
	kcap_reader *r;
	kcap_error err;
	ck_assert_int_eq(kcap_reader_open_mem(&r, buf, len, NULL, &err), 0);
	uint64_t seqs[1];
	read_all(r, seqs, 0, 0);
	ck_assert_uint_eq(kcap_reader_stat_count(r), 2);
	int seen = 0;
	for (size_t i = 0; i < kcap_reader_stat_count(r); i++) {
		const kcap_stat *s = kcap_reader_stat_at(r, i);
		if (!strcmp(s->source, "ringbuf")) {
			ck_assert_uint_eq(s->origin, 0);
			ck_assert_uint_eq(s->cpu, 1);
			ck_assert_uint_eq(s->seen, 1001 + 100);
			ck_assert_uint_eq(s->lost, 7);
			seen |= 1;
		} else {
			ck_assert_str_eq(s->source, "audit-kernel");
			ck_assert_uint_eq(s->origin, 1);
			ck_assert_uint_eq(s->cpu, UINT32_MAX);
			ck_assert_uint_eq(s->seen, 502 * 2);
			ck_assert_uint_eq(s->lost, 0);
			seen |= 2;
		}
	}
	ck_assert_int_eq(seen, 3);
	ck_assert_ptr_null(kcap_reader_stat_at(r, 2));
	ck_assert_str_eq(kcap_reader_name(r), "-");
	kcap_reader_close(r);
	free(buf);
}
END_TEST

START_TEST(codec_none_and_default_block_size)
{
	testcap_opts o = {.nevents = 2000, .block_size = 8192, .codec_none = 1};
	size_t len, len2;
	uint8_t *buf = build(&o, &len);
	testcap_opts o2 = {.nevents = 2000};
	uint8_t *buf2 = build(&o2, &len2);
	ck_assert_uint_lt(len2 * 2, len); /* zstd at least halves this data */
	const uint8_t *bufs[2] = {buf, buf2};
	size_t lens[2] = {len, len2};
	for (int k = 0; k < 2; k++) {
		kcap_reader *r;
		kcap_error err;
		ck_assert_int_eq(kcap_reader_open_mem(&r, bufs[k], lens[k], NULL, &err), 0);
		uint64_t *seqs = malloc(2000 * sizeof *seqs);
		ck_assert_uint_eq(read_all(r, seqs, 2000, 1), 2000);
		ck_assert_uint_eq(seqs[1999], 2000);
		if (k)
			ck_assert_uint_eq(kcap_reader_get_stats(r)->blocks, 1); /* 2000 events fit in the default 1 MiB */
		ck_assert_int_eq(kcap_reader_load_index(r), (int)kcap_reader_get_stats(r)->blocks);
		for (size_t i = 0; i < kcap_reader_index_count(r); i++)
			ck_assert_uint_eq(kcap_reader_index_at(r, i)->codec, k ? KCAP_CODEC_ZSTD : KCAP_CODEC_NONE);
		free(seqs);
		kcap_reader_close(r);
	}
	free(buf);
	free(buf2);
}
END_TEST

START_TEST(index_matches_blocks)
{
	testcap_opts o = {.nevents = N_EVENTS, .block_size = 8192};
	size_t len;
	uint8_t *buf = build(&o, &len);
	testcap_part parts[512];
	int np = testcap_walk(buf, len, parts, 512);
	ck_assert_int_gt(np, 10);
	kcap_reader *r;
	kcap_error err;
	ck_assert_int_eq(kcap_reader_open_mem(&r, buf, len, NULL, &err), 0);
	int n = kcap_reader_load_index(r);
	int nblocks = 0;
	for (int i = 0; i < np; i++) {
		if (parts[i].type != KCAP_BLK_EVENTS)
			continue;
		const kcap_block_summary *s = kcap_reader_index_at(r, (size_t)nblocks++);
		ck_assert_ptr_nonnull(s);
		ck_assert_int_eq(s->offset, (int64_t)parts[i].off);
		ck_assert_uint_eq(s->stored_size, parts[i].len);
		ck_assert_uint_eq(s->count, parts[i].count);
		ck_assert_uint_eq(s->first_seq, parts[i].first_seq);
		ck_assert_uint_eq(s->last_seq, parts[i].last_seq);
		ck_assert_uint_eq(s->last_seq - s->first_seq + 1, s->count);
		ck_assert_int_eq(s->first_ts, TESTCAP_T0 + (int64_t)s->first_seq * TESTCAP_STEP);
		ck_assert_int_eq(s->last_ts, TESTCAP_T0 + (int64_t)s->last_seq * TESTCAP_STEP);
		ck_assert_uint_eq(s->ordered, 1);
		ck_assert_uint_gt(s->raw_size, s->stored_size);
		ck_assert_uint_gt(s->bloom_bits, 0);
		/* every pid of the block passes the Bloom filter; types are exact */
		for (uint64_t q = s->first_seq; q <= s->last_seq; q++) {
			testcap_event t;
			testcap_make_event(&t, q);
			ck_assert(kcap_summary_may_have_pid(s, t.ev.pid));
			ck_assert(kcap_summary_may_have_type(s, t.ev.type_id));
		}
		ck_assert_int_eq(kcap_summary_may_have_type(s, 77), 0);
		ck_assert_int_eq(kcap_summary_may_have_pid(s, 999999), 0); /* outside [pid_min, pid_max] */
		ck_assert_int_eq(kcap_summary_may_have_type(s, TC_BIG), s->types_overflow);
	}
	ck_assert_int_eq(n, nblocks);
	ck_assert_uint_eq(kcap_reader_index_count(r), (size_t)nblocks);
	ck_assert_ptr_null(kcap_reader_index_at(r, (size_t)nblocks));
	kcap_reader_close(r);
	free(buf);
}
END_TEST

/* Seeks to each target time and checks the first event delivered. */
static void check_seeks(const uint8_t *buf, size_t len, int mode, uint64_t first, uint64_t last, int expect_skips)
{
	uint64_t total_blocks = 0;
	for (int i = 0, np = 0; i < 1; i++) {
		testcap_part parts[1024];
		np = testcap_walk(buf, len, parts, 1024);
		for (int k = 0; k < np; k++)
			total_blocks += parts[k].type == KCAP_BLK_EVENTS;
	}
	const int64_t targets[] = {
		INT64_MIN, TESTCAP_T0, TESTCAP_T0 + (int64_t)first * TESTCAP_STEP,
		TESTCAP_T0 + (int64_t)(first + 1) * TESTCAP_STEP - 1, TESTCAP_T0 + (int64_t)(first + last) / 2 * TESTCAP_STEP,
		TESTCAP_T0 + (int64_t)(last - 1) * TESTCAP_STEP + 1, TESTCAP_T0 + (int64_t)last * TESTCAP_STEP,
		TESTCAP_T0 + (int64_t)last * TESTCAP_STEP + 1, INT64_MAX,
	};
	for (size_t k = 0; k < sizeof targets / sizeof targets[0]; k++) {
		int64_t ts = targets[k];
		uint64_t want;
		if (ts <= TESTCAP_T0 + (int64_t)first * TESTCAP_STEP)
			want = first;
		else if (ts > TESTCAP_T0 + (int64_t)last * TESTCAP_STEP)
			want = 0; /* nothing */
		else
			want = (uint64_t)((ts - TESTCAP_T0 + TESTCAP_STEP - 1) / TESTCAP_STEP);
		opened op;
		kcap_error err;
		ck_assert_int_eq(open_as(&op, mode, buf, len, &err), 0);
		ck_assert_int_eq(kcap_reader_seek_time(op.r, ts), 0);
		const kcap_event *ev;
		int rc = kcap_reader_next(op.r, &ev);
		char why[300];
		if (!want) {
			ck_assert_int_eq(rc, 0);
		} else {
			ck_assert_int_eq(rc, 1);
			ck_assert_msg(ev->seq == want, "%s: seek to %lld gave seq %llu, want %llu", mode_name[mode],
				      (long long)ts, (unsigned long long)ev->seq, (unsigned long long)want);
			ck_assert_msg(testcap_check_event(ev, why, sizeof why) == 0, "%s", why);
			/* metadata of the event's origin is in place after the jump */
			ck_assert_ptr_nonnull(ev->meta);
			ck_assert_ptr_nonnull(ev->def);
			uint64_t next = want + 1;
			while ((rc = kcap_reader_next(op.r, &ev)) == 1)
				ck_assert_uint_eq(ev->seq, next++);
			ck_assert_int_eq(rc, 0);
			ck_assert_uint_eq(next, last + 1);
			/* the blocks before the target are jumped over (index) or skipped by their headers */
			const kcap_reader_stats *st = kcap_reader_get_stats(op.r);
			if (expect_skips && want > first + 1000)
				ck_assert_msg(st->blocks_decoded < total_blocks * 3 / 4, "%s: seek to seq %llu decoded %llu of %llu blocks",
					      mode_name[mode], (unsigned long long)want, (unsigned long long)st->blocks_decoded,
					      (unsigned long long)total_blocks);
		}
		ck_assert_uint_eq(kcap_reader_get_stats(op.r)->damaged, 0);
		close_as(&op);
	}
}

START_TEST(seek_time_indexed_and_forward)
{
	testcap_opts o = {.nevents = N_EVENTS, .block_size = 8192};
	size_t len;
	uint8_t *buf = build(&o, &len);
	for (int mode = 0; mode < IN_NMODES; mode++)
		check_seeks(buf, len, mode, 1, N_EVENTS, 1);
	/* through the index, the blocks before the target are never read */
	kcap_reader *r;
	kcap_error err;
	ck_assert_int_eq(kcap_reader_open_mem(&r, buf, len, NULL, &err), 0);
	ck_assert_int_eq(kcap_reader_seek_time(r, TESTCAP_T0 + 2900 * TESTCAP_STEP), 0);
	const kcap_event *ev;
	ck_assert_int_eq(kcap_reader_next(r, &ev), 1);
	ck_assert_uint_eq(ev->seq, 2900);
	ck_assert_uint_lt(kcap_reader_get_stats(r)->blocks, 5);
	/* seeking backwards works too */
	ck_assert_int_eq(kcap_reader_seek_time(r, TESTCAP_T0 + 10 * TESTCAP_STEP), 0);
	ck_assert_int_eq(kcap_reader_next(r, &ev), 1);
	ck_assert_uint_eq(ev->seq, 10);
	kcap_reader_close(r);
	/* without the index (a crashed writer), seek reads forward */
	testcap_opts oc = o;
	oc.no_close = 1;
	uint8_t *cbuf = build(&oc, &len);
	for (int mode = 0; mode < IN_NMODES; mode++)
		check_seeks(cbuf, len, mode, 1, N_EVENTS, 0);
	ck_assert_int_eq(kcap_reader_open_mem(&r, cbuf, len, NULL, &err), 0);
	ck_assert_int_eq(kcap_reader_seek_time(r, TESTCAP_T0 + 2900 * TESTCAP_STEP), 0);
	ck_assert_int_eq(kcap_reader_next(r, &ev), 1);
	ck_assert_uint_eq(ev->seq, 2900);
	ck_assert_uint_gt(kcap_reader_get_stats(r)->blocks_skipped, 3); /* whole blocks skipped by header */
	kcap_reader_close(r);
	free(cbuf);
	free(buf);
}
END_TEST

START_TEST(sections_concatenated_bytewise)
{
	testcap_opts a = {.nevents = 1500, .block_size = 8192, .with_stats = 1};
	testcap_opts b = {.nevents = 1500, .block_size = 8192, .first_seq = 1501, .with_snapshot = 1};
	size_t la, lb;
	uint8_t *ba = build(&a, &la), *bb = build(&b, &lb);
	uint8_t *cat = malloc(la + lb);
	memcpy(cat, ba, la);
	memcpy(cat + la, bb, lb);
	for (int mode = 0; mode < IN_NMODES; mode++) {
		opened op;
		kcap_error err;
		ck_assert_int_eq(open_as(&op, mode, cat, la + lb, &err), 0);
		const kcap_event *ev;
		uint64_t want = 1;
		int rc;
		char why[300];
		while ((rc = kcap_reader_next(op.r, &ev)) == 1) {
			ck_assert_uint_eq(ev->seq, want);
			ck_assert_msg(testcap_check_event(ev, why, sizeof why) == 0, "%s", why);
			/* each section brings its own metadata */
			ck_assert_uint_eq(kcap_reader_section(op.r), want <= 1500 ? 0 : 1);
			ck_assert_str_eq(kcap_meta_get(ev->meta, KCAP_META_HOSTNAME),
					 want <= 1500 ? (ev->origin ? "host1-1" : "host1-0") : (ev->origin ? "host1501-1" : "host1501-0"));
			want++;
		}
		ck_assert_int_eq(rc, 0);
		ck_assert_uint_eq(want, 3001);
		const kcap_reader_stats *st = kcap_reader_get_stats(op.r);
		ck_assert_uint_eq(st->sections, 2);
		ck_assert_uint_eq(st->indexed, 1);
		ck_assert_uint_eq(st->damaged, 0);
		ck_assert_uint_eq(st->unordered, 0);
		ck_assert_uint_eq(kcap_snapshot_count(kcap_reader_snapshot(op.r)), 40);
		if (mode != IN_PIPE) {
			ck_assert_int_gt(kcap_reader_load_index(op.r), 0);
			ck_assert_uint_eq(kcap_reader_index_count(op.r), st->blocks);
			ck_assert_uint_eq(kcap_reader_index_at(op.r, 0)->first_seq, 1);
			const kcap_block_summary *last = kcap_reader_index_at(op.r, st->blocks - 1);
			ck_assert_uint_eq(last->last_seq, 3000);
			ck_assert_int_gt(last->offset, (int64_t)la);
		}
		close_as(&op);
		check_seeks(cat, la + lb, mode, 1, 3000, 0);
	}
	/* a seek into the second section sees that section's metadata */
	kcap_reader *r;
	kcap_error err;
	ck_assert_int_eq(kcap_reader_open_mem(&r, cat, la + lb, NULL, &err), 0);
	ck_assert_int_eq(kcap_reader_seek_time(r, TESTCAP_T0 + 2500 * TESTCAP_STEP), 0);
	const kcap_event *ev;
	ck_assert_int_eq(kcap_reader_next(r, &ev), 1);
	ck_assert_uint_eq(ev->seq, 2500);
	ck_assert_uint_eq(kcap_reader_section(r), 1);
	ck_assert_str_eq(kcap_meta_get(ev->meta, KCAP_META_HOSTNAME), "host1501-0");
	kcap_reader_close(r);
	/* the writer's own sections read the same way */
	testcap_opts w2 = {.nevents = 1500, .block_size = 8192, .sections = 2};
	size_t l2;
	uint8_t *b2 = build(&w2, &l2);
	ck_assert_int_eq(kcap_reader_open_mem(&r, b2, l2, NULL, &err), 0);
	uint64_t *seqs = malloc(3000 * sizeof *seqs);
	ck_assert_uint_eq(read_all(r, seqs, 3000, 1), 3000);
	ck_assert_uint_eq(kcap_reader_get_stats(r)->sections, 2);
	ck_assert_uint_eq(kcap_reader_section(r), 1);
	ck_assert_str_eq(kcap_meta_get(kcap_reader_meta(r, 0), KCAP_META_HOSTNAME), "host1501-0");
	kcap_reader_close(r);
	free(seqs);
	free(b2);
	free(cat);
	free(ba);
	free(bb);
}
END_TEST

typedef struct filt {
	int by_pid;
	uint32_t type;
	int calls;
} filt;

static int block_filter(void *ud, const kcap_block_summary *s)
{
	filt *f = ud;
	f->calls++;
	ck_assert_uint_gt(s->count, 0);
	ck_assert_int_ge(s->offset, KCAP_SECTION_HDR_LEN);
	return f->by_pid ? kcap_summary_may_have_pid(s, 42) : kcap_summary_may_have_type(s, f->type);
}

START_TEST(block_filter_skips_with_bloom_and_type_set)
{
	testcap_opts o = {.nevents = N_EVENTS, .block_size = 4096};
	size_t len;
	uint8_t *buf = build(&o, &len);
	/* what a full read sees */
	size_t want42 = 0;
	for (uint64_t q = 1; q <= N_EVENTS; q++) {
		testcap_event t;
		testcap_make_event(&t, q);
		want42 += t.ev.pid == 42;
	}
	ck_assert_uint_eq(want42, 10);
	for (int mode = 0; mode < IN_NMODES; mode++) {
		opened op;
		kcap_error err;
		ck_assert_int_eq(open_as(&op, mode, buf, len, &err), 0);
		filt f = {1, 0, 0};
		kcap_reader_set_block_filter(op.r, block_filter, &f);
		const kcap_event *ev;
		size_t got42 = 0;
		while (kcap_reader_next(op.r, &ev) == 1)
			got42 += ev->pid == 42;
		const kcap_reader_stats *st = kcap_reader_get_stats(op.r);
		ck_assert_uint_eq(got42, want42);
		ck_assert_int_eq(f.calls, (int)st->blocks);
		ck_assert_uint_gt(st->blocks, 20);
		ck_assert_uint_le(st->blocks_decoded, 4); /* pid 42 lives in a narrow window */
		ck_assert_uint_eq(st->blocks_skipped + st->blocks_decoded, st->blocks);
		close_as(&op);
	}
	/* type set: TC_EXEC is everywhere, an unused id nowhere, id 300 via the overflow bit */
	const uint32_t types[] = {TC_EXEC, 77, TC_BIG};
	for (int k = 0; k < 3; k++) {
		kcap_reader *r;
		kcap_error err;
		ck_assert_int_eq(kcap_reader_open_mem(&r, buf, len, NULL, &err), 0);
		filt f = {0, types[k], 0};
		kcap_reader_set_block_filter(r, block_filter, &f);
		const kcap_event *ev;
		size_t n = 0;
		while (kcap_reader_next(r, &ev) == 1)
			n += ev->type_id == types[k];
		const kcap_reader_stats *st = kcap_reader_get_stats(r);
		ck_assert_uint_eq(n, types[k] == TC_EXEC ? 600 : types[k] == TC_BIG ? 300 : 0);
		ck_assert_uint_eq(st->blocks_decoded, types[k] == 77 ? 0 : st->blocks);
		kcap_reader_close(r);
	}
	free(buf);
}
END_TEST

START_TEST(unordered_events_are_flagged)
{
	int fd = memfd_create("u", 0);
	kcap_writer *w;
	kcap_error err;
	kcap_writer_opts wo = {.block_size = 2048};
	ck_assert_int_eq(kcap_writer_open_fd(&w, fd, 0, &wo, &err), 0);
	kcap_meta *m = kcap_meta_new();
	kcap_meta_set(m, "hostname", "h");
	ck_assert_int_eq(kcap_writer_add_meta(w, m), 0);
	ck_assert_int_eq(kcap_writer_add_meta(w, m), 1);
	kcap_meta_free(m);
	kcap_schema *s = testcap_schema();
	ck_assert_int_eq(kcap_writer_set_schema(w, s), 0);
	kcap_schema_free(s);
	/* seqs 1..500 in order, then 250 again (a late event), then 501.. */
	testcap_event t;
	uint64_t order[600];
	size_t n = 0;
	for (uint64_t q = 1; q <= 500; q++)
		order[n++] = q;
	order[n++] = 250;
	for (uint64_t q = 501; q <= 598; q++)
		order[n++] = q;
	for (size_t i = 0; i < n; i++) {
		testcap_make_event(&t, order[i]);
		ck_assert_int_eq(kcap_writer_write(w, &t.ev), 0);
	}
	ck_assert_uint_eq(kcap_writer_events(w), n);
	ck_assert_int_eq(kcap_writer_close(w), 0);
	uint8_t *buf;
	size_t len;
	ck_assert_int_eq(testcap_slurp_fd(fd, &buf, &len), 0);
	close(fd);
	kcap_reader *r;
	ck_assert_int_eq(kcap_reader_open_mem(&r, buf, len, NULL, &err), 0);
	uint64_t seqs[600];
	ck_assert_uint_eq(read_all(r, seqs, 600, 1), n);
	ck_assert_int_eq(memcmp(seqs, order, n * sizeof *seqs), 0); /* file order is kept */
	ck_assert_uint_eq(kcap_reader_get_stats(r)->unordered, 1);
	int unordered_blocks = 0;
	ck_assert_int_gt(kcap_reader_load_index(r), 1);
	for (size_t i = 0; i < kcap_reader_index_count(r); i++) {
		const kcap_block_summary *b = kcap_reader_index_at(r, i);
		unordered_blocks += !b->ordered;
		ck_assert_int_le(b->first_ts, b->last_ts);
		if (!b->ordered) /* min/max cover the late event */
			ck_assert_uint_le(b->first_seq, 250);
	}
	ck_assert_int_eq(unordered_blocks, 1);
	/* the footer's ordered flag is clear */
	const uint8_t *f = buf + len - KCAP_FOOTER_BLOCK_LEN + KCAP_BLOCK_HDR_LEN + KCAP_PAYLOAD_PREFIX_LEN;
	ck_assert_uint_eq(get_u32(f + 44) & KCAP_FOOTER_ORDERED, 0);
	ck_assert_uint_eq(get_u64(f + 16), n);
	/* seeking an unordered file still finds the first event at or after ts */
	ck_assert_int_eq(kcap_reader_seek_time(r, TESTCAP_T0 + 400 * TESTCAP_STEP), 0);
	const kcap_event *ev;
	ck_assert_int_eq(kcap_reader_next(r, &ev), 1);
	ck_assert_uint_eq(ev->seq, 400);
	kcap_reader_close(r);
	free(buf);
}
END_TEST

START_TEST(one_mib_argv_event)
{
	const size_t big = 1u << 20;
	char *argv = malloc(big);
	for (size_t i = 0; i < big; i++)
		argv[i] = (i % 100 == 99) ? 0 : (char)('a' + i % 26);
	argv[big - 1] = 0;
	int fd = memfd_create("big", 0);
	kcap_writer *w;
	kcap_error err;
	kcap_writer_opts wo = {.block_size = 65536};
	ck_assert_int_eq(kcap_writer_open_fd(&w, fd, 0, &wo, &err), 0);
	kcap_schema *s = testcap_schema();
	ck_assert_int_eq(kcap_writer_set_schema(w, s), 0);
	kcap_schema_free(s);
	testcap_event t;
	for (uint64_t q = 1; q <= 5; q++) {
		testcap_make_event(&t, q);
		if (q == 3) { /* TC_EXEC */
			t.vals[0].p = (const uint8_t *)argv;
			t.vals[0].len = (uint32_t)big;
			t.vals[0].count = (uint32_t)(big / 100);
		}
		t.ev.origin = 0;
		ck_assert_int_eq(kcap_writer_write(w, &t.ev), 0);
	}
	ck_assert_int_eq(kcap_writer_close(w), 0);
	uint8_t *buf;
	size_t len;
	ck_assert_int_eq(testcap_slurp_fd(fd, &buf, &len), 0);
	close(fd);
	for (int mode = 0; mode < IN_NMODES; mode++) {
		opened op;
		ck_assert_int_eq(open_as(&op, mode, buf, len, &err), 0);
		const kcap_event *ev;
		uint64_t q = 1;
		while (kcap_reader_next(op.r, &ev) == 1) {
			ck_assert_uint_eq(ev->seq, q);
			if (q == 3) {
				ck_assert_uint_eq(ev->params[0].len, big);
				ck_assert_uint_eq(ev->params[0].count, big / 100);
				ck_assert_int_eq(memcmp(ev->params[0].p, argv, big), 0);
			}
			q++;
		}
		ck_assert_uint_eq(q, 6);
		ck_assert_uint_eq(kcap_reader_get_stats(op.r)->damaged, 0);
		close_as(&op);
	}
	free(buf);
	free(argv);
}
END_TEST

typedef struct sink {
	int fd;
	uint8_t *buf;
	size_t len;
} sink;

static void *drain(void *arg)
{
	sink *s = arg;
	size_t cap = 1 << 16;
	s->buf = malloc(cap);
	for (;;) {
		if (s->len == cap)
			s->buf = realloc(s->buf, cap *= 2);
		ssize_t k = read(s->fd, s->buf + s->len, cap - s->len);
		if (k <= 0)
			break;
		s->len += (size_t)k;
	}
	return NULL;
}

START_TEST(writer_on_pipe_never_seeks)
{
	int p[2];
	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(lseek(p[1], 0, SEEK_CUR), -1); /* a seek would fail here */
	ck_assert_int_eq(errno, ESPIPE);
	sink s = {p[0], NULL, 0};
	pthread_t th;
	ck_assert_int_eq(pthread_create(&th, NULL, drain, &s), 0);
	testcap_opts o = {.nevents = 2000, .block_size = 8192, .with_stats = 1, .with_snapshot = 1};
	uint64_t before = 0;
	ck_assert_int_eq(testcap_write_fd(p[1], &o, &before), 0);
	close(p[1]);
	pthread_join(th, NULL);
	close(p[0]);
	size_t len;
	uint8_t *file = build(&o, &len);
	ck_assert_uint_eq(s.len, len);
	ck_assert_int_eq(memcmp(s.buf, file, len), 0); /* the same bytes, index and footer included */
	kcap_reader *r;
	kcap_error err;
	ck_assert_int_eq(kcap_reader_open_mem(&r, s.buf, s.len, NULL, &err), 0);
	ck_assert_int_gt(kcap_reader_load_index(r), 0);
	uint64_t seqs[1];
	ck_assert_uint_eq(read_all(r, seqs, 0, 1), 2000);
	ck_assert_uint_eq(kcap_reader_get_stats(r)->has_footer, 1);
	kcap_reader_close(r);
	free(file);
	free(s.buf);
}
END_TEST

START_TEST(crashed_writer_without_footer)
{
	testcap_opts o = {.nevents = N_EVENTS, .block_size = 8192, .with_stats = 1, .no_close = 1};
	size_t len;
	uint8_t *buf = build(&o, &len);
	testcap_part parts[512];
	int np = testcap_walk(buf, len, parts, 512);
	ck_assert_int_gt(np, 5);
	for (int i = 0; i < np; i++) {
		ck_assert_int_ne(parts[i].type, KCAP_BLK_INDEX);
		ck_assert_int_ne(parts[i].type, KCAP_BLK_FOOTER);
	}
	uint64_t *seqs = malloc(N_EVENTS * sizeof *seqs);
	for (int mode = 0; mode < IN_NMODES; mode++) {
		opened op;
		kcap_error err;
		ck_assert_int_eq(open_as(&op, mode, buf, len, &err), 0);
		ck_assert_uint_eq(read_all(op.r, seqs, N_EVENTS, 1), N_EVENTS);
		ck_assert_uint_eq(seqs[N_EVENTS - 1], N_EVENTS);
		const kcap_reader_stats *st = kcap_reader_get_stats(op.r);
		ck_assert_uint_eq(st->damaged, 0);
		ck_assert_uint_eq(st->has_footer, 0);
		ck_assert_uint_eq(st->indexed, 0);
		ck_assert_uint_eq(kcap_reader_stat_count(op.r), 2);
		ck_assert_int_eq(kcap_reader_load_index(op.r), 0);
		close_as(&op);
	}
	free(seqs);
	free(buf);
}
END_TEST

/* Rewrites the version of the section header at off and returns a copy. */
static uint8_t *with_version(const uint8_t *buf, size_t len, size_t off, uint16_t major, uint16_t minor)
{
	uint8_t *c = malloc(len);
	memcpy(c, buf, len);
	put_u16(c + off + 8, major);
	put_u16(c + off + 10, minor);
	put_u32(c + off + 12, kcap_section_check(c + off)); /* as that version's writer writes it */
	return c;
}

START_TEST(version_checks)
{
	testcap_opts o = {.nevents = 500, .block_size = 4096};
	size_t len;
	uint8_t *buf = build(&o, &len);
	/* higher major: rejected at open, from every input kind */
	uint8_t *maj = with_version(buf, len, 0, KCAP_FORMAT_MAJOR + 1, 0);
	for (int mode = 0; mode < IN_NMODES; mode++) {
		opened op;
		kcap_error err = {0};
		ck_assert_int_eq(open_as(&op, mode, maj, len, &err), KCAP_E_VERSION);
		ck_assert_ptr_null(op.r);
		ck_assert_int_eq(err.code, KCAP_E_VERSION);
		ck_assert_int_eq(err.offset, 0);
		ck_assert_ptr_nonnull(strstr(err.msg, "2.0"));
		close_as(&op);
	}
	/* higher major in a later section: reading stops there with KCAP_E_VERSION */
	uint8_t *two = malloc(len * 2);
	memcpy(two, buf, len);
	memcpy(two + len, maj, len);
	kcap_reader *r;
	kcap_error err;
	ck_assert_int_eq(kcap_reader_open_mem(&r, two, len * 2, NULL, &err), 0);
	const kcap_event *ev;
	int rc, n = 0;
	while ((rc = kcap_reader_next(r, &ev)) == 1)
		n++;
	ck_assert_int_eq(rc, KCAP_E_VERSION);
	ck_assert_int_eq(n, 500);
	ck_assert_int_eq(kcap_reader_error(r)->offset, (int64_t)len);
	kcap_reader_close(r);
	/* higher minor: accepted; an unknown block type is skipped, not damage */
	uint8_t *minor = with_version(buf, len, 0, KCAP_FORMAT_MAJOR, KCAP_FORMAT_MINOR + 5);
	testcap_part parts[256];
	int np = testcap_walk(minor, len, parts, 256);
	ck_assert_int_gt(np, 3);
	size_t at = parts[np / 2].off; /* between two blocks, among the events */
	size_t ulen, ulen2;
	uint8_t *unk = testcap_frame_block(99, KCAP_BF_COPY, "future data", 11, &ulen);
	uint8_t *unk2 = testcap_frame_block(0x7fff, 0, NULL, 0, &ulen2);
	uint8_t *mix = malloc(len + ulen + ulen2);
	memcpy(mix, minor, at);
	memcpy(mix + at, unk, ulen);
	memcpy(mix + at + ulen, unk2, ulen2);
	memcpy(mix + at + ulen + ulen2, minor + at, len - at);
	for (int mode = 0; mode < IN_NMODES; mode++) {
		opened op;
		ck_assert_int_eq(open_as(&op, mode, mix, len + ulen + ulen2, &err), 0);
		uint64_t seqs[500];
		ck_assert_uint_eq(read_all(op.r, seqs, 500, 1), 500);
		uint16_t mj, mn;
		kcap_reader_version(op.r, &mj, &mn);
		ck_assert_uint_eq(mj, KCAP_FORMAT_MAJOR);
		ck_assert_uint_eq(mn, KCAP_FORMAT_MINOR + 5);
		const kcap_reader_stats *st = kcap_reader_get_stats(op.r);
		ck_assert_uint_eq(st->unknown_blocks, 2);
		ck_assert_uint_eq(st->damaged, 0);
		close_as(&op);
	}
	free(unk);
	free(unk2);
	free(mix);
	free(minor);
	free(two);
	free(maj);
	free(buf);
}
END_TEST

START_TEST(raw_block_copy)
{
	testcap_opts o = {.nevents = N_EVENTS, .block_size = 8192, .with_stats = 1};
	size_t len;
	uint8_t *buf = build(&o, &len);
	kcap_reader *r;
	kcap_error err;
	ck_assert_int_eq(kcap_reader_open_mem(&r, buf, len, NULL, &err), 0);
	int fd = memfd_create("copy", 0);
	kcap_writer *w;
	ck_assert_int_eq(kcap_writer_open_fd(&w, fd, 0, NULL, &err), 0);
	const void *blk;
	size_t blen;
	const kcap_block_summary *sum;
	int rc, nblocks = 0, ctx_done = 0;
	while ((rc = kcap_reader_next_raw_block(r, &blk, &blen, &sum)) == 1) {
		if (!ctx_done) { /* the context blocks before the first events block were applied */
			for (uint16_t i = 0; i < kcap_reader_origin_count(r); i++)
				ck_assert_int_eq(kcap_writer_add_meta(w, kcap_reader_meta(r, i)), i);
			ck_assert_int_eq(kcap_writer_set_schema(w, kcap_reader_schema(r)), 0);
			ctx_done = 1;
		}
		ck_assert_uint_eq(sum->stored_size, blen);
		ck_assert_int_eq(kcap_writer_copy_block(w, blk, blen, sum), 0);
		nblocks++;
	}
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(kcap_writer_events(w), N_EVENTS);
	ck_assert_int_eq(kcap_writer_close(w), 0);
	ck_assert_uint_eq(kcap_reader_get_stats(r)->events, N_EVENTS);
	kcap_reader_close(r);
	uint8_t *out;
	size_t olen;
	ck_assert_int_eq(testcap_slurp_fd(fd, &out, &olen), 0);
	close(fd);
	ck_assert_int_eq(kcap_reader_open_mem(&r, out, olen, NULL, &err), 0);
	uint64_t *seqs = malloc(N_EVENTS * sizeof *seqs);
	ck_assert_uint_eq(read_all(r, seqs, N_EVENTS, 1), N_EVENTS);
	ck_assert_int_eq(kcap_reader_load_index(r), nblocks);
	ck_assert_uint_eq(kcap_reader_get_stats(r)->blocks, (uint64_t)nblocks);
	kcap_reader_close(r);
	free(seqs);
	free(out);
	free(buf);
}
END_TEST

START_TEST(flush_by_age_and_tick)
{
	int fd = memfd_create("age", 0);
	kcap_writer *w;
	kcap_error err;
	kcap_writer_opts wo = {.flush_age_ns = 10 * TESTCAP_STEP};
	ck_assert_int_eq(kcap_writer_open_fd(&w, fd, 0, &wo, &err), 0);
	kcap_meta *m = kcap_meta_new();
	ck_assert_int_eq(kcap_writer_add_meta(w, m), 0);
	ck_assert_int_eq(kcap_writer_add_meta(w, m), 1);
	kcap_meta_free(m);
	kcap_schema *s = testcap_schema();
	ck_assert_int_eq(kcap_writer_set_schema(w, s), 0);
	kcap_schema_free(s);
	testcap_event t;
	for (uint64_t q = 1; q <= 100; q++) {
		testcap_make_event(&t, q);
		ck_assert_int_eq(kcap_writer_write(w, &t.ev), 0);
	}
	/* 3 more events, then a tick once they are old enough */
	for (uint64_t q = 101; q <= 103; q++) {
		testcap_make_event(&t, q);
		ck_assert_int_eq(kcap_writer_write(w, &t.ev), 0);
	}
	uint64_t before = kcap_writer_bytes(w);
	ck_assert_int_eq(kcap_writer_tick(w, TESTCAP_T0 + 102 * TESTCAP_STEP), 0);
	ck_assert_uint_eq(kcap_writer_bytes(w), before); /* not old enough yet */
	ck_assert_int_eq(kcap_writer_tick(w, TESTCAP_T0 + 111 * TESTCAP_STEP), 0);
	ck_assert_uint_gt(kcap_writer_bytes(w), before);
	ck_assert_int_eq(kcap_writer_close(w), 0);
	uint8_t *buf;
	size_t len;
	ck_assert_int_eq(testcap_slurp_fd(fd, &buf, &len), 0);
	close(fd);
	kcap_reader *r;
	ck_assert_int_eq(kcap_reader_open_mem(&r, buf, len, NULL, &err), 0);
	uint64_t seqs[200];
	ck_assert_uint_eq(read_all(r, seqs, 200, 1), 103);
	/* a block closes on the event 10 steps after its first: 9 blocks of 11
	 * events (1..99), then 100..103 closed by the tick */
	ck_assert_int_eq(kcap_reader_load_index(r), 10);
	for (int i = 0; i < 10; i++)
		ck_assert_uint_eq(kcap_reader_index_at(r, (size_t)i)->count, i < 9 ? 11 : 4);
	kcap_reader_close(r);
	free(buf);
}
END_TEST

START_TEST(writer_rejects_bad_events_and_reports_io_errors)
{
	int fd = memfd_create("bad", 0);
	kcap_writer *w;
	kcap_error err;
	ck_assert_int_eq(kcap_writer_open_fd(&w, fd, 1, NULL, &err), 0);
	kcap_schema *s = testcap_schema();
	ck_assert_int_eq(kcap_writer_set_schema(w, s), 0);
	kcap_schema_free(s);
	testcap_event t;
	testcap_make_event(&t, 2); /* TC_OPEN, origin 0 */
	t.ev.type_id = 77;
	ck_assert_int_eq(kcap_writer_write(w, &t.ev), KCAP_E_INVAL);
	t.ev.type_id = TC_OPEN;
	t.ev.nparams = 2;
	ck_assert_int_eq(kcap_writer_write(w, &t.ev), KCAP_E_INVAL);
	t.ev.nparams = 3;
	t.ev.origin = 3; /* no metadata declared */
	ck_assert_int_eq(kcap_writer_write(w, &t.ev), KCAP_E_INVAL);
	t.ev.origin = 0;
	ck_assert_int_eq(kcap_writer_write(w, &t.ev), 0);
	ck_assert_int_eq(kcap_writer_add_meta(w, NULL), KCAP_E_INVAL);
	ck_assert_int_eq(kcap_writer_write(NULL, &t.ev), KCAP_E_INVAL);
	ck_assert_int_eq(kcap_writer_close(w), 0); /* rejected events do not poison the writer */
	ck_assert_int_eq(kcap_writer_close(NULL), 0);
	/* a full disk is reported as KCAP_E_NOSPACE, at open or at close */
	int full = open("/dev/full", O_WRONLY);
	if (full >= 0) {
		ck_assert_int_eq(kcap_writer_open_fd(&w, full, 0, NULL, &err), KCAP_E_NOSPACE);
		ck_assert_ptr_null(w);
		ck_assert_int_eq(err.sys_errno, ENOSPC);
		close(full);
	} else {
		printf("SKIP: /dev/full is absent; ENOSPC path not exercised\n");
	}
	/* a write error mid-way: the pipe's reader is gone */
	int p[2];
	ck_assert_int_eq(pipe(p), 0);
	signal(SIGPIPE, SIG_IGN);
	ck_assert_int_eq(kcap_writer_open_fd(&w, p[1], 1, NULL, &err), 0);
	close(p[0]);
	testcap_opts o = {.nevents = 10};
	(void)o;
	kcap_schema *s2 = testcap_schema();
	kcap_writer_set_schema(w, s2);
	kcap_schema_free(s2);
	testcap_make_event(&t, 2);
	kcap_writer_write(w, &t.ev);
	ck_assert_int_eq(kcap_writer_flush(w), KCAP_E_IO);
	ck_assert_int_eq(kcap_writer_error(w)->sys_errno, EPIPE);
	ck_assert_int_eq(kcap_writer_write(w, &t.ev), KCAP_E_IO); /* sticky */
	ck_assert_int_eq(kcap_writer_close(w), KCAP_E_IO);
	/* open failures */
	ck_assert_int_eq(kcap_writer_open_path(&w, "/nonexistent-dir/x.kcap", NULL, &err), KCAP_E_IO);
	ck_assert_int_eq(err.sys_errno, ENOENT);
	kcap_reader *r;
	ck_assert_int_eq(kcap_reader_open_path(&r, "/nonexistent-dir/x.kcap", &err), KCAP_E_IO);
	ck_assert_ptr_null(r);
	ck_assert_int_eq(kcap_reader_open_mem(&r, "", 0, NULL, &err), KCAP_E_TRUNCATED);
	ck_assert_int_eq(kcap_reader_open_mem(&r, "hello world, not a capture", 26, NULL, &err), KCAP_E_FORMAT);
	ck_assert_int_eq(err.offset, 0);
	kcap_reader_close(NULL);
}
END_TEST

START_TEST(text_mode_and_7bit_damage_detected)
{
	testcap_opts o = {.nevents = 10};
	size_t len;
	uint8_t *buf = build(&o, &len);
	kcap_reader *r;
	kcap_error err;
	/* CR-LF -> LF: "\r\n" at 4..5 becomes "\n" */
	uint8_t *lf = malloc(len);
	memcpy(lf, buf, 4);
	memcpy(lf + 4, buf + 5, len - 5);
	ck_assert_int_eq(kcap_reader_open_mem(&r, lf, len - 1, NULL, &err), KCAP_E_FORMAT);
	ck_assert_ptr_nonnull(strstr(err.msg, "text mode"));
	/* LF -> CR-LF: the lone "\n" at 7 becomes "\r\n" */
	uint8_t *crlf = malloc(len + 1);
	memcpy(crlf, buf, 7);
	crlf[7] = '\r';
	memcpy(crlf + 8, buf + 7, len - 7);
	ck_assert_int_eq(kcap_reader_open_mem(&r, crlf, len + 1, NULL, &err), KCAP_E_FORMAT);
	ck_assert_ptr_nonnull(strstr(err.msg, "text mode"));
	/* high bit stripped */
	uint8_t *b7 = malloc(len);
	memcpy(b7, buf, len);
	b7[0] &= 0x7f;
	ck_assert_int_eq(kcap_reader_open_mem(&r, b7, 16, NULL, &err), KCAP_E_FORMAT);
	ck_assert_ptr_nonnull(strstr(err.msg, "7-bit"));
	free(lf);
	free(crlf);
	free(b7);
	free(buf);
}
END_TEST

/* Independent implementation of FORMAT.md's pid hash (splitmix64). */
static uint64_t spec_pid_hash(int32_t pid)
{
	uint64_t z = (uint64_t)(uint32_t)pid + 0x9E3779B97F4A7C15ull;
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

START_TEST(events_meta_layout_matches_format_md)
{
	int fd = memfd_create("layout", 0);
	kcap_writer *w;
	kcap_error err;
	kcap_writer_opts wo = {.codec = KCAP_CODEC_NONE, .codec_set = 1};
	ck_assert_int_eq(kcap_writer_open_fd(&w, fd, 0, &wo, &err), 0);
	kcap_schema *s = kcap_schema_new();
	kcap_param_def p[] = {{"v", KCAP_T_U32, 0, 0}};
	kcap_type_def t255 = {255, "t255", "test", "", 1, p}, t250 = {250, "t250", "test", "", 1, p};
	ck_assert_int_eq(kcap_schema_add_type(s, &t255), 0);
	ck_assert_int_eq(kcap_schema_add_type(s, &t250), 0);
	ck_assert_int_eq(kcap_writer_set_schema(w, s), 0);
	kcap_schema_free(s);
	kcap_value v = {.type = KCAP_T_U32, .present = 1, .u = 5};
	const int32_t pids[] = {1, 42, -7, 100000, 2147483647};
	for (int i = 0; i < 5; i++) {
		kcap_event ev = {.seq = (uint64_t)i + 10, .ts = 1000 + i, .pid = pids[i], .tid = pids[i],
				 .type_id = i ? 255 : 250, .nparams = 1, .params = &v};
		ck_assert_int_eq(kcap_writer_write(w, &ev), 0);
	}
	ck_assert_int_eq(kcap_writer_close(w), 0);
	uint8_t *buf;
	size_t len;
	ck_assert_int_eq(testcap_slurp_fd(fd, &buf, &len), 0);
	close(fd);
	testcap_part parts[16];
	int np = testcap_walk(buf, len, parts, 16);
	int found = 0;
	for (int i = 0; i < np; i++) {
		if (parts[i].type != KCAP_BLK_EVENTS)
			continue;
		found++;
		const uint8_t *pl = buf + parts[i].off + KCAP_BLOCK_HDR_LEN;
		uint32_t ml = get_u32(pl);
		const uint8_t *m = pl + 8;
		ck_assert_uint_eq(get_u32(m), 5);                 /* count */
		ck_assert_uint_eq(m[4], 1);                       /* ordered */
		ck_assert_uint_eq(m[5], 0);                       /* no ids >= 256 */
		ck_assert_uint_eq(m[6], KCAP_CODEC_NONE);
		ck_assert_uint_eq(m[7], 4);                       /* k */
		ck_assert_int_eq((int64_t)get_u64(m + 8), 1000);
		ck_assert_int_eq((int64_t)get_u64(m + 16), 1004);
		ck_assert_uint_eq(get_u64(m + 24), 10);
		ck_assert_uint_eq(get_u64(m + 32), 14);
		ck_assert_int_eq((int32_t)get_u32(m + 56), -7);
		ck_assert_int_eq((int32_t)get_u32(m + 60), 2147483647);
		uint32_t bits = get_u32(m + 68);
		/* the counts (1.4) after the Bloom filter, as LEB128 varints: two
		 * types (id 250 - (-1) - 1 = 250 once, 255 - 250 - 1 = 4 four
		 * times), one origin (0, five events), then first seq - min seq 0,
		 * max ts - last ts 0, last seq - min seq 4 */
		static const uint8_t counts[] = {2, 0xfa, 0x01, 1, 4, 4, 1, 0, 5, 0, 0, 4};
		ck_assert_uint_eq(ml, 104 + bits / 8 + sizeof counts);
		ck_assert_int_eq(memcmp(m + 104 + bits / 8, counts, sizeof counts), 0);
		/* type set: only ids 250 and 255, in byte 31 */
		for (int b = 0; b < 31; b++)
			ck_assert_uint_eq(m[72 + b], 0);
		ck_assert_uint_eq(m[72 + 31], (1u << (250 % 8)) | (1u << (255 % 8)));
		/* the Bloom filter at 104 holds exactly the bits of these pids */
		uint8_t want[8192] = {0};
		for (int k = 0; k < 5; k++) {
			uint64_t h = spec_pid_hash(pids[k]);
			uint32_t h1 = (uint32_t)h, h2 = (uint32_t)(h >> 32) | 1;
			for (uint32_t j = 0; j < 4; j++) {
				uint32_t bit = (h1 + j * h2) & (bits - 1);
				want[bit / 8] |= (uint8_t)(1u << (bit % 8));
			}
		}
		ck_assert_int_eq(memcmp(m + 104, want, bits / 8), 0);
	}
	ck_assert_int_eq(found, 1);
	free(buf);
}
END_TEST

/* Stats blocks may hold any number of counters (a hostile file, too): 150k
 * distinct (origin, cpu) counters, then a second block updating some; later
 * values supersede earlier ones. With a linear search per entry, 80k took a
 * minute. */
static uint8_t *stats_block(uint32_t n, uint32_t step, uint64_t seen, size_t *blen)
{
	kcap_buf b = {0};
	uint8_t pre[8] = {0};
	kcap_buf_append(&b, pre, 8);
	kcap_buf_put_varint(&b, n);
	for (uint32_t i = 0; i < n; i++) {
		kcap_buf_put_varint(&b, (i * step) % 1000);
		kcap_buf_put_varint(&b, (i * step) / 1000);
		uint32_t key = i * step;
		kcap_buf_put_str(&b, key % 2 ? "ringbuf" : "audit-kernel", key % 2 ? 7 : 12);
		kcap_buf_put_varint(&b, seen + i);
		kcap_buf_put_varint(&b, i % 5);
	}
	put_u32((uint8_t *)b.data + 4, (uint32_t)(b.len - 8));
	uint8_t *blk = testcap_frame_block(KCAP_BLK_STATS, 0, b.data, b.len, blen);
	kcap_buf_free(&b);
	return blk;
}

START_TEST(stats_many_entries)
{
	const uint32_t n = 150000;
	size_t l1, l2;
	uint8_t *b1 = stats_block(n, 1, 100, &l1), *b2 = stats_block(1000, 2, 900000000, &l2);
	size_t len = KCAP_SECTION_HDR_LEN + l1 + l2;
	uint8_t *f = calloc(1, len);
	memcpy(f, KCAP_MAGIC, KCAP_MAGIC_LEN);
	put_u16(f + 8, KCAP_FORMAT_MAJOR);
	memcpy(f + KCAP_SECTION_HDR_LEN, b1, l1);
	memcpy(f + KCAP_SECTION_HDR_LEN + l1, b2, l2);
	kcap_reader *r;
	kcap_error err;
	ck_assert_int_eq(kcap_reader_open_mem(&r, f, len, NULL, &err), 0);
	const kcap_event *ev;
	ck_assert_int_eq(kcap_reader_next(r, &ev), 0);
	ck_assert_uint_eq(kcap_reader_get_stats(r)->damaged, 0);
	ck_assert_uint_eq(kcap_reader_stat_count(r), n);
	for (uint32_t i = 0; i < n; i += 997) {
		const kcap_stat *st = kcap_reader_stat_at(r, i);
		ck_assert_uint_eq(st->origin, i % 1000);
		ck_assert_uint_eq(st->cpu, i / 1000);
		ck_assert_str_eq(st->source, i % 2 ? "ringbuf" : "audit-kernel");
		/* entry i was updated by the second block iff i = 2j, j < 1000 */
		ck_assert_uint_eq(st->seen, (i % 2 == 0 && i < 2000) ? 900000000u + i / 2 : 100u + i);
	}
	kcap_reader_close(r);
	free(f);
	free(b1);
	free(b2);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("container");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, round_trip_every_input_kind);
	tcase_add_test(tc, stats_latest_value_wins);
	tcase_add_test(tc, codec_none_and_default_block_size);
	tcase_add_test(tc, index_matches_blocks);
	tcase_add_test(tc, seek_time_indexed_and_forward);
	tcase_add_test(tc, sections_concatenated_bytewise);
	tcase_add_test(tc, block_filter_skips_with_bloom_and_type_set);
	tcase_add_test(tc, unordered_events_are_flagged);
	tcase_add_test(tc, one_mib_argv_event);
	tcase_add_test(tc, writer_on_pipe_never_seeks);
	tcase_add_test(tc, crashed_writer_without_footer);
	tcase_add_test(tc, version_checks);
	tcase_add_test(tc, raw_block_copy);
	tcase_add_test(tc, flush_by_age_and_tick);
	tcase_add_test(tc, writer_rejects_bad_events_and_reports_io_errors);
	tcase_add_test(tc, text_mode_and_7bit_damage_detected);
	tcase_add_test(tc, events_meta_layout_matches_format_md);
	tcase_add_test(tc, stats_many_entries);
	suite_add_tcase(s, tc);
	return kcap_check_run(s);
}
