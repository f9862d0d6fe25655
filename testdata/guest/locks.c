/* locks: fcntl record locks (POSIX and OFD), flock and lockf between
 * processes: conflicts, F_GETLK's report, blocking and waking, EINTR,
 * EDEADLK, release on closing any descriptor and on exit, ranges that
 * split and merge, struct flock's whence and length rules. */
#include "guest.h"
#include <signal.h>
#include <sys/file.h>

#ifndef F_OFD_GETLK
#define F_OFD_GETLK 36
#define F_OFD_SETLK 37
#define F_OFD_SETLKW 38
#endif

static const char *path = "locked";

static int lk(int fd, int cmd, short type, short whence, off_t start, off_t len)
{
	struct flock fl = { .l_type = type, .l_whence = whence, .l_start = start, .l_len = len };
	return fcntl(fd, cmd, &fl);
}

/* test prints what F_GETLK (or F_OFD_GETLK) says about a lock of type on
 * start..len: unlocked, or the lock in the way, its pid as "parent",
 * "child", "-1" or "other". */
static void test(const char *what, int fd, int cmd, short type, off_t start, off_t len, pid_t parent, pid_t child)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len };
	if (fcntl(fd, cmd, &fl) < 0) {
		say("%s: -1 %s\n", what, errname(errno));
		return;
	}
	if (fl.l_type == F_UNLCK) {
		say("%s: unlocked\n", what);
		return;
	}
	const char *who = fl.l_pid == parent ? "parent" : fl.l_pid == child ? "child" : fl.l_pid == -1 ? "-1" : "other";
	say("%s: %s whence %d start %ld len %ld pid %s\n", what, fl.l_type == F_WRLCK ? "write" : "read",
	    fl.l_whence, (long)fl.l_start, (long)fl.l_len, who);
}

/* inchild runs fn in a child with its own descriptor for the file and
 * waits for it. */
static void inchild(void (*fn)(int fd, pid_t parent))
{
	pid_t parent = getpid();
	pid_t c = fork();
	if (c == 0) {
		int fd = open(path, O_RDWR);
		fn(fd, parent);
		_exit(0);
	}
	reap(c);
}

static void probe_all(int fd, pid_t parent)
{
	test("child sees [0,10)", fd, F_GETLK, F_WRLCK, 0, 10, parent, 0);
	test("child sees [10,20)", fd, F_GETLK, F_WRLCK, 10, 10, parent, 0);
	test("child sees [20,EOF)", fd, F_GETLK, F_WRLCK, 20, 0, parent, 0);
	test("child read test [0,EOF)", fd, F_GETLK, F_RDLCK, 0, 0, parent, 0);
	CHECK(lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 1));
}

static void probe_ranges(int fd, pid_t parent)
{
	for (int i = 0; i < 120; i += 10) {
		char what[64];
		snprintf(what, sizeof what, "byte %d", i);
		test(what, fd, F_GETLK, F_WRLCK, i, 1, parent, 0);
	}
	test("read test of [0,EOF)", fd, F_GETLK, F_RDLCK, 0, 0, parent, 0);
}

static void probe_one(int fd, pid_t parent)
{
	test("child sees", fd, F_GETLK, F_WRLCK, 0, 0, parent, 0);
}

static void probe_ofd(int fd, pid_t parent)
{
	test("child sees (OFD test)", fd, F_OFD_GETLK, F_WRLCK, 0, 0, parent, 0);
	test("child sees (POSIX test)", fd, F_GETLK, F_WRLCK, 0, 0, parent, 0);
}

static void probe_flock(int fd, pid_t parent)
{
	(void)parent;
	CHECK(flock(fd, LOCK_EX | LOCK_NB));
	CHECK(flock(fd, LOCK_SH | LOCK_NB));
	CHECK(lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 0));
}

static void onalarm(int sig) { (void)sig; }

