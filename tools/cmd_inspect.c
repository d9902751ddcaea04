/* kcap inspect: the page of kcap report served live (docs/LOOKING.md), with
 * libmicrohttpd on 127.0.0.1 (or --listen ADDR:PORT with a token): the
 * page, and one page of events at a time from /api/events. Nothing else is
 * served: no file is ever opened from a request's path. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "report/report.h"
#ifdef KCAP_HAVE_MHD
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <unistd.h>
#include <microhttpd.h>
#include "optional_lib.h"
#endif

static const char inspect_help[] =
	"usage: kcap inspect [OPTIONS] FILE...\n"
	"\n"
	"Serves the page of kcap report about the captures on a local web server\n"
	"and prints its URL; stops on SIGINT (Ctrl-C) or SIGTERM. The page gets a\n"
	"filter box (the language of docs/FILTER.md; an error shows its column), a\n"
	"time brush on the timeline (drag; double-click clears), each process's\n"
	"events on a click, and an events table paged by the server, so a large\n"
	"capture stays responsive. Only the page and its queries are served.\n"
	"  kcap inspect host.kcap\n"
	"  kcap inspect --listen 0.0.0.0:8080 host.kcap   (token in the URL)\n"
	"\n"
	"Options:\n"
	"  -p, --port N        port on 127.0.0.1 (default 0: one the system picks)\n"
	"      --listen ADDR:PORT  listen there instead ([::1]:8080 for IPv6); every\n"
	"                      request then needs the token printed with the URL\n"
	"                      (?token=...), others get 403\n"
	"      --events N      events per page (default 100, at most 10000)\n"
	"  -n, --top N         rows of each summary table (default 10; 0: all)\n"
	"      --no-verify     do not verify the files at start\n"
	"  -h, --help          show this help\n"
	"\n"
	"Exit: 0 stopped by a signal, 1 error (the address cannot be bound), 2 usage,\n"
	"3 an input was damaged (served all the same: the page says which).\n";

#ifdef KCAP_HAVE_MHD

/* libmicrohttpd, opened when inspect starts serving (tools/optional_lib.h). */
static struct {
	struct MHD_Response *(*create_response_from_buffer)(size_t size, void *buffer, enum MHD_ResponseMemoryMode mode);
	enum MHD_Result (*add_response_header)(struct MHD_Response *r, const char *header, const char *content);
	enum MHD_Result (*queue_response)(struct MHD_Connection *c, unsigned int status, struct MHD_Response *r);
	void (*destroy_response)(struct MHD_Response *r);
	const char *(*lookup_connection_value)(struct MHD_Connection *c, enum MHD_ValueKind kind, const char *key);
	struct MHD_Daemon *(*start_daemon)(unsigned int flags, uint16_t port, MHD_AcceptPolicyCallback apc, void *apc_cls,
	                                   MHD_AccessHandlerCallback dh, void *dh_cls, ...);
	const union MHD_DaemonInfo *(*get_daemon_info)(struct MHD_Daemon *d, enum MHD_DaemonInfoType info, ...);
	void (*stop_daemon)(struct MHD_Daemon *d);
} lm;

#define MHD_SYM(f) {"MHD_" #f, &lm.f}
static const cli_libsym mhd_syms[] = {
	MHD_SYM(create_response_from_buffer), MHD_SYM(add_response_header), MHD_SYM(queue_response),
	MHD_SYM(destroy_response), MHD_SYM(lookup_connection_value), MHD_SYM(start_daemon),
	MHD_SYM(get_daemon_info), MHD_SYM(stop_daemon),
};
#undef MHD_SYM
static const char *const mhd_sonames[] = {KCAP_MHD_SONAME, "libmicrohttpd.so.12", NULL};
static const cli_optional_lib mhd_lib = {"libmicrohttpd", mhd_sonames, mhd_syms, sizeof mhd_syms / sizeof *mhd_syms};

