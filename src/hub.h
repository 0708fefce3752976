/* The hub's one context: configuration, event loop, store, listeners and peers. */
#ifndef KENTONGAN_HUB_H
#define KENTONGAN_HUB_H

#include <stdint.h>
#include <sys/queue.h>

#include <event2/event.h>
#include <event2/listener.h>
#include <openssl/ssl.h>

#include "conf.h"
#include "conn.h"
#include "metrics.h"
#include "ratelimit.h"
#include "reader.h"
#include "seqring.h"
#include "taxonomy.h"

#ifndef LIST_FOREACH_SAFE
#define LIST_FOREACH_SAFE(var, head, field, tvar)			\
	for ((var) = LIST_FIRST(head);					\
	    (var) != NULL && ((tvar) = LIST_NEXT(var, field), 1);	\
	    (var) = (tvar))
#endif

#ifndef TAILQ_FOREACH_SAFE
#define TAILQ_FOREACH_SAFE(var, head, field, tvar)			\
	for ((var) = TAILQ_FIRST(head);					\
	    (var) != NULL && ((tvar) = TAILQ_NEXT(var, field), 1);	\
	    (var) = (tvar))
#endif

struct conn;
struct committer;
struct evdns_base;
struct peer_link;
struct reader;
struct store;

/* What the hub keeps of a member across its connections and reloads. */
struct member_state {
	char			 id[CONF_MEMBER_ID_MAX + 1];
	struct ratelimit	 rate;
	unsigned		 connections;
	int64_t			 acked_seq;	/* as made durable, or on its way */
	int64_t			 delivered_seq;	/* highest seq queued to it */
	int64_t			 delivered_at;
	int			 delivered_dirty;	/* not yet handed to the store */
	int64_t			 last_seen;	/* last traffic from it, usec */
	/*
	 * Its backlog is entitled - entitled_acked: the alerts for it up to
	 * the hub's delivered_seq, less those up to its acknowledged
	 * position, both counted after count_base. An acknowledgement is
	 * counted off with the seqs fanned out since the hub started; older
	 * ones are counted again from the store, on a reader.
	 */
	int64_t			 entitled;
	int64_t			 entitled_acked;
	int64_t			 count_base;
	struct reader_job	*recount;	/* under way, or NULL */
	int			 recount_wanted;	/* again after it */
	int64_t			 recount_delta;	/* acked meanwhile */
	struct seqring		 fanned;	/* their seqs, as far as kept */
	struct reader_gate	 reads;		/* its reads, a few at a time */
	struct metrics_statuses	 http_statuses;	/* an operator's answers */
	/* A peer hub's: forwards from it refused, ours it took or refused. */
	uint64_t		 forwards_refused;
	uint64_t		 forwards_accepted;
	uint64_t		 forwards_peer_refused;
	struct throttle		 forward_refusals;
	struct throttle		 over_limit;	/* refusals past its limit */
	TAILQ_HEAD(, conn)	 subscribers;
	LIST_ENTRY(member_state) entry;
	struct member_state	*hash_next;
};

/* Unacknowledged seqs kept per member to count acks off its backlog. */
#define HUB_FANNED_MAX		16384
/* Reads of one member (or operator) run at once; the others wait. */
#define HUB_READS_PER_MEMBER	2
/* Buckets of the member lookup: fan-out looks up every recipient. */
#define HUB_MEMBER_BUCKETS	256

struct hub_listener {
	struct evconnlistener	*listener;
	struct hub		*hub;
	enum conn_kind		 kind;
	unsigned		 nconns;	/* held, handshakes included */
	char			 address[64];
	struct event		*resume;	/* after running out of fds */
	struct throttle		 accept_errors;
	SLIST_ENTRY(hub_listener) entry;
};

