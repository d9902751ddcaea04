/*
 * Per-stage CPU costs of the read path (issue 17 §1, the model of
 * docs/PERFORMANCE.md "Parallel read path"): for one capture, the CPU time
 * of this thread (CLOCK_THREAD_CPUTIME_ID, which load on the machine does
 * not inflate much, unlike wall time) of cumulative passes over the file
 * held in memory, each best of RUNS:
 *   crc         CRC32C over every byte of the file
 *   walk        the block walk, CRC checks and decompression of every block
 *               (the work the read-ahead workers take over)
 *   decode      + decoding every event (kcap_reader_next)
 *   filter      + kcap_filter_match of EXPR on every event
 *   render      + the process tracker and kcap_render_json_proc (convert
 *               --json's rendering, "proc" object included), into a buffer
 *   write       + write() of that buffer to /dev/null every 1 MiB
 * Prints one line per stage: name, ns per event of the stage alone (the
 * difference to the pass before), cumulative ns per event.
 *   usage: stages FILE [EXPR [RUNS]]
 * Not run by ctest.
 */
#define KCAP_EXPERIMENTAL_API
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <kcap/filter.h>
#include <kcap/kcap.h>
#include <kcap/procstate.h>
#include "common/common.h"
#include "core/reader_internal.h"

enum { CRC, WALK, DECODE, FILTER, RENDER, WRITE, NSTAGES };
static const char *const names[NSTAGES] = {"crc", "walk", "decode", "filter", "render", "write"};

static double cpu_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static uint8_t *buf;
static size_t len;
static const char *expr = "comm = \"bash\" and ret < 0";
static volatile uint64_t sink_;

/* One pass doing the stages up to last; returns the events read. */
static uint64_t pass(int last)
{
	if (last == CRC) {
		sink_ += kcap_crc32c(0, buf, len);
		return 0;
	}
	kcap_reader *r;
	kcap_error e;
	if (kcap_reader_open_mem(&r, buf, len, "bench", &e)) {
		fprintf(stderr, "stages: %s\n", e.msg);
		exit(1);
	}
	uint64_t n = 0;
	if (last == WALK) {
		while (kcap_rd_next_loaded(r) > 0)
			n += r->ev_left;
		kcap_reader_close(r);
		return n;
	}
	kcap_filter *f = NULL;
	if (last == FILTER && kcap_filter_compile(&f, expr, &e)) {
		fprintf(stderr, "stages: %s\n", e.msg);
		exit(1);
	}
	kcap_procstate *ps = last >= RENDER ? kcap_procstate_new() : NULL;
	if (ps)
		kcap_procstate_load_reader(ps, r);
	kcap_buf out = {0};
	int devnull = last == WRITE ? open("/dev/null", O_WRONLY) : -1;
	const kcap_event *ev;
	while (kcap_reader_next(r, &ev) > 0) {
		n++;
		const kcap_schema *s = kcap_reader_schema(r);
		if (f)
			sink_ += (uint64_t)kcap_filter_match(f, ev, s, NULL);
		if (ps) {
			kcap_procstate_follow(ps, r);
			kcap_procstate_update(ps, ev, s);
			kcap_render_json_proc(&out, ev, s, ps);
			kcap_buf_append(&out, "\n", 1);
			if (out.len >= (1u << 20)) {
				if (devnull >= 0 && write(devnull, out.data, out.len) < 0)
					exit(1);
				out.len = 0;
			}
		}
	}
	if (devnull >= 0) {
		if (out.len && write(devnull, out.data, out.len) < 0)
			exit(1);
		close(devnull);
	}
	kcap_buf_free(&out);
	kcap_procstate_free(ps);
	kcap_filter_free(f);
	kcap_reader_close(r);
	return n;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: stages FILE [EXPR [RUNS]]\n");
		return 2;
	}
	if (argc > 2)
		expr = argv[2];
	int runs = argc > 3 ? atoi(argv[3]) : 5;
	FILE *fp = fopen(argv[1], "rb");
	if (!fp || fseek(fp, 0, SEEK_END) || (len = (size_t)ftell(fp)) == 0 || fseek(fp, 0, SEEK_SET) ||
	    !(buf = malloc(len)) || fread(buf, 1, len, fp) != len) {
		fprintf(stderr, "stages: cannot read %s\n", argv[1]);
		return 1;
	}
	fclose(fp);
	double best[NSTAGES];
	uint64_t events = 0;
	for (int s = 0; s < NSTAGES; s++) {
		best[s] = 1e30;
		for (int i = 0; i < runs; i++) {
			double t0 = cpu_ns();
			uint64_t n = pass(s);
			double t = cpu_ns() - t0;
			if (n)
				events = n;
			if (t < best[s])
				best[s] = t;
		}
	}
	printf("# %s: %llu events, %zu bytes; CPU ns per event (best of %d)\n", argv[1], (unsigned long long)events,
	       len, runs);
	printf("# stage alone cumulative\n");
	/* filter is a branch off decode, not on render's way */
	for (int s = 0; s < NSTAGES; s++) {
		int before = s == CRC ? -1 : s == RENDER ? DECODE : s - 1;
		double alone = best[s] - (before < 0 ? 0 : best[before]);
		if (s == WALK)
			alone = best[WALK]; /* the CRC is part of the walk */
		printf("%s %.1f %.1f\n", names[s], alone / (double)events, best[s] / (double)events);
	}
	free(buf);
	return 0;
}
