/*
 * Corruption suite (issue 2 §5): flip a byte in every field of every block
 * type and in the section magic; splice in hostile blocks whose CRCs are
 * valid but whose contents lie. The damaged structure must be reported at its
 * offset, every other intact events block must still be delivered, nothing
 * may crash (run under ASan/UBSan), and a file read by path is never changed.
 */
#include <check.h>
#include "check_run.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/core.h"
#include "readback.h"
#include "testcap.h"

#define MAX_PARTS 512
static uint8_t *cap;
static size_t cap_len;
static testcap_part parts[MAX_PARTS];
static int nparts;

static void build_capture(void)
{
	testcap_opts o = {.nevents = 300, .block_size = 4096, .sections = 2, .with_snapshot = 1, .with_stats = 1};
	ck_assert_int_eq(testcap_build(&o, &cap, &cap_len), 0);
	nparts = testcap_walk(cap, cap_len, parts, MAX_PARTS);
	ck_assert_int_gt(nparts, 10);
}

static void free_capture(void)
{
	free(cap);
	cap = NULL;
}

static const char *part_name(int type)
{
	static const char *n[] = {"section header", "metadata", "schema", "snapshot", "events", "stats", "index", "footer"};
	return type >= 0 && type <= 7 ? n[type] : "?";
}

