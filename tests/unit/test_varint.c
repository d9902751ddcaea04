/* Varints (LEB128) and zigzag: the integer encodings of FORMAT.md. */
#include <check.h>
#include "check_run.h"
#include <stdlib.h>
#include "core/core.h"

START_TEST(zigzag_known_values)
{
	ck_assert_uint_eq(zz_enc(0), 0);
	ck_assert_uint_eq(zz_enc(-1), 1);
	ck_assert_uint_eq(zz_enc(1), 2);
	ck_assert_uint_eq(zz_enc(-2), 3);
	ck_assert_uint_eq(zz_enc(2147483647), 4294967294u);
	ck_assert_uint_eq(zz_enc(-2147483648LL), 4294967295u);
	ck_assert_uint_eq(zz_enc(INT64_MAX), UINT64_MAX - 1);
	ck_assert_uint_eq(zz_enc(INT64_MIN), UINT64_MAX);
	const int64_t vals[] = {0, 1, -1, 63, -64, 64, -65, 1000000007, -1000000007, INT64_MAX, INT64_MIN,
				INT64_MIN + 1, INT32_MIN, INT32_MAX};
	for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++)
		ck_assert_int_eq(zz_dec(zz_enc(vals[i])), vals[i]);
}
END_TEST

START_TEST(varint_known_bytes)
{
	uint8_t b[16];
	ck_assert_int_eq(put_varint(b, 0) - b, 1);
	ck_assert_uint_eq(b[0], 0);
	ck_assert_int_eq(put_varint(b, 127) - b, 1);
	ck_assert_uint_eq(b[0], 0x7f);
	ck_assert_int_eq(put_varint(b, 128) - b, 2);
	ck_assert_uint_eq(b[0], 0x80);
	ck_assert_uint_eq(b[1], 0x01);
	ck_assert_int_eq(put_varint(b, 300) - b, 2);
	ck_assert_uint_eq(b[0], 0xac);
	ck_assert_uint_eq(b[1], 0x02);
	ck_assert_int_eq(put_varint(b, UINT64_MAX) - b, 10);
	for (int i = 0; i < 9; i++)
		ck_assert_uint_eq(b[i], 0xff);
	ck_assert_uint_eq(b[9], 0x01);
}
END_TEST

START_TEST(varint_round_trip_all_lengths)
{
	uint8_t b[16];
	for (int bits = 0; bits <= 64; bits++) {
		uint64_t vs[3] = {bits ? (bits == 64 ? UINT64_MAX : (1ull << bits) - 1) : 0, bits < 64 ? 1ull << bits : 1,
				  bits ? 1ull << (bits - 1) : 0};
		for (int k = 0; k < 3; k++) {
			uint8_t *e = put_varint(b, vs[k]);
			const uint8_t *p = b;
			uint64_t out = 12345;
			ck_assert_int_eq(get_varint(&p, e, &out), 0);
			ck_assert_uint_eq(out, vs[k]);
			ck_assert_ptr_eq(p, e);
			/* every strict prefix is malformed and leaves the cursor */
			for (const uint8_t *cut = b; cut < e; cut++) {
				const uint8_t *q = b;
				ck_assert_int_eq(get_varint(&q, cut, &out), -1);
				ck_assert_ptr_eq(q, b);
			}
		}
	}
}
END_TEST

START_TEST(varint_overlong_rejected)
{
	uint8_t b[12];
	memset(b, 0x80, sizeof b); /* never terminates within 10 bytes */
	const uint8_t *p = b;
	uint64_t v;
	ck_assert_int_eq(get_varint(&p, b + sizeof b, &v), -1);
	ck_assert_ptr_eq(p, b);
	memset(b, 0xff, sizeof b);
	b[11] = 0x01;
	p = b;
	ck_assert_int_eq(get_varint(&p, b + sizeof b, &v), -1);
}
END_TEST

START_TEST(cursor_bounds)
{
	uint8_t b[8] = {0x05, 'h', 'e', 'l', 'l', 'o', 0x09, 'x'};
	cur c = {b, b + sizeof b, 0};
	char *s = cur_strdup(&c);
	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s, "hello");
	free(s);
	ck_assert_int_eq(c.bad, 0);
	/* length 9 with 1 byte left: the cursor goes bad and stays bad */
	ck_assert_ptr_null(cur_strdup(&c));
	ck_assert_int_eq(c.bad, 1);
	ck_assert_uint_eq(cur_varint(&c), 0);
	ck_assert_ptr_null(cur_bytes(&c, 0));
	cur e = {b, b, 0};
	ck_assert_uint_eq(cur_varint(&e), 0);
	ck_assert_int_eq(e.bad, 1);
}
END_TEST

START_TEST(buf_put_varint_and_str)
{
	kcap_buf b = {0};
	ck_assert_int_eq(kcap_buf_put_varint(&b, 300), 0);
	ck_assert_int_eq(kcap_buf_put_str(&b, "abc", 3), 0);
	ck_assert_uint_eq(b.len, 6);
	ck_assert_mem_eq(b.data, "\xac\x02\x03" "abc", 6);
	for (int i = 0; i < 100000; i++)
		ck_assert_int_eq(kcap_buf_put_varint(&b, (uint64_t)i * 977), 0);
	const uint8_t *p = (const uint8_t *)b.data + 6, *end = (const uint8_t *)b.data + b.len;
	for (int i = 0; i < 100000; i++) {
		uint64_t v;
		ck_assert_int_eq(get_varint(&p, end, &v), 0);
		ck_assert_uint_eq(v, (uint64_t)i * 977);
	}
	ck_assert_ptr_eq(p, end);
	kcap_buf_free(&b);
	kcap_buf_free(NULL);
}
END_TEST

START_TEST(byte_order_little_endian)
{
	uint8_t b[8];
	put_u32(b, 0x11223344u);
	ck_assert_mem_eq(b, "\x44\x33\x22\x11", 4);
	put_u64(b, 0x0102030405060708ull);
	ck_assert_mem_eq(b, "\x08\x07\x06\x05\x04\x03\x02\x01", 8);
	ck_assert_uint_eq(get_u64(b), 0x0102030405060708ull);
	put_u16(b, 0xbeef);
	ck_assert_uint_eq(get_u16(b), 0xbeef);
	ck_assert_uint_eq(b[0], 0xef);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("varint");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 120); /* sanitizer builds on a loaded CI host are slow */
	tcase_add_test(tc, zigzag_known_values);
	tcase_add_test(tc, varint_known_bytes);
	tcase_add_test(tc, varint_round_trip_all_lengths);
	tcase_add_test(tc, varint_overlong_rejected);
	tcase_add_test(tc, cursor_bounds);
	tcase_add_test(tc, buf_put_varint_and_str);
	tcase_add_test(tc, byte_order_little_endian);
	suite_add_tcase(s, tc);
	return kcap_check_run(s);
}
