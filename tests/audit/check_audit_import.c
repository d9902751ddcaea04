/* check_audit_import.c - audit events into a capture: taxonomy mapping,
 * the "audit" JSON param, origins, loss stats, unparsed lines, the
 * callback sink of the live recorder (event times, window, no JSON), and the
 * `kcap convert --from audit` CLI (rotated sets, gzip, stdin, errors). */
#include <arpa/inet.h>
#include <check.h>
#include "check_run.h"
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <kcap/taxonomy.h>

#include "audit/audit_import.h"

static char tmpdir[256];

static void setup(void)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/kcap_audit_test.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void teardown(void)
{
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

static const char *LOG =
	/* execve, split argument, relative CWD resolution of the program */
	"type=SYSCALL msg=audit(1700000000.100:100): arch=c000003e syscall=59 success=yes exit=0 a0=55 a1=56 a2=57 a3=0 "
	"items=2 ppid=10 pid=4242 auid=1000 uid=1000 gid=1000 euid=1000 suid=1000 fsuid=1000 egid=1000 sgid=1000 "
	"fsgid=1000 tty=pts0 ses=3 comm=\"grep\" exe=\"/usr/bin/grep\" key=(null)\x1d" "ARCH=x86_64 SYSCALL=execve "
	"AUID=\"alice\" UID=\"alice\"\n"
	"type=EXECVE msg=audit(1700000000.100:100): argc=3 a0=\"grep\" a1=\"--color=auto\" a2_len=8 a2[0]=6C6F6E67\n"
	"type=EXECVE msg=audit(1700000000.100:100): a2[1]=20617267\n"
	"type=CWD msg=audit(1700000000.100:100): cwd=\"/home/alice\"\n"
	"type=PATH msg=audit(1700000000.100:100): item=0 name=\"bin/grep\" inode=1 dev=08:01 mode=0100755 ouid=0 "
	"ogid=0 rdev=00:00 nametype=NORMAL\n"
	"type=PROCTITLE msg=audit(1700000000.100:100): proctitle=67726570002D2D636F6C6F723D6175746F\n"
	/* openat creating a file, relative to the cwd */
	"type=SYSCALL msg=audit(1700000000.200:101): arch=c000003e syscall=257 success=yes exit=3 a0=ffffff9c "
	"a1=7ffc a2=241 a3=1a4 items=2 ppid=10 pid=4243 auid=1000 uid=1000 gid=1000 euid=1000 suid=1000 fsuid=1000 "
	"egid=1000 sgid=1000 fsgid=1000 tty=pts0 ses=3 comm=\"sh\" exe=\"/bin/sh\" key=\"files\"\n"
	"type=CWD msg=audit(1700000000.200:101): cwd=2F746D702F6120622063\n"
	"type=PATH msg=audit(1700000000.200:101): item=0 name=\"/tmp/a b c\" inode=2 nametype=PARENT\n"
	"type=PATH msg=audit(1700000000.200:101): item=1 name=662E747874 inode=3 nametype=CREATE\n"
	"type=PROCTITLE msg=audit(1700000000.200:101): proctitle=\"sh\"\n"
	/* connect with an IPv4 SOCKADDR; 2 serials missing before it */
	"type=SYSCALL msg=audit(1700000000.300:104): arch=c000003e syscall=42 success=no exit=-115 a0=6 a1=7ffe "
	"a2=10 a3=fe items=0 ppid=1 pid=1170 auid=4294967295 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 "
	"fsgid=0 tty=(none) ses=4294967295 comm=\"curl\" exe=\"/usr/bin/curl\" key=(null)\n"
	"type=SOCKADDR msg=audit(1700000000.300:104): saddr=02000050A9FEA9FE0000000000000000\n"
	/* aarch64 openat (56) and close (57) */
	"type=SYSCALL msg=audit(1700000000.400:105): arch=c00000b7 syscall=57 success=yes exit=0 a0=3 a1=0 a2=0 "
	"a3=0 items=0 ppid=1 pid=77 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) "
	"ses=1 comm=\"cat\" exe=\"/bin/cat\" key=(null)\n"
	"type=EOE msg=audit(1700000000.400:105):\n"
	/* i386 socketcall(SYS_CONNECT) with an IPv6 address */
	"type=SYSCALL msg=audit(1700000000.500:106): arch=40000003 syscall=102 success=yes exit=0 a0=3 a1=bfff "
	"a2=0 a3=0 items=0 ppid=1 pid=88 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) "
	"ses=1 comm=\"ssh\" exe=\"/usr/bin/ssh\" key=(null)\n"
	"type=SOCKADDR msg=audit(1700000000.500:106): saddr=0A000016000000000000000000000000000000000000000100000000\n"
	/* a syscall outside the taxonomy */
	"type=SYSCALL msg=audit(1700000000.600:107): arch=c000003e syscall=40 success=yes exit=12 a0=1 a1=2 a2=0 "
	"a3=c items=0 ppid=1 pid=99 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) "
	"ses=1 comm=\"cp\" exe=\"/bin/cp\" key=(null)\n"
	"type=PROCTITLE msg=audit(1700000000.600:107): proctitle=\"cp\"\n"
	/* i386 setuid32 is a setuid */
	"type=SYSCALL msg=audit(1700000000.650:108): arch=40000003 syscall=213 success=yes exit=0 a0=3e8 a1=0 "
	"a2=0 a3=0 items=0 ppid=1 pid=98 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) "
	"ses=1 comm=\"su\" exe=\"/bin/su\" key=(null)\n"
	"type=PROCTITLE msg=audit(1700000000.650:108): proctitle=\"su\"\n"
	/* garbage */
	"this is not an audit record\n"
	/* a user-space message from another node */
	"node=db 01 type=USER_LOGIN msg=audit(1700000000.700:5): pid=12635 uid=0 auid=4294967295 ses=4294967295 "
	"msg='op=login acct=28696E76616C6964207573657229 exe=\"/usr/sbin/sshd\" hostname=? addr=179.38.151.221 "
	"terminal=sshd res=failed'\x1dUID=\"root\" AUID=\"unset\"\n";

typedef struct imported {
	kcap_reader *r;
	const kcap_event *ev[32];
	json_t *audit[32];
	int n;
} imported;

/* Feeds text to imp line by line; malformed lines are expected. */
static void feed_lines(kcap_audit_import *imp, const char *text)
{
	const char *p = text;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) + 1 : strlen(p);
		kcap_error pe;
		int rc = kcap_audit_import_line(imp, p, n, &pe);
		ck_assert(rc == 0 || rc == KCAP_E_SYNTAX);
		p += n;
	}
}

