/* kentongan listen and query: alerts for people and for pipes into a SIEM. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "export.h"
#include "kentongan.h"
#include "ledger.h"
#include "sign.h"

/* Well inside the hub's smallest sensible idle_timeout. */
#define LISTEN_KEEPALIVE_MS	(30 * 1000)

/* Parse a non-negative decimal for an option; -1 with a message if not. */
static int
alerts_number(const char *option, const char *s, long long *out)
{
	char	*end;

	errno = 0;
	*out = strtoll(s, &end, 10);
	if (*s < '0' || *s > '9' || *end != '\0' || errno != 0 || *out < 0) {
		fprintf(stderr, "kentongan: %s takes a number, 0 or more, not "
		    "\"%s\"\n", option, s);
		return (-1);
	}
	return (0);
}

/* Send one JSON request. */
int
kentongan_send(struct client *c, json_t *request)
{
	char	*text, *cause = NULL;
	int	 rc;

	if (request == NULL || (text = json_dumps(request, JSON_COMPACT)) ==
	    NULL) {
		fprintf(stderr, "kentongan: out of memory\n");
		return (-1);
	}
	rc = client_send(c, text, strlen(text), &cause);
	free(text);
	if (rc == -1) {
		fprintf(stderr, "kentongan: %s\n", cause ? cause : "?");
		free(cause);
	}
	return (rc);
}

/* Send a request made for the occasion, and free it. */
static int
alerts_send_new(struct client *c, json_t *request)
{
	int	rc;

	rc = kentongan_send(c, request);
	json_decref(request);
	return (rc);
}

/* Read one JSON message; NULL (with a message printed) if there is none. */
json_t *
kentongan_receive(struct client *c)
{
	json_t	*message;
	char	*line, *cause = NULL;

	if ((line = client_read_line(c, &cause)) == NULL) {
		fprintf(stderr, "kentongan: %s\n", cause ? cause : "?");
		free(cause);
		return (NULL);
	}
	message = json_loads(line, 0, NULL);
	free(line);
	if (!json_is_object(message)) {
		fprintf(stderr, "kentongan: the hub sent something that is not "
		    "a JSON object\n");
		json_decref(message);
		return (NULL);
	}
	return (message);
}

/* Print an error reply of the hub; always returns -1. */
int
kentongan_refused(const json_t *reply)
{
	char	error[ESCAPE_QUOTE_SIZE], message[SHOW_MESSAGE_SIZE];

	fprintf(stderr, "kentongan: the hub refused the request: %s: %s\n",
	    kentongan_show(error, sizeof error, json_object_get(reply,
	    "error")), kentongan_show(message, sizeof message,
	    json_object_get(reply, "message")));
	return (-1);
}

/* The columns of an alert's line, and of the header above them. */
#define ALERTS_LINE_FORMAT	"%-24s %8lld  %-8s %-9s %-12s %-8s %-36s %-13s %s\n"
#define ALERTS_HEAD_FORMAT	"%-24s %8s  %-8s %-9s %-12s %-8s %-36s %-13s %s\n"

/*
 * One alert for a person: time, seq, sender, tier, label, severity, code,
 * origin (hub/member of a forwarded report, else -), title.
 */
static void
alerts_print_line(const json_t *alert)
{
	const json_t	*report = json_object_get(alert, "report");
	const json_t	*tier = json_object_get(alert, "tier");
	const json_t	*origin = json_object_get(alert, "origin");
	char		 when[ESCAPE_QUOTE_SIZE], sender[ESCAPE_QUOTE_SIZE];
	char		 shown_tier[ESCAPE_QUOTE_SIZE], severity[ESCAPE_QUOTE_SIZE];
	char		 code[ESCAPE_QUOTE_SIZE], title[SHOW_TITLE_SIZE];
	char		 tlp[ESCAPE_QUOTE_SIZE], hub[ESCAPE_QUOTE_SIZE];
	char		 member[ESCAPE_QUOTE_SIZE], from[2 * ESCAPE_QUOTE_SIZE];

	/* A forwarded report's origin: the hub, and its member there. */
	if (json_is_object(origin))
		snprintf(from, sizeof from, "%s/%s", kentongan_show(hub,
		    sizeof hub, json_object_get(origin, "hub")),
		    kentongan_show(member, sizeof member,
		    json_object_get(origin, "member")));
	else
		snprintf(from, sizeof from, "-");
	printf(ALERTS_LINE_FORMAT,
	    kentongan_show(when, sizeof when, json_object_get(alert,
	    "received_at")),
	    (long long)json_integer_value(json_object_get(alert, "seq")),
	    kentongan_show(sender, sizeof sender, json_object_get(alert,
	    "sender")),
	    json_is_string(tier) ? kentongan_show(shown_tier,
	    sizeof shown_tier, tier) : "own",
	    kentongan_show(tlp, sizeof tlp, json_object_get(report, "tlp")),
	    kentongan_show(severity, sizeof severity, json_object_get(report,
	    "severity")),
	    kentongan_show(code, sizeof code, json_object_get(report, "code")),
	    from,
	    kentongan_show(title, sizeof title, json_object_get(report,
	    "title")));
}

