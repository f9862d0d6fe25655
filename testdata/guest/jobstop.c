/* jobstop: a child stops itself with SIGSTOP (SIGTSTP would be discarded
 * in an orphaned process group); its parent sees it stopped (WUNTRACED),
 * continues it with SIGCONT (WCONTINUED), then lets it exit and reaps it.
 * The child waits on a pipe so that its exit cannot overtake the
 * parent's WCONTINUED. */
#include "guest.h"
#include <signal.h>

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	int p[2];
	MUST(pipe(p));
	pid_t k = fork();
	MUST(k);
	if (k == 0) {
		char c;
		close(p[1]);
		kill(getpid(), SIGSTOP);
		while (read(p[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(3);
	}
	close(p[0]);
	int st;
	while (waitpid(k, &st, WUNTRACED) < 0 && errno == EINTR)
		;
	say("stopped %d by %s\n", WIFSTOPPED(st), WIFSTOPPED(st) ? strsignal(WSTOPSIG(st)) : "-");
	CHECK(kill(k, SIGCONT));
	while (waitpid(k, &st, WCONTINUED) < 0 && errno == EINTR)
		;
	say("continued %d\n", WIFCONTINUED(st));
	close(p[1]);
	say("exit %d\n", WEXITSTATUS(reap(k)));
	return 0;
}
