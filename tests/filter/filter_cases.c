/*
 * filter_cases - runs the data-driven filter tests of filter.test.
 *
 * The file holds cases separated by blank lines ('#' lines are comments):
 *     EXPRESSION
 *     CAPTURE            base | multi (built by captures.c)
 *     EXPECTED           seq list "1 2 3", "none", "error COL: FRAGMENT", or
 *                        "note COL: FRAGMENT; SEQS"
 * An error case passes when compiling (or checking against the capture's
 * schema) fails with that 1-based column and a message containing FRAGMENT.
 * A note case passes when the filter matches SEQS and
 * kcap_filter_input_notes() says FRAGMENT at COL; every other match case
 * must give no note.
 * Every match case runs twice: a full scan, and a scan that skips blocks by
 * kcap_filter_block_may_match(); both must give the expected list. On every
 * event, kcap_filter_match_head() (canonical fields only) must either leave
 * the verdict open or agree with kcap_filter_match().
 *
 * Usage: filter_cases FILE.test [WORKDIR]
 *        filter_cases --write NAME OUT.kcap [BLOCK_SIZE]   (writes a test capture)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <kcap/filter.h>
#include "captures.h"

#define BLOCK_SIZE 160

typedef struct skipctx {
	kcap_filter *f;
	kcap_reader *r;
} skipctx;

static int block_cb(void *ud, const kcap_block_summary *sum)
{
	skipctx *c = ud;
	return kcap_filter_block_may_match(c->f, sum, kcap_reader_schema(c->r));
}

/* Runs f over the capture; appends matching seqs to out. Returns 0 or an
 * error (with err filled for schema check failures). */
static int run(kcap_filter *f, const char *path, int skip, char *out, size_t outsz, uint64_t *skipped,
               uint64_t *blocks, kcap_error *err, kcap_error *note)
{
	kcap_reader *r = NULL;
	kcap_procstate *ps = NULL;
	int rc = kcap_reader_open_path(&r, path, err);
	size_t o = 0;
	out[0] = 0;
	if (rc)
		goto cleanup;
	ps = kcap_procstate_new();
	if (!ps) {
		rc = KCAP_E_NOMEM;
		goto cleanup;
	}
	kcap_filter_set_now(f, CAP_T0 + 60000000000LL); /* the fixed clock of filter.test */
	if (kcap_reader_load_index(r) > 0) {
		size_t n = kcap_reader_index_count(r);
		kcap_filter_set_span(f, kcap_reader_index_at(r, 0)->first_ts, kcap_reader_index_at(r, n - 1)->last_ts);
	}
	skipctx sc = {f, r};
	if (skip)
		kcap_reader_set_block_filter(r, block_cb, &sc);
	const kcap_event *ev;
	int first = 1;
	while ((rc = kcap_reader_next(r, &ev)) == 1) {
		const kcap_schema *s = kcap_reader_schema(r);
		if (first) {
			first = 0;
			kcap_procstate_load_reader(ps, r);
			rc = kcap_filter_check_schema(f, s, err);
			if (rc)
				goto cleanup;
			memset(note, 0, sizeof(*note));
			kcap_filter_input_notes(f, r, note);
		}
		kcap_procstate_update(ps, ev, s);
		int m = kcap_filter_match(f, ev, s, ps);
		/* the verdict on the canonical fields alone, from an event without
		 * params, must be "undecided" or the full verdict */
		kcap_event head = *ev;
		head.params = NULL;
		head.nparams = 0;
		int h = kcap_filter_match_head(f, &head, s);
		if (h != -1 && h != m) {
			fprintf(stderr, "filter_cases: seq %llu: match_head says %d, match says %d\n",
				(unsigned long long)ev->seq, h, m);
			rc = KCAP_E_INVAL;
			snprintf(err->msg, sizeof err->msg, "kcap_filter_match_head disagrees on seq %llu",
				 (unsigned long long)ev->seq);
			goto cleanup;
		}
		if (m && o + 24 < outsz)
			o += (size_t)snprintf(out + o, outsz - o, "%s%llu", o ? " " : "", (unsigned long long)ev->seq);
	}
	if (rc < 0)
		goto cleanup;
	rc = 0;
	if (!o)
		snprintf(out, outsz, "none");
	if (skip) {
		*skipped += kcap_reader_get_stats(r)->blocks_skipped;
		*blocks += kcap_reader_get_stats(r)->blocks;
	}
cleanup:
	kcap_procstate_free(ps);
	kcap_reader_close(r);
	return rc;
}

static char *trim(char *s)
{
	size_t n = strlen(s);
	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = 0;
	return s;
}

/* Normalises a seq list (collapses spaces). */
static void norm(const char *in, char *out, size_t outsz)
{
	size_t o = 0;
	int sp = 0;
	for (; *in && o + 2 < outsz; in++) {
		if (*in == ' ' || *in == '\t') {
			sp = o > 0;
			continue;
		}
		if (sp)
			out[o++] = ' ';
		sp = 0;
		out[o++] = *in;
	}
	out[o] = 0;
}

