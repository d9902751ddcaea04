/* Time and duration literals (filter.h): shared by the filter language,
 * slice and replay. */
#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <kcap/filter.h>
#include "query/filter_internal.h"

int kcap__filter_err(kcap_error *err, int code, int col, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		memset(err, 0, sizeof(*err));
		err->code = code;
		err->offset = -1;
		err->column = col;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return code;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (civil calendar
 * arithmetic on 400-year eras, so no table and no time zone involved). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static const struct unit {
	const char *name;
	int64_t ns;
} units[] = {
	{"ns", 1}, {"us", 1000}, {"ms", 1000000}, {"min", 60000000000LL},
	{"s", 1000000000LL}, {"h", 3600000000000LL}, {"d", 86400000000000LL},
};

/* Parses "1h30min" / "1.5s" from s; bare_ns allows a unit-less integer (ns).
 * base is the column of s[0]. */
static int parse_dur(const char *s, int base, int bare_ns, int64_t *out, kcap_error *err)
{
	const char *p = s;
	int64_t total = 0;
	if (!*p)
		return kcap__filter_err(err, KCAP_E_SYNTAX, base, "empty duration");
	if (bare_ns) {
		const char *q = p;
		while (isdigit((unsigned char)*q))
			q++;
		if (!*q) {
			uint64_t v = 0;
			for (q = p; *q; q++) {
				if (v > (uint64_t)(INT64_MAX - 9) / 10)
					return kcap__filter_err(err, KCAP_E_INVAL, base, "duration out of range");
				v = v * 10 + (uint64_t)(*q - '0');
			}
			*out = (int64_t)v;
			return 0;
		}
	}
	while (*p) {
		const char *start = p;
		uint64_t ip = 0, frac = 0, fdiv = 1;
		if (!isdigit((unsigned char)*p) && *p != '.')
			return kcap__filter_err(err, KCAP_E_SYNTAX, base + (int)(p - s), "expected a number in duration");
		while (isdigit((unsigned char)*p)) {
			if (ip > 1000000000000000ULL)
				return kcap__filter_err(err, KCAP_E_INVAL, base + (int)(start - s), "duration out of range");
			ip = ip * 10 + (uint64_t)(*p++ - '0');
		}
		if (*p == '.') {
			p++;
			if (!isdigit((unsigned char)*p) && p - 1 == start)
				return kcap__filter_err(err, KCAP_E_SYNTAX, base + (int)(start - s), "expected a number in duration");
			while (isdigit((unsigned char)*p)) {
				if (fdiv < 1000000000000ULL) {
					frac = frac * 10 + (uint64_t)(*p - '0');
					fdiv *= 10;
				}
				p++;
			}
		}
		const char *u = p;
		while (isalpha((unsigned char)*p))
			p++;
		size_t ul = (size_t)(p - u);
		int64_t mult = 0;
		for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (strlen(units[i].name) == ul && !memcmp(units[i].name, u, ul))
				mult = units[i].ns;
		if (!mult) {
			if (!ul)
				return kcap__filter_err(err, KCAP_E_SYNTAX, base + (int)(u - s),
				            "missing unit (ns, us, ms, s, min, h, d)");
			return kcap__filter_err(err, KCAP_E_SYNTAX, base + (int)(u - s),
			            "unknown unit '%.*s' (ns, us, ms, s, min, h, d)", (int)ul, u);
		}
		if (ip > (uint64_t)INT64_MAX / (uint64_t)mult)
			return kcap__filter_err(err, KCAP_E_INVAL, base + (int)(start - s), "duration out of range");
		int64_t part = (int64_t)ip * mult;
		/* frac < fdiv <= 1e12 and mult <= 8.64e13: split to avoid overflow */
		part += (int64_t)((double)frac * (double)mult / (double)fdiv + 0.5);
		if (total > INT64_MAX - part)
			return kcap__filter_err(err, KCAP_E_INVAL, base + (int)(start - s), "duration out of range");
		total += part;
	}
	*out = total;
	return 0;
}

int kcap_parse_duration(const char *s, int64_t *out, kcap_error *err)
{
	if (!s || !out)
		return kcap__filter_err(err, KCAP_E_INVAL, 0, "no duration");
	if (*s == '-')
		return kcap__filter_err(err, KCAP_E_INVAL, 1, "negative duration");
	if (*s == '+')
		return parse_dur(s + 1, 2, 1, out, err);
	return parse_dur(s, 1, 1, out, err);
}

static int digits(const char **pp, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*pp)[i]))
			return -1;
		v = v * 10 + ((*pp)[i] - '0');
	}
	*pp += n;
	*out = v;
	return 0;
}

