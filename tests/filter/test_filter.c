/* Check unit tests of the filter language: time literals, lexer/parser
 * errors, evaluation on hand-built events, block skipping on hand-built
 * summaries, and the process context tracker. */
#include <arpa/inet.h>
#include <check.h>
#include "check_run.h"
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <kcap/filter.h>
#include <kcap/taxonomy.h>
#include "captures.h"

#define S 1000000000LL

/* Allocation counting: the test binary is linked with
 * -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc, so calls from libkcap go
 * through these wrappers. */
void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t m);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t m);
void *__wrap_realloc(void *p, size_t n);
static volatile unsigned long n_allocs;
void *__wrap_malloc(size_t n) { n_allocs++; return __real_malloc(n); }
void *__wrap_calloc(size_t n, size_t m) { n_allocs++; return __real_calloc(n, m); }
void *__wrap_realloc(void *p, size_t n) { n_allocs++; return __real_realloc(p, n); }

/* ---- time literals ---- */

START_TEST(time_absolute_forms)
{
	int64_t t;
	ck_assert_int_eq(kcap_parse_time("2026-11-21T10:00:00Z", INT64_MIN, INT64_MIN, &t, NULL), 0);
	ck_assert_int_eq(t, CAP_T0);
	ck_assert_int_eq(kcap_parse_time("2026-11-21t10:00:00.5z", INT64_MIN, INT64_MIN, &t, NULL), 0);
	ck_assert_int_eq(t, CAP_T0 + S / 2);
	ck_assert_int_eq(kcap_parse_time("2026-11-21T11:30:00+01:30", INT64_MIN, INT64_MIN, &t, NULL), 0);
	ck_assert_int_eq(t, CAP_T0);
	ck_assert_int_eq(kcap_parse_time("2026-11-21 05:00:00-0500", INT64_MIN, INT64_MIN, &t, NULL), 0);
	ck_assert_int_eq(t, CAP_T0);
	ck_assert_int_eq(kcap_parse_time("2026-11-21T10:00:00.000000001Z", INT64_MIN, INT64_MIN, &t, NULL), 0);
	ck_assert_int_eq(t, CAP_T0 + 1);
	ck_assert_int_eq(kcap_parse_time("1795255200000000007", INT64_MIN, INT64_MIN, &t, NULL), 0);
	ck_assert_int_eq(t, CAP_T0 + 7);
	ck_assert_int_eq(kcap_parse_time("@1795255200.25", INT64_MIN, INT64_MIN, &t, NULL), 0);
	ck_assert_int_eq(t, CAP_T0 + S / 4);
	ck_assert_int_eq(kcap_parse_time("@0", INT64_MIN, INT64_MIN, &t, NULL), 0);
	ck_assert_int_eq(t, 0);
	ck_assert_int_eq(kcap_parse_time("1970-01-01T00:00:00Z", INT64_MIN, INT64_MIN, &t, NULL), 0);
	ck_assert_int_eq(t, 0);
	ck_assert_int_eq(kcap_parse_time("2000-02-29T00:00:00Z", INT64_MIN, INT64_MIN, &t, NULL), 0);
	ck_assert_int_eq(t, 951782400LL * S);
}
END_TEST

START_TEST(time_local_forms)
{
	int64_t t;
	setenv("TZ", "UTC", 1);
	tzset();
	ck_assert_int_eq(kcap_parse_time("2026-11-21T10:00:00", INT64_MIN, INT64_MIN, &t, NULL), 0);
	ck_assert_int_eq(t, CAP_T0);
	ck_assert_int_eq(kcap_parse_time("2026-11-21 10:00", INT64_MIN, INT64_MIN, &t, NULL), 0);
	ck_assert_int_eq(t, CAP_T0);
	ck_assert_int_eq(kcap_parse_time("2026-11-21", INT64_MIN, INT64_MIN, &t, NULL), 0);
	ck_assert_int_eq(t, CAP_T0 - 10 * 3600 * S);
	setenv("TZ", "Europe/Paris", 1); /* UTC+1 in November */
	tzset();
	ck_assert_int_eq(kcap_parse_time("2026-11-21T11:00:00", INT64_MIN, INT64_MIN, &t, NULL), 0);
	if (access("/usr/share/zoneinfo/Europe/Paris", R_OK) == 0)
		ck_assert_int_eq(t, CAP_T0);
	setenv("TZ", "UTC", 1);
	tzset();
}
END_TEST

START_TEST(time_relative_forms)
{
	int64_t t, start = CAP_T0, end = CAP_T0 + 7200 * S;
	ck_assert_int_eq(kcap_parse_time("+10s", start, end, &t, NULL), 0);
	ck_assert_int_eq(t, CAP_T0 + 10 * S);
	ck_assert_int_eq(kcap_parse_time("+1h30min", start, end, &t, NULL), 0);
	ck_assert_int_eq(t, CAP_T0 + 5400 * S);
	ck_assert_int_eq(kcap_parse_time("-90s", start, end, &t, NULL), 0);
	ck_assert_int_eq(t, end - 90 * S);
	ck_assert_int_eq(kcap_parse_time("-1.5h", start, end, &t, NULL), 0);
	ck_assert_int_eq(t, end - 5400 * S);
	ck_assert_int_eq(kcap_parse_time("+1d2h3min4s5ms6us7ns", start, end, &t, NULL), 0);
	ck_assert_int_eq(t, CAP_T0 + 93784 * S + 5006007);
	int anchor;
	ck_assert_int_eq(kcap_parse_time_rel("-250ms", &anchor, &t, NULL), 0);
	ck_assert_int_eq(anchor, KCAP_TIME_FROM_END);
	ck_assert_int_eq(t, -250000000);
	kcap_error e;
	ck_assert_int_eq(kcap_parse_time("+10s", INT64_MIN, end, &t, &e), KCAP_E_INVAL);
	ck_assert_ptr_nonnull(strstr(e.msg, "capture start"));
	ck_assert_int_eq(kcap_parse_time("-10s", start, INT64_MIN, &t, &e), KCAP_E_INVAL);
	ck_assert_ptr_nonnull(strstr(e.msg, "capture end"));
}
END_TEST

