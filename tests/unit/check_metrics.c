/* Unit tests of the hub's counters and their Prometheus text form. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "levels.h"
#include "metrics.h"
#include "verdict.h"

#define NITEMS(a) (sizeof(a) / sizeof((a)[0]))

/* The bucket (0 .. METRICS_COMMIT_BUCKETS - 1) one add of seconds lands in. */
static int
bucket_of(double seconds)
{
	struct metrics_histogram	h;
	int				i, found = -1;

	memset(&h, 0, sizeof h);
	metrics_histogram_add(&h, seconds);
	ck_assert_uint_eq(h.count, 1);
	for (i = 0; i < METRICS_COMMIT_BUCKETS; i++) {
		if (h.buckets[i] == 0)
			continue;
		ck_assert_msg(found == -1, "%g counted twice", seconds);
		ck_assert_uint_eq(h.buckets[i], 1);
		found = i;
	}
	ck_assert_msg(found != -1, "%g counted nowhere", seconds);
	return (found);
}

START_TEST(test_bounds)
{
	static const double	want[] = {
		0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
		0.5, 1.0
	};
	size_t			i;

	ck_assert_int_eq(METRICS_COMMIT_BUCKETS, 12);
	ck_assert_uint_eq(NITEMS(want), METRICS_COMMIT_BUCKETS - 1);
	for (i = 0; i < NITEMS(want); i++)
		ck_assert_msg(metrics_commit_bounds[i] == want[i],
		    "bound %zu is %g, wanted %g", i, metrics_commit_bounds[i],
		    want[i]);
}
END_TEST

START_TEST(test_bucket_boundaries)
{
	double	b;
	int	i;

	/* A bound belongs to its own bucket (le: less than or equal). */
	for (i = 0; i < METRICS_COMMIT_BUCKETS - 1; i++) {
		b = metrics_commit_bounds[i];
		ck_assert_msg(bucket_of(b) == i, "%g in bucket %d", b,
		    bucket_of(b));
		ck_assert_msg(bucket_of(nextafter(b, 0.0)) == i,
		    "just under %g in bucket %d", b, bucket_of(nextafter(b,
		    0.0)));
		ck_assert_msg(bucket_of(nextafter(b, INFINITY)) == i + 1,
		    "just over %g in bucket %d", b, bucket_of(nextafter(b,
		    INFINITY)));
	}
	ck_assert_int_eq(bucket_of(0.0), 0);
	ck_assert_int_eq(bucket_of(0.0003), 0);
	ck_assert_int_eq(bucket_of(0.0007), 1);
	ck_assert_int_eq(bucket_of(0.003), 3);
	ck_assert_int_eq(bucket_of(0.3), 9);
	ck_assert_int_eq(bucket_of(1.5), METRICS_COMMIT_BUCKETS - 1);
	ck_assert_int_eq(bucket_of(3600.0), METRICS_COMMIT_BUCKETS - 1);
	ck_assert_int_eq(bucket_of(INFINITY), METRICS_COMMIT_BUCKETS - 1);
}
END_TEST

START_TEST(test_histogram_count_and_sum)
{
	struct metrics_histogram	h;
	static const double		add[] = { 0.0001, 0.0004, 0.0009,
					    0.02, 0.02, 2.0 };
	size_t				i;
	uint64_t			total = 0;

	memset(&h, 0, sizeof h);
	for (i = 0; i < NITEMS(add); i++)
		metrics_histogram_add(&h, add[i]);
	ck_assert_uint_eq(h.count, NITEMS(add));
	ck_assert_double_eq_tol(h.sum, 2.0414, 1e-12);
	ck_assert_uint_eq(h.buckets[0], 2);
	ck_assert_uint_eq(h.buckets[1], 1);
	ck_assert_uint_eq(h.buckets[5], 2);
	ck_assert_uint_eq(h.buckets[11], 1);
	for (i = 0; i < METRICS_COMMIT_BUCKETS; i++)
		total += h.buckets[i];
	ck_assert_uint_eq(total, h.count);
}
END_TEST

