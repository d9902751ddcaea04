/*
 * codec_params: measures the events-block design choices of the .kcap
 * container on a real capture, so that measured numbers pick them
 * (docs/PERFORMANCE.md, "Container (issue 2)").
 *
 *   codec_params CAPTURE
 *
 * Re-encodes every event of CAPTURE with libkcap's own record encoder
 * (kcap/src/codec.c) into events-block bodies under each variant, then
 * compresses and decompresses every body with zstd, and prints one table row
 * per variant: block size, timestamp coding, level, bytes per event, size
 * relative to 1 MiB blocks at level 3, and compression and decompression speed in
 * events/s on one core (CPU time of this process). Variants:
 *   - zstd level 1..6 at the default block size, delta timestamps;
 *   - block size 64 KiB .. 4 MiB at the default level;
 *   - timestamps as deltas from the previous event (the format), from the
 *     block's first event, or absolute.
 * Not a test: run by tests/bench/container/run.sh, never by ctest.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zstd.h>
#include "core/codec.h"

enum { TS_PREV, TS_BASE, TS_ABS };
static const char *const ts_names[] = {"delta-prev", "delta-block", "absolute"};

typedef struct variant {
	uint32_t block_size;
	int ts_mode;
	kcap_buf cur;      /* body being filled */
	kcap_buf rec;
	int64_t prev_ts, base_ts;
	uint64_t prev_seq;
	uint32_t count;
	kcap_buf *bodies;  /* finished bodies */
	size_t nbodies, cap;
} variant;

static double cpu_now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void finish_body(variant *v)
{
	if (!v->count)
		return;
	if (v->nbodies == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 64;
		v->bodies = realloc(v->bodies, v->cap * sizeof *v->bodies);
		if (!v->bodies) {
			perror("realloc");
			exit(1);
		}
	}
	v->bodies[v->nbodies++] = v->cur;
	memset(&v->cur, 0, sizeof v->cur);
	v->count = 0;
}

static void add_event(variant *v, const kcap_event *ev)
{
	if (!v->count) {
		v->prev_ts = v->base_ts = ev->ts;
		v->prev_seq = ev->seq;
	}
	int64_t ref = v->ts_mode == TS_PREV ? v->prev_ts : v->ts_mode == TS_BASE ? v->base_ts : 0;
	v->rec.len = 0;
	if (kcap_event_encode(&v->rec, ev, ev->def, ref, v->prev_seq) || kcap_buf_put_varint(&v->cur, v->rec.len) ||
	    kcap_buf_append(&v->cur, v->rec.data, v->rec.len)) {
		fprintf(stderr, "codec_params: cannot encode event %llu\n", (unsigned long long)ev->seq);
		exit(1);
	}
	v->prev_ts = ev->ts;
	v->prev_seq = ev->seq;
	v->count++;
	if (v->cur.len >= v->block_size)
		finish_body(v);
}

