/* bench_run.c - runs a command N times and prints the medians of its wall
 * time, its CPU time (user+sys of the child) and the time until its first
 * byte of output, in milliseconds:
 *   "wall_ms W cpu_ms C first_byte_ms F runs N"
 * usage: bench_run N CMD [ARGS...]   (the output is read and discarded)
 * With BENCH_RT=1 in the environment, runs itself and the command at
 * SCHED_FIFO priority 10 (root), to measure on a machine busy with other
 * work as if it were idle. */
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: bench_run N CMD [ARGS...]\n");
		return 2;
	}
	const char *rt = getenv("BENCH_RT");
	if (rt && !strcmp(rt, "1")) {
		struct sched_param sp = {.sched_priority = 10};
		if (sched_setscheduler(0, SCHED_FIFO, &sp))
			fprintf(stderr, "bench_run: BENCH_RT=1: cannot use SCHED_FIFO; normal scheduling\n");
	}
	int n = atoi(argv[1]);
	if (n < 1)
		n = 1;
	double *wall = calloc((size_t)n, sizeof *wall), *cpu = calloc((size_t)n, sizeof *cpu),
	       *first = calloc((size_t)n, sizeof *first);
	static char buf[1 << 16];
	for (int i = 0; i < n; i++) {
		int p[2];
		if (pipe(p))
			return 1;
		double t0 = now_ms();
		pid_t pid = fork();
		if (pid == 0) {
			close(p[0]);
			dup2(p[1], 1);
			close(p[1]);
			execv(argv[2], argv + 2);
			_exit(127);
		}
		close(p[1]);
		first[i] = -1;
		ssize_t got;
		while ((got = read(p[0], buf, sizeof buf)) > 0)
			if (first[i] < 0)
				first[i] = now_ms() - t0;
		close(p[0]);
		int st;
		struct rusage ru;
		wait4(pid, &st, 0, &ru);
		wall[i] = now_ms() - t0;
		if (first[i] < 0)
			first[i] = wall[i];
		cpu[i] = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
		         (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
		if (!WIFEXITED(st) || WEXITSTATUS(st)) {
			fprintf(stderr, "bench_run: %s failed (status %d)\n", argv[2], st);
			return 1;
		}
	}
	printf("wall_ms %.2f cpu_ms %.2f first_byte_ms %.2f runs %d\n", median(wall, n), median(cpu, n),
	       median(first, n), n);
	return 0;
}
