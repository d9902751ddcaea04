/* kcap report: one self-contained HTML page of captures (tools/report/,
 * docs/LOOKING.md): overview, timeline, process tree, stats tables and the
 * first events of an expression. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "report/report.h"

static const char report_help[] =
	"usage: kcap report [OPTIONS] -o FILE.html [FILE...]\n"
	"\n"
	"Writes one self-contained HTML page about the captures (or stdin): no\n"
	"network, no other file, readable in any browser without script. It holds\n"
	"  the overview   files, hosts, sources, span, counts by type, loss, and\n"
	"                 each file's verify verdict and seal (kcap verify)\n"
	"  a timeline     events per second by category (inline SVG), loss marked\n"
	"  the processes  the tree of kcap tree, each process collapsible\n"
	"  the events     the first --events N events matching -e EXPR\n"
	"  summaries      the tables of kcap stats (--top N rows each)\n"
	"The data is also in the page as one JSON object (docs/LOOKING.md).\n"
	"  kcap report -o case.html host.kcap\n"
	"  kcap report -e 'ret < 0' --events 500 -o errors.html host.kcap\n"
	"\n"
	"Options:\n"
	"  -o, --output FILE   the page (\"-\": stdout); written whole or not at all\n"
	"  -e, --filter EXPR   the events listed are those matching EXPR\n"
	"                      (docs/FILTER.md); the rest of the page shows them all\n"
	"      --events N      events listed (default 100; 0: none)\n"
	"  -n, --top N         rows of each summary table (default 10; 0: all)\n"
	"      --no-verify     do not verify the files (no second read)\n"
	"  -h, --help          show this help\n"
	"\n"
	"Exit: 0 ok, 1 error, 2 usage or bad expression, 3 an input was damaged\n"
	"(the page shows every intact event and says which file was damaged).\n";

/* Writes b to path whole: a temporary file beside it, renamed at the end. */
static int write_whole(const char *path, const kcap_buf *b)
{
	if (!strcmp(path, "-")) {
		fwrite(b->data, 1, b->len, stdout);
		return cli_finish_stdout("report", KCAP_EXIT_OK);
	}
	size_t l = strlen(path);
	char *tmp = malloc(l + 16);
	int rc = KCAP_EXIT_ERROR;
	FILE *f = NULL;
	if (!tmp) {
		cli_err("report", "out of memory");
		return KCAP_EXIT_ERROR;
	}
	snprintf(tmp, l + 16, "%s.tmp%ld", path, (long)getpid());
	if (!(f = fopen(tmp, "wb"))) {
		cli_err("report", "%s: %s", tmp, strerror(errno));
		goto cleanup;
	}
	if (fwrite(b->data, 1, b->len, f) != b->len || fflush(f) || ferror(f)) {
		cli_err("report", "%s: %s", path, strerror(errno));
		goto cleanup;
	}
	if (fclose(f)) {
		f = NULL;
		cli_err("report", "%s: %s", path, strerror(errno));
		goto cleanup;
	}
	f = NULL;
#ifdef _WIN32
	remove(path); /* rename does not replace a file there */
#endif
	if (rename(tmp, path)) {
		cli_err("report", "%s: %s", path, strerror(errno));
		goto cleanup;
	}
	rc = KCAP_EXIT_OK;
cleanup:
	if (f)
		fclose(f);
	if (rc)
		remove(tmp);
	free(tmp);
	return rc;
}

int cmd_report(int argc, char **argv)
{
	enum { O_EVENTS = 1000, O_NOVERIFY };
	static const struct option longopts[] = {
		{"output", required_argument, 0, 'o'}, {"filter", required_argument, 0, 'e'},
		{"events", required_argument, 0, O_EVENTS}, {"top", required_argument, 0, 'n'},
		{"no-verify", no_argument, 0, O_NOVERIFY}, {"help", no_argument, 0, 'h'},
		{0, 0, 0, 0},
	};
	report_opts o = {.cmd = "report", .events = 100, .top = 10};
	const char *out = NULL;
	int c, rc, damaged = 0;
	report *rp = NULL;
	kcap_buf page = {0};
	cli_getopt_start();
	while ((c = getopt_long(argc, argv, "o:e:n:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'h': return cli_help("report", report_help);
		case 'o': out = optarg; break;
		case 'e': o.expr = optarg; break;
		case O_EVENTS:
			if (cli_opt_count("report", "--events", optarg, 0, 10000000, &o.events))
				return KCAP_EXIT_USAGE;
			break;
		case 'n':
			if (cli_opt_count("report", "--top", optarg, 0, UINT32_MAX, &o.top))
				return KCAP_EXIT_USAGE;
			break;
		case O_NOVERIFY: o.no_verify = 1; break;
		default: return cli_bad_option("report", argv, longopts, "o:e:n:h");
		}
	}
	if (!out) {
		cli_err("report", "-o FILE is required (\"-o -\" writes the page to stdout)");
		return KCAP_EXIT_USAGE;
	}
	o.strict = argc - optind <= 1;
	if ((rc = report_new(&rp, &o)))
		return rc;
	if ((rc = report_gather(rp, argc - optind, argv + optind, &damaged)))
		goto cleanup;
	if (report_html(rp, &page, 0)) {
		cli_err("report", "out of memory");
		rc = KCAP_EXIT_ERROR;
		goto cleanup;
	}
	rc = write_whole(out, &page);
cleanup:
	kcap_buf_free(&page);
	report_free(rp);
	if (rc)
		return rc;
	return damaged ? KCAP_EXIT_DAMAGED : KCAP_EXIT_OK;
}
