/* check_audit_record.c - the audit line parser, JSON form and reassembler on
 * hand-written lines covering each piece of the record syntax. */
#include <check.h>
#include "check_run.h"
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit_json.h"
#include "audit/audit_reassemble.h"
#include "audit/audit_record.h"
#include "audit/audit_tables.h"

static kcap_audit_record *parse_ok(const char *line)
{
	kcap_audit_record *r = NULL;
	kcap_error e;
	int rc = kcap_audit_record_parse(line, strlen(line), &r, &e);
	ck_assert_msg(rc == 0, "parse failed (%d) at column %d: %s", rc, e.column, e.msg);
	return r;
}

/* Value of key as a NUL-terminated copy (static buffer). */
static const char *val(const kcap_audit_record *r, const char *key)
{
	static char buf[4096];
	const kcap_audit_field *f = kcap_audit_record_field(r, key);
	if (!f)
		return NULL;
	ck_assert_uint_lt(f->val_len, sizeof buf);
	memcpy(buf, f->val, f->val_len);
	buf[f->val_len] = 0;
	return buf;
}

START_TEST(header_and_plain_fields)
{
	kcap_audit_record *r = parse_ok("type=SYSCALL msg=audit(1490995752.404:20614537): arch=c000003e syscall=44 "
					"success=yes exit=464 comm=\"charon\" key=(null)\n");
	ck_assert_ptr_null(r->node);
	ck_assert_uint_eq(r->type_len, 7);
	ck_assert(kcap_audit_record_is(r, "SYSCALL"));
	ck_assert_uint_eq(r->type_num, 1300);
	ck_assert_int_eq(r->sec, 1490995752);
	ck_assert_uint_eq(r->msec, 404);
	ck_assert_uint_eq(r->serial, 20614537);
	ck_assert_int_eq(kcap_audit_record_ts(r), 1490995752404000000ll);
	ck_assert_uint_eq(r->nfields, 6);
	ck_assert_str_eq(val(r, "arch"), "c000003e");
	ck_assert_str_eq(val(r, "comm"), "charon");
	ck_assert(kcap_audit_record_field(r, "comm")->flags & KCAP_AUDIT_F_QUOTED);
	ck_assert_str_eq(val(r, "key"), "(null)");

	kcap_audit_record_free(r);
}
END_TEST

START_TEST(node_with_spaces_and_unknown_type)
{
	kcap_audit_record *r = parse_ok("node=web 01 type=host type=UNKNOWN[1329] msg=audit(1.5:7): a=b");
	ck_assert_uint_eq(r->node_len, 16);
	ck_assert_int_eq(memcmp(r->node, "web 01 type=host", 16), 0);
	ck_assert(kcap_audit_record_is(r, "UNKNOWN[1329]"));
	kcap_audit_record_free(r);
	r = parse_ok("node=web 01 type=UNKNOWN[1329] msg=audit(1.5:7): a=b");
	ck_assert_uint_eq(r->node_len, 6);
	ck_assert_int_eq(memcmp(r->node, "web 01", 6), 0);
	ck_assert_uint_eq(r->type_num, 1329);
	ck_assert_uint_eq(r->msec, 500); /* one digit scaled to milliseconds */
	ck_assert_str_eq(val(r, "a"), "b");
	kcap_audit_record_free(r);
}
END_TEST

