/* Time literals (filter.h): shared by the filter language and slice. Their
 * offsets are durations in the one grammar of common/value_parse.c. */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <kcap/filter.h>
#include "common/common.h"
#include "common/port.h"

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

/* HH:MM[:SS[.FRACTION]] at *pp (columns counted within s), as ns after
 * midnight; leap second 60 allowed, as RFC 3339 does. */
static int parse_tod(const char *s, const char **pp, int64_t *out, kcap_error *err)
{
	const char *p = *pp, *tstart = p;
	int h, mi, sec = 0;
	int64_t frac_ns = 0;
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
	*out = ((int64_t)h * 3600 + mi * 60 + sec) * 1000000000LL + frac_ns;
	*pp = p;
	return 0;
}

static int64_t floor_div(int64_t a, int64_t b) { return a / b - (a % b != 0 && (a < 0) != (b < 0)); }

/* The local wall-clock time secs seconds after midnight of tm's date (which
 * may be a day or more before or after it), in s since the epoch. The days
 * go to tm_mday and the rest to hour, minute and second, because mktime
 * normalizes a day of the month as wall-clock days but adds an out-of-range
 * tm_sec as elapsed seconds: 23892 s after midnight would be 07:38:12 on a
 * day that springs forward, not 06:38:12. */
static int local_mktime(struct tm *tm, int64_t secs, int64_t *out, kcap_error *err)
{
	int64_t days = floor_div(secs, 86400), rem = secs - days * 86400;
	if (days > 1000000 || days < -1000000)
		return kcap_seterr_col(err, KCAP_E_INVAL, 1, "time out of range (years 1678 to 2262)");
	tm->tm_mday += (int)days;
	tm->tm_hour = (int)(rem / 3600);
	tm->tm_min = (int)(rem / 60 % 60);
	tm->tm_sec = (int)(rem % 60);
	tm->tm_isdst = -1;
	time_t t = mktime(tm);
	if (t == (time_t)-1 && !(tm->tm_year == 69 && tm->tm_mday == 31))
		return kcap_seterr_col(err, KCAP_E_INVAL, 1, "local time cannot be represented");
	if ((int64_t)t >= INT64_MAX / 1000000000LL || (int64_t)t <= INT64_MIN / 1000000000LL)
		return kcap_seterr_col(err, KCAP_E_INVAL, 1, "time out of range (years 1678 to 2262)");
	*out = (int64_t)t;
	return 0;
}

/* Date-time forms. */
static int parse_datetime(const char *s, int64_t *out, kcap_error *err)
{
	const char *p = s;
	int y, mo, d;
	int64_t tod = 0;
	if (digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) || *p++ != '-' || digits(&p, 2, &d))
		return kcap_seterr_col(err, KCAP_E_SYNTAX, 1, "bad date (expected YYYY-MM-DD)");
	if (mo < 1 || mo > 12 || d < 1 || d > 31)
		return kcap_seterr_col(err, KCAP_E_INVAL, 6, "date out of range");
	if (*p == 'T' || *p == 't' || (*p == ' ' && isdigit((unsigned char)p[1]))) {
		p++;
		int rc = parse_tod(s, &p, &tod, err);
		if (rc)
			return rc;
	}
	int64_t tod_s = tod / 1000000000LL, frac_ns = tod % 1000000000LL;
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
		int64_t secs = days * 86400 + tod_s - off;
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
	int64_t t;
	int rc = local_mktime(&tm, tod_s, &t, err);
	if (rc)
		return rc;
	*out = t * 1000000000LL + frac_ns;
	return 0;
}

/* journalctl's words: the moment the caller says is now, and midnights. */
static const struct time_word {
	const char *word;
	int anchor;
	int64_t value;
} time_words[] = {
	{"now", KCAP_TIME_FROM_NOW, 0},
	{"today", KCAP_TIME_FROM_NOW | KCAP_TIME_DAY, 0},
	{"yesterday", KCAP_TIME_FROM_NOW | KCAP_TIME_DAY, -86400 * 1000000000LL},
	{"tomorrow", KCAP_TIME_FROM_NOW | KCAP_TIME_DAY, 86400 * 1000000000LL},
};

/* "DURATION ago" (n bytes of s before the blanks and "ago"): the duration
 * grammar, where blanks may also part a number from its unit or two parts
 * ("10 min", "1 h 30 min"), as journalctl writes them; blanks between two
 * digits would join numbers and are refused. */
