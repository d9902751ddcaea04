/* The scap event table (see scap_events.h for its conventions and sources). */
#include "scap_events.h"

#include <stddef.h>
#include <string.h>

#define P(n, t, f) {n, SCAP_PT_##t, SCAP_PF_##f, SCAP_NO_DIRFD, NULL}
#define PS(n, t, f, s) {n, SCAP_PT_##t, SCAP_PF_##f, SCAP_NO_DIRFD, s}
#define PD(n, t, f, d) {n, SCAP_PT_##t, SCAP_PF_##f, d, NULL}

/* flags and sources, short */
#define CFD SCAP_EF_CREATES_FD
#define DFD SCAP_EF_DESTROYS_FD
#define UFD SCAP_EF_USES_FD
#define RD SCAP_EF_READS_FROM_FD
#define WR SCAP_EF_WRITES_TO_FD
#define ST SCAP_EF_MODIFIES_STATE
#define UNUSED SCAP_EF_UNUSED
#define WAITS SCAP_EF_WAITS
#define SKIPR SCAP_EF_SKIPPARSERESET
#define OLD SCAP_EF_OLD_VERSION
#define DROP SCAP_EF_DROP_SIMPLE_CONS
#define LARGE SCAP_EF_LARGE_PAYLOAD
#define CONV SCAP_EF_CONVERTER_MANAGED
#define S_INTERNAL SCAP_SRC_INTERNAL
#define S_SYSCALL SCAP_SRC_SYSCALL
#define S_TRACEPOINT SCAP_SRC_TRACEPOINT
#define S_PLUGIN SCAP_SRC_PLUGIN
#define S_META SCAP_SRC_META
#define S_ITER SCAP_SRC_ITER

#define NPARAMS(p) ((p) ? (uint8_t)(sizeof(p) / sizeof((p)[0])) : 0)
#define E(code, name, cat, src, fl, n22, p)                                                   \
	[code] = {name, code, (code) & 1 ? '<' : '>', SCAP_EC_##cat, (src), NPARAMS_##p, \
	          n22, (fl), p}

