/* fds: many descriptors, EMFILE at RLIMIT_NOFILE, reuse of the lowest
 * free descriptor, close_range. */
#include "guest.h"
#include <sys/resource.h>

int main(void)
{
	struct rlimit rl = { 300, 300 };
	MUST(setrlimit(RLIMIT_NOFILE, &rl));
	int n = 0, last = -1;
	for (;;) {
		int fd = open("/dev/null", O_RDONLY);
		if (fd < 0) {
			say("stopped after %d: %s\n", n, errname(errno));
			break;
		}
		last = fd;
		n++;
	}
	say("last %d\n", last);
	CHECK(close(100));
	CHECK(close(50));
	CHECK(open("/dev/null", O_RDONLY));
	CHECK(open("/dev/null", O_RDONLY));
	CHECK(open("/dev/null", O_RDONLY));
	CHECK(syscall(SYS_close_range, 10, 299, 0));
	CHECK(open("/dev/null", O_RDONLY));
	CHECK(fcntl(5, F_GETFD));
	CHECK(syscall(SYS_close_range, 3, 9, 4));
	CHECK(fcntl(5, F_GETFD));
	CHECK(syscall(SYS_close_range, 9, 3, 0));
	CHECK(syscall(SYS_close_range, 3, 9, 1 << 8));
	return 0;
}
