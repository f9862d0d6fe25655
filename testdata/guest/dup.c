/* dup: dup, dup2, dup3 and F_DUPFD, which share the file position. */
#include "guest.h"

int main(void)
{
	write_file("f", "abcdefgh");
	int fd = open("f", O_RDONLY);
	int d = CHECK(dup(fd));
	char c;
	read(fd, &c, 1);
	read(d, &c, 1);
	say("shared offset read: %c\n", c);
	CHECK(lseek(fd, 0, SEEK_CUR));
	CHECK(dup2(fd, 10));
	CHECK(dup2(fd, fd));
	CHECK(dup2(99, 11));
	CHECK(dup2(fd, -1));
	CHECK(dup2(fd, 1 << 20));
	CHECK(dup3(fd, fd, 0));
	CHECK(dup3(fd, 12, O_CLOEXEC));
	CHECK(fcntl(12, F_GETFD));
	CHECK(fcntl(10, F_GETFD));
	CHECK(dup3(fd, 13, 1));
	CHECK(fcntl(fd, F_DUPFD, 20));
	CHECK(fcntl(fd, F_DUPFD, 20));
	CHECK(fcntl(fd, F_DUPFD_CLOEXEC, 5));
	CHECK(fcntl(5, F_GETFD));
	CHECK(fcntl(fd, F_DUPFD, -1));
	CHECK(fcntl(fd, F_DUPFD, 1 << 30));
	CHECK(dup(99));
	/* dup2 over an open descriptor closes it first. */
	int g = open("f", O_RDONLY);
	CHECK(dup2(fd, g));
	CHECK(lseek(g, 0, SEEK_CUR));
	CHECK(close(g));
	CHECK(close(g));
	CHECK(close(-1));
	return 0;
}
