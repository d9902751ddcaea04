/* Reads damaged captures through every input kind (see readback.h). */
#include "readback.h"

#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>
#include "testcap.h"

const char *const rb_mode_name[RB_NMODES] = {"mem", "fd", "pipe", "path"};

static void on_damage(void *ud, const kcap_error *e, uint64_t skipped)
{
	rb_result *r = ud;
	if (r->ndmg < RB_MAX_DAMAGE) {
		rb_damage *d = &r->dmg[r->ndmg];
		d->code = e->code;
		d->offset = e->offset;
		d->skipped = skipped;
		snprintf(d->msg, sizeof d->msg, "%s", e->msg);
	}
	r->ndmg++;
}

static uint64_t fnv(const uint8_t *p, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	while (n--)
		h = (h ^ *p++) * 1099511628211ull;
	return h;
}

void rb_read(const uint8_t *buf, size_t len, int mode, int check_content, int64_t seek_ts, rb_result *res)
{
	memset(res, 0, sizeof *res);
	kcap_reader *r = NULL;
	int fd = -1, piped = 0;
	char path[64] = "";
	if (mode == RB_MEM) {
		res->open_rc = kcap_reader_open_mem(&r, buf, len, "damaged.kcap", &res->open_err);
	} else if (mode == RB_PIPE) {
		fd = testcap_pipe_from_mem(buf, len);
		piped = 1;
		res->open_rc = kcap_reader_open_fd(&r, fd, 1, "damaged.kcap", &res->open_err);
		if (res->open_rc)
			close(fd);
	} else {
		if (mode == RB_PATH) {
			snprintf(path, sizeof path, "/tmp/kcap-robust-%d.kcap", (int)getpid());
			fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
		} else {
			fd = memfd_create("damaged", 0);
		}
		if (fd < 0 || write(fd, buf, len) != (ssize_t)len) {
			res->open_rc = KCAP_E_IO;
			snprintf(res->open_err.msg, sizeof res->open_err.msg, "test setup: cannot write input");
			if (fd >= 0)
				close(fd);
			return;
		}
		if (mode == RB_PATH) {
			close(fd);
			res->open_rc = kcap_reader_open_path(&r, path, &res->open_err);
		} else {
			lseek(fd, 0, SEEK_SET);
			res->open_rc = kcap_reader_open_fd(&r, fd, 1, "damaged.kcap", &res->open_err);
			if (res->open_rc)
				close(fd);
		}
	}
	if (!res->open_rc) {
		kcap_reader_set_damage_cb(r, on_damage, res);
		/* KCAP_TEST_THREADS=N: the same suite read ahead on N threads
		 * (robustness_*_threads): every expectation must still hold */
		const char *th = getenv("KCAP_TEST_THREADS");
		if (th && kcap_reader_set_threads(r, (unsigned)atoi(th)))
			res->open_rc = KCAP_E_NOMEM;
		size_t cap = 1024;
		res->seqs = malloc(cap * sizeof *res->seqs);
		if (seek_ts != INT64_MIN)
			res->end_rc = kcap_reader_seek_time(r, seek_ts);
		const kcap_event *ev;
		int rc = 0;
		while (!res->end_rc && (rc = kcap_reader_next(r, &ev)) == 1) {
			if (res->nseqs == cap)
				res->seqs = realloc(res->seqs, (cap *= 2) * sizeof *res->seqs);
			res->seqs[res->nseqs++] = ev->seq;
			char why[300];
			if (check_content && testcap_check_event(ev, why, sizeof why)) {
				if (!res->bad_content++)
					snprintf(res->first_bad, sizeof res->first_bad, "%s", why);
			}
		}
		if (!res->end_rc)
			res->end_rc = rc;
		res->end_err = *kcap_reader_error(r);
		res->st = *kcap_reader_get_stats(r);
	}
	kcap_reader_close(r);
	if (piped)
		testcap_pipe_join();
	if (path[0]) {
		int rfd = open(path, O_RDONLY);
		uint8_t *back = NULL;
		size_t blen = 0;
		if (rfd < 0 || testcap_slurp_fd(rfd, &back, &blen) || blen != len || fnv(back, blen) != fnv(buf, len))
			res->file_changed = 1;
		if (rfd >= 0)
			close(rfd);
		free(back);
		unlink(path);
	}
}

