/* Event record encoding: varints, zigzag deltas, params in schema order. */
#include "core/codec.h"

/* How each param type is stored: one table lookup per param on both paths. */
enum { K_BAD = 0, K_UVAR, K_SVAR, K_BLOB, K_LIST, K_IPV4, K_ADDR16, K_SOCK };
static const uint8_t param_kind[KCAP_T_MAX_ + 1] = {
	[KCAP_T_U8] = K_UVAR, [KCAP_T_U16] = K_UVAR, [KCAP_T_U32] = K_UVAR, [KCAP_T_U64] = K_UVAR,
	[KCAP_T_BOOL] = K_UVAR, [KCAP_T_ERRNO] = K_UVAR, [KCAP_T_FLAGS] = K_UVAR, [KCAP_T_ENUM] = K_UVAR,
	[KCAP_T_MODE] = K_UVAR, [KCAP_T_UID] = K_UVAR, [KCAP_T_GID] = K_UVAR,
	[KCAP_T_I8] = K_SVAR, [KCAP_T_I16] = K_SVAR, [KCAP_T_I32] = K_SVAR, [KCAP_T_I64] = K_SVAR,
	[KCAP_T_FD] = K_SVAR, [KCAP_T_RET] = K_SVAR, [KCAP_T_TIMESTAMP] = K_SVAR, [KCAP_T_DURATION] = K_SVAR,
	[KCAP_T_PID] = K_SVAR,
	[KCAP_T_STR] = K_BLOB, [KCAP_T_PATH] = K_BLOB, [KCAP_T_BYTES] = K_BLOB, [KCAP_T_SID] = K_BLOB,
	[KCAP_T_JSON] = K_BLOB, [KCAP_T_STRLIST] = K_LIST, [KCAP_T_IPV4] = K_IPV4,
	[KCAP_T_IPV6] = K_ADDR16, [KCAP_T_GUID] = K_ADDR16, [KCAP_T_SOCKADDR] = K_SOCK,
};

static inline int kind_of(int t) { return t >= 0 && t <= KCAP_T_MAX_ ? param_kind[t] : K_BAD; }

int kcap_type_def_same_layout(const kcap_type_def *a, const kcap_type_def *b)
{
	if (!a || !b || a->nparams != b->nparams)
		return 0;
	for (uint32_t i = 0; i < a->nparams; i++)
		if (a->params[i].type != b->params[i].type)
			return 0;
	return 1;
}

