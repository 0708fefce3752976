/*
 * The server under test. For kentongand: find the binary and the taxonomy,
 * write a configuration, start it with posix_spawn, wait until its port
 * accepts connections, read its memory and CPU from /proc, stop it with
 * SIGTERM. The start, stop and /proc parts serve the MQTT broker too, and
 * the temporary directory that holds a run's files serves them all.
 */
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench_hub.h"
#include "bench_pki.h"

#ifndef KENTONGAN_DEFAULT_TAXONOMY
#define KENTONGAN_DEFAULT_TAXONOMY "/usr/share/kentongan/taxonomy.json"
#endif

extern char	**environ;

/* Set *cause from a format. */
static void
bench_hub_cause(char **cause, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void
bench_hub_cause(char **cause, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	if (vasprintf(cause, fmt, ap) == -1)
		*cause = NULL;
	va_end(ap);
}

/* Sleep for ms milliseconds. */
static void
bench_hub_nap(long ms)
{
	struct timespec	ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		continue;
}

/* Seconds on CLOCK_MONOTONIC. */
static double
bench_hub_clock(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
}

/* The directory this program was started from, malloc'd, or NULL. */
static char *
bench_hub_self_dir(void)
{
	char	*path, *dir;
	ssize_t	 n;

	if ((path = malloc(PATH_MAX)) == NULL)
		return (NULL);
	if ((n = readlink("/proc/self/exe", path, PATH_MAX - 1)) == -1) {
		free(path);
		return (NULL);
	}
	path[n] = '\0';
	dir = strdup(dirname(path));
	free(path);
	return (dir);
}

/* The first of the candidate paths under dir that passes access(mode). */
static char *
bench_hub_first(const char *dir, const char *const *relative, int mode)
{
	char	*path;
	size_t	 i;

	for (i = 0; relative[i] != NULL; i++) {
		if (asprintf(&path, "%s/%s", dir, relative[i]) == -1)
			return (NULL);
		if (access(path, mode) == 0)
			return (path);
		free(path);
	}
	return (NULL);
}

/*
 * A program given by option, or the first of relative beside this one;
 * malloc'd, NULL with *cause.
 */
static char *
bench_hub_find_beside(const char *given, const char *option,
    const char *const *relative, char **cause)
{
	char	*dir, *path;

	*cause = NULL;
	if (given != NULL) {
		if (access(given, X_OK) != 0) {
			bench_hub_cause(cause, "cannot run %s %s: %s", option,
			    given, strerror(errno));
			return (NULL);
		}
		if ((path = strdup(given)) == NULL)
			bench_hub_cause(cause, "out of memory");
		return (path);
	}
	if ((dir = bench_hub_self_dir()) == NULL) {
		bench_hub_cause(cause, "cannot tell where this program is "
		    "(/proc/self/exe); give %s PATH", option);
		return (NULL);
	}
	path = bench_hub_first(dir, relative, X_OK);
	if (path == NULL && relative[1] != NULL)
		bench_hub_cause(cause, "no %s beside %s (looked for %s/%s and "
		    "%s/%s); build it, or give %s PATH", relative[0], dir, dir,
		    relative[0], dir, relative[1], option);
	else if (path == NULL)
		bench_hub_cause(cause, "no %s beside %s (looked for %s/%s); "
		    "build it, or give %s PATH", relative[0], dir, dir,
		    relative[0], option);
	free(dir);
	return (path);
}

char *
bench_hub_find_daemon(const char *given, char **cause)
{
	static const char *const relative[] = { "kentongand",
	    "../sbin/kentongand", NULL };

	return (bench_hub_find_beside(given, "--hubd", relative, cause));
}

char *
bench_hub_find_fill(const char *given, char **cause)
{
	static const char *const relative[] = { "kentongan-fill", NULL };

	return (bench_hub_find_beside(given, "--fill", relative, cause));
}

char *
bench_hub_find_taxonomy(const char *given, char **cause)
{
	/* A build tree (in the source or in a subdirectory), then installed. */
	static const char *const relative[] = { "../etc/taxonomy.json",
	    "../../etc/taxonomy.json", "../share/kentongan/taxonomy.json",
	    NULL };
	const char	*env = getenv("KENTONGAN_TAXONOMY");
	char		*dir, *path = NULL;

	*cause = NULL;
	if (given == NULL && env != NULL && *env != '\0')
		given = env;
	if (given != NULL) {
		if (access(given, R_OK) != 0) {
			bench_hub_cause(cause, "cannot read the taxonomy %s: %s",
			    given, strerror(errno));
			return (NULL);
		}
		/* The configuration is elsewhere: a relative path would move. */
		if ((path = realpath(given, NULL)) == NULL)
			bench_hub_cause(cause, "cannot resolve the taxonomy "
			    "path %s: %s", given, strerror(errno));
		return (path);
	}
	if ((dir = bench_hub_self_dir()) != NULL) {
		path = bench_hub_first(dir, relative, R_OK);
		free(dir);
	}
	if (path == NULL && access(KENTONGAN_DEFAULT_TAXONOMY, R_OK) == 0)
		path = strdup(KENTONGAN_DEFAULT_TAXONOMY);
	if (path == NULL)
		bench_hub_cause(cause, "no taxonomy file found (neither beside "
		    "this program nor %s); give --taxonomy FILE or set "
		    "KENTONGAN_TAXONOMY", KENTONGAN_DEFAULT_TAXONOMY);
	return (path);
}

char *
bench_hub_tempdir(const char *base, char **cause)
{
	char	*dir;

	*cause = NULL;
	if (base == NULL && (base = getenv("TMPDIR")) == NULL)
		base = "/tmp";
	if (asprintf(&dir, "%s/kentongan-bench.XXXXXX", base) == -1) {
		bench_hub_cause(cause, "out of memory");
		return (NULL);
	}
	if (mkdtemp(dir) == NULL) {
		bench_hub_cause(cause, "cannot create a directory in %s: %s",
		    base, strerror(errno));
		free(dir);
		return (NULL);
	}
	return (dir);
}

/* Remove one entry of the temporary directory (for nftw). */
static int
bench_hub_remove_entry(const char *path, const struct stat *sb, int flag,
    struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	if (remove(path) == -1)
		fprintf(stderr, "kentongan-bench: cannot remove %s: %s\n", path,
		    strerror(errno));
	return (0);
}

void
bench_hub_tempdir_remove(const char *dir)
{
	if (nftw(dir, bench_hub_remove_entry, 16, FTW_DEPTH | FTW_PHYS) == -1)
		fprintf(stderr, "kentongan-bench: cannot remove %s: %s\n", dir,
		    strerror(errno));
}

const char *
bench_hub_fs_name(const char *dir, int *memory)
{
	struct statfs	sfs;

	*memory = 0;
	if (statfs(dir, &sfs) == -1)
		return ("unknown file system");
	switch ((unsigned long)sfs.f_type) {
	case 0xef53UL:
		return ("ext4");
	case 0x58465342UL:
		return ("xfs");
	case 0x9123683eUL:
		return ("btrfs");
	case 0x794c7630UL:
		return ("overlayfs");
	case 0x01021994UL:
		*memory = 1;
		return ("tmpfs");
	case 0x858458f6UL:
		*memory = 1;
		return ("ramfs");
	}
	return ("a file system");
}

int
bench_hub_free_port(char *buf, size_t size, char **cause)
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof sin;
	int			fd;

	*cause = NULL;
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		bench_hub_cause(cause, "socket: %s", strerror(errno));
		return (-1);
	}
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sin, sizeof sin) == -1 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) == -1) {
		bench_hub_cause(cause, "cannot find a free port on 127.0.0.1: "
		    "%s", strerror(errno));
		close(fd);
		return (-1);
	}
	close(fd);
	snprintf(buf, size, "%u", ntohs(sin.sin_port));
	return (0);
}

