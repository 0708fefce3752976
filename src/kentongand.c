/* kentongand: the hub daemon's command line. */
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "hub.h"
#include "log.h"
#include "taxonomy.h"
#include "tls.h"

#ifndef KENTONGAN_DEFAULT_CONF
#define KENTONGAN_DEFAULT_CONF "/etc/kentongan/kentongand.conf"
#endif

/* Print the usage summary to f. */
static void
usage(FILE *f)
{
	fprintf(f, "usage: kentongand [-c FILE] [-t] [-V] [-h]\n"
	    "  -c FILE  configuration (default: %s)\n"
	    "  -t       check the configuration, certificates, keys and "
	    "taxonomy, then exit\n"
	    "  -V       print the version and exit\n"
	    "  -h       print this help and exit\n", KENTONGAN_DEFAULT_CONF);
}

/*
 * -t: load everything the hub would load at start, and report the first
 * error as FILE:LINE: message; warnings go first, and do not fail.
 */
static int
check_configuration(const char *file)
{
	struct conf	*conf;
	struct taxonomy	*taxonomy;
	SSL_CTX		*ctx;
	char		*cause = NULL;

	if ((conf = conf_load(file, &cause)) == NULL)
		goto fail;
	if (conf->warning != NULL)
		fprintf(stderr, "%s\n", conf->warning);
	ctx = tls_server_ctx_new(conf, TLS_MEMBER_LISTENER, &conf, &cause);
	if (ctx == NULL)
		goto fail;
	SSL_CTX_free(ctx);
	if (tls_crl_current(conf, &cause) == -1)
		goto fail;
	if ((taxonomy = hub_load_taxonomy(conf, &cause)) == NULL)
		goto fail;
	taxonomy_free(taxonomy);
	if (hub_check_database(conf, &cause) == -1)
		goto fail;
	conf_free(conf);
	return (0);
fail:
	fprintf(stderr, "%s\n", cause != NULL ? cause : "out of memory");
	free(cause);
	conf_free(conf);
	return (1);
}

/* Free memory kept rather than returned, and the size served by mmap. */
#define KENTONGAND_MALLOC_TRIM	(16 * 1024 * 1024)
#define KENTONGAND_MALLOC_MMAP	(4 * 1024 * 1024)

int
main(int argc, char **argv)
{
	struct hub	*hub;
	const char	*file = KENTONGAN_DEFAULT_CONF;
	int		 ch, test = 0, status;

	while ((ch = getopt(argc, argv, "c:tVh")) != -1) {
		switch (ch) {
		case 'c':
			file = optarg;
			break;
		case 't':
			test = 1;
			break;
		case 'V':
			printf("kentongand %s\n", PACKAGE_VERSION);
			return (0);
		case 'h':
			usage(stdout);
			return (0);
		default:
			usage(stderr);
			return (1);
		}
	}
	if (optind != argc) {
		fprintf(stderr, "kentongand: unexpected argument \"%s\"\n",
		    argv[optind]);
		usage(stderr);
		return (1);
	}
	if (test)
		return (check_configuration(file));

	log_init(LOG_LEVEL_INFO);
	/*
	 * The commit thread frees each batch's memory at once; with glibc's
	 * default 128 KiB trim threshold its arena was handed back to the
	 * kernel (madvise) and faulted in again every batch, which took
	 * half the thread's time and more than halved ingest. Keep what
	 * was used; the hub's memory stays bounded by its own limits.
	 */
	/* Another allocator (a sanitizer's) refuses: it has its own policy. */
	(void)mallopt(M_TRIM_THRESHOLD, KENTONGAND_MALLOC_TRIM);
	(void)mallopt(M_MMAP_THRESHOLD, KENTONGAND_MALLOC_MMAP);
	/* A peer that vanishes mid-write is a closed connection, not a signal. */
	signal(SIGPIPE, SIG_IGN);
	hub = hub_new(file);
	status = hub_run(hub);
	hub_free(hub);
	return (status);
}