/* Flips the byte at pos and checks the result through every input kind. */
static void check_flip(int p, size_t rel, int expect_damage)
{
	size_t pos = parts[p].off + rel;
	uint8_t *bad = malloc(cap_len);
	memcpy(bad, cap, cap_len);
	bad[pos] ^= 0xff;
	int type = parts[p].type;
	/* events of a damaged events block are lost; nothing else is, but
	 * for a damaged schema block: the events of its section are of types
	 * no schema defines, each events block of it reported and not
	 * delivered (an output never invents a type) */
	size_t nwant;
	uint64_t *want =
		rb_expected(parts, nparts, cap_len, expect_damage == 1 && type == KCAP_BLK_EVENTS ? p : -1, &nwant);
	int sec_lo = p, sec_hi = p, undefined_blocks = 0;
	if (expect_damage == 1 && type == KCAP_BLK_SCHEMA) {
		while (sec_lo > 0 && parts[sec_lo].type != 0)
			sec_lo--;
		while (sec_hi + 1 < nparts && parts[sec_hi + 1].type != 0)
			sec_hi++;
		size_t k = 0;
		for (size_t i = 0; i < nwant; i++) {
			int in_section = 0;
			for (int q = sec_lo; q <= sec_hi; q++)
				in_section |= parts[q].type == KCAP_BLK_EVENTS && want[i] >= parts[q].first_seq &&
					      want[i] <= parts[q].last_seq;
			if (!in_section)
				want[k++] = want[i];
		}
		nwant = k;
		for (int q = sec_lo; q <= sec_hi; q++)
			undefined_blocks += parts[q].type == KCAP_BLK_EVENTS;
		ck_assert_int_gt(undefined_blocks, 0);
	}
	for (int mode = 0; mode < RB_NMODES; mode++) {
		rb_result res;
		char why[400];
		const char *mn = rb_mode_name[mode];
		/* without the schema, events decode to canonical fields only */
		rb_read(bad, cap_len, mode, type != KCAP_BLK_SCHEMA, INT64_MIN, &res);
		ck_assert_msg(!res.file_changed, "%s: file modified", mn);
		ck_assert_msg(res.open_rc == 0, "%s %s +%zu: open failed: %s", mn, part_name(type), rel, res.open_err.msg);
		ck_assert_msg(res.end_rc == 0, "%s %s +%zu: read ended with %d: %s", mn, part_name(type), rel, res.end_rc,
			      res.end_err.msg);
		rb_diff(res.seqs, res.nseqs, want, nwant, why, sizeof why);
		ck_assert_msg(!why[0], "%s %s at %zu +%zu: %s", mn, part_name(type), parts[p].off, rel, why);
		ck_assert_msg(res.bad_content == 0, "%s: %s", mn, res.first_bad);
		if (expect_damage == 2) { /* reported, nothing lost */
			ck_assert_msg(res.ndmg == 1, "%s %s at %zu +%zu: %zu damage reports", mn, part_name(type),
				      parts[p].off, rel, res.ndmg);
			ck_assert_msg(res.dmg[0].offset == (int64_t)(parts[p].off + parts[p].len - KCAP_BLOCK_TRAILER_LEN),
				      "%s %s +%zu: damage at %lld (%s)", mn, part_name(type), rel,
				      (long long)res.dmg[0].offset, res.dmg[0].msg);
			ck_assert_msg(res.dmg[0].skipped == 0, "%s: skipped %llu", mn, (unsigned long long)res.dmg[0].skipped);
		} else if (expect_damage) {
			ck_assert_msg(res.ndmg == 1 + (size_t)undefined_blocks, "%s %s at %zu +%zu: %zu damage reports (first: %s)",
				      mn, part_name(type), parts[p].off, rel, res.ndmg, res.ndmg ? res.dmg[0].msg : "");
			for (size_t d = 1, q = (size_t)sec_lo; d < res.ndmg && d < RB_MAX_DAMAGE; d++, q++) {
				while (parts[q].type != KCAP_BLK_EVENTS)
					q++;
				ck_assert_msg(res.dmg[d].offset == (int64_t)parts[q].off &&
						      strstr(res.dmg[d].msg, "which the schema does not define"),
					      "%s %s +%zu: report %zu at %lld, want the events block at %zu: %s", mn,
					      part_name(type), rel, d, (long long)res.dmg[d].offset, parts[q].off,
					      res.dmg[d].msg);
			}
			ck_assert_msg(res.dmg[0].offset == (int64_t)parts[p].off, "%s %s +%zu: damage at %lld, want %zu (%s)",
				      mn, part_name(type), rel, (long long)res.dmg[0].offset, parts[p].off, res.dmg[0].msg);
			ck_assert_msg(res.dmg[0].code == KCAP_E_CORRUPT, "%s: code %d", mn, res.dmg[0].code);
			ck_assert_msg(res.dmg[0].skipped == parts[p].len, "%s %s +%zu: skipped %llu, want %zu", mn,
				      part_name(type), rel, (unsigned long long)res.dmg[0].skipped, parts[p].len);
			ck_assert_msg(res.dmg[0].msg[0], "%s: empty message", mn);
			ck_assert_uint_eq(res.st.damaged, 1 + (uint64_t)undefined_blocks);
			ck_assert_uint_eq(res.st.damaged_bytes, parts[p].len);
		} else {
			ck_assert_msg(res.ndmg == 0, "%s %s +%zu: unexpected damage: %s", mn, part_name(type), rel, res.dmg[0].msg);
		}
		rb_free(&res);
	}
	free(want);
	free(bad);
}

/* Header fields, payload bytes: one flip each, in every block of the capture. */
START_TEST(flip_every_block_field)
{
	int done[8] = {0};
	for (int p = 0; p < nparts; p++) {
		if (parts[p].type == 0)
			continue;
		size_t len = parts[p].len;
		const size_t rels[] = {0, 3, 4, 6, 8, 11, 12, 16, 19, /* sync, type, flags, length, CRC, header CRC */
				       KCAP_BLOCK_HDR_LEN, KCAP_BLOCK_HDR_LEN + 4, KCAP_BLOCK_HDR_LEN + 8, /* payload prefix, meta */
				       len / 2, len - KCAP_BLOCK_TRAILER_LEN - 1};
		for (size_t k = 0; k < sizeof rels / sizeof rels[0]; k++)
			if (rels[k] < len - KCAP_BLOCK_TRAILER_LEN)
				check_flip(p, rels[k], 1);
		done[parts[p].type]++;
	}
	for (int t = KCAP_BLK_META; t <= KCAP_BLK_FOOTER; t++)
		ck_assert_msg(done[t] > 0, "no %s block was damaged", part_name(t));
}
END_TEST

