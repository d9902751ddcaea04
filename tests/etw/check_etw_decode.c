/*
 * check_etw_decode.c - the ETW decoder on records laid out here from the
 * documented MOF classes, for what no corpus file holds (Registry, FileIo
 * operations, TcpIp over IPv4; docs/ETW.md says these mappings are not yet
 * checked against Windows output), and the .etl walk on hostile images
 * built here: a buffer claiming 4 GiB, a compressed buffer that inflates
 * past its stated size, a record past its buffer, a file cut short.
 */
#include <check.h>
#include "check_run.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <kcap/kcap.h>
#include <kcap/taxonomy.h>

#include "etw/etl_file.h"
#include "etw/etw_decode.h"

/* ---- collecting what the decoder gives ---- */
typedef struct got {
	const kcap_schema *s;
	kcap_buf text[64];
	int n;
	int damage;
	int64_t damage_off;
	char damage_msg[256];
	kcap_etw_decoder *d;
	int records;
} got;

static int g_schema(void *ud, const kcap_schema *s)
{
	((got *)ud)->s = s;
	return 0;
}
/* Each event as "type pid=P tid=T k=v ..." with its present params rendered. */
static int g_event(void *ud, const kcap_event *ev)
{
	got *g = ud;
	ck_assert_int_lt(g->n, 64);
	const kcap_type_def *def = kcap_schema_type(g->s, ev->type_id);
	ck_assert_ptr_nonnull(def);
	kcap_buf *b = &g->text[g->n++];
	char h[128];
	snprintf(h, sizeof h, "%s pid=%d tid=%d", def->name, ev->pid, ev->tid);
	kcap_buf_append(b, h, strlen(h));
	for (uint32_t i = 0; i < def->nparams; i++) {
		if (!ev->params[i].present ||
		    (!strncmp(def->params[i].name, "etw_", 4) && strcmp(def->params[i].name, "etw_user_sid")))
			continue;
		kcap_buf_append(b, " ", 1);
		kcap_buf_append(b, def->params[i].name, strlen(def->params[i].name));
		kcap_buf_append(b, "=", 1);
		kcap_render_value(b, &ev->params[i], g->s, &def->params[i]);
	}
	kcap_buf_append(b, "", 1);
	return 0;
}

static void got_open(got *g)
{
	memset(g, 0, sizeof *g);
	static const kcap_etw_sink sink = { g_schema, NULL, g_event, NULL, NULL };
	kcap_error e;
	ck_assert_int_eq(kcap_etw_decoder_open(&g->d, &sink, g, &e), 0);
	kcap_etw_decoder_set_hold(g->d, 0); /* each event at once */
	kcap_etw_session s = { 0 };
	s.clock.type = KCAP_ETW_CLOCK_FILETIME;
	s.os_major = 10;
	s.os_build = 22621;
	ck_assert_int_eq(kcap_etw_decoder_session(g->d, &s), 0);
}

static void got_close(got *g)
{
	kcap_etw_decoder_close(g->d);
	for (int i = 0; i < 64; i++)
		kcap_buf_free(&g->text[i]);
}

static const char *ev_text(got *g, int i)
{
	ck_assert_int_lt(i, g->n);
	return g->text[i].data;
}

/* ---- laying out payloads ---- */
typedef struct pl {
	uint8_t b[2048];
	size_t n;
} pl;
static void put(pl *p, uint64_t v, int k)
{
	for (int i = 0; i < k; i++)
		p->b[p->n++] = (uint8_t)(v >> (8 * i));
}
static void put_w(pl *p, const char *s)
{
	for (; *s; s++)
		put(p, (uint8_t)*s, 2);
	put(p, 0, 2);
}

static kcap_etw_record classic(int group, int opcode, int version, const pl *p)
{
	kcap_etw_record r = { 0 };
	r.kind = KCAP_ETW_HDR_SYSTEM;
	r.ptr_size = 8;
	r.has_hook = 1;
	r.hook = (uint16_t)(group << 8 | opcode);
	r.opcode = (uint8_t)opcode;
	r.version = (uint8_t)version;
	r.pid = 4242;
	r.tid = 77;
	r.timestamp = 133000000000000000LL;
	r.data = p->b;
	r.len = (uint32_t)p->n;
	return r;
}

/* Registry_TypeGroup1 v2: InitialTime, Status, Index, KeyHandle, KeyName. */
static void reg(pl *p, uint32_t status, uint64_t kcb, const char *name)
{
	p->n = 0;
	put(p, 0, 8);
	put(p, status, 4);
	put(p, 0, 4);
	put(p, kcb, 8);
	put_w(p, name);
}

