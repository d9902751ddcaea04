/* port_inet.c - IPv4 and IPv6 address text, as glibc's inet_ntop and
 * inet_pton write and accept it: the Windows build's (port.h), and on every
 * system the subject of tests/unit/test_port.c, which compares it with the
 * C library's. Written from RFC 4291 (text forms), RFC 5952 section 4 (the
 * longest run of two or more zero groups becomes "::", the first of equal
 * runs; lower-case hex without leading zeros) and the IPv4-compatible and
 * -mapped forms the BSD resolver code prints with a dotted quad. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/port.h"

static int pton4(const char *s, unsigned char out[4])
{
	unsigned char a[4] = {0};
	int parts = 0, digits = 0;
	unsigned v = 0;
	for (;; s++) {
		char c = *s;
		if (c >= '0' && c <= '9') {
			if (digits && v == 0)
				return 0; /* a leading zero */
			v = v * 10 + (unsigned)(c - '0');
			if (v > 255)
				return 0;
			if (!digits++ && ++parts > 4)
				return 0;
			a[parts - 1] = (unsigned char)v;
		} else if (c == '.' && digits) {
			if (parts == 4)
				return 0;
			digits = 0;
			v = 0;
		} else if (c == 0) {
			break;
		} else {
			return 0;
		}
	}
	if (parts < 4 || !digits)
		return 0;
	memcpy(out, a, 4);
	return 1;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int pton6(const char *s, unsigned char out[16])
{
	unsigned char a[16] = {0};
	size_t pos = 0, gap = (size_t)-1;
	unsigned v = 0;
	int nx = 0;
	const char *tok = s;
	if (*s == ':' && *++s != ':')
		return 0;
	for (;;) {
		char c = *s++;
		if (c == 0)
			break;
		int d = hexval(c);
		if (d >= 0) {
			if (nx == 4)
				return 0;
			v = v << 4 | (unsigned)d;
			nx++;
			continue;
		}
		if (c == ':') {
			tok = s;
			if (!nx) {
				if (gap != (size_t)-1)
					return 0;
				gap = pos;
				continue;
			}
			if (*s == 0 || pos + 2 > 16)
				return 0;
			a[pos++] = (unsigned char)(v >> 8);
			a[pos++] = (unsigned char)v;
			nx = 0;
			v = 0;
			continue;
		}
		if (c == '.' && pos + 4 <= 16 && pton4(tok, a + pos)) {
			pos += 4;
			nx = 0;
			goto done;
		}
		return 0;
	}
	if (nx) {
		if (pos + 2 > 16)
			return 0;
		a[pos++] = (unsigned char)(v >> 8);
		a[pos++] = (unsigned char)v;
	}
done:
	if (gap != (size_t)-1) {
		if (pos == 16)
			return 0;
		size_t tail = pos - gap;
		memmove(a + 16 - tail, a + gap, tail);
		memset(a + gap, 0, 16 - tail - gap);
		pos = 16;
	}
	if (pos != 16)
		return 0;
	memcpy(out, a, 16);
	return 1;
}

int kcap_inet_pton(int af, const char *src, void *dst)
{
	if (af == AF_INET)
		return pton4(src, dst);
	if (af == AF_INET6)
		return pton6(src, dst);
	errno = EAFNOSUPPORT;
	return -1;
}

static const char *put(const char *t, char *dst, size_t size)
{
	if (strlen(t) >= size) {
		errno = ENOSPC;
		return NULL;
	}
	return strcpy(dst, t);
}

static const char *ntop6(const unsigned char *a, char *dst, size_t size)
{
	unsigned w[8];
	int best = -1, blen = 0;
	for (int i = 0; i < 8; i++)
		w[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
	for (int i = 0; i < 8;) {
		if (w[i]) {
			i++;
			continue;
		}
		int j = i;
		while (j < 8 && !w[j])
			j++;
		if (j - i > blen) {
			best = i;
			blen = j - i;
		}
		i = j;
	}
	if (blen < 2)
		best = -1;
	char t[64];
	size_t n = 0;
	for (int i = 0; i < 8; i++) {
		if (best >= 0 && i >= best && i < best + blen) {
			if (i == best)
				t[n++] = ':';
			continue;
		}
		if (i)
			t[n++] = ':';
		if (i == 6 && best == 0 && (blen == 6 || (blen == 7 && w[7] != 1) || (blen == 5 && w[5] == 0xffff))) {
			n += (size_t)snprintf(t + n, sizeof t - n, "%u.%u.%u.%u", a[12], a[13], a[14], a[15]);
			break;
		}
		n += (size_t)snprintf(t + n, sizeof t - n, "%x", w[i]);
	}
	if (best >= 0 && best + blen == 8)
		t[n++] = ':';
	t[n] = 0;
	return put(t, dst, size);
}

const char *kcap_inet_ntop(int af, const void *src, char *dst, size_t size)
{
	const unsigned char *a = src;
	if (af == AF_INET) {
		char t[16];
		snprintf(t, sizeof t, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
		return put(t, dst, size);
	}
	if (af == AF_INET6)
		return ntop6(a, dst, size);
	errno = EAFNOSUPPORT;
	return NULL;
}
