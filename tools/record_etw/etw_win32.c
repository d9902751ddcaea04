/* etw_win32.c - the real etw_ops (etw_live.h) on Windows: the NT Kernel
 * Logger as a real-time session (StartTrace, ControlTrace, OpenTrace,
 * ProcessTrace), and the console handler. Built for Windows only. Whether
 * a kernel session really delivers what is asked needs a Windows host
 * (docs/ETW.md, "What needs a Windows host"). */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WIN32_LEAN_AND_MEAN
#define INITGUID
#include <windows.h>
#include <evntcons.h>
#include <evntrace.h>

#include "etw_live.h"

/* etw_event_record is EVENT_RECORD, byte for byte: the callback casts. */
#define SAME_AT(a, b) _Static_assert(offsetof(EVENT_RECORD, a) == offsetof(etw_event_record, b), #a)
_Static_assert(sizeof(EVENT_RECORD) == sizeof(etw_event_record), "EVENT_RECORD size");
_Static_assert(sizeof(EVENT_HEADER) == sizeof(etw_event_header), "EVENT_HEADER size");
_Static_assert(sizeof(EVENT_HEADER_EXTENDED_DATA_ITEM) == sizeof(etw_ext_item), "extended item size");
SAME_AT(EventHeader.Flags, header.flags);
SAME_AT(EventHeader.ThreadId, header.thread_id);
SAME_AT(EventHeader.ProcessId, header.process_id);
SAME_AT(EventHeader.TimeStamp, header.timestamp);
SAME_AT(EventHeader.ProviderId, header.provider_id);
SAME_AT(EventHeader.EventDescriptor.Id, header.descriptor.id);
SAME_AT(EventHeader.EventDescriptor.Opcode, header.descriptor.opcode);
SAME_AT(EventHeader.EventDescriptor.Keyword, header.descriptor.keyword);
SAME_AT(EventHeader.KernelTime, header.u.t.kernel_time);
SAME_AT(EventHeader.ActivityId, header.activity_id);
SAME_AT(BufferContext, buffer_context);
SAME_AT(ExtendedDataCount, extended_data_count);
SAME_AT(UserDataLength, user_data_length);
SAME_AT(ExtendedData, extended_data);
SAME_AT(UserData, user_data);
SAME_AT(UserContext, user_context);
_Static_assert(offsetof(EVENT_HEADER_EXTENDED_DATA_ITEM, ExtType) == offsetof(etw_ext_item, ext_type), "ExtType");
_Static_assert(offsetof(EVENT_HEADER_EXTENDED_DATA_ITEM, DataSize) == offsetof(etw_ext_item, data_size), "DataSize");
_Static_assert(offsetof(EVENT_HEADER_EXTENDED_DATA_ITEM, DataPtr) == offsetof(etw_ext_item, data_ptr), "DataPtr");

/* EVENT_TRACE_PROPERTIES with room for the logger name after it. */
typedef struct props {
	EVENT_TRACE_PROPERTIES p;
	char name[256];
} props;

static void props_init(props *x, uint32_t flags)
{
	memset(x, 0, sizeof *x);
	x->p.Wnode.BufferSize = sizeof *x;
	x->p.Wnode.Flags = WNODE_FLAG_TRACED_GUID;
	x->p.Wnode.Guid = SystemTraceControlGuid;
	x->p.Wnode.ClientContext = 1; /* QueryPerformanceCounter */
	x->p.LogFileMode = EVENT_TRACE_REAL_TIME_MODE;
	x->p.EnableFlags = flags;
	x->p.LoggerNameOffset = offsetof(props, name);
}

static void say(char *why, size_t n, const char *what, ULONG e)
{
	char m[200] = "";
	FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, e, 0, m, sizeof m, NULL);
	m[strcspn(m, "\r\n")] = 0;
	snprintf(why, n, "%s: %s (error %lu)%s", what, m[0] ? m : "failed", (unsigned long)e,
	         e == ERROR_ACCESS_DENIED ? "; a kernel session needs an elevated (Administrator) prompt" : "");
}

static void counters(const props *x, etw_counters *c)
{
	c->events_lost = x->p.EventsLost;
	c->rt_buffers_lost = x->p.RealTimeBuffersLost;
	c->buffers_written = x->p.BuffersWritten;
	(void)x;
	c->ncpus = (uint32_t)GetActiveProcessorCount(ALL_PROCESSOR_GROUPS);
}

