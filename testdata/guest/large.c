/* large: offsets beyond 4 GiB and sparse files. */
#include "guest.h"

int main(void)
{
	int fd = open("big", O_CREAT | O_RDWR | O_TRUNC, 0644);
	off_t far = 5L << 30;
	CHECK(pwrite(fd, "end", 3, far));
	struct stat st;
	fstat(fd, &st);
	say("size %ld sparse %d\n", (long)st.st_size, st.st_blocks < 100);
	char buf[8] = { 0 };
	CHECK(pread(fd, buf, 3, far));
	say("read back %s\n", buf);
	CHECK(pread(fd, buf, 4, 1L << 32));
	say("hole zero %d\n", buf[0] == 0);
	CHECK(lseek(fd, 0, SEEK_END));
	CHECK(lseek(fd, 1L << 40, SEEK_SET));
	CHECK(write(fd, "x", 1));
	fstat(fd, &st);
	say("size %ld\n", (long)st.st_size);
	CHECK(lseek(fd, -(2L << 40), SEEK_CUR));
	return 0;
}
