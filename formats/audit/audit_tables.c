/* audit_tables.c - record type names and architectures; the syscall
 * numbers are the syscall map's (kcap/syscall_map.h). */
#include "audit_tables.h"

#include <stdlib.h>
#include <string.h>

static const struct {
	uint32_t num;
	const char *name;
	size_t len;
} record_types[] = {
	{1005, "USER", 4},
	{1006, "LOGIN", 5},
	{1100, "USER_AUTH", 9},
	{1101, "USER_ACCT", 9},
	{1102, "USER_MGMT", 9},
	{1103, "CRED_ACQ", 8},
	{1104, "CRED_DISP", 9},
	{1105, "USER_START", 10},
	{1106, "USER_END", 8},
	{1107, "USER_AVC", 8},
	{1108, "USER_CHAUTHTOK", 14},
	{1109, "USER_ERR", 8},
	{1110, "CRED_REFR", 9},
	{1111, "USYS_CONFIG", 11},
	{1112, "USER_LOGIN", 10},
	{1113, "USER_LOGOUT", 11},
	{1114, "ADD_USER", 8},
	{1115, "DEL_USER", 8},
	{1116, "ADD_GROUP", 9},
	{1117, "DEL_GROUP", 9},
	{1118, "DAC_CHECK", 9},
	{1119, "CHGRP_ID", 8},
	{1120, "TEST", 4},
	{1121, "TRUSTED_APP", 11},
	{1122, "USER_SELINUX_ERR", 16},
	{1123, "USER_CMD", 8},
	{1124, "USER_TTY", 8},
	{1125, "CHUSER_ID", 9},
	{1126, "GRP_AUTH", 8},
	{1127, "SYSTEM_BOOT", 11},
	{1128, "SYSTEM_SHUTDOWN", 15},
	{1129, "SYSTEM_RUNLEVEL", 15},
	{1130, "SERVICE_START", 13},
	{1131, "SERVICE_STOP", 12},
	{1132, "GRP_MGMT", 8},
	{1133, "GRP_CHAUTHTOK", 13},
	{1134, "MAC_CHECK", 9},
	{1135, "ACCT_LOCK", 9},
	{1136, "ACCT_UNLOCK", 11},
	{1137, "USER_DEVICE", 11},
	{1138, "SOFTWARE_UPDATE", 15},
	{1200, "DAEMON_START", 12},
	{1201, "DAEMON_END", 10},
	{1202, "DAEMON_ABORT", 12},
	{1203, "DAEMON_CONFIG", 13},
	{1204, "DAEMON_RECONFIG", 15},
	{1205, "DAEMON_ROTATE", 13},
	{1206, "DAEMON_RESUME", 13},
	{1207, "DAEMON_ACCEPT", 13},
	{1208, "DAEMON_CLOSE", 12},
	{1209, "DAEMON_ERR", 10},
	{1300, "SYSCALL", 7},
	{1302, "PATH", 4},
	{1303, "IPC", 3},
	{1304, "SOCKETCALL", 10},
	{1305, "CONFIG_CHANGE", 13},
	{1306, "SOCKADDR", 8},
	{1307, "CWD", 3},
	{1309, "EXECVE", 6},
	{1311, "IPC_SET_PERM", 12},
	{1312, "MQ_OPEN", 7},
	{1313, "MQ_SENDRECV", 11},
	{1314, "MQ_NOTIFY", 9},
	{1315, "MQ_GETSETATTR", 13},
	{1316, "KERNEL_OTHER", 12},
	{1317, "FD_PAIR", 7},
	{1318, "OBJ_PID", 7},
	{1319, "TTY", 3},
	{1320, "EOE", 3},
	{1321, "BPRM_FCAPS", 10},
	{1322, "CAPSET", 6},
	{1323, "MMAP", 4},
	{1324, "NETFILTER_PKT", 13},
	{1325, "NETFILTER_CFG", 13},
	{1326, "SECCOMP", 7},
	{1327, "PROCTITLE", 9},
	{1328, "FEATURE_CHANGE", 14},
	{1329, "REPLACE", 7},
	{1330, "KERN_MODULE", 11},
	{1331, "FANOTIFY", 8},
	{1332, "TIME_INJOFFSET", 14},
	{1333, "TIME_ADJNTPVAL", 14},
	{1334, "BPF", 3},
	{1335, "EVENT_LISTENER", 14},
	{1336, "URINGOP", 7},
	{1337, "OPENAT2", 7},
	{1338, "DM_CTRL", 7},
	{1339, "DM_EVENT", 8},
	{1400, "AVC", 3},
	{1401, "SELINUX_ERR", 11},
	{1402, "AVC_PATH", 8},
	{1403, "MAC_POLICY_LOAD", 15},
	{1404, "MAC_STATUS", 10},
	{1405, "MAC_CONFIG_CHANGE", 17},
	{1406, "MAC_UNLBL_ALLOW", 15},
	{1407, "MAC_CIPSOV4_ADD", 15},
	{1408, "MAC_CIPSOV4_DEL", 15},
	{1409, "MAC_MAP_ADD", 11},
	{1410, "MAC_MAP_DEL", 11},
	{1411, "MAC_IPSEC_ADDSA", 15},
	{1412, "MAC_IPSEC_DELSA", 15},
	{1413, "MAC_IPSEC_ADDSPD", 16},
	{1414, "MAC_IPSEC_DELSPD", 16},
	{1415, "MAC_IPSEC_EVENT", 15},
	{1416, "MAC_UNLBL_STCADD", 16},
	{1417, "MAC_UNLBL_STCDEL", 16},
	{1418, "MAC_CALIPSO_ADD", 15},
	{1419, "MAC_CALIPSO_DEL", 15},
	{1500, "AA", 2},
	{1501, "APPARMOR_AUDIT", 14},
	{1502, "APPARMOR_ALLOWED", 16},
	{1503, "APPARMOR_DENIED", 15},
	{1504, "APPARMOR_HINT", 13},
	{1505, "APPARMOR_STATUS", 15},
	{1506, "APPARMOR_ERROR", 14},
	{1700, "ANOM_PROMISCUOUS", 16},
	{1701, "ANOM_ABEND", 10},
	{1702, "ANOM_LINK", 9},
	{1703, "ANOM_CREAT", 10},
	{1800, "INTEGRITY_DATA", 14},
	{1801, "INTEGRITY_METADATA", 18},
	{1802, "INTEGRITY_STATUS", 16},
	{1803, "INTEGRITY_HASH", 14},
	{1804, "INTEGRITY_PCR", 13},
	{1805, "INTEGRITY_RULE", 14},
	{1806, "INTEGRITY_EVM_XATTR", 19},
	{1807, "INTEGRITY_POLICY_RULE", 21},
	{2000, "KERNEL", 6},
	{2100, "ANOM_LOGIN_FAILURES", 19},
	{2101, "ANOM_LOGIN_TIME", 15},
	{2102, "ANOM_LOGIN_SESSIONS", 19},
	{2103, "ANOM_LOGIN_ACCT", 15},
	{2104, "ANOM_LOGIN_LOCATION", 19},
	{2105, "ANOM_MAX_DAC", 12},
	{2106, "ANOM_MAX_MAC", 12},
	{2107, "ANOM_AMTU_FAIL", 14},
	{2108, "ANOM_RBAC_FAIL", 14},
	{2109, "ANOM_RBAC_INTEGRITY_FAIL", 24},
	{2110, "ANOM_CRYPTO_FAIL", 16},
	{2111, "ANOM_ACCESS_FS", 14},
	{2112, "ANOM_EXEC", 9},
	{2113, "ANOM_MK_EXEC", 12},
	{2114, "ANOM_ADD_ACCT", 13},
	{2115, "ANOM_DEL_ACCT", 13},
	{2116, "ANOM_MOD_ACCT", 13},
	{2117, "ANOM_ROOT_TRANS", 15},
	{2118, "ANOM_LOGIN_SERVICE", 18},
	{2119, "ANOM_LOGIN_ROOT", 15},
	{2120, "ANOM_ORIGIN_FAILURES", 20},
	{2121, "ANOM_SESSION", 12},
	{2200, "RESP_ANOMALY", 12},
	{2201, "RESP_ALERT", 10},
	{2202, "RESP_KILL_PROC", 14},
	{2203, "RESP_TERM_ACCESS", 16},
	{2204, "RESP_ACCT_REMOTE", 16},
	{2205, "RESP_ACCT_LOCK_TIMED", 20},
	{2206, "RESP_ACCT_UNLOCK_TIMED", 22},
	{2207, "RESP_ACCT_LOCK", 14},
	{2208, "RESP_TERM_LOCK", 14},
	{2209, "RESP_SEBOOL", 11},
	{2210, "RESP_EXEC", 9},
	{2211, "RESP_SINGLE", 11},
	{2212, "RESP_HALT", 9},
	{2213, "RESP_ORIGIN_BLOCK", 17},
	{2214, "RESP_ORIGIN_BLOCK_TIMED", 23},
	{2215, "RESP_ORIGIN_UNBLOCK_TIMED", 25},
	{2300, "USER_ROLE_CHANGE", 16},
	{2301, "ROLE_ASSIGN", 11},
	{2302, "ROLE_REMOVE", 11},
	{2303, "LABEL_OVERRIDE", 14},
	{2304, "LABEL_LEVEL_CHANGE", 18},
	{2305, "USER_LABELED_EXPORT", 19},
	{2306, "USER_UNLABELED_EXPORT", 21},
	{2307, "DEV_ALLOC", 9},
	{2308, "DEV_DEALLOC", 11},
	{2309, "FS_RELABEL", 10},
	{2310, "USER_MAC_POLICY_LOAD", 20},
	{2311, "ROLE_MODIFY", 11},
	{2312, "USER_MAC_CONFIG_CHANGE", 22},
	{2313, "USER_MAC_STATUS", 15},
	{2400, "CRYPTO_TEST_USER", 16},
	{2401, "CRYPTO_PARAM_CHANGE_USER", 24},
	{2402, "CRYPTO_LOGIN", 12},
	{2403, "CRYPTO_LOGOUT", 13},
	{2404, "CRYPTO_KEY_USER", 15},
	{2405, "CRYPTO_FAILURE_USER", 19},
	{2406, "CRYPTO_REPLAY_USER", 18},
	{2407, "CRYPTO_SESSION", 14},
	{2408, "CRYPTO_IKE_SA", 13},
	{2409, "CRYPTO_IPSEC_SA", 15},
	{2500, "VIRT_CONTROL", 12},
	{2501, "VIRT_RESOURCE", 13},
	{2502, "VIRT_MACHINE_ID", 15},
	{2503, "VIRT_INTEGRITY_CHECK", 20},
	{2504, "VIRT_CREATE", 11},
	{2505, "VIRT_DESTROY", 12},
	{2506, "VIRT_MIGRATE_IN", 15},
	{2507, "VIRT_MIGRATE_OUT", 16},
};