/* The exposition of the struct built in test_render_exact. */
static const char expected[] =
	"# HELP kentongan_connections Connections open now.\n"
	"# TYPE kentongan_connections gauge\n"
	"kentongan_connections 7\n"
	"# HELP kentongan_subscriptions Subscribed connections now.\n"
	"# TYPE kentongan_subscriptions gauge\n"
	"kentongan_subscriptions 3\n"
	"# HELP kentongan_connections_accepted_total TCP connections "
	"accepted.\n"
	"# TYPE kentongan_connections_accepted_total counter\n"
	"kentongan_connections_accepted_total 120\n"
	"# HELP kentongan_handshakes_failed_total TLS handshakes that failed "
	"or were refused.\n"
	"# TYPE kentongan_handshakes_failed_total counter\n"
	"kentongan_handshakes_failed_total 4\n"
	"# HELP kentongan_handshakes_evicted_total Unfinished TLS handshakes "
	"dropped to make room for new connections.\n"
	"# TYPE kentongan_handshakes_evicted_total counter\n"
	"kentongan_handshakes_evicted_total 6\n"
	"# HELP kentongan_connections_refused_total Connections closed past "
	"max_connections or max_connections_per_member.\n"
	"# TYPE kentongan_connections_refused_total counter\n"
	"kentongan_connections_refused_total 9\n"
	"# HELP kentongan_last_seq The highest sequence number committed.\n"
	"# TYPE kentongan_last_seq gauge\n"
	"kentongan_last_seq 1042\n"
	"# HELP kentongan_reads_pending Reads of the history queued or running "
	"on the reader threads.\n"
	"# TYPE kentongan_reads_pending gauge\n"
	"kentongan_reads_pending 2\n"
	"# HELP kentongan_build_info The version running.\n"
	"# TYPE kentongan_build_info gauge\n"
	"kentongan_build_info{version=\"" PACKAGE_VERSION "\"} 1\n"
	"# HELP kentongan_uptime_seconds Seconds since the hub started.\n"
	"# TYPE kentongan_uptime_seconds gauge\n"
	"kentongan_uptime_seconds 3600\n"
	"# HELP kentongan_certificate_expiry_seconds Seconds until the hub's "
	"certificate expires (negative: expired).\n"
	"# TYPE kentongan_certificate_expiry_seconds gauge\n"
	"kentongan_certificate_expiry_seconds 2592000\n"
	"# HELP kentongan_crl_next_update_seconds Seconds until the next CRL of "
	"tls_crl is due (negative: overdue, every client is refused).\n"
	"# TYPE kentongan_crl_next_update_seconds gauge\n"
	"kentongan_crl_next_update_seconds -60\n"
	"# HELP kentongan_store_ok 0 once the database was found deleted, "
	"replaced or corrupt: every report is refused until it is restored.\n"
	"# TYPE kentongan_store_ok gauge\n"
	"kentongan_store_ok 1\n"
	"# HELP kentongan_accept_errors_total Connections that could not be "
	"accepted (descriptors ran out).\n"
	"# TYPE kentongan_accept_errors_total counter\n"
	"kentongan_accept_errors_total 3\n"
	"# HELP kentongan_http_refused_total Operator API requests refused "
	"before routing (malformed, too large).\n"
	"# TYPE kentongan_http_refused_total counter\n"
	"kentongan_http_refused_total 4\n"
	"# HELP kentongan_reports_accepted_total Reports accepted (new).\n"
	"# TYPE kentongan_reports_accepted_total counter\n"
	"kentongan_reports_accepted_total 1000\n"
	"# HELP kentongan_reports_duplicate_total Reports sent again and "
	"recognised.\n"
	"# TYPE kentongan_reports_duplicate_total counter\n"
	"kentongan_reports_duplicate_total 5\n"
	"# HELP kentongan_refused_total Reports and requests refused, by error "
	"code.\n"
	"# TYPE kentongan_refused_total counter\n"
	"kentongan_refused_total{error=\"malformed_json\"} 1\n"
	"kentongan_refused_total{error=\"message_too_large\"} 2\n"
	"kentongan_refused_total{error=\"unknown_type\"} 3\n"
	"kentongan_refused_total{error=\"missing_field\"} 4\n"
	"kentongan_refused_total{error=\"invalid_field\"} 5\n"
	"kentongan_refused_total{error=\"unknown_field\"} 6\n"
	"kentongan_refused_total{error=\"unknown_code\"} 7\n"
	"kentongan_refused_total{error=\"recipients_required\"} 8\n"
	"kentongan_refused_total{error=\"unknown_recipient\"} 9\n"
	"kentongan_refused_total{error=\"recipient_not_permitted\"} 10\n"
	"kentongan_refused_total{error=\"id_conflict\"} 11\n"
	"kentongan_refused_total{error=\"rate_limited\"} 12\n"
	"kentongan_refused_total{error=\"not_subscribed\"} 13\n"
	"kentongan_refused_total{error=\"internal_error\"} 14\n"
	"kentongan_refused_total{error=\"loop_detected\"} 15\n"
	"# HELP kentongan_alerts_delivered_total Alerts queued to "
	"subscribers.\n"
	"# TYPE kentongan_alerts_delivered_total counter\n"
	"kentongan_alerts_delivered_total 18446744073709551615\n"
	"# HELP kentongan_acks_total Acknowledgements that moved a member's "
	"position.\n"
	"# TYPE kentongan_acks_total counter\n"
	"kentongan_acks_total 77\n"
	"# HELP kentongan_commit_seconds Duration of each fsync'd commit of a "
	"batch.\n"
	"# TYPE kentongan_commit_seconds histogram\n"
	"kentongan_commit_seconds_bucket{le=\"0.0005\"} 10\n"
	"kentongan_commit_seconds_bucket{le=\"0.001\"} 30\n"
	"kentongan_commit_seconds_bucket{le=\"0.002\"} 30\n"
	"kentongan_commit_seconds_bucket{le=\"0.005\"} 33\n"
	"kentongan_commit_seconds_bucket{le=\"0.01\"} 33\n"
	"kentongan_commit_seconds_bucket{le=\"0.025\"} 33\n"
	"kentongan_commit_seconds_bucket{le=\"0.05\"} 33\n"
	"kentongan_commit_seconds_bucket{le=\"0.1\"} 33\n"
	"kentongan_commit_seconds_bucket{le=\"0.25\"} 33\n"
	"kentongan_commit_seconds_bucket{le=\"0.5\"} 33\n"
	"kentongan_commit_seconds_bucket{le=\"1\"} 34\n"
	"kentongan_commit_seconds_bucket{le=\"+Inf\"} 35\n"
	"kentongan_commit_seconds_sum 3.123457\n"
	"kentongan_commit_seconds_count 35\n"
	"# HELP kentongan_operator_requests_total Operator API requests "
	"answered, by operator and status.\n"
	"# TYPE kentongan_operator_requests_total counter\n"
	"kentongan_operator_requests_total{operator=\"OPS\",status=\"200\"} 5\n"
	"kentongan_operator_requests_total{operator=\"OPS\",status=\"404\"} 1\n"
	"# HELP kentongan_peer_connected 1 if the peer hub has a link up.\n"
	"# TYPE kentongan_peer_connected gauge\n"
	"kentongan_peer_connected{peer=\"EU\"} 1\n"
	"# HELP kentongan_peer_backlog Reports for the peer hub not yet taken "
	"by it.\n"
	"# TYPE kentongan_peer_backlog gauge\n"
	"kentongan_peer_backlog{peer=\"EU\"} 3\n"
	"# HELP kentongan_peer_forwarded_total Reports forwarded to the peer "
	"hub and taken by it.\n"
	"# TYPE kentongan_peer_forwarded_total counter\n"
	"kentongan_peer_forwarded_total{peer=\"EU\"} 40\n"
	"# HELP kentongan_peer_refused_total Forwards refused: by the peer hub "
	"(out), or from it by this hub (in).\n"
	"# TYPE kentongan_peer_refused_total counter\n"
	"kentongan_peer_refused_total{peer=\"EU\",direction=\"out\"} 2\n"
	"kentongan_peer_refused_total{peer=\"EU\",direction=\"in\"} 1\n"
	"# HELP kentongan_member_connected 1 if the member has a connection "
	"open.\n"
	"# TYPE kentongan_member_connected gauge\n"
	"kentongan_member_connected{member=\"SG\"} 1\n"
	"kentongan_member_connected{member=\"TH\"} 0\n"
	"kentongan_member_connected{member=\"APCERT\"} 1\n"
	"# HELP kentongan_member_acked_seq The member's acknowledged "
	"position.\n"
	"# TYPE kentongan_member_acked_seq gauge\n"
	"kentongan_member_acked_seq{member=\"SG\"} 1040\n"
	"kentongan_member_acked_seq{member=\"TH\"} 0\n"
	"kentongan_member_acked_seq{member=\"APCERT\"} 9007199254740993\n"
	"# HELP kentongan_member_backlog Alerts for the member not yet "
	"acknowledged.\n"
	"# TYPE kentongan_member_backlog gauge\n"
	"kentongan_member_backlog{member=\"SG\"} 2\n"
	"kentongan_member_backlog{member=\"TH\"} 1042\n"
	"kentongan_member_backlog{member=\"APCERT\"} 0\n";

