/*
 * Capture reader: the read-ahead pool (kcap_reader_set_threads). While the
 * caller reads the events of one block, worker threads read the next events
 * blocks of the file by their offsets, check their CRC and decompress them.
 * The block walk itself stays on the caller's thread and is the one of a
 * sequential read: it meets every structure in file order, reports damage,
 * asks the block filter about each block in turn, applies context blocks,
 * checks every CRC itself and decodes the events; when it comes to an events
 * block that a worker has decompressed, byte for byte the block the worker
 * read (same offset, same header with its CRC, and the CRC held for both),
 * it takes the worker's body instead of decompressing it. Whatever the
 * workers do, the events, their order, the damage reports and the counters
 * are the ones of the sequential walk.
 *
 * Decoding the records in the workers too (into arrays of events handed to
 * the caller) was measured and left out: the arrays, about 200 bytes an
 * event, cost more memory traffic than the decode they save the caller
 * (docs/PERFORMANCE.md, issue 17).
 *
 * Threads and state:
 *  - The list of jobs in flight (p->fifo) and the scan are the caller's
 *    alone. A job's state and the queue of jobs not yet started are under
 *    p->mu; a job's buffers are its worker's while it runs, the caller's
 *    once it is done (seen under p->mu).
 *  - A worker reads only the input (pread on the descriptor, or the memory
 *    buffer, which nothing writes) and its job: never the reader's state.
 *  - Memory: at most 2 jobs per worker are in flight, each holding one
 *    block and its body.
 * Inputs that cannot be read at an offset (pipes) are read on the caller's
 * thread alone.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>
#include "common/port.h"
#include "core/reader_internal.h"

#define JOBS_PER_THREAD 2
#define POOL_MAX_THREADS 64

enum { JOB_FREE, JOB_QUEUED, JOB_RUNNING, JOB_DONE };

struct rd_job {
	uint64_t off;
	size_t total;
	uint8_t hdr[KCAP_BLOCK_HDR_LEN];
	int state;
	int body_ok;     /* raw holds the block's body */
	uint8_t *blk;    /* the block's bytes (read from a descriptor) */
	size_t blk_cap;
	uint8_t *raw;
	size_t raw_cap, raw_len;
	struct rd_job *qnext; /* the queue of jobs not yet started */
};

struct rd_pool {
	kcap_reader *r;
	pthread_mutex_t mu;
	pthread_cond_t cv_work; /* a job was queued, or stop */
	pthread_cond_t cv_done; /* a job is done */
	pthread_t *th;
	size_t nth;
	int stop;
	rd_job *jobs;     /* njobs */
	size_t njobs;
	rd_job *qhead, *qtail;
	/* the caller's: jobs in flight in file order (ring), the scan */
	rd_job **fifo;
	size_t fhead, fcount;
	uint64_t scan, last_pos;
};

/* ---- the workers ---- */

/* Reads up to len bytes at off; the number read. */
static size_t peek(const kcap_reader *r, uint64_t off, uint8_t *buf, size_t len)
{
	if (r->mem) {
		if (off >= r->win_len)
			return 0;
		size_t n = r->win_len - off < len ? (size_t)(r->win_len - off) : len;
		memcpy(buf, r->mem + off, n);
		return n;
	}
	size_t got = 0;
	while (got < len) {
		ssize_t k = pread(r->fd, buf + got, len - got, (off_t)(off + got));
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	return got;
}

/* The whole block of j: in the memory buffer, or read into j->blk. */
static int read_whole(const kcap_reader *r, rd_job *j, const uint8_t **blk)
{
	if (r->mem) {
		if (j->off > r->win_len || j->total > r->win_len - j->off)
			return -1;
		*blk = r->mem + j->off;
		return 0;
	}
	if (j->total > j->blk_cap) {
		uint8_t *n = realloc(j->blk, j->total);
		if (!n)
			return -1;
		j->blk = n;
		j->blk_cap = j->total;
	}
	if (peek(r, j->off, j->blk, j->total) != j->total)
		return -1;
	*blk = j->blk;
	return 0;
}

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return 0;
	size_t c = *cap ? *cap : 1024;
	while (c < need)
		c *= 2;
	void *n = realloc(*p, c * size);
	if (!n)
		return -1;
	*p = n;
	*cap = c;
	return 0;
}

