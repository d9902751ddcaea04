/* Records copied without decoding their params: kcap_event_decode_record,
 * kcap_reader_next_record and kcap_writer_write_record against the decode +
 * encode path they stand in for. */
#include <check.h>
#include "check_run.h"
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include "core/codec.h"
#include "testcap.h"

static kcap_schema *schema;
static void setup(void) { schema = testcap_schema(); }
static void teardown(void) { kcap_schema_free(schema); }

/* Deterministic pseudo-random numbers (xorshift64). */
static uint64_t rnd_state = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

/* Length of the record head (header, origin, ts and seq deltas) of rec. */
static size_t head_len(const uint8_t *rec, size_t len)
{
	const uint8_t *p = rec, *end = rec + len;
	uint64_t hdr, x;
	ck_assert_int_eq(get_varint(&p, end, &hdr), 0);
	for (int i = (hdr & 2) ? 3 : 2; i > 0; i--)
		ck_assert_int_eq(get_varint(&p, end, &x), 0);
	return (size_t)(p - rec);
}

START_TEST(tail_is_the_record_after_its_head)
{
	kcap_buf b = {0};
	testcap_event t;
	kcap_event full, head;
	kcap_value vals[KCAP_MAX_PARAMS];
	int64_t prev_ts = TESTCAP_T0 - 5;
	uint64_t prev_seq = 0;
	for (uint64_t n = 1; n <= 600; n++) {
		testcap_make_event(&t, n);
		const kcap_type_def *def = kcap_schema_type(schema, t.ev.type_id);
		b.len = 0;
		ck_assert_int_eq(kcap_event_encode(&b, &t.ev, def, prev_ts, prev_seq), 0);
		const uint8_t *rec = (const uint8_t *)b.data, *end = rec + b.len;
		memset(vals, 0, sizeof vals); /* integers leave p and len as they were */
		ck_assert_int_eq(kcap_event_decode(rec, end, schema, prev_ts, prev_seq, &full, vals), 0);
		kcap_record r;
		memset(&head, 0xa5, sizeof head);
		ck_assert_int_eq(kcap_event_decode_record(rec, end, schema, prev_ts, prev_seq, &head, &r), 0);
		size_t hl = head_len(rec, b.len);
		ck_assert_ptr_eq(r.tail, rec + hl);
		ck_assert_uint_eq(r.len, b.len - hl);
		ck_assert_uint_eq(r.absent, rec[0] & 1);
		/* the canonical fields, as kcap_event_decode gives them */
		ck_assert_uint_eq(head.type_id, full.type_id);
		ck_assert_uint_eq(head.origin, full.origin);
		ck_assert_int_eq(head.ts, full.ts);
		ck_assert_uint_eq(head.seq, full.seq);
		ck_assert_int_eq(head.pid, full.pid);
		ck_assert_int_eq(head.tid, full.tid);
		ck_assert_int_eq(head.ppid, full.ppid);
		ck_assert_uint_eq(head.cpu, full.cpu);
		ck_assert_uint_eq(head.uid, full.uid);
		ck_assert_uint_eq(head.gid, full.gid);
		ck_assert_uint_eq(head.comm_len, full.comm_len);
		ck_assert_mem_eq(head.comm, full.comm, full.comm_len);
		ck_assert_ptr_eq(head.def, def);
		ck_assert_ptr_null(head.params);
		ck_assert_uint_eq(head.nparams, 0);
		/* head + tail against another previous event: what encoding the
		 * decoded event there gives, byte for byte */
		int64_t pts = (int64_t)(rnd() % 1000000) + TESTCAP_T0;
		uint64_t pseq = rnd() % 100;
		uint8_t out[KCAP_RECORD_HEAD_MAX + 4096];
		ck_assert_uint_le(r.len, 4096);
		uint8_t *o = kcap_record_head_put(out, &head, r.absent, pts, pseq);
		memcpy(o, r.tail, r.len);
		kcap_buf want = {0};
		ck_assert_int_eq(kcap_event_encode(&want, &full, def, pts, pseq), 0);
		ck_assert_uint_eq((size_t)(o + r.len - out), want.len);
		ck_assert_mem_eq(out, want.data, want.len);
		kcap_buf_free(&want);
		prev_ts = t.ev.ts;
		prev_seq = t.ev.seq;
	}
	kcap_buf_free(&b);
}
END_TEST

