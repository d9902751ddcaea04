/* storm.c - the sustained-load generator: a tight loop of cheap recorded
 * syscalls from three classes (file: openat, dup, close x2; process: kill
 * with signal 0; user: setuid to the current uid) for SECONDS.
 * usage: storm SECONDS FILE; prints "syscalls N seconds S rate R". */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: storm SECONDS FILE\n");
		return 2;
	}
	double secs = atof(argv[1]), t0 = now(), t = t0;
	long n = 0;
	pid_t me = getpid();
	uid_t uid = getuid();
	while (t - t0 < secs) {
		for (int i = 0; i < 1000; i++) {
			int fd = open(argv[2], O_RDONLY);
			if (fd < 0) {
				perror(argv[2]);
				return 1;
			}
			int d = dup(fd);
			close(d);
			close(fd);
			kill(me, 0);
			syscall(SYS_setuid, uid);
		}
		n += 6000;
		t = now();
	}
	printf("syscalls %ld seconds %.3f rate %.0f\n", n, t - t0, n / (t - t0));
	return 0;
}