START_TEST(time_errors)
{
	int64_t t;
	kcap_error e;
	ck_assert_int_eq(kcap_parse_time("+10", 0, 0, &t, &e), KCAP_E_SYNTAX);
	ck_assert_int_eq(e.column, 4);
	ck_assert_ptr_nonnull(strstr(e.msg, "missing unit"));
	ck_assert_int_eq(kcap_parse_time("+5x", 0, 0, &t, &e), KCAP_E_SYNTAX);
	ck_assert_int_eq(e.column, 3);
	ck_assert_ptr_nonnull(strstr(e.msg, "unknown unit 'x'"));
	/* m is minutes in every duration (it was refused before the grammar was one) */
	ck_assert_int_eq(kcap_parse_time("+5m", 0, 0, &t, &e), 0);
	ck_assert_int_eq(t, 300 * S);
	ck_assert_int_eq(kcap_parse_time("2026-13-01T00:00:00Z", 0, 0, &t, &e), KCAP_E_INVAL);
	ck_assert_int_eq(kcap_parse_time("2026-11-21T25:00:00Z", 0, 0, &t, &e), KCAP_E_INVAL);
	ck_assert_int_eq(kcap_parse_time("2026-11-21T10:00:00Q", 0, 0, &t, &e), KCAP_E_SYNTAX);
	ck_assert_int_eq(e.column, 20);
	/* kcap_parse_time has no clock: relative to now is relative to the unknown */
	ck_assert_int_eq(kcap_parse_time("yesterday", 0, 0, &t, &e), KCAP_E_INVAL);
	ck_assert_str_eq(e.msg, "relative to the current time, which is unknown");
	ck_assert_int_eq(kcap_parse_time("yesterdays", 0, 0, &t, &e), KCAP_E_SYNTAX);
	ck_assert_int_eq(kcap_parse_time("", 0, 0, &t, &e), KCAP_E_SYNTAX);
	ck_assert_int_eq(kcap_parse_time("@", 0, 0, &t, &e), KCAP_E_SYNTAX);
	ck_assert_int_eq(kcap_parse_time("@12x", 0, 0, &t, &e), KCAP_E_SYNTAX);
	ck_assert_int_eq(e.column, 4);
	ck_assert_int_eq(kcap_parse_time("99999999999999999999", 0, 0, &t, &e), KCAP_E_INVAL);
	ck_assert_int_eq(kcap_parse_time("2903-01-01T00:00:00Z", 0, 0, &t, &e), KCAP_E_INVAL);
	ck_assert_ptr_nonnull(strstr(e.msg, "out of range"));
	ck_assert_int_eq(kcap_parse_time("1500-01-01T00:00:00Z", 0, 0, &t, &e), KCAP_E_INVAL);
	ck_assert_int_eq(kcap_parse_time("2903-01-01T00:00:00", 0, 0, &t, &e), KCAP_E_INVAL);
	ck_assert_int_eq(kcap_parse_time("2262-01-01T00:00:00Z", 0, 0, &t, &e), 0);
}
END_TEST

START_TEST(durations)
{
	int64_t d;
	ck_assert_int_eq(kcap_parse_duration("1h30min", &d, NULL), 0);
	ck_assert_int_eq(d, 5400 * S);
	ck_assert_int_eq(kcap_parse_duration("250ms", &d, NULL), 0);
	ck_assert_int_eq(d, 250000000);
	ck_assert_int_eq(kcap_parse_duration("1.5s", &d, NULL), 0);
	ck_assert_int_eq(d, 1500000000);
	/* a bare number has no unit: an error, not ns (docs/CLI.md "Values") */
	kcap_error e;
	ck_assert_int_eq(kcap_parse_duration("1234", &d, &e), KCAP_E_SYNTAX);
	ck_assert_int_eq(e.column, 5);
	ck_assert_ptr_nonnull(strstr(e.msg, "missing unit"));
	ck_assert_int_eq(kcap_parse_duration("0", &d, NULL), 0);
	ck_assert_int_eq(d, 0);
	ck_assert_int_eq(kcap_parse_duration("-1s", &d, NULL), KCAP_E_INVAL);
	ck_assert_int_eq(kcap_parse_duration("1sec", &d, NULL), KCAP_E_SYNTAX);
	ck_assert_int_eq(kcap_parse_duration("99999999999d", &d, NULL), KCAP_E_INVAL);
}
END_TEST

/* ---- parser ---- */

static const struct perr_case {
	const char *expr;
	int code, col;
	const char *frag;
} perr_cases[] = {
	{"", KCAP_E_SYNTAX, 1, "empty expression"},
	{"   ", KCAP_E_SYNTAX, 4, "empty expression"},
	{"pid", KCAP_E_SYNTAX, 4, "expected an operator"},
	{"pid 42", KCAP_E_SYNTAX, 5, "expected an operator"},
	{"pid =", KCAP_E_SYNTAX, 6, "expected a value"},
	{"pid = 1 and", KCAP_E_SYNTAX, 12, "expected a field name"},
	{"(pid = 1", KCAP_E_SYNTAX, 9, "expected ')'"},
	{"pid = 1)", KCAP_E_SYNTAX, 8, "unmatched ')'"},
	{"pid = 1 comm = x", KCAP_E_SYNTAX, 9, "expected 'and', 'or'"},
	{"comm = \"abc", KCAP_E_SYNTAX, 8, "unterminated string"},
	{"comm = \"a\\qb\"", KCAP_E_SYNTAX, 10, "unknown escape"},
	{"comm = \"\\x4\"", KCAP_E_SYNTAX, 9, "bad \\x escape"},
	{"pid in 1, 2", KCAP_E_SYNTAX, 8, "expected '('"},
	{"pid in ()", KCAP_E_SYNTAX, 9, "empty list"},
	{"pid in (1 2)", KCAP_E_SYNTAX, 11, "expected ',' or ')'"},
	{"pid in (1,", KCAP_E_SYNTAX, 11, "expected a value"},
	{"pid = abc", KCAP_E_INVAL, 7, "expected a number for 'pid'"},
	{"ts > yesterdays", KCAP_E_INVAL, 6, "bad time"},
	{"ts > +10x", KCAP_E_INVAL, 9, "unknown unit"},
	{"path regex \"(\"", KCAP_E_INVAL, 12, "bad regex"},
	{"dip = 10.0.0.0/33", KCAP_E_INVAL, 15, "bad CIDR prefix"},
	{"proc.exee = x", KCAP_E_NOTFOUND, 1, "did you mean proc.exe"},
	{"parent.name = x", KCAP_E_NOTFOUND, 1, "unknown field 'parent.name'"},
	{"= 3", KCAP_E_SYNTAX, 1, "expected a field name, got '='"},
	{"pid == 3 and not", KCAP_E_SYNTAX, 17, "expected a field name"},
	{"path not exists", KCAP_E_SYNTAX, 10, "expected a word operator after 'not'"},
	{"params. = 1", KCAP_E_SYNTAX, 8, "expected a param name"},
};

START_TEST(parse_errors)
{
	const struct perr_case *c = &perr_cases[_i];
	kcap_filter *f = (kcap_filter *)1;
	kcap_error e;
	memset(&e, 0, sizeof(e));
	int rc = kcap_filter_compile(&f, c->expr, &e);
	ck_assert_msg(rc == c->code, "'%s': rc %d, want %d (%s)", c->expr, rc, c->code, e.msg);
	ck_assert_ptr_null(f);
	ck_assert_msg(e.column == c->col, "'%s': column %d, want %d (%s)", c->expr, e.column, c->col, e.msg);
	ck_assert_msg(strstr(e.msg, c->frag) != NULL, "'%s': message '%s' lacks '%s'", c->expr, e.msg, c->frag);
}
END_TEST

START_TEST(parse_nesting_limit)
{
	char expr[2000];
	size_t n = 0;
	for (int i = 0; i < 500; i++)
		expr[n++] = '(';
	memcpy(expr + n, "pid=1", 5);
	n += 5;
	for (int i = 0; i < 500; i++)
		expr[n++] = ')';
	expr[n] = 0;
	kcap_filter *f = NULL;
	kcap_error e;
	ck_assert_int_eq(kcap_filter_compile(&f, expr, &e), KCAP_E_SYNTAX);
	ck_assert_ptr_nonnull(strstr(e.msg, "nested too deeply"));
	/* 100 levels are fine */
	n = 0;
	for (int i = 0; i < 100; i++)
		expr[n++] = '(';
	memcpy(expr + n, "pid=1", 5);
	n += 5;
	for (int i = 0; i < 100; i++)
		expr[n++] = ')';
	expr[n] = 0;
	ck_assert_int_eq(kcap_filter_compile(&f, expr, &e), 0);
	kcap_filter_free(f);
	kcap_filter_free(NULL);
}
END_TEST

