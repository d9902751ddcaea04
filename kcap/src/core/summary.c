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

/* The counts (format 1.4) that follow the Bloom filter at m[off..n): the
 * length of the well-formed part, or 0 when they are absent or do not hold
 * together (they must add up to the block's count and stay in its ranges). */
static size_t counts_check(const kcap_block_summary *s, const uint8_t *m, size_t off, size_t n)
{
	if (off >= n || !s->count)
		return 0;
	const uint8_t *p = m + off, *end = m + n;
	for (int part = 0; part < 2; part++) {
		uint64_t k, sum = 0, id, c;
		int64_t prev = -1;
		if (get_varint(&p, end, &k) || k > s->count)
			return 0;
		for (uint64_t i = 0; i < k; i++) {
			if (get_varint(&p, end, &id) || get_varint(&p, end, &c) || !c || c > s->count - sum ||
			    id > (part ? 65535u : UINT32_MAX) - (uint64_t)(prev + 1))
				return 0;
			prev += (int64_t)id + 1;
			sum += c;
			if (!part && ((prev < 256 && !((s->types[prev / 8] >> (prev % 8)) & 1)) ||
				      (prev >= 256 && !s->types_overflow)))
				return 0; /* a type the type set does not have */
		}
		if (sum != s->count)
			return 0;
	}
	uint64_t a, b, c;
	if (get_varint(&p, end, &a) || get_varint(&p, end, &b) || get_varint(&p, end, &c) ||
	    a > s->last_seq - s->first_seq || b > (uint64_t)s->last_ts - (uint64_t)s->first_ts ||
	    c > s->last_seq - s->first_seq)
		return 0;
	return (size_t)(end - (m + off)); /* later minor versions may append */
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
	s->counts = NULL;
	s->counts_len = 0;
	if (m[7] != 4 || (s->bloom_bits & (s->bloom_bits - 1)) || s->bloom_bits / 8 > n - KCAP_EVMETA_FIXED_LEN) {
		s->bloom_bits = 0; /* unusable filter: never rule a block out with it */
		s->bloom = NULL;
		return s->first_ts > s->last_ts || s->first_seq > s->last_seq ? KCAP_E_CORRUPT : 0;
	}
	if (s->first_ts > s->last_ts || s->first_seq > s->last_seq)
		return KCAP_E_CORRUPT;
	size_t off = KCAP_EVMETA_FIXED_LEN + s->bloom_bits / 8, len = counts_check(s, m, off, n);
	if (len && len <= UINT32_MAX) {
		s->counts = m + off;
		s->counts_len = (uint32_t)len;
	}
	return 0;
}

int kcap_summary_counts(const kcap_block_summary *s, kcap_block_counts *c)
{
	if (!s || !c || !s->counts || !s->counts_len)
		return 0;
	const uint8_t *p = s->counts, *end = p + s->counts_len;
	uint64_t v = 0, n = 0;
	for (int part = 0; part < 2; part++) {
		uint64_t k = 0;
		int64_t prev = -1;
		get_varint(&p, end, &k); /* checked by counts_check */
		int rc = part ? kcap_array_room2(&c->origin, sizeof *c->origin, &c->origin_n, sizeof *c->origin_n,
						 &c->cap_origins, (size_t)k, 16)
			      : kcap_array_room2(&c->type_id, sizeof *c->type_id, &c->type_n, sizeof *c->type_n,
						 &c->cap_types, (size_t)k, 16);
		if (rc)
			return rc;
		for (uint64_t i = 0; i < k; i++) {
			get_varint(&p, end, &v);
			get_varint(&p, end, &n);
			prev += (int64_t)v + 1;
			if (part) {
				c->origin[i] = (uint16_t)prev;
				c->origin_n[i] = (uint32_t)n;
			} else {
				c->type_id[i] = (uint32_t)prev;
				c->type_n[i] = (uint32_t)n;
			}
		}
		if (part)
			c->norigins = (size_t)k;
		else
			c->ntypes = (size_t)k;
	}
	get_varint(&p, end, &v);
	c->start_seq = s->first_seq + v;
	get_varint(&p, end, &v);
	c->end_ts = (int64_t)((uint64_t)s->last_ts - v);
	get_varint(&p, end, &v);
	c->end_seq = s->first_seq + v;
	return 1;
}

void kcap_block_counts_free(kcap_block_counts *c)
{
	if (!c)
		return;
	free(c->type_id);
	free(c->type_n);
	free(c->origin);
	free(c->origin_n);
	memset(c, 0, sizeof *c);
}
