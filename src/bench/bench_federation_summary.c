/*
 * The output of a federation run: each figure for a person, what the two
 * hubs' logs say, and the JSON line that ends the output.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "bench_federation_impl.h"

/* Trouble lines of a log kept for the summary, at most. */
#define BENCH_FED_SUMMARY_SHOWN		3

static const char *const bench_fed_summary_hubs[BENCH_FED_SIDES] = {
	"A", "B"
};

/* Per second, over the measured window. */
static double
bench_fed_summary_rate(const struct bench_fed_result *r, uint64_t n)
{
	return (r->elapsed > 0 ? (double)n / r->elapsed : 0);
}

/* Print a wait's percentiles, or that there were none. */
static void
bench_fed_summary_wait(const char *label, const struct bench_fed_wait *w,
    const char *what)
{
	if (w->count == 0) {
		printf("  %-18s none measured\n", label);
		return;
	}
	printf("  %-18s p50 %.3f  p90 %.3f  p99 %.3f  max %.3f  mean %.3f  "
	    "(%zu %s)\n", label, w->p50, w->p90, w->p99, w->max, w->mean,
	    w->count, what);
}

/* Print one row of the per-second series. */
static void
bench_fed_summary_series(const char *label, const uint64_t *v, size_t n)
{
	size_t	i;

	printf("  %-18s", label);
	for (i = 0; i < n; i++)
		printf(" %llu", (unsigned long long)v[i]);
	printf("\n");
}

/* Print how the subscribers ended: all in, or how many missing. */
static void
bench_fed_summary_drain(const struct bench_fed_result *r)
{
	const struct bench_fed_counts	*c = &r->last;
	uint64_t			 got = c->got[BENCH_FED_B];

	if (!r->measured)
		return;
	if (r->drain_seconds >= 0) {
		printf("  drain              every subscriber had all %llu "
		    "reports A accepted %.2f s after the publishers stopped\n",
		    (unsigned long long)c->accepted, r->drain_seconds);
		return;
	}
	printf("  NOT FORWARDED      B's subscribers had %llu of the %llu "
	    "reports A accepted ", (unsigned long long)got,
	    (unsigned long long)c->accepted);
	if (r->drain_stalled)
		printf("and none more came for %.0f s (%.1f s after the "
		    "publishers stopped)\n", BENCH_FED_STALL_TIMEOUT,
		    r->drain_waited);
	else
		printf("%.1f s after the publishers stopped, still coming\n",
		    r->drain_waited);
	if (r->subscribers[BENCH_FED_A] > 0 &&
	    c->got[BENCH_FED_A] < c->accepted)
		printf("  NOT DELIVERED      A's own subscriber had %llu of "
		    "them\n", (unsigned long long)c->got[BENCH_FED_A]);
}

/* Print the CPU of a hub's threads that did anything. */
static void
bench_fed_summary_cpu(const char *hub, const struct bench_cpu *cpu,
    double e)
{
	unsigned	i, shown = 0;

	printf("hub %s %.2f cores", hub, cpu->server / e);
	for (i = 0; cpu->nthreads > 1 && i < cpu->nthreads; i++) {
		if (cpu->seconds[i] / e < 0.005)
			continue;
		printf("%s%.2f", shown++ == 0 ? " (threads " : " ",
		    cpu->seconds[i] / e);
	}
	printf("%s", shown > 0 ? ")" : "");
}

