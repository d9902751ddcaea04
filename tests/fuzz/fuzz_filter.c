/*
 * fuzz_filter.c - libFuzzer target for the filter language (kcap_filter_compile)
 * and the time and duration literals (kcap_parse_time, kcap_parse_duration).
 *
 * Each input is one expression. Besides "no crash, no leak, no UB", it
 * checks what the CLI relies on: a rejected expression names a column inside
 * it (or just past its end) and says why; an accepted one evaluates on
 * events of several types, with and without process context; its verdict
 * on the canonical fields alone is open or right; and neither its block
 * test (the summary) nor its body test (the records' bytes) ever rules out
 * a block that holds a matching event.
 *
 * Build: cmake -B build-fuzz -DKCAP_FUZZ=ON -DCMAKE_C_COMPILER=clang
 * Run:   build-fuzz/tests/fuzz/fuzz_filter -max_len=512 -rss_limit_mb=1024 NEW_CORPUS_DIR tests/fuzz/filter_seeds
 * (no -ignore_ooms: a regex's compile cost is bounded before regcomp)
 * Every build also replays the seeds with mutations (fuzz_filter_replay).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <kcap/filter.h>
#include <kcap/procstate.h>
#include <kcap/taxonomy.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define T0 1795255200000000000LL /* 2026-11-21T10:00:00Z */
#define NEVENTS 5

static kcap_schema *schema;
static kcap_event events[NEVENTS];
static kcap_value vals[NEVENTS][KCAP_MAX_PARAMS];
static kcap_buf recs[NEVENTS]; /* each event's record tail, as a writer stores it */

static void set_str(kcap_value *v, const char *s, size_t n)
{
	v->present = 1;
	v->p = (const uint8_t *)s;
	v->len = (uint32_t)n;
}

static void event_of(int i, uint32_t type, int32_t pid, const char *comm)
{
	kcap_event *ev = &events[i];
	const kcap_type_def *d = kcap_schema_type(schema, type);
	if (!d)
		abort();
	ev->type_id = type;
	ev->def = d;
	ev->seq = (uint64_t)i + 1;
	ev->ts = T0 + (int64_t)i * 1000000000;
	ev->pid = ev->tid = pid;
	ev->ppid = 1;
	ev->cpu = (uint32_t)i % 2;
	ev->uid = ev->gid = i ? 1000 : 0;
	ev->comm = comm;
	ev->comm_len = (uint16_t)strlen(comm);
	ev->params = vals[i];
	ev->nparams = d->nparams;
	for (uint32_t k = 0; k < d->nparams; k++)
		vals[i][k].type = d->params[k].type;
}

static void setup(void)
{
	schema = kcap_schema_new();
	if (!schema || kcap_taxonomy_schema(schema))
		abort();
	event_of(0, KCAP_EV_CLONE, 100, "bash");
	vals[0][KCAP_P_CLONE_FLAGS].present = 1;
	vals[0][KCAP_P_CLONE_FLAGS].u = 0x11;
	vals[0][KCAP_P_CLONE_CHILD_PID].present = 1;
	vals[0][KCAP_P_CLONE_CHILD_PID].i = 101;
	vals[0][KCAP_P_CLONE_RET].present = 1;
	vals[0][KCAP_P_CLONE_RET].i = 101;
	event_of(1, KCAP_EV_EXECVE, 101, "cat");
	set_str(&vals[1][KCAP_P_EXEC_PATH], "/usr/bin/cat", 12);
	set_str(&vals[1][KCAP_P_EXEC_ARGV], "cat\0/etc/passwd\0", 16);
	vals[1][KCAP_P_EXEC_ARGV].count = 2;
	vals[1][KCAP_P_EXEC_RET].present = 1;
	event_of(2, KCAP_EV_OPENAT, 101, "cat");
	set_str(&vals[2][KCAP_P_OPEN_PATH], "/etc/passwd", 11);
	vals[2][KCAP_P_OPEN_FLAGS].present = 1;
	vals[2][KCAP_P_OPEN_FLAGS].u = 0x80000;
	vals[2][KCAP_P_OPEN_RET].present = 1;
	vals[2][KCAP_P_OPEN_RET].i = -13;
	event_of(3, KCAP_EV_CONNECT, 42, "curl");
	kcap_value *a = &vals[3][KCAP_P_ADDR_ADDR];
	a->present = 1;
	a->af = KCAP_AF_INET;
	a->port = 443;
	memcpy(a->addr, "\x5d\xb8\xd8\x22", 4);
	vals[3][KCAP_P_ADDR_RET].present = 1;
	event_of(4, KCAP_EV_EXIT_GROUP, 101, "cat");
	vals[4][KCAP_P_EXIT_STATUS].present = 1;
	for (int i = 0; i < NEVENTS; i++) {
		kcap_record rec;
		if (kcap_record_encode(&recs[i], &events[i], events[i].def, &rec))
			abort();
	}
}

