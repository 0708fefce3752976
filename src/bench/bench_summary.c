/*
 * The output of a run: a readable summary of each system's figures, what
 * the server's log says, and the JSON line that ends the output.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "bench_summary.h"

const char *const bench_summary_modes[BENCH_SUMMARY_MODES] = { "ingest",
    "fanout", "latency", "connections", "isolation", "federation" };

/* Print the figures of one system. */
void
bench_summary_print(const char *system, const struct bench_workload *wl,
    const struct bench_result *r)
{
	double				 e = r->elapsed > 0 ? r->elapsed : 1;
	unsigned			 i, shown;

	printf("\n%s\n", system);
	if (wl->mode != BENCH_CONNECTIONS) {
		printf("  reports accepted   %12.0f /s  (%llu in %.2f s; "
		    "%llu sent, %llu accepted in all, %llu refused, %llu "
		    "errors)\n", r->reports_per_s,
		    (unsigned long long)r->reports, r->elapsed,
		    (unsigned long long)r->sent,
		    (unsigned long long)r->accepted,
		    (unsigned long long)r->rejected,
		    (unsigned long long)r->errors);
		if (r->answer.count > 0)
			printf("  accepted after ms  p50 %.3f  p99 %.3f  max %.3f "
			    " (report sent -> its acceptance)\n", r->answer.p50,
			    r->answer.p99, r->answer.max);
		if (wl->subscribers > 0) {
			printf("  alerts delivered   %12.0f /s  (%llu in the "
			    "window, %llu in all)\n", r->alerts_per_s,
			    (unsigned long long)r->alerts,
			    (unsigned long long)r->alerts_total);
			if (r->latency.count > 0)
				printf("  latency ms         p50 %.3f  p99 %.3f  "
				    "max %.3f  mean %.3f  (%zu alerts)\n",
				    r->latency.p50, r->latency.p99,
				    r->latency.max, r->latency.mean,
				    r->latency.count);
			if (r->behind > 0)
				printf("  NOT DELIVERED      %llu alerts were "
				    "still owed to subscribers 20 s after the "
				    "run\n", (unsigned long long)r->behind);
			else
				printf("  delivery           every subscriber "
				    "got every accepted report\n");
			if (r->out_of_order > 0)
				printf("  OUT OF ORDER       %llu alerts came "
				    "again or out of seq order\n",
				    (unsigned long long)r->out_of_order);
		}
	}
	printf("  connections        %u held, %u failed, opened in %.2f s",
	    r->connections, r->failed, r->connect_seconds);
	if (wl->mode == BENCH_CONNECTIONS && r->connect_seconds > 0)
		printf(" (%.0f handshakes/s)", (double)(r->connections +
		    r->failed) / r->connect_seconds);
	printf("\n");
	if (wl->mode == BENCH_CONNECTIONS && r->connections + r->failed > 0)
		printf("  handshake CPU      server %.2f ms, load generator %.2f "
		    "ms a connection; other processes %.2f cores meanwhile\n",
		    r->connect_cpu.server * 1000.0 / (r->connections +
		    r->failed), r->connect_cpu.bench * 1000.0 /
		    (r->connections + r->failed), r->connect_seconds > 0 ?
		    r->connect_cpu.others / r->connect_seconds : 0);
	if (r->rss_kb > 0)
		printf("  RSS while holding  %ld kB (%.1f kB a connection)\n",
		    r->rss_kb, r->connections > 0 ? (double)r->rss_kb /
		    r->connections : 0);
	if (r->peak_rss_kb > 0)
		printf("  peak RSS           %ld kB\n", r->peak_rss_kb);
	printf("  CPU in the window  server %.2f cores", r->cpu.server / e);
	for (i = 0, shown = 0; r->cpu.nthreads > 1 && i < r->cpu.nthreads;
	    i++) {
		if (r->cpu.seconds[i] / e < 0.005)
			continue;
		printf("%s%ld %.2f", shown++ == 0 ? " (threads: " : ", ",
		    (long)r->cpu.tid[i], r->cpu.seconds[i] / e);
	}
	printf("%s, load generator %.2f, other processes %.2f\n",
	    shown > 0 ? ")" : "", r->cpu.bench / e, r->cpu.others / e);
	if (r->cpu.others / e > 0.2)
		printf("  NOTE               other processes used %.2f of the "
		    "%ld CPUs during the window: these figures are lower than "
		    "on a quiet machine\n", r->cpu.others / e,
		    sysconf(_SC_NPROCESSORS_ONLN));
	if (r->stop_seconds >= 0)
		printf("  stop               exit status 0, %.2f s after SIGTERM\n",
		    r->stop_seconds);
	if (r->first_error != NULL)
		printf("  first problem      %s\n", r->first_error);
}

/* A real number for JSON, rounded to three decimals. */
static json_t *
bench_summary_real(double v)
{
	return (json_real(round(v * 1000.0) / 1000.0));
}

/* Percentiles as {"p50","p99","max"}, or null without samples. */
static json_t *
bench_summary_latency(const struct bench_latency *l)
{
	if (l->count == 0)
		return (json_null());
	return (json_pack("{s:o, s:o, s:o}", "p50",
	    bench_summary_real(l->p50), "p99", bench_summary_real(l->p99),
	    "max", bench_summary_real(l->max)));
}

