/* xpress.h - MS-XCA Plain LZ77 ("XPRESS") decompression, the built-in
 * fallback of etl_file.c for builds without libfwnt. */
#ifndef KCAP_FORMATS_XPRESS_H
#define KCAP_FORMATS_XPRESS_H

#include <stddef.h>
#include <stdint.h>

enum { KCAP_XPRESS_BAD = -1, KCAP_XPRESS_OVERFLOW = -2 };

/* Inflates in[0..n) into out[0..cap); *outlen the bytes written. Returns 0,
 * KCAP_XPRESS_BAD (malformed data: a match before the start of the output,
 * a length cut short) or KCAP_XPRESS_OVERFLOW (the data inflates past cap). */
int kcap_xpress_decompress(const uint8_t *in, size_t n, uint8_t *out, size_t cap, size_t *outlen);

#endif
