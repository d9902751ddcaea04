/*
 * check_etw_corpus.c - the ETW decoder and .etl walk against every file of
 * the shared corpus (../shared/corpus/etw), each compared with its
 * NAME.ref.json (airbus-cert/etl-parser's decoding, see the corpus README):
 *  - total events, counts per header kind, per provider GUID and per
 *    HEADERTYPE|group|opcode|version (classic) or HEADERTYPE|guid|id|opcode|
 *    version (EVENT_HEADER) key, both ways;
 *  - every process event (Process group, opcodes 1-4) the reference could
 *    decode: pid, ppid, image and command line, as multisets;
 *  - the logfile header into the origin metadata;
 *  - sawbuck's expected values (NAME.expected.json) in time order;
 *  - perfview's TraceEvent baseline: COUNT lines of the kernel event names
 *    the decoder names, and the times of the first events of those names
 *    to the microsecond.
 * Every mismatch is printed (up to 40 per file) before the check fails.
 * SKIPs visibly when the corpus is absent.
 */
#include <check.h>
#include "check_run.h"
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kcap/kcap.h>
#include <kcap/taxonomy.h>

#include "etw/etl_file.h"
#include "etw/etw_decode.h"

#ifndef ETW_CORPUS_DIR
#define ETW_CORPUS_DIR "../shared/corpus/etw"
#endif

/* One event as the decoder gave it, with what the comparisons need. */
typedef struct oev {
	int64_t ts;
	int32_t pid, ppid;
	int group, opcode, version, id, header;
	char guid[40];
	char type[96];
	char *image, *cmdline, *path, *sid;
	int64_t exit_status;
	uint64_t session, base, size;
	int has_session, has_exit;
} oev;

typedef struct run {
	oev *ev;
	size_t n, cap;
	const kcap_schema *s;
	kcap_meta *meta;
	kcap_etw_decoder *d;
	int64_t origin_ns;
	int nsnap;
	int mismatches;
	const char *file;
} run;

static void miss(run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void miss(run *r, const char *fmt, ...)
{
	if (r->mismatches++ < 40) {
		va_list ap;
		va_start(ap, fmt);
		printf("MISMATCH %s: ", r->file);
		vprintf(fmt, ap);
		printf("\n");
		va_end(ap);
	}
}

static const kcap_value *param(const kcap_event *ev, const kcap_type_def *def, const char *name)
{
	int i = kcap_type_param_index(def, name);
	return i >= 0 && ev->params[i].present ? &ev->params[i] : NULL;
}

static char *dupv(const kcap_value *v)
{
	if (!v)
		return NULL;
	size_t n = v->len;
	if (v->type == KCAP_T_STRLIST && n && v->p[n - 1] == 0)
		n--;
	char *s = malloc(n + 1);
	memcpy(s, v->p, n);
	s[n] = 0;
	return s;
}

static int s_schema(void *ud, const kcap_schema *s)
{
	((run *)ud)->s = s;
	return 0;
}
static int s_origin(void *ud, const kcap_meta *m)
{
	run *r = ud;
	kcap_meta_free(r->meta);
	r->meta = kcap_meta_new();
	const char *k, *v;
	for (size_t i = 0; kcap_meta_at(m, i, &k, &v); i++)
		kcap_meta_set(r->meta, k, v);
	return 0;
}
static int s_snapshot(void *ud, const kcap_snapshot *s)
{
	((run *)ud)->nsnap = (int)kcap_snapshot_count(s);
	return 0;
}
static int s_event(void *ud, const kcap_event *ev)
{
	run *r = ud;
	const kcap_type_def *def = kcap_schema_type(r->s, ev->type_id);
	ck_assert_ptr_nonnull(def);
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 1024;
		r->ev = realloc(r->ev, r->cap * sizeof *r->ev);
		ck_assert_ptr_nonnull(r->ev);
	}
	oev *o = &r->ev[r->n++];
	memset(o, 0, sizeof *o);
	o->ts = ev->ts;
	o->pid = ev->pid;
	o->ppid = ev->ppid;
	snprintf(o->type, sizeof o->type, "%s", def->name);
	const kcap_value *v;
	o->group = (v = param(ev, def, "etw_group")) ? (int)v->u : -1;
	o->id = (v = param(ev, def, "etw_id")) ? (int)v->u : -1;
	o->opcode = (v = param(ev, def, "etw_opcode")) ? (int)v->u : -1;
	o->version = (v = param(ev, def, "etw_version")) ? (int)v->u : -1;
	o->header = (v = param(ev, def, "etw_header")) ? (int)v->u : -1;
	if ((v = param(ev, def, "etw_provider")))
		kcap_etw_guid_format((const kcap_etw_guid *)v->addr, o->guid);
	o->image = dupv(param(ev, def, "image"));
	o->cmdline = dupv(param(ev, def, "cmdline"));
	o->path = dupv(param(ev, def, "path"));
	if ((v = param(ev, def, "user_sid"))) {
		kcap_buf b = { 0 };
		kcap_render_value(&b, v, r->s, &def->params[kcap_type_param_index(def, "user_sid")]);
		o->sid = malloc(b.len + 1);
		memcpy(o->sid, b.data, b.len);
		o->sid[b.len] = 0;
		kcap_buf_free(&b);
	}
	if ((v = param(ev, def, "exit_status"))) {
		o->exit_status = v->i;
		o->has_exit = 1;
	}
	if ((v = param(ev, def, "session"))) {
		o->session = v->u;
		o->has_session = 1;
	}
	if ((v = param(ev, def, "base")))
		o->base = v->u;
	if ((v = param(ev, def, "size")))
		o->size = v->u;
	return 0;
}