typedef struct server {
	report *rp;
	int nfiles;
	char **files;
	kcap_buf page;
	char token[33];   /* "" on loopback without --listen */
	char hosts[3][64]; /* Host headers accepted on loopback (DNS rebinding) */
	uint64_t per;
} server;

static enum MHD_Result respond(struct MHD_Connection *c, unsigned status, const char *type, const void *p,
                               size_t n)
{
	struct MHD_Response *r = lm.create_response_from_buffer(n, (void *)p, MHD_RESPMEM_MUST_COPY);
	if (!r)
		return MHD_NO;
	lm.add_response_header(r, "Content-Type", type);
	lm.add_response_header(r, "Cache-Control", "no-store");
	lm.add_response_header(r, "X-Content-Type-Options", "nosniff");
	lm.add_response_header(r, "Referrer-Policy", "no-referrer");
	lm.add_response_header(r, "X-Frame-Options", "DENY");
	enum MHD_Result ret = lm.queue_response(c, status, r);
	lm.destroy_response(r);
	return ret;
}

static enum MHD_Result text(struct MHD_Connection *c, unsigned status, const char *msg)
{
	return respond(c, status, "text/plain; charset=utf-8", msg, strlen(msg));
}

/* Equal strings, in a time that does not depend on where they differ. */
static int same_secret(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned d = la != lb;
	for (size_t i = 0; i < la && i < lb; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return !d;
}

/* An integer argument: absent is 0 (*have 0); 0, or -1 when it is bad. */
static int arg_int(struct MHD_Connection *c, const char *name, int64_t lo, int64_t hi, int64_t *v, int *have)
{
	const char *s = lm.lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
	kcap_error e;
	*v = 0;
	if (have)
		*have = s && *s;
	if (!s || !*s)
		return 0;
	return kcap_parse_int(s, v, &e) || *v < lo || *v > hi ? -1 : 0;
}

static enum MHD_Result events(server *sv, struct MHD_Connection *c)
{
	report_q q = {.expr = lm.lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "expr"), .per = sv->per};
	int64_t from, to, pid, page, per;
	int have_per;
	if (arg_int(c, "from", 0, INT64_MAX, &from, NULL) || arg_int(c, "to", 0, INT64_MAX, &to, NULL) ||
	    arg_int(c, "pid", INT32_MIN, INT32_MAX, &pid, &q.have_pid) || arg_int(c, "page", 0, 1000000000, &page, NULL) ||
	    arg_int(c, "per", 1, 10000, &per, &have_per))
		return text(c, MHD_HTTP_BAD_REQUEST, "bad from, to, pid, page or per: integers expected\n");
	q.from = from;
	q.to = to;
	q.pid = (int32_t)pid;
	q.page = (uint64_t)page;
	if (have_per)
		q.per = (uint64_t)per;
	kcap_buf b = {0};
	if (report_query(sv->rp, sv->nfiles, sv->files, &q, &b)) {
		kcap_buf_free(&b);
		return text(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n");
	}
	enum MHD_Result ret = respond(c, MHD_HTTP_OK, "application/json", b.data, b.len);
	kcap_buf_free(&b);
	return ret;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                              const char *version, const char *upload, size_t *upload_size, void **state)
{
	server *sv = cls;
	(void)version;
	(void)upload;
	(void)upload_size;
	if (*state) { /* a body after the answer, from a client that sent one anyway: dropped */
		*upload_size = 0;
		return MHD_YES;
	}
	*state = sv; /* answered at the first call, with the headers: no request has a body */
	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "GET only\n");
	if (sv->token[0]) {
		const char *t = lm.lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "token");
		if (!t || !same_secret(t, sv->token))
			return text(c, MHD_HTTP_FORBIDDEN, "forbidden: the URL's ?token= is needed\n");
	} else {
		const char *h = lm.lookup_connection_value(c, MHD_HEADER_KIND, "Host");
		int ok = 0;
		for (int i = 0; h && i < 3 && !ok; i++)
			ok = !strcmp(h, sv->hosts[i]);
		if (!ok)
			return text(c, MHD_HTTP_FORBIDDEN, "forbidden: not a loopback Host\n");
	}
	if (!strcmp(url, "/"))
		return respond(c, MHD_HTTP_OK, "text/html; charset=utf-8", sv->page.data, sv->page.len);
	if (!strcmp(url, "/api/events"))
		return events(sv, c);
	return text(c, MHD_HTTP_NOT_FOUND, "not found\n");
}

