/* kcap bundle: captures and a manifest.json in one tar (formats/input/bundle.c). */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#ifndef _WIN32
#include <pwd.h>
#endif
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "input/bundle.h"
#include "sink.h"

static const char bundle_help[] =
	"usage: kcap bundle -o CASE.tar.zst FILE...\n"
	"\n"
	"Packs captures with a manifest.json into one tar (compressed as its name\n"
	"says: .tar.zst, .tar.gz, .tar.xz or .tar). For each file the manifest gives\n"
	"its member name, SHA-256, size, verdict (kcap verify), hosts, sources, time\n"
	"span, event count, loss counters and seal status; it also says who made the\n"
	"bundle, when and with which kcap. 'kcap verify CASE.tar.zst' checks the\n"
	"members against it; every reading command reads the bundle as its captures,\n"
	"and 'kcap info' shows the manifest too.\n"
	"\n"
	"Each FILE goes in under its name as given, which must be relative and\n"
	"without '..' (an absolute or climbing name is refused, as is one given\n"
	"twice); files are added as they are, never changed. Nothing is written but\n"
	"CASE (under a temporary name, renamed when complete).\n"
	"\n"
	"  -o, --output CASE  the bundle (required)\n"
	"  -h, --help         show this help\n"
	"\n"
	"Exit: 0 ok, 1 error, 2 usage, 3 a capture is damaged (bundled all the same,\n"
	"its verdict in the manifest).\n";

static void jstr(kcap_buf *b, const char *s)
{
	kcap_json_escape(b, s, strlen(s));
}

