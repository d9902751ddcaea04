/* etw_classes.c - the kernel MOF classes (by hook group or class GUID) and
 * the manifest kernel providers, mapped onto the standard taxonomy
 * (docs/ETW.md lists what maps where). Payload layouts are the documented
 * MOF classes (Process_TypeGroup1, Thread_TypeGroup1, Image_Load,
 * FileIo_*, DiskIo_TypeGroup1, TcpIp_*, UdpIp_TypeGroup1,
 * Registry_TypeGroup1) in the versions FORMAT-NOTES.md gives; pointers
 * take the record's pointer size. */
#include <stdatomic.h>
#include <stdio.h>

#include "etw_priv.h"

#define G(d1, d2, d3, a, b, c, e, f, g, h, i) \
	{ { (uint8_t)(d1), (uint8_t)((d1) >> 8), (uint8_t)((d1) >> 16), (uint8_t)((uint32_t)(d1) >> 24), \
	    (uint8_t)(d2), (uint8_t)((d2) >> 8), (uint8_t)(d3), (uint8_t)((d3) >> 8), a, b, c, e, f, g, h, i } }

static const struct {
	int group;
	int cls;
	const char *name;
	kcap_etw_guid g;
} CLASSES[] = {
	{ 0x00, ETW_C_HEADER, "EventTrace", G(0x68fdd900, 0x4a3e, 0x11d1, 0x84, 0xf4, 0x00, 0x00, 0xf8, 0x04, 0x64, 0xe3) },
	{ 0x01, ETW_C_DISKIO, "DiskIo", G(0x3d6fa8d4, 0xfe05, 0x11d0, 0x9d, 0xda, 0x00, 0xc0, 0x4f, 0xd7, 0xba, 0x7c) },
	{ 0x02, ETW_C_PAGEFAULT, "PageFault", G(0x3d6fa8d3, 0xfe05, 0x11d0, 0x9d, 0xda, 0x00, 0xc0, 0x4f, 0xd7, 0xba, 0x7c) },
	{ 0x03, ETW_C_PROCESS, "Process", G(0x3d6fa8d0, 0xfe05, 0x11d0, 0x9d, 0xda, 0x00, 0xc0, 0x4f, 0xd7, 0xba, 0x7c) },
	{ 0x04, ETW_C_FILEIO, "FileIo", G(0x90cbdc39, 0x4a3e, 0x11d1, 0x84, 0xf4, 0x00, 0x00, 0xf8, 0x04, 0x64, 0xe3) },
	{ 0x05, ETW_C_THREAD, "Thread", G(0x3d6fa8d1, 0xfe05, 0x11d0, 0x9d, 0xda, 0x00, 0xc0, 0x4f, 0xd7, 0xba, 0x7c) },
	{ 0x06, ETW_C_TCPIP, "TcpIp", G(0x9a280ac0, 0xc8e0, 0x11d1, 0x84, 0xe2, 0x00, 0xc0, 0x4f, 0xb9, 0x98, 0xa2) },
	{ 0x08, ETW_C_UDPIP, "UdpIp", G(0xbf3a50c5, 0xa9c9, 0x4988, 0xa0, 0x05, 0x2d, 0xf0, 0xb7, 0xc8, 0x0f, 0x80) },
	{ 0x09, ETW_C_REGISTRY, "Registry", G(0xae53722e, 0xc863, 0x11d2, 0x86, 0x59, 0x00, 0xc0, 0x4f, 0xa3, 0x21, 0xa1) },
	{ 0x0b, ETW_C_SYSCONFIG, "SystemConfig", G(0x01853a65, 0x418f, 0x4f36, 0xae, 0xfc, 0xdc, 0x0f, 0x1d, 0x2f, 0xd2, 0x35) },
	{ 0x0f, ETW_C_PERFINFO, "PerfInfo", G(0xce1dbfb4, 0x137e, 0x4da6, 0x87, 0xb0, 0x3f, 0x59, 0xaa, 0x10, 0x2c, 0xbc) },
	{ 0x10, ETW_C_NONE, "Heap", G(0x222962ab, 0x6180, 0x4b88, 0xa8, 0x25, 0x34, 0x6b, 0x75, 0xf2, 0xa2, 0x4a) },
	{ 0x11, ETW_C_NONE, "Object", G(0x89497f50, 0xeffe, 0x4440, 0x8c, 0xf2, 0xce, 0x6b, 0x1c, 0xdc, 0xac, 0xa7) },
	{ 0x14, ETW_C_IMAGE, "Image", G(0x2cb15d1d, 0x5fc1, 0x11d2, 0xab, 0xe1, 0x00, 0xa0, 0xc9, 0x11, 0xf5, 0x18) },
	{ 0x17, ETW_C_NONE, "CritSec", G(0x3ac66736, 0xcc59, 0x4cff, 0x81, 0x15, 0x8d, 0xf5, 0x0e, 0x39, 0x81, 0x6b) },
	{ 0x18, ETW_C_STACKWALK, "StackWalk", G(0xdef2fe46, 0x7bd6, 0x4b80, 0xbd, 0x94, 0xf5, 0x7f, 0xe2, 0x0d, 0x0c, 0xe3) },
	{ 0x1a, ETW_C_NONE, "ALPC", G(0x45d8cccd, 0x539f, 0x4b72, 0xa8, 0xb7, 0x5c, 0x68, 0x31, 0x42, 0x60, 0x9a) },
	{ 0x1b, ETW_C_NONE, "SplitIo", G(0xd837ca92, 0x12b9, 0x44a5, 0xad, 0x6a, 0x3a, 0x65, 0xb3, 0x57, 0x8a, 0xa8) },
	{ 0x1c, ETW_C_NONE, "ThreadPool", G(0xc861d0e2, 0xa2c1, 0x4d36, 0x9f, 0x9c, 0x97, 0x0b, 0xab, 0x94, 0x3a, 0x12) },
	/* manifest kernel providers */
	{ -1, ETW_C_K_PROCESS, "Microsoft-Windows-Kernel-Process",
	  G(0x22fb2cd6, 0x0e7b, 0x422b, 0xa0, 0xc7, 0x2f, 0xad, 0x1f, 0xd0, 0xe7, 0x16) },
	{ -1, ETW_C_K_FILE, "Microsoft-Windows-Kernel-File",
	  G(0xedd08927, 0x9cc4, 0x4e65, 0xb9, 0x70, 0xc2, 0x56, 0x0f, 0xb5, 0xc2, 0x89) },
	{ -1, ETW_C_K_NETWORK, "Microsoft-Windows-Kernel-Network",
	  G(0x7dd42a49, 0x5329, 0x4832, 0x8d, 0xfd, 0x43, 0xd9, 0x79, 0x15, 0x3a, 0x88) },
	{ -1, ETW_C_K_REGISTRY, "Microsoft-Windows-Kernel-Registry",
	  G(0x70eb4f03, 0xc1de, 0x4f73, 0xa0, 0x51, 0x33, 0xd1, 0x3d, 0x54, 0x13, 0xbd) },
	/* other well-known providers, for the names of their generic types */
	{ -1, ETW_C_NONE, "Microsoft-Windows-DotNETRuntime",
	  G(0xe13c0d23, 0xccbc, 0x4e12, 0x93, 0x1b, 0xd9, 0xcc, 0x2e, 0xee, 0x27, 0xe4) },
	{ -1, ETW_C_NONE, "Microsoft-Windows-DotNETRuntimeRundown",
	  G(0xa669021c, 0xc450, 0x4609, 0xa0, 0x35, 0x5a, 0xf5, 0x9a, 0xf4, 0xdf, 0x18) },
	{ -1, ETW_C_NONE, "Microsoft-Windows-DotNETRuntimePrivate",
	  G(0x763fd754, 0x7086, 0x4dfe, 0x95, 0xeb, 0xc0, 0x1a, 0x46, 0xfa, 0xf4, 0xca) },
	{ -1, ETW_C_NONE, "Microsoft-Windows-Kernel-EventTracing",
	  G(0xb675ec37, 0xbdb6, 0x4648, 0xbc, 0x92, 0xf3, 0xfd, 0xc7, 0x4d, 0x3c, 0xa2) },
	{ -1, ETW_C_NONE, "KernelTraceControl-ImageID",
	  G(0xb3e675d7, 0x2554, 0x4f18, 0x83, 0x0b, 0x27, 0x62, 0x73, 0x25, 0x60, 0xde) },
};
#define NCLASSES (sizeof CLASSES / sizeof CLASSES[0])

