/*
 * Truncation suite (issue 2 §5): a multi-section, multi-block capture cut at
 * every structure boundary and at points inside every block and section
 * header, read from memory, a seekable fd, a pipe and a path.
 */
#include <check.h>
#include "check_run.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zstd.h>
#include "core/core.h"
#include "readback.h"
#include "testcap.h"

#define MAX_PARTS 512
static uint8_t *cap;
static size_t cap_len;
static testcap_part parts[MAX_PARTS];
static int nparts;

/* Replaces the capture under test; the parts are those of the whole
 * capture, or, for a crashed writer's, those of what it had written. */
static void use_capture(const testcap_opts *o)
{
	free(cap);
	ck_assert_int_eq(testcap_build(o, &cap, &cap_len), 0);
	nparts = testcap_walk(cap, cap_len, parts, MAX_PARTS);
	ck_assert_int_gt(nparts, 0);
}

static void build_capture(void)
{
	testcap_opts o = {.nevents = 400, .block_size = 4096, .sections = 2, .with_snapshot = 1, .with_stats = 1};
	use_capture(&o);
	int seen[8] = {0}, events = 0;
	for (int i = 0; i < nparts; i++) {
		seen[parts[i].type]++;
		events += parts[i].type == KCAP_BLK_EVENTS;
	}
	/* the capture holds every structure the suite is about */
	ck_assert_int_eq(seen[0], 2);
	for (int t = KCAP_BLK_META; t <= KCAP_BLK_FOOTER; t++)
		ck_assert_msg(seen[t] > 0, "no block of type %d in the test capture", t);
	ck_assert_int_gt(events, 10);
}

static void free_capture(void)
{
	free(cap);
	cap = NULL;
}

/* Cut points: every boundary, and inside each structure. */
static size_t cuts(size_t *out, size_t max)
{
	size_t n = 0;
	for (int i = 0; i < nparts && n + 8 < max; i++) {
		size_t off = parts[i].off, len = parts[i].len;
		out[n++] = off;
		out[n++] = off + 1;
		out[n++] = off + len / 2;
		out[n++] = off + len - 1;
		if (parts[i].type) {
			out[n++] = off + KCAP_BLOCK_HDR_LEN - 1; /* inside the header */
			out[n++] = off + KCAP_BLOCK_HDR_LEN;     /* header whole, no payload */
			out[n++] = off + len - KCAP_BLOCK_TRAILER_LEN; /* trailer missing */
		} else {
			out[n++] = off + KCAP_MAGIC_LEN; /* magic whole, version missing */
		}
	}
	out[n++] = cap_len;
	return n;
}

static int part_at(size_t pos)
{
	for (int i = 0; i < nparts; i++)
		if (pos >= parts[i].off && pos < parts[i].off + parts[i].len)
			return i;
	return -1;
}

/* End (file offset) of the first zstd block of an events block's body,
 * from the frame's framing (RFC 8878), or SIZE_MAX if it is not zstd. */
static size_t zstd_first_block_end(const testcap_part *pt)
{
	const uint8_t *pl = cap + pt->off + KCAP_BLOCK_HDR_LEN;
	if (((get_u16(cap + pt->off + 6) & KCAP_BF_CODEC_MASK) >> KCAP_BF_CODEC_SHIFT) != KCAP_CODEC_ZSTD)
		return SIZE_MAX;
	const uint8_t *f = pl + KCAP_PAYLOAD_PREFIX_LEN + get_u32(pl);
	ck_assert_uint_eq(get_u32(f), 0xFD2FB528u);
	unsigned fhd = f[4], fcs = fhd >> 6, single = (fhd >> 5) & 1;
	static const size_t did[4] = {0, 1, 2, 4}, fcsz[4] = {0, 2, 4, 8};
	size_t h = 5 + !single + did[fhd & 3] + (fcs ? fcsz[fcs] : single);
	uint32_t bh = f[h] | (uint32_t)f[h + 1] << 8 | (uint32_t)f[h + 2] << 16;
	size_t bsize = ((bh >> 1) & 3) == 1 ? 1 : bh >> 3; /* an RLE block stores one byte */
	return (size_t)(f - cap) + h + 3 + bsize;
}