/* The first line where got and want differ, for a readable failure. */
static void
assert_same_text(const char *got, const char *want)
{
	size_t	line = 1, i;

	for (i = 0; got[i] != '\0' && got[i] == want[i]; i++) {
		if (got[i] == '\n')
			line++;
	}
	if (got[i] == want[i])
		return;
	while (i > 0 && got[i - 1] != '\n')
		i--;
	ck_abort_msg("line %zu differs:\n got: %.120s\nwant: %.120s", line,
	    got + i, want + i);
}

START_TEST(test_render_exact)
{
	struct metrics			m;
	struct metrics_histogram	h;
	struct metrics_statuses		ops = { 0 };
	struct metrics_gauges		g = { 7, 3, 1042, 2, 0, 3600,
	    30 * 86400, 1, -60 };
	struct metrics_member		members[] = {
		{ "SG", ROLE_MEMBER, 1, 1040, 2, NULL, 0, 0, 0 },
		{ "TH", ROLE_MEMBER, 0, 0, 1042, NULL, 0, 0, 0 },
		{ "OPS", ROLE_OPERATOR, 1, 0, 0, &ops, 0, 0, 0 },
		{ "APCERT", ROLE_PARTNER, 5, INT64_C(9007199254740993), 0, NULL,
		  0, 0, 0 },
		{ "EU", ROLE_HUB, 1, 77, 3, NULL, 40, 2, 1 },
	};
	char				*text;
	int				 e;

	for (e = 0; e < 5; e++)
		metrics_status_count(&ops, 200);
	metrics_status_count(&ops, 404);

	memset(&m, 0, sizeof m);
	memset(&h, 0, sizeof h);
	m.connections_accepted = 120;
	m.handshakes_failed = 4;
	m.handshakes_evicted = 6;
	m.connections_refused = 9;
	m.reports_accepted = 1000;
	m.reports_duplicate = 5;
	for (e = PROTO_OK; e < PROTO_NERRORS; e++)
		m.reports_refused[e] = (uint64_t)e;
	/* PROTO_OK is not an error: never shown. */
	m.reports_refused[PROTO_OK] = 999;
	m.alerts_delivered = UINT64_MAX;
	m.acks = 77;
	m.accept_errors = 3;
	m.http_refused = 4;
	h.buckets[0] = 10;
	h.buckets[1] = 20;
	h.buckets[3] = 3;
	h.buckets[10] = 1;
	h.buckets[11] = 1;
	h.count = 35;
	h.sum = 3.1234567;
	text = metrics_render(&m, &h, &g, members, NITEMS(members));
	ck_assert_ptr_nonnull(text);
	assert_same_text(text, expected);
	ck_assert_str_eq(text, expected);
	free(text);
}
END_TEST

