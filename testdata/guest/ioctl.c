/* ioctl: terminal ioctls on files that are not terminals, FIONREAD. */
#include "guest.h"
#include <sys/ioctl.h>
#include <termios.h>

int main(void)
{
	struct termios t;
	struct winsize ws;
	write_file("f", "12345");
	int fd = open("f", O_RDONLY);
	CHECK(ioctl(fd, TCGETS, &t));
	CHECK(ioctl(fd, TIOCGWINSZ, &ws));
	CHECK(isatty(fd));
	CHECK(tcgetattr(fd, &t));
	int n;
	CHECK(ioctl(fd, FIONREAD, &n));
	say("FIONREAD %d\n", n);
	char c;
	read(fd, &c, 1);
	CHECK(ioctl(fd, FIONREAD, &n));
	say("FIONREAD %d\n", n);
	CHECK(ioctl(fd, 0x12345678, 0));
	CHECK(ioctl(99, FIONREAD, &n));
	int z = open("/dev/null", O_RDWR);
	CHECK(ioctl(z, TCGETS, &t));
	CHECK(isatty(0));
	CHECK(isatty(1));
	return 0;
}
