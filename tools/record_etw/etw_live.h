/*
 * etw_live.h - `kcap record --source etw`: the live ETW frontend.
 *
 * Three parts (docs/ETW.md, "The live recorder"):
 *  - etw_event_record: EVENT_RECORD (evntcons.h) as its bytes lie on 64-bit
 *    Windows, declared here so that the callback's conversion builds and
 *    is tested on any system; etw_win32.c checks at compile time that every
 *    field lies where Windows puts it, and hands its EVENT_RECORD over cast.
 *  - etw_ops: the seam. Every call that starts, feeds, queries or stops the
 *    kernel session goes through this const table: etw_win32.c's real one,
 *    or a test's (tests/record_etw).
 *  - the frontend (etw_live.c, rec_frontend_etw): the callback copies each
 *    record into a queue (it runs on the ProcessTrace thread); poll() hands
 *    the queued records to the one ETW decoder (formats/etw/etw_decode.h),
 *    whose events go to rec_submit(); the session is stopped exactly once
 *    on every way out (Ctrl-C, --duration, --count, a closed console, an
 *    error at start or while running).
 */
#ifndef KCAP_TOOLS_ETW_LIVE_H
#define KCAP_TOOLS_ETW_LIVE_H

#include <stddef.h>
#include <stdint.h>

#include "etw/etw_decode.h"

/* ---- EVENT_RECORD, 64-bit layout ---- */

typedef struct etw_guid_t {
	uint32_t data1;
	uint16_t data2, data3;
	uint8_t data4[8];
} etw_guid_t;

typedef struct etw_event_descriptor {
	uint16_t id;
	uint8_t version, channel, level, opcode;
	uint16_t task;
	uint64_t keyword;
} etw_event_descriptor;

typedef struct etw_event_header {
	uint16_t size, header_type, flags, event_property;
	uint32_t thread_id, process_id;
	int64_t timestamp;
	etw_guid_t provider_id;
	etw_event_descriptor descriptor;
	union {
		struct {
			uint32_t kernel_time, user_time;
		} t;
		uint64_t processor_time;
	} u;
	etw_guid_t activity_id;
} etw_event_header;

typedef struct etw_buffer_context {
	union {
		struct {
			uint8_t processor_number, alignment;
		} p;
		uint16_t processor_index;
	} u;
	uint16_t logger_id;
} etw_buffer_context;

typedef struct etw_ext_item {
	uint16_t reserved1, ext_type;
	uint16_t linkage; /* Linkage:1, Reserved2:15 */
	uint16_t data_size;
	uint64_t data_ptr;
} etw_ext_item;

typedef struct etw_event_record {
	etw_event_header header;
	etw_buffer_context buffer_context;
	uint16_t extended_data_count, user_data_length;
	const etw_ext_item *extended_data;
	const void *user_data;
	void *user_context;
} etw_event_record;

/* The conversion of the callback: er into rec, with er's extended data items
 * in ext[0..cap) (rec->ext points there). Pointers of rec point into er. */
void etw_record_from_event(const etw_event_record *er, kcap_etw_record *rec, kcap_etw_ext *ext, size_t cap);

/* ---- the seam ---- */

enum { ETW_OK = 0, ETW_FAILED = -1, ETW_EXISTS = -2, ETW_NOT_FOUND = -3 };

/* What ControlTrace (QUERY, STOP) says of a session. */
typedef struct etw_counters {
	uint64_t events_lost;
	uint64_t rt_buffers_lost;
	uint64_t buffers_written;
	uint32_t ncpus;
} etw_counters;

typedef void (*etw_record_cb)(void *ctx, const etw_event_record *er);

typedef struct etw_ops {
	/* Starts the real-time kernel session name with the kernel flags;
	 * ETW_EXISTS when a session of that name runs already (never reused). */
	int (*start)(void *ud, const char *name, uint32_t flags, uint64_t *handle, char *why, size_t n);
	/* Asks for the start rundown (process, thread, image DCStart). */
	int (*enable)(void *ud, uint64_t handle, char *why, size_t n);
	/* Consumes the session in real time, calling cb(ctx, ...) for every
	 * record, until the session stops (returns 0) or fails (< 0). Runs on a
	 * thread of its own. */
	int (*process)(void *ud, const char *name, etw_record_cb cb, void *ctx, char *why, size_t n);
	/* Stops the session; fills c with its last counters. */
	int (*stop)(void *ud, const char *name, uint64_t handle, etw_counters *c, char *why, size_t n);
	/* The counters of the running session name; ETW_NOT_FOUND when none. */
	int (*query)(void *ud, const char *name, etw_counters *c, char *why, size_t n);
	/* The recorder's own process id, whose events are not recorded. */
	uint32_t (*self_pid)(void *ud);
} etw_ops;

/* The ops rec_frontend_etw uses, and their ud: etw_win32_ops on Windows; a
 * test sets its own before rec_run(). */
extern const etw_ops *etw_live_ops;
extern void *etw_live_ops_ud;
/* The session name and the kernel flags started (EVENT_TRACE_FLAG_*). */
#define ETW_LIVE_SESSION "NT Kernel Logger"
#define ETW_LIVE_FLAGS                                                                                               \
	(0x00000001u /* PROCESS */ | 0x00000002u /* THREAD */ | 0x00000004u /* IMAGE_LOAD */ |                       \
	 0x00000100u /* DISK_IO */ | 0x00000200u /* DISK_FILE_IO */ | 0x02000000u /* FILE_IO */ |                    \
	 0x04000000u /* FILE_IO_INIT */ | 0x00010000u /* NETWORK_TCPIP */ | 0x00020000u /* REGISTRY */)

/* Console events (SetConsoleCtrlHandler's CTRL_*_EVENT numbers): Ctrl-C and
 * Ctrl-Break stop the recording as SIGINT does; a closed console, a logoff
 * or a shutdown stop the session at once (the process is ended when the
 * handler returns). Returns 1 when handled. */
int etw_live_console_event(unsigned type);

/* Times the session was stopped by this process (tests). */
unsigned etw_live_stops(void);

#endif
