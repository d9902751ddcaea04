/* codec.h - event record encoding and decoding (FORMAT.md "Event encoding"). */
#ifndef KCAP_CODEC_H
#define KCAP_CODEC_H
#include "core/core.h"

/* Encodes ev (whose params follow def) as one record, without the leading
 * length, relative to the previous ts/seq. Returns 0 or a KCAP_E_* code. */
int kcap_event_encode(kcap_buf *out, const kcap_event *ev, const kcap_type_def *def, int64_t prev_ts,
		      uint64_t prev_seq);

/* Decodes one record [p, end) into ev (params into vals, which has room for
 * KCAP_MAX_PARAMS). The schema resolves the type; unknown types decode the
 * canonical fields only. Returns 0 or KCAP_E_CORRUPT. */
int kcap_event_decode(const uint8_t *p, const uint8_t *end, const kcap_schema *s, int64_t prev_ts,
		      uint64_t prev_seq, kcap_event *ev, kcap_value *vals);

/* The canonical fields, type and def of a record only: params are neither
 * decoded nor checked (params NULL, nparams 0). Returns 0 or KCAP_E_CORRUPT. */
int kcap_event_decode_head(const uint8_t *p, const uint8_t *end, const kcap_schema *s, int64_t prev_ts,
			   uint64_t prev_seq, kcap_event *ev);

/* Like kcap_event_decode(), but leaves the params undecoded: they are only
 * checked (the same checks), ev gets the canonical fields (params NULL,
 * nparams 0) and rec the record's tail (kcap.h "kcap_record"). */
int kcap_event_decode_record(const uint8_t *p, const uint8_t *end, const kcap_schema *s, int64_t prev_ts,
			     uint64_t prev_seq, kcap_event *ev, kcap_record *rec);

/* Room for the head of a record: header, origin, ts and seq deltas. */
#define KCAP_RECORD_HEAD_MAX 40

/* Writes the head of ev's record (what precedes its tail: header, origin, ts
 * and seq deltas) at p, relative to the previous ts/seq; absent says the
 * tail holds the absent bitmap. Returns the end (<= p + KCAP_RECORD_HEAD_MAX). */
static inline uint8_t *kcap_record_head_put(uint8_t *p, const kcap_event *ev, int absent, int64_t prev_ts,
					    uint64_t prev_seq)
{
	p = put_varint(p, ((uint64_t)ev->type_id << 2) | (ev->origin ? 2u : 0u) | (absent ? 1u : 0u));
	if (ev->origin)
		p = put_varint(p, ev->origin);
	/* Deltas wrap modulo 2^64 (no signed overflow); decoding undoes it. */
	p = put_varint(p, zz_enc((int64_t)((uint64_t)ev->ts - (uint64_t)prev_ts)));
	return put_varint(p, zz_enc((int64_t)(ev->seq - prev_seq)));
}
#endif
