/* kentongand.conf: the hub's settings, member registry and agreements. */
#ifndef KENTONGAN_CONF_H
#define KENTONGAN_CONF_H

#include <stddef.h>

#include "levels.h"

#define CONF_SHA256_LEN		32
#define CONF_MEMBER_ID_MAX	32
/* Hubs a forwarded report may have passed through, at most. */
#define CONF_PATH_MAX		16
/* Largest hops of a peer. */
#define CONF_HOPS_MAX		CONF_PATH_MAX

struct conf_address {
	char	*host;		/* "0.0.0.0", "::1" (no brackets) */
	char	*port;		/* "7400" */
	int	 line;		/* where it was set; 0 for the default */
};

struct conf_member {
	char		 *id;
	char		 *name;		/* defaults to the ID */
	enum role	  role;
	unsigned char	(*sha256)[CONF_SHA256_LEN];	/* fingerprints */
	size_t		  nsha256;
	char		 *cn;		/* or NULL */
	int		  line;
	/* A peer hub's (role hub), from its peer line. */
	struct conf_address connect;	/* host NULL: it dials this hub */
	enum tlp	  max_tlp;	/* what may leave for it; <= amber */
	unsigned	  hops;		/* a path shorter than this leaves */
};

struct conf_agreement {
	char		*a;
	char		*b;
	enum tlp	 max_tlp;
	int		 line;
};

/* A path-valued setting with the line that set it (0: default). */
struct conf_path {
	char	*path;		/* absolute, or relative to the working dir */
	int	 line;
};

struct conf {
	char			*file;		/* as given */
	char			*warning;	/* about the file itself, or NULL */
	struct conf_address	*listen;
	size_t			 nlisten;
	int			 operator_off;
	struct conf_address	 operator_listen;
	struct conf_path	 tls_certificate;
	struct conf_path	 tls_key;
	struct conf_path	 tls_client_ca;
	struct conf_path	 tls_crl;	/* path NULL when unset */
	struct conf_path	 database;
	struct conf_path	 taxonomy;
	size_t			 max_message_bytes;
	unsigned		 handshake_timeout;	/* seconds */
	unsigned		 idle_timeout;		/* seconds */
	unsigned		 max_connections;	/* member listeners, all */
	unsigned		 max_connections_per_member;
	unsigned		 max_operator_connections;	/* its listener */
	unsigned		 report_rate;		/* per second; 0 = unlimited */
	unsigned		 report_burst;
	int			 log_debug;	/* log_level debug */
	int			 ledger_off;	/* ledger off */
	struct conf_member	*members;
	size_t			 nmembers;
	struct conf_agreement	*agreements;
	size_t			 nagreements;
	char			*hub_id;	/* NULL when unset */
	int			 hub_id_line;
	char			**peer_amber_to;	/* IDs */
	int			 *peer_amber_to_lines;	/* the line of each */
	size_t			 npeer_amber_to;
	int			 peer_amber_to_line;	/* the first */
};

/*
 * Read and check a configuration file. Relative paths in it are taken
 * relative to the directory of the file. On error returns NULL and sets
 * *cause to a malloc'd "FILE:LINE: message" (LINE 0 when the file as a
 * whole is at fault). A file anyone may write is accepted with
 * conf->warning set ("FILE:0: warning: ...") for the caller to show.
 */
struct conf	*conf_load(const char *file, char **cause);
/* The same from text in memory; file names it in messages and anchors paths. */
struct conf	*conf_parse(const char *text, size_t len, const char *file,
		    char **cause);
void		 conf_free(struct conf *);

const struct conf_member	*conf_member_by_id(const struct conf *,
				    const char *id);
/*
 * The member a certificate maps to: by fingerprint first, else by subject
 * CN (cn may be NULL). NULL if none.
 */
const struct conf_member	*conf_member_by_cert(const struct conf *,
				    const unsigned char sha256[CONF_SHA256_LEN],
				    const char *cn);
const struct conf_agreement	*conf_agreement_between(const struct conf *,
				    const char *a, const char *b);
/* 1 if peer_amber_to names id. */
int				 conf_amber_to(const struct conf *, const char *id);

/* Hex "ab:cd:..." or "abcd..." of a fingerprint, into buf (>= 97 bytes). */
char		*conf_fingerprint_hex(const unsigned char sha256[CONF_SHA256_LEN],
		    char *buf, size_t size);

#endif
