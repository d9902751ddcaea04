/* value_parse.c - the one grammar of kcap's values: counts, integers, sizes,
 * durations and real numbers (kcap.h "values", docs/CLI.md "Values"). Every
 * CLI option reads its value here, the filter's duration literals too, and
 * the time literals of query/filter_time.c read their +/- offsets with
 * kcap_parse_duration, so that `5m` means the same wherever it is typed. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "common/common.h"

/* Reads the digits at *pp (within s, for the error column) in base 10 or 16
 * into *v. Returns 0, or an error when there is no digit or on overflow. */
static int read_digits(const char *s, const char **pp, int base, uint64_t *v, kcap_error *err)
{
	const char *p = *pp;
	uint64_t n = 0;
	if (!isxdigit((unsigned char)*p) || (base == 10 && !isdigit((unsigned char)*p))) {
		if (!*p)
			return kcap_seterr_col(err, KCAP_E_SYNTAX, (int)(p - s) + 1, "expected a digit");
		return kcap_seterr_col(err, KCAP_E_SYNTAX, (int)(p - s) + 1, "expected a digit, not '%c'", *p);
	}
	for (; base == 16 ? isxdigit((unsigned char)*p) : isdigit((unsigned char)*p); p++) {
		unsigned d = isdigit((unsigned char)*p) ? (unsigned)(*p - '0') : (unsigned)(tolower((unsigned char)*p) - 'a' + 10);
		if (n > (UINT64_MAX - d) / (uint64_t)base)
			return kcap_seterr_col(err, KCAP_E_INVAL, (int)(*pp - s) + 1, "larger than %llu",
			            (unsigned long long)UINT64_MAX);
		n = n * (uint64_t)base + d;
	}
	*pp = p;
	*v = n;
	return 0;
}

/* What counts and sizes refuse before their digits; what names them. */
static int unsigned_start(const char *s, const void *out, const char *what, kcap_error *err)
{
	if (!s || !out)
		return kcap_seterr_col(err, KCAP_E_INVAL, 0, "no value");
	if (!*s)
		return kcap_seterr_col(err, KCAP_E_SYNTAX, 1, "empty");
	if (*s == '-')
		return kcap_seterr_col(err, KCAP_E_INVAL, 1, "a %s cannot be negative", what);
	return 0;
}

int kcap_parse_count(const char *s, uint64_t *out, kcap_error *err)
{
	int rc = unsigned_start(s, out, "count", err);
	if (rc)
		return rc;
	const char *p = s;
	int base = 10;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	uint64_t v;
	rc = read_digits(s, &p, base, &v, err);
	if (rc)
		return rc;
	if (*p)
		return kcap_seterr_col(err, KCAP_E_SYNTAX, (int)(p - s) + 1, "unexpected '%c' after the number", *p);
	*out = v;
	return 0;
}

int kcap_parse_int(const char *s, int64_t *out, kcap_error *err)
{
	if (!s || !out)
		return kcap_seterr_col(err, KCAP_E_INVAL, 0, "no value");
	const char *p = s;
	int neg = *p == '-';
	if (*p == '-' || *p == '+')
		p++;
	uint64_t v;
	int rc = read_digits(s, &p, 10, &v, err);
	if (rc)
		return rc;
	if (*p)
		return kcap_seterr_col(err, KCAP_E_SYNTAX, (int)(p - s) + 1, "unexpected '%c' after the number", *p);
	if (v > (uint64_t)INT64_MAX + (uint64_t)neg)
		return kcap_seterr_col(err, KCAP_E_INVAL, 1, "outside %lld..%lld", (long long)INT64_MIN, (long long)INT64_MAX);
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return 0;
}

/* The integer and fraction of a number "12", "1.5", ".5": *frac / *fdiv is the
 * fraction, cut after 15 digits (below a nanosecond of a day). */
