/* The Windows glue of the live ETW frontend, run under wine by
 * tests/windows/wine_test.sh (no Check for mingw: plain asserts, a count):
 *  - a real EVENT_RECORD (evntcons.h), cast as the callback casts it, is
 *    converted field by field (etw_win32.c also checks every offset at
 *    compile time);
 *  - Ctrl-C and Ctrl-Break reach the recorder's SIGINT handler through the
 *    console handler's path; a closed console is handled; other events
 *    are left to Windows. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <evntcons.h>

#include "record_etw/etw_live.h"

static int passed, failed;
#define CHECK(c)                                                                                                     \
	do {                                                                                                         \
		if (c) {                                                                                             \
			passed++;                                                                                    \
		} else {                                                                                             \
			failed++;                                                                                    \
			printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #c);                                        \
		}                                                                                                    \
	} while (0)

static volatile sig_atomic_t got_sigint;
static void on_sigint(int s)
{
	(void)s;
	got_sigint++;
	signal(SIGINT, on_sigint);
}

static void conversion(void)
{
	EVENT_RECORD er;
	EVENT_HEADER_EXTENDED_DATA_ITEM ext[2];
	static const unsigned char payload[5] = {1, 2, 3, 4, 5};
	static const unsigned char sid[12] = {1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0};
	static const GUID prov = {0x3d6fa8d0, 0xfe05, 0x11d0, {0x9d, 0xda, 0x00, 0xc0, 0x4f, 0xd7, 0xba, 0x7c}};
	memset(&er, 0, sizeof er);
	memset(ext, 0, sizeof ext);
	er.EventHeader.Flags = EVENT_HEADER_FLAG_CLASSIC_HEADER | EVENT_HEADER_FLAG_64_BIT_HEADER |
	                       EVENT_HEADER_FLAG_EXTENDED_INFO;
	er.EventHeader.ProcessId = 1234;
	er.EventHeader.ThreadId = 5678;
	er.EventHeader.TimeStamp.QuadPart = 133000000000000123LL;
	er.EventHeader.ProviderId = prov;
	er.EventHeader.EventDescriptor.Opcode = 3;
	er.EventHeader.EventDescriptor.Version = 4;
	er.EventHeader.EventDescriptor.Level = 4;
	er.EventHeader.EventDescriptor.Keyword = 0x8000000000000010ULL;
	er.EventHeader.KernelTime = 11;
	er.EventHeader.UserTime = 22;
	er.BufferContext.ProcessorNumber = 7;
	er.BufferContext.LoggerId = 9;
	ext[0].ExtType = EVENT_HEADER_EXT_TYPE_SID;
	ext[0].DataSize = sizeof sid;
	ext[0].DataPtr = (ULONGLONG)(uintptr_t)sid;
	ext[1].ExtType = EVENT_HEADER_EXT_TYPE_TS_ID;
	ext[1].DataSize = 4;
	ext[1].DataPtr = (ULONGLONG)(uintptr_t)payload;
	er.ExtendedDataCount = 2;
	er.ExtendedData = ext;
	er.UserData = (PVOID)payload;
	er.UserDataLength = sizeof payload;

	kcap_etw_record r;
	kcap_etw_ext x[4];
	etw_record_from_event((const etw_event_record *)&er, &r, x, 4);
	CHECK(r.kind == KCAP_ETW_HDR_CLASSIC);
	CHECK(r.ptr_size == 8);
	CHECK(!memcmp(r.provider.b, &prov, 16));
	CHECK(r.pid == 1234 && r.tid == 5678);
	CHECK(r.timestamp == 133000000000000123LL);
	CHECK(r.opcode == 3 && r.version == 4 && r.level == 4);
	CHECK(r.keywords == 0x8000000000000010ULL);
	CHECK(r.kernel_time == 11 && r.user_time == 22);
	CHECK(r.cpu == 7);
	CHECK(r.next == 2 && r.ext == x);
	CHECK(x[0].type == KCAP_ETW_EXT_SID && x[0].size == sizeof sid && x[0].data == sid);
	CHECK(x[1].type == KCAP_ETW_EXT_TS_ID && x[1].size == 4);
	CHECK(r.data == payload && r.len == sizeof payload);
	/* a manifest event of a 32-bit process, processor index form */
	er.EventHeader.Flags = EVENT_HEADER_FLAG_32_BIT_HEADER | EVENT_HEADER_FLAG_PROCESSOR_INDEX;
	er.BufferContext.ProcessorIndex = 300;
	er.EventHeader.EventDescriptor.Id = 77;
	er.ExtendedDataCount = 0;
	etw_record_from_event((const etw_event_record *)&er, &r, x, 4);
	CHECK(r.kind == KCAP_ETW_HDR_EVENT && r.ptr_size == 4);
	CHECK(r.cpu == 300 && r.id == 77 && r.next == 0 && r.ext == NULL);
}

static void console(void)
{
	signal(SIGINT, on_sigint);
	got_sigint = 0;
	CHECK(etw_live_console_event(CTRL_C_EVENT) == 1);
	CHECK(got_sigint == 1);
	CHECK(etw_live_console_event(CTRL_BREAK_EVENT) == 1);
	CHECK(got_sigint == 2);
	/* no recording: a closed console has no session to stop, but is handled */
	unsigned before = etw_live_stops();
	CHECK(etw_live_console_event(CTRL_CLOSE_EVENT) == 1);
	CHECK(etw_live_stops() == before);
	CHECK(etw_live_console_event(99) == 0);
}

int main(void)
{
	conversion();
	console();
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