START_TEST(registry_keys_resolve_through_the_kcb_rundown)
{
	got g;
	got_open(&g);
	pl p;
	kcap_etw_record r;
	/* KCBRundownEnd (25) names KCB 0xffffa001 */
	reg(&p, 0, 0xffffa001, "\\REGISTRY\\MACHINE\\SOFTWARE\\Contoso");
	r = classic(0x09, 25, 2, &p);
	ck_assert_int_eq(kcap_etw_decode(g.d, &r), 0);
	/* Open (11) relative to it */
	reg(&p, 0, 0xffffa001, "Settings");
	r = classic(0x09, 11, 2, &p);
	ck_assert_int_eq(kcap_etw_decode(g.d, &r), 0);
	/* SetValue (14): the value name, the key from the KCB */
	reg(&p, 0xc0000034u, 0xffffa001, "Enabled");
	r = classic(0x09, 14, 2, &p);
	ck_assert_int_eq(kcap_etw_decode(g.d, &r), 0);
	/* Create (10) with an unknown KCB: the name as logged */
	reg(&p, 0, 0x1234, "\\REGISTRY\\USER\\S-1-5-21-1\\Run");
	r = classic(0x09, 10, 2, &p);
	ck_assert_int_eq(kcap_etw_decode(g.d, &r), 0);
	/* Delete (12), DeleteValue (15), Query (13), QueryValue (16) */
	reg(&p, 0, 0xffffa001, "");
	r = classic(0x09, 12, 2, &p);
	ck_assert_int_eq(kcap_etw_decode(g.d, &r), 0);
	reg(&p, 0, 0xffffa001, "Old");
	r = classic(0x09, 15, 2, &p);
	ck_assert_int_eq(kcap_etw_decode(g.d, &r), 0);
	ck_assert_int_eq(g.n, 6);
	ck_assert_str_eq(ev_text(&g, 0), "reg_kcb_rundown pid=4242 tid=77 key=\\REGISTRY\\MACHINE\\SOFTWARE\\Contoso "
	                                 "name=\\REGISTRY\\MACHINE\\SOFTWARE\\Contoso kcb=4294942721 status=0 index=0");
	ck_assert_str_eq(ev_text(&g, 1), "reg_open_key pid=4242 tid=77 key=\\REGISTRY\\MACHINE\\SOFTWARE\\Contoso\\Settings "
	                                 "name=Settings kcb=4294942721 status=0 index=0");
	ck_assert_str_eq(ev_text(&g, 2), "reg_set_value pid=4242 tid=77 key=\\REGISTRY\\MACHINE\\SOFTWARE\\Contoso "
	                                 "name=Enabled kcb=4294942721 status=3221225524 index=0");
	ck_assert_str_eq(ev_text(&g, 3), "reg_create_key pid=4242 tid=77 key=\\REGISTRY\\USER\\S-1-5-21-1\\Run "
	                                 "name=\\REGISTRY\\USER\\S-1-5-21-1\\Run kcb=4660 status=0 index=0");
	ck_assert_str_eq(ev_text(&g, 4), "reg_delete_key pid=4242 tid=77 key=\\REGISTRY\\MACHINE\\SOFTWARE\\Contoso "
	                                 "name= kcb=4294942721 status=0 index=0");
	ck_assert_str_eq(ev_text(&g, 5), "reg_delete_value pid=4242 tid=77 key=\\REGISTRY\\MACHINE\\SOFTWARE\\Contoso "
	                                 "name=Old kcb=4294942721 status=0 index=0");
	/* a short payload stays a generic event */
	p.n = 6;
	r = classic(0x09, 11, 2, &p);
	ck_assert_int_eq(kcap_etw_decode(g.d, &r), 0);
	ck_assert_int_eq(kcap_etw_decoder_get_stats(g.d)->short_payload, 1);
	ck_assert_ptr_nonnull(strstr(ev_text(&g, 6), "etw:Registry pid=4242"));
	got_close(&g);
}
END_TEST

START_TEST(fileio_operations_v3)
{
	got g;
	got_open(&g);
	pl p;
	kcap_etw_record r;
	/* FileIo_Create v3 (64): Irp, FileObject, TTID u32, CreateOptions, FileAttributes, ShareAccess, OpenPath */
	p.n = 0;
	put(&p, 0xaa, 8);
	put(&p, 0xf00d, 8);
	put(&p, 900, 4);
	put(&p, 0x01000060, 4);
	put(&p, 0x80, 4);
	put(&p, 7, 4);
	put_w(&p, "\\Device\\HarddiskVolume3\\Users\\a\\x.txt");
	r = classic(0x04, 64, 3, &p);
	ck_assert_int_eq(kcap_etw_decode(g.d, &r), 0);
	/* FileIo_ReadWrite v3 (68 write): Offset, Irp, FileObject, FileKey, TTID, IoSize, IoFlags */
	p.n = 0;
	put(&p, 4096, 8);
	put(&p, 0xab, 8);
	put(&p, 0xf00d, 8);
	put(&p, 0xbeef, 8);
	put(&p, 900, 4);
	put(&p, 512, 4);
	put(&p, 0x40, 4);
	r = classic(0x04, 68, 3, &p);
	ck_assert_int_eq(kcap_etw_decode(g.d, &r), 0);
	/* FileIo_Info v3 (71 rename): Irp, FileObject, FileKey, ExtraInfo, TTID, InfoClass */
	p.n = 0;
	put(&p, 0xac, 8);
	put(&p, 0xf00d, 8);
	put(&p, 0xbeef, 8);
	put(&p, 0, 8);
	put(&p, 900, 4);
	put(&p, 10, 4);
	r = classic(0x04, 71, 3, &p);
	ck_assert_int_eq(kcap_etw_decode(g.d, &r), 0);
	/* FileIo_SimpleOp v3 (66 close): Irp, FileObject, FileKey, TTID */
	p.n = 0;
	put(&p, 0xad, 8);
	put(&p, 0xf00d, 8);
	put(&p, 0xbeef, 8);
	put(&p, 900, 4);
	r = classic(0x04, 66, 3, &p);
	ck_assert_int_eq(kcap_etw_decode(g.d, &r), 0);
	ck_assert_int_eq(g.n, 4);
	ck_assert_str_eq(ev_text(&g, 0), "open pid=4242 tid=900 path=\\Device\\HarddiskVolume3\\Users\\a\\x.txt "
	                                 "file_object=61453 irp=170 ttid=900 create_options=16777312 attributes=128 "
	                                 "share_access=7");
	ck_assert_str_eq(ev_text(&g, 1), "write pid=4242 tid=900 count=512 offset=4096 file_object=61453 irp=171 "
	                                 "file_key=48879 ttid=900 io_flags=64");
	ck_assert_str_eq(ev_text(&g, 2), "rename pid=4242 tid=900 oldpath=\\Device\\HarddiskVolume3\\Users\\a\\x.txt "
	                                 "file_object=61453 irp=172 file_key=48879 ttid=900 info_class=10 extra_info=0");
	ck_assert_str_eq(ev_text(&g, 3), "close pid=4242 tid=900 file_object=61453 irp=173 file_key=48879 ttid=900");
	got_close(&g);
}
END_TEST

