/* pipes: capacity, non-blocking behaviour, atomic writes, end of file and
 * FIONREAD. */
#include "guest.h"
#include <sys/ioctl.h>

int main(void)
{
	int p[2];
	CHECK(pipe2(p, O_NONBLOCK));
	static char big[200000];
	memset(big, 'p', sizeof big);
	long total = 0, n;
	while ((n = write(p[1], big, 1000)) > 0)
		total += n;
	say("filled %ld, then %s\n", total, errname(errno));
	CHECK(write(p[1], big, 1));
	int avail;
	CHECK(ioctl(p[0], FIONREAD, &avail));
	say("FIONREAD %d\n", avail);
	CHECK(read(p[0], big, 100));
	/* 100 bytes free: a 4096-byte (PIPE_BUF) write does not fit whole. */
	CHECK(write(p[1], big, 4096));
	CHECK(write(p[1], big, 100));
	CHECK(read(p[0], big, 5000));
	/* A write larger than PIPE_BUF may be partial. */
	CHECK(write(p[1], big, 10000));
	while (read(p[0], big, sizeof big) > 0)
		;
	CHECK(read(p[0], big, 10));
	close(p[1]);
	CHECK(read(p[0], big, 10));
	close(p[0]);

	CHECK(pipe(p));
	CHECK(write(p[1], "abc", 3));
	close(p[1]);
	char b[8] = { 0 };
	CHECK(read(p[0], b, 8));
	say("read %s\n", b);
	CHECK(read(p[0], b, 8));
	CHECK(write(p[0], "x", 1));
	CHECK(pipe(badptr()));
	CHECK(pipe2(p, O_APPEND));
	return 0;
}
