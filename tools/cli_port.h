/*
 * cli_port.h - the POSIX process and signal calls of the CLI, for the
 * Windows build (mingw-w64), under their POSIX names so that the commands
 * have no #ifdef; on a POSIX system it only includes the system headers.
 * The library's own shims are kcap/src/common/port.h.
 *
 * On Windows: SIGINT is the console's Ctrl-C (signal()); SIGTERM, SIGHUP
 * and SIGPIPE never arrive (a write to a closed pipe fails with EPIPE, and
 * cli_broken_pipe exits 141 as a shell reports a SIGPIPE death); there is
 * no fork, so `record -- COMMAND` is refused (rec_parse_opts) and replay,
 * which paces into FIFOs and Unix sockets, says it is not in the build.
 * stdin and stdout are binary (cli_port_win32.c), as captures are bytes.
 */
#ifndef KCAP_TOOLS_CLI_PORT_H
#define KCAP_TOOLS_CLI_PORT_H

#include <signal.h>

#ifndef _WIN32
#include <sys/wait.h>
#else
#include <errno.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#ifndef SIGHUP
#define SIGHUP 1
#endif
#ifndef SIGPIPE
#define SIGPIPE 13
#endif
#ifndef SIGKILL
#define SIGKILL 9
#endif
#define SIG_BLOCK 0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2
typedef unsigned long sigset_t;
struct sigaction {
	void (*sa_handler)(int);
	sigset_t sa_mask;
	int sa_flags;
};
/* signal() underneath: the signals Windows has (SIGINT, SIGBREAK...) */
int kcap_win_sigaction(int sig, const struct sigaction *sa, struct sigaction *old);
#define sigaction(s, a, o) kcap_win_sigaction((s), (a), (o))
static inline int kcap_win_sigemptyset(sigset_t *s) { *s = 0; return 0; }
static inline int kcap_win_sigaddset(sigset_t *s, int n) { *s |= 1ul << n; return 0; }
static inline int kcap_win_sigprocmask(int h, const sigset_t *s, sigset_t *o) { (void)h; (void)s; (void)o; return 0; }
#define sigemptyset kcap_win_sigemptyset
#define sigaddset kcap_win_sigaddset
#define sigprocmask kcap_win_sigprocmask

/* no processes of ours to wait for (no fork) */
#define WNOHANG 1
#define WIFEXITED(s) 1
#define WEXITSTATUS(s) ((s) & 0xff)
#define WTERMSIG(s) 0
static inline pid_t fork(void) { errno = ENOSYS; return -1; }
static inline pid_t waitpid(pid_t p, int *st, int o) { (void)p; (void)st; (void)o; errno = ECHILD; return -1; }
static inline int kill(pid_t p, int s) { (void)p; (void)s; errno = ENOSYS; return -1; }

/* the library's shims too: O_CLOEXEC, EDQUOT, CLOCK_BOOTTIME, pipe2 ... */
#include "common/port.h"
#define lstat stat /* no symbolic links to tell apart here */
#define pipe(p) _pipe((p), 65536, _O_BINARY | _O_NOINHERIT)

#define _SC_NPROCESSORS_ONLN 84
long kcap_win_sysconf(int name);
#define sysconf kcap_win_sysconf
/* rename() that replaces the target, as POSIX rename does */
int kcap_win_rename(const char *from, const char *to);
#define rename kcap_win_rename
#define fchmod(fd, mode) ((void)(fd), (void)(mode), 0)
#endif

#endif
