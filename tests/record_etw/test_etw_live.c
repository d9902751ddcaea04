/* The live ETW frontend (tools/record_etw) without Windows: the whole
 * `kcap record --source etw` path (rec_parse_opts, rec_run, the frontend)
 * runs with a fake etw_ops in place of the Windows session calls.
 *  - every way out stops the session exactly once: Ctrl-C, --duration,
 *    --count, a closed console, an error while running; an error at start
 *    before the session exists stops nothing, one after it stops it; a
 *    session of that name already running is refused and left alone;
 *  - the callback fed EVENT_RECORD structures built from a corpus .etl's
 *    records gives the events `kcap convert --from etl` gives for the file
 *    (compared as JSON lines, less what says how a record arrived, which
 *    differs by nature: etw_header (the .etl header kind; live: classic or
 *    event), etw_group (live classic records name their class by GUID),
 *    etw_flags (a file's header kind says 32/64 bit, a live record's flags
 *    do), the origin's host and source, and ts compared at the 100 ns of a
 *    live FILETIME).
 * argv[1]: the corpus folder (../shared/corpus/etw); its tests SKIP visibly
 * when it is absent. */
#include <check.h>
#include "check_run.h"
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "etw/etl_file.h"
#include "etw/etw_priv.h" /* etw_group_guid: the class GUID a live record carries */
#include "record_common.h"
#include "record_etw/etw_live.h"

static const char *corpus;
static char tmpdir[256];

/* ---- the fake session ---- */

enum { END_WAIT, END_CTRL_C, END_CLOSE, END_FAIL };

typedef struct fake {
	int query_running;   /* a session of that name runs before we start */
	int start_fails, enable_fails;
	int end;             /* what the fake ProcessTrace does after feeding */
	int nsynth;          /* synthetic records to feed (no file) */
	const uint8_t *etl;  /* or a file's records */
	size_t etl_len;
	atomic_int starts, stops, queries;
	atomic_int running;
} fake;

static fake F;

static int f_start(void *ud, const char *name, uint32_t flags, uint64_t *h, char *why, size_t n)
{
	fake *f = ud;
	ck_assert_str_eq(name, ETW_LIVE_SESSION);
	ck_assert_uint_eq(flags, ETW_LIVE_FLAGS);
	if (f->start_fails) {
		snprintf(why, n, "StartTrace: access denied (fake)");
		return ETW_FAILED;
	}
	atomic_fetch_add(&f->starts, 1);
	atomic_store(&f->running, 1);
	*h = 42;
	return ETW_OK;
}

static int f_enable(void *ud, uint64_t h, char *why, size_t n)
{
	fake *f = ud;
	ck_assert_uint_eq(h, 42);
	if (f->enable_fails) {
		snprintf(why, n, "rundown request refused (fake)");
		return ETW_FAILED;
	}
	return ETW_OK;
}

static int f_stop(void *ud, const char *name, uint64_t h, etw_counters *c, char *why, size_t n)
{
	fake *f = ud;
	ck_assert_uint_eq(h, 42);
	atomic_fetch_add(&f->stops, 1);
	atomic_store(&f->running, 0);
	c->events_lost = 3;
	c->rt_buffers_lost = 1;
	c->buffers_written = 10;
	c->ncpus = 2;
	return ETW_OK;
}

static int f_query(void *ud, const char *name, etw_counters *c, char *why, size_t n)
{
	fake *f = ud;
	atomic_fetch_add(&f->queries, 1);
	if (!atomic_load(&f->running) && !f->query_running)
		return ETW_NOT_FOUND;
	memset(c, 0, sizeof *c);
	c->ncpus = 2;
	return ETW_OK;
}

static uint32_t f_self(void *ud) { return 0; }

/* A classic Process/Start-like record with a payload of n bytes. */
static void synth_record(etw_event_record *er, uint8_t *payload, int i)
{
	memset(er, 0, sizeof *er);
	er->header.flags = KCAP_ETW_F_CLASSIC_HEADER | KCAP_ETW_F_64_BIT_HEADER;
	/* an unknown provider: kept as a generic event */
	er->header.provider_id.data1 = 0x12345678;
	er->header.descriptor.opcode = 10;
	er->header.process_id = 100 + (uint32_t)i;
	er->header.thread_id = 200;
	er->header.timestamp = 133000000000000000LL + i * 10000LL; /* FILETIME */
	memset(payload, i, 8);
	er->user_data = payload;
	er->user_data_length = 8;
}

