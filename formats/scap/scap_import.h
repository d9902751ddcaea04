/* scap_import.h - the scap importer's core (scap_import.c), for the importer
 * table and for tests that look at what it counted. */
#ifndef KCAP_SCAP_IMPORT_H
#define KCAP_SCAP_IMPORT_H

#include <stdint.h>
#include "importer.h"

typedef struct kcap_scap_stats {
	uint64_t blocks;         /* blocks read whole */
	uint64_t events;         /* event blocks */
	uint64_t unknown_events; /* of codes the table does not know: skipped */
	uint64_t state_only;     /* EVF flag 1: used for state, not written */
	uint64_t paired;         /* enter/exit pairs written as one event */
	uint64_t containers;     /* container events */
	uint64_t unknown_blocks; /* skipped by their length */
	uint64_t options_blocks; /* section headers with options */
	uint64_t iflists;
	uint64_t threads, fds, users, groups; /* entries of the lists */
	uint64_t damaged;        /* damaged regions stepped over */
	uint64_t disordered;     /* events that came after a newer one */
	uint64_t unordered;      /* of those, written out of order */
	uint32_t shb_minor;
} kcap_scap_stats;

typedef struct kcap_scap_import kcap_scap_import;

/* Starts an import into c->w (schema and origin written as needed). */
int kcap_scap_import_new(kcap_scap_import **r, const kcap_import_ctx *c);
/* Reads one capture from fd (name for notes). Returns 0, KCAP_IMPORT_DAMAGED
 * (regions noted with their offsets and skipped), KCAP_IMPORT_FAILED or a
 * negative KCAP_E_* code. */
int kcap_scap_import_fd(kcap_scap_import *r, int fd, const char *name);
/* Writes what is held (unpaired enters, the reorder window, counters). */
int kcap_scap_import_finish(kcap_scap_import *r);
const kcap_scap_stats *kcap_scap_import_stats(const kcap_scap_import *r);
void kcap_scap_import_free(kcap_scap_import *r);

#endif