int kcap_event_encode(kcap_buf *out, const kcap_event *ev, const kcap_type_def *def, int64_t prev_ts,
		      uint64_t prev_seq)
{
	uint32_t np = def->nparams;
	int absent = 0;
	size_t need = 80 + ev->comm_len + np * 24;
	if (ev->comm_len && !ev->comm)
		return KCAP_E_INVAL;
	for (uint32_t i = 0; i < np; i++) {
		const kcap_value *v = &ev->params[i];
		int k = kind_of(def->params[i].type);
		absent |= !v->present;
		/* Only byte-carrying kinds read p and len: a reused value array may
		 * hold stale ones in integer params. */
		int bytes = k == K_BLOB || k == K_LIST || (k == K_SOCK && (v->af == KCAP_AF_UNIX || v->af == KCAP_AF_OTHER));
		if (!v->present || !bytes)
			continue;
		if (v->len && !v->p) /* a length without bytes: they would be copied from NULL */
			return KCAP_E_INVAL;
		need += v->len;
	}
	if (kcap_buf_reserve(out, need))
		return KCAP_E_NOMEM;
	uint8_t *p = (uint8_t *)out->data + out->len;
	p = kcap_record_head_put(p, ev, absent, prev_ts, prev_seq);
	p = put_varint(p, zz_enc(ev->pid));
	p = put_varint(p, zz_enc((int64_t)ev->tid - ev->pid));
	p = put_varint(p, zz_enc(ev->ppid));
	p = put_varint(p, ev->cpu);
	p = put_varint(p, ev->uid);
	p = put_varint(p, ev->gid);
	p = put_varint(p, ev->comm_len);
	if (ev->comm_len) {
		memcpy(p, ev->comm, ev->comm_len);
		p += ev->comm_len;
	}
	if (absent) {
		size_t nb = (np + 7) / 8;
		memset(p, 0, nb);
		for (uint32_t i = 0; i < np; i++)
			if (!ev->params[i].present)
				p[i / 8] |= (uint8_t)(1u << (i % 8));
		p += nb;
	}
	for (uint32_t i = 0; i < np; i++) {
		const kcap_value *v = &ev->params[i];
		if (!v->present)
			continue;
		switch (kind_of(def->params[i].type)) {
		case K_UVAR:
			p = put_varint(p, v->u);
			break;
		case K_SVAR:
			p = put_varint(p, zz_enc(v->i));
			break;
		case K_LIST:
		case K_BLOB:
			if (kind_of(def->params[i].type) == K_LIST)
				p = put_varint(p, v->count);
			p = put_varint(p, v->len);
			if (v->len) {
				memcpy(p, v->p, v->len);
				p += v->len;
			}
			break;
		case K_IPV4:
			memcpy(p, v->addr, 4);
			p += 4;
			break;
		case K_ADDR16:
			memcpy(p, v->addr, 16);
			p += 16;
			break;
		case K_SOCK:
			*p++ = v->af;
			if (v->af == KCAP_AF_INET || v->af == KCAP_AF_INET6) {
				p = put_varint(p, v->port);
				size_t n = v->af == KCAP_AF_INET ? 4 : 16;
				memcpy(p, v->addr, n);
				p += n;
			} else if (v->af == KCAP_AF_UNIX || v->af == KCAP_AF_OTHER) {
				p = put_varint(p, v->len);
				if (v->len) {
					memcpy(p, v->p, v->len);
					p += v->len;
				}
			} else if (v->af != KCAP_AF_NONE) {
				return KCAP_E_INVAL;
			}
			break;
		default:
			return KCAP_E_INVAL;
		}
	}
	out->len = (size_t)((char *)p - out->data);
	return 0;
}

int kcap_record_encode(kcap_buf *b, const kcap_event *ev, const kcap_type_def *def, kcap_record *rec)
{
	if (!b || !ev || !def || !rec || ev->nparams != def->nparams)
		return KCAP_E_INVAL;
	size_t at = b->len;
	/* against the event's own ts and seq, the head has a fixed length */
	int rc = kcap_event_encode(b, ev, def, ev->ts, ev->seq);
	if (rc)
		return rc;
	uint8_t head[KCAP_RECORD_HEAD_MAX];
	size_t hl = (size_t)(kcap_record_head_put(head, ev, 0, ev->ts, ev->seq) - head);
	const uint8_t *p = (const uint8_t *)b->data + at;
	rec->absent = p[0] & 1;
	rec->tail = p + hl;
	rec->len = b->len - at - hl;
	return 0;
}

/* The decoder keeps its cursor in a local pointer (a register) and leaves
 * for the out-of-line get_varint() only for a varint of nine bytes or more,
 * or one of three or more in a record's last 7 bytes: the one- and two-byte
 * cases are most fields, and a longer one (the time delta of nearly every
 * record) is gathered from one word (rd_varint). */
typedef struct varint_ret {
	uint64_t v;
	const uint8_t *p; /* NULL when malformed */
} varint_ret;

static __attribute__((noinline)) varint_ret varint_slow(const uint8_t *p, const uint8_t *end)
{
	varint_ret r = {0, p};
	if (get_varint(&r.p, end, &r.v))
		r.p = NULL;
	return r;
}

#define VARINT_STOPS 0x8080808080808080ull

static inline uint64_t load_le64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

/* One varint as get_varint() reads it; NULL when malformed. Most are one
 * or two bytes long; longer ones of up to 8 bytes are gathered from one
 * word without a branch per byte. */
