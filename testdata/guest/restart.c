/* restart: a blocking call interrupted by a handled signal returns EINTR,
 * or restarts under SA_RESTART, call by call as Linux does; nanosleep
 * reports the time left; interval timers (ITIMER_REAL, VIRTUAL, PROF),
 * alarm, and POSIX timers with SIGEV_SIGNAL and SIGEV_THREAD_ID. */
#include "guest.h"
#include <signal.h>
#include <sys/time.h>
#include <sys/wait.h>

static volatile int hits, last_sig, last_code, last_value;
static void handler(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	hits++;
	last_sig = sig;
	last_code = si->si_code;
	last_value = si->si_value.sival_int;
}

static void on(int sig, int flags)
{
	struct sigaction sa = { 0 };
	sa.sa_sigaction = handler;
	sa.sa_flags = SA_SIGINFO | flags;
	MUST(sigaction(sig, &sa, NULL));
}

/* poke starts a child that sends sig to us five times, ms milliseconds
 * apart, and then, if data is set, writes it to fd. Several signals make
 * sure that one arrives while we are blocked, however late we get there. */
static pid_t poke(int sig, int ms, int fd, const char *data)
{
	pid_t me = getpid();
	pid_t p = fork();
	if (p == 0) {
		for (int i = 0; i < 5; i++) {
			msleep(ms);
			kill(me, sig);
		}
		if (data) {
			msleep(ms);
			write(fd, data, strlen(data));
		}
		_exit(0);
	}
	return p;
}

/* block_sig blocks sig until wait_hits, which waits with sigsuspend until
 * the handler has run n times in all: between the test of the count and
 * the wait no signal can slip by, as it could before a pause(). */
static sigset_t before;
static void block_sig(int sig)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, sig);
	sigprocmask(SIG_BLOCK, &s, &before);
}

