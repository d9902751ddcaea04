/*
 * lines.h - the lines of a text input, for importers of line formats (JSON
 * lines, audit.log) reading what archive_input.h hands them.
 */
#ifndef KCAP_FORMATS_LINES_H
#define KCAP_FORMATS_LINES_H

#include <stddef.h>
#include <stdint.h>
#include <kcap/kcap.h>

/* Called for every line, empty ones too, numbered from 1, without its
 * newline (a last line without one is passed when it is not empty). A
 * nonzero return stops the reading and is returned. */
typedef int (*kcap_line_fn)(void *ud, uint64_t lineno, const char *line, size_t len);

/* Reads fd (not closed) to its end. max_line > 0 bounds a line: a longer
 * one is KCAP_E_SYNTAX. Returns 0, fn's nonzero return, or a negative
 * KCAP_E_* code with err filled (err->line: the line it concerns). */
int kcap_read_lines(int fd, size_t max_line, kcap_line_fn fn, void *ud, kcap_error *err);

#endif
