/* Time literals (filter.h): shared by the filter language and slice. Their
 * offsets are durations in the one grammar of common/value_parse.c. */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <kcap/filter.h>
#include "common/common.h"

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
		return kcap_seterr_col(err, KCAP_E_SYNTAX, 1, "bad date (expected YYYY-MM-DD)");
	if (mo < 1 || mo > 12 || d < 1 || d > 31)
		return kcap_seterr_col(err, KCAP_E_INVAL, 6, "date out of range");
	if (*p == 'T' || *p == 't' || (*p == ' ' && isdigit((unsigned char)p[1]))) {
		p++;
		const char *tstart = p;
		if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi))
			return kcap_seterr_col(err, KCAP_E_SYNTAX, (int)(tstart - s) + 1, "bad time of day (expected HH:MM[:SS])");
		if (*p == ':') {
			p++;
			if (digits(&p, 2, &sec))
				return kcap_seterr_col(err, KCAP_E_SYNTAX, (int)(p - s) + 1, "bad seconds");
			if (*p == '.' || *p == ',') {
				p++;
				int64_t mul = 100000000;
				if (!isdigit((unsigned char)*p))
					return kcap_seterr_col(err, KCAP_E_SYNTAX, (int)(p - s) + 1, "bad fraction");
				while (isdigit((unsigned char)*p)) {
					frac_ns += (*p - '0') * mul;
					mul /= 10;
					p++;
				}
			}
		}
		if (h > 23 || mi > 59 || sec > 60)
			return kcap_seterr_col(err, KCAP_E_INVAL, (int)(tstart - s) + 1, "time of day out of range");
	}
	if (*p == 'Z' || *p == 'z' || *p == '+' || *p == '-') {
		int64_t off = 0;
		const char *zs = p;
		if (*p == '+' || *p == '-') {
			int sign = *p == '-' ? -1 : 1, zh, zm = 0;
			p++;
			if (digits(&p, 2, &zh))
				return kcap_seterr_col(err, KCAP_E_SYNTAX, (int)(zs - s) + 1, "bad zone offset");
			if (*p == ':')
				p++;
			if (*p && digits(&p, 2, &zm))
				return kcap_seterr_col(err, KCAP_E_SYNTAX, (int)(zs - s) + 1, "bad zone offset");
			if (zh > 23 || zm > 59)
				return kcap_seterr_col(err, KCAP_E_INVAL, (int)(zs - s) + 1, "zone offset out of range");
			off = sign * ((int64_t)zh * 3600 + zm * 60);
		} else {
			p++;
		}
		if (*p)
			return kcap_seterr_col(err, KCAP_E_SYNTAX, (int)(p - s) + 1, "unexpected '%c' after the time", *p);
		int64_t days = days_from_civil(y, mo, d);
		int64_t secs = days * 86400 + h * 3600 + mi * 60 + sec - off;
		if (secs >= INT64_MAX / 1000000000LL || secs <= INT64_MIN / 1000000000LL)
			return kcap_seterr_col(err, KCAP_E_INVAL, 1, "time out of range (years 1678 to 2262)");
		*out = secs * 1000000000LL + frac_ns;
		return 0;
	}
	if (*p)
		return kcap_seterr_col(err, KCAP_E_SYNTAX, (int)(p - s) + 1, "unexpected '%c' in the date-time", *p);
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
		return kcap_seterr_col(err, KCAP_E_INVAL, 1, "local time cannot be represented");
	if ((int64_t)t >= INT64_MAX / 1000000000LL || (int64_t)t <= INT64_MIN / 1000000000LL)
		return kcap_seterr_col(err, KCAP_E_INVAL, 1, "time out of range (years 1678 to 2262)");
	*out = (int64_t)t * 1000000000LL + frac_ns;
	return 0;
}

int kcap_parse_time_rel(const char *s, int *anchor, int64_t *value, kcap_error *err)
{
	if (!s || !anchor || !value)
		return kcap_seterr_col(err, KCAP_E_INVAL, 0, "no time");
	if (!*s)
		return kcap_seterr_col(err, KCAP_E_SYNTAX, 1, "empty time");
	if (*s == '+' || *s == '-') {
		int64_t v;
		int rc = kcap_parse_duration(s + 1, &v, err);
		if (rc) {
			if (err && err->column > 0)
				err->column++; /* a column within s, not s + 1 */
			return rc;
		}
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
			return kcap_seterr_col(err, KCAP_E_SYNTAX, 2, "expected seconds after '@'");
		while (isdigit((unsigned char)*p)) {
			if (secs > (uint64_t)INT64_MAX / 1000000000ULL / 10)
				return kcap_seterr_col(err, KCAP_E_INVAL, 2, "time out of range");
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
			return kcap_seterr_col(err, KCAP_E_SYNTAX, (int)(p - s) + 1, "unexpected '%c' in @seconds", *p);
		if (secs > (uint64_t)(INT64_MAX / 1000000000LL) - 1)
			return kcap_seterr_col(err, KCAP_E_INVAL, 2, "time out of range");
		*value = (int64_t)secs * 1000000000LL + frac;
		return 0;
	}
	const char *q = s;
	while (isdigit((unsigned char)*q))
		q++;
	if (!*q) {
		/* epoch seconds as editcap and journalctl users type them (10
		 * digits reach 2286); longer numbers are ns, as kcap writes them */
		uint64_t v, unit = q - s <= 10 ? 1000000000ULL : 1;
		if (kcap_parse_count(s, &v, NULL) || v > (uint64_t)INT64_MAX / unit)
			return kcap_seterr_col(err, KCAP_E_INVAL, 1, "time out of range (years 1678 to 2262)");
		*value = (int64_t)(v * unit);
		return 0;
	}
	if (q - s == 4 && *q == '-')
		return parse_datetime(s, value, err);
	return kcap_seterr_col(err, KCAP_E_SYNTAX, (int)(q - s) + 1,
	            "bad time (expected seconds or ns since the epoch, @seconds, RFC 3339, local date-time, "
	            "+offset or -offset)");
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
			return kcap_seterr_col(err, KCAP_E_INVAL, 1, "'%s' is relative to the capture start, which is unknown", s);
		v += capture_start;
	} else if (anchor == KCAP_TIME_FROM_END) {
		if (capture_end == INT64_MIN)
			return kcap_seterr_col(err, KCAP_E_INVAL, 1, "'%s' is relative to the capture end, which is unknown", s);
		v += capture_end;
	}
	if (out)
		*out = v;
	return 0;
}
