/* lines.c - lines of a text input (see lines.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lines.h"

#define READ_SIZE (1u << 20)

static int fail(kcap_error *err, int code, uint64_t line, const char *msg)
{
	if (err) {
		*err = (kcap_error){.code = code, .offset = -1, .line = (int64_t)line,
				    .sys_errno = code == KCAP_E_IO ? errno : 0};
		snprintf(err->msg, sizeof err->msg, "%s", msg);
	}
	return code;
}

static int too_long(kcap_error *err, uint64_t line, size_t max_line)
{
	char msg[96];
	snprintf(msg, sizeof msg, "line longer than %zu bytes", max_line);
	return fail(err, KCAP_E_SYNTAX, line, msg);
}

int kcap_read_lines(int fd, size_t max_line, kcap_line_fn fn, void *ud, kcap_error *err)
{
	size_t cap = READ_SIZE, len = 0; /* buf[0..len): the start of a line */
	uint64_t lineno = 0;
	int rc = 0;
	char *buf = malloc(cap);
	if (!buf)
		return fail(err, KCAP_E_NOMEM, 0, "out of memory");
	for (;;) {
		if (cap - len < READ_SIZE / 2) {
			/* a line longer than what is held: room for more of it */
			if (max_line && len > max_line) {
				rc = too_long(err, lineno + 1, max_line);
				goto cleanup;
			}
			char *nb = realloc(buf, cap * 2);
			if (!nb) {
				rc = fail(err, KCAP_E_NOMEM, lineno + 1, "out of memory");
				goto cleanup;
			}
			buf = nb;
			cap *= 2;
		}
		ssize_t n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = fail(err, KCAP_E_IO, lineno, strerror(errno));
			goto cleanup;
		}
		if (n == 0)
			break;
		size_t scan = len, start = 0, end = len + (size_t)n;
		const char *nl;
		while ((nl = memchr(buf + scan, '\n', end - scan))) {
			size_t at = (size_t)(nl - buf);
			if ((rc = fn(ud, ++lineno, buf + start, at - start)))
				goto cleanup;
			start = scan = at + 1;
		}
		len = end - start;
		memmove(buf, buf + start, len);
	}
	if (max_line && len > max_line)
		rc = too_long(err, lineno + 1, max_line);
	else if (len)
		rc = fn(ud, ++lineno, buf, len);
cleanup:
	free(buf);
	return rc;
}