/* What the window measured: the counts, rates and backlog. */
static void
bench_fed_summary_window(const struct bench_fed_result *r)
{
	const struct bench_fed_counts	*s = &r->start, *e = &r->end;
	uint64_t			 acc = e->accepted - s->accepted;
	uint64_t			 fwd = e->got[BENCH_FED_B] -
					    s->got[BENCH_FED_B];
	uint64_t			 loc = e->got[BENCH_FED_A] -
					    s->got[BENCH_FED_A];

	printf("  forwarded A -> B   %12.0f reports/s received on B (%llu in "
	    "%.2f s, tier global with an origin at A)\n",
	    bench_fed_summary_rate(r, fwd), (unsigned long long)fwd,
	    r->elapsed);
	if (r->subscribers[BENCH_FED_B] > 1)
		printf("  alerts on B        %12.0f /s by all %u subscribers\n",
		    bench_fed_summary_rate(r, e->alerts[BENCH_FED_B] -
		    s->alerts[BENCH_FED_B]), r->subscribers[BENCH_FED_B]);
	printf("  accepted on A      %12.0f reports/s (%llu in %.2f s)\n",
	    bench_fed_summary_rate(r, acc), (unsigned long long)acc,
	    r->elapsed);
	if (r->subscribers[BENCH_FED_A] > 0)
		printf("  delivered on A     %12.0f reports/s to A's own "
		    "subscriber\n", bench_fed_summary_rate(r, loc));
	printf("  behind on B        %llu reports at the window's start, "
	    "%llu at its end\n", (unsigned long long)(s->accepted -
	    (s->got[BENCH_FED_B] < s->accepted ? s->got[BENCH_FED_B] :
	    s->accepted)), (unsigned long long)(e->accepted -
	    (e->got[BENCH_FED_B] < e->accepted ? e->got[BENCH_FED_B] :
	    e->accepted)));
	if (r->nseries > 0) {
		bench_fed_summary_series("each s, A accepted", r->series[0],
		    r->nseries);
		bench_fed_summary_series("each s, B received", r->series[1],
		    r->nseries);
	}
}

/* "s" unless n is one. */
static const char *
bench_fed_summary_s(unsigned n)
{
	return (n == 1 ? "" : "s");
}

void
bench_fed_summary_title(const struct bench_federation_options *o,
    const struct bench_fed_result *r)
{
	unsigned	a = r->subscribers[BENCH_FED_A];
	unsigned	b = r->subscribers[BENCH_FED_B];

	if (r->figure == BENCH_FED_THROUGHPUT)
		printf("throughput: %u publisher%s on A as fast as a window of "
		    "%u each allows, %u subscriber%s on B\n", r->publishers,
		    bench_fed_summary_s(r->publishers), o->wl->window, b,
		    bench_fed_summary_s(b));
	else
		printf("latency: %u publisher%s on A at %.0f reports/s in all, "
		    "%u subscriber%s on B and %u on A\n", r->publishers,
		    bench_fed_summary_s(r->publishers), r->rate, b,
		    bench_fed_summary_s(b), a);
}

