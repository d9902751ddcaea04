/*
 * audit_tables.h - static knowledge about Linux audit: record type numbers
 * and names, AUDIT_ARCH_* values; syscall names through the syscall map.
 * Nothing here reads the running system.
 */
#ifndef KCAP_AUDIT_TABLES_H
#define KCAP_AUDIT_TABLES_H

#include <stddef.h>
#include <stdint.h>

#include <kcap/syscall_map.h>

/* Record type number of a name ("SYSCALL" -> 1300, "UNKNOWN[1329]" -> 1329);
 * 0 when the name is not known. */
uint32_t kcap_audit_type_num(const char *name, size_t len);
/* Name of a record type number, or NULL when unknown. */
const char *kcap_audit_type_name(uint32_t num);

/* Iteration over the known record types: 1 with *num and *name for i from
 * 0, then 0. */
int kcap_audit_type_at(size_t i, uint32_t *num, const char **name);

/* 1 for record types that are always a whole event on their own (the user
 * space and daemon messages, 1100-1299 and 2100-2999). */
int kcap_audit_type_is_standalone(uint32_t num);

/* A value of 1 to 16 hex digits and nothing else (how audit logs registers
 * and arch): 1 with its value, without strtoul's wider grammar (spaces,
 * signs, 0x) that the callers fall back to for any other text; else 0. */
static inline int kcap_audit_hex_digits(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	if (n == 0 || n > 16)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned c = (unsigned char)s[i], d;
		if (c - '0' < 10)
			d = c - '0';
		else if ((c | 0x20) - 'a' < 6)
			d = (c | 0x20) - 'a' + 10;
		else
			return 0;
		v = v << 4 | d;
	}
	*out = v;
	return 1;
}

typedef enum kcap_audit_arch {
	KCAP_AUDIT_ARCH_UNKNOWN = 0,
	KCAP_AUDIT_ARCH_X86_64,
	KCAP_AUDIT_ARCH_I386,
	KCAP_AUDIT_ARCH_AARCH64,
	KCAP_AUDIT_ARCH_ARM,
	KCAP_AUDIT_ARCH_PPC64,
	KCAP_AUDIT_ARCH_PPC64LE,
	KCAP_AUDIT_ARCH_S390X,
	KCAP_AUDIT_ARCH_RISCV64,
} kcap_audit_arch;

/* Architecture of an arch= value (hex AUDIT_ARCH_* as logged, e.g.
 * "c000003e", or an ENRICHED name such as "x86_64"). */
kcap_audit_arch kcap_audit_arch_parse(const char *s, size_t len);
/* "x86_64", "i386", "aarch64", ... or NULL for UNKNOWN. */
const char *kcap_audit_arch_name(kcap_audit_arch a);

/* The syscall map's architecture for a (KCAP_ARCH_UNKNOWN for those whose
 * numbers it does not know). */
kcap_arch kcap_audit_arch_kcap(kcap_audit_arch a);
/* Syscall name for (arch, nr), or NULL when unknown (kcap_syscall_name:
 * numbers are known for x86_64, i386 and aarch64). */
const char *kcap_audit_syscall_name(kcap_audit_arch a, long nr);

#endif
