/* kcap verify: is a capture whole? Every check of kcap_verify (libkcap),
 * a verdict per file. Bundles (kcap bundle) are checked against their
 * manifest (bundle.c). */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "input/bundle.h"

static const char verify_help[] =
	"usage: kcap verify [--json] [--key PUB] [-j N] [FILE...]\n"
	"\n"
	"Checks each capture (or stdin) whole, without stopping at the first fault:\n"
	"every block's header check and CRC, that every events block decodes, each\n"
	"index against its blocks, each footer against its section, that every\n"
	"section ends with its index and footer, and the seal blocks against the\n"
	"file's bytes. Prints a verdict per file: intact, or every damaged region\n"
	"with its offset, the events it held where known, and what 'kcap recover'\n"
	"would keep. Files, stdin, .gz/.zst and archive members are read alike; a\n"
	"bundle (kcap bundle) is checked against its manifest: missing, extra,\n"
	"changed and damaged members are each named.\n"
	"\n"
	"      --json      one JSON object per file (keys: file, verdict, bytes,\n"
	"                  sections, blocks, events, events_lost, unknown_loss,\n"
	"                  recovered, recovered_from, unverified_events, regions:\n"
	"                  [{offset, where, bytes, section, events_lost, events_recovered,\n"
	"                  what}], seal: {sealed, checked, seals, covered_bytes, sealed_blocks,\n"
	"                  unsealed_blocks, final, key_id, key_match, faults})\n"
	"      --key PUB   the seals must be by this public key (kcap keygen's\n"
	"                  NAME.pub): says what the seals cover and what they do not;\n"
	"                  a file not wholly covered by valid seals of PUB fails\n"
CLI_JOBS_HELP
	"  -h, --help      show this help\n"
	"\n"
	"Verdicts: intact; intact, recovered (kcap recover wrote it: its metadata\n"
	"says what was lost); unverified events (written by recover's ignore-crc\n"
	"option); damaged.\n"
	"Exit: 0 every file intact (and sealed by PUB with --key), 1 a file could\n"
	"not be read, 2 usage, 3 a file is damaged or its seal does not hold.\n";

typedef struct vopts {
	int json;
	const uint8_t *key;
} vopts;

static void json_str(kcap_buf *b, const char *s)
{
	kcap_json_escape(b, s, strlen(s));
}

/* 1 when the seal check fails the file. */
static int seal_fails(const kcap_verify_report *rep, const vopts *o)
{
	if (rep->nseal_faults)
		return 1;
	if (!o->key)
		return 0;
	return !rep->sealed || rep->seal_key_match != 1 || rep->unsealed_blocks || !rep->seal_final;
}

static const char *verdict(const kcap_verify_report *rep, const vopts *o)
{
	if (rep->nregions || seal_fails(rep, o))
		return "damaged";
	if (rep->unverified_events)
		return "unverified";
	return rep->recovered ? "intact-recovered" : "intact";
}

static void print_seal_text(const kcap_verify_report *rep, const vopts *o)
{
	if (rep->seal_unchecked) {
		printf("  seal: the file holds seal blocks, NOT checked: %s\n", kcap_seal_unavailable_why());
		return;
	}
	if (!rep->sealed) {
		if (o->key)
			printf("  seal: none: the file holds no seal block\n");
		return;
	}
	printf("  seal: %llu seals by key %s%s", (unsigned long long)rep->seals, rep->seal_key_id,
	       rep->seal_key_match == 1 ? " (the key given)" : rep->seal_key_match == 0 ? " (NOT the key given)" : "");
	if (rep->nseal_faults)
		printf("; the seal does NOT hold:");
	else if (rep->unsealed_blocks)
		printf("; they cover bytes 0..%llu (%llu blocks); %llu blocks after it are not covered",
		       (unsigned long long)rep->sealed_bytes, (unsigned long long)rep->sealed_blocks,
		       (unsigned long long)rep->unsealed_blocks);
	else if (!rep->seal_final)
		printf("; they cover bytes 0..%llu (%llu blocks); the last seal is not final: the file may have been "
		       "cut after it (a recording stopped short proves its prefix up to its last flush)",
		       (unsigned long long)rep->sealed_bytes, (unsigned long long)rep->sealed_blocks);
	else
		printf("; they cover every byte, 0..%llu (%llu blocks), the index and footer too",
		       (unsigned long long)rep->sealed_bytes, (unsigned long long)rep->sealed_blocks);
	printf("\n");
	for (size_t i = 0; i < rep->nseal_faults; i++)
		printf("  seal: %s\n", rep->seal_faults[i]);
	if (!o->key && !rep->nseal_faults)
		printf("  seal: the signatures hold for the key they name; pass --key PUB to check that it is yours\n");
}