void
bench_fed_summary_print(const struct bench_federation_options *o,
    const struct bench_fed_result *r)
{
	const struct bench_fed_counts	*c = &r->last;
	double				 e = r->elapsed > 0 ? r->elapsed : 1;
	int				 side;

	printf("\n");
	bench_fed_summary_title(o, r);
	if (r->link_seconds >= 0)
		printf("  link               the first report reached B %.2f s "
		    "after A started\n", r->link_seconds);
	if (r->measured) {
		if (r->figure == BENCH_FED_LATENCY) {
			bench_fed_summary_wait("A -> B, ms",
			    &r->wait[BENCH_FED_B], "alerts on B");
			bench_fed_summary_wait("on A, ms",
			    &r->wait[BENCH_FED_A], "alerts on A, no hop");
			if (r->wait[BENCH_FED_A].count > 0 &&
			    r->wait[BENCH_FED_B].count > 0)
				printf("  the hop costs      p50 %+.3f ms, p99 "
				    "%+.3f ms\n", r->wait[BENCH_FED_B].p50 -
				    r->wait[BENCH_FED_A].p50,
				    r->wait[BENCH_FED_B].p99 -
				    r->wait[BENCH_FED_A].p99);
		}
		bench_fed_summary_window(r);
		bench_fed_summary_wait("accepted on A, ms", &r->answer,
		    "reports sent -> accepted");
	}
	bench_fed_summary_drain(r);
	printf("  alerts             %llu again, %llu skipped, %llu out of seq "
	    "order, %llu not as expected; %llu refused, %llu errors\n",
	    (unsigned long long)c->duplicates, (unsigned long long)c->missing,
	    (unsigned long long)c->out_of_order,
	    (unsigned long long)c->malformed, (unsigned long long)c->rejected,
	    (unsigned long long)c->errors);
	if (r->measured) {
		printf("  CPU in the window  ");
		bench_fed_summary_cpu("A", &r->cpu[BENCH_FED_A], e);
		printf(", ");
		bench_fed_summary_cpu("B", &r->cpu[BENCH_FED_B], e);
		printf(", load generator %.2f, other processes %.2f\n",
		    r->bench_cpu, r->other_cpu);
		if (r->other_cpu > 0.2)
			printf("  NOTE               other processes used %.2f "
			    "CPUs during the window: these figures are lower "
			    "than on a quiet machine\n", r->other_cpu);
	}
	for (side = 0; side < BENCH_FED_SIDES; side++) {
		printf("  hub %s              peak RSS ",
		    bench_fed_summary_hubs[side]);
		if (r->peak_rss_kb[side] > 0)
			printf("%ld kB", r->peak_rss_kb[side]);
		else
			printf("unknown");
		if (r->stop_seconds[side] >= 0)
			printf(", exit status 0 %.2f s after SIGTERM",
			    r->stop_seconds[side]);
		printf("; log %zu lines, %zu that look like trouble",
		    r->log_lines[side], r->log_trouble[side]);
		if (side == BENCH_FED_A)
			printf("; the link to B started %u time%s",
			    r->link_starts, r->link_starts == 1 ? "" : "s");
		printf("\n");
		if (r->log_shown[side] != NULL)
			printf("%s", r->log_shown[side]);
	}
	if (r->trouble != NULL)
		printf("  first trouble      %s\n", r->trouble);
	if (r->problem != NULL)
		printf("  PROBLEM            %s\n", r->problem);
	else if (!r->measured)
		printf("  not measured\n");
}

void
bench_fed_summary_log(const char *log, struct bench_fed_result *r,
    enum bench_fed_side side)
{
	static const char *const words[] = { "cannot", "failed", "error",
	    "fatal", "warn", "out of memory", "refused", NULL };
	FILE		*f;
	char		*line = NULL, *shown = NULL, *more;
	size_t		 cap = 0, i;
	ssize_t		 n;

	if ((f = fopen(log, "re")) == NULL)
		return;
	while ((n = getline(&line, &cap, f)) != -1) {
		r->log_lines[side]++;
		if (side == BENCH_FED_A && strstr(line, "forwarding to peer") !=
		    NULL)
			r->link_starts++;
		for (i = 0; words[i] != NULL; i++) {
			if (strcasestr(line, words[i]) != NULL)
				break;
		}
		if (words[i] == NULL)
			continue;
		if (r->log_trouble[side]++ >= BENCH_FED_SUMMARY_SHOWN)
			continue;
		if (n > 0 && line[n - 1] == '\n')
			line[n - 1] = '\0';
		if (asprintf(&more, "%s  hub %s log: %.300s\n", shown != NULL ?
		    shown : "", bench_fed_summary_hubs[side], line) == -1)
			continue;
		free(shown);
		shown = more;
	}
	free(line);
	fclose(f);
	free(r->log_shown[side]);
	r->log_shown[side] = shown;
}

/* A real number for JSON, rounded to three decimals. */
static json_t *
bench_fed_summary_real(double v)
{
	return (json_real(round(v * 1000.0) / 1000.0));
}

/* A wait as an object, or null without samples. */
static json_t *
bench_fed_summary_wait_json(const struct bench_fed_wait *w)
{
	if (w->count == 0)
		return (json_null());
	return (json_pack("{s:o, s:o, s:o, s:o, s:o, s:I}",
	    "p50", bench_fed_summary_real(w->p50),
	    "p90", bench_fed_summary_real(w->p90),
	    "p99", bench_fed_summary_real(w->p99),
	    "max", bench_fed_summary_real(w->max),
	    "mean", bench_fed_summary_real(w->mean),
	    "count", (json_int_t)w->count));
}

