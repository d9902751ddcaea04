/* A strict JSON syntax check (RFC 8259) for json-typed params: the renderer
 * embeds such text verbatim only when it is valid, so a hostile capture
 * cannot make `convert --json` emit a broken line. */
#include "common/common.h"

typedef struct jc {
	const uint8_t *p, *end;
	int depth;
} jc;

static void ws(jc *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
		c->p++;
}

static int lit(jc *c, const char *s)
{
	size_t n = strlen(s);
	if ((size_t)(c->end - c->p) < n || memcmp(c->p, s, n))
		return 0;
	c->p += n;
	return 1;
}

static int digits(jc *c)
{
	const uint8_t *s = c->p;
	while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
		c->p++;
	return c->p > s;
}

static int number(jc *c)
{
	if (c->p < c->end && *c->p == '-')
		c->p++;
	if (c->p < c->end && *c->p == '0')
		c->p++;
	else if (!digits(c))
		return 0;
	if (c->p < c->end && *c->p == '.') {
		c->p++;
		if (!digits(c))
			return 0;
	}
	if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
		c->p++;
		if (c->p < c->end && (*c->p == '+' || *c->p == '-'))
			c->p++;
		if (!digits(c))
			return 0;
	}
	return 1;
}

static int hex4(jc *c)
{
	for (int i = 0; i < 4; i++, c->p++) {
		if (c->p >= c->end)
			return 0;
		uint8_t h = *c->p;
		if (!((h >= '0' && h <= '9') || (h >= 'a' && h <= 'f') || (h >= 'A' && h <= 'F')))
			return 0;
	}
	return 1;
}

static int string(jc *c)
{
	if (c->p >= c->end || *c->p != '"')
		return 0;
	c->p++;
	while (c->p < c->end) {
		uint8_t ch = *c->p;
		if (ch == '"') {
			c->p++;
			return 1;
		}
		if (ch < 0x20)
			return 0;
		if (ch == '\\') {
			c->p++;
			if (c->p >= c->end)
				return 0;
			uint8_t e = *c->p++;
			if (e == 'u') {
				if (!hex4(c))
					return 0;
			} else if (!strchr("\"\\/bfnrt", e) || !e) {
				return 0;
			}
			continue;
		}
		if (ch < 0x80) {
			c->p++;
			continue;
		}
		size_t n = kcap_utf8_seq(c->p, c->end);
		if (!n)
			return 0;
		c->p += n;
	}
	return 0;
}

static int value(jc *c);

static int container(jc *c, uint8_t close, int object)
{
	if (++c->depth > KCAP_JSON_MAX_DEPTH)
		return 0;
	c->p++;
	ws(c);
	if (c->p < c->end && *c->p == close) {
		c->p++;
		c->depth--;
		return 1;
	}
	for (;;) {
		if (object) {
			if (!string(c))
				return 0;
			ws(c);
			if (c->p >= c->end || *c->p != ':')
				return 0;
			c->p++;
		}
		if (!value(c))
			return 0;
		ws(c);
		if (c->p < c->end && *c->p == ',') {
			c->p++;
			ws(c);
			continue;
		}
		if (c->p < c->end && *c->p == close) {
			c->p++;
			c->depth--;
			return 1;
		}
		return 0;
	}
}

static int value(jc *c)
{
	ws(c);
	if (c->p >= c->end)
		return 0;
	switch (*c->p) {
	case '{': return container(c, '}', 1);
	case '[': return container(c, ']', 0);
	case '"': return string(c);
	case 't': return lit(c, "true");
	case 'f': return lit(c, "false");
	case 'n': return lit(c, "null");
	default: return number(c);
	}
}

int kcap_json_text_valid(const uint8_t *p, size_t n)
{
	jc c = {p, p + n, 0};
	if (!value(&c))
		return 0;
	ws(&c);
	return c.p == c.end;
}
