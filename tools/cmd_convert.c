/* kcap convert: kcap <-> JSON lines, CSV, text; audit logs in. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "importer.h"
#include "sink.h"

static const char convert_help[] =
	"usage: kcap convert [OPTIONS] [FILE...]\n"
	"\n"
	"Reads captures (or stdin) and writes them in another rendering, or reads JSON\n"
	"lines or Linux audit logs into a capture. A JSON line has the keys seq ts\n"
	"time pid tid ppid cpu uid gid comm type category [host source] params{...}\n"
	"proc{...}, and the first line of each origin origin{...} (its metadata);\n"
	"CSV is RFC 4180 with a header row.\n"
	"\n"
	"Input:\n";
/* then the --from line, made from the importer table (from_help) */
static const char convert_help_tail[] =
	"      --schema FILE     with --from json: take event types, metadata and the\n"
	"                        process snapshots from this capture; without it,\n"
	"                        standard types are known by name, other types are\n"
	"                        inferred from the values, and metadata and process\n"
	"                        context are rebuilt from origin{...} and proc{...}\n"
	"                        (kcap's own lines come back byte for byte)\n"
	SINK_HELP_OUTPUT SINK_HELP_ROWS
	"      --fields LIST     with --csv: the columns, comma-separated, any filter\n"
	"                        field name (proc.exe, dip, audit.auid...; default:\n"
	"                        seq,time,pid,tid,ppid,uid,gid,comm,type,category,params)\n"
	"      --level L         zstd level for kcap output, -7..22 (default 1); 0\n"
	"                        stores the blocks uncompressed\n"
	"      --block-size S    uncompressed bytes per block for kcap output (default 1M)\n"
CLI_JOBS_HELP
	"  -h, --help            show this help\n"
	"\n"
	"Exit: 0 ok, 1 error, 2 usage, 3 an input was damaged (intact events were\n"
	"still converted; each damaged region or bad line is reported on stderr).\n";

/* "--from FORMAT  kcap (default), NAME (HELP), ..., or NAME (HELP)" for
 * every importer of the table, wrapped at 78 columns: a new format is in
 * the help once it is in the table. */
static void from_help(FILE *f)
{
	const int indent = 24, width = 78;
	int col = fprintf(f, "      --from FORMAT     kcap (default),");
	for (size_t i = 0; kcap_importers[i]; i++) {
		char item[256];
		int last = !kcap_importers[i + 1];
		snprintf(item, sizeof item, "%s%s (%s)%s", last ? "or " : "", kcap_importers[i]->name,
			 kcap_importers[i]->help, last ? "" : ",");
		/* word by word, so that a long help wraps too */
		for (char *w = strtok(item, " "); w; w = strtok(NULL, " ")) {
			int n = (int)strlen(w);
			if (col + 1 + n > width)
				col = fprintf(f, "\n%*s%s", indent, "", w) - 1;
			else
				col += fprintf(f, " %s", w);
		}
	}
	fputc('\n', f);
}

static int skip_all_blocks(void *ud, const kcap_block_summary *sum)
{
	(void)ud;
	(void)sum;
	return 0;
}

/* Loads the schema, snapshots and origins of a reference capture, reading
 * only its context blocks; the origins are added to w (ids 0..n-1) and
 * copied into *refs for matching. */
static int load_schema_ref(const char *path, kcap_schema *s, kcap_writer *w, kcap_meta ***refs, size_t *nrefs)
{
	kcap_reader *r;
	int damaged = 0, rc = cli_open_input("convert", path, &r, &damaged);
	if (rc)
		return rc;
	kcap_reader_set_block_filter(r, skip_all_blocks, NULL);
	const kcap_event *ev;
	while (kcap_reader_next(r, &ev) > 0)
		;
	kcap_schema_merge(s, kcap_reader_schema(r));
	copy_snapshots(w, r);
	copy_stats(w, r); /* the events come from it: so does their loss */
	size_t n = kcap_reader_origin_count(r);
	*refs = calloc(n ? n : 1, sizeof **refs);
	for (size_t i = 0; *refs && i < n; i++) {
		const kcap_meta *m = kcap_reader_meta(r, (uint16_t)i);
		kcap_meta *c = kcap_meta_new();
		const char *k, *v;
		for (size_t j = 0; c && m && kcap_meta_at(m, j, &k, &v); j++)
			kcap_meta_set(c, k, v);
		if (c)
			kcap_writer_add_meta(w, c);
		(*refs)[(*nrefs)++] = c;
	}
	cli_close_input(r);
	return *refs ? KCAP_EXIT_OK : KCAP_EXIT_ERROR;
}

