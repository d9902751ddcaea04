/* kcap convert: kcap <-> JSON lines, CSV, text; audit logs in. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "sink.h"

static const char convert_help[] =
	"usage: kcap convert [OPTIONS] [FILE...]\n"
	"\n"
	"Reads captures (or stdin) and writes them in another rendering, or reads JSON\n"
	"lines or Linux audit logs into a capture. A JSON line has the keys seq ts\n"
	"time pid tid ppid cpu uid gid comm type category [host source] params{...}\n"
	"proc{...}; CSV is RFC 4180 with a header row.\n"
	"\n"
	"Input:\n"
	"      --from FORMAT     kcap (default), json (JSON lines as written by --json),\n"
	"                        or audit (audit.log files, rotated sets, .gz)\n"
	"      --schema FILE     with --from json: take event types, metadata and the\n"
	"                        process snapshots from this capture, so the round\n"
	"                        trip is exact; without it,\n"
	"                        unknown types are inferred from the JSON values\n"
	SINK_HELP_OUTPUT
	"      --fields LIST     CSV columns, comma-separated (default:\n"
	"                        seq,time,pid,tid,ppid,uid,gid,comm,type,category,params)\n"
	"      --level L         zstd level for kcap output (default 1)\n"
	"      --block-size S    uncompressed bytes per block for kcap output (default 1M)\n"
	"  -h, --help            show this help\n"
	"\n"
	"Exit: 0 ok, 1 error, 2 usage, 3 an input was damaged (intact events were\n"
	"still converted; each damaged region or bad line is reported on stderr).\n";

/* Implemented by the audit importer (tools/import_audit.c) when it is built. */
int cli_import_audit(const char *cmd, char **inputs, int ninputs, kcap_writer *w, int *damaged)
	__attribute__((weak));

static int skip_all_blocks(void *ud, const kcap_block_summary *sum)
{
	(void)ud;
	(void)sum;
	return 0;
}

/* Loads the schema, snapshots and origins of a reference capture, reading
 * only its context blocks; the origins are added to w (ids 0..n-1) and
 * copied into *refs for matching. */
static int load_schema_ref(const char *path, kcap_schema *s, kcap_writer *w, kcap_meta ***refs, size_t *nrefs)
{
	kcap_reader *r;
	int damaged = 0, rc = cli_open_input("convert", path, &r, &damaged);
	if (rc)
		return rc;
	kcap_reader_set_block_filter(r, skip_all_blocks, NULL);
	const kcap_event *ev;
	while (kcap_reader_next(r, &ev) > 0)
		;
	kcap_schema_merge(s, kcap_reader_schema(r));
	copy_snapshots(w, r);
	size_t n = kcap_reader_origin_count(r);
	*refs = calloc(n ? n : 1, sizeof **refs);
	for (size_t i = 0; *refs && i < n; i++) {
		const kcap_meta *m = kcap_reader_meta(r, (uint16_t)i);
		kcap_meta *c = kcap_meta_new();
		const char *k, *v;
		for (size_t j = 0; c && m && kcap_meta_at(m, j, &k, &v); j++)
			kcap_meta_set(c, k, v);
		if (c)
			kcap_writer_add_meta(w, c);
		(*refs)[(*nrefs)++] = c;
	}
	cli_close_input(r);
	return *refs ? KCAP_EXIT_OK : KCAP_EXIT_ERROR;
}

static int same(const char *a, const char *b) { return (!a && !b) || (a && b && !strcmp(a, b)); }

/* Writer origin id of the JSON origin i: a reference origin with the same
 * host and source, or a new origin. Returns the id (>= 0) or a negative
 * KCAP_E_* code. */
static int map_origin(kcap_json_scratch *sc, size_t i, kcap_writer *w, kcap_meta **refs, size_t nrefs)
{
	const char *host = NULL, *src = NULL;
	kcap_json_origin_at(sc, i, &host, &src);
	for (size_t j = 0; j < nrefs; j++)
		if (refs[j] && same(kcap_meta_get(refs[j], KCAP_META_HOSTNAME), host) &&
		    same(kcap_meta_get(refs[j], KCAP_META_SOURCE), src))
			return (int)j;
	kcap_meta *m = kcap_meta_new();
	if (!m)
		return KCAP_E_NOMEM;
	if (host)
		kcap_meta_set(m, KCAP_META_HOSTNAME, host);
	if (src)
		kcap_meta_set(m, KCAP_META_SOURCE, src);
	int id = kcap_writer_add_meta(w, m);
	kcap_meta_free(m);
	return id;
}

