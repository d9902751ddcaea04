/* The page of kcap report and kcap inspect (report.h, docs/LOOKING.md):
 * one pass gathers the overview, the timeline, the process tree, the stats
 * tables and the first events of an expression; the page shows them as
 * escaped HTML and embeds them as one JSON object for page.js. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <kcap/filter.h>
#include <kcap/procstate.h>
#include <kcap/proctree.h>
#include <kcap/stats.h>
#include "cli.h"
#include "report.h"

extern const char report_page_css[], report_page_js[];

#define TL_BINS 4096   /* timeline bins; their width doubles to hold the span */
#define TL_CATS 12     /* named categories; the rest count as "other" */
#define PROCS_MAX 5000 /* processes on the page (the first seen); kcap tree has them all */
#define NCOLS 7
static const char *const cols[NCOLS] = {"seq", "time", "host", "pid", "comm", "type", "params"};

typedef struct rfile {
	char *name;
	uint64_t events;
	int damaged, verified, verify_rc;
	kcap_verify_report vr;
} rfile;

typedef struct rloss {
	char *host, *source;
	uint32_t cpu;
	uint64_t seen, lost;
} rloss;

struct report {
	report_opts o;
	kcap_stats *st, *types;
	kcap_proctree *tree;
	kcap_filter *f;
	kcap_procstate *ps;
	/* overview */
	rfile *files;
	size_t nfiles;
	char **hosts, **sources;
	size_t nhosts, nsources;
	rloss *loss;
	size_t nloss;
	uint64_t events, lost;
	int64_t first_ts, last_ts;
	/* timeline: tl_n bins of tl_w seconds from tl_base (seconds) */
	int64_t tl_base, tl_w;
	size_t tl_n;
	uint64_t (*tl)[TL_CATS + 1];
	uint64_t *tl_lost;
	char *cats[TL_CATS];
	size_t ncats;
	/* the events table: NCOLS NUL-terminated cells per row */
	kcap_buf cells;
	uint64_t nrows;
	int more;
	/* reading */
	kcap_reader *r;
	int first, bad;
	uint32_t section;
	uint64_t lost_seen; /* the current input's loss counters, summed */
};

static int put(kcap_buf *b, const char *s)
{
	return kcap_buf_append(b, s, strlen(s));
}

#ifdef _WIN32 /* mingw: vsnprintf is its own (C99, %zu), not msvcrt's */
#define REPORT_PRINTF gnu_printf
#else
#define REPORT_PRINTF printf
#endif
static int putf(kcap_buf *b, const char *fmt, ...) __attribute__((format(REPORT_PRINTF, 2, 3)));
static int putf(kcap_buf *b, const char *fmt, ...)
{
	char t[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(t, sizeof(t), fmt, ap);
	va_end(ap);
	return kcap_buf_append(b, t, n < 0 ? 0 : (size_t)n < sizeof(t) ? (size_t)n : sizeof(t) - 1);
}

static int jstr(kcap_buf *b, const char *s)
{
	return s ? kcap_json_escape(b, s, strlen(s)) : put(b, "null");
}

static int hstr(kcap_buf *b, const char *s)
{
	return report_html_escape(b, s ? s : "", s ? strlen(s) : 0);
}

/* The n strings of l, each through esc, sep between them. */
static int put_list(kcap_buf *b, char *const *l, size_t n, const char *sep, int (*esc)(kcap_buf *, const char *))
{
	int rc = 0;
	for (size_t i = 0; i < n; i++)
		rc |= put(b, i ? sep : "") | esc(b, l[i]);
	return rc;
}

/* ---- escaping ---- */

/* Length of the valid UTF-8 sequence at p (n bytes left), or 0. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	unsigned c = p[0];
	size_t l = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
	if (!l || l > n)
		return 0;
	for (size_t i = 1; i < l; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	if ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] > 0x9f) || (c == 0xf0 && p[1] < 0x90) ||
	    (c == 0xf4 && p[1] > 0x8f))
		return 0; /* overlong, surrogate, beyond U+10FFFF */
	return l;
}

int report_html_escape(kcap_buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	int rc = 0;
	for (size_t i = 0; i < n && !rc;) {
		size_t l = utf8_len(p + i, n - i);
		unsigned c = p[i];
		if (l == 1 && c >= 0x20 && c != 0x7f) {
			const char *e = c == '&' ? "&amp;" : c == '<' ? "&lt;" : c == '>' ? "&gt;" : c == '"' ? "&quot;"
			              : c == '\'' ? "&#39;" : NULL;
			rc = e ? put(b, e) : kcap_buf_append(b, p + i, 1);
		} else if (l > 1) {
			rc = kcap_buf_append(b, p + i, l);
		} else {
			rc = putf(b, "\\x%02x", c);
			l = 1;
		}
		i += l;
	}
	return rc ? KCAP_E_NOMEM : 0;
}

/* The JSON object goes in a <script type=application/json> block: '<', '>'
 * and '&' (only ever inside strings) become \u escapes, so "</" never
 * appears in it. */
static int json_for_script(kcap_buf *b, size_t from)
{
	size_t extra = 0;
	for (size_t i = from; i < b->len; i++)
		extra += b->data[i] == '<' || b->data[i] == '>' || b->data[i] == '&' ? 5 : 0;
	if (!extra)
		return 0;
	if (kcap_buf_reserve(b, extra))
		return KCAP_E_NOMEM;
	size_t o = b->len + extra;
	for (size_t i = b->len; i-- > from;) {
		char c = b->data[i];
		if (c == '<' || c == '>' || c == '&') {
			o -= 6;
			memcpy(b->data + o, c == '<' ? "\\u003c" : c == '>' ? "\\u003e" : "\\u0026", 6);
		} else {
			b->data[--o] = c;
		}
	}
	b->len += extra;
	return 0;
}

/* ---- gathering ---- */

static int add_unique(char ***list, size_t *n, const char *s)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*list)[i], s))
			return 0;
	char **l = realloc(*list, (*n + 1) * sizeof(*l));
	if (!l)
		return KCAP_E_NOMEM;
	*list = l;
	if (!(l[*n] = strdup(s)))
		return KCAP_E_NOMEM;
	(*n)++;
	return 0;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* The timeline bin of second sec: the bins widen (pairs merged) until the
 * span fits in TL_BINS. */