/* The table row of a hook group (the rows of the groups come first, in
 * ascending group order), or -1: a table by group, filled once (the same
 * values whichever thread fills it; the release store of ready publishes
 * them to a thread whose acquire load sees it). */
static int group_row(int group)
{
	static _Atomic signed char rows[256];
	static atomic_int ready;
	if (group < 0 || group > 255)
		return -1;
	if (!atomic_load_explicit(&ready, memory_order_acquire)) {
		signed char t[256];
		memset(t, -1, sizeof t);
		for (size_t i = 0; i < NCLASSES; i++)
			if (CLASSES[i].group >= 0)
				t[CLASSES[i].group] = (signed char)i;
		for (size_t i = 0; i < 256; i++)
			atomic_store_explicit(&rows[i], t[i], memory_order_relaxed);
		atomic_store_explicit(&ready, 1, memory_order_release);
	}
	return atomic_load_explicit(&rows[group], memory_order_relaxed);
}

/* The table row of a provider or class GUID, or -1: an open-addressing
 * table of 128 slots by the GUID's first word, filled once like rows above,
 * with the same publication (every record of a manifest provider looks its GUID up). */
static int guid_row(const kcap_etw_guid *g)
{
	enum { SLOTS = 128 };
	static _Atomic signed char slot[SLOTS];
	static atomic_int ready;
	_Static_assert(NCLASSES < SLOTS / 2 && NCLASSES < 128, "guid_row: table too small");
	uint32_t h0;
	memcpy(&h0, g->b, 4);
	if (!atomic_load_explicit(&ready, memory_order_acquire)) {
		signed char t[SLOTS];
		memset(t, -1, sizeof t);
		for (size_t i = 0; i < NCLASSES; i++) {
			uint32_t h;
			memcpy(&h, CLASSES[i].g.b, 4);
			size_t k = (h * 2654435761u) >> 25;
			while (t[k] >= 0 && memcmp(CLASSES[t[k]].g.b, CLASSES[i].g.b, 16))
				k = (k + 1) % SLOTS;
			if (t[k] < 0)
				t[k] = (signed char)i; /* a GUID listed twice keeps its first row */
		}
		for (size_t k = 0; k < SLOTS; k++)
			atomic_store_explicit(&slot[k], t[k], memory_order_relaxed);
		atomic_store_explicit(&ready, 1, memory_order_release);
	}
	for (size_t k = (h0 * 2654435761u) >> 25;; k = (k + 1) % SLOTS) {
		int i = atomic_load_explicit(&slot[k], memory_order_relaxed);
		if (i < 0 || !memcmp(CLASSES[i].g.b, g->b, 16))
			return i;
	}
}

const kcap_etw_guid *etw_group_guid(int group)
{
	int i = group_row(group);
	return i >= 0 ? &CLASSES[i].g : NULL;
}

const char *etw_provider_name(const kcap_etw_guid *g)
{
	int i = guid_row(g);
	return i >= 0 ? CLASSES[i].name : NULL;
}

int etw_provider_index(const kcap_etw_guid *g) { return guid_row(g); }

int etw_class_of(const kcap_etw_record *r, int *group)
{
	*group = r->has_hook ? r->hook >> 8 : -1;
	if (r->has_hook) {
		int i = group_row(*group);
		return i >= 0 && r->kind != KCAP_ETW_HDR_EVENT ? CLASSES[i].cls : ETW_C_NONE;
	}
	int i = guid_row(&r->provider);
	if (i < 0)
		return ETW_C_NONE;
	/* a manifest provider is one only with an EVENT_HEADER; a classic
	 * class is one only without */
	int manifest = CLASSES[i].group < 0;
	int event = r->kind == KCAP_ETW_HDR_EVENT && !(r->flags & KCAP_ETW_F_CLASSIC_HEADER);
	if (manifest != event)
		return ETW_C_NONE;
	return CLASSES[i].cls;
}

/* ---- helpers ---- */
static void cur_init(etw_cur *c, const kcap_etw_record *r)
{
	c->p = r->data;
	c->n = r->len;
	c->off = 0;
	c->ptr = r->ptr_size == 4 ? 4 : 8;
	c->bad = 0;
}

static int pid_ok(uint64_t v) { return v <= INT32_MAX; }

/* Process_TypeGroup1 v1..v5 into the PROCESS params at x, the event's pid
 * made the payload's. *pid, *ppid, the strings for the state. */
typedef struct proc_fields {
	uint32_t pid, ppid, session;
	int32_t exit_status;
	uint64_t key, flags;
	int has_flags;
	const uint8_t *sid, *image, *cmd, *pkg, *app;
	size_t nsid, nimage, ncmd, npkg, napp;
} proc_fields;

