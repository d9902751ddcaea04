/* port_win32.c - the POSIX calls port.h gives the Windows build. Built only
 * for Windows (kcap/CMakeLists.txt). */
#include <errno.h>
#include <fcntl.h>
#include <io.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WIN32_LEAN_AND_MEAN
#include <windows.h>

#include "common/port.h"

int kcap_win_pipe2(int fds[2], int flags)
{
	(void)flags; /* always binary and not inherited, as O_CLOEXEC means here */
	return _pipe(fds, 1u << 20, _O_BINARY | _O_NOINHERIT);
}

void *kcap_win_memmem(const void *h, size_t hn, const void *n, size_t nn)
{
	const unsigned char *p = h, *q = n;
	if (!nn)
		return (void *)h;
	for (size_t i = 0; i + nn <= hn; i++)
		if (p[i] == q[0] && !memcmp(p + i, q, nn))
			return (void *)(p + i);
	return NULL;
}

void *kcap_win_memrchr(const void *s, int c, size_t n)
{
	const unsigned char *p = s;
	while (n--)
		if (p[n] == (unsigned char)c)
			return (void *)(p + n);
	return NULL;
}

char *kcap_win_strndup(const char *s, size_t n)
{
	size_t k = 0;
	while (k < n && s[k])
		k++;
	char *d = malloc(k + 1);
	if (d) {
		memcpy(d, s, k);
		d[k] = 0;
	}
	return d;
}

ssize_t kcap_win_getline(char **line, size_t *cap, FILE *f)
{
	size_t n = 0;
	int c;
	while ((c = fgetc(f)) != EOF) {
		if (n + 2 > *cap) {
			size_t nc = *cap ? *cap * 2 : 128;
			char *p = realloc(*line, nc);
			if (!p) {
				errno = ENOMEM;
				return -1;
			}
			*line = p;
			*cap = nc;
		}
		(*line)[n++] = (char)c;
		if (c == '\n')
			break;
	}
	if (!n)
		return -1;
	(*line)[n] = 0;
	return (ssize_t)n;
}

ssize_t kcap_win_pread(int fd, void *buf, size_t n, int64_t off)
{
	HANDLE h = (HANDLE)_get_osfhandle(fd);
	if (h == INVALID_HANDLE_VALUE) {
		errno = EBADF;
		return -1;
	}
	/* ReadFile at an offset moves a synchronous handle's position: keep it */
	int64_t at = _lseeki64(fd, 0, SEEK_CUR);
	OVERLAPPED ov;
	memset(&ov, 0, sizeof ov);
	ov.Offset = (DWORD)((uint64_t)off & 0xffffffffu);
	ov.OffsetHigh = (DWORD)((uint64_t)off >> 32);
	DWORD got = 0;
	BOOL ok = ReadFile(h, buf, n > 0x40000000u ? 0x40000000u : (DWORD)n, &got, &ov);
	DWORD err = ok ? 0 : GetLastError();
	if (at >= 0)
		_lseeki64(fd, at, SEEK_SET);
	if (!ok && err != ERROR_HANDLE_EOF) {
		errno = EIO;
		return -1;
	}
	return (ssize_t)got;
}

/* What a pipe holds now, copied to fd_out without consuming it; as tee(2)
 * on a blocking pipe, waits until it holds something; 0 once the writer is
 * gone and nothing is left. */
ssize_t kcap_win_tee(int fd_in, int fd_out, size_t len, unsigned flags)
{
	(void)flags;
	char buf[4096];
	DWORD got = 0, avail = 0;
	HANDLE h = (HANDLE)_get_osfhandle(fd_in);
	if (len > sizeof buf)
		len = sizeof buf;
	for (;;) {
		if (!PeekNamedPipe(h, buf, (DWORD)len, &got, &avail, NULL)) {
			if (GetLastError() == ERROR_BROKEN_PIPE)
				return 0;
			errno = EIO;
			return -1;
		}
		if (got)
			return _write(fd_out, buf, got);
		Sleep(1);
	}
}

int kcap_win_poll(struct pollfd *fds, unsigned long n, int timeout_ms)
{
	ULONGLONG until = GetTickCount64() + (ULONGLONG)(timeout_ms < 0 ? 0 : timeout_ms);
	for (;;) {
		int ready = 0;
		for (unsigned long i = 0; i < n; i++) {
			fds[i].revents = 0;
			HANDLE h = (HANDLE)_get_osfhandle(fds[i].fd);
			DWORD avail = 0;
			if (GetFileType(h) != FILE_TYPE_PIPE) {
				fds[i].revents = fds[i].events & (POLLIN | POLLOUT);
			} else if (fds[i].events & POLLOUT) {
				fds[i].revents = POLLOUT;
			} else if (!PeekNamedPipe(h, NULL, 0, NULL, &avail, NULL)) {
				fds[i].revents = POLLHUP;
			} else if (avail) {
				fds[i].revents = POLLIN;
			}
			ready += fds[i].revents != 0;
		}
		if (ready || (timeout_ms >= 0 && GetTickCount64() >= until))
			return ready;
		Sleep(1);
	}
}

int kcap_win_regcomp(regex_t *re, const char *pattern, int flags)
{
	(void)re;
	(void)pattern;
	(void)flags;
	return REG_BADPAT;
}

int kcap_win_regexec(const regex_t *re, const char *s, size_t n, regmatch_t *m, int flags)
{
	(void)re;
	(void)s;
	(void)n;
	(void)m;
	(void)flags;
	return 1;
}

size_t kcap_win_regerror(int code, const regex_t *re, char *buf, size_t n)
{
	(void)code;
	(void)re;
	return (size_t)snprintf(buf, n, "regular expressions are not in the Windows build (see docs/WINDOWS.md)") + 1;
}