/* ---- EVENT_RECORDs from a file's records ---- */

typedef struct feeder {
	etw_record_cb cb;
	void *ctx;
	kcap_etw_decoder *clock; /* converts the file's raw times */
} feeder;

static int null_event(void *ud, const kcap_event *ev) { return 0; }

static int feed_session(void *ud, const kcap_etw_session *s)
{
	feeder *fd = ud;
	return kcap_etw_decoder_session(fd->clock, s);
}

/* What ProcessTrace hands for rec: classic records carry their class GUID
 * as provider and CLASSIC_HEADER, times are FILETIME. */
static int feed_record(void *ud, const kcap_etw_record *rec)
{
	feeder *fd = ud;
	etw_event_record er;
	etw_ext_item ext[16];
	memset(&er, 0, sizeof er);
	etw_event_header *h = &er.header;
	h->size = (uint16_t)sizeof *h;
	h->flags = rec->flags;
	if (rec->kind != KCAP_ETW_HDR_EVENT)
		h->flags |= KCAP_ETW_F_CLASSIC_HEADER;
	/* the pointer size as the flags say it (a live record of a 64-bit
	 * session also has 64_BIT_HEADER; the file's flags are kept as they are,
	 * since they are rendered as etw_flags) */
	if (rec->ptr_size == 4)
		h->flags |= KCAP_ETW_F_32_BIT_HEADER;
	h->event_property = rec->event_property;
	h->thread_id = rec->tid;
	h->process_id = rec->pid;
	int64_t ns = kcap_etw_decoder_time(fd->clock, rec->timestamp);
	h->timestamp = ns / 100 + 116444736000000000LL;
	memcpy(&h->provider_id, rec->provider.b, 16);
	static const kcap_etw_guid zero;
	if (rec->has_hook && !memcmp(&rec->provider, &zero, 16)) {
		/* a SYSTEM, compact or PERFINFO record names its class by group only;
		 * ProcessTrace gives the class GUID */
		const kcap_etw_guid *g = etw_group_guid(rec->hook >> 8);
		if (g)
			memcpy(&h->provider_id, g->b, 16);
	}
	h->descriptor.id = rec->id;
	h->descriptor.version = rec->version;
	h->descriptor.channel = rec->channel;
	h->descriptor.level = rec->level;
	h->descriptor.opcode = rec->opcode;
	h->descriptor.task = rec->task;
	h->descriptor.keyword = rec->keywords;
	h->u.t.kernel_time = (uint32_t)rec->kernel_time;
	h->u.t.user_time = (uint32_t)rec->user_time;
	memcpy(&h->activity_id, rec->activity_id.b, 16);
	if (rec->cpu < 256) {
		er.buffer_context.u.p.processor_number = (uint8_t)rec->cpu;
	} else {
		h->flags |= KCAP_ETW_F_PROCESSOR_INDEX;
		er.buffer_context.u.processor_index = (uint16_t)rec->cpu;
	}
	uint16_t next = rec->next < 16 ? rec->next : 16;
	for (uint16_t i = 0; i < next; i++) {
		memset(&ext[i], 0, sizeof ext[i]);
		ext[i].ext_type = rec->ext[i].type;
		ext[i].data_size = rec->ext[i].size;
		ext[i].data_ptr = (uint64_t)(uintptr_t)rec->ext[i].data;
	}
	if (next)
		h->flags |= KCAP_ETW_F_EXTENDED_INFO;
	er.extended_data_count = next;
	er.extended_data = next ? ext : NULL;
	er.user_data = rec->data;
	er.user_data_length = (uint16_t)rec->len;
	fd->cb(fd->ctx, &er);
	return 0;
}

static void wait_stopped(fake *f)
{
	while (atomic_load(&f->running))
		nanosleep(&(struct timespec){0, 1000000}, NULL);
}

