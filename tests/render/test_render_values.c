/* Readable values in text and CSV (docs/CLI.md "Text and CSV values"):
 * errno names beside negative returns, addresses in hex, AT_FDCWD, flags of
 * 0 as 0, unix and netlink socket addresses, uid/gid names from the
 * recording host's snapshot; JSON keeps its numbers and texts, and gains
 * "user"/"group" only when the snapshot names them. CSV escapes control
 * bytes as text does and quotes per RFC 4180. */
#include <check.h>
#include "check_run.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <kcap/kcap.h>
#include <kcap/taxonomy.h>

static kcap_schema *g_s;

static void setup(void)
{
	g_s = kcap_schema_new();
	ck_assert_ptr_nonnull(g_s);
	ck_assert_int_eq(kcap_taxonomy_schema(g_s), 0);
}

static void teardown(void) { kcap_schema_free(g_s); }

/* Values of a taxonomy type's params, all absent, typed from the schema. */
static void values_of(uint32_t type, kcap_value *v, uint32_t *n)
{
	const kcap_type_def *d = kcap_schema_type(g_s, type);
	ck_assert_ptr_nonnull(d);
	memset(v, 0, sizeof(kcap_value) * d->nparams);
	for (uint32_t i = 0; i < d->nparams; i++)
		v[i].type = d->params[i].type;
	*n = d->nparams;
}

static kcap_value *param(uint32_t type, kcap_value *v, const char *name)
{
	int i = kcap_type_param_index(kcap_schema_type(g_s, type), name);
	ck_assert_int_ge(i, 0);
	v[i].present = 1;
	return &v[i];
}

static kcap_event event_of(uint32_t type, kcap_value *v, uint32_t n)
{
	kcap_event ev = {0};
	ev.seq = 9;
	ev.ts = 1795255200000000000LL;
	ev.pid = ev.tid = 77;
	ev.cpu = 2;
	ev.comm = "tool";
	ev.comm_len = 4;
	ev.type_id = type;
	ev.nparams = n;
	ev.params = v;
	return ev;
}

typedef int (*render_fn)(kcap_buf *, const kcap_event *, const kcap_schema *);

/* The rendering as a NUL-terminated string, for the caller to free. */
static char *rendered(render_fn f, const kcap_event *ev)
{
	kcap_buf b = {0};
	ck_assert_int_eq(f(&b, ev, g_s), 0);
	ck_assert_int_eq(kcap_buf_append(&b, "", 1), 0);
	return b.data;
}

static int csv_render(kcap_buf *b, const kcap_event *ev, const kcap_schema *s)
{
	return kcap_render_csv(b, ev, s, NULL);
}

/* The text after the event's type name: its params. */
static void text_params_eq(const kcap_event *ev, const char *want)
{
	char *l = rendered(kcap_render_text, ev);
	const char *d = kcap_schema_type(g_s, ev->type_id)->name, *p = strstr(l, d);
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(p + strlen(d), want);
	free(l);
}

START_TEST(negative_ret_names_its_errno)
{
	kcap_value v[16];
	uint32_t n;
	values_of(KCAP_EV_OPENAT, v, &n);
	param(KCAP_EV_OPENAT, v, "dirfd")->i = -100;
	kcap_value *path = param(KCAP_EV_OPENAT, v, "path");
	path->p = (const uint8_t *)"/etc/shadow";
	path->len = 11;
	param(KCAP_EV_OPENAT, v, "flags")->u = 0;
	param(KCAP_EV_OPENAT, v, "mode")->u = 0;
	kcap_value *ret = param(KCAP_EV_OPENAT, v, "ret");
	ret->i = -13;
	kcap_event ev = event_of(KCAP_EV_OPENAT, v, n);
	text_params_eq(&ev, " dirfd=AT_FDCWD path=/etc/shadow flags=O_RDONLY mode=0 resolve=- ret=-13 (EACCES)\n");
	/* JSON keeps the numbers and the symbol texts */
	char *j = rendered(kcap_render_json, &ev);
	ck_assert_msg(strstr(j, "\"params\":{\"dirfd\":-100,\"path\":\"/etc/shadow\",\"flags\":\"O_RDONLY\",\"mode\":"
	                        "\"0\",\"resolve\":null,\"ret\":-13}") != NULL, "%s", j);
	free(j);
	/* a number the set does not name, and a success, are numbers alone */
	ret->i = -4000;
	text_params_eq(&ev, " dirfd=AT_FDCWD path=/etc/shadow flags=O_RDONLY mode=0 resolve=- ret=-4000\n");
	ret->i = 3;
	param(KCAP_EV_OPENAT, v, "dirfd")->i = 5;
	text_params_eq(&ev, " dirfd=5 path=/etc/shadow flags=O_RDONLY mode=0 resolve=- ret=3\n");
}
END_TEST

