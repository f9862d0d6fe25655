/* poll: poll, ppoll, select and pselect6 on pipes, regular files and bad
 * descriptors; timeouts and the time left; the signal mask of ppoll and
 * pselect; EINTR whatever SA_RESTART says. */
#include "guest.h"
#include <poll.h>
#include <signal.h>
#include <sys/select.h>
#include <sys/time.h>
#include <sys/wait.h>

static volatile int hits;
static void handler(int sig)
{
	(void)sig;
	hits++;
}

static void show(const char *what, struct pollfd *p, int n)
{
	say("%s:", what);
	for (int i = 0; i < n; i++)
		say(" %#x", p[i].revents);
	say("\n");
}

/* fdsize prints FDSize from /proc/self/status. */
static void fdsize(void)
{
	char line[128];
	FILE *f = fopen("/proc/self/status", "r");
	if (!f)
		return;
	while (fgets(line, sizeof line, f))
		if (strncmp(line, "FDSize:", 7) == 0)
			say("%s", line);
	fclose(f);
}

/* selectfd selects fd alone for reading, without waiting. */
static void selectfd(int fd)
{
	fd_set rd;
	struct timeval tv = { 0, 0 };
	FD_ZERO(&rd);
	FD_SET(fd, &rd);
	say("select(%d) on closed fd %d: ", fd + 1, fd);
	CHECK(select(fd + 1, &rd, NULL, NULL, &tv));
}

/* fdtable shows that select looks only as far as the fd table reaches
 * (core_sys_select clamps nfds to max_fds), which starts at 64 slots and
 * grows to the next power of two above the highest fd ever installed.
 * The table a process starts with is its parent's, so the check runs in a
 * grandchild forked when only 0, 1 and 2 are open. */