static int f_process(void *ud, const char *name, etw_record_cb cb, void *ctx, char *why, size_t n)
{
	fake *f = ud;
	if (f->etl) {
		feeder fd = {cb, ctx, NULL};
		static const kcap_etw_sink ns = {.event = null_event};
		kcap_error e = {0};
		ck_assert_int_eq(kcap_etw_decoder_open(&fd.clock, &ns, NULL, &e), 0);
		kcap_etl_handler hd = {.session = feed_session, .record = feed_record};
		int rc = kcap_etl_walk(f->etl, f->etl_len, &hd, &fd, NULL, &e);
		kcap_etw_decoder_close(fd.clock);
		ck_assert_msg(rc >= 0, "walk: %d %s", rc, e.msg);
	}
	for (int i = 0; i < f->nsynth; i++) {
		etw_event_record er;
		uint8_t p[8];
		synth_record(&er, p, i);
		cb(ctx, &er);
	}
	switch (f->end) {
	case END_CTRL_C:
		ck_assert_int_eq(etw_live_console_event(0), 1);
		break;
	case END_CLOSE:
		ck_assert_int_eq(etw_live_console_event(2), 1);
		break;
	case END_FAIL:
		snprintf(why, n, "ProcessTrace: the session went away (fake)");
		return ETW_FAILED;
	}
	wait_stopped(f);
	return ETW_OK;
}

static const etw_ops fake_ops = {f_start, f_enable, f_process, f_stop, f_query, f_self};

/* Runs `kcap record --source etw -q -o OUT extra...`; returns the exit code. */
static int run_record(const char *out, const char *const *extra)
{
	char *argv[16];
	int argc = 0;
	argv[argc++] = "record";
	argv[argc++] = "--source";
	argv[argc++] = "etw";
	argv[argc++] = "-q";
	argv[argc++] = "-o";
	argv[argc++] = (char *)out;
	for (; extra && *extra; extra++)
		argv[argc++] = (char *)*extra;
	argv[argc] = NULL;
	rec_opts o;
	ck_assert_int_eq(rec_parse_opts(argc, argv, &o), KCAP_EXIT_OK);
	etw_live_ops = &fake_ops;
	etw_live_ops_ud = &F;
	return rec_run(&o, &rec_frontend_etw);
}

static uint64_t count_events(const char *path)
{
	kcap_reader *r = NULL;
	kcap_error e = {0};
	const kcap_event *ev;
	uint64_t n = 0;
	ck_assert_msg(kcap_reader_open_path(&r, path, &e) == 0, "%s: %s", path, e.msg);
	while (kcap_reader_next(r, &ev) > 0)
		n++;
	kcap_reader_close(r);
	return n;
}

static void reset(void)
{
	memset(&F, 0, sizeof F);
}

static const char *out_path(const char *name)
{
	static char p[512];
	snprintf(p, sizeof p, "%s/%s-%d.kcap", tmpdir, name, (int)getpid()); /* cases run side by side */
	unlink(p);
	return p;
}

/* ---- every way out stops the session once ---- */

typedef struct exit_case {
	const char *name;
	int nsynth, end, query_running, start_fails, enable_fails;
	const char *extra[3];
	int starts, stops;   /* expected calls */
	int rc;              /* expected exit status, or -1: any */
	int events;          /* expected events in the file, or -1: no file */
} exit_case;

static const exit_case exit_cases[] = {
	/* the fake's stop reports 3 events lost: exit 4, every event written */
	{"ctrl_c", 20, END_CTRL_C, 0, 0, 0, {NULL}, 1, 1, KCAP_EXIT_LOST, 20},
	{"console_close", 5, END_CLOSE, 0, 0, 0, {NULL}, 1, 1, KCAP_EXIT_LOST, 5},
	{"duration", 7, END_WAIT, 0, 0, 0, {"--duration", "300ms"}, 1, 1, KCAP_EXIT_LOST, 7},
	{"count", 50, END_WAIT, 0, 0, 0, {"--count", "10"}, 1, 1, KCAP_EXIT_LOST, 10},
	/* what came before the failure is in the file */
	{"error_mid_run", 4, END_FAIL, 0, 0, 0, {NULL}, 1, 1, KCAP_EXIT_ERROR, 4},
	/* no session yet: nothing to stop, no output that looks valid */
	{"start_error", 0, END_WAIT, 0, 1, 0, {NULL}, 0, 0, KCAP_EXIT_ERROR, -1},
	{"enable_error", 0, END_WAIT, 0, 0, 1, {NULL}, 1, 1, KCAP_EXIT_ERROR, -1},
	/* not ours: refused and left alone */
	{"leftover_session", 0, END_WAIT, 1, 0, 0, {NULL}, 0, 0, KCAP_EXIT_ERROR, -1},
};

