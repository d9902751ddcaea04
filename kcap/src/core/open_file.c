/* Opening a capture file by path, for the reader and the writer alike. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include "common/port.h"
#include "core/core.h"

int kcap_open_file(const char *path, int flags, const char *what, kcap_error *err)
{
	int fd = open(path, flags | O_CLOEXEC, 0644);
	if (fd >= 0)
		return fd;
	int e = errno;
	kcap_seterr(err, KCAP_E_IO, -1, "%s%s", what, strerror(e));
	if (err)
		err->sys_errno = e;
	return KCAP_E_IO;
}