/* The summary of a block holding exactly event i. */
static void summary_of(int i, kcap_block_summary *sum, uint8_t *bloom)
{
	memset(sum, 0, sizeof *sum);
	sum->count = 1;
	sum->first_ts = sum->last_ts = events[i].ts;
	sum->first_seq = sum->last_seq = events[i].seq;
	sum->ordered = 1;
	sum->types[events[i].type_id >> 3] = (uint8_t)(1u << (events[i].type_id & 7));
	sum->pid_min = sum->pid_max = events[i].pid;
	sum->bloom_bits = 0; /* no Bloom filter: the pid range decides */
	sum->bloom = bloom;
}

static void check_error(const kcap_error *err, size_t len, const char *what)
{
	if (err->column < 1 || (size_t)err->column > len + 1 || !err->msg[0]) {
		fprintf(stderr, "fuzz_filter: %s error without a column in range: column %d of %zu, msg '%s'\n", what,
			err->column, len, err->msg);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!schema)
		setup();
	if (size > 4096)
		return 0;
	char *expr = malloc(size + 1);
	if (!expr)
		return 0;
	memcpy(expr, data, size);
	expr[size] = 0;
	size_t len = strlen(expr); /* an embedded NUL ends the expression, as in argv */

	kcap_error err;
	int64_t t;
	memset(&err, 0, sizeof err);
	if (kcap_parse_time(expr, T0, T0 + 60000000000LL, &t, &err))
		check_error(&err, len, "time");
	memset(&err, 0, sizeof err);
	if (kcap_parse_duration(expr, &t, &err))
		check_error(&err, len, "duration");

	kcap_filter *f = NULL;
	memset(&err, 0, sizeof err);
	if (kcap_filter_compile(&f, expr, &err)) {
		check_error(&err, len, "filter");
		free(expr);
		return 0;
	}
	memset(&err, 0, sizeof err);
	kcap_filter_check_schema(f, schema, &err);
	kcap_filter_set_span(f, T0, T0 + (NEVENTS - 1) * 1000000000LL);
	kcap_procstate *ps = kcap_filter_uses_proc(f) ? kcap_procstate_new() : NULL;
	uint8_t bloom[8] = {0};
	for (int i = 0; i < NEVENTS; i++) {
		if (ps)
			kcap_procstate_update(ps, &events[i], schema);
		int m = kcap_filter_match(f, &events[i], schema, ps);
		kcap_event head = events[i];
		head.params = NULL;
		head.nparams = 0;
		int h = kcap_filter_match_head(f, &head, schema);
		if (h != -1 && h != m) {
			fprintf(stderr, "fuzz_filter: '%s' on event %d: match_head %d, match %d\n", expr, i, h, m);
			abort();
		}
		kcap_block_summary sum;
		summary_of(i, &sum, bloom);
		/* proc.* fields depend on events before the block: no promise */
		if (m && !ps && !kcap_filter_block_may_match(f, &sum, schema)) {
			fprintf(stderr, "fuzz_filter: '%s' matches event %d but its block is skipped\n", expr, i);
			abort();
		}
		if (m && !ps && !kcap_filter_body_may_match(f, (const uint8_t *)recs[i].data, recs[i].len, schema)) {
			fprintf(stderr, "fuzz_filter: '%s' matches event %d but its records are ruled out\n", expr, i);
			abort();
		}
	}
	kcap_procstate_free(ps);
	kcap_filter_free(f);
	free(expr);
	return 0;
}
