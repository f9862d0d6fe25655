/* guest.h: helpers for paddock's differential test programs. Each program
 * prints what it observes, one fact per line, and the test harness compares
 * that output and the exit status between a native run and a paddock run.
 * Print only what is deterministic on both: no addresses, pids, inode
 * numbers or times, only relations between them. */
#ifndef GUEST_H
#define GUEST_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* Debian's musl (1.2.3) predates the statx wrapper: declare it here, laid
 * out as include/uapi/linux/stat.h. */
#ifndef STATX_TYPE
#define STATX_TYPE 0x1U
#define STATX_MODE 0x2U
#define STATX_NLINK 0x4U
#define STATX_UID 0x8U
#define STATX_GID 0x10U
#define STATX_ATIME 0x20U
#define STATX_MTIME 0x40U
#define STATX_CTIME 0x80U
#define STATX_INO 0x100U
#define STATX_SIZE 0x200U
#define STATX_BLOCKS 0x400U
#define STATX_BASIC_STATS 0x7ffU
#define STATX_BTIME 0x800U
#define STATX_MNT_ID 0x1000U
#define STATX_ALL 0xfffU
#define STATX_ATTR_MOUNT_ROOT 0x2000
#define AT_STATX_FORCE_SYNC 0x2000
#define AT_STATX_DONT_SYNC 0x4000
struct statx_timestamp {
	int64_t tv_sec;
	uint32_t tv_nsec;
	int32_t __reserved;
};
struct statx {
	uint32_t stx_mask, stx_blksize;
	uint64_t stx_attributes;
	uint32_t stx_nlink, stx_uid, stx_gid;
	uint16_t stx_mode, __spare0;
	uint64_t stx_ino, stx_size, stx_blocks, stx_attributes_mask;
	struct statx_timestamp stx_atime, stx_btime, stx_ctime, stx_mtime;
	uint32_t stx_rdev_major, stx_rdev_minor, stx_dev_major, stx_dev_minor;
	uint64_t stx_mnt_id;
	uint64_t __spare2[13];
};
static inline int statx(int dirfd, const char *path, int flags, unsigned mask, struct statx *buf)
{
	return syscall(SYS_statx, dirfd, path, flags, mask, buf);
}
#endif

static inline const char *errname(int e)
{
	switch (e) {
	case 0: return "OK";
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case ESRCH: return "ESRCH";
	case EINTR: return "EINTR";
	case EIO: return "EIO";
	case ENXIO: return "ENXIO";
	case E2BIG: return "E2BIG";
	case ENOEXEC: return "ENOEXEC";
	case EBADF: return "EBADF";
	case ECHILD: return "ECHILD";
	case EAGAIN: return "EAGAIN";
	case ENOMEM: return "ENOMEM";
	case EACCES: return "EACCES";
	case EFAULT: return "EFAULT";
	case EBUSY: return "EBUSY";
	case EEXIST: return "EEXIST";
	case EXDEV: return "EXDEV";
	case ENODEV: return "ENODEV";
	case ENOTDIR: return "ENOTDIR";
	case EISDIR: return "EISDIR";
	case EINVAL: return "EINVAL";
	case ENFILE: return "ENFILE";
	case EMFILE: return "EMFILE";
	case ENOTTY: return "ENOTTY";
	case ETXTBSY: return "ETXTBSY";
	case EFBIG: return "EFBIG";
	case ENOSPC: return "ENOSPC";
	case ESPIPE: return "ESPIPE";
	case EROFS: return "EROFS";
	case EMLINK: return "EMLINK";
	case EPIPE: return "EPIPE";
	case EDOM: return "EDOM";
	case ERANGE: return "ERANGE";
	case EDEADLK: return "EDEADLK";
	case ENAMETOOLONG: return "ENAMETOOLONG";
	case ENOLCK: return "ENOLCK";
	case ENOSYS: return "ENOSYS";
	case ENOTEMPTY: return "ENOTEMPTY";
	case ELOOP: return "ELOOP";
	case EOVERFLOW: return "EOVERFLOW";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case ETIMEDOUT: return "ETIMEDOUT";
	case ENOTSOCK: return "ENOTSOCK";
	case EDESTADDRREQ: return "EDESTADDRREQ";
	case EMSGSIZE: return "EMSGSIZE";
	case EPROTOTYPE: return "EPROTOTYPE";
	case ENOPROTOOPT: return "ENOPROTOOPT";
	case EPROTONOSUPPORT: return "EPROTONOSUPPORT";
	case ESOCKTNOSUPPORT: return "ESOCKTNOSUPPORT";
	case EAFNOSUPPORT: return "EAFNOSUPPORT";
	case EADDRINUSE: return "EADDRINUSE";
	case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
	case ENETUNREACH: return "ENETUNREACH";
	case ECONNRESET: return "ECONNRESET";
	case EISCONN: return "EISCONN";
	case ENOTCONN: return "ENOTCONN";
	case ECONNREFUSED: return "ECONNREFUSED";
	case EALREADY: return "EALREADY";
	case EINPROGRESS: return "EINPROGRESS";
	case ETOOMANYREFS: return "ETOOMANYREFS";
	}
	static char buf[32];
	snprintf(buf, sizeof buf, "errno%d", e);
	return buf;
}

