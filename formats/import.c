/* import.c - finding an importer and running it over its inputs, each read
 * through the one input layer (see importer.h). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/port.h"
#include "importer.h"
#include "input/archive_input.h"
#include "input/note.h"

const kcap_importer *kcap_importer_find(const char *name)
{
	for (size_t i = 0; name && kcap_importers[i]; i++)
		if (!strcmp(kcap_importers[i]->name, name))
			return kcap_importers[i];
	return NULL;
}

#define NOTE(c, ...) kcap_notef((c)->note, (c)->note_ud, __VA_ARGS__)

void kcap_import_lines_start(kcap_import_lines *l, const kcap_import_ctx *c, const kcap_importer *imp,
			     const char *name)
{
	*l = (kcap_import_lines){.c = c, .name = name, .what = imp->what, .from = imp->name};
}

/* Binary inputs a line importer may be handed, by their first bytes. */
static const struct {
	const char *magic;
	size_t len;
	const char *what;
} binary_heads[] = {
	{"\x89KCP", 4, "a kcap capture"},
	{"\x09KCP", 4, "a kcap capture"}, /* its first byte's high bit lost in transfer */
	{"\x1f\x8b", 2, "gzip-compressed data"},
	{"\x28\xb5\x2f\xfd", 4, "zstd-compressed data"},
};

int kcap_import_refuse(kcap_import_lines *l, uint64_t lineno, const char *line, size_t n)
{
	if (lineno != 1)
		return 0;
	for (size_t i = 0; i < sizeof binary_heads / sizeof binary_heads[0]; i++) {
		if (n < binary_heads[i].len || memcmp(line, binary_heads[i].magic, binary_heads[i].len))
			continue;
		int cap = !strcmp(binary_heads[i].what, "a kcap capture");
		kcap_notef(l->c->note, l->c->note_ud, "%s: this is %s, not %s; %s", l->name, binary_heads[i].what,
			   l->what, cap ? "read it without --from" : "decompress it first");
		return 1;
	}
	return 0;
}

void kcap_import_line_error(kcap_import_lines *l, const char *fmt, ...)
{
	if (l->errors++ >= KCAP_IMPORT_LINE_ERRORS)
		return;
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	kcap_notef(l->c->note, l->c->note_ud, "%s", msg);
}

void kcap_import_lines_end(kcap_import_lines *l)
{
	if (l->errors > KCAP_IMPORT_LINE_ERRORS)
		kcap_notef(l->c->note, l->c->note_ud, "%s: %llu more errors not shown (%llu in all)", l->name,
			   (unsigned long long)(l->errors - KCAP_IMPORT_LINE_ERRORS), (unsigned long long)l->errors);
}

void *kcap_import_state(const kcap_import_ctx *c, size_t size)
{
	void *st = calloc(1, size);
	if (!st)
		kcap_notef(c->note, c->note_ud, "out of memory");
	return st;
}

/* The input layer of the input being read on this thread (one_input), for
 * kcap_import_damage; NULL for a plain file. */
static _Thread_local arch_input *cur_ai;

void kcap_import_damage(const kcap_import_ctx *c, const char *name, uint64_t off, uint64_t skipped, const char *msg)
{
	char line[1024];
	if (cur_ai)
		arch_input_describe(cur_ai, (int64_t)off, skipped, msg, line, sizeof line);
	else
		snprintf(line, sizeof line, "%s: offset %llu: %s", name, (unsigned long long)off, msg);
	NOTE(c, "%s", line);
}

/* One input: opened through archive_input, read by the importer. */
static int one_input(const kcap_importer *imp, void *st, const kcap_import_ctx *c, const char *path)
{
	arch_input_opts ao = {
		.probe = imp->probe, .what = imp->what, .note = c->note, .note_ud = c->note_ud, .lines = imp->lines};
	arch_input *ai;
	int fd;
	if (arch_input_open(&ao, path, -1, &ai, &fd) < 0)
		return KCAP_E_NOMEM;
	if (fd < 0) {
		NOTE(c, "%s: %s", path ? path : "(stdin)", strerror(errno));
		return KCAP_IMPORT_FAILED;
	}
	cur_ai = ai;
	int rc = imp->input(st, fd, path);
	cur_ai = NULL;
	if (ai || path)
		close(fd); /* first: a pump blocked on the pipe ends */
	char why[1024];
	/* damaged compressed data: what came before it was read (status 3); an
	 * I/O error is a failure (status 1) */
	int stopped = ai ? arch_input_stopped(ai, why, sizeof why) : 0;
	if (stopped) {
		if (why[0]) /* else said with the importer's damage (kcap_import_damage) */
			NOTE(c, "%s", why);
		int worst = stopped == 2 ? KCAP_IMPORT_FAILED : KCAP_IMPORT_DAMAGED;
		if (rc >= 0 && rc < worst)
			rc = worst;
	}
	arch_input_close(ai);
	return rc;
}