/* Both decoders must accept and reject the same records: a record the walk
 * let through but decoding rejects would damage the block it is copied into. */
static void agree(const uint8_t *rec, size_t len, const char *what, uint64_t n)
{
	kcap_event full, head;
	kcap_value vals[KCAP_MAX_PARAMS];
	kcap_record r;
	/* an exact-size copy, so that ASan sees any read past the record */
	uint8_t *c = malloc(len ? len : 1);
	memcpy(c, rec, len);
	int a = kcap_event_decode(c, c + len, schema, 0, 0, &full, vals);
	int b = kcap_event_decode_record(c, c + len, schema, 0, 0, &head, &r);
	ck_assert_msg(a == b, "%s of event %llu (%zu bytes): decode %d, record walk %d", what, (unsigned long long)n,
		      len, a, b);
	if (!a) {
		ck_assert_int_eq(head.ts, full.ts);
		ck_assert_uint_eq(head.seq, full.seq);
		ck_assert_int_eq(head.pid, full.pid);
		ck_assert_int_eq(head.tid, full.tid);
		ck_assert_int_eq(head.ppid, full.ppid);
		ck_assert_uint_eq(head.cpu, full.cpu);
		ck_assert_uint_eq(head.uid, full.uid);
		ck_assert_uint_eq(head.gid, full.gid);
		ck_assert_uint_eq(head.comm_len, full.comm_len);
		ck_assert_uint_eq(head.origin, full.origin);
	}
	if (!a && full.def) {
		/* the tail ends where decoding stopped: it holds exactly the params */
		kcap_event again;
		uint8_t out[KCAP_RECORD_HEAD_MAX + 8192];
		ck_assert_uint_le(r.len, 8192);
		uint8_t *o = kcap_record_head_put(out, &head, r.absent, 0, 0);
		memcpy(o, r.tail, r.len);
		ck_assert_int_eq(kcap_event_decode(out, o + r.len, schema, 0, 0, &again, vals), 0);
		ck_assert_int_eq(again.ts, full.ts);
		ck_assert_int_eq(again.pid, full.pid);
		ck_assert_uint_eq(again.nparams, full.nparams);
	}
	free(c);
}

START_TEST(walk_rejects_exactly_what_decode_rejects)
{
	kcap_buf b = {0};
	testcap_event t;
	for (uint64_t n = 1; n <= 300; n++) {
		testcap_make_event(&t, n);
		b.len = 0;
		ck_assert_int_eq(kcap_event_encode(&b, &t.ev, kcap_schema_type(schema, t.ev.type_id), 0, 0), 0);
		uint8_t *rec = (uint8_t *)b.data;
		for (size_t cut = 0; cut <= b.len; cut++)
			agree(rec, cut, "prefix", n);
		uint8_t *m = malloc(b.len + 16);
		for (int k = 0; k < 200; k++) {
			memcpy(m, rec, b.len);
			size_t len = b.len;
			int edits = 1 + (int)(rnd() % 3);
			for (int e = 0; e < edits; e++) {
				size_t at = rnd() % len;
				switch (rnd() % 4) {
				case 0: m[at] = (uint8_t)rnd(); break;
				case 1: m[at] |= 0x80; break;        /* a varint runs on */
				case 2: m[at] &= 0x7f; break;        /* a varint stops early */
				default: m[at] = 0xff; break;
				}
			}
			if (rnd() % 8 == 0) /* bytes after the params */
				for (int e = 0; e < 8; e++)
					m[len++] = (uint8_t)rnd();
			agree(m, len, "mutation", n);
		}
		free(m);
	}
	kcap_buf_free(&b);
}
END_TEST

/* Integer params of every length up to the 11 bytes no decoder accepts, in
 * runs that cross the 8-byte words the walk reads, and at the record's end. */
