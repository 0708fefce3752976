/*
 * The figures of an isolation run: a table of the bystanders' waits in
 * phase A and phase B with their ratio, the hostile side's pace, the
 * hub's memory, and the JSON line that ends the output. A figure that is
 * only a lower bound (something was never answered) is printed with ">"
 * and listed in "at_least".
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "bench_isolation_impl.h"

/* What each kind of hostile request is, for a person. */
static const char *const bench_isolation_summary_kinds[] = {
	"query as H0 (entitled to the clear history)",
	"query as H1 (entitled to none of it)",
	"query as H0, never reading",
	"subscribe since 0 as H0, no acks",
	"subscribe since 0 as H1, no acks",
	"GET /v1/stats as O0",
	"GET /v1/reports?limit=1000 as O0",
	"console pages (/, /reports?limit=1000, /stats) as O0",
};

/* A duration in ms, ">" first when a lower bound, into buf. */
static const char *
bench_isolation_summary_ms(double v, int at_least, char *buf, size_t size)
{
	int	decimals = v < 10 ? 3 : v < 1000 ? 1 : 0;

	snprintf(buf, size, "%s%.*f", at_least ? ">" : "", decimals, v);
	return (buf);
}

/* b / a as text, ">" when b is a lower bound, "-" when there is none. */
static const char *
bench_isolation_summary_ratio(double a, double b, size_t counta,
    size_t countb, int at_least, char *buf, size_t size)
{
	if (counta == 0 || countb == 0 || a <= 0)
		snprintf(buf, size, "-");
	else
		snprintf(buf, size, "%s%.2f", at_least ? ">" : "", b / a);
	return (buf);
}

/* One row of a wait: a percentile in A, in B, and (ratio) B / A. */
static void
bench_isolation_summary_row(const char *label, const char *what,
    const struct bench_isolation_wait *a, const struct bench_isolation_wait *b,
    double va, double vb, int flag, int ratio)
{
	char	ta[32] = "-", tb[32] = "-", tr[32] = "";

	if (a->count > 0)
		bench_isolation_summary_ms(va, a->at_least & flag, ta,
		    sizeof ta);
	if (b->count > 0)
		bench_isolation_summary_ms(vb, b->at_least & flag, tb,
		    sizeof tb);
	if (ratio)
		bench_isolation_summary_ratio(va, vb, a->count, b->count,
		    (b->at_least & flag) != 0, tr, sizeof tr);
	printf("  %-18s %-6s %18s %22s", label, what, ta, tb);
	if (ratio)
		printf(" %12s", tr);
	printf("\n");
}

/* The count of a wait: sent, and how many were never answered. */
static void
bench_isolation_summary_count(const char *what,
    const struct bench_isolation_wait *a, const struct bench_isolation_wait *b)
{
	char	ta[48], tb[48];

	snprintf(ta, sizeof ta, "%zu, %zu unanswered", a->count,
	    a->unanswered);
	snprintf(tb, sizeof tb, "%zu, %zu unanswered", b->count,
	    b->unanswered);
	printf("  %-18s %-6s %18s %22s\n", "", what, ta, tb);
}

/* The hostile side's figures in phase B. */
static void
bench_isolation_summary_hostile(const struct bench_isolation_figures *f)
{
	const struct bench_isolation_hostile	*k;
	char					 t50[32], tmax[32];
	double					 total = 0;
	size_t					 i;

	printf("\n    %-43s %9s %8s %21s %8s\n", "hostile side in phase B",
	    "answers/s", "answers", "each p50 / max ms", "MB read");
	for (i = 0; i < BENCH_HOSTILE_KINDS; i++) {
		k = &f->hostile[i];
		if (!k->active)
			continue;
		if (i == BENCH_HOSTILE_QUERY_DEAF) {
			printf("    %-43s %llu queries written, nothing read\n",
			    bench_isolation_summary_kinds[i],
			    (unsigned long long)k->written);
			continue;
		}
		total += k->per_s;
		printf("    %-43s %9.1f %8llu %9s / %-9s %8.1f",
		    bench_isolation_summary_kinds[i], k->per_s,
		    (unsigned long long)k->done, k->answer.count > 0 ?
		    bench_isolation_summary_ms(k->answer.p50, 0, t50,
		    sizeof t50) : "-", k->answer.count > 0 ?
		    bench_isolation_summary_ms(k->answer.max, 0, tmax,
		    sizeof tmax) : "-", (double)k->bytes / 1e6);
		if (k->errors > 0)
			printf("  (%llu errors)",
			    (unsigned long long)k->errors);
		printf("\n");
	}
	printf("    %-43s %9.1f /s\n", "completed requests in all", total);
}