static int read_decimal(const char *s, const char **pp, uint64_t *ip, uint64_t *frac, uint64_t *fdiv,
                        kcap_error *err)
{
	const char *p = *pp;
	*ip = 0;
	*frac = 0;
	*fdiv = 1;
	if (*p != '.') {
		int rc = read_digits(s, &p, 10, ip, err);
		if (rc)
			return rc;
	}
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p) && p - 1 == *pp)
			return kcap_seterr_col(err, KCAP_E_SYNTAX, (int)(p - s), "expected a number");
		for (; isdigit((unsigned char)*p); p++)
			if (*fdiv < 1000000000000000ULL) {
				*frac = *frac * 10 + (uint64_t)(*p - '0');
				*fdiv *= 10;
			}
	}
	*pp = p;
	return 0;
}

/* A unit is a run of letters, or bytes of UTF-8 (µs). */
static size_t unit_len(const char *u)
{
	size_t n = 0;
	while (isalpha((unsigned char)u[n]) || (unsigned char)u[n] >= 0x80)
		n++;
	return n;
}

static const struct size_unit {
	char letter;
	unsigned shift;
} size_units[] = {{'k', 10}, {'m', 20}, {'g', 30}, {'t', 40}};

int kcap_parse_size(const char *s, uint64_t *out, kcap_error *err)
{
	int rc = unsigned_start(s, out, "size", err);
	if (rc)
		return rc;
	const char *p = s;
	uint64_t ip, frac, fdiv;
	rc = read_decimal(s, &p, &ip, &frac, &fdiv, err);
	if (rc)
		return rc;
	const char *u = p;
	unsigned shift = 0;
	for (size_t i = 0; *u && i < sizeof(size_units) / sizeof(size_units[0]); i++)
		if (tolower((unsigned char)*u) == size_units[i].letter) {
			shift = size_units[i].shift;
			p++;
			break;
		}
	if (shift && *p == 'i')
		p++;
	if (*p == 'B' || *p == 'b')
		p++;
	if (*p)
		return kcap_seterr_col(err, KCAP_E_SYNTAX, (int)(u - s) + 1,
		            "unknown unit '%s' (B, k, M, G, T; also KiB, MB ...: all powers of 1024)", u);
	if (!shift && fdiv > 1)
		return kcap_seterr_col(err, KCAP_E_SYNTAX, 1, "a fraction of a byte");
	uint64_t mul = 1ULL << shift;
	if (ip > UINT64_MAX / mul)
		return kcap_seterr_col(err, KCAP_E_INVAL, 1, "larger than %llu bytes", (unsigned long long)UINT64_MAX);
	/* the fraction adds less than mul <= 2^40: a double holds it exactly enough */
	uint64_t part = (uint64_t)((double)frac / (double)fdiv * (double)mul);
	if (ip * mul > UINT64_MAX - part)
		return kcap_seterr_col(err, KCAP_E_INVAL, 1, "larger than %llu bytes", (unsigned long long)UINT64_MAX);
	*out = ip * mul + part;
	return 0;
}

/* Units of durations. Each is c * 10^e ns, so that a fraction is exact: the
 * table says so instead of dividing at run time. "m" is minutes, as in
 * sleep(1) and systemd; months and metres have no business here. */
static const struct dur_unit {
	const char *name;
	uint64_t c;
	int e;
} dur_units[] = {
	{"ns", 1, 0}, {"us", 1, 3}, {"\xc2\xb5s", 1, 3}, {"\xce\xbcs", 1, 3}, {"ms", 1, 6}, {"s", 1, 9},
	{"m", 6, 10}, {"min", 6, 10}, {"h", 36, 11}, {"d", 864, 11},
};
#define DUR_UNITS "ns, us, \xc2\xb5s, ms, s, m, min, h, d"

static uint64_t pow10u(int e)
{
	uint64_t v = 1;
	while (e-- > 0)
		v *= 10;
	return v;
}

/* One "1.5h" part: ns of ip.frac units, or -1 when past INT64_MAX. */
static int64_t dur_part(uint64_t ip, uint64_t frac, uint64_t fdiv, const struct dur_unit *u)
{
	uint64_t mult = u->c * pow10u(u->e);
	if (ip > (uint64_t)INT64_MAX / mult)
		return -1;
	uint64_t v = ip * mult;
	/* frac / fdiv * c * 10^e: frac < 10^15 and c < 1000 keep frac * c in range */
	int fe = 0;
	for (uint64_t d = fdiv; d > 1; d /= 10)
		fe++;
	uint64_t f = frac * u->c;
	if (fe <= u->e) {
		f *= pow10u(u->e - fe);
	} else {
		uint64_t div = pow10u(fe - u->e);
		f = (f + div / 2) / div;
	}
	if (v > (uint64_t)INT64_MAX - f)
		return -1;
	return (int64_t)(v + f);
}

