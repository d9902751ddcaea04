/* bundle.c - evidence bundles written and read with libarchive (bundle.h). */
#ifndef KCAP_EXPERIMENTAL_API /* a build may define it already (the fuzz targets) */
#define KCAP_EXPERIMENTAL_API
#endif
#ifndef _WIN32
#include <archive.h>
#include <archive_entry.h>
#include "archive_dl.h"
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <kcap/kcap.h>
#include "common/json_parse.h"

#include "bundle.h"

static int fail(char *why, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *why, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, n, fmt, ap);
	va_end(ap);
	return -1;
}

static __attribute__((unused)) int has_suffix(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && !strcmp(s + a - b, suf);
}

const char *bundle_name_unsafe(const char *name)
{
	if (!*name)
		return "an empty name";
	if (name[0] == '/')
		return "an absolute path";
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		if (*p < 0x20 || *p == 0x7f || *p == '\\')
			return "a control byte or backslash in the name";
	const char *c = name;
	while (*c) {
		size_t k = strcspn(c, "/");
		if (k == 0)
			return "an empty path component";
		if ((k == 1 && c[0] == '.') || (k == 2 && c[0] == '.' && c[1] == '.'))
			return "a '.' or '..' component";
		c += k;
		if (*c == '/' && !*++c)
			return "a trailing '/'";
	}
	return NULL;
}

#ifndef _WIN32
int bundle_write(int fd, const char *out_name, const char *manifest, size_t mlen, const bundle_file *files,
		 size_t n, int64_t mtime, char *why, size_t whylen)
{
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();
	char *buf = malloc(1 << 16);
	int rc = 0, in = -1;
	if (!a || !e || !buf) {
		rc = fail(why, whylen, "%s", kcap_archive_dl_error() ? kcap_archive_dl_error() : "out of memory");
		goto cleanup;
	}
	archive_write_set_format_pax_restricted(a);
	if (has_suffix(out_name, ".zst") || has_suffix(out_name, ".tzst"))
		archive_write_add_filter_zstd(a);
	else if (has_suffix(out_name, ".gz") || has_suffix(out_name, ".tgz"))
		archive_write_add_filter_gzip(a);
	else if (has_suffix(out_name, ".xz"))
		archive_write_add_filter_xz(a);
	if (archive_write_open_fd(a, fd) != ARCHIVE_OK) {
		rc = fail(why, whylen, "%s", archive_error_string(a));
		goto cleanup;
	}
	for (size_t i = 0; i <= n && !rc; i++) {
		const char *name = i ? files[i - 1].name : BUNDLE_MANIFEST;
		int64_t size = (int64_t)mlen;
		if (i) {
			in = open(files[i - 1].path, O_RDONLY | O_CLOEXEC);
			off_t end = in < 0 ? -1 : lseek(in, 0, SEEK_END);
			if (end < 0 || lseek(in, 0, SEEK_SET) < 0) {
				rc = fail(why, whylen, "%s: %s", files[i - 1].path, strerror(errno));
				break;
			}
			size = end;
		}
		archive_entry_clear(e);
		archive_entry_set_pathname(e, name);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_entry_set_size(e, size);
		archive_entry_set_mtime(e, i ? files[i - 1].mtime : mtime, 0);
		if (archive_write_header(a, e) != ARCHIVE_OK) {
			rc = fail(why, whylen, "%s: %s", name, archive_error_string(a));
			break;
		}
		if (!i) {
			if (archive_write_data(a, manifest, mlen) != (la_ssize_t)mlen)
				rc = fail(why, whylen, "%s: %s", name, archive_error_string(a));
			continue;
		}
		int64_t left = size;
		while (left > 0 && !rc) {
			ssize_t k = read(in, buf, left < (1 << 16) ? (size_t)left : (1 << 16));
			if (k < 0 && errno == EINTR)
				continue;
			if (k <= 0)
				rc = fail(why, whylen, "%s: %s", files[i - 1].path, k ? strerror(errno) : "shorter than it was");
			else if (archive_write_data(a, buf, (size_t)k) != k)
				rc = fail(why, whylen, "%s", archive_error_string(a));
			else
				left -= k;
		}
		close(in);
		in = -1;
	}
	if (!rc && archive_write_close(a) != ARCHIVE_OK)
		rc = fail(why, whylen, "%s", archive_error_string(a));
cleanup:
	if (in >= 0)
		close(in);
	free(buf);
	archive_entry_free(e);
	if (a)
		archive_write_free(a);
	return rc;
}

