/*
 * check_scap_events.c - the scap event table (formats/scap/scap_events.c):
 * known facts of the format, and every event code the corpus files hold
 * (their ref.json block_scan.evtypes, "code:nameE|X/nparams") is in the
 * table under the same name. The corpus part SKIPs visibly when absent.
 */
#include <check.h>
#include "check_run.h"
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scap/scap_events.h"

#ifndef SCAP_CORPUS_DIR
#define SCAP_CORPUS_DIR "../shared/corpus/scap"
#endif

START_TEST(facts)
{
	const scap_event_info *e;
	for (unsigned c = 0; c < SCAP_EVENT_MAX; c++) {
		e = scap_event_get(c);
		ck_assert_ptr_nonnull(e);
		ck_assert_uint_eq(e->code, c);
		ck_assert_int_eq(e->dir, (c & 1) ? '<' : '>');
		ck_assert_ptr_nonnull(e->name);
		ck_assert(e->nparams == 0 || e->params != NULL);
		ck_assert_uint_le(e->nparams_2022, e->nparams);
		for (unsigned i = 0; i < e->nparams; i++) {
			ck_assert_ptr_nonnull(e->params[i].name);
			ck_assert_uint_lt(e->params[i].type, SCAP_PT_MAX);
			if (e->params[i].type == SCAP_PT_FSRELPATH && e->params[i].dirfd != SCAP_NO_DIRFD)
				ck_assert_uint_lt(e->params[i].dirfd, e->nparams);
		}
		if (c >= SCAP_EVENT_MAX_2022)
			ck_assert_uint_eq(e->nparams_2022, 0);
	}
	ck_assert_ptr_null(scap_event_get(SCAP_EVENT_MAX));
	e = scap_event_get(306); /* openat enter, 2016 layout */
	ck_assert_str_eq(e->name, "openat");
	ck_assert_str_eq(e->params[0].name, "dirfd");
	ck_assert_uint_eq(e->params[0].type, SCAP_PT_FD);
	ck_assert_uint_eq(e->params[1].type, SCAP_PT_FSRELPATH);
	ck_assert_uint_eq(e->params[1].dirfd, 0);
	e = scap_event_get(293);
	ck_assert_str_eq(e->name, "execve");
	ck_assert_uint_eq(e->nparams_2022, 20);
	ck_assert_str_eq(e->params[0].name, "res");
	ck_assert_uint_eq(e->params[0].type, SCAP_PT_ERRNO);
	ck_assert_str_eq(e->params[1].name, "exe");
	ck_assert_str_eq(e->params[13].name, "comm");
	ck_assert_str_eq(scap_event_get(196)->name, "sysdigevent"); /* 0.29.3's name */
	ck_assert_str_eq(scap_event_get(354)->name, "useradded");
	ck_assert(scap_event_get(324)->flags & SCAP_EF_LARGE_PAYLOAD);
	ck_assert(scap_event_get(322)->flags & SCAP_EF_LARGE_PAYLOAD);
	ck_assert(scap_event_get(402)->flags & SCAP_EF_LARGE_PAYLOAD);
	ck_assert(!(scap_event_get(272)->flags & SCAP_EF_LARGE_PAYLOAD));
	ck_assert_str_eq(scap_event_get(148)->name, "drop");
	ck_assert_str_eq(scap_event_get(186)->name, "procexit");
	ck_assert_int_eq(scap_event_find("execve", '<', 1), 293);
	ck_assert_int_eq(scap_event_find("openat", '>', 1), 306);
	ck_assert_int_eq(scap_event_find("nosuchcall", '<', 0), -1);
	ck_assert_str_eq(scap_syscall_id_name(0), "<unknown>");
	ck_assert_str_eq(scap_syscall_id_name(298), "sigreturn");
	ck_assert_int_eq(scap_syscall_id_find("mprotect") > 0, 1);
	ck_assert_str_eq(scap_syscall_id_name((unsigned)scap_syscall_id_find("mprotect")), "mprotect");
	ck_assert_ptr_null(scap_syscall_id_name(SCAP_SYSCALL_ID_MAX));
	ck_assert_int_eq(scap_pt_size(SCAP_PT_FD), 8);
	ck_assert_int_eq(scap_pt_size(SCAP_PT_SYSCALLID), 2);
	ck_assert_int_eq(scap_pt_size(SCAP_PT_CHARBUF), -1);
	ck_assert_str_eq(scap_pt_name(SCAP_PT_SOCKTUPLE), "SOCKTUPLE");
}
END_TEST

/* Every code of every corpus file is known, under the name the scan gives
 * (today's names; 196 is `scapevent` today and `sysdigevent` for 0.29.3). */
START_TEST(corpus_codes)
{
	DIR *d = opendir(SCAP_CORPUS_DIR);
	if (!d) {
		printf("SKIP: scap corpus not found at %s\n", SCAP_CORPUS_DIR);
		return;
	}
	struct dirent *de;
	int files = 0, codes = 0, bad = 0;
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);
		if (n < 9 || strcmp(de->d_name + n - 9, ".ref.json") != 0)
			continue;
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", SCAP_CORPUS_DIR, de->d_name);
		json_error_t je;
		json_t *j = json_load_file(path, 0, &je);
		ck_assert_msg(j != NULL, "%s: %s", path, je.text);
		json_t *ev = json_object_get(json_object_get(j, "block_scan"), "evtypes");
		const char *key;
		json_t *v;
		json_object_foreach(ev, key, v) {
			unsigned code;
			char name[64], dir;
			if (sscanf(key, "%u:%63[^:]", &code, name) != 2)
				continue;
			char *slash = strchr(name, '/');
			if (slash)
				*slash = 0;
			size_t ln = strlen(name);
			dir = name[ln - 1] == 'E' ? '>' : '<';
			name[ln - 1] = 0;
			const scap_event_info *e = scap_event_get(code);
			codes++;
			if (!e || e->dir != dir || (strcmp(e->name, name) != 0 &&
						   !(code == 196 && strcmp(name, "scapevent") == 0))) {
				printf("%s: code %u (%s) is %s in the table\n", de->d_name, code, key,
				       e ? e->name : "missing");
				bad++;
			}
		}
		json_decref(j);
		files++;
	}
	closedir(d);
	printf("%d files, %d codes checked\n", files, codes);
	ck_assert_int_gt(files, 0);
	ck_assert_int_gt(codes, 100);
	ck_assert_int_eq(bad, 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("scap_events");
	TCase *tc = tcase_create("table");
	tcase_add_test(tc, facts);
	tcase_add_test(tc, corpus_codes);
	suite_add_tcase(s, tc);
	return kcap_check_run(s);
}
