/* Origin metadata and process snapshots, and their block encodings. */
#include <check.h>
#include "check_run.h"
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "core/core.h"

START_TEST(meta_set_get_remove)
{
	kcap_meta *m = kcap_meta_new();
	ck_assert_int_eq(kcap_meta_set(m, KCAP_META_HOSTNAME, "alpha"), 0);
	ck_assert_int_eq(kcap_meta_set(m, KCAP_META_OS, "Linux"), 0);
	ck_assert_int_eq(kcap_meta_set(m, "tag", "x"), 0);
	ck_assert_int_eq(kcap_meta_set(m, KCAP_META_HOSTNAME, "beta"), 0); /* replace keeps position */
	ck_assert_uint_eq(kcap_meta_count(m), 3);
	ck_assert_str_eq(kcap_meta_get(m, "hostname"), "beta");
	const char *k, *v;
	ck_assert_int_eq(kcap_meta_at(m, 0, &k, &v), 1);
	ck_assert_str_eq(k, "hostname");
	ck_assert_str_eq(v, "beta");
	ck_assert_int_eq(kcap_meta_at(m, 3, &k, &v), 0);
	ck_assert_int_eq(kcap_meta_set(m, KCAP_META_OS, NULL), 0);
	ck_assert_ptr_null(kcap_meta_get(m, "os"));
	ck_assert_uint_eq(kcap_meta_count(m), 2);
	ck_assert_int_eq(kcap_meta_at(m, 1, &k, &v), 1);
	ck_assert_str_eq(k, "tag");
	ck_assert_int_eq(kcap_meta_set(m, NULL, "v"), KCAP_E_INVAL);
	ck_assert_int_eq(kcap_meta_set(m, "absent", NULL), 0);
	ck_assert_uint_eq(kcap_meta_count(m), 2);
	ck_assert_ptr_null(kcap_meta_get(NULL, "x"));
	ck_assert_uint_eq(kcap_meta_count(NULL), 0);
	kcap_meta_free(m);
	kcap_meta_free(NULL);
}
END_TEST

START_TEST(meta_encode_decode)
{
	kcap_meta *m = kcap_meta_new();
	char key[32], val[300];
	for (int i = 0; i < 50; i++) {
		snprintf(key, sizeof key, "key%d", i);
		memset(val, 'a' + i % 26, (size_t)(i * 5));
		val[i * 5] = 0;
		ck_assert_int_eq(kcap_meta_set(m, key, val), 0);
	}
	kcap_buf b = {0};
	ck_assert_int_eq(kcap_meta_encode(m, 513, &b), 0);
	kcap_meta *d = kcap_meta_new();
	uint16_t origin = 0;
	ck_assert_int_eq(kcap_meta_decode(d, &origin, (const uint8_t *)b.data, b.len), 0);
	ck_assert_uint_eq(origin, 513);
	ck_assert_uint_eq(kcap_meta_count(d), 50);
	for (size_t i = 0; i < 50; i++) {
		const char *k1, *v1, *k2, *v2;
		ck_assert_int_eq(kcap_meta_at(m, i, &k1, &v1), 1);
		ck_assert_int_eq(kcap_meta_at(d, i, &k2, &v2), 1);
		ck_assert_str_eq(k1, k2);
		ck_assert_str_eq(v1, v2);
	}
	for (size_t cut = 0; cut < b.len; cut++) {
		kcap_meta *t = kcap_meta_new();
		uint8_t *copy = malloc(cut + 1);
		memcpy(copy, b.data, cut);
		ck_assert_int_eq(kcap_meta_decode(t, &origin, copy, cut), KCAP_E_CORRUPT);
		free(copy);
		kcap_meta_free(t);
	}
	/* origin > 65535 and a count far beyond the bytes present */
	static const uint8_t big_origin[] = {0x80, 0x80, 0x04, 0};
	static const uint8_t big_count[] = {0, 0xff, 0xff, 0xff, 0xff, 0x0f, 1, 'k', 1, 'v'};
	ck_assert_int_eq(kcap_meta_decode(d, &origin, big_origin, sizeof big_origin), KCAP_E_CORRUPT);
	kcap_meta *t = kcap_meta_new();
	ck_assert_int_eq(kcap_meta_decode(t, &origin, big_count, sizeof big_count), KCAP_E_CORRUPT);
	kcap_meta_free(t);
	kcap_buf_free(&b);
	kcap_meta_free(m);
	kcap_meta_free(d);
}
END_TEST

