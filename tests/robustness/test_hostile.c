/*
 * Hostile captures (issue 11): files that are well formed but lie. An index
 * that disagrees with its blocks is reported once as damage and not used,
 * so that skipping and seeking always give what a full scan gives; a seek
 * applies the context a sequential read would.
 */
#include <check.h>
#include "check_run.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "core/core.h"
#include "hostile.h"
#include "testcap.h"

typedef struct answer {
	size_t n;
	uint64_t seq[4096];
	int damage;
	int unknown_types; /* events whose type is not in the schema */
} answer;

static void on_damage(void *ud, const kcap_error *e, uint64_t skipped)
{
	(void)e;
	(void)skipped;
	((answer *)ud)->damage++;
}

static int bf_pid42(void *ud, const kcap_block_summary *s)
{
	(void)ud;
	return kcap_summary_may_have_pid(s, 42);
}

static int ef_pid42(void *ud, const kcap_event *ev)
{
	(void)ud;
	return ev->pid == 42;
}

/* Reads buf: with the index (from a file, so that blocks are skipped by
 * their entries and seeks use it) or as a full scan from memory, which
 * filters and seeks by itself. */
static void answer_of(const uint8_t *buf, size_t len, int indexed, int pid42, int64_t from, answer *a)
{
	memset(a, 0, sizeof *a);
	kcap_reader *r = NULL;
	kcap_error err;
	char path[] = "/tmp/kcap-hostile-XXXXXX";
	int fd = -1;
	if (indexed) {
		fd = mkstemp(path);
		ck_assert_int_ge(fd, 0);
		ck_assert_int_eq((int)write(fd, buf, len), (int)len);
		ck_assert_int_eq(kcap_reader_open_path(&r, path, &err), 0);
		unlink(path);
		close(fd);
	} else {
		ck_assert_int_eq(kcap_reader_open_mem(&r, buf, len, "mem", &err), 0);
	}
	kcap_reader_set_damage_cb(r, on_damage, a);
	if (indexed) {
		kcap_reader_load_index(r);
		if (pid42) {
			kcap_reader_set_block_filter(r, bf_pid42, NULL);
			kcap_reader_set_event_filter(r, ef_pid42, NULL);
		}
		if (from != INT64_MIN)
			ck_assert_int_eq(kcap_reader_seek_time(r, from), 0);
	}
	const kcap_event *ev;
	int rc;
	while ((rc = kcap_reader_next(r, &ev)) == 1) {
		if (!indexed && ((pid42 && ev->pid != 42) || ev->ts < from))
			continue;
		if (!ev->def)
			a->unknown_types++;
		ck_assert_uint_lt(a->n, 4096);
		a->seq[a->n++] = ev->seq;
	}
	ck_assert_int_eq(rc, 0);
	kcap_reader_close(r);
}

static void same_answer(const answer *want, const answer *got, const char *what)
{
	ck_assert_msg(got->n == want->n, "%s: %zu events, a full scan gives %zu", what, got->n, want->n);
	for (size_t i = 0; i < got->n; i++)
		ck_assert_msg(got->seq[i] == want->seq[i], "%s: event %zu is seq %llu, a full scan gives %llu", what, i,
			      (unsigned long long)got->seq[i], (unsigned long long)want->seq[i]);
	ck_assert_msg(got->unknown_types == 0, "%s: %d events of a type not in the schema", what, got->unknown_types);
}

static uint8_t *base;
static size_t base_len;

static void setup(void)
{
	testcap_opts o = {.nevents = 2000, .block_size = 1024, .with_snapshot = 1};
	ck_assert_int_eq(testcap_build(&o, &base, &base_len), 0);
}

static void teardown(void)
{
	free(base);
	base = NULL;
}

/* The three questions every lie is asked: all events, pid 42 (block
 * skipping), and from a time in the middle (a seek). */
static void ask_all(const uint8_t *buf, size_t len, const char *what, int *damage)
{
	static answer want, got;
	int64_t mid = TESTCAP_T0 + 1500 * TESTCAP_STEP + 1;
	const struct {
		int pid42;
		int64_t from;
	} q[] = {{0, INT64_MIN}, {1, INT64_MIN}, {0, mid}, {1, mid}};
	*damage = 0;
	for (size_t i = 0; i < sizeof q / sizeof q[0]; i++) {
		answer_of(base, base_len, 0, q[i].pid42, q[i].from, &want);
		answer_of(buf, len, 1, q[i].pid42, q[i].from, &got);
		char w[300];
		snprintf(w, sizeof w, "%s (pid42 %d, from %s)", what, q[i].pid42, q[i].from == INT64_MIN ? "start" : "+1.5s");
		same_answer(&want, &got, w);
		*damage += got.damage;
	}
}

START_TEST(intact_index_is_used)
{
	static answer a, want;
	answer_of(base, base_len, 1, 1, INT64_MIN, &a);
	answer_of(base, base_len, 0, 1, INT64_MIN, &want);
	ck_assert_int_eq(a.damage, 0);
	ck_assert_uint_gt(a.n, 0);
	ck_assert_uint_eq(a.n, want.n);
	int damage;
	ask_all(base, base_len, "intact", &damage);
	ck_assert_int_eq(damage, 0);
}
END_TEST

/* Issue 11 §4 and §5: each named lie is reported and answered right. */
START_TEST(named_lies)
{
	hostile_file f;
	ck_assert_int_eq(hostile_make((size_t)_i, &f), 0);
	int damage;
	ask_all(f.buf, f.len, f.name, &damage);
	/* each of the 4 questions reports the lie once */
	ck_assert_msg(damage == 4, "%s: %d damage reports for 4 reads", f.name, damage);
	free(f.buf);
}
END_TEST

/* Issue 11 §4: skipping never gives another answer than a full scan, over
 * many random lies. */
START_TEST(mutated_indexes)
{
	uint64_t rng = 0x6b636170;
	int lies_seen = 0;
	for (int i = 0; i < 300; i++) {
		size_t len;
		char what[200];
		uint8_t *bad = hostile_index_mutate(base, base_len, &rng, &len, what, sizeof what);
		ck_assert_ptr_nonnull(bad);
		int damage;
		char w[260];
		snprintf(w, sizeof w, "mutation %d: %s", i, what);
		ask_all(bad, len, w, &damage);
		lies_seen += damage > 0;
		free(bad);
	}
	ck_assert_int_gt(lies_seen, 250);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("hostile");
	TCase *tc = tcase_create("index");
	tcase_set_timeout(tc, 300);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, intact_index_is_used);
	tcase_add_loop_test(tc, named_lies, 0, 4);
	tcase_add_test(tc, mutated_indexes);
	suite_add_tcase(s, tc);
	return kcap_check_run(s);
}