static inline const uint8_t *rd_varint(const uint8_t *p, const uint8_t *end, uint64_t *v)
{
	if (p < end && p[0] < 0x80) {
		*v = p[0];
		return p + 1;
	}
	if (end - p >= 2 && p[1] < 0x80) {
		*v = (uint64_t)(p[0] & 0x7f) | (uint64_t)p[1] << 7;
		return p + 2;
	}
	if (end - p >= 8) {
		uint64_t w = load_le64(p), s = ~w & VARINT_STOPS;
		if (s) {
			w &= (s ^ (s - 1)) & ~VARINT_STOPS; /* the varint's bytes, 7 bits each */
			w = ((w >> 1) & 0x3f803f803f803f80ull) | (w & 0x007f007f007f007full);
			w = ((w >> 2) & 0x0fffc0000fffc000ull) | (w & 0x00003fff00003fffull);
			*v = ((w >> 4) & 0x00fffffff0000000ull) | (w & 0x000000000fffffffull);
			return p + __builtin_ctzll(s) / 8 + 1;
		}
	}
	varint_ret r = varint_slow(p, end);
	*v = r.v;
	return r.p;
}

/* The decoder's varint read: rd_varint, leaving for corrupt: when the
 * varint is malformed. */
#define READ_VARINT(p, end, dst) \
	do { \
		if (!((p) = rd_varint((p), (end), &(dst)))) \
			goto corrupt; \
	} while (0)

#define READ_BYTES(p, end, n, dst) \
	do { \
		if ((uint64_t)((end) - (p)) < (uint64_t)(n)) \
			goto corrupt; \
		(dst) = (p); \
		(p) += (n); \
	} while (0)

/* The canonical fields and the type of a record; returns where its params
 * start, or NULL if it is malformed. *hdr gets the header varint, and *tail
 * (when not NULL) where the record's position-independent tail starts
 * (kcap_record). */
static inline __attribute__((always_inline)) const uint8_t *
decode_head(const uint8_t *p, const uint8_t *end, const kcap_schema *s, int64_t prev_ts, uint64_t prev_seq,
	    kcap_event *ev, uint64_t *hdr, const uint8_t **tail)
{
	uint64_t x;
	READ_VARINT(p, end, *hdr);
	ev->type_id = (uint32_t)(*hdr >> 2);
	ev->origin = 0;
	if (*hdr & 2) {
		READ_VARINT(p, end, x);
		ev->origin = (uint16_t)x;
	}
	READ_VARINT(p, end, x);
	ev->ts = (int64_t)((uint64_t)prev_ts + (uint64_t)zz_dec(x));
	READ_VARINT(p, end, x);
	ev->seq = prev_seq + (uint64_t)zz_dec(x);
	if (tail)
		*tail = p;
	READ_VARINT(p, end, x);
	ev->pid = (int32_t)zz_dec(x);
	READ_VARINT(p, end, x);
	ev->tid = (int32_t)((uint64_t)(int64_t)ev->pid + (uint64_t)zz_dec(x));
	READ_VARINT(p, end, x);
	ev->ppid = (int32_t)zz_dec(x);
	READ_VARINT(p, end, x);
	ev->cpu = (uint32_t)x;
	READ_VARINT(p, end, x);
	ev->uid = (uint32_t)x;
	READ_VARINT(p, end, x);
	ev->gid = (uint32_t)x;
	READ_VARINT(p, end, x);
	if (x > 0xffff)
		goto corrupt;
	ev->comm_len = (uint16_t)x;
	const uint8_t *comm;
	READ_BYTES(p, end, x, comm);
	ev->comm = (const char *)comm;
	ev->params = NULL;
	ev->nparams = 0;
	ev->def = kcap_schema_type(s, ev->type_id);
	return p;
corrupt:
	return NULL;
}

int kcap_event_decode_head(const uint8_t *p, const uint8_t *end, const kcap_schema *s, int64_t prev_ts,
			   uint64_t prev_seq, kcap_event *ev)
{
	uint64_t hdr;
	return decode_head(p, end, s, prev_ts, prev_seq, ev, &hdr, NULL) ? 0 : KCAP_E_CORRUPT;
}

