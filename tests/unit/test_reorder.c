/* Holding and uniting events: the event copy rule, the reorder window and
 * the schema union (kcap.h "Holding and uniting events"). */
#include <check.h>
#include "check_run.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <kcap/kcap.h>

static kcap_event mkev(int64_t ts, uint64_t seq, kcap_value *vals, uint32_t n)
{
	kcap_event ev = {.seq = seq, .ts = ts, .pid = 7, .tid = 8, .type_id = 3, .comm = "cat", .comm_len = 3,
	                 .nparams = n, .params = vals};
	return ev;
}

START_TEST(copy_rule)
{
	char path[] = "/etc/passwd", junk[] = "stale";
	kcap_value v[4] = {
		{.type = KCAP_T_PATH, .present = 1, .len = 11, .p = (const uint8_t *)path},
		/* an INET address keeps its bytes in addr[]; p is stale */
		{.type = KCAP_T_SOCKADDR, .present = 1, .af = KCAP_AF_INET, .port = 80, .len = 5,
		 .p = (const uint8_t *)junk, .addr = {10, 0, 0, 1}},
		{.type = KCAP_T_SOCKADDR, .present = 1, .af = KCAP_AF_UNIX, .len = 4, .p = (const uint8_t *)"/tmp"},
		/* an integer with a stale pointer, as a reused value array has */
		{.type = KCAP_T_U32, .present = 1, .u = 42, .len = 5, .p = (const uint8_t *)junk},
	};
	ck_assert_int_eq(kcap_value_has_bytes(&v[0]), 1);
	ck_assert_int_eq(kcap_value_has_bytes(&v[1]), 0);
	ck_assert_int_eq(kcap_value_has_bytes(&v[2]), 1);
	ck_assert_int_eq(kcap_value_has_bytes(&v[3]), 0);
	kcap_value absent = {.type = KCAP_T_STR, .present = 0, .len = 3, .p = (const uint8_t *)"abc"};
	ck_assert_int_eq(kcap_value_has_bytes(&absent), 0);

	kcap_event ev = mkev(100, 1, v, 4);
	size_t n = kcap_event_copy_size(&ev);
	ck_assert_uint_eq(n, sizeof(kcap_event) + 4 * sizeof(kcap_value) + 3 + 11 + 4);
	void *mem = malloc(n);
	kcap_event *c = kcap_event_copy_to(mem, &ev);
	path[0] = 'X'; /* the copy must not see later changes of the source */
	ck_assert_ptr_eq(c, mem);
	ck_assert_int_eq(c->ts, 100);
	ck_assert_uint_eq(c->nparams, 4);
	ck_assert_ptr_ne(c->params, v);
	ck_assert_mem_eq(c->comm, "cat", 3);
	ck_assert_uint_eq(c->params[0].len, 11);
	ck_assert_mem_eq(c->params[0].p, "/etc/passwd", 11);
	ck_assert_ptr_null(c->params[1].p);
	ck_assert_uint_eq(c->params[1].port, 80);
	ck_assert_uint_eq(c->params[1].addr[3], 1);
	ck_assert_mem_eq(c->params[2].p, "/tmp", 4);
	ck_assert_ptr_null(c->params[3].p);
	ck_assert_uint_eq(c->params[3].u, 42);
	/* every pointer of the copy lies inside its memory */
	const char *lo = mem, *hi = lo + n;
	ck_assert((const char *)c->params[0].p >= lo && (const char *)c->params[0].p + 11 <= hi);
	ck_assert((const char *)c->params[2].p >= lo && (const char *)c->params[2].p + 4 <= hi);
	free(mem);
}
END_TEST

/* Pops everything with ts <= limit; returns how many, their ts in out. */
static size_t drain(kcap_reorder *q, int64_t limit, int64_t *out, uint64_t *seqs)
{
	size_t n = 0;
	kcap_event *e;
	while ((e = kcap_reorder_pop(q, limit))) {
		out[n] = e->ts;
		seqs[n++] = e->seq;
	}
	return n;
}