static size_t tl_slot(report *rp, int64_t sec)
{
	if (!rp->tl_n) {
		rp->tl_base = sec;
		rp->tl_w = 1;
		rp->tl_n = 1;
		return 0;
	}
	for (;;) {
		int64_t rel = floor_div(sec - rp->tl_base, rp->tl_w);
		if (rel >= 0 && rel < TL_BINS) {
			if ((size_t)rel >= rp->tl_n)
				rp->tl_n = (size_t)rel + 1;
			return (size_t)rel;
		}
		if (rel < 0 && (int64_t)rp->tl_n - rel <= TL_BINS) {
			size_t sh = (size_t)-rel;
			memmove(rp->tl + sh, rp->tl, rp->tl_n * sizeof(*rp->tl));
			memset(rp->tl, 0, sh * sizeof(*rp->tl));
			memmove(rp->tl_lost + sh, rp->tl_lost, rp->tl_n * sizeof(*rp->tl_lost));
			memset(rp->tl_lost, 0, sh * sizeof(*rp->tl_lost));
			rp->tl_base -= (int64_t)sh * rp->tl_w;
			rp->tl_n += sh;
			return 0;
		}
		int64_t w2 = rp->tl_w * 2, base2 = floor_div(rp->tl_base, w2) * w2;
		size_t n2 = 0;
		for (size_t i = 0; i < rp->tl_n; i++) {
			size_t j = (size_t)((rp->tl_base + (int64_t)i * rp->tl_w - base2) / w2);
			if (j != i) {
				for (int k = 0; k <= TL_CATS; k++) {
					rp->tl[j][k] += rp->tl[i][k];
					rp->tl[i][k] = 0;
				}
				rp->tl_lost[j] += rp->tl_lost[i];
				rp->tl_lost[i] = 0;
			}
			n2 = j + 1;
		}
		rp->tl_base = base2;
		rp->tl_w = w2;
		rp->tl_n = n2;
	}
}

static int tl_cat(report *rp, const kcap_event *ev)
{
	const char *c = ev->def && ev->def->category ? ev->def->category : NULL;
	if (!c)
		return TL_CATS;
	for (size_t i = 0; i < rp->ncats; i++)
		if (!strcmp(rp->cats[i], c))
			return (int)i;
	if (rp->ncats == TL_CATS || !(rp->cats[rp->ncats] = strdup(c)))
		return TL_CATS;
	return (int)rp->ncats++;
}

/* The current input's loss counters, summed. */
static uint64_t lost_now(const kcap_reader *r)
{
	uint64_t s = 0;
	for (size_t i = 0; i < kcap_reader_stat_count(r); i++)
		s += kcap_reader_stat_at(r, i)->lost;
	return s;
}

/* The NCOLS cells of an event, each NUL-terminated, control bytes escaped. */
static int event_cells(kcap_buf *b, const kcap_event *ev, const kcap_schema *s, kcap_buf *tmp)
{
	int rc = 0;
	for (int c = 0; c < NCOLS - 1 && !rc; c++) {
		tmp->len = 0;
		int have = kcap_event_field_text(tmp, ev, s, cols[c]);
		rc = (have > 0 ? kcap_text_escape(b, tmp->data, tmp->len) : 0) | kcap_buf_append(b, "", 1);
	}
	for (uint32_t p = 0, k = 0; !rc && ev->def && p < ev->nparams && p < ev->def->nparams; p++) {
		if (!ev->params[p].present)
			continue;
		tmp->len = 0;
		rc |= kcap_render_value(tmp, &ev->params[p], s, &ev->def->params[p]);
		rc |= put(b, k++ ? " " : "") | put(b, ev->def->params[p].name) | put(b, "=");
		rc |= kcap_text_escape(b, tmp->data, tmp->len);
	}
	rc |= kcap_buf_append(b, "", 1);
	return rc ? KCAP_E_NOMEM : 0;
}

int report_new(report **out, const report_opts *o)
{
	report *rp = calloc(1, sizeof(*rp));
	kcap_error e = {0};
	static const char *const by_type[] = {"category", "type", NULL};
	int rc = KCAP_EXIT_ERROR;
	*out = NULL;
	if (!rp)
		goto cleanup;
	rp->o = *o;
	rp->first_ts = INT64_MAX;
	rp->last_ts = INT64_MIN;
	if (!(rp->tl = calloc(TL_BINS, sizeof(*rp->tl))) || !(rp->tl_lost = calloc(TL_BINS, sizeof(*rp->tl_lost))) ||
	    kcap_stats_new(&rp->st, NULL, &e) || kcap_stats_new(&rp->types, by_type, &e) ||
	    kcap_proctree_new(&rp->tree))
		goto cleanup;
	if (o->expr && o->expr[0]) {
		if (kcap_filter_compile(&rp->f, o->expr, &e)) {
			if (e.code == KCAP_E_NOMEM)
				goto cleanup;
			cli_expr_error(o->cmd, o->expr, &e);
			rc = KCAP_EXIT_USAGE;
			goto cleanup;
		}
		if (cli_filter_now(o->cmd, rp->f)) {
			rc = KCAP_EXIT_USAGE;
			goto cleanup;
		}
		if (kcap_filter_uses_proc(rp->f) && !(rp->ps = kcap_procstate_new()))
			goto cleanup;
	}
	*out = rp;
	rp = NULL;
	rc = KCAP_EXIT_OK;
cleanup:
	if (rc == KCAP_EXIT_ERROR)
		cli_err(o->cmd, "out of memory");
	report_free(rp);
	return rc;
}

static void free_list(char **l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(l[i]);
	free(l);
}

void report_free(report *rp)
{
	if (!rp)
		return;
	for (size_t i = 0; i < rp->nfiles; i++) {
		free(rp->files[i].name);
		kcap_verify_report_free(&rp->files[i].vr);
	}
	free(rp->files);
	for (size_t i = 0; i < rp->nloss; i++)
		free(rp->loss[i].host), free(rp->loss[i].source);
	free(rp->loss);
	free_list(rp->hosts, rp->nhosts);
	free_list(rp->sources, rp->nsources);
	for (size_t i = 0; i < rp->ncats; i++)
		free(rp->cats[i]);
	free(rp->tl);
	free(rp->tl_lost);
	kcap_buf_free(&rp->cells);
	kcap_stats_free(rp->st);
	kcap_stats_free(rp->types);
	kcap_proctree_free(rp->tree);
	kcap_filter_free(rp->f);
	kcap_procstate_free(rp->ps);
	free(rp);
}

