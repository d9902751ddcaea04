/*
 * damage_cases.c - writes damaged variants of an intact capture for the CLI
 * robustness check (cli_damage.sh) and prints one line per variant:
 *   FILE EVENTS_EXPECTED DAMAGE_OFFSETS(comma-separated, "-" for none) RECOVERED
 * EVENTS_EXPECTED counts every event to be delivered, RECOVERED those of
 * them that come from an events block cut short (the damage line says how
 * many). The capture's events blocks hold one zstd block each (16 KiB).
 * usage: damage_cases INPUT.kcap OUTDIR
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include "core/core.h"
#include "testcap.h"

#define MAX_PARTS 4096
static testcap_part parts[MAX_PARTS];
static int nparts;
static const char *outdir;

static uint64_t events_except(size_t cut, int skip1, int skip2)
{
	uint64_t n = 0;
	for (int i = 0; i < nparts; i++)
		if (parts[i].type == KCAP_BLK_EVENTS && parts[i].off + parts[i].len <= cut && i != skip1 && i != skip2)
			n += parts[i].count;
	return n;
}

static int emit_rec(const char *name, const uint8_t *buf, size_t len, uint64_t events, const char *offsets,
		    uint64_t recovered)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", outdir, name);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(buf, 1, len, f) != len || fclose(f)) {
		fprintf(stderr, "damage_cases: cannot write %s\n", path);
		return -1;
	}
	printf("%s %llu %s %llu\n", path, (unsigned long long)events + recovered, offsets,
	       (unsigned long long)recovered);
	return 0;
}

static int emit(const char *name, const uint8_t *buf, size_t len, uint64_t events, const char *offsets)
{
	return emit_rec(name, buf, len, events, offsets, 0);
}

static int nth(int type, int k)
{
	for (int i = 0; i < nparts; i++)
		if (parts[i].type == type && k-- == 0)
			return i;
	return -1;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: damage_cases INPUT.kcap OUTDIR\n");
		return 2;
	}
	outdir = argv[2];
	int fd = open(argv[1], O_RDONLY);
	uint8_t *cap;
	size_t len;
	if (fd < 0 || testcap_slurp_fd(fd, &cap, &len)) {
		fprintf(stderr, "damage_cases: cannot read %s\n", argv[1]);
		return 1;
	}
	close(fd);
	nparts = testcap_walk(cap, len, parts, MAX_PARTS);
	int e1 = nth(KCAP_BLK_EVENTS, 1), e2 = nth(KCAP_BLK_EVENTS, 3);
	int meta = nth(KCAP_BLK_META, 0), schema = nth(KCAP_BLK_SCHEMA, 0);
	int index = nth(KCAP_BLK_INDEX, 0), footer = nth(KCAP_BLK_FOOTER, 0);
	if (nparts < 0 || e1 < 0 || e2 < 0 || meta < 0 || schema < 0 || index < 0 || footer < 0) {
		fprintf(stderr, "damage_cases: %s needs 4 events blocks, metadata, schema, index and footer\n", argv[1]);
		return 1;
	}
	uint8_t *b = malloc(len);
	char offs[1024];
	int rc = 0;
#define OFF1(p) (snprintf(offs, sizeof offs, "%zu", parts[p].off), offs)
	/* truncations: half of a block's one zstd block yields nothing, a
	 * whole payload without its trailer passes the CRC and yields it all */
	size_t cut = parts[e1].off + parts[e1].len / 2;
	rc |= emit("trunc-in-events.kcap", cap, cut, events_except(cut, -1, -1), OFF1(e1));
	cut = parts[e1].off + parts[e1].len - 2;
	rc |= emit_rec("trunc-in-trailer.kcap", cap, cut, events_except(cut, -1, -1), OFF1(e1), parts[e1].count);
	cut = parts[e1].off + 10;
	rc |= emit("trunc-in-header.kcap", cap, cut, events_except(cut, -1, -1), OFF1(e1));
	cut = parts[e2].off; /* a crashed writer: no damage, no index */
	rc |= emit("trunc-at-boundary.kcap", cap, cut, events_except(cut, -1, -1), "-");
	/* one flipped byte per block type */
	const struct { const char *name; int part; size_t rel; } flips[] = {
		{"flip-events.kcap", e1, 0}, {"flip-metadata.kcap", meta, 0}, {"flip-schema.kcap", schema, 0},
		{"flip-index.kcap", index, 0}, {"flip-footer.kcap", footer, 0}, {"flip-sync.kcap", e2, 1},
	};
	for (size_t i = 0; i < sizeof flips / sizeof flips[0]; i++) {
		int p = flips[i].part;
		memcpy(b, cap, len);
		size_t rel = flips[i].rel ? flips[i].rel : KCAP_BLOCK_HDR_LEN + (parts[p].len - KCAP_BLOCK_OVERHEAD) / 2;
		b[parts[p].off + rel] ^= 0x5a;
		if (parts[p].type == KCAP_BLK_SCHEMA) {
			/* the events of the schema's section are of types no schema
			 * defines: each of its events blocks is reported, none delivered */
			uint64_t n = 0;
			size_t o = (size_t)snprintf(offs, sizeof offs, "%zu", parts[p].off);
			int in_section = 1;
			for (int q = 0; q < nparts; q++) {
				if (q > p && parts[q].type == 0)
					in_section = 0;
				if (parts[q].type != KCAP_BLK_EVENTS)
					continue;
				if (q > p && in_section && o + 24 < sizeof offs)
					o += (size_t)snprintf(offs + o, sizeof offs - o, ",%zu", parts[q].off);
				else
					n += parts[q].count;
			}
			rc |= emit(flips[i].name, b, len, n, offs);
			continue;
		}
		rc |= emit(flips[i].name, b, len, events_except(len, parts[p].type == KCAP_BLK_EVENTS ? p : -1, -1), OFF1(p));
	}
	memcpy(b, cap, len);
	b[3] ^= 0xff;
	rc |= emit("flip-magic.kcap", b, len, events_except(len, -1, -1), "0");
	/* two damaged regions: two lines */
	memcpy(b, cap, len);
	b[parts[e1].off + parts[e1].len / 2] ^= 1;
	b[parts[e2].off + parts[e2].len / 2] ^= 1;
	snprintf(offs, sizeof offs, "%zu,%zu", parts[e1].off, parts[e2].off);
	rc |= emit("flip-two-events.kcap", b, len, events_except(len, e1, e2), offs);
	free(b);
	free(cap);
	return rc ? 1 : 0;
}