START_TEST(long_varints_in_runs)
{
	kcap_schema *s = kcap_schema_new();
	kcap_param_def ps[6] = {
		{"a", KCAP_T_U64, 0, 0}, {"b", KCAP_T_I64, 0, 0}, {"c", KCAP_T_U64, 0, 0},
		{"d", KCAP_T_U64, 0, 0}, {"e", KCAP_T_STR, 0, 0}, {"f", KCAP_T_U64, 0, 0},
	};
	kcap_type_def def = {7, "ints", "test", "", 6, ps};
	ck_assert_int_eq(kcap_schema_add_type(s, &def), 0);
	kcap_schema *keep = schema;
	schema = s;
	for (int round = 0; round < 3000; round++) {
		uint8_t rec[200], *p = rec;
		p = put_varint(p, 7u << 2);
		for (int i = 0; i < 10; i++) /* ts, seq, pid ... gid */
			p = put_varint(p, rnd() >> (rnd() % 64));
		*p++ = 2;
		*p++ = 'x';
		*p++ = 'y';
		for (int i = 0; i < 6; i++) {
			if (i == 4) {
				size_t n = rnd() % 12;
				p = put_varint(p, n);
				memset(p, 'z', n);
				p += n;
				continue;
			}
			int len = 1 + (int)(rnd() % 11);
			for (int k = 0; k < len - 1; k++) /* non-minimal forms too */
				*p++ = (uint8_t)(0x80 | rnd());
			*p++ = (uint8_t)(rnd() & (len == 10 ? 0x01 : 0x7f));
		}
		agree(rec, (size_t)(p - rec), "long varints", (uint64_t)round);
		for (size_t cut = (size_t)(p - rec) > 24 ? (size_t)(p - rec) - 24 : 0; cut < (size_t)(p - rec); cut++)
			agree(rec, cut, "long varints cut", (uint64_t)round);
	}
	schema = keep;
	kcap_schema_free(s);
}
END_TEST

/* Copies a capture's events into a new one, by decoding and encoding or as
 * records; returns the bytes written. */
static uint8_t *copy_capture(const uint8_t *buf, size_t len, int records, size_t *out_len, kcap_error *damage_err,
			     int *ndamage)
{
	kcap_reader *r;
	kcap_error err = {0};
	ck_assert_int_eq(kcap_reader_open_mem(&r, buf, len, "in", &err), 0);
	int fd = memfd_create("out", 0);
	ck_assert_int_ge(fd, 0);
	kcap_writer *w;
	kcap_writer_opts wo = {.block_size = 8192};
	ck_assert_int_eq(kcap_writer_open_fd(&w, fd, 0, &wo, &err), 0);
	const kcap_event *ev;
	kcap_record rec;
	size_t norig = 0;
	uint64_t gen = 0;
	int rc;
	(void)damage_err;
	while ((rc = records ? kcap_reader_next_record(r, &ev, &rec) : kcap_reader_next(r, &ev)) == 1) {
		const kcap_schema *s = kcap_reader_schema(r);
		if (kcap_schema_generation(s) != gen) {
			gen = kcap_schema_generation(s);
			ck_assert_int_eq(kcap_writer_set_schema(w, s), 0);
		}
		for (; norig < kcap_reader_origin_count(r); norig++)
			ck_assert_int_eq(kcap_writer_add_meta(w, kcap_reader_meta(r, (uint16_t)norig)), (int)norig);
		if (records)
			ck_assert_int_eq(kcap_writer_write_record(w, ev, &rec), 0);
		else
			ck_assert_int_eq(kcap_writer_write(w, ev), 0);
	}
	ck_assert_int_eq(rc, 0);
	if (ndamage)
		*ndamage = (int)kcap_reader_get_stats(r)->damaged;
	kcap_reader_close(r);
	ck_assert_int_eq(kcap_writer_close(w), 0);
	uint8_t *out;
	ck_assert_int_eq(testcap_slurp_fd(fd, &out, out_len), 0);
	close(fd);
	return out;
}