static void import_text(imported *im, const char *text, uint64_t *malformed)
{
	char path[300];
	snprintf(path, sizeof path, "%s/out.kcap", tmpdir);
	kcap_writer *w;
	kcap_error err;
	ck_assert_int_eq(kcap_writer_open_path(&w, path, NULL, &err), 0);
	kcap_audit_import *imp;
	ck_assert_int_eq(kcap_audit_import_new(&imp, w), 0);
	feed_lines(imp, text);
	ck_assert_int_eq(kcap_audit_import_finish(imp), 0);
	*malformed = kcap_audit_import_get_stats(imp)->malformed;
	kcap_audit_import_free(imp);
	ck_assert_int_eq(kcap_writer_close(w), 0);

	memset(im, 0, sizeof *im);
	ck_assert_int_eq(kcap_reader_open_path(&im->r, path, &err), 0);
}

/* Reads the next event, returning its "audit" param parsed. The event
 * pointer is valid until the next call. */
static const kcap_event *next(imported *im, json_t **audit)
{
	const kcap_event *ev;
	int rc = kcap_reader_next(im->r, &ev);
	ck_assert_int_ge(rc, 0);
	if (rc == 0)
		return NULL;
	const kcap_value *a = kcap_event_param(ev, "audit");
	ck_assert_ptr_nonnull(a);
	ck_assert(a->present);
	ck_assert_int_eq(a->type, KCAP_T_JSON);
	json_error_t je;
	*audit = json_loadb((const char *)a->p, a->len, 0, &je);
	ck_assert_msg(*audit != NULL, "audit param is not JSON: %s", je.text);
	return ev;
}

static const char *type_name(const kcap_event *ev)
{
	ck_assert_ptr_nonnull(ev->def);
	return ev->def->name;
}

static int strparam_eq(const kcap_event *ev, const char *name, const char *want)
{
	const kcap_value *v = kcap_event_param(ev, name);
	return v && v->present && v->len == strlen(want) && memcmp(v->p, want, v->len) == 0;
}

static const char *rec_field(json_t *audit, size_t rec, const char *key)
{
	json_t *r = json_array_get(json_object_get(audit, "records"), rec);
	return json_string_value(json_object_get(json_object_get(r, "fields"), key));
}