START_TEST(hex_values)
{
	/* proctitle with NUL separators, path with spaces and UTF-8, acct */
	kcap_audit_record *r = parse_ok("type=PROCTITLE msg=audit(1.000:1): proctitle=6C73002D6C002F746D70");
	const kcap_audit_field *f = kcap_audit_record_field(r, "proctitle");
	ck_assert(f->flags & KCAP_AUDIT_F_HEX);
	ck_assert_uint_eq(f->val_len, 10);
	ck_assert_int_eq(memcmp(f->val, "ls\0-l\0/tmp", 10), 0);
	kcap_audit_record_free(r);
	r = parse_ok("type=PATH msg=audit(1.000:1): item=0 name=2F746D702F6120C3A9 inode=12 mode=0100644");
	ck_assert_str_eq(val(r, "name"), "/tmp/a \xc3\xa9");
	ck_assert_str_eq(val(r, "mode"), "0100644"); /* not an encoded key */
	kcap_audit_record_free(r);
	r = parse_ok("type=USER_LOGIN msg=audit(1.000:1): pid=1 msg='op=login acct=28696E76616C6964207573657229 res=failed'");
	ck_assert_str_eq(val(r, "acct"), "(invalid user)");
	ck_assert(kcap_audit_record_field(r, "acct")->flags & KCAP_AUDIT_F_MSG);
	kcap_audit_record_free(r);
	/* SYSCALL aN are numbers, not hex strings */
	r = parse_ok("type=SYSCALL msg=audit(1.000:1): a2=10 a3=FE");
	ck_assert_str_eq(val(r, "a2"), "10");
	ck_assert_str_eq(val(r, "a3"), "FE");
	kcap_audit_record_free(r);
}
END_TEST

START_TEST(keys_joined_with_0x01)
{
	kcap_audit_record *r = parse_ok("type=SYSCALL msg=audit(1.000:1): key=65786563013634626974");
	ck_assert_str_eq(val(r, "key"), "exec\x01" "64bit");
	kcap_buf b = {0};
	kcap_audit_record *recs[1] = {r};
	kcap_audit_event ev = {.serial = 1, .sec = 1, .nrecords = 1, .records = recs};
	ck_assert_int_eq(kcap_audit_event_json(&b, &ev), 0);
	ck_assert_int_eq(strncmp(b.data, "{\"serial\": 1, \"node\": \"\", \"records\": [{\"type\": \"SYSCALL\", \"fields\": "
				  "{\"key\": \"exec\\u000164bit\"}}]}", b.len), 0);
	free(b.data);
	kcap_audit_record_free(r);
}
END_TEST

START_TEST(split_execve)
{
	kcap_audit_record *r = parse_ok("type=EXECVE msg=audit(1.000:9): argc=2 a0=\"cat\" a1_len=6 a1[0]=616263 a1[1]=646566");
	ck_assert_str_eq(val(r, "a0"), "cat");
	ck_assert_str_eq(val(r, "a1_len"), "6");
	ck_assert_str_eq(val(r, "a1[0]"), "abc");
	ck_assert_str_eq(val(r, "a1[1]"), "def");
	kcap_audit_record_free(r);
}
END_TEST

START_TEST(enriched)
{
	kcap_audit_record *r = parse_ok("type=SYSCALL msg=audit(1.000:2): arch=c000003e syscall=257 auid=1000 uid=0 "
					"key=(null)\x1d" "ARCH=x86_64 SYSCALL=openat AUID=\"alice\" UID=\"root\"");
	ck_assert_str_eq(val(r, "auid"), "1000");
	ck_assert_str_eq(val(r, "AUID"), "alice");
	ck_assert(kcap_audit_record_field(r, "AUID")->flags & KCAP_AUDIT_F_ENRICHED);
	ck_assert_str_eq(val(r, "SYSCALL"), "openat");
	ck_assert_str_eq(val(r, "key"), "(null)");
	kcap_audit_record_free(r);
}
END_TEST