START_TEST(every_exit_stops_once)
{
	const exit_case *x = &exit_cases[_i];
	reset();
	F.nsynth = x->nsynth;
	F.end = x->end;
	F.query_running = x->query_running;
	F.start_fails = x->start_fails;
	F.enable_fails = x->enable_fails;
	const char *out = out_path(x->name);
	unsigned before = etw_live_stops();
	int rc = run_record(out, x->extra);
	ck_assert_msg(atomic_load(&F.starts) == x->starts, "%s: %d starts", x->name, atomic_load(&F.starts));
	ck_assert_msg(atomic_load(&F.stops) == x->stops, "%s: %d stops", x->name, atomic_load(&F.stops));
	ck_assert_uint_eq(etw_live_stops() - before, (unsigned)x->stops);
	ck_assert_int_ge(atomic_load(&F.queries), 1); /* a running session is looked for first */
	if (x->rc >= 0)
		ck_assert_msg(rc == x->rc, "%s: exit %d, %d expected", x->name, rc, x->rc);
	if (x->events < 0)
		ck_assert_int_eq(access(out, F_OK), -1);
	else
		ck_assert_uint_eq(count_events(out), (uint64_t)x->events);
	unlink(out);
}
END_TEST

/* ---- the callback, fed from a corpus file, against convert --from etl ---- */

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *b = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(b);
	ck_assert_uint_eq(fread(b, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return b;
}

/* Removes "key":value (a scalar or a string without commas) from a JSON line. */
static void drop_key(char *s, const char *key)
{
	char pat[64];
	snprintf(pat, sizeof pat, "\"%s\":", key);
	char *p;
	while ((p = strstr(s, pat))) {
		char *e = p + strlen(pat);
		if (*e == '"') {
			e = strchr(e + 1, '"');
			ck_assert_ptr_nonnull(e);
			e++;
		} else {
			e += strcspn(e, ",}");
		}
		if (*e == ',')
			e++;
		else if (p > s && p[-1] == ',')
			p--;
		memmove(p, e, strlen(e) + 1);
	}
}

static void event_line(const kcap_event *ev, const kcap_schema *sc, kcap_buf *b, char *out, size_t n)
{
	b->len = 0;
	ck_assert_int_eq(kcap_render_json(b, ev, sc), 0);
	snprintf(out, n, "%.*s", (int)b->len, (const char *)b->data);
	static const char *const drop[] = {"seq", "ts", "time", "host", "source", "etw_header", "etw_group", "etw_flags", NULL};
	for (int i = 0; drop[i]; i++)
		drop_key(out, drop[i]);
}

static void compare_file(const char *rel)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", corpus, rel);
	size_t len;
	uint8_t *etl = slurp(path, &len);
	ck_assert_msg(etl != NULL, "%s", path);
	/* A: the file through the one decoder, as convert --from etl */
	char a[512], b[512];
	snprintf(a, sizeof a, "%s", out_path("etl_a"));
	kcap_writer *w = NULL;
	kcap_error e = {0};
	kcap_etw_decoder *d = NULL;
	ck_assert_int_eq(kcap_writer_open_path(&w, a, NULL, &e), 0);
	ck_assert_int_eq(kcap_etw_decoder_open_writer(&d, w, &e), 0);
	kcap_etl_handler hd = {
		.session = (int (*)(void *, const kcap_etw_session *))kcap_etw_decoder_session,
		.record = (int (*)(void *, const kcap_etw_record *))kcap_etw_decode,
	};
	ck_assert_int_ge(kcap_etl_walk(etl, len, &hd, d, NULL, &e), 0);
	ck_assert_int_eq(kcap_etw_decoder_finish(d), 0);
	kcap_etw_decoder_close(d);
	ck_assert_int_eq(kcap_writer_close(w), 0);
	/* B: its records as EVENT_RECORDs through the live callback and rec_run */
	reset();
	F.etl = etl;
	F.etl_len = len;
	F.end = END_CTRL_C;
	snprintf(b, sizeof b, "%s", out_path("etl_b"));
	static const char *const extra[] = {"-e", "all", NULL};
	run_record(b, extra);
	ck_assert_int_eq(atomic_load(&F.stops), 1);

	kcap_reader *ra = NULL, *rb = NULL;
	ck_assert_int_eq(kcap_reader_open_path(&ra, a, &e), 0);
	ck_assert_int_eq(kcap_reader_open_path(&rb, b, &e), 0);
	const kcap_event *ea, *eb;
	kcap_buf ba = {0}, bb = {0};
	static char la[1 << 21], lb[1 << 21];
	uint64_t n = 0;
	for (;;) {
		int ka = kcap_reader_next(ra, &ea), kb = kcap_reader_next(rb, &eb);
		ck_assert_msg(ka == kb, "%s: event %llu: one capture ends before the other (%d, %d)", rel,
		              (unsigned long long)n, ka, kb);
		if (ka <= 0)
			break;
		ck_assert_msg(ea->ts / 100 == eb->ts / 100, "%s: event %llu: ts %lld vs %lld", rel, (unsigned long long)n,
		              (long long)ea->ts, (long long)eb->ts);
		event_line(ea, kcap_reader_schema(ra), &ba, la, sizeof la);
		event_line(eb, kcap_reader_schema(rb), &bb, lb, sizeof lb);
		size_t at = 0;
		while (la[at] && la[at] == lb[at])
			at++;
		size_t from = at > 120 ? at - 120 : 0;
		ck_assert_msg(!la[at] && !lb[at], "%s: event %llu differs at byte %zu:\n  etl:  ...%.240s\n  live: ...%.240s", rel,
		              (unsigned long long)n, at, la + from, lb + from);
		n++;
	}
	ck_assert_uint_gt(n, 0);
	/* the snapshot of the rundown is in both */
	kcap_buf_free(&ba);
	kcap_buf_free(&bb);
	kcap_reader_close(ra);
	kcap_reader_close(rb);
	unlink(a);
	unlink(b);
	free(etl);
	fprintf(stderr, "%s: %llu events equal\n", rel, (unsigned long long)n);
}

