/* inflate_floor.c [-k] FILE.etl - the floor of `kcap convert --from etl`
 * on a compressed file: read it whole and inflate every XPRESS buffer with
 * libfwnt (with -k: kcap's built-in decoder, formats/etw/xpress.c),
 * nothing else (no records, no events). Prints the inflated bytes.
 * Build: cc -O2 -I formats inflate_floor.c formats/etw/xpress.c -lfwnt */
#include <libfwnt.h>
#include <string.h>

#include "etw/xpress.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint32_t rd32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }

int main(int argc, char **argv)
{
	int builtin = argc == 3 && !strcmp(argv[1], "-k");
	if (argc != 2 + builtin)
		return 2;
	FILE *f = fopen(argv[1 + builtin], "rb");
	if (!f)
		return 1;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *b = malloc((size_t)n), *out = malloc(1 << 24);
	if (!b || !out || fread(b, 1, (size_t)n, f) != (size_t)n)
		return 1;
	fclose(f);
	unsigned long long total = 0;
	for (long off = 0; off + 0x48 <= n;) {
		uint32_t size = rd32(b + off), fill = rd32(b + off + 0x30);
		if (size < 0x48 || off + size > n)
			break;
		if ((b[off + 0x34] & 0x40) && fill > 0x48 && fill <= (1 << 24)) {
			size_t got = fill - 0x48;
			libfwnt_error_t *e = NULL;
			if (builtin)
				kcap_xpress_decompress(b + off + 0x48, size - 0x48, out, (size_t)1 << 24, &got);
			else if (libfwnt_lzxpress_decompress(b + off + 0x48, size - 0x48, out, &got, &e) != 1)
				libfwnt_error_free(&e);
			total += got;
		} else
			total += size;
		off += size;
	}
	printf("%llu\n", total);
	free(b);
	free(out);
	return 0;
}