#define NPARAMS_NULL 0
/* parameter lists */
static const scap_param_info p0[] = {P("ID",SYSCALLID,DEC), P("nativeID",UINT16,DEC)};
#define NPARAMS_p0 2
static const scap_param_info p1[] = {P("ID",SYSCALLID,DEC), P("nativeID",UINT16,DEC)};
#define NPARAMS_p1 2
static const scap_param_info p2[] = {P("name",FSPATH,NA), PS("flags",FLAGS32,HEX,"file_flags"), P("mode",UINT32,OCT)};
#define NPARAMS_p2 3
static const scap_param_info p3[] = {P("fd",FD,DEC), P("name",FSPATH,NA), PS("flags",FLAGS32,HEX,"file_flags"), P("mode",UINT32,OCT), P("dev",UINT32,HEX), P("ino",UINT64,DEC)};
#define NPARAMS_p3 6
static const scap_param_info p4[] = {P("fd",FD,DEC)};
#define NPARAMS_p4 1
static const scap_param_info p5[] = {P("res",ERRNO,DEC), P("fd",FD,DEC)};
#define NPARAMS_p5 2
static const scap_param_info p6[] = {P("fd",FD,DEC), P("size",UINT32,DEC)};
#define NPARAMS_p6 2
static const scap_param_info p7[] = {P("res",ERRNO,DEC), P("data",BYTEBUF,NA), P("fd",FD,DEC), P("size",UINT32,DEC)};
#define NPARAMS_p7 4
static const scap_param_info p8[] = {P("fd",FD,DEC), P("size",UINT32,DEC)};
#define NPARAMS_p8 2
static const scap_param_info p9[] = {P("res",ERRNO,DEC), P("data",BYTEBUF,NA), P("fd",FD,DEC), P("size",UINT32,DEC)};
#define NPARAMS_p9 4
static const scap_param_info p10[] = {P("size",UINT32,DEC)};
#define NPARAMS_p10 1
static const scap_param_info p11[] = {P("res",UINT64,HEX)};
#define NPARAMS_p11 1
static const scap_param_info p13[] = {P("res",ERRNO,DEC), P("exe",CHARBUF,NA), P("args",BYTEBUF,NA), P("tid",PID,DEC), P("pid",PID,DEC), P("ptid",PID,DEC), P("cwd",CHARBUF,NA), P("fdlimit",UINT64,DEC)};
#define NPARAMS_p13 8
static const scap_param_info p15[] = {P("res",PID,DEC), P("exe",CHARBUF,NA), P("args",BYTEBUF,NA), P("tid",PID,DEC), P("pid",PID,DEC), P("ptid",PID,DEC), P("cwd",CHARBUF,NA), P("fdlimit",INT64,DEC), PS("flags",FLAGS32,HEX,"clone_flags"), P("uid",UINT32,DEC), P("gid",UINT32,DEC)};
#define NPARAMS_p15 11
static const scap_param_info p18[] = {PS("domain",ENUMFLAGS32,DEC,"socket_families"), P("type",UINT32,DEC), P("proto",UINT32,DEC)};
#define NPARAMS_p18 3
static const scap_param_info p19[] = {P("fd",FD,DEC), PS("domain",ENUMFLAGS32,DEC,"socket_families"), P("type",UINT32,DEC), P("proto",UINT32,DEC), PS("flags",FLAGS32,HEX,"file_flags")};
#define NPARAMS_p19 5
static const scap_param_info p20[] = {P("fd",FD,DEC)};
#define NPARAMS_p20 1
static const scap_param_info p21[] = {P("res",ERRNO,DEC), P("addr",SOCKADDR,NA), P("fd",FD,DEC)};
#define NPARAMS_p21 3
static const scap_param_info p22[] = {P("fd",FD,DEC), P("addr",SOCKADDR,NA)};
#define NPARAMS_p22 2
static const scap_param_info p23[] = {P("res",ERRNO,DEC), P("tuple",SOCKTUPLE,NA), P("fd",FD,DEC), P("addr",SOCKADDR,NA)};
#define NPARAMS_p23 4
static const scap_param_info p24[] = {P("fd",FD,DEC), P("backlog",INT32,DEC)};
#define NPARAMS_p24 2
static const scap_param_info p25[] = {P("res",ERRNO,DEC), P("fd",FD,DEC), P("backlog",INT32,DEC)};
#define NPARAMS_p25 3
static const scap_param_info p27[] = {P("fd",FD,DEC), P("tuple",SOCKTUPLE,NA), P("queuepct",UINT8,DEC)};
#define NPARAMS_p27 3
static const scap_param_info p28[] = {P("fd",FD,DEC), P("size",UINT32,DEC)};
#define NPARAMS_p28 2
static const scap_param_info p29[] = {P("res",ERRNO,DEC), P("data",BYTEBUF,NA), P("fd",FD,DEC), P("size",UINT32,DEC), P("tuple",SOCKTUPLE,NA)};
#define NPARAMS_p29 5
static const scap_param_info p30[] = {P("fd",FD,DEC), P("size",UINT32,DEC), P("tuple",SOCKTUPLE,NA)};
#define NPARAMS_p30 3
static const scap_param_info p31[] = {P("res",ERRNO,DEC), P("data",BYTEBUF,NA), P("fd",FD,DEC), P("size",UINT32,DEC), P("tuple",SOCKTUPLE,NA)};
#define NPARAMS_p31 5
static const scap_param_info p32[] = {P("fd",FD,DEC), P("size",UINT32,DEC)};
#define NPARAMS_p32 2
static const scap_param_info p33[] = {P("res",ERRNO,DEC), P("data",BYTEBUF,NA), P("fd",FD,DEC), P("size",UINT32,DEC), P("tuple",SOCKTUPLE,NA)};
#define NPARAMS_p33 5
static const scap_param_info p34[] = {P("fd",FD,DEC), P("size",UINT32,DEC)};
#define NPARAMS_p34 2
static const scap_param_info p35[] = {P("res",ERRNO,DEC), P("data",BYTEBUF,NA), P("tuple",SOCKTUPLE,NA), P("fd",FD,DEC), P("size",UINT32,DEC)};
#define NPARAMS_p35 5
static const scap_param_info p36[] = {P("fd",FD,DEC), PS("how",ENUMFLAGS8,HEX,"shutdown_how")};
#define NPARAMS_p36 2
static const scap_param_info p37[] = {P("res",ERRNO,DEC), P("fd",FD,DEC), PS("how",ENUMFLAGS8,HEX,"shutdown_how")};
#define NPARAMS_p37 3
static const scap_param_info p42[] = {PS("domain",ENUMFLAGS32,DEC,"socket_families"), P("type",UINT32,DEC), P("proto",UINT32,DEC)};
#define NPARAMS_p42 3
static const scap_param_info p43[] = {P("res",ERRNO,DEC), P("fd1",FD,DEC), P("fd2",FD,DEC), P("source",UINT64,HEX), P("peer",UINT64,HEX), PS("domain",ENUMFLAGS32,DEC,"socket_families"), P("type",UINT32,DEC), P("proto",UINT32,DEC)};
#define NPARAMS_p43 8
static const scap_param_info p45[] = {P("res",ERRNO,DEC), P("fd",FD,DEC), PS("level",ENUMFLAGS8,DEC,"sockopt_levels"), PS("optname",ENUMFLAGS8,DEC,"sockopt_options"), PS("val",DYN,DEC,"sockopt_dynamic_param"), P("optlen",UINT32,DEC)};
#define NPARAMS_p45 6
static const scap_param_info p47[] = {P("res",ERRNO,DEC), P("fd",FD,DEC), PS("level",ENUMFLAGS8,DEC,"sockopt_levels"), PS("optname",ENUMFLAGS8,DEC,"sockopt_options"), PS("val",DYN,DEC,"sockopt_dynamic_param"), P("optlen",UINT32,DEC)};
#define NPARAMS_p47 6
static const scap_param_info p48[] = {P("fd",FD,DEC), P("size",UINT32,DEC), P("tuple",SOCKTUPLE,NA)};
#define NPARAMS_p48 3
static const scap_param_info p49[] = {P("res",ERRNO,DEC), P("data",BYTEBUF,NA), P("fd",FD,DEC), P("size",UINT32,DEC), P("tuple",SOCKTUPLE,NA)};
#define NPARAMS_p49 5
static const scap_param_info p51[] = {P("res",ERRNO,DEC), P("fd",FD,DEC), P("size",UINT32,DEC), P("data",BYTEBUF,NA), P("tuple",SOCKTUPLE,NA)};
#define NPARAMS_p51 5
static const scap_param_info p52[] = {P("fd",FD,DEC)};
#define NPARAMS_p52 1
static const scap_param_info p53[] = {P("res",ERRNO,DEC), P("size",UINT32,DEC), P("data",BYTEBUF,NA), P("tuple",SOCKTUPLE,NA), P("msgcontrol",BYTEBUF,NA), P("fd",FD,DEC)};
#define NPARAMS_p53 6
static const scap_param_info p55[] = {P("res",ERRNO,DEC), P("fd",FD,DEC), P("size",UINT32,DEC), P("data",BYTEBUF,NA), P("tuple",SOCKTUPLE,NA), P("msgcontrol",BYTEBUF,NA)};
#define NPARAMS_p55 6
static const scap_param_info p56[] = {P("flags",INT32,HEX)};
#define NPARAMS_p56 1
static const scap_param_info p57[] = {P("fd",FD,DEC), P("tuple",SOCKTUPLE,NA), P("queuepct",UINT8,DEC)};
#define NPARAMS_p57 3
static const scap_param_info p58[] = {P("name",FSPATH,NA), P("mode",UINT32,OCT)};
#define NPARAMS_p58 2
static const scap_param_info p59[] = {P("fd",FD,DEC), P("name",FSPATH,NA), P("mode",UINT32,OCT), P("dev",UINT32,HEX), P("ino",UINT64,DEC), PS("creat_flags",FLAGS16,HEX,"creat_flags")};
#define NPARAMS_p59 6
static const scap_param_info p61[] = {P("res",ERRNO,DEC), P("fd1",FD,DEC), P("fd2",FD,DEC), P("ino",UINT64,DEC)};
#define NPARAMS_p61 4
static const scap_param_info p62[] = {P("initval",UINT64,DEC), P("flags",UINT32,HEX)};
#define NPARAMS_p62 2
static const scap_param_info p63[] = {P("res",FD,DEC), P("initval",UINT64,DEC), P("flags",UINT32,HEX)};
#define NPARAMS_p63 3
static const scap_param_info p64[] = {P("addr",UINT64,HEX), PS("op",FLAGS16,HEX,"futex_operations"), P("val",UINT64,DEC)};
#define NPARAMS_p64 3
static const scap_param_info p65[] = {P("res",ERRNO,DEC), P("addr",UINT64,HEX), PS("op",FLAGS16,HEX,"futex_operations"), P("val",UINT64,DEC)};
#define NPARAMS_p65 4
static const scap_param_info p67[] = {P("res",ERRNO,DEC), P("path",FSPATH,NA)};
#define NPARAMS_p67 2
static const scap_param_info p69[] = {P("res",ERRNO,DEC), P("path",FSPATH,NA)};
#define NPARAMS_p69 2
static const scap_param_info p70[] = {P("fd",FD,NA)};
#define NPARAMS_p70 1
static const scap_param_info p71[] = {P("res",ERRNO,DEC), P("fd",FD,NA)};
#define NPARAMS_p71 2
static const scap_param_info p73[] = {P("res",ERRNO,DEC), P("path",FSPATH,NA)};
#define NPARAMS_p73 2
static const scap_param_info p75[] = {P("res",ERRNO,DEC), P("path",FSPATH,NA)};
#define NPARAMS_p75 2
static const scap_param_info p76[] = {P("fd",FD,NA)};
#define NPARAMS_p76 1
static const scap_param_info p77[] = {P("res",ERRNO,DEC)};
#define NPARAMS_p77 1
static const scap_param_info p78[] = {P("maxevents",ERRNO,DEC)};
#define NPARAMS_p78 1
static const scap_param_info p79[] = {P("res",ERRNO,DEC), P("maxevents",ERRNO,DEC)};
#define NPARAMS_p79 2
static const scap_param_info p80[] = {P("fds",FDLIST,DEC), P("timeout",INT64,DEC)};
#define NPARAMS_p80 2
static const scap_param_info p81[] = {P("res",ERRNO,DEC), P("fds",FDLIST,DEC), P("timeout",INT64,DEC)};
#define NPARAMS_p81 3
static const scap_param_info p83[] = {P("res",ERRNO,DEC)};
#define NPARAMS_p83 1
static const scap_param_info p85[] = {P("res",ERRNO,DEC)};
#define NPARAMS_p85 1
static const scap_param_info p86[] = {P("fd",FD,DEC), P("offset",UINT64,DEC), PS("whence",ENUMFLAGS8,DEC,"lseek_whence")};
#define NPARAMS_p86 3
static const scap_param_info p87[] = {P("res",ERRNO,DEC), P("fd",FD,DEC), P("offset",UINT64,DEC), PS("whence",ENUMFLAGS8,DEC,"lseek_whence")};
#define NPARAMS_p87 4
static const scap_param_info p88[] = {P("fd",FD,DEC), P("offset",UINT64,DEC), PS("whence",ENUMFLAGS8,DEC,"lseek_whence")};
#define NPARAMS_p88 3
static const scap_param_info p89[] = {P("res",ERRNO,DEC), P("fd",FD,DEC), P("offset",UINT64,DEC), PS("whence",ENUMFLAGS8,DEC,"lseek_whence")};
#define NPARAMS_p89 4
static const scap_param_info p90[] = {P("fd",FD,DEC), P("request",UINT64,HEX)};
#define NPARAMS_p90 2
static const scap_param_info p91[] = {P("res",ERRNO,DEC)};
#define NPARAMS_p91 1
static const scap_param_info p93[] = {P("res",ERRNO,DEC), P("path",CHARBUF,NA)};
#define NPARAMS_p93 2
static const scap_param_info p95[] = {P("res",ERRNO,DEC), P("path",CHARBUF,NA)};
#define NPARAMS_p95 2
static const scap_param_info p96[] = {P("fd",FD,NA)};
#define NPARAMS_p96 1
static const scap_param_info p97[] = {P("res",ERRNO,DEC), P("fd",FD,NA)};
#define NPARAMS_p97 2
static const scap_param_info p98[] = {P("path",FSPATH,NA), P("mode",UINT32,HEX)};
#define NPARAMS_p98 2
static const scap_param_info p99[] = {P("res",ERRNO,DEC)};
#define NPARAMS_p99 1
static const scap_param_info p100[] = {P("path",FSPATH,NA)};
#define NPARAMS_p100 1
static const scap_param_info p101[] = {P("res",ERRNO,DEC)};
#define NPARAMS_p101 1
static const scap_param_info p102[] = {P("dirfd",FD,DEC), P("name",CHARBUF,NA), PS("flags",FLAGS32,HEX,"file_flags"), P("mode",UINT32,OCT)};
#define NPARAMS_p102 4
static const scap_param_info p103[] = {P("fd",FD,DEC)};
#define NPARAMS_p103 1
static const scap_param_info p104[] = {P("oldpath",FSPATH,NA), P("newpath",FSPATH,NA)};
#define NPARAMS_p104 2
static const scap_param_info p105[] = {P("res",ERRNO,DEC)};
#define NPARAMS_p105 1
static const scap_param_info p106[] = {P("olddir",FD,DEC), P("oldpath",CHARBUF,NA), P("newdir",FD,DEC), P("newpath",CHARBUF,NA)};
#define NPARAMS_p106 4
static const scap_param_info p107[] = {P("res",ERRNO,DEC)};
#define NPARAMS_p107 1
static const scap_param_info p108[] = {P("path",FSPATH,NA)};
#define NPARAMS_p108 1
static const scap_param_info p109[] = {P("res",ERRNO,DEC)};
#define NPARAMS_p109 1
static const scap_param_info p110[] = {P("dirfd",FD,DEC), P("name",CHARBUF,NA)};
#define NPARAMS_p110 2
static const scap_param_info p111[] = {P("res",ERRNO,DEC)};
#define NPARAMS_p111 1
static const scap_param_info p112[] = {P("fd",FD,DEC), P("size",UINT32,DEC), P("pos",UINT64,DEC)};
#define NPARAMS_p112 3
static const scap_param_info p113[] = {P("res",ERRNO,DEC), P("data",BYTEBUF,NA), P("fd",FD,DEC), P("size",UINT32,DEC), P("pos",UINT64,DEC)};
#define NPARAMS_p113 5
static const scap_param_info p114[] = {P("fd",FD,DEC), P("size",UINT32,DEC), P("pos",UINT64,DEC)};
#define NPARAMS_p114 3
static const scap_param_info p115[] = {P("res",ERRNO,DEC), P("data",BYTEBUF,NA), P("fd",FD,DEC), P("size",UINT32,DEC), P("pos",UINT64,DEC)};
#define NPARAMS_p115 5
static const scap_param_info p116[] = {P("fd",FD,DEC)};
#define NPARAMS_p116 1
static const scap_param_info p117[] = {P("res",ERRNO,DEC), P("size",UINT32,DEC), P("data",BYTEBUF,NA), P("fd",FD,DEC)};
#define NPARAMS_p117 4
static const scap_param_info p118[] = {P("fd",FD,DEC), P("size",UINT32,DEC)};
#define NPARAMS_p118 2
static const scap_param_info p119[] = {P("res",ERRNO,DEC), P("data",BYTEBUF,NA), P("fd",FD,DEC), P("size",UINT32,DEC)};
#define NPARAMS_p119 4
static const scap_param_info p120[] = {P("fd",FD,DEC), P("pos",UINT64,DEC)};
#define NPARAMS_p120 2
static const scap_param_info p121[] = {P("res",ERRNO,DEC), P("size",UINT32,DEC), P("data",BYTEBUF,NA), P("fd",FD,DEC), P("pos",UINT64,DEC)};
#define NPARAMS_p121 5
static const scap_param_info p122[] = {P("fd",FD,DEC), P("size",UINT32,DEC), P("pos",UINT64,DEC)};
#define NPARAMS_p122 3
static const scap_param_info p123[] = {P("res",ERRNO,DEC), P("data",BYTEBUF,NA), P("fd",FD,DEC), P("size",UINT32,DEC), P("pos",UINT64,DEC)};
#define NPARAMS_p123 5
static const scap_param_info p124[] = {P("fd",FD,DEC)};
#define NPARAMS_p124 1
static const scap_param_info p125[] = {P("res",FD,DEC)};
#define NPARAMS_p125 1
static const scap_param_info p126[] = {P("fd",FD,DEC), P("mask",UINT32,HEX), P("flags",UINT8,HEX)};
#define NPARAMS_p126 3
static const scap_param_info p127[] = {P("res",FD,DEC), P("fd",FD,DEC), P("mask",UINT32,HEX), P("flags",UINT8,HEX)};
#define NPARAMS_p127 4
static const scap_param_info p128[] = {P("pid",PID,DEC), P("sig",SIGTYPE,DEC)};
#define NPARAMS_p128 2
static const scap_param_info p129[] = {P("res",ERRNO,DEC), P("pid",PID,DEC), P("sig",SIGTYPE,DEC)};
#define NPARAMS_p129 3
static const scap_param_info p130[] = {P("tid",PID,DEC), P("sig",SIGTYPE,DEC)};
#define NPARAMS_p130 2
static const scap_param_info p131[] = {P("res",ERRNO,DEC), P("tid",PID,DEC), P("sig",SIGTYPE,DEC)};
#define NPARAMS_p131 3
static const scap_param_info p132[] = {P("pid",PID,DEC), P("tid",PID,DEC), P("sig",SIGTYPE,DEC)};
#define NPARAMS_p132 3
static const scap_param_info p133[] = {P("res",ERRNO,DEC), P("pid",PID,DEC), P("tid",PID,DEC), P("sig",SIGTYPE,DEC)};
#define NPARAMS_p133 4
static const scap_param_info p134[] = {P("interval",RELTIME,DEC)};
#define NPARAMS_p134 1
static const scap_param_info p135[] = {P("res",ERRNO,DEC), P("interval",RELTIME,DEC)};
#define NPARAMS_p135 2
static const scap_param_info p136[] = {P("clockid",UINT8,DEC), P("flags",UINT8,HEX)};
#define NPARAMS_p136 2
static const scap_param_info p137[] = {P("res",FD,DEC), P("clockid",UINT8,DEC), P("flags",UINT8,HEX)};
#define NPARAMS_p137 3
static const scap_param_info p138[] = {P("flags",UINT8,HEX)};
#define NPARAMS_p138 1
static const scap_param_info p139[] = {P("res",FD,DEC), P("flags",UINT8,HEX)};
#define NPARAMS_p139 2
static const scap_param_info p140[] = {PS("resource",ENUMFLAGS8,DEC,"rlimit_resources")};
#define NPARAMS_p140 1
static const scap_param_info p141[] = {P("res",ERRNO,DEC), P("cur",INT64,DEC), P("max",INT64,DEC), PS("resource",ENUMFLAGS8,DEC,"rlimit_resources")};
#define NPARAMS_p141 4
static const scap_param_info p142[] = {PS("resource",ENUMFLAGS8,DEC,"rlimit_resources")};
#define NPARAMS_p142 1
static const scap_param_info p143[] = {P("res",ERRNO,DEC), P("cur",INT64,DEC), P("max",INT64,DEC), PS("resource",ENUMFLAGS8,DEC,"rlimit_resources")};
#define NPARAMS_p143 4
static const scap_param_info p144[] = {P("pid",PID,DEC), PS("resource",ENUMFLAGS8,DEC,"rlimit_resources")};
#define NPARAMS_p144 2
static const scap_param_info p145[] = {P("res",ERRNO,DEC), P("newcur",INT64,DEC), P("newmax",INT64,DEC), P("oldcur",INT64,DEC), P("oldmax",INT64,DEC), P("pid",INT64,DEC), PS("resource",ENUMFLAGS8,DEC,"rlimit_resources")};
#define NPARAMS_p145 7
static const scap_param_info p146[] = {P("next",PID,DEC)};
#define NPARAMS_p146 1
static const scap_param_info p148[] = {P("ratio",UINT32,DEC)};
#define NPARAMS_p148 1
static const scap_param_info p149[] = {P("ratio",UINT32,DEC)};
#define NPARAMS_p149 1
static const scap_param_info p150[] = {P("fd",FD,DEC), PS("cmd",ENUMFLAGS8,DEC,"fcntl_commands")};
#define NPARAMS_p150 2
static const scap_param_info p151[] = {P("res",FD,DEC), P("fd",FD,DEC), PS("cmd",ENUMFLAGS8,DEC,"fcntl_commands"), P("arg",UINT64,HEX)};
#define NPARAMS_p151 4
static const scap_param_info p152[] = {P("next",PID,DEC), P("pgft_maj",UINT64,DEC), P("pgft_min",UINT64,DEC), P("vm_size",UINT32,DEC), P("vm_rss",UINT32,DEC), P("vm_swap",UINT32,DEC)};
#define NPARAMS_p152 6
static const scap_param_info p155[] = {P("res",ERRNO,DEC), P("exe",CHARBUF,NA), P("args",BYTEBUF,NA), P("tid",PID,DEC), P("pid",PID,DEC), P("ptid",PID,DEC), P("cwd",CHARBUF,NA), P("fdlimit",UINT64,DEC), P("pgft_maj",UINT64,DEC), P("pgft_min",UINT64,DEC), P("vm_size",UINT32,DEC), P("vm_rss",UINT32,DEC), P("vm_swap",UINT32,DEC)};
#define NPARAMS_p155 13
static const scap_param_info p157[] = {P("res",PID,DEC), P("exe",CHARBUF,NA), P("args",BYTEBUF,NA), P("tid",PID,DEC), P("pid",PID,DEC), P("ptid",PID,DEC), P("cwd",CHARBUF,NA), P("fdlimit",INT64,DEC), P("pgft_maj",UINT64,DEC), P("pgft_min",UINT64,DEC), P("vm_size",UINT32,DEC), P("vm_rss",UINT32,DEC), P("vm_swap",UINT32,DEC), PS("flags",FLAGS32,HEX,"clone_flags"), P("uid",UINT32,DEC), P("gid",UINT32,DEC)};
#define NPARAMS_p157 16
static const scap_param_info p158[] = {P("addr",UINT64,HEX)};
#define NPARAMS_p158 1
static const scap_param_info p159[] = {P("res",UINT64,HEX), P("vm_size",UINT32,DEC), P("vm_rss",UINT32,DEC), P("vm_swap",UINT32,DEC), P("addr",UINT64,HEX)};
#define NPARAMS_p159 5
static const scap_param_info p160[] = {P("addr",UINT64,HEX), P("length",UINT64,DEC), PS("prot",FLAGS32,HEX,"prot_flags"), PS("flags",FLAGS32,HEX,"mmap_flags"), P("fd",FD,DEC), P("offset",UINT64,DEC)};
#define NPARAMS_p160 6
static const scap_param_info p161[] = {P("res",ERRNO,HEX), P("vm_size",UINT32,DEC), P("vm_rss",UINT32,DEC), P("vm_swap",UINT32,DEC), P("addr",UINT64,HEX), P("length",UINT64,DEC), PS("prot",FLAGS32,HEX,"prot_flags"), PS("flags",FLAGS32,HEX,"mmap_flags"), P("fd",FD,DEC), P("offset",UINT64,DEC)};
#define NPARAMS_p161 10
static const scap_param_info p162[] = {P("addr",UINT64,HEX), P("length",UINT64,DEC), PS("prot",FLAGS32,HEX,"prot_flags"), PS("flags",FLAGS32,HEX,"mmap_flags"), P("fd",FD,DEC), P("pgoffset",UINT64,DEC)};
#define NPARAMS_p162 6
static const scap_param_info p163[] = {P("res",ERRNO,HEX), P("vm_size",UINT32,DEC), P("vm_rss",UINT32,DEC), P("vm_swap",UINT32,DEC), P("addr",UINT64,HEX), P("length",UINT64,DEC), PS("prot",FLAGS32,HEX,"prot_flags"), PS("flags",FLAGS32,HEX,"mmap_flags"), P("fd",FD,DEC), P("pgoffset",UINT64,DEC)};
#define NPARAMS_p163 10
static const scap_param_info p164[] = {P("addr",UINT64,HEX), P("length",UINT64,DEC)};
#define NPARAMS_p164 2
static const scap_param_info p165[] = {P("res",ERRNO,DEC), P("vm_size",UINT32,DEC), P("vm_rss",UINT32,DEC), P("vm_swap",UINT32,DEC), P("addr",UINT64,HEX), P("length",UINT64,DEC)};
#define NPARAMS_p165 6
static const scap_param_info p166[] = {P("fd_in",FD,DEC), P("fd_out",FD,DEC), P("size",UINT64,DEC), PS("flags",FLAGS32,HEX,"splice_flags")};
#define NPARAMS_p166 4
static const scap_param_info p167[] = {P("res",ERRNO,DEC), P("fd_in",FD,DEC), P("fd_out",FD,DEC), P("size",UINT64,DEC), PS("flags",FLAGS32,HEX,"splice_flags")};
#define NPARAMS_p167 5
static const scap_param_info p168[] = {PS("request",ENUMFLAGS16,DEC,"ptrace_requests"), P("pid",PID,DEC)};
#define NPARAMS_p168 2
static const scap_param_info p169[] = {P("res",ERRNO,DEC), PS("addr",DYN,HEX,"ptrace_dynamic_param"), PS("data",DYN,HEX,"ptrace_dynamic_param"), PS("request",ENUMFLAGS16,DEC,"ptrace_requests"), P("pid",PID,DEC)};
#define NPARAMS_p169 5
static const scap_param_info p170[] = {P("fd",FD,DEC), P("request",UINT64,HEX), P("argument",UINT64,HEX)};
#define NPARAMS_p170 3
static const scap_param_info p171[] = {P("res",ERRNO,DEC), P("fd",FD,DEC), P("request",UINT64,HEX), P("argument",UINT64,HEX)};
#define NPARAMS_p171 4
static const scap_param_info p173[] = {P("res",ERRNO,DEC), P("exe",CHARBUF,NA), P("args",BYTEBUF,NA), P("tid",PID,DEC), P("pid",PID,DEC), P("ptid",PID,DEC), P("cwd",CHARBUF,NA), P("fdlimit",UINT64,DEC), P("pgft_maj",UINT64,DEC), P("pgft_min",UINT64,DEC), P("vm_size",UINT32,DEC), P("vm_rss",UINT32,DEC), P("vm_swap",UINT32,DEC), P("env",BYTEBUF,NA)};
#define NPARAMS_p173 14
static const scap_param_info p175[] = {P("res",ERRNO,DEC), P("oldpath",FSPATH,NA), P("newpath",FSPATH,NA)};
#define NPARAMS_p175 3
static const scap_param_info p177[] = {P("res",ERRNO,DEC), P("olddirfd",FD,DEC), PD("oldpath",FSRELPATH,NA,1), P("newdirfd",FD,DEC), PD("newpath",FSRELPATH,NA,3)};
#define NPARAMS_p177 5
static const scap_param_info p179[] = {P("res",ERRNO,DEC), P("target",CHARBUF,NA), P("linkpath",FSPATH,NA)};
#define NPARAMS_p179 3
static const scap_param_info p181[] = {P("res",ERRNO,DEC), P("target",CHARBUF,NA), P("linkdirfd",FD,DEC), PD("linkpath",FSRELPATH,NA,2)};
#define NPARAMS_p181 4
static const scap_param_info p183[] = {P("res",PID,DEC), P("exe",CHARBUF,NA), P("args",BYTEBUF,NA), P("tid",PID,DEC), P("pid",PID,DEC), P("ptid",PID,DEC), P("cwd",CHARBUF,NA), P("fdlimit",INT64,DEC), P("pgft_maj",UINT64,DEC), P("pgft_min",UINT64,DEC), P("vm_size",UINT32,DEC), P("vm_rss",UINT32,DEC), P("vm_swap",UINT32,DEC), PS("flags",FLAGS32,HEX,"clone_flags"), P("uid",UINT32,DEC), P("gid",UINT32,DEC)};
#define NPARAMS_p183 16
static const scap_param_info p185[] = {P("res",PID,DEC), P("exe",CHARBUF,NA), P("args",BYTEBUF,NA), P("tid",PID,DEC), P("pid",PID,DEC), P("ptid",PID,DEC), P("cwd",CHARBUF,NA), P("fdlimit",INT64,DEC), P("pgft_maj",UINT64,DEC), P("pgft_min",UINT64,DEC), P("vm_size",UINT32,DEC), P("vm_rss",UINT32,DEC), P("vm_swap",UINT32,DEC), PS("flags",FLAGS32,HEX,"clone_flags"), P("uid",UINT32,DEC), P("gid",UINT32,DEC)};
#define NPARAMS_p185 16
static const scap_param_info p186[] = {P("status",ERRNO,DEC), P("ret",ERRNO,DEC), P("sig",SIGTYPE,DEC), P("core",UINT8,DEC), P("reaper_tid",PID,DEC)};
#define NPARAMS_p186 5
static const scap_param_info p188[] = {P("out_fd",FD,DEC), P("in_fd",FD,DEC), P("offset",UINT64,DEC), P("size",UINT64,DEC)};
#define NPARAMS_p188 4
static const scap_param_info p189[] = {P("res",ERRNO,DEC), P("offset",UINT64,DEC), P("out_fd",FD,DEC), P("in_fd",FD,DEC), P("size",UINT64,DEC)};
#define NPARAMS_p189 5
static const scap_param_info p190[] = {PS("cmd",FLAGS16,DEC,"quotactl_cmds"), PS("type",FLAGS8,DEC,"quotactl_types"), P("id",UINT32,DEC), PS("quota_fmt",FLAGS8,DEC,"quotactl_quota_fmts")};
#define NPARAMS_p190 4
static const scap_param_info p191[] = {P("res",ERRNO,DEC), P("special",CHARBUF,NA), P("quotafilepath",CHARBUF,NA), P("dqb_bhardlimit",UINT64,DEC), P("dqb_bsoftlimit",UINT64,DEC), P("dqb_curspace",UINT64,DEC), P("dqb_ihardlimit",UINT64,DEC), P("dqb_isoftlimit",UINT64,DEC), P("dqb_btime",RELTIME,DEC), P("dqb_itime",RELTIME,DEC), P("dqi_bgrace",RELTIME,DEC), P("dqi_igrace",RELTIME,DEC), PS("dqi_flags",FLAGS8,DEC,"quotactl_dqi_flags"), PS("quota_fmt_out",FLAGS8,DEC,"quotactl_quota_fmts"), PS("cmd",FLAGS16,DEC,"quotactl_cmds"), PS("type",FLAGS8,DEC,"quotactl_types"), P("id",UINT32,DEC), PS("quota_fmt",FLAGS8,DEC,"quotactl_quota_fmts")};
#define NPARAMS_p191 18
static const scap_param_info p192[] = {P("ruid",UID,DEC), P("euid",UID,DEC), P("suid",UID,DEC)};
#define NPARAMS_p192 3
static const scap_param_info p193[] = {P("res",ERRNO,DEC), P("ruid",UID,DEC), P("euid",UID,DEC), P("suid",UID,DEC)};
#define NPARAMS_p193 4
static const scap_param_info p194[] = {P("rgid",GID,DEC), P("egid",GID,DEC), P("sgid",GID,DEC)};
#define NPARAMS_p194 3
static const scap_param_info p195[] = {P("res",ERRNO,DEC), P("rgid",GID,DEC), P("egid",GID,DEC), P("sgid",GID,DEC)};
#define NPARAMS_p195 4
static const scap_param_info p196[] = {P("event_type",UINT32,DEC), P("event_data",UINT64,DEC)};
#define NPARAMS_p196 2
static const scap_param_info p198[] = {P("uid",UID,DEC)};
#define NPARAMS_p198 1
static const scap_param_info p199[] = {P("res",ERRNO,DEC), P("uid",UID,DEC)};
#define NPARAMS_p199 2
static const scap_param_info p200[] = {P("gid",GID,DEC)};
#define NPARAMS_p200 1
static const scap_param_info p201[] = {P("res",ERRNO,DEC), P("gid",GID,DEC)};
#define NPARAMS_p201 2
static const scap_param_info p203[] = {P("uid",UID,DEC)};
#define NPARAMS_p203 1
static const scap_param_info p205[] = {P("euid",UID,DEC)};
#define NPARAMS_p205 1
static const scap_param_info p207[] = {P("gid",GID,DEC)};
#define NPARAMS_p207 1
static const scap_param_info p209[] = {P("egid",GID,DEC)};
#define NPARAMS_p209 1
static const scap_param_info p211[] = {P("res",ERRNO,DEC), P("ruid",UID,DEC), P("euid",UID,DEC), P("suid",UID,DEC)};
#define NPARAMS_p211 4
static const scap_param_info p213[] = {P("res",ERRNO,DEC), P("rgid",GID,DEC), P("egid",GID,DEC), P("sgid",GID,DEC)};
#define NPARAMS_p213 4
static const scap_param_info p215[] = {P("res",ERRNO,DEC), P("exe",CHARBUF,NA), P("args",BYTEBUF,NA), P("tid",PID,DEC), P("pid",PID,DEC), P("ptid",PID,DEC), P("cwd",CHARBUF,NA), P("fdlimit",UINT64,DEC), P("pgft_maj",UINT64,DEC), P("pgft_min",UINT64,DEC), P("vm_size",UINT32,DEC), P("vm_rss",UINT32,DEC), P("vm_swap",UINT32,DEC), P("comm",CHARBUF,NA), P("env",BYTEBUF,NA)};
#define NPARAMS_p215 15
static const scap_param_info p217[] = {P("res",PID,DEC), P("exe",CHARBUF,NA), P("args",BYTEBUF,NA), P("tid",PID,DEC), P("pid",PID,DEC), P("ptid",PID,DEC), P("cwd",CHARBUF,NA), P("fdlimit",INT64,DEC), P("pgft_maj",UINT64,DEC), P("pgft_min",UINT64,DEC), P("vm_size",UINT32,DEC), P("vm_rss",UINT32,DEC), P("vm_swap",UINT32,DEC), P("comm",CHARBUF,NA), PS("flags",FLAGS32,HEX,"clone_flags"), P("uid",UINT32,DEC), P("gid",UINT32,DEC)};
#define NPARAMS_p217 17
static const scap_param_info p219[] = {P("res",PID,DEC), P("exe",CHARBUF,NA), P("args",BYTEBUF,NA), P("tid",PID,DEC), P("pid",PID,DEC), P("ptid",PID,DEC), P("cwd",CHARBUF,NA), P("fdlimit",INT64,DEC), P("pgft_maj",UINT64,DEC), P("pgft_min",UINT64,DEC), P("vm_size",UINT32,DEC), P("vm_rss",UINT32,DEC), P("vm_swap",UINT32,DEC), P("comm",CHARBUF,NA), PS("flags",FLAGS32,HEX,"clone_flags"), P("uid",UINT32,DEC), P("gid",UINT32,DEC)};
#define NPARAMS_p219 17
static const scap_param_info p221[] = {P("res",PID,DEC), P("exe",CHARBUF,NA), P("args",BYTEBUF,NA), P("tid",PID,DEC), P("pid",PID,DEC), P("ptid",PID,DEC), P("cwd",CHARBUF,NA), P("fdlimit",INT64,DEC), P("pgft_maj",UINT64,DEC), P("pgft_min",UINT64,DEC), P("vm_size",UINT32,DEC), P("vm_rss",UINT32,DEC), P("vm_swap",UINT32,DEC), P("comm",CHARBUF,NA), PS("flags",FLAGS32,HEX,"clone_flags"), P("uid",UINT32,DEC), P("gid",UINT32,DEC)};
#define NPARAMS_p221 17
static const scap_param_info p223[] = {P("res",PID,DEC), P("exe",CHARBUF,NA), P("args",BYTEBUF,NA), P("tid",PID,DEC), P("pid",PID,DEC), P("ptid",PID,DEC), P("cwd",CHARBUF,NA), P("fdlimit",INT64,DEC), P("pgft_maj",UINT64,DEC), P("pgft_min",UINT64,DEC), P("vm_size",UINT32,DEC), P("vm_rss",UINT32,DEC), P("vm_swap",UINT32,DEC), P("comm",CHARBUF,NA), P("cgroups",BYTEBUF,NA), PS("flags",FLAGS32,HEX,"clone_flags"), P("uid",UINT32,DEC), P("gid",UINT32,DEC), P("vtid",PID,DEC), P("vpid",PID,DEC), P("pidns_init_start_ts",UINT64,DEC)};
#define NPARAMS_p223 21
static const scap_param_info p225[] = {P("res",PID,DEC), P("exe",CHARBUF,NA), P("args",BYTEBUF,NA), P("tid",PID,DEC), P("pid",PID,DEC), P("ptid",PID,DEC), P("cwd",CHARBUF,NA), P("fdlimit",INT64,DEC), P("pgft_maj",UINT64,DEC), P("pgft_min",UINT64,DEC), P("vm_size",UINT32,DEC), P("vm_rss",UINT32,DEC), P("vm_swap",UINT32,DEC), P("comm",CHARBUF,NA), P("cgroups",BYTEBUF,NA), PS("flags",FLAGS32,HEX,"clone_flags"), P("uid",UINT32,DEC), P("gid",UINT32,DEC), P("vtid",PID,DEC), P("vpid",PID,DEC), P("pidns_init_start_ts",UINT64,DEC)};
#define NPARAMS_p225 21
static const scap_param_info p227[] = {P("res",PID,DEC), P("exe",CHARBUF,NA), P("args",BYTEBUF,NA), P("tid",PID,DEC), P("pid",PID,DEC), P("ptid",PID,DEC), P("cwd",CHARBUF,NA), P("fdlimit",INT64,DEC), P("pgft_maj",UINT64,DEC), P("pgft_min",UINT64,DEC), P("vm_size",UINT32,DEC), P("vm_rss",UINT32,DEC), P("vm_swap",UINT32,DEC), P("comm",CHARBUF,NA), P("cgroups",BYTEBUF,NA), PS("flags",FLAGS32,HEX,"clone_flags"), P("uid",UINT32,DEC), P("gid",UINT32,DEC), P("vtid",PID,DEC), P("vpid",PID,DEC), P("pidns_init_start_ts",UINT64,DEC)};
#define NPARAMS_p227 21
static const scap_param_info p228[] = {P("id",CHARBUF,NA), P("type",UINT32,DEC), P("name",CHARBUF,NA), P("image",CHARBUF,NA)};
#define NPARAMS_p228 4
static const scap_param_info p231[] = {P("res",ERRNO,DEC), P("exe",CHARBUF,NA), P("args",BYTEBUF,NA), P("tid",PID,DEC), P("pid",PID,DEC), P("ptid",PID,DEC), P("cwd",CHARBUF,NA), P("fdlimit",UINT64,DEC), P("pgft_maj",UINT64,DEC), P("pgft_min",UINT64,DEC), P("vm_size",UINT32,DEC), P("vm_rss",UINT32,DEC), P("vm_swap",UINT32,DEC), P("comm",CHARBUF,NA), P("cgroups",BYTEBUF,NA), P("env",BYTEBUF,NA)};
#define NPARAMS_p231 16
static const scap_param_info p232[] = {P("spid",PID,DEC), P("dpid",PID,DEC), P("sig",SIGTYPE,DEC)};
#define NPARAMS_p232 3
static const scap_param_info p234[] = {P("cpu_usr",UINT64,DEC), P("cpu_sys",UINT64,DEC)};
#define NPARAMS_p234 2
static const scap_param_info p236[] = {P("fd",FD,NA)};
#define NPARAMS_p236 1
static const scap_param_info p237[] = {P("res",ERRNO,DEC), P("fd",FD,NA)};
#define NPARAMS_p237 2
static const scap_param_info p238[] = {P("fd",FD,NA)};
#define NPARAMS_p238 1
static const scap_param_info p239[] = {P("res",ERRNO,DEC), P("fd",FD,NA)};
#define NPARAMS_p239 2
static const scap_param_info p240[] = {P("fd",FD,NA), PS("nstype",FLAGS32,HEX,"clone_flags")};
#define NPARAMS_p240 2
static const scap_param_info p241[] = {P("res",ERRNO,DEC), P("fd",FD,NA), PS("nstype",FLAGS32,HEX,"clone_flags")};
#define NPARAMS_p241 3
static const scap_param_info p242[] = {P("fd",FD,NA), PS("operation",FLAGS32,HEX,"flock_flags")};
#define NPARAMS_p242 2
static const scap_param_info p243[] = {P("res",ERRNO,DEC), P("fd",FD,NA), PS("operation",FLAGS32,HEX,"flock_flags")};
#define NPARAMS_p243 3
static const scap_param_info p244[] = {P("cpu",UINT32,DEC), P("action",UINT32,DEC)};
#define NPARAMS_p244 2
static const scap_param_info p247[] = {P("fd",FD,DEC), P("tuple",SOCKTUPLE,NA), P("queuepct",UINT8,DEC), P("queuelen",UINT32,DEC), P("queuemax",UINT32,DEC)};
#define NPARAMS_p247 5
static const scap_param_info p248[] = {P("flags",INT32,HEX)};
#define NPARAMS_p248 1
static const scap_param_info p249[] = {P("fd",FD,DEC), P("tuple",SOCKTUPLE,NA), P("queuepct",UINT8,DEC), P("queuelen",UINT32,DEC), P("queuemax",UINT32,DEC)};
#define NPARAMS_p249 5
static const scap_param_info p250[] = {P("semid",INT32,DEC)};
#define NPARAMS_p250 1
static const scap_param_info p251[] = {P("res",ERRNO,DEC), P("nsops",UINT32,DEC), P("sem_num_0",UINT16,DEC), P("sem_op_0",INT16,DEC), PS("sem_flg_0",FLAGS16,HEX,"semop_flags"), P("sem_num_1",UINT16,DEC), P("sem_op_1",INT16,DEC), PS("sem_flg_1",FLAGS16,HEX,"semop_flags"), P("semid",INT32,DEC)};
#define NPARAMS_p251 9
static const scap_param_info p252[] = {P("semid",INT32,DEC), P("semnum",INT32,DEC), PS("cmd",FLAGS16,HEX,"semctl_commands"), P("val",INT32,DEC)};
#define NPARAMS_p252 4
static const scap_param_info p253[] = {P("res",ERRNO,DEC), P("semid",INT32,DEC), P("semnum",INT32,DEC), PS("cmd",FLAGS16,HEX,"semctl_commands"), P("val",INT32,DEC)};
#define NPARAMS_p253 5
static const scap_param_info p254[] = {P("fds",FDLIST,DEC), P("timeout",RELTIME,DEC), P("sigmask",SIGSET,DEC)};
#define NPARAMS_p254 3
static const scap_param_info p255[] = {P("res",ERRNO,DEC), P("fds",FDLIST,DEC), P("timeout",RELTIME,DEC), P("sigmask",SIGSET,DEC)};
#define NPARAMS_p255 4
static const scap_param_info p256[] = {PS("flags",FLAGS32,HEX,"mount_flags")};
#define NPARAMS_p256 1
static const scap_param_info p257[] = {P("res",ERRNO,DEC), P("dev",CHARBUF,NA), P("dir",FSPATH,NA), P("type",CHARBUF,NA), PS("flags",FLAGS32,HEX,"mount_flags")};
#define NPARAMS_p257 5
static const scap_param_info p258[] = {PS("flags",FLAGS32,HEX,"umount_flags")};
#define NPARAMS_p258 1
static const scap_param_info p259[] = {P("res",ERRNO,DEC), P("name",FSPATH,NA)};
#define NPARAMS_p259 2
static const scap_param_info p260[] = {P("json",CHARBUF,NA)};
#define NPARAMS_p260 1
static const scap_param_info p262[] = {P("key",INT32,HEX), P("nsems",INT32,DEC), PS("semflg",FLAGS32,HEX,"semget_flags")};
#define NPARAMS_p262 3
static const scap_param_info p263[] = {P("res",ERRNO,DEC), P("key",INT32,HEX), P("nsems",INT32,DEC), PS("semflg",FLAGS32,HEX,"semget_flags")};
#define NPARAMS_p263 4
static const scap_param_info p264[] = {PS("mode",FLAGS32,HEX,"access_flags")};
#define NPARAMS_p264 1
static const scap_param_info p265[] = {P("res",ERRNO,DEC), P("name",FSPATH,NA), PS("mode",FLAGS32,HEX,"access_flags")};
#define NPARAMS_p265 3
static const scap_param_info p267[] = {P("res",ERRNO,DEC), P("path",FSPATH,NA)};
#define NPARAMS_p267 2
static const scap_param_info p268[] = {P("id",INT64,DEC), P("tags",CHARBUFARRAY,NA), P("args",CHARBUF_PAIR_ARRAY,NA)};
#define NPARAMS_p268 3
static const scap_param_info p269[] = {P("id",INT64,DEC), P("tags",CHARBUFARRAY,NA), P("args",CHARBUF_PAIR_ARRAY,NA)};
#define NPARAMS_p269 3
static const scap_param_info p270[] = {P("json",CHARBUF,NA)};
#define NPARAMS_p270 1
static const scap_param_info p272[] = {P("json",CHARBUF,NA)};
#define NPARAMS_p272 1
static const scap_param_info p275[] = {P("res",PID,DEC)};
#define NPARAMS_p275 1
static const scap_param_info p276[] = {P("mode",UINT32,HEX)};
#define NPARAMS_p276 1
static const scap_param_info p277[] = {P("res",ERRNO,DEC), P("path",FSPATH,NA), P("mode",UINT32,HEX)};
#define NPARAMS_p277 3
static const scap_param_info p279[] = {P("res",ERRNO,DEC), P("path",FSPATH,NA)};
#define NPARAMS_p279 2
static const scap_param_info p280[] = {P("id",CHARBUF,DEC), P("desc",CHARBUF,NA)};
#define NPARAMS_p280 2
static const scap_param_info p283[] = {P("res",ERRNO,DEC), P("exe",CHARBUF,NA), P("args",BYTEBUF,NA), P("tid",PID,DEC), P("pid",PID,DEC), P("ptid",PID,DEC), P("cwd",CHARBUF,NA), P("fdlimit",UINT64,DEC), P("pgft_maj",UINT64,DEC), P("pgft_min",UINT64,DEC), P("vm_size",UINT32,DEC), P("vm_rss",UINT32,DEC), P("vm_swap",UINT32,DEC), P("comm",CHARBUF,NA), P("cgroups",BYTEBUF,NA), P("env",BYTEBUF,NA), P("tty",INT32,DEC)};
#define NPARAMS_p283 17
static const scap_param_info p284[] = {PS("flags",FLAGS32,HEX,"clone_flags")};
#define NPARAMS_p284 1
static const scap_param_info p285[] = {P("res",ERRNO,DEC), PS("flags",FLAGS32,HEX,"clone_flags")};
#define NPARAMS_p285 2
static const scap_param_info p286[] = {P("source",CHARBUF,DEC), P("name",CHARBUF,NA), P("description",CHARBUF,NA), P("scope",CHARBUF,NA)};
#define NPARAMS_p286 4
static const scap_param_info p288[] = {P("filename",FSPATH,NA)};
#define NPARAMS_p288 1
static const scap_param_info p289[] = {P("res",ERRNO,DEC), P("exe",CHARBUF,NA), P("args",BYTEBUF,NA), P("tid",PID,DEC), P("pid",PID,DEC), P("ptid",PID,DEC), P("cwd",CHARBUF,NA), P("fdlimit",UINT64,DEC), P("pgft_maj",UINT64,DEC), P("pgft_min",UINT64,DEC), P("vm_size",UINT32,DEC), P("vm_rss",UINT32,DEC), P("vm_swap",UINT32,DEC), P("comm",CHARBUF,NA), P("cgroups",BYTEBUF,NA), P("env",BYTEBUF,NA), P("tty",INT32,DEC)};
#define NPARAMS_p289 17
static const scap_param_info p290[] = {P("addr",UINT64,HEX), P("ip",UINT64,HEX), PS("error",FLAGS32,HEX,"pf_flags")};
#define NPARAMS_p290 3
static const scap_param_info p292[] = {P("filename",FSPATH,NA)};
#define NPARAMS_p292 1
static const scap_param_info p293[] = {P("res",ERRNO,DEC), P("exe",CHARBUF,NA), P("args",BYTEBUF,NA), P("tid",PID,DEC), P("pid",PID,DEC), P("ptid",PID,DEC), P("cwd",CHARBUF,NA), P("fdlimit",UINT64,DEC), P("pgft_maj",UINT64,DEC), P("pgft_min",UINT64,DEC), P("vm_size",UINT32,DEC), P("vm_rss",UINT32,DEC), P("vm_swap",UINT32,DEC), P("comm",CHARBUF,NA), P("cgroups",BYTEBUF,NA), P("env",BYTEBUF,NA), P("tty",UINT32,DEC), P("vpgid",PID,DEC), P("loginuid",UID,DEC), PS("flags",FLAGS32,HEX,"execve_flags"), P("cap_inheritable",UINT64,HEX), P("cap_permitted",UINT64,HEX), P("cap_effective",UINT64,HEX), P("exe_ino",UINT64,DEC), P("exe_ino_ctime",ABSTIME,DEC), P("exe_ino_mtime",ABSTIME,DEC), P("uid",UID,DEC), P("trusted_exepath",FSPATH,NA), P("pgid",PID,NA), P("gid",GID,DEC), P("filename",FSPATH,NA)};
#define NPARAMS_p293 31
static const scap_param_info p294[] = {P("pid",PID,DEC), P("pgid",PID,DEC)};
#define NPARAMS_p294 2
static const scap_param_info p295[] = {P("res",ERRNO,DEC), P("pid",PID,DEC), P("pgid",PID,DEC)};
#define NPARAMS_p295 3
static const scap_param_info p296[] = {P("cmd",INT64,DEC)};
#define NPARAMS_p296 1
static const scap_param_info p297[] = {PS("res_or_fd",DYN,DEC,"bpf_dynamic_param")};
#define NPARAMS_p297 1
static const scap_param_info p298[] = {P("op",UINT64,DEC), P("flags",UINT64,HEX)};
#define NPARAMS_p298 2
static const scap_param_info p299[] = {P("res",ERRNO,DEC), P("op",UINT64,DEC), P("flags",UINT64,HEX)};
#define NPARAMS_p299 3
static const scap_param_info p301[] = {P("res",ERRNO,DEC), P("path",FSPATH,NA)};
#define NPARAMS_p301 2
static const scap_param_info p303[] = {P("res",ERRNO,DEC), P("dirfd",FD,DEC), PD("name",FSRELPATH,NA,1), PS("flags",FLAGS32,HEX,"unlinkat_flags")};
#define NPARAMS_p303 4
static const scap_param_info p305[] = {P("res",ERRNO,DEC), P("dirfd",FD,DEC), PD("path",FSRELPATH,NA,1), P("mode",UINT32,HEX)};
#define NPARAMS_p305 4
static const scap_param_info p306[] = {P("dirfd",FD,DEC), PD("name",FSRELPATH,NA,0), PS("flags",FLAGS32,HEX,"file_flags"), P("mode",UINT32,OCT)};
#define NPARAMS_p306 4
static const scap_param_info p307[] = {P("fd",FD,DEC), P("dirfd",FD,DEC), PD("name",FSRELPATH,NA,1), PS("flags",FLAGS32,HEX,"file_flags"), P("mode",UINT32,OCT), P("dev",UINT32,HEX), P("ino",UINT64,DEC)};
#define NPARAMS_p307 7
static const scap_param_info p309[] = {P("res",ERRNO,DEC), P("oldpath",FSPATH,NA), P("newpath",FSPATH,NA)};
#define NPARAMS_p309 3
static const scap_param_info p311[] = {P("res",ERRNO,DEC), P("olddir",FD,DEC), PD("oldpath",FSRELPATH,NA,1), P("newdir",FD,DEC), PD("newpath",FSRELPATH,NA,3), PS("flags",FLAGS32,HEX,"linkat_flags")};
#define NPARAMS_p311 6
static const scap_param_info p313[] = {P("res",ERRNO,DEC), P("dirfd",FD,DEC), PD("filename",FSRELPATH,NA,1), PS("mode",MODE,OCT,"chmod_mode")};
#define NPARAMS_p313 4
static const scap_param_info p315[] = {P("res",ERRNO,DEC), P("filename",FSPATH,NA), PS("mode",MODE,OCT,"chmod_mode")};
#define NPARAMS_p315 3
static const scap_param_info p317[] = {P("res",ERRNO,DEC), P("fd",FD,DEC), PS("mode",MODE,OCT,"chmod_mode")};
#define NPARAMS_p317 3
static const scap_param_info p319[] = {P("res",ERRNO,DEC), P("olddirfd",FD,DEC), PD("oldpath",FSRELPATH,NA,1), P("newdirfd",FD,DEC), PD("newpath",FSRELPATH,NA,3), PS("flags",FLAGS32,HEX,"renameat2_flags")};
#define NPARAMS_p319 6
static const scap_param_info p321[] = {P("res",ERRNO,DEC), PS("flags",FLAGS32,HEX,"file_flags")};
#define NPARAMS_p321 2
static const scap_param_info p322[] = {P("plugin_id",UINT32,DEC), P("event_data",BYTEBUF,NA)};
#define NPARAMS_p322 2
static const scap_param_info p324[] = {P("json",CHARBUF,NA)};
#define NPARAMS_p324 1
static const scap_param_info p326[] = {P("dirfd",FD,DEC), PD("name",FSRELPATH,NA,0), PS("flags",FLAGS32,HEX,"file_flags"), P("mode",UINT32,OCT), PS("resolve",FLAGS32,HEX,"openat2_flags")};
#define NPARAMS_p326 5
static const scap_param_info p327[] = {P("fd",FD,DEC), P("dirfd",FD,DEC), PD("name",FSRELPATH,NA,1), PS("flags",FLAGS32,HEX,"file_flags"), P("mode",UINT32,OCT), PS("resolve",FLAGS32,HEX,"openat2_flags"), P("dev",UINT32,HEX), P("ino",UINT64,DEC)};
#define NPARAMS_p327 8
static const scap_param_info p328[] = {P("addr",UINT64,HEX), P("length",UINT64,DEC), PS("prot",FLAGS32,HEX,"prot_flags")};
#define NPARAMS_p328 3
static const scap_param_info p329[] = {P("res",ERRNO,DEC), P("addr",UINT64,HEX), P("length",UINT64,DEC), PS("prot",FLAGS32,HEX,"prot_flags")};
#define NPARAMS_p329 4
static const scap_param_info p330[] = {P("dirfd",FD,DEC), PD("pathname",FSRELPATH,NA,0), PS("flags",FLAGS32,HEX,"execveat_flags")};
#define NPARAMS_p330 3
static const scap_param_info p331[] = {P("res",ERRNO,DEC), P("exe",CHARBUF,NA), P("args",BYTEBUF,NA), P("tid",PID,DEC), P("pid",PID,DEC), P("ptid",PID,DEC), P("cwd",CHARBUF,NA), P("fdlimit",UINT64,DEC), P("pgft_maj",UINT64,DEC), P("pgft_min",UINT64,DEC), P("vm_size",UINT32,DEC), P("vm_rss",UINT32,DEC), P("vm_swap",UINT32,DEC), P("comm",CHARBUF,NA), P("cgroups",BYTEBUF,NA), P("env",BYTEBUF,NA), P("tty",UINT32,DEC), P("vpgid",PID,DEC), P("loginuid",UID,DEC), PS("flags",FLAGS32,HEX,"execve_flags"), P("cap_inheritable",UINT64,HEX), P("cap_permitted",UINT64,HEX), P("cap_effective",UINT64,HEX), P("exe_ino",UINT64,DEC), P("exe_ino_ctime",ABSTIME,DEC), P("exe_ino_mtime",ABSTIME,DEC), P("uid",UID,DEC), P("trusted_exepath",FSPATH,NA), P("pgid",PID,NA), P("gid",GID,DEC)};
#define NPARAMS_p331 30
static const scap_param_info p332[] = {P("fdin",FD,DEC), P("offin",UINT64,DEC), P("len",UINT64,DEC)};
#define NPARAMS_p332 3
static const scap_param_info p333[] = {P("res",ERRNO,DEC), P("fdout",FD,DEC), P("offout",UINT64,DEC), P("fdin",FD,DEC), P("offin",UINT64,DEC), P("len",UINT64,DEC)};
#define NPARAMS_p333 6
static const scap_param_info p335[] = {P("res",PID,DEC), P("exe",CHARBUF,NA), P("args",BYTEBUF,NA), P("tid",PID,DEC), P("pid",PID,DEC), P("ptid",PID,DEC), P("cwd",CHARBUF,NA), P("fdlimit",INT64,DEC), P("pgft_maj",UINT64,DEC), P("pgft_min",UINT64,DEC), P("vm_size",UINT32,DEC), P("vm_rss",UINT32,DEC), P("vm_swap",UINT32,DEC), P("comm",CHARBUF,NA), P("cgroups",BYTEBUF,NA), PS("flags",FLAGS32,HEX,"clone_flags"), P("uid",UINT32,DEC), P("gid",UINT32,DEC), P("vtid",PID,DEC), P("vpid",PID,DEC), P("pidns_init_start_ts",UINT64,DEC)};
#define NPARAMS_p335 21
static const scap_param_info p337[] = {P("fd",FD,DEC), P("mountfd",FD,DEC), PS("flags",FLAGS32,HEX,"file_flags"), P("path",FSPATH,NA), P("dev",UINT32,HEX), P("ino",UINT64,DEC)};
#define NPARAMS_p337 6
static const scap_param_info p339[] = {P("res",ERRNO,DEC), P("entries",UINT32,DEC), P("sq_entries",UINT32,DEC), P("cq_entries",UINT32,DEC), PS("flags",FLAGS32,HEX,"io_uring_setup_flags"), P("sq_thread_cpu",UINT32,DEC), P("sq_thread_idle",UINT32,DEC), PS("features",FLAGS32,HEX,"io_uring_setup_feats")};
#define NPARAMS_p339 8
static const scap_param_info p341[] = {P("res",ERRNO,DEC), P("fd",FD,DEC), P("to_submit",UINT32,DEC), P("min_complete",UINT32,DEC), PS("flags",FLAGS32,HEX,"io_uring_enter_flags"), P("sig",SIGSET,DEC)};
#define NPARAMS_p341 6
static const scap_param_info p343[] = {P("res",ERRNO,DEC), P("fd",FD,DEC), PS("opcode",ENUMFLAGS16,DEC,"io_uring_register_opcodes"), P("arg",UINT64,HEX), P("nr_args",UINT32,DEC)};
#define NPARAMS_p343 5
static const scap_param_info p345[] = {P("res",ERRNO,DEC), P("addr",UINT64,HEX), P("len",UINT64,DEC)};
#define NPARAMS_p345 3
static const scap_param_info p347[] = {P("res",ERRNO,DEC), P("addr",UINT64,HEX), P("len",UINT64,DEC)};
#define NPARAMS_p347 3
static const scap_param_info p349[] = {P("res",ERRNO,DEC), PS("flags",FLAGS32,HEX,"mlockall_flags")};
#define NPARAMS_p349 2
static const scap_param_info p351[] = {P("res",ERRNO,DEC)};
#define NPARAMS_p351 1
static const scap_param_info p353[] = {P("res",ERRNO,DEC), P("cap_inheritable",UINT64,HEX), P("cap_permitted",UINT64,HEX), P("cap_effective",UINT64,HEX)};
#define NPARAMS_p353 4
static const scap_param_info p354[] = {P("uid",UINT32,DEC), P("gid",UINT32,DEC), P("name",CHARBUF,NA), P("home",CHARBUF,NA), P("shell",CHARBUF,NA), P("container_id",CHARBUF,NA)};
#define NPARAMS_p354 6
static const scap_param_info p356[] = {P("uid",UINT32,DEC), P("gid",UINT32,DEC), P("name",CHARBUF,NA), P("home",CHARBUF,NA), P("shell",CHARBUF,NA), P("container_id",CHARBUF,NA)};
#define NPARAMS_p356 6
static const scap_param_info p358[] = {P("gid",UINT32,DEC), P("name",CHARBUF,NA), P("container_id",CHARBUF,NA)};
#define NPARAMS_p358 3
static const scap_param_info p360[] = {P("gid",UINT32,DEC), P("name",CHARBUF,NA), P("container_id",CHARBUF,NA)};
#define NPARAMS_p360 3
static const scap_param_info p362[] = {P("fd",FD,DEC)};
#define NPARAMS_p362 1
static const scap_param_info p363[] = {P("res",FD,DEC), P("oldfd",FD,DEC), P("newfd",FD,DEC)};
#define NPARAMS_p363 3
static const scap_param_info p364[] = {P("fd",FD,DEC)};
#define NPARAMS_p364 1
static const scap_param_info p365[] = {P("res",FD,DEC), P("oldfd",FD,DEC), P("newfd",FD,DEC), PS("flags",FLAGS32,HEX,"file_flags")};
#define NPARAMS_p365 4
static const scap_param_info p366[] = {P("fd",FD,DEC)};
#define NPARAMS_p366 1
static const scap_param_info p367[] = {P("res",FD,DEC), P("oldfd",FD,DEC)};
#define NPARAMS_p367 2
static const scap_param_info p368[] = {P("cmd",INT64,DEC)};
#define NPARAMS_p368 1
static const scap_param_info p369[] = {P("fd",FD,DEC), PS("cmd",ENUMFLAGS32,DEC,"bpf_commands")};
#define NPARAMS_p369 2
static const scap_param_info p371[] = {P("res",ERRNO,DEC), P("addr",UINT64,HEX), P("len",UINT64,DEC), PS("flags",FLAGS32,HEX,"mlock2_flags")};
#define NPARAMS_p371 4
static const scap_param_info p373[] = {P("res",ERRNO,DEC), P("fd",FD,DEC), PS("cmd",ENUMFLAGS32,DEC,"fsconfig_cmds"), P("key",CHARBUF,NA), P("value_bytebuf",BYTEBUF,NA), P("value_charbuf",CHARBUF,NA), P("aux",INT32,DEC)};
#define NPARAMS_p373 7
static const scap_param_info p374[] = {P("size",INT32,DEC)};
#define NPARAMS_p374 1
static const scap_param_info p375[] = {P("res",ERRNO,DEC), P("size",INT32,DEC)};
#define NPARAMS_p375 2
static const scap_param_info p376[] = {PS("flags",FLAGS32,HEX,"epoll_create1_flags")};
#define NPARAMS_p376 1
static const scap_param_info p377[] = {P("res",ERRNO,DEC), PS("flags",FLAGS32,HEX,"epoll_create1_flags")};
#define NPARAMS_p377 2
static const scap_param_info p379[] = {P("res",ERRNO,DEC), P("path",FSPATH,NA), P("uid",UINT32,DEC), P("gid",UINT32,DEC)};
#define NPARAMS_p379 4
static const scap_param_info p381[] = {P("res",ERRNO,DEC), P("path",FSPATH,NA), P("uid",UINT32,DEC), P("gid",UINT32,DEC)};
#define NPARAMS_p381 4
static const scap_param_info p383[] = {P("res",ERRNO,DEC), P("fd",FD,DEC), P("uid",UINT32,DEC), P("gid",UINT32,DEC)};
#define NPARAMS_p383 4
static const scap_param_info p385[] = {P("res",ERRNO,DEC), P("dirfd",FD,DEC), PD("pathname",FSRELPATH,NA,1), P("uid",UINT32,DEC), P("gid",UINT32,DEC), PS("flags",FLAGS32,HEX,"fchownat_flags")};
#define NPARAMS_p385 6
static const scap_param_info p387[] = {P("res",ERRNO,DEC), P("name",FSPATH,NA)};
#define NPARAMS_p387 2
static const scap_param_info p388[] = {P("flags",INT32,HEX)};
#define NPARAMS_p388 1
static const scap_param_info p389[] = {P("fd",FD,DEC), P("tuple",SOCKTUPLE,NA), P("queuepct",UINT8,DEC), P("queuelen",UINT32,DEC), P("queuemax",UINT32,DEC), P("flags",INT32,HEX)};
#define NPARAMS_p389 6
static const scap_param_info p390[] = {PS("flags",FLAGS32,HEX,"umount_flags")};
#define NPARAMS_p390 1
static const scap_param_info p391[] = {P("res",ERRNO,DEC), P("name",FSPATH,NA), PS("flags",FLAGS32,HEX,"umount_flags")};
#define NPARAMS_p391 3
static const scap_param_info p393[] = {P("res",ERRNO,DEC), P("fd1",FD,DEC), P("fd2",FD,DEC), P("ino",UINT64,DEC), PS("flags",FLAGS32,HEX,"file_flags")};
#define NPARAMS_p393 5
static const scap_param_info p395[] = {P("res",FD,DEC), PS("flags",FLAGS16,HEX,"file_flags")};
#define NPARAMS_p395 2
static const scap_param_info p396[] = {P("initval",UINT64,DEC)};
#define NPARAMS_p396 1
static const scap_param_info p397[] = {P("res",FD,DEC), PS("flags",FLAGS16,HEX,"file_flags"), P("initval",UINT64,DEC)};
#define NPARAMS_p397 3
static const scap_param_info p398[] = {P("fd",FD,DEC), P("mask",UINT32,HEX)};
#define NPARAMS_p398 2
static const scap_param_info p399[] = {P("res",FD,DEC), PS("flags",FLAGS16,HEX,"file_flags"), P("fd",FD,DEC), P("mask",UINT32,HEX)};
#define NPARAMS_p399 4
static const scap_param_info p401[] = {P("res",ERRNO,DEC), PS("option",ENUMFLAGS32,DEC,"prctl_options"), P("arg2_str",CHARBUF,NA), P("arg2_int",INT64,DEC)};
#define NPARAMS_p401 4
static const scap_param_info p402[] = {P("plugin_id",UINT32,DEC), P("name",CHARBUF,NA), P("data",BYTEBUF,NA)};
#define NPARAMS_p402 3
static const scap_param_info p405[] = {P("fd",FD,DEC), P("name",CHARBUF,NA), PS("flags",FLAGS32,HEX,"memfd_create_flags")};
#define NPARAMS_p405 3
static const scap_param_info p407[] = {P("fd",FD,DEC), P("pid_fd",FD,DEC), P("target_fd",FD,DEC), P("flags",UINT32,HEX)};
#define NPARAMS_p407 4
static const scap_param_info p409[] = {P("fd",FD,DEC), P("pid",PID,DEC), PS("flags",FLAGS32,HEX,"pidfd_open_flags")};
#define NPARAMS_p409 3
static const scap_param_info p411[] = {P("res",ERRNO,DEC), P("img",BYTEBUF,NA), P("length",UINT64,DEC), P("uargs",CHARBUF,NA)};
#define NPARAMS_p411 4
static const scap_param_info p413[] = {P("res",ERRNO,DEC), P("fd",FD,DEC), P("uargs",CHARBUF,NA), PS("flags",FLAGS32,HEX,"finit_module_flags")};
#define NPARAMS_p413 4
static const scap_param_info p415[] = {P("res",ERRNO,DEC), P("path",FSPATH,NA), PS("mode",MODE,OCT,"mknod_mode"), P("dev",UINT32,DEC)};
#define NPARAMS_p415 4
static const scap_param_info p417[] = {P("res",ERRNO,DEC), P("dirfd",FD,DEC), PD("path",FSRELPATH,NA,1), PS("mode",MODE,OCT,"mknod_mode"), P("dev",UINT32,DEC)};
#define NPARAMS_p417 5
static const scap_param_info p419[] = {P("res",ERRNO,DEC), P("dirfd",FD,DEC), PD("path",FSRELPATH,NA,1), PS("flags",FLAGS32,HEX,"newfstatat_flags")};
#define NPARAMS_p419 4
static const scap_param_info p421[] = {P("res",INT64,DEC), P("pid",PID,DEC), P("data",BYTEBUF,NA)};
#define NPARAMS_p421 3
static const scap_param_info p423[] = {P("res",INT64,DEC), P("pid",PID,DEC), P("data",BYTEBUF,NA)};
#define NPARAMS_p423 3
static const scap_param_info p425[] = {P("res",ERRNO,DEC), P("name",CHARBUF,NA), PS("flags",FLAGS32,HEX,"delete_module_flags")};
#define NPARAMS_p425 3
static const scap_param_info p427[] = {P("res",ERRNO,DEC), P("ruid",UID,DEC), P("euid",UID,DEC)};
#define NPARAMS_p427 3
static const scap_param_info p429[] = {P("res",ERRNO,DEC), P("rgid",UID,DEC), P("egid",UID,DEC)};
#define NPARAMS_p429 3
static const scap_param_info p430[] = {P("ppid",PID32,DEC), P("pgid",PID32,DEC), P("vpgid",PID32,DEC), P("sid",PID32,DEC), P("comm",CHARBUF,NA), P("argv",CHARBUFARRAY,NA), P("exepath",FSPATH,NA), PS("flags",FLAGS32,HEX,"execve_flags"), P("env",CHARBUFARRAY,NA), P("cwd",CHARBUF,NA), P("fdlimit",UINT64,DEC), P("euid",UID,DEC), P("egid",GID,DEC), P("cap_permitted",UINT64,HEX), P("cap_effective",UINT64,HEX), P("cap_inheritable",UINT64,HEX), P("exe_ino_num",UINT64,DEC), P("exe_ino_ctime",ABSTIME,DEC), P("exe_ino_mtime",ABSTIME,DEC), P("vm_size",UINT32,DEC), P("vm_rss",UINT32,DEC), P("vm_swap",UINT32,DEC), P("pgft_maj",UINT64,DEC), P("pgft_min",UINT64,DEC), P("vtgid",PID32,DEC), P("vpid",PID32,DEC), P("pidns_init_start_ts",UINT64,DEC), P("cgroups",CHARBUFARRAY,NA), P("root",FSPATH,NA), P("start_time",ABSTIME,DEC), P("tty",UINT32,DEC), P("loginuid",UID,DEC)};
#define NPARAMS_p430 32
static const scap_param_info p432[] = {P("fd",FD32,DEC), P("path",FSPATH,NA), P("ino_num",UINT64,DEC)};
#define NPARAMS_p432 3
static const scap_param_info p434[] = {P("fd",FD32,DEC), P("path",FSPATH,NA), P("ino_num",UINT64,DEC)};
#define NPARAMS_p434 3
static const scap_param_info p436[] = {P("fd",FD32,DEC), P("path",FSPATH,NA), PS("flags",FLAGS32,HEX,"file_flags"), P("mnt_id",UINT32,DEC), P("ino_num",UINT64,DEC)};
#define NPARAMS_p436 5
static const scap_param_info p438[] = {P("fd",FD32,DEC), P("path",FSPATH,NA), P("ino_num",UINT64,DEC)};
#define NPARAMS_p438 3
static const scap_param_info p440[] = {P("fd",FD32,DEC), P("sk_type",UINT16,DEC), P("sk_proto",UINT16,DEC), P("local_ip",IPV4ADDR,HEX), P("local_port",PORT,HEX), P("remote_ip",IPV4ADDR,HEX), P("remote_port",PORT,HEX), P("ino_num",UINT64,DEC)};
#define NPARAMS_p440 8
static const scap_param_info p442[] = {P("fd",FD32,DEC), P("sk_type",UINT16,DEC), P("sk_proto",UINT16,DEC), P("local_ip",IPV6ADDR,HEX), P("local_port",PORT,HEX), P("remote_ip",IPV6ADDR,HEX), P("remote_port",PORT,HEX), P("ino_num",UINT64,DEC)};
#define NPARAMS_p442 8
static const scap_param_info p444[] = {P("fd",FD32,DEC), P("sk_type",UINT16,DEC), P("sk_proto",UINT16,DEC), P("sk_pointer",UINT64,NA), P("sun_path",FSPATH,NA), P("ino_num",UINT64,DEC)};
#define NPARAMS_p444 6
static const scap_param_info p446[] = {P("fd",FD32,DEC), P("sk_type",UINT16,DEC), P("sk_proto",UINT16,DEC), P("ino_num",UINT64,DEC)};
#define NPARAMS_p446 4
static const scap_param_info p448[] = {P("fd",FD32,DEC), PS("fd_type",FLAGS8,DEC,"anon_inode_fd_types"), P("path",FSPATH,NA), P("ino_num",UINT64,DEC)};
#define NPARAMS_p448 4
static const scap_param_info p451[] = {P("res",ERRNO,DEC), P("first",UINT32,DEC), P("last",UINT32,DEC), PS("flags",FLAGS32,HEX,"close_range_flags")};
#define NPARAMS_p451 4
static const scap_param_info p453[] = {P("res",ERRNO,DEC), PS("operation",ENUMFLAGS32,DEC,"keyctl_operations"), PS("arg2",DYN,DEC,"keyctl_dynamic_param"), PS("arg3",DYN,DEC,"keyctl_dynamic_param"), PS("arg4",DYN,DEC,"keyctl_dynamic_param"), PS("arg5",DYN,DEC,"keyctl_dynamic_param")};
#define NPARAMS_p453 6

