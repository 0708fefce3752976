/*
 * Report lines. A report is valid under SPEC section 5: a UUID id, the code
 * availability/ddos, severity high, TLP green (so every member is entitled
 * to it), a title that carries the send time after "kbt=", and a
 * description that pads the line to the size asked for.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "bench_report.h"

#define BENCH_REPORT_STAMP_DIGITS	20
#define BENCH_REPORT_STAMP_MARK		"kbt="
#define BENCH_REPORT_COUNTER_DIGITS	12

static const char bench_report_hex[] = "0123456789abcdef";

/* The text around the id, the sender, the stamp and the description. */
static const char bench_report_head[] =
    "{\"type\":\"report\",\"report\":{\"id\":\"";
static const char bench_report_mid[] = "\",\"code\":\"availability/ddos\","
    "\"severity\":\"high\",\"tlp\":\"green\",\"title\":\"Benchmark load from ";
static const char bench_report_desc[] = "\",\"description\":\"";
static const char bench_report_tail[] = "\"}}\n";
static const char bench_report_filler[] = "Traffic surge against the "
    "benchmark target, observed by the national SOC; mitigation in "
    "progress and more details to follow. ";

/* Set *cause from a format. */
static void
bench_report_cause(char **cause, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void
bench_report_cause(char **cause, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	if (vasprintf(cause, fmt, ap) == -1)
		*cause = NULL;
	va_end(ap);
}

size_t
bench_report_min_size(const char *sender)
{
	return (sizeof bench_report_head - 1 + 36 + sizeof bench_report_mid -
	    1 + strlen(sender) + 1 + sizeof BENCH_REPORT_STAMP_MARK - 1 +
	    BENCH_REPORT_STAMP_DIGITS + sizeof bench_report_desc - 1 +
	    sizeof bench_report_tail - 1);
}

/* Write 16 random bytes as a version 4 UUID (36 characters, no NUL). */
static int
bench_report_uuid(char *out, uint64_t *counter_base)
{
	unsigned char	r[16];
	size_t		i, o = 0;
	ssize_t		n;

	do
		n = getrandom(r, sizeof r, 0);
	while (n == -1 && errno == EINTR);
	if (n != (ssize_t)sizeof r)
		return (-1);
	r[6] = 0x40 | (r[6] & 0x0f);
	r[8] = 0x80 | (r[8] & 0x3f);
	for (i = 0; i < sizeof r; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = bench_report_hex[r[i] >> 4];
		out[o++] = bench_report_hex[r[i] & 0x0f];
	}
	*counter_base = 0;
	for (i = 10; i < 16; i++)
		*counter_base = (*counter_base << 8) | r[i];
	return (0);
}

int
bench_report_init(struct bench_report *r, const char *sender, size_t size,
    char **cause)
{
	size_t	min, pad, o, i, n;
	char	*p;

	memset(r, 0, sizeof *r);
	*cause = NULL;
	min = bench_report_min_size(sender);
	if (size < min || size - min > BENCH_REPORT_DESCRIPTION_MAX) {
		bench_report_cause(cause, "--size %zu is out of range: a report "
		    "line here is %zu to %zu bytes", size, min,
		    min + BENCH_REPORT_DESCRIPTION_MAX);
		return (-1);
	}
	pad = size - min;
	if ((r->line = malloc(size + 1)) == NULL) {
		bench_report_cause(cause, "out of memory");
		return (-1);
	}
	p = r->line;
	o = 0;
	memcpy(p + o, bench_report_head, sizeof bench_report_head - 1);
	o += sizeof bench_report_head - 1;
	if (bench_report_uuid(p + o, &r->counter_base) == -1) {
		bench_report_cause(cause, "no random bytes for report ids: %s",
		    strerror(errno));
		bench_report_free(r);
		return (-1);
	}
	r->counter_at = o + 36 - BENCH_REPORT_COUNTER_DIGITS;
	o += 36;
	memcpy(p + o, bench_report_mid, sizeof bench_report_mid - 1);
	o += sizeof bench_report_mid - 1;
	n = strlen(sender);
	memcpy(p + o, sender, n);
	o += n;
	p[o++] = ' ';
	memcpy(p + o, BENCH_REPORT_STAMP_MARK,
	    sizeof BENCH_REPORT_STAMP_MARK - 1);
	o += sizeof BENCH_REPORT_STAMP_MARK - 1;
	r->stamp_at = o;
	memset(p + o, '0', BENCH_REPORT_STAMP_DIGITS);
	o += BENCH_REPORT_STAMP_DIGITS;
	memcpy(p + o, bench_report_desc, sizeof bench_report_desc - 1);
	o += sizeof bench_report_desc - 1;
	for (i = 0; i < pad; i++)
		p[o++] = bench_report_filler[i % (sizeof bench_report_filler -
		    1)];
	memcpy(p + o, bench_report_tail, sizeof bench_report_tail - 1);
	o += sizeof bench_report_tail - 1;
	p[o] = '\0';
	r->len = o;
	return (0);
}

void
bench_report_next(struct bench_report *r, uint64_t now_ns)
{
	uint64_t	v;
	char		*p;
	int		 i;

	v = (r->counter_base + r->counter++) & 0xffffffffffffULL;
	p = r->line + r->counter_at;
	for (i = BENCH_REPORT_COUNTER_DIGITS - 1; i >= 0; i--) {
		p[i] = bench_report_hex[v & 0x0f];
		v >>= 4;
	}
	p = r->line + r->stamp_at;
	for (i = BENCH_REPORT_STAMP_DIGITS - 1; i >= 0; i--) {
		p[i] = (char)('0' + now_ns % 10);
		now_ns /= 10;
	}
}

int
bench_report_stamp(const char *text, size_t len, uint64_t *ns)
{
	const char	*p;
	size_t		 left, i;
	uint64_t	 v = 0;

	p = memmem(text, len, BENCH_REPORT_STAMP_MARK,
	    sizeof BENCH_REPORT_STAMP_MARK - 1);
	if (p == NULL)
		return (-1);
	p += sizeof BENCH_REPORT_STAMP_MARK - 1;
	left = len - (size_t)(p - text);
	if (left < BENCH_REPORT_STAMP_DIGITS)
		return (-1);
	for (i = 0; i < BENCH_REPORT_STAMP_DIGITS; i++) {
		if (p[i] < '0' || p[i] > '9')
			return (-1);
		v = v * 10 + (uint64_t)(p[i] - '0');
	}
	*ns = v;
	return (0);
}

void
bench_report_free(struct bench_report *r)
{
	free(r->line);
	memset(r, 0, sizeof *r);
}