static int h_session(void *ud, const kcap_etw_session *s)
{
	run *r = ud;
	if (!r->origin_ns)
		r->origin_ns = kcap_etw_filetime_to_ns(s->clock.origin_filetime);
	return kcap_etw_decoder_session(r->d, s);
}
static int h_record(void *ud, const kcap_etw_record *rec) { return kcap_etw_decode(((run *)ud)->d, rec); }
static void h_damage(void *ud, const kcap_error *e, uint64_t skipped)
{
	run *r = ud;
	(void)skipped;
	miss(r, "damage reported at offset %lld: %s", (long long)e->offset, e->msg);
}

static uint8_t *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long l = ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *b = malloc((size_t)l + 1);
	*n = fread(b, 1, (size_t)l, f);
	fclose(f);
	return b;
}

static void run_file(run *r, const char *etl)
{
	memset(r, 0, sizeof *r);
	r->file = etl;
	size_t n;
	uint8_t *buf = slurp(etl, &n);
	ck_assert_msg(buf != NULL, "cannot read %s", etl);
	static const kcap_etw_sink sink = { s_schema, s_origin, s_event, s_snapshot, NULL };
	kcap_error err = { 0 };
	ck_assert_int_eq(kcap_etw_decoder_open(&r->d, &sink, r, &err), 0);
	kcap_etl_handler h = { h_session, h_record, NULL, h_damage };
	kcap_etl_stats st;
	int rc = kcap_etl_walk(buf, n, &h, r, &st, &err);
	ck_assert_msg(rc == 0, "%s: walk returned %d (%s)", etl, rc, err.msg);
	ck_assert_int_eq(kcap_etw_decoder_finish(r->d), 0);
	free(buf);
}

static void free_run(run *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->ev[i].image);
		free(r->ev[i].cmdline);
		free(r->ev[i].path);
		free(r->ev[i].sid);
	}
	free(r->ev);
	kcap_meta_free(r->meta);
	kcap_etw_decoder_close(r->d);
}

static const char *marker_name(int h)
{
	switch (h) {
	case 1: return "SYSTEM_TRACE_MARKER_32";
	case 2: return "SYSTEM_TRACE_MARKER_64";
	case 3: return "COMPACT_TRACE_MARKER_32";
	case 4: return "COMPACT_TRACE_MARKER_64";
	case 16: return "PERFINFO_TRACE_MARKER_32";
	case 17: return "PERFINFO_TRACE_MARKER_64";
	case 18: return "EVENT_HEADER_EVENT32";
	case 19: return "EVENT_HEADER_EVENT64";
	case 10: return "TRACE_HEADER_TYPE_FULL_HEADER32";
	case 20: return "TRACE_HEADER_TYPE_FULL_HEADER64";
	default: return "?";
	}
}
static const char *kind_name(int h)
{
	switch (h) {
	case 1: case 2: case 3: case 4: return "SystemTraceRecord";
	case 16: case 17: return "PerfInfoTraceRecord";
	case 18: case 19: return "EventRecord";
	case 10: case 20: return "TraceRecord";
	default: return "?";
	}
}

