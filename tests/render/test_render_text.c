/* The text renderer writes one line per event, whatever the capture holds:
 * control bytes in strings, paths, comm and argv become C escapes, argv
 * elements stay apart, and nothing a process chose can start a new line. */
#include <check.h>
#include "check_run.h"
#include <stdlib.h>
#include <string.h>
#include <kcap/kcap.h>

/* type 7 "exec": path (path), argv (strlist), note (str), addr (sockaddr) */
static kcap_schema *schema(void)
{
	kcap_param_def pd[] = {{"path", KCAP_T_PATH, 0, 0}, {"argv", KCAP_T_STRLIST, 0, 0},
	                       {"note", KCAP_T_STR, 0, 0}, {"addr", KCAP_T_SOCKADDR, 0, 0}};
	kcap_type_def td = {7, "exec", "process", "", 4, pd};
	kcap_schema *s = kcap_schema_new();
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(kcap_schema_add_type(s, &td), 0);
	return s;
}

/* Renders an exec event with the given texts (argv given with its NULs and
 * length); returns the line, NUL-terminated, for the caller to free. */
static char *line_of(const char *comm, const char *path, const char *argv, size_t argv_len, const char *note,
                     const char *unix_path)
{
	kcap_schema *s = schema();
	kcap_value v[4];
	memset(v, 0, sizeof v);
	v[0] = (kcap_value){.type = KCAP_T_PATH, .present = 1, .p = (const uint8_t *)path, .len = (uint32_t)strlen(path)};
	v[1] = (kcap_value){.type = KCAP_T_STRLIST, .present = 1, .p = (const uint8_t *)argv, .len = (uint32_t)argv_len};
	v[2] = (kcap_value){.type = KCAP_T_STR, .present = 1, .p = (const uint8_t *)note, .len = (uint32_t)strlen(note)};
	v[3] = (kcap_value){.type = KCAP_T_SOCKADDR, .present = 1, .af = KCAP_AF_UNIX, .p = (const uint8_t *)unix_path,
	                    .len = (uint32_t)strlen(unix_path)};
	kcap_event ev = {0};
	ev.seq = 5;
	ev.ts = 1795255200000000000LL;
	ev.pid = ev.tid = 42;
	ev.cpu = 1;
	ev.comm = comm;
	ev.comm_len = (uint32_t)strlen(comm);
	ev.type_id = 7;
	ev.nparams = 4;
	ev.params = v;
	kcap_buf b = {0};
	ck_assert_int_eq(kcap_render_text(&b, &ev, s), 0);
	ck_assert_int_eq(kcap_buf_append(&b, "", 1), 0);
	kcap_schema_free(s);
	return b.data;
}

static const char *after(const char *line, const char *key)
{
	const char *p = strstr(line, key);
	ck_assert_msg(p != NULL, "no %s in %s", key, line);
	return p + strlen(key);
}

START_TEST(plain_values_are_unchanged)
{
	static const char argv[] = "ls\0-l\0/etc";
	char *l = line_of("ls", "/usr/bin/ls", argv, sizeof argv, "ok", "/run/x.sock");
	ck_assert_str_eq(l, "5 2026-11-21T10:00:00.000000000Z cpu1 ls(42) exec path=/usr/bin/ls argv=ls -l /etc "
	                    "note=ok addr=unix:/run/x.sock\n");
	free(l);
}
END_TEST

START_TEST(control_bytes_are_escaped)
{
	static const char argv[] = "sh\0-c\0echo a\nfake 2026 line\techo\x1b[2J";
	char *l = line_of("ev\nil", "/tmp/a\nb", argv, sizeof argv, "x\ry\x7fz\x01", "/run/\ts");
	/* one line: the only newline is the last byte */
	ck_assert_ptr_eq(strchr(l, '\n'), l + strlen(l) - 1);
	ck_assert_ptr_null(strchr(l, '\r'));
	ck_assert_ptr_null(strchr(l, '\x1b'));
	ck_assert_msg(strstr(l, " ev\\nil(42) exec ") != NULL, "%s", l);
	ck_assert_msg(!strncmp(after(l, " path="), "/tmp/a\\nb ", 10), "%s", l);
	ck_assert_msg(!strncmp(after(l, " argv="), "sh -c 'echo a\\nfake 2026 line\\techo\\x1b[2J' ", 44), "%s", l);
	ck_assert_msg(!strncmp(after(l, " note="), "x\\ry\\x7fz\\x01 ", 14), "%s", l);
	ck_assert_str_eq(after(l, " addr="), "unix:/run/\\ts\n");
	free(l);
}
END_TEST

START_TEST(argv_elements_stay_apart)
{
	/* "a b" is one element, "" another, and a quote inside is escaped */
	static const char argv[] = "prog\0a b\0\0it's\0\"q\"";
	char *l = line_of("prog", "/p", argv, sizeof argv, "", "");
	ck_assert_msg(!strncmp(after(l, " argv="), "prog 'a b' '' 'it\\'s' '\"q\"' note= addr=\n", 38), "%s", l);
	free(l);
	/* a list whose last element lost its NUL (a truncated argv) */
	static const char cut[] = {'a', 0, 'b', ' ', 'c'};
	l = line_of("prog", "/p", cut, sizeof cut, "", "");
	ck_assert_msg(!strncmp(after(l, " argv="), "a 'b c' note=", 13), "%s", l);
	free(l);
}
END_TEST

int main(void)
{
	Suite *su = suite_create("render_text");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, plain_values_are_unchanged);
	tcase_add_test(tc, control_bytes_are_escaped);
	tcase_add_test(tc, argv_elements_stay_apart);
	suite_add_tcase(su, tc);
	return kcap_check_run(su);
}