START_TEST(writer_output_equals_decode_and_encode)
{
	const testcap_opts opts[] = {
		{.nevents = 3000, .block_size = 4096},
		{.nevents = 2000, .codec_none = 1},
		{.nevents = 500, .with_snapshot = 1, .with_stats = 1},
	};
	for (size_t k = 0; k < sizeof opts / sizeof *opts; k++) {
		uint8_t *in;
		size_t in_len, a_len, b_len;
		ck_assert_int_eq(testcap_build(&opts[k], &in, &in_len), 0);
		uint8_t *a = copy_capture(in, in_len, 0, &a_len, NULL, NULL);
		uint8_t *b = copy_capture(in, in_len, 1, &b_len, NULL, NULL);
		/* same blocks, same summaries and index, same bytes */
		ck_assert_uint_eq(a_len, b_len);
		ck_assert_mem_eq(a, b, a_len);
		/* and the events are the ones written in the first place */
		kcap_reader *r;
		kcap_error err = {0};
		ck_assert_int_eq(kcap_reader_open_mem(&r, b, b_len, "copy", &err), 0);
		const kcap_event *ev;
		char why[300];
		uint32_t n = 0;
		while (kcap_reader_next(r, &ev) == 1) {
			ck_assert_msg(testcap_check_event(ev, why, sizeof why) == 0, "%s", why);
			n++;
		}
		ck_assert_uint_eq(n, opts[k].nevents);
		ck_assert_int_gt(kcap_reader_load_index(r), 1);
		kcap_reader_close(r);
		free(in);
		free(a);
		free(b);
	}
}
END_TEST

/* kcap_record_encode: the tail kcap_writer_write_record() turns back into
 * the record kcap_event_encode() writes, wherever it goes. */
START_TEST(record_encode_is_the_tail)
{
	kcap_buf b = {0}, want = {0};
	testcap_event t;
	for (uint64_t n = 1; n <= 600; n++) {
		testcap_make_event(&t, n);
		const kcap_type_def *def = kcap_schema_type(schema, t.ev.type_id);
		kcap_record r;
		b.len = 0;
		ck_assert_int_eq(kcap_buf_append(&b, "abc", 3), 0); /* it appends after what b holds */
		ck_assert_int_eq(kcap_record_encode(&b, &t.ev, def, &r), 0);
		ck_assert(r.tail >= (const uint8_t *)b.data + 3 && r.tail + r.len == (const uint8_t *)b.data + b.len);
		ck_assert_mem_eq(b.data, "abc", 3);
		int64_t pts = t.ev.ts - (int64_t)(rnd() % 1000000);
		uint64_t pseq = t.ev.seq - rnd() % 50;
		uint8_t out[KCAP_RECORD_HEAD_MAX + 8192];
		ck_assert_uint_le(r.len, 8192);
		uint8_t *o = kcap_record_head_put(out, &t.ev, r.absent, pts, pseq);
		memcpy(o, r.tail, r.len);
		want.len = 0;
		ck_assert_int_eq(kcap_event_encode(&want, &t.ev, def, pts, pseq), 0);
		ck_assert_uint_eq((size_t)(o + r.len - out), want.len);
		ck_assert_mem_eq(out, want.data, want.len);
	}
	/* what the writer refuses, it refuses: params that do not fit def */
	testcap_make_event(&t, 1);
	const kcap_type_def *def = kcap_schema_type(schema, t.ev.type_id);
	kcap_event bad = t.ev;
	bad.nparams = def->nparams + 1;
	kcap_record r;
	ck_assert_int_eq(kcap_record_encode(&b, &bad, def, &r), KCAP_E_INVAL);
	kcap_buf_free(&b);
	kcap_buf_free(&want);
}
END_TEST

typedef struct damage_log {
	int n;
	int64_t off[8];
} damage_log;

static void on_damage(void *ud, const kcap_error *err, uint64_t skipped)
{
	damage_log *d = ud;
	(void)skipped;
	if (d->n < 8)
		d->off[d->n] = err->offset;
	d->n++;
}

/* Reads every event with next or next_record; returns the count and the
 * sum of their seqs. */