/* ---- evaluation on hand-built events ---- */

static kcap_schema *tax(void)
{
	kcap_schema *s = kcap_schema_new();
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(kcap_taxonomy_schema(s), 0);
	return s;
}

typedef struct hev {
	kcap_event ev;
	kcap_value v[KCAP_MAX_PARAMS];
} hev;

static void hev_init(hev *h, const kcap_schema *s, const char *type, int32_t pid, const char *comm)
{
	memset(h, 0, sizeof(*h));
	const kcap_type_def *d = kcap_schema_type_by_name(s, type);
	ck_assert_ptr_nonnull(d);
	h->ev.type_id = d->id;
	h->ev.def = d;
	h->ev.pid = h->ev.tid = pid;
	h->ev.ppid = 1;
	h->ev.comm = comm;
	h->ev.comm_len = (uint16_t)strlen(comm);
	h->ev.nparams = d->nparams;
	h->ev.params = h->v;
	for (uint32_t i = 0; i < d->nparams; i++)
		h->v[i].type = d->params[i].type;
}

static kcap_value *hp(hev *h, const char *name)
{
	int i = kcap_type_param_index(h->ev.def, name);
	ck_assert_int_ge(i, 0);
	h->v[i].present = 1;
	return &h->v[i];
}

static int m(const char *expr, const hev *h, const kcap_schema *s, const kcap_procstate *ps)
{
	kcap_filter *f = NULL;
	kcap_error e;
	int rc = kcap_filter_compile(&f, expr, &e);
	ck_assert_msg(rc == 0, "'%s': %s", expr, e.msg);
	int r = kcap_filter_match(f, &h->ev, s, ps);
	/* a second evaluation uses the per-type cache and must agree */
	ck_assert_int_eq(kcap_filter_match(f, &h->ev, s, ps), r);
	kcap_filter_free(f);
	return r;
}

START_TEST(eval_precedence)
{
	kcap_schema *s = tax();
	hev h;
	hev_init(&h, s, "close", 1, "y");
	ck_assert_int_eq(m("pid = 1 or pid = 2 and comm = x", &h, s, NULL), 1);
	ck_assert_int_eq(m("(pid = 1 or pid = 2) and comm = x", &h, s, NULL), 0);
	ck_assert_int_eq(m("not pid = 2 and comm = y", &h, s, NULL), 1);
	ck_assert_int_eq(m("not (pid = 1 and comm = y)", &h, s, NULL), 0);
	ck_assert_int_eq(m("pid = 1 && !(comm = x) || pid = 9", &h, s, NULL), 1);
	ck_assert_int_eq(m("PID = 1", &h, s, NULL) + 0, 0); /* field names are case-sensitive: PID is a param */
	ck_assert_int_eq(m("pid = 1 AND comm = y", &h, s, NULL), 1);
	kcap_schema_free(s);
}
END_TEST

START_TEST(eval_glob_and_strings)
{
	kcap_schema *s = tax();
	hev h;
	hev_init(&h, s, "openat", 7, "vim");
	kcap_value *p = hp(&h, "path");
	p->p = (const uint8_t *)"/home/u/a[1].txt";
	p->len = (uint32_t)strlen((const char *)p->p);
	ck_assert_int_eq(m("path glob \"/home/*\"", &h, s, NULL), 1);
	ck_assert_int_eq(m("path glob \"*.txt\"", &h, s, NULL), 1);
	ck_assert_int_eq(m("path glob \"*.tx\"", &h, s, NULL), 0);
	ck_assert_int_eq(m("path glob \"/home/u/a?1?.txt\"", &h, s, NULL), 1);
	ck_assert_int_eq(m("path glob \"/home/u/a\\\\[1].txt\"", &h, s, NULL), 1);
	ck_assert_int_eq(m("path glob \"/home/u/a[[]1].txt\"", &h, s, NULL), 1);
	ck_assert_int_eq(m("path glob \"*/[a-c][!a-z]1*\"", &h, s, NULL), 1);
	ck_assert_int_eq(m("path glob \"*/[!a]*\"", &h, s, NULL), 1); /* '*' crosses '/' */
	ck_assert_int_eq(m("path glob \"/home/u/b*\"", &h, s, NULL), 0);
	ck_assert_int_eq(m("path glob \"**t\"", &h, s, NULL), 1);
	ck_assert_int_eq(m("path icontains \"A[1].TXT\"", &h, s, NULL), 1);
	ck_assert_int_eq(m("path contains \"A[1]\"", &h, s, NULL), 0);
	ck_assert_int_eq(m("path regex \"^/home/[a-z]+/a\\\\[[0-9]\\\\]\\\\.txt$\"", &h, s, NULL), 1);
	ck_assert_int_eq(m("path ~ \"txt$\"", &h, s, NULL), 1);
	ck_assert_int_eq(m("path < /i", &h, s, NULL), 1);
	ck_assert_int_eq(m("path > /home/u/a[1].txt", &h, s, NULL), 0);
	ck_assert_int_eq(m("path >= /home/u/a[1].txt", &h, s, NULL), 1);
	ck_assert_int_eq(m("comm in (vi, vim, nvim)", &h, s, NULL), 1);
	ck_assert_int_eq(m("comm not in (vi, nvim)", &h, s, NULL), 1);
	ck_assert_int_eq(m("comm contains \"\"", &h, s, NULL), 1);
	ck_assert_int_eq(m("ret exists", &h, s, NULL), 0); /* not present */
	ck_assert_int_eq(m("not ret exists", &h, s, NULL), 1);
	ck_assert_int_eq(m("ret != 0", &h, s, NULL), 0);  /* absent: every comparison is false */
	kcap_schema_free(s);
}
END_TEST

START_TEST(eval_numbers_and_symbols)
{
	kcap_schema *s = tax();
	hev h;
	hev_init(&h, s, "openat", 7, "vim");
	hp(&h, "flags")->u = 02000000 | 0100 | 1; /* O_CLOEXEC|O_CREAT|O_WRONLY */
	hp(&h, "ret")->i = -2;
	hp(&h, "mode")->u = 0644;
	hp(&h, "dirfd")->i = -100;
	ck_assert_int_eq(m("flags contains O_CREAT", &h, s, NULL), 1);
	ck_assert_int_eq(m("flags contains O_TRUNC", &h, s, NULL), 0);
	ck_assert_int_eq(m("flags contains O_WRONLY", &h, s, NULL), 1);
	ck_assert_int_eq(m("flags contains O_RDONLY", &h, s, NULL), 0);
	ck_assert_int_eq(m("flags contains O_CREAT|O_CLOEXEC", &h, s, NULL), 1);
	ck_assert_int_eq(m("flags contains 0x40", &h, s, NULL), 1);
	ck_assert_int_eq(m("flags contains 0x200", &h, s, NULL), 0);
	ck_assert_int_eq(m("flags = O_WRONLY|O_CREAT|O_CLOEXEC", &h, s, NULL), 1);
	ck_assert_int_eq(m("flags = 0x80041", &h, s, NULL), 1);
	ck_assert_int_eq(m("flags = 524353", &h, s, NULL), 1);
	ck_assert_int_eq(m("ret = ENOENT", &h, s, NULL), 1);
	ck_assert_int_eq(m("ret = -ENOENT", &h, s, NULL), 1);
	ck_assert_int_eq(m("ret = -2", &h, s, NULL), 1);
	ck_assert_int_eq(m("ret < 0", &h, s, NULL), 1);
	ck_assert_int_eq(m("ret > -3", &h, s, NULL), 1);
	ck_assert_int_eq(m("ret in (EACCES, ENOENT)", &h, s, NULL), 1);
	ck_assert_int_eq(m("mode = 0644", &h, s, NULL), 1);
	ck_assert_int_eq(m("mode = 420", &h, s, NULL), 1);
	ck_assert_int_eq(m("dirfd = AT_FDCWD", &h, s, NULL), 1);
	ck_assert_int_eq(m("dirfd = -100", &h, s, NULL), 1);
	ck_assert_int_eq(m("pid = 0x7", &h, s, NULL), 1);
	ck_assert_int_eq(m("pid > -1", &h, s, NULL), 1);
	ck_assert_int_eq(m("pid < 18446744073709551615", &h, s, NULL), 1);
	ck_assert_int_eq(m("seq >= 0", &h, s, NULL), 1);
	kcap_schema_free(s);
}
END_TEST