static void wait_hits(int n)
{
	while (hits < n)
		sigsuspend(&before);
	sigprocmask(SIG_SETMASK, &before, NULL);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	int p[2];
	char buf[16];
	MUST(pipe(p));

	/* read on an empty pipe: EINTR without SA_RESTART... */
	on(SIGUSR1, 0);
	pid_t c = poke(SIGUSR1, 30, p[1], "late");
	CHECK(read(p[0], buf, sizeof buf));
	say("handled: %d\n", hits > 0);
	reap(c);
	CHECK(read(p[0], buf, sizeof buf));

	/* ...and a restarted read that gets the data with it. */
	on(SIGUSR1, SA_RESTART);
	c = poke(SIGUSR1, 30, p[1], "data");
	memset(buf, 0, sizeof buf);
	CHECK(read(p[0], buf, sizeof buf));
	say("read \"%s\", handled %d\n", buf, hits > 1);
	reap(c);

	/* wait4 restarts too; nanosleep never does and tells the time left. */
	c = fork();
	if (c == 0) {
		msleep(300);
		_exit(4);
	}
	hits = 0;
	pid_t pk = poke(SIGUSR1, 20, -1, NULL);
	int st;
	CHECK(waitpid(c, &st, 0) == c);
	say("child status %d, handled %d\n", WEXITSTATUS(st), hits > 0);
	reap(pk);
	c = poke(SIGUSR1, 30, -1, NULL);
	struct timespec req = { 5, 0 }, rem = { 0, 0 };
	CHECK(nanosleep(&req, &rem));
	say("time left between 4 and 5 s: %d\n", rem.tv_sec == 4 && rem.tv_nsec > 0);
	reap(c);

	/* A blocked signal does not interrupt; an ignored one neither. */
	signal(SIGUSR2, SIG_IGN);
	c = poke(SIGUSR2, 20, p[1], "ign");
	memset(buf, 0, sizeof buf);
	on(SIGUSR1, 0);
	CHECK(read(p[0], buf, sizeof buf));
	say("read \"%s\" through an ignored signal\n", buf);
	reap(c);

	/* pause and sigsuspend always return EINTR. */
	c = poke(SIGUSR1, 20, -1, NULL);
	CHECK(pause());
	reap(c);

	/* alarm: the time left of the previous one comes back. */
	on(SIGALRM, 0);
	CHECK(alarm(10));
	say("alarm left %u\n", alarm(0));
	hits = 0;
	block_sig(SIGALRM);
	alarm(1);
	wait_hits(1);
	say("alarm fired: sig %d code %d (SI_KERNEL %d)\n", last_sig, last_code, SI_KERNEL);

	/* ITIMER_REAL fires repeatedly at its interval. */
	struct itimerval it = { { 0, 20000 }, { 0, 20000 } }, old;
	hits = 0;
	block_sig(SIGALRM);
	CHECK(setitimer(ITIMER_REAL, &it, NULL));
	wait_hits(3);
	CHECK(getitimer(ITIMER_REAL, &old));
	say("interval kept %ld us, value within it %d\n", (long)old.it_interval.tv_usec, old.it_value.tv_usec <= 20000);
	memset(&it, 0, sizeof it);
	CHECK(setitimer(ITIMER_REAL, &it, &old));
	say("old interval %ld\n", (long)old.it_interval.tv_usec);
	CHECK(getitimer(ITIMER_REAL, &old));
	say("disarmed: %ld %ld\n", (long)old.it_value.tv_sec, (long)old.it_value.tv_usec);
	CHECK(getitimer(7, &old));
	it.it_value.tv_usec = 2000000;
	CHECK(setitimer(ITIMER_REAL, &it, NULL));

	/* ITIMER_VIRTUAL and ITIMER_PROF count CPU time: spin until they
	 * fire. */
	on(SIGVTALRM, 0);
	on(SIGPROF, 0);
	struct itimerval cpu = { { 0, 0 }, { 0, 50000 } };
	hits = 0;
	CHECK(setitimer(ITIMER_VIRTUAL, &cpu, NULL));
	CHECK(setitimer(ITIMER_PROF, &cpu, NULL));
	volatile unsigned long spin = 0;
	while (hits < 2)
		spin++;
	say("cpu timers fired: %d\n", hits >= 2);

	/* POSIX timers. */
	timer_t t;
	struct sigevent sev = { 0 };
	sev.sigev_notify = SIGEV_SIGNAL;
	sev.sigev_signo = SIGRTMIN;
	sev.sigev_value.sival_int = 77;
	on(SIGRTMIN, 0);
	CHECK(timer_create(CLOCK_MONOTONIC, &sev, &t));
	struct itimerspec its = { { 0, 0 }, { 0, 20000000 } }, oits;
	hits = 0;
	block_sig(SIGRTMIN);
	CHECK(timer_settime(t, 0, &its, NULL));
	CHECK(timer_gettime(t, &oits));
	say("armed: remaining within 20 ms %d\n", oits.it_value.tv_sec == 0 && oits.it_value.tv_nsec > 0 && oits.it_value.tv_nsec <= 20000000);
	wait_hits(1);
	say("timer: sig ok %d code %d (SI_TIMER %d) value %d\n", last_sig == SIGRTMIN, last_code, SI_TIMER, last_value);
	CHECK(timer_gettime(t, &oits));
	say("expired: %ld %ld\n", (long)oits.it_value.tv_sec, oits.it_value.tv_nsec);
	/* Overruns: a blocked periodic timer fires once, counting the rest. */
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGRTMIN);
	sigprocmask(SIG_BLOCK, &s, NULL);
	its.it_interval.tv_nsec = 5000000;
	its.it_value.tv_nsec = 5000000;
	CHECK(timer_settime(t, 0, &its, NULL));
	msleep(60);
	siginfo_t si;
	CHECK(sigwaitinfo(&s, &si) == SIGRTMIN);
	say("overrun several: %d, getoverrun matches %d\n", si.si_overrun >= 3, timer_getoverrun(t) >= 0);
	memset(&its, 0, sizeof its);
	CHECK(timer_settime(t, 0, &its, NULL));
	sigprocmask(SIG_UNBLOCK, &s, NULL);
	/* An absolute expiry in the past fires at once. */
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	its.it_value = now;
	hits = 0;
	block_sig(SIGRTMIN);
	CHECK(timer_settime(t, TIMER_ABSTIME, &its, NULL));
	sigpending(&s);
	say("pending as timer_settime returns: %d\n", sigismember(&s, SIGRTMIN));
	wait_hits(1);
	say("past absolute fired\n");
	CHECK(timer_delete(t));
	CHECK(timer_delete(t));
	CHECK(timer_settime(t, 0, &its, NULL));
	CHECK(syscall(SYS_timer_create, 99, NULL, &t));

	/* SIGEV_THREAD_ID names the thread that gets the signal. The
	 * kernel's struct sigevent, as include/uapi/asm-generic/siginfo.h
	 * lays it out. */
	struct {
		union sigval value;
		int signo, notify, tid, pad[11];
	} ksev = { { .sival_int = 5 }, SIGRTMIN, 4 /* SIGEV_THREAD_ID */, 0, { 0 } };
	ksev.tid = syscall(SYS_gettid);
	int kt;
	CHECK(syscall(SYS_timer_create, CLOCK_REALTIME, &ksev, &kt));
	its.it_value.tv_sec = 0;
	its.it_value.tv_nsec = 1000000;
	hits = 0;
	block_sig(SIGRTMIN);
	CHECK(syscall(SYS_timer_settime, kt, 0, &its, NULL));
	wait_hits(1);
	say("thread timer value %d\n", last_value);
	ksev.tid = 999999;
	CHECK(syscall(SYS_timer_create, CLOCK_REALTIME, &ksev, &kt));
	ksev.notify = 99;
	CHECK(syscall(SYS_timer_create, CLOCK_REALTIME, &ksev, &kt));
	return 0;
}