START_TEST(tcpip_ipv4_ports_in_host_order)
{
	got g;
	got_open(&g);
	pl p;
	kcap_etw_record r;
	/* TcpIp_TypeGroup2 v2 (12 connect): PID, size, daddr, saddr, dport, sport (network order),
	 * mss, sackopt, tsopt, wsopt, rcvwin, rcvwinscale, sndwinscale, seqnum, connid */
	p.n = 0;
	put(&p, 1234, 4);
	put(&p, 0, 4);
	p.b[p.n++] = 93, p.b[p.n++] = 184, p.b[p.n++] = 216, p.b[p.n++] = 34;
	p.b[p.n++] = 10, p.b[p.n++] = 0, p.b[p.n++] = 0, p.b[p.n++] = 5;
	p.b[p.n++] = 0x01, p.b[p.n++] = 0xbb; /* 443 */
	p.b[p.n++] = 0xc3, p.b[p.n++] = 0x50; /* 50000 */
	put(&p, 1460, 2);
	put(&p, 1, 2);
	put(&p, 0, 2);
	put(&p, 8, 2);
	put(&p, 65535, 4);
	put(&p, 8, 2);
	put(&p, 8, 2);
	put(&p, 99, 4);
	put(&p, 0xc0ffee, 8);
	r = classic(0x06, 12, 2, &p);
	r.pid = 4; /* the header's pid is often the System process: the payload's counts */
	ck_assert_int_eq(kcap_etw_decode(g.d, &r), 0);
	/* TcpIp_SendIPV4 (10): PID, size, daddr, saddr, dport, sport, startime, endtime, seqnum, connid */
	p.n = 0;
	put(&p, 1234, 4);
	put(&p, 1500, 4);
	p.b[p.n++] = 93, p.b[p.n++] = 184, p.b[p.n++] = 216, p.b[p.n++] = 34;
	p.b[p.n++] = 10, p.b[p.n++] = 0, p.b[p.n++] = 0, p.b[p.n++] = 5;
	p.b[p.n++] = 0x01, p.b[p.n++] = 0xbb;
	p.b[p.n++] = 0xc3, p.b[p.n++] = 0x50;
	put(&p, 1, 4);
	put(&p, 2, 4);
	put(&p, 7, 4);
	put(&p, 0xc0ffee, 8);
	r = classic(0x06, 10, 2, &p);
	ck_assert_int_eq(kcap_etw_decode(g.d, &r), 0);
	/* UdpIp recv (11), TypeGroup1: PID, size, daddr, saddr, dport, sport, seqnum, connid */
	p.n = 0;
	put(&p, 55, 4);
	put(&p, 64, 4);
	p.b[p.n++] = 8, p.b[p.n++] = 8, p.b[p.n++] = 8, p.b[p.n++] = 8;
	p.b[p.n++] = 10, p.b[p.n++] = 0, p.b[p.n++] = 0, p.b[p.n++] = 5;
	p.b[p.n++] = 0x00, p.b[p.n++] = 0x35; /* 53 */
	p.b[p.n++] = 0xd4, p.b[p.n++] = 0x31; /* 54321 */
	put(&p, 0, 4);
	put(&p, 0, 8);
	r = classic(0x08, 11, 2, &p);
	ck_assert_int_eq(kcap_etw_decode(g.d, &r), 0);
	ck_assert_int_eq(g.n, 3);
	ck_assert_str_eq(ev_text(&g, 0), "connect pid=1234 tid=77 addr=93.184.216.34:443 ret=0 laddr=10.0.0.5:50000 "
	                                 "protocol=IPPROTO_TCP conn_id=12648430 seqnum=99");
	ck_assert_str_eq(ev_text(&g, 1), "sendto pid=1234 tid=77 size=1500 addr=93.184.216.34:443 ret=1500 "
	                                 "laddr=10.0.0.5:50000 protocol=IPPROTO_TCP conn_id=12648430 seqnum=7");
	ck_assert_str_eq(ev_text(&g, 2), "recvfrom pid=55 tid=77 size=64 addr=8.8.8.8:53 ret=64 laddr=10.0.0.5:54321 "
	                                 "protocol=IPPROTO_UDP conn_id=0 seqnum=0");
	got_close(&g);
}
END_TEST


/* An EVENT_HEADER record of a manifest provider (GUID in Windows layout). */
static kcap_etw_record manifest(const uint8_t guid[16], int id, int version, const pl *p)
{
	kcap_etw_record r = { 0 };
	r.kind = KCAP_ETW_HDR_EVENT;
	r.ptr_size = 8;
	memcpy(r.provider.b, guid, 16);
	r.id = (uint16_t)id;
	r.version = (uint8_t)version;
	r.pid = 4;
	r.tid = 88;
	r.timestamp = 133000000000000000LL;
	r.data = p->b;
	r.len = (uint32_t)p->n;
	return r;
}