static int parse_process(etw_cur *c, int version, proc_fields *f)
{
	memset(f, 0, sizeof *f);
	if (version < 1)
		return 0;
	f->key = ETW_PTR(c); /* v1: PageDirectoryBase; v2+: UniqueProcessKey */
	f->pid = ETW_U32(c);
	f->ppid = ETW_U32(c);
	f->session = ETW_U32(c);
	f->exit_status = (int32_t)ETW_U32(c);
	if (version >= 3)
		(void)ETW_PTR(c); /* DirectoryTableBase */
	if (version >= 4) {
		f->flags = ETW_U32(c);
		f->has_flags = 1;
	}
	etw_sid(c, &f->sid, &f->nsid);
	etw_cstr(c, &f->image, &f->nimage);
	if (version >= 2)
		etw_wstr(c, &f->cmd, &f->ncmd);
	if (version >= 4 && c->off < c->n) {
		etw_wstr(c, &f->pkg, &f->npkg);
		if (c->off < c->n)
			etw_wstr(c, &f->app, &f->napp);
	}
	return !c->bad;
}

static int put_process(kcap_etw_decoder *d, uint32_t x, const proc_fields *f, int version)
{
	int rc = etw_set_ansi(d, x + KCAP_P_PROCESS_IMAGE, f->image, f->nimage);
	if (version >= 2)
		rc |= etw_set_utf16(d, x + KCAP_P_PROCESS_CMDLINE, f->cmd, f->ncmd);
	etw_set_u(d, x + KCAP_P_PROCESS_SESSION, f->session);
	etw_set_i(d, x + KCAP_P_PROCESS_EXIT_STATUS, f->exit_status);
	if (f->sid)
		etw_set_bytes(d, x + KCAP_P_PROCESS_USER_SID, f->sid, f->nsid);
	if (version >= 2)
		etw_set_u(d, x + KCAP_P_PROCESS_KEY, f->key);
	if (f->has_flags)
		etw_set_u(d, x + KCAP_P_PROCESS_FLAGS, f->flags);
	if (f->pkg)
		rc |= etw_set_utf16(d, x + KCAP_P_PROCESS_PACKAGE, f->pkg, f->npkg);
	if (f->app)
		rc |= etw_set_utf16(d, x + KCAP_P_PROCESS_APP_ID, f->app, f->napp);
	etw_set_pid(d, (int32_t)f->pid);
	if (f->ppid <= INT32_MAX)
		etw_set_ppid(d, (int32_t)f->ppid);
	return rc ? KCAP_E_NOMEM : 0;
}

static int map_process(kcap_etw_decoder *d, const kcap_etw_record *r, int *shortp)
{
	int op = r->opcode;
	uint32_t type;
	switch (op) {
	case 1: type = KCAP_EV_EXECVE; break;
	case 2: type = KCAP_EV_EXIT_GROUP; break;
	case 3: case 4: case 39: type = KCAP_EV_PROCESS_RUNDOWN; break;
	case 10: return -100; /* Image Load logged under the Process group: the Image class's */
	default: return 0;
	}
	etw_cur c;
	cur_init(&c, r);
	proc_fields f;
	if (!parse_process(&c, r->version, &f) || !pid_ok(f.pid)) {
		*shortp = 1;
		return 0;
	}
	int rc;
	/* a process start (and rundown) names the process for later events */
	if ((op == 1 || op == 3) && (rc = etw_proc_set(d, f.pid, f.ppid, (const char *)f.image, f.nimage)) < 0)
		return rc;
	if (op == 1 && (rc = etw_snap_flush(d)) < 0) /* the rundown is over */
		return rc;
	if ((rc = etw_ev_begin(d, type, r)) < 0)
		return rc;
	uint32_t x = etw_ext_off(d, type);
	if (type == KCAP_EV_PROCESS_RUNDOWN)
		x = 0;
	if ((rc = put_process(d, x, &f, r->version)) < 0)
		return rc;
	if (type == KCAP_EV_EXECVE) {
		etw_set_ansi(d, KCAP_P_EXEC_PATH, f.image, f.nimage);
		if (r->version >= 2)
			etw_set_strlist1(d, KCAP_P_EXEC_ARGV, f.cmd, f.ncmd);
		etw_set_i(d, KCAP_P_EXEC_RET, 0);
	} else if (type == KCAP_EV_EXIT_GROUP) {
		etw_set_i(d, KCAP_P_EXIT_STATUS, f.exit_status);
	}
	if (op == 3) {
		size_t ni, nc;
		const char *im = etw_value_text(d, x + KCAP_P_PROCESS_IMAGE, &ni);
		const char *cm = etw_value_text(d, x + KCAP_P_PROCESS_CMDLINE, &nc);
		if ((rc = etw_snap_add(d, f.pid, f.ppid, im ? im : "", ni, cm ? cm : "", nc, 0)) < 0)
			return rc;
	}
	/* an ended process keeps its entry (the kernel's and the manifest
	 * provider's end events both name it); a new start replaces it */
	return (rc = etw_ev_emit(d)) < 0 ? rc : 1;
}

/* Thread_TypeGroup1 v1..v4. */
static int map_thread(kcap_etw_decoder *d, const kcap_etw_record *r, int *shortp)
{
	uint32_t type;
	switch (r->opcode) {
	case 1: type = KCAP_EV_THREAD_START; break;
	case 2: type = KCAP_EV_THREAD_END; break;
	case 3: case 4: type = KCAP_EV_THREAD_RUNDOWN; break;
	default: return 0;
	}
	if (r->version < 1) {
		*shortp = 1;
		return 0;
	}
	etw_cur c;
	cur_init(&c, r);
	uint32_t pid = ETW_U32(&c), tid = ETW_U32(&c);
	uint64_t sb = ETW_PTR(&c), sl = ETW_PTR(&c), usb = ETW_PTR(&c), usl = ETW_PTR(&c);
	uint64_t start = ETW_PTR(&c), w32 = ETW_PTR(&c), teb = ETW_PTR(&c);
	if (c.bad || !pid_ok(pid) || !pid_ok(tid)) {
		*shortp = 1;
		return 0;
	}
	const uint8_t *name = NULL;
	size_t nname = 0;
	if (r->version >= 3) {
		etw_skip(&c, 4 + 4); /* SubProcessTag; priorities and flags */
		if (!c.bad && c.n - c.off >= 2)
			etw_wstr(&c, &name, &nname);
	}
	int rc = etw_ev_begin(d, type, r);
	if (rc < 0)
		return rc;
	etw_set_pid(d, (int32_t)pid);
	etw_set_u(d, KCAP_P_THREAD_TID, tid);
	etw_set_u(d, KCAP_P_THREAD_STACK_BASE, sb);
	etw_set_u(d, KCAP_P_THREAD_STACK_LIMIT, sl);
	etw_set_u(d, KCAP_P_THREAD_USER_STACK_BASE, usb);
	etw_set_u(d, KCAP_P_THREAD_USER_STACK_LIMIT, usl);
	etw_set_u(d, KCAP_P_THREAD_START_ADDR, start);
	etw_set_u(d, KCAP_P_THREAD_WIN32_START_ADDR, w32);
	etw_set_u(d, KCAP_P_THREAD_TEB, teb);
	if (name && nname && etw_set_utf16(d, KCAP_P_THREAD_NAME, name, nname))
		return KCAP_E_NOMEM;
	if (r->opcode != 1)
		etw_set_tid(d, (int32_t)tid);
	if ((rc = etw_ev_emit(d)) < 0)
		return rc;
	return 1;
}