/* The trailing length only serves backward scans; forward reading verifies
 * blocks by their CRCs, so a damaged trailer loses nothing, but it is
 * checked against the block's length and reported (issue 11 §8). */
START_TEST(flip_trailer)
{
	for (int p = 0; p < nparts; p++)
		if (parts[p].type)
			check_flip(p, parts[p].len - 1, 2);
}
END_TEST

/* The magic of each section header: the header is stepped over as damage and
 * every block after it is still read. */
START_TEST(flip_section_magic)
{
	for (int p = 0; p < nparts; p++) {
		if (parts[p].type)
			continue;
		for (size_t rel = 0; rel < KCAP_MAGIC_LEN; rel++)
			check_flip(p, rel, 1);
	}
}
END_TEST

/* Capture with extra bytes inserted at pos. */
static uint8_t *splice(size_t pos, const uint8_t *ins, size_t n)
{
	uint8_t *b = malloc(cap_len + n);
	memcpy(b, cap, pos);
	memcpy(b + pos, ins, n);
	memcpy(b + pos + n, cap + pos, cap_len - pos);
	return b;
}

/* First events block of section 0. */
static int first_events(void)
{
	for (int p = 0; p < nparts; p++)
		if (parts[p].type == KCAP_BLK_EVENTS)
			return p;
	return -1;
}

/* A well-formed events meta with the given count and body size. */
static void evmeta(uint8_t *m, uint32_t count, uint32_t raw, uint8_t codec)
{
	memset(m, 0, KCAP_EVMETA_FIXED_LEN);
	put_u32(m, count);
	m[4] = 1;
	m[6] = codec;
	m[7] = 4;
	put_u64(m + 8, (uint64_t)TESTCAP_T0);
	put_u64(m + 16, (uint64_t)TESTCAP_T0 + 10);
	put_u64(m + 24, 900000);
	put_u64(m + 32, 900010);
	put_u64(m + 40, (uint64_t)TESTCAP_T0);
	put_u64(m + 48, 900000);
	put_u32(m + 56, 1);
	put_u32(m + 60, 100);
	put_u32(m + 64, raw);
	put_u32(m + 68, 0);
	memset(m + 72, 0xff, 32);
}

typedef struct hostile {
	const char *what;
	uint16_t type, flags;
	uint8_t payload[512];
	size_t len;
	int damage; /* the reader must report it */
	size_t extra; /* valid events (seq >= 900000) it carries before the damage */
} hostile;

