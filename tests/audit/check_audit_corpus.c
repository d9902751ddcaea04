/*
 * check_audit_corpus.c - the audit parser and reassembler against the
 * third-party corpus (../shared/corpus/audit): go-libaudit's golden files
 * and its reassembler cases. SKIPs visibly when the corpus is absent.
 */
#include <check.h>
#include "check_run.h"
#include <dirent.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit/audit_json.h"
#include "audit/audit_reassemble.h"
#include "audit/audit_record.h"
#include "audit/audit_tables.h"

#ifndef AUDIT_CORPUS_DIR
#define AUDIT_CORPUS_DIR "../shared/corpus/audit"
#endif

static int corpus_present(void)
{
	DIR *d = opendir(AUDIT_CORPUS_DIR);
	if (!d) {
		printf("SKIP: audit corpus not found at %s\n", AUDIT_CORPUS_DIR);
		return 0;
	}
	closedir(d);
	return 1;
}

/* One delivered event: its time, serial, and its JSON parsed back. */
typedef struct out_event {
	int64_t sec;
	uint32_t msec;
	uint32_t serial;
	json_t *json;
} out_event;

typedef struct run {
	out_event *ev;
	size_t n, cap;
	kcap_buf buf;
	kcap_audit_reasm_stats st;
	int malformed;
} run;

static int collect(void *ud, const kcap_audit_event *ev)
{
	run *r = ud;
	r->buf.len = 0;
	ck_assert_int_eq(kcap_audit_event_json(&r->buf, ev), 0);
	json_error_t je;
	json_t *j = json_loadb(r->buf.data, r->buf.len, 0, &je);
	ck_assert_msg(j != NULL, "our JSON does not parse: %s: %.*s", je.text, (int)r->buf.len, r->buf.data);
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 64;
		r->ev = realloc(r->ev, r->cap * sizeof *r->ev);
		ck_assert_ptr_nonnull(r->ev);
	}
	r->ev[r->n++] = (out_event){ev->sec, ev->msec, ev->serial, j};
	return 0;
}

static void run_file(run *r, const char *path)
{
	memset(r, 0, sizeof *r);
	FILE *f = fopen(path, "r");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	kcap_audit_reasm *ra = kcap_audit_reasm_new(NULL, collect, r);
	ck_assert_ptr_nonnull(ra);
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	while ((n = getline(&line, &cap, f)) > 0) {
		kcap_audit_record *rec;
		kcap_error pe;
		int rc = kcap_audit_record_parse(line, (size_t)n, &rec, &pe);
		if (rc == KCAP_E_NOTFOUND)
			continue;
		if (rc < 0) {
			r->malformed++;
			continue;
		}
		ck_assert_int_eq(kcap_audit_reasm_push(ra, rec), 0);
	}
	ck_assert_int_eq(kcap_audit_reasm_flush(ra), 0);
	kcap_audit_reasm_get_stats(ra, &r->st);
	kcap_audit_reasm_free(ra);
	free(line);
	fclose(f);
}

static void run_free(run *r)
{
	for (size_t i = 0; i < r->n; i++)
		json_decref(r->ev[i].json);
	free(r->ev);
	free(r->buf.data);
}

/* "2017-03-07T04:59:29.03Z" -> seconds and milliseconds. */
static void parse_golden_time(const char *s, int64_t *sec, uint32_t *msec)
{
	struct tm tm = {0};
	const char *p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	ck_assert_ptr_nonnull(p);
	*sec = (int64_t)timegm(&tm);
	uint32_t ms = 0;
	int digits = 0;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, digits++)
			if (digits < 3)
				ms = ms * 10 + (uint32_t)(*p - '0');
	}
	for (; digits < 3; digits++)
		ms *= 10;
	*msec = ms;
}

/* Does key=... appear as a token of the raw message? */
static int raw_has_key(const char *raw, const char *key)
{
	size_t kl = strlen(key);
	for (const char *p = strstr(raw, key); p; p = strstr(p + 1, key)) {
		char before = p == raw ? ' ' : p[-1];
		if ((before == ' ' || before == '\'' || before == '(') && p[kl] == '=')
			return 1;
	}
	return 0;
}

static const char *field_str(json_t *fields, const char *key)
{
	json_t *v = json_object_get(fields, key);
	return v ? json_string_value(v) : NULL;
}

