/* The systemd notification protocol (sd_notify), without libsystemd. */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sdnotify.h"

/* Parse a positive decimal number no larger than max, without overflow. */
static int
sdnotify_number(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t	v = 0, d;

	if (*s == '\0')
		return (-1);
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return (-1);
		d = (uint64_t)(*s - '0');
		if (v > (max - d) / 10)
			return (-1);
		v = v * 10 + d;
	}
	if (v == 0)
		return (-1);
	*out = v;
	return (0);
}

/*
 * Fill a socket address from $NOTIFY_SOCKET: "/path" or "@abstract". The
 * name must fit sun_path: a path with its terminating NUL, an abstract name
 * without one. Returns the address length, or 0 with errno set.
 */
static socklen_t
sdnotify_address(const char *name, struct sockaddr_un *sun)
{
	size_t	len;

	memset(sun, 0, sizeof *sun);
	sun->sun_family = AF_UNIX;
	len = strlen(name);
	if (name[0] == '/') {
		if (len >= sizeof sun->sun_path) {
			errno = ENAMETOOLONG;
			return (0);
		}
		memcpy(sun->sun_path, name, len + 1);
		return ((socklen_t)(offsetof(struct sockaddr_un, sun_path) +
		    len + 1));
	}
	if (name[0] == '@') {
		if (len < 2) {
			errno = EINVAL;
			return (0);
		}
		if (len > sizeof sun->sun_path) {
			errno = ENAMETOOLONG;
			return (0);
		}
		/* The leading NUL names the abstract namespace. */
		sun->sun_path[0] = '\0';
		memcpy(sun->sun_path + 1, name + 1, len - 1);
		return ((socklen_t)(offsetof(struct sockaddr_un, sun_path) +
		    len));
	}
	errno = name[0] == '\0' ? EINVAL : EAFNOSUPPORT;
	return (0);
}

/* Send state to systemd's notification socket, if there is one. */
int
sdnotify(const char *state)
{
	struct sockaddr_un	 sun;
	const char		*name;
	socklen_t		 sunlen;
	ssize_t			 n;
	size_t			 len;
	int			 fd, saved;

	if (state == NULL) {
		errno = EINVAL;
		return (-1);
	}
	if ((name = getenv("NOTIFY_SOCKET")) == NULL)
		return (1);
	if ((sunlen = sdnotify_address(name, &sun)) == 0)
		return (-1);
	len = strlen(state);

	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return (-1);
	do {
		n = sendto(fd, state, len, MSG_NOSIGNAL,
		    (struct sockaddr *)&sun, sunlen);
	} while (n == -1 && errno == EINTR);
	saved = errno;
	if (close(fd) == -1 && n != -1)
		return (-1);
	if (n == -1) {
		errno = saved;
		return (-1);
	}
	if ((size_t)n != len) {
		errno = EMSGSIZE;
		return (-1);
	}
	return (0);
}

/* Whether systemd expects watchdog pings from this process, and how often. */
int
sdnotify_watchdog_usec(uint64_t *usec)
{
	const char	*s;
	uint64_t	 value, pid;

	if ((s = getenv("WATCHDOG_USEC")) == NULL)
		return (0);
	if (sdnotify_number(s, UINT64_MAX, &value) != 0) {
		errno = EINVAL;
		return (-1);
	}
	if ((s = getenv("WATCHDOG_PID")) != NULL) {
		if (sdnotify_number(s, INT_MAX, &pid) != 0) {
			errno = EINVAL;
			return (-1);
		}
		if ((pid_t)pid != getpid())
			return (0);
	}
	*usec = value;
	return (1);
}
