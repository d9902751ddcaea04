/*
 * etw_decode.h - the one ETW decoder: one event record (as a live
 * EVENT_RECORD callback receives it, or as the .etl reader lays it out from
 * a buffer) into kcap events.
 *
 * Both paths fill a kcap_etw_record and call kcap_etw_decode():
 *  - `kcap convert --from etl` (etl_file.c) walks the buffers of a file,
 *    inflates compressed ones, merges the per-CPU buffers into time order
 *    and turns every record header kind (SYSTEM, compact, PERFINFO,
 *    FULL_HEADER, EVENT_HEADER, 32 or 64 bit) into a kcap_etw_record;
 *  - `kcap record --source etw` (tools/record_etw/) copies the fields of
 *    each EVENT_RECORD (EVENT_HEADER, BufferContext, ExtendedData, UserData)
 *    into a kcap_etw_record in its callback.
 *
 * OS-independent C11: nothing here needs windows.h. GUIDs are their 16
 * bytes in Windows memory layout (Data1..Data3 little-endian, Data4 as is),
 * which is what memcpy from a GUID gives on Windows.
 *
 * What comes out (docs/ETW.md): kernel MOF classes and the manifest kernel
 * providers mapped onto the standard taxonomy (kcap/taxonomy.h), every
 * other event as a generic event of category "etw", one type per provider
 * ("etw:<provider>"), with its raw payload; DCStart rundown into the
 * process snapshot; the session (logfile header) into origin metadata; lost
 * events and buffers into loss counters. Every event the decoder writes
 * carries the ETW identity params (etw_provider, etw_id, etw_opcode,
 * etw_version, etw_header, etw_level, etw_keywords) after its own.
 *
 * The library never prints: errors are KCAP_E_* codes with a kcap_error.
 */
#ifndef KCAP_FORMATS_ETW_DECODE_H
#define KCAP_FORMATS_ETW_DECODE_H

#include <stddef.h>
#include <stdint.h>
#include <kcap/kcap.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- one record ---------------------------------------------------------- */

typedef struct kcap_etw_guid {
	uint8_t b[16]; /* Windows GUID layout: Data1 (LE u32), Data2, Data3 (LE u16), Data4[8] */
} kcap_etw_guid;

/* Which header the record had (the .etl header type byte names it; a live
 * EVENT_RECORD is KCAP_ETW_HDR_EVENT, or KCAP_ETW_HDR_CLASSIC when its
 * EVENT_HEADER_FLAG_CLASSIC_HEADER is set). */
enum kcap_etw_header_kind {
	KCAP_ETW_HDR_SYSTEM = 1,   /* SYSTEM_TRACE_HEADER (0x01 32-bit, 0x02 64-bit) */
	KCAP_ETW_HDR_COMPACT = 2,  /* compact system header (0x03, 0x04) */
	KCAP_ETW_HDR_PERFINFO = 3, /* PERFINFO_TRACE_HEADER (0x10, 0x11): no pid/tid */
	KCAP_ETW_HDR_FULL = 4,     /* EVENT_TRACE_HEADER (0x0A, 0x14): classic MOF with a class GUID */
	KCAP_ETW_HDR_EVENT = 5,    /* EVENT_HEADER (0x12, 0x13): manifest / TraceLogging */
	KCAP_ETW_HDR_CLASSIC = 6,  /* live: a classic event delivered as an EVENT_RECORD */
};

/* EVENT_HEADER.Flags (evntcons.h) the decoder looks at. */
enum {
	KCAP_ETW_F_EXTENDED_INFO = 0x0001,
	KCAP_ETW_F_PRIVATE_SESSION = 0x0002,
	KCAP_ETW_F_STRING_ONLY = 0x0004,
	KCAP_ETW_F_TRACE_MESSAGE = 0x0008,
	KCAP_ETW_F_NO_CPUTIME = 0x0010,
	KCAP_ETW_F_32_BIT_HEADER = 0x0020,
	KCAP_ETW_F_64_BIT_HEADER = 0x0040,
	KCAP_ETW_F_CLASSIC_HEADER = 0x0100,
	KCAP_ETW_F_PROCESSOR_INDEX = 0x0200,
};

/* EVENT_HEADER_EXTENDED_DATA_ITEM ExtType values the decoder uses. */
enum {
	KCAP_ETW_EXT_RELATED_ACTIVITYID = 1,
	KCAP_ETW_EXT_SID = 2,
	KCAP_ETW_EXT_TS_ID = 3,
	KCAP_ETW_EXT_INSTANCE_INFO = 4,
	KCAP_ETW_EXT_STACK_TRACE32 = 5,
	KCAP_ETW_EXT_STACK_TRACE64 = 6,
	KCAP_ETW_EXT_EVENT_SCHEMA_TL = 11,
	KCAP_ETW_EXT_PROV_TRAITS = 12,
};