/* Image_Load v0..v3 (Load 10, Unload 2, DCStart 3, DCEnd 4). */
static int map_image(kcap_etw_decoder *d, const kcap_etw_record *r, int *shortp)
{
	uint32_t type;
	switch (r->opcode) {
	case 10: type = KCAP_EV_IMAGE_LOAD; break;
	case 2: type = KCAP_EV_IMAGE_UNLOAD; break;
	case 3: case 4: type = KCAP_EV_IMAGE_RUNDOWN; break;
	default: return 0;
	}
	etw_cur c;
	cur_init(&c, r);
	uint64_t base = ETW_PTR(&c), size, defbase = 0;
	uint32_t pid = r->pid, sum = 0, stamp = 0;
	int have_sum = 0;
	if (r->version == 0) {
		size = ETW_U32(&c);
	} else {
		size = ETW_PTR(&c);
		pid = ETW_U32(&c);
		if (r->version >= 2) {
			sum = ETW_U32(&c);
			stamp = ETW_U32(&c);
			have_sum = 1;
			etw_skip(&c, 4); /* v2 Reserved0; v3 SignatureLevel, SignatureType, Reserved0 */
			defbase = ETW_PTR(&c);
			etw_skip(&c, 16); /* Reserved1..4 */
		}
	}
	const uint8_t *fn;
	size_t nfn;
	etw_wstr(&c, &fn, &nfn);
	if (c.bad || !pid_ok(pid)) {
		*shortp = 1;
		return 0;
	}
	int rc = etw_ev_begin(d, type, r);
	if (rc < 0)
		return rc;
	if (pid != KCAP_ETW_NO_ID)
		etw_set_pid(d, (int32_t)pid);
	if (etw_set_utf16(d, KCAP_P_IMAGE_PATH, fn, nfn))
		return KCAP_E_NOMEM;
	etw_set_u(d, KCAP_P_IMAGE_BASE, base);
	etw_set_u(d, KCAP_P_IMAGE_SIZE, size);
	if (have_sum) {
		etw_set_u(d, KCAP_P_IMAGE_CHECKSUM, sum);
		etw_set_u(d, KCAP_P_IMAGE_TIMESTAMP, stamp);
		etw_set_u(d, KCAP_P_IMAGE_DEFAULT_BASE, defbase);
	}
	if ((rc = etw_ev_emit(d)) < 0)
		return rc;
	return 1;
}

/* The resolved path of a file object into param i (when known). */
static void put_file_path(kcap_etw_decoder *d, uint32_t i, uint64_t fo)
{
	size_t n;
	const char *s = etw_file_name_get(d, fo, &n);
	if (s)
		etw_set_text(d, i, s, n);
}

/* FileIo: name events (0, 32, 35, 36) and operations (64-76), v2 and v3. */
static int map_fileio(kcap_etw_decoder *d, const kcap_etw_record *r, int *shortp)
{
	etw_cur c;
	cur_init(&c, r);
	int op = r->opcode, v3 = r->version >= 3, rc;
	if (r->version < 2)
		return 0;
	if (op == 0 || op == 32 || op == 35 || op == 36) {
		uint64_t fo = ETW_PTR(&c);
		const uint8_t *fn;
		size_t nfn;
		etw_wstr(&c, &fn, &nfn);
		if (c.bad) {
			*shortp = 1;
			return 0;
		}
		if ((rc = etw_ev_begin(d, KCAP_EV_FILE_NAME, r)) < 0)
			return rc;
		etw_set_u(d, KCAP_P_FILENAME_FILE_OBJECT, fo);
		if (etw_set_utf16(d, KCAP_P_FILENAME_PATH, fn, nfn))
			return KCAP_E_NOMEM;
		size_t n;
		const char *s = etw_value_text(d, KCAP_P_FILENAME_PATH, &n);
		if (op == 35)
			etw_file_name_del(d, fo);
		else if (s && (rc = etw_file_name_set(d, fo, s, n)) < 0)
			return rc;
		return (rc = etw_ev_emit(d)) < 0 ? rc : 1;
	}
	uint32_t type;
	switch (op) {
	case 64: type = KCAP_EV_OPEN; break;
	case 65: type = KCAP_EV_FILE_CLEANUP; break;
	case 66: type = KCAP_EV_CLOSE; break;
	case 67: type = KCAP_EV_READ; break;
	case 68: type = KCAP_EV_WRITE; break;
	case 70: type = KCAP_EV_UNLINK; break;
	case 71: type = KCAP_EV_RENAME; break;
	default: return 0;
	}
	uint64_t irp = 0, fo = 0, key = 0, ttid = 0, offset = 0, extra = 0;
	uint32_t opts = 0, attrs = 0, share = 0, iosize = 0, ioflags = 0, infoclass = 0;
	const uint8_t *fn = NULL;
	size_t nfn = 0;
	if (op == 64) {
		irp = ETW_PTR(&c);
		if (v3) {
			fo = ETW_PTR(&c);
			ttid = ETW_U32(&c);
		} else {
			ttid = ETW_PTR(&c);
			fo = ETW_PTR(&c);
		}
		opts = ETW_U32(&c);
		attrs = ETW_U32(&c);
		share = ETW_U32(&c);
		etw_wstr(&c, &fn, &nfn);
	} else if (op == 65 || op == 66) {
		irp = ETW_PTR(&c);
		if (!v3)
			ttid = ETW_PTR(&c);
		fo = ETW_PTR(&c);
		key = ETW_PTR(&c);
		if (v3)
			ttid = ETW_U32(&c);
	} else if (op == 67 || op == 68) {
		offset = ETW_U64(&c);
		irp = ETW_PTR(&c);
		if (!v3)
			ttid = ETW_PTR(&c);
		fo = ETW_PTR(&c);
		key = ETW_PTR(&c);
		if (v3)
			ttid = ETW_U32(&c);
		iosize = ETW_U32(&c);
		ioflags = ETW_U32(&c);
	} else {
		irp = ETW_PTR(&c);
		if (!v3)
			ttid = ETW_PTR(&c);
		fo = ETW_PTR(&c);
		key = ETW_PTR(&c);
		extra = ETW_PTR(&c);
		if (v3)
			ttid = ETW_U32(&c);
		infoclass = ETW_U32(&c);
	}
	if (c.bad) {
		*shortp = 1;
		return 0;
	}
	if ((rc = etw_ev_begin(d, type, r)) < 0)
		return rc;
	if (ttid && pid_ok(ttid))
		etw_set_tid(d, (int32_t)ttid);
	uint32_t x = etw_ext_off(d, type);
	if (type == KCAP_EV_FILE_CLEANUP) {
		etw_set_u(d, KCAP_P_FILENAME_FILE_OBJECT, fo);
		put_file_path(d, KCAP_P_FILENAME_PATH, fo);
		return (rc = etw_ev_emit(d)) < 0 ? rc : 1;
	}
	etw_set_u(d, x + ETW_X_FILE_OBJECT, fo);
	etw_set_u(d, x + ETW_X_IRP, irp);
	if (op != 64)
		etw_set_u(d, x + ETW_X_FILE_KEY, key);
	if (ttid && pid_ok(ttid))
		etw_set_u(d, x + ETW_X_TTID, ttid);
	switch (type) {
	case KCAP_EV_OPEN: {
		if (etw_set_utf16(d, KCAP_P_OPEN_PATH, fn, nfn))
			return KCAP_E_NOMEM;
		size_t n;
		const char *s = etw_value_text(d, KCAP_P_OPEN_PATH, &n);
		if (s && (rc = etw_file_name_set(d, fo, s, n)) < 0)
			return rc;
		etw_set_u(d, x + ETW_X_CREATE_OPTIONS, opts);
		etw_set_u(d, x + ETW_X_ATTRIBUTES, attrs);
		etw_set_u(d, x + ETW_X_SHARE_ACCESS, share);
		break;
	}
	case KCAP_EV_READ: case KCAP_EV_WRITE:
		etw_set_u(d, KCAP_P_RW_COUNT, iosize);
		etw_set_i(d, KCAP_P_RW_OFFSET, (int64_t)offset);
		etw_set_u(d, x + ETW_X_IO_FLAGS, ioflags);
		break;
	case KCAP_EV_UNLINK:
		put_file_path(d, KCAP_P_UNLINK_PATH, fo);
		etw_set_u(d, x + ETW_X_INFO_CLASS, infoclass);
		etw_set_u(d, x + ETW_X_EXTRA_INFO, extra);
		break;
	case KCAP_EV_RENAME:
		put_file_path(d, KCAP_P_RENAME_OLDPATH, fo);
		etw_set_u(d, x + ETW_X_INFO_CLASS, infoclass);
		etw_set_u(d, x + ETW_X_EXTRA_INFO, extra);
		break;
	default:
		break;
	}
	/* a closed file object keeps its name: it is reused only after a new
	 * create or name event, which replaces it */
	return (rc = etw_ev_emit(d)) < 0 ? rc : 1;
}

