/*
 * value_cases - runs the data-driven tests of values.test: the one grammar of
 * counts, integers, sizes, durations, reals and times (kcap.h "values",
 * filter.h "time literals", docs/CLI.md "Values").
 *
 * Each line is KIND INPUT EXPECTED ('#' lines and blank lines are skipped):
 *     KIND      count | int | size | duration | real | time
 *     INPUT     the text parsed; "" stands for the empty string
 *     EXPECTED  the value (for time: N absolute, +N from the capture's start,
 *               -N from its end, in ns), or "error COL FRAGMENT..." where the
 *               error's 1-based column is COL and its message holds FRAGMENT
 *
 * Usage: value_cases FILE.test
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <kcap/filter.h>

/* Parses in with the kind's parser; writes the value as text the way the
 * file states it. */
typedef int (*parse_fn)(const char *in, char *out, size_t n, kcap_error *e);

static int p_count(const char *in, char *out, size_t n, kcap_error *e)
{
	uint64_t v;
	int rc = kcap_parse_count(in, &v, e);
	if (!rc)
		snprintf(out, n, "%" PRIu64, v);
	return rc;
}

static int p_int(const char *in, char *out, size_t n, kcap_error *e)
{
	int64_t v;
	int rc = kcap_parse_int(in, &v, e);
	if (!rc)
		snprintf(out, n, "%" PRId64, v);
	return rc;
}

static int p_size(const char *in, char *out, size_t n, kcap_error *e)
{
	uint64_t v;
	int rc = kcap_parse_size(in, &v, e);
	if (!rc)
		snprintf(out, n, "%" PRIu64, v);
	return rc;
}

static int p_duration(const char *in, char *out, size_t n, kcap_error *e)
{
	int64_t v;
	int rc = kcap_parse_duration(in, &v, e);
	if (!rc)
		snprintf(out, n, "%" PRId64, v);
	return rc;
}

static int p_real(const char *in, char *out, size_t n, kcap_error *e)
{
	double v;
	int rc = kcap_parse_real(in, &v, e);
	if (!rc)
		snprintf(out, n, "%.17g", v);
	return rc;
}

static int p_time(const char *in, char *out, size_t n, kcap_error *e)
{
	int anchor;
	int64_t v;
	int rc = kcap_parse_time_rel(in, &anchor, &v, e);
	if (!rc)
		snprintf(out, n, "%s%" PRId64, anchor == KCAP_TIME_FROM_START ? "+" : anchor == KCAP_TIME_FROM_END ? "-" : "",
		         anchor == KCAP_TIME_FROM_END ? -v : v);
	return rc;
}

static const struct kind {
	const char *name;
	parse_fn parse;
} kinds[] = {
	{"count", p_count}, {"int", p_int},   {"size", p_size},
	{"duration", p_duration}, {"real", p_real}, {"time", p_time},
};

/* The canonical text of an expected real, so that 1e9 and 1000000000 agree. */
static void canon_real(const char *kind, const char *want, char *out, size_t n)
{
	if (!strcmp(kind, "real"))
		snprintf(out, n, "%.17g", strtod(want, NULL));
	else
		snprintf(out, n, "%s", want);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: value_cases FILE.test\n");
		return 2;
	}
	FILE *f = fopen(argv[1], "r");
	if (!f) {
		perror(argv[1]);
		return 2;
	}
	char line[512];
	int lineno = 0, run = 0, failed = 0;
	while (fgets(line, sizeof line, f)) {
		lineno++;
		line[strcspn(line, "\n")] = 0;
		if (!line[0] || line[0] == '#')
			continue;
		char kind[32], in[256], want[256];
		int used = 0;
		if (sscanf(line, "%31s %255s %n", kind, in, &used) != 2 || !line[used]) {
			printf("not ok - %s:%d: malformed line '%s'\n", argv[1], lineno, line);
			failed++;
			continue;
		}
		snprintf(want, sizeof want, "%s", line + used);
		if (!strcmp(in, "\"\""))
			in[0] = 0;
		const struct kind *k = NULL;
		for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
			if (!strcmp(kinds[i].name, kind))
				k = &kinds[i];
		run++;
		if (!k) {
			printf("not ok %d - %s:%d: unknown kind '%s'\n", run, argv[1], lineno, kind);
			failed++;
			continue;
		}
		char got[128];
		kcap_error e;
		memset(&e, 0, sizeof e);
		int rc = k->parse(in, got, sizeof got, &e);
		int ok;
		if (!strncmp(want, "error ", 6)) {
			int col = 0, n = 0;
			sscanf(want + 6, "%d %n", &col, &n);
			const char *frag = want + 6 + n;
			ok = rc < 0 && e.column == col && strstr(e.msg, frag);
			if (!ok)
				printf("not ok %d - %s:%d: %s '%s': expected error at column %d with '%s', got %s (column %d: %s)\n",
				       run, argv[1], lineno, kind, in, col, frag, rc ? "an error" : got, e.column, e.msg);
		} else {
			char canon[256];
			canon_real(kind, want, canon, sizeof canon);
			ok = !rc && !strcmp(got, canon);
			if (!ok)
				printf("not ok %d - %s:%d: %s '%s': expected %s, got %s%s\n", run, argv[1], lineno, kind, in, canon,
				       rc ? "error: " : "", rc ? e.msg : got);
		}
		if (ok)
			printf("ok %d - %s '%s'\n", run, kind, in);
		else
			failed++;
	}
	fclose(f);
	printf("# value cases: %d run, %d failed\n", run, failed);
	return failed || !run ? 1 : 0;
}