START_TEST(flags_of_zero_are_zero)
{
	kcap_value v[16];
	uint32_t n;
	/* at_flags names no zero value: 0, not 0x0 */
	values_of(KCAP_EV_UNLINKAT, v, &n);
	param(KCAP_EV_UNLINKAT, v, "dirfd")->i = 3;
	param(KCAP_EV_UNLINKAT, v, "path")->p = (const uint8_t *)"x";
	param(KCAP_EV_UNLINKAT, v, "path")->len = 1;
	kcap_value *fl = param(KCAP_EV_UNLINKAT, v, "flags");
	param(KCAP_EV_UNLINKAT, v, "ret")->i = 0;
	kcap_event ev = event_of(KCAP_EV_UNLINKAT, v, n);
	text_params_eq(&ev, " dirfd=3 path=x flags=0 ret=0\n");
	char *j = rendered(kcap_render_json, &ev);
	ck_assert_msg(strstr(j, "\"flags\":\"0x0\"") != NULL, "JSON unchanged: %s", j);
	free(j);
	fl->u = 0x200; /* AT_REMOVEDIR */
	text_params_eq(&ev, " dirfd=3 path=x flags=AT_REMOVEDIR ret=0\n");
	/* clone flags 0 (no symbol for zero) and a flags param without a set */
	values_of(KCAP_EV_CLONE, v, &n);
	param(KCAP_EV_CLONE, v, "flags")->u = 0;
	param(KCAP_EV_CLONE, v, "child_pid")->i = 78;
	param(KCAP_EV_CLONE, v, "ret")->i = 78;
	ev = event_of(KCAP_EV_CLONE, v, n);
	text_params_eq(&ev, " flags=0 child_pid=78 ret=78\n");
	kcap_param_def pd[] = {{"mask", KCAP_T_FLAGS, 0, 0}};
	kcap_type_def td = {900, "bits", "test", "", 1, pd};
	ck_assert_int_eq(kcap_schema_add_type(g_s, &td), 0);
	kcap_value m = {.type = KCAP_T_FLAGS, .present = 1, .u = 0};
	ev = event_of(900, &m, 1);
	text_params_eq(&ev, " mask=0\n");
	m.u = 0x30;
	text_params_eq(&ev, " mask=0x30\n");
}
END_TEST

START_TEST(addresses_are_hex)
{
	kcap_value v[16];
	uint32_t n;
	values_of(KCAP_EV_MMAP, v, &n);
	param(KCAP_EV_MMAP, v, "addr")->u = 0;
	param(KCAP_EV_MMAP, v, "len")->u = 8192;
	param(KCAP_EV_MMAP, v, "prot")->u = 5;
	param(KCAP_EV_MMAP, v, "flags")->u = 2;
	param(KCAP_EV_MMAP, v, "fd")->i = 3;
	kcap_value *ret = param(KCAP_EV_MMAP, v, "ret");
	ret->i = 0x7f1c2a400000;
	kcap_event ev = event_of(KCAP_EV_MMAP, v, n);
	text_params_eq(&ev, " addr=0 len=8192 prot=PROT_READ|PROT_EXEC flags=MAP_PRIVATE fd=3 path=- "
	                    "ret=0x7f1c2a400000\n");
	char *j = rendered(kcap_render_json, &ev);
	ck_assert_msg(strstr(j, "\"addr\":0,\"len\":8192,") && strstr(j, "\"ret\":139758944649216}"), "%s", j);
	free(j);
	ret->i = -12;
	text_params_eq(&ev, " addr=0 len=8192 prot=PROT_READ|PROT_EXEC flags=MAP_PRIVATE fd=3 path=- "
	                    "ret=-12 (ENOMEM)\n");
	/* mprotect's ret is no address; its addr is */
	values_of(KCAP_EV_MPROTECT, v, &n);
	param(KCAP_EV_MPROTECT, v, "addr")->u = 0x55d0c0de1000;
	param(KCAP_EV_MPROTECT, v, "len")->u = 4096;
	param(KCAP_EV_MPROTECT, v, "prot")->u = 0;
	param(KCAP_EV_MPROTECT, v, "ret")->i = 0;
	ev = event_of(KCAP_EV_MPROTECT, v, n);
	text_params_eq(&ev, " addr=0x55d0c0de1000 len=4096 prot=PROT_NONE flags=- fd=- path=- ret=0\n");
	values_of(KCAP_EV_PTRACE, v, &n);
	param(KCAP_EV_PTRACE, v, "request")->u = 0;
	param(KCAP_EV_PTRACE, v, "target")->i = 80;
	param(KCAP_EV_PTRACE, v, "addr")->u = 0x401000;
	param(KCAP_EV_PTRACE, v, "data")->u = 17;
	param(KCAP_EV_PTRACE, v, "ret")->i = -1;
	ev = event_of(KCAP_EV_PTRACE, v, n);
	text_params_eq(&ev, " request=PTRACE_TRACEME target=80 addr=0x401000 data=17 ret=-1 (EPERM)\n");
}
END_TEST

