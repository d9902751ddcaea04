/* A program built against an installed libkcap (headers, libkcap.a and
 * kcap.pc from `cmake --install`), as a third party would build one: writes
 * N close events with the standard taxonomy, reads them back and checks
 * every one. usage: consumer FILE N; prints "ok N" and exits 0. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kcap/kcap.h>
#include <kcap/taxonomy.h>

static int fail(const char *what, int rc, const kcap_error *err)
{
	fprintf(stderr, "consumer: %s: %s (%s)\n", what, kcap_strerror(rc), err ? err->msg : "");
	return 1;
}

int main(int argc, char **argv)
{
	if (argc != 3)
		return 2;
	const char *path = argv[1];
	long n = atol(argv[2]);
	kcap_error err = {0};
	kcap_writer *w = NULL;
	kcap_schema *s = kcap_schema_new();
	kcap_meta *m = kcap_meta_new();
	int rc;
	if (!s || !m || kcap_taxonomy_schema(s) || kcap_meta_set(m, "hostname", "consumer-host"))
		return fail("setup", KCAP_E_NOMEM, NULL);
	if ((rc = kcap_writer_open_path(&w, path, NULL, &err)) < 0)
		return fail("open for writing", rc, &err);
	if ((rc = kcap_writer_add_meta(w, m)) < 0 || (rc = kcap_writer_set_schema(w, s)) < 0)
		return fail("meta/schema", rc, NULL);
	for (long i = 0; i < n; i++) {
		kcap_value v[KCAP_P_CLOSE_N_];
		memset(v, 0, sizeof v);
		v[KCAP_P_CLOSE_FD] = (kcap_value){.type = KCAP_T_FD, .present = 1, .i = 3 + i % 100};
		v[KCAP_P_CLOSE_RET] = (kcap_value){.type = KCAP_T_RET, .present = 1, .i = 0};
		kcap_event ev = {0};
		ev.seq = (uint64_t)i;
		ev.ts = 1795255200000000000LL + i * 1000;
		ev.pid = ev.tid = 4242;
		ev.type_id = KCAP_EV_CLOSE;
		ev.nparams = KCAP_P_CLOSE_N_;
		ev.params = v;
		if ((rc = kcap_writer_write(w, &ev)) < 0)
			return fail("write", rc, kcap_writer_error(w));
	}
	if ((rc = kcap_writer_close(w)) < 0)
		return fail("close", rc, NULL);
	kcap_schema_free(s);
	kcap_meta_free(m);

	kcap_reader *r = NULL;
	if ((rc = kcap_reader_open_path(&r, path, &err)) < 0)
		return fail("open for reading", rc, &err);
	const kcap_event *ev;
	long got = 0;
	while ((rc = kcap_reader_next(r, &ev)) == 1) {
		const kcap_value *fd = kcap_event_param(ev, "fd");
		if (ev->seq != (uint64_t)got || ev->pid != 4242 || !fd || fd->i != 3 + got % 100 ||
		    strcmp(ev->def->name, "close")) {
			fprintf(stderr, "consumer: event %ld differs\n", got);
			return 1;
		}
		got++;
	}
	kcap_reader_close(r);
	if (rc < 0 || got != n) {
		fprintf(stderr, "consumer: read %ld of %ld events (rc %d)\n", got, n, rc);
		return 1;
	}
	printf("ok %ld\n", got);
	return 0;
}
