/* forkbomb: every process forks without end. paddock must refuse with
 * EAGAIN at its cap (or at RLIMIT_NPROC for an ordinary user) and stay
 * responsive; the first process then reports and exits, which ends the
 * others. Never run it natively. Arguments: "user N" runs the bomb as uid
 * 1000 with RLIMIT_NPROC N and counts the forks that succeed. */
#include "guest.h"
#include <signal.h>
#include <sys/resource.h>

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc > 2 && strcmp(argv[1], "user") == 0) {
		struct rlimit rl = { atol(argv[2]), atol(argv[2]) };
		MUST(setrlimit(RLIMIT_NPROC, &rl));
		MUST(setuid(1000));
		int n = 0;
		for (;;) {
			pid_t p = fork();
			if (p == 0) {
				pause();
				_exit(0);
			}
			if (p < 0) {
				say("fork failed with %s after %d children\n", errname(errno), n);
				break;
			}
			n++;
		}
		return 0;
	}
	int fails = 0, last = 0;
	pid_t me = getpid();
	for (int i = 0; i < 5000 && fails < 50; i++) {
		pid_t p = fork();
		if (p == 0) {
			/* A child forks on too, until the cap stops it. */
			while (fork() >= 0)
				;
			pause();
			_exit(0);
		}
		if (p < 0) {
			fails++;
			last = errno;
		}
	}
	/* Still responsive: a pipe round trip works. */
	int fd[2];
	MUST(pipe(fd));
	write(fd[1], "ok", 2);
	char b[3] = { 0 };
	read(fd[0], b, 2);
	say("forks refused: %s; pipe says %s; pid %d\n", fails ? errname(last) : "none", b, me);
	return 0;
}