static struct archive *open_read(const char *path)
{
	struct archive *a = archive_read_new();
	if (!a)
		return NULL;
	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_zip(a);
	archive_read_support_format_cpio(a);
	if (archive_read_open_filename(a, path, 1 << 16) != ARCHIVE_OK) {
		archive_read_free(a);
		return NULL;
	}
	return a;
}

/* The current member's bytes (at most max) into *buf; -1 when it is larger
 * or unreadable. */
static int read_member(struct archive *a, uint8_t **buf, size_t *cap, size_t *len, uint64_t max)
{
	*len = 0;
	for (;;) {
		if (*cap - *len < (1u << 16)) {
			size_t nc = *cap ? *cap * 2 : (1u << 20);
			uint8_t *n = realloc(*buf, nc);
			if (!n)
				return -1;
			*buf = n;
			*cap = nc;
		}
		la_ssize_t k = archive_read_data(a, *buf + *len, *cap - *len);
		if (k < 0)
			return -1;
		if (k == 0)
			return 0;
		*len += (size_t)k;
		if (*len > max)
			return -1;
	}
}

/* 1 if the file at path starts as a kcap capture does (intact or with its
 * first byte damaged, as archive_input.c's looks_kcap): no bundle, and no
 * need to open libarchive to say so (info probes every file it reads). */
static int starts_as_kcap(const char *path)
{
	unsigned char h[4];
	int fd = open(path, O_RDONLY | O_CLOEXEC), ok = 0;
	if (fd >= 0) {
		ok = pread(fd, h, sizeof h, 0) == (ssize_t)sizeof h && (h[0] == 0x89 || h[0] == 0x09) &&
		     !memcmp(h + 1, "KCP", 3);
		close(fd);
	}
	return ok;
}

int bundle_probe(const char *path, char **manifest, size_t *mlen)
{
	*manifest = NULL;
	if (starts_as_kcap(path))
		return 0;
	struct archive *a = open_read(path);
	struct archive_entry *e;
	if (!a)
		return 0;
	int rc = 0;
	uint8_t *buf = NULL;
	size_t cap = 0, len = 0;
	if (archive_read_next_header(a, &e) == ARCHIVE_OK && archive_entry_filetype(e) == AE_IFREG &&
	    archive_entry_pathname(e) && !strcmp(archive_entry_pathname(e), BUNDLE_MANIFEST) &&
	    archive_entry_size(e) < (1 << 26)) {
		if (read_member(a, &buf, &cap, &len, 1u << 26) == 0 && len + 1 <= cap) {
			buf[len] = 0;
			if (strstr((char *)buf, "\"kcap_bundle\"")) {
				*manifest = (char *)buf;
				*mlen = len;
				buf = NULL;
				rc = 1;
			}
		}
	}
	free(buf);
	archive_read_free(a);
	return rc;
}

