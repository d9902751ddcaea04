/* kcap info: capinfos for captures. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cli.h"
#include "input/bundle.h"


/* s with control bytes escaped, for the text report: metadata, source and
 * type names come from the capture, which may be hostile, and must not
 * break a line or drive the terminal. Two slots, so that a key and its value
 * can be in one printf; each call reuses its slot's buffer. */
static const char *esc(int slot, const char *s)
{
	static kcap_buf b[2];
	b[slot].len = 0;
	if (kcap_text_escape(&b[slot], s, strlen(s)) || kcap_buf_append(&b[slot], "", 1))
		return "?";
	return b[slot].data;
}
static const char info_help[] =
	"usage: kcap info [--json] [--scan] FILE...\n"
	"\n"
	"Summarizes each capture: format version, metadata of every origin (host,\n"
	"source, kernel, boot id, clock), time span, event counts per type and\n"
	"category, lost events per CPU and source, sizes and compression ratio,\n"
	"block count, whether the file is time-ordered and indexed, and its process\n"
	"snapshots (per section: section-wide or per origin, with their process\n"
	"counts). On an indexed file whose blocks carry counts (format 1.4), only\n"
	"the index, the footers and the context blocks are read; other blocks are\n"
	"read event by event. Damage is reported and the intact rest is counted.\n"
	"\n"
	"  --json      one JSON object per file (keys: file, version, events, blocks,\n"
	"              first_ts, last_ts, bytes, uncompressed_bytes, lost, types,\n"
	"              categories, ordered, indexed, from, sections, damaged, origins,\n"
	"              loss, snapshots: [{section, origin (null: section-wide),\n"
	"              processes}]); from: index (no events block read), summaries\n"
	"              (every block read, none decompressed) or scan\n"
	"  --scan      read every event (the answer does not come from the counts)\n"
	"  -h, --help  show this help\n"
	"\n"
	"Exit: 0 ok, 1 error, 2 usage, 3 a file was damaged.\n";

typedef struct tcount {
	char *name, *category;
	uint64_t n;
} tcount;

typedef struct idcount {
	uint32_t id;
	uint64_t n;
} idcount;

typedef struct info {
	tcount *types;
	size_t ntypes;
	uint64_t *by_id; /* current section: count per type id < 4096 */
	idcount *wide;   /* current section: ids >= 4096 (audit records, ...) */
	size_t nwide;
	const kcap_schema *by_id_schema;
} info;

/* Adds n events of type id (of the current section's schema) to the totals by name. */
static void add_type(info *in, uint32_t id, uint64_t n)
{
	const kcap_type_def *d = kcap_schema_type(in->by_id_schema, id);
	char unk[32];
	snprintf(unk, sizeof unk, "type_%u", id);
	const char *name = d ? d->name : unk, *cat = d ? d->category : "unknown";
	size_t k;
	for (k = 0; k < in->ntypes && strcmp(in->types[k].name, name); k++)
		;
	if (k == in->ntypes) {
		tcount *t = realloc(in->types, (in->ntypes + 1) * sizeof *t);
		if (!t)
			return;
		in->types = t;
		t[k].name = strdup(name);
		t[k].category = strdup(cat);
		t[k].n = 0;
		in->ntypes++;
	}
	in->types[k].n += n;
}

/* Counts n events of type id in the current section. */
static void count_type(info *in, uint32_t id, uint64_t n)
{
	if (id < 4096) {
		in->by_id[id] += n;
		return;
	}
	for (size_t i = 0; i < in->nwide; i++)
		if (in->wide[i].id == id) {
			in->wide[i].n += n;
			return;
		}
	idcount *w = realloc(in->wide, (in->nwide + 1) * sizeof *w);
	if (!w)
		return;
	in->wide = w;
	w[in->nwide].id = id;
	w[in->nwide++].n = n;
}

/* Moves the current section's counts into the totals by name. */
static void fold(info *in)
{
	if (!in->by_id_schema)
		return;
	for (uint32_t id = 0; id < 4096; id++)
		if (in->by_id[id]) {
			add_type(in, id, in->by_id[id]);
			in->by_id[id] = 0;
		}
	for (size_t i = 0; i < in->nwide; i++)
		add_type(in, in->wide[i].id, in->wide[i].n);
	in->nwide = 0;
}