static size_t add_hostiles(hostile *h)
{
	size_t n = 0;
	uint8_t *p;
	const uint16_t zstd = KCAP_CODEC_ZSTD << KCAP_BF_CODEC_SHIFT;
#define NEW(w, t, f, dmg) \
	(h[n].what = (w), h[n].type = (t), h[n].flags = (f), h[n].damage = (dmg), h[n].extra = 0, p = h[n].payload)
#define END(q) (h[n].len = (size_t)((q) - h[n].payload), n++)
	/* payload shorter than its prefix */
	NEW("events: 3-byte payload", KCAP_BLK_EVENTS, 0, 1);
	memset(p, 1, 3);
	END(p + 3);
	/* meta_len beyond the payload */
	NEW("events: meta_len lies", KCAP_BLK_EVENTS, 0, 1);
	put_u32(p, 0xfffffff0u);
	put_u32(p + 4, 0);
	END(p + 8);
	/* meta shorter than its fixed part */
	NEW("events: short meta", KCAP_BLK_EVENTS, 0, 1);
	put_u32(p, 10);
	put_u32(p + 4, 0);
	END(p + 18);
	/* raw body length disagrees with the stored body */
	NEW("events: raw_len lies (stored raw)", KCAP_BLK_EVENTS, 0, 1);
	put_u32(p, KCAP_EVMETA_FIXED_LEN);
	put_u32(p + 4, 1000);
	evmeta(p + 8, 1, 1000, 0);
	END(p + 8 + KCAP_EVMETA_FIXED_LEN + 5);
	/* zstd flagged, garbage inside, raw_len claims 1 GiB */
	NEW("events: zstd garbage, raw_len 1 GiB", KCAP_BLK_EVENTS, zstd, 1);
	put_u32(p, KCAP_EVMETA_FIXED_LEN);
	put_u32(p + 4, 1u << 30);
	evmeta(p + 8, 5, 1u << 30, 1);
	memset(p + 8 + KCAP_EVMETA_FIXED_LEN, 0x28, 40);
	END(p + 8 + KCAP_EVMETA_FIXED_LEN + 40);
	/* unknown codec */
	NEW("events: unknown codec 9", KCAP_BLK_EVENTS, 9 << KCAP_BF_CODEC_SHIFT, 1);
	put_u32(p, KCAP_EVMETA_FIXED_LEN);
	put_u32(p + 4, 4);
	evmeta(p + 8, 1, 4, 9);
	END(p + 8 + KCAP_EVMETA_FIXED_LEN + 4);
	/* count 4 billion, body of never-ending varints */
	NEW("events: absurd count, endless varints", KCAP_BLK_EVENTS, 0, 1);
	put_u32(p, KCAP_EVMETA_FIXED_LEN);
	put_u32(p + 4, 64);
	evmeta(p + 8, 0xffffffffu, 64, 0);
	memset(p + 8 + KCAP_EVMETA_FIXED_LEN, 0xff, 64);
	END(p + 8 + KCAP_EVMETA_FIXED_LEN + 64);
	/* record length larger than the body */
	NEW("events: record length lies", KCAP_BLK_EVENTS, 0, 1);
	put_u32(p, KCAP_EVMETA_FIXED_LEN);
	put_u32(p + 4, 4);
	evmeta(p + 8, 1, 4, 0);
	memcpy(p + 8 + KCAP_EVMETA_FIXED_LEN, "\xff\xff\x03\x00", 4);
	END(p + 8 + KCAP_EVMETA_FIXED_LEN + 4);
	/* a record of a known type whose path length runs past the record */
	NEW("events: param length lies", KCAP_BLK_EVENTS, 0, 1);
	{
		uint8_t rec[64], *q = rec;
		q = put_varint(q, (uint64_t)TC_OPEN << 2);
		for (int i = 0; i < 9; i++)
			q = put_varint(q, 0);
		q = put_varint(q, 1ull << 40);
		size_t rl = (size_t)(q - rec);
		uint8_t *body = p + 8 + KCAP_EVMETA_FIXED_LEN;
		uint8_t *e = put_varint(body, rl);
		memcpy(e, rec, rl);
		e += rl;
		put_u32(p, KCAP_EVMETA_FIXED_LEN);
		put_u32(p + 4, (uint32_t)(e - body));
		evmeta(p + 8, 1, (uint32_t)(e - body), 0);
		END(e);
	}
	/* min ts after max ts */
	NEW("events: first_ts > last_ts", KCAP_BLK_EVENTS, 0, 1);
	put_u32(p, KCAP_EVMETA_FIXED_LEN);
	put_u32(p + 4, 0);
	evmeta(p + 8, 1, 0, 0);
	put_u64(p + 8 + 8, (uint64_t)INT64_MAX);
	END(p + 8 + KCAP_EVMETA_FIXED_LEN);
	/* bloom size claims far more than present, ts deltas overflow */
	NEW("events: bloom lies, ts delta overflows", KCAP_BLK_EVENTS, 0, 1);
	{
		uint8_t *m = p + 8;
		evmeta(m, 2, 0, 0);
		put_u32(m + 68, 1u << 31);
		put_u64(m + 40, (uint64_t)INT64_MAX);
		uint8_t *body = m + KCAP_EVMETA_FIXED_LEN, *e = body;
		uint8_t rec[64], *q = rec;
		q = put_varint(q, (uint64_t)TC_BIG << 2);
		q = put_varint(q, zz_enc(INT64_MAX)); /* ts wraps */
		for (int i = 0; i < 8; i++)
			q = put_varint(q, 0);
		q = put_varint(q, 1);
		e = put_varint(e, (uint64_t)(q - rec));
		memcpy(e, rec, (size_t)(q - rec));
		e += q - rec;
		*e++ = 0x05; /* second record: length 5 of garbage 0xff */
		memset(e, 0xff, 5);
		e += 5;
		put_u32(p, KCAP_EVMETA_FIXED_LEN);
		put_u32(p + 4, (uint32_t)(e - body));
		put_u32(m + 64, (uint32_t)(e - body));
		h[n].extra = 1; /* the first record is valid: delivered, with its ts wrapped */
		END(e);
	}
	/* context blocks with absurd counts and lengths */
	NEW("metadata: count 2^63", KCAP_BLK_META, 0, 1);
	put_u32(p, 0);
	put_u32(p + 4, 10);
	memcpy(p + 8, "\x00\xff\xff\xff\xff\xff\xff\xff\xff\x7f", 10);
	END(p + 18);
	NEW("metadata: origin 70000", KCAP_BLK_META, 0, 1);
	put_u32(p, 0);
	put_u32(p + 4, 4);
	memcpy(p + 8, "\xf0\xa2\x04\x00", 4);
	END(p + 12);
	NEW("schema: conflicting redefinition", KCAP_BLK_SCHEMA, 0, 1);
	put_u32(p, 0);
	put_u32(p + 4, 8);
	memcpy(p + 8, "\x00\x01\x02\x01x\x00\x00\x00", 8);
	END(p + 16);
	NEW("schema: 2^40 symbols", KCAP_BLK_SCHEMA, 0, 1);
	put_u32(p, 0);
	put_u32(p + 4, 10);
	memcpy(p + 8, "\x01\x07\x01\x01s\x80\x80\x80\x80\x20", 10);
	END(p + 18);
	NEW("schema: zstd garbage", KCAP_BLK_SCHEMA, zstd, 1);
	put_u32(p, 0);
	put_u32(p + 4, 100);
	memset(p + 8, 0x77, 20);
	END(p + 28);
	/* one process whose comm claims 2^62 bytes; as the body of both snapshot
	 * blocks, the origin one with a meta of 2 bytes (origin 1) */
	static const char huge_comm[] = "\x01\x02\x02\x00\x00\x00\x80\x80\x80\x80\x80\x80\x80\x80\x40";
	for (uint32_t ml = 0; ml <= 2; ml += 2) {
		NEW(ml ? "origin snapshot: string length 2^62" : "snapshot: string length 2^62",
		    ml ? KCAP_BLK_ORIGIN_SNAPSHOT : KCAP_BLK_SNAPSHOT, ml ? KCAP_BF_COPY : 0, 1);
		put_u32(p, ml);
		put_u32(p + 4, sizeof huge_comm - 1);
		put_u16(p + 8, 1);
		memcpy(p + 8 + ml, huge_comm, sizeof huge_comm - 1);
		END(p + 8 + ml + sizeof huge_comm - 1);
	}
	NEW("origin snapshot: no origin in the meta", KCAP_BLK_ORIGIN_SNAPSHOT, KCAP_BF_COPY, 1);
	put_u32(p, 1);
	put_u32(p + 4, 1);
	memcpy(p + 8, "\x07\x00", 2);
	END(p + 10);
	NEW("stats: count 2^35, truncated entry", KCAP_BLK_STATS, 0, 1);
	put_u32(p, 0);
	put_u32(p + 4, 8);
	memcpy(p + 8, "\x80\x80\x80\x80\x80\x01\x00\x01", 8);
	END(p + 16);
	/* index and footer contents are only used for seeking: a stray one in the
	 * middle of a section is read past without complaint */
	NEW("index: garbage entries", KCAP_BLK_INDEX, 0, 0);
	put_u32(p, 0);
	put_u32(p + 4, 12);
	memcpy(p + 8, "\x02\x05\xff\x7f\x03\x07\x80\x80\x80\x80\x80\x01", 12);
	END(p + 20);
	NEW("footer: offsets point anywhere", KCAP_BLK_FOOTER, 0, 0);
	put_u32(p, 0);
	put_u32(p + 4, KCAP_FOOTER_BODY_LEN);
	memset(p + 8, 0xee, KCAP_FOOTER_BODY_LEN);
	END(p + 8 + KCAP_FOOTER_BODY_LEN);
#undef NEW
#undef END
	return n;
}