typedef struct json_in {
	kcap_schema *s;
	kcap_json_scratch *sc;
	kcap_writer *w;
	kcap_meta **refs;     /* origins of the --schema capture */
	size_t nrefs;
	uint16_t *omap;       /* JSON origin -> writer origin */
	size_t nomap;
	uint64_t gen;
	char *line;
	size_t cap;
	int *damaged;
} json_in;

/* Converts one file of JSON lines; returns a KCAP_EXIT_* code. */
static int json_file(json_in *c, FILE *f, const char *name)
{
	kcap_event ev;
	ssize_t n;
	long long lineno = 0;
	while ((n = getline(&c->line, &c->cap, f)) >= 0) {
		lineno++;
		while (n > 0 && (c->line[n - 1] == '\n' || c->line[n - 1] == '\r'))
			c->line[--n] = 0;
		if (n == 0)
			continue;
		kcap_error e = {0};
		int prc = kcap_json_parse_event(c->sc, c->line, (size_t)n, c->s, &ev, &e);
		if (prc) {
			fprintf(stderr, "kcap convert: %s: line %lld, column %d: %s\n", name, lineno, e.column,
				e.msg[0] ? e.msg : kcap_strerror(prc));
			*c->damaged = 1;
			continue;
		}
		while (c->nomap < kcap_json_origin_count(c->sc)) {
			uint16_t *no = realloc(c->omap, (c->nomap + 1) * sizeof *no);
			if (no)
				c->omap = no;
			int id = no ? map_origin(c->sc, c->nomap, c->w, c->refs, c->nrefs) : KCAP_E_NOMEM;
			if (id < 0) {
				cli_err("convert", "out of memory");
				return KCAP_EXIT_ERROR;
			}
			c->omap[c->nomap++] = (uint16_t)id;
		}
		if (ev.origin < c->nomap)
			ev.origin = c->omap[ev.origin];
		if (kcap_schema_generation(c->s) != c->gen) {
			c->gen = kcap_schema_generation(c->s);
			kcap_writer_set_schema(c->w, c->s);
		}
		if (kcap_writer_write(c->w, &ev)) {
			const kcap_error *we = kcap_writer_error(c->w);
			cli_err("convert", "%s: line %lld: %s", name, lineno, we->msg);
			if (we->code != KCAP_E_INVAL)
				return KCAP_EXIT_ERROR;
			*c->damaged = 1;
		}
	}
	if (ferror(f)) {
		cli_err("convert", "%s: read error: %s", name, strerror(errno));
		return KCAP_EXIT_ERROR;
	}
	return KCAP_EXIT_OK;
}

static int from_json(char **inputs, int nin, kcap_writer *w, const char *schema_ref, int *damaged)
{
	json_in c = {.s = kcap_schema_new(), .sc = kcap_json_scratch_new(), .w = w, .gen = (uint64_t)-1,
		     .damaged = damaged};
	int rc = KCAP_EXIT_OK;
	if (!c.s || !c.sc) {
		cli_err("convert", "out of memory");
		rc = KCAP_EXIT_ERROR;
		goto cleanup;
	}
	if (schema_ref && (rc = load_schema_ref(schema_ref, c.s, w, &c.refs, &c.nrefs)))
		goto cleanup;
	for (int i = 0; i < (nin ? nin : 1) && !rc; i++) {
		int named = nin && strcmp(inputs[i], "-");
		const char *name = named ? inputs[i] : "(stdin)";
		FILE *f = named ? fopen(inputs[i], "r") : stdin;
		if (!f) {
			cli_err("convert", "%s: %s", name, strerror(errno));
			rc = KCAP_EXIT_ERROR;
			break;
		}
		rc = json_file(&c, f, name);
		if (f != stdin)
			fclose(f);
	}
cleanup:
	free(c.line);
	free(c.omap);
	for (size_t i = 0; i < c.nrefs; i++)
		kcap_meta_free(c.refs[i]);
	free(c.refs);
	kcap_json_scratch_free(c.sc);
	kcap_schema_free(c.s);
	return rc;
}

