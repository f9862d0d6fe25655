/* rlimit: getrlimit, setrlimit and prlimit rules. */
#include "guest.h"
#include <sys/resource.h>

static void show(int r, const char *name)
{
	struct rlimit rl;
	getrlimit(r, &rl);
	say("%s: cur %s%ld max %s%ld\n", name, rl.rlim_cur == RLIM_INFINITY ? "inf" : "",
	    rl.rlim_cur == RLIM_INFINITY ? 0L : (long)rl.rlim_cur, rl.rlim_max == RLIM_INFINITY ? "inf" : "",
	    rl.rlim_max == RLIM_INFINITY ? 0L : (long)rl.rlim_max);
}

int main(void)
{
	struct rlimit rl = { 100, 200 };
	CHECK(setrlimit(RLIMIT_NOFILE, &rl));
	show(RLIMIT_NOFILE, "nofile");
	rl.rlim_cur = 300;
	CHECK(setrlimit(RLIMIT_NOFILE, &rl));
	rl = (struct rlimit){ 50, 200 };
	CHECK(setrlimit(RLIMIT_NOFILE, &rl));
	rl = (struct rlimit){ 50, 2000000 };
	CHECK(setrlimit(RLIMIT_NOFILE, &rl));
	show(RLIMIT_NOFILE, "nofile");
	CHECK(getrlimit(99, &rl));
	CHECK(setrlimit(99, &rl));
	CHECK(getrlimit(RLIMIT_CORE, badptr()));

	rl = (struct rlimit){ 5, 200 };
	setrlimit(RLIMIT_NOFILE, &rl);
	int last = -1;
	for (int i = 0; i < 10; i++) {
		int fd = open("/dev/null", O_RDONLY);
		if (fd < 0) {
			say("open #%d: %s\n", i, errname(errno));
			break;
		}
		last = fd;
	}
	say("last fd %d\n", last);
	CHECK(dup2(0, 5));
	CHECK(dup2(0, 4));
	CHECK(fcntl(0, F_DUPFD, 5));
	rl = (struct rlimit){ 100, 200 };
	setrlimit(RLIMIT_NOFILE, &rl);

	struct rlimit old, nl = { 1 << 20, RLIM_INFINITY };
	CHECK(prlimit(0, RLIMIT_STACK, &nl, &old));
	say("old stack cur %ld\n", (long)old.rlim_cur);
	show(RLIMIT_STACK, "stack");
	CHECK(prlimit(0, RLIMIT_STACK, NULL, &old));
	CHECK(prlimit(999999, RLIMIT_STACK, NULL, &old));
	rl = (struct rlimit){ 10, 5 };
	CHECK(setrlimit(RLIMIT_CPU, &rl));
	rl = (struct rlimit){ RLIM_INFINITY, RLIM_INFINITY };
	CHECK(setrlimit(RLIMIT_CPU, &rl));
	show(RLIMIT_CPU, "cpu");

	/* An unprivileged process may lower but not raise its hard limit. */
	rl = (struct rlimit){ 50, 100 };
	setrlimit(RLIMIT_NOFILE, &rl);
	setuid(1000);
	rl = (struct rlimit){ 50, 90 };
	CHECK(setrlimit(RLIMIT_NOFILE, &rl));
	rl = (struct rlimit){ 50, 95 };
	CHECK(setrlimit(RLIMIT_NOFILE, &rl));
	show(RLIMIT_NOFILE, "nofile");
	return 0;
}