static void key_of(const oev *o, char *k, size_t cap)
{
	if (o->group >= 0)
		snprintf(k, cap, "%s|group=0x%02x|opcode=%d|version=%d", marker_name(o->header), o->group, o->opcode,
		         o->version);
	else if (o->header == 18 || o->header == 19)
		snprintf(k, cap, "%s|%s|id=%d|opcode=%d|version=%d", marker_name(o->header), o->guid, o->id, o->opcode,
		         o->version);
	else
		snprintf(k, cap, "%s|%s|opcode=%d|version=%d", marker_name(o->header), o->guid, o->opcode, o->version);
}

/* The reference's key with "(GROUP_NAME)" taken out. */
static void strip_group_name(const char *in, char *out, size_t cap)
{
	size_t k = 0;
	for (const char *p = in; *p && k + 1 < cap; p++) {
		if (*p == '(') {
			while (*p && *p != ')')
				p++;
			if (!*p)
				break;
			continue;
		}
		out[k++] = *p;
	}
	out[k] = 0;
}

/* Compares counts of ours (a JSON object built here) with ref's. */
static void compare_counts(run *r, const char *what, json_t *ours, json_t *ref)
{
	const char *k;
	json_t *v;
	json_object_foreach(ref, k, v) {
		json_t *m = json_object_get(ours, k);
		long long a = m ? json_integer_value(m) : 0, b = json_integer_value(v);
		if (a != b)
			miss(r, "%s %s: ours %lld, reference %lld", what, k, a, b);
	}
	json_object_foreach(ours, k, v) {
		if (!json_object_get(ref, k))
			miss(r, "%s %s: ours %lld, reference has none", what, k, (long long)json_integer_value(v));
	}
}

static void bump(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	json_object_set_new(o, k, json_integer(v ? json_integer_value(v) + 1 : 1));
}