static void run_job(rd_pool *pl, rd_job *j, ZSTD_DCtx *dz)
{
	const kcap_reader *r = pl->r;
	const uint8_t *blk;
	j->body_ok = 0;
	if (read_whole(r, j, &blk) || memcmp(blk, j->hdr, KCAP_BLOCK_HDR_LEN))
		return;
	uint32_t plen = (uint32_t)(j->total - KCAP_BLOCK_OVERHEAD);
	if (kcap_crc32c(kcap_crc32c(0, blk, 12), blk + KCAP_BLOCK_HDR_LEN, plen) != get_u32(blk + 12))
		return;
	const uint8_t *meta, *body;
	uint32_t ml;
	size_t bl;
	if (kcap_rd_body_into(blk, plen, dz, &j->raw, &j->raw_cap, &meta, &ml, &body, &bl))
		return;
	if (body != j->raw) {
		if (grow((void **)&j->raw, &j->raw_cap, bl ? bl : 1, 1))
			return;
		memcpy(j->raw, body, bl);
	}
	j->raw_len = bl;
	j->body_ok = 1;
}

static void *worker(void *arg)
{
	rd_pool *pl = arg;
	ZSTD_DCtx *dz = ZSTD_createDCtx();
	pthread_mutex_lock(&pl->mu);
	for (;;) {
		while (!pl->stop && !pl->qhead)
			pthread_cond_wait(&pl->cv_work, &pl->mu);
		if (pl->stop)
			break;
		rd_job *j = pl->qhead;
		pl->qhead = j->qnext;
		if (!pl->qhead)
			pl->qtail = NULL;
		j->state = JOB_RUNNING;
		pthread_mutex_unlock(&pl->mu);
		if (dz)
			run_job(pl, j, dz);
		else
			j->body_ok = 0;
		pthread_mutex_lock(&pl->mu);
		j->state = JOB_DONE;
		pthread_cond_broadcast(&pl->cv_done);
	}
	pthread_mutex_unlock(&pl->mu);
	ZSTD_freeDCtx(dz);
	return NULL;
}

/* ---- the caller's side ---- */

static void wait_done(rd_pool *pl, rd_job *j)
{
	pthread_mutex_lock(&pl->mu);
	while (j->state == JOB_QUEUED || j->state == JOB_RUNNING) {
		if (j->state == JOB_QUEUED) { /* not started: take it out of the queue */
			rd_job **pp = &pl->qhead, *prev = NULL;
			while (*pp != j) {
				prev = *pp;
				pp = &(*pp)->qnext;
			}
			*pp = j->qnext;
			if (pl->qtail == j)
				pl->qtail = prev;
			j->state = JOB_FREE;
			break;
		}
		pthread_cond_wait(&pl->cv_done, &pl->mu);
	}
	pthread_mutex_unlock(&pl->mu);
}

/* Drops the oldest job in flight (waits for it if a worker runs it). */
static void drop_head(rd_pool *pl)
{
	rd_job *j = pl->fifo[pl->fhead];
	wait_done(pl, j);
	j->state = JOB_FREE;
	pl->fhead = (pl->fhead + 1) % pl->njobs;
	pl->fcount--;
}

static rd_job *free_job(rd_pool *pl)
{
	rd_job *j = NULL;
	pthread_mutex_lock(&pl->mu);
	for (size_t i = 0; i < pl->njobs && !j; i++)
		if (pl->jobs[i].state == JOB_FREE)
			j = &pl->jobs[i];
	pthread_mutex_unlock(&pl->mu);
	return j;
}

void kcap_rd_pool_feed(kcap_reader *r)
{
	rd_pool *pl = r->pool;
	/* While the index passes blocks over, nothing is read ahead: the block
	 * filter may keep state (slice counts events), so it is asked about
	 * each block in turn by the walk alone, never ahead of it. */
	if (!pl || pl->fcount == pl->njobs || r->pool_skipping)
		return;
	if (r->pos < pl->last_pos) { /* went back (a seek): start again from here */
		while (pl->fcount)
			drop_head(pl);
		pl->scan = r->pos;
	}
	pl->last_pos = r->pos;
	if (pl->scan < r->pos)
		pl->scan = r->pos;
	int queued = 0;
	while (pl->fcount < pl->njobs) {
		uint8_t h[KCAP_BLOCK_HDR_LEN];
		size_t n = peek(r, pl->scan, h, sizeof h);
		if (n >= KCAP_SECTION_HDR_LEN && !memcmp(h, KCAP_MAGIC, KCAP_MAGIC_LEN)) {
			pl->scan += KCAP_SECTION_HDR_LEN;
			continue;
		}
		if (n < KCAP_BLOCK_HDR_LEN || !is_block_header(h))
			break; /* the end, or damage: the walk finds its way, the scan follows it */
		size_t total = (size_t)KCAP_BLOCK_OVERHEAD + get_u32(h + 8);
		uint64_t off = pl->scan;
		pl->scan += total;
		if (get_u16(h + 4) != KCAP_BLK_EVENTS)
			continue;
		rd_job *j = free_job(pl);
		if (!j)
			break;
		j->off = off;
		j->total = total;
		memcpy(j->hdr, h, sizeof h);
		j->body_ok = 0;
		pthread_mutex_lock(&pl->mu);
		j->state = JOB_QUEUED;
		j->qnext = NULL;
		if (pl->qtail)
			pl->qtail->qnext = j;
		else
			pl->qhead = j;
		pl->qtail = j;
		pthread_mutex_unlock(&pl->mu);
		pl->fifo[(pl->fhead + pl->fcount) % pl->njobs] = j;
		pl->fcount++;
		queued++;
	}
	if (queued) {
		pthread_mutex_lock(&pl->mu);
		pthread_cond_broadcast(&pl->cv_work);
		pthread_mutex_unlock(&pl->mu);
	}
}