uint32_t kcap_audit_type_num(const char *name, size_t len)
{
	if (len > 9 && memcmp(name, "UNKNOWN[", 8) == 0 && name[len - 1] == ']') {
		uint32_t v = 0;
		for (size_t i = 8; i < len - 1; i++) {
			if (name[i] < '0' || name[i] > '9' || v > 100000)
				return 0;
			v = v * 10 + (uint32_t)(name[i] - '0');
		}
		return v;
	}
	/* the records of syscall events first: they are most of any log */
	static const struct {
		uint32_t num;
		const char *name;
		size_t len;
	} hot[] = {{1300, "SYSCALL", 7}, {1327, "PROCTITLE", 9}, {1302, "PATH", 4}, {1307, "CWD", 3},
		   {1309, "EXECVE", 6}, {1306, "SOCKADDR", 8}, {1320, "EOE", 3}};
	for (size_t i = 0; i < sizeof hot / sizeof hot[0]; i++)
		if (hot[i].len == len && memcmp(hot[i].name, name, len) == 0)
			return hot[i].num;
	for (size_t i = 0; i < sizeof record_types / sizeof record_types[0]; i++)
		if (record_types[i].len == len && record_types[i].name[0] == name[0] &&
		    memcmp(record_types[i].name, name, len) == 0)
			return record_types[i].num;
	return 0;
}

