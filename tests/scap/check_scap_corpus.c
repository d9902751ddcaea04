/*
 * check_scap_corpus.c - `kcap convert --from scap` on every capture of the
 * shared corpus (../shared/corpus/scap) against its sysdig 0.29.3
 * references, as issue 12 section 2 says:
 *  - events per type after pairing equal the reference: the `-D -j` lines
 *    paired by thread as the importer pairs them (an enter and the next exit
 *    of its thread and call; enter-only types do not pair), reconciled as
 *    the corpus README says (leading container events, which sysdig does not
 *    print, and types sysdig 0.29.3 does not know, counted from the block
 *    scan);
 *  - first and last time equal (container events aside: old files stamp
 *    the leading ones 0);
 *  - the execve exits (pid, ppid, exe, cmdline) equal, in order;
 *  - 200 sampled events of the `-j` output: kcap's tid, comm and the fd's
 *    name (where kcap holds one: a path param or scap_*'s fd_name) equal.
 * Every unmatched value is printed. SKIPs visibly without the corpus.
 */
#include <check.h>
#include "check_run.h"
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>
#include <kcap/kcap.h>

#include "scap/scap_events.h"

#ifndef SCAP_CORPUS_DIR
#define SCAP_CORPUS_DIR "../shared/corpus/scap"
#endif

static char *read_file(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 1 << 16, len = 0;
	char *b = malloc(cap);
	size_t got;
	while ((got = fread(b + len, 1, cap - len, f)) > 0) {
		len += got;
		if (len == cap)
			b = realloc(b, cap *= 2);
	}
	fclose(f);
	*n = len;
	return b;
}

/* The lines of a .jsonl.zst as parsed JSON objects. */
static json_t **read_jsonl_zst(const char *path, size_t *count)
{
	size_t n;
	char *z = read_file(path, &n);
	*count = 0;
	if (!z)
		return NULL;
	ZSTD_DStream *ds = ZSTD_createDStream();
	ZSTD_initDStream(ds);
	size_t cap = 1 << 20, len = 0;
	char *out = malloc(cap);
	ZSTD_inBuffer in = {z, n, 0};
	while (in.pos < in.size) {
		if (cap - len < (1 << 16))
			out = realloc(out, cap *= 2);
		ZSTD_outBuffer ob = {out + len, cap - len, 0};
		size_t rc = ZSTD_decompressStream(ds, &ob, &in);
		ck_assert_msg(!ZSTD_isError(rc), "%s: %s", path, ZSTD_getErrorName(rc));
		len += ob.pos;
	}
	ZSTD_freeDStream(ds);
	free(z);
	size_t lines = 0, lcap = 1024;
	json_t **v = malloc(lcap * sizeof *v);
	char *p = out, *end = out + len;
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		if (nl > p) {
			json_error_t je;
			json_t *j = json_loadb(p, (size_t)(nl - p), 0, &je);
			ck_assert_msg(j != NULL, "%s: %s", path, je.text);
			if (lines == lcap)
				v = realloc(v, (lcap *= 2) * sizeof *v);
			v[lines++] = j;
		}
		p = nl + 1;
	}
	free(out);
	*count = lines;
	return v;
}

/* ---- a name -> count table ---- */
typedef struct cnt {
	char name[64];
	long sysdig, kcap;
} cnt;
typedef struct counts {
	cnt *v;
	size_t n;
} counts;

static cnt *count_of(counts *c, const char *name)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->v[i].name, name) == 0)
			return &c->v[i];
	c->v = realloc(c->v, (c->n + 1) * sizeof *c->v);
	cnt *e = &c->v[c->n++];
	memset(e, 0, sizeof *e);
	snprintf(e->name, sizeof e->name, "%s", name);
	return e;
}

/* sysdig's evt.type of a kcap type name */
static const char *sysdig_name(const char *k)
{
	if (strcmp(k, "exit_group") == 0)
		return "procexit"; /* the task exit (the generic syscall is scap_exit_group) */
	if (strcmp(k, "pread64") == 0)
		return "pread";
	if (strcmp(k, "pwrite64") == 0)
		return "pwrite";
	if (strcmp(k, "scap_unknown") == 0)
		return "<unknown>";
	if (strncmp(k, "scap_", 5) == 0)
		return k + 5;
	return k;
}

typedef struct kev {
	int64_t ts;
	int32_t tid, pid, ppid;
	char comm[64];
	char type[64];
	char *fdname; /* path or fd_name, or NULL */
	char *argv;   /* execve: NUL-separated */
	uint32_t argv_len;
	int is_exit;  /* has a ret */
} kev;