START_TEST(eval_addresses)
{
	kcap_schema *s = tax();
	hev h;
	hev_init(&h, s, "connect", 7, "curl");
	kcap_value *a = hp(&h, "addr");
	a->af = KCAP_AF_INET6;
	a->port = 8443;
	inet_pton(AF_INET6, "::ffff:10.1.2.3", a->addr);
	ck_assert_int_eq(m("addr = 10.1.2.3", &h, s, NULL), 1); /* v4-mapped */
	ck_assert_int_eq(m("addr in (10.0.0.0/8, ::1)", &h, s, NULL), 1);
	ck_assert_int_eq(m("addr in (192.168.0.0/16, ::1)", &h, s, NULL), 0);
	ck_assert_int_eq(m("addr = ::ffff:10.1.2.3", &h, s, NULL), 1);
	ck_assert_int_eq(m("addr = ::ffff:0:0/96", &h, s, NULL), 1);
	ck_assert_int_eq(m("addr != 10.1.2.4", &h, s, NULL), 1);
	ck_assert_int_eq(m("addr.port = 8443", &h, s, NULL), 1);
	ck_assert_int_eq(m("dport = 8443", &h, s, NULL), 1);
	ck_assert_int_eq(m("dip = 10.1.2.0/24", &h, s, NULL), 1);
	ck_assert_int_eq(m("addr.family = inet6", &h, s, NULL), 1);
	ck_assert_int_eq(m("addr = 0.0.0.0/0", &h, s, NULL), 1);
	a->af = KCAP_AF_UNIX;
	a->p = (const uint8_t *)"/run/x.sock";
	a->len = 11;
	ck_assert_int_eq(m("addr.port = 8443", &h, s, NULL), 0);
	ck_assert_int_eq(m("addr.family = unix", &h, s, NULL), 1);
	ck_assert_int_eq(m("addr contains x.sock", &h, s, NULL), 1);
	kcap_schema_free(s);
}
END_TEST

START_TEST(eval_does_not_allocate)
{
	kcap_schema *s = tax();
	kcap_procstate *ps = kcap_procstate_new();
	hev a, b, c;
	hev_init(&a, s, "openat", 7, "bash");
	kcap_value *v = hp(&a, "path");
	v->p = (const uint8_t *)"/etc/passwd";
	v->len = 11;
	hp(&a, "flags")->u = 0100;
	hp(&a, "ret")->i = -2;
	hev_init(&b, s, "connect", 8, "curl");
	v = hp(&b, "addr");
	v->af = KCAP_AF_INET;
	v->port = 443;
	inet_pton(AF_INET, "10.1.2.3", v->addr);
	hev_init(&c, s, "execve", 9, "sh");
	v = hp(&c, "argv");
	v->p = (const uint8_t *)"sh\0-c\0true";
	v->len = 11;
	v->count = 3;
	kcap_procstate_update(ps, &a.ev, s);
	kcap_procstate_update(ps, &b.ev, s);
	kcap_procstate_update(ps, &c.ev, s);
	static const char *const exprs[] = {
		"comm = \"bash\" and ret < 0",
		"flags contains O_CREAT or dip in (10.0.0.0/8, ::1) and dport = 443",
		"argv glob \"sh -c *\" or path regex \"^/etc/\" or comm icontains CUR",
		"ret = ENOENT or proc.comm = curl or parent.exe exists or ts > +1s",
		"addr contains 10.1 or flags = O_CREAT or mode = 0644",
	};
	for (size_t i = 0; i < sizeof(exprs) / sizeof(exprs[0]); i++) {
		kcap_filter *f = NULL;
		kcap_error e;
		ck_assert_msg(kcap_filter_compile(&f, exprs[i], &e) == 0, "%s: %s", exprs[i], e.msg);
		kcap_filter_set_span(f, 0, 0);
		/* warm up: per-type caches and scratch buffers */
		int want = kcap_filter_match(f, &a.ev, s, ps) + kcap_filter_match(f, &b.ev, s, ps) * 2 +
		           kcap_filter_match(f, &c.ev, s, ps) * 4;
		unsigned long before = n_allocs, after;
		int wrong = 0; /* no ck_assert in the loop: Check allocates to record it */
		for (int k = 0; k < 10000; k++) {
			int got = kcap_filter_match(f, &a.ev, s, ps) + kcap_filter_match(f, &b.ev, s, ps) * 2 +
			          kcap_filter_match(f, &c.ev, s, ps) * 4;
			wrong += got != want;
		}
		after = n_allocs;
		ck_assert_int_eq(wrong, 0);
		ck_assert_msg(after == before, "'%s' allocated %lu times in 30000 matches", exprs[i],
		              after - before);
		kcap_filter_free(f);
	}
	/* the counter works */
	unsigned long before = n_allocs;
	kcap_filter *f = NULL;
	ck_assert_int_eq(kcap_filter_compile(&f, "pid = 1", NULL), 0);
	ck_assert_uint_gt(n_allocs, before);
	kcap_filter_free(f);
	kcap_procstate_free(ps);
	kcap_schema_free(s);
}
END_TEST

/* Random mutations of valid expressions either compile (and then evaluate)
 * or fail with a column inside the expression and a message. */