/* Compares one golden value with ours, through the interpretations that
 * go-libaudit applies (documented in docs/AUDIT.md). Returns 1 if equal. */
static int same_value(const char *key, const char *golden, const char *ours, json_t *fields)
{
	if (strcmp(golden, ours) == 0)
		return 1;
	if (strcmp(key, "arch") == 0) {
		const char *n = kcap_audit_arch_name(kcap_audit_arch_parse(ours, strlen(ours)));
		return n && strcmp(n, golden) == 0;
	}
	if (strcmp(key, "syscall") == 0) {
		const char *a = field_str(fields, "arch");
		ck_assert_ptr_nonnull(a);
		const char *n = kcap_audit_syscall_name(kcap_audit_arch_parse(a, strlen(a)), atol(ours));
		return n && strcmp(n, golden) == 0;
	}
	if (strcmp(golden, "unset") == 0)
		return strcmp(ours, "4294967295") == 0 || strcmp(ours, "-1") == 0;
	if (strcmp(key, "exit") == 0 && ours[0] == '-') {
		const char *n = strerrorname_np(atoi(ours + 1));
		return n && strcmp(n, golden) == 0;
	}
	if (strcmp(key, "sig") == 0) {
		const char *n = sigabbrev_np(atoi(ours));
		return n && strncmp(golden, "SIG", 3) == 0 && strcmp(n, golden + 3) == 0;
	}
	return 0;
}

static const char *golden_types_upper(const char *t, char *buf, size_t n)
{
	size_t i = 0;
	for (; t[i] && i + 1 < n; i++)
		buf[i] = (t[i] >= 'a' && t[i] <= 'z') ? (char)(t[i] - 32) : t[i];
	buf[i] = 0;
	return buf;
}

static void check_golden(const char *log, const char *golden, size_t *nrec, size_t *nvals)
{
	run r;
	run_file(&r, log);
	json_error_t je;
	json_t *g = json_load_file(golden, 0, &je);
	ck_assert_msg(g != NULL, "%s: %s", golden, je.text);
	size_t gi;
	json_t *grec;
	json_array_foreach(g, gi, grec) {
		if (json_is_null(grec))
			continue; /* a line go-libaudit could not parse either */
		const char *type = json_string_value(json_object_get(grec, "record_type"));
		uint32_t seq = (uint32_t)json_integer_value(json_object_get(grec, "sequence"));
		const char *raw = json_string_value(json_object_get(grec, "raw_msg"));
		int64_t sec;
		uint32_t msec;
		parse_golden_time(json_string_value(json_object_get(grec, "@timestamp")), &sec, &msec);
		char utype[64];
		golden_types_upper(type, utype, sizeof utype);
		/* find our record: same time, serial, type and (for repeated
		 * types in one event) the best match of fields */
		json_t *best = NULL;
		int best_score = -1;
		for (size_t i = 0; i < r.n; i++) {
			out_event *e = &r.ev[i];
			if (e->sec != sec || e->msec != msec || e->serial != seq)
				continue;
			size_t ri;
			json_t *rec;
			json_array_foreach(json_object_get(e->json, "records"), ri, rec) {
				if (strcmp(json_string_value(json_object_get(rec, "type")), utype) != 0)
					continue;
				json_t *fields = json_object_get(rec, "fields");
				int score = 0;
				const char *k;
				json_t *gv;
				json_object_foreach(json_object_get(grec, "data"), k, gv) {
					const char *ov = field_str(fields, k);
					if (ov && json_is_string(gv) && strcmp(ov, json_string_value(gv)) == 0)
						score++;
				}
				if (score > best_score) {
					best_score = score;
					best = fields;
				}
			}
		}
		ck_assert_msg(best != NULL, "%s: record %s serial %u at %lld.%03u not in our output", log, type, seq,
			      (long long)sec, msec);
		(*nrec)++;
		const char *k;
		json_t *gv;
		json_object_foreach(json_object_get(grec, "data"), k, gv) {
			if (!raw_has_key(raw, k))
				continue; /* a go-libaudit derived or renamed field */
			const char *ov = field_str(best, k);
			ck_assert_msg(ov != NULL, "%s: serial %u %s: key %s missing", log, seq, type, k);
			ck_assert_msg(json_is_string(gv), "%s: golden %s not a string", golden, k);
			ck_assert_msg(same_value(k, json_string_value(gv), ov, best),
				      "%s: serial %u %s: %s: golden \"%s\", ours \"%s\"", log, seq, type, k,
				      json_string_value(gv), ov);
			(*nvals)++;
		}
		json_t *keys = json_object_get(grec, "keys");
		if (keys) {
			/* go-libaudit splits key= at 0x01 into a list */
			const char *ok = field_str(best, "key");
			ck_assert_ptr_nonnull(ok);
			char joined[512] = "";
			size_t ki;
			json_t *kv;
			json_array_foreach(keys, ki, kv) {
				if (ki)
					strcat(joined, "\x01");
				strncat(joined, json_string_value(kv), sizeof joined - strlen(joined) - 2);
			}
			ck_assert_str_eq(ok, joined);
			(*nvals)++;
		}
	}
	json_decref(g);
	run_free(&r);
}