int kcap_parse_duration(const char *s, int64_t *out, kcap_error *err)
{
	if (!s || !out)
		return kcap_seterr_col(err, KCAP_E_INVAL, 0, "no duration");
	const char *p = s;
	if (*p == '-')
		return kcap_seterr_col(err, KCAP_E_INVAL, 1, "negative duration");
	if (*p == '+')
		p++;
	if (!*p)
		return kcap_seterr_col(err, KCAP_E_SYNTAX, (int)(p - s) + 1, "empty duration");
	/* 0 needs no unit: it is the same in every unit */
	if (strspn(p, "0") == strlen(p)) {
		*out = 0;
		return 0;
	}
	int64_t total = 0;
	while (*p) {
		const char *start = p;
		uint64_t ip, frac, fdiv;
		if (!isdigit((unsigned char)*p) && *p != '.')
			return kcap_seterr_col(err, KCAP_E_SYNTAX, (int)(p - s) + 1, "expected a number in duration");
		int rc = read_decimal(s, &p, &ip, &frac, &fdiv, err);
		if (rc)
			return rc == KCAP_E_INVAL ? kcap_seterr_col(err, rc, (int)(start - s) + 1, "duration out of range") : rc;
		size_t ul = unit_len(p);
		const struct dur_unit *u = NULL;
		for (size_t i = 0; i < sizeof(dur_units) / sizeof(dur_units[0]); i++)
			if (strlen(dur_units[i].name) == ul && !memcmp(dur_units[i].name, p, ul))
				u = &dur_units[i];
		if (!u) {
			if (!ul)
				return kcap_seterr_col(err, KCAP_E_SYNTAX, (int)(p - s) + 1, "missing unit (" DUR_UNITS ")");
			return kcap_seterr_col(err, KCAP_E_SYNTAX, (int)(p - s) + 1, "unknown unit '%.*s' (" DUR_UNITS ")", (int)ul, p);
		}
		p += ul;
		int64_t part = dur_part(ip, frac, fdiv, u);
		if (part < 0 || total > INT64_MAX - part)
			return kcap_seterr_col(err, KCAP_E_INVAL, (int)(start - s) + 1, "duration out of range");
		total += part;
	}
	*out = total;
	return 0;
}

int kcap_parse_real(const char *s, double *out, kcap_error *err)
{
	if (!s || !out)
		return kcap_seterr_col(err, KCAP_E_INVAL, 0, "no value");
	/* decimal only: strtod's hex floats, "inf", "nan" and leading blanks are
	 * not numbers a user means */
	const char *p = s;
	if (*p == '-' || *p == '+')
		p++;
	size_t nd = strspn(p, "0123456789");
	p += nd;
	if (*p == '.') {
		size_t nf = strspn(p + 1, "0123456789");
		nd += nf;
		p += 1 + nf;
	}
	if (!nd)
		return *p ? kcap_seterr_col(err, KCAP_E_SYNTAX, (int)(p - s) + 1, "'%c' is not a digit", *p)
		          : kcap_seterr_col(err, KCAP_E_SYNTAX, (int)(p - s) + 1, "no digits");
	if (*p == 'e' || *p == 'E') {
		const char *e = p + 1;
		if (*e == '-' || *e == '+')
			e++;
		size_t ne = strspn(e, "0123456789");
		if (!ne)
			return kcap_seterr_col(err, KCAP_E_SYNTAX, (int)(e - s) + 1, "expected the digits of an exponent");
		p = e + ne;
	}
	if (*p)
		return kcap_seterr_col(err, KCAP_E_SYNTAX, (int)(p - s) + 1, "unexpected '%c' after the number", *p);
	errno = 0;
	double v = strtod(s, NULL);
	if (errno == ERANGE || !isfinite(v))
		return kcap_seterr_col(err, KCAP_E_INVAL, 1, "out of the range of a double");
	*out = v;
	return 0;
}
