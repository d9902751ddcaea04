/* audit_file.c - the audit importer of the importer table (importer.h):
 * audit.log files (plain or compressed, rotated sets, stdin) into a capture
 * writer, through the audit import of audit_import.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit_import.h"
#include "importer.h"
#include "input/lines.h"
#include "input/note.h"

extern const kcap_importer kcap_audit_importer;

#define MAX_LINE (64u << 20)  /* a longer "line" is not an audit log */

typedef struct input_ref {
	const char *path;
	size_t base_len; /* length of the name without ".N" and compression suffix */
	long rot;        /* N of a ".N" rotation suffix; 0 for the live file */
	int order;       /* first position of this base name in the arguments */
} input_ref;

static void split_rotation(input_ref *in)
{
	const char *p = in->path ? in->path : "-";
	size_t n = strlen(p);
	static const char *const zext[] = {".gz", ".bz2", ".xz", ".zst", ".lz4"};
	for (size_t i = 0; i < sizeof zext / sizeof zext[0]; i++) {
		size_t l = strlen(zext[i]);
		if (n > l && strcmp(p + n - l, zext[i]) == 0) {
			n -= l;
			break;
		}
	}
	size_t d = n;
	while (d > 0 && p[d - 1] >= '0' && p[d - 1] <= '9')
		d--;
	in->rot = 0;
	in->base_len = n;
	if (d < n && d > 0 && p[d - 1] == '.' && n - d < 9) {
		in->rot = strtol(p + d, NULL, 10);
		in->base_len = d - 1;
	}
}

static int cmp_inputs(const void *a, const void *b)
{
	const input_ref *x = a, *y = b;
	if (x->order != y->order)
		return x->order - y->order;
	if (x->rot != y->rot) /* audit.log.4 is older than audit.log.1 */
		return x->rot > y->rot ? -1 : 1;
	return 0;
}

/* Rotated sets are read oldest first: audit.log.2, audit.log.1, audit.log,
 * each set where its first member was named. */
static void audit_order(const char **paths, size_t n)
{
	input_ref *ins = calloc(n ? n : 1, sizeof *ins);
	if (!ins)
		return; /* as given */
	for (size_t i = 0; i < n; i++) {
		ins[i].path = paths[i];
		split_rotation(&ins[i]);
		ins[i].order = (int)i;
		for (size_t j = 0; j < i; j++)
			if (ins[j].base_len == ins[i].base_len &&
			    memcmp(ins[j].path ? ins[j].path : "-", ins[i].path ? ins[i].path : "-", ins[i].base_len) == 0) {
				ins[i].order = ins[j].order;
				break;
			}
	}
	qsort(ins, n, sizeof *ins, cmp_inputs);
	for (size_t i = 0; i < n; i++)
		paths[i] = ins[i].path;
	free(ins);
}

/* The reorder window: audit.log holds events in the order they completed,
 * and logs joined together (the corpus's rhel7.log, logs concatenated out of
 * order) jump back in time by months. The window is counted in events and
 * bytes, not in log time: the newest events are held, up to REORDER_MAX_HELD
 * of them and REORDER_MAX_BYTES of their copies, and the oldest is written
 * when one more would pass either bound. So a log of up to that many events
 * comes out in time order whatever its jumps, and a longer one wherever no
 * event is later than the window. Events are numbered in the order written;
 * one later than the window is written as it came, out of order. */
#define REORDER_MAX_HELD 65536
#define REORDER_MAX_BYTES (32u << 20)

typedef struct audit_run {
	const kcap_import_ctx *c;
	kcap_audit_import *imp;
	const char *name;
	kcap_reorder *q;
	kcap_reorder_out out; /* out.unordered: of the disordered, written out of order all the same */
	uint64_t disordered;  /* events that came after a newer one */
	kcap_import_lines lines; /* malformed lines noted, capped */
} audit_run;

#define NOTE(r, ...) kcap_notef((r)->c->note, (r)->c->note_ud, __VA_ARGS__)

static int sink_schema(void *ud, const kcap_schema *s)
{
	return kcap_writer_set_schema(((audit_run *)ud)->c->w, s);
}

static int sink_origin(void *ud, const kcap_meta *m)
{
	return kcap_writer_add_meta(((audit_run *)ud)->c->w, m);
}

static int sink_event(void *ud, const kcap_event *ev)
{
	audit_run *r = ud;
	if (ev->ts < kcap_reorder_max_ts(r->q))
		r->disordered++;
	int rc = kcap_reorder_push(r->q, ev);
	if (rc < 0)
		return rc;
	rc = kcap_reorder_drain(r->q, INT64_MIN, REORDER_MAX_HELD, &r->out);
	while (rc >= 0 && kcap_reorder_bytes(r->q) > REORDER_MAX_BYTES && kcap_reorder_count(r->q) > 1)
		rc = kcap_reorder_drain(r->q, INT64_MIN, kcap_reorder_count(r->q) - 1, &r->out);
	return rc < 0 ? rc : 0;
}

