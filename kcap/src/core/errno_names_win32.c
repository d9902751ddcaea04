/* errno_names_win32.c - strerrorname_np for the Windows build (port.h):
 * the names of Linux's errno numbers, which are the captures' numbers, from
 * the taxonomy's errno set (the same names as glibc's below 256). */
#include <string.h>

#include <kcap/taxonomy.h>

#include "common/port.h"

const char *kcap_win_strerrorname_np(int e)
{
	for (size_t i = 0; kcap_taxonomy_symset_at(i); i++) {
		const kcap_symset *s = kcap_taxonomy_symset_at(i);
		if (strcmp(s->name, "errno"))
			continue;
		for (uint32_t j = 0; j < s->nsyms; j++)
			if (s->syms[j].value == (uint64_t)e)
				return s->syms[j].name;
		return NULL;
	}
	return NULL;
}
