/* JSON lines input (kcap_json_parse_event): every param type survives
 * kcap_render_json -> parse exactly, unknown types are inferred, malformed
 * lines give the right column. */
#include <check.h>
#include "check_run.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <kcap/kcap.h>
#include "json/json_in.h"

enum { KCAP_JSON_MAX_DEPTH_FOR_TEST = 128 }; /* KCAP_JSON_MAX_DEPTH, internal.h */

enum { SET_OPEN = 1, SET_ERRNO = 2, SET_COLOR = 3 };
enum { T_ALL = 1, T_EXEC = 2, T_BIG = 900 };

static const kcap_sym open_syms[] = {
	{0, 3, "O_RDONLY"}, {1, 3, "O_WRONLY"}, {2, 3, "O_RDWR"}, {0x40, 0x40, "O_CREAT"}, {0x80000, 0x80000, "O_CLOEXEC"},
};
static const kcap_sym errno_syms[] = {{1, 0, "EPERM"}, {2, 0, "ENOENT"}, {13, 0, "EACCES"}};
static const kcap_sym color_syms[] = {{0, 0, "RED"}, {1, 0, "GREEN"}, {7, 0, "BLUE"}};

/* One param per type, named after it; json is at the top level. */
static kcap_schema *make_schema(void)
{
	kcap_schema *s = kcap_schema_new();
	ck_assert_ptr_nonnull(s);
	kcap_symset fl = {SET_OPEN, KCAP_SYMSET_FLAGS, "open_flags", 5, open_syms};
	kcap_symset er = {SET_ERRNO, KCAP_SYMSET_ENUM, "errno", 3, errno_syms};
	kcap_symset co = {SET_COLOR, KCAP_SYMSET_ENUM, "color", 3, color_syms};
	ck_assert_int_eq(kcap_schema_add_symset(s, &fl), 0);
	ck_assert_int_eq(kcap_schema_add_symset(s, &er), 0);
	ck_assert_int_eq(kcap_schema_add_symset(s, &co), 0);
	kcap_param_def ps[KCAP_T_MAX_ + 2];
	for (int t = 1; t <= KCAP_T_MAX_; t++) {
		ps[t - 1].name = kcap_ptype_name(t);
		ps[t - 1].type = (uint8_t)t;
		ps[t - 1].flags = t == KCAP_T_JSON ? KCAP_PF_TOPLEVEL : 0;
		ps[t - 1].symset = t == KCAP_T_FLAGS ? SET_OPEN : t == KCAP_T_ERRNO ? SET_ERRNO : t == KCAP_T_ENUM ? SET_COLOR : 0;
	}
	/* a second flags param without a symset, an enum without one */
	ps[KCAP_T_MAX_] = (kcap_param_def){"rawflags", KCAP_T_FLAGS, 0, 0};
	ps[KCAP_T_MAX_ + 1] = (kcap_param_def){"rawenum", KCAP_T_ENUM, 0, 0};
	kcap_type_def all = {T_ALL, "all_types", "test", "every type", KCAP_T_MAX_ + 2, ps};
	ck_assert_int_eq(kcap_schema_add_type(s, &all), 0);
	kcap_param_def ex[] = {{"argv", KCAP_T_STRLIST, 0, 0}, {"filename", KCAP_T_PATH, KCAP_PF_TOPLEVEL, 0}};
	kcap_type_def exec = {T_EXEC, "execve", "process", "exec", 2, ex};
	ck_assert_int_eq(kcap_schema_add_type(s, &exec), 0);
	kcap_param_def bp[] = {{"value", KCAP_T_U64, 0, 0}};
	kcap_type_def big = {T_BIG, "big", "test", "big id", 1, bp};
	ck_assert_int_eq(kcap_schema_add_type(s, &big), 0);
	return s;
}

static void assert_value_eq(const kcap_value *a, const kcap_value *b, const char *name)
{
	ck_assert_msg(a->present == b->present, "%s: present %d != %d", name, a->present, b->present);
	ck_assert_msg(a->type == b->type, "%s: type %d != %d", name, a->type, b->type);
	if (!a->present)
		return;
	switch (a->type) {
	case KCAP_T_STR: case KCAP_T_PATH: case KCAP_T_BYTES: case KCAP_T_SID: case KCAP_T_JSON:
		ck_assert_msg(a->len == b->len, "%s: len %u != %u", name, a->len, b->len);
		ck_assert_msg(!a->len || !memcmp(a->p, b->p, a->len), "%s: bytes differ", name);
		break;
	case KCAP_T_STRLIST:
		ck_assert_msg(a->len == b->len && a->count == b->count, "%s: len/count %u/%u != %u/%u", name, a->len,
			      a->count, b->len, b->count);
		ck_assert_msg(!a->len || !memcmp(a->p, b->p, a->len), "%s: bytes differ", name);
		break;
	case KCAP_T_IPV4:
		ck_assert_msg(!memcmp(a->addr, b->addr, 4), "%s: address differs", name);
		break;
	case KCAP_T_IPV6: case KCAP_T_GUID:
		ck_assert_msg(!memcmp(a->addr, b->addr, 16), "%s: bytes differ", name);
		break;
	case KCAP_T_SOCKADDR:
		ck_assert_msg(a->af == b->af, "%s: family %d != %d", name, a->af, b->af);
		if (a->af == KCAP_AF_INET || a->af == KCAP_AF_INET6) {
			ck_assert_msg(a->port == b->port, "%s: port %u != %u", name, a->port, b->port);
			ck_assert_msg(!memcmp(a->addr, b->addr, a->af == KCAP_AF_INET ? 4 : 16), "%s: address", name);
		} else if (a->af != KCAP_AF_NONE) {
			ck_assert_msg(a->len == b->len && (!a->len || !memcmp(a->p, b->p, a->len)), "%s: bytes", name);
		}
		break;
	default:
		ck_assert_msg(a->u == b->u, "%s: %llu != %llu", name, (unsigned long long)a->u,
			      (unsigned long long)b->u);
	}
}