static const scap_event_info events[SCAP_EVENT_MAX] = {
	E(0, "syscall", OTHER, S_SYSCALL, 0, 2, p0),
	E(1, "syscall", OTHER, S_SYSCALL, 0, 1, p1),
	E(2, "open", FILE, S_SYSCALL, CFD|ST, 3, p2),
	E(3, "open", FILE, S_SYSCALL, CFD|ST, 5, p3),
	E(4, "close", IO_OTHER, S_SYSCALL, DFD|UFD|ST|DROP, 1, p4),
	E(5, "close", IO_OTHER, S_SYSCALL, DFD|UFD|ST|DROP, 1, p5),
	E(6, "read", IO_READ, S_SYSCALL, UFD|RD|DROP, 2, p6),
	E(7, "read", IO_READ, S_SYSCALL, UFD|RD|DROP, 2, p7),
	E(8, "write", IO_WRITE, S_SYSCALL, UFD|WR|DROP, 2, p8),
	E(9, "write", IO_WRITE, S_SYSCALL, UFD|WR|DROP, 2, p9),
	E(10, "brk", MEMORY, S_SYSCALL, OLD, 1, p10),
	E(11, "brk", MEMORY, S_SYSCALL, OLD, 1, p11),
	E(12, "execve", PROCESS, S_SYSCALL, ST|OLD, 0, NULL),
	E(13, "execve", PROCESS, S_SYSCALL, ST|OLD, 8, p13),
	E(14, "clone", PROCESS, S_SYSCALL, ST|OLD, 0, NULL),
	E(15, "clone", PROCESS, S_SYSCALL, ST|OLD, 11, p15),
	E(16, "procexit", PROCESS, S_TRACEPOINT, ST|OLD, 0, NULL),
	E(17, "NA1", UNKNOWN, 0, UNUSED, 0, NULL),
	E(18, "socket", NET, S_SYSCALL, CFD|ST, 3, p18),
	E(19, "socket", NET, S_SYSCALL, CFD|ST, 1, p19),
	E(20, "bind", NET, S_SYSCALL, UFD|ST, 1, p20),
	E(21, "bind", NET, S_SYSCALL, UFD|ST, 2, p21),
	E(22, "connect", NET, S_SYSCALL, UFD|ST, 2, p22),
	E(23, "connect", NET, S_SYSCALL, UFD|ST, 2, p23),
	E(24, "listen", NET, S_SYSCALL, UFD, 2, p24),
	E(25, "listen", NET, S_SYSCALL, UFD, 1, p25),
	E(26, "accept", NET, S_SYSCALL, CFD|ST|OLD, 0, NULL),
	E(27, "accept", NET, S_SYSCALL, CFD|ST|OLD, 3, p27),
	E(28, "send", IO_WRITE, S_SYSCALL, UFD|WR|DROP, 2, p28),
	E(29, "send", IO_WRITE, S_SYSCALL, UFD|WR|DROP, 2, p29),
	E(30, "sendto", IO_WRITE, S_SYSCALL, UFD|WR|ST, 3, p30),
	E(31, "sendto", IO_WRITE, S_SYSCALL, UFD|WR|ST, 2, p31),
	E(32, "recv", IO_READ, S_SYSCALL, UFD|RD|DROP, 2, p32),
	E(33, "recv", IO_READ, S_SYSCALL, UFD|RD|DROP, 2, p33),
	E(34, "recvfrom", IO_READ, S_SYSCALL, UFD|RD|ST, 2, p34),
	E(35, "recvfrom", IO_READ, S_SYSCALL, UFD|RD|ST, 3, p35),
	E(36, "shutdown", NET, S_SYSCALL, UFD|ST|DROP, 2, p36),
	E(37, "shutdown", NET, S_SYSCALL, UFD|ST|DROP, 1, p37),
	E(38, "getsockname", NET, S_SYSCALL, DROP, 0, NULL),
	E(39, "getsockname", NET, S_SYSCALL, DROP, 0, NULL),
	E(40, "getpeername", NET, S_SYSCALL, DROP, 0, NULL),
	E(41, "getpeername", NET, S_SYSCALL, DROP, 0, NULL),
	E(42, "socketpair", IPC, S_SYSCALL, CFD|ST, 3, p42),
	E(43, "socketpair", IPC, S_SYSCALL, CFD|ST, 5, p43),
	E(44, "setsockopt", NET, S_SYSCALL, 0, 0, NULL),
	E(45, "setsockopt", NET, S_SYSCALL, UFD, 6, p45),
	E(46, "getsockopt", NET, S_SYSCALL, ST|DROP, 0, NULL),
	E(47, "getsockopt", NET, S_SYSCALL, UFD|ST|DROP, 6, p47),
	E(48, "sendmsg", IO_WRITE, S_SYSCALL, UFD|WR|ST, 3, p48),
	E(49, "sendmsg", IO_WRITE, S_SYSCALL, UFD|WR|ST, 2, p49),
	E(50, "sendmmsg", IO_WRITE, S_SYSCALL, DROP, 0, NULL),
	E(51, "sendmmsg", IO_WRITE, S_SYSCALL, DROP, 0, p51),
	E(52, "recvmsg", IO_READ, S_SYSCALL, UFD|RD|ST, 1, p52),
	E(53, "recvmsg", IO_READ, S_SYSCALL, UFD|RD|ST, 4, p53),
	E(54, "recvmmsg", IO_READ, S_SYSCALL, DROP, 0, NULL),
	E(55, "recvmmsg", IO_READ, S_SYSCALL, DROP, 0, p55),
	E(56, "accept", NET, S_SYSCALL, CFD|ST|OLD, 1, p56),
	E(57, "accept", NET, S_SYSCALL, CFD|ST|OLD, 3, p57),
	E(58, "creat", FILE, S_SYSCALL, CFD|ST, 2, p58),
	E(59, "creat", FILE, S_SYSCALL, CFD|ST, 4, p59),
	E(60, "pipe", IPC, S_SYSCALL, CFD|ST, 0, NULL),
	E(61, "pipe", IPC, S_SYSCALL, CFD|ST, 4, p61),
	E(62, "eventfd", IPC, S_SYSCALL, CFD|ST|DROP, 2, p62),
	E(63, "eventfd", IPC, S_SYSCALL, CFD|ST|DROP, 1, p63),
	E(64, "futex", IPC, S_SYSCALL, DROP, 3, p64),
	E(65, "futex", IPC, S_SYSCALL, DROP, 1, p65),
	E(66, "stat", FILE, S_SYSCALL, DROP, 0, NULL),
	E(67, "stat", FILE, S_SYSCALL, DROP, 2, p67),
	E(68, "lstat", FILE, S_SYSCALL, DROP, 0, NULL),
	E(69, "lstat", FILE, S_SYSCALL, DROP, 2, p69),
	E(70, "fstat", FILE, S_SYSCALL, UFD|DROP, 1, p70),
	E(71, "fstat", FILE, S_SYSCALL, UFD|DROP, 1, p71),
	E(72, "stat64", FILE, S_SYSCALL, DROP, 0, NULL),
	E(73, "stat64", FILE, S_SYSCALL, DROP, 2, p73),
	E(74, "lstat64", FILE, S_SYSCALL, DROP, 0, NULL),
	E(75, "lstat64", FILE, S_SYSCALL, DROP, 2, p75),
	E(76, "fstat64", FILE, S_SYSCALL, UFD|DROP, 1, p76),
	E(77, "fstat64", FILE, S_SYSCALL, UFD|DROP, 1, p77),
	E(78, "epoll_wait", WAIT, S_SYSCALL, WAITS|DROP, 1, p78),
	E(79, "epoll_wait", WAIT, S_SYSCALL, WAITS|DROP, 1, p79),
	E(80, "poll", WAIT, S_SYSCALL, WAITS|DROP, 2, p80),
	E(81, "poll", WAIT, S_SYSCALL, WAITS|DROP, 2, p81),
	E(82, "select", WAIT, S_SYSCALL, WAITS|DROP, 0, NULL),
	E(83, "select", WAIT, S_SYSCALL, WAITS|DROP, 1, p83),
	E(84, "select", WAIT, S_SYSCALL, WAITS|DROP, 0, NULL),
	E(85, "select", WAIT, S_SYSCALL, WAITS|DROP, 1, p85),
	E(86, "lseek", FILE, S_SYSCALL, UFD|DROP, 3, p86),
	E(87, "lseek", FILE, S_SYSCALL, UFD|DROP, 1, p87),
	E(88, "llseek", FILE, S_SYSCALL, UFD|DROP, 3, p88),
	E(89, "llseek", FILE, S_SYSCALL, UFD|DROP, 1, p89),
	E(90, "ioctl", IO_OTHER, S_SYSCALL, UFD|OLD, 2, p90),
	E(91, "ioctl", IO_OTHER, S_SYSCALL, UFD|OLD, 1, p91),
	E(92, "getcwd", FILE, S_SYSCALL, DROP, 0, NULL),
	E(93, "getcwd", FILE, S_SYSCALL, DROP, 2, p93),
	E(94, "chdir", FILE, S_SYSCALL, ST, 0, NULL),
	E(95, "chdir", FILE, S_SYSCALL, ST, 2, p95),
	E(96, "fchdir", FILE, S_SYSCALL, UFD|ST, 1, p96),
	E(97, "fchdir", FILE, S_SYSCALL, UFD|ST, 1, p97),
	E(98, "mkdir", FILE, S_SYSCALL, 0, 2, p98),
	E(99, "mkdir", FILE, S_SYSCALL, 0, 1, p99),
	E(100, "rmdir", FILE, S_SYSCALL, 0, 1, p100),
	E(101, "rmdir", FILE, S_SYSCALL, 0, 1, p101),
	E(102, "openat", FILE, S_SYSCALL, CFD|ST|OLD, 4, p102),
	E(103, "openat", FILE, S_SYSCALL, CFD|ST|OLD, 1, p103),
	E(104, "link", FILE, S_SYSCALL, OLD, 2, p104),
	E(105, "link", FILE, S_SYSCALL, OLD, 1, p105),
	E(106, "linkat", FILE, S_SYSCALL, OLD, 4, p106),
	E(107, "linkat", FILE, S_SYSCALL, OLD, 1, p107),
	E(108, "unlink", FILE, S_SYSCALL, OLD, 1, p108),
	E(109, "unlink", FILE, S_SYSCALL, OLD, 1, p109),
	E(110, "unlinkat", FILE, S_SYSCALL, OLD, 2, p110),
	E(111, "unlinkat", FILE, S_SYSCALL, OLD, 1, p111),
	E(112, "pread", IO_READ, S_SYSCALL, UFD|RD|DROP, 3, p112),
	E(113, "pread", IO_READ, S_SYSCALL, UFD|RD|DROP, 2, p113),
	E(114, "pwrite", IO_WRITE, S_SYSCALL, UFD|WR|DROP, 3, p114),
	E(115, "pwrite", IO_WRITE, S_SYSCALL, UFD|WR|DROP, 2, p115),
	E(116, "readv", IO_READ, S_SYSCALL, UFD|RD|DROP, 1, p116),
	E(117, "readv", IO_READ, S_SYSCALL, UFD|RD|DROP, 3, p117),
	E(118, "writev", IO_WRITE, S_SYSCALL, UFD|WR|DROP, 2, p118),
	E(119, "writev", IO_WRITE, S_SYSCALL, UFD|WR|DROP, 2, p119),
	E(120, "preadv", IO_READ, S_SYSCALL, UFD|RD|DROP, 2, p120),
	E(121, "preadv", IO_READ, S_SYSCALL, UFD|RD|DROP, 3, p121),
	E(122, "pwritev", IO_WRITE, S_SYSCALL, UFD|WR|DROP, 3, p122),
	E(123, "pwritev", IO_WRITE, S_SYSCALL, UFD|WR|DROP, 2, p123),
	E(124, "dup", IO_OTHER, S_SYSCALL, CFD|UFD|ST, 1, p124),
	E(125, "dup", IO_OTHER, S_SYSCALL, CFD|UFD|ST, 1, p125),
	E(126, "signalfd", SIGNAL, S_SYSCALL, CFD|ST, 3, p126),
	E(127, "signalfd", SIGNAL, S_SYSCALL, CFD|ST, 1, p127),
	E(128, "kill", SIGNAL, S_SYSCALL, 0, 2, p128),
	E(129, "kill", SIGNAL, S_SYSCALL, 0, 1, p129),
	E(130, "tkill", SIGNAL, S_SYSCALL, 0, 2, p130),
	E(131, "tkill", SIGNAL, S_SYSCALL, 0, 1, p131),
	E(132, "tgkill", SIGNAL, S_SYSCALL, 0, 3, p132),
	E(133, "tgkill", SIGNAL, S_SYSCALL, 0, 1, p133),
	E(134, "nanosleep", SLEEP, S_SYSCALL, WAITS|DROP, 1, p134),
	E(135, "nanosleep", SLEEP, S_SYSCALL, WAITS|DROP, 1, p135),
	E(136, "timerfd_create", TIME, S_SYSCALL, CFD|ST|DROP, 2, p136),
	E(137, "timerfd_create", TIME, S_SYSCALL, CFD|ST|DROP, 1, p137),
	E(138, "inotify_init", IPC, S_SYSCALL, CFD|ST, 1, p138),
	E(139, "inotify_init", IPC, S_SYSCALL, CFD|ST, 1, p139),
	E(140, "getrlimit", PROCESS, S_SYSCALL, DROP, 1, p140),
	E(141, "getrlimit", PROCESS, S_SYSCALL, DROP, 3, p141),
	E(142, "setrlimit", PROCESS, S_SYSCALL, DROP, 1, p142),
	E(143, "setrlimit", PROCESS, S_SYSCALL, DROP, 3, p143),
	E(144, "prlimit", PROCESS, S_SYSCALL, 0, 2, p144),
	E(145, "prlimit", PROCESS, S_SYSCALL, 0, 5, p145),
	E(146, "switch", SCHEDULER, S_TRACEPOINT, SKIPR|OLD|DROP, 1, p146),
	E(147, "NA2", UNKNOWN, 0, SKIPR|UNUSED|OLD, 0, NULL),
	E(148, "drop", UNKNOWN, S_INTERNAL|S_META, SKIPR, 1, p148),
	E(149, "drop", UNKNOWN, S_INTERNAL|S_META, SKIPR, 1, p149),
	E(150, "fcntl", IO_OTHER, S_SYSCALL, UFD|ST|DROP, 2, p150),
	E(151, "fcntl", IO_OTHER, S_SYSCALL, UFD|ST|DROP, 1, p151),
	E(152, "switch", SCHEDULER, S_TRACEPOINT, DROP, 6, p152),
	E(153, "NA2", UNKNOWN, 0, UNUSED, 0, NULL),
	E(154, "execve", PROCESS, S_SYSCALL, ST|OLD, 0, NULL),
	E(155, "execve", PROCESS, S_SYSCALL, ST|OLD, 13, p155),
	E(156, "clone", PROCESS, S_SYSCALL, ST|OLD, 0, NULL),
	E(157, "clone", PROCESS, S_SYSCALL, ST|OLD, 16, p157),
	E(158, "brk", MEMORY, S_SYSCALL, DROP, 1, p158),
	E(159, "brk", MEMORY, S_SYSCALL, DROP, 4, p159),
	E(160, "mmap", MEMORY, S_SYSCALL, DROP, 6, p160),
	E(161, "mmap", MEMORY, S_SYSCALL, DROP, 4, p161),
	E(162, "mmap2", MEMORY, S_SYSCALL, DROP, 6, p162),
	E(163, "mmap2", MEMORY, S_SYSCALL, DROP, 4, p163),
	E(164, "munmap", MEMORY, S_SYSCALL, DROP, 2, p164),
	E(165, "munmap", MEMORY, S_SYSCALL, DROP, 4, p165),
	E(166, "splice", IO_OTHER, S_SYSCALL, UFD|DROP, 4, p166),
	E(167, "splice", IO_OTHER, S_SYSCALL, UFD|DROP, 1, p167),
	E(168, "ptrace", PROCESS, S_SYSCALL, 0, 2, p168),
	E(169, "ptrace", PROCESS, S_SYSCALL, 0, 3, p169),
	E(170, "ioctl", IO_OTHER, S_SYSCALL, UFD, 3, p170),
	E(171, "ioctl", IO_OTHER, S_SYSCALL, UFD, 1, p171),
	E(172, "execve", PROCESS, S_SYSCALL, ST|OLD, 0, NULL),
	E(173, "execve", PROCESS, S_SYSCALL, ST|OLD, 14, p173),
	E(174, "rename", FILE, S_SYSCALL, 0, 0, NULL),
	E(175, "rename", FILE, S_SYSCALL, 0, 3, p175),
	E(176, "renameat", FILE, S_SYSCALL, 0, 0, NULL),
	E(177, "renameat", FILE, S_SYSCALL, 0, 5, p177),
	E(178, "symlink", FILE, S_SYSCALL, 0, 0, NULL),
	E(179, "symlink", FILE, S_SYSCALL, 0, 3, p179),
	E(180, "symlinkat", FILE, S_SYSCALL, 0, 0, NULL),
	E(181, "symlinkat", FILE, S_SYSCALL, 0, 4, p181),
	E(182, "fork", PROCESS, S_SYSCALL, ST|OLD, 0, NULL),
	E(183, "fork", PROCESS, S_SYSCALL, ST|OLD, 16, p183),
	E(184, "vfork", PROCESS, S_SYSCALL, ST|OLD, 0, NULL),
	E(185, "vfork", PROCESS, S_SYSCALL, ST|OLD, 16, p185),
	E(186, "procexit", PROCESS, S_TRACEPOINT, ST, 4, p186),
	E(187, "NA1", UNKNOWN, 0, UNUSED, 0, NULL),
	E(188, "sendfile", IO_WRITE, S_SYSCALL, UFD|DROP, 4, p188),
	E(189, "sendfile", IO_WRITE, S_SYSCALL, UFD|DROP, 2, p189),
	E(190, "quotactl", USER, S_SYSCALL, 0, 4, p190),
	E(191, "quotactl", USER, S_SYSCALL, 0, 14, p191),
	E(192, "setresuid", USER, S_SYSCALL, ST, 3, p192),
	E(193, "setresuid", USER, S_SYSCALL, ST, 1, p193),
	E(194, "setresgid", USER, S_SYSCALL, ST, 3, p194),
	E(195, "setresgid", USER, S_SYSCALL, ST, 1, p195),
	E(196, "sysdigevent", UNKNOWN, S_INTERNAL|S_META, SKIPR, 2, p196),
	E(197, "sysdigevent", UNKNOWN, 0, UNUSED, 0, NULL),
	E(198, "setuid", USER, S_SYSCALL, ST, 1, p198),
	E(199, "setuid", USER, S_SYSCALL, ST, 1, p199),
	E(200, "setgid", USER, S_SYSCALL, ST, 1, p200),
	E(201, "setgid", USER, S_SYSCALL, ST, 1, p201),
	E(202, "getuid", USER, S_SYSCALL, DROP, 0, NULL),
	E(203, "getuid", USER, S_SYSCALL, DROP, 1, p203),
	E(204, "geteuid", USER, S_SYSCALL, DROP, 0, NULL),
	E(205, "geteuid", USER, S_SYSCALL, DROP, 1, p205),
	E(206, "getgid", USER, S_SYSCALL, DROP, 0, NULL),
	E(207, "getgid", USER, S_SYSCALL, DROP, 1, p207),
	E(208, "getegid", USER, S_SYSCALL, DROP, 0, NULL),
	E(209, "getegid", USER, S_SYSCALL, DROP, 1, p209),
	E(210, "getresuid", USER, S_SYSCALL, DROP, 0, NULL),
	E(211, "getresuid", USER, S_SYSCALL, DROP, 4, p211),
	E(212, "getresgid", USER, S_SYSCALL, DROP, 0, NULL),
	E(213, "getresgid", USER, S_SYSCALL, DROP, 4, p213),
	E(214, "execve", PROCESS, S_SYSCALL, ST|OLD, 0, NULL),
	E(215, "execve", PROCESS, S_SYSCALL, ST|OLD, 15, p215),
	E(216, "clone", PROCESS, S_SYSCALL, ST|OLD, 0, NULL),
	E(217, "clone", PROCESS, S_SYSCALL, ST|OLD, 17, p217),
	E(218, "fork", PROCESS, S_SYSCALL, ST|OLD, 0, NULL),
	E(219, "fork", PROCESS, S_SYSCALL, ST|OLD, 17, p219),
	E(220, "vfork", PROCESS, S_SYSCALL, ST|OLD, 0, NULL),
	E(221, "vfork", PROCESS, S_SYSCALL, ST|OLD, 17, p221),
	E(222, "clone", PROCESS, S_SYSCALL, ST, 0, NULL),
	E(223, "clone", PROCESS, S_SYSCALL, ST, 20, p223),
	E(224, "fork", PROCESS, S_SYSCALL, ST, 0, NULL),
	E(225, "fork", PROCESS, S_SYSCALL, ST, 20, p225),
	E(226, "vfork", PROCESS, S_SYSCALL, ST, 0, NULL),
	E(227, "vfork", PROCESS, S_SYSCALL, ST, 20, p227),
	E(228, "container", UNKNOWN, S_INTERNAL|S_META, SKIPR|ST|OLD, 4, p228),
	E(229, "container", UNKNOWN, 0, UNUSED|OLD, 0, NULL),
	E(230, "execve", PROCESS, S_SYSCALL, ST, 0, NULL),
	E(231, "execve", PROCESS, S_SYSCALL, ST, 16, p231),
	E(232, "signaldeliver", SIGNAL, S_TRACEPOINT, DROP, 3, p232),
	E(233, "signaldeliver", UNKNOWN, 0, UNUSED, 0, NULL),
	E(234, "procinfo", UNKNOWN, S_INTERNAL|S_META, SKIPR|DROP, 2, p234),
	E(235, "NA2", UNKNOWN, 0, UNUSED, 0, NULL),
	E(236, "getdents", FILE, S_SYSCALL, UFD|DROP, 1, p236),
	E(237, "getdents", FILE, S_SYSCALL, UFD|DROP, 1, p237),
	E(238, "getdents64", FILE, S_SYSCALL, UFD|DROP, 1, p238),
	E(239, "getdents64", FILE, S_SYSCALL, UFD|DROP, 1, p239),
	E(240, "setns", PROCESS, S_SYSCALL, UFD, 2, p240),
	E(241, "setns", PROCESS, S_SYSCALL, UFD, 1, p241),
	E(242, "flock", FILE, S_SYSCALL, UFD, 2, p242),
	E(243, "flock", FILE, S_SYSCALL, UFD, 1, p243),
	E(244, "cpu_hotplug", SYSTEM, S_META, SKIPR|ST, 2, p244),
	E(245, "NA2", UNKNOWN, 0, UNUSED, 0, NULL),
	E(246, "accept", NET, S_SYSCALL, CFD|ST, 0, NULL),
	E(247, "accept", NET, S_SYSCALL, CFD|ST, 5, p247),
	E(248, "accept", NET, S_SYSCALL, CFD|ST, 1, p248),
	E(249, "accept", NET, S_SYSCALL, CFD|ST, 5, p249),
	E(250, "semop", PROCESS, S_SYSCALL, DROP, 1, p250),
	E(251, "semop", PROCESS, S_SYSCALL, DROP, 8, p251),
	E(252, "semctl", PROCESS, S_SYSCALL, DROP, 4, p252),
	E(253, "semctl", PROCESS, S_SYSCALL, DROP, 1, p253),
	E(254, "ppoll", WAIT, S_SYSCALL, WAITS|DROP, 3, p254),
	E(255, "ppoll", WAIT, S_SYSCALL, WAITS|DROP, 2, p255),
	E(256, "mount", FILE, S_SYSCALL, ST, 1, p256),
	E(257, "mount", FILE, S_SYSCALL, ST, 4, p257),
	E(258, "umount", FILE, S_SYSCALL, ST, 1, p258),
	E(259, "umount", FILE, S_SYSCALL, ST, 2, p259),
	E(260, "k8s", UNKNOWN, S_INTERNAL|S_META, SKIPR|ST, 1, p260),
	E(261, "NA3", UNKNOWN, 0, UNUSED, 0, NULL),
	E(262, "semget", PROCESS, S_SYSCALL, DROP, 3, p262),
	E(263, "semget", PROCESS, S_SYSCALL, DROP, 1, p263),
	E(264, "access", FILE, S_SYSCALL, DROP, 1, p264),
	E(265, "access", FILE, S_SYSCALL, DROP, 2, p265),
	E(266, "chroot", PROCESS, S_SYSCALL, ST, 0, NULL),
	E(267, "chroot", PROCESS, S_SYSCALL, ST, 2, p267),
	E(268, "tracer", OTHER, S_META, 0, 3, p268),
	E(269, "tracer", UNKNOWN, 0, 0, 3, p269),
	E(270, "mesos", UNKNOWN, S_INTERNAL|S_META, SKIPR|ST, 1, p270),
	E(271, "NA4", UNKNOWN, 0, UNUSED, 0, NULL),
	E(272, "container", PROCESS, S_META, ST, 1, p272),
	E(273, "container", UNKNOWN, 0, UNUSED, 0, NULL),
	E(274, "setsid", PROCESS, S_SYSCALL, ST, 0, NULL),
	E(275, "setsid", PROCESS, S_SYSCALL, ST, 1, p275),
	E(276, "mkdir", FILE, S_SYSCALL, 0, 1, p276),
	E(277, "mkdir", FILE, S_SYSCALL, 0, 2, p277),
	E(278, "rmdir", FILE, S_SYSCALL, 0, 0, NULL),
	E(279, "rmdir", FILE, S_SYSCALL, 0, 2, p279),
	E(280, "notification", OTHER, S_META, SKIPR, 2, p280),
	E(281, "NA4", UNKNOWN, 0, UNUSED, 0, NULL),
	E(282, "execve", PROCESS, S_SYSCALL, ST|OLD, 0, NULL),
	E(283, "execve", PROCESS, S_SYSCALL, ST|OLD, 17, p283),
	E(284, "unshare", PROCESS, S_SYSCALL, 0, 1, p284),
	E(285, "unshare", PROCESS, S_SYSCALL, 0, 1, p285),
	E(286, "infra", UNKNOWN, S_INTERNAL|S_META, SKIPR, 4, p286),
	E(287, "NA4", UNKNOWN, 0, UNUSED, 0, NULL),
	E(288, "execve", PROCESS, S_SYSCALL, ST|OLD, 1, p288),
	E(289, "execve", PROCESS, S_SYSCALL, ST|OLD, 17, p289),
	E(290, "page_fault", OTHER, S_TRACEPOINT, SKIPR|DROP, 3, p290),
	E(291, "NA5", UNKNOWN, 0, UNUSED, 0, NULL),
	E(292, "execve", PROCESS, S_SYSCALL, ST, 1, p292),
	E(293, "execve", PROCESS, S_SYSCALL, ST, 20, p293),
	E(294, "setpgid", PROCESS, S_SYSCALL, ST, 2, p294),
	E(295, "setpgid", PROCESS, S_SYSCALL, ST, 1, p295),
	E(296, "bpf", OTHER, S_SYSCALL, CFD, 1, p296),
	E(297, "bpf", OTHER, S_SYSCALL, CFD, 1, p297),
	E(298, "seccomp", OTHER, S_SYSCALL, 0, 2, p298),
	E(299, "seccomp", OTHER, S_SYSCALL, 0, 1, p299),
	E(300, "unlink", FILE, S_SYSCALL, 0, 0, NULL),
	E(301, "unlink", FILE, S_SYSCALL, 0, 2, p301),
	E(302, "unlinkat", FILE, S_SYSCALL, 0, 0, NULL),
	E(303, "unlinkat", FILE, S_SYSCALL, 0, 4, p303),
	E(304, "mkdirat", FILE, S_SYSCALL, 0, 0, NULL),
	E(305, "mkdirat", FILE, S_SYSCALL, 0, 4, p305),
	E(306, "openat", FILE, S_SYSCALL, CFD|ST, 4, p306),
	E(307, "openat", FILE, S_SYSCALL, CFD|ST, 6, p307),
	E(308, "link", FILE, S_SYSCALL, 0, 0, NULL),
	E(309, "link", FILE, S_SYSCALL, 0, 3, p309),
	E(310, "linkat", FILE, S_SYSCALL, 0, 0, NULL),
	E(311, "linkat", FILE, S_SYSCALL, 0, 6, p311),
	E(312, "fchmodat", FILE, S_SYSCALL, 0, 0, NULL),
	E(313, "fchmodat", FILE, S_SYSCALL, 0, 4, p313),
	E(314, "chmod", FILE, S_SYSCALL, 0, 0, NULL),
	E(315, "chmod", FILE, S_SYSCALL, 0, 3, p315),
	E(316, "fchmod", FILE, S_SYSCALL, 0, 0, NULL),
	E(317, "fchmod", FILE, S_SYSCALL, 0, 3, p317),
	E(318, "renameat2", FILE, S_SYSCALL, 0, 0, NULL),
	E(319, "renameat2", FILE, S_SYSCALL, 0, 6, p319),
	E(320, "userfaultfd", FILE, S_SYSCALL, CFD|ST, 0, NULL),
	E(321, "userfaultfd", FILE, S_SYSCALL, CFD|ST, 2, p321),
	E(322, "pluginevent", OTHER, S_PLUGIN, LARGE, 2, p322),
	E(323, "pluginevent", UNKNOWN, 0, UNUSED, 0, NULL),
	E(324, "container", PROCESS, S_META, ST|LARGE, 1, p324),
	E(325, "container", UNKNOWN, 0, UNUSED, 0, NULL),
	E(326, "openat2", FILE, S_SYSCALL, CFD|ST, 5, p326),
	E(327, "openat2", FILE, S_SYSCALL, CFD|ST, 6, p327),
	E(328, "mprotect", MEMORY, S_SYSCALL, DROP, 3, p328),
	E(329, "mprotect", MEMORY, S_SYSCALL, DROP, 1, p329),
	E(330, "execveat", PROCESS, S_SYSCALL, ST, 3, p330),
	E(331, "execveat", PROCESS, S_SYSCALL, ST, 20, p331),
	E(332, "copy_file_range", FILE, S_SYSCALL, UFD|RD|WR, 3, p332),
	E(333, "copy_file_range", FILE, S_SYSCALL, UFD|RD|WR, 3, p333),
	E(334, "clone3", PROCESS, S_SYSCALL, ST, 0, NULL),
	E(335, "clone3", PROCESS, S_SYSCALL, ST, 20, p335),
	E(336, "open_by_handle_at", FILE, S_SYSCALL, OLD|CFD|ST, 0, NULL),
	E(337, "open_by_handle_at", FILE, S_SYSCALL, CFD|ST, 0, p337),
	E(338, "io_uring_setup", IO_OTHER, S_SYSCALL, OLD|CFD|ST, 0, NULL),
	E(339, "io_uring_setup", IO_OTHER, S_SYSCALL, CFD|ST, 0, p339),
	E(340, "io_uring_enter", IO_OTHER, S_SYSCALL, OLD, 0, NULL),
	E(341, "io_uring_enter", IO_OTHER, S_SYSCALL, UFD, 0, p341),
	E(342, "io_uring_register", IO_OTHER, S_SYSCALL, OLD, 0, NULL),
	E(343, "io_uring_register", IO_OTHER, S_SYSCALL, UFD, 0, p343),
	E(344, "mlock", MEMORY, S_SYSCALL, OLD, 0, NULL),
	E(345, "mlock", MEMORY, S_SYSCALL, 0, 0, p345),
	E(346, "munlock", MEMORY, S_SYSCALL, OLD, 0, NULL),
	E(347, "munlock", MEMORY, S_SYSCALL, 0, 0, p347),
	E(348, "mlockall", MEMORY, S_SYSCALL, OLD, 0, NULL),
	E(349, "mlockall", MEMORY, S_SYSCALL, 0, 0, p349),
	E(350, "munlockall", MEMORY, S_SYSCALL, OLD, 0, NULL),
	E(351, "munlockall", MEMORY, S_SYSCALL, 0, 0, p351),
	E(352, "capset", PROCESS, S_SYSCALL, OLD|ST, 0, NULL),
	E(353, "capset", PROCESS, S_SYSCALL, ST, 0, p353),
	E(354, "useradded", PROCESS, S_META, ST, 0, p354),
	E(355, "NA", UNKNOWN, 0, UNUSED, 0, NULL),
	E(356, "userdeleted", PROCESS, S_META, ST, 0, p356),
	E(357, "NA", UNKNOWN, 0, UNUSED, 0, NULL),
	E(358, "groupadded", PROCESS, S_META, ST, 0, p358),
	E(359, "NA", UNKNOWN, 0, UNUSED, 0, NULL),
	E(360, "groupdeleted", PROCESS, S_META, ST, 0, p360),
	E(361, "NA", UNKNOWN, 0, UNUSED, 0, NULL),
	E(362, "dup2", IO_OTHER, S_SYSCALL, OLD|CFD|UFD|ST, 0, p362),
	E(363, "dup2", IO_OTHER, S_SYSCALL, CFD|UFD|ST, 0, p363),
	E(364, "dup3", IO_OTHER, S_SYSCALL, OLD|CFD|UFD|ST, 0, p364),
	E(365, "dup3", IO_OTHER, S_SYSCALL, CFD|UFD|ST, 0, p365),
	E(366, "dup", IO_OTHER, S_SYSCALL, OLD|CFD|UFD|ST, 0, p366),
	E(367, "dup", IO_OTHER, S_SYSCALL, CFD|UFD|ST, 0, p367),
	E(368, "bpf", OTHER, S_SYSCALL, OLD|CFD, 0, p368),
	E(369, "bpf", OTHER, S_SYSCALL, CFD, 0, p369),
	E(370, "mlock2", MEMORY, S_SYSCALL, OLD, 0, NULL),
	E(371, "mlock2", MEMORY, S_SYSCALL, 0, 0, p371),
	E(372, "fsconfig", SYSTEM, S_SYSCALL, OLD, 0, NULL),
	E(373, "fsconfig", SYSTEM, S_SYSCALL, UFD, 0, p373),
	E(374, "epoll_create", WAIT, S_SYSCALL, OLD|CFD|ST|CONV, 0, p374),
	E(375, "epoll_create", WAIT, S_SYSCALL, CFD|ST|CONV, 0, p375),
	E(376, "epoll_create1", WAIT, S_SYSCALL, OLD|CFD|ST|CONV, 0, p376),
	E(377, "epoll_create1", WAIT, S_SYSCALL, CFD|ST|CONV, 0, p377),
	E(378, "chown", FILE, S_SYSCALL, OLD, 0, NULL),
	E(379, "chown", FILE, S_SYSCALL, 0, 0, p379),
	E(380, "lchown", FILE, S_SYSCALL, OLD, 0, NULL),
	E(381, "lchown", FILE, S_SYSCALL, 0, 0, p381),
	E(382, "fchown", FILE, S_SYSCALL, OLD, 0, NULL),
	E(383, "fchown", FILE, S_SYSCALL, UFD, 0, p383),
	E(384, "fchownat", FILE, S_SYSCALL, OLD, 0, NULL),
	E(385, "fchownat", FILE, S_SYSCALL, UFD, 0, p385),
	E(386, "umount", FILE, S_SYSCALL, OLD|ST, 0, NULL),
	E(387, "umount", FILE, S_SYSCALL, ST, 0, p387),
	E(388, "accept4", NET, S_SYSCALL, OLD|CFD|ST|CONV, 0, p388),
	E(389, "accept4", NET, S_SYSCALL, CFD|ST|CONV, 0, p389),
	E(390, "umount2", FILE, S_SYSCALL, OLD|ST|CONV, 0, p390),
	E(391, "umount2", FILE, S_SYSCALL, ST|CONV, 0, p391),
	E(392, "pipe2", IPC, S_SYSCALL, OLD|CFD|ST, 0, NULL),
	E(393, "pipe2", IPC, S_SYSCALL, CFD|ST, 0, p393),
	E(394, "inotify_init1", IPC, S_SYSCALL, OLD|CFD|ST, 0, NULL),
	E(395, "inotify_init1", IPC, S_SYSCALL, CFD|ST, 0, p395),
	E(396, "eventfd2", IPC, S_SYSCALL, OLD|CFD|ST|CONV, 0, p396),
	E(397, "eventfd2", IPC, S_SYSCALL, CFD|ST|CONV, 0, p397),
	E(398, "signalfd4", SIGNAL, S_SYSCALL, OLD|CFD|ST|CONV, 0, p398),
	E(399, "signalfd4", SIGNAL, S_SYSCALL, CFD|ST|CONV, 0, p399),
	E(400, "prctl", PROCESS, S_SYSCALL, OLD|ST, 0, NULL),
	E(401, "prctl", PROCESS, S_SYSCALL, ST, 0, p401),
	E(402, "asyncevent", OTHER, S_META, LARGE, 0, p402),
	E(403, "NA", UNKNOWN, 0, UNUSED, 0, NULL),
	E(404, "memfd_create", MEMORY, S_SYSCALL, OLD|CFD|ST, 0, NULL),
	E(405, "memfd_create", MEMORY, S_SYSCALL, CFD|ST, 0, p405),
	E(406, "pidfd_getfd", PROCESS, S_SYSCALL, OLD|CFD|ST, 0, NULL),
	E(407, "pidfd_getfd", PROCESS, S_SYSCALL, CFD|ST, 0, p407),
	E(408, "pidfd_open", PROCESS, S_SYSCALL, OLD|CFD|ST, 0, NULL),
	E(409, "pidfd_open", PROCESS, S_SYSCALL, CFD|ST, 0, p409),
	E(410, "init_module", OTHER, S_SYSCALL, OLD, 0, NULL),
	E(411, "init_module", OTHER, S_SYSCALL, 0, 0, p411),
	E(412, "finit_module", OTHER, S_SYSCALL, OLD, 0, NULL),
	E(413, "finit_module", OTHER, S_SYSCALL, UFD|RD, 0, p413),
	E(414, "mknod", OTHER, S_SYSCALL, OLD, 0, NULL),
	E(415, "mknod", OTHER, S_SYSCALL, 0, 0, p415),
	E(416, "mknodat", OTHER, S_SYSCALL, OLD, 0, NULL),
	E(417, "mknodat", OTHER, S_SYSCALL, UFD, 0, p417),
	E(418, "newfstatat", FILE, S_SYSCALL, OLD, 0, NULL),
	E(419, "newfstatat", FILE, S_SYSCALL, UFD, 0, p419),
	E(420, "process_vm_readv", IPC, S_SYSCALL, OLD, 0, NULL),
	E(421, "process_vm_readv", IPC, S_SYSCALL, 0, 0, p421),
	E(422, "process_vm_writev", IPC, S_SYSCALL, OLD, 0, NULL),
	E(423, "process_vm_writev", IPC, S_SYSCALL, 0, 0, p423),
	E(424, "delete_module", OTHER, S_SYSCALL, OLD, 0, NULL),
	E(425, "delete_module", OTHER, S_SYSCALL, 0, 0, p425),
	E(426, "setreuid", USER, S_SYSCALL, OLD|ST, 0, NULL),
	E(427, "setreuid", USER, S_SYSCALL, ST, 0, p427),
	E(428, "setregid", USER, S_SYSCALL, OLD, 0, NULL),
	E(429, "setregid", USER, S_SYSCALL, ST, 0, p429),
	E(430, "task", PROCESS, S_ITER, ST, 0, p430),
	E(431, "NA", UNKNOWN, 0, UNUSED, 0, NULL),
	E(432, "task_file_pipe", FILE, S_ITER, ST, 0, p432),
	E(433, "NA", UNKNOWN, 0, UNUSED, 0, NULL),
	E(434, "task_file_memfd", FILE, S_ITER, ST, 0, p434),
	E(435, "NA", UNKNOWN, 0, UNUSED, 0, NULL),
	E(436, "task_file_regular", FILE, S_ITER, ST, 0, p436),
	E(437, "NA", UNKNOWN, 0, UNUSED, 0, NULL),
	E(438, "task_file_directory", FILE, S_ITER, ST, 0, p438),
	E(439, "NA", UNKNOWN, 0, UNUSED, 0, NULL),
	E(440, "task_file_socket_inet", FILE, S_ITER, ST, 0, p440),
	E(441, "NA", UNKNOWN, 0, UNUSED, 0, NULL),
	E(442, "task_file_socket_inet6", FILE, S_ITER, ST, 0, p442),
	E(443, "NA", UNKNOWN, 0, UNUSED, 0, NULL),
	E(444, "task_file_socket_unix", FILE, S_ITER, ST, 0, p444),
	E(445, "NA", UNKNOWN, 0, UNUSED, 0, NULL),
	E(446, "task_file_socket_netlink", FILE, S_ITER, ST, 0, p446),
	E(447, "NA", UNKNOWN, 0, UNUSED, 0, NULL),
	E(448, "task_file_anon_inode", FILE, S_ITER, ST, 0, p448),
	E(449, "NA", UNKNOWN, 0, UNUSED, 0, NULL),
	E(450, "NA", UNKNOWN, 0, UNUSED, 0, NULL),
	E(451, "close_range", IO_OTHER, S_SYSCALL, ST, 0, p451),
	E(452, "NA", UNKNOWN, 0, UNUSED, 0, NULL),
	E(453, "keyctl", OTHER, S_SYSCALL, 0, 0, p453),
};

