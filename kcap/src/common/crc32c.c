/* CRC32C (Castagnoli, reflected polynomial 0x82F63B78): the SSE4.2 crc32
 * instruction where the CPU has it (about 5x faster, which matters because
 * every block is verified, even one a filter then skips), else slicing-by-8. */
#include <pthread.h>
#include <stdlib.h>
#include "common/common.h"

static uint32_t crc_tab[8][256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;
static int crc_have_hw;

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <nmmintrin.h>
#define KCAP_CRC_HW 1
__attribute__((target("sse4.2"))) static uint32_t crc_hw(uint32_t crc, const uint8_t *p, size_t len)
{
	uint64_t c = crc;
	while (len >= 8) {
		uint64_t v;
		memcpy(&v, p, 8);
		c = _mm_crc32_u64(c, v);
		p += 8;
		len -= 8;
	}
	uint32_t c32 = (uint32_t)c;
	while (len--)
		c32 = _mm_crc32_u8(c32, *p++);
	return c32;
}
#endif

static void crc_init(void)
{
#ifdef KCAP_CRC_HW
	__builtin_cpu_init();
	crc_have_hw = __builtin_cpu_supports("sse4.2") && !getenv("KCAP_NO_HW_CRC");
#endif
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
		crc_tab[0][i] = c;
	}
	for (uint32_t i = 0; i < 256; i++)
		for (int t = 1; t < 8; t++)
			crc_tab[t][i] = (crc_tab[t - 1][i] >> 8) ^ crc_tab[0][crc_tab[t - 1][i] & 0xff];
}

uint32_t kcap_crc32c(uint32_t crc, const void *data, size_t len)
{
	const uint8_t *p = data;
	pthread_once(&crc_once, crc_init);
	crc = ~crc;
#ifdef KCAP_CRC_HW
	if (crc_have_hw)
		return ~crc_hw(crc, p, len);
#endif
	while (len >= 8) {
		uint32_t lo = crc ^ get_u32(p), hi = get_u32(p + 4);
		crc = crc_tab[7][lo & 0xff] ^ crc_tab[6][(lo >> 8) & 0xff] ^ crc_tab[5][(lo >> 16) & 0xff] ^
		      crc_tab[4][lo >> 24] ^ crc_tab[3][hi & 0xff] ^ crc_tab[2][(hi >> 8) & 0xff] ^
		      crc_tab[1][(hi >> 16) & 0xff] ^ crc_tab[0][hi >> 24];
		p += 8;
		len -= 8;
	}
	while (len--)
		crc = (crc >> 8) ^ crc_tab[0][(crc ^ *p++) & 0xff];
	return ~crc;
}
