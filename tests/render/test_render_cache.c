/* The JSON renderer's caches: per-type text built when the type is added,
 * the per-thread memo of rendered symbol sets, and the per-thread seq and
 * pid/tid/ppid texts. None may change what is rendered: not for types that need escaping, not for a definition that
 * some other schema owns, and not when a schema is freed and another one
 * takes its place in memory. */
#include <check.h>
#include "check_run.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <kcap/kcap.h>

static char *render(const kcap_event *ev, const kcap_schema *s)
{
	kcap_buf b = {0};
	ck_assert_int_eq(kcap_render_json(&b, ev, s), 0);
	ck_assert_int_eq(kcap_buf_append(&b, "", 1), 0);
	return b.data;
}

/* One type (id 9) with a flags param and an enum param on symsets 5 and 6,
 * whose symbol names start with prefix. */
static kcap_schema *schema_with(const char *type_name, const char *param_name, const char *prefix)
{
	static char names[4][32];
	snprintf(names[0], sizeof names[0], "%sREAD", prefix);
	snprintf(names[1], sizeof names[1], "%sWRITE", prefix);
	snprintf(names[2], sizeof names[2], "%sOFF", prefix);
	snprintf(names[3], sizeof names[3], "%sON", prefix);
	kcap_sym flags[] = {{1, 0, names[0]}, {2, 0, names[1]}};
	kcap_sym modes[] = {{0, 0, names[2]}, {1, 0, names[3]}};
	kcap_symset fs = {5, KCAP_SYMSET_FLAGS, "access", 2, flags};
	kcap_symset es = {6, KCAP_SYMSET_ENUM, "mode", 2, modes};
	kcap_param_def pd[] = {{param_name, KCAP_T_FLAGS, 0, 5}, {"mode", KCAP_T_ENUM, 0, 6}, {"top", KCAP_T_U32, KCAP_PF_TOPLEVEL, 0}};
	kcap_type_def td = {9, type_name, "file", "", 3, pd};
	kcap_schema *s = kcap_schema_new();
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(kcap_schema_add_symset(s, &fs), 0);
	ck_assert_int_eq(kcap_schema_add_symset(s, &es), 0);
	ck_assert_int_eq(kcap_schema_add_type(s, &td), 0);
	return s;
}

static void event_of(kcap_event *ev, kcap_value *v, uint64_t flags, uint64_t mode)
{
	memset(ev, 0, sizeof *ev);
	memset(v, 0, 3 * sizeof *v);
	v[0].type = KCAP_T_FLAGS;
	v[1].type = KCAP_T_ENUM;
	v[2].type = KCAP_T_U32;
	v[0].present = v[1].present = v[2].present = 1;
	v[0].u = flags;
	v[1].u = mode;
	v[2].u = 77;
	ev->type_id = 9;
	ev->seq = 1;
	ev->ts = 1795255200000000000LL;
	ev->nparams = 3;
	ev->params = v;
}

/* The tail of a rendered line from "type" on. */
static const char *from_type(const char *line)
{
	const char *t = strstr(line, "\"type\":");
	ck_assert_ptr_nonnull(t);
	return t;
}

START_TEST(symbol_memo_follows_schema_replacement)
{
	/* Schemas freed and allocated in turn tend to reuse the same memory:
	 * every rendering must use the names of the schema it is given. */
	for (int round = 0; round < 200; round++) {
		const char *prefix = round % 2 ? "B_" : "A_";
		kcap_schema *s = schema_with("open", "access", prefix);
		kcap_event ev;
		kcap_value v[3];
		event_of(&ev, v, 3, 1);
		char *line = render(&ev, s);
		char want[256];
		snprintf(want, sizeof want,
			 "\"type\":\"open\",\"category\":\"file\",\"params\":{\"access\":\"%sREAD|%sWRITE\",\"mode\":\"%sON\"},\"top\":77}\n",
			 prefix, prefix, prefix);
		ck_assert_str_eq(from_type(line), want);
		free(line);
		kcap_schema_free(s);
	}
}
END_TEST

