/*
 * Issue 11 §6: a section whose schema blocks repeat the previous section's,
 * byte for byte, takes that schema back instead of building its own, also
 * when the schema comes in several blocks between events (as an import
 * writes it), so memory does not grow with the sections passed. Taking it
 * back must change nothing a fresh read would give: an event whose type the
 * section has not defined yet stays of an unknown type, and a section that
 * repeats only the first blocks gets its own schema without damage.
 */
#include <check.h>
#include "check_run.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/core.h"
#include "readback.h"
#include "testcap.h"

/* A capture of one section: schema block 1 (type 10 "alpha"), an event of
 * it, schema block 2 (adds type 11 named name11), an event of that. */
static void build(const char *name11, uint8_t **buf, size_t *len)
{
	FILE *tf = tmpfile();
	ck_assert_ptr_nonnull(tf);
	kcap_writer *w;
	kcap_error err;
	ck_assert_int_eq(kcap_writer_open_fd(&w, fileno(tf), 0, NULL, &err), 0);
	kcap_meta *m = kcap_meta_new();
	ck_assert_int_eq(kcap_meta_set(m, "hostname", "h"), 0);
	ck_assert_int_eq(kcap_writer_add_meta(w, m), 0);
	kcap_meta_free(m);
	kcap_type_def a = {.id = 10, .name = "alpha", .category = "test", .description = ""};
	kcap_type_def b = {.id = 11, .name = name11, .category = "test", .description = ""};
	kcap_schema *s = kcap_schema_new();
	ck_assert_int_eq(kcap_schema_add_type(s, &a), 0);
	ck_assert_int_eq(kcap_writer_set_schema(w, s), 0);
	kcap_event ev;
	memset(&ev, 0, sizeof ev);
	ev.ts = 1000;
	ev.seq = 1;
	ev.pid = 7;
	ev.type_id = 10;
	ev.comm = "x";
	ev.comm_len = 1;
	ck_assert_int_eq(kcap_writer_write(w, &ev), 0);
	ck_assert_int_eq(kcap_writer_flush(w), 0);
	ck_assert_int_eq(kcap_schema_add_type(s, &b), 0);
	ck_assert_int_eq(kcap_writer_set_schema(w, s), 0);
	ev.ts = 2000;
	ev.seq = 2;
	ev.type_id = 11;
	ck_assert_int_eq(kcap_writer_write(w, &ev), 0);
	ck_assert_int_eq(kcap_writer_close(w), 0);
	kcap_schema_free(s);
	ck_assert_int_eq(testcap_slurp_fd(fileno(tf), buf, len), 0);
	fclose(tf);
}

typedef struct seen {
	int n, damage;
	const kcap_type_def *def[16];
	uint32_t section[16];
} seen;

static void on_damage(void *ud, const kcap_error *e, uint64_t skipped)
{
	(void)e;
	(void)skipped;
	((seen *)ud)->damage++;
}

static void read_all(const uint8_t *buf, size_t len, seen *out, kcap_reader **keep)
{
	kcap_reader *r;
	kcap_error err;
	memset(out, 0, sizeof *out);
	ck_assert_int_eq(kcap_reader_open_mem(&r, buf, len, "mem", &err), 0);
	kcap_reader_set_damage_cb(r, on_damage, out);
	const kcap_event *ev;
	while (kcap_reader_next(r, &ev) == 1 && out->n < 16) {
		out->section[out->n] = kcap_reader_section(r);
		out->def[out->n++] = ev->def;
	}
	*keep = r; /* the defs point into the reader's schemas */
}

static const char *name_of(const kcap_type_def *d) { return d ? d->name : "(unknown)"; }

/* Reads two sections of build()'s, the first with types alpha and beta. */
static void read_two(const uint8_t *buf, size_t len, seen *s, kcap_reader **keep)
{
	read_all(buf, len, s, keep);
	ck_assert_int_eq(s->n, 4);
	ck_assert_int_eq(s->damage, 0);
	ck_assert_str_eq(name_of(s->def[0]), "alpha");
	ck_assert_str_eq(name_of(s->def[1]), "beta");
	ck_assert_uint_eq(s->section[2], 1);
}

static uint8_t *concat(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen, size_t *len)
{
	uint8_t *o = malloc(alen + blen);
	ck_assert_ptr_nonnull(o);
	memcpy(o, a, alen);
	memcpy(o + alen, b, blen);
	*len = alen + blen;
	return o;
}

/* The same capture twice: the second section's events point into the first
 * section's schema (taken back), with the same types. */