START_TEST(mapping)
{
	imported im;
	uint64_t malformed;
	import_text(&im, LOG, &malformed);
	ck_assert_uint_eq(malformed, 1);
	json_t *a;
	const kcap_event *ev;

	/* execve */
	ev = next(&im, &a);
	ck_assert_str_eq(type_name(ev), "execve");
	ck_assert_uint_eq(ev->type_id, KCAP_EV_EXECVE);
	ck_assert_int_eq(ev->ts, 1700000000100000000ll);
	ck_assert_int_eq(ev->pid, 4242);
	ck_assert_int_eq(ev->ppid, 10);
	ck_assert_uint_eq(ev->uid, 1000);
	ck_assert_int_eq(ev->comm_len, 4);
	ck_assert_int_eq(memcmp(ev->comm, "grep", 4), 0);
	ck_assert(strparam_eq(ev, "path", "/home/alice/bin/grep"));
	const kcap_value *argv = kcap_event_param(ev, "argv");
	ck_assert_uint_eq(argv->count, 3);
	ck_assert_uint_eq(argv->len, sizeof("grep\0--color=auto\0long arg"));
	ck_assert_int_eq(memcmp(argv->p, "grep\0--color=auto\0long arg", argv->len), 0);
	ck_assert_uint_eq(kcap_event_param(ev, "argv_truncated")->u, 0);
	ck_assert_int_eq(kcap_event_param(ev, "ret")->i, 0);
	ck_assert_uint_eq(json_integer_value(json_object_get(a, "serial")), 100);
	ck_assert_str_eq(json_string_value(json_object_get(a, "node")), "");
	ck_assert_uint_eq(json_array_size(json_object_get(a, "records")), 6);
	ck_assert_str_eq(rec_field(a, 0, "auid"), "1000");    /* numbers kept */
	ck_assert_str_eq(rec_field(a, 0, "AUID"), "alice");   /* ENRICHED kept */
	ck_assert_str_eq(rec_field(a, 2, "a2[1]"), " arg");   /* chunk in a second EXECVE */
	ck_assert_str_eq(rec_field(a, 5, "proctitle"), "grep --color=auto");
	json_decref(a);

	/* openat: CREATE path resolved against the hex-encoded cwd */
	ev = next(&im, &a);
	ck_assert_str_eq(type_name(ev), "openat");
	ck_assert(strparam_eq(ev, "path", "/tmp/a b c/f.txt"));
	ck_assert_int_eq(kcap_event_param(ev, "dirfd")->i, -100);
	ck_assert_uint_eq(kcap_event_param(ev, "flags")->u, 0x241);
	ck_assert_uint_eq(kcap_event_param(ev, "mode")->u, 0644);
	ck_assert_int_eq(kcap_event_param(ev, "ret")->i, 3);
	ck_assert_str_eq(rec_field(a, 1, "cwd"), "/tmp/a b c");
	json_decref(a);

	/* the unparsed line: written when met, so before the events that were
	 * still open then, with the time of the last event written */
	ev = next(&im, &a);
	ck_assert_str_eq(type_name(ev), "audit_unparsed");
	ck_assert_int_eq(ev->ts, 1700000000200000000ll);
	ck_assert_str_eq(json_string_value(json_object_get(a, "raw")), "this is not an audit record");
	json_decref(a);

	/* user-space login from node "db 01": standalone, so written at once
	 * while node-less events are still open */
	ev = next(&im, &a);
	ck_assert_str_eq(type_name(ev), "audit_user_login");
	ck_assert_int_eq(ev->pid, 12635);
	ck_assert_str_eq(json_string_value(json_object_get(a, "node")), "db 01");
	ck_assert_str_eq(rec_field(a, 0, "acct"), "(invalid user)");
	ck_assert_str_eq(rec_field(a, 0, "UID"), "root");
	ck_assert_ptr_nonnull(ev->meta);
	ck_assert_str_eq(kcap_meta_get(ev->meta, KCAP_META_HOSTNAME), "db 01");
	ck_assert_str_eq(kcap_meta_get(ev->meta, KCAP_META_SOURCE), "audit");
	json_decref(a);

	/* connect */
	ev = next(&im, &a);
	ck_assert_str_eq(type_name(ev), "connect");
	const kcap_value *sa = kcap_event_param(ev, "addr");
	ck_assert(sa->present);
	ck_assert_int_eq(sa->af, KCAP_AF_INET);
	ck_assert_uint_eq(sa->port, 80);
	ck_assert_int_eq(memcmp(sa->addr, "\xa9\xfe\xa9\xfe", 4), 0);
	ck_assert_int_eq(kcap_event_param(ev, "fd")->i, 6);
	ck_assert_int_eq(kcap_event_param(ev, "ret")->i, -115);
	ck_assert_str_eq(rec_field(a, 0, "auid"), "4294967295");
	json_decref(a);

	/* aarch64 close */
	ev = next(&im, &a);
	ck_assert_str_eq(type_name(ev), "close");
	ck_assert_int_eq(kcap_event_param(ev, "fd")->i, 3);
	ck_assert_uint_eq(json_array_size(json_object_get(a, "records")), 1); /* EOE not kept */
	json_decref(a);

	/* i386 socketcall connect to [::1]:22 */
	ev = next(&im, &a);
	ck_assert_str_eq(type_name(ev), "connect");
	sa = kcap_event_param(ev, "addr");
	ck_assert_int_eq(sa->af, KCAP_AF_INET6);
	ck_assert_uint_eq(sa->port, 22);
	ck_assert_int_eq(sa->addr[15], 1);
	ck_assert(!kcap_event_param(ev, "fd")->present); /* behind a pointer */
	json_decref(a);

	/* sendfile: not in the taxonomy */
	ev = next(&im, &a);
	ck_assert_str_eq(type_name(ev), "audit_syscall");
	ck_assert_str_eq(ev->def->category, "audit");
	ck_assert(strparam_eq(ev, "syscall", "sendfile"));
	ck_assert_int_eq(kcap_event_param(ev, "ret")->i, 12);
	json_decref(a);

	ev = next(&im, &a);
	ck_assert_str_eq(type_name(ev), "setuid");
	ck_assert_uint_eq(kcap_event_param(ev, "uid")->u, 1000);
	json_decref(a);

	ck_assert_ptr_null(next(&im, &a));

	/* loss: serials 102 and 103 are missing on the node-less origin */
	int found = 0;
	for (size_t i = 0; i < kcap_reader_stat_count(im.r); i++) {
		const kcap_stat *s = kcap_reader_stat_at(im.r, i);
		if (strcmp(s->source, "audit-serial-gap") != 0)
			continue;
		const kcap_meta *m = kcap_reader_meta(im.r, s->origin);
		if (kcap_meta_get(m, KCAP_META_HOSTNAME) == NULL) {
			ck_assert_uint_eq(s->lost, 2);
			ck_assert_uint_eq(s->seen, 7);
			found++;
		} else {
			ck_assert_uint_eq(s->lost, 0);
			found++;
		}
	}
	ck_assert_int_eq(found, 2);
	/* the taxonomy types carry "audit" after their standard params */
	const kcap_type_def *t = kcap_schema_type_by_name(kcap_reader_schema(im.r), "openat");
	ck_assert_uint_eq(t->id, KCAP_EV_OPENAT);
	ck_assert_uint_eq(t->nparams, KCAP_P_OPEN_N_ + 1);
	ck_assert_str_eq(t->params[KCAP_P_OPEN_N_].name, "audit");
	ck_assert_uint_eq(t->params[KCAP_P_OPEN_N_].flags, KCAP_PF_TOPLEVEL);
	kcap_reader_close(im.r);
}
END_TEST