START_TEST(manifest_network_and_registry)
{
	/* Microsoft-Windows-Kernel-Network 7dd42a49-5329-4832-8dfd-43d979153a88 */
	static const uint8_t net[16] = { 0x49, 0x2a, 0xd4, 0x7d, 0x29, 0x53, 0x32, 0x48, 0x8d, 0xfd, 0x43, 0xd9, 0x79, 0x15, 0x3a, 0x88 };
	/* Microsoft-Windows-Kernel-Registry 70eb4f03-c1de-4f73-a051-33d13d5413bd */
	static const uint8_t regp[16] = { 0x03, 0x4f, 0xeb, 0x70, 0xde, 0xc1, 0x73, 0x4f, 0xa0, 0x51, 0x33, 0xd1, 0x3d, 0x54, 0x13, 0xbd };
	got g;
	got_open(&g);
	pl p;
	/* TcpSendIPv4 (10): PID, size, daddr, saddr, dport, sport, startime, endtime, seqnum, connid */
	p.n = 0;
	put(&p, 321, 4);
	put(&p, 99, 4);
	p.b[p.n++] = 1, p.b[p.n++] = 2, p.b[p.n++] = 3, p.b[p.n++] = 4;
	p.b[p.n++] = 10, p.b[p.n++] = 0, p.b[p.n++] = 0, p.b[p.n++] = 9;
	p.b[p.n++] = 0x00, p.b[p.n++] = 0x50; /* 80 */
	p.b[p.n++] = 0xea, p.b[p.n++] = 0x60; /* 60000 */
	put(&p, 0, 4);
	put(&p, 0, 4);
	put(&p, 5, 4);
	put(&p, 0x77, 8);
	kcap_etw_record r = manifest(net, 10, 0, &p);
	ck_assert_int_eq(kcap_etw_decode(g.d, &r), 0);
	/* OpenKey (2): BaseObject, KeyObject, Status, BaseName, RelativeName */
	p.n = 0;
	put(&p, 0x10, 8);
	put(&p, 0x20, 8);
	put(&p, 0, 4);
	put_w(&p, "\\REGISTRY\\MACHINE");
	put_w(&p, "SOFTWARE\\Contoso");
	r = manifest(regp, 2, 0, &p);
	ck_assert_int_eq(kcap_etw_decode(g.d, &r), 0);
	/* SetValueKey (5): KeyObject, Status, Type, DataSize, KeyName, ValueName */
	p.n = 0;
	put(&p, 0x20, 8);
	put(&p, 0, 4);
	put(&p, 1, 4);
	put(&p, 8, 4);
	put_w(&p, "\\REGISTRY\\MACHINE\\SOFTWARE\\Contoso");
	put_w(&p, "Enabled");
	r = manifest(regp, 5, 0, &p);
	ck_assert_int_eq(kcap_etw_decode(g.d, &r), 0);
	ck_assert_int_eq(g.n, 3);
	ck_assert_str_eq(ev_text(&g, 0), "sendto pid=321 tid=88 size=99 addr=1.2.3.4:80 ret=99 laddr=10.0.0.9:60000 "
	                                 "protocol=IPPROTO_TCP conn_id=119 seqnum=5");
	ck_assert_str_eq(ev_text(&g, 1), "reg_open_key pid=4 tid=88 key=\\REGISTRY\\MACHINE\\SOFTWARE\\Contoso "
	                                 "name=SOFTWARE\\Contoso kcb=32 status=0");
	ck_assert_str_eq(ev_text(&g, 2), "reg_set_value pid=4 tid=88 key=\\REGISTRY\\MACHINE\\SOFTWARE\\Contoso "
	                                 "name=Enabled kcb=32 status=0");
	got_close(&g);
}
END_TEST

/* Microsoft-Windows-Kernel-File's operations past Create, which no corpus
 * file has: Read (15) and Write (16) with ByteOffset, Irp, FileObject,
 * FileKey, IssuingThreadId, IOSize, IOFlags, ExtraFlags; Close (14) with
 * Irp, FileObject, FileKey, IssuingThreadId (the provider's manifest, v1). */
START_TEST(manifest_file_operations)
{
	/* Microsoft-Windows-Kernel-File edd08927-9cc4-4e65-b970-c2560fb5c289 */
	static const uint8_t kf[16] = { 0x27, 0x89, 0xd0, 0xed, 0xc4, 0x9c, 0x65, 0x4e, 0xb9, 0x70, 0xc2, 0x56, 0x0f, 0xb5, 0xc2, 0x89 };
	got g;
	got_open(&g);
	pl p;
	kcap_etw_record r;
	/* Read: offset 8192, 4096 bytes */
	p.n = 0;
	put(&p, 8192, 8);
	put(&p, 0x31, 8);
	put(&p, 0xcafe, 8);
	put(&p, 0xd00d, 8);
	put(&p, 512, 4);
	put(&p, 4096, 4);
	put(&p, 0x900, 4);
	put(&p, 0, 4);
	r = manifest(kf, 15, 1, &p);
	ck_assert_int_eq(kcap_etw_decode(g.d, &r), 0);
	/* Write: offset 0, 100 bytes */
	p.n = 0;
	put(&p, 0, 8);
	put(&p, 0x32, 8);
	put(&p, 0xcafe, 8);
	put(&p, 0xd00d, 8);
	put(&p, 512, 4);
	put(&p, 100, 4);
	put(&p, 0, 4);
	put(&p, 0, 4);
	r = manifest(kf, 16, 1, &p);
	ck_assert_int_eq(kcap_etw_decode(g.d, &r), 0);
	/* Close */
	p.n = 0;
	put(&p, 0x33, 8);
	put(&p, 0xcafe, 8);
	put(&p, 0xd00d, 8);
	put(&p, 512, 4);
	r = manifest(kf, 14, 1, &p);
	ck_assert_int_eq(kcap_etw_decode(g.d, &r), 0);
	/* a Read cut short of its IOSize is no read: kept whole, generic */
	p.n = 0;
	put(&p, 0, 8);
	put(&p, 0x34, 8);
	r = manifest(kf, 15, 1, &p);
	ck_assert_int_eq(kcap_etw_decode(g.d, &r), 0);
	ck_assert_int_eq(g.n, 4);
	ck_assert_str_eq(ev_text(&g, 0), "read pid=4 tid=88 count=4096 offset=8192 file_object=51966 irp=49 "
	                                 "file_key=53261 ttid=512 io_flags=2304");
	ck_assert_str_eq(ev_text(&g, 1), "write pid=4 tid=88 count=100 offset=0 file_object=51966 irp=50 "
	                                 "file_key=53261 ttid=512 io_flags=0");
	ck_assert_str_eq(ev_text(&g, 2), "close pid=4 tid=88 file_object=51966 irp=51 file_key=53261 ttid=512");
	ck_assert_ptr_null(strstr(ev_text(&g, 3), "count="));
	got_close(&g);
}
END_TEST

