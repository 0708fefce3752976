/* The systemd notification protocol (sd_notify), without libsystemd. */
#ifndef KENTONGAN_SDNOTIFY_H
#define KENTONGAN_SDNOTIFY_H

#include <stdint.h>

/*
 * Send state ("READY=1", "RELOADING=1", "STOPPING=1", "WATCHDOG=1", several
 * separated by newlines) as one datagram to the AF_UNIX socket named by
 * $NOTIFY_SOCKET; a leading '@' names the abstract namespace. Returns 0 when
 * sent, 1 when NOTIFY_SOCKET is unset (not started by systemd), -1 with
 * errno set on error (an empty, relative or too long socket name, or a
 * failed send).
 */
int	sdnotify(const char *state);

/*
 * Whether systemd wants watchdog pings ("WATCHDOG=1"): returns 1 and sets
 * *usec to $WATCHDOG_USEC when it is set and $WATCHDOG_PID is unset or our
 * own pid; 0 when WATCHDOG_USEC is unset or the watchdog is meant for
 * another process; -1 with errno EINVAL when either variable is not a
 * positive decimal number. Ping at half the interval or more often.
 */
int	sdnotify_watchdog_usec(uint64_t *usec);

#endif