/* A section begins: its origins' names, snapshots, the expression's check. */
static int section_start(report *rp, const kcap_event *ev)
{
	kcap_reader *r = rp->r;
	size_t n = kcap_reader_origin_count(r);
	for (size_t o = 0; o < (n ? n : 1); o++) {
		const kcap_meta *m = kcap_reader_meta(r, (uint16_t)o);
		const char *h = kcap_meta_get(m, KCAP_META_HOSTNAME), *s = kcap_meta_get(m, KCAP_META_SOURCE);
		if ((h && add_unique(&rp->hosts, &rp->nhosts, h)) || (s && add_unique(&rp->sources, &rp->nsources, s)) ||
		    kcap_proctree_snapshot(rp->tree, h, kcap_reader_snapshot_for(r, (uint16_t)o)))
			return KCAP_E_NOMEM;
	}
	if (rp->f) {
		kcap_error e = {0};
		int crc = kcap_filter_check_schema(rp->f, kcap_reader_schema(r), &e);
		if (crc == KCAP_E_INVAL || (crc && rp->o.strict)) {
			cli_expr_error(rp->o.cmd, rp->o.expr, &e);
			rp->bad = 1;
			return 0;
		}
		if (crc)
			cli_err(rp->o.cmd, "%s: warning: %s", kcap_reader_name(r), e.msg);
		int anchors = kcap_filter_time_anchors(rp->f);
		if (rp->first && anchors && cli_filter_span(rp->o.cmd, rp->f, r, anchors, ev->ts)) {
			rp->bad = 1;
			return 0;
		}
		kcap_filter_reset_schema(rp->f);
	}
	if (rp->ps && rp->first)
		kcap_procstate_clear(rp->ps);
	return 0;
}

static int add_event(report *rp, const kcap_event *ev, const kcap_schema *s, kcap_buf *tmp)
{
	int rc = 0;
	if (rp->ps) {
		kcap_procstate_follow(rp->ps, rp->r);
		kcap_procstate_update(rp->ps, ev, s);
	}
	int m = rp->f ? kcap_filter_match(rp->f, ev, s, rp->ps) : 1;
	rc |= kcap_stats_add(rp->st, ev, s, NULL) | kcap_stats_add(rp->types, ev, s, NULL);
	rc |= kcap_proctree_add(rp->tree, ev, s, rp->f ? m : 0);
	size_t bin = tl_slot(rp, floor_div(ev->ts, 1000000000));
	rp->tl[bin][tl_cat(rp, ev)]++;
	if (kcap_reader_stat_count(rp->r)) {
		uint64_t l = lost_now(rp->r);
		if (l > rp->lost_seen)
			rp->tl_lost[bin] += l - rp->lost_seen;
		rp->lost_seen = l;
	}
	rp->events++;
	rp->first_ts = ev->ts < rp->first_ts ? ev->ts : rp->first_ts;
	rp->last_ts = ev->ts > rp->last_ts ? ev->ts : rp->last_ts;
	if (m && rp->nrows < rp->o.events) {
		rc |= event_cells(&rp->cells, ev, s, tmp);
		rp->nrows++;
	} else if (m && rp->o.events) {
		rp->more = 1;
	}
	return rc ? KCAP_E_NOMEM : 0;
}

static int input_loss(report *rp, kcap_reader *r)
{
	for (size_t i = 0; i < kcap_reader_stat_count(r); i++) {
		const kcap_stat *st = kcap_reader_stat_at(r, i);
		const char *h = kcap_meta_get(kcap_reader_meta(r, st->origin), KCAP_META_HOSTNAME);
		rloss *l = realloc(rp->loss, (rp->nloss + 1) * sizeof(*l));
		if (!l)
			return KCAP_E_NOMEM;
		rp->loss = l;
		l += rp->nloss++;
		*l = (rloss){.host = strdup(h ? h : ""), .source = strdup(st->source ? st->source : ""),
		             .cpu = st->cpu, .seen = st->seen, .lost = st->lost};
		if (!l->host || !l->source)
			return KCAP_E_NOMEM;
		rp->lost += st->lost;
	}
	return 0;
}

int report_input(void *ud, int i, kcap_reader *r, int *damaged)
{
	report *rp = ud;
	kcap_buf tmp = {0};
	int rc = 0, n;
	rfile *f = realloc(rp->files, (rp->nfiles + 1) * sizeof(*f));
	(void)i;
	if (!f)
		goto nomem;
	rp->files = f;
	f += rp->nfiles++;
	memset(f, 0, sizeof(*f));
	if (!(f->name = strdup(kcap_reader_name(r))))
		goto nomem;
	rp->r = r;
	rp->first = 1;
	rp->lost_seen = 0;
	const kcap_event *ev;
	while ((n = kcap_reader_next(r, &ev)) > 0) {
		const kcap_schema *s = kcap_reader_schema(r);
		if (rp->first || kcap_reader_section(r) != rp->section) {
			if (section_start(rp, ev))
				goto nomem;
			if (rp->bad)
				break;
			rp->section = kcap_reader_section(r);
			rp->first = 0;
		}
		if (add_event(rp, ev, s, &tmp))
			goto nomem;
		f->events++;
		cli_progress(rp->o.cmd, r);
	}
	cli_progress_done();
	if (input_loss(rp, r))
		goto nomem;
	if (rp->bad)
		rc = KCAP_EXIT_USAGE;
	if (n < 0 && !rc)
		rc = cli_read_failed(rp->o.cmd, r, n);
	f->damaged = *damaged;
	kcap_buf_free(&tmp);
	return rc;
nomem:
	kcap_buf_free(&tmp);
	cli_err(rp->o.cmd, "out of memory");
	return KCAP_EXIT_ERROR;
}

int report_verify(report *rp, const char *file)
{
	kcap_reader *r = NULL;
	kcap_error e = {0};
	rfile *f = NULL;
	for (size_t i = 0; i < rp->nfiles && !f; i++)
		if (!strcmp(rp->files[i].name, file) && !rp->files[i].verified)
			f = &rp->files[i];
	if (rp->o.no_verify || !f || !strcmp(file, "-"))
		return KCAP_EXIT_OK;
	if (kcap_reader_open_path(&r, file, &e))
		return KCAP_EXIT_OK; /* not a plain capture (compressed, archived): no verdict */
	kcap_verify_opts vo = {.seal = kcap_seal_available()};
	f->verify_rc = kcap_verify(r, &vo, &f->vr);
	f->verified = 1;
	kcap_reader_close(r);
	return KCAP_EXIT_OK;
}

int report_finish(report *rp)
{
	return kcap_proctree_finish(rp->tree);
}

int report_gather(report *rp, int n, char **files, int *damaged)
{
	cli_inputs in = {.cmd = rp->o.cmd, .n = n, .files = files};
	int rc = cli_each_input(&in, report_input, rp, damaged);
	for (int i = 0; !rc && i < n; i++)
		rc = report_verify(rp, files[i]);
	if (!rc && report_finish(rp)) {
		cli_err(rp->o.cmd, "out of memory");
		rc = KCAP_EXIT_ERROR;
	}
	return rc;
}

/* ---- JSON ---- */