int
bench_hub_write_conf(const char *path, const char *port,
    const char *operator_port, const char *dir, const char *taxonomy,
    const struct bench_pki *pki, const struct bench_identity *members,
    size_t nmembers, unsigned connections, char **cause)
{
	const struct bench_identity	*server = bench_pki_server(pki);
	FILE				*f;
	size_t				 i;
	int				 bad;

	*cause = NULL;
	if ((f = fopen(path, "we")) == NULL) {
		bench_hub_cause(cause, "cannot create %s: %s", path,
		    strerror(errno));
		return (-1);
	}
	fprintf(f, "# kentongand.conf of a kentongan-bench run\n"
	    "listen 127.0.0.1:%s\n"
	    "operator_listen %s%s\n"
	    "tls_certificate \"%s\"\n"
	    "tls_key \"%s\"\n"
	    "tls_client_ca \"%s\"\n"
	    "database \"%s/kentongan.db\"\n"
	    "taxonomy \"%s\"\n"
	    "report_rate 0 0\n"
	    "# a few identities hold every connection of the run\n"
	    "max_connections %u\n"
	    "max_connections_per_member 1000000\n"
	    "\n# the parties of the run: publishers P0.., subscribers S0.., "
	    "idle connections C0.., and the like\n",
	    port, operator_port != NULL ? "127.0.0.1:" : "off",
	    operator_port != NULL ? operator_port : "", server->cert,
	    server->key, bench_pki_client_ca(pki), dir, taxonomy,
	    connections + BENCH_HUB_SPARE_CONNECTIONS);
	for (i = 0; i < nmembers; i++)
		fprintf(f, "member %s name=\"Bench %s\" role=%s cert_cn=%s\n",
		    members[i].name, members[i].name, members[i].role != NULL ?
		    members[i].role : "member", members[i].name);
	bad = ferror(f);
	if (fclose(f) != 0 || bad) {
		bench_hub_cause(cause, "cannot write %s", path);
		return (-1);
	}
	return (0);
}