static int sink_stat(void *ud, const kcap_stat *st)
{
	audit_run *r = ud;
	int rc = kcap_reorder_drain(r->q, INT64_MAX, 0, &r->out); /* stats come at finish, after the last event */
	return rc < 0 ? rc : kcap_writer_set_stat(r->c->w, st);
}

static int audit_open(void **st, const kcap_import_ctx *c)
{
	audit_run *r = kcap_import_state(c, sizeof *r);
	if (!r)
		return KCAP_E_NOMEM;
	static const kcap_audit_sink sink = {
		.set_schema = sink_schema, .add_origin = sink_origin, .event = sink_event, .set_stat = sink_stat,
	};
	r->c = c;
	r->out.w = c->w;
	int rc = kcap_reorder_new(&r->q, 0);
	if (rc == 0)
		rc = kcap_audit_import_new_sink(&r->imp, &sink, r, NULL);
	if (rc < 0) {
		const kcap_error *we = kcap_writer_error(c->w);
		NOTE(r, "audit: cannot start the import: %s%s%s", kcap_strerror(rc), we && we->msg[0] ? ": " : "",
		     we && we->msg[0] ? we->msg : "");
		kcap_reorder_free(r->q);
		free(r);
		return rc;
	}
	*st = r;
	return 0;
}

static int feed_line(void *ud, uint64_t lineno, const char *line, size_t len)
{
	audit_run *r = ud;
	kcap_error pe;
	if (kcap_import_refuse(&r->lines, lineno, line, len))
		return KCAP_IMPORT_DAMAGED; /* stops this input */
	int rc = kcap_audit_import_line(r->imp, line, len, &pe);
	if (rc == KCAP_E_SYNTAX) {
		kcap_import_line_error(&r->lines, "%s:%llu:%d: malformed audit record: %s (kept as audit_unparsed)",
				       r->name, (unsigned long long)lineno, pe.column, pe.msg);
		return 0;
	}
	if (rc < 0) {
		NOTE(r, "%s:%llu: %s", r->name, (unsigned long long)lineno, kcap_strerror(rc));
		return rc;
	}
	return 0;
}

static int audit_input(void *st, int fd, const char *path)
{
	audit_run *r = st;
	kcap_error e = {0};
	r->name = path ? path : "<stdin>";
	kcap_import_lines_start(&r->lines, r->c, &kcap_audit_importer, r->name);
	int rc = kcap_read_lines(fd, MAX_LINE, feed_line, r, &e);
	kcap_import_lines_end(&r->lines);
	if (rc == KCAP_IMPORT_DAMAGED)
		return rc; /* refused: not text */
	if (rc == KCAP_E_SYNTAX) {
		NOTE(r, "%s:%llu: %s: not an audit log", r->name, (unsigned long long)e.line, e.msg);
		return KCAP_IMPORT_FAILED;
	}
	if (rc == KCAP_E_IO) {
		NOTE(r, "%s: after line %llu: %s", r->name, (unsigned long long)e.line, e.msg);
		return KCAP_IMPORT_FAILED;
	}
	if (rc == KCAP_E_NOMEM && e.code)
		NOTE(r, "out of memory");
	return rc < 0 ? rc : 0;
}

static int audit_close(void *st, int ok)
{
	audit_run *r = st;
	if (!r)
		return 0;
	int rc = 0, frc;
	if (ok && ((frc = kcap_audit_import_finish(r->imp)) < 0 || (frc = kcap_reorder_drain(r->q, INT64_MAX, 0, &r->out)) < 0)) {
		NOTE(r, "audit: %s", kcap_strerror(frc));
		rc = frc;
	}
	const kcap_audit_import_stats *s = kcap_audit_import_get_stats(r->imp);
	if (ok && r->disordered) {
		if (r->out.unordered)
			NOTE(r, "audit: %llu event(s) came after newer ones; %llu of them came later than the reorder window "
			     "(the last %d events or %u MiB of them) and were written as logged (the capture is not in time order)",
			     (unsigned long long)r->disordered, (unsigned long long)r->out.unordered, REORDER_MAX_HELD,
			     REORDER_MAX_BYTES >> 20);
		else
			NOTE(r, "audit: %llu event(s) came after newer ones, put in time order", (unsigned long long)r->disordered);
	}
	if (s->malformed) {
		NOTE(r, "audit: %llu malformed line(s) of %llu", (unsigned long long)s->malformed,
		     (unsigned long long)s->lines);
		if (!rc)
			rc = KCAP_IMPORT_DAMAGED;
	}
	kcap_audit_import_free(r->imp);
	kcap_reorder_free(r->q);
	free(r);
	return rc;
}

/* The first line of an audit log starts with "type=" or "node=". */
static int audit_probe(const unsigned char *h, size_t n)
{
	return n >= 4 && (!memcmp(h, "type", 4) || !memcmp(h, "node", 4));
}

const kcap_importer kcap_audit_importer = {
	.name = "audit",
	.lines = 1,
	.what = "an audit log",
	.help = "audit.log files, rotated sets, .gz",
	.probe = audit_probe,
	.order = audit_order,
	.open = audit_open,
	.input = audit_input,
	.close = audit_close,
};
