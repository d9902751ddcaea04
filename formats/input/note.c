/* note.c - see note.h. */
#include <stdarg.h>
#include <stdio.h>

#include "note.h"

void kcap_notef(kcap_note_fn fn, void *ud, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	if (!fn)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	fn(ud, line);
}