START_TEST(window_order)
{
	kcap_reorder *q;
	ck_assert_int_eq(kcap_reorder_new(&q, 0), 0);
	ck_assert_uint_eq(kcap_reorder_count(q), 0);
	ck_assert_int_eq(kcap_reorder_max_ts(q), INT64_MIN);
	ck_assert_ptr_null(kcap_reorder_peek(q));
	ck_assert_ptr_null(kcap_reorder_pop(q, INT64_MAX));
	/* ts, and for equal ts the order of pushing (seq ignored) */
	const int64_t ts[] = {50, 10, 30, 10, 70, 20};
	const uint64_t seq[] = {1, 9, 2, 3, 4, 5};
	for (int i = 0; i < 6; i++) {
		kcap_event ev = mkev(ts[i], seq[i], NULL, 0);
		ck_assert_int_eq(kcap_reorder_push(q, &ev), 0);
	}
	ck_assert_uint_eq(kcap_reorder_count(q), 6);
	kcap_event one = mkev(0, 0, NULL, 0);
	ck_assert_uint_eq(kcap_reorder_bytes(q), 6 * kcap_event_copy_size(&one)); /* the copies held */
	ck_assert_int_eq(kcap_reorder_max_ts(q), 70);
	ck_assert_int_eq(kcap_reorder_peek(q)->ts, 10);
	ck_assert_uint_eq(kcap_reorder_peek(q)->seq, 9);
	int64_t got[8];
	uint64_t gseq[8];
	ck_assert_uint_eq(drain(q, 29, got, gseq), 3); /* the limit holds back 30, 50, 70 */
	ck_assert_int_eq(got[0], 10);
	ck_assert_uint_eq(gseq[0], 9);
	ck_assert_int_eq(got[1], 10);
	ck_assert_uint_eq(gseq[1], 3);
	ck_assert_int_eq(got[2], 20);
	ck_assert_uint_eq(kcap_reorder_count(q), 3);
	ck_assert_uint_eq(kcap_reorder_bytes(q), 3 * kcap_event_copy_size(&one));
	ck_assert_uint_eq(drain(q, INT64_MAX, got, gseq), 3);
	ck_assert_int_eq(got[0], 30);
	ck_assert_int_eq(got[1], 50);
	ck_assert_int_eq(got[2], 70);
	ck_assert_int_eq(kcap_reorder_max_ts(q), 70); /* the newest seen, not held */
	ck_assert_uint_eq(kcap_reorder_bytes(q), 0);
	kcap_reorder_free(q);

	/* with KCAP_REORDER_SEQ equal times go by seq */
	ck_assert_int_eq(kcap_reorder_new(&q, KCAP_REORDER_SEQ), 0);
	for (int i = 0; i < 6; i++) {
		kcap_event ev = mkev(ts[i], seq[i], NULL, 0);
		ck_assert_int_eq(kcap_reorder_push(q, &ev), 0);
	}
	ck_assert_uint_eq(drain(q, INT64_MAX, got, gseq), 6);
	ck_assert_int_eq(got[0], 10);
	ck_assert_uint_eq(gseq[0], 3);
	ck_assert_uint_eq(gseq[1], 9);
	kcap_reorder_free(q);
	kcap_reorder_free(NULL);
}
END_TEST

/* Many events, far more than one chunk holds, some large: the copies stay
 * intact while chunks are filled, emptied and reused, and the popped event
 * may be changed by the caller. */
START_TEST(window_many)
{
	kcap_reorder *q;
	ck_assert_int_eq(kcap_reorder_new(&q, 0), 0);
	enum { N = 200000 };
	char *big = malloc(3u << 20); /* larger than a chunk */
	memset(big, 'b', 3u << 20);
	int64_t next = 0;
	uint64_t popped = 0;
	for (int i = 0; i < N; i++) {
		char s[16];
		int len = snprintf(s, sizeof s, "e%d", i);
		kcap_value v = {.type = KCAP_T_STR, .present = 1, .len = (uint32_t)len, .p = (const uint8_t *)s};
		if (i == 777) {
			v.p = (const uint8_t *)big;
			v.len = 3u << 20;
		}
		/* out of order within pairs: 1 0 3 2 5 4 ... */
		int64_t t = i ^ 1;
		kcap_event ev = mkev(t, (uint64_t)t, &v, 1);
		ck_assert_int_eq(kcap_reorder_push(q, &ev), 0);
		kcap_event *e;
		while ((e = kcap_reorder_pop(q, kcap_reorder_max_ts(q) - 4))) {
			ck_assert_int_eq(e->ts, next);
			if (next == (777 ^ 1)) { /* pushed as i = 777 */
				ck_assert_uint_eq(e->params[0].len, 3u << 20);
				ck_assert_int_eq(e->params[0].p[(3u << 20) - 1], 'b');
			} else {
				char want[16];
				int wl = snprintf(want, sizeof want, "e%lld", (long long)(next ^ 1));
				ck_assert_uint_eq(e->params[0].len, (uint32_t)wl);
				ck_assert_mem_eq(e->params[0].p, want, (size_t)wl);
			}
			e->seq = 99; /* the caller's until the next call */
			next++;
			popped++;
		}
	}
	ck_assert_uint_eq(kcap_reorder_count(q), 4); /* ts N-4 .. N-1, within 4 of the newest */
	ck_assert_uint_eq(popped + 4, N);
	free(big);
	kcap_reorder_free(q); /* frees what is still held */
}
END_TEST

