/*
 * importer.h - the one interface of every foreign format that is read into
 * kcap events (formats/<name>/), and the table that lists them
 * (importers.c), through which `kcap convert --from NAME` finds them.
 *
 * An importer turns inputs into events written to a kcap_writer. It never
 * opens files itself: kcap_import_run() reads every input through the one
 * input layer (input/archive_input.h: plain, compressed or archived files,
 * stdin) and hands the importer a descriptor. Nothing here prints: lines
 * for the user go to the context's note callback.
 */
#ifndef KCAP_FORMATS_IMPORTER_H
#define KCAP_FORMATS_IMPORTER_H

#include <stddef.h>
#include <stdint.h>
#include <kcap/kcap.h>

/* A reference capture (--schema FILE), for importers with takes_schema:
 * its types (the importer may add to them) and its origins, which are the
 * writer's origins 0..norigins-1. */
typedef struct kcap_import_ref {
	kcap_schema *schema;
	kcap_meta **origins;
	size_t norigins;
} kcap_import_ref;

typedef struct kcap_import_ctx {
	kcap_writer *w;   /* where the events go (set by kcap_import_pump_start) */
	/* Called with w before the import starts, or NULL: what the writer
	 * must hold first, and ref filled (--schema). Returns 0 or a KCAP_E_*
	 * code (noted). */
	int (*prepare)(void *ud, kcap_writer *w);
	void *prepare_ud;
	const kcap_import_ref *ref; /* NULL, or filled by prepare */
	/* One line for the user (no newline, no command prefix); may be called
	 * from the thread of a kcap_import_pump. */
	void (*note)(void *ud, const char *line);
	void *note_ud;
} kcap_import_ctx;

/* What input(), close() and kcap_import_run() return besides 0 and negative
 * KCAP_E_* codes (an error that ends the import), in rising severity. */
enum {
	KCAP_IMPORT_DAMAGED = 1, /* parts were bad (noted) and skipped */
	KCAP_IMPORT_FAILED = 2,  /* an input could not be read (noted); the others were */
};

typedef struct kcap_importer {
	const char *name;  /* --from NAME */
	const char *what;  /* what it reads, as "not WHAT; skipped" names it */
	const char *help;  /* what it reads, for --help */
	int takes_schema;  /* reads --schema (kcap_import_ctx.schema) */
	/* 1: made of lines; where damaged compressed data ends an input, the
	 * line it cuts is not read (arch_input_opts.lines) */
	int lines;
	/* 1 when the first bytes of an archive member (4 to 8 of them) are
	 * this format: only such members of an archive are read. */
	int (*probe)(const unsigned char *head, size_t n);
	/* Sorts the input paths into reading order, or NULL (as given). */
	void (*order)(const char **paths, size_t n);
	/* Starts an import into c->w; returns 0 or a KCAP_E_* code (noted). */
	int (*open)(void **st, const kcap_import_ctx *c);
	/* Reads one input from fd (not closed) named path (NULL: stdin).
	 * Returns 0, KCAP_IMPORT_DAMAGED, KCAP_IMPORT_FAILED or a KCAP_E_* code
	 * that ends the import. Every error is noted. */
	int (*input)(void *st, int fd, const char *path);
	/* Finishes the import (flushes what it holds; ok 0: an error ended it,
	 * only free) and frees st; returns 0, KCAP_IMPORT_DAMAGED or a KCAP_E_*
	 * code (noted). */
	int (*close)(void *st, int ok);
} kcap_importer;

/* ---- what every line importer shares (import.c) ----
 * Per-line errors of an input are noted one by one up to
 * KCAP_IMPORT_LINE_ERRORS, then counted: kcap_import_lines_end() notes how
 * many more there were (docs/CLI.md, "Error caps"). */
#define KCAP_IMPORT_LINE_ERRORS 20

typedef struct kcap_import_lines {
	const kcap_import_ctx *c;
	const char *name;  /* the input, in notes */
	const char *what;  /* the importer's, "JSON lines" */
	const char *from;  /* the importer's name, "json" */
	uint64_t errors;   /* per-line errors of this input */
} kcap_import_lines;

/* Starts an input named name. */
void kcap_import_lines_start(kcap_import_lines *l, const kcap_import_ctx *c, const kcap_importer *imp,
			     const char *name);
/* On the first line: when the input starts with the magic of a kcap
 * capture or of compressed data (what the input layer did not decode), notes
 * "NAME: this is a kcap capture, not JSON lines; ..." and returns 1: the
 * caller stops reading this input (KCAP_IMPORT_DAMAGED). Else 0. */
int kcap_import_refuse(kcap_import_lines *l, uint64_t lineno, const char *line, size_t n);
/* One per-line error (the whole line, its input named): noted, or counted
 * past the cap. */
void kcap_import_line_error(kcap_import_lines *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* At the end of the input: notes "NAME: N more errors not shown" when
 * there were more than the cap. */
void kcap_import_lines_end(kcap_import_lines *l);

/* One damaged region of the input named name, from off (in the input as
 * the importer reads it, decompressed) over skipped bytes (0: unknown):
 * noted as "NAME: offset N: MSG". Where the region ends where the input
 * layer had to stop (compressed data cut or damaged), the line gives that
 * cause instead, named in the compressed file, and the input layer does not
 * say it again: one fault, one line. */
void kcap_import_damage(const kcap_import_ctx *c, const char *name, uint64_t off, uint64_t skipped,
			const char *msg);

/* The zeroed state of an import, of size bytes, for open(); NULL with "out
 * of memory" noted through c. */
void *kcap_import_state(const kcap_import_ctx *c, size_t size);

/* Every importer, NULL-terminated (importers.c). */
extern const kcap_importer *const kcap_importers[];

/* The importer named name, or NULL. */
const kcap_importer *kcap_importer_find(const char *name);

/* Imports paths[0..n) (none: stdin; "-": stdin) with imp. Returns the most
 * severe of what the inputs and close() returned, an input that cannot be
 * opened counting as KCAP_IMPORT_FAILED. */
int kcap_import_run(const kcap_importer *imp, const kcap_import_ctx *c, const char *const *paths, size_t n);

/* The same in a thread, writing a kcap stream (wo) into a pipe whose read
 * end is *fd (the caller's: read it as a capture, close it before
 * kcap_import_pump_finish), so that the events of any importer go where
 * those of a kcap input go. c and paths must outlive the pump. Returns 0 or
 * KCAP_E_NOMEM (noted). */
typedef struct kcap_import_pump kcap_import_pump;
int kcap_import_pump_start(kcap_import_pump **p, const kcap_importer *imp, const kcap_import_ctx *c,
			   const char *const *paths, size_t n, const kcap_writer_opts *wo, int *fd);
/* Waits for the import to end and frees p; returns what kcap_import_run
 * returned. */
int kcap_import_pump_finish(kcap_import_pump *p);

#endif