/* One alert as one JSON line. */
static void
alerts_print_json(const json_t *alert)
{
	char	*text;

	if ((text = json_dumps(alert, JSON_COMPACT)) != NULL) {
		printf("%s\n", text);
		free(text);
	}
}

/*
 * One alert as the options ask: a line for a person, JSON, or a STIX
 * bundle or MISP event (IDs minted for hub). -1 if it cannot be.
 */
static int
alerts_print(const struct options *o, const json_t *alert, const char *hub)
{
	char	*text, *cause = NULL, seq[32], shown[SHOW_MESSAGE_SIZE];

	if (o->format == EXPORT_JSON) {
		if (o->json)
			alerts_print_json(alert);
		else
			alerts_print_line(alert);
		return (0);
	}
	if ((text = export_alert(alert, o->format, hub, &cause)) == NULL) {
		snprintf(seq, sizeof seq, "%lld", (long long)json_integer_value(
		    json_object_get(alert, "seq")));
		fprintf(stderr, "kentongan: alert seq %s cannot be exported: "
		    "%s\n", seq, escape_str(shown, sizeof shown,
		    cause != NULL ? cause : "out of memory"));
		free(cause);
		return (-1);
	}
	printf("%s\n", text);
	free(text);
	return (0);
}

/* Build the subscribe request from the options. */
static json_t *
alerts_subscribe_request(struct options *o)
{
	json_t		*request, *filter, *codes;
	long long	 since;
	size_t		 i;

	request = json_pack("{s:s}", "type", "subscribe");
	filter = json_object();
	if (request == NULL || filter == NULL)
		goto fail;
	if (o->ncodes > 0) {
		if ((codes = json_array()) == NULL)
			goto fail;
		for (i = 0; i < o->ncodes; i++)
			json_array_append_new(codes, json_string(o->codes[i]));
		json_object_set_new(filter, "codes", codes);
	}
	if (o->min_severity != NULL)
		json_object_set_new(filter, "min_severity",
		    json_string(o->min_severity));
	if (json_object_size(filter) > 0)
		json_object_set(request, "filter", filter);
	json_decref(filter);
	filter = NULL;
	if (o->since != NULL) {
		if (alerts_number("--since", o->since, &since) == -1)
			goto fail;
		json_object_set_new(request, "since", json_integer(since));
	}
	return (request);
fail:
	json_decref(filter);
	json_decref(request);
	return (NULL);
}

/* What signs listen's acknowledgements: this member's ID and key. */
struct alerts_signer {
	char		 member[64];
	EVP_PKEY	*key;
};

/*
 * Acknowledge up to seq once everything printed so far is really out: a
 * pipe into a SIEM that breaks must not leave alerts acknowledged unread.
 * Signed (SPEC 13) over kentongan-ack:MEMBER:SEQ:CHAIN when it can be.
 */
static int
alerts_flush_and_ack(struct client *c, long long seq, const char *chain,
    const struct alerts_signer *signer)
{
	unsigned char	 hash[LEDGER_HASH_LEN];
	json_t		*ack;
	char		*msg, *sig = NULL;

	if (fflush(stdout) == EOF || ferror(stdout)) {
		fprintf(stderr, "kentongan: cannot write alerts out: %s; "
		    "nothing more is acknowledged\n", strerror(errno));
		return (-1);
	}
	ack = json_pack("{s:s, s:I}", "type", "ack", "seq", (json_int_t)seq);
	if (ack != NULL && signer->key != NULL && signer->member[0] != '\0' &&
	    chain != NULL &&
	    ledger_unhex(chain, hash, sizeof hash) == 0 &&
	    (msg = ledger_ack_message(signer->member, seq, hash)) != NULL) {
		sig = sign_b64(signer->key, msg, strlen(msg));
		free(msg);
		if (sig != NULL)
			json_object_set_new(ack, "sig", json_string(sig));
		free(sig);
	}
	return (alerts_send_new(c, ack));
}

