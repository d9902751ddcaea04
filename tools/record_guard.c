/* record_guard.c - the guardian that restores a recorder's changes when the
 * recorder dies without restoring them (see record_guard.h). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "record_guard.h"

struct rec_guard {
	pid_t pid;
	int fd; /* write end: closed by the recorder's death, or after the release byte */
};

#define RELEASE 'R'

/* In the guardian: wait for the release byte or for the pipe to close. */
static _Noreturn void guard_main(int fd, void (*restore)(void *ud), void *ud)
{
	static const int ignored[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGQUIT, SIGUSR1, SIGUSR2 };
	for (size_t i = 0; i < sizeof ignored / sizeof ignored[0]; i++)
		signal(ignored[i], SIG_IGN);
	prctl(PR_SET_NAME, "kcap-guard", 0, 0, 0);
	/* only the pipe and stderr: an inherited output pipe or socket held here
	 * would outlive the recorder */
	if (fd != 3) {
		if (dup2(fd, 3) < 0)
			_exit(1);
		fd = 3;
	}
	close_range(4, ~0u, 0);
	close(STDIN_FILENO);
	close(STDOUT_FILENO);
	char b = 0;
	ssize_t n;
	while ((n = read(fd, &b, 1)) < 0 && errno == EINTR)
		;
	if (n == 1 && b == RELEASE)
		_exit(0);
	restore(ud);
	_exit(0);
}

int rec_guard_start(rec_guard **out, void (*restore)(void *ud), void *ud)
{
	int p[2];
	rec_guard *g = calloc(1, sizeof *g);
	*out = NULL;
	if (!g)
		return -ENOMEM;
	if (pipe2(p, O_CLOEXEC) < 0) {
		int e = errno;
		free(g);
		return -e;
	}
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(p[0]);
		close(p[1]);
		free(g);
		return -e;
	}
	if (pid == 0) {
		close(p[1]);
		guard_main(p[0], restore, ud);
	}
	close(p[0]);
	g->pid = pid;
	g->fd = p[1];
	*out = g;
	return 0;
}

void rec_guard_release(rec_guard *g)
{
	if (!g)
		return;
	char b = RELEASE;
	while (write(g->fd, &b, 1) < 0 && errno == EINTR)
		;
	close(g->fd);
	while (waitpid(g->pid, NULL, 0) < 0 && errno == EINTR)
		;
	free(g);
}

pid_t rec_guard_pid(const rec_guard *g)
{
	return g ? g->pid : -1;
}