static void jraw(kcap_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void jraw(kcap_buf *b, const char *fmt, ...)
{
	char t[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(t, sizeof t, fmt, ap);
	va_end(ap);
	kcap_buf_append(b, t, n < (int)sizeof t ? (size_t)n : sizeof t - 1);
}

static void jlist(kcap_buf *b, char **v, size_t n)
{
	kcap_buf_append(b, "[", 1);
	for (size_t i = 0; i < n; i++) {
		if (i)
			kcap_buf_append(b, ",", 1);
		jstr(b, v[i]);
	}
	kcap_buf_append(b, "]", 1);
}

/* SHA-256 and size of the file's bytes. */
static int hash_file(const char *path, char hex[65], uint64_t *size)
{
	FILE *f = fopen(path, "rbe");
	kcap_sha256 *h = f ? kcap_sha256_new() : NULL;
	if (!h) {
		if (f) {
			fclose(f);
			const char *why = kcap_seal_unavailable_why();
			cli_err("bundle", "no SHA-256: %s", why ? why : "out of memory");
		} else {
			cli_err("bundle", "%s: %s", path, strerror(errno));
		}
		return KCAP_EXIT_ERROR;
	}
	char buf[1 << 16];
	size_t k;
	*size = 0;
	while ((k = fread(buf, 1, sizeof buf, f)) > 0) {
		kcap_sha256_update(h, buf, k);
		*size += k;
	}
	int bad = ferror(f);
	fclose(f);
	uint8_t d[32];
	kcap_sha256_final(h, d);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	if (bad) {
		cli_err("bundle", "%s: read failed", path);
		return KCAP_EXIT_ERROR;
	}
	return 0;
}

/* One file's manifest entry; *damaged set when verify finds damage. */
static int describe(kcap_buf *m, const char *path, int *damaged)
{
	char hex[65], t0[KCAP_TIME_TEXT_MAX], t1[KCAP_TIME_TEXT_MAX];
	uint64_t size;
	int rc = hash_file(path, hex, &size);
	if (rc)
		return rc;
	kcap_reader *r;
	int dmg = 0;
	if ((rc = cli_open_input("bundle", path, &r, &dmg)))
		return rc == KCAP_EXIT_DAMAGED ? KCAP_EXIT_ERROR : rc; /* not a capture */
	kcap_verify_report v;
	int n = kcap_verify(r, NULL, &v);
	if (n < 0) {
		rc = cli_read_failed("bundle", r, n);
		kcap_verify_report_free(&v);
		cli_close_input(r);
		return rc;
	}
	int bad = v.nregions || v.nseal_faults;
	*damaged |= bad;
	kcap_format_time(t0, v.first_ts);
	kcap_format_time(t1, v.last_ts);
	jraw(m, "    {\"name\":");
	jstr(m, path);
	jraw(m, ",\"sha256\":\"%s\",\"size\":%llu,\"verdict\":\"%s\",\"damaged_regions\":%zu,\"events\":%llu,", hex,
	     (unsigned long long)size, bad ? "damaged" : v.recovered ? "intact-recovered" : "intact", v.nregions,
	     (unsigned long long)v.events);
	jraw(m, "\"first_ts\":%lld,\"last_ts\":%lld,\"first_time\":\"%s\",\"last_time\":\"%s\",\"hosts\":",
	     (long long)v.first_ts, (long long)v.last_ts, t0, t1);
	jlist(m, v.hosts, v.nhosts);
	jraw(m, ",\"sources\":");
	jlist(m, v.sources, v.nsources);
	jraw(m, ",\"lost\":%llu,\"loss\":[", (unsigned long long)v.lost);
	for (size_t i = 0; i < kcap_reader_stat_count(r); i++) {
		const kcap_stat *st = kcap_reader_stat_at(r, i);
		char cpu[16];
		snprintf(cpu, sizeof cpu, st->cpu == UINT32_MAX ? "null" : "%u", st->cpu);
		jraw(m, "%s{\"origin\":%u,\"cpu\":%s,\"source\":", i ? "," : "", st->origin, cpu);
		jstr(m, st->source);
		jraw(m, ",\"seen\":%llu,\"lost\":%llu}", (unsigned long long)st->seen, (unsigned long long)st->lost);
	}
	jraw(m, "],\"seal\":{\"sealed\":%s,\"key_id\":", v.sealed ? "true" : "false");
	if (v.sealed)
		jstr(m, v.seal_key_id);
	else
		jraw(m, "null");
	jraw(m, ",\"final\":%s,\"covered_bytes\":%llu,\"holds\":%s}}", v.seal_final ? "true" : "false",
	     (unsigned long long)v.sealed_bytes, v.sealed && !v.nseal_faults ? "true" : "false");
	kcap_verify_report_free(&v);
	cli_close_input(r);
	return 0;
}

int cmd_bundle(int argc, char **argv)
{
	const char *out;
	int orc;
	if (!cli_output_only_opts("bundle", bundle_help, argc, argv, &out, &orc))
		return orc;
	int n = argc - optind;
	if (!out || !strcmp(out, "-") || n < 1) {
		cli_err("bundle", "expected -o CASE and one or more captures; see 'kcap bundle --help'");
		return KCAP_EXIT_USAGE;
	}
	char **files = argv + optind;
	struct stat so, sf;
	int have_out = stat(out, &so) == 0;
	for (int i = 0; i < n; i++) {
		const char *why = bundle_name_unsafe(files[i]);
		if (why) {
			cli_err("bundle", "%s: refused as a member name (%s); give it as a relative path below here",
				files[i], why);
			return KCAP_EXIT_USAGE;
		}
		for (int k = 0; k < i; k++)
			if (!strcmp(files[k], files[i])) {
				cli_err("bundle", "%s: given twice", files[i]);
				return KCAP_EXIT_USAGE;
			}
		if (!strcmp(files[i], BUNDLE_MANIFEST)) {
			cli_err("bundle", "%s: that name is the bundle's manifest", files[i]);
			return KCAP_EXIT_USAGE;
		}
		if (stat(files[i], &sf) || !S_ISREG(sf.st_mode)) {
			cli_err("bundle", "%s: not a regular file", files[i]);
			return KCAP_EXIT_ERROR;
		}
		if (have_out && so.st_dev == sf.st_dev && so.st_ino == sf.st_ino) {
			cli_err("bundle", "%s: the output may not be one of the inputs", out);
			return KCAP_EXIT_USAGE;
		}
	}
	bundle_file *bf = calloc((size_t)n, sizeof *bf);
	kcap_buf m = {0};
	int rc = bf ? 0 : KCAP_EXIT_ERROR, damaged = 0;
	char at[KCAP_TIME_TEXT_MAX], host[256] = "?";
	int64_t now = cli_now_ns(CLOCK_REALTIME);
	kcap_format_time(at, now);
#ifdef _WIN32 /* bundle_write refuses: no libarchive (docs/WINDOWS.md) */
	const char *user = "?";
	unsigned uid = 0;
#else
	gethostname(host, sizeof host - 1);
	struct passwd *pw = getpwuid(geteuid());
	const char *user = pw ? pw->pw_name : "?";
	unsigned uid = (unsigned)geteuid();
#endif
	jraw(&m, "{\n  \"kcap_bundle\": 1,\n  \"kcap_version\": \"%s\",\n  \"format\": \"%d.%d\",\n  \"created_at\": \"%s\",\n",
	     KCAP_VERSION_STRING, KCAP_FORMAT_MAJOR, KCAP_FORMAT_MINOR, at);
	jraw(&m, "  \"created_by\": {\"user\":");
	jstr(&m, user);
	jraw(&m, ",\"uid\":%u,\"host\":", uid);
	jstr(&m, host);
	jraw(&m, "},\n  \"files\": [\n");
	for (int i = 0; i < n && !rc; i++) {
		if (i)
			jraw(&m, ",\n");
		rc = describe(&m, files[i], &damaged);
		stat(files[i], &sf);
		bf[i].path = files[i];
		bf[i].name = files[i];
		bf[i].mtime = (int64_t)sf.st_mtime;
	}
	jraw(&m, "\n  ]\n}\n");
	if (!rc && !m.data)
		rc = KCAP_EXIT_ERROR;
	if (!rc) {
		out_file f;
		int fd = out_file_open("bundle", out, &f);
		if (fd < 0) {
			rc = KCAP_EXIT_ERROR;
		} else {
			char why[512];
			if (bundle_write(fd, out, m.data, m.len, bf, (size_t)n, now / 1000000000, why, sizeof why)) {
				cli_err("bundle", "%s: %s", out, why);
				rc = KCAP_EXIT_ERROR;
			}
			if (close(fd) && !rc) {
				out_write_failed("bundle", out, errno);
				rc = KCAP_EXIT_ERROR;
			}
			rc = out_file_end("bundle", &f, rc ? rc : damaged ? KCAP_EXIT_DAMAGED : 0);
		}
	}
	kcap_buf_free(&m);
	free(bf);
	return rc;
}