static BOOL WINAPI on_console(DWORD type)
{
	if (!etw_live_console_event(type))
		return FALSE;
	if (type != CTRL_C_EVENT && type != CTRL_BREAK_EVENT)
		Sleep(4000); /* the recorder writes its file's end meanwhile; Windows ends the process after */
	return TRUE;
}

static int w_start(void *ud, const char *name, uint32_t flags, uint64_t *handle, char *why, size_t n)
{
	props x;
	TRACEHANDLE h = 0;
	(void)ud;
	props_init(&x, flags);
	SetConsoleCtrlHandler(on_console, TRUE);
	ULONG e = StartTraceA(&h, name, &x.p);
	if (e == ERROR_ALREADY_EXISTS)
		return ETW_EXISTS;
	if (e != ERROR_SUCCESS) {
		say(why, n, "StartTrace", e);
		return ETW_FAILED;
	}
	*handle = (uint64_t)h;
	return ETW_OK;
}

/* The NT Kernel Logger logs the process, thread and image rundown
 * (DCStart) by itself when it starts: nothing to ask. */
static int w_enable(void *ud, uint64_t handle, char *why, size_t n)
{
	(void)ud;
	(void)handle;
	(void)why;
	(void)n;
	return ETW_OK;
}

typedef struct cbctx {
	etw_record_cb cb;
	void *ctx;
} cbctx;

static VOID WINAPI on_event(PEVENT_RECORD er)
{
	cbctx *c = er->UserContext;
	c->cb(c->ctx, (const etw_event_record *)er);
}

static int w_process(void *ud, const char *name, etw_record_cb cb, void *ctx, char *why, size_t n)
{
	cbctx c = {cb, ctx};
	EVENT_TRACE_LOGFILEA lf;
	(void)ud;
	memset(&lf, 0, sizeof lf);
	lf.LoggerName = (LPSTR)name;
	lf.ProcessTraceMode = PROCESS_TRACE_MODE_REAL_TIME | PROCESS_TRACE_MODE_EVENT_RECORD;
	lf.EventRecordCallback = on_event;
	lf.Context = &c;
	TRACEHANDLE th = OpenTraceA(&lf);
	if (th == (TRACEHANDLE)INVALID_HANDLE_VALUE) {
		say(why, n, "OpenTrace", GetLastError());
		return ETW_FAILED;
	}
	ULONG e = ProcessTrace(&th, 1, NULL, NULL);
	CloseTrace(th);
	if (e != ERROR_SUCCESS && e != ERROR_CANCELLED) {
		say(why, n, "ProcessTrace", e);
		return ETW_FAILED;
	}
	return ETW_OK;
}

static int w_stop(void *ud, const char *name, uint64_t handle, etw_counters *c, char *why, size_t n)
{
	props x;
	(void)ud;
	props_init(&x, 0);
	ULONG e = ControlTraceA((TRACEHANDLE)handle, name, &x.p, EVENT_TRACE_CONTROL_STOP);
	if (e != ERROR_SUCCESS && e != ERROR_MORE_DATA) {
		say(why, n, "ControlTrace(STOP)", e);
		return ETW_FAILED;
	}
	counters(&x, c);
	return ETW_OK;
}

static int w_query(void *ud, const char *name, etw_counters *c, char *why, size_t n)
{
	props x;
	(void)ud;
	props_init(&x, 0);
	ULONG e = ControlTraceA(0, name, &x.p, EVENT_TRACE_CONTROL_QUERY);
	if (e == ERROR_WMI_INSTANCE_NOT_FOUND)
		return ETW_NOT_FOUND;
	if (e != ERROR_SUCCESS && e != ERROR_MORE_DATA) {
		say(why, n, "ControlTrace(QUERY)", e);
		return ETW_FAILED;
	}
	counters(&x, c);
	return ETW_OK;
}

static uint32_t w_self(void *ud)
{
	(void)ud;
	return (uint32_t)GetCurrentProcessId();
}

const etw_ops etw_win32_ops = {w_start, w_enable, w_process, w_stop, w_query, w_self};