static int parse_ago(const char *s, size_t n, int64_t *out, kcap_error *err)
{
	char buf[64];
	int col[64];
	size_t k = 0;
	if (!n)
		return kcap_seterr_col(err, KCAP_E_SYNTAX, 1, "expected a duration before 'ago' (e.g. \"10 min ago\")");
	for (size_t i = 0; i < n; i++) {
		if (s[i] == ' ' || s[i] == '\t') {
			size_t j = i;
			while (j < n && (s[j] == ' ' || s[j] == '\t'))
				j++;
			if (k && j < n && (isdigit((unsigned char)buf[k - 1]) || buf[k - 1] == '.') &&
			    (isdigit((unsigned char)s[j]) || s[j] == '.'))
				return kcap_seterr_col(err, KCAP_E_SYNTAX, (int)j + 1, "a blank between two numbers");
			i = j - 1;
			continue;
		}
		if (k + 1 >= sizeof buf)
			return kcap_seterr_col(err, KCAP_E_SYNTAX, (int)i + 1, "duration too long");
		col[k] = (int)i;
		buf[k++] = s[i];
	}
	buf[k] = 0;
	int rc = kcap_parse_duration(buf, out, err);
	if (rc && err && err->column > 0)
		err->column = (size_t)err->column <= k ? col[err->column - 1] + 1 : (int)n + 1;
	return rc;
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
	for (size_t i = 0; i < sizeof time_words / sizeof time_words[0]; i++)
		if (!strcmp(s, time_words[i].word)) {
			*anchor = time_words[i].anchor;
			*value = time_words[i].value;
			return 0;
		}
	size_t len = strlen(s);
	if (len >= 3 && !strcmp(s + len - 3, "ago") && (len == 3 || s[len - 4] == ' ' || s[len - 4] == '\t')) {
		size_t n = len - 3;
		while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
		int64_t v;
		int rc = parse_ago(s, n, &v, err);
		if (rc)
			return rc;
		*anchor = KCAP_TIME_FROM_NOW;
		*value = -v;
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
	if (q - s == 2 && *q == ':') {
		/* a time of day on the capture's first day: local, or UTC with Z */
		const char *p = s;
		int64_t tod;
		int rc = parse_tod(s, &p, &tod, err);
		if (rc)
			return rc;
		int utc = *p == 'Z' || *p == 'z';
		if (utc)
			p++;
		if (*p)
			return kcap_seterr_col(err, KCAP_E_SYNTAX, (int)(p - s) + 1, "unexpected '%c' after the time of day", *p);
		*anchor = KCAP_TIME_FROM_START | KCAP_TIME_DAY | (utc ? KCAP_TIME_UTC : 0);
		*value = tod;
		return 0;
	}
	return kcap_seterr_col(err, KCAP_E_SYNTAX, (int)(q - s) + 1,
	            "bad time (expected seconds or ns since the epoch, @seconds, RFC 3339, local date-time, "
	            "HH:MM[:SS], now, today, yesterday, DURATION ago, +offset or -offset)");
}

int kcap_time_resolve(int anchor, int64_t value, const kcap_time_ref *ref, int64_t *out, kcap_error *err)
{
	if (!out)
		return kcap_seterr_col(err, KCAP_E_INVAL, 0, "no output");
	if (anchor == KCAP_TIME_ABS) {
		*out = value;
		return 0;
	}
	int64_t base = INT64_MIN;
	const char *what = "the capture start";
	if (ref && (anchor & KCAP_TIME_FROM_START))
		base = ref->start;
	if (anchor & KCAP_TIME_FROM_END) {
		what = "the capture end";
		base = ref ? ref->end : INT64_MIN;
	}
	if (anchor & KCAP_TIME_FROM_NOW) {
		what = "the current time";
		base = ref ? ref->now : INT64_MIN;
	}
	if (base == INT64_MIN)
		return kcap_seterr_col(err, KCAP_E_INVAL, 1, "relative to %s, which is unknown", what);
	int64_t r;
	if (anchor & KCAP_TIME_DAY) {
		/* midnight of base's day, then value after it as wall-clock time */
		int64_t secs = floor_div(base, 1000000000LL), vs = floor_div(value, 1000000000LL);
		int64_t frac = value - vs * 1000000000LL;
		if (anchor & KCAP_TIME_UTC) {
			secs = floor_div(secs, 86400) * 86400 + vs;
		} else {
			time_t t = (time_t)secs;
			struct tm tm;
			if (!localtime_r(&t, &tm))
				return kcap_seterr_col(err, KCAP_E_INVAL, 1, "local time cannot be represented");
			int rc = local_mktime(&tm, vs, &secs, err);
			if (rc)
				return rc;
		}
		if (secs >= INT64_MAX / 1000000000LL || secs <= INT64_MIN / 1000000000LL)
			return kcap_seterr_col(err, KCAP_E_INVAL, 1, "time out of range (years 1678 to 2262)");
		r = secs * 1000000000LL + frac;
	} else if (__builtin_add_overflow(base, value, &r)) {
		return kcap_seterr_col(err, KCAP_E_INVAL, 1, "time out of range (years 1678 to 2262)");
	}
	*out = r;
	return 0;
}

int kcap_parse_time(const char *s, int64_t capture_start, int64_t capture_end, int64_t *out, kcap_error *err)
{
	int anchor;
	int64_t v;
	int rc = kcap_parse_time_rel(s, &anchor, &v, err);
	if (rc)
		return rc;
	kcap_time_ref ref = {capture_start, capture_end, INT64_MIN};
	if ((rc = kcap_time_resolve(anchor, v, &ref, &v, err)))
		return rc;
	if (out)
		*out = v;
	return 0;
}
