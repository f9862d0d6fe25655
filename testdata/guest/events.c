/* events: eventfd (counter and semaphore modes, limits, blocking),
 * timerfd (relative, absolute and periodic timers, expiration counts,
 * gettime) and signalfd (reading queued signals as signalfd_siginfo,
 * changing the mask, readiness). */
#include "guest.h"
#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/wait.h>

static int readable(int fd)
{
	struct pollfd p = { fd, POLLIN | POLLOUT, 0 };
	poll(&p, 1, 0);
	return p.revents;
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	uint64_t v;

	/* eventfd: a counter. */
	int e = eventfd(3, EFD_NONBLOCK | EFD_CLOEXEC);
	MUST(e);
	say("cloexec %d nonblock %d\n", fcntl(e, F_GETFD) & FD_CLOEXEC, !!(fcntl(e, F_GETFL) & O_NONBLOCK));
	say("readiness %#x\n", readable(e));
	v = 4;
	CHECK(write(e, &v, 8));
	CHECK(read(e, &v, 8));
	say("read %llu\n", (unsigned long long)v);
	CHECK(read(e, &v, 8));
	say("readiness empty %#x\n", readable(e));
	CHECK(read(e, &v, 4));
	CHECK(write(e, &v, 4));
	v = ~0ULL;
	CHECK(write(e, &v, 8));
	v = ~0ULL - 1;
	CHECK(write(e, &v, 8));
	say("readiness full %#x\n", readable(e));
	v = 1;
	CHECK(write(e, &v, 8));
	uint64_t two[2];
	CHECK(read(e, two, sizeof two));
	say("read %#llx\n", (unsigned long long)two[0]);
	CHECK(lseek(e, 0, SEEK_SET));
	close(e);
	CHECK(eventfd(0, 0x1234));

	/* Semaphore mode: each read takes one. */
	e = eventfd(2, EFD_SEMAPHORE | EFD_NONBLOCK);
	CHECK(read(e, &v, 8));
	say("sem read %llu\n", (unsigned long long)v);
	CHECK(read(e, &v, 8));
	CHECK(read(e, &v, 8));
	close(e);

	/* A blocking read woken by a write from another process. */
	e = eventfd(0, 0);
	pid_t k = fork();
	if (k == 0) {
		msleep(30);
		uint64_t one = 7;
		write(e, &one, 8);
		_exit(0);
	}
	CHECK(read(e, &v, 8));
	say("woken with %llu\n", (unsigned long long)v);
	waitpid(k, NULL, 0);
	close(e);

	/* timerfd: relative one-shot. Not ready before the expiry (a timer
	 * ten seconds away, which no load delays us past), ready after it. */
	int t = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
	MUST(t);
	CHECK(read(t, &v, 8));
	struct itimerspec its = { { 0, 0 }, { 10, 0 } }, cur;
	CHECK(timerfd_settime(t, 0, &its, NULL));
	CHECK(timerfd_gettime(t, &cur));
	long long left = cur.it_value.tv_sec * 1000000000LL + cur.it_value.tv_nsec;
	say("armed, within 10 s: %d\n", left > 0 && left <= 10000000000LL);
	say("readiness before %#x\n", readable(t));
	its.it_value.tv_sec = 0;
	its.it_value.tv_nsec = 20000000;
	CHECK(timerfd_settime(t, 0, &its, NULL));
	msleep(40);
	say("readiness after %#x\n", readable(t));
	CHECK(read(t, &v, 8));
	say("expirations %llu\n", (unsigned long long)v);
	CHECK(read(t, &v, 8));
	CHECK(timerfd_gettime(t, &cur));
	say("disarmed: %ld %ld\n", (long)cur.it_value.tv_sec, cur.it_value.tv_nsec);

	/* Periodic: several expirations accumulate between reads; at 10,
	 * 20, 30, 40 and 50 ms at least, however late the reader is. */
	its.it_interval.tv_nsec = 10000000;
	its.it_value.tv_nsec = 10000000;
	CHECK(timerfd_settime(t, 0, &its, NULL));
	msleep(55);
	CHECK(read(t, &v, 8) == 8);
	say("several expirations: %d\n", v >= 5);
	struct itimerspec old;
	memset(&its, 0, sizeof its);
	CHECK(timerfd_settime(t, 0, &its, &old));
	say("old interval %ld\n", old.it_interval.tv_nsec);

	/* Absolute, already past: expired at once. */
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	its.it_value = now;
	CHECK(timerfd_settime(t, TFD_TIMER_ABSTIME, &its, NULL));
	CHECK(read(t, &v, 8));
	say("past absolute: %llu\n", (unsigned long long)v);
	CHECK(read(t, &v, 4));
	its.it_value.tv_nsec = 2000000000;
	CHECK(timerfd_settime(t, 0, &its, NULL));
	CHECK(timerfd_settime(t, 99, &its, NULL));
	CHECK(timerfd_create(CLOCK_PROCESS_CPUTIME_ID, 0));
	CHECK(timerfd_create(CLOCK_MONOTONIC, 0x4000));
	CHECK(timerfd_gettime(0, &cur));
	close(t);

	/* A blocking read waits for the expiry. */
	t = timerfd_create(CLOCK_REALTIME, 0);
	its.it_value.tv_sec = 0;
	its.it_value.tv_nsec = 20000000;
	timerfd_settime(t, 0, &its, NULL);
	CHECK(read(t, &v, 8));
	say("blocking read %llu\n", (unsigned long long)v);
	close(t);

	/* signalfd: blocked signals read as records. */
	sigset_t m;
	sigemptyset(&m);
	sigaddset(&m, SIGUSR1);
	sigaddset(&m, SIGRTMIN);
	sigprocmask(SIG_BLOCK, &m, NULL);
	int s = signalfd(-1, &m, SFD_NONBLOCK | SFD_CLOEXEC);
	MUST(s);
	struct signalfd_siginfo si;
	CHECK(read(s, &si, sizeof si));
	say("readiness empty %#x\n", readable(s));
	kill(getpid(), SIGUSR1);
	union sigval sv = { .sival_int = 42 };
	sigqueue(getpid(), SIGRTMIN, sv);
	say("readiness %#x\n", readable(s));
	CHECK(read(s, &si, sizeof si));
	say("signo %u code %d pid ok %d uid %u\n", si.ssi_signo, si.ssi_code, si.ssi_pid == (uint32_t)getpid(), si.ssi_uid);
	CHECK(read(s, &si, sizeof si));
	say("signo rtmin %d code %d int %d\n", si.ssi_signo == (uint32_t)SIGRTMIN, si.ssi_code, si.ssi_int);
	CHECK(read(s, &si, 100));
	/* A child's exit, read as SIGCHLD. */
	sigaddset(&m, SIGCHLD);
	sigprocmask(SIG_BLOCK, &m, NULL);
	CHECK(signalfd(s, &m, 0));
	k = fork();
	if (k == 0)
		_exit(9);
	struct pollfd pf = { s, POLLIN, 0 };
	CHECK(poll(&pf, 1, 5000));
	CHECK(read(s, &si, sizeof si));
	say("SIGCHLD %d code %d status %d pid ok %d\n", si.ssi_signo == SIGCHLD, si.ssi_code, si.ssi_status, si.ssi_pid == (uint32_t)k);
	waitpid(k, NULL, 0);
	/* Two records in one read. */
	raise(SIGUSR1);
	sv.sival_int = 5;
	sigqueue(getpid(), SIGRTMIN, sv);
	struct signalfd_siginfo recs[2];
	CHECK(read(s, recs, sizeof recs));
	CHECK(signalfd(0, &m, 0));
	CHECK(signalfd(-1, &m, 0x1234));
	CHECK(syscall(SYS_signalfd4, -1, &m, 4, 0));
	close(s);
	return 0;
}