START_TEST(socket_addresses_by_family)
{
	kcap_value v[8];
	uint32_t n;
	values_of(KCAP_EV_CONNECT, v, &n);
	param(KCAP_EV_CONNECT, v, "fd")->i = 4;
	param(KCAP_EV_CONNECT, v, "ret")->i = 0;
	kcap_value *a = param(KCAP_EV_CONNECT, v, "addr");
	kcap_event ev = event_of(KCAP_EV_CONNECT, v, n);
	a->af = KCAP_AF_UNIX;
	a->p = (const uint8_t *)"/run/dbus/system_bus_socket";
	a->len = (uint32_t)strlen((const char *)a->p);
	text_params_eq(&ev, " fd=4 addr=unix:/run/dbus/system_bus_socket ret=0\n");
	a->p = (const uint8_t *)"@/tmp/.X11-unix/X0";
	a->len = (uint32_t)strlen((const char *)a->p);
	text_params_eq(&ev, " fd=4 addr=unix:@/tmp/.X11-unix/X0 ret=0\n");
	a->len = 0;
	text_params_eq(&ev, " fd=4 addr=unix: ret=0\n");
	/* sockaddr_nl: family 16, pad, nl_pid 1234, nl_groups 0x11 (little-endian) */
	static const uint8_t nl[] = {16, 0, 0, 0, 0xd2, 0x04, 0, 0, 0x11, 0, 0, 0};
	a->af = KCAP_AF_OTHER;
	a->p = nl;
	a->len = sizeof nl;
	text_params_eq(&ev, " fd=4 addr=netlink:pid=1234,groups=0x11 ret=0\n");
	char *j = rendered(kcap_render_json, &ev);
	ck_assert_msg(strstr(j, "\"addr\":{\"family\":\"other\",\"raw\":\"10000000d204000011000000\"}"), "%s", j);
	free(j);
	static const uint8_t nl0[] = {16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
	a->p = nl0;
	text_params_eq(&ev, " fd=4 addr=netlink:pid=0,groups=0 ret=0\n");
	/* another family keeps its hex; a netlink address cut short too */
	static const uint8_t pk[] = {17, 0, 8, 6};
	a->p = pk;
	a->len = sizeof pk;
	text_params_eq(&ev, " fd=4 addr=11000806 ret=0\n");
	a->p = nl;
	a->len = 8;
	text_params_eq(&ev, " fd=4 addr=10000000d2040000 ret=0\n");
	a->af = KCAP_AF_INET;
	memcpy(a->addr, "\x0a\x00\x00\x01", 4);
	a->port = 443;
	text_params_eq(&ev, " fd=4 addr=10.0.0.1:443 ret=0\n");
}
END_TEST

static kcap_snapshot *names_snapshot(void)
{
	kcap_snapshot *sn = kcap_snapshot_new();
	ck_assert_ptr_nonnull(sn);
	ck_assert_int_eq(kcap_snapshot_set_name(sn, KCAP_NAMES_USER, 0, "root"), 0);
	ck_assert_int_eq(kcap_snapshot_set_name(sn, KCAP_NAMES_USER, 1000, "alice"), 0);
	ck_assert_int_eq(kcap_snapshot_set_name(sn, KCAP_NAMES_GROUP, 0, "root"), 0);
	ck_assert_int_eq(kcap_snapshot_set_name(sn, KCAP_NAMES_GROUP, 100, "users"), 0);
	return sn;
}

START_TEST(ids_have_the_recording_hosts_names)
{
	kcap_value v[8];
	uint32_t n;
	values_of(KCAP_EV_FCHOWNAT, v, &n);
	param(KCAP_EV_FCHOWNAT, v, "dirfd")->i = -100;
	param(KCAP_EV_FCHOWNAT, v, "path")->p = (const uint8_t *)"f";
	param(KCAP_EV_FCHOWNAT, v, "path")->len = 1;
	param(KCAP_EV_FCHOWNAT, v, "uid")->u = 1000;
	param(KCAP_EV_FCHOWNAT, v, "gid")->u = 100;
	param(KCAP_EV_FCHOWNAT, v, "flags")->u = 0;
	param(KCAP_EV_FCHOWNAT, v, "ret")->i = 0;
	kcap_event ev = event_of(KCAP_EV_FCHOWNAT, v, n);
	ev.uid = 0;
	ev.gid = 100;
	/* without a snapshot, or one without names: numbers only */
	char *plain = rendered(kcap_render_json, &ev);
	text_params_eq(&ev, " dirfd=AT_FDCWD fd=- path=f uid=1000 gid=100 flags=0 ret=0\n");
	kcap_snapshot *empty = kcap_snapshot_new();
	ev.snapshot = empty;
	text_params_eq(&ev, " dirfd=AT_FDCWD fd=- path=f uid=1000 gid=100 flags=0 ret=0\n");
	char *j = rendered(kcap_render_json, &ev);
	ck_assert_str_eq(j, plain);
	free(j);
	ck_assert_msg(strstr(plain, "\"uid\":0,\"gid\":100,\"comm\":") != NULL, "%s", plain);
	/* with names: uid=1000(alice), and JSON adds user and group */
	kcap_snapshot *sn = names_snapshot();
	ev.snapshot = sn;
	text_params_eq(&ev, " dirfd=AT_FDCWD fd=- path=f uid=1000(alice) gid=100(users) flags=0 ret=0\n");
	j = rendered(kcap_render_json, &ev);
	ck_assert_msg(strstr(j, "\"uid\":0,\"gid\":100,\"user\":\"root\",\"group\":\"users\",\"comm\":\"tool\"") != NULL,
	              "%s", j);
	ck_assert_msg(strstr(j, "\"uid\":1000,\"gid\":100,") != NULL, "params keep numbers: %s", j);
	free(j);
	/* an id without a name stays a number, and JSON names only what it knows */
	param(KCAP_EV_FCHOWNAT, v, "uid")->u = 4294967295u;
	ev.uid = 33;
	text_params_eq(&ev, " dirfd=AT_FDCWD fd=- path=f uid=4294967295 gid=100(users) flags=0 ret=0\n");
	j = rendered(kcap_render_json, &ev);
	ck_assert_msg(strstr(j, "\"uid\":33,\"gid\":100,\"group\":\"users\",\"comm\":") != NULL, "%s", j);
	free(j);
	/* CSV cells hold the text values */
	j = rendered(csv_render, &ev);
	ck_assert_msg(strstr(j, ",tool,fchownat,file,dirfd=AT_FDCWD fd=- path=f uid=4294967295 gid=100(users) flags=0 ret=0\r\n") != NULL, "%s", j);
	free(j);
	free(plain);
	kcap_snapshot_free(sn);
	kcap_snapshot_free(empty);
}
END_TEST

/* Through a file: the writer stores the names with the snapshot, the reader
 * hands them to the renderers with each event. */
START_TEST(names_travel_in_the_capture)
{
	for (int with = 0; with < 2; with++) {
		char path[] = "/tmp/kcap_names_XXXXXX";
		int fd = mkstemp(path);
		ck_assert_int_ge(fd, 0);
		close(fd);
		kcap_writer *w = NULL;
		ck_assert_int_eq(kcap_writer_open_path(&w, path, NULL, NULL), 0);
		kcap_meta *m = kcap_meta_new();
		kcap_meta_set(m, KCAP_META_HOSTNAME, "h");
		ck_assert_int_ge(kcap_writer_add_meta(w, m), 0);
		ck_assert_int_eq(kcap_writer_set_schema(w, g_s), 0);
		kcap_snapshot *sn = with ? names_snapshot() : kcap_snapshot_new();
		kcap_proc p = {77, 1, 1000, 100, 0, "tool", "/bin/tool", "/", "tool", 5};
		ck_assert_int_eq(kcap_snapshot_add(sn, &p), 0);
		ck_assert_int_eq(kcap_writer_add_snapshot(w, sn), 0);
		kcap_value v[4];
		uint32_t n;
		values_of(KCAP_EV_SETUID, v, &n);
		param(KCAP_EV_SETUID, v, "uid")->u = 0;
		param(KCAP_EV_SETUID, v, "ret")->i = -1;
		kcap_event ev = event_of(KCAP_EV_SETUID, v, n);
		ev.uid = 1000;
		ev.gid = 100;
		ck_assert_int_eq(kcap_writer_write(w, &ev), 0);
		ck_assert_int_eq(kcap_writer_close(w), 0);
		kcap_meta_free(m);
		kcap_snapshot_free(sn);

		kcap_reader *r = NULL;
		ck_assert_int_eq(kcap_reader_open_path(&r, path, NULL), 0);
		const kcap_event *got = NULL;
		ck_assert_int_eq(kcap_reader_next(r, &got), 1);
		kcap_buf b = {0};
		ck_assert_int_eq(kcap_render_text(&b, got, kcap_reader_schema(r)), 0);
		ck_assert_int_eq(kcap_render_json(&b, got, kcap_reader_schema(r)), 0);
		kcap_buf_append(&b, "", 1);
		const char *t = with ? " setuid uid=0(root) ret=-1 (EPERM)\n" : " setuid uid=0 ret=-1 (EPERM)\n";
		ck_assert_msg(strstr(b.data, t) != NULL, "%s", b.data);
		ck_assert_msg(!strstr(b.data, ",\"user\":") == !with, "%s", b.data);
		if (with)
			ck_assert_msg(strstr(b.data, "\"gid\":100,\"user\":\"alice\",\"group\":\"users\",") != NULL, "%s",
			              b.data);
		kcap_buf_free(&b);
		kcap_reader_close(r);
		unlink(path);
	}
}
END_TEST

START_TEST(csv_escapes_and_quotes)
{
	kcap_value v[8];
	uint32_t n;
	values_of(KCAP_EV_EXECVE, v, &n);
	param(KCAP_EV_EXECVE, v, "dirfd")->i = -100;
	kcap_value *path = param(KCAP_EV_EXECVE, v, "path");
	path->p = (const uint8_t *)"/bin/s\x1b[2Jh";
	path->len = (uint32_t)strlen((const char *)path->p);
	static const char argv[] = "sh\0-c\0echo \"a, b\"\nx\0it's";
	kcap_value *av = param(KCAP_EV_EXECVE, v, "argv");
	av->p = (const uint8_t *)argv;
	av->len = sizeof argv;
	param(KCAP_EV_EXECVE, v, "ret")->i = -2;
	kcap_event ev = event_of(KCAP_EV_EXECVE, v, n);
	ev.comm = "ev\nil,\"x\"";
	ev.comm_len = (uint16_t)strlen(ev.comm);
	char *c = rendered(csv_render, &ev);
	ck_assert_str_eq(c, "9,2026-11-21T10:00:00.000000000Z,77,77,0,0,0,\"ev\\nil,\"\"x\"\"\",execve,process,"
	                    "\"dirfd=AT_FDCWD path=/bin/s\\x1b[2Jh argv=sh -c 'echo \"\"a, b\"\"\\nx' 'it\\'s' "
	                    "argv_truncated=- flags=- ret=-2 (ENOENT)\"\r\n");
	free(c);
	/* a param named as a column holds its text value */
	const char *const fields[] = {"comm", "argv", "params.ret", "path", NULL};
	kcap_buf b = {0};
	ck_assert_int_eq(kcap_render_csv(&b, &ev, g_s, fields), 0);
	kcap_buf_append(&b, "", 1);
	ck_assert_str_eq(b.data, "\"ev\\nil,\"\"x\"\"\",\"sh -c 'echo \"\"a, b\"\"\\nx' 'it\\'s'\",-2 (ENOENT),"
	                         "/bin/s\\x1b[2Jh\r\n");
	kcap_buf_free(&b);
}
END_TEST

int main(void)
{
	Suite *su = suite_create("render_values");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, negative_ret_names_its_errno);
	tcase_add_test(tc, flags_of_zero_are_zero);
	tcase_add_test(tc, addresses_are_hex);
	tcase_add_test(tc, socket_addresses_by_family);
	tcase_add_test(tc, ids_have_the_recording_hosts_names);
	tcase_add_test(tc, names_travel_in_the_capture);
	tcase_add_test(tc, csv_escapes_and_quotes);
	suite_add_tcase(su, tc);
	return kcap_check_run(su);
}
