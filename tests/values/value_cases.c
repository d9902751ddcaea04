/*
 * value_cases - runs the data-driven tests of values.test: the one grammar of
 * counts, integers, sizes, durations, reals and times (kcap.h "values",
 * filter.h "time literals", docs/CLI.md "Values").
 *
 * Each line is KIND INPUT EXPECTED ('#' lines and blank lines are skipped):
 *     KIND      count | int | size | duration | real | time | resolve
 *     INPUT     the text parsed; "" stands for the empty string, "a b" for
 *               a text with blanks
 *     EXPECTED  the value (for time: N absolute, +N from the capture's start,
 *               -N from its end, in ns; for resolve: the time resolved
 *               against the reference, in ns), or "error COL FRAGMENT..."
 *               where the error's 1-based column is COL and its message
 *               holds FRAGMENT
 * and two directives for the resolve cases that follow them:
 *     ref START END NOW   the capture's span and the clock, ns since the epoch
 *     tz ZONE             the local time zone (TZ)
 *
 * Usage: value_cases FILE.test
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <kcap/filter.h>

/* The reference of resolve cases (a fixed clock: "now" is what the file says). */
static kcap_time_ref ref = {INT64_MIN, INT64_MIN, INT64_MIN};

/* One parser per kind, by the type it fills. */
static const struct kind {
	const char *name;
	int (*u64)(const char *, uint64_t *, kcap_error *);
	int (*i64)(const char *, int64_t *, kcap_error *);
	int (*real)(const char *, double *, kcap_error *);
	int time; /* kcap_parse_time_rel: 1 the anchor prefixes the value, 2 resolved against ref */
} kinds[] = {
	{"count", kcap_parse_count, NULL, NULL, 0},    {"int", NULL, kcap_parse_int, NULL, 0},
	{"size", kcap_parse_size, NULL, NULL, 0},      {"duration", NULL, kcap_parse_duration, NULL, 0},
	{"real", NULL, NULL, kcap_parse_real, 0},      {"time", NULL, NULL, NULL, 1},
	{"resolve", NULL, NULL, NULL, 2},
};

/* Parses in as k; writes the value as the file states it. */
static int parse(const struct kind *k, const char *in, char *out, size_t n, kcap_error *e)
{
	uint64_t u;
	int64_t i;
	double d;
	int anchor, rc;
	if (k->u64) {
		if (!(rc = k->u64(in, &u, e)))
			snprintf(out, n, "%" PRIu64, u);
	} else if (k->i64) {
		if (!(rc = k->i64(in, &i, e)))
			snprintf(out, n, "%" PRId64, i);
	} else if (k->real) {
		if (!(rc = k->real(in, &d, e)))
			snprintf(out, n, "%.17g", d);
	} else if (!(rc = kcap_parse_time_rel(in, &anchor, &i, e))) {
		if (k->time == 2) {
			if (!(rc = kcap_time_resolve(anchor, i, &ref, &i, e)))
				snprintf(out, n, "%" PRId64, i);
		} else if (anchor > KCAP_TIME_FROM_END) {
			snprintf(out, n, "anchor %d: %" PRId64, anchor, i); /* resolve cases state these */
		} else {
			snprintf(out, n, "%s%" PRId64, anchor == KCAP_TIME_FROM_START ? "+" : anchor == KCAP_TIME_FROM_END ? "-" : "",
			         anchor == KCAP_TIME_FROM_END ? -i : i);
		}
	}
	return rc;
}

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
		if (!strncmp(line, "ref ", 4)) {
			if (sscanf(line + 4, "%" SCNd64 " %" SCNd64 " %" SCNd64, &ref.start, &ref.end, &ref.now) != 3) {
				printf("not ok - %s:%d: malformed ref '%s'\n", argv[1], lineno, line);
				failed++;
			}
			continue;
		}
		if (!strncmp(line, "tz ", 3)) {
			setenv("TZ", line + 3, 1);
			tzset();
			continue;
		}
		int quoted = sscanf(line, "%31s \"%255[^\"]\" %n", kind, in, &used) == 2 && line[used];
		if (!quoted && (sscanf(line, "%31s %255s %n", kind, in, &used) != 2 || !line[used])) {
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
		int rc = parse(k, in, got, sizeof got, &e);
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
