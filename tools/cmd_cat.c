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
	"Output: a kcap stream when stdout is a pipe or file, text on a terminal.\n"
	"  -o, --output FILE   write a capture to FILE instead of stdout\n"
	"      --kcap          force a kcap stream\n"
	"      --text          force one line of text per event\n"
	"      --json          force JSON lines (with a \"proc\" object: the process's\n"
	"                      exe, cmdline, cwd and parent, per origin from the\n"
	"                      snapshots and the fork/exec events seen so far)\n"
	"      --no-proc       leave the \"proc\" object out of JSON lines\n"
	"      --csv           force CSV\n"
	CLI_TIME_HELP
	"  -h, --help          show this help\n"
	"\n"
	"Exit: 0 ok, 1 error, 2 usage, 3 an input was damaged.\n";


int cmd_cat(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"output", required_argument, 0, 'o'}, {"kcap", no_argument, 0, 'K'},
		{"text", no_argument, 0, 'T'},         {"json", no_argument, 0, 'J'},
		{"csv", no_argument, 0, 'C'}, {"no-proc", no_argument, 0, 'P'},          CLI_TIME_LONGOPTS, {"help", no_argument, 0, 'h'},
		{0, 0, 0, 0},
	};
	sink_opts so = {0};
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "o:t:h", longopts, NULL)) != -1) {
		if (c == 'h') {
			fputs(cat_help, stdout);
			return cli_finish_stdout("cat", KCAP_EXIT_OK);
		}
		if (c == 't' || c == CLI_O_LOCAL || c == CLI_O_TIMEFMT) {
			if (cli_time_opt("cat", c, optarg, &so.times))
				return KCAP_EXIT_USAGE;
		} else if (cli_output_opt(c, optarg, &so) < 0) {
			return cli_bad_option("cat", argv, longopts, "o:t:h");
		}
	}
	sink *s;
	int rc = sink_open(&s, "cat", &so);
	if (rc)
		return rc;
	int damaged = 0, nin = argc - optind;
	for (int i = 0; i < (nin ? nin : 1) && !rc; i++) {
		kcap_reader *r;
		int orc = cli_open_input("cat", nin ? argv[optind + i] : NULL, &r, &damaged);
		if (orc) {
			rc = orc == KCAP_EXIT_DAMAGED ? 0 : orc;
			damaged |= orc == KCAP_EXIT_DAMAGED;
			continue;
		}
		int n;
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
		} else {
			const kcap_event *ev;
			while ((n = kcap_reader_next(r, &ev)) > 0 && !rc) {
				rc = sink_event(s, r, ev);
				cli_progress("cat", r);
			}
			cli_progress_done();
		}
		if (n < 0) {
			cli_err_kcap("cat", kcap_reader_name(r), kcap_reader_error(r));
			rc = n == KCAP_E_VERSION ? KCAP_EXIT_DAMAGED : KCAP_EXIT_ERROR;
		}
		sink_input_done(s, r);
		cli_close_input(r);
	}
	rc = sink_close(s, rc);
	return rc ? rc : damaged ? KCAP_EXIT_DAMAGED : KCAP_EXIT_OK;
}
