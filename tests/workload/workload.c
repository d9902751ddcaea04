/*
 * workload.c - a scripted workload for recorder tests: performs known
 * actions (exec, file create/write/rename/chmod/unlink, mkdir/rmdir, TCP
 * connect+accept on loopback, UDP send, setuid in a child, kill of a child)
 * and writes what it did (pids, paths, fds, ports, flags) as one JSON object
 * to the file named by argv[1], so a test can look for each action in a
 * capture with exact field values. Each action uses syscall(2) with an
 * explicit number, so the expected event type is known whatever libc does.
 * Any frontend (eBPF, audit) can be checked against the same output.
 *
 * usage: kcap-workload OUT.json [--basic|--extended]
 * By default (or --extended) it also does more actions (dirfd-relative
 * paths, files behind fds, links, fd pairs, memfd, a failed exec, children
 * killed by SIGKILL and SIGSEGV) and reports their keys; --basic does only
 * the list.
 * Needs root for setuid (the child drops to uid 65534).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define EXEC_PATH "/bin/echo"
#define EXEC_ARG1 "kcap-workload"
#define EXEC_ARG2 "second arg"
#define SETUID_TO 65534

static void die(const char *what)
{
	fprintf(stderr, "kcap-workload: %s: %s\n", what, strerror(errno));
	exit(1);
}

static long sc(long nr, long a, long b, long c, long d, long e)
{
	return syscall(nr, a, b, c, d, e, 0);
}

/* A child that waits until the parent kills it with sig (sig 0: it dies of
 * a SIGSEGV of its own, without a core dump). Returns its pid once it is
 * dead with that signal. */
static pid_t killed_child(int sig)
{
	int sync[2], status;
	char b;
	if (pipe(sync) < 0)
		die("pipe");
	pid_t pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		close(sync[0]);
		if (write(sync[1], "r", 1) != 1)
			_exit(1);
		if (!sig) {
			prctl(PR_SET_DUMPABLE, 0, 0, 0, 0); /* no core file */
			/* the kernel's default action, whatever handler a sanitizer
			 * installed (ASan would turn a fault into exit 1, and UBSan
			 * stops a null store before it faults) */
			signal(SIGSEGV, SIG_DFL);
			raise(SIGSEGV);
		}
		for (;;)
			pause();
	}
	close(sync[1]);
	if (read(sync[0], &b, 1) != 1)
		die("child sync");
	close(sync[0]);
	if (sig && sc(SYS_kill, pid, sig, 0, 0, 0) < 0)
		die("kill");
	if (waitpid(pid, &status, 0) < 0 || !WIFSIGNALED(status) || WTERMSIG(status) != (sig ? sig : SIGSEGV))
		die("killed child");
	return pid;
}

static int local_port(int fd)
{
	struct sockaddr_in a;
	socklen_t l = sizeof a;
	if (getsockname(fd, (struct sockaddr *)&a, &l) < 0)
		die("getsockname");
	return ntohs(a.sin_port);
}

