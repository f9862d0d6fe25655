/* signals: sigaction, masks, delivery order, queueing of real-time
 * signals, siginfo contents, SA_NODEFER, SA_RESETHAND, sigpending,
 * sigsuspend, sigtimedwait, default actions and SIGPIPE. */
#include "guest.h"
#include <signal.h>
#include <sys/wait.h>

static volatile int order[64], norder;
static volatile int seen_code, seen_pid_ok, seen_value, blocked_inside;

static void record(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	order[norder++] = sig;
	seen_code = si->si_code;
	seen_pid_ok = si->si_pid == getpid();
	seen_value = si->si_value.sival_int;
	sigset_t cur;
	sigprocmask(SIG_BLOCK, NULL, &cur);
	blocked_inside = sigismember(&cur, sig);
}

static void show_order(const char *what)
{
	say("%s:", what);
	for (int i = 0; i < norder; i++)
		say(" %d", order[i]);
	say("\n");
	norder = 0;
}

static int depth, maxdepth, calls;
static void nested(int sig)
{
	(void)sig;
	depth++;
	calls++;
	if (depth > maxdepth)
		maxdepth = depth;
	if (calls < 3)
		raise(SIGUSR2);
	depth--;
}

static void install(int sig, int flags)
{
	struct sigaction sa = { 0 };
	sa.sa_sigaction = record;
	sa.sa_flags = SA_SIGINFO | flags;
	MUST(sigaction(sig, &sa, NULL));
}

/* child_status runs fn in a child and prints how the child ended. */
static void child_status(const char *what, void (*fn)(void))
{
	pid_t p = fork();
	if (p == 0) {
		fn();
		_exit(0);
	}
	int st;
	waitpid(p, &st, 0);
	if (WIFSIGNALED(st))
		say("%s: killed by %d\n", what, WTERMSIG(st));
	else
		say("%s: exited %d\n", what, WEXITSTATUS(st));
}

static void resethand(void)
{
	install(SIGUSR1, SA_RESETHAND);
	raise(SIGUSR1);
	say("resethand: first handled, order %d\n", order[0]);
	struct sigaction old;
	sigaction(SIGUSR1, NULL, &old);
	say("resethand: now default %d\n", old.sa_handler == SIG_DFL);
	fflush(stdout);
	raise(SIGUSR1);
}

static void sigpipe_default(void)
{
	int p[2];
	pipe(p);
	close(p[0]);
	write(p[1], "x", 1);
}

static void ignored(void)
{
	signal(SIGTERM, SIG_IGN);
	raise(SIGTERM);
	signal(SIGCHLD, SIG_DFL);
	raise(SIGCHLD);
	raise(SIGURG);
	raise(SIGWINCH);
	raise(SIGCONT);
}