/* Records wholly within the first n bytes of a body. */
static uint32_t records_within(const uint8_t *body, size_t n, uint32_t max)
{
	const uint8_t *q = body, *end = body + n;
	uint32_t k = 0;
	uint64_t rl;
	while (k < max && !get_varint(&q, end, &rl) && rl <= (uint64_t)(end - q)) {
		q += rl;
		k++;
	}
	return k;
}

/* The fewest events a reader must recover from events block pt cut at cut,
 * and whether that is exactly how many: a stored body yields each record
 * wholly present; a zstd body yields nothing before its first zstd block
 * is whole, and at least the records of its 128 KiB of output after; a
 * whole payload (trailer missing) passes the CRC and yields every event. */
static uint32_t salvage_floor(const testcap_part *pt, size_t cut, int *exact)
{
	const uint8_t *pl = cap + pt->off + KCAP_BLOCK_HDR_LEN;
	size_t plen = pt->len - KCAP_BLOCK_OVERHEAD;
	*exact = 1;
	if (cut >= pt->off + KCAP_BLOCK_HDR_LEN + plen)
		return pt->count;
	if (cut < pt->off + KCAP_BLOCK_HDR_LEN + KCAP_PAYLOAD_PREFIX_LEN ||
	    cut < pt->off + KCAP_BLOCK_HDR_LEN + KCAP_PAYLOAD_PREFIX_LEN + get_u32(pl))
		return 0;
	const uint8_t *stored = pl + KCAP_PAYLOAD_PREFIX_LEN + get_u32(pl);
	size_t fb = zstd_first_block_end(pt);
	if (fb == SIZE_MAX)
		return records_within(stored, cut - (size_t)(stored - cap), pt->count);
	*exact = 0;
	if (cut < fb)
		return 0;
	size_t raw_len = get_u32(pl + 4), slen = plen - KCAP_PAYLOAD_PREFIX_LEN - get_u32(pl);
	uint8_t *body = malloc(raw_len ? raw_len : 1);
	ck_assert_uint_eq(ZSTD_decompress(body, raw_len, stored, slen), raw_len);
	uint32_t k = records_within(body, raw_len < (128u << 10) ? raw_len : (128u << 10), pt->count);
	free(body);
	ck_assert_uint_gt(k, 0);
	return k;
}

