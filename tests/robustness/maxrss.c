/*
 * maxrss.c - runs a command and reports its peak resident set size (the
 * child's ru_maxrss, from wait4) and how it ended, for the memory bounds of
 * issue 11 (tests/robustness/sections_rss.sh, tests/bench/robustness/
 * rss_hostile.sh). The command's stdin, stdout and stderr are this
 * program's.
 * usage: maxrss [-o FILE] CMD [ARG...]
 * Writes "PEAK_KB EXIT" to FILE (default stderr), EXIT being the command's
 * exit code or 128 + its signal; exits 0 (1 if the command could not be
 * run or waited for).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	const char *out = NULL;
	int a = 1;
	if (a + 1 < argc && !strcmp(argv[a], "-o")) {
		out = argv[a + 1];
		a += 2;
	}
	if (a >= argc) {
		fprintf(stderr, "usage: maxrss [-o FILE] CMD [ARG...]\n");
		return 2;
	}
	pid_t pid = fork();
	if (pid < 0) {
		perror("maxrss: fork");
		return 1;
	}
	if (pid == 0) {
		execvp(argv[a], argv + a);
		fprintf(stderr, "maxrss: cannot run %s: %s\n", argv[a], strerror(errno));
		_exit(127);
	}
	int status;
	struct rusage ru;
	pid_t w;
	while ((w = wait4(pid, &status, 0, &ru)) < 0 && errno == EINTR)
		;
	if (w < 0) {
		perror("maxrss: wait4");
		return 1;
	}
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	FILE *f = out ? fopen(out, "w") : stderr;
	if (!f) {
		fprintf(stderr, "maxrss: cannot write %s: %s\n", out, strerror(errno));
		return 1;
	}
	fprintf(f, "%ld %d\n", ru.ru_maxrss, code);
	if (out && fclose(f)) {
		fprintf(stderr, "maxrss: cannot write %s\n", out);
		return 1;
	}
	return 0;
}
