/*
 * check_scap_robust.c - the scap importer on damaged and hostile input
 * (issue 12 section 5), in process:
 *  - cut inside every block of a corpus capture: one note naming the file
 *    and the offset of the block cut short, KCAP_IMPORT_DAMAGED (exit 3),
 *    and the events of every block before it delivered (as many as the
 *    prefix that ends at that block boundary gives);
 *  - a flipped byte in the length field of the first block of every type:
 *    noted with its offset, and every event block but the damaged one read
 *    (resynchronisation on the next block);
 *  - flipped bytes in the bodies of blocks of every type: never a crash;
 *  - hostile lengths (0, 2^32-1, a process list block claiming 4 GiB, a
 *    process-list entry claiming a million bytes, a param length past its
 *    block): rejected with a note and without a large allocation.
 * The corpus part SKIPs visibly when ../shared/corpus/scap is absent.
 */
#include <check.h>
#include "check_run.h"
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include <kcap/kcap.h>

#include "scap/scap_import.h"

#ifndef SCAP_CORPUS_DIR
#define SCAP_CORPUS_DIR "../shared/corpus/scap"
#endif
/* raw (not gzip'd) captures with every V2 block kind, and an SHB 1.0 one */
static const char *const FILES[] = {"sfc_rename_rename2at.scap", "falco_empty_2016.scap"};

typedef struct notes {
	char first[1024];
	char last[1024];
	int n;
} notes;

static void on_note(void *ud, const char *line)
{
	notes *nt = ud;
	if (!nt->n)
		snprintf(nt->first, sizeof nt->first, "%s", line);
	snprintf(nt->last, sizeof nt->last, "%s", line);
	nt->n++;
}

typedef struct result {
	int rc;
	uint64_t events_read, out_events;
	notes nt;
} result;

/* Imports buf[0..n) named name; returns what happened. */
static result run(const uint8_t *buf, size_t n, const char *name)
{
	result res;
	memset(&res, 0, sizeof res);
	char in[] = "/tmp/scap_robust_in_XXXXXX", out[] = "/tmp/scap_robust_out_XXXXXX";
	int fd = mkstemp(in), ofd = mkstemp(out);
	ck_assert(fd >= 0 && ofd >= 0);
	ck_assert_int_eq(write(fd, buf, n), (ssize_t)n);
	lseek(fd, 0, SEEK_SET);
	kcap_writer *w;
	kcap_error err;
	ck_assert_int_eq(kcap_writer_open_fd(&w, ofd, 1, NULL, &err), 0);
	kcap_import_ctx c = {.w = w, .note = on_note, .note_ud = &res.nt};
	kcap_scap_import *r;
	ck_assert_int_eq(kcap_scap_import_new(&r, &c), 0);
	res.rc = kcap_scap_import_fd(r, fd, name);
	ck_assert_int_ge(kcap_scap_import_finish(r), 0);
	res.events_read = kcap_scap_import_stats(r)->events;
	kcap_scap_import_free(r);
	ck_assert_int_eq(kcap_writer_close(w), 0);
	close(fd);
	unlink(in);
	kcap_reader *rd;
	ck_assert_int_eq(kcap_reader_open_path(&rd, out, &err), 0);
	const kcap_event *ev;
	while (kcap_reader_next(rd, &ev) == 1)
		res.out_events++;
	kcap_reader_close(rd);
	unlink(out);
	return res;
}

static uint8_t *load(const char *file, size_t *n)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", SCAP_CORPUS_DIR, file);
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	*n = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *b = malloc(*n);
	ck_assert_uint_eq(fread(b, 1, *n, f), *n);
	fclose(f);
	return b;
}

static uint32_t rd32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static int is_event_block(uint32_t t)
{
	return t == 0x204 || t == 0x216 || t == 0x221 || t == 0x208 || t == 0x217 || t == 0x222;
}