void
bench_isolation_summary_print(const struct bench_isolation_options *o,
    const struct bench_isolation_result *r)
{
	const struct bench_isolation_figures	*a = &r->phase[0];
	const struct bench_isolation_figures	*b = &r->phase[1];
	char					 attack[64], head[80];
	double					 ea, eb;

	bench_isolation_attack_name(r->attacks, attack, sizeof attack);
	snprintf(head, sizeof head, "B: attack %s", attack);
	printf("\nkentongand, %lu reports of history, attack %s\n",
	    o->history, attack);
	if (!r->measured) {
		printf("  nothing measured: %s\n", r->problem != NULL ?
		    r->problem : "the run did not start");
		return;
	}
	printf("  %-25s %18s %22s %12s\n", "", "A: no attack", head, "B / A");
	bench_isolation_summary_row("ping RTT ms", "p50", &a->ping, &b->ping,
	    a->ping.p50, b->ping.p50, BENCH_ISOLATION_AT_LEAST_P50, 1);
	bench_isolation_summary_row("", "p90", &a->ping, &b->ping,
	    a->ping.p90, b->ping.p90, BENCH_ISOLATION_AT_LEAST_P90, 0);
	bench_isolation_summary_row("", "p99", &a->ping, &b->ping,
	    a->ping.p99, b->ping.p99, BENCH_ISOLATION_AT_LEAST_P99, 1);
	bench_isolation_summary_row("", "max", &a->ping, &b->ping,
	    a->ping.max, b->ping.max, BENCH_ISOLATION_AT_LEAST_MAX, 0);
	bench_isolation_summary_count("pings", &a->ping, &b->ping);
	bench_isolation_summary_row("alert latency ms", "p50", &a->alert,
	    &b->alert, a->alert.p50, b->alert.p50,
	    BENCH_ISOLATION_AT_LEAST_P50, 1);
	bench_isolation_summary_row("", "p99", &a->alert, &b->alert,
	    a->alert.p99, b->alert.p99, BENCH_ISOLATION_AT_LEAST_P99, 1);
	bench_isolation_summary_row("", "max", &a->alert, &b->alert,
	    a->alert.max, b->alert.max, BENCH_ISOLATION_AT_LEAST_MAX, 0);
	bench_isolation_summary_count("alerts", &a->alert, &b->alert);
	if (a->refused + b->refused > 0)
		printf("  %-25s %18llu %22llu\n", "reports refused",
		    (unsigned long long)a->refused,
		    (unsigned long long)b->refused);
	printf("  %-18s %-6s %18ld %22ld\n", "hub RSS kB", "peak",
	    a->rss_peak_kb, b->rss_peak_kb);
	printf("  %-18s %-6s %18ld %22ld\n", "", "end", a->rss_end_kb,
	    b->rss_end_kb);
	ea = a->elapsed > 0 ? a->elapsed : 1;
	eb = b->elapsed > 0 ? b->elapsed : 1;
	printf("  %-25s %18.2f %22.2f\n", "hub CPU cores", a->cpu.server / ea,
	    b->cpu.server / eb);
	printf("  %-25s %18.2f %22.2f\n", "this program's CPU cores",
	    a->cpu.bench / ea, b->cpu.bench / eb);
	printf("  %-25s %18.2f %22.2f\n", "other processes' cores",
	    a->cpu.others / ea, b->cpu.others / eb);
	if (a->cpu.others / ea > 0.2 || b->cpu.others / eb > 0.2)
		printf("  NOTE: other processes used a share of the %ld CPUs; "
		    "the waits are longer than on a quiet machine\n",
		    sysconf(_SC_NPROCESSORS_ONLN));
	bench_isolation_summary_hostile(b);
	printf("\n");
	if (r->drain_seconds >= 0)
		printf("  after the attack   every answer of phase B was back "
		    "%.2f s after it stopped\n", r->drain_seconds);
	else if (r->drain_limit > 0)
		printf("  after the attack   %zu pings and alerts of phase B "
		    "still unanswered %.0f s after it stopped\n", r->drain_left,
		    r->drain_limit);
	if (r->peak_rss_kb > 0)
		printf("  hub peak RSS       %ld kB over the run\n",
		    r->peak_rss_kb);
	if (r->stop_seconds >= 0)
		printf("  stop               exit status 0, %.2f s after "
		    "SIGTERM\n", r->stop_seconds);
	if (r->problem != NULL)
		printf("  first problem      %s\n", r->problem);
}

