/*
 * optional_lib.c - dlopen of the libraries only some commands use
 * (optional_lib.h).
 */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>
#include "optional_lib.h"

int cli_optional_lib_load(const cli_optional_lib *lib, char *why, size_t len)
{
	void *h = NULL;
	const char *tried = "";
	int rc = -1;
	for (const char *const *s = lib->sonames; *s && !h; s++) {
		h = dlopen(*s, RTLD_NOW | RTLD_LOCAL);
		tried = *s;
	}
	if (!h) {
		const char *e = dlerror();
		snprintf(why, len, "cannot load %s (%s): %s", lib->what, tried, e ? e : "not found");
		goto cleanup;
	}
	for (size_t i = 0; i < lib->nsyms; i++) {
		void *f = dlsym(h, lib->syms[i].name);
		if (!f) {
			snprintf(why, len, "%s (%s) has no %s: a version kcap was not built for", lib->what, tried,
				 lib->syms[i].name);
			for (size_t j = 0; j < i; j++) /* none filled, as the header says */
				memset(lib->syms[j].slot, 0, sizeof f);
			goto cleanup; /* h stays open: dlclose of a half-used library gains nothing */
		}
		memcpy(lib->syms[i].slot, &f, sizeof f); /* POSIX: a function's address as void * */
	}
	rc = 0;
cleanup:
	return rc;
}
