/* Schema: types, symbol sets, lookups, merge, and the schema block encoding. */
#include <check.h>
#include "check_run.h"
#include <stdlib.h>
#include "core/core.h"
#include "testcap.h"

START_TEST(lookups)
{
	kcap_schema *s = testcap_schema();
	ck_assert_ptr_nonnull(s);
	const kcap_type_def *t = kcap_schema_type(s, TC_OPEN);
	ck_assert_ptr_nonnull(t);
	ck_assert_str_eq(t->name, "open");
	ck_assert_str_eq(t->category, "file");
	ck_assert_uint_eq(t->nparams, 3);
	ck_assert_str_eq(t->params[1].name, "flags");
	ck_assert_uint_eq(t->params[1].type, KCAP_T_FLAGS);
	ck_assert_uint_eq(t->params[1].symset, TC_SYMSET_OPEN);
	ck_assert_int_eq(kcap_type_param_index(t, "ret"), 2);
	ck_assert_int_eq(kcap_type_param_index(t, "nope"), -1);
	ck_assert_ptr_eq(kcap_schema_type_by_name(s, "big_id"), kcap_schema_type(s, TC_BIG));
	ck_assert_uint_eq(kcap_schema_type(s, TC_BIG)->id, 300);
	ck_assert_ptr_null(kcap_schema_type(s, 77));
	ck_assert_ptr_null(kcap_schema_type(s, 5000));
	ck_assert_ptr_null(kcap_schema_type_by_name(s, "nope"));
	const kcap_symset *fs = kcap_schema_symset_by_name(s, "open_flags");
	ck_assert_ptr_nonnull(fs);
	ck_assert_uint_eq(fs->kind, KCAP_SYMSET_FLAGS);
	ck_assert_uint_eq(fs->nsyms, 5);
	ck_assert_str_eq(fs->syms[4].name, "O_CLOEXEC");
	ck_assert_ptr_eq(kcap_schema_symset(s, TC_SYMSET_ERRNO), kcap_schema_symset_by_name(s, "errno"));
	size_t n = 0;
	while (kcap_schema_type_at(s, n))
		n++;
	ck_assert_uint_eq(n, 4);
	ck_assert_ptr_nonnull(kcap_schema_symset_at(s, 1));
	ck_assert_ptr_null(kcap_schema_symset_at(s, 2));
	kcap_schema_free(s);
	kcap_schema_free(NULL);
}
END_TEST

START_TEST(add_type_rules)
{
	kcap_schema *s = kcap_schema_new();
	kcap_param_def p[] = {{"a", KCAP_T_U32, 0, 0}};
	kcap_type_def t = {9, "nine", "cat", "d", 1, p};
	ck_assert_int_eq(kcap_schema_add_type(s, &t), 0);
	ck_assert_int_eq(kcap_schema_add_type(s, &t), 0); /* same definition: no-op */
	kcap_param_def p2[] = {{"a", KCAP_T_U64, 0, 0}};
	kcap_type_def t2 = {9, "nine", "cat", "d", 1, p2};
	ck_assert_int_eq(kcap_schema_add_type(s, &t2), KCAP_E_INVAL); /* conflicting */
	ck_assert_uint_eq(kcap_schema_type(s, 9)->params[0].type, KCAP_T_U32);
	kcap_param_def bad[] = {{"x", 0, 0, 0}};
	kcap_type_def t3 = {10, "ten", "cat", "d", 1, bad};
	ck_assert_int_eq(kcap_schema_add_type(s, &t3), KCAP_E_INVAL);
	bad[0].type = KCAP_T_MAX_ + 1;
	ck_assert_int_eq(kcap_schema_add_type(s, &t3), KCAP_E_INVAL);
	kcap_type_def t4 = {11, "eleven", NULL, NULL, KCAP_MAX_PARAMS + 1, p};
	ck_assert_int_eq(kcap_schema_add_type(s, &t4), KCAP_E_INVAL);
	ck_assert_ptr_null(kcap_schema_type(s, 10));
	ck_assert_ptr_null(kcap_schema_type(s, 11));
	/* the definition is deep-copied */
	char name[8] = "mine";
	kcap_type_def t5 = {12, name, "c", "d", 0, NULL};
	ck_assert_int_eq(kcap_schema_add_type(s, &t5), 0);
	name[0] = 'X';
	ck_assert_str_eq(kcap_schema_type(s, 12)->name, "mine");
	kcap_schema_free(s);
}
END_TEST

START_TEST(merge)
{
	kcap_schema *a = testcap_schema(), *b = kcap_schema_new();
	kcap_param_def p[] = {{"v", KCAP_T_I64, 0, 0}};
	kcap_type_def t = {77, "extra", "x", "", 1, p};
	ck_assert_int_eq(kcap_schema_add_type(b, &t), 0);
	ck_assert_int_eq(kcap_schema_merge(b, a), 0);
	ck_assert_ptr_nonnull(kcap_schema_type(b, TC_ALL));
	ck_assert_ptr_nonnull(kcap_schema_type(b, 77));
	ck_assert_ptr_nonnull(kcap_schema_symset(b, TC_SYMSET_OPEN));
	ck_assert_int_eq(kcap_schema_merge(b, a), 0); /* idempotent */
	size_t n = 0;
	while (kcap_schema_type_at(b, n))
		n++;
	ck_assert_uint_eq(n, 5);
	kcap_schema_free(a);
	kcap_schema_free(b);
}
END_TEST