struct hub {
	struct event_base	*base;
	char			*conf_file;
	struct conf		*conf;		/* in force */
	struct taxonomy		*taxonomy;
	SSL_CTX			*member_ctx;
	SSL_CTX			*operator_ctx;	/* NULL when off */
	SSL_CTX			*link_ctx;	/* dialing peer hubs */
	struct evdns_base	*dns;		/* their names */
	LIST_HEAD(, peer_link)	 links;
	struct store		*store;
	int			 ledger_on;	/* as at start: chain, receipts */
	struct committer	*committer;
	struct reader		*reader;
	/*
	 * The highest seq whose commit the event loop has seen. Replay reads
	 * stop here; live delivery starts after it.
	 */
	int64_t			 delivered_seq;
	int64_t			 last_received_at;

	SLIST_HEAD(, hub_listener) listeners;
	TAILQ_HEAD(, conn)	 conns;
	TAILQ_HEAD(, conn)	 handshakes;	/* oldest first */
	TAILQ_HEAD(, conn)	 streams;	/* operators' /v1/events */
	struct event		*streams_timer;	/* their heartbeat */
	unsigned		 nhandshakes;
	unsigned		 nkind[CONN_NKINDS];	/* held, per kind */
	unsigned		 conn_limit[CONN_NKINDS];	/* as fit to fds */
	struct throttle		 over_capacity[CONN_NKINDS];	/* refused, full */
	struct throttle		 evictions;	/* handshakes dropped for room */
	struct throttle		 handshake_notes;	/* failed, timed out */
	LIST_HEAD(, member_state) members;
	struct member_state	*member_hash[HUB_MEMBER_BUCKETS];
	unsigned		 nconns;
	uint64_t		 next_conn_id;

	struct event		*sigterm;
	struct event		*sigint;
	struct event		*sighup;
	struct event		*watchdog;	/* systemd WATCHDOG=1, or NULL */
	int			 stopping;
	int			 deliveries_dirty;	/* some member's */
	int64_t			 deliveries_marked_at;
	struct event		*deliveries_timer;
	struct event		*summary;	/* a log line a minute */
	struct metrics		 summarised;	/* counters at the last one */
	/* For the metrics and the expiry warnings: */
	int64_t			 started_at;	/* usec */
	int64_t			 cert_end;	/* the hub's certificate, sec */
	int64_t			 crl_next;	/* tls_crl's next update, or 0 */
	int64_t			 expiry_checked;	/* sec */
	int			 counting_backlogs;	/* at start only */
	struct metrics		 metrics;
};

/*
 * Bind a listener on address; cb (may be NULL, to be set later) gets each
 * connection. Exits 1 with a clear message when it cannot.
 */
struct evconnlistener	*hub_bind(struct hub *, const struct conf_address *,
			    evconnlistener_cb cb, void *arg);
/* Load everything, open the store, listen. Exits 1 on a start-up error. */
struct hub		*hub_new(const char *conf_file);
/* Run until told to stop; returns the exit status. */
int			 hub_run(struct hub *);
void			 hub_free(struct hub *);
/*
 * The taxonomy that conf names; errors as "FILE:LINE: message", of the
 * configuration if the file cannot be opened, else of the taxonomy.
 */
struct taxonomy		*hub_load_taxonomy(const struct conf *, char **cause);
/*
 * Check that the database's directory exists and the hub may write there
 * (its WAL files live beside it), and that an existing database file is a
 * regular file it may write; -1 with *cause "FILE:LINE: message" if not.
 * A URL (postgresql://...) is not a path and is left alone.
 */
int			 hub_check_database(const struct conf *, char **cause);
/* The runtime state of a member, created on first use; NULL on no memory. */
struct member_state	*hub_member_state(struct hub *, const char *id);
/* Create the runtime state of every member of the registry in force. */
void			 hub_member_states(struct hub *);
/* The runtime state of a member if it exists. */
struct member_state	*hub_member_find(struct hub *, const char *id);
/* Alerts for the member not acknowledged yet, as far as counted. */
int64_t			 hub_member_backlog(const struct member_state *);
/* The member acknowledged up to seq: count it off its backlog. */
void			 hub_backlog_acked(struct hub *, struct member_state *,
			    int64_t seq);

#endif