static const char *const syscall_ids[SCAP_SYSCALL_ID_MAX] = {
	"<unknown>", "restart_syscall", "exit", "read", "write", "open", "close", "creat",
	"link", "unlink", "chdir", "time", "mknod", "chmod", "stat", "lseek",
	"getpid", "mount", "ptrace", "alarm", "fstat", "pause", "utime", "access",
	"sync", "kill", "rename", "mkdir", "rmdir", "dup", "pipe", "times",
	"brk", "acct", "ioctl", "fcntl", "setpgid", "umask", "chroot", "ustat",
	"dup2", "getppid", "getpgrp", "setsid", "sethostname", "setrlimit", "getrusage", "gettimeofday",
	"settimeofday", "symlink", "lstat", "readlink", "uselib", "swapon", "reboot", "mmap",
	"munmap", "truncate", "ftruncate", "fchmod", "getpriority", "setpriority", "statfs", "fstatfs",
	"syslog", "setitimer", "getitimer", "uname", "vhangup", "wait4", "swapoff", "sysinfo",
	"fsync", "setdomainname", "adjtimex", "mprotect", "init_module", "delete_module", "quotactl", "getpgid",
	"fchdir", "sysfs", "personality", "getdents", "select", "flock", "msync", "readv",
	"writev", "getsid", "fdatasync", "mlock", "munlock", "mlockall", "munlockall", "sched_setparam",
	"sched_getparam", "sched_setscheduler", "sched_getscheduler", "sched_yield", "sched_get_priority_max", "sched_get_priority_min", "sched_rr_get_interval", "nanosleep",
	"mremap", "poll", "prctl", "rt_sigaction", "rt_sigprocmask", "rt_sigpending", "rt_sigtimedwait", "rt_sigqueueinfo",
	"rt_sigsuspend", "getcwd", "capget", "capset", "sendfile", "getrlimit", "lchown", "getuid",
	"getgid", "geteuid", "getegid", "setreuid", "setregid", "getgroups", "setgroups", "fchown",
	"setresuid", "getresuid", "setresgid", "getresgid", "chown", "setuid", "setgid", "setfsuid",
	"setfsgid", "pivot_root", "mincore", "madvise", "gettid", "setxattr", "lsetxattr", "fsetxattr",
	"getxattr", "lgetxattr", "fgetxattr", "listxattr", "llistxattr", "flistxattr", "removexattr", "lremovexattr",
	"fremovexattr", "tkill", "futex", "sched_setaffinity", "sched_getaffinity", "set_thread_area", "get_thread_area", "io_setup",
	"io_destroy", "io_getevents", "io_submit", "io_cancel", "exit_group", "epoll_create", "epoll_ctl", "epoll_wait",
	"remap_file_pages", "set_tid_address", "timer_create", "timer_settime", "timer_gettime", "timer_getoverrun", "timer_delete", "clock_settime",
	"clock_gettime", "clock_getres", "clock_nanosleep", "tgkill", "utimes", "mq_open", "mq_unlink", "mq_timedsend",
	"mq_timedreceive", "mq_notify", "mq_getsetattr", "kexec_load", "waitid", "add_key", "request_key", "keyctl",
	"ioprio_set", "ioprio_get", "inotify_init", "inotify_add_watch", "inotify_rm_watch", "openat", "mkdirat", "mknodat",
	"fchownat", "futimesat", "unlinkat", "renameat", "linkat", "symlinkat", "readlinkat", "fchmodat",
	"faccessat", "pselect6", "ppoll", "unshare", "set_robust_list", "get_robust_list", "splice", "tee",
	"vmsplice", "getcpu", "epoll_pwait", "utimensat", "signalfd", "timerfd_create", "eventfd", "timerfd_settime",
	"timerfd_gettime", "signalfd4", "eventfd2", "epoll_create1", "dup3", "pipe2", "inotify_init1", "preadv",
	"pwritev", "rt_tgsigqueueinfo", "perf_event_open", "fanotify_init", "prlimit64", "clock_adjtime", "syncfs", "setns",
	"getdents64", "socket", "bind", "connect", "listen", "accept", "getsockname", "getpeername",
	"socketpair", "sendto", "recvfrom", "shutdown", "setsockopt", "getsockopt", "sendmsg", "sendmmsg",
	"recvmsg", "recvmmsg", "accept4", "semop", "semget", "semctl", "msgsnd", "msgrcv",
	"msgget", "msgctl", "shmdt", "shmget", "shmctl", "statfs64", "fstatfs64", "fstatat64",
	"sendfile64", "ugetrlimit", "bdflush", "sigprocmask", "ipc", "socketcall", "stat64", "lstat64",
	"fstat64", "fcntl64", "mmap2", "newselect", "sgetmask", "ssetmask", "sigpending", "olduname",
	"umount", "signal", "nice", "stime", "llseek", "waitpid", "pread64", "pwrite64",
	"arch_prctl", "shmat", "sigreturn", "fallocate", "newfstatat", "process_vm_readv", "process_vm_writev", "fork",
	"vfork", "setuid", "getuid", "setgid", "geteuid", "getgid", "setresuid", "setresgid",
	"getresuid", "getresgid", "finit_module", "bpf", "seccomp", "sigaltstack", "getrandom", "fadvise64",
	"renameat2", "userfaultfd", "openat2", "umount2", "execve", "execveat", "copy_file_range", "clone",
	"clone3", "open_by_handle_at", "io_uring_setup", "io_uring_enter", "io_uring_register", "mlock2", "getegid32", "fsconfig",
	"fspick", "fsmount", "fsopen", "open_tree", "move_mount", "mount_setattr", "memfd_create", "memfd_secret",
	"ioperm", "kexec_file_load", "pidfd_getfd", "pidfd_open", "pidfd_send_signal", "pkey_alloc", "pkey_mprotect", "pkey_free",
	"landlock_create_ruleset", "quotactl_fd", "landlock_restrict_self", "landlock_add_rule", "epoll_pwait2", "migrate_pages", "move_pages", "preadv2",
	"pwritev2", "kcmp", "sched_setattr", "mbind", "epoll_ctl_old", "lookup_dcookie", "modify_ldt", "statx",
	"set_mempolicy", "io_pgetevents", "set_mempolicy_home_node", "semtimedop", "get_kernel_syms", "readahead", "futex_waitv", "getpmsg",
	"name_to_handle_at", "process_mrelease", "nfsservctl", "epoll_wait_old", "rseq", "create_module", "na_1", "sched_getattr",
	"faccessat2", "_sysctl", "query_module", "get_mempolicy", "sync_file_range", "process_madvise", "membarrier", "iopl",
	"close_range", "fanotify_mark", "recv", "send", "sched_process_exit", "sched_switch", "page_fault_user", "page_fault_kernel",
	"signal_deliver", "timerfd", "s390_pci_mmio_read", "sigaction", "s390_pci_mmio_write", "readdir", "s390_sthyi", "sigsuspend",
	"idle", "s390_runtime_instr", "sigreturn", "s390_guarded_storage", "cachestat", "fchmodat2", "map_shadow_stack", "riscv_flush_icache",
	"riscv_hwprobe", "futex_wake", "futex_requeue", "futex_wait", "oldstat", "switch_endian", "multiplexer", "oldlstat",
	"spu_create", "sync_file_range2", "oldfstat", "spu_run", "swapcontext", "pciconfig_write", "rtas", "pciconfig_read",
	"sys_debug_setcontext", "vm86", "oldolduname", "subpage_prot", "pciconfig_iobase", "listmount", "statmount", "lsm_get_self_attr",
	"lsm_set_self_attr", "lsm_list_modules", "mseal", "uretprobe", "removexattrat", "listxattrat", "getxattrat", "setxattrat",
	"open_tree_attr", "file_getattr", "file_setattr", "listns", "uprobe", "rseq_slice_yield",
};

