/*
 * kentongan's configuration file: read at start, written by kentongan
 * setup once the hub has answered with these very settings.
 */
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "client.h"
#include "clientconf.h"
#include "kentongan.h"

int
kentongan_config(struct options *o, int needed)
{
	char	*cause = NULL;
	int	 explicit, rc;

	if ((o->config_path = clientconf_path(&explicit)) == NULL)
		return (0);
	rc = clientconf_load(o->config_path, &o->config, &cause);
	if (rc == -1) {
		fprintf(stderr, "kentongan: %s\n", cause != NULL ? cause :
		    "out of memory");
		free(cause);
		return (-1);
	}
	if (rc == 1 && explicit && needed) {
		fprintf(stderr, "kentongan: KENTONGAN_CONFIG names %s, which "
		    "does not exist; kentongan setup writes it\n",
		    o->config_path);
		return (-1);
	}
	o->client.cert = o->config.cert;
	o->client.key = o->config.key;
	o->client.ca = o->config.ca;
	o->taxonomy = o->config.taxonomy;
	return (0);
}

/* A line typed at the terminal after prompt, malloc'd; NULL at its end. */
static char *
setup_ask(const char *prompt)
{
	char	*line = NULL;
	size_t	 cap = 0;
	ssize_t	 n;

	fprintf(stderr, "%s: ", prompt);
	fflush(stderr);
	if ((n = getline(&line, &cap, stdin)) <= 0) {
		free(line);
		return (NULL);
	}
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r' ||
	    line[n - 1] == ' '))
		line[--n] = '\0';
	if (n == 0) {
		free(line);
		return (NULL);
	}
	return (line);
}

/*
 * *field from value, else by asking when stdin is a terminal; a file's
 * absolute path. 0, or -1 after saying why.
 */
static int
setup_value(char **field, const char *value, const char *prompt, int file)
{
	char	*typed = NULL, *copy, resolved[PATH_MAX];

	if (value == NULL && isatty(STDIN_FILENO))
		value = typed = setup_ask(prompt);
	if (value == NULL) {
		fprintf(stderr, "kentongan: setup needs %s; give it as a flag "
		    "(see kentongan --help)\n", prompt);
		return (-1);
	}
	if (file) {
		if (realpath(value, resolved) == NULL ||
		    access(resolved, R_OK) == -1) {
			fprintf(stderr, "kentongan: %s: %s\n", value,
			    strerror(errno));
			free(typed);
			return (-1);
		}
		value = resolved;
	}
	/* value may be *field itself: copy before letting go of it. */
	if ((copy = strdup(value)) == NULL) {
		free(typed);
		fprintf(stderr, "kentongan: out of memory\n");
		return (-1);
	}
	free(*field);
	*field = copy;
	free(typed);
	return (0);
}

/* Ask the hub who it takes this certificate for; 0 and *member, or -1. */
static int
setup_whoami(const struct clientconf *conf, char **member, char **role)
{
	struct client_options	 opts = { conf->hub, conf->cert, conf->key,
	    conf->ca };
	struct client		*c;
	json_t			*reply = NULL;
	char			*cause = NULL, *line = NULL;
	static const char	 ask[] = "{\"type\":\"whoami\",\"ref\":\"setup\"}";
	int			 rc = -1;

	if ((c = client_connect(&opts, &cause)) == NULL)
		goto done;
	if (client_send(c, ask, sizeof ask - 1, &cause) == -1 ||
	    (line = client_read_line(c, &cause)) == NULL)
		goto done;
	if ((reply = json_loads(line, 0, NULL)) == NULL ||
	    json_string_value(json_object_get(reply, "member")) == NULL) {
		cause = strdup("the hub did not say who this certificate is; "
		    "is --hub the member listener (listen), not "
		    "operator_listen?");
		goto done;
	}
	*member = strdup(json_string_value(json_object_get(reply, "member")));
	*role = strdup(json_string_value(json_object_get(reply, "role")) !=
	    NULL ? json_string_value(json_object_get(reply, "role")) : "?");
	rc = *member != NULL && *role != NULL ? 0 : -1;
done:
	if (rc == -1)
		fprintf(stderr, "kentongan: setup: %s\n", cause != NULL ?
		    cause : "out of memory");
	json_decref(reply);
	free(line);
	free(cause);
	client_close(c);
	return (rc);
}

int
cmd_setup(struct options *o, int nargs)
{
	struct clientconf	*conf = &o->config;
	struct stat		 st;
	char			*cause = NULL, *member = NULL, *role = NULL;
	char			 shown[ESCAPE_QUOTE_SIZE];
	char			 shown_role[ESCAPE_QUOTE_SIZE];
	int			 rc = 1;

	if (nargs > 0) {
		fprintf(stderr, "kentongan: setup takes flags, not operands\n");
		return (2);
	}
	if (o->config_path == NULL) {
		fprintf(stderr, "kentongan: no HOME to keep the configuration "
		    "in; set KENTONGAN_CONFIG to its path\n");
		return (2);
	}
	if (stat(o->config_path, &st) == 0 && !o->force) {
		fprintf(stderr, "kentongan: %s exists; kentongan setup --force "
		    "replaces it (its values are the defaults of this one)\n",
		    o->config_path);
		return (2);
	}
	if (setup_value(&conf->hub, o->client.hub != NULL ? o->client.hub :
	    conf->hub, "the hub's member listener (HOST:PORT)", 0) == -1 ||
	    setup_value(&conf->cert, o->client.cert, "this member's "
	    "certificate (PEM file)", 1) == -1 ||
	    setup_value(&conf->key, o->client.key, "its private key (PEM "
	    "file)", 1) == -1 ||
	    setup_value(&conf->ca, o->client.ca, "the CA the hub's "
	    "certificate is issued by (PEM file)", 1) == -1)
		return (2);
	if (o->operator_hub != NULL && setup_value(&conf->operator_hub,
	    o->operator_hub, "operator_listen (HOST:PORT)", 0) == -1)
		return (2);
	if (o->taxonomy != NULL && o->taxonomy != conf->taxonomy &&
	    setup_value(&conf->taxonomy, o->taxonomy, "the taxonomy", 1) == -1)
		return (2);
	if (setup_whoami(conf, &member, &role) == -1)
		goto done;
	if (clientconf_save(o->config_path, conf, &cause) == -1) {
		fprintf(stderr, "kentongan: %s\n", cause != NULL ? cause :
		    "out of memory");
		goto done;
	}
	printf("the hub at %s takes this certificate for %s (%s)\n",
	    conf->hub, escape_str(shown, sizeof shown, member),
	    escape_str(shown_role, sizeof shown_role, role));
	printf("wrote %s; kentongan needs no more flags for the hub\n",
	    o->config_path);
	rc = 0;
done:
	free(cause);
	free(member);
	free(role);
	return (rc);
}