/* ADDR:PORT or [ADDR6]:PORT into sa. 0 or -1. */
static int parse_listen(const char *s, struct sockaddr_storage *sa, int *v6)
{
	char host[64];
	const char *colon = strrchr(s, ':');
	uint64_t port;
	kcap_error e;
	if (!colon || (size_t)(colon - s) >= sizeof(host) || kcap_parse_count(colon + 1, &port, &e) || port > 65535)
		return -1;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = 0;
	memset(sa, 0, sizeof(*sa));
	size_t hl = strlen(host);
	if (hl > 2 && host[0] == '[' && host[hl - 1] == ']') {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)sa;
		host[hl - 1] = 0;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		*v6 = 1;
		return inet_pton(AF_INET6, host + 1, &a->sin6_addr) == 1 ? 0 : -1;
	}
	struct sockaddr_in *a = (struct sockaddr_in *)sa;
	a->sin_family = AF_INET;
	a->sin_port = htons((uint16_t)port);
	*v6 = 0;
	return inet_pton(AF_INET, host, &a->sin_addr) == 1 ? 0 : -1;
}

static int make_token(char out[33])
{
	uint8_t r[16];
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, r, sizeof(r)) : -1;
	if (fd >= 0)
		close(fd);
	if (n != (ssize_t)sizeof(r))
		return -1;
	for (int i = 0; i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", r[i]);
	return 0;
}

static int serve(server *sv, const char *listen, uint64_t port)
{
	struct sockaddr_storage sa;
	int v6 = 0, rc = KCAP_EXIT_ERROR, sig;
	struct MHD_Daemon *d = NULL;
	sigset_t set, old;
	char addr[80];
	if (listen) {
		if (parse_listen(listen, &sa, &v6)) {
			cli_err("inspect", "--listen '%s': expected ADDR:PORT (127.0.0.1:8080, [::1]:8080)", listen);
			return KCAP_EXIT_USAGE;
		}
		if (make_token(sv->token)) {
			cli_err("inspect", "/dev/urandom: %s", strerror(errno));
			return KCAP_EXIT_ERROR;
		}
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&sa;
		memset(&sa, 0, sizeof(sa));
		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)port);
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	}
	char why[256];
	if (cli_optional_lib_load(&mhd_lib, why, sizeof why)) {
		cli_err("inspect", "%s", why);
		return KCAP_EXIT_ERROR;
	}
	/* the server's thread starts with SIGINT and SIGTERM blocked: this
	 * thread waits for them */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	/* a thread per connection: a slow query (a rare match read to the end)
	 * does not hold up the others; each query has its own readers and
	 * filter, the report is only read */
	d = lm.start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | (v6 ? MHD_USE_IPv6 : 0), 0,
	                     NULL, NULL, handle, sv,
	                     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa, MHD_OPTION_CONNECTION_TIMEOUT, 60u,
	                     MHD_OPTION_CONNECTION_LIMIT, 32u, MHD_OPTION_END);
	if (!d) {
		cli_err("inspect", "cannot listen on %s: %s", listen ? listen : "127.0.0.1", strerror(errno));
		goto cleanup;
	}
	const union MHD_DaemonInfo *inf = lm.get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	unsigned bound = inf ? inf->port : (unsigned)port;
	if (listen) {
		snprintf(addr, sizeof(addr), "%.*s:%u", (int)(strrchr(listen, ':') - listen), listen, bound);
	} else {
		snprintf(addr, sizeof(addr), "127.0.0.1:%u", bound);
		snprintf(sv->hosts[0], sizeof(sv->hosts[0]), "127.0.0.1:%u", bound);
		snprintf(sv->hosts[1], sizeof(sv->hosts[1]), "localhost:%u", bound);
		snprintf(sv->hosts[2], sizeof(sv->hosts[2]), "[::1]:%u", bound);
	}
	printf("kcap inspect: serving %d file%s at http://%s/%s%s\n", sv->nfiles, sv->nfiles == 1 ? "" : "s", addr,
	       sv->token[0] ? "?token=" : "", sv->token);
	if (fflush(stdout) || ferror(stdout)) {
		rc = cli_finish_stdout("inspect", KCAP_EXIT_OK);
		goto cleanup;
	}
	while (sigwait(&set, &sig) != 0)
		;
	fprintf(stderr, "kcap inspect: stopped by %s\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
	rc = KCAP_EXIT_OK;
cleanup:
	if (d)
		lm.stop_daemon(d);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}