/*
 * Load the key that signs acknowledgements; the member ID they name comes
 * with the hub's answer to whoami. Without either they go unsigned, which
 * the hub takes too.
 */
static void
alerts_signer_init(struct options *o, struct alerts_signer *signer)
{
	char	*cause = NULL;

	memset(signer, 0, sizeof *signer);
	if (o->no_sign || o->client.key == NULL)
		return;
	if ((signer->key = sign_load_key(o->client.key, &cause)) == NULL) {
		fprintf(stderr, "kentongan: %s; acknowledgements go "
		    "unsigned\n", cause != NULL ? cause : "no key");
		free(cause);
	}
}

/* The hub's answer to whoami (or its refusal): who signs from now on. */
static void
alerts_signer_answer(struct alerts_signer *signer, const json_t *reply)
{
	const char	*member;

	member = json_string_value(json_object_get(reply, "member"));
	if (member != NULL && *member != '\0' &&
	    strlen(member) < sizeof signer->member) {
		snprintf(signer->member, sizeof signer->member, "%s", member);
		return;
	}
	fprintf(stderr, "kentongan: the hub does not say who this is (an "
	    "older hub?); acknowledgements go unsigned\n");
	EVP_PKEY_free(signer->key);
	signer->key = NULL;
}

int
cmd_listen(struct options *o)
{
	struct client		*c;
	struct alerts_signer	 signer;
	json_t			*request, *message;
	const char		*type, *ref, *chain;
	char			*cause = NULL, printed_chain[LEDGER_HEX_LEN + 1];
	char			*hub = NULL;
	long long		 printed = -1, acked = -1, seq;
	int			 status = 1;

	if ((request = alerts_subscribe_request(o)) == NULL)
		return (2);
	if ((c = client_connect(&o->client, &cause)) == NULL) {
		fprintf(stderr, "kentongan: %s\n", cause);
		free(cause);
		json_decref(request);
		return (1);
	}
	printed_chain[0] = '\0';
	alerts_signer_init(o, &signer);
	/* Asked ahead of the subscription: its answer comes before alerts. */
	if ((signer.key != NULL || o->format != EXPORT_JSON) &&
	    alerts_send_new(c, json_pack("{s:s, s:s}", "type", "whoami", "ref",
	    "whoami")) == -1)
		goto done;
	if (kentongan_send(c, request) == -1)
		goto done;
	for (;;) {
		/* A quiet night is not an idle connection: keep it alive. */
		while (!client_readable(c, LISTEN_KEEPALIVE_MS)) {
			if (alerts_send_new(c, json_pack("{s:s, s:s}", "type",
			    "ping", "ref", "keepalive")) == -1)
				goto done;
		}
		if ((message = kentongan_receive(c)) == NULL)
			goto done;
		type = json_string_value(json_object_get(message, "type"));
		ref = json_string_value(json_object_get(message, "ref"));
		if (type != NULL && ref != NULL && strcmp(ref, "whoami") == 0 &&
		    (strcmp(type, "whoami") == 0 || strcmp(type, "error") ==
		    0)) {
			if (signer.key != NULL)
				alerts_signer_answer(&signer, message);
			if (o->format != EXPORT_JSON && hub == NULL)
				hub = kentongan_hub_name(c, message);
		} else if (type != NULL && strcmp(type, "subscribed") == 0) {
			fprintf(stderr, "kentongan: listening for alerts after "
			    "seq %lld\n", (long long)json_integer_value(
			    json_object_get(message, "from")));
		} else if (type != NULL && strcmp(type, "alert") == 0) {
			seq = json_integer_value(json_object_get(message,
			    "seq"));
			/* Not written out, not acknowledged: stop here. */
			if (alerts_print(o, message, hub) == -1) {
				json_decref(message);
				goto done;
			}
			printed = seq;
			chain = json_string_value(json_object_get(message,
			    "chain"));
			snprintf(printed_chain, sizeof printed_chain, "%s",
			    chain != NULL && strlen(chain) == LEDGER_HEX_LEN ?
			    chain : "");
		} else if (type != NULL && strcmp(type, "error") == 0) {
			kentongan_refused(message);
			json_decref(message);
			goto done;
		}
		json_decref(message);
		/* One ack for all that arrived together. */
		if (printed > acked && !client_readable(c, 0)) {
			if (alerts_flush_and_ack(c, printed,
			    printed_chain[0] != '\0' ? printed_chain : NULL,
			    &signer) == -1)
				goto done;
			acked = printed;
		}
	}
done:
	free(hub);
	EVP_PKEY_free(signer.key);
	json_decref(request);
	client_close(c);
	return (status);
}

