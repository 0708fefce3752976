/*
 * kentongan-fill: fill a hub's database with realistic reports, for
 * measuring history queries and replay at scale. The hub must be stopped.
 *   kentongan-fill -c kentongand.conf -n COUNT [-d DAYS] [-s SEED]
 *                  [-S ID,ID...]
 * Senders are every member and partner of the registry, or those of -S.
 */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "commit.h"
#include "compose.h"
#include "conf.h"
#include "log.h"
#include "policy.h"
#include "store.h"
#include "taxonomy.h"
#include "timefmt.h"

static const char *fill_titles[] = {
	"Web shell on a ministry portal",
	"DDoS against the national payment gateway",
	"Phishing kit impersonating a regional bank",
	"C2 server contacted from government networks",
	"Ransomware at a hospital group",
	"Exposed SCADA interface at a water utility",
	"Credential stuffing against a telecom operator",
	"Data leak from a port authority",
	"Defacement of a provincial website",
	"Scanning of energy sector VPN gateways",
};

/*
 * The senders named in list ("SG,MY"), each a member or partner of conf,
 * into senders; their number, or 0 after a message.
 */
static size_t
fill_senders(const struct conf *conf, const char *list, const char **senders,
    size_t max)
{
	const struct conf_member	*m;
	char				*copy, *id, *save = NULL;
	size_t				 n = 0;

	if ((copy = strdup(list)) == NULL) {
		fprintf(stderr, "kentongan-fill: out of memory\n");
		return (0);
	}
	for (id = strtok_r(copy, ",", &save); id != NULL;
	    id = strtok_r(NULL, ",", &save)) {
		m = conf_member_by_id(conf, id);
		if (m == NULL || m->role == ROLE_OPERATOR) {
			fprintf(stderr, "kentongan-fill: -S %s: no member or "
			    "partner of that ID in the configuration\n", id);
			n = 0;
			break;
		}
		if (n == max) {
			fprintf(stderr, "kentongan-fill: -S names more than %zu "
			    "senders\n", max);
			n = 0;
			break;
		}
		senders[n++] = m->id;
	}
	free(copy);
	return (n);
}

/* A uniform random number below n, from a small xorshift state. */
static uint64_t
fill_random(uint64_t *state, uint64_t n)
{
	uint64_t	x = *state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*state = x;
	return (x % n);
}

/* A realistic report body from the vocabulary. */
static json_t *
fill_report(uint64_t *rng, const struct taxonomy *t, enum tlp tlp,
    int64_t observed_at)
{
	unsigned char	 random[16];
	char		 uuid[37], ip[32], when[RFC3339_BUFSIZE], hash[65];
	json_t		*report, *indicators;
	size_t		 i;

	for (i = 0; i < sizeof random; i++)
		random[i] = (unsigned char)fill_random(rng, 256);
	compose_uuid(random, uuid);
	snprintf(ip, sizeof ip, "203.0.113.%u", (unsigned)fill_random(rng, 255));
	for (i = 0; i < 64; i++)
		hash[i] = "0123456789abcdef"[fill_random(rng, 16)];
	hash[64] = '\0';
	indicators = json_pack("[{s:s, s:s}, {s:s, s:s}]", "type", "ipv4",
	    "value", ip, "type", "sha256", "value", hash);
	report = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:[s]}",
	    "id", uuid,
	    "code", t->codes[fill_random(rng, t->ncodes)].code,
	    "severity", severity_name((enum severity)fill_random(rng, 5)),
	    "tlp", tlp_name(tlp),
	    "title", fill_titles[fill_random(rng,
	    sizeof fill_titles / sizeof fill_titles[0])],
	    "description", "Observed by the national SOC; indicators attached. "
	    "Containment in progress, more details to follow.",
	    "observed_at", rfc3339_format(observed_at, when, sizeof when),
	    "indicators", indicators,
	    "sectors", t->sectors[fill_random(rng, t->nsectors)].name);
	return (report);
}

/* The stored form of a report, as the hub would keep it. */
static struct store_report *
fill_record(json_t *report, const struct conf *conf, const char *sender,
    enum tlp tlp, int64_t received_at)
{
	struct store_report	*r;
	struct verdict		 v = { 0 };
	char			*canonical;
	unsigned int		 len = STORE_DIGEST_LEN;
	enum severity		 severity;

