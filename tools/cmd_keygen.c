/* kcap keygen: an Ed25519 key pair for sealing captures (kcap seal,
 * record --seal-key, verify --key). */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

static const char keygen_help[] =
	"usage: kcap keygen -o NAME\n"
	"\n"
	"Makes an Ed25519 key pair for sealing captures: NAME, the secret key (PEM\n"
	"PKCS#8, created with mode 0600), and NAME.pub, the public key (PEM) that\n"
	"kcap verify checks seals against (its key option). Never writes over an\n"
	"existing file. Keep NAME where only the recorder can read it; hand NAME.pub to\n"
	"whoever verifies (docs/FORENSICS.md).\n"
	"\n"
	"  -o, --output NAME  the secret key's file; the public key goes to NAME.pub\n"
	"  -h, --help         show this help\n"
	"\n"
	"Exit: 0 ok, 1 error (a file exists, cannot be written, no libcrypto), 2 usage.\n";

int cmd_keygen(int argc, char **argv)
{
	const char *out;
	int rc;
	if (!cli_output_only_opts("keygen", keygen_help, argc, argv, &out, &rc))
		return rc;
	if (!out || optind != argc) {
		cli_err("keygen", "expected -o NAME and nothing else; see 'kcap keygen --help'");
		return KCAP_EXIT_USAGE;
	}
	size_t n = strlen(out) + 5;
	char *pub = malloc(n);
	if (!pub) {
		cli_err("keygen", "out of memory");
		return KCAP_EXIT_ERROR;
	}
	snprintf(pub, n, "%s.pub", out);
	kcap_error e = {0};
	rc = kcap_seal_keygen(out, pub, &e);
	if (rc)
		cli_err("keygen", "%s", e.msg[0] ? e.msg : kcap_strerror(rc));
	free(pub);
	return rc ? KCAP_EXIT_ERROR : KCAP_EXIT_OK;
}