static void assert_same_schema(const kcap_schema *x, const kcap_schema *y)
{
	for (size_t i = 0; kcap_schema_type_at(x, i); i++) {
		const kcap_type_def *a = kcap_schema_type_at(x, i), *b = kcap_schema_type(y, a->id);
		ck_assert_ptr_nonnull(b);
		ck_assert_str_eq(a->name, b->name);
		ck_assert_str_eq(a->category, b->category);
		ck_assert_str_eq(a->description, b->description);
		ck_assert_uint_eq(a->nparams, b->nparams);
		for (uint32_t k = 0; k < a->nparams; k++) {
			ck_assert_str_eq(a->params[k].name, b->params[k].name);
			ck_assert_uint_eq(a->params[k].type, b->params[k].type);
			ck_assert_uint_eq(a->params[k].flags, b->params[k].flags);
			ck_assert_uint_eq(a->params[k].symset, b->params[k].symset);
		}
	}
	for (size_t i = 0; kcap_schema_symset_at(x, i); i++) {
		const kcap_symset *a = kcap_schema_symset_at(x, i), *b = kcap_schema_symset(y, a->id);
		ck_assert_ptr_nonnull(b);
		ck_assert_str_eq(a->name, b->name);
		ck_assert_uint_eq(a->kind, b->kind);
		ck_assert_uint_eq(a->nsyms, b->nsyms);
		for (uint32_t k = 0; k < a->nsyms; k++) {
			ck_assert_uint_eq(a->syms[k].value, b->syms[k].value);
			ck_assert_uint_eq(a->syms[k].mask, b->syms[k].mask);
			ck_assert_str_eq(a->syms[k].name, b->syms[k].name);
		}
	}
}

START_TEST(encode_decode_round_trip)
{
	kcap_schema *s = testcap_schema(), *d = kcap_schema_new();
	kcap_buf b = {0};
	ck_assert_int_eq(kcap_schema_encode(s, &b), 0);
	ck_assert_int_eq(kcap_schema_decode(d, (const uint8_t *)b.data, b.len), 0);
	assert_same_schema(s, d);
	assert_same_schema(d, s);
	/* every strict prefix is rejected as corrupt, never crashes */
	for (size_t cut = 0; cut < b.len; cut++) {
		kcap_schema *t = kcap_schema_new();
		uint8_t *copy = malloc(cut ? cut : 1);
		memcpy(copy, b.data, cut);
		ck_assert_int_eq(kcap_schema_decode(t, copy, cut), KCAP_E_CORRUPT);
		free(copy);
		kcap_schema_free(t);
	}
	kcap_buf_free(&b);
	kcap_schema_free(s);
	kcap_schema_free(d);
}
END_TEST

START_TEST(decode_hostile)
{
	/* absurd counts, an unknown param type, too many params */
	static const uint8_t huge_sets[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f};
	static const uint8_t huge_syms[] = {1, 1, 1, 'f', 1, 0xff, 0xff, 0xff, 0xff, 0x0f};
	static const uint8_t bad_ptype[] = {0, 1, 5, 1, 'x', 0, 0, 1, 1, 'p', 99, 0, 0};
	static const uint8_t many_params[] = {0, 1, 5, 1, 'x', 0, 0, 65};
	static const uint8_t bad_varint[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80};
	const struct { const uint8_t *p; size_t n; } cases[] = {
		{huge_sets, sizeof huge_sets}, {huge_syms, sizeof huge_syms}, {bad_ptype, sizeof bad_ptype},
		{many_params, sizeof many_params}, {bad_varint, sizeof bad_varint},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		kcap_schema *t = kcap_schema_new();
		ck_assert_int_eq(kcap_schema_decode(t, cases[i].p, cases[i].n), KCAP_E_CORRUPT);
		ck_assert_ptr_null(kcap_schema_type(t, 5));
		kcap_schema_free(t);
	}
	/* a redefinition that conflicts with an earlier type is corrupt */
	kcap_schema *s = testcap_schema();
	static const uint8_t redef[] = {0, 1, 2, 4, 'o', 'p', 'e', 'n', 0, 0, 0};
	ck_assert_int_eq(kcap_schema_decode(s, redef, sizeof redef), KCAP_E_CORRUPT);
	ck_assert_uint_eq(kcap_schema_type(s, TC_OPEN)->nparams, 3);
	kcap_schema_free(s);
}
END_TEST

