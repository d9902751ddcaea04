/*
 * archive_dl.c - libarchive, opened the first time an input or a bundle
 * needs it (archive_dl.h).
 *
 * libarchive brings libxml2, ICU, libstdc++, nettle, acl and five
 * compression libraries with it: linked into kcap, their loading and
 * relocation cost every process 7.6 ms of its 10.9 ms of start-up
 * (`kcap --version`, docs/PERFORMANCE.md "Start-up"), though most inputs
 * (a .kcap, an .etl, a .scap, a .gz read by our own zlib and zstd
 * decoders) never reach libarchive. So kcap is compiled against its headers
 * and not linked to it; this file defines each libarchive function kcap
 * calls, under its own name and with the header's prototype (the compiler
 * checks that), as a call through a pointer that dlopen/dlsym fill, all of
 * them or none, at the first archive_read_new(), archive_write_new() or
 * archive_entry_new(). Those return NULL when libarchive cannot be opened
 * or lacks a function, and kcap_archive_dl_error() says why; every other
 * function takes a handle that only they make. The library is opened
 * RTLD_LOCAL and stays open for the process.
 */
#include "archive_dl.h"
#include <archive.h>
#include <archive_entry.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#ifndef KCAP_LIBARCHIVE_SONAME
#define KCAP_LIBARCHIVE_SONAME "libarchive.so.13"
#endif

/* Every libarchive function kcap calls but the makers below: X(return
 * type, name, (params), (arguments), what it returns when libarchive is not
 * there), V for those that return nothing. */
#define LA_FUNCS(X, V) \
	X(struct archive_entry *, archive_entry_clear, (struct archive_entry *e), (e), NULL) \
	X(__LA_MODE_T, archive_entry_filetype, (struct archive_entry *e), (e), 0) \
	V(void, archive_entry_free, (struct archive_entry *e), (e)) \
	X(const char *, archive_entry_hardlink, (struct archive_entry *e), (e), NULL) \
	X(const char *, archive_entry_pathname, (struct archive_entry *e), (e), NULL) \
	V(void, archive_entry_set_filetype, (struct archive_entry *e, unsigned int t), (e, t)) \
	V(void, archive_entry_set_mtime, (struct archive_entry *e, time_t t, long ns), (e, t, ns)) \
	V(void, archive_entry_set_pathname, (struct archive_entry *e, const char *p), (e, p)) \
	V(void, archive_entry_set_perm, (struct archive_entry *e, __LA_MODE_T m), (e, m)) \
	V(void, archive_entry_set_size, (struct archive_entry *e, la_int64_t n), (e, n)) \
	X(la_int64_t, archive_entry_size, (struct archive_entry *e), (e), ARCHIVE_FATAL) \
	X(const char *, archive_error_string, (struct archive *a), (a), NULL) \
	X(la_int64_t, archive_filter_bytes, (struct archive *a, int i), (a, i), ARCHIVE_FATAL) \
	X(int, archive_filter_count, (struct archive *a), (a), ARCHIVE_FATAL) \
	X(int, archive_format, (struct archive *a), (a), ARCHIVE_FATAL) \
	X(la_ssize_t, archive_read_data, (struct archive *a, void *b, size_t n), (a, b, n), ARCHIVE_FATAL) \
	X(int, archive_read_data_block, (struct archive *a, const void **b, size_t *n, la_int64_t *o), (a, b, n, o), ARCHIVE_FATAL) \
	X(int, archive_read_free, (struct archive *a), (a), ARCHIVE_FATAL) \
	X(int, archive_read_next_header, (struct archive *a, struct archive_entry **e), (a, e), ARCHIVE_FATAL) \
	X(int, archive_read_open1, (struct archive *a), (a), ARCHIVE_FATAL) \
	X(int, archive_read_open_filename, (struct archive *a, const char *p, size_t n), (a, p, n), ARCHIVE_FATAL) \
	X(int, archive_read_set_callback_data, (struct archive *a, void *d), (a, d), ARCHIVE_FATAL) \
	X(int, archive_read_set_read_callback, (struct archive *a, archive_read_callback *f), (a, f), ARCHIVE_FATAL) \
	X(int, archive_read_set_seek_callback, (struct archive *a, archive_seek_callback *f), (a, f), ARCHIVE_FATAL) \
	X(int, archive_read_set_skip_callback, (struct archive *a, archive_skip_callback *f), (a, f), ARCHIVE_FATAL) \
	X(int, archive_read_support_filter_all, (struct archive *a), (a), ARCHIVE_FATAL) \
	X(int, archive_read_support_filter_bzip2, (struct archive *a), (a), ARCHIVE_FATAL) \
	X(int, archive_read_support_filter_compress, (struct archive *a), (a), ARCHIVE_FATAL) \
	X(int, archive_read_support_filter_gzip, (struct archive *a), (a), ARCHIVE_FATAL) \
	X(int, archive_read_support_filter_lz4, (struct archive *a), (a), ARCHIVE_FATAL) \
	X(int, archive_read_support_filter_lzip, (struct archive *a), (a), ARCHIVE_FATAL) \
	X(int, archive_read_support_filter_lzma, (struct archive *a), (a), ARCHIVE_FATAL) \
	X(int, archive_read_support_filter_xz, (struct archive *a), (a), ARCHIVE_FATAL) \
	X(int, archive_read_support_filter_zstd, (struct archive *a), (a), ARCHIVE_FATAL) \
	X(int, archive_read_support_format_7zip, (struct archive *a), (a), ARCHIVE_FATAL) \
	X(int, archive_read_support_format_ar, (struct archive *a), (a), ARCHIVE_FATAL) \
	X(int, archive_read_support_format_cpio, (struct archive *a), (a), ARCHIVE_FATAL) \
	X(int, archive_read_support_format_empty, (struct archive *a), (a), ARCHIVE_FATAL) \
	X(int, archive_read_support_format_raw, (struct archive *a), (a), ARCHIVE_FATAL) \
	X(int, archive_read_support_format_tar, (struct archive *a), (a), ARCHIVE_FATAL) \
	X(int, archive_read_support_format_zip, (struct archive *a), (a), ARCHIVE_FATAL) \
	X(int, archive_write_add_filter_gzip, (struct archive *a), (a), ARCHIVE_FATAL) \
	X(int, archive_write_add_filter_xz, (struct archive *a), (a), ARCHIVE_FATAL) \
	X(int, archive_write_add_filter_zstd, (struct archive *a), (a), ARCHIVE_FATAL) \
	X(int, archive_write_close, (struct archive *a), (a), ARCHIVE_FATAL) \
	X(la_ssize_t, archive_write_data, (struct archive *a, const void *b, size_t n), (a, b, n), ARCHIVE_FATAL) \
	X(int, archive_write_free, (struct archive *a), (a), ARCHIVE_FATAL) \
	X(int, archive_write_header, (struct archive *a, struct archive_entry *e), (a, e), ARCHIVE_FATAL) \
	X(int, archive_write_open_fd, (struct archive *a, int fd), (a, fd), ARCHIVE_FATAL) \
	X(int, archive_write_set_format_pax_restricted, (struct archive *a), (a), ARCHIVE_FATAL)