static int json_verify(kcap_buf *b, const rfile *f)
{
	const kcap_verify_report *v = &f->vr;
	int rc = 0;
	if (!f->verified)
		return put(b, "null");
	rc |= putf(b, "{\"status\":\"%s\",\"error\":", f->verify_rc ? "error" : v->nregions ? "damaged" : "intact");
	rc |= jstr(b, f->verify_rc ? kcap_strerror(f->verify_rc) : NULL);
	rc |= putf(b, ",\"regions\":%zu,\"events_lost\":%llu,\"unknown_loss\":%llu,\"sealed\":%s", v->nregions,
	           (unsigned long long)v->events_lost, (unsigned long long)v->unknown_loss, v->sealed ? "true" : "false");
	if (v->sealed) {
		rc |= putf(b, ",\"seals\":%llu,\"seals_bad\":%llu,\"seal_final\":%s,\"seal_faults\":%zu,\"key_id\":",
		           (unsigned long long)v->seals, (unsigned long long)v->seals_bad, v->seal_final ? "true" : "false",
		           v->nseal_faults);
		rc |= jstr(b, v->seal_key_id);
	}
	rc |= put(b, ",\"what\":[");
	for (size_t i = 0; i < v->nregions && i < 20; i++)
		rc |= put(b, i ? "," : "") | jstr(b, v->regions[i].what);
	return rc | put(b, "]}");
}

static int json_argv(kcap_buf *b, const char *argv, uint32_t len)
{
	int rc = put(b, "[");
	for (uint32_t o = 0; argv && o < len;) {
		size_t l = strnlen(argv + o, len - o);
		rc |= put(b, o ? "," : "") | kcap_json_escape(b, argv + o, l);
		o += (uint32_t)l + 1;
	}
	return rc | put(b, "]");
}

static int json_processes(kcap_buf *b, const kcap_proctree *t)
{
	int rc = put(b, "[");
	for (size_t i = 0; i < kcap_proctree_count(t) && i < PROCS_MAX; i++) {
		const kcap_ptnode *p = kcap_proctree_at(t, i);
		rc |= put(b, i ? ",{\"host\":" : "{\"host\":") | jstr(b, p->origin);
		rc |= putf(b, ",\"pid\":%d,\"ppid\":%d,\"uid\":%u,\"comm\":", (int)p->pid, (int)p->ppid, (unsigned)p->uid);
		rc |= jstr(b, p->comm) | put(b, ",\"exe\":") | jstr(b, p->exe);
		rc |= putf(b, ",\"start_ts\":%lld,\"end_ts\":%lld,\"exited\":%s,\"exit_status\":%d,\"exit_signal\":%d,"
		           "\"events\":%llu,\"matched\":%llu,\"parent\":%lld,\"execs\":[",
		           (long long)p->start_ts, (long long)p->end_ts, p->exited ? "true" : "false", p->exit_status,
		           p->exit_signal, (unsigned long long)p->events, (unsigned long long)p->matched,
		           p->parent == SIZE_MAX ? -1LL : (long long)p->parent);
		for (size_t x = 0; x < p->nexecs; x++) {
			rc |= putf(b, "%s{\"ts\":%lld,\"exe\":", x ? "," : "", (long long)p->execs[x].ts);
			rc |= jstr(b, p->execs[x].exe) | put(b, ",\"argv\":");
			rc |= json_argv(b, p->execs[x].argv, p->execs[x].argv_len) | put(b, "}");
		}
		rc |= put(b, "]}");
	}
	return rc | put(b, "]");
}

/* Rows of cells as JSON arrays. */
static int json_rows(kcap_buf *b, const char *cells, size_t len)
{
	int rc = put(b, "[");
	for (size_t o = 0, c = 0; o < len; c++) {
		size_t l = strlen(cells + o);
		rc |= put(b, c % NCOLS ? "," : c ? "],[" : "[") | kcap_json_escape(b, cells + o, l);
		o += l + 1;
	}
	return rc | put(b, len ? "]]" : "]");
}

/* kcap stats --json's object, without its line's end. */
static int stats_json(kcap_buf *b, kcap_stats *st, uint64_t top)
{
	int rc = stats_render_json(b, st, top);
	if (!rc && b->len && b->data[b->len - 1] == '\n')
		b->len--;
	return rc;
}

int report_json(report *rp, kcap_buf *b, int live)
{
	size_t from = b->len;
	int rc = putf(b, "{\"kcap_report\":1,\"live\":%s,\"files\":[", live ? "true" : "false");
	for (size_t i = 0; i < rp->nfiles; i++) {
		rc |= put(b, i ? ",{\"name\":" : "{\"name\":") | jstr(b, rp->files[i].name);
		rc |= putf(b, ",\"events\":%llu,\"damaged\":%s,\"verify\":", (unsigned long long)rp->files[i].events,
		           rp->files[i].damaged ? "true" : "false");
		rc |= json_verify(b, &rp->files[i]) | put(b, "}");
	}
	rc |= put(b, "],\"hosts\":[") | put_list(b, rp->hosts, rp->nhosts, ",", jstr);
	rc |= put(b, "],\"sources\":[") | put_list(b, rp->sources, rp->nsources, ",", jstr);
	rc |= putf(b, "],\"events\":%llu,", (unsigned long long)rp->events);
	if (rp->events)
		rc |= putf(b, "\"first_ts\":%lld,\"last_ts\":%lld,", (long long)rp->first_ts, (long long)rp->last_ts);
	else
		rc |= put(b, "\"first_ts\":null,\"last_ts\":null,");
	rc |= putf(b, "\"lost\":%llu,\"loss\":[", (unsigned long long)rp->lost);
	for (size_t i = 0; i < rp->nloss; i++) {
		rc |= put(b, i ? ",{\"host\":" : "{\"host\":") | jstr(b, rp->loss[i].host) | put(b, ",\"source\":");
		rc |= jstr(b, rp->loss[i].source);
		if (rp->loss[i].cpu == UINT32_MAX)
			rc |= put(b, ",\"cpu\":null");
		else
			rc |= putf(b, ",\"cpu\":%u", (unsigned)rp->loss[i].cpu);
		rc |= putf(b, ",\"seen\":%llu,\"lost\":%llu}", (unsigned long long)rp->loss[i].seen,
		           (unsigned long long)rp->loss[i].lost);
	}
	rc |= putf(b, "],\"timeline\":{\"start_s\":%lld,\"step_s\":%lld,\"categories\":[", (long long)rp->tl_base,
	           (long long)rp->tl_w);
	for (size_t k = 0; k < rp->ncats; k++)
		rc |= put(b, k ? "," : "") | jstr(b, rp->cats[k]);
	rc |= put(b, rp->ncats ? ",\"other\"],\"bins\":[" : "\"other\"],\"bins\":[");
	for (size_t i = 0; i < rp->tl_n; i++) {
		rc |= put(b, i ? ",[" : "[");
		for (size_t k = 0; k < rp->ncats; k++)
			rc |= putf(b, "%llu,", (unsigned long long)rp->tl[i][k]);
		rc |= putf(b, "%llu]", (unsigned long long)rp->tl[i][TL_CATS]);
	}
	rc |= put(b, "],\"lost\":[");
	for (size_t i = 0; i < rp->tl_n; i++)
		rc |= putf(b, i ? ",%llu" : "%llu", (unsigned long long)rp->tl_lost[i]);
	rc |= putf(b, "]},\"processes_total\":%zu,\"processes\":", kcap_proctree_count(rp->tree));
	rc |= json_processes(b, rp->tree);
	rc |= put(b, ",\"types\":") | stats_json(b, rp->types, 0);
	rc |= put(b, ",\"stats\":") | stats_json(b, rp->st, rp->o.top);
	rc |= put(b, ",\"query\":{\"expr\":") | jstr(b, rp->o.expr) | put(b, ",\"columns\":[");
	for (int c = 0; c < NCOLS; c++)
		rc |= put(b, c ? "," : "") | jstr(b, cols[c]);
	rc |= put(b, "],\"rows\":") | json_rows(b, rp->cells.data, rp->cells.len);
	rc |= putf(b, ",\"page\":0,\"more\":%s}}", rp->more ? "true" : "false");
	if (rc)
		return KCAP_E_NOMEM;
	return json_for_script(b, from);
}

