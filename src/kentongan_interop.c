/* kentongan export --misp-feed and push --from: the hub and MISP or STIX. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "interop.h"
#include "kentongan.h"
#include "misp.h"
#include "stix.h"

/* The feed's own bookkeeping, beside what MISP reads. */
#define FEED_STATE	".kentongan-feed.json"
/* A page of the history per request: the protocol's largest. */
#define FEED_PAGE	1000

char *
kentongan_hub_name(struct client *c, const json_t *whoami)
{
	const char	*hub;

	hub = json_string_value(json_object_get(whoami, "hub"));
	if (hub != NULL && *hub != '\0')
		return (strdup(hub));
	return (client_peer_cn(c));
}

char *
kentongan_ask_hub_name(struct client *c)
{
	json_t	*request, *reply;
	char	*hub;

	request = json_pack("{s:s, s:s}", "type", "whoami", "ref", "whoami");
	if (kentongan_send(c, request) == -1) {
		json_decref(request);
		return (NULL);
	}
	json_decref(request);
	if ((reply = kentongan_receive(c)) == NULL)
		return (NULL);
	/* An older hub refuses whoami: then its certificate names it. */
	hub = kentongan_hub_name(c, reply);
	json_decref(reply);
	if (hub == NULL && (hub = strdup("")) == NULL)
		fprintf(stderr, "kentongan: out of memory\n");
	return (hub);
}

/* Say something of a document or alert, escaped: it quotes what came in. */
static void
import_say(const char *what, const char *text)
{
	char	shown[SHOW_MESSAGE_SIZE];

	fprintf(stderr, "kentongan: %s: %s\n", what, escape_str(shown,
	    sizeof shown, text));
}

/* Write text to DIR/NAME through a temporary file, so a reader never sees half. */
static int
feed_write(const char *dir, const char *name, const char *text)
{
	char	*path = NULL, *tmp = NULL;
	FILE	*f = NULL;
	int	 rc = -1;

	if (asprintf(&path, "%s/%s", dir, name) == -1 ||
	    asprintf(&tmp, "%s/.%s.tmp", dir, name) == -1) {
		fprintf(stderr, "kentongan: out of memory\n");
		goto done;
	}
	if ((f = fopen(tmp, "w")) == NULL ||
	    fputs(text, f) == EOF || fputc('\n', f) == EOF ||
	    fflush(f) == EOF || fsync(fileno(f)) == -1) {
		fprintf(stderr, "kentongan: cannot write %s: %s\n", tmp,
		    strerror(errno));
		goto done;
	}
	if (fclose(f) == EOF) {
		f = NULL;
		fprintf(stderr, "kentongan: cannot write %s: %s\n", tmp,
		    strerror(errno));
		goto done;
	}
	f = NULL;
	if (rename(tmp, path) == -1) {
		fprintf(stderr, "kentongan: cannot rename %s to %s: %s\n", tmp,
		    path, strerror(errno));
		goto done;
	}
	rc = 0;
done:
	if (f != NULL)
		fclose(f);
	if (rc == -1 && tmp != NULL)
		unlink(tmp);
	free(path);
	free(tmp);
	return (rc);
}

/* DIR/NAME as JSON: an object, or an empty one if there is no such file. */
static json_t *
feed_load(const char *dir, const char *name)
{
	json_error_t	 jerr;
	json_t		*j;
	char		*path;

	if (asprintf(&path, "%s/%s", dir, name) == -1) {
		fprintf(stderr, "kentongan: out of memory\n");
		return (NULL);
	}
	if (access(path, F_OK) == -1 && errno == ENOENT) {
		free(path);
		return (json_object());
	}
	j = json_load_file(path, 0, &jerr);
	if (!json_is_object(j)) {
		fprintf(stderr, "kentongan: %s is not a feed's JSON object (%s); "
		    "move it away or export to another directory\n", path,
		    j == NULL ? jerr.text : "not an object");
		json_decref(j);
		j = NULL;
	}
	free(path);
	return (j);
}