static uint32_t read_seqs(const uint8_t *buf, size_t len, int records, uint64_t *seqsum, damage_log *d)
{
	kcap_reader *r;
	kcap_error err = {0};
	ck_assert_int_eq(kcap_reader_open_mem(&r, buf, len, "in", &err), 0);
	kcap_reader_set_damage_cb(r, on_damage, d);
	const kcap_event *ev;
	kcap_record rec;
	uint32_t n = 0;
	*seqsum = 0;
	int rc;
	while ((rc = records ? kcap_reader_next_record(r, &ev, &rec) : kcap_reader_next(r, &ev)) == 1) {
		n++;
		*seqsum += ev->seq;
	}
	ck_assert_int_eq(rc, 0);
	kcap_reader_close(r);
	return n;
}

START_TEST(malformed_record_ends_its_block_with_an_offset)
{
	testcap_opts o = {.nevents = 2000, .block_size = 4096, .codec_none = 1};
	uint8_t *buf;
	size_t len;
	ck_assert_int_eq(testcap_build(&o, &buf, &len), 0);
	testcap_part parts[256];
	int np = testcap_walk(buf, len, parts, 256);
	ck_assert_int_gt(np, 0);
	int which = -1, seen = 0;
	for (int i = 0; i < np; i++)
		if (parts[i].type == KCAP_BLK_EVENTS && ++seen == 3)
			which = i;
	ck_assert_int_ge(which, 0);
	const testcap_part *pt = &parts[which];
	/* the payload (prefix, meta, stored body) of the third events block;
	 * from its fifth record on, the first with a one-byte length is cut
	 * short by a byte, which leaves it malformed whatever its type */
	size_t plen = pt->len - KCAP_BLOCK_OVERHEAD;
	uint8_t *payload = malloc(plen);
	memcpy(payload, buf + pt->off + KCAP_BLOCK_HDR_LEN, plen);
	uint32_t ml = get_u32(payload);
	const uint8_t *p = payload + 8 + ml, *bend = payload + plen;
	uint32_t before = 0;
	for (;; before++) {
		ck_assert_uint_lt(before, pt->count);
		const uint8_t *at = p;
		uint64_t rl;
		ck_assert_int_eq(get_varint(&p, bend, &rl), 0);
		if (before >= 4 && p == at + 1) {
			((uint8_t *)at)[0]--;
			break;
		}
		p += rl;
	}
	size_t blen;
	uint8_t *blk = testcap_frame_block(KCAP_BLK_EVENTS, 0, payload, plen, &blen);
	ck_assert_uint_eq(blen, pt->len);
	uint8_t *bad = malloc(len);
	memcpy(bad, buf, len);
	memcpy(bad + pt->off, blk, blen);
	damage_log da = {0}, db = {0};
	uint64_t sa, sb;
	uint32_t na = read_seqs(bad, len, 0, &sa, &da);
	uint32_t nb = read_seqs(bad, len, 1, &sb, &db);
	ck_assert_uint_eq(na, nb);
	ck_assert_uint_eq(sa, sb);
	ck_assert_uint_eq(na, o.nevents - (pt->count - before)); /* the block's events before it stay */
	ck_assert_int_eq(da.n, 1);
	ck_assert_int_eq(db.n, 1);
	ck_assert_int_eq(db.off[0], (int64_t)pt->off);
	/* copying as records leaves the damage behind: the copy reads clean */
	size_t cl;
	int nd = -1;
	uint8_t *copy = copy_capture(bad, len, 1, &cl, NULL, &nd);
	ck_assert_int_eq(nd, 1);
	damage_log dc = {0};
	uint64_t sc;
	ck_assert_uint_eq(read_seqs(copy, cl, 0, &sc, &dc), na);
	ck_assert_uint_eq(sc, sa);
	ck_assert_int_eq(dc.n, 0);
	free(copy);
	free(blk);
	free(bad);
	free(payload);
	free(buf);
}
END_TEST