START_TEST(unite)
{
	kcap_schema *dst = kcap_schema_new();
	kcap_sym sa[] = {{1, 1, "A"}, {2, 2, "B"}};
	kcap_sym sb[] = {{1, 1, "A"}, {2, 2, "C"}};
	kcap_symset set_a = {.id = 5, .kind = KCAP_SYMSET_FLAGS, .name = "f", .nsyms = 2, .syms = sa};
	kcap_symset set_b = {.id = 5, .kind = KCAP_SYMSET_FLAGS, .name = "f", .nsyms = 2, .syms = sb};
	uint32_t next_sid = 1, sid;
	ck_assert_int_eq(kcap_schema_unite_symset(dst, &set_a, &next_sid, &sid), 1);
	ck_assert_uint_eq(sid, 5); /* its own id was free */
	ck_assert_int_eq(kcap_symset_equal(&set_a, &set_b), 0);
	ck_assert_int_eq(kcap_schema_unite_symset(dst, &set_b, &next_sid, &sid), 1);
	ck_assert_uint_eq(sid, 1); /* id 5 taken by another set: the next free one */
	ck_assert_uint_eq(next_sid, 2);
	set_a.id = 77; /* an equal set under another id is the one there */
	ck_assert_int_eq(kcap_schema_unite_symset(dst, &set_a, &next_sid, &sid), 0);
	ck_assert_uint_eq(sid, 5);
	ck_assert_str_eq(kcap_schema_symset(dst, 1)->syms[1].name, "C");

	kcap_param_def pa[] = {{"fd", KCAP_T_FD, 0, 0}, {"flags", KCAP_T_FLAGS, 0, 5}};
	kcap_param_def pb[] = {{"fd", KCAP_T_FD, 0, 0}, {"flags", KCAP_T_FLAGS, 0, 1}};
	kcap_type_def ta = {.id = 3, .name = "open", .category = "file", .nparams = 2, .params = pa};
	kcap_type_def tb = {.id = 3, .name = "open", .category = "file", .nparams = 2, .params = pb};
	kcap_type_def tc = {.id = 1, .name = "x", .category = NULL, .nparams = 0, .params = NULL};
	kcap_type_def tc2 = {.id = 9, .name = "x", .category = "", .description = "other words", .nparams = 0};
	uint32_t next_tid = 1, tid;
	ck_assert_int_eq(kcap_type_def_equal(&ta, &tb), 0); /* they differ in a param's symset */
	ck_assert_int_eq(kcap_type_def_equal(&tc, &tc2), 1); /* NULL category is "", ids and descriptions aside */
	ck_assert_int_eq(kcap_schema_unite_type(dst, &ta, &next_tid, &tid), 1);
	ck_assert_uint_eq(tid, 3);
	ck_assert_int_eq(kcap_schema_unite_type(dst, &tc, &next_tid, &tid), 1);
	ck_assert_uint_eq(tid, 1);
	ck_assert_int_eq(kcap_schema_unite_type(dst, &tb, &next_tid, &tid), 1);
	ck_assert_uint_eq(tid, 2); /* 3 and 1 are taken */
	ck_assert_uint_eq(next_tid, 3);
	ck_assert_uint_eq(kcap_schema_type(dst, 2)->params[1].symset, 1);
	ck_assert_int_eq(kcap_schema_unite_type(dst, &tc2, &next_tid, &tid), 0);
	ck_assert_uint_eq(tid, 1);
	kcap_type_def bad = {.id = 40, .name = NULL};
	ck_assert_int_eq(kcap_schema_unite_type(dst, &bad, &next_tid, &tid), KCAP_E_INVAL);
	ck_assert_ptr_null(kcap_schema_type(dst, 40));
	/* kcap_schema_add_type uses the same comparison for an id already there */
	ck_assert_int_eq(kcap_schema_add_type(dst, &tb), KCAP_E_INVAL);
	tc2.id = 1;
	ck_assert_int_eq(kcap_schema_add_type(dst, &tc2), 0);
	kcap_schema_free(dst);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("reorder");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, copy_rule);
	tcase_add_test(tc, window_order);
	tcase_add_test(tc, window_many);
	tcase_add_test(tc, unite);
	suite_add_tcase(s, tc);
	return kcap_check_run(s);
}
