/* fuzz_audit.c - libFuzzer target for the audit line parser, the
 * reassembler and the JSON form: every input line is parsed and grouped,
 * and every event's JSON must be valid JSON (checked with jansson). Then the
 * same lines go through the importer (taxonomy mapping) into a capture
 * written to /dev/null. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcntl.h>
#include <unistd.h>

#include "audit/audit_import.h"
#include "audit/audit_json.h"
#include "audit/audit_reassemble.h"
#include "audit/audit_record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int check_event(void *ud, const kcap_audit_event *ev)
{
	kcap_buf *b = ud;
	b->len = 0;
	if (kcap_audit_event_json(b, ev) < 0)
		return -1;
	json_error_t je;
	json_t *j = json_loadb(b->data, b->len, 0, &je);
	if (!j) { /* the importer must never write invalid JSON */
		fprintf(stderr, "invalid JSON (%s at %d): %.*s\n", je.text, je.position, (int)b->len, b->data);
		abort();
	}
	json_decref(j);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	kcap_buf b = {0};
	kcap_audit_reasm_opts o = {.max_pending = 4};
	kcap_audit_reasm *ra = kcap_audit_reasm_new(&o, check_event, &b);
	if (!ra)
		return 0;
	const char *p = (const char *)data, *end = p + size;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		kcap_audit_record *rec;
		kcap_error pe;
		if (kcap_audit_record_parse(p, n, &rec, &pe) == 0)
			kcap_audit_reasm_push(ra, rec);
		p += n + 1;
	}
	kcap_audit_reasm_flush(ra);
	kcap_audit_reasm_free(ra);
	free(b.data);

	/* the importer phase on the first 4 KiB only: it builds a whole schema
	 * per input, which would dominate the replay ctest */
	if (size > 4096)
		end = (const char *)data + 4096;
	int fd = open("/dev/null", O_WRONLY);
	kcap_writer *w;
	kcap_audit_import *imp;
	if (fd < 0 || kcap_writer_open_fd(&w, fd, 1, NULL, NULL) < 0)
		return 0;
	if (kcap_audit_import_new(&imp, w) == 0) {
		for (p = (const char *)data; p < end;) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
			kcap_error pe;
			int rc = kcap_audit_import_line(imp, p, n, &pe);
			if (rc < 0 && rc != KCAP_E_SYNTAX)
				abort(); /* only a writer failure may stop an import */
			p += n + 1;
		}
		kcap_audit_import_finish(imp);
		kcap_audit_import_free(imp);
	}
	kcap_writer_close(w);
	return 0;
}
