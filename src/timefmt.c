/* RFC 3339 times: parsing what peers send, formatting what the hub stamps. */
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "timefmt.h"

#define TIMEFMT_USEC_PER_SEC	1000000LL
#define TIMEFMT_SEC_PER_DAY	86400LL

/* Whether year y of the proleptic Gregorian calendar is a leap year. */
static int
timefmt_is_leap(int64_t y)
{
	return ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0);
}

/* Number of days in month m (1-12) of year y. */
static int
timefmt_days_in_month(int64_t y, int m)
{
	static const int	days[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	if (m == 2 && timefmt_is_leap(y))
		return (29);
	return (days[m - 1]);
}

/*
 * Days since 1970-01-01 of a proleptic Gregorian date. Counting from March
 * puts the leap day last in the shifted year, so a 400-year era is a plain
 * sum; this is the well-known days-from-civil arithmetic.
 */
static int64_t
timefmt_days_from_civil(int64_t y, int m, int d)
{
	int64_t		era;
	int64_t		yoe, doy, doe;

	if (m <= 2)
		y--;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (era * 146097 + doe - 719468);
}

/* The date of day z since 1970-01-01: the inverse of the above. */
static void
timefmt_civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t		era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

/* Floor division and its non-negative remainder. */
static int64_t
timefmt_floordiv(int64_t a, int64_t b, int64_t *rem)
{
	int64_t	q = a / b, r = a % b;

	if (r < 0) {
		r += b;
		q--;
	}
	*rem = r;
	return (q);
}

/*
 * Read exactly n ASCII digits at *sp (not isdigit: that follows the
 * locale). Returns 0 and advances *sp, or -1.
 */
static int
timefmt_digits(const char **sp, int n, int *out)
{
	const char	*s = *sp;
	int		 i, v = 0;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return (-1);
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	*sp = s + n;
	return (0);
}

/* Consume the single character c at *sp. */
static int
timefmt_expect(const char **sp, char c)
{
	if (**sp != c)
		return (-1);
	(*sp)++;
	return (0);
}

/*
 * Parse an RFC 3339 date-time into microseconds since the epoch, UTC.
 *
 * Fractions are truncated to microseconds. A leap second (second 60) is
 * accepted only where one can occur, at 23:59:60 UTC on the last day of a
 * month, and is stored as 23:59:59.999999 of that day: the epoch count has
 * no slot for it, and this keeps it in its own day and before the next one.
 */
int
rfc3339_parse(const char *s, int64_t *usec)
{
	int		 year, mon, day, hour, min, sec;
	int		 ohour = 0, omin = 0, sign = 0, ndigits = 0;
	int64_t		 frac = 0, days, total, dayno, tod;
	int64_t		 uy;
	int		 um, ud;

	if (s == NULL)
		return (-1);
	if (timefmt_digits(&s, 4, &year) != 0 || timefmt_expect(&s, '-') != 0 ||
	    timefmt_digits(&s, 2, &mon) != 0 || timefmt_expect(&s, '-') != 0 ||
	    timefmt_digits(&s, 2, &day) != 0)
		return (-1);
	if (*s != 'T' && *s != 't')
		return (-1);
	s++;
	if (timefmt_digits(&s, 2, &hour) != 0 || timefmt_expect(&s, ':') != 0 ||
	    timefmt_digits(&s, 2, &min) != 0 || timefmt_expect(&s, ':') != 0 ||
	    timefmt_digits(&s, 2, &sec) != 0)
		return (-1);

	if (*s == '.') {
		s++;
		while (*s >= '0' && *s <= '9') {
			if (++ndigits > 9)
				return (-1);
			if (ndigits <= 6)
				frac = frac * 10 + (*s - '0');
			s++;
		}
		if (ndigits == 0)
			return (-1);
		for (; ndigits < 6; ndigits++)
			frac *= 10;
	}

	if (*s == 'Z' || *s == 'z')
		s++;
	else if (*s == '+' || *s == '-') {
		sign = (*s == '+') ? 1 : -1;
		s++;
		if (timefmt_digits(&s, 2, &ohour) != 0 ||
		    timefmt_expect(&s, ':') != 0 ||
		    timefmt_digits(&s, 2, &omin) != 0)
			return (-1);
		if (ohour > 23 || omin > 59)
			return (-1);
	} else
		return (-1);
	if (*s != '\0')
		return (-1);

	if (mon < 1 || mon > 12 || day < 1 ||
	    day > timefmt_days_in_month(year, mon))
		return (-1);
	if (hour > 23 || min > 59 || sec > 60)
		return (-1);

	days = timefmt_days_from_civil(year, mon, day);
	total = days * TIMEFMT_SEC_PER_DAY + hour * 3600 + min * 60 +
	    (sec == 60 ? 59 : sec);
	total -= sign * (ohour * 3600 + omin * 60);

	if (sec == 60) {
		dayno = timefmt_floordiv(total, TIMEFMT_SEC_PER_DAY, &tod);
		if (tod != TIMEFMT_SEC_PER_DAY - 1)
			return (-1);
		timefmt_civil_from_days(dayno, &uy, &um, &ud);
		if (ud != timefmt_days_in_month(uy, um))
			return (-1);
		frac = TIMEFMT_USEC_PER_SEC - 1;
	}

	*usec = total * TIMEFMT_USEC_PER_SEC + frac;
	return (0);
}

/* Format usec as "YYYY-MM-DDTHH:MM:SS.mmmZ", milliseconds truncated. */
char *
rfc3339_format(int64_t usec, char *buf, size_t size)
{
	int64_t	secs, rem, dayno, tod, y;
	int	m, d;

	secs = timefmt_floordiv(usec, TIMEFMT_USEC_PER_SEC, &rem);
	dayno = timefmt_floordiv(secs, TIMEFMT_SEC_PER_DAY, &tod);
	timefmt_civil_from_days(dayno, &y, &m, &d);
	if (size > 0) {
		(void)snprintf(buf, size,
		    "%04lld-%02d-%02dT%02d:%02d:%02d.%03dZ", (long long)y, m, d,
		    (int)(tod / 3600), (int)(tod / 60 % 60), (int)(tod % 60),
		    (int)(rem / 1000));
	}
	return (buf);
}

/*
 * Microseconds since the epoch. CLOCK_REALTIME with a valid timespec cannot
 * fail; -1 marks the impossible rather than a made-up time.
 */
int64_t
time_now_usec(void)
{
	struct timespec	ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
		return (-1);
	return ((int64_t)ts.tv_sec * TIMEFMT_USEC_PER_SEC + ts.tv_nsec / 1000);
}
