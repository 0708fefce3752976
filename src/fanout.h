/* Alerts to subscribers: live as reports commit, from the store when behind. */
#ifndef KENTONGAN_FANOUT_H
#define KENTONGAN_FANOUT_H

#include <stdint.h>

#include <event2/util.h>

#include "request.h"

struct conn;
struct hub;
struct store_report;

/*
 * A report has just been committed (never before): queue its alert on the
 * live subscriptions of its recipients. Each alert is serialised once per
 * tier, and the same bytes go to every recipient of that tier.
 */
void	fanout_report(struct hub *, const struct store_report *);
/*
 * Start (or restart) a subscription on c after seq from, with filter (taken
 * over). The first alerts come from the store.
 */
void	fanout_subscribe(struct conn *, int64_t from, struct filter *);
/* Refill a lagging subscription from the store while its output has room. */
void	fanout_pump(struct conn *);
/* Delivery positions are handed to the commit thread this often at most. */
#define FANOUT_MARK_INTERVAL_USEC	1000000

/*
 * Hand the members' new delivery positions to the commit thread: now if
 * the interval has passed since the last time, else when it has.
 */
void	fanout_flush_deliveries(void *hub);
/* Hand them over now (at shutdown, and when the interval is over). */
void	fanout_mark_deliveries(struct hub *);
/* The timer callback that ends an interval; arg is the hub. */
void	fanout_deliveries_due(evutil_socket_t, short, void *);
/* Forget the subscription of a closing connection. */
void	fanout_unsubscribe(struct conn *);

#endif
