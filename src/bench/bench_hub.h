/* The server under test as a child: configure, start, stop, measure. */
#ifndef KENTONGAN_BENCH_HUB_H
#define KENTONGAN_BENCH_HUB_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "bench.h"

struct bench_pki;

/* A child process and the file its output goes to. */
struct bench_proc {
	pid_t	 pid;		/* 0 once reaped */
	char	*name;
	char	*log;
	int	 status;	/* as from waitpid, once reaped */
	double	 stop_seconds;	/* from SIGTERM to its end */
	long	 maxrss_kb;	/* from wait4, once reaped */
};

/* CPU ticks of a process and of each of its threads, at one instant. */
struct bench_cpu_sample {
	unsigned	 nthreads;
	pid_t		 tid[BENCH_THREADS_MAX];
	uint64_t	 ticks[BENCH_THREADS_MAX];
	uint64_t	 total;
	uint64_t	 machine;	/* every CPU's busy ticks */
	double		 self;		/* this process's CPU seconds */
};

/*
 * The kentongand to run: given, or the one installed or built beside this
 * program. Malloc'd; NULL with *cause.
 */
char	*bench_hub_find_daemon(const char *given, char **cause);
/*
 * kentongan-fill: given, or the one built beside this program (it is not
 * installed). Malloc'd; NULL with *cause.
 */
char	*bench_hub_find_fill(const char *given, char **cause);
/* The taxonomy file the spawned hub loads; malloc'd; NULL with *cause. */
char	*bench_hub_find_taxonomy(const char *given, char **cause);
/*
 * A private directory for a run's files in base (NULL: $TMPDIR, else
 * /tmp); malloc'd, NULL with *cause.
 */
char	*bench_hub_tempdir(const char *base, char **cause);
/* Remove dir and everything in it; what cannot be is said on stderr. */
void	 bench_hub_tempdir_remove(const char *dir);
/* The file system that holds dir, by name; *memory 1 if it is in RAM. */
const char *bench_hub_fs_name(const char *dir, int *memory);
/* A TCP port on 127.0.0.1 that nothing listens on now, as text. */
int	 bench_hub_free_port(char *buf, size_t size, char **cause);
/* Connections a spawned hub allows beyond those the run opens. */
#define BENCH_HUB_SPARE_CONNECTIONS	1024

/*
 * Write kentongand.conf for a hub on 127.0.0.1:port with its database in
 * dir, no rate limit, every identity a party of its role (member unless
 * it says), room for connections connections, however few identities hold
 * them, and the operator API on 127.0.0.1:operator_port (NULL: off).
 * The hub presents the PKI's server certificate and trusts the clients
 * of its CA, or of every CA in its trust bundle.
 */
int	 bench_hub_write_conf(const char *path, const char *port,
	    const char *operator_port, const char *dir, const char *taxonomy,
	    const struct bench_pki *, const struct bench_identity *members,
	    size_t nmembers, unsigned connections, char **cause);
/* Append lines (hub_id, peer, ...) to a configuration written above. */
int	 bench_hub_append_conf(const char *path, const char *text,
	    char **cause);
/* Start argv[0] with output to log, in a process group of its own. */
int	 bench_hub_spawn(struct bench_proc *, const char *name,
	    char *const argv[], const char *log, char **cause);
/* Wait until 127.0.0.1:port accepts connections, or the child ends. */
int	 bench_hub_wait_port(struct bench_proc *, const char *port,
	    double timeout, char **cause);
/* 1 while the child runs; reaps it when it has ended. */
int	 bench_hub_alive(struct bench_proc *);
/*
 * SIGTERM, then SIGKILL after timeout seconds; reaps the child. 0 if it
 * exited with status 0, else -1 with *cause saying how it ended.
 */
int	 bench_hub_stop(struct bench_proc *, double timeout, char **cause);
/* The last lines of the child's output, malloc'd (empty if none). */
char	*bench_hub_log_tail(const struct bench_proc *, size_t lines);
/* A "Vm..." field of /proc/PID/status in kB, or -1. */
long	 bench_hub_status_kb(pid_t, const char *field);
/* Sample the CPU time of pid's threads (pid 0: only this process's). */
void	 bench_hub_cpu_sample(pid_t, struct bench_cpu_sample *);
/* The CPU each thread used between two samples, into out. */
void	 bench_hub_cpu_diff(const struct bench_cpu_sample *,
	    const struct bench_cpu_sample *, struct bench_cpu *out);
void	 bench_hub_proc_clear(struct bench_proc *);

#endif
