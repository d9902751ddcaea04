/* Event record encoding: varints, zigzag deltas, params in schema order. */
#include "codec.h"

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
		if (v->present && v->p)
			need += v->len;
		/* a length without bytes behind it would be copied from NULL */
		if (v->present && v->len && !v->p &&
		    (k == K_BLOB || k == K_LIST || (k == K_SOCK && (v->af == KCAP_AF_UNIX || v->af == KCAP_AF_OTHER))))
			return KCAP_E_INVAL;
	}
	if (kcap_buf_reserve(out, need))
		return KCAP_E_NOMEM;
	uint8_t *p = (uint8_t *)out->data + out->len;
	p = put_varint(p, ((uint64_t)ev->type_id << 2) | (ev->origin ? 2u : 0u) | (absent ? 1u : 0u));
	if (ev->origin)
		p = put_varint(p, ev->origin);
	/* Deltas wrap modulo 2^64 (no signed overflow); decoding undoes it. */
	p = put_varint(p, zz_enc((int64_t)((uint64_t)ev->ts - (uint64_t)prev_ts)));
	p = put_varint(p, zz_enc((int64_t)(ev->seq - prev_seq)));
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

/* cur_varint() with the one- and two-byte cases (most fields) inline. Once
 * the cursor is bad the values no longer matter: decoding fails at the end. */
static inline uint64_t dec_varint(cur *c)
{
	const uint8_t *p = c->p;
	if (c->end - p >= 2) {
		if (p[0] < 0x80) {
			c->p = p + 1;
			return p[0];
		}
		if (p[1] < 0x80) {
			c->p = p + 2;
			return (uint64_t)(p[0] & 0x7f) | (uint64_t)p[1] << 7;
		}
	}
	return cur_varint(c);
}

int kcap_event_decode(const uint8_t *p, const uint8_t *end, const kcap_schema *s, int64_t prev_ts,
		      uint64_t prev_seq, kcap_event *ev, kcap_value *vals)
{
	cur c = {p, end, 0};
	uint64_t hdr = dec_varint(&c);
	ev->type_id = (uint32_t)(hdr >> 2);
	ev->origin = (hdr & 2) ? (uint16_t)dec_varint(&c) : 0;
	ev->ts = (int64_t)((uint64_t)prev_ts + (uint64_t)zz_dec(dec_varint(&c)));
	ev->seq = prev_seq + (uint64_t)zz_dec(dec_varint(&c));
	ev->pid = (int32_t)zz_dec(dec_varint(&c));
	ev->tid = (int32_t)((uint64_t)(int64_t)ev->pid + (uint64_t)zz_dec(dec_varint(&c)));
	ev->ppid = (int32_t)zz_dec(dec_varint(&c));
	ev->cpu = (uint32_t)dec_varint(&c);
	ev->uid = (uint32_t)dec_varint(&c);
	ev->gid = (uint32_t)dec_varint(&c);
	uint64_t cl = dec_varint(&c);
	if (cl > 0xffff)
		return KCAP_E_CORRUPT;
	ev->comm_len = (uint16_t)cl;
	ev->comm = (const char *)cur_bytes(&c, cl);
	ev->params = vals;
	ev->nparams = 0;
	const kcap_type_def *def = kcap_schema_type(s, ev->type_id);
	ev->def = def;
	if (c.bad)
		return KCAP_E_CORRUPT;
	if (!def)
		return 0; /* params of an unknown type are skipped via the record length */
	uint32_t np = def->nparams;
	const uint8_t *absent = NULL;
	if (hdr & 1)
		absent = cur_bytes(&c, (np + 7) / 8);
	for (uint32_t i = 0; i < np && !c.bad; i++) {
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
			v->u = dec_varint(&c);
			break;
		case K_SVAR:
			v->i = zz_dec(dec_varint(&c));
			break;
		case K_LIST:
		case K_BLOB: {
			if (t == KCAP_T_STRLIST)
				v->count = (uint32_t)dec_varint(&c);
			uint64_t n = dec_varint(&c);
			v->p = cur_bytes(&c, n);
			v->len = (uint32_t)n;
			break;
		}
		case K_IPV4: {
			const uint8_t *a = cur_bytes(&c, 4);
			if (a)
				memcpy(v->addr, a, 4);
			break;
		}
		case K_ADDR16: {
			const uint8_t *a = cur_bytes(&c, 16);
			if (a)
				memcpy(v->addr, a, 16);
			break;
		}
		case K_SOCK: {
			const uint8_t *af = cur_bytes(&c, 1);
			v->af = af ? *af : 0;
			v->p = NULL;
			v->len = 0;
			if (v->af == KCAP_AF_INET || v->af == KCAP_AF_INET6) {
				uint64_t port = dec_varint(&c);
				size_t n = v->af == KCAP_AF_INET ? 4 : 16;
				const uint8_t *a = cur_bytes(&c, n);
				v->port = (uint16_t)port;
				if (a)
					memcpy(v->addr, a, n);
				if (port > 0xffff)
					c.bad = 1;
			} else if (v->af == KCAP_AF_UNIX || v->af == KCAP_AF_OTHER) {
				uint64_t n = dec_varint(&c);
				v->p = cur_bytes(&c, n);
				v->len = (uint32_t)n;
			} else if (v->af != KCAP_AF_NONE) {
				c.bad = 1;
			}
			break;
		}
		default:
			c.bad = 1;
		}
	}
	if (c.bad)
		return KCAP_E_CORRUPT;
	ev->nparams = np;
	return 0;
}
