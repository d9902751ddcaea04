/* test_taxonomy.c - the standard taxonomy: schema loading, agreement with
 * docs/EVENTS.md, and symbol values against this host's libc headers. */
#include <check.h>
#include "check_run.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include <kcap/taxonomy.h>

static const char *events_md; /* path, from argv */

static const kcap_symset *symset_by_id(uint32_t id)
{
	for (size_t i = 0; kcap_taxonomy_symset_at(i); i++)
		if (kcap_taxonomy_symset_at(i)->id == id)
			return kcap_taxonomy_symset_at(i);
	return NULL;
}

static uint64_t sym_value(uint32_t set, const char *name)
{
	const kcap_symset *s = symset_by_id(set);
	ck_assert_ptr_nonnull(s);
	for (uint32_t i = 0; i < s->nsyms; i++)
		if (strcmp(s->syms[i].name, name) == 0)
			return s->syms[i].value;
	ck_abort_msg("symbol %s not in set %u", name, set);
	return 0;
}

START_TEST(schema_loads_all)
{
	kcap_schema *s = kcap_schema_new();
	ck_assert_int_eq(kcap_taxonomy_schema(s), 0);
	/* second load of the same definitions is a no-op */
	ck_assert_int_eq(kcap_taxonomy_schema(s), 0);
	size_t n = 0;
	for (; kcap_taxonomy_type_at(n); n++) {
		const kcap_type_def *t = kcap_taxonomy_type_at(n);
		const kcap_type_def *u = kcap_schema_type(s, t->id);
		ck_assert_ptr_nonnull(u);
		ck_assert_str_eq(u->name, t->name);
		ck_assert_uint_eq(u->nparams, t->nparams);
		ck_assert_ptr_eq(kcap_taxonomy_type_by_name(t->name), t);
		ck_assert_ptr_eq(kcap_taxonomy_type(t->id), t);
		ck_assert_uint_lt(t->id, 256);
	}
	ck_assert_uint_ge(n, 70);
	ck_assert_ptr_nonnull(kcap_schema_symset_by_name(s, "open_flags"));
	ck_assert_ptr_null(kcap_taxonomy_type_by_name("no_such_type"));
	kcap_schema_free(s);
}
END_TEST

START_TEST(ids_and_params_consistent)
{
	for (size_t i = 0; kcap_taxonomy_type_at(i); i++) {
		const kcap_type_def *t = kcap_taxonomy_type_at(i);
		for (size_t j = i + 1; kcap_taxonomy_type_at(j); j++) {
			ck_assert_uint_ne(t->id, kcap_taxonomy_type_at(j)->id);
			ck_assert_str_ne(t->name, kcap_taxonomy_type_at(j)->name);
		}
		for (uint32_t p = 0; p < t->nparams; p++) {
			const kcap_param_def *d = &t->params[p];
			if (d->symset)
				ck_assert_msg(symset_by_id(d->symset), "%s.%s: bad symset", t->name, d->name);
			if (strcmp(d->name, "ret") == 0)
				ck_assert_int_eq(d->type, KCAP_T_RET);
			if (strcmp(d->name, "path") == 0)
				ck_assert_int_eq(d->type, KCAP_T_PATH);
			if (strcmp(d->name, "fd") == 0 || strcmp(d->name, "dirfd") == 0)
				ck_assert_int_eq(d->type, KCAP_T_FD);
			if (strcmp(d->name, "addr") == 0 && strcmp(t->category, "net") == 0)
				ck_assert_int_eq(d->type, KCAP_T_SOCKADDR);
		}
	}
	/* layout positions the frontends use */
	const kcap_type_def *o = kcap_taxonomy_type(KCAP_EV_OPENAT);
	ck_assert_uint_eq(o->nparams, KCAP_P_OPEN_N_);
	ck_assert_str_eq(o->params[KCAP_P_OPEN_PATH].name, "path");
	ck_assert_str_eq(o->params[KCAP_P_OPEN_RET].name, "ret");
	const kcap_type_def *e = kcap_taxonomy_type(KCAP_EV_EXECVE);
	ck_assert_uint_eq(e->nparams, KCAP_P_EXEC_N_);
	ck_assert_int_eq(e->params[KCAP_P_EXEC_ARGV].type, KCAP_T_STRLIST);
	ck_assert_int_eq(e->params[KCAP_P_EXEC_ARGV_TRUNCATED].type, KCAP_T_BOOL);
	ck_assert_uint_eq(kcap_taxonomy_type(KCAP_EV_RENAMEAT2)->nparams, KCAP_P_RENAME_N_);
	ck_assert_uint_eq(kcap_taxonomy_type(KCAP_EV_CONNECT)->nparams, KCAP_P_ADDR_N_);
	ck_assert_uint_eq(kcap_taxonomy_type(KCAP_EV_SENDTO)->nparams, KCAP_P_XFER_N_);
	ck_assert_uint_eq(kcap_taxonomy_type(KCAP_EV_CLONE3)->nparams, KCAP_P_CLONE_N_);
	ck_assert_uint_eq(kcap_taxonomy_type(KCAP_EV_CAPSET)->nparams, KCAP_P_CAPSET_N_);
	ck_assert_uint_eq(kcap_taxonomy_type(KCAP_EV_SETRESGID)->nparams, KCAP_P_SETRESID_N_);
}
END_TEST