START_TEST(user_msg_payload)
{
	kcap_audit_record *r = parse_ok(
		"type=USER_START msg=audit(1170021601.344:297): user pid=13015 uid=0 auid=0 msg='PAM: session open acct=root : "
		"exe=\"/usr/sbin/crond\" (hostname=?, addr=?, terminal=cron res=success)'");
	ck_assert_str_eq(val(r, "acct"), "root");
	ck_assert_str_eq(val(r, "exe"), "/usr/sbin/crond");
	ck_assert_str_eq(val(r, "hostname"), "?");
	ck_assert_str_eq(val(r, "addr"), "?");
	ck_assert_str_eq(val(r, "terminal"), "cron");
	ck_assert_str_eq(val(r, "res"), "success");
	/* bare words are kept, not dropped */
	const kcap_audit_field *t = NULL;
	for (uint32_t i = 0; i < r->nfields; i++)
		if (r->fields[i].flags & KCAP_AUDIT_F_TEXT)
			t = &r->fields[i];
	ck_assert_ptr_nonnull(t);
	ck_assert_int_eq(strncmp(t->val, "user PAM: session open :", t->val_len), 0);
	kcap_audit_record_free(r);
}
END_TEST

START_TEST(repeated_keys_in_json)
{
	kcap_audit_record *r = parse_ok("type=LOGIN msg=audit(1.000:3): login pid=1 uid=0 old auid=4294967295 new auid=0");
	kcap_buf b = {0};
	kcap_audit_record *recs[1] = {r};
	kcap_audit_event ev = {.serial = 3, .node = "h", .node_len = 1, .nrecords = 1, .records = recs};
	ck_assert_int_eq(kcap_audit_event_json(&b, &ev), 0);
	json_t *j = json_loadb(b.data, b.len, 0, NULL);
	ck_assert_ptr_nonnull(j);
	json_t *f = json_object_get(json_array_get(json_object_get(j, "records"), 0), "fields");
	ck_assert_str_eq(json_string_value(json_object_get(f, "auid")), "4294967295");
	ck_assert_str_eq(json_string_value(json_object_get(f, "auid_2")), "0");
	ck_assert_str_eq(json_string_value(json_object_get(f, "text")), "login old new");
	ck_assert_str_eq(json_string_value(json_object_get(j, "node")), "h");
	json_decref(j);
	kcap_audit_record_free(r);

	/* a large record takes the other path of the repeat detection */
	char line[2048] = "type=EXECVE msg=audit(1.000:4): argc=70";
	for (int i = 0; i < 70; i++)
		sprintf(line + strlen(line), " a%d=\"x\"", i % 35);
	r = parse_ok(line);
	ck_assert_uint_eq(r->nfields, 71);
	recs[0] = r;
	b.len = 0;
	ck_assert_int_eq(kcap_audit_event_json(&b, &ev), 0);
	j = json_loadb(b.data, b.len, 0, NULL);
	ck_assert_ptr_nonnull(j);
	f = json_object_get(json_array_get(json_object_get(j, "records"), 0), "fields");
	ck_assert_uint_eq(json_object_size(f), 71);
	ck_assert_ptr_nonnull(json_object_get(f, "a34_2"));
	ck_assert_ptr_null(json_object_get(f, "a35"));
	json_decref(j);
	free(b.data);
	kcap_audit_record_free(r);
}
END_TEST

START_TEST(json_values)
{
	kcap_buf b = {0};
	ck_assert_int_eq(kcap_audit_json_value(&b, "ls\0-l\0\0", 7, 1, 1), 0);
	ck_assert_int_eq(strncmp(b.data, "\"ls -l\"", b.len), 0);
	b.len = 0;
	/* invalid UTF-8 from hex: written back as the original hex */
	ck_assert_int_eq(kcap_audit_json_value(&b, "\xff\x41", 2, 1, 0), 0);
	ck_assert_int_eq(strncmp(b.data, "\"FF41\"", b.len), 0);
	b.len = 0;
	ck_assert_int_eq(kcap_audit_json_value(&b, "a\"b\\\n", 5, 0, 0), 0);
	ck_assert_int_eq(strncmp(b.data, "\"a\\\"b\\\\\\n\"", b.len), 0);
	b.len = 0;
	/* a NUL outside a proctitle (a damaged line): hex, never \u0000 */
	ck_assert_int_eq(kcap_audit_json_value(&b, "a\0b", 3, 0, 0), 0);
	ck_assert_int_eq(strncmp(b.data, "\"610062\"", b.len), 0);
	/* every other ASCII byte round-trips through a JSON parser */
	char all[127];
	for (int i = 0; i < 127; i++)
		all[i] = (char)(i + 1);
	b.len = 0;
	ck_assert_int_eq(kcap_audit_json_value(&b, all, sizeof all, 0, 0), 0);
	json_t *j = json_loadb(b.data, b.len, JSON_DECODE_ANY, NULL);
	ck_assert_ptr_nonnull(j);
	ck_assert_uint_eq(json_string_length(j), sizeof all);
	ck_assert_int_eq(memcmp(json_string_value(j), all, sizeof all), 0);
	json_decref(j);
	free(b.data);
}
END_TEST

