/* The JSON parser behind JSON lines input (kcap/src/json_parse.c): values of
 * every kind, each rejection with its column, \udcXX escapes and raw bytes,
 * integers at the i64/u64 edges, nesting depth, memory reused across lines. */
#include <check.h>
#include "check_run.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <kcap/kcap.h>
#include "core/core.h"
#include "common/json_parse.h"

static kcap_jp jp;

static void teardown(void) { kcap_jp_free(&jp); }

static const kcap_jv *ok(const char *s, size_t n)
{
	kcap_error err = {0};
	int rc = kcap_jp_parse(&jp, s, n, &err);
	ck_assert_msg(rc == 0, "%.*s: rc %d at column %d: %s", (int)(n > 200 ? 200 : n), s, rc, err.column, err.msg);
	return jp.v;
}

static const kcap_jv *oks(const char *s) { return ok(s, strlen(s)); }

static void bad(const char *s, size_t n, int column, const char *needle)
{
	kcap_error err = {0};
	int rc = kcap_jp_parse(&jp, s, n, &err);
	ck_assert_msg(rc == KCAP_E_SYNTAX, "%.*s: rc %d, expected a syntax error", (int)(n > 200 ? 200 : n), s, rc);
	ck_assert_int_eq(err.code, KCAP_E_SYNTAX);
	ck_assert_msg(err.column == column, "%.*s: column %d, expected %d (%s)", (int)(n > 200 ? 200 : n), s, err.column,
		      column, err.msg);
	ck_assert_msg(strstr(err.msg, needle), "%.*s: message \"%s\" lacks \"%s\"", (int)(n > 200 ? 200 : n), s, err.msg,
		      needle);
}

static void bads(const char *s, int column, const char *needle) { bad(s, strlen(s), column, needle); }

static void assert_str(const kcap_jv *v, const char *want, size_t n)
{
	ck_assert_int_eq(v->kind, KCAP_JV_STR);
	ck_assert_uint_eq(v->n, n);
	ck_assert(!memcmp(v->u.s, want, n));
	ck_assert_int_eq(v->u.s[n], 0);
}

static void assert_int(const kcap_jv *v, int neg, uint64_t mag)
{
	ck_assert_int_eq(v->kind, KCAP_JV_INT);
	ck_assert_int_eq(v->neg, neg);
	ck_assert_uint_eq(v->u.mag, mag);
}