static void check_cut(size_t cut, int mode)
{
	rb_result res;
	char why[400];
	rb_read(cap, cut, mode, 1, INT64_MIN, &res);
	const char *mn = rb_mode_name[mode];
	ck_assert_msg(!res.file_changed, "%s cut %zu: the input file was modified", mn, cut);
	if (cut < KCAP_SECTION_HDR_LEN) {
		/* nothing to read: open fails, saying the input is truncated at 0 */
		ck_assert_msg(res.open_rc == KCAP_E_TRUNCATED, "%s cut %zu: open gave %d (%s)", mn, cut, res.open_rc,
			      res.open_err.msg);
		ck_assert_int_eq(res.open_err.offset, 0);
		ck_assert_msg(res.open_err.msg[0], "%s cut %zu: no message", mn, cut);
		rb_free(&res);
		return;
	}
	ck_assert_msg(res.open_rc == 0, "%s cut %zu: open failed: %s", mn, cut, res.open_err.msg);
	ck_assert_msg(res.end_rc == 0, "%s cut %zu: reading ended with %d (%s)", mn, cut, res.end_rc, res.end_err.msg);
	size_t nwant;
	uint64_t *want = rb_expected(parts, nparts, cut, -1, &nwant);
	int p = part_at(cut);
	/* From an events block cut short, a prefix of its events: no fewer
	 * than its bytes present hold, exactly as many as the report says. */
	int64_t rec = rb_recovered(&res);
	ck_assert_msg(rec >= 0, "%s cut %zu: unreadable damage report: %s", mn, cut, res.dmg[0].msg);
	if (p >= 0 && parts[p].off != cut && parts[p].type == KCAP_BLK_EVENTS) {
		int exact;
		uint32_t floor = salvage_floor(&parts[p], cut, &exact);
		ck_assert_msg(exact ? rec == floor : (rec >= floor && rec <= parts[p].count),
			      "%s cut %zu: %lld events recovered from the block at %zu (%u events), want %s%u", mn, cut,
			      (long long)rec, parts[p].off, parts[p].count, exact ? "" : "at least ", floor);
		want = realloc(want, (nwant + (size_t)rec + 1) * sizeof *want);
		for (int64_t k = 0; k < rec; k++)
			want[nwant++] = parts[p].first_seq + (uint64_t)k;
		char head[96];
		snprintf(head, sizeof head, "events block truncated: %zu of %zu bytes present; ", cut - parts[p].off,
			 parts[p].len);
		if (cut >= parts[p].off + KCAP_BLOCK_HDR_LEN)
			ck_assert_msg(!strncmp(res.dmg[0].msg, head, strlen(head)), "%s cut %zu: message '%s', want '%s...'",
				      mn, cut, res.dmg[0].msg, head);
		if (getenv("RB_VERBOSE"))
			printf("%s cut %zu: %lld of %u events recovered (floor %u%s)\n", mn, cut, (long long)rec,
			       parts[p].count, floor, exact ? ", exact" : "");
	} else {
		ck_assert_msg(rec == 0, "%s cut %zu: %lld events recovered outside an events block", mn, cut,
			      (long long)rec);
	}
	rb_diff(res.seqs, res.nseqs, want, nwant, why, sizeof why);
	ck_assert_msg(!why[0], "%s cut %zu: %s", mn, cut, why);
	ck_assert_msg(res.bad_content == 0, "%s cut %zu: %s", mn, cut, res.first_bad);
	ck_assert_uint_eq(res.st.events, nwant);
	/* every event in (ts, seq) order, none twice */
	ck_assert_uint_eq(res.st.unordered, 0);
	/* sections whose header is whole, and whether each has its index */
	uint32_t nsec = 0;
	int indexed = 1, footer = 0, sec_has_index = 0;
	for (int i = 0; i < nparts; i++) {
		if (parts[i].off + parts[i].len > cut)
			break;
		if (parts[i].type == 0) {
			if (nsec)
				indexed &= sec_has_index;
			nsec++;
			sec_has_index = 0;
		}
		sec_has_index |= parts[i].type == KCAP_BLK_INDEX;
		footer |= parts[i].type == KCAP_BLK_FOOTER;
	}
	indexed &= sec_has_index;
	ck_assert_msg(res.st.sections == nsec, "%s cut %zu: %u sections, want %u", mn, cut, res.st.sections, nsec);
	ck_assert_msg(res.st.indexed == indexed, "%s cut %zu: indexed %d, want %d", mn, cut, res.st.indexed, indexed);
	/* has_footer is set once any section's footer was read */
	ck_assert_msg(res.st.has_footer == footer, "%s cut %zu: has_footer %d, want %d", mn, cut, res.st.has_footer, footer);
	if (p < 0 || parts[p].off == cut) {
		/* A cut exactly at a structure boundary looks like a crashed writer:
		 * the reader reports no damage; the missing index/footer shows in
		 * the stats (indexed, has_footer) checked above. */
		ck_assert_msg(res.ndmg == 0, "%s cut %zu (boundary): %zu damage reports, first: %s", mn, cut, res.ndmg,
			      res.dmg[0].msg);
		ck_assert_uint_eq(res.st.damaged, 0);
	} else {
		/* exactly one damage report: the cut structure, at its offset */
		ck_assert_msg(res.ndmg == 1, "%s cut %zu inside part at %zu: %zu damage reports", mn, cut, parts[p].off,
			      res.ndmg);
		ck_assert_msg(res.dmg[0].offset == (int64_t)parts[p].off, "%s cut %zu: damage at %lld, want %zu (%s)", mn,
			      cut, (long long)res.dmg[0].offset, parts[p].off, res.dmg[0].msg);
		ck_assert_msg(res.dmg[0].code == KCAP_E_TRUNCATED, "%s cut %zu: damage code %d (%s)", mn, cut,
			      res.dmg[0].code, res.dmg[0].msg);
		ck_assert_msg(res.dmg[0].msg[0], "%s cut %zu: empty damage message", mn, cut);
		ck_assert_uint_eq(res.dmg[0].skipped, cut - parts[p].off);
		ck_assert_uint_eq(res.st.damaged, 1);
		ck_assert_uint_eq(res.st.damaged_bytes, cut - parts[p].off);
	}
	ck_assert_uint_eq(res.st.bytes, cut);
	if (getenv("RB_VERBOSE"))
		printf("%s cut %zu: %zu events, %zu damage%s%s\n", mn, cut, res.nseqs, res.ndmg, res.ndmg ? ": " : "", res.ndmg ? res.dmg[0].msg : "");
	free(want);
	rb_free(&res);
}