int kcap_event_decode(const uint8_t *p, const uint8_t *end, const kcap_schema *s, int64_t prev_ts,
		      uint64_t prev_seq, kcap_event *ev, kcap_value *vals)
{
	uint64_t hdr, x;
	if (!(p = decode_head(p, end, s, prev_ts, prev_seq, ev, &hdr, NULL)))
		goto corrupt;
	ev->params = vals;
	const kcap_type_def *def = ev->def;
	if (!def)
		return 0; /* params of an unknown type are skipped via the record length */
	uint32_t np = def->nparams;
	const uint8_t *absent = NULL;
	if (hdr & 1)
		READ_BYTES(p, end, (np + 7) / 8, absent);
	for (uint32_t i = 0; i < np; i++) {
		kcap_value *v = &vals[i];
		int t = def->params[i].type;
		v->type = (uint8_t)t;
		if (absent && (absent[i / 8] >> (i % 8)) & 1) {
			v->present = 0;
			continue;
		}
		v->present = 1;
		switch (kind_of(t)) {
		case K_UVAR:
			READ_VARINT(p, end, v->u);
			break;
		case K_SVAR:
			READ_VARINT(p, end, x);
			v->i = zz_dec(x);
			break;
		case K_LIST:
		case K_BLOB: {
			if (t == KCAP_T_STRLIST) {
				READ_VARINT(p, end, x);
				v->count = (uint32_t)x;
			}
			READ_VARINT(p, end, x);
			READ_BYTES(p, end, x, v->p);
			v->len = (uint32_t)x;
			break;
		}
		case K_IPV4: {
			const uint8_t *a;
			READ_BYTES(p, end, 4, a);
			memcpy(v->addr, a, 4);
			break;
		}
		case K_ADDR16: {
			const uint8_t *a;
			READ_BYTES(p, end, 16, a);
			memcpy(v->addr, a, 16);
			break;
		}
		case K_SOCK: {
			const uint8_t *a;
			READ_BYTES(p, end, 1, a);
			v->af = *a;
			v->p = NULL;
			v->len = 0;
			if (v->af == KCAP_AF_INET || v->af == KCAP_AF_INET6) {
				READ_VARINT(p, end, x);
				if (x > 0xffff)
					goto corrupt;
				v->port = (uint16_t)x;
				size_t n = v->af == KCAP_AF_INET ? 4 : 16;
				READ_BYTES(p, end, n, a);
				memcpy(v->addr, a, n);
			} else if (v->af == KCAP_AF_UNIX || v->af == KCAP_AF_OTHER) {
				READ_VARINT(p, end, x);
				READ_BYTES(p, end, x, v->p);
				v->len = (uint32_t)x;
			} else if (v->af != KCAP_AF_NONE) {
				goto corrupt;
			}
			break;
		}
		default:
			goto corrupt;
		}
	}
	ev->nparams = np;
	return 0;
corrupt:
	return KCAP_E_CORRUPT;
}

/* ---- records without their params decoded (kcap_reader_next_record) ----
 * The walk must accept exactly what kcap_event_decode() accepts, or a record
 * it lets through would damage the block it is copied into; it reads 8
 * bytes at a time where the record has them, to find varint ends with a
 * mask rather than a branch per byte. */


static __attribute__((noinline)) const uint8_t *skip_varint_slow(const uint8_t *p, const uint8_t *end)
{
	uint64_t v;
	return get_varint(&p, end, &v) ? NULL : p;
}

/* Skips one varint (at most 10 bytes, as get_varint() reads it); NULL when
 * malformed. */
static inline const uint8_t *skip_varint(const uint8_t *p, const uint8_t *end)
{
	if (end - p >= 8) {
		uint64_t s = ~load_le64(p) & VARINT_STOPS;
		if (s)
			return p + __builtin_ctzll(s) / 8 + 1;
		return skip_varint_slow(p, end);
	}
	/* the record's last bytes: fewer than 8, so no varint here is too long */
	for (; p < end; p++)
		if (*p < 0x80)
			return p + 1;
	return NULL;
}

/* Skips n varints (runs of integer params) in [p, end), where [start, end)
 * is readable: a word from the start of a varint holds whole varints up to
 * its last stop bit, taken at once; the last bytes of the record are read
 * as the word that ends at end. */
