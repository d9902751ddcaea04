/* fuzz_etl.c - libFuzzer target for the .etl reader and the ETW decoder:
 * the input is walked as an .etl file (buffers, XPRESS inflation, every
 * record header kind, the per-CPU merge) and every record decoded into a
 * capture written to /dev/null, as `kcap convert --from etl` does. Damage
 * must be reported, never crash, hang or allocate from a claimed size. The
 * built-in XPRESS decoder (xpress.c) gets the raw input as well. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "etw/etl_file.h"
#include "etw/etw_decode.h"
#include "etw/xpress.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int on_session(void *ud, const kcap_etw_session *s) { return kcap_etw_decoder_session(ud, s); }
static int on_record(void *ud, const kcap_etw_record *r)
{
	/* what the walk hands over lies inside the input or its own buffers */
	if (r->len && !r->data)
		abort();
	return kcap_etw_decode(ud, r);
}
static int on_loss(void *ud, uint32_t cpu, const char *src, uint64_t seen, uint64_t lost)
{
	return kcap_etw_decoder_loss(ud, cpu, src, seen, lost);
}
static void on_damage(void *ud, const kcap_error *e, uint64_t skipped)
{
	(void)ud;
	(void)skipped;
	if (e->msg[0] == 0) /* every damage says why */
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* the built-in XPRESS decoder on the raw bytes too */
	static uint8_t out[1 << 16];
	size_t n = 0;
	if (kcap_xpress_decompress(data, size, out, sizeof out, &n) == 0 && n > sizeof out)
		abort();
	int fd = open("/dev/null", O_WRONLY);
	if (fd < 0)
		return 0;
	kcap_writer *w = NULL;
	kcap_error err = { 0 };
	kcap_etw_decoder *d = NULL;
	if (kcap_writer_open_fd(&w, fd, 1, NULL, &err) == 0 && kcap_etw_decoder_open_writer(&d, w, &err) == 0) {
		kcap_etl_handler h = { on_session, on_record, on_loss, on_damage };
		kcap_etl_stats st;
		int rc = kcap_etl_walk(data, size, &h, d, &st, &err);
		if (rc >= 0)
			kcap_etw_decoder_finish(d);
	} else if (!w)
		close(fd);
	kcap_etw_decoder_close(d);
	kcap_writer_close(w);
	return 0;
}
