/*
 * check_etw_xpress.c - the built-in MS-XCA decoder (formats/etw/xpress.c,
 * used where libfwnt is not, as in the Windows build) against libfwnt on
 * every compressed buffer of the corpus's compressed files: the same bytes.
 * And on hostile data: a match before the start of the output, an output
 * that would pass its room, lengths cut short. SKIPs visibly without the
 * corpus or libfwnt.
 */
#include <check.h>
#include "check_run.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef KCAP_HAVE_FWNT
#include <libfwnt.h>
#endif

#include "etw/xpress.h"

#ifndef ETW_CORPUS_DIR
#define ETW_CORPUS_DIR "../shared/corpus/etw"
#endif

#ifdef KCAP_HAVE_FWNT
static uint32_t rd32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
#endif

START_TEST(same_bytes_as_libfwnt)
{
#ifndef KCAP_HAVE_FWNT
	printf("SKIP: same_bytes_as_libfwnt: built without libfwnt\n");
#else
	const char *files[] = { "perfview/net.4.5.2.x64.etl", "perfview/SelfDescribingSingleEvent.etl" };
	int compared = 0;
	for (size_t fi = 0; fi < 2; fi++) {
		char path[1024];
		snprintf(path, sizeof path, "%s/%s", ETW_CORPUS_DIR, files[fi]);
		FILE *f = fopen(path, "rb");
		if (!f) {
			printf("SKIP: %s not found\n", path);
			continue;
		}
		fseek(f, 0, SEEK_END);
		long n = ftell(f);
		fseek(f, 0, SEEK_SET);
		uint8_t *b = malloc((size_t)n), *a = malloc(1 << 20), *c = malloc(1 << 20);
		ck_assert_int_eq(fread(b, 1, (size_t)n, f), n);
		fclose(f);
		for (long off = 0; off + 0x48 <= n;) {
			uint32_t size = rd32(b + off), fill = rd32(b + off + 0x30);
			ck_assert(size >= 0x48 && off + size <= n);
			if (b[off + 0x34] & 0x40) {
				size_t na = fill - 0x48, nc = 0;
				libfwnt_error_t *e = NULL;
				ck_assert_int_eq(libfwnt_lzxpress_decompress(b + off + 0x48, size - 0x48, a, &na, &e), 1);
				ck_assert_int_eq(kcap_xpress_decompress(b + off + 0x48, size - 0x48, c, 1 << 20, &nc), 0);
				ck_assert_msg(na == nc && !memcmp(a, c, na), "%s: buffer at %ld: %zu bytes vs libfwnt's %zu",
				              path, off, nc, na);
				ck_assert_uint_eq(nc, fill - 0x48);
				/* the room exactly: fits; one byte less: past it */
				ck_assert_int_eq(kcap_xpress_decompress(b + off + 0x48, size - 0x48, c, na, &nc), 0);
				ck_assert_int_eq(kcap_xpress_decompress(b + off + 0x48, size - 0x48, c, na - 1, &nc),
				                 KCAP_XPRESS_OVERFLOW);
				compared++;
			}
			off += size;
		}
		free(a);
		free(b);
		free(c);
	}
	printf("%d compressed buffers compared with libfwnt\n", compared);
	if (compared)
		ck_assert_int_ge(compared, 300);
#endif
}
END_TEST

START_TEST(hostile_data)
{
	uint8_t out[64];
	size_t n;
	/* a match first: its offset is before the start of the output */
	const uint8_t m0[] = { 0, 0, 0, 0x80, 0x00, 0x00 };
	ck_assert_int_eq(kcap_xpress_decompress(m0, sizeof m0, out, sizeof out, &n), KCAP_XPRESS_BAD);
	/* literal 'a', then a match offset 1 length 3+7+15+255-ish through the
	 * 16-bit length: past 64 bytes of room */
	const uint8_t big[] = { 0, 0, 0, 0x40, 'a', 0x07, 0x00, 0x0f, 0xff, 0x00, 0x10 };
	ck_assert_int_eq(kcap_xpress_decompress(big, sizeof big, out, sizeof out, &n), KCAP_XPRESS_OVERFLOW);
	/* a length byte missing */
	const uint8_t cut[] = { 0, 0, 0, 0x40, 'a', 0x07, 0x00 };
	ck_assert_int_eq(kcap_xpress_decompress(cut, sizeof cut, out, sizeof out, &n), KCAP_XPRESS_BAD);
	/* 'ab' then a match offset 2 length 3: "ababa" */
	const uint8_t ok[] = { 0, 0, 0, 0x20, 'a', 'b', 0x08, 0x00 };
	ck_assert_int_eq(kcap_xpress_decompress(ok, sizeof ok, out, sizeof out, &n), 0);
	ck_assert_uint_eq(n, 5);
	ck_assert(!memcmp(out, "ababa", 5));
	/* empty input, and a flag word alone */
	ck_assert_int_eq(kcap_xpress_decompress(ok, 0, out, sizeof out, &n), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(kcap_xpress_decompress(ok, 4, out, sizeof out, &n), 0);
	ck_assert_uint_eq(n, 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("etw_xpress");
	TCase *tc = tcase_create("xpress");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, same_bytes_as_libfwnt);
	tcase_add_test(tc, hostile_data);
	suite_add_tcase(s, tc);
	return kcap_check_run(s);
}
