/* kcap_json_text_valid() and its use by the JSON renderer; kcap_json_escape(). */
#include <check.h>
#include "check_run.h"
#include <stdlib.h>
#include "core/core.h"

static int valid(const char *s) { return kcap_json_text_valid((const uint8_t *)s, strlen(s)); }

START_TEST(accepts_valid_json)
{
	const char *ok[] = {
		"{}", "[]", "{\"a\":1}", "{\"serial\": 385, \"node\": \"\", \"records\": [{\"type\": \"SYSCALL\"}]}",
		"[1,-2,3.5e10,0,-0.5E-3,true,false,null,\"x\"]", "{\"k\":\"\\u00e9\\n\\\"\\\\\\/\"}", " { \"a\" : [ ] } ",
		"\"caf\xc3\xa9\"", "{\"emoji\":\"\xf0\x9f\x98\x80\"}", "123",
	};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
		ck_assert_msg(valid(ok[i]), "should be valid: %s", ok[i]);
}
END_TEST

START_TEST(rejects_invalid_json)
{
	const char *bad[] = {
		"", "{", "}", "{\"a\":1", "{\"a\" 1}", "{a:1}", "[1,]", "[1 2]", "{\"a\":1,}", "01", "1.", "-", "+1",
		"\"unterminated", "\"ctl\x01\"", "\"bad \\x escape\"", "\"\\u12G4\"", "tru", "nul", "[]]", "{} {}",
		"\"\xff\"", "\"\xc0\xaf\"", "\"\xed\xa0\x80\"", "{\"a\":\"b\"}x",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(!valid(bad[i]), "should be invalid: %s", bad[i]);
}
END_TEST

START_TEST(deep_nesting_is_bounded)
{
	char deep[600];
	memset(deep, '[', 300);
	memset(deep + 300, ']', 300);
	ck_assert(!kcap_json_text_valid((const uint8_t *)deep, 600)); /* deeper than 128: refused, no stack blow-up */
	ck_assert(kcap_json_text_valid((const uint8_t *)deep + 200, 200)); /* 100 deep: fine */
}
END_TEST

/* An event whose json param is broken renders as a JSON string, so the
 * line stays valid. */
/* The public escaper: exact bytes, appended, and always valid JSON. */
START_TEST(json_escape_appends_valid_strings)
{
	static const struct {
		const char *in;
		size_t n;
		const char *out;
	} cases[] = {
#define C(in, out) { in, sizeof in - 1, out }
		C("", "\"\""),
		C("plain", "\"plain\""),
		C("q\"b\\s/", "\"q\\\"b\\\\s/\""),
		C("a\nb\tc\rd\x01", "\"a\\nb\\tc\\rd\\u0001\""),
		C("nul\0in", "\"nul\\u0000in\""),
		C("caf\xc3\xa9 \xf0\x9f\x98\x80", "\"caf\xc3\xa9 \xf0\x9f\x98\x80\""),
		C("bad\xff\xc0\xaf end of a longer string", "\"bad\\udcff\\udcc0\\udcaf end of a longer string\""),
#undef C
	};
	kcap_buf b = {0};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		b.len = 0;
		ck_assert_int_eq(kcap_buf_append(&b, "x", 1), 0);
		ck_assert_int_eq(kcap_json_escape(&b, cases[i].in, cases[i].n), 0);
		ck_assert_uint_eq(b.len, 1 + strlen(cases[i].out));
		ck_assert_msg(memcmp(b.data + 1, cases[i].out, b.len - 1) == 0, "case %zu: %.*s", i, (int)b.len, b.data);
		ck_assert(kcap_json_text_valid((const uint8_t *)b.data + 1, b.len - 1));
	}
	kcap_buf_free(&b);
}
END_TEST

START_TEST(renderer_quotes_invalid_json_params)
{
	kcap_schema *s = kcap_schema_new();
	kcap_param_def pd[] = {{"audit", KCAP_T_JSON, KCAP_PF_TOPLEVEL, 0}, {"raw", KCAP_T_JSON, 0, 0}};
	kcap_type_def td = {5, "x", "audit", "", 2, pd};
	ck_assert_int_eq(kcap_schema_add_type(s, &td), 0);
	kcap_value v[2] = {{0}, {0}};
	v[0].type = v[1].type = KCAP_T_JSON;
	v[0].present = v[1].present = 1;
	v[0].p = (const uint8_t *)"{\"serial\":1}";
	v[0].len = 12;
	v[1].p = (const uint8_t *)"{\"broken\":";
	v[1].len = 10;
	kcap_event ev = {0};
	ev.type_id = 5;
	ev.nparams = 2;
	ev.params = v;
	ev.def = kcap_schema_type(s, 5);
	kcap_buf b = {0};
	ck_assert_int_eq(kcap_render_json(&b, &ev, s), 0);
	ck_assert(b.len > 0 && b.data[b.len - 1] == '\n');
	ck_assert(kcap_json_text_valid((const uint8_t *)b.data, b.len - 1));
	kcap_buf_append(&b, "", 1);
	ck_assert_ptr_nonnull(strstr(b.data, "\"raw\":\"{\\\"broken\\\":\""));
	ck_assert_ptr_nonnull(strstr(b.data, ",\"audit\":{\"serial\":1}"));
	kcap_buf_free(&b);
	kcap_schema_free(s);
}
END_TEST

int main(void)
{
	Suite *su = suite_create("json_check");
	TCase *tc = tcase_create("json_check");
	tcase_add_test(tc, accepts_valid_json);
	tcase_add_test(tc, rejects_invalid_json);
	tcase_add_test(tc, deep_nesting_is_bounded);
	tcase_add_test(tc, renderer_quotes_invalid_json_params);
	tcase_add_test(tc, json_escape_appends_valid_strings);
	suite_add_tcase(su, tc);
	return kcap_check_run(su);
}