/* Date-time forms. */
static int parse_datetime(const char *s, int64_t *out, kcap_error *err)
{
	const char *p = s;
	int y, mo, d, h = 0, mi = 0, sec = 0;
	int64_t frac_ns = 0;
	if (digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) || *p++ != '-' || digits(&p, 2, &d))
		return kcap__filter_err(err, KCAP_E_SYNTAX, 1, "bad date (expected YYYY-MM-DD)");
	if (mo < 1 || mo > 12 || d < 1 || d > 31)
		return kcap__filter_err(err, KCAP_E_INVAL, 6, "date out of range");
	if (*p == 'T' || *p == 't' || (*p == ' ' && isdigit((unsigned char)p[1]))) {
		p++;
		const char *tstart = p;
		if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi))
			return kcap__filter_err(err, KCAP_E_SYNTAX, (int)(tstart - s) + 1, "bad time of day (expected HH:MM[:SS])");
		if (*p == ':') {
			p++;
			if (digits(&p, 2, &sec))
				return kcap__filter_err(err, KCAP_E_SYNTAX, (int)(p - s) + 1, "bad seconds");
			if (*p == '.' || *p == ',') {
				p++;
				int64_t mul = 100000000;
				if (!isdigit((unsigned char)*p))
					return kcap__filter_err(err, KCAP_E_SYNTAX, (int)(p - s) + 1, "bad fraction");
				while (isdigit((unsigned char)*p)) {
					frac_ns += (*p - '0') * mul;
					mul /= 10;
					p++;
				}
			}
		}
		if (h > 23 || mi > 59 || sec > 60)
			return kcap__filter_err(err, KCAP_E_INVAL, (int)(tstart - s) + 1, "time of day out of range");
	}
	if (*p == 'Z' || *p == 'z' || *p == '+' || *p == '-') {
		int64_t off = 0;
		const char *zs = p;
		if (*p == '+' || *p == '-') {
			int sign = *p == '-' ? -1 : 1, zh, zm = 0;
			p++;
			if (digits(&p, 2, &zh))
				return kcap__filter_err(err, KCAP_E_SYNTAX, (int)(zs - s) + 1, "bad zone offset");
			if (*p == ':')
				p++;
			if (*p && digits(&p, 2, &zm))
				return kcap__filter_err(err, KCAP_E_SYNTAX, (int)(zs - s) + 1, "bad zone offset");
			if (zh > 23 || zm > 59)
				return kcap__filter_err(err, KCAP_E_INVAL, (int)(zs - s) + 1, "zone offset out of range");
			off = sign * ((int64_t)zh * 3600 + zm * 60);
		} else {
			p++;
		}
		if (*p)
			return kcap__filter_err(err, KCAP_E_SYNTAX, (int)(p - s) + 1, "unexpected '%c' after the time", *p);
		int64_t days = days_from_civil(y, mo, d);
		int64_t secs = days * 86400 + h * 3600 + mi * 60 + sec - off;
		if (secs >= INT64_MAX / 1000000000LL || secs <= INT64_MIN / 1000000000LL)
			return kcap__filter_err(err, KCAP_E_INVAL, 1, "time out of range (years 1678 to 2262)");
		*out = secs * 1000000000LL + frac_ns;
		return 0;
	}
	if (*p)
		return kcap__filter_err(err, KCAP_E_SYNTAX, (int)(p - s) + 1, "unexpected '%c' in the date-time", *p);
	/* No zone: local time. */
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	tm.tm_isdst = -1;
	time_t t = mktime(&tm);
	if (t == (time_t)-1 && !(tm.tm_year == 69 && tm.tm_mday == 31))
		return kcap__filter_err(err, KCAP_E_INVAL, 1, "local time cannot be represented");
	if ((int64_t)t >= INT64_MAX / 1000000000LL || (int64_t)t <= INT64_MIN / 1000000000LL)
		return kcap__filter_err(err, KCAP_E_INVAL, 1, "time out of range (years 1678 to 2262)");
	*out = (int64_t)t * 1000000000LL + frac_ns;
	return 0;
}

