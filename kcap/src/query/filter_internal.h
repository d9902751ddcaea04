/*
 * filter_internal.h - the compiled form of a filter expression, shared by
 * the parser (filter_parse.c) and the evaluator (filter_eval.c).
 */
#ifndef KCAP_FILTER_INTERNAL_H
#define KCAP_FILTER_INTERNAL_H

#include "common/port.h"
#include <stdint.h>
#include <kcap/filter.h>
#include "common/common.h"
#include "query/json_field.h"

/* Fields. */
enum {
	F_SEQ, F_TS, F_PID, F_TID, F_PPID, F_CPU, F_UID, F_GID,
	F_COMM, F_TYPE, F_CATEGORY, F_HOST, F_SOURCE,
	F_PROC, F_PARENT, /* sub is one of P_* */
	F_PARAM,          /* pslot names the param; sub is one of S_* */
};
enum { P_PID, P_PPID, P_UID, P_GID, P_COMM, P_EXE, P_CWD, P_CMDLINE };
/* Sub-fields of a sockaddr param: NAME.ip, NAME.port, NAME.family; S_KEY
 * (as a slot alias only): NAME.KEY, the member KEY of the json param NAME. */
enum { S_NONE, S_IP, S_PORT, S_FAMILY, S_KEY };

enum {
	OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE,
	OP_CONTAINS, OP_ICONTAINS, OP_STARTS, OP_ENDS, OP_GLOB, OP_REGEX,
	OP_IN, OP_EXISTS,
};

enum { N_AND, N_OR, N_NOT, N_PRED };

/* A literal with every interpretation it admits, decided at compile time.
 * Which one is used depends on the type of the field met at run time. */
typedef struct flit {
	char *text;        /* unescaped, NUL-terminated */
	size_t len;
	char *lower;       /* ASCII-lowercased copy (icontains) */
	int col;
	uint8_t quoted;
	uint8_t has_num, neg;  /* integer: neg ? -mag : mag */
	uint64_t mag;
	uint8_t has_oct;       /* 0-prefixed octal (file modes) */
	uint64_t oct;
	uint8_t has_ip, ipv;   /* 4 or 16 */
	uint8_t addr[16];
	int prefix;            /* bits, = full length for a plain address */
	uint8_t has_time;
	int anchor;            /* KCAP_TIME_* */
	int64_t tval;
	uint8_t tres_ok;       /* relative: tres is tval resolved against the filter's ref */
	int64_t tres;
	uint8_t has_dur;
	int64_t dur;
	int8_t boolv;          /* -1 none, 0 false, 1 true */
	int errnum;            /* E* name: errno number, else 0 */
	int symslot;           /* symbolic (A_B|C_D): per-type resolution slot, else -1 */
	uint8_t fneg;          /* fast paths: the integer the literal stands for */
	uint64_t fmag;
} flit;

/* Fast paths for the commonest predicates (see set_fast in filter_parse.c). */
enum { FAST_NONE = 0, FAST_COMM, FAST_INT, FAST_PARAM_INT };

typedef struct fnode {
	int kind;
	struct fnode *a, *b;
	/* N_PRED */
	int field, sub, pslot, col;
	int op;
	uint8_t negate;        /* "not in", "not contains", ... */
	uint8_t fast;          /* FAST_* */
	flit *lits;
	int nlits;
	regex_t re;
	uint8_t has_re;
	/* block skipping: type set of a subtree that depends only on the event
	 * type (type/category predicates and their logic), or of the types having
	 * the param of a param predicate; cached per schema generation */
	uint8_t type_only;
	const kcap_schema *tb_schema;
	uint64_t tb_gen;
	uint8_t tbits[32];
	uint8_t tb_high;       /* some qualifying type has id >= 256 */
	/* skipping by the records' bytes: whether every type having the param
	 * has it as a string stored as is; cached per schema generation */
	const kcap_schema *raw_schema;
	uint64_t raw_gen;
	uint8_t raw_ok;
} fnode;

