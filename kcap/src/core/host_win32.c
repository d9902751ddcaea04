/* host_win32.c - what a Windows host says about itself, for the Windows
 * build (the POSIX one has host_posix.c): the OS version (RtlGetVersion,
 * which does not lie as GetVersionEx does), architecture, DNS host name,
 * MachineGuid, time zone, and the offset from QueryPerformanceCounter time
 * to wall time. The process snapshot of a Windows recording comes from the
 * ETW rundown (tools/record_etw), not from here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define WIN32_LEAN_AND_MEAN
#include <windows.h>

#include "core/core.h"

typedef LONG(WINAPI *rtl_get_version_fn)(OSVERSIONINFOW *);

static int64_t qpc_ns(void)
{
	LARGE_INTEGER f, c;
	QueryPerformanceFrequency(&f);
	QueryPerformanceCounter(&c);
	return (int64_t)((double)c.QuadPart * 1e9 / (double)f.QuadPart);
}

static int64_t wall_ns(void)
{
	FILETIME ft;
	GetSystemTimePreciseAsFileTime(&ft);
	uint64_t t = (uint64_t)ft.dwHighDateTime << 32 | ft.dwLowDateTime;
	return (int64_t)(t - 116444736000000000ULL) * 100; /* 1601 to 1970, 100 ns units */
}

int kcap_meta_fill_host(kcap_meta *m)
{
	char buf[512];
	int rc = 0;
	if (!m)
		return KCAP_E_INVAL;
	rc |= kcap_meta_set(m, KCAP_META_OS, "Windows");
	HMODULE nt = GetModuleHandleA("ntdll.dll");
	rtl_get_version_fn rgv = nt ? (rtl_get_version_fn)(void (*)(void))GetProcAddress(nt, "RtlGetVersion") : NULL;
	OSVERSIONINFOW v;
	memset(&v, 0, sizeof v);
	v.dwOSVersionInfoSize = sizeof v;
	if (rgv && rgv(&v) == 0) {
		snprintf(buf, sizeof buf, "%lu.%lu.%lu", (unsigned long)v.dwMajorVersion, (unsigned long)v.dwMinorVersion,
		         (unsigned long)v.dwBuildNumber);
		rc |= kcap_meta_set(m, KCAP_META_KERNEL, buf);
	}
	SYSTEM_INFO si;
	GetNativeSystemInfo(&si);
	const char *arch = si.wProcessorArchitecture == PROCESSOR_ARCHITECTURE_AMD64   ? "x86_64"
	                   : si.wProcessorArchitecture == PROCESSOR_ARCHITECTURE_ARM64 ? "aarch64"
	                   : si.wProcessorArchitecture == PROCESSOR_ARCHITECTURE_INTEL ? "i686"
	                                                                               : "unknown";
	rc |= kcap_meta_set(m, "arch", arch);
	DWORD n = sizeof buf;
	if (GetComputerNameExA(ComputerNameDnsHostname, buf, &n))
		rc |= kcap_meta_set(m, KCAP_META_HOSTNAME, buf);
	HKEY k;
	if (RegOpenKeyExA(HKEY_LOCAL_MACHINE, "SOFTWARE\\Microsoft\\Cryptography", 0, KEY_READ | KEY_WOW64_64KEY, &k) ==
	    ERROR_SUCCESS) {
		DWORD type, len = sizeof buf - 1;
		if (RegQueryValueExA(k, "MachineGuid", NULL, &type, (BYTE *)buf, &len) == ERROR_SUCCESS && type == REG_SZ) {
			buf[len < sizeof buf ? len : sizeof buf - 1] = 0;
			rc |= kcap_meta_set(m, KCAP_META_MACHINE_ID, buf);
		}
		RegCloseKey(k);
	}
	/* Offset from QueryPerformanceCounter time (ETW's default clock) to
	 * wall time: the tightest bracket of three readings. */
	int64_t best_gap = INT64_MAX, offset = 0, w = 0;
	for (int i = 0; i < 5; i++) {
		int64_t a = wall_ns(), q = qpc_ns();
		w = wall_ns();
		if (w - a < best_gap) {
			best_gap = w - a;
			offset = a + (w - a) / 2 - q;
		}
	}
	snprintf(buf, sizeof buf, "%lld", (long long)offset);
	rc |= kcap_meta_set(m, KCAP_META_BOOT_OFFSET, buf);
	rc |= kcap_meta_set(m, KCAP_META_CLOCK, "QueryPerformanceCounter");
	snprintf(buf, sizeof buf, "%lld", (long long)w);
	rc |= kcap_meta_set(m, KCAP_META_CAPTURE_START, buf);
	const char *tz = getenv("TZ");
	DYNAMIC_TIME_ZONE_INFORMATION dz;
	if (!tz && GetDynamicTimeZoneInformation(&dz) != TIME_ZONE_ID_INVALID &&
	    WideCharToMultiByte(CP_UTF8, 0, dz.TimeZoneKeyName, -1, buf, (int)sizeof buf, NULL, NULL) > 1)
		tz = buf;
	rc |= kcap_meta_set(m, KCAP_META_TIMEZONE, tz ? tz : "UTC");
	return rc ? KCAP_E_NOMEM : 0;
}

int kcap_snapshot_fill_host(kcap_snapshot *s)
{
	(void)s;
	return KCAP_E_UNSUPPORTED;
}