/* The three that make a handle: they open the library first. */
#define LA_MAKERS(X) \
	X(struct archive *, archive_read_new) \
	X(struct archive *, archive_write_new) \
	X(struct archive_entry *, archive_entry_new)

static struct {
#define SLOT(ret, name, params, ...) ret(*name) params;
	LA_FUNCS(SLOT, SLOT)
#undef SLOT
#define SLOT(ret, name) ret (*name)(void);
	LA_MAKERS(SLOT)
#undef SLOT
} la;

static pthread_once_t la_once = PTHREAD_ONCE_INIT;
static int la_ok;
static char la_why[200];

static void la_load(void)
{
	void *h = dlopen(KCAP_LIBARCHIVE_SONAME, RTLD_LAZY | RTLD_LOCAL); /* its own imports bound when called, as when linked */
	if (!h) {
		const char *e = dlerror();
		snprintf(la_why, sizeof la_why, "%s cannot be opened: %s", KCAP_LIBARCHIVE_SONAME, e ? e : "?");
		return;
	}
	struct {
		const char *name;
		void **slot;
	} syms[] = {
#define ROW(ret, name, ...) {#name, (void **)&la.name},
		LA_FUNCS(ROW, ROW) LA_MAKERS(ROW)
#undef ROW
	};
	for (size_t i = 0; i < sizeof syms / sizeof *syms; i++) {
		if (!(*syms[i].slot = dlsym(h, syms[i].name))) {
			snprintf(la_why, sizeof la_why, "%s has no %s", KCAP_LIBARCHIVE_SONAME, syms[i].name);
			memset(&la, 0, sizeof la); /* all or none */
			return;
		}
	}
	la_ok = 1;
}

const char *kcap_archive_dl_error(void)
{
	pthread_once(&la_once, la_load);
	return la_ok ? NULL : la_why;
}

#define MAKER(ret, name) \
	ret name(void) \
	{ \
		pthread_once(&la_once, la_load); \
		return la_ok ? la.name() : NULL; \
	}
LA_MAKERS(MAKER)
#undef MAKER

/* The rest take a handle that only a maker gives, but a free function
 * also takes NULL (a cleanup after a maker failed): each checks. */
#define FORWARD(ret, name, params, args, fail) \
	ret name params \
	{ \
		pthread_once(&la_once, la_load); \
		return la_ok ? la.name args : fail; \
	}
#define FORWARD_VOID(ret, name, params, args) \
	ret name params \
	{ \
		pthread_once(&la_once, la_load); \
		if (la_ok) \
			la.name args; \
	}
LA_FUNCS(FORWARD, FORWARD_VOID)
#undef FORWARD
#undef FORWARD_VOID