static void run_mode(int mode)
{
	size_t cut[MAX_PARTS * 8 + 1];
	size_t n = cuts(cut, sizeof cut / sizeof cut[0]);
	ck_assert_uint_gt(n, 100);
	for (size_t i = 0; i < n; i++)
		check_cut(cut[i], mode);
	/* and every byte of the first section header and first block */
	for (size_t c = 0; c < parts[1].off + parts[1].len + 2; c++)
		check_cut(c, mode);
}

START_TEST(truncate_mem) { run_mode(RB_MEM); }
END_TEST
START_TEST(truncate_fd) { run_mode(RB_FD); }
END_TEST
START_TEST(truncate_pipe) { run_mode(RB_PIPE); }
END_TEST
START_TEST(truncate_path) { run_mode(RB_PATH); }
END_TEST

/* A seek on a truncated capture: the index is gone, the forward scan works. */
START_TEST(seek_on_truncated)
{
	for (int i = 0; i < nparts; i++) {
		if (parts[i].type != KCAP_BLK_EVENTS)
			continue;
		size_t cut = parts[i].off + parts[i].len / 2;
		for (int mode = 0; mode < RB_NMODES; mode++) {
			rb_result res;
			int64_t ts = TESTCAP_T0 + 150 * TESTCAP_STEP;
			rb_read(cap, cut, mode, 1, ts, &res);
			ck_assert_int_eq(res.open_rc, 0);
			ck_assert_int_eq(res.end_rc, 0);
			size_t nwant, k = 0;
			uint64_t *want = rb_expected(parts, nparts, cut, -1, &nwant);
			int64_t rec = rb_recovered(&res);
			ck_assert(rec >= 0 && rec <= parts[i].count);
			want = realloc(want, (nwant + (size_t)rec + 1) * sizeof *want);
			for (int64_t q = 0; q < rec; q++)
				want[nwant++] = parts[i].first_seq + (uint64_t)q;
			while (k < nwant && want[k] < 150)
				k++;
			char why[400];
			rb_diff(res.seqs, res.nseqs, want + k, nwant - k, why, sizeof why);
			ck_assert_msg(!why[0], "%s cut %zu seek: %s", rb_mode_name[mode], cut, why);
			ck_assert_uint_eq(res.ndmg, 1);
			free(want);
			rb_free(&res);
		}
	}
}
END_TEST

/* Stored (uncompressed) bodies: a cut inside one yields every record
 * wholly present, whatever the cut. */
static void run_raw(int mode)
{
	testcap_opts o = {.nevents = 300, .block_size = 4096, .sections = 2, .with_snapshot = 1, .with_stats = 1,
			  .codec_none = 1};
	use_capture(&o);
	size_t cut[MAX_PARTS * 8 + 1];
	size_t n = cuts(cut, sizeof cut / sizeof cut[0]);
	for (size_t i = 0; i < n; i++)
		check_cut(cut[i], mode);
	/* every byte of one events block */
	for (int i = 0; i < nparts; i++)
		if (parts[i].type == KCAP_BLK_EVENTS) {
			for (size_t c = parts[i].off; c <= parts[i].off + parts[i].len; c++)
				check_cut(c, mode);
			break;
		}
}