/* A real number for JSON, rounded to three decimals. */
static json_t *
bench_isolation_summary_real(double v)
{
	return (json_real(round(v * 1000.0) / 1000.0));
}

/* A wait as JSON; with p90 or not. */
static json_t *
bench_isolation_summary_wait(const struct bench_isolation_wait *w, int p90)
{
	static const struct {
		const char	*name;
		int		 flag;
	} marks[] = {
		{ "p50", BENCH_ISOLATION_AT_LEAST_P50 },
		{ "p90", BENCH_ISOLATION_AT_LEAST_P90 },
		{ "p99", BENCH_ISOLATION_AT_LEAST_P99 },
		{ "max", BENCH_ISOLATION_AT_LEAST_MAX },
	};
	json_t	*j, *least;
	size_t	 i;

	if ((j = json_object()) == NULL)
		return (NULL);
	if (w->count > 0) {
		json_object_set_new(j, "p50",
		    bench_isolation_summary_real(w->p50));
		if (p90)
			json_object_set_new(j, "p90",
			    bench_isolation_summary_real(w->p90));
		json_object_set_new(j, "p99",
		    bench_isolation_summary_real(w->p99));
		json_object_set_new(j, "max",
		    bench_isolation_summary_real(w->max));
	} else {
		json_object_set_new(j, "p50", json_null());
		if (p90)
			json_object_set_new(j, "p90", json_null());
		json_object_set_new(j, "p99", json_null());
		json_object_set_new(j, "max", json_null());
	}
	json_object_set_new(j, "count", json_integer((json_int_t)w->count));
	json_object_set_new(j, "unanswered",
	    json_integer((json_int_t)w->unanswered));
	if ((least = json_array()) != NULL) {
		for (i = 0; i < sizeof marks / sizeof marks[0]; i++) {
			if ((w->at_least & marks[i].flag) && (p90 ||
			    marks[i].flag != BENCH_ISOLATION_AT_LEAST_P90))
				json_array_append_new(least,
				    json_string(marks[i].name));
		}
		json_object_set_new(j, "at_least", least);
	}
	return (j);
}

/* The hostile side of a phase as JSON, and its completed requests/s. */
static json_t *
bench_isolation_summary_hostile_json(const struct bench_isolation_figures *f,
    double *total)
{
	const struct bench_isolation_hostile	*k;
	json_t					*j, *one, *answer;
	size_t					 i;

	*total = 0;
	if ((j = json_object()) == NULL)
		return (NULL);
	for (i = 0; i < BENCH_HOSTILE_KINDS; i++) {
		k = &f->hostile[i];
		if (!k->active)
			continue;
		if (i != BENCH_HOSTILE_QUERY_DEAF)
			*total += k->per_s;
		answer = k->answer.count > 0 ? json_pack("{s:o, s:o, s:o}",
		    "p50", bench_isolation_summary_real(k->answer.p50),
		    "p99", bench_isolation_summary_real(k->answer.p99),
		    "max", bench_isolation_summary_real(k->answer.max)) :
		    json_null();
		one = json_pack("{s:o, s:I, s:I, s:I, s:I, s:o}",
		    "per_s", bench_isolation_summary_real(k->per_s),
		    "done", (json_int_t)k->done,
		    "written", (json_int_t)k->written,
		    "errors", (json_int_t)k->errors,
		    "bytes_read", (json_int_t)k->bytes,
		    "answer_ms", answer);
		if (one != NULL)
			json_object_set_new(j, bench_hostile_kind_names[i],
			    one);
	}
	return (j);
}

/* A kB figure, or null when unknown. */
static json_t *
bench_isolation_summary_kb(long kb)
{
	return (kb > 0 ? json_integer(kb) : json_null());
}

/* The figures of one phase as JSON. */
static json_t *
bench_isolation_summary_phase(const struct bench_isolation_figures *f)
{
	json_t	*j, *hostile;
	double	 e = f->elapsed > 0 ? f->elapsed : 1, total;

	hostile = bench_isolation_summary_hostile_json(f, &total);
	j = json_pack("{s:o, s:o, s:o, s:I, s:o, s:o, s:{s:o, s:o, s:o}, "
	    "s:o, s:o}",
	    "elapsed_s", bench_isolation_summary_real(f->elapsed),
	    "ping_rtt_ms", bench_isolation_summary_wait(&f->ping, 1),
	    "alert_latency_ms", bench_isolation_summary_wait(&f->alert, 0),
	    "reports_refused", (json_int_t)f->refused,
	    "hostile_per_s", bench_isolation_summary_real(total),
	    "hostile", hostile != NULL ? hostile : json_null(),
	    "hub_rss_kb",
	    "start", bench_isolation_summary_kb(f->rss_start_kb),
	    "peak", bench_isolation_summary_kb(f->rss_peak_kb),
	    "end", bench_isolation_summary_kb(f->rss_end_kb),
	    "hub_cpu_cores", bench_isolation_summary_real(f->cpu.server / e),
	    "other_cpu_cores", bench_isolation_summary_real(f->cpu.others / e));
	return (j);
}

