/* enforce: resource limits that the kernel enforces: RLIMIT_FSIZE (short
 * writes, EFBIG and SIGXFSZ), RLIMIT_CPU (SIGXCPU every second from the
 * soft limit, SIGKILL at the hard one), RLIMIT_AS and RLIMIT_DATA
 * (ENOMEM), RLIMIT_NOFILE (EMFILE, EBADF past it), limits inherited over
 * fork and kept over exec, prlimit on another process. */
#include "guest.h"
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>

static volatile sig_atomic_t xfsz, xcpu;
static void onxfsz(int sig) { (void)sig; xfsz++; }
static void onxcpu(int sig) { (void)sig; xcpu++; }

/* setlim sets a limit, never raising the hard one above what it is: the
 * host may have a lower hard limit than paddock's default and no
 * CAP_SYS_RESOURCE to raise it. */
static void setlim(int r, rlim_t cur, rlim_t max)
{
	struct rlimit rl;
	getrlimit(r, &rl);
	if (max > rl.rlim_max)
		max = rl.rlim_max;
	if (cur > max)
		cur = max;
	rl.rlim_cur = cur;
	rl.rlim_max = max;
	MUST(setrlimit(r, &rl));
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc > 1) {
		/* Re-executed: the limits survived exec. */
		struct rlimit rl;
		getrlimit(RLIMIT_FSIZE, &rl);
		say("after exec: fsize %ld %ld\n", (long)rl.rlim_cur, (long)rl.rlim_max);
		return 0;
	}

	/* RLIMIT_FSIZE. */
	struct sigaction sa = { .sa_handler = onxfsz };
	sigaction(SIGXFSZ, &sa, NULL);
	setlim(RLIMIT_FSIZE, 100, RLIM_INFINITY);
	int fd = open("big", O_RDWR | O_CREAT | O_TRUNC, 0644);
	MUST(fd);
	char buf[150];
	memset(buf, 'x', sizeof buf);
	CHECK(write(fd, buf, 60));
	CHECK(write(fd, buf, 60));
	say("SIGXFSZ so far: %d\n", xfsz);
	CHECK(write(fd, buf, 1));
	say("SIGXFSZ: %d\n", xfsz);
	CHECK(write(fd, buf, 0));
	CHECK(pwrite(fd, buf, 10, 95));
	CHECK(pwrite(fd, buf, 10, 200));
	CHECK(ftruncate(fd, 101));
	CHECK(ftruncate(fd, 50));
	CHECK(ftruncate(fd, 100));
	CHECK(truncate("big", 4096));
	CHECK(fallocate(fd, 0, 0, 200));
	CHECK(fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 200));
	say("SIGXFSZ: %d\n", xfsz);
	struct stat st;
	fstat(fd, &st);
	say("size %ld\n", (long)st.st_size);
	/* Devices are not limited. */
	int null = open("/dev/null", O_WRONLY);
	CHECK(write(null, buf, 150));
	close(null);
	/* Inherited over fork, kept over exec. */
	pid_t c = fork();
	if (c == 0) {
		execl("/proc/self/exe", argv[0], "again", (char *)NULL);
		execl(argv[0], argv[0], "again", (char *)NULL);
		_exit(127);
	}
	reap(c);
	/* Without a handler SIGXFSZ kills. */
	c = fork();
	if (c == 0) {
		signal(SIGXFSZ, SIG_DFL);
		write(fd, buf, 150);
		_exit(0);
	}
	int status = reap(c);
	say("child: signaled %d sig %d\n", WIFSIGNALED(status), WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	close(fd);
	unlink("big");
	setlim(RLIMIT_FSIZE, RLIM_INFINITY, RLIM_INFINITY);

	/* RLIMIT_NOFILE. */
	setlim(RLIMIT_NOFILE, 10, 4096);
	int last = -1, n;
	while ((n = dup(0)) >= 0)
		last = n;
	say("dup stops at %d: %s\n", last, errname(errno));
	CHECK(dup2(0, 10));
	CHECK(dup2(0, 9));
	CHECK(fcntl(0, F_DUPFD, 10));
	for (int i = 3; i < 10; i++)
		close(i);
	setlim(RLIMIT_NOFILE, 1024, 4096);

	/* RLIMIT_AS and RLIMIT_DATA. */
	c = fork();
	if (c == 0) {
		setlim(RLIMIT_AS, 64 << 20, RLIM_INFINITY);
		void *p = mmap(NULL, 128 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		say("mmap past RLIMIT_AS: %s\n", p == MAP_FAILED ? errname(errno) : "mapped");
		p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		say("small mmap: %s\n", p == MAP_FAILED ? errname(errno) : "mapped");
		setlim(RLIMIT_DATA, 1 << 20, RLIM_INFINITY);
		void *brk0 = sbrk(0);
		void *r = sbrk(4 << 20);
		say("brk past RLIMIT_DATA: %s\n", r == (void *)-1 ? errname(errno) : "grew");
		p = mmap(NULL, 4 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		say("private writable mmap past RLIMIT_DATA: %s\n", p == MAP_FAILED ? errname(errno) : "mapped");
		say("brk unchanged: %d\n", sbrk(0) == brk0);
		_exit(0);
	}
	reap(c);

	/* prlimit on a child, and its permission rule. */
	int ready[2];
	MUST(pipe(ready));
	c = fork();
	if (c == 0) {
		char ch;
		close(ready[1]);
		read(ready[0], &ch, 1);
		struct rlimit rl;
		getrlimit(RLIMIT_CORE, &rl);
		say("child core limit is the one set: %d\n", rl.rlim_cur == 4096 || rl.rlim_cur == rl.rlim_max);
		_exit(0);
	}
	struct rlimit nl, old, mine;
	getrlimit(RLIMIT_CORE, &nl);
	mine = nl;
	if (nl.rlim_max > 8192)
		nl.rlim_max = 8192;
	nl.rlim_cur = nl.rlim_max < 4096 ? nl.rlim_max : 4096;
	CHECK(prlimit(c, RLIMIT_CORE, &nl, &old));
	say("child's old core limit was inherited: %d\n", old.rlim_cur == mine.rlim_cur);
	close(ready[0]);
	MUST(write(ready[1], "x", 1));
	reap(c);
	c = fork();
	if (c == 0) {
		/* An unprivileged process may not touch another user's. */
		setuid(1000);
		CHECK(prlimit(getppid(), RLIMIT_CORE, NULL, &old));
		CHECK(prlimit(0, RLIMIT_CORE, NULL, &old));
		_exit(0);
	}
	reap(c);

	/* RLIMIT_CPU. */
	c = fork();
	if (c == 0) {
		struct sigaction sx = { .sa_handler = onxcpu };
		sigaction(SIGXCPU, &sx, NULL);
		setlim(RLIMIT_CPU, 1, 2);
		volatile unsigned long spin = 0;
		for (;;) {
			spin++;
			if (xcpu == 1) {
				xcpu = 2;
				struct rlimit rl;
				getrlimit(RLIMIT_CPU, &rl);
				say("SIGXCPU; soft limit now %ld\n", (long)rl.rlim_cur);
			}
		}
	}
	status = reap(c);
	say("spinner: signaled %d sig %d\n", WIFSIGNALED(status), WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	return 0;
}
