/* kcap seal: a sealed copy of a capture (kcap_writer_set_seal). */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "sink.h"

static const char seal_help[] =
	"usage: kcap seal IN -o OUT --key KEY\n"
	"\n"
	"Writes a sealed copy of IN (or stdin with '-'; .gz, .zst and archives too):\n"
	"its blocks copied as they are, followed in each section by a seal block\n"
	"holding the SHA-256 of every block before it, chained, and an Ed25519\n"
	"signature by KEY (kcap keygen) over them; the last seal of a section also\n"
	"covers its index and footer. Removing, reordering or changing any block is\n"
	"then detected by 'kcap verify --key KEY.pub', which names the block. IN is\n"
	"never modified. A damaged IN is refused: recover it first (kcap recover),\n"
	"so that a seal never vouches for a damaged copy.\n"
	"\n"
	"  -o, --output OUT  the sealed copy (required)\n"
	"  -k, --key KEY     the secret key (PEM), as kcap keygen writes it\n"
	"  -h, --help        show this help\n"
	"\n"
	"Exit: 0 ok, 1 error, 2 usage, 3 IN is damaged (nothing written).\n";

static int seal_input(void *ud, int i, kcap_reader *r, int *damaged)
{
	sink *s = ud;
	int n, rc = 0;
	const void *blk;
	size_t len;
	const kcap_block_summary *sum;
	(void)i;
	while (!rc && !*damaged && (n = kcap_reader_next_raw_block(r, &blk, &len, &sum)) > 0) {
		if (n == KCAP_RAW_EVENTS) { /* only damaged blocks come as events */
			*damaged = 1;
			break;
		}
		rc = sink_raw_block(s, r, blk, len, sum);
	}
	if (n < 0 && !rc)
		rc = cli_read_failed("seal", r, n);
	sink_input_done(s, r);
	return rc;
}

int cmd_seal(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"output", required_argument, 0, 'o'}, {"key", required_argument, 0, 'k'},
		{"help", no_argument, 0, 'h'}, {0, 0, 0, 0},
	};
	const char *out = NULL, *key = NULL;
	int c;
	cli_getopt_start();
	while ((c = getopt_long(argc, argv, "o:k:h", longopts, NULL)) != -1) {
		if (c == 'h')
			return cli_help("seal", seal_help);
		if (c == 'o')
			out = optarg;
		else if (c == 'k')
			key = optarg;
		else
			return cli_bad_option("seal", argv, longopts, "o:k:h");
	}
	if (argc - optind != 1 || !out || !key) {
		cli_err("seal", "expected one input, -o OUT and --key KEY; see 'kcap seal --help'");
		return KCAP_EXIT_USAGE;
	}
	struct stat a, b;
	if (strcmp(argv[optind], "-") && stat(argv[optind], &a) == 0 && stat(out, &b) == 0 && a.st_dev == b.st_dev &&
	    a.st_ino == b.st_ino) {
		cli_err("seal", "%s: the output must be a file other than the input", out);
		return KCAP_EXIT_USAGE;
	}
	kcap_seal_key *k = NULL;
	kcap_error e = {0};
	if (kcap_seal_key_load(&k, key, &e)) {
		cli_err("seal", "--key %s", e.msg);
		return e.code == KCAP_E_INVAL ? KCAP_EXIT_USAGE : KCAP_EXIT_ERROR;
	}
	sink_opts so = {.mode = OUT_KCAP, .path = out, .seal = k};
	sink *s;
	int rc = sink_open(&s, "seal", &so);
	if (!rc) {
		int damaged = 0;
		cli_inputs in = {.cmd = "seal", .n = 1, .files = argv + optind};
		rc = cli_each_input(&in, seal_input, s, &damaged);
		if (!rc && damaged) {
			cli_err("seal", "%s is damaged: nothing sealed (kcap recover it first)", argv[optind]);
			rc = KCAP_EXIT_DAMAGED;
		}
		/* a damaged input leaves no output: a seal must not vouch for it */
		rc = sink_close(s, rc == KCAP_EXIT_DAMAGED ? KCAP_EXIT_ERROR : rc);
		if (rc == KCAP_EXIT_ERROR && damaged)
			rc = KCAP_EXIT_DAMAGED;
	}
	kcap_seal_key_free(k);
	return rc;
}
