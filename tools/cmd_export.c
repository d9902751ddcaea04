/* kcap export clickhouse: captures into ClickHouse over HTTP (RowBinary
 * batches, retried until acknowledged, with a state file of how far each
 * origin got), and the schema to create first (--ddl). docs/FLEET.md. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <kcap/procstate.h>
#include <kcap/rows.h>
#include "sink.h"
#ifdef KCAP_HAVE_CURL
#include <curl/curl.h>
#include "optional_lib.h"
#endif

static const char export_help[] =
	"usage: kcap export clickhouse --url http://HOST:8123 [OPTIONS] FILE...\n"
	"       kcap export clickhouse --ddl [--cluster NAME] [--on-cluster] [--table DB.T]\n"
	"\n"
	"Sends every event of the captures to ClickHouse, one row each (the columns of\n"
	"convert --tsv, docs/FLEET.md), as INSERT ... FORMAT RowBinary over HTTP. The\n"
	"events of each input are cut into batches at every --batch-th event, so that a\n"
	"batch is the same bytes whenever it is sent; a batch that fails (a shard down,\n"
	"a refused connection) is sent again after a pause that doubles up to 5 s.\n"
	"With --state, the last acknowledged (host, boot_id, seq) of every origin is\n"
	"kept in FILE after each batch, and a batch whose events were all acknowledged\n"
	"is not sent again: a rerun after a crash or kill -9 sends what is missing (at\n"
	"most the batch in flight twice, which ReplacingMergeTree deduplicates).\n"
	"\n"
	"  --url URL             ClickHouse's HTTP interface (http://HOST:8123)\n"
	"  --table DB.T          the table (default kcap.events, the Distributed table\n"
	"                        of --ddl)\n"
	"  --state FILE          how far each origin got (created; rewritten atomically)\n"
	"  --batch N             events per batch (default 100000)\n"
	"  --retries N           attempts per batch before giving up (default 60)\n"
	"  --user NAME           ClickHouse user (default: $KCAP_CLICKHOUSE_USER, else\n"
	"                        the server's default)\n"
	"  --password-file FILE  the password, the file's first line; else\n"
	"                        $KCAP_CLICKHOUSE_PASSWORD (never on the command line)\n"
	"  --no-proc             leave the proc column empty\n"
	"  --ddl                 print the schema instead: the shard-local table DB.T_local\n"
	"                        (ReplacingMergeTree, a partition per day, ordered by\n"
	"                        host, boot_id, ts, seq) and DB.T, Distributed over it,\n"
	"                        sharded by cityHash64(host, boot_id)\n"
	"  --cluster NAME        the cluster of the Distributed table (default kcap)\n"
	"  --on-cluster          CREATE ... ON CLUSTER NAME (distributed DDL)\n"
	"  -h, --help            show this help\n"
	"\n"
	"Progress is shown on a terminal. Built without libcurl, only --ddl works.\n"
	"\n"
	"Exit: 0 ok, 1 error (a batch not acknowledged after --retries), 2 usage,\n"
	"3 an input was damaged (every intact event sent).\n";

typedef struct exp_opts {
	const char *url, *table, *state, *user, *pwfile, *cluster;
	uint64_t batch, retries;
	int ddl, on_cluster, no_proc;
} exp_opts;

/* "db.t" into its two names; both must be plain identifiers. */
static int split_table(const char *t, char *db, char *name, size_t cap)
{
	const char *dot = strchr(t, '.');
	if (!dot || dot == t || !dot[1] || strchr(dot + 1, '.') || (size_t)(dot - t) >= cap || strlen(dot + 1) >= cap)
		return -1;
	for (const char *p = t; *p; p++)
		if (p != dot && !(*p == '_' || (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
			return -1;
	memcpy(db, t, (size_t)(dot - t));
	db[dot - t] = 0;
	strcpy(name, dot + 1);
	return 0;
}

static int print_ddl(const exp_opts *o, const char *db, const char *t)
{
	size_t n;
	const kcap_row_column *c = kcap_row_columns(&n);
	char on[160] = "";
	if (o->on_cluster)
		snprintf(on, sizeof on, " ON CLUSTER %s", o->cluster);
	printf("-- kcap %s: the schema of `kcap export clickhouse` (docs/FLEET.md)\n", KCAP_VERSION_STRING);
	printf("CREATE DATABASE IF NOT EXISTS %s%s;\n\n", db, on);
	printf("CREATE TABLE IF NOT EXISTS %s.%s_local%s\n(\n", db, t, on);
	for (size_t i = 0; i < n; i++)
		printf("    %s %s%s -- %s\n", c[i].name, c[i].ch_type, i + 1 < n ? "," : "", c[i].doc);
	printf(")\nENGINE = ReplacingMergeTree\nPARTITION BY toDate(toDateTime(intDiv(ts, 1000000000)))\n"
	       "ORDER BY (host, boot_id, ts, seq);\n\n");
	printf("CREATE TABLE IF NOT EXISTS %s.%s%s AS %s.%s_local\n"
	       "ENGINE = Distributed(%s, %s, %s_local, cityHash64(host, boot_id));\n",
	       db, t, on, db, t, o->cluster, db, t);
	return 0;
}

#ifdef KCAP_HAVE_CURL

/* libcurl, opened when export first posts (tools/optional_lib.h). */
static struct {
	CURLcode (*global_init)(long flags);
	void (*global_cleanup)(void);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *c, CURLoption opt, ...);
	CURLcode (*easy_perform)(CURL *c);
	CURLcode (*easy_getinfo)(CURL *c, CURLINFO info, ...);
	const char *(*easy_strerror)(CURLcode cc);
	char *(*easy_escape)(CURL *c, const char *s, int len);
	void (*free)(void *p);
	struct curl_slist *(*slist_append)(struct curl_slist *l, const char *s);
	void (*slist_free_all)(struct curl_slist *l);
	void (*easy_cleanup)(CURL *c);
} lc;

#define CURL_SYM(f) {"curl_" #f, &lc.f}
static const cli_libsym curl_syms[] = {
	CURL_SYM(global_init), CURL_SYM(global_cleanup), CURL_SYM(easy_init), CURL_SYM(easy_setopt),
	CURL_SYM(easy_perform), CURL_SYM(easy_getinfo), CURL_SYM(easy_strerror), CURL_SYM(easy_escape),
	CURL_SYM(free), CURL_SYM(slist_append), CURL_SYM(slist_free_all), CURL_SYM(easy_cleanup),
};
#undef CURL_SYM
static const char *const curl_sonames[] = {KCAP_CURL_SONAME, "libcurl.so.4", "libcurl-gnutls.so.4", NULL};
static const cli_optional_lib curl_lib = {"libcurl", curl_sonames, curl_syms, sizeof curl_syms / sizeof *curl_syms};

/* ---- the state file: one line per origin, "HOSTHEX BOOTHEX SEQ" ---- */

typedef struct origin_state {
	char *host, *boot; /* hex of the bytes */
	uint64_t acked;    /* last acknowledged seq */
	int known;         /* acked is valid */
} origin_state;

typedef struct exporter {
	exp_opts o;
	char db[128], tname[128];
	CURL *curl;
	char *post_url;
	char errbuf[CURL_ERROR_SIZE];
	kcap_buf resp;
	origin_state *st;
	size_t nst, capst;
	kcap_procstate *ps;
	const kcap_reader *ps_src;
	kcap_buf batch;
	uint64_t in_batch, sent, skipped_batches, sent_batches;
	int batch_new;      /* the batch holds an event not yet acknowledged */
	/* per origin of the current input: index into st, and max seq in batch */
	size_t *omap;
	uint64_t *omax;
	uint8_t *oin;
	size_t nomap;
} exporter;

static char *hexdup(const char *s)
{
	size_t n = strlen(s);
	char *h = malloc(2 * n + 2);
	if (!h)
		return NULL;
	for (size_t i = 0; i < n; i++)
		sprintf(h + 2 * i, "%02x", (unsigned char)s[i]);
	if (!n)
		strcpy(h, "-");
	else
		h[2 * n] = 0;
	return h;
}

static long find_state(exporter *x, const char *hh, const char *bh)
{
	for (size_t i = 0; i < x->nst; i++)
		if (!strcmp(x->st[i].host, hh) && !strcmp(x->st[i].boot, bh))
			return (long)i;
	return -1;
}

static long add_state(exporter *x, char *hh, char *bh)
{
	if (x->nst == x->capst) {
		size_t nc = x->capst ? 2 * x->capst : 16;
		origin_state *n = realloc(x->st, nc * sizeof *n);
		if (!n)
			return -1;
		x->st = n;
		x->capst = nc;
	}
	x->st[x->nst] = (origin_state){.host = hh, .boot = bh};
	return (long)x->nst++;
}

static int load_state(exporter *x)
{
	FILE *f = fopen(x->o.state, "r");
	if (!f) {
		if (errno == ENOENT)
			return 0;
		cli_err("export", "%s: %s", x->o.state, strerror(errno));
		return KCAP_EXIT_ERROR;
	}
	char line[2048];
	unsigned lineno = 0;
	int rc = 0;
	while (fgets(line, sizeof line, f)) {
		lineno++;
		char h[1024], b[1024];
		unsigned long long seq;
		char extra;
		if (line[0] == '#')
			continue;
		if (sscanf(line, "%1023s %1023s %llu %c", h, b, &seq, &extra) != 3) {
			cli_err("export", "%s: line %u: not HOST BOOT_ID SEQ (in hex, hex, decimal)", x->o.state, lineno);
			rc = KCAP_EXIT_ERROR;
			break;
		}
		char *hh = strdup(h), *bh = strdup(b);
		long i = hh && bh ? add_state(x, hh, bh) : -1;
		if (i < 0) {
			free(hh);
			free(bh);
			cli_err("export", "out of memory");
			rc = KCAP_EXIT_ERROR;
			break;
		}
		x->st[i].acked = seq;
		x->st[i].known = 1;
	}
	fclose(f);
	return rc;
}

/* Rewritten whole under a temporary name, synced and renamed, so that a
 * kill at any point leaves the old state or the new one. */
static int save_state(exporter *x)
{
	size_t n = strlen(x->o.state);
	char *tmp = malloc(n + 16);
	if (!tmp)
		return KCAP_EXIT_ERROR;
	snprintf(tmp, n + 16, "%s.tmp", x->o.state);
	FILE *f = fopen(tmp, "w");
	int ok = f != NULL;
	if (ok) {
		fprintf(f, "# kcap export clickhouse: last acknowledged seq per (host, boot_id), in hex\n");
		for (size_t i = 0; i < x->nst; i++)
			if (x->st[i].known)
				fprintf(f, "%s %s %llu\n", x->st[i].host, x->st[i].boot, (unsigned long long)x->st[i].acked);
		ok = fflush(f) == 0 && fsync(fileno(f)) == 0;
		ok = (fclose(f) == 0) && ok;
	}
	if (!ok || rename(tmp, x->o.state) != 0) {
		cli_err("export", "%s: %s", x->o.state, strerror(errno));
		unlink(tmp);
		free(tmp);
		return KCAP_EXIT_ERROR;
	}
	free(tmp);
	return 0;
}

static size_t on_body(char *p, size_t sz, size_t n, void *ud)
{
	kcap_buf *b = ud;
	if (b->len < 4096)
		kcap_buf_append(b, p, sz * n < 4096 ? sz * n : 4096);
	return sz * n;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Posts the batch until the server says 200; returns 0 or KCAP_EXIT_ERROR. */
static int post_batch(exporter *x)
{
	long wait = 100;
	for (uint64_t attempt = 1;; attempt++) {
		x->resp.len = 0;
		x->errbuf[0] = 0;
		lc.easy_setopt(x->curl, CURLOPT_POSTFIELDS, x->batch.data);
		lc.easy_setopt(x->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)x->batch.len);
		CURLcode cc = lc.easy_perform(x->curl);
		long status = 0;
		lc.easy_getinfo(x->curl, CURLINFO_RESPONSE_CODE, &status);
		if (cc == CURLE_OK && status == 200)
			return 0;
		char why[300];
		if (cc != CURLE_OK) {
			snprintf(why, sizeof why, "%s", x->errbuf[0] ? x->errbuf : lc.easy_strerror(cc));
		} else {
			size_t k = strcspn(x->resp.data ? x->resp.data : "", "\n");
			snprintf(why, sizeof why, "HTTP %ld: %.*s", status, (int)(k < 250 ? k : 250),
			         x->resp.data ? x->resp.data : "");
		}
		/* a request the server refuses as such (400: bad table, bad
		 * data) fails the same way again; anything else may pass later */
		if (attempt >= x->o.retries || status == 400 || status == 404) {
			cli_err("export", "batch of %llu events not acknowledged after %llu attempts: %s",
			        (unsigned long long)x->in_batch, (unsigned long long)attempt, why);
			return KCAP_EXIT_ERROR;
		}
		if (isatty(STDERR_FILENO) || attempt == 1)
			fprintf(stderr, "kcap export: %s; retrying\n", why);
		sleep_ms(wait);
		wait = wait * 2 > 5000 ? 5000 : wait * 2;
	}
}

/* Sends (or skips) the batch held, then records its origins as acknowledged. */
static int flush_batch(exporter *x)
{
	if (!x->in_batch)
		return 0;
	int rc = 0;
	if (x->batch_new) {
		rc = post_batch(x);
		if (!rc) {
			x->sent += x->in_batch;
			x->sent_batches++;
		}
	} else {
		x->skipped_batches++;
	}
	for (size_t o = 0; !rc && o < x->nomap; o++) {
		if (!x->oin[o])
			continue;
		origin_state *s = &x->st[x->omap[o]];
		if (!s->known || x->omax[o] > s->acked)
			s->acked = x->omax[o];
		s->known = 1;
	}
	if (!rc && x->batch_new && x->o.state)
		rc = save_state(x);
	memset(x->oin, 0, x->nomap);
	x->batch.len = 0;
	x->in_batch = 0;
	x->batch_new = 0;
	return rc;
}

/* The state entry of origin o of reader r (added when new). */
static int map_origin(exporter *x, const kcap_reader *r, uint16_t o)
{
	if (o >= x->nomap) {
		size_t nn = (size_t)o + 1;
		size_t *m = realloc(x->omap, nn * sizeof *m);
		if (m)
			x->omap = m;
		uint64_t *mx = m ? realloc(x->omax, nn * sizeof *mx) : NULL;
		if (mx)
			x->omax = mx;
		uint8_t *in = mx ? realloc(x->oin, nn) : NULL;
		if (!in)
			return -1;
		x->oin = in;
		for (size_t i = x->nomap; i < nn; i++) {
			x->omap[i] = (size_t)-1;
			x->oin[i] = 0;
		}
		x->nomap = nn;
	}
	if (x->omap[o] != (size_t)-1)
		return 0;
	const kcap_meta *m = kcap_reader_meta(r, o);
	const char *h = m ? kcap_meta_get(m, KCAP_META_HOSTNAME) : NULL, *b = m ? kcap_meta_get(m, KCAP_META_BOOT_ID) : NULL;
	char *hh = hexdup(h ? h : ""), *bh = hexdup(b ? b : "");
	if (!hh || !bh) {
		free(hh);
		free(bh);
		return -1;
	}
	long i = find_state(x, hh, bh);
	if (i >= 0) {
		free(hh);
		free(bh);
	} else if ((i = add_state(x, hh, bh)) < 0) {
		free(hh);
		free(bh);
		return -1;
	}
	x->omap[o] = (size_t)i;
	return 0;
}

static int export_input(void *ud, int i, kcap_reader *r, int *damaged)
{
	exporter *x = ud;
	(void)i;
	(void)damaged;
	const kcap_event *ev;
	int n, rc = 0;
	uint32_t section = UINT32_MAX;
	while (!rc && (n = kcap_reader_next(r, &ev)) > 0) {
		if (kcap_reader_section(r) != section) { /* origins are numbered per section */
			rc = flush_batch(x);
			section = kcap_reader_section(r);
			for (size_t k = 0; k < x->nomap; k++)
				x->omap[k] = (size_t)-1;
			if (rc)
				break;
		}
		const kcap_schema *sc = kcap_reader_schema(r);
		const kcap_procstate *ps = NULL;
		if (!x->o.no_proc) {
			if (x->ps_src != r) {
				kcap_procstate_clear(x->ps);
				x->ps_src = r;
			}
			kcap_procstate_follow(x->ps, r);
			kcap_procstate_update(x->ps, ev, sc);
			ps = x->ps;
		}
		if (map_origin(x, r, ev->origin) || kcap_render_rowbinary(&x->batch, ev, sc, ps)) {
			cli_err("export", "out of memory");
			rc = KCAP_EXIT_ERROR;
			break;
		}
		uint16_t o = ev->origin;
		const origin_state *s = &x->st[x->omap[o]];
		if (!s->known || ev->seq > s->acked)
			x->batch_new = 1;
		if (!x->oin[o] || ev->seq > x->omax[o])
			x->omax[o] = ev->seq;
		x->oin[o] = 1;
		if (++x->in_batch >= x->o.batch)
			rc = flush_batch(x);
		cli_progress("export", r);
	}
	cli_progress_done();
	if (!rc && n < 0)
		rc = cli_read_failed("export", r, n);
	/* an input's last batch ends with it, so batches never depend on
	 * which inputs came before */
	int frc = flush_batch(x);
	x->ps_src = NULL;
	return rc ? rc : frc;
}

static char *read_password(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		cli_err("export", "--password-file %s: %s", path, strerror(errno));
		return NULL;
	}
	char line[1024];
	char *p = fgets(line, sizeof line, f) ? line : (char *)"";
	fclose(f);
	p[strcspn(p, "\r\n")] = 0;
	return strdup(p);
}

static int run_export(exporter *x, int nfiles, char **files)
{
	int rc = 0, damaged = 0;
	char *pw = NULL, why[256];
	if (cli_optional_lib_load(&curl_lib, why, sizeof why)) {
		cli_err("export", "%s", why);
		return KCAP_EXIT_ERROR;
	}
	if (x->o.pwfile) {
		if (!(pw = read_password(x->o.pwfile)))
			return KCAP_EXIT_ERROR;
	} else if (getenv("KCAP_CLICKHOUSE_PASSWORD")) {
		pw = strdup(getenv("KCAP_CLICKHOUSE_PASSWORD"));
	}
	const char *user = x->o.user ? x->o.user : getenv("KCAP_CLICKHOUSE_USER");
	if (x->o.state && (rc = load_state(x)))
		goto cleanup;
	if (lc.global_init(CURL_GLOBAL_DEFAULT) || !(x->curl = lc.easy_init()) || !(x->ps = kcap_procstate_new())) {
		cli_err("export", "cannot initialize libcurl");
		rc = KCAP_EXIT_ERROR;
		goto cleanup;
	}
	char q[512];
	snprintf(q, sizeof q, "INSERT INTO %s.%s FORMAT RowBinary", x->db, x->tname);
	char *eq = lc.easy_escape(x->curl, q, 0);
	size_t ul = strlen(x->o.url) + strlen(eq) + 128;
	x->post_url = malloc(ul);
	if (!eq || !x->post_url) {
		lc.free(eq);
		cli_err("export", "out of memory");
		rc = KCAP_EXIT_ERROR;
		goto cleanup;
	}
	const char *u = x->o.url;
	size_t base = strlen(u);
	while (base && u[base - 1] == '/')
		base--;
	snprintf(x->post_url, ul, "%.*s/?query=%s&insert_distributed_sync=1&max_insert_block_size=262144", (int)base, u, eq);
	lc.free(eq);
	lc.easy_setopt(x->curl, CURLOPT_URL, x->post_url);
	lc.easy_setopt(x->curl, CURLOPT_POST, 1L);
	lc.easy_setopt(x->curl, CURLOPT_ERRORBUFFER, x->errbuf);
	lc.easy_setopt(x->curl, CURLOPT_WRITEFUNCTION, on_body);
	lc.easy_setopt(x->curl, CURLOPT_WRITEDATA, &x->resp);
	lc.easy_setopt(x->curl, CURLOPT_CONNECTTIMEOUT, 5L);
	lc.easy_setopt(x->curl, CURLOPT_NOSIGNAL, 1L);
	struct curl_slist *hdr = lc.slist_append(NULL, "Content-Type: application/octet-stream");
	lc.easy_setopt(x->curl, CURLOPT_HTTPHEADER, hdr);
	if (user)
		lc.easy_setopt(x->curl, CURLOPT_USERNAME, user);
	if (pw)
		lc.easy_setopt(x->curl, CURLOPT_PASSWORD, pw);
	cli_inputs in = {.cmd = "export", .n = nfiles, .files = files};
	rc = cli_each_input(&in, export_input, x, &damaged);
	lc.slist_free_all(hdr);
	if (!rc && damaged)
		rc = KCAP_EXIT_DAMAGED;
	if (!rc || rc == KCAP_EXIT_DAMAGED)
		fprintf(stderr, "kcap export: %llu events sent in %llu batches to %s.%s; %llu batches acknowledged before\n",
		        (unsigned long long)x->sent, (unsigned long long)x->sent_batches, x->db, x->tname,
		        (unsigned long long)x->skipped_batches);
cleanup:
	if (pw) {
		memset(pw, 0, strlen(pw));
		free(pw);
	}
	if (x->curl)
		lc.easy_cleanup(x->curl);
	lc.global_cleanup();
	kcap_procstate_free(x->ps);
	kcap_buf_free(&x->batch);
	kcap_buf_free(&x->resp);
	free(x->post_url);
	for (size_t i = 0; i < x->nst; i++) {
		free(x->st[i].host);
		free(x->st[i].boot);
	}
	free(x->st);
	free(x->omap);
	free(x->omax);
	free(x->oin);
	return rc;
}
#endif /* KCAP_HAVE_CURL */

int cmd_export(int argc, char **argv)
{
	enum { O_URL = 0x100, O_TABLE, O_STATE, O_BATCH, O_RETRIES, O_USER, O_PWFILE, O_DDL, O_CLUSTER, O_ONCL, O_NOPROC };
	static const struct option longopts[] = {
		{"url", required_argument, 0, O_URL},         {"table", required_argument, 0, O_TABLE},
		{"state", required_argument, 0, O_STATE},     {"batch", required_argument, 0, O_BATCH},
		{"retries", required_argument, 0, O_RETRIES}, {"user", required_argument, 0, O_USER},
		{"password-file", required_argument, 0, O_PWFILE}, {"ddl", no_argument, 0, O_DDL},
		{"cluster", required_argument, 0, O_CLUSTER}, {"on-cluster", no_argument, 0, O_ONCL},
		{"no-proc", no_argument, 0, O_NOPROC},        {"help", no_argument, 0, 'h'},
		{0, 0, 0, 0},
	};
	exp_opts o = {.table = "kcap.events", .cluster = "kcap", .batch = 100000, .retries = 60};
	int c;
	if (argc < 2 || (strcmp(argv[1], "clickhouse") && strcmp(argv[1], "-h") && strcmp(argv[1], "--help"))) {
		if (argc < 2)
			cli_err("export", "no target: give 'clickhouse' (kcap export clickhouse --help)");
		else
			cli_err("export", "unknown target '%s': the one target is clickhouse", argv[1]);
		return KCAP_EXIT_USAGE;
	}
	if (strcmp(argv[1], "clickhouse"))
		return cli_help("export", export_help);
	argc--;
	argv++;
	cli_getopt_start();
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case O_URL: o.url = optarg; break;
		case O_TABLE: o.table = optarg; break;
		case O_STATE: o.state = optarg; break;
		case O_BATCH:
			if (cli_opt_count("export", "--batch", optarg, 1, 10000000, &o.batch))
				return KCAP_EXIT_USAGE;
			break;
		case O_RETRIES:
			if (cli_opt_count("export", "--retries", optarg, 1, 1000000, &o.retries))
				return KCAP_EXIT_USAGE;
			break;
		case O_USER: o.user = optarg; break;
		case O_PWFILE: o.pwfile = optarg; break;
		case O_DDL: o.ddl = 1; break;
		case O_CLUSTER: o.cluster = optarg; break;
		case O_ONCL: o.on_cluster = 1; break;
		case O_NOPROC: o.no_proc = 1; break;
		case 'h': return cli_help("export", export_help);
		default: return cli_bad_option("export", argv, longopts, "h");
		}
	}
	char db[128], t[128];
	if (split_table(o.table, db, t, sizeof db)) {
		cli_bad_value("export", "--table", o.table, "expected DB.TABLE, each a plain identifier ([A-Za-z0-9_])");
		return KCAP_EXIT_USAGE;
	}
	char cl[160], cdb[128], ct[128];
	if (snprintf(cl, sizeof cl, "%s.x", o.cluster) >= (int)sizeof cl || split_table(cl, cdb, ct, sizeof cdb)) {
		cli_bad_value("export", "--cluster", o.cluster, "expected a plain identifier ([A-Za-z0-9_])");
		return KCAP_EXIT_USAGE;
	}
	if (o.ddl) {
		if (optind < argc || o.url || o.state) {
			cli_err("export", "--ddl prints the schema: it takes no inputs, --url or --state");
			return KCAP_EXIT_USAGE;
		}
		print_ddl(&o, db, t);
		return cli_finish_stdout("export", 0);
	}
	if (!o.url) {
		cli_err("export", "no --url: give ClickHouse's HTTP address (http://HOST:8123), or --ddl");
		return KCAP_EXIT_USAGE;
	}
	if (strncmp(o.url, "http://", 7) && strncmp(o.url, "https://", 8)) {
		cli_bad_value("export", "--url", o.url, "expected http://HOST:PORT or https://HOST:PORT");
		return KCAP_EXIT_USAGE;
	}
#ifdef KCAP_HAVE_CURL
	exporter x = {.o = o};
	strcpy(x.db, db);
	strcpy(x.tname, t);
	return run_export(&x, argc - optind, argv + optind);
#else
	cli_err("export", "this kcap was built without libcurl (libcurl4-openssl-dev): only --ddl works");
	return KCAP_EXIT_USAGE;
#endif
}
