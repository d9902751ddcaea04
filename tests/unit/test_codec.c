/* Event record encoding: every param type, deltas, absent params, limits. */
#include <check.h>
#include "check_run.h"
#include <stdlib.h>
#include <string.h>
#include "core/codec.h"
#include "testcap.h"

static kcap_schema *schema;
static void setup(void) { schema = testcap_schema(); }
static void teardown(void) { kcap_schema_free(schema); }

START_TEST(round_trip_every_param_type)
{
	kcap_buf b = {0};
	testcap_event t;
	kcap_event got;
	kcap_value vals[KCAP_MAX_PARAMS];
	char why[300];
	int64_t prev_ts = 0;
	uint64_t prev_seq = 0;
	int seen_types[KCAP_T_MAX_ + 1] = {0};
	for (uint64_t n = 1; n <= 500; n++) {
		testcap_make_event(&t, n);
		const kcap_type_def *def = kcap_schema_type(schema, t.ev.type_id);
		ck_assert_ptr_nonnull(def);
		b.len = 0;
		ck_assert_int_eq(kcap_event_encode(&b, &t.ev, def, prev_ts, prev_seq), 0);
		memset(&got, 0xa5, sizeof got);
		ck_assert_int_eq(kcap_event_decode((const uint8_t *)b.data, (const uint8_t *)b.data + b.len, schema, prev_ts,
						   prev_seq, &got, vals), 0);
		ck_assert_ptr_eq(got.def, def);
		ck_assert_msg(testcap_check_event(&got, why, sizeof why) == 0, "%s", why);
		ck_assert_uint_eq(got.seq, n);
		for (uint32_t i = 0; i < got.nparams; i++)
			if (got.params[i].present)
				seen_types[got.params[i].type] = 1;
		prev_ts = t.ev.ts;
		prev_seq = t.ev.seq;
	}
	for (int ty = 1; ty <= KCAP_T_MAX_; ty++)
		ck_assert_msg(seen_types[ty], "param type %d never exercised", ty);
	kcap_buf_free(&b);
}
END_TEST

START_TEST(deltas_are_compact_and_extremes_survive)
{
	kcap_buf b = {0};
	testcap_event t;
	kcap_event got;
	kcap_value vals[KCAP_MAX_PARAMS];
	testcap_make_event(&t, 4); /* TC_BIG, one u64 param */
	const kcap_type_def *def = kcap_schema_type(schema, TC_BIG);
	ck_assert_int_eq(kcap_event_encode(&b, &t.ev, def, t.ev.ts - 1000, t.ev.seq - 1), 0);
	size_t small = b.len;
	b.len = 0;
	ck_assert_int_eq(kcap_event_encode(&b, &t.ev, def, 0, 0), 0);
	ck_assert_uint_lt(small + 6, b.len); /* a 1 us delta is far shorter than an absolute ts */
	/* timestamps and seqs at the ends of their ranges, in both directions */
	const int64_t ts[] = {INT64_MIN, INT64_MAX, 0, -1, INT64_MIN + 1};
	const uint64_t seqs[] = {0, UINT64_MAX, 1, UINT64_MAX - 1, 1ull << 63};
	for (size_t i = 0; i < 5; i++)
		for (size_t j = 0; j < 5; j++) {
			t.ev.ts = ts[i];
			t.ev.seq = seqs[i];
			t.ev.pid = i & 1 ? INT32_MIN : INT32_MAX;
			t.ev.tid = i & 1 ? INT32_MAX : INT32_MIN;
			t.ev.ppid = INT32_MIN;
			t.ev.cpu = UINT32_MAX;
			t.ev.uid = UINT32_MAX;
			t.ev.origin = 65535;
			b.len = 0;
			ck_assert_int_eq(kcap_event_encode(&b, &t.ev, def, ts[j], seqs[j]), 0);
			ck_assert_int_eq(kcap_event_decode((const uint8_t *)b.data, (const uint8_t *)b.data + b.len, schema,
							   ts[j], seqs[j], &got, vals), 0);
			ck_assert_int_eq(got.ts, ts[i]);
			ck_assert_uint_eq(got.seq, seqs[i]);
			ck_assert_int_eq(got.pid, t.ev.pid);
			ck_assert_int_eq(got.tid, t.ev.tid);
			ck_assert_int_eq(got.ppid, INT32_MIN);
			ck_assert_uint_eq(got.cpu, UINT32_MAX);
			ck_assert_uint_eq(got.uid, UINT32_MAX);
			ck_assert_uint_eq(got.origin, 65535);
		}
	kcap_buf_free(&b);
}
END_TEST

