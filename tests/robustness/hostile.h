/*
 * hostile.h - captures that are well formed but lie (issue 11): indexes
 * whose entries or context lists disagree with their blocks, and the other
 * hostile files of tests/robustness/test_hostile.c. The fuzz seeds
 * (tests/fuzz/fuzz_reader_seeds.c) are made from the same generators.
 */
#ifndef KCAP_TESTS_HOSTILE_H
#define KCAP_TESTS_HOSTILE_H

#include <stddef.h>
#include <stdint.h>

#define HOSTILE_MAX_ENTRIES 1024
#define HOSTILE_MAX_META 8192

/* The index block of a capture's last section, decoded. */
typedef struct hostile_index {
	size_t nctx;
	uint64_t ctx[256];
	size_t n;
	struct {
		uint64_t off, size;
		size_t mlen;
		uint8_t meta[HOSTILE_MAX_META];
	} e[HOSTILE_MAX_ENTRIES];
} hostile_index;

/* The capture the index lies are told about: HOSTILE_BASE_EVENTS events in
 * small blocks, pid 42 in a few of them, a snapshot, one section (small
 * enough for a fuzz seed). */
#define HOSTILE_BASE_EVENTS 600
int hostile_index_base(uint8_t **buf, size_t *len);

/* Decodes the last section's index of the capture in buf. 0 or -1. */
int hostile_index_read(const uint8_t *buf, size_t len, hostile_index *ix);

/* The capture with its last section's index replaced by ix (stored, valid
 * CRCs) and the footer rewritten to match. malloc'd; NULL on failure. */
uint8_t *hostile_index_write(const uint8_t *buf, size_t len, const hostile_index *ix, size_t *out_len);

/* The capture in buf with one random lie told by its index, chosen by
 * *rng; what was done is written to what. malloc'd; NULL on failure. */
uint8_t *hostile_index_mutate(const uint8_t *buf, size_t len, uint64_t *rng, size_t *out_len, char *what,
			      size_t whatlen);

/* buf with block (blen bytes) inserted at off. malloc'd; NULL on failure. */
uint8_t *hostile_insert(const uint8_t *buf, size_t len, size_t off, const uint8_t *block, size_t blen,
			size_t *out_len);

/* A stored block of type whose body is body (n bytes) followed by junk
 * trailing bytes. malloc'd (testcap_frame_block). */
uint8_t *hostile_stored_block(uint16_t type, const void *body, size_t n, size_t junk, size_t *blen);

/* A process snapshot block of 0 processes followed by zeros bytes of zeros,
 * zstd-compressed (a 32 KB block for 1 GiB). malloc'd; NULL on failure. */
uint8_t *hostile_zeros_snapshot(uint64_t zeros, size_t *blen);

/* A schema block of ntypes types with ids 1..ntypes ("t1", ...), stored. */
uint8_t *hostile_big_schema(uint32_t ntypes, size_t *blen);

/* A named hostile capture of the catalogue, 0 <= i < hostile_count();
 * malloc'd, NULL on failure. */
typedef struct hostile_file {
	const char *name;
	uint8_t *buf;
	size_t len;
} hostile_file;
size_t hostile_count(void);
int hostile_make(size_t i, hostile_file *out);

/* Writes buf to path. 0 or -1. */
int hostile_save(const char *path, const uint8_t *buf, size_t len);

#endif
