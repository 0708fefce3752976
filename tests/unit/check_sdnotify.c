/* Unit tests of the systemd notification protocol and the watchdog settings. */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "sdnotify.h"

#define SUN_PATH_SIZE	sizeof (((struct sockaddr_un *)0)->sun_path)
#define DIR_MAX		4096

/* A datagram socket that stands in for systemd's notification socket. */
struct listener {
	char	dir[DIR_MAX];
	char	path[SUN_PATH_SIZE + 1];	/* "" when abstract */
	int	fd;
};

/* snprintf that fails the test instead of truncating. */
static void
xformat(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void
xformat(char *buf, size_t size, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	ck_assert_msg(n >= 0 && (size_t)n < size, "\"%s\" does not fit %zu "
	    "bytes", fmt, size);
}

/* Forget anything the environment of the test runner may say. */
static void
clear_environment(void)
{
	ck_assert_int_eq(unsetenv("NOTIFY_SOCKET"), 0);
	ck_assert_int_eq(unsetenv("WATCHDOG_USEC"), 0);
	ck_assert_int_eq(unsetenv("WATCHDOG_PID"), 0);
}

/* Make a private directory under $TMPDIR (or /tmp) into l->dir. */
static void
make_dir(struct listener *l)
{
	const char	*tmp = getenv("TMPDIR");

	if (tmp == NULL || *tmp == '\0')
		tmp = "/tmp";
	xformat(l->dir, sizeof l->dir, "%s/check_sdnotify.XXXXXX", tmp);
	ck_assert_msg(mkdtemp(l->dir) != NULL, "mkdtemp %s: %s", l->dir,
	    strerror(errno));
}

/*
 * Bind a socket of the given type in a new private directory, at a path of
 * exactly len bytes (the file name padded with 'n'), or at DIR/notify when
 * len is 0.
 */
static void
listen_path_len(struct listener *l, int type, size_t len)
{
	struct sockaddr_un	sun;
	size_t			dirlen;

	memset(l, 0, sizeof *l);
	make_dir(l);
	dirlen = strlen(l->dir);
	if (len == 0)
		len = dirlen + strlen("/notify");
	ck_assert_msg(len > dirlen + 1 && len < sizeof l->path,
	    "cannot make a socket path of %zu bytes in %s", len, l->dir);
	memcpy(l->path, l->dir, dirlen);
	l->path[dirlen] = '/';
	if (len == dirlen + strlen("/notify"))
		memcpy(l->path + dirlen + 1, "notify", strlen("notify"));
	else
		memset(l->path + dirlen + 1, 'n', len - dirlen - 1);
	l->path[len] = '\0';

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	ck_assert_uint_lt(strlen(l->path), sizeof sun.sun_path);
	memcpy(sun.sun_path, l->path, strlen(l->path) + 1);
	l->fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
	ck_assert_msg(l->fd != -1, "socket: %s", strerror(errno));
	ck_assert_msg(bind(l->fd, (struct sockaddr *)&sun, sizeof sun) == 0,
	    "bind %s: %s", l->path, strerror(errno));
	if (type == SOCK_STREAM)
		ck_assert_int_eq(listen(l->fd, 1), 0);
}

/* Bind a datagram socket at DIR/notify in a new private directory. */
static void
listen_path(struct listener *l)
{
	listen_path_len(l, SOCK_DGRAM, 0);
}

/*
 * Bind a datagram socket in the abstract namespace; name is what follows
 * the '@' of NOTIFY_SOCKET, so it must be unique to this process.
 */
static void
listen_abstract(struct listener *l, const char *name)
{
	struct sockaddr_un	sun;
	size_t			len = strlen(name);

	memset(l, 0, sizeof *l);
	ck_assert_uint_lt(len, sizeof sun.sun_path);
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path + 1, name, len);
	l->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_msg(l->fd != -1, "socket: %s", strerror(errno));
	ck_assert_msg(bind(l->fd, (struct sockaddr *)&sun,
	    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + len)) == 0,
	    "bind @%s: %s", name, strerror(errno));
}

/* Close the socket and remove what listen_path made. */
static void
listener_close(struct listener *l)
{
	ck_assert_int_eq(close(l->fd), 0);
	if (l->path[0] != '\0') {
		ck_assert_int_eq(unlink(l->path), 0);
		ck_assert_int_eq(rmdir(l->dir), 0);
	}
}