/* DiskIo_TypeGroup1 (10 read, 11 write) v2/v3 and DiskIo_TypeGroup3 (14 flush). */
static int map_diskio(kcap_etw_decoder *d, const kcap_etw_record *r, int *shortp)
{
	if (r->opcode != 10 && r->opcode != 11 && r->opcode != 14)
		return 0;
	if (r->version < 2)
		return 0;
	etw_cur c;
	cur_init(&c, r);
	uint32_t disk = ETW_U32(&c), irpf = ETW_U32(&c), size = 0, tid = 0;
	uint64_t off = 0, fo = 0, resp;
	if (r->opcode == 14) {
		resp = ETW_U64(&c);
		(void)ETW_PTR(&c); /* Irp */
	} else {
		size = ETW_U32(&c);
		etw_skip(&c, 4);
		off = ETW_U64(&c);
		fo = ETW_PTR(&c);
		(void)ETW_PTR(&c); /* Irp */
		resp = ETW_U64(&c);
	}
	int have_tid = 0;
	if (r->version >= 3 && c.n - c.off >= 4) {
		tid = ETW_U32(&c);
		have_tid = 1;
	}
	if (c.bad) {
		*shortp = 1;
		return 0;
	}
	uint32_t type = r->opcode == 10 ? KCAP_EV_DISK_READ : r->opcode == 11 ? KCAP_EV_DISK_WRITE : KCAP_EV_DISK_FLUSH;
	int rc = etw_ev_begin(d, type, r);
	if (rc < 0)
		return rc;
	etw_set_u(d, KCAP_P_DISK_DISK, disk);
	etw_set_u(d, KCAP_P_DISK_IRP_FLAGS, irpf);
	if (r->opcode != 14) {
		etw_set_u(d, KCAP_P_DISK_OFFSET, off);
		etw_set_u(d, KCAP_P_DISK_SIZE, size);
		etw_set_u(d, KCAP_P_DISK_FILE_OBJECT, fo);
		put_file_path(d, KCAP_P_DISK_PATH, fo);
	}
	etw_set_i(d, KCAP_P_DISK_ELAPSED, etw_ticks_to_ns(d, (int64_t)(resp > INT64_MAX ? INT64_MAX : resp)));
	if (have_tid && pid_ok(tid)) {
		etw_set_u(d, KCAP_P_DISK_ISSUING_TID, tid);
		etw_set_tid(d, (int32_t)tid);
	}
	return (rc = etw_ev_emit(d)) < 0 ? rc : 1;
}

/* TcpIp / UdpIp (and Kernel-Network, same layouts): PID, size, daddr,
 * saddr, dport, sport (network order), then per opcode. base is the
 * opcode with IPv6's +16 taken off; v6 tells which. */
