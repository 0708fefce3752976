/* Prometheus text exposition of the hub's counters. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "levels.h"
#include "metrics.h"

const double metrics_commit_bounds[METRICS_COMMIT_BUCKETS - 1] = {
	0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0
};

void
metrics_histogram_add(struct metrics_histogram *h, double seconds)
{
	size_t	i;

	for (i = 0; i < METRICS_COMMIT_BUCKETS - 1; i++) {
		if (seconds <= metrics_commit_bounds[i])
			break;
	}
	h->buckets[i]++;
	h->count++;
	h->sum += seconds;
}

/* Append printf-style text to a growing buffer; -1 on no memory. */
static int
metrics_append(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int
metrics_append(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
{
	va_list	 ap;
	char	*grown;
	int	 n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(*buf + *len, *cap - *len, fmt, ap);
		va_end(ap);
		if (n < 0)
			return (-1);
		if ((size_t)n < *cap - *len) {
			*len += (size_t)n;
			return (0);
		}
		if ((grown = realloc(*buf, *cap * 2 + (size_t)n)) == NULL)
			return (-1);
		*buf = grown;
		*cap = *cap * 2 + (size_t)n;
	}
}

#define APPEND(...) do {						\
	if (metrics_append(&buf, &len, &cap, __VA_ARGS__) == -1)	\
		goto fail;						\
} while (0)

void
metrics_status_count(struct metrics_statuses *s, int status)
{
	size_t	i;

	for (i = 0; i < s->n; i++) {
		if (s->status[i] == status) {
			s->count[i]++;
			return;
		}
	}
	if (s->n == METRICS_STATUSES) {
		s->other++;
		return;
	}
	s->status[s->n] = status;
	s->count[s->n++] = 1;
}