#endif

int cmd_inspect(int argc, char **argv)
{
	enum { O_EVENTS = 1000, O_NOVERIFY, O_LISTEN };
	static const struct option longopts[] = {
		{"port", required_argument, 0, 'p'},        {"listen", required_argument, 0, O_LISTEN},
		{"events", required_argument, 0, O_EVENTS}, {"top", required_argument, 0, 'n'},
		{"no-verify", no_argument, 0, O_NOVERIFY},  {"help", no_argument, 0, 'h'},
		{0, 0, 0, 0},
	};
	report_opts o = {.cmd = "inspect", .events = 100, .top = 10};
	const char *listen = NULL;
	uint64_t port = 0;
	int c, rc, damaged = 0;
	cli_getopt_start();
	while ((c = getopt_long(argc, argv, "p:n:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'h': return cli_help("inspect", inspect_help);
		case 'p':
			if (cli_opt_count("inspect", "--port", optarg, 0, 65535, &port))
				return KCAP_EXIT_USAGE;
			break;
		case O_LISTEN: listen = optarg; break;
		case O_EVENTS:
			if (cli_opt_count("inspect", "--events", optarg, 1, 10000, &o.events))
				return KCAP_EXIT_USAGE;
			break;
		case 'n':
			if (cli_opt_count("inspect", "--top", optarg, 0, UINT32_MAX, &o.top))
				return KCAP_EXIT_USAGE;
			break;
		case O_NOVERIFY: o.no_verify = 1; break;
		default: return cli_bad_option("inspect", argv, longopts, "p:n:h");
		}
	}
	if (optind >= argc) {
		cli_err("inspect", "no capture named: inspect serves the files it is given (not stdin)");
		return KCAP_EXIT_USAGE;
	}
	if (listen && port) {
		cli_err("inspect", "--port and --listen: give the port in --listen ADDR:PORT");
		return KCAP_EXIT_USAGE;
	}
	for (int i = optind; i < argc; i++)
		if (!strcmp(argv[i], "-")) {
			cli_err("inspect", "'-': inspect reads its files again for each query, so stdin cannot be one");
			return KCAP_EXIT_USAGE;
		}
#ifndef KCAP_HAVE_MHD
	(void)damaged;
	(void)rc;
	cli_err("inspect", "this kcap was built without libmicrohttpd (libmicrohttpd-dev): inspect is not available; "
	                   "kcap report writes the same page to a file");
	return KCAP_EXIT_ERROR;
#else
	server sv = {.nfiles = argc - optind, .files = argv + optind, .per = o.events};
	o.strict = sv.nfiles <= 1;
	if ((rc = report_new(&sv.rp, &o)))
		return rc;
	if ((rc = report_gather(sv.rp, sv.nfiles, sv.files, &damaged)))
		goto cleanup;
	if (report_html(sv.rp, &sv.page, 1)) {
		cli_err("inspect", "out of memory");
		rc = KCAP_EXIT_ERROR;
		goto cleanup;
	}
	rc = serve(&sv, listen, port);
cleanup:
	kcap_buf_free(&sv.page);
	report_free(sv.rp);
	if (rc)
		return rc;
	return damaged ? KCAP_EXIT_DAMAGED : KCAP_EXIT_OK;
#endif
}