static inline const uint8_t *skip_varints(const uint8_t *p, const uint8_t *end, const uint8_t *start, uint32_t n)
{
	while (n) {
		uint64_t s;
		size_t left = (size_t)(end - p);
		if (left >= 8) {
			s = ~load_le64(p) & VARINT_STOPS;
			if (!s) { /* a varint of 9 or 10 bytes */
				if (!(p = skip_varint_slow(p, end)))
					return NULL;
				n--;
				continue;
			}
		} else if (end - start >= 8 && left) {
			s = ~(load_le64(end - 8) >> (8 * (8 - left))) & VARINT_STOPS & (~0ull >> (8 * (8 - left)));
			if (!s)
				return NULL;
		} else {
			for (; n && p < end; p++) /* a record of fewer than 8 bytes */
				n -= *p < 0x80;
			return n ? NULL : p;
		}
		uint64_t t = s & -s;
		while (--n && (s &= s - 1))
			t = s & -s;
		/* past the n-th stop, or (n left) past the word's last one, where
		 * the next varint starts */
		p += __builtin_ctzll(t) / 8 + 1;
	}
	return p;
}

#define RD(dst) \
	do { \
		if (!(p = rd_varint(p, end, &(dst)))) \
			goto corrupt; \
	} while (0)
#define SKIP(n) \
	do { \
		if ((uint64_t)(end - p) < (uint64_t)(n)) \
			goto corrupt; \
		p += (n); \
	} while (0)

int kcap_event_decode_record(const uint8_t *p, const uint8_t *end, const kcap_schema *s, int64_t prev_ts,
			     uint64_t prev_seq, kcap_event *ev, kcap_record *rec)
{
	const uint8_t *start = p, *tail;
	uint64_t hdr, x;
	if (!(p = decode_head(p, end, s, prev_ts, prev_seq, ev, &hdr, &tail)))
		goto corrupt;
	const kcap_type_def *def = ev->def;
	rec->tail = tail;
	rec->absent = (uint8_t)(hdr & 1);
	if (!def) {
		rec->len = (size_t)(end - tail);
		return 0; /* unknown type: nothing to check the params against */
	}
	uint32_t np = def->nparams;
	uint64_t absent = 0; /* bit i: param i absent (np <= KCAP_MAX_PARAMS = 64) */
	if (hdr & 1) {
		uint32_t nb = (np + 7) / 8;
		if ((size_t)(end - p) < nb || np > 64)
			goto corrupt;
		for (uint32_t i = 0; i < nb; i++)
			absent |= (uint64_t)p[i] << (8 * i);
		p += nb;
	}
	/* Integer params, most of them, are counted and skipped in runs. */
	const kcap_param_def *pd = def->params;
	uint32_t run = 0;
	for (uint32_t i = 0; i < np; i++) {
		if ((absent >> i) & 1)
			continue;
		int t = pd[i].type;
		int k = kind_of(t);
		if (k == K_UVAR || k == K_SVAR) {
			run++;
			continue;
		}
		if (run) {
			if (!(p = skip_varints(p, end, start, run)))
				goto corrupt;
			run = 0;
		}
		switch (k) {
		case K_LIST:
			if (!(p = skip_varint(p, end)))
				goto corrupt;
			/* fall through */
		case K_BLOB:
			RD(x);
			SKIP(x);
			break;
		case K_IPV4:
			SKIP(4);
			break;
		case K_ADDR16:
			SKIP(16);
			break;
		case K_SOCK: {
			if (p >= end)
				goto corrupt;
			uint8_t af = *p++;
			if (af == KCAP_AF_INET || af == KCAP_AF_INET6) {
				RD(x);
				if (x > 0xffff)
					goto corrupt;
				SKIP(af == KCAP_AF_INET ? 4 : 16);
			} else if (af == KCAP_AF_UNIX || af == KCAP_AF_OTHER) {
				RD(x);
				SKIP(x);
			} else if (af != KCAP_AF_NONE) {
				goto corrupt;
			}
			break;
		}
		default:
			goto corrupt;
		}
	}
	if (run && !(p = skip_varints(p, end, start, run)))
		goto corrupt;
	/* Bytes after the params (no kcap writer leaves any) are dropped, as
	 * decoding and encoding the event again would drop them. */
	rec->len = (size_t)(p - tail);
	return 0;
corrupt:
	return KCAP_E_CORRUPT;
}