START_TEST(truncation)
{
	size_t n;
	uint8_t *b = load(FILES[_i], &n);
	if (!b) {
		printf("SKIP: scap corpus not found at %s\n", SCAP_CORPUS_DIR);
		return;
	}
	size_t off = 0, blocks = 0, ev_before = 0, checked = 0;
	/* every block boundary for the first 300 blocks, then every 37th */
	while (off + 12 <= n) {
		uint32_t type = rd32(b + off), len = rd32(b + off + 4);
		ck_assert(len >= 12 && off + len <= n);
		if (blocks < 300 || blocks % 37 == 0) {
			result whole = run(b, off, FILES[_i]);     /* ends at the boundary: intact */
			result cut = run(b, off + len / 2, FILES[_i]); /* cut inside the block */
			ck_assert_int_eq(whole.rc, 0);
			ck_assert_uint_eq(whole.events_read, ev_before);
			if (off > 0) {
				ck_assert_msg(cut.rc == 1, "cut at %zu: rc %d", off + len / 2, cut.rc);
				char want[128];
				snprintf(want, sizeof want, "%s: offset %zu: ", FILES[_i], off);
				ck_assert_msg(strstr(cut.nt.last, want) == cut.nt.last, "cut at %zu: note '%s'", off + len / 2,
					      cut.nt.last);
				ck_assert_int_eq(cut.nt.n, 1);
				ck_assert_uint_eq(cut.events_read, ev_before);
				ck_assert_uint_eq(cut.out_events, whole.out_events);
			}
			checked++;
		}
		ev_before += is_event_block(type);
		off += len;
		blocks++;
	}
	printf("%s: %zu blocks, %zu cuts checked\n", FILES[_i], blocks, checked);
	free(b);
}
END_TEST

START_TEST(flips)
{
	size_t n;
	uint8_t *b = load(FILES[_i], &n);
	if (!b) {
		printf("SKIP: scap corpus not found at %s\n", SCAP_CORPUS_DIR);
		return;
	}
	result clean = run(b, n, FILES[_i]);
	ck_assert_int_eq(clean.rc, 0);
	uint32_t seen[64];
	size_t nseen = 0, off = 0, body_flips = 0;
	uint8_t *m = malloc(n);
	while (off + 12 <= n) {
		uint32_t type = rd32(b + off), len = rd32(b + off + 4);
		size_t k;
		for (k = 0; k < nseen && seen[k] != type; k++)
			;
		if (k == nseen && nseen < 64 && off > 0) {
			seen[nseen++] = type;
			/* the length field */
			memcpy(m, b, n);
			m[off + 4] ^= 0x5a;
			result r = run(m, n, FILES[_i]);
			ck_assert_int_eq(r.rc, 1);
			char want[128];
			snprintf(want, sizeof want, "%s: offset %zu: ", FILES[_i], off);
			ck_assert_msg(strstr(r.nt.first, want) == r.nt.first, "type 0x%x: note '%s'", type, r.nt.first);
			ck_assert_msg(r.events_read + (uint64_t)is_event_block(type) >= clean.events_read,
				      "type 0x%x flipped length: %llu of %llu event blocks read", type,
				      (unsigned long long)r.events_read, (unsigned long long)clean.events_read);
			/* bytes of the body: whatever they decode to, no crash, no more events than blocks */
			for (uint32_t p = 8; p + 4 < len; p += (len > 64 ? len / 16 : 3)) {
				memcpy(m, b, n);
				m[off + p] ^= 0xff;
				result rb = run(m, n, FILES[_i]);
				ck_assert(rb.rc == 0 || rb.rc == 1);
				ck_assert_uint_le(rb.events_read, clean.events_read);
				ck_assert_uint_ge(rb.events_read + 1, clean.events_read);
				body_flips++;
			}
		}
		off += len;
	}
	printf("%s: %zu block types flipped, %zu body flips\n", FILES[_i], nseen, body_flips);
	ck_assert_uint_ge(nseen, 5);
	free(m);
	free(b);
}
END_TEST