START_TEST(golden_files)
{
	if (!corpus_present())
		return;
	DIR *d = opendir(AUDIT_CORPUS_DIR);
	struct dirent *de;
	size_t files = 0, nrec = 0, nvals = 0;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (l < 8 || strcmp(de->d_name + l - 7, ".golden") != 0)
			continue;
		char golden[1024], log[1024];
		snprintf(golden, sizeof golden, "%s/%s", AUDIT_CORPUS_DIR, de->d_name);
		snprintf(log, sizeof log, "%s/%.*s", AUDIT_CORPUS_DIR, (int)(l - 7), de->d_name);
		check_golden(log, golden, &nrec, &nvals);
		files++;
	}
	closedir(d);
	printf("golden: %zu files, %zu records, %zu values compared\n", files, nrec, nvals);
	ck_assert_uint_ge(files, 7);
	ck_assert_uint_ge(nrec, 80);
	ck_assert_uint_ge(nvals, 700);
}
END_TEST

static void reasm_file(run *r, const char *name)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/reassembler/%s", AUDIT_CORPUS_DIR, name);
	run_file(r, path);
	ck_assert_int_eq(r->malformed, 0);
}

START_TEST(reassembler_lost)
{
	if (!corpus_present())
		return;
	run r;
	reasm_file(&r, "lost_messages.log");
	ck_assert_uint_eq(r.st.lost, 9);
	ck_assert_uint_eq(r.st.late, 0);
	run_free(&r);
}
END_TEST

START_TEST(reassembler_out_of_order)
{
	if (!corpus_present())
		return;
	run a, b;
	reasm_file(&a, "normal.log");
	reasm_file(&b, "out_of_order.log");
	ck_assert_uint_eq(a.n, 5);
	ck_assert_uint_eq(a.n, b.n);
	ck_assert_uint_eq(a.st.lost, 0);
	ck_assert_uint_eq(b.st.lost, 0);
	ck_assert_uint_eq(b.st.late, 0);
	for (size_t i = 0; i < a.n; i++) {
		ck_assert_uint_eq(a.ev[i].serial, b.ev[i].serial);
		ck_assert_int_eq(a.ev[i].sec, b.ev[i].sec);
		ck_assert_msg(json_equal(a.ev[i].json, b.ev[i].json), "event %u differs", a.ev[i].serial);
	}
	/* the event whose PATH record came after the next event's SYSCALL */
	ck_assert_uint_eq(json_array_size(json_object_get(b.ev[2].json, "records")), 5);
	run_free(&a);
	run_free(&b);
}
END_TEST

START_TEST(reassembler_rollover)
{
	if (!corpus_present())
		return;
	run r;
	reasm_file(&r, "rollover.log");
	ck_assert_uint_eq(r.n, 5);
	ck_assert_uint_eq(r.st.lost, 0);
	ck_assert_uint_eq(r.ev[1].serial, 4294967295u);
	ck_assert_uint_eq(r.ev[2].serial, 0);
	run_free(&r);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("audit_corpus");
	TCase *tc = tcase_create("corpus");
	tcase_add_test(tc, golden_files);
	tcase_add_test(tc, reassembler_lost);
	tcase_add_test(tc, reassembler_out_of_order);
	tcase_add_test(tc, reassembler_rollover);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return kcap_check_run(suite());
}
