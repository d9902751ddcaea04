/*
 * fuzz_reader_seeds.c - writes the seed corpus of fuzz_reader into a
 * directory: small captures from our own writer covering every block type
 * (snapshots with and without an origin), both codecs, two sections, a
 * crashed writer and an unknown block type; and captures cut inside their
 * last events block (a recorder killed mid-write), alone and followed by a
 * whole capture (cat cut.kcap next.kcap); and the hostile captures of
 * tests/robustness (hostile.c: indexes that lie, ...).
 * usage: fuzz_reader_seeds DIR
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "core/core.h"
#include "hostile.h"
#include "testcap.h"
#include "robustness/amp_capture.h"

static int save(const char *dir, const char *name, const uint8_t *buf, size_t len)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(buf, 1, len, f) != len || fclose(f)) {
		fprintf(stderr, "fuzz_reader_seeds: cannot write %s\n", path);
		return -1;
	}
	return 0;
}

/* Saves buf cut inside its last events block: in the payload (12 bytes
 * short of its end) and in the trailer (the payload whole), and the first of these
 * followed by the whole of buf. */
static int save_cuts(const char *dir, const char *name, const uint8_t *buf, size_t len)
{
	testcap_part parts[256];
	int n = testcap_walk(buf, len, parts, 256), last = -1, rc = 0;
	for (int i = 0; i < n; i++)
		if (parts[i].type == KCAP_BLK_EVENTS)
			last = i;
	if (last < 0)
		return 0;
	char cname[256];
	size_t cut = parts[last].off + parts[last].len - KCAP_BLOCK_TRAILER_LEN - 12;
	snprintf(cname, sizeof cname, "cut-%s", name);
	rc |= save(dir, cname, buf, cut);
	snprintf(cname, sizeof cname, "cut-trailer-%s", name);
	rc |= save(dir, cname, buf, parts[last].off + parts[last].len - 1);
	uint8_t *two = malloc(cut + len);
	if (!two)
		return -1;
	memcpy(two, buf, cut);
	memcpy(two + cut, buf, len);
	snprintf(cname, sizeof cname, "cut-then-next-%s", name);
	rc |= save(dir, cname, two, cut + len);
	free(two);
	return rc;
}

/* Issue 11 finding 3: a capture naming origin 65535 beside a section
 * snapshot (amp_capture.h), which the tracker once copied 65535 times. */
static int save_amp_seed(const char *dir)
{
	uint8_t *buf;
	size_t len;
	if (amp_capture_build(&buf, &len)) {
		fprintf(stderr, "fuzz_reader_seeds: cannot build snapshot-amp.kcap\n");
		return -1;
	}
	int rc = save(dir, "snapshot-amp.kcap", buf, len);
	free(buf);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: fuzz_reader_seeds DIR\n");
		return 2;
	}
	mkdir(argv[1], 0755);
	static const struct {
		const char *name;
		testcap_opts o;
	} seeds[] = {
		{"plain.kcap", {.nevents = 12, .block_size = 512}},
		{"raw.kcap", {.nevents = 12, .block_size = 512, .codec_none = 1}},
		{"full.kcap", {.nevents = 30, .block_size = 1024, .with_snapshot = 1, .with_stats = 1}},
		{"sections.kcap", {.nevents = 8, .block_size = 512, .sections = 2, .with_stats = 1}},
		{"origin-snapshots.kcap",
		 {.nevents = 20, .block_size = 512, .sections = 2, .with_snapshot = 1, .with_origin_snapshot = 1}},
		{"crashed.kcap", {.nevents = 16, .block_size = 512, .no_close = 1}},
		{"pid42.kcap", {.nevents = 40, .block_size = 1024, .first_seq = 190}},
		{"one.kcap", {.nevents = 1}},
		{"empty.kcap", {.nevents = 0}},
	};
	int rc = 0;
	for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++) {
		uint8_t *buf;
		size_t len;
		if (testcap_build(&seeds[i].o, &buf, &len)) {
			fprintf(stderr, "fuzz_reader_seeds: cannot build %s\n", seeds[i].name);
			return 1;
		}
		rc |= save(argv[1], seeds[i].name, buf, len);
		if (i < 5) /* plain, raw, full, sections, crashed */
			rc |= save_cuts(argv[1], seeds[i].name, buf, len);
		if (i == 0) { /* the same capture with an unknown block type in front of the events */
			size_t blen;
			uint8_t *blk = testcap_frame_block(99, 1, "future", 6, &blen);
			uint8_t *mix = malloc(len + blen);
			memcpy(mix, buf, 16);
			memcpy(mix + 16, blk, blen);
			memcpy(mix + 16 + blen, buf + 16, len - 16);
			rc |= save(argv[1], "unknown-block.kcap", mix, len + blen);
			free(mix);
			free(blk);
		}
		free(buf);
	}
	rc |= save_amp_seed(argv[1]);
	for (size_t i = 0; i < hostile_count(); i++) {
		hostile_file f;
		if (hostile_make(i, &f)) {
			fprintf(stderr, "fuzz_reader_seeds: cannot build hostile capture %zu\n", i);
			return 1;
		}
		rc |= save(argv[1], f.name, f.buf, f.len);
		free(f.buf);
	}
	return rc ? 1 : 0;
}
