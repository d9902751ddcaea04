/*
 * fuzz_reader.c - libFuzzer target for the container reader: any input is
 * opened with kcap_reader_open_mem and read to the end (events rendered as
 * JSON, with the process tracker fed every origin's snapshot, and as text;
 * index loaded, a seek, raw blocks). Must never crash, leak or
 * over-read. Built with -DKCAP_FUZZ=ON under clang; fuzz_reader_replay runs
 * the same function over the seed corpus and its mutations in plain ctest.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <kcap/kcap.h>
#include <kcap/procstate.h>
#include "core/core.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void on_damage(void *ud, const kcap_error *e, uint64_t skipped)
{
	size_t *n = ud;
	(*n)++;
	/* a damage report always says where and what */
	if (e->offset < 0 || !e->msg[0] || e->code >= 0 || skipped > (uint64_t)1 << 40)
		abort();
}

static int keep_odd(void *ud, const kcap_block_summary *s)
{
	(void)ud;
	return kcap_summary_may_have_pid(s, 42) || kcap_summary_may_have_type(s, 3);
}

/* Blind mutations almost always fail the CRCs; re-sealing every block the
 * input frames lets the fuzzer reach the decoders behind them. */
static void reseal(uint8_t *d, size_t size)
{
	for (size_t i = 0; i + KCAP_BLOCK_OVERHEAD <= size; i++) {
		if (memcmp(d + i, kcap_sync, 4))
			continue;
		uint32_t plen = get_u32(d + i + 8);
		if (plen > size - i - KCAP_BLOCK_OVERHEAD)
			continue;
		put_u32(d + i + 12, kcap_crc32c(kcap_crc32c(0, d + i, 12), d + i + KCAP_BLOCK_HDR_LEN, plen));
		put_u32(d + i + 16, kcap_crc32c(0, d + i, 16));
	}
}

static void read_input(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	read_input(data, size);
	uint8_t *copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	if (size)
		memcpy(copy, data, size);
	reseal(copy, size);
	if (size && memcmp(copy, data, size))
		read_input(copy, size);
	free(copy);
	return 0;
}

static void read_input(const uint8_t *data, size_t size)
{
	kcap_reader *r = NULL;
	kcap_error err;
	kcap_buf b = {0};
	size_t ndmg = 0;
	/* pass 1: every event, rendered, with its process context per origin */
	kcap_procstate *ps = kcap_procstate_new();
	if (ps && kcap_reader_open_mem(&r, data, size, "fuzz", &err) == 0) {
		kcap_reader_set_damage_cb(r, on_damage, &ndmg);
		const kcap_event *ev;
		int n = 0;
		uint32_t section = UINT32_MAX;
		while (kcap_reader_next(r, &ev) == 1 && n++ < 100000) {
			const kcap_schema *s = kcap_reader_schema(r);
			if (kcap_reader_section(r) != section) {
				section = kcap_reader_section(r);
				kcap_procstate_load_reader(ps, r);
				for (size_t o = 0; o < kcap_reader_origin_snapshot_count(r); o++) {
					const kcap_snapshot *sn = kcap_reader_origin_snapshot(r, (uint16_t)o);
					for (size_t i = 0; i < kcap_snapshot_count(sn); i++)
						if (!kcap_snapshot_at(sn, i)->exe)
							abort();
				}
			}
			kcap_procstate_update(ps, ev, s);
			b.len = 0;
			kcap_render_json_proc(&b, ev, s, ps);
			kcap_render_text(&b, ev, s);
			kcap_event_field_text(&b, ev, s, "comm");
			kcap_event_field_text(&b, ev, s, "path");
		}
		const kcap_reader_stats *st = kcap_reader_get_stats(r);
		if (st->damaged != ndmg || st->bytes > size)
			abort();
		for (size_t i = 0; i < kcap_reader_stat_count(r); i++)
			if (!kcap_reader_stat_at(r, i)->source)
				abort();
		kcap_reader_close(r);
	}
	kcap_procstate_free(ps);
	/* pass 2: index, a seek to a time taken from the input, block filter */
	if (kcap_reader_open_mem(&r, data, size, "fuzz", &err) == 0) {
		int64_t ts = 0;
		if (size >= 8)
			memcpy(&ts, data + size - 8, 8);
		int ni = kcap_reader_load_index(r);
		for (int i = 0; i < ni; i++) {
			const kcap_block_summary *s = kcap_reader_index_at(r, (size_t)i);
			if (!s)
				abort();
			kcap_summary_may_have_pid(s, 42);
		}
		kcap_reader_set_block_filter(r, keep_odd, NULL);
		kcap_reader_seek_time(r, ts);
		const kcap_event *ev;
		int n = 0;
		while (kcap_reader_next(r, &ev) == 1 && n++ < 100000)
			;
		kcap_reader_close(r);
	}
	/* pass 3: raw blocks, as kcap cat copies them */
	if (kcap_reader_open_mem(&r, data, size, "fuzz", &err) == 0) {
		const void *blk;
		size_t len;
		const kcap_block_summary *sum;
		int n = 0;
		int k;
		while ((k = kcap_reader_next_raw_block(r, &blk, &len, &sum)) > 0 && n++ < 100000) {
			if (k == KCAP_RAW_EVENTS) {
				/* a block cut short: never bytes, its recovered events instead,
				 * read as records as kcap merge copies them */
				uint32_t left = kcap_reader_block_events_left(r);
				if (blk || len || sum || !left)
					abort();
				const kcap_event *ev;
				kcap_record rec;
				while (left) { /* each call, one of this block (undefined types skipped) */
					if (kcap_reader_next_record(r, &ev, &rec) != 1 || !ev->def ||
					    kcap_reader_block_events_left(r) >= left)
						abort();
					left = kcap_reader_block_events_left(r);
				}
				continue;
			}
			if (k != 1 || len > size || (const uint8_t *)blk < data || (const uint8_t *)blk + len > data + size)
				abort(); /* raw blocks from memory input point into it */
		}
		kcap_reader_close(r);
	}
	kcap_buf_free(&b);
}