static int is_process_event(const oev *o)
{
	return o->group == 3 && o->opcode >= 1 && o->opcode <= 4;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void compare_ref(run *r, json_t *ref)
{
	json_t *keys = json_object(), *guids = json_object(), *kinds = json_object(), *rkeys = json_object();
	char k[256];
	for (size_t i = 0; i < r->n; i++) {
		const oev *o = &r->ev[i];
		key_of(o, k, sizeof k);
		bump(keys, k);
		if (o->guid[0])
			bump(guids, o->guid);
		else {
			snprintf(k, sizeof k, "group-0x%02x", o->group);
			bump(guids, k);
		}
		bump(kinds, kind_name(o->header));
	}
	const char *rk;
	json_t *v;
	json_object_foreach(json_object_get(ref, "events_by_key"), rk, v) {
		strip_group_name(rk, k, sizeof k);
		json_t *have = json_object_get(rkeys, k);
		json_object_set_new(rkeys, k, json_integer(json_integer_value(v) + (have ? json_integer_value(have) : 0)));
	}
	long long total = json_integer_value(json_object_get(ref, "total_events"));
	if ((long long)r->n != total)
		miss(r, "total events: ours %zu, reference %lld", r->n, total);
	compare_counts(r, "key", keys, rkeys);
	compare_counts(r, "provider", guids, json_object_get(ref, "events_by_provider_guid"));
	compare_counts(r, "header kind", kinds, json_object_get(ref, "events_by_header_kind"));
	json_decref(keys);
	json_decref(guids);
	json_decref(kinds);
	json_decref(rkeys);

	/* process events: "opcode pid ppid image|cmdline" as multisets */
	json_t *pe = json_object_get(ref, "process_events");
	size_t nref = 0, nours = 0;
	char **a = calloc(json_array_size(pe) + 1, sizeof *a), **b = calloc(r->n + 1, sizeof *b);
	size_t i;
	json_array_foreach(pe, i, v) {
		if (json_object_get(v, "etl_parser_error"))
			continue;
		const char *im = json_string_value(json_object_get(v, "image_file_name"));
		const char *cl = json_string_value(json_object_get(v, "command_line"));
		char t[4096];
		snprintf(t, sizeof t, "op=%lld pid=%lld ppid=%lld image=%s cmdline=%s",
		         (long long)json_integer_value(json_object_get(v, "opcode")),
		         (long long)json_integer_value(json_object_get(v, "pid")),
		         (long long)json_integer_value(json_object_get(v, "ppid")), im ? im : "", cl ? cl : "");
		a[nref++] = strdup(t);
	}
	for (size_t j = 0; j < r->n; j++) {
		const oev *o = &r->ev[j];
		if (!is_process_event(o) || !nref)
			continue;
		char t[4096];
		snprintf(t, sizeof t, "op=%d pid=%d ppid=%d image=%s cmdline=%s", o->opcode, o->pid, o->ppid,
		         o->image ? o->image : "", o->cmdline ? o->cmdline : "");
		b[nours++] = strdup(t);
	}
	qsort(a, nref, sizeof *a, cmp_str);
	qsort(b, nours, sizeof *b, cmp_str);
	if (nref && nours != nref)
		miss(r, "process events: ours %zu, reference %zu", nours, nref);
	for (size_t x = 0, y = 0; x < nref || y < nours;) {
		int c = x >= nref ? 1 : y >= nours ? -1 : strcmp(a[x], b[y]);
		if (c < 0)
			miss(r, "process event only in the reference: %s", a[x++]);
		else if (c > 0)
			miss(r, "process event only in ours: %s", b[y++]);
		else
			x++, y++;
	}
	for (size_t x = 0; x < nref; x++)
		free(a[x]);
	for (size_t y = 0; y < nours; y++)
		free(b[y]);
	free(a);
	free(b);

	/* image events (Image group 2/3/4/10 and Process group 10) the
	 * reference could decode: pid, base, size, file name as multisets */
	json_t *ie = json_object_get(ref, "image_events");
	size_t nir = 0, nio = 0;
	char **ia = calloc(json_array_size(ie) + 1, sizeof *ia), **ib = calloc(r->n + 1, sizeof *ib);
	json_array_foreach(ie, i, v) {
		if (json_object_get(v, "etl_parser_error"))
			continue;
		const char *fn = json_string_value(json_object_get(v, "file_name"));
		const char *base = json_string_value(json_object_get(v, "image_base"));
		char t[4096];
		snprintf(t, sizeof t, "op=%lld pid=%lld base=%s size=%lld file=%s",
		         (long long)json_integer_value(json_object_get(v, "opcode")),
		         (long long)json_integer_value(json_object_get(v, "pid")), base ? base : "",
		         (long long)json_integer_value(json_object_get(v, "image_size")), fn ? fn : "");
		ia[nir++] = strdup(t);
	}
	for (size_t j = 0; j < r->n && nir; j++) {
		const oev *o = &r->ev[j];
		if (o->group != 0x14 || !(o->opcode == 2 || o->opcode == 3 || o->opcode == 4 || o->opcode == 10))
			continue;
		char t[4096];
		snprintf(t, sizeof t, "op=%d pid=%d base=0x%llx size=%llu file=%s", o->opcode, o->pid,
		         (unsigned long long)o->base, (unsigned long long)o->size, o->path ? o->path : "");
		ib[nio++] = strdup(t);
	}
	qsort(ia, nir, sizeof *ia, cmp_str);
	qsort(ib, nio, sizeof *ib, cmp_str);
	if (nir && nio != nir)
		miss(r, "image events: ours %zu, reference %zu", nio, nir);
	for (size_t x = 0, y = 0; x < nir || y < nio;) {
		int c = x >= nir ? 1 : y >= nio ? -1 : strcmp(ia[x], ib[y]);
		if (c < 0)
			miss(r, "image event only in the reference: %s", ia[x++]);
		else if (c > 0)
			miss(r, "image event only in ours: %s", ib[y++]);
		else
			x++, y++;
	}
	if (nir)
		printf("%s: %zu image events compared\n", r->file, nir);
	for (size_t x = 0; x < nir; x++)
		free(ia[x]);
	for (size_t y = 0; y < nio; y++)
		free(ib[y]);
	free(ia);
	free(ib);

	/* the logfile header in the metadata */
	json_t *lh = json_object_get(ref, "logfile_header");
	struct {
		const char *meta, *ref;
	} pairs[] = { { "etw_logger_name", "SessionName" }, { "etw_log_file_name", "LogFileName" },
	              { "etw_ncpus", "NumberOfProcessors" }, { "etw_pointer_size", "PointerSize" },
	              { "etw_timer_resolution_100ns", "TimerResolution" }, { "etw_events_lost", "EventsLost" },
	              { "etw_buffers_lost", "BuffersLost" }, { "etw_buffer_size", "BufferSize" },
	              { "etw_cpu_mhz", "CPUSpeed" } };
	for (size_t p = 0; p < sizeof pairs / sizeof pairs[0]; p++) {
		json_t *rv = json_object_get(lh, pairs[p].ref);
		char want[512];
		if (json_is_string(rv))
			snprintf(want, sizeof want, "%s", json_string_value(rv));
		else
			snprintf(want, sizeof want, "%lld", (long long)json_integer_value(rv));
		const char *got = r->meta ? kcap_meta_get(r->meta, pairs[p].meta) : NULL;
		if (!got || strcmp(got, want))
			miss(r, "metadata %s: ours %s, reference %s %s", pairs[p].meta, got ? got : "(none)", pairs[p].ref, want);
	}
	char kern[64];
	long long ver = json_integer_value(json_object_get(lh, "Version"));
	snprintf(kern, sizeof kern, "%lld.%lld.%lld", ver & 0xff, (ver >> 8) & 0xff,
	         (long long)json_integer_value(json_object_get(lh, "ProviderVersion")));
	const char *gk = r->meta ? kcap_meta_get(r->meta, KCAP_META_KERNEL) : NULL;
	if (!gk || strcmp(gk, kern))
		miss(r, "metadata kernel: ours %s, reference %s", gk ? gk : "(none)", kern);
	/* capture start = StartTime */
	long long st = json_integer_value(json_object_get(lh, "StartTime"));
	char want[32];
	snprintf(want, sizeof want, "%lld", (st - 116444736000000000LL) * 100);
	const char *gs = r->meta ? kcap_meta_get(r->meta, KCAP_META_CAPTURE_START) : NULL;
	if (!gs || strcmp(gs, want))
		miss(r, "metadata capture_start: ours %s, reference %s", gs ? gs : "(none)", want);
	/* time: the first event is the header record, at StartTime exactly; the
	 * last event's time follows (ts - header ts) / PerfFreq */
	long long t0 = json_integer_value(json_object_get(ref, "timestamp_min"));
	long long tmax = json_integer_value(json_object_get(ref, "timestamp_max"));
	long long freq = json_integer_value(json_object_get(lh, "PerfFreq"));
	long long h0 = json_integer_value(json_object_get(lh, "header_event_timestamp"));
	int64_t mn = INT64_MAX, mx = INT64_MIN;
	for (size_t j = 0; j < r->n; j++) {
		mn = r->ev[j].ts < mn ? r->ev[j].ts : mn;
		mx = r->ev[j].ts > mx ? r->ev[j].ts : mx;
	}
	if (freq > 0 && r->n) {
		long double e0 = (long double)(st - 116444736000000000LL) * 100 + (long double)(t0 - h0) * 1e9L / freq;
		long double e1 = (long double)(st - 116444736000000000LL) * 100 + (long double)(tmax - h0) * 1e9L / freq;
		if ((long double)mn - e0 > 1000 || e0 - (long double)mn > 1000)
			miss(r, "first event time %lld ns, reference %.0Lf", (long long)mn, e0);
		if ((long double)mx - e1 > 1000 || e1 - (long double)mx > 1000)
			miss(r, "last event time %lld ns, reference %.0Lf", (long long)mx, e1);
	}
}

static int cmp_ts(const void *a, const void *b)
{
	const oev *x = a, *y = b;
	return x->ts < y->ts ? -1 : x->ts > y->ts;
}

/* sawbuck's expected values, in time order. */
static void compare_expected(run *r, json_t *exp)
{
	json_t *ev = json_object_get(exp, "expected_events");
	oev *sel = calloc(r->n + 1, sizeof *sel);
	size_t ns = 0;
	const char *prov = json_string_value(json_object_get(exp, "provider_guid"));
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->ev[i].guid, prov))
			sel[ns++] = r->ev[i];
	qsort(sel, ns, sizeof *sel, cmp_ts);
	if (ns != json_array_size(ev))
		miss(r, "expected %zu events of %s, ours %zu", json_array_size(ev), prov, ns);
	size_t i;
	json_t *e;
	json_array_foreach(ev, i, e) {
		if (i >= ns)
			break;
		const oev *o = &sel[i];
		if (json_integer_value(json_object_get(e, "opcode")) != o->opcode)
			miss(r, "event %zu: opcode %d, expected %lld", i, o->opcode,
			     (long long)json_integer_value(json_object_get(e, "opcode")));
		json_t *v;
		if ((v = json_object_get(e, "pid")) && json_is_integer(v) && json_integer_value(v) != o->pid)
			miss(r, "event %zu: pid %d, expected %lld", i, o->pid, (long long)json_integer_value(v));
		if ((v = json_object_get(e, "ppid")) && json_integer_value(v) != o->ppid)
			miss(r, "event %zu: ppid %d, expected %lld", i, o->ppid, (long long)json_integer_value(v));
		if ((v = json_object_get(e, "session_id")) && (!o->has_session || (long long)o->session != json_integer_value(v)))
			miss(r, "event %zu: session %llu, expected %lld", i, (unsigned long long)o->session,
			     (long long)json_integer_value(v));
		if ((v = json_object_get(e, "exit_status")) && (!o->has_exit || o->exit_status != json_integer_value(v)))
			miss(r, "event %zu: exit status %lld, expected %lld", i, (long long)o->exit_status,
			     (long long)json_integer_value(v));
		if ((v = json_object_get(e, "user_sid")) && (!o->sid || strcmp(o->sid, json_string_value(v))))
			miss(r, "event %zu: sid %s, expected %s", i, o->sid ? o->sid : "(none)", json_string_value(v));
		if ((v = json_object_get(e, "image_file_name")) && (!o->image || strcmp(o->image, json_string_value(v))))
			miss(r, "event %zu: image %s, expected %s", i, o->image ? o->image : "(none)", json_string_value(v));
		if ((v = json_object_get(e, "file_name")) && (!o->path || strcmp(o->path, json_string_value(v))))
			miss(r, "event %zu: file %s, expected %s", i, o->path ? o->path : "(none)", json_string_value(v));
		if ((v = json_object_get(e, "image_base")) && (long long)o->base != json_integer_value(v))
			miss(r, "event %zu: base %llu, expected %lld", i, (unsigned long long)o->base,
			     (long long)json_integer_value(v));
		if ((v = json_object_get(e, "image_size")) && (long long)o->size != json_integer_value(v))
			miss(r, "event %zu: size %llu, expected %lld", i, (unsigned long long)o->size,
			     (long long)json_integer_value(v));
	}
	free(sel);
}