int main(int argc, char **argv)
{
	/* --basic leaves out the extended actions (dirfd-relative paths, files
	 * behind fds, links, fd pairs, memfd, a failed exec) */
	int extended = argc == 2 || (argc == 3 && !strcmp(argv[2], "--extended"));
	if (argc != 2 && !(argc == 3 && (!strcmp(argv[2], "--extended") || !strcmp(argv[2], "--basic")))) {
		fprintf(stderr, "usage: kcap-workload OUT.json [--basic|--extended]\n");
		return 2;
	}
	char ext[4096] = "";
	FILE *out = fopen(argv[1], "w");
	if (!out)
		die(argv[1]);
	char dir[] = "/tmp/kcap-wl-XXXXXX";
	if (!mkdtemp(dir))
		die("mkdtemp");
	int status;

	/* 1. exec a known binary with known arguments */
	pid_t exec_pid = fork();
	if (exec_pid < 0)
		die("fork");
	if (exec_pid == 0) {
		int nul = open("/dev/null", O_WRONLY);
		if (nul >= 0)
			dup2(nul, 1);
		char *const av[] = { (char *)"echo", (char *)EXEC_ARG1, (char *)EXEC_ARG2, NULL };
		syscall(SYS_execve, EXEC_PATH, av, (char *const[]){ NULL });
		_exit(127);
	}
	if (waitpid(exec_pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		die("exec child failed");

	/* 2. file actions, relative to the temp dir (tests path resolution) */
	if (sc(SYS_chdir, (long)dir, 0, 0, 0, 0) < 0)
		die("chdir");
	int open_flags = O_WRONLY | O_CREAT | O_TRUNC;
	int fd = (int)sc(SYS_openat, AT_FDCWD, (long)"file.txt", open_flags, 0640, 0);
	if (fd < 0)
		die("openat");
	long wrote = sc(SYS_write, fd, (long)"hello\n", 6, 0, 0);
	if (wrote != 6)
		die("write");
	if (sc(SYS_close, fd, 0, 0, 0, 0) < 0)
		die("close");
	if (sc(SYS_rename, (long)"file.txt", (long)"renamed.txt", 0, 0, 0) < 0)
		die("rename");
	if (sc(SYS_chmod, (long)"renamed.txt", 0600, 0, 0, 0) < 0)
		die("chmod");
	if (sc(SYS_unlink, (long)"renamed.txt", 0, 0, 0, 0) < 0)
		die("unlink");
	if (sc(SYS_mkdir, (long)"subdir", 0750, 0, 0, 0) < 0)
		die("mkdir");
	if (sc(SYS_rmdir, (long)"subdir", 0, 0, 0, 0) < 0)
		die("rmdir");
	/* 2b. paths relative to a directory fd, and files behind fds */
	if (chdir("/") < 0)
		die("chdir /");
	if (extended) {
		int dfd = open(dir, O_RDONLY | O_DIRECTORY);
		if (dfd < 0)
			die("open dir");
		int fd2 = (int)sc(SYS_openat, dfd, (long)"viadirfd.txt", O_WRONLY | O_CREAT | O_EXCL, 0600, 0);
		if (fd2 < 0)
			die("openat dirfd");
		if (sc(SYS_fchmod, fd2, 0644, 0, 0, 0) < 0 || sc(SYS_ftruncate, fd2, 100, 0, 0, 0) < 0)
			die("fchmod/ftruncate");
		if (sc(SYS_fchdir, dfd, 0, 0, 0, 0) < 0)
			die("fchdir");
		if (sc(SYS_symlink, (long)"viadirfd.txt", (long)"sym", 0, 0, 0) < 0 ||
		    sc(SYS_link, (long)"viadirfd.txt", (long)"hard", 0, 0, 0) < 0)
			die("symlink/link");
		if (unlink("sym") < 0 || unlink("hard") < 0 || unlink("viadirfd.txt") < 0)
			die("cleanup");
		close(fd2);
		close(dfd);

		/* 2c. fd-creating calls */
		int pfd[2], sv[2];
		if (sc(SYS_pipe2, (long)pfd, O_CLOEXEC, 0, 0, 0) < 0)
			die("pipe2");
		int dup_ret = (int)sc(SYS_dup3, pfd[0], 100, O_CLOEXEC, 0, 0);
		if (dup_ret != 100)
			die("dup3");
		int mfd = (int)sc(SYS_memfd_create, (long)"kcap-memfd", 1 /* MFD_CLOEXEC */, 0, 0, 0);
		if (mfd < 0)
			die("memfd_create");
		if (sc(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, (long)sv, 0) < 0)
			die("socketpair");
		close(pfd[0]);
		close(pfd[1]);
		close(100);
		close(mfd);
		close(sv[0]);
		close(sv[1]);

		/* 2d. a failed exec: argv comes from the caller's memory */
		pid_t bad_pid = fork();
		if (bad_pid < 0)
			die("fork");
		if (bad_pid == 0) {
			char *const av[] = { (char *)"kcap-prog", (char *)"x", NULL };
			syscall(SYS_execve, "/nonexistent/kcap-prog", av, (char *const[]){ NULL });
			_exit(errno == ENOENT ? 0 : 1);
		}
		if (waitpid(bad_pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
			die("failed exec child");

		/* 2e. children that end by a signal rather than by exit */
		pid_t kill9_pid = killed_child(SIGKILL), segv_pid = killed_child(0);
		snprintf(ext, sizeof ext,
		         ",\n \"openat_dirfd\":{\"dirfd\":%d,\"path\":\"%s/viadirfd.txt\",\"ret\":%d},\n"
		         " \"fchmod\":{\"fd\":%d,\"path\":\"%s/viadirfd.txt\",\"mode\":%d},\n"
		         " \"ftruncate\":{\"fd\":%d,\"path\":\"%s/viadirfd.txt\",\"length\":100},\n"
		         " \"fchdir\":{\"fd\":%d,\"path\":\"%s\"},\n"
		         " \"symlink\":{\"target\":\"viadirfd.txt\",\"path\":\"%s/sym\"},\n"
		         " \"link\":{\"oldpath\":\"%s/viadirfd.txt\",\"newpath\":\"%s/hard\"},\n"
		         " \"pipe2\":{\"fd0\":%d,\"fd1\":%d,\"flags\":%d},\n"
		         " \"dup3\":{\"oldfd\":%d,\"newfd\":100,\"ret\":%d},\n"
		         " \"memfd_create\":{\"name\":\"kcap-memfd\",\"ret\":%d},\n"
		         " \"socketpair\":{\"fd0\":%d,\"fd1\":%d},\n"
		         " \"exec_fail\":{\"pid\":%d,\"path\":\"/nonexistent/kcap-prog\","
		         "\"argv\":[\"kcap-prog\",\"x\"],\"ret\":%d},\n"
		         " \"sigkill\":{\"pid\":%d,\"sig\":%d},\n"
		         " \"sigsegv\":{\"pid\":%d,\"sig\":%d}",
		         dfd, dir, fd2, fd2, dir, 0644, fd2, dir, dfd, dir, dir, dir, dir, pfd[0], pfd[1], O_CLOEXEC, pfd[0],
		         dup_ret, mfd, sv[0], sv[1], (int)bad_pid, -ENOENT, (int)kill9_pid, SIGKILL, (int)segv_pid,
		         SIGSEGV);
	}
	if (rmdir(dir) < 0)
		die("rmdir dir");

	/* 3. TCP connect + accept on loopback */
	struct sockaddr_in lo = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&lo, sizeof lo) < 0 || listen(lfd, 4) < 0)
		die("tcp listen");
	int tcp_port = local_port(lfd);
	int cfd = (int)sc(SYS_socket, AF_INET, SOCK_STREAM, 0, 0, 0);
	if (cfd < 0)
		die("socket");
	lo.sin_port = htons((uint16_t)tcp_port);
	if (sc(SYS_connect, cfd, (long)&lo, sizeof lo, 0, 0) < 0)
		die("connect");
	int client_port = local_port(cfd);
	struct sockaddr_in peer;
	socklen_t plen = sizeof peer;
	int afd = (int)sc(SYS_accept, lfd, (long)&peer, (long)&plen, 0, 0);
	if (afd < 0)
		die("accept");
	close(afd);
	close(cfd);
	close(lfd);

	/* 4. UDP datagram to a bound loopback receiver */
	int rfd = socket(AF_INET, SOCK_DGRAM, 0);
	lo.sin_port = 0;
	if (rfd < 0 || bind(rfd, (struct sockaddr *)&lo, sizeof lo) < 0)
		die("udp bind");
	int udp_port = local_port(rfd);
	int ufd = socket(AF_INET, SOCK_DGRAM, 0);
	if (ufd < 0)
		die("udp socket");
	lo.sin_port = htons((uint16_t)udp_port);
	long sent = syscall(SYS_sendto, ufd, "ping", 4, 0, &lo, sizeof lo);
	if (sent != 4)
		die("sendto");
	close(ufd);
	close(rfd);

	/* 5. setuid in a forked child */
	pid_t su_pid = fork();
	if (su_pid < 0)
		die("fork");
	if (su_pid == 0)
		_exit(sc(SYS_setuid, SETUID_TO, 0, 0, 0, 0) == 0 ? 0 : 1);
	if (waitpid(su_pid, &status, 0) < 0 || !WIFEXITED(status))
		die("setuid child");
	int setuid_ok = WEXITSTATUS(status) == 0;

	/* 6. kill a child with a signal */
	pid_t k_pid = killed_child(SIGTERM);

	fprintf(out,
	        "{\"pid\":%d,\"dir\":\"%s\",\n"
	        " \"exec\":{\"pid\":%d,\"path\":\"%s\",\"argv\":[\"echo\",\"%s\",\"%s\"],\"ret\":0},\n"
	        " \"open\":{\"path\":\"%s/file.txt\",\"flags\":%d,\"mode\":%d,\"ret\":%d},\n"
	        " \"write\":{\"fd\":%d,\"count\":6,\"ret\":6},\n"
	        " \"close\":{\"fd\":%d,\"ret\":0},\n"
	        " \"rename\":{\"oldpath\":\"%s/file.txt\",\"newpath\":\"%s/renamed.txt\",\"ret\":0},\n"
	        " \"chmod\":{\"path\":\"%s/renamed.txt\",\"mode\":%d,\"ret\":0},\n"
	        " \"unlink\":{\"path\":\"%s/renamed.txt\",\"ret\":0},\n"
	        " \"mkdir\":{\"path\":\"%s/subdir\",\"mode\":%d,\"ret\":0},\n"
	        " \"rmdir\":{\"path\":\"%s/subdir\",\"ret\":0},\n"
	        " \"connect\":{\"fd\":%d,\"addr\":\"127.0.0.1\",\"port\":%d,\"ret\":0},\n"
	        " \"accept\":{\"fd\":%d,\"addr\":\"127.0.0.1\",\"port\":%d,\"ret\":%d},\n"
	        " \"sendto\":{\"fd\":%d,\"addr\":\"127.0.0.1\",\"port\":%d,\"size\":4,\"ret\":4},\n"
	        " \"setuid\":{\"pid\":%d,\"uid\":%d,\"ret\":%d},\n"
	        " \"kill\":{\"target\":%d,\"sig\":%d,\"ret\":0}%s}\n",
	        (int)getpid(), dir, (int)exec_pid, EXEC_PATH, EXEC_ARG1, EXEC_ARG2, dir, open_flags, 0640, fd, fd,
	        fd, dir, dir, dir, 0600, dir, dir, 0750, dir, cfd, tcp_port, lfd, client_port, afd, ufd, udp_port,
	        (int)su_pid, SETUID_TO, setuid_ok ? 0 : -1, (int)k_pid, SIGTERM, ext);
	if (fclose(out) != 0)
		die(argv[1]);
	return 0;
}