START_TEST(meta_fill_host)
{
	kcap_meta *m = kcap_meta_new();
	ck_assert_int_eq(kcap_meta_fill_host(m), 0);
	char host[256] = "";
	gethostname(host, sizeof host - 1);
	ck_assert_ptr_nonnull(kcap_meta_get(m, KCAP_META_HOSTNAME));
	ck_assert_str_eq(kcap_meta_get(m, KCAP_META_HOSTNAME), host);
	ck_assert_str_eq(kcap_meta_get(m, KCAP_META_OS), "Linux");
	ck_assert_ptr_nonnull(kcap_meta_get(m, KCAP_META_KERNEL));
	ck_assert_ptr_nonnull(kcap_meta_get(m, KCAP_META_TIMEZONE));
	kcap_meta_free(m);
}
END_TEST

START_TEST(snapshot_add_encode_decode)
{
	kcap_snapshot *s = kcap_snapshot_new();
	char cmd[] = "bash\0-c\0echo hi";
	kcap_proc p = {1234, 1, 1000, 100, 1795255200123456789LL, "bash", "/usr/bin/bash", "/home/u", cmd, sizeof cmd};
	ck_assert_int_eq(kcap_snapshot_add(s, &p), 0);
	kcap_proc q = {-1, -2, 0, 0, -5, NULL, NULL, NULL, NULL, 77}; /* a length without a cmdline */
	ck_assert_int_eq(kcap_snapshot_add(s, &q), 0);
	cmd[0] = 'X'; /* copied in */
	ck_assert_uint_eq(kcap_snapshot_count(s), 2);
	const kcap_proc *a = kcap_snapshot_at(s, 0);
	ck_assert_int_eq(a->cmdline[0], 'b');
	ck_assert_ptr_null(kcap_snapshot_at(s, 2));
	kcap_buf b = {0};
	ck_assert_int_eq(kcap_snapshot_encode(s, &b), 0);
	kcap_snapshot *d = kcap_snapshot_new();
	ck_assert_int_eq(kcap_snapshot_decode(d, (const uint8_t *)b.data, b.len), 0);
	ck_assert_uint_eq(kcap_snapshot_count(d), 2);
	const kcap_proc *x = kcap_snapshot_at(d, 0), *y = kcap_snapshot_at(d, 1);
	ck_assert_int_eq(x->pid, 1234);
	ck_assert_int_eq(x->ppid, 1);
	ck_assert_uint_eq(x->uid, 1000);
	ck_assert_uint_eq(x->gid, 100);
	ck_assert_int_eq(x->start_ts, 1795255200123456789LL);
	ck_assert_str_eq(x->comm, "bash");
	ck_assert_str_eq(x->exe, "/usr/bin/bash");
	ck_assert_str_eq(x->cwd, "/home/u");
	ck_assert_uint_eq(x->cmdline_len, sizeof cmd);
	ck_assert_mem_eq(x->cmdline, "bash\0-c\0echo hi", sizeof cmd);
	ck_assert_int_eq(y->pid, -1);
	ck_assert_int_eq(y->ppid, -2);
	ck_assert_int_eq(y->start_ts, -5);
	ck_assert_str_eq(y->comm, "");
	ck_assert_uint_eq(y->cmdline_len, 0);
	for (size_t cut = 0; cut < b.len; cut++) {
		kcap_snapshot *t = kcap_snapshot_new();
		uint8_t *copy = malloc(cut + 1);
		memcpy(copy, b.data, cut);
		ck_assert_int_eq(kcap_snapshot_decode(t, copy, cut), KCAP_E_CORRUPT);
		free(copy);
		kcap_snapshot_free(t);
	}
	kcap_buf_free(&b);
	kcap_snapshot_free(s);
	kcap_snapshot_free(d);
	kcap_snapshot_free(NULL);
}
END_TEST

/* The user and group name tables: sorted, replaced by id, appended after
 * the processes (so a snapshot without names encodes as before, and a reader
 * that stops after the processes reads the same processes). */