int
bench_hub_append_conf(const char *path, const char *text, char **cause)
{
	FILE	*f;
	int	 bad;

	*cause = NULL;
	if ((f = fopen(path, "ae")) == NULL) {
		bench_hub_cause(cause, "cannot open %s: %s", path,
		    strerror(errno));
		return (-1);
	}
	fputs(text, f);
	bad = ferror(f);
	if (fclose(f) != 0 || bad) {
		bench_hub_cause(cause, "cannot write %s", path);
		return (-1);
	}
	return (0);
}

int
bench_hub_spawn(struct bench_proc *p, const char *name, char *const argv[],
    const char *log, char **cause)
{
	posix_spawn_file_actions_t	 fa;
	posix_spawnattr_t		 attr;
	sigset_t			 none, deflt;
	int				 rc;

	*cause = NULL;
	memset(p, 0, sizeof *p);
	if ((p->name = strdup(name)) == NULL || (p->log = strdup(log)) ==
	    NULL) {
		bench_hub_proc_clear(p);
		bench_hub_cause(cause, "out of memory");
		return (-1);
	}
	if ((rc = posix_spawn_file_actions_init(&fa)) != 0) {
		bench_hub_cause(cause, "posix_spawn: %s", strerror(rc));
		bench_hub_proc_clear(p);
		return (-1);
	}
	if ((rc = posix_spawnattr_init(&attr)) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		bench_hub_cause(cause, "posix_spawn: %s", strerror(rc));
		bench_hub_proc_clear(p);
		return (-1);
	}
	sigemptyset(&none);
	sigemptyset(&deflt);
	sigaddset(&deflt, SIGPIPE);
	sigaddset(&deflt, SIGINT);
	sigaddset(&deflt, SIGTERM);
	sigaddset(&deflt, SIGHUP);
	/*
	 * A process group of its own, so that ^C reaches only this program,
	 * which then stops the server in order.
	 */
	if ((rc = posix_spawn_file_actions_addopen(&fa, STDIN_FILENO,
	    "/dev/null", O_RDONLY, 0)) != 0 ||
	    (rc = posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, log,
	    O_WRONLY | O_CREAT | O_APPEND, 0644)) != 0 ||
	    (rc = posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO,
	    STDERR_FILENO)) != 0 ||
	    (rc = posix_spawnattr_setsigmask(&attr, &none)) != 0 ||
	    (rc = posix_spawnattr_setsigdefault(&attr, &deflt)) != 0 ||
	    (rc = posix_spawnattr_setpgroup(&attr, 0)) != 0 ||
	    (rc = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK |
	    POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP)) != 0 ||
	    (rc = posix_spawn(&p->pid, argv[0], &fa, &attr, argv,
	    environ)) != 0) {
		bench_hub_cause(cause, "cannot start %s: %s", argv[0],
		    strerror(rc));
		p->pid = 0;
	}
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (p->pid == 0) {
		bench_hub_proc_clear(p);
		return (-1);
	}
	return (0);
}

/* Reap the child if it has ended, keeping its status and peak memory. */
static int
bench_hub_reap(struct bench_proc *p, int options)
{
	struct rusage	ru;
	pid_t		pid;

	if (p->pid == 0)
		return (1);
	do
		pid = wait4(p->pid, &p->status, options, &ru);
	while (pid == -1 && errno == EINTR);
	if (pid == 0)
		return (0);
	if (pid == p->pid)
		p->maxrss_kb = ru.ru_maxrss;
	p->pid = 0;
	return (1);
}