static void print_text(const char *name, const kcap_reader *r, const kcap_verify_report *rep, const vopts *o)
{
	const char *v = verdict(rep, o);
	if (!strcmp(v, "damaged")) {
		printf("%s: damaged: %zu damaged regions", name, rep->nregions);
		if (rep->nseal_faults)
			printf(", the seal does not hold");
		else if (seal_fails(rep, o))
			printf(", not wholly covered by a seal of the key given");
		printf("; recover would keep %llu events", (unsigned long long)rep->events);
		if (rep->events_lost || rep->unknown_loss) {
			printf(" (%llu lost", (unsigned long long)rep->events_lost);
			if (rep->unknown_loss)
				printf(", and %llu regions whose loss is not known", (unsigned long long)rep->unknown_loss);
			printf(")");
		}
		printf("\n");
	} else {
		printf("%s: intact: %llu events in %llu blocks, %llu sections, %llu bytes", name,
		       (unsigned long long)rep->events, (unsigned long long)rep->events_blocks,
		       (unsigned long long)rep->sections, (unsigned long long)rep->bytes);
		if (rep->recovered)
			printf("; recovered by kcap recover from %s (kcap info shows what was lost)", rep->recovered_from);
		if (rep->unverified_events)
			printf("; %llu events unverified (recovered with --ignore-crc from blocks that failed their CRC)",
			       (unsigned long long)rep->unverified_events);
		printf("\n");
	}
	for (size_t i = 0; i < rep->nregions; i++) {
		const kcap_verify_region *g = &rep->regions[i];
		char where[1024];
		cli_describe(r, g->offset, g->bytes, g->what, where, sizeof where);
		printf("  %s", where);
		if (g->events_lost > 0)
			printf(" [%lld events lost]", (long long)g->events_lost);
		else if (g->events_lost < 0)
			printf(" [events lost: not known]");
		printf("\n");
	}
	print_seal_text(rep, o);
}