/* ---- HTML ---- */

static int html_time(kcap_buf *b, int64_t ts)
{
	char t[KCAP_TIME_TEXT_MAX];
	if (!ts)
		return put(b, "?");
	return kcap_buf_append(b, t, (size_t)kcap_format_time(t, ts));
}

static int html_overview(report *rp, kcap_buf *b)
{
	int rc = put(b, "<section id=\"overview\"><h2>Overview</h2><table class=\"kv\">");
	rc |= put(b, "<tr><th>files</th><td>");
	for (size_t i = 0; i < rp->nfiles; i++)
		rc |= put(b, i ? ", <code>" : "<code>") | hstr(b, rp->files[i].name) | put(b, "</code>");
	rc |= put(b, "</td></tr><tr><th>hosts</th><td>") | put_list(b, rp->hosts, rp->nhosts, ", ", hstr);
	rc |= put(b, "</td></tr><tr><th>sources</th><td>") | put_list(b, rp->sources, rp->nsources, ", ", hstr);
	rc |= put(b, "</td></tr><tr><th>span</th><td>");
	if (rp->events) {
		rc |= html_time(b, rp->first_ts) | put(b, " to ") | html_time(b, rp->last_ts);
		rc |= putf(b, " (%.3f s)", (double)(rp->last_ts - rp->first_ts) / 1e9);
	}
	rc |= putf(b, "</td></tr><tr><th>events</th><td id=\"nevents\">%llu</td></tr>", (unsigned long long)rp->events);
	rc |= putf(b, "<tr><th>lost</th><td class=\"%s\">%llu", rp->lost ? "bad" : "", (unsigned long long)rp->lost);
	for (size_t i = 0; i < rp->nloss; i++) {
		if (!rp->loss[i].lost)
			continue;
		rc |= put(b, " <span class=\"note\">") | hstr(b, rp->loss[i].host) | put(b, " ") | hstr(b, rp->loss[i].source);
		if (rp->loss[i].cpu != UINT32_MAX)
			rc |= putf(b, " cpu %u", (unsigned)rp->loss[i].cpu);
		rc |= putf(b, ": %llu of %llu</span>", (unsigned long long)rp->loss[i].lost,
		           (unsigned long long)(rp->loss[i].seen + rp->loss[i].lost));
	}
	rc |= put(b, "</td></tr>");
	for (size_t i = 0; i < rp->nfiles; i++) {
		const rfile *f = &rp->files[i];
		const kcap_verify_report *v = &f->vr;
		rc |= put(b, "<tr><th>verify <code>") | hstr(b, f->name) | put(b, "</code></th><td class=\"verify\">");
		if (!f->verified)
			rc |= put(b, f->damaged ? "<span class=\"bad\">damaged</span> (not verified)" : "not verified");
		else if (f->verify_rc)
			rc |= put(b, "<span class=\"bad\">error: ") | hstr(b, kcap_strerror(f->verify_rc)) | put(b, "</span>");
		else if (v->nregions)
			rc |= putf(b, "<span class=\"bad\">damaged: %zu regions, %llu events lost</span>", v->nregions,
			           (unsigned long long)v->events_lost);
		else
			rc |= put(b, "<span class=\"good\">intact</span>");
		if (f->verified && v->sealed) {
			int ok = !v->seals_bad && !v->nseal_faults && v->seal_final;
			rc |= putf(b, "; sealed, <span class=\"%s\">%s</span> (%llu seals", ok ? "good" : "bad",
			           ok ? "seal holds" : "seal broken", (unsigned long long)v->seals);
			rc |= put(b, ", key ") | hstr(b, v->seal_key_id) | put(b, ")");
		} else if (f->verified) {
			rc |= put(b, "; not sealed");
		}
		for (size_t k = 0; f->verified && k < v->nregions && k < 20; k++)
			rc |= put(b, "<br><span class=\"note\">") | hstr(b, v->regions[k].what) | put(b, "</span>");
		rc |= put(b, "</td></tr>");
	}
	rc |= put(b, "</table>");
	size_t n;
	const kcap_stats_row *rows = kcap_stats_rows(rp->types, 0, &n);
	if (n == SIZE_MAX)
		return KCAP_E_NOMEM;
	rc |= put(b, "<h3>Events by type</h3><table class=\"grid\" id=\"types\"><tr><th>category</th><th>type</th>"
	             "<th class=\"n\">events</th></tr>");
	for (size_t r = 0; r < n; r++) {
		rc |= put(b, "<tr><td>") | hstr(b, rows[r].keys[0]) | put(b, "</td><td>") | hstr(b, rows[r].keys[1]);
		rc |= putf(b, "</td><td class=\"n\">%llu</td></tr>", (unsigned long long)rows[r].count);
	}
	return rc | put(b, "</table></section>\n");
}

/* The timeline: one bar per bin (g.bar, its data-t the bin's first second),
 * stacked by category, a red mark above the bins where loss was counted. */