START_TEST(ptype_names)
{
	for (int t = 1; t <= KCAP_T_MAX_; t++) {
		const char *n = kcap_ptype_name(t);
		ck_assert_ptr_nonnull(n);
		ck_assert_int_eq(kcap_ptype_from_name(n), t);
	}
	ck_assert_ptr_null(kcap_ptype_name(0));
	ck_assert_ptr_null(kcap_ptype_name(KCAP_T_MAX_ + 1));
	ck_assert_int_eq(kcap_ptype_from_name("no-such-type"), 0);
	ck_assert_str_eq(kcap_ptype_name(KCAP_T_U32), "u32");
	ck_assert_str_eq(kcap_ptype_name(KCAP_T_PATH), "path");
	ck_assert_int_eq(kcap_ptype_is_signed(KCAP_T_I8), 1);
	ck_assert_int_eq(kcap_ptype_is_signed(KCAP_T_FD), 1);
	ck_assert_int_eq(kcap_ptype_is_signed(KCAP_T_RET), 1);
	ck_assert_int_eq(kcap_ptype_is_signed(KCAP_T_PID), 1);
	ck_assert_int_eq(kcap_ptype_is_signed(KCAP_T_TIMESTAMP), 1);
	ck_assert_int_eq(kcap_ptype_is_signed(KCAP_T_DURATION), 1);
	ck_assert_int_eq(kcap_ptype_is_signed(KCAP_T_U64), 0);
	ck_assert_int_eq(kcap_ptype_is_signed(KCAP_T_ERRNO), 0);
	ck_assert_int_eq(kcap_ptype_is_signed(KCAP_T_UID), 0);
}
END_TEST

/* A schema block may declare as many types and symbol sets as the format
 * allows (65536 each, FORMAT.md "Schema block"), with ids anywhere in 32
 * bits (a hostile one, too): decoding and every lookup must still finish
 * (quadratic lookups made 80k ids take over a minute). One more is refused. */
START_TEST(many_far_ids)
{
	const uint32_t n = KCAP_MAX_SCHEMA_TYPES;
	kcap_buf b = {0};
	ck_assert_int_eq(kcap_buf_put_varint(&b, n), 0);
	for (uint32_t i = 0; i < n; i++) {
		kcap_buf_put_varint(&b, 0xfffffff0u - i * 7u);
		uint8_t kind = KCAP_SYMSET_ENUM;
		kcap_buf_append(&b, &kind, 1);
		kcap_buf_put_str(&b, "s", 1);
		kcap_buf_put_varint(&b, 0);
	}
	kcap_buf_put_varint(&b, n);
	for (uint32_t i = 0; i < n; i++) {
		kcap_buf_put_varint(&b, 5000u + i * 13u);
		kcap_buf_put_str(&b, "t", 1);
		kcap_buf_put_str(&b, "", 0);
		kcap_buf_put_str(&b, "", 0);
		kcap_buf_put_varint(&b, 0);
	}
	kcap_schema *s = kcap_schema_new();
	ck_assert_int_eq(kcap_schema_decode(s, (const uint8_t *)b.data, b.len), 0);
	for (uint32_t i = 0; i < n; i++) {
		const kcap_type_def *t = kcap_schema_type(s, 5000u + i * 13u);
		ck_assert_ptr_nonnull(t);
		ck_assert_uint_eq(t->id, 5000u + i * 13u);
		const kcap_symset *set = kcap_schema_symset(s, 0xfffffff0u - i * 7u);
		ck_assert_ptr_nonnull(set);
		ck_assert_uint_eq(set->id, 0xfffffff0u - i * 7u);
	}
	ck_assert_ptr_null(kcap_schema_type(s, 5001));
	ck_assert_ptr_null(kcap_schema_symset(s, 12345));
	ck_assert_ptr_eq(kcap_schema_type_at(s, n - 1), kcap_schema_type(s, 5000u + (n - 1) * 13u));
	/* merging it into another schema goes through the same lookups */
	kcap_schema *m = testcap_schema();
	ck_assert_int_eq(kcap_schema_merge(m, s), 0);
	ck_assert_ptr_nonnull(kcap_schema_type(m, 5000u + 13u * 777u));
	ck_assert_ptr_nonnull(kcap_schema_type(m, TC_BIG));
	ck_assert_ptr_nonnull(kcap_schema_symset(m, TC_SYMSET_OPEN));
	kcap_schema_free(m);
	kcap_schema_free(s);
	kcap_buf_free(&b);
	/* past the bound: no sets, n + 1 types */
	kcap_buf_put_varint(&b, 0);
	kcap_buf_put_varint(&b, n + 1);
	s = kcap_schema_new();
	ck_assert_int_eq(kcap_schema_decode(s, (const uint8_t *)b.data, b.len), KCAP_E_CORRUPT);
	ck_assert_ptr_null(kcap_schema_type_at(s, 0));
	kcap_schema_free(s);
	kcap_buf_free(&b);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("schema");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 120); /* sanitizer builds on a loaded CI host are slow */
	tcase_add_test(tc, lookups);
	tcase_add_test(tc, add_type_rules);
	tcase_add_test(tc, merge);
	tcase_add_test(tc, encode_decode_round_trip);
	tcase_add_test(tc, decode_hostile);
	tcase_add_test(tc, ptype_names);
	tcase_add_test(tc, many_far_ids);
	suite_add_tcase(s, tc);
	return kcap_check_run(s);
}
