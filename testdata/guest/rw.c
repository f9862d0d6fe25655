/* rw: read, write, pread, pwrite and lseek. */
#include "guest.h"

int main(void)
{
	char buf[64];
	int fd = open("f", O_CREAT | O_RDWR | O_TRUNC, 0644);
	MUST(fd);
	CHECK(write(fd, "hello world", 11));
	CHECK(lseek(fd, 0, SEEK_CUR));
	CHECK(lseek(fd, 0, SEEK_SET));
	memset(buf, 0, sizeof buf);
	CHECK(read(fd, buf, 5));
	say("read \"%s\"\n", buf);
	CHECK(read(fd, buf, 0));
	CHECK(lseek(fd, -3, SEEK_END));
	memset(buf, 0, sizeof buf);
	CHECK(read(fd, buf, 100));
	say("read \"%s\"\n", buf);
	CHECK(read(fd, buf, 100));
	CHECK(lseek(fd, -100, SEEK_SET));
	CHECK(lseek(fd, 0, 99));
	CHECK(lseek(fd, 100, SEEK_SET));
	CHECK(write(fd, "!", 1));
	struct stat st;
	fstat(fd, &st);
	say("size after write past end %ld\n", (long)st.st_size);
	CHECK(pread(fd, buf, 4, 50));
	say("hole reads as zeros: %d\n", buf[0] == 0 && buf[3] == 0);
	CHECK(pwrite(fd, "XY", 2, 0));
	CHECK(lseek(fd, 0, SEEK_CUR));
	memset(buf, 0, sizeof buf);
	CHECK(pread(fd, buf, 11, 0));
	say("pread \"%s\"\n", buf);
	CHECK(pread(fd, buf, 1, -1));
	CHECK(pread(fd, buf, 4, 1000));

	CHECK(read(99, buf, 1));
	CHECK(write(99, buf, 1));
	int ro = open("f", O_RDONLY);
	CHECK(write(ro, "x", 1));
	int wo = open("f", O_WRONLY);
	CHECK(read(wo, buf, 1));
	CHECK(read(fd, NULL, 10) == -1 ? -1 : 0);
	CHECK(lseek(fd, 0, SEEK_SET));
	CHECK(read(fd, badptr(), 10));
	CHECK(write(fd, badptr(), 10));

	int p[2];
	MUST(pipe(p));
	CHECK(lseek(p[0], 0, SEEK_SET));
	CHECK(pread(p[0], buf, 1, 0));
	CHECK(pwrite(p[1], buf, 1, 0));
	CHECK(write(p[1], "pipe", 4));
	memset(buf, 0, sizeof buf);
	CHECK(read(p[0], buf, 64));
	say("pipe gave \"%s\"\n", buf);

	/* SEEK_DATA and SEEK_HOLE */
	CHECK(lseek(fd, 0, SEEK_DATA));
	CHECK(lseek(fd, 1000, SEEK_DATA));
	return 0;
}