START_TEST(symbol_memo_keeps_values_apart)
{
	kcap_schema *s = schema_with("open", "access", "");
	kcap_event ev;
	kcap_value v[3];
	static const char *const want[] = {"\"access\":\"0x0\"", "\"access\":\"READ\"", "\"access\":\"WRITE\"",
					   "\"access\":\"READ|WRITE\"", "\"access\":\"0x4\"", "\"access\":\"READ|0x4\""};
	for (int pass = 0; pass < 3; pass++) /* the second and third passes come from the memo */
		for (uint64_t f = 0; f < 6; f++) {
			event_of(&ev, v, f, 7);
			char *line = render(&ev, s);
			ck_assert_msg(strstr(line, want[f]), "flags %llu: %s", (unsigned long long)f, line);
			ck_assert_msg(strstr(line, "\"mode\":\"7\""), "unnamed enum value: %s", line);
			free(line);
		}
	kcap_schema_free(s);
}
END_TEST

START_TEST(type_text_is_escaped)
{
	kcap_schema *s = schema_with("we\"ird\\\x01name\xff", "k\"ey", "");
	kcap_event ev;
	kcap_value v[3];
	event_of(&ev, v, 1, 0);
	char *line = render(&ev, s);
	ck_assert_str_eq(from_type(line), "\"type\":\"we\\\"ird\\\\\\u0001name\\udcff\",\"category\":\"file\","
					  "\"params\":{\"k\\\"ey\":\"READ\",\"mode\":\"OFF\"},\"top\":77}\n");
	free(line);
	kcap_schema_free(s);
}
END_TEST

START_TEST(foreign_definition_is_rendered_as_given)
{
	/* ev->def from one schema, rendered with another that has a different
	 * type under the same id: the event's own definition wins. */
	kcap_schema *a = schema_with("open", "access", "A_");
	kcap_schema *b = schema_with("unlink", "how", "B_");
	kcap_event ev;
	kcap_value v[3];
	event_of(&ev, v, 1, 0);
	ev.def = kcap_schema_type(a, 9);
	char *line = render(&ev, b);
	/* names from a; symbols resolved through the schema given, as before */
	ck_assert_str_eq(from_type(line),
			 "\"type\":\"open\",\"category\":\"file\",\"params\":{\"access\":\"B_READ\",\"mode\":\"B_OFF\"},\"top\":77}\n");
	free(line);
	/* and without a schema at all */
	line = render(&ev, NULL);
	ck_assert_str_eq(from_type(line), "\"type\":\"open\",\"category\":\"file\",\"params\":{\"access\":\"0x1\",\"mode\":0},\"top\":77}\n");
	free(line);
	kcap_schema_free(a);
	kcap_schema_free(b);
}
END_TEST

START_TEST(head_numbers_follow_every_event)
{
	/* seq is incremented in place between consecutive events and the ids
	 * are remembered by tid: neither may leak into an event they are not. */
	static const uint64_t seqs[] = {8, 9, 10, 11, 99, 100, 101, 999, 1000, 5, 6, 19999999, 20000000, 0, 1,
					UINT64_MAX - 1, UINT64_MAX, 7};
	static const int32_t ids[][3] = {{100, 100, 1}, {100, 100, 1}, {164, 100, 1}, {100, 100, 2},
					 {-5, -5, -1}, {2147483647, -2147483647 - 1, 0}, {100, 164, 1}};
	kcap_schema *s = schema_with("open", "access", "");
	kcap_event ev;
	kcap_value v[3];
	for (size_t i = 0; i < sizeof seqs / sizeof seqs[0]; i++) {
		for (size_t k = 0; k < sizeof ids / sizeof ids[0]; k++) {
			event_of(&ev, v, 1, 0);
			ev.seq = seqs[i];
			ev.pid = ids[k][0];
			ev.tid = ids[k][1];
			ev.ppid = ids[k][2];
			char *line = render(&ev, s);
			char want[128];
			snprintf(want, sizeof want, "{\"seq\":%llu,", (unsigned long long)seqs[i]);
			ck_assert_msg(!strncmp(line, want, strlen(want)), "%s", line);
			snprintf(want, sizeof want, "Z\",\"pid\":%d,\"tid\":%d,\"ppid\":%d,\"cpu\":", ids[k][0], ids[k][1],
				 ids[k][2]);
			ck_assert_msg(strstr(line, want) != NULL, "%s", line);
			free(line);
		}
	}
	kcap_schema_free(s);
}
END_TEST

int main(void)
{
	Suite *su = suite_create("render_cache");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, symbol_memo_follows_schema_replacement);
	tcase_add_test(tc, symbol_memo_keeps_values_apart);
	tcase_add_test(tc, type_text_is_escaped);
	tcase_add_test(tc, foreign_definition_is_rendered_as_given);
	tcase_add_test(tc, head_numbers_follow_every_event);
	suite_add_tcase(su, tc);
	return kcap_check_run(su);
}