void rb_free(rb_result *res)
{
	free(res->seqs);
	res->seqs = NULL;
}

uint64_t *rb_expected(const testcap_part *parts, int nparts, size_t cut, int skip, size_t *n)
{
	size_t total = 0;
	for (int i = 0; i < nparts; i++)
		if (parts[i].type == 4 && parts[i].off + parts[i].len <= cut && i != skip)
			total += parts[i].count;
	uint64_t *s = malloc((total ? total : 1) * sizeof *s);
	size_t k = 0;
	for (int i = 0; i < nparts; i++)
		if (parts[i].type == 4 && parts[i].off + parts[i].len <= cut && i != skip)
			for (uint64_t q = parts[i].first_seq; q <= parts[i].last_seq; q++)
				s[k++] = q;
	*n = k;
	return s;
}

void rb_diff(const uint64_t *got, size_t ngot, const uint64_t *want, size_t nwant, char *out, size_t outlen)
{
	out[0] = 0;
	size_t i = 0;
	while (i < ngot && i < nwant && got[i] == want[i])
		i++;
	if (i == ngot && i == nwant)
		return;
	snprintf(out, outlen, "%zu events delivered, %zu expected; first difference at #%zu: got %lld, want %lld", ngot,
		 nwant, i, i < ngot ? (long long)got[i] : -1LL, i < nwant ? (long long)want[i] : -1LL);
}

int64_t rb_recovered(const rb_result *res)
{
	int64_t n = 0;
	for (size_t i = 0; i < res->ndmg && i < RB_MAX_DAMAGE; i++) {
		const char *m = strstr(res->dmg[i].msg, " events recovered");
		if (!m || (m - res->dmg[i].msg >= 2 && !strncmp(m - 2, "no", 2)))
			continue;
		const char *d = m;
		while (d > res->dmg[i].msg && d[-1] >= '0' && d[-1] <= '9')
			d--;
		if (d == m)
			return -1;
		n += strtoll(d, NULL, 10);
	}
	return n;
}

long rb_maxrss_mb(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss / 1024;
}

/* The field key (VmHWM, VmRSS, ...) of /proc/self/status, in MiB; -1 if
 * unreadable. */
static long status_mb(const char *key)
{
	FILE *f = fopen("/proc/self/status", "r");
	if (!f)
		return -1;
	char line[256];
	long kb = -1;
	size_t klen = strlen(key);
	while (fgets(line, sizeof line, f))
		if (!strncmp(line, key, klen) && line[klen] == ':') {
			kb = strtol(line + klen + 1, NULL, 10);
			break;
		}
	fclose(f);
	return kb < 0 ? -1 : kb / 1024;
}

long rb_peak_reset(void)
{
	FILE *f = fopen("/proc/self/clear_refs", "w");
	if (f) {
		fputs("5", f); /* 5: reset the peak RSS to the current RSS */
		fclose(f);
	}
	long now = status_mb("VmHWM");
	return now >= 0 ? now : rb_maxrss_mb();
}

long rb_peak_mb(void)
{
	long now = status_mb("VmHWM");
	return now >= 0 ? now : rb_maxrss_mb();
}

size_t rb_in_use_after(const uint8_t *one, size_t len, int n, size_t *events, uint64_t *sections)
{
	uint8_t *buf = malloc(len * (size_t)n);
	if (!buf)
		abort();
	for (int i = 0; i < n; i++)
		memcpy(buf + (size_t)i * len, one, len);
	struct mallinfo2 before = mallinfo2();
	kcap_reader *r;
	kcap_error err;
	size_t got = 0;
	uint64_t nsec = 0;
	struct mallinfo2 after = before;
	if (kcap_reader_open_mem(&r, buf, len * (size_t)n, "mem", &err) == 0) {
		const kcap_event *ev;
		while (kcap_reader_next(r, &ev) == 1)
			got++;
		nsec = kcap_reader_get_stats(r)->sections;
		after = mallinfo2();
		kcap_reader_close(r);
	}
	free(buf);
	if (events)
		*events = got;
	if (sections)
		*sections = nsec;
	return (after.uordblks + after.hblkhd) - (before.uordblks + before.hblkhd);
}