char *
metrics_render(const struct metrics *m, const struct metrics_histogram *h,
    const struct metrics_gauges *g, const struct metrics_member *members,
    size_t nmembers)
{
	char		*buf;
	size_t		 len = 0, cap = 4096, i, k;
	uint64_t	 cumulative = 0;
	int		 e;

	if ((buf = malloc(cap)) == NULL)
		return (NULL);
	buf[0] = '\0';
	APPEND("# HELP kentongan_connections Connections open now.\n"
	    "# TYPE kentongan_connections gauge\n"
	    "kentongan_connections %u\n", g->connections);
	APPEND("# HELP kentongan_subscriptions Subscribed connections now.\n"
	    "# TYPE kentongan_subscriptions gauge\n"
	    "kentongan_subscriptions %u\n", g->subscribers);
	APPEND("# HELP kentongan_connections_accepted_total TCP connections "
	    "accepted.\n# TYPE kentongan_connections_accepted_total counter\n"
	    "kentongan_connections_accepted_total %llu\n",
	    (unsigned long long)m->connections_accepted);
	APPEND("# HELP kentongan_handshakes_failed_total TLS handshakes that "
	    "failed or were refused.\n"
	    "# TYPE kentongan_handshakes_failed_total counter\n"
	    "kentongan_handshakes_failed_total %llu\n",
	    (unsigned long long)m->handshakes_failed);
	APPEND("# HELP kentongan_handshakes_evicted_total Unfinished TLS "
	    "handshakes dropped to make room for new connections.\n"
	    "# TYPE kentongan_handshakes_evicted_total counter\n"
	    "kentongan_handshakes_evicted_total %llu\n",
	    (unsigned long long)m->handshakes_evicted);
	APPEND("# HELP kentongan_connections_refused_total Connections closed "
	    "past max_connections or max_connections_per_member.\n"
	    "# TYPE kentongan_connections_refused_total counter\n"
	    "kentongan_connections_refused_total %llu\n",
	    (unsigned long long)m->connections_refused);
	APPEND("# HELP kentongan_last_seq The highest sequence number "
	    "committed.\n# TYPE kentongan_last_seq gauge\n"
	    "kentongan_last_seq %lld\n", (long long)g->last_seq);
	APPEND("# HELP kentongan_reads_pending Reads of the history queued or "
	    "running on the reader threads.\n"
	    "# TYPE kentongan_reads_pending gauge\n"
	    "kentongan_reads_pending %zu\n", g->reads_pending);
	APPEND("# HELP kentongan_build_info The version running.\n"
	    "# TYPE kentongan_build_info gauge\n"
	    "kentongan_build_info{version=\"%s\"} 1\n", PACKAGE_VERSION);
	APPEND("# HELP kentongan_uptime_seconds Seconds since the hub started.\n"
	    "# TYPE kentongan_uptime_seconds gauge\n"
	    "kentongan_uptime_seconds %lld\n", (long long)g->uptime);
	APPEND("# HELP kentongan_certificate_expiry_seconds Seconds until the "
	    "hub's certificate expires (negative: expired).\n"
	    "# TYPE kentongan_certificate_expiry_seconds gauge\n"
	    "kentongan_certificate_expiry_seconds %lld\n",
	    (long long)g->cert_left);
	if (g->has_crl)
		APPEND("# HELP kentongan_crl_next_update_seconds Seconds until "
		    "the next CRL of tls_crl is due (negative: overdue, every "
		    "client is refused).\n"
		    "# TYPE kentongan_crl_next_update_seconds gauge\n"
		    "kentongan_crl_next_update_seconds %lld\n",
		    (long long)g->crl_left);
	APPEND("# HELP kentongan_store_ok 0 once the database was found "
	    "deleted, replaced or corrupt: every report is refused until it "
	    "is restored.\n# TYPE kentongan_store_ok gauge\n"
	    "kentongan_store_ok %d\n", g->store_broken ? 0 : 1);
	APPEND("# HELP kentongan_accept_errors_total Connections that could not "
	    "be accepted (descriptors ran out).\n"
	    "# TYPE kentongan_accept_errors_total counter\n"
	    "kentongan_accept_errors_total %llu\n",
	    (unsigned long long)m->accept_errors);
	APPEND("# HELP kentongan_http_refused_total Operator API requests "
	    "refused before routing (malformed, too large).\n"
	    "# TYPE kentongan_http_refused_total counter\n"
	    "kentongan_http_refused_total %llu\n",
	    (unsigned long long)m->http_refused);
	APPEND("# HELP kentongan_reports_accepted_total Reports accepted "
	    "(new).\n# TYPE kentongan_reports_accepted_total counter\n"
	    "kentongan_reports_accepted_total %llu\n",
	    (unsigned long long)m->reports_accepted);
	APPEND("# HELP kentongan_reports_duplicate_total Reports sent again "
	    "and recognised.\n# TYPE kentongan_reports_duplicate_total "
	    "counter\nkentongan_reports_duplicate_total %llu\n",
	    (unsigned long long)m->reports_duplicate);
	APPEND("# HELP kentongan_refused_total Reports and requests refused, "
	    "by error code.\n# TYPE kentongan_refused_total counter\n");
	for (e = PROTO_OK + 1; e < PROTO_NERRORS; e++)
		APPEND("kentongan_refused_total{error=\"%s\"} %llu\n",
		    proto_error_name((enum proto_error)e),
		    (unsigned long long)m->reports_refused[e]);
	APPEND("# HELP kentongan_alerts_delivered_total Alerts queued to "
	    "subscribers.\n# TYPE kentongan_alerts_delivered_total counter\n"
	    "kentongan_alerts_delivered_total %llu\n",
	    (unsigned long long)m->alerts_delivered);
	APPEND("# HELP kentongan_acks_total Acknowledgements that moved a "
	    "member's position.\n# TYPE kentongan_acks_total counter\n"
	    "kentongan_acks_total %llu\n", (unsigned long long)m->acks);
	APPEND("# HELP kentongan_commit_seconds Duration of each fsync'd "
	    "commit of a batch.\n# TYPE kentongan_commit_seconds histogram\n");
	for (i = 0; i < METRICS_COMMIT_BUCKETS; i++) {
		cumulative += h->buckets[i];
		if (i < METRICS_COMMIT_BUCKETS - 1)
			APPEND("kentongan_commit_seconds_bucket{le=\"%g\"} "
			    "%llu\n", metrics_commit_bounds[i],
			    (unsigned long long)cumulative);
		else
			APPEND("kentongan_commit_seconds_bucket{le=\"+Inf\"} "
			    "%llu\n", (unsigned long long)cumulative);
	}
	APPEND("kentongan_commit_seconds_sum %.6f\n"
	    "kentongan_commit_seconds_count %llu\n", h->sum,
	    (unsigned long long)h->count);
	APPEND("# HELP kentongan_operator_requests_total Operator API requests "
	    "answered, by operator and status.\n"
	    "# TYPE kentongan_operator_requests_total counter\n");
	for (i = 0; i < nmembers; i++) {
		const struct metrics_statuses *st = members[i].http_statuses;

		if ((members[i].role != ROLE_OPERATOR &&
		    members[i].role != ROLE_MONITOR) || st == NULL)
			continue;
		for (k = 0; k < st->n; k++)
			APPEND("kentongan_operator_requests_total{operator="
			    "\"%s\",status=\"%d\"} %llu\n", members[i].id,
			    st->status[k], (unsigned long long)st->count[k]);
		if (st->other > 0)
			APPEND("kentongan_operator_requests_total{operator="
			    "\"%s\",status=\"other\"} %llu\n", members[i].id,
			    (unsigned long long)st->other);
	}
	APPEND("# HELP kentongan_peer_connected 1 if the peer hub has a link "
	    "up.\n# TYPE kentongan_peer_connected gauge\n");
	for (i = 0; i < nmembers; i++)
		if (members[i].role == ROLE_HUB)
			APPEND("kentongan_peer_connected{peer=\"%s\"} %d\n",
			    members[i].id, members[i].connected ? 1 : 0);
	APPEND("# HELP kentongan_peer_backlog Reports for the peer hub not yet "
	    "taken by it.\n# TYPE kentongan_peer_backlog gauge\n");
	for (i = 0; i < nmembers; i++)
		if (members[i].role == ROLE_HUB)
			APPEND("kentongan_peer_backlog{peer=\"%s\"} %lld\n",
			    members[i].id, (long long)members[i].backlog);
	APPEND("# HELP kentongan_peer_forwarded_total Reports forwarded to the "
	    "peer hub and taken by it.\n"
	    "# TYPE kentongan_peer_forwarded_total counter\n");
	for (i = 0; i < nmembers; i++)
		if (members[i].role == ROLE_HUB)
			APPEND("kentongan_peer_forwarded_total{peer=\"%s\"} "
			    "%llu\n", members[i].id,
			    (unsigned long long)members[i].forwarded);
	APPEND("# HELP kentongan_peer_refused_total Forwards refused: by the "
	    "peer hub (out), or from it by this hub (in).\n"
	    "# TYPE kentongan_peer_refused_total counter\n");
	for (i = 0; i < nmembers; i++)
		if (members[i].role == ROLE_HUB) {
			APPEND("kentongan_peer_refused_total{peer=\"%s\","
			    "direction=\"out\"} %llu\n", members[i].id,
			    (unsigned long long)members[i].refused_by_peer);
			APPEND("kentongan_peer_refused_total{peer=\"%s\","
			    "direction=\"in\"} %llu\n", members[i].id,
			    (unsigned long long)members[i].refused_from_peer);
		}
	APPEND("# HELP kentongan_member_connected 1 if the member has a "
	    "connection open.\n# TYPE kentongan_member_connected gauge\n");
	for (i = 0; i < nmembers; i++)
		if (members[i].role == ROLE_MEMBER ||
		    members[i].role == ROLE_PARTNER)
			APPEND("kentongan_member_connected{member=\"%s\"} %d\n",
		    members[i].id, members[i].connected ? 1 : 0);
	APPEND("# HELP kentongan_member_acked_seq The member's acknowledged "
	    "position.\n# TYPE kentongan_member_acked_seq gauge\n");
	for (i = 0; i < nmembers; i++)
		if (members[i].role == ROLE_MEMBER ||
		    members[i].role == ROLE_PARTNER)
			APPEND("kentongan_member_acked_seq{member=\"%s\"} %lld\n",
		    members[i].id, (long long)members[i].acked_seq);
	APPEND("# HELP kentongan_member_backlog Alerts for the member not yet "
	    "acknowledged.\n# TYPE kentongan_member_backlog gauge\n");
	for (i = 0; i < nmembers; i++)
		if (members[i].role == ROLE_MEMBER ||
		    members[i].role == ROLE_PARTNER)
			APPEND("kentongan_member_backlog{member=\"%s\"} %lld\n",
		    members[i].id, (long long)members[i].backlog);
	return (buf);
fail:
	free(buf);
	return (NULL);
}