START_TEST(mutations_fail_cleanly)
{
	static const char *const seeds[] = {
		"comm = \"bash\" and ret < 0",
		"pid in (42, 0x2a, -1) or not (type = openat and path startswith /etc/)",
		"dip in (10.0.0.0/8, ::1) and dport >= 1024",
		"flags contains O_CREAT|O_TRUNC and mode = 0644",
		"ts >= 2026-11-21T10:00:00.5+01:00 and ts < +1h30min or ts > -90s",
		"proc.exe glob \"/usr/*/b?sh\" && parent.comm != 'sshd' || !proc.cwd exists",
		"path regex \"^/(etc|var)/[a-z]+\\\\.conf$\" and argv icontains \"\\x41\\n\"",
		"params.uid = 0 and addr.port in (22, 80) and addr.family = inet6",
		"((seq > 1) and (cpu <= 3)) or host endswith .org and source not in (ebpf)",
		"took > 1.5s and when < @1795255200.25 and ok = true and err = ENOENT",
	};
	static const char alphabet[] = "()\"'\\ =<>!,|&~*?[]-+.:/@aZ09\tnotandorin";
	uint64_t x = 0x9E3779B97F4A7C15ull;
	kcap_schema *s = tax();
	hev h;
	hev_init(&h, s, "openat", 7, "bash");
	kcap_value *v = hp(&h, "path");
	v->p = (const uint8_t *)"/etc/x.conf";
	v->len = 11;
	int compiled = 0, failed = 0;
	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		for (int k = 0; k < 600; k++) {
			char buf[256];
			size_t n = strlen(seeds[i]);
			memcpy(buf, seeds[i], n + 1);
			int nmut = 1 + (int)(x % 3);
			for (int j = 0; j < nmut; j++) {
				x ^= x << 13;
				x ^= x >> 7;
				x ^= x << 17;
				size_t at = n ? (size_t)(x >> 8) % n : 0;
				char ch = alphabet[(x >> 40) % (sizeof(alphabet) - 1)];
				switch (x % 4) {
				case 0: if (n) buf[at] = ch; break;
				case 1: if (n) { memmove(buf + at, buf + at + 1, n - at); n--; } break;
				case 2: if (n + 2 < sizeof(buf)) { memmove(buf + at + 1, buf + at, n - at + 1); buf[at] = ch; n++; } break;
				default: n = at; buf[n] = 0; break;
				}
			}
			kcap_filter *f = NULL;
			kcap_error e;
			memset(&e, 0, sizeof(e));
			int rc = kcap_filter_compile(&f, buf, &e);
			if (rc == 0) {
				compiled++;
				kcap_filter_set_span(f, 0, 1);
				int r = kcap_filter_match(f, &h.ev, s, NULL);
				ck_assert(r == 0 || r == 1);
				kcap_filter_free(f);
				continue;
			}
			failed++;
			ck_assert_ptr_null(f);
			ck_assert_msg(rc == KCAP_E_SYNTAX || rc == KCAP_E_NOTFOUND || rc == KCAP_E_INVAL, "'%s': rc %d", buf, rc);
			ck_assert_msg(e.column >= 1 && (size_t)e.column <= strlen(buf) + 1, "'%s': column %d", buf, e.column);
			ck_assert_msg(e.msg[0] != 0, "'%s': no message", buf);
		}
	}
	/* both outcomes were exercised */
	ck_assert_int_gt(compiled, 500);
	ck_assert_int_gt(failed, 500);
	kcap_schema_free(s);
}
END_TEST

/* ---- block skipping ---- */

static kcap_block_summary summ(int64_t t0, int64_t t1, int32_t pmin, int32_t pmax)
{
	kcap_block_summary b;
	memset(&b, 0, sizeof(b));
	b.count = 10;
	b.first_ts = t0;
	b.last_ts = t1;
	b.pid_min = pmin;
	b.pid_max = pmax;
	return b;
}

static int bm(const char *expr, const kcap_block_summary *b, const kcap_schema *s)
{
	kcap_filter *f = NULL;
	kcap_error e;
	ck_assert_msg(kcap_filter_compile(&f, expr, &e) == 0, "%s: %s", expr, e.msg);
	kcap_filter_set_span(f, CAP_T0, CAP_T0 + 100 * S);
	int r = kcap_filter_block_may_match(f, b, s);
	kcap_filter_free(f);
	return r;
}

START_TEST(block_skipping)
{
	kcap_schema *s = tax();
	kcap_block_summary b = summ(CAP_T0 + 10 * S, CAP_T0 + 20 * S, 100, 200);
	b.types[KCAP_EV_OPENAT / 8] |= (uint8_t)(1u << (KCAP_EV_OPENAT % 8));
	b.types[KCAP_EV_CLOSE / 8] |= (uint8_t)(1u << (KCAP_EV_CLOSE % 8));
	ck_assert_int_eq(bm("pid = 42", &b, s), 0);
	ck_assert_int_eq(bm("pid = 150", &b, s), 1);
	ck_assert_int_eq(bm("pid in (1, 2, 300)", &b, s), 0);
	ck_assert_int_eq(bm("pid in (1, 200)", &b, s), 1);
	ck_assert_int_eq(bm("pid < 100", &b, s), 0);
	ck_assert_int_eq(bm("pid <= 100", &b, s), 1);
	ck_assert_int_eq(bm("pid > 200", &b, s), 0);
	ck_assert_int_eq(bm("pid != 150", &b, s), 1);
	ck_assert_int_eq(bm("not pid = 42", &b, s), 1);
	ck_assert_int_eq(bm("type = openat", &b, s), 1);
	ck_assert_int_eq(bm("type = execve", &b, s), 0);
	ck_assert_int_eq(bm("type != openat", &b, s), 1); /* close is present */
	ck_assert_int_eq(bm("not type in (openat, close)", &b, s), 0);
	ck_assert_int_eq(bm("type glob \"exec*\"", &b, s), 0);
	ck_assert_int_eq(bm("category = net", &b, s), 0);
	ck_assert_int_eq(bm("category = file", &b, s), 1);
	ck_assert_int_eq(bm("addr.port = 80", &b, s), 0);   /* no type present has addr */
	ck_assert_int_eq(bm("dport = 80", &b, s), 0);
	ck_assert_int_eq(bm("path = /x", &b, s), 1);
	ck_assert_int_eq(bm("ts < 2026-11-21T10:00:10Z", &b, s), 0);
	ck_assert_int_eq(bm("ts <= 2026-11-21T10:00:10Z", &b, s), 1);
	ck_assert_int_eq(bm("ts > +20s", &b, s), 0);
	ck_assert_int_eq(bm("ts >= +20s", &b, s), 1);
	ck_assert_int_eq(bm("ts >= -79s", &b, s), 0);
	ck_assert_int_eq(bm("ts >= -80s", &b, s), 1);
	ck_assert_int_eq(bm("pid = 42 or type = openat", &b, s), 1);
	ck_assert_int_eq(bm("pid = 150 and type = execve", &b, s), 0);
	ck_assert_int_eq(bm("comm = bash", &b, s), 1);
	b.first_seq = 100;
	b.last_seq = 200;
	ck_assert_int_eq(bm("seq = 99", &b, s), 0);
	ck_assert_int_eq(bm("seq = 100", &b, s), 1);
	ck_assert_int_eq(bm("seq in (5, 250)", &b, s), 0);
	ck_assert_int_eq(bm("seq in (5, 150)", &b, s), 1);
	ck_assert_int_eq(bm("seq < 100", &b, s), 0);
	ck_assert_int_eq(bm("seq <= 100", &b, s), 1);
	ck_assert_int_eq(bm("seq > 200", &b, s), 0);
	ck_assert_int_eq(bm("seq >= 200", &b, s), 1);
	ck_assert_int_eq(bm("seq > -1", &b, s), 1);
	ck_assert_int_eq(bm("seq = -1", &b, s), 0);
	ck_assert_int_eq(bm("seq != 150", &b, s), 1);
	b.types_overflow = 1;
	ck_assert_int_eq(bm("type = execve", &b, s), 0); /* execve's id is < 256: the bitmap is exact */
	kcap_type_def hi = {700, "weird", "app", "", 0, NULL};
	ck_assert_int_eq(kcap_schema_add_type(s, &hi), 0);
	ck_assert_int_eq(bm("type = weird", &b, s), 1);
	b.types_overflow = 0;
	ck_assert_int_eq(bm("type = weird", &b, s), 0);
	kcap_schema_free(s);
}
END_TEST