START_TEST(snapshot_names_encode_decode)
{
	kcap_snapshot *s = kcap_snapshot_new();
	kcap_proc p = {10, 1, 1000, 100, 0, "sh", "/bin/sh", "/", "sh", 3};
	ck_assert_int_eq(kcap_snapshot_add(s, &p), 0);
	kcap_buf plain = {0}, named = {0};
	ck_assert_int_eq(kcap_snapshot_encode(s, &plain), 0);
	ck_assert_int_eq(kcap_snapshot_set_name(s, KCAP_NAMES_USER, 1000, "alcie"), 0);
	ck_assert_int_eq(kcap_snapshot_set_name(s, KCAP_NAMES_USER, 0, "root"), 0);
	ck_assert_int_eq(kcap_snapshot_set_name(s, KCAP_NAMES_USER, 1000, "alice"), 0); /* replaces */
	ck_assert_int_eq(kcap_snapshot_set_name(s, KCAP_NAMES_GROUP, 100, "users"), 0);
	ck_assert_int_eq(kcap_snapshot_set_name(s, 2, 1, "x"), KCAP_E_INVAL);
	ck_assert_uint_eq(kcap_snapshot_name_count(s, KCAP_NAMES_USER), 2);
	uint32_t id;
	const char *name;
	ck_assert_int_eq(kcap_snapshot_name_at(s, KCAP_NAMES_USER, 0, &id, &name), 1);
	ck_assert_uint_eq(id, 0);
	ck_assert_str_eq(name, "root");
	ck_assert_int_eq(kcap_snapshot_name_at(s, KCAP_NAMES_USER, 2, &id, &name), 0);
	ck_assert_int_eq(kcap_snapshot_encode(s, &named), 0);
	ck_assert_uint_gt(named.len, plain.len);
	ck_assert_mem_eq(named.data, plain.data, plain.len);
	kcap_snapshot *d = kcap_snapshot_new();
	ck_assert_int_eq(kcap_snapshot_decode(d, (const uint8_t *)named.data, named.len), 0);
	ck_assert_uint_eq(kcap_snapshot_count(d), 1);
	ck_assert_str_eq(kcap_snapshot_name(d, KCAP_NAMES_USER, 0), "root");
	ck_assert_str_eq(kcap_snapshot_name(d, KCAP_NAMES_USER, 1000), "alice");
	ck_assert_str_eq(kcap_snapshot_name(d, KCAP_NAMES_GROUP, 100), "users");
	ck_assert_ptr_null(kcap_snapshot_name(d, KCAP_NAMES_GROUP, 0));
	ck_assert_ptr_null(kcap_snapshot_name(NULL, KCAP_NAMES_USER, 0));
	/* bytes after the tables are damage (issue 11: trailing bytes in a
	 * context block), as after the processes of a snapshot without names */
	kcap_buf more = {0};
	kcap_buf_append(&more, named.data, named.len);
	kcap_buf_append(&more, "\x05zzzzz", 6);
	kcap_snapshot *f = kcap_snapshot_new();
	ck_assert_int_eq(kcap_snapshot_decode(f, (const uint8_t *)more.data, more.len), KCAP_E_CORRUPT);
	/* a table cut short is corrupt; ids out of order too (decoding stays linear) */
	for (size_t cut = plain.len + 1; cut < named.len; cut++) {
		kcap_snapshot *t = kcap_snapshot_new();
		ck_assert_int_eq(kcap_snapshot_decode(t, (const uint8_t *)named.data, cut), KCAP_E_CORRUPT);
		kcap_snapshot_free(t);
	}
	kcap_buf bad = {0};
	kcap_buf_append(&bad, plain.data, plain.len);
	kcap_buf_append(&bad, "\x02\x05\x01" "b" "\x03\x01" "a" "\x00", 9);
	kcap_snapshot *t = kcap_snapshot_new();
	ck_assert_int_eq(kcap_snapshot_decode(t, (const uint8_t *)bad.data, bad.len), KCAP_E_CORRUPT);
	kcap_snapshot_free(t);
	kcap_buf_free(&bad);
	kcap_buf_free(&more);
	kcap_buf_free(&plain);
	kcap_buf_free(&named);
	kcap_snapshot_free(s);
	kcap_snapshot_free(d);
	kcap_snapshot_free(f);
}
END_TEST

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

/* passwd and group files: the first line of an id wins, comments, NIS
 * compat lines and bad ids are skipped; a missing file is KCAP_E_IO and the
 * other is still read. */
START_TEST(snapshot_fill_names)
{
	char pw[] = "/tmp/kcap_pw_XXXXXX", gr[] = "/tmp/kcap_gr_XXXXXX";
	close(mkstemp(pw));
	close(mkstemp(gr));
	write_file(pw, "# comment:x:5:5\nroot:x:0:0:root:/root:/bin/bash\ntoor:x:0:0::/:/bin/sh\n"
	               "+nis:x:7:7:::\nbad:x:12a:1:::\nneg:x:-3:1:::\nbig:x:4294967296:1:::\n"
	               "alice:x:1000:1000:Alice:/home/alice:/bin/bash\nnocolon\n:x:9:9:::\n");
	write_file(gr, "root:x:0:\nusers:x:100:alice,bob\nwheel:x:10:alice\n");
	kcap_snapshot *s = kcap_snapshot_new();
	ck_assert_int_eq(kcap_snapshot_fill_names(s, pw, gr), 0);
	ck_assert_uint_eq(kcap_snapshot_name_count(s, KCAP_NAMES_USER), 2);
	ck_assert_str_eq(kcap_snapshot_name(s, KCAP_NAMES_USER, 0), "root");
	ck_assert_str_eq(kcap_snapshot_name(s, KCAP_NAMES_USER, 1000), "alice");
	ck_assert_uint_eq(kcap_snapshot_name_count(s, KCAP_NAMES_GROUP), 3);
	ck_assert_str_eq(kcap_snapshot_name(s, KCAP_NAMES_GROUP, 10), "wheel");
	ck_assert_str_eq(kcap_snapshot_name(s, KCAP_NAMES_GROUP, 100), "users");
	kcap_snapshot *m = kcap_snapshot_new();
	ck_assert_int_eq(kcap_snapshot_fill_names(m, "/nonexistent/passwd", gr), KCAP_E_IO);
	ck_assert_uint_eq(kcap_snapshot_name_count(m, KCAP_NAMES_USER), 0);
	ck_assert_str_eq(kcap_snapshot_name(m, KCAP_NAMES_GROUP, 0), "root");
	ck_assert_int_eq(kcap_snapshot_fill_names(NULL, pw, gr), KCAP_E_INVAL);
	unlink(pw);
	unlink(gr);
	kcap_snapshot_free(s);
	kcap_snapshot_free(m);
}
END_TEST

