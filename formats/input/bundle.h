/*
 * bundle.h - evidence bundles (kcap bundle): a tar, compressed as its name
 * says, of captures and a manifest.json (docs/FORENSICS.md "Bundles").
 * libarchive writes and reads them. Nothing here prints, and nothing here
 * writes a file but the output it is given: member names are checked and
 * carried as data, never used as paths, and members that are not regular
 * files (symlinks, devices, directories) are reported, never followed.
 */
#ifndef KCAP_FORMATS_BUNDLE_H
#define KCAP_FORMATS_BUNDLE_H

#include <stddef.h>
#include <stdint.h>

#define BUNDLE_MANIFEST "manifest.json"
#define BUNDLE_MAX_MEMBER (1ull << 32) /* read into memory to be checked */

/* NULL when name may be a member's name: relative, no '..', '.' or empty
 * component, no backslash or control byte; else why not. */
const char *bundle_name_unsafe(const char *name);

typedef struct bundle_file {
	const char *path; /* on disk */
	const char *name; /* its member name (bundle_name_unsafe said NULL) */
	int64_t mtime;    /* the member's mtime: the file's own */
} bundle_file;

/* Writes the bundle into fd: manifest.json (mlen bytes, mtime mtime)
 * first, then each file, read from its path, as a regular member of mode
 * 0644. The compression follows out_name's suffix (.tar.zst, .tar.gz,
 * .tar.xz, .tar). Returns 0, or -1 with why. */
int bundle_write(int fd, const char *out_name, const char *manifest, size_t mlen, const bundle_file *files,
		 size_t n, int64_t mtime, char *why, size_t whylen);

/* One member as read: its name as stored (never used as a path), whether it
 * is a regular file, its bytes (regular members only, at most
 * BUNDLE_MAX_MEMBER; borrowed for the call) and their SHA-256. */
typedef struct bundle_member {
	const char *name;
	int regular;
	const uint8_t *data;
	size_t len;
	uint8_t sha256[32];
} bundle_member;
/* Returns 0 to go on, anything else to stop (returned). */
typedef int (*bundle_member_fn)(void *ud, const bundle_member *m);

/* 1 when path is a bundle: an archive whose first member is a
 * manifest.json that says "kcap_bundle"; *manifest (malloc'd, NUL
 * terminated) is then its text. 0 when it is not, -1 on a read error. */
int bundle_probe(const char *path, char **manifest, size_t *mlen);

/* Calls fn for every member of the archive at path, in order. Returns 0,
 * fn's stop value, or -1 with why (an unreadable archive). */
int bundle_each_member(const char *path, bundle_member_fn fn, void *ud, char *why, size_t whylen);

/* What bundle_verify found of one member (or manifest entry). */
enum {
	BUNDLE_OK = 0,      /* in the manifest, same size and SHA-256, the capture intact */
	BUNDLE_MISSING,     /* in the manifest, not in the archive */
	BUNDLE_EXTRA,       /* in the archive, not in the manifest */
	BUNDLE_CHANGED,     /* its size or SHA-256 is not the manifest's */
	BUNDLE_DAMAGED,     /* the same bytes, but the capture is damaged (kcap_verify) */
	BUNDLE_REFUSED,     /* an unsafe name or not a regular file: never used, never followed */
};
typedef struct bundle_finding {
	char *name;
	int status;
	char what[320];
} bundle_finding;
typedef struct bundle_report {
	bundle_finding *f;
	size_t n;
	size_t members;   /* captures checked */
	char *manifest;   /* its text */
	size_t manifest_len;
} bundle_report;
/* Checks the bundle at path against its manifest: every member named in it
 * is there with its size and SHA-256, no other member is, and each capture
 * passes kcap_verify (with key, its seals too). Returns 1 when path is a
 * bundle (rep filled), 0 when it is not one, -1 with why when it cannot be
 * read as one. */
int bundle_verify(const char *path, const uint8_t *key, bundle_report *rep, char *why, size_t whylen);
void bundle_report_free(bundle_report *rep);
/* The status as a word: ok, missing, extra, changed, damaged, refused. */
const char *bundle_status_name(int status);

#endif