START_TEST(symbols_match_libc)
{
	ck_assert_uint_eq(sym_value(KCAP_SYMS_ERRNO, "ENOENT"), ENOENT);
	ck_assert_uint_eq(sym_value(KCAP_SYMS_ERRNO, "EACCES"), EACCES);
	ck_assert_uint_eq(sym_value(KCAP_SYMS_ERRNO, "ECONNREFUSED"), ECONNREFUSED);
	ck_assert_uint_eq(sym_value(KCAP_SYMS_ERRNO, "EHWPOISON"), EHWPOISON);
	ck_assert_uint_eq(sym_value(KCAP_SYMS_ERRNO, "ENOTRECOVERABLE"), ENOTRECOVERABLE);
	ck_assert_uint_eq(sym_value(KCAP_SYMS_ERRNO, "ENOSPC"), ENOSPC);
	/* every errno name resolves through strerror to something non-"Unknown" */
	const kcap_symset *es = symset_by_id(KCAP_SYMS_ERRNO);
	for (uint32_t i = 0; i < es->nsyms; i++)
		if (es->syms[i].value < 200)
			ck_assert_msg(strncmp(strerror((int)es->syms[i].value), "Unknown", 7) != 0,
			              "%s", es->syms[i].name);
	ck_assert_uint_eq(sym_value(KCAP_SYMS_OPEN_FLAGS, "O_CREAT"), O_CREAT);
	ck_assert_uint_eq(sym_value(KCAP_SYMS_OPEN_FLAGS, "O_WRONLY"), O_WRONLY);
	ck_assert_uint_eq(sym_value(KCAP_SYMS_OPEN_FLAGS, "O_CLOEXEC"), O_CLOEXEC);
	ck_assert_uint_eq(sym_value(KCAP_SYMS_OPEN_FLAGS, "O_DIRECTORY"), O_DIRECTORY);
	ck_assert_uint_eq(sym_value(KCAP_SYMS_OPEN_FLAGS, "O_TMPFILE"), O_TMPFILE);
	ck_assert_uint_eq(sym_value(KCAP_SYMS_OPEN_FLAGS, "O_SYNC"), O_SYNC);
	ck_assert_uint_eq(sym_value(KCAP_SYMS_OPEN_FLAGS, "O_PATH"), O_PATH);
	ck_assert_uint_eq(sym_value(KCAP_SYMS_OPEN_FLAGS, "O_NOFOLLOW"), O_NOFOLLOW);
	ck_assert_uint_eq(sym_value(KCAP_SYMS_AT_FLAGS, "AT_REMOVEDIR"), AT_REMOVEDIR);
	ck_assert_uint_eq(sym_value(KCAP_SYMS_AT_FLAGS, "AT_EMPTY_PATH"), AT_EMPTY_PATH);
	ck_assert_uint_eq(sym_value(KCAP_SYMS_SIGNAL, "SIGKILL"), SIGKILL);
	ck_assert_uint_eq(sym_value(KCAP_SYMS_SIGNAL, "SIGTERM"), SIGTERM);
	ck_assert_uint_eq(sym_value(KCAP_SYMS_SIGNAL, "SIGCHLD"), SIGCHLD);
	ck_assert_uint_eq(sym_value(KCAP_SYMS_SIGNAL, "SIGSYS"), SIGSYS);
	ck_assert_uint_eq(sym_value(KCAP_SYMS_SOCK_FAMILY, "AF_INET6"), AF_INET6);
	ck_assert_uint_eq(sym_value(KCAP_SYMS_SOCK_FAMILY, "AF_NETLINK"), AF_NETLINK);
	ck_assert_uint_eq(sym_value(KCAP_SYMS_SOCK_FAMILY, "AF_VSOCK"), AF_VSOCK);
	ck_assert_uint_eq(sym_value(KCAP_SYMS_SOCK_TYPE, "SOCK_DGRAM"), SOCK_DGRAM);
	ck_assert_uint_eq(sym_value(KCAP_SYMS_SOCK_TYPE, "SOCK_CLOEXEC"), SOCK_CLOEXEC);
	ck_assert_uint_eq(sym_value(KCAP_SYMS_SOCK_TYPE, "SOCK_NONBLOCK"), SOCK_NONBLOCK);
	ck_assert_uint_eq(sym_value(KCAP_SYMS_MSG_FLAGS, "MSG_NOSIGNAL"), MSG_NOSIGNAL);
	ck_assert_uint_eq(sym_value(KCAP_SYMS_MSG_FLAGS, "MSG_DONTWAIT"), MSG_DONTWAIT);
	ck_assert_uint_eq(sym_value(KCAP_SYMS_MMAP_PROT, "PROT_EXEC"), PROT_EXEC);
	ck_assert_uint_eq(sym_value(KCAP_SYMS_MMAP_FLAGS, "MAP_ANONYMOUS"), MAP_ANONYMOUS);
	ck_assert_uint_eq(sym_value(KCAP_SYMS_MMAP_FLAGS, "MAP_FIXED_NOREPLACE"), MAP_FIXED_NOREPLACE);
	ck_assert_uint_eq(sym_value(KCAP_SYMS_MMAP_FLAGS, "MAP_STACK"), MAP_STACK);
	ck_assert_uint_eq(sym_value(KCAP_SYMS_CLONE_FLAGS, "CLONE_THREAD"), 0x10000);
	ck_assert_uint_eq(sym_value(KCAP_SYMS_CLONE_FLAGS, "SIGCHLD"), SIGCHLD);
}
END_TEST

