/* Issue 11 finding 3: a small capture that names origin 65535 must not make
 * the process tracker hold the section's snapshot once per origin number.
 * The tracker holds it once (kcap_procstate_entries), peak memory stays
 * small, and each origin still sees the snapshot, its own changes and none
 * of the other origins' changes. */
#include <check.h>
#include "check_run.h"
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <kcap/filter.h>
#include <kcap/kcap.h>
#include <kcap/procstate.h>
#include "amp_capture.h"

static long maxrss_kb(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static const char *exe_of(const kcap_procstate *ps, uint16_t origin, int32_t pid)
{
	const kcap_procinfo *pi = kcap_procstate_get_origin(ps, origin, pid);
	return pi ? pi->exe : NULL;
}

START_TEST(shared_snapshot_held_once)
{
	uint8_t *buf;
	size_t len;
	ck_assert_int_eq(amp_capture_build(&buf, &len), 0);
	ck_assert_uint_lt(len, 4096);
	kcap_reader *r;
	ck_assert_int_eq(kcap_reader_open_mem(&r, buf, len, "amp", NULL), 0);
	kcap_procstate *ps = kcap_procstate_new();
	kcap_filter *f;
	ck_assert_int_eq(kcap_filter_compile(&f, "proc.exe = /usr/bin/p1 and parent.exe = /sbin/init", NULL), 0);
	kcap_buf json = {0};
	const kcap_event *ev;
	long before = maxrss_kb();
	int n = 0;
	while (kcap_reader_next(r, &ev) > 0) {
		const kcap_schema *s = kcap_reader_schema(r);
		if (!n++) {
			ck_assert_uint_eq(kcap_reader_origin_snapshot_count(r), AMP_LAST_ORIGIN + 1);
			ck_assert_int_eq(kcap_procstate_load_reader(ps, r), 0);
			/* as many processes as each origin sees, but one copy held */
			ck_assert_uint_eq(kcap_procstate_count(ps), (size_t)AMP_LAST_ORIGIN * AMP_NPROC + 1);
			ck_assert_uint_le(kcap_procstate_entries(ps), AMP_NPROC + 1);
			ck_assert_str_eq(exe_of(ps, 0, 100), "/usr/bin/p0");
			ck_assert_str_eq(exe_of(ps, 40000, 110), "/usr/bin/p10");
			ck_assert_str_eq(exe_of(ps, AMP_LAST_ORIGIN, 100), "/opt/last");
			ck_assert_ptr_null(kcap_procstate_get_origin(ps, AMP_LAST_ORIGIN, 101));
		}
		ck_assert_int_eq(kcap_procstate_update(ps, ev, s), 0);
		json.len = 0;
		ck_assert_int_eq(kcap_render_json_proc(&json, ev, s, ps), 0);
		ck_assert_int_eq(kcap_buf_append(&json, "", 1), 0);
		int m = kcap_filter_match(f, ev, s, ps);
		switch (ev->seq) {
		case 1:
			ck_assert_msg(strstr(json.data, "\"exe\":\"/usr/bin/p0\",\"cwd\":\"/srv\",\"cmdline\":[\"/usr/bin/p0\"],"
			                                "\"parent\":{\"pid\":1,\"comm\":\"init\",\"exe\":\"/sbin/init\"}}"),
			              "%s", json.data);
			break;
		case 2: case 4:
			ck_assert_msg(strstr(json.data, "\"exe\":\"/bin/new\""), "%s", json.data);
			ck_assert_int_eq(m, 0);
			break;
		case 3:
			ck_assert_msg(strstr(json.data, "\"exe\":\"/usr/bin/p1\""), "%s", json.data);
			ck_assert_int_eq(m, 1);
			break;
		case 6:
			ck_assert_ptr_null(kcap_procstate_get_origin(ps, 2, 102));
			ck_assert_str_eq(exe_of(ps, 0, 102), "/usr/bin/p2");
			ck_assert_str_eq(exe_of(ps, 3, 102), "/usr/bin/p2");
			ck_assert_str_eq(exe_of(ps, 2, 103), "/usr/bin/p3");
			break;
		}
	}
	ck_assert_int_eq(n, 6);
	ck_assert_str_eq(exe_of(ps, 1, 101), "/bin/new");
	ck_assert_str_eq(exe_of(ps, 2, 101), "/usr/bin/p1");
	ck_assert_str_eq(exe_of(ps, 0, 101), "/usr/bin/p1");
	/* origin 2 lost 102; each origin's event pid has its own copy */
	ck_assert_uint_eq(kcap_procstate_count(ps), (size_t)AMP_LAST_ORIGIN * AMP_NPROC + 1 - 1);
	ck_assert_uint_le(kcap_procstate_entries(ps), AMP_NPROC + 1 + 8);
	/* a tracker holding 65535 copies peaked at hundreds of MB */
	long grown = maxrss_kb() - before;
	ck_assert_msg(grown < 32 * 1024, "peak RSS grew by %ld KB", grown);
	kcap_buf_free(&json);
	kcap_filter_free(f);
	kcap_procstate_free(ps);
	kcap_reader_close(r);
	free(buf);
}
END_TEST

int main(void)
{
	Suite *su = suite_create("snapshot_amp");
	TCase *tc = tcase_create("tracker");
	tcase_add_test(tc, shared_snapshot_held_once);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(su, tc);
	return kcap_check_run(su);
}
