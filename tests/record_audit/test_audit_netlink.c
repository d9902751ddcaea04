/* test_audit_netlink.c - anl_record(): one received netlink message is one
 * audit record, its length the received size whatever the header says. */
#include <check.h>
#include "check_run.h"
#include <stdlib.h>
#include <string.h>

#include <linux/netlink.h>

#include "audit_netlink.h"

static char msg[512];

/* Builds a message of type with nlmsg_len claimed, text appended (with
 * extra bytes after it); returns the "received" size. */
static size_t build(uint16_t type, uint32_t claimed, const char *text, size_t textlen)
{
	struct nlmsghdr *h = (struct nlmsghdr *)msg;
	memset(msg, 'Z', sizeof msg);
	h->nlmsg_type = type;
	h->nlmsg_len = claimed;
	h->nlmsg_flags = 0;
	h->nlmsg_seq = 0;
	h->nlmsg_pid = 0;
	memcpy(msg + NLMSG_HDRLEN, text, textlen);
	return NLMSG_HDRLEN + textlen;
}

#define REC "audit(1700000000.123:42): arch=c000003e syscall=257 success=yes exit=3"

static void expect_text(size_t n, uint16_t want_type, const char *want)
{
	uint16_t type = 0;
	const char *t = NULL;
	size_t len = 0;
	ck_assert_int_eq(anl_record(msg, n, &type, &t, &len), 1);
	ck_assert_uint_eq(type, want_type);
	ck_assert_uint_eq(len, strlen(want));
	ck_assert(memcmp(t, want, len) == 0);
}

START_TEST(length_is_the_received_size)
{
	size_t n = build(1300, NLMSG_LENGTH(sizeof REC - 1), REC, sizeof REC - 1);
	expect_text(n, 1300, REC);
	/* header length without the header (as some kernels sent), zero, short */
	n = build(1300, sizeof REC - 1, REC, sizeof REC - 1);
	expect_text(n, 1300, REC);
	n = build(1300, 0, REC, sizeof REC - 1);
	expect_text(n, 1300, REC);
	n = build(1300, NLMSG_HDRLEN + 5, REC, sizeof REC - 1);
	expect_text(n, 1300, REC);
	/* claimed far beyond what was received: bounded by the received size */
	n = build(1300, 100000, REC, sizeof REC - 1);
	expect_text(n, 1300, REC);
}
END_TEST

START_TEST(text_ends_at_nul_and_trailing_newline)
{
	size_t n = build(1300, 0, REC "\0garbage", sizeof REC - 1 + 8);
	expect_text(n, 1300, REC);
	n = build(1302, 0, REC "\n", sizeof REC);
	expect_text(n, 1302, REC);
	/* an EOE record: just the header part */
	n = build(1320, 0, "audit(1700000000.123:42): \0", 27);
	expect_text(n, 1320, "audit(1700000000.123:42):");
	n = build(1320, 0, "", 0);
	expect_text(n, 1320, "");
}
END_TEST

START_TEST(not_records)
{
	uint16_t type;
	const char *t;
	size_t len;
	/* replies and netlink control messages */
	ck_assert_int_eq(anl_record(msg, build(NLMSG_ERROR, 0, "xxxx", 4), &type, &t, &len), 0);
	ck_assert_int_eq(anl_record(msg, build(NLMSG_DONE, 0, "xxxx", 4), &type, &t, &len), 0);
	ck_assert_int_eq(anl_record(msg, build(1000, 0, "xxxx", 4), &type, &t, &len), 0);    /* AUDIT_GET */
	ck_assert_int_eq(anl_record(msg, build(1013, 0, "xxxx", 4), &type, &t, &len), 0);    /* LIST_RULES */
	ck_assert_int_eq(anl_record(msg, build(1099, 0, "xxxx", 4), &type, &t, &len), 0);
	ck_assert_int_eq(anl_record(msg, build(3000, 0, "xxxx", 4), &type, &t, &len), 0);
	/* the edges of the record range */
	ck_assert_int_eq(anl_record(msg, build(1100, 0, "x", 1), &type, &t, &len), 1);
	ck_assert_int_eq(anl_record(msg, build(2999, 0, "x", 1), &type, &t, &len), 1);
	/* shorter than a header */
	build(1300, 0, REC, sizeof REC - 1);
	ck_assert_int_eq(anl_record(msg, NLMSG_HDRLEN - 1, &type, &t, &len), 0);
	ck_assert_int_eq(anl_record(msg, 0, &type, &t, &len), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("audit_netlink");
	TCase *tc = tcase_create("record");
	tcase_add_test(tc, length_is_the_received_size);
	tcase_add_test(tc, text_ends_at_nul_and_trailing_newline);
	tcase_add_test(tc, not_records);
	suite_add_tcase(s, tc);
	return kcap_check_run(s);
}