START_TEST(malformed_lines)
{
	const char *bad[] = {
		"garbage", "type=SYSCALL", "type=SYSCALL msg=?", "type=UNKNOWN[1329] msg=?",
		"type=SYSCALL msg=audit(12.3)", "type=SYSCALL msg=audit(1.2:99999999999)",
		"node=x", "type= msg=audit(1.2:3):", "type=X msg=audit(99999999999999999999.1:1):",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		kcap_audit_record *r = (kcap_audit_record *)1;
		kcap_error e = {0};
		ck_assert_int_eq(kcap_audit_record_parse(bad[i], strlen(bad[i]), &r, &e), KCAP_E_SYNTAX);
		ck_assert_ptr_null(r);
		ck_assert_int_gt(e.column, 0);
		ck_assert_int_gt(strlen(e.msg), 0);
	}
	kcap_audit_record *r;
	ck_assert_int_eq(kcap_audit_record_parse("\n", 1, &r, NULL), KCAP_E_NOTFOUND);
	/* an unterminated quote keeps the rest of the line as the value */
	r = parse_ok("type=CWD msg=audit(1.000:1): cwd=\"/tmp/x");
	ck_assert_str_eq(val(r, "cwd"), "/tmp/x");
	kcap_audit_record_free(r);
}
END_TEST

START_TEST(tables)
{
	ck_assert_str_eq(kcap_audit_syscall_name(KCAP_AUDIT_ARCH_X86_64, 257), "openat");
	ck_assert_str_eq(kcap_audit_syscall_name(KCAP_AUDIT_ARCH_X86_64, 59), "execve");
	ck_assert_str_eq(kcap_audit_syscall_name(KCAP_AUDIT_ARCH_I386, 11), "execve");
	ck_assert_str_eq(kcap_audit_syscall_name(KCAP_AUDIT_ARCH_I386, 102), "socketcall");
	ck_assert_str_eq(kcap_audit_syscall_name(KCAP_AUDIT_ARCH_AARCH64, 56), "openat");
	ck_assert_str_eq(kcap_audit_syscall_name(KCAP_AUDIT_ARCH_AARCH64, 203), "connect");
	ck_assert_str_eq(kcap_audit_syscall_name(KCAP_AUDIT_ARCH_AARCH64, 435), "clone3");
	/* from 424 on the numbers are common to every arch (one shared table);
	 * below it each arch has its own */
	static const kcap_audit_arch all[] = { KCAP_AUDIT_ARCH_X86_64, KCAP_AUDIT_ARCH_I386, KCAP_AUDIT_ARCH_AARCH64 };
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
		ck_assert_str_eq(kcap_audit_syscall_name(all[i], 424), "pidfd_send_signal");
		ck_assert_str_eq(kcap_audit_syscall_name(all[i], 435), "clone3");
		ck_assert_str_eq(kcap_audit_syscall_name(all[i], 437), "openat2");
		ck_assert_str_eq(kcap_audit_syscall_name(all[i], 452), "fchmodat2");
		ck_assert_str_eq(kcap_audit_syscall_name(all[i], 462), "mseal");
		ck_assert_ptr_null(kcap_audit_syscall_name(all[i], 463));
		ck_assert_ptr_null(kcap_audit_syscall_name(all[i], 1000));
	}
	ck_assert_str_eq(kcap_audit_syscall_name(KCAP_AUDIT_ARCH_I386, 423), "sched_rr_get_interval_time64");
	ck_assert_ptr_null(kcap_audit_syscall_name(KCAP_AUDIT_ARCH_X86_64, 423));
	ck_assert_str_eq(kcap_audit_syscall_name(KCAP_AUDIT_ARCH_X86_64, 335), "uretprobe");
	ck_assert_ptr_null(kcap_audit_syscall_name(KCAP_AUDIT_ARCH_PPC64, 424)); /* no table for the arch */
	ck_assert_ptr_null(kcap_audit_syscall_name(KCAP_AUDIT_ARCH_X86_64, 100000));
	ck_assert_ptr_null(kcap_audit_syscall_name(KCAP_AUDIT_ARCH_X86_64, -1));
	ck_assert_int_eq(kcap_audit_arch_parse("c00000b7", 8), KCAP_AUDIT_ARCH_AARCH64);
	ck_assert_int_eq(kcap_audit_arch_parse("x86_64", 6), KCAP_AUDIT_ARCH_X86_64);
	ck_assert_int_eq(kcap_audit_arch_parse("zz", 2), KCAP_AUDIT_ARCH_UNKNOWN);
	ck_assert_uint_eq(kcap_audit_type_num("PROCTITLE", 9), 1327);
	ck_assert_str_eq(kcap_audit_type_name(1309), "EXECVE");
	ck_assert(kcap_audit_type_is_standalone(1112));
	ck_assert(!kcap_audit_type_is_standalone(1300));
}
END_TEST

