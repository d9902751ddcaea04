/* kcap cat: concatenate captures; blocks are copied, not recompressed. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include "sink.h"

static const char cat_help[] =
	"usage: kcap cat [OPTIONS] [FILE...]\n"
	"\n"
	"Concatenates captures (or stdin) into one stream. Each input becomes its own\n"
	"section with its own metadata and schema; events blocks are copied without\n"
	"recompression. Damaged regions are reported and skipped; every intact block\n"
	"is delivered.\n"
	"\n"
	SINK_HELP_OUTPUT
CLI_JOBS_HELP
	"  -h, --help          show this help\n"
	"\n"
	"Exit: 0 ok, 1 error, 2 usage, 3 an input was damaged.\n";


/* One input into the sink: whole blocks copied when the output is kcap. */
static int cat_input(void *ud, int i, kcap_reader *r, int *damaged)
{
	sink *s = ud;
	int n, rc = 0;
	(void)i;
	(void)damaged;
	if (sink_mode(s) == OUT_KCAP) {
		const void *blk;
		size_t len;
		const kcap_block_summary *sum;
		while ((n = kcap_reader_next_raw_block(r, &blk, &len, &sum)) > 0 && !rc) {
			if (n != KCAP_RAW_EVENTS) {
				rc = sink_raw_block(s, r, blk, len, sum);
				continue;
			}
			/* a block cut short: what was recovered of it, re-encoded */
			const kcap_event *ev;
			while (!rc && kcap_reader_block_events_left(r) && (n = kcap_reader_next(r, &ev)) > 0)
				rc = sink_event(s, r, ev);
			if (n < 0)
				break;
		}
		if (n < 0)
			rc = cli_read_failed("cat", r, n);
	} else {
		rc = sink_all_events(s, "cat", r);
	}
	sink_input_done(s, r);
	return rc;
}

int cmd_cat(int argc, char **argv)
{
	static const struct option longopts[] = {
		SINK_LONGOPTS, CLI_JOBS_LONGOPT, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0},
	};
	sink_opts so = {0};
	int c, rc;
	cli_jobs_default();
	cli_getopt_start();
	while ((c = getopt_long(argc, argv, "o:t:j:h", longopts, NULL)) != -1) {
		if (c == 'h')
			return cli_help("cat", cat_help);
		if (c == 'j') {
			if (cli_jobs_opt("cat", optarg))
				return KCAP_EXIT_USAGE;
			continue;
		}
		if ((rc = cli_output_opt_last("cat", c, optarg, &so, argv, longopts, "o:t:j:h")))
			return rc;
	}
	sink *s;
	rc = sink_open(&s, "cat", &so);
	if (rc)
		return rc;
	int damaged = 0;
	cli_inputs in = {.cmd = "cat", .n = argc - optind, .files = argv + optind};
	rc = cli_each_input(&in, cat_input, s, &damaged);
	rc = sink_close(s, rc);
	return rc ? rc : damaged ? KCAP_EXIT_DAMAGED : KCAP_EXIT_OK;
}