/* TraceEvent's names of the kernel events the comparison covers. Thread
 * DCStart/DCStop, FileIo names, StackWalk and PerfInfo samples are left
 * out: the baseline's TraceLog drops them (or the idle process's samples),
 * as the corpus README says. */
static const char *te_name(const oev *o)
{
	static const struct {
		int group, opcode;
		const char *name;
	} T[] = {
		{ 3, 1, "Windows Kernel/Process/Start" }, { 3, 2, "Windows Kernel/Process/Stop" },
		{ 3, 3, "Windows Kernel/Process/DCStart" }, { 3, 4, "Windows Kernel/Process/DCStop" },
		{ 3, 39, "Windows Kernel/Process/Defunct" }, { 3, 32, "Windows Kernel/Process/PerfCtr" },
		{ 3, 33, "Windows Kernel/Process/PerfCtrRundown" }, { 3, 10, "Windows Kernel/Image/Load" },
		{ 5, 1, "Windows Kernel/Thread/Start" }, { 5, 2, "Windows Kernel/Thread/Stop" },
		{ 0x14, 10, "Windows Kernel/Image/Load" }, { 0x14, 2, "Windows Kernel/Image/Unload" },
		{ 0x14, 3, "Windows Kernel/Image/DCStart" }, { 0x14, 4, "Windows Kernel/Image/DCStop" },
		{ 1, 10, "Windows Kernel/DiskIO/Read" }, { 1, 11, "Windows Kernel/DiskIO/Write" },
		{ 1, 12, "Windows Kernel/DiskIO/ReadInit" }, { 1, 13, "Windows Kernel/DiskIO/WriteInit" },
		{ 1, 14, "Windows Kernel/DiskIO/FlushBuffers" }, { 1, 15, "Windows Kernel/DiskIO/FlushInit" },
		{ 2, 32, "Windows Kernel/Memory/HardFault" },
		{ 6, 26, "Windows Kernel/TcpIp/SendIPV6" }, { 6, 27, "Windows Kernel/TcpIp/RecvIPV6" },
		{ 8, 10, "Windows Kernel/UdpIp/Send" }, { 8, 11, "Windows Kernel/UdpIp/Recv" },
		{ 8, 26, "Windows Kernel/UdpIp/SendIPV6" }, { 8, 27, "Windows Kernel/UdpIp/RecvIPV6" },
		{ 0, 8, "Windows Kernel/EventTrace/RundownComplete" },
		{ 0x0f, 73, "Windows Kernel/PerfInfo/CollectionStart" }, { 0x0f, 74, "Windows Kernel/PerfInfo/CollectionEnd" },
		{ 0x0b, 10, "Windows Kernel/SystemConfig/CPU" }, { 0x0b, 11, "Windows Kernel/SystemConfig/PhyDisk" },
		{ 0x0b, 12, "Windows Kernel/SystemConfig/LogDisk" }, { 0x0b, 13, "Windows Kernel/SystemConfig/NIC" },
		{ 0x0b, 15, "Windows Kernel/SystemConfig/Services" }, { 0x0b, 16, "Windows Kernel/SystemConfig/Power" },
		{ 0x0b, 17, "Windows Kernel/SystemConfig/Network" }, { 0x0b, 22, "Windows Kernel/SystemConfig/PnP" },
		{ 0x0b, 23, "Windows Kernel/SystemConfig/IDEChannel" },
	};
	for (size_t i = 0; i < sizeof T / sizeof T[0]; i++)
		if (T[i].group == o->group && T[i].opcode == o->opcode)
			return T[i].name;
	if (!strcmp(o->guid, "edd08927-9cc4-4e65-b970-c2560fb5c289") && o->id == 12)
		return "Microsoft-Windows-Kernel-File/Create";
	if (!strcmp(o->guid, "22fb2cd6-0e7b-422b-a0c7-2fad1fd0e716") && o->id == 1)
		return "Microsoft-Windows-Kernel-Process/ProcessStart/Start";
	if (!strcmp(o->guid, "22fb2cd6-0e7b-422b-a0c7-2fad1fd0e716") && o->id == 2)
		return "Microsoft-Windows-Kernel-Process/ProcessStop/Stop";
	return NULL;
}