static int map_net(kcap_etw_decoder *d, const kcap_etw_record *r, int base, int v6, int udp, int *shortp)
{
	uint32_t type;
	switch (base) {
	case 10: type = KCAP_EV_SENDTO; break;
	case 11: type = KCAP_EV_RECVFROM; break;
	case 12: type = udp ? 0 : KCAP_EV_CONNECT; break;
	case 13: type = udp ? 0 : KCAP_EV_DISCONNECT; break;
	case 15: type = udp ? 0 : KCAP_EV_ACCEPT; break;
	default: type = 0; break;
	}
	if (!type)
		return 0;
	etw_cur c;
	cur_init(&c, r);
	uint32_t pid = ETW_U32(&c), size = ETW_U32(&c);
	uint8_t da[16] = { 0 }, sa[16] = { 0 };
	int al = v6 ? 16 : 4;
	if (etw_cur_need(&c, (size_t)al * 2)) {
		memcpy(da, c.p + c.off, (size_t)al);
		memcpy(sa, c.p + c.off + al, (size_t)al);
		c.off += (size_t)al * 2;
	}
	uint16_t dport = ETW_U16(&c), sport = ETW_U16(&c);
	dport = (uint16_t)((dport >> 8) | (dport << 8));
	sport = (uint16_t)((sport >> 8) | (sport << 8));
	uint32_t seq = 0;
	uint64_t conn = 0;
	int have_tail = 0;
	if (!c.bad) {
		if (!udp && base == 10)
			etw_skip(&c, 8); /* startime, endtime */
		else if (!udp && (base == 12 || base == 15))
			etw_skip(&c, 2 * 4 + 4 + 2 * 2); /* mss, sackopt, tsopt, wsopt; rcvwin; rcvwinscale, sndwinscale */
		etw_cur t = c;
		seq = ETW_U32(&t);
		conn = ETW_PTR(&t);
		have_tail = !t.bad;
	}
	if (c.bad || !pid_ok(pid)) {
		*shortp = 1;
		return 0;
	}
	int rc = etw_ev_begin(d, type, r);
	if (rc < 0)
		return rc;
	etw_set_pid(d, (int32_t)pid);
	uint32_t x = etw_ext_off(d, type);
	/* addr: the remote end (daddr/dport for a send, the peer for a receive, as the kernel logs it) */
	uint32_t ai = type == KCAP_EV_SENDTO || type == KCAP_EV_RECVFROM ? KCAP_P_XFER_ADDR
	              : type == KCAP_EV_ACCEPT                          ? KCAP_P_ACCEPT_ADDR
	                                                                : KCAP_P_ADDR_ADDR;
	etw_set_addr(d, ai, da, v6, dport);
	etw_set_addr(d, x + ETW_X_LADDR, sa, v6, sport);
	etw_set_u(d, x + ETW_X_PROTOCOL, udp ? 17 : 6);
	if (type == KCAP_EV_SENDTO || type == KCAP_EV_RECVFROM) {
		etw_set_u(d, KCAP_P_XFER_SIZE, size);
		etw_set_i(d, KCAP_P_XFER_RET, size);
	} else if (type == KCAP_EV_ACCEPT)
		etw_set_i(d, KCAP_P_ACCEPT_RET, 0);
	else
		etw_set_i(d, KCAP_P_ADDR_RET, 0);
	if (have_tail) {
		etw_set_u(d, x + ETW_X_SEQNUM, seq);
		etw_set_u(d, x + ETW_X_CONN_ID, conn);
	}
	return (rc = etw_ev_emit(d)) < 0 ? rc : 1;
}

/* Registry key names: relative to the KCB (when one is known), else as logged. */
static int put_reg_key(kcap_etw_decoder *d, uint64_t kcb, const char *name, size_t n)
{
	size_t kn;
	const char *k = kcb ? etw_kcb_get(d, kcb, &kn) : NULL;
	if (!k)
		return etw_set_text(d, KCAP_P_REG_KEY, name, n);
	if (!n)
		return etw_set_text(d, KCAP_P_REG_KEY, k, kn);
	char buf[1024];
	int m = snprintf(buf, sizeof buf, "%.*s\\%.*s", (int)(kn > 600 ? 600 : kn), k, (int)(n > 400 ? 400 : n), name);
	return etw_set_text(d, KCAP_P_REG_KEY, buf, (size_t)m < sizeof buf ? (size_t)m : sizeof buf - 1);
}

/* Registry_TypeGroup1 v2. */
static int map_registry(kcap_etw_decoder *d, const kcap_etw_record *r, int *shortp)
{
	uint32_t type;
	int op = r->opcode, value = 0;
	switch (op) {
	case 10: type = KCAP_EV_REG_CREATE_KEY; break;
	case 11: type = KCAP_EV_REG_OPEN_KEY; break;
	case 12: type = KCAP_EV_REG_DELETE_KEY; break;
	case 13: type = KCAP_EV_REG_QUERY_KEY; break;
	case 14: type = KCAP_EV_REG_SET_VALUE; value = 1; break;
	case 15: type = KCAP_EV_REG_DELETE_VALUE; value = 1; break;
	case 16: type = KCAP_EV_REG_QUERY_VALUE; value = 1; break;
	case 22: case 23: case 25: type = KCAP_EV_REG_KCB_RUNDOWN; break;
	default: return 0;
	}
	if (r->version < 2)
		return 0;
	etw_cur c;
	cur_init(&c, r);
	(void)ETW_U64(&c); /* InitialTime */
	uint32_t status = ETW_U32(&c), index = ETW_U32(&c);
	uint64_t kcb = ETW_PTR(&c);
	const uint8_t *kn;
	size_t nkn;
	etw_wstr(&c, &kn, &nkn);
	if (c.bad) {
		*shortp = 1;
		return 0;
	}
	int rc = etw_ev_begin(d, type, r);
	if (rc < 0)
		return rc;
	if (etw_set_utf16(d, KCAP_P_REG_NAME, kn, nkn))
		return KCAP_E_NOMEM;
	size_t n;
	const char *name = etw_value_text(d, KCAP_P_REG_NAME, &n);
	if (!name)
		name = "";
	if (type == KCAP_EV_REG_KCB_RUNDOWN) {
		/* KCBCreate / KCBRundownEnd name the KCB with its full path; KCBDelete forgets it */
		if (op == 23)
			etw_kcb_del(d, kcb);
		else if ((rc = etw_kcb_set(d, kcb, name, n)) < 0)
			return rc;
		rc = etw_set_text(d, KCAP_P_REG_KEY, name, n);
	} else if (value) {
		size_t kl;
		const char *k = etw_kcb_get(d, kcb, &kl);
		rc = k ? etw_set_text(d, KCAP_P_REG_KEY, k, kl) : 0;
	} else
		rc = put_reg_key(d, kcb, name, n);
	if (rc < 0)
		return rc;
	etw_set_u(d, KCAP_P_REG_KCB, kcb);
	etw_set_u(d, KCAP_P_REG_STATUS, status);
	etw_set_u(d, KCAP_P_REG_INDEX, index);
	return (rc = etw_ev_emit(d)) < 0 ? rc : 1;
}

/* SystemConfig CPU (opcode 10): the computer name into the host metadata
 * (when it comes before the origin is declared: the file reader looks for
 * it first). The event itself stays generic. */
static void sysconfig_cpu(kcap_etw_decoder *d, const kcap_etw_record *r)
{
	/* SystemConfig_CPU: u32 MHz, NumberOfProcessors, MemSize, PageSize,
	 * AllocationGranularity, then ComputerName as WCHAR[256] */
	if (r->opcode != 10 || r->len < 20 + 2)
		return;
	etw_cur c;
	cur_init(&c, r);
	etw_skip(&c, 20);
	const uint8_t *p;
	size_t n;
	etw_cur lim = c;
	if (lim.n - lim.off > 512)
		lim.n = lim.off + 512;
	etw_wstr(&lim, &p, &n);
	char out[256];
	size_t k = 0;
	for (size_t i = 0; i + 1 < n && k + 1 < sizeof out; i += 2)
		out[k++] = p[i + 1] ? '?' : (char)(p[i] >= 0x20 && p[i] < 0x7f ? p[i] : '?');
	etw_set_hostname(d, out, k);
}