int kcap_parse_time_rel(const char *s, int *anchor, int64_t *value, kcap_error *err)
{
	if (!s || !anchor || !value)
		return kcap__filter_err(err, KCAP_E_INVAL, 0, "no time");
	if (!*s)
		return kcap__filter_err(err, KCAP_E_SYNTAX, 1, "empty time");
	if (*s == '+' || *s == '-') {
		int64_t v;
		int rc = parse_dur(s + 1, 2, 0, &v, err);
		if (rc)
			return rc;
		*anchor = *s == '+' ? KCAP_TIME_FROM_START : KCAP_TIME_FROM_END;
		*value = *s == '+' ? v : -v;
		return 0;
	}
	*anchor = KCAP_TIME_ABS;
	if (*s == '@') {
		const char *p = s + 1;
		uint64_t secs = 0;
		int64_t frac = 0, mul = 100000000;
		if (!isdigit((unsigned char)*p))
			return kcap__filter_err(err, KCAP_E_SYNTAX, 2, "expected seconds after '@'");
		while (isdigit((unsigned char)*p)) {
			if (secs > (uint64_t)INT64_MAX / 1000000000ULL / 10)
				return kcap__filter_err(err, KCAP_E_INVAL, 2, "time out of range");
			secs = secs * 10 + (uint64_t)(*p++ - '0');
		}
		if (*p == '.') {
			p++;
			while (isdigit((unsigned char)*p)) {
				frac += (*p - '0') * mul;
				mul /= 10;
				p++;
			}
		}
		if (*p)
			return kcap__filter_err(err, KCAP_E_SYNTAX, (int)(p - s) + 1, "unexpected '%c' in @seconds", *p);
		if (secs > (uint64_t)(INT64_MAX / 1000000000LL) - 1)
			return kcap__filter_err(err, KCAP_E_INVAL, 2, "time out of range");
		*value = (int64_t)secs * 1000000000LL + frac;
		return 0;
	}
	const char *q = s;
	while (isdigit((unsigned char)*q))
		q++;
	if (!*q) {
		uint64_t v = 0;
		for (q = s; *q; q++) {
			if (v > (uint64_t)(INT64_MAX - 9) / 10)
				return kcap__filter_err(err, KCAP_E_INVAL, 1, "time out of range");
			v = v * 10 + (uint64_t)(*q - '0');
		}
		*value = (int64_t)v;
		return 0;
	}
	if (q - s == 4 && *q == '-')
		return parse_datetime(s, value, err);
	return kcap__filter_err(err, KCAP_E_SYNTAX, (int)(q - s) + 1,
	            "bad time (expected ns, @seconds, RFC 3339, local date-time, +offset or -offset)");
}

int kcap_parse_time(const char *s, int64_t capture_start, int64_t capture_end, int64_t *out, kcap_error *err)
{
	int anchor;
	int64_t v;
	int rc = kcap_parse_time_rel(s, &anchor, &v, err);
	if (rc)
		return rc;
	if (anchor == KCAP_TIME_FROM_START) {
		if (capture_start == INT64_MIN)
			return kcap__filter_err(err, KCAP_E_INVAL, 1, "'%s' is relative to the capture start, which is unknown", s);
		v += capture_start;
	} else if (anchor == KCAP_TIME_FROM_END) {
		if (capture_end == INT64_MIN)
			return kcap__filter_err(err, KCAP_E_INVAL, 1, "'%s' is relative to the capture end, which is unknown", s);
		v += capture_end;
	}
	if (out)
		*out = v;
	return 0;
}