const scap_event_info *scap_event_get(unsigned code)
{
	if (code >= SCAP_EVENT_MAX)
		return NULL;
	return &events[code];
}

int scap_event_find(const char *name, char dir, int for_2022)
{
	unsigned end = for_2022 ? SCAP_EVENT_MAX_2022 : SCAP_EVENT_MAX;
	int best = -1, best_old = -1;
	if (!name)
		return -1;
	for (unsigned c = 0; c < end; c++) {
		const scap_event_info *e = &events[c];
		if (e->dir != dir || strcmp(e->name, name) != 0 || (e->flags & SCAP_EF_UNUSED))
			continue;
		if (e->flags & SCAP_EF_OLD_VERSION)
			best_old = (int)c;
		else
			best = (int)c;
	}
	return best >= 0 ? best : best_old;
}

int scap_event_pairs(const scap_event_info *e)
{
	if (!e || e->dir != '>' || e->code + 1u >= SCAP_EVENT_MAX)
		return 0;
	const scap_event_info *x = &events[e->code + 1];
	if ((x->flags & SCAP_EF_UNUSED) || strcmp(x->name, e->name) != 0 || (e->source & SCAP_SRC_META))
		return 0;
	return strcmp(e->name, "procexit") != 0 && strcmp(e->name, "switch") != 0 &&
	       strcmp(e->name, "signaldeliver") != 0;
}