/* ---- manifest kernel providers ---- */

/* Microsoft-Windows-Kernel-Process: 1 ProcessStart, 2 ProcessStop. */
static int map_k_process(kcap_etw_decoder *d, const kcap_etw_record *r, int *shortp)
{
	if (r->id != 1 && r->id != 2)
		return 0;
	etw_cur c;
	cur_init(&c, r);
	uint32_t pid = ETW_U32(&c);
	int rc;
	if (r->id == 1) {
		/* ProcessID, CreateTime, ParentProcessID, SessionID, (v1+) Flags, ImageName */
		etw_skip(&c, 8);
		uint32_t ppid = ETW_U32(&c), session = ETW_U32(&c), flags = 0;
		if (r->version >= 1)
			flags = ETW_U32(&c);
		const uint8_t *im;
		size_t nim;
		etw_wstr(&c, &im, &nim);
		if (c.bad || !pid_ok(pid)) {
			*shortp = 1;
			return 0;
		}
		if ((rc = etw_ev_begin(d, KCAP_EV_EXECVE, r)) < 0)
			return rc;
		uint32_t x = etw_ext_off(d, KCAP_EV_EXECVE);
		etw_set_pid(d, (int32_t)pid);
		if (pid_ok(ppid))
			etw_set_ppid(d, (int32_t)ppid);
		if (etw_set_utf16(d, KCAP_P_EXEC_PATH, im, nim))
			return KCAP_E_NOMEM;
		etw_set_i(d, KCAP_P_EXEC_RET, 0);
		etw_set_u(d, x + KCAP_P_PROCESS_SESSION, session);
		if (r->version >= 1)
			etw_set_u(d, x + KCAP_P_PROCESS_FLAGS, flags);
		size_t n;
		const char *s = etw_value_text(d, KCAP_P_EXEC_PATH, &n);
		const char *base = s;
		for (size_t i = 0; s && i < n; i++)
			if (s[i] == '\\')
				base = s + i + 1;
		if (s && (rc = etw_proc_set(d, pid, ppid, base, n - (size_t)(base - s))) < 0)
			return rc;
		return (rc = etw_ev_emit(d)) < 0 ? rc : 1;
	}
	/* ProcessStop: ProcessID, CreateTime, ExitTime, ExitCode, ... */
	etw_skip(&c, 16);
	int32_t code = (int32_t)ETW_U32(&c);
	if (c.bad || !pid_ok(pid)) {
		*shortp = 1;
		return 0;
	}
	if ((rc = etw_ev_begin(d, KCAP_EV_EXIT_GROUP, r)) < 0)
		return rc;
	uint32_t x = etw_ext_off(d, KCAP_EV_EXIT_GROUP);
	etw_set_pid(d, (int32_t)pid);
	etw_set_i(d, KCAP_P_EXIT_STATUS, code);
	etw_set_i(d, x + KCAP_P_PROCESS_EXIT_STATUS, code);
	return (rc = etw_ev_emit(d)) < 0 ? rc : 1;
}

/* Microsoft-Windows-Kernel-File: 10 NameCreate, 11 NameDelete, 12 Create,
 * 14 Close, 15 Read, 16 Write. */
static int map_k_file(kcap_etw_decoder *d, const kcap_etw_record *r, int *shortp)
{
	etw_cur c;
	cur_init(&c, r);
	int rc;
	uint32_t type;
	switch (r->id) {
	case 10: case 11: {
		uint64_t key = ETW_PTR(&c);
		const uint8_t *fn;
		size_t nfn;
		etw_wstr(&c, &fn, &nfn);
		if (c.bad) {
			*shortp = 1;
			return 0;
		}
		if ((rc = etw_ev_begin(d, KCAP_EV_FILE_NAME, r)) < 0)
			return rc;
		etw_set_u(d, KCAP_P_FILENAME_FILE_OBJECT, key);
		if (etw_set_utf16(d, KCAP_P_FILENAME_PATH, fn, nfn))
			return KCAP_E_NOMEM;
		return (rc = etw_ev_emit(d)) < 0 ? rc : 1;
	}
	case 12: type = KCAP_EV_OPEN; break;
	case 14: type = KCAP_EV_CLOSE; break;
	case 15: type = KCAP_EV_READ; break;
	case 16: type = KCAP_EV_WRITE; break;
	default: return 0;
	}
	uint64_t irp = 0, fo = 0, key = 0, offset = 0;
	uint32_t tid = 0, opts = 0, attrs = 0, share = 0, size = 0, flags = 0;
	const uint8_t *fn = NULL;
	size_t nfn = 0;
	if (type == KCAP_EV_OPEN) {
		/* Irp, FileObject, IssuingThreadId, CreateOptions, CreateAttributes, ShareAccess, FileName */
		irp = ETW_PTR(&c);
		fo = ETW_PTR(&c);
		tid = ETW_U32(&c);
		opts = ETW_U32(&c);
		attrs = ETW_U32(&c);
		share = ETW_U32(&c);
		etw_wstr(&c, &fn, &nfn);
	} else if (type == KCAP_EV_CLOSE) {
		irp = ETW_PTR(&c);
		fo = ETW_PTR(&c);
		key = ETW_PTR(&c);
		tid = ETW_U32(&c);
	} else {
		offset = ETW_U64(&c);
		irp = ETW_PTR(&c);
		fo = ETW_PTR(&c);
		key = ETW_PTR(&c);
		tid = ETW_U32(&c);
		size = ETW_U32(&c);
		flags = ETW_U32(&c);
	}
	if (c.bad) {
		*shortp = 1;
		return 0;
	}
	if ((rc = etw_ev_begin(d, type, r)) < 0)
		return rc;
	uint32_t x = etw_ext_off(d, type);
	etw_set_u(d, x + ETW_X_FILE_OBJECT, fo);
	etw_set_u(d, x + ETW_X_IRP, irp);
	if (type != KCAP_EV_OPEN)
		etw_set_u(d, x + ETW_X_FILE_KEY, key);
	if (pid_ok(tid))
		etw_set_u(d, x + ETW_X_TTID, tid);
	if (type == KCAP_EV_OPEN) {
		if (etw_set_utf16(d, KCAP_P_OPEN_PATH, fn, nfn))
			return KCAP_E_NOMEM;
		size_t n;
		const char *s = etw_value_text(d, KCAP_P_OPEN_PATH, &n);
		if (s && (rc = etw_file_name_set(d, fo, s, n)) < 0)
			return rc;
		etw_set_u(d, x + ETW_X_CREATE_OPTIONS, opts);
		etw_set_u(d, x + ETW_X_ATTRIBUTES, attrs);
		etw_set_u(d, x + ETW_X_SHARE_ACCESS, share);
	} else if (type != KCAP_EV_CLOSE) {
		etw_set_u(d, KCAP_P_RW_COUNT, size);
		etw_set_i(d, KCAP_P_RW_OFFSET, (int64_t)offset);
		etw_set_u(d, x + ETW_X_IO_FLAGS, flags);
	}
	return (rc = etw_ev_emit(d)) < 0 ? rc : 1;
}

