/* pgrp: process groups and sessions: setpgid's EPERM, ESRCH and EACCES
 * rules, setsid, getsid, getpgid, kill to a group, and the SIGHUP then
 * SIGCONT an orphaned process group with stopped members gets. */
#include "guest.h"
#include <signal.h>
#include <sys/wait.h>

static int pipefd[2];
static void note(int sig)
{
	char c = sig == SIGHUP ? 'H' : sig == SIGCONT ? 'C' : '?';
	write(pipefd[1], &c, 1);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	pid_t me = getpid();
	/* We lead our session (the harness makes it so, as paddock does). */
	say("session leader %d, group leader %d\n", getsid(0) == me, getpgrp() == me);
	CHECK(setsid());
	CHECK(setpgid(0, 0));
	CHECK(getpgid(0) == me);
	CHECK(getsid(999999));
	CHECK(getpgid(999999));
	CHECK(setpgid(-1, 0));
	CHECK(setpgid(0, -1));
	CHECK(setpgid(999999, 0));

	int sync[2];
	pipe(sync);
	pid_t c = fork();
	if (c == 0) {
		char x;
		read(sync[0], &x, 1);
		if (x == 'e') {
			char *argv[] = { "/bin/pgrp-none", NULL };
			execve(argv[0], argv, NULL);
		}
		read(sync[0], &x, 1);
		_exit(0);
	}
	/* A child may be moved into a new group, or a group of the session. */
	CHECK(setpgid(c, c));
	CHECK(getpgid(c) == c);
	CHECK(setpgid(c, me));
	CHECK(getpgid(c) == me);
	CHECK(setpgid(c, 999999));
	CHECK(getsid(c) == me);
	write(sync[1], "x", 1);
	write(sync[1], "x", 1);
	waitpid(c, NULL, 0);

	/* Once the child has exec'd, the parent may no longer move it. */
	c = fork();
	if (c == 0) {
		char x;
		read(sync[0], &x, 1);
		_exit(0);
	}
	/* A child in another session: EPERM. */
	int ready[2];
	pipe(ready);
	pid_t d = fork();
	if (d == 0) {
		setsid();
		write(ready[1], "r", 1);
		char x;
		read(sync[0], &x, 1);
		_exit(0);
	}
	char r;
	read(ready[0], &r, 1);
	CHECK(setpgid(d, d));
	CHECK(setpgid(d, me));
	say("child session is its own %d\n", getsid(d) == d);
	/* A process group leader cannot setsid. */
	c = fork();
	if (c == 0) {
		setpgid(0, 0);
		_exit(setsid() == -1 && errno == EPERM ? 1 : 2);
	}
	int st;
	waitpid(c, &st, 0);
	say("group leader setsid EPERM %d\n", WEXITSTATUS(st) == 1);
	/* setsid in a fresh child works and makes it leader of both. */
	c = fork();
	if (c == 0) {
		pid_t s = setsid();
		_exit(s == getpid() && getpgrp() == s && getsid(0) == s ? 1 : 2);
	}
	waitpid(c, &st, 0);
	say("child setsid %d\n", WEXITSTATUS(st) == 1);
	write(sync[1], "xx", 2);
	while (wait(NULL) > 0)
		;

	/* kill(-pgrp) reaches every member. */
	pid_t g1 = fork();
	if (g1 == 0) {
		setpgid(0, 0);
		pause();
		_exit(0);
	}
	setpgid(g1, g1);
	pid_t g2 = fork();
	if (g2 == 0) {
		setpgid(0, g1);
		pause();
		_exit(0);
	}
	setpgid(g2, g1);
	msleep(20);
	CHECK(kill(-g1, SIGTERM));
	int n = 0;
	for (int i = 0; i < 2; i++) {
		waitpid(-g1, &st, 0);
		n += WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM;
	}
	say("both group members killed: %d\n", n == 2);
	CHECK(kill(-g1, 0));

	/* Orphaned group with a stopped member: when the group's last link
	 * outside it (a parent in another group of the same session) exits,
	 * every member gets SIGHUP then SIGCONT. All of it happens in a
	 * session of its own, so that the adoptive parent (init natively, the
	 * first process under paddock) is outside the session either way. */
	pipe(pipefd);
	pid_t leader = fork();
	if (leader == 0) {
		setsid();
		pid_t mid = fork();
		if (mid == 0) {
			setpgid(0, 0);
			pid_t kid = fork();
			if (kid == 0) {
				signal(SIGHUP, note);
				signal(SIGCONT, note);
				raise(SIGSTOP);
				msleep(20);
				_exit(0);
			}
			/* mid's parent (the leader) is in another group of the
			 * session, so the group is not orphaned yet. */
			waitpid(kid, &st, WUNTRACED);
			_exit(WIFSTOPPED(st) ? 0 : 1);
		}
		waitpid(mid, &st, 0);
		_exit(WEXITSTATUS(st));
	}
	waitpid(leader, &st, 0);
	say("kid was stopped: %d\n", WEXITSTATUS(st) == 0);
	close(pipefd[1]);
	char got[8] = { 0 };
	int k = 0;
	char ch;
	while (k < 2 && read(pipefd[0], &ch, 1) == 1)
		got[k++] = ch;
	say("orphaned stopped kid got: %s\n", got);
	return 0;
}