/* Compresses and decompresses every body of v at level; prints a row. */
static void measure(const variant *v, int level, uint64_t events, double ref_bytes)
{
	ZSTD_CCtx *cc = ZSTD_createCCtx();
	ZSTD_DCtx *dc = ZSTD_createDCtx();
	size_t raw = 0, packed = 0, maxb = 0;
	for (size_t i = 0; i < v->nbodies; i++)
		maxb = v->bodies[i].len > maxb ? v->bodies[i].len : maxb;
	size_t bound = ZSTD_compressBound(maxb);
	uint8_t **out = calloc(v->nbodies, sizeof *out);
	size_t *outlen = calloc(v->nbodies, sizeof *outlen);
	uint8_t *back = malloc(maxb ? maxb : 1);
	if (!cc || !dc || !out || !outlen || !back) {
		fprintf(stderr, "codec_params: out of memory\n");
		exit(1);
	}
	double t0 = cpu_now();
	for (size_t i = 0; i < v->nbodies; i++) {
		out[i] = malloc(bound);
		outlen[i] = ZSTD_compressCCtx(cc, out[i], bound, v->bodies[i].data, v->bodies[i].len, level);
		if (!out[i] || ZSTD_isError(outlen[i])) {
			fprintf(stderr, "codec_params: zstd failed\n");
			exit(1);
		}
		raw += v->bodies[i].len;
		packed += outlen[i];
	}
	double t1 = cpu_now();
	for (size_t i = 0; i < v->nbodies; i++) {
		size_t n = ZSTD_decompressDCtx(dc, back, maxb, out[i], outlen[i]);
		if (ZSTD_isError(n) || n != v->bodies[i].len || memcmp(back, v->bodies[i].data, n)) {
			fprintf(stderr, "codec_params: round trip failed\n");
			exit(1);
		}
	}
	double t2 = cpu_now();
	char bs[16];
	if (v->block_size >= (1u << 20))
		snprintf(bs, sizeof bs, "%uM", v->block_size >> 20);
	else
		snprintf(bs, sizeof bs, "%uK", v->block_size >> 10);
	printf("| %-5s | %-11s | %5d | %8.2f | %6.2f | %9.1f | %5.3f | %7.2f | %7.2f |\n", bs, ts_names[v->ts_mode], level,
	       (double)raw / (double)events, (double)packed / (double)events, (double)packed / 1e6,
	       ref_bytes > 0 ? (double)packed / ref_bytes : 1.0, (double)events / (t1 - t0) / 1e6,
	       (double)events / (t2 - t1) / 1e6);
	fflush(stdout);
	for (size_t i = 0; i < v->nbodies; i++)
		free(out[i]);
	free(out);
	free(outlen);
	free(back);
	ZSTD_freeCCtx(cc);
	ZSTD_freeDCtx(dc);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: codec_params CAPTURE\n");
		return 2;
	}
	static variant vs[] = {
		{.block_size = 1u << 20, .ts_mode = TS_PREV}, /* the format's default: first */
		{.block_size = 64u << 10, .ts_mode = TS_PREV},
		{.block_size = 256u << 10, .ts_mode = TS_PREV},
		{.block_size = 4u << 20, .ts_mode = TS_PREV},
		{.block_size = 1u << 20, .ts_mode = TS_BASE},
		{.block_size = 1u << 20, .ts_mode = TS_ABS},
	};
	size_t nv = sizeof vs / sizeof vs[0];
	kcap_reader *r;
	kcap_error err = {0};
	if (kcap_reader_open_path(&r, argv[1], &err)) {
		fprintf(stderr, "codec_params: %s: %s\n", argv[1], err.msg);
		return 1;
	}
	const kcap_event *ev;
	uint64_t events = 0;
	int rc;
	while ((rc = kcap_reader_next(r, &ev)) > 0) {
		if (!ev->def)
			continue;
		for (size_t i = 0; i < nv; i++)
			add_event(&vs[i], ev);
		events++;
	}
	if (rc < 0) {
		fprintf(stderr, "codec_params: %s: %s\n", argv[1], kcap_reader_error(r)->msg);
		return 1;
	}
	kcap_reader_close(r);
	for (size_t i = 0; i < nv; i++)
		finish_body(&vs[i]);
	printf("%llu events from %s; zstd %s; speeds are events/s on one core (CPU time)\n\n",
	       (unsigned long long)events, argv[1], ZSTD_versionString());
	printf("| block | timestamps  | level | raw B/ev | zst B/ev | zst MB | vs 1M L3 | compress Mev/s | decompress Mev/s |\n");
	printf("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
	/* sizes are relative to 1 MiB blocks, delta timestamps, level 3 */
	ZSTD_CCtx *cc = ZSTD_createCCtx();
	size_t ref = 0;
	for (size_t i = 0; i < vs[0].nbodies; i++) {
		size_t bound = ZSTD_compressBound(vs[0].bodies[i].len);
		void *o = malloc(bound);
		size_t n = ZSTD_compressCCtx(cc, o, bound, vs[0].bodies[i].data, vs[0].bodies[i].len, 3);
		ref += ZSTD_isError(n) ? 0 : n;
		free(o);
	}
	ZSTD_freeCCtx(cc);
	static const int levels[] = {-1, 1, 2, 3, 4, 6};
	for (size_t k = 0; k < sizeof levels / sizeof levels[0]; k++)
		measure(&vs[0], levels[k], events, (double)ref);
	for (size_t i = 1; i < nv; i++) {
		measure(&vs[i], 1, events, (double)ref);
		measure(&vs[i], 3, events, (double)ref);
	}
	return 0;
}