/* One extended data item (EVENT_HEADER_EXTENDED_DATA_ITEM: ExtType,
 * DataSize, DataPtr). */
typedef struct kcap_etw_ext {
	uint16_t type;
	uint16_t size;
	const uint8_t *data;
} kcap_etw_ext;

#define KCAP_ETW_NO_ID UINT32_MAX /* pid / tid the header does not carry */

typedef struct kcap_etw_record {
	uint8_t kind;          /* KCAP_ETW_HDR_* */
	uint8_t ptr_size;      /* 4 or 8: pointer size of the payload's layout (the record's, not the file's) */
	uint16_t flags;        /* EVENT_HEADER.Flags (KCAP_ETW_F_*); 0 for classic .etl records */
	uint16_t event_property; /* EVENT_HEADER.EventProperty */
	/* Provider: EVENT_HEADER.ProviderId; for a classic record the MOF class
	 * GUID (FULL_HEADER's Guid; SYSTEM/compact/PERFINFO records carry none:
	 * leave it zero and set hook, the decoder names the class by its group). */
	kcap_etw_guid provider;
	uint16_t hook;         /* classic kernel records: HookId (group << 8 | opcode); else 0 */
	uint8_t has_hook;      /* hook is meaningful */
	/* EVENT_DESCRIPTOR. Classic records: opcode = class Type, version =
	 * class Version, level = class Level, id 0. */
	uint16_t id;
	uint8_t version;
	uint8_t channel;
	uint8_t level;
	uint8_t opcode;
	uint16_t task;
	uint64_t keywords;
	uint32_t pid, tid;     /* KCAP_ETW_NO_ID when absent (PERFINFO headers) */
	uint32_t cpu;          /* BufferContext processor (index), or the buffer's CPU */
	int64_t timestamp;     /* raw, in the session's clock (kcap_etw_clock) */
	uint64_t kernel_time, user_time; /* or ProcessorTime in kernel_time (NO_CPUTIME unset) */
	kcap_etw_guid activity_id;
	const kcap_etw_ext *ext; /* ExtendedData[0..next) */
	uint16_t next;
	const uint8_t *data;   /* UserData */
	uint32_t len;          /* UserDataLength */
	uint64_t src_offset;   /* where the record starts in its input (for notes); 0 live */
} kcap_etw_record;

/* ---- the session ----------------------------------------------------------- */

/* How raw timestamps become time: ReservedFlags of the logfile header
 * (WNODE_HEADER ClientContext) names the clock. */
enum kcap_etw_clock_type {
	KCAP_ETW_CLOCK_QPC = 1,      /* QueryPerformanceCounter ticks */
	KCAP_ETW_CLOCK_SYSTEM = 2,   /* system time: FILETIME (100 ns since 1601) */
	KCAP_ETW_CLOCK_CYCLES = 3,   /* CPU cycle counter */
	KCAP_ETW_CLOCK_FILETIME = 4, /* live: ProcessTrace already converted to FILETIME */
};

typedef struct kcap_etw_clock {
	int type;                /* KCAP_ETW_CLOCK_* */
	int64_t freq;            /* ticks per second: PerfFreq (QPC), CpuSpeedInMHz * 10^6 (cycles) */
	int64_t origin_ticks;    /* a raw timestamp ... */
	int64_t origin_filetime; /* ... and the FILETIME it was taken at (header record time, StartTime) */
} kcap_etw_clock;

/* The session, from the logfile header (TRACE_LOGFILE_HEADER) or the live
 * session's properties. Strings are NUL-terminated UTF-8 or NULL; copied. */
typedef struct kcap_etw_session {
	const char *logger_name;   /* LoggerName: "NT Kernel Logger", "Relogger" */
	const char *log_file_name;
	const char *computer_name; /* SystemConfig or the live host; NULL if unknown */
	uint8_t os_major, os_minor, os_sp_major, os_sp_minor; /* Version */
	uint32_t os_build;         /* ProviderVersion */
	uint32_t ncpus;            /* NumberOfProcessors */
	uint32_t ptr_size;         /* PointerSize of the writing kernel */
	uint32_t timer_resolution; /* 100 ns units */
	uint32_t log_file_mode;    /* EVENT_TRACE_* mode bits */
	uint32_t buffer_size;      /* logical buffer size */
	uint32_t cpu_mhz;
	int32_t tz_bias_minutes;
	int64_t start_filetime, end_filetime, boot_filetime; /* 0 if unknown */
	uint64_t events_lost, buffers_lost; /* the header's; live: session properties */
	kcap_etw_clock clock;
	const char *source;        /* KCAP_META_SOURCE: "etl" (file) or "etw" (live) */
} kcap_etw_session;

/* ---- the decoder ----------------------------------------------------------- */