/* Build a query request for the page after `after`. */
json_t *
kentongan_query_request(struct options *o, long long after, long long limit)
{
	json_t	*request, *filter;

	request = json_pack("{s:s, s:s, s:I, s:I}", "type", "query", "ref",
	    "q", "after", (json_int_t)after, "limit", (json_int_t)limit);
	filter = json_object();
	if (request == NULL || filter == NULL) {
		json_decref(request);
		json_decref(filter);
		return (NULL);
	}
	if (o->ncodes > 1) {
		fprintf(stderr, "kentongan: query takes one --code\n");
		goto fail;
	}
	if (o->ncodes == 1)
		json_object_set_new(filter, "code", json_string(o->codes[0]));
	if (o->sender != NULL)
		json_object_set_new(filter, "sender", json_string(o->sender));
	if (o->min_severity != NULL)
		json_object_set_new(filter, "min_severity",
		    json_string(o->min_severity));
	if (o->since != NULL)
		json_object_set_new(filter, "since", json_string(o->since));
	if (o->until != NULL)
		json_object_set_new(filter, "until", json_string(o->until));
	if (json_object_size(filter) > 0)
		json_object_set(request, "filter", filter);
	json_decref(filter);
	return (request);
fail:
	json_decref(filter);
	json_decref(request);
	return (NULL);
}

int
cmd_query(struct options *o)
{
	struct client	*c;
	json_t		*request, *reply, *alerts, *alert, *next;
	const char	*type;
	char		*cause = NULL, *hub = NULL;
	long long	 after = 0, limit = 100;
	size_t		 i, total = 0;
	int		 status = 1;

	if ((o->after != NULL && alerts_number("--after", o->after,
	    &after) == -1) || (o->limit != NULL && alerts_number("--limit",
	    o->limit, &limit) == -1))
		return (2);
	if ((c = client_connect(&o->client, &cause)) == NULL) {
		fprintf(stderr, "kentongan: %s\n", cause);
		free(cause);
		return (1);
	}
	if (o->format != EXPORT_JSON &&
	    (hub = kentongan_ask_hub_name(c)) == NULL) {
		client_close(c);
		return (1);
	}
	if (!o->json && o->format == EXPORT_JSON)
		printf(ALERTS_HEAD_FORMAT, "RECEIVED", "SEQ", "SENDER", "TIER",
		    "TLP", "SEVERITY", "CODE", "ORIGIN", "TITLE");
	for (;;) {
		if ((request = kentongan_query_request(o, after, limit)) == NULL) {
			status = 2;
			break;
		}
		if (kentongan_send(c, request) == -1) {
			json_decref(request);
			break;
		}
		json_decref(request);
		if ((reply = kentongan_receive(c)) == NULL)
			break;
		type = json_string_value(json_object_get(reply, "type"));
		if (type == NULL || strcmp(type, "result") != 0) {
			kentongan_refused(reply);
			json_decref(reply);
			break;
		}
		alerts = json_object_get(reply, "alerts");
		json_array_foreach(alerts, i, alert) {
			if (alerts_print(o, alert, hub) == -1)
				break;
			total++;
		}
		if (i < json_array_size(alerts)) {
			json_decref(reply);
			break;
		}
		next = json_object_get(reply, "next");
		if (!json_is_integer(next)) {
			status = 0;
			json_decref(reply);
			break;
		}
		after = json_integer_value(next);
		json_decref(reply);
		if (!o->all) {
			fflush(stdout);
			fprintf(stderr, "kentongan: more alerts follow: add "
			    "--after %lld for the next page, or --all\n", after);
			status = 0;
			break;
		}
	}
	fflush(stdout);
	if (status == 0 && !o->json && o->format == EXPORT_JSON)
		fprintf(stderr, "kentongan: %zu alerts\n", total);
	free(hub);
	client_close(c);
	return (status);
}
