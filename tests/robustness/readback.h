/*
 * readback.h - reads a (possibly damaged) capture through every input kind
 * and records what the reader delivered and reported, for the truncation and
 * corruption suites.
 */
#ifndef KCAP_TESTS_READBACK_H
#define KCAP_TESTS_READBACK_H

#include <stddef.h>
#include <stdint.h>
#include <kcap/kcap.h>

enum { RB_MEM, RB_FD, RB_PIPE, RB_PATH, RB_NMODES };
extern const char *const rb_mode_name[RB_NMODES];

typedef struct rb_damage {
	int code;
	int64_t offset;
	uint64_t skipped;
	char msg[256];
} rb_damage;

#define RB_MAX_DAMAGE 32

typedef struct rb_result {
	int open_rc;          /* result of kcap_reader_open_* */
	kcap_error open_err;
	int end_rc;           /* last kcap_reader_next() result (0 = clean end) */
	kcap_error end_err;
	uint64_t *seqs;       /* seqs delivered, in order */
	size_t nseqs;
	size_t bad_content;   /* events whose content differs from testcap's */
	char first_bad[300];
	rb_damage dmg[RB_MAX_DAMAGE];
	size_t ndmg;          /* callbacks seen (may exceed RB_MAX_DAMAGE) */
	kcap_reader_stats st;
	int file_changed;     /* RB_PATH: the file's bytes changed while read */
} rb_result;

/* Reads buf[0, len) through mode; content of each event is checked against
 * testcap when check_content. seek_ts != INT64_MIN seeks first. */
void rb_read(const uint8_t *buf, size_t len, int mode, int check_content, int64_t seek_ts, rb_result *res);
void rb_free(rb_result *res);

/* Seqs of the events blocks among parts that lie wholly within [0, cut),
 * excluding part index skip (-1 for none). Returns a malloc'd array. */
struct testcap_part;
uint64_t *rb_expected(const struct testcap_part *parts, int nparts, size_t cut, int skip, size_t *n);

/* Events the damage reports say were recovered from blocks cut short (the
 * sum of their "N events recovered" counts); -1 if a report is unreadable. */
int64_t rb_recovered(const rb_result *res);

/* Formats the first difference between two seq lists ("" when equal). */
/* Peak resident memory of this process so far, in MiB. */
long rb_maxrss_mb(void);

/* Peak resident memory from here on: rb_peak_reset() starts it again at the
 * current RSS (/proc/self/clear_refs, so a forked test does not inherit its
 * parent's peak) and returns it, rb_peak_mb() reads it; both in MiB. Without
 * /proc they fall back to rb_maxrss_mb(). */
long rb_peak_reset(void);
long rb_peak_mb(void);

/* Heap bytes in use, after reading n concatenated copies of one[0, len)
 * from memory, more than before opening; *events and *sections (either may
 * be NULL) receive what the reader delivered and counted. */
size_t rb_in_use_after(const uint8_t *one, size_t len, int n, size_t *events, uint64_t *sections);

void rb_diff(const uint64_t *got, size_t ngot, const uint64_t *want, size_t nwant, char *out, size_t outlen);

#endif