static long ms_since(struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	pid_t me = getpid();
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	MUST(fd);
	MUST(write(fd, "0123456789abcdefghij", 20));

	/* struct flock's rules. */
	CHECK(lseek(fd, 5, SEEK_SET));
	CHECK(lk(fd, F_SETLK, F_WRLCK, SEEK_CUR, 5, 5));       /* 10..14 */
	CHECK(lk(fd, F_SETLK, F_WRLCK, SEEK_END, -2, 0));      /* 18.. */
	CHECK(lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 9, -4));      /* 5..8 */
	CHECK(lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 2, -4));
	CHECK(lk(fd, F_SETLK, F_WRLCK, SEEK_SET, -1, 1));
	CHECK(lk(fd, F_SETLK, F_WRLCK, SEEK_CUR, -6, 1));
	CHECK(lk(fd, F_SETLK, F_WRLCK, 7, 0, 1));
	CHECK(lk(fd, F_SETLK, 9, SEEK_SET, 0, 1));
	CHECK(lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0x7fffffffffffff00, 0x1000));
	CHECK(lk(fd, F_GETLK, F_UNLCK, SEEK_SET, 0, 1));
	CHECK(lk(fd, F_SETLK, F_RDLCK, SEEK_SET, 0, 1) == 0 && lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 1) == 0);
	test("own locks do not conflict", fd, F_GETLK, F_WRLCK, 0, 0, me, 0);
	inchild(probe_all);
	CHECK(lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0));

	/* EBADF: the access mode must allow the lock type. */
	int ro = open(path, O_RDONLY), wo = open(path, O_WRONLY);
	CHECK(lk(ro, F_SETLK, F_WRLCK, SEEK_SET, 0, 1));
	CHECK(lk(wo, F_SETLK, F_RDLCK, SEEK_SET, 0, 1));
	CHECK(lk(ro, F_SETLK, F_RDLCK, SEEK_SET, 0, 1));
	CHECK(lk(wo, F_SETLK, F_WRLCK, SEEK_SET, 1, 1));
	test("read test against own locks", ro, F_GETLK, F_WRLCK, 0, 2, me, 0);
	int pathfd = open(path, O_PATH);
	CHECK(lk(pathfd, F_GETLK, F_RDLCK, SEEK_SET, 0, 1));
	CHECK(lk(999, F_SETLK, F_RDLCK, SEEK_SET, 0, 1));
	/* Closing ANY descriptor of the file drops the process's locks. */
	close(pathfd);
	inchild(probe_one);
	close(ro);
	say("after closing another descriptor:\n");
	inchild(probe_one);
	close(wo);

	/* Split and merge. */
	CHECK(lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 100));
	CHECK(lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 40, 20));
	CHECK(lk(fd, F_SETLK, F_RDLCK, SEEK_SET, 20, 10));
	CHECK(lk(fd, F_SETLK, F_RDLCK, SEEK_SET, 100, 10));
	CHECK(lk(fd, F_SETLK, F_RDLCK, SEEK_SET, 110, 5));
	inchild(probe_ranges);
	CHECK(lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 30, 50));
	CHECK(lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 20));
	inchild(probe_ranges);
	CHECK(lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0));
	inchild(probe_one);

	/* F_SETLKW sleeps until the holder unlocks. */
	int go[2];
	MUST(pipe(go));
	CHECK(lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 10));
	pid_t c = fork();
	if (c == 0) {
		int cfd = open(path, O_RDWR);
		struct timespec t0;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		MUST(write(go[1], "x", 1));
		int r = lk(cfd, F_SETLKW, F_WRLCK, SEEK_SET, 5, 1);
		say("child F_SETLKW = %d after waiting at least 100 ms: %d\n", r, ms_since(&t0) >= 100);
		test("child holds byte 5", fd, F_GETLK, F_WRLCK, 5, 1, me, getpid());
		_exit(0);
	}
	char ch;
	MUST(read(go[0], &ch, 1));
	msleep(150);
	/* The child prints once it has the lock: print after it. */
	int r = lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 10);
	reap(c);
	say("parent unlocked: %d\n", r);
	/* Its locks went when it exited. */
	test("after the child exited", fd, F_GETLK, F_WRLCK, 0, 0, me, c);

	/* A signal interrupts F_SETLKW: EINTR without SA_RESTART. */
	CHECK(lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 10));
	c = fork();
	if (c == 0) {
		int cfd = open(path, O_RDWR);
		struct sigaction sa = { .sa_handler = onalarm };
		sigaction(SIGALRM, &sa, NULL);
		alarm(1);
		CHECK(lk(cfd, F_SETLKW, F_WRLCK, SEEK_SET, 0, 1));
		_exit(0);
	}
	reap(c);
	CHECK(lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0));

	/* EDEADLK: the parent holds byte 0 and the child byte 1; the child
	 * waits for byte 0; the parent asking for byte 1 would close the
	 * cycle. */
	CHECK(lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 1));
	c = fork();
	if (c == 0) {
		int cfd = open(path, O_RDWR);
		CHECK(lk(cfd, F_SETLK, F_WRLCK, SEEK_SET, 1, 1));
		MUST(write(go[1], "x", 1));
		CHECK(lk(cfd, F_SETLKW, F_WRLCK, SEEK_SET, 0, 1));
		_exit(0);
	}
	MUST(read(go[0], &ch, 1));
	msleep(150);
	CHECK(lk(fd, F_SETLKW, F_WRLCK, SEEK_SET, 1, 1));
	r = lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 1);
	reap(c);
	say("parent unlocked: %d\n", r);

	/* OFD locks belong to the open file description. */
	int o1 = open(path, O_RDWR), o2 = open(path, O_RDWR);
	int o1dup = dup(o1);
	CHECK(lk(o1, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 10));
	CHECK(lk(o1dup, F_OFD_SETLK, F_WRLCK, SEEK_SET, 5, 10));
	CHECK(lk(o2, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 1));
	CHECK(lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 1));
	test("OFD test through another description", o2, F_OFD_GETLK, F_RDLCK, 0, 0, me, 0);
	test("POSIX test against an OFD lock", fd, F_GETLK, F_RDLCK, 0, 0, me, 0);
	struct flock bad = { .l_type = F_RDLCK, .l_pid = 1 };
	CHECK(fcntl(o1, F_OFD_SETLK, &bad));
	CHECK(fcntl(o1, F_OFD_GETLK, &bad));
	inchild(probe_ofd);
	close(o1dup);
	say("after closing one of two descriptors:\n");
	inchild(probe_ofd);
	close(o1);
	say("after closing the last:\n");
	inchild(probe_ofd);
	close(o2);

	/* flock: whole-file locks of the open file description, independent
	 * of fcntl locks. */
	int f1 = open(path, O_RDONLY), f2 = open(path, O_RDONLY);
	CHECK(flock(f1, LOCK_SH));
	CHECK(flock(f2, LOCK_SH | LOCK_NB));
	CHECK(flock(f2, LOCK_EX | LOCK_NB));
	CHECK(flock(f2, LOCK_UN));
	CHECK(flock(f1, LOCK_EX | LOCK_NB));
	CHECK(flock(f2, LOCK_SH | LOCK_NB));
	CHECK(flock(f1, 0));
	CHECK(flock(f1, LOCK_NB));
	CHECK(flock(999, LOCK_SH));
	inchild(probe_flock);
	c = fork();
	if (c == 0) {
		/* The child shares f1's description: the lock is its own. */
		CHECK(flock(f1, LOCK_EX | LOCK_NB));
		_exit(0);
	}
	reap(c);
	c = fork();
	if (c == 0) {
		/* Its copy of f1 would keep the description, and so the lock,
		 * alive. */
		close(f1);
		MUST(write(go[1], "x", 1));
		struct timespec t0;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		int r = flock(f2, LOCK_EX);
		say("child blocking flock = %d after waiting at least 100 ms: %d\n", r, ms_since(&t0) >= 100);
		_exit(0);
	}
	MUST(read(go[0], &ch, 1));
	msleep(150);
	close(f1);
	reap(c);
	close(f2);

	/* lockf is fcntl underneath. */
	CHECK(lseek(fd, 0, SEEK_SET));
	CHECK(lockf(fd, F_LOCK, 10));
	CHECK(lockf(fd, F_TEST, 10));
	c = fork();
	if (c == 0) {
		int cfd = open(path, O_RDWR);
		CHECK(lockf(cfd, F_TEST, 10));
		CHECK(lockf(cfd, F_TLOCK, 10));
		CHECK(lseek(cfd, 10, SEEK_SET));
		CHECK(lockf(cfd, F_TLOCK, 10));
		_exit(0);
	}
	reap(c);
	CHECK(lockf(fd, F_ULOCK, 0));
	close(fd);
	unlink(path);
	return 0;
}
