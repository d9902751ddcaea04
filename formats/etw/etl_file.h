/*
 * etl_file.h - the .etl file reader: buffers (WMI_BUFFER_HEADER), XPRESS
 * inflation, the per-CPU buffers merged into time order, and every record
 * header kind laid out as a kcap_etw_record (etw_decode.h) for the one
 * decoder. `kcap convert --from etl` (etl_import.c) connects the two; the
 * live recorder's tests walk a file with their own record callback.
 *
 * The file is an image in memory (kcap_etl_walk) or read from a
 * descriptor a buffer at a time (kcap_etl_walk_fd); nothing is
 * allocated from a size the file claims beyond what it holds (a buffer
 * claiming 4 GiB, a compressed buffer that inflates past its stated size
 * and a record past its buffer are refused as damage).
 */
#ifndef KCAP_FORMATS_ETL_FILE_H
#define KCAP_FORMATS_ETL_FILE_H

#include <stddef.h>
#include <stdint.h>
#include <kcap/kcap.h>

#include "etw_decode.h"

#ifdef __cplusplus
extern "C" {
#endif

#define KCAP_ETL_BUFFER_HEADER 0x48u
/* Largest logical buffer accepted (ETW's own maximum is 16 MiB). */
#define KCAP_ETL_MAX_BUFFER (16u << 20)

/* What a walk calls. Every callback but record may be NULL; a negative
 * return ends the walk with that code. */
typedef struct kcap_etl_handler {
	/* The first logfile header (before any record), then once more for each
	 * further logfile header record of a merged file. */
	int (*session)(void *ud, const kcap_etw_session *s);
	/* Every record in time order (per-CPU buffers merged). rec and what it
	 * points to are valid during the call only. */
	int (*record)(void *ud, const kcap_etw_record *rec);
	/* A buffer flagged as having lost events (0x02) or a lost buffer (0x04). */
	int (*loss)(void *ud, uint32_t cpu, const char *source, uint64_t seen, uint64_t lost);
	/* One region stepped over: err->offset where it starts in the file,
	 * skipped its bytes (0 when not known), err->msg why. The walk goes on
	 * with the next intact buffer. */
	void (*damage)(void *ud, const kcap_error *err, uint64_t skipped);
} kcap_etl_handler;

typedef struct kcap_etl_stats {
	uint64_t buffers;        /* buffers read */
	uint64_t compressed;     /* of which XPRESS-compressed */
	uint64_t records;        /* records handed over */
	uint64_t by_kind[8];     /* records per KCAP_ETW_HDR_* */
	uint64_t damaged;        /* regions stepped over (damage callback calls) */
	uint64_t lost_buffers;   /* buffers flagged lost */
	uint64_t lost_event_buffers; /* buffers flagged as having lost events */
} kcap_etl_stats;

/* 1 when the first bytes of an input look like an .etl file (the header
 * buffer of a logfile header record). */
int kcap_etl_probe(const unsigned char *head, size_t n);

/* Walks the .etl image buf[0..len). Returns 0 (intact), 1 (damage stepped
 * over, reported through h->damage), KCAP_E_FORMAT (not an .etl file: no
 * logfile header; err filled), KCAP_E_NOMEM, or the callback's error. */
int kcap_etl_walk(const uint8_t *buf, size_t len, const kcap_etl_handler *h, void *ud, kcap_etl_stats *st,
                  kcap_error *err);

/* The same walk over the file that fd holds from offset base on, len bytes
 * long, read a buffer at a time with pread (fd must be seekable: a regular
 * file; etl_import.c copies a pipe into a temporary file first). Memory:
 * one buffer per CPU stream (inflated when compressed), a 1 MiB read window
 * for the buffer scan, and an index of 24 bytes per buffer; never the
 * file. With file_len, the walk stops where a second header buffer (a
 * buffer of type 4 opening with a logfile header) begins and sets
 * *file_len to the walked file's length (len when there is none): archives
 * and `cat a.etl b.etl` hand the importer such concatenations, and each
 * file is walked, and becomes an origin, of its own. A read error ends the
 * walk with KCAP_E_IO (err says why). */
int kcap_etl_walk_fd(int fd, uint64_t base, uint64_t len, const kcap_etl_handler *h, void *ud, kcap_etl_stats *st,
                     uint64_t *file_len, kcap_error *err);

/* How this build inflates compressed buffers: 1 with libfwnt, 2 with the
 * built-in MS-XCA decoder (xpress.h). */
int kcap_etl_have_xpress(void);

#ifdef __cplusplus
}
#endif
#endif