/* Microsoft-Windows-Kernel-Network: TCP 10-15 (IPv4), 26-31 (IPv6); UDP 42/43, 58/59. */
static int map_k_network(kcap_etw_decoder *d, const kcap_etw_record *r, int *shortp)
{
	int id = r->id;
	if (id >= 10 && id <= 16)
		return map_net(d, r, id, 0, 0, shortp);
	if (id >= 26 && id <= 32)
		return map_net(d, r, id - 16, 1, 0, shortp);
	if (id == 42 || id == 43)
		return map_net(d, r, id - 32, 0, 1, shortp);
	if (id == 58 || id == 59)
		return map_net(d, r, id - 48, 1, 1, shortp);
	return 0;
}

/* Microsoft-Windows-Kernel-Registry: 1 CreateKey, 2 OpenKey (BaseObject,
 * KeyObject, Status, [Disposition,] BaseName, RelativeName), 3 DeleteKey,
 * 4 QueryKey (KeyObject, Status, [InfoClass,] KeyName), 5 SetValueKey,
 * 6 DeleteValueKey, 7 QueryValueKey (KeyObject, Status, [Type, DataSize,]
 * KeyName, ValueName). */
static int map_k_registry(kcap_etw_decoder *d, const kcap_etw_record *r, int *shortp)
{
	static const uint32_t types[] = { 0, KCAP_EV_REG_CREATE_KEY, KCAP_EV_REG_OPEN_KEY, KCAP_EV_REG_DELETE_KEY,
		KCAP_EV_REG_QUERY_KEY, KCAP_EV_REG_SET_VALUE, KCAP_EV_REG_DELETE_VALUE, KCAP_EV_REG_QUERY_VALUE };
	if (r->id < 1 || r->id > 7)
		return 0;
	uint32_t type = types[r->id];
	etw_cur c;
	cur_init(&c, r);
	uint64_t kobj;
	uint32_t status;
	const uint8_t *a = NULL, *b = NULL;
	size_t na = 0, nb = 0;
	if (r->id <= 2) {
		(void)ETW_PTR(&c); /* BaseObject */
		kobj = ETW_PTR(&c);
		status = ETW_U32(&c);
		if (r->id == 1)
			etw_skip(&c, 4); /* Disposition */
		etw_wstr(&c, &a, &na); /* BaseName */
		etw_wstr(&c, &b, &nb); /* RelativeName */
	} else {
		kobj = ETW_PTR(&c);
		status = ETW_U32(&c);
		if (r->id == 4)
			etw_skip(&c, 4); /* InfoClass */
		else if (r->id == 5 || r->id == 7)
			etw_skip(&c, 8); /* Type, DataSize */
		etw_wstr(&c, &a, &na); /* KeyName */
		if (r->id >= 5)
			etw_wstr(&c, &b, &nb); /* ValueName */
	}
	if (c.bad) {
		*shortp = 1;
		return 0;
	}
	int rc = etw_ev_begin(d, type, r);
	if (rc < 0)
		return rc;
	if (r->id <= 2) {
		/* the full name: BaseName\RelativeName */
		kcap_buf tmp = { 0 };
		rc = etw_set_utf16(d, KCAP_P_REG_NAME, b, nb);
		size_t n2;
		const char *rel = etw_value_text(d, KCAP_P_REG_NAME, &n2);
		if (!rc && na) {
			rc = etw_set_utf16(d, KCAP_P_REG_KEY, a, na);
			size_t kl;
			const char *k = etw_value_text(d, KCAP_P_REG_KEY, &kl);
			if (!rc && k && n2) {
				rc = kcap_buf_append(&tmp, k, kl) | kcap_buf_append(&tmp, "\\", 1) |
				     kcap_buf_append(&tmp, rel, n2);
				/* rewrite key as the joined name */
				if (!rc)
					rc = etw_set_text(d, KCAP_P_REG_KEY, tmp.data, tmp.len);
			}
		} else if (!rc)
			rc = etw_set_text(d, KCAP_P_REG_KEY, rel ? rel : "", n2);
		kcap_buf_free(&tmp);
	} else {
		rc = etw_set_utf16(d, KCAP_P_REG_KEY, a, na);
		if (!rc && r->id >= 5)
			rc = etw_set_utf16(d, KCAP_P_REG_NAME, b, nb);
	}
	if (rc)
		return KCAP_E_NOMEM;
	etw_set_u(d, KCAP_P_REG_KCB, kobj);
	etw_set_u(d, KCAP_P_REG_STATUS, status);
	return (rc = etw_ev_emit(d)) < 0 ? rc : 1;
}

int etw_map(kcap_etw_decoder *d, const kcap_etw_record *r, int cls, int *shortp)
{
	int rc = 0;
	switch (cls) {
	case ETW_C_PROCESS:
		rc = map_process(d, r, shortp);
		if (rc == -100)
			rc = map_image(d, r, shortp);
		break;
	case ETW_C_THREAD: rc = map_thread(d, r, shortp); break;
	case ETW_C_IMAGE: rc = map_image(d, r, shortp); break;
	case ETW_C_FILEIO: rc = map_fileio(d, r, shortp); break;
	case ETW_C_DISKIO: rc = map_diskio(d, r, shortp); break;
	case ETW_C_TCPIP: case ETW_C_UDPIP: {
		int op = r->opcode, v6 = op >= 26 && op <= 32;
		rc = r->version >= 1 ? map_net(d, r, v6 ? op - 16 : op, v6, cls == ETW_C_UDPIP, shortp) : 0;
		break;
	}
	case ETW_C_REGISTRY: rc = map_registry(d, r, shortp); break;
	case ETW_C_SYSCONFIG: sysconfig_cpu(d, r); break;
	case ETW_C_HEADER:
		/* EventTrace RundownComplete (8): the start rundown is over */
		if (r->opcode == 8 && (rc = etw_snap_flush(d)) < 0)
			return rc;
		rc = 0;
		break;
	case ETW_C_K_PROCESS: rc = map_k_process(d, r, shortp); break;
	case ETW_C_K_FILE: rc = map_k_file(d, r, shortp); break;
	case ETW_C_K_NETWORK: rc = map_k_network(d, r, shortp); break;
	case ETW_C_K_REGISTRY: rc = map_k_registry(d, r, shortp); break;
	default: break;
	}
	return rc;
}