static void compare_baseline(run *r, const char *path)
{
	FILE *f = fopen(path, "r");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	/* our events in time order, each with its TraceEvent name; per name,
	 * the count and the events in order */
	oev *sorted = malloc((r->n + 1) * sizeof *sorted);
	memcpy(sorted, r->ev, r->n * sizeof *sorted);
	qsort(sorted, r->n, sizeof *sorted, cmp_ts);
	json_t *count = json_object(), *order = json_object();
	for (size_t i = 0; i < r->n; i++) {
		const char *n = te_name(&sorted[i]);
		if (!n)
			continue;
		bump(count, n);
		json_t *a = json_object_get(order, n);
		if (!a)
			json_object_set_new(order, n, a = json_array());
		if (json_array_size(a) < 10)
			json_array_append_new(a, json_integer((json_int_t)i));
	}
	char *line = NULL;
	size_t cap = 0;
	int counts = 0, firsts = 0;
	json_t *seen = json_object(); /* name -> how many EVENT lines so far */
	while (getline(&line, &cap, f) > 0) {
		char name[256];
		long long cnt;
		double ms;
		if (sscanf(line, "COUNT %255[^:]:%lld", name, &cnt) == 2) {
			json_t *c = json_object_get(count, name);
			if (!c)
				continue; /* a name the decoder does not name: not compared */
			counts++;
			if (json_integer_value(c) != cnt)
				miss(r, "baseline COUNT %s: ours %lld, baseline %lld", name, (long long)json_integer_value(c), cnt);
		} else if (!strncmp(line, "EVENT ", 6)) {
			/* "EVENT 1,248.905: NAME PID=...": the time has thousands separators */
			char num[64];
			size_t q = 0;
			for (const char *t = line + 6; *t && *t != ':' && q + 1 < sizeof num; t++)
				if (*t != ',')
					num[q++] = *t;
			num[q] = 0;
			if (sscanf(num, "%lf", &ms) != 1)
				continue;
			/* names hold a space ("Windows Kernel/..."): take what is between ": " and " PID=" */
			const char *c = strchr(line, ':');
			const char *e = strstr(line, " PID=");
			if (!c || !e || e < c + 2)
				continue;
			snprintf(name, sizeof name, "%.*s", (int)(e - c - 2), c + 2);
			json_t *k = json_object_get(seen, name);
			long long nth = k ? json_integer_value(k) : 0;
			json_object_set_new(seen, name, json_integer(nth + 1));
			json_t *a = json_object_get(order, name);
			if (!a || (size_t)nth >= json_array_size(a))
				continue;
			const oev *o = &sorted[json_integer_value(json_array_get(a, (size_t)nth))];
			firsts++;
			long long want_us = (long long)(ms * 1000.0 + (ms >= 0 ? 0.5 : -0.5));
			int64_t rel = o->ts - r->origin_ns;
			long long lo = rel / 1000, hi = (rel + 999) / 1000; /* truncated or rounded up */
			if (want_us != lo && want_us != hi)
				miss(r, "baseline EVENT %s #%lld at %.3f ms: ours %.6f ms", name, nth + 1, ms, rel / 1e6);
		}
	}
	printf("%s: %d baseline counts and %d first-event times compared\n", path, counts, firsts);
	ck_assert_int_ge(counts, 30);
	ck_assert_int_ge(firsts, 60);
	json_decref(seen);
	json_decref(count);
	json_decref(order);
	free(line);
	free(sorted);
	fclose(f);
}

