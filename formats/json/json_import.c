/* json_import.c - the JSON lines importer of the importer table
 * (importer.h): lines as `kcap convert --json` writes them, parsed by
 * json_in.c, into a capture writer. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kcap/filter.h>
#include <kcap/procstate.h>
#include "core/core.h"
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
	/* Without --schema, the process context is rebuilt from the "proc"
	 * objects: ps tracks the events written as a reader will, and where
	 * what it would render differs from the line's, a snapshot update
	 * (kcap_writer_add_snapshot_update) gives the line's process and parent
	 * from that event on. names[o]: the user and group names given so far. */
	kcap_procstate *ps;
	kcap_snapshot **names;
	size_t nnames;
	uint64_t written;  /* events written since the last flush for an update */
	uint64_t last_seq; /* for lines without "seq" */
	uint64_t numbered, ts_repaired, ts_differ, ts_from_time, unrebuilt;
} json_run;

#define NOTE(r, ...) kcap_notef((r)->c->note, (r)->c->note_ud, __VA_ARGS__)
#define UNMAPPED UINT16_MAX /* omap: no writer origin in this section yet */

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
	/* the origin's metadata, on its first event (as kcap writes it), in its
	 * order; the event's own "host" and "source" win (a user may edit them) */
	const char *k, *v;
	for (size_t n = 0; kcap_json_line_origin(r->sc, n, &k, &v); n++)
		kcap_meta_set(m, k, host && !strcmp(k, KCAP_META_HOSTNAME) ? host
				 : src && !strcmp(k, KCAP_META_SOURCE) ? src : v);
	if (host && !kcap_meta_get(m, KCAP_META_HOSTNAME))
		kcap_meta_set(m, KCAP_META_HOSTNAME, host);
	if (src && !kcap_meta_get(m, KCAP_META_SOURCE))
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
		kcap_json_set_taxonomy(r->sc, r->own_s != NULL);
		if (r->own_s)
			r->ps = kcap_procstate_new();
	}
	if (!r || !r->s || !r->sc || (r->own_s && !r->ps)) {
		if (c->note)
			c->note(c->note_ud, "out of memory");
		if (r) {
			kcap_schema_free(r->own_s);
			kcap_json_scratch_free(r->sc);
			kcap_procstate_free(r->ps);
		}
		free(r);
		return KCAP_E_NOMEM;
	}
	*st = r;
	return 0;
}

/* seq and ts as kcap wrote them: a missing seq follows the previous line's;
 * a ts that is the exact "time" rounded to a double (jq 1.6 does that to
 * integers above 2^53) takes the time's value. */
static void fix_seq_ts(json_run *r, kcap_event *ev)
{
	if (!kcap_json_line_has_seq(r->sc)) {
		ev->seq = r->last_seq + 1;
		r->numbered++;
	}
	r->last_seq = ev->seq;
	const char *t = kcap_json_line_time(r->sc);
	int64_t tns;
	kcap_error e = {0};
	if (!t || strlen(t) < 20 || t[10] != 'T' || kcap_parse_time(t, INT64_MIN, INT64_MIN, &tns, &e))
		return;
	if (!kcap_json_line_has_ts(r->sc)) {
		ev->ts = tns;
		r->ts_from_time++;
	} else if (ev->ts != tns) {
		if ((double)ev->ts == (double)tns) {
			ev->ts = tns;
			r->ts_repaired++;
		} else {
			r->ts_differ++;
		}
	}
}

/* The names origin o was given so far (a snapshot holding names only). */
static kcap_snapshot *names_of(json_run *r, uint16_t o)
{
	if (o >= r->nnames) {
		kcap_snapshot **n = realloc(r->names, ((size_t)o + 1) * sizeof *n);
		if (!n)
			return NULL;
		memset(n + r->nnames, 0, ((size_t)o + 1 - r->nnames) * sizeof *n);
		r->names = n;
		r->nnames = (size_t)o + 1;
	}
	if (!r->names[o])
		r->names[o] = kcap_snapshot_new();
	return r->names[o];
}

static int same_str(const char *a, const char *b) { return a == b || (a && b && !strcmp(a, b)); }

/* 1 when the tracker renders for ev what the line's "proc" object says
 * (compared by value: the line may have been reformatted, by jq say). */