/* ---- CLI ----------------------------------------------------------------- */

/* ---- the callback sink (what the live recorder uses) ---- */

typedef struct seen_events {
	int n, with_audit, origin_nonzero;
	uint32_t types[32];
	int64_t ts[32];
} seen_events;

static int sink_event(void *ud, const kcap_event *ev)
{
	seen_events *se = ud;
	const kcap_value *a = &ev->params[ev->nparams - 1];
	ck_assert_int_eq(a->type, KCAP_T_JSON);
	se->with_audit += a->present;
	se->origin_nonzero += ev->origin != 0;
	if (se->n < 32) {
		se->types[se->n] = ev->type_id;
		se->ts[se->n] = ev->ts;
	}
	se->n++;
	return 0;
}

/* serial 101 happened a second later than its records say */
static void sink_time(void *ud, uint32_t serial, int64_t *sec, uint32_t *msec)
{
	(void)ud;
	if (serial == 101) {
		*sec += 1;
		*msec = 5;
	}
}

static int sink_refuses(void *ud, const kcap_event *ev)
{
	(void)ud;
	(void)ev;
	return KCAP_E_NOSPACE;
}

/* setns and unshare: the taxonomy's types through the shared syscall map */
static const char *NS_LOG =
	"type=SYSCALL msg=audit(1700000001.100:200): arch=c000003e syscall=308 success=yes exit=0 a0=3 a1=20000000 "
	"a2=0 a3=0 items=0 ppid=1 pid=777 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 "
	"tty=(none) ses=1 comm=\"nsenter\" exe=\"/usr/bin/nsenter\" key=(null)\n"
	"type=SYSCALL msg=audit(1700000001.200:201): arch=c000003e syscall=272 success=no exit=-1 a0=40020000 "
	"a1=0 a2=0 a3=0 items=0 ppid=1 pid=778 auid=0 uid=1000 gid=1000 euid=1000 suid=1000 fsuid=1000 egid=1000 "
	"sgid=1000 fsgid=1000 tty=(none) ses=1 comm=\"unshare\" exe=\"/usr/bin/unshare\" key=(null)\n";