/* ---- hostile files built here ---- */
typedef struct fb {
	uint8_t b[4096];
	size_t n;
} fb;
static void put32(fb *f, uint32_t v) { memcpy(f->b + f->n, &v, 4); f->n += 4; }
static void put16(fb *f, uint16_t v) { memcpy(f->b + f->n, &v, 2); f->n += 2; }
static void put64(fb *f, uint64_t v) { memcpy(f->b + f->n, &v, 8); f->n += 8; }
static void shb(fb *f)
{
	put32(f, 0x0A0D0D0A);
	put32(f, 28);
	put32(f, 0x1A2B3C4D);
	put16(f, 1);
	put16(f, 2);
	put64(f, (uint64_t)-1);
	put32(f, 28);
}
/* one EV_V2 block: close enter (code 4), fd param of plen bytes claimed */
static void ev_close(fb *f, uint16_t plen, int64_t tid, uint64_t ts)
{
	size_t start = f->n;
	put32(f, 0x216);
	put32(f, 0); /* length below */
	put16(f, 0); /* cpu */
	put64(f, ts);
	put64(f, (uint64_t)tid);
	put32(f, 26 + 2 + 8);
	put16(f, 4);
	put32(f, 1);
	put16(f, plen);
	put64(f, 3);
	while ((f->n - start) % 4)
		f->b[f->n++] = 0;
	uint32_t len = (uint32_t)(f->n - start + 4);
	memcpy(f->b + start + 4, &len, 4);
	put32(f, len);
}

static long maxrss_mb(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss / 1024;
}

START_TEST(hostile)
{
	long before = maxrss_mb();
	fb f;
	/* a good file: two events */
	memset(&f, 0, sizeof f);
	shb(&f);
	ev_close(&f, 8, 100, 1000);
	ev_close(&f, 8, 100, 2000);
	result ok = run(f.b, f.n, "good.scap");
	ck_assert_int_eq(ok.rc, 0);
	ck_assert_uint_eq(ok.out_events, 2);
	static const uint32_t lens[] = {0, 0xffffffffu, 0x7ffffff0u, 8};
	for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
		/* a block of that length between two good events */
		memset(&f, 0, sizeof f);
		shb(&f);
		ev_close(&f, 8, 100, 1000);
		size_t bad = f.n;
		put32(&f, 0x215); /* PL_V9 */
		put32(&f, lens[i]);
		put32(&f, 1000000); /* its first entry claims a million bytes */
		put32(&f, 0);
		ev_close(&f, 8, 100, 2000);
		result r = run(f.b, f.n, "hostile.scap");
		ck_assert_msg(r.rc == 1, "length %u: rc %d", lens[i], r.rc);
		char want[64];
		snprintf(want, sizeof want, "hostile.scap: offset %zu: ", bad);
		ck_assert_msg(strstr(r.nt.first, want) == r.nt.first, "length %u: '%s'", lens[i], r.nt.first);
		/* the event before it, and the one after it once the reader resynchronises */
		ck_assert_msg(r.out_events == 2, "length %u: %llu events", lens[i], (unsigned long long)r.out_events);
	}
	/* a process list block whose one entry claims a million bytes */
	memset(&f, 0, sizeof f);
	shb(&f);
	put32(&f, 0x215);
	put32(&f, 24);
	put32(&f, 1000000);
	put32(&f, 0);
	put32(&f, 24);
	ev_close(&f, 8, 100, 1000);
	result pl = run(f.b, f.n, "pl.scap");
	ck_assert_int_eq(pl.rc, 1);
	ck_assert_msg(strstr(pl.nt.last, "pl.scap: offset ") != NULL, "'%s'", pl.nt.last);
	ck_assert_uint_eq(pl.out_events, 1);
	/* a param length past its block */
	memset(&f, 0, sizeof f);
	shb(&f);
	ev_close(&f, 60000, 100, 1000);
	ev_close(&f, 8, 100, 2000);
	result pp = run(f.b, f.n, "param.scap");
	ck_assert_int_eq(pp.rc, 1);
	ck_assert_msg(strstr(pp.nt.last, "param.scap: offset 28: malformed event") != NULL, "'%s'", pp.nt.last);
	ck_assert_uint_eq(pp.out_events, 1);
	/* not scap at all, and a byte-swapped one */
	result no = run((const uint8_t *)"hello world, not a capture", 26, "text");
	ck_assert_int_eq(no.rc, KCAP_IMPORT_FAILED);
	memset(&f, 0, sizeof f);
	shb(&f);
	f.b[8] = 0x1A, f.b[9] = 0x2B, f.b[10] = 0x3C, f.b[11] = 0x4D;
	result sw = run(f.b, f.n, "swapped.scap");
	ck_assert_int_eq(sw.rc, KCAP_IMPORT_FAILED);
	ck_assert_msg(strstr(sw.nt.last, "byte-swapped") != NULL, "'%s'", sw.nt.last);
	ck_assert_msg(maxrss_mb() - before < 100, "hostile lengths grew the peak RSS by %ld MB", maxrss_mb() - before);
}
END_TEST