/* --schema FILE for an importer: loaded into the writer when the import
 * starts (kcap_import_ctx.prepare), in whichever thread writes. */
typedef struct ref_capture {
	const char *path;
	kcap_import_ref ref;
	int exit_rc; /* KCAP_EXIT_* of loading it */
} ref_capture;

static int prepare_ref(void *ud, kcap_writer *w)
{
	ref_capture *sr = ud;
	if (!sr->path)
		return 0;
	if (!(sr->ref.schema = kcap_schema_new())) {
		cli_err("convert", "out of memory");
		sr->exit_rc = KCAP_EXIT_ERROR;
	} else {
		sr->exit_rc = load_schema_ref(sr->path, sr->ref.schema, w, &sr->ref.origins, &sr->ref.norigins);
	}
	return sr->exit_rc ? KCAP_E_INVAL : 0;
}

static void free_ref(ref_capture *sr)
{
	for (size_t i = 0; i < sr->ref.norigins; i++)
		kcap_meta_free(sr->ref.origins[i]);
	free(sr->ref.origins);
	kcap_schema_free(sr->ref.schema);
}

static void note_line(void *ud, const char *line) { cli_err(ud, "%s", line); }

/* KCAP_EXIT_* code of an import's result; damage sets *damaged. */
static int import_exit(int irc, int *damaged)
{
	if (irc == KCAP_IMPORT_DAMAGED)
		*damaged = 1;
	return irc < 0 || irc == KCAP_IMPORT_FAILED ? KCAP_EXIT_ERROR : KCAP_EXIT_OK;
}

/* One kcap input into the sink. A part of a later format version ends the
 * input as damage, not as an error: the next input is still converted. */
static int convert_input(void *ud, int i, kcap_reader *r, int *damaged)
{
	sink *s = ud;
	(void)i;
	int rc = sink_all_events(s, "convert", r);
	if (rc == KCAP_EXIT_DAMAGED) {
		*damaged = 1;
		rc = 0;
	}
	sink_input_done(s, r);
	return rc;
}

