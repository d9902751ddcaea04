/* json_import.c - the JSON lines importer of the importer table
 * (importer.h): lines as `kcap convert --json` writes them, parsed by
 * json_in.c, into a capture writer. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "importer.h"
#include "input/lines.h"
#include "input/note.h"
#include "json_in.h"

extern const kcap_importer kcap_json_importer;

typedef struct json_run {
	const kcap_import_ctx *c;
	kcap_schema *s;
	kcap_schema *own_s;   /* s when there is no --schema */
	kcap_json_scratch *sc;
	uint16_t *omap;       /* JSON origin -> writer origin */
	size_t nomap;
	uint64_t gen;
	const char *name;
	kcap_import_lines lines; /* per-line errors, capped */
	int damaged;
} json_run;

#define NOTE(r, ...) kcap_notef((r)->c->note, (r)->c->note_ud, __VA_ARGS__)

static int same(const char *a, const char *b) { return (!a && !b) || (a && b && !strcmp(a, b)); }

/* Writer origin id of the JSON origin i: a --schema origin with the same
 * host and source, or a new origin. Returns -1 when out of memory. */
static int map_origin(json_run *r, size_t i)
{
	const char *host = NULL, *src = NULL;
	kcap_json_origin_at(r->sc, i, &host, &src);
	const kcap_import_ref *rf = r->c->ref;
	for (size_t j = 0; rf && j < rf->norigins; j++) {
		const kcap_meta *ref = rf->origins[j];
		if (ref && same(kcap_meta_get(ref, KCAP_META_HOSTNAME), host) &&
		    same(kcap_meta_get(ref, KCAP_META_SOURCE), src))
			return (int)j;
	}
	kcap_meta *m = kcap_meta_new();
	if (!m)
		return -1;
	if (host)
		kcap_meta_set(m, KCAP_META_HOSTNAME, host);
	if (src)
		kcap_meta_set(m, KCAP_META_SOURCE, src);
	int id = kcap_writer_add_meta(r->c->w, m);
	kcap_meta_free(m);
	return id;
}

static int json_open(void **st, const kcap_import_ctx *c)
{
	json_run *r = calloc(1, sizeof *r);
	if (r) {
		r->c = c;
		r->gen = (uint64_t)-1;
		r->s = c->ref && c->ref->schema ? c->ref->schema : (r->own_s = kcap_schema_new());
		r->sc = kcap_json_scratch_new();
	}
	if (!r || !r->s || !r->sc) {
		if (c->note)
			c->note(c->note_ud, "out of memory");
		if (r) {
			kcap_schema_free(r->own_s);
			kcap_json_scratch_free(r->sc);
		}
		free(r);
		return KCAP_E_NOMEM;
	}
	*st = r;
	return 0;
}

static int json_line(void *ud, uint64_t lineno, const char *line, size_t n)
{
	json_run *r = ud;
	kcap_writer *w = r->c->w;
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		n--;
	if (n == 0)
		return 0;
	if (kcap_import_refuse(&r->lines, lineno, line, n)) {
		r->damaged = 1;
		return KCAP_IMPORT_DAMAGED; /* stops this input */
	}
	kcap_event ev;
	kcap_error e = {0};
	int prc = kcap_json_parse_event(r->sc, line, n, r->s, &ev, &e);
	if (prc) {
		kcap_import_line_error(&r->lines, "%s: line %llu, column %d: %s", r->name, (unsigned long long)lineno, e.column,
				       e.msg[0] ? e.msg : kcap_strerror(prc));
		r->damaged = 1;
		return 0;
	}
	while (r->nomap < kcap_json_origin_count(r->sc)) {
		uint16_t *no = realloc(r->omap, (r->nomap + 1) * sizeof *no);
		if (no)
			r->omap = no;
		int id = no ? map_origin(r, r->nomap) : -1;
		if (id < 0) {
			NOTE(r, "out of memory");
			return KCAP_E_NOMEM;
		}
		r->omap[r->nomap++] = (uint16_t)id;
	}
	if (ev.origin < r->nomap)
		ev.origin = r->omap[ev.origin];
	if (kcap_schema_generation(r->s) != r->gen) {
		r->gen = kcap_schema_generation(r->s);
		kcap_writer_set_schema(w, r->s);
	}
	if (kcap_writer_write(w, &ev)) {
		const kcap_error *we = kcap_writer_error(w);
		if (we->code != KCAP_E_INVAL) {
			NOTE(r, "%s: line %llu: %s", r->name, (unsigned long long)lineno, we->msg);
			return we->code < 0 ? we->code : KCAP_E_IO;
		}
		kcap_import_line_error(&r->lines, "%s: line %llu: %s", r->name, (unsigned long long)lineno, we->msg);
		r->damaged = 1;
	}
	return 0;
}

static int json_input(void *st, int fd, const char *path)
{
	json_run *r = st;
	kcap_error e = {0};
	r->name = path ? path : "(stdin)";
	r->damaged = 0;
	kcap_import_lines_start(&r->lines, r->c, &kcap_json_importer, r->name);
	int rc = kcap_read_lines(fd, 0, json_line, r, &e);
	kcap_import_lines_end(&r->lines);
	if (rc == KCAP_E_IO || (rc == KCAP_E_NOMEM && e.code)) {
		NOTE(r, "%s: read error: %s", r->name, e.msg);
		return rc == KCAP_E_IO ? KCAP_IMPORT_FAILED : rc;
	}
	return rc < 0 ? rc : r->damaged ? KCAP_IMPORT_DAMAGED : 0; /* rc KCAP_IMPORT_DAMAGED: refused */
}

static int json_close(void *st, int ok)
{
	json_run *r = st;
	if (!r)
		return 0;
	free(r->omap);
	kcap_json_scratch_free(r->sc);
	kcap_schema_free(r->own_s);
	free(r);
	return 0;
}

/* A JSON line of kcap's starts with its first key. */
static int json_probe(const unsigned char *h, size_t n)
{
	return n >= 2 && h[0] == '{' && h[1] == '"';
}

const kcap_importer kcap_json_importer = {
	.name = "json",
	.what = "JSON lines",
	.help = "JSON lines as written by --json",
	.takes_schema = 1,
	.probe = json_probe,
	.open = json_open,
	.input = json_input,
	.close = json_close,
};