static void fdtable(void)
{
	pid_t k = fork();
	if (k == 0) {
		for (int fd = 3; fd < 1024; fd++)
			close(fd);
		pid_t g = fork();
		if (g == 0) {
			fdsize();
			selectfd(77);
			MUST(dup2(0, 100));
			close(100);
			fdsize();
			selectfd(77);
			selectfd(100);
			selectfd(200);
			_exit(0);
		}
		_exit(reap(g));
	}
	say("fd table child: %d\n", reap(k));
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	int p[2], q[2];
	MUST(pipe(p));
	MUST(pipe(q));
	write_file("/tmp/poll-file", "x");
	int f = open("/tmp/poll-file", O_RDWR);

	struct pollfd fds[6] = {
		{ p[0], POLLIN | POLLPRI, 0 },
		{ p[1], POLLOUT, 0 },
		{ f, POLLIN | POLLOUT, 0 },
		{ 99, POLLIN, 0 },
		{ -1, POLLIN, 0 },
		{ q[0], 0, 0 },
	};
	CHECK(poll(fds, 6, 0));
	show("empty pipe", fds, 6);
	write(p[1], "hi", 2);
	CHECK(poll(fds, 6, 0));
	show("data", fds, 6);
	close(q[1]);
	CHECK(poll(fds, 6, 0));
	show("q writer closed, no events asked", fds, 6);
	/* A full pipe is not writable; a pipe whose reader went is. */
	int r[2];
	pipe2(r, O_NONBLOCK);
	char big[4096];
	memset(big, 'x', sizeof big);
	while (write(r[1], big, sizeof big) > 0)
		;
	struct pollfd w = { r[1], POLLOUT, 0 };
	CHECK(poll(&w, 1, 0));
	close(r[0]);
	CHECK(poll(&w, 1, 0));
	say("reader gone: %#x\n", w.revents);
	close(r[1]);

	/* Timeouts: zero returns at once, a short one waits. */
	char c[4];
	read(p[0], c, 2);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK(poll(fds, 1, 50));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	say("waited at least 50 ms: %d\n", ms >= 50);

	/* A writer in another process wakes a blocked poll. */
	pid_t k = fork();
	if (k == 0) {
		msleep(30);
		write(p[1], "z", 1);
		_exit(0);
	}
	CHECK(poll(fds, 1, 5000));
	say("woken: %#x\n", fds[0].revents);
	waitpid(k, NULL, 0);
	read(p[0], c, 1);

	/* poll's errors. */
	CHECK(poll(badptr(), 1, 0));
	volatile nfds_t huge = 1 << 30;
	CHECK(poll(fds, huge, 0));
	CHECK(poll(NULL, 0, 0));

	/* ppoll: the timespec and the mask. */
	struct timespec ts = { 0, 20000000 };
	CHECK(ppoll(fds, 1, &ts, NULL));
	ts.tv_nsec = 2000000000;
	CHECK(ppoll(fds, 1, &ts, NULL));

	/* A blocked signal that ppoll's mask lets in interrupts it, even with
	 * SA_RESTART, and the handler runs before ppoll returns. */
	struct sigaction sa = { 0 };
	sa.sa_handler = handler;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR1, &sa, NULL);
	sigset_t block, none;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigemptyset(&none);
	sigprocmask(SIG_BLOCK, &block, NULL);
	raise(SIGUSR1);
	say("blocked, not handled: %d\n", hits);
	CHECK(ppoll(fds, 1, NULL, &none));
	say("handled during ppoll: %d\n", hits);
	sigset_t cur;
	sigprocmask(SIG_SETMASK, NULL, &cur);
	say("mask restored: %d\n", sigismember(&cur, SIGUSR1));
	sigprocmask(SIG_UNBLOCK, &block, NULL);

	/* Plain poll interrupted: EINTR despite SA_RESTART. */
	k = pester(SIGUSR1);
	CHECK(poll(fds, 1, 5000));
	waitpid(k, NULL, 0);

	/* select: sets in, sets out, the time left. */
	fd_set rd, wr, ex;
	FD_ZERO(&rd);
	FD_ZERO(&wr);
	FD_ZERO(&ex);
	FD_SET(p[0], &rd);
	FD_SET(p[1], &wr);
	FD_SET(f, &rd);
	FD_SET(p[0], &ex);
	struct timeval tv = { 1, 0 };
	int n = select(f + 1, &rd, &wr, &ex, &tv);
	say("select = %d: p0 %d p1 %d f %d ex %d, time left under 1 s %d\n", n, FD_ISSET(p[0], &rd), FD_ISSET(p[1], &wr), FD_ISSET(f, &rd), FD_ISSET(p[0], &ex), tv.tv_sec == 0 || tv.tv_usec != 0 ? 1 : 0);
	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	tv.tv_sec = 0;
	tv.tv_usec = 30000;
	n = select(p[0] + 1, &rd, NULL, NULL, &tv);
	say("select timeout = %d, left %ld.%06ld, set %d\n", n, (long)tv.tv_sec, (long)tv.tv_usec, FD_ISSET(p[0], &rd));
	/* A closed descriptor below 64, where every fd table reaches. */
	close(60);
	FD_ZERO(&rd);
	FD_SET(60, &rd);
	tv.tv_sec = 0;
	tv.tv_usec = 0;
	CHECK(select(61, &rd, NULL, NULL, &tv));
	fdtable();
	CHECK(select(-1, NULL, NULL, NULL, &tv));
	tv.tv_usec = 2000000;
	CHECK(select(1, NULL, NULL, NULL, &tv));
	tv.tv_sec = 0;
	tv.tv_usec = 10000;
	CHECK(select(0, NULL, NULL, NULL, &tv));
	CHECK(select(1, badptr(), NULL, NULL, NULL));

	/* pselect with a mask, as ppoll. */
	sigprocmask(SIG_BLOCK, &block, NULL);
	hits = 0;
	raise(SIGUSR1);
	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	CHECK(pselect(p[0] + 1, &rd, NULL, NULL, NULL, &none));
	say("handled during pselect: %d\n", hits);
	struct timespec pts = { 0, 10000000 };
	CHECK(pselect(p[0] + 1, &rd, NULL, NULL, &pts, &block));
	return 0;
}