	if ((r = calloc(1, sizeof *r)) == NULL)
		return (NULL);
	snprintf(r->sender, sizeof r->sender, "%s", sender);
	r->id = strdup(json_string_value(json_object_get(report, "id")));
	r->code = strdup(json_string_value(json_object_get(report, "code")));
	r->body = json_dumps(report, JSON_COMPACT);
	canonical = json_dumps(report, JSON_COMPACT);
	if (r->id == NULL || r->code == NULL || r->body == NULL ||
	    canonical == NULL || EVP_Digest(canonical, strlen(canonical),
	    r->digest, &len, EVP_sha256(), NULL) != 1 ||
	    policy_recipients(conf, sender, tlp, NULL, &r->recipients,
	    &v) == -1) {
		free(canonical);
		verdict_clear(&v);
		store_report_free(r);
		return (NULL);
	}
	free(canonical);
	severity_parse(json_string_value(json_object_get(report, "severity")),
	    &severity);
	r->severity = severity;
	r->tlp = tlp;
	r->received_at = received_at;
	return (r);
}

int
main(int argc, char **argv)
{
	static const enum tlp	 tlps[] = { TLP_CLEAR, TLP_GREEN, TLP_GREEN,
	    TLP_GREEN, TLP_AMBER, TLP_AMBER_STRICT };
	struct store_report	*batch[COMMIT_BATCH_MAX];
	const char		*file = NULL, *only = NULL, *senders[512];
	struct conf		*conf;
	struct taxonomy		*t;
	struct store		*store;
	struct store_checkpointer *cp;
	json_t			*report;
	char			*cause = NULL;
	uint64_t		 rng = 0x9e3779b97f4a7c15ULL;
	long long		 count = 0, days = 90, done = 0;
	int64_t			 now, start, step;
	size_t			 nsenders = 0, i, n;
	enum tlp		 tlp;
	int			 ch;

	while ((ch = getopt(argc, argv, "c:n:d:s:S:")) != -1) {
		switch (ch) {
		case 'c': file = optarg; break;
		case 'S': only = optarg; break;
		case 'n': count = atoll(optarg); break;
		case 'd': days = atoll(optarg); break;
		case 's': rng ^= (uint64_t)atoll(optarg) * 2654435761ULL; break;
		default: goto usage;
		}
	}
	if (file == NULL || count <= 0 || days <= 0)
		goto usage;
	log_init(LOG_LEVEL_WARNING);
	if ((conf = conf_load(file, &cause)) == NULL ||
	    (t = taxonomy_load(conf->taxonomy.path, &cause)) == NULL) {
		fprintf(stderr, "kentongan-fill: %s\n", cause);
		return (1);
	}
	if (only != NULL) {
		if ((nsenders = fill_senders(conf, only, senders, 512)) == 0)
			return (1);
	} else {
		for (i = 0; i < conf->nmembers && nsenders < 512; i++) {
			if (conf->members[i].role != ROLE_OPERATOR)
				senders[nsenders++] = conf->members[i].id;
		}
	}
	if (only == NULL && nsenders < 2) {
		fprintf(stderr, "kentongan-fill: the configuration needs at "
		    "least two members\n");
		return (1);
	}
	if ((store = store_open(conf->database.path, &cause)) == NULL ||
	    (cp = store_checkpointer_open(conf->database.path, &cause)) ==
	    NULL) {
		fprintf(stderr, "kentongan-fill: %s\n", cause);
		return (1);
	}
	now = time_now_usec();
	start = now - days * 86400LL * 1000000LL;
	step = (now - start) / count;
	while (done < count) {
		for (n = 0; n < COMMIT_BATCH_MAX && done + (long long)n < count;
		    n++) {
			tlp = tlps[fill_random(&rng, sizeof tlps /
			    sizeof tlps[0])];
			report = fill_report(&rng, t, tlp, start + (done +
			    (long long)n) * step - 60000000);
			batch[n] = report == NULL ? NULL : fill_record(report,
			    conf, senders[fill_random(&rng, nsenders)], tlp,
			    start + (done + (long long)n) * step);
			json_decref(report);
			if (batch[n] == NULL) {
				fprintf(stderr, "kentongan-fill: out of "
				    "memory\n");
				return (1);
			}
		}
		if (store_commit(store, batch, n, NULL, 0) == -1) {
			fprintf(stderr, "kentongan-fill: commit failed\n");
			return (1);
		}
		for (i = 0; i < n; i++)
			store_report_free(batch[i]);
		/* The writer never checkpoints; keep the WAL small here. */
		store_checkpoint(cp);
		done += (long long)n;
		if (done % 100000 < COMMIT_BATCH_MAX)
			fprintf(stderr, "kentongan-fill: %lld reports\n", done);
	}
	printf("%lld reports stored; last seq %lld\n", done,
	    (long long)store_last_seq(store));
	store_checkpointer_close(cp);
	store_close(store);
	taxonomy_free(t);
	conf_free(conf);
	return (0);
usage:
	fprintf(stderr, "usage: kentongan-fill -c kentongand.conf -n COUNT "
	    "[-d DAYS] [-s SEED] [-S ID,ID...]\n");
	return (2);
}