int cmd_convert(int argc, char **argv)
{
	static const struct option longopts[] = {
		SINK_LONGOPTS, SINK_LONGOPTS_ROWS,                         {"fields", required_argument, 0, 'f'},
		{"from", required_argument, 0, 'F'},   {"schema", required_argument, 0, 'S'},
		{"level", required_argument, 0, 'L'},  {"block-size", required_argument, 0, 'B'},
		CLI_JOBS_LONGOPT, {"help", no_argument, 0, 'h'},         {0, 0, 0, 0},
	};
	sink_opts so = {0};
	const char *from = "kcap", *schema_ref = NULL;
	char **fields = NULL;
	uint64_t bs;
	int c, rc;
	cli_jobs_default();
	cli_getopt_start();
	while ((c = getopt_long(argc, argv, "o:t:j:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(convert_help, stdout);
			from_help(stdout);
			return cli_help("convert", convert_help_tail);
		case 'j':
			if (cli_jobs_opt("convert", optarg))
				return KCAP_EXIT_USAGE;
			break;
		case 'f':
			free(fields);
			fields = cli_split_fields(optarg);
			so.fields = (const char *const *)fields;
			/* every field of the filter language is a column; the names
			 * that need no schema are checked now, params per input */
			if (sink_check_fields("convert", so.fields)) {
				free(fields);
				return KCAP_EXIT_USAGE;
			}
			if (so.mode == OUT_AUTO)
				so.mode = OUT_CSV;
			break;
		case 'F': from = optarg; break;
		case 'S': schema_ref = optarg; break;
		case 'L':
			if (cli_opt_level("convert", optarg, &so.wopts)) {
				free(fields);
				return KCAP_EXIT_USAGE;
			}
			break;
		case 'B':
			if (cli_opt_size("convert", "--block-size", optarg, CLI_BLOCK_MIN, CLI_BLOCK_MAX, &bs)) {
				free(fields);
				return KCAP_EXIT_USAGE;
			}
			so.wopts.block_size = (uint32_t)bs;
			break;
		default:
			if ((rc = cli_output_opt_last("convert", c, optarg, &so, argv, longopts, "o:t:j:h"))) {
				free(fields);
				return rc;
			}
		}
	}
	const kcap_importer *imp = strcmp(from, "kcap") ? kcap_importer_find(from) : NULL;
	if (strcmp(from, "kcap") && !imp) {
		char names[256] = "kcap";
		for (size_t i = 0; kcap_importers[i]; i++)
			snprintf(names + strlen(names), sizeof names - strlen(names), ", %s", kcap_importers[i]->name);
		cli_err("convert", "--from: unknown format '%s' (%s)", from, names);
		free(fields);
		return KCAP_EXIT_USAGE;
	}
	/* An import without a rendering asked for writes a capture; with one,
	 * the import is read back as a kcap input is (import_pump below). */
	if (imp && so.mode == OUT_AUTO) {
		so.mode = OUT_KCAP;
		if ((!so.path || !strcmp(so.path, "-")) && isatty(STDOUT_FILENO)) {
			cli_err("convert", "refusing to write a binary capture to a terminal; use -o FILE");
			free(fields);
			return KCAP_EXIT_USAGE;
		}
	}
	ref_capture sref = {.path = imp && imp->takes_schema ? schema_ref : NULL};
	kcap_import_ctx ictx = {.prepare = prepare_ref, .prepare_ud = &sref, .ref = &sref.ref,
				.note = note_line, .note_ud = "convert"};
	kcap_import_pump *pump = NULL;
	sink *s;
	rc = sink_open(&s, "convert", &so);
	if (rc) {
		free(fields);
		return rc;
	}
	int damaged = 0, nin = argc - optind;
	const char *const *paths = (const char *const *)argv + optind;
	if (imp && sink_mode(s) == OUT_KCAP) {
		ictx.w = sink_writer(s);
		rc = import_exit(kcap_import_run(imp, &ictx, paths, (size_t)nin), &damaged);
		rc = sref.exit_rc ? sref.exit_rc : rc;
	} else {
		if (imp) {
			/* the importer writes a kcap stream into a pipe that is read
			 * back here, as one input */
			kcap_reader *r;
			int ifd = -1;
			int orc = kcap_import_pump_start(&pump, imp, &ictx, paths, (size_t)nin, &so.wopts, &ifd)
					  ? KCAP_EXIT_ERROR
					  : cli_open_input_fd("convert", ifd, from, &r, &damaged);
			if (orc) {
				damaged |= orc == KCAP_EXIT_DAMAGED;
				rc = orc == KCAP_EXIT_DAMAGED ? 0 : orc;
			} else {
				rc = convert_input(s, 0, r, &damaged);
				cli_close_input(r);
			}
			if (pump) {
				int irc = import_exit(kcap_import_pump_finish(pump), &damaged);
				rc = sref.exit_rc ? sref.exit_rc : rc ? rc : irc;
			}
		} else {
			cli_inputs in = {.cmd = "convert", .n = nin, .files = argv + optind};
			rc = cli_each_input(&in, convert_input, s, &damaged);
		}
	}
	rc = sink_close(s, rc);
	free_ref(&sref);
	free(fields);
	return rc ? rc : damaged ? KCAP_EXIT_DAMAGED : KCAP_EXIT_OK;
}