static int corpus_present(void)
{
	DIR *d = opendir(ETW_CORPUS_DIR);
	if (!d) {
		printf("SKIP: ETW corpus not found at %s\n", ETW_CORPUS_DIR);
		return 0;
	}
	closedir(d);
	return 1;
}

static int check_one(const char *dir, const char *base)
{
	char etl[1024], ref[1024], exp[1024], bl[1024];
	snprintf(etl, sizeof etl, "%s/%s/%s.etl", ETW_CORPUS_DIR, dir, base);
	snprintf(ref, sizeof ref, "%s/%s/%s.ref.json", ETW_CORPUS_DIR, dir, base);
	snprintf(exp, sizeof exp, "%s/%s/%s.expected.json", ETW_CORPUS_DIR, dir, base);
	snprintf(bl, sizeof bl, "%s/%s/%s.baseline.txt", ETW_CORPUS_DIR, dir, base);
	run r;
	run_file(&r, etl);
	json_error_t je;
	/* the reference keeps etl-parser's misread header tail, whose numbers
	 * pass 2^63 (which jansson refuses): blank that object out */
	size_t rn;
	char *rt = (char *)slurp(ref, &rn);
	ck_assert_msg(rt != NULL, "cannot read %s", ref);
	rt[rn] = 0;
	char *mt = strstr(rt, "\"etl_parser_misaligned_tail\"");
	if (mt) {
		char *o = strchr(mt, '{'), *c = o ? strchr(o, '}') : NULL;
		if (o && c)
			memset(o + 1, ' ', (size_t)(c - o - 1));
	}
	json_t *j = json_loadb(rt, rn, 0, &je);
	free(rt);
	ck_assert_msg(j != NULL, "%s: %s", ref, je.text);
	compare_ref(&r, j);
	json_decref(j);
	FILE *f;
	if ((f = fopen(exp, "r"))) {
		fclose(f);
		json_t *e = json_load_file(exp, 0, &je);
		ck_assert_msg(e != NULL, "%s: %s", exp, je.text);
		compare_expected(&r, e);
		json_decref(e);
	}
	if ((f = fopen(bl, "r"))) {
		fclose(f);
		compare_baseline(&r, bl);
	}
	printf("%s: %zu events, %d mismatches, snapshot of %d processes\n", etl, r.n, r.mismatches, r.nsnap);
	int m = r.mismatches;
	free_run(&r);
	return m;
}

