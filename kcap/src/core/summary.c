/* Block summaries: pid Bloom filter, type set, decoding of events-block meta. */
#include "core/core.h"

uint64_t kcap_pid_hash(int32_t pid)
{
	uint64_t z = (uint64_t)(uint32_t)pid + 0x9E3779B97F4A7C15ull; /* splitmix64 finalizer */
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

int kcap_summary_may_have_pid(const kcap_block_summary *s, int32_t pid)
{
	if (!s)
		return 1;
	if (pid < s->pid_min || pid > s->pid_max)
		return 0;
	if (!s->bloom_bits || !s->bloom)
		return 1;
	uint64_t h = kcap_pid_hash(pid);
	uint32_t h1 = (uint32_t)h, h2 = (uint32_t)(h >> 32) | 1;
	for (uint32_t k = 0; k < 4; k++) {
		uint32_t bit = (h1 + k * h2) & (s->bloom_bits - 1);
		if (!(s->bloom[bit / 8] & (1u << (bit % 8))))
			return 0;
	}
	return 1;
}

int kcap_summary_may_have_type(const kcap_block_summary *s, uint32_t type_id)
{
	if (!s)
		return 1;
	if (type_id >= 256)
		return s->types_overflow;
	return (s->types[type_id / 8] >> (type_id % 8)) & 1;
}

int kcap_summary_decode(kcap_block_summary *s, const uint8_t *m, size_t n)
{
	if (n < KCAP_EVMETA_FIXED_LEN)
		return KCAP_E_CORRUPT;
	s->count = get_u32(m);
	s->ordered = m[4];
	s->types_overflow = m[5];
	s->codec = m[6];
	s->first_ts = (int64_t)get_u64(m + 8);
	s->last_ts = (int64_t)get_u64(m + 16);
	s->first_seq = get_u64(m + 24);
	s->last_seq = get_u64(m + 32);
	s->pid_min = (int32_t)get_u32(m + 56);
	s->pid_max = (int32_t)get_u32(m + 60);
	s->raw_size = get_u32(m + 64);
	s->bloom_bits = get_u32(m + 68);
	memcpy(s->types, m + 72, 32);
	s->bloom = m + KCAP_EVMETA_FIXED_LEN;
	if (m[7] != 4 || (s->bloom_bits & (s->bloom_bits - 1)) || s->bloom_bits / 8 > n - KCAP_EVMETA_FIXED_LEN) {
		s->bloom_bits = 0; /* unusable filter: never rule a block out with it */
		s->bloom = NULL;
	}
	if (s->first_ts > s->last_ts || s->first_seq > s->last_seq)
		return KCAP_E_CORRUPT;
	return 0;
}