int
bench_hub_alive(struct bench_proc *p)
{
	return (!bench_hub_reap(p, WNOHANG));
}

/* How a reaped child ended, in words. */
static void
bench_hub_describe(const struct bench_proc *p, char *buf, size_t size)
{
	if (WIFEXITED(p->status))
		snprintf(buf, size, "exited with status %d",
		    WEXITSTATUS(p->status));
	else if (WIFSIGNALED(p->status))
		snprintf(buf, size, "was killed by signal %d (%s)",
		    WTERMSIG(p->status), strsignal(WTERMSIG(p->status)));
	else
		snprintf(buf, size, "ended");
}

int
bench_hub_wait_port(struct bench_proc *p, const char *port, double timeout,
    char **cause)
{
	struct sockaddr_in	 sin;
	char			 how[96], *tail;
	double			 deadline = bench_hub_clock() + timeout;
	int			 fd;

	*cause = NULL;
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons((uint16_t)strtoul(port, NULL, 10));
	for (;;) {
		if (!bench_hub_alive(p)) {
			bench_hub_describe(p, how, sizeof how);
			tail = bench_hub_log_tail(p, 20);
			bench_hub_cause(cause, "%s %s before listening; its "
			    "output:\n%s", p->name, how, tail != NULL ? tail :
			    "");
			free(tail);
			return (-1);
		}
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd == -1) {
			bench_hub_cause(cause, "socket: %s", strerror(errno));
			return (-1);
		}
		if (connect(fd, (struct sockaddr *)&sin, sizeof sin) == 0) {
			close(fd);
			return (0);
		}
		close(fd);
		if (bench_hub_clock() > deadline || bench_interrupted) {
			tail = bench_hub_log_tail(p, 20);
			bench_hub_cause(cause, "%s did not listen on 127.0.0.1:%s "
			    "within %.0f s; its output:\n%s", p->name, port,
			    timeout, tail != NULL ? tail : "");
			free(tail);
			return (-1);
		}
		bench_hub_nap(20);
	}
}

int
bench_hub_stop(struct bench_proc *p, double timeout, char **cause)
{
	double	deadline = bench_hub_clock() + timeout, start;
	char	how[96];

	*cause = NULL;
	if (p->pid != 0 && !bench_hub_alive(p)) {
		bench_hub_describe(p, how, sizeof how);
		bench_hub_cause(cause, "%s %s while it was being measured",
		    p->name, how);
		return (-1);
	}
	if (p->pid == 0)
		return (0);
	start = bench_hub_clock();
	if (kill(p->pid, SIGTERM) == -1) {
		bench_hub_cause(cause, "cannot signal %s: %s", p->name,
		    strerror(errno));
		return (-1);
	}
	while (bench_hub_alive(p)) {
		if (bench_hub_clock() > deadline) {
			(void)kill(p->pid, SIGKILL);
			bench_hub_reap(p, 0);
			bench_hub_cause(cause, "%s did not exit within %.0f s of "
			    "SIGTERM and was killed", p->name, timeout);
			return (-1);
		}
		bench_hub_nap(10);
	}
	p->stop_seconds = bench_hub_clock() - start;
	if (WIFEXITED(p->status) && WEXITSTATUS(p->status) == 0)
		return (0);
	bench_hub_describe(p, how, sizeof how);
	bench_hub_cause(cause, "%s %s after SIGTERM", p->name, how);
	return (-1);
}

char *
bench_hub_log_tail(const struct bench_proc *p, size_t lines)
{
	struct stat	 sb;
	char		*buf, *start;
	size_t		 want, n, seen = 0;
	ssize_t		 got;
	off_t		 from;
	int		 fd;

	if (p->log == NULL || (fd = open(p->log, O_RDONLY | O_CLOEXEC)) == -1)
		return (strdup(""));
	if (fstat(fd, &sb) == -1) {
		close(fd);
		return (strdup(""));
	}
	want = sb.st_size > 8192 ? 8192 : (size_t)sb.st_size;
	from = sb.st_size - (off_t)want;
	if ((buf = malloc(want + 1)) == NULL) {
		close(fd);
		return (NULL);
	}
	n = 0;
	while (n < want) {
		got = pread(fd, buf + n, want - n, from + (off_t)n);
		if (got <= 0)
			break;
		n += (size_t)got;
	}
	close(fd);
	buf[n] = '\0';
	start = buf + n;
	while (start > buf) {
		if (start[-1] == '\n' && start != buf + n && ++seen > lines)
			break;
		start--;
	}
	memmove(buf, start, strlen(start) + 1);
	return (buf);
}

