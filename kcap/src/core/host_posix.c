/* host_posix.c - what a POSIX host says about itself (Linux: /proc, uname,
 * /etc): kcap_meta_fill_host and kcap_snapshot_fill_host. The Windows
 * build has host_win32.c instead (kcap/CMakeLists.txt picks one). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include "core/core.h"

/* Reads the first line of a small file into out (trailing newline cut). */
static int read_line(const char *path, char *out, size_t n)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	int ok = fgets(out, (int)n, f) != NULL;
	fclose(f);
	if (!ok)
		return -1;
	out[strcspn(out, "\n")] = 0;
	return 0;
}

int kcap_meta_fill_host(kcap_meta *m)
{
	char buf[512];
	struct utsname u;
	int rc = 0;
	if (!m)
		return KCAP_E_INVAL;
	if (uname(&u) == 0) {
		rc |= kcap_meta_set(m, KCAP_META_OS, u.sysname);
		rc |= kcap_meta_set(m, KCAP_META_KERNEL, u.release);
		rc |= kcap_meta_set(m, "arch", u.machine);
	}
	if (gethostname(buf, sizeof buf) == 0) {
		buf[sizeof buf - 1] = 0;
		rc |= kcap_meta_set(m, KCAP_META_HOSTNAME, buf);
	}
	if (read_line("/etc/machine-id", buf, sizeof buf) == 0 ||
	    read_line("/var/lib/dbus/machine-id", buf, sizeof buf) == 0)
		rc |= kcap_meta_set(m, KCAP_META_MACHINE_ID, buf);
	if (read_line("/proc/sys/kernel/random/boot_id", buf, sizeof buf) == 0)
		rc |= kcap_meta_set(m, KCAP_META_BOOT_ID, buf);
	/* Offset from CLOCK_BOOTTIME (what bpf_ktime_get_boot_ns reads) to wall
	 * time: take the tightest bracket of three readings. */
	struct timespec a, b, w;
	int64_t best_gap = INT64_MAX, offset = 0;
	for (int i = 0; i < 5; i++) {
		clock_gettime(CLOCK_REALTIME, &a);
		clock_gettime(CLOCK_BOOTTIME, &b);
		clock_gettime(CLOCK_REALTIME, &w);
		int64_t ra = a.tv_sec * 1000000000LL + a.tv_nsec, rw = w.tv_sec * 1000000000LL + w.tv_nsec;
		int64_t bt = b.tv_sec * 1000000000LL + b.tv_nsec;
		if (rw - ra < best_gap) {
			best_gap = rw - ra;
			offset = ra + (rw - ra) / 2 - bt;
		}
	}
	snprintf(buf, sizeof buf, "%lld", (long long)offset);
	rc |= kcap_meta_set(m, KCAP_META_BOOT_OFFSET, buf);
	rc |= kcap_meta_set(m, KCAP_META_CLOCK, "CLOCK_BOOTTIME");
	snprintf(buf, sizeof buf, "%lld", (long long)(w.tv_sec * 1000000000LL + w.tv_nsec));
	rc |= kcap_meta_set(m, KCAP_META_CAPTURE_START, buf);
	/* Time zone: the zoneinfo name /etc/localtime links to, else TZ, else the abbreviation. */
	ssize_t n = readlink("/etc/localtime", buf, sizeof buf - 1);
	const char *tz = NULL;
	if (n > 0) {
		buf[n] = 0;
		char *z = strstr(buf, "zoneinfo/");
		tz = z ? z + 9 : buf;
	} else if (getenv("TZ")) {
		tz = getenv("TZ");
	} else if (read_line("/etc/timezone", buf, sizeof buf) == 0) {
		tz = buf;
	}
	rc |= kcap_meta_set(m, KCAP_META_TIMEZONE, tz ? tz : "UTC");
	return rc ? KCAP_E_NOMEM : 0;
}

static int slurp(const char *path, char *buf, size_t cap, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n, tot = 0;
	while ((size_t)tot < cap && (n = read(fd, buf + tot, cap - (size_t)tot)) > 0)
		tot += n;
	close(fd);
	*len = (size_t)tot;
	return 0;
}

int kcap_snapshot_fill_host(kcap_snapshot *s)
{
#ifdef __linux__
	DIR *d = opendir("/proc");
	if (!d)
		return KCAP_E_IO;
	long hz = sysconf(_SC_CLK_TCK);
	char path[64], stat[1024], cmd[4096], exe[4096], cwd[4096];
	size_t n;
	int rc = 0;
	/* Process start times are in clock ticks since boot. */
	struct timespec rt, bt;
	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_BOOTTIME, &bt);
	int64_t boot_wall = (rt.tv_sec - bt.tv_sec) * 1000000000LL + (rt.tv_nsec - bt.tv_nsec);
	struct dirent *de;
	while ((de = readdir(d)) && !rc) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);
		if (*end || pid <= 0)
			continue;
		kcap_proc p = {0};
		p.pid = (int32_t)pid;
		snprintf(path, sizeof path, "/proc/%ld/stat", pid);
		if (slurp(path, stat, sizeof stat - 1, &n))
			continue; /* exited meanwhile */
		stat[n] = 0;
		char *lp = strchr(stat, '('), *rp = strrchr(stat, ')');
		if (!lp || !rp || rp < lp)
			continue;
		*rp = 0;
		p.comm = lp + 1;
		/* Fields after ")": state ppid ... starttime is field 22 overall. */
		char *f = rp + 2;
		int field = 3;
		unsigned long long start_ticks = 0;
		for (char *tok = strtok(f, " "); tok; tok = strtok(NULL, " "), field++) {
			if (field == 4)
				p.ppid = (int32_t)atol(tok);
			else if (field == 22)
				start_ticks = strtoull(tok, NULL, 10);
		}
		if (hz > 0)
			p.start_ts = boot_wall + (int64_t)(start_ticks * (1000000000ULL / (unsigned long long)hz));
		snprintf(path, sizeof path, "/proc/%ld/status", pid);
		if (slurp(path, cmd, sizeof cmd - 1, &n) == 0) {
			cmd[n] = 0;
			char *u = strstr(cmd, "\nUid:"), *g = strstr(cmd, "\nGid:");
			if (u)
				p.uid = (uint32_t)strtoul(u + 5, NULL, 10);
			if (g)
				p.gid = (uint32_t)strtoul(g + 5, NULL, 10);
		}
		snprintf(path, sizeof path, "/proc/%ld/exe", pid);
		ssize_t l = readlink(path, exe, sizeof exe - 1);
		exe[l > 0 ? l : 0] = 0;
		p.exe = exe;
		snprintf(path, sizeof path, "/proc/%ld/cwd", pid);
		l = readlink(path, cwd, sizeof cwd - 1);
		cwd[l > 0 ? l : 0] = 0;
		p.cwd = cwd;
		snprintf(path, sizeof path, "/proc/%ld/cmdline", pid);
		if (slurp(path, cmd, sizeof cmd, &n))
			n = 0;
		p.cmdline = cmd;
		p.cmdline_len = (uint32_t)n;
		rc = kcap_snapshot_add(s, &p);
	}
	closedir(d);
	return rc;
#else
	(void)s;
	return KCAP_E_UNSUPPORTED;
#endif
}