/* ---- hostile .etl images ---- */
#define BUF 4096
typedef struct img {
	uint8_t *b;
	size_t n, cap;
} img;
static void img_put(img *m, const void *p, size_t n)
{
	if (m->n + n > m->cap) {
		m->cap = (m->n + n) * 2;
		m->b = realloc(m->b, m->cap);
	}
	memcpy(m->b + m->n, p, n);
	m->n += n;
}
static void le(uint8_t *p, uint64_t v, int k)
{
	for (int i = 0; i < k; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* A WMI buffer header. */
static void buf_header(uint8_t *h, uint32_t size, uint32_t fill, uint16_t flags, uint16_t type, int cpu)
{
	memset(h, 0, 0x48);
	le(h, size, 4);
	le(h + 4, fill, 4);
	h[0x28] = (uint8_t)cpu;
	le(h + 0x30, fill, 4);
	le(h + 0x34, flags, 2);
	le(h + 0x36, type, 2);
}

/* A SYSTEM64 record with hook at ts and payload p[0..n) into out; returns its size. */
static size_t sys_rec(uint8_t *out, uint16_t hook, int64_t ts, const uint8_t *p, size_t n)
{
	memset(out, 0, 32);
	le(out, 2, 2);
	out[2] = 0x02;
	out[3] = 0xc0;
	le(out + 4, 32 + n, 2);
	le(out + 6, hook, 2);
	le(out + 8, 11, 4);
	le(out + 12, 22, 4);
	le(out + 16, (uint64_t)ts, 8);
	memcpy(out + 32, p, n);
	return 32 + n;
}

/* The header buffer: a logfile header (64-bit, QPC at 10 MHz). */
static void header_buffer(img *m, uint32_t written)
{
	uint8_t b[BUF] = { 0 }, lh[400] = { 0 };
	le(lh, BUF, 4);
	lh[4] = 10;
	le(lh + 8, 19045, 4);
	le(lh + 12, 2, 4);
	le(lh + 36, written, 4);
	le(lh + 44, 8, 4);
	le(lh + 52, 3000, 4);
	le(lh + 256, 10000000, 8);
	le(lh + 264, 133000000000000000ULL, 8);
	le(lh + 272, 1, 4);
	size_t ln = 280 + 4; /* two empty names */
	size_t r = sys_rec(b + 0x48, 0x0000, 1000, lh, ln);
	uint32_t fill = (uint32_t)(0x48 + r);
	buf_header(b, BUF, fill, 1, 4, 0);
	img_put(m, b, BUF);
}

/* A data buffer of nrec Process-group PerfCtr-like records (group 0x0f
 * opcode 99: generic) at ts0, ts0+1, ... */
static void data_buffer(img *m, int cpu, int nrec, int64_t ts0)
{
	uint8_t b[BUF] = { 0 }, pay[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
	uint32_t pos = 0x48;
	for (int i = 0; i < nrec; i++)
		pos += ((uint32_t)sys_rec(b + pos, 0x0f63, ts0 + i, pay, sizeof pay) + 7u) & ~7u;
	buf_header(b, BUF, pos, 1, 0, cpu);
	img_put(m, b, BUF);
}

typedef struct wres {
	int records, damage;
	int64_t off;
	uint64_t skipped; /* of the first damage */
	char msg[256];
	int64_t last_ts;
	int ordered;
} wres;
static int w_record(void *ud, const kcap_etw_record *r)
{
	wres *w = ud;
	if (w->records && r->timestamp < w->last_ts)
		w->ordered = 0;
	w->last_ts = r->timestamp;
	w->records++;
	return 0;
}
static void w_damage(void *ud, const kcap_error *e, uint64_t skipped)
{
	wres *w = ud;
	if (!w->damage++) {
		w->off = e->offset;
		w->skipped = skipped;
		snprintf(w->msg, sizeof w->msg, "%s", e->msg);
	}
}
/* Walks the image in memory, and read from a file a buffer at a time (as
 * convert --from etl reads it): both walks must agree on everything. */
static int walk(img *m, wres *w)
{
	memset(w, 0, sizeof *w);
	w->ordered = 1;
	kcap_etl_handler h = { NULL, w_record, NULL, w_damage };
	kcap_error e = { 0 };
	int rc = kcap_etl_walk(m->b, m->n, &h, w, NULL, &e);
	wres f;
	memset(&f, 0, sizeof f);
	f.ordered = 1;
	FILE *t = tmpfile();
	ck_assert_ptr_nonnull(t);
	ck_assert_uint_eq(fwrite(m->b, 1, m->n, t), m->n);
	ck_assert_int_eq(fflush(t), 0);
	kcap_error fe = { 0 };
	int frc = kcap_etl_walk_fd(fileno(t), 0, m->n, &h, &f, NULL, NULL, &fe);
	fclose(t);
	ck_assert_int_eq(frc, rc);
	ck_assert_int_eq(f.records, w->records);
	ck_assert_int_eq(f.damage, w->damage);
	ck_assert_int_eq(f.off, w->off);
	ck_assert_str_eq(f.msg, w->msg);
	ck_assert_int_eq(f.ordered, w->ordered);
	return rc;
}

/* No large allocation: the address space is capped (not under ASan, which
 * reserves far more than the cap). */
static void cap_memory(void)
{
#if defined(__SANITIZE_ADDRESS__)
	return;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
	return;
#endif
#endif
	struct rlimit rl = { 512u << 20, 512u << 20 };
	setrlimit(RLIMIT_AS, &rl);
}

START_TEST(per_cpu_buffers_merge_into_time_order)
{
	img m = { 0 };
	header_buffer(&m, 4);
	data_buffer(&m, 0, 10, 5000);  /* cpu 0: 5000..5009 */
	data_buffer(&m, 1, 10, 2000);  /* cpu 1, earlier */
	data_buffer(&m, 0, 10, 9000);
	wres w;
	ck_assert_int_eq(walk(&m, &w), 0);
	ck_assert_int_eq(w.records, 31);
	ck_assert_int_eq(w.ordered, 1);
	ck_assert_int_eq(w.damage, 0);
	free(m.b);
}
END_TEST

/* Read from a descriptor with file_len: a second file's header buffer ends
 * the first walk there, and the next walk starts at it; a file shorter
 * than the length given is a read error (KCAP_E_IO), not damage. */
START_TEST(descriptor_walk_splits_files_and_fails_on_short_reads)
{
	img m = { 0 };
	header_buffer(&m, 2);
	data_buffer(&m, 0, 10, 5000);
	data_buffer(&m, 1, 10, 2000);
	size_t first = m.n;
	header_buffer(&m, 1);
	data_buffer(&m, 0, 7, 100);
	FILE *t = tmpfile();
	ck_assert_ptr_nonnull(t);
	ck_assert_uint_eq(fwrite(m.b, 1, m.n, t), m.n);
	ck_assert_int_eq(fflush(t), 0);
	wres w;
	memset(&w, 0, sizeof w);
	kcap_etl_handler h = { NULL, w_record, NULL, w_damage };
	kcap_error e = { 0 };
	uint64_t flen = 0;
	ck_assert_int_eq(kcap_etl_walk_fd(fileno(t), 0, m.n, &h, &w, NULL, &flen, &e), 0);
	ck_assert_uint_eq(flen, first);
	ck_assert_int_eq(w.records, 21);
	memset(&w, 0, sizeof w);
	ck_assert_int_eq(kcap_etl_walk_fd(fileno(t), first, m.n - first, &h, &w, NULL, &flen, &e), 0);
	ck_assert_uint_eq(flen, m.n - first);
	ck_assert_int_eq(w.records, 8);
	/* without file_len the two are one walk, as in memory */
	memset(&w, 0, sizeof w);
	ck_assert_int_eq(kcap_etl_walk_fd(fileno(t), 0, m.n, &h, &w, NULL, NULL, &e), 0);
	ck_assert_int_eq(w.records, 29);
	/* the file said to be a buffer longer than it is */
	memset(&w, 0, sizeof w);
	ck_assert_int_eq(kcap_etl_walk_fd(fileno(t), 0, m.n + BUF, &h, &w, NULL, NULL, &e), KCAP_E_IO);
	ck_assert_msg(strstr(e.msg, "read error"), "%s", e.msg);
	fclose(t);
	free(m.b);
}
END_TEST

START_TEST(buffer_claiming_4gib_is_stepped_over)
{
	cap_memory();
	img m = { 0 };
	header_buffer(&m, 4);
	data_buffer(&m, 0, 5, 5000);
	size_t bad = m.n;
	data_buffer(&m, 1, 5, 6000);
	le(m.b + bad, 0xfffffff0u, 4); /* BufferSize */
	le(m.b + bad + 0x30, 0xfffffff0u, 4);
	data_buffer(&m, 0, 5, 7000);
	wres w;
	ck_assert_int_eq(walk(&m, &w), 1);
	ck_assert_int_eq(w.damage, 1);
	ck_assert_int_eq(w.off, (int64_t)bad);
	ck_assert_int_eq(w.records, 1 + 5 + 5); /* the intact buffers */
	free(m.b);
}
END_TEST

START_TEST(record_past_its_buffer_ends_that_buffer)
{
	cap_memory();
	img m = { 0 };
	header_buffer(&m, 3);
	size_t at = m.n;
	data_buffer(&m, 0, 5, 5000);
	/* the third record claims 60000 bytes */
	size_t third = at + 0x48 + 2 * 48;
	le(m.b + third + 4, 60000, 2);
	data_buffer(&m, 1, 5, 6000);
	wres w;
	ck_assert_int_eq(walk(&m, &w), 1);
	ck_assert_int_eq(w.damage, 1);
	ck_assert_int_eq(w.off, (int64_t)third);
	ck_assert_int_eq(w.records, 1 + 2 + 5);
	free(m.b);
}
END_TEST

START_TEST(file_cut_at_a_buffer_boundary_is_damage)
{
	img m = { 0 };
	header_buffer(&m, 3);
	data_buffer(&m, 0, 5, 5000);
	wres w;
	ck_assert_int_eq(walk(&m, &w), 1);
	ck_assert_int_eq(w.damage, 1);
	ck_assert_int_eq(w.off, (int64_t)m.n);
	ck_assert_int_eq(w.records, 6);
	/* cut inside the last buffer */
	m.n -= 100;
	ck_assert_int_eq(walk(&m, &w), 1);
	ck_assert_int_eq(w.records, 1);
	ck_assert_int_eq(w.off, BUF);
	/* the region runs to the end: where a cut .etl.gz stopped (one line) */
	ck_assert_uint_eq(w.skipped, m.n - BUF);
	free(m.b);
}
END_TEST

START_TEST(not_an_etl_file)
{
	uint8_t junk[8192];
	memset(junk, 'x', sizeof junk);
	wres w;
	img m = { junk, sizeof junk, sizeof junk };
	ck_assert_int_eq(walk(&m, &w), KCAP_E_FORMAT);
	ck_assert_int_eq(w.records, 0);
}
END_TEST

/* An MS-XCA plain LZ77 stream of literals only: a zero flag word per 32 bytes. */
static size_t xpress_literals(uint8_t *out, const uint8_t *in, size_t n)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i += 32) {
		size_t k = n - i < 32 ? n - i : 32;
		uint32_t flags = k < 32 ? (uint32_t)((1ull << (32 - k)) - 1) : 0; /* unused items marked as matches */
		le(out + o, flags, 4);
		o += 4;
		memcpy(out + o, in + i, k);
		o += k;
	}
	return o;
}

/* A compressed buffer holding nrec records; stated tells the inflated size
 * its Offset claims (0: the true one). */
static void compressed_buffer(img *m, int cpu, int nrec, int64_t ts0, uint32_t stated)
{
	uint8_t raw[BUF] = { 0 }, out[BUF + 0x48 + BUF / 8] = { 0 }, pay[16] = { 0 };
	uint32_t pos = 0x48;
	for (int i = 0; i < nrec; i++)
		pos += ((uint32_t)sys_rec(raw + pos, 0x0f63, ts0 + i, pay, sizeof pay) + 7u) & ~7u;
	size_t cn = xpress_literals(out + 0x48, raw + 0x48, pos - 0x48);
	buf_header(out, (uint32_t)(0x48 + cn), stated ? 0x48 + stated : pos, 0x41, 0, cpu);
	img_put(m, out, 0x48 + cn);
}

START_TEST(compressed_buffers)
{
	printf("compressed buffers through %s\n", kcap_etl_have_xpress() == 1 ? "libfwnt" : "the built-in decoder");
	cap_memory();
	img m = { 0 };
	header_buffer(&m, 3);
	compressed_buffer(&m, 0, 4, 5000, 0);
	wres w;
	ck_assert_int_eq(walk(&m, &w), 1); /* 2 of 3 buffers */
	ck_assert_int_eq(w.records, 1 + 4);
	/* a buffer whose data inflates past the size its Offset states */
	size_t bad = m.n;
	compressed_buffer(&m, 1, 4, 6000, 64);
	ck_assert_int_eq(walk(&m, &w), 1);
	ck_assert_int_eq(w.damage, 1);
	ck_assert_msg(w.off == (int64_t)bad + 0x48, "damage at %lld: %s", (long long)w.off, w.msg);
	ck_assert_ptr_nonnull(strstr(w.msg, "inflate"));
	ck_assert_int_eq(w.records, 1 + 4);
	free(m.b);
}
END_TEST


/* ---- every record header kind, and the clocks ---- */
typedef struct seen {
	int n;
	kcap_etw_record r[8];
	uint16_t ext_type[8][4];
	uint8_t first_data[8];
} seen;
static int s_record(void *ud, const kcap_etw_record *r)
{
	seen *s = ud;
	if (s->n < 8) {
		s->r[s->n] = *r;
		for (int i = 0; i < r->next && i < 4; i++)
			s->ext_type[s->n][i] = r->ext[i].type;
		s->first_data[s->n] = r->len ? r->data[0] : 0;
		s->r[s->n].ext = NULL;
		s->r[s->n].data = NULL;
		s->n++;
	}
	return 0;
}

START_TEST(every_header_kind)
{
	img m = { 0 };
	header_buffer(&m, 2);
	uint8_t b[BUF] = { 0 };
	uint32_t pos = 0x48;
	uint8_t *p;
	/* SYSTEM32: version 3, hook 0x0301, tid 7, pid 8, ts 2000, payload 0xa1 */
	p = b + pos;
	le(p, 3, 2), p[2] = 0x01, p[3] = 0xc0, le(p + 4, 36, 2), le(p + 6, 0x0301, 2), le(p + 8, 7, 4), le(p + 12, 8, 4);
	le(p + 16, 2000, 8), p[32] = 0xa1;
	pos += 40;
	/* COMPACT64: 24-byte header */
	p = b + pos;
	le(p, 2, 2), p[2] = 0x04, p[3] = 0xc0, le(p + 4, 28, 2), le(p + 6, 0x0502, 2), le(p + 8, 9, 4), le(p + 12, 10, 4);
	le(p + 16, 2001, 8), p[24] = 0xa2;
	pos += 32;
	/* PERFINFO32: no pid/tid */
	p = b + pos;
	le(p, 2, 2), p[2] = 0x10, p[3] = 0xc0, le(p + 4, 20, 2), le(p + 6, 0x0f2e, 2), le(p + 8, 2002, 8), p[16] = 0xa3;
	pos += 24;
	/* FULL_HEADER32: class opcode 1, level 4, version 2, a class GUID */
	p = b + pos;
	le(p, 52, 2), p[2] = 0x0a, p[3] = 0xc0, p[4] = 1, p[5] = 4, le(p + 6, 2, 2), le(p + 8, 11, 4), le(p + 12, 12, 4);
	le(p + 16, 2003, 8), memset(p + 24, 0x5a, 16), p[48] = 0xa4;
	pos += 56;
	/* EVENT_HEADER64 with two extended items: a SID, a 64-bit stack */
	p = b + pos;
	uint32_t sz = 80 + 24 + 32 + 4;
	le(p, sz, 2), p[2] = 0x13, p[3] = 0xc0, le(p + 4, KCAP_ETW_F_EXTENDED_INFO, 2), le(p + 8, 13, 4), le(p + 12, 14, 4);
	le(p + 16, 2004, 8), memset(p + 24, 0x6b, 16), le(p + 40, 77, 2), p[42] = 1, p[44] = 4, p[45] = 9;
	le(p + 48, 0x8000000000000001ull, 8);
	uint8_t *x = p + 80; /* SID S-1-5-21-1000: 16 bytes */
	le(x, 24, 2), le(x + 2, KCAP_ETW_EXT_SID, 2), le(x + 4, 1, 2), le(x + 6, 16, 2);
	x[8] = 1, x[9] = 2, x[15] = 5, le(x + 16, 21, 4), le(x + 20, 1000, 4);
	x += 24; /* stack: match id + 2 addresses */
	le(x, 32, 2), le(x + 2, KCAP_ETW_EXT_STACK_TRACE64, 2), le(x + 4, 0, 2), le(x + 6, 24, 2);
	p[80 + 24 + 32] = 0xa5;
	pos += (sz + 7) & ~7u;
	buf_header(b, BUF, pos, 1, 0, 3);
	img_put(&m, b, BUF);
	seen sn = { 0 };
	kcap_etl_handler h = { NULL, s_record, NULL, NULL };
	kcap_error e;
	ck_assert_int_eq(kcap_etl_walk(m.b, m.n, &h, &sn, NULL, &e), 0);
	ck_assert_int_eq(sn.n, 6); /* the logfile header and the five */
	const kcap_etw_record *r = sn.r + 1;
	ck_assert_int_eq(r[0].kind, KCAP_ETW_HDR_SYSTEM);
	ck_assert_int_eq(r[0].ptr_size, 4);
	ck_assert_int_eq(r[0].hook, 0x0301);
	ck_assert_int_eq(r[0].version, 3);
	ck_assert_int_eq(r[0].tid, 7);
	ck_assert_int_eq(r[0].pid, 8);
	ck_assert_int_eq(r[0].len, 4);
	ck_assert_int_eq(sn.first_data[1], 0xa1);
	ck_assert_int_eq(r[0].cpu, 3);
	ck_assert_int_eq(r[1].kind, KCAP_ETW_HDR_COMPACT);
	ck_assert_int_eq(r[1].ptr_size, 8);
	ck_assert_int_eq(r[1].pid, 10);
	ck_assert_int_eq(sn.first_data[2], 0xa2);
	ck_assert_int_eq(r[2].kind, KCAP_ETW_HDR_PERFINFO);
	ck_assert_int_eq(r[2].ptr_size, 4);
	ck_assert_uint_eq(r[2].pid, KCAP_ETW_NO_ID);
	ck_assert_int_eq(r[2].timestamp, 2002);
	ck_assert_int_eq(sn.first_data[3], 0xa3);
	ck_assert_int_eq(r[3].kind, KCAP_ETW_HDR_FULL);
	ck_assert_int_eq(r[3].ptr_size, 4);
	ck_assert_int_eq(r[3].opcode, 1);
	ck_assert_int_eq(r[3].level, 4);
	ck_assert_int_eq(r[3].version, 2);
	ck_assert_int_eq(r[3].provider.b[0], 0x5a);
	ck_assert_int_eq(sn.first_data[4], 0xa4);
	ck_assert_int_eq(r[4].kind, KCAP_ETW_HDR_EVENT);
	ck_assert_int_eq(r[4].ptr_size, 8);
	ck_assert_int_eq(r[4].id, 77);
	ck_assert_int_eq(r[4].opcode, 9);
	ck_assert_uint_eq(r[4].keywords, 0x8000000000000001ull);
	ck_assert_int_eq(r[4].next, 2);
	ck_assert_int_eq(sn.ext_type[5][0], KCAP_ETW_EXT_SID);
	ck_assert_int_eq(sn.ext_type[5][1], KCAP_ETW_EXT_STACK_TRACE64);
	ck_assert_int_eq(r[4].len, 4);
	ck_assert_int_eq(sn.first_data[5], 0xa5);
	/* and through the decoder: the SID as a string */
	got g;
	got_open(&g);
	uint8_t sid[16] = { 1, 2, 0, 0, 0, 0, 0, 5, 21, 0, 0, 0, 0xe8, 3, 0, 0 };
	kcap_etw_ext ext = { KCAP_ETW_EXT_SID, 16, sid };
	kcap_etw_record er = { 0 };
	er.kind = KCAP_ETW_HDR_EVENT;
	er.ptr_size = 8;
	er.id = 5;
	er.pid = 1;
	er.tid = 2;
	er.ext = &ext;
	er.next = 1;
	ck_assert_int_eq(kcap_etw_decode(g.d, &er), 0);
	ck_assert_int_eq(g.n, 1);
	ck_assert_msg(strstr(ev_text(&g, 0), "etw_user_sid=S-1-5-21-1000") != NULL, "%s", ev_text(&g, 0));
	got_close(&g);
	free(m.b);
}
END_TEST

START_TEST(clocks)
{
	got g;
	got_open(&g);
	kcap_etw_decoder_close(g.d);
	static const kcap_etw_sink sink = { g_schema, NULL, g_event, NULL, NULL };
	kcap_error e;
	const int64_t start = 133000000000000000LL; /* FILETIME of 2022-06-15T00:53:20Z */
	const int64_t start_ns = (start - 116444736000000000LL) * 100;
	struct {
		int type;
		int64_t freq, t0, t, want;
	} c[] = {
		{ KCAP_ETW_CLOCK_QPC, 10000000, 5000, 5000 + 25000001, start_ns + 2500000100 },
		{ KCAP_ETW_CLOCK_QPC, 2337949, 795732436242LL, 795732436242LL + 2337949 * 3 + 1, start_ns + 3000000427 },
		{ KCAP_ETW_CLOCK_CYCLES, 2394000000LL, 100, 100 + 2394000000LL / 2, start_ns + 500000000 },
		{ KCAP_ETW_CLOCK_SYSTEM, 10000000, start, start + 7, start_ns + 700 },
		{ KCAP_ETW_CLOCK_FILETIME, 0, 0, start + 12345, start_ns + 1234500 },
		/* before the origin */
		{ KCAP_ETW_CLOCK_QPC, 10000000, 5000, 4000, start_ns - 100000 },
	};
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		ck_assert_int_eq(kcap_etw_decoder_open(&g.d, &sink, &g, &e), 0);
		kcap_etw_session s = { 0 };
		s.clock.type = c[i].type;
		s.clock.freq = c[i].freq;
		s.clock.origin_ticks = c[i].t0;
		s.clock.origin_filetime = start;
		ck_assert_int_eq(kcap_etw_decoder_session(g.d, &s), 0);
		ck_assert_msg(kcap_etw_decoder_time(g.d, c[i].t) == c[i].want, "clock case %zu: %lld, want %lld", i,
		              (long long)kcap_etw_decoder_time(g.d, c[i].t), (long long)c[i].want);
		kcap_etw_decoder_close(g.d);
	}
	g.d = NULL;
	got_close(&g);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("etw_decode");
	TCase *tc = tcase_create("classes");
	tcase_add_test(tc, registry_keys_resolve_through_the_kcb_rundown);
	tcase_add_test(tc, fileio_operations_v3);
	tcase_add_test(tc, tcpip_ipv4_ports_in_host_order);
	tcase_add_test(tc, manifest_network_and_registry);
	tcase_add_test(tc, manifest_file_operations);
	suite_add_tcase(s, tc);
	TCase *tf = tcase_create("file");
	tcase_add_test(tf, per_cpu_buffers_merge_into_time_order);
	tcase_add_test(tf, descriptor_walk_splits_files_and_fails_on_short_reads);
	tcase_add_test(tf, buffer_claiming_4gib_is_stepped_over);
	tcase_add_test(tf, record_past_its_buffer_ends_that_buffer);
	tcase_add_test(tf, file_cut_at_a_buffer_boundary_is_damage);
	tcase_add_test(tf, not_an_etl_file);
	tcase_add_test(tf, compressed_buffers);
	tcase_add_test(tf, every_header_kind);
	tcase_add_test(tf, clocks);
	suite_add_tcase(s, tf);
	return kcap_check_run(s);
}
