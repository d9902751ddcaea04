/* etw_priv.h - what etw_decode.c (the decoder's core: schema, events,
 * time, state) shares with etw_classes.c (the kernel MOF classes and
 * manifest kernel providers). Not installed. */
#ifndef KCAP_FORMATS_ETW_PRIV_H
#define KCAP_FORMATS_ETW_PRIV_H

#include <stdint.h>
#include <string.h>
#include <kcap/kcap.h>
#include <kcap/taxonomy.h>

#include "etw_decode.h"

/* The ETW params every event the decoder writes carries after its own. */
enum { ETW_T_PROVIDER, ETW_T_GROUP, ETW_T_ID, ETW_T_OPCODE, ETW_T_VERSION, ETW_T_LEVEL, ETW_T_KEYWORDS,
       ETW_T_HEADER, ETW_T_RELATED, ETW_T_USER_SID, ETW_T_STACK, ETW_T_EXT, ETW_T_N_ };
/* The generic type's params after the tail. */
enum { ETW_G_TASK, ETW_G_CHANNEL, ETW_G_FLAGS, ETW_G_ACTIVITY, ETW_G_DATA, ETW_G_N_ };
/* Extras after the standard params of the standard types the decoder
 * maps onto: PROCESS (execve, exit_group) reuses the KCAP_P_PROCESS_*
 * layout; FILEIO and NET below. */
enum { ETW_X_FILE_OBJECT, ETW_X_IRP, ETW_X_FILE_KEY, ETW_X_TTID, ETW_X_CREATE_OPTIONS, ETW_X_ATTRIBUTES,
       ETW_X_SHARE_ACCESS, ETW_X_IO_FLAGS, ETW_X_INFO_CLASS, ETW_X_EXTRA_INFO, ETW_X_FILE_N_ };
enum { ETW_X_LADDR, ETW_X_PROTOCOL, ETW_X_CONN_ID, ETW_X_SEQNUM, ETW_X_NET_N_ };

#define ETW_SYMS_HEADER 64      /* symset etw_header */
#define ETW_TYPE_GENERIC 0x30000u /* generic types: this + provider number (order of appearance) */

/* Kernel classes (by hook group or class GUID) and manifest providers. */
enum etw_class {
	ETW_C_NONE = 0, ETW_C_HEADER, ETW_C_DISKIO, ETW_C_PAGEFAULT, ETW_C_PROCESS, ETW_C_FILEIO, ETW_C_THREAD,
	ETW_C_TCPIP, ETW_C_UDPIP, ETW_C_REGISTRY, ETW_C_SYSCONFIG, ETW_C_PERFINFO, ETW_C_IMAGE, ETW_C_STACKWALK,
	ETW_C_K_PROCESS, ETW_C_K_FILE, ETW_C_K_NETWORK, ETW_C_K_REGISTRY,
};

/* A bounds-checked reader over a payload; bad is set by any read past
 * the end (which then returns 0 / empty). */
typedef struct etw_cur {
	const uint8_t *p;
	size_t n, off;
	int ptr; /* 4 or 8 */
	int bad;
} etw_cur;

static inline int etw_cur_need(etw_cur *c, size_t k)
{
	if (c->bad || c->n - c->off < k) {
		c->bad = 1;
		c->off = c->n;
		return 0;
	}
	return 1;
}
static inline uint64_t etw_le(const uint8_t *p, int k)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* the usual widths in one load */
	if (k == 8) {
		uint64_t v;
		memcpy(&v, p, 8);
		return v;
	}
	if (k == 4) {
		uint32_t v;
		memcpy(&v, p, 4);
		return v;
	}
	if (k == 2) {
		uint16_t v;
		memcpy(&v, p, 2);
		return v;
	}
#endif
	uint64_t v = 0;
	for (int i = k - 1; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}
static inline uint64_t etw_rd(etw_cur *c, int k)
{
	if (!etw_cur_need(c, (size_t)k))
		return 0;
	uint64_t v = etw_le(c->p + c->off, k);
	c->off += (size_t)k;
	return v;
}
#define ETW_U8(c) ((uint8_t)etw_rd((c), 1))
#define ETW_U16(c) ((uint16_t)etw_rd((c), 2))
#define ETW_U32(c) ((uint32_t)etw_rd((c), 4))
#define ETW_U64(c) (etw_rd((c), 8))
#define ETW_PTR(c) (etw_rd((c), (c)->ptr))
static inline void etw_skip(etw_cur *c, size_t k)
{
	if (etw_cur_need(c, k))
		c->off += k;
}
/* A NUL-terminated ANSI string (the rest when unterminated); *p, *n exclude the NUL. */
void etw_cstr(etw_cur *c, const uint8_t **p, size_t *n);
/* A NUL-terminated UTF-16LE string (the rest when unterminated), in bytes. */
void etw_wstr(etw_cur *c, const uint8_t **p, size_t *n);
/* The SID field of MOF process events (0 = absent, else TOKEN_USER then
 * the SID): *p, *n the SID, or NULL. */
