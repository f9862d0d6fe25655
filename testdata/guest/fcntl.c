/* fcntl: descriptor flags, status flags and invalid commands. */
#include "guest.h"
#include <sys/ioctl.h>

int main(void)
{
	write_file("f", "x");
	int fd = open("f", O_RDWR | O_APPEND);
	int fl = CHECK(fcntl(fd, F_GETFL));
	say("accmode rdwr %d append %d nonblock %d\n", (fl & O_ACCMODE) == O_RDWR, !!(fl & O_APPEND), !!(fl & O_NONBLOCK));
	CHECK(fcntl(fd, F_SETFL, O_NONBLOCK | O_RDONLY));
	fl = fcntl(fd, F_GETFL);
	say("accmode still rdwr %d append %d nonblock %d\n", (fl & O_ACCMODE) == O_RDWR, !!(fl & O_APPEND), !!(fl & O_NONBLOCK));
	CHECK(write(fd, "yz", 2));
	CHECK(pwrite(fd, "Q", 1, 0));
	show_file("f");
	CHECK(fcntl(fd, F_GETFD));
	CHECK(fcntl(fd, F_SETFD, FD_CLOEXEC));
	CHECK(fcntl(fd, F_GETFD));
	CHECK(fcntl(fd, F_SETFD, 0));
	CHECK(fcntl(fd, F_GETFD));
	CHECK(fcntl(fd, 9999));
	CHECK(fcntl(99, F_GETFL));
	int cl = open("f", O_RDONLY | O_CLOEXEC);
	CHECK(fcntl(cl, F_GETFD));
	int p[2];
	CHECK(pipe2(p, O_NONBLOCK | O_CLOEXEC));
	fl = fcntl(p[0], F_GETFL);
	say("pipe nonblock %d rdonly %d cloexec %d\n", !!(fl & O_NONBLOCK), (fl & O_ACCMODE) == O_RDONLY,
	    fcntl(p[1], F_GETFD));
	char c;
	CHECK(read(p[0], &c, 1));
	CHECK(fcntl(p[0], F_GETPIPE_SZ));
	CHECK(fcntl(p[0], F_SETPIPE_SZ, 5000));
	CHECK(fcntl(p[0], F_GETPIPE_SZ));
	CHECK(fcntl(p[0], F_SETPIPE_SZ, 0));
	CHECK(fcntl(fd, F_GETPIPE_SZ));
	CHECK(pipe2(p, 0x8000000));
	CHECK(ioctl(fd, FIOCLEX));
	CHECK(fcntl(fd, F_GETFD));
	CHECK(ioctl(fd, FIONCLEX));
	CHECK(fcntl(fd, F_GETFD));
	int n = 1;
	CHECK(ioctl(fd, FIONBIO, &n));
	say("nonblock after FIONBIO %d\n", !!(fcntl(fd, F_GETFL) & O_NONBLOCK));
	return 0;
}
