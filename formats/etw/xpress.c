/* xpress.c - MS-XCA "Plain LZ77" decompression ([MS-XCA] 2.4), the
 * compression of Windows 8+ .etl buffers, for builds without libfwnt (the
 * Windows build: Debian has no mingw-w64 libfwnt). Written from the
 * specification's description of the format; tests/etw checks it gives
 * libfwnt's bytes for every compressed buffer of the corpus. */
#include "xpress.h"

#include <string.h>

static uint32_t le32(const uint8_t *p) { return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }

/* The speed (docs/PERFORMANCE.md "ETW import"): a run of literal flags is
 * copied in one memcpy, and a match whose source lies 8 or more bytes back
 * is copied 8 bytes at a time when the output has room for the last
 * word's overrun (what lies past the match is written again later, or is
 * past the end). Byte by byte otherwise, as the format defines it. */
int kcap_xpress_decompress(const uint8_t *in, size_t n, uint8_t *out, size_t cap, size_t *outlen)
{
	size_t ip = 0, op = 0, half = 0; /* half: where the last shared length nibble is, 0 none */
	uint32_t flags = 0;
	int nflags = 0;
	*outlen = 0;
	for (;;) {
		if (nflags == 0) {
			if (n - ip < 4) {
				*outlen = op; /* the input ends between items */
				return 0;
			}
			flags = le32(in + ip);
			ip += 4;
			nflags = 32;
		}
		/* the literals before the next match flag (bits nflags-1 down) */
		uint32_t rest = nflags == 32 ? flags : flags & ((1u << nflags) - 1);
		int lits = rest ? nflags - (32 - __builtin_clz(rest)) : nflags;
		if (lits) {
			size_t avail = n - ip < (size_t)lits ? n - ip : (size_t)lits;
			if (avail > cap - op) {
				memcpy(out + op, in + ip, cap - op);
				return KCAP_XPRESS_OVERFLOW;
			}
			if (avail <= 16 && n - ip >= 16 && cap - op >= 16) {
				memcpy(out + op, in + ip, 8); /* short runs: two words, the rest rewritten later */
				memcpy(out + op + 8, in + ip + 8, 8);
			} else
				memcpy(out + op, in + ip, avail);
			op += avail;
			ip += avail;
			if (avail < (size_t)lits) {
				*outlen = op; /* the input ends in a run of literals */
				return 0;
			}
			nflags -= lits;
			continue;
		}
		nflags--;
		if (ip == n) {
			*outlen = op; /* a match flag past the end: done */
			return 0;
		}
		if (n - ip < 2)
			return KCAP_XPRESS_BAD;
		uint32_t mb = (uint32_t)in[ip] | (uint32_t)in[ip + 1] << 8;
		ip += 2;
		size_t len = mb & 7, off = (mb >> 3) + 1;
		if (len == 7) {
			if (!half) {
				if (ip == n)
					return KCAP_XPRESS_BAD;
				half = ip;
				len = in[ip++] & 15;
			} else {
				len = in[half] >> 4;
				half = 0;
			}
			if (len == 15) {
				if (ip == n)
					return KCAP_XPRESS_BAD;
				len = in[ip++];
				if (len == 255) {
					if (n - ip < 2)
						return KCAP_XPRESS_BAD;
					len = (size_t)in[ip] | (size_t)in[ip + 1] << 8;
					ip += 2;
					if (len == 0) {
						if (n - ip < 4)
							return KCAP_XPRESS_BAD;
						len = le32(in + ip);
						ip += 4;
					}
					if (len < 15 + 7)
						return KCAP_XPRESS_BAD;
					len -= 15 + 7;
				}
				len += 15;
			}
			len += 7;
		}
		len += 3;
		if (off > op)
			return KCAP_XPRESS_BAD;
		if (len > cap - op)
			return KCAP_XPRESS_OVERFLOW;
		uint8_t *d = out + op;
		const uint8_t *src = d - off;
		op += len;
		if (off >= 8 && len + 8 <= cap - (op - len)) {
			memcpy(d, src, 8);
			for (size_t k = 8; k < len; k += 8)
				memcpy(d + k, src + k, 8);
		} else {
			for (size_t k = 0; k < len; k++) /* overlapping copies repeat the pattern */
				d[k] = src[k];
		}
	}
}