static void blocked_fatal(void)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGTERM);
	sigprocmask(SIG_BLOCK, &s, NULL);
	raise(SIGTERM);
	say("blocked SIGTERM survived\n");
	fflush(stdout);
	sigprocmask(SIG_UNBLOCK, &s, NULL);
	say("not reached\n");
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	struct sigaction sa, old;
	int got;

	/* sigaction's errors and what it reports back. */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_IGN;
	CHECK(sigaction(SIGKILL, &sa, NULL));
	CHECK(sigaction(SIGSTOP, &sa, NULL));
	CHECK(sigaction(SIGKILL, NULL, &old));
	CHECK(sigaction(0, &sa, NULL));
	CHECK(syscall(SYS_rt_sigaction, 65, NULL, &old, 8));
	CHECK(syscall(SYS_rt_sigaction, SIGUSR1, NULL, &old, 4));
	CHECK(syscall(SYS_rt_sigaction, SIGUSR1, badptr(), NULL, 8));
	CHECK(syscall(SYS_rt_sigprocmask, 7, NULL, NULL, 8));
	CHECK(syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, NULL, 16));
	install(SIGUSR1, SA_RESTART);
	sigaction(SIGUSR1, NULL, &old);
	say("flags back: siginfo %d restart %d\n", !!(old.sa_flags & SA_SIGINFO), !!(old.sa_flags & SA_RESTART));

	/* SIGKILL and SIGSTOP cannot be blocked. */
	sigset_t all, cur;
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	sigprocmask(SIG_SETMASK, NULL, &cur);
	say("KILL blocked %d STOP blocked %d USR1 blocked %d\n", sigismember(&cur, SIGKILL), sigismember(&cur, SIGSTOP), sigismember(&cur, SIGUSR1));

	/* Pending blocked signals come out lowest number first, standard
	 * signals once, real-time ones once per send and in order. */
	install(SIGUSR2, 0);
	install(SIGHUP, 0);
	install(SIGRTMIN, 0);
	install(SIGRTMIN + 1, 0);
	raise(SIGUSR2);
	raise(SIGUSR2);
	raise(SIGHUP);
	union sigval v;
	for (int i = 0; i < 3; i++) {
		v.sival_int = 10 + i;
		sigqueue(getpid(), SIGRTMIN + 1, v);
	}
	v.sival_int = 7;
	sigqueue(getpid(), SIGRTMIN, v);
	sigpending(&cur);
	say("pending USR2 %d HUP %d RTMIN %d USR1 %d\n", sigismember(&cur, SIGUSR2), sigismember(&cur, SIGHUP), sigismember(&cur, SIGRTMIN), sigismember(&cur, SIGUSR1));
	say("nothing delivered while blocked: %d\n", norder);
	sigprocmask(SIG_SETMASK, &cur, NULL);
	sigemptyset(&cur);
	sigprocmask(SIG_SETMASK, &cur, NULL);
	say("last value %d code %d (SI_QUEUE %d)\n", seen_value, seen_code, SI_QUEUE);
	for (int i = 0; i < norder; i++)
		order[i] = order[i] >= SIGRTMIN ? 100 + order[i] - SIGRTMIN : order[i];
	show_order("order");

	/* siginfo of raise and kill. */
	raise(SIGUSR1);
	say("raise: code %d (SI_TKILL %d) pid ok %d blocked inside %d\n", seen_code, SI_TKILL, seen_pid_ok, blocked_inside);
	kill(getpid(), SIGUSR1);
	say("kill: code %d (SI_USER %d) pid ok %d\n", seen_code, SI_USER, seen_pid_ok);
	install(SIGUSR1, SA_NODEFER);
	raise(SIGUSR1);
	say("nodefer: blocked inside %d\n", blocked_inside);
	norder = 0;

	/* sa_mask blocks more signals inside the handler. */
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = record;
	sa.sa_flags = SA_SIGINFO;
	sigaddset(&sa.sa_mask, SIGHUP);
	sigaction(SIGUSR1, &sa, NULL);
	raise(SIGUSR1);
	say("mask restored after handler: ");
	sigprocmask(SIG_SETMASK, NULL, &cur);
	say("%d\n", sigismember(&cur, SIGUSR1) || sigismember(&cur, SIGHUP));
	norder = 0;

	/* A handler interrupted by its own signal only with SA_NODEFER. */
	signal(SIGUSR2, nested);
	raise(SIGUSR2);
	say("nested without NODEFER: depth %d calls %d\n", maxdepth, calls);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = nested;
	sa.sa_flags = SA_NODEFER;
	sigaction(SIGUSR2, &sa, NULL);
	maxdepth = calls = 0;
	raise(SIGUSR2);
	say("nested with NODEFER: depth %d\n", maxdepth);

	/* sigsuspend: atomically unblock and wait. */
	install(SIGUSR1, 0);
	sigset_t block;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, NULL);
	raise(SIGUSR1);
	sigset_t none;
	sigemptyset(&none);
	got = sigsuspend(&none);
	say("sigsuspend = %d %s, handled %d\n", got, errname(errno), norder);
	sigprocmask(SIG_SETMASK, NULL, &cur);
	say("mask back after sigsuspend: %d\n", sigismember(&cur, SIGUSR1));
	norder = 0;

	/* sigtimedwait takes a blocked signal without running its handler. */
	raise(SIGUSR1);
	siginfo_t si;
	struct timespec ts = { 0, 0 };
	got = sigtimedwait(&block, &si, &ts);
	say("sigtimedwait = %d (USR1 %d), handled %d, code %d\n", got, SIGUSR1, norder, si.si_code);
	CHECK(sigtimedwait(&block, &si, &ts));
	ts.tv_nsec = 20000000;
	CHECK(sigtimedwait(&block, &si, &ts));
	ts.tv_nsec = 2000000000;
	CHECK(sigtimedwait(&block, &si, &ts));
	ts.tv_nsec = 1000;
	CHECK(sigtimedwait(&none, &si, &ts));
	sigprocmask(SIG_UNBLOCK, &block, NULL);

	/* kill's errors. */
	CHECK(kill(getpid(), 0));
	CHECK(kill(getpid(), 65));
	CHECK(kill(999999, SIGUSR1));
	CHECK(kill(-999999, SIGUSR1));
	CHECK(syscall(SYS_tgkill, getpid(), getpid() + 1000000, 0));
	CHECK(syscall(SYS_tgkill, getpid() + 1, getpid(), 0));
	CHECK(syscall(SYS_tgkill, 0, getpid(), 0));
	CHECK(syscall(SYS_tkill, -1, SIGUSR1));
	si.si_code = SI_KERNEL;
	CHECK(syscall(SYS_rt_sigqueueinfo, getpid(), SIGUSR1, &si));
	si.si_code = SI_QUEUE;
	CHECK(syscall(SYS_rt_sigqueueinfo, getpid(), SIGUSR1, &si));

	/* Default actions, seen from the parent. */
	child_status("resethand", resethand);
	child_status("sigpipe", sigpipe_default);
	child_status("ignored", ignored);
	child_status("blocked fatal", blocked_fatal);
	signal(SIGPIPE, SIG_IGN);
	int p[2];
	pipe(p);
	close(p[0]);
	CHECK(write(p[1], "x", 1));
	return 0;
}
