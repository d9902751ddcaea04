/*
 * archive_input.h - inputs shipped compressed or in archives, read where
 * they lie: kcap captures for the kcap reader, and the inputs of every
 * importer (formats/importer.h).
 *
 * An input that does not start with the kcap magic (or what the caller's
 * probe accepts) is offered to a
 * decompressor and to libarchive: gzip and zstd are decoded here (so a
 * damaged stream still yields every byte before the damage), the other
 * compressions (xz, bzip2, lz4, lzip, lzma, compress) and the archive formats
 * (tar, cpio, zip, 7z, ar) by libarchive. The content of a single compressed
 * stream, or the regular members of an archive that are kcap captures, in
 * archive order, are pumped by a thread into a pipe that the kcap reader
 * reads like stdin: captures concatenate byte-wise, so members become the
 * sections of one stream. Members that are not captures are skipped with one
 * note. libkcap knows nothing of this, and nothing here prints: lines for
 * the user go to the caller's note callback.
 *
 * For a foreign format (opts.probe set) the members the probe accepts are
 * concatenated likewise, and where the pump has to stop nothing is written
 * into the stream: arch_input_stopped() says why after its end.
 */
#ifndef KCAP_FORMATS_ARCHIVE_INPUT_H
#define KCAP_FORMATS_ARCHIVE_INPUT_H

#include <stddef.h>
#include <stdint.h>

typedef struct arch_input arch_input;

typedef struct arch_input_opts {
	/* 1 when the first bytes of a member (4 to 8 of them) are what the
	 * caller reads; NULL: kcap captures, with their framing followed. */
	int (*probe)(const unsigned char *head, size_t n);
	const char *what;  /* what probe accepts, as "not WHAT; skipped" says it;
			      NULL: "a kcap capture" */
	/* One line (no newline) for the user; may be called from the pump's
	 * thread. NULL: the lines are dropped. */
	void (*note)(void *ud, const char *line);
	void *note_ud;
	/* Foreign content made of lines (JSON lines, audit logs): where the pump
	 * has to stop, the bytes after the last newline (a line the damage cut)
	 * are not passed on, and the offset arch_input_stopped() gives is where
	 * the last whole line ends. */
	int lines;
} arch_input_opts;

/* Opens path (NULL: stdin), or reads in_fd when it is >= 0 (then owned, and
 * path only names it), and looks at its first bytes without consuming them.
 * Returns
 *   0 with *fd >= 0: not compressed nor archived; read *fd (the opened file,
 *     in_fd, or stdin) as a capture, from where it is;
 *   0 with *fd < 0: could not be opened; the caller opens it as before and
 *     reports the error;
 *   1 with *ai and *fd: read the capture stream from *fd, the read end of a
 *     pipe the caller owns (close it before arch_input_close);
 *  -1 after one note (out of memory, no thread). */
int arch_input_open(const arch_input_opts *o, const char *path, int in_fd, arch_input **ai, int *fd);

/* "NAME: [MEMBER: ]offset N: MSG" for damage the reader reported at offset
 * of the pumped stream over skipped bytes, with offset N counted in the
 * decompressed member. Where the region covers a place where the pump had to
 * stop (damaged compressed data, unreadable member), MSG says why instead of
 * the reader's msg, and that failure counts as said (arch_input_stopped). */
void arch_input_describe(arch_input *ai, int64_t offset, uint64_t skipped, const char *msg, char *buf,
			 size_t len);

/* After the reader could not open the stream (nothing or no capture was
 * pumped): waits for the pump and describes why in buf. Returns 1 when the
 * cause is an I/O error, 0 otherwise. */
int arch_input_failure(arch_input *ai, char *buf, size_t len);

/* After the caller read the pumped stream to its end: waits for the pump
 * and, when it stopped short of the input's end, puts "NAME: [MEMBER: ]offset
 * N: why" in buf (N: the decompressed bytes of the member passed on before)
 * and returns 1 for damaged or unreadable data (a truncated download, a
 * flipped bit, an encrypted member) or 2 for an I/O error; else 0. A
 * failure arch_input_describe already gave is not given again: buf is then
 * empty, the return value the same. */
int arch_input_stopped(arch_input *ai, char *buf, size_t len);

/* Stops the pump, waits for it and frees everything. NULL is a no-op. */
void arch_input_close(arch_input *ai);

/* For a thread that writes into a pipe a reader may close: SIGPIPE blocked in
 * the calling thread, so a closed reader is EPIPE there, not a signal. */
void arch_thread_block_sigpipe(void);

#endif