START_TEST(hostile_blocks_with_valid_crc)
{
	static hostile h[32];
	size_t nh = add_hostiles(h);
	int fe = first_events();
	ck_assert_int_ge(fe, 0);
	size_t at = parts[fe + 1].off; /* after the first events block */
	size_t nwant;
	uint64_t *want = rb_expected(parts, nparts, cap_len, -1, &nwant);
	for (size_t i = 0; i < nh; i++) {
		size_t blen;
		uint8_t *blk = testcap_frame_block(h[i].type, h[i].flags, h[i].payload, h[i].len, &blen);
		uint8_t *bad = splice(at, blk, blen);
		for (int mode = 0; mode < RB_NMODES; mode++) {
			rb_result res;
			char why[400];
			/* a hostile schema block may be rejected; the real one came first */
			rb_read(bad, cap_len + blen, mode, 0, INT64_MIN, &res);
			const char *mn = rb_mode_name[mode];
			size_t extra = 0, w = 0;
			for (size_t j = 0; j < res.nseqs; j++) {
				if (res.seqs[j] >= 900000)
					extra++;
				else
					res.seqs[w++] = res.seqs[j];
			}
			res.nseqs = w;
			ck_assert_msg(extra == h[i].extra, "%s %s: %zu hostile events delivered", mn, h[i].what, extra);
			ck_assert_msg(res.open_rc == 0 && res.end_rc == 0, "%s %s: open %d end %d (%s)", mn, h[i].what,
				      res.open_rc, res.end_rc, res.end_err.msg);
			rb_diff(res.seqs, res.nseqs, want, nwant, why, sizeof why);
			ck_assert_msg(!why[0], "%s %s: %s", mn, h[i].what, why);
			ck_assert_msg(!res.file_changed, "%s: file modified", mn);
			if (h[i].damage) {
				ck_assert_msg(res.ndmg == 1, "%s %s: %zu damage reports", mn, h[i].what, res.ndmg);
				ck_assert_msg(res.dmg[0].offset == (int64_t)at, "%s %s: damage at %lld, want %zu (%s)", mn,
					      h[i].what, (long long)res.dmg[0].offset, at, res.dmg[0].msg);
				ck_assert_msg(res.dmg[0].msg[0], "%s: empty message", mn);
				ck_assert_uint_eq(res.st.damaged, 1);
			} else {
				ck_assert_msg(res.ndmg == 0, "%s %s: damage: %s", mn, h[i].what, res.dmg[0].msg);
			}
			rb_free(&res);
		}
		free(bad);
		free(blk);
	}
	free(want);
}
END_TEST