const char *kcap_audit_type_name(uint32_t num)
{
	for (size_t i = 0; i < sizeof record_types / sizeof record_types[0]; i++)
		if (record_types[i].num == num)
			return record_types[i].name;
	return NULL;
}

int kcap_audit_type_at(size_t i, uint32_t *num, const char **name)
{
	if (i >= sizeof record_types / sizeof record_types[0])
		return 0;
	*num = record_types[i].num;
	*name = record_types[i].name;
	return 1;
}

int kcap_audit_type_is_standalone(uint32_t num)
{
	return (num >= 1100 && num <= 1299) || (num >= 2100 && num <= 2999);
}

typedef struct arch_row {
	uint32_t value;
	kcap_audit_arch arch;
	const char *name;
	kcap_arch numbers; /* whose syscall numbers it uses */
} arch_row;

static const arch_row arches[] = {
	{0xc000003e, KCAP_AUDIT_ARCH_X86_64, "x86_64", KCAP_ARCH_X86_64},
	{0x40000003, KCAP_AUDIT_ARCH_I386, "i386", KCAP_ARCH_I386},
	{0xc00000b7, KCAP_AUDIT_ARCH_AARCH64, "aarch64", KCAP_ARCH_AARCH64},
	{0x40000028, KCAP_AUDIT_ARCH_ARM, "armeb", KCAP_ARCH_UNKNOWN},
	{0x80000015, KCAP_AUDIT_ARCH_PPC64, "ppc64", KCAP_ARCH_UNKNOWN},
	{0xc0000015, KCAP_AUDIT_ARCH_PPC64LE, "ppc64le", KCAP_ARCH_UNKNOWN},
	{0x80000016, KCAP_AUDIT_ARCH_S390X, "s390x", KCAP_ARCH_UNKNOWN},
	{0xc00000f3, KCAP_AUDIT_ARCH_RISCV64, "riscv64", KCAP_ARCH_UNKNOWN},
};

