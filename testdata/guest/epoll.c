/* epoll: level- and edge-triggered readiness, EPOLLONESHOT, the interest
 * list's rules (EEXIST, ENOENT, EPERM, EINVAL, ELOOP), closing and dup'ing
 * watched descriptors, nested epoll, epoll_pwait's mask and timeouts. */
#include "guest.h"
#include <signal.h>
#include <sys/epoll.h>
#include <sys/wait.h>

static int wait_show(int ep, int timeout)
{
	struct epoll_event ev[8];
	int n = epoll_wait(ep, ev, 8, timeout);
	if (n < 0) {
		say("epoll_wait = -1 %s\n", errname(errno));
		return n;
	}
	say("epoll_wait = %d:", n);
	for (int i = 0; i < n; i++)
		say(" [%lu %#x]", (unsigned long)ev[i].data.u64, ev[i].events);
	say("\n");
	return n;
}

static volatile int hits;
static void handler(int sig)
{
	(void)sig;
	hits++;
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	int p[2], q[2];
	MUST(pipe(p));
	MUST(pipe(q));
	int ep = epoll_create1(EPOLL_CLOEXEC);
	MUST(ep);
	say("cloexec %d\n", fcntl(ep, F_GETFD) & FD_CLOEXEC);

	struct epoll_event ev = { 0 };
	ev.events = EPOLLIN;
	ev.data.u64 = 1;
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
	ev.events = EPOLLOUT;
	ev.data.u64 = 2;
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &ev));
	wait_show(ep, 0);

	/* Level-triggered: reported while readable. */
	write(p[1], "abc", 3);
	wait_show(ep, 0);
	wait_show(ep, 0);

	/* Edge-triggered: reported once per change. */
	ev.events = EPOLLIN | EPOLLET;
	ev.data.u64 = 3;
	CHECK(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev));
	CHECK(epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL));
	wait_show(ep, 0);
	wait_show(ep, 0);
	write(p[1], "d", 1);
	wait_show(ep, 0);
	char buf[16];
	read(p[0], buf, 1); /* POLLOUT news does not wake an EPOLLIN edge item */
	wait_show(ep, 0);
	read(p[0], buf, sizeof buf);

	/* One-shot: disabled after one report until re-armed with MOD. */
	ev.events = EPOLLIN | EPOLLONESHOT;
	ev.data.u64 = 4;
	CHECK(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev));
	write(p[1], "e", 1);
	wait_show(ep, 0);
	wait_show(ep, 0);
	write(p[1], "f", 1);
	wait_show(ep, 0);
	CHECK(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev));
	wait_show(ep, 0);
	read(p[0], buf, sizeof buf);

	/* Hang-up is always reported. */
	ev.events = EPOLLIN;
	ev.data.u64 = 5;
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, q[0], &ev));
	close(q[1]);
	wait_show(ep, 0);
	CHECK(epoll_ctl(ep, EPOLL_CTL_DEL, q[0], NULL));

	/* The interest list's errors. */
	write_file("/tmp/epoll-file", "x");
	int f = open("/tmp/epoll-file", O_RDONLY);
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, f, &ev));
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, ep, &ev));
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, 99, &ev));
	CHECK(epoll_ctl(99, EPOLL_CTL_ADD, p[0], &ev));
	CHECK(epoll_ctl(f, EPOLL_CTL_ADD, p[0], &ev));
	CHECK(epoll_ctl(ep, EPOLL_CTL_MOD, q[0], &ev));
	CHECK(epoll_ctl(ep, EPOLL_CTL_DEL, q[0], NULL));
	CHECK(epoll_ctl(ep, 99, p[0], &ev));
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, q[0], badptr()));
	CHECK(epoll_create1(99));
	CHECK(epoll_create(0));
	struct epoll_event out[2];
	CHECK(epoll_wait(ep, out, 0, 0));
	CHECK(epoll_wait(p[0], out, 2, 0));
	CHECK(epoll_wait(ep, badptr(), 2, 0));

	/* Nested: an epoll instance watched by another; adding the outer one
	 * to the inner one would make a loop. */
	int outer = epoll_create1(0);
	ev.events = EPOLLIN;
	ev.data.u64 = 6;
	CHECK(epoll_ctl(outer, EPOLL_CTL_ADD, ep, &ev));
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, outer, &ev));
	wait_show(outer, 0);
	write(p[1], "g", 1);
	wait_show(outer, 0);
	read(p[0], buf, sizeof buf);

	/* A watched fd closed while a dup lives on stays watched; closed for
	 * good, it leaves the interest list. */
	int r[2];
	pipe(r);
	ev.data.u64 = 7;
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, r[0], &ev));
	int d = dup(r[0]);
	close(r[0]);
	write(r[1], "h", 1);
	wait_show(ep, 0);
	close(d);
	wait_show(ep, 0);
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, r[1], &ev) == 0 ? 0 : -1);
	close(r[1]);

	/* Timeouts and a writer in another process. */
	CHECK(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));
	ev.data.u64 = 8;
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
	wait_show(ep, 30);
	pid_t k = fork();
	if (k == 0) {
		msleep(30);
		write(p[1], "i", 1);
		_exit(0);
	}
	wait_show(ep, 5000);
	waitpid(k, NULL, 0);
	read(p[0], buf, sizeof buf);

	/* epoll_wait is interrupted (EINTR) even under SA_RESTART; epoll_pwait
	 * lets a blocked signal in for the wait. */
	struct sigaction sa = { 0 };
	sa.sa_handler = handler;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR1, &sa, NULL);
	k = pester(SIGUSR1);
	wait_show(ep, 5000);
	waitpid(k, NULL, 0);
	sigset_t block, none;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigemptyset(&none);
	sigprocmask(SIG_BLOCK, &block, NULL);
	hits = 0;
	raise(SIGUSR1);
	CHECK(epoll_pwait(ep, out, 2, 5000, &none));
	say("handled %d\n", hits);
	return 0;
}
