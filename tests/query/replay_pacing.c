/*
 * Pacing test of `kcap replay`: runs the replay of a capture with JSON output
 * into a pipe (or a Unix socket it listens on), timestamps every line on
 * arrival (CLOCK_MONOTONIC), and compares the arrival times with the capture
 * timestamps. Prints p50/p99/max of the absolute error and the drift at the
 * end (error of the last event), and fails above the limits given.
 *
 * usage: replay_pacing [--socket PATH] [--p99-ms X] [--drift-ms Y]
 *                      [--min-events N] -- KCAP replay ARGS...
 * The command after "--" is run as is; with --socket, " --to PATH" is
 * appended after the test has started listening on PATH.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int64_t mono_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

typedef struct sample {
	int64_t ts, arrival;
} sample;

int main(int argc, char **argv)
{
	const char *sock_path = NULL;
	double p99_ms = 2.0, drift_ms = 5.0;
	long min_events = 1;
	int i = 1;
	for (; i < argc && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "--socket") && i + 1 < argc)
			sock_path = argv[++i];
		else if (!strcmp(argv[i], "--p99-ms") && i + 1 < argc)
			p99_ms = atof(argv[++i]);
		else if (!strcmp(argv[i], "--drift-ms") && i + 1 < argc)
			drift_ms = atof(argv[++i]);
		else if (!strcmp(argv[i], "--min-events") && i + 1 < argc)
			min_events = atol(argv[++i]);
		else {
			fprintf(stderr, "replay_pacing: bad argument %s\n", argv[i]);
			return 2;
		}
	}
	if (i + 1 >= argc) {
		fprintf(stderr, "usage: replay_pacing [options] -- KCAP replay ARGS...\n");
		return 2;
	}
	/* The machine may be busy (parallel builds and tests): run the reader
	 * and, by inheritance, the replay at a real-time priority when allowed,
	 * so that the figures measure kcap's pacing, not the scheduler's. */
	struct sched_param sp = {.sched_priority = 10};
	const char *sched = "SCHED_FIFO";
	if (sched_setscheduler(0, SCHED_FIFO, &sp))
		sched = "normal scheduling (no permission for SCHED_FIFO)";
	char **cmd = calloc((size_t)(argc - i + 3), sizeof *cmd);
	int nc = 0;
	for (int k = i + 1; k < argc; k++)
		cmd[nc++] = argv[k];
	int rfd, lfd = -1;
	pid_t pid;
	if (sock_path) {
		struct sockaddr_un a = {.sun_family = AF_UNIX};
		snprintf(a.sun_path, sizeof a.sun_path, "%s", sock_path);
		unlink(sock_path);
		lfd = socket(AF_UNIX, SOCK_STREAM, 0);
		if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof a) || listen(lfd, 1)) {
			perror("replay_pacing: socket");
			return 1;
		}
		cmd[nc++] = "--to";
		cmd[nc++] = (char *)sock_path;
		pid = fork();
		if (pid == 0) {
			close(lfd);
			execv(cmd[0], cmd);
			perror("exec");
			_exit(127);
		}
		rfd = accept(lfd, NULL, NULL);
		if (rfd < 0) {
			perror("replay_pacing: accept");
			return 1;
		}
	} else {
		int p[2];
		if (pipe(p)) {
			perror("pipe");
			return 1;
		}
		pid = fork();
		if (pid == 0) {
			close(p[0]);
			dup2(p[1], 1);
			close(p[1]);
			execv(cmd[0], cmd);
			perror("exec");
			_exit(127);
		}
		close(p[1]);
		rfd = p[0];
	}
	size_t cap = 1 << 16, n = 0, bufcap = 1 << 20, buflen = 0;
	sample *s = malloc(cap * sizeof *s);
	char *buf = malloc(bufcap);
	long bad = 0;
	for (;;) {
		ssize_t got = read(rfd, buf + buflen, bufcap - buflen);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		int64_t now = mono_ns();
		buflen += (size_t)got;
		char *p = buf, *end = buf + buflen, *nl;
		while ((nl = memchr(p, '\n', (size_t)(end - p)))) {
			const char *t = memmem(p, (size_t)(nl - p), "\"ts\":", 5);
			if (!t) {
				bad++;
			} else {
				if (n == cap) {
					cap *= 2;
					s = realloc(s, cap * sizeof *s);
				}
				s[n].ts = strtoll(t + 5, NULL, 10);
				s[n].arrival = now;
				n++;
			}
			p = nl + 1;
		}
		buflen = (size_t)(end - p);
		memmove(buf, p, buflen);
	}
	close(rfd);
	if (lfd >= 0) {
		close(lfd);
		unlink(sock_path);
	}
	int status = 0;
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "replay_pacing: kcap replay failed (status %d)\n", status);
		return 1;
	}
	if ((long)n < min_events || bad) {
		fprintf(stderr, "replay_pacing: %zu events received (want >= %ld), %ld lines without ts\n", n, min_events,
		        bad);
		return 1;
	}
	/* error of event i: its arrival against the schedule anchored at the
	 * first arrival, in ns */
	int64_t *err = malloc(n * sizeof *err);
	for (size_t k = 0; k < n; k++) {
		int64_t e = (s[k].arrival - s[0].arrival) - (s[k].ts - s[0].ts);
		err[k] = e < 0 ? -e : e;
	}
	int64_t drift = (s[n - 1].arrival - s[0].arrival) - (s[n - 1].ts - s[0].ts);
	double span = (double)(s[n - 1].ts - s[0].ts) / 1e9;
	qsort(err, n, sizeof *err, cmp_i64);
	double p50 = (double)err[n / 2] / 1e6, p99 = (double)err[(size_t)((double)(n - 1) * 0.99)] / 1e6,
	       mx = (double)err[n - 1] / 1e6, dr = (double)drift / 1e6;
	printf("replay pacing: %zu events over %.3f s via %s, %s: |error| p50 %.3f ms, p99 %.3f ms, max %.3f ms; "
	       "drift at end %+.3f ms (limits: p99 < %.1f ms, |drift| < %.1f ms)\n",
	       n, span, sock_path ? "unix socket" : "pipe", sched, p50, p99, mx, dr, p99_ms, drift_ms);
	int ok = p99 < p99_ms && (dr < 0 ? -dr : dr) < drift_ms;
	printf("%s\n", ok ? "PASS" : "FAIL");
	free(err);
	free(s);
	free(buf);
	free(cmd);
	return ok ? 0 : 1;
}
