/* Output sink shared by cat, convert, filter, slice, merge and replay. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <kcap/procstate.h>
#include "sink.h"

struct sink {
	const char *cmd;
	sink_opts o;
	out_mode mode;
	kcap_writer *w;
	FILE *out;
	int own_out;
	kcap_buf buf;
	section_mirror mirror; /* for kcap output */
	int failed;
	/* process context for the JSON "proc" object */
	kcap_procstate *ps;
	const kcap_reader *ps_src;
	uint32_t ps_section;
};

int sink_open(sink **out, const char *cmd, const sink_opts *o)
{
	sink *s = calloc(1, sizeof *s);
	if (!s) {
		cli_err(cmd, "out of memory");
		return KCAP_EXIT_ERROR;
	}
	s->cmd = cmd;
	s->o = *o;
	int to_stdout = !o->path || !strcmp(o->path, "-");
	s->mode = o->mode;
	if (s->mode == OUT_AUTO)
		s->mode = to_stdout ? cli_resolve_out(OUT_AUTO) : OUT_KCAP;
	if (s->mode == OUT_KCAP) {
		kcap_error e = {0};
		int rc = to_stdout ? kcap_writer_open_fd(&s->w, STDOUT_FILENO, 0, &o->wopts, &e)
				   : kcap_writer_open_path(&s->w, o->path, &o->wopts, &e);
		if (rc) {
			cli_err(cmd, "%s: %s", to_stdout ? "(stdout)" : o->path, e.msg);
			free(s);
			return KCAP_EXIT_ERROR;
		}
		if (to_stdout && isatty(STDOUT_FILENO)) {
			/* unreachable with OUT_AUTO; with --kcap the user asked for it */
		}
	} else {
		if (to_stdout) {
			s->out = stdout;
		} else {
			s->out = fopen(o->path, "w");
			if (!s->out) {
				cli_err(cmd, "%s: cannot create: %s", o->path, strerror(errno));
				free(s);
				return KCAP_EXIT_ERROR;
			}
			s->own_out = 1;
		}
		if (s->mode == OUT_CSV)
			kcap_render_csv_header(&s->buf, o->fields);
	}
	*out = s;
	return KCAP_EXIT_OK;
}

out_mode sink_mode(const sink *s) { return s->mode; }
kcap_writer *sink_writer(sink *s) { return s ? s->w : NULL; }

static int werr(sink *s)
{
	const kcap_error *e = kcap_writer_error(s->w);
	cli_err(s->cmd, "%s: %s", s->o.path && strcmp(s->o.path, "-") ? s->o.path : "(stdout)",
		e && e->msg[0] ? e->msg : "write failed");
	s->failed = 1;
	return KCAP_EXIT_ERROR;
}

/* The snapshots of r's current section into w, whose origins are numbered
 * as r's: the one without an origin and each origin's own. */
int copy_snapshots(kcap_writer *w, const kcap_reader *r)
{
	int rc = 0;
	if (kcap_reader_snapshot(r))
		rc = kcap_writer_add_snapshot(w, kcap_reader_snapshot(r));
	for (size_t o = 0; o < kcap_reader_origin_snapshot_count(r) && !rc; o++) {
		const kcap_snapshot *sn = kcap_reader_origin_snapshot(r, (uint16_t)o);
		if (sn)
			rc = kcap_writer_add_origin_snapshot(w, (uint16_t)o, sn);
	}
	return rc;
}

int mirror_stale(const section_mirror *m, const kcap_reader *r)
{
	return m->src != r || m->section != kcap_reader_section(r) ||
	       m->gen != kcap_schema_generation(kcap_reader_schema(r)) || m->origins != kcap_reader_origin_count(r);
}

int mirror_section(section_mirror *m, kcap_writer *w, const kcap_reader *r)
{
	const kcap_schema *sc = kcap_reader_schema(r);
	uint32_t sec = kcap_reader_section(r);
	size_t norig = kcap_reader_origin_count(r);
	int new_src = m->src != r || m->section != sec;
	if (new_src) {
		if (m->any && kcap_writer_new_section(w))
			return MIRROR_E_WRITE;
		m->any = 1;
		m->src = r;
		m->section = sec;
		m->origins = 0;
		m->gen = (uint64_t)-1;
	}
	while (m->origins < norig) {
		const kcap_meta *md = kcap_reader_meta(r, (uint16_t)m->origins);
		kcap_meta *empty = NULL;
		if (!md)
			md = empty = kcap_meta_new();
		int rc = kcap_writer_add_meta(w, md);
		kcap_meta_free(empty);
		if (rc < 0)
			return MIRROR_E_WRITE;
		m->origins++;
	}
	uint64_t gen = kcap_schema_generation(sc);
	if (gen != m->gen) {
		if (kcap_writer_set_schema(w, sc))
			return MIRROR_E_WRITE;
		m->gen = gen;
		/* the snapshots too, so that a reader of the output has the same
		 * process context (proc.*, parent.*) as one of the input */
		if (new_src && copy_snapshots(w, r))
			return MIRROR_E_SNAPSHOT;
	}
	return 0;
}

