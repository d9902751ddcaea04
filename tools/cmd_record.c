/* cmd_record.c - `kcap record`: picks the frontend named by --source and
 * runs it through the shared recorder (record_common.c). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "record_common.h"

static const rec_frontend *const frontends[] = {
#ifdef KCAP_HAVE_EBPF
	&rec_frontend_ebpf,
#endif
#ifdef KCAP_HAVE_AUDIT_LIVE
	&rec_frontend_audit,
#endif
#ifdef KCAP_HAVE_ETW_LIVE
	&rec_frontend_etw,
#endif
	NULL,
};

/* A frontend of another system: cannot exist in this build (exit 2). */
static const char *other_os(const char *name)
{
#ifdef _WIN32
	if (!strcmp(name, "ebpf") || !strcmp(name, "audit"))
		return "records Linux kernel events: not in the Windows build (--source etw records here)";
#else
	if (!strcmp(name, "etw"))
		return "records Windows events (ETW): it is in the Windows build, kcap.exe; "
		       "`kcap convert --from etl` reads .etl files here";
#endif
	return NULL;
}

/* Why a known frontend is missing from this build. */
static const char *unavailable(const char *name)
{
	if (!strcmp(name, "ebpf")) {
#ifdef KCAP_EBPF_UNAVAILABLE
		return "the eBPF frontend is not in this build: " KCAP_EBPF_UNAVAILABLE;
#else
		return NULL;
#endif
	}
	if (!strcmp(name, "audit"))
		return "the audit live frontend is not in this build";
	return NULL;
}

int cmd_record(int argc, char **argv)
{
	rec_opts o;
	int rc = rec_parse_opts(argc, argv, &o);
	if (rc || !o.run) {
		kcap_seal_key_free(o.seal);
		return rc;
	}
	for (size_t i = 0; frontends[i]; i++)
		if (!strcmp(frontends[i]->name, o.source)) {
			rc = rec_run(&o, frontends[i]);
			kcap_seal_key_free(o.seal);
			return rc;
		}
	kcap_seal_key_free(o.seal);
	const char *os = other_os(o.source);
	if (os) {
		cli_err("record", "--source %s %s", o.source, os);
		return KCAP_EXIT_USAGE;
	}
	const char *why = unavailable(o.source);
	if (why)
		cli_err("record", "%s; `kcap synth` writes a synthetic capture instead", why);
	else
		cli_bad_value("record", "--source", o.source, "expected a frontend: ebpf, audit, etw");
	return why ? KCAP_EXIT_ERROR : KCAP_EXIT_USAGE;
}
