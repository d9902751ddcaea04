/*
 * optional_lib.h - the libraries kcap loads only when a command needs them.
 *
 * libcurl (kcap export) and libmicrohttpd (kcap inspect) bring about thirty
 * shared objects with them (gnutls, krb5, ldap, ssh2, ...). Linked into the
 * binary they cost every kcap process, `kcap info` as much as `kcap export`,
 * about 12 ms of start-up in the dynamic loader (docs/PERFORMANCE.md,
 * "Start-up"). So the CLI is built against their headers but not linked to
 * them: the command that uses one opens it with dlopen(3) and takes the
 * functions it calls from one table, as systemd does for its optional
 * libraries. A library that cannot be opened is one error line naming it.
 *
 * Conventions: returns 0, or -1 with the reason in why (NUL-terminated).
 * Nothing here prints. A library once opened stays open for the process.
 */
#ifndef KCAP_TOOLS_OPTIONAL_LIB_H
#define KCAP_TOOLS_OPTIONAL_LIB_H

#include <stddef.h>

/* One function taken from the library: its name, and where its address goes
 * (the address of a function pointer of the right type). */
typedef struct cli_libsym {
	const char *name;
	void *slot;
} cli_libsym;

typedef struct cli_optional_lib {
	const char *what;              /* "libcurl", for messages */
	const char *const *sonames;    /* tried in order; NULL-terminated */
	const cli_libsym *syms;
	size_t nsyms;
} cli_optional_lib;

/* Opens the library and fills every slot of its table, or none. */
int cli_optional_lib_load(const cli_optional_lib *lib, char *why, size_t len);

#endif