const char *scap_syscall_id_name(unsigned id)
{
	if (id >= SCAP_SYSCALL_ID_MAX || !syscall_ids[id][0])
		return NULL;
	return syscall_ids[id];
}

int scap_syscall_id_find(const char *name)
{
	if (!name)
		return -1;
	for (unsigned i = 1; i < SCAP_SYSCALL_ID_MAX; i++)
		if (strcmp(syscall_ids[i], name) == 0)
			return (int)i;
	return -1;
}

int scap_pt_size(unsigned type)
{
	switch (type) {
	case SCAP_PT_INT8: case SCAP_PT_UINT8: case SCAP_PT_FLAGS8: case SCAP_PT_ENUMFLAGS8:
	case SCAP_PT_SIGTYPE: case SCAP_PT_L4PROTO: case SCAP_PT_SOCKFAMILY:
		return 1;
	case SCAP_PT_INT16: case SCAP_PT_UINT16: case SCAP_PT_FLAGS16: case SCAP_PT_ENUMFLAGS16:
	case SCAP_PT_PORT: case SCAP_PT_SYSCALLID:
		return 2;
	case SCAP_PT_INT32: case SCAP_PT_UINT32: case SCAP_PT_FLAGS32: case SCAP_PT_ENUMFLAGS32:
	case SCAP_PT_UID: case SCAP_PT_GID: case SCAP_PT_BOOL: case SCAP_PT_IPV4ADDR:
	case SCAP_PT_SIGSET: case SCAP_PT_MODE: case SCAP_PT_FD32: case SCAP_PT_PID32:
		return 4;
	case SCAP_PT_INT64: case SCAP_PT_UINT64: case SCAP_PT_ERRNO: case SCAP_PT_FD:
	case SCAP_PT_PID: case SCAP_PT_RELTIME: case SCAP_PT_ABSTIME: case SCAP_PT_DOUBLE:
		return 8;
	case SCAP_PT_IPV6ADDR:
		return 16;
	default:
		return -1;
	}
}