START_TEST(every_prefix_is_rejected)
{
	kcap_buf b = {0};
	testcap_event t;
	kcap_event got;
	kcap_value vals[KCAP_MAX_PARAMS];
	for (uint64_t n = 10; n < 15; n++) {
		testcap_make_event(&t, n);
		const kcap_type_def *def = kcap_schema_type(schema, t.ev.type_id);
		b.len = 0;
		ck_assert_int_eq(kcap_event_encode(&b, &t.ev, def, 0, 0), 0);
		for (size_t cut = 0; cut < b.len; cut++) {
			uint8_t *copy = malloc(cut + 1); /* exact-size copy: ASan sees any over-read */
			memcpy(copy, b.data, cut);
			ck_assert_int_eq(kcap_event_decode(copy, copy + cut, schema, 0, 0, &got, vals), KCAP_E_CORRUPT);
			free(copy);
		}
	}
	kcap_buf_free(&b);
}
END_TEST

START_TEST(unknown_type_decodes_canonical_fields)
{
	kcap_buf b = {0};
	testcap_event t;
	kcap_event got;
	kcap_value vals[KCAP_MAX_PARAMS];
	testcap_make_event(&t, 1);
	ck_assert_int_eq(kcap_event_encode(&b, &t.ev, kcap_schema_type(schema, TC_OPEN), 0, 0), 0);
	kcap_schema *empty = kcap_schema_new();
	ck_assert_int_eq(kcap_event_decode((const uint8_t *)b.data, (const uint8_t *)b.data + b.len, empty, 0, 0, &got, vals), 0);
	ck_assert_ptr_null(got.def);
	ck_assert_uint_eq(got.nparams, 0);
	ck_assert_uint_eq(got.type_id, TC_OPEN);
	ck_assert_int_eq(got.ts, t.ev.ts);
	ck_assert_int_eq(got.pid, t.ev.pid);
	kcap_schema_free(empty);
	kcap_buf_free(&b);
}
END_TEST

START_TEST(hostile_records)
{
	kcap_event got;
	kcap_value vals[KCAP_MAX_PARAMS];
	/* header varints that never end */
	uint8_t ff[32];
	memset(ff, 0xff, sizeof ff);
	ck_assert_int_eq(kcap_event_decode(ff, ff + sizeof ff, schema, 0, 0, &got, vals), KCAP_E_CORRUPT);
	/* huge deltas: ts and seq wrap instead of overflowing */
	uint8_t rec[64], *p = rec;
	p = put_varint(p, (uint64_t)TC_BIG << 2);
	p = put_varint(p, UINT64_MAX); /* ts delta INT64_MIN */
	p = put_varint(p, UINT64_MAX - 1); /* seq delta INT64_MAX */
	p = put_varint(p, zz_enc(INT32_MAX));
	p = put_varint(p, zz_enc(INT64_MAX)); /* tid delta */
	p = put_varint(p, UINT64_MAX);       /* ppid */
	p = put_varint(p, UINT64_MAX);       /* cpu */
	p = put_varint(p, 0);
	p = put_varint(p, 0);
	p = put_varint(p, 0);                /* comm_len */
	p = put_varint(p, 7);                /* value */
	int rc = kcap_event_decode(rec, p, schema, INT64_MIN + 5, 3, &got, vals);
	ck_assert(rc == 0 || rc == KCAP_E_CORRUPT);
	/* comm longer than the record */
	p = rec;
	p = put_varint(p, (uint64_t)TC_BIG << 2);
	for (int i = 0; i < 8; i++)
		p = put_varint(p, 0);
	p = put_varint(p, 60000);
	ck_assert_int_eq(kcap_event_decode(rec, p, schema, 0, 0, &got, vals), KCAP_E_CORRUPT);
	/* a path param claiming 2^62 bytes, a sockaddr with an unknown family */
	const uint32_t types[2] = {TC_OPEN, TC_ALL};
	for (int k = 0; k < 2; k++) {
		p = rec;
		p = put_varint(p, (uint64_t)types[k] << 2);
		for (int i = 0; i < 9; i++)
			p = put_varint(p, 0);
		p = put_varint(p, 1ull << 62);
		ck_assert_int_eq(kcap_event_decode(rec, p, schema, 0, 0, &got, vals), KCAP_E_CORRUPT);
	}
	kcap_param_def sp[] = {{"a", KCAP_T_SOCKADDR, 0, 0}};
	kcap_type_def st = {50, "sock", "net", "", 1, sp};
	ck_assert_int_eq(kcap_schema_add_type(schema, &st), 0);
	for (int af = 0; af < 8; af++) {
		p = rec;
		p = put_varint(p, 50u << 2);
		for (int i = 0; i < 9; i++)
			p = put_varint(p, 0);
		*p++ = (uint8_t)af;
		p = put_varint(p, 70000); /* port out of range for inet, length beyond the record for unix */
		rc = kcap_event_decode(rec, p, schema, 0, 0, &got, vals);
		if (af == KCAP_AF_NONE)
			ck_assert_int_eq(rc, 0);
		else
			ck_assert_int_eq(rc, KCAP_E_CORRUPT);
	}
}
END_TEST

