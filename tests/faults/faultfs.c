/*
 * Storage faults on demand, for the integration tests: preloaded into
 * kentongand, it makes writes, syncs and truncations of the files whose path
 * starts with $KENTONGAN_FAULT_PATH fail while the file named by
 * $KENTONGAN_FAULT_CONTROL exists and holds ENOSPC, EROFS or EIO. Removing
 * the control file makes the "disk" healthy again, as freeing space or
 * remounting read-write would. SLOW instead makes every read of those
 * files take 20 ms, as a disk under heavy load would: a read on the wrong
 * thread then shows.
 *
 *     LD_PRELOAD=tests/faults/faultfs.so \
 *     KENTONGAN_FAULT_PATH=/var/tmp/hub/kentongan.db \
 *     KENTONGAN_FAULT_CONTROL=/var/tmp/hub/fault kentongand -c ...
 */
#define _GNU_SOURCE
#include <sys/types.h>

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FAULT_SLOW	(-1)
#define FAULT_SLOW_USEC	20000

/*
 * The errno to fail with now, FAULT_SLOW, or 0: the control file is read
 * on every call.
 */
static int
fault_mode(void)
{
	const char	*control = getenv("KENTONGAN_FAULT_CONTROL");
	char		 word[16];
	ssize_t		 n;
	int		 fd, saved = errno, e = 0;

	if (control == NULL)
		return (0);
	if ((fd = open(control, O_RDONLY | O_CLOEXEC)) == -1) {
		errno = saved;
		return (0);
	}
	n = read(fd, word, sizeof word - 1);
	close(fd);
	if (n > 0) {
		word[n] = '\0';
		if (strncmp(word, "ENOSPC", 6) == 0)
			e = ENOSPC;
		else if (strncmp(word, "EROFS", 5) == 0)
			e = EROFS;
		else if (strncmp(word, "EIO", 3) == 0)
			e = EIO;
		else if (strncmp(word, "SLOW", 4) == 0)
			e = FAULT_SLOW;
	}
	errno = saved;
	return (e);
}

/* 1 if fd is one of the files under fault. */
static int
fault_applies(int fd)
{
	const char	*prefix = getenv("KENTONGAN_FAULT_PATH");
	char		 link[64], path[PATH_MAX];
	ssize_t		 n;
	int		 saved = errno;

	if (prefix == NULL || fd < 0)
		return (0);
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof path - 1);
	errno = saved;
	if (n <= 0)
		return (0);
	path[n] = '\0';
	return (strncmp(path, prefix, strlen(prefix)) == 0);
}

/* Fail with the configured errno when fd is under fault; else 0. */
static int
fault_check(int fd)
{
	int	e;

	if (!fault_applies(fd) || (e = fault_mode()) == 0 || e == FAULT_SLOW)
		return (0);
	errno = e;
	return (-1);
}

/* Make a read of a file under fault slow, when asked to. */
static void
fault_read(int fd)
{
	int	saved = errno;

	if (fault_applies(fd) && fault_mode() == FAULT_SLOW)
		usleep(FAULT_SLOW_USEC);
	errno = saved;
}

#define NEXT(name, type) do {						\
	if (real_##name == NULL &&					\
	    (real_##name = (type)dlsym(RTLD_NEXT, #name)) == NULL)	\
		abort();						\
} while (0)

ssize_t
write(int fd, const void *buf, size_t len)
{
	static ssize_t	(*real_write)(int, const void *, size_t);

	NEXT(write, ssize_t (*)(int, const void *, size_t));
	if (fault_check(fd) == -1)
		return (-1);
	return (real_write(fd, buf, len));
}

ssize_t
pwrite(int fd, const void *buf, size_t len, off_t off)
{
	static ssize_t	(*real_pwrite)(int, const void *, size_t, off_t);

	NEXT(pwrite, ssize_t (*)(int, const void *, size_t, off_t));
	if (fault_check(fd) == -1)
		return (-1);
	return (real_pwrite(fd, buf, len, off));
}

ssize_t
pwrite64(int fd, const void *buf, size_t len, off_t off)
{
	static ssize_t	(*real_pwrite64)(int, const void *, size_t, off_t);

	NEXT(pwrite64, ssize_t (*)(int, const void *, size_t, off_t));
	if (fault_check(fd) == -1)
		return (-1);
	return (real_pwrite64(fd, buf, len, off));
}

ssize_t
pread(int fd, void *buf, size_t len, off_t off)
{
	static ssize_t	(*real_pread)(int, void *, size_t, off_t);

	NEXT(pread, ssize_t (*)(int, void *, size_t, off_t));
	fault_read(fd);
	return (real_pread(fd, buf, len, off));
}

ssize_t
pread64(int fd, void *buf, size_t len, off_t off)
{
	static ssize_t	(*real_pread64)(int, void *, size_t, off_t);

	NEXT(pread64, ssize_t (*)(int, void *, size_t, off_t));
	fault_read(fd);
	return (real_pread64(fd, buf, len, off));
}

int
fsync(int fd)
{
	static int	(*real_fsync)(int);

	NEXT(fsync, int (*)(int));
	if (fault_check(fd) == -1)
		return (-1);
	return (real_fsync(fd));
}

int
fdatasync(int fd)
{
	static int	(*real_fdatasync)(int);

	NEXT(fdatasync, int (*)(int));
	if (fault_check(fd) == -1)
		return (-1);
	return (real_fdatasync(fd));
}

int
ftruncate(int fd, off_t len)
{
	static int	(*real_ftruncate)(int, off_t);

	NEXT(ftruncate, int (*)(int, off_t));
	if (fault_check(fd) == -1)
		return (-1);
	return (real_ftruncate(fd, len));
}

int
ftruncate64(int fd, off_t len)
{
	static int	(*real_ftruncate64)(int, off_t);

	NEXT(ftruncate64, int (*)(int, off_t));
	if (fault_check(fd) == -1)
		return (-1);
	return (real_ftruncate64(fd, len));
}

int
fallocate(int fd, int mode, off_t off, off_t len)
{
	static int	(*real_fallocate)(int, int, off_t, off_t);

	NEXT(fallocate, int (*)(int, int, off_t, off_t));
	if (fault_check(fd) == -1)
		return (-1);
	return (real_fallocate(fd, mode, off, len));
}