rd_job *kcap_rd_pool_take(kcap_reader *r, const uint8_t *hdr)
{
	rd_pool *pl = r->pool;
	if (!pl)
		return NULL;
	while (pl->fcount && pl->fifo[pl->fhead]->off < r->pos)
		drop_head(pl);
	if (!pl->fcount)
		kcap_rd_pool_feed(r);
	if (!pl->fcount)
		return NULL;
	rd_job *j = pl->fifo[pl->fhead];
	if (j->off != r->pos || memcmp(j->hdr, hdr, KCAP_BLOCK_HDR_LEN))
		return NULL;
	wait_done(pl, j);
	pl->fhead = (pl->fhead + 1) % pl->njobs;
	pl->fcount--;
	if (j->state != JOB_DONE || !j->body_ok) { /* taken out of the queue, or failed */
		j->state = JOB_FREE;
		return NULL;
	}
	return j; /* JOB_DONE: the caller's until kcap_rd_pool_use */
}

size_t kcap_rd_pool_use(kcap_reader *r, rd_job *j)
{
	uint8_t *b = r->raw;
	size_t c = r->raw_cap;
	r->raw = j->raw;
	r->raw_cap = j->raw_cap;
	j->raw = b;
	j->raw_cap = c;
	j->state = JOB_FREE;
	return j->raw_len;
}

void kcap_rd_pool_release(kcap_reader *r, rd_job *j)
{
	(void)r;
	if (j)
		j->state = JOB_FREE;
}

void kcap_rd_pool_free(kcap_reader *r)
{
	rd_pool *pl = r ? r->pool : NULL;
	if (!pl)
		return;
	pthread_mutex_lock(&pl->mu);
	pl->stop = 1;
	pthread_cond_broadcast(&pl->cv_work);
	pthread_mutex_unlock(&pl->mu);
	for (size_t i = 0; i < pl->nth; i++)
		pthread_join(pl->th[i], NULL);
	for (size_t i = 0; i < pl->njobs; i++) {
		rd_job *j = &pl->jobs[i];
		free(j->blk);
		free(j->raw);
	}
	pthread_mutex_destroy(&pl->mu);
	pthread_cond_destroy(&pl->cv_work);
	pthread_cond_destroy(&pl->cv_done);
	free(pl->jobs);
	free(pl->fifo);
	free(pl->th);
	free(pl);
	r->pool = NULL;
	r->pool_job = NULL;
}

int kcap_reader_set_threads(kcap_reader *r, unsigned n)
{
	if (!r)
		return KCAP_E_INVAL;
	kcap_rd_pool_free(r);
	if (n > POOL_MAX_THREADS)
		n = POOL_MAX_THREADS;
	if (n <= 1 || (!r->mem && !r->seekable))
		return 0; /* one thread: the sequential walk alone */
	rd_pool *pl = calloc(1, sizeof *pl);
	if (!pl)
		return KCAP_E_NOMEM;
	pl->r = r;
	pl->njobs = (size_t)n * JOBS_PER_THREAD;
	pl->jobs = calloc(pl->njobs, sizeof *pl->jobs);
	pl->fifo = calloc(pl->njobs, sizeof *pl->fifo);
	pl->th = calloc(n, sizeof *pl->th);
	pl->scan = pl->last_pos = r->pos;
	if (!pl->jobs || !pl->fifo || !pl->th) {
		free(pl->jobs);
		free(pl->fifo);
		free(pl->th);
		free(pl);
		return KCAP_E_NOMEM;
	}
	pthread_mutex_init(&pl->mu, NULL);
	pthread_cond_init(&pl->cv_work, NULL);
	pthread_cond_init(&pl->cv_done, NULL);
	r->pool = pl;
	for (unsigned i = 0; i < n; i++) {
		if (pthread_create(&pl->th[i], NULL, worker, pl))
			break;
		pl->nth++;
	}
	if (!pl->nth) { /* no thread at all: read on the caller's */
		kcap_rd_pool_free(r);
		return 0;
	}
	return 0;
}