/* Makes the writer's section describe r's current section. */
static int mirror(sink *s, kcap_reader *r)
{
	int rc = mirror_section(&s->mirror, s->w, r);
	if (rc == MIRROR_E_SNAPSHOT) {
		cli_err(s->cmd, "cannot copy the process snapshots: out of memory");
		s->failed = 1;
		return KCAP_EXIT_ERROR;
	}
	return rc ? werr(s) : 0;
}

int sink_event(sink *s, kcap_reader *r, const kcap_event *ev)
{
	if (s->mode == OUT_KCAP) {
		if (r && mirror_stale(&s->mirror, r)) {
			int rc = mirror(s, r);
			if (rc)
				return rc;
		}
		if (kcap_writer_write(s->w, ev))
			return werr(s);
		return 0;
	}
	const kcap_schema *sc = r ? kcap_reader_schema(r) : NULL;
	switch (s->mode) {
	case OUT_JSON:
		if (!s->o.json_extra && !s->o.no_proc && r) {
			if (!s->ps && !(s->ps = kcap_procstate_new())) {
				cli_err(s->cmd, "out of memory");
				return KCAP_EXIT_ERROR;
			}
			if (s->ps_src != r || s->ps_section != kcap_reader_section(r)) {
				kcap_procstate_load_reader(s->ps, r);
				s->ps_src = r;
				s->ps_section = kcap_reader_section(r);
			}
			kcap_procstate_update(s->ps, ev, sc);
			kcap_render_json_proc(&s->buf, ev, sc, s->ps);
			break;
		}
		kcap_render_json(&s->buf, ev, sc);
		if (s->o.json_extra && s->buf.len >= 2) {
			s->buf.len -= 2; /* reopen the object: drop "}\n" */
			s->o.json_extra(s->o.json_extra_ud, &s->buf, ev);
			kcap_buf_append(&s->buf, "}\n", 2);
		}
		break;
	case OUT_CSV:
		kcap_render_csv_style(&s->buf, ev, sc, s->o.fields, &s->o.times);
		break;
	default:
		kcap_render_text_style(&s->buf, ev, sc, &s->o.times);
	}
	if (s->buf.len >= (1u << 16)) {
		if (fwrite(s->buf.data, 1, s->buf.len, s->out) != s->buf.len) {
			s->failed = 1;
			return KCAP_EXIT_ERROR;
		}
		s->buf.len = 0;
	}
	return 0;
}

int sink_raw_block(sink *s, kcap_reader *r, const void *blk, size_t len, const kcap_block_summary *sum)
{
	int rc = mirror(s, r);
	if (rc)
		return rc;
	if (kcap_writer_copy_block(s->w, blk, len, sum))
		return werr(s);
	return 0;
}

void sink_input_done(sink *s, kcap_reader *r)
{
	if (s->ps_src == r)
		s->ps_src = NULL; /* the next reader may be allocated at the same address */
	if (!s->w)
		return;
	/* An input that gave no events still leaves its metadata and schema. */
	if (s->mirror.src != r && kcap_reader_get_stats(r)->sections > 0 && mirror(s, r))
		return;
	for (size_t i = 0; i < kcap_reader_stat_count(r); i++)
		kcap_writer_set_stat(s->w, kcap_reader_stat_at(r, i));
	s->mirror.src = NULL; /* the next reader may be allocated at the same address */
}

int sink_close(sink *s, int rc)
{
	if (!s)
		return rc;
	if (s->w) {
		int wrc = kcap_writer_close(s->w);
		if (wrc && !s->failed) {
			cli_err(s->cmd, "%s: %s", s->o.path && strcmp(s->o.path, "-") ? s->o.path : "(stdout)",
				kcap_strerror(wrc));
			s->failed = 1;
		}
	} else if (s->out) {
		if (s->buf.len && fwrite(s->buf.data, 1, s->buf.len, s->out) != s->buf.len)
			s->failed = 1;
		if (s->own_out && fclose(s->out))
			s->failed = 1;
	}
	kcap_buf_free(&s->buf);
	kcap_procstate_free(s->ps);
	int failed = s->failed, to_stdout = !s->own_out;
	const char *cmd = s->cmd;
	free(s);
	if (to_stdout)
		rc = cli_finish_stdout(cmd, rc);
	if (failed && !rc)
		rc = KCAP_EXIT_ERROR;
	return rc;
}
