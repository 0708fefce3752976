/*
 * Logging to stderr: one line per event, priority-prefixed under journald,
 * which stamps lines itself, and starting with an RFC 3339 UTC time
 * anywhere else.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static enum log_level	log_verbosity = LOG_LEVEL_INFO;
static int		log_journal;

/*
 * systemd sets JOURNAL_STREAM to "DEV:INO" of the stream it connected;
 * prefixes are only wanted when stderr is still that stream.
 */
void
log_init(enum log_level verbosity)
{
	const char		*stream = getenv("JOURNAL_STREAM");
	struct stat		 sb;
	unsigned long long	 dev, ino;

	log_verbosity = verbosity;
	log_journal = 0;
	if (stream == NULL || sscanf(stream, "%llu:%llu", &dev, &ino) != 2)
		return;
	if (fstat(STDERR_FILENO, &sb) == 0 &&
	    (unsigned long long)sb.st_dev == dev &&
	    (unsigned long long)sb.st_ino == ino)
		log_journal = 1;
}

/*
 * Format and write one whole line with a single writev, so lines from the
 * two threads never interleave. Most lines fit the stack buffer.
 */
static void
log_vwrite(enum log_level level, const char *fmt, va_list ap, int with_errno)
{
	struct iovec	 iov[4];
	struct timespec	 ts;
	struct tm	 tm;
	va_list		 again;
	char		 prefix[96], buf[1024], suffix[256], *heap = NULL;
	char		*text = buf;
	int		 saved_errno = errno, n, niov = 0;

	if (level > log_verbosity)
		return;
	va_copy(again, ap);
	n = vsnprintf(buf, sizeof buf, fmt, ap);
	if (n >= (int)sizeof buf) {
		if (vasprintf(&heap, fmt, again) == -1)
			n = (int)sizeof buf - 1;
		else
			text = heap;
	}
	va_end(again);
	if (n < 0)
		return;
	if (log_journal)
		snprintf(prefix, sizeof prefix, "<%d>", (int)level);
	else if (clock_gettime(CLOCK_REALTIME, &ts) == 0 &&
	    gmtime_r(&ts.tv_sec, &tm) != NULL)
		snprintf(prefix, sizeof prefix, "%04d-%02d-%02dT%02d:%02d:%02d."
		    "%03ldZ ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		    tm.tm_hour, tm.tm_min, tm.tm_sec, (long)(ts.tv_nsec / 1000000) % 1000);
	else
		prefix[0] = '\0';
	if (prefix[0] != '\0') {
		iov[niov].iov_base = prefix;
		iov[niov++].iov_len = strlen(prefix);
	}
	iov[niov].iov_base = text;
	iov[niov++].iov_len = strlen(text);
	if (with_errno) {
		snprintf(suffix, sizeof suffix, ": %s", strerror(saved_errno));
		iov[niov].iov_base = suffix;
		iov[niov++].iov_len = strlen(suffix);
	}
	iov[niov].iov_base = (void *)"\n";
	iov[niov++].iov_len = 1;
	if (writev(STDERR_FILENO, iov, niov) == -1) {
		/* Nowhere left to report it. */
	}
	free(heap);
	errno = saved_errno;
}

void
log_warn(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_WARNING, fmt, ap, 1);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_WARNING, fmt, ap, 0);
	va_end(ap);
}

void
log_notice(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_NOTICE, fmt, ap, 0);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_INFO, fmt, ap, 0);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_DEBUG, fmt, ap, 0);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_ERR, fmt, ap, 1);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_ERR, fmt, ap, 0);
	va_end(ap);
	exit(1);
}