static int kev_cmp(const void *a, const void *b)
{
	const kev *x = a, *y = b;
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->tid - y->tid;
}

static const kev *kev_find(const kev *v, size_t n, int64_t ts, int32_t tid)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (v[mid].ts < ts || (v[mid].ts == ts && v[mid].tid < tid))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && v[lo].ts == ts && v[lo].tid == tid ? &v[lo] : NULL;
}

/* 1 when an enter of this sysdig type waits for an exit */
static int pairs(const char *name)
{
	int c = scap_event_find(name, '>', 0);
	if (c < 0)
		return 1; /* a generic syscall's name */
	return scap_event_pairs(scap_event_get((unsigned)c));
}

static int check_one(const char *base)
{
	char path[4096], cmd[12288], out[256];
	int bad = 0;
	snprintf(path, sizeof path, "%s/%s.ref.json", SCAP_CORPUS_DIR, base);
	json_error_t je;
	json_t *ref = json_load_file(path, 0, &je);
	ck_assert_msg(ref != NULL, "%s: %s", path, je.text);
	/* the capture; the comments file's expected result is curl_google's */
	const char *refbase = strcmp(base, "libs_curl_google_comments") == 0 ? "libs_curl_google" : base;
	if (refbase != base) {
		json_decref(ref);
		snprintf(path, sizeof path, "%s/%s.ref.json", SCAP_CORPUS_DIR, refbase);
		ref = json_load_file(path, 0, &je);
		ck_assert(ref != NULL);
	}
	snprintf(path, sizeof path, "%s/%s.scap", SCAP_CORPUS_DIR, base);
	if (access(path, R_OK) != 0)
		snprintf(path, sizeof path, "%s/%s.scap.gz", SCAP_CORPUS_DIR, base);
	snprintf(out, sizeof out, "scap_corpus_%d.kcap", (int)getpid());
	snprintf(cmd, sizeof cmd, "'%s' convert --from scap '%s' -o '%s' 2>/dev/null", KCAP_BIN, path, out);
	int rc = system(cmd);
	if (rc != 0) {
		printf("%s: kcap convert exited %d\n", base, rc);
		bad++;
	}
	/* kcap's events */
	kcap_reader *r;
	kcap_error err;
	ck_assert_int_eq(kcap_reader_open_path(&r, out, &err), 0);
	size_t nk = 0, kcap_n = 1024;
	kev *K = calloc(kcap_n, sizeof *K);
	const kcap_event *ev;
	int64_t kfirst = INT64_MAX, klast = INT64_MIN;
	counts C = {0};
	while (kcap_reader_next(r, &ev) == 1) {
		if (nk == kcap_n)
			K = realloc(K, (kcap_n *= 2) * sizeof *K);
		kev *k = &K[nk++];
		memset(k, 0, sizeof *k);
		k->ts = ev->ts;
		k->tid = ev->tid;
		k->pid = ev->pid;
		k->ppid = ev->ppid;
		snprintf(k->comm, sizeof k->comm, "%.*s", (int)ev->comm_len, ev->comm);
		snprintf(k->type, sizeof k->type, "%s", ev->def->name);
		for (uint32_t i = 0; i < ev->nparams; i++) {
			const char *pn = ev->def->params[i].name;
			const kcap_value *v = &ev->params[i];
			if (!v->present)
				continue;
			if (!k->fdname && (strcmp(pn, "fd_name") == 0 || strcmp(pn, "path") == 0))
				k->fdname = strndup((const char *)v->p, v->len);
			if (strcmp(pn, "ret") == 0)
				k->is_exit = 1;
			if (strcmp(pn, "argv") == 0) {
				k->argv = malloc(v->len + 1);
				memcpy(k->argv, v->p, v->len);
				k->argv_len = v->len;
			}
		}
		cnt *c = count_of(&C, sysdig_name(k->type));
		c->kcap++;
		if (strcmp(k->type, "scap_container") != 0) {
			if (ev->ts < kfirst)
				kfirst = ev->ts;
			if (ev->ts > klast)
				klast = ev->ts;
		}
	}
	kcap_reader_close(r);
	unlink(out);
	/* sysdig -D, paired */
	snprintf(path, sizeof path, "%s/%s.sysdig-D.jsonl.zst", SCAP_CORPUS_DIR, refbase);
	size_t nd;
	json_t **D = read_jsonl_zst(path, &nd);
	typedef struct { int64_t tid; const char *type; } pend;
	pend *P = calloc(nd + 1, sizeof *P);
	size_t np = 0;
	for (size_t i = 0; i < nd; i++) {
		const char *t = json_string_value(json_object_get(D[i], "evt.type"));
		const char *dir = json_string_value(json_object_get(D[i], "evt.dir"));
		int64_t tid = json_integer_value(json_object_get(D[i], "thread.tid"));
		size_t j;
		for (j = 0; j < np && P[j].tid != tid; j++)
			;
		if (dir[0] == '>' && !pairs(t)) {
			count_of(&C, t)->sysdig++;
			continue;
		}
		if (dir[0] == '>') {
			if (j < np)
				count_of(&C, P[j].type)->sysdig++;
			else
				np++;
			P[j].tid = tid;
			P[j].type = t;
			continue;
		}
		if (j < np) {
			if (strcmp(P[j].type, t) != 0)
				count_of(&C, P[j].type)->sysdig++;
			P[j] = P[--np];
		}
		count_of(&C, t)->sysdig++;
	}
	for (size_t j = 0; j < np; j++)
		count_of(&C, P[j].type)->sysdig++;
	free(P);
	/* the reconciliation: what sysdig does not print or know */
	json_t *rec = json_object_get(ref, "reconcile");
	count_of(&C, "container")->sysdig += json_integer_value(json_object_get(rec, "leading_container_events_not_printed"));
	const char *key;
	json_t *val;
	json_object_foreach(json_object_get(json_object_get(ref, "block_scan"), "evtypes"), key, val) {
		unsigned code;
		if (sscanf(key, "%u:", &code) == 1 && code >= SCAP_EVENT_MAX_2022) {
			const scap_event_info *e = scap_event_get(code);
			if (e)
				count_of(&C, e->name)->sysdig += json_integer_value(val);
		}
	}
	for (size_t i = 0; i < C.n; i++)
		if (C.v[i].sysdig != C.v[i].kcap) {
			printf("%s: type %s: sysdig %ld, kcap %ld\n", base, C.v[i].name, C.v[i].sysdig, C.v[i].kcap);
			bad++;
		}
	free(C.v);
	/* first and last time */
	int64_t first = json_integer_value(json_object_get(ref, "first_rawtime"));
	int64_t last = json_integer_value(json_object_get(ref, "last_rawtime"));
	if (first != kfirst || last != klast) {
		printf("%s: time range sysdig %lld..%lld, kcap %lld..%lld\n", base, (long long)first, (long long)last,
		       (long long)kfirst, (long long)klast);
		bad++;
	}
	/* execve exits */
	json_t *ex = json_object_get(ref, "execve_exit");
	size_t xi = 0;
	qsort(K, nk, sizeof *K, kev_cmp);
	for (size_t i = 0; i < nk; i++) {
		if (strcmp(K[i].type, "execve") != 0 || !K[i].is_exit)
			continue;
		json_t *x = json_array_get(ex, xi++);
		char cmdline[8192] = "", *exe = K[i].argv ? K[i].argv : "";
		snprintf(cmdline, sizeof cmdline, "%s", K[i].comm);
		if (K[i].argv)
			for (size_t o = strlen(K[i].argv) + 1; o < K[i].argv_len; o += strlen(K[i].argv + o) + 1) {
				size_t cl = strlen(cmdline);
				snprintf(cmdline + cl, sizeof cmdline - cl, " %s", K[i].argv + o);
			}
		if (!x) {
			printf("%s: execve at %lld: not in the reference\n", base, (long long)K[i].ts);
			bad++;
			continue;
		}
		long long rpid = json_integer_value(json_object_get(x, "proc.pid"));
		long long rppid = json_integer_value(json_object_get(x, "proc.ppid"));
		const char *rexe = json_string_value(json_object_get(x, "proc.exe"));
		const char *rcmd = json_string_value(json_object_get(x, "proc.cmdline"));
		if (rpid != K[i].pid || rppid != K[i].ppid || !rexe || strcmp(rexe, exe) != 0 || !rcmd ||
		    strcmp(rcmd, cmdline) != 0) {
			printf("%s: execve %zu: sysdig pid %lld ppid %lld exe '%s' cmdline '%s'; kcap pid %d ppid %d exe '%s' "
			       "cmdline '%s'\n", base, xi, rpid, rppid, rexe ? rexe : "", rcmd ? rcmd : "", K[i].pid, K[i].ppid,
			       exe, cmdline);
			bad++;
		}
	}
	if (xi != json_array_size(ex)) {
		printf("%s: %zu execve exits, reference %zu\n", base, xi, json_array_size(ex));
		bad++;
	}
	/* 200 sampled events of the default output */
	snprintf(path, sizeof path, "%s/%s.sysdig.jsonl.zst", SCAP_CORPUS_DIR, refbase);
	size_t nj;
	json_t **J = read_jsonl_zst(path, &nj);
	/* the lines that are a kcap event's own (an enter that pairs is folded
	 * into its exit's event), 200 of them evenly spread */
	size_t *cand = malloc((nj + 1) * sizeof *cand), ncand = 0, sampled = 0, fd_compared = 0;
	for (size_t i = 0; i < nj; i++) {
		const char *t = json_string_value(json_object_get(J[i], "evt.type"));
		const char *dir = json_string_value(json_object_get(J[i], "evt.dir"));
		if (!(dir[0] == '>' && pairs(t)))
			cand[ncand++] = i;
	}
	size_t step = ncand > 200 ? ncand / 200 : 1;
	for (size_t ci = 0; ci < ncand && sampled < 200; ci += step) {
		size_t i = cand[ci];
		const char *t = json_string_value(json_object_get(J[i], "evt.type"));
		int64_t ts = json_integer_value(json_object_get(J[i], "evt.outputtime"));
		int64_t tid = json_integer_value(json_object_get(J[i], "thread.tid"));
		const kev *k = kev_find(K, nk, ts, (int32_t)tid);
		sampled++;
		if (!k) {
			printf("%s: sysdig event %lld (%s, tid %lld at %lld): no kcap event\n", base,
			       json_integer_value(json_object_get(J[i], "evt.num")), t, (long long)tid, (long long)ts);
			bad++;
			continue;
		}
		json_t *pn = json_object_get(J[i], "proc.name");
		const char *pname = json_is_string(pn) ? json_string_value(pn) : "";
		if (strcmp(pname, "<NA>") == 0)
			pname = "";
		if (strcmp(pname, k->comm) != 0) {
			printf("%s: event %lld (%s, tid %lld): proc.name '%s', kcap comm '%s'\n", base,
			       json_integer_value(json_object_get(J[i], "evt.num")), t, (long long)tid, pname, k->comm);
			bad++;
		}
		/* fd=N(<X>NAME) in evt.info */
		const char *info = json_string_value(json_object_get(J[i], "evt.info"));
		const char *f = info ? strstr(info, "fd=") : NULL;
		if (f && (f == info || f[-1] == ' ') && k->fdname) {
			const char *lp = strchr(f, '('), *gt = lp ? strchr(lp, '>') : NULL;
			if (lp && gt && lp[1] == '<') {
				const char *e = strchr(gt, ')');
				char name[4096];
				snprintf(name, sizeof name, "%.*s", e ? (int)(e - gt - 1) : 0, gt + 1);
				fd_compared++;
				if (name[0] && strcmp(name, k->fdname) != 0) {
					printf("%s: event %lld (%s, tid %lld): fd.name '%s', kcap '%s'\n", base,
					       json_integer_value(json_object_get(J[i], "evt.num")), t, (long long)tid, name,
					       k->fdname);
					bad++;
				}
			}
		}
	}
	free(cand);
	printf("%s: %zu kcap events, %zu sampled (%zu with an fd name compared), %d unmatched\n", base, nk, sampled,
	       fd_compared, bad);
	for (size_t i = 0; i < nd; i++)
		json_decref(D[i]);
	for (size_t i = 0; i < nj; i++)
		json_decref(J[i]);
	free(D);
	free(J);
	for (size_t i = 0; i < nk; i++) {
		free(K[i].fdname);
		free(K[i].argv);
	}
	free(K);
	json_decref(ref);
	return bad;
}

START_TEST(corpus)
{
	DIR *d = opendir(SCAP_CORPUS_DIR);
	if (!d) {
		printf("SKIP: scap corpus not found at %s\n", SCAP_CORPUS_DIR);
		return;
	}
	struct dirent *de;
	int files = 0, bad = 0;
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);
		if (n < 9 || strcmp(de->d_name + n - 9, ".ref.json") != 0)
			continue;
		char base[256];
		snprintf(base, sizeof base, "%.*s", (int)(n - 9), de->d_name);
		bad += check_one(base);
		files++;
	}
	closedir(d);
	printf("%d captures, %d unmatched values\n", files, bad);
	ck_assert_int_gt(files, 0);
	ck_assert_int_eq(bad, 0);
}
END_TEST

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	Suite *s = suite_create("scap_corpus");
	TCase *tc = tcase_create("corpus");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, corpus);
	suite_add_tcase(s, tc);
	return kcap_check_run(s);
}