int bundle_each_member(const char *path, bundle_member_fn fn, void *ud, char *why, size_t whylen)
{
	struct archive *a = open_read(path);
	struct archive_entry *e;
	if (!a && kcap_archive_dl_error())
		return fail(why, whylen, "%s: %s", path, kcap_archive_dl_error());
	if (!a)
		return fail(why, whylen, "%s: not a readable archive", path);
	uint8_t *buf = NULL;
	size_t cap = 0;
	int rc = 0, r;
	while (!rc && (r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		bundle_member m = {0};
		m.name = archive_entry_pathname(e) ? archive_entry_pathname(e) : "";
		m.regular = archive_entry_filetype(e) == AE_IFREG && !archive_entry_hardlink(e);
		if (m.regular) {
			size_t len = 0;
			if (read_member(a, &buf, &cap, &len, BUNDLE_MAX_MEMBER)) {
				rc = fail(why, whylen, "%s: %s: cannot be read whole (%s)", path, m.name,
					  archive_error_string(a) ? archive_error_string(a) : "too large or truncated");
				break;
			}
			m.data = buf;
			m.len = len;
			kcap_sha256 *h = kcap_sha256_new();
			if (!h) {
				rc = fail(why, whylen, "no SHA-256: %s", kcap_seal_unavailable_why() ? kcap_seal_unavailable_why() : "out of memory");
				break;
			}
			kcap_sha256_update(h, buf, len);
			kcap_sha256_final(h, m.sha256);
		}
		rc = fn(ud, &m);
	}
	if (!rc && r != ARCHIVE_EOF)
		rc = fail(why, whylen, "%s: %s", path, archive_error_string(a) ? archive_error_string(a) : "damaged archive");
	free(buf);
	archive_read_free(a);
	return rc;
}
#else /* _WIN32: no libarchive (docs/WINDOWS.md), so no bundles */
int bundle_write(int fd, const char *out_name, const char *manifest, size_t mlen, const bundle_file *files,
		 size_t n, int64_t mtime, char *why, size_t whylen)
{
	(void)fd, (void)out_name, (void)manifest, (void)mlen, (void)files, (void)n, (void)mtime;
	return fail(why, whylen, "bundles need libarchive, which the Windows build lacks");
}

int bundle_probe(const char *path, char **manifest, size_t *mlen)
{
	(void)path, (void)manifest, (void)mlen;
	return 0; /* never a bundle: archives are refused as inputs */
}

int bundle_each_member(const char *path, bundle_member_fn fn, void *ud, char *why, size_t whylen)
{
	(void)path, (void)fn, (void)ud;
	return fail(why, whylen, "bundles need libarchive, which the Windows build lacks");
}
#endif

/* ---- checking a bundle against its manifest ---- */

typedef struct mentry {
	char *name;
	uint64_t size;
	char sha[65];
	int seen;
} mentry;

typedef struct vctx {
	bundle_report *rep;
	mentry *e;
	size_t ne;
	const uint8_t *key;
	int first;
	int nomem;
} vctx;

const char *bundle_status_name(int status)
{
	static const char *n[] = {"ok", "missing", "extra", "changed", "damaged", "refused"};
	return status >= 0 && status <= BUNDLE_REFUSED ? n[status] : "?";
}

static void finding(vctx *v, const char *name, int status, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void finding(vctx *v, const char *name, int status, const char *fmt, ...)
{
	bundle_report *r = v->rep;
	bundle_finding *f = realloc(r->f, (r->n + 1) * sizeof *f);
	if (!f) {
		v->nomem = 1;
		return;
	}
	r->f = f;
	f += r->n;
	f->name = strdup(name);
	f->status = status;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(f->what, sizeof f->what, fmt, ap);
	va_end(ap);
	if (!f->name) {
		v->nomem = 1;
		return;
	}
	r->n++;
}

static void hex(const uint8_t *h, char out[65])
{
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", h[i]);
}

static int parse_manifest(vctx *v, const char *text, size_t len, char *why, size_t whylen)
{
	kcap_jp p = {0};
	kcap_error err = {0};
	int rc = kcap_jp_parse(&p, text, len, &err);
	if (rc) {
		kcap_jp_free(&p);
		return fail(why, whylen, "%s: column %d: %s", BUNDLE_MANIFEST, err.column, err.msg);
	}
	const kcap_jv *files = kcap_jp_member(&p, &p.v[0], "files", 5);
	if (!files || files->kind != KCAP_JV_ARR) {
		kcap_jp_free(&p);
		return fail(why, whylen, "%s: no \"files\" list", BUNDLE_MANIFEST);
	}
	v->e = calloc(files->n ? files->n : 1, sizeof *v->e);
	if (!v->e) {
		kcap_jp_free(&p);
		return fail(why, whylen, "out of memory");
	}
	const kcap_jv *f = files + 1;
	for (uint32_t i = 0; i < files->n; i++, f = kcap_jp_skip(&p, f)) {
		const kcap_jv *name = kcap_jp_member(&p, f, "name", 4), *size = kcap_jp_member(&p, f, "size", 4),
			      *sha = kcap_jp_member(&p, f, "sha256", 6);
		if (!name || name->kind != KCAP_JV_STR || !size || size->kind != KCAP_JV_INT || size->neg || !sha ||
		    sha->kind != KCAP_JV_STR || sha->n != 64) {
			kcap_jp_free(&p);
			return fail(why, whylen, "%s: file #%u lacks its name, size or sha256", BUNDLE_MANIFEST, i + 1);
		}
		mentry *m = &v->e[v->ne++];
		m->name = strdup(name->u.s);
		m->size = size->u.mag;
		memcpy(m->sha, sha->u.s, 64);
		if (!m->name) {
			kcap_jp_free(&p);
			return fail(why, whylen, "out of memory");
		}
	}
	kcap_jp_free(&p);
	return 0;
}

static int check_member(void *ud, const bundle_member *m)
{
	vctx *v = ud;
	int first = v->first;
	v->first = 0;
	if (first && m->regular && !strcmp(m->name, BUNDLE_MANIFEST))
		return 0;
	const char *unsafe = bundle_name_unsafe(m->name);
	if (unsafe) {
		finding(v, m->name, BUNDLE_REFUSED, "member name refused (%s): never used as a path", unsafe);
		return 0;
	}
	if (!m->regular) {
		finding(v, m->name, BUNDLE_REFUSED, "not a regular file (a link or special file): not followed");
		return 0;
	}
	mentry *e = NULL;
	for (size_t i = 0; i < v->ne && !e; i++)
		if (!v->e[i].seen && !strcmp(v->e[i].name, m->name))
			e = &v->e[i];
	if (!e) {
		finding(v, m->name, BUNDLE_EXTRA, "in the archive but not in the manifest");
		return 0;
	}
	e->seen = 1;
	char h[65];
	hex(m->sha256, h);
	if (m->len != e->size || memcmp(h, e->sha, 64)) {
		finding(v, m->name, BUNDLE_CHANGED, "%zu bytes, SHA-256 %s; the manifest says %llu bytes, %.64s", m->len, h,
			(unsigned long long)e->size, e->sha);
		return 0;
	}
	v->rep->members++;
	kcap_reader *r;
	kcap_error err = {0};
	if (kcap_reader_open_mem(&r, m->data, m->len, m->name, &err)) {
		finding(v, m->name, BUNDLE_DAMAGED, "not a readable capture: %s", err.msg);
		return 0;
	}
	kcap_verify_report vr;
	kcap_verify_opts vo = {.key = v->key};
	int rc = kcap_verify(r, &vo, &vr);
	if (rc < 0)
		finding(v, m->name, BUNDLE_DAMAGED, "reading stopped: %s", kcap_strerror(rc));
	else if (vr.nregions)
		finding(v, m->name, BUNDLE_DAMAGED, "%zu damaged regions, the first at offset %lld: %s", vr.nregions,
			(long long)vr.regions[0].offset, vr.regions[0].what);
	else if (vr.nseal_faults)
		finding(v, m->name, BUNDLE_DAMAGED, "the seal does not hold: %s", vr.seal_faults[0]);
	else if (v->key && (!vr.sealed || vr.seal_key_match != 1 || vr.unsealed_blocks || !vr.seal_final))
		finding(v, m->name, BUNDLE_DAMAGED, "not wholly covered by a seal of the key given");
	else
		finding(v, m->name, BUNDLE_OK, "matches the manifest; intact (%llu events)%s",
			(unsigned long long)vr.events, vr.sealed ? ", sealed" : "");
	kcap_verify_report_free(&vr);
	kcap_reader_close(r);
	return v->nomem ? -1 : 0;
}

int bundle_verify(const char *path, const uint8_t *key, bundle_report *rep, char *why, size_t whylen)
{
	memset(rep, 0, sizeof *rep);
	char *manifest;
	size_t mlen;
	if (bundle_probe(path, &manifest, &mlen) != 1)
		return 0;
	rep->manifest = manifest;
	rep->manifest_len = mlen;
	vctx v = {.rep = rep, .key = key, .first = 1};
	int rc = parse_manifest(&v, manifest, mlen, why, whylen);
	if (!rc)
		rc = bundle_each_member(path, check_member, &v, why, whylen);
	for (size_t i = 0; !rc && i < v.ne; i++)
		if (!v.e[i].seen)
			finding(&v, v.e[i].name, BUNDLE_MISSING, "in the manifest but not in the archive");
	for (size_t i = 0; i < v.ne; i++)
		free(v.e[i].name);
	free(v.e);
	if (v.nomem && !rc)
		rc = fail(why, whylen, "out of memory");
	return rc ? -1 : 1;
}

void bundle_report_free(bundle_report *rep)
{
	if (!rep)
		return;
	for (size_t i = 0; i < rep->n; i++)
		free(rep->f[i].name);
	free(rep->f);
	free(rep->manifest);
	memset(rep, 0, sizeof *rep);
}