/* Whether type i is the first of its category in the list; if so, *sum is
 * the category's count. */
static int category_total(const info *in, size_t i, uint64_t *sum)
{
	for (size_t j = 0; j < i; j++)
		if (!strcmp(in->types[j].category, in->types[i].category))
			return 0;
	*sum = 0;
	for (size_t k = i; k < in->ntypes; k++)
		if (!strcmp(in->types[k].category, in->types[i].category))
			*sum += in->types[k].n;
	return 1;
}

static int cmp_count(const void *a, const void *b)
{
	const tcount *x = a, *y = b;
	return x->n < y->n ? 1 : x->n > y->n ? -1 : strcmp(x->name, y->name);
}

/* Reused by json_str(); json_oom records a string it could not print. */
static kcap_buf json_buf;
static int json_oom;

/* Prints s as a quoted JSON string, escaped as kcap's JSON lines are. */
static void json_str(const char *s)
{
	json_buf.len = 0;
	if (kcap_json_escape(&json_buf, s, strlen(s)) < 0) {
		json_oom = 1;
		fputs("\"\"", stdout);
		return;
	}
	fwrite(json_buf.data, 1, json_buf.len, stdout);
}

static void fmt_bytes(char *out, size_t n, uint64_t v)
{
	const char *u[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	double d = (double)v;
	int i = 0;
	while (d >= 1024 && i < 4) {
		d /= 1024;
		i++;
	}
	snprintf(out, n, i ? "%.1f %s" : "%.0f %s", d, u[i]);
}

/* 1 if a and b hold the same keys and values in the same order. */
static int same_meta(const kcap_meta *a, const kcap_meta *b)
{
	if (kcap_meta_count(a) != kcap_meta_count(b))
		return 0;
	const char *ka, *va, *kb, *vb;
	for (size_t i = 0; kcap_meta_at(a, i, &ka, &va); i++)
		if (!kcap_meta_at(b, i, &kb, &vb) || strcmp(ka, kb) || strcmp(va, vb))
			return 0;
	return 1;
}

/* Keeps a copy of each origin's metadata not yet seen in this section. An
 * origin whose metadata is that of the one before it (concatenated copies,
 * archive members of one recorder) shares its copy: a pointer a section,
 * not a copy. */
static void collect_origins(const kcap_reader *r, kcap_meta ***metas, size_t *nmetas, size_t *seen)
{
	while (*seen < kcap_reader_origin_count(r)) {
		const kcap_meta *m = kcap_reader_meta(r, (uint16_t)(*seen)++);
		kcap_meta **nm = m ? realloc(*metas, (*nmetas + 1) * sizeof *nm) : NULL;
		if (!nm)
			continue;
		*metas = nm;
		if (*nmetas && same_meta(nm[*nmetas - 1], m)) {
			nm[*nmetas] = nm[*nmetas - 1];
			++*nmetas;
			continue;
		}
		nm[*nmetas] = kcap_meta_new();
		const char *k, *v;
		for (size_t i = 0; nm[*nmetas] && kcap_meta_at(m, i, &k, &v); i++)
			kcap_meta_set(nm[*nmetas], k, v);
		*nmetas += nm[*nmetas] != NULL;
	}
}

/* One process snapshot of a section: origin -1 is the section's snapshot
 * without an origin. */
typedef struct snapinfo {
	uint32_t section;
	int origin;
	size_t procs;
} snapinfo;

static void add_snapinfo(snapinfo **v, size_t *n, uint32_t section, int origin, const kcap_snapshot *sn)
{
	snapinfo *nv = sn ? realloc(*v, (*n + 1) * sizeof *nv) : NULL;
	if (!nv)
		return;
	nv[*n] = (snapinfo){section, origin, kcap_snapshot_count(sn)};
	*v = nv;
	++*n;
}

/* Notes the snapshots of r's current section (known at its first event). */
static void collect_snapshots(const kcap_reader *r, snapinfo **v, size_t *n)
{
	uint32_t sec = kcap_reader_section(r);
	add_snapinfo(v, n, sec, -1, kcap_reader_snapshot(r));
	for (size_t o = 0; o < kcap_reader_origin_snapshot_count(r); o++)
		add_snapinfo(v, n, sec, (int)o, kcap_reader_origin_snapshot(r, (uint16_t)o));
}

typedef struct info_run {
	int json, scan;
	int nin;
	char **files;
	int seps; /* blank lines printed between the files' reports */
} info_run;

/* Blank lines between the reports, one after each file but the last, also
 * after a file that could not be opened (its error went to stderr). */
static void info_seps(info_run *run, int upto)
{
	for (; !run->json && run->seps < upto; run->seps++)
		putchar('\n');
}

/* What the walk over one file gathers, event by event or (from the
 * summaries) block by block. */
typedef struct walk {
	kcap_reader *r;
	info in;
	uint64_t events;
	int64_t first, last;
	uint32_t section;
	/* Copies of every origin's metadata, kept as sections go by. */
	kcap_meta **metas;
	size_t nmetas, origins_seen;
	snapinfo *snaps;
	size_t nsnaps;
	int snaps_taken;   /* of the section being read */
	size_t snaps_from; /* its entries in snaps */
	uint64_t snap_gen; /* snapshot updates (format 1.2) they include */
	int scan;          /* --scan: every event read */
	kcap_block_counts bc;
	uint64_t from_counts; /* events blocks answered by their counts */
} walk;

/* The context of the next n events (all of one events block), whose
 * smallest and largest ts are lo and hi: the section, its snapshots and
 * origins, the span. */
static void walk_events(walk *w, uint64_t n, int64_t lo, int64_t hi)
{
	kcap_reader *r = w->r;
	if (kcap_reader_section(r) != w->section || !w->in.by_id_schema) {
		fold(&w->in);
		w->section = kcap_reader_section(r);
		w->in.by_id_schema = kcap_reader_schema(r);
		w->origins_seen = 0;
		w->snaps_from = w->nsnaps;
		w->snap_gen = kcap_reader_update_gen(r);
		collect_snapshots(r, &w->snaps, &w->nsnaps);
		w->snaps_taken = 1;
	} else if (kcap_reader_update_gen(r) != w->snap_gen) { /* the snapshots grew */
		w->nsnaps = w->snaps_from;
		w->snap_gen = kcap_reader_update_gen(r);
		collect_snapshots(r, &w->snaps, &w->nsnaps);
	}
	collect_origins(r, &w->metas, &w->nmetas, &w->origins_seen);
	w->events += n;
	if (lo < w->first)
		w->first = lo;
	if (hi > w->last)
		w->last = hi;
}

/* An events block whose summary has its counts (format 1.4) is counted
 * from them and not read; any other is read event by event. */
static int walk_block(void *ud, const kcap_block_summary *sum)
{
	walk *w = ud;
	if (!sum->count)
		return 0; /* nothing to count */
	if (w->scan || kcap_summary_counts(sum, &w->bc) != 1)
		return 1;
	walk_events(w, sum->count, sum->first_ts, sum->last_ts);
	for (size_t i = 0; i < w->bc.ntypes; i++)
		count_type(&w->in, w->bc.type_id[i], w->bc.type_n[i]);
	w->from_counts++;
	return 0;
}

/* Reports on one file; *file_damaged is set when it is damaged. */
static int info_one(void *ud, int idx, kcap_reader *r, int *file_damaged)
{
	info_run *run = ud;
	int json = run->json, rc = KCAP_EXIT_OK;
	info_seps(run, idx);
	char *manifest = NULL;
	size_t mlen = 0;
	if (idx < run->nin && strcmp(run->files[idx], "-"))
		bundle_probe(run->files[idx], &manifest, &mlen);
	walk w = {.r = r, .first = INT64_MAX, .last = INT64_MIN, .scan = run->scan};
	w.in.by_id = calloc(4096, sizeof *w.in.by_id);
	const kcap_event *ev;
	int n;
	if (!w.scan) {
		kcap_reader_set_block_filter(r, walk_block, &w);
		kcap_reader_load_index(r); /* the blocks answered by their counts are then not read */
	}
	while ((n = kcap_reader_next(r, &ev)) > 0) {
		walk_events(&w, 1, ev->ts, ev->ts);
		cli_progress("info", r);
		count_type(&w.in, ev->type_id, 1);
	}
	fold(&w.in);
	if (kcap_reader_section(r) != w.section) {
		w.origins_seen = 0;
		w.snaps_taken = 0;
	}
	collect_origins(r, &w.metas, &w.nmetas, &w.origins_seen);
	if (!w.snaps_taken && kcap_reader_get_stats(r)->sections)
		collect_snapshots(r, &w.snaps, &w.nsnaps);
	cli_progress_done();
	if (n < 0) {
		cli_read_failed("info", r, n); /* every read error is damage to info: it reports what it read */
		*file_damaged = 1;
	}
	info in = w.in;
	uint64_t events = w.events;
	int64_t first = w.first, last = w.last;
	kcap_meta **metas = w.metas;
	size_t nmetas = w.nmetas;
	snapinfo *snaps = w.snaps;
	size_t nsnaps = w.nsnaps;
	kcap_block_counts_free(&w.bc);
	const kcap_reader_stats *st = kcap_reader_get_stats(r);
	uint64_t lost = 0, seen = 0;
	for (size_t i = 0; i < kcap_reader_stat_count(r); i++) {
		lost += kcap_reader_stat_at(r, i)->lost;
		seen += kcap_reader_stat_at(r, i)->seen;
	}
	uint16_t major, minor;
	kcap_reader_version(r, &major, &minor);
	if (in.ntypes)
		qsort(in.types, in.ntypes, sizeof *in.types, cmp_count);
	int ordered = st->unordered == 0, indexed = st->indexed && st->has_footer;
	/* index: no events block was read; summaries: each was read (a pipe, no
	 * index) but none decompressed; scan: some were decoded */
	const char *from = st->blocks_decoded || run->scan ? "scan"
			   : indexed && st->blocks_by_index == st->blocks ? "index" : "summaries";
	const char *name = kcap_reader_name(r);
	if (json) {
		printf("{\"file\":");
		json_str(name);
		if (manifest) { /* a bundle (kcap bundle): its manifest as it is */
			printf(",\"manifest\":");
			fwrite(manifest, 1, mlen && manifest[mlen - 1] == '\n' ? mlen - 1 : mlen, stdout);
		}
		printf(",\"version\":\"%u.%u\",\"sections\":%u,\"events\":%llu,\"blocks\":%llu", major, minor,
		       st->sections, (unsigned long long)events, (unsigned long long)st->blocks);
		if (events)
			printf(",\"first_ts\":%lld,\"last_ts\":%lld", (long long)first, (long long)last);
		else
			printf(",\"first_ts\":null,\"last_ts\":null");
		printf(",\"bytes\":%llu,\"uncompressed_bytes\":%llu,\"lost\":%llu,\"seen\":%llu",
		       (unsigned long long)st->bytes, (unsigned long long)st->raw_bytes, (unsigned long long)lost,
		       (unsigned long long)seen);
		printf(",\"ended_early\":%s", st->has_footer ? "false" : "true");
		printf(",\"ordered\":%s,\"indexed\":%s,\"from\":\"%s\",\"damaged\":%s,\"damaged_regions\":%llu",
		       ordered ? "true" : "false", indexed ? "true" : "false", from, *file_damaged ? "true" : "false",
		       (unsigned long long)st->damaged);
		printf(",\"types\":{");
		for (size_t i = 0; i < in.ntypes; i++) {
			if (i)
				putchar(',');
			json_str(in.types[i].name);
			printf(":%llu", (unsigned long long)in.types[i].n);
		}
		printf("},\"categories\":{");
		int firstc = 1;
		for (size_t i = 0; i < in.ntypes; i++) {
			uint64_t sum;
			if (!category_total(&in, i, &sum))
				continue;
			if (!firstc)
				putchar(',');
			json_str(in.types[i].category);
			printf(":%llu", (unsigned long long)sum);
			firstc = 0;
		}
		printf("},\"origins\":[");
		for (size_t i = 0; i < nmetas; i++) {
			const char *k, *v;
			printf("%s{", i ? "," : "");
			for (size_t j = 0; kcap_meta_at(metas[i], j, &k, &v); j++) {
				if (j)
					putchar(',');
				json_str(k);
				putchar(':');
				json_str(v);
			}
			putchar('}');
		}
		printf("],\"loss\":[");
		for (size_t i = 0; i < kcap_reader_stat_count(r); i++) {
			const kcap_stat *s = kcap_reader_stat_at(r, i);
			printf("%s{\"origin\":%u,\"source\":", i ? "," : "", s->origin);
			json_str(s->source);
			if (s->cpu == UINT32_MAX)
				printf(",\"cpu\":null");
			else
				printf(",\"cpu\":%u", s->cpu);
			printf(",\"seen\":%llu,\"lost\":%llu}", (unsigned long long)s->seen, (unsigned long long)s->lost);
		}
		printf("],\"snapshots\":[");
		for (size_t i = 0; i < nsnaps; i++) {
			printf("%s{\"section\":%u,\"origin\":", i ? "," : "", snaps[i].section);
			if (snaps[i].origin < 0)
				printf("null");
			else
				printf("%d", snaps[i].origin);
			printf(",\"processes\":%zu}", snaps[i].procs);
		}
		printf("]}\n");
	} else {
		char t1[40], t2[40], b1[32], b2[32];
		printf("File:              %s\n", name);
		if (manifest) {
			printf("Bundle manifest:   %s (kcap verify checks the members against it)\n", BUNDLE_MANIFEST);
			kcap_buf lb = {0};
			for (const char *l = manifest; *l;) {
				size_t k = strcspn(l, "\n");
				lb.len = 0;
				kcap_text_escape(&lb, l, k); /* a hostile manifest must not drive the terminal */
				printf("  %.*s\n", (int)lb.len, lb.data ? lb.data : "");
				l += k + (l[k] == '\n');
			}
			kcap_buf_free(&lb);
		}
		printf("Format:            kcap %u.%u, %u section%s\n", major, minor, st->sections,
		       st->sections == 1 ? "" : "s");
		for (size_t i = 0; i < nmetas; i++) {
			const char *k, *v;
			printf("Origin %zu:\n", i);
			for (size_t j = 0; kcap_meta_at(metas[i], j, &k, &v); j++)
				printf("  %-16s %s\n", esc(0, k), esc(1, v));
		}
		if (events) {
			kcap_format_time(t1, first);
			kcap_format_time(t2, last);
			printf("First event:       %s\nLast event:        %s\n", t1, t2);
			printf("Duration:          %.3f s\n", (double)(last - first) / 1e9);
		}
		printf("Events:            %llu\n", (unsigned long long)events);
		printf("Blocks:            %llu events blocks\n", (unsigned long long)st->blocks);
		fmt_bytes(b1, sizeof b1, st->bytes);
		fmt_bytes(b2, sizeof b2, st->raw_bytes);
		printf("Size:              %s (%llu bytes of capture), %s of event data uncompressed, ratio %.2f\n", b1,
		       (unsigned long long)st->bytes, b2, st->bytes ? (double)st->raw_bytes / (double)st->bytes : 0.0);
		for (size_t i = 0; i < nsnaps; i++) {
			char who[32] = "section-wide";
			if (snaps[i].origin >= 0)
				snprintf(who, sizeof who, "origin %d", snaps[i].origin);
			printf("%s section %u, %s: %zu processes\n", i ? "                  " : "Snapshots:        ",
			       snaps[i].section, who, snaps[i].procs);
		}
		printf("Ordered:           %s\n", ordered ? "yes" : "no (events out of time order)");
		printf("Indexed:           %s\n", indexed ? "yes" : "no (no footer: recorder crashed or stream cut)");
		if (!st->has_footer)
			printf("Ended early:       yes (no index and footer: its writer stopped before closing it, e.g.\n"
			       "                   a recorder that failed or was killed; what it flushed is kept)\n");
		printf("Answered from:     %s\n", !strcmp(from, "index") ? "index (block counts; --scan reads every event)"
					     : !strcmp(from, "scan") ? "scan (every event read)"
								      : "block summaries (every block read, none decompressed)");
		/* Sources count different things (events, audit records), so the
		 * share lost is given per counter, not as one total. */
		printf("Lost events:       %llu\n", (unsigned long long)lost);
		int derived = 0;
		for (size_t i = 0; i < nmetas && !derived; i++)
			derived = kcap_meta_get(metas[i], "derived_from") != NULL;
		if (derived && kcap_reader_stat_count(r))
			printf("  (counted by the source capture over its whole span, which this file covers\n"
			       "   only in part: see derived_from)\n");
		for (size_t i = 0; i < kcap_reader_stat_count(r); i++) {
			const kcap_stat *s = kcap_reader_stat_at(r, i);
			if (s->cpu == UINT32_MAX)
				printf("  %-16s seen %llu lost %llu\n", esc(0, s->source), (unsigned long long)s->seen,
				       (unsigned long long)s->lost);
			else
				printf("  %-10s cpu %-3u seen %llu lost %llu\n", esc(0, s->source), s->cpu,
				       (unsigned long long)s->seen, (unsigned long long)s->lost);
		}
		if (*file_damaged)
			printf("Damaged:           yes, %llu region%s, %llu bytes skipped\n",
			       (unsigned long long)st->damaged, st->damaged == 1 ? "" : "s",
			       (unsigned long long)st->damaged_bytes);
		printf("By category:\n");
		for (size_t i = 0; i < in.ntypes; i++) {
			uint64_t sum;
			if (!category_total(&in, i, &sum))
				continue;
			printf("  %-16s %llu\n", esc(0, in.types[i].category), (unsigned long long)sum);
		}
		printf("By type:\n");
		for (size_t i = 0; i < in.ntypes; i++)
			printf("  %-16s %llu\n", esc(0, in.types[i].name), (unsigned long long)in.types[i].n);
	}
	kcap_buf_free(&json_buf);
	if (json_oom) {
		cli_err("info", "out of memory");
		json_oom = 0;
		rc = KCAP_EXIT_ERROR;
	}
	for (size_t i = 0; i < in.ntypes; i++) {
		free(in.types[i].name);
		free(in.types[i].category);
	}
	free(in.types);
	free(in.by_id);
	free(in.wide);
	for (size_t i = 0; i < nmetas; i++)
		if (!i || metas[i] != metas[i - 1])
			kcap_meta_free(metas[i]);
	free(metas);
	free(snaps);
	free(manifest);
	return rc;
}

int cmd_info(int argc, char **argv)
{
	enum { O_SCAN = 1000 };
	static const struct option longopts[] = {{"json", no_argument, 0, 'j'},
						 {"scan", no_argument, 0, O_SCAN},
						 {"help", no_argument, 0, 'h'},
						 {0, 0, 0, 0}};
	int json = 0, scan = 0, c;
	cli_getopt_start();
	while ((c = getopt_long(argc, argv, "jh", longopts, NULL)) != -1) {
		if (c == 'h')
			return cli_help("info", info_help);
		if (c == 'j')
			json = 1;
		else if (c == O_SCAN)
			scan = 1;
		else
			return cli_bad_option("info", argv, longopts, "jh");
	}
	int damaged = 0, nin = argc - optind;
	info_run run = {.json = json, .scan = scan, .nin = nin, .files = argv + optind};
	cli_inputs in = {.cmd = "info", .n = nin, .files = argv + optind, .keep_going = 1};
	int rc = cli_each_input(&in, info_one, &run, &damaged);
	info_seps(&run, nin - 1);
	rc = cli_finish_stdout("info", rc);
	return rc ? rc : damaged ? KCAP_EXIT_DAMAGED : KCAP_EXIT_OK;
}
