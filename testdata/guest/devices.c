/* devices: /dev/null, zero, full, random and urandom. */
#include "guest.h"
#include <sys/sysmacros.h>

int main(void)
{
	char buf[64];
	int n = open("/dev/null", O_RDWR);
	CHECK(read(n, buf, 64));
	CHECK(write(n, "discarded", 9));
	CHECK(lseek(n, 100, SEEK_SET));
	int z = open("/dev/zero", O_RDWR);
	memset(buf, 1, sizeof buf);
	CHECK(read(z, buf, 64));
	say("zeros: %d\n", buf[0] == 0 && buf[63] == 0);
	CHECK(write(z, buf, 64));
	int f = open("/dev/full", O_RDWR);
	CHECK(write(f, "x", 1));
	CHECK(read(f, buf, 8));
	CHECK(lseek(z, 77, SEEK_SET));
	int r = open("/dev/urandom", O_RDONLY);
	CHECK(read(r, buf, 64));
	CHECK(lseek(r, 77, SEEK_SET));
	int r2 = open("/dev/random", O_RDONLY);
	CHECK(read(r2, buf, 16));
	struct stat st;
	const char *devs[] = { "/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom" };
	for (int i = 0; i < 5; i++) {
		stat(devs[i], &st);
		say("%s: chr %d mode %o rdev %u:%u\n", devs[i], S_ISCHR(st.st_mode), st.st_mode & 0777,
		    (unsigned)(st.st_rdev >> 8) & 0xfff, (unsigned)(st.st_rdev & 0xff));
	}
	CHECK(mknod("mynull", S_IFCHR | 0666, 0x103));
	int m = open("mynull", O_RDWR);
	CHECK(write(m, "x", 1));
	CHECK(read(m, buf, 1));
	CHECK(mknod("fifo", S_IFIFO | 0644, 0));
	stat("fifo", &st);
	say("fifo: %d\n", S_ISFIFO(st.st_mode));
	CHECK(mknod("dir", S_IFDIR | 0755, 0));
	CHECK(mknod("reg", 0644, 0));
	stat("reg", &st);
	say("reg: %d\n", S_ISREG(st.st_mode));
	return 0;
}