static int proc_matches(json_run *r, const kcap_event *ev, const kcap_json_proc *jp)
{
	const kcap_procinfo *pi = kcap_procstate_get_origin(r->ps, ev->origin, ev->pid);
	if (!pi || pi->ppid != jp->p.ppid || pi->uid != jp->p.uid || pi->gid != jp->p.gid ||
	    !same_str(pi->comm, jp->p.comm) || !same_str(pi->exe, jp->p.exe) || !same_str(pi->cwd, jp->p.cwd))
		return 0;
	if (!pi->cmdline != !jp->p.cmdline ||
	    (pi->cmdline && (pi->cmdline_len != jp->p.cmdline_len || memcmp(pi->cmdline, jp->p.cmdline, pi->cmdline_len))))
		return 0;
	const kcap_procinfo *pp = pi->ppid >= 0 ? kcap_procstate_get_origin(r->ps, ev->origin, pi->ppid) : NULL;
	if (!pp != !jp->has_parent)
		return 0;
	return !pp || (pp->pid == jp->parent_pid && same_str(pp->comm, jp->parent_comm) && same_str(pp->exe, jp->parent_exe));
}

/* Rebuilds the process context of ev from the line: its "proc" object, and
 * its "user" and "group". Where the tracker of the events written so far
 * would render them otherwise, a snapshot update goes before ev (the events
 * block is cut there) with the line's process and parent as they are at ev,
 * and the names. Returns 0 or a negative error. */
static int rebuild_context(json_run *r, kcap_event *ev)
{
	kcap_json_proc jp;
	const char *user, *group;
	kcap_json_line_proc(r->sc, &jp);
	kcap_json_line_names(r->sc, &user, &group);
	kcap_snapshot *nm = (user || group) ? names_of(r, ev->origin) : NULL;
	if ((user || group) && !nm)
		return KCAP_E_NOMEM;
	int new_user = user && (!kcap_snapshot_name(nm, KCAP_NAMES_USER, ev->uid) ||
				strcmp(kcap_snapshot_name(nm, KCAP_NAMES_USER, ev->uid), user));
	int new_group = group && (!kcap_snapshot_name(nm, KCAP_NAMES_GROUP, ev->gid) ||
				  strcmp(kcap_snapshot_name(nm, KCAP_NAMES_GROUP, ev->gid), group));
	if (kcap_procstate_update(r->ps, ev, r->s))
		return KCAP_E_NOMEM;
	int fix_proc = jp.present && jp.p.pid == ev->pid && !proc_matches(r, ev, &jp);
	if (!fix_proc && !new_user && !new_group)
		return 0;
	kcap_snapshot *d = kcap_snapshot_new();
	int rc = d ? 0 : KCAP_E_NOMEM;
	if (!rc && new_user)
		rc = kcap_snapshot_set_name(d, KCAP_NAMES_USER, ev->uid, user) ||
		     kcap_snapshot_set_name(nm, KCAP_NAMES_USER, ev->uid, user);
	if (!rc && new_group)
		rc = kcap_snapshot_set_name(d, KCAP_NAMES_GROUP, ev->gid, group) ||
		     kcap_snapshot_set_name(nm, KCAP_NAMES_GROUP, ev->gid, group);
	if (!rc && fix_proc) {
		rc = kcap_snapshot_add(d, &jp.p);
		if (!rc && jp.has_parent && jp.parent_pid != jp.p.pid) {
			/* what the tracker knows of the parent, with the line's comm and exe */
			const kcap_procinfo *pi = kcap_procstate_get_origin(r->ps, ev->origin, jp.parent_pid);
			kcap_proc pp = {.pid = jp.parent_pid, .ppid = -1, .uid = UINT32_MAX, .gid = UINT32_MAX};
			if (pi) {
				pp.ppid = pi->ppid;
				pp.uid = pi->uid;
				pp.gid = pi->gid;
				pp.start_ts = pi->start_ts;
				pp.cwd = pi->cwd;
				pp.cmdline = pi->cmdline;
				pp.cmdline_len = pi->cmdline ? pi->cmdline_len : 0;
			}
			pp.comm = jp.parent_comm;
			pp.exe = jp.parent_exe;
			rc = kcap_snapshot_add(d, &pp);
		}
	}
	if (!rc && r->written) { /* the update applies from ev on, not before */
		rc = kcap_writer_flush(r->c->w);
		r->written = 0;
	}
	if (!rc)
		rc = kcap_writer_add_snapshot_update(r->c->w, ev->origin, d);
	/* the tracker as a reader's will be: the update, then ev. ev is applied
	 * again for what it did to others (a fork's child copies the process);
	 * not an exit, which would take its own pending exit for the previous
	 * event's and forget the process now */
	int lc = kcap_lifecycle_kind(ev->def->name);
	if (!rc && fix_proc && !(rc = kcap_procstate_load_origin_snapshot(r->ps, ev->origin, d)) &&
	    (lc == KCAP_LC_EXIT || lc == KCAP_LC_EXIT_GROUP || !(rc = kcap_procstate_update(r->ps, ev, r->s))) &&
	    !proc_matches(r, ev, &jp))
		r->unrebuilt++;
	kcap_snapshot_free(d);
	return rc < 0 ? rc : rc ? KCAP_E_NOMEM : 0;
}

