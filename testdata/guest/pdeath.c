/* pdeath: PR_SET_PDEATHSIG fires when the parent THREAD exits, not only
 * when the parent process does (prctl(2): "the parent thread"), and the
 * child stays the same process's child. */
#include "guest.h"
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>

static int ready[2], report[2];
static pid_t parent;
static volatile sig_atomic_t got;
static void ondeath(int sig) { got = sig; }

static void *forker(void *arg)
{
	(void)arg;
	pid_t c = fork();
	if (c == 0) {
		signal(SIGUSR1, ondeath);
		prctl(PR_SET_PDEATHSIG, SIGUSR1);
		MUST(write(ready[1], "r", 1));
		for (int i = 0; i < 300 && !got; i++)
			msleep(10);
		char msg[64];
		int n = snprintf(msg, sizeof msg, "signal %d, parent still the process %d\n", got, getppid() == parent);
		MUST(write(report[1], msg, n));
		_exit(0);
	}
	char ch;
	MUST(read(ready[0], &ch, 1));
	/* The thread that forked the child ends here. */
	return (void *)(long)c;
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	parent = getpid();
	MUST(pipe(ready));
	MUST(pipe(report));
	pthread_t t;
	pthread_create(&t, NULL, forker, NULL);
	void *c;
	pthread_join(t, &c);
	char buf[64] = {0};
	int n = read(report[0], buf, sizeof buf - 1);
	say("child: %.*s", n > 0 ? n : 0, buf);
	reap((pid_t)(long)c);
	int pd = -1;
	CHECK(prctl(PR_GET_PDEATHSIG, &pd));
	say("own pdeathsig %d\n", pd);
	return 0;
}
