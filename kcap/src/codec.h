/* codec.h - event record encoding and decoding (FORMAT.md "Event encoding"). */
#ifndef KCAP_CODEC_H
#define KCAP_CODEC_H
#include "internal.h"

/* Encodes ev (whose params follow def) as one record, without the leading
 * length, relative to the previous ts/seq. Returns 0 or a KCAP_E_* code. */
int kcap_event_encode(kcap_buf *out, const kcap_event *ev, const kcap_type_def *def, int64_t prev_ts,
		      uint64_t prev_seq);

/* Decodes one record [p, end) into ev (params into vals, which has room for
 * KCAP_MAX_PARAMS). The schema resolves the type; unknown types decode the
 * canonical fields only. Returns 0 or KCAP_E_CORRUPT. */
int kcap_event_decode(const uint8_t *p, const uint8_t *end, const kcap_schema *s, int64_t prev_ts,
		      uint64_t prev_seq, kcap_event *ev, kcap_value *vals);
#endif