START_TEST(scalars)
{
	const kcap_jv *v = oks("null");
	ck_assert_int_eq(v->kind, KCAP_JV_NULL);
	ck_assert_uint_eq(jp.nv, 1);
	ck_assert_int_eq(oks(" true ")->kind, KCAP_JV_TRUE);
	ck_assert_uint_eq(jp.v[0].off, 1);
	ck_assert_uint_eq(jp.v[0].len, 4);
	ck_assert_int_eq(oks("\t\r\nfalse\n")->kind, KCAP_JV_FALSE);
	assert_int(oks("0"), 0, 0);
	assert_int(oks("-0"), 0, 0); /* -0 is 0 */
	assert_int(oks("42"), 0, 42);
	assert_int(oks("-7"), 1, 7);
	const char *reals[] = {"1.5", "-0.0", "1e9", "1E+9", "2.5e-3", "-0e0", "123456789012345678901234567890"};
	for (size_t i = 0; i < sizeof reals / sizeof reals[0]; i++) {
		v = oks(reals[i]);
		ck_assert_int_eq(v->kind, KCAP_JV_NUM);
		ck_assert_int_eq(v->real, i < 6);
		ck_assert_uint_eq(v->len, strlen(reals[i]));
	}
	assert_str(oks("\"\""), "", 0);
	assert_str(oks("\"plain\""), "plain", 5);
	assert_str(oks("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\""), "\"\\/\b\f\n\r\t", 8);
	assert_str(oks("\"\\u0041\\u00e9\\u20AC\\ud83d\\ude00\""), "A\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 10);
	assert_str(oks("\"a\\u0000b\""), "a\0b", 3); /* NUL is fine in a value */
	v = oks("\"caf\xc3\xa9\"");
	assert_str(v, "caf\xc3\xa9", 5);
	ck_assert_uint_eq(v->off, 0);
	ck_assert_uint_eq(v->len, 7);
}
END_TEST

START_TEST(containers)
{
	const char *doc = " {\"a\" : [1, \"x\", {}], \"b\":{\"c\":null,\"d\":[]}, \"e\":-3 , \"a\":true} ";
	const kcap_jv *r = oks(doc);
	ck_assert_int_eq(r->kind, KCAP_JV_OBJ);
	ck_assert_uint_eq(r->n, 4);
	ck_assert_uint_eq(r->off, 1);
	ck_assert_uint_eq(r->len, strlen(doc) - 2);
	ck_assert_uint_eq(r->next, jp.nv);
	/* members in order: key, value */
	const kcap_jv *k = r + 1;
	assert_str(k, "a", 1);
	const kcap_jv *arr = k + 1;
	ck_assert_int_eq(arr->kind, KCAP_JV_ARR);
	ck_assert_uint_eq(arr->n, 3);
	ck_assert(!memcmp(doc + arr->off, "[1, \"x\", {}]", arr->len) && arr->len == 12);
	assert_int(arr + 1, 0, 1);
	assert_str(arr + 2, "x", 1);
	ck_assert_int_eq(arr[3].kind, KCAP_JV_OBJ);
	ck_assert_uint_eq(arr[3].n, 0);
	k = kcap_jp_skip(&jp, arr);
	assert_str(k, "b", 1);
	const kcap_jv *b = k + 1;
	ck_assert_uint_eq(b->n, 2);
	ck_assert_int_eq(kcap_jp_member(&jp, b, "c", 1)->kind, KCAP_JV_NULL);
	const kcap_jv *d = kcap_jp_member(&jp, b, "d", 1);
	ck_assert_int_eq(d->kind, KCAP_JV_ARR);
	ck_assert_uint_eq(d->n, 0);
	ck_assert_uint_eq(d->len, 2);
	assert_int(kcap_jp_member(&jp, r, "e", 1), 1, 3);
	/* a duplicate key: the last one is found, both are kept */
	ck_assert_int_eq(kcap_jp_member(&jp, r, "a", 1)->kind, KCAP_JV_TRUE);
	ck_assert_ptr_null(kcap_jp_member(&jp, r, "z", 1));
	ck_assert_ptr_null(kcap_jp_member(&jp, arr, "a", 1)); /* not an object */
	ck_assert_int_eq(oks("[]")->n, 0);
	ck_assert_int_eq(oks("[[[\"deep\"]]]")[3].kind, KCAP_JV_STR);
	ck_assert_uint_eq(jp.v[0].next, 4);
	ck_assert_uint_eq(jp.v[1].next, 4);
}
END_TEST

/* Every rejection, at the byte that makes the line invalid (the last byte
 * when the line ends too early). */
START_TEST(rejections)
{
	bads("", 1, "end of the line");
	bads("   ", 3, "end of the line");
	bads("{} x", 4, "after the JSON value");
	bads("1 2", 3, "after the JSON value");
	bads("{}}", 3, "after the JSON value");
	bads("\"a\\x\"", 3, "invalid escape");
	bads("\"a\\u12\"", 3, "\\u escape");
	bads("\"\\u12g4\"", 2, "\\u escape");
	bads("01", 1, "leading zero");
	bads("-01", 1, "leading zero");
	bads("00.5", 1, "leading zero");
	bads("1.", 2, "after '.'");
	bads("1.e5", 3, "after '.'");
	bads("1e", 2, "exponent");
	bads("1e+x", 4, "exponent");
	bads("-", 1, "a digit expected");
	bads("-a", 2, "a digit expected");
	bads("+1", 1, "invalid token");
	bads(".5", 1, "invalid token");
	bads("tru", 1, "invalid token");
	bads("nul", 1, "invalid token");
	bads("True", 1, "invalid token");
	bads("\"a\x01\"", 3, "control character 0x01");
	bads("\"tab\there\"", 5, "control character 0x09");
	bads("\"a\nb\"", 3, "control character 0x0a");
	bads("\"abc", 4, "end of the line in a string");
	bads("\"abc\\", 5, "end of the line in a string");
	bads("[1,2", 4, "end of the line");
	bads("[1,2}", 5, "unexpected token");
	bads("{\"a\":1]", 7, "unexpected token");
	bads("{\"a\"}", 5, "':' expected");
	bads("{a:1}", 2, "object key");
	bads("{\"a\":1,}", 8, "object key");
	bads("[1,]", 4, "unexpected token ']'");
	bads("[,1]", 2, "unexpected token ','");
	bads("{\"a\":}", 6, "unexpected token '}'");
	bads("]", 1, "unexpected token");
	bads("\"\\ud800\"", 8, "low surrogate");
	bads("\"\\ud800\\u0041\"", 8, "low surrogate");
	bads("\"\\ud800\\ud800\"", 8, "low surrogate");
	bads("\"\\udc00\"", 2, "lone low surrogate");
	bads("\"\\udfff\"", 2, "lone low surrogate");
	bads("{\"a\\u0000b\":1}", 2, "NUL byte in an object key");
	bads("\xff", 1, "invalid token (byte 0xff)");
	bads("[1,\xc3\xa9]", 4, "invalid token");
	/* a NUL byte in the line is not whitespace */
	bad("{}\0", 3, 3, "after the JSON value");
	bad("\"a\0\"", 4, 3, "control character 0x00");
}
END_TEST

/* \udcXX escapes and raw bytes in strings are the bytes kcap_json_escape
 * wrote; every byte value survives escape -> parse. */
START_TEST(raw_bytes)
{
	assert_str(oks("\"\\udc80\\uDCff\xff\xc3\xa9\\ud800\\udc80\\udbff\\udfff\xed\xa0\x80\""),
		   "\x80\xff\xff\xc3\xa9\xf0\x90\x82\x80\xf4\x8f\xbf\xbf\xed\xa0\x80", 16);
	/* a high surrogate pairs with a following \udc80 rather than leaving it a byte */
	assert_str(oks("\"\\udbff\\udcff\""), "\xf4\x8f\xb3\xbf", 4);
	/* \udc00..\udc7f are not bytes kcap writes */
	bads("\"\\udc7f\"", 2, "lone low surrogate");
	uint8_t all[512 + 16];
	for (int i = 0; i < 256; i++) {
		all[2 * i] = (uint8_t)i;
		all[2 * i + 1] = (uint8_t)(255 - i);
	}
	memcpy(all + 512, "\xf4\x8f\xbf\xbf\xc0\xaf\xe2\x82\xf0\x9f\x98\x80\xc3", 13);
	kcap_buf b = {0};
	ck_assert_int_eq(kcap_json_escape(&b, (const char *)all, 525), 0);
	assert_str(ok(b.data, b.len), (const char *)all, 525);
	/* raw bytes as written, unescaped, come through too */
	b.len = 0;
	ck_assert_int_eq(kcap_buf_append(&b, "\"", 1), 0);
	for (int i = 0x80; i < 0x100; i++) {
		char c = (char)i;
		ck_assert_int_eq(kcap_buf_append(&b, &c, 1), 0);
	}
	ck_assert_int_eq(kcap_buf_append(&b, "\"", 1), 0);
	const kcap_jv *v = ok(b.data, b.len);
	ck_assert_uint_eq(v->n, 128);
	for (int i = 0; i < 128; i++)
		ck_assert_uint_eq((uint8_t)v->u.s[i], 0x80 + i);
	kcap_buf_free(&b);
}
END_TEST

START_TEST(integer_edges)
{
	assert_int(oks("9223372036854775807"), 0, INT64_MAX);
	assert_int(oks("9223372036854775808"), 0, (uint64_t)1 << 63);
	assert_int(oks("-9223372036854775808"), 1, (uint64_t)1 << 63);
	assert_int(oks("-9223372036854775809"), 1, ((uint64_t)1 << 63) + 1);
	assert_int(oks("18446744073709551615"), 0, UINT64_MAX);
	assert_int(oks("-18446744073709551615"), 1, UINT64_MAX);
	assert_int(oks("18446744073709551610"), 0, UINT64_MAX - 5);
	const char *beyond[] = {"18446744073709551616", "-18446744073709551616", "18446744073709551620",
				"99999999999999999999", "100000000000000000000"};
	for (size_t i = 0; i < sizeof beyond / sizeof beyond[0]; i++) {
		const kcap_jv *v = oks(beyond[i]);
		ck_assert_msg(v->kind == KCAP_JV_NUM && !v->real, "%s: kind %d", beyond[i], v->kind);
	}
	const kcap_jv *r = oks("[-1,0,1.0,1e0]");
	assert_int(r + 1, 1, 1);
	assert_int(r + 2, 0, 0);
	ck_assert_int_eq(r[3].kind, KCAP_JV_NUM);
	ck_assert_int_eq(r[4].kind, KCAP_JV_NUM);
}
END_TEST

static char *nest(size_t depth, const char *open, const char *inner, const char *close, size_t *len)
{
	size_t lo = strlen(open), li = strlen(inner), lc = strlen(close);
	char *s = malloc(depth * (lo + lc) + li + 1);
	ck_assert_ptr_nonnull(s);
	size_t n = 0;
	for (size_t i = 0; i < depth; i++, n += lo)
		memcpy(s + n, open, lo);
	memcpy(s + n, inner, li);
	n += li;
	for (size_t i = 0; i < depth; i++, n += lc)
		memcpy(s + n, close, lc);
	s[n] = 0;
	*len = n;
	return s;
}

START_TEST(nesting)
{
	size_t n;
	char *s = nest(KCAP_JSON_MAX_DEPTH, "[", "1", "]", &n);
	const kcap_jv *v = ok(s, n);
	ck_assert_uint_eq(jp.nv, KCAP_JSON_MAX_DEPTH + 1);
	assert_int(v + KCAP_JSON_MAX_DEPTH, 0, 1);
	free(s);
	s = nest(KCAP_JSON_MAX_DEPTH, "{\"k\":", "{}", "}", &n);
	bad(s, n, KCAP_JSON_MAX_DEPTH * 5 + 1, "nesting deeper than 128 levels");
	free(s);
	s = nest(KCAP_JSON_MAX_DEPTH - 1, "{\"k\":", "{}", "}", &n);
	ok(s, n);
	free(s);
	/* far deeper than the limit, and unbalanced: a clean error, no deep recursion */
	s = nest(1000000, "[", "", "", &n);
	bad(s, n, KCAP_JSON_MAX_DEPTH + 1, "nesting");
	free(s);
	s = nest(200000, "[{\"a\":", "", "", &n);
	bad(s, n, 64 * 6 + 1, "nesting");
	free(s);
}
END_TEST

/* A much larger line, then small ones: the values are right, and small lines
 * after it reuse the memory without allocating. */
START_TEST(memory_reuse)
{
	kcap_buf b = {0};
	ck_assert_int_eq(kcap_buf_append(&b, "[", 1), 0);
	enum { N = 100000 };
	for (int i = 0; i < N; i++) {
		char item[32];
		int k = snprintf(item, sizeof item, "%s\"s%d\\udcff\"", i ? "," : "", i);
		ck_assert_int_eq(kcap_buf_append(&b, item, (size_t)k), 0);
	}
	ck_assert_int_eq(kcap_buf_append(&b, "]", 1), 0);
	const kcap_jv *v = ok(b.data, b.len);
	ck_assert_uint_eq(v->n, N);
	ck_assert_uint_eq(jp.nv, N + 1);
	assert_str(&v[N], "s99999\xff", 7);
	kcap_buf_free(&b);
	size_t cap = jp.cap, textcap = jp.textcap;
	const char *small = "{\"a\":\"x\",\"b\":[1,2]}";
	v = oks(small);
	kcap_jv *vals = jp.v;
	char *text = jp.text;
	ck_assert_uint_eq(jp.cap, cap);
	ck_assert_uint_eq(jp.textcap, textcap);
	for (int i = 0; i < 3; i++) {
		v = oks(i == 1 ? "[\"other\",\"strings\"]" : small);
		ck_assert_ptr_eq(jp.v, vals);
		ck_assert_ptr_eq(jp.text, text);
	}
	ck_assert_uint_eq(jp.nv, 7);
	assert_str(kcap_jp_member(&jp, v, "a", 1), "x", 1);
	assert_int(kcap_jp_member(&jp, v, "b", 1) + 2, 0, 2);
	/* an error leaves the scratch usable */
	bads("{\"a\":[1,2,", 10, "end of the line");
	v = oks(small);
	ck_assert_uint_eq(v->n, 2);
}
END_TEST

static Suite *json_parse_suite(void)
{
	Suite *su = suite_create("json_parse");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, scalars);
	tcase_add_test(tc, containers);
	tcase_add_test(tc, rejections);
	tcase_add_test(tc, raw_bytes);
	tcase_add_test(tc, integer_edges);
	tcase_add_test(tc, nesting);
	tcase_add_test(tc, memory_reuse);
	suite_add_tcase(su, tc);
	return su;
}

int main(void)
{
	return kcap_check_run(json_parse_suite());
}