static int html_timeline(report *rp, kcap_buf *b)
{
	const double W = 1000, H = 160, top = 14;
	uint64_t max = 1;
	int rc = 0;
	for (size_t i = 0; i < rp->tl_n; i++) {
		uint64_t s = 0;
		for (int k = 0; k <= TL_CATS; k++)
			s += rp->tl[i][k];
		max = s > max ? s : max;
	}
	rc |= putf(b, "<section id=\"timeline\"><h2>Timeline</h2><p class=\"note\">events per %lld s by category "
	              "(highest bar: %llu)", (long long)rp->tl_w, (unsigned long long)max);
	rc |= put(b, "; <span class=\"lossmark\">&#9650;</span> loss counted</p><p class=\"legend\">");
	for (size_t k = 0; k <= rp->ncats; k++) {
		size_t ci = k < rp->ncats ? k : TL_CATS;
		uint64_t s = 0;
		for (size_t i = 0; i < rp->tl_n; i++)
			s += rp->tl[i][ci];
		if (k == rp->ncats && !s)
			break;
		rc |= putf(b, "<span class=\"sw c%zu\"></span>", ci) | hstr(b, k < rp->ncats ? rp->cats[k] : "other");
		rc |= putf(b, " %llu ", (unsigned long long)s);
	}
	rc |= putf(b, "</p><svg id=\"tl\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %.0f %.0f\" "
	              "preserveAspectRatio=\"none\" data-start=\"%lld\" data-step=\"%lld\" data-bins=\"%zu\">",
	           W, H + top, (long long)rp->tl_base, (long long)rp->tl_w, rp->tl_n);
	double bw = rp->tl_n ? W / (double)rp->tl_n : W;
	for (size_t i = 0; i < rp->tl_n; i++) {
		double x = bw * (double)i, y = H + top;
		uint64_t s = 0;
		rc |= putf(b, "<g class=\"bar\" data-t=\"%lld\">", (long long)(rp->tl_base + (int64_t)i * rp->tl_w));
		for (size_t k = 0; k <= TL_CATS; k++) {
			if (!rp->tl[i][k])
				continue;
			double h = H * (double)rp->tl[i][k] / (double)max;
			y -= h;
			s += rp->tl[i][k];
			rc |= putf(b, "<rect class=\"c%zu\" x=\"%.3f\" y=\"%.3f\" width=\"%.3f\" height=\"%.3f\"/>", k, x, y,
			           bw > 1.5 ? bw - 0.5 : bw, h);
		}
		char t[KCAP_TIME_TEXT_MAX];
		kcap_format_time(t, (rp->tl_base + (int64_t)i * rp->tl_w) * 1000000000);
		rc |= putf(b, "<title>%.19sZ: %llu events", t, (unsigned long long)s);
		if (rp->tl_lost[i])
			rc |= putf(b, ", %llu lost", (unsigned long long)rp->tl_lost[i]);
		rc |= put(b, "</title>");
		if (rp->tl_lost[i])
			rc |= putf(b, "<rect class=\"loss\" x=\"%.3f\" y=\"0\" width=\"%.3f\" height=\"%.0f\"/>", x,
			           bw > 2 ? bw : 2, top - 4);
		rc |= put(b, "</g>");
	}
	rc |= put(b, "<rect id=\"brush\" x=\"0\" y=\"0\" width=\"0\" height=\"174\"/></svg><p class=\"axis\"><span>");
	if (rp->tl_n)
		rc |= html_time(b, rp->tl_base * 1000000000) | put(b, "</span><span>") |
		      html_time(b, (rp->tl_base + (int64_t)rp->tl_n * rp->tl_w) * 1000000000);
	return rc | put(b, "</span></p></section>\n");
}

static int html_argv(kcap_buf *b, const char *argv, uint32_t len)
{
	int rc = 0;
	for (uint32_t o = 0; argv && o < len;) {
		size_t l = strnlen(argv + o, len - o);
		rc |= put(b, o ? " <span class=\"arg\">" : "<span class=\"arg\">") | report_html_escape(b, argv + o, l);
		rc |= put(b, "</span>");
		o += (uint32_t)l + 1;
	}
	return rc;
}

/* Events of i and its descendants. */
static uint64_t subtree_events(const kcap_proctree *t, size_t i, int depth)
{
	const kcap_ptnode *p = kcap_proctree_at(t, i);
	uint64_t n = p->events;
	for (size_t k = 0; depth < 512 && k < p->nchildren; k++)
		n += subtree_events(t, p->children[k], depth + 1);
	return n;
}

/* A process, open when its subtree has events (the snapshot's idle
 * processes folded). */
static int html_node(kcap_buf *b, const kcap_proctree *t, size_t i, int depth)
{
	const kcap_ptnode *p = kcap_proctree_at(t, i);
	int kids = p->nchildren && depth < 512, rc = 0;
	if (kids)
		rc |= put(b, subtree_events(t, i, depth) ? "<details open class=\"proc\"" : "<details class=\"proc\"");
	else
		rc |= put(b, "<div class=\"proc leaf\"");
	rc |= putf(b, " data-i=\"%zu\" data-pid=\"%d\" data-start=\"%lld\" data-end=\"%lld\">", i, (int)p->pid,
	           (long long)p->start_ts, (long long)p->end_ts);
	rc |= put(b, kids ? "<summary>" : "<div class=\"head\">");
	rc |= putf(b, "<span class=\"pid\">%d</span> <span class=\"comm\">", (int)p->pid) | hstr(b, p->comm ? p->comm : "?");
	rc |= putf(b, "</span> <span class=\"note\">ppid %d uid %u ", (int)p->ppid, (unsigned)p->uid);
	rc |= html_time(b, p->start_ts) | put(b, " .. ") | html_time(b, p->end_ts);
	if (p->exit_signal)
		rc |= putf(b, " <span class=\"bad\">signal %d</span>", p->exit_signal);
	else if (p->exited)
		rc |= putf(b, p->exit_status ? " <span class=\"bad\">exit %d</span>" : " exit %d", p->exit_status);
	else
		rc |= put(b, " running");
	rc |= putf(b, " events %llu%s</span> <button type=\"button\" class=\"pev\">events</button>",
	           (unsigned long long)p->events, p->in_snapshot ? " (snapshot)" : "");
	rc |= put(b, kids ? "</summary>" : "</div>");
	if (p->nexecs || p->exe) {
		rc |= put(b, "<ul class=\"execs\">");
		if (p->exe && !p->nexecs)
			rc |= put(b, "<li class=\"exe0\"><code>") | hstr(b, p->exe) | put(b, "</code></li>");
		for (size_t x = 0; x < p->nexecs; x++) {
			rc |= put(b, "<li class=\"exec\">exec <code class=\"exe\">") | hstr(b, p->execs[x].exe);
			rc |= put(b, "</code> ") | html_argv(b, p->execs[x].argv, p->execs[x].argv_len) | put(b, "</li>");
		}
		rc |= put(b, "</ul>");
	}
	for (size_t k = 0; kids && k < p->nchildren; k++)
		if (p->children[k] < PROCS_MAX)
			rc |= html_node(b, t, p->children[k], depth + 1);
	return rc | put(b, kids ? "</details>" : "</div>");
}

