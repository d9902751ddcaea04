/* kcap: one table of subcommands, dispatched by name (as git.c does). */
#include <stdio.h>
#include <string.h>
#include "cli.h"

static int cmd_help(int argc, char **argv);

static const cli_cmd commands[] = {
	{"cat", cmd_cat, "concatenate captures into one stream (copies blocks, no recompression)"},
	{"info", cmd_info, "summarize captures: metadata, time span, counts, loss, sizes"},
	{"convert", cmd_convert, "convert between kcap, JSON lines, CSV, text and audit logs"},
	{"synth", cmd_synth, "write a deterministic synthetic capture for tests and benchmarks"},
	{"filter", cmd_filter, "select events matching an expression (docs/FILTER.md), skipping blocks by index"},
	{"slice", cmd_slice, "a range of events by time (index seek), seq, head, tail or skip"},
	{"merge", cmd_merge, "merge captures chronologically (schemas united, origins kept), or --concat"},
	{"replay", cmd_replay, "emit events paced at their original timing (--speed, --max-gap), to stdout, a FIFO or a socket"},
	{"stats", cmd_stats, "summaries: top processes, programs, files, errors, peers, users, rate; or --by FIELDS"},
	{"report", cmd_report, "one self-contained HTML page: overview, timeline, process tree, summaries, events"},
	{"inspect", cmd_inspect, "the report page live on 127.0.0.1: filter box, time brush, process events, paging"},
	{"tree", cmd_tree, "the process tree: snapshot plus fork/exec/exit, each exec in order, exits, event counts"},
	{"export", cmd_export, "send captures to ClickHouse (export clickhouse), or print its schema (--ddl)"},
	{"record", cmd_record, "record kernel events (eBPF; audit with --source audit) into a capture"},
	{"verify", cmd_verify, "check captures whole: every block, index, footer and seal; a verdict per file"},
	{"recover", cmd_recover, "write a clean capture from a damaged one: every intact block and event, the loss recorded"},
	{"keygen", cmd_keygen, "make an Ed25519 key pair for sealing: NAME (secret, 0600) and NAME.pub"},
	{"seal", cmd_seal, "write a sealed copy: blocks hashed, chained and signed, so any change is named"},
	{"bundle", cmd_bundle, "pack captures and a manifest.json (hashes, hosts, span, loss, seals) into one tar"},
	{"help", cmd_help, "list subcommands, or show one's help"},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: kcap [--version] [--help] COMMAND [ARGS]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "\n'kcap COMMAND --help' shows a command's options. Exit codes: 0 ok, 1 error,\n"
		   "2 usage, 3 input damaged (intact data still delivered), 4 events lost while recording.\n");
}

static const cli_cmd *find(const char *name)
{
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static int cmd_help(int argc, char **argv)
{
	if (argc < 2) {
		usage(stdout);
		return KCAP_EXIT_OK;
	}
	const cli_cmd *c = find(argv[1]);
	if (!c) {
		cli_err("help", "unknown command '%s'", argv[1]);
		return KCAP_EXIT_USAGE;
	}
	char *args[] = {argv[1], "--help", NULL};
	return c->fn(2, args);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return KCAP_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("kcap %s (format %d.%d)\n", KCAP_VERSION_STRING, KCAP_FORMAT_MAJOR, KCAP_FORMAT_MINOR);
		return cli_finish_stdout("kcap", KCAP_EXIT_OK);
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return cli_finish_stdout("kcap", KCAP_EXIT_OK);
	}
	const cli_cmd *c = find(argv[1]);
	if (!c) {
		fprintf(stderr, "kcap: '%s' is not a kcap command; see 'kcap help'\n", argv[1]);
		return KCAP_EXIT_USAGE;
	}
	return c->fn(argc - 1, argv + 1);
}