START_TEST(test_render_empty)
{
	struct metrics			m;
	struct metrics_histogram	h;
	struct metrics_gauges		g;
	char				*text, *line, *save = NULL, *value;
	size_t				 samples = 0;

	memset(&m, 0, sizeof m);
	memset(&h, 0, sizeof h);
	memset(&g, 0, sizeof g);
	g.store_broken = 1;
	text = metrics_render(&m, &h, &g, NULL, 0);
	ck_assert_ptr_nonnull(text);
	/* Without tls_crl, no CRL line. */
	ck_assert_ptr_null(strstr(text, "crl_next_update"));
	/* No member lines, but every family still has HELP and TYPE. */
	ck_assert_ptr_null(strstr(text, "{member="));
	ck_assert_ptr_nonnull(strstr(text,
	    "# TYPE kentongan_member_backlog gauge\n"));
	ck_assert_ptr_nonnull(strstr(text, "\nkentongan_last_seq 0\n"));
	ck_assert_ptr_nonnull(strstr(text,
	    "\nkentongan_commit_seconds_bucket{le=\"+Inf\"} 0\n"));
	ck_assert_ptr_nonnull(strstr(text,
	    "\nkentongan_commit_seconds_sum 0.000000\n"));
	ck_assert_ptr_nonnull(strstr(text,
	    "\nkentongan_commit_seconds_count 0\n"));
	ck_assert_int_eq(text[strlen(text) - 1], '\n');
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "# HELP kentongan_", 17) == 0 ||
		    strncmp(line, "# TYPE kentongan_", 17) == 0)
			continue;
		ck_assert_msg(strncmp(line, "kentongan_", 10) == 0,
		    "line not of the kentongan_ namespace: %s", line);
		value = strrchr(line, ' ');
		ck_assert_msg(value != NULL, "no value: %s", line);
		if (strncmp(line, "kentongan_commit_seconds_sum ", 29) == 0)
			ck_assert_str_eq(value, " 0.000000");
		else if (strncmp(line, "kentongan_store_ok ", 19) == 0)
			ck_assert_str_eq(value, " 0");
		else if (strncmp(line, "kentongan_build_info{", 21) == 0)
			ck_assert_str_eq(value, " 1");
		else
			ck_assert_msg(strcmp(value, " 0") == 0,
			    "non-zero sample: %s", line);
		samples++;
	}
	/*
	 * 16 single counters and gauges (no CRL: no next update), 14
	 * refusals, 2, 12 buckets, 2.
	 */
	ck_assert_uint_eq(samples, 16 + (PROTO_NERRORS - 1) + 2 + 12 + 2);
	free(text);
}
END_TEST

