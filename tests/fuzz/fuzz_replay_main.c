/*
 * fuzz_replay_main.c - runs a libFuzzer entry point without libFuzzer: every
 * file named (or in a directory named) on the command line, then
 * deterministic mutations of each (truncations, byte flips, byte runs), so
 * that ctest exercises the target on every build, sanitizers included.
 * usage: fuzz_replay PATH...
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t runs;

/* Exact-size copies: ASan sees any read past the end. */
static void run(const uint8_t *p, size_t n)
{
	uint8_t *c = malloc(n ? n : 1);
	if (n)
		memcpy(c, p, n);
	LLVMFuzzerTestOneInput(c, n);
	free(c);
	runs++;
}

static void mutate(const uint8_t *buf, size_t len)
{
	run(buf, len);
	uint64_t x = 0x9E3779B97F4A7C15ull ^ len;
	size_t step = len / 97 + 1;
	for (size_t cut = 0; cut < len; cut += step)
		run(buf, cut);
	uint8_t *m = malloc(len ? len : 1);
	for (int i = 0; i < 400 && len; i++) {
		memcpy(m, buf, len);
		int nflips = 1 + i % 4;
		for (int f = 0; f < nflips; f++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			size_t pos = (size_t)(x % len);
			switch (i % 4) {
			case 0: m[pos] ^= (uint8_t)(1u << (x >> 61)); break;
			case 1: m[pos] = (uint8_t)(x >> 56); break;
			case 2: memset(m + pos, 0xff, len - pos < 9 ? len - pos : 9); break; /* endless varints */
			default: memset(m + pos, 0, len - pos < 4 ? len - pos : 4); break;
			}
		}
		run(m, len);
	}
	free(m);
}

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "fuzz_replay: cannot open %s\n", path);
		return -1;
	}
	size_t cap = 1 << 16, len = 0;
	uint8_t *buf = malloc(cap);
	size_t k;
	while ((k = fread(buf + len, 1, cap - len, f)) > 0) {
		len += k;
		if (len == cap)
			buf = realloc(buf, cap *= 2);
	}
	fclose(f);
	mutate(buf, len);
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	int files = 0, rc = 0;
	for (int i = 1; i < argc; i++) {
		struct stat sb;
		if (stat(argv[i], &sb)) {
			fprintf(stderr, "fuzz_replay: %s: no such file or directory\n", argv[i]);
			return 1;
		}
		if (!S_ISDIR(sb.st_mode)) {
			rc |= replay_file(argv[i]);
			files++;
			continue;
		}
		DIR *d = opendir(argv[i]);
		struct dirent *de;
		while (d && (de = readdir(d))) {
			if (de->d_name[0] == '.')
				continue;
			char path[4096];
			snprintf(path, sizeof path, "%s/%s", argv[i], de->d_name);
			rc |= replay_file(path);
			files++;
		}
		if (d)
			closedir(d);
	}
	printf("fuzz_replay: %d seed files, %zu inputs run\n", files, runs);
	if (!files) {
		fprintf(stderr, "fuzz_replay: no seed files found\n");
		return 1;
	}
	return rc ? 1 : 0;
}
