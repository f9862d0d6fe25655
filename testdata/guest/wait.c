/* wait: exit statuses as wait4 and waitid report them, zombies, WNOHANG,
 * WUNTRACED, WCONTINUED, WNOWAIT, P_PGID and P_ALL, ECHILD, and orphans
 * reparented to a PR_SET_CHILD_SUBREAPER. */
#include "guest.h"
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>

/* show prints a wait status the way a shell would interpret it. */
static void show(const char *what, int st)
{
	if (WIFEXITED(st))
		say("%s: exited %d\n", what, WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		say("%s: killed by %d core %d\n", what, WTERMSIG(st), WCOREDUMP(st) ? 1 : 0);
	else if (WIFSTOPPED(st))
		say("%s: stopped by %d\n", what, WSTOPSIG(st));
	else if (WIFCONTINUED(st))
		say("%s: continued\n", what);
	else
		say("%s: status %#x\n", what, st);
}

static pid_t spawn_exit(int code)
{
	pid_t p = fork();
	if (p == 0)
		_exit(code);
	return p;
}

/* spawn_pause starts a child that waits for signals, in a process group
 * of its own: its parent, in another group of the same session, keeps the
 * group from being orphaned, so that SIGTSTP stops it. */
static pid_t spawn_pause(void)
{
	pid_t p = fork();
	if (p == 0) {
		setpgid(0, 0);
		for (;;)
			pause();
	}
	setpgid(p, p);
	return p;
}

int main(void)
{
	/* Without a core file no core is dumped and WCOREDUMP stays clear. */
	struct rlimit rl = { 0, 0 };
	setrlimit(RLIMIT_CORE, &rl);
	setvbuf(stdout, NULL, _IONBF, 0);
	int st;

	int codes[] = { 0, 1, 42, 255, 256 + 7 };
	for (int i = 0; i < 5; i++) {
		pid_t p = spawn_exit(codes[i]);
		say("wait4 matches pid %d\n", wait4(p, &st, 0, NULL) == p);
		show("exit", st);
	}

	int sigs[] = { SIGTERM, SIGKILL, SIGABRT, SIGSEGV, SIGUSR1, SIGHUP };
	for (int i = 0; i < 6; i++) {
		pid_t p = spawn_pause();
		kill(p, sigs[i]);
		waitpid(p, &st, 0);
		show("signal", st);
	}

	/* A child that raises its own fatal signal. */
	pid_t p = fork();
	if (p == 0) {
		*(volatile int *)badptr() = 1;
		_exit(0);
	}
	waitpid(p, &st, 0);
	show("null write", st);
	p = fork();
	if (p == 0) {
		abort();
	}
	waitpid(p, &st, 0);
	show("abort", st);

	/* WNOHANG on a running child, then a zombie stays until reaped. */
	p = spawn_pause();
	CHECK(waitpid(p, &st, WNOHANG));
	kill(p, SIGTERM);
	siginfo_t si;
	memset(&si, 0, sizeof si);
	CHECK(waitid(P_PID, p, &si, WEXITED | WNOWAIT));
	say("waitid: pid ok %d signo %d code %d status %d\n", si.si_pid == p, si.si_signo, si.si_code, si.si_status);
	say("zombie still there: %d\n", kill(p, 0) == 0);
	say("reaped %d\n", waitpid(p, &st, 0) == p);
	show("after WNOWAIT", st);
	CHECK(kill(p, 0));
	CHECK(waitpid(p, &st, WNOHANG));

	/* Stop and continue. */
	p = spawn_pause();
	kill(p, SIGSTOP);
	say("stopped seen %d\n", waitpid(p, &st, WUNTRACED) == p);
	show("WUNTRACED", st);
	CHECK(waitpid(p, &st, WUNTRACED | WNOHANG));
	kill(p, SIGCONT);
	say("continued seen %d\n", waitpid(p, &st, WCONTINUED) == p);
	show("WCONTINUED", st);
	memset(&si, 0, sizeof si);
	kill(p, SIGTSTP);
	CHECK(waitid(P_PID, p, &si, WSTOPPED));
	say("waitid stopped: code %d status %d\n", si.si_code, si.si_status);
	kill(p, SIGCONT);
	memset(&si, 0, sizeof si);
	CHECK(waitid(P_PID, p, &si, WCONTINUED));
	say("waitid continued: code %d status %d\n", si.si_code, si.si_status);
	kill(p, SIGKILL);
	memset(&si, 0, sizeof si);
	CHECK(waitid(P_ALL, 0, &si, WEXITED));
	say("waitid killed: code %d status %d\n", si.si_code, si.si_status);

	/* In an orphaned process group SIGTSTP is discarded, SIGSTOP is not. */
	int sync[2];
	pipe(sync);
	p = fork();
	if (p == 0) {
		setsid();
		write(sync[1], "s", 1);
		for (;;)
			pause();
	}
	char c;
	read(sync[0], &c, 1);
	kill(p, SIGTSTP);
	usleep(20000);
	CHECK(waitpid(p, &st, WUNTRACED | WNOHANG));
	kill(p, SIGSTOP);
	say("orphan SIGSTOP seen %d\n", waitpid(p, &st, WUNTRACED) == p);
	show("orphan", st);
	kill(p, SIGKILL);
	waitpid(p, NULL, 0);

	/* WNOHANG waitid with nothing ready leaves si_pid zero. */
	p = spawn_pause();
	memset(&si, 0, sizeof si);
	CHECK(waitid(P_PID, p, &si, WEXITED | WNOHANG));
	say("nothing ready: si_pid %d\n", si.si_pid);
	kill(p, SIGKILL);
	waitpid(p, NULL, 0);

	/* P_PGID picks the children in a group. */
	pid_t a = fork();
	if (a == 0) {
		setpgid(0, 0);
		for (;;)
			pause();
	}
	setpgid(a, a);
	pid_t b = spawn_exit(3);
	memset(&si, 0, sizeof si);
	waitid(P_PID, b, &si, WEXITED | WNOWAIT);
	CHECK(waitid(P_PGID, a, &si, WEXITED | WNOHANG));
	say("group child not ready: %d\n", si.si_pid == 0 || si.si_pid == b);
	kill(-a, SIGKILL);
	memset(&si, 0, sizeof si);
	CHECK(waitid(P_PGID, a, &si, WEXITED));
	say("P_PGID reaped a: %d status %d\n", si.si_pid == a, si.si_status);
	CHECK(waitpid(-getpgrp(), &st, 0) == b);
	show("pgrp", st);

	/* Errors. */
	CHECK(wait(&st));
	CHECK(waitpid(-1, &st, WNOHANG));
	CHECK(waitpid(-1, &st, 0x40000000 >> 8));
	CHECK(waitid(P_ALL, 0, &si, 0));
	CHECK(waitid(7, 0, &si, WEXITED));
	CHECK(waitpid(getpid(), &st, 0));
	p = spawn_exit(0);
	CHECK(wait4(p, badptr(), 0, NULL));
	CHECK(waitpid(p, &st, 0));

	/* Orphans go to the nearest subreaper. */
	CHECK(prctl(PR_SET_CHILD_SUBREAPER, 1));
	int is;
	CHECK(prctl(PR_GET_CHILD_SUBREAPER, &is));
	say("subreaper %d\n", is);
	int pfd[2];
	pipe(pfd);
	pid_t me = getpid();
	p = fork();
	if (p == 0) {
		if (fork() == 0) {
			close(pfd[0]);
			/* Wait until the middle process is gone. */
			while (getppid() != me)
				usleep(1000);
			char ok = 'y';
			write(pfd[1], &ok, 1);
			_exit(9);
		}
		_exit(0);
	}
	close(pfd[1]);
	waitpid(p, &st, 0);
	show("middle", st);
	c = 0;
	read(pfd[0], &c, 1);
	say("grandchild saw new parent: %c\n", c);
	p = wait(&st);
	say("grandchild reaped by us: %d\n", p > 0);
	show("grandchild", st);

	/* SIGCHLD ignored: children are reaped by the kernel. */
	signal(SIGCHLD, SIG_IGN);
	p = spawn_exit(5);
	CHECK(waitpid(p, &st, 0));
	signal(SIGCHLD, SIG_DFL);

	/* rusage of a child that burnt no time is still filled. */
	p = spawn_exit(6);
	struct rusage ru;
	memset(&ru, 0xff, sizeof ru);
	say("wait4 rusage %d\n", wait4(p, &st, 0, &ru) == p);
	say("rusage sane %d\n", ru.ru_utime.tv_sec >= 0 && ru.ru_utime.tv_usec < 1000000);
	return 0;
}