/* The hex MD5 of s, as a MISP feed's hashes.csv lists attribute values. */
static int
feed_md5(const char *s, char out[33])
{
	unsigned char	md[EVP_MAX_MD_SIZE];
	unsigned int	len = 0, i;

	if (EVP_Digest(s, strlen(s), md, &len, EVP_md5(), NULL) != 1 ||
	    len != 16)
		return (-1);
	for (i = 0; i < len; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	return (0);
}

/* What one run of the feed export keeps. */
struct feed {
	const char	*dir;
	json_t		*manifest;
	FILE		*hashes;	/* hashes.csv, appended to */
	size_t		 written;
};

/* Add one alert to the feed: its event file if new, its manifest entry. */
static int
feed_add(struct feed *feed, const json_t *alert, const char *hub)
{
	struct interop_alert	 a;
	const json_t		*attr;
	json_t			*event = NULL, *entry = NULL;
	const char		*uuid, *value;
	char			*cause = NULL, *text = NULL, *name = NULL;
	char			*path = NULL, md5[33], what[64];
	size_t			 i;
	int			 rc = -1;

	if (interop_alert_read(alert, hub, &a, &cause) == -1 ||
	    (event = misp_event(&a, &cause)) == NULL ||
	    (entry = misp_manifest_entry(event, &cause)) == NULL)
		goto done;
	uuid = json_string_value(json_object_get(json_object_get(event,
	    "Event"), "uuid"));
	/* It names a file: only a UUID may. */
	if (!interop_is_uuid(uuid)) {
		cause = strdup("the event has no UUID");
		goto done;
	}
	if (asprintf(&name, "%s.json", uuid) == -1 ||
	    asprintf(&path, "%s/%s", feed->dir, name) == -1)
		goto done;
	if (access(path, F_OK) == -1) {
		if ((text = json_dumps(event, JSON_COMPACT |
		    JSON_PRESERVE_ORDER)) == NULL)
			goto done;
		if (feed_write(feed->dir, name, text) == -1)
			goto quiet;
		json_array_foreach(json_object_get(json_object_get(event,
		    "Event"), "Attribute"), i, attr) {
			value = json_string_value(json_object_get(attr,
			    "value"));
			if (value != NULL && feed_md5(value, md5) == 0)
				fprintf(feed->hashes, "%s,%s\n", md5, uuid);
		}
		feed->written++;
	}
	if (json_object_set(feed->manifest, uuid, entry) == -1)
		goto done;
	rc = 0;
done:
	if (rc == -1) {
		snprintf(what, sizeof what, "alert seq %lld cannot be exported",
		    (long long)a.seq);
		import_say(what, cause != NULL ? cause : "out of memory");
	}
quiet:
	free(cause);
	free(text);
	free(name);
	free(path);
	json_decref(entry);
	json_decref(event);
	return (rc);
}

/* The query's filter as text: a cursor is good only for the same one. */
static char *
feed_filter_text(struct options *o)
{
	json_t	*request;
	char	*text = NULL;

	if ((request = kentongan_query_request(o, 0, 1)) != NULL)
		text = json_dumps(json_object_get(request, "filter"),
		    JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	json_decref(request);
	if (text == NULL)
		text = strdup("null");
	return (text);
}

/* Read the member's history after the cursor into the feed. */
static int
feed_fill(struct options *o, struct client *c, struct feed *feed,
    const char *hub, long long *after)
{
	json_t		*request, *reply, *alert, *next;
	const char	*type;
	size_t		 i;
	int		 rc = -1;

	for (;;) {
		if ((request = kentongan_query_request(o, *after,
		    FEED_PAGE)) == NULL)
			return (-1);
		if (kentongan_send(c, request) == -1) {
			json_decref(request);
			return (-1);
		}
		json_decref(request);
		if ((reply = kentongan_receive(c)) == NULL)
			return (-1);
		type = json_string_value(json_object_get(reply, "type"));
		if (type == NULL || strcmp(type, "result") != 0) {
			kentongan_refused(reply);
			goto done;
		}
		json_array_foreach(json_object_get(reply, "alerts"), i, alert) {
			if (feed_add(feed, alert, hub) == -1)
				goto done;
			*after = json_integer_value(json_object_get(alert,
			    "seq"));
		}
		next = json_object_get(reply, "next");
		if (!json_is_integer(next)) {
			rc = 0;
			goto done;
		}
		*after = json_integer_value(next);
		json_decref(reply);
	}
done:
	json_decref(reply);
	return (rc);
}

/* Write the manifest, then the cursor that says what is in it. */
static int
feed_save(struct feed *feed, const char *hub, const char *filter,
    long long after)
{
	json_t	*state;
	char	*text;
	int	 rc = -1;

	if ((text = json_dumps(feed->manifest, JSON_COMPACT |
	    JSON_PRESERVE_ORDER)) == NULL)
		goto nomem;
	rc = feed_write(feed->dir, "manifest.json", text);
	free(text);
	if (rc == -1)
		return (-1);
	state = json_pack("{s:s, s:s, s:I}", "hub", hub, "filter", filter,
	    "after", (json_int_t)after);
	text = state != NULL ? json_dumps(state, JSON_COMPACT) : NULL;
	json_decref(state);
	if (text == NULL)
		goto nomem;
	rc = feed_write(feed->dir, FEED_STATE, text);
	free(text);
	return (rc);
nomem:
	fprintf(stderr, "kentongan: out of memory\n");
	return (-1);
}

int
cmd_export(struct options *o, int argc, char **argv)
{
	struct feed	 feed = { 0 };
	struct client	*c = NULL;
	json_t		*state = NULL;
	const char	*was_hub, *was_filter;
	char		*cause = NULL, *hub = NULL, *filter = NULL, *path = NULL;
	long long	 after = 0, start;
	int		 status = 1, filled, held = 0;

	(void)argv;
	if (o->misp_feed == NULL || argc > 0) {
		fprintf(stderr, "kentongan: export takes --misp-feed DIR (and "
		    "the filters of query)\n");
		return (2);
	}
	if (o->operator) {
		fprintf(stderr, "kentongan: export reads what a member may "
		    "see, over the member protocol; drop --operator\n");
		return (2);
	}
	feed.dir = o->misp_feed;
	if (mkdir(feed.dir, 0755) == -1 && errno != EEXIST) {
		fprintf(stderr, "kentongan: cannot make %s: %s\n", feed.dir,
		    strerror(errno));
		return (1);
	}
	if ((feed.manifest = feed_load(feed.dir, "manifest.json")) == NULL ||
	    (state = feed_load(feed.dir, FEED_STATE)) == NULL ||
	    (filter = feed_filter_text(o)) == NULL)
		goto done;
	if ((c = client_connect(&o->client, &cause)) == NULL) {
		fprintf(stderr, "kentongan: %s\n", cause);
		goto done;
	}
	if ((hub = kentongan_ask_hub_name(c)) == NULL)
		goto done;
	/* The cursor holds for the same hub and filter; else from the start. */
	was_hub = json_string_value(json_object_get(state, "hub"));
	was_filter = json_string_value(json_object_get(state, "filter"));
	if (was_hub != NULL && strcmp(was_hub, hub) == 0 &&
	    was_filter != NULL && strcmp(was_filter, filter) == 0) {
		after = json_integer_value(json_object_get(state, "after"));
		held = 1;
	}
	else if (was_hub != NULL)
		fprintf(stderr, "kentongan: %s was exported with another hub "
		    "or filter; reading the history from the start (events "
		    "already there are kept)\n", feed.dir);
	start = after;
	if (asprintf(&path, "%s/hashes.csv", feed.dir) == -1 ||
	    (feed.hashes = fopen(path, "a")) == NULL) {
		fprintf(stderr, "kentongan: cannot open %s: %s\n",
		    path != NULL ? path : "hashes.csv", strerror(errno));
		goto done;
	}
	if ((filled = feed_fill(o, c, &feed, hub, &after)) == -1 &&
	    after == start)
		goto done;
	/* What was written is kept even if the hub went away midway. */
	if (fflush(feed.hashes) == EOF) {
		fprintf(stderr, "kentongan: cannot write %s: %s\n", path,
		    strerror(errno));
		goto done;
	}
	/* Nothing new leaves the feed's files as they were, untouched. */
	if ((!held || after != start || feed.written > 0) &&
	    feed_save(&feed, hub, filter, after) == -1)
		goto done;
	if (o->json)
		printf("{\"written\":%zu,\"events\":%zu,\"after\":%lld}\n",
		    feed.written, json_object_size(feed.manifest), after);
	else
		fprintf(stderr, "kentongan: %zu new events in %s; the feed "
		    "holds %zu\n", feed.written, feed.dir,
		    json_object_size(feed.manifest));
	status = filled == -1 ? 1 : 0;
done:
	if (feed.hashes != NULL)
		fclose(feed.hashes);
	if (c != NULL)
		client_close(c);
	json_decref(feed.manifest);
	json_decref(state);
	free(cause);
	free(hub);
	free(filter);
	free(path);
	return (status);
}

/* The recipients that --recipient gives, set on report. */
static int
import_recipients(struct options *o, json_t *report)
{
	json_t	*list;
	size_t	 i;

	if (o->compose.nrecipients == 0)
		return (0);
	if ((list = json_array()) == NULL)
		return (-1);
	for (i = 0; i < o->compose.nrecipients; i++) {
		if (json_array_append_new(list,
		    json_string(o->compose.recipients[i])) == -1) {
			json_decref(list);
			return (-1);
		}
	}
	return (json_object_set_new(report, "recipients", list));
}

/* The reports of one document; events that cannot be one are counted. */
static int
import_document(struct options *o, const json_t *doc, const json_t *defaults,
    json_t *reports, size_t *refused)
{
	json_t	*events = NULL, *warnings, *report, *event;
	char	*cause = NULL;
	size_t	 i, w;
	int	 misp = strcmp(o->from, "misp") == 0;

	if ((warnings = json_array()) == NULL)
		return (-1);
	if (misp && (events = misp_events(doc, &cause)) == NULL) {
		import_say("not sent", cause != NULL ? cause : "out of memory");
		(*refused)++;
	}
	for (i = 0; misp ? events != NULL && i < json_array_size(events) :
	    i < 1; i++) {
		event = misp ? json_array_get(events, i) : NULL;
		free(cause);
		cause = NULL;
		report = misp ? misp_import(event, defaults, warnings, &cause) :
		    stix_import(doc, defaults, warnings, &cause);
		for (w = 0; w < json_array_size(warnings); w++)
			import_say("warning", json_string_value(
			    json_array_get(warnings, w)));
		json_array_clear(warnings);
		if (report == NULL) {
			import_say("not sent", cause != NULL ? cause :
			    "out of memory");
			(*refused)++;
			continue;
		}
		if (import_recipients(o, report) == -1 ||
		    json_array_append_new(reports, report) == -1) {
			json_decref(events);
			json_decref(warnings);
			free(cause);
			return (-1);
		}
	}
	json_decref(events);
	json_decref(warnings);
	free(cause);
	return (0);
}

json_t *
kentongan_import(struct options *o, const char *path, size_t *refused)
{
	const struct compose	*cp = &o->compose;
	json_t			*docs, *doc, *defaults, *reports;
	char			*cause = NULL;
	size_t			 i;

	if (strcmp(o->from, "misp") != 0 && strcmp(o->from, "stix") != 0) {
		fprintf(stderr, "kentongan: --from takes misp or stix\n");
		return (NULL);
	}
	if (cp->id != NULL || cp->code != NULL || cp->title != NULL ||
	    cp->description != NULL || cp->observed_at != NULL ||
	    cp->nindicators > 0 || cp->nsectors > 0) {
		fprintf(stderr, "kentongan: push --from takes, besides the "
		    "FILE, only --severity and --tlp (for events that say "
		    "neither) and --recipient\n");
		return (NULL);
	}
	if ((docs = kentongan_read_documents(path, 0, &cause)) == NULL) {
		fprintf(stderr, "kentongan: %s\n", cause != NULL ? cause :
		    "out of memory");
		free(cause);
		return (NULL);
	}
	defaults = json_object();
	reports = json_array();
	if (defaults == NULL || reports == NULL ||
	    (cp->severity != NULL && json_object_set_new(defaults, "severity",
	    json_string(cp->severity)) == -1) ||
	    (cp->tlp != NULL && json_object_set_new(defaults, "tlp",
	    json_string(cp->tlp)) == -1))
		goto nomem;
	json_array_foreach(docs, i, doc) {
		if (import_document(o, doc, defaults, reports, refused) == -1)
			goto nomem;
	}
	json_decref(docs);
	json_decref(defaults);
	if (json_array_size(reports) == 0 && *refused == 0) {
		fprintf(stderr, "kentongan: %s holds no %s to send\n", path,
		    strcmp(o->from, "misp") == 0 ? "MISP event" :
		    "STIX report");
		json_decref(reports);
		return (NULL);
	}
	return (reports);
nomem:
	fprintf(stderr, "kentongan: out of memory\n");
	json_decref(docs);
	json_decref(defaults);
	json_decref(reports);
	return (NULL);
}