static int html_tree(report *rp, kcap_buf *b)
{
	const kcap_proctree *t = rp->tree;
	size_t n = kcap_proctree_count(t);
	int rc = putf(b, "<section id=\"tree\"><h2>Processes</h2><p class=\"note\">%zu processes; each exec in order",
	              n);
	if (n > PROCS_MAX)
		rc |= putf(b, "; <span class=\"bad\">the first %d shown</span> (kcap tree shows them all)", PROCS_MAX);
	rc |= put(b, "</p>");
	for (size_t o = 0; o < n && o < PROCS_MAX; o++) {
		const char *origin = kcap_proctree_at(t, o)->origin;
		int seen = 0;
		for (size_t q = 0; q < o && !seen; q++)
			seen = kcap_proctree_at(t, q)->origin == origin;
		if (seen)
			continue;
		rc |= put(b, "<div class=\"host\"><h3>host ") | hstr(b, origin && origin[0] ? origin : "?") | put(b, "</h3>");
		for (size_t i = 0; i < n; i++) {
			const kcap_ptnode *p = kcap_proctree_at(t, i);
			if (p->origin == origin && p->parent == SIZE_MAX && i < PROCS_MAX)
				rc |= html_node(b, t, i, 0);
		}
		rc |= put(b, "</div>");
	}
	return rc | put(b, "</section>\n");
}

static int html_stats(report *rp, kcap_buf *b)
{
	int rc = put(b, "<section id=\"stats\"><h2>Summaries</h2><div class=\"tables\">");
	for (size_t i = 0; i < kcap_stats_tables(rp->st); i++) {
		const kcap_stats_table *tb = kcap_stats_table_at(rp->st, i);
		size_t n;
		const kcap_stats_row *rows = kcap_stats_rows(rp->st, i, &n);
		if (n == SIZE_MAX)
			return KCAP_E_NOMEM;
		size_t m = strcmp(tb->name, "rate") && rp->o.top && n > rp->o.top ? (size_t)rp->o.top : n;
		rc |= put(b, "<div class=\"stat\"><h3>") | hstr(b, tb->name);
		rc |= putf(b, " <span class=\"note\">%zu groups%s</span></h3><table class=\"grid\"><tr><th class=\"n\">count</th>",
		           n, m < n ? ", top shown" : "");
		if (tb->has_failed)
			rc |= put(b, "<th class=\"n\">failed</th>");
		for (size_t k = 0; k < tb->ncols; k++)
			rc |= put(b, "<th>") | hstr(b, tb->cols[k]) | put(b, "</th>");
		rc |= put(b, "</tr>");
		for (size_t r = 0; r < m; r++) {
			rc |= putf(b, "<tr><td class=\"n\">%llu</td>", (unsigned long long)rows[r].count);
			if (tb->has_failed)
				rc |= putf(b, "<td class=\"n\">%llu</td>", (unsigned long long)rows[r].failed);
			for (size_t k = 0; k < tb->ncols; k++)
				rc |= put(b, "<td>") | hstr(b, rows[r].keys[k] ? rows[r].keys[k] : "-") | put(b, "</td>");
			rc |= put(b, "</tr>");
		}
		rc |= put(b, "</table></div>");
	}
	return rc | put(b, "</div></section>\n");
}

static int html_events(report *rp, kcap_buf *b, int live)
{
	int rc = put(b, "<section id=\"events\"><h2>Events</h2>");
	if (live)
		rc |= put(b, "<form id=\"qform\"><input id=\"expr\" name=\"expr\" size=\"70\" spellcheck=\"false\" "
		             "placeholder=\"filter expression (docs/FILTER.md), e.g. type = execve and ret &lt; 0\">"
		             " <button type=\"submit\">filter</button> <button type=\"button\" id=\"qclear\">clear</button>"
		             "</form><pre id=\"qerror\" hidden></pre><p id=\"qstate\" class=\"note\"></p>");
	rc |= put(b, "<p class=\"note\" id=\"qdesc\">");
	if (rp->o.events) {
		rc |= putf(b, "the first %llu events", (unsigned long long)rp->o.events);
		if (rp->o.expr && rp->o.expr[0])
			rc |= put(b, " matching <code>") | hstr(b, rp->o.expr) | put(b, "</code>");
		rc |= putf(b, ": %llu shown%s", (unsigned long long)rp->nrows, rp->more ? ", more not shown" : "");
	} else {
		rc |= put(b, "no events listed (--events 0)");
	}
	rc |= put(b, "</p><table class=\"grid\" id=\"evtable\"><thead><tr>");
	for (int c = 0; c < NCOLS; c++)
		rc |= put(b, "<th>") | put(b, cols[c]) | put(b, "</th>");
	rc |= put(b, "</tr></thead><tbody>");
	for (size_t o = 0, c = 0; o < rp->cells.len; c++) {
		size_t l = strlen(rp->cells.data + o);
		rc |= put(b, c % NCOLS ? "" : c ? "</tr><tr>" : "<tr>");
		rc |= put(b, "<td>") | report_html_escape(b, rp->cells.data + o, l) | put(b, "</td>");
		o += l + 1;
	}
	rc |= put(b, rp->cells.len ? "</tr></tbody></table>" : "</tbody></table>");
	if (live)
		rc |= put(b, "<p class=\"pager\"><button type=\"button\" id=\"prev\">previous</button> <span id=\"pageno\">"
		             "</span> <button type=\"button\" id=\"next\">next</button></p>");
	return rc | put(b, "</section>\n");
}

/* 'sha256-BASE64' of the script, for the page's Content-Security-Policy:
 * only the page's own script runs. Empty without SHA-256 (no libcrypto). */
static void script_hash(char out[64], const char *js)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	uint8_t h[33] = {0};
	kcap_sha256 *s = kcap_sha256_new();
	out[0] = 0;
	if (!s)
		return;
	kcap_sha256_update(s, js, strlen(js));
	kcap_sha256_final(s, h);
	char *o = out + sprintf(out, "'sha256-");
	for (int i = 0; i < 33; i += 3) {
		uint32_t v = (uint32_t)h[i] << 16 | (uint32_t)h[i + 1] << 8 | h[i + 2];
		*o++ = b64[v >> 18 & 63], *o++ = b64[v >> 12 & 63], *o++ = b64[v >> 6 & 63], *o++ = b64[v & 63];
	}
	strcpy(o - 1, "='"); /* 32 bytes: 43 characters and one '=' */
}