/* The figures of one system as a JSON object. */
static json_t *
bench_summary_figures(const struct bench_workload *wl,
    const struct bench_result *r, const char *rss_key)
{
	json_t	*j;
	double	 e = r->elapsed > 0 ? r->elapsed : 1;

	j = json_pack("{s:o, s:o, s:o, s:o, s:I}",
	    "reports_per_s", bench_summary_real(r->reports_per_s),
	    "alerts_per_s", bench_summary_real(r->alerts_per_s),
	    "latency_ms", bench_summary_latency(&r->latency),
	    rss_key, r->peak_rss_kb > 0 ? json_integer(r->peak_rss_kb) :
	    json_null(),
	    "connections", (json_int_t)r->connections);
	if (j == NULL)
		return (NULL);
	if (wl->mode == BENCH_CONNECTIONS)
		json_object_set_new(j, "rss_kb_holding", r->rss_kb > 0 ?
		    json_integer(r->rss_kb) : json_null());
	json_object_set_new(j, "accepted_ms", bench_summary_latency(&r->answer));
	json_object_set_new(j, "accepted", json_integer((json_int_t)
	    r->accepted));
	json_object_set_new(j, "refused", json_integer((json_int_t)
	    r->rejected));
	json_object_set_new(j, "alerts_owed", json_integer((json_int_t)
	    r->behind));
	json_object_set_new(j, "failed_connections", json_integer(r->failed));
	json_object_set_new(j, "server_cpu_cores",
	    bench_summary_real(r->cpu.server / e));
	json_object_set_new(j, "bench_cpu_cores",
	    bench_summary_real(r->cpu.bench / e));
	json_object_set_new(j, "other_cpu_cores",
	    bench_summary_real(r->cpu.others / e));
	if (r->first_error != NULL)
		json_object_set_new(j, "problem", json_string(r->first_error));
	return (j);
}

/* a / b, or null when b is 0. */
static json_t *
bench_summary_ratio(double a, double b)
{
	if (b <= 0 || a < 0)
		return (json_null());
	return (bench_summary_real(a / b));
}

int
bench_summary_json(const struct bench_workload *wl,
    const struct bench_result *hub, const struct bench_result *mq)
{
	json_t				*j, *m;
	char				*text;

	if ((j = json_pack("{s:s}", "mode", bench_summary_modes[wl->mode])) ==
	    NULL)
		return (-1);
	if ((m = bench_summary_figures(wl, hub, "hub_peak_rss_kb")) == NULL ||
	    json_object_update(j, m) == -1) {
		json_decref(m);
		json_decref(j);
		return (-1);
	}
	json_decref(m);
	json_object_set_new(j, "publishers", json_integer(wl->publishers));
	json_object_set_new(j, "subscribers", json_integer(wl->subscribers));
	json_object_set_new(j, "size", json_integer((json_int_t)wl->size));
	json_object_set_new(j, "rate", bench_summary_real(wl->rate));
	json_object_set_new(j, "duration_s", bench_summary_real(hub->elapsed));
	json_object_set_new(j, "ledger", json_string(wl->ledger_off ? "off" :
	    "on"));
	if (mq != NULL) {
		json_object_set_new(j, "against", json_string("mosquitto"));
		if ((m = bench_summary_figures(wl, mq, "peak_rss_kb")) != NULL)
			json_object_set_new(j, "mosquitto", m);
		json_object_set_new(j, "ratios", json_pack(
		    "{s:o, s:o, s:o, s:o, s:o, s:o}",
		    "reports_per_s", bench_summary_ratio(hub->reports_per_s,
		    mq->reports_per_s),
		    "alerts_per_s", bench_summary_ratio(hub->alerts_per_s,
		    mq->alerts_per_s),
		    "latency_p50", bench_summary_ratio(hub->latency.count ?
		    hub->latency.p50 : -1, mq->latency.count ?
		    mq->latency.p50 : 0),
		    "latency_p99", bench_summary_ratio(hub->latency.count ?
		    hub->latency.p99 : -1, mq->latency.count ?
		    mq->latency.p99 : 0),
		    "peak_rss_kb", bench_summary_ratio((double)hub->peak_rss_kb,
		    (double)mq->peak_rss_kb),
		    "connections", bench_summary_ratio((double)hub->connections,
		    (double)mq->connections)));
	}
	text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER |
	    JSON_REAL_PRECISION(15));
	json_decref(j);
	if (text == NULL)
		return (-1);
	/* A JSON object, not text, is the contract of the last line. */
	printf("%s\n", text);
	free(text);
	return (0);
}

void
bench_summary_log(const char *log)
{
	static const char *const words[] = { "cannot", "failed", "error",
	    "fatal", "warn", "out of memory", NULL };
	FILE		*f;
	char		*line = NULL;
	size_t		 cap = 0, i, total = 0, bad = 0;
	ssize_t		 n;

	if ((f = fopen(log, "re")) == NULL)
		return;
	while ((n = getline(&line, &cap, f)) != -1) {
		total++;
		for (i = 0; words[i] != NULL; i++) {
			if (strcasestr(line, words[i]) != NULL)
				break;
		}
		if (words[i] == NULL)
			continue;
		if (bad++ < 3)
			printf("  hub log: %s%s", line, n > 0 &&
			    line[n - 1] == '\n' ? "" : "\n");
	}
	free(line);
	fclose(f);
	printf("  hub log            %zu lines, %zu that look like trouble\n",
	    total, bad);
}