/* One kcap input into the sink. A part of a later format version ends the
 * input as damage, not as an error: the next input is still converted. */
static int convert_input(void *ud, int i, kcap_reader *r, int *damaged)
{
	sink *s = ud;
	(void)i;
	int rc = sink_all_events(s, "convert", r);
	if (rc == KCAP_EXIT_DAMAGED) {
		*damaged = 1;
		rc = 0;
	}
	sink_input_done(s, r);
	return rc;
}

int cmd_convert(int argc, char **argv)
{
	static const struct option longopts[] = {
		SINK_LONGOPTS,                         {"fields", required_argument, 0, 'f'},
		{"from", required_argument, 0, 'F'},   {"schema", required_argument, 0, 'S'},
		{"level", required_argument, 0, 'L'},  {"block-size", required_argument, 0, 'B'},
		{"help", no_argument, 0, 'h'},         {0, 0, 0, 0},
	};
	sink_opts so = {0};
	const char *from = "kcap", *schema_ref = NULL;
	char **fields = NULL;
	uint64_t bs;
	int c, rc;
	cli_getopt_start();
	while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			return cli_help("convert", convert_help);
		case 'f':
			free(fields);
			fields = cli_split_fields(optarg);
			so.fields = (const char *const *)fields;
			if (so.mode == OUT_AUTO)
				so.mode = OUT_CSV;
			break;
		case 'F': from = optarg; break;
		case 'S': schema_ref = optarg; break;
		case 'L':
			so.wopts.level = atoi(optarg);
			if (so.wopts.level < 1 || so.wopts.level > 22) {
				cli_err("convert", "--level: '%s' is not a zstd level 1..22", optarg);
				return KCAP_EXIT_USAGE;
			}
			break;
		case 'B':
			if (cli_parse_size(optarg, &bs) || bs < 4096 || bs > (1u << 30)) {
				cli_err("convert", "--block-size: '%s' is not a size between 4K and 1G", optarg);
				return KCAP_EXIT_USAGE;
			}
			so.wopts.block_size = (uint32_t)bs;
			break;
		default:
			if (!cli_output_opt(c, optarg, &so)) {
				free(fields);
				return cli_bad_option("convert", argv, longopts, "o:h");
			}
		}
	}
	int from_kcap = !strcmp(from, "kcap");
	if (!from_kcap && strcmp(from, "json") && strcmp(from, "audit")) {
		cli_err("convert", "--from: unknown format '%s' (kcap, json, audit)", from);
		free(fields);
		return KCAP_EXIT_USAGE;
	}
	if (!from_kcap) {
		if (so.mode != OUT_AUTO && so.mode != OUT_KCAP) {
			cli_err("convert", "--from %s writes a capture; convert it again for other renderings", from);
			free(fields);
			return KCAP_EXIT_USAGE;
		}
		so.mode = OUT_KCAP;
		if ((!so.path || !strcmp(so.path, "-")) && isatty(STDOUT_FILENO)) {
			cli_err("convert", "refusing to write a binary capture to a terminal; use -o FILE");
			free(fields);
			return KCAP_EXIT_USAGE;
		}
	}
	if (!strcmp(from, "audit") && !cli_import_audit) {
		cli_err("convert", "--from audit: this kcap was built without the audit importer");
		free(fields);
		return KCAP_EXIT_ERROR;
	}
	sink *s;
	rc = sink_open(&s, "convert", &so);
	if (rc) {
		free(fields);
		return rc;
	}
	int damaged = 0, nin = argc - optind;
	if (!strcmp(from, "json")) {
		rc = from_json(argv + optind, nin, sink_writer(s), schema_ref, &damaged);
	} else if (!strcmp(from, "audit")) {
		rc = cli_import_audit("convert", argv + optind, nin, sink_writer(s), &damaged);
	} else {
		cli_inputs in = {.cmd = "convert", .n = nin, .files = argv + optind};
		rc = cli_each_input(&in, convert_input, s, &damaged);
	}
	rc = sink_close(s, rc);
	free(fields);
	return rc ? rc : damaged ? KCAP_EXIT_DAMAGED : KCAP_EXIT_OK;
}