int report_html(report *rp, kcap_buf *b, int live)
{
	char hash[64];
	script_hash(hash, report_page_js);
	int rc = put(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n");
	rc |= put(b, "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
	             "img-src data:; script-src ");
	rc |= put(b, hash[0] ? hash : "'unsafe-inline'") | put(b, live ? "; connect-src 'self'\">\n" : "\">\n");
	rc |= put(b, "<meta name=\"generator\" content=\"kcap " KCAP_VERSION_STRING "\">\n<title>kcap ");
	rc |= put(b, live ? "inspect" : "report");
	for (size_t i = 0; i < rp->nfiles; i++)
		rc |= put(b, i ? ", " : ": ") | hstr(b, rp->files[i].name);
	rc |= put(b, "</title>\n<style>\n") | put(b, report_page_css) | put(b, "</style></head>\n<body>\n<header><h1>kcap ");
	rc |= put(b, live ? "inspect" : "report") | put(b, "</h1></header>\n");
	rc |= html_overview(rp, b) | html_timeline(rp, b) | html_events(rp, b, live) | html_tree(rp, b) | html_stats(rp, b);
	rc |= put(b, "<footer class=\"note\">made by kcap " KCAP_VERSION_STRING "; this page needs no network and no "
	             "other file</footer>\n<script type=\"application/json\" id=\"kcap-data\">");
	if (rc || report_json(rp, b, live))
		return KCAP_E_NOMEM;
	rc |= put(b, "</script>\n<script>") | put(b, report_page_js) | put(b, "</script>\n</body></html>\n");
	return rc ? KCAP_E_NOMEM : 0;
}

/* ---- inspect's queries ---- */

typedef struct qctx {
	kcap_filter *f;
	kcap_procstate *ps; /* proc.* and parent.*: the lifecycle events are all read */
	kcap_reader *r;
	const report_q *q;
	int first, strict, checked, bad;
	uint32_t section;
	kcap_error e;
} qctx;

/* The expression against a section's schema (before its blocks are
 * skipped): a bad literal, or an unknown name with one input, is an error. */
static int q_check(qctx *c)
{
	const kcap_schema *s = kcap_reader_schema(c->r);
	if (c->checked == (int)kcap_reader_section(c->r) + 1 || !s || !kcap_schema_type_at(s, 0))
		return c->bad;
	c->checked = (int)kcap_reader_section(c->r) + 1;
	int crc = c->f ? kcap_filter_check_schema(c->f, s, &c->e) : 0;
	if (crc == KCAP_E_INVAL || (crc && c->strict))
		c->bad = crc;
	return c->bad;
}

static int q_block(void *ud, const kcap_block_summary *sum)
{
	qctx *c = ud;
	if (q_check(c))
		return 0;
	if (c->ps && kcap_procstate_block_needed(sum, kcap_reader_schema(c->r)))
		return 1;
	if ((c->q->from && sum->last_ts < c->q->from) || (c->q->to && sum->first_ts >= c->q->to) ||
	    (c->q->have_pid && !kcap_summary_may_have_pid(sum, c->q->pid)))
		return 0;
	return !c->f || kcap_filter_block_may_match(c->f, sum, kcap_reader_schema(c->r));
}

static int q_body(void *ud, const kcap_block_summary *sum, const uint8_t *records, size_t len)
{
	qctx *c = ud;
	if (c->ps && kcap_procstate_block_needed(sum, kcap_reader_schema(c->r)))
		return 1;
	return !c->f || kcap_filter_body_may_match(c->f, records, len, kcap_reader_schema(c->r));
}

static int q_head(void *ud, const kcap_event *head)
{
	qctx *c = ud;
	if ((c->q->from && head->ts < c->q->from) || (c->q->to && head->ts >= c->q->to) ||
	    (c->q->have_pid && head->pid != c->q->pid))
		return 0;
	if (c->first || kcap_reader_section(c->r) != c->section)
		return 1;
	return !c->f || kcap_filter_match_head(c->f, head, kcap_reader_schema(c->r)) != 0;
}

static int q_error(kcap_buf *b, const kcap_error *e, int rc)
{
	int r = put(b, "{\"error\":{\"message\":") | jstr(b, e->msg[0] ? e->msg : kcap_strerror(rc));
	return r | putf(b, ",\"column\":%d}}", e->column) ? KCAP_E_NOMEM : 0;
}

int report_query(report *rp, int nfiles, char **files, const report_q *q, kcap_buf *b)
{
	qctx c = {.q = q, .strict = nfiles == 1};
	kcap_procstate *ps = NULL;
	kcap_error e = {0};
	kcap_buf tmp = {0}, cells = {0};
	uint64_t skip = q->page * q->per, rows = 0, scanned = 0;
	int more = 0, rc = 0, n = 0, err = 0;
	if (q->expr && q->expr[0]) {
		if ((rc = kcap_filter_compile(&c.f, q->expr, &e))) {
			rc = rc == KCAP_E_NOMEM ? rc : q_error(b, &e, rc);
			goto cleanup;
		}
		kcap_filter_set_span(c.f, rp->first_ts, rp->last_ts);
		int64_t now = cli_now_ns(CLOCK_REALTIME);
		kcap_filter_set_now(c.f, now);
		if (kcap_filter_uses_proc(c.f) && !(c.ps = ps = kcap_procstate_new())) {
			rc = KCAP_E_NOMEM;
			goto cleanup;
		}
	}
	for (int i = 0; i < nfiles && !more && !err; i++) {
		int damaged = 0;
		if (cli_open_input("inspect", files[i], &c.r, &damaged))
			continue;
		c.checked = 0;
		kcap_reader_set_block_filter(c.r, q_block, &c);
		kcap_reader_set_body_filter(c.r, q_body, &c);
		if (!ps)
			kcap_reader_set_event_filter(c.r, q_head, &c);
		if (kcap_reader_load_index(c.r) > 0 && q->from && !ps)
			kcap_reader_seek_time(c.r, q->from);
		c.first = 1;
		const kcap_event *ev;
		while (!more && (n = kcap_reader_next(c.r, &ev)) > 0) {
			const kcap_schema *s = kcap_reader_schema(c.r);
			if (c.first || kcap_reader_section(c.r) != c.section) {
				if (q_check(&c))
					break;
				if (c.f)
					kcap_filter_reset_schema(c.f);
				if (ps && c.first)
					kcap_procstate_clear(ps);
				c.section = kcap_reader_section(c.r);
				c.first = 0;
			}
			if (ps) {
				kcap_procstate_follow(ps, c.r);
				kcap_procstate_update(ps, ev, s);
			}
			scanned++;
			if ((q->from && ev->ts < q->from) || (q->to && ev->ts >= q->to) || (q->have_pid && ev->pid != q->pid) ||
			    (c.f && !kcap_filter_match(c.f, ev, s, ps)))
				continue;
			if (skip) {
				skip--;
			} else if (rows < q->per) {
				if ((rc = event_cells(&cells, ev, s, &tmp)))
					break;
				rows++;
			} else {
				more = 1;
			}
		}
		cli_close_input(c.r);
		c.r = NULL;
		if (rc)
			goto cleanup;
		if (c.bad) {
			rc = q_error(b, &c.e, c.bad);
			err = 1;
		}
	}
	if (!err) {
		rc = put(b, "{\"rows\":") | json_rows(b, cells.data, cells.len);
		rc |= putf(b, ",\"page\":%llu,\"more\":%s,\"scanned\":%llu}", (unsigned long long)q->page,
		           more ? "true" : "false", (unsigned long long)scanned);
		rc = rc ? KCAP_E_NOMEM : 0;
	}
cleanup:
	kcap_buf_free(&tmp);
	kcap_buf_free(&cells);
	kcap_procstate_free(ps);
	kcap_filter_free(c.f);
	return rc;
}