START_TEST(truncate_raw_mem) { run_raw(RB_MEM); }
END_TEST
START_TEST(truncate_raw_pipe) { run_raw(RB_PIPE); }
END_TEST

/* Cut points across the last events block of the capture under test;
 * returns how many of them recovered events. */
static int cut_last_block(int mode, int npoints)
{
	int last = -1, got = 0;
	for (int i = 0; i < nparts; i++)
		if (parts[i].type == KCAP_BLK_EVENTS)
			last = i;
	ck_assert_int_ge(last, 0);
	const testcap_part *pt = &parts[last];
	for (int k = 1; k <= npoints; k++) {
		size_t c = pt->off + KCAP_BLOCK_HDR_LEN + (pt->len - KCAP_BLOCK_HDR_LEN) * (size_t)k / (size_t)(npoints + 1);
		check_cut(c, mode);
		rb_result res;
		rb_read(cap, c, mode, 0, INT64_MIN, &res);
		got += rb_recovered(&res) > 0;
		rb_free(&res);
	}
	check_cut(pt->off + pt->len - 1, mode); /* trailer cut: the whole payload */
	return got;
}

/* 1 MiB blocks, as the recorder writes them: a body of several zstd blocks
 * of 128 KiB of output each. A cut after the first of them yields events. */
START_TEST(salvage_large_blocks)
{
	testcap_opts o = {.nevents = 6000, .block_size = 1u << 20};
	use_capture(&o);
	int big = 0;
	for (int i = 0; i < nparts; i++)
		big |= parts[i].type == KCAP_BLK_EVENTS && parts[i].count > 1000 &&
		       get_u32(cap + parts[i].off + KCAP_BLOCK_HDR_LEN + 4) > (512u << 10);
	ck_assert_msg(big, "no events block with more than 512 KiB of body");
	for (int mode = 0; mode < RB_NMODES; mode++) {
		int n = cut_last_block(mode, 9);
		ck_assert_msg(n >= 6, "%s: only %d of 9 cuts recovered events", rb_mode_name[mode], n);
	}
}
END_TEST

/* A crashed recorder: no stats, index or footer, and the last block cut
 * while being written; read from a file and from a pipe (stdin). */
START_TEST(salvage_crashed_recorder)
{
	testcap_opts o = {.nevents = 5000, .block_size = 1u << 20, .no_close = 1, .with_snapshot = 1};
	use_capture(&o);
	ck_assert_int_eq(parts[nparts - 1].type, KCAP_BLK_EVENTS);
	const int modes[] = {RB_PIPE, RB_PATH, RB_FD};
	for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
		int n = cut_last_block(modes[m], 7);
		ck_assert_msg(n >= 4, "%s: only %d of 7 cuts recovered events", rb_mode_name[modes[m]], n);
		check_cut(cap_len, modes[m]); /* as the writer left it: no damage */
	}
}
END_TEST

/* What kcap cat and merge do with a capture cut inside a block: intact
 * blocks copied raw, the cut block's recovered events as records
 * (kcap_reader_next_raw_block says KCAP_RAW_EVENTS, never gives its bytes);
 * the copy holds the capture's events up to the cut, each once. */