/* kcap_filter_body_may_match on hand-made record bytes: only the bytes
 * matter to it, so "records" is any text holding (or lacking) a literal. */
static int bodym(const char *expr, const char *records, const kcap_schema *s)
{
	kcap_filter *f = NULL;
	kcap_error e;
	ck_assert_msg(kcap_filter_compile(&f, expr, &e) == 0, "%s: %s", expr, e.msg);
	int r = kcap_filter_body_may_match(f, (const uint8_t *)records, strlen(records), s);
	ck_assert_int_eq(kcap_filter_body_may_match(f, (const uint8_t *)records, strlen(records), s), r); /* cached */
	kcap_filter_free(f);
	return r;
}

START_TEST(body_skipping)
{
	kcap_schema *s = tax();
	const char *rec = "\x05" "bash" "\x0b" "/etc/passwd" "\x03" "cat";
	/* a string that must be there, and is not: ruled out */
	ck_assert_int_eq(bodym("path = /etc/shadow", rec, s), 0);
	ck_assert_int_eq(bodym("path = /etc/passwd", rec, s), 1);
	ck_assert_int_eq(bodym("path startswith /usr", rec, s), 0);
	ck_assert_int_eq(bodym("path endswith passwd", rec, s), 1);
	ck_assert_int_eq(bodym("path contains shad", rec, s), 0);
	ck_assert_int_eq(bodym("comm = curl", rec, s), 0);
	ck_assert_int_eq(bodym("comm = bash", rec, s), 1);
	ck_assert_int_eq(bodym("comm in (curl, wget)", rec, s), 0);
	ck_assert_int_eq(bodym("comm in (curl, cat)", rec, s), 1);
	ck_assert_int_eq(bodym("comm = curl and ret < 0", rec, s), 0);
	ck_assert_int_eq(bodym("ret < 0 and (comm = curl or path = /x)", rec, s), 0);
	/* anything that can hold without the string: maybe */
	ck_assert_int_eq(bodym("comm = curl or ret < 0", rec, s), 1);
	ck_assert_int_eq(bodym("not comm = curl", rec, s), 1);
	ck_assert_int_eq(bodym("comm != curl", rec, s), 1);
	ck_assert_int_eq(bodym("comm not in (curl, wget)", rec, s), 1);
	ck_assert_int_eq(bodym("comm not contains curl", rec, s), 1);
	ck_assert_int_eq(bodym("comm icontains CURL", rec, s), 1); /* another case may be stored */
	ck_assert_int_eq(bodym("comm glob \"cu*\"", rec, s), 1);
	ck_assert_int_eq(bodym("comm ~ \"curl\"", rec, s), 1);
	ck_assert_int_eq(bodym("comm > curl", rec, s), 1);
	ck_assert_int_eq(bodym("path = \"\"", rec, s), 1);
	ck_assert_int_eq(bodym("path contains \"\"", rec, s), 1);
	ck_assert_int_eq(bodym("proc.exe = /usr/bin/curl", rec, s), 1); /* not in the records */
	ck_assert_int_eq(bodym("host = h1", rec, s), 1);
	ck_assert_int_eq(bodym("type = openat", rec, s), 1);
	/* argv is a list: its text joins what is stored with spaces */
	ck_assert_int_eq(bodym("argv contains \"a b\"", rec, s), 1);
	ck_assert_int_eq(bodym("argv = \"a b\"", rec, s), 1);
	ck_assert_int_eq(bodym("path = /etc/shadow", rec, NULL), 1); /* no schema: types unknown */
	/* a type that has path as an integer: path = 7 holds there without
	 * the bytes "7" (a varint is stored) */
	static const kcap_param_def ip[] = {{"path", KCAP_T_U64, 0, 0}};
	kcap_type_def odd = {701, "odd", "app", "", 1, ip};
	ck_assert_int_eq(kcap_schema_add_type(s, &odd), 0);
	ck_assert_int_eq(bodym("path = 7", rec, s), 1);
	ck_assert_int_eq(bodym("path = /etc/shadow", rec, s), 1);
	ck_assert_int_eq(bodym("comm = curl", rec, s), 0); /* comm is bytes in every type */
	kcap_schema_free(s);
}
END_TEST

/* ---- procstate ---- */