/* Reassembly on synthetic streams. */
typedef struct got {
	uint32_t serial[32];
	uint32_t nrec[32];
	int late[32];
	int n;
} got;

static int got_cb(void *ud, const kcap_audit_event *ev)
{
	got *g = ud;
	ck_assert_int_lt(g->n, 32);
	g->serial[g->n] = ev->serial;
	g->nrec[g->n] = ev->nrecords;
	g->late[g->n] = ev->late;
	g->n++;
	return 0;
}

static void push(kcap_audit_reasm *ra, const char *line)
{
	ck_assert_int_eq(kcap_audit_reasm_push(ra, parse_ok(line)), 0);
}

START_TEST(reassembly_completion)
{
	got g = {0};
	kcap_audit_reasm *ra = kcap_audit_reasm_new(NULL, got_cb, &g);
	push(ra, "type=SYSCALL msg=audit(1.000:10): syscall=2");
	push(ra, "type=SYSCALL msg=audit(1.000:11): syscall=2");
	push(ra, "type=CWD msg=audit(1.000:10): cwd=\"/\"");
	ck_assert_int_eq(g.n, 0);
	push(ra, "type=PROCTITLE msg=audit(1.000:10): proctitle=\"x\"");
	ck_assert_int_eq(g.n, 1); /* PROCTITLE completes 10 */
	ck_assert_uint_eq(g.nrec[0], 3);
	push(ra, "type=EOE msg=audit(1.000:11):");
	ck_assert_int_eq(g.n, 2); /* EOE completes 11 and is not kept */
	ck_assert_uint_eq(g.nrec[1], 1);
	push(ra, "type=USER_LOGIN msg=audit(1.000:12): pid=1 msg='op=login res=success'");
	ck_assert_int_eq(g.n, 3); /* standalone */
	/* same serial on another node is another event */
	push(ra, "node=b type=USER_LOGIN msg=audit(1.000:12): pid=1");
	ck_assert_int_eq(g.n, 4);
	/* auditd's own records count from their own serial: no gap */
	push(ra, "type=DAEMON_START msg=audit(1.000:4038): op=start ver=3.0.9 format=enriched res=success");
	ck_assert_int_eq(g.n, 5);
	ck_assert_uint_eq(g.serial[4], 4038);
	push(ra, "type=SYSCALL msg=audit(1.000:13): syscall=2");
	push(ra, "type=EOE msg=audit(1.000:13):");
	ck_assert_int_eq(g.n, 6);
	g.n = 4;
	/* a record for a serial already delivered is delivered late */
	push(ra, "type=PATH msg=audit(1.000:11): item=0");
	ck_assert_int_eq(g.n, 5);
	ck_assert_int_eq(g.late[4], 1);
	kcap_audit_reasm_stats st;
	kcap_audit_reasm_get_stats(ra, &st);
	ck_assert_uint_eq(st.lost, 0);
	ck_assert_uint_eq(st.late, 1);
	ck_assert_uint_eq(st.records, 11);
	kcap_audit_reasm_free(ra);
}
END_TEST

