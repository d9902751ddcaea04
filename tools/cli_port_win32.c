/* cli_port_win32.c - the Windows side of cli_port.h. */
#include <fcntl.h>
#include <io.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>

#define WIN32_LEAN_AND_MEAN
#include <windows.h>

#include "cli_port.h"

static DWORD WINAPI relay(void *arg)
{
	HANDLE *h = arg;
	static char buf[1 << 16];
	DWORD n, w;
	while (ReadFile(h[0], buf, sizeof buf, &n, NULL) && n)
		for (DWORD done = 0; done < n; done += w)
			if (!WriteFile(h[1], buf + done, n - done, &w, NULL))
				goto out;
out:
	CloseHandle(h[1]);
	return 0;
}

/* The input layer looks at the first bytes of a pipe without consuming
 * them (PeekNamedPipe, port.h's tee). A pipe that cannot be peeked (wine's
 * stdin from a Unix pipe) is relayed by a thread into one that can. */
static void peekable_stdin(void)
{
	static HANDLE h[2];
	HANDLE in = GetStdHandle(STD_INPUT_HANDLE);
	DWORD avail;
	if (in == INVALID_HANDLE_VALUE || GetFileType(in) != FILE_TYPE_PIPE ||
	    PeekNamedPipe(in, NULL, 0, NULL, &avail, NULL) || GetLastError() != ERROR_NOT_SUPPORTED)
		return;
	HANDLE rd, wr, own;
	/* our own handle on the input: fd 0 (and its handle) is replaced below */
	if (!DuplicateHandle(GetCurrentProcess(), in, GetCurrentProcess(), &own, 0, FALSE, DUPLICATE_SAME_ACCESS))
		return;
	if (!CreatePipe(&rd, &wr, NULL, 1u << 20)) {
		CloseHandle(own);
		return;
	}
	h[0] = own;
	h[1] = wr;
	int fd = _open_osfhandle((intptr_t)rd, _O_RDONLY | _O_BINARY);
	HANDLE t = fd >= 0 ? CreateThread(NULL, 0, relay, h, 0, NULL) : NULL;
	if (!t) {
		CloseHandle(own);
		CloseHandle(wr);
		if (fd >= 0)
			_close(fd);
		return;
	}
	CloseHandle(t);
	_dup2(fd, 0);
	_close(fd);
	SetStdHandle(STD_INPUT_HANDLE, (HANDLE)_get_osfhandle(0));
}

/* Captures are bytes: stdin, stdout and every file opened are binary. */
__attribute__((constructor)) static void binary_stdio(void)
{
	_fmode = _O_BINARY;
	peekable_stdin();
	_setmode(_fileno(stdin), _O_BINARY);
	_setmode(_fileno(stdout), _O_BINARY);
	_setmode(_fileno(stderr), _O_BINARY);
}

#undef sigaction
int kcap_win_sigaction(int sig, const struct sigaction *sa, struct sigaction *old)
{
	void (*prev)(int) = SIG_DFL;
	if (sig == SIGHUP || sig == SIGPIPE || sig == SIGKILL) { /* none on Windows */
		if (old)
			old->sa_handler = SIG_DFL;
		return 0;
	}
	if (sa) {
		prev = signal(sig, sa->sa_handler);
		if (prev == SIG_ERR)
			return -1;
	} else {
		prev = signal(sig, SIG_DFL);
		if (prev != SIG_ERR)
			signal(sig, prev);
	}
	if (old) {
		old->sa_handler = prev == SIG_ERR ? SIG_DFL : prev;
		old->sa_mask = 0;
		old->sa_flags = 0;
	}
	return 0;
}

long kcap_win_sysconf(int name)
{
	if (name != _SC_NPROCESSORS_ONLN)
		return -1;
	SYSTEM_INFO si;
	GetSystemInfo(&si);
	return (long)si.dwNumberOfProcessors;
}

#undef rename
int kcap_win_rename(const char *from, const char *to)
{
	if (MoveFileExA(from, to, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH))
		return 0;
	errno = GetLastError() == ERROR_ACCESS_DENIED ? EACCES : EIO;
	return -1;
}