/* The next datagram must be exactly want; nothing else may be queued. */
static void
expect_datagram(struct listener *l, const char *want)
{
	char	buf[8192];
	ssize_t	n;

	n = recv(l->fd, buf, sizeof buf, MSG_DONTWAIT);
	ck_assert_msg(n != -1, "recv: %s", strerror(errno));
	ck_assert_int_eq((size_t)n, strlen(want));
	ck_assert_int_eq(memcmp(buf, want, (size_t)n), 0);
	n = recv(l->fd, buf, sizeof buf, MSG_DONTWAIT);
	ck_assert_int_eq(n, -1);
	ck_assert(errno == EAGAIN || errno == EWOULDBLOCK);
}

/* Nothing may have arrived. */
static void
expect_nothing(struct listener *l)
{
	char	buf[64];

	ck_assert_int_eq(recv(l->fd, buf, sizeof buf, MSG_DONTWAIT), -1);
	ck_assert(errno == EAGAIN || errno == EWOULDBLOCK);
}

START_TEST(test_ready)
{
	struct listener	l;

	clear_environment();
	listen_path(&l);
	ck_assert_int_eq(setenv("NOTIFY_SOCKET", l.path, 1), 0);
	ck_assert_int_eq(sdnotify("READY=1"), 0);
	expect_datagram(&l, "READY=1");
	/* Several assignments travel in one datagram. */
	ck_assert_int_eq(sdnotify("READY=1\nSTATUS=listening on 0.0.0.0:7400"),
	    0);
	expect_datagram(&l, "READY=1\nSTATUS=listening on 0.0.0.0:7400");
	ck_assert_int_eq(sdnotify("WATCHDOG=1"), 0);
	ck_assert_int_eq(sdnotify("STOPPING=1"), 0);
	{
		char	buf[64];
		ssize_t	n;

		n = recv(l.fd, buf, sizeof buf, MSG_DONTWAIT);
		ck_assert_int_eq(n, 10);
		ck_assert_int_eq(memcmp(buf, "WATCHDOG=1", 10), 0);
	}
	expect_datagram(&l, "STOPPING=1");
	listener_close(&l);
}
END_TEST

START_TEST(test_unset)
{
	clear_environment();
	ck_assert_int_eq(sdnotify("READY=1"), 1);
	ck_assert_int_eq(sdnotify("WATCHDOG=1"), 1);
}
END_TEST

