/*
 * seal.c - the seal: SHA-256 of every block, chained, signed with Ed25519
 * (docs/FORMAT.md "Seal block", docs/FORENSICS.md). Hashing and signing are
 * OpenSSL's libcrypto (docs/FORENSICS.md says why), opened at first use;
 * without it the library builds and says KCAP_E_UNSUPPORTED.
 */
#include <errno.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "core/seal_internal.h"

#ifndef KCAP_HAVE_LIBCRYPTO
int kcap_seal_available(void) { return 0; }
const char *kcap_seal_unavailable_why(void) { return "this kcap was built without libcrypto"; }
static int no_crypto(kcap_error *err)
{
	return kcap_seterr(err, KCAP_E_UNSUPPORTED, -1, "this kcap was built without libcrypto: no sealing");
}
int kcap_seal_keygen(const char *path, const char *pub_path, kcap_error *err) { return no_crypto(err); }
int kcap_seal_key_load(kcap_seal_key **k, const char *path, kcap_error *err)
{
	*k = NULL;
	return no_crypto(err);
}
void kcap_seal_key_free(kcap_seal_key *k) { (void)k; }
int kcap_seal_pubkey_load(const char *path, uint8_t pub[32], kcap_error *err) { return no_crypto(err); }
kcap_sealer *kcap_sealer_new(const kcap_seal_key *k) { return NULL; }
void kcap_sealer_free(kcap_sealer *s) { (void)s; }
void kcap_sealer_begin(kcap_sealer *s, uint16_t type, uint64_t rel_off) {}
void kcap_sealer_feed(kcap_sealer *s, const void *p, size_t n) {}
void kcap_sealer_end(kcap_sealer *s) {}
void kcap_sealer_section(kcap_sealer *s) {}
int kcap_sealer_pending(const kcap_sealer *s) { return 0; }
void kcap_sealer_commit(kcap_sealer *s) {}
void kcap_seal_key_id(const uint8_t pub[32], char out[20]) { out[0] = 0; }
int kcap_sealer_build(kcap_sealer *s, kcap_buf *b, int final, const kcap_buf *const *ahead, size_t nahead)
{
	return KCAP_E_UNSUPPORTED;
}
kcap_seal_check *kcap_seal_check_new(const uint8_t *key, kcap_verify_report *rep) { return NULL; }
void kcap_seal_check_free(kcap_seal_check *c) { (void)c; }
void kcap_seal_check_block(kcap_seal_check *c, const kcap_block_info *b) {}
int kcap_seal_check_end(kcap_seal_check *c, uint64_t end, kcap_verify_report *rep) { return 0; }
kcap_sha256 *kcap_sha256_new(void) { return NULL; }
void kcap_sha256_update(kcap_sha256 *h, const void *p, size_t n) {}
void kcap_sha256_final(kcap_sha256 *h, uint8_t out[32]) { memset(out, 0, 32); }
#else
#include "seal_crypto.inc"
#endif
