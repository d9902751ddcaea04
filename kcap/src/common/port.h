/*
 * port.h - the few POSIX calls of the library and the formats that Windows
 * (mingw-w64) lacks, given there under their POSIX names, so that the code
 * that uses them has no #ifdef. On a POSIX system this header only includes
 * the system headers: nothing changes there.
 *
 *   inet_ntop, inet_pton  kcap_inet_ntop/_pton (port_inet.c, built on every
 *                         system and checked against glibc's by
 *                         tests/unit/test_port.c): the same text as glibc
 *   pipe2                 _pipe, binary, not inherited, 1 MiB buffer
 *   memmem, memrchr, strndup, localtime_r, gmtime_r
 *   strerrorname_np       Linux's errno names (the captures' numbers)
 *   getline               fgetc into a growing buffer
 *   pread                 ReadFile at an offset; the file position is kept
 *   tee, poll             enough for the input layer's pipes: PeekNamedPipe
 *   O_CLOEXEC             _O_NOINHERIT|_O_BINARY: every descriptor the
 *                         library opens is binary, as on POSIX
 *   regcomp               a stub whose error says that the Windows build has
 *                         no POSIX regex library (the filter's `regex`)
 *   EDQUOT, CLOCK_BOOTTIME, F_SETPIPE_SZ ...  what the code names
 * The host description (kcap_meta_fill_host, kcap_snapshot_fill_host) is
 * per system instead: core/host_posix.c, core/host_win32.c.
 */
#ifndef KCAP_COMMON_PORT_H
#define KCAP_COMMON_PORT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* The address text functions of every system (port_inet.c). af is AF_INET
 * or AF_INET6 of the system compiled for. */
int kcap_inet_pton(int af, const char *src, void *dst);
const char *kcap_inet_ntop(int af, const void *src, char *dst, size_t size);

#ifndef _WIN32

/* seconds east of UTC of a broken-down local time made from t */
#define kcap_tm_gmtoff(tm, t) ((void)(t), (long)(tm)->tm_gmtoff)

#include <arpa/inet.h>
#include <poll.h>
#include <regex.h>
#include <unistd.h>

#else /* _WIN32 */

#include <errno.h>
#include <fcntl.h>
#include <io.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#ifndef AF_INET
#define AF_INET 2
#endif
#ifndef AF_INET6
#define AF_INET6 23
#endif
#ifndef INET_ADDRSTRLEN
#define INET_ADDRSTRLEN 16
#endif
#ifndef INET6_ADDRSTRLEN
#define INET6_ADDRSTRLEN 46
#endif
#define inet_pton kcap_inet_pton
#define inet_ntop kcap_inet_ntop

#ifndef O_CLOEXEC
#define O_CLOEXEC (_O_NOINHERIT | _O_BINARY)
#endif
#ifndef O_NONBLOCK
#define O_NONBLOCK 0
#endif
#ifndef EDQUOT
#define EDQUOT ENOSPC
#endif
#ifndef CLOCK_BOOTTIME
#define CLOCK_BOOTTIME CLOCK_MONOTONIC
#endif
#ifndef S_ISFIFO
#define S_ISFIFO(m) (((m) & _S_IFMT) == _S_IFIFO)
#endif
#define F_SETFL 4
#define F_SETPIPE_SZ 1031
/* pipes are blocking and sized at creation (pipe2): these have no effect */
static inline int kcap_win_fcntl(int fd, int cmd, ...)
{
	(void)fd;
	(void)cmd;
	return 0;
}
#define fcntl kcap_win_fcntl

int kcap_win_pipe2(int fds[2], int flags);
ssize_t kcap_win_pread(int fd, void *buf, size_t n, int64_t off);
ssize_t kcap_win_tee(int fd_in, int fd_out, size_t len, unsigned flags);
ssize_t kcap_win_getline(char **line, size_t *cap, FILE *f);
#define pipe2 kcap_win_pipe2
#define getline kcap_win_getline
void *kcap_win_memmem(const void *h, size_t hn, const void *n, size_t nn);
#define memmem kcap_win_memmem
void *kcap_win_memrchr(const void *s, int c, size_t n);
#define memrchr kcap_win_memrchr
char *kcap_win_strndup(const char *s, size_t n);
#define strndup kcap_win_strndup
/* errno names as glibc's strerrorname_np gives them: Linux's numbers, the
 * captures' (the taxonomy's errno set; core/errno_names_win32.c) */
const char *kcap_win_strerrorname_np(int e);
#define strerrorname_np kcap_win_strerrorname_np
static inline struct tm *kcap_win_localtime_r(const time_t *t, struct tm *tm)
{
	return localtime_s(tm, t) ? NULL : tm;
}
static inline struct tm *kcap_win_gmtime_r(const time_t *t, struct tm *tm)
{
	return gmtime_s(tm, t) ? NULL : tm;
}
#define localtime_r kcap_win_localtime_r
/* no tm_gmtoff: local time read as UTC, less the time it was made from */
#define kcap_tm_gmtoff(tm, t) ((long)(_mkgmtime(tm) - (t)))
#define gmtime_r kcap_win_gmtime_r
#define pread kcap_win_pread
#define tee kcap_win_tee

#define POLLIN 0x001
#define POLLOUT 0x004
#define POLLERR 0x008
#define POLLHUP 0x010
struct pollfd {
	int fd;
	short events, revents;
};
/* Pipes: readable when PeekNamedPipe sees bytes, POLLHUP once the writer
 * is gone; other descriptors are always ready. */
int kcap_win_poll(struct pollfd *fds, unsigned long n, int timeout_ms);
#define poll kcap_win_poll

/* No POSIX regex library for mingw in Debian: the filter's `regex` operator
 * says so (docs/WINDOWS.md). */
typedef struct {
	int unused;
} regex_t;
typedef struct {
	long rm_so, rm_eo;
} regmatch_t;
#define REG_EXTENDED 1
#define REG_NOSUB 4
#define REG_BADPAT 2
int kcap_win_regcomp(regex_t *re, const char *pattern, int flags);
int kcap_win_regexec(const regex_t *re, const char *s, size_t n, regmatch_t *m, int flags);
size_t kcap_win_regerror(int code, const regex_t *re, char *buf, size_t n);
#define regcomp kcap_win_regcomp
#define regexec kcap_win_regexec
#define regerror kcap_win_regerror
#define regfree(re) ((void)(re))

#endif /* _WIN32 */
#endif