static void assert_event_eq(const kcap_event *a, const kcap_event *b, const kcap_schema *s)
{
	ck_assert_uint_eq(a->seq, b->seq);
	ck_assert_int_eq(a->ts, b->ts);
	ck_assert_int_eq(a->pid, b->pid);
	ck_assert_int_eq(a->tid, b->tid);
	ck_assert_int_eq(a->ppid, b->ppid);
	ck_assert_uint_eq(a->cpu, b->cpu);
	ck_assert_uint_eq(a->uid, b->uid);
	ck_assert_uint_eq(a->gid, b->gid);
	ck_assert_uint_eq(a->type_id, b->type_id);
	ck_assert_uint_eq(a->comm_len, b->comm_len);
	ck_assert(!a->comm_len || !memcmp(a->comm, b->comm, a->comm_len));
	ck_assert_uint_eq(a->nparams, b->nparams);
	const kcap_type_def *def = kcap_schema_type(s, a->type_id);
	ck_assert_ptr_nonnull(def);
	ck_assert_ptr_eq(b->def, def);
	for (uint32_t i = 0; i < a->nparams; i++)
		assert_value_eq(&a->params[i], &b->params[i], def->params[i].name);
}

/* Renders ev, parses it back, checks equality and that it renders the same. */
static void round_trip(kcap_json_scratch *sc, kcap_schema *s, const kcap_event *ev)
{
	kcap_buf b1 = {0}, b2 = {0};
	kcap_event back;
	kcap_error err = {0};
	ck_assert_int_eq(kcap_render_json(&b1, ev, s), 0);
	int rc = kcap_json_parse_event(sc, b1.data, b1.len, s, &back, &err);
	ck_assert_msg(rc == 0, "parse failed (%d) at column %d: %s\nline: %.300s", rc, err.column, err.msg, b1.data);
	assert_event_eq(ev, &back, s);
	ck_assert_int_eq(kcap_render_json(&b2, &back, s), 0);
	ck_assert_msg(b1.len == b2.len && !memcmp(b1.data, b2.data, b1.len), "re-rendered line differs:\n%.*s%.*s",
		      (int)(b1.len > 2000 ? 2000 : b1.len), b1.data, (int)(b2.len > 2000 ? 2000 : b2.len), b2.data);
	kcap_buf_free(&b1);
	kcap_buf_free(&b2);
}

static void base_event(kcap_event *ev, kcap_value *vals, const kcap_schema *s, uint32_t type_id)
{
	memset(ev, 0, sizeof *ev);
	const kcap_type_def *def = kcap_schema_type(s, type_id);
	ev->seq = 7;
	ev->ts = 1795255200123456789LL;
	ev->pid = 4242;
	ev->tid = 4243;
	ev->ppid = 1;
	ev->cpu = 3;
	ev->uid = 1000;
	ev->gid = 100;
	ev->comm = "bash";
	ev->comm_len = 4;
	ev->type_id = type_id;
	ev->nparams = def->nparams;
	ev->params = vals;
	memset(vals, 0, KCAP_MAX_PARAMS * sizeof *vals);
	for (uint32_t i = 0; i < def->nparams; i++) {
		vals[i].type = def->params[i].type;
		vals[i].present = 1;
	}
}

static kcap_value *param(kcap_event *ev, const kcap_schema *s, const char *name)
{
	int i = kcap_type_param_index(kcap_schema_type(s, ev->type_id), name);
	ck_assert_int_ge(i, 0);
	return &ev->params[i];
}

static void set_blob(kcap_value *v, const void *p, size_t n)
{
	v->p = p;
	v->len = (uint32_t)n;
}

static const uint8_t sid_bin[] = {1, 5, 0, 0, 0, 0, 0, 5, 21, 0, 0, 0, 0x11, 0x22, 0x33, 0x44, 0xff, 0xff, 0xff, 0xff,
				  0xe9, 0x03, 0, 0};
static const char path_bad[] = "/tmp/\xff\xfe/caf\xc3\xa9/\x80x\xed\xa0\x80/\xf4\x8f\xbf\xbf/\xf4\x8f\xbd\xbf/"
			       "\xf4\x8f\xbd\xbe/\xc0\xaf/\xf5/end\xc3";
static const char json_spaced[] = "{\"serial\": 12, \"node\": \"\", \"records\": [{\"type\": \"SYSCALL\", "
				  "\"fields\": {\"a0\": \"0x1\", \"x\": 1.50}}], \"big\": 18446744073709551615}";