/* A per-second series as an array. */
static json_t *
bench_fed_summary_series_json(const uint64_t *v, size_t n)
{
	json_t	*a = json_array();
	size_t	 i;

	for (i = 0; a != NULL && i < n; i++)
		json_array_append_new(a, json_integer((json_int_t)v[i]));
	return (a);
}

/* {"A":a,"B":b} of two numbers, each null when negative. */
static json_t *
bench_fed_summary_pair(double a, double b, int integer)
{
	json_t	*ja, *jb;

	if (integer) {
		ja = a >= 0 ? json_integer((json_int_t)a) : json_null();
		jb = b >= 0 ? json_integer((json_int_t)b) : json_null();
	} else {
		ja = a >= 0 ? bench_fed_summary_real(a) : json_null();
		jb = b >= 0 ? bench_fed_summary_real(b) : json_null();
	}
	return (json_pack("{s:o, s:o}", "A", ja, "B", jb));
}

/* Set an unsigned count in j. */
static void
bench_fed_summary_set(json_t *j, const char *key, uint64_t v)
{
	json_object_set_new(j, key, json_integer((json_int_t)v));
}

/* The figures of one figure's run as a JSON object. */
static json_t *
bench_fed_summary_figure(const struct bench_fed_result *r)
{
	const struct bench_fed_counts	*s = &r->start, *e = &r->end;
	const struct bench_fed_counts	*c = &r->last;
	double				 el = r->elapsed > 0 ? r->elapsed : 1;
	json_t				*j;

	if ((j = json_object()) == NULL)
		return (NULL);
	json_object_set_new(j, "publishers", json_integer(r->publishers));
	json_object_set_new(j, "subscribers", bench_fed_summary_pair(
	    r->subscribers[BENCH_FED_A], r->subscribers[BENCH_FED_B], 1));
	json_object_set_new(j, "rate", bench_fed_summary_real(r->rate));
	json_object_set_new(j, "measured", json_boolean(r->measured));
	json_object_set_new(j, "duration_s",
	    bench_fed_summary_real(r->elapsed));
	json_object_set_new(j, "link_s", r->link_seconds >= 0 ?
	    bench_fed_summary_real(r->link_seconds) : json_null());
	json_object_set_new(j, "forwarded_per_s", bench_fed_summary_real(
	    bench_fed_summary_rate(r, e->got[BENCH_FED_B] -
	    s->got[BENCH_FED_B])));
	json_object_set_new(j, "ingest_per_s", bench_fed_summary_real(
	    bench_fed_summary_rate(r, e->accepted - s->accepted)));
	json_object_set_new(j, "alerts_per_s", bench_fed_summary_pair(
	    bench_fed_summary_rate(r, e->alerts[BENCH_FED_A] -
	    s->alerts[BENCH_FED_A]), bench_fed_summary_rate(r,
	    e->alerts[BENCH_FED_B] - s->alerts[BENCH_FED_B]), 0));
	if (r->figure == BENCH_FED_LATENCY) {
		json_object_set_new(j, "latency_a_to_b_ms",
		    bench_fed_summary_wait_json(&r->wait[BENCH_FED_B]));
		json_object_set_new(j, "latency_on_a_ms",
		    bench_fed_summary_wait_json(&r->wait[BENCH_FED_A]));
		json_object_set_new(j, "hop_ms", r->wait[BENCH_FED_A].count >
		    0 && r->wait[BENCH_FED_B].count > 0 ? json_pack(
		    "{s:o, s:o}", "p50", bench_fed_summary_real(
		    r->wait[BENCH_FED_B].p50 - r->wait[BENCH_FED_A].p50),
		    "p99", bench_fed_summary_real(r->wait[BENCH_FED_B].p99 -
		    r->wait[BENCH_FED_A].p99)) : json_null());
	}
	json_object_set_new(j, "accepted_ms",
	    bench_fed_summary_wait_json(&r->answer));
	bench_fed_summary_set(j, "behind_at_start", s->accepted > s->got[
	    BENCH_FED_B] ? s->accepted - s->got[BENCH_FED_B] : 0);
	bench_fed_summary_set(j, "behind_at_end", e->accepted > e->got[
	    BENCH_FED_B] ? e->accepted - e->got[BENCH_FED_B] : 0);
	json_object_set_new(j, "per_second", json_pack("{s:o, s:o}",
	    "accepted_a", bench_fed_summary_series_json(r->series[0],
	    r->nseries), "received_b", bench_fed_summary_series_json(
	    r->series[1], r->nseries)));
	bench_fed_summary_set(j, "accepted", c->accepted);
	bench_fed_summary_set(j, "forwarded", c->got[BENCH_FED_B]);
	json_object_set_new(j, "drain_s", r->drain_seconds >= 0 ?
	    bench_fed_summary_real(r->drain_seconds) : json_null());
	json_object_set_new(j, "drain_stalled", json_boolean(r->drain_stalled));
	bench_fed_summary_set(j, "duplicates", c->duplicates);
	bench_fed_summary_set(j, "missing", c->missing);
	bench_fed_summary_set(j, "out_of_order", c->out_of_order);
	bench_fed_summary_set(j, "malformed", c->malformed);
	bench_fed_summary_set(j, "refused", c->rejected);
	bench_fed_summary_set(j, "errors", c->errors);
	json_object_set_new(j, "hub_cpu_cores", bench_fed_summary_pair(
	    r->cpu[BENCH_FED_A].server / el, r->cpu[BENCH_FED_B].server / el,
	    0));
	json_object_set_new(j, "bench_cpu_cores",
	    bench_fed_summary_real(r->bench_cpu));
	json_object_set_new(j, "other_cpu_cores",
	    bench_fed_summary_real(r->other_cpu));
	json_object_set_new(j, "hub_peak_rss_kb", bench_fed_summary_pair(
	    (double)r->peak_rss_kb[BENCH_FED_A],
	    (double)r->peak_rss_kb[BENCH_FED_B], 1));
	json_object_set_new(j, "hub_log_trouble", bench_fed_summary_pair(
	    (double)r->log_trouble[BENCH_FED_A],
	    (double)r->log_trouble[BENCH_FED_B], 1));
	json_object_set_new(j, "link_starts", json_integer(r->link_starts));
	if (r->trouble != NULL)
		json_object_set_new(j, "trouble", json_string(r->trouble));
	if (r->problem != NULL)
		json_object_set_new(j, "problem", json_string(r->problem));
	return (j);
}

char *
bench_fed_summary_json(const struct bench_federation_options *o,
    const struct bench_fed_result *res)
{
	json_t	*j, *t, *l;
	char	*text;

	t = bench_fed_summary_figure(&res[BENCH_FED_THROUGHPUT]);
	l = bench_fed_summary_figure(&res[BENCH_FED_LATENCY]);
	if (t == NULL || l == NULL) {
		json_decref(t);
		json_decref(l);
		return (NULL);
	}
	j = json_pack("{s:s, s:I, s:o, s:o, s:o, s:o, s:o}",
	    "mode", "federation",
	    "size", (json_int_t)o->wl->size,
	    "forwarded_per_s", json_incref(json_object_get(t,
	    "forwarded_per_s")),
	    "ingest_a_per_s", json_incref(json_object_get(t, "ingest_per_s")),
	    "latency_a_to_b_ms", json_incref(json_object_get(l,
	    "latency_a_to_b_ms")),
	    "throughput", t,
	    "latency", l);
	if (j == NULL)
		return (NULL);
	text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER |
	    JSON_REAL_PRECISION(15));
	json_decref(j);
	return (text);
}