START_TEST(every_file_matches_its_reference)
{
	if (!corpus_present())
		return;
	const char *dirs[] = { "perfview", "etl-parser", "krabsetw", "sawbuck" };
	int files = 0, bad = 0;
	for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
		char p[1024];
		snprintf(p, sizeof p, "%s/%s", ETW_CORPUS_DIR, dirs[i]);
		DIR *d = opendir(p);
		if (!d)
			continue;
		struct dirent *e;
		while ((e = readdir(d))) {
			size_t l = strlen(e->d_name);
			if (l < 5 || strcmp(e->d_name + l - 4, ".etl"))
				continue;
			char base[512];
			snprintf(base, sizeof base, "%.*s", (int)(l - 4), e->d_name);
			bad += check_one(dirs[i], base) ? 1 : 0;
			files++;
		}
		closedir(d);
	}
	printf("%d corpus files, %d with mismatches\n", files, bad);
	ck_assert_int_gt(files, 0);
	ck_assert_int_eq(bad, 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("etw_corpus");
	TCase *tc = tcase_create("corpus");
	tcase_set_timeout(tc, 600); /* under ASan the large file takes a while */
	tcase_add_test(tc, every_file_matches_its_reference);
	suite_add_tcase(s, tc);
	return kcap_check_run(s);
}
