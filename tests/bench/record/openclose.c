/* openclose.c - the recorder overhead loop: N open+close pairs on one file.
 * usage: openclose N FILE; prints "pairs N seconds S rate R pid P cpurate C":
 * R in pairs per wall second, C in pairs per second of this process's own
 * CPU time (user + system), which is what recording adds to and which other
 * load on the machine does not change. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: openclose N FILE\n");
		return 2;
	}
	long n = atol(argv[1]);
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < n; i++) {
		int fd = open(argv[2], O_RDONLY);
		if (fd < 0) {
			perror(argv[2]);
			return 1;
		}
		close(fd);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	double s = (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	double cpu = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	printf("pairs %ld seconds %.3f rate %.0f pid %d cpurate %.0f\n", n, s, n / s, (int)getpid(), n / cpu);
	return 0;
}