START_TEST(procstate_lifecycle)
{
	kcap_schema *s = tax();
	kcap_procstate *ps = kcap_procstate_new();
	kcap_snapshot *snap = kcap_snapshot_new();
	const char cmd[] = "bash\0-l";
	kcap_proc p = {.pid = 100, .ppid = 1, .uid = 1000, .gid = 1000, .comm = "bash", .exe = "/usr/bin/bash",
	               .cwd = "/home/u", .cmdline = cmd, .cmdline_len = sizeof(cmd)};
	ck_assert_int_eq(kcap_snapshot_add(snap, &p), 0);
	ck_assert_int_eq(kcap_procstate_load_snapshot(ps, snap), 0);
	ck_assert_uint_eq(kcap_procstate_count(ps), 1);
	const kcap_procinfo *pi = kcap_procstate_get(ps, 100);
	ck_assert_ptr_nonnull(pi);
	ck_assert_str_eq(pi->exe, "/usr/bin/bash");
	ck_assert_uint_eq(pi->cmdline_count, 2);

	hev h;
	hev_init(&h, s, "clone", 100, "bash");
	hp(&h, "flags")->u = 17;
	hp(&h, "child_pid")->i = 101;
	hp(&h, "ret")->i = 101;
	ck_assert_int_eq(kcap_procstate_update(ps, &h.ev, s), 0);
	pi = kcap_procstate_get(ps, 101);
	ck_assert_ptr_nonnull(pi);
	ck_assert_int_eq(pi->ppid, 100);
	ck_assert_str_eq(pi->exe, "/usr/bin/bash");
	ck_assert_str_eq(pi->cwd, "/home/u");

	/* a thread is not a process */
	hev_init(&h, s, "clone", 100, "bash");
	hp(&h, "flags")->u = 0x10000 | 0x100;
	hp(&h, "child_pid")->i = 150;
	ck_assert_int_eq(kcap_procstate_update(ps, &h.ev, s), 0);
	ck_assert_ptr_null(kcap_procstate_get(ps, 150));

	/* exec in the child */
	hev_init(&h, s, "execve", 101, "ls");
	h.ev.ppid = 100;
	kcap_value *v = hp(&h, "path");
	v->p = (const uint8_t *)"/bin/ls";
	v->len = 7;
	v = hp(&h, "argv");
	v->p = (const uint8_t *)"ls\0-la\0/tmp";
	v->len = 12;
	v->count = 3;
	hp(&h, "ret")->i = 0;
	ck_assert_int_eq(kcap_procstate_update(ps, &h.ev, s), 0);
	pi = kcap_procstate_get(ps, 101);
	ck_assert_str_eq(pi->exe, "/bin/ls");
	ck_assert_str_eq(pi->comm, "ls");
	ck_assert_uint_eq(pi->cmdline_count, 3);
	ck_assert_int_eq(m("proc.cmdline = \"ls -la /tmp\" and parent.exe = /usr/bin/bash and parent.comm = bash",
	                   &h, s, ps), 1);
	ck_assert_int_eq(m("proc.ppid = 100 and proc.uid = 0 and parent.pid = 100", &h, s, ps), 1);

	/* JSON */
	kcap_buf b = {0};
	ck_assert_int_eq(kcap_procstate_append_json(&b, ps, &h.ev), 0);
	ck_assert_int_eq(kcap_buf_append(&b, "", 1), 0);
	ck_assert_str_eq(b.data, "\"proc\":{\"pid\":101,\"ppid\":100,\"uid\":0,\"gid\":0,\"comm\":\"ls\",\"exe\":\"/bin/ls\","
	                         "\"cwd\":\"/home/u\",\"cmdline\":[\"ls\",\"-la\",\"/tmp\"],"
	                         "\"parent\":{\"pid\":100,\"comm\":\"bash\",\"exe\":\"/usr/bin/bash\"}}");
	kcap_buf_free(&b);

	/* failed exec changes nothing */
	hev_init(&h, s, "execve", 101, "ls");
	v = hp(&h, "path");
	v->p = (const uint8_t *)"/nope";
	v->len = 5;
	hp(&h, "ret")->i = -2;
	kcap_procstate_update(ps, &h.ev, s);
	ck_assert_str_eq(kcap_procstate_get(ps, 101)->exe, "/bin/ls");

	/* chdir */
	hev_init(&h, s, "chdir", 101, "ls");
	v = hp(&h, "path");
	v->p = (const uint8_t *)"/var";
	v->len = 4;
	hp(&h, "ret")->i = 0;
	kcap_procstate_update(ps, &h.ev, s);
	ck_assert_str_eq(kcap_procstate_get(ps, 101)->cwd, "/var");

	/* exit: still resolvable on the exit event, gone after the next */
	hev_init(&h, s, "exit_group", 101, "ls");
	kcap_procstate_update(ps, &h.ev, s);
	ck_assert_ptr_nonnull(kcap_procstate_get(ps, 101));
	hev_init(&h, s, "close", 100, "bash");
	kcap_procstate_update(ps, &h.ev, s);
	ck_assert_ptr_null(kcap_procstate_get(ps, 101));
	ck_assert_uint_eq(kcap_procstate_count(ps), 1);

	/* an unknown pid is created from the event's own fields */
	hev_init(&h, s, "close", 555, "x");
	h.ev.uid = 7;
	kcap_procstate_update(ps, &h.ev, s);
	pi = kcap_procstate_get(ps, 555);
	ck_assert_ptr_nonnull(pi);
	ck_assert_ptr_null(pi->exe);
	ck_assert_uint_eq(pi->uid, 7);
	ck_assert_int_eq(m("proc.exe exists", &h, s, ps), 0);
	ck_assert_int_eq(m("proc.comm = x", &h, s, ps), 1);

	kcap_procstate_clear(ps);
	ck_assert_uint_eq(kcap_procstate_count(ps), 0);
	kcap_snapshot_free(snap);
	kcap_procstate_free(ps);
	kcap_procstate_free(NULL);
	kcap_schema_free(s);
}
END_TEST

START_TEST(procstate_many)
{
	/* growth and deletion keep every entry reachable */
	kcap_schema *s = tax();
	kcap_procstate *ps = kcap_procstate_new();
	hev h;
	for (int pid = 1; pid <= 5000; pid++) {
		hev_init(&h, s, "close", pid, "p");
		ck_assert_int_eq(kcap_procstate_update(ps, &h.ev, s), 0);
	}
	for (int pid = 1; pid <= 5000; pid += 2) {
		hev_init(&h, s, "exit_group", pid, "p");
		kcap_procstate_update(ps, &h.ev, s);
	}
	hev_init(&h, s, "close", 2, "p");
	kcap_procstate_update(ps, &h.ev, s);
	ck_assert_uint_eq(kcap_procstate_count(ps), 2500);
	for (int pid = 1; pid <= 5000; pid++)
		ck_assert_msg((kcap_procstate_get(ps, pid) != NULL) == (pid % 2 == 0), "pid %d", pid);
	kcap_procstate_free(ps);
	kcap_schema_free(s);
}
END_TEST

START_TEST(match_head_decides_on_canonical_fields)
{
	kcap_schema *s = tax();
	hev h;
	hev_init(&h, s, "openat", 100, "bash");
	h.ev.params = NULL; /* kcap_filter_match_head must not read params */
	h.ev.nparams = 0;
	static const struct {
		const char *expr;
		int want;
	} cases[] = {
		{"comm = \"bash\" and ret < 0", -1}, {"comm = cat and ret < 0", 0}, {"pid = 100 or ret < 0", 1},
		{"not (pid = 100 or path contains x)", 0}, {"type = openat and category = file", 1},
		{"type = connect and dport = 80", 0}, {"proc.exe = /bin/sh or uid = 5", -1}, {"not ret exists", -1},
		{"ppid = 1 and (comm = zsh or pid > 99)", 1},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		kcap_filter *f = NULL;
		kcap_error err;
		ck_assert_int_eq(kcap_filter_compile(&f, cases[i].expr, &err), 0);
		ck_assert_msg(kcap_filter_match_head(f, &h.ev, s) == cases[i].want, "%s", cases[i].expr);
		kcap_filter_free(f);
	}
	kcap_schema_free(s);
}
END_TEST

START_TEST(procstate_repeated_pid)
{
	/* Runs of one pid hit the tracker's last-entry shortcut: an exit, a
	 * removal by a fork that reuses the pid, and growth must all end it. */
	kcap_schema *s = tax();
	kcap_procstate *ps = kcap_procstate_new();
	hev h;
	hev_init(&h, s, "close", 7, "first");
	ck_assert_int_eq(kcap_procstate_update(ps, &h.ev, s), 0);
	ck_assert_int_eq(kcap_procstate_update(ps, &h.ev, s), 0);
	ck_assert_str_eq(kcap_procstate_get(ps, 7)->comm, "first");
	hev_init(&h, s, "exit_group", 7, "first");
	kcap_procstate_update(ps, &h.ev, s);
	hev_init(&h, s, "close", 7, "second"); /* pid reused after the exit */
	kcap_procstate_update(ps, &h.ev, s);
	ck_assert_str_eq(kcap_procstate_get(ps, 7)->comm, "second");
	ck_assert_uint_eq(kcap_procstate_count(ps), 1);
	/* a fork that names 7 as its child replaces the entry */
	hev_init(&h, s, "clone", 3, "parent");
	hp(&h, "child_pid")->i = 7;
	hp(&h, "ret")->i = 7;
	kcap_procstate_update(ps, &h.ev, s);
	ck_assert_int_eq(kcap_procstate_get(ps, 7)->ppid, 3);
	ck_assert_str_eq(kcap_procstate_get(ps, 7)->comm, "parent");
	/* growth moves every entry; 7 stays right */
	for (int pid = 100; pid < 2100; pid++) {
		hev_init(&h, s, "close", pid, "many");
		kcap_procstate_update(ps, &h.ev, s);
		hev_init(&h, s, "close", 7, "seven");
		kcap_procstate_update(ps, &h.ev, s);
	}
	ck_assert_str_eq(kcap_procstate_get(ps, 7)->comm, "seven");
	ck_assert_str_eq(kcap_procstate_get(ps, 2099)->comm, "many");
	ck_assert_uint_eq(kcap_procstate_count(ps), 2002);
	kcap_procstate_free(ps);
	kcap_schema_free(s);
}
END_TEST

