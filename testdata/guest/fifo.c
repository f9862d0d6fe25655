/* fifo: named pipes: opening rules without blocking, reading and writing,
 * end of file. */
#include "guest.h"

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
	struct stat st;
	fstat(rw, &st);
	say("fstat: fifo %d size %ld\n", S_ISFIFO(st.st_mode), (long)st.st_size);
	CHECK(lseek(rw, 0, SEEK_SET));
	return 0;
}