/* Replaces the last section's footer (or index) with a hostile block of the
 * same size and seeks: the index is unusable, seeking still lands right. */
START_TEST(hostile_footer_and_index_when_seeking)
{
	int fp = nparts - 1, ip = nparts - 2;
	ck_assert_int_eq(parts[fp].type, KCAP_BLK_FOOTER);
	ck_assert_int_eq(parts[ip].type, KCAP_BLK_INDEX);
	size_t nwant;
	uint64_t *want = rb_expected(parts, nparts, cap_len, -1, &nwant);
	const uint64_t target = 450;
	size_t k = 0;
	while (k < nwant && want[k] < target)
		k++;
	for (int variant = 0; variant < 8; variant++) {
		uint8_t *bad = malloc(cap_len);
		memcpy(bad, cap, cap_len);
		int p = variant < 5 ? fp : ip;
		uint8_t *pl = bad + parts[p].off + KCAP_BLOCK_HDR_LEN;
		size_t plen = parts[p].len - KCAP_BLOCK_OVERHEAD;
		if (p == fp) {
			uint8_t *f = pl + KCAP_PAYLOAD_PREFIX_LEN;
			if (variant == 0) /* index offset beyond EOF */
				put_u64(f, 1ull << 40);
			else if (variant == 1) /* section length larger than the file */
				put_u64(f + 8, 1ull << 40);
			else if (variant == 2) /* index offset points at an events block */
				put_u64(f, parts[first_events()].off - parts[0].off);
			else if (variant == 3) /* index offset in the middle of a block */
				put_u64(f, 7);
			else /* section start inside the first section */
				put_u64(f + 8, parts[p].off - 5);
		} else {
			/* index: counts and entries that lie */
			uint8_t *b = pl + KCAP_PAYLOAD_PREFIX_LEN;
			size_t room = plen - KCAP_PAYLOAD_PREFIX_LEN;
			if (get_u16(bad + parts[p].off + 6) & KCAP_BF_CODEC_MASK)
				put_u16(bad + parts[p].off + 6, 0); /* stored raw from now on */
			put_u32(pl + 4, (uint32_t)room);
			memset(b, variant == 5 ? 0xff : variant == 6 ? 0x01 : 0x80, room);
			if (variant == 7) { /* 0 contexts, 1 entry at offset 3 with a valid-looking meta */
				uint8_t *q = b;
				*q++ = 0;
				*q++ = 1;
				*q++ = 3;
				q = put_varint(q, 500);
				*q++ = KCAP_EVMETA_FIXED_LEN;
				evmeta(q, 10, 100, 0);
			}
		}
		/* re-seal the block: valid CRCs over the lies */
		uint8_t *hdr = bad + parts[p].off;
		put_u32(hdr + 12, kcap_crc32c(kcap_crc32c(0, hdr, 12), pl, plen));
		put_u32(hdr + 16, kcap_crc32c(0, hdr, 16));
		for (int mode = 0; mode < RB_NMODES; mode++) {
			rb_result res;
			char why[400];
			rb_read(bad, cap_len, mode, 1, TESTCAP_T0 + (int64_t)target * TESTCAP_STEP, &res);
			ck_assert_msg(res.open_rc == 0, "variant %d %s: open failed", variant, rb_mode_name[mode]);
			ck_assert_msg(res.end_rc == 0, "variant %d %s: %d %s", variant, rb_mode_name[mode], res.end_rc,
				      res.end_err.msg);
			ck_assert_msg(res.bad_content == 0, "%s", res.first_bad);
			if (variant == 7) {
				/* an index that lies sends the reader to a wrong offset: it
				 * must resynchronize and report, never crash; the events it
				 * delivers are real ones at or after the target */
				for (size_t i = 0; i < res.nseqs; i++)
					ck_assert_uint_ge(res.seqs[i], target);
			} else {
				rb_diff(res.seqs, res.nseqs, want + k, nwant - k, why, sizeof why);
				ck_assert_msg(!why[0], "variant %d %s: %s", variant, rb_mode_name[mode], why);
			}
			rb_free(&res);
		}
		free(bad);
	}
	free(want);
}
END_TEST