/* b / a for JSON; null without both. */
static json_t *
bench_isolation_summary_quotient(double a, double b, size_t counta,
    size_t countb)
{
	if (counta == 0 || countb == 0 || a <= 0)
		return (json_null());
	return (bench_isolation_summary_real(b / a));
}

/* The ratios of phase B to phase A, and which are lower bounds. */
static json_t *
bench_isolation_summary_ratios(const struct bench_isolation_result *r)
{
	const struct bench_isolation_figures	*a = &r->phase[0];
	const struct bench_isolation_figures	*b = &r->phase[1];
	json_t					*j, *least;

	j = json_pack("{s:o, s:o, s:o, s:o}",
	    "ping_p50", bench_isolation_summary_quotient(a->ping.p50,
	    b->ping.p50, a->ping.count, b->ping.count),
	    "ping_p99", bench_isolation_summary_quotient(a->ping.p99,
	    b->ping.p99, a->ping.count, b->ping.count),
	    "alert_p50", bench_isolation_summary_quotient(a->alert.p50,
	    b->alert.p50, a->alert.count, b->alert.count),
	    "alert_p99", bench_isolation_summary_quotient(a->alert.p99,
	    b->alert.p99, a->alert.count, b->alert.count));
	if (j == NULL || (least = json_array()) == NULL)
		return (j);
	if (b->ping.at_least & BENCH_ISOLATION_AT_LEAST_P50)
		json_array_append_new(least, json_string("ping_p50"));
	if (b->ping.at_least & BENCH_ISOLATION_AT_LEAST_P99)
		json_array_append_new(least, json_string("ping_p99"));
	if (b->alert.at_least & BENCH_ISOLATION_AT_LEAST_P50)
		json_array_append_new(least, json_string("alert_p50"));
	if (b->alert.at_least & BENCH_ISOLATION_AT_LEAST_P99)
		json_array_append_new(least, json_string("alert_p99"));
	json_object_set_new(j, "at_least", least);
	return (j);
}

char *
bench_isolation_summary_json(const struct bench_isolation_options *o,
    const struct bench_isolation_result *r)
{
	json_t	*j;
	char	 attack[64], *text;

	j = json_pack("{s:s, s:s, s:I, s:I, s:o, s:o, s:o, s:I}",
	    "mode", "isolation",
	    "attack", bench_isolation_attack_name(r->attacks, attack,
	    sizeof attack),
	    "history", (json_int_t)o->history,
	    "last_seq", (json_int_t)r->last_seq,
	    "duration_s", bench_isolation_summary_real(o->wl->duration),
	    "ping_rate", bench_isolation_summary_real(o->ping_rate),
	    "rate", bench_isolation_summary_real(o->wl->rate),
	    "size", (json_int_t)o->wl->size);
	if (j == NULL)
		return (NULL);
	json_object_set_new(j, "baseline",
	    bench_isolation_summary_phase(&r->phase[0]));
	json_object_set_new(j, "under_attack",
	    bench_isolation_summary_phase(&r->phase[1]));
	json_object_set_new(j, "ratios", bench_isolation_summary_ratios(r));
	json_object_set_new(j, "drain_s", r->drain_seconds >= 0 ?
	    bench_isolation_summary_real(r->drain_seconds) : json_null());
	json_object_set_new(j, "drain_unanswered",
	    json_integer((json_int_t)r->drain_left));
	json_object_set_new(j, "hub_peak_rss_kb",
	    bench_isolation_summary_kb(r->peak_rss_kb));
	json_object_set_new(j, "fill_s",
	    bench_isolation_summary_real(r->fill_seconds));
	json_object_set_new(j, "stop_s", r->stop_seconds >= 0 ?
	    bench_isolation_summary_real(r->stop_seconds) : json_null());
	if (r->problem != NULL)
		json_object_set_new(j, "problem", json_string(r->problem));
	text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER |
	    JSON_REAL_PRECISION(15));
	json_decref(j);
	return (text);
}