START_TEST(repeated_blocks_share_the_schema)
{
	uint8_t *a, *two;
	size_t alen, len;
	build("beta", &a, &alen);
	two = concat(a, alen, a, alen, &len);
	testcap_part parts[32];
	int np = testcap_walk(a, alen, parts, 32), nschema = 0;
	for (int i = 0; i < np; i++)
		nschema += parts[i].type == KCAP_BLK_SCHEMA;
	ck_assert_int_eq(nschema, 2); /* what this test is about */
	seen s;
	kcap_reader *r;
	read_two(two, len, &s, &r);
	ck_assert_ptr_eq(s.def[2], s.def[0]);
	ck_assert_ptr_eq(s.def[3], s.def[1]);
	kcap_reader_close(r);
	free(two);
	free(a);
}
END_TEST

/* A section that repeats schema block 1 but holds an event of type 11
 * before block 2: that type is not defined yet, as in a fresh read of the
 * section alone, although the schema taken back holds it: the event is
 * reported as damage in both reads, and delivered in neither. */
START_TEST(types_of_later_blocks_stay_unknown)
{
	uint8_t *a;
	size_t alen;
	build("beta", &a, &alen);
	testcap_part p[32];
	int np = testcap_walk(a, alen, p, 32), sch[2], evb[2], ns = 0, ne = 0;
	for (int i = 0; i < np; i++) {
		if (p[i].type == KCAP_BLK_SCHEMA && ns < 2)
			sch[ns++] = i;
		if (p[i].type == KCAP_BLK_EVENTS && ne < 2)
			evb[ne++] = i;
	}
	ck_assert_int_eq(ns, 2);
	ck_assert_int_eq(ne, 2);
	/* section header, meta, schema 1, the events block of type 11, schema 2 */
	uint8_t *c = malloc(alen);
	size_t clen = p[sch[0]].off + p[sch[0]].len;
	memcpy(c, a, clen);
	memcpy(c + clen, a + p[evb[1]].off, p[evb[1]].len);
	clen += p[evb[1]].len;
	memcpy(c + clen, a + p[sch[1]].off, p[sch[1]].len);
	clen += p[sch[1]].len;
	seen alone, both;
	kcap_reader *r1, *r2;
	read_all(c, clen, &alone, &r1);
	/* of a type not defined: reported, not delivered */
	ck_assert_int_eq(alone.n, 0);
	ck_assert_int_eq(alone.damage, 1);
	size_t len;
	uint8_t *ac = concat(a, alen, c, clen, &len);
	read_all(ac, len, &both, &r2);
	ck_assert_msg(both.n == 2, "type 11 before its schema block read as %s", name_of(both.def[2]));
	ck_assert_int_eq(both.damage, alone.damage);
	ck_assert_str_eq(name_of(both.def[1]), "beta");
	kcap_reader_close(r1);
	kcap_reader_close(r2);
	free(ac);
	free(c);
	free(a);
}
END_TEST

/* A section that repeats block 1 and then defines type 11 otherwise gets
 * its own schema: no damage, its own name. */
START_TEST(diverging_blocks_get_a_schema_of_their_own)
{
	uint8_t *a, *g;
	size_t alen, glen, len;
	build("beta", &a, &alen);
	build("gamma", &g, &glen);
	uint8_t *ag = concat(a, alen, g, glen, &len);
	seen s;
	kcap_reader *r;
	read_two(ag, len, &s, &r); /* the first section's types untouched */
	ck_assert_str_eq(name_of(s.def[2]), "alpha");
	ck_assert_str_eq(name_of(s.def[3]), "gamma");
	kcap_reader_close(r);
	free(ag);
	free(g);
	free(a);
}
END_TEST

/* Bytes in use after reading n copies. */
static size_t in_use_after(const uint8_t *one, size_t len, int n)
{
	size_t events;
	size_t bytes = rb_in_use_after(one, len, n, &events, NULL);
	ck_assert_uint_eq(events, 2 * (size_t)n);
	return bytes;
}

/* Before, each section kept a schema of its own (some 500 bytes here). */
START_TEST(memory_does_not_grow_with_repeated_schema_blocks)
{
	uint8_t *a;
	size_t alen;
	build("beta", &a, &alen);
	size_t few = in_use_after(a, alen, 100), many = in_use_after(a, alen, 5000);
	ck_assert_msg(many < few + (256u << 10), "100 sections: %zu bytes in use; 5000: %zu", few, many);
	free(a);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("schema_repeat");
	TCase *tc = tcase_create("schema");
	tcase_add_test(tc, repeated_blocks_share_the_schema);
	tcase_add_test(tc, types_of_later_blocks_stay_unknown);
	tcase_add_test(tc, diverging_blocks_get_a_schema_of_their_own);
	tcase_add_test(tc, memory_does_not_grow_with_repeated_schema_blocks);
	suite_add_tcase(s, tc);
	return kcap_check_run(s);
}