/* The rendered "proc" object is cached per process: every change of the
 * process or of its parent must show in the next rendering. */
static char *proc_json(kcap_procstate *ps, const kcap_event *ev, kcap_buf *b)
{
	b->len = 0;
	ck_assert_int_eq(kcap_procstate_append_json(b, ps, ev), 0);
	ck_assert_int_eq(kcap_buf_append(b, "", 1), 0);
	return b->data;
}

START_TEST(procstate_json_cache_follows_changes)
{
	kcap_schema *s = tax();
	kcap_procstate *ps = kcap_procstate_new();
	kcap_buf b = {0};
	hev h, w;
	hev_init(&h, s, "clone", 100, "bash");
	h.ev.ppid = 1;
	hp(&h, "child_pid")->i = 101;
	hp(&h, "ret")->i = 101;
	ck_assert_int_eq(kcap_procstate_update(ps, &h.ev, s), 0);
	hev_init(&w, s, "write", 101, "bash");
	w.ev.ppid = 100;
	ck_assert_int_eq(kcap_procstate_update(ps, &w.ev, s), 0);
	ck_assert_ptr_nonnull(strstr(proc_json(ps, &w.ev, &b), "\"parent\":{\"pid\":100,\"comm\":\"bash\",\"exe\":null}"));
	/* same again: served from the cache, same text */
	ck_assert_ptr_nonnull(strstr(proc_json(ps, &w.ev, &b), "\"comm\":\"bash\",\"exe\":null,"));
	/* the parent execs: the child's object shows the new parent exe */
	hev_init(&h, s, "execve", 100, "zsh");
	h.ev.ppid = 1;
	kcap_value *v = hp(&h, "path");
	v->p = (const uint8_t *)"/usr/bin/zsh";
	v->len = 12;
	hp(&h, "ret")->i = 0;
	ck_assert_int_eq(kcap_procstate_update(ps, &h.ev, s), 0);
	ck_assert_int_eq(kcap_procstate_update(ps, &w.ev, s), 0);
	ck_assert_ptr_nonnull(strstr(proc_json(ps, &w.ev, &b), "\"parent\":{\"pid\":100,\"comm\":\"zsh\",\"exe\":\"/usr/bin/zsh\"}"));
	/* the child changes uid and cwd */
	hev_init(&h, s, "chdir", 101, "bash");
	h.ev.ppid = 100;
	h.ev.uid = 33;
	v = hp(&h, "path");
	v->p = (const uint8_t *)"/srv";
	v->len = 4;
	hp(&h, "ret")->i = 0;
	ck_assert_int_eq(kcap_procstate_update(ps, &h.ev, s), 0);
	char *j = proc_json(ps, &h.ev, &b);
	ck_assert_ptr_nonnull(strstr(j, "\"uid\":33,"));
	ck_assert_ptr_nonnull(strstr(j, "\"cwd\":\"/srv\""));
	/* the parent exits and its pid is reused by an unrelated process */
	hev_init(&h, s, "exit_group", 100, "zsh");
	h.ev.ppid = 1;
	ck_assert_int_eq(kcap_procstate_update(ps, &h.ev, s), 0);
	hev_init(&h, s, "write", 100, "nginx");
	h.ev.ppid = 1;
	ck_assert_int_eq(kcap_procstate_update(ps, &h.ev, s), 0);
	ck_assert_ptr_nonnull(strstr(proc_json(ps, &w.ev, &b), "\"parent\":{\"pid\":100,\"comm\":\"nginx\",\"exe\":null}"));
	kcap_buf_free(&b);
	kcap_procstate_free(ps);
	kcap_schema_free(s);
}
END_TEST

START_TEST(render_json_proc)
{
	kcap_schema *s = tax();
	kcap_procstate *ps = kcap_procstate_new();
	hev h;
	hev_init(&h, s, "close", 9, "a\"b");
	kcap_procstate_update(ps, &h.ev, s);
	kcap_buf b = {0};
	ck_assert_int_eq(kcap_render_json_proc(&b, &h.ev, s, ps), 0);
	ck_assert_int_eq(kcap_buf_append(&b, "", 1), 0);
	ck_assert_msg(strstr(b.data, ",\"proc\":{\"pid\":9,\"ppid\":1,") != NULL, "%s", b.data);
	ck_assert_msg(strstr(b.data, "\"comm\":\"a\\\"b\",\"exe\":null") != NULL, "%s", b.data);
	size_t n = strlen(b.data);
	ck_assert_str_eq(b.data + n - 3, "}}\n");
	/* strings in the proc object are escaped as in the rest of the line:
	 * bytes that are not UTF-8 become \udcXX, which `--from json` maps back */
	hev_init(&h, s, "close", 10, "x\xff\xc3\xa9");
	kcap_procstate_update(ps, &h.ev, s);
	b.len = 0;
	ck_assert_int_eq(kcap_render_json_proc(&b, &h.ev, s, ps), 0);
	ck_assert_int_eq(kcap_buf_append(&b, "", 1), 0);
	ck_assert_msg(strstr(b.data, "\"comm\":\"x\\udcff\xc3\xa9\",\"type\"") != NULL, "%s", b.data);
	ck_assert_msg(strstr(b.data, "\"proc\":{\"pid\":10,\"ppid\":1,\"uid\":0,\"gid\":0,\"comm\":\"x\\udcff\xc3\xa9\",") != NULL,
		      "%s", b.data);
	kcap_buf_free(&b);
	kcap_procstate_free(ps);
	kcap_schema_free(s);
}
END_TEST

static Suite *suite(void)
{
	Suite *su = suite_create("filter");
	TCase *t = tcase_create("time");
	tcase_add_test(t, time_absolute_forms);
	tcase_add_test(t, time_local_forms);
	tcase_add_test(t, time_relative_forms);
	tcase_add_test(t, time_errors);
	tcase_add_test(t, durations);
	suite_add_tcase(su, t);
	t = tcase_create("parse");
	tcase_add_loop_test(t, parse_errors, 0, (int)(sizeof(perr_cases) / sizeof(perr_cases[0])));
	tcase_add_test(t, parse_nesting_limit);
	tcase_add_test(t, mutations_fail_cleanly);
	suite_add_tcase(su, t);
	t = tcase_create("eval");
	tcase_add_test(t, eval_precedence);
	tcase_add_test(t, eval_glob_and_strings);
	tcase_add_test(t, eval_numbers_and_symbols);
	tcase_add_test(t, eval_addresses);
	tcase_add_test(t, eval_does_not_allocate);
	tcase_add_test(t, block_skipping);
	tcase_add_test(t, body_skipping);
	suite_add_tcase(su, t);
	t = tcase_create("procstate");
	tcase_add_test(t, procstate_lifecycle);
	tcase_add_test(t, procstate_many);
	tcase_add_test(t, procstate_repeated_pid);
	tcase_add_test(t, match_head_decides_on_canonical_fields);
	tcase_add_test(t, render_json_proc);
	tcase_add_test(t, procstate_json_cache_follows_changes);
	suite_add_tcase(su, t);
	return su;
}

int main(void)
{
	return kcap_check_run(suite());
}