START_TEST(reassembly_window_and_gaps)
{
	got g = {0};
	kcap_audit_reasm_opts o = {.max_pending = 2};
	kcap_audit_reasm *ra = kcap_audit_reasm_new(&o, got_cb, &g);
	push(ra, "type=SYSCALL msg=audit(1.000:4294967290): syscall=2");
	push(ra, "type=SYSCALL msg=audit(1.000:4294967294): syscall=2");
	push(ra, "type=SYSCALL msg=audit(1.000:1): syscall=2"); /* across the rollover */
	ck_assert_int_eq(g.n, 1); /* the window of 2 pushed out the oldest */
	ck_assert_int_eq(kcap_audit_reasm_flush(ra), 0);
	ck_assert_int_eq(g.n, 3);
	ck_assert_uint_eq(g.serial[1], 4294967294u);
	ck_assert_uint_eq(g.serial[2], 1);
	kcap_audit_reasm_stats st;
	kcap_audit_reasm_get_stats(ra, &st);
	/* missing: 91..93, then 95, 0 */
	ck_assert_uint_eq(st.lost, 3 + 2);
	kcap_audit_reasm_free(ra);

	/* time window for live sources */
	memset(&g, 0, sizeof g);
	o = (kcap_audit_reasm_opts){.window_ns = 1000000000ll};
	ra = kcap_audit_reasm_new(&o, got_cb, &g);
	push(ra, "type=SYSCALL msg=audit(100.000:5): syscall=2");
	ck_assert_int_eq(kcap_audit_reasm_tick(ra, 100500000000ll), 0);
	ck_assert_int_eq(g.n, 0);
	ck_assert_int_eq(kcap_audit_reasm_tick(ra, 101500000000ll), 0);
	ck_assert_int_eq(g.n, 1);
	/* the kernel counter restarted (reboot): not loss, not late */
	push(ra, "type=SYSCALL msg=audit(500.000:2): syscall=2");
	ck_assert_int_eq(kcap_audit_reasm_flush(ra), 0);
	ck_assert_int_eq(g.n, 2);
	ck_assert_int_eq(g.late[1], 0);
	kcap_audit_reasm_get_stats(ra, &st);
	ck_assert_uint_eq(st.lost, 0);
	kcap_audit_reasm_free(ra);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("audit_record");
	TCase *tc = tcase_create("parse");
	tcase_add_test(tc, header_and_plain_fields);
	tcase_add_test(tc, node_with_spaces_and_unknown_type);
	tcase_add_test(tc, hex_values);
	tcase_add_test(tc, keys_joined_with_0x01);
	tcase_add_test(tc, split_execve);
	tcase_add_test(tc, enriched);
	tcase_add_test(tc, user_msg_payload);
	tcase_add_test(tc, repeated_keys_in_json);
	tcase_add_test(tc, json_values);
	tcase_add_test(tc, malformed_lines);
	tcase_add_test(tc, tables);
	tcase_add_test(tc, reassembly_completion);
	tcase_add_test(tc, reassembly_window_and_gaps);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return kcap_check_run(suite());
}