START_TEST(copy_cut_capture)
{
	testcap_opts o = {.nevents = 16000, .block_size = 1u << 20, .no_close = 1};
	use_capture(&o);
	const testcap_part *pt = &parts[nparts - 1];
	ck_assert_int_eq(pt->type, KCAP_BLK_EVENTS);
	size_t cut = pt->off + pt->len * 3 / 4;
	kcap_reader *r;
	kcap_error err;
	ck_assert_int_eq(kcap_reader_open_mem(&r, cap, cut, "cut.kcap", &err), 0);
	int fd = memfd_create("copy", 0);
	ck_assert_int_ge(fd, 0);
	kcap_writer *w;
	ck_assert_int_eq(kcap_writer_open_fd(&w, fd, 0, NULL, &err), 0);
	const void *blk;
	size_t len, nraw = 0, nsalvaged = 0, origins = 0;
	const kcap_block_summary *sum;
	int n;
	while ((n = kcap_reader_next_raw_block(r, &blk, &len, &sum)) > 0) {
		while (origins < kcap_reader_origin_count(r))
			ck_assert_int_ge(kcap_writer_add_meta(w, kcap_reader_meta(r, (uint16_t)origins++)), 0);
		ck_assert_int_eq(kcap_writer_set_schema(w, kcap_reader_schema(r)), 0);
		if (n == 1) {
			ck_assert_ptr_nonnull(blk);
			ck_assert_int_eq(kcap_writer_copy_block(w, blk, len, sum), 0);
			nraw++;
			continue;
		}
		ck_assert_int_eq(n, KCAP_RAW_EVENTS);
		ck_assert(blk == NULL && len == 0 && sum == NULL);
		const kcap_event *ev;
		kcap_record rec;
		for (uint32_t left = kcap_reader_block_events_left(r); left; left--) {
			ck_assert_int_eq(kcap_reader_next_record(r, &ev, &rec), 1);
			ck_assert_int_eq(kcap_writer_write_record(w, ev, &rec), 0);
			nsalvaged++;
		}
	}
	ck_assert_int_eq(n, 0);
	ck_assert_uint_eq(kcap_reader_get_stats(r)->damaged, 1);
	kcap_reader_close(r);
	ck_assert_int_eq(kcap_writer_close(w), 0);
	size_t nwhole = 0; /* intact events blocks before the cut, copied raw */
	for (int i = 0; i < nparts - 1; i++)
		nwhole += parts[i].type == KCAP_BLK_EVENTS;
	ck_assert_uint_gt(nwhole, 0);
	ck_assert_uint_eq(nraw, nwhole);
	ck_assert_uint_gt(nsalvaged, 0);
	ck_assert_uint_lt(nsalvaged, pt->count);
	/* the copy reads back whole: every event up to the cut, once, intact */
	uint8_t *back;
	size_t blen;
	ck_assert_int_eq(testcap_slurp_fd(fd, &back, &blen), 0);
	close(fd);
	rb_result res;
	rb_read(back, blen, RB_MEM, 1, INT64_MIN, &res);
	ck_assert_int_eq(res.end_rc, 0);
	ck_assert_uint_eq(res.ndmg, 0);
	size_t nwant;
	uint64_t *want = rb_expected(parts, nparts, cut, -1, &nwant);
	want = realloc(want, (nwant + nsalvaged) * sizeof *want);
	for (size_t k = 0; k < nsalvaged; k++)
		want[nwant++] = pt->first_seq + k;
	char why[400];
	rb_diff(res.seqs, res.nseqs, want, nwant, why, sizeof why);
	ck_assert_msg(!why[0], "copy: %s", why);
	ck_assert_uint_eq(res.bad_content, 0);
	free(want);
	free(back);
	rb_free(&res);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("truncation");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 600);
	tcase_add_checked_fixture(tc, build_capture, free_capture);
	tcase_add_test(tc, truncate_mem);
	tcase_add_test(tc, truncate_fd);
	tcase_add_test(tc, truncate_pipe);
	tcase_add_test(tc, truncate_path);
	tcase_add_test(tc, seek_on_truncated);
	tcase_add_test(tc, truncate_raw_mem);
	tcase_add_test(tc, truncate_raw_pipe);
	tcase_add_test(tc, salvage_large_blocks);
	tcase_add_test(tc, salvage_crashed_recorder);
	tcase_add_test(tc, copy_cut_capture);
	suite_add_tcase(s, tc);
	return kcap_check_run(s);
}