static void print_json(const char *name, const kcap_reader *r, const kcap_verify_report *rep, const vopts *o)
{
	kcap_buf b = {0};
	char num[256];
	kcap_buf_append(&b, "{\"file\":", 8);
	json_str(&b, name);
	snprintf(num, sizeof num,
		 ",\"verdict\":\"%s\",\"bytes\":%llu,\"sections\":%llu,\"blocks\":%llu,\"events\":%llu,"
		 "\"events_lost\":%llu,\"unknown_loss\":%llu,\"recovered\":%s,\"recovered_from\":",
		 verdict(rep, o), (unsigned long long)rep->bytes, (unsigned long long)rep->sections,
		 (unsigned long long)rep->blocks, (unsigned long long)rep->events, (unsigned long long)rep->events_lost,
		 (unsigned long long)rep->unknown_loss, rep->recovered ? "true" : "false");
	kcap_buf_append(&b, num, strlen(num));
	if (rep->recovered)
		json_str(&b, rep->recovered_from);
	else
		kcap_buf_append(&b, "null", 4);
	snprintf(num, sizeof num, ",\"unverified_events\":%llu,\"regions\":[", (unsigned long long)rep->unverified_events);
	kcap_buf_append(&b, num, strlen(num));
	for (size_t i = 0; i < rep->nregions; i++) {
		const kcap_verify_region *g = &rep->regions[i];
		char where[1024], lost[32];
		cli_describe(r, g->offset, g->bytes, g->what, where, sizeof where);
		if (g->events_lost >= 0)
			snprintf(lost, sizeof lost, "%lld", (long long)g->events_lost);
		else
			snprintf(lost, sizeof lost, "null");
		snprintf(num, sizeof num, "%s{\"offset\":%lld,\"bytes\":%llu,\"section\":%u,\"events_lost\":%s,"
			 "\"events_recovered\":%llu,\"where\":", i ? "," : "", (long long)g->offset,
			 (unsigned long long)g->bytes, g->section, lost, (unsigned long long)g->events_recovered);
		kcap_buf_append(&b, num, strlen(num));
		json_str(&b, where);
		kcap_buf_append(&b, ",\"what\":", 8);
		json_str(&b, g->what);
		kcap_buf_append(&b, "}", 1);
	}
	snprintf(num, sizeof num,
		 "],\"seal\":{\"sealed\":%s,\"checked\":%s,\"seals\":%llu,\"covered_bytes\":%llu,\"sealed_blocks\":%llu,"
		 "\"unsealed_blocks\":%llu,\"final\":%s,\"key_match\":%s,\"key_id\":",
		 rep->sealed || rep->seal_unchecked ? "true" : "false", rep->seal_unchecked ? "false" : "true",
		 (unsigned long long)rep->seals, (unsigned long long)rep->sealed_bytes,
		 (unsigned long long)rep->sealed_blocks, (unsigned long long)rep->unsealed_blocks,
		 rep->seal_final ? "true" : "false",
		 rep->seal_key_match < 0 ? "null" : rep->seal_key_match ? "true" : "false");
	kcap_buf_append(&b, num, strlen(num));
	if (rep->sealed)
		json_str(&b, rep->seal_key_id);
	else
		kcap_buf_append(&b, "null", 4);
	kcap_buf_append(&b, ",\"faults\":[", 11);
	for (size_t i = 0; i < rep->nseal_faults; i++) {
		if (i)
			kcap_buf_append(&b, ",", 1);
		json_str(&b, rep->seal_faults[i]);
	}
	kcap_buf_append(&b, "]}}\n", 4);
	fwrite(b.data, 1, b.len, stdout);
	kcap_buf_free(&b);
}

static void print_unreadable(const char *name, const vopts *o)
{
	if (o->json) {
		kcap_buf b = {0};
		kcap_buf_append(&b, "{\"file\":", 8);
		json_str(&b, name);
		kcap_buf_append(&b, ",\"verdict\":\"unreadable\"}\n", 25);
		fwrite(b.data, 1, b.len, stdout);
		kcap_buf_free(&b);
	} else {
		printf("%s: unreadable\n", name);
	}
}

/* A bundle against its manifest: KCAP_EXIT_OK, _DAMAGED or _ERROR, or -1
 * when path is not a bundle. */
static int verify_bundle(const char *path, const vopts *o)
{
	bundle_report rep;
	char why[512];
	int k = bundle_verify(path, o->key, &rep, why, sizeof why);
	if (k == 0)
		return -1;
	if (k < 0) {
		cli_err("verify", "%s", why);
		print_unreadable(path, o);
		bundle_report_free(&rep);
		return KCAP_EXIT_ERROR;
	}
	size_t bad = 0;
	for (size_t i = 0; i < rep.n; i++)
		bad += rep.f[i].status != BUNDLE_OK;
	if (o->json) {
		kcap_buf b = {0};
		char num[128];
		kcap_buf_append(&b, "{\"file\":", 8);
		json_str(&b, path);
		snprintf(num, sizeof num, ",\"bundle\":true,\"verdict\":\"%s\",\"members\":[", bad ? "damaged" : "intact");
		kcap_buf_append(&b, num, strlen(num));
		for (size_t i = 0; i < rep.n; i++) {
			kcap_buf_append(&b, i ? ",{\"name\":" : "{\"name\":", i ? 9 : 8);
			json_str(&b, rep.f[i].name);
			snprintf(num, sizeof num, ",\"status\":\"%s\",\"what\":", bundle_status_name(rep.f[i].status));
			kcap_buf_append(&b, num, strlen(num));
			json_str(&b, rep.f[i].what);
			kcap_buf_append(&b, "}", 1);
		}
		kcap_buf_append(&b, "]}\n", 3);
		fwrite(b.data, 1, b.len, stdout);
		kcap_buf_free(&b);
	} else {
		if (bad)
			printf("%s: bundle: damaged: %zu of %zu members do not match the manifest or are damaged\n", path, bad,
			       rep.n);
		else
			printf("%s: bundle: intact: %zu captures match the manifest, each intact\n", path, rep.members);
		for (size_t i = 0; i < rep.n; i++)
			printf("  %s: %s: %s\n", rep.f[i].name, bundle_status_name(rep.f[i].status), rep.f[i].what);
	}
	bundle_report_free(&rep);
	return bad ? KCAP_EXIT_DAMAGED : KCAP_EXIT_OK;
}

