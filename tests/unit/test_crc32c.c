/* CRC32C (Castagnoli) against published check values. */
#include <check.h>
#include "check_run.h"
#include <stdlib.h>
#include "core/core.h"

/* Bitwise reference implementation, independent of the table code. */
static uint32_t crc_ref(const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffffu;
	while (n--) {
		c ^= *p++;
		for (int k = 0; k < 8; k++)
			c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
	}
	return ~c;
}

START_TEST(check_value)
{
	ck_assert_uint_eq(kcap_crc32c(0, "123456789", 9), 0xE3069283u);
	ck_assert_uint_eq(kcap_crc32c(0, "", 0), 0);
}
END_TEST

/* RFC 3720 (iSCSI) appendix B.4 test vectors. */
START_TEST(rfc3720_vectors)
{
	uint8_t b[48];
	memset(b, 0, 32);
	ck_assert_uint_eq(kcap_crc32c(0, b, 32), 0x8A9136AAu);
	memset(b, 0xff, 32);
	ck_assert_uint_eq(kcap_crc32c(0, b, 32), 0x62A8AB43u);
	for (int i = 0; i < 32; i++)
		b[i] = (uint8_t)i;
	ck_assert_uint_eq(kcap_crc32c(0, b, 32), 0x46DD794Eu);
	for (int i = 0; i < 32; i++)
		b[i] = (uint8_t)(31 - i);
	ck_assert_uint_eq(kcap_crc32c(0, b, 32), 0x113FDB5Cu);
	static const uint8_t scsi[48] = {
		0x01, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18,
		0x28, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
	ck_assert_uint_eq(kcap_crc32c(0, scsi, 48), 0xD9963A56u);
}
END_TEST

START_TEST(incremental_equals_one_shot_and_reference)
{
	uint8_t *b = malloc(4099);
	ck_assert_ptr_nonnull(b);
	uint32_t x = 12345;
	for (size_t i = 0; i < 4099; i++) {
		x = x * 1103515245u + 12345u;
		b[i] = (uint8_t)(x >> 16);
	}
	for (size_t len = 0; len < 4099; len += 37) {
		uint32_t whole = kcap_crc32c(0, b, len);
		ck_assert_uint_eq(whole, crc_ref(b, len));
		for (size_t cut = 0; cut <= len; cut += 13) {
			/* unaligned starts exercise the 8-byte path's tail handling */
			ck_assert_uint_eq(kcap_crc32c(kcap_crc32c(0, b, cut), b + cut, len - cut), whole);
		}
	}
	free(b);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("crc32c");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 120); /* sanitizer builds on a loaded CI host are slow */
	tcase_add_test(tc, check_value);
	tcase_add_test(tc, rfc3720_vectors);
	tcase_add_test(tc, incremental_equals_one_shot_and_reference);
	suite_add_tcase(s, tc);
	return kcap_check_run(s);
}