/* CHECK evaluates a call returning -1 on error and prints
 * "expr = value" or "expr = -1 ENAME". It returns the value. */
#define CHECK(expr) check_(#expr, (long)(expr))

static inline long check_(const char *what, long r)
{
	if (r == -1)
		printf("%s = -1 %s\n", what, errname(errno));
	else
		printf("%s = %ld\n", what, r);
	return r;
}

/* CHECKZ is CHECK for calls that return 0 or a positive value whose exact
 * number is not deterministic (an address, a pid): it prints "ok". */
#define CHECKZ(expr) checkz_(#expr, (long)(expr))

static inline long checkz_(const char *what, long r)
{
	if (r == -1)
		printf("%s = -1 %s\n", what, errname(errno));
	else
		printf("%s = ok\n", what);
	return r;
}

/* MUST aborts the test with a message if a setup step fails. */
#define MUST(expr) do { if ((long)(expr) == -1) { \
	printf("setup failed: %s: %s\n", #expr, errname(errno)); exit(99); } } while (0)

/* badptr returns an address that is never mapped, hidden from the compiler
 * so that passing it to the kernel draws no warning. */
static inline void *badptr(void)
{
	volatile uintptr_t p = 16;
	return (void *)p;
}

/* say prints a labelled fact. */
#define say(...) printf(__VA_ARGS__)

/* write_file creates path with the given contents. */
static inline void write_file(const char *path, const char *data)
{
	int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	MUST(fd);
	MUST(write(fd, data, strlen(data)));
	close(fd);
}

/* read_file prints the contents of path (up to 256 bytes). */
static inline void show_file(const char *path)
{
	char buf[257];
	int fd = open(path, O_RDONLY);
	if (fd < 0) {
		printf("%s: open: %s\n", path, errname(errno));
		return;
	}
	int n = read(fd, buf, 256);
	close(fd);
	if (n < 0) {
		printf("%s: read: %s\n", path, errname(errno));
		return;
	}
	buf[n] = 0;
	printf("%s: %d bytes: \"%s\"\n", path, n, buf);
}

/* msleep sleeps for ms milliseconds, so that timestamps taken before and
 * after differ on file systems with coarse clocks. */
static inline void msleep(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

/* pester forks a child that sends sig to the caller five times, 30 ms
 * apart, so that a call the caller blocks in meets a signal; it returns
 * the child's pid. */
static inline pid_t pester(int sig)
{
	pid_t me = getpid();
	pid_t k = fork();
	if (k == 0) {
		for (int i = 0; i < 5; i++) {
			msleep(30);
			kill(me, sig);
		}
		_exit(0);
	}
	return k;
}

/* reap waits for child pid, again after each signal that interrupts the
 * wait. */
static inline int reap(pid_t pid)
{
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return st;
}

/* tcmp compares two timespecs: -1, 0 or 1. */
static inline int tcmp(struct timespec a, struct timespec b)
{
	if (a.tv_sec != b.tv_sec)
		return a.tv_sec < b.tv_sec ? -1 : 1;
	if (a.tv_nsec != b.tv_nsec)
		return a.tv_nsec < b.tv_nsec ? -1 : 1;
	return 0;
}

#endif