/* Where the decoder's output goes. Every callback but event may be NULL. A
 * negative return ends decoding: the call that fed the record returns it. */
typedef struct kcap_etw_sink {
	/* The schema of every event type used so far: before the first event,
	 * again whenever a type is added (a new provider). */
	int (*set_schema)(void *ud, const kcap_schema *s);
	/* The session's origin metadata; returns the origin id events carry. */
	int (*add_origin)(void *ud, const kcap_meta *m);
	/* One event. ev->ts is UTC ns; everything it points to is valid during
	 * the call only. */
	int (*event)(void *ud, const kcap_event *ev);
	/* The process snapshot built from the DCStart rundown, once it is
	 * complete (the first event past the rundown, or at finish). */
	int (*set_snapshot)(void *ud, const kcap_snapshot *s);
	/* Loss counters (sources "etw-events-lost", "etw-buffers-lost"). */
	int (*set_stat)(void *ud, const kcap_stat *st);
} kcap_etw_sink;

typedef struct kcap_etw_decoder kcap_etw_decoder;

typedef struct kcap_etw_decoder_stats {
	uint64_t records;      /* records given */
	uint64_t events;       /* events handed to the sink */
	uint64_t mapped;       /* of which onto the taxonomy */
	uint64_t generic;      /* of which generic "etw:..." events */
	uint64_t short_payload; /* mapped records whose payload was shorter than the class: kept generic */
} kcap_etw_decoder_stats;

/* Creates a decoder handing its output to sink (copied) with ud. */
int kcap_etw_decoder_open(kcap_etw_decoder **d, const kcap_etw_sink *sink, void *ud, kcap_error *err);
/* Creates a decoder writing into w (opened by the caller, not closed here):
 * schema, origin, snapshot, stats and events go to the writer. */
int kcap_etw_decoder_open_writer(kcap_etw_decoder **d, kcap_writer *w, kcap_error *err);
/* Events are held (deep copies, in time order) until the process
 * snapshot of the start rundown is handed over, so that a capture's
 * snapshot comes before its first event: until the rundown ends (EventTrace
 * RundownComplete, or the first process start), kcap_etw_decoder_finish,
 * or max_events (default 200000; 64 MiB at most) are held. 0 never holds
 * (a live session without a process rundown, or a caller with a reorder
 * window of its own that writes the snapshot itself). Call before the
 * first record. */
void kcap_etw_decoder_set_hold(kcap_etw_decoder *d, uint64_t max_events);
/* Frees; NULL is a no-op. Call kcap_etw_decoder_finish first to flush. */
void kcap_etw_decoder_close(kcap_etw_decoder *d);

/* The session: sets the clock and writes the origin metadata. Must come
 * before the first record; may be called again (a merged file's next
 * logfile header) to update loss totals (metadata and clock stay the
 * first's). */
int kcap_etw_decoder_session(kcap_etw_decoder *d, const kcap_etw_session *s);
/* Decodes one record into zero or more events (a rundown record also fills
 * the snapshot). Returns 0 or a negative KCAP_E_* (a sink error or
 * KCAP_E_NOMEM), which ends decoding. A payload too short for its class is
 * not an error: the record is kept as a generic event and counted. */
int kcap_etw_decode(kcap_etw_decoder *d, const kcap_etw_record *rec);
/* Loss seen by the caller (a buffer flagged as having lost events, the
 * live session's EventsLost / RealTimeBuffersLost): free-running totals
 * for cpu (UINT32_MAX: not per CPU) of source. */
int kcap_etw_decoder_loss(kcap_etw_decoder *d, uint32_t cpu, const char *source, uint64_t seen, uint64_t lost);
/* Raw timestamp to UTC ns with the session's clock. */
int64_t kcap_etw_decoder_time(const kcap_etw_decoder *d, int64_t raw);
/* Hands over what is pending (the snapshot if not given yet, the events
 * held for it, the loss counters). Returns 0 or the sink's error. */
int kcap_etw_decoder_finish(kcap_etw_decoder *d);
const kcap_etw_decoder_stats *kcap_etw_decoder_get_stats(const kcap_etw_decoder *d);
/* The schema the decoder declares (the taxonomy types it maps onto, with
 * the ETW params appended, and the generic types so far). */
const kcap_schema *kcap_etw_decoder_schema(const kcap_etw_decoder *d);

/* ---- helpers shared with the live recorder ---------------------------------- */

/* Formats a GUID as 36 lowercase characters plus NUL ("3d6fa8d0-fe05-..."). */
void kcap_etw_guid_format(const kcap_etw_guid *g, char out[37]);
/* FILETIME (100 ns since 1601-01-01 UTC) to ns since the Unix epoch. */
int64_t kcap_etw_filetime_to_ns(int64_t ft);

#ifdef __cplusplus
}
#endif
#endif