static int have_corpus(void)
{
	struct stat sb;
	if (corpus && stat(corpus, &sb) == 0)
		return 1;
	fprintf(stderr, "SKIP: no ETW corpus at %s\n", corpus ? corpus : "(none)");
	return 0;
}

START_TEST(callback_equals_etl_plain_kernel)
{
	if (have_corpus())
		compare_file("etl-parser/ShutdownPerfDiagLogger.etl");
}
END_TEST

START_TEST(callback_equals_etl_others)
{
	if (!have_corpus())
		return;
	static const char *const files[] = {"sawbuck/process_data_32_v2.etl", "sawbuck/image_data_32_v1.etl",
	                                    "krabsetw/powershell.etl", "etl-parser/AMSITrace.etl", NULL};
	for (int i = 0; files[i]; i++)
		compare_file(files[i]);
	if (kcap_etl_have_xpress())
		compare_file("perfview/SelfDescribingSingleEvent.etl");
	else
		fprintf(stderr, "SKIP: perfview/SelfDescribingSingleEvent.etl: no XPRESS support in this build\n");
}
END_TEST

/* EVENT_HEADER32 and 64 mixed, extended data (stacks, related activity):
 * 179474 events, a case (and a ctest entry) of its own */
START_TEST(callback_equals_etl_perfview)
{
	if (!have_corpus())
		return;
	if (kcap_etl_have_xpress())
		compare_file("perfview/net.4.5.2.x64.etl");
	else
		fprintf(stderr, "SKIP: perfview/net.4.5.2.x64.etl: no XPRESS support in this build\n");
}
END_TEST

int main(int argc, char **argv)
{
	corpus = argc > 1 ? argv[1] : NULL;
	snprintf(tmpdir, sizeof tmpdir, "%s", argc > 2 ? argv[2] : "/tmp");
	Suite *su = suite_create("record_etw");
	TCase *tc = tcase_create("exits");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, every_exit_stops_once, 0, (int)(sizeof exit_cases / sizeof exit_cases[0]));
	suite_add_tcase(su, tc);
	TCase *tk = tcase_create("callback");
	tcase_set_timeout(tk, 300);
	tcase_add_test(tk, callback_equals_etl_plain_kernel);
	tcase_add_test(tk, callback_equals_etl_others);
	suite_add_tcase(su, tk);
	TCase *tp = tcase_create("perfview");
	tcase_set_timeout(tp, 900); /* about 10 s, minutes under ASan on a busy machine */
	tcase_add_test(tp, callback_equals_etl_perfview);
	suite_add_tcase(su, tp);
	return kcap_check_run(su);
}