START_TEST(snapshot_fill_host)
{
	kcap_snapshot *s = kcap_snapshot_new();
	ck_assert_int_eq(kcap_snapshot_fill_host(s), 0);
	int found = 0;
	for (size_t i = 0; i < kcap_snapshot_count(s); i++)
		if (kcap_snapshot_at(s, i)->pid == (int32_t)getpid())
			found = 1;
	ck_assert_int_eq(found, 1);
	kcap_snapshot_free(s);
}
END_TEST

/* A metadata block may carry any number of keys (a hostile one, too): the
 * lookups behind decoding stay fast enough that 150k keys finish (they took
 * about a minute at 80k when each set scanned every key). */
START_TEST(meta_many_keys)
{
	const int n = 150000;
	kcap_buf b = {0};
	kcap_buf_put_varint(&b, 7);
	kcap_buf_put_varint(&b, (uint64_t)n + 1);
	char k[32], v[32];
	for (int i = 0; i < n; i++) {
		int kl = snprintf(k, sizeof k, "key%d", i), vl = snprintf(v, sizeof v, "v%d", i * 3);
		kcap_buf_put_str(&b, k, (size_t)kl);
		kcap_buf_put_str(&b, v, (size_t)vl);
	}
	kcap_buf_put_str(&b, "key5", 4); /* a repeated key replaces the value in place */
	kcap_buf_put_str(&b, "again", 5);
	kcap_meta *m = kcap_meta_new();
	uint16_t origin;
	ck_assert_int_eq(kcap_meta_decode(m, &origin, (const uint8_t *)b.data, b.len), 0);
	ck_assert_uint_eq(kcap_meta_count(m), (size_t)n);
	ck_assert_str_eq(kcap_meta_get(m, "key5"), "again");
	for (int i = 0; i < n; i += 7) {
		snprintf(k, sizeof k, "key%d", i);
		snprintf(v, sizeof v, "v%d", i * 3);
		if (i != 5)
			ck_assert_str_eq(kcap_meta_get(m, k), v);
	}
	/* removals keep the other keys reachable and the order intact */
	for (int i = 0; i < 300; i++) {
		snprintf(k, sizeof k, "key%d", i * 2);
		ck_assert_int_eq(kcap_meta_set(m, k, NULL), 0);
	}
	ck_assert_uint_eq(kcap_meta_count(m), (size_t)n - 300);
	ck_assert_ptr_null(kcap_meta_get(m, "key0"));
	ck_assert_ptr_null(kcap_meta_get(m, "key598"));
	ck_assert_str_eq(kcap_meta_get(m, "key599"), "v1797");
	ck_assert_str_eq(kcap_meta_get(m, "key149999"), "v449997");
	const char *key, *val;
	ck_assert_int_eq(kcap_meta_at(m, 0, &key, &val), 1);
	ck_assert_str_eq(key, "key1");
	ck_assert_int_eq(kcap_meta_set(m, "key0", "back"), 0);
	ck_assert_int_eq(kcap_meta_at(m, (size_t)n - 300, &key, &val), 1);
	ck_assert_str_eq(key, "key0");
	ck_assert_str_eq(kcap_meta_get(m, "key0"), "back");
	kcap_meta_free(m);
	kcap_buf_free(&b);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("meta");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 120); /* sanitizer builds on a loaded CI host are slow */
	tcase_add_test(tc, meta_set_get_remove);
	tcase_add_test(tc, meta_encode_decode);
	tcase_add_test(tc, meta_fill_host);
	tcase_add_test(tc, meta_many_keys);
	tcase_add_test(tc, snapshot_add_encode_decode);
	tcase_add_test(tc, snapshot_fill_host);
	tcase_add_test(tc, snapshot_names_encode_decode);
	tcase_add_test(tc, snapshot_fill_names);
	suite_add_tcase(s, tc);
	return kcap_check_run(s);
}