/* Many random flips at once, deterministic: never a crash or a hang, and
 * every events block whose bytes are untouched is delivered. */
START_TEST(random_multi_flips)
{
	uint64_t x = 0x243F6A8885A308D3ull;
	for (int round = 0; round < 150; round++) {
		uint8_t *bad = malloc(cap_len);
		memcpy(bad, cap, cap_len);
		int touched[MAX_PARTS] = {0};
		int nflips = 1 + round % 6;
		for (int f = 0; f < nflips; f++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			size_t pos = (size_t)(x % cap_len);
			bad[pos] ^= (uint8_t)(1u << (x >> 60 & 7));
			for (int p = 0; p < nparts; p++)
				if (pos >= parts[p].off && pos < parts[p].off + parts[p].len)
					touched[p] = 1;
		}
		rb_result res;
		int mode = round % RB_NMODES;
		rb_read(bad, cap_len, mode, 0, INT64_MIN, &res);
		ck_assert_msg(!res.file_changed, "file modified");
		if (!res.open_rc && !touched[0]) {
			/* intact blocks are delivered unless a flip hit their
			 * section's schema (then their events are of types no schema
			 * defines: reported, not delivered) or made a version error
			 * end the read */
			int schema_hit = 0;
			if (res.end_rc == 0)
				for (int p = 0; p < nparts; p++) {
					if (parts[p].type == 0)
						schema_hit = 0;
					if (parts[p].type == KCAP_BLK_SCHEMA && touched[p])
						schema_hit = 1;
					if (parts[p].type != KCAP_BLK_EVENTS || touched[p] || schema_hit)
						continue;
					for (uint64_t q = parts[p].first_seq; q <= parts[p].last_seq; q++) {
						int found = 0;
						for (size_t i = 0; i < res.nseqs && !found; i++)
							found = res.seqs[i] == q;
						ck_assert_msg(found, "round %d %s: seq %llu of an intact block lost", round,
							      rb_mode_name[mode], (unsigned long long)q);
					}
				}
			ck_assert_uint_ge(res.st.damaged, 1);
		}
		rb_free(&res);
		free(bad);
	}
}
END_TEST