START_TEST(namespaces)
{
	imported im;
	uint64_t malformed;
	import_text(&im, NS_LOG, &malformed);
	ck_assert_uint_eq(malformed, 0);
	json_t *a;
	const kcap_event *ev = next(&im, &a);
	ck_assert_str_eq(type_name(ev), "setns");
	ck_assert_uint_eq(ev->type_id, KCAP_EV_SETNS);
	ck_assert_int_eq(kcap_event_param(ev, "fd")->i, 3);
	ck_assert_uint_eq(kcap_event_param(ev, "nstype")->u, 0x20000000); /* CLONE_NEWPID, as given */
	ck_assert_int_eq(kcap_event_param(ev, "ret")->i, 0);
	json_decref(a);
	ev = next(&im, &a);
	ck_assert_str_eq(type_name(ev), "unshare");
	ck_assert_uint_eq(ev->type_id, KCAP_EV_UNSHARE);
	ck_assert_uint_eq(kcap_event_param(ev, "flags")->u, 0x40020000); /* CLONE_NEWNET|CLONE_NEWNS */
	ck_assert_int_eq(kcap_event_param(ev, "ret")->i, -1);
	json_decref(a);
	ck_assert_ptr_null(next(&im, &a));
	kcap_reader_close(im.r);
}
END_TEST

START_TEST(sink_callbacks)
{
	static const kcap_audit_sink sink = { .event = sink_event, .event_time = sink_time };
	const kcap_audit_import_opts opts = { .reasm = { .window_ns = 1000000000LL }, .no_json = 1 };
	seen_events se = {0};
	kcap_audit_import *imp;
	ck_assert_int_eq(kcap_audit_import_new_sink(&imp, &(kcap_audit_sink){0}, &se, NULL), KCAP_E_INVAL);
	ck_assert_int_eq(kcap_audit_import_new_sink(&imp, &sink, &se, &opts), 0);
	feed_lines(imp, LOG);
	/* the connect (serial 104) has no EOE or PROCTITLE: the time window
	 * completes it, from the newest record time on */
	int before = se.n;
	ck_assert_int_eq(kcap_audit_import_tick(imp, 1700000010LL * 1000000000LL), 0);
	ck_assert_int_gt(se.n, before);
	kcap_audit_reasm_stats rs;
	kcap_audit_import_reasm_stats(imp, &rs);
	ck_assert_uint_eq(rs.lost, 2); /* serials 102 and 103 */
	ck_assert_int_eq(kcap_audit_import_finish(imp), 0);
	const kcap_audit_import_stats *st = kcap_audit_import_get_stats(imp);
	ck_assert_uint_eq(st->events, (uint64_t)se.n);
	ck_assert_uint_eq(st->malformed, 1);
	kcap_audit_import_free(imp);
	/* no JSON asked for, no origins callback: all origin 0 */
	ck_assert_int_eq(se.with_audit, 0);
	ck_assert_int_eq(se.origin_nonzero, 0);
	ck_assert_int_ge(se.n, 9);
	ck_assert_uint_eq(se.types[0], KCAP_EV_EXECVE);
	ck_assert_int_eq(se.ts[0], 1700000000100LL * 1000000);
	ck_assert_uint_eq(se.types[1], KCAP_EV_OPENAT);
	ck_assert_int_eq(se.ts[1], 1700000001005LL * 1000000);

	/* a sink's error stops the import and comes back from the feeding call */
	static const kcap_audit_sink refusing = { .event = sink_refuses };
	ck_assert_int_eq(kcap_audit_import_new_sink(&imp, &refusing, NULL, NULL), 0);
	kcap_error pe;
	ck_assert_int_eq(kcap_audit_import_line(imp, "this is not an audit record\n", 28, &pe), KCAP_E_NOSPACE);
	kcap_audit_import_free(imp);
}
END_TEST

