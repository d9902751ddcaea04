/* fuzz_scap.c - libFuzzer target for the scap importer (formats/scap): the
 * input is one .scap capture (a gzip'd one is inflated first, up to 8 MiB,
 * so the corpus's .scap.gz files seed it too); it is imported into a capture
 * written to /dev/null. Whatever the bytes, the import ends with 0 or
 * KCAP_IMPORT_DAMAGED/FAILED, never a crash, a leak or a read out of bounds. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#include "scap/scap_import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void no_note(void *ud, const char *line)
{
	(void)ud;
	(void)line;
}

static uint8_t *inflate_gz(const uint8_t *data, size_t size, size_t *out)
{
	size_t cap = size < (40u << 10) ? size * 200 + 4096 : 8u << 20;
	uint8_t *b = malloc(cap);
	z_stream z;
	memset(&z, 0, sizeof z);
	if (!b || inflateInit2(&z, 15 + 32) != Z_OK) {
		free(b);
		return NULL;
	}
	z.next_in = (Bytef *)data;
	z.avail_in = (uInt)size;
	z.next_out = b;
	z.avail_out = (uInt)cap;
	int rc = inflate(&z, Z_FINISH);
	*out = z.total_out;
	inflateEnd(&z);
	(void)rc; /* a damaged stream: what came out */
	return b;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *gz = NULL;
	if (size >= 2 && data[0] == 0x1f && data[1] == 0x8b && (gz = inflate_gz(data, size, &size)))
		data = gz;
	int fd = memfd_create("fuzz_scap", 0);
	int ofd = open("/dev/null", O_WRONLY);
	if (fd < 0 || ofd < 0)
		abort();
	for (size_t off = 0; off < size;) {
		ssize_t w = write(fd, data + off, size - off);
		if (w <= 0)
			abort();
		off += (size_t)w;
	}
	lseek(fd, 0, SEEK_SET);
	kcap_writer *w;
	kcap_error err;
	if (kcap_writer_open_fd(&w, ofd, 1, NULL, &err) != 0)
		abort();
	kcap_import_ctx c = {.w = w, .note = no_note};
	kcap_scap_import *r;
	if (kcap_scap_import_new(&r, &c) == 0) {
		int rc = kcap_scap_import_fd(r, fd, "fuzz");
		if (rc != 0 && rc != KCAP_IMPORT_DAMAGED && rc != KCAP_IMPORT_FAILED && rc != KCAP_E_NOMEM)
			abort();
		if (kcap_scap_import_finish(r) < 0)
			abort();
		kcap_scap_import_free(r);
	}
	kcap_writer_close(w);
	close(fd);
	free(gz);
	return 0;
}