/* Formats a type's params the way docs/EVENTS.md lists them. */
static void format_params(const kcap_type_def *t, char *out, size_t cap)
{
	size_t n = 0;
	out[0] = 0;
	for (uint32_t j = 0; j < t->nparams; j++) {
		const kcap_param_def *p = &t->params[j];
		n += (size_t)snprintf(out + n, cap - n, "%s`%s`:%s", j ? ", " : "", p->name,
		                      kcap_ptype_name(p->type));
		if (p->symset)
			n += (size_t)snprintf(out + n, cap - n, "(%s)", symset_by_id(p->symset)->name);
		ck_assert_uint_lt(n, cap);
	}
}

START_TEST(events_md_agrees)
{
	FILE *f = fopen(events_md, "r");
	ck_assert_msg(f != NULL, "cannot open %s", events_md);
	size_t ntypes = 0;
	while (kcap_taxonomy_type_at(ntypes))
		ntypes++;
	int *seen = calloc(ntypes, sizeof *seen);
	size_t nsym = 0;
	while (kcap_taxonomy_symset_at(nsym))
		nsym++;
	int *symseen = calloc(nsym, sizeof *symseen);
	char line[4096], cat[64] = "", exp[2048];
	int lineno = 0, in_syms = 0;
	while (fgets(line, sizeof line, f)) {
		lineno++;
		line[strcspn(line, "\n")] = 0;
		if (strncmp(line, "## ", 3) == 0) {
			snprintf(cat, sizeof cat, "%.63s", line + 3);
			in_syms = strcmp(cat, "Symbol sets") == 0;
			continue;
		}
		unsigned id;
		char name[128];
		int off = 0;
		if (sscanf(line, "| %u | `%127[^`]` | %n", &id, name, &off) != 2 || off == 0)
			continue;
		const char *rest = line + off;
		if (in_syms) {
			const kcap_symset *s = symset_by_id(id);
			ck_assert_msg(s != NULL, "EVENTS.md:%d: unknown symset id %u", lineno, id);
			ck_assert_msg(strcmp(s->name, name) == 0, "EVENTS.md:%d: symset %u is %s", lineno, id, s->name);
			for (uint32_t k = 0; k < s->nsyms; k++)
				ck_assert_msg(strstr(rest, s->syms[k].name), "EVENTS.md:%d: %s lacks %s", lineno,
				              name, s->syms[k].name);
			symseen[s - kcap_taxonomy_symset_at(0)]++;
			continue;
		}
		const kcap_type_def *t = kcap_taxonomy_type(id);
		ck_assert_msg(t != NULL, "EVENTS.md:%d: unknown type id %u", lineno, id);
		ck_assert_msg(strcmp(t->name, name) == 0, "EVENTS.md:%d: id %u is %s, doc says %s", lineno, id,
		              t->name, name);
		ck_assert_msg(strcmp(t->category, cat) == 0, "EVENTS.md:%d: %s is in %s, doc says %s", lineno,
		              name, t->category, cat);
		format_params(t, exp, sizeof exp);
		size_t el = strlen(exp);
		ck_assert_msg(strncmp(rest, exp, el) == 0 && strncmp(rest + el, " | ", 3) == 0,
		              "EVENTS.md:%d: params of %s differ; code has: %s", lineno, name, exp);
		seen[t - kcap_taxonomy_type_at(0)]++;
	}
	fclose(f);
	for (size_t i = 0; i < ntypes; i++)
		ck_assert_msg(seen[i] == 1, "type %s listed %d times in EVENTS.md", kcap_taxonomy_type_at(i)->name,
		              seen[i]);
	for (size_t i = 0; i < nsym; i++)
		ck_assert_msg(symseen[i] == 1, "symset %s listed %d times in EVENTS.md",
		              kcap_taxonomy_symset_at(i)->name, symseen[i]);
	free(seen);
	free(symseen);
}
END_TEST

int main(int argc, char **argv)
{
	events_md = argc > 1 ? argv[1] : "docs/EVENTS.md";
	Suite *s = suite_create("taxonomy");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, schema_loads_all);
	tcase_add_test(tc, ids_and_params_consistent);
	tcase_add_test(tc, symbols_match_libc);
	tcase_add_test(tc, events_md_agrees);
	suite_add_tcase(s, tc);
	return kcap_check_run(s);
}