START_TEST(encode_rejects_lengths_without_bytes)
{
	kcap_buf b = {0};
	testcap_event t;
	testcap_make_event(&t, 1); /* TC_OPEN: path first */
	const kcap_type_def *def = kcap_schema_type(schema, TC_OPEN);
	t.vals[0].p = NULL;
	t.vals[0].len = 100000;
	ck_assert_int_eq(kcap_event_encode(&b, &t.ev, def, 0, 0), KCAP_E_INVAL);
	t.vals[0].len = 0; /* an empty path needs no bytes */
	ck_assert_int_eq(kcap_event_encode(&b, &t.ev, def, 0, 0), 0);
	testcap_make_event(&t, 1);
	t.ev.comm = NULL;
	ck_assert_int_eq(kcap_event_encode(&b, &t.ev, def, 0, 0), KCAP_E_INVAL);
	testcap_make_event(&t, 3); /* TC_EXEC: argv strlist */
	t.vals[0].p = NULL;
	ck_assert_int_eq(kcap_event_encode(&b, &t.ev, kcap_schema_type(schema, TC_EXEC), 0, 0), KCAP_E_INVAL);
	kcap_buf_free(&b);
}
END_TEST

START_TEST(encode_ignores_stale_bytes_of_integer_params)
{
	/* A value array reused from a string-carrying event keeps p and len in
	 * its integer params: encoding must neither read nor reserve for them. */
	kcap_buf b = {0}, ref = {0};
	testcap_event t;
	testcap_make_event(&t, 1); /* TC_OPEN: path, then integer params */
	const kcap_type_def *def = kcap_schema_type(schema, TC_OPEN);
	ck_assert_int_eq(kcap_event_encode(&ref, &t.ev, def, 0, 0), 0);
	for (uint32_t i = 1; i < def->nparams; i++) {
		t.vals[i].p = (const uint8_t *)"x";
		t.vals[i].len = 0xfffffff0u; /* would be a 4 GiB reservation */
	}
	ck_assert_int_eq(kcap_event_encode(&b, &t.ev, def, 0, 0), 0);
	ck_assert_uint_lt(b.cap, 1u << 20); /* nothing reserved for the stale lengths */
	ck_assert_uint_eq(b.len, ref.len);
	ck_assert(!memcmp(b.data, ref.data, b.len));
	kcap_buf_free(&b);
	kcap_buf_free(&ref);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("codec");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 120); /* sanitizer builds on a loaded CI host are slow */
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, round_trip_every_param_type);
	tcase_add_test(tc, encode_ignores_stale_bytes_of_integer_params);
	tcase_add_test(tc, deltas_are_compact_and_extremes_survive);
	tcase_add_test(tc, every_prefix_is_rejected);
	tcase_add_test(tc, unknown_type_decodes_canonical_fields);
	tcase_add_test(tc, hostile_records);
	tcase_add_test(tc, encode_rejects_lengths_without_bytes);
	suite_add_tcase(s, tc);
	return kcap_check_run(s);
}