const char *scap_pt_name(unsigned type)
{
	static const char *const names[SCAP_PT_MAX] = {
		"NONE", "INT8", "INT16", "INT32", "INT64", "UINT8", "UINT16", "UINT32", "UINT64",
		"CHARBUF", "BYTEBUF", "ERRNO", "SOCKADDR", "SOCKTUPLE", "FD", "PID", "FDLIST",
		"FSPATH", "SYSCALLID", "SIGTYPE", "RELTIME", "ABSTIME", "PORT", "L4PROTO",
		"SOCKFAMILY", "BOOL", "IPV4ADDR", "DYN", "FLAGS8", "FLAGS16", "FLAGS32", "UID", "GID",
		"DOUBLE", "SIGSET", "CHARBUFARRAY", "CHARBUF_PAIR_ARRAY", "IPV4NET", "IPV6ADDR",
		"IPV6NET", "IPADDR", "IPNET", "MODE", "FSRELPATH", "ENUMFLAGS8", "ENUMFLAGS16",
		"ENUMFLAGS32", "FD32", "PID32"};
	return type < SCAP_PT_MAX ? names[type] : "?";
}

/* ---- flag bits ---- */

/* Linux open flags and PPM_O_* (ppm_events_public.h); the access mode (low two bits) apart. */
static const struct { uint32_t lin, ppm; } open_bits[] = {
	{00000100, 1u << 2},  /* O_CREAT */
	{00002000, 1u << 3},  /* O_APPEND */
	{00010000, 1u << 4},  /* O_DSYNC */
	{00000200, 1u << 5},  /* O_EXCL */
	{00004000, 1u << 6},  /* O_NONBLOCK */
	{04010000, 1u << 7},  /* O_SYNC (includes O_DSYNC) */
	{00001000, 1u << 8},  /* O_TRUNC */
	{00040000, 1u << 9},  /* O_DIRECT */
	{00200000, 1u << 10}, /* O_DIRECTORY */
	{00100000, 1u << 11}, /* O_LARGEFILE */
	{02000000, 1u << 12}, /* O_CLOEXEC */
	{020200000, 1u << 13}, /* O_TMPFILE (includes O_DIRECTORY) */
};
/* Linux CLONE_* and PPM_CL_* (single bits both sides). */
static const struct { uint32_t lin, ppm; } clone_bits[] = {
	{0x00000400, 1u << 0},  {0x00000200, 1u << 1},  {0x80000000, 1u << 2},  {0x08000000, 1u << 3},
	{0x40000000, 1u << 4},  {0x00020000, 1u << 5},  {0x20000000, 1u << 6},  {0x04000000, 1u << 7},
	{0x00008000, 1u << 8},  {0x00100000, 1u << 9},  {0x00002000, 1u << 10}, {0x00000800, 1u << 11},
	{0x00040000, 1u << 12}, {0x00010000, 1u << 13}, {0x00800000, 1u << 14}, {0x00000100, 1u << 15},
	{0x10000000, 1u << 20}, {0x00200000, 1u << 23}, {0x01000000, 1u << 24}, {0x00080000, 1u << 25},
	{0x00004000, 1u << 27}, {0x02000000, 1u << 28},
};