/* The more severe of two results (see importer.h). */
static int worse(int a, int b) { return a < 0 ? a : b < 0 ? b : a > b ? a : b; }

int kcap_import_run(const kcap_importer *imp, const kcap_import_ctx *c, const char *const *paths, size_t n)
{
	const char *stdin_only[1] = {NULL};
	const char **in = calloc(n ? n : 1, sizeof *in);
	void *st = NULL;
	int ret, rc;
	if (!in) {
		NOTE(c, "out of memory");
		return KCAP_E_NOMEM;
	}
	if (!n)
		paths = stdin_only, n = 1;
	for (size_t i = 0; i < n; i++)
		in[i] = paths[i] && strcmp(paths[i], "-") ? paths[i] : NULL;
	if (imp->order)
		imp->order(in, n);
	ret = c->prepare ? c->prepare(c->prepare_ud, c->w) : 0;
	if (ret >= 0 && (ret = imp->open(&st, c)) >= 0) {
		for (size_t i = 0; i < n && ret >= 0; i++)
			ret = worse(ret, one_input(imp, st, c, in[i]));
		rc = imp->close(st, ret >= 0);
		ret = worse(ret, rc);
	}
	free(in);
	return ret;
}

struct kcap_import_pump {
	const kcap_importer *imp;
	kcap_import_ctx c;
	const char *const *paths;
	size_t n;
	kcap_writer_opts wo;
	int wfd, rc;
	pthread_t thread;
};

static void *pump_main(void *arg)
{
	kcap_import_pump *p = arg;
	arch_thread_block_sigpipe(); /* a closed reader is EPIPE here, not a signal */
	kcap_error e = {0};
	kcap_writer *w;
	if ((p->rc = kcap_writer_open_fd(&w, p->wfd, 1, &p->wo, &e)) < 0) {
		close(p->wfd);
		NOTE(&p->c, "%s", e.msg[0] ? e.msg : kcap_strerror(p->rc));
		return NULL;
	}
	p->c.w = w;
	p->rc = kcap_import_run(p->imp, &p->c, p->paths, p->n);
	int wrc = kcap_writer_close(w);
	if (wrc < 0 && p->rc >= 0) {
		NOTE(&p->c, "%s", kcap_strerror(wrc));
		p->rc = wrc;
	}
	return NULL;
}

int kcap_import_pump_start(kcap_import_pump **out, const kcap_importer *imp, const kcap_import_ctx *c,
			   const char *const *paths, size_t n, const kcap_writer_opts *wo, int *fd)
{
	int pp[2] = {-1, -1};
	kcap_import_pump *p = calloc(1, sizeof *p);
	*out = NULL;
	*fd = -1;
	if (!p || pipe2(pp, O_CLOEXEC))
		goto fail;
	*p = (kcap_import_pump){.imp = imp, .c = *c, .paths = paths, .n = n, .wo = *wo, .wfd = pp[1]};
	if (pthread_create(&p->thread, NULL, pump_main, p))
		goto fail;
	*out = p;
	*fd = pp[0];
	return 0;
fail:
	NOTE(c, "cannot start the import: %s", p ? strerror(errno) : "out of memory");
	if (pp[0] >= 0) {
		close(pp[0]);
		close(pp[1]);
	}
	free(p);
	return KCAP_E_NOMEM;
}

int kcap_import_pump_finish(kcap_import_pump *p)
{
	if (!p)
		return 0;
	pthread_join(p->thread, NULL);
	int rc = p->rc;
	free(p);
	return rc;
}