/* Edge values of every type. */
static void fill_edges(kcap_event *ev, const kcap_schema *s)
{
	param(ev, s, "u8")->u = 255;
	param(ev, s, "u16")->u = 65535;
	param(ev, s, "u32")->u = UINT32_MAX;
	param(ev, s, "u64")->u = UINT64_MAX;
	param(ev, s, "i8")->i = -128;
	param(ev, s, "i16")->i = -32768;
	param(ev, s, "i32")->i = INT32_MIN;
	param(ev, s, "i64")->i = INT64_MIN;
	param(ev, s, "bool")->u = 1;
	set_blob(param(ev, s, "str"), "quote\" back\\ nl\n tab\t nul\0 ctl\x01 \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 40);
	set_blob(param(ev, s, "path"), path_bad, sizeof path_bad - 1);
	set_blob(param(ev, s, "bytes"), "\x00\x01\xab\xff", 4);
	kcap_value *sl = param(ev, s, "strlist");
	set_blob(sl, "ls\0-l\0\0\xff\xfe\0", 10);
	sl->count = 4;
	param(ev, s, "fd")->i = -100;
	param(ev, s, "ret")->i = INT64_MIN;
	param(ev, s, "errno")->u = 13;
	memcpy(param(ev, s, "ipv4")->addr, "\xc0\xa8\x01\xfe", 4);
	memcpy(param(ev, s, "ipv6")->addr, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
	kcap_value *sa = param(ev, s, "sockaddr");
	sa->af = KCAP_AF_INET6;
	sa->port = 65535;
	memcpy(sa->addr, "\xfe\x80\0\0\0\0\0\0\x02\x11\x22\xff\xfe\x33\x44\x55", 16);
	param(ev, s, "flags")->u = 1 | 0x40 | 0x80000 | 0x100 | 0x8000000000000000ull;
	param(ev, s, "enum")->u = 77; /* not in the set: rendered as "77" */
	param(ev, s, "mode")->u = 0100644;
	param(ev, s, "uid")->u = UINT32_MAX;
	param(ev, s, "gid")->u = 0;
	param(ev, s, "timestamp")->i = -1;
	param(ev, s, "duration")->i = INT64_MAX;
	set_blob(param(ev, s, "sid"), sid_bin, sizeof sid_bin);
	memcpy(param(ev, s, "guid")->addr, "\x33\x22\x11\x00\x55\x44\x77\x66\x88\x99\xaa\xbb\xcc\xdd\xee\xff", 16);
	param(ev, s, "pid")->i = INT32_MAX;
	set_blob(param(ev, s, "json"), json_spaced, sizeof json_spaced - 1);
	param(ev, s, "rawflags")->u = 0xdeadbeef;
	param(ev, s, "rawenum")->u = UINT64_MAX;
}

START_TEST(all_types_edges)
{
	kcap_schema *s = make_schema();
	kcap_json_scratch *sc = kcap_json_scratch_new();
	kcap_event ev;
	kcap_value vals[KCAP_MAX_PARAMS];
	base_event(&ev, vals, s, T_ALL);
	ev.seq = UINT64_MAX;
	ev.ts = INT64_MIN;
	ev.pid = INT32_MIN;
	ev.tid = INT32_MAX;
	ev.cpu = UINT32_MAX;
	ev.comm = "w\xffird\"\0";
	ev.comm_len = 7;
	fill_edges(&ev, s);
	round_trip(sc, s, &ev);
	/* the same scratch, again: nothing leaks from the previous line */
	round_trip(sc, s, &ev);
	kcap_json_scratch_free(sc);
	kcap_schema_free(s);
}
END_TEST

/* Zero and empty values, other symbol renderings. */
START_TEST(all_types_zero)
{
	kcap_schema *s = make_schema();
	kcap_json_scratch *sc = kcap_json_scratch_new();
	kcap_event ev;
	kcap_value vals[KCAP_MAX_PARAMS];
	base_event(&ev, vals, s, T_ALL);
	ev.comm_len = 0;
	ev.comm = NULL;
	for (uint32_t i = 0; i < ev.nparams; i++)
		vals[i].p = (const uint8_t *)"";
	param(&ev, s, "errno")->u = 99; /* not in the set */
	param(&ev, s, "enum")->u = 7;   /* BLUE */
	param(&ev, s, "sockaddr")->af = KCAP_AF_NONE;
	set_blob(param(&ev, s, "sid"), "\x01\x02\x03", 3); /* too short: rendered as hex */
	set_blob(param(&ev, s, "json"), "not json at all \xff", 18);
	round_trip(sc, s, &ev);
	param(&ev, s, "flags")->u = 2; /* O_RDWR */
	set_blob(param(&ev, s, "json"), "[1, {\"a\": [true, null]}]", 24);
	round_trip(sc, s, &ev);
	kcap_json_scratch_free(sc);
	kcap_schema_free(s);
}
END_TEST

START_TEST(all_absent)
{
	kcap_schema *s = make_schema();
	kcap_json_scratch *sc = kcap_json_scratch_new();
	kcap_event ev;
	kcap_value vals[KCAP_MAX_PARAMS];
	base_event(&ev, vals, s, T_ALL);
	for (uint32_t i = 0; i < ev.nparams; i++)
		vals[i].present = 0;
	round_trip(sc, s, &ev);
	kcap_json_scratch_free(sc);
	kcap_schema_free(s);
}
END_TEST

START_TEST(sockaddr_families)
{
	kcap_schema *s = make_schema();
	kcap_json_scratch *sc = kcap_json_scratch_new();
	kcap_event ev;
	kcap_value vals[KCAP_MAX_PARAMS];
	base_event(&ev, vals, s, T_ALL);
	fill_edges(&ev, s);
	kcap_value *sa = param(&ev, s, "sockaddr");
	sa->af = KCAP_AF_INET;
	sa->port = 0;
	memcpy(sa->addr, "\x0a\x00\x00\x01", 4);
	round_trip(sc, s, &ev);
	memset(sa->addr, 0, 16);
	sa->af = KCAP_AF_UNIX;
	set_blob(sa, "/run/\xff\x80sock\0abstract", 19);
	round_trip(sc, s, &ev);
	sa->af = KCAP_AF_OTHER;
	set_blob(sa, "\x00\x10\xfe\x01", 4);
	round_trip(sc, s, &ev);
	set_blob(sa, "", 0);
	round_trip(sc, s, &ev);
	kcap_json_scratch_free(sc);
	kcap_schema_free(s);
}
END_TEST

/* Every byte value in a path, and the private-use code points the parser uses
 * internally, literally and as escapes. */
START_TEST(path_every_byte)
{
	kcap_schema *s = make_schema();
	kcap_json_scratch *sc = kcap_json_scratch_new();
	kcap_event ev;
	kcap_value vals[KCAP_MAX_PARAMS];
	uint8_t all[512];
	for (int i = 0; i < 256; i++) {
		all[2 * i] = (uint8_t)i;
		all[2 * i + 1] = (uint8_t)(255 - i);
	}
	base_event(&ev, vals, s, T_EXEC);
	set_blob(&vals[1], all, sizeof all);
	set_blob(&vals[0], "", 0);
	vals[0].count = 0;
	round_trip(sc, s, &ev);

	/* hand-written escapes of the same code points decode to UTF-8 */
	const char *line = "{\"type\":\"execve\",\"params\":{\"argv\":[\"\\udbff\\udfff\",\"\\uDBFF\\uDF7E\",\"\\udc80"
			   "\\udcFF\",\"\\ud800\\udc80\"]},\"filename\":\"\\u00e9\"}";
	kcap_error err = {0};
	ck_assert_int_eq(kcap_json_parse_event(sc, line, strlen(line), s, &ev, &err), 0);
	static const char want[] = "\xf4\x8f\xbf\xbf\0\xf4\x8f\xbd\xbe\0\x80\xff\0\xf0\x90\x82\x80";
	ck_assert_uint_eq(ev.params[0].count, 4);
	ck_assert_uint_eq(ev.params[0].len, sizeof want);
	ck_assert(!memcmp(ev.params[0].p, want, sizeof want));
	ck_assert_uint_eq(ev.params[1].len, 2);
	ck_assert(!memcmp(ev.params[1].p, "\xc3\xa9", 2));
	kcap_json_scratch_free(sc);
	kcap_schema_free(s);
}
END_TEST

/* A 1 MiB argv with invalid bytes in it. */
START_TEST(big_argv)
{
	kcap_schema *s = make_schema();
	kcap_json_scratch *sc = kcap_json_scratch_new();
	kcap_event ev;
	kcap_value vals[KCAP_MAX_PARAMS];
	size_t n = 0, cap = (1u << 20) + 4096;
	uint8_t *argv = malloc(cap);
	uint32_t count = 0;
	while (n < (1u << 20)) {
		int k = snprintf((char *)argv + n, cap - n, "--argument-%u=%s", count, count % 97 ? "value" : "\xff\xc3");
		n += (size_t)k + 1;
		count++;
	}
	base_event(&ev, vals, s, T_EXEC);
	set_blob(&vals[0], argv, n);
	vals[0].count = count;
	set_blob(&vals[1], "/usr/bin/env", 12);
	round_trip(sc, s, &ev);
	/* a small event after the big one reuses the scratch */
	set_blob(&vals[0], "a\0", 2);
	vals[0].count = 1;
	round_trip(sc, s, &ev);
	free(argv);
	kcap_json_scratch_free(sc);
	kcap_schema_free(s);
}
END_TEST

static int parse(kcap_json_scratch *sc, kcap_schema *s, const char *line, kcap_event *ev, kcap_error *err)
{
	memset(err, 0, sizeof *err);
	return kcap_json_parse_event(sc, line, strlen(line), s, ev, err);
}

/* Hand-written forms: numbers where names are usual, names in any order. */
START_TEST(symbolic_forms)
{
	kcap_schema *s = make_schema();
	kcap_json_scratch *sc = kcap_json_scratch_new();
	kcap_event ev;
	kcap_error err;
	ck_assert_int_eq(parse(sc, s,
			       "{\"type\":\"all_types\",\"params\":{\"flags\":\"O_CLOEXEC|O_WRONLY|O_CREAT|0x100\","
			       "\"errno\":\"ENOENT\",\"enum\":\"GREEN\",\"mode\":\"0755\",\"rawflags\":\"0x10|3\","
			       "\"rawenum\":\"0x1f\"}}",
			       &ev, &err),
			 0);
	ck_assert_uint_eq(kcap_event_param(&ev, "flags")->u, 0x80000 | 1 | 0x40 | 0x100);
	ck_assert_uint_eq(kcap_event_param(&ev, "errno")->u, 2);
	ck_assert_uint_eq(kcap_event_param(&ev, "enum")->u, 1);
	ck_assert_uint_eq(kcap_event_param(&ev, "mode")->u, 0755);
	ck_assert_uint_eq(kcap_event_param(&ev, "rawflags")->u, 0x13);
	ck_assert_uint_eq(kcap_event_param(&ev, "rawenum")->u, 0x1f);
	ck_assert_int_eq(kcap_event_param(&ev, "u8")->present, 0); /* missing -> absent */
	ck_assert_int_eq(kcap_event_param(&ev, "u8")->type, KCAP_T_U8);
	ck_assert_int_eq(parse(sc, s,
			       "{\"type\":\"all_types\",\"params\":{\"flags\":65,\"errno\":13,\"enum\":7,\"mode\":420}}",
			       &ev, &err),
			 0);
	ck_assert_uint_eq(kcap_event_param(&ev, "flags")->u, 65);
	ck_assert_uint_eq(kcap_event_param(&ev, "errno")->u, 13);
	ck_assert_uint_eq(kcap_event_param(&ev, "enum")->u, 7);
	ck_assert_uint_eq(kcap_event_param(&ev, "mode")->u, 420);
	/* a TOPLEVEL param found inside params is still taken */
	ck_assert_int_eq(parse(sc, s, "{\"type\":\"execve\",\"params\":{\"filename\":\"/x\"}}", &ev, &err), 0);
	ck_assert_uint_eq(ev.params[1].len, 2);
	kcap_json_scratch_free(sc);
	kcap_schema_free(s);
}
END_TEST

static void expect_error(kcap_json_scratch *sc, kcap_schema *s, const char *line, int column, const char *needle)
{
	kcap_event ev;
	kcap_error err;
	int rc = parse(sc, s, line, &ev, &err);
	ck_assert_msg(rc == KCAP_E_SYNTAX, "line %s: rc %d (%s)", line, rc, err.msg);
	ck_assert_int_eq(err.code, KCAP_E_SYNTAX);
	ck_assert_msg(err.column == column, "line %s: column %d, expected %d (%s)", line, err.column, column, err.msg);
	ck_assert_msg(strstr(err.msg, needle), "line %s: message \"%s\" lacks \"%s\"", line, err.msg, needle);
}

START_TEST(error_columns)
{
	kcap_schema *s = make_schema();
	kcap_json_scratch *sc = kcap_json_scratch_new();
	/* syntax errors, at 1-based byte columns of the line */
	expect_error(sc, s, "{\"seq\":1,\"ts\":}", 15, "unexpected token");
	expect_error(sc, s, "{\"seq\":1,\"ts\":2", 15, "");
	expect_error(sc, s, "{\"seq\":1,,}", 10, "");
	expect_error(sc, s, "", 1, "");
	expect_error(sc, s, "[1,2]", 1, "expected a JSON object");
	/* columns count the bytes of the line, \udcXX escapes and raw bytes included */
	expect_error(sc, s, "{\"comm\":\"\\udc80\\udcff\xff\",\"seq\":x}", 31, "invalid token");
	/* a lone high surrogate is still an error */
	expect_error(sc, s, "{\"comm\":\"\\ud800\"}", 16, "Unicode");
	/* values of the wrong JSON type name the key and point at the value */
	expect_error(sc, s, "{\"type\":\"execve\",\"params\":{\"argv\":[\"a\",1]}}", 35, "argv");
	expect_error(sc, s, "{\"type\":\"execve\",\"filename\":5}", 29, "filename");
	expect_error(sc, s, "{\"type\":\"all_types\",\"params\":{\"flags\":\"O_NOPE\"}}", 39, "flags");
	expect_error(sc, s, "{\"type\":\"all_types\",\"params\":{\"u8\":256}}", 36,
		     "param \"u8\" of \"all_types\" is not a valid u8: 256");
	expect_error(sc, s, "{\"type\":\"all_types\",\"params\":{\"i8\":-129}}", 36, "i8");
	expect_error(sc, s, "{\"type\":\"all_types\",\"params\":{\"u64\":-1}}", 37, "u64");
	expect_error(sc, s, "{\"type\":\"all_types\",\"params\":{\"i64\":9223372036854775808}}", 37, "i64");
	expect_error(sc, s, "{\"type\":\"all_types\",\"params\":{\"ipv4\":\"1.2.3\"}}", 38, "ipv4");
	expect_error(sc, s, "{\"type\":\"all_types\",\"params\":{\"bytes\":\"abc\"}}", 39, "bytes");
	expect_error(sc, s, "{\"type\":\"all_types\",\"params\":{\"guid\":\"{}\"}}", 38, "guid");
	expect_error(sc, s, "{\"type\":\"all_types\",\"params\":{\"mode\":\"0968\"}}", 38, "mode");
	expect_error(sc, s, "{\"type\":\"all_types\",\"params\":{\"sockaddr\":{\"family\":\"inet\"}}}", 42, "sockaddr");
	expect_error(sc, s, "{\"type\":\"all_types\",\"params\":{\"bool\":1}}", 38, "bool");
	expect_error(sc, s, "{\"type\":\"all_types\",\"params\":{\"sid\":\"S-1-x\"}}", 37, "sid");
	expect_error(sc, s, "{\"type\":\"all_types\",\"params\":{\"nope\":1}}", 38, "nope");
	expect_error(sc, s, "{\"type\":\"all_types\",\"extra\":1}", 29, "extra");
	/* canonical keys */
	expect_error(sc, s, "{\"seq\":1}", 1, "type");
	expect_error(sc, s, "{\"type\":3}", 9, "type");
	expect_error(sc, s, "{\"type\":\"execve\", \"pid\": \"12\"}", 26, "pid");
	expect_error(sc, s, "{\"type\":\"execve\",\"pid\":2147483648}", 24, "pid");
	expect_error(sc, s, "{\"type\":\"execve\",\"seq\":-1}", 24, "seq");
	expect_error(sc, s, "{\"type\":\"execve\",\"params\":[]}", 27, "params");
	/* the scratch still works after errors */
	kcap_event ev;
	kcap_error err;
	ck_assert_int_eq(parse(sc, s, "{\"type\":\"big\",\"seq\":18446744073709551615,\"params\":{\"value\":"
				      "18446744073709551615}}", &ev, &err), 0);
	ck_assert_uint_eq(ev.seq, UINT64_MAX);
	ck_assert_uint_eq(ev.params[0].u, UINT64_MAX);
	kcap_json_scratch_free(sc);
	kcap_schema_free(s);
}
END_TEST

START_TEST(origins)
{
	kcap_schema *s = make_schema();
	kcap_json_scratch *sc = kcap_json_scratch_new();
	kcap_event ev;
	kcap_error err;
	const char *lines[] = {
		"{\"type\":\"big\",\"host\":\"a\",\"source\":\"ebpf\"}",
		"{\"type\":\"big\",\"host\":\"b\",\"source\":\"ebpf\"}",
		"{\"type\":\"big\",\"host\":\"a\",\"source\":\"ebpf\"}",
		"{\"type\":\"big\"}",
		"{\"type\":\"big\",\"source\":\"audit\"}",
		"{\"type\":\"big\",\"host\":\"b\",\"source\":\"ebpf\"}",
	};
	const uint16_t want[] = {0, 1, 0, 2, 3, 1};
	for (int i = 0; i < 6; i++) {
		ck_assert_int_eq(parse(sc, s, lines[i], &ev, &err), 0);
		ck_assert_uint_eq(ev.origin, want[i]);
	}
	ck_assert_uint_eq(kcap_json_origin_count(sc), 4);
	const char *h, *src;
	ck_assert_int_eq(kcap_json_origin_at(sc, 1, &h, &src), 1);
	ck_assert_str_eq(h, "b");
	ck_assert_str_eq(src, "ebpf");
	ck_assert_int_eq(kcap_json_origin_at(sc, 2, &h, &src), 1);
	ck_assert_ptr_null(h);
	ck_assert_ptr_null(src);
	ck_assert_int_eq(kcap_json_origin_at(sc, 3, &h, &src), 1);
	ck_assert_ptr_null(h);
	ck_assert_str_eq(src, "audit");
	ck_assert_int_eq(kcap_json_origin_at(sc, 4, &h, &src), 0);
	ck_assert_uint_eq(kcap_json_origin_count(NULL), 0);
	kcap_json_scratch_free(sc);
	kcap_schema_free(s);
}
END_TEST

static const kcap_param_def *pdef(const kcap_type_def *d, const char *name)
{
	int i = kcap_type_param_index(d, name);
	ck_assert_msg(i >= 0, "no param %s", name);
	return &d->params[i];
}

START_TEST(inference)
{
	kcap_schema *s = make_schema();
	kcap_json_scratch *sc = kcap_json_scratch_new();
	kcap_event ev;
	kcap_error err;
	const char *l1 = "{\"seq\":5,\"type\":\"mystery\",\"category\":\"custom\",\"host\":\"h\",\"params\":{\"n\":-3,"
			 "\"s\":\"x\\udcff\",\"b\":true,\"argv\":[\"a\",\"\"],\"peer\":{\"family\":\"inet\",\"addr\":"
			 "\"10.1.2.3\",\"port\":443},\"obj\":{\"k\": [1, 2.5]},\"gone\":null,\"big\":"
			 "18446744073709551615,\"mixed\":[1,\"a\"],\"real\":0.1,\"longreal\":-1.12345678901234567890123e-12345678901234567890},\"extra\":{\"family\":\"none\"}}";
	ck_assert_int_eq(parse(sc, s, l1, &ev, &err), 0);
	const kcap_type_def *d = ev.def;
	ck_assert_ptr_nonnull(d);
	ck_assert_uint_eq(d->id, T_BIG + 1); /* max id + 1 */
	ck_assert_ptr_eq(kcap_schema_type_by_name(s, "mystery"), d);
	ck_assert_str_eq(d->category, "custom");
	ck_assert_uint_eq(d->nparams, 12);
	ck_assert_int_eq(pdef(d, "n")->type, KCAP_T_I64);
	ck_assert_int_eq(pdef(d, "s")->type, KCAP_T_STR);
	ck_assert_int_eq(pdef(d, "b")->type, KCAP_T_BOOL);
	ck_assert_int_eq(pdef(d, "argv")->type, KCAP_T_STRLIST);
	ck_assert_int_eq(pdef(d, "peer")->type, KCAP_T_SOCKADDR);
	ck_assert_int_eq(pdef(d, "obj")->type, KCAP_T_JSON);
	ck_assert_int_eq(pdef(d, "gone")->type, KCAP_T_STR);
	ck_assert_int_eq(pdef(d, "big")->type, KCAP_T_U64);
	ck_assert_int_eq(pdef(d, "mixed")->type, KCAP_T_JSON);
	ck_assert_int_eq(pdef(d, "real")->type, KCAP_T_JSON);
	ck_assert_int_eq(pdef(d, "extra")->type, KCAP_T_SOCKADDR);
	ck_assert_int_eq(pdef(d, "extra")->flags, KCAP_PF_TOPLEVEL);
	ck_assert_int_eq(pdef(d, "n")->flags, 0);
	ck_assert_int_eq(kcap_event_param(&ev, "n")->i, -3);
	const kcap_value *v = kcap_event_param(&ev, "s");
	ck_assert(v->len == 2 && !memcmp(v->p, "x\xff", 2));
	ck_assert_uint_eq(kcap_event_param(&ev, "b")->u, 1);
	v = kcap_event_param(&ev, "argv");
	ck_assert(v->count == 2 && v->len == 3 && !memcmp(v->p, "a\0\0", 3));
	v = kcap_event_param(&ev, "peer");
	ck_assert(v->af == KCAP_AF_INET && v->port == 443 && !memcmp(v->addr, "\x0a\x01\x02\x03", 4));
	v = kcap_event_param(&ev, "obj");
	ck_assert(v->len == 15 && !memcmp(v->p, "{\"k\": [1, 2.5]}", 15)); /* verbatim */
	ck_assert_int_eq(kcap_event_param(&ev, "gone")->present, 0);
	ck_assert_uint_eq(kcap_event_param(&ev, "big")->u, UINT64_MAX);
	v = kcap_event_param(&ev, "real");
	ck_assert(v->len == 3 && !memcmp(v->p, "0.1", 3));
	v = kcap_event_param(&ev, "longreal"); /* digit runs of reals are not big integers */
	ck_assert_int_eq(pdef(d, "longreal")->type, KCAP_T_JSON);
	ck_assert(v->len == 48 && !memcmp(v->p, "-1.12345678901234567890123e-12345678901234567890", 48));
	ck_assert_int_eq(kcap_event_param(&ev, "extra")->af, KCAP_AF_NONE);
	ck_assert_uint_eq(ev.seq, 5);

	/* the inferred event round-trips through the renderer */
	kcap_event copy = ev;
	kcap_value vals[KCAP_MAX_PARAMS];
	memcpy(vals, ev.params, ev.nparams * sizeof vals[0]);
	copy.params = vals;
	kcap_buf b = {0};
	ck_assert_int_eq(kcap_render_json(&b, &copy, s), 0);
	kcap_json_scratch *sc2 = kcap_json_scratch_new();
	kcap_event back;
	ck_assert_int_eq(kcap_json_parse_event(sc2, b.data, b.len, s, &back, &err), 0);
	ck_assert_ptr_eq(back.def, d); /* known now: no new type */
	kcap_buf_free(&b);
	kcap_json_scratch_free(sc2);

	/* values that fit: same type */
	ck_assert_int_eq(parse(sc, s, "{\"type\":\"mystery\",\"params\":{\"n\":7,\"s\":5}}", &ev, &err), 0);
	ck_assert_ptr_eq(ev.def, d);
	v = kcap_event_param(&ev, "s"); /* a str param takes any value as its JSON text */
	ck_assert(v->present && v->len == 1 && v->p[0] == '5');
	ck_assert_int_eq(kcap_event_param(&ev, "argv")->present, 0);

	/* a value that does not fit: a new variant with that param as str */
	ck_assert_int_eq(parse(sc, s, "{\"type\":\"mystery\",\"params\":{\"n\":\"seven\",\"b\":{\"x\":1}}}", &ev,
			       &err), 0);
	const kcap_type_def *d2 = ev.def;
	ck_assert_ptr_ne(d2, d);
	ck_assert_uint_eq(d2->id, d->id + 1);
	ck_assert_str_eq(d2->name, "mystery");
	ck_assert_str_eq(d2->category, "custom");
	ck_assert_uint_eq(d2->nparams, d->nparams);
	ck_assert_int_eq(pdef(d2, "n")->type, KCAP_T_STR);
	ck_assert_int_eq(pdef(d2, "b")->type, KCAP_T_STR);
	ck_assert_int_eq(pdef(d2, "argv")->type, KCAP_T_STRLIST);
	v = kcap_event_param(&ev, "n");
	ck_assert(v->len == 5 && !memcmp(v->p, "seven", 5));
	v = kcap_event_param(&ev, "b");
	ck_assert(v->len == 7 && !memcmp(v->p, "{\"x\":1}", 7));
	/* later events use the latest variant; a new key appends a param */
	ck_assert_int_eq(parse(sc, s, "{\"type\":\"mystery\",\"params\":{\"n\":1,\"fresh\":2}}", &ev, &err), 0);
	const kcap_type_def *d3 = ev.def;
	ck_assert_uint_eq(d3->id, d2->id + 1);
	ck_assert_uint_eq(d3->nparams, d2->nparams + 1);
	ck_assert_int_eq(pdef(d3, "fresh")->type, KCAP_T_I64);
	ck_assert_str_eq(d3->params[d3->nparams - 1].name, "fresh");
	v = kcap_event_param(&ev, "n");
	ck_assert(v->len == 1 && v->p[0] == '1');
	ck_assert_int_eq(kcap_event_param(&ev, "fresh")->i, 2);

	/* no category: "unknown" */
	ck_assert_int_eq(parse(sc, s, "{\"type\":\"bare\"}", &ev, &err), 0);
	ck_assert_str_eq(ev.def->category, "unknown");
	ck_assert_uint_eq(ev.def->nparams, 0);
	ck_assert_uint_eq(ev.def->id, d3->id + 1);
	kcap_json_scratch_free(sc);
	kcap_schema_free(s);
}
END_TEST

/* Lines that are not exactly what the renderer writes but are valid JSON. */
START_TEST(tolerant_input)
{
	kcap_schema *s = make_schema();
	kcap_json_scratch *sc = kcap_json_scratch_new();
	kcap_event ev;
	kcap_error err;
	ck_assert_int_eq(parse(sc, s, "  { \"params\" : { \"value\" : 9 } , \"type\" : \"big\" , \"pid\" : null }\r\n",
			       &ev, &err), 0);
	ck_assert_uint_eq(ev.type_id, T_BIG);
	ck_assert_uint_eq(ev.params[0].u, 9);
	ck_assert_int_eq(ev.pid, 0);
	ck_assert_int_eq(ev.comm_len, 0);
	/* a JSON param given as a string is its text; verbatim objects keep their spacing */
	ck_assert_int_eq(parse(sc, s, "{\"type\":\"all_types\",\"json\":\"{\\\"a\\\":1}\"}", &ev, &err), 0);
	const kcap_value *v = kcap_event_param(&ev, "json");
	ck_assert(v->len == 7 && !memcmp(v->p, "{\"a\":1}", 7));
	ck_assert_int_eq(parse(sc, s, "{\"type\":\"all_types\",\"json\":{ \"a\" : [ 1 , 2 ] },\"json\":[3]}", &ev,
			       &err), 0);
	v = kcap_event_param(&ev, "json");
	ck_assert(v->len == 3 && !memcmp(v->p, "[3]", 3)); /* the last duplicate wins, as in jansson */
	kcap_json_scratch_free(sc);
	kcap_schema_free(s);
}
END_TEST

/* What the JSON parser decides, as seen through events: strictness, integers
 * beyond 64 bits, duplicate keys, NULs. */
START_TEST(parser_contract)
{
	kcap_schema *s = make_schema();
	kcap_json_scratch *sc = kcap_json_scratch_new();
	kcap_event ev;
	kcap_error err;
	expect_error(sc, s, "{\"type\":\"big\"} x", 16, "after the JSON value");
	expect_error(sc, s, "{\"type\":\"big\",\"comm\":\"\\udc7f\"}", 23, "lone low surrogate");
	expect_error(sc, s, "{\"type\":\"big\",\"comm\":\"a\tb\"}", 24, "control character");
	expect_error(sc, s, "{\"type\":\"big\",\"seq\":007}", 21, "leading zero");
	expect_error(sc, s, "{\"type\":\"big\",\"k\\u0000\":1}", 15, "NUL byte");
	expect_error(sc, s, "{\"type\":\"big\",\"seq\":18446744073709551616}", 21, "\"seq\" is out of range");
	expect_error(sc, s, "{\"type\":\"big\",\"ts\":1.5}", 20, "not a real number");
	expect_error(sc, s, "{\"type\":\"all_types\",\"params\":{\"u64\":18446744073709551616}}", 37,
		     "not a valid u64: 18446744073709551616");
	/* nesting: 128 levels in all (two objects, 126 arrays) are fine, one more is not */
	char deep[400];
	for (int arrays = KCAP_JSON_MAX_DEPTH_FOR_TEST - 2; arrays <= KCAP_JSON_MAX_DEPTH_FOR_TEST - 1; arrays++) {
		int n = snprintf(deep, sizeof deep, "{\"type\":\"nest\",\"params\":{\"j\":");
		ck_assert_int_eq(n, 29);
		memset(deep + n, '[', (size_t)arrays);
		memset(deep + n + arrays, ']', (size_t)arrays);
		snprintf(deep + n + 2 * arrays, sizeof deep - (size_t)(n + 2 * arrays), "}}");
		if (arrays == KCAP_JSON_MAX_DEPTH_FOR_TEST - 1) {
			expect_error(sc, s, deep, 29 + arrays, "nesting deeper than 128 levels");
			break;
		}
		ck_assert_int_eq(parse(sc, s, deep, &ev, &err), 0);
		ck_assert_int_eq(kcap_event_param(&ev, "j")->type, KCAP_T_JSON);
		ck_assert_uint_eq(kcap_event_param(&ev, "j")->len, 2 * (uint32_t)arrays);
	}

	/* integers beyond i64/u64 and reals infer as json, verbatim */
	ck_assert_int_eq(parse(sc, s, "{\"type\":\"wide\",\"params\":{\"a\":18446744073709551616,\"b\":"
				      "-9223372036854775809,\"c\":-9223372036854775808,\"d\":1e3}}", &ev, &err), 0);
	const kcap_type_def *d = ev.def;
	ck_assert_int_eq(pdef(d, "a")->type, KCAP_T_JSON);
	ck_assert_int_eq(pdef(d, "b")->type, KCAP_T_JSON);
	ck_assert_int_eq(pdef(d, "c")->type, KCAP_T_I64);
	ck_assert_int_eq(pdef(d, "d")->type, KCAP_T_JSON);
	const kcap_value *v = kcap_event_param(&ev, "a");
	ck_assert(v->len == 20 && !memcmp(v->p, "18446744073709551616", 20));
	ck_assert_int_eq(kcap_event_param(&ev, "c")->i, INT64_MIN);

	/* a duplicate key keeps its first place and takes the last value */
	ck_assert_int_eq(parse(sc, s, "{\"type\":\"dup\",\"params\":{\"a\":1,\"b\":true,\"a\":\"x\"},\"c\":2,\"c\":3}",
			       &ev, &err), 0);
	d = ev.def;
	ck_assert_uint_eq(d->nparams, 3);
	ck_assert_str_eq(d->params[0].name, "a");
	ck_assert_int_eq(d->params[0].type, KCAP_T_STR);
	ck_assert_str_eq(d->params[1].name, "b");
	ck_assert_str_eq(d->params[2].name, "c");
	ck_assert_int_eq(kcap_event_param(&ev, "c")->i, 3);
	v = kcap_event_param(&ev, "a");
	ck_assert(v->len == 1 && v->p[0] == 'x');

	/* NUL in a string value is kept; a sockaddr with a duplicate key is one */
	ck_assert_int_eq(parse(sc, s, "{\"type\":\"big\",\"comm\":\"a\\u0000b\"}", &ev, &err), 0);
	ck_assert(ev.comm_len == 3 && !memcmp(ev.comm, "a\0b", 3));
	ck_assert_int_eq(parse(sc, s, "{\"type\":\"sa\",\"params\":{\"p\":{\"family\":\"unix\",\"path\":\"/a\","
				      "\"path\":\"/b\"}}}", &ev, &err), 0);
	v = kcap_event_param(&ev, "p");
	ck_assert_int_eq(pdef(ev.def, "p")->type, KCAP_T_SOCKADDR);
	ck_assert(v->af == KCAP_AF_UNIX && v->len == 2 && !memcmp(v->p, "/b", 2));
	kcap_json_scratch_free(sc);
	kcap_schema_free(s);
}
END_TEST

/* Parsed events (known and inferred types, variants, origins) go through the
 * writer and the reader unchanged. */
START_TEST(write_read_back)
{
	kcap_schema *s = make_schema();
	kcap_json_scratch *sc = kcap_json_scratch_new();
	const char *lines[] = {
		("{\"seq\":1,\"ts\":10,\"type\":\"execve\",\"host\":\"a\",\"params\":{\"argv\":[\"ls\",\"\\udcff\"]},"
		 "\"filename\":\"/bin/ls\"}"),
		"{\"seq\":2,\"ts\":11,\"type\":\"m\",\"host\":\"b\",\"params\":{\"n\":1,\"o\":{\"a\": 1}}}",
		"{\"seq\":3,\"ts\":12,\"type\":\"m\",\"host\":\"a\",\"params\":{\"n\":\"one\",\"z\":[\"q\"]}}",
		"{\"seq\":4,\"ts\":13,\"type\":\"big\",\"host\":\"b\",\"params\":{\"value\":18446744073709551615}}",
		"{\"seq\":5,\"ts\":14,\"type\":\"m\",\"host\":\"b\",\"params\":{\"n\":null}}",
	};
	enum { N = sizeof lines / sizeof lines[0] };
	char path[] = "/tmp/kcap_json_testXXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	kcap_writer *w;
	kcap_error err;
	ck_assert_int_eq(kcap_writer_open_fd(&w, fd, 1, NULL, &err), 0);
	kcap_buf want[N];
	memset(want, 0, sizeof want);
	size_t metas = 0;
	kcap_meta *mlist[4] = {0};
	for (int i = 0; i < N; i++) {
		kcap_event ev;
		ck_assert_int_eq(parse(sc, s, lines[i], &ev, &err), 0);
		for (; metas < kcap_json_origin_count(sc); metas++) {
			const char *h, *src;
			ck_assert_int_eq(kcap_json_origin_at(sc, metas, &h, &src), 1);
			kcap_meta *m = kcap_meta_new();
			if (h)
				kcap_meta_set(m, KCAP_META_HOSTNAME, h);
			ck_assert_int_eq(kcap_writer_add_meta(w, m), (int)metas);
			ck_assert_uint_lt(metas, 4);
			mlist[metas] = m;
		}
		ck_assert_int_eq(kcap_writer_set_schema(w, s), 0);
		ck_assert_int_eq(kcap_writer_write(w, &ev), 0);
		ev.meta = mlist[ev.origin]; /* what a reader supplies */
		ck_assert_int_eq(kcap_render_json(&want[i], &ev, s), 0);
	}
	ck_assert_int_eq(kcap_writer_close(w), 0);
	kcap_reader *r;
	ck_assert_int_eq(kcap_reader_open_path(&r, path, &err), 0);
	const kcap_event *ev;
	int n = 0;
	while (kcap_reader_next(r, &ev) > 0) {
		kcap_buf got = {0};
		ck_assert_int_lt(n, N);
		ck_assert_int_eq(kcap_render_json(&got, ev, kcap_reader_schema(r)), 0);
		ck_assert_msg(got.len == want[n].len && !memcmp(got.data, want[n].data, got.len), "event %d:\n%.*s%.*s", n,
			      (int)want[n].len, want[n].data, (int)got.len, got.data);
		kcap_buf_free(&got);
		kcap_buf_free(&want[n]);
		n++;
	}
	ck_assert_int_eq(n, N);
	kcap_reader_close(r);
	unlink(path);
	for (int i = 0; i < 4; i++)
		kcap_meta_free(mlist[i]);
	kcap_json_scratch_free(sc);
	kcap_schema_free(s);
}
END_TEST

static Suite *json_suite(void)
{
	Suite *su = suite_create("json_in");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, all_types_edges);
	tcase_add_test(tc, all_types_zero);
	tcase_add_test(tc, all_absent);
	tcase_add_test(tc, sockaddr_families);
	tcase_add_test(tc, path_every_byte);
	tcase_add_test(tc, big_argv);
	tcase_add_test(tc, symbolic_forms);
	tcase_add_test(tc, error_columns);
	tcase_add_test(tc, origins);
	tcase_add_test(tc, inference);
	tcase_add_test(tc, tolerant_input);
	tcase_add_test(tc, parser_contract);
	tcase_add_test(tc, write_read_back);
	suite_add_tcase(su, tc);
	return su;
}

int main(void)
{
	return kcap_check_run(json_suite());
}