int main(int argc, char **argv)
{
	if ((argc == 4 || argc == 5) && !strcmp(argv[1], "--write")) {
		int rc = cap_write(argv[2], argv[3], argc == 5 ? (uint32_t)strtoul(argv[4], NULL, 10) : 0);
		if (rc)
			fprintf(stderr, "filter_cases: %s: %s\n", argv[3], kcap_strerror(rc));
		return rc ? 1 : 0;
	}
	if (argc < 2) {
		fprintf(stderr, "usage: filter_cases FILE.test [WORKDIR] | --write NAME OUT\n");
		return 2;
	}
	const char *dir = argc > 2 ? argv[2] : ".";
	static const char *const caps[] = {"base", "multi"};
	char paths[2][1024];
	for (int i = 0; i < 2; i++) {
		snprintf(paths[i], sizeof(paths[i]), "%s/filter-%s-%d.kcap", dir, caps[i], (int)getpid());
		int rc = cap_write(caps[i], paths[i], BLOCK_SIZE);
		if (rc) {
			fprintf(stderr, "filter_cases: cannot write %s: %s\n", paths[i], kcap_strerror(rc));
			return 1;
		}
	}
	FILE *fp = fopen(argv[1], "r");
	if (!fp) {
		perror(argv[1]);
		return 1;
	}
	char line[3][2048];
	int have = 0, lineno = 0, start_line = 0;
	int ncases = 0, nfail = 0, nerr_cases = 0;
	uint64_t skipped = 0, blocks = 0;
	char buf[2048];
	for (;;) {
		char *got = fgets(buf, sizeof(buf), fp);
		if (got) {
			lineno++;
			trim(buf);
			if (buf[0] == '#')
				continue;
			if (buf[0]) {
				if (have == 3) {
					fprintf(stderr, "%s:%d: a case has more than 3 lines\n", argv[1], lineno);
					return 1;
				}
				if (!have)
					start_line = lineno;
				snprintf(line[have++], sizeof(line[0]), "%s", buf);
				continue;
			}
		}
		if (have == 3) {
			const char *expr = line[0], *cap = line[1], *want = line[2];
			const char *path = !strcmp(cap, "base") ? paths[0] : !strcmp(cap, "multi") ? paths[1] : NULL;
			char res[4096], res2[4096], wantn[4096], why[512] = "";
			kcap_error err = {0}, note = {0};
			kcap_filter *f = NULL;
			int ok = 1;
			ncases++;
			if (!path) {
				fprintf(stderr, "%s:%d: unknown capture '%s'\n", argv[1], start_line, cap);
				return 1;
			}
			int rc = kcap_filter_compile(&f, expr, &err);
			if (!rc)
				rc = run(f, path, 0, res, sizeof(res), &skipped, &blocks, &err, &note);
			if (!strncmp(want, "error", 5)) {
				nerr_cases++;
				int col = 0;
				const char *frag = strchr(want, ':');
				frag = frag ? frag + 1 : "";
				while (*frag == ' ')
					frag++;
				if (sscanf(want + 5, "%d", &col) != 1)
					col = -1;
				if (!rc) {
					ok = 0;
					snprintf(why, sizeof(why), "expected an error, got matches: %.400s", res);
				} else if ((col >= 0 && err.column != col) || !strstr(err.msg, frag)) {
					ok = 0;
					snprintf(why, sizeof(why), "got error column %d: %s", err.column, err.msg);
				}
			} else if (rc) {
				ok = 0;
				snprintf(why, sizeof(why), "error %s column %d: %s", kcap_strerror(rc), err.column, err.msg);
			} else {
				const char *seqs = want;
				char frag[512] = "";
				int ncol = 0;
				if (!strncmp(want, "note", 4)) {
					const char *c = strchr(want, ':'), *semi = strchr(want, ';');
					if (sscanf(want + 4, "%d", &ncol) != 1 || !c || !semi || semi < c) {
						fprintf(stderr, "%s:%d: a note case is 'note COL: FRAGMENT; SEQS'\n", argv[1], start_line);
						return 1;
					}
					for (c++; *c == ' '; c++)
						;
					snprintf(frag, sizeof(frag), "%.*s", (int)(semi - c), c);
					seqs = semi + 1;
				}
				norm(seqs, wantn, sizeof(wantn));
				if (frag[0] ? note.column != ncol || !strstr(note.msg, frag) : note.msg[0] != 0) {
					ok = 0;
					snprintf(why, sizeof(why), "expected note [%d: %.150s], got [%d: %.150s]", ncol, frag,
					         note.column, note.msg);
				} else if (strcmp(res, wantn)) {
					ok = 0;
					snprintf(why, sizeof(why), "expected [%.200s] got [%.200s]", wantn, res);
				} else if (!kcap_filter_uses_proc(f)) {
					rc = run(f, path, 1, res2, sizeof(res2), &skipped, &blocks, &err, &note);
					if (rc || strcmp(res2, wantn)) {
						ok = 0;
						snprintf(why, sizeof(why), "with block skipping: expected [%.150s] got [%.150s] (%.100s)", wantn,
						         res2, rc ? err.msg : "");
					}
				}
			}
			if (!ok) {
				nfail++;
				printf("not ok %d - %s:%d: %s: %s\n", ncases, argv[1], start_line, expr, why);
			} else {
				printf("ok %d - %s\n", ncases, expr);
			}
			kcap_filter_free(f);
		} else if (have) {
			fprintf(stderr, "%s:%d: incomplete case (%d lines)\n", argv[1], start_line, have);
			return 1;
		}
		have = 0;
		if (!got)
			break;
	}
	fclose(fp);
	for (int i = 0; i < 2; i++)
		unlink(paths[i]);
	printf("# filter cases: %d run (%d error cases), %d failed; block-skipping runs skipped %llu of %llu blocks\n",
	       ncases, nerr_cases, nfail, (unsigned long long)skipped, (unsigned long long)blocks);
	return nfail ? 1 : 0;
}
