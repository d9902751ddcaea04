/* index_mem.c - what libkcap's in-memory index holds per events block
 * (docs/PERFORMANCE.md "Answers from the index"): loads the index of FILE
 * and prints "blocks N entry B bloom B counts B held B per_block B", where
 * entry is sizeof(index_entry), bloom and counts the bytes of the filters
 * and counts kept beside the entries, held what the reader counts against
 * KCAP_MAX_INDEX_MEM. Built by bench_index_answers.sh against a libkcap
 * tree given on the command line (so that an older tree, without counts,
 * can be measured the same way: -DNO_COUNTS).
 * usage: index_mem FILE */
#define KCAP_EXPERIMENTAL_API
#include <stdio.h>
#include "core/reader_internal.h"

int main(int argc, char **argv)
{
	kcap_reader *r;
	kcap_error e = {0};
	if (argc != 2 || kcap_reader_open_path(&r, argv[1], &e)) {
		fprintf(stderr, "usage: index_mem FILE (%s)\n", e.msg);
		return 2;
	}
	int n = kcap_reader_load_index(r);
	size_t bloom = 0, counts = 0;
	for (size_t i = 0; i < kcap_reader_index_count(r); i++) {
		const kcap_block_summary *s = kcap_reader_index_at(r, i);
		bloom += s->bloom ? s->bloom_bits / 8 : 0;
#ifndef NO_COUNTS
		counts += s->counts ? s->counts_len : 0;
#endif
	}
	size_t held = (size_t)(n > 0 ? n : 0) * sizeof(index_entry) + bloom + counts;
	printf("blocks %d entry %zu bloom %zu counts %zu held %zu per_block %.1f\n", n, sizeof(index_entry), bloom,
	       counts, held, n > 0 ? (double)held / n : 0.0);
	kcap_reader_close(r);
	return 0;
}