START_TEST(test_render_many_members)
{
	enum { N = 3000 };
	struct metrics			 m;
	struct metrics_histogram	 h;
	struct metrics_member		*members;
	struct metrics_gauges		 g;
	char				 (*ids)[16], want[96];
	char				*text;
	size_t				 i;

	memset(&m, 0, sizeof m);
	memset(&h, 0, sizeof h);
	memset(&g, 0, sizeof g);
	members = calloc(N, sizeof *members);
	ids = calloc(N, sizeof *ids);
	ck_assert_ptr_nonnull(members);
	ck_assert_ptr_nonnull(ids);
	for (i = 0; i < N; i++) {
		snprintf(ids[i], sizeof ids[i], "M%05zu", i);
		members[i].id = ids[i];
		members[i].connected = (int)(i % 2);
		members[i].acked_seq = (int64_t)i * 10;
		members[i].backlog = (int64_t)i;
	}
	text = metrics_render(&m, &h, &g, members, N);
	ck_assert_ptr_nonnull(text);
	for (i = 0; i < N; i += 499) {
		snprintf(want, sizeof want,
		    "\nkentongan_member_backlog{member=\"%s\"} %zu\n", ids[i],
		    i);
		ck_assert_msg(strstr(text, want) != NULL, "missing %s", want);
		snprintf(want, sizeof want,
		    "\nkentongan_member_acked_seq{member=\"%s\"} %zu\n", ids[i],
		    i * 10);
		ck_assert_msg(strstr(text, want) != NULL, "missing %s", want);
		snprintf(want, sizeof want,
		    "\nkentongan_member_connected{member=\"%s\"} %zu\n", ids[i],
		    i % 2);
		ck_assert_msg(strstr(text, want) != NULL, "missing %s", want);
	}
	snprintf(want, sizeof want,
	    "kentongan_member_backlog{member=\"M%05d\"} %d\n", N - 1, N - 1);
	ck_assert_str_eq(text + strlen(text) - strlen(want), want);
	free(text);
	free(ids);
	free(members);
}
END_TEST

static Suite *
metrics_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("metrics");
#define ADD(name, fn) do {						\
	tc = tcase_create(name);					\
	tcase_add_test(tc, fn);						\
	suite_add_tcase(s, tc);						\
} while (0)
	ADD("bounds", test_bounds);
	ADD("bucket_boundaries", test_bucket_boundaries);
	ADD("histogram_count_and_sum", test_histogram_count_and_sum);
	ADD("render_exact", test_render_exact);
	ADD("render_empty", test_render_empty);
	ADD("render_many_members", test_render_many_members);
#undef ADD
	return (s);
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(metrics_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