/* Resolution of a symbolic literal for one event type. */
typedef struct symres {
	uint8_t found;
	uint64_t value, mask;
} symres;

/* Per event type cache: param indexes per slot, symbol resolutions. */
typedef struct tcache {
	const kcap_type_def *def; /* NULL = not resolved yet */
	int16_t *pidx;            /* [nslots], -1 = type lacks the param */
	symres *sym;              /* [nsyms] */
} tcache;

struct kcap_filter {
	fnode *root;
	char *expr;
	/* param names used, by slot */
	char **slots;
	int *slot_col;  /* column of the first use */
	uint8_t *slot_alias; /* dip/dport: S_IP/S_PORT of the type's sockaddr param when it has no such param;
	                      * S_KEY: NAME.KEY, a member of the json param NAME when there is no param of the whole name */
	int nslots;
	/* symbolic literals: slot -> (predicate, literal) */
	fnode **sym_pred;
	flit **sym_lit;
	int nsyms;
	uint8_t uses_proc;
	int anchors;
	kcap_time_ref ref;     /* of relative time literals; INT64_MIN = not set */
	/* per-type caches */
	tcache *tc;
	size_t ntc;
	const kcap_schema *schema;
	uint64_t schema_gen;
	/* scratch for stringified values */
	kcap_buf scratch;
	kcap_buf rscratch; /* NUL-terminated copy for regexec */
	kcap_json_cache jc; /* the json param of the event last looked into (S_KEY) */
	kcap_block_counts bc; /* kcap_filter_block_count's decoding of a summary's counts */
	/* every node, for freeing */
	fnode **nodes;
	size_t nnodes, capnodes;
};

/* A field name resolved (kcap__field_parse): field F_*, sub P_* or S_*;
 * for F_PARAM the param name [pname, pname+plen) (after "params.", before
 * a sub-field) and alias S_IP/S_PORT for dip/dport, S_KEY for a name with a
 * dot that is no sockaddr sub-field (NAME.KEY). */
typedef struct kfield {
	int field, sub, alias;
	const char *pname;
	size_t plen;
} kfield;

/* The resolver of field names, shared by the filter and the columns of
 * CSV output. 0, or KCAP_E_NOTFOUND/KCAP_E_SYNTAX with err (column within
 * name) for names of the fixed namespaces (proc.x, parent.x). */
int kcap__field_parse(const char *name, size_t len, kfield *k, kcap_error *err);

/* Text of field name of ev (a param, sub-field, alias, proc.*, parent.*;
 * not the canonical fields) appended to b: 1, or 0 when absent. */
int kcap__field_text(kcap_buf *b, const kcap_event *ev, const kcap_schema *s, const kcap_procstate *ps,
                     const char *name);

/* Any field of the filter language (canonical ones too), as a CSV column
 * shows it (render.c): 1, or 0 when ev has no such field. */
int kcap__event_field_text(kcap_buf *b, const kcap_event *ev, const kcap_schema *s, const kcap_procstate *ps,
                           const char *name);

/* Index of the param of slot in def (aliases resolved), or -1. */
int kcap__filter_slot_index(const kcap_filter *f, int slot, const kcap_type_def *def);

/* The operator of n on a string (negate not applied). tmp: scratch for a
 * NUL-terminated copy (regex), or NULL when s[len] is already a NUL. */
int kcap__filter_match_str(const fnode *n, const char *s, size_t len, kcap_buf *tmp);

/* Resolves text, symbol names of ss joined by '|' (a leading '-' is
 * skipped), into value and mask. Returns 0, or -1 with *bad (may be NULL)
 * the offset in text of the first name ss lacks. */
int kcap__filter_syms(const kcap_symset *ss, const char *text, uint64_t *value, uint64_t *mask, size_t *bad);

/* Internal: schema generation counter (schema.c). */
uint64_t kcap_schema_generation(const kcap_schema *s);

#endif
