/*
 * core/seal_internal.h - the seal (docs/FORMAT.md "Seal block"), between
 * the writer that emits seal blocks, verify that checks them, and seal.c
 * that hashes and signs (OpenSSL's libcrypto, when found).
 */
#ifndef KCAP_SEAL_INTERNAL_H
#define KCAP_SEAL_INTERNAL_H

#include "core/core.h"

#define KCAP_SEAL_VERSION 1
#define KCAP_SEAL_FINAL 1u /* seal flags: covers the index and footer that follow */
#define KCAP_SEAL_SIG_LEN 64
#define KCAP_SEAL_PUB_LEN 32

/* ---- writing (writer.c) ---- */
typedef struct kcap_sealer kcap_sealer;
/* A sealer for one writer; NULL out of memory (or without libcrypto). */
kcap_sealer *kcap_sealer_new(const kcap_seal_key *k);
void kcap_sealer_free(kcap_sealer *s);
/* A structure the writer starts (a section header: type 0) at rel_off
 * in its section, then its bytes, then its end. */
void kcap_sealer_begin(kcap_sealer *s, uint16_t type, uint64_t rel_off);
void kcap_sealer_feed(kcap_sealer *s, const void *p, size_t n);
void kcap_sealer_end(kcap_sealer *s);
/* A new section begins (before its header is fed). */
void kcap_sealer_section(kcap_sealer *s);
/* 1 when blocks were written since the last seal. */
int kcap_sealer_pending(const kcap_sealer *s);
/* The body of the next seal block into b: it covers every structure since
 * the last seal and, final, the blocks ahead (their whole bytes, in order:
 * the index and footer that will follow it). */
int kcap_sealer_build(kcap_sealer *s, kcap_buf *b, int final, const kcap_buf *const *ahead, size_t nahead);
/* The seal built last was written: the next one starts after it. */
void kcap_sealer_commit(kcap_sealer *s);
/* Hex of the first 8 bytes of SHA-256(pub): how reports name a key. */
void kcap_seal_key_id(const uint8_t pub[32], char out[20]);

/* ---- checking (verify.c) ---- */
typedef struct kcap_seal_check kcap_seal_check;
/* key: the 32-byte public key every seal must be by, or NULL. NULL out of
 * memory (or without libcrypto). */
kcap_seal_check *kcap_seal_check_new(const uint8_t *key, kcap_verify_report *rep);
void kcap_seal_check_free(kcap_seal_check *c);
/* Every structure the reader's walk meets, in order. */
void kcap_seal_check_block(kcap_seal_check *c, const kcap_block_info *b);
/* At the end of the input: fills the report's seal fields. */
int kcap_seal_check_end(kcap_seal_check *c, uint64_t end, kcap_verify_report *rep);

#endif