#define NBITS(t) (sizeof t / sizeof t[0])

uint64_t scap_open_flags_to_linux(uint64_t f)
{
	/* PPM_O_RDONLY 1, PPM_O_WRONLY 2, PPM_O_RDWR 3 */
	uint64_t o = (f & 3) == 3 ? 2 : (f & 2) ? 1 : 0;
	for (size_t i = 0; i < NBITS(open_bits); i++)
		if (f & open_bits[i].ppm)
			o |= open_bits[i].lin;
	return o;
}

uint32_t scap_open_flags_from_linux(uint64_t f)
{
	uint32_t r = 0, acc = (uint32_t)f & 3;
	r |= acc == 0 ? 1u : acc == 1 ? 2u : acc == 2 ? 3u : 0u;
	for (size_t i = 0; i < NBITS(open_bits); i++)
		if (((uint32_t)f & open_bits[i].lin) == open_bits[i].lin)
			r |= open_bits[i].ppm;
	return r;
}

uint64_t scap_clone_flags_to_linux(uint64_t f)
{
	uint64_t o = 0;
	for (size_t i = 0; i < NBITS(clone_bits); i++)
		if (f & clone_bits[i].ppm)
			o |= clone_bits[i].lin;
	return o;
}

uint32_t scap_clone_flags_from_linux(uint64_t f)
{
	uint32_t r = 0;
	for (size_t i = 0; i < NBITS(clone_bits); i++)
		if ((uint32_t)f & clone_bits[i].lin)
			r |= clone_bits[i].ppm;
	return r;
}
