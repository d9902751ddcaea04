/* Error codes, error filling and param type names. */
#include <stdio.h>
#include <stdlib.h>
#include "common/common.h"

const char *kcap_strerror(int code)
{
	switch (code) {
	case KCAP_OK: return "success";
	case KCAP_E_IO: return "I/O error";
	case KCAP_E_NOMEM: return "out of memory";
	case KCAP_E_FORMAT: return "not a kcap capture";
	case KCAP_E_VERSION: return "unsupported format version";
	case KCAP_E_CORRUPT: return "corrupt data";
	case KCAP_E_TRUNCATED: return "truncated data";
	case KCAP_E_INVAL: return "invalid argument";
	case KCAP_E_NOTFOUND: return "not found";
	case KCAP_E_UNSUPPORTED: return "unsupported operation";
	case KCAP_E_SYNTAX: return "syntax error";
	case KCAP_E_ORDER: return "events out of order";
	case KCAP_E_NOSPACE: return "no space left on device";
	default: return "unknown error";
	}
}

int kcap_vseterr(kcap_error *e, int code, int64_t offset, const char *fmt, va_list ap)
{
	if (!e)
		return code;
	e->code = code;
	e->offset = offset;
	e->line = 0;
	e->column = 0;
	e->sys_errno = 0;
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	return code;
}

int kcap_seterr(kcap_error *e, int code, int64_t offset, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	kcap_vseterr(e, code, offset, fmt, ap);
	va_end(ap);
	return code;
}

int kcap_seterr_col(kcap_error *e, int code, int col, const char *fmt, ...)
{
	if (!e)
		return code;
	memset(e, 0, sizeof(*e));
	e->code = code;
	e->offset = -1;
	e->column = col;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	return code;
}

static const char *const ptype_names[KCAP_T_MAX_ + 1] = {
	[KCAP_T_U8] = "u8", [KCAP_T_U16] = "u16", [KCAP_T_U32] = "u32", [KCAP_T_U64] = "u64",
	[KCAP_T_I8] = "i8", [KCAP_T_I16] = "i16", [KCAP_T_I32] = "i32", [KCAP_T_I64] = "i64",
	[KCAP_T_BOOL] = "bool", [KCAP_T_STR] = "str", [KCAP_T_PATH] = "path", [KCAP_T_BYTES] = "bytes",
	[KCAP_T_STRLIST] = "strlist", [KCAP_T_FD] = "fd", [KCAP_T_RET] = "ret", [KCAP_T_ERRNO] = "errno",
	[KCAP_T_IPV4] = "ipv4", [KCAP_T_IPV6] = "ipv6", [KCAP_T_SOCKADDR] = "sockaddr",
	[KCAP_T_FLAGS] = "flags", [KCAP_T_ENUM] = "enum", [KCAP_T_MODE] = "mode", [KCAP_T_UID] = "uid",
	[KCAP_T_GID] = "gid", [KCAP_T_TIMESTAMP] = "timestamp", [KCAP_T_DURATION] = "duration",
	[KCAP_T_SID] = "sid", [KCAP_T_GUID] = "guid", [KCAP_T_PID] = "pid", [KCAP_T_JSON] = "json",
};

const char *kcap_ptype_name(int type)
{
	return (type > 0 && type <= KCAP_T_MAX_) ? ptype_names[type] : NULL;
}

int kcap_ptype_from_name(const char *name)
{
	for (int t = 1; t <= KCAP_T_MAX_; t++)
		if (name && ptype_names[t] && !strcmp(ptype_names[t], name))
			return t;
	return 0;
}

int kcap_ptype_is_signed(int type)
{
	switch (type) {
	case KCAP_T_I8: case KCAP_T_I16: case KCAP_T_I32: case KCAP_T_I64:
	case KCAP_T_FD: case KCAP_T_RET: case KCAP_T_TIMESTAMP: case KCAP_T_DURATION: case KCAP_T_PID:
		return 1;
	default:
		return 0;
	}
}

void kcap_buf_free(kcap_buf *b)
{
	if (!b)
		return;
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

int kcap_buf_reserve(kcap_buf *b, size_t extra)
{
	if (b->cap - b->len >= extra)
		return 0;
	size_t need = b->len + extra, cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap *= 2;
	char *d = realloc(b->data, cap);
	if (!d)
		return KCAP_E_NOMEM;
	b->data = d;
	b->cap = cap;
	return 0;
}

int kcap_buf_append(kcap_buf *b, const void *p, size_t n) { return kcap_buf_add(b, p, n); }

int kcap_buf_put_varint(kcap_buf *b, uint64_t v)
{
	if (kcap_buf_reserve(b, 10))
		return KCAP_E_NOMEM;
	uint8_t *e = put_varint((uint8_t *)b->data + b->len, v);
	b->len = (size_t)((char *)e - b->data);
	return 0;
}

int kcap_buf_put_str(kcap_buf *b, const char *s, size_t n)
{
	if (kcap_buf_put_varint(b, n))
		return KCAP_E_NOMEM;
	return kcap_buf_append(b, s, n);
}

char *cur_strdup(cur *c)
{
	uint64_t n = cur_varint(c);
	const uint8_t *p = cur_bytes(c, n);
	if (!p)
		return NULL;
	char *s = malloc(n + 1);
	if (!s) {
		c->bad = 1;
		return NULL;
	}
	memcpy(s, p, n);
	s[n] = 0;
	return s;
}