void etw_sid(etw_cur *c, const uint8_t **p, size_t *n);

typedef struct etw_dec etw_dec;

/* Event building (etw_decode.c). ev_begin starts an event of type id
 * (0 when the type is not declared) and fills the common fields and the
 * tail from r; the setters take a param index of that type. */
int etw_ev_begin(kcap_etw_decoder *d, uint32_t type, const kcap_etw_record *r);
uint32_t etw_ext_off(const kcap_etw_decoder *d, uint32_t type); /* index of the first extra param */
void etw_set_u(kcap_etw_decoder *d, uint32_t i, uint64_t v);
void etw_set_i(kcap_etw_decoder *d, uint32_t i, int64_t v);
void etw_set_bytes(kcap_etw_decoder *d, uint32_t i, const uint8_t *p, size_t n); /* borrowed */
int etw_set_ansi(kcap_etw_decoder *d, uint32_t i, const uint8_t *p, size_t n);
int etw_set_utf16(kcap_etw_decoder *d, uint32_t i, const uint8_t *p, size_t n);
int etw_set_text(kcap_etw_decoder *d, uint32_t i, const char *s, size_t n);       /* copied */
int etw_set_strlist1(kcap_etw_decoder *d, uint32_t i, const uint8_t *p, size_t n); /* UTF-16 as one element */
void etw_set_addr(kcap_etw_decoder *d, uint32_t i, const uint8_t *a, int v6, uint16_t port);
void etw_set_pid(kcap_etw_decoder *d, int32_t pid);  /* the event's own pid (payload's) */
void etw_set_tid(kcap_etw_decoder *d, int32_t tid);
void etw_set_ppid(kcap_etw_decoder *d, int32_t ppid); /* the payload's parent, over the decoder's table */
int etw_ev_emit(kcap_etw_decoder *d);
/* The UTF-8 text of the last etw_set_ansi/utf16/text value i (valid until the event is emitted). */
const char *etw_value_text(kcap_etw_decoder *d, uint32_t i, size_t *n);

/* State kept across records. */
int etw_file_name_set(kcap_etw_decoder *d, uint64_t fo, const char *s, size_t n);
const char *etw_file_name_get(kcap_etw_decoder *d, uint64_t fo, size_t *n);
void etw_file_name_del(kcap_etw_decoder *d, uint64_t fo);
int etw_kcb_set(kcap_etw_decoder *d, uint64_t kcb, const char *s, size_t n);
const char *etw_kcb_get(kcap_etw_decoder *d, uint64_t kcb, size_t *n);
void etw_kcb_del(kcap_etw_decoder *d, uint64_t kcb);
int etw_proc_set(kcap_etw_decoder *d, uint32_t pid, uint32_t ppid, const char *image, size_t n);
/* A DCStart process into the snapshot. */
int etw_snap_add(kcap_etw_decoder *d, uint32_t pid, uint32_t ppid, const char *image, size_t ni, const char *cmd,
                 size_t nc, int64_t ts);
/* Hands the snapshot over if it holds processes and was not given yet. */
int etw_snap_flush(kcap_etw_decoder *d);
int64_t etw_ticks_to_ns(const kcap_etw_decoder *d, int64_t ticks);
void etw_set_hostname(kcap_etw_decoder *d, const char *s, size_t n);

/* etw_classes.c: the class of a record, and its mapping. Returns 1 when
 * the record was mapped and emitted, 0 when it is to be kept generic (not
 * a mapped class or opcode, or a payload too short: *short_payload set),
 * or a negative error. */
int etw_class_of(const kcap_etw_record *r, int *group);
const kcap_etw_guid *etw_group_guid(int group);
const char *etw_provider_name(const kcap_etw_guid *g);
int etw_provider_index(const kcap_etw_guid *g); /* place in the class table, or -1 */
int etw_map(kcap_etw_decoder *d, const kcap_etw_record *r, int cls, int *short_payload);

#endif