START_TEST(writer_rejects_what_it_cannot_write)
{
	int fd = memfd_create("out", 0);
	kcap_writer *w;
	kcap_error err = {0};
	ck_assert_int_eq(kcap_writer_open_fd(&w, fd, 1, NULL, &err), 0);
	ck_assert_int_eq(kcap_writer_set_schema(w, schema), 0);
	kcap_meta *m = kcap_meta_new();
	ck_assert_int_eq(kcap_writer_add_meta(w, m), 0);
	kcap_meta_free(m);
	uint8_t tail[] = {0x54, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00}; /* pid 42 ... comm "" */
	kcap_record rec = {tail, 6, 0};
	kcap_event ev = {.seq = 1, .ts = TESTCAP_T0, .type_id = TC_BIG};
	ck_assert_int_eq(kcap_writer_write_record(NULL, &ev, &rec), KCAP_E_INVAL);
	ck_assert_int_eq(kcap_writer_write_record(w, NULL, &rec), KCAP_E_INVAL);
	ck_assert_int_eq(kcap_writer_write_record(w, &ev, NULL), KCAP_E_INVAL);
	kcap_record none = {NULL, 0, 0};
	ck_assert_int_eq(kcap_writer_write_record(w, &ev, &none), KCAP_E_INVAL);
	kcap_record empty = {tail, 0, 0};
	ck_assert_int_eq(kcap_writer_write_record(w, &ev, &empty), KCAP_E_INVAL);
	ev.type_id = 999;
	ck_assert_int_eq(kcap_writer_write_record(w, &ev, &rec), KCAP_E_INVAL);
	ck_assert_ptr_nonnull(strstr(kcap_writer_error(w)->msg, "999"));
	ev.type_id = TC_BIG;
	ev.origin = 5;
	ck_assert_int_eq(kcap_writer_write_record(w, &ev, &rec), KCAP_E_INVAL);
	ck_assert_uint_eq(kcap_writer_events(w), 0);
	/* a valid one (TC_BIG's u64 absent) goes in and counts; the pid in
	 * the summary is the one in the tail */
	ev.origin = 0;
	uint8_t t2[] = {0x54, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
	kcap_record ok = {t2, sizeof t2, 1};
	ck_assert_int_eq(kcap_writer_write_record(w, &ev, &ok), 0);
	ck_assert_uint_eq(kcap_writer_events(w), 1);
	ck_assert_int_eq(kcap_writer_close(w), 0);
}
END_TEST

START_TEST(same_layout)
{
	const kcap_type_def *open = kcap_schema_type(schema, TC_OPEN);
	const kcap_type_def *all = kcap_schema_type(schema, TC_ALL);
	ck_assert_int_eq(kcap_type_def_same_layout(open, open), 1);
	ck_assert_int_eq(kcap_type_def_same_layout(open, all), 0);
	ck_assert_int_eq(kcap_type_def_same_layout(open, NULL), 0);
	ck_assert_int_eq(kcap_type_def_same_layout(NULL, NULL), 0);
	/* names, symbol sets and flags do not matter; types and order do */
	kcap_param_def ps[KCAP_MAX_PARAMS];
	memcpy(ps, open->params, open->nparams * sizeof *ps);
	kcap_type_def other = *open;
	other.params = ps;
	other.name = "renamed";
	for (uint32_t i = 0; i < other.nparams; i++) {
		ps[i].name = "x";
		ps[i].symset = 0;
		ps[i].flags = KCAP_PF_TOPLEVEL;
	}
	ck_assert_int_eq(kcap_type_def_same_layout(open, &other), 1);
	ps[0].type = ps[0].type == KCAP_T_U64 ? KCAP_T_I64 : KCAP_T_U64;
	ck_assert_int_eq(kcap_type_def_same_layout(open, &other), 0);
	memcpy(ps, open->params, open->nparams * sizeof *ps);
	other.nparams--;
	ck_assert_int_eq(kcap_type_def_same_layout(open, &other), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("copy_record");
	TCase *tc = tcase_create("record");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, tail_is_the_record_after_its_head);
	tcase_add_test(tc, record_encode_is_the_tail);
	tcase_add_test(tc, walk_rejects_exactly_what_decode_rejects);
	tcase_add_test(tc, long_varints_in_runs);
	tcase_add_test(tc, writer_output_equals_decode_and_encode);
	tcase_add_test(tc, malformed_record_ends_its_block_with_an_offset);
	tcase_add_test(tc, writer_rejects_what_it_cannot_write);
	tcase_add_test(tc, same_layout);
	suite_add_tcase(s, tc);
	return kcap_check_run(s);
}