/* Small hostile files must not make the reader balloon: 1 MiB of section
 * headers once cost 2 GB (a 32 KiB table per section's schema), and 1 MiB
 * of section + schema pairs 600 MB. */
START_TEST(hostile_files_stay_small)
{
	const size_t cap_bytes = 1u << 20;
	uint8_t *f = malloc(cap_bytes + 4096);
	uint8_t h[KCAP_SECTION_HDR_LEN] = {0};
	memcpy(h, KCAP_MAGIC, KCAP_MAGIC_LEN);
	put_u16(h + 8, KCAP_FORMAT_MAJOR);
	kcap_schema *s = kcap_schema_new();
	kcap_param_def pd[] = {{"v", KCAP_T_U32, 0, 0}};
	kcap_type_def t = {1, "t", "", "", 1, pd};
	ck_assert_int_eq(kcap_schema_add_type(s, &t), 0);
	kcap_buf body = {0};
	uint8_t pre[8] = {0};
	kcap_buf_append(&body, pre, 8);
	ck_assert_int_eq(kcap_schema_encode(s, &body), 0);
	put_u32((uint8_t *)body.data + 4, (uint32_t)(body.len - 8));
	size_t blen;
	uint8_t *blk = testcap_frame_block(KCAP_BLK_SCHEMA, 0, body.data, body.len, &blen);
	long before = rb_maxrss_mb();
	for (int variant = 0; variant < 2; variant++) {
		size_t len = 0, nsec = 0;
		while (len + KCAP_SECTION_HDR_LEN + blen <= cap_bytes) {
			memcpy(f + len, h, sizeof h);
			len += sizeof h;
			if (variant) {
				memcpy(f + len, blk, blen);
				len += blen;
			}
			nsec++;
		}
		kcap_reader *r;
		kcap_error err;
		ck_assert_int_eq(kcap_reader_open_mem(&r, f, len, NULL, &err), 0);
		const kcap_event *ev;
		ck_assert_int_eq(kcap_reader_next(r, &ev), 0);
		ck_assert_uint_eq(kcap_reader_get_stats(r)->sections, nsec);
		ck_assert_uint_eq(kcap_reader_get_stats(r)->damaged, 0);
		kcap_reader_close(r);
		ck_assert_msg(rb_maxrss_mb() - before < 200, "variant %d: reading 1 MiB grew the peak RSS by %ld MB", variant,
			      rb_maxrss_mb() - before);
	}
	free(blk);
	kcap_buf_free(&body);
	kcap_schema_free(s);
	free(f);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("corruption");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 600);
	tcase_add_checked_fixture(tc, build_capture, free_capture);
	tcase_add_test(tc, flip_every_block_field);
	tcase_add_test(tc, flip_trailer);
	tcase_add_test(tc, flip_section_magic);
	tcase_add_test(tc, hostile_blocks_with_valid_crc);
	tcase_add_test(tc, hostile_footer_and_index_when_seeking);
	tcase_add_test(tc, random_multi_flips);
	tcase_add_test(tc, hostile_files_stay_small);
	suite_add_tcase(s, tc);
	return kcap_check_run(s);
}
