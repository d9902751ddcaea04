/*
 * testcap.h - deterministic sample captures for the container tests
 * (tests/unit, tests/robustness, tests/fuzz seeds), written with the public
 * writer API. Event n (seq n, 1-based) is fully determined by n, so a test
 * can rebuild the expected event for any seq the reader delivers.
 */
#ifndef KCAP_TESTS_TESTCAP_H
#define KCAP_TESTS_TESTCAP_H

#include <stddef.h>
#include <stdint.h>
#include <kcap/kcap.h>

/* 2026-11-21T10:00:00Z; event seq n is at TESTCAP_T0 + n * TESTCAP_STEP ns. */
#define TESTCAP_T0 1795255200000000000LL
#define TESTCAP_STEP 1000000LL

/* Type ids of the test schema. */
enum {
	TC_ALL = 1,     /* one param of every kcap_ptype, in type-code order */
	TC_OPEN = 2,    /* path, flags (symset 1), ret */
	TC_EXEC = 3,    /* argv (strlist), exe (path) */
	TC_BIG = 300,   /* id >= 256: sets types_overflow */
};
#define TC_SYMSET_OPEN 1
#define TC_SYMSET_ERRNO 2

/* pid 42 appears only for seqs in [TESTCAP_PID42_LO, TESTCAP_PID42_HI]. */
#define TESTCAP_PID42_LO 200
#define TESTCAP_PID42_HI 230

typedef struct testcap_opts {
	uint32_t nevents;     /* events per section (seqs continue across sections) */
	uint32_t block_size;  /* writer block size; 0 = default */
	uint32_t sections;    /* 0 or 1 = one section */
	int codec_none;       /* store events blocks raw */
	int no_close;         /* leave the writer unclosed: no index/footer (crash) */
	int with_snapshot;    /* add a process snapshot */
	int with_origin_snapshot; /* add origin 1's own snapshot (format 1.1) */
	int with_stats;       /* set loss counters */
	uint64_t first_seq;   /* seq of the first event; 0 = 1 */
} testcap_opts;

/* The schema every sample capture uses. Caller frees. */
kcap_schema *testcap_schema(void);

/* Storage for one built event (params point into it). */
typedef struct testcap_event {
	kcap_event ev;
	kcap_value vals[KCAP_MAX_PARAMS];
	char comm[16];
	char text[8][96];
	uint8_t bin[64];
} testcap_event;

/* Builds event seq (>= 1) into t. */
void testcap_make_event(testcap_event *t, uint64_t seq);

/* Compares a decoded event with the expected one for its seq (canonical
 * fields and every param). Returns 0 when equal, else writes why. */
int testcap_check_event(const kcap_event *got, char *why, size_t whylen);

/* Writes a sample capture to fd (the writer never seeks, so fd may be a
 * pipe). *bytes_before_close (may be NULL) receives the size written before
 * kcap_writer_close() added the last stats, index and footer blocks: a
 * capture cut there is what a crashed recorder leaves. Returns 0 or a
 * negative KCAP_E_* code. no_close is ignored here. */
int testcap_write_fd(int fd, const testcap_opts *o, uint64_t *bytes_before_close);

/* Builds a sample capture in memory (malloc'd; caller frees). With no_close
 * the result stops where a crashed writer would have stopped. */
int testcap_build(const testcap_opts *o, uint8_t **buf, size_t *len);

/* Reads a whole fd from offset 0 into a malloc'd buffer. */
int testcap_slurp_fd(int fd, uint8_t **buf, size_t *len);

/* Returns the read end of a pipe that a thread fills with buf[0, len) and
 * then closes (SIGPIPE is ignored, so closing the read end early is safe).
 * Call testcap_pipe_join() after closing the read end. */
int testcap_pipe_from_mem(const uint8_t *buf, size_t len);
void testcap_pipe_join(void);

/* Frames payload as one block with valid CRCs (FORMAT.md "Block framing"),
 * even when the payload itself is garbage. Returns a malloc'd block. */
uint8_t *testcap_frame_block(uint16_t type, uint16_t flags, const void *payload, size_t plen, size_t *blen);

/* One structure of a capture, found by walking the framing. */
typedef struct testcap_part {
	size_t off, len;
	int type;           /* KCAP_BLK_* or 0 for a section header */
	uint32_t count;     /* events blocks: event count */
	uint64_t first_seq, last_seq;
} testcap_part;

/* Walks an intact capture. Returns the number of parts (<= max), or -1 if
 * the framing is not intact. */
int testcap_walk(const uint8_t *buf, size_t len, testcap_part *parts, int max);

#endif