/* A new section of the output: its origins are mapped again as their lines
 * come, the schema is set again, the processes and names start empty. */
static int new_section(json_run *r)
{
	kcap_writer *w = r->c->w;
	if (kcap_writer_new_section(w)) {
		NOTE(r, "%s: %s", r->name, kcap_writer_error(w)->msg);
		return KCAP_E_IO;
	}
	for (size_t i = 0; i < r->nomap; i++)
		r->omap[i] = UNMAPPED;
	r->gen = (uint64_t)-1;
	r->written = 0;
	kcap_procstate_clear(r->ps);
	for (size_t i = 0; i < r->nnames; i++) {
		kcap_snapshot_free(r->names[i]);
		r->names[i] = NULL;
	}
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
		if (!no) {
			NOTE(r, "out of memory");
			return KCAP_E_NOMEM;
		}
		r->omap = no;
		r->omap[r->nomap++] = UNMAPPED;
	}
	const char *ok, *ov;
	if (r->own_s && r->omap[ev.origin] != UNMAPPED && kcap_json_line_origin(r->sc, 0, &ok, &ov)) {
		/* an origin described again: kcap begins a section there (captures
		 * concatenated), where pids and origins start anew */
		int rc = new_section(r);
		if (rc)
			return rc;
	}
	if (r->omap[ev.origin] == UNMAPPED) {
		int id = map_origin(r, ev.origin);
		if (id < 0) {
			NOTE(r, "out of memory");
			return KCAP_E_NOMEM;
		}
		r->omap[ev.origin] = (uint16_t)id;
	}
	ev.origin = r->omap[ev.origin];
	fix_seq_ts(r, &ev);
	if (kcap_schema_generation(r->s) != r->gen) {
		r->gen = kcap_schema_generation(r->s);
		kcap_writer_set_schema(w, r->s);
	}
	if (r->ps) {
		int rc = rebuild_context(r, &ev);
		if (rc) {
			const kcap_error *we = kcap_writer_error(w);
			NOTE(r, "%s: line %llu: %s", r->name, (unsigned long long)lineno,
			     we->code ? we->msg : kcap_strerror(rc));
			return rc;
		}
		r->written++;
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

/* One note for n lines of the input (none for 0). */
static void lines_note(json_run *r, uint64_t n, const char *what)
{
	if (n)
		NOTE(r, "%s: %llu lines %s", r->name, (unsigned long long)n, what);
}

static int json_input(void *st, int fd, const char *path)
{
	json_run *r = st;
	kcap_error e = {0};
	r->name = path ? path : "(stdin)";
	r->damaged = 0;
	kcap_import_lines_start(&r->lines, r->c, &kcap_json_importer, r->name);
	r->numbered = r->ts_repaired = r->ts_differ = r->ts_from_time = r->unrebuilt = 0;
	int rc = kcap_read_lines(fd, 0, json_line, r, &e);
	kcap_import_lines_end(&r->lines);
	lines_note(r, r->numbered, "without \"seq\": numbered in order, after the line before");
	lines_note(r, r->ts_from_time, "without \"ts\": taken from \"time\"");
	lines_note(r, r->ts_repaired, "whose \"ts\" is \"time\" rounded to a double (as jq 1.6 writes large "
				      "integers): the exact \"time\" was used");
	lines_note(r, r->ts_differ, "whose \"ts\" and \"time\" disagree: \"ts\" was used");
	lines_note(r, r->unrebuilt, "whose \"proc\" object could not be rebuilt from the lines before");
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
	kcap_procstate_free(r->ps);
	for (size_t i = 0; i < r->nnames; i++)
		kcap_snapshot_free(r->names[i]);
	free(r->names);
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
	.lines = 1,
	.what = "JSON lines",
	.help = "JSON lines as written by --json",
	.takes_schema = 1,
	.probe = json_probe,
	.open = json_open,
	.input = json_input,
	.close = json_close,
};
