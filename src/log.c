/* Logging to stderr: one line per event, priority-prefixed under journald. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

/* Format and write one whole line, so lines from threads never interleave. */
static void
log_vwrite(enum log_level level, const char *fmt, va_list ap, int with_errno)
{
	char	*text = NULL, *line = NULL, prefix[8] = "";
	int	 saved_errno = errno, n;

	if (level > log_verbosity)
		return;
	if (vasprintf(&text, fmt, ap) == -1)
		return;
	if (log_journal)
		snprintf(prefix, sizeof prefix, "<%d>", (int)level);
	if (with_errno)
		n = asprintf(&line, "%s%s: %s\n", prefix, text,
		    strerror(saved_errno));
	else
		n = asprintf(&line, "%s%s\n", prefix, text);
	free(text);
	if (n == -1)
		return;
	if (write(STDERR_FILENO, line, (size_t)n) == -1) {
		/* Nowhere left to report it. */
	}
	free(line);
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