/* One input: KCAP_EXIT_OK, _DAMAGED or _ERROR. */
static int verify_one(const char *path, const vopts *o)
{
	const char *name = path && strcmp(path, "-") ? path : "(stdin)";
	if (path && strcmp(path, "-")) {
		int b = verify_bundle(path, o);
		if (b >= 0)
			return b;
	}
	kcap_reader *r;
	int damaged = 0;
	int rc = cli_open_input("verify", path, &r, &damaged);
	if (rc == KCAP_EXIT_USAGE)
		return rc;
	if (rc) {
		print_unreadable(name, o);
		return KCAP_EXIT_ERROR;
	}
	kcap_verify_report rep;
	kcap_verify_opts vo = {.key = o->key};
	int n = kcap_verify(r, &vo, &rep);
	if (n < 0) {
		cli_read_failed("verify", r, n);
		if (n != KCAP_E_VERSION) {
			print_unreadable(name, o);
			kcap_verify_report_free(&rep);
			cli_close_input(r);
			return KCAP_EXIT_ERROR;
		}
		/* a later major version: what came before was checked */
		rep.unknown_loss++;
	}
	if (o->json)
		print_json(name, r, &rep, o);
	else
		print_text(name, r, &rep, o);
	rc = rep.nregions || seal_fails(&rep, o) || n < 0 ? KCAP_EXIT_DAMAGED : KCAP_EXIT_OK;
	kcap_verify_report_free(&rep);
	cli_close_input(r);
	return rc;
}

int cmd_verify(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"json", no_argument, 0, 'J'}, {"key", required_argument, 0, 'k'}, CLI_JOBS_LONGOPT,
		{"help", no_argument, 0, 'h'},
		{0, 0, 0, 0},
	};
	vopts o = {0};
	uint8_t pub[32];
	const char *keypath = NULL;
	int c;
	cli_jobs_default();
	cli_getopt_start();
	while ((c = getopt_long(argc, argv, "j:h", longopts, NULL)) != -1) {
		if (c == 'h')
			return cli_help("verify", verify_help);
		if (c == 'J')
			o.json = 1;
		else if (c == 'j' && cli_jobs_opt("verify", optarg))
			return KCAP_EXIT_USAGE;
		else if (c == 'j')
			continue;
		else if (c == 'k')
			keypath = optarg;
		else
			return cli_bad_option("verify", argv, longopts, "j:h");
	}
	if (keypath) {
		kcap_error e = {0};
		if (kcap_seal_pubkey_load(keypath, pub, &e)) {
			cli_err("verify", "--key %s", e.msg[0] ? e.msg : kcap_strerror(e.code)); /* e.msg names the file */
			return e.code == KCAP_E_UNSUPPORTED || e.code == KCAP_E_IO ? KCAP_EXIT_ERROR : KCAP_EXIT_USAGE;
		}
		o.key = pub;
	}
	int nfiles = argc - optind, rc = KCAP_EXIT_OK;
	for (int i = 0; i < (nfiles ? nfiles : 1); i++) {
		int k = verify_one(nfiles ? argv[optind + i] : NULL, &o);
		if (k == KCAP_EXIT_USAGE)
			return k;
		if (k == KCAP_EXIT_ERROR || (k == KCAP_EXIT_DAMAGED && rc == KCAP_EXIT_OK))
			rc = k;
	}
	return cli_finish_stdout("verify", rc);
}
