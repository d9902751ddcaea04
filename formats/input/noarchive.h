/*
 * noarchive.h - what archive_input.c takes from libarchive, for a build
 * without it (the Windows build: Debian has no mingw libarchive). Every
 * input is one stream, as libarchive's "raw" format reads it: plain, or
 * decoded by archive_input.c's own gzip and zstd readers. An input that
 * starts like an archive or a compression only libarchive reads (tar, zip,
 * 7z, cpio, ar, xz, bzip2, lz4) is refused with one line that says so
 * (docs/WINDOWS.md), instead of being read as a damaged capture.
 */
#ifndef KCAP_FORMATS_NOARCHIVE_H
#define KCAP_FORMATS_NOARCHIVE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

typedef int64_t la_int64_t;
typedef ssize_t la_ssize_t;

#define ARCHIVE_EOF 1
#define ARCHIVE_OK 0
#define ARCHIVE_RETRY (-10)
#define ARCHIVE_WARN (-20)
#define ARCHIVE_FAILED (-25)
#define ARCHIVE_FATAL (-30)
#define ARCHIVE_FORMAT_RAW 0x90000
#define AE_IFREG 0100000

struct archive;
typedef la_ssize_t archive_read_callback(struct archive *, void *, const void **);
typedef la_int64_t archive_skip_callback(struct archive *, void *, la_int64_t);
typedef la_int64_t archive_seek_callback(struct archive *, void *, la_int64_t, int);

struct archive_entry {
	int unused;
};

struct archive {
	void *ud;
	archive_read_callback *read;
	const void *held; /* the first block, read to look at its bytes */
	size_t held_n;
	int header_given, eof;
	la_int64_t off;
	char err[160];
	struct archive_entry ent;
};

static inline struct archive *archive_read_new(void) { return calloc(1, sizeof(struct archive)); }
static inline int archive_read_free(struct archive *a) { free(a); return ARCHIVE_OK; }
#define archive_read_support_filter_gzip(a) ((void)(a))
#define archive_read_support_filter_zstd(a) ((void)(a))
#define archive_read_support_filter_xz(a) ((void)(a))
#define archive_read_support_filter_lzma(a) ((void)(a))
#define archive_read_support_filter_lzip(a) ((void)(a))
#define archive_read_support_filter_bzip2(a) ((void)(a))
#define archive_read_support_filter_lz4(a) ((void)(a))
#define archive_read_support_filter_compress(a) ((void)(a))
#define archive_read_support_format_tar(a) ((void)(a))
#define archive_read_support_format_cpio(a) ((void)(a))
#define archive_read_support_format_zip(a) ((void)(a))
#define archive_read_support_format_7zip(a) ((void)(a))
#define archive_read_support_format_ar(a) ((void)(a))
#define archive_read_support_format_raw(a) ((void)(a))
#define archive_read_support_format_empty(a) ((void)(a))
#define archive_read_set_skip_callback(a, f) ((void)(a), (void)(f))
#define archive_read_set_seek_callback(a, f) ((void)(a), (void)(f))
static inline void archive_read_set_callback_data(struct archive *a, void *ud) { a->ud = ud; }
static inline void archive_read_set_read_callback(struct archive *a, archive_read_callback *f) { a->read = f; }

/* What only libarchive reads, by its first bytes; NULL for none. */
static inline const char *noarchive_kind(const unsigned char *p, size_t n)
{
	if (n >= 262 && !memcmp(p + 257, "ustar", 5))
		return "a tar archive";
	if (n >= 4 && !memcmp(p, "PK\x03\x04", 4))
		return "a zip archive";
	if (n >= 6 && !memcmp(p, "7z\xbc\xaf\x27\x1c", 6))
		return "a 7z archive";
	if (n >= 6 && (!memcmp(p, "070707", 6) || !memcmp(p, "070701", 6) || !memcmp(p, "070702", 6)))
		return "a cpio archive";
	if (n >= 8 && !memcmp(p, "!<arch>\n", 8))
		return "an ar archive";
	if (n >= 6 && !memcmp(p, "\xfd" "7zXZ\0", 6))
		return "xz data";
	if (n >= 3 && !memcmp(p, "BZh", 3))
		return "bzip2 data";
	if (n >= 4 && !memcmp(p, "\x04\x22\x4d\x18", 4))
		return "lz4 data";
	return NULL;
}

static inline int archive_read_open1(struct archive *a)
{
	la_ssize_t n = a->read(a, a->ud, &a->held);
	a->held_n = n > 0 ? (size_t)n : 0;
	a->eof = n <= 0;
	const char *k = noarchive_kind(a->held, a->held_n);
	if (k) {
		snprintf(a->err, sizeof a->err, "%s, which this build does not read (no libarchive: see docs/WINDOWS.md)", k);
		return ARCHIVE_FATAL;
	}
	return ARCHIVE_OK;
}

static inline int archive_read_next_header(struct archive *a, struct archive_entry **e)
{
	*e = &a->ent;
	if (a->header_given)
		return ARCHIVE_EOF;
	a->header_given = 1;
	return ARCHIVE_OK;
}

static inline int archive_read_data_block(struct archive *a, const void **blk, size_t *n, la_int64_t *off)
{
	la_ssize_t k;
	if (a->held) {
		*blk = a->held;
		k = (la_ssize_t)a->held_n;
		a->held = NULL;
	} else if (a->eof) {
		k = 0;
	} else {
		k = a->read(a, a->ud, blk);
	}
	if (k <= 0) {
		a->eof = 1;
		*n = 0;
		*off = a->off;
		return ARCHIVE_EOF;
	}
	*n = (size_t)k;
	*off = a->off;
	a->off += k;
	return ARCHIVE_OK;
}

static inline int archive_format(struct archive *a) { (void)a; return ARCHIVE_FORMAT_RAW; }
static inline int archive_filter_count(struct archive *a) { (void)a; return 1; }
static inline la_int64_t archive_filter_bytes(struct archive *a, int i) { (void)i; return a->off; }
static inline const char *archive_error_string(struct archive *a) { return a->err[0] ? a->err : NULL; }
static inline int archive_entry_filetype(struct archive_entry *e) { (void)e; return AE_IFREG; }
static inline const char *archive_entry_pathname(struct archive_entry *e) { (void)e; return NULL; }

#endif
