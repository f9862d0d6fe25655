/* fifo: named pipes: opening rules without blocking, reading and writing,
 * end of file. */
#include "guest.h"
#include <poll.h>

/* revents of a poll of fd that does not wait. */
static int polled(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	poll(&p, 1, 0);
	return p.revents;
}

int main(void)
{
	CHECK(mkfifo("f", 0644));
	CHECK(mkfifo("f", 0644));
	CHECK(open("f", O_WRONLY | O_NONBLOCK));
	int r = CHECK(open("f", O_RDONLY | O_NONBLOCK));
	char buf[32];
	CHECK(read(r, buf, sizeof buf));
	int w = CHECK(open("f", O_WRONLY | O_NONBLOCK));
	CHECK(read(r, buf, sizeof buf));
	CHECK(write(w, "through the fifo", 16));
	memset(buf, 0, sizeof buf);
	CHECK(read(r, buf, sizeof buf));
	say("got \"%s\"\n", buf);
	close(w);
	CHECK(read(r, buf, sizeof buf));
	int rw = CHECK(open("f", O_RDWR));
	CHECK(write(rw, "x", 1));
	CHECK(read(r, buf, 1));
	close(r);
	close(rw);
	/* The next open starts empty. */
	rw = open("f", O_RDWR | O_NONBLOCK);
	CHECK(read(rw, buf, 1));
	close(rw);

	/* POLLHUP: a non-blocking reader that found no writer waits for one
	 * to come and go; a reader that found one sees its close. */
	int r1 = CHECK(open("f", O_RDONLY | O_NONBLOCK));
	say("no writer yet: revents %#x\n", polled(r1));
	w = CHECK(open("f", O_WRONLY | O_NONBLOCK));
	int r2 = CHECK(open("f", O_RDONLY));
	say("writer open: revents %#x %#x\n", polled(r1), polled(r2));
	close(w);
	say("writer gone: revents %#x %#x\n", polled(r1), polled(r2));
	close(r1);
	close(r2);
	rw = open("f", O_RDWR | O_NONBLOCK);
	struct stat st;
	fstat(rw, &st);
	say("fstat: fifo %d size %ld\n", S_ISFIFO(st.st_mode), (long)st.st_size);
	CHECK(lseek(rw, 0, SEEK_SET));
	return 0;
}
