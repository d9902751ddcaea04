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
#include "internal.h"
#include "readback.h"
#include "testcap.h"

#define MAX_PARTS 512
static uint8_t *cap;
static size_t cap_len;
static testcap_part parts[MAX_PARTS];
static int nparts;

static void build_capture(void)
{
	testcap_opts o = {.nevents = 400, .block_size = 4096, .sections = 2, .with_snapshot = 1, .with_stats = 1};
	ck_assert_int_eq(testcap_build(&o, &cap, &cap_len), 0);
	nparts = testcap_walk(cap, cap_len, parts, MAX_PARTS);
	ck_assert_int_gt(nparts, 0);
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
	rb_diff(res.seqs, res.nseqs, want, nwant, why, sizeof why);
	ck_assert_msg(!why[0], "%s cut %zu: %s", mn, cut, why);
	ck_assert_msg(res.bad_content == 0, "%s cut %zu: %s", mn, cut, res.first_bad);
	ck_assert_uint_eq(res.st.events, nwant);
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
	int p = part_at(cut);
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
	suite_add_tcase(s, tc);
	return kcap_check_run(s);
}