/* one EV_V2 block of a drop enter (148: ratio u32) on cpu */
static void ev_drop(fb *f, uint16_t cpu, uint64_t ts)
{
	size_t start = f->n;
	put32(f, 0x216);
	put32(f, 0);
	put16(f, cpu);
	put64(f, ts);
	put64(f, 7);
	put32(f, 26 + 2 + 4);
	put16(f, 148);
	put32(f, 1);
	put16(f, 4);
	put32(f, 2);
	while ((f->n - start) % 4)
		f->b[f->n++] = 0;
	uint32_t len = (uint32_t)(f->n - start + 4);
	memcpy(f->b + start + 4, &len, 4);
	put32(f, len);
}

/* drop notifications become loss counters per CPU; events out of time order
 * within the window are written in order and said */
START_TEST(drops_and_order)
{
	fb f;
	memset(&f, 0, sizeof f);
	shb(&f);
	ev_close(&f, 8, 100, 3000);
	ev_drop(&f, 3, 3100);
	ev_close(&f, 8, 101, 2000); /* 1 us back: within the window */
	/* both close enters wait for exits that never come: they are written
	 * at the end, behind the drops, so two events came after newer ones */
	ev_drop(&f, 3, 3200);
	ev_drop(&f, 1, 3300);
	char in[] = "/tmp/scap_drop_XXXXXX", out[] = "/tmp/scap_drop_out_XXXXXX";
	int fd = mkstemp(in), ofd = mkstemp(out);
	ck_assert_int_eq(write(fd, f.b, f.n), (ssize_t)f.n);
	lseek(fd, 0, SEEK_SET);
	kcap_writer *w;
	kcap_error err;
	ck_assert_int_eq(kcap_writer_open_fd(&w, ofd, 1, NULL, &err), 0);
	notes nt = {0};
	kcap_import_ctx c = {.w = w, .note = on_note, .note_ud = &nt};
	kcap_scap_import *r;
	ck_assert_int_eq(kcap_scap_import_new(&r, &c), 0);
	ck_assert_int_eq(kcap_scap_import_fd(r, fd, "drops.scap"), 0);
	ck_assert_int_eq(kcap_scap_import_finish(r), 0);
	ck_assert_uint_eq(kcap_scap_import_stats(r)->disordered, 2);
	ck_assert_uint_eq(kcap_scap_import_stats(r)->unordered, 0);
	kcap_scap_import_free(r);
	ck_assert_int_eq(kcap_writer_close(w), 0);
	close(fd);
	unlink(in);
	kcap_reader *rd;
	ck_assert_int_eq(kcap_reader_open_path(&rd, out, &err), 0);
	const kcap_event *ev;
	int64_t prev = INT64_MIN;
	int n = 0, drops = 0;
	while (kcap_reader_next(rd, &ev) == 1) {
		ck_assert_int_ge(ev->ts, prev); /* in time order */
		prev = ev->ts;
		n++;
		drops += strcmp(ev->def->name, "scap_drop") == 0;
	}
	ck_assert_int_eq(n, 5);
	ck_assert_int_eq(drops, 3);
	uint64_t lost3 = 0, lost1 = 0;
	for (size_t i = 0; i < kcap_reader_stat_count(rd); i++) {
		const kcap_stat *st = kcap_reader_stat_at(rd, i);
		ck_assert_str_eq(st->source, "scap-drop");
		if (st->cpu == 3)
			lost3 = st->lost;
		if (st->cpu == 1)
			lost1 = st->lost;
	}
	ck_assert_uint_eq(lost3, 2);
	ck_assert_uint_eq(lost1, 1);
	kcap_reader_close(rd);
	unlink(out);
}
END_TEST

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	Suite *s = suite_create("scap_robust");
	TCase *tc = tcase_create("robust");
	tcase_set_timeout(tc, 300);
	tcase_add_loop_test(tc, truncation, 0, 2);
	tcase_add_loop_test(tc, flips, 0, 2);
	tcase_add_test(tc, hostile);
	tcase_add_test(tc, drops_and_order);
	suite_add_tcase(s, tc);
	return kcap_check_run(s);
}