kcap_audit_arch kcap_audit_arch_parse(const char *s, size_t len)
{
	char buf[24];
	uint64_t hv;
	if (len == 0 || len >= sizeof buf)
		return KCAP_AUDIT_ARCH_UNKNOWN;
	if (kcap_audit_hex_digits(s, len, &hv)) { /* as logged; no name is all hex digits */
		for (size_t i = 0; i < sizeof arches / sizeof arches[0]; i++)
			if (arches[i].value == hv)
				return arches[i].arch;
		return KCAP_AUDIT_ARCH_UNKNOWN;
	}
	memcpy(buf, s, len);
	buf[len] = 0;
	for (size_t i = 0; i < sizeof arches / sizeof arches[0]; i++)
		if (strcmp(arches[i].name, buf) == 0)
			return arches[i].arch;
	char *end;
	unsigned long v = strtoul(buf, &end, 16);
	if (*end)
		return KCAP_AUDIT_ARCH_UNKNOWN;
	for (size_t i = 0; i < sizeof arches / sizeof arches[0]; i++)
		if (arches[i].value == v)
			return arches[i].arch;
	return KCAP_AUDIT_ARCH_UNKNOWN;
}

static const arch_row *arch_of(kcap_audit_arch a)
{
	for (size_t i = 0; i < sizeof arches / sizeof arches[0]; i++)
		if (arches[i].arch == a)
			return &arches[i];
	return NULL;
}

const char *kcap_audit_arch_name(kcap_audit_arch a)
{
	const arch_row *r = arch_of(a);
	return r ? r->name : NULL;
}

kcap_arch kcap_audit_arch_kcap(kcap_audit_arch a)
{
	const arch_row *r = arch_of(a);
	return r ? r->numbers : KCAP_ARCH_UNKNOWN;
}

const char *kcap_audit_syscall_name(kcap_audit_arch a, long nr)
{
	return kcap_syscall_name(kcap_audit_arch_kcap(a), nr);
}