long
bench_hub_status_kb(pid_t pid, const char *field)
{
	char	 path[64], *line = NULL;
	size_t	 cap = 0, len = strlen(field);
	long	 kb = -1;
	FILE	*f;

	snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
	if ((f = fopen(path, "re")) == NULL)
		return (-1);
	while (getline(&line, &cap, f) != -1) {
		if (strncmp(line, field, len) == 0 && line[len] == ':') {
			kb = strtol(line + len + 1, NULL, 10);
			break;
		}
	}
	free(line);
	fclose(f);
	return (kb);
}

/* utime + stime of a /proc/.../stat file, in clock ticks; 0 if unreadable. */
static uint64_t
bench_hub_stat_ticks(const char *path)
{
	char			 buf[1024], *p, *end;
	unsigned long long	 utime, stime;
	ssize_t			 n;
	int			 fd, field;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return (0);
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return (0);
	buf[n] = '\0';
	/* The command name may hold spaces and parentheses: skip to its end. */
	if ((p = strrchr(buf, ')')) == NULL)
		return (0);
	p++;
	/* Fields 14 and 15 are utime and stime; p is before field 3. */
	for (field = 3; field < 14; field++) {
		while (*p == ' ')
			p++;
		while (*p != ' ' && *p != '\0')
			p++;
		if (*p == '\0')
			return (0);
	}
	utime = strtoull(p, &end, 10);
	stime = strtoull(end, NULL, 10);
	return (utime + stime);
}

/* Busy ticks of all CPUs, from the first line of /proc/stat. */
static uint64_t
bench_hub_machine_ticks(void)
{
	unsigned long long	 v[8] = { 0 };
	char			 buf[256];
	ssize_t			 n;
	int			 fd;

	if ((fd = open("/proc/stat", O_RDONLY | O_CLOEXEC)) == -1)
		return (0);
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return (0);
	buf[n] = '\0';
	/* user nice system idle iowait irq softirq steal */
	if (sscanf(buf, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0],
	    &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) < 7)
		return (0);
	return (v[0] + v[1] + v[2] + v[5] + v[6] + v[7]);
}

void
bench_hub_cpu_sample(pid_t pid, struct bench_cpu_sample *s)
{
	struct timespec	 ts;
	struct dirent	*de;
	DIR		*d;
	char		 path[96];

	memset(s, 0, sizeof *s);
	if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) == 0)
		s->self = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	s->machine = bench_hub_machine_ticks();
	if (pid <= 0)
		return;
	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	s->total = bench_hub_stat_ticks(path);
	snprintf(path, sizeof path, "/proc/%ld/task", (long)pid);
	if ((d = opendir(path)) == NULL)
		return;
	while ((de = readdir(d)) != NULL && s->nthreads < BENCH_THREADS_MAX) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		s->tid[s->nthreads] = (pid_t)strtol(de->d_name, NULL, 10);
		snprintf(path, sizeof path, "/proc/%ld/task/%ld/stat",
		    (long)pid, (long)s->tid[s->nthreads]);
		s->ticks[s->nthreads] = bench_hub_stat_ticks(path);
		s->nthreads++;
	}
	closedir(d);
}

void
bench_hub_cpu_diff(const struct bench_cpu_sample *a,
    const struct bench_cpu_sample *b, struct bench_cpu *out)
{
	double		tick = (double)sysconf(_SC_CLK_TCK);
	unsigned	i, j;
	uint64_t	before;

	memset(out, 0, sizeof *out);
	if (tick <= 0)
		tick = 100;
	out->bench = b->self - a->self;
	out->server = b->total >= a->total ? (double)(b->total - a->total) /
	    tick : 0;
	if (b->machine > a->machine)
		out->others = (double)(b->machine - a->machine) / tick -
		    out->server - out->bench;
	if (out->others < 0)
		out->others = 0;
	for (i = 0; i < b->nthreads; i++) {
		before = 0;
		for (j = 0; j < a->nthreads; j++) {
			if (a->tid[j] == b->tid[i]) {
				before = a->ticks[j];
				break;
			}
		}
		out->tid[out->nthreads] = b->tid[i];
		out->seconds[out->nthreads] = b->ticks[i] >= before ?
		    (double)(b->ticks[i] - before) / tick : 0;
		out->nthreads++;
	}
}

void
bench_hub_proc_clear(struct bench_proc *p)
{
	free(p->name);
	free(p->log);
	p->name = p->log = NULL;
}
