/* The Windows build's address text functions (common/port_inet.c) against
 * glibc's inet_ntop and inet_pton, which the Linux build uses: the same
 * text for the same bytes, and the same verdict and bytes for the same
 * text, over crafted edge cases and a seeded random sweep. */
#include <check.h>
#include "check_run.h"
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common/port.h"

static uint64_t rng = 88172645463325252ull;
static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void same_ntop(int af, const unsigned char *a)
{
	char x[64], y[64];
	const char *rx = inet_ntop(af, a, x, sizeof x), *ry = kcap_inet_ntop(af, a, y, sizeof y);
	ck_assert_ptr_nonnull(rx);
	ck_assert_ptr_nonnull(ry);
	ck_assert_str_eq(x, y);
	/* a buffer one byte short fails in both */
	size_t n = strlen(x);
	ck_assert_ptr_null(kcap_inet_ntop(af, a, y, n));
	ck_assert_ptr_nonnull(kcap_inet_ntop(af, a, y, n + 1));
}

static void same_pton(const char *s)
{
	for (int af = 0; af < 2; af++) {
		int f = af ? AF_INET6 : AF_INET;
		unsigned char x[16] = {0}, y[16] = {0};
		int rx = inet_pton(f, s, x), ry = kcap_inet_pton(f, s, y);
		ck_assert_msg(rx == ry, "'%s' (%s): glibc %d, ours %d", s, af ? "v6" : "v4", rx, ry);
		if (rx == 1)
			ck_assert_msg(!memcmp(x, y, af ? 16 : 4), "'%s': different bytes", s);
	}
}

START_TEST(ntop_edges)
{
	static const char *const texts[] = {
		"::", "::1", "::2", "1::", "1:0:0:0:0:0:0:0", "0:0:0:0:0:0:0:1", "::ffff:1.2.3.4", "::1.2.3.4",
		"::0.0.1.0", "::ffff:0:0", "1:0:1:0:1:0:1:0", "1:0:0:1:0:0:0:1", "1:0:0:1:0:0:1:1", "fe80::1:2",
		"2001:db8::ff00:42:8329", "0:0:1::", "1:2:3:4:5:6:7:8", "::ffff:0.0.0.0", "::0:ffff:1.2.3.4",
		"64:ff9b::1.2.3.4", "::fffe:1.2.3.4", "0:0:0:0:0:1:0:0", "a:0::0:b", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
	};
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		unsigned char a[16];
		ck_assert_int_eq(inet_pton(AF_INET6, texts[i], a), 1);
		same_ntop(AF_INET6, a);
	}
	unsigned char v4[4] = {0, 0, 0, 0};
	same_ntop(AF_INET, v4);
	memset(v4, 255, 4);
	same_ntop(AF_INET, v4);
}
END_TEST

START_TEST(ntop_random)
{
	for (int i = 0; i < 20000; i++) {
		unsigned char a[16];
		uint64_t r = next_rand();
		for (int j = 0; j < 16; j++)
			a[j] = (unsigned char)next_rand();
		/* mostly zero groups, so that runs of every length and place occur */
		for (int g = 0; g < 8; g++)
			if (r >> g & 1 || (r >> (8 + g) & 3) == 0) {
				a[2 * g] = 0;
				a[2 * g + 1] = (r >> (16 + g) & 7) == 0 ? 1 : 0;
			}
		if ((r >> 40 & 15) == 0) { /* the mapped and compatible prefixes */
			memset(a, 0, 10);
			a[10] = a[11] = (r >> 44 & 1) ? 0xff : 0;
		}
		same_ntop(AF_INET6, a);
		same_ntop(AF_INET, a);
	}
}
END_TEST

START_TEST(pton_edges)
{
	static const char *const texts[] = {
		"", ":", "::", ":::", "::1", "1::", "1:::2", "1::2::3", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:9",
		"1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8::", "12345::", "0000:0000::", "00000::",
		"::ffff:1.2.3.4", "::1.2.3", "::1.2.3.4.5", "::256.1.1.1", "1.2.3.4", "01.2.3.4", "1.2.3.04",
		"0.0.0.0", "255.255.255.255", "256.0.0.0", "1.2.3.", ".1.2.3", "1..2.3", "1.2.3.4 ", " 1.2.3.4",
		"1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:7:1.2.3.4", "::1.2.3.4:5", "1.2.3.4::", "fe80::1%eth0",
		"FE80::ABCD", "g::", "1:2", ":1:2::", "1:2:3:4:5:6:7:", "::0.0.0.0", "0x1.2.3.4", "1.2.3.4/8",
		"1:2:3:4:5::1.2.3.4", "1::2:3:4:5:6:7", "1::2:3:4:5:6:7:8", "::a.b.c.d", "000.1.2.3", "1.2.3.255",
	};
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
		same_pton(texts[i]);
}
END_TEST

START_TEST(pton_random)
{
	static const char alphabet[] = "0123456789abcdefABCDEF:.::..0x";
	char s[48];
	for (int i = 0; i < 25000; i++) {
		size_t n = (size_t)(next_rand() % 40);
		for (size_t j = 0; j < n; j++)
			s[j] = alphabet[next_rand() % (sizeof alphabet - 1)];
		s[n] = 0;
		same_pton(s);
		/* and the text of random addresses, which parses */
		unsigned char a[16];
		for (int j = 0; j < 16; j++)
			a[j] = (next_rand() & 3) ? 0 : (unsigned char)next_rand();
		inet_ntop(AF_INET6, a, s, sizeof s);
		same_pton(s);
	}
}
END_TEST

int main(void)
{
	Suite *su = suite_create("port");
	TCase *tc = tcase_create("inet");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, ntop_edges);
	tcase_add_test(tc, ntop_random);
	tcase_add_test(tc, pton_edges);
	tcase_add_test(tc, pton_random);
	suite_add_tcase(su, tc);
	return kcap_check_run(su);
}