START_TEST(test_bad_state)
{
	struct listener	l;

	clear_environment();
	listen_path(&l);
	ck_assert_int_eq(setenv("NOTIFY_SOCKET", l.path, 1), 0);
	errno = 0;
	ck_assert_int_eq(sdnotify(NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	expect_nothing(&l);
	listener_close(&l);
}
END_TEST

START_TEST(test_path_length)
{
	struct listener	 l;
	char		 name[SUN_PATH_SIZE + 2];

	clear_environment();
	/* The longest path that fits sun_path with its NUL is accepted. */
	listen_path_len(&l, SOCK_DGRAM, SUN_PATH_SIZE - 1);
	ck_assert_uint_eq(strlen(l.path), SUN_PATH_SIZE - 1);
	ck_assert_int_eq(setenv("NOTIFY_SOCKET", l.path, 1), 0);
	ck_assert_int_eq(sdnotify("READY=1"), 0);
	expect_datagram(&l, "READY=1");
	listener_close(&l);

	/* One byte more is refused before anything is sent. */
	memset(name, 'x', SUN_PATH_SIZE);
	name[0] = '/';
	name[SUN_PATH_SIZE] = '\0';
	ck_assert_int_eq(setenv("NOTIFY_SOCKET", name, 1), 0);
	errno = 0;
	ck_assert_int_eq(sdnotify("READY=1"), -1);
	ck_assert_int_eq(errno, ENAMETOOLONG);

	/* ... and so is much more. */
	{
		char	*huge;

		huge = malloc(65536);
		ck_assert_ptr_nonnull(huge);
		memset(huge, 'y', 65535);
		huge[0] = '/';
		huge[65535] = '\0';
		ck_assert_int_eq(setenv("NOTIFY_SOCKET", huge, 1), 0);
		free(huge);
		errno = 0;
		ck_assert_int_eq(sdnotify("READY=1"), -1);
		ck_assert_int_eq(errno, ENAMETOOLONG);
	}
}
END_TEST

START_TEST(test_abstract)
{
	struct listener	 l;
	char		 name[SUN_PATH_SIZE + 2], env[SUN_PATH_SIZE + 2];
	size_t		 n;

	clear_environment();
	xformat(name, sizeof name, "kentongan-check-sdnotify-%ld",
	    (long)getpid());
	listen_abstract(&l, name);
	xformat(env, sizeof env, "@%s", name);
	ck_assert_int_eq(setenv("NOTIFY_SOCKET", env, 1), 0);
	ck_assert_int_eq(sdnotify("READY=1"), 0);
	expect_datagram(&l, "READY=1");
	listener_close(&l);

	/* The longest abstract name fills sun_path after the leading NUL. */
	xformat(name, sizeof name, "kentongan-check-sdnotify-%ld-",
	    (long)getpid());
	n = strlen(name);
	memset(name + n, 'a', SUN_PATH_SIZE - 1 - n);
	name[SUN_PATH_SIZE - 1] = '\0';
	listen_abstract(&l, name);
	xformat(env, sizeof env, "@%s", name);
	ck_assert_uint_eq(strlen(env), SUN_PATH_SIZE);
	ck_assert_int_eq(setenv("NOTIFY_SOCKET", env, 1), 0);
	ck_assert_int_eq(sdnotify("RELOADING=1"), 0);
	expect_datagram(&l, "RELOADING=1");
	listener_close(&l);

	/* One byte more does not fit. */
	memset(env, 'b', SUN_PATH_SIZE + 1);
	env[0] = '@';
	env[SUN_PATH_SIZE + 1] = '\0';
	ck_assert_int_eq(setenv("NOTIFY_SOCKET", env, 1), 0);
	errno = 0;
	ck_assert_int_eq(sdnotify("READY=1"), -1);
	ck_assert_int_eq(errno, ENAMETOOLONG);

	/* "@" alone names nothing. */
	ck_assert_int_eq(setenv("NOTIFY_SOCKET", "@", 1), 0);
	errno = 0;
	ck_assert_int_eq(sdnotify("READY=1"), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

START_TEST(test_bad_socket)
{
	struct listener	 l;
	char		 path[DIR_MAX + 16];

	clear_environment();
	/* Neither an absolute path nor an abstract name. */
	ck_assert_int_eq(setenv("NOTIFY_SOCKET", "", 1), 0);
	errno = 0;
	ck_assert_int_eq(sdnotify("READY=1"), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(setenv("NOTIFY_SOCKET", "run/notify", 1), 0);
	errno = 0;
	ck_assert_int_eq(sdnotify("READY=1"), -1);
	ck_assert_int_eq(errno, EAFNOSUPPORT);

	/* Nobody listening there. */
	make_dir(&l);
	xformat(path, sizeof path, "%s/absent", l.dir);
	ck_assert_int_eq(setenv("NOTIFY_SOCKET", path, 1), 0);
	errno = 0;
	ck_assert_int_eq(sdnotify("READY=1"), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(rmdir(l.dir), 0);

	/* A stream socket is not a notification socket. */
	listen_path_len(&l, SOCK_STREAM, strlen(l.dir) + strlen("/s"));
	ck_assert_int_eq(setenv("NOTIFY_SOCKET", l.path, 1), 0);
	errno = 0;
	ck_assert_int_eq(sdnotify("READY=1"), -1);
	ck_assert_int_ne(errno, 0);
	listener_close(&l);
}
END_TEST

START_TEST(test_watchdog_valid)
{
	char		pid[32];
	uint64_t	usec = 0;

	clear_environment();
	ck_assert_int_eq(setenv("WATCHDOG_USEC", "30000000", 1), 0);
	ck_assert_int_eq(sdnotify_watchdog_usec(&usec), 1);
	ck_assert_uint_eq(usec, 30000000);

	/* WATCHDOG_PID naming this process changes nothing. */
	xformat(pid, sizeof pid, "%ld", (long)getpid());
	ck_assert_int_eq(setenv("WATCHDOG_PID", pid, 1), 0);
	ck_assert_int_eq(setenv("WATCHDOG_USEC", "1", 1), 0);
	usec = 0;
	ck_assert_int_eq(sdnotify_watchdog_usec(&usec), 1);
	ck_assert_uint_eq(usec, 1);

	/* The largest value there is. */
	ck_assert_int_eq(setenv("WATCHDOG_USEC", "18446744073709551615", 1), 0);
	ck_assert_int_eq(sdnotify_watchdog_usec(&usec), 1);
	ck_assert(usec == UINT64_MAX);
}
END_TEST

START_TEST(test_watchdog_absent)
{
	char		pid[32];
	uint64_t	usec = 42;

	clear_environment();
	ck_assert_int_eq(sdnotify_watchdog_usec(&usec), 0);
	ck_assert_uint_eq(usec, 42);
	/* A pid without an interval is no watchdog either. */
	xformat(pid, sizeof pid, "%ld", (long)getpid());
	ck_assert_int_eq(setenv("WATCHDOG_PID", pid, 1), 0);
	ck_assert_int_eq(sdnotify_watchdog_usec(&usec), 0);
	ck_assert_uint_eq(usec, 42);
}
END_TEST

START_TEST(test_watchdog_bad_number)
{
	static const char *const bad[] = {
		"", "0", "abc", "12x", "-5", "+5", " 5", "5 ", "0x10", "1e6",
		"30s", "18446744073709551616", "99999999999999999999999",
	};
	uint64_t	usec = 42;
	size_t		i;

	clear_environment();
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ck_assert_int_eq(setenv("WATCHDOG_USEC", bad[i], 1), 0);
		errno = 0;
		ck_assert_msg(sdnotify_watchdog_usec(&usec) == -1,
		    "WATCHDOG_USEC=\"%s\" accepted", bad[i]);
		ck_assert_int_eq(errno, EINVAL);
		ck_assert_uint_eq(usec, 42);
	}

	/* A malformed WATCHDOG_PID is an error too. */
	ck_assert_int_eq(setenv("WATCHDOG_USEC", "30000000", 1), 0);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ck_assert_int_eq(setenv("WATCHDOG_PID", bad[i], 1), 0);
		errno = 0;
		ck_assert_msg(sdnotify_watchdog_usec(&usec) == -1,
		    "WATCHDOG_PID=\"%s\" accepted", bad[i]);
		ck_assert_int_eq(errno, EINVAL);
		ck_assert_uint_eq(usec, 42);
	}
	ck_assert_int_eq(setenv("WATCHDOG_PID", "2147483648", 1), 0);
	ck_assert_int_eq(sdnotify_watchdog_usec(&usec), -1);
}
END_TEST

START_TEST(test_watchdog_other_pid)
{
	char		pid[32];
	uint64_t	usec = 42;

	clear_environment();
	ck_assert_int_eq(setenv("WATCHDOG_USEC", "30000000", 1), 0);
	/* Meant for the parent (systemd hands it down to the main process). */
	xformat(pid, sizeof pid, "%ld", (long)getppid());
	ck_assert_int_eq(setenv("WATCHDOG_PID", pid, 1), 0);
	ck_assert_int_eq(sdnotify_watchdog_usec(&usec), 0);
	ck_assert_uint_eq(usec, 42);
	xformat(pid, sizeof pid, "%ld", (long)getpid() + 1);
	ck_assert_int_eq(setenv("WATCHDOG_PID", pid, 1), 0);
	ck_assert_int_eq(sdnotify_watchdog_usec(&usec), 0);
	ck_assert_uint_eq(usec, 42);
}
END_TEST

/* The suite of the sdnotify module. */
static Suite *
sdnotify_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("sdnotify");
#define ADD(name, fn) do {						\
	tc = tcase_create(name);					\
	tcase_add_test(tc, fn);						\
	suite_add_tcase(s, tc);						\
} while (0)
	ADD("ready", test_ready);
	ADD("unset", test_unset);
	ADD("bad_state", test_bad_state);
	ADD("path_length", test_path_length);
	ADD("abstract", test_abstract);
	ADD("bad_socket", test_bad_socket);
	ADD("watchdog_valid", test_watchdog_valid);
	ADD("watchdog_absent", test_watchdog_absent);
	ADD("watchdog_bad_number", test_watchdog_bad_number);
	ADD("watchdog_other_pid", test_watchdog_other_pid);
#undef ADD
	return (s);
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(sdnotify_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
