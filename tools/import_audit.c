/* import_audit.c - `kcap convert --from audit`: audit.log files (plain or
 * compressed, rotated sets, stdin) into the capture writer of the caller. */
#include <archive.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/audit_import.h"
#include "cli.h"

int cli_import_audit(const char *cmd, char **inputs, int ninputs, kcap_writer *w, int *damaged);

#define MAX_LINE (64u << 20)  /* a longer "line" is not an audit log */
#define MAX_REPORTED 100      /* malformed lines printed one by one */

typedef struct input_ref {
	const char *path;
	size_t base_len; /* length of the name without ".N" and compression suffix */
	long rot;        /* N of a ".N" rotation suffix; 0 for the live file */
	int order;       /* first position of this base name in the arguments */
} input_ref;

static void split_rotation(input_ref *in)
{
	const char *p = in->path;
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

typedef struct import_run {
	const char *cmd;
	kcap_audit_import *imp;
	uint64_t reported;
	int failed; /* writer or memory error: stop */
} import_run;

static int feed_line(import_run *r, const char *name, uint64_t lineno, const char *line, size_t len)
{
	kcap_error pe;
	int rc = kcap_audit_import_line(r->imp, line, len, &pe);
	if (rc == KCAP_E_SYNTAX) {
		if (r->reported++ < MAX_REPORTED)
			cli_err(r->cmd, "%s:%llu:%d: malformed audit record: %s (kept as audit_unparsed)", name,
				(unsigned long long)lineno, pe.column, pe.msg);
		return 0;
	}
	if (rc < 0) {
		cli_err(r->cmd, "%s:%llu: %s", name, (unsigned long long)lineno, kcap_strerror(rc));
		return -1;
	}
	return 0;
}

/* Reads one input through libarchive (raw format: plain text or any
 * compression filter libarchive knows), line by line. */
static int read_input(import_run *r, const char *path)
{
	const char *name = strcmp(path, "-") == 0 ? "<stdin>" : path;
	int ret = KCAP_EXIT_OK;
	char *carry = NULL;
	size_t clen = 0, ccap = 0;
	uint64_t lineno = 0;
	struct archive *a = archive_read_new();
	if (!a) {
		cli_err(r->cmd, "out of memory");
		return KCAP_EXIT_ERROR;
	}
	archive_read_support_filter_all(a);
	archive_read_support_format_raw(a);
	archive_read_support_format_empty(a); /* an empty log is no error */
	int orc = strcmp(path, "-") == 0 ? archive_read_open_fd(a, STDIN_FILENO, 1 << 20)
					 : archive_read_open_filename(a, path, 1 << 20);
	struct archive_entry *ent;
	if (orc != ARCHIVE_OK || archive_read_next_header(a, &ent) != ARCHIVE_OK) {
		const char *es = archive_error_string(a);
		/* an empty file has no entry: nothing to import, not an error */
		if (orc == ARCHIVE_OK && !es)
			goto cleanup;
		cli_err(r->cmd, "%s: %s", name, es ? es : "cannot read");
		ret = KCAP_EXIT_ERROR;
		goto cleanup;
	}
	for (;;) {
		const void *blk;
		size_t n;
		la_int64_t off;
		int rc = archive_read_data_block(a, &blk, &n, &off);
		if (rc == ARCHIVE_EOF)
			break;
		if (rc < ARCHIVE_WARN) {
			const char *es = archive_error_string(a);
			cli_err(r->cmd, "%s: after line %llu: %s", name, (unsigned long long)lineno, es ? es : "read error");
			ret = KCAP_EXIT_ERROR;
			goto cleanup;
		}
		const char *p = blk, *end = p + n;
		while (p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			if (!nl) {
				size_t rest = (size_t)(end - p);
				if (clen + rest > MAX_LINE) {
					cli_err(r->cmd, "%s:%llu: line longer than %u bytes: not an audit log", name,
						(unsigned long long)lineno + 1, MAX_LINE);
					ret = KCAP_EXIT_ERROR;
					goto cleanup;
				}
				if (clen + rest > ccap) {
					size_t nc = ccap ? ccap : 4096;
					while (nc < clen + rest)
						nc *= 2;
					char *nb = realloc(carry, nc);
					if (!nb) {
						cli_err(r->cmd, "out of memory");
						ret = KCAP_EXIT_ERROR;
						goto cleanup;
					}
					carry = nb;
					ccap = nc;
				}
				memcpy(carry + clen, p, rest);
				clen += rest;
				break;
			}
			lineno++;
			int frc;
			if (clen) {
				size_t part = (size_t)(nl - p) + 1;
				if (clen + part > ccap) {
					char *nb = realloc(carry, clen + part);
					if (!nb) {
						cli_err(r->cmd, "out of memory");
						ret = KCAP_EXIT_ERROR;
						goto cleanup;
					}
					carry = nb;
					ccap = clen + part;
				}
				memcpy(carry + clen, p, part);
				frc = feed_line(r, name, lineno, carry, clen + part);
				clen = 0;
			} else {
				frc = feed_line(r, name, lineno, p, (size_t)(nl - p) + 1);
			}
			if (frc < 0) {
				r->failed = 1;
				ret = KCAP_EXIT_ERROR;
				goto cleanup;
			}
			p = nl + 1;
		}
	}
	if (clen && feed_line(r, name, ++lineno, carry, clen) < 0) {
		r->failed = 1;
		ret = KCAP_EXIT_ERROR;
	}
cleanup:
	free(carry);
	archive_read_free(a);
	return ret;
}

int cli_import_audit(const char *cmd, char **inputs, int ninputs, kcap_writer *w, int *damaged)
{
	static char dash[] = "-";
	char *stdin_only[1] = {dash};
	int ret = KCAP_EXIT_OK;
	import_run r = {.cmd = cmd};
	input_ref *ins = NULL;
	if (ninputs == 0) {
		inputs = stdin_only;
		ninputs = 1;
	}
	ins = calloc((size_t)ninputs, sizeof *ins);
	if (!ins) {
		cli_err(cmd, "out of memory");
		return KCAP_EXIT_ERROR;
	}
	for (int i = 0; i < ninputs; i++) {
		ins[i].path = inputs[i];
		split_rotation(&ins[i]);
		ins[i].order = i;
		for (int j = 0; j < i; j++)
			if (ins[j].base_len == ins[i].base_len &&
			    memcmp(ins[j].path, ins[i].path, ins[i].base_len) == 0) {
				ins[i].order = ins[j].order;
				break;
			}
	}
	qsort(ins, (size_t)ninputs, sizeof *ins, cmp_inputs);

	int rc = kcap_audit_import_new(&r.imp, w);
	if (rc < 0) {
		const kcap_error *we = kcap_writer_error(w);
		cli_err(cmd, "audit: cannot start the import: %s%s%s", kcap_strerror(rc), we && we->msg[0] ? ": " : "",
			we && we->msg[0] ? we->msg : "");
		ret = KCAP_EXIT_ERROR;
		goto cleanup;
	}
	for (int i = 0; i < ninputs && !r.failed; i++) {
		int irc = read_input(&r, ins[i].path);
		if (irc != KCAP_EXIT_OK && ret == KCAP_EXIT_OK)
			ret = irc;
	}
	if (!r.failed && (rc = kcap_audit_import_finish(r.imp)) < 0) {
		cli_err(cmd, "audit: %s", kcap_strerror(rc));
		ret = KCAP_EXIT_ERROR;
	}
	const kcap_audit_import_stats *st = kcap_audit_import_get_stats(r.imp);
	if (st->malformed) {
		*damaged = 1;
		cli_err(cmd, "audit: %llu malformed line(s) of %llu%s", (unsigned long long)st->malformed,
			(unsigned long long)st->lines, st->malformed > MAX_REPORTED ? " (first 100 shown)" : "");
	}
cleanup:
	kcap_audit_import_free(r.imp);
	free(ins);
	return ret;
}