static void write_file(const char *name, const char *text)
{
	char path[400];
	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int run(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	int st = system(cmd);
	ck_assert(WIFEXITED(st));
	return WEXITSTATUS(st);
}

static char *slurp(const char *name)
{
	char path[400];
	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	FILE *f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	static char buf[65536];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = 0;
	fclose(f);
	return buf;
}

/* One SYSCALL close() event per serial. */
static void make_log(const char *name, int from, int to)
{
	char text[16384] = "";
	for (int s = from; s <= to; s++) {
		char line[512];
		snprintf(line, sizeof line,
			 "type=SYSCALL msg=audit(1700000100.%03d:%d): arch=c000003e syscall=3 success=yes exit=0 a0=%x "
			 "a1=0 a2=0 a3=0 items=0 ppid=1 pid=%d auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 "
			 "fsgid=0 tty=(none) ses=1 comm=\"t\" exe=\"/t\" key=(null)\ntype=PROCTITLE "
			 "msg=audit(1700000100.%03d:%d): proctitle=\"t\"\n",
			 s, s, s, 500 + s, s, s);
		strcat(text, line);
	}
	write_file(name, text);
}

START_TEST(cli_rotated_set)
{
	make_log("audit.log.2", 1, 5);
	make_log("audit.log.1", 6, 10);
	make_log("audit.log", 11, 15);
	ck_assert_int_eq(run("gzip '%s/audit.log.2'", tmpdir), 0);
	/* named newest first: read oldest first, so no loss and ordered */
	ck_assert_int_eq(run("cd '%s' && " KCAP_BIN " convert --from audit audit.log audit.log.1 audit.log.2.gz "
			     "-o rot.kcap 2>err.txt", tmpdir), 0);
	ck_assert_str_eq(slurp("err.txt"), "");
	ck_assert_int_eq(run("cd '%s' && " KCAP_BIN " convert rot.kcap -o - --json > rot.json 2>err.txt", tmpdir),
			 0);
	char *js = slurp("rot.json");
	int n = 0, last_fd = 0;
	for (char *line = strtok(js, "\n"); line; line = strtok(NULL, "\n")) {
		json_t *j = json_loads(line, 0, NULL);
		ck_assert_ptr_nonnull(j);
		ck_assert_str_eq(json_string_value(json_object_get(j, "type")), "close");
		int fd = (int)json_integer_value(json_object_get(json_object_get(j, "params"), "fd"));
		ck_assert_int_eq(fd, last_fd + 1);
		last_fd = fd;
		/* the audit param is a top-level JSON object */
		ck_assert(json_is_object(json_object_get(j, "audit")));
		json_decref(j);
		n++;
	}
	ck_assert_int_eq(n, 15);
	ck_assert_int_eq(run("cd '%s' && " KCAP_BIN " info rot.kcap > info.txt 2>&1", tmpdir), 0);
}
END_TEST

START_TEST(cli_stdin_and_bad_lines)
{
	write_file("bad.log", "type=SYSCALL msg=audit(1.000:1): syscall=3 arch=c000003e exit=0 a0=1\n"
			      "type=SYSCALL msg=audit(oops\n"
			      "\n"
			      "type=PROCTITLE msg=audit(1.000:1): proctitle=\"x\"\n");
	ck_assert_int_eq(run("cd '%s' && " KCAP_BIN " convert --from audit - -o bad.kcap < bad.log 2>err.txt",
			     tmpdir), 3);
	char *err = slurp("err.txt");
	ck_assert_msg(strstr(err, "<stdin>:2:") != NULL, "stderr: %s", err);
	ck_assert_int_eq(run("cd '%s' && " KCAP_BIN " convert --from audit bad.log -o bad.kcap 2>err.txt", tmpdir),
			 3);
	err = slurp("err.txt");
	ck_assert_msg(strstr(err, "bad.log:2:") != NULL, "stderr: %s", err);
	/* an empty log is no error */
	write_file("empty.log", "");
	ck_assert_int_eq(run("cd '%s' && " KCAP_BIN " convert --from audit empty.log -o e.kcap 2>err.txt", tmpdir), 0);
	ck_assert_str_eq(slurp("err.txt"), "");
	/* a missing input is an error, named */
	ck_assert_int_eq(run("cd '%s' && " KCAP_BIN " convert --from audit nosuch.log -o x.kcap 2>err.txt", tmpdir),
			 1);
	ck_assert(strstr(slurp("err.txt"), "nosuch.log") != NULL);
}
END_TEST

/* Issue 10 item 8: the process of an audit event, its fields in text and in
 * the filter, and an absent cpu. */
static const char USER_LOG[] =
	"type=SYSCALL msg=audit(1700000000.100:1): arch=c000003e syscall=23 success=yes exit=1 a0=c a1=0 a2=0 a3=0 "
	"items=0 ppid=1 pid=1281 auid=700 uid=1000 gid=1000 euid=1000 suid=1000 fsuid=1000 egid=1000 sgid=1000 "
	"fsgid=1000 tty=(none) ses=1 comm=\"sshd\" exe=\"/usr/sbin/sshd\" key=(null)\n"
	"type=CWD msg=audit(1700000000.100:1): cwd=\"/srv\"\n"
	"type=USER_CMD msg=audit(1700000000.200:2): pid=1382 uid=1000 auid=700 ses=3 "
	"msg='cwd=\"/home/u\" cmd=2E2F6D62202D63 terminal=pts/0 res=success'\n";

START_TEST(cli_process_fields_cpu)
{
	write_file("u.log", USER_LOG);
	ck_assert_int_eq(run("cd '%s' && " KCAP_BIN " convert --from audit u.log -o u.kcap 2>err.txt", tmpdir), 0);
	/* the tracker takes exe and cwd from the records */
	ck_assert_int_eq(run("cd '%s' && " KCAP_BIN " filter --count 'proc.exe = /usr/sbin/sshd and proc.cwd = /srv' "
			     "u.kcap > c.txt", tmpdir), 0);
	ck_assert_str_eq(slurp("c.txt"), "1\n");
	ck_assert_int_eq(run("cd '%s' && " KCAP_BIN " filter --count 'proc.cwd = /home/u' u.kcap > c.txt", tmpdir), 0);
	ck_assert_str_eq(slurp("c.txt"), "1\n");
	/* audit.KEY: a field of the records, numbers compared as numbers */
	ck_assert_int_eq(run("cd '%s' && " KCAP_BIN " filter --count 'audit.auid = 700' u.kcap > c.txt", tmpdir), 0);
	ck_assert_str_eq(slurp("c.txt"), "2\n");
	ck_assert_int_eq(run("cd '%s' && " KCAP_BIN " filter --count 'audit.auid > 699 and audit.res = success' "
			     "u.kcap > c.txt", tmpdir), 0);
	ck_assert_str_eq(slurp("c.txt"), "1\n");
	ck_assert_int_eq(run("cd '%s' && " KCAP_BIN " filter --count 'audit.cmd contains mb' u.kcap > c.txt", tmpdir), 0);
	ck_assert_str_eq(slurp("c.txt"), "1\n");
	ck_assert_int_eq(run("cd '%s' && " KCAP_BIN " convert --csv --fields seq,cpu,audit.auid,audit.cmd u.kcap "
			     "> c.csv", tmpdir), 0);
	ck_assert_str_eq(slurp("c.csv"), "seq,cpu,audit.auid,audit.cmd\r\n1,,700,\r\n2,,700,./mb -c\r\n");
	/* the cpu is not known: not there for the filter */
	ck_assert_int_eq(run("cd '%s' && " KCAP_BIN " filter --count 'cpu exists or cpu = 4294967295' u.kcap > c.txt",
			     tmpdir), 0);
	ck_assert_str_eq(slurp("c.txt"), "0\n");
	/* a user message shows its fields in text */
	ck_assert_int_eq(run("cd '%s' && " KCAP_BIN " convert --text u.kcap > t.txt", tmpdir), 0);
	char *t = slurp("t.txt");
	ck_assert_msg(strstr(t, " (1382) audit_user_cmd auid=700 ses=3 cwd=/home/u cmd='./mb -c' terminal=pts/0 "
				"res=success\n") != NULL, "text: %s", t);
	/* JSON: an absent cpu is null, and reads back as absent */
	ck_assert_int_eq(run("cd '%s' && " KCAP_BIN " convert --json u.kcap > u.json", tmpdir), 0);
	char *js = slurp("u.json");
	ck_assert_msg(strstr(js, "\"cpu\":null,") != NULL && strstr(js, "4294967295,\"uid\"") == NULL, "%s", js);
	ck_assert_int_eq(run("cd '%s' && " KCAP_BIN " convert --from json u.json -o back.kcap && " KCAP_BIN
			     " convert --json back.kcap | cmp - u.json", tmpdir), 0);
}
END_TEST

/* Issue 10 item 8: the import sorts within its window of 65536 events, whatever
 * the jump back in time, and says so. */
START_TEST(cli_reorder_window)
{
	write_file("o.log", "type=USER_CMD msg=audit(1700000001.500:1): pid=1 uid=0 msg='cmd=61 res=success'\n"
			    "type=USER_CMD msg=audit(1700000000.500:2): pid=2 uid=0 msg='cmd=62 res=success'\n");
	ck_assert_int_eq(run("cd '%s' && " KCAP_BIN " convert --from audit o.log -o o.kcap 2>err.txt", tmpdir), 0);
	ck_assert_str_eq(slurp("err.txt"), "kcap convert: audit: 1 event(s) came after newer ones, put in time order\n");
	ck_assert_int_eq(run("cd '%s' && " KCAP_BIN " convert --csv --fields seq,pid o.kcap > o.csv", tmpdir), 0);
	ck_assert_str_eq(slurp("o.csv"), "seq,pid\r\n1,2\r\n2,1\r\n");
	ck_assert_int_eq(run("cd '%s' && " KCAP_BIN " info o.kcap | grep -q 'Ordered: *yes'", tmpdir), 0);
	/* a year back (logs joined out of order): still put in time order */
	write_file("f.log", "type=USER_CMD msg=audit(1700000010.500:1): pid=1 uid=0 msg='cmd=61 res=success'\n"
			    "type=USER_CMD msg=audit(1731536020.500:2): pid=3 uid=0 msg='cmd=63 res=success'\n"
			    "type=USER_CMD msg=audit(1700000000.500:3): pid=2 uid=0 msg='cmd=62 res=success'\n");
	ck_assert_int_eq(run("cd '%s' && " KCAP_BIN " convert --from audit f.log -o f.kcap 2>err.txt", tmpdir), 0);
	ck_assert_str_eq(slurp("err.txt"), "kcap convert: audit: 1 event(s) came after newer ones, put in time order\n");
	ck_assert_int_eq(run("cd '%s' && " KCAP_BIN " convert --csv --fields seq,pid f.kcap > f.csv", tmpdir), 0);
	ck_assert_str_eq(slurp("f.csv"), "seq,pid\r\n1,2\r\n2,1\r\n3,3\r\n");
	ck_assert_int_eq(run("cd '%s' && " KCAP_BIN " info f.kcap | grep -q 'Ordered: *yes'", tmpdir), 0);
	/* the window's edge: an event after 65536 newer ones is still in order,
	 * one after 65537 newer ones is written as logged, and counted */
	for (int newer = 65536; newer <= 65537; newer++) {
		ck_assert_int_eq(run("cd '%s' && awk 'BEGIN { for (i = 1; i <= %d; i++) "
				     "printf \"type=USER_CMD msg=audit(%%d.000:%%d): pid=7 uid=0 msg=\\047cmd=61 res=success\\047\\n\", "
				     "1700001000 + i, i; print \"type=USER_CMD msg=audit(1700000000.500:99999999): pid=8 uid=0 "
				     "msg=\\047cmd=62 res=success\\047\" }' > e.log && " KCAP_BIN
				     " convert --from audit e.log -o e.kcap 2>err.txt && " KCAP_BIN
				     " filter --csv --fields seq 'pid = 8' e.kcap > e.csv && " KCAP_BIN " info e.kcap > info.txt",
				     tmpdir, newer), 0);
		char want[128];
		snprintf(want, sizeof want, "seq\r\n%d\r\n", newer == 65536 ? 1 : 2); /* past the edge: after the first */
		ck_assert_str_eq(slurp("e.csv"), want);
		ck_assert_msg(strstr(slurp("info.txt"), newer == 65536 ? "Ordered:           yes" : "Ordered:           no") != NULL,
			      "%d newer: %s", newer, slurp("info.txt"));
		ck_assert_str_eq(slurp("err.txt"), newer == 65536
			? "kcap convert: audit: 1 event(s) came after newer ones, put in time order\n"
			: "kcap convert: audit: 1 event(s) came after newer ones; 1 of them came later than the reorder window "
			  "(the last 65536 events or 32 MiB of them) and were written as logged (the capture is not in time "
			  "order)\n");
	}
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("audit_import");
	TCase *tc = tcase_create("import");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, mapping);
	tcase_add_test(tc, namespaces);
	tcase_add_test(tc, sink_callbacks);
	tcase_add_test(tc, cli_rotated_set);
	tcase_add_test(tc, cli_stdin_and_bad_lines);
	tcase_add_test(tc, cli_process_fields_cpu);
	tcase_add_test(tc, cli_reorder_window);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return kcap_check_run(suite());
}
